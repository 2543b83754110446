/**
 * The project a file belongs to, for reading its local includes (paths relative to the root).
 * Every project file lint and migrate read comes through `readProjectFile`, which stays inside
 * the root: GitLab reads `local:` includes from the repository only, so a path that climbs out
 * with `..`, or a symlink that leads out, is refused rather than read (or, by migrate, written).
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { cannotRead, listDirectory, readFileText } from './files.js';

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

const within = (root: string, path: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);

/** Whether a file-system error says the path is not there (rather than that it cannot be read). */
const absent = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The real path of `path`, or of its nearest existing ancestor when it does not exist; a path
 *  that cannot be resolved for another reason (a directory it may not search) is `cannotRead`. */
function realOrAncestor(path: string): { real: string; exists: boolean } {
  let at = path;
  for (;;) {
    try {
      return { real: realpathSync(at), exists: at === path };
    } catch (error) {
      if (!absent(error)) throw cannotRead(relative(process.cwd(), path) || path, error);
      const parent = dirname(at);
      if (parent === at) return { real: at, exists: false };
      at = parent;
    }
  }
}

/** What a root-relative path is: a file in the project (`full` as the path reads, `real` with
 *  every symlink resolved), a path that leads outside the root, or nothing. */
export type ProjectPath = { kind: 'file'; full: string; real: string } | { kind: 'outside' } | { kind: 'missing' };

export function resolveProjectPath(root: string, path: string): ProjectPath {
  const base = resolve(root);
  const full = join(base, path);
  if (!within(base, full)) return { kind: 'outside' };
  const realRoot = realOrAncestor(base).real;
  const { real, exists } = realOrAncestor(full);
  if (!within(realRoot, real)) return { kind: 'outside' };
  if (!exists || !statSync(real).isFile()) return { kind: 'missing' };
  return { kind: 'file', full, real };
}

/** A project file by its root-relative path: its text, or why there is none. A path that leads
 *  outside the project is refused, never read. */
export function readProjectPath(
  root: string,
  path: string,
): { kind: 'file'; text: string; full: string } | { kind: 'outside' } | { kind: 'missing' } {
  const found = resolveProjectPath(root, path);
  if (found.kind !== 'file') return found;
  // The resolved path is read, so a link swapped in after the check is not followed.
  return { kind: 'file', text: readFileText(found.real, relative(process.cwd(), found.full) || found.full), full: found.full };
}

/** A file of the project by its root-relative path, or undefined when there is none in the
 *  project (one outside it included). */
export function readProjectFile(root: string, path: string): { text: string; full: string } | undefined {
  const read = readProjectPath(root, path);
  return read.kind === 'file' ? { text: read.text, full: read.full } : undefined;
}

/** Every file under the project's templates/, at any depth and of any name, root-relative
 *  (`templates/a.yml`) and sorted: what the Catalog preflight weighs against GitLab's component
 *  paths. A symbolic link is listed as the entry it is, never followed. */
export function filesUnderTemplates(root: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of listDirectory(join(root, path))) {
      const child = posix.join(path, entry);
      if (lstatSync(join(root, child)).isDirectory()) walk(child);
      else found.push(child);
    }
  };
  const dir = join(root, 'templates');
  if (existsSync(dir) && lstatSync(dir).isDirectory()) walk('templates');
  return found;
}

/** A catalog project's component files: templates/<name>.yml and templates/<name>/template.yml,
 *  sorted; `flat` says which flat file names count (the Catalog takes .yml). */
export function templateFiles(root: string, flat: RegExp = /\.yml$/): string[] {
  const dir = join(root, 'templates');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const found: string[] = [];
  for (const entry of listDirectory(dir)) {
    const path = join(dir, entry);
    if (flat.test(entry) && statSync(path).isFile()) found.push(path);
    else if (statSync(path).isDirectory() && existsSync(join(path, 'template.yml'))) found.push(join(path, 'template.yml'));
  }
  return found;
}
