/**
 * `cigen migrate` on whole files: what moves, what stays byte for byte, include forms, merge
 * keys, extends, !reference, idempotence, and a property test over generated pipelines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile, SourceError, type FileMigration } from '../../src/migrate/index.js';
import { catalogHost } from '../helpers/lint-host.js';
import { findComponent } from '../../src/catalog/registry.js';
import { cigen } from '../helpers/cli.js';
import { compatEdits } from '../../src/migrate/compat.js';
import { buildPipeline } from '../../src/migrate/pipeline.js';
import { lastKeysOnly, readSource } from '../../src/ci/source.js';

/** The dotenv report the buildah component's build job declares, read from the component. */
const componentReport = (): string => {
  const jobs = findComponent('buildah')?.jobs() ?? {};
  return String(jobs['$[[ inputs.job-name ]]']?.artifacts?.reports?.dotenv);
};

const AUTH =
  String.raw`    - echo "{\"auths\":{\"$CI_REGISTRY\":{\"auth\":\"$(printf "%s:%s" "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" ` +
  String.raw`| base64 | tr -d '\n')\"}}}" > /kaniko/.docker/config.json`;
const KANIKO_JOB = (name: string, extra = '') =>
  `${name}:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - mkdir -p /kaniko/.docker
${AUTH}
    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile ` +
  `--destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA --cache=true
${extra}`;

function migrate(text: string, files: Record<string, string> = {}): FileMigration[] {
  return migrateFile('.gitlab-ci.yml', text, {
    host: { readProjectFile: (path) => files[path], projectFileExists: (path) => path in files },
  });
}
const root = (text: string, files?: Record<string, string>) => migrate(text, files)[0] as FileMigration;
const job = (migration: FileMigration, name: string) => migration.jobs.find((j) => j.name === name);

async function lintErrors(text: string): Promise<string[]> {
  const diagnostics = await lintText(text, { file: '.gitlab-ci.yml', host: catalogHost() });
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
}

describe('a Kaniko job', () => {
  it('becomes an include of the component plus a slim job; everything else keeps its bytes', async () => {
    const text = `# Pipeline of the shop service.

stages: [build, test]   # two stages

variables:
  GIT_DEPTH: "10"   # shallow

${KANIKO_JOB('build-image', '  rules:\n    - if: $CI_COMMIT_BRANCH == "main"   # main only\n  tags: [docker]\n')}
unit:
  stage: test
  needs: [build-image]
  script:
    - 'echo "quoted: yes"'
`;
    const out = root(text);
    expect(job(out, 'build-image')).toMatchObject({
      status: 'migrated',
      // Kaniko keeps HEALTHCHECK, SHELL and ONBUILD; Buildah only in the Docker format.
      // Kaniko built every stage up to the target: skip-unused-stages false keeps that.
      inputs: {
        'job-name': 'build-image',
        image: '$CI_REGISTRY_IMAGE',
        tags: ['$CI_COMMIT_SHORT_SHA'],
        format: 'docker',
        'skip-unused-stages': false,
      },
    });
    expect(job(out, 'unit')?.status).toBe('unchanged');
    expect(out.result).toBe(`# Pipeline of the shop service.

include:
  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1
    inputs:
      job-name: build-image
      image: $CI_REGISTRY_IMAGE
      tags: [$CI_COMMIT_SHORT_SHA]
      format: docker
      skip-unused-stages: false

stages: [build, test]   # two stages

variables:
  GIT_DEPTH: "10"   # shallow

build-image:
  stage: build
  rules:
    - if: $CI_COMMIT_BRANCH == "main"   # main only
  tags: [docker]

unit:
  stage: test
  needs: [build-image]
  script:
    - 'echo "quoted: yes"'
`);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('keeps every comment, even those inside what it removes', () => {
    const out = root(`build:
  # built with kaniko
  image: gcr.io/kaniko-project/executor:debug  # the debug image has a shell
  script:
    # log in
    - mkdir -p /kaniko/.docker
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:latest --cache  # push
  tags: [k8s]
`);
    for (const comment of ['# built with kaniko', '# the debug image has a shell', '# log in', '# push'])
      expect(out.result).toContain(comment);
    expect(out.result).not.toContain('executor');
  });

  it('a comment that ends a command moved to before_script stays on its line, once', async () => {
    const out = root(`build:
  image: gcr.io/kaniko-project/executor:debug
  script:
    - echo "preparing"   # prepare the context
    - >-
      mkdir -p out
    - "touch out/x" # quoted
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:latest --cache  # push
    # after
`);
    expect(out.result).toContain('  before_script:\n    - echo "preparing" # prepare the context\n');
    expect(out.result).toContain('    - "touch out/x" # quoted\n');
    for (const comment of ['# prepare the context', '# quoted', '# push', '# after'])
      expect(out.result.split(comment).length - 1, comment).toBe(1);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('removes the job when nothing of it is left: the component is the whole job', async () => {
    const out = root(
      'stages: [build]\nbuild:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n' +
        '  script: [/kaniko/executor --destination $CI_REGISTRY_IMAGE:1 --cache]\n',
    );
    expect(out.result).toBe(
      'include:\n  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n    inputs:\n      job-name: build\n' +
        '      image: $CI_REGISTRY_IMAGE\n      tags: ["1"]\n      format: docker\n      skip-unused-stages: false\n\nstages: [build]\nbuild:\n  stage: build\n',
    );
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('moves commands that ran before the build to before_script, which shares the shell with the build', async () => {
    const out = root(`build:
  stage: build
  image: gcr.io/kaniko-project/executor:debug
  before_script:
    - mkdir -p /kaniko/.docker
${AUTH}
  script:
    - export VERSION=$(cat VERSION)
    - |
      echo "building $VERSION"
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:$VERSION --cache
`);
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', inputs: { tags: ['$VERSION'] } });
    expect(out.result).toContain(
      'build:\n  stage: build\n  before_script:\n    - export VERSION=$(cat VERSION)\n    - |\n      echo "building $VERSION"\n',
    );
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('moves a job whose script goes on after the build to kaniko-compat: its script runs as written, the executor on Buildah', async () => {
    const text = KANIKO_JOB('build', '').replace('--cache=true\n', '--cache=true\n    - echo pushed\n');
    const out = root(text);
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1' });
    expect(out.result).toContain('extends: .cigen-kaniko-compat');
    expect(out.result).toContain('    - echo pushed\n');
    expect(out.result).not.toContain('gcr.io/kaniko-project/executor');
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it("keeps GitLab's default stage for a job without one", () => {
    const out = root(KANIKO_JOB('b').replace('  stage: build\n', ''));
    expect(job(out, 'b')?.inputs).toMatchObject({ stage: 'test' });
  });

  it('carries credentials for another registry from the config.json line', () => {
    const out = root(
      KANIKO_JOB('b').replace(
        AUTH,
        AUTH.replace('$CI_REGISTRY\\', 'https://index.docker.io/v1/\\').replace(
          '"$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD"',
          '"$HUB_USER" "$HUB_TOKEN"',
        ),
      ),
    );
    expect(job(out, 'b')?.inputs).toMatchObject({ registry: 'docker.io', 'registry-user': '$HUB_USER', 'registry-password': '$HUB_TOKEN' });
  });
});

describe('structure the file already has', () => {
  it('extends: the template stays, the job keeps extending it (the component overrides its image and script)', async () => {
    const text = `.kaniko:
  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}
  before_script:
    - mkdir -p /kaniko/.docker
${AUTH}
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR/$APP --destination $CI_REGISTRY_IMAGE/$APP:$CI_COMMIT_SHORT_SHA --cache
  tags: [kubernetes]

build-api:
  extends: .kaniko
  stage: build
  variables: {APP: api}
`;
    const out = root(text);
    expect(job(out, 'build-api')).toMatchObject({ status: 'migrated', inputs: { context: '$APP', image: '$CI_REGISTRY_IMAGE/$APP' } });
    expect(job(out, '.kaniko')?.notes.join()).toContain('build-api extends it and now runs the component');
    expect(out.result.endsWith(text)).toBe(true);
    expect(await lintErrors(out.result)).toEqual([]);
    expect(root(out.result).changed).toBe(false);
  });

  it('merge keys that bring the Kaniko image go; the keys they also brought stay', async () => {
    const text = `.kaniko: &kaniko
  image: gcr.io/kaniko-project/executor:debug
  script:
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA --cache
  retry: 2
.runner: &runner
  tags: [docker]

build:
  <<: [*runner, *kaniko]
  stage: build
`;
    const out = root(text);
    expect(job(out, 'build')?.status).toBe('migrated');
    // What the dropped map brought goes after the merge key that stays, which would bring its keys over it.
    expect(out.result).toContain('build:\n  <<: *runner\n  retry: 2\n  stage: build\n');
    expect(await lintErrors(out.result)).toEqual([]);
  });

  /** A Kaniko template that also sets the stage. */
  const stagedKaniko = `.kaniko: &kaniko
  image: gcr.io/kaniko-project/executor:debug
  stage: build
  script:
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA
`;

  it('a key copied from a dropped map stays over the maps the merge key keeps (the first map in the list won)', () => {
    const text = `${stagedKaniko}.runner: &runner
  stage: deploy
  tags: [docker]
stages: [build, deploy]
build:
  image: alpine
  <<: [*kaniko, *runner]
`;
    const out = root(text);
    expect(job(out, 'build')?.status).toBe('migrated');
    // Psych reads stage: build before and after (written after `<<: *runner`, it wins over runner's deploy).
    expect(out.result).toContain('build:\n  <<: *runner\n  stage: build\n');
  });

  it('a kept map that merges a map of its own keeps what that brings (nothing is copied over it)', () => {
    const text = `${stagedKaniko}.base: &base
  stage: deploy
  retry: 2
.runner: &runner
  <<: *base
  tags: [docker]
stages: [build, deploy]
a-build:
  <<: [*runner, *kaniko]
`;
    const out = root(text);
    expect(job(out, 'a-build')?.status).toBe('migrated');
    // Psych reads stage deploy (runner's, through base) before and after; the component is told so.
    expect(out.result).toContain('a-build:\n  <<: *runner\n');
    expect(out.result).not.toContain('a-build:\n  <<: *runner\n  stage');
    expect(out.result).toContain('      stage: deploy\n');
  });

  it('a job needing kaniko-compat whose image a merge key brings: review, saying why, while a plain one beside it moves', async () => {
    const template = '.kaniko: &kaniko\n  image: gcr.io/kaniko-project/executor:debug\n  before_script:\n    - echo logged in\n';
    const build = (name: string, flags = '') =>
      `  stage: build\n  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE/${name}:1${flags}\n`;
    const out = root(`${template}web:\n  <<: *kaniko\n${build('web')}api:\n  <<: *kaniko\n${build('api', ' --single-snapshot')}`);
    // The merge key is taken apart for web, which moves onto the buildah component.
    expect(job(out, 'web')?.component).toContain('/buildah@');
    expect(out.result).toContain('web:\n  before_script:\n    - echo logged in\n  stage: build\n');
    expect(job(out, 'api')).toMatchObject({
      status: 'needs-review',
      kinds: ['merge-key'],
      notes: [
        'api needs kaniko-compat (--single-snapshot: Kaniko wrote one layer for the whole build, so a file one step wrote and a later ' +
          'one deleted is in no layer; the component writes a layer per step, where it stays; kaniko-compat builds without --layers, ' +
          "one layer), whose image comes through extends, but gets its Kaniko image through a merge key (<<): YAML makes the merged image a key of the job's own, which wins over extends, and cigen takes a merge key apart only for a job moving onto the buildah component: in place of the merge key, write in api the keys it brings, all but image",
      ],
    });
    // Done as it says, the job moves onto kaniko-compat.
    const written = root(`${template}api:\n  before_script:\n    - echo logged in\n${build('api', ' --single-snapshot')}`);
    expect(job(written, 'api')?.component).toContain('/kaniko-compat@');
    expect(await lintErrors(written.result)).toEqual([]);
  });

  it('two merge keys in one job: each merges over what is written before it (Psych); the job is left for review', () => {
    const image = '.img: &img\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n';
    const staged = '.st: &st\n  stage: build\n';
    const script = '  script:\n    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n';
    // The later merge key's stage is read: no stage input, and no note that the job had none.
    const later = root(`${image}${staged}stages: [build]\nbuild:\n  <<: *img\n  <<: *st\n${script}`);
    expect(job(later, 'build')?.status).toBe('needs-review');
    expect(job(later, 'build')?.notes.join('\n')).toContain(
      'the job has 2 merge keys (<<), each merged over what is written before it; cigen rewrites a job with one: ' +
        'join them as <<: [*st, *img] (in a list the first wins)',
    );
    expect(job(later, 'build')?.notes.join('\n')).not.toContain('no stage');
    expect(later.changed).toBe(false);
    // Joined as advised, the job migrates and keeps the merge key that brings its stage.
    const joined = root(`${image}${staged}stages: [build]\nbuild:\n  <<: [*st, *img]\n${script}`);
    expect(job(joined, 'build')?.status).toBe('migrated');
    expect(joined.result).toContain('build:\n  <<: *st\n');
  });

  it("a merge key's variables are the job's only when no variables: is written after it (Psych merges shallowly)", () => {
    const vars = '.vars: &vars\n  variables:\n    KANIKO_NO_PUSH: "true"\n';
    const body =
      '  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1\n';
    const build = (own: string) => root(`${vars}build:\n${own}  stage: build\n${body}`);
    const reason = 'the job sets KANIKO_NO_PUSH, which Kaniko reads from its environment';
    // Written after the merge key, the job's variables replace the merged ones: Kaniko never saw KANIKO_NO_PUSH.
    expect(job(build('  <<: *vars\n  variables:\n    OTHER: x\n'), 'build')?.notes.join('\n')).not.toContain(reason);
    // Written before it, the merge key's variables win.
    expect(job(build('  variables:\n    OTHER: x\n  <<: *vars\n'), 'build')?.notes.join('\n')).toContain(reason);
  });

  it('a job named as one the buildah component adds (<job>:sign) would merge with it: the job keeps its script on kaniko-compat', () => {
    const text =
      'build:\n  stage: build\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1\n' +
      'build:sign:\n  stage: test\n  script: [cosign sign $CI_REGISTRY_IMAGE:1]\n  only: [main]\n';
    const out = root(text);
    expect(job(out, 'build')?.component).toContain('/kaniko-compat@');
    expect(job(out, 'build')?.notes.join('\n')).toContain(
      'the buildah component adds a job build:sign, and the pipeline has one of that name: GitLab would merge the two',
    );
  });

  it('a key written before the merge key is read from the merge key, as Psych reads it', () => {
    const kaniko = stagedKaniko;
    // The job reads stage: build from the anchor; dropping the merge key would leave its stage: test.
    const stage = root(`${kaniko}build:\n  stage: test\n  <<: *kaniko\n`);
    expect(job(stage, 'build')?.status).toBe('needs-review');
    expect(job(stage, 'build')?.notes.join('\n')).toContain(
      "stage is written before the merge key (<<), so the job reads &kaniko's stage; without the merge key its own would win",
    );
    expect(stage.changed).toBe(false);
    // Written after it, the job's own stage wins: the merge key goes, the stage stays the job's.
    const after = root(`${kaniko}build:\n  <<: *kaniko\n  stage: test\n`);
    expect(job(after, 'build')?.status).toBe('migrated');
    expect(after.result).toContain('      stage: test\n');
    // Read from a map the merge key keeps (the first in its list): nothing changes for it.
    const runner = root(`${kaniko}.runner: &runner\n  stage: deploy\nbuild:\n  stage: test\n  <<: [*runner, *kaniko]\n`);
    expect(job(runner, 'build')?.status).toBe('migrated');
    expect(runner.result).toContain('build:\n  stage: test\n  <<: *runner\n');
    expect(runner.result).not.toContain('      stage: test\n');
  });

  it('!reference: the referenced config.json lines are recognised and dropped', () => {
    const out = root(`.auth:
  script:
    - mkdir -p /kaniko/.docker
${AUTH}
build:
  image: gcr.io/kaniko-project/executor:debug
  stage: build
  script:
    - !reference [.auth, script]
    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1 --cache
`);
    expect(job(out, 'build')?.status).toBe('migrated');
    expect(out.result).not.toContain('!reference [.auth, script]\n    - /kaniko');
  });

  // GitLab digs a !reference out of the whole configuration (`config.dig(*location)`), includes
  // merged and extends resolved, when it creates the pipeline.
  describe('!reference to any top-level key, as GitLab digs it', () => {
    const EXECUTOR = '/kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1';
    const build = (script: string, extra = '') =>
      `build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n${extra}  script:\n    - ${script}\n`;

    it.each([
      ['a hidden key holding a list (one element)', `.build-script: &build-script\n  - ${EXECUTOR}\n`, '!reference [.build-script]'],
      ['a list in a hidden mapping', `.snippets:\n  kaniko:\n    - ${EXECUTOR}\n`, '!reference [.snippets, kaniko]'],
      [
        "a job's script it takes from the job it extends",
        `.base:\n  script:\n    - ${EXECUTOR}\nbuild-base:\n  extends: .base\n  stage: test\n`,
        '!reference [build-base, script]',
      ],
    ])('%s is read, and the job moves onto buildah', (_what, defined, reference) => {
      const out = root(`${defined}${build(reference)}`);
      expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/buildah@1' });
      expect(root(out.result).result).toBe(out.result);
    });

    it('one this file and its local includes do not hold runs on kaniko-compat, saying when GitLab resolves it', () => {
      const out = root(build('!reference [.remote-script]') + build('!reference [.snippets, nope]').replace('build:', 'build-2:'));
      expect(out.jobs.map((j) => [j.name, j.component, j.notes[0]])).toEqual([
        [
          'build',
          '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1',
          'runs on kaniko-compat, keeping its script: the script uses !reference [.remote-script] (no key .remote-script at the ' +
            'top level of this file or its local includes), which GitLab resolves when it creates the pipeline, with every include merged',
        ],
        [
          'build-2',
          '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1',
          'runs on kaniko-compat, keeping its script: the script uses !reference [.snippets, nope] (no key .snippets at the ' +
            'top level of this file or its local includes), which GitLab resolves when it creates the pipeline, with every include merged',
        ],
      ]);
      const missing = root(`.snippets:\n  kaniko: [echo]\n${build('!reference [.snippets, nope]')}`);
      expect(job(missing, 'build')?.notes[0]).toContain('the script uses !reference [.snippets, nope] (.snippets has no nope), which');
      const base = root(`.base:\n  stage: build\nbuild-base:\n  extends: .base\n${build('!reference [build-base, script]')}`);
      expect(job(base, 'build')?.notes[0]).toContain('(build-base has no script, nor do the jobs it extends)');
    });
  });

  it.each([
    [
      'a list',
      'include:\n  - local: ci/test.yml\n  - template: Security/SAST.gitlab-ci.yml\n',
      'include:\n  - local: ci/test.yml\n  - template: Security/SAST.gitlab-ci.yml\n  - component: ',
    ],
    ['a string', "include: 'ci/test.yml'\n", "include:\n  - 'ci/test.yml'\n  - component: "],
    ['a flow list', 'include: [ci/a.yml, {local: ci/b.yml}]\n', 'include:\n  - ci/a.yml\n  - {local: ci/b.yml}\n  - component: '],
    ['a mapping', 'include:\n  local: ci/test.yml\n', 'include:\n  - local: ci/test.yml\n  - component: '],
  ])('an existing include given as %s gets the entry added', (_name, include, expected) => {
    const files = {
      'ci/test.yml': 'lint:\n  script: [echo]\n',
      'ci/a.yml': 'a:\n  script: [echo]\n',
      'ci/b.yml': 'b:\n  script: [echo]\n',
    };
    const out = root(`${include}\n${KANIKO_JOB('build')}`, files);
    expect(out.result.startsWith(expected)).toBe(true);
    expect(root(out.result, files).changed).toBe(false);
  });

  it('a Kaniko job in a local include is migrated in that file', () => {
    const [main, included] = migrate('include:\n  - local: ci/build.yml\ntest:\n  script: [echo]\n', {
      'ci/build.yml': KANIKO_JOB('build'),
    });
    expect(main?.changed).toBe(false);
    expect(included).toMatchObject({ path: 'ci/build.yml', changed: true });
    expect(included?.result.startsWith('include:\n  - component: ')).toBe(true);
  });

  it('a missing local include is a warning, never a crash', () => {
    const out = root(`include: ci/gone.yml\n${KANIKO_JOB('build')}`);
    expect(out.warnings).toEqual(['.gitlab-ci.yml: local include ci/gone.yml does not exist; its jobs were not checked']);
    expect(job(out, 'build')?.status).toBe('migrated');
  });

  // `cigen migrate` left a wildcard local include unread ("uses a glob or a variable"), and the
  // Kaniko jobs of the files it names unmigrated, though `cigen init` reads it as GitLab does.
  it('`cigen migrate` reads a wildcard local include as each project file it names; a variable stays unread, saying so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-migrate-wildcard-'));
    const files = {
      '.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\n  - local: ci/**/*.yml\n  - local: ci/$VARIANT.yml\n",
      'ci/a.yml': KANIKO_JOB('build-a'),
      'ci/deep/b.yml': KANIKO_JOB('build-b'),
      'ci/deep/notes.md': '# not included: ci/**/*.yml names .yml files only\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    try {
      const result = cigen(['migrate', '--format', 'json', join(dir, '.gitlab-ci.yml')], { cwd: dir });
      expect(result.status, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as {
        files: { path: string; changed: boolean; jobs: { name: string; status: string }[]; warnings: string[] }[];
      };
      expect(out.files.map((f) => [f.path, f.changed, f.jobs.map((j) => `${j.name}: ${j.status}`)])).toEqual([
        ['.gitlab-ci.yml', false, []],
        ['ci/a.yml', true, ['build-a: migrated']],
        ['ci/deep/b.yml', true, ['build-b: migrated']],
      ]);
      expect(out.files[0]?.warnings).toEqual([
        '.gitlab-ci.yml: local include ci/$VARIANT.yml uses a glob or a variable; its jobs were not checked',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a local include that is not a .yml or .yaml file is not read, as GitLab refuses to include it (a wildcard names any file)', () => {
    const files: Record<string, string> = {
      'ci/a.yml': KANIKO_JOB('build-a'),
      'ci/README.md': 'ci: [files\n',
      'ci/job.txt': KANIKO_JOB('txt'),
    };
    const out = migrateFile('.gitlab-ci.yml', 'include:\n  - local: ci/*\n  - local: ci/job.txt\n', {
      host: { readProjectFile: (path) => files[path], files: () => Object.keys(files).sort() },
    });
    expect(out.map((f) => [f.path, f.jobs.map((j) => `${j.name}: ${j.status}`)])).toEqual([
      ['.gitlab-ci.yml', []],
      ['ci/a.yml', ['build-a: migrated']],
    ]);
    expect(out[0]?.warnings).toEqual([
      '.gitlab-ci.yml: local include ci/README.md is not a .yml or .yaml file, which GitLab refuses to include; its jobs were not checked',
      '.gitlab-ci.yml: local include ci/job.txt is not a .yml or .yaml file, which GitLab refuses to include; its jobs were not checked',
    ]);
  });

  it('a local include that is not valid YAML stops the migration as the file itself would, naming it', () => {
    const text = `include: ci/broken.yml\n${KANIKO_JOB('build')}`;
    expect(() => migrate(text, { 'ci/broken.yml': 'a:\n  b: [1\n' })).toThrow(SourceError);
    expect(() => migrate(text, { 'ci/broken.yml': 'a:\n  b: [1\n' })).toThrow(/^ci\/broken\.yml:\d+:\d+: Flow sequence/);
  });
});

describe('a directory change before the build', () => {
  it.each(['cd frontend', 'cd "$CI_PROJECT_DIR/app"'])('`%s`: kaniko-compat keeps the script, whose directory the build uses', (line) => {
    const text =
      `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - ${line}\n` +
      '    - /kaniko/executor --context . --dockerfile Dockerfile --destination $CI_REGISTRY_IMAGE:1\n';
    const out = root(text);
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(out.result).toContain(`    - ${line}\n    - /kaniko/executor --context .`);
    // The line as its words read (quotes removed), as in every finding about a command.
    expect(job(out, 'build')?.notes.join('\n')).toContain(`\`${line.replaceAll('"', '')}\` changes the directory the build runs in`);
  });
});

describe('subshells and case statements', () => {
  const kaniko = (lines: string) =>
    `build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n${lines}` +
    '    - /kaniko/executor --context . --dockerfile Dockerfile --destination $CI_REGISTRY_IMAGE:$TAG\n';

  it('a case statement that picks the tag runs before the build as an if does: its patterns are not commands', () => {
    const out = root(
      kaniko(
        '    - |\n      case "$CI_COMMIT_BRANCH" in\n        main|master) TAG=latest ;;\n        (*) TAG="$CI_COMMIT_REF_SLUG" ;;\n      esac\n',
      ),
    );
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/buildah@') });
    expect(out.result).toContain('  before_script:\n    - |\n      case "$CI_COMMIT_BRANCH" in');
  });

  it("a `cd` in a subshell does not move the build; the subshell's own program is what it runs", () => {
    const out = root(kaniko('    - (cd app && ./configure)\n'));
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/buildah@') });
    const missing = root(kaniko('    - (cd app && make config)\n'));
    expect(job(missing, 'build')).toMatchObject({
      status: 'needs-review',
      notes: [expect.stringMatching(/^`make config` runs make, which the Buildah image .* does not have/)],
    });
  });

  it('docker needs a daemon the job has none of, apk is dnf there: the advice is what would work, not installing them', () => {
    const out = root(kaniko('    - docker version\n    - kubectl version --client\n'));
    const notes = job(out, 'build')?.notes ?? [];
    expect(notes).toContainEqual(
      expect.stringMatching(/^`docker version` runs docker, a client of a Docker daemon, .*: run it in another job$/),
    );
    expect(notes.join('\n')).not.toMatch(/runs docker, which .*install it there/);
    expect(notes).toContainEqual(expect.stringMatching(/^`kubectl version --client` runs kubectl, .* install it there \(dnf\)/));
    const busybox = job(root(kaniko('    - /busybox/sh ./prepare.sh\n')), 'build')?.notes ?? [];
    expect(busybox).toEqual([
      "`/busybox/sh ./prepare.sh` runs /busybox/sh, the Kaniko image's busybox, which the Buildah image does not have: call it sh there",
    ]);
    const apk = job(root(kaniko('    - apk add --no-cache jq\n')), 'build')?.notes ?? [];
    expect(apk).toEqual([expect.stringMatching(/^`apk add --no-cache jq` runs apk, Alpine's package manager, .*`dnf install -y` there/)]);
  });

  it("after_script runs in the Buildah image now: what it runs that the image lacks is a review, as in script (own or default:'s)", () => {
    const build =
      'build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
      '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:2\n';
    const own = job(
      root(
        `${build}  after_script:\n    - wget -q -O- "https://hooks.example.com/notify?job=$CI_JOB_ID"\n    - /busybox/sh -c 'echo done'\n`,
      ),
      'build',
    );
    expect(own?.status).toBe('needs-review');
    expect(own?.notes).toContainEqual(expect.stringMatching(/^after_script runs in the Buildah image now: `wget -q -O- .*` runs wget, /));
    expect(own?.notes).toContainEqual(
      expect.stringMatching(/^after_script runs in the Buildah image now: `\/busybox\/sh -c .*` runs \/busybox\/sh, /),
    );
    const fromDefault = job(root(`default:\n  after_script:\n    - wget -q https://hooks.example.com\n${build}`), 'build');
    expect(fromDefault?.status).toBe('needs-review');
    // What the Buildah image has (curl, echo) stays migrated.
    expect(job(root(`${build}  after_script:\n    - curl -fsS https://hooks.example.com\n    - echo done\n`), 'build')?.status).toBe(
      'migrated',
    );
  });

  it('a CA from --registry-certificate and another added to the bundle: kaniko-compat, as the input takes one', () => {
    const out = root(
      'build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
        '    - cat "$COMPANY_CA" >> /kaniko/ssl/certs/ca-certificates.crt\n' +
        '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1 --registry-certificate "harbor.example.com=$HARBOR_CA"\n',
    );
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(job(out, 'build')?.notes).toContain(
      "runs on kaniko-compat, keeping its script: the job trusts $HARBOR_CA (--registry-certificate) and $COMPANY_CA (added to Kaniko's " +
        'bundle); ca-certificates takes one',
    );
  });

  it('an executor in a subshell keeps its script on kaniko-compat, and the reason says so', () => {
    const text =
      'build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
      '    - (/kaniko/executor --context . --dockerfile Dockerfile --destination "$CI_REGISTRY_IMAGE:1")\n';
    const out = root(text);
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(job(out, 'build')?.notes.join('\n')).toContain('the executor runs in a subshell `( ... )`');
    expect(job(out, 'build')?.notes.join('\n')).not.toContain('(/kaniko/executor');
  });
});

describe('credentials and pushes, as Kaniko used them', () => {
  const kaniko = (line: string, extra = '') =>
    `build:\n  stage: build\n${extra}  image: gcr.io/kaniko-project/executor:debug\n  script:\n${line}`;
  it('--no-push pushes nothing to its destination: no credentials are needed there', () => {
    const out = root(kaniko('    - /kaniko/executor --context . --no-push --destination ghcr.io/acme/app:test\n'));
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', inputs: expect.objectContaining({ push: false }) });
  });

  it('--cache-repo oci:PATH is a directory, not a registry: no credentials, nor TLS, asked for a host "oci:"', () => {
    const out = root(
      kaniko(
        '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1 --cache=true --cache-repo oci:/cache/kaniko --skip-tls-verify\n',
      ),
    );
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['flag-review'],
      notes: ['cache-repo oci:/cache/kaniko: a cache in an OCI layout; the components cache in a registry'],
      inputs: expect.objectContaining({ 'insecure-registries': ['$CI_REGISTRY'] }),
    });
  });

  it('a config.json key written as a variable the file defines is that registry', () => {
    const out = root(
      kaniko(
        '    - echo "{\\"auths\\":{\\"$REGISTRY\\":{\\"username\\":\\"$U\\",\\"password\\":\\"$P\\"}}}" > /kaniko/.docker/config.json\n' +
          '    - /kaniko/executor --context . --destination $REGISTRY/team/app:1.0\n',
        '  variables:\n    REGISTRY: harbor.example.com\n',
      ),
    );
    expect(job(out, 'build')).toMatchObject({
      status: 'migrated',
      inputs: expect.objectContaining({ registry: '$REGISTRY', 'registry-user': '$U', 'registry-password': '$P' }),
    });
  });

  it('a config.json key written as a CI/CD variable (not defined in the file) may be the host: no false "wrote no credentials"', () => {
    const out = root(
      kaniko(
        '    - echo "{\\"auths\\":{\\"$HARBOR_HOST\\":{\\"username\\":\\"$U\\",\\"password\\":\\"$P\\"}}}" > /kaniko/.docker/config.json\n' +
          '    - /kaniko/executor --context . --destination harbor.example.com/team/app:1\n',
      ),
    );
    expect(JSON.stringify(job(out, 'build'))).not.toContain('wrote no credentials');
  });

  it("a config.json key the shell computes is never a host input: GitLab's Dependency Proxy key is the proxy, others run on kaniko-compat", () => {
    // GitLab's Kaniko example: the Dependency Proxy's server with its port cut by awk.
    const proxyKey = String.raw`$(echo -n $CI_DEPENDENCY_PROXY_SERVER | awk -F[:] '{print $1}')`;
    const q = '\\"';
    const config = (key: string, user: string, password: string) =>
      `    - echo "{${q}auths${q}:{${q}$CI_REGISTRY${q}:{${q}auth${q}:${q}$(printf "%s:%s" "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" ` +
      `| base64 | tr -d '\\n')${q}},${q}${key}${q}:{${q}auth${q}:${q}$(printf "%s:%s" ${user} "${password}" | base64 | tr -d '\\n')` +
      `${q}}}}" > /kaniko/.docker/config.json\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1\n`;
    const proxy = job(root(kaniko(config(proxyKey, '${CI_DEPENDENCY_PROXY_USER}', '${CI_DEPENDENCY_PROXY_PASSWORD}'))), 'build');
    expect(proxy).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/buildah@1' });
    expect(proxy?.inputs).not.toHaveProperty('registries');
    expect(proxy?.inputs).not.toHaveProperty('registry');
    expect(proxy?.kinds).toContain('auth-dependency-proxy');
    expect(proxy?.notes).toContainEqual(expect.stringContaining(`${proxyKey} (the Dependency Proxy's server without its port)`));
    const cut = job(
      root(kaniko(config('${CI_DEPENDENCY_PROXY_SERVER%:443}', '$CI_DEPENDENCY_PROXY_USER', '$CI_DEPENDENCY_PROXY_PASSWORD'))),
      'build',
    );
    expect(cut?.kinds).toContain('auth-dependency-proxy');
    expect(cut?.inputs).not.toHaveProperty('registries');
    // Any other computed key: its host is known when the job runs, and kaniko-compat reads it then.
    const other = job(root(kaniko(config('$(cat /etc/registry-host)', '$U', '$P'))), 'build');
    expect(other).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1' });
    expect(other?.notes).toContainEqual(
      expect.stringContaining('its key $(cat /etc/registry-host) is computed by the shell when the job runs'),
    );
    expect(JSON.stringify(other?.inputs ?? {})).not.toContain('$(');
  });

  it('--registry-certificate naming a file under /kaniko/ is never a ca-certificates path the Buildah image lacks', () => {
    const flag = '--registry-certificate "$CI_REGISTRY=/kaniko/ssl/certs/extra.crt"';
    const build = `    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:b ${flag}\n`;
    // A file of the Kaniko image (built in, mounted): a person gives the CA.
    const image = job(root(kaniko(build)), 'build');
    expect(image?.status).toBe('needs-review');
    expect(image?.notes).toEqual([
      expect.stringMatching(
        /^--registry-certificate \/kaniko\/ssl\/certs\/extra\.crt: a file under \/kaniko\/ cigen does not see the job write/,
      ),
    ]);
    // Written by the job: kaniko-compat runs the write and reads it.
    const written = job(root(kaniko(`    - cat "$CA_CERT" > /kaniko/ssl/certs/extra.crt\n${build}`)), 'build');
    expect(written).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1' });
    expect(written?.notes.join('\n')).toContain(
      '--registry-certificate /kaniko/ssl/certs/extra.crt: the job writes that file under /kaniko/',
    );
    const copied = job(root(kaniko(`    - cp "$CI_PROJECT_DIR/extra.crt" /kaniko/ssl/certs/\n${build}`)), 'build');
    expect(copied?.component).toBe('$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1');
    // Elsewhere under /kaniko/: the executor reads it, so no reason says nothing does.
    const elsewhere = job(
      root(
        kaniko(
          '    - echo "$REG_CA" > /kaniko/reg-ca.crt\n' +
            '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:d --registry-certificate "$CI_REGISTRY=/kaniko/reg-ca.crt"\n',
        ),
      ),
      'build',
    );
    expect(elsewhere).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1' });
    expect(elsewhere?.notes.join('\n')).not.toContain('which no Buildah job reads');
    // A file of the project stays the input.
    const project = job(
      root(
        kaniko(
          '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:c --registry-certificate "$CI_REGISTRY=$CI_PROJECT_DIR/ca.pem"\n',
        ),
      ),
      'build',
    );
    expect(project).toMatchObject({ status: 'migrated', inputs: expect.objectContaining({ 'ca-certificates': '$CI_PROJECT_DIR/ca.pem' }) });
  });

  it('--no-push with --cache: Kaniko still wrote its cache; the note says the component only reads it', () => {
    const out = root(
      kaniko(
        '    - /kaniko/executor --context . --no-push --cache --cache-repo $CI_REGISTRY_IMAGE/cache --destination $CI_REGISTRY_IMAGE:1\n',
      ),
    );
    expect(job(out, 'build')?.notes).toContainEqual(expect.stringContaining('--no-push with --cache: Kaniko still wrote its cache layers'));
    const pushCacheOff = root(
      kaniko('    - /kaniko/executor --context . --no-push --cache --no-push-cache --destination $CI_REGISTRY_IMAGE:1\n'),
    );
    expect(JSON.stringify(job(pushCacheOff, 'build'))).not.toContain('Kaniko still wrote its cache layers');
  });

  it('--no-push with --cache and no --cache-repo: Kaniko refuses it before it builds, so review, saying so (kaniko-compat refuses it too)', () => {
    const out = root(kaniko('    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE/app:1 --cache --no-push\n'));
    expect(job(out, 'build')).toMatchObject({ status: 'needs-review', kinds: ['flag-review'] });
    expect(job(out, 'build')?.notes).toEqual([
      '--cache with --no-push and no --cache-repo: Kaniko refuses it before it builds ("if using cache with --no-push, ' +
        'specify cache repo with --cache-repo"), so the job fails as written: give it --cache-repo, or drop --cache',
    ]);
    expect(out.changed).toBe(false);
  });
});

describe('a Docker-in-Docker build', () => {
  const dind = (script: string) =>
    `build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n${script}` +
    '    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n';
  it('a second review of Docker builds: what Docker does that the component does not, and setup it replaces', () => {
    const build = (script: string, buildLine = 'docker build -t $CI_REGISTRY_IMAGE:1 .', push = 'docker push $CI_REGISTRY_IMAGE:1') =>
      job(
        root(
          `build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  variables: {FROM_FILE: "x"}\n  script:\n` +
            `${script}    - ${buildLine}\n    - ${push}\n`,
        ),
        'build',
      );
    // A bare --build-arg: Docker skipped it when unset (the Dockerfile's default stood); the component always passes a value.
    const bare = build('', 'docker build --build-arg NPM_TOKEN --build-arg FROM_FILE --build-arg CI_COMMIT_SHA -t $CI_REGISTRY_IMAGE:1 .');
    expect(bare?.status).toBe('needs-review');
    expect(bare?.notes).toContain(
      "--build-arg NPM_TOKEN: Docker passed it only when NPM_TOKEN was set, keeping the Dockerfile's ARG default otherwise; the " +
        "component's build-args always pass a value (NPM_TOKEN=$NPM_TOKEN, empty when NPM_TOKEN is unset): give " +
        'NPM_TOKEN=$NPM_TOKEN if every pipeline sets it, or leave it out',
    );
    expect(bare?.notes.join('\n')).not.toMatch(/--build-arg (FROM_FILE|CI_COMMIT_SHA):/);
    const set = build('', 'docker build --build-arg FROM_FILE --build-arg CI_COMMIT_SHA -t $CI_REGISTRY_IMAGE:1 .');
    expect(set?.status).toBe('migrated');
    expect(set?.inputs?.['build-args']).toEqual(['FROM_FILE=$FROM_FILE', 'CI_COMMIT_SHA=$CI_COMMIT_SHA']);
    // A password a command prints: said as such, not as a password written out in the file.
    const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const substituted = build(
      `    - docker login -u AWS -p "$(aws ecr get-login-password --region eu-west-1)" ${ecr}\n`,
      `docker build -t ${ecr}/app:1 .`,
      `docker push ${ecr}/app:1`,
    );
    expect(substituted?.notes.join('\n')).toContain(
      `the password of the docker login to ${ecr} comes from a command the job runs (a command substitution)`,
    );
    expect(substituted?.notes.join('\n')).not.toContain('written out in the file');
    // GitLab's documented warm-up for --cache-from, a BuildKit builder set up, `docker image push`: nothing a person must decide.
    const documented = build(
      '    - docker pull $CI_REGISTRY_IMAGE:latest || true\n    - docker buildx create --use\n',
      'docker build --cache-from $CI_REGISTRY_IMAGE:latest -t $CI_REGISTRY_IMAGE:1 .',
      'docker image push $CI_REGISTRY_IMAGE:1',
    );
    expect(documented?.status).toBe('migrated');
    expect(documented?.notes).toContain(
      'docker pull $CI_REGISTRY_IMAGE:latest dropped: it put the image in the daemon for --cache-from; the component reads its ' +
        'cache from cache-repo, without a daemon',
    );
    // A pull of another image, a builder with a configuration of its own: a person decides.
    expect(build('    - docker pull alpine:3\n')?.notes.join('\n')).toContain(
      "docker pull alpine:3: the build does not read its cache from that image (--cache-from), and the buildah component's job",
    );
    expect(build('    - docker buildx create --use --config buildkitd.toml\n')?.status).toBe('needs-review');
  });

  it("logged in to Docker Hub and to the project's registry: Hub joins in registries, the project's login stays", () => {
    const out = root(
      dind(
        '    - echo "$HUB_TOKEN" | docker login -u "$HUB_USER" --password-stdin\n' +
          '    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"\n',
      ),
    );
    const inputs = job(out, 'build')?.inputs ?? {};
    expect(job(out, 'build')?.status).toBe('migrated');
    expect(inputs['registries']).toEqual([{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }]);
    expect(inputs).not.toHaveProperty('registry');
  });
  it('a tag, build arg or label the shell computes (${X:-y}, $(...), backquotes) is no input: the job is left for review', () => {
    const script =
      'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
      '    - docker build -t "$CI_REGISTRY_IMAGE:${CI_COMMIT_TAG:-latest}" --build-arg COMMIT=`git rev-parse HEAD` ' +
      '--label "created=$(date -u +%FT%TZ)" .\n    - docker push "$CI_REGISTRY_IMAGE:${CI_COMMIT_TAG:-latest}"\n';
    const report = job(root(script), 'build');
    expect(report?.status).toBe('needs-review');
    expect(report?.notes.filter((n) => n.includes('component inputs'))).toEqual([
      'the argument `$CI_REGISTRY_IMAGE:${CI_COMMIT_TAG:-latest}` uses a shell parameter operator (${VAR:-...}); component inputs expand only plain $VAR and ${VAR}',
      'the argument `COMMIT=`git rev-parse HEAD`` runs a command when the job runs (a command substitution); component inputs are data',
      'the argument `created=$(date -u +%FT%TZ)` runs a command when the job runs (a command substitution); component inputs are data',
    ]);
  });
  it("without --cache-from: a dind daemon started empty; the host's docker.sock may have kept layers, and the note says which", () => {
    const notes = (text: string) => (job(root(text), 'build')?.notes ?? []).join('\n');
    expect(notes(dind(''))).toContain('the Docker daemon of a CI job starts empty, so without --cache-from the build had no cache');
    const socket =
      'build:\n  stage: build\n  image: docker:27-cli\n  variables: {DOCKER_HOST: unix:///var/run/docker.sock}\n  script:\n' +
      '    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n';
    expect(notes(socket)).not.toContain('starts empty');
    expect(notes(socket)).toContain("the build ran on a Docker daemon that is not the job's own (the host's docker.sock");
  });
  it('the classic builder (DOCKER_BUILDKIT=0) built every stage up to the target: skip-unused-stages: false', () => {
    const classic = (image: string, line: string, variables = '') =>
      job(
        root(
          `build:\n  stage: build\n  image: ${image}\n  services: [docker:24.0-dind]\n${variables}  script:\n` +
            `    - ${line} -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n`,
        ),
        'build',
      );
    const off = classic('docker:24.0', 'DOCKER_BUILDKIT=0 docker build --target production');
    expect(off?.inputs?.['skip-unused-stages']).toBe(false);
    expect(off?.notes.join('\n')).toContain(
      'DOCKER_BUILDKIT=0: the classic builder built every stage up to the target; skip-unused-stages: false keeps that',
    );
    expect(classic('docker:24.0', 'docker build', '  variables: {DOCKER_BUILDKIT: "0"}\n')?.inputs?.['skip-unused-stages']).toBe(false);
    // BuildKit (the default since 23.0, turned on, advertised by a daemon from 23.0 to an older CLI,
    // or buildx) skips unused stages, as Buildah does.
    expect(classic('docker:24.0', 'docker build')?.inputs).not.toHaveProperty('skip-unused-stages');
    expect(classic('docker:20.10.16', 'docker build')?.inputs).not.toHaveProperty('skip-unused-stages');
    expect(classic('docker:20.10.16', 'DOCKER_BUILDKIT=1 docker build')?.inputs).not.toHaveProperty('skip-unused-stages');
  });
  it("Kaniko's default for unused stages is the executor's: the archived one builds them, the osscontainertools fork skips them", () => {
    const kaniko = (image: string, flags = '', after = '') =>
      job(
        root(
          `build:\n  stage: build\n  image:\n    name: ${image}\n    entrypoint: [""]\n  script:\n` +
            `    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1${flags}\n${after}`,
        ),
        'build',
      );
    // A script that goes on after the build runs on kaniko-compat.
    const goesOn = '    - echo pushed\n';
    expect(kaniko('gcr.io/kaniko-project/executor:v1.23.2-debug')?.inputs?.['skip-unused-stages']).toBe(false);
    expect(kaniko('cgr.dev/chainguard/kaniko:latest-dev')?.inputs?.['skip-unused-stages']).toBe(false);
    // The fork's first name on Docker Hub, martizih/kaniko, is the fork too.
    expect(kaniko('martizih/kaniko:v1.26.0-debug')?.inputs).not.toHaveProperty('skip-unused-stages');
    const fork = kaniko('ghcr.io/osscontainertools/kaniko:v1.28.5-debug');
    expect(fork?.status).toBe('migrated');
    expect(fork?.inputs).not.toHaveProperty('skip-unused-stages');
    // The component skips them as the fork did: nothing to say there.
    expect(fork?.notes.join('\n')).not.toContain('unused stages');
    expect(kaniko('ghcr.io/osscontainertools/kaniko:v1.28.5-debug', ' --skip-unused-stages=false')?.inputs?.['skip-unused-stages']).toBe(
      false,
    );
    // On kaniko-compat, the archived executor's default applies: the note says how to keep the fork's.
    const compat = kaniko('ghcr.io/osscontainertools/kaniko:v1.28.5-debug', '', goesOn);
    expect(compat?.component).toMatch(/\/kaniko-compat@/);
    expect(compat?.notes).toContain(
      'the osscontainertools fork this job ran skips unused stages when the command line does not say; kaniko-compat, like the ' +
        "archived Kaniko, builds every stage up to the target then: add --skip-unused-stages=true to the executor's command line " +
        'to keep skipping them',
    );
    const said = kaniko('ghcr.io/osscontainertools/kaniko:v1.28.5-debug', ' --skip-unused-stages', goesOn);
    expect(said?.notes.join('\n')).not.toContain('unused stages');
    const archived = kaniko('gcr.io/kaniko-project/executor:debug', '', goesOn);
    expect(archived?.component).toMatch(/\/kaniko-compat@/);
    expect(archived?.notes.join('\n')).not.toContain('unused stages');
  });
  it("one registry that is not the project's: the registry inputs", () => {
    const out = root(dind('    - echo "$T" | docker login -u "$U" --password-stdin harbor.example.com\n'));
    expect(job(out, 'build')?.inputs).toMatchObject({ registry: 'harbor.example.com', 'registry-user': '$U', 'registry-password': '$T' });
  });
  it('--cache-from pushing to another registry: the cache goes beside the image there, where the job has credentials', () => {
    const harbor =
      'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
      '    - docker login -u "$U" -p "$P" harbor.example.com\n' +
      '    - docker build --cache-from harbor.example.com/team/app:latest -t harbor.example.com/team/app:1 .\n' +
      '    - docker push harbor.example.com/team/app:1\n';
    const report = job(root(harbor), 'build');
    expect(report?.status).toBe('migrated');
    expect(report?.inputs).toMatchObject({ 'cache-repo': 'harbor.example.com/team/app/cache', registry: 'harbor.example.com' });
    expect(report?.notes.join('\n')).toContain('cache-repo (harbor.example.com/team/app/cache)');
    // The project's own image keeps the component's default cache repository.
    const own = job(root(dind('').replace('docker build -t', 'docker build --cache-from $CI_REGISTRY_IMAGE:1 -t')), 'build');
    expect(own?.inputs).not.toHaveProperty('cache-repo');
    expect(own?.inputs).not.toHaveProperty('cache');
    // Docker Hub takes NAMESPACE/NAME only: no cache repository beside the image.
    const hub = job(
      root(
        'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
          '    - echo "$HUB_TOKEN" | docker login -u myuser --password-stdin\n' +
          '    - docker build --cache-from myuser/app:latest -t myuser/app:latest .\n    - docker push myuser/app:latest\n',
      ),
      'build',
    );
    expect(hub?.status).toBe('migrated');
    expect(hub?.inputs).toMatchObject({ cache: false });
    expect(hub?.inputs).not.toHaveProperty('cache-repo');
    expect(hub?.notes.join('\n')).toContain('Docker Hub has no nested repository (myuser/app/cache)');
  });

  it('--cache-from a directory (type=local) or a cache service (type=gha): no registry cache, and the note says why', () => {
    const build = (line: string) =>
      job(
        root(
          'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
            `    - docker buildx build --push ${line} -t $CI_REGISTRY_IMAGE:1 .\n  cache:\n    paths: [.buildx-cache]\n`,
        ),
        'build',
      );
    const local = build('--cache-from type=local,src=.buildx-cache --cache-to type=local,dest=.buildx-cache,mode=max');
    expect(local?.status).toBe('migrated');
    // Not the component's registry cache: it would write $CI_REGISTRY_IMAGE/cache, which the build never had.
    expect(local?.inputs).toMatchObject({ cache: false });
    expect(local?.notes).toContain(
      '--cache-from type=local,src=.buildx-cache: a cache outside a registry, which the component cannot read (it reads only ' +
        'its registry cache, cache-repo); it runs without a cache (cache: false; set cache: true to cache layers in the registry)',
    );
    expect(local?.notes).toContain('--cache-to dropped: with cache: false the component neither reads nor writes a cache');
    expect(local?.notes.join('\n')).not.toContain('pulling a previous image');
    expect(build('--cache-from=type=gha')?.inputs).toMatchObject({ cache: false });
    // An image, or type=registry: the registry cache, as before; a directory beside it is dropped, saying why.
    const both = build('--cache-from type=registry,ref=$CI_REGISTRY_IMAGE:cache --cache-from type=local,src=.buildx-cache');
    expect(both?.inputs).not.toHaveProperty('cache');
    expect(both?.notes).toContain(
      '--cache-from type=local,src=.buildx-cache dropped: a cache outside a registry, which the component cannot read (it reads ' +
        'only its registry cache, cache-repo)',
    );
    expect(both?.notes.join('\n')).toContain(
      '--cache-from type=registry,ref=$CI_REGISTRY_IMAGE:cache: the component caches layers in cache-repo',
    );
  });

  it('a flag cigen does not translate is the only reason given: its value is no second context, and --output name= names the image', () => {
    const notes = (line: string) => {
      const report = job(
        root(`build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n    - ${line}\n`),
        'build',
      );
      expect(report?.status).toBe('needs-review');
      return report?.notes.filter((n) => !n.startsWith('privileged Docker-in-Docker'));
    };
    const push = 'docker buildx build --push -t $CI_REGISTRY_IMAGE:1';
    for (const [flag, written] of [
      ['--attest type=sbom', '--attest'],
      ['--annotation index:org.opencontainers.image.title=app', '--annotation'],
      ['--shm-size 2g', '--shm-size'],
      ['--ulimit nofile=1024', '--ulimit'],
      ['--metadata-file meta.json', '--metadata-file'],
      ['--builder mybuilder', '--builder'],
      ['--call check', '--call'],
      ['-m 2g', '-m'],
      ['--check', '--check'],
    ] as const)
      expect(notes(`${push} ${flag} .`), flag).toEqual([`${written}: a docker build flag cigen does not translate`]);
    // A flag cigen does not know at all may take a value: neither the count of contexts nor which one is said.
    expect(notes(`${push} --frobnicate git://example.com/x .`)).toEqual(['--frobnicate: not a docker build flag cigen knows']);
    expect(notes(`${push} -Z .`)).toEqual(['-Z: not a docker build flag cigen knows']);
    expect(notes('docker buildx build --output type=image,name=$CI_REGISTRY_IMAGE:9,push=true .')).toEqual([
      'output: the component pushes or writes a docker-archive tarball; other outputs need review',
    ]);
    // Two contexts, and none, are still said.
    expect(notes(`${push} . app`)).toEqual(['docker build takes one context; cigen read 2']);
    expect(notes('docker build -t $CI_REGISTRY_IMAGE:1')).toContain('docker build takes one context; cigen read 0');
  });

  it('a buildx platform list with --load: the note says the index is not pushed', () => {
    const report = job(
      root(
        'build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
          '    - docker buildx build --platform linux/amd64 --platform linux/arm64 --load -t $CI_REGISTRY_IMAGE:1 .\n',
      ),
      'build',
    );
    expect(report?.inputs).toMatchObject({ platforms: ['linux/amd64', 'linux/arm64'], push: false });
    const notes = report?.notes.join('\n') ?? '';
    expect(notes).toContain('makes them one index (not pushed: push: false)');
    expect(notes).not.toContain('pushes them as one index');
  });
  const job1 = (script: string) => `build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n${script}`;
  it.each([
    [
      'the Dockerfile from standard input (-f - < file)',
      '    - docker build -f - -t $CI_REGISTRY_IMAGE:1 . < Dockerfile.ci\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      ['redirected (< Dockerfile.ci)', '--file -: docker build read the Dockerfile from its standard input'],
    ],
    [
      'the build log written to a file',
      '    - docker build -t $CI_REGISTRY_IMAGE:1 . > build.log 2>&1\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      ['redirected (> build.log)'],
    ],
    [
      'docker build in a for loop',
      '    - for t in $CI_COMMIT_SHA latest; do docker build -t $CI_REGISTRY_IMAGE:$t .; done\n',
      ['docker build runs inside a loop (`for t in $CI_COMMIT_SHA latest`)'],
    ],
    [
      'a variable of its own before docker build',
      '    - FOO=1 docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      ['docker build is given FOO of its own'],
    ],
  ])('how the build line runs needs review: %s', (_name, script, reasons) => {
    const report = job(root(job1(script)), 'build');
    expect(report?.status).toBe('needs-review');
    const text = report?.notes.join('\n') ?? '';
    for (const expected of reasons) expect(text).toContain(expected);
    expect(text).not.toContain('no script line runs docker build');
    expect(text).not.toContain('shares one script item');
    expect(report?.inputs?.['dockerfile']).not.toBe('-');
  });
  it("the dind service's daemon flags: --insecure-registry and --registry-mirror become inputs, others go to review", () => {
    const withCommand = (command: string) =>
      `build:\n  stage: build\n  image: docker:27\n  services:\n    - name: docker:27-dind\n      command: ${command}\n` +
      '  script:\n    - docker build -t 192.168.1.5:5000/app:1 .\n    - docker push 192.168.1.5:5000/app:1\n';
    const mapped = job(
      root(withCommand('["--insecure-registry", "192.168.1.5:5000", "--registry-mirror=https://mirror.example.com"]')),
      'build',
    );
    expect(mapped?.status).toBe('migrated');
    expect(mapped?.inputs).toMatchObject({ 'insecure-registries': ['192.168.1.5:5000'], 'registry-mirrors': ['mirror.example.com'] });
    const other = job(root(withCommand('["--mtu=1400", "--insecure-registry=10.0.0.0/8"]')), 'build');
    expect(other?.status).toBe('needs-review');
    expect(other?.notes.join('\n')).toContain("the dind service's command [--mtu=1400, --insecure-registry=10.0.0.0/8] passes --mtu=1400");
    expect(other?.notes.join('\n')).toContain('passes --insecure-registry 10.0.0.0/8 to the Docker daemon');
  });
  it('after_script that runs docker (own or from default:): review, since after_script runs in the Buildah image now', () => {
    const save = '  after_script:\n    - docker save $CI_REGISTRY_IMAGE:1 | gzip > image.tar.gz\n';
    const own = job(root(dind('') + save), 'build');
    expect(own?.status).toBe('needs-review');
    expect(own?.notes.join('\n')).toContain('after_script runs in the Buildah image now: `docker save $CI_REGISTRY_IMAGE:1` runs docker');
    const fromDefault = job(root(`default:\n${save.replace(/^ {2}/gm, '  ')}${dind('')}`), 'build');
    expect(fromDefault?.status).toBe('needs-review');
    expect(fromDefault?.notes.join('\n')).toContain('after_script runs in the Buildah image now');
    // Portable commands in after_script stay.
    expect(job(root(`${dind('')}  after_script: [echo done]\n`), 'build')?.status).toBe('migrated');
  });
  it('docker run after the build: the reason does not send it to after_script, which has no docker', () => {
    const text = job(root(`${dind('')}    - docker run --rm $CI_REGISTRY_IMAGE:1 npm test\n`), 'build')?.notes.join('\n') ?? '';
    expect(text).toContain('commands run after docker build');
    expect(text).not.toContain('after_script');
  });
  it.each(['--all-tags', '-a'])('docker push %s REPO pushes the build tags of that repository: migrated', (flag) => {
    const report = job(
      root(
        job1(`    - docker build -t $CI_REGISTRY_IMAGE:1 -t $CI_REGISTRY_IMAGE:stable .\n    - docker push ${flag} $CI_REGISTRY_IMAGE\n`),
      ),
      'build',
    );
    expect(report?.status).toBe('migrated');
    expect(report?.inputs).toMatchObject({ image: '$CI_REGISTRY_IMAGE', tags: ['1', 'stable'] });
    expect(report?.inputs).not.toHaveProperty('push');
    const other = job(root(job1(`    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push ${flag} r.io/other\n`)), 'build');
    expect(other?.status).toBe('needs-review');
    expect(other?.notes.join('\n')).toContain('docker push --all-tags r.io/other: no tag of the build is in that repository');
  });
  it.each(['--platform linux/arm64', '--platform=linux/arm64'])('docker push %s REF: a review of the platform, not a push of it', (opt) => {
    const report = job(
      root(job1(`    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push ${opt} $CI_REGISTRY_IMAGE:1\n`)),
      'build',
    );
    expect(report?.status).toBe('needs-review');
    const text = report?.notes.join('\n') ?? '';
    expect(text).toContain('docker push --platform linux/arm64: the component pushes the whole image it built, not one platform of it');
    expect(text).not.toContain('linux/arm64:latest');
  });
  it.each(['-q', '--quiet', '--disable-content-trust'])('docker push %s REF: migrated', (opt) => {
    const report = job(
      root(job1(`    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push ${opt} $CI_REGISTRY_IMAGE:1\n`)),
      'build',
    );
    expect(report?.status).toBe('migrated');
  });
  it('docker push with an option cigen does not know: a review naming it', () => {
    const report = job(
      root(job1(`    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push --frobnicate $CI_REGISTRY_IMAGE:1\n`)),
      'build',
    );
    expect(report?.status).toBe('needs-review');
    expect(report?.notes.join('\n')).toContain('docker push --frobnicate: not a docker push option cigen knows');
  });
  it('buildx --platform with a list (comma or repeated): platforms, one index, not the platform input', () => {
    const report = job(
      root(job1('    - docker buildx build --push --platform linux/amd64,linux/arm64 -t $CI_REGISTRY_IMAGE:1 .\n')),
      'build',
    );
    expect(report?.status).toBe('migrated');
    expect(report?.inputs).toMatchObject({ platforms: ['linux/amd64', 'linux/arm64'] });
    expect(report?.inputs).not.toHaveProperty('platform');
    expect(report?.notes.join('\n')).not.toContain('does not match');
    const repeated = job(
      root(job1('    - docker buildx build --push --platform linux/amd64 --platform linux/arm64 -t $CI_REGISTRY_IMAGE:1 .\n')),
      'build',
    );
    expect(repeated?.inputs).toMatchObject({ platforms: ['linux/amd64', 'linux/arm64'] });
    const one = job(root(job1('    - docker buildx build --push --platform linux/arm64 -t $CI_REGISTRY_IMAGE:1 .\n')), 'build');
    expect(one?.inputs).toMatchObject({ platform: 'linux/arm64' });
  });
  it.each([
    [
      '--cache-to without --cache-from',
      '    - docker buildx build --push --cache-to type=inline -t $CI_REGISTRY_IMAGE:1 .\n',
      ['--cache-to dropped: the build wrote a cache but read none (no --cache-from)'],
      ['writes its registry cache to cache-repo'],
    ],
    [
      '--load with nothing pushed',
      '    - docker buildx build --load -t $CI_REGISTRY_IMAGE:1 .\n',
      ['--load dropped: there is no daemon to load the image into; as before, the image is not pushed (push: false)'],
      ['pushed from Buildah storage'],
    ],
    [
      '--no-cache beside --cache-from',
      '    - docker build --no-cache --cache-from $CI_REGISTRY_IMAGE:0 -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      ['--no-cache: the build used no cache (--no-cache overrides --cache-from)'],
      ['without --cache-from'],
    ],
  ])('every note is true: %s', (_name, script, present, absent) => {
    const report = job(root(job1(script)), 'build');
    expect(report?.status).toBe('migrated');
    expect(report?.inputs).toMatchObject({ cache: false });
    const text = report?.notes.join('\n') ?? '';
    for (const expected of present) expect(text).toContain(expected);
    for (const wrong of absent) expect(text).not.toContain(wrong);
  });
  it('a build tag retagged before the push: the reasons list only true tags', () => {
    const report = job(
      root(job1('    - docker build -t app .\n    - docker tag app $CI_REGISTRY_IMAGE:1\n    - docker push $CI_REGISTRY_IMAGE:1\n')),
      'build',
    );
    const text = report?.notes.join('\n') ?? '';
    expect(text).toContain('no tag of the build is pushed (its tags: app:latest)');
    expect(text).not.toContain('only some tags are pushed ($CI_REGISTRY_IMAGE:1)');
  });
  it('DOCKER_BUILDKIT=0 before docker build: the build is found and migrated, the variable dropped with a note', () => {
    const report = job(
      root(job1('    - DOCKER_BUILDKIT=0 docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n')),
      'build',
    );
    expect(report?.status).toBe('migrated');
    expect(report?.inputs).toMatchObject({ image: '$CI_REGISTRY_IMAGE', tags: ['1'] });
    expect(report?.notes.join('\n')).toContain("DOCKER_BUILDKIT=0 dropped: it picks the Docker daemon's builder");
  });
  it('commands the Buildah image cannot run (apk, docker pull, git) before the build: review, naming each', () => {
    const out = root(
      dind('    - apk add --no-cache git\n    - docker pull $CI_REGISTRY_IMAGE:latest || true\n    - export V=$(git describe)\n'),
    );
    expect(job(out, 'build')?.status).toBe('needs-review');
    const text = JSON.stringify(job(out, 'build'));
    for (const program of ['runs apk', 'runs git']) expect(text).toContain(program);
    // A pull the build does not read its cache from is said as such.
    expect(text).toContain('docker pull $CI_REGISTRY_IMAGE:latest: the build does not read its cache from that image (--cache-from)');
    expect(out.changed).toBe(false);
  });
});

describe('a component template whose executor line holds an interpolation block', () => {
  it('runs on kaniko-compat with the block as written, the reason naming it whole (it read "unexpected argument: ]]")', () => {
    const text =
      'spec:\n  inputs:\n    app:\n      default: web\n---\nbuild:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR/$[[ inputs.app ]] --destination $CI_REGISTRY_IMAGE:1\n';
    const out = root(text);
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(job(out, 'build')?.notes).toEqual([
      'runs on kaniko-compat, keeping its script: the argument `$CI_PROJECT_DIR/$[[ inputs.app ]]` holds an interpolation block, ' +
        "which GitLab fills in from the include's inputs",
    ]);
    expect(out.result).toContain('--context $CI_PROJECT_DIR/$[[ inputs.app ]] --destination');
  });

  it('the other checks of the line still apply (a remote context is a review whatever the block)', () => {
    const text =
      'spec:\n  inputs:\n    more:\n      default: ""\n---\nbuild:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
      '    - /kaniko/executor --context git://example.com/x.git --ignore-path /foo --destination r.io/a:1 --label v=$[[ inputs.more ]]\n';
    const out = root(text);
    expect(job(out, 'build')?.status).toBe('needs-review');
    expect(job(out, 'build')?.kinds).toEqual(expect.arrayContaining(['remote-context', 'flag-review']));
  });
});

describe("the executor's output redirected", () => {
  const line = (redirect: string) =>
    `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1 ${redirect}\n`;
  it('to a file (an artifact, say): kaniko-compat keeps the line, and says why', () => {
    const out = root(line('> kaniko.log 2>&1'));
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(job(out, 'build')?.notes.join()).toContain("the executor's input or output is redirected (kaniko.log)");
    expect(out.result).toContain('--destination $CI_REGISTRY_IMAGE:1 > kaniko.log 2>&1\n');
  });
  it('stderr into stdout only (2>&1): the output still reaches the job log, migrated exactly', () => {
    expect(job(root(line('2>&1')), 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/buildah@') });
  });
  it('stderr closed (2>&-): the log lost it, so kaniko-compat keeps the line', () => {
    const out = root(line('2>&-'));
    expect(job(out, 'build')).toMatchObject({ status: 'migrated', component: expect.stringContaining('/kaniko-compat@') });
    expect(job(out, 'build')?.notes.join()).toContain("the executor's input or output is redirected (a closed descriptor)");
  });
});

describe('a job written in flow style', () => {
  // Read like any job (it was reported unchanged, a Kaniko job nobody was told about), never edited.
  it.each([
    [
      'kaniko',
      'c: {stage: build, image: gcr.io/kaniko-project/executor:debug, script: [/kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1]}\n',
    ],
    [
      'docker',
      'd: {image: docker:27, services: [docker:27-dind], script: [docker build -t $CI_REGISTRY_IMAGE:1 ., docker push $CI_REGISTRY_IMAGE:1]}\n',
    ],
  ])('a %s build is reported needs-review, the file unchanged', (_kind, text) => {
    const out = root(text);
    expect(out.changed).toBe(false);
    expect(out.jobs).toHaveLength(1);
    expect(out.jobs[0]?.status).toBe('needs-review');
    expect(JSON.stringify(out.jobs[0])).toContain('flow style ({...}); cigen edits block mappings only');
  });

  it('a flow-style base a block job extends: the job is read through it', () => {
    const out = root(
      '.kaniko: {image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}}\n' +
        'build:\n  extends: .kaniko\n  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1\n',
    );
    expect(job(out, 'build')?.status).toBe('migrated');
    // The base is read (its image is Kaniko's), and kept as written.
    expect(JSON.stringify(job(out, '.kaniko'))).toContain('Kaniko template, kept: build extends it');
    expect(out.result).toContain('.kaniko: {image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}}\n');
  });
});

describe('a directory change in a subshell, and in a Docker build', () => {
  it('a cd inside $(...) or ( ... ) changes a subshell, not the build: migrated exactly', () => {
    for (const line of ['export X=$(cd app && pwd)', '(cd app && ls)']) {
      const out = root(
        `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - ${line}\n` +
          '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1\n',
      );
      expect(JSON.stringify(job(out, 'build')), line).not.toContain('changes the directory');
    }
  });
  it('a Docker build after cd goes to review, and one without gets format: docker', () => {
    const dind = (first: string) =>
      `build:\n  stage: build\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n${first}` +
      '    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n';
    const moved = root(dind('    - cd app\n'));
    expect(job(moved, 'build')?.status).toBe('needs-review');
    expect(JSON.stringify(job(moved, 'build'))).toContain('`cd app` changes the directory the build runs in');
    expect(job(root(dind('')), 'build')?.inputs).toMatchObject({ format: 'docker' });
  });
});

describe('what is not migrated', () => {
  const DIND = `build:
  stage: build
  image: docker:27.3
  services: [docker:27.3-dind]
  variables: {DOCKER_TLS_CERTDIR: /certs}
  before_script:
    - echo "$HUB_TOKEN" | docker login -u "$HUB_USER" --password-stdin
  script:
    - docker build --pull -t r.io/team/app:$CI_COMMIT_SHORT_SHA -t r.io/team/app:latest -f docker/Dockerfile --build-arg V=1 .
    - docker push r.io/team/app:$CI_COMMIT_SHORT_SHA
    - docker push r.io/team/app:latest
`;

  it(
    'migrates privileged Docker-in-Docker when the translation is exact: ' + 'the dind service goes, the reason stays in the report',
    async () => {
      const out = root(DIND);
      expect(job(out, 'build')).toMatchObject({
        status: 'migrated',
        inputs: {
          dockerfile: 'docker/Dockerfile',
          image: 'r.io/team/app',
          tags: ['$CI_COMMIT_SHORT_SHA', 'latest'],
          'build-args': ['V=1'],
          cache: false,
          registry: 'docker.io',
          'registry-user': '$HUB_USER',
          'registry-password': '$HUB_TOKEN',
        },
        finding: expect.stringContaining('privileged Docker-in-Docker'),
        notes: [expect.anything(), expect.anything()],
      });
      expect(out.result).toContain('build:\n  stage: build\n  variables: {DOCKER_TLS_CERTDIR: /certs}\n');
      expect(out.result).not.toContain('dind');
      expect(await lintErrors(out.result)).toEqual([]);
    },
  );

  it.each([
    [
      'a push of a tag the build did not make',
      DIND.replace(
        'docker push r.io/team/app:latest',
        'docker tag r.io/team/app:latest r.io/team/app:stable\n    - docker push r.io/team/app:stable',
      ),
      'docker push r.io/team/app:stable',
    ],
    ['only some tags pushed', DIND.replace('    - docker push r.io/team/app:latest\n', ''), 'only some tags'],
    [
      'the dind service from default:',
      `default:\n  services: [docker:dind]\n${DIND.replace('  services: [docker:27.3-dind]\n', '')}`,
      'default:',
    ],
    [
      'image and dind service from default: (the job sets neither)',
      'default:\n  image: docker:27\n  services: [docker:27-dind]\nbuild:\n  stage: build\n' +
        '  script:\n    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      'services come from default: or the top level',
    ],
    [
      "image, dind service and docker login at the top level (GitLab's old Docker template)",
      'image: docker:27\nservices:\n  - docker:27-dind\nbefore_script:\n' +
        '  - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY\nbuild:\n  stage: build\n' +
        '  script:\n    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n',
      'services come from default: or the top level',
    ],
    ['other services beside dind', DIND.replace('[docker:27.3-dind]', '[docker:27.3-dind, postgres:16]'), 'postgres:16'],
    [
      'a docker.sock job that does not build',
      'sock:\n  image: docker:27.3\n  variables: {DOCKER_HOST: unix:///var/run/docker.sock}\n  script: [docker ps]\n',
      'nothing to translate',
    ],
  ])('reports Docker jobs it cannot translate exactly, with the security reason, and leaves them: %s', (_name, text, reason) => {
    const out = root(text);
    const report = out.jobs[0];
    expect(report?.status).toBe('needs-review');
    expect(report?.notes[0]).toMatch(/privileged|docker\.sock|Docker daemon/);
    expect(report?.notes.join('\n')).toContain(reason);
    expect(out.result).toBe(text);
  });

  it('inherit: default: — a job that takes none of the defaults (or not that one) is not given them', () => {
    const top = 'image: docker:27\nservices: [docker:27-dind]\nafter_script: [docker logout $CI_REGISTRY]\n';
    const own =
      '  image: docker:27\n  services: [docker:27-dind]\n  stage: build\n' +
      '  script:\n    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n';
    const none = root(`${top}test:\n  inherit: {default: false}\n  image: node:20\n  script: [npm test]\n`);
    expect(none.jobs.map((j) => [j.name, j.status])).toEqual([['test', 'unchanged']]);
    // The default after_script (docker logout) is not the job's: it migrates.
    const some = root(`${top}build:\n  inherit:\n    default: [image]\n${own}`);
    expect(some.jobs.map((j) => [j.name, j.status])).toEqual([['build', 'migrated']]);
    const all = root(`${top}build:\n${own}`);
    expect(all.jobs[0]?.notes.join('\n')).toContain('after_script runs in the Buildah image now');
  });

  it('is idempotent: a migrated file migrates to itself', () => {
    const once = root(`${KANIKO_JOB('a')}\n${KANIKO_JOB('b', '  needs: [a]\n')}`).result;
    const twice = root(once);
    expect(twice.changed).toBe(false);
    expect(twice.jobs.map((j) => j.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('invalid YAML is an error naming its line, and nothing is produced', () => {
    expect(() => root('build:\n  script: [a\n  stage: x\n')).toThrow(SourceError);
    try {
      root('a: 1\nbuild:\n  image: "x\n');
    } catch (error) {
      expect((error as SourceError).line).toBeGreaterThan(1);
    }
  });
});

describe('bytes outside the migrated jobs', () => {
  const scalar = fc.constantFrom(
    'plain',
    '"double quoted"',
    "'single: quoted'",
    '$CI_COMMIT_REF_SLUG',
    'yes',
    '"1.0"',
    '>-\n      folded\n      text',
    '|\n      literal\n      block',
  );
  const comment = fc.constantFrom('', '  # note', '   # keep: me');
  // A section comment above a job (after a blank line or not), which is that job's, at column 0.
  const header = fc.constantFrom('', '# ---- section ----\n', '\n# ---- section ----\n', '#\n# two lines\n');
  const otherJob = fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    stage: fc.constantFrom('build', 'test', 'deploy'),
    value: scalar,
    comment,
    header,
    blank: fc.boolean(),
  });
  // Comment lines that end a Kaniko job: a commented-out command of its script, a job-level one.
  const ending = fc.constantFrom('', '    # - echo old\n', '  # job comment\n', '    # - echo old\n  # job comment\n');
  const segment = fc.oneof(
    {
      weight: 3,
      arbitrary: otherJob.map((j) => ({
        kaniko: false,
        name: j.name,
        text:
          `${j.header}${j.name}:${j.comment}\n  stage: ${j.stage}\n  variables:\n    X: ${j.value}\n` +
          `  script:\n    - echo ${j.name}\n${j.blank ? '\n' : ''}`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), ending, fc.boolean()).map(([name, end, blank]) => ({
        kaniko: true,
        name: `kaniko-${name}`,
        text: `${KANIKO_JOB(`kaniko-${name}`, end)}${blank ? '\n' : ''}`,
        // The comments of the removed script stay in the job, at its keys' indentation.
        slim: `kaniko-${name}:\n  stage: build\n${end.replace(/^ +/gm, '  ')}${blank ? '\n' : ''}`,
      })),
    },
  );
  it('are identical, for generated pipelines', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', '# header comment\n\n', 'stages: [build, test, deploy]\n\n'),
        (segments, head) => {
          const unique = segments.filter((s, i) => segments.findIndex((t) => t.name === s.name) === i);
          const text = head + unique.map((s) => s.text).join('');
          const out = root(text);
          const include = /^include:\n(?: {2}.*\n| {4}.*\n| {6}.*\n)*\n/m.exec(out.result);
          const rest = include ? out.result.slice(0, include.index) + out.result.slice(include.index + include[0].length) : out.result;
          // What is left is the original with each Kaniko job replaced by its slim job, in place;
          // the blank line that followed the removed script stays where it was.
          const expected = head + unique.map((s) => ('slim' in s ? s.slim : s.text)).join('');
          expect(rest).toBe(expected);
          expect(out.jobs.filter((j) => j.status === 'migrated').map((j) => j.name)).toEqual(
            unique.filter((s) => s.kaniko).map((s) => s.name),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('comment lines between the keys of a migrated job', () => {
  // A comment line after a value (at any indentation) sits inside that value's range in the YAML
  // library; the key after it is the next pair's, and it stays, whatever is removed around it.
  const keys: Record<string, string> = {
    stage: '  stage: build\n',
    image: '  image: gcr.io/kaniko-project/executor:debug\n',
    script: '  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG\n',
    when: '  when: manual\n',
    tags: '  tags: [docker]\n',
    rules: '  rules:\n    - if: $CI_COMMIT_TAG\n',
    variables: '  variables:\n    GIT_DEPTH: "1"\n',
    allow_failure: '  allow_failure: true\n',
  };
  const comment = fc.constantFrom('', '# c0\n', '  # c2\n', '    # - echo "c4"\n', '      # c6\n');
  it('keep every key and every comment', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(Object.keys(keys), { minLength: Object.keys(keys).length }),
        fc.array(comment, { minLength: 8, maxLength: 8 }),
        (order, comments) => {
          const text = `release-image:\n${order.map((key, i) => `${keys[key]}${comments[i]}`).join('')}`;
          const out = root(text);
          expect(out.jobs.map((j) => j.status)).toEqual(['migrated']);
          const kept = new Map(
            out.result
              .split('\n')
              .filter((line) => /^ {2}[a-z_]+:/.test(line))
              .map((line) => [line.trim().split(':')[0], line] as const),
          );
          for (const key of ['stage', 'when', 'tags', 'rules', 'variables', 'allow_failure'])
            expect(out.result, `${key} in:\n${text}`).toContain(keys[key]);
          expect(kept.has('image') || kept.has('script')).toBe(false);
          for (const line of comments.filter(Boolean)) expect(out.result).toContain(line.trim());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a commented-out last script line stays in the job; the blank line and the next job's section comment stay the next job's", () => {
    const next = '\n# ---- deploy jobs ----\ndeploy:\n  stage: deploy\n  script: echo ok\n';
    const text =
      'build:\n  stage: build\n  image: docker:24\n  services: [docker:24-dind]\n  script:\n' +
      '    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n    # - docker push $CI_REGISTRY_IMAGE:old\n' +
      next;
    const out = root(text);
    expect(out.jobs.map((j) => j.status)).toEqual(['migrated', 'unchanged']);
    expect(out.result.endsWith(`build:\n  stage: build\n  # - docker push $CI_REGISTRY_IMAGE:old\n${next}`)).toBe(true);
  });

  it('keep the key after a commented `image:` of a job that moves to kaniko-compat', () => {
    const text =
      'release-image:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    # entrypoint: [""]\n' +
      '  when: manual\n  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG $EXTRA_ARGS\n';
    const out = root(text);
    expect(out.result).toContain('  # entrypoint: [""]\n  extends: .cigen-kaniko-compat\n  when: manual\n');
  });
});

describe('a destination whose variables may carry a tag runs on kaniko-compat (the component takes a repository and tags)', () => {
  const kaniko = (destination: string, extra = '', top = '') => `${top}build:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
${extra}  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --destination ${destination}
`;
  const compatNote = (text: string) => {
    const built = job(root(text), 'build');
    expect(built?.component).toContain('/kaniko-compat@');
    return (built?.notes ?? []).join('\n');
  };

  it('a variable in the last path segment, defined with a tag or not defined at all', () => {
    expect(
      compatNote(kaniko('"${CI_REGISTRY_IMAGE}/${IMAGE_NAME}"', '', 'variables:\n  IMAGE_NAME: api:$CI_COMMIT_SHORT_SHA\n')),
    ).toContain('$IMAGE_NAME (api:$CI_COMMIT_SHORT_SHA) carries a tag');
    expect(compatNote(kaniko('$CI_REGISTRY_IMAGE/$SERVICE'))).toContain(
      '$SERVICE is not defined in this file, so cigen cannot tell whether it already carries a tag',
    );
  });

  it("a tag a rule's variables or the parallel matrix give it", () => {
    const rules =
      '  rules:\n    - if: $CI_COMMIT_TAG\n      variables:\n        IMAGE: $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG\n    - when: always\n';
    expect(compatNote(kaniko('$IMAGE', rules, 'variables:\n  IMAGE: $CI_REGISTRY_IMAGE\n'))).toContain(
      '$IMAGE ($CI_REGISTRY_IMAGE:$CI_COMMIT_TAG, as a rule or the parallel matrix sets it) carries a tag',
    );
    const matrix =
      '  variables:\n    DEST: $CI_REGISTRY_IMAGE/api\n  parallel:\n    matrix:\n      - DEST: ["$CI_REGISTRY_IMAGE/api:1.0", x]\n';
    expect(compatNote(kaniko('$DEST', matrix))).toContain('$DEST ($CI_REGISTRY_IMAGE/api:1.0, as a rule or the parallel matrix sets it)');
  });

  it('a tag set by workflow: rules, or by rules written through !reference or an alias', () => {
    const workflow =
      'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n      variables:\n        IMAGE_NAME: app:$CI_COMMIT_TAG\n    - when: always\n' +
      'variables:\n  IMAGE_NAME: app\n';
    expect(compatNote(kaniko('$CI_REGISTRY_IMAGE/$IMAGE_NAME', '', workflow))).toContain(
      '$IMAGE_NAME (app:$CI_COMMIT_TAG, as a rule or the parallel matrix sets it) carries a tag',
    );
    const template =
      '.tag-rules:\n  rules:\n    - if: $CI_COMMIT_TAG\n      variables:\n        IMAGE: $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG\n';
    expect(
      compatNote(
        kaniko('$IMAGE', '  rules:\n    - !reference [.tag-rules, rules]\n', `${template}variables:\n  IMAGE: $CI_REGISTRY_IMAGE\n`),
      ),
    ).toContain('$IMAGE ($CI_REGISTRY_IMAGE:$CI_COMMIT_TAG, as a rule or the parallel matrix sets it) carries a tag');
    const anchored =
      '.rule: &on-tag\n  if: $CI_COMMIT_TAG\n  variables:\n    IMAGE: $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG\nvariables:\n  IMAGE: $CI_REGISTRY_IMAGE\n';
    expect(compatNote(kaniko('$IMAGE', '  rules:\n    - *on-tag\n', anchored))).toContain('carries a tag');
    // A hidden key holding the list of rules, which GitLab's !reference reaches as any top-level key.
    const list = '.on-tag:\n  - if: $CI_COMMIT_TAG\n    variables:\n      IMAGE: $CI_REGISTRY_IMAGE:$CI_COMMIT_TAG\n';
    expect(
      compatNote(kaniko('$IMAGE', '  rules:\n    - !reference [.on-tag]\n', `${list}variables:\n  IMAGE: $CI_REGISTRY_IMAGE\n`)),
    ).toContain('carries a tag');
  });

  it('a predefined variable that never holds a colon, or a value without a tag, is migrated', () => {
    for (const [destination, top] of [
      ['$CI_REGISTRY_IMAGE/$CI_COMMIT_REF_SLUG', ''],
      ['$CI_REGISTRY_IMAGE/$NAME', 'variables:\n  NAME: api\n'],
      ['$IMAGE', 'variables:\n  IMAGE: $CI_REGISTRY_IMAGE/$CI_PROJECT_NAME\n'],
    ] as const) {
      const built = job(root(kaniko(destination, '', top)), 'build');
      expect(built?.component, destination).toContain('/buildah@');
      expect(built?.inputs?.['tags'], destination).toEqual(['latest']);
    }
  });
});

describe('keys another job reads are not changed under it (it goes to review, naming the reader)', () => {
  const KANIKO_IMAGE = '  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n';
  const EXECUTOR = '/kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1';
  /** The jobs' status and notes; the file as it would be written is valid and keeps `kept` as written. */
  const statusOf = async (text: string, kept: string) => {
    const out = root(text);
    expect(out.result).toContain(kept);
    expect(await lintErrors(out.result)).toEqual([]);
    return Object.fromEntries(out.jobs.map((j) => [j.name, { status: j.status, notes: j.notes }]));
  };

  /** The file migrated, and migrated again: the second run changes nothing. */
  const twice = (text: string) => {
    const out = root(text);
    const again = root(out.result);
    expect(again.result).toBe(out.result);
    return out;
  };

  it('a job another merges in whole (<<: *build): removing its image and script would leave the other without them', async () => {
    const amd64 = `build-amd64: &build\n  stage: build\n${KANIKO_IMAGE}  script:\n    - ${EXECUTOR}\n`;
    // The other job stays as it is (it runs apk, which the Buildah image lacks): it keeps its merge key.
    const jobs = await statusOf(`${amd64}build-arm64:\n  <<: *build\n  tags: [arm64]\n  after_script:\n    - apk add jq\n`, amd64);
    expect(jobs['build-amd64']).toEqual({
      status: 'needs-review',
      notes: [
        'build-arm64 reads its keys through *build, which the migration would change: move the shared part into a hidden job both extend',
      ],
    });
    expect(jobs['build-arm64']?.status).toBe('needs-review');
  });

  it('…and moves with it when it moves too, taking the keys it merged in (stage) as its own: a second run changes nothing', async () => {
    const amd64 = `build-amd64: &build\n  stage: build\n${KANIKO_IMAGE}  script:\n    - ${EXECUTOR}\n`;
    const out = twice(`${amd64}build-arm64:\n  <<: *build\n  tags: [arm64]\n`);
    expect(out.jobs.map((j) => [j.name, j.status])).toEqual([
      ['build-amd64', 'migrated'],
      ['build-arm64', 'migrated'],
    ]);
    expect(out.result).toContain('build-amd64: &build\n  stage: build\nbuild-arm64:\n  stage: build\n  tags: [arm64]\n');
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('a script anchor another job aliases (script: &kaniko, script: *kaniko): both move in one run, the second changes nothing', async () => {
    const job = (name: string, app: string, script: string) =>
      `${name}:\n  stage: build\n  variables:\n    APP: ${app}\n${KANIKO_IMAGE}  script: ${script}\n`;
    const executor = '/kaniko/executor --context $CI_PROJECT_DIR/$APP --destination $CI_REGISTRY_IMAGE/$APP:$CI_COMMIT_SHA';
    const out = twice(
      `${job('build-a', 'a', `&kaniko\n    - ${executor}`)}\n${job('build-b', 'b', '*kaniko')}\n${job('build-c', 'c', '*kaniko')}`,
    );
    expect(out.jobs.map((j) => [j.name, j.status, j.inputs?.['context']])).toEqual([
      ['build-a', 'migrated', '$APP'],
      ['build-b', 'migrated', '$APP'],
      ['build-c', 'migrated', '$APP'],
    ]);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('a script another job reads through !reference [job, script] while moving too: both move, once', async () => {
    const a = `build-a:\n  stage: build\n${KANIKO_IMAGE}  script:\n    - ${EXECUTOR}\n`;
    const b = `build-b:\n  stage: build\n${KANIKO_IMAGE}  script:\n    - !reference [build-a, script]\n`;
    const out = twice(`${a}${b}`);
    expect(out.jobs.map((j) => [j.name, j.status])).toEqual([
      ['build-a', 'migrated'],
      ['build-b', 'migrated'],
    ]);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('…but stays, for review, while one of them keeps the alias (kaniko-compat keeps its script)', async () => {
    const a = `build-a:\n  stage: build\n${KANIKO_IMAGE}  script: &kaniko\n    - ${EXECUTOR}\n`;
    const b = `build-b:\n  stage: build\n  variables:\n    KANIKO_REGISTRY_MIRROR: mirror.example.com\n${KANIKO_IMAGE}  script: *kaniko\n`;
    const out = twice(`${a}${b}`);
    expect(out.result).toContain(a);
    expect(out.jobs.map((j) => [j.name, j.status, j.component])).toEqual([
      ['build-a', 'needs-review', '$CI_SERVER_FQDN/ci-components/cigen/buildah@1'],
      ['build-b', 'migrated', '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1'],
    ]);
    expect(out.jobs[0]?.notes).toEqual([
      'build-b reads its script through *kaniko, which the migration would change: move the shared part into a hidden job both extend',
    ]);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('an image anchor another Kaniko job aliases that moves onto kaniko-compat (its image goes): both move, once', async () => {
    const api = `build-api:\n  stage: build\n  image: &kaniko\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n`;
    const out = twice(`${api}  script:\n    - ${EXECUTOR}\ntest-web:\n  stage: test\n  image: *kaniko\n  script:\n    - ls\n`);
    expect(out.jobs.map((j) => [j.name, j.status, j.component])).toEqual([
      ['build-api', 'migrated', '$CI_SERVER_FQDN/ci-components/cigen/buildah@1'],
      ['test-web', 'migrated', '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1'],
    ]);
    expect(await lintErrors(out.result)).toEqual([]);
  });

  it('an anchor inside a key the migration removes (image: &kaniko), aliased by another job: no invalid YAML, no crash', async () => {
    const api = `build-api:\n  stage: build\n  image: &kaniko\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n`;
    // The other job stays as it is (apk is not in the Buildah image), its alias too.
    const jobs = await statusOf(
      `${api}  script:\n    - ${EXECUTOR}\ntest-web:\n  stage: test\n  image: *kaniko\n  script:\n    - apk add jq\n`,
      api,
    );
    expect(jobs['build-api']).toEqual({
      status: 'needs-review',
      notes: [
        'test-web reads its image through *kaniko, which the migration would change: move the shared part into a hidden job both extend',
      ],
    });
  });

  it("!reference [job, before_script] in another job: the job's before_script stays as it is", async () => {
    const api = `build-api:\n  stage: build\n${KANIKO_IMAGE}  before_script:\n    - echo "{}" > /kaniko/.docker/config.json\n`;
    const jobs = await statusOf(
      `${api}  script:\n    - ${EXECUTOR}\n` +
        `deploy:\n  stage: deploy\n  before_script:\n    - !reference [build-api, before_script]\n  script:\n    - ./deploy.sh\n`,
      api,
    );
    expect(jobs['build-api']).toEqual({
      status: 'needs-review',
      notes: [
        'deploy reads its before_script through !reference [build-api, before_script], which the migration would change: ' +
          'move the shared part into a hidden job both extend',
      ],
    });
  });
});

it('!reference [job] (one element) reads every key of the job: it stays as it is, naming the reader', () => {
  const api =
    'build-api:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1\n';
  const out = root(`${api}.copy: !reference [build-api]\n`);
  expect(out.jobs.find((j) => j.name === 'build-api')).toMatchObject({
    status: 'needs-review',
    notes: [
      '.copy reads its keys through !reference [build-api], which the migration would change: ' +
        'move the shared part into a hidden job both extend',
    ],
  });
});

// GitLab merges the component's job under the local job of the same name: hashes deeply, a string
// or a list replaced. The job's own dotenv would replace the component's report (CIGEN_BUILT_*).
describe("a migrated job's own artifacts:reports:dotenv", () => {
  const REPORT = componentReport();
  const build = (artifacts: string, before = '') =>
    `${before}build:\n  stage: build\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n` +
    '    - echo "IMAGE=$CI_REGISTRY_IMAGE:1" > build.env\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1\n' +
    artifacts;
  const migrated = async (text: string) => {
    const out = root(text);
    expect(job(out, 'build')?.status).toBe('migrated');
    expect(root(out.result).result).toBe(out.result);
    expect(await lintErrors(out.result)).toEqual([]);
    return { out, notes: (job(out, 'build')?.notes ?? []).filter((n) => n.includes('dotenv')) };
  };

  it("is the component's report file: the buildah component's job declares it", () => {
    expect(REPORT).toBe('cigen-build.env');
  });

  it.each([
    ['a string', '      dotenv: build.env   # for deploy\n', `      dotenv: [build.env, ${REPORT}]   # for deploy\n`, 'build.env'],
    ['a quoted string', "      dotenv: 'build.env'\n", `      dotenv: ['build.env', ${REPORT}]\n`, "'build.env'"],
    ['a flow list', '      dotenv: [build.env, more.env]\n', `      dotenv: [build.env, more.env, ${REPORT}]\n`, '[build.env, more.env]'],
    ['a flow list ending in a comma', '      dotenv: [build.env,]\n', `      dotenv: [build.env, ${REPORT}]\n`, '[build.env]'],
    [
      'a block list',
      '      dotenv:\n        - build.env   # for deploy\n        # more\n        - more.env\n    expire_in: 1 day\n',
      `      dotenv:\n        - build.env   # for deploy\n        # more\n        - more.env\n        - ${REPORT}\n    expire_in: 1 day\n`,
      '[build.env, more.env]',
    ],
  ])('written as %s in the job: rewritten to list both, comments kept', async (_what, dotenv, expected, written) => {
    const { out, notes } = await migrated(build(`  artifacts:\n    reports:\n${dotenv}`));
    expect(out.result).toContain(`  artifacts:\n    reports:\n${expected}`);
    expect(notes).toEqual([
      `artifacts:reports:dotenv now lists ${REPORT} beside ${written}: the job's own value would replace the component's ${REPORT} ` +
        "(GitLab merges the component's job under this one), and with it the CIGEN_BUILT_* variables later jobs read",
    ]);
  });

  it("that lists the component's report already, or none at all (GitLab keeps the component's): left as it is, nothing said", async () => {
    for (const artifacts of [`  artifacts:\n    reports:\n      dotenv: [build.env, ${REPORT}]\n`, '  artifacts:\n    paths: [dist/]\n']) {
      const { out, notes } = await migrated(build(artifacts));
      expect(out.result).toContain(artifacts);
      expect(notes).toEqual([]);
    }
  });

  it("written otherwise (an alias, a merge key), or a base's (which the component's overrides): a note says what to write", async () => {
    const alias = await migrated(build('  artifacts:\n    reports:\n      dotenv: *env\n', '.files:\n  env: &env build.env\n'));
    expect(alias.notes).toEqual([
      `its artifacts:reports:dotenv (*env) replaces the component's ${REPORT} (GitLab merges the component's job under this one), ` +
        `and with it the CIGEN_BUILT_* variables later jobs read: list both, [*env, ${REPORT}]`,
    ]);
    const merged = await migrated(
      build('  <<: *reports\n', '.reports: &reports\n  artifacts:\n    reports:\n      dotenv: build.env\n').replace(
        'build:\n',
        'build:\n  when: always\n',
      ),
    );
    expect(merged.notes).toEqual([
      `its artifacts:reports:dotenv (build.env, which a merge key (<<) brings) replaces the component's ${REPORT} (GitLab merges ` +
        `the component's job under this one), and with it the CIGEN_BUILT_* variables later jobs read: list both, [build.env, ${REPORT}]`,
    ]);
    const base = await migrated(build('  extends: .reports\n', '.reports:\n  artifacts:\n    reports:\n      dotenv: build.env\n'));
    expect(base.notes).toEqual([
      `the artifacts:reports:dotenv .reports gives it (build.env) no longer counts: GitLab merges the component's job into this one ` +
        `before it resolves extends, and the component's ${REPORT} wins; to keep both, give the job artifacts:reports:dotenv: ` +
        `[build.env, ${REPORT}]`,
    ]);
  });

  it("none, with default artifacts: they no longer reach the job (the component's job sets artifacts), and the note says so", async () => {
    const defaults = 'default:\n  artifacts:\n    expire_in: 1 week\n';
    const { out } = await migrated(build('', defaults));
    expect(job(out, 'build')?.notes).toContain(
      `the default artifacts no longer reach this job: the component's job sets artifacts of its own (its ${REPORT} report), ` +
        'and GitLab gives a job the default only where it sets none; write in the job those it needs',
    );
    // A job that sets artifacts of its own never took the default's.
    const own = root(build('  artifacts:\n    paths: [dist/]\n', defaults));
    expect(job(own, 'build')?.kinds).not.toContain('default-artifacts');
  });

  it('a Docker build moved onto the component: likewise', async () => {
    const text =
      'build:\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
      '    - docker build -t "$CI_REGISTRY_IMAGE:1" .\n    - docker push "$CI_REGISTRY_IMAGE:1"\n' +
      '  artifacts:\n    reports:\n      dotenv: build.env\n';
    const { out } = await migrated(text);
    expect(out.result).toContain(`      dotenv: [build.env, ${REPORT}]\n`);
  });
});

describe('only a build component include makes a job "already built"', () => {
  const build = (name: string) =>
    `${name}:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n` +
    '  script:\n    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:1\n';

  it('another component (secret detection) builds nothing: the Kaniko job is migrated', () => {
    const secrets = `include:\n  - component: $CI_SERVER_FQDN/components/secret-detection/secret-detection@1.1\n${build('build-image')}`;
    expect(job(root(secrets), 'build-image')?.status).toBe('migrated');
  });

  it('a build component for the job name: unchanged, already built', () => {
    const built = `include:\n  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n${build('build-image')}`;
    expect(job(root(built), 'build-image')).toMatchObject({
      status: 'unchanged',
      notes: ['already built by $CI_SERVER_FQDN/ci-components/cigen/buildah@1'],
    });
  });
});

describe('an item before the build that writes Kaniko files beside other commands', () => {
  it('runs on kaniko-compat as written: moved to before_script whole, it would fail in the Buildah image (no /kaniko)', () => {
    const text =
      'build:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
      '    - |\n      echo "{\\"auths\\":{}}" > /kaniko/.docker/config.json\n      export VERSION=$(cat VERSION)\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$VERSION\n';
    const built = job(root(text), 'build');
    expect(built?.component).toContain('/kaniko-compat@');
    expect(built?.notes.join('\n')).toContain(
      'an item that runs before the build writes under /kaniko/ beside other commands, and the Buildah image has no /kaniko',
    );
  });
});

describe("Kaniko's cache warmer", () => {
  it('is not a build: its job stays as it is, with no review reason', () => {
    const text =
      'warm-cache:\n  stage: .pre\n  image:\n    name: gcr.io/kaniko-project/warmer:v1.23.2\n    entrypoint: [""]\n' +
      '  script:\n    - /kaniko/warmer --cache-dir=$CI_PROJECT_DIR/.cache --image=node:20-alpine\n';
    expect(job(root(text), 'warm-cache')).toMatchObject({ status: 'unchanged', notes: [] });
  });
});

describe('a template converted to kaniko-compat', () => {
  it('names as its users on kaniko-compat only the jobs that stay on it, not those moved onto buildah', () => {
    const text =
      '.build:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $IMAGE_NAME\n' +
      'build-api:\n  extends: .build\n  variables:\n    IMAGE_NAME: $CI_REGISTRY_IMAGE/api\n' +
      'build-web:\n  extends: .build\n  variables:\n    IMAGE_NAME: $CI_REGISTRY_IMAGE/web:$CI_COMMIT_SHA\n';
    const out = root(text);
    expect(job(out, 'build-api')?.component).toContain('/buildah@');
    expect(job(out, 'build-web')?.component).toContain('/kaniko-compat@');
    expect(job(out, '.build')?.notes[0]).toContain('so build-web and jobs in other projects run on kaniko-compat');
  });
});

describe('a template a job left for review uses too', () => {
  const template = '.kaniko:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n';
  const user = (name: string, args: string, base = '.kaniko') =>
    `${name}:\n  extends: ${base}\n  script:\n    - /kaniko/executor --context . ${args}\n`;
  // --digest-file: the job needs kaniko-compat, and its image comes from the template.
  const compat = user('app', '--digest-file digest.txt --destination $CI_REGISTRY_IMAGE/app:1');
  const held =
    'it would run on kaniko-compat (--digest-file: the component writes the digest to its dotenv report, not to this file; ' +
    'kaniko-compat writes the file), but its Kaniko image comes from .kaniko, which base uses too: converting .kaniko in place ' +
    'would move base onto kaniko-compat as well, and it is left for review. Settle base first, then migrate again';

  it.each([
    ['--ignore-path, which kaniko-compat refuses', '--ignore-path /var/cache --destination $CI_REGISTRY_IMAGE/base:1'],
    [
      'a tarball named by two destinations',
      '--no-push --tar-path image.tar --destination $CI_REGISTRY_IMAGE:a --destination $CI_REGISTRY_IMAGE:b',
    ],
    ['a push to a registry whose credentials cigen cannot see', '--destination harbor.example.com/p/base:1'],
  ])('is kept, and so is the job that needs it converted (%s): converting it would move the job in review', async (_, args) => {
    const text = template + user('base', args) + compat;
    const out = root(text);
    expect(out.changed).toBe(false);
    expect(job(out, 'base')?.status).toBe('needs-review');
    expect(job(out, 'app')).toMatchObject({ status: 'needs-review', kinds: ['template-shared'], notes: [held] });
    expect(job(out, '.kaniko')).toMatchObject({
      status: 'unchanged',
      notes: ['Kaniko template, kept: base, app extend it; of those, base needs-review, app needs-review'],
    });
    // Once the job in review is settled, both move in one run, and a second changes nothing.
    const settled = root(template + user('base', '--destination $CI_REGISTRY_IMAGE/base:1') + compat);
    expect(['base', 'app', '.kaniko'].map((name) => job(settled, name)?.status)).toEqual(['migrated', 'migrated', 'migrated']);
    expect(root(settled.result).changed).toBe(false);
    expect(await lintErrors(settled.result)).toEqual([]);
  });

  it('through another template: neither is converted (the one planned first is planned again)', () => {
    // .app, written first, would be converted for app alone; .kaniko, where its image comes from, is kept.
    const text =
      '.app:\n  extends: .kaniko\n  variables:\n    APP: x\n' +
      template +
      user('base', '--ignore-path /var/cache --destination $CI_REGISTRY_IMAGE/base:1') +
      user('app', '--digest-file digest.txt --destination $CI_REGISTRY_IMAGE/app:1', '.app');
    const out = root(text);
    expect(out.changed).toBe(false);
    expect(job(out, 'app')).toMatchObject({ status: 'needs-review', notes: [held] });
    expect([job(out, '.app')?.status, job(out, '.kaniko')?.status]).toEqual(['unchanged', 'unchanged']);
  });
});

// A job that overrides a Kaniko template's image and script (lint: node, npm test) is no build, and
// migrate left it unchanged, but converted the template under it: lint then extended
// .cigen-kaniko-compat through it, running the installer as its before_script, with its variables.
describe('a template a job that is no Kaniko build uses too', () => {
  const template = '.kaniko:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  tags: [docker]\n';
  const build =
    'build:\n  extends: .kaniko\n  stage: build\n  script:\n' +
    '    - /kaniko/executor --context . --digest-file digest.txt --destination $CI_REGISTRY_IMAGE:1\n';
  const lint = (name: string) => `${name}:\n  extends: .kaniko\n  image: node:20\n  script:\n    - npm test\n`;
  const needs =
    'it would run on kaniko-compat (--digest-file: the component writes the digest to its dotenv report, not to this file; ' +
    'kaniko-compat writes the file), but its Kaniko image comes from .kaniko, which ';

  it('is kept, and the job that needs it converted stays, saying what the other would inherit', async () => {
    const text = template + build + lint('lint');
    const out = root(text);
    expect(out.result).toBe(text);
    expect(job(out, 'lint')?.status).toBe('unchanged');
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['template-shared'],
      notes: [
        `${needs}lint uses too, not a Kaniko build: converting .kaniko in place would make lint extend .cigen-kaniko-compat ` +
          'as well, and inherit, where it does not set them itself, its image, before_script (the installer) and variables. ' +
          'Have lint stop using .kaniko (move what it takes from it into a hidden job of its own), then migrate again',
      ],
    });
    expect(job(out, '.kaniko')).toMatchObject({
      status: 'unchanged',
      notes: ['Kaniko template, kept: build, lint extend it; of those, build needs-review, lint unchanged'],
    });
    // Done as it says, the template is converted for build, and lint is as it was.
    const lintAlone = 'lint:\n  tags: [docker]\n  image: node:20\n  script:\n    - npm test\n';
    const settled = root(template + build + lintAlone);
    expect(['build', '.kaniko'].map((name) => job(settled, name)?.status)).toEqual(['migrated', 'migrated']);
    expect(settled.result).toContain(lintAlone);
    expect(await lintErrors(settled.result)).toEqual([]);
  });

  it('beside a job left for review: the reason names both, each with what converting would do to it', () => {
    const reviewed =
      'base:\n  extends: .kaniko\n  script:\n    - /kaniko/executor --context . --ignore-path /var/cache --destination $CI_REGISTRY_IMAGE/b:1\n';
    const out = root(template + build + reviewed + lint('lint') + lint('test'));
    expect(out.changed).toBe(false);
    expect(job(out, 'build')?.notes).toEqual([
      `${needs}base uses too: converting .kaniko in place would move base onto kaniko-compat as well, and it is left for review. ` +
        'Settle base first; and which lint, test use too, none of them a Kaniko build: converting .kaniko in place would make ' +
        'lint, test extend .cigen-kaniko-compat as well, and inherit, where they do not set them themselves, its image, ' +
        'before_script (the installer) and variables. Have lint, test stop using .kaniko (move what they take from it into ' +
        'a hidden job of their own), then migrate again',
    ]);
  });
});

describe('kaniko-compat is included once: its builder-image is every job on it', () => {
  const mirrored = (name: string, registry: string, flags = ' --reproducible') =>
    `${name}:\n  stage: build\n  image:\n    name: ${registry}/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n` +
    `    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE/${name}:1${flags}\n`;
  const builderImages = [
    'harbor.a.example=harbor.a.example/quay/buildah/stable:v1.43.4',
    'nexus.b.example=nexus.b.example/buildah/stable:v1.43.4',
  ];
  const run = (text: string) => migrateFile('.gitlab-ci.yml', text, { builderImages })[0] as FileMigration;

  it('a job on another mirror needing another Buildah image goes to review; none is told it runs an image it does not', () => {
    const out = run(mirrored('a', 'harbor.a.example') + mirrored('b', 'nexus.b.example') + mirrored('c', 'nexus.b.example', ''));
    expect(job(out, 'a')).toMatchObject({
      status: 'migrated',
      inputs: { 'builder-image': 'harbor.a.example/quay/buildah/stable:v1.43.4' },
    });
    expect(job(out, 'b')?.status).toBe('needs-review');
    expect(job(out, 'b')?.notes).toEqual([
      expect.stringMatching(/builder-image is harbor\.a\.example\/quay\/buildah\/stable:v1\.43\.4 \(the kaniko-compat include, for a\)/),
    ]);
    expect(out.result).not.toMatch(/^b:\n {2}stage: build\n {2}extends/m);
    // The buildah component's includes are one per job: c keeps its own builder-image.
    expect(job(out, 'c')).toMatchObject({
      status: 'migrated',
      inputs: expect.objectContaining({ 'builder-image': 'nexus.b.example/buildah/stable:v1.43.4' }),
    });
    expect(out.result.match(/builder-image: /g)).toHaveLength(2);
  });

  it("a job whose Kaniko image is public runs the include's mirror image, and its notes say so", () => {
    const out = run(mirrored('a', 'harbor.a.example') + mirrored('p', 'gcr.io'));
    expect(job(out, 'p')).toMatchObject({ status: 'migrated', component: '$CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1' });
    expect(job(out, 'p')?.notes).toContainEqual(
      expect.stringContaining(
        'with builder-image harbor.a.example/quay/buildah/stable:v1.43.4 (the kaniko-compat include, for a): this job runs it too',
      ),
    );
  });

  it('an existing kaniko-compat include decides: a job needing another builder-image goes to review', () => {
    const text = `include:\n  - component: $CI_SERVER_FQDN/ci-components/cigen/kaniko-compat@1\n\n${mirrored('b', 'nexus.b.example')}`;
    const out = run(text);
    expect(job(out, 'b')?.status).toBe('needs-review');
    expect(job(out, 'b')?.notes[0]).toContain('its builder-image is the default quay.io/');
  });
});

describe('a push to another registry with no credentials written', () => {
  it('says where Kaniko would have had them if the registry asked: not that it did', () => {
    const text =
      'build:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
      '    - /kaniko/executor -c $CI_PROJECT_DIR -d registry.local:5000/team/app:1.0\n';
    expect(job(root(text), 'build')?.notes.join('\n')).toContain(
      'the job pushes to registry.local:5000 but wrote no credentials for it: if the registry asked for any, Kaniko had them from ' +
        'a config.json the runner mounts into /kaniko/.docker',
    );
  });
});

describe('a component template whose destination is an interpolation block', () => {
  it('is not said to push to docker.io: the block is filled in from the include, and the job keeps its script', () => {
    const text =
      'spec:\n  inputs:\n    image: {default: $CI_REGISTRY_IMAGE}\n    tag: {default: latest}\n---\n' +
      'build-image:\n  stage: build\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$[[ inputs.image ]]:$[[ inputs.tag ]]"\n';
    const report = job(root(text), 'build-image');
    expect(report?.notes.join('\n')).not.toContain('docker.io');
    expect(report?.component).toContain('/kaniko-compat@');
  });
});

describe('a file of two documents whose first is no spec: header', () => {
  it('is refused as GitLab refuses it, at the first key, and nothing is rewritten', () => {
    const text =
      'build:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script: [/kaniko/executor -d $CI_REGISTRY_IMAGE:1]\n' +
      '---\nbuild2:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script: [/kaniko/executor -d $CI_REGISTRY_IMAGE:2]\n';
    let error: unknown;
    try {
      root(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).reason).toBe(
      'GitLab reads the first of two documents as the header: header config contains unknown keys: build',
    );
    expect([(error as SourceError).line, (error as SourceError).column]).toEqual([1, 1]);
    // A spec: header is read as one.
    expect(root(`spec:\n  inputs: {}\n---\n${text.split('---\n')[1] ?? ''}`).changed).toBe(true);
  });
});

// A job that needs kaniko-compat (a Kaniko flag the buildah component cannot take) but whose
// edits cigen cannot make was refused without saying why it needed kaniko-compat ("other reads its
// before_script ..."): the reader could not tell what to change. Each refusal now starts with it.
describe('a refusal to move onto kaniko-compat says why the job needs it', () => {
  const SNAPSHOT =
    '--single-snapshot: Kaniko wrote one layer for the whole build, so a file one step wrote and a later one deleted is in no layer; ' +
    'the component writes a layer per step, where it stays; kaniko-compat builds without --layers, one layer';
  const BUILD = '  stage: build\n  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:1 --single-snapshot\n';
  const IMAGE = '  image: gcr.io/kaniko-project/executor:debug\n';

  it('shared keys: another job reads what the move would change', () => {
    const out = root(
      `build:\n${IMAGE}  before_script:\n    - echo hi\n${BUILD}` +
        'other:\n  image: alpine\n  before_script: !reference [build, before_script]\n  script: [echo]\n',
    );
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['shared-keys'],
      notes: [
        `build needs kaniko-compat (${SNAPSHOT}), but other reads its before_script through !reference [build, before_script], ` +
          'which the migration would change: move the shared part into a hidden job both extend',
      ],
    });
  });

  it('shared keys of a template: the reasons of the jobs it is converted for; none, for a template no job here uses', () => {
    const template = `.kaniko:\n${IMAGE}  before_script:\n    - echo hi\n`;
    const other = 'other:\n  image: alpine\n  before_script: !reference [.kaniko, before_script]\n  script: [echo]\n';
    const shared =
      `needs kaniko-compat (for build: ${SNAPSHOT}), but other reads its before_script through !reference [.kaniko, before_script], ` +
      'which the migration would change: move the shared part into a hidden job both extend';
    const out = root(`${template}build:\n  extends: .kaniko\n${BUILD}${other}`);
    expect(job(out, '.kaniko')).toMatchObject({ status: 'needs-review', notes: [`.kaniko ${shared}`] });
    expect(job(out, 'build')?.notes).toEqual([`its Kaniko image comes from .kaniko, which needs review: .kaniko ${shared}`]);
    const library = root(`${template}${other}`);
    expect(job(library, '.kaniko')?.notes).toEqual([
      '.kaniko would move onto kaniko-compat, but other reads its before_script through !reference [.kaniko, before_script], ' +
        'which the migration would change: move the shared part into a hidden job both extend',
    ]);
  });

  it('a before_script from a base whose job cigen cannot name (a merge key of a mapping inside another key)', () => {
    const out = root(
      `.anchors:\n  inner: &bs\n    before_script:\n      - echo hi\n.base:\n  <<: *bs\n${IMAGE}build:\n  extends: .base\n${IMAGE}${BUILD}`,
    );
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['compat-before-script-source'],
      notes: [
        `build needs kaniko-compat (${SNAPSHOT}), whose installer starts its before_script, ` +
          'but cigen cannot tell which job its before_script comes from',
      ],
    });
  });

  it('an extends that is neither a name nor a list', () => {
    const out = root(`build:\n  extends:\n    a: b\n${IMAGE}${BUILD}`);
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['compat-before-script-source'],
      notes: [
        `build needs kaniko-compat (${SNAPSHOT}), which adds .cigen-kaniko-compat to its extends, but its extends is neither a name nor a list`,
      ],
    });
  });

  it('a Kaniko image from a visible job it extends, which runs as it is', () => {
    const out = root(`base:\n${IMAGE}  script: [echo]\nbuild:\n  extends: base\n${BUILD}`);
    expect(job(out, 'build')).toMatchObject({
      status: 'needs-review',
      kinds: ['external-base'],
      notes: [
        `build needs kaniko-compat (${SNAPSHOT}), but the Kaniko image comes from base, a job that runs as it is; ` +
          'cigen converts only hidden templates in place',
      ],
    });
  });

  it('a job in flow style (planJob refuses it first; compatEdits, asked, says the same with the reason)', () => {
    const file = lastKeysOnly(readSource('.gitlab-ci.yml', 'build: {image: gcr.io/kaniko-project/executor:debug, script: [x]}\n'));
    const pipeline = buildPipeline([file]);
    const edits = compatEdits(
      pipeline,
      pipeline.jobs.get('build') as Parameters<typeof compatEdits>[1],
      '.cigen-kaniko-compat',
      new Set(),
      {
        removeImage: true,
        appendCompat: true,
        needs: [SNAPSHOT],
      },
    );
    expect(edits.reasons.map((r) => [r.kind, r.text])).toEqual([
      ['flow-style', `build needs kaniko-compat (${SNAPSHOT}), but is written in flow style ({...}), and cigen edits block mappings only`],
    ]);
    expect(edits.edits).toEqual([]);
  });
});

describe("a Docker job's own dind service over the services a base, default: or the top level gives", () => {
  const own =
    '  stage: build\n  services:\n    - docker:24.0-dind\n' +
    '  script:\n    - docker build -t $CI_REGISTRY_IMAGE:1 .\n    - docker push $CI_REGISTRY_IMAGE:1\n';
  it.each([
    [
      'an extends base',
      '.dind:\n  image: docker:24.0\n  services: [docker:24.0-dind, postgres:16]\n\nbuild:\n  extends: .dind\n',
      '.dind (docker:24.0-dind, postgres:16)',
    ],
    ['default:', 'default:\n  services: [docker:24.0-dind]\n\nbuild:\n  image: docker:24.0\n', 'default: (docker:24.0-dind)'],
    ['the top level', 'image: docker:24.0\nservices: [docker:dind]\n\nbuild:\n', 'the top level (docker:dind)'],
  ])('%s: GitLab would give the migrated job those, so services: [] keeps them out as its own key did', async (_name, head, from) => {
    const out = root(head + own);
    const report = job(out, 'build');
    expect(report?.status).toBe('migrated');
    expect(report?.kinds).toContain('docker-services-emptied');
    expect(report?.notes.join('\n')).toContain(
      `services: [] written in the job: without services of its own it would take those of ${from}, and GitLab would start them beside the build`,
    );
    expect(out.result).toMatch(/\nbuild:\n(?: {2}.*\n)* {2}services: \[\]\n/);
    expect(await lintErrors(out.result)).toEqual([]);
    expect(root(out.result).changed).toBe(false);
  });
  it('nothing to inherit (none given, or inherit: default: false): no services key is written', () => {
    for (const text of [
      `build:\n  image: docker:24.0\n${own}`,
      `default:\n  services: [docker:24.0-dind]\nbuild:\n  inherit: {default: false}\n  image: docker:24.0\n${own}`,
    ]) {
      const out = root(text);
      expect(job(out, 'build')?.status).toBe('migrated');
      expect(job(out, 'build')?.kinds).not.toContain('docker-services-emptied');
      expect(out.result).not.toContain('services: []');
    }
  });
});
