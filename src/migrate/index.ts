/**
 * `migrate`: a pipeline file and its local includes in, the rewritten texts and a report per
 * job out. Pure: files are read through the host the caller gives, nothing is written here.
 */
import { shownAddress } from '../ci/address.js';
import { componentRef } from '../ci/component-ref.js';
import { KANIKO_COMPAT, KANIKO_COMPAT_JOB } from '../catalog/kaniko-compat.js';
import { includedCatalog, type IncludedCatalog } from '../catalog/registry.js';
import { BUILDAH_IMAGE } from '../builders/buildah.js';
import {
  compatInclude,
  componentJobNames,
  planJobs,
  planTemplate,
  templatesToConvert,
  type EngineContext,
  type JobPlan,
  type JobReport,
} from './engine.js';
import { buildPipeline, matrixOf, sourceOf, variablesOf, type JobDefinition } from './pipeline.js';
import type { Inputs } from './kaniko.js';
import { sameBuilds } from './retag.js';
import { parseBuilderImages } from './registries.js';
import { reason, type Reason } from './notes.js';
import { readerSites, sitesRemoved } from './dependents.js';
import type { Node } from 'yaml';
import { addIncludeEntries, includesOf, localIncludeTargets, type ComponentInclude } from '../ci/splice.js';
import { applyEdits, duplicateWarnings, lastKeysOnly, readSource, type SourceFile } from '../ci/source.js';
import { cappedWarning, includePath, leavesProject, notYamlWarning, readLocalIncludes, refusedAsNotYaml } from '../ci/include-walk.js';

export { SourceError } from '../ci/source.js';
export type { JobReport, JobStatus } from './engine.js';

export const defaultComponentRef = (): string => componentRef('buildah');

/** The kaniko-compat component beside a buildah component reference (same server, project, version). */
export const compatRefFor = (buildahRef: string): string => buildahRef.replace(/\/[a-z0-9][a-z0-9_-]*@/, `/${KANIKO_COMPAT}@`);

export interface MigrateHost {
  /** A project file by its path relative to the project root: its text, undefined when it does
   *  not exist, or `{ outside: true }` when the path leads out of the project (a symlink, say). */
  readProjectFile(path: string): string | undefined | { outside: true };
  /** Whether the project holds a file at this path; a host that cannot tell (the bot, which reads
   *  only the files it needs) leaves it out, and what depends on it is not guessed. */
  projectFileExists?(path: string): boolean;
  /** The project's files, root-relative and sorted by path: a wildcard `local:` include is then read
   *  as each file it names (localIncludePaths); a host without them leaves it unread, saying so. */
  files?(): readonly string[];
}

export interface MigrateOptions {
  componentRef?: string;
  host?: MigrateHost;
  /** `--builder-image [REGISTRY=]IMAGE`: the Buildah image for jobs whose Kaniko image (a Docker job's image or dind
   *  service) comes from a mirror. */
  builderImages?: readonly string[];
}

export interface FileMigration {
  path: string;
  changed: boolean;
  jobs: JobReport[];
  original: string;
  result: string;
  /** Problems that did not stop the migration (a local include that is missing, say). */
  warnings: string[];
  /** Of the warnings, the includes that were not read (their jobs were not checked): the pipeline file's. */
  unchecked: string[];
  /** Of the warnings, the keys written twice in the file. */
  duplicates: string[];
  /** The pipeline file's: the catalog its jobs move onto, taken from an include of it the
   *  pipeline has (no --component-ref given), when it is not the default one. */
  catalog?: IncludedCatalog;
  /** The buildah component the jobs move onto: --component-ref's, else the one of the catalog the
   *  pipeline includes already (`catalog`), else the default. */
  componentRef: string;
  /** The pipeline file's: the catalog the pipeline includes one of cigen's components from, whether
   *  or not its jobs move onto it (--component-ref may name another). */
  includedCatalog?: IncludedCatalog;
}

/** The local includes a pipeline file names (for callers that must fetch them before migrating). */
export function localIncludePaths(path: string, text: string): string[] {
  return localIncludeTargets(lastKeysOnly(readSource(path, text)))
    .map((include) => include.target)
    .filter((p) => !/[*$]/.test(p))
    .map(includePath);
}

/** What a file includes from another project or a URL: never read here (only the project's own
 *  files are), so each is named, as `<file>: <what> was not read ...; its jobs were not checked`. */
function otherIncludes(file: SourceFile): string[] {
  const entries = includesOf(file).filter((entry) => entry.kind === 'project' || entry.kind === 'remote');
  if (entries.length === 0) return [];
  const include = (file.root?.toJS(file.doc) as Record<string, unknown> | undefined)?.['include'];
  return entries.map((entry) => {
    if (entry.kind === 'remote')
      return (
        `${file.path}: remote include ${shownAddress(entry.target)} was not read (cigen reads local includes only); ` +
        'its jobs were not checked'
      );
    const index = entry.path[1];
    const item = (Array.isArray(include) && typeof index === 'number' ? include[index] : include) as Record<string, unknown>;
    const named = ([] as unknown[]).concat(item['file'] ?? []).filter((f): f is string => typeof f === 'string');
    const ref = typeof item['ref'] === 'string' ? ` at ${item['ref']}` : '';
    return (
      `${file.path}: include of ${named.length > 0 ? named.join(', ') : 'a file'} from project ${entry.target}${ref} was not read ` +
      '(cigen reads local includes only); its jobs were not checked'
    );
  });
}

/** The file as GitLab reads it (each key once, the last: lastKeysOnly), which the migration reads
 *  and edits, and the file as it is written, which it reports on. */
interface ReadFile {
  file: SourceFile;
  written: SourceFile;
}

const readFile = (path: string, text: string): ReadFile => {
  const written = readSource(path, text);
  return { file: lastKeysOnly(written), written };
};

function readIncludes(
  root: SourceFile,
  host: MigrateHost | undefined,
  warnings: string[],
  written: Map<SourceFile, SourceFile>,
): SourceFile[] {
  const { files, capped } = readLocalIncludes(root, root.path, {
    includes: localIncludeTargets,
    ...(host?.files ? { files: host.files.bind(host) } : {}),
    visit: (file) => warnings.push(...otherIncludes(file)),
    read: ({ path, written: target, from, pattern }) => {
      if (pattern) {
        warnings.push(`${from.path}: local include ${target} uses a glob or a variable; its jobs were not checked`);
        return undefined;
      }
      if (refusedAsNotYaml(path)) {
        warnings.push(notYamlWarning(from.path, target));
        return undefined;
      }
      const text = host?.readProjectFile(path);
      if (text === undefined || typeof text === 'object') {
        // GitLab reads local includes from the repository only: a path that climbs out with `..`,
        // or that the host finds leading out (through a symlink), is not read.
        const where =
          typeof text === 'object' || leavesProject(path)
            ? 'is outside the project (GitLab reads local includes from the repository only)'
            : 'does not exist';
        warnings.push(`${from.path}: local include ${target} ${where}; its jobs were not checked`);
        return undefined;
      }
      // An include that is not valid YAML stops the migration as the file itself would: GitLab
      // refuses the pipeline, and its jobs (a template a Kaniko job extends, say) cannot be read.
      const { file: included, written: asWritten } = readFile(path, text);
      written.set(included, asWritten);
      return included;
    },
  });
  if (capped.length > 0) warnings.push(cappedWarning(root.path, capped));
  return files;
}

/** Where one include entry reaches every file in `files`: the one of them that all the others
 *  include (directly or through their includes), else the root file. */
function commonIncluder(root: SourceFile, included: readonly SourceFile[], files: ReadonlySet<string>): string {
  if (files.size === 1) return [...files][0] as string;
  const byPath = new Map([root, ...included].map((file) => [file.path, file]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const file = byPath.get(from);
    return file !== undefined && localIncludeTargets(file).some((include) => reaches(includePath(include.target), to, seen));
  };
  return [...files].find((candidate) => [...files].every((other) => reaches(other, candidate))) ?? root.path;
}

/**
 * One kaniko-compat include runs every job that extends it, in its builder-image: the existing
 * include's, else the first that a job on it needs. A job whose Kaniko image came from a mirror
 * needing another Buildah image cannot share it, so it goes to review; a job that needs none runs
 * the include's, and its notes say so.
 */
function sharedBuilderImage(ctx: EngineContext, existing: ReturnType<typeof compatInclude>, plans: JobPlan[]): void {
  const onCompat = plans.filter((p) => p.include?.component === ctx.compatRef);
  const builderOf = (p: JobPlan) => p.include?.inputs['builder-image'] as string | undefined;
  const first = onCompat.find((p) => builderOf(p) !== undefined);
  const shared = existing
    ? { image: existing.builderImage, by: `the kaniko-compat include in ${existing.file}` }
    : { image: first ? builderOf(first) : undefined, by: `the kaniko-compat include, for ${first?.report.name ?? ''}` };
  for (const plan of onCompat) {
    const own = builderOf(plan);
    if (own === shared.image) continue;
    if (own === undefined) {
      const text =
        `kaniko-compat is included once for the pipeline, with builder-image ${shared.image as string} (${shared.by}): ` +
        'this job runs it too, which the runner must be able to pull';
      plan.report = { ...plan.report, notes: [...plan.report.notes, text], kinds: [...plan.report.kinds, 'builder-image'] };
      continue;
    }
    const because = reason(
      'kaniko-image-mirror',
      `kaniko-compat is included once for the pipeline, and its builder-image is ${shared.image ?? `the default ${BUILDAH_IMAGE}`} ` +
        `(${shared.by}); this job ran its Kaniko image from another registry, for which --builder-image names ${own}: ` +
        `after moving it onto kaniko-compat, give it image: ${own} of its own, or build it in another pipeline`,
    );
    leaveForReview(plan, because, ctx.componentRef);
  }
}

/** A planned move undone: the job stays as it is, for review, for this reason only. */
function leaveForReview(plan: JobPlan, because: Reason, componentRef: string): void {
  plan.report = { ...plan.report, status: 'needs-review', component: componentRef, notes: [because.text], kinds: [because.kind] };
  plan.edits = [];
  delete plan.include;
}

/** The plans of the visible jobs and of the hidden templates, each as it ends up once the others are planned. */
function planAll(
  ctx: EngineContext,
  existing: ReturnType<typeof compatInclude>,
  visible: readonly JobDefinition[],
  hidden: readonly JobDefinition[],
): { plans: JobPlan[]; templates: JobPlan[] } {
  const plans: JobPlan[] = planJobs(ctx, visible);
  const { converting, held } = templatesToConvert(ctx, hidden, plans);
  // A job on kaniko-compat through a template that stays, as a job left for review uses it too.
  for (const plan of plans) {
    const because = held.get(plan.report.name);
    if (because) leaveForReview(plan, because, ctx.componentRef);
  }
  const templates = hidden.flatMap((job) => planTemplate(ctx, job, plans, converting) ?? []);
  sharedBuilderImage(ctx, existing, [...plans, ...templates]);
  // A job whose image comes from a template that could not be converted stays as it is.
  for (const plan of plans) {
    if (plan.report.status !== 'migrated') continue;
    const blocked = (plan.templates ?? []).flatMap((name) =>
      templates.filter((t) => t.report.name === name && t.report.status !== 'migrated'),
    );
    if (blocked.length === 0) continue;
    const because = reason(
      'template-review',
      `its Kaniko image comes from ${blocked.map((t) => t.report.name).join(', ')}, which needs review: ` +
        blocked.flatMap((t) => t.report.notes).join('; '),
    );
    leaveForReview(plan, because, ctx.componentRef);
  }
  return { plans, templates };
}

/** Migrates `path` (its text given) and its local includes. Throws SourceError on invalid YAML. */
export function migrateFile(path: string, text: string, options: MigrateOptions = {}): FileMigration[] {
  const { file: root, written: rootWritten } = readFile(path, text);
  const written = new Map([[root, rootWritten]]);
  const warnings: string[] = [];
  const included = readIncludes(root, options.host, warnings, written);
  // Without --component-ref, the catalog the pipeline includes cigen's components from already.
  const includes = includedCatalog([root, ...included]);
  const catalog = options.componentRef === undefined ? includes : undefined;
  const buildahRef = options.componentRef ?? (catalog ? `${catalog.catalog}/buildah@${catalog.version}` : defaultComponentRef());
  // GitLab merges included files first and the including file on top.
  const pipeline = buildPipeline([...included, root]);
  const existing = compatInclude(pipeline);
  const ctx: EngineContext = {
    pipeline,
    componentRef: buildahRef,
    compatRef: existing?.target ?? compatRefFor(buildahRef),
    compatJob: existing?.job ?? KANIKO_COMPAT_JOB,
    builderImages: options.builderImages && options.builderImages.length > 0 ? parseBuilderImages(options.builderImages) : undefined,
    onComponent: componentJobNames(pipeline),
    ...(options.host?.projectFileExists ? { projectFileExists: options.host.projectFileExists.bind(options.host) } : {}),
    ...(options.host
      ? {
          readProjectFile: (file: string) => {
            const text = options.host?.readProjectFile(file);
            return typeof text === 'string' ? text : undefined;
          },
        }
      : {}),
  };
  const visible: JobDefinition[] = [];
  const hidden: JobDefinition[] = [];
  for (const job of pipeline.jobs.values()) (job.name.startsWith('.') ? hidden : visible).push(job);
  // A job whose keys another job reads (an alias, a !reference) moves only when that reader moves
  // too and loses what it reads: planned first as if every reader did, then again with only the
  // readers whose edits do remove it, until each one counted as gone is (a migrated file then
  // migrates to itself: the first run moves the whole group).
  let gone: ReadonlySet<Node> = readerSites(pipeline);
  let planned = planAll({ ...ctx, gone }, existing, visible, hidden);
  for (;;) {
    const removed = sitesRemoved(
      pipeline,
      [...planned.plans, ...planned.templates]
        .filter((plan) => plan.report.status === 'migrated')
        .map((plan) => ({ file: plan.report.file, edits: plan.edits })),
    );
    const still = new Set([...gone].filter((site) => removed.has(site)));
    if (still.size === gone.size) break;
    gone = still;
    planned = planAll({ ...ctx, gone }, existing, visible, hidden);
  }
  const { plans, templates } = planned;
  const all = [...plans, ...templates];
  // What a Kaniko or Docker-daemon job builds once per matrix value: its matrix, however written.
  for (const { report } of all)
    if (report.from !== undefined) report.matrix = matrixOf(pipeline, pipeline.jobs.get(report.name) as JobDefinition);
  // Jobs that build again what an earlier job builds, under other tags: the promote component's case.
  // Not parallel jobs, nor jobs whose before_script now runs commands of theirs: a matrix or an
  // `export` sets variables the inputs may name, which the file's variables do not show.
  const statics = plans.filter(
    (p) =>
      p.report.status === 'migrated' &&
      p.report.component === ctx.componentRef &&
      p.report.inputs &&
      !p.report.kinds.includes('moved-to-before-script') &&
      !sourceOf(pipeline, pipeline.jobs.get(p.report.name) as JobDefinition, 'parallel'),
  );
  const again = sameBuilds(
    statics.map((p) => ({
      name: p.report.name,
      inputs: p.report.inputs as Inputs,
      variables: variablesOf(pipeline, pipeline.jobs.get(p.report.name) as JobDefinition),
    })),
  );
  for (const plan of statics) {
    const retag = again.get(plan.report.name);
    if (retag && !plan.report.promote) plan.report.promote = retag;
  }

  // One kaniko-compat include per pipeline: in the file holding what moves onto it, or the root.
  const compatFiles = new Set(all.filter((p) => p.include?.component === ctx.compatRef).map((p) => p.report.file));
  const compatHome = existing ? undefined : compatFiles.size > 0 ? commonIncluder(root, included, compatFiles) : undefined;
  const compatInputs =
    all.find((p) => p.include?.component === ctx.compatRef && Object.keys(p.include.inputs).length > 0)?.include?.inputs ?? {};

  return [root, ...included].map((file): FileMigration => {
    const mine = all.filter((p) => p.report.file === file.path);
    const edits = mine.flatMap((p) => p.edits);
    const entries: ComponentInclude[] = mine.flatMap((p) => (p.include && p.include.component !== ctx.compatRef ? [p.include] : []));
    // kaniko-compat needs no inputs unless the runner pulls from a mirror: none written then.
    if (compatHome === file.path)
      entries.push(
        (Object.keys(compatInputs).length > 0
          ? { component: ctx.compatRef, inputs: compatInputs }
          : { component: ctx.compatRef }) as ComponentInclude,
      );
    if (entries.length > 0) edits.push(addIncludeEntries(file, entries));
    // A file the migration leaves as GitLab reads it is left as it is written (keys twice and all).
    const original = (written.get(file) as SourceFile).text;
    const edited = edits.length > 0 ? applyEdits(file.text, edits) : file.text;
    const result = edited === file.text ? original : edited;
    if (result !== original) {
      try {
        readSource(file.path, result);
      } catch (error) {
        throw new Error(
          `cigen produced invalid YAML for ${file.path} (${(error as Error).message}); ` +
            'nothing was written. Please report this with the file.',
        );
      }
    }
    const jobs = mine.map((p) => p.report);
    const changed = result !== original;
    const own = duplicateWarnings(written.get(file) as SourceFile, file.path, changed);
    const unchecked = file === root ? warnings : [];
    const from = file === root && catalog && buildahRef !== defaultComponentRef() ? { catalog } : {};
    const catalogs = file === root && includes ? { includedCatalog: includes } : {};
    return {
      path: file.path,
      changed,
      jobs,
      original,
      result,
      warnings: [...unchecked, ...own],
      unchecked,
      duplicates: own,
      componentRef: buildahRef,
      ...from,
      ...catalogs,
    };
  });
}
