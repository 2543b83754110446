/**
 * Addresses in what cigen prints: a URL from a flag or from a pipeline file (a remote include) may
 * carry a credential, which no message, log or merge request shows.
 */

/** An address as it may be shown: without what could be a credential (user information, a query, a fragment). */
export function shownAddress(raw: string): string {
  // Everything up to the last `@` may be user information (a password may hold `/`, `?` or `#`).
  const at = raw.lastIndexOf('@');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)?.[0] ?? '';
  const rest = at < 0 ? raw : `${scheme}[credentials]@${raw.slice(at + 1)}`;
  return rest.replace(/[?#][^]*$/, '?[query]');
}
