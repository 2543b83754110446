/**
 * `cigen bot` where a real GitLab behaves in ways the fake once did not: the fake now does as
 * GitLab does (the source it follows is named at each test), and the bot is held to it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotOptions, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { FakeGitLab, GITLAB_COMMITTER, KANIKO_CI, NODE_CI } from '../helpers/fake-gitlab.js';

const FAST_RETRY = { attempts: 4, baseMs: 5, maxMs: 50, timeoutMs: 5000 };

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
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
/** A request to the fake's API with the token, as a person's script (or the web UI) would send it. */
const api = (method: string, path: string, body?: Record<string, unknown>) =>
  fetch(`${fake.url}/api/v4${path}`, {
    method,
    headers: { 'private-token': fake.token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
const commitWrites = () => fake.writes().filter((w) => w.path.endsWith('/repository/commits'));

describe('a deleted bot branch (GitLab closes the merge request: RefreshService#close_upon_missing_source_branch_ref)', () => {
  it('closes the open merge request from it, so the next run reports declined and posts no comment', async () => {
    const id = fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(byPath(await run())['acme/shop']?.status).toBe('opened');
    expect((await api('DELETE', `/projects/${id}/repository/branches/${encodeURIComponent(BRANCH)}`)).status).toBe(204);
    expect(fake.mergeRequests('acme/shop').map((mr) => mr.state)).toEqual(['closed']);

    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'declined',
      reason: expect.stringContaining('closed without merging'),
    });
    expect(fake.notes('acme/shop', 1)).toEqual([]);
    expect(commitWrites()).toHaveLength(1);
  });
});

describe('a gateway error (502/503/504) on a comment GitLab may have posted (Workhorse or a proxy gives up, Rails goes on)', () => {
  it('is not sent again: one comment, the project fails saying so, and the next run finds it', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    fake.pushAsHuman('acme/shop', BRANCH, { Dockerfile: 'FROM scratch\n' }, 'mine');
    fake.inject({ method: 'POST', path: /\/notes$/, status: 504, handle: true });

    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /^POST \/api\/v4\/projects\/\d+\/merge_requests\/1\/notes: 504 .*; not sent again, since GitLab may have done it/,
      ),
    });
    expect(fake.notes('acme/shop', 1)).toHaveLength(1);
    expect(byPath(await run())['acme/shop']?.status).toBe('human-modified');
    expect(fake.notes('acme/shop', 1)).toHaveLength(1);
  });
});

describe("a write whose answer a gateway lost: the error says so (PlatformError.lostAnswer), a read's never", () => {
  const platform = () => new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY });
  it('names the lost answer on the resend GitLab refused, and on none when GitLab refused the first', async () => {
    fake.addProject({ path: 'acme/shop', files: { 'README.md': '# shop\n' } });
    fake.addTag('acme/shop', '1.0.0', 'main');
    const release = { tagName: '1.0.0', name: 'r', description: 'd' };
    fake.inject({ method: 'POST', path: /\/releases$/, status: 502, handle: true });
    await expect(platform().createRelease('acme/shop', release)).rejects.toMatchObject({ status: 409, lostAnswer: '502 Bad Gateway' });
    const first = await platform()
      .createRelease('acme/shop', release)
      .catch((error: unknown) => error);
    expect(first).toMatchObject({ status: 409, message: expect.stringContaining('Release already exists') });
    expect((first as { lostAnswer?: string }).lostAnswer).toBeUndefined();
  });
  it('a read that got only gateway errors names none: reading twice does nothing', async () => {
    fake.addProject({ path: 'acme/shop' });
    fake.inject({ method: 'GET', status: 504, times: FAST_RETRY.attempts });
    const error = await platform()
      .project('acme/shop')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 504 });
    expect((error as { lostAnswer?: string }).lostAnswer).toBeUndefined();
  });
});

describe('the Files API\'s 404s (API::Files): only "404 File Not Found" says the file is not there', () => {
  const platform = () => new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY });
  it('a missing file is none; a missing ref or project is an error, not a file that does not exist', async () => {
    const id = fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const shop = { id, path: 'acme/shop' };
    await expect(platform().readFile(shop, 'nothing.yml', 'main')).resolves.toBeUndefined();
    await expect(platform().readFile(shop, '.gitlab-ci.yml', 'gone')).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/: 404 Commit Not Found$/),
    });
    await expect(platform().readFile({ id: id + 1000, path: 'acme/gone' }, '.gitlab-ci.yml', 'main')).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/: 404 Project Not Found$/),
    });
  });

  it('a project deleted between the listing and the read fails with what GitLab said (it was "no pipeline file")', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'GET', path: /\/repository\/files\//, status: 404, body: { message: '404 Project Not Found' } });
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^GET \/api\/v4\/projects\/\d+\/repository\/files\/\.gitlab-ci\.yml\/raw: 404 Project Not Found$/),
    });
  });
});

describe('a pipeline file that starts with a UTF-8 byte order mark', () => {
  it('keeps it: the commit changes only the jobs, and the dry-run diff shows the mark where it stays', async () => {
    fake.addProject({ path: 'acme/bom', files: { '.gitlab-ci.yml': `\uFEFF${KANIKO_CI}` } });
    fake.addProject({ path: 'acme/plain', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const dry = byPath(await run({ dryRun: true }));
    // The mark starts the file before and after: on the first line of each side of the diff, on no other.
    const diff = dry['acme/bom']?.diff ?? '';
    for (const sign of ['-', '+']) {
      const side = diff.split('\n').filter((line) => /^@@ /.test(line) || line[0] === sign || line[0] === ' ');
      const lines = side.slice(side.findIndex((line) => line.startsWith('@@ ')) + 1);
      expect(lines.map((line) => line.includes('\uFEFF'))).toEqual(lines.map((_, n) => n === 0));
      expect(lines[0]?.[1]).toBe('\uFEFF');
    }

    await run();
    const committed = fake.file('acme/bom', BRANCH, '.gitlab-ci.yml') ?? '';
    expect(committed.startsWith('\uFEFF')).toBe(true);
    expect(committed.slice(1)).toBe(fake.file('acme/plain', BRANCH, '.gitlab-ci.yml'));
  });
});

describe("--group while the group changes (GitLab lists a group's projects newest first by default)", () => {
  const seedGroup = () => {
    for (let i = 0; i < 150; i++) fake.addProject({ path: `acme/p${String(i).padStart(3, '0')}`, files: { '.gitlab-ci.yml': NODE_CI } });
  };
  const once = (change: (result: ProjectResult) => void) => {
    let done = false;
    return (result: ProjectResult) => {
      if (!done) change(result);
      done = true;
    };
  };

  it('a project created during the run does not make another be handled twice', async () => {
    seedGroup();
    const report = await run({
      concurrency: 1,
      onResult: once(() => fake.addProject({ path: 'acme/late', files: { '.gitlab-ci.yml': NODE_CI } })),
    });
    const paths = report.projects.map((p) => p.path);
    expect(paths.filter((path, i) => paths.indexOf(path) !== i)).toEqual([]);
    expect(report.stopped).toBeUndefined();
  });

  it('a project removed during the run does not make another be missed', async () => {
    seedGroup();
    const report = await run({ concurrency: 1, onResult: once((result) => fake.removeProject(result.path)) });
    expect(report.projects.map((p) => p.path)).toEqual(Array.from({ length: 150 }, (_, i) => `acme/p${String(i).padStart(3, '0')}`));
  });

  it('is listed by id, each page after the last id listed (id_after), as --all is', async () => {
    seedGroup();
    await run();
    const listing = fake.requests.filter((r) => r.path === '/api/v4/groups/acme/projects').map((r) => new URLSearchParams(r.query));
    expect(listing.map((q) => [q.get('order_by'), q.get('sort'), q.get('id_after'), q.get('page')])).toEqual([
      ['id', 'asc', null, null],
      ['id', 'asc', '100', null],
    ]);
  });
});

describe("the token's access (a group's listing has no `permissions`: GitLab renders it with Entities::Project)", () => {
  it('a Reporter project with something to move: a dry run says the access is not known, a run tries and says GitLab refused the push; a plain one costs no extra request', async () => {
    const ro = fake.addProject({ path: 'acme/ro', accessLevel: 20, files: { '.gitlab-ci.yml': KANIKO_CI } });
    const plain = fake.addProject({ path: 'acme/plain', accessLevel: 20, files: { '.gitlab-ci.yml': NODE_CI } });
    for (const dryRun of [true, false]) {
      fake.resetLog();
      expect(byPath(await run({ dryRun }))['acme/ro']).toEqual({
        path: 'acme/ro',
        ...(dryRun
          ? {
              status: 'opened',
              reason:
                'would create the branch and open the merge request (dry run; GitLab names a membership of access level 20 here, ' +
                'below Developer, and not access through a shared group: whether it may write is known only when it tries)',
              diff: expect.stringContaining('+  - component: '),
            }
          : {
              status: 'skipped',
              reason:
                `no permission to push (403): POST /api/v4/projects/${ro}/repository/commits: 403 Forbidden; ` +
                'GitLab names a membership of access level 20 here',
            }),
        mergeRequest: null,
      });
      // The refused commit is the one write: nothing was written.
      expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual(dryRun ? [] : [`POST /api/v4/projects/${ro}/repository/commits`]);
      expect(fake.branches('acme/ro').map((b) => b.name)).toEqual(['main']);
      expect(fake.requests.filter((r) => r.path === `/api/v4/projects/${ro}`)).toHaveLength(1);
      expect(fake.requests.filter((r) => r.path.startsWith(`/api/v4/projects/${plain}`)).map((r) => r.path)).toEqual([
        `/api/v4/projects/${plain}/repository/files/.gitlab-ci.yml/raw`,
      ]);
    }
  });

  it('a Reporter membership with Developer through a share (which `permissions` do not count) is not skipped: the bot tries, and opens', async () => {
    fake.addProject({ path: 'acme/shared', namedAccessLevel: 20, accessLevel: 30, files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(byPath(await run({ dryRun: true }))['acme/shared']).toMatchObject({
      status: 'opened',
      reason: expect.stringContaining('GitLab names a membership of access level 20 here, below Developer'),
    });
    expect(byPath(await run())['acme/shared']).toMatchObject({ status: 'opened', reason: null });
    expect(fake.mergeRequests('acme/shared').map((mr) => mr.state)).toEqual(['opened']);
  });

  it('where GitLab says nothing (an admin, a public project, a shared group), a dry run says the access is not known', async () => {
    const ids = [
      fake.addProject({ path: 'acme/public', member: false, accessLevel: 10, files: { '.gitlab-ci.yml': KANIKO_CI } }),
      fake.addProject({ path: 'acme/admin', member: false, accessLevel: 60, files: { '.gitlab-ci.yml': KANIKO_CI } }),
      // A Developer through a group the project is shared with: GitLab names neither access.
      fake.addProject({ path: 'acme/shared', member: false, accessLevel: 30, files: { '.gitlab-ci.yml': KANIKO_CI } }),
    ];
    // A group's listing does not say, so each project is asked; GET /projects says (null), so none is.
    for (const [selection, asked] of [
      [{ group: 'acme' }, 1],
      [{ all: true as const }, 0],
    ] as const) {
      fake.resetLog();
      const dry = byPath(await run({ dryRun: true, selection }));
      for (const id of ids) expect(fake.requests.filter((r) => r.path === `/api/v4/projects/${id}`)).toHaveLength(asked);
      for (const path of ['acme/public', 'acme/admin', 'acme/shared'])
        expect(dry[path]).toMatchObject({
          status: 'opened',
          reason:
            'would create the branch and open the merge request (dry run; GitLab does not say what this token may do here, as ' +
            'for an admin, a public or internal project, or access through a shared group: whether it may write is known only when it tries)',
        });
    }
    const real = byPath(await run());
    expect(real['acme/admin']?.status).toBe('opened');
    expect(real['acme/shared']?.status).toBe('opened');
    expect(real['acme/public']).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^no permission to push \(403\): POST .*\/repository\/commits: 403 Forbidden$/),
    });
  });
});

describe('a merge request whose description people rewrote, dropping the hidden record', () => {
  it('gets no new commit when the branch holds the content already: the record is put back after their text, kept', async () => {
    const id = fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    const head = fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit;
    const theirs = 'Closes #12. We will merge this after the freeze.';
    expect((await api('PUT', `/projects/${id}/merge_requests/1`, { description: theirs })).status).toBe(200);

    fake.resetLog();
    expect(byPath(await run({ dryRun: true }))['acme/shop']).toMatchObject({
      status: 'unchanged',
      reason: expect.stringMatching(/^would put /),
    });
    expect(fake.writes()).toEqual([]);
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'unchanged', reason: expect.stringContaining('hidden record') });
    expect(commitWrites()).toEqual([]);
    expect(fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit).toBe(head);
    const description = fake.mergeRequests('acme/shop')[0]?.description ?? '';
    expect(description.startsWith(`${theirs}\n\n<!-- cigen:content-hash=`)).toBe(true);
    expect(description.endsWith(`<!-- cigen:head=${head} -->`)).toBe(true);

    fake.resetLog();
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'unchanged', reason: null });
    expect(fake.writes()).toEqual([]);
  });
});

describe('a project whose default branch changed after the merge request was opened (GitLab leaves the MR on its target)', () => {
  const head = (path: string, branch: string) => fake.branches(path).find((b) => b.name === branch)?.commit;
  /** `trunk` made from main with a commit of its own, then made the default branch. */
  const moveDefault = (path: string, files: Record<string, string>) => {
    fake.pushAsHuman(path, 'trunk', files, 'trunk only');
    fake.setDefaultBranch(path, 'trunk');
  };

  for (const [what, files] of [
    ['its pipeline the same', { 'README.md': 'trunk only\n' }],
    ['its pipeline changed there', { '.gitlab-ci.yml': `${KANIKO_CI}\n# trunk\n` }],
  ] as const)
    it(`is retargeted to the new default and its branch rebuilt there, never on another base (${what})`, async () => {
      const id = fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
      await run();
      moveDefault('acme/shop', files);

      fake.resetLog();
      expect(byPath(await run({ dryRun: true }))['acme/shop']).toMatchObject({
        status: 'updated',
        reason: expect.stringMatching(/^would retarget the merge request from main to trunk/),
      });
      expect(fake.writes()).toEqual([]);

      expect(byPath(await run())['acme/shop']).toMatchObject({
        status: 'updated',
        reason: 'retargeted from main to trunk, the default branch now; the branch rebuilt on it',
      });
      expect(fake.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
        `POST /api/v4/projects/${id}/repository/commits`,
        `PUT /api/v4/projects/${id}/merge_requests/1`,
      ]);
      const [mr] = fake.mergeRequests('acme/shop');
      expect(mr?.target_branch).toBe('trunk');
      // The branch is trunk and the bot's one commit: nothing of another branch rides along.
      expect(fake.commits('acme/shop', BRANCH)[1]?.id).toBe(head('acme/shop', 'trunk'));
      expect(mr?.description).toContain(`<!-- cigen:head=${head('acme/shop', BRANCH)} -->`);

      fake.resetLog();
      expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'unchanged' });
      expect(fake.writes()).toEqual([]);
    });
});

describe('a merge request GitLab is merging (state locked: MergeRequest#lock_mr, opened -> locked -> merged)', () => {
  it('is left alone: no reset of its branch, no second merge request', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    const head = fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit;
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed\n` });
    fake.lockMergeRequest('acme/shop', 1);

    fake.resetLog();
    for (const dryRun of [true, false])
      expect(byPath(await run({ dryRun }))['acme/shop']).toMatchObject({
        status: 'skipped',
        reason: 'merge request !1 is being merged (locked); the bot leaves it',
        mergeRequest: expect.stringMatching(/\/merge_requests\/1$/),
      });
    expect(fake.writes()).toEqual([]);
    expect(fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit).toBe(head);
    expect(fake.mergeRequests('acme/shop')).toHaveLength(1);
  });
});

describe('a project with more protected branch rules than GitLab lists (ProtectedBranchesFinder::LIMIT, 100)', () => {
  const rules = Array.from({ length: 100 }, (_, i) => `release/${i}`);

  it('gets no new bot branch: a rule past the hundredth (cigen/*) could protect it, and the list does not show it', async () => {
    fake.addProject({ path: 'acme/shop', protectedBranches: ['main', ...rules, 'cigen/*'], files: { '.gitlab-ci.yml': KANIKO_CI } });
    for (const dryRun of [true, false])
      expect(byPath(await run({ dryRun }))['acme/shop']).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining('more protected branch rules than GitLab lists'),
      });
    expect(fake.writes()).toEqual([]);
    expect(fake.branches('acme/shop').map((b) => b.name)).toEqual(['main']);
  });

  it("still updates its existing branch, which GitLab itself says is not protected (the branch's own flag weighs every rule)", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    for (const rule of rules) fake.protectBranch('acme/shop', rule);
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed\n` });
    expect(byPath(await run())['acme/shop']?.status).toBe('updated');
    fake.protectBranch('acme/shop', 'cigen/*');
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed again\n` });
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('is a protected branch') });
  });
});

describe('an instance that signs web commits (GitLab takes REST API commits for web ones: the committer is GitLab, the author the user)', () => {
  const head = () => fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit;
  const signatureReads = () => fake.requests.filter((r) => r.path.endsWith('/signature'));
  const someoneChanged = `${BRANCH} has changed since the bot's last commit (by human@example.com); the bot leaves it to them`;
  beforeEach(() => {
    fake.webCommitSigning = GITLAB_COMMITTER;
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
  });

  it('a branch written by a run whose merge request was not opened is reused by the next: one commit, one merge request', async () => {
    fake.inject({ method: 'POST', path: /\/merge_requests$/, drop: true, times: FAST_RETRY.attempts });
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('the next run reuses the branch'),
    });
    const written = head();
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'opened', reason: null });
    expect(head()).toBe(written);
    expect(fake.commits('acme/shop', BRANCH).filter((c) => c.author_email === fake.botUser.email)).toHaveLength(1);
    expect(fake.mergeRequests('acme/shop')).toHaveLength(1);
    expect(commitWrites()).toHaveLength(1);
  });

  it("a branch GitLab created while its answer was lost (the resend refused) is the bot's: it goes on to the merge request", async () => {
    fake.inject({ method: 'POST', path: /\/repository\/commits$/, status: 502, handle: true });
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'opened', reason: null });
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${head()} -->`);
  });

  it('a head the record does not name (the description update failed after the commit) is brought up to date, no comment', async () => {
    await run();
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed\n` });
    fake.inject({ method: 'PUT', path: /\/merge_requests\/1$/, drop: true, times: FAST_RETRY.attempts });
    expect(byPath(await run())['acme/shop']?.status).toBe('failed');
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'updated', reason: null });
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${head()} -->`);
    expect(fake.notes('acme/shop', 1)).toEqual([]);
    expect(byPath(await run())['acme/shop']?.status).toBe('unchanged');
  });

  it('a description people rewrote, record and all: the record is put back, no comment', async () => {
    const id = fake.addProject({ path: 'acme/cart', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    expect((await api('PUT', `/projects/${id}/merge_requests/1`, { description: 'Ours now.' })).status).toBe(200);
    expect(byPath(await run())['acme/cart']).toMatchObject({ status: 'unchanged', reason: expect.stringContaining('hidden record') });
    expect(fake.notes('acme/cart', 1)).toEqual([]);
  });

  it("a person's amend through git keeps the bot as author but is not signed by GitLab: the person's, named", async () => {
    await run();
    fake.amendAsHuman('acme/shop', BRANCH, { '.gitlab-ci.yml': 'build:\n  script: [make image]\n' });
    const amended = head();
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'human-modified', reason: someoneChanged });
    expect(head()).toBe(amended);
    expect(fake.notes('acme/shop', 1)).toHaveLength(1);
  });

  it("a person's amend signed with their own key (verified, not verified_system) is the person's too", async () => {
    fake.inject({ method: 'POST', path: /\/merge_requests$/, drop: true, times: FAST_RETRY.attempts });
    await run();
    fake.amendAsHuman('acme/shop', BRANCH, { '.gitlab-ci.yml': 'build:\n  script: [make image]\n' }, undefined, 'verified');
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'human-modified',
      reason: `${BRANCH} has commits the bot did not make (by human@example.com) and no open merge request; left alone`,
    });
    expect(fake.mergeRequests('acme/shop')).toEqual([]);
  });

  it("a person's web edit (GitLab the committer and signer, the person the author) is the person's, and names the person only", async () => {
    await run();
    fake.webEditAsHuman('acme/shop', BRANCH, { 'notes.md': 'mine\n' });
    fake.resetLog();
    expect(byPath(await run())['acme/shop']).toMatchObject({ status: 'human-modified', reason: someoneChanged });
    // The signature is asked of the bot's own commit only: the person's has another author.
    expect(signatureReads().map((r) => r.path)).toEqual([
      `/api/v4/projects/1/repository/commits/${fake.commits('acme/shop', BRANCH)[1]?.id}/signature`,
    ]);
    expect(commitWrites()).toEqual([]);
  });

  it('a signature of the wrong shape fails the project, saying where', async () => {
    fake.inject({ method: 'POST', path: /\/merge_requests$/, drop: true, times: FAST_RETRY.attempts });
    await run();
    fake.inject({ method: 'GET', path: /\/signature$/, status: 200, body: { signature_type: 'SSH' } });
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'failed',
      reason: `unexpected response from GitLab (signature of commit ${head()?.slice(0, 12)} of acme/shop): must have required property 'verification_status'`,
    });
  });

  it('where GitLab does not sign them, the bot asks for no signature, whatever it does', async () => {
    fake.webCommitSigning = null;
    fake.inject({ method: 'POST', path: /\/merge_requests$/, drop: true, times: FAST_RETRY.attempts });
    await run();
    expect(byPath(await run())['acme/shop']?.status).toBe('opened');
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed\n` });
    expect(byPath(await run())['acme/shop']?.status).toBe('updated');
    fake.pushAsHuman('acme/shop', BRANCH, { 'notes.md': 'mine\n' });
    expect(byPath(await run())['acme/shop']?.status).toBe('human-modified');
    expect(signatureReads()).toEqual([]);
  });
});

describe("a custom ci_config_path, looked for as GitLab does (Gitlab::Ci::ProjectConfig::SOURCES: the repository, then another project's file, then a URL)", () => {
  it('reads the repository first, whatever the path holds, and says where GitLab reads one that is not there', async () => {
    const seeds: [string, string, Record<string, string>][] = [
      ['acme/at-local', 'ci/v1@2/pipeline.yml', { 'ci/v1@2/pipeline.yml': KANIKO_CI }],
      ['acme/at-in-repo', 'ci.yml@v2', { 'ci.yml@v2': KANIKO_CI }],
      ['acme/at-missing', 'ci/v1@2/pipeline.yml', { '.gitlab-ci.yml': KANIKO_CI }],
      ['acme/external', '.gitlab-ci.yml@acme/configs:main', { '.gitlab-ci.yml': KANIKO_CI }],
      ['acme/remote', 'https://example.com/ci.yml', {}],
      ['acme/upper', 'HTTPS://example.com/ci.yml', {}],
    ];
    for (const [path, ciConfigPath, files] of seeds) fake.addProject({ path, ciConfigPath, files });
    const report = byPath(await run());
    expect(Object.fromEntries(seeds.map(([path]) => [path, [report[path]?.status, report[path]?.reason]]))).toEqual({
      'acme/at-local': ['opened', null],
      'acme/at-in-repo': ['opened', null],
      'acme/at-missing': ['skipped', 'no pipeline file (ci/v1@2/pipeline.yml) on main'],
      'acme/external': ['skipped', 'GitLab reads the pipeline file from another project (ci_config_path .gitlab-ci.yml@acme/configs:main)'],
      'acme/remote': ['skipped', 'GitLab reads the pipeline file from a URL (ci_config_path https://example.com/ci.yml)'],
      // URI::DEFAULT_PARSER.make_regexp(%w[http https]) is case-sensitive: GitLab finds no pipeline file there.
      'acme/upper': ['skipped', 'no pipeline file (HTTPS://example.com/ci.yml) on main'],
    });
    expect(fake.file('acme/at-local', BRANCH, 'ci/v1@2/pipeline.yml')).toContain('component:');
  });
});

describe("a person's merge request from the bot's branch into another branch (GitLab allows it: MergeRequest#validate_branches refuses only the same source and target)", () => {
  const head = () => fake.branches('acme/shop').find((b) => b.name === BRANCH)?.commit;
  const backport = { targetBranch: 'release/1', title: 'Backport buildah to release/1', description: 'Backport for the 1.x line.' };
  const theirs = () => fake.mergeRequests('acme/shop').find((mr) => mr.iid === 2);

  it("is left alone: the bot keeps to its own (listed after the person's), neither retargets nor rewrites the person's", async () => {
    const id = fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    fake.pushAsHuman('acme/shop', 'release/1', { CHANGELOG: '1.x\n' });
    expect(fake.openMergeRequestAsHuman('acme/shop', BRANCH, backport)).toBe(2);

    fake.resetLog();
    for (const dryRun of [true, false])
      expect(byPath(await run({ dryRun }))['acme/shop']).toMatchObject({
        status: 'unchanged',
        mergeRequest: expect.stringMatching(/\/merge_requests\/1$/),
      });
    expect(fake.writes()).toEqual([]);

    // The default branch changes the pipeline: the bot's own is brought up to date, the person's untouched.
    fake.pushAsHuman('acme/shop', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}\n# changed\n` });
    fake.resetLog();
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'updated',
      reason: null,
      mergeRequest: expect.stringMatching(/\/merge_requests\/1$/),
    });
    expect(fake.writes().map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual([
      `POST /api/v4/projects/${id}/repository/commits 201`,
      `PUT /api/v4/projects/${id}/merge_requests/1 200`,
    ]);
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${head()} -->`);
    expect(theirs()).toMatchObject({ state: 'opened', target_branch: 'release/1', description: 'Backport for the 1.x line.' });
    expect(byPath(await run())['acme/shop']?.status).toBe('unchanged');
  });

  it("ended (closed or merged) says nothing of the bot's change: with none of its own, the bot opens one into the default branch", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    // A run that wrote the branch but could not open its merge request.
    fake.inject({ method: 'POST', path: /\/merge_requests$/, status: 500 });
    expect(byPath(await run())['acme/shop']?.status).toBe('failed');
    const written = head();
    fake.pushAsHuman('acme/shop', 'release/1', { CHANGELOG: '1.x\n' });
    expect(fake.openMergeRequestAsHuman('acme/shop', BRANCH, backport)).toBe(1);
    fake.closeMergeRequest('acme/shop', 1);

    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'opened',
      reason: null,
      mergeRequest: expect.stringMatching(/\/merge_requests\/2$/),
    });
    expect(head()).toBe(written);
    expect(fake.mergeRequests('acme/shop').map((mr) => [mr.iid, mr.state, mr.target_branch])).toEqual([
      [1, 'closed', 'release/1'],
      [2, 'opened', 'main'],
    ]);
  });

  it("into the new default branch, when the bot's own must be retargeted there: GitLab's 409 fails it, linked, naming the reset", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    fake.pushAsHuman('acme/shop', 'trunk', { 'README.md': 'trunk only\n' }, 'trunk only');
    fake.setDefaultBranch('acme/shop', 'trunk');
    expect(fake.openMergeRequestAsHuman('acme/shop', BRANCH, { targetBranch: 'trunk', description: 'Ours, into trunk.' })).toBe(2);

    const failed = byPath(await run())['acme/shop'];
    expect(failed).toEqual({
      path: 'acme/shop',
      status: 'failed',
      mergeRequest: expect.stringMatching(/\/merge_requests\/1$/),
      reason:
        `${BRANCH} was reset (commit ${head()?.slice(0, 12)}); retargeting merge request !1 to trunk failed: ` +
        'PUT /api/v4/projects/1/merge_requests/1: 409 ["Another open merge request already exists for this source branch: !2"]',
    });
    expect(fake.mergeRequests('acme/shop').map((mr) => [mr.iid, mr.target_branch, mr.description.startsWith('Ours')])).toEqual([
      [1, 'main', false],
      [2, 'trunk', true],
    ]);
  });

  it('after a retarget GitLab refused, a run again tries the retarget, not the reset: no new commit on the branch each run', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    await run();
    fake.pushAsHuman('acme/shop', 'trunk', { 'README.md': 'trunk only\n' }, 'trunk only');
    fake.setDefaultBranch('acme/shop', 'trunk');
    fake.openMergeRequestAsHuman('acme/shop', BRANCH, { targetBranch: 'trunk', description: 'Ours, into trunk.' });
    expect(byPath(await run())['acme/shop']?.status).toBe('failed');
    const rebuilt = head();
    const commits = () => fake.writes().filter((w) => w.method === 'POST' && w.path.endsWith('/repository/commits')).length;

    fake.resetLog();
    for (let again = 0; again < 2; again++)
      expect(byPath(await run())['acme/shop']).toEqual({
        path: 'acme/shop',
        status: 'failed',
        mergeRequest: expect.stringMatching(/\/merge_requests\/1$/),
        reason:
          'retargeting merge request !1 to trunk failed: ' +
          'PUT /api/v4/projects/1/merge_requests/1: 409 ["Another open merge request already exists for this source branch: !2"]',
      });
    // Neither the bot's merge request nor the person's from the branch got a new commit (a pipeline, approvals reset).
    expect(commits()).toBe(0);
    expect(head()).toBe(rebuilt);

    // Once people close theirs, the retarget goes through, still without a commit.
    fake.closeMergeRequest('acme/shop', 2);
    expect(byPath(await run({ dryRun: true }))['acme/shop']?.reason).toMatch(
      /^would retarget the merge request from main to trunk and update the merge request description \(dry run/,
    );
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'updated',
      reason: 'retargeted from main to trunk, the default branch now; the branch was rebuilt on it before',
    });
    expect(commits()).toBe(0);
    expect(head()).toBe(rebuilt);
    expect(fake.mergeRequests('acme/shop').map((mr) => [mr.iid, mr.state, mr.target_branch])).toEqual([
      [1, 'opened', 'trunk'],
      [2, 'closed', 'trunk'],
    ]);
    expect(fake.mergeRequests('acme/shop')[0]?.description).toContain(`<!-- cigen:head=${rebuilt} -->`);
    expect(byPath(await run())['acme/shop']?.status).toBe('unchanged');
  });

  it("still open, with none of the bot's own: the bot opens its own into the default branch beside it", async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'POST', path: /\/merge_requests$/, status: 500 });
    await run();
    fake.pushAsHuman('acme/shop', 'release/1', { CHANGELOG: '1.x\n' });
    fake.openMergeRequestAsHuman('acme/shop', BRANCH, backport);

    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'opened',
      mergeRequest: expect.stringMatching(/\/merge_requests\/2$/),
    });
    expect(fake.mergeRequests('acme/shop')[0]).toMatchObject({ target_branch: 'release/1', description: 'Backport for the 1.x line.' });
    expect(byPath(await run())['acme/shop']).toMatchObject({
      status: 'unchanged',
      mergeRequest: expect.stringMatching(/\/merge_requests\/2$/),
    });
  });
});
