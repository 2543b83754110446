/**
 * `--write` and `--yes` never surprise (system tier: real mounts, as root). A symlinked pipeline
 * file is written through and stays a link; a read-only file is refused; a full disk and a
 * read-only file system fail with one line and leave nothing behind — no temporary file, no
 * half-written target.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../../src/cli/files.js';
import { OutputError } from '../../src/errors.js';
import { cigen, cigenAsync } from '../helpers/cli.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const KANIKO = `build:
  image: gcr.io/kaniko-project/executor:debug
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA
`;

const dirs: string[] = [];
const mounts: string[] = [];
afterEach(() => {
  for (const mount of mounts.splice(0).reverse()) spawnSync('umount', ['-l', mount]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-writes-'));
  dirs.push(dir);
  return dir;
}
function tmpfs(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  expect(mounted.status, mounted.stderr).toBe(0);
  mounts.push(dir);
}
const oneLine = (stderr: string) => stderr.trimEnd().split('\n');

describe('migrate --write', () => {
  it('writes through a symlinked pipeline file: the link stays a link, its target is rewritten', () => {
    const dir = scratch();
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'real-pipeline.yml'), KANIKO);
    symlinkSync('real-pipeline.yml', join(dir, '.gitlab-ci.yml'));
    const result = cigen(['migrate', '--write', join(dir, '.gitlab-ci.yml')]);
    expect(result.status, result.stderr).toBe(0);
    expect(lstatSync(join(dir, '.gitlab-ci.yml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real-pipeline.yml'), 'utf8')).toContain('component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1');
  });

  it('writes through a link to a file not written yet (render -o): the link stays a link', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'out'));
    symlinkSync('out/job.yml', join(dir, 'job.yml'));
    const result = cigen(['render', 'buildah', '-o', join(dir, 'job.yml')]);
    expect(result.status, result.stderr).toBe(0);
    expect(lstatSync(join(dir, 'job.yml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'out/job.yml'), 'utf8')).toMatch(/^build-image:/);
  });

  it('a link with `..` inside a linked directory is followed from where it really is', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'real/sub'), { recursive: true });
    symlinkSync('real/sub', join(dir, 'linkdir'));
    symlinkSync('../job-target.yml', join(dir, 'real/sub/job.yml'));
    const result = cigen(['render', 'buildah', '-o', join(dir, 'linkdir/job.yml')]);
    expect(result.status, result.stderr).toBe(0);
    // The kernel resolves ../ from real/sub: the file is real/job-target.yml, and the link now reads.
    expect(readFileSync(join(dir, 'real/job-target.yml'), 'utf8')).toMatch(/^build-image:/);
    expect(readFileSync(join(dir, 'linkdir/job.yml'), 'utf8')).toMatch(/^build-image:/);
  });

  it('refuses a read-only (0444) file, even as root, and leaves it as it was', () => {
    const dir = scratch();
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.gitlab-ci.yml'), KANIKO);
    chmodSync(join(dir, '.gitlab-ci.yml'), 0o444);
    const result = cigen(['migrate', '--write', join(dir, '.gitlab-ci.yml')]);
    expect(result.status).toBe(74);
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(/^cannot write .*\.gitlab-ci\.yml: the file is read-only; nothing was written$/),
    ]);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(KANIKO);
  });

  it('a read-only file system: one line, exit 74, the file unchanged', () => {
    const dir = join(scratch(), 'ro');
    tmpfs(dir, 'size=1m');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.gitlab-ci.yml'), KANIKO);
    expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    const result = cigen(['migrate', '--write', join(dir, '.gitlab-ci.yml')]);
    expect(result.status).toBe(74);
    expect(oneLine(result.stderr)).toEqual([expect.stringMatching(/^cannot write .*: read-only file system; nothing was written$/)]);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(KANIKO);
  });
});

describe('a full disk', () => {
  it('fails with one line and leaves no temporary file and no changed target', async () => {
    const dir = join(scratch(), 'full');
    tmpfs(dir, 'size=64k');
    writeFileSync(join(dir, 'small.yml'), 'a: 1\n');
    const write = writeFilesAtomically([
      { path: join(dir, 'small.yml'), text: 'a: 2\n' },
      { path: join(dir, 'big.yml'), text: 'x'.repeat(1024 * 1024) },
    ]);
    await expect(write).rejects.toBeInstanceOf(OutputError);
    await expect(write).rejects.toThrow(/^cannot write .*big\.yml: no space left on the device; nothing was written$/);
    expect(readdirSync(dir).sort()).toEqual(['small.yml']);
    expect(readFileSync(join(dir, 'small.yml'), 'utf8')).toBe('a: 1\n');
  });

  it('the CLI says it in one line and exits 74 (the output cannot be written), as for a full stdout', () => {
    const dir = join(scratch(), 'full');
    tmpfs(dir, 'size=16k');
    const result = cigen(['render', 'buildah', '-o', join(dir, 'job.yml')]);
    expect(result.status).toBe(74);
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(/^cannot write .*job\.yml: no space left on the device; nothing was written$/),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a target that is not a regular file', () => {
  it('a device or a FIFO is refused (exit 74), the node left as it was (renaming over it replaced /dev/full)', () => {
    const dir = scratch();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // /dev/stdout into a pipe (as the CLI runs here) links to `pipe:[N]`, which realpath cannot
    // follow: it was taken for a file to create, "no such file or directory".
    for (const target of ['/dev/full', fifo, '/dev/stdout']) {
      const result = cigen(['render', 'buildah', '-o', target]);
      expect(result.status, target).toBe(74);
      expect(oneLine(result.stderr)).toEqual([
        `cannot write ${target}: not a regular file (a device, a FIFO or a socket); nothing was written`,
      ]);
    }
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });
});

describe('bot --report on a full disk (the check before the run passes, the write after it fails)', () => {
  it('prints the summary line, exits 74, and says the run itself completed (merge requests were opened)', async () => {
    const fake = await FakeGitLab.start();
    try {
      fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO } });
      const dir = join(scratch(), 'full');
      tmpfs(dir, 'size=64k');
      // Every block taken: an empty file can still be made (the check), a report cannot be written.
      spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { encoding: 'utf8' });
      const result = await cigenAsync(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'r.json')], {
        GITLAB_TOKEN: fake.token,
      });
      expect(result.stdout).toMatch(/^1 project\(s\): 1 opened; \d+ request\(s\)$/m);
      expect(oneLine(result.stderr)).toEqual([
        `cannot write ${join(dir, 'r.json')}: no space left on the device; the report was not written, but the run itself completed: ` +
          'the summary line says what it did',
      ]);
      expect(result.status).toBe(74);
      expect(fake.mergeRequests('acme/shop')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(['filler']);
    } finally {
      await fake.stop();
    }
  });

  it('when the listing also stopped partway, it says the run did not complete, naming where it stopped', async () => {
    const fake = await FakeGitLab.start();
    try {
      for (let i = 1; i <= 150; i++)
        fake.addProject({ path: `acme/p${String(i).padStart(3, '0')}`, files: { '.gitlab-ci.yml': 'test:\n  script: [echo]\n' } });
      fake.inject({ method: 'GET', path: /^\/api\/v4\/groups\/acme\/projects$/, query: /(^|&)id_after=100(&|$)/, status: 500, times: 10 });
      const dir = join(scratch(), 'full');
      tmpfs(dir, 'size=64k');
      spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { encoding: 'utf8' });
      const result = await cigenAsync(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', join(dir, 'r.json')], {
        GITLAB_TOKEN: fake.token,
      });
      expect(result.stdout).toMatch(/^100 project\(s\): 100 nothing-to-migrate; \d+ request\(s\)$/m);
      expect(oneLine(result.stderr)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^cannot write ${join(dir, 'r\\.json')}: no space left on the device; the report was not written, and the run did not ` +
              'complete \\(the project listing stopped after 100 project\\(s\\): projects of group acme, page 2: .*\\): ' +
              'the summary line says what it did before$',
          ),
        ),
      ]);
      expect(result.status).toBe(74);
    } finally {
      await fake.stop();
    }
  });
});

describe('init --yes', () => {
  it('into a read-only directory: one line, exit 74', () => {
    const dir = join(scratch(), 'ro-project');
    tmpfs(dir, 'size=1m');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine\n');
    expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    const result = cigen(['init', dir, '--yes', '--builder', 'buildah']);
    expect(result.status).toBe(74);
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(/^cannot write .*\.gitlab-ci\.yml: read-only file system; nothing was written$/),
    ]);
  });
});

describe('directories made for a new file', () => {
  it('are made, nested, where they can be', async () => {
    const dir = scratch();
    await writeFilesAtomically([{ path: join(dir, 'a/b/c/job.yml'), text: 'x: 1\n' }]);
    expect(readFileSync(join(dir, 'a/b/c/job.yml'), 'utf8')).toBe('x: 1\n');
  });

  // Node's recursive mkdir retries forever where mkdir answers ENOENT with the parent present.
  it('where the file system refuses one (procfs): one line, exit 74, instead of never returning', () => {
    // A stop for the hang this was (status null), not a measure of time.
    const result = spawnSync(process.execPath, ['bin/cigen.cjs', 'render', 'buildah', '-o', '/proc/cigen-no-such-dir/job.yml'], {
      cwd: join(import.meta.dirname, '../..'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(74);
    expect(oneLine(result.stderr)).toEqual([
      expect.stringMatching(/^cannot write \/proc\/cigen-no-such-dir\/job\.yml: .*; nothing was written$/),
    ]);
  });
});
