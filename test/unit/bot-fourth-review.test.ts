/**
 * Defects a fourth review of `cigen bot` found against a fake GitLab, each reproduced here: without
 * --component-ref the bot moved jobs onto the default catalog where `cigen migrate` takes the one the
 * pipeline includes already (a second catalog in the merge request), and did not link its open merge
 * request once people had moved the pipeline onto their own catalog; a local include that climbs out
 * of the project (`../x.yml`) failed the project on GitLab's 400 where `cigen migrate` warns; a
 * merge request or a branch GitLab created whose answer was lost (a gateway's 502) was reported as
 * failed, the resend's refusal taken for the answer; and a token GitLab refuses as PRIVATE-TOKEN
 * (an OAuth token) was reported with no word on which tokens work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { migrateFile } from '../../src/migrate/index.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI } from '../helpers/fake-gitlab.js';
import { THREE_ATTEMPTS } from '../helpers/bot-run.js';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const run = (projects: string[], options: { componentRef?: string; dryRun?: boolean } = {}): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: THREE_ATTEMPTS }), {
    selection: { projects },
    migrator,
    dryRun: options.dryRun ?? false,
    concurrency: 2,
    ...(options.componentRef ? { componentRef: options.componentRef } : {}),
  });
const only = (report: BotReport): ProjectResult => {
  expect(report.projects).toHaveLength(1);
  return report.projects[0] as ProjectResult;
};
const link = (path: string, iid: number) => `${fake.url}/${path}/-/merge_requests/${iid}`;

/** A pipeline that includes one of cigen's components from the catalog its instance mirrors, and still builds with Kaniko. */
const ON_MIRROR = `include:
  - component: gitlab.example.com/platform/cigen/buildah@1.0.0
    inputs:
      job-name: app
      context: app

${KANIKO_CI}`;

describe('without --component-ref', () => {
  it('moves jobs onto the catalog the pipeline includes already, as `cigen migrate` does: no second catalog', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': ON_MIRROR } });
    // What `cigen migrate .gitlab-ci.yml --write` writes for the same file.
    const [migrated] = migrateFile('.gitlab-ci.yml', ON_MIRROR);
    expect(migrated?.catalog).toMatchObject({ catalog: 'gitlab.example.com/platform/cigen', version: '1.0.0' });

    const dry = only(await run(['acme/shop'], { dryRun: true }));
    expect(dry.diff).toContain('+  - component: gitlab.example.com/platform/cigen/buildah@1.0.0\n');
    expect(dry.diff).not.toContain('ci-components');

    expect(only(await run(['acme/shop']))).toMatchObject({ status: 'opened', mergeRequest: link('acme/shop', 1) });
    expect(fake.file('acme/shop', BRANCH, '.gitlab-ci.yml')).toBe(migrated?.result);
    const [mr] = fake.mergeRequests('acme/shop');
    expect(mr?.description).toContain('the `buildah` component (`gitlab.example.com/platform/cigen/buildah@1.0.0`)');
    expect(mr?.description).not.toContain('ci-components');
    // The next run computes the same proposal: nothing to update.
    expect(only(await run(['acme/shop'])).status).toBe('unchanged');
  });

  it('a --component-ref given still names the component, whatever the pipeline includes', async () => {
    fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': ON_MIRROR } });
    const componentRef = 'gitlab.example.com/tools/cigen/buildah@1.1.0';
    const dry = only(await run(['acme/shop'], { dryRun: true, componentRef }));
    expect(dry.diff).toContain(`+  - component: ${componentRef}\n`);
  });

  it('--help says where the component comes from without it', async () => {
    const help = await cli(['bot', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      "(default: the catalog the pipeline already includes one of cigen's components from, else " +
        '$CI_SERVER_FQDN/ci-components/cigen/buildah@1)',
    );
  });
});

describe("a pipeline people moved onto their own catalog while the bot's merge request is open", () => {
  it('is nothing-to-migrate with the merge request linked, with or without --component-ref', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(only(await run(['acme/app'])).status).toBe('opened');
    // People move it themselves, onto the catalog their instance mirrors (not the bot's default path).
    const [theirs] = migrateFile('.gitlab-ci.yml', KANIKO_CI, { componentRef: 'gitlab.example.com/mirror/cigen/buildah@1.0.0' });
    fake.pushAsHuman('acme/app', 'main', { '.gitlab-ci.yml': theirs?.result as string });
    for (const componentRef of [undefined, 'gitlab.example.com/platform/cigen/buildah@1.1.0'])
      expect(only(await run(['acme/app'], componentRef ? { componentRef } : {})), componentRef).toEqual({
        path: 'acme/app',
        status: 'nothing-to-migrate',
        mergeRequest: link('acme/app', 1),
        reason: "the bot's merge request !1 is still open; nothing is left for it to move",
      });
  });
});

describe('a local include with `..` in its path', () => {
  it('is not asked of GitLab (its Files API refuses it: 400), and is named as `cigen migrate` names it; the job moves', async () => {
    const ci = `include:\n  - local: ../shared.yml\n  - local: ci/../other.yml\n${KANIKO_CI}`;
    fake.addProject({ path: 'acme/dd', files: { '.gitlab-ci.yml': ci } });
    const unchecked = [
      '.gitlab-ci.yml: local include ../shared.yml is outside the project (GitLab reads local includes from the repository only); ' +
        'its jobs were not checked',
      // GitLab's pipeline reads no file by this path either: "Local file `ci/../other.yml` does not exist!".
      '.gitlab-ci.yml: local include ci/../other.yml does not exist; its jobs were not checked',
    ];
    // `cigen migrate` on the same file, in a project that has neither file.
    expect(migrateFile('.gitlab-ci.yml', ci, { host: { readProjectFile: () => undefined } })[0]?.unchecked).toEqual(unchecked);

    expect(only(await run(['acme/dd']))).toMatchObject({ status: 'opened', reason: null });
    const [mr] = fake.mergeRequests('acme/dd');
    for (const line of unchecked) expect(mr?.description).toContain(`- ${line}\n`);
    expect(fake.requests.filter((r) => r.path.includes('..'))).toEqual([]);
  });
});

describe('a create GitLab did whose answer was lost (a gateway answered 502), then resent', () => {
  const commitPosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/repository/commits'));
  const mrPosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/merge_requests'));

  it('the merge request: GitLab refuses the resend (409, it is open), and the bot reports it opened, linked', async () => {
    fake.addProject({ path: 'acme/gw', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'POST', path: /\/merge_requests$/, status: 502, handle: true });
    expect(only(await run(['acme/gw']))).toEqual({ path: 'acme/gw', status: 'opened', mergeRequest: link('acme/gw', 1), reason: null });
    expect(mrPosts().map((r) => r.status)).toEqual([502, 409]);
    expect(fake.mergeRequests('acme/gw').map((mr) => [mr.iid, mr.state])).toEqual([[1, 'opened']]);
    expect(only(await run(['acme/gw'])).status).toBe('unchanged');
  });

  it('the branch: GitLab refuses the resend (400, it exists), and the bot goes on with its own commit there', async () => {
    fake.addProject({ path: 'acme/gw', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'POST', path: /\/repository\/commits$/, status: 502, handle: true });
    expect(only(await run(['acme/gw']))).toEqual({ path: 'acme/gw', status: 'opened', mergeRequest: link('acme/gw', 1), reason: null });
    expect(commitPosts().map((r) => r.status)).toEqual([502, 400]);
    const [head, base] = fake.commits('acme/gw', BRANCH);
    expect(base?.id).toBe(fake.branches('acme/gw').find((b) => b.name === 'main')?.commit);
    expect(head?.message).toMatch(/^Cigen-Content-Hash: [0-9a-f]+$/m);
    expect(fake.mergeRequests('acme/gw')[0]?.description).toContain(`<!-- cigen:head=${head?.id} -->`);
    expect(only(await run(['acme/gw'])).status).toBe('unchanged');
  });

  it("a branch someone else made meanwhile is not taken for the bot's: GitLab's refusal is the reason, no merge request", async () => {
    fake.addProject({ path: 'acme/gw', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({
      method: 'POST',
      path: /\/repository\/commits$/,
      before: () => fake.pushAsHuman('acme/gw', BRANCH, { 'notes.md': 'mine\n' }),
    });
    const result = only(await run(['acme/gw']));
    expect(result).toEqual({
      path: 'acme/gw',
      status: 'failed',
      mergeRequest: null,
      reason:
        "POST /api/v4/projects/1/repository/commits: 400 A branch called 'cigen/migrate-off-kaniko' already exists. " +
        'Switch to that branch in order to make changes',
    });
    expect(fake.mergeRequests('acme/gw')).toEqual([]);
    expect(fake.file('acme/gw', BRANCH, 'notes.md')).toBe('mine\n');
  });
});

describe('a token GitLab refuses (401), such as an OAuth token, which GitLab does not take as PRIVATE-TOKEN', () => {
  it('stops the run with which tokens the bot can use, the token itself never shown', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const token = 'oauth-access-token-0123456789abcdef';
    const why =
      'the bot sends GITLAB_TOKEN as a PRIVATE-TOKEN header, which GitLab takes only for a personal, project or group access ' +
      'token that is neither expired nor revoked (not an OAuth token, not a CI job token)';
    for (const [extra, request] of [
      [['--dry-run'], 'GET /api/v4/user'],
      [[], 'GET /api/v4/personal_access_tokens/self'],
    ] as const) {
      const result = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/app', ...extra], { GITLAB_TOKEN: token });
      expect([result.status, result.stdout, result.stderr]).toEqual([
        1,
        '',
        `cigen bot: ${fake.url}: ${request}: 401 Unauthorized; ${why}\n`,
      ]);
    }
    expect(fake.writes()).toEqual([]);
  });
});
