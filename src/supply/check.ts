/**
 * `cigen verify` at the edge: every Sigstore bundle attached to the image (and, for an index, to
 * each platform image, where SBOMs are), checked by the pure core (./verify.ts).
 */
import { formatReference, parseDigestReference } from './reference.js';
import { RegistryReader, registryCredentials } from './registry.js';
import { platformImages } from './sbom.js';
import type { TrustMaterial } from '@sigstore/verify';
import { checkBundle, decide, type BundleVerdict, type Policy, type Verdict } from './verify.js';

export async function verifyImage(
  image: string,
  policy: Policy,
  trust: TrustMaterial,
  env: NodeJS.ProcessEnv,
): Promise<Verdict & { image: string }> {
  const ref = parseDigestReference(image);
  const reader = new RegistryReader(ref, registryCredentials(ref.registry, env));
  const platforms = await platformImages(reader, ref.digest);
  const digests = [ref.digest, ...platforms.map((p) => p.digest).filter((d) => d !== ref.digest)];
  const verdicts: BundleVerdict[] = [];
  for (const digest of digests) {
    for (const found of await reader.bundles(digest)) {
      const verdict = 'problem' in found ? { problem: found.problem } : checkBundle(found.bundle, digest, trust, policy.expected);
      // Signatures and provenance are about the image named; SBOMs about each platform image.
      if (digest !== ref.digest && verdict.kind !== 'sbom') continue;
      verdicts.push(digest === ref.digest ? verdict : { ...verdict, subject: digest });
    }
  }
  return { ...decide(`${ref.registry}/${ref.repository}`, ref.digest, verdicts, policy, platforms), image: formatReference(ref) };
}
