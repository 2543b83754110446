/**
 * The walk over a pipeline's local includes that cigen's readers share (migrate, the bot, init):
 * breadth first from the pipeline file, each include in the order its file lists it, every path
 * once, until MAX_READ_INCLUDES files are read. What a reader does with a miss (warn, fetch, stay
 * silent) is its own; the order, the paths and the cap are this one walk's.
 *
 * A generator, so that the same walk serves readers that read a file at once (migrate, init) and
 * one that fetches it over the network (the bot): it yields each include to read and takes back
 * the file read, or undefined when there is none.
 */
import { posix } from 'node:path';
import { hasYamlExtension, wildcardAsWritten, wildcardPathPattern, type IncludeEntry } from './includes.js';

/** A local include's location, and whether GitLab expands its variables first (see wildcardAsWritten). */
export type LocalInclude = Pick<IncludeEntry, 'target' | 'expandedFirst'>;

/** Included files cigen's own readers read at most, each file once. */
export const MAX_READ_INCLUDES = 100;

/** One local include to read: its path from the project root, as written (a file a wildcard names:
 *  its path), and the file naming it. */
export interface IncludeToRead<F> {
  path: string;
  written: string;
  from: F;
  /** A glob not expanded (no project files given) or a variable: no one file, so cigen's readers read none. */
  pattern: boolean;
}

export interface IncludeWalk<F> {
  /** The files read, in the order they were read (the pipeline file not among them). */
  files: F[];
  /** Files read whose own includes were left unread because the walk reached its cap. */
  capped: F[];
}

export interface WalkOptions<F> {
  /** The local include targets a file names, as written. */
  includes: (file: F) => readonly LocalInclude[];
  /** Called as each file's includes are about to be read (the pipeline file first). */
  visit?: (file: F) => void;
  /** The project's files, root-relative and sorted by path: a wildcard location is then read as
   *  each file it names (see localIncludePaths); without them it is a pattern, read as none. */
  files?: () => readonly string[];
}

/** A local include's path from the project root: GitLab reads `/ci/a.yml` and `ci/a.yml` alike. */
export const includePath = (target: string): string => target.replace(/^\/+/, '');

/** Whether a root-relative path climbs out of the project with `..` (`../x.yml`, `ci/../../x.yml`):
 *  GitLab reads local includes from the repository only. */
export const leavesProject = (path: string): boolean => /^\.\.(\/|$)/.test(posix.normalize(path));

/** Whether GitLab refuses a local include for its name, which does not end in .yml or .yaml (a
 *  wildcard such as `ci/*` names every file of ci/): one that climbs out of the project is refused
 *  for that first. cigen's readers read no such file: its jobs are no pipeline's. */
export const refusedAsNotYaml = (path: string): boolean => !hasYamlExtension(path) && !leavesProject(path);

/** What a reader says about such an include (`from`: the file naming it; `include`: as written). */
export const notYamlWarning = (from: string, include: string): string =>
  `${from}: local include ${include} is not a .yml or .yaml file, which GitLab refuses to include; its jobs were not checked`;

/**
 * The local include targets one include stands for: its location, or, for a wildcard location
 * GitLab matches as written (`ci/*.yml`; see wildcardAsWritten) when the project's `files` are
 * known, each of them it names, in their order (GitLab's: the repository's, by path), none when it
 * names none (Mapper::LocationExpander).
 */
export const localIncludePaths = (include: LocalInclude, files: (() => readonly string[]) | undefined): readonly string[] => {
  const { target } = include;
  if (!wildcardAsWritten(include) || files === undefined) return [target];
  const pattern = wildcardPathPattern(target);
  return files().filter((path) => pattern.test(path));
};

export function* walkLocalIncludes<F>(
  root: F,
  rootPath: string,
  options: WalkOptions<F>,
): Generator<IncludeToRead<F>, IncludeWalk<F>, F | undefined> {
  const files: F[] = [];
  const seen = new Set([rootPath]);
  const queue = [root];
  while (queue.length > 0 && files.length < MAX_READ_INCLUDES) {
    const file = queue.shift() as F;
    options.visit?.(file);
    for (const written of options.includes(file).flatMap((include) => localIncludePaths(include, options.files))) {
      const path = includePath(written);
      if (seen.has(path)) continue;
      seen.add(path);
      const pattern = /[*$]/.test(path);
      const read = yield { path, written, from: file, pattern };
      if (read === undefined || pattern) continue;
      files.push(read);
      queue.push(read);
    }
  }
  const capped = queue.filter((file) =>
    options
      .includes(file)
      .flatMap((include) => localIncludePaths(include, options.files))
      .some((written) => !seen.has(includePath(written))),
  );
  return { files, capped };
}

/** The walk with a reader that answers at once. */
export function readLocalIncludes<F>(
  root: F,
  rootPath: string,
  options: WalkOptions<F> & { read: (include: IncludeToRead<F>) => F | undefined },
): IncludeWalk<F> {
  const walk = walkLocalIncludes(root, rootPath, options);
  let step = walk.next();
  while (!step.done) step = walk.next(options.read(step.value));
  return step.value;
}

/** The walk with a reader that fetches. */
export async function fetchLocalIncludes<F>(
  root: F,
  rootPath: string,
  options: WalkOptions<F> & { read: (include: IncludeToRead<F>) => Promise<F | undefined> },
): Promise<IncludeWalk<F>> {
  const walk = walkLocalIncludes(root, rootPath, options);
  let step = walk.next();
  while (!step.done) step = walk.next(await options.read(step.value));
  return step.value;
}

/** What a reader says about the files whose includes the cap left unread (`where`: the pipeline file). */
export const cappedWarning = (where: string, capped: readonly { path: string }[]): string =>
  `${where}: the includes of ${capped.map((file) => file.path).join(', ')} were not read ` +
  `(cigen reads at most ${MAX_READ_INCLUDES} included files); their jobs were not checked`;
