/**
 * The text `cigen init` writes: a new .gitlab-ci.yml, or the existing one with include entries
 * and matrix jobs spliced in. Jobs that already exist are never overwritten (a proposal takes
 * another name), and builds already included are not added again, so a second run adds nothing.
 */
import { posix } from 'node:path';
import { addIncludeEntries, addToTopLevelList, includesOf, renderBlock, renderEntries, type ComponentInclude } from '../ci/splice.js';
import { applyEdits, contentEnd, keyOf, readSource, type Edit } from '../ci/source.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { scalarText } from '../ci/yaml.js';
import { buildsImage } from '../catalog/registry.js';
import { includeEntry, type BuildProposal } from './plan.js';

export interface Scaffold {
  text: string;
  changed: boolean;
  added: BuildProposal[];
  /** Builds the file already has, by job name. */
  present: string[];
  /** Proposals renamed because a job of that name exists: [wanted, given]. */
  renamed: [string, string][];
}

interface Existing {
  jobs: Set<string>;
  /** context + dockerfile of builds included from a component. */
  builds: Set<string>;
}

const buildKey = (context: unknown, dockerfile: unknown): string =>
  `${scalarText(context ?? '.')}\0${scalarText(dockerfile ?? 'Dockerfile')}`;

function existing(path: string, text: string): Existing {
  const file = readSource(path, text);
  const jobs = new Set<string>();
  const builds = new Set<string>();
  for (const item of file.root?.items ?? []) {
    const key = keyOf(item);
    if (key !== undefined && !GLOBAL_KEYWORDS.has(key)) jobs.add(key);
  }
  for (const entry of includesOf(file)) {
    if (entry.kind !== 'component') continue;
    const inputs = entry.inputs ?? {};
    // Only a cigen build component builds context/Dockerfile (by default ./Dockerfile, as build-image);
    // another component (sast, cigen's doctor) builds nothing, and its job name is its own.
    if (!buildsImage(entry.target)) {
      if (inputs['job-name'] !== undefined) jobs.add(scalarText(inputs['job-name']));
      continue;
    }
    jobs.add(scalarText(inputs['job-name'] ?? 'build-image'));
    builds.add(buildKey(inputs['context'], inputs['dockerfile']));
  }
  return { jobs, builds };
}

function matrixJob(build: BuildProposal): string {
  const matrix = build.matrix as NonNullable<BuildProposal['matrix']>;
  return renderBlock({ [build.jobName]: { parallel: { matrix: [{ [matrix.variable]: matrix.values }] } } });
}

/** The stage the component's jobs run in when init passes none (its `stage` input's default). */
const BUILD_STAGE = 'build';

const HEADER = (builder: string) =>
  `# Container images, built by the ${builder} component of the cigen catalog (written by \`cigen init\`).\n`;

export function scaffold(path: string, current: string | undefined, builds: readonly BuildProposal[], component: string): Scaffold {
  const builder = posix.basename(component.split('@')[0] ?? component);
  const have = current === undefined ? { jobs: new Set<string>(), builds: new Set<string>() } : existing(path, current);
  const present: string[] = [];
  const renamed: [string, string][] = [];
  const added: BuildProposal[] = [];
  for (const build of builds) {
    if (have.builds.has(buildKey(build.context, build.dockerfile))) {
      present.push(build.jobName);
      continue;
    }
    let name = build.jobName;
    for (let n = 2; have.jobs.has(name); n++) name = `${build.jobName}-${n}`;
    if (name !== build.jobName) renamed.push([build.jobName, name]);
    have.jobs.add(name);
    added.push({ ...build, jobName: name });
  }
  const entries: ComponentInclude[] = added.map((b) => includeEntry(component, b));
  const matrices = added.filter((b) => b.matrix).map((b) => matrixJob(b));
  if (added.length === 0) return { text: current ?? '', changed: false, added, present, renamed };
  // A file that is empty (or only blank lines) is written as a new one.
  if (current === undefined || current.trim() === '') {
    const text = `${HEADER(builder)}include:\n${renderEntries(entries).replace(/^(?=.)/gm, '  ')}${matrices.map((m) => `\n${m}`).join('')}`;
    return { text, changed: true, added, present, renamed };
  }
  const file = readSource(path, current);
  // A pipeline that declares its stages must declare the one the builds run in (GitLab refuses a
  // job in an undefined stage).
  const stage = addToTopLevelList(file, 'stages', BUILD_STAGE, ['.pre']);
  const edits: Edit[] = [addIncludeEntries(file, entries), ...(stage ? [stage] : [])];
  if (matrices.length > 0) {
    const end = contentEnd(current);
    const before = current.slice(0, end);
    const gap = before.endsWith('\n\n') || before === '' ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    edits.push({ start: end, end, text: gap + matrices.join('\n') });
  }
  const text = applyEdits(current, edits);
  readSource(path, text);
  return { text, changed: text !== current, added, present, renamed };
}
