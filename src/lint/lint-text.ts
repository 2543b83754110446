/**
 * Lints one file and what it includes, layer by layer: YAML, GitLab's schema, the component
 * spec rules, includes (local files and this catalog's components, checked against their specs)
 * and the semantic checks GitLab runs on the assembled pipeline. A component file's content is
 * checked as GitLab would see it, interpolated, since `parallel: $[[ inputs.n ]]` is only a
 * number afterwards. Pure: files are read through the host the caller gives.
 */
import { basename } from 'node:path';
import { isSeq, isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import { interpolateClassic } from '../ci/interpolation/classic.js';
import { resolveInputs, type InputSpecs } from '../ci/interpolation/inputs.js';
import { parseYamlDocuments } from '../ci/yaml.js';
import { byPosition, type Diagnostic, type Finding, type PathSegment } from './diagnostics.js';
import { resolveInclude, includeEntries, type IncludeEntry } from './includes.js';
import { emptyModel, mergeContent, type Origin, type PipelineModel } from './model.js';
import { locate } from './positions.js';
import { validateSchema } from './schema.js';
import { checkPipeline } from './semantic.js';
import { checkContent, checkHeader } from './spec-rules.js';

/** Reads project files for local includes; paths are relative to the project root. */
export interface LintHost {
  readProjectFile(path: string): { text: string; file: string } | undefined;
}

export interface LintOptions {
  file: string;
  /** Only the YAML and schema layers. */
  schemaOnly?: boolean;
  /** Check a component's content against the schema as written, blocks and all, rather than
   *  interpolated with its defaults (the catalog build validates instantiations itself). */
  contentAsWritten?: boolean;
  /** Where local includes are read from; without one they count as unreadable. */
  host?: LintHost;
  /** A whole pipeline (default: a file named .gitlab-ci.yml without a spec header). */
  pipeline?: boolean;
}

export interface ParsedFile {
  file: string;
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
const MAX_ALIASES = 10_000;

/** Parses a file into its header and content documents, reporting YAML problems. Duplicate
 *  keys are a warning: GitLab (Ruby's Psych) silently keeps the last one. */
export function parseFile(text: string, file: string): ParsedFile {
  const { documents, lineCounter } = parseYamlDocuments(text);
  const diagnostics: Diagnostic[] = [];
  for (const doc of documents) {
    for (const problem of [...doc.errors, ...doc.warnings]) {
      const { line, col: column } = lineCounter.linePos(problem.pos[0]);
      const duplicate = problem.code === 'DUPLICATE_KEY';
      const error = (doc.errors as unknown[]).includes(problem) || problem.code === 'TAG_RESOLVE_FAILED';
      diagnostics.push({
        file,
        line,
        column,
        severity: error && !duplicate ? 'error' : 'warning',
        code: YAML_CODES[problem.code] ?? 'yaml/syntax',
        message: duplicate ? `${problem.message.split('\n')[0]}; GitLab keeps the last one` : (problem.message.split('\n')[0] ?? problem.message),
      });
    }
  }
  const content = documents.at(-1);
  const header = documents.length > 1 ? documents[0] : undefined;
  return { file, ...(header ? { header } : {}), ...(content ? { content } : {}), lineCounter, diagnostics };
}

/** Values to instantiate a component with for schema checks: defaults, else a typed stand-in. */
export function sampleInputs(specs: InputSpecs): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec && typeof spec === 'object' && spec.default !== undefined && spec.default !== null) {
      values[name] = spec.default;
      continue;
    }
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
  const model = emptyModel();
  const context: AnalysisContext = { options, model, seen: new Set([options.file]), depth: 0 };
  const diagnostics = await analyze(parsed, context, undefined);
  const pipeline = options.pipeline ?? (!parsed.header && /(^|\.)gitlab-ci\.ya?ml$/.test(basename(options.file)));
  if (!options.schemaOnly && !options.contentAsWritten && !diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml/'))) {
    diagnostics.push(...checkPipeline(model, { pipeline }));
  }
  return dedupe(diagnostics).sort(byPosition);
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface AnalysisContext {
  options: LintOptions;
  model: PipelineModel;
  seen: Set<string>;
  depth: number;
}

/** Whether the node at `path` is a scalar holding exactly one interpolation block. */
function isWholeBlock(doc: Document, path: readonly PathSegment[]): boolean {
  const node = doc.getIn(path, true);
  return isScalar(node) && typeof node.value === 'string' && /^\$\[\[\s*inputs\.[A-Za-z0-9_-]+\s*\]\]$/.test(node.value.trim());
}

/** `!reference` tags in a document, with their paths. */
function referencesIn(doc: Document): { target: string[]; path: PathSegment[] }[] {
  const found: { target: string[]; path: PathSegment[] }[] = [];
  const visit = (node: unknown, path: PathSegment[], depth: number) => {
    if (depth > 200) return;
    if (isSeq(node)) {
      if (node.tag === '!reference') {
        found.push({ target: node.items.map((item) => (isScalar(item) ? String(item.value) : '')), path });
        return;
      }
      node.items.forEach((item, i) => visit(item, [...path, i], depth + 1));
    } else if (isMap(node)) {
      for (const item of node.items) if (isPair(item) && isScalar(item.key)) visit(item.value, [...path, String(item.key.value)], depth + 1);
    }
  };
  visit(doc.contents as Node | null, [], 0);
  return found;
}

/**
 * One file: its own layers, then its includes (merged first, as GitLab does), then its content
 * on top. `given` is what an include passed as inputs; undefined for a file linted on its own.
 */
async function analyze(parsed: ParsedFile, context: AnalysisContext, given: Record<string, unknown> | undefined): Promise<Diagnostic[]> {
  const { options } = context;
  const file = parsed.file;
  const diagnostics = [...parsed.diagnostics];
  const { header, content, lineCounter } = parsed;
  if (diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml/'))) return diagnostics;
  if (!content) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'yaml/empty', message: 'Please provide content of .gitlab-ci.yml' });
    return diagnostics;
  }

  const toDiagnostic = (finding: Finding, resolveKey?: (key: string) => string): Diagnostic => {
    const doc = finding.document === 'header' && header ? header : content;
    const pos = locate(doc, lineCounter, finding.path, finding.at, resolveKey);
    return { file, line: pos.line, column: pos.column, severity: finding.severity, code: finding.code, message: finding.message, document: finding.document, path: finding.path };
  };

  let headerValue: unknown;
  let contentValue: unknown;
  try {
    headerValue = header?.toJS({ maxAliasCount: MAX_ALIASES });
    contentValue = content.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'yaml/alias', message: `the file expands too far through aliases (${(error as Error).message})` });
    return diagnostics;
  }
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
    if (!options.contentAsWritten) {
      // As GitLab sees it: with the values an include gave, else the defaults.
      const values = given ? resolveInputs(specs, given).values : sampleInputs(specs);
      const interpolation = { inputs: { ...sampleInputs(specs), ...values } };
      const interpolated = interpolateClassic(contentValue, interpolation);
      if (interpolated.value !== undefined) {
        contentValue = interpolated.value;
        resolveKey = (key) => String(interpolateClassic(key, interpolation).value ?? key);
      }
    }
  } else if (!options.schemaOnly) {
    const contentCheck = checkContent(content, new Map(), new Set(), { hasHeader: false });
    diagnostics.push(...contentCheck.issues.map((issue) => toDiagnostic({ document: 'content', ...issue })));
  }
  if (contentValue === null || contentValue === undefined) {
    diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'yaml/empty', message: 'Please provide content of .gitlab-ci.yml' });
    return diagnostics;
  }
  const schema = await validateSchema(contentValue);
  // As written, `parallel: $[[ inputs.n ]]` is a string where an integer belongs; GitLab puts the
  // typed value there, and the catalog build validates every instantiation, so skip those.
  const findings = options.contentAsWritten ? schema.findings.filter((finding) => !isWholeBlock(content, finding.path)) : schema.findings;
  diagnostics.push(...findings.map((finding) => toDiagnostic({ document: 'content', ...finding }, resolveKey)));
  if (options.schemaOnly || options.contentAsWritten) return diagnostics;

  const origin: Omit<Origin, 'path'> = { file, doc: content, lineCounter, ...(resolveKey ? { resolveKey } : {}) };
  const include = (contentValue as Record<string, unknown>)['include'];
  for (const entry of includeEntries(include)) {
    diagnostics.push(...(await includeOne(entry, { ...origin, path: entry.path }, context)));
  }
  mergeContent(context.model, contentValue, origin);
  for (const reference of referencesIn(content)) context.model.references.push({ target: reference.target, origin: { ...origin, path: reference.path } });
  return diagnostics;
}

const MAX_INCLUDE_DEPTH = 100;

async function includeOne(entry: IncludeEntry, at: Origin, context: AnalysisContext): Promise<Diagnostic[]> {
  const resolution = resolveInclude(entry, context.options.host);
  const diagnostics: Diagnostic[] = [];
  const report = (code: string, message: string, sub: PathSegment[] = [], severity: 'error' | 'warning' = 'error') => {
    const pos = locate(at.doc, at.lineCounter, [...at.path, ...sub], 'value', at.resolveKey);
    diagnostics.push({ file: at.file, line: pos.line, column: pos.column, severity, code, message, document: 'content', path: [...at.path, ...sub] });
  };
  if (resolution.kind === 'unreadable') {
    context.model.partial = true;
    return diagnostics;
  }
  if (resolution.kind === 'error') {
    report(resolution.code, resolution.message);
    return diagnostics;
  }
  if (context.depth >= MAX_INCLUDE_DEPTH) {
    report('include/depth', `Maximum of ${MAX_INCLUDE_DEPTH} nested includes are allowed!`);
    return diagnostics;
  }
  if (context.seen.has(resolution.file)) return diagnostics;
  const parsed = parseFile(resolution.text, resolution.file);
  const inputs = entry.inputs ?? {};
  if (!parsed.header && entry.inputs !== undefined) {
    report('include/inputs', `\`${entry.target}\`: Given inputs not defined in the \`spec\` section of the included configuration file`, ['inputs']);
  } else if (parsed.header) {
    const specs = ((parsed.header.toJS() as { spec?: { inputs?: InputSpecs } } | null)?.spec?.inputs ?? {}) as InputSpecs;
    for (const error of resolveInputs(specs, inputs).errors) {
      const name = /^`([^`]+)` input/.exec(error)?.[1] ?? /^unknown input arguments: ([^,]+)/.exec(error)?.[1];
      report('include/inputs', `\`${entry.target}\`: ${error}`, name && name in inputs ? ['inputs', name] : entry.inputs ? ['inputs'] : []);
    }
  }
  for (const error of resolution.valueErrors?.(inputs) ?? []) {
    const name = /^`([^`]+)` input/.exec(error)?.[1];
    report('include/inputs', `\`${entry.target}\`: ${error}`, name && name in inputs ? ['inputs', name] : []);
  }
  const nested: AnalysisContext = { ...context, seen: new Set([...context.seen, resolution.file]), depth: context.depth + 1 };
  diagnostics.push(...(await analyze(parsed, nested, inputs)));
  return diagnostics;
}
