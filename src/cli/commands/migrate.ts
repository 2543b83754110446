/** `cigen migrate FILE...`: dry run (report + unified diff) by default; `--write` rewrites atomically. */
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { unifiedDiff } from '../../ci/unified-diff.js';
import { InputError, UsageError } from '../../errors.js';
import { migrateFile, SourceError, type FileMigration } from '../../migrate/index.js';
import { catalogTaken, refFor } from '../component-ref.js';
import { NotUtf8Error, readUserFile, refuseNotUtf8, writeFilesAtomically } from '../files.js';
import { paint, writeJson } from '../output.js';
import { projectRoot, readProjectPath, resolveProjectPath } from '../project.js';
import { projectFiles } from '../project-files.js';
import { writeOut } from '../stdio.js';

export interface MigrateCommandOptions {
  write?: boolean;
  format: 'text' | 'json';
  componentRef?: string;
  /** `--builder-image [REGISTRY=]IMAGE`, repeated. */
  builderImage?: string[];
}

/** `[REGISTRY=]IMAGE`: a registry host, and an image reference as the builder-image input takes it. */
const BUILDER_IMAGE = /^(?:[A-Za-z0-9.-]+(?::[0-9]+)?=)?[a-z0-9][a-z0-9._/:@-]*$/;

/** `--component-ref`, shared with the bot, checked before anything is read or asked of GitLab: the
 *  buildah component's ref, or the catalog's path@version (buildah added). Jobs move onto buildah
 *  (and kaniko-compat beside it), whose inputs another component does not take. */
export function buildahRef(value: string | undefined): string | undefined {
  return value === undefined
    ? undefined
    : refFor('buildah', value, () => 'jobs move onto buildah (and kaniko-compat): pass .../buildah@<version>, or the catalog path@version');
}

/** Checks each --builder-image value; the messages name the flag. */
export function checkBuilderImages(values: readonly string[] | undefined): string[] {
  for (const value of values ?? [])
    if (!BUILDER_IMAGE.test(value))
      throw new UsageError(
        `--builder-image ${value}: expected [REGISTRY=]IMAGE, e.g. harbor.example.com=harbor.example.com/quay/buildah/stable:v1.43.4`,
      );
  return [...(values ?? [])];
}
/** Why migrate refuses a file (the pipeline, a local include) that is not UTF-8. */
const NOT_UTF8 = 'migrate edits the pipeline and its local includes as UTF-8 text and would not write this byte back as it is';

/** A migrated file: its path relative to the cwd (as the report names it), absolute, and its project's root. */
type MigratedFile = FileMigration & { full: string; root: string };

const STATUS_MARK = { migrated: '✓', 'needs-review': '!', unchanged: '·' } as const;

/** Migrates one file and its local includes; paths in the results are relative to the cwd. */
function migratePath(path: string, text: string, componentRef: string | undefined, builderImages: readonly string[]): MigratedFile[] {
  const root = projectRoot(path);
  const inProject = relative(root, resolve(path));
  // A wildcard include is each project file it names (listed once, when there is one), as init reads it.
  let listed: readonly string[] | undefined;
  const results = migrateFile(inProject, text, {
    ...(componentRef ? { componentRef } : {}),
    builderImages,
    host: {
      readProjectFile: (file) => {
        const read = readProjectPath(root, file);
        return read.kind === 'file' ? read.text : read.kind === 'outside' ? { outside: true as const } : undefined;
      },
      projectFileExists: (file) => resolveProjectPath(root, file).kind === 'file',
      files: () => (listed ??= projectFiles(root)),
    },
  });
  return results.map((result) => {
    const full = join(root, result.path);
    return { ...result, path: relative(process.cwd(), full) || full, full, root };
  });
}

/** The deepest directory that holds every one of `dirs` (absolute). */
function enclosing(dirs: readonly string[]): string {
  const [first = process.cwd(), ...rest] = dirs;
  let common = first;
  while (!rest.every((dir) => dir === common || dir.startsWith(common.endsWith(sep) ? common : `${common}${sep}`)))
    common = dirname(common);
  return common;
}

function report(file: FileMigration): string {
  const lines = [`${paint('bold', file.path)}: ${file.changed ? 'changed' : 'unchanged'}`];
  if (file.catalog) lines.push(`  catalog: ${catalogTaken(file.catalog)}`);
  for (const job of file.jobs) {
    const mark =
      job.status === 'migrated'
        ? paint('green', STATUS_MARK[job.status])
        : job.status === 'needs-review'
          ? paint('yellow', STATUS_MARK[job.status])
          : STATUS_MARK[job.status];
    lines.push(`  ${mark} ${job.name}: ${job.status}${job.component && job.status === 'migrated' ? ` → ${job.component}` : ''}`);
    if (job.finding) lines.push(`      - was: ${job.finding}`);
    for (const note of job.notes) lines.push(`      ${job.status === 'needs-review' ? paint('yellow', '-') : '-'} ${note}`);
    if (job.promote) lines.push(`      - promote: ${job.promote.text}`);
  }
  for (const warning of file.warnings) lines.push(`  ${paint('yellow', 'warning')}: ${warning}`);
  return lines.join('\n');
}

export async function runMigrate(paths: string[], options: MigrateCommandOptions): Promise<void> {
  if (paths.length === 0) throw new UsageError('cigen migrate: give at least one pipeline file, e.g. cigen migrate .gitlab-ci.yml');
  const componentRef = buildahRef(options.componentRef);
  const builderImages = checkBuilderImages(options.builderImage);
  const texts = new Map<string, string>();
  for (const path of paths)
    texts.set(
      path,
      await readUserFile(path).catch((error: unknown) => {
        throw error instanceof NotUtf8Error ? refuseNotUtf8(error, NOT_UTF8) : error;
      }),
    );
  // Everything is computed before anything is written: one bad file leaves every file as it was.
  const files = new Map<string, MigratedFile>();
  for (const path of paths) {
    try {
      for (const result of migratePath(path, texts.get(path) ?? '', componentRef, builderImages)) {
        if (!files.has(result.full)) files.set(result.full, result);
      }
    } catch (error) {
      // A local include that is not UTF-8: decoded, it would be written back with U+FFFD for its bytes.
      if (error instanceof NotUtf8Error) throw refuseNotUtf8(error, NOT_UTF8);
      if (error instanceof SourceError)
        throw new InputError(
          `${relative(process.cwd(), resolve(projectRoot(path), error.path)) || error.path}:${error.line}:${error.column}: ` +
            `${error.reason}; nothing was written`,
        );
      throw error;
    }
  }
  const results = [...files.values()];
  if (options.write) await writeFilesAtomically(results.filter((f) => f.changed).map((f) => ({ path: f.full, text: f.result })));

  if (options.format === 'json') {
    const json = {
      files: results.map((f) => ({
        path: f.path,
        changed: f.changed,
        jobs: f.jobs.map((j) => ({
          name: j.name,
          status: j.status,
          component: j.component ?? null,
          inputs: j.inputs ?? null,
          ...(j.finding ? { finding: j.finding } : {}),
          notes: j.notes,
          ...(j.promote ? { promote: j.promote } : {}),
        })),
        warnings: f.warnings,
        ...(f.catalog ? { catalog: `${f.catalog.catalog}@${f.catalog.version}` } : {}),
        result: f.result,
      })),
    };
    writeJson(json, 2);
    return;
  }
  // One diff, one base for its paths: the cwd (git apply, patch -p1 there), or, when a file it
  // changes lies outside the cwd (`../ci.yml`, which git apply refuses), the project root for all —
  // for files of several projects, the deepest directory that holds each of their roots.
  const changedFiles = results.filter((f) => f.changed);
  const outside = changedFiles.some((f) => f.path === '..' || f.path.startsWith(`..${sep}`) || isAbsolute(f.path));
  const base = outside ? enclosing(changedFiles.map((f) => f.root)) : process.cwd();
  for (const file of results) {
    writeOut(`${report(file)}\n`);
    const diffPath = relative(base, file.full).split(sep).join('/');
    if (file.changed && !options.write) writeOut(unifiedDiff(`a/${diffPath}`, `b/${diffPath}`, file.original, file.result));
  }
  if (outside && !options.write) {
    const roots = new Set(changedFiles.map((f) => f.root)).size;
    const what = roots === 1 ? 'the project root' : `the directory that holds the ${roots} projects`;
    const from = relative(process.cwd(), base) || '.';
    writeOut(`the diff's paths are relative to ${from} (${what}, as a file it changes is outside this directory): apply it there\n`);
  }
  const counts = { migrated: 0, 'needs-review': 0, unchanged: 0 };
  for (const file of results) for (const job of file.jobs) counts[job.status]++;
  const changed = results.filter((f) => f.changed).length;
  const verb = options.write ? 'rewrote' : 'would rewrite';
  const dryRun = options.write || changed === 0 ? '' : ' (dry run: add --write)';
  const rewritten = `${verb} ${changed} file(s)${dryRun}`;
  writeOut(`${counts.migrated} migrated, ${counts['needs-review']} need review, ${counts.unchanged} unchanged; ${rewritten}\n`);
}
