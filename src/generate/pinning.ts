/** Every image a component runs is pinned to a full version or a digest, never `latest`. */

const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** A tag that starts with a full x.y.z version (v1.43.4, 29.9.0-dind, v1.28.5-debug). */
const FULL_VERSION_TAG = /:v?\d+\.\d+\.\d+(?:[-.][A-Za-z0-9._-]+)?$/;

export function pinningProblem(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  if (tag === undefined) return `${image} has no tag: it means latest`;
  if (/latest/.test(tag)) return `${image} is pinned to a moving tag`;
  if (!FULL_VERSION_TAG.test(image)) return `${image} is not pinned to a full x.y.z version or a digest`;
  return undefined;
}
