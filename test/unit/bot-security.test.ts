/**
 * Issue 13, the bot's security: it writes no protected branch on any path, never resets a branch
 * a person changed (an amend included), never sends the token to another origin, never prints a
 * token, and never takes a fork's merge request for its own. Against the in-process fake GitLab.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotOptions, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI, NODE_CI } from '../helpers/fake-gitlab.js';
import { FAST_RETRY } from '../helpers/bot-run.js';

/** The same Kaniko job with a second tag: the bot's proposal for it differs. */
const KANIKO_TWO_TAGS = KANIKO_CI.replace(
  '--destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}"',
  '--destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}" --destination "${CI_REGISTRY_IMAGE}:latest"',
);

let fake: FakeGitLab;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const run = (options: Partial<BotOptions> = {}): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY }), {
    selection: { group: 'acme' },
    migrator,
    dryRun: false,
    concurrency: 2,
    ...options,
  });
const byPath = (report: BotReport): Record<string, ProjectResult> => Object.fromEntries(report.projects.map((p) => [p.path, p]));
const head = (path: string, branch = BRANCH) => fake.branches(path).find((b) => b.name === branch)?.commit;
const commitWrites = () => fake.writes().filter((w) => w.path.endsWith('/repository/commits'));
async function another(): Promise<FakeGitLab> {
  const server = await FakeGitLab.start();
  cleanups.push(() => server.stop());
  return server;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bot-security-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('issue 13', () => {
  it('1: a branch protected after the MR was opened — exact name or wildcard — is never written, on any path', async () => {
    fake.addProject({ path: 'acme/exact', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/wild', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/stray', files: { '.gitlab-ci.yml': KANIKO_CI } });
    // stray: the bot's branch from a run that stopped before its MR.
    fake.inject({ path: /^\/api\/v4\/projects\/3\/merge_requests$/, method: 'POST', drop: true, times: FAST_RETRY.attempts });
    expect(byPath(await run())).toMatchObject({
      'acme/exact': { status: 'opened' },
      'acme/wild': { status: 'opened' },
      'acme/stray': { status: 'failed' },
    });
    fake.protectBranch('acme/exact', BRANCH);
    fake.protectBranch('acme/wild', 'cigen/*');
    fake.protectBranch('acme/stray', '*/migrate-off-*');
    // The default branches change, so the bot would reset each branch with a new proposal.
    for (const path of ['acme/exact', 'acme/wild', 'acme/stray']) fake.pushAsHuman(path, 'main', { '.gitlab-ci.yml': KANIKO_TWO_TAGS });
    const heads = ['acme/exact', 'acme/wild', 'acme/stray'].map((path) => head(path));
    fake.resetLog();

    const dry = byPath(await run({ dryRun: true }));
    const second = byPath(await run());
    for (const result of [dry, second])
      for (const path of ['acme/exact', 'acme/wild', 'acme/stray'])
        expect(result[path], path).toMatchObject({ status: 'skipped', reason: expect.stringContaining('protected') });
    expect(second['acme/wild']?.reason).toContain("matches the protected pattern 'cigen/*'");
    expect(commitWrites()).toEqual([]);
    expect(['acme/exact', 'acme/wild', 'acme/stray'].map((path) => head(path))).toEqual(heads);
    expect(fake.mergeRequests('acme/stray')).toEqual([]);
  });

  it("2: a person who amends the bot's commit (the bot still its author) makes the branch human-modified: never reset", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect((await run()).counts.opened).toBe(1);
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${head('acme/shop')} -->`);
    const fix = 'build:\n  script: [make image]  # fixed by hand\n';
    fake.amendAsHuman('acme/shop', BRANCH, { '.gitlab-ci.yml': fix });
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': KANIKO_TWO_TAGS });
    const amended = head('acme/shop');
    fake.resetLog();

    for (let i = 0; i < 2; i++) {
      const result = byPath(await run())['acme/shop'];
      expect(result).toMatchObject({ status: 'human-modified', reason: expect.stringContaining('human@example.com') });
    }
    expect(commitWrites()).toEqual([]);
    expect([head('acme/shop'), fake.file('acme/shop', BRANCH, '.gitlab-ci.yml')]).toEqual([amended, fix]);
    expect(fake.notes('acme/shop', 1).filter((n) => n.body.includes('cigen bot'))).toHaveLength(1);
  });

  it('2: an amended branch left by a run that stopped before its MR is not reused', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ path: /\/merge_requests$/, method: 'POST', drop: true, times: FAST_RETRY.attempts });
    expect((await run()).counts.failed).toBe(1);
    fake.amendAsHuman('acme/shop', BRANCH, { '.gitlab-ci.yml': 'build:\n  script: [make image]\n' });
    const amended = head('acme/shop');
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'human-modified' });
    expect(head('acme/shop')).toBe(amended);
    expect(fake.mergeRequests('acme/shop')).toEqual([]);
  });

  it("2: the bot's own updates still go through: the recorded head follows each commit it makes", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': KANIKO_TWO_TAGS });
    expect(byPath(await run())['acme/shop']?.status).toBe('updated');
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${head('acme/shop')} -->`);
    expect(byPath(await run())['acme/shop']?.status).toBe('unchanged');
  });

  it('3: the token never crosses an origin: a redirect to another one is refused, a same-origin one followed', async () => {
    const elsewhere = await another();
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': NODE_CI } });

    // The first request: the run stops, saying where it was sent.
    fake.inject({ path: /^\/api\/v4\/user$/, status: 302, headers: { location: `${elsewhere.url}/api/v4/user` } });
    const first = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme'], { GITLAB_TOKEN: fake.token });
    expect(first.status).toBe(1);
    expect(first.stderr).toContain(`redirected to another origin (${elsewhere.url}); the token is not sent there`);

    // Later requests, a write among them: that project fails, the others go on.
    fake.inject({ path: /^\/api\/v4\/projects\/1\/merge_requests$/, method: 'POST', status: 307, headers: { location: elsewhere.url } });
    fake.inject({ path: /^\/api\/v4\/projects\/2\/repository\/files\//, status: 301, headers: { location: `${elsewhere.url}/x` } });
    const report = byPath(await run());
    expect(report['acme/shop']).toMatchObject({ status: 'failed', reason: expect.stringContaining('redirected to another origin') });
    expect(report['acme/site']).toMatchObject({ status: 'failed', reason: expect.stringContaining('redirected to another origin') });
    expect(elsewhere.tokensSeen).toEqual([]);
    expect(elsewhere.requests).toEqual([]);

    // Same origin: followed, with the token (a path moved within the instance).
    fake.inject({ path: /^\/api\/v4\/user$/, status: 301, headers: { location: `${fake.url}/api/v4/user` } });
    const moved = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--dry-run'], { GITLAB_TOKEN: fake.token });
    expect(moved.status).toBe(0);
    // The CLI's first run, the in-process run, then this one.
    expect(fake.requests.filter((r) => r.path === '/api/v4/user').map((r) => r.status)).toEqual([302, 200, 301, 200]);
  });

  it('4: no part of a token is ever printed — a line break in it, odd characters, a server that echoes it', async () => {
    // Tokens no header can carry: refused before any request, naming nothing of them. (A NUL
    // cannot reach a process through its environment at all.)
    const unsendable = [
      'glpat-firstline\nsecondline',
      'glpat-carriage\rreturn',
      'glpat-trailing-lines\n\nglpat-second-token',
      'glpat-tabbed\tsecret',
      'glpat-ünïcødé',
    ];
    const server = await another();
    const refused = await Promise.all(
      unsendable.map((token) => cli(['--verbose', 'bot', '--gitlab-url', server.url, '--group', 'acme'], { GITLAB_TOKEN: token })),
    );
    refused.forEach((result, i) => {
      const token = unsendable[i] as string;
      expect(result.status, JSON.stringify(token)).toBe(2);
      expect(result.stderr).toMatch(/^GITLAB_TOKEN .*: no request was sent\n$/);
      for (const part of parts(token)) expect(result.stdout + result.stderr, JSON.stringify(part)).not.toContain(part);
    });
    expect(server.requests).toEqual([]);

    // A token with odd but sendable characters, which a proxy echoes in its error: masked in
    // the report, its Markdown twin, the progress lines, the errors and the --verbose log.
    const odd = `glpat-"quoted"<b>&amp;%0A$(id)'\\`;
    const echo = await FakeGitLab.start({ token: odd });
    cleanups.push(() => echo.stop());
    echo.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    echo.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': KANIKO_CI } });
    echo.inject({ path: /^\/api\/v4\/projects\/1\//, status: 500, body: { message: `invalid PRIVATE-TOKEN: ${odd}` }, times: 100 });
    echo.inject({ path: /^\/api\/v4\/projects\/2\//, status: 400, body: { error: `bad ${encodeURIComponent(odd)}` }, times: 100 });
    const dir = tempDir();
    const result = await cli(['--verbose', 'bot', '--gitlab-url', echo.url, '--group', 'acme', '--report', join(dir, 'r.json')], {
      GITLAB_TOKEN: ` ${odd}\n`,
    });
    expect(result.status).toBe(1);
    expect(echo.tokensSeen.every((t) => t === odd)).toBe(true);
    const json = readFileSync(join(dir, 'r.json'), 'utf8');
    const reasons = (JSON.parse(json) as { projects: ProjectResult[] }).projects.map((p) => p.reason ?? '');
    expect(reasons).toEqual([expect.stringContaining('[masked]'), expect.stringContaining('[masked]')]);
    const printed = [result.stdout, result.stderr, json, ...reasons, readFileSync(join(dir, 'r.md'), 'utf8')].join('\n');
    for (const form of [odd, encodeURIComponent(odd), JSON.stringify(odd).slice(1, -1)]) expect(printed).not.toContain(form);
  });

  it('4b: a server that echoes the token near the end of a long error page: masked before the page is cut', async () => {
    // describe() keeps 300 characters of a text answer; cut first, the token's head would stay unmasked.
    const token = 'glpat-S3CRETcanaryTOKEN1234567890';
    const echo = await FakeGitLab.start({ token });
    cleanups.push(() => echo.stop());
    for (const pad of [262, 280, 290])
      echo.inject({ path: /^\/api\/v4\/user$/, status: 403, body: `${'x'.repeat(pad)} echo: ${token}`, times: 1 });
    for (let i = 0; i < 3; i++) {
      const result = await cli(['bot', '--gitlab-url', echo.url, '--projects', 'acme/shop', '--dry-run'], { GITLAB_TOKEN: token });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('403');
      expect(result.stdout + result.stderr).not.toContain('glpat-S3CRET');
    }
  });

  it("5: a merge request from a fork with the bot's branch name is never taken for the bot's own", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'someone/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'someone/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.pushAsHuman('someone/shop', BRANCH, { '.gitlab-ci.yml': 'mine\n' });
    fake.pushAsHuman('someone/cart', BRANCH, { '.gitlab-ci.yml': 'mine\n' });
    // A closed one (the bot would think itself declined) and an open one (it would take it over).
    fake.closeMergeRequest('acme/shop', fake.openForkMergeRequest('acme/shop', 'someone/shop', BRANCH, { description: 'fork' }));
    fake.openForkMergeRequest('acme/cart', 'someone/cart', BRANCH, { title: 'theirs', description: 'fork' });

    const result = byPath(await run());
    expect(result['acme/shop']).toMatchObject({ status: 'opened', mergeRequest: expect.stringMatching(/merge_requests\/2$/) });
    expect(result['acme/cart']).toMatchObject({ status: 'opened', mergeRequest: expect.stringMatching(/merge_requests\/2$/) });
    for (const path of ['acme/shop', 'acme/cart']) {
      const [theirs, ours] = fake.mergeRequests(path);
      expect(theirs).toMatchObject({ description: 'fork', source_branch: BRANCH });
      expect(theirs?.source_project_id).not.toBe(ours?.source_project_id);
      expect(ours).toMatchObject({
        state: 'opened',
        source_branch: BRANCH,
        title: 'Build container images with Buildah instead of Kaniko',
      });
      expect(fake.notes(path, 1)).toEqual([]);
    }
    expect(fake.mergeRequests('acme/cart')[0]?.title).toBe('theirs');
    expect(fake.file('someone/cart', BRANCH, '.gitlab-ci.yml')).toBe('mine\n');
    // And a re-run recognises only its own.
    expect((await run()).counts).toMatchObject({ unchanged: 2 });
  });
});

/** Every run of a token's characters a terminal would show, four or more long (shorter ones are ordinary text). */
function parts(token: string): string[] {
  return token.split(/[^\x21-\x7e]+/).filter((part) => part.length >= 4);
}
