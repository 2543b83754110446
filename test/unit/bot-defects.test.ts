/**
 * Defects a review of `cigen bot` found by running it against a fake GitLab, each reproduced here:
 * a group's run that reached projects other groups share with it; one mistyped --projects path
 * that ended the run without a report; includes it could not read reported as "nothing to
 * migrate" with no reason; a 403 on a read called "no permission to write"; GitLab's status
 * twice in every message; a comment posted twice after a timeout; a port fetch refuses retried.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI, NODE_CI } from '../helpers/fake-gitlab.js';
import { THREE_ATTEMPTS } from '../helpers/bot-run.js';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const runGroup = (group: string, retry = THREE_ATTEMPTS): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry }), {
    selection: { group },
    migrator,
    dryRun: false,
    concurrency: 2,
  });
const byPath = (report: BotReport): Record<string, ProjectResult> => Object.fromEntries(report.projects.map((p) => [p.path, p]));

describe('--group', () => {
  it("reaches the group's projects and its subgroups', not those other groups share with it", async () => {
    fake.addProject({ path: 'platform/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'platform/team/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const ledger = fake.addProject({ path: 'finance/ledger', files: { '.gitlab-ci.yml': KANIKO_CI }, sharedWith: ['platform'] });
    const report = await runGroup('platform');
    expect(report.projects.map((p) => `${p.path} ${p.status}`).sort()).toEqual(['platform/shop opened', 'platform/team/cart opened']);
    expect(fake.mergeRequests('finance/ledger')).toEqual([]);
    const touched = fake.requests.filter((r) => r.path.startsWith(`/api/v4/projects/${ledger}/`) || r.path.includes('finance'));
    expect(touched).toEqual([]);
  });
});

describe('--projects', () => {
  it('a path that is not a project fails alone: the others are handled, the report lists all, exit 1', async () => {
    fake.addProject({ path: 'acme/a', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/z', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const report = await runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: THREE_ATTEMPTS }), {
      selection: { projects: ['acme/a', 'acme/typo', 'acme/z'] },
      migrator,
      dryRun: false,
      concurrency: 1,
    });
    expect(report.projects.map((p) => `${p.path} ${p.status}`)).toEqual(['acme/a opened', 'acme/typo failed', 'acme/z opened']);
    // GitLab's message names its status; the bot's says it once.
    expect(byPath(report)['acme/typo']?.reason).toBe('GET /api/v4/projects/acme%2Ftypo: 404 Project Not Found');

    const result = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/a,acme/typo', '--dry-run'], {
      GITLAB_TOKEN: fake.token,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^failed +acme\/typo — GET \/api\/v4\/projects\/acme%2Ftypo: 404 Project Not Found$/m);
    expect(result.stdout).toMatch(/^2 project\(s\): .*1 failed; \d+ request\(s\)/m);
    expect(result.stderr).toBe('cigen bot: 1 of 2 project(s) failed\n');
  });
});

describe('includes the bot could not read', () => {
  it('are named in the reason of a project with nothing else to move, and in the merge request of one with', async () => {
    fake.addProject({ path: 'acme/glob', files: { '.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\n", 'ci/build.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/gone', files: { '.gitlab-ci.yml': `include:\n  - local: ci/missing.yml\n${NODE_CI}` } });
    fake.addProject({ path: 'acme/both', files: { '.gitlab-ci.yml': `include:\n  - local: 'ci/*.yml'\n${KANIKO_CI}` } });
    const report = byPath(await runGroup('acme'));
    expect(report['acme/glob']).toMatchObject({
      status: 'nothing-to-migrate',
      reason: '.gitlab-ci.yml: local include ci/*.yml uses a glob or a variable; its jobs were not checked',
    });
    expect(report['acme/gone']).toMatchObject({
      status: 'nothing-to-migrate',
      reason: expect.stringMatching(/^\.gitlab-ci\.yml: local include ci\/missing\.yml .*; its jobs were not checked$/),
    });
    expect(report['acme/both']?.status).toBe('opened');
    const [mr] = fake.mergeRequests('acme/both');
    expect(mr?.description).toContain(
      '### Not checked\n\ncigen could not read these includes, so the jobs in them were not looked at:\n\n' +
        '- .gitlab-ci.yml: local include ci/*.yml uses a glob or a variable; its jobs were not checked\n',
    );
  });
});

describe('includes from another project or a URL', () => {
  it('are named in the reason: the project, its file(s) and ref, or the URL', async () => {
    const K = KANIKO_CI.replace('stages:\n  - build\n\n', '');
    fake.addProject({
      path: 'acme/sameproj',
      files: { '.gitlab-ci.yml': 'include:\n  - project: acme/sameproj\n    file: ci/a.yml\n', 'ci/a.yml': K },
    });
    fake.addProject({
      path: 'acme/others',
      files: {
        '.gitlab-ci.yml':
          'include:\n  - project: platform/ci\n    ref: v2\n    file: [build.yml, test.yml]\n' +
          '  - remote: https://example.com/ci.yml\n  - https://example.com/other.yml\n' +
          NODE_CI,
      },
    });
    const report = byPath(await runGroup('acme'));
    expect(report['acme/sameproj']).toMatchObject({
      status: 'nothing-to-migrate',
      reason:
        '.gitlab-ci.yml: include of ci/a.yml from project acme/sameproj was not read (cigen reads local includes only); its jobs were not checked',
    });
    expect(report['acme/others']?.reason?.split('; its jobs were not checked; ')).toEqual([
      '.gitlab-ci.yml: include of build.yml, test.yml from project platform/ci at v2 was not read (cigen reads local includes only)',
      '.gitlab-ci.yml: remote include https://example.com/ci.yml was not read (cigen reads local includes only)',
      '.gitlab-ci.yml: remote include https://example.com/other.yml was not read (cigen reads local includes only); its jobs were not checked',
    ]);
  });
});

describe('what GitLab refused', () => {
  it('a 403 on a read is no permission to read', async () => {
    fake.addProject({ path: 'acme/a', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'GET', path: /\/repository\/files\//, status: 403, body: { message: '403 Forbidden' } });
    expect(byPath(await runGroup('acme'))['acme/a']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^no permission to read \(403\): GET \/api\/v4\/projects\/\d+\/repository\/files\/.*: 403 Forbidden$/),
    });
  });

  it('an answer whose body is not the gzip it names is said so, not as a failed connection; retried, then the project fails', async () => {
    fake.addProject({ path: 'acme/a', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'GET', path: /\/repository\/files\//, status: 200, headers: { 'content-encoding': 'gzip' }, times: 3 });
    const reason = byPath(await runGroup('acme'))['acme/a']?.reason ?? '';
    expect(reason).toMatch(
      /^GET \/api\/v4\/projects\/\d+\/repository\/files\/.*: the answer's body could not be decompressed \(Z_DATA_ERROR\)$/,
    );
    expect(reason).not.toContain('connection');
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path.includes('/repository/files/'))).toHaveLength(3);
  });

  it('a comment whose answer timed out is not posted again (it was posted); the next run does not post it either', async () => {
    fake.addProject({ path: 'acme/a', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await runGroup('acme');
    fake.pushAsHuman('acme/a', BRANCH, { Dockerfile: 'FROM scratch\n' }, 'mine');
    fake.inject({ method: 'POST', path: /\/notes$/, delayMs: 1500 });
    const second = byPath(await runGroup('acme', { ...THREE_ATTEMPTS, timeoutMs: 300 }));
    expect(second['acme/a']).toMatchObject({ status: 'failed', reason: expect.stringContaining('timed out; not sent again') });
    // Sent once; the fake posts it when its delay ends.
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/notes'))).toHaveLength(1);
    await vi.waitFor(() => expect(fake.notes('acme/a', 1)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    expect(byPath(await runGroup('acme'))['acme/a']?.status).toBe('human-modified');
    expect(fake.notes('acme/a', 1)).toHaveLength(1);
  });
});

describe('a project listing that fails after its first page', () => {
  it('keeps what was done: the projects listed before are handled and reported, the page named, exit 1', async () => {
    for (let i = 1; i <= 150; i++)
      fake.addProject({ path: `acme/p${String(i).padStart(3, '0')}`, files: { '.gitlab-ci.yml': i % 10 === 1 ? KANIKO_CI : NODE_CI } });
    fake.inject({ method: 'GET', path: /^\/api\/v4\/groups\/acme\/projects$/, query: /(^|&)id_after=100(&|$)/, status: 500 });
    const dir = mkdtempSync(join(tmpdir(), 'cigen-bot-listing-'));
    try {
      const result = await cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'r.json')], {
        GITLAB_TOKEN: fake.token,
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/^100 project\(s\): 10 opened, 90 nothing-to-migrate; \d+ request\(s\)$/m);
      expect(result.stderr).toBe(
        `cigen bot: ${fake.url}: the project listing stopped after 100 project(s): projects of group acme, page 2: ` +
          'GET /api/v4/groups/acme/projects: 500 Internal Server Error; the 100 project(s) handled before it are in the summary ' +
          'and the report; the rest were not handled\n',
      );
      const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { stopped: string; projects: ProjectResult[] };
      expect(report.stopped).toMatch(/^the project listing stopped after 100 project\(s\): projects of group acme, page 2: /);
      expect(report.projects.filter((p) => p.status === 'opened').map((p) => p.path)).toEqual(
        Array.from({ length: 10 }, (_, i) => `acme/p${String(i * 10 + 1).padStart(3, '0')}`),
      );
      expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain('**Incomplete:** the project listing stopped after 100 project(s)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on its first page is still a run that could not start (nothing was done)', async () => {
    fake.addProject({ path: 'acme/a', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'GET', path: /^\/api\/v4\/groups\/acme\/projects$/, status: 500 });
    await expect(runGroup('acme')).rejects.toThrow('GET /api/v4/groups/acme/projects: 500 Internal Server Error');
    expect(fake.mergeRequests('acme/a')).toEqual([]);
  });
});

describe('a pipeline with many local includes', () => {
  it('fetches as many as migrate reads: the 55th file is migrated, none is said not to exist', async () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': 'stages: [build]\ninclude:\n' };
    for (let i = 1; i <= 55; i++) {
      files['.gitlab-ci.yml'] += `  - local: ci/f${i}.yml\n`;
      files[`ci/f${i}.yml`] =
        i === 55 ? KANIKO_CI.replace('build:', 'build55:').replace('stages:\n  - build\n', '') : `job${i}:\n  script: [echo]\n`;
    }
    fake.addProject({ path: 'acme/many', files });
    const report = byPath(await runGroup('acme'));
    expect(report['acme/many']).toMatchObject({ status: 'opened', reason: null });
    expect(fake.mergeRequests('acme/many')[0]?.description).not.toContain('does not exist');
    expect(fake.file('acme/many', BRANCH, 'ci/f55.yml')).toContain('component:');
  });

  it('fetches no include GitLab refuses for its name, so its cap counts the files migrate reads', async () => {
    const files: Record<string, string> = {
      '.gitlab-ci.yml': 'include:\n  - local: ci/notes.txt\n',
      'ci/notes.txt': 'job0:\n  script: [echo]\n',
    };
    for (let i = 1; i <= 100; i++) {
      files['.gitlab-ci.yml'] += `  - local: ci/f${i}.yml\n`;
      files[`ci/f${i}.yml`] =
        i === 100 ? KANIKO_CI.replace('build:', 'build100:').replace('stages:\n  - build\n', '') : `job${i}:\n  script: [echo]\n`;
    }
    fake.addProject({ path: 'acme/txt', files });
    expect(byPath(await runGroup('acme'))['acme/txt']).toMatchObject({ status: 'opened' });
    expect(fake.mergeRequests('acme/txt')[0]?.description).not.toContain('does not exist');
    expect(fake.file('acme/txt', BRANCH, 'ci/f100.yml')).toContain('component:');
    expect(fake.requests.filter((r) => r.path.includes('notes.txt'))).toEqual([]);
    expect(fake.mergeRequests('acme/txt')[0]?.description).toContain('local include ci/notes.txt is not a .yml or .yaml file');
  });

  it('past migrate\'s cap of 100 included files, says which includes were not read (never "does not exist")', async () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': 'include:\n', 'ci/deep.yml': KANIKO_CI };
    for (let i = 1; i <= 100; i++) {
      files['.gitlab-ci.yml'] += `  - local: ci/f${i}.yml\n`;
      files[`ci/f${i}.yml`] = i === 1 ? 'include: ci/deep.yml\n' : `job${i}:\n  script: [echo]\n`;
    }
    fake.addProject({ path: 'acme/capped', files });
    expect(byPath(await runGroup('acme'))['acme/capped']).toMatchObject({
      status: 'nothing-to-migrate',
      reason:
        '.gitlab-ci.yml: the includes of ci/f1.yml were not read (cigen reads at most 100 included files); their jobs were not checked',
    });
  });
});

describe('the update of an open merge request', () => {
  const KANIKO_LATEST = KANIKO_CI.replace('${CI_COMMIT_SHORT_SHA}', 'latest');
  const head = (path: string) => fake.branches(path).find((b) => b.name === BRANCH)?.commit;

  it('after its description update failed, takes its own commit for its own: no false comment, the description catches up', async () => {
    fake.addProject({ path: 'acme/upd', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(byPath(await runGroup('acme'))['acme/upd']?.status).toBe('opened');
    fake.pushAsHuman('acme/upd', 'main', { '.gitlab-ci.yml': KANIKO_LATEST });
    fake.inject({ method: 'PUT', path: /\/merge_requests\/1$/, status: 500 });
    expect(byPath(await runGroup('acme'))['acme/upd']?.status).toBe('failed');
    const own = head('acme/upd');
    fake.resetLog();

    expect(byPath(await runGroup('acme'))['acme/upd']).toMatchObject({ status: 'updated', reason: null });
    expect(fake.notes('acme/upd', 1)).toEqual([]);
    // The commit already held the content: no new one, the description records it.
    expect(fake.writes().filter((r) => r.path.endsWith('/repository/commits'))).toEqual([]);
    expect(head('acme/upd')).toBe(own);
    expect(fake.mergeRequests('acme/upd')[0]?.description).toContain(`<!-- cigen:head=${own} -->`);
    expect(byPath(await runGroup('acme'))['acme/upd']?.status).toBe('unchanged');
  });

  it('that GitLab refuses after the branch reset links the merge request and names the commit the branch was reset to', async () => {
    fake.addProject({ path: 'acme/upd', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await runGroup('acme');
    const before = head('acme/upd');
    fake.pushAsHuman('acme/upd', 'main', { '.gitlab-ci.yml': KANIKO_LATEST });
    fake.inject({ method: 'PUT', path: /\/merge_requests\/1$/, status: 500 });
    const failed = byPath(await runGroup('acme'))['acme/upd'];
    const reset = head('acme/upd');
    expect(reset).not.toBe(before);
    expect(failed).toEqual({
      path: 'acme/upd',
      status: 'failed',
      mergeRequest: `${fake.url}/acme/upd/-/merge_requests/1`,
      reason:
        `${BRANCH} was reset (commit ${reset?.slice(0, 12)}); updating the description of merge request !1 failed: ` +
        'PUT /api/v4/projects/1/merge_requests/1: 500 Internal Server Error',
    });

    // One that needs no commit (the description catching up) links it too, and says no reset.
    fake.inject({ method: 'PUT', path: /\/merge_requests\/1$/, status: 500 });
    expect(byPath(await runGroup('acme'))['acme/upd']).toEqual({
      path: 'acme/upd',
      status: 'failed',
      mergeRequest: `${fake.url}/acme/upd/-/merge_requests/1`,
      reason: 'updating the description of merge request !1 failed: PUT /api/v4/projects/1/merge_requests/1: 500 Internal Server Error',
    });
    expect(head('acme/upd')).toBe(reset);
  });

  it("a person's commit on the branch is still theirs, whatever the description says", async () => {
    fake.addProject({ path: 'acme/upd', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await runGroup('acme');
    fake.pushAsHuman('acme/upd', BRANCH, { Dockerfile: 'FROM scratch\n' }, 'Cigen-Content-Hash: 0123456789abcdef01234567');
    expect(byPath(await runGroup('acme'))['acme/upd']?.status).toBe('human-modified');
  });

  it("keeps the merge request's title: a Draft: prefix stays, the bot changes the description only", async () => {
    fake.addProject({ path: 'acme/upd', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await runGroup('acme');
    const draft = await fetch(`${fake.url}/api/v4/projects/1/merge_requests/1`, {
      method: 'PUT',
      headers: { 'PRIVATE-TOKEN': fake.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Draft: Buildah, by the platform team' }),
    });
    expect(draft.status).toBe(200);
    fake.pushAsHuman('acme/upd', 'main', { '.gitlab-ci.yml': KANIKO_LATEST });
    expect(byPath(await runGroup('acme'))['acme/upd']?.status).toBe('updated');
    const [mr] = fake.mergeRequests('acme/upd');
    expect(mr?.title).toBe('Draft: Buildah, by the platform team');
    expect(mr?.description).toContain(`<!-- cigen:head=${head('acme/upd')} -->`);
  });
});

describe('--all', () => {
  it('lists by keyset (id_after), so no offset cap stops it: every project of the instance is reached', async () => {
    for (let i = 1; i <= 250; i++)
      fake.addProject({ path: `team${i % 3}/p${String(i).padStart(3, '0')}`, files: { '.gitlab-ci.yml': NODE_CI } });
    fake.maxProjectOffset = 150; // GitLab's is 50,000: offset pagination would stop at page 3 here.
    const report = await runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: THREE_ATTEMPTS }), {
      selection: { all: true },
      migrator,
      dryRun: false,
      concurrency: 2,
    });
    expect(report.stopped).toBeUndefined();
    expect(report.counts['nothing-to-migrate']).toBe(250);
    const listing = fake.requests.filter((r) => r.path === '/api/v4/projects').map((r) => new URLSearchParams(r.query));
    expect(listing.map((q) => [q.get('pagination'), q.get('order_by'), q.get('sort'), q.get('id_after')])).toEqual([
      ['keyset', 'id', 'asc', null],
      ['keyset', 'id', 'asc', '100'],
      ['keyset', 'id', 'asc', '200'],
    ]);
  });
});

describe('a selection that names nothing', () => {
  it('--projects with no path and an empty --group are usage errors (exit 2), before any request', async () => {
    for (const [flag, value, message] of [
      ['--projects', ',', "--projects ',': expected project paths separated by commas (e.g. platform/shop,platform/cart)\n"],
      ['--projects', ' ', "--projects ' ': expected project paths separated by commas (e.g. platform/shop,platform/cart)\n"],
      ['--group', '', "--group '': expected a group's full path (e.g. platform or platform/team)\n"],
    ] as const) {
      const result = await cli(['bot', '--gitlab-url', fake.url, flag, value, '--dry-run'], { GITLAB_TOKEN: fake.token });
      expect([result.status, result.stderr, result.stdout], `${flag} '${value}'`).toEqual([2, message, '']);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('an empty repository', () => {
  it('is skipped as one when GitLab names a default branch for it (empty_repo: true, default_branch main)', async () => {
    fake.addProject({ path: 'acme/fresh', emptyRepo: true });
    fake.addProject({ path: 'acme/old-style', defaultBranch: null });
    const report = byPath(await runGroup('acme'));
    expect(report['acme/fresh']).toMatchObject({ status: 'skipped', reason: 'empty repository' });
    expect(report['acme/old-style']).toMatchObject({ status: 'skipped', reason: 'empty repository' });
    expect(fake.requests.filter((r) => r.path.includes('/repository/'))).toEqual([]);
  });
});

describe("a project people migrated while the bot's merge request is open", () => {
  it('is nothing-to-migrate with the open merge request linked; a plain project costs no request for it', async () => {
    const id = fake.addProject({ path: 'acme/selfmig', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/plain', files: { '.gitlab-ci.yml': NODE_CI } });
    await runGroup('acme');
    const [mr] = fake.mergeRequests('acme/selfmig');
    // People take the bot's proposal onto the default branch themselves.
    fake.pushAsHuman('acme/selfmig', 'main', { '.gitlab-ci.yml': fake.file('acme/selfmig', BRANCH, '.gitlab-ci.yml') as string });
    fake.resetLog();
    const report = byPath(await runGroup('acme'));
    expect(report['acme/selfmig']).toMatchObject({
      status: 'nothing-to-migrate',
      mergeRequest: `${fake.url}/acme/selfmig/-/merge_requests/${mr?.iid}`,
      reason: `the bot's merge request !${mr?.iid} is still open; nothing is left for it to move`,
    });
    expect(report['acme/plain']).toMatchObject({ status: 'nothing-to-migrate', mergeRequest: null, reason: null });
    expect(fake.requests.filter((r) => r.path.includes('/merge_requests')).map((r) => r.path)).toEqual([
      `/api/v4/projects/${id}/merge_requests`,
    ]);
  });
});

describe("the merge request's job table and lists, for job names GitLab takes with `|` or a backtick in them", () => {
  it('escapes `|` in a table cell (GFM splits a cell at one even in a code span) and fences a backtick with more of them', async () => {
    const job = KANIKO_CI.split('build:\n')[1];
    fake.addProject({ path: 'acme/pipe', files: { '.gitlab-ci.yml': `stages: [build]\n"build|amd64":\n${job}\n"build\`arm64":\n${job}` } });
    expect(byPath(await runGroup('acme'))['acme/pipe']?.status).toBe('opened');
    const lines = (fake.mergeRequests('acme/pipe')[0]?.description ?? '').split('\n');
    expect(lines.filter((l) => l.startsWith('| `'))).toEqual([
      '| `build\\|amd64` | `.gitlab-ci.yml` | moved to the component |',
      '| ``build`arm64`` | `.gitlab-ci.yml` | moved to the component |',
    ]);
    // In a list a `|` is only text; a backtick still needs the longer fence.
    expect(lines.filter((l) => l.startsWith('- `build|amd64`: ')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('- ``build`arm64``: ')).length).toBeGreaterThan(0);
  });
});
