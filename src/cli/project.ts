/** The project a file belongs to, for reading its local includes (paths relative to the root). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest directory with .git above the file, else the file's own directory. */
export function projectRoot(file: string): string {
  let dir = dirname(resolve(file));
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(resolve(file));
    dir = parent;
  }
}

/** A file of the project by its root-relative path, or undefined when there is none. */
export function readProjectFile(root: string, path: string): { text: string; full: string } | undefined {
  const full = join(root, path);
  if (!existsSync(full) || !statSync(full).isFile()) return undefined;
  return { text: readFileSync(full, 'utf8'), full };
}
