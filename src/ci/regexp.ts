/** `text` as a regular expression that matches exactly it: every character with a meaning in a
 *  pattern escaped (valid with the `u` flag too). */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regular expression made on first use. A pattern with Unicode properties (`\p{L}`) costs V8
 * up to a millisecond to check, as a literal when it parses the function that holds it (even one
 * never called) and as `new RegExp` when it runs: on every start of a command that loads it.
 */
export function lazyRegExp(source: string, flags = ''): () => RegExp {
  let made: RegExp | undefined;
  return () => (made ??= new RegExp(source, flags));
}
