/** `cigen lint FILE|DIR...`: GitLab CI files and component templates, with file:line:col. */
import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { FindingsError, UsageError } from '../../errors.js';
import { byPosition, type Diagnostic } from '../../ci/diagnostics.js';
import { withYaml11Breaks } from '../../ci/yaml.js';
import { lintFile, parseFile, type LintHost } from '../../lint/lint-text.js';
import { lintHost } from '../wiring/lint.js';
import { diagnosticJson, escapeControl, formatDiagnostic, paint, writeJson } from '../output.js';
import { listDirectory, NotUtf8Error, readFileText, readUserFile } from '../files.js';
import { projectRoot, readProjectPath, templateFiles } from '../project.js';
import { projectFiles } from '../project-files.js';
import { writeOut } from '../stdio.js';

export interface LintCommandOptions {
  format: 'text' | 'json';
  schemaOnly?: boolean;
  /** Lint the files named on the command line as root pipelines, whatever their names. */
  pipeline?: boolean;
}

const CI_FILE = /(^|\.)gitlab-ci\.ya?ml$/;
const YAML_FILE = /\.ya?ml$/;

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();
const isDirectory = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/**
 * A file that is not UTF-8 is read all the same, each invalid byte U+FFFD, and says so: GitLab
 * does not refuse such a file but guesses its encoding and converts it (bytes it cannot convert
 * are replaced), so what its jobs run may differ from what the file holds; init and migrate refuse
 * to edit it. Where cigen finds the byte, a warning.
 */
function readingAnyway<T>(read: () => T, lossy: (error: NotUtf8Error) => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof NotUtf8Error) return lossy(error);
    throw error;
  }
}

const notUtf8 = (error: NotUtf8Error): Diagnostic => ({
  file: error.file,
  line: error.line,
  column: error.column,
  severity: 'warning',
  code: 'yaml/encoding',
  message:
    `${error.reason}: GitLab reads a CI file that is not UTF-8 by guessing its encoding and converting it, ` +
    'so the pipeline may not run these bytes; cigen init and migrate refuse to edit it. Save the file as UTF-8',
});

/** Whether a file opens with a component's `spec:` header (its own document, then `---`). */
function hasSpecHeader(path: string): boolean {
  const text = readingAnyway(
    () => readFileText(path),
    (error) => error.text,
  );
  return parseFile(text, path).header?.has('spec') === true;
}

/**
 * The CI files of a directory: its pipeline files, its catalog templates (templates/), and the
 * component files it holds itself (a templates/ directory given directly): `<name>.yml` with a
 * `spec:` header, `<name>/template.yml`.
 */
function filesIn(dir: string): string[] {
  const found: string[] = [];
  const entries = listDirectory(dir);
  for (const entry of entries) if (CI_FILE.test(entry) && isFile(join(dir, entry))) found.push(join(dir, entry));
  found.push(...templateFiles(dir, YAML_FILE));
  for (const entry of entries) {
    const path = join(dir, entry);
    if (CI_FILE.test(entry)) continue;
    if (YAML_FILE.test(entry) && isFile(path) && hasSpecHeader(path)) found.push(path);
    else if (isDirectory(path) && isFile(join(path, 'template.yml'))) found.push(join(path, 'template.yml'));
  }
  return found;
}

/** The host for one linted file: its project's files (never one outside it), recording each
 *  text it reads so code frames quote what was linted and nothing else, and each file it read. */
function hostFor(file: string, sources: Map<string, string>, read: Set<string>, encoding: Diagnostic[]): LintHost {
  const root = projectRoot(file);
  let files: Promise<string[]> | undefined;
  const listed = () => (files ??= Promise.resolve().then(() => projectFiles(root)));
  return lintHost((path) => {
    const found = readingAnyway(
      () => readProjectPath(root, path),
      (error) => {
        encoding.push(notUtf8(error));
        return { kind: 'file' as const, text: error.text, full: resolve(root, path) };
      },
    );
    if (found.kind === 'outside') return { outside: true };
    if (found.kind === 'missing') return undefined;
    const name = relative(process.cwd(), found.full) || found.full;
    sources.set(name, found.text);
    read.add(name);
    return { text: found.text, file: name };
  }, listed);
}

/** A project's root pipeline file, linted first: the pipeline-named files it includes are pieces of it. */
const isRootPipeline = (file: string): boolean => /^\.?gitlab-ci\.ya?ml$/.test(basename(file));

/** Each file's lines as GitLab's parser counts them (NEL, LS, PS and a lone CR break lines in YAML 1.1), split once. */
const LINES = new Map<string, string[]>();

/** The lines around a finding, escaped (a control character in the file is shown, not acted on),
 *  the caret under the column as the escaped line shows it. */
function codeFrame(diagnostic: Diagnostic, sources: Map<string, string>): string {
  const text = sources.get(diagnostic.file);
  if (text === undefined) return '';
  let lines = LINES.get(diagnostic.file);
  // Without a byte order mark: no column of line 1 (the finding's column does not count it).
  if (!lines) LINES.set(diagnostic.file, (lines = withYaml11Breaks(text.replace(/^\ufeff/, '')).split('\n')));
  const out: string[] = [];
  const width = String(Math.min(lines.length, diagnostic.line + 1)).length;
  for (let n = Math.max(1, diagnostic.line - 1); n <= Math.min(lines.length, diagnostic.line + 1); n++) {
    const line = (lines[n - 1] ?? '').replace(/\r$/, '').slice(0, 160);
    const marker = n === diagnostic.line ? paint('red', '>') : ' ';
    out.push(`  ${marker} ${String(n).padStart(width)} | ${escapeControl(line)}`);
    if (n === diagnostic.line) {
      // A tab stays a tab: a terminal widens it to the same stop as on the line above.
      const indent = escapeControl(line.slice(0, Math.max(0, diagnostic.column - 1))).replace(/[^\t]/g, ' ');
      out.push(`    ${' '.repeat(width)} | ${indent}${paint('red', '^')}`);
    }
  }
  return out.join('\n');
}

export async function runLint(paths: string[], options: LintCommandOptions): Promise<void> {
  const targets = paths.length > 0 ? paths : ['.'];
  /** Each file to lint, and whether it was named on the command line (--pipeline applies to those). */
  const files = new Map<string, { named: boolean }>();
  const add = (path: string, named: boolean) => {
    const file = relative(process.cwd(), resolve(path)) || path;
    if (!files.has(file)) files.set(file, { named });
  };
  for (const target of targets) {
    if (!existsSync(target)) throw new UsageError(`${target}: no such file or directory`);
    if (statSync(target).isDirectory()) {
      const found = filesIn(target);
      if (found.length === 0) throw new UsageError(`${target}: no .gitlab-ci.yml, no templates/*.yml and no component files to lint`);
      for (const file of found) add(file, false);
    } else {
      add(target, true);
    }
  }
  const sources = new Map<string, string>();
  // Root pipelines first: a pipeline-named file one of them includes, found in a directory
  // (`deploy.gitlab-ci.yml`, GitLab's own naming for pieces), is a piece of that pipeline, linted
  // as part of it; alone, as the pipeline its name says, its stages and needs would be missing.
  // Shown in the order the files were found.
  const order = [...files.keys()].sort((a, b) => Number(!isRootPipeline(a)) - Number(!isRootPipeline(b)));
  const includedBy = new Map<string, string>();
  const results = new Map<string, { diagnostics: Diagnostic[]; fragment: boolean; partOf?: string; inputsUnread?: string[] }>();
  for (const file of order) {
    const { named } = files.get(file) as { named: boolean };
    const partOf = named || !CI_FILE.test(basename(file)) ? undefined : includedBy.get(file);
    if (partOf !== undefined) {
      results.set(file, { diagnostics: [], fragment: false, partOf });
      continue;
    }
    const encoding: Diagnostic[] = [];
    const text = await readUserFile(file).catch((error: unknown) => {
      if (!(error instanceof NotUtf8Error)) throw error;
      encoding.push(notUtf8(error));
      return error.text;
    });
    sources.set(file, text);
    const read = new Set<string>();
    const result = await lintFile(text, {
      file,
      schemaOnly: Boolean(options.schemaOnly),
      host: hostFor(file, sources, read, encoding),
      ...(options.pipeline && named ? { pipeline: true } : {}),
    });
    for (const included of read) if (included !== file && !includedBy.has(included)) includedBy.set(included, file);
    results.set(file, {
      diagnostics: [...encoding, ...result.diagnostics].sort(byPosition),
      fragment: result.as === 'fragment' && !options.schemaOnly,
      inputsUnread: result.inputsUnread,
    });
  }
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const unread = new Set<string>();
  for (const file of files.keys()) {
    const { diagnostics: found, fragment, partOf, inputsUnread } = results.get(file) as NonNullable<ReturnType<typeof results.get>>;
    diagnostics.push(...found);
    for (const header of inputsUnread ?? []) {
      if (unread.has(header)) continue;
      unread.add(header);
      notes.push(
        `${escapeControl(header)}: its spec:include names files whose inputs cigen could not read ` +
          "(remote, another project's, a local one in error); inputs they may declare are not known, " +
          'so undeclared inputs and unknown input arguments are not reported',
      );
    }
    if (partOf !== undefined)
      notes.push(
        `${escapeControl(file)}: linted as part of ${escapeControl(partOf)}, which includes it; ` +
          'name it on the command line to check it as a whole pipeline',
      );
    else if (fragment)
      notes.push(
        `${escapeControl(file)}: linted as a fragment (not named .gitlab-ci.yml, gitlab-ci.yml or *.gitlab-ci.yml); ` +
          'add --pipeline to check it as a whole pipeline',
      );
  }
  const distinct = [...new Map(diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`, d])).values()];
  // A file linted on its own (a fragment) and as part of a pipeline that includes it can be judged
  // at the same place twice: the pipeline, which sees the whole, is the one to show.
  const place = (d: Diagnostic) => `${d.file}:${d.line}:${d.column}:${d.code}`;
  const erred = new Set(distinct.filter((d) => d.severity === 'error').map(place));
  const unique = distinct.filter((d) => d.severity === 'error' || !erred.has(place(d)));
  const errors = unique.filter((d) => d.severity === 'error').length;
  if (options.format === 'json') {
    writeJson(unique.map(diagnosticJson));
  } else {
    for (const d of unique) writeOut(`${formatDiagnostic(d)}\n${codeFrame(d, sources)}\n`);
    for (const note of notes) writeOut(`${note}\n`);
    const warnings = unique.length - errors;
    const summary =
      unique.length === 0 ? `${files.size} file(s) clean` : `${errors} error(s), ${warnings} warning(s) in ${files.size} file(s)`;
    writeOut(`${unique.length === 0 ? paint('green', summary) : summary}\n`);
  }
  if (errors > 0) throw new FindingsError('');
}
