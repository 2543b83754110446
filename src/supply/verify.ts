/**
 * Verification, the pure core of `cigen verify`: each bundle attached to the image is checked
 * (signature, certificate chain, transparency log, timestamps — by @sigstore/verify), then
 * against what the caller expects (an identity or a key), then its statement against the image
 * (its subject must be this very digest). The policy then asks which kinds it needs. Every
 * refusal is one sentence saying what was found and what was expected.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { toSignedEntity, Verifier, type TrustMaterial } from '@sigstore/verify';
import { gitlabIdentityRef, issuerKey } from './policy.js';
import type { PlatformImage } from './sbom.js';
import { fromProtectedRef, sourceRef } from './provenance.js';
import { IN_TOTO_PAYLOAD_TYPE, kindName, KINDS, kindOf, parseStatement, subjectDigests, type AttestationKind } from './statement.js';

/** Who must have signed: a keyless identity (Fulcio certificate) or a key. */
export type Expected =
  { mode: 'identity'; issuer: string; subject?: string; subjectRegExp?: string } | { mode: 'key'; key: KeyObject; name: string };

export interface Policy {
  expected: Expected;
  /** Kinds that must be present and valid. The signature always is. */
  require: readonly AttestationKind[];
  /** The provenance must say the ref it was built from was protected. */
  protectedRef: boolean;
}

export interface BundleVerdict {
  kind?: AttestationKind;
  /** The predicate type of the statement, when it names a kind: which format it is in. */
  predicateType?: string;
  /** The digest the bundle is attached to, when not the image's own (a platform image of an index). */
  subject?: string;
  /** Who signed: the certificate's identity and issuer, or the key's name. */
  signer?: string;
  /** Why it was not accepted; absent when it was. */
  problem?: string;
  predicate?: unknown;
}

/** The SBOM accepted for one image an SBOM is required of: a platform of an index, or the image itself. */
export interface PlatformSbom {
  /** `linux/amd64`, or empty for an image that is no index. */
  platform: string;
  digest: string;
  signer: string;
  /** The SBOM's predicate type: CycloneDX, or SPDX. */
  predicateType?: string;
}

export interface Verdict {
  ok: boolean;
  /** Each kind accepted for the image: an SBOM only when the SBOM of each platform was (`sboms`). */
  accepted: Partial<Record<AttestationKind, BundleVerdict>>;
  /** The SBOMs accepted, one for each platform image that has one, in the index's order. */
  sboms: PlatformSbom[];
  /** The reasons verification failed, one sentence each, most important first. */
  reasons: string[];
  bundles: BundleVerdict[];
}

export const describeExpected = (e: Expected): string =>
  e.mode === 'key' ? `the key ${e.name}` : `${e.subject ?? `an identity matching /${e.subjectRegExp ?? '.*'}/`} (issuer ${e.issuer})`;

function identityProblem(subject: string, issuer: string, e: Expected & { mode: 'identity' }): string | undefined {
  // The whole identity must match a regular expression (cosign's search would let `...@refs/heads/main`
  // admit `...@refs/heads/main-evil`).
  const matches =
    issuerKey(issuer) === issuerKey(e.issuer) &&
    (e.subject !== undefined ? subject === e.subject : new RegExp(`^(?:${e.subjectRegExp ?? ''})$`).test(subject));
  return matches ? undefined : `signed by ${subject} (issuer ${issuer}), not by ${describeExpected(e)}`;
}

/** One bundle, checked cryptographically and against the expectation and the image digest. */
export function checkBundle(json: unknown, digest: string, trust: TrustMaterial, expected: Expected): BundleVerdict {
  let bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return { problem: `not a Sigstore bundle: ${(error as Error).message}` };
  }
  if (!isBundleWithDsseEnvelope(bundle))
    return { problem: 'a message signature, not a signed in-toto statement (cigen and cosign v3 sign statements)' };
  const envelope = bundle.content.dsseEnvelope;
  // What the bundle claims to be, read before it is verified: only to say which part failed.
  const s = envelope.payloadType === IN_TOTO_PAYLOAD_TYPE ? parseStatement(envelope.payload) : undefined;
  const claimed = s ? kindOf(s.predicateType) : undefined;
  const refuse = (problem: string, signer?: string): BundleVerdict => ({
    ...(claimed && s ? { kind: claimed, predicateType: s.predicateType } : {}),
    ...(signer ? { signer } : {}),
    problem,
  });
  const keyless = bundle.verificationMaterial.content.$case !== 'publicKey';
  if (expected.mode === 'key' && keyless) {
    const cert = certificateIdentity(bundle);
    return refuse(`signed keylessly${cert ? ` by ${cert}` : ''}, not with ${describeExpected(expected)}`);
  }
  if (expected.mode === 'identity' && !keyless) return refuse(`signed with a key, not keylessly by ${describeExpected(expected)}`);
  let signer;
  try {
    signer = new Verifier(trust).verify(toSignedEntity(bundle));
  } catch (error) {
    const message = (error as Error).message;
    if (expected.mode === 'key' && /signature|key/i.test(message))
      return refuse(`the signature does not verify with ${describeExpected(expected)}`);
    return refuse(`the signature does not verify: ${message}`);
  }
  const who =
    expected.mode === 'key'
      ? `the key ${expected.name}`
      : `${signer.identity?.subjectAlternativeName ?? '?'} (issuer ${signer.identity?.extensions?.issuer ?? '?'})`;
  if (expected.mode === 'identity') {
    const problem = identityProblem(signer.identity?.subjectAlternativeName ?? '', signer.identity?.extensions?.issuer ?? '', expected);
    if (problem) return refuse(problem, who);
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return refuse(`signs a ${envelope.payloadType} payload, not an in-toto statement`, who);
  if (!s) return refuse('its payload is not an in-toto statement', who);
  const subjects = subjectDigests(s);
  if (!subjects.includes(digest))
    return refuse(`its statement is about ${subjects.join(', ') || 'no sha256 digest'}, not ${digest}: it was made for another image`, who);
  if (!claimed) return refuse(`an attestation of type ${s.predicateType}, which cigen does not check`, who);
  if (claimed === 'provenance' && expected.mode === 'identity') {
    // The ref a provenance names is the signing job's word; the certificate's is GitLab's.
    const signed = gitlabIdentityRef(signer.identity?.subjectAlternativeName ?? '');
    const said = sourceRef(s.predicate);
    if (signed?.ref === null) return refuse("its signer's identity names no ref (refs/...), so the ref it says cannot be checked", who);
    if (signed && said !== signed.ref)
      return refuse(`it says the image was built from ${said ?? 'no ref'}, but a pipeline of ${signed.ref} signed it`, who);
  }
  return { kind: claimed, predicateType: s.predicateType, signer: who, predicate: s.predicate };
}

function certificateIdentity(bundle: ReturnType<typeof bundleFromJSON>): string | undefined {
  const content = bundle.verificationMaterial.content;
  const der =
    content.$case === 'certificate'
      ? content.certificate.rawBytes
      : content.$case === 'x509CertificateChain'
        ? content.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (!der) return undefined;
  try {
    return new X509Certificate(der).subjectAltName?.replace(/^URI:/, '') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Every bundle found for the image, and the policy: the verdict. An SBOM is required of each of
 *  `sbomSubjects` (each platform of an index: one platform's says nothing of another's packages). */
export function decide(
  image: string,
  digest: string,
  verdicts: readonly BundleVerdict[],
  policy: Policy,
  sbomSubjects: readonly PlatformImage[] = [{ digest, platform: '' }],
): Verdict {
  const accepted: Verdict['accepted'] = {};
  for (const v of verdicts) if (v.kind && v.kind !== 'sbom' && !v.problem && !accepted[v.kind]) accepted[v.kind] = v;
  // The same bytes built twice (a reproducible build, a pipeline run again) carry a provenance each,
  // in the registry's order: one from a protected ref is what --protected-ref asks for.
  if (policy.protectedRef) {
    const fromProtected = verdicts.find((v) => v.kind === 'provenance' && !v.problem && fromProtectedRef(v.predicate));
    if (fromProtected) accepted.provenance = fromProtected;
  }
  // One platform's SBOM says nothing of another's packages: each is accepted on its own.
  const sboms = sbomSubjects.flatMap((subject): PlatformSbom[] => {
    const found = verdicts.find((v) => v.kind === 'sbom' && !v.problem && (v.subject ?? digest) === subject.digest);
    return found
      ? [
          {
            platform: subject.platform,
            digest: subject.digest,
            signer: found.signer ?? '?',
            ...(found.predicateType ? { predicateType: found.predicateType } : {}),
          },
        ]
      : [];
  });
  if (sboms.length === sbomSubjects.length)
    accepted.sbom = { kind: 'sbom', signer: [...new Set(sboms.map((sbom) => sbom.signer))].join(', ') };
  const reasons: string[] = [];
  const required = new Set<AttestationKind>(['signature', ...policy.require]);
  for (const kind of KINDS) {
    if (kind === 'sbom' && required.has(kind)) {
      reasons.push(...sbomReasons(image, digest, verdicts, sbomSubjects));
      continue;
    }
    if (!required.has(kind) || accepted[kind]) continue;
    const tried = verdicts.filter((v) => v.kind === kind || (v.kind === undefined && kind === 'signature'));
    if (verdicts.length === 0 && kind === 'signature') {
      reasons.push(`no signature: ${image} has no Sigstore bundle attached to ${digest}`);
    } else if (tried.length === 0) {
      reasons.push(`no ${kindName(kind)} for ${image}@${digest}`);
    } else {
      for (const v of tried) reasons.push(`${kindName(kind, v.predicateType)}: ${v.problem ?? 'refused'}`);
    }
  }
  const provenance = accepted.provenance;
  if (policy.protectedRef && provenance && !fromProtectedRef(provenance.predicate))
    reasons.push(
      `${kindName('provenance', provenance.predicateType)}: built from ${sourceRef(provenance.predicate) ?? 'an unknown ref'}, ` +
        'which was not a protected ref',
    );
  if (policy.protectedRef && !provenance && !policy.require.includes('provenance'))
    reasons.push(`no ${kindName('provenance')} for ${image}@${digest}, so nothing says it was built from a protected ref`);
  const distinct = [...new Set(reasons)];
  return { ok: distinct.length === 0, accepted, sboms, reasons: distinct, bundles: [...verdicts] };
}

/** What was accepted, one line each: an SBOM for each platform image it was accepted for. */
export function acceptedLines(verdict: Verdict): string[] {
  return KINDS.flatMap((kind) =>
    kind === 'sbom'
      ? verdict.sboms.map(
          (sbom) => `✓ ${kindName('sbom', sbom.predicateType)}${sbom.platform ? ` (${sbom.platform})` : ''}: signed by ${sbom.signer}`,
        )
      : verdict.accepted[kind]
        ? [`✓ ${kindName(kind, verdict.accepted[kind].predicateType)}: signed by ${verdict.accepted[kind].signer ?? '?'}`]
        : [],
  );
}

/** `accepted` of `cigen verify --format json`: each kind's signer; for an index's SBOM, each platform's too. */
export function acceptedJson(verdict: Verdict): Record<string, { signer: string; platforms?: Omit<PlatformSbom, 'predicateType'>[] }> {
  return Object.fromEntries(
    KINDS.flatMap((kind) => {
      const accepted = verdict.accepted[kind];
      if (!accepted) return [];
      const platforms =
        kind === 'sbom' && verdict.sboms.some((sbom) => sbom.platform)
          ? { platforms: verdict.sboms.map(({ platform, digest, signer }) => ({ platform, digest, signer })) }
          : {};
      return [[kind, { signer: accepted.signer ?? '?', ...platforms }]];
    }),
  );
}

/** Why an SBOM is missing for some of `subjects`: none found, or each one found refused. */
function sbomReasons(image: string, digest: string, verdicts: readonly BundleVerdict[], subjects: readonly PlatformImage[]): string[] {
  const reasons: string[] = [];
  for (const subject of subjects) {
    const tried = verdicts.filter((v) => v.kind === 'sbom' && (v.subject ?? digest) === subject.digest);
    if (tried.some((v) => !v.problem)) continue;
    const platform = subject.platform ? ` (${subject.platform})` : '';
    if (tried.length === 0) reasons.push(`no ${kindName('sbom')} for ${image}@${subject.digest}${platform}`);
    else for (const v of tried) reasons.push(`${kindName('sbom', v.predicateType)}${platform}: ${v.problem ?? 'refused'}`);
  }
  return reasons;
}

/** sha256 of bytes, as `sha256:<hex>`. */
export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
