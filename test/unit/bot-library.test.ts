/**
 * `cigen bot` on a Kaniko template library: a project whose pipeline file holds only hidden jobs
 * (`.kaniko-build`, `.kaniko-release`) that other projects include and extend. It has no visible
 * job, yet it is the one project whose change moves every project that extends it: the bot opens
 * one MR that converts the templates in place onto kaniko-compat, under their own names. Against
 * the in-process fake GitLab through the real @gitbeaker/rest client, as test/unit/bot.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BRANCH } from '../../src/bot/run.js';
import { runBotOnGroup } from '../helpers/bot-run.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const LIBRARY = readFileSync(join(import.meta.dirname, '../fixtures/migrate/corpus/47-template-library-only/.gitlab-ci.yml'), 'utf8');

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const run = () => runBotOnGroup(fake);

describe('a Kaniko template library project', () => {
  it('gets one MR, reported opened, converting its hidden templates in place onto kaniko-compat', async () => {
    // No visible job: every top-level key but GitLab's global keywords is a hidden job.
    const keys = Object.keys(parse(LIBRARY) as object);
    expect(keys.filter((key) => !key.startsWith('.'))).toEqual(['variables']);
    fake.addProject({ path: 'acme/ci-templates', files: { '.gitlab-ci.yml': LIBRARY } });
    const report = await run();
    expect(report.projects).toEqual([
      {
        path: 'acme/ci-templates',
        status: 'opened',
        mergeRequest: expect.stringMatching(/\/acme\/ci-templates\/-\/merge_requests\/1$/),
        reason: null,
      },
    ]);
    expect(report.counts).toMatchObject({ opened: 1, failed: 0, skipped: 0 });

    // One branch with one commit, one MR; the default branch untouched.
    const onBranch = fake
      .commits('acme/ci-templates', BRANCH)
      .filter((c) => !fake.commits('acme/ci-templates', 'main').some((m) => m.id === c.id));
    expect(onBranch).toHaveLength(1);
    expect(fake.file('acme/ci-templates', 'main', '.gitlab-ci.yml')).toBe(LIBRARY);
    const [mr] = fake.mergeRequests('acme/ci-templates');
    expect(fake.mergeRequests('acme/ci-templates')).toHaveLength(1);
    expect(mr).toMatchObject({ state: 'opened', source_branch: BRANCH, target_branch: 'main' });

    // The templates keep their names (every extends: elsewhere still resolves) and run on kaniko-compat.
    const result = fake.file('acme/ci-templates', BRANCH, '.gitlab-ci.yml') ?? '';
    expect(result).toContain('- component: $CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1');
    expect(result).not.toContain('/buildah@1');
    expect(result).toMatch(/^\.kaniko-build:\n/m);
    expect(result).toMatch(/^\.kaniko-release:\n {2}extends: \.kaniko-build\n/m);
    expect(result).toContain('  extends: .cigen-kaniko-compat\n');
    expect(result).toContain('    - !reference [.cigen-kaniko-compat, before_script]\n');
    expect(result).not.toContain('gcr.io/kaniko-project/executor');
    expect(result).toContain('/kaniko/executor --context "$CI_PROJECT_DIR"');

    // The MR says what happened to each template, and what a project extending them must know.
    const body = mr?.description ?? '';
    expect(body).toContain('### Jobs on kaniko-compat');
    expect(body).toContain('- `.kaniko-build` (template)');
    expect(body).toContain('- `.kaniko-release` (template)');
    expect(body).toContain('| `.kaniko-build` | `.gitlab-ci.yml` | template converted in place onto kaniko-compat |');
    expect(body).toContain('| `.kaniko-release` | `.gitlab-ci.yml` | template converted in place onto kaniko-compat |');
    expect(body).toContain('must start it with `!reference [.cigen-kaniko-compat, before_script]`');
    expect(body).not.toContain('### Needs a person');
    // kaniko-compat writes no dotenv report: the MR does not promise one.
    expect(body).toContain('Each job keeps its name,\n  so `needs:` elsewhere still resolve.\n');
    expect(body).not.toContain('dotenv');

    // A re-run finds its own MR and changes nothing.
    fake.resetLog();
    const again = await run();
    expect(again.projects.map((p) => p.status)).toEqual(['unchanged']);
    expect(fake.writes()).toEqual([]);
  });
});
