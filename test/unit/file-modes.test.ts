/**
 * writeFilesAtomically and a file's permissions: the new content of a private (0600) file is never
 * readable by others, not even for the moment between writing the temporary file and renaming it
 * over the target. The temporary file's mode is read where the write would chmod it (fs mocked
 * only to look, every call goes through).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as FS from 'node:fs';

/** The mode of each temporary file when it is complete: just before it is chmod-ed or renamed. */
const seen: { path: string; mode: number }[] = [];
// files.ts reaches node:fs/promises as fs.promises.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof FS>();
  const look = (path: unknown) => {
    if (/\.tmp$/.test(String(path))) seen.push({ path: String(path), mode: fs.statSync(String(path)).mode & 0o777 });
  };
  const promises = {
    ...fs.promises,
    chmod: (async (path: string, mode: number) => (look(path), fs.promises.chmod(path, mode))) as typeof fs.promises.chmod,
    rename: (async (from: string, to: string) => (look(from), fs.promises.rename(from, to))) as typeof fs.promises.rename,
  };
  return { ...fs, promises, default: { ...fs, promises } };
});

const { temporaryTarget, writeFilesAtomically } = await import('../../src/cli/files.js');

const dirs: string[] = [];
afterEach(() => {
  seen.length = 0;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFilesAtomically keeps a file private while it writes it', () => {
  it('a 0600 file: its temporary file is never readable by group or others, and the file stays 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-modes-'));
    dirs.push(dir);
    const file = join(dir, 'secret.yml');
    writeFileSync(file, 'token: old\n');
    chmodSync(file, 0o600);
    await writeFilesAtomically([{ path: file, text: 'token: new\n' }]);
    expect(seen.length).toBeGreaterThan(0);
    for (const { mode } of seen) expect(mode & 0o077).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('token: new\n');
  });

  it('an executable 0755 file stays 0755 (the mode is kept, not only narrowed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-modes-'));
    dirs.push(dir);
    const file = join(dir, 'run.sh');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o755);
    await writeFilesAtomically([{ path: file, text: 'new\n' }]);
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });
});

describe('temporaryTarget: the file a temporary is of, as writeFilesAtomically names them', () => {
  it('reads back the temporaries it writes (cigen build finds one a write left by it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-modes-'));
    dirs.push(dir);
    await writeFilesAtomically([{ path: join(dir, 'buildah.yml'), text: 'a\n' }]);
    expect(seen.length).toBeGreaterThan(0);
    for (const { path } of seen) expect(temporaryTarget(basename(path))).toBe('buildah.yml');
  });

  it.each([
    'buildah.yml',
    '.buildah.yml.tmp',
    '.buildah.yml.0123456789AB.tmp',
    '.buildah.yml.0123456789a.tmp',
    '..0123456789ab.tmp',
    '.x.0123456789ab.tmp.bak',
  ])('%s is none', (name) => expect(temporaryTarget(name)).toBeUndefined());
});
