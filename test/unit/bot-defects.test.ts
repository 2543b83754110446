/**
 * Defects a review of `cigen bot` found by running it against a fake GitLab, each reproduced here:
 * a group's run that reached projects other groups share with it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { runBot, type BotReport } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { FakeGitLab, KANIKO_CI } from '../helpers/fake-gitlab.js';

const FAST_RETRY = { attempts: 3, baseMs: 5, maxMs: 50, timeoutMs: 5000 };

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const runGroup = (group: string): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY }), {
    selection: { group },
    migrator,
    dryRun: false,
    concurrency: 2,
  });

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
