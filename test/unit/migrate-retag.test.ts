/**
 * Jobs that re-tag an image, the promote component's case (src/migrate/retag.ts): a Kaniko job
 * that only copies an image, one that copies what its own build pushed, one that builds again what
 * another job builds to push other tags — and the look-alikes that are none of these.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateFile, type JobReport } from '../../src/migrate/index.js';
import { imageCopy } from '../../src/migrate/retag.js';
import { parseShell, type Command } from '../../src/migrate/shell.js';
import { cigen } from '../helpers/cli.js';

const IMAGE = 'image:\n    name: gcr.io/kaniko-project/executor:v1.23.2-debug\n    entrypoint: [""]';
const CRANE_IMAGE = 'image:\n    name: registry.example.com/ci/kaniko-crane:1.4\n    entrypoint: [""]';
const job = (name: string, script: string[], extra = '', image = IMAGE) =>
  `${name}:\n  stage: build\n  ${image}\n${extra}  script:\n${script.map((line) => `    - ${line}\n`).join('')}`;
const executor = (...destinations: string[]) =>
  `/kaniko/executor --context "$CI_PROJECT_DIR" ${destinations.map((d) => `--destination "${d}"`).join(' ')}`;
/** The promote case of a job the migration reports (it must report it). */
const promoteOf = (text: string, name: string): JobReport['promote'] => {
  const report = migrateFile('.gitlab-ci.yml', text)
    .flatMap((f) => f.jobs)
    .find((j) => j.name === name);
  expect(report, `${name} is reported`).toBeDefined();
  return report?.promote;
};

describe('an image copy', () => {
  it.each([
    ['crane tag "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" latest', '$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA'],
    ['crane copy ${CI_REGISTRY_IMAGE}:1 r.io/app:1', '$CI_REGISTRY_IMAGE:1'],
    ['crane cp --platform=all r.io/a:1 r.io/b:1', 'r.io/a:1'],
    ['/usr/local/bin/crane copy r.io/a:1 r.io/b:1', 'r.io/a:1'],
    ['gcrane cp r.io/a:1 gcr.io/p/a:1', 'r.io/a:1'],
    ['skopeo copy --all docker://r.io/a:1 docker://r.io/a:latest', 'r.io/a:1'],
    ['regctl image copy r.io/a:1 r.io/a:stable', 'r.io/a:1'],
  ])('%s copies %s', (line, source) => {
    expect(imageCopy(parseShell(line)[0] as Command)).toEqual({ line: expect.any(String), source });
  });

  it.each([
    'crane digest r.io/a:1',
    'crane auth login -u u -p p r.io',
    'skopeo inspect docker://r.io/a:1',
    'regctl tag ls r.io/a',
    'cp a b',
  ])('%s is not one', (line) => {
    expect(imageCopy(parseShell(line)[0] as Command)).toBeUndefined();
  });
});

describe('a Kaniko job that only copies an image (copy-only)', () => {
  it('calls no executor and copies: the promote component is named for it', () => {
    const text = job('promote-latest', ['crane copy "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" "$CI_REGISTRY_IMAGE:latest"'], '', CRANE_IMAGE);
    expect(promoteOf(text, 'promote-latest')).toEqual({
      kind: 'copy-only',
      text:
        'it calls no Kaniko executor and copies an image (`crane copy $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA $CI_REGISTRY_IMAGE:latest`); ' +
        'the promote component copies an image by digest to other tags, repositories and registries without building it ' +
        '(skopeo copy --all --preserve-digests)',
    });
  });

  it('is not one where the executor may run under another name, or where nothing is copied', () => {
    expect(
      promoteOf(job('a', ['$KANIKO_EXECUTOR --destination r.io/a:1', 'crane tag r.io/a:1 latest'], '', CRANE_IMAGE), 'a'),
    ).toBeUndefined();
    expect(promoteOf(job('a', ['./ci/build.sh', 'crane tag r.io/a:1 latest'], '', CRANE_IMAGE), 'a')).toBeUndefined();
    expect(promoteOf(job('a', ['echo nothing to build'], '', CRANE_IMAGE), 'a')).toBeUndefined();
    expect(promoteOf(job('a', ['make image', 'crane tag r.io/a:1 latest'], '', CRANE_IMAGE), 'a')).toBeUndefined();
    expect(promoteOf(job('a', ['eval "$BUILD"', 'crane tag r.io/a:1 latest'], '', CRANE_IMAGE), 'a')).toBeUndefined();
    // Utilities and the copy tool's other commands run no build.
    const plain = job('a', ['echo "promoting"', 'crane auth login -u "$U" -p "$P" r.io', 'crane tag r.io/a:1 latest'], '', CRANE_IMAGE);
    expect(promoteOf(plain, 'a')).toMatchObject({ kind: 'copy-only' });
  });
});

describe('a job that re-tags what its build pushed (after-build)', () => {
  it('copies one of its own destinations after the executor', () => {
    const promote = promoteOf(
      job(
        'build',
        [executor('${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHA}'), 'crane tag "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHA}" latest'],
        '',
        CRANE_IMAGE,
      ),
      'build',
    );
    expect(promote).toMatchObject({
      kind: 'after-build',
      text: expect.stringMatching(
        /^after its build it copies \$CI_REGISTRY_IMAGE:\$CI_COMMIT_SHA, which the build pushed, to another name \(`crane tag .* latest`\)/,
      ),
    });
  });

  it('is not one when the copy names another image, the build did not push, it builds twice, or the copy runs before the build', () => {
    const other = job('a', [executor('r.io/app:1'), 'crane tag r.io/other:1 latest'], '', CRANE_IMAGE);
    const noPush = job('a', [`${executor('r.io/app:1')} --no-push`, 'crane tag r.io/app:1 latest'], '', CRANE_IMAGE);
    const twice = job('a', [executor('r.io/app:1'), executor('r.io/app:2'), 'crane tag r.io/app:1 latest'], '', CRANE_IMAGE);
    const before = job('a', ['crane tag r.io/app:1 previous', executor('r.io/app:1')], '', CRANE_IMAGE);
    for (const text of [other, noPush, twice, before]) expect(promoteOf(text, 'a'), text).toBeUndefined();
  });
});

describe('a job that builds again what another builds, for other tags (same-build)', () => {
  const branch = job('build-image', [executor('$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA')], '  rules:\n    - if: $CI_COMMIT_BRANCH\n');
  const release = (destinations: string[], extra = '') =>
    job('release-image', [executor(...destinations)], `${extra}  rules:\n    - if: $CI_COMMIT_TAG\n`);

  it('names the earlier job; the earlier job is not named', () => {
    const text = `${branch}\n${release(['$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG', '$CI_REGISTRY_IMAGE:latest'])}`;
    expect(promoteOf(text, 'build-image')).toBeUndefined();
    expect(promoteOf(text, 'release-image')).toEqual({
      kind: 'same-build',
      text:
        'it builds what build-image builds (the same inputs but tags) to push other tags; where it runs only for those tags, ' +
        'the promote component can copy the image build-image pushed to them instead, by digest and without building it ' +
        '(skopeo copy --all --preserve-digests)',
    });
  });

  it('is not one when any input but the name, stage and tags differs, or the tags are the same', () => {
    const args = job(
      'release-image',
      [`${executor('$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG')} --build-arg MODE=release`],
      '  rules:\n    - if: $CI_COMMIT_TAG\n',
    );
    expect(promoteOf(`${branch}\n${args}`, 'release-image')).toBeUndefined();
    const repository = release(['$CI_REGISTRY_IMAGE/release:$CI_COMMIT_TAG']);
    expect(promoteOf(`${branch}\n${repository}`, 'release-image')).toBeUndefined();
    expect(promoteOf(`${branch}\n${release(['$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA'])}`, 'release-image')).toBeUndefined();
  });

  it('is not one for parallel jobs, whose matrix sets variables the file does not show', () => {
    const matrix = (name: string, tag: string) =>
      job(
        name,
        [`${executor(`$CI_REGISTRY_IMAGE/$SERVICE:${tag}`)}`],
        `  parallel:\n    matrix:\n      - SERVICE: [${name}-a, ${name}-b]\n`,
      );
    expect(promoteOf(`${matrix('one', '1')}\n${matrix('two', '2')}`, 'two')).toBeUndefined();
    // The same jobs without a matrix (SERVICE from the pipeline's variables) are one build.
    const plain = (name: string, tag: string) => job(name, [`${executor(`$CI_REGISTRY_IMAGE/$SERVICE:${tag}`)}`]);
    expect(promoteOf(`variables:\n  SERVICE: api\n${plain('one', '1')}\n${plain('two', '2')}`, 'two')).toMatchObject({
      kind: 'same-build',
    });
  });

  it('is not one for jobs whose before_script now runs their own commands (an export the inputs may name)', () => {
    const exported = (name: string, tag: string, command: string) =>
      job(name, [`export VERSION=${command}`, `${executor(`$CI_REGISTRY_IMAGE:${tag}`)} --build-arg VERSION=$VERSION`]);
    const text = `${exported('one', '1', '$(cat VERSION)')}\n${exported('two', '2', '$CI_COMMIT_TAG')}`;
    expect(migrateFile('.gitlab-ci.yml', text).flatMap((f) => f.jobs.map((j) => [j.name, j.status, j.kinds]))).toEqual([
      ['one', 'migrated', ['cache-off', 'auth-none', 'moved-to-before-script']],
      ['two', 'migrated', ['cache-off', 'auth-none', 'moved-to-before-script']],
    ]);
    expect(promoteOf(text, 'two')).toBeUndefined();
  });

  it('is not one when a variable the inputs name is set otherwise in one of the jobs; other variables do not count', () => {
    const withDockerfile = (name: string, tag: string, value: string) =>
      job(
        name,
        [`${executor(`$CI_REGISTRY_IMAGE:${tag}`)} --dockerfile "$CI_PROJECT_DIR/$DOCKERFILE"`],
        `  variables:\n    DOCKERFILE: ${value}\n    OTHER: ${tag}\n`,
      );
    const same = `${withDockerfile('a', '1', 'Dockerfile')}\n${withDockerfile('b', '2', 'Dockerfile')}`;
    expect(promoteOf(same, 'b')).toMatchObject({ kind: 'same-build' });
    const differ = `${withDockerfile('a', '1', 'Dockerfile')}\n${withDockerfile('b', '2', 'Dockerfile.release')}`;
    expect(promoteOf(differ, 'b')).toBeUndefined();
    // `$$DOCKERFILE` is the text `$DOCKERFILE` (GitLab's escape), the same in both jobs: no variable to compare.
    const escaped = (name: string, tag: string, value: string) =>
      job(name, [`${executor(`$CI_REGISTRY_IMAGE:${tag}`)} --build-arg "NOTE=$$DOCKERFILE"`], `  variables:\n    DOCKERFILE: ${value}\n`);
    expect(promoteOf(`${escaped('a', '1', 'Dockerfile')}\n${escaped('b', '2', 'Dockerfile.release')}`, 'b')).toMatchObject({
      kind: 'same-build',
    });
  });
});

describe('cigen migrate prints it', () => {
  const file = join(import.meta.dirname, '../fixtures/migrate/corpus/78-rebuild-for-release-tag/.gitlab-ci.yml');

  it('as promote in --format json, for that job only', () => {
    const result = cigen(['migrate', '--format', 'json', file]);
    expect(result.status).toBe(0);
    const jobs = (JSON.parse(result.stdout) as { files: { jobs: { name: string; promote?: unknown }[] }[] }).files.flatMap((f) => f.jobs);
    expect(jobs.map((j) => [j.name, j.promote])).toEqual([
      ['build-image', undefined],
      [
        'release-image',
        { kind: 'same-build', text: expect.stringMatching(/^it builds what build-image builds \(the same inputs but tags\)/) },
      ],
      ['debug-image', undefined],
    ]);
  });

  it('as a promote line under the job in the report', () => {
    const result = cigen(['migrate', file]);
    expect(result.stdout).toMatch(
      / release-image: migrated → .*\n {6}- promote: it builds what build-image builds \(the same inputs but tags\)/,
    );
    expect(result.stdout.match(/- promote: /g)).toHaveLength(1);
  });
});
