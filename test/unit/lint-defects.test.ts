/**
 * Defects found in `cigen lint` (and in the project-file reading it shares with `cigen migrate`),
 * each reproduced here before it was fixed: component includes that define the same job, a
 * directory of components, files linted as fragments without a word, a duplicate key the message
 * does not name, control characters printed raw, local includes read outside the project, a
 * circular `!reference`, and a `needs` chain deep enough to overflow a recursive walk.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { CATALOG_VERSION } from '../../src/ci/component-ref.js';
import { escapeControl } from '../../src/cli/output.js';
import { decodeUtf8 } from '../../src/cli/files.js';
import { readProjectFile } from '../../src/cli/project.js';
import { lintHost } from '../../src/cli/wiring/lint.js';
import { wildcardPathPattern } from '../../src/ci/includes.js';
import { parseYamlDocument, parseYamlDocuments } from '../../src/ci/yaml.js';
import { findDockerfiles, proposeBuilds } from '../../src/init/plan.js';
import { scaffold } from '../../src/init/scaffold.js';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile } from '../../src/migrate/index.js';
import { catalogHost } from '../helpers/lint-host.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cigen.cjs');
const REF = '$CI_SERVER_FQDN/ci-components/cigen';

function cigen(args: string[], cwd = ROOT, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
/** A scratch directory with `files` in it (a value starting with `->` is a symlink to the rest). */
function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-lint-defects-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    if (text.startsWith('->')) symlinkSync(text.slice(2), join(dir, name));
    else writeFileSync(join(dir, name), text);
  }
  return dir;
}

const lint = (text: string, files: Record<string, string> = {}, file = '.gitlab-ci.yml'): Promise<Diagnostic[]> =>
  lintText(text, { file, host: catalogHost((path) => files[path]) });
const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
const briefs = async (...args: Parameters<typeof lint>) => (await lint(...args)).map(brief);
const codes = async (...args: Parameters<typeof lint>) => (await lint(...args)).map((d) => d.code);

const AUTH =
  String.raw`    - echo "{\"auths\":{\"$CI_REGISTRY\":{\"auth\":\"$(printf "%s:%s" "$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD" ` +
  String.raw`| base64 | tr -d '\n')\"}}}" > /kaniko/.docker/config.json`;
const KANIKO_JOB = (name: string, context = '$CI_PROJECT_DIR') =>
  `${name}:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - mkdir -p /kaniko/.docker
${AUTH}
    - /kaniko/executor --context ${context} --dockerfile ${context}/Dockerfile --destination $CI_REGISTRY_IMAGE/${name}:$CI_COMMIT_SHA
`;

/** The jobs a builder component adds beside its build (its sign, sbom, provenance switches). */
const SWITCH_JOBS = (job: string) => [`${job}:sign`, `${job}:sbom`, `${job}:provenance`];

describe('include/duplicate-job: two component includes that define the same job', () => {
  it('is an error at the second include entry, naming the job and the first include', async () => {
    const text =
      `include:\n  - component: ${REF}/buildah@${CATALOG_VERSION}\n    inputs:\n      tags: [v1]\n` +
      `  - component: ${REF}/buildah@${CATALOG_VERSION}\n    inputs:\n      context: api\n`;
    // The switches' jobs are named after the build job, so they collide with it.
    expect(await briefs(text)).toEqual(
      ['build-image', ...SWITCH_JOBS('build-image')].map(
        (job) =>
          `.gitlab-ci.yml:5:5 error include/duplicate-job job \`${job}\` is already defined by the component included at line 2; ` +
          'GitLab merges the two jobs silently and only one of them runs',
      ),
    );
  });
  it('any two readable components: two builders with the same default job name, this project’s own component', async () => {
    expect(
      await codes(`include:\n  - component: ${REF}/kaniko@${CATALOG_VERSION}\n  - component: ${REF}/buildah@${CATALOG_VERSION}\n`),
    ).toEqual(Array(4).fill('include/duplicate-job'));
    const own = 'spec:\n  inputs:\n    name: {default: deploy, regex: "^[a-z-]+$"}\n---\n$[[ inputs.name ]]:\n  script: [echo]\n';
    const deploy = '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/deploy@main\n';
    expect(await codes(`include:\n${deploy}${deploy}    inputs: {name: deploy}\n`, { 'templates/deploy.yml': own })).toEqual([
      'include/duplicate-job',
    ]);
  });
  it('is not reported for an include whose inputs GitLab refuses: it merges nothing of that file', async () => {
    const own =
      'spec:\n  inputs:\n    job-name: {default: build, regex: "^[a-z-]+$"}\n    platform: {default: amd64, options: [amd64, arm64]}\n' +
      '---\n$[[ inputs.job-name ]]:\n  stage: build\n  script: ["echo $[[ inputs.platform ]]"]\n';
    const build = '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/build@main\n';
    const text =
      `stages: [build, test]\ninclude:\n${build}${build}    inputs:\n      job-name: build-arm\n      platform: aarch64\n` +
      'test:\n  stage: test\n  needs: [build-arm]\n  script: [echo]\n';
    // The one true error; the need of a job that file would have made is only a warning, saying why.
    expect(await briefs(text, { 'templates/build.yml': own })).toEqual([
      '.gitlab-ci.yml:7:17 error include/inputs `$CI_SERVER_FQDN/$CI_PROJECT_PATH/build@main`: `platform` input: ' +
        '`aarch64` cannot be used because it is not in the list of allowed options',
      '.gitlab-ci.yml:10:11 warning semantic/undefined-need test job: undefined need: build-arm ' +
        '(it may come from an include whose inputs GitLab refuses: it merges nothing of that file)',
    ]);
    // A local file given inputs it has no spec for is refused the same way: its job is not merged.
    const local = 'include:\n  - local: ci/a.yml\n    inputs: {x: 1}\ntest:\n  needs: [a]\n  script: [echo]\n';
    expect(await codes(local, { 'ci/a.yml': 'a:\n  script: [echo]\n' })).toEqual(['include/inputs', 'semantic/undefined-need']);
    expect((await lint(local, { 'ci/a.yml': 'a:\n  script: [echo]\n' }))[1]?.severity).toBe('warning');
  });
  it('through a partial version (@1) is a warning naming what was checked: GitLab may read a later 1.x', async () => {
    const text = `include:\n  - component: ${REF}/buildah@1\n  - component: ${REF}/buildah@1\n    inputs:\n      context: api\n`;
    expect(await briefs(text)).toEqual(
      ['build-image', ...SWITCH_JOBS('build-image')].map(
        (job) =>
          `.gitlab-ci.yml:3:5 warning include/duplicate-job job \`${job}\` is already defined by the component included at line 2; ` +
          `GitLab merges the two jobs silently and only one of them runs (checked against the specs of cigen ${CATALOG_VERSION}, ` +
          'which this CLI ships: GitLab resolves `@1` to the latest published 1.*.*, which may be a later one)',
      ),
    );
  });
  it('names the file of the first include when it is another file', async () => {
    const found = await briefs(`include:\n  - local: ci/images.yml\n  - component: ${REF}/buildah@${CATALOG_VERSION}\n`, {
      'ci/images.yml': `include:\n  - component: ${REF}/buildkit@${CATALOG_VERSION}\n`,
    });
    expect(found).toEqual(
      ['build-image', ...SWITCH_JOBS('build-image')].map(
        (job) =>
          `.gitlab-ci.yml:3:5 error include/duplicate-job job \`${job}\` is already defined by the component included at ` +
          'ci/images.yml:2; GitLab merges the two jobs silently and only one of them runs',
      ),
    );
  });
  it('is a warning when either include has rules: (they may never be included together)', async () => {
    expect(
      await briefs(
        `include:\n  - component: ${REF}/buildah@${CATALOG_VERSION}\n    rules: [{if: $RELEASE}]\n` +
          `  - component: ${REF}/buildah@${CATALOG_VERSION}\n    inputs: {context: api}\n`,
      ),
    ).toEqual(
      ['build-image', ...SWITCH_JOBS('build-image')].map(
        (job) =>
          `.gitlab-ci.yml:4:5 warning include/duplicate-job job \`${job}\` is already defined by the component included at line 2; ` +
          'GitLab merges the two jobs silently and only one of them runs (unless their `rules:` never include both)',
      ),
    );
  });
  it('is not reported for distinct job names, nor for a job the pipeline itself extends', async () => {
    expect(
      await briefs(
        `include:\n  - component: ${REF}/buildah@1\n  - component: ${REF}/buildah@1\n    inputs: {job-name: build-api, context: api}\n` +
          'build-image:\n  rules: [{when: manual}]\n',
      ),
    ).toEqual([]);
  });

  describe('cigen init and cigen migrate never write such a pair', () => {
    const builds = proposeBuilds(findDockerfiles(['Dockerfile', 'api/Dockerfile']));
    it.each([
      ['a new pipeline for two Dockerfiles', undefined],
      ['a pipeline that already includes the component without job-name', `include:\n  - component: ${REF}/buildah@1\n`],
      [
        'a pipeline that already builds another context without job-name',
        `include:\n  - component: ${REF}/buildah@1\n    inputs:\n      context: web\n`,
      ],
      ['a pipeline that includes a different builder without job-name', `include:\n  - component: ${REF}/kaniko@1\n`],
    ])('init: %s', async (_name, current) => {
      const out = scaffold('.gitlab-ci.yml', current, builds, `${REF}/buildah@1`);
      expect(out.changed).toBe(true);
      expect(await codes(out.text)).not.toContain('include/duplicate-job');
    });
    it('migrate: two Kaniko jobs (and a third in a local include)', async () => {
      const files = { 'ci/more.yml': KANIKO_JOB('build-worker', '$CI_PROJECT_DIR/worker') };
      const results = migrateFile(
        '.gitlab-ci.yml',
        `include: ci/more.yml\n${KANIKO_JOB('build-api', '$CI_PROJECT_DIR/api')}${KANIKO_JOB('build-web', '$CI_PROJECT_DIR/web')}`,
        { host: { readProjectFile: (path) => files[path as keyof typeof files] } },
      );
      const [root, included] = results;
      expect(root?.jobs.filter((j) => j.status === 'migrated')).toHaveLength(2);
      expect(included?.jobs.filter((j) => j.status === 'migrated')).toHaveLength(1);
      const found = await lint(root?.result ?? '', { 'ci/more.yml': included?.result ?? '' });
      expect(found.map((d) => d.code)).not.toContain('include/duplicate-job');
    });
  });
});

describe('a directory that holds component files is linted (templates/ --format json, --schema-only)', () => {
  it('cigen lint templates/ --format json: one JSON array, exit 0', () => {
    const result = cigen(['lint', 'templates/', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
  it('cigen lint templates/ --schema-only: every component, exit 0', () => {
    const result = cigen(['lint', 'templates/', '--schema-only']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${readdirSync('templates').filter((f) => f.endsWith('.yml')).length} file(s) clean\n`);
  });
  it('flat files with a spec: header and <name>/template.yml, not other YAML', () => {
    const dir = scratch({
      'components/flat.yml':
        'spec:\n  inputs:\n    a: {default: x, regex: "^x$"}\n---\nflat:\n  script:\n    - echo $[[ inputs.a ]]\n  scirpt: [x]\n',
      'components/nested/template.yml': 'nested:\n  stage: nowhere\n  script: [echo]\n',
      'components/notes.yml': 'not: [a, pipeline\n',
    });
    const result = cigen(['lint', 'components', '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    const found = (JSON.parse(result.stdout) as { file: string; code: string }[]).map((d) => `${d.file} ${d.code}`);
    expect(found).toEqual(['components/flat.yml schema/unknown-key', 'components/nested/template.yml semantic/undefined-stage']);
  });
});

describe('--pipeline, and a file linted as a fragment says so', () => {
  const files = { 'p.yml': 'a:\n  script: [echo]\n  needs: [b]\n', '.gitlab-ci.yml': 'a:\n  script: [echo]\n' };
  const notice =
    'p.yml: linted as a fragment (not named .gitlab-ci.yml, gitlab-ci.yml or *.gitlab-ci.yml); add --pipeline to check it as a whole pipeline';
  it('text output names the file linted as a fragment, once', () => {
    const result = cigen(['lint', 'p.yml', '.gitlab-ci.yml'], scratch(files));
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.includes('linted as a fragment'))).toEqual([notice]);
  });
  it('which names are pipelines: .gitlab-ci.yml, gitlab-ci.yml and *.gitlab-ci.yml (.yaml too); my-gitlab-ci.yml is a fragment', () => {
    const dir = scratch({ 'my-gitlab-ci.yml': files['p.yml'], 'build.gitlab-ci.yaml': files['p.yml'] });
    const result = cigen(['lint', 'my-gitlab-ci.yml', 'build.gitlab-ci.yaml'], dir);
    expect(result.stdout).toContain(notice.replace('p.yml', 'my-gitlab-ci.yml'));
    expect(result.stdout).toContain('build.gitlab-ci.yaml:3:11 error semantic/undefined-need');
    expect(result.stdout).not.toContain('build.gitlab-ci.yaml: linted as a fragment');
  });
  it('--pipeline checks it as the root pipeline (needs, visible jobs)', () => {
    const dir = scratch({ ...files, 'hidden.yml': '.a:\n  script: [echo]\n' });
    const result = cigen(['lint', '--pipeline', 'p.yml', 'hidden.yml'], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('p.yml:3:11 error semantic/undefined-need a job: undefined need: b');
    expect(result.stdout).toContain('hidden.yml:1:1 error semantic/no-visible-job jobs config should contain at least one visible job');
    expect(result.stdout).not.toContain('linted as a fragment');
  });
  it('JSON output stays the array of diagnostics', () => {
    const dir = scratch(files);
    expect(cigen(['lint', 'p.yml', '--format', 'json'], dir).stdout).toBe('[]\n');
    const json = JSON.parse(cigen(['lint', 'p.yml', '--pipeline', '--format', 'json'], dir).stdout) as { code: string }[];
    expect(json.map((d) => d.code)).toEqual(['semantic/undefined-need']);
  });
  it("a directory's *.gitlab-ci.yml that its .gitlab-ci.yml includes is a piece of that pipeline: linted as part of it, saying so", () => {
    const dir = scratch({
      '.gitlab-ci.yml': 'stages: [build, release]\ninclude:\n  - local: deploy.gitlab-ci.yml\nbuild:\n  stage: build\n  script: echo\n',
      'deploy.gitlab-ci.yml': 'release:\n  stage: release\n  script: echo\n  needs: [build]\n',
    });
    const result = cigen(['lint', '.'], dir);
    expect(result.stdout).toBe(
      'deploy.gitlab-ci.yml: linted as part of .gitlab-ci.yml, which includes it; name it on the command line to check it as a whole pipeline\n' +
        '2 file(s) clean\n',
    );
    expect(result.status).toBe(0);
    // Named, it is what its name says: a pipeline of its own, whose stage and need are not there.
    const named = cigen(['lint', 'deploy.gitlab-ci.yml'], dir);
    expect(named.status).toBe(1);
    expect(named.stdout).toContain('deploy.gitlab-ci.yml:4:11 error semantic/undefined-need');
  });
  it('a component template is not called a fragment', () => {
    const result = cigen(['lint', 'templates/buildah.yml']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('1 file(s) clean\n');
  });
  it('the help text documents --pipeline', () => {
    expect(cigen(['lint', '--help']).stdout).toMatch(/--pipeline +\S/);
  });
});

describe('yaml/duplicate-key names the key', () => {
  it.each([
    [
      'build:\n  script: [a]\n  script: [b]\n',
      '.gitlab-ci.yml:3:3 warning yaml/duplicate-key duplicate key `script`; GitLab keeps the last one',
    ],
    [
      '"a b":\n  script: [a]\n\'a b\':\n  script: [b]\n',
      '.gitlab-ci.yml:3:1 warning yaml/duplicate-key duplicate key `a b`; GitLab keeps the last one',
    ],
  ])('%j', async (text, expected) => {
    expect(await briefs(text)).toContainEqual(expected);
  });
});

describe('control characters from a linted file are escaped in text output', () => {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/;
  it('escapeControl: C0 but tab and newline, DEL, C1, LS and PS', () => {
    expect(escapeControl('a\x1b[2Jb\tc\x00\x7f\x9b\u2028\u2029\r')).toBe('a\\x1b[2Jb\tc\\x00\\x7f\\x9b\\u2028\\u2029\\x0d');
    expect(escapeControl('é – ✓')).toBe('é – ✓');
  });
  it('in messages and code frames; the JSON keeps the exact text', () => {
    // Written as YAML escapes (Psych takes them): a key and a value that hold control characters.
    const dir = scratch({ '.gitlab-ci.yml': 'build:\n  "sc\\e[2Jript": [x]\n  script: ["echo \\e]0;owned\\a \\u009b2J \\x7f"]\n' });
    const text = cigen(['lint', '.gitlab-ci.yml'], dir);
    expect(text.status).toBe(1);
    expect(text.stdout).not.toMatch(RAW);
    expect(text.stdout).toContain('unknown keys: sc\\x1b[2Jript');
    const json = JSON.parse(cigen(['lint', '.gitlab-ci.yml', '--format', 'json'], dir).stdout) as { message: string }[];
    expect(json[0]?.message).toContain('sc\x1b[2Jript');
    // Written as they are, Psych refuses the file at the first one: the code frame shows them escaped.
    const raw = scratch({ '.gitlab-ci.yml': 'build:\n  sc\x1b[2Jript: [x]\n  script: ["echo \x1b]0;owned\x07 \x9b2J \x7f"]\n' });
    const refused = cigen(['lint', '.gitlab-ci.yml'], raw);
    expect(refused.status).toBe(1);
    expect(refused.stdout).not.toMatch(RAW);
    expect(refused.stdout).toContain(
      ".gitlab-ci.yml:2:5 error yaml/syntax control characters are not allowed (U+001B): GitLab's YAML reader refuses the whole file",
    );
    expect(refused.stdout).toContain('  > 2 |   sc\\x1b[2Jript: [x]');
    expect(refused.stdout).toContain('    3 |   script: ["echo \\x1b]0;owned\\x07 \\x9b2J \\x7f"]');
    // The caret stays under the column, counted in the escaped line.
    expect(refused.stdout).toContain('      |     ^\n');
  });
  it('a caret after an escaped character moves with it', () => {
    const dir = scratch({ '.gitlab-ci.yml': 'build: {script: ["\x1b"], image: 1}}\n' });
    const lines = cigen(['lint', '.gitlab-ci.yml'], dir).stdout.split('\n');
    // The ESC is refused where it is; the stray `}` after it is an error too, its caret moved by `\x1b`.
    expect(lines.slice(0, 7)).toEqual([
      ".gitlab-ci.yml:1:19 error yaml/syntax control characters are not allowed (U+001B): GitLab's YAML reader refuses the whole file",
      '  > 1 | build: {script: ["\\x1b"], image: 1}}',
      `      | ${' '.repeat(18)}^`,
      '    2 | ',
      '.gitlab-ci.yml:1:33 error yaml/syntax Unexpected flow-map-end token in YAML stream: "}"',
      '  > 1 | build: {script: ["\\x1b"], image: 1}}',
      `      | ${' '.repeat(35)}^`,
    ]);
  });
});

describe('include/outside-project: local includes are read from the project only', () => {
  const SECRET = 'OUTSIDE-SECRET-7c1f';
  const ENV_SECRET = 'ENVIRON-SECRET-93ab';
  const OUTSIDE = `# ${SECRET}\n${KANIKO_JOB('build-outside')}  scirpt: [${SECRET}]\n`;
  /** A project beside a directory it must not read, and includes that lead there. */
  function layout() {
    const base = scratch({
      'outside/x.yml': OUTSIDE,
      'project/.git/HEAD': 'ref: refs/heads/main\n',
      'project/ci/link.yml': '->../../outside/x.yml',
      'project/ci/inside.yml': 'inside:\n  script: [echo]\n',
      'project/ci/inside-link.yml': '->inside.yml',
      'project/shared': '->../outside',
    });
    const depth = resolve(base, 'project').split('/').length - 1;
    const environ = `${'../'.repeat(depth)}proc/self/environ`;
    const pipeline =
      'include:\n  - local: ../outside/x.yml\n  - local: ci/link.yml\n  - local: shared/x.yml\n' +
      `  - local: ${environ}\n  - local: ci/inside-link.yml\nbuild:\n  script: [echo]\n`;
    writeFileSync(join(base, 'project/.gitlab-ci.yml'), pipeline);
    return { base, project: join(base, 'project'), environ };
  }
  const outsideUnchanged = (base: string) => expect(readFileSync(join(base, 'outside/x.yml'), 'utf8')).toBe(OUTSIDE);

  it('readProjectFile refuses paths that lead outside, through .. or a symlink, and follows links that stay inside', () => {
    const { base, project, environ } = layout();
    expect(readProjectFile(project, '../outside/x.yml')).toBeUndefined();
    expect(readProjectFile(project, 'ci/link.yml')).toBeUndefined();
    expect(readProjectFile(project, 'shared/x.yml')).toBeUndefined();
    expect(readProjectFile(project, environ)).toBeUndefined();
    expect(readProjectFile(project, 'ci/inside-link.yml')?.text).toBe('inside:\n  script: [echo]\n');
    // A root reached through a symlink is still the project.
    symlinkSync(project, join(base, 'project-link'));
    expect(readProjectFile(join(base, 'project-link'), 'ci/inside.yml')?.text).toBe('inside:\n  script: [echo]\n');
    expect(readProjectFile(join(base, 'project-link'), 'ci/link.yml')).toBeUndefined();
  });

  it('lint: an error at each such include entry, never a line of the outside file', () => {
    const { base, project, environ } = layout();
    for (const format of ['text', 'json']) {
      const result = cigen(['lint', '.gitlab-ci.yml', '--format', format], project, { CIGEN_TEST_SECRET: ENV_SECRET });
      expect(result.status).toBe(1);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(result.stdout + result.stderr).not.toContain(ENV_SECRET);
      if (format === 'json') {
        // (GitLab's schema also refuses the last one: it has no YAML extension.)
        const found = (JSON.parse(result.stdout) as { file: string; line: number; code: string; message: string }[])
          .filter((d) => !d.code.startsWith('schema/'))
          .map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`);
        const message = (path: string) => `\`${path}\` is outside the project: GitLab reads local includes from the repository only`;
        expect(found).toEqual([
          `.gitlab-ci.yml:2 include/outside-project ${message('../outside/x.yml')}`,
          `.gitlab-ci.yml:3 include/outside-project ${message('ci/link.yml')}`,
          `.gitlab-ci.yml:4 include/outside-project ${message('shared/x.yml')}`,
          `.gitlab-ci.yml:5 include/outside-project ${message(environ)}`,
        ]);
      }
    }
    outsideUnchanged(base);
  });

  it('lint, in the library: a path that climbs out is refused before any host is asked', async () => {
    const asked: string[] = [];
    const found = await lintText('include:\n  - local: ci/../../x.yml\nbuild:\n  script: [echo]\n', {
      file: '.gitlab-ci.yml',
      host: catalogHost((path) => (asked.push(path), 'x:\n  script: [echo]\n')),
    });
    expect(found.map(brief)).toEqual([
      '.gitlab-ci.yml:2:5 error include/outside-project `ci/../../x.yml` is outside the project: GitLab reads local includes ' +
        'from the repository only',
    ]);
    expect(asked).toEqual([]);
  });

  it('migrate --format json and --write: a warning for each, nothing outside read or written', () => {
    const { base, project } = layout();
    for (const args of [['--format', 'json'], ['--write', '--format', 'json'], ['--write']]) {
      const result = cigen(['migrate', '.gitlab-ci.yml', ...args], project, { CIGEN_TEST_SECRET: ENV_SECRET });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).not.toContain(SECRET);
      expect(result.stdout).not.toContain(ENV_SECRET);
      expect(result.stdout).not.toContain('build-outside');
      expect(result.stdout).toContain(
        '.gitlab-ci.yml: local include ../outside/x.yml is outside the project (GitLab reads local includes from the repository only); ' +
          'its jobs were not checked',
      );
      expect(result.stdout).toContain(
        '.gitlab-ci.yml: local include ci/link.yml is outside the project (GitLab reads local includes from the repository only); ' +
          'its jobs were not checked',
      );
      outsideUnchanged(base);
    }
  });
});

describe('semantic/reference-cycle: a circular !reference', () => {
  it.each([
    [
      "GitLab's example",
      'job_a:\n  script: !reference [job_b, script]\njob_b:\n  script: !reference [job_a, script]\n',
      '2:22 error semantic/reference-cycle !reference ["job_b", "script"] is part of a circular chain',
    ],
    [
      'a reference to itself',
      'job:\n  script:\n    - echo\n    - !reference [job, script]\n',
      '4:18 error semantic/reference-cycle !reference ["job", "script"] is part of a circular chain',
    ],
    [
      'three hidden jobs in a ring, inside lists',
      '.a:\n  script: [!reference [.b, script]]\n.b:\n  script: [!reference [.c, script]]\n.c:\n  script: [!reference [.a]]\n' +
        'job:\n  script: [echo]\n',
      '2:23 error semantic/reference-cycle !reference [".b", "script"] is part of a circular chain',
    ],
  ])('%s', async (_name, text, expected) => {
    expect(await briefs(text)).toEqual([`.gitlab-ci.yml:${expected}`]);
  });
  it('a chain that ends is fine', async () => {
    expect(
      await briefs('.a:\n  script: [echo a]\n.b:\n  script: [!reference [.a, script]]\njob:\n  script: [!reference [.b, script], echo]\n'),
    ).toEqual([]);
  });
});

describe('needs: a 5,000-job chain', () => {
  const chain = (n: number, closed: boolean) =>
    Array.from({ length: n }, (_, i) => `j${i}:\n  script: [x]\n${closed || i + 1 < n ? `  needs: [j${(i + 1) % n}]\n` : ''}`).join('');
  it('an open chain is clean (no stack overflow)', async () => {
    expect(await lint(chain(5000, false))).toEqual([]);
  });
  it('a closed one is a cycle', async () => {
    const found = await lint(chain(5000, true));
    expect(found.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['3:10 semantic/needs-cycle']);
    expect(found[0]?.message).toMatch(/^The pipeline has circular dependencies: topological sort failed: \["j0", "j1", .*"j4999"\]$/);
  });
});

describe('code frames count lines as GitLab does (YAML 1.1: NEL, LS and PS break lines)', () => {
  it('a finding after a line with LS quotes the right line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-ls-'));
    try {
      writeFileSync(join(dir, '.gitlab-ci.yml'), 'a:\n  script: [x]\n  variables: {V: "x"}\u2028  scirpt: [y]\n');
      const result = cigen(['lint', join(dir, '.gitlab-ci.yml')]);
      expect(result.stdout).toMatch(/^ {2}> 4 \| {3}scirpt: \[y\]$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('13.17: an input value that reshapes the job under text interpolation', () => {
  const REF = `$CI_SERVER_FQDN/ci-components/cigen/buildah@${CATALOG_VERSION}`;
  const pipeline = (labels: string) => `include:\n  - component: ${REF}\n    inputs:\n      labels: ${labels}\n`;

  it('is an error at the input, naming it; plain values are not', async () => {
    const findings = await lintText(pipeline('["team=platform", "a=x\\u0085      extra: y"]'), {
      file: '.gitlab-ci.yml',
      host: catalogHost(),
    });
    expect(findings.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message.split(';')[0]}`)).toEqual([
      `4:15 error include/text-interpolation \`${REF}\`: under text interpolation (GitLab pastes input values into the YAML before parsing it) ` +
        "the value of `labels` changes the structure of the job (NEL in an array item, for one: YAML 1.1 reads it as a line break, and GitLab's JSON leaves it as it is)",
    ]);
    expect(await lintText(pipeline('["team=platform", "a=b c: d"]'), { file: '.gitlab-ci.yml', host: catalogHost() })).toEqual([]);
    // LS and PS GitLab writes as \u2028 and \u2029: the job keeps its shape.
    expect(
      await lintText(pipeline('["a=x\\u2028      extra: y", "b=x\\u2029      extra: y"]'), { file: '.gitlab-ci.yml', host: catalogHost() }),
    ).toEqual([]);
  });

  it('says so when the value makes the YAML invalid instead', async () => {
    const findings = await lintText(pipeline('["a=x\\u0085]]]"]'), { file: '.gitlab-ci.yml', host: catalogHost() });
    expect(findings.map((d) => d.message)).toEqual([expect.stringContaining('the value of `labels` makes the YAML invalid')]);
  });
});

describe('a component that reads $[[ component.* ]] is still read interpolated', () => {
  const component = (fields: string) =>
    `spec:\n  component: ${fields}\n  inputs:\n    allow_failure: {type: boolean, default: false}\n    n: {type: number, default: 2}\n---\n` +
    '$[[ component.name ]]-job:\n  image: registry.example.com/linter:$[[ component.version ]]\n  script: lint\n' +
    '  allow_failure: $[[ inputs.allow_failure ]]\n  parallel: $[[ inputs.n ]]\n';

  it('typed inputs keep their types beside component fields: no schema finding about them', async () => {
    expect(await briefs(component('[version, name]'), {}, 'templates/lint.yml')).toEqual([]);
    expect(await briefs(component('[version, name]'), {}, 'templates/lint/template.yml')).toEqual([]);
  });

  it('a field spec:component does not declare is still refused', async () => {
    expect((await briefs(component('[version]'), {}, 'templates/lint.yml'))[0]).toBe(
      'templates/lint.yml:7:1 error spec/component-field $[[ component.name ]] needs `name` listed in spec:component',
    );
  });
});

describe("an input's rules: what they read and what they allow", () => {
  const header = (fallback: string) =>
    'spec:\n  inputs:\n    env: {options: [dev, prod], default: dev}\n    size:\n      rules:\n' +
    '        - if: $[[ inputs.env ]] == "prod"\n          options: [large, xlarge]\n          default: large\n' +
    fallback +
    '---\njob:\n  script: echo $[[ inputs.size ]]\n';

  it('an input read only by another input\'s rules is used; one held to options by every rule takes no "a: b"', async () => {
    expect(await briefs(header('        - options: [small, medium]\n          default: small\n'), {}, 'templates/s.yml')).toEqual([]);
  });

  it('without a fallback rule, a value no rule matches is not held to options: the warning stays', async () => {
    expect(await codes(header(''), {}, 'templates/s.yml')).toEqual(['spec/text-interpolation']);
  });
});

describe('an include whose inputs GitLab refuses', () => {
  it('is one finding at the include: the file is read with its defaults, not the value GitLab never puts there', async () => {
    const template = 'spec:\n  inputs:\n    n: {type: number, default: 2}\n---\njob:\n  script: x\n  parallel: $[[ inputs.n ]]\n';
    const text = 'include:\n  - local: templates/s.yml\n    inputs: {n: "3"}\nmain: {script: x}\n';
    expect(await briefs(text, { 'templates/s.yml': template })).toEqual([
      '.gitlab-ci.yml:3:17 error include/inputs `templates/s.yml`: `n` input: provided value is not a number',
    ]);
  });
});

describe('a wildcard local include is each file it names (Repository#search_files_by_wildcard_path)', () => {
  it('* stays within a directory, ** crosses them; a leading slash is dropped; the rest is literal', () => {
    const matches = (location: string, path: string) => wildcardPathPattern(location).test(path);
    expect(matches('configs/*.yml', 'configs/a.yml')).toBe(true);
    expect(matches('configs/*.yml', 'configs/x/a.yml')).toBe(false);
    expect(matches('/configs/**.yml', 'configs/x/a.yml')).toBe(true);
    // `**/` is any directories or none.
    expect(matches('ci/**/*.yml', 'ci/a.yml')).toBe(true);
    expect(matches('ci/**/*.yml', 'ci/x/y/a.yml')).toBe(true);
    expect(matches('**/ci.yml', 'ci.yml')).toBe(true);
    expect(matches('**/ci.yml', 'lib/ci.yml')).toBe(true);
    expect(matches('ci/**/*.yml', 'cia.yml')).toBe(false);
    // A part named like an Object member is literal text too.
    expect(matches('constructor*.yml', 'constructor-a.yml')).toBe(true);
    expect(matches('toString/*.yml', 'toString/a.yml')).toBe(true);
    expect(matches('ci/(a)+b.yml', 'ci/(a)+b.yml')).toBe(true);
    expect(matches('ci/(a)+b.yml', 'ci/aab.yml')).toBe(false);
  });

  it('each named file is linted where it is, with the entry; none named is no include; the including file is left out', async () => {
    const files: Record<string, string> = {
      '.gitlab-ci.yml': "include:\n  - local: '*.yml'\n  - local: 'none/*.yml'\nmain: {script: x}\n",
      'a.yml': 'a:\n  scirpt: x\n',
      'ci/b.yml': 'b:\n  script: x\n',
    };
    const host = lintHost(
      (path) => {
        const text = files[path];
        return text === undefined ? undefined : { text, file: path };
      },
      () => Promise.resolve(Object.keys(files).sort()),
    );
    const found = await lintText(files['.gitlab-ci.yml'] as string, { file: '.gitlab-ci.yml', host });
    expect(found.map(brief)).toEqual([
      'a.yml:1:1 error semantic/no-script jobs a config should implement the script:, run:, or trigger: keyword',
      'a.yml:2:3 error schema/unknown-key jobs:a config contains unknown keys: scirpt (did you mean script?)',
    ]);
  });

  it("a string include's variables are expanded before its wildcard is matched; a `local:` include's after", async () => {
    const files: Record<string, string> = { 'ci/prod/a.yml': 'x:\n  script: y\n' };
    const host = lintHost(
      (path) => {
        const text = files[path];
        return text === undefined ? undefined : { text, file: path };
      },
      () => Promise.resolve(Object.keys(files).sort()),
    );
    const needsX = (include: string) => `include: ${include}\nmain: {script: x, needs: [x]}\n`;
    // GitLab includes ci/prod/a.yml when ENV is prod: cigen cannot know, and says x may be there.
    expect((await lintText(needsX("'ci/$ENV/*.yml'"), { file: '.gitlab-ci.yml', host })).map(brief)).toEqual([
      '.gitlab-ci.yml:2:27 warning semantic/undefined-need main job: undefined need: x (it may come from an include cigen cannot read)',
    ]);
    // Matched as written, `$ENV` and all: no file, so no x (Mapper::LocationExpander runs before the VariablesExpander).
    expect((await lintText(needsX("{local: 'ci/$ENV/*.yml'}"), { file: '.gitlab-ci.yml', host })).map(brief)).toEqual([
      '.gitlab-ci.yml:1:10 warning include/wildcard-variable `ci/$ENV/*.yml` names no file: GitLab matches a `local:` wildcard before it expands variables, so it includes nothing here (an include written as a string has its variables expanded first)',
      '.gitlab-ci.yml:2:27 error semantic/undefined-need main job: undefined need: x',
    ]);
    // One that names a file is read, and is no finding.
    expect(await lintText(needsX("{local: 'ci/*/a.yml'}"), { file: '.gitlab-ci.yml', host })).toEqual([]);
  });

  it('cigen lint in a git project: tracked and new files, not ignored ones', () => {
    const dir = scratch({
      '.gitlab-ci.yml': "include: '**.yml'\nmain: {script: x}\n",
      '.gitignore': 'vendor/\n',
      'ci/b.yml': 'b:\n  scirpt: x\n',
      'vendor/c.yml': 'c:\n  scirpt: x\n',
    });
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const result = cigen(['lint', '.gitlab-ci.yml'], dir);
    expect(result.stdout).toContain('ci/b.yml:2:3 error schema/unknown-key');
    expect(result.stdout).not.toContain('vendor/');
    expect(result.status).toBe(1);
  });
});

describe('text interpolation into a quoted scalar', () => {
  const component = (regex: string, site: string) =>
    `spec:\n  inputs:\n    name:\n      default: app\n${regex}---\njob:\n  script: ${site}\n`;

  it('is judged by what breaks out of those quotes: the quote, a backslash, a line break', async () => {
    // "a: b" reshapes a plain scalar, not a double-quoted one.
    const words = "      regex: '^[a-z: ]+$'\n";
    expect(await briefs(component(words, '"echo $[[ inputs.name ]]"'), {}, 'templates/c.yml')).toEqual([]);
    expect(await briefs(component(words, "'echo $[[ inputs.name ]]'"), {}, 'templates/c.yml')).toEqual([]);
    expect((await lint(component(words, 'echo $[[ inputs.name ]]'), {}, 'templates/c.yml')).map((d) => d.message)).toEqual([
      expect.stringContaining('accepts "a: b"'),
    ]);
    // Without a regex, the quote itself is named.
    expect((await lint(component('', '"echo $[[ inputs.name ]]"'), {}, 'templates/c.yml')).map((d) => d.message)).toEqual([
      expect.stringContaining('accepts "a\\"b"'),
    ]);
  });
});

describe('a multi-line value in a quoted scalar, and characters Psych refuses (GitLab reads YAML with Psych)', () => {
  const component = 'spec:\n  inputs:\n    x:\n      default: a\n---\njob:\n  stage: build\n  script:\n    - "echo $[[ inputs.x ]]"\n';
  const including = (value: string) => `stages: [build]\ninclude:\n  - local: h.yml\n    inputs:\n      x: ${value}\n`;
  const includeFindings = async (value: string) =>
    (await lint(including(value), { 'h.yml': component })).filter((d) => d.code.startsWith('include/')).map(brief);

  it('text interpolation: a line break pasted into quotes folds, as Psych folds it (no finding)', async () => {
    for (const value of ['"line1\\nline2"', '"a\\u2028b"', '"a\\u0085b"', '"a\\rb"', '"x\\n---y"'])
      expect(await includeFindings(value), value).toEqual([]);
  });

  it('text interpolation: a value Psych then refuses makes the YAML invalid', async () => {
    for (const value of ['"a\\x80b"', '"a\\u0000b"', '"a\\uffffb"', '"x\\n---\\ny"'])
      expect(await includeFindings(value), value).toEqual([
        expect.stringMatching(
          /^\.gitlab-ci\.yml:5:10 error include\/text-interpolation `h\.yml`: .* the value of `x` makes the YAML invalid/,
        ),
      ]);
  });

  it("a pipeline file's quoted scalar over lines at any indentation is read; a refused character is an error where it is", async () => {
    expect(await briefs('job:\n  stage: build\n  script:\n    - "echo a\nb"\n    - \'c\n\nd\'\n')).toEqual([]);
    expect(await briefs('job:\n  script: [echo]\n  variables:\n    A: x\u0080y\n')).toEqual([
      ".gitlab-ci.yml:4:9 error yaml/syntax control characters are not allowed (U+0080): GitLab's YAML reader refuses the whole file",
    ]);
  });

  it('a lone CR breaks the line, in the finding and in its code frame', () => {
    const dir = scratch({ '.gitlab-ci.yml': 'job:\n  script: x\ry\n' });
    const result = cigen(['lint', '.gitlab-ci.yml'], dir);
    expect(result.stdout).toContain('.gitlab-ci.yml:3:1 error yaml/syntax');
    expect(result.stdout).toContain('    2 |   script: x\n  > 3 | y\n');
  });
});

describe('needs and on_stop a job inherits through extends', () => {
  it('are shown where the base writes them, in its file, saying so', async () => {
    const base = '.deploy:\n  needs: [nope]\n  environment:\n    name: prod\n    on_stop: gone\n';
    const text = 'include:\n  - local: ci/base.yml\nship:\n  extends: .deploy\n  script: x\n';
    expect(await briefs(text, { 'ci/base.yml': base })).toEqual([
      'ci/base.yml:2:11 error semantic/undefined-need ship job: undefined need: nope (inherited from .deploy through extends)',
      'ci/base.yml:5:14 error semantic/on-stop ship job: on_stop job gone is not defined (inherited from .deploy through extends)',
    ]);
  });
});

describe('a key written as a mapping or a list (`? {include: 1}`)', () => {
  const mapping = (key: string) =>
    `key ${key} is a mapping: GitLab's YAML reader keeps it as a hash, and GitLab names no keyword, job or variable with a hash`;
  const list = (key: string) =>
    `key ${key} is a list: GitLab's YAML reader keeps it as an array, and GitLab names no keyword, job or variable with an array`;

  it('is an error at the key, in a job, at the top and through an alias; the yaml library prints nothing on stderr', () => {
    const dir = scratch({
      '.gitlab-ci.yml': 'job:\n  script: x\n? {include: 1}\n: x\n.a: &k [a, b]\nb:\n  script: x\n  variables:\n    ? *k\n    : x\n',
    });
    const result = cigen(['lint', '.gitlab-ci.yml', '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as Diagnostic[]).map(brief)).toEqual([
      `.gitlab-ci.yml:3:3 error yaml/collection-key ${mapping('{"include":1}')}`,
      `.gitlab-ci.yml:9:7 error yaml/collection-key ${list('["a","b"]')}`,
    ]);
    expect(result.status).toBe(1);
  });

  it('a document read with one is converted without the yaml library\'s warning ("Set mapAsMap: true")', () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const text = 'job:\n  script: x\n? {include: 1}\n: x\n';
      const [doc] = parseYamlDocuments(text).documents;
      expect([doc?.errors.map((e) => e.code), doc?.toJS()]).toEqual([['COLLECTION_KEY'], { job: { script: 'x' }, '{ include: 1 }': 'x' }]);
      expect(parseYamlDocument(text).toJS()).toEqual({ job: { script: 'x' }, '{ include: 1 }': 'x' });
      expect(warned).not.toHaveBeenCalled();
    } finally {
      warned.mockRestore();
    }
  });

  it('a flow collection written as a key, and a long one shortened', async () => {
    const long = `{${Array.from({ length: 12 }, (_, i) => `k${i}: ${i}`).join(', ')}}`;
    expect((await lintText(`job:\n  script: x\n[a, b]: x\n${long}: y\n`, { file: '.gitlab-ci.yml' })).map(brief)).toEqual([
      `.gitlab-ci.yml:3:1 error yaml/collection-key ${list('["a","b"]')}`,
      `.gitlab-ci.yml:4:1 error yaml/collection-key ${mapping('{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5…')}`,
    ]);
  });
});

describe('a file that starts with a byte order mark (saved by an editor on Windows)', () => {
  const TEXT = '\ufeffj: {script: x, stge: x}\nk:\n  script: x\n  imag: 1\n';

  it('names the columns of line 1 as an editor shows them: the mark is no column', async () => {
    expect(await briefs(TEXT)).toEqual([
      '.gitlab-ci.yml:1:16 error schema/unknown-key jobs:j config contains unknown keys: stge (did you mean stage?)',
      '.gitlab-ci.yml:4:3 error schema/unknown-key jobs:k config contains unknown keys: imag (did you mean image?)',
    ]);
    // A YAML error on line 1 too, where the same file without the mark has it.
    expect((await lint('\ufeffa: {b: [}\n')).map((d) => `${d.line}:${d.column}`)).toEqual(['1:9', '1:10']);
  });

  it('puts the caret of the code frame under the key, with the mark not shown', () => {
    const dir = scratch({ '.gitlab-ci.yml': TEXT });
    const text = cigen(['lint', '.gitlab-ci.yml'], dir);
    expect(text.stdout).toContain(
      [
        '.gitlab-ci.yml:1:16 error schema/unknown-key jobs:j config contains unknown keys: stge (did you mean stage?)',
        '  > 1 | j: {script: x, stge: x}',
        '      |                ^',
      ].join('\n'),
    );
    const json = JSON.parse(cigen(['lint', '--format', 'json', '.gitlab-ci.yml'], dir).stdout) as Diagnostic[];
    expect(json.map((d) => `${d.line}:${d.column}`)).toEqual(['1:16', '4:3']);
  });

  it('names the column of a YAML error on line 1 in cigen migrate as well', () => {
    const dir = scratch({ '.gitlab-ci.yml': '\ufeffa: {b: [}\n' });
    expect(cigen(['migrate', '.gitlab-ci.yml'], dir).stderr).toContain(
      '.gitlab-ci.yml:1:9: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });
});

describe('a tab before the place of a finding', () => {
  it('keeps the tab in the indent of the caret, so that a terminal puts the caret under the value', () => {
    const dir = scratch({ '.gitlab-ci.yml': 'j:\n  script: x\n  stage:\tnope\n' });
    expect(cigen(['lint', '.gitlab-ci.yml'], dir).stdout).toContain(['  > 3 |   stage:\tnope', '      |         \t^'].join('\n'));
  });
});

describe('a byte that is not UTF-8 in a file whose lines end with a lone CR (or NEL)', () => {
  it('is warned of at its line and column, as the YAML positions and the code frame count lines', () => {
    const dir = scratch({});
    writeFileSync(join(dir, '.gitlab-ci.yml'), Buffer.from('j:\r  script: x\r  variables: {A: "caf\xe9"}\r', 'latin1'));
    const out = cigen(['lint', '.gitlab-ci.yml'], dir).stdout;
    expect(out).toContain('.gitlab-ci.yml:3:22 warning yaml/encoding byte 0xE9 is not UTF-8');
    expect(out).toContain('  > 3 |   variables: {A: "caf\ufffd"}\n      |                      ^');
  });

  it('counts a NEL as a line break too, and a CRLF as one', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\r\nb:\u0085  c: "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    expect(() => decodeUtf8(bytes, 'x.yml')).toThrow(/^x\.yml:3:7: byte 0xE9 is not UTF-8/);
  });
});
