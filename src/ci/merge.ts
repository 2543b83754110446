/** Plain values as GitLab's YAML gives them: hashes, GitLab's deep merge (extends, includes: hashes
 *  merge key by key, anything else is replaced), and reading a value at a path. */
import type { PathSegment } from './diagnostics.js';

export const isHash = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** GitLab's deep_merge: `override`'s keys over `base`'s, hashes merged key by key; `omit` is a
 *  top-level key of `override` left out (a job's `extends`, merged over its bases). */
export function deepMerge(base: unknown, override: unknown, omit?: string): unknown {
  if (!isHash(base) || !isHash(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const key in override) {
    if (!Object.hasOwn(override, key) || key === omit) continue;
    const value = override[key];
    out[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return out;
}

/** The value at `path` (keys of hashes, indexes of lists), undefined where there is none. */
export function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let node = value;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isHash(node) && Object.hasOwn(node, String(segment))) node = node[String(segment)];
    else return undefined;
  }
  return node;
}
