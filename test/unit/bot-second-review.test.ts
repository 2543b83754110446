/**
 * Defects a second review of `cigen bot` found against a fake GitLab, each reproduced here: a
 * fork's merge request opened in the upstream project (GitLab's default target for a fork), a push
 * to the default branch between the bot's read and its commit undone by the merge request, a push
 * to the bot's branch between its check and its reset lost, a project with merge requests turned
 * off given a branch and called "skipped", a Docker-only project's title naming Kaniko, keys
 * written twice listed as unread includes, a project named twice raced with itself, and a token in
 * the instance's address printed; and, from a third review, an address with a trailing `/` (requests
 * went to `//api/v4`), a remote include's credentials copied into the merge request and the report,
 * and a project whose code the token may not read called an empty repository.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shownAddress } from '../../src/ci/address.js';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot, type BotReport, type ProjectResult } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
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

const run = (projects: string[]): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: THREE_ATTEMPTS }), {
    selection: { projects },
    migrator,
    dryRun: false,
    concurrency: 2,
  });
const only = (report: BotReport): ProjectResult => {
  expect(report.projects).toHaveLength(1);
  return report.projects[0] as ProjectResult;
};

const DIND_CI = `stages: [build]
build-image:
  stage: build
  image: docker:27
  services: [docker:27-dind]
  variables:
    DOCKER_TLS_CERTDIR: "/certs"
  script:
    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"
    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .
    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"
`;

describe('a fork', () => {
  it('gets its merge request in the fork itself, not in the upstream project, and a re-run finds it', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'people/app', forkOf: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(only(await run(['people/app'])).status).toBe('opened');
    expect(fake.mergeRequests('acme/app')).toEqual([]);
    expect(fake.mergeRequests('people/app')).toHaveLength(1);
    expect(only(await run(['people/app'])).status).toBe('unchanged');
  });
});

describe('a push to the default branch while the bot works', () => {
  it('is not undone: the branch starts at the commit the files were read at', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const [read] = fake.commits('acme/app', 'main');
    fake.inject({
      method: 'POST',
      path: /\/repository\/commits$/,
      before: () => fake.pushAsHuman('acme/app', 'main', { '.gitlab-ci.yml': `${KANIKO_CI}# SECURITY_FIX\n` }, 'security fix'),
    });
    expect(only(await run(['acme/app'])).status).toBe('opened');
    const [botCommit] = fake.commits('acme/app', BRANCH);
    // The human's commit is on main only; the merge request's diff is the bot's change alone.
    expect(botCommit?.parent_ids).toEqual([read?.id]);
    expect(fake.file('acme/app', BRANCH, '.gitlab-ci.yml')).not.toContain('SECURITY_FIX');
    expect(fake.file('acme/app', 'main', '.gitlab-ci.yml')).toContain('SECURITY_FIX');
  });

  it('includes are read at that same commit, not at the branch name', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': 'include:\n  - local: ci/build.yml\n', 'ci/build.yml': KANIKO_CI } });
    const [read] = fake.commits('acme/app', 'main');
    expect(only(await run(['acme/app'])).status).toBe('opened');
    const includeReads = fake.requests.filter((r) => r.path.includes('/repository/files/ci/build.yml/raw'));
    expect(includeReads.map((r) => new URLSearchParams(r.query).get('ref'))).toEqual([read?.id]);
  });
});

describe("a push to the bot's branch between its check and its reset", () => {
  it('is not overwritten: the bot reads the branch again right before the forced commit and leaves it to people', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(only(await run(['acme/app'])).status).toBe('opened');
    // main changes, so the next run resets the branch onto it...
    fake.pushAsHuman('acme/app', 'main', { '.gitlab-ci.yml': KANIKO_CI.replace('stages:', '# moved\nstages:') });
    // ...and someone pushes to the bot's branch just after the bot found it at its own commit.
    let pushed = false;
    fake.inject({
      method: 'GET',
      path: new RegExp(`/repository/branches/${BRANCH.replace('/', '\\/')}$`),
      times: 1,
      before: () => {
        pushed = true;
        fake.pushAsHuman('acme/app', BRANCH, { 'README.md': 'human: fix runner tags\n' }, 'human: fix runner tags');
      },
    });
    const result = only(await run(['acme/app']));
    expect(pushed).toBe(true);
    expect(result.status).toBe('human-modified');
    expect(fake.file('acme/app', BRANCH, 'README.md')).toBe('human: fix runner tags\n');
    expect(fake.commits('acme/app', BRANCH)[0]?.message).toBe('human: fix runner tags');
  });
});

describe('a project with merge requests turned off', () => {
  it('is skipped before anything is written', async () => {
    fake.addProject({ path: 'acme/app', mergeRequests: 'disabled', files: { '.gitlab-ci.yml': KANIKO_CI } });
    expect(only(await run(['acme/app']))).toMatchObject({
      status: 'skipped',
      reason: 'merge requests are turned off in this project; the bot can open none',
    });
    expect(fake.branches('acme/app').map((b) => b.name)).toEqual(['main']);
    expect(fake.writes()).toEqual([]);
  });

  it('a merge request GitLab refuses after the branch was written is a failure that says so, not a skip', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.inject({ method: 'POST', path: /\/merge_requests$/, status: 403 });
    const result = only(await run(['acme/app']));
    const head = fake.branches('acme/app').find((b) => b.name === BRANCH)?.commit as string;
    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      `${BRANCH} is written (commit ${head.slice(0, 12)}); opening the merge request failed: ` +
        'POST /api/v4/projects/1/merge_requests: 403 Forbidden; the next run reuses the branch',
    );
    // The next run reuses the branch and opens the merge request.
    expect(only(await run(['acme/app'])).status).toBe('opened');
    expect(fake.commits('acme/app', BRANCH)[0]?.id).toBe(head);
  });
});

describe('what the merge request says', () => {
  it('a project that built with a Docker daemon only: the title and the commit say so, not Kaniko', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': DIND_CI } });
    expect(only(await run(['acme/app'])).status).toBe('opened');
    const [mr] = fake.mergeRequests('acme/app');
    expect(mr?.title).toBe('Build container images with Buildah instead of Docker daemon builds');
    expect(fake.commits('acme/app', BRANCH)[0]?.message).toMatch(
      /^ci: build images with the buildah component instead of Docker daemon builds\n/,
    );
  });

  it('the commit names what the jobs moved onto: kaniko-compat alone, or with the buildah component, as the description does', async () => {
    const job = (name: string, script: string) =>
      `${name}:\n  image:\n    name: gcr.io/kaniko-project/executor:v1.23.2-debug\n    entrypoint: [""]\n  script:\n    - ${script}\n`;
    const args = '/kaniko/executor $KANIKO_ARGS';
    fake.addProject({ path: 'acme/compat', files: { '.gitlab-ci.yml': job('release', args) } });
    fake.addProject({ path: 'acme/both', files: { '.gitlab-ci.yml': `${KANIKO_CI}\n${job('release', args)}` } });
    expect((await run(['acme/compat', 'acme/both'])).projects.map((p) => p.status)).toEqual(['opened', 'opened']);
    const said = (path: string) => [
      fake.commits(path, BRANCH)[0]?.message.split('\n', 1)[0],
      fake.mergeRequests(path)[0]?.description.split('\n', 2).join(' '),
    ];
    expect(said('acme/compat')).toEqual([
      'ci: build images with kaniko-compat (Buildah) instead of Kaniko',
      'This merge request moves the image builds of this project off **Kaniko** and onto the cigen ' +
        "catalog: `kaniko-compat` (`$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1`), Buildah behind Kaniko's own command line.",
    ]);
    expect(said('acme/both')).toEqual([
      'ci: build images with the buildah component and kaniko-compat instead of Kaniko',
      'This merge request moves the image builds of this project off **Kaniko** and onto the cigen catalog: the `buildah` component ' +
        "(`$CI_SERVER_FQDN/ci-components/cigen/buildah@1`), and `kaniko-compat` (`$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1`), Buildah behind Kaniko's own command line.",
    ]);
  });

  it('keys written twice are listed under their own heading, not as includes that were not read', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': `variables:\n  A: "1"\n${KANIKO_CI}variables:\n  B: "2"\n` } });
    expect(only(await run(['acme/app'])).status).toBe('opened');
    const description = fake.mergeRequests('acme/app')[0]?.description ?? '';
    expect(description).not.toContain('### Not checked');
    expect(description).toContain(
      '### Keys written twice\n\nEach of these keys is written more than once in its file; GitLab reads only the last:\n\n' +
        '- .gitlab-ci.yml:16:1: duplicate key `variables`; GitLab keeps the last one, the only one the rewritten file holds',
    );
  });
});

describe('--projects naming one project twice', () => {
  it('handles it once', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const report = await run(['acme/app', 'acme/app', 'ACME/app']);
    expect(report.projects.map((p) => p.status)).toEqual(['opened']);
    expect(fake.mergeRequests('acme/app')).toHaveLength(1);
  });
});

describe('the instance address', () => {
  it('is never printed with what could be a credential in it', async () => {
    const secret = 'glpat-SUPERSECRET99';
    for (const url of [`https://oauth2:${secret}@gitlab.example.com:99999`, `http://127.0.0.1:1/?private_token=${secret}`]) {
      const result = await cli(['bot', '--gitlab-url', url, '--projects', 'a/b', '--dry-run'], { GITLAB_TOKEN: 'glpat-token' });
      expect(result.status).toBe(2);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    const result = await cli(['bot', '--projects', 'a/b', '--dry-run'], {
      GITLAB_TOKEN: 'glpat-token',
      CI_SERVER_URL: `https://gitlab-ci-token:${secret}@gitlab.example.com:70000`,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('CI_SERVER_URL "https://[credentials]@gitlab.example.com:70000": expected the instance\'s address');
    expect(result.stderr).not.toContain(secret);
  });

  it('shownAddress keeps the address and drops user information, a query and a fragment', () => {
    expect(shownAddress('https://gitlab.example.com/sub')).toBe('https://gitlab.example.com/sub');
    expect(shownAddress('https://u:p@h:1/x')).toBe('https://[credentials]@h:1/x');
    expect(shownAddress('https://h/?private_token=t#f')).toBe('https://h/?[query]');
    // A password holding `/`, `?` or `#`: everything up to the last `@` goes.
    expect(shownAddress('https://oauth2:glpat-abc/def@gitlab.example.com')).toBe('https://[credentials]@gitlab.example.com');
    expect(shownAddress('https://u:p#ss@gitlab.example.com/x')).toBe('https://[credentials]@gitlab.example.com/x');
  });
});

describe('--format json', () => {
  it('stdout holds the report, as --report writes it, and nothing else; the summary goes to stderr', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const result = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/app', '--dry-run', '--format', 'json'], {
      GITLAB_TOKEN: fake.token,
    });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      projects: { path: string; status: string; diff?: string }[];
      counts: Record<string, number>;
    };
    expect(report.projects).toHaveLength(1);
    expect(report.projects[0]).toMatchObject({ path: 'acme/app', status: 'opened' });
    expect(report.projects[0]?.diff).toContain('+  - component: ');
    expect(report.counts['opened']).toBe(1);
    expect(result.stderr).toMatch(/^1 project\(s\): 1 opened; \d+ request\(s\) \(dry run: nothing written\)$/m);
  });

  it('a failure of the run is one JSON document too', async () => {
    const result = await cli(['bot', '--gitlab-url', 'ftp://example.com', '--projects', 'a/b', '--format', 'json'], {
      GITLAB_TOKEN: 'glpat-x',
    });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 2 } });
  });
});

describe('a token that may only read', () => {
  it('is refused once, before any write, naming its scopes; a dry run takes it', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.tokenScopes = ['read_api', 'read_repository'];
    const args = ['bot', '--gitlab-url', fake.url, '--projects', 'acme/app'];
    const refused = await cli(args, { GITLAB_TOKEN: fake.token });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      'GITLAB_TOKEN has the scopes read_api, read_repository, without api, which commits and merge requests need; ' +
        'nothing was written (a --dry-run needs only read_api)',
    );
    expect(fake.writes()).toEqual([]);
    expect((await cli([...args, '--dry-run'], { GITLAB_TOKEN: fake.token })).status).toBe(0);
  });

  it('an instance that does not answer for the token (404: older than GET /personal_access_tokens/self) does not judge it: the run goes on', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.tokenScopes = null;
    const result = await cli(['bot', '--gitlab-url', fake.url, '--projects', 'acme/app'], { GITLAB_TOKEN: fake.token });
    expect(result.status, result.stderr).toBe(0);
    expect(fake.mergeRequests('acme/app')).toHaveLength(1);
  });
});

describe('the instance address, with a trailing slash', () => {
  it('still sends requests to <address>/api/v4, ', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': KANIKO_CI } });
    const result = await cli(['bot', '--gitlab-url', `${fake.url}//`, '--projects', 'acme/app', '--dry-run'], {
      GITLAB_TOKEN: fake.token,
    });
    expect(result.stderr).not.toContain('404');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/opened\s+acme\/app/);
  });
});

describe('a remote include with credentials in its address', () => {
  const SECRET = 's3cr3t-pass';
  const TOKEN = 'glpat-remotetoken123';
  const includes =
    'include:\n' +
    `  - remote: https://ci:${SECRET}@ci.example.com/t.yml\n` +
    `  - remote: https://gitlab.example.com/api/v4/projects/1/repository/files/t.yml/raw?ref=main&private_token=${TOKEN}\n`;

  it('is named without them in the merge request and the report', async () => {
    fake.addProject({ path: 'acme/app', files: { '.gitlab-ci.yml': `${includes}\n${KANIKO_CI}` } });
    const report = await run(['acme/app']);
    expect(report.projects[0]?.status).toBe('opened');
    const description = fake.mergeRequests('acme/app')[0]?.description ?? '';
    expect(description).toContain('remote include https://[credentials]@ci.example.com/t.yml was not read');
    expect(description).toContain(
      'remote include https://gitlab.example.com/api/v4/projects/1/repository/files/t.yml/raw?[query] was not read',
    );
    for (const text of [description, JSON.stringify(report)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('is named without them where there is nothing to migrate', async () => {
    fake.addProject({ path: 'acme/lib', files: { '.gitlab-ci.yml': `${includes}\ntest:\n  script: [make test]\n` } });
    const report = await run(['acme/lib']);
    expect(report.projects[0]?.status).toBe('nothing-to-migrate');
    expect(report.projects[0]?.reason).toContain('remote include https://[credentials]@ci.example.com/t.yml was not read');
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });
});

describe('a project whose code the token may not read', () => {
  it('is skipped for that reason, not called an empty repository (GitLab hides its default branch)', async () => {
    fake.addProject({ path: 'acme/guest', accessLevel: 10, files: { '.gitlab-ci.yml': KANIKO_CI } });
    fake.addProject({ path: 'acme/empty', emptyRepo: true });
    const report = await run(['acme/guest', 'acme/empty']);
    const byPath = Object.fromEntries(report.projects.map((p) => [p.path, p]));
    expect(byPath['acme/guest']).toMatchObject({
      status: 'skipped',
      reason:
        "the token may not read this project's code (GitLab gave no default branch: below Reporter in a private project, " +
        'or a repository for project members only)',
    });
    expect(byPath['acme/empty']).toMatchObject({ status: 'skipped', reason: 'empty repository' });
  });
});
