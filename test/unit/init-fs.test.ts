/**
 * `cigen init` on a project it cannot read all of: a directory it may not list, a .gitignore it
 * may not read. Either was an internal error (exit 70); git warns and goes on, and so does init.
 * The file system refuses through a mock, so the test does not depend on the user it runs as.
 */
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

const { runInit } = await import('../../src/cli/commands/init.js');

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
