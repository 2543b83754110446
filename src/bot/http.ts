/**
 * The one place HTTP happens: a request handler for @gitbeaker/rest that retries what is worth
 * retrying — 429 (after Retry-After or RateLimit-Reset), 502/503/504, 409 "Resource lock",
 * timeouts and dropped connections — with capped exponential backoff (never a comment GitLab may
 * have posted), and counts requests.
 * gitbeaker's own handler retries 429/502 after a fraction of a millisecond and ignores
 * Retry-After, which hammers a rate-limited instance.
 *
 * It also keeps the token where it belongs: redirects are followed only within the instance's
 * origin (a client following them would carry PRIVATE-TOKEN to any host a redirect names), an instance that cannot
 * be reached at all fails the first request at once instead of being retried, and every message it
 * builds from a server's answer goes through the caller's mask. The --verbose log gets method, path,
 * status and wait, never a header.
 */
import type { FormattedResponse, RequestHandlerFn, ResponseBodyTypes } from '@gitbeaker/requester-utils';
import { PlatformError } from './platform.js';
import { exchange, ExchangeError, type Exchange, type ExchangeFailure, type HeaderReader } from './transport.js';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** First backoff; doubles each attempt, with jitter. */
  baseMs: number;
  /** Longest backoff between attempts (the exponential one). */
  maxMs: number;
  /** Longest wait a server's Retry-After or RateLimit-Reset is honoured for; one asking for longer
   *  is waited this long. Default maxMs. */
  maxToldMs?: number;
  /** Per attempt. */
  timeoutMs: number;
}

/** A rate limit's window is GitLab's throttle period (60 s by default, an admin's setting): waited up to 10 minutes. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 120_000, maxToldMs: 600_000, timeoutMs: 30_000 };
/** Same-origin redirects followed for one request. */
const MAX_REDIRECTS = 5;

export interface HttpStats {
  requests: number;
  retries: number;
}

export interface HandlerOptions {
  /** A line per attempt: method, path, status, the retry and its wait. Never a header. */
  log?: (line: string) => void;
  /** Applied to every message built from what a server sent (the token masked out). */
  mask?: (text: string) => string;
}

/** The instance could not be reached at all on the first request: refused, unknown host, unreachable. */
export class UnreachableError extends PlatformError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`, undefined);
    this.name = 'UnreachableError';
  }
}

/**
 * UTF-8 as it was sent: a leading byte order mark kept (Response.text() and Blob.text() drop it,
 * so a file read with them and written back would lose it).
 */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
export const utf8Text = async (body: Response | Blob): Promise<string> => UTF8.decode(await body.arrayBuffer());

/** The gateway errors: Workhorse or a proxy in front of GitLab gave up waiting, or could not reach it. */
const GATEWAY_ERRORS = new Set([502, 503, 504]);

/**
 * A write whose answer did not come back may have been done: a comment sent again would be there
 * twice. (GitLab itself refuses a second commit that creates the branch, or a second open merge
 * request from it, and a description set twice is set once, so those are sent again.)
 */
const notSentTwice = (method: string, path: string): boolean => method === 'POST' && /\/notes$/.test(path);

const NOT_SENT_AGAIN = 'not sent again, since GitLab may have done it (run the bot again to go on from there)';

/** How long to wait before the next attempt, or undefined to give up. Pure. */
export function retryDelay(
  attempt: number,
  outcome: { status: number; headers: HeaderReader; body?: string } | { error: ExchangeFailure },
  policy: RetryPolicy,
  now: number,
  random: number,
): number | undefined {
  if (attempt + 1 >= policy.attempts) return undefined;
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt * (0.5 + random / 2));
  if ('error' in outcome) return backoff;
  const { status, headers } = outcome;
  if (status === 429 || GATEWAY_ERRORS.has(status)) {
    // What the server asks for, up to its own ceiling; else the backoff.
    const told = retryAfter(headers, now);
    return told === undefined ? backoff : Math.min(policy.maxToldMs ?? policy.maxMs, told);
  }
  if (status === 409 && /resource lock/i.test(outcome.body ?? '')) return backoff;
  return undefined;
}

/** Retry-After (seconds or an HTTP date) or GitLab's RateLimit-Reset (epoch seconds), in ms from now. */
export function retryAfter(headers: HeaderReader, now: number): number | undefined {
  const value = headers.get('retry-after');
  if (value !== null) {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('ratelimit-reset');
  if (reset !== null && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

/** The system error codes under a failure (in `cause`, an AggregateError when several addresses were tried). */
function errorCodes(error: unknown): string[] {
  if (!(error instanceof Error)) return [];
  const own = 'code' in error && typeof error.code === 'string' ? [error.code] : [];
  const nested = error instanceof AggregateError ? error.errors.flatMap(errorCodes) : [];
  return [...own, ...nested, ...errorCodes(error.cause)];
}

const CONNECTION_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be looked up (DNS)',
  EAI_NONAME: 'unknown host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed (set NODE_EXTRA_CA_CERTS to trust it)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is signed by an untrusted CA (set NODE_EXTRA_CA_CERTS to trust it)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is signed by an unknown CA (set NODE_EXTRA_CA_CERTS to trust it)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified (set NODE_EXTRA_CA_CERTS to trust it)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
  EPROTO: 'TLS handshake failed (is it an http:// address?)',
};

/**
 * What keeps a host from being reached at all — refused, unknown, unreachable, a certificate that
 * will not do — or undefined for a failure that may pass (a dropped connection, a reset).
 */
export function connectionFailure(error: unknown): string | undefined {
  for (const code of errorCodes(error)) if (code in CONNECTION_FAILURES) return CONNECTION_FAILURES[code];
  return undefined;
}

/** A failed exchange in a few words (its own, which name the kind) and the code of its cause, never
 *  the cause's message (which may quote a request). */
function failureWords(error: ExchangeError): string {
  const code = errorCodes(error)[0];
  return `${error.message}${code ? ` (${code})` : ''}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const message = 'message' in json ? json.message : 'error' in json ? json.error : body;
      return typeof message === 'string' ? message : JSON.stringify(message);
    }
    return body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** GitLab's message with the status in front, once: its own messages often start with it ("404 Project Not Found"). */
const withStatus = (status: number, message: string): string =>
  new RegExp(`^${status}\\b`).test(message) ? message : `${status} ${message}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Blob);

/** A JSON answer as gitbeaker's body types: objects, lists of objects or strings, strings, numbers, null. */
function asBody(json: unknown, text: string): ResponseBodyTypes {
  if (json === null || typeof json === 'string' || typeof json === 'number' || isRecord(json)) return json;
  if (Array.isArray(json)) {
    const objects = json.filter(isRecord);
    if (objects.length === json.length) return objects;
    const strings = json.filter((item): item is string => typeof item === 'string');
    if (strings.length === json.length) return strings;
  }
  // Another JSON value (true, a mixed list): the text, for the caller's schema to refuse.
  return text;
}

/** The body as bytes on the wire: a FormData encoded as fetch encodes it (multipart, its boundary in content-type). */
async function payload(request: { headers: Record<string, string>; body: string | FormData | undefined }) {
  if (!(request.body instanceof FormData))
    return { headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) };
  const encoded = new Response(request.body);
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
  headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return { headers, body: Buffer.from(await encoded.arrayBuffer()) };
}

/** The request gitbeaker built (see @gitbeaker/requester-utils defaultOptionsHandler), read without trusting its types. */
function requestOf(endpoint: string, options: Record<string, unknown> = {}) {
  const prefix = typeof options['prefixUrl'] === 'string' ? options['prefixUrl'] : undefined;
  const url = new URL(endpoint, prefix === undefined ? undefined : prefix.endsWith('/') ? prefix : `${prefix}/`);
  if (typeof options['searchParams'] === 'string') url.search = options['searchParams'];
  const headers: Record<string, string> = {};
  if (isRecord(options['headers']))
    for (const [name, value] of Object.entries(options['headers'])) if (typeof value === 'string') headers[name] = value;
  const body = typeof options['body'] === 'string' || options['body'] instanceof FormData ? options['body'] : undefined;
  const method = typeof options['method'] === 'string' ? options['method'] : 'GET';
  const base = (prefix ?? url.origin).replace(/\/api\/v4\/?$/, '');
  // gitbeaker joins relative endpoints to the instance's API; an absolute one elsewhere would take the token along.
  const outside = prefix !== undefined && url.origin !== new URL(prefix).origin;
  return { url, method, headers, body, base, outside };
}

/** A gitbeaker request handler (see @gitbeaker/requester-utils createRequesterFn). */
export function requestHandler(policy: RetryPolicy, stats: HttpStats, options: HandlerOptions = {}): RequestHandlerFn {
  const mask = options.mask ?? ((text: string) => text);
  const log = (line: string) => options.log?.(mask(line));
  /** Until the instance has answered once, a connection-level failure means it cannot be reached: no retries. */
  let reached = false;

  /** One attempt: an exchange, and same-origin redirects followed by hand (a cross-origin one refused). */
  async function send(request: ReturnType<typeof requestOf>): Promise<{ answer: Exchange; path: string }> {
    let { url, method } = request;
    const encoded = await payload(request);
    let body = encoded.body;
    for (let hop = 0; ; hop++) {
      stats.requests++;
      const answer = await exchange(url, {
        method,
        headers: encoded.headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: policy.timeoutMs,
        fresh: notSentTwice(method, url.pathname),
      });
      reached = true;
      const location = answer.headers.get('location');
      if (answer.status < 300 || answer.status > 399 || answer.status === 304 || location === null) return { answer, path: url.pathname };
      const next = new URL(location, url);
      if (next.origin !== request.url.origin) {
        log(`${method} ${url.pathname} ${answer.status}; redirect to another origin refused`);
        throw new PlatformError(
          mask(
            `${request.method} ${request.url.pathname}: redirected to another origin (${next.origin}); the token is not sent there` +
              ` (if the instance moved, use that address as --gitlab-url)`,
          ),
          answer.status,
        );
      }
      if (hop + 1 >= MAX_REDIRECTS)
        throw new PlatformError(`${request.method} ${request.url.pathname}: more than ${MAX_REDIRECTS} redirects`, answer.status);
      log(`${method} ${url.pathname} ${answer.status}; redirected to ${next.pathname}`);
      // As fetch does: 303, and 301/302 after a POST, become a GET without a body.
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  return async (endpoint, handlerOptions): Promise<FormattedResponse> => {
    const request = requestOf(endpoint, handlerOptions);
    const { method } = request;
    if (request.outside)
      throw new PlatformError(`${method} ${request.url.origin}: not the instance's origin; the token is not sent there`, undefined);
    const retrying = (attempt: number, wait: number) => `; retry ${attempt + 1} of ${policy.attempts - 1} in ${Math.round(wait)} ms`;
    // The first attempt of a write whose answer was lost: GitLab may have done it (see PlatformError.lostAnswer).
    let lost: string | undefined;
    const write = method !== 'GET' && method !== 'HEAD';
    const failed = (message: string, status: number | undefined) => new PlatformError(message, status, lost);
    for (let attempt = 0; ; attempt++) {
      let answer: { response: Exchange; path: string; text: string };
      try {
        const { answer: response, path } = await send(request);
        answer = { response, path, text: UTF8.decode(response.body) };
      } catch (error) {
        // A redirect refused, say: the policy's own errors, and anything that is no exchange's failure.
        if (!(error instanceof ExchangeError)) throw error;
        const kind = error.kind;
        const path = request.url.pathname;
        if (kind === 'not-sent') {
          // Not the network: Node refused to build the request. Its message may quote a header: never shown.
          const name = error.cause instanceof Error ? error.cause.name : 'error';
          log(`${method} ${path} not sent`);
          throw new PlatformError(`${method} ${path}: the request could not be sent (${name})`, undefined);
        }
        const unreachable = reached ? undefined : connectionFailure(error);
        const what = failureWords(error);
        if (unreachable !== undefined) {
          log(`${method} ${path} ${what}`);
          throw new UnreachableError(request.base, unreachable);
        }
        // A comment that timed out or lost its connection may have been posted. One that never connected was not.
        if (notSentTwice(method, path) && connectionFailure(error) === undefined) {
          log(`${method} ${path} ${what}`);
          throw new PlatformError(`${method} ${path}: ${what}; ${NOT_SENT_AGAIN}`, undefined);
        }
        // Connected, then no answer (or none that could be read): the write may have been done.
        if (write && connectionFailure(error) === undefined) lost ??= what;
        const wait = retryDelay(attempt, { error: kind }, policy, Date.now(), Math.random());
        log(`${method} ${path} ${what}${wait === undefined ? '' : retrying(attempt, wait)}`);
        if (wait === undefined) throw failed(`${method} ${path}: ${what}`, undefined);
        stats.retries++;
        await sleep(wait);
        continue;
      }
      const { response, path, text } = answer;
      // A gateway error says nothing of whether GitLab, behind it, did the work: the same as a timeout.
      if (GATEWAY_ERRORS.has(response.status) && notSentTwice(method, path)) {
        log(`${method} ${path} ${response.status}`);
        throw new PlatformError(
          mask(`${method} ${path}: ${withStatus(response.status, describe(mask(text)))}; ${NOT_SENT_AGAIN}`),
          response.status,
        );
      }
      if (response.status >= 200 && response.status < 300) {
        log(`${method} ${path} ${response.status}`);
        return {
          body: parseBody(response, text, `${method} ${path}`),
          headers: Object.fromEntries(response.headers.entries()),
          status: response.status,
        };
      }
      if (write && GATEWAY_ERRORS.has(response.status)) lost ??= mask(withStatus(response.status, describe(mask(text))));
      const wait = retryDelay(
        attempt,
        { status: response.status, headers: response.headers, body: text },
        policy,
        Date.now(),
        Math.random(),
      );
      log(`${method} ${path} ${response.status}${wait === undefined ? '' : retrying(attempt, wait)}`);
      if (wait === undefined)
        // Masked before describe() cuts the text: a token cut in two no longer matches the mask.
        throw failed(mask(`${method} ${path}: ${withStatus(response.status, describe(mask(text)))}`), response.status);
      stats.retries++;
      await sleep(wait);
    }
  };

  function parseBody(response: Exchange, text: string, what: string): ResponseBodyTypes {
    if (response.status === 204) return null;
    if (!(response.headers.get('content-type') ?? '').includes('application/json')) return text;
    if (text === '') return {};
    try {
      const json: unknown = JSON.parse(text);
      return asBody(json ?? {}, text);
    } catch {
      throw new PlatformError(`${what}: unexpected response from GitLab: not JSON, though it said so`, response.status);
    }
  }
}
