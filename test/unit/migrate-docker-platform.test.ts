/**
 * `cigen migrate` on the platform a Docker-daemon build targets: `--platform` with a variable a
 * rule or the parallel matrix changes, and DOCKER_DEFAULT_PLATFORM, the default docker build and
 * buildx take for `--platform`; and the other names of docker build (`buildx b`, `builder build`).
 */
import { describe, expect, it } from 'vitest';
import { migrateFile, type FileMigration } from '../../src/migrate/index.js';

function jobOf(text: string): FileMigration['jobs'][number] {
  const job = (migrateFile('.gitlab-ci.yml', text, {})[0] as FileMigration).jobs.find((j) => j.name === 'build');
  if (!job) throw new Error('no job build');
  return job;
}
const docker = (build: string, extra = '') =>
  'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n' +
  extra +
  '  script:\n    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"\n' +
  `    - ${build}\n`;
const BUILDX = 'docker buildx build --push -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .';

describe('--platform with a variable a rule gives another value', () => {
  const rules = (value: string) =>
    `  rules:\n    - if: $CI_COMMIT_TAG\n      variables:\n        PLATFORM: ${value}\n    - when: on_success\n`;
  const build = 'docker buildx build --push --platform $PLATFORM -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .';

  it('stays the variable, read when the job runs: each run builds the platform it built before', () => {
    const job = jobOf(`variables:\n  PLATFORM: linux/amd64\n${docker(build, rules('linux/arm64'))}`);
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platform']).toBe('$PLATFORM');
    expect(job.inputs?.['platforms']).toBeUndefined();
    expect(job.kinds).not.toContain('docker-platform-variable');
  });

  it('a list in some runs and one platform in others: for review', () => {
    const job = jobOf(`variables:\n  PLATFORM: linux/amd64\n${docker(build, rules('"linux/amd64,linux/arm64"'))}`);
    expect(job.status).toBe('needs-review');
    expect(job.notes).toContain(
      "--platform $PLATFORM: $PLATFORM is a list (linux/amd64,linux/arm64) in some of the job's runs, and platform takes one " +
        'platform, platforms a list fixed when the pipeline is created',
    );
  });

  it('a matrix of single platforms: the variable, without a note that it may hold a list', () => {
    const job = jobOf(docker(build, '  parallel:\n    matrix:\n      - PLATFORM: [linux/amd64, linux/arm64]\n'));
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platform']).toBe('$PLATFORM');
    expect(job.kinds).not.toContain('docker-platform-variable');
  });
});

describe('DOCKER_DEFAULT_PLATFORM, the default of --platform', () => {
  const variables = (value: string) => `  variables:\n    DOCKER_DEFAULT_PLATFORM: ${value}\n`;

  it('a list: the platforms input, one index as buildx built', () => {
    const job = jobOf(docker(BUILDX, variables('linux/amd64,linux/arm64')));
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platforms']).toEqual(['linux/amd64', 'linux/arm64']);
    expect(job.notes).toContain(
      'DOCKER_DEFAULT_PLATFORM linux/amd64,linux/arm64 (the default of --platform): platforms builds one image per platform and ' +
        "pushes them as one index, as buildx did; RUN steps for a platform other than the runner's need QEMU (binfmt_misc) on the runner",
    );
  });

  it('one platform: the platform input', () => {
    const job = jobOf(
      docker(
        'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"',
        variables('linux/arm64'),
      ),
    );
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platform']).toBe('linux/arm64');
  });

  it('--platform wins over it, as in docker', () => {
    const job = jobOf(docker(BUILDX.replace('--push', '--push --platform linux/s390x'), variables('linux/amd64,linux/arm64')));
    expect(job.inputs?.['platform']).toBe('linux/s390x');
    expect(job.inputs?.['platforms']).toBeUndefined();
  });

  it("given by a rule in some runs only: the variable, empty (the runner's platform) where unset, as docker read it", () => {
    const job = jobOf(
      docker(BUILDX, '  rules:\n    - if: $ARM\n      variables:\n        DOCKER_DEFAULT_PLATFORM: linux/arm64\n    - when: always\n'),
    );
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platform']).toBe('$DOCKER_DEFAULT_PLATFORM');
  });

  it('empty: docker reads no default, and nor does the component', () => {
    const job = jobOf(docker(BUILDX, variables('""')));
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['platform']).toBeUndefined();
    expect(job.inputs?.['platforms']).toBeUndefined();
  });
});

it('DOCKER_DEFAULT_PLATFORM the shell sets before the build: for review, the component reads no such variable', () => {
  const job = jobOf(docker(`export DOCKER_DEFAULT_PLATFORM=linux/arm64\n    - ${BUILDX}`));
  expect(job.status).toBe('needs-review');
  expect(job.notes).toContain(
    '`export DOCKER_DEFAULT_PLATFORM=linux/arm64` sets DOCKER_DEFAULT_PLATFORM before the build, the platform docker builds for ' +
      "without --platform, which the component's inputs do not read: give the platform input the value the build saw (platforms for a list)",
  );
});

describe('docker build under its other names', () => {
  for (const call of ['docker buildx b', 'docker builder build'])
    it(`${call} is docker build: translated, not "no script line runs docker build"`, () => {
      const job = jobOf(
        docker(`${call} --pull -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"`),
      );
      expect(job.status).toBe('migrated');
      expect(job.inputs).toMatchObject({ image: '$CI_REGISTRY_IMAGE', tags: ['$CI_COMMIT_SHA'] });
    });

  it('docker buildx b in a docker image without a dind service is found as a daemon build', () => {
    const text =
      'build:\n  stage: build\n  image: docker:27\n  script:\n    - docker buildx b --push -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n';
    expect(jobOf(text).from).toBe('docker');
  });
});
