/** `cigen lint FILE|DIR...`: GitLab CI files and component templates, with file:line:col. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { FindingsError, UsageError } from '../../errors.js';
import type { Diagnostic } from '../../ci/diagnostics.js';
import { lintText, type LintHost } from '../../lint/lint-text.js';
import { lintHost } from '../wiring.js';
import { diagnosticJson, formatDiagnostic, paint } from '../output.js';
import { projectRoot, readProjectFile, templateFiles } from '../project.js';

export interface LintCommandOptions {
  format: 'text' | 'json';
  schemaOnly?: boolean;
}

const CI_FILE = /(^|\.)gitlab-ci\.ya?ml$/;

/** The CI files of a directory: its pipeline files and its catalog templates. */
function filesIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) if (CI_FILE.test(entry)) found.push(join(dir, entry));
  found.push(...templateFiles(dir, /\.ya?ml$/));
  return found;
}

function hostFor(file: string): LintHost {
  const root = projectRoot(file);
  return lintHost((path) => {
    const read = readProjectFile(root, path);
    return read && { text: read.text, file: relative(process.cwd(), read.full) || read.full };
  });
}

function codeFrame(diagnostic: Diagnostic, sources: Map<string, string>): string {
  const text = sources.get(diagnostic.file);
  if (text === undefined) return '';
  const lines = text.split('\n');
  const out: string[] = [];
  const width = String(Math.min(lines.length, diagnostic.line + 1)).length;
  for (let n = Math.max(1, diagnostic.line - 1); n <= Math.min(lines.length, diagnostic.line + 1); n++) {
    const marker = n === diagnostic.line ? paint('red', '>') : ' ';
    out.push(`  ${marker} ${String(n).padStart(width)} | ${(lines[n - 1] ?? '').slice(0, 160)}`);
    if (n === diagnostic.line) out.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, diagnostic.column - 1))}${paint('red', '^')}`);
  }
  return out.join('\n');
}

export async function runLint(paths: string[], options: LintCommandOptions): Promise<void> {
  const targets = paths.length > 0 ? paths : ['.'];
  const files: string[] = [];
  for (const target of targets) {
    if (!existsSync(target)) throw new UsageError(`${target}: no such file or directory`);
    if (statSync(target).isDirectory()) {
      const found = filesIn(target);
      if (found.length === 0) throw new UsageError(`${target}: no .gitlab-ci.yml and no templates/*.yml to lint`);
      files.push(...found);
    } else {
      files.push(target);
    }
  }
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const file of [...new Set(files.map((f) => relative(process.cwd(), resolve(f)) || f))]) {
    const text = readFileSync(file, 'utf8');
    sources.set(file, text);
    diagnostics.push(...(await lintText(text, { file, schemaOnly: Boolean(options.schemaOnly), host: hostFor(file) })));
  }
  const unique = [...new Map(diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`, d])).values()];
  const errors = unique.filter((d) => d.severity === 'error').length;
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(unique.map(diagnosticJson))}\n`);
  } else {
    for (const d of unique) {
      if (!sources.has(d.file) && existsSync(d.file)) sources.set(d.file, readFileSync(d.file, 'utf8'));
      process.stdout.write(`${formatDiagnostic(d)}\n${codeFrame(d, sources)}\n`);
    }
    const warnings = unique.length - errors;
    const summary =
      unique.length === 0 ? `${files.length} file(s) clean` : `${errors} error(s), ${warnings} warning(s) in ${files.length} file(s)`;
    process.stdout.write(`${unique.length === 0 ? paint('green', summary) : summary}\n`);
  }
  if (errors > 0) throw new FindingsError('');
}
