/**
 * One HTTP exchange, over node:http and node:https with keep-alive: the request sent, the whole
 * answer read (decompressed) or a typed failure. Not fetch: Node's fetch (undici, WHATWG streams,
 * an AbortSignal per request) cost about three times the CPU per request, and the bot sends one or
 * more per project of a whole instance. Policy — retries, redirects, the token's origin — is
 * http.ts's; this only moves bytes.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** Headers as the policy reads them: a name (any case) to its value, or null. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface Exchange {
  status: number;
  headers: HeaderReader & { entries(): [string, string][] };
  /** The body, decompressed; empty for a redirect or a HEAD. */
  body: Buffer;
}

/**
 * Why an exchange failed: `timeout` (no whole answer in time), `network` (the connection failed
 * or was lost; `cause` holds the system error and its code), `undecodable` (the whole answer came,
 * but its body is not what its Content-Encoding says: `cause` holds zlib's error and code), or
 * `not-sent` (Node refused to build the request, a header value with a newline, say: nothing left
 * the process).
 */
export type ExchangeFailure = 'timeout' | 'network' | 'undecodable';
const FAILURE_WORDS: Record<ExchangeFailure | 'not-sent', string> = {
  timeout: 'timed out',
  network: 'connection failed',
  undecodable: "the answer's body could not be decompressed",
  'not-sent': 'not sent',
};
export class ExchangeError extends Error {
  constructor(
    readonly kind: ExchangeFailure | 'not-sent',
    options?: { cause?: unknown },
  ) {
    super(FAILURE_WORDS[kind], options);
    this.name = 'ExchangeError';
  }
}

export interface ExchangeRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange: connecting, sending, the answer's headers and body. */
  timeoutMs: number;
  /** A connection of its own rather than a kept-alive one: for a request that must not be sent
   *  twice, which a kept-alive connection the server just closed would fail before sending. */
  fresh?: boolean;
}

// Kept-alive connections, per protocol; Node unrefs an idle one, so they never keep a run alive.
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** The answer's headers as a reader: Node gives lower-case names, a list only for set-cookie. */
function headerReader(headers: IncomingHttpHeaders): Exchange['headers'] {
  const value = (raw: string | string[] | undefined): string | null =>
    raw === undefined ? null : Array.isArray(raw) ? raw.join(', ') : raw;
  return {
    get: (name) => value(headers[name.toLowerCase()]),
    entries: () => Object.keys(headers).map((name) => [name, value(headers[name]) ?? ''] as [string, string]),
  };
}

/** Statuses that carry no body whatever their headers say (fetch's null-body statuses), and a HEAD's answer. */
const hasNoBody = (method: string, status: number): boolean => method === 'HEAD' || status < 200 || status === 204 || status === 304;

/** The body as sent, decoded from the content codings fetch would decode (any other left as it is). */
function decoded(response: IncomingMessage, method: string): Readable {
  if (hasNoBody(method, response.statusCode ?? 0)) return response;
  switch ((response.headers['content-encoding'] ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return response.pipe(createGunzip());
    case 'deflate':
      return response.pipe(createInflate());
    case 'br':
      return response.pipe(createBrotliDecompress());
    default:
      return response;
  }
}

export function exchange(url: URL, request: ExchangeRequest): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
    if (!send) {
      reject(new ExchangeError('not-sent', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'cigen', ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      outgoing = send(url, {
        method: request.method,
        headers,
        agent: request.fresh ? false : AGENTS[url.protocol as 'http:' | 'https:'],
      });
    } catch (error) {
      reject(new ExchangeError('not-sent', { cause: error }));
      return;
    }
    let settled = false;
    const fail = (kind: ExchangeFailure, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      reject(new ExchangeError(kind, cause === undefined ? undefined : { cause }));
    };
    const timer = setTimeout(() => fail('timeout'), request.timeoutMs);
    outgoing.on('error', (error) => fail('network', error));
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      const body = decoded(response, request.method);
      // A connection lost midway through the body (Node: "aborted", ECONNRESET).
      response.on('error', (error) => fail('network', error));
      // The decompressor's own error: the body came, and is not gzip, deflate or br as it says.
      if (body !== response) body.on('error', (error) => fail('undecodable', error));
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: headerReader(response.headers), body: Buffer.concat(chunks) });
      });
    });
    outgoing.end(request.body);
  });
}
