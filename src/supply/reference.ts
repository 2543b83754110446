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
// The grammar of distribution/reference (the one docker and the registries follow).
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^\w[\w.-]{0,127}$/;
/** Docker's longest name, registry and repository. */
const NAME_MAX = 255;

/** Docker's split of a name into registry and the rest: the first component is a registry when it
 *  has a `.` or `:`, is `localhost`, or has an upper-case letter (a repository cannot). */
function splitRegistry(name: string): { registry: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, Math.max(slash, 0));
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first === first.toLowerCase()))
    return { registry: 'docker.io', remainder: name };
  return { registry: first, remainder: name.slice(slash + 1) };
}

/**
 * `registry/repository[:tag]@sha256:...`, normalised as docker normalises it (`index.docker.io` is
 * `docker.io`, a one-component name there is `library/<name>`); a tag is allowed (and ignored, as
 * docker does) when it is a tag.
 */
export function parseDigestReference(text: string): DigestReference {
  const at = text.indexOf('@');
  if (at < 0) throw new UsageError(`${text}: name the image by digest, IMAGE@sha256:<64 hex digits> (a tag can move; a digest cannot)`);
  if (text.includes('@', at + 1)) throw new UsageError(`${text}: more than one '@': IMAGE[:TAG]@sha256:<64 hex digits>`);
  const digest = text.slice(at + 1);
  if (!DIGEST.test(digest)) throw new UsageError(`${text}: ${digest} is not a sha256 digest (sha256:<64 lowercase hex digits>)`);
  const split = splitRegistry(text.slice(0, at));
  if (!DOMAIN.test(split.registry)) throw new UsageError(`${text}: ${split.registry} is not a registry host (host or host:port)`);
  const registry = split.registry === 'index.docker.io' ? 'docker.io' : split.registry;
  // No ':' is left in a path but the one before the tag.
  const colon = split.remainder.indexOf(':');
  let repository = colon < 0 ? split.remainder : split.remainder.slice(0, colon);
  if (colon >= 0) {
    const tag = split.remainder.slice(colon + 1);
    if (tag === '') throw new UsageError(`${text}: the tag after ":" is empty`);
    if (!TAG.test(tag)) throw new UsageError(`${text}: ${tag} is not a tag (a letter, digit or _, then up to 127 of those, . and -)`);
  }
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || !repository.split('/').every((part) => COMPONENT.test(part)))
    throw new UsageError(`${text}: ${repository || 'the repository'} is not an image repository (lowercase components: a-z 0-9 . _ -)`);
  if (`${registry}/${repository}`.length > NAME_MAX) throw new UsageError(`${text}: the name is longer than ${NAME_MAX} characters`);
  return { registry, repository, digest };
}

export const formatReference = (ref: DigestReference, digest: string = ref.digest): string => `${ref.registry}/${ref.repository}@${digest}`;

/** Registries on the loopback interface are spoken to over plain HTTP: `localhost` and `127.0.0.1`,
 *  the hosts @sigstore/oci, which attaches, speaks plain HTTP to (another 127.x it reaches over
 *  HTTPS: reading one over HTTP would sign, and log in Rekor, what cannot be attached). */
export const isLoopback = (registry: string): boolean => /^(?:localhost|127\.0\.0\.1)(?::\d+)?$/.test(registry);
