/**
 * `cigen bot` against an in-process fake GitLab (loopback, free port) through the real
 * @gitbeaker/rest client: a 51-project group with every case, re-runs, a closed MR, a
 * human-modified branch, a rate-limited run, a crash between branch and MR, dry runs, shards.
 * Issues 12 and 13 have their own files (bot-robustness, bot-security); the progress bar on a real
 * terminal is in the system tier (test/system/bot-terminal.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { BRANCH, runBot, type BotOptions, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';
import { FAST_RETRY } from '../helpers/bot-run.js';

const KANIKO =
  `stages: [build, test]

build:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - mkdir -p /kaniko/.docker
    - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"$(printf "%s:%s" "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" ` +
  `| base64 | tr -d '\\n')\\"}}}" > /kaniko/.docker/config.json
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" ` +
  `--destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" --cache=true

test:
  stage: test
  script: [npm test]
`;
const PLAIN = 'test:\n  image: node:20\n  script: [npm test]\n';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const platform = () => new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY });
const run = (options: Partial<BotOptions> = {}): Promise<BotReport> =>
  runBot(platform(), { selection: { group: 'acme' }, migrator, dryRun: false, concurrency: 4, ...options });
const byPath = (report: BotReport): Record<string, ProjectResult> => Object.fromEntries(report.projects.map((p) => [p.path, p]));
const commitsOnBranch = (path: string) => fake.commits(path, BRANCH).filter((c) => !fake.commits(path, 'main').some((m) => m.id === c.id));

describe('a 51-project group', () => {
  /** Every case the bot distinguishes, in subgroups; the rest are ordinary projects. */
  function seed(): Map<string, number> {
    const ids = new Map<string, number>();
    const add = (seedProject: Parameters<FakeGitLab['addProject']>[0]) => ids.set(seedProject.path, fake.addProject(seedProject));
    add({ path: 'acme/apps/shop', files: { '.gitlab-ci.yml': KANIKO } });
    add({ path: 'acme/apps/cart', files: { '.gitlab-ci.yml': 'include:\n  - local: ci/build.yml\n', 'ci/build.yml': KANIKO } });
    add({ path: 'acme/apps/custom-path', ciConfigPath: 'ci/pipeline.yml', files: { 'ci/pipeline.yml': KANIKO } });
    add({ path: 'acme/apps/old', archived: true, files: { '.gitlab-ci.yml': KANIKO } });
    add({ path: 'acme/apps/empty', defaultBranch: null });
    add({ path: 'acme/apps/no-pipeline', files: { 'README.md': '# hi\n' } });
    add({ path: 'acme/apps/broken', files: { '.gitlab-ci.yml': 'build:\n  script: [a\n' } });
    add({
      path: 'acme/apps/broken-include',
      files: { '.gitlab-ci.yml': 'include: ci/build.yml\n', 'ci/build.yml': 'build:\n  script: [a\n' },
    });
    add({ path: 'acme/apps/read-only', accessLevel: 20, files: { '.gitlab-ci.yml': KANIKO } });
    add({ path: 'acme/apps/locked-down', protectedBranches: ['main', '*'], files: { '.gitlab-ci.yml': KANIKO } });
    add({
      path: 'acme/apps/review-only',
      files: { '.gitlab-ci.yml': KANIKO.replace('--cache=true', '--cache=true --ignore-path /var/cache') },
    });
    for (let i = 0; i < 30; i++) add({ path: `acme/team-${i % 3}/svc-${String(i).padStart(2, '0')}`, files: { '.gitlab-ci.yml': PLAIN } });
    for (let i = 0; i < 10; i++) add({ path: `acme/legacy/img-${i}`, files: { '.gitlab-ci.yml': KANIKO } });
    return ids;
  }

  it('opens one MR per Kaniko project and reports every other case with its reason', async () => {
    const ids = seed();
    const report = await run();
    const result = byPath(report);
    expect(report.projects).toHaveLength(51);
    expect(result['acme/apps/shop']).toMatchObject({
      status: 'opened',
      mergeRequest: expect.stringMatching(/\/acme\/apps\/shop\/-\/merge_requests\/1$/),
    });
    expect(result['acme/apps/cart']?.status).toBe('opened');
    expect(fake.file('acme/apps/cart', BRANCH, 'ci/build.yml')).toContain('component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1');
    expect(result['acme/apps/custom-path']?.status).toBe('opened');
    expect(fake.file('acme/apps/custom-path', BRANCH, 'ci/pipeline.yml')).toContain('job-name: build');
    expect(result['acme/apps/old']).toMatchObject({ status: 'skipped', reason: 'archived' });
    expect(result['acme/apps/empty']).toMatchObject({ status: 'skipped', reason: 'empty repository' });
    expect(result['acme/apps/no-pipeline']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no pipeline file') });
    expect(result['acme/apps/broken']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^not valid YAML: \.gitlab-ci\.yml:\d+:\d+: /),
    });
    // The file that is not valid YAML is named, an include as well as the pipeline file.
    expect(result['acme/apps/broken-include']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^not valid YAML: ci\/build\.yml:\d+:\d+: /),
    });
    expect(result['acme/apps/read-only']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no permission to push') });
    expect(result['acme/apps/locked-down']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('protected branch') });
    expect(result['acme/apps/review-only']).toMatchObject({
      status: 'nothing-to-migrate',
      reason: expect.stringContaining('1 job(s) need review: build'),
    });
    expect(report.counts).toMatchObject({ opened: 13, 'nothing-to-migrate': 31, skipped: 7, failed: 0 });

    // One branch, one commit, one MR each; the default branch untouched; nothing on protected branches.
    for (const path of ['acme/apps/shop', 'acme/legacy/img-3']) {
      expect(commitsOnBranch(path)).toHaveLength(1);
      expect(fake.mergeRequests(path)).toHaveLength(1);
      expect(fake.commits(path, 'main')).toHaveLength(1);
      const [mr] = fake.mergeRequests(path);
      expect(mr).toMatchObject({
        state: 'opened',
        source_branch: BRANCH,
        target_branch: 'main',
        title: 'Build container images with Buildah instead of Kaniko',
      });
      expect(mr?.description).toContain('Kaniko is archived');
      expect(mr?.description).toMatch(/<!-- cigen:content-hash=[0-9a-f]{24} -->/);
    }
    expect(fake.branches('acme/apps/locked-down').map((b) => b.name)).toEqual(['main']);
    expect(fake.mergeRequests('acme/apps/read-only')).toEqual([]);

    // At most 4 requests for a project with nothing to migrate: here, one read (the listing is shared).
    const id = ids.get('acme/team-1/svc-04') as number;
    expect(fake.requests.filter((r) => r.path.startsWith(`/api/v4/projects/${id}/`)).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/v4/projects/${id}/repository/files/.gitlab-ci.yml/raw`,
    ]);
    expect(fake.writes().every((w) => w.path.startsWith('/api/v4/projects/'))).toBe(true);
  });

  it('a re-run changes nothing and writes nothing: its one write is the commit GitLab refuses where a Reporter may not push', async () => {
    const ids = seed();
    await run();
    fake.resetLog();
    const again = await run();
    expect(again.counts).toMatchObject({ opened: 0, unchanged: 13, 'nothing-to-migrate': 31, skipped: 7 });
    // A membership below Developer is not all a token's access (a share can give more): the bot tries.
    expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v4/projects/${ids.get('acme/apps/read-only')}/repository/commits`,
    ]);
    expect(byPath(again)['acme/apps/read-only']?.reason).toMatch(/^no permission to push \(403\): /);
  });

  it('a closed MR is respected, a human-modified branch is left alone (commented once), a changed proposal updates the MR', async () => {
    seed();
    await run();
    fake.closeMergeRequest('acme/apps/shop', 1);
    fake.pushAsHuman('acme/apps/cart', BRANCH, { 'ci/build.yml': 'build:\n  script: [make image]\n' }, 'use make');
    // A new Kaniko job on the default branch: the bot's proposal changes.
    fake.pushAsHuman('acme/legacy/img-1', 'main', {
      '.gitlab-ci.yml': KANIKO.replace('$CI_COMMIT_SHORT_SHA"', '$CI_COMMIT_SHORT_SHA" --destination "$CI_REGISTRY_IMAGE:latest"'),
    });
    const second = byPath(await run());
    expect(second['acme/apps/shop']).toMatchObject({ status: 'declined', reason: expect.stringContaining('closed without merging') });
    expect(fake.mergeRequests('acme/apps/shop')).toHaveLength(1);
    expect(second['acme/apps/cart']).toMatchObject({ status: 'human-modified' });
    expect(fake.file('acme/apps/cart', BRANCH, 'ci/build.yml')).toBe('build:\n  script: [make image]\n');
    expect(second['acme/legacy/img-1']).toMatchObject({ status: 'updated' });
    expect(fake.file('acme/legacy/img-1', BRANCH, '.gitlab-ci.yml')).toContain('tags: [$CI_COMMIT_SHORT_SHA, latest]');
    expect(commitsOnBranch('acme/legacy/img-1')).toHaveLength(1);
    expect(fake.mergeRequests('acme/legacy/img-1')).toHaveLength(1);

    const third = byPath(await run());
    expect(third['acme/apps/cart']?.status).toBe('human-modified');
    expect(fake.notes('acme/apps/cart', 1).filter((n) => n.body.includes('cigen bot'))).toHaveLength(1);
    expect(third['acme/legacy/img-1']?.status).toBe('unchanged');
  });
});

describe('resilience', () => {
  it(
    'a rate-limited, flaky instance: 429 with Retry-After, 502, a dropped connection, ' +
      'a 409 lock — and every project still gets its MR',
    async () => {
      for (let i = 0; i < 6; i++) fake.addProject({ path: `acme/p${i}`, files: { '.gitlab-ci.yml': KANIKO } });
      fake.inject({ path: /\/repository\/files\//, status: 429, headers: { 'retry-after': '0' }, times: 4 });
      fake.inject({ path: /\/merge_requests$/, method: 'GET', status: 502, times: 2 });
      fake.inject({ path: /\/repository\/commits$/, method: 'POST', drop: true, times: 1 });
      fake.inject({ path: /\/merge_requests$/, method: 'POST', status: 409, body: { message: '409 Conflict: Resource lock' }, times: 1 });
      const report = await run();
      expect(report.counts).toMatchObject({ opened: 6, failed: 0 });
      expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(4);
      for (let i = 0; i < 6; i++) expect(fake.mergeRequests(`acme/p${i}`)).toHaveLength(1);
    },
  );

  it('retries a request that times out', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    fake.inject({ path: /\/repository\/files\//, delayMs: 1500, times: 1 });
    const report = await runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: { ...FAST_RETRY, timeoutMs: 300 } }), {
      selection: { group: 'acme' },
      migrator,
      dryRun: false,
      concurrency: 1,
    });
    expect(report.counts).toMatchObject({ opened: 1, failed: 0 });
    expect(fake.requests.filter((r) => r.path.includes('/repository/files/')).length).toBe(2);
  });

  it('a write the instance refuses (403) skips the project with the reason', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    fake.inject({ path: /\/repository\/commits$/, method: 'POST', status: 403, body: { message: '403 Forbidden' } });
    const report = await run();
    expect(byPath(report)['acme/shop']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^no permission to push \(403\): POST \/api\/v4\/projects\/\d+\/repository\/commits: 403 Forbidden$/),
    });
  });

  it("one project's failure never stops the run", async () => {
    for (let i = 0; i < 4; i++) fake.addProject({ path: `acme/p${i}`, files: { '.gitlab-ci.yml': KANIKO } });
    fake.inject({ path: /acme%2Fp2|\/projects\/3\//, status: 500, times: 100 });
    const report = await run();
    expect(report.counts).toMatchObject({ opened: 3, failed: 1 });
    expect(byPath(report)['acme/p2']?.reason).toContain('500');
  });

  it('a crash after the branch and before the MR, then a re-run: one branch, one commit, one MR', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    // Every attempt of this run fails: the MR never gets created.
    fake.inject({ path: /\/merge_requests$/, method: 'POST', drop: true, times: FAST_RETRY.attempts });
    const first = await run();
    expect(first.counts.failed).toBe(1);
    expect(
      fake
        .branches('acme/shop')
        .map((b) => b.name)
        .sort(),
    ).toEqual([BRANCH, 'main']);
    expect(fake.mergeRequests('acme/shop')).toEqual([]);
    const second = await run();
    expect(second.counts.opened).toBe(1);
    expect(commitsOnBranch('acme/shop')).toHaveLength(1);
    expect(fake.mergeRequests('acme/shop')).toHaveLength(1);
    expect(fake.branches('acme/shop')).toHaveLength(2);
  });
});

describe('dry run and shards', () => {
  it('--dry-run makes no write call and reports the diffs', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    fake.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': PLAIN } });
    const report = await run({ dryRun: true });
    expect(fake.writes()).toEqual([]);
    const shop = byPath(report)['acme/shop'];
    expect(shop).toMatchObject({ status: 'opened', reason: expect.stringContaining('dry run') });
    expect(shop?.diff).toContain('+  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n');
    expect(fake.branches('acme/shop').map((b) => b.name)).toEqual(['main']);
  });

  it('--all visits every project the token can see, across groups; --projects only those named', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': PLAIN } });
    fake.addProject({ path: 'other/team/site', files: { '.gitlab-ci.yml': PLAIN } });
    fake.addProject({ path: 'third/tool', files: { '.gitlab-ci.yml': KANIKO } });
    expect((await run({ selection: { all: true }, dryRun: true })).projects.map((p) => p.path)).toEqual([
      'acme/shop',
      'other/team/site',
      'third/tool',
    ]);
    expect(
      (await run({ selection: { projects: ['third/tool', 'acme/shop'] }, dryRun: true })).projects.map((p) => `${p.path} ${p.status}`),
    ).toEqual(['acme/shop nothing-to-migrate', 'third/tool opened']);
  });

  it('shards split the projects: every project in exactly one', async () => {
    for (let i = 0; i < 12; i++) fake.addProject({ path: `acme/p${i}`, files: { '.gitlab-ci.yml': PLAIN } });
    const seen: string[] = [];
    for (let index = 1; index <= 3; index++) seen.push(...(await run({ shard: { index, total: 3 } })).projects.map((p) => p.path));
    expect(seen.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `acme/p${i}`).sort());
  });

  it('with --projects and shards, a path GitLab does not know fails in shard 1 only; every project is still handled once', async () => {
    for (let i = 0; i < 6; i++) fake.addProject({ path: `acme/p${i}`, files: { '.gitlab-ci.yml': PLAIN } });
    const named = [...Array.from({ length: 6 }, (_, i) => `acme/p${i}`), 'acme/typo'];
    const shards = [];
    for (let index = 1; index <= 3; index++) shards.push(await run({ selection: { projects: named }, shard: { index, total: 3 } }));
    expect(shards.map((r) => r.projects.filter((p) => p.path === 'acme/typo').map((p) => p.status))).toEqual([['failed'], [], []]);
    expect(shards.map((r) => r.counts.failed)).toEqual([1, 0, 0]);
    const handled = shards.flatMap((r) => r.projects.filter((p) => p.status === 'nothing-to-migrate').map((p) => p.path));
    expect(handled.sort()).toEqual(named.slice(0, 6).sort());
  });

  it('with --projects and shards, a project found but refused a write (403) is reported by its own shard, whichever it is', async () => {
    fake.addProject({ path: 'acme/one', files: { '.gitlab-ci.yml': KANIKO } });
    fake.addProject({ path: 'acme/two', files: { '.gitlab-ci.yml': KANIKO } });
    const reported = [];
    for (let index = 1; index <= 2; index++) {
      fake.inject({ method: 'POST', status: 403, times: 50 });
      const report = await run({ selection: { projects: ['acme/one', 'acme/two'] }, shard: { index, total: 2 } });
      reported.push(...report.projects.map((p) => `${p.path} ${p.status}`));
    }
    expect(reported.sort()).toEqual(['acme/one skipped', 'acme/two skipped']);
  });

  it('with --projects and shards, a lookup that failed otherwise (a 500) is reported by every shard: it may be its project', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': PLAIN } });
    const statuses = [];
    for (let index = 1; index <= 2; index++) {
      fake.inject({ method: 'GET', path: /\/projects\/acme\/shop$/, status: 500, times: 20 });
      const report = await run({ selection: { projects: ['acme/shop'] }, shard: { index, total: 2 } });
      statuses.push(report.projects.map((p) => `${p.path} ${p.status}`));
    }
    expect(statuses).toEqual([['acme/shop failed'], ['acme/shop failed']]);
  });
});

describe('the CLI', () => {
  it('one line per project off a TTY, a JSON report with a Markdown twin, and no token anywhere', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    fake.addProject({ path: 'acme/site', files: { '.gitlab-ci.yml': PLAIN } });
    const dir = mkdtempSync(join(tmpdir(), 'cigen-bot-cli-'));
    try {
      const result = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'report.json')], {
        GITLAB_TOKEN: fake.token,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^opened {13}acme\/shop http:\/\/127\.0\.0\.1:\d+\/acme\/shop\/-\/merge_requests\/1$/m);
      expect(result.stdout).toMatch(/^nothing-to-migrate acme\/site$/m);
      expect(result.stdout).toMatch(/^2 project\(s\): 1 opened, 1 nothing-to-migrate; \d+ request\(s\)$/m);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      expect(report).toEqual({
        projects: [
          { path: 'acme/shop', status: 'opened', mergeRequest: expect.stringMatching(/merge_requests\/1$/), reason: null },
          { path: 'acme/site', status: 'nothing-to-migrate', mergeRequest: null, reason: null },
        ],
        counts: {
          opened: 1,
          updated: 0,
          unchanged: 0,
          'nothing-to-migrate': 1,
          declined: 0,
          merged: 0,
          'human-modified': 0,
          skipped: 0,
          failed: 0,
        },
      });
      const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(markdown).toContain('| acme/shop | opened | [link](');
      expect(result.stdout + markdown).not.toContain(fake.token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--dry-run prints the diffs and writes nothing', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
    const result = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/shop', '--dry-run'], { GITLAB_TOKEN: fake.token });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('# acme/shop (opened, dry run)\n--- a/.gitlab-ci.yml\n+++ b/.gitlab-ci.yml\n');
    expect(result.stdout).toContain('(dry run: nothing written)');
    expect(fake.writes()).toEqual([]);
  });

  it("usage errors exit 2; a group that does not exist exits 1 with GitLab's message", async () => {
    expect((await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme'])).stderr).toContain('GITLAB_TOKEN is not set');
    const env = { GITLAB_TOKEN: fake.token };
    for (const args of [
      ['--group', 'a', '--all'],
      [],
      ['--group', 'a', '--concurrency', '0'],
      ['--group', 'a', '--shard', '3/2'],
      // Checked as migrate checks them, before GitLab is asked anything.
      ['--group', 'a', '--component-ref', 'foo'],
      ['--group', 'a', '--builder-image', 'bad image'],
    ]) {
      expect((await cli(['bot', '--gitlab-url', fake.url, ...args], env)).status, args.join(' ')).toBe(2);
    }
    fake.resetLog();
    const ref = await cli(['bot', '--gitlab-url', fake.url, '--group', 'a', '--component-ref', 'foo'], env);
    expect(ref.stderr).toBe('--component-ref foo: expected <server>/<catalog path>@<version> (or .../<component>@<version>)\n');
    expect(fake.requests).toEqual([]);
    const missing = await cli(['bot', '--gitlab-url', fake.url, '--group', 'nope'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('404 Group Not Found');
  });
});
