/**
 * Defects a third review of `cigen bot` found against a fake GitLab, each reproduced here: an
 * address with a trailing `/` sent every request to `//api/v4` (a 404 behind many proxies), a
 * remote include's credentials copied into the merge request and the report, and a project whose
 * code the token may not read called an empty repository.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { runBot, type BotReport } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI } from '../helpers/fake-gitlab.js';

const FAST_RETRY = { attempts: 3, baseMs: 5, maxMs: 50, timeoutMs: 5000 };

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const run = (projects: string[]): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY }), {
    selection: { projects },
    migrator,
    dryRun: false,
    concurrency: 2,
  });

describe('the instance address', () => {
  it('with a trailing slash, requests still go to <address>/api/v4', async () => {
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
