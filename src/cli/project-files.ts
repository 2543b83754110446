/**
 * The files of a project, for wildcard `local:` includes. Apart from project.ts: it runs git. The
 * bundles load node:child_process on its first use (src/tooling/bundle.mjs, startupPlugin): a lint
 * without such an include starts without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { listDirectory } from './files.js';

/**
 * A project's files, root-relative with `/`, sorted: what GitLab's repository holds, as near as the
 * working tree tells. In a git work tree, the files git tracks and those it would add (not the
 * ignored ones: a node_modules/ is not the repository's); elsewhere, every file below the root
 * but .git/. Symbolic links are left out (a link to a directory would make a walk endless).
 */
export function projectFiles(root: string): string[] {
  const listed = gitFiles(root);
  if (listed) return listed.paths.filter((path) => isPlainFile(join(root, path))).sort();
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of listDirectory(dir)) {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (stat.isDirectory() && entry !== '.git') walk(path, `${prefix}${entry}/`);
      else if (stat.isFile()) found.push(`${prefix}${entry}`);
    }
  };
  walk(root, '');
  return found.sort();
}

/**
 * What git lists of the work tree whose top is `root` (a `.git` there): the paths it tracks and those
 * it would add, none it ignores (by the .gitignore files, .git/info/exclude and core.excludesFile),
 * root-relative with `/`, each once, whatever they are (a file, a link, a path no longer there);
 * and git's warnings (a directory it cannot open). Undefined elsewhere, or when git cannot list them.
 */
export function gitFiles(root: string): { paths: string[]; warnings: string[] } | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (listed.status !== 0) return undefined;
  return {
    paths: [...new Set(listed.stdout.split('\0').filter((path) => path !== ''))],
    warnings: listed.stderr
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  };
}

const isPlainFile = (path: string): boolean => {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
};
