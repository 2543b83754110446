/**
 * Issue 12, the bot's robustness: a run where projects failed exits non-zero, an unreachable
 * instance stops the run at once, --verbose shows each request, and GitLab's answers are checked
 * against a schema. Against the in-process fake GitLab (loopback, free port) through @gitbeaker/rest.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionFailure, type HttpStats } from '../../src/bot/http.js';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { BIN, cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI, NODE_CI, seedInstance } from '../helpers/fake-gitlab.js';
import { FAST_RETRY } from '../helpers/bot-run.js';

let fake: FakeGitLab;
const dirs: string[] = [];
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bot-robust-'));
  dirs.push(dir);
  return dir;
};
const run = (stats?: HttpStats): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY, ...(stats ? { stats } : {}) }), {
    selection: { group: 'acme' },
    migrator,
    dryRun: false,
    concurrency: 2,
  });
const byPath = (report: BotReport): Record<string, ProjectResult> => Object.fromEntries(report.projects.map((p) => [p.path, p]));

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('issue 12', () => {
  it('A: exits 1 when any project failed — every one, or one of several — after writing the full report', async () => {
    // Project ids 1 and 2 answer 500 to every request (500 is not retried); 3 is healthy.
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ path: /^\/api\/v4\/projects\/[12]\//, status: 500, times: 1000 });
    const dir = tempDir();
    const env = { GITLAB_TOKEN: fake.token };

    const all = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'all.json')], env);
    expect(all.status).toBe(1);
    expect(all.stderr).toBe('cigen bot: 2 of 2 project(s) failed\n');
    expect(all.stdout).toMatch(/^failed +acme\/cart — .*500/m);
    expect(all.stdout).toMatch(/^2 project\(s\): 2 failed; \d+ request\(s\)$/m);
    const report = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8'));
    expect(report.projects.map((p: ProjectResult) => `${p.path} ${p.status}`)).toEqual(['acme/cart failed', 'acme/shop failed']);
    expect(report.counts.failed).toBe(2);
    expect(readFileSync(join(dir, 'all.md'), 'utf8')).toContain('| acme/shop | failed |');

    fake.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': NODE_CI } });
    const one = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'one.json')], env);
    expect(one.status).toBe(1);
    expect(one.stderr).toBe('cigen bot: 2 of 3 project(s) failed\n');
    expect(JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')).projects).toHaveLength(3);

    // Nothing failed: 0, as before.
    const healthy = await FakeGitLab.start();
    try {
      healthy.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': NODE_CI } });
      const fine = await cli(['bot', '--gitlab-url', healthy.url, '--group', 'acme'], { GITLAB_TOKEN: healthy.token });
      expect([fine.status, fine.stderr]).toEqual([0, '']);
    } finally {
      await healthy.stop();
    }
  });

  it('B: an unreachable GitLab stops the run at its first request, with one line naming the URL and the cause', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const refused = await cli(['bot', '--gitlab-url', url, '--group', 'acme'], { GITLAB_TOKEN: 'glpat-unused' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`cigen bot: cannot reach ${url}: connection refused\n`);
    expect(refused.stdout).toBe('');

    // One attempt, no retries: nothing was waited for.
    const stats: HttpStats = { requests: 0, retries: 0 };
    const platform = new GitLabPlatform({ url, token: 'glpat-unused', retry: FAST_RETRY, stats });
    await expect(platform.currentUser()).rejects.toThrow(`cannot reach ${url}: connection refused`);
    expect(stats).toEqual({ requests: 1, retries: 0 });

    // How a connection-level failure is named (an unknown host without asking a resolver).
    const failed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ${code} x`), { code }) });
    expect(connectionFailure(failed('ENOTFOUND'))).toBe('unknown host');
    expect(connectionFailure(failed('ECONNREFUSED'))).toBe('connection refused');
    expect(connectionFailure(new TypeError('fetch failed', { cause: new AggregateError([failed('ECONNREFUSED').cause]) }))).toBe(
      'connection refused',
    );
    // A connection the server dropped is not "unreachable": it answered once, and may again.
    expect(connectionFailure(failed('UND_ERR_SOCKET'))).toBeUndefined();

    // Later in a run (and even on the first request, once the server has been reached), a dropped
    // connection is retried as before.
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ path: /^\/api\/v4\/user$/, drop: true, times: 1 });
    fake.inject({ path: /\/repository\/files\//, drop: true, times: 2 });
    const later: HttpStats = { requests: 0, retries: 0 };
    expect((await run(later)).counts).toMatchObject({ opened: 1, failed: 0 });
    expect(later.retries).toBe(3);
    expect(fake.requests.filter((r) => r.status === 0)).toHaveLength(3);
  });

  it('C: --verbose logs each HTTP request to stderr — method, path, status, retry and wait — and never a token', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': NODE_CI } });
    fake.inject({ path: /\/repository\/files\//, status: 429, headers: { 'retry-after': '0' }, times: 1 });
    const result = await cli(['bot', '--verbose', '--gitlab-url', fake.url, '--group', 'acme'], { GITLAB_TOKEN: fake.token });
    expect(result.status).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'cigen: debug: GET /api/v4/personal_access_tokens/self 200',
      'cigen: debug: GET /api/v4/user 200',
      'cigen: debug: GET /api/v4/groups/acme/projects 200',
      'cigen: debug: GET /api/v4/projects/1/repository/files/.gitlab-ci.yml/raw 429; retry 1 of 5 in 0 ms',
      'cigen: debug: GET /api/v4/projects/1/repository/files/.gitlab-ci.yml/raw 200',
    ]);
    expect(lines).toHaveLength(fake.requests.length);
    expect(result.stderr + result.stdout).not.toContain(fake.token);
    // No header either (the path of the token's own record names tokens, which is no secret).
    expect(result.stderr.toLowerCase()).not.toMatch(/private-token|authorization|bearer/);

    // Without --verbose: nothing on stderr.
    const quiet = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme'], { GITLAB_TOKEN: fake.token });
    expect(quiet.stderr).toBe('');
  });

  it("C: the wait a 429 asks for is the wait logged (Retry-After's seconds)", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': NODE_CI } });
    fake.inject({ path: /\/repository\/files\//, status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const log: string[] = [];
    const platform = new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY, log: (line) => log.push(line) });
    const report = await runBot(platform, { selection: { group: 'acme' }, migrator, dryRun: false, concurrency: 1 });
    expect(report.counts['nothing-to-migrate']).toBe(1);
    expect(log).toContain('GET /api/v4/projects/1/repository/files/.gitlab-ci.yml/raw 429; retry 1 of 4 in 1000 ms');
  });

  it('D: a response of the wrong shape is a clear error for that project, never a crash', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/docs', files: { '.gitlab-ci.yml': NODE_CI } });
    fake.inject({
      method: 'GET',
      path: /^\/api\/v4\/projects\/1\/merge_requests$/,
      status: 200,
      body: [{ iid: 'one', state: 'opened', source_project_id: 1, source_branch: BRANCH, target_branch: 'main', web_url: 'x' }],
    });
    fake.inject({ method: 'GET', path: /^\/api\/v4\/projects\/2\/repository\/branches\//, status: 200, body: { name: 42 } });
    fake.inject({ method: 'POST', path: /^\/api\/v4\/projects\/3\/merge_requests$/, status: 201, body: 'created' });
    const result = byPath(await run());
    expect(result['acme/shop']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^unexpected response from GitLab \(merge requests of acme\/shop\): \[0\]\.iid must be integer/),
    });
    expect(result['acme/cart']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^unexpected response from GitLab \(branch cigen\/migrate-off-kaniko of acme\/cart\): \S/),
    });
    expect(result['acme/site']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        new RegExp(
          String.raw`^cigen/migrate-off-kaniko is written \(commit [0-9a-f]{12}\); opening the merge request failed: ` +
            String.raw`unexpected response from GitLab \(new merge request of acme/site\): must be object`,
        ),
      ),
    });
    expect(result['acme/docs']?.status).toBe('nothing-to-migrate');
  });

  it('D: a wrong listing or user is a clear error for the run (exit 1), not an internal error', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const env = { GITLAB_TOKEN: fake.token };
    fake.inject({ path: /^\/api\/v4\/groups\/acme\/projects$/, status: 200, body: { message: 'not a list' } });
    const listing = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme'], env);
    expect(listing.status).toBe(1);
    expect(listing.stderr).toMatch(/^cigen bot: .*unexpected response from GitLab \(projects of group acme\): must be array\n$/);
    fake.inject({ path: /^\/api\/v4\/user$/, status: 200, body: { username: 7 } });
    const user = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme'], env);
    expect(user.status).toBe(1);
    expect(user.stderr).toMatch(/^cigen bot: .*unexpected response from GitLab \(the current user\): username must be string\n$/);
    fake.inject({ path: /^\/api\/v4\/projects\/acme%2Fshop$|^\/api\/v4\/projects\/acme\/shop$/, status: 200, body: [] });
    const named = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/shop'], env);
    // A project named in --projects is looked up as its own work: a wrong answer fails that project.
    expect(named.status).toBe(1);
    expect(named.stdout).toMatch(/^failed +acme\/shop — .*unexpected response from GitLab \(project acme\/shop\): must be object$/m);
    expect(named.stderr).toBe('cigen bot: 1 of 1 project(s) failed\n');
  });
});

describe('a reader that stops reading the output', () => {
  it('holds up no request: every project is read while the lines wait, and every line arrives', async () => {
    // More lines than a pipe and the reader's buffer hold (64 KiB each).
    const projects = 4000;
    seedInstance(fake, projects, 0);
    const child = spawn(process.execPath, [BIN, 'bot', '--gitlab-url', fake.url, '--group', 'bench'], {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', GITLAB_TOKEN: fake.token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<number | null>((done) => child.on('close', done));
    child.stdout.pause();
    const ciFilesRead = () =>
      fake.requests.filter((r) => r.status === 200 && r.path.endsWith('/repository/files/.gitlab-ci.yml/raw')).length;
    // Written to the descriptor, a full pipe would stop the process, and these requests with it.
    while (ciFilesRead() < projects) await new Promise((tick) => setTimeout(tick, 50));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    expect(await closed).toBe(0);
    const lines = Buffer.concat(chunks).toString().split('\n');
    expect(lines.filter((line) => / bench\/p\d+/.test(line))).toHaveLength(projects);
  });
});
