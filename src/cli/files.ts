/** File writes that never leave a half-written file: write a temporary sibling, then rename. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface PendingWrite {
  path: string;
  text: string;
}

/** Writes every file, or none: all temporaries first, then the renames. */
export async function writeFilesAtomically(writes: readonly PendingWrite[]): Promise<void> {
  const staged: { temp: string; path: string }[] = [];
  try {
    for (const { path, text } of writes) {
      await mkdir(dirname(path), { recursive: true });
      const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
      await writeFile(temp, text, { flag: 'wx' });
      staged.push({ temp, path });
      // A rewritten file keeps its permissions (an executable script stays executable).
      const mode = await stat(path).then(
        (s) => s.mode & 0o7777,
        () => undefined,
      );
      if (mode !== undefined) await chmod(temp, mode);
    }
    for (const { temp, path } of staged) await rename(temp, path);
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
}
