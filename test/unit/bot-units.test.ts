/** The bot's pure parts: retry policy, shards, protected-branch patterns, the bounded pool, the token and address rules. */
import { describe, expect, it } from 'vitest';
import { instanceUrl, masker, readToken } from '../../src/bot/access.js';
import { retryAfter, retryDelay, type RetryPolicy } from '../../src/bot/http.js';
import type { Project } from '../../src/bot/platform.js';
import { forEachConcurrently, inShard, matchesPattern } from '../../src/bot/run.js';
import { parseShard } from '../../src/cli/commands/bot.js';
import { codeSpan, tableCell } from '../../src/ci/markdown.js';

const POLICY: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 10_000, timeoutMs: 1000 };
const NOW = Date.parse('2026-11-23T12:00:00Z');
const response = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers: new Headers(headers), body });

describe('retry policy', () => {
  it('honours Retry-After in seconds or as a date, and RateLimit-Reset', () => {
    expect(retryAfter(new Headers({ 'retry-after': '3' }), NOW)).toBe(3000);
    expect(retryAfter(new Headers({ 'retry-after': 'Mon, 23 Nov 2026 12:00:05 GMT' }), NOW)).toBe(5000);
    expect(retryAfter(new Headers({ 'ratelimit-reset': String(NOW / 1000 + 7) }), NOW)).toBe(7000);
    expect(retryDelay(0, response(429, { 'retry-after': '2' }), POLICY, NOW, 0.5)).toBe(2000);
    expect(retryDelay(0, response(429, { 'retry-after': '999' }), POLICY, NOW, 0.5)).toBe(10_000);
  });
  it('backs off exponentially for 5xx, timeouts, dropped connections and 409 Resource lock', () => {
    expect(retryDelay(0, response(502), POLICY, NOW, 1)).toBe(100);
    expect(retryDelay(2, response(503), POLICY, NOW, 1)).toBe(400);
    expect(retryDelay(1, { error: 'timeout' }, POLICY, NOW, 0)).toBe(100);
    expect(retryDelay(1, { error: 'network' }, POLICY, NOW, 1)).toBe(200);
    expect(retryDelay(0, response(409, {}, '{"message":"409 Conflict: Resource lock"}'), POLICY, NOW, 1)).toBe(100);
  });
  it('gives up on other errors and after the last attempt', () => {
    for (const status of [400, 401, 403, 404, 409, 422])
      expect(retryDelay(0, response(status), POLICY, NOW, 0.5), String(status)).toBeUndefined();
    expect(retryDelay(4, response(429, { 'retry-after': '1' }), POLICY, NOW, 0.5)).toBeUndefined();
  });
});

describe('shards', () => {
  it('reads --shard and CI_NODE_INDEX/CI_NODE_TOTAL (1-based), and refuses nonsense', () => {
    expect(parseShard('2/4', {})).toEqual({ shard: { index: 2, total: 4 } });
    // GitLab names the jobs of parallel: 5 `<name> 3/5` (Normalizer::NumberStrategy).
    expect(parseShard(undefined, { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '5', CI_JOB_NAME: 'bot 3/5' })).toEqual({
      shard: { index: 3, total: 5 },
    });
    expect(parseShard(undefined, {})).toEqual({});
    // A job that is not parallel has CI_NODE_TOTAL 1 and no CI_NODE_INDEX.
    expect(parseShard(undefined, { CI_NODE_TOTAL: '1', CI_JOB_NAME: 'bot' })).toEqual({});
    for (const bad of ['0/4', '5/4', 'a/b', '1']) expect(() => parseShard(bad, {}), bad).toThrow(/expected i\/n/);
  });
  it('puts every project in exactly one shard', () => {
    for (let id = 1; id <= 100; id++) {
      const owners = [1, 2, 3].filter((index) => inShard({ id } as Project, { index, total: 3 }));
      expect(owners).toHaveLength(1);
    }
  });
});

it('matches protected branch patterns as GitLab does (* wildcard)', () => {
  expect(matchesPattern('cigen/migrate-off-kaniko', '*')).toBe(true);
  expect(matchesPattern('cigen/migrate-off-kaniko', 'cigen/*')).toBe(true);
  expect(matchesPattern('cigen/migrate-off-kaniko', 'main')).toBe(false);
  expect(matchesPattern('cigen/migrate-off-kaniko', 'release/*')).toBe(false);
  expect(matchesPattern('a.b', 'a*b')).toBe(true);
  expect(matchesPattern('axb', 'a.b')).toBe(false);
});

it('runs at most N at once, pulling items lazily', async () => {
  let running = 0;
  let peak = 0;
  let pulled = 0;
  // forEachConcurrently takes an AsyncIterable: an async generator is the plainest one, and this one has nothing to await.
  // eslint-disable-next-line @typescript-eslint/require-await -- async is what makes it an AsyncIterable, not a missing await
  async function* items() {
    for (let i = 0; i < 20; i++) {
      pulled++;
      yield i;
    }
  }
  const seen: number[] = [];
  await forEachConcurrently(items(), 3, async (item) => {
    running++;
    peak = Math.max(peak, running);
    expect(pulled - seen.length).toBeLessThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 2));
    seen.push(item);
    running--;
  });
  expect(peak).toBe(3);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

describe('the token and the address', () => {
  it('takes a token trimmed, and refuses one no header can carry without quoting it', () => {
    expect(readToken(' glpat-abc_DEF-123\n')).toEqual({ token: 'glpat-abc_DEF-123' });
    for (const raw of ['glpat-a\nb', 'glpat-a\r\nb', 'glpat a', 'glpat-\tb', 'glpat-ä', 'glpat-\u0007']) {
      const reading = readToken(raw);
      expect('problem' in reading && reading.problem, JSON.stringify(raw)).toMatch(/^GITLAB_TOKEN contains .*: no request was sent$/);
      expect(JSON.stringify(reading)).not.toContain('glpat');
    }
  });

  it('masks a token as it is, URL-encoded and JSON-escaped; a tiny one is left alone', () => {
    const mask = masker('glpat-"x"/y');
    expect(mask('a glpat-"x"/y b glpat-%22x%22%2Fy c glpat-\\"x\\"/y')).toBe('a [masked] b [masked] c [masked]');
    expect(masker('ab')('ab cab')).toBe('ab cab');
  });

  it('takes an http(s) address without credentials', () => {
    expect(instanceUrl('https://gitlab.example.com', '--gitlab-url')).toBe('https://gitlab.example.com');
    expect(() => instanceUrl('gitlab.example.com', '--gitlab-url')).toThrow(/expected the instance's address/);
    expect(() => instanceUrl('ftp://gitlab.example.com', '--gitlab-url')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => instanceUrl('https://me:glpat-secret@gitlab.example.com', 'CI_SERVER_URL')).toThrow(
      /^CI_SERVER_URL: the address carries credentials/,
    );
    try {
      instanceUrl('https://me:glpat-secret@gitlab.example.com', 'CI_SERVER_URL');
    } catch (error) {
      expect((error as Error).message).not.toContain('glpat-secret');
    }
  });
});

describe('Markdown for GitLab (merge request descriptions, the report)', () => {
  it('a code span shows its text as it is: a fence longer than any run of backticks in it, padded where CommonMark would eat or join', () => {
    expect(codeSpan('build')).toBe('`build`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('a``b`')).toBe('``` a``b` ```');
    expect(codeSpan('`x')).toBe('`` `x ``');
    expect(codeSpan(' x ')).toBe('`  x  `');
    expect(codeSpan('  ')).toBe('`  `');
    expect(codeSpan('a\nb')).toBe('`a b`');
  });
  it('a table cell escapes every `|` (GFM splits a cell at one even inside a code span) and keeps to one line', () => {
    expect(tableCell(codeSpan('build|amd64'))).toBe('`build\\|amd64`');
    expect(tableCell('a|b\r\nc\nd')).toBe('a\\|b c d');
  });
});
