/**
 * What `cigen init` proposes, as data: the Dockerfiles of a project, one build per image, and
 * the include entries (plus `parallel:matrix` jobs) that build them. Pure: the file list comes in.
 */
import { posix } from 'node:path';
import ignore from 'ignore';
import type { ComponentInclude } from '../ci/splice.js';

/** The directories init never looks in, whatever .gitignore says. */
export const SKIPPED_DIRS = new Set(['node_modules', 'vendor', '.git']);
const DOCKERFILE_NAMES = '(?:Dockerfile|Containerfile|dockerfile|containerfile)';
const DOCKERFILE = new RegExp(String.raw`^(?:${DOCKERFILE_NAMES}(?:\.[\w.-]+)?|[\w.-]+\.${DOCKERFILE_NAMES})$`);

export interface Dockerfile {
  /** Relative to the project root, posix separators. */
  path: string;
  /** The directory it sits in: the build context. */
  context: string;
  /** Its name within the context. */
  file: string;
}

/** The Dockerfiles and Containerfiles among `files`, minus what .gitignore ignores, sorted. */
export function findDockerfiles(files: readonly string[], gitignore = ''): Dockerfile[] {
  const ignored = ignore().add(gitignore);
  return files
    .map((f) => f.split('\\').join('/').replace(/^\.\//, ''))
    .filter((f) => !f.split('/').some((part) => SKIPPED_DIRS.has(part)) && DOCKERFILE.test(posix.basename(f)) && !ignored.ignores(f))
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
    if (group.length < 2) continue;
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
  return proposals.sort((a, b) => a.jobName.localeCompare(b.jobName));
}

/** The include entry for a build, with only the inputs that differ from the component's defaults. */
export function includeEntry(component: string, build: BuildProposal): ComponentInclude {
  return {
    component,
    inputs: {
      'job-name': build.jobName,
      ...(build.context !== '.' ? { context: build.context } : {}),
      ...(build.dockerfile !== 'Dockerfile' ? { dockerfile: build.dockerfile } : {}),
      image: build.image,
    },
  };
}
