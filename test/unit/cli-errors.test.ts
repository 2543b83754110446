/**
 * The CLI's error contract: a user's mistake (a missing or unreadable file, a directory where a
 * file belongs, a flag value that is not YAML) is one clean line and exit 2; a file whose content
 * is wrong (malformed YAML, an alias bomb, a second document) is exit 1; never a stack trace. Internal errors are exit 70; output that
 * cannot be written is exit 74, a reader gone 141.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/exit.js';
import { outputErrorLine } from '../../src/cli/stdio.js';
import { setVerbose } from '../../src/cli/verbose.js';
import { InputError, UsageError } from '../../src/errors.js';
import { cigen, cigenUnprivileged } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-cli-errors-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'a-directory'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`),
  '',
].join('\n');

function expectOneCleanLine(result: { status: number | null; stderr: string }, status: number, text: string | RegExp) {
  expect(result.status, result.stderr).toBe(status);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(text);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('a file the user named that cannot be read is a usage error (exit 2, one line)', () => {
  it.each([
    [
      'render --inputs, missing',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'nope.yml')],
      /^--inputs .*nope\.yml: no such file or directory$/,
    ],
    [
      'render --inputs, a directory',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'a-directory')],
      /is a directory, not a file$/,
    ],
    ['render --inputs, a device', () => ['render', 'buildah', '--inputs', '/dev/null'], /^--inputs \/dev\/null: not a regular file$/],
    [
      'render -i, a value that holds itself',
      () => ['render', 'buildah', '-i', 'tags=&a [*a]'],
      new RegExp(
        '^--input tags: the value cannot be read as YAML: an alias inside the node it names ' +
          '\\(a value that holds itself\\) \\(line 1, column 5 of the value\\)$',
      ),
    ],
    [
      'render -i, an unknown tag',
      () => ['render', 'buildah', '-i', 'tags=!reference [a]'],
      /^--input tags: the value cannot be read as YAML: Unresolved tag: !reference \(line 1, column 1 of the value\)$/,
    ],
    [
      'doctor --report, missing',
      (d: string) => ['doctor', '--report', join(d, 'nope.json')],
      /no such file or directory \(download cigen-doctor\.json/,
    ],
    ['doctor --report, a directory', (d: string) => ['doctor', '--report', join(d, 'a-directory')], /is a directory, not a file$/],
    ['doctor --report, a device', () => ['doctor', '--report', '/dev/null'], /not a regular file$/],
    ['migrate, missing', (d: string) => ['migrate', join(d, 'nope.yml')], /nope\.yml: no such file or directory$/],
    ['migrate, a directory', (d: string) => ['migrate', join(d, 'a-directory')], /a-directory: is a directory, not a file$/],
    [
      'init --doctor-report, missing',
      (d: string) => ['init', d, '--doctor-report', join(d, 'nope.json')],
      /^--doctor-report .*: no such file or directory$/,
    ],
  ])('%s', (_name, args, message) => {
    const dir = scratch({
      'broken.yml': 'a: [\n',
      'bomb.yml': ALIAS_BOMB,
      'list.yml': '- a\n',
      'self.yml': 'tags: &a [*a]\n',
      Dockerfile: 'FROM alpine\n',
    });
    expectOneCleanLine(cigen(args(dir)), 2, message);
  });
});

describe('a file cigen cannot read (permission denied) is a usage error: exit 2, one line naming it, never "a bug in cigen"', () => {
  const KANIKO = 'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination x\n';
  /** A project open to the unprivileged user, but for the files named in `locked` (mode 000). */
  function project(files: Record<string, string>, locked: readonly string[]): string {
    const dir = scratch();
    chmodSync(dir, 0o755);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, name), text, { mode: 0o644 });
    }
    for (const name of locked) chmodSync(join(dir, name), 0o000);
    return dir;
  }
  const INCLUDES = 'include:\n  - local: inc.yml\ntest:\n  script: [echo]\n';

  it.each([
    [
      'lint, a file named',
      { 'secret.gitlab-ci.yml': 'test:\n  script: [echo]\n' },
      ['secret.gitlab-ci.yml'],
      ['lint', 'secret.gitlab-ci.yml'],
      'secret.gitlab-ci.yml',
    ],
    [
      'lint, a directory holding one',
      { '.gitlab-ci.yml': 'test:\n  script: [echo]\n', 'other.yml': 'a: 1\n' },
      ['other.yml'],
      ['lint', '.'],
      'other.yml',
    ],
    [
      'lint, a local include',
      { '.gitlab-ci.yml': INCLUDES, 'inc.yml': 'x:\n  script: [echo]\n' },
      ['inc.yml'],
      ['lint', '.gitlab-ci.yml'],
      'inc.yml',
    ],
    [
      'lint, a local include in a directory it may not enter (not "does not exist")',
      { '.gitlab-ci.yml': INCLUDES.replace('inc.yml', 'sub/inc.yml'), 'sub/inc.yml': 'x:\n  script: [echo]\n' },
      ['sub'],
      ['lint', '.gitlab-ci.yml'],
      'sub/inc.yml',
    ],
    [
      'migrate, a local include',
      { '.gitlab-ci.yml': INCLUDES + KANIKO, 'inc.yml': 'x:\n  script: [echo]\n' },
      ['inc.yml'],
      ['migrate', '.gitlab-ci.yml'],
      'inc.yml',
    ],
    ['build, the README', { 'README.md': '# x\n' }, ['README.md'], ['build', '--root', '.', '--check'], 'README.md'],
    [
      'publish, the CHANGELOG',
      { 'package.json': '{"version": "1.0.0", "description": "x"}', 'CHANGELOG.md': '## 1.0.0\n' },
      ['CHANGELOG.md'],
      ['publish', '--dry-run', '--tag', '1.0.0', '--root', '.'],
      'CHANGELOG.md',
    ],
    [
      'publish, a template',
      {
        'package.json': '{"version": "1.0.0", "description": "x"}',
        'templates/kaniko.yml': 'spec:\n  inputs: {}\n---\nx:\n  script: [echo]\n',
      },
      ['templates/kaniko.yml'],
      ['publish', '--dry-run', '--tag', '1.0.0', '--root', '.'],
      'templates/kaniko.yml',
    ],
  ])('%s', (_name, files, locked, args, named) => {
    const dir = project(files, locked);
    const result = cigenUnprivileged(args, { cwd: dir });
    // Open again, so that the scratch directory can be removed by a user who is not root.
    for (const name of locked) chmodSync(join(dir, name), 0o755);
    expectOneCleanLine(result, 2, new RegExp(`^(\\./)?${named.replace(/\./g, '\\.')}: cannot read it \\(permission denied\\)$`));
  });
});

describe('options that do not go together are refused (exit 2, one line), never silently ignored', () => {
  it.each([
    [
      'init --builder with --doctor-report (the report would never be opened)',
      (d: string) => ['init', d, '--builder', 'kaniko', '--doctor-report', join(d, 'missing.json'), '--yes'],
      /^--builder and --doctor-report both choose the builder: give one of them$/,
    ],
    [
      'publish --ref without --create-release',
      (d: string) => ['publish', '--dry-run', '--tag', '1.0.0', '--root', d, '--ref', 'nonexistent-ref'],
      /^--ref goes with --create-release \(the release through the API\); without it, it does nothing$/,
    ],
    [
      'publish --project and --gitlab-url without --create-release',
      (d: string) => ['publish', '--tag', '1.0.0', '--root', d, '--project', 'x/y', '--gitlab-url', 'https://gitlab.example.com'],
      /^--gitlab-url and --project go with --create-release \(the release through the API\); without it, they do nothing$/,
    ],
  ])('%s', (_name, args, message) => {
    const dir = scratch({ Dockerfile: 'FROM alpine\n', 'package.json': '{"version": "1.0.0", "description": "x"}' });
    expectOneCleanLine(cigen(args(dir)), 2, message);
    expect(existsSync(join(dir, '.gitlab-ci.yml'))).toBe(false);
  });
});

describe('a file whose content is wrong is exit 1', () => {
  it.each([
    [
      'render --inputs, malformed YAML',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'broken.yml')],
      /^--inputs .*broken\.yml:\d+:\d+: cannot be read as YAML: [^\n]*[^:]$/,
    ],
    [
      'render --inputs, an alias bomb',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'bomb.yml')],
      /^--inputs .*bomb\.yml: cannot be read as YAML: /,
    ],
    [
      'render --inputs, a value that holds itself',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'self.yml')],
      /^--inputs .*self\.yml:1:11: cannot be read as YAML: an alias inside the node it names \(a value that holds itself\)$/,
    ],
    [
      'render --inputs, a list',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'list.yml')],
      /expected a mapping of input names to values$/,
    ],
    [
      'render --inputs, a second YAML document (it would be dropped without a word)',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'two.yml')],
      /^--inputs .*two\.yml:2:1: cannot be read as YAML: more than one YAML document: the file must hold one mapping$/,
    ],
    [
      'render --inputs, a second document after an end marker',
      (d: string) => ['render', 'buildah', '--inputs', join(d, 'ended.yml')],
      /^--inputs .*ended\.yml:3:1: cannot be read as YAML: more than one YAML document: the file must hold one mapping$/,
    ],
  ])('%s: one line', (_name, args, message) => {
    const dir = scratch({
      'broken.yml': 'a: [\n',
      'bomb.yml': ALIAS_BOMB,
      'list.yml': '- a\n',
      'self.yml': 'tags: &a [*a]\n',
      'two.yml': 'push: false\n---\ntags: [x]\n',
      'ended.yml': 'push: false\n...\ngarbage: [\n',
    });
    expectOneCleanLine(cigen(args(dir)), 1, message);
  });

  it('render --inputs, a file that ends with `---` and nothing after it: read, nothing is dropped', () => {
    const dir = scratch({ 'ends.yml': 'push: false\n---\n', 'comment.yml': 'push: false\n---\n# nothing more\n' });
    for (const file of ['ends.yml', 'comment.yml']) {
      const result = cigen(['render', 'buildah', '--inputs', join(dir, file)]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('CIGEN_PUSH: false');
    }
  });

  it('render --inputs: a refused value names the file, line and column it is written at; one from -i names none', () => {
    const dir = scratch({
      'in.yml': '# inputs\nimage: registry.example/app\n\ntags: [ok, "b c"]\nregistry-password:   hunter2\n',
      'unknown.yml': 'image: registry.example/app\n  # indented comment\n"mystery": 1\n',
    });
    const file = join(dir, 'in.yml');
    const result = cigen(['render', 'buildah', '--inputs', file]);
    expect(result.status).toBe(1);
    // At the value: what the message is about.
    expect(result.stderr).toContain(`${file}:4:7: \`tags\` input: "b c" is not a valid image tag`);
    expect(result.stderr).toContain(`${file}:5:22: \`registry-password\` input: the password is written out`);
    expect(result.stderr).not.toContain('hunter2');
    // At the key: the name is what is wrong.
    const unknown = cigen(['render', 'buildah', '--inputs', join(dir, 'unknown.yml')]);
    expect(unknown.stderr).toContain(`${join(dir, 'unknown.yml')}:3:1: unknown input arguments: mystery`);
    // Given again with -i, the value is the flag's: the file's line would point at a value not used.
    const overridden = cigen(['render', 'buildah', '--inputs', file, '-i', 'tags=[x, "y z"]']);
    expect(overridden.status).toBe(1);
    expect(overridden.stderr).toMatch(/^ {2}`tags` input: "y z" is not a valid image tag/m);
  });

  it('render --inputs: every refusal from the file at file:line:col, as its YAML errors are', () => {
    const dir = scratch({ 'in.yml': 'push: false\ntags: [a, b]\nfoo: 1\nbuild-args: 5\n  # x\n"push-retries": &n   101\n' });
    const file = join(dir, 'in.yml');
    const result = cigen(['render', 'buildah', '--inputs', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        'buildah: the inputs were refused',
        `  ${file}:3:1: unknown input arguments: foo`,
        `  ${file}:4:13: \`build-args\` input: provided value is not an array`,
        '',
      ].join('\n'),
    );
    // Once the names and types are right, cigen's own checks of the values: at the value, after its anchor.
    writeFileSync(file, 'tags: [a]\n"push-retries": &n   101\n');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(
      `  ${file}:2:22: \`push-retries\` input: 101 is not a whole number`,
    );
  });

  it('render --inputs: a value a merge key (<<) brings in over one written before it is named where the merge key writes it', () => {
    // Psych: what `<<` brings in replaces the keys written before it; the value refused is the merged one.
    const dir = scratch({ 'in.yml': 'push: true\n<<: {push: 1}\n' });
    const file = join(dir, 'in.yml');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toBe(
      ['buildah: the inputs were refused', `  ${file}:2:12: \`push\` input: provided value is not a boolean`, ''].join('\n'),
    );
    // Through an alias: where the anchored map writes it; a key after the merge key wins again.
    writeFileSync(file, 'x: &m {push: 1}\npush: true\n<<: *m\n');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(
      `  ${file}:1:14: \`push\` input: provided value is not a boolean`,
    );
    writeFileSync(file, '<<: {push: true}\npush: 1\n');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(
      `  ${file}:2:7: \`push\` input: provided value is not a boolean`,
    );
  });

  it('render --inputs: a byte order mark is no column of the first line', () => {
    const dir = scratch({ 'in.yml': '\ufeffpush: maybe\n' });
    const file = join(dir, 'in.yml');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(
      `  ${file}:1:7: \`push\` input: provided value is not a boolean`,
    );
    writeFileSync(file, '\ufeffpush: [\n');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(`--inputs ${file}:2:1: cannot be read as YAML`);
  });

  it('render --inputs: lines ended by a carriage return alone are lines, as YAML (and GitLab) reads them', () => {
    const dir = scratch({ 'in.yml': 'push: false\rtags: [v1]\r' });
    const file = join(dir, 'in.yml');
    const result = cigen(['render', 'buildah', '--inputs', file]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('    CIGEN_PUSH: false\n');
    expect(result.stdout).toContain('      value: list:["v1"]\n');
    writeFileSync(file, '# a comment\rpush: maybe\r');
    expect(cigen(['render', 'buildah', '--inputs', file]).stderr).toContain(
      `  ${file}:2:7: \`push\` input: provided value is not a boolean`,
    );
  });

  it.each([
    ['13.11: migrate, an alias bomb', ALIAS_BOMB, /invalid YAML: Excessive alias count/],
    ['migrate, an alias to no anchor', 'build:\n  variables: *nowhere\n  script: [x]\n', /invalid YAML: Unresolved alias/],
  ])('%s: one line, nothing written', (_name, text, message) => {
    const dir = scratch({ 'p.yml': text });
    expectOneCleanLine(cigen(['migrate', '--write', join(dir, 'p.yml')]), 1, message);
    expect(readFileSync(join(dir, 'p.yml'), 'utf8')).toBe(text);
  });

  it('13.19: doctor --report prints what the report holds with control characters escaped', () => {
    const report = {
      version: 1,
      executor: 'docker',
      checks: Object.fromEntries(
        ['userns', 'mount', 'seccomp', 'apparmor', 'proc-unmasked', 'overlay', 'fuse', 'privileged'].map((name) => [
          name,
          { ok: name !== 'privileged', detail: name === 'seccomp' ? 'mode 0\u001b[2J\nRecommended: dind' : 'fine' },
        ]),
      ),
      verdicts: Object.fromEntries(
        ['buildah', 'buildah-rootless', 'kaniko', 'buildkit', 'dind'].map((b) => [b, { ok: true, missing: [] }]),
      ),
      recommendation: 'buildah',
      reason: 'x',
    };
    const dir = scratch({ 'r.json': JSON.stringify(report) });
    const result = cigen(['doctor', '--report', join(dir, 'r.json')]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toMatch(/^seccomp +yes +mode 0\\x1b\[2J\\nRecommended: dind$/m);
    expect(result.stdout.match(/^Recommended:/gm)).toHaveLength(1);
  });

  it('doctor --report with a report of the wrong shape', () => {
    const dir = scratch({ 'r.json': '{"version": 1}' });
    expectOneCleanLine(cigen(['doctor', '--report', join(dir, 'r.json')]), 1, /not a cigen doctor report: executor is missing$/);
  });

  it('publish --tag with regex characters: a failed check, not a crash', () => {
    const result = cigen(['publish', '--dry-run', '--tag', '1.0.0(']);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('1.0.0(: not a semantic version; the Catalog publishes only semver tags');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('--format json: standard output holds one JSON document whatever the exit code', () => {
  const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // A trusted root that verify takes with --key (one transparency log), so that it reaches the registry.
  const ROOT = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.example.com',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: createPublicKey(KEY).export({ type: 'spki', format: 'der' }).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2026-01-01T00:00:00Z' },
        },
        logId: { keyId: Buffer.alloc(32).toString('base64') },
      },
    ],
  });
  it.each([
    [
      'migrate, an include that is not valid YAML',
      (d: string) => ['migrate', join(d, 'p.yml'), '--format', 'json'],
      1,
      /inc\.yml:2:1: invalid YAML: .*; nothing was written$/,
    ],
    [
      'doctor, a report of the wrong shape',
      (d: string) => ['doctor', '--report', join(d, 'bad.json'), '--format', 'json'],
      1,
      /not a cigen doctor report/,
    ],
    ['build, a README without the markers', (d: string) => ['build', '--root', d, '--format', 'json'], 1, /no components section markers/],
    [
      'verify, a registry that cannot be reached',
      (d: string) => [
        'verify',
        `127.0.0.1:9/x@sha256:${'a'.repeat(64)}`,
        '--key',
        join(d, 'k.pub'),
        '--trusted-root',
        join(d, 'root.json'),
        '--format',
        'json',
      ],
      1,
      /^cannot reach 127\.0\.0\.1:9: /,
    ],
    [
      'lint, a file that is not there',
      (d: string) => ['lint', join(d, 'nope.yml'), '--format', 'json'],
      2,
      /nope\.yml: no such file or directory$/,
    ],
    [
      'doctor, a report that is not there',
      (d: string) => ['doctor', '--report', join(d, 'nope.json'), '--format', 'json'],
      2,
      /no such file/,
    ],
  ])('%s: {"error": {"exitCode", "message"}}, the message also on stderr', (_name, args, status, message) => {
    const dir = scratch({
      'p.yml': 'include:\n  - local: inc.yml\ntest:\n  script: [echo]\n',
      'inc.yml': 'a: [\n',
      'bad.json': '{"version": 1}',
      'README.md': '# no markers\n',
      'k.pub': KEY,
      'root.json': ROOT,
    });
    mkdirSync(join(dir, '.git'));
    const result = cigen(args(dir));
    expect(result.status, result.stderr).toBe(status);
    const document = JSON.parse(result.stdout) as { error: { exitCode: number; message: string } };
    expect(Object.keys(document)).toEqual(['error']);
    expect(document.error.exitCode).toBe(status);
    expect(document.error.message).toMatch(message);
    expect(result.stderr).toBe(`${document.error.message}\n`);
  });

  it("findings are the command's own document (lint's array), not an error one", () => {
    const dir = scratch({ '.gitlab-ci.yml': 'job:\n  script: [x]\n  scirpt: x\n' });
    const lint = cigen(['lint', join(dir, '.gitlab-ci.yml'), '--format', 'json']);
    expect(lint.status).toBe(1);
    expect(JSON.parse(lint.stdout)).toEqual([expect.objectContaining({ severity: 'error' })]);
  });
});

describe('internal errors', () => {
  it('exit 70, one line asking for a report; the stack only with --verbose', () => {
    const lines: string[] = [];
    expect(reportError(new TypeError('x is undefined'), (t) => lines.push(t))).toBe(70);
    expect(lines.join('')).toBe(
      'cigen: internal error: x is undefined\n' +
        'cigen: this is a bug in cigen; please report it with the output of the same command run with --verbose\n',
    );
    lines.length = 0;
    setVerbose(true);
    reportError(new TypeError('x is undefined'), (t) => lines.push(t));
    expect(lines.join('')).toMatch(/^cigen: internal error: x is undefined\nTypeError: x is undefined\n\s+at /);
  });

  it('typed errors keep their exit codes', () => {
    expect(reportError(new UsageError('bad flag'), () => undefined)).toBe(2);
    expect(reportError(new InputError('bad value'), () => undefined)).toBe(1);
  });

  it('bare `cigen` prints the help on stderr and exits 2', () => {
    const result = cigen([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: cigen [options] [command]');
    expect(result.stderr).toContain('Exit codes: 0 success');
  });

  it('`cigen --verbose` (no command to run) prints the help on stderr and exits 2', () => {
    const result = cigen(['--verbose']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: cigen [options] [command]');
    expect(result.stderr).toContain('Exit codes: 0 success');
  });

  it.each([
    ['help nosuch', 'nosuch'],
    ['help bulid', 'bulid'],
    ['--verbose help nosuch', '--verbose nosuch'],
  ])('`cigen %s` names the command it does not know, as `cigen %s` does, and exits 2', (asked, run) => {
    const result = cigen(asked.split(' '));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`error: unknown command '${run.split(' ').at(-1)}'`);
    // Commander's own words, its suggestion too: the two read the same.
    expect(result.stderr).toBe(cigen(run.split(' ')).stderr);
  });

  it.each(['help', 'help lint'])('`cigen %s`, the help asked for, exits 0', (args) => {
    const result = cigen(args.split(' '));
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Usage: cigen');
    expect(result.status).toBe(0);
  });
});

describe('a reader that goes away (`| head`)', () => {
  // More output than a pipe holds (64 KB), so writes go on after `head` has closed the pipe.
  it.each([
    ['render buildah', 'the whole CLI, 200 KB on stdout', 'status=141\n'],
    ['lint .gitlab-ci.yml', 'the lint bundle, 2,000 findings', 'status=141\n'],
    ['lint missing.yml', 'nothing on stdout: its own status', 'status=2\n'],
    ['render buildah > out.yml', 'stdout to a file', 'status=0\n'],
  ])('`cigen %s` (%s), piped into head: no stack trace', (args, _what, status) => {
    const bin = resolve(import.meta.dirname, '../../bin/cigen.cjs');
    const dir = scratch({ '.gitlab-ci.yml': Array.from({ length: 2000 }, (_, i) => `job-${i}:\n  stage: test\n`).join('') });
    const script = `"$0" "$1" ${args} | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script, process.execPath, bin], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
      // Not a socket on stdin: bash would take itself for a remote shell and read ~/.bashrc.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(result.stdout).toBe(status);
    expect(result.stderr).toBe(args.startsWith('lint missing') ? 'missing.yml: no such file or directory\n' : '');
  });
});

describe('output into a pipe something made non-blocking', () => {
  it('every byte arrives: a full pipe is waited for, not an error', () => {
    // Node makes a pipe non-blocking when it makes process.stdout on it (the preload does, as a
    // library would); the reader starts late, so the pipe fills and a write is refused (EAGAIN).
    const bin = resolve(import.meta.dirname, '../../bin/cigen.cjs');
    const dir = scratch();
    writeFileSync(join(dir, 'make-streams.cjs'), 'process.stdout;\n');
    const expected = spawnSync(process.execPath, [bin, 'render', 'buildah'], { cwd: dir, encoding: 'utf8' });
    expect(expected.stdout.length).toBeGreaterThan(65_536);
    const script = `NODE_OPTIONS="--require ./make-streams.cjs" "$0" "$1" render buildah | { sleep 1; cat; }; echo "status=\${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script, process.execPath, bin], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(result.stderr).toBe('status=0\n');
    expect(result.stdout).toBe(expected.stdout);
  });
});

describe('output that cannot be written (a full disk)', () => {
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  const bin = resolve(import.meta.dirname, '../../bin/cigen.cjs');
  const run = (script: string, files: Record<string, string> = {}) =>
    spawnSync('bash', ['-c', `${script}; echo "status=$?" >&3`, process.execPath, bin], {
      cwd: scratch(files),
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
      // fd 3 carries the status, apart from the stderr under test.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });

  it.each([
    ['render buildah', 'the whole CLI'],
    ['lint .gitlab-ci.yml', 'the lint bundle'],
  ])('`cigen %s > /dev/full` (%s): one line on stderr, no stack trace, status 74', (args) => {
    const result = run(`"$0" "$1" ${args} > /dev/full`, { '.gitlab-ci.yml': 'job:\n  stage: test\n  script: [exit 1]\n  scirpt: x\n' });
    expect(result.output[3]).toBe('status=74\n');
    expect(result.stderr).toBe('cigen: cannot write to standard output: no space left on device (ENOSPC)\n');
  });

  it('standard error full as well: the status alone says it', () => {
    const result = run(`"$0" "$1" render buildah > /dev/full 2> /dev/full`);
    expect(result.output[3]).toBe('status=74\n');
  });

  it('a Node stream something else makes (a library, a warning): its write error ends the run the same way', () => {
    // The preload writes through process.stdout once cigen is done, as a library would.
    const preload = join(scratch(), 'late-write.cjs');
    writeFileSync(preload, "process.once('beforeExit', () => process.stdout.write('a line of a library\\n'));\n");
    const result = run(`NODE_OPTIONS="--require ${preload}" "$0" "$1" render buildah -o job.yml > /dev/full`);
    expect(result.output[3]).toBe('status=74\n');
    expect(result.stderr).toBe('cigen: cannot write to standard output: no space left on device (ENOSPC)\n');
  });

  it('words a system error as a reason, its code once', () => {
    const error = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
    expect(outputErrorLine('standard output', error('ENOSPC: no space left on device, write', 'ENOSPC'))).toBe(
      'cigen: cannot write to standard output: no space left on device (ENOSPC)\n',
    );
    expect(outputErrorLine('standard output', error('EIO: i/o error, write', 'EIO'))).toBe(
      'cigen: cannot write to standard output: i/o error (EIO)\n',
    );
    expect(outputErrorLine('standard output', error('write failed'))).toBe('cigen: cannot write to standard output: write failed\n');
  });
});
