/**
 * Defects a fifth review of `cigen bot` found, each reproduced here: a `parallel: matrix` job (one
 * `--group` each) was taken for a shard from its CI_NODE_INDEX/CI_NODE_TOTAL, so each job handled a
 * part of its group and the rest was handled by none; a merged merge request from the bot's branch
 * was ignored, so after people reverted it the bot opened the same change again (a merged one is an
 * answer to the same change only: another is proposed); a Retry-After
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

describe("the bot's merge request merged: an answer to that change only", () => {
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
  /** acme/shop, its bot's merge request !1 opened and merged: main at the merge commit. */
  const merged = async (): Promise<{ before: string; merge: string }> => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const before = fake.branches('acme/shop').find((b) => b.name === 'main')?.commit as string;
    expect(only(await run()).status).toBe('opened');
    fake.mergeMergeRequest('acme/shop', 1);
    expect(only(await run()).status).toBe('nothing-to-migrate');
    return { before, merge: fake.branches('acme/shop').find((b) => b.name === 'main')?.commit as string };
  };
  const mr = (iid: number) => `${fake.url}/acme/shop/-/merge_requests/${iid}`;
  const states = () => fake.mergeRequests('acme/shop').map((m) => [m.iid, m.state]);

  it('merged, then reverted: the same change is not proposed again; a dry run and a run both say so', async () => {
    await merged();
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': KANIKO_CI }, 'Revert "Build container images with Buildah"');
    const expected = {
      status: 'merged',
      mergeRequest: mr(1),
      reason:
        'merge request !1 was merged and then undone: the bot would propose the same files again (.gitlab-ci.yml); ' +
        'it proposes a change again only if it differs',
    };
    fake.resetLog();
    expect(only(await run(true))).toMatchObject(expected);
    expect(only(await run())).toMatchObject(expected);
    expect(fake.writes()).toEqual([]);
    expect(states()).toEqual([[1, 'merged']]);
  });

  it('merged, then a Kaniko job added: a new merge request moves it, and says the merged one was another change', async () => {
    await merged();
    const moved = fake.file('acme/shop', 'main', '.gitlab-ci.yml') as string;
    const kaniko = KANIKO_CI.slice(KANIKO_CI.indexOf('build:\n')).replace('build:\n', 'build-docs:\n');
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${moved}\n${kaniko}` }, 'Build the docs image');
    const since = 'merge request !1 was merged earlier; this change differs from what it merged';
    fake.resetLog();
    expect(only(await run(true))).toMatchObject({
      status: 'opened',
      reason: `would create the branch and open the merge request; ${since} (dry run)`,
    });
    expect(fake.writes()).toEqual([]);
    expect(only(await run())).toMatchObject({ status: 'opened', mergeRequest: mr(2), reason: since });
    expect(states()).toEqual([
      [1, 'merged'],
      [2, 'opened'],
    ]);
    const proposed = fake.file('acme/shop', 'cigen/migrate-off-kaniko', '.gitlab-ci.yml') as string;
    expect(proposed).not.toContain('/kaniko/executor');
    expect(proposed).toContain('job-name: build-docs');
    // Merged in turn, then undone: that one is the answer now.
    fake.mergeMergeRequest('acme/shop', 2);
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${moved}\n${kaniko}` }, 'Revert "Build the docs image with Buildah"');
    expect(only(await run())).toMatchObject({ status: 'merged', mergeRequest: mr(2) });
  });

  it('merged, and its merge commit no longer in the repository: not told whether it is the same, so nothing is opened', async () => {
    const { before, merge } = await merged();
    // People rewrote main to before the merge; housekeeping dropped the merge commit nothing reaches.
    fake.forcePushAsHuman('acme/shop', 'main', before);
    expect(fake.collectGarbage('acme/shop')).toEqual([merge]);
    const expected = {
      status: 'merged',
      mergeRequest: mr(1),
      reason:
        `merge request !1 was merged, but its merge commit ${merge.slice(0, 12)} is no longer in the repository: whether ` +
        'this change is the one it merged cannot be told, so the bot does not open another',
    };
    fake.resetLog();
    expect(only(await run(true))).toMatchObject(expected);
    expect(only(await run())).toMatchObject(expected);
    expect(fake.writes()).toEqual([]);
    expect(states()).toEqual([[1, 'merged']]);
  });

  it("reads what was merged where GitLab's merged_commit_sha does: the squash commit without a merge commit; none named, nothing opened", async () => {
    const { merge } = await merged();
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': KANIKO_CI }, 'Revert "Build container images with Buildah"');
    const listed = (fields: Record<string, string | null>) => ({
      method: 'GET',
      path: /\/merge_requests$/,
      status: 200,
      times: 2,
      body: [
        {
          iid: 1,
          state: 'merged',
          source_project_id: fake.mergeRequests('acme/shop')[0]?.source_project_id,
          source_branch: 'cigen/migrate-off-kaniko',
          target_branch: 'main',
          // The bot's: opened with its token (GitLab names the author of every merge request).
          author: { username: fake.botUser.username },
          web_url: mr(1),
          ...fields,
        },
      ],
    });
    // A squash and fast-forward: no merge commit; the squash commit holds what was merged.
    fake.inject(listed({ merge_commit_sha: null, squash_commit_sha: merge, sha: '0'.repeat(40) }));
    for (const dryRun of [true, false]) expect(only(await run(dryRun)).reason).toMatch(/^merge request !1 was merged and then undone: /);
    fake.inject(listed({ merge_commit_sha: null, squash_commit_sha: null, sha: null }));
    const none = {
      status: 'merged',
      reason:
        'merge request !1 was merged, but GitLab names no commit of it (no merge_commit_sha, squash_commit_sha or sha): ' +
        'whether this change is the one it merged cannot be told, so the bot does not open another',
    };
    for (const dryRun of [true, false]) expect(only(await run(dryRun))).toMatchObject(none);
    expect(states()).toEqual([[1, 'merged']]);
  });

  it('is a status of its own: --help lists every status, the docs have a row for it', async () => {
    const help = (await cli(['bot', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`Statuses: ${STATUSES.join(', ')}.`);
    expect(docs()).toContain(
      '| its merge request merged (the latest of its closed and merged ones speaks), and the same change to propose ' +
        'again — each file the bot would write reads the same at the commit GitLab names for what was merged ' +
        '(`merge_commit_sha`, else `squash_commit_sha`, else `sha`): people merged it, then undid it (a revert) | opens ' +
        'no other. A commit no longer in the repository tells nothing: the bot opens no other either, and says so | `merged` |',
    );
    expect(docs()).toContain(
      '| its merge request merged, and another change to propose: jobs added since, jobs this cigen moves and the merged ' +
        'one did not (`cigen migrate` shows them), or any other edit to a file it would write (files are compared whole) | ' +
        'as with none (below); the reason names the merged one | `opened` |',
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
