/** The project a file belongs to, for reading its local includes (paths relative to the root). */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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

/** A catalog project's component files: templates/<name>.yml and templates/<name>/template.yml,
 *  sorted; `flat` says which flat file names count (the Catalog takes .yml). */
export function templateFiles(root: string, flat: RegExp = /\.yml$/): string[] {
  const dir = join(root, 'templates');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (flat.test(entry) && statSync(path).isFile()) found.push(path);
    else if (statSync(path).isDirectory() && existsSync(join(path, 'template.yml'))) found.push(join(path, 'template.yml'));
  }
  return found;
}
