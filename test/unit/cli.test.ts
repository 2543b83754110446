/** The CLI as a user runs it: exit codes, help, bad input refused with nothing written, drift detection. */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CATALOG } from '../../src/catalog/registry.js';
import { colorWanted } from '../../src/cli/output.js';
import { cigenUnprivileged } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cigen.cjs');

export function cigen(args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function catalogCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-catalog-'));
  temps.push(dir);
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(ROOT, 'docs'), join(dir, 'docs'), { recursive: true });
  cpSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
  return dir;
}

describe('cigen', () => {
  it('--help lists the commands and exits 0', () => {
    const result = cigen(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/build/);
    expect(result.stdout).toMatch(/render/);
  });

  it('migrate --help says what it moves as the README and its page do: Kaniko and Docker-daemon build jobs', () => {
    const help = cigen(['migrate', '--help']);
    expect(help.status).toBe(0);
    const what = /^move (.+?);/m.exec(help.stdout)?.[1];
    expect(what).toBe('Kaniko and Docker-daemon build jobs onto the catalog');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`| \`cigen migrate FILE...\` | move ${what}:`);
    expect(readFileSync(join(ROOT, 'docs/commands/migrate.md'), 'utf8')).toContain(`Move ${what?.replace(/ onto the catalog$/, '')}`);
  });

  it('an unknown command or flag is a usage error: exit 2', () => {
    expect(cigen(['frobnicate']).status).toBe(2);
    expect(cigen(['build', '--bogus']).status).toBe(2);
    expect(cigen(['render', 'buildah', '--mode', 'quantum']).status).toBe(2);
  });
});

describe('cigen build', () => {
  it('--check passes on this repository: templates/ and the README are what src/ renders', () => {
    const result = cigen(['build', '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('✓'))).toHaveLength(CATALOG.length);
  });

  it('--check fails on a hand-edited template, a stale component page and a stale README, naming them, and writes nothing', () => {
    const dir = catalogCopy();
    const template = join(dir, 'templates/kaniko.yml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('stage: $[[ inputs.stage ]]', 'stage: test'));
    const page = join(dir, 'docs/components/buildah.md');
    writeFileSync(page, readFileSync(page, 'utf8').replace('| `stage` |', '| `stages` |'));
    writeFileSync(join(dir, 'README.md'), readFileSync(join(dir, 'README.md'), 'utf8').replace('| [`kaniko`]', '| [`kaniko2`]'));
    const before = readFileSync(template, 'utf8');
    const result = cigen(['build', '--check', '--root', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('templates/kaniko.yml');
    expect(result.stderr).toContain('docs/components/buildah.md');
    expect(result.stderr).toContain('README.md');
    expect(readFileSync(template, 'utf8')).toBe(before);
    // Each component's line says which of its files drifted, its page as well as its template.
    const line = (name: string) => result.stdout.split('\n').find((l) => l.startsWith(`✓ ${name} `));
    expect(line('kaniko')).toMatch(/ stale \(template\)$/);
    expect(line('buildah')).toMatch(/ stale \(page\)$/);
    expect(line('buildkit')).toMatch(/ up to date$/);
  });

  it.each([['.'], ['./'], ['cat/']])('--root %s (relative, not normalised): the drift named in full', (root) => {
    const dir = catalogCopy();
    const template = join(dir, 'templates/kaniko.yml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('stage: $[[ inputs.stage ]]', 'stage: test'));
    const cwd = root === 'cat/' ? dirname(dir) : dir;
    const arg = root === 'cat/' ? `${basename(dir)}/` : root;
    const result = cigen(['build', '--check', '--root', arg], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('cigen build --check: out of date: templates/kaniko.yml; run `cigen build` and commit the result\n');
    expect(result.stdout).toMatch(/^✓ kaniko .* stale \(template\)$/m);
    const json = JSON.parse(cigen(['build', '--check', '--root', arg, '--format', 'json'], { cwd }).stdout) as {
      components: { name: string; changed: boolean }[];
      changed: string[];
    };
    expect(json.changed).toEqual(['templates/kaniko.yml']);
    expect(json.components.find((c) => c.name === 'kaniko')?.changed).toBe(true);
  });

  it('--root that is missing or a file: a usage error (exit 2), one line', () => {
    const dir = catalogCopy();
    writeFileSync(join(dir, 'a-file'), '');
    expect(cigen(['build', '--root', join(dir, 'nowhere')])).toMatchObject({
      status: 2,
      stderr: `--root ${join(dir, 'nowhere')}: no such file or directory\n`,
    });
    expect(cigen(['build', '--check', '--root', join(dir, 'a-file')])).toMatchObject({
      status: 2,
      stderr: `--root ${join(dir, 'a-file')}: not a directory\n`,
    });
  });

  it('rewrites what drifted, removes stale generated templates, and is then current', () => {
    const dir = catalogCopy();
    writeFileSync(join(dir, 'templates/buildah.yml'), 'stale');
    writeFileSync(join(dir, 'templates/old.yml'), '# GENERATED by `cigen build` from an old component\nspec:\n');
    writeFileSync(join(dir, 'templates/hand-written.yml'), 'spec:\n');
    const result = cigen(['build', '--root', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/buildah .* written \(template\)$/m);
    expect(readFileSync(join(dir, 'templates/buildah.yml'), 'utf8')).toBe(readFileSync(join(ROOT, 'templates/buildah.yml'), 'utf8'));
    expect(existsSync(join(dir, 'templates/old.yml'))).toBe(false);
    expect(existsSync(join(dir, 'templates/hand-written.yml'))).toBe(true);
    expect(cigen(['build', '--check', '--root', dir]).status).toBe(0);
  });

  // What a write killed before its rename (SIGKILL, a runner gone), or an older cigen, left: temporary
  // files named as writeFilesAtomically names them, beside the files build writes.
  const LEFT_OVER = [
    'templates/.buildah.yml.0123456789ab.tmp',
    'docs/components/.kaniko.md.a1b2c3d4e5f6.tmp',
    '.README.md.abcdef012345.tmp',
  ];
  // Named otherwise, or of a file build does not write: someone else's.
  const NOT_OURS = ['.NOTREADME.md.abcdef012345.tmp', 'templates/.buildah.yml.tmp', 'templates/.notes.txt.0123456789ab.tmp'];

  it('--check names each temporary file a write left as drift, in the JSON too, and removes nothing', () => {
    const dir = catalogCopy();
    for (const path of [...LEFT_OVER, ...NOT_OURS]) writeFileSync(join(dir, path), 'spec:\n');
    mkdirSync(join(dir, 'templates/.dir.yml.0123456789ab.tmp'));
    const result = cigen(['build', '--check', '--root', dir]);
    expect(result.stderr).toBe(
      `cigen build --check: temporary file(s) an unfinished write left: ${LEFT_OVER.join(', ')}; run \`cigen build\` to remove them\n`,
    );
    expect(result.status).toBe(1);
    const json = cigen(['build', '--check', '--root', dir, '--format', 'json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ check: true, changed: [], stale: [], temporaries: LEFT_OVER });
    for (const path of [...LEFT_OVER, ...NOT_OURS]) expect(existsSync(join(dir, path)), path).toBe(true);
    // Beside drift: both said, and the drift's remedy.
    writeFileSync(join(dir, 'templates/kaniko.yml'), 'stale');
    expect(cigen(['build', '--check', '--root', dir]).stderr).toBe(
      'cigen build --check: out of date: templates/kaniko.yml; ' +
        `temporary file(s) an unfinished write left: ${LEFT_OVER.join(', ')}; run \`cigen build\` and commit the result\n`,
    );
  });

  it('removes the temporary files a write left, as stale generated files, saying how many, and is then current', () => {
    const dir = catalogCopy();
    for (const path of [...LEFT_OVER, ...NOT_OURS]) writeFileSync(join(dir, path), 'spec:\n');
    const result = cigen(['build', '--root', dir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/; 0 file\(s\) written, 3 left-over temporary file\(s\) removed\n$/);
    for (const path of LEFT_OVER) expect(existsSync(join(dir, path)), path).toBe(false);
    for (const path of NOT_OURS) expect(existsSync(join(dir, path)), path).toBe(true);
    expect(cigen(['build', '--check', '--root', dir]).status).toBe(0);
    writeFileSync(join(dir, LEFT_OVER[0] as string), 'spec:\n');
    expect(JSON.parse(cigen(['build', '--root', dir, '--format', 'json']).stdout)).toMatchObject({
      check: false,
      temporaries: [LEFT_OVER[0]],
    });
    expect(existsSync(join(dir, LEFT_OVER[0] as string))).toBe(false);
  });

  it('a temporary file a write left that it may not remove: exit 74 saying what was done', () => {
    const dir = catalogCopy();
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, LEFT_OVER[0] as string), 'spec:\n');
    // As nobody (setpriv) when the tests run as root: templates/ is root's, so the file cannot be removed.
    const result = cigenUnprivileged(['build', '--root', '.'], { cwd: dir });
    expect(result.stderr).toBe(
      `cannot remove the left-over temporary file ${LEFT_OVER[0]}: permission denied; the 0 changed file(s) were written\n`,
    );
    expect(result.status).toBe(74);
    expect(existsSync(join(dir, LEFT_OVER[0] as string))).toBe(true);
  });

  it('a write that fails (a read-only template): exit 74, and stdout never says "written" for what was not', () => {
    const dir = catalogCopy();
    writeFileSync(join(dir, 'templates/buildah.yml'), 'stale');
    chmodSync(join(dir, 'templates/buildah.yml'), 0o444);
    const result = cigen(['build', '--root', dir]);
    expect(result.status).toBe(74);
    expect(result.stderr).toMatch(/^cannot write .*templates\/buildah\.yml: the file is read-only; nothing was written\n$/);
    expect(result.stdout).not.toMatch(/written/);
    expect(readFileSync(join(dir, 'templates/buildah.yml'), 'utf8')).toBe('stale');
  });

  it('a stale generated template it may not remove: exit 74 saying what was done, not exit 70', () => {
    const dir = catalogCopy();
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'templates/old.yml'), '# GENERATED by `cigen build` from an old component\nspec:\n');
    // As nobody (setpriv) when the tests run as root: templates/ is root's, so the file cannot be removed.
    const result = cigenUnprivileged(['build', '--root', '.'], { cwd: dir });
    expect(result.stderr).toBe('cannot remove the stale templates/old.yml: permission denied; the 0 changed file(s) were written\n');
    expect(result.status).toBe(74);
    expect(existsSync(join(dir, 'templates/old.yml'))).toBe(true);
  });

  it.each([['<!-- cigen:components:start -->'], ['<!-- cigen:components:start ... -->'], ['<!-- cigen:components:start (x) -->']])(
    'takes the start marker as its message shows it (%s): the section is written between the markers',
    (marker) => {
      const dir = catalogCopy();
      writeFileSync(join(dir, 'README.md'), `# catalog\n\n${marker}\n<!-- cigen:components:end -->\n\nafter\n`);
      const result = cigen(['build', '--root', dir]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(
        `# catalog\n\n${readFileSync(join(ROOT, 'README.md'), 'utf8').match(/<!-- cigen:components:start[^]*?<!-- cigen:components:end -->/)?.[0]}\n\nafter\n`,
      );
    },
  );

  it('refuses a README without the components markers and writes no template', () => {
    const dir = catalogCopy();
    writeFileSync(join(dir, 'README.md'), '# no markers\n');
    writeFileSync(join(dir, 'templates/buildah.yml'), 'stale');
    const result = cigen(['build', '--root', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /README\.md: no components section markers \(<!-- cigen:components:start --> and <!-- cigen:components:end -->\)/,
    );
    expect(readFileSync(join(dir, 'templates/buildah.yml'), 'utf8')).toBe('stale');
  });

  it('refuses a README that is not UTF-8 at its first bad byte, --check too, and writes nothing (no U+FFFD for its bytes)', () => {
    const dir = catalogCopy();
    const readmePath = join(dir, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    // A Latin-1 byte outside the generated section, and the section stale: build has something to write.
    const bytes = Buffer.concat([Buffer.from(readme.replace('| [`kaniko`]', '| [`kaniko2`]')), Buffer.from('Caf\xe9 notes\n', 'latin1')]);
    writeFileSync(readmePath, bytes);
    writeFileSync(join(dir, 'templates/buildah.yml'), 'stale');
    const line = readme.split('\n').length;
    for (const check of [[], ['--check']]) {
      const result = cigen(['build', '--root', dir, ...check]);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toBe(
        `${readmePath}:${line}:4: byte 0xE9 is not UTF-8: build rewrites the components section of the file as UTF-8 text ` +
          'and would not write this byte back as it is (save the file as UTF-8); nothing was written\n',
      );
      expect(readFileSync(readmePath)).toEqual(bytes);
      expect(readFileSync(join(dir, 'templates/buildah.yml'), 'utf8')).toBe('stale');
    }
  });

  it('a template or a page holding bytes that are not UTF-8: out of date, and replaced whole by what cigen renders', () => {
    const dir = catalogCopy();
    const template = join(dir, 'templates/kaniko.yml');
    const page = join(dir, 'docs/components/sign.md');
    for (const file of [template, page]) writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('# caf\xe9\n', 'latin1')]));
    const check = cigen(['build', '--check', '--root', dir]);
    expect(check.status).toBe(1);
    expect(check.stderr).toBe(
      'cigen build --check: out of date: templates/kaniko.yml, docs/components/sign.md; run `cigen build` and commit the result\n',
    );
    expect(cigen(['build', '--root', dir]).status).toBe(0);
    expect(readFileSync(template)).toEqual(readFileSync(join(ROOT, 'templates/kaniko.yml')));
    expect(readFileSync(page)).toEqual(readFileSync(join(ROOT, 'docs/components/sign.md')));
  });

  it('--help says all that --check compares, and --check fails on each of them', () => {
    const help = cigen(['build', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      '--check write nothing; exit 1 when templates/, docs/components/ or README.md differ from what src/ renders, ' +
        'or a generated file no component renders or a temporary file of an unfinished write is left there ' +
        "(it renders and compares; the validating is build's, before it writes)",
    );
    const drifts: [string, (dir: string) => void, string][] = [
      ['templates/', (dir) => writeFileSync(join(dir, 'templates/kaniko.yml'), 'x'), 'templates/kaniko.yml'],
      ['docs/components/', (dir) => writeFileSync(join(dir, 'docs/components/sign.md'), 'x'), 'docs/components/sign.md'],
      [
        'README.md',
        (dir) => writeFileSync(join(dir, 'README.md'), readFileSync(join(ROOT, 'README.md'), 'utf8').replace('| [`sign`]', '| [`x`]')),
        'README.md',
      ],
      [
        'a generated template left',
        (dir) => writeFileSync(join(dir, 'templates/old.yml'), '# GENERATED by `cigen build` from an old component\n'),
        'templates/old.yml',
      ],
      [
        'a generated page left',
        (dir) => writeFileSync(join(dir, 'docs/components/old.md'), '<!-- GENERATED by `cigen build` from an old component -->\n'),
        'docs/components/old.md',
      ],
    ];
    for (const [what, drift, named] of drifts) {
      const dir = catalogCopy();
      drift(dir);
      const result = cigen(['build', '--check', '--root', dir]);
      expect(result.status, what).toBe(1);
      expect(result.stderr, what).toBe(`cigen build --check: out of date: ${named}; run \`cigen build\` and commit the result\n`);
    }
  });

  it('--format json describes each component', () => {
    const result = cigen(['build', '--check', '--format', 'json']);
    const report = JSON.parse(result.stdout) as { components: { name: string; inputs: number; changed: boolean }[] };
    expect(report.components.map((c) => c.name)).toEqual([
      'buildah',
      'buildah-rootless',
      'kaniko',
      'buildkit',
      'dind',
      'buildah-native',
      'manifest',
      'promote',
      'kaniko-compat',
      'doctor',
      'migration-bot',
      'sign',
      'sbom',
      'provenance',
      'verify',
    ]);
    const fewest: Record<string, number> = {
      'kaniko-compat': 11,
      doctor: 4,
      'migration-bot': 11,
      sign: 14,
      sbom: 14,
      provenance: 14,
      verify: 15,
    };
    expect(report.components.every((c) => !c.changed && c.inputs >= (fewest[c.name] ?? 19))).toBe(true);
  });
});

describe('cigen render', () => {
  it('prints the job GitLab would run for the given inputs', () => {
    const result = cigen(['render', 'buildah', '-i', 'tags=[v1.2.3, latest]', '-i', 'push=false', '-i', 'job-name=build-api']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^build-api:/);
    expect(result.stdout).toContain('value: list:["v1.2.3", "latest"]');
    expect(result.stdout).toContain('CIGEN_PUSH: false');
  });

  it('reads -i values as GitLab reads `inputs:` (YAML 1.1 as Psych: `yes` is true, `n` a string)', () => {
    expect(cigen(['render', 'buildah', '-i', 'push=yes']).stdout).toContain('CIGEN_PUSH: true');
    expect(cigen(['render', 'buildah', '-i', 'push=off']).stdout).toContain('CIGEN_PUSH: false');
    expect(cigen(['render', 'buildah', '-i', 'tags=[n]']).stdout).toContain('value: list:["n"]');
  });

  it('reads `-i name=` as `name:` under inputs: null, which is the default', () => {
    const context = (flags: string[]) => /CIGEN_CONTEXT:\n\s+value: (.*)/.exec(cigen(['render', 'buildah', ...flags]).stdout)?.[1];
    expect(context(['-i', 'context='])).toBe('"."');
    expect(context(['-i', "context=''"])).toBe('""');
    expect(cigen(['render', 'buildah', '-i', 'push=']).stdout).toContain('CIGEN_PUSH: true');
  });

  it.each([
    [['-i', 'storage-driver=btrfs'], '`storage-driver` input: `btrfs` cannot be used because it is not in the list of allowed options'],
    [['-i', 'tags=[v1, "bad tag\\""]'], '`tags` input: "bad tag\\"" is not a valid image tag'],
    [['-i', 'push=maybe'], '`push` input: provided value is not a boolean'],
    [['-i', 'bogus=1'], 'unknown input arguments: bogus'],
    [['-i', 'build-args=[not a pair]'], '`build-args` input: "not a pair" is not KEY=VALUE'],
    // An input name like any other, not the object's prototype (which took the value unseen).
    [['-i', '__proto__={push: false}'], 'unknown input arguments: __proto__'],
    [['-i', 'registry-password=glpat-SECRET'], '`registry-password` input: the password is written out in the file'],
  ])('refuses %j naming the input, and writes nothing', (flags, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-render-'));
    temps.push(dir);
    const out = join(dir, 'job.yml');
    const result = cigen(['render', 'buildah', ...flags, '-o', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('job.yml not written');
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown component is a usage error', () => {
    const result = cigen(['render', 'podman']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('buildah, buildah-rootless, kaniko, buildkit, dind');
  });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-project-'));
  temps.push(dir);
  mkdirSync(join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('cigen lint', () => {
  it('this repository lints clean: its pipeline and every template', () => {
    const result = cigen(['lint']);
    // The pipeline and every template.
    expect(result.stdout).toMatch(new RegExp(`^${CATALOG.length + 1} file\\(s\\) clean$`, 'm'));
    expect(result.status).toBe(0);
  });

  it('prints file:line:col severity code message with a code frame, and exits 1 on errors', () => {
    const dir = project({ '.gitlab-ci.yml': 'build:\n  stage: build\n  scirpt: [make]\n' });
    const result = cigen(['lint', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      '.gitlab-ci.yml:3:3 error schema/unknown-key jobs:build config contains unknown keys: scirpt (did you mean script?)',
    );
    expect(result.stdout).toContain('  > 3 |   scirpt: [make]\n      |   ^');
    expect(result.stdout).toMatch(/2 error\(s\), 0 warning\(s\) in 1 file\(s\)/);
  });

  it('exits 0 when there are only warnings', () => {
    const dir = project({ '.gitlab-ci.yml': 'build:\n  script: [a]\n  script: [b]\n' });
    const result = cigen(['lint', '.'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('warning yaml/duplicate-key');
  });

  it('--format json prints one array for all files, six fields each', () => {
    const dir = project({ '.gitlab-ci.yml': 'include: ci/jobs.yml\n', 'ci/jobs.yml': 'job:\n  stage: nowhere\n  script: [x]\n' });
    const result = cigen(['lint', '--format', 'json', '.gitlab-ci.yml', 'ci/jobs.yml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: 'ci/jobs.yml',
        line: 2,
        column: 10,
        severity: 'error',
        code: 'semantic/undefined-stage',
        message: 'job job: chosen stage nowhere does not exist; available stages are .pre, build, test, deploy, .post',
      },
    ]);
  });

  it('--schema-only runs only the YAML and schema layers', () => {
    const dir = project({ '.gitlab-ci.yml': 'build:\n  stage: nowhere\n  script: [x]\n' });
    expect(cigen(['lint', '.gitlab-ci.yml'], { cwd: dir }).status).toBe(1);
    expect(cigen(['lint', '--schema-only', '.gitlab-ci.yml'], { cwd: dir }).status).toBe(0);
  });

  it('a missing path or a directory without CI files is a usage error', () => {
    expect(cigen(['lint', 'nope.yml']).status).toBe(2);
    expect(cigen(['lint', project({ 'README.md': 'x' })]).status).toBe(2);
  });
});

describe('cigen migrate', () => {
  const KANIKO = `# the app image
build:
  stage: build
  image: {name: gcr.io/kaniko-project/executor:v1.23.2-debug, entrypoint: [""]}
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA --cache
  rules:
    - if: $CI_COMMIT_BRANCH
`;

  it('is a dry run by default: a report and a unified diff, and the file is untouched', () => {
    const dir = project({ '.gitlab-ci.yml': KANIKO });
    const result = cigen(['migrate', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('.gitlab-ci.yml: changed\n  ✓ build: migrated → $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n');
    expect(result.stdout).toContain('--- a/.gitlab-ci.yml\n+++ b/.gitlab-ci.yml\n@@ ');
    expect(result.stdout).toContain('-  image: {name: gcr.io/kaniko-project/executor:v1.23.2-debug, entrypoint: [""]}\n');
    expect(result.stdout).toContain('+  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n');
    expect(result.stdout).toMatch(/1 migrated, 0 need review, 0 unchanged; would rewrite 1 file\(s\) \(dry run: add --write\)\n$/);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(KANIKO);
  });

  it('the diff applies where its paths are: from the cwd, or from the project root for a file outside the cwd', () => {
    const included = KANIKO.replace('build:', 'sub-build:');
    const dir = project({ '.git/HEAD': '', '.gitlab-ci.yml': `include:\n  - local: sub/jobs.yml\n${KANIKO}`, 'sub/jobs.yml': included });
    const inside = cigen(['migrate', '.gitlab-ci.yml'], { cwd: dir });
    expect(inside.stdout).toContain('--- a/.gitlab-ci.yml\n+++ b/.gitlab-ci.yml\n');
    expect(inside.stdout).toContain('--- a/sub/jobs.yml\n+++ b/sub/jobs.yml\n');
    // From a subdirectory: git apply refuses `a/../.gitlab-ci.yml`, and one diff has one base: the
    // project root for every file, the included one too.
    const outside = cigen(['migrate', '../.gitlab-ci.yml'], { cwd: join(dir, 'sub') });
    expect(outside.stdout).toContain('../.gitlab-ci.yml: changed\n');
    expect(outside.stdout).toContain('--- a/.gitlab-ci.yml\n+++ b/.gitlab-ci.yml\n');
    expect(outside.stdout).toContain('jobs.yml: changed\n');
    expect(outside.stdout).toContain('--- a/sub/jobs.yml\n+++ b/sub/jobs.yml\n');
    expect(outside.stdout).toContain(
      "the diff's paths are relative to .. (the project root, as a file it changes is outside this directory): apply it there\n",
    );
    expect(inside.stdout).not.toContain("the diff's paths are relative to");
  });

  it('files of two projects, one outside the cwd: paths from the directory that holds both, which it names; the diff applies there', () => {
    const other = KANIKO.replace('build:', 'other-build:');
    const parent = project({ 'a/.git/HEAD': '', 'a/.gitlab-ci.yml': KANIKO, 'b/.git/HEAD': '', 'b/.gitlab-ci.yml': other });
    const dry = cigen(['migrate', '.gitlab-ci.yml', '../b/.gitlab-ci.yml'], { cwd: join(parent, 'a') });
    expect(dry.stdout).toContain('--- a/a/.gitlab-ci.yml\n+++ b/a/.gitlab-ci.yml\n');
    expect(dry.stdout).toContain('--- a/b/.gitlab-ci.yml\n+++ b/b/.gitlab-ci.yml\n');
    expect(dry.stdout).toContain(
      "the diff's paths are relative to .. (the directory that holds the 2 projects, as a file it changes is outside this directory): apply it there\n",
    );
    const applied = spawnSync('git', ['apply', '-'], { cwd: parent, input: dry.stdout, encoding: 'utf8' });
    expect(applied.status, applied.stderr).toBe(0);
    const written = [readFileSync(join(parent, 'a/.gitlab-ci.yml'), 'utf8'), readFileSync(join(parent, 'b/.gitlab-ci.yml'), 'utf8')];
    // The same files --write makes.
    const again = project({ 'a/.git/HEAD': '', 'a/.gitlab-ci.yml': KANIKO, 'b/.git/HEAD': '', 'b/.gitlab-ci.yml': other });
    expect(cigen(['migrate', '--write', '.gitlab-ci.yml', '../b/.gitlab-ci.yml'], { cwd: join(again, 'a') }).status).toBe(0);
    expect(written).toEqual([readFileSync(join(again, 'a/.gitlab-ci.yml'), 'utf8'), readFileSync(join(again, 'b/.gitlab-ci.yml'), 'utf8')]);
    expect(written[0]).not.toBe(KANIKO);
  });

  it('--write rewrites in place, lints clean, and a second run changes nothing', () => {
    const dir = project({ '.gitlab-ci.yml': KANIKO });
    expect(cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: dir }).stdout).toContain('rewrote 1 file(s)');
    const migrated = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(migrated.startsWith('include:\n  - component: ')).toBe(true);
    expect(migrated).toContain('\n# the app image\nbuild:\n  stage: build\n  rules:\n');
    expect(cigen(['lint', '.gitlab-ci.yml'], { cwd: dir })).toMatchObject({ status: 0 });
    const again = cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: dir });
    expect(again.stdout).toContain('rewrote 0 file(s)');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(migrated);
  });

  it('--format json prints the report and each full result', () => {
    const dir = project({ '.gitlab-ci.yml': KANIKO });
    const result = cigen(
      ['migrate', '--format', 'json', '--component-ref', 'gitlab.example.com/platform/cigen/buildah@2.1.0', '.gitlab-ci.yml'],
      { cwd: dir },
    );
    const report = JSON.parse(result.stdout);
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({
      path: '.gitlab-ci.yml',
      changed: true,
      jobs: [
        {
          name: 'build',
          status: 'migrated',
          component: 'gitlab.example.com/platform/cigen/buildah@2.1.0',
          inputs: { 'job-name': 'build', image: '$CI_REGISTRY_IMAGE', tags: ['$CI_COMMIT_SHORT_SHA'] },
          notes: [expect.stringContaining('wrote no /kaniko/.docker/config.json')],
        },
      ],
    });
    expect(report.files[0].result).toContain('  - component: gitlab.example.com/platform/cigen/buildah@2.1.0\n');
  });

  it('invalid YAML: an error with its line, exit 1, and no file is written', () => {
    const dir = project({ '.gitlab-ci.yml': KANIKO, 'broken.yml': 'build:\n  script: [a\n  stage: x\n' });
    const result = cigen(['migrate', '--write', '.gitlab-ci.yml', 'broken.yml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^broken\.yml:\d+:\d+: invalid YAML: .*; nothing was written\n$/);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(KANIKO);
  });

  it('usage errors: no file, a missing file, a malformed --component-ref', () => {
    expect(cigen(['migrate']).status).toBe(2);
    expect(cigen(['migrate', 'nope.yml']).status).toBe(2);
    const dir = project({ '.gitlab-ci.yml': KANIKO });
    expect(cigen(['migrate', '--component-ref', 'buildah', '.gitlab-ci.yml'], { cwd: dir })).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--component-ref buildah: expected'),
    });
  });

  it('--component-ref: the catalog path@version gets buildah added (as init does); another component is refused', () => {
    const dir = project({ '.gitlab-ci.yml': KANIKO });
    const catalog = cigen(['migrate', '--component-ref', 'gitlab.example.com/platform/cigen@1.2.0', '.gitlab-ci.yml'], { cwd: dir });
    expect(catalog.status).toBe(0);
    expect(catalog.stdout).toContain('+  - component: gitlab.example.com/platform/cigen/buildah@1.2.0\n');
    // An include of kaniko with buildah's inputs: GitLab would refuse the pipeline.
    expect(cigen(['migrate', '--component-ref', '$CI_SERVER_FQDN/ci-components/cigen/kaniko@1', '.gitlab-ci.yml'], { cwd: dir })).toEqual({
      status: 2,
      stdout: '',
      stderr:
        '--component-ref $CI_SERVER_FQDN/ci-components/cigen/kaniko@1 is the kaniko component, but jobs move onto buildah ' +
        '(and kaniko-compat): pass .../buildah@<version>, or the catalog path@version\n',
    });
  });
});

describe('colour', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('NO_COLOR set to a value turns it off; set but empty it does not (no-color.org: "present and not an empty string")', () => {
    vi.stubEnv('TERM', 'xterm');
    vi.stubEnv('NO_COLOR', '1');
    expect(colorWanted(true)).toBe(false);
    vi.stubEnv('NO_COLOR', '');
    expect(colorWanted(true)).toBe(true);
    vi.stubEnv('NO_COLOR', undefined);
    expect(colorWanted(true)).toBe(true);
    expect(colorWanted(false)).toBe(false);
  });
});

describe('the --format json document', () => {
  it('a value that cannot be serialised is not counted as written, and nothing reaches stdout (program.ts then prints the error document)', async () => {
    vi.resetModules();
    const output = await import('../../src/cli/output.js');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(() => output.writeJson({ size: 1n })).toThrow(TypeError);
      expect(output.jsonDocumentWritten()).toBe(false);
      expect(write).not.toHaveBeenCalled();
      output.writeJson({ size: 1 });
      expect(output.jsonDocumentWritten()).toBe(true);
      expect(write).toHaveBeenCalledWith('{"size":1}\n');
    } finally {
      write.mockRestore();
    }
  });
});
