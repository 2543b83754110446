/**
 * The bot's merge request names the catalog's `promote` component for the jobs that re-tag an
 * image (src/migrate/retag.ts): a tag pipeline that builds again only to push other tags, a job
 * that only copies an image, and no other. Against the in-process fake GitLab through the real
 * @gitbeaker/rest client, as test/unit/bot.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findComponent } from '../../src/catalog/registry.js';
import { runBotOnGroup } from '../helpers/bot-run.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const corpus = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/migrate/corpus', name, '.gitlab-ci.yml'), 'utf8');
const SECTION = '### Re-tagging: the `promote` component';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

const run = () => runBotOnGroup(fake);
const description = (path: string): string => fake.mergeRequests(path)[0]?.description ?? '';
/** The bullets of the promote section: `name`: text. */
const promoted = (body: string): string[] =>
  body
    .slice(body.indexOf(SECTION))
    .split('\n### ')[0]
    ?.split('\n')
    .filter((line) => line.startsWith('- `')) ?? [];

describe('the MR names the promote component where a job re-tags an image, and nowhere else', () => {
  it('a tag pipeline that builds again only for new tags, a job that only copies an image; not a build of its own', async () => {
    expect(findComponent('promote')).toBeDefined();
    fake.addProject({ path: 'acme/rebuild', files: { '.gitlab-ci.yml': corpus('78-rebuild-for-release-tag') } });
    fake.addProject({ path: 'acme/copy', files: { '.gitlab-ci.yml': corpus('79-crane-copy-promote-job') } });
    fake.addProject({ path: 'acme/plain', files: { '.gitlab-ci.yml': corpus('01-gitlab-docs-tag-release') } });
    const report = await run();
    expect(report.projects.map((p) => `${p.path} ${p.status}`)).toEqual(['acme/copy opened', 'acme/plain opened', 'acme/rebuild opened']);

    const rebuild = description('acme/rebuild');
    expect(rebuild).toContain(`${SECTION}\n\n`);
    expect(rebuild).toContain('(`$CI_SERVER_FQDN/ci-components/cigen/promote@1`)');
    expect(promoted(rebuild)).toEqual([
      '- `release-image`: it builds what build-image builds (the same inputs but tags) to push other tags; where it runs only for ' +
        'those tags, the promote component can copy the image build-image pushed to them instead, by digest and without building it ' +
        '(skopeo copy --all --preserve-digests)',
    ]);
    // Both builds still move: the MR names promote, it does not add it.
    expect(rebuild).toContain('| `release-image` | `.gitlab-ci.yml` | moved to the component |');
    expect(rebuild).toContain('| `debug-image` | `.gitlab-ci.yml` | moved to the component |');
    expect(rebuild).toContain('a job on the `buildah` component leaves a\n  dotenv report with the pushed digest.');

    const copy = description('acme/copy');
    expect(promoted(copy)).toEqual([
      '- `promote-latest`: it calls no Kaniko executor and copies an image ' +
        '(`crane copy ${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA} ${CI_REGISTRY_IMAGE}:latest`); the promote component copies an ' +
        'image by digest to other tags, repositories and registries without building it (skopeo copy --all --preserve-digests)',
    ]);
    expect(copy).toContain('| `promote-latest` | `.gitlab-ci.yml` | needs review (left as it is) |');

    expect(description('acme/plain')).toContain('### Jobs');
    expect(description('acme/plain')).not.toContain('promote');
  });
});
