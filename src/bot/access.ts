/**
 * How cigen gets to a GitLab instance: its address, checked, and GITLAB_TOKEN, checked before any
 * request is built from it and masked in every text that leaves cigen (errors, the report, the
 * --verbose log). No part of a token is ever printed: a token that cannot be sent is refused by
 * what is wrong with it, never by showing it.
 */
import { shownAddress } from '../ci/address.js';
import { UsageError } from '../errors.js';

/** What a token may be made of: one line of visible ASCII (GitLab's tokens are [A-Za-z0-9_-]). */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

export type TokenReading = { token: string } | { problem: string };

/**
 * The token, surrounding whitespace dropped (a trailing newline from a file or a paste is common);
 * or what is wrong with it, in words that quote nothing of it.
 */
export function readToken(raw: string): TokenReading {
  const token = raw.trim();
  if (TOKEN_CHARACTERS.test(token)) return { token };
  const what = /[\r\n]/.test(token) ? 'a line break' : 'a space, a tab, a control character or a non-ASCII character';
  return { problem: `GITLAB_TOKEN contains ${what} (a token is one line of visible ASCII characters): no request was sent` };
}

const MASK = '[masked]';
/** Shorter than this, a "token" is ordinary text: masking it would mangle every message. */
const SHORTEST_MASKED = 4;

/** Replaces the token in a text — as it is, URL-encoded, JSON-escaped — with [masked]. */
export function masker(token: string): (text: string) => string {
  const forms = [...new Set([token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)])]
    .filter((form) => form.length >= SHORTEST_MASKED)
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  return (text) => forms.reduce((masked, form) => masked.split(form).join(MASK), text);
}

/** GITLAB_TOKEN, checked before any request is built from it: the usage error never quotes it. */
export function gitlabToken(env: NodeJS.ProcessEnv, missing: string): string {
  const raw = env['GITLAB_TOKEN'];
  if (raw === undefined || raw.trim() === '') throw new UsageError(missing);
  const reading = readToken(raw);
  if ('problem' in reading) throw new UsageError(reading.problem);
  return reading.token;
}

/**
 * The instance's address (--gitlab-url or CI_SERVER_URL): http(s), without credentials, a query or a
 * fragment (the token travels in GITLAB_TOKEN only). A refused address is shown without them.
 */
export function instanceUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `${source} ${JSON.stringify(shownAddress(raw))}: expected the instance's address, like https://gitlab.example.com`,
    );
  }
  if (url.username !== '' || url.password !== '')
    throw new UsageError(`${source}: the address carries credentials; leave them out (the token goes in GITLAB_TOKEN)`);
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#'))
    throw new UsageError(
      `${source}: the address carries a query or a fragment; give the instance's address only, like https://gitlab.example.com`,
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`${source} ${raw}: expected an http:// or https:// address, like https://gitlab.example.com`);
  // Without a trailing `/`: requests go to <address>/api/v4/..., and `//api` is a 404 behind many proxies.
  return raw.replace(/\/+$/, '');
}
