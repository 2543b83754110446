/**
 * The one place HTTP happens: a request handler for @gitbeaker/rest that retries what is worth
 * retrying — 429 (after Retry-After or RateLimit-Reset), 502/503/504, 409 "Resource lock",
 * timeouts and dropped connections — with capped exponential backoff, and counts requests.
 * gitbeaker's own handler retries 429/502 after a fraction of a millisecond and ignores
 * Retry-After, which hammers a rate-limited instance.
 */
import { PlatformError } from './platform.js';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** First backoff; doubles each attempt, with jitter. */
  baseMs: number;
  /** Longest wait between attempts, Retry-After included. */
  maxMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 120_000, timeoutMs: 30_000 };

export interface HttpStats {
  requests: number;
  retries: number;
}

/** How long to wait before the next attempt, or undefined to give up. Pure. */
export function retryDelay(
  attempt: number,
  outcome: { status: number; headers: Headers; body?: string } | { error: 'timeout' | 'network' },
  policy: RetryPolicy,
  now: number,
  random: number,
): number | undefined {
  if (attempt + 1 >= policy.attempts) return undefined;
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt * (0.5 + random / 2));
  if ('error' in outcome) return backoff;
  const { status, headers } = outcome;
  if (status === 429) {
    const told = retryAfter(headers, now);
    return Math.min(policy.maxMs, told ?? backoff);
  }
  if (status === 502 || status === 503 || status === 504) return Math.min(policy.maxMs, retryAfter(headers, now) ?? backoff);
  if (status === 409 && /resource lock/i.test(outcome.body ?? '')) return backoff;
  return undefined;
}

/** Retry-After (seconds or an HTTP date) or GitLab's RateLimit-Reset (epoch seconds), in ms from now. */
export function retryAfter(headers: Headers, now: number): number | undefined {
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return response.json().then((v: unknown) => v ?? {});
  return response.text();
}

function describe(body: string): string {
  try {
    const json = JSON.parse(body) as { message?: unknown; error?: unknown };
    const message = json.message ?? json.error ?? body;
    return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    return body.slice(0, 300);
  }
}

interface HandlerOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  searchParams?: string;
  prefixUrl?: string;
}

/** A gitbeaker request handler (see @gitbeaker/requester-utils createRequesterFn). */
export function requestHandler(policy: RetryPolicy, stats: HttpStats) {
  return async (
    endpoint: string,
    options: HandlerOptions = {},
  ): Promise<{ body: unknown; headers: Record<string, string>; status: number }> => {
    const base = options.prefixUrl ? (options.prefixUrl.endsWith('/') ? options.prefixUrl : `${options.prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = options.searchParams ?? '';
    const method = options.method ?? 'GET';
    for (let attempt = 0; ; attempt++) {
      stats.requests++;
      let outcome: Parameters<typeof retryDelay>[1];
      try {
        const response = await fetch(url, {
          method,
          headers: options.headers ?? {},
          ...(options.body !== undefined ? { body: options.body } : {}),
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
        if (response.ok)
          return { body: await parseBody(response), headers: Object.fromEntries(response.headers.entries()), status: response.status };
        const text = await response.text();
        outcome = { status: response.status, headers: response.headers, body: text };
        const wait = retryDelay(attempt, outcome, policy, Date.now(), Math.random());
        if (wait === undefined) throw new PlatformError(`${method} ${url.pathname}: ${response.status} ${describe(text)}`, response.status);
        stats.retries++;
        await sleep(wait);
      } catch (error) {
        if (error instanceof PlatformError) throw error;
        const kind = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError' ? 'timeout' : 'network';
        const wait = retryDelay(attempt, { error: kind }, policy, Date.now(), Math.random());
        if (wait === undefined)
          throw new PlatformError(
            `${method} ${url.pathname}: ${kind === 'timeout' ? 'timed out' : `connection failed (${(error as Error).message})`}`,
            undefined,
          );
        stats.retries++;
        await sleep(wait);
      }
    }
  };
}
