/**
 * `cigen migrate` on job shapes a review of public pipelines found it got wrong: each case is a
 * pattern real pipelines use, written here as a minimal job.
 */
import { describe, expect, it } from 'vitest';
import { migrateFile, type FileMigration } from '../../src/migrate/index.js';

const KANIKO_IMAGE = '  image: {name: gcr.io/kaniko-project/executor:v1.23.2-debug, entrypoint: [""]}\n';

function migrate(text: string, files: Record<string, string> = {}): FileMigration {
  return migrateFile('.gitlab-ci.yml', text, {
    host: { readProjectFile: (path) => files[path], projectFileExists: (path) => path in files },
  })[0] as FileMigration;
}
const jobOf = (text: string, name = 'build', files?: Record<string, string>) => {
  const job = migrate(text, files).jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job;
};
const kaniko = (args: string, extra = '') => `build:\n${KANIKO_IMAGE}${extra}  script:\n    - /kaniko/executor ${args}\n`;
const docker = (lines: string[], image = 'docker:27', extra = '') =>
  `build:\n  image: ${image}\n  services: [docker:27-dind]\n${extra}  script:\n${lines.map((l) => `    - ${l}\n`).join('')}`;
const LOGIN = 'docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"';
const PUSH = 'docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"';

describe('a Dockerfile beside a context a variable names', () => {
  it('Kaniko: is named from $CI_PROJECT_DIR, not climbed to with ../ over a value of unknown depth', () => {
    const job = jobOf(
      kaniko(
        '--context "$CI_PROJECT_DIR/$APP" --dockerfile "$CI_PROJECT_DIR/docker/app.Dockerfile" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"',
      ),
    );
    expect(job.status).toBe('migrated');
    expect(job.inputs).toMatchObject({ context: '$APP', dockerfile: '$CI_PROJECT_DIR/docker/app.Dockerfile' });
  });

  it('Kaniko: a Dockerfile a variable names under a context another names, likewise', () => {
    const job = jobOf(
      kaniko('--context "$CI_PROJECT_DIR/$CONTEXT" --dockerfile "$CI_PROJECT_DIR/$DOCKERFILE" --destination "$CI_REGISTRY_IMAGE:x"'),
    );
    expect(job.inputs).toMatchObject({ context: '$CONTEXT', dockerfile: '$CI_PROJECT_DIR/$DOCKERFILE' });
  });

  it('Kaniko: one under the context is still written from the context', () => {
    const job = jobOf(
      kaniko('--context "$CI_PROJECT_DIR/$APP" --dockerfile "$CI_PROJECT_DIR/$APP/Dockerfile.prod" --destination a.io/b:c'),
    );
    expect(job.inputs).toMatchObject({ context: '$APP', dockerfile: 'Dockerfile.prod' });
  });

  it('docker build: -f from the working directory, likewise', () => {
    const job = jobOf(docker([LOGIN, 'docker build -f docker/app.Dockerfile -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" "$APP"', PUSH]));
    expect(job.inputs).toMatchObject({ context: '$APP', dockerfile: '$CI_PROJECT_DIR/docker/app.Dockerfile' });
  });
});

describe('credentials of its own for $CI_REGISTRY (a deploy token)', () => {
  it("Kaniko: take the job token's place (registry inputs); another registry joins in registries", () => {
    const config =
      String.raw`    - echo "{\"auths\":{\"$CI_REGISTRY\":{\"username\":\"$DEPLOY_USER\",\"password\":\"$DEPLOY_TOKEN\"},` +
      String.raw`\"https://index.docker.io/v1/\":{\"username\":\"$HUB_USER\",\"password\":\"$HUB_TOKEN\"}}}" > /kaniko/.docker/config.json` +
      '\n';
    const text =
      `build:\n${KANIKO_IMAGE}  script:\n${config}` +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY/platform/shared/app:$CI_COMMIT_SHA\n';
    const job = jobOf(text);
    expect(job.inputs).toMatchObject({
      registry: '$CI_REGISTRY',
      'registry-user': '$DEPLOY_USER',
      'registry-password': '$DEPLOY_TOKEN',
      registries: [{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }],
    });
  });

  it('docker login: likewise', () => {
    const job = jobOf(
      docker([
        'docker login -u "$HUB_USER" -p "$HUB_TOKEN"',
        'docker login -u "$CI_DEPLOY_USER" -p "$CI_DEPLOY_PASSWORD" "$CI_REGISTRY"',
        'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .',
        PUSH,
      ]),
    );
    expect(job.inputs).toMatchObject({ registry: '$CI_REGISTRY', 'registry-user': '$CI_DEPLOY_USER' });
    expect(job.inputs?.['registries']).toEqual([{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }]);
  });

  // The component refuses a registries item for the registry input's host ($CI_REGISTRY by default).
  it('docker login with the job token too: the deploy token still takes the registry inputs, not a registries item', () => {
    const job = jobOf(
      docker([
        LOGIN,
        'docker login -u "$CI_DEPLOY_USER" -p "$CI_DEPLOY_PASSWORD" "$CI_REGISTRY"',
        'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .',
        PUSH,
      ]),
    );
    expect(job.status).toBe('migrated');
    expect(job.inputs).toMatchObject({
      registry: '$CI_REGISTRY',
      'registry-user': '$CI_DEPLOY_USER',
      'registry-password': '$CI_DEPLOY_PASSWORD',
    });
    expect(job.inputs).not.toHaveProperty('registries');
  });
});

describe('docker buildx --platform with a variable', () => {
  const build = (platform: string) => `docker buildx build --platform ${platform} --push -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .`;

  it('that the file defines as a comma list: the platforms input, one index as buildx built', () => {
    const job = jobOf(docker([LOGIN, build('$PLATFORMS')], 'docker:27', '  variables:\n    PLATFORMS: linux/amd64,linux/arm64\n'));
    expect(job.inputs?.['platforms']).toEqual(['linux/amd64', 'linux/arm64']);
    expect(job.inputs?.['platform']).toBeUndefined();
  });

  it('that the file does not define: the platform input, and a note that a list belongs in platforms', () => {
    const job = jobOf(docker([LOGIN, build('$PLATFORM')]));
    expect(job.inputs?.['platform']).toBe('$PLATFORM');
    expect(job.kinds).toContain('docker-platform-variable');
    expect(job.notes.join('\n')).toContain('--platform $PLATFORM: the platform input takes one platform');
  });
});

it('Kaniko --cache pushing to Docker Hub: no cache repository there, so none (cache: false), said', () => {
  const hubAuth =
    String.raw`    - echo "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"$HUB_USER\",\"password\":\"$HUB_TOKEN\"}}}"` +
    ' > /kaniko/.docker/config.json\n';
  const job = jobOf(
    `build:\n${KANIKO_IMAGE}  script:\n${hubAuth}` +
      '    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "myorg/app:$CI_COMMIT_SHORT_SHA" --cache=true\n',
  );
  expect(job.status).toBe('migrated');
  expect(job.inputs?.['cache']).toBe(false);
  expect(job.inputs?.['cache-repo']).toBeUndefined();
  expect(job.notes.join('\n')).toContain("Kaniko's cache repository myorg/app/cache cannot exist on Docker Hub");
});

describe('docker build with DOCKER_BUILDKIT unset: a CLI before 23.0 takes the builder its Docker daemon advertises', () => {
  const build = (image: string, service: string | undefined, extra = '') =>
    jobOf(
      `build:\n  image: ${image}\n${service ? `  services: [${service}]\n` : ''}${extra}  script:\n` +
        `    - ${LOGIN}\n    - docker build --target app -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n    - ${PUSH}\n`,
    );

  it.each([
    ['docker:stable', 'docker:stable-dind'],
    ['docker:stable-git', 'docker:19.03-dind'],
    ['docker:edge', 'docker:18.09-dind'],
    ['docker:test', 'docker:20.10.16-dind'],
    ['docker:19.03.12', 'docker:19.03.12-dind'],
  ])('%s with %s, a daemon from before 23.0 too: the classic builder built every stage: skip-unused-stages: false', (image, service) => {
    const job = build(image, service);
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['skip-unused-stages']).toBe(false);
    expect(job.notes.join('\n')).toContain(
      `and the Docker daemon of service ${service}, both from before 23.0: the classic builder built every stage up to the target`,
    );
  });

  it.each(['docker:dind', 'docker:24-dind', 'docker:27.3.1-dind-rootless'])(
    'docker:20.10.16 with %s, a daemon from 23.0, which advertises BuildKit: stages nothing uses are skipped, as the component does',
    (service) => {
      const job = build('docker:20.10.16', service);
      expect(job.status).toBe('migrated');
      expect(job.inputs?.['skip-unused-stages']).toBeUndefined();
      expect(job.kinds).not.toContain('docker-classic-builder');
    },
  );

  it("a daemon the file does not date (the host's docker.sock, no dind service, a tag a variable names): review, saying so", () => {
    const socket = build('docker:20.10.16', undefined, '  variables: {DOCKER_HOST: unix:///var/run/docker.sock}\n');
    expect(socket.status).toBe('needs-review');
    expect(socket.inputs?.['skip-unused-stages']).toBeUndefined();
    expect(socket.notes.join('\n')).toContain(
      "DOCKER_BUILDKIT is unset (the job's variables), so the docker 20 CLI (image docker:20.10.16) takes the builder the Docker " +
        "daemon advertises (BuildKit from docker 23.0 on, the classic one before), and the job's daemon is the host's (docker.sock), " +
        'which the file does not date: cigen cannot tell whether the classic builder, which built every stage up to the target, ' +
        'or BuildKit, which builds only the stages the target needs, ran',
    );
    const none = build('docker:stable', undefined);
    expect(none.status).toBe('needs-review');
    expect(none.notes.join('\n')).toContain('and the job starts no dind service: its daemon is one the file does not date');
    const variable = build('docker:stable', 'docker:$DIND-dind');
    expect(variable.status).toBe('needs-review');
    expect(variable.notes.join('\n')).toContain('and the tag of service docker:$DIND-dind does not date that daemon');
    // A value the file gives the variable dates it.
    expect(build('docker:stable', 'docker:$DIND-dind', '  variables: {DIND: "19.03.12"}\n').inputs?.['skip-unused-stages']).toBe(false);
  });

  it('a CLI before 18.09 has no BuildKit, whatever the daemon: the classic builder', () => {
    const job = build('docker:18.06', 'docker:dind');
    expect(job.inputs?.['skip-unused-stages']).toBe(false);
    expect(job.notes.join('\n')).toContain('the docker 18 CLI (image docker:18.06), which has no BuildKit (it came with 18.09)');
  });
});

it('Kaniko --tar-path with two destinations: the tarball would name one, so a person decides', () => {
  const job = jobOf(
    kaniko(
      '--context $CI_PROJECT_DIR --no-push --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA --destination $CI_REGISTRY_IMAGE:latest --tar-path image.tar',
    ),
  );
  expect(job.status).toBe('needs-review');
  expect(job.notes.join('\n')).toContain('tar-path image.tar with 2 destinations');
});

describe("the host's docker.sock set in the top-level variables", () => {
  const text = (inherit = '') =>
    'variables:\n  DOCKER_HOST: unix:///var/run/docker.sock\n' +
    `build:\n  image: docker:27\n${inherit}  script:\n    - ${LOGIN}\n    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n    - ${PUSH}\n`;

  it('is found, as in the job', () => {
    expect(jobOf(text()).finding).toContain('a job that can reach the Docker socket');
  });

  it('is not, for a job that does not inherit it', () => {
    expect(jobOf(text('  inherit:\n    variables: false\n')).finding ?? '').not.toContain('a job that can reach the Docker socket');
    expect(jobOf(text('  inherit:\n    variables: [OTHER]\n')).finding ?? '').not.toContain('a job that can reach the Docker socket');
  });
});

describe('docker build --secret and --ssh', () => {
  const build = (flags: string) => [LOGIN, `docker build ${flags} -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .`, PUSH];

  it('map onto the secrets and ssh inputs where they say the same', () => {
    const job = jobOf(docker(build('--secret id=npm_token,env=NPM_TOKEN --secret id=netrc,src=.netrc --ssh default')));
    expect(job.status).toBe('migrated');
    expect(job.inputs).toMatchObject({ secrets: ['id=npm_token,env=NPM_TOKEN', 'id=netrc,src=.netrc'], ssh: 'true' });
  });

  it('other forms go to a person, told what the inputs take', () => {
    const job = jobOf(docker(build('--secret id=npm_token --ssh deploy=/keys/id')));
    expect(job.status).toBe('needs-review');
    const notes = job.notes.join('\n');
    expect(notes).toContain('--secret id=npm_token: the secrets input takes id=NAME,env=VARIABLE or id=NAME,src=FILE');
    expect(notes).toContain("--ssh deploy=/keys/id: the ssh input forwards the job's agent");
    expect(notes).not.toContain('not an input of the component');
  });
});

describe('what the report says', () => {
  it('a destination whose variable may carry the tag adds no tag of its own to the inputs', () => {
    const job = jobOf(kaniko('--context $CI_PROJECT_DIR --destination $IMAGE_REF'));
    expect(job.inputs?.['tags']).toBeUndefined();
  });

  it('a config.json key written in single quotes is shown as the text it is, not as cigen escapes it', () => {
    const text =
      `build:\n${KANIKO_IMAGE}  script:\n` +
      `    - echo '{"auths":{"$CI_REGISTRY":{"username":"u","password":"p"}}}' > /kaniko/.docker/config.json\n` +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:x\n';
    const notes = jobOf(text).notes.join('\n');
    expect(notes).toContain('config.json entry for $CI_REGISTRY (the text itself: the shell did not expand it)');
    expect(notes).not.toContain('$$');
  });
});

describe('a credential helper in config.json', () => {
  it('names the registry-login that replaces it, and a docker-config only as one that holds the credentials', () => {
    const helper = (name: string) =>
      `build:\n${KANIKO_IMAGE}  script:\n` +
      `    - echo "{\\"credHelpers\\":{\\"$ECR\\":\\"${name}\\"}}" > /kaniko/.docker/config.json\n` +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $ECR/app:x\n';
    for (const [name, login] of [
      ['ecr-login', 'registry-login: ecr'],
      ['gcr', 'registry-login: gar'],
      ['acr-env', 'registry-login: acr'],
    ] as const) {
      const job = jobOf(helper(name));
      expect(job.status).toBe('needs-review');
      expect(job.notes.join('\n')).toContain(
        `config.json names the credential helper ${name} for $ECR, which reads the runner's cloud credentials; the Buildah image ` +
          `has no such helper: give the credentials with registries, a docker-config that holds them (not the helper), or ${login} ` +
          "(short-lived credentials from the job's OIDC token)",
      );
    }
    // A helper cigen knows no registry-login for: the input, without a value it cannot name.
    expect(jobOf(helper('pass')).notes.join('\n')).toContain("or registry-login (short-lived credentials from the job's OIDC token)");
  });
});

describe('Kaniko flags whose meaning depends on the build', () => {
  it('--git with a directory context did nothing in Kaniko: dropped, said', () => {
    const job = jobOf(kaniko('--context "$CI_PROJECT_DIR" --git branch=main --destination "$CI_REGISTRY_IMAGE:x"'));
    expect(job.status).toBe('migrated');
    expect(job.notes.join('\n')).toContain('--git dropped: Kaniko reads it for a git:// context only');
  });

  it('--single-snapshot keeps a deleted file out of every layer: kaniko-compat, which builds one layer', () => {
    const job = jobOf(kaniko('--context "$CI_PROJECT_DIR" --single-snapshot --destination "$CI_REGISTRY_IMAGE:x"'));
    expect(job.component).toContain('kaniko-compat');
    expect(job.notes.join('\n')).toContain('kaniko-compat builds without --layers, one layer');
  });
});

describe('a job other jobs extend', () => {
  const base = docker([LOGIN, 'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .', PUSH]);

  it('Docker: stays, for review, while one that extends it stays (it would inherit the Buildah image and lose dind)', () => {
    const text =
      base +
      'build-arm:\n  extends: build\n  script:\n    - docker build --platform linux/arm64 -t "$CI_REGISTRY_IMAGE:arm" .\n' +
      '    - docker push "$CI_REGISTRY_IMAGE:arm"\n    - docker run --rm "$CI_REGISTRY_IMAGE:arm" true\n' +
      'scan:\n  extends: build\n  script:\n    - docker pull "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"\n    - docker run --rm "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"\n';
    const out = migrate(text);
    expect(out.changed).toBe(false);
    const build = out.jobs.find((j) => j.name === 'build');
    expect(build?.status).toBe('needs-review');
    expect(build?.kinds).toContain('extended-by');
    const notes = build?.notes.join('\n') ?? '';
    expect(notes).toContain("build-arm extends it and would inherit the component's image and lose the dind service");
    expect(notes).toContain("scan extends it and would inherit the component's image and lose the dind service");
  });

  it('Kaniko: likewise', () => {
    const text =
      kaniko('--context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:x"') +
      'build-arm:\n  extends: build\n  script:\n    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:arm"\n    - wget x\n';
    const out = migrate(text);
    expect(out.changed).toBe(false);
    expect(out.jobs.find((j) => j.name === 'build')?.notes.join('\n')).toContain(
      "build-arm extends it and would inherit the component's image: GitLab merges the component's job into build",
    );
  });

  it('moves with them when they move too', () => {
    const text =
      base +
      'build-2:\n  extends: build\n  services: [docker:27-dind]\n  script:\n    - docker build -t "$CI_REGISTRY_IMAGE:2" .\n    - docker push "$CI_REGISTRY_IMAGE:2"\n';
    const out = migrate(text);
    expect(out.jobs.map((j) => [j.name, j.status])).toEqual([
      ['build', 'migrated'],
      ['build-2', 'migrated'],
    ]);
  });
});

describe('a Docker job whose images come from a company registry', () => {
  const mirrored =
    'build:\n  image: harbor.example.com/proxy/library/docker:27\n  services: [harbor.example.com/proxy/library/docker:27-dind]\n' +
    `  script:\n    - ${LOGIN}\n    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .\n    - ${PUSH}\n`;

  it('goes to review, as a Kaniko image from one does: its runner may pull only from there', () => {
    const job = jobOf(mirrored);
    expect(job.status).toBe('needs-review');
    expect(job.notes.join('\n')).toContain(
      'the job runs its docker image and dind service from harbor.example.com, so its runner may pull only from there',
    );
  });

  it('runs the Buildah image --builder-image names for that registry', () => {
    const [file] = migrateFile('.gitlab-ci.yml', mirrored, {
      builderImages: ['harbor.example.com=harbor.example.com/quay/buildah/stable:v1.43.4'],
    });
    const job = file?.jobs[0];
    expect(job?.status).toBe('migrated');
    expect(job?.inputs?.['builder-image']).toBe('harbor.example.com/quay/buildah/stable:v1.43.4');
    expect(job?.notes.join('\n')).toContain(
      'the job ran its docker image and dind service from harbor.example.com; it now runs harbor.example.com/quay/buildah/stable:v1.43.4',
    );
    expect(file?.result).toContain('builder-image: harbor.example.com/quay/buildah/stable:v1.43.4');
  });
});

describe('a job that does not inherit default:', () => {
  const defaults =
    'default:\n  before_script:\n    - apt-get update && apt-get install -y jq\n    - docker login -u "$HUB_USER" -p "$HUB_PASS"\n' +
    '    - export TAG=from-default\n';

  it.each(['false', '[image]'])(
    'Docker: runs none of the default before_script, so nothing of it is translated (inherit: default: %s)',
    (inherit) => {
      const out = migrate(
        defaults +
          docker(
            [LOGIN, 'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .', PUSH],
            'docker:27',
            `  inherit:\n    default: ${inherit}\n`,
          ),
      );
      const job = out.jobs[0];
      expect(job?.status).toBe('migrated');
      expect(job?.inputs?.['registries']).toBeUndefined();
      expect(job?.inputs?.['registry']).toBeUndefined();
      expect(job?.notes.join('\n')).not.toContain('default before_script');
      expect(out.result).not.toContain('TAG=from-default\n    - export');
      expect(out.result.match(/export TAG=from-default/g)).toHaveLength(1);
    },
  );

  it('Kaniko: likewise', () => {
    const out = migrate(
      defaults + kaniko('--context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:x"', '  inherit:\n    default: false\n'),
    );
    const job = out.jobs[0];
    expect(job?.status).toBe('migrated');
    expect(job?.notes.join('\n')).not.toContain('default before_script');
  });

  it('kaniko-compat: its before_script gets the installer only, not the default lines', () => {
    const out = migrate(
      defaults +
        kaniko('--context "$CI_PROJECT_DIR" --reproducible --destination "$CI_REGISTRY_IMAGE:x"', '  inherit:\n    default: false\n'),
    );
    expect(out.jobs[0]?.component).toContain('kaniko-compat');
    expect(out.result.match(/export TAG=from-default/g)).toHaveLength(1);
    expect(out.result).not.toContain('!reference [default, before_script]');
  });
});

describe('DOCKER_BUILDKIT set before docker build, or by rules and matrices', () => {
  const build = (lines: string[], image = 'docker:27', extra = '') =>
    jobOf(docker([LOGIN, ...lines, 'docker build --target prod -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .', PUSH], image, extra));

  it('export DOCKER_BUILDKIT=0 ran the classic builder: skip-unused-stages: false', () => {
    const job = build(['export DOCKER_BUILDKIT=0']);
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['skip-unused-stages']).toBe(false);
    expect(job.notes.join('\n')).toContain('DOCKER_BUILDKIT=0 (`export DOCKER_BUILDKIT=0`): the classic builder built every stage');
  });

  it('a bare DOCKER_BUILDKIT=0 item sets the variable the job exports', () => {
    const job = build(['DOCKER_BUILDKIT=0'], 'docker:27', '  variables:\n    DOCKER_BUILDKIT: "1"\n');
    expect(job.inputs?.['skip-unused-stages']).toBe(false);
  });

  it('a bare DOCKER_BUILDKIT=0 the file does not export reaches docker build only through a CI/CD variable: review', () => {
    const job = build(['DOCKER_BUILDKIT=0']);
    expect(job.status).toBe('needs-review');
    expect(job.notes.join('\n')).toContain('0 (`DOCKER_BUILDKIT=0`, if a CI/CD variable exports it), so the classic builder');
  });

  it('export DOCKER_BUILDKIT=1 on a docker 20 CLI ran BuildKit: nothing of the classic builder said', () => {
    const job = build(['export DOCKER_BUILDKIT=1'], 'docker:20.10.16');
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['skip-unused-stages']).toBeUndefined();
    expect(job.kinds).not.toContain('docker-classic-builder');
  });

  it('values from rules: variables or parallel: matrix that pick both builders: review, saying which', () => {
    const rules = '  rules:\n    - if: $LEGACY\n      variables:\n        DOCKER_BUILDKIT: "0"\n    - when: on_success\n';
    const job = build([], 'docker:27', rules);
    expect(job.status).toBe('needs-review');
    expect(job.notes.join('\n')).toContain(
      "DOCKER_BUILDKIT, which picks docker build's builder, takes several values in this job: unset (the job's variables), " +
        'so BuildKit, the default since docker 23.0; 0 (rules: variables or parallel: matrix), so the classic builder.',
    );
    const matrix = '  parallel:\n    matrix:\n      - DOCKER_BUILDKIT: ["0", "1"]\n';
    expect(build([], 'docker:27', matrix).status).toBe('needs-review');
    // Every value picks the same builder: nothing to decide.
    expect(build([], 'docker:27', '  parallel:\n    matrix:\n      - DOCKER_BUILDKIT: ["1", "true"]\n').status).toBe('migrated');
  });
});

describe("Kaniko's environment (KANIKO_NO_PUSH, KANIKO_REGISTRY_MIRROR, KANIKO_REGISTRY_MAP) given outside the job's variables", () => {
  const destination = '--context . --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG';
  const compat = (what: string) => `runs on kaniko-compat, keeping its script: ${what}, which Kaniko reads from its environment`;
  const lines = (items: string[], extra = '') => `build:\n${KANIKO_IMAGE}${extra}  script:\n${items.map((l) => `    - ${l}\n`).join('')}`;

  it('by a rule or a parallel matrix: the job runs on kaniko-compat, which reads them when it runs, as Kaniko did', () => {
    const rules =
      '  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      variables:\n        KANIKO_NO_PUSH: "true"\n    - when: on_success\n';
    const matrix =
      '  parallel:\n    matrix:\n      - KANIKO_REGISTRY_MAP: ["index.docker.io=mirror.example.com"]\n        FLAVOR: [a, b]\n';
    for (const [extra, name] of [
      [rules, 'KANIKO_NO_PUSH'],
      [matrix, 'KANIKO_REGISTRY_MAP'],
    ] as const) {
      const job = jobOf(kaniko(destination, extra));
      expect(job.component).toContain('/kaniko-compat@');
      expect(job.notes).toContain(compat(`rules: variables or parallel: matrix set ${name} in some of the job's runs`));
    }
  });

  it('by the shell before the build (in a block, in before_script, a bare assignment, unset): likewise, naming the line', () => {
    const run = `/kaniko/executor ${destination}`;
    const cases: [string, string][] = [
      [
        lines(['if [ "$CI_PIPELINE_SOURCE" = merge_request_event ]; then export KANIKO_NO_PUSH=true; fi', run]),
        '`export KANIKO_NO_PUSH=true` sets KANIKO_NO_PUSH',
      ],
      [
        lines([run], '  before_script:\n    - export KANIKO_REGISTRY_MIRROR=mirror.example.com\n'),
        '`export KANIKO_REGISTRY_MIRROR=mirror.example.com` sets KANIKO_REGISTRY_MIRROR',
      ],
      [lines(['KANIKO_NO_PUSH=true', run]), '`KANIKO_NO_PUSH=true` sets KANIKO_NO_PUSH'],
      [lines(['unset KANIKO_REGISTRY_MIRROR', run]), '`unset KANIKO_REGISTRY_MIRROR` unsets KANIKO_REGISTRY_MIRROR'],
    ];
    for (const [text, what] of cases) {
      const job = jobOf(text);
      expect(job.component, text).toContain('/kaniko-compat@');
      expect(job.notes, text).toContain(compat(`${what} before the build`));
    }
  });

  it('but not an assignment that reaches only another command, or a subshell', () => {
    for (const items of [
      ['KANIKO_NO_PUSH=true echo built', `/kaniko/executor ${destination}`],
      ['(export KANIKO_NO_PUSH=true; echo in a subshell)', `/kaniko/executor ${destination}`],
    ]) {
      const job = jobOf(lines(items));
      expect(job.component, items[0]).toContain('/buildah@');
      expect(job.kinds, items[0]).not.toContain('executor-environment');
    }
  });
});

it('a docker login whose password a command pipes in (ECR): for review, with registry-login named', () => {
  const job = jobOf(
    docker([
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin "$ECR"',
      'docker build -t "$ECR/app:1" .',
      'docker push "$ECR/app:1"',
    ]),
  );
  expect(job.status).toBe('needs-review');
  const notes = job.notes.join('\n');
  expect(notes).toContain(
    'the password of the docker login to $ECR comes from a command the job runs (`aws ecr get-login-password --region eu-west-1`, ' +
      'piped into it); component inputs are data: for ECR, Artifact Registry or ACR, registry-login gets',
  );
  expect(notes).not.toContain('cigen cannot tell the user and password');
});

describe('docker push of a repository without a tag', () => {
  const lines = [
    LOGIN,
    'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" -t "$CI_REGISTRY_IMAGE:latest" .',
    'docker push "$CI_REGISTRY_IMAGE"',
  ];

  it.each(['docker:stable', 'docker:19.03.12', 'docker:18.09-dind'])('pushed every tag with a docker CLI before 20.10 (%s)', (image) => {
    const job = jobOf(docker(lines, image));
    expect(job.status).toBe('migrated');
    expect(job.inputs?.['tags']).toEqual(['$CI_COMMIT_SHA', 'latest']);
  });

  it('pushed only :latest from 20.10 on: only some tags are pushed', () => {
    const job = jobOf(docker(lines, 'docker:20.10.16'));
    expect(job.status).toBe('needs-review');
    expect(job.notes.join('\n')).toContain('only some tags are pushed ($CI_REGISTRY_IMAGE:latest)');
  });

  it('with a docker CLI cigen cannot date: review, saying why', () => {
    const job = jobOf(docker(lines, 'registry.example.com/ci/docker-tools:3'));
    expect(job.status).toBe('needs-review');
    const notes = job.notes.join('\n');
    expect(notes).toContain(
      'docker push $CI_REGISTRY_IMAGE names no tag: a docker CLI before 20.10 pushed every tag of $CI_REGISTRY_IMAGE, ' +
        '20.10 and later only $CI_REGISTRY_IMAGE:latest, and cigen cannot tell which docker CLI image registry.example.com/ci/docker-tools:3 runs',
    );
    expect(notes).not.toContain('only some tags are pushed');
  });
});

describe('docker build --iidfile', () => {
  const build = (extra = '', file = 'image-id.txt') =>
    jobOf(docker([LOGIN, `docker build --iidfile ${file} -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .`, PUSH], 'docker:27', extra));

  it('that an artifact keeps for later jobs: review, as the component writes no image ID', () => {
    for (const paths of ['[image-id.txt]', '["$CI_PROJECT_DIR/image-id.txt"]', '["*.txt"]', '[build/]']) {
      const job = build(`  artifacts:\n    paths: ${paths}\n`, paths === '[build/]' ? 'build/iid' : 'image-id.txt');
      expect(job.status, paths).toBe('needs-review');
      expect(job.notes.join('\n')).toContain(
        "docker build wrote the image ID (the digest of the image's configuration) there, and the component writes no image ID " +
          "(its dotenv report's CIGEN_BUILT_DIGEST is the digest of the pushed manifest, another value)",
      );
    }
  });

  it('that nothing keeps: dropped, saying what it was', () => {
    const job = build('  artifacts:\n    paths: [dist/]\n');
    expect(job.status).toBe('migrated');
    const notes = job.notes.join('\n');
    expect(notes).toContain('--iidfile image-id.txt dropped: docker build wrote the image ID');
    expect(notes).not.toContain('the component reports the pushed digest');
  });
});

describe('credentials computed in an auth of config.json', () => {
  const job = (auth: string) =>
    jobOf(
      `build:\n${KANIKO_IMAGE}  script:\n` +
        String.raw`    - echo "{\"auths\":{\"harbor.example.com\":{\"auth\":\"$(` +
        auth +
        String.raw`)\"}}}" > /kaniko/.docker/config.json` +
        '\n    - /kaniko/executor --context . --destination harbor.example.com/proj/app:$CI_COMMIT_SHA\n',
    );

  it.each([
    "echo -n 'robot$proj+ci':$HARBOR_TOKEN | base64",
    'echo -n ${PREFIX}bot:$HARBOR_TOKEN | base64',
    'echo -n $HARBOR_USER:$HARBOR_TOKEN-suffix | base64',
    'echo -n $HARBOR_USER $HARBOR_TOKEN | base64',
    'echo -n $HARBOR_USER:$HARBOR_TOKEN | tr a-z A-Z | base64',
  ])('with text or commands besides $USER:$PASSWORD: kaniko-compat runs the script as written (%s)', (auth) => {
    const built = job(auth);
    expect(built.status).toBe('migrated');
    expect(built.component).toContain('kaniko-compat');
    expect(built.inputs?.['registry-user']).toBeUndefined();
    expect(built.notes.join('\n')).toContain(
      'runs on kaniko-compat, keeping its script: config.json entry for harbor.example.com: its auth is not ' +
        "$(echo -n $USER:$PASSWORD | base64) or $(printf '%s:%s' $USER $PASSWORD | base64), the forms cigen reads as a user and a password",
    );
  });

  it('exactly $USER:$PASSWORD: the registry inputs, as before', () => {
    for (const auth of ['echo -n $HARBOR_USER:$HARBOR_TOKEN | base64', 'printf "%s:%s" "${HARBOR_USER}" "${HARBOR_TOKEN}" | base64 -w0']) {
      const built = job(auth);
      expect(built.component, auth).toContain('/buildah@');
      expect(built.inputs, auth).toMatchObject({
        registry: 'harbor.example.com',
        'registry-user': '$HARBOR_USER',
        'registry-password': '$HARBOR_TOKEN',
      });
    }
  });
});

describe('docker build sharing its script item with other commands: the reason names what holds them together', () => {
  const BUILD = 'docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .';
  const listed = '.b:\n  script:\n    - export TAG=$CI_COMMIT_SHORT_SHA\n' + `    - ${BUILD}\n    - ${PUSH}\n\n`;

  it('a !reference list that exports a variable before the build: the list and the command, not "items of their own"', () => {
    const job = jobOf(listed + docker(['!reference [.b, script]']));
    expect(job.status).toBe('needs-review');
    expect(job.notes).toContain(
      'docker build comes from !reference [.b, script], a list that also runs `export TAG=$CI_COMMIT_SHORT_SHA`; ' +
        "cigen takes the job's script apart item by item and cannot split that list: write its commands in the job's script, one item each",
    );
    expect(job.notes.join('\n')).not.toContain('items of their own');
    // The advice followed: the list's commands in the job's script, one item each, migrate.
    expect(jobOf(listed + docker(['export TAG=$CI_COMMIT_SHORT_SHA', BUILD, PUSH])).status).toBe('migrated');
  });

  it.each([
    [
      `${BUILD} 2>&1 | tee build.log`,
      "docker build's output is piped into `tee build.log`; the component's build writes its output to the job log only",
    ],
    [`cat Dockerfile | ${BUILD.replace(' .', ' -f - .')}`, 'docker build reads its input from `cat Dockerfile` through a pipe'],
    [
      `${BUILD} || exit 1`,
      "`exit 1` runs only when docker build fails (||); the component's build fails the job when it fails, and the component runs nothing after it",
    ],
    [`test -f Dockerfile || ${BUILD}`, 'docker build runs only when `test -f Dockerfile` fails (||)'],
  ])('`%s`: the pipe or the ||, which items of their own would not keep', (line, text) => {
    const job = jobOf(docker([LOGIN, line, PUSH]));
    expect(job.status).toBe('needs-review');
    expect(job.notes.join('\n')).toContain(text);
    expect(job.notes.join('\n')).not.toContain('items of their own');
  });

  it('commands joined by ; are put in items of their own, as the reason says', () => {
    const job = jobOf(docker([LOGIN, `export TAG=1; ${BUILD}`, PUSH]));
    expect(job.notes).toContain('docker build shares one script item with other commands; put them in items of their own');
  });

  it('two builds in one item: the job builds twice, which is the reason', () => {
    const job = jobOf(docker([LOGIN, `${BUILD}; ${BUILD.replace('$CI_COMMIT_SHA', 'latest')}`, PUSH]));
    expect(job.notes).toContain(
      'the job builds 2 times (docker build); the component builds one image per job: split it into one job per image',
    );
    expect(job.notes.join('\n')).not.toContain('items of their own');
  });
});

describe('a Kaniko template with a script and no image (its users bring the Kaniko image)', () => {
  // A command substitution: the jobs that run it need kaniko-compat.
  const TEMPLATE =
    '.kaniko-build:\n  script:\n    - /kaniko/executor --context "$CI_PROJECT_DIR/$APP" --destination "$CI_REGISTRY_IMAGE/$APP:1"' +
    ' --build-arg "BUILD_DATE=$(date -u +%F)"\n';

  it('alone (a template library): left as it is, for review, since a job extending it keeps its own image over kaniko-compat', () => {
    const out = migrate(TEMPLATE);
    const template = out.jobs.find((j) => j.name === '.kaniko-build');
    expect(template).toMatchObject({ status: 'needs-review', kinds: ['template-no-image'] });
    expect(template?.notes.join('\n')).toContain('a job that extends it and sets its own image keeps that image');
    expect(out.changed).toBe(false);
    expect(out.result).not.toContain('.cigen-kaniko-compat');
  });

  it('read through !reference, or extended by a job with its own image: the job moves on its own, the template stays', () => {
    for (const user of [
      `build-api:\n${KANIKO_IMAGE}  variables: {APP: api}\n  script:\n    - !reference [.kaniko-build, script]\n`,
      `build-api:\n  extends: .kaniko-build\n${KANIKO_IMAGE}  variables: {APP: api}\n`,
    ]) {
      const out = migrate(`${TEMPLATE}\n${user}`);
      expect(out.jobs.find((j) => j.name === 'build-api')).toMatchObject({ status: 'migrated', kinds: ['compat'] });
      expect(out.jobs.find((j) => j.name === '.kaniko-build')).toMatchObject({ status: 'needs-review', kinds: ['template-no-image'] });
      // The template's own lines are as they were: no extends of kaniko-compat there.
      expect(out.result).toContain(`${TEMPLATE}\n`);
    }
  });

  it('with a Kaniko image from default: (which the converted template overrides for those without one): converted in place', () => {
    const out = migrate(`default:\n${KANIKO_IMAGE}\n${TEMPLATE}`);
    expect(out.jobs.find((j) => j.name === '.kaniko-build')).toMatchObject({ status: 'migrated', kinds: ['compat-template'] });
  });
});

describe("a project script the job runs by its path, whose first line names the Kaniko image's busybox", () => {
  const SCRIPT = (shebang: string) =>
    `${shebang}\nset -e\n/kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:1"\n`;
  const job = (line: string) => `build:\n${KANIKO_IMAGE}  script:\n    - ${line}\n`;

  it('is left for review, as the same interpreter written on the script line is: the kernel runs it with that program', () => {
    const direct = jobOf(job('./ci/kaniko.sh'), 'build', { 'ci/kaniko.sh': SCRIPT('#!/busybox/sh') });
    expect(direct).toMatchObject({ status: 'needs-review', kinds: ['missing-tool'] });
    expect(direct.notes).toEqual([
      "`./ci/kaniko.sh` runs ci/kaniko.sh, whose first line `#!/busybox/sh` names /busybox/sh, the Kaniko image's busybox, " +
        'which the Buildah image does not have: make it `#!/bin/sh` there',
    ]);
    const rooted = jobOf(job('"$CI_PROJECT_DIR/ci/kaniko.sh"'), 'build', { 'ci/kaniko.sh': SCRIPT('#!/busybox/env sh') });
    expect(rooted).toMatchObject({ status: 'needs-review', kinds: ['missing-tool'] });
    expect(rooted.notes.join('\n')).toContain(
      "names /busybox/env, the Kaniko image's busybox, which the Buildah image does not have: make it `#!/usr/bin/env sh` there",
    );
  });

  it('runs on kaniko-compat when the Buildah image has its interpreter, or sh reads it whatever its first line says', () => {
    for (const [line, shebang] of [
      ['./ci/kaniko.sh', '#!/bin/sh'],
      ['ci/kaniko.sh', '#!/usr/bin/env bash'],
      ['sh ci/kaniko.sh', '#!/busybox/sh'],
    ] as const) {
      const read = jobOf(job(line), 'build', { 'ci/kaniko.sh': SCRIPT(shebang) });
      expect(read, line).toMatchObject({ status: 'migrated', kinds: ['compat'] });
    }
  });

  it('after a cd the path is not the project file of that name: nothing said of it', () => {
    const moved = jobOf(job('cd sub && ./ci/kaniko.sh'), 'build', { 'ci/kaniko.sh': SCRIPT('#!/busybox/sh') });
    expect(JSON.stringify(moved)).not.toContain('#!/busybox/sh');
  });
});
