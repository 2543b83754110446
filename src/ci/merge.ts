/** GitLab's deep merge (extends, includes): hashes merge key by key, anything else is replaced. */

export const isHash = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isHash(base) || !isHash(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}
