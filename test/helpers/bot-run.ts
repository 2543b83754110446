/**
 * The bot as `cigen bot --group acme` runs it, against a fake GitLab: the real @gitbeaker/rest
 * client, the CLI's migrator, retries short enough for a test.
 */
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { runBot, type BotReport } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import type { FakeGitLab } from './fake-gitlab.js';

export const FAST_RETRY = { attempts: 5, baseMs: 5, maxMs: 2000, timeoutMs: 2000 };
/** Three attempts, for tests that count the requests a retried failure makes. */
export const THREE_ATTEMPTS = { attempts: 3, baseMs: 5, maxMs: 50, timeoutMs: 5000 };

export const runBotOnGroup = (fake: FakeGitLab): Promise<BotReport> =>
  runBot(new GitLabPlatform({ url: fake.url, token: fake.token, retry: FAST_RETRY }), {
    selection: { group: 'acme' },
    migrator,
    dryRun: false,
    concurrency: 2,
  });
