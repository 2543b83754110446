/**
 * Defects a fifth review of `cigen bot` found, each reproduced here: a `parallel: matrix` job (one
 * `--group` each) was taken for a shard from its CI_NODE_INDEX/CI_NODE_TOTAL, so each job handled a
 * part of its group and the rest was handled by none; a merged merge request from the bot's branch
 * was ignored, so after people reverted it the bot opened the same change again; a Retry-After
 * longer than 2 minutes was cut to 2 minutes where the docs said the bot waits for it. (A
 * membership below Developer taken for the token's whole access is in bot-gitlab-behaviour.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { DEFAULT_RETRY, retryDelay } from '../../src/bot/http.js';
import { runBot, STATUSES, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { parseShard } from '../../src/cli/commands/bot.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI } from '../helpers/fake-gitlab.js';
import { THREE_ATTEMPTS } from '../helpers/bot-run.js';

const ROOT = join(import.meta.dirname, '../..');
/** docs/commands/bot.md with its line breaks as spaces. */
const docs = () => readFileSync(join(ROOT, 'docs/commands/bot.md'), 'utf8').replace(/\s+/g, ' ');

describe('a parallel: matrix job (GitLab sets CI_NODE_INDEX/CI_NODE_TOTAL for it too, and names it `<name>: [values]`)', () => {
  it('is no shard; a parallel: N job (named `<name> i/N`) is; --shard shards either', () => {
    const matrix = { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', CI_JOB_NAME: 'bot: [acme]' };
    expect(parseShard(undefined, matrix)).toEqual({
      notSharded: 'not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are 1/2, but the job is a parallel: matrix job (bot: [acme])',
    });
    expect(parseShard('1/2', matrix)).toEqual({ shard: { index: 1, total: 2 } });
    expect(parseShard(undefined, { ...matrix, CI_JOB_NAME: 'bot 1/2' })).toEqual({ shard: { index: 1, total: 2 } });
    // Set by hand outside a job, or a name that is not a parallel job's: not taken for a shard either, and said so.
    expect(parseShard(undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' })).toEqual({
      notSharded: 'not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are 1/2, but CI_JOB_NAME is not set',
    });
    expect(parseShard(undefined, { ...matrix, CI_JOB_NAME: 'bot 2/2' })).toEqual({
      notSharded:
        "not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are 1/2, but the job's name (bot 2/2) does not end in ' 1/2', as a parallel: N job's does",
    });
  });

  describe('against a fake GitLab', () => {
    let fake: FakeGitLab;
    beforeEach(async () => {
      fake = await FakeGitLab.start();
    });
    afterEach(async () => {
      await fake.stop();
    });

    it('handles every project of its group, and the summary says it is not sharded', async () => {
      for (const group of ['acme', 'beta'])
        for (let i = 0; i < 4; i++) fake.addProject({ path: `${group}/p${i}`, files: { '.gitlab-ci.yml': KANIKO_CI } });
      // parallel: matrix: [{GROUP: [acme, beta]}] with `cigen bot --group $GROUP`: the second job.
      const env = { GITLAB_TOKEN: fake.token, CI_NODE_INDEX: '2', CI_NODE_TOTAL: '2', CI_JOB_NAME: 'bot: [beta]' };
      const result = await cli(['bot', '--gitlab-url', fake.url, '--group', 'beta', '--dry-run'], env);
      expect(result.status).toBe(0);
      const summary = result.stdout.split('\n').find((line) => line.startsWith('4 project(s) '));
      expect(summary).toMatch(
        new RegExp(
          '^4 project\\(s\\) \\(not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are 2/2, but the job is a parallel: matrix job ' +
            '\\(bot: \\[beta\\]\\)\\): 4 opened; \\d+ request\\(s\\) \\(dry run: nothing written\\)$',
        ),
      );
      // The same numbers in a parallel: 2 job: half of the group, and said so.
      const shard = await cli(['bot', '--gitlab-url', fake.url, '--group', 'beta', '--dry-run'], { ...env, CI_JOB_NAME: 'bot 2/2' });
      expect(shard.stdout).toMatch(/^2 project\(s\) \(shard 2\/2\): 2 opened; /m);
    });
  });

  it('--help and docs/commands/bot.md say so', async () => {
    const help = (await cli(['bot', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('(default: $CI_NODE_INDEX/$CI_NODE_TOTAL in a parallel: N job; a parallel: matrix job is no shard)');
    expect(docs()).toContain(
      'A `parallel: matrix` job has them set too, but is no shard — each job has its own variables, a `--group $GROUP` each — ' +
        'so the bot handles all its projects, and the summary line says why: `(not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are 1/2, ' +
        'but the job is a parallel: matrix job (bot: [acme]))`',
    );
  });
});

describe("the bot's merge request merged, then reverted by people", () => {
  let fake: FakeGitLab;
  beforeEach(async () => {
    fake = await FakeGitLab.start();
  });
  afterEach(async () => {
    await fake.stop();
  });
  const run = (dryRun = false): Promise<BotReport> =>
    runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: THREE_ATTEMPTS }), {
      selection: { group: 'acme' },
      migrator,
      dryRun,
      concurrency: 2,
    });
  const only = (report: BotReport): ProjectResult => {
    expect(report.projects).toHaveLength(1);
    return report.projects[0] as ProjectResult;
  };

  it('is not proposed again: a dry run and a run both report it merged, linked, and open nothing', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(only(await run()).status).toBe('opened');
    fake.mergeMergeRequest('acme/shop', 1);
    expect(only(await run()).status).toBe('nothing-to-migrate');
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': KANIKO_CI }, 'Revert "Build container images with Buildah"');
    const merged = {
      status: 'merged',
      mergeRequest: `${fake.url}/acme/shop/-/merge_requests/1`,
      reason:
        'merge request !1 was merged, and the pipeline has jobs to move again (it may have been reverted); ' +
        'the bot does not open another after a merged one',
    };
    fake.resetLog();
    expect(only(await run(true))).toMatchObject(merged);
    expect(only(await run())).toMatchObject(merged);
    expect(fake.writes()).toEqual([]);
    expect(fake.mergeRequests('acme/shop').map((mr) => [mr.iid, mr.state])).toEqual([[1, 'merged']]);
  });

  it('is a status of its own: --help lists every status, the docs have a row for it', async () => {
    const help = (await cli(['bot', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`Statuses: ${STATUSES.join(', ')}.`);
    expect(docs()).toContain(
      '| its merge request merged, and jobs to move again — people reverted it, added jobs since, or this cigen moves jobs the ' +
        'merged one did not (`cigen migrate` shows them) | never opens another: the latest of its closed and merged merge ' +
        'requests is the answer | `merged` |',
    );
  });
});

describe('a 429 whose Retry-After is longer than the backoff', () => {
  const headers = (retryAfter: string) => new Headers({ 'retry-after': retryAfter });
  const wait = (status: number, retryAfter: string) =>
    retryDelay(0, { status, headers: headers(retryAfter), body: '' }, DEFAULT_RETRY, Date.parse('2026-11-23T12:00:00Z'), 0.5);

  it('is waited as asked, up to 10 minutes, as the docs say', () => {
    expect(DEFAULT_RETRY.maxToldMs).toBe(600_000);
    expect(wait(429, '60')).toBe(60_000);
    expect(wait(429, '600')).toBe(600_000);
    expect(wait(429, '3600')).toBe(600_000);
    expect(wait(503, '300')).toBe(300_000);
    expect(docs()).toContain(
      'Requests that hit 429 wait as long as `Retry-After` (or `RateLimit-Reset`) asks, up to 10 minutes (one that asks for ' +
        'longer is waited 10 minutes, then tried again), as do 502/503/504 that carry one;',
    );
    expect(docs()).toContain(`a request is tried ${DEFAULT_RETRY.attempts} times in all`);
  });
});
