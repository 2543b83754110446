/**
 * What `cigen init` proposes, as data: the Dockerfiles of a project, one build per image, and
 * the include entries (plus `parallel:matrix` jobs) that build them. Pure: the file list comes in.
 */
import { posix } from 'node:path';
import ignore from 'ignore';
import type { ComponentInclude } from '../ci/splice.js';
import { literalDollars } from '../ci/variables.js';

/** The directories init never looks in, whatever .gitignore says. */
export const SKIPPED_DIRS = new Set(['node_modules', 'vendor', '.git']);
const DOCKERFILE_NAMES = '(?:Dockerfile|Containerfile|dockerfile|containerfile)';
const DOCKERFILE = new RegExp(String.raw`^(?:${DOCKERFILE_NAMES}(?:\.[\w.-]+)?|[\w.-]+\.${DOCKERFILE_NAMES})$`);
/** BuildKit's ignore file for one Dockerfile (Dockerfile.dockerignore, app.Dockerfile.dockerignore): not a Dockerfile. */
const IGNORE_FILE = /\.dockerignore$/i;

/** Whether a file's name is a Dockerfile's or Containerfile's (not its .dockerignore). */
export const isDockerfileName = (name: string): boolean => DOCKERFILE.test(name) && !IGNORE_FILE.test(name);

export interface Dockerfile {
  /** Relative to the project root, posix separators. */
  path: string;
  /** The directory it sits in: the build context. */
  context: string;
  /** Its name within the context. */
  file: string;
}

/**
 * The rules of a project's .gitignore files, each for the paths below its directory, as git reads
 * them; added as they are read (a walk adds a directory's before it looks below it).
 */
export class GitignoreRules {
  private matchers: { prefix: string; rules: ReturnType<typeof ignore> }[] = [];

  /** The .gitignore of `dir` ('.' the root's). */
  add(dir: string, text: string): void {
    this.matchers.push({ prefix: dir === '.' ? '' : `${dir.replace(/\/+$/, '')}/`, rules: ignore().add(text) });
    // Deepest first: as in git, a nearer .gitignore decides over a farther one (its `!pattern` too).
    this.matchers.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** What the nearest .gitignore with a rule for `path` (a directory ends in /) says, its parent
   *  directories aside; one in the directory itself is not for it. */
  decides(path: string): boolean {
    for (const { prefix, rules } of this.matchers) {
      if (!path.startsWith(prefix) || path.length === prefix.length) continue;
      const { ignored: out, unignored } = rules.test(path.slice(prefix.length));
      if (out || unignored) return out;
    }
    return false;
  }

  /** Whether `path` is ignored: as in git, nothing re-includes a file whose directory is excluded
   *  (a `!Dockerfile` below `build/`). */
  ignores(path: string): boolean {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) if (this.decides(`${parts.slice(0, i).join('/')}/`)) return true;
    return this.decides(path);
  }
}

/**
 * The Dockerfiles and Containerfiles among `files`, minus what the .gitignore files ignore, sorted.
 * `gitignores`: the root's .gitignore, or every .gitignore by its directory ('.' the root's), each
 * read against the paths below it as git does.
 */
export function findDockerfiles(files: readonly string[], gitignores: string | Readonly<Record<string, string>> = ''): Dockerfile[] {
  const rules = new GitignoreRules();
  for (const [dir, text] of Object.entries(typeof gitignores === 'string' ? { '.': gitignores } : gitignores)) rules.add(dir, text);
  return files
    .map((f) => f.split('\\').join('/').replace(/^\.\//, ''))
    .filter(
      (f) =>
        !f.split('/').some((part) => SKIPPED_DIRS.has(part)) &&
        DOCKERFILE.test(posix.basename(f)) &&
        !IGNORE_FILE.test(f) &&
        !rules.ignores(f),
    )
    .sort()
    .map((path) => ({ path, context: posix.dirname(path), file: posix.basename(path) }));
}

export interface BuildProposal {
  jobName: string;
  context: string;
  dockerfile: string;
  image: string;
  /** A `parallel:matrix` over directories of one parent: the variable and its values. */
  matrix?: { variable: string; values: string[] };
}

export const MATRIX_VARIABLE = 'IMAGE_DIR';

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'image';

/** A suffix for a Dockerfile that is not plainly `Dockerfile`: Dockerfile.prod -> prod. */
function variant(file: string): string | undefined {
  if (/^(Dockerfile|Containerfile)$/i.test(file)) return undefined;
  return slug(file.replace(/^(Dockerfile|Containerfile)\.?/i, '').replace(/\.?(Dockerfile|Containerfile)$/i, ''));
}

/**
 * One build per image. Several plain Dockerfiles in sibling directories (services/api,
 * services/worker) share every setting but the directory, so they become one job with a
 * `parallel:matrix` over the directory names.
 */
export function proposeBuilds(dockerfiles: readonly Dockerfile[], imageBase = '$CI_REGISTRY_IMAGE'): BuildProposal[] {
  const proposals: BuildProposal[] = [];
  const siblings = new Map<string, Dockerfile[]>();
  for (const d of dockerfiles) {
    if (d.context === '.' || variant(d.file) !== undefined || d.file !== 'Dockerfile') continue;
    const parent = posix.dirname(d.context);
    siblings.set(parent, [...(siblings.get(parent) ?? []), d]);
  }
  const inMatrix = new Set<string>();
  for (const [parent, group] of siblings) {
    // The directory names become image paths ($CI_REGISTRY_IMAGE/$IMAGE_DIR) as they are: a name a
    // repository path cannot hold (Api, .devcontainer) keeps its own build, whose name is a slug.
    if (group.length < 2 || !group.every((d) => REPOSITORY_COMPONENT.test(posix.basename(d.context)))) continue;
    for (const d of group) inMatrix.add(d.path);
    const prefix = parent === '.' ? '' : `${parent}/`;
    proposals.push({
      jobName: `build-${slug(parent === '.' ? 'images' : posix.basename(parent))}`,
      context: `${prefix}$${MATRIX_VARIABLE}`,
      dockerfile: 'Dockerfile',
      image: `${imageBase}/$${MATRIX_VARIABLE}`,
      matrix: { variable: MATRIX_VARIABLE, values: group.map((d) => posix.basename(d.context)) },
    });
  }
  const single = dockerfiles.filter((d) => !inMatrix.has(d.path));
  for (const d of single) {
    const name = [d.context === '.' ? undefined : slug(d.context), variant(d.file)].filter(Boolean).join('-');
    const alone = single.length === 1 && proposals.length === 0 && d.context === '.' && !variant(d.file);
    proposals.push({
      jobName: alone || !name ? 'build-image' : `build-${name}`,
      context: d.context,
      dockerfile: d.file,
      image: alone || !name ? imageBase : `${imageBase}/${name}`,
    });
  }
  const byName = (a: BuildProposal, b: BuildProposal) => a.jobName.localeCompare(b.jobName) || a.context.localeCompare(b.context);
  return distinct(proposals.sort(byName), imageBase).sort(byName);
}

/** A path component of an image repository (the distribution spec's), as a directory name may be. */
const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** The images a proposal pushes: one, or one per matrix value. */
export const imagesOf = (p: BuildProposal): string[] =>
  p.matrix ? p.matrix.values.map((value) => p.image.replace(`$${MATRIX_VARIABLE}`, value)) : [p.image];

/**
 * The `n`th build of `base` (-2, -3, ...): its job and image numbered, every image still under the
 * base repository. The number goes on the image's last path component (`app-2`; a matrix's
 * `$IMAGE_DIR-2`, so `api-2`, `worker-2`), or names one (`image-2`) for the base itself:
 * `$CI_REGISTRY_IMAGE-2` would be another project's repository, which GitLab's registry refuses
 * (or where another project's images are).
 */
export function numbered(base: BuildProposal, n: number, imageBase: string): BuildProposal {
  const image = base.image === imageBase ? `${imageBase}/image-${n}` : `${base.image}-${n}`;
  return { ...base, jobName: `${base.jobName}-${n}`, image };
}

/**
 * Proposals whose job names and images are all distinct: two builds must never push one image
 * (Dockerfile.prod and prod/Dockerfile are both "prod"; services/api under frontend/ and backend/
 * both "api"). A matrix whose job name or images clash is named by its whole parent path (the one
 * that clashes); then, as any other build, what still clashes takes the first free suffix (-2, -3,
 * ...): a job name that clashes, its job; an image, its image.
 */
function distinct(proposals: readonly BuildProposal[], imageBase: string): BuildProposal[] {
  const jobs = new Set<string>();
  const images = new Set<string>();
  const jobTaken = (p: BuildProposal) => jobs.has(p.jobName);
  const imageTaken = (p: BuildProposal) => imagesOf(p).some((image) => images.has(image));
  return proposals.map((proposal) => {
    // Only what clashes is renamed: a job name two builds share says nothing of their images.
    let chosen = proposal;
    if (proposal.matrix && (jobTaken(chosen) || imageTaken(chosen))) {
      const cut = proposal.context.lastIndexOf('/');
      const parent = cut < 0 ? 'images' : slug(proposal.context.slice(0, cut));
      if (jobTaken(chosen)) chosen = { ...chosen, jobName: `build-${parent}` };
      if (imageTaken(chosen)) chosen = { ...chosen, image: `${imageBase}/${parent}/$${MATRIX_VARIABLE}` };
    }
    const base = chosen;
    for (let n = 2; jobTaken(chosen); n++) chosen = { ...chosen, jobName: numbered(base, n, imageBase).jobName };
    for (let n = 2; imageTaken(chosen); n++) chosen = { ...chosen, image: numbered(base, n, imageBase).image };
    jobs.add(chosen.jobName);
    for (const image of imagesOf(chosen)) images.add(image);
    return chosen;
  });
}

/**
 * The `context` input of a build: its directory with every `$` written `$$` (the component
 * expands the value, so `d$x` would be `d` plus the variable x), but a matrix's `$IMAGE_DIR`
 * kept as the variable it is.
 */
export function contextInput(build: Pick<BuildProposal, 'context' | 'matrix'>): string {
  const variable = `$${MATRIX_VARIABLE}`;
  if (build.matrix && build.context.endsWith(variable)) return literalDollars(build.context.slice(0, -variable.length)) + variable;
  return literalDollars(build.context);
}

/** The include entry for a build, with only the inputs that differ from the component's defaults. */
export function includeEntry(component: string, build: BuildProposal): ComponentInclude {
  return {
    component,
    inputs: {
      'job-name': build.jobName,
      ...(build.context !== '.' ? { context: contextInput(build) } : {}),
      ...(build.dockerfile !== 'Dockerfile' ? { dockerfile: build.dockerfile } : {}),
      image: build.image,
    },
  };
}
