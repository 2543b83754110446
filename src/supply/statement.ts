/**
 * What cigen signs: in-toto v1 statements about one image digest, in the shapes cosign writes and
 * reads (cosign v3 signs an image with the predicate type https://sigstore.dev/cosign/sign/v1;
 * `cosign verify-attestation --type cyclonedx|slsaprovenance1` reads the others). Pure.
 */
export const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The Sigstore bundle an OCI referrer holds, and the referrer's artifactType. */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export const PREDICATE_TYPES = {
  signature: 'https://sigstore.dev/cosign/sign/v1',
  sbom: 'https://cyclonedx.org/bom',
  provenance: 'https://slsa.dev/provenance/v1',
} as const;

export type AttestationKind = keyof typeof PREDICATE_TYPES;
export const KINDS: readonly AttestationKind[] = ['signature', 'sbom', 'provenance'];

/** SPDX SBOMs signed by other tools count as SBOMs too. */
const SPDX_PREDICATE = 'https://spdx.dev/Document';

/** The predicate types read as each kind: what cigen signs, and what other tools sign that counts as the same. */
const KIND_PREDICATES: Record<AttestationKind, readonly string[]> = {
  signature: [PREDICATE_TYPES.signature],
  sbom: [PREDICATE_TYPES.sbom, SPDX_PREDICATE],
  provenance: [PREDICATE_TYPES.provenance],
};

/** The format of a predicate type, as messages name it. */
const FORMATS: Record<string, string> = {
  [PREDICATE_TYPES.sbom]: 'CycloneDX',
  [SPDX_PREDICATE]: 'SPDX',
  [PREDICATE_TYPES.provenance]: 'SLSA v1',
};

const KIND_NAMES: Record<AttestationKind, string> = {
  signature: 'signature',
  sbom: 'SBOM attestation',
  provenance: 'provenance attestation',
};

export function kindOf(predicateType: string): AttestationKind | undefined {
  return KINDS.find((kind) => KIND_PREDICATES[kind].includes(predicateType));
}

/**
 * What a reader calls an attestation of a kind, in messages: with the format of the predicate type
 * found (`SBOM attestation (SPDX)`), or, none found, each format that would do
 * (`SBOM attestation (CycloneDX or SPDX)`).
 */
export function kindName(kind: AttestationKind, predicateType?: string): string {
  const formats = (predicateType !== undefined ? [predicateType] : KIND_PREDICATES[kind]).flatMap((type) => FORMATS[type] ?? []);
  return formats.length > 0 ? `${KIND_NAMES[kind]} (${formats.join(' or ')})` : KIND_NAMES[kind];
}

export interface Statement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: unknown;
}

export function statement(name: string, digest: string, kind: AttestationKind, predicate: unknown): Statement {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return { _type: IN_TOTO_STATEMENT, subject: [{ name, digest: { [algorithm]: hex } }], predicateType: PREDICATE_TYPES[kind], predicate };
}

/** A statement read back from a signed envelope: checked shape, or undefined. */
export function parseStatement(payload: Buffer): Statement | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<Statement>;
  if (typeof s._type !== 'string' || typeof s.predicateType !== 'string' || !Array.isArray(s.subject)) return undefined;
  return s as Statement;
}

/** The sha256 digests a statement's subjects name, as `sha256:<hex>`. */
export const subjectDigests = (s: Statement): string[] =>
  s.subject.flatMap((subject) => (typeof subject?.digest?.['sha256'] === 'string' ? [`sha256:${subject.digest['sha256']}`] : []));
