/**
 * Lints one file's text: YAML, then GitLab's schema, then the component spec rules. A component
 * file's content is checked as GitLab would see it with default inputs, since a block such as
 * `parallel: $[[ inputs.n ]]` is only a number after interpolation.
 */
import type { Document, LineCounter } from 'yaml';
import { interpolateClassic } from '../ci/interpolation/classic.js';
import type { InputSpecs } from '../ci/interpolation/inputs.js';
import { parseYamlDocuments } from '../ci/yaml.js';
import { byPosition, type Diagnostic, type Finding } from './diagnostics.js';
import { locate } from './positions.js';
import { validateSchema } from './schema.js';
import { checkContent, checkHeader } from './spec-rules.js';

export interface LintOptions {
  file: string;
  /** Only the YAML and schema layers. */
  schemaOnly?: boolean;
  /** Check a component's content against the schema as written, blocks and all, rather than
   *  interpolated with its defaults (the catalog build validates instantiations itself). */
  contentAsWritten?: boolean;
}

export interface ParsedFile {
  header?: Document.Parsed;
  content?: Document.Parsed;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'yaml/duplicate-key',
  TAG_RESOLVE_FAILED: 'yaml/unknown-tag',
  BAD_ALIAS: 'yaml/alias',
  MULTIPLE_ANCHORS: 'yaml/anchor',
};

/** Parses a file into its header and content documents, reporting YAML problems. */
export function parseFile(text: string, file: string): ParsedFile {
  const { documents, lineCounter } = parseYamlDocuments(text);
  const diagnostics: Diagnostic[] = [];
  for (const doc of documents) {
    for (const problem of [...doc.errors, ...doc.warnings]) {
      const [line, column] = problem.linePos?.[0] ? [problem.linePos[0].line, problem.linePos[0].col] : [1, 1];
      const unknownTag = problem.code === 'TAG_RESOLVE_FAILED';
      diagnostics.push({
        file,
        line,
        column,
        severity: doc.errors.includes(problem as never) || unknownTag ? 'error' : 'warning',
        code: YAML_CODES[problem.code] ?? 'yaml/syntax',
        message: problem.message.split('\n')[0] ?? problem.message,
      });
    }
  }
  const content = documents.at(-1);
  const header = documents.length > 1 ? documents[0] : undefined;
  return { ...(header ? { header } : {}), ...(content ? { content } : {}), lineCounter, diagnostics };
}

/** Values to instantiate a component with for schema checks: defaults, else a typed stand-in. */
export function sampleInputs(specs: InputSpecs): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec && typeof spec === 'object' && spec.default !== undefined && spec.default !== null) continue;
    const type = spec && typeof spec === 'object' ? (spec.type ?? 'string') : 'string';
    const option = spec && typeof spec === 'object' ? spec.options?.[0] : undefined;
    values[name] = option ?? { array: [], boolean: true, number: 1, string: 'value' }[type] ?? 'value';
  }
  return values;
}

export async function lintText(text: string, options: LintOptions): Promise<Diagnostic[]> {
  return lintParsed(parseFile(text, options.file), options);
}

/** Lints an already parsed file (callers that also need the documents parse once). */
export async function lintParsed(parsed: ParsedFile, options: LintOptions): Promise<Diagnostic[]> {
  const diagnostics = [...parsed.diagnostics];
  const { header, content, lineCounter } = parsed;
  if (!content || diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml/'))) return diagnostics.sort(byPosition);

  const toDiagnostic = (finding: Finding, resolveKey?: (key: string) => string): Diagnostic => {
    const doc = finding.document === 'header' && header ? header : content;
    const pos = locate(doc, lineCounter, finding.path, finding.at, resolveKey);
    return {
      file: options.file,
      line: pos.line,
      column: pos.column,
      severity: finding.severity,
      code: finding.code,
      message: finding.message,
      document: finding.document,
      path: finding.path,
    };
  };

  const headerValue = header?.toJS() as unknown;
  let contentValue = content.toJS({ maxAliasCount: 10_000 }) as unknown;
  let resolveKey: ((key: string) => string) | undefined;

  if (header) {
    const headerCheck = checkHeader(headerValue);
    const specs = ((headerValue as { spec?: { inputs?: InputSpecs } } | null)?.spec?.inputs ?? {}) as InputSpecs;
    if (!options.schemaOnly) {
      diagnostics.push(...headerCheck.issues.map((issue) => toDiagnostic({ document: 'header', ...issue })));
      const contentCheck = checkContent(content, headerCheck.inputs, headerCheck.componentFields, { hasHeader: true });
      diagnostics.push(...contentCheck.issues.map((issue) => toDiagnostic({ document: 'content', ...issue })));
      for (const name of contentCheck.unused) {
        diagnostics.push(toDiagnostic({ document: 'header', path: ['spec', 'inputs', name], at: 'key', severity: 'warning', code: 'spec/unused-input', message: `input \`${name}\` is declared but never used` }));
      }
    }
    const headerSchema = await validateSchema(headerValue);
    diagnostics.push(...headerSchema.findings.map((finding) => toDiagnostic({ document: 'header', ...finding })));
    // Check the content as GitLab sees it: interpolated with the defaults.
    const defaults: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(specs)) if (spec && typeof spec === 'object' && spec.default !== undefined) defaults[name] = spec.default;
    const context = { inputs: { ...defaults, ...sampleInputs(specs) } };
    const interpolated = options.contentAsWritten ? { value: undefined } : interpolateClassic(contentValue, context);
    if (interpolated.value !== undefined) {
      contentValue = interpolated.value;
      resolveKey = (key) => String(interpolateClassic(key, context).value ?? key);
    }
  } else if (!options.schemaOnly) {
    const contentCheck = checkContent(content, new Map(), new Set(), { hasHeader: false });
    diagnostics.push(...contentCheck.issues.map((issue) => toDiagnostic({ document: 'content', ...issue })));
  }
  if (contentValue === null || contentValue === undefined) {
    diagnostics.push({ file: options.file, line: 1, column: 1, severity: 'error', code: 'yaml/empty', message: 'Please provide content of .gitlab-ci.yml' });
    return diagnostics.sort(byPosition);
  }
  const schema = await validateSchema(contentValue);
  diagnostics.push(...schema.findings.map((finding) => toDiagnostic({ document: 'content', ...finding }, resolveKey)));
  return diagnostics.sort(byPosition);
}

