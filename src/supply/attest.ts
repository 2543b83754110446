/**
 * `cigen sign`, `cigen sbom`, `cigen provenance`: make the statement, sign it, attach the bundle
 * to the image in its registry (I/O at the edges: the registry, the Sigstore services, the SBOM
 * generator). What each attached is returned, for the job's report.
 */
import { CORE_INPUTS } from '../builders/inputs.js';
import { PROVENANCE_INPUTS } from '../catalog/supply-chain.js';
import { InputError } from '../errors.js';
import { provenancePredicate } from './provenance.js';
import { formatReference, parseDigestReference, type DigestReference } from './reference.js';
import { attachBundle, RegistryReader, registryCredentials } from './registry.js';
import { describingImage, generateSbom, platformImages } from './sbom.js';
import { checkSigning, signStatement, type SigningOptions } from './signing.js';
import { PREDICATE_TYPES, statement, type AttestationKind } from './statement.js';

export interface Attached {
  kind: AttestationKind;
  platform: string;
  /** The image (or platform image) the bundle is about. */
  subject: string;
  /** The referrer manifest holding the bundle. */
  referrer: string;
  /** The signed predicate's document: the SBOM, the provenance. */
  document?: string;
}

/** The build job's inputs, as its CIGEN_* variables hold them (values as written, variable references unexpanded). */
export function buildInputs(env: NodeJS.ProcessEnv): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const name of PROVENANCE_INPUTS) {
    const variable = (CORE_INPUTS as Record<string, { variable?: string }>)[name]?.variable;
    const value = variable ? env[variable] : undefined;
    if (value !== undefined) inputs[name] = value.replace(/^list:/, '');
  }
  return inputs;
}

async function attach(
  ref: DigestReference,
  subject: string,
  kind: AttestationKind,
  predicate: unknown,
  signing: SigningOptions,
  env: NodeJS.ProcessEnv,
) {
  const bundle = await signStatement(statement(`${ref.registry}/${ref.repository}`, subject, kind, predicate), signing);
  try {
    return await attachBundle(
      ref,
      subject,
      bundle,
      {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': PREDICATE_TYPES[kind],
      },
      registryCredentials(ref.registry, env),
    );
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new InputError(
      `cannot attach the ${kind} to ${formatReference(ref, subject)}: ${cause instanceof Error ? cause.message : (error as Error).message}`,
    );
  }
}

export interface AttestOptions {
  signing: SigningOptions;
  env: NodeJS.ProcessEnv;
  /** sbom: the generator program (trivy). */
  generator?: string;
  /** provenance: the component that built the image. */
  component?: string;
  now?: () => Date;
  /** Called once the image was read and before anything is signed, with its platforms ('' for
   *  the image itself; an index's each, for an SBOM): what must hold before a signature is made
   *  that stays in the transparency log for good (the files the command writes can be). */
  beforeSigning?: (platforms: readonly string[]) => Promise<void>;
  /** Called with each bundle once it is attached: what stays attached if a later one fails (an
   *  index's next platform). */
  onAttached?: (item: Attached) => void;
}

export async function attest(kind: AttestationKind, image: string, options: AttestOptions): Promise<Attached[]> {
  const ref = parseDigestReference(image);
  // Before the registry is read or an SBOM generated: a missing identity is found at once.
  checkSigning(options.signing);
  const reader = new RegistryReader(ref, registryCredentials(ref.registry, options.env));
  // Before anything is signed: the image is there and the job's credentials read it. A signature
  // stays in the transparency log for good, one of a mistyped digest too (cosign resolves first).
  await reader.requiredManifest(ref.digest);
  const ready = options.beforeSigning ?? (() => Promise.resolve());
  const attached: Attached[] = [];
  const record = (item: Attached): void => {
    attached.push(item);
    options.onAttached?.(item);
  };
  if (kind === 'signature') {
    await ready(['']);
    record({ kind, platform: '', subject: ref.digest, referrer: await attach(ref, ref.digest, kind, {}, options.signing, options.env) });
    return attached;
  }
  if (kind === 'provenance') {
    await ready(['']);
    const predicate = provenancePredicate(options.env, {
      component: options.component ?? '',
      inputs: buildInputs(options.env),
      finishedOn: (options.now ?? (() => new Date()))(),
    });
    const referrer = await attach(ref, ref.digest, kind, predicate, options.signing, options.env);
    record({
      kind,
      platform: '',
      subject: ref.digest,
      referrer,
      document: JSON.stringify(statement(`${ref.registry}/${ref.repository}`, ref.digest, kind, predicate), null, 2),
    });
    return attached;
  }
  const platforms = await platformImages(reader, ref.digest);
  await ready(platforms.map((p) => p.platform));
  for (const platform of platforms) {
    const bom = await generateSbom(options.generator ?? 'trivy', reader, platform, options.env);
    // What is signed, and kept as the artifact, describes the image, not the directory Trivy read.
    const sbom = describingImage(bom, `${ref.registry}/${ref.repository}`, platform);
    const referrer = await attach(ref, platform.digest, kind, sbom, options.signing, options.env);
    record({ kind, platform: platform.platform, subject: platform.digest, referrer, document: `${JSON.stringify(sbom, null, 2)}\n` });
  }
  return attached;
}
