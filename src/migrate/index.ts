/**
 * `migrate`: a pipeline file and its local includes in, the rewritten texts and a report per
 * job out. Pure: files are read through the host the caller gives, nothing is written here.
 */
import { posix } from 'node:path';
import { componentRef } from '../ci/component-ref.js';
import { componentJobNames, planJob, templateReport, type JobPlan, type JobReport } from './engine.js';
import { buildPipeline, type JobDefinition } from './pipeline.js';
import { addIncludeEntries, includesOf } from '../ci/splice.js';
import { applyEdits, readSource, type SourceFile } from '../ci/source.js';

export { SourceError } from '../ci/source.js';
export type { JobReport, JobStatus } from './engine.js';

export const defaultComponentRef = (): string => componentRef('buildah');

export interface MigrateHost {
  /** A project file by its path relative to the project root: its text, undefined when it does
   *  not exist, or `{ outside: true }` when the path leads out of the project (a symlink, say). */
  readProjectFile(path: string): string | undefined | { outside: true };
}

export interface MigrateOptions {
  componentRef?: string;
  host?: MigrateHost;
}

export interface FileMigration {
  path: string;
  changed: boolean;
  jobs: JobReport[];
  original: string;
  result: string;
  /** Problems that did not stop the migration (a local include that is missing, say). */
  warnings: string[];
}

const MAX_INCLUDES = 100;

/** Local include paths of a file (string entries and `local:` entries; no globs or variables). */
function localIncludes(file: SourceFile): string[] {
  return includesOf(file).flatMap((entry) => (entry.kind === 'local' ? [entry.target] : []));
}

/** The local includes a pipeline file names (for callers that must fetch them before migrating). */
export function localIncludePaths(path: string, text: string): string[] {
  return localIncludes(readSource(path, text))
    .filter((p) => !/[*$]/.test(p))
    .map((p) => p.replace(/^\/+/, ''));
}

function readIncludes(root: SourceFile, host: MigrateHost | undefined, warnings: string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const seen = new Set([root.path]);
  const queue = [root];
  while (queue.length > 0 && files.length < MAX_INCLUDES) {
    const file = queue.shift() as SourceFile;
    for (const path of localIncludes(file)) {
      const relative = path.replace(/^\/+/, '');
      if (seen.has(relative)) continue;
      seen.add(relative);
      if (/[*$]/.test(relative)) {
        warnings.push(`${file.path}: local include ${path} uses a glob or a variable; its jobs were not checked`);
        continue;
      }
      const text = host?.readProjectFile(relative);
      if (text === undefined || typeof text === 'object') {
        // GitLab reads local includes from the repository only: a path that climbs out with `..`,
        // or that the host finds leading out (through a symlink), is not read.
        const where =
          typeof text === 'object' || posix.normalize(relative).startsWith('../')
            ? 'is outside the project (GitLab reads local includes from the repository only)'
            : 'does not exist';
        warnings.push(`${file.path}: local include ${path} ${where}; its jobs were not checked`);
        continue;
      }
      try {
        const included = readSource(relative, text);
        files.push(included);
        queue.push(included);
      } catch (error) {
        warnings.push(`${(error as Error).message}; its jobs were not checked`);
      }
    }
  }
  return files;
}

/** Migrates `path` (its text given) and its local includes. Throws SourceError on invalid YAML. */
export function migrateFile(path: string, text: string, options: MigrateOptions = {}): FileMigration[] {
  const componentRef = options.componentRef ?? defaultComponentRef();
  const root = readSource(path, text);
  const warnings: string[] = [];
  const included = readIncludes(root, options.host, warnings);
  // GitLab merges included files first and the including file on top.
  const pipeline = buildPipeline([...included, root]);
  const onComponent = componentJobNames(pipeline);
  const plans: JobPlan[] = [];
  const hidden: string[] = [];
  for (const job of pipeline.jobs.values()) {
    if (job.name.startsWith('.')) hidden.push(job.name);
    else plans.push(planJob(pipeline, job, componentRef, onComponent));
  }
  const migrated = plans.filter((p) => p.report.status === 'migrated').map((p) => p.report.name);
  const templates = hidden.flatMap((name) => templateReport(pipeline, pipeline.jobs.get(name) as JobDefinition, migrated) ?? []);

  return [root, ...included].map((file): FileMigration => {
    const mine = plans.filter((p) => p.report.file === file.path);
    const edits = mine.flatMap((p) => p.edits);
    const entries = mine.flatMap((p) => (p.include ? [p.include] : []));
    if (entries.length > 0) edits.push(addIncludeEntries(file, entries));
    const result = edits.length > 0 ? applyEdits(file.text, edits) : file.text;
    if (result !== file.text) {
      try {
        readSource(file.path, result);
      } catch (error) {
        throw new Error(
          `cigen produced invalid YAML for ${file.path} (${(error as Error).message}); ` +
            'nothing was written. Please report this with the file.',
        );
      }
    }
    const jobs = [...mine.map((p) => p.report), ...templates.filter((t) => t.file === file.path)];
    return { path: file.path, changed: result !== file.text, jobs, original: file.text, result, warnings: file === root ? warnings : [] };
  });
}
