/**
 * A real client: gitlab-ci-local runs a consumer pipeline that includes the buildah component as
 * GitLab would (`component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/buildah@$CI_COMMIT_SHA`), with the
 * shell executor, against the same kind of local registry; a second job reads the dotenv report.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type Registry } from './lib/registry.js';
import { ROOT, freshRunner, git, projectWith, pushBaseImage, runGitlabCiLocal, type Runner } from './lib/runner.js';

const CONSUMER_PIPELINE = `include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/buildah@$CI_COMMIT_SHA
    inputs:
      job-name: build-app
      tags: [$CI_COMMIT_SHORT_SHA, e2e]
      labels: [org.example.built-by=gitlab-ci-local]

stages: [build, test]

verify:
  stage: test
  needs: [build-app]
  script:
    - echo "verify got $CIGEN_BUILT_REF"
    - test -n "$CIGEN_BUILT_DIGEST"
`;

describe('gitlab-ci-local runs a consumer pipeline that includes the buildah component', () => {
  let registry: Registry;
  let runner: Runner;
  let project: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const base = pushBaseImage(registry);
    runner = freshRunner(registry);
    project = projectWith(base);
    mkdirSync(join(project, 'templates'));
    cpSync(join(ROOT, 'templates/buildah.yml'), join(project, 'templates/buildah.yml'));
    writeFileSync(join(project, '.gitlab-ci.yml'), CONSUMER_PIPELINE);
    writeFileSync(join(project, '.gitignore'), '.gitlab-ci-local/\ncigen-build.env\n');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'remote', 'add', 'origin', 'https://gitlab.example.com/group/app.git');
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'consumer');
    git(project, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
    git(project, 'remote', 'set-head', 'origin', 'main');
  });
  afterAll(async () => {
    runner?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
    await registry?.stop();
  });

  it('builds and pushes the image, and the next job gets the digest', async () => {
    const sha = git(project, 'rev-parse', 'HEAD');
    const { status, everything } = runGitlabCiLocal(project, runner, {
      variables: {
        CI_REGISTRY: registry.host,
        CI_REGISTRY_IMAGE: `${registry.host}/group/app`,
        CI_REGISTRY_USER: registry.user,
        CI_REGISTRY_PASSWORD: registry.password,
      },
    });
    expect(status, everything.slice(-4000)).toBe(0);

    const shortSha = sha.slice(0, 8);
    expect((await registry.tags('group/app')).sort()).toEqual([shortSha, 'e2e'].sort());
    const digest = await registry.digest('group/app', shortSha);
    expect(digest).toMatch(/^sha256:/);
    expect(everything).toContain(`verify got ${registry.host}/group/app@${digest}`);
    expect(everything).toMatch(/PASS\s+build-app/);
    expect(everything).toMatch(/PASS\s+verify/);
    for (const secret of [registry.password, Buffer.from(`${registry.user}:${registry.password}`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
  });
});
