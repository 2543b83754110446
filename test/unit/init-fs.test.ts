/**
 * `cigen init` on a project it cannot read all of: a directory it may not list, a .gitignore it
 * may not read. Either was an internal error (exit 70); git warns and goes on, and so does init.
 * The file system refuses through a mock, so the test does not depend on the user it runs as.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as FS from 'node:fs';

const denied = (path: unknown): boolean => /locked|secret[/\\]\.gitignore$/.test(String(path));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof FS>();
  const refuse = (path: unknown) => {
    throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES' });
  };
  return {
    ...fs,
    readdirSync: ((path: string, options: never) => (denied(path) ? refuse(path) : fs.readdirSync(path, options))) as typeof fs.readdirSync,
    readFileSync: ((path: string, options: never) =>
      denied(path) ? refuse(path) : fs.readFileSync(path, options)) as typeof fs.readFileSync,
  };
});

const { listFiles, MAX_FILES, runInit } = await import('../../src/cli/commands/init.js');

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('init on a project it cannot read all of', () => {
  it('skips a directory it cannot list and a .gitignore it cannot read, saying so, and writes the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-fs-'));
    dirs.push(dir);
    for (const sub of ['app', 'locked', 'web/lockeddir']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'app/Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, 'locked/Dockerfile'), 'FROM scratch\n');
    mkdirSync(join(dir, 'secret'));
    writeFileSync(join(dir, 'secret/.gitignore'), 'Dockerfile\n');
    writeFileSync(join(dir, 'secret/Dockerfile'), 'FROM scratch\n');
    const stderr: string[] = [];
    const stdout: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => (stderr.push(String(text)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => (stdout.push(String(text)), true));
    await runInit(dir, { builder: 'buildah', file: '.gitlab-ci.yml', yes: true });
    expect(stderr.join('')).toContain('cigen init: warning: locked/: skipped, it cannot be listed (permission denied)\n');
    expect(stderr.join('')).toContain('cigen init: warning: web/lockeddir/: skipped, it cannot be listed (permission denied)\n');
    expect(stderr.join('')).toContain(
      'cigen init: warning: secret/.gitignore: not read, so its rules are not applied (permission denied)\n',
    );
    expect(stdout.join('')).toContain('Found 2 image(s): app/Dockerfile, secret/Dockerfile\n');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('IMAGE_DIR: [app, secret]');
  });
});

describe('init on a project whose ignored build output holds more files than the walk takes', () => {
  /** api/ and worker/ with a Dockerfile each, and target/debug/ (ignored) with one file more than init searches. */
  function buildOutput(): string {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-walk-'));
    dirs.push(dir);
    for (const sub of ['api', 'worker', 'target/debug']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'api/Dockerfile'), 'FROM alpine\n');
    writeFileSync(join(dir, 'worker/Dockerfile'), 'FROM alpine\n');
    writeFileSync(join(dir, '.gitignore'), '/target/\n');
    for (let i = 0; i <= MAX_FILES; i++) writeFileSync(join(dir, 'target/debug', String(i)), '');
    return dir;
  }
  const run = async (dir: string) => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => (stderr.push(String(text)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => (stdout.push(String(text)), true));
    let error: unknown;
    try {
      await runInit(dir, { builder: 'buildah', file: '.gitlab-ci.yml', yes: true });
    } catch (caught) {
      error = caught;
    }
    vi.restoreAllMocks();
    rmSync(join(dir, '.gitlab-ci.yml'), { force: true });
    return { stdout: stdout.join(''), stderr: stderr.join(''), error };
  };

  it('finds every Dockerfile: git lists the project, a walk leaves ignored directories out; a walk cut short says so, never "no Dockerfile"', async () => {
    const dir = buildOutput();
    // In a git work tree, what git lists (it does not descend into target/ either).
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const inGit = await run(dir);
    expect(inGit.error).toBeUndefined();
    expect(inGit.stderr).toBe('');
    expect(inGit.stdout).toContain('Found 2 image(s): api/Dockerfile, worker/Dockerfile\n');
    // Elsewhere, a walk that prunes what the .gitignore files ignore.
    rmSync(join(dir, '.git'), { recursive: true });
    const walked = await run(dir);
    expect(walked.error).toBeUndefined();
    expect(walked.stderr).toBe('');
    expect(walked.stdout).toContain('Found 2 image(s): api/Dockerfile, worker/Dockerfile\n');
    expect(listFiles(dir).files).toEqual(['.gitignore', 'api/Dockerfile', 'worker/Dockerfile']);
    // Not ignored, the build output fills the walk: it stops and says where, and finds no Dockerfile
    // after that point, which it does not claim is none.
    rmSync(join(dir, '.gitignore'));
    const cut = await run(dir);
    const where = `stopped after ${MAX_FILES} files, in ${join(dir, 'target/debug')}`;
    expect(cut.stderr).toContain(`cigen init: warning: the search for Dockerfiles ${where}: what sorts after that point`);
    expect(cut.stdout).toContain('Found 1 image(s): api/Dockerfile\n');
    rmSync(join(dir, 'api'), { recursive: true });
    const none = await run(dir);
    expect(String(none.error)).toContain(`no Dockerfile or Containerfile among the first ${MAX_FILES} files, where the search stopped`);
    expect(String(none.error)).not.toContain('found');
  });
});
