/** The fake GitLab, driven by the real @gitbeaker/rest client (and plain fetch where gitbeaker would retry). */
import { Gitlab, GitbeakerRequestError, type AllMergeRequestsOptions } from '@gitbeaker/rest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeGitLab, GITLAB_COMMITTER, KANIKO_CI, seedInstance } from '../helpers/fake-gitlab.js';

type Json = Record<string, unknown>;

let fake: FakeGitLab;
let api: InstanceType<typeof Gitlab>;

beforeEach(async () => {
  fake = await FakeGitLab.start();
  api = new Gitlab({ host: fake.url, token: fake.token });
});
afterEach(async () => {
  await fake.stop();
});

/** The HTTP status a gitbeaker call was refused with. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GitbeakerRequestError) return (error.cause as { response: Response }).response.status;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** The JSON error body a gitbeaker call was refused with. */
async function errorBody(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GitbeakerRequestError)
      return JSON.parse(error.message.startsWith('[') || error.message.startsWith('{') ? error.message : JSON.stringify(error.message));
    throw error;
  }
  throw new Error('the call succeeded');
}

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${fake.url}/api/v4${path}`, { ...init, headers: { 'private-token': fake.token, ...(init.headers ?? {}) } });

describe('FakeGitLab: listing and pagination', () => {
  it('pages 250 group projects (subgroups included) the way gitbeaker follows them', async () => {
    for (let i = 1; i <= 250; i += 1) fake.addProject({ path: i % 5 === 0 ? `g/sub/p${i}` : `g/p${i}` });
    fake.addProject({ path: 'other/x' });

    const all = (await api.Groups.allProjects('g', { includeSubgroups: true, perPage: 100 })) as unknown as Json[];
    expect(all).toHaveLength(250);
    // GitLab's default order: created_at desc, the newest first.
    expect(all.map((p) => p['id'])).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
    // gitbeaker followed rel="next" twice, carrying the original query along.
    const pages = fake.requests.filter((r) => r.path === '/api/v4/groups/g/projects');
    expect(pages).toHaveLength(3);
    expect(pages.map((r) => new URLSearchParams(r.query).get('page'))).toEqual([null, '2', '3']);
    expect(
      pages.every(
        (r) => new URLSearchParams(r.query).get('include_subgroups') === 'true' && new URLSearchParams(r.query).get('per_page') === '100',
      ),
    ).toBe(true);

    const direct = (await api.Groups.allProjects('g', { perPage: 100 })) as unknown as Json[];
    expect(direct).toHaveLength(200);

    const page2 = await api.Groups.allProjects('g', {
      includeSubgroups: true,
      perPage: 100,
      page: 2,
      maxPages: 1,
      showExpanded: true,
      pagination: 'offset',
    });
    expect(page2.data).toHaveLength(100);
    expect(page2.paginationInfo).toEqual({ total: 250, next: 3, current: 2, previous: 1, perPage: 100, totalPages: 3 });
    const page3 = await api.Groups.allProjects('g', {
      includeSubgroups: true,
      perPage: 100,
      page: 3,
      maxPages: 1,
      showExpanded: true,
      pagination: 'offset',
    });
    expect(page3.data).toHaveLength(50);
    expect(page3.paginationInfo.next).toBeNull();
  });

  it('sends the offset headers and link on every list', async () => {
    for (let i = 1; i <= 5; i += 1) fake.addProject({ path: `g/p${i}` });
    const res = await get('/projects?per_page=2&page=2');
    expect(res.status).toBe(200);
    expect(
      Object.fromEntries(
        ['x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages'].map((h) => [h, res.headers.get(h)]),
      ),
    ).toEqual({
      'x-page': '2',
      'x-per-page': '2',
      'x-next-page': '3',
      'x-prev-page': '1',
      'x-total': '5',
      'x-total-pages': '3',
    });
    const link = res.headers.get('link') ?? '';
    expect(link).toContain(`<${fake.url}/api/v4/projects?per_page=2&page=3>; rel="next"`);
    expect(link).toContain('rel="prev"');
    expect(link).toContain('rel="first"');
    expect(link).toContain('rel="last"');
    const last = await get('/projects?per_page=2&page=3');
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('link')).not.toContain('rel="next"');
    expect(((await last.json()) as unknown[]).length).toBe(1);
  });

  it('filters archived projects and lists every project with Projects.all', async () => {
    fake.addProject({ path: 'g/live' });
    fake.addProject({ path: 'g/old', archived: true });
    const all = (await api.Projects.all({ perPage: 100 })) as unknown as Json[];
    expect(all.map((p) => p['path_with_namespace'])).toEqual(['g/old', 'g/live']);
    const live = (await api.Projects.all({ perPage: 100, archived: false })) as unknown as Json[];
    expect(live.map((p) => p['path_with_namespace'])).toEqual(['g/live']);
    const grouped = (await api.Groups.allProjects('g', { archived: true })) as unknown as Json[];
    expect(grouped.map((p) => p['path'])).toEqual(['old']);
    expect(await statusOf(api.Groups.allProjects('nope'))).toBe(404);
  });

  it('supports keyset pagination on project lists', async () => {
    for (let i = 1; i <= 7; i += 1) fake.addProject({ path: `g/p${i}` });
    const all = (await api.Projects.all({ pagination: 'keyset', orderBy: 'id', sort: 'asc', perPage: 3 })) as unknown as Json[];
    expect(all.map((p) => p['id'])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(fake.requests.map((r) => new URLSearchParams(r.query).get('id_after'))).toEqual([null, '3', '6']);
  });

  it("filters a group's projects by id_after and orders them by id, but pages them by offset only, as GitLab does", async () => {
    for (let i = 1; i <= 7; i += 1) fake.addProject({ path: `g/p${i}` });
    const page = await get('/groups/g/projects?order_by=id&sort=asc&id_after=2&per_page=3&pagination=keyset');
    expect(((await page.json()) as Json[]).map((p) => p['id'])).toEqual([3, 4, 5]);
    expect([page.headers.get('x-total'), page.headers.get('x-next-page')]).toEqual(['5', '2']);
  });
});

describe('FakeGitLab: projects, files, branches', () => {
  beforeEach(() => {
    fake.addProject({ path: 'g/p', files: { '.gitlab-ci.yml': 'test:\n  script: [true]\n', 'ci/build.yml': 'build: {}\n' } });
  });

  it('shows a project by encoded path or by id, with GitLab fields', async () => {
    const project = (await api.Projects.show('g/p')) as unknown as Json;
    expect(project).toMatchObject({
      id: 1,
      name: 'p',
      path: 'p',
      path_with_namespace: 'g/p',
      name_with_namespace: 'g / p',
      default_branch: 'main',
      archived: false,
      empty_repo: false,
      ci_config_path: '',
      web_url: `${fake.url}/g/p`,
      http_url_to_repo: `${fake.url}/g/p.git`,
      visibility: 'private',
      permissions: { project_access: { access_level: 40, notification_level: 3 }, group_access: null },
    });
    expect((project['namespace'] as Json)['full_path']).toBe('g');
    expect(((await api.Projects.show(1)) as unknown as Json)['path_with_namespace']).toBe('g/p');
    expect(fake.requests[0]?.path).toBe('/api/v4/projects/g/p');
    expect(await statusOf(api.Projects.show('g/missing'))).toBe(404);
  });

  it('reports an empty repository and lets the first commit create the default branch', async () => {
    fake.addProject({ path: 'g/empty', defaultBranch: '' });
    const project = (await api.Projects.show('g/empty')) as unknown as Json;
    expect(project).toMatchObject({ default_branch: null, empty_repo: true });
    await api.Commits.create('g/empty', 'main', 'first', [{ action: 'create', filePath: 'README.md', content: 'hi' }]);
    expect(((await api.Projects.show('g/empty')) as unknown as Json)['default_branch']).toBe('main');
    expect(fake.file('g/empty', 'main', 'README.md')).toBe('hi');
  });

  it('serves raw files by ref, 404 for a missing file or ref', async () => {
    expect(await api.RepositoryFiles.showRaw('g/p', '.gitlab-ci.yml', 'main')).toBe('test:\n  script: [true]\n');
    expect(await api.RepositoryFiles.showRaw('g/p', 'ci/build.yml', 'main')).toBe('build: {}\n');
    expect(fake.requests.map((r) => r.path)).toContain('/api/v4/projects/g/p/repository/files/ci/build.yml/raw');

    const error = await api.RepositoryFiles.showRaw('g/p', 'nope.yml', 'main').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitbeakerRequestError);
    expect(((error as GitbeakerRequestError).cause as { response: Response }).response.status).toBe(404);
    expect((error as Error).message).toBe('404 File Not Found');
    expect(await errorBody(api.RepositoryFiles.showRaw('g/p', '.gitlab-ci.yml', 'no-such-branch'))).toBe('404 Commit Not Found');

    const shown = (await api.RepositoryFiles.show('g/p', 'ci/build.yml', 'main')) as unknown as Json;
    expect(Buffer.from(shown['content'] as string, 'base64').toString()).toBe('build: {}\n');
  });

  it("refuses a file path with a `..` segment, as GitLab's FilePath validator does (400), whether or not a file is there", async () => {
    for (const path of ['../ci/build.yml', 'ci/../ci/build.yml', 'ci/..'])
      expect([path, await statusOf(api.RepositoryFiles.showRaw('g/p', path, 'main'))]).toEqual([path, 400]);
    expect(await errorBody(api.RepositoryFiles.show('g/p', 'ci/../.gitlab-ci.yml', 'main'))).toBe('file_path should be a valid file path');
    // A name that only starts with dots is a file name like any other.
    expect(await statusOf(api.RepositoryFiles.showRaw('g/p', 'ci/..build.yml', 'main'))).toBe(404);
  });

  it('creates a commit on a new branch, shows the branch, compares it with main', async () => {
    const commit = (await api.Commits.create(
      'g/p',
      'cigen/feature',
      'Add a\n\nbody',
      [{ action: 'create', filePath: 'a.txt', content: 'x\n' }],
      { startBranch: 'main' },
    )) as unknown as Json;
    expect(commit['id']).toMatch(/^[0-9a-f]{40}$/);
    expect(commit).toMatchObject({
      title: 'Add a',
      message: 'Add a\n\nbody',
      author_email: fake.botUser.email,
      committer_email: fake.botUser.email,
      stats: { additions: 1, deletions: 0, total: 1 },
    });
    // gitbeaker sends the branch name as one encoded segment and the body in snake_case.
    expect(fake.writes()).toEqual([{ method: 'POST', path: '/api/v4/projects/g/p/repository/commits', query: '', status: 201 }]);

    const branch = (await api.Branches.show('g/p', 'cigen/feature')) as unknown as Json;
    expect(branch).toMatchObject({ name: 'cigen/feature', protected: false, default: false, merged: false });
    expect((branch['commit'] as Json)['id']).toBe(commit['id']);
    const main = (await api.Branches.show('g/p', 'main')) as unknown as Json;
    expect(main).toMatchObject({ protected: true, default: true });
    expect((commit['parent_ids'] as string[])[0]).toBe((main['commit'] as Json)['id']);
    expect(await statusOf(api.Branches.show('g/p', 'nope'))).toBe(404);

    const compare = (await api.Repositories.compare('g/p', 'main', 'cigen/feature')) as unknown as Json;
    expect((compare['commits'] as Json[]).map((c) => c['id'])).toEqual([commit['id']]);
    expect((compare['commit'] as Json)['id']).toBe(commit['id']);
    expect(compare['diffs']).toEqual([
      expect.objectContaining({ new_path: 'a.txt', new_file: true, deleted_file: false, diff: '@@ -0,0 +1 @@\n+x\n' }),
    ]);
    expect(compare['compare_same_ref']).toBe(false);
    const back = (await api.Repositories.compare('g/p', 'cigen/feature', 'main')) as unknown as Json;
    expect(back['commits']).toEqual([]);

    expect(fake.file('g/p', 'cigen/feature', 'a.txt')).toBe('x\n');
    expect(fake.file('g/p', 'main', 'a.txt')).toBeUndefined();
    expect(fake.commits('g/p', 'cigen/feature').map((c) => c.message)).toEqual(['Add a\n\nbody', 'Initial commit']);
    expect(fake.branches('g/p')).toEqual([
      { name: 'cigen/feature', commit: commit['id'], protected: false },
      { name: 'main', commit: (main['commit'] as Json)['id'], protected: true },
    ]);
  });

  it('applies GitLab rules to commit actions and branches', async () => {
    const create = (
      branch: string,
      actions: { action: 'create' | 'update' | 'delete'; filePath: string; content?: string }[],
      options: { startBranch?: string; force?: boolean } = {},
    ) => api.Commits.create('g/p', branch, 'm', actions, options);
    expect(await errorBody(create('new', [{ action: 'create', filePath: 'b', content: '' }]))).toBe(
      'You can only create or edit files when you are on a branch',
    );
    expect(await errorBody(create('new', [{ action: 'create', filePath: 'b', content: '' }], { startBranch: 'nope' }))).toBe(
      'You can only create or edit files when you are on a branch',
    );
    expect(await errorBody(create('main', [{ action: 'create', filePath: 'ci/build.yml', content: '' }]))).toBe(
      'A file with this name already exists',
    );
    expect(await errorBody(create('main', [{ action: 'update', filePath: 'nope', content: '' }]))).toBe(
      "A file with this name doesn't exist",
    );
    expect(await errorBody(create('main', [{ action: 'delete', filePath: 'nope' }]))).toBe("A file with this name doesn't exist");
    expect(fake.commits('g/p', 'main')).toHaveLength(1);

    await create('topic', [{ action: 'create', filePath: 'one', content: '1' }], { startBranch: 'main' });
    expect(await errorBody(create('topic', [{ action: 'create', filePath: 'two', content: '2' }], { startBranch: 'main' }))).toBe(
      "A branch called 'topic' already exists. Switch to that branch in order to make changes",
    );
    // Same branch as start: a plain commit on top.
    await create('topic', [{ action: 'update', filePath: 'one', content: '1b' }], { startBranch: 'topic' });
    expect(fake.commits('g/p', 'topic')).toHaveLength(3);
    // force: the branch is reset to the start branch, the commit goes on top.
    await create('topic', [{ action: 'create', filePath: 'two', content: '2' }], { startBranch: 'main', force: true });
    expect(fake.commits('g/p', 'topic')).toHaveLength(2);
    expect(fake.file('g/p', 'topic', 'one')).toBeUndefined();
    expect(fake.file('g/p', 'topic', 'two')).toBe('2');

    await create('main', [
      { action: 'update', filePath: '.gitlab-ci.yml', content: 'new\n' },
      { action: 'delete', filePath: 'ci/build.yml' },
    ]);
    expect(fake.file('g/p', 'main', '.gitlab-ci.yml')).toBe('new\n');
    expect(fake.file('g/p', 'main', 'ci/build.yml')).toBeUndefined();
  });

  it('refuses pushes to protected branches below maintainer, and every write for reporters', async () => {
    fake.addProject({ path: 'g/dev', accessLevel: 30, protectedBranches: ['main', 'release/*'] });
    fake.addProject({ path: 'g/rep', accessLevel: 20 });
    const action = [{ action: 'create' as const, filePath: 'f', content: 'f' }];
    expect(await statusOf(api.Commits.create('g/dev', 'main', 'm', action))).toBe(403);
    expect(await errorBody(api.Commits.create('g/dev', 'main', 'm', action))).toBe('You are not allowed to push into this branch');
    expect(await statusOf(api.Commits.create('g/dev', 'release/1.0', 'm', action, { startBranch: 'main' }))).toBe(403);
    await api.Commits.create('g/dev', 'topic', 'm', action, { startBranch: 'main' });

    expect(await statusOf(api.Commits.create('g/rep', 'topic', 'm', action, { startBranch: 'main' }))).toBe(403);
    expect(await errorBody(api.Commits.create('g/rep', 'topic', 'm', action, { startBranch: 'main' }))).toBe('403 Forbidden');
    expect(((await api.Projects.show('g/rep')) as unknown as Json)['permissions']).toEqual({
      project_access: { access_level: 20, notification_level: 3 },
      group_access: null,
    });
    // As GitLab renders them: ProjectWithAccess for /projects and /projects/:id, Project (no permissions) for a group's.
    const listed = (await api.Projects.all({ perPage: 100 })) as unknown as Json[];
    expect(listed.find((p) => p['path_with_namespace'] === 'g/rep')?.['permissions']).toMatchObject({
      project_access: { access_level: 20 },
    });
    const grouped = (await api.Groups.allProjects('g', { perPage: 100 })) as unknown as Json[];
    expect(grouped.map((p) => 'permissions' in p)).toEqual(grouped.map(() => false));
    // No membership (an admin, a public project): both accesses null, whatever the user may do.
    fake.addProject({ path: 'g/admin', accessLevel: 60, member: false });
    expect(((await api.Projects.show('g/admin')) as unknown as Json)['permissions']).toEqual({ project_access: null, group_access: null });

    // Maintainers may push to the protected default branch.
    await api.Commits.create('g/p', 'main', 'm', action);
    const protectedList = (await api.ProtectedBranches.all('g/dev')) as unknown as Json[];
    expect(protectedList.map((b) => b['name'])).toEqual(['main', 'release/*']);
    expect(protectedList[0]).toMatchObject({
      push_access_levels: [{ access_level: 40, access_level_description: 'Maintainers' }],
      allow_force_push: false,
    });
    const wildcard = (await api.Branches.show('g/dev', 'topic')) as unknown as Json;
    expect(wildcard['protected']).toBe(false);
  });

  it('shows the current user', async () => {
    const user = (await api.Users.showCurrentUser()) as unknown as Json;
    expect(user).toMatchObject({
      id: fake.botUser.id,
      username: fake.botUser.username,
      email: fake.botUser.email,
      commit_email: fake.botUser.email,
      state: 'active',
    });
  });
});

describe('FakeGitLab: merge requests and notes', () => {
  beforeEach(async () => {
    fake.addProject({ path: 'g/p', files: { 'README.md': 'hi\n' } });
    await api.Commits.create('g/p', 'feature', 'msg', [{ action: 'create', filePath: 'a.txt', content: 'x' }], { startBranch: 'main' });
  });

  it('creates, finds, refuses a duplicate, edits, and comments', async () => {
    const mr = (await api.MergeRequests.create('g/p', 'feature', 'main', 'title', {
      description: 'd',
      removeSourceBranch: true,
      labels: 'cigen,ci',
    })) as unknown as Json;
    expect(mr).toMatchObject({
      iid: 1,
      project_id: 1,
      state: 'opened',
      title: 'title',
      description: 'd',
      source_branch: 'feature',
      target_branch: 'main',
      source_project_id: 1,
      target_project_id: 1,
      web_url: `${fake.url}/g/p/-/merge_requests/1`,
      author: { id: fake.botUser.id, username: fake.botUser.username },
      draft: false,
      labels: ['cigen', 'ci'],
      merged_at: null,
      closed_at: null,
    });
    expect(mr['sha']).toBe(fake.branches('g/p').find((b) => b.name === 'feature')?.commit);

    // gitbeaker's AllMergeRequestsOptions leaves 'all' out of `state`, though GitLab takes it.
    const found = (await api.MergeRequests.all({
      projectId: 'g/p',
      sourceBranch: 'feature',
      state: 'all' as unknown as NonNullable<AllMergeRequestsOptions['state']>,
    })) as unknown as Json[];
    expect(found.map((m) => m['iid'])).toEqual([1]);
    const listed = fake.requests[fake.requests.length - 1];
    expect(listed?.path).toBe('/api/v4/projects/g/p/merge_requests');
    expect(new URLSearchParams(listed?.query).get('source_branch')).toBe('feature');
    expect(await api.MergeRequests.all({ projectId: 'g/p', sourceBranch: 'other' })).toEqual([]);

    const duplicate = api.MergeRequests.create('g/p', 'feature', 'main', 'again');
    expect(await statusOf(duplicate)).toBe(409);
    expect(await errorBody(api.MergeRequests.create('g/p', 'feature', 'main', 'again'))).toEqual([
      'Another open merge request already exists for this source branch: !1',
    ]);
    expect(await statusOf(api.MergeRequests.create('g/p', 'missing', 'main', 't'))).toBe(400);

    const edited = (await api.MergeRequests.edit('g/p', 1, { title: 'new title', description: 'new d' })) as unknown as Json;
    expect(edited).toMatchObject({ iid: 1, title: 'new title', description: 'new d', state: 'opened' });

    const note = (await api.MergeRequestNotes.create('g/p', 1, 'a comment')) as unknown as Json;
    expect(note).toMatchObject({ body: 'a comment', author: { username: fake.botUser.username }, system: false, noteable_iid: 1 });
    await api.MergeRequestNotes.create('g/p', 1, 'second');
    const notes = (await api.MergeRequestNotes.all('g/p', 1)) as unknown as Json[];
    expect(notes.map((n) => n['body'])).toEqual(['second', 'a comment']); // GitLab: newest first by default
    expect(fake.notes('g/p', 1).map((n) => n.body)).toEqual(['a comment', 'second']);

    const closed = (await api.MergeRequests.edit('g/p', 1, { stateEvent: 'close' })) as unknown as Json;
    expect(closed['state']).toBe('closed');
    expect(closed['closed_at']).not.toBeNull();
    const reopenedAsNew = (await api.MergeRequests.create('g/p', 'feature', 'main', 'second try')) as unknown as Json;
    expect(reopenedAsNew['iid']).toBe(2);
    expect(((await api.MergeRequests.all({ projectId: 'g/p', state: 'opened' })) as unknown as Json[]).map((m) => m['iid'])).toEqual([2]);
    expect(fake.mergeRequests('g/p').map((m) => [m.iid, m.state])).toEqual([
      [1, 'closed'],
      [2, 'opened'],
    ]);
  });

  it('refuses a retarget onto a source and target branch another open merge request has (MergeRequest#validate_branches, on every save)', async () => {
    fake.pushAsHuman('g/p', 'release/1', { 'b.txt': 'y' });
    await api.MergeRequests.create('g/p', 'feature', 'main', 'into main');
    expect(fake.openMergeRequestAsHuman('g/p', 'feature', { targetBranch: 'release/1', description: 'backport' })).toBe(2);
    expect(() => fake.openMergeRequestAsHuman('g/p', 'feature', { targetBranch: 'release/1' })).toThrow(
      /open from feature into release\/1 already/,
    );
    expect(fake.mergeRequests('g/p').map((m) => [m.iid, m.state, m.target_branch])).toEqual([
      [1, 'opened', 'main'],
      [2, 'opened', 'release/1'],
    ]);
    const person = (await api.MergeRequests.show('g/p', 2)) as unknown as Json;
    expect(person['author']).toMatchObject({ username: 'human' });

    expect(await errorBody(api.MergeRequests.edit('g/p', 2, { targetBranch: 'main', description: 'mine' }))).toEqual([
      'Another open merge request already exists for this source branch: !1',
    ]);
    expect(await statusOf(api.MergeRequests.edit('g/p', 1, { targetBranch: 'release/1' }))).toBe(409);
    expect(fake.mergeRequests('g/p').map((m) => [m.iid, m.target_branch, m.description])).toEqual([
      [1, 'main', ''],
      [2, 'release/1', 'backport'],
    ]);
    // The same target again, or one no other takes, is no conflict; nor is a closed one's retarget.
    expect(((await api.MergeRequests.edit('g/p', 1, { targetBranch: 'main' })) as unknown as Json)['target_branch']).toBe('main');
    await api.MergeRequests.edit('g/p', 2, { stateEvent: 'close' });
    expect(((await api.MergeRequests.edit('g/p', 2, { targetBranch: 'main' })) as unknown as Json)['target_branch']).toBe('main');
    expect(await statusOf(api.MergeRequests.edit('g/p', 2, { stateEvent: 'reopen' }))).toBe(409);
  });

  it('refuses merge requests for reporters', async () => {
    fake.addProject({ path: 'g/rep', accessLevel: 20 });
    fake.pushAsHuman('g/rep', 'feature', { 'a.txt': 'x' });
    expect(await statusOf(api.MergeRequests.create('g/rep', 'feature', 'main', 't'))).toBe(403);
  });

  it('closes and merges merge requests from the test side', async () => {
    await api.MergeRequests.create('g/p', 'feature', 'main', 'one', { removeSourceBranch: true });
    fake.mergeMergeRequest('g/p', 1);
    const [merged] = (await api.MergeRequests.all({ projectId: 'g/p', state: 'merged' })) as unknown as Json[];
    expect(merged).toMatchObject({ iid: 1, state: 'merged' });
    expect(merged?.['merged_at']).not.toBeNull();
    expect(fake.file('g/p', 'main', 'a.txt')).toBe('x');
    expect(fake.branches('g/p').map((b) => b.name)).toEqual(['main']);
    expect(fake.commits('g/p', 'main')[0]?.parent_ids).toHaveLength(2);

    fake.pushAsHuman('g/p', 'other', { 'b.txt': 'y' });
    await api.MergeRequests.create('g/p', 'other', 'main', 'two');
    fake.closeMergeRequest('g/p', 2);
    expect(fake.mergeRequests('g/p').map((m) => m.state)).toEqual(['merged', 'closed']);
  });
});

describe('FakeGitLab: other users, faults, latency, log', () => {
  beforeEach(() => {
    fake.addProject({ path: 'g/p', files: { 'README.md': 'hi\n' } });
  });

  it('shows a human push in compare', async () => {
    await api.Commits.create('g/p', 'cigen/migrate', 'bot', [{ action: 'create', filePath: 'a', content: 'a' }], { startBranch: 'main' });
    fake.pushAsHuman('g/p', 'cigen/migrate', { a: 'changed by hand' }, 'tweak');
    const compare = (await api.Repositories.compare('g/p', 'main', 'cigen/migrate')) as unknown as Json;
    const commits = compare['commits'] as Json[];
    expect(commits.map((c) => [c['title'], c['author_email']])).toEqual([
      ['bot', fake.botUser.email],
      ['tweak', 'human@example.com'],
    ]);
    fake.pushAsHuman('g/p', 'brand-new', { b: 'b' });
    expect(fake.commits('g/p', 'brand-new').map((c) => c.author_email)).toEqual(['human@example.com', 'seed@example.com']);
  });

  it('answers a 429 fault once, then normally', async () => {
    fake.inject({ status: 429, headers: { 'retry-after': '0' }, times: 1 });
    const first = await get('/projects/g%2Fp');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('0');
    expect(await first.json()).toEqual({ message: '429 Too Many Requests' });
    const second = await get('/projects/g%2Fp');
    expect(second.status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('matches faults by method and decoded path, with a custom body', async () => {
    fake.inject({ method: 'POST', path: /\/merge_requests$/, status: 500, body: { message: 'boom' }, times: 2 });
    expect((await get('/projects/g%2Fp/merge_requests')).status).toBe(200);
    const res = await get('/projects/g%2Fp/merge_requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'boom' });
  });

  it('gitbeaker retries a 429 by itself', async () => {
    fake.inject({ path: /^\/api\/v4\/projects\/g\/p$/, status: 429, headers: { 'retry-after': '30' }, times: 2 });
    expect(((await api.Projects.show('g/p')) as unknown as Json)['id']).toBe(1);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('drops a connection', async () => {
    fake.inject({ drop: true });
    await expect(get('/projects/g%2Fp')).rejects.toThrow();
    expect(fake.requests[0]?.status).toBe(0);
    expect((await get('/projects/g%2Fp')).status).toBe(200);
  });

  it('adds latency, globally and per fault, and logs the delay it applied', async () => {
    fake.latencyMs = 60;
    expect((await get('/user')).status).toBe(200);
    fake.latencyMs = 0;
    fake.inject({ delayMs: 80 });
    expect((await get('/user')).status).toBe(200);
    expect((await get('/user')).status).toBe(200);
    expect(fake.requests.map((r) => r.delayedMs)).toEqual([60, 80, undefined]);
  });

  it('tracks concurrency', async () => {
    let release = () => {};
    fake.hold = new Promise((resolve) => (release = resolve));
    const answers = Promise.all([get('/user'), get('/user'), get('/user')]);
    // Held until all three are in: no timing decides the count.
    await vi.waitFor(() => expect(fake.inFlight).toBe(3), { timeout: 30_000 });
    release();
    fake.hold = undefined;
    expect((await answers).map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(fake.maxInFlight).toBe(3);
    expect(fake.inFlight).toBe(0);
  });

  it('refuses a missing or wrong token, 404s unknown routes', async () => {
    const noToken = await fetch(`${fake.url}/api/v4/user`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ message: '401 Unauthorized' });
    expect((await fetch(`${fake.url}/api/v4/user`, { headers: { 'private-token': 'wrong' } })).status).toBe(401);
    const unknown = await get('/nothing/here');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: '404 Not Found' });
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401, 404]);
  });

  it('logs every request and lists the writes', async () => {
    await api.Projects.show('g/p');
    await api.Commits.create('g/p', 'f', 'm', [{ action: 'create', filePath: 'x', content: 'x' }], { startBranch: 'main' });
    await api.MergeRequests.create('g/p', 'f', 'main', 't');
    await api.MergeRequests.edit('g/p', 1, { title: 't2' });
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/v4/projects/g/p 200',
      'POST /api/v4/projects/g/p/repository/commits 201',
      'POST /api/v4/projects/g/p/merge_requests 201',
      'PUT /api/v4/projects/g/p/merge_requests/1 200',
    ]);
    expect(fake.writes().map((r) => r.method)).toEqual(['POST', 'POST', 'PUT']);
    fake.resetLog();
    expect(fake.requests).toEqual([]);
    expect(fake.writes()).toEqual([]);
  });

  it('stop() closes keep-alive connections', async () => {
    expect((await get('/user')).status).toBe(200);
    // With a keep-alive connection still open, a server that did not close it would never stop.
    await fake.stop();
    await expect(get('/user')).rejects.toThrow();
    fake = await FakeGitLab.start(); // for afterEach
  });
});

describe('FakeGitLab: forks, amends, protection, tokens', () => {
  beforeEach(() => {
    fake.addProject({ path: 'g/p', files: { 'README.md': 'hi\n' } });
  });

  it('lists a merge request from a fork with the fork as its source project, beside one from the project itself', async () => {
    const forkId = fake.addProject({ path: 'someone/p', files: { 'README.md': 'hi\n' } });
    fake.pushAsHuman('someone/p', 'feature', { 'a.txt': 'from the fork' });
    const iid = fake.openForkMergeRequest('g/p', 'someone/p', 'feature', { description: 'forked' });
    await api.Commits.create('g/p', 'feature', 'msg', [{ action: 'create', filePath: 'a.txt', content: 'x' }], { startBranch: 'main' });
    // Not a duplicate: GitLab keys open merge requests by source project and branch.
    await api.MergeRequests.create('g/p', 'feature', 'main', 'ours');
    const listed = (await api.MergeRequests.all({ projectId: 'g/p', sourceBranch: 'feature' })) as unknown as Json[];
    expect(listed.map((m) => [m['iid'], m['source_project_id'], m['target_project_id']])).toEqual([
      [2, 1, 1],
      [iid, forkId, 1],
    ]);
    expect(listed[1]?.['sha']).toBe(fake.branches('someone/p').find((b) => b.name === 'feature')?.commit);
    expect(fake.mergeRequests('g/p').map((m) => m.source_project_id)).toEqual([forkId, 1]);
  });

  it('amends a branch head as a person: same parents and author, another committer', async () => {
    await api.Commits.create('g/p', 'topic', 'bot change', [{ action: 'create', filePath: 'a', content: 'a' }], { startBranch: 'main' });
    const [before] = fake.commits('g/p', 'topic');
    fake.amendAsHuman('g/p', 'topic', { a: 'fixed by hand' });
    const [after] = fake.commits('g/p', 'topic');
    expect(after?.id).not.toBe(before?.id);
    expect(after).toMatchObject({ message: 'bot change', author_email: fake.botUser.email, parent_ids: before?.parent_ids });
    expect(fake.file('g/p', 'topic', 'a')).toBe('fixed by hand');
    const head = (await api.Commits.show('g/p', 'topic')) as unknown as Json;
    expect([head['author_email'], head['committer_email']]).toEqual([fake.botUser.email, 'human@example.com']);
  });

  it('signs web commits when set: GitLab the committer, the user the author, the signature verified_system; else none (404)', async () => {
    fake.addProject({ path: 'g/signed' });
    const create = (branch: string) =>
      api.Commits.create('g/signed', branch, 'bot change', [{ action: 'create', filePath: branch, content: 'a' }], { startBranch: 'main' });
    const shown = async (branch: string) => (await api.Commits.show('g/signed', branch)) as unknown as Json;
    await create('plain');
    expect([(await shown('plain'))['committer_email'], await statusOf(api.Commits.showGPGSignature('g/signed', 'plain'))]).toEqual([
      fake.botUser.email,
      404,
    ]);
    fake.webCommitSigning = GITLAB_COMMITTER;
    await create('signed');
    expect([(await shown('signed'))['author_email'], (await shown('signed'))['committer_email']]).toEqual([
      fake.botUser.email,
      'noreply@gitlab.com',
    ]);
    expect(await api.Commits.showGPGSignature('g/signed', 'signed')).toMatchObject({
      signature_type: 'SSH',
      verification_status: 'verified_system',
    });
    // A person's web edit: the person the author; a person's amend through git: theirs, unsigned unless they sign.
    fake.webEditAsHuman('g/signed', 'signed', { b: 'b' });
    expect([(await shown('signed'))['author_email'], (await shown('signed'))['committer_email']]).toEqual([
      'human@example.com',
      'noreply@gitlab.com',
    ]);
    fake.amendAsHuman('g/signed', 'signed', { b: 'c' });
    expect(await statusOf(api.Commits.showGPGSignature('g/signed', 'signed'))).toBe(404);
    fake.amendAsHuman('g/signed', 'signed', { b: 'd' }, undefined, 'verified');
    expect(await api.Commits.showGPGSignature('g/signed', 'signed')).toMatchObject({ verification_status: 'verified' });
  });

  it('protects a branch pattern after the fact', async () => {
    fake.pushAsHuman('g/p', 'cigen/x', { a: 'a' });
    fake.protectBranch('g/p', 'cigen/*');
    expect(((await api.ProtectedBranches.all('g/p')) as unknown as Json[]).map((b) => b['name'])).toEqual(['main', 'cigen/*']);
    expect(((await api.Branches.show('g/p', 'cigen/x')) as unknown as Json)['protected']).toBe(true);
  });

  it('records every token it is sent, and accepts the one it was started with', async () => {
    await get('/user');
    await fetch(`${fake.url}/api/v4/user`, { headers: { authorization: 'Bearer nope' } });
    expect(fake.tokensSeen).toEqual([fake.token, 'Bearer nope']);
    fake.resetLog();
    expect(fake.tokensSeen).toEqual([]);
    const chosen = await FakeGitLab.start({ token: 'glpat-"odd"<token>' });
    try {
      const answer = await fetch(`${chosen.url}/api/v4/user`, { headers: { 'private-token': 'glpat-"odd"<token>' } });
      expect(answer.status).toBe(200);
    } finally {
      await chosen.stop();
    }
  });

  it('answers a redirect fault with its Location', async () => {
    fake.inject({ path: /^\/api\/v4\/user$/, status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    const answer = await get('/user', { redirect: 'manual' });
    expect([answer.status, answer.headers.get('location')]).toEqual([302, 'http://127.0.0.1:9/elsewhere']);
  });
});

describe('seedInstance', () => {
  it('seeds bench/p0001… with a Kaniko job every n-th project', async () => {
    seedInstance(fake, 20, 5);
    const all = (await api.Groups.allProjects('bench', { includeSubgroups: true, perPage: 100 })) as unknown as Json[];
    expect(all.map((p) => p['path_with_namespace'])).toEqual(
      Array.from({ length: 20 }, (_, i) => `bench/p${String(20 - i).padStart(4, '0')}`),
    );
    const kaniko = all.filter((p) => fake.file(p['path_with_namespace'] as string, 'main', '.gitlab-ci.yml')?.includes('/kaniko/executor'));
    expect(kaniko.map((p) => p['path'])).toEqual(['p0020', 'p0015', 'p0010', 'p0005']);
    expect(KANIKO_CI).toContain('gcr.io/kaniko-project/executor:v1.23.2-debug');
    expect(KANIKO_CI).toContain('--destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}"');
    expect(await api.RepositoryFiles.showRaw('bench/p0001', '.gitlab-ci.yml', 'main')).toContain('npm test');
  });

  it('stays light with 2,000 projects', async () => {
    const before = process.memoryUsage().heapUsed;
    seedInstance(fake, 2000, 10);
    const page = await api.Projects.all({ perPage: 100, page: 20, maxPages: 1, showExpanded: true, pagination: 'offset' });
    expect(page.data).toHaveLength(100);
    expect(page.paginationInfo.totalPages).toBe(20);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('FakeGitLab: the CI/CD Catalog, as Releases::CreateService#publish_catalog? decides', () => {
  const COMPONENT = 'spec:\n  inputs:\n    stage: {default: test}\n---\njob:\n  script: [echo]\n';
  const catalogProject = (path: string, extra: Partial<Parameters<FakeGitLab['addProject']>[0]> = {}) =>
    fake.addProject({
      path,
      description: 'Components',
      files: { 'README.md': '# c\n', 'templates/a.yml': COMPONENT },
      catalog: true,
      ...extra,
    });
  const graphql = async (path: string, name?: string) => {
    const response = await fetch(`${fake.url}/api/graphql`, {
      method: 'POST',
      headers: { 'private-token': fake.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query($path: ID!, $name: String) { ciCatalogResource(fullPath: $path) { versions(name: $name) { nodes { name } } } }',
        variables: { path, name },
      }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it('the flag off (GitLab default): every release of a Catalog project is a Catalog version', async () => {
    catalogProject('c/on');
    fake.addProject({ path: 'c/plain', description: 'x', files: { 'README.md': '# p\n', 'templates/a.yml': COMPONENT } });
    await api.ProjectReleases.create('c/on', { tagName: '1.0.0', ref: 'main' });
    await api.ProjectReleases.create('c/plain', { tagName: '1.0.0', ref: 'main' });
    expect(fake.catalogVersions('c/on')).toEqual(['1.0.0']);
    expect(fake.catalogVersions('c/plain')).toBeUndefined();
    expect((await graphql('c/on', '1.0.0')).body).toEqual({ data: { ciCatalogResource: { versions: { nodes: [{ name: '1.0.0' }] } } } });
    expect((await graphql('c/on', '2.0.0')).body).toEqual({ data: { ciCatalogResource: { versions: { nodes: [] } } } });
    const none = await graphql('c/plain', '1.0.0');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ data: { ciCatalogResource: null }, errors: [{ path: ['ciCatalogResource'] }] });
  });

  it('the flag on: only a release with legacy_catalog_publish is published', async () => {
    catalogProject('c/on', { catalogPublishOption: true });
    await api.ProjectReleases.create('c/on', { tagName: '1.0.0', ref: 'main' });
    await api.ProjectReleases.create('c/on', { tagName: '1.1.0', ref: 'main', legacyCatalogPublish: true });
    expect(fake.releases('c/on').map((r) => r.tag_name)).toEqual(['1.0.0', '1.1.0']);
    expect(fake.catalogVersions('c/on')).toEqual(['1.1.0']);
  });

  it('a release GitLab cannot publish is not created: 422 with ValidateService words, 400 for a tag that is no semver', async () => {
    catalogProject('c/bare', { description: '', files: { 'README.md': '# c\n', 'templates/a.b.yml': COMPONENT } });
    expect(await statusOf(api.ProjectReleases.create('c/bare', { tagName: '1.0.0', ref: 'main' }))).toBe(422);
    expect(await errorBody(api.ProjectReleases.create('c/bare', { tagName: '1.0.0', ref: 'main' }))).toBe(
      'Project must have a description, Project must contain components. Ensure you are using the correct directory structure',
    );
    catalogProject('c/ok');
    expect(await statusOf(api.ProjectReleases.create('c/ok', { tagName: 'release-1', ref: 'main' }))).toBe(400);
    expect(fake.releases('c/bare')).toEqual([]);
    expect(fake.releases('c/ok')).toEqual([]);
    await api.ProjectReleases.create('c/ok', { tagName: 'v1.0.0', ref: 'main' });
    expect(fake.catalogVersions('c/ok')).toEqual(['v1.0.0']);
  });
});
