/**
 * Defects a new user hit with `cigen init` (and the splicer it shares with `cigen migrate`), each
 * reproduced here: a stage the pipeline does not declare, an invalid image reference, matrix
 * values YAML would read as something else, a byte-order mark, CRLF line endings, the exit
 * code when nothing is written, an empty or comment-only pipeline file, a document closed by `...`,
 * and what a review found: other components taken for builds, two builds of one image, matrix
 * values no image path holds, Dockerfile.dockerignore, nested .gitignore files, an include list
 * at the end of a file without a newline, and a --component-ref for another builder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { findDockerfiles, imagesOf, proposeBuilds } from '../../src/init/plan.js';
import { scaffold } from '../../src/init/scaffold.js';
import { MAX_READ_INCLUDES } from '../../src/ci/include-walk.js';
import { runnerHint } from '../../src/init/decide.js';
import { runnerStanding } from '../../src/runner/capabilities.js';
import { parseYamlStrict } from '../../src/ci/yaml.js';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile } from '../../src/migrate/index.js';
import { cigen } from '../helpers/cli.js';
import { catalogHost } from '../helpers/lint-host.js';

const REF = '$CI_SERVER_FQDN/ci-components/cigen/buildah@1';
/** YAML 1.1 as GitLab's Psych reads it (`on` is true, `n` is a string). */
const readAsGitLab = (text: string): unknown => parseYamlStrict(text)[0];
const ONE = proposeBuilds(findDockerfiles(['Dockerfile']));

async function lintFindings(text: string): Promise<string[]> {
  const diagnostics = await lintText(text, { file: '.gitlab-ci.yml', host: catalogHost() });
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-init-defects-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('init on a stages: list whose items are aliases', () => {
  it('a stage written as an alias of build counts as build: nothing added twice; one of .pre is passed as .pre is', async () => {
    const builds = proposeBuilds(findDockerfiles(['app/Dockerfile']));
    const aliased = 'variables:\n  STAGE: &b build\nstages: [*b, test]\njob:\n  stage: test\n  script: [make]\n';
    const result = scaffold('.gitlab-ci.yml', aliased, builds, REF);
    expect(result.text).toContain('stages: [*b, test]\n');
    expect(result.text).not.toContain('stages: [build, *b, test]');
    expect(await lintFindings(result.text)).toEqual([]);
    // The block form, and `.pre` through an alias: build goes after it, as after a `.pre` written out.
    const pre = '.names:\n  - &pre .pre\nstages:\n  - *pre\n  - test\njob:\n  stage: test\n  script: [make]\n';
    expect(scaffold('.gitlab-ci.yml', pre, builds, REF).text).toContain('stages:\n  - *pre\n  - build\n  - test\n');
  });
});

describe('init on an empty or comment-only pipeline file (valid YAML with no content)', () => {
  it('an empty file is written as a new one', async () => {
    for (const current of ['', '\n\n']) {
      const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
      expect(result.text).toBe(scaffold('.gitlab-ci.yml', undefined, ONE, REF).text);
      expect(await lintFindings(result.text)).toEqual([]);
    }
  });

  it('a comment-only file keeps its comments, the include spliced in', async () => {
    const current = '# the pipeline, to be written\n';
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result.changed).toBe(true);
    expect(result.text).toContain(current);
    expect(result.text).toMatch(/^include:\n {2}- component: /m);
    expect(await lintFindings(result.text)).toEqual([]);
  });

  it('migrate finds nothing to migrate in it', () => {
    expect(migrateFile('.gitlab-ci.yml', '# only a comment\n')).toMatchObject([{ changed: false, jobs: [], warnings: [] }]);
    expect(migrateFile('.gitlab-ci.yml', '')).toMatchObject([{ changed: false, jobs: [] }]);
  });

  it('the CLI writes into it (it said "invalid YAML")', () => {
    const dir = project({ '.gitlab-ci.yml': '# only a comment\n', Dockerfile: 'FROM scratch\n' });
    const result = cigen(['init', dir, '--builder', 'kaniko', '--yes']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('component: $CI_SERVER_FQDN/ci-components/cigen/kaniko@1');
  });
});

describe('init on a pipeline whose stages: lacks build', () => {
  it.each([
    ['a flow list', 'stages: [test, deploy]\n\ntest:\n  stage: test\n  script: [make test]\n'],
    ['a block list', 'stages:\n  - test\n  - deploy\n\ntest:\n  stage: test\n  script: [make test]\n'],
    ['a block list after .pre', 'stages:\n  - .pre\n  - test\n\ntest:\n  stage: test\n  script: [make test]\n'],
  ])('%s: build is added to stages:, byte for byte otherwise, and the result lints clean', async (_name, current) => {
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    const stages = (parse(result.text) as { stages: string[] }).stages;
    expect(stages).toContain('build');
    expect(stages.indexOf('build')).toBeLessThan(stages.indexOf('test'));
    expect(await lintFindings(result.text)).toEqual([]);
    for (const line of current.split('\n').filter((l) => !l.startsWith('stages: ['))) expect(result.text).toContain(line);
  });

  it('a pipeline whose stages: already has build is left as it was there', () => {
    const current = 'stages: [build, test]\n\ntest:\n  stage: test\n  script: [make test]\n';
    expect(scaffold('.gitlab-ci.yml', current, ONE, REF).text).toContain('stages: [build, test]\n');
  });

  it.each([
    ['a flow list', '.s: &s [test]\nstages: *s\n', '.s: &s [build, test]\nstages: *s\n'],
    ['a block list', '.s: &s\n  - .pre\n  - test\nstages: *s\n', '.s: &s\n  - .pre\n  - build\n  - test\nstages: *s\n'],
  ])('stages: an alias of %s: build is added to the anchored list (it stayed in no stage GitLab has)', async (_name, stages, want) => {
    const current = `${stages}unit:\n  stage: test\n  script: [make test]\n`;
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result.text).toContain(want);
    expect(result.stages).toEqual({ kind: 'anchor', anchor: 's' });
    expect((readAsGitLab(result.text) as { stages: string[] }).stages).toContain('build');
    expect(await lintFindings(result.text)).toEqual([]);
  });

  it('an anchored list other keys alias too is left as it was, with a warning', () => {
    const current = '.s: &s [test]\nstages: *s\n.other: {list: *s}\nunit:\n  stage: test\n  script: [make test]\n';
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result.text).toContain('.s: &s [test]\n');
    expect(result.stages).toMatchObject({ kind: 'missing' });
    // A !reference is not followed, and build is not written into its path.
    const reference = '.base:\n  stages: [test]\nstages: !reference [.base, stages]\nunit:\n  stage: test\n  script: [make test]\n';
    const referenced = scaffold('.gitlab-ci.yml', reference, ONE, REF);
    expect(referenced.text).toContain('stages: !reference [.base, stages]\n');
    expect(referenced.stages).toMatchObject({ kind: 'unchecked' });
  });

  it("stages: from a local include (the last that has one; a file's own over its includes'): the file gets a stages: of its own", () => {
    const files: Record<string, string> = {
      'ci/a.yml': 'include: ci/nested.yml\nstages: [.pre, test, deploy]\n',
      'ci/nested.yml': 'stages: [nested]\n',
      'ci/b.yml': 'include: ci/nested.yml\n',
      'ci/jobs.yml': 'unit:\n  stage: test\n  script: [make test]\n',
    };
    const current =
      '# the pipeline\ninclude:\n  - local: ci/a.yml\n  - local: ci/jobs.yml\n\nlint:\n  stage: test\n  script: [make lint]\n';
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(result.stages).toEqual({ kind: 'written', from: 'ci/a.yml', stages: ['.pre', 'build', 'test', 'deploy'] });
    expect(result.text).toContain(
      '\n\n# The stages of ci/a.yml, with build for the image builds (cigen init): GitLab reads this list instead.\n' +
        'stages: [.pre, build, test, deploy]\n\nlint:\n',
    );
    expect(result.text.startsWith('# the pipeline\ninclude:\n  - local: ci/a.yml\n')).toBe(true);
    // A later include with stages of its own (through its own include) is the one GitLab reads.
    const later = current.replace('  - local: ci/jobs.yml\n', '  - local: ci/b.yml\n');
    const second = scaffold('.gitlab-ci.yml', later, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(second.stages).toEqual({ kind: 'written', from: 'ci/nested.yml', stages: ['build', 'nested'] });
    // An include whose list has build: nothing written.
    files['ci/a.yml'] = 'stages: [build, test]\n';
    const fine = scaffold('.gitlab-ci.yml', current, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(fine.stages).toBeUndefined();
    expect(fine.text).not.toContain('stages:');
  });

  // As GitLab merges includes (External::Processor): each over the ones before it, the file's own keys over them all.
  const stagesFrom = (current: string, files: Record<string, string>, component = REF) =>
    scaffold(
      '.gitlab-ci.yml',
      current,
      ONE,
      component,
      '$CI_REGISTRY_IMAGE',
      (path) => files[path],
      () => Object.keys(files).sort(),
    );
  const JOB = 'unit:\n  stage: test\n  script: [make test]\n';

  it('stages: from a wildcard local include: the last file it names that has one, as GitLab expands it', () => {
    const files = { 'ci/a.yml': 'stages: [test]\n', 'ci/b.yml': 'stages: [lint, test]\n', 'ci/c.yml': JOB, 'other.yml': 'stages: [x]\n' };
    const result = stagesFrom(`include:\n  - local: 'ci/*.yml'\n${JOB}`, files);
    expect(result.stages).toEqual({ kind: 'written', from: 'ci/b.yml', stages: ['build', 'lint', 'test'] });
    expect(readAsGitLab(result.text)).toMatchObject({ stages: ['build', 'lint', 'test'] });
    // A job a file it names defines is one of the pipeline's too.
    const named = stagesFrom("include: '/ci/*.yml'\n", { ...files, 'ci/c.yml': 'build-image:\n  script: [make]\n' });
    expect(named.renamed).toEqual([['build-image', 'build-image-2']]);
  });

  it('a file included twice counts where GitLab reads it last', () => {
    const files = { 'a.yml': 'stages: [test]\n', 'b.yml': 'stages: [build, test]\n' };
    const result = stagesFrom(`include: [a.yml, b.yml, a.yml]\n${JOB}`, files);
    expect(result.stages).toEqual({ kind: 'written', from: 'a.yml', stages: ['build', 'test'] });
  });

  it.each([
    ['a template', 'template: Auto-DevOps.gitlab-ci.yml', 'template: Auto-DevOps.gitlab-ci.yml'],
    ["another project's file", '{project: group/ci, file: stages.yml}', 'project: group/ci'],
    ['a remote file', "'https://example.com/ci/stages.yml'", 'remote: https://example.com/ci/stages.yml'],
    [
      "another catalog's component",
      'component: gitlab.example.com/components/deploy/deploy@1',
      'component: gitlab.example.com/components/deploy/deploy@1',
    ],
    ['a local file that is not there', 'missing.yml', 'local: missing.yml'],
    ['a local file that is not YAML', 'broken.yml', 'local: broken.yml'],
    ['a variable', "'$CI_DIR/stages.yml'", 'local: $CI_DIR/stages.yml'],
    ['an included stages: !reference', 'ref.yml', "ref.yml's `stages: !reference`"],
    ['an include of an included file', 'nested.yml', 'template: Jobs/SAST.gitlab-ci.yml'],
  ])('stages: that may come from %s, which init cannot read: a warning naming it, nothing written', (_name, include, named) => {
    const files = {
      'a.yml': 'stages: [build, test]\n',
      'broken.yml': 'a: [\n',
      'ref.yml': '.s: {stages: [test]}\nstages: !reference [.s, stages]\n',
      'nested.yml': 'include: [{template: Jobs/SAST.gitlab-ci.yml}]\n',
    };
    const current = `include:\n  - a.yml\n  - ${include}\n${JOB}`;
    const result = stagesFrom(current, files);
    expect(result.stages).toEqual({
      kind: 'unchecked',
      why: `\`stages:\` may come from ${named}, which init cannot read`,
      includes: [named],
    });
    expect(result.text).not.toMatch(/^stages:/m);
    // A later include that declares stages: decides: GitLab reads its list over the earlier ones.
    const decided = stagesFrom(`include:\n  - ${include}\n  - a.yml\n${JOB}`, files);
    expect(decided.stages).toBeUndefined();
    const lacking = stagesFrom(`include:\n  - ${include}\n  - a.yml\n${JOB}`, { ...files, 'a.yml': 'stages: [test]\n' });
    expect(lacking.stages).toEqual({ kind: 'written', from: 'a.yml', stages: ['build', 'test'] });
    // So does the file's own stages:, which GitLab reads over every include's.
    const own = stagesFrom(`include:\n  - ${include}\nstages: [test]\n${JOB}`, files);
    expect(own.stages).toBeUndefined();
    expect(readAsGitLab(own.text)).toMatchObject({ stages: ['build', 'test'] });
  });

  it('names every include that may decide, and none that an include declaring stages: after it overrides', () => {
    const current =
      'include:\n  - template: A.gitlab-ci.yml\n  - a.yml\n  - template: B.gitlab-ci.yml\n  - remote: https://x.example/c.yml\n' + JOB;
    expect(stagesFrom(current, { 'a.yml': 'stages: [build]\n' }).stages).toMatchObject({
      kind: 'unchecked',
      includes: ['template: B.gitlab-ci.yml', 'remote: https://x.example/c.yml'],
    });
  });

  it(`an include past the ${MAX_READ_INCLUDES} included files init reads is one it cannot read`, () => {
    const files: Record<string, string> = { 'deep.yml': 'stages: [test]\n', 'f1.yml': 'include: deep.yml\n' };
    for (let i = 2; i <= MAX_READ_INCLUDES; i++) files[`f${i}.yml`] = JOB;
    const current = `include:\n${Object.keys(files)
      .filter((f) => f !== 'deep.yml')
      .map((f) => `  - ${f}\n`)
      .join('')}`;
    expect(stagesFrom(current, files).stages).toMatchObject({ kind: 'unchecked', includes: ['local: deep.yml'] });
  });

  // migrate warns of the files whose includes its cap left unread; init, reading the same walk, said nothing.
  it(`warns, as migrate does, of the files whose includes the ${MAX_READ_INCLUDES} included files it reads left unread`, () => {
    const files: Record<string, string> = { 'f1.yml': 'include: deep.yml\n' };
    for (let i = 2; i <= MAX_READ_INCLUDES; i++) files[`f${i}.yml`] = JOB;
    const current = `stages: [build, test]\ninclude:\n${Object.keys(files)
      .map((f) => `  - ${f}\n`)
      .join('')}`;
    const capped: Record<string, string> = { ...files, 'deep.yml': JOB };
    expect(scaffold('.gitlab-ci.yml', current, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => capped[path]).capped).toEqual([
      { path: 'f1.yml' },
    ]);
    const dir = project({ '.gitlab-ci.yml': current, ...capped, Dockerfile: 'FROM scratch\n' });
    const shown = join(dir, '.gitlab-ci.yml');
    const message = (where: string, file: string) =>
      `${where}: the includes of ${file} were not read (cigen reads at most ${MAX_READ_INCLUDES} included files); ` +
      'their jobs were not checked\n';
    // init names the files under the directory given, as its other warnings do (it named f1.yml from the project root).
    expect(cigen(['init', dir, '--builder', 'buildah']).stderr).toContain(`cigen init: warning: ${message(shown, join(dir, 'f1.yml'))}`);
    expect(cigen(['migrate', '.gitlab-ci.yml'], { cwd: dir }).stdout).toContain(`  warning: ${message('.gitlab-ci.yml', 'f1.yml')}`);
    // Every include read: no such warning.
    const read: Record<string, string> = { ...files, 'f1.yml': JOB };
    expect(scaffold('.gitlab-ci.yml', current, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => read[path]).capped).toEqual([]);
    const all = project({ '.gitlab-ci.yml': current, ...read, Dockerfile: 'FROM scratch\n' });
    expect(cigen(['init', all, '--builder', 'buildah']).stderr).not.toContain('included files');
  });

  it("a component of the catalog init includes from declares no stages: (no template of cigen's has one)", () => {
    const current = `include:\n  - a.yml\n  - component: $CI_SERVER_FQDN/ci-components/cigen/doctor@1\n${JOB}`;
    expect(stagesFrom(current, { 'a.yml': 'stages: [build, test]\n' }).stages).toBeUndefined();
    expect(stagesFrom(current, { 'a.yml': 'stages: [build, test]\n' }, 'gitlab.example.com/ci/cigen/buildah@1').stages).toMatchObject({
      kind: 'unchecked',
      includes: ['component: $CI_SERVER_FQDN/ci-components/cigen/doctor@1'],
    });
    const templates = join(import.meta.dirname, '../../templates');
    for (const name of readdirSync(templates)) {
      const [, content] = parseAllDocuments(readFileSync(join(templates, name), 'utf8'));
      expect([name, content?.has('stages')]).toEqual([name, false]);
    }
  });

  it('cigen init says what it did about the stages, and the result lints clean with its include', () => {
    const dir = project({
      '.gitlab-ci.yml': 'include:\n  - local: ci-stages.yml\n\nunit:\n  stage: test\n  script: [make]\n',
      'ci-stages.yml': 'stages: [test]\n',
      Dockerfile: 'FROM scratch\n',
    });
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `  stages: comes from ci-stages.yml, which lacks build: ${join(dir, '.gitlab-ci.yml')} now declares stages: [build, test], ` +
        "which GitLab reads instead (keep it in step with ci-stages.yml's)\n",
    );
    expect(cigen(['lint', join(dir, '.gitlab-ci.yml')]).status).toBe(0);
    writeFileSync(join(dir, '.gitlab-ci.yml'), '.s: &s [test]\nstages: *s\nunit:\n  stage: test\n  script: [make]\n');
    const alias = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(alias.stdout).toContain('  stages: reads the list anchored &s, which lacked build: build is added to that list\n');
    expect(cigen(['lint', join(dir, '.gitlab-ci.yml')]).status).toBe(0);
  });
});

describe('cigen init on stages: from includes it reads as GitLab does, or cannot read', () => {
  it('a wildcard local include is read from the project: the pipeline it writes declares build (GitLab refused it)', () => {
    const dir = project({
      '.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\nx:\n  stage: test\n  script: [echo]\n",
      Dockerfile: 'FROM busybox\n',
    });
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'a.yml'), 'stages: [test]\n');
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      `  stages: comes from ci/a.yml, which lacks build: ${join(dir, '.gitlab-ci.yml')} now declares stages: [build, test], ` +
        "which GitLab reads instead (keep it in step with ci/a.yml's)\n",
    );
    expect(readAsGitLab(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'))).toMatchObject({ stages: ['build', 'test'] });
    expect(cigen(['lint', join(dir, '.gitlab-ci.yml')]).status).toBe(0);
  });

  it('warns, naming the include it cannot read, and what to do; a stages: !reference as before', () => {
    const file = (include: string) => `include:\n  - ${include}\nx:\n  stage: test\n  script: [echo]\n`;
    const dir = project({ '.gitlab-ci.yml': file('template: Auto-DevOps.gitlab-ci.yml'), Dockerfile: 'FROM busybox\n' });
    const shown = join(dir, '.gitlab-ci.yml');
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      'cigen init: warning: `stages:` may come from template: Auto-DevOps.gitlab-ci.yml, which init cannot read: ' +
        `if those stages lack build, the builds' stage, declare stages: in ${shown}, theirs with build ` +
        "(GitLab reads the file's own instead of its includes'), or GitLab refuses the pipeline\n",
    );
    writeFileSync(shown, '.base:\n  stages: [test]\nstages: !reference [.base, stages]\nx:\n  stage: test\n  script: [echo]\n');
    expect(cigen(['init', dir, '--builder', 'buildah', '--yes']).stderr).toBe(
      'cigen init: warning: `stages:` is a `!reference`, which init does not follow: ' +
        "if the stages it names lack build, the builds' stage, add it, or GitLab refuses the pipeline\n",
    );
  });
});

describe('init --component-ref', () => {
  it('a value that is no component ref is refused first (exit 2), before the scan, the output and the questions', () => {
    // No Dockerfile and no builder: either used to be what init said, the ref refused only after both.
    const dir = project({ 'README.md': 'nothing to build\n' });
    const result = cigen(['init', dir, '--component-ref', 'not-a-ref']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--component-ref not-a-ref: expected <server>/<catalog path>@<version>');
    expect(result.stdout).toBe('');
    // One that names another builder is refused once the builder is chosen, as before.
    const other = project({ Dockerfile: 'FROM scratch\n' });
    const named = cigen(['init', other, '--builder', 'buildah', '--component-ref', 'gitlab.example.com/ci/cigen/kaniko@1']);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain('is the kaniko component, but the builder is buildah');
  });
});

describe('init --image', () => {
  it('refuses an image reference that is not a repository (uppercase, a tag): exit 2, nothing written', () => {
    for (const image of ['UPPER/Case:tag', 'registry.example.com/app:1.0', 'Registry/app']) {
      const dir = project({ Dockerfile: 'FROM alpine\n' });
      const result = cigen(['init', dir, '--yes', '--builder', 'buildah', '--image', image]);
      expect(result.status, image).toBe(2);
      expect(result.stderr).toContain(`--image ${image}:`);
      expect(() => readFileSync(join(dir, '.gitlab-ci.yml'))).toThrow();
    }
  });

  it('render and lint refuse the same value through the input regex', async () => {
    const render = cigen(['render', 'buildah', '-i', 'image=UPPER/Case:tag']);
    expect(render.status).toBe(1);
    expect(render.stderr).toContain('`image` input: provided value does not match required RegEx pattern');
    const pipeline = `include:\n  - component: ${REF}\n    inputs:\n      image: UPPER/Case:tag\n`;
    expect((await lintFindings(pipeline)).join('\n')).toContain('`image` input: provided value does not match required RegEx pattern');
  });
});

describe('init quotes every value YAML would read as something else', () => {
  it.each(['1.10', 'no', 'on', '0x1f', '1_000', '012', '1e3', 'null', 'y', 'true'])(
    'a matrix directory named %j stays that string',
    async (name) => {
      const builds = proposeBuilds(findDockerfiles([`svc/${name}/Dockerfile`, 'svc/other/Dockerfile']));
      const result = scaffold('.gitlab-ci.yml', undefined, builds, REF);
      const job = (readAsGitLab(result.text) as Record<string, { parallel: { matrix: Record<string, unknown[]>[] } }>)['build-svc'];
      expect(job?.parallel.matrix[0]?.['IMAGE_DIR']).toEqual([name, 'other'].sort());
      expect((await lintFindings(result.text)).filter((f) => f.includes(' error '))).toEqual([]);
    },
  );

  it.each(['a,b', '#x', '*x', '0x1F', '~', '[x]', 'x: y', "it's", '"q"'])(
    'a directory named %j, which no image path can hold, is a build of its own with a valid image',
    async (name) => {
      const builds = proposeBuilds(findDockerfiles([`svc/${name}/Dockerfile`, 'svc/other/Dockerfile']));
      expect(builds.filter((b) => b.matrix)).toEqual([]);
      for (const build of builds) expect(build.image).toMatch(/^\$CI_REGISTRY_IMAGE\/[a-z0-9]+(?:-[a-z0-9]+)*$/);
      const result = scaffold('.gitlab-ci.yml', undefined, builds, REF);
      expect((await lintFindings(result.text)).filter((f) => f.includes(' error '))).toEqual([]);
    },
  );

  it('any directory name: the matrix value read back as GitLab reads it (YAML 1.1, Psych) is the name', () => {
    const pathSegment = (s: string) => !/[/\\\0\n\r\u0085\u2028\u2029]/.test(s) && s !== '.' && s !== '..';
    const segment = fc.string({ minLength: 1, maxLength: 12 }).filter(pathSegment);
    fc.assert(
      fc.property(segment, (name) => {
        const builds = proposeBuilds(findDockerfiles([`svc/${name}/Dockerfile`, 'svc/zz-other/Dockerfile']));
        const matrix = builds.find((b) => b.matrix);
        if (!matrix) return;
        const text = scaffold('.gitlab-ci.yml', undefined, builds, REF).text;
        const job = (readAsGitLab(text) as Record<string, { parallel: { matrix: Record<string, unknown[]>[] } }>)[matrix.jobName];
        expect(job?.parallel.matrix[0]?.['IMAGE_DIR']).toEqual(matrix.matrix?.values);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a byte-order mark and CRLF line endings', () => {
  const KANIKO = [
    'build:',
    '  image: gcr.io/kaniko-project/executor:debug',
    '  script:',
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA',
    '',
  ];

  it('migrate inserts the include after the mark, and keeps CRLF', async () => {
    const text = `\ufeff${KANIKO.join('\r\n')}`;
    const [file] = migrateFile('.gitlab-ci.yml', text);
    expect(file?.changed).toBe(true);
    expect(file?.result.startsWith('\ufeffinclude:')).toBe(true);
    expect(file?.result.replace(/\r\n/g, '')).not.toContain('\n');
    expect(await lintFindings(file?.result ?? '')).toEqual([]);
  });

  it('init does the same', () => {
    const current = '\ufeffstages: [build, test]\r\n\r\ntest:\r\n  stage: test\r\n  script: [make test]\r\n';
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result.text.startsWith('\ufeffinclude:\r\n')).toBe(true);
    expect(result.text.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('init off a terminal without --yes', () => {
  it('shows the diff, says nothing was written, and exits 1', () => {
    const dir = project({ Dockerfile: 'FROM alpine\n' });
    const result = cigen(['init', dir, '--builder', 'buildah']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('+include:');
    expect(result.stderr).toContain('nothing written');
    expect(() => readFileSync(join(dir, '.gitlab-ci.yml'))).toThrow();
  });
});

describe('a pipeline file whose document ends with `...`', () => {
  const MATRIX = proposeBuilds(findDockerfiles(['svc/a/Dockerfile', 'svc/b/Dockerfile']));
  it.each([
    ['only the marker', '...\n', ONE],
    ['an empty document', '---\n...\n', ONE],
    ['a comment and an empty document', '# ci\n---\n...\n', ONE],
    ['jobs, the marker and a comment after it', 'test:\n  script: [x]\n... # end\n# last\n', MATRIX],
  ])('%s: what init adds stays in that document, which lints clean', async (_case, current, builds) => {
    const { text } = scaffold('.gitlab-ci.yml', current, builds, REF);
    expect(parseYamlStrict(text)).toHaveLength(1);
    expect(Object.keys(readAsGitLab(text) as object)).toEqual(
      expect.arrayContaining(['include', ...builds.filter((b) => b.matrix).map((b) => b.jobName)]),
    );
    expect(text).toMatch(/^\.\.\.(?: # end)?\n(?:# last\n)?$/m);
    expect((await lintFindings(text)).filter((f) => f.includes(' error '))).toEqual([]);
  });

  it('a marker that closes an earlier document leaves the last one to take the additions at its end', () => {
    const current = 'spec:\n  inputs: {}\n...\ntest:\n  script: [x]\n';
    const { text } = scaffold('.gitlab-ci.yml', current, MATRIX, REF);
    expect(text.startsWith('spec:\n  inputs: {}\n...\n')).toBe(true);
    expect(Object.keys(parseYamlStrict(text).at(-1) as object)).toEqual(['include', 'test', 'build-svc']);
  });
});

describe('what init proposes, as a review found it', () => {
  it('a component include that builds nothing (SAST, the doctor) is not taken for a build of ./Dockerfile', () => {
    const current =
      'include:\n  - component: gitlab.example.com/components/sast/sast@2.0.0\n  - component: $CI_SERVER_FQDN/ci-components/cigen/doctor@1\n';
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result).toMatchObject({ changed: true, present: [] });
    expect(result.added.map((b) => b.jobName)).toEqual(['build-image']);
    // A cigen build component with defaults is that build.
    const built = `include:\n  - component: gitlab.example.com/platform/cigen/kaniko@1.2.0\n`;
    expect(scaffold('.gitlab-ci.yml', built, ONE, REF)).toMatchObject({ changed: false, present: ['build-image'] });
  });

  it('no two builds push one image, and none is renamed for a clash among its own', () => {
    const images = (paths: string[]) =>
      proposeBuilds(findDockerfiles(paths)).flatMap((b) =>
        b.matrix ? b.matrix.values.map((v) => `${b.jobName} ${b.image.replace('$IMAGE_DIR', v)}`) : [`${b.jobName} ${b.image}`],
      );
    expect(images(['Dockerfile.prod', 'prod/Dockerfile'])).toEqual([
      'build-prod $CI_REGISTRY_IMAGE/prod',
      'build-prod-2 $CI_REGISTRY_IMAGE/prod-2',
    ]);
    expect(
      images([
        'frontend/services/api/Dockerfile',
        'frontend/services/web/Dockerfile',
        'backend/services/api/Dockerfile',
        'backend/services/db/Dockerfile',
      ]),
    ).toEqual([
      'build-frontend-services $CI_REGISTRY_IMAGE/frontend-services/api',
      'build-frontend-services $CI_REGISTRY_IMAGE/frontend-services/web',
      'build-services $CI_REGISTRY_IMAGE/api',
      'build-services $CI_REGISTRY_IMAGE/db',
    ]);
    const result = scaffold(
      '.gitlab-ci.yml',
      'test:\n  script: [x]\n',
      proposeBuilds(findDockerfiles(['Dockerfile.prod', 'prod/Dockerfile'])),
      REF,
    );
    expect(result.renamed).toEqual([]);
  });

  it('a clash of job names alone renames the job, not the image no other build pushes', () => {
    const named = (paths: string[]) => proposeBuilds(findDockerfiles(paths)).map((b) => [b.jobName, b.image, b.context]);
    expect(named(['Dockerfile', 'image/Dockerfile'])).toEqual([
      ['build-image', '$CI_REGISTRY_IMAGE', '.'],
      ['build-image-2', '$CI_REGISTRY_IMAGE/image', 'image'],
    ]);
    // Two matrices named build-services over different directories: the later's job is named by its parent path, its images kept.
    expect(
      named(['a/services/api/Dockerfile', 'a/services/web/Dockerfile', 'b/services/db/Dockerfile', 'b/services/cache/Dockerfile']),
    ).toEqual([
      ['build-b-services', '$CI_REGISTRY_IMAGE/$IMAGE_DIR', 'b/services/$IMAGE_DIR'],
      ['build-services', '$CI_REGISTRY_IMAGE/$IMAGE_DIR', 'a/services/$IMAGE_DIR'],
    ]);
    // An image two builds would push still takes the number.
    expect(named(['Dockerfile.prod', 'prod/Dockerfile'])).toEqual([
      ['build-prod', '$CI_REGISTRY_IMAGE/prod', '.'],
      ['build-prod-2', '$CI_REGISTRY_IMAGE/prod-2', 'prod'],
    ]);
  });

  it('a matrix over directories an image path cannot hold becomes builds of their own, named by slugs', () => {
    const builds = proposeBuilds(
      findDockerfiles(['services/Api/Dockerfile', 'services/worker/Dockerfile', '.devcontainer/Dockerfile', 'app/Dockerfile']),
    );
    expect(builds.filter((b) => b.matrix)).toEqual([]);
    expect(builds.map((b) => b.image).sort()).toEqual([
      '$CI_REGISTRY_IMAGE/app',
      '$CI_REGISTRY_IMAGE/devcontainer',
      '$CI_REGISTRY_IMAGE/services-api',
      '$CI_REGISTRY_IMAGE/services-worker',
    ]);
  });

  it("BuildKit's Dockerfile.dockerignore is not a Dockerfile; a nested .gitignore counts for its directory", () => {
    expect(findDockerfiles(['Dockerfile', 'Dockerfile.dockerignore', 'api.Dockerfile.dockerignore']).map((d) => d.path)).toEqual([
      'Dockerfile',
    ]);
    const files = ['services/legacy/Dockerfile', 'services/api/Dockerfile', 'legacy/Dockerfile'];
    expect(findDockerfiles(files, { '.': '', services: 'legacy/\n' }).map((d) => d.path)).toEqual([
      'legacy/Dockerfile',
      'services/api/Dockerfile',
    ]);
    // The nearer file decides, its negation too, as in git.
    const variants = ['Dockerfile', 'Dockerfile.ci', 'svc/Dockerfile.dev', 'svc/Dockerfile.ci'];
    expect(findDockerfiles(variants, { '.': 'Dockerfile.*\n', svc: '!Dockerfile.dev\n' }).map((d) => d.path)).toEqual([
      'Dockerfile',
      'svc/Dockerfile.dev',
    ]);
  });

  it('an include list that ends the file without a newline gets the entry on a line of its own', () => {
    const current = 'job:\n  script: echo\ninclude:\n  - local: a.yml';
    const { text } = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(text.startsWith(`${current}\n  - component: ${REF}\n`)).toBe(true);
    expect(readAsGitLab(text)).toMatchObject({ include: [{ local: 'a.yml' }, { component: REF }] });
    const staged = scaffold('.gitlab-ci.yml', 'stages:\n  - test', ONE, REF).text;
    expect(readAsGitLab(staged)).toMatchObject({ stages: ['build', 'test'] });
  });

  it('init, its whole way: a nested .gitignore, and a --component-ref for another builder refused', () => {
    const dir = project({ Dockerfile: 'FROM scratch\n' });
    for (const sub of ['services/api', 'services/legacy']) {
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, sub, 'Dockerfile'), 'FROM scratch\n');
    }
    writeFileSync(join(dir, 'services/.gitignore'), 'legacy/\n');
    const listed = cigen(['init', dir, '--builder', 'buildah']);
    expect(listed.stdout).toContain('Found 2 image(s): Dockerfile, services/api/Dockerfile\n');
    const full = cigen(['init', dir, '--builder', 'buildah', '--yes', '--component-ref', 'gitlab.example.com/platform/cigen/kaniko@1.2.0']);
    expect(full).toMatchObject({ status: 2 });
    expect(full.stderr).toContain(
      '--component-ref gitlab.example.com/platform/cigen/kaniko@1.2.0 is the kaniko component, but the builder is buildah',
    );
    const native = cigen([
      'init',
      dir,
      '--builder',
      'buildah',
      '--yes',
      '--component-ref',
      'gitlab.example.com/p/cigen/buildah-native@1.0.0',
    ]);
    expect(native).toMatchObject({ status: 2 });
    expect(native.stderr).toContain(
      'is the buildah-native component, but the builder is buildah: pass the catalog path@version (init adds the builder)',
    );
    expect(() => readFileSync(join(dir, '.gitlab-ci.yml'))).toThrow();
  });
});

describe('init, as a second review found it', () => {
  /** The context a build runs in: its input expanded the way the component (and GitLab) does it. */
  const expandAsComponent = (value: string, variables: Record<string, string>): string =>
    value.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (all, braced?: string, bare?: string) =>
      all === '$$' ? '$' : (variables[(braced ?? bare) as string] ?? ''),
    );

  it('a `$` in a directory name is written `$$`, so the component builds that directory; a matrix keeps its variable', () => {
    const single = scaffold('.gitlab-ci.yml', undefined, proposeBuilds(findDockerfiles(['d$x/Dockerfile'])), REF);
    const [entry] = (readAsGitLab(single.text) as { include: { inputs: { context: string } }[] }).include;
    expect(expandAsComponent(entry?.inputs.context ?? '', { x: 'oops' })).toBe('d$x');
    const matrix = scaffold('.gitlab-ci.yml', undefined, proposeBuilds(findDockerfiles(['a$b/api/Dockerfile', 'a$b/web/Dockerfile'])), REF);
    const read = readAsGitLab(matrix.text) as { include: { inputs: { context: string } }[] };
    expect(read.include[0]?.inputs.context).toBe('a$$b/$IMAGE_DIR');
    expect(expandAsComponent(read.include[0]?.inputs.context ?? '', { IMAGE_DIR: 'api', b: 'oops' })).toBe('a$b/api');
    // A second run finds the build it wrote.
    expect(scaffold('.gitlab-ci.yml', single.text, proposeBuilds(findDockerfiles(['d$x/Dockerfile'])), REF).changed).toBe(false);
  });

  it('a new sibling directory joins the existing matrix, which was said to build every image', () => {
    const first = scaffold(
      '.gitlab-ci.yml',
      undefined,
      proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/worker/Dockerfile'])),
      REF,
    );
    const builds = proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/billing/Dockerfile', 'services/worker/Dockerfile']));
    const second = scaffold('.gitlab-ci.yml', first.text, builds, REF);
    expect(second).toMatchObject({ changed: true, added: [], extended: [{ jobName: 'build-services', values: ['billing'] }] });
    expect(second.text).toBe(first.text.replace('IMAGE_DIR: [api, worker]', 'IMAGE_DIR: [api, worker, billing]'));
    expect(scaffold('.gitlab-ci.yml', second.text, builds, REF)).toMatchObject({ changed: false, present: ['build-services'] });
    // A block list gets a line of its own.
    const block = first.text.replace('IMAGE_DIR: [api, worker]', 'IMAGE_DIR:\n          - api\n          - worker');
    const extended = scaffold('.gitlab-ci.yml', block, builds, REF);
    expect(readAsGitLab(extended.text)).toMatchObject({
      'build-services': { parallel: { matrix: [{ IMAGE_DIR: ['api', 'worker', 'billing'] }] } },
    });
    // A matrix job init cannot extend (two variables): the new directory gets a matrix job of its own.
    const two = first.text.replace('IMAGE_DIR: [api, worker]', 'IMAGE_DIR: [api, worker]\n        ARCH: [amd64]');
    const own = scaffold('.gitlab-ci.yml', two, builds, REF);
    expect(own.added.map((b) => [b.jobName, b.matrix?.values])).toEqual([['build-services-2', ['billing']]]);
  });

  it('a new sibling directory joins a matrix job of that shape however its variable is written: `${IMAGE_DIR}`, or `$SVC` as migrate writes it', () => {
    const builds = proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/billing/Dockerfile', 'services/worker/Dockerfile']));
    const job = (context: string, image: string, variable: string) =>
      `include:\n  - component: ${REF}\n    inputs:\n      job-name: build-services\n      context: ${context}\n      image: ${image}\n\n` +
      `build-services:\n  parallel:\n    matrix:\n      - ${variable}: [api, worker]\n`;
    for (const current of [
      job('services/${IMAGE_DIR}', '$CI_REGISTRY_IMAGE/${IMAGE_DIR}', 'IMAGE_DIR'),
      job('services/$SVC', '$CI_REGISTRY_IMAGE/$SVC', 'SVC'),
      job('./services/${SVC}/', '$CI_REGISTRY_IMAGE/$SVC', 'SVC'),
    ]) {
      const result = scaffold('.gitlab-ci.yml', current, builds, REF);
      expect(result, current).toMatchObject({ added: [], extended: [{ jobName: 'build-services', values: ['billing'] }] });
      expect(result.text).toBe(current.replace(': [api, worker]', ': [api, worker, billing]'));
    }
    // Not that shape: a directory added to the list would not be services/billing.
    const suffixed = job('services/$SVC-app', '$CI_REGISTRY_IMAGE/$SVC', 'SVC');
    const apart = proposeBuilds(
      findDockerfiles(['services/api-app/Dockerfile', 'services/billing/Dockerfile', 'services/worker-app/Dockerfile']),
    );
    expect(scaffold('.gitlab-ci.yml', suffixed, apart, REF).extended).toEqual([]);
  });

  it('`./app`, `app/` and `app` are one build context: no second job pushes the image', () => {
    const builds = proposeBuilds(findDockerfiles(['app/Dockerfile', 'Dockerfile']));
    for (const context of ['./app', 'app/', 'app', 'app//']) {
      const current = `include:\n  - component: ${REF}\n    inputs:\n      job-name: app\n      context: ${context}\n`;
      const result = scaffold('.gitlab-ci.yml', current, builds, REF);
      expect(
        result.added.map((b) => b.context),
        context,
      ).toEqual(['.']);
      expect(result.present).toEqual(['app']);
    }
    // A build of another directory that pushes the image already: the proposal takes the next one.
    const other = `include:\n  - component: ${REF}\n    inputs:\n      job-name: mine\n      context: src\n      image: $CI_REGISTRY_IMAGE/app\n`;
    const result = scaffold('.gitlab-ci.yml', other, builds, REF);
    expect(result.added.map((b) => [b.jobName, b.image])).toEqual([
      ['build-app-2', '$CI_REGISTRY_IMAGE/app-2'],
      ['build-image', '$CI_REGISTRY_IMAGE'],
    ]);
    expect(result.imageTaken).toEqual([
      { jobName: 'build-app-2', images: [{ image: '$CI_REGISTRY_IMAGE/app', by: { jobName: 'mine', file: '.gitlab-ci.yml' } }] },
    ]);
  });

  it('a Dockerfile that is a link to a file of the project is one (builders follow it); a link out of it is skipped, saying so', () => {
    const dir = project({ 'Dockerfile.base': 'FROM scratch\n' });
    mkdirSync(join(dir, 'api'));
    symlinkSync('../Dockerfile.base', join(dir, 'api/Dockerfile'));
    const outside = project({ Dockerfile: 'FROM scratch\n' });
    mkdirSync(join(dir, 'web'));
    symlinkSync(join(outside, 'Dockerfile'), join(dir, 'web/Dockerfile'));
    const result = cigen(['init', dir, '--builder', 'buildah']);
    expect(result.stdout).toContain('Found 2 image(s): Dockerfile.base, api/Dockerfile\n');
    expect(result.stderr).toContain('cigen init: warning: web/Dockerfile: skipped, a link to a file outside the project\n');
  });

  it('in a git project, a Dockerfile git tracks counts though a .gitignore names it (git add -f): the pipeline clones it', () => {
    const dir = project({ 'app/Dockerfile': 'FROM scratch\n', 'deploy/Dockerfile': 'FROM scratch\n', '.gitignore': 'deploy/\n' });
    const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: dir }).status, args.join(' ')).toBe(0);
    git('init', '-q');
    git('add', '-f', 'deploy/Dockerfile');
    // Untracked and ignored stays out, as git leaves it out.
    writeFileSync(join(dir, 'deploy/Dockerfile.dev'), 'FROM scratch\n');
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Found 2 image(s): app/Dockerfile, deploy/Dockerfile\n');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('IMAGE_DIR: [app, deploy]');
    // The only Dockerfile, tracked in an ignored directory: no "no Dockerfile found".
    rmSync(join(dir, 'app'), { recursive: true });
    rmSync(join(dir, '.gitlab-ci.yml'));
    const alone = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stdout).toContain('Found 1 image(s): deploy/Dockerfile\n');
  });

  it('a file below a directory .gitignore excludes stays excluded, whatever a deeper .gitignore says (as in git)', () => {
    const files = ['build/Dockerfile', 'x/Dockerfile'];
    expect(findDockerfiles(files, { '.': 'build/\n', build: '!Dockerfile\n' }).map((d) => d.path)).toEqual(['x/Dockerfile']);
    expect(findDockerfiles(['a/b/Dockerfile'], { '.': 'a/\n!a/b/Dockerfile\n' }).map((d) => d.path)).toEqual([]);
    // A directory's own .gitignore still decides for what is below it.
    expect(findDockerfiles(files, { '.': '', build: '!Dockerfile\n*\n' }).map((d) => d.path)).toEqual(['x/Dockerfile']);
  });

  it('an absolute --file is refused (exit 2), not written under the project while the message named it', () => {
    const dir = project({ Dockerfile: 'FROM scratch\n' });
    const elsewhere = join(dir, 'elsewhere.yml');
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes', '--file', elsewhere]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--file ${elsewhere}: a path relative to ${dir} (the project), not an absolute one`);
    expect(readdirSync(dir)).toEqual(['Dockerfile']);
  });

  it.each([['../escape.yml'], ['sub/../../escape.yml'], ['..']])(
    'a --file that leads out of the project (%s) is refused as an absolute one is (exit 2), nothing written outside',
    (file) => {
      const parent = project({});
      const dir = join(parent, 'app');
      mkdirSync(dir);
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      const result = cigen(['init', dir, '--builder', 'buildah', '--yes', '--file', file]);
      expect(result.stderr).toBe(`--file ${file}: a path inside ${dir} (the project), not one that leads out of it\n`);
      expect(result.status).toBe(2);
      expect(readdirSync(parent)).toEqual(['app']);
      expect(readdirSync(dir)).toEqual(['Dockerfile']);
    },
  );

  it('DIR that is a file is "not a directory"; one that is not there, "no such directory" (exit 2)', () => {
    const dir = project({ Dockerfile: 'FROM scratch\n' });
    expect(cigen(['init', join(dir, 'Dockerfile'), '--builder', 'buildah', '--yes'])).toMatchObject({
      status: 2,
      stderr: `${join(dir, 'Dockerfile')}: not a directory\n`,
    });
    expect(cigen(['init', join(dir, 'nope'), '--builder', 'buildah', '--yes'])).toMatchObject({
      status: 2,
      stderr: `${join(dir, 'nope')}: no such directory\n`,
    });
  });

  it('the messages name the file under the directory given, the existing jobs, and a --component-ref with a catalog path', () => {
    const parent = project({});
    mkdirSync(join(parent, 'p3'));
    writeFileSync(join(parent, 'p3/Dockerfile'), 'FROM scratch\n');
    const offTerminal = cigen(['init', 'p3', '--builder', 'buildah'], { cwd: parent });
    expect(offTerminal.stderr).toContain('add --yes to write p3/.gitlab-ci.yml');
    const written = cigen(['init', 'p3', '--builder', 'buildah', '--yes'], { cwd: parent });
    expect(written.stdout).toContain('Wrote p3/.gitlab-ci.yml. ');
    writeFileSync(join(parent, 'p3/.gitlab-ci.yml'), `include:\n  - component: ${REF}\n    inputs:\n      job-name: ours\n`);
    expect(cigen(['init', 'p3', '--builder', 'buildah', '--yes'], { cwd: parent }).stdout).toContain(
      'p3/.gitlab-ci.yml already builds every image (ours); nothing to add',
    );
    const short = cigen(['init', 'p3', '--builder', 'buildah', '--component-ref', 'cigen@1'], { cwd: parent });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('--component-ref cigen@1: expected <server>/<catalog path>@<version>');
  });
});

describe('the runner hint init prints after writing', () => {
  it('is what runner-config says for the builder (and the executor a doctor report names)', () => {
    // A command to paste as it is: `--executor docker|kubernetes` would pipe into a command named kubernetes.
    expect(runnerHint('buildah')).toBe(
      'The runner needs: cigen runner-config --builder buildah --executor docker (or --executor kubernetes)',
    );
    expect(runnerHint('buildah-rootless')).toBe(
      'The runner needs: cigen runner-config --builder buildah-rootless --executor kubernetes ' +
        '(buildah-rootless cannot run on the docker executor; cigen runner-config says why)',
    );
    expect(runnerHint('buildah', 'kubernetes')).toBe('The runner needs: cigen runner-config --builder buildah --executor kubernetes');
    expect(runnerHint('kaniko')).toBe(
      'kaniko needs nothing special from a docker or kubernetes runner but to run its jobs as root (uid 0), as runners do unless ' +
        'set to force a user (cigen runner-config --builder kaniko --executor docker names those settings)',
    );
    // The executor a doctor report names is the one the command names.
    expect(runnerHint('kaniko', 'kubernetes')).toContain(
      '(cigen runner-config --builder kaniko --executor kubernetes names those settings)',
    );
    expect(runnerHint('buildah', 'shell')).toContain(
      'The runner is a shell executor, which runs jobs on the host: no runner setting applies',
    );
    expect(runnerHint('kaniko', 'shell')).toMatch(/^kaniko is not possible on a shell executor/);
    // Every command it names, runner-config runs.
    // Every command it names, runner-config runs: kaniko's too, which runner-config refused without --executor (exit 2).
    for (const builder of ['buildah', 'buildah-rootless', 'buildkit', 'dind', 'kaniko'] as const) {
      const hint = runnerHint(builder);
      // The command as it is printed: `cigen runner-config --builder B` and what follows it up to a `(`, `)` or ` names`.
      const [command] = /cigen (runner-config --builder [^()]*?)(?= names| \(|\)|$)/.exec(hint)?.slice(1) ?? [];
      expect(command, hint).toBeDefined();
      expect(cigen((command ?? '').split(' ')).status, command).toBe(0);
    }
  });
});

describe('init on a pipeline that builds with Kaniko or a Docker daemon', () => {
  const KANIKO =
    'build-branch:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG\n';

  it('names those jobs and the command that moves them, instead of leaving a second build unexplained', () => {
    const dir = project({ '.gitlab-ci.yml': `${KANIKO}test:\n  script: [make test]\n`, Dockerfile: 'FROM scratch\n' });
    const result = cigen(['init', dir, '--builder', 'buildah']);
    expect(result.stdout).toContain(
      `  build-branch builds with Kaniko: \`cigen migrate ${join(dir, '.gitlab-ci.yml')}\` moves it onto the catalog\n`,
    );
    // Without Kaniko jobs, no such line.
    const plain = project({ '.gitlab-ci.yml': 'test:\n  script: [make test]\n', Dockerfile: 'FROM scratch\n' });
    expect(cigen(['init', plain, '--builder', 'buildah']).stdout).not.toContain('with Kaniko');
  });

  // docs/commands/init.md: no two builds push one image. The Kaniko job built ./Dockerfile into
  // $CI_REGISTRY_IMAGE, and init said migrate moves it "instead of adding builds beside it", then added one.
  it('adds no build of a Dockerfile a Kaniko job builds, and says so', () => {
    const pipeline =
      'stages: [test, deploy]\nkaniko-build:\n  stage: test\n' +
      '  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:latest\n';
    const dir = project({ '.gitlab-ci.yml': pipeline, Dockerfile: 'FROM scratch\n' });
    const shown = join(dir, '.gitlab-ci.yml');
    const result = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  Dockerfile: kaniko-build builds it already; init adds no build of it\n' +
        `  kaniko-build builds with Kaniko: \`cigen migrate ${shown}\` moves it onto the catalog\n` +
        `${shown} already builds every image (kaniko-build); nothing to add\n`,
    );
    expect(readFileSync(shown, 'utf8')).toBe(pipeline);
  });

  // GitLab merges a local include's jobs into the pipeline, and migrate reads them there: init too.
  it("reads the Kaniko jobs of the pipeline's local includes, as migrate does, and builds none of what they build", () => {
    const included =
      'kaniko-build:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:latest\n';
    const pipeline = 'include:\n  - local: ci/build.yml\n';
    const dir = project({ '.gitlab-ci.yml': pipeline, 'ci/build.yml': included, Dockerfile: 'FROM scratch\n' });
    const shown = join(dir, '.gitlab-ci.yml');
    const result = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  Dockerfile: kaniko-build builds it already; init adds no build of it\n' +
        `  kaniko-build builds with Kaniko: \`cigen migrate ${shown}\` moves it onto the catalog\n`,
    );
    expect(readFileSync(shown, 'utf8')).toBe(pipeline);
  });

  // GitLab refuses to include a file not named .yml or .yaml (a wildcard names any file): migrate
  // read no job from ci/jobs.txt, but init did, and added build-app-2 beside a build-app GitLab never runs.
  it('reads no job from a local include GitLab refuses for its name, and warns of it as migrate does', () => {
    const kaniko =
      'build-app:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR/app --dockerfile $CI_PROJECT_DIR/app/Dockerfile --destination $CI_REGISTRY_IMAGE/app:latest\n';
    const pipeline = "include:\n  - local: 'ci/*'\n";
    const files: Record<string, string> = { 'ci/jobs.txt': kaniko };
    const builds = proposeBuilds(findDockerfiles(['app/Dockerfile']));
    const result = scaffold(
      '.gitlab-ci.yml',
      pipeline,
      builds,
      REF,
      '$CI_REGISTRY_IMAGE',
      (path) => files[path],
      () => ['ci/jobs.txt'],
    );
    expect(result.notYaml).toEqual([{ include: 'ci/jobs.txt', from: '.gitlab-ci.yml' }]);
    expect(result.added.map((b) => b.jobName)).toEqual(['build-app']);
    expect(result.renamed).toEqual([]);
    // Through the command: the same warning as migrate's, the file named under the directory given;
    // the build is build-app, and no stages: are said to come from that file.
    const dir = project({ '.gitlab-ci.yml': pipeline, 'ci/jobs.txt': kaniko, 'app/Dockerfile': 'FROM scratch\n' });
    const warning = (from: string) =>
      `${from}: local include ci/jobs.txt is not a .yml or .yaml file, which GitLab refuses to include; its jobs were not checked\n`;
    const run = cigen(['init', dir, '--builder', 'buildah']);
    expect(run.stdout).toContain('  build-app: $CI_REGISTRY_IMAGE/app from app\n');
    expect(run.stdout).not.toContain('build-app-2');
    expect(run.stdout).not.toContain('with Kaniko');
    expect(run.stderr).toContain(`cigen init: warning: ${warning(join(dir, '.gitlab-ci.yml'))}`);
    expect(run.stderr).not.toContain('stages:');
    expect(cigen(['migrate', '.gitlab-ci.yml'], { cwd: dir }).stdout).toContain(`  warning: ${warning('.gitlab-ci.yml')}`);
    // Named .yml, the file is read: its job builds app/Dockerfile, and init adds no build of it.
    const named = project({ '.gitlab-ci.yml': pipeline, 'ci/jobs.yml': kaniko, 'app/Dockerfile': 'FROM scratch\n' });
    const read = cigen(['init', named, '--builder', 'buildah']);
    expect(read.stdout).toContain('  app/Dockerfile: build-app builds it already; init adds no build of it\n');
    expect(read.stderr).not.toContain('is not a .yml or .yaml file');
  });

  it('numbers a build whose image a Kaniko job pushes from another Dockerfile, and builds none of what it builds', () => {
    const pipeline =
      'kaniko-app:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR/app --dockerfile $CI_PROJECT_DIR/app/Dockerfile --destination $CI_REGISTRY_IMAGE:latest\n';
    const builds = proposeBuilds(findDockerfiles(['Dockerfile', 'app/Dockerfile']));
    const report = migrateFile('.gitlab-ci.yml', pipeline)[0]?.jobs[0];
    expect(report).toMatchObject({ status: 'migrated', inputs: { context: 'app', image: '$CI_REGISTRY_IMAGE' } });
    const result = scaffold('.gitlab-ci.yml', pipeline, builds, REF, '$CI_REGISTRY_IMAGE', undefined, undefined, [
      { jobName: 'kaniko-app', file: '.gitlab-ci.yml', inputs: report?.inputs ?? {}, matrix: report?.matrix ?? [] },
    ]);
    expect(result.builtByOthers).toEqual([{ jobName: 'kaniko-app', dockerfiles: ['app/Dockerfile'] }]);
    expect(result.added.map((b) => [b.jobName, b.context, b.image])).toEqual([['build-image-2', '.', '$CI_REGISTRY_IMAGE/image-2']]);
    expect(result.imageTaken).toEqual([
      { jobName: 'build-image-2', images: [{ image: '$CI_REGISTRY_IMAGE', by: { jobName: 'kaniko-app', file: '.gitlab-ci.yml' } }] },
    ]);
  });

  it("reads a job's parallel:matrix: the directories it builds are left out, the others built, its list never extended", () => {
    const pipeline =
      'docker-build:\n  image: docker:27\n  services: [docker:27-dind]\n  parallel:\n    matrix:\n      - SVC: [api, worker]\n  script:\n' +
      '    - docker build -t $CI_REGISTRY_IMAGE/$SVC:$CI_COMMIT_SHORT_SHA services/$SVC\n' +
      '    - docker push $CI_REGISTRY_IMAGE/$SVC:$CI_COMMIT_SHORT_SHA\n';
    const dockerfiles = ['services/api/Dockerfile', 'services/web/Dockerfile', 'services/worker/Dockerfile'];
    const report = migrateFile('.gitlab-ci.yml', pipeline)[0]?.jobs[0];
    const result = scaffold(
      '.gitlab-ci.yml',
      pipeline,
      proposeBuilds(findDockerfiles(dockerfiles)),
      REF,
      '$CI_REGISTRY_IMAGE',
      undefined,
      undefined,
      [{ jobName: 'docker-build', file: '.gitlab-ci.yml', inputs: report?.inputs ?? {}, matrix: report?.matrix ?? [] }],
    );
    expect(result.builtByOthers).toEqual([
      { jobName: 'docker-build', dockerfiles: ['services/api/Dockerfile', 'services/worker/Dockerfile'] },
    ]);
    expect(result.extended).toEqual([]);
    expect(result.added).toMatchObject([{ jobName: 'build-services', matrix: { values: ['web'] } }]);
    expect(result.text).toContain('      - SVC: [api, worker]\n');
  });

  // The job's matrix was looked up in the pipeline file: defined in a local include, it was read as
  // building services/$SVC only, and init added build-services, pushing its api and worker images again.
  it('reads the parallel:matrix of such a job in the local include that defines it, and pushes none of its images again', () => {
    const included =
      'docker-build:\n  image: docker:27\n  services: [docker:27-dind]\n  parallel:\n    matrix:\n      - SVC: [api, worker]\n  script:\n' +
      '    - docker build -t $CI_REGISTRY_IMAGE/$SVC:$CI_COMMIT_SHORT_SHA services/$SVC\n' +
      '    - docker push $CI_REGISTRY_IMAGE/$SVC:$CI_COMMIT_SHORT_SHA\n';
    const pipeline = 'include:\n  - local: ci/build.yml\n';
    const files: Record<string, string> = { 'ci/build.yml': included };
    const host = { readProjectFile: (path: string) => files[path] };
    const [job] = migrateFile('.gitlab-ci.yml', pipeline, { host }).flatMap((migration) => migration.jobs);
    expect(job).toMatchObject({ name: 'docker-build', file: 'ci/build.yml', status: 'migrated' });
    const dockerfiles = proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/worker/Dockerfile']));
    const result = scaffold('.gitlab-ci.yml', pipeline, dockerfiles, REF, '$CI_REGISTRY_IMAGE', (path) => files[path], undefined, [
      { jobName: 'docker-build', file: 'ci/build.yml', inputs: job?.inputs ?? {}, matrix: job?.matrix ?? [] },
    ]);
    expect(result).toMatchObject({ changed: false, added: [], extended: [] });
    expect(result.builtByOthers).toEqual([
      { jobName: 'docker-build', dockerfiles: ['services/api/Dockerfile', 'services/worker/Dockerfile'] },
    ]);
    // Through the command: init adds nothing, and says which Dockerfiles the job builds.
    const dir = project({
      '.gitlab-ci.yml': pipeline,
      'ci/build.yml': included,
      'services/api/Dockerfile': 'FROM scratch\n',
      'services/worker/Dockerfile': 'FROM scratch\n',
    });
    const shown = join(dir, '.gitlab-ci.yml');
    const run = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      '  services/api/Dockerfile, services/worker/Dockerfile: docker-build builds them already; init adds no build of them\n',
    );
    expect(run.stdout).toContain(`${shown} already builds every image (docker-build); nothing to add\n`);
    expect(readFileSync(shown, 'utf8')).toBe(pipeline);
  });

  // Only the job's own parallel: key was read: a matrix it gets from a template (extends, a YAML merge
  // key, a !reference) went unseen, and init added build-images, pushing $CI_REGISTRY_IMAGE/api and
  // /worker again.
  const KANIKO_SVC =
    '  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR/$SVC --dockerfile $CI_PROJECT_DIR/$SVC/Dockerfile' +
    ' --destination $CI_REGISTRY_IMAGE/$SVC:$CI_COMMIT_SHORT_SHA\n';
  const TEMPLATE = '.matrix:\n  parallel:\n    matrix:\n      - SVC: [api, worker]\n';
  it.each([
    ['extends', { '.gitlab-ci.yml': `${TEMPLATE}build:\n  extends: .matrix\n${KANIKO_SVC}` }],
    ['a merge key', { '.gitlab-ci.yml': `${TEMPLATE.replace('.matrix:', '.matrix: &matrix')}build:\n  <<: *matrix\n${KANIKO_SVC}` }],
    [
      'a !reference to a local include',
      {
        '.gitlab-ci.yml': `include:\n  - local: ci/matrix.yml\nbuild:\n  parallel: !reference [.matrix, parallel]\n${KANIKO_SVC}`,
        'ci/matrix.yml': TEMPLATE,
      },
    ],
  ])(
    'reads the parallel:matrix such a job gets through %s, and pushes none of its images again',
    (_how, pipelineFiles: Record<string, string>) => {
      const pipeline = pipelineFiles['.gitlab-ci.yml'] as string;
      const host = { readProjectFile: (path: string) => pipelineFiles[path] };
      const [job] = migrateFile('.gitlab-ci.yml', pipeline, { host }).flatMap((migration) => migration.jobs);
      expect(job).toMatchObject({ name: 'build', status: 'migrated', matrix: [{ SVC: ['api', 'worker'] }] });
      const dockerfiles = proposeBuilds(findDockerfiles(['api/Dockerfile', 'worker/Dockerfile']));
      const result = scaffold(
        '.gitlab-ci.yml',
        pipeline,
        dockerfiles,
        REF,
        '$CI_REGISTRY_IMAGE',
        (path) => pipelineFiles[path],
        undefined,
        [{ jobName: 'build', file: '.gitlab-ci.yml', inputs: job?.inputs ?? {}, matrix: job?.matrix ?? [] }],
      );
      expect(result).toMatchObject({ changed: false, added: [], extended: [] });
      expect(result.builtByOthers).toEqual([{ jobName: 'build', dockerfiles: ['api/Dockerfile', 'worker/Dockerfile'] }]);
      // Through the command: init adds nothing, and says which Dockerfiles the job builds.
      const dir = project({ ...pipelineFiles, 'api/Dockerfile': 'FROM scratch\n', 'worker/Dockerfile': 'FROM scratch\n' });
      const shown = join(dir, '.gitlab-ci.yml');
      const run = cigen(['init', dir, '--yes', '--builder', 'buildah']);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('  api/Dockerfile, worker/Dockerfile: build builds them already; init adds no build of them\n');
      expect(run.stdout).toContain(`${shown} already builds every image (build); nothing to add\n`);
      expect(readFileSync(shown, 'utf8')).toBe(pipeline);
    },
  );

  // GitLab merges the job over what it extends: its own matrix replaces the template's.
  it("reads the matrix that wins: the job's own over the one of the template it extends", () => {
    const pipeline = `${TEMPLATE}build:\n  extends: .matrix\n  parallel:\n    matrix:\n      - SVC: [api]\n${KANIKO_SVC}`;
    const [job] = migrateFile('.gitlab-ci.yml', pipeline).flatMap((migration) => migration.jobs);
    expect(job).toMatchObject({ name: 'build', status: 'migrated', matrix: [{ SVC: ['api'] }] });
    const dockerfiles = proposeBuilds(findDockerfiles(['api/Dockerfile', 'worker/Dockerfile']));
    const result = scaffold('.gitlab-ci.yml', pipeline, dockerfiles, REF, '$CI_REGISTRY_IMAGE', undefined, undefined, [
      { jobName: 'build', file: '.gitlab-ci.yml', inputs: job?.inputs ?? {}, matrix: job?.matrix ?? [] },
    ]);
    expect(result.builtByOthers).toEqual([{ jobName: 'build', dockerfiles: ['api/Dockerfile'] }]);
    expect(result.added).toMatchObject([{ jobName: 'build-images', matrix: { values: ['worker'] } }]);
  });

  it('a directory a cigen build and a Kaniko job both build is named by the cigen build', () => {
    const pipeline = `include:\n  - component: ${REF}\n    inputs: {job-name: ours}\n${KANIKO}`;
    const result = scaffold('.gitlab-ci.yml', pipeline, ONE, REF, '$CI_REGISTRY_IMAGE', undefined, undefined, [
      { jobName: 'build-branch', file: '.gitlab-ci.yml', inputs: { image: '$CI_REGISTRY_IMAGE' }, matrix: [] },
    ]);
    expect(result).toMatchObject({ changed: false, present: ['ours'], builtByOthers: [] });
  });

  it('names the jobs that build with a Docker daemon too: migrate moves those as well', () => {
    const docker =
      'docker-build:\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
      '    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .\n    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n';
    expect(migrateFile('.gitlab-ci.yml', docker)[0]?.jobs).toMatchObject([{ name: 'docker-build', from: 'docker' }]);
    const dir = project({ '.gitlab-ci.yml': docker, Dockerfile: 'FROM scratch\n' });
    expect(cigen(['init', dir, '--builder', 'buildah']).stdout).toContain(
      '  Dockerfile: docker-build builds it already; init adds no build of it\n' +
        `  docker-build builds with a Docker daemon: \`cigen migrate ${join(dir, '.gitlab-ci.yml')}\` moves it onto the catalog\n`,
    );
    const both = project({ '.gitlab-ci.yml': KANIKO + docker, Dockerfile: 'FROM scratch\n' });
    expect(cigen(['init', both, '--builder', 'buildah']).stdout).toContain(
      `  build-branch builds with Kaniko; docker-build builds with a Docker daemon: \`cigen migrate ${join(both, '.gitlab-ci.yml')}\` ` +
        'moves them onto the catalog\n',
    );
  });

  it('says which jobs migrate moves and which it only reports as needing review: "moves" is not promised for those', () => {
    const job = (name: string, flags: string) =>
      `${name}:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n` +
      `    - /kaniko/executor --context $CI_PROJECT_DIR ${flags}--destination $CI_REGISTRY_IMAGE/${name}:$CI_COMMIT_REF_SLUG\n`;
    const held = job('build-ecr', '--credential-helpers ecr ');
    const moved = job('build-branch', '');
    expect(migrateFile('.gitlab-ci.yml', moved + held)[0]?.jobs).toMatchObject([
      { name: 'build-branch', status: 'migrated' },
      { name: 'build-ecr', status: 'needs-review' },
    ]);
    const both = project({ '.gitlab-ci.yml': moved + held, Dockerfile: 'FROM scratch\n' });
    const out = cigen(['init', both, '--builder', 'buildah']).stdout;
    expect(out).toContain(
      `  build-branch, build-ecr build with Kaniko: \`cigen migrate ${join(both, '.gitlab-ci.yml')}\` moves build-branch onto the ` +
        'catalog, and lists why build-ecr needs review instead of moving it\n',
    );
    // build-branch builds ./Dockerfile: nothing is added, so nothing can repeat build-ecr's build.
    expect(out).toContain('  Dockerfile: build-branch builds it already; init adds no build of it\n');
    expect(out).not.toContain('init cannot tell');
  });

  it('says what migrate and a matrix do with one job or value, or several, in agreement ("why they need", "billing joins")', () => {
    const job = (name: string) =>
      `${name}:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n` +
      `    - /kaniko/executor --context $CI_PROJECT_DIR --credential-helpers ecr --destination $CI_REGISTRY_IMAGE/${name}:x\n`;
    const hint = (text: string) => {
      const dir = project({ '.gitlab-ci.yml': text, Dockerfile: 'FROM scratch\n' });
      return cigen(['init', dir, '--builder', 'buildah']).stdout;
    };
    expect(hint(job('build-ecr'))).toContain('lists why it needs review instead of moving it\n');
    expect(hint(job('build-ecr') + job('build-ecr2'))).toContain('lists why they need review instead of moving them\n');
    const first = scaffold(
      '.gitlab-ci.yml',
      undefined,
      proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/worker/Dockerfile'])),
      REF,
    );
    const joins = (added: string[]) => {
      const files = Object.fromEntries(['api', 'worker', ...added].map((d) => [`services/${d}/Dockerfile`, 'FROM scratch\n']));
      return cigen(['init', project({ ...files, '.gitlab-ci.yml': first.text }), '--builder', 'buildah']).stdout;
    };
    expect(joins(['billing'])).toContain('  build-services builds the other directories already; billing joins its parallel:matrix\n');
    expect(joins(['billing', 'cart'])).toContain(
      '  build-services builds the other directories already; billing, cart join its parallel:matrix\n',
    );
  });

  it('says that a build it adds may repeat one of a job migrate does not translate', () => {
    const held =
      'build-ecr:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --credential-helpers ecr --destination $CI_REGISTRY_IMAGE:latest\n';
    const only = project({ '.gitlab-ci.yml': held, Dockerfile: 'FROM scratch\n' });
    const result = cigen(['init', only, '--builder', 'buildah']);
    expect(result.stdout).toContain(
      "  init cannot tell what build-ecr builds, which migrate does not translate into a build component's inputs: " +
        'a build init adds may build the same Dockerfile, or push the same image, as it does\n' +
        `  build-ecr builds with Kaniko: \`cigen migrate ${join(only, '.gitlab-ci.yml')}\` lists why it needs review instead of moving it\n`,
    );
    expect(result.stdout).toContain('+      job-name: build-image\n');
  });
});

describe("a job or build the pipeline's local includes define", () => {
  const APP = proposeBuilds(findDockerfiles(['app/Dockerfile']));

  it("takes a name the included file does not use: GitLab merges a job of the same name with the component's", () => {
    const files: Record<string, string> = {
      'ci/jobs.yml': 'include: ci/more.yml\nbuild-app:\n  stage: test\n  script: make app\n',
      'ci/more.yml': 'build-app-2:\n  script: make more\n',
    };
    const result = scaffold('.gitlab-ci.yml', 'include: [{local: ci/jobs.yml}]\n', APP, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(result.renamed).toEqual([['build-app', 'build-app-3']]);
    expect(result.text).toContain('job-name: build-app-3');
  });

  it('a build an included file has already is not added again', () => {
    const files: Record<string, string> = {
      'ci/build.yml': `include:\n  - component: ${REF}\n    inputs:\n      job-name: images\n      context: app\n`,
    };
    const result = scaffold('.gitlab-ci.yml', "include: '/ci/build.yml'\n", APP, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(result.changed).toBe(false);
    expect(result.present).toEqual(['images']);
  });

  it('an include that is not there, not YAML or a variable is not read, a glob is each project file it names, and nothing else changes', () => {
    const read: string[] = [];
    const files: Record<string, string> = { 'broken.yml': 'a: [\n', 'ci/a.yml': 'a:\n  script: [a]\n' };
    const text = "include:\n  - local: missing.yml\n  - local: broken.yml\n  - local: 'ci/*.yml'\n  - local: $FILE\n";
    const reader = (path: string) => {
      read.push(path);
      return files[path];
    };
    const result = scaffold('.gitlab-ci.yml', text, APP, REF, '$CI_REGISTRY_IMAGE', reader, () => ['ci/a.yml', 'ci/b.txt', 'cid/c.yml']);
    expect(read).toEqual(['missing.yml', 'broken.yml', 'ci/a.yml']);
    expect(result.added.map((b) => b.jobName)).toEqual(['build-app']);
    // Without the project's files, a glob is read as none.
    read.length = 0;
    scaffold('.gitlab-ci.yml', text, APP, REF, '$CI_REGISTRY_IMAGE', reader);
    expect(read).toEqual(['missing.yml', 'broken.yml']);
  });

  it('cigen init reads them from the project', () => {
    const dir = project({ '.gitlab-ci.yml': 'include: [{local: ci-jobs.yml}]\n', 'ci-jobs.yml': 'build-app:\n  script: make app\n' });
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('a job named build-app exists already; this build is build-app-2');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('job-name: build-app-2');
  });
});

describe('a local include whose path holds a variable', () => {
  const KANIKO_IMAGE =
    'build-image:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile --destination $CI_REGISTRY_IMAGE:latest\n';

  // GitLab expands an include's location from CI/CD settings, pipeline-run and some predefined
  // variables ("Use variables with include"), never from `variables:`: init reads no file for it.
  it('is not read, even when `variables:` gives the variable a value: scaffold names it, and the file that names it', () => {
    const read: string[] = [];
    const files: Record<string, string> = { 'ci/build.yml': KANIKO_IMAGE, 'ci/a.yml': "include:\n  - local: '${DIR}/more.yml'\n" };
    const text = 'variables:\n  FILE: build\ninclude:\n  - local: "ci/$FILE.yml"\n  - local: ci/a.yml\n  - local: ci/$$x.yml\n';
    const result = scaffold('.gitlab-ci.yml', text, ONE, REF, '$CI_REGISTRY_IMAGE', (path) => (read.push(path), files[path]));
    expect(read).toEqual(['ci/a.yml']);
    expect(result.unread).toEqual([
      { include: 'ci/$FILE.yml', from: '.gitlab-ci.yml' },
      { include: '${DIR}/more.yml', from: 'ci/a.yml' },
    ]);
    // The job of the same name in the file it cannot read is not seen.
    expect(result.added.map((b) => b.jobName)).toEqual(['build-image']);
    expect(scaffold('.gitlab-ci.yml', 'include: ci/a.yml\n', ONE, REF, undefined, () => 'x:\n  script: [x]\n').unread).toEqual([]);
  });

  it('cigen init warns that its jobs are not seen, so neither a job of the same name nor a Kaniko job there is checked', () => {
    const dir = project({
      '.gitlab-ci.yml': 'variables:\n  FILE: build\ninclude:\n  - local: "ci/$FILE.yml"\nstages: [build, test]\n',
      'ci/build.yml': KANIKO_IMAGE,
      Dockerfile: 'FROM scratch\n',
    });
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      `cigen init: warning: ${join(dir, '.gitlab-ci.yml')}: local include ci/$FILE.yml is not read: GitLab expands the variable ` +
        'in its path when it creates the pipeline, from CI/CD variables set for the project, its groups, the instance or the ' +
        'pipeline run, and some predefined ones (never from `variables:` in a pipeline file), which init cannot know; so its ' +
        'jobs are not seen: whether one is named as a build init adds, or builds with Kaniko or a Docker daemon, is not checked\n',
    );
    expect(result.stdout).not.toContain('build-image builds with Kaniko');
  });
});

describe('an image a job of an included file pushes already', () => {
  const KANIKO_DOCKER =
    'kaniko-build:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR/docker --dockerfile $CI_PROJECT_DIR/docker/Dockerfile ' +
    '--destination $CI_REGISTRY_IMAGE:latest\n';

  it('cigen init names the job and the file that defines it, not the pipeline file', () => {
    const dir = project({
      '.gitlab-ci.yml': 'include:\n  - local: ci/build.yml\n',
      'ci/build.yml': KANIKO_DOCKER,
      Dockerfile: 'FROM scratch\n',
      'docker/Dockerfile': 'FROM scratch\n',
    });
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  build-image-2: $CI_REGISTRY_IMAGE/image-2 from .\n' +
        `  $CI_REGISTRY_IMAGE: kaniko-build in ${join(dir, 'ci/build.yml')} pushes it already; ` +
        'this build is build-image-2, pushing $CI_REGISTRY_IMAGE/image-2\n',
    );
    // A matrix whose images two jobs push, of two files: each named with its own.
    const component = (job: string, image: string) =>
      `  - component: ${REF}\n    inputs:\n      job-name: ${job}\n      context: src\n      image: ${image}\n`;
    const two = project({
      '.gitlab-ci.yml': `include:\n  - local: ci/build.yml\n${component('w', '$CI_REGISTRY_IMAGE/worker')}`,
      'ci/build.yml': `include:\n${component('a', '$CI_REGISTRY_IMAGE/api')}`,
      'services/api/Dockerfile': 'FROM scratch\n',
      'services/worker/Dockerfile': 'FROM scratch\n',
    });
    expect(cigen(['init', two, '--builder', 'buildah']).stdout).toContain(
      `  $CI_REGISTRY_IMAGE/api: a in ${join(two, 'ci/build.yml')} pushes it already; ` +
        `$CI_REGISTRY_IMAGE/worker: w in ${join(two, '.gitlab-ci.yml')} pushes it already; ` +
        'this build is build-services-2, pushing $CI_REGISTRY_IMAGE/$IMAGE_DIR-2\n',
    );
  });

  it('a cigen build of an included file, or of the file itself, is named with its own file', () => {
    const APP = proposeBuilds(findDockerfiles(['app/Dockerfile']));
    const build = (file: string) =>
      `include:\n  - component: ${REF}\n    inputs:\n      job-name: images\n      context: src\n      image: ${file}\n`;
    const files: Record<string, string> = { 'ci/build.yml': build('$CI_REGISTRY_IMAGE/app') };
    const included = scaffold('.gitlab-ci.yml', 'include: ci/build.yml\n', APP, REF, '$CI_REGISTRY_IMAGE', (path) => files[path]);
    expect(included.imageTaken).toEqual([
      { jobName: 'build-app-2', images: [{ image: '$CI_REGISTRY_IMAGE/app', by: { jobName: 'images', file: 'ci/build.yml' } }] },
    ]);
    const own = scaffold('.gitlab-ci.yml', build('$CI_REGISTRY_IMAGE/app'), APP, REF);
    expect(own.imageTaken[0]?.images[0]?.by).toEqual({ jobName: 'images', file: '.gitlab-ci.yml' });
  });
});

describe('an include: written as a scalar over several lines', () => {
  it.each([
    ['folded (>-)', 'include: >-\n  local.yml\n', 'local.yml'],
    ['a double-quoted scalar folded over two lines', 'include: "local\n  .yml"\n', 'local .yml'],
    ['a plain scalar folded over two lines', 'include: ci/\n  build.yml\n', 'ci/ build.yml'],
  ])('%s: written again as one line that reads the same, beside the new entry', (_, include, value) => {
    const current = `${include}test:\n  script: echo hi\n`;
    const result = scaffold('.gitlab-ci.yml', current, ONE, REF);
    expect(result.changed).toBe(true);
    const read = readAsGitLab(result.text) as { include: unknown[]; test: unknown };
    expect(read.include[0]).toBe(value);
    expect(read.include[1]).toMatchObject({ component: REF });
    expect(read.test).toEqual({ script: 'echo hi' });
  });
});

describe('a pipeline file holding bytes that are not UTF-8 (Latin-1, say)', () => {
  const LATIN1 = Buffer.from('# caf\xe9 pipeline\nunit:\n  script:\n    - echo "r\xe9sum\xe9"\n', 'latin1');
  const latin1Project = (files: Record<string, string | Buffer> = {}): string => {
    const dir = project({ Dockerfile: 'FROM alpine\n' });
    for (const [name, content] of Object.entries({ '.gitlab-ci.yml': LATIN1, ...files })) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return dir;
  };

  it('init refuses it, naming the first such byte, and writes nothing (it wrote U+FFFD for each)', () => {
    const dir = latin1Project();
    const result = cigen(['init', '--builder', 'buildah', '--yes'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '.gitlab-ci.yml:1:6: byte 0xE9 is not UTF-8: init edits the file as UTF-8 text and would not write this byte back as it is ' +
        '(save the file as UTF-8); nothing was written',
    );
    expect(readFileSync(join(dir, '.gitlab-ci.yml'))).toEqual(LATIN1);
  });

  it('init refuses a local include that is not UTF-8, saying why it reads it', () => {
    const dir = latin1Project({ '.gitlab-ci.yml': 'include: [{local: ci/jobs.yml}]\n', 'ci/jobs.yml': LATIN1 });
    const result = cigen(['init', '--builder', 'buildah', '--yes'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "ci/jobs.yml:1:6: byte 0xE9 is not UTF-8: init reads the pipeline's local includes as UTF-8 text, for the jobs and images they define",
    );
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe('include: [{local: ci/jobs.yml}]\n');
  });

  it('migrate refuses it, and a local include, dry run or --write', () => {
    const kaniko =
      'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
      '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n';
    const main = Buffer.concat([LATIN1, Buffer.from(kaniko)]);
    const dir = latin1Project({ '.gitlab-ci.yml': main });
    for (const args of [[], ['--write']]) {
      const result = cigen(['migrate', ...args, '.gitlab-ci.yml'], { cwd: dir });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^\.gitlab-ci\.yml:1:6: byte 0xE9 is not UTF-8: .*; nothing was written$/m);
    }
    expect(readFileSync(join(dir, '.gitlab-ci.yml'))).toEqual(main);
    const included = latin1Project({ '.gitlab-ci.yml': `include: [{local: ci/jobs.yml}]\n${kaniko}`, 'ci/jobs.yml': LATIN1 });
    const result = cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: included });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^ci\/jobs\.yml:1:6: byte 0xE9 is not UTF-8: .*; nothing was written$/m);
    expect(readFileSync(join(included, '.gitlab-ci.yml'), 'utf8')).toBe(`include: [{local: ci/jobs.yml}]\n${kaniko}`);
  });

  it('a byte-order mark stays, and counts for no column; a byte of the second line is found there', () => {
    const text = Buffer.concat([Buffer.from('\ufeffunit:\n  script: ["caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"]\n')]);
    const dir = latin1Project({ '.gitlab-ci.yml': text });
    const result = cigen(['init', '--builder', 'buildah', '--yes'], { cwd: dir });
    expect(result.stderr).toContain('.gitlab-ci.yml:2:16: byte 0xC3 is not UTF-8');
    // Valid UTF-8 with a mark: written, the mark first.
    const valid = latin1Project({ '.gitlab-ci.yml': '\ufeffunit:\n  script: ["café"]\n' });
    expect(cigen(['init', '--builder', 'buildah', '--yes'], { cwd: valid }).status).toBe(0);
    const written = readFileSync(join(valid, '.gitlab-ci.yml'), 'utf8');
    expect(written.startsWith('\ufeffinclude:')).toBe(true);
    expect(written).toContain('script: ["café"]');
  });

  it('lint warns of it at the byte, in the file and in a local include, rather than calling it clean', () => {
    const dir = latin1Project({ 'ci/jobs.yml': Buffer.from('x:\n  script: ["\xe9"]\n', 'latin1') });
    let result = cigen(['lint', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('.gitlab-ci.yml:1:6 warning yaml/encoding byte 0xE9 is not UTF-8: GitLab reads a CI file');
    expect(result.stdout).not.toContain('clean');
    writeFileSync(join(dir, '.gitlab-ci.yml'), 'include: [{local: ci/jobs.yml}]\nunit:\n  script: [make]\n');
    result = cigen(['lint', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.stdout).toContain('ci/jobs.yml:2:13 warning yaml/encoding byte 0xE9 is not UTF-8');
  });
});

describe('a pipeline that includes cigen components from another catalog path already', () => {
  const OTHER =
    'include:\n  - component: gitlab.example.com/platform/cigen/kaniko@1.0.0\n    inputs:\n      job-name: build-app\n      context: app\n';
  const KANIKO_JOB =
    'build-old:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n' +
    '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE/old:$CI_COMMIT_SHORT_SHA\n';

  it('init takes the component from that catalog and version (it added the default one beside it), and says so', () => {
    const dir = project({ '.gitlab-ci.yml': 'include: [{local: ci/build.yml}]\n', Dockerfile: 'FROM scratch\n' });
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'build.yml'), OTHER);
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'Catalog: gitlab.example.com/platform/cigen@1.0.0, which ci/build.yml includes already ' +
        '(gitlab.example.com/platform/cigen/kaniko@1.0.0); pass --component-ref to use another\n',
    );
    const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(written).toContain('component: gitlab.example.com/platform/cigen/buildah@1.0.0');
    expect(written).not.toContain('ci-components/cigen');
    // --component-ref still decides.
    writeFileSync(join(dir, '.gitlab-ci.yml'), 'include: [{local: ci/build.yml}]\n');
    const given = cigen(['init', dir, '--builder', 'buildah', '--yes', '--component-ref', 'gitlab.example.com/ci/cigen@2.0.0']);
    expect(given.stdout).not.toContain('Catalog:');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('component: gitlab.example.com/ci/cigen/buildah@2.0.0');
  });

  it('migrate moves jobs onto that catalog, and says so', () => {
    const [file] = migrateFile('.gitlab-ci.yml', OTHER + KANIKO_JOB);
    expect(file?.catalog).toMatchObject({ catalog: 'gitlab.example.com/platform/cigen', version: '1.0.0', file: '.gitlab-ci.yml' });
    expect(file?.jobs[0]?.component).toBe('gitlab.example.com/platform/cigen/buildah@1.0.0');
    expect(file?.result).not.toContain('ci-components/cigen');
    const dir = project({ '.gitlab-ci.yml': OTHER + KANIKO_JOB });
    const result = cigen(['migrate', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  catalog: gitlab.example.com/platform/cigen@1.0.0, which .gitlab-ci.yml includes already ' +
        '(gitlab.example.com/platform/cigen/kaniko@1.0.0); pass --component-ref to use another\n',
    );
    // With the default catalog, or none, nothing is said.
    expect(migrateFile('.gitlab-ci.yml', KANIKO_JOB)[0]?.catalog).toBeUndefined();
  });
});

describe('the builds init lists are the builds it writes', () => {
  const KANIKO_IMAGE = '  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n';
  type Written = Record<string, { parallel?: { matrix: Record<string, string[]>[] } }> & {
    include?: { component?: string; inputs?: Record<string, string> }[];
  };
  /** The plan's lines as the written file says them: one per include entry init added (and its matrix job). */
  function planOf(before: string, after: string): string[] {
    const had = new Set(((readAsGitLab(before) as Written).include ?? []).map((e) => e.inputs?.['job-name']));
    const file = readAsGitLab(after) as Written;
    return (file.include ?? [])
      .flatMap((e) => (e.inputs && !had.has(e.inputs['job-name']) ? [e.inputs] : []))
      .map((inputs) => {
        const job = inputs['job-name'] as string;
        const matrix = Object.entries(file[job]?.parallel?.matrix[0] ?? {})
          .map(([variable, values]) => `, parallel:matrix ${variable} = ${values.join(', ')}`)
          .join('');
        const dockerfile = inputs['dockerfile'] ? ` (${inputs['dockerfile']})` : '';
        return `  ${job}: ${inputs['image']} from ${inputs['context'] ?? '.'}${dockerfile}${matrix}`;
      });
  }
  function init(pipeline: string, dockerfiles: string[]) {
    const dir = project({ '.gitlab-ci.yml': pipeline });
    for (const path of dockerfiles) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), 'FROM scratch\n');
    }
    const result = cigen(['init', dir, '--builder', 'kaniko', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    const listed = result.stdout.split('\n').filter((line) => /^ {2}\S+: \S+ from /.test(line));
    return { stdout: result.stdout, listed, plan: planOf(pipeline, written) };
  }

  it('a build renamed for a job of its name: the job and the image it is written with, and the message names both', () => {
    const { stdout, listed, plan } = init(
      'build-image:\n  stage: build\n' +
        KANIKO_IMAGE +
        '  script:\n    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA $KANIKO_EXTRA\n',
      ['Dockerfile', 'app/Dockerfile'],
    );
    expect(listed).toEqual(plan);
    expect(listed).toEqual(['  build-app: $CI_REGISTRY_IMAGE/app from app', '  build-image-2: $CI_REGISTRY_IMAGE/image-2 from .']);
    expect(stdout).toContain('  a job named build-image exists already; this build is build-image-2, pushing $CI_REGISTRY_IMAGE/image-2\n');
    expect(stdout).not.toContain('build-image: $CI_REGISTRY_IMAGE from');
  });

  it('a matrix one of whose directories a Kaniko job builds: the values it is written with', () => {
    const { stdout, listed, plan } = init(
      'api:\n  stage: build\n' +
        KANIKO_IMAGE +
        '  script:\n    - /kaniko/executor --context $CI_PROJECT_DIR/services/api --dockerfile $CI_PROJECT_DIR/services/api/Dockerfile ' +
        '--destination $CI_REGISTRY_IMAGE/api:$CI_COMMIT_SHA\n',
      ['Dockerfile', 'services/api/Dockerfile', 'services/worker/Dockerfile', 'tools/Dockerfile.dev'],
    );
    expect(listed).toEqual(plan);
    expect(listed).toContain(
      '  build-services: $CI_REGISTRY_IMAGE/$IMAGE_DIR from services/$IMAGE_DIR, parallel:matrix IMAGE_DIR = worker',
    );
    expect(listed).toContain('  build-tools-dev: $CI_REGISTRY_IMAGE/tools-dev from tools (Dockerfile.dev)');
    expect(stdout).toContain('  services/api/Dockerfile: api builds it already; init adds no build of it\n');
  });

  it('a build a cigen component of the file builds already is not listed', () => {
    const pipeline = `include:\n  - component: ${REF}\n    inputs:\n      job-name: build-app\n      context: app\n      image: $CI_REGISTRY_IMAGE/app\n`;
    const { listed, plan } = init(pipeline, ['app/Dockerfile', 'web/Dockerfile.prod']);
    expect(listed).toEqual(plan);
    expect(listed).toEqual(['  build-web-prod: $CI_REGISTRY_IMAGE/web-prod from web (Dockerfile.prod)']);
  });
});

describe('init, as a review of its renames, includes and messages found it', () => {
  // GitLab's registry takes only image paths under the project's own ($CI_REGISTRY_IMAGE-2/a is
  // another project's): a renamed matrix pushed there.
  it('a matrix renamed for a job of its name pushes under the project: $CI_REGISTRY_IMAGE/$IMAGE_DIR-2, not $CI_REGISTRY_IMAGE-2', async () => {
    const builds = proposeBuilds(findDockerfiles(['a/Dockerfile', 'b/Dockerfile']));
    const result = scaffold('.gitlab-ci.yml', 'build-images:\n  script: echo hi\n', builds, REF);
    expect(result.added.map((b) => [b.jobName, b.image])).toEqual([['build-images-2', '$CI_REGISTRY_IMAGE/$IMAGE_DIR-2']]);
    expect(result.added.flatMap(imagesOf)).toEqual(['$CI_REGISTRY_IMAGE/a-2', '$CI_REGISTRY_IMAGE/b-2']);
    expect(result.text).toContain('      image: $CI_REGISTRY_IMAGE/$IMAGE_DIR-2\n');
    expect(await lintFindings(result.text)).toEqual([]);
    // A second run finds it.
    expect(scaffold('.gitlab-ci.yml', result.text, builds, REF)).toMatchObject({ changed: false, present: ['build-images-2'] });
    // --image: under that repository.
    const base = 'registry.example.com/group/app';
    const other = scaffold(
      '.gitlab-ci.yml',
      'build-images:\n  script: echo hi\n',
      proposeBuilds(findDockerfiles(['a/Dockerfile', 'b/Dockerfile']), base),
      REF,
      base,
    );
    expect(other.added.flatMap(imagesOf)).toEqual([`${base}/a-2`, `${base}/b-2`]);
    // A matrix job init cannot extend (a scalar value), and a nested matrix beside a job of its name.
    const scalar =
      `include:\n  - component: ${REF}\n    inputs:\n      job-name: build-images\n      context: $IMAGE_DIR\n` +
      '      image: $CI_REGISTRY_IMAGE/$IMAGE_DIR\nbuild-images:\n  parallel:\n    matrix:\n      - IMAGE_DIR: web\n';
    const added = scaffold('.gitlab-ci.yml', scalar, proposeBuilds(findDockerfiles(['a/Dockerfile', 'web/Dockerfile'])), REF).added;
    expect(added.map((b) => [b.jobName, b.image, b.matrix?.values])).toEqual([
      ['build-images-2', '$CI_REGISTRY_IMAGE/$IMAGE_DIR-2', ['a']],
    ]);
    const nested = scaffold(
      '.gitlab-ci.yml',
      'build-services:\n  script: echo hi\n',
      proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/worker/Dockerfile'])),
      REF,
    );
    expect(nested.added.flatMap(imagesOf)).toEqual(['$CI_REGISTRY_IMAGE/api-2', '$CI_REGISTRY_IMAGE/worker-2']);
  });

  it('the same through the CLI: the plan and the rename name the image it writes', () => {
    const dir = project({
      '.gitlab-ci.yml': 'build-images:\n  script: echo hi\n',
      'a/Dockerfile': 'FROM scratch\n',
      'b/Dockerfile': 'FROM scratch\n',
    });
    const result = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  build-images-2: $CI_REGISTRY_IMAGE/$IMAGE_DIR-2 from $IMAGE_DIR, parallel:matrix IMAGE_DIR = a, b\n' +
        '  a job named build-images exists already; this build is build-images-2, pushing $CI_REGISTRY_IMAGE/$IMAGE_DIR-2\n',
    );
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).not.toContain('$CI_REGISTRY_IMAGE-');
  });

  // Init read a wildcard include for job names but not for Kaniko jobs: it built app/Dockerfile
  // again and pushed the image build-app pushes, saying nothing. `cigen migrate` reads the wildcard
  // as init does, so the command init names on the pipeline reaches the job.
  it('a Kaniko job in a wildcard local include is read as the wildcard is for job names, and migrate on the pipeline reaches it', () => {
    const kaniko =
      'build-app:\n  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}\n  script:\n' +
      '    - /kaniko/executor --context "${CI_PROJECT_DIR}/app" --dockerfile "${CI_PROJECT_DIR}/app/Dockerfile" ' +
      '--destination "${CI_REGISTRY_IMAGE}/web:${CI_COMMIT_SHA}"\n';
    const dockerfiles = { 'app/Dockerfile': 'FROM scratch\n', 'web/Dockerfile': 'FROM scratch\n' };
    const dir = project({ '.gitlab-ci.yml': 'include:\n  - local: ci/*.yml\n', 'ci/build.yml': kaniko, ...dockerfiles });
    const result = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  app/Dockerfile: build-app builds it already; init adds no build of it\n' +
        `  build-app builds with Kaniko: \`cigen migrate ${join(dir, '.gitlab-ci.yml')}\` moves it onto the catalog\n`,
    );
    expect(result.stdout).not.toContain('wildcard');
    const written = readAsGitLab(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      include: [{ local: 'ci/*.yml' }, { inputs: { 'job-name': 'build-images-2', image: '$CI_REGISTRY_IMAGE/$IMAGE_DIR-2' } }],
      'build-images-2': { parallel: { matrix: [{ IMAGE_DIR: ['web'] }] } },
    });
    // The command it names reaches the job, through the wildcard.
    const migrated = cigen(['migrate', join(dir, '.gitlab-ci.yml')]);
    expect(migrated.stdout).toContain('✓ build-app: migrated');
    expect(migrated.stdout).not.toContain('uses a glob or a variable');
  });

  // GitLab and `cigen lint` take a JSON pipeline (YAML 1.2 holds JSON): init spliced a block
  // `include:` into it, and blamed the file for its own text ("invalid YAML" at line 7 of one).
  it('a JSON or flow-style pipeline is refused as what init cannot edit, at its `{`, not as invalid YAML', async () => {
    const flow = [
      '{"unit": {"script": ["x"]}}\n',
      '{\n  "stages": ["test"],\n  "unit": {"script": ["x"]}\n}\n',
      '# jobs\n{unit: {script: [x]}}\n',
    ];
    for (const current of flow) {
      expect(await lintFindings(current), current).toEqual([]);
      const refusal = (() => {
        try {
          scaffold('.gitlab-ci.yml', current, ONE, REF);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal, current).toMatchObject({ invalidYaml: false, line: current.startsWith('#') ? 2 : 1, column: 1 });
      const dir = project({ '.gitlab-ci.yml': current, Dockerfile: 'FROM scratch\n' });
      const result = cigen(['init', '.', '--yes', '--builder', 'kaniko'], { cwd: dir });
      expect(result.status, current).toBe(1);
      expect(result.stderr).toBe(
        `.gitlab-ci.yml:${current.startsWith('#') ? 2 : 1}:1: the file is written in flow style (its top level a \`{...}\` mapping, ` +
          'as JSON is), and cigen adds its include entries and jobs to a block mapping only: rewrite the file in block style ' +
          '(each top-level key at the start of a line, `key:`, its value indented below it), then run cigen again; nothing was written\n',
      );
      expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(current);
    }
    // Nothing to add: nothing to refuse.
    const built = `{include: [{component: ${REF}}]}\n`;
    expect(scaffold('.gitlab-ci.yml', built, ONE, REF)).toMatchObject({ changed: false, present: ['build-image'] });
  });

  // The runner-config snippet is for a runner that lacks what the builder needs; applied to one that
  // has it (its Kubernetes seccomp patch names a Localhost profile each node must hold), it can stop
  // the builds. Init named it after a report that said the builder works there.
  it('after a doctor report that says the builder works, the runner hint says the runner needs no change (or what to do before privileged goes)', () => {
    const check = (ok: boolean, detail: string) => ({ ok, detail });
    const checks = {
      userns: check(true, 'unshare --user --map-root-user works'),
      mount: check(true, 'mount -t tmpfs works in a user and mount namespace'),
      seccomp: check(true, 'Seccomp: 0 (disabled)'),
      apparmor: check(true, 'no AppArmor or SELinux label: not in use'),
      'proc-unmasked': check(false, 'masked: /proc/kcore; read-only: /proc/bus'),
      overlay: check(true, 'overlay mounts on /var/lib/containers (ext4)'),
      fuse: check(false, '/dev/fuse is missing'),
      privileged: check(false, 'CapEff 00000000a80425fb'),
      root: check(true, 'the job runs as uid 0'),
      binfmt: check(false, 'binfmt_misc is not mounted'),
      buildah: check(true, 'buildah is in the probe image: /usr/bin/buildah'),
    };
    const verdict = { ok: true, missing: [] };
    const report = (executor: 'docker' | 'kubernetes', privileged: boolean) => ({
      version: 1,
      executor,
      checks: { ...checks, privileged: check(privileged, privileged ? 'CapEff 000001ffffffffff' : 'CapEff 00000000a80425fb') },
      verdicts: {
        buildah: verdict,
        'buildah-rootless': { ok: false, missing: ['proc-unmasked'] },
        kaniko: verdict,
        buildkit: verdict,
        dind: { ok: privileged, missing: privileged ? [] : ['privileged'] },
      },
      recommendation: 'buildah',
      reason: 'user namespaces and mounts work here: Buildah with chroot isolation builds without a privileged runner',
    });
    const asIs = report('kubernetes', false);
    const privileged = report('docker', true);
    expect(runnerStanding(asIs, 'buildah')).toBe('as-is');
    expect(runnerStanding(privileged, 'buildah')).toBe('while-privileged');
    expect(runnerStanding(privileged, 'kaniko')).toBe('as-is');
    expect(runnerStanding(asIs, 'buildah-rootless')).toBeUndefined();
    expect(runnerHint('buildah', 'kubernetes', 'as-is')).toBe(
      'The runner needs no change: the doctor report says buildah works on it as it is',
    );
    expect(runnerHint('buildah', 'docker', 'while-privileged')).toBe(
      'The doctor report says buildah works on the runner because the job ran privileged: before privileged is turned off, ' +
        'the runner needs: cigen runner-config --builder buildah --executor docker',
    );
    const init = (name: string, value: unknown) => {
      const dir = project({ Dockerfile: 'FROM scratch\n', [name]: JSON.stringify(value) });
      const result = cigen(['init', dir, '--yes', '--doctor-report', join(dir, name)]);
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    expect(init('k8s.json', asIs)).toContain(
      '/.gitlab-ci.yml. The runner needs no change: the doctor report says buildah works on it as it is.\n',
    );
    // As `cigen doctor` says of that report: buildah ok, and for buildah nothing to change (only for rootless isolation).
    const doctor = cigen(['doctor', '--report', join(project({ 'r.json': JSON.stringify(asIs) }), 'r.json')]).stdout;
    expect(doctor).toMatch(/^buildah +ok$/m);
    expect(doctor).not.toContain('--builder buildah --executor');
    expect(init('privileged.json', privileged)).toContain(
      '/.gitlab-ci.yml. The doctor report says buildah works on the runner because the job ran privileged: before privileged is ' +
        'turned off, the runner needs: cigen runner-config --builder buildah --executor docker.\n',
    );
    expect(cigen(['doctor', '--report', join(project({ 'r.json': JSON.stringify(privileged) }), 'r.json')]).stdout).toContain(
      '- Before turning privileged off: ',
    );
    expect(cigen(['runner-config', '--builder', 'buildah', '--executor', 'docker']).status).toBe(0);
  });

  it('an include: written as one mapping keeps the comments it holds once, where they were', () => {
    const cases: [string, string][] = [
      ['include:\n  local: ci/x.yml   # one\n', 'include:\n  - local: ci/x.yml   # one\n  - component: '],
      [
        'include:\n  # above\n  local: ci/x.yml   # one\n  rules: [{if: $X}] # two\n\n# after\njob:\n  script: x\n',
        'include:\n  # above\n  - local: ci/x.yml   # one\n    rules: [{if: $X}] # two\n  - component: ',
      ],
      // A scalar's comment goes above the list, as before.
      ['include: ci/x.yml  # c\n', 'include:\n  # c\n  - ci/x.yml\n  - component: '],
    ];
    for (const [current, start] of cases) {
      const { text } = scaffold('.gitlab-ci.yml', current, ONE, REF);
      expect(text, current).toContain(start);
      for (const comment of current.match(/# \w+/g) ?? []) expect(text.split(comment).length - 1, `${current}: ${comment}`).toBe(1);
    }
  });

  it('the exit codes in the docs and --help name a --doctor-report that is not a report (1) or not there (2), as init exits', () => {
    const docs = /Exit codes: [\s\S]*$/.exec(readFileSync(join(import.meta.dirname, '../../docs/commands/init.md'), 'utf8'))?.[0];
    const help = /Exit codes: [\s\S]*?\n\n/.exec(cigen(['init', '--help']).stdout)?.[0];
    for (const [text, flag] of [
      [docs, '`--doctor-report`'],
      [help, '--doctor-report'],
    ] as const) {
      const said = (text ?? '').replace(/\s+/g, ' ');
      expect(said).toMatch(
        new RegExp(
          String.raw`, 1 [^]*a ${flag} that is not a doctor report this cigen reads[^]*, 2 usage \(a ${flag} that is not there or not readable too\)`,
        ),
      );
      expect(said).toContain('a byte that is not UTF-8');
    }
    const dir = project({ Dockerfile: 'FROM scratch\n', 'bad.json': '{\n', 'v2.json': '{"version": 2}' });
    for (const report of ['bad.json', 'v2.json'])
      expect(cigen(['init', dir, '--yes', '--doctor-report', join(dir, report)]).status, report).toBe(1);
    expect(cigen(['init', dir, '--yes', '--doctor-report', join(dir, 'missing.json')]).status).toBe(2);
    expect(cigen(['init', dir, '--yes', '--doctor-report', dir]).status).toBe(2);
  });
});

// `include: *inc` naming a list became `include: [*inc, {component: ...}]`, a list in the list,
// which GitLab refuses ("include:0 config should be a string or a hash": its Mapper wraps the
// value in a list and never flattens it); an anchored single entry or flow list widened into a
// block list lost its anchor, so an alias of it named nothing ("internal error", exit 70).
describe('an anchored or aliased include: (init and migrate share the splice)', () => {
  const KANIKO =
    'build:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:v1.23.2-debug\n    entrypoint: [""]\n' +
    '  script:\n    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile ' +
    '--destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n';
  const UNIT = 'unit:\n  script: [make]\n';

  /** Each way to write the include (`text` given ` &i` puts that anchor on the value), whether
   *  GitLab reads a list there, and the top-level key other than `include:` that holds it. */
  interface Shape {
    name: string;
    text: (anchor: string) => string;
    list: boolean;
    holder?: string;
  }
  const shapes: Shape[] = [
    { name: 'a block list', text: (a) => `include:${a}\n  - a.yml\n  - local: b.yml\n`, list: true },
    { name: 'a flow list', text: (a) => `include:${a} [a.yml, {local: b.yml}]\n`, list: true },
    { name: 'an empty flow list', text: (a) => `include:${a} []\n`, list: true },
    { name: 'a block mapping', text: (a) => `include:${a}\n  local: a.yml\n  rules: [{if: $X}]\n`, list: false },
    { name: 'a flow mapping', text: (a) => `include:${a} {local: a.yml}\n`, list: false },
    { name: 'a string', text: (a) => `include:${a} a.yml\n`, list: false },
    { name: 'an alias of a block list', text: () => '.inc: &i\n  - a.yml\n  - local: b.yml\ninclude: *i\n', list: true, holder: '.inc' },
    { name: 'an alias of a flow list', text: () => '.inc: &i [a.yml, {local: b.yml}]\ninclude: *i\n', list: true, holder: '.inc' },
    { name: 'an alias of a mapping', text: () => '.inc: &i\n  local: a.yml\ninclude: *i\n', list: false },
    { name: 'an alias of a string', text: () => '.inc: &i a.yml\ninclude: *i\n', list: false },
  ];
  const cases = shapes.flatMap((shape) =>
    (shape.name.startsWith('an alias') ? [' &i'] : ['', ' &i']).flatMap((anchor) =>
      (anchor ? [false, true] : [false]).map((keep) => ({ shape, text: `${shape.text(anchor)}${keep ? '.keep:\n  y: *i\n' : ''}`, keep })),
    ),
  );

  /** What `run` makes of `text`: GitLab reads each include entry as before, then the new one, and
   *  every other key as before (the anchored list `include: *i` reads is the file's to change, and
   *  the job migrate moves); or, when what `include:` reads is a list other keys alias too, a refusal at `include:`. */
  function check(name: 'init' | 'migrate', text: string, shape: Shape, keep: boolean, run: (text: string) => string) {
    const before = readAsGitLab(text) as Record<string, unknown>;
    const wrap = (value: unknown) => (Array.isArray(value) ? value : [value]);
    let written: string;
    try {
      written = run(text);
    } catch (error) {
      // Refused only for a list that other keys read too, at the file's `include:`, as input cigen cannot rewrite.
      expect(shape.list && keep, `${name}: ${text}: ${String(error)}`).toBe(true);
      expect(error, text).toMatchObject({ invalidYaml: false, line: text.split('\n').findIndex((l) => l.startsWith('include:')) + 1 });
      expect((error as Error).message, text).toMatch(/aliases too, and the entries cigen would add to it would be read there as well/);
      return;
    }
    expect(shape.list && keep, `${name}: ${text} was not refused`).toBe(false);
    const after = readAsGitLab(written) as Record<string, unknown>;
    const include = after.include as unknown[];
    expect(include.slice(0, -1), `${name}: ${written}`).toEqual(wrap(before.include));
    expect(include.at(-1), written).toMatchObject({ component: REF });
    for (const entry of include)
      expect(typeof entry === 'string' || (entry !== null && typeof entry === 'object' && !Array.isArray(entry))).toBe(true);
    for (const key of Object.keys(before))
      if (!['include', shape.holder, name === 'migrate' ? 'build' : undefined].includes(key))
        expect(after[key], `${name}: ${key}`).toEqual(before[key]);
    if (shape.holder) expect(after[shape.holder]).toEqual(include);
  }

  it('init: every shape gets the entry GitLab reads after the others, other keys unchanged, or is refused when other keys alias the list', () => {
    expect(cases.length).toBeGreaterThan(20);
    for (const { shape, text, keep } of cases) {
      check('init', `${text}${UNIT}`, shape, keep, (t) => scaffold('.gitlab-ci.yml', t, ONE, REF).text);
      if (!(shape.list && keep)) {
        const { text: written } = scaffold('.gitlab-ci.yml', `${text}${UNIT}`, ONE, REF);
        // Once more: the build is there, nothing to add.
        expect(scaffold('.gitlab-ci.yml', written, ONE, REF).changed, written).toBe(false);
      }
    }
  });

  it('migrate: the same, with a Kaniko job moved onto the buildah component', () => {
    for (const { shape, text, keep } of cases) {
      check('migrate', `${text}${KANIKO}`, shape, keep, (t) => {
        const [file] = migrateFile('.gitlab-ci.yml', t);
        expect(file?.jobs[0]?.status, t).toBe('migrated');
        return file?.result ?? '';
      });
    }
  });

  it('the anchor stays on what it named: an entry keeps it in the block list, a flow list on the list', () => {
    const add = (text: string) => scaffold('.gitlab-ci.yml', `${text}${UNIT}`, ONE, REF).text;
    expect(add('include: &i\n  local: a.yml\n.keep:\n  y: *i\n')).toContain('include:\n  - &i\n    local: a.yml\n  - component: ');
    expect(add('include: &i {local: a.yml}\n.keep:\n  y: *i\n')).toContain('include:\n  - &i {local: a.yml}\n  - component: ');
    expect(add('include: &i a.yml\n.keep:\n  y: *i\n')).toContain('include:\n  - &i a.yml\n  - component: ');
    expect(add('include: &i [a.yml]\n')).toContain('include: &i\n  - a.yml\n  - component: ');
    expect(add('include: [&x a.yml, &m {local: b.yml}]\n.k:\n  y: *x\n  z: *m\n')).toContain(
      'include:\n  - &x a.yml\n  - &m {local: b.yml}\n  - component: ',
    );
    // A mapping's first key's anchor (its text starts after it) is written again before it.
    expect(readAsGitLab(add('include:\n  &k local: a.yml\n.k:\n  y: *k\n'))).toMatchObject({ '.k': { y: 'local' } });
    // The list `include: *i` reads gets the entries, in its own style or widened to a block list.
    expect(add('.inc: &i\n  - local: a.yml\ninclude: *i\n')).toMatch(
      /^\.inc: &i\n {2}- local: a\.yml\n {2}- component: [^]*\ninclude: \*i\n/,
    );
    expect(add('.inc: &i [a.yml]\ninclude: *i\n')).toMatch(/^\.inc: &i\n {2}- a\.yml\n {2}- component: [^]*\ninclude: \*i\n/);
  });

  it('refused, naming the place and what to do: a list other keys alias, one no top-level key holds', () => {
    const refusal = (text: string) => {
      try {
        scaffold('.gitlab-ci.yml', `${text}${UNIT}`, ONE, REF);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    };
    expect(refusal('.inc: &i\n  - local: a.yml\ninclude: *i\n.k:\n  y: *i\n.l:\n  y: *i\n')?.message).toBe(
      '.gitlab-ci.yml:3:1: `include: *i` reads the list anchored `&i` (line 2), which lines 5, 7 alias too, and the entries ' +
        'cigen would add to it would be read there as well: give `include:` a list of its own that nothing else aliases ' +
        '(its entries written out), then run cigen again',
    );
    expect(refusal('.d:\n  inc: &i [a.yml]\ninclude: *i\n')?.message).toBe(
      '.gitlab-ci.yml:3:1: `include: *i` reads the list anchored `&i` (line 2), and cigen adds its entries to an anchored ' +
        'list only when it is the value of a top-level key: anchor the list at a top-level key (`.includes: &i`) or write ' +
        'it under `include:` itself, then run cigen again',
    );
  });

  it('`cigen init` and `cigen migrate`, as the review ran them: the result passes `cigen lint`, or a refusal exits 1', () => {
    const files = { Dockerfile: 'FROM scratch\n', 'a.yml': 'a-job:\n  script: [x]\n' };
    for (const [pipeline, refused] of [
      ['.inc: &inc\n  - local: a.yml\ninclude: *inc\n', undefined],
      ['include: &i\n  local: a.yml\n.keep:\n  y: *i\n', undefined],
      [
        'include: &inc [a.yml]\n.keep:\n  y: *inc\n',
        '.gitlab-ci.yml:1:1: `include:` is the list anchored `&inc`, which line 3 aliases too, and the entries cigen would ' +
          'add to it would be read there as well: give `include:` a list of its own that nothing else aliases (its entries ' +
          'written out), then run cigen again; nothing was written\n',
      ],
    ] as const) {
      for (const [command, text] of [
        [['init', '.', '--yes', '--builder', 'buildah'], pipeline],
        [['migrate', '--write', '.gitlab-ci.yml'], `${pipeline}${KANIKO}`],
      ] as const) {
        const dir = project({ ...files, '.gitlab-ci.yml': text });
        const result = cigen([...command], { cwd: dir });
        const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
        if (refused) {
          expect(result.status, `${command[0]}: ${text}`).toBe(1);
          expect(result.stderr).toBe(refused);
          expect(written).toBe(text);
          continue;
        }
        expect(result.status, `${command[0]}: ${text}: ${result.stderr}`).toBe(0);
        expect(written).not.toBe(text);
        const lint = cigen(['lint', '.gitlab-ci.yml'], { cwd: dir });
        expect(lint.status, `${command[0]}: ${written}\n${lint.stdout}${lint.stderr}`).toBe(0);
      }
    }
  });
});
