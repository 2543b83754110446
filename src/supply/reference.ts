/**
 * An image named by digest, the only form supply-chain commands accept: a tag can move between
 * signing and deploying, a digest cannot. Pure.
 */
import { UsageError } from '../errors.js';

export interface DigestReference {
  /** The registry host (and port), docker.io spelled `docker.io`. */
  registry: string;
  /** The repository path inside the registry (`group/app`; `library/x` on Docker Hub). */
  repository: string;
  /** `sha256:<64 hex>`. */
  digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** `registry/repository@sha256:...`; a tag before the digest is allowed and ignored, as docker does. */
export function parseDigestReference(text: string): DigestReference {
  const at = text.lastIndexOf('@');
  if (at < 0) throw new UsageError(`${text}: name the image by digest, IMAGE@sha256:<64 hex digits> (a tag can move; a digest cannot)`);
  const digest = text.slice(at + 1);
  if (!DIGEST.test(digest)) throw new UsageError(`${text}: ${digest} is not a sha256 digest (sha256:<64 lowercase hex digits>)`);
  let name = text.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) name = name.slice(0, colon);
  const first = name.split('/', 1)[0] as string;
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? name.slice(first.length + 1) : name;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || !repository.split('/').every((part) => COMPONENT.test(part)))
    throw new UsageError(`${text}: ${repository || 'the repository'} is not an image repository (lowercase components: a-z 0-9 . _ -)`);
  return { registry, repository, digest };
}

export const formatReference = (ref: DigestReference, digest: string = ref.digest): string => `${ref.registry}/${ref.repository}@${digest}`;

/** Registries on the loopback interface are spoken to over plain HTTP (as @sigstore/oci does). */
export const isLoopback = (registry: string): boolean => /^(?:localhost|127\.\d+\.\d+\.\d+)(?::\d+)?$/.test(registry);
