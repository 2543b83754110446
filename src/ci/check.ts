/**
 * One CI file checked as GitLab reads it, before any include is followed: the YAML, the
 * component header against GitLab's input rules, the content's interpolation blocks, and
 * GitLab's schema (the content interpolated, as GitLab sees it, unless asked for as written).
 * Shared by `cigen lint` (which goes on to includes and the assembled pipeline) and by the
 * catalog build (which checks each rendered component).
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type LineCounter } from 'yaml';
import type { Diagnostic, Finding, PathSegment } from './diagnostics.js';
import { classicLimit, interpolateClassic } from './interpolation/classic.js';
import { resolveInputs, type InputSpecs } from './interpolation/inputs.js';
import { locate } from './positions.js';
import { contentAsEntriesRead, headerAsEntriesRead, pathAsWritten } from './entries-read.js';
import { setTwinsAside, withHiddenTwins } from './hidden-twins.js';
import { isUnder, resolveReferences } from './references.js';
import { describePath, validateSchema, type SchemaResult } from './schema.js';
import { checkContent, checkHeader } from './spec-rules.js';
import { headerInputs, type HeaderFileReader } from './spec-include.js';
import {
  DuplicateKeyError,
  duplicateKeyMessage,
  LeanDocument,
  MAX_ALIASES,
  documentValue,
  parseLeanDocument,
  parseYamlDocuments,
  referencesIn,
  refusedReferenceAt,
  scalarText,
  noteWholeFloats,
  wholeFloatCount,
} from './yaml.js';

export interface ParsedFile {
  file: string;
  header?: Document.Parsed;
  content?: Document.Parsed;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'yaml/duplicate-key',
  COLLECTION_KEY: 'yaml/collection-key',
  TAG_RESOLVE_FAILED: 'yaml/unknown-tag',
  BAD_ALIAS: 'yaml/alias',
  MULTIPLE_ANCHORS: 'yaml/anchor',
};

/** The first alias of these documents whose anchor is not set before it in its own document. */
function unresolvedAlias(documents: readonly (Document.Parsed | undefined)[]): Alias | undefined {
  for (const doc of documents) {
    if (!doc) continue;
    const anchors = new Set<string>();
    let found: Alias | undefined;
    visit(doc, {
      Node(_, node) {
        if (isAlias(node)) {
          if (!anchors.has(node.source)) {
            found = node;
            return visit.BREAK;
          }
        } else if (node.anchor) anchors.add(node.anchor);
        return undefined;
      },
    });
    if (found) return found;
  }
  return undefined;
}

/** Parses a file into its header and content documents, reporting YAML problems. Duplicate
 *  keys are a warning: GitLab (Ruby's Psych) silently keeps the last one. The message names the
 *  key, for readers of the JSON output, who have no code frame. */
export function parseFile(text: string, file: string, options: { lean?: boolean } = {}): ParsedFile {
  // lean: a plain pipeline file may come back as a LeanDocument (its nodes composed only if read).
  const floatsBefore = wholeFloatCount();
  const { documents, lineCounter } = (options.lean ? parseLeanDocument(text) : undefined) ?? parseYamlDocuments(text);
  // A whole number written as a float (`1.0`) is refused where GitLab wants an Integer: only the
  // documents that hold one are searched for it.
  if (wholeFloatCount() !== floatsBefore) for (const doc of documents) noteWholeFloats(doc);
  const diagnostics: Diagnostic[] = [];
  for (const doc of documents) {
    for (const problem of [...doc.errors, ...doc.warnings]) {
      const { line, col: column } = lineCounter.linePos(problem.pos[0]);
      const duplicate = problem.code === 'DUPLICATE_KEY';
      const key = problem instanceof DuplicateKeyError ? problem.key : undefined;
      const error = (doc.errors as unknown[]).includes(problem) || problem.code === 'TAG_RESOLVE_FAILED';
      // `!reference .a` or `!reference {a: b}`: GitLab's own refusal, as for a list it refuses.
      const reference = problem.code === 'TAG_RESOLVE_FAILED' && problem.message.startsWith('Unresolved tag: !reference');
      const refused = reference ? refusedReferenceAt(doc, problem.pos[0]) : undefined;
      diagnostics.push({
        file,
        line,
        column,
        severity: error && !duplicate ? 'error' : 'warning',
        code: refused ? 'semantic/reference' : (YAML_CODES[problem.code] ?? 'yaml/syntax'),
        message:
          refused ??
          (duplicate ? duplicateKeyMessage(key, problem.message.split('\n')[0]) : (problem.message.split('\n')[0] ?? problem.message)),
      });
    }
  }
  const content = documents.at(-1);
  const header = documents.length > 1 ? documents[0] : undefined;
  return {
    file,
    ...(header ? { header } : {}),
    ...(content ? { content } : {}),
    lineCounter,
    diagnostics,
  };
}

/** A string for each input the blocks of a value read that `specs` does not declare. */
function standIns(value: unknown, specs: InputSpecs): Record<string, string> {
  const found: Record<string, string> = {};
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      for (const [, name] of node.matchAll(/\$\[\[\s*inputs\.([A-Za-z0-9_-]+)/g))
        if (name !== undefined && !Object.hasOwn(specs, name)) found[name] = 'value';
    } else if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else if (node !== null && typeof node === 'object') for (const [key, item] of Object.entries(node)) stack.push(key, item);
  }
  return found;
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

/** A CI/CD component's file in its project, its name captured: templates/<name>.yml or
 *  templates/<name>/template.yml. */
export const COMPONENT_FILE = /(?:^|\/)templates\/([^/]+?)(?:\/template)?\.ya?ml$/;

/**
 * What `$[[ component.* ]]` reads, where GitLab gives the values of the include that names the
 * component: its name from its path (templates/<name>.yml, templates/<name>/template.yml), and
 * stand-ins for the version, reference and commit. Only the fields spec:component declares.
 */
export function componentStandIn(file: string, fields: ReadonlySet<string>): Record<string, string> {
  const name = COMPONENT_FILE.exec(file)?.[1] ?? 'component';
  const all: Record<string, string> = { name, version: '1.0.0', reference: '1.0.0', sha: '0'.repeat(40) };
  return Object.fromEntries(Object.entries(all).filter(([field]) => fields.has(field)));
}

export interface CheckOptions {
  /** Only the YAML and schema layers. */
  schemaOnly?: boolean;
  /** Check a component's content against the schema as written, blocks and all, rather than
   *  interpolated (the catalog build validates instantiations itself). */
  contentAsWritten?: boolean;
  /** What an include passed as inputs; undefined for a file read on its own (defaults then). */
  given?: Record<string, unknown>;
  /** Reads the project's files a header's `spec:include` names; without it they count as unreadable. */
  readHeaderFile?: HeaderFileReader;
  /** The file is a CI/CD component, where GitLab refuses `spec:include`. */
  component?: boolean;
}

export interface FileCheck {
  diagnostics: Diagnostic[];
  /** The content as GitLab would assemble it (interpolated for a component), when it could be read. */
  content?: Record<string, unknown>;
  /** How keys of the content document read after interpolation (component files). */
  resolveKey?: (key: string) => string;
  /** The header's `spec:include` names files cigen could not read: its inputs are not all known. */
  inputsIncomplete?: boolean;
}

/** Without the unknown-argument error when the inputs are not all known: a name given may be one of those. */
export const knownInputErrors = (errors: readonly string[], complete: boolean): string[] =>
  complete ? [...errors] : errors.filter((error) => !error.startsWith('unknown input arguments: '));

/** Whether any string in a document, key or value, holds `$[[` (aliases not followed, as the
 *  content rules read it). Without one the content rules have nothing to check: no issue, and
 *  every declared input unused. Walked without recursion or paths, however large the document. */
function hasBlocks(doc: Document): boolean {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) stack.push(pair.key, pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$[[')) {
      return true;
    }
  }
  return false;
}

/** checkContent, skipped when there is no block to check (the same result); a LeanDocument has none. */
const contentRules = (
  content: Document,
  ...rest: [Parameters<typeof checkContent>[1], Parameters<typeof checkContent>[2], Parameters<typeof checkContent>[3]]
) =>
  !(content instanceof LeanDocument) && hasBlocks(content) ? checkContent(content, ...rest) : { issues: [], unused: [...rest[0].keys()] };

/** Whether the node at `path` is a scalar holding exactly one interpolation block. */
function isWholeBlock(doc: Document, path: readonly PathSegment[]): boolean {
  const node = doc.getIn(path, true);
  return isScalar(node) && typeof node.value === 'string' && /^\$\[\[\s*inputs\.[A-Za-z0-9_-]+\s*\]\]$/.test(node.value.trim());
}

const empty = (file: string): Diagnostic => ({
  file,
  line: 1,
  column: 1,
  severity: 'error',
  code: 'yaml/empty',
  message: 'Please provide content of .gitlab-ci.yml',
});

/** Findings about the content as read, at the paths where it is written (see pathAsWritten), and
 *  named by those: `needs:0:0` for a need in a nested list, `needs` for a need written as a hash. */
const asWritten = (read: unknown, result: SchemaResult): SchemaResult =>
  result.valid
    ? result
    : {
        ...result,
        findings: result.findings.map((finding) => {
          const path = pathAsWritten(read, finding.path);
          // A message names the finding's place, or the hash holding it (an unknown key's).
          for (let length = finding.path.length; length > 0; length--) {
            const readName = `${describePath(finding.path.slice(0, length))} `;
            if (!finding.message.startsWith(readName)) continue;
            const writtenName = describePath(pathAsWritten(read, finding.path.slice(0, length)));
            return { ...finding, path, message: `${writtenName} ${finding.message.slice(readName.length)}` };
          }
          return { ...finding, path };
        }),
      };

/**
 * The schema findings of a content value as GitLab validates it: with its `!reference` tags
 * resolved first (a tag is a list until then, where `variables:` takes a hash). A tag whose
 * target this file does not hold (it may come from an include) is left alone: no finding at or
 * under it. Clean content is validated once; the tags are read only when something failed.
 */
async function schemaOfResolved(
  content: Document,
  contentValue: unknown,
  resolveKey: ((key: string) => string) | undefined,
): Promise<SchemaResult> {
  // Hidden jobs are read as jobs too (their twins): what is found there is set aside for the jobs that extend them.
  const aside = (result: SchemaResult): SchemaResult => {
    const findings = setTwinsAside(result.findings, contentValue);
    return { valid: findings.length === 0, findings };
  };
  const asRead = contentAsEntriesRead(withHiddenTwins(contentValue));
  const schema = asWritten(asRead, await validateSchema(asRead));
  if (schema.valid) return schema;
  const sites = content instanceof LeanDocument ? content.references : referencesIn(content.contents, [], [], content);
  if (sites.length === 0) return aside(schema);
  const key = resolveKey ?? ((text: string) => text);
  const references = sites.map(({ path, target }) => ({
    path: path.map((segment) => (typeof segment === 'string' ? key(segment) : segment)),
    target: target.map(key),
  }));
  const resolved = resolveReferences(contentValue, references);
  const read = contentAsEntriesRead(withHiddenTwins(resolved.value));
  const again = asWritten(read, await validateSchema(read));
  return aside({ valid: false, findings: again.findings.filter((finding) => !isUnder(finding.path, resolved.unresolved)) });
}

export async function checkFile(parsed: ParsedFile, options: CheckOptions = {}): Promise<FileCheck> {
  const { file, header, content, lineCounter } = parsed;
  const diagnostics = [...parsed.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml/'))) return { diagnostics };
  if (!content) return { diagnostics: [...diagnostics, empty(file)] };

  const toDiagnostic = (finding: Finding, resolveKey?: (key: string) => string): Diagnostic => {
    const doc = finding.document === 'header' && header ? header : content;
    const pos = locate(doc, lineCounter, finding.path, finding.at, resolveKey);
    return {
      file,
      line: pos.line,
      column: pos.column,
      severity: finding.severity,
      code: finding.code,
      message: finding.message,
      document: finding.document,
      path: finding.path,
      ...(finding.input === undefined ? {} : { input: finding.input }),
    };
  };

  let headerValue: unknown;
  let contentValue: unknown;
  try {
    headerValue = header === undefined ? undefined : documentValue(header, MAX_ALIASES);
    contentValue = documentValue(content, MAX_ALIASES);
  } catch (error) {
    // An alias to an anchor its document does not set (Psych: "An alias referenced an unknown
    // anchor"), shown at the alias; else the file expands too far (a billion laughs).
    const unresolved = unresolvedAlias([header, content]);
    const at = unresolved?.range ? lineCounter.linePos(unresolved.range[0]) : { line: 1, col: 1 };
    diagnostics.push({
      file,
      line: at.line,
      column: at.col,
      severity: 'error',
      code: 'yaml/alias',
      message: unresolved
        ? `the alias *${unresolved.source} refers to no anchor of its document (GitLab's YAML parser refuses it)`
        : `the file expands too far through aliases (${(error as Error).message})`,
    });
    return { diagnostics };
  }
  let resolveKey: ((key: string) => string) | undefined;
  let inputsIncomplete = false;

  if (header) {
    // The inputs as GitLab reads them: with those of `spec:include` files.
    const read = headerInputs(headerValue, {
      ...(options.readHeaderFile ? { read: options.readHeaderFile } : {}),
      ...(options.component ? { component: true } : {}),
    });
    inputsIncomplete = !read.complete;
    const headerCheck = checkHeader(headerValue, read);
    const specs: InputSpecs = read.specs;
    if (!options.schemaOnly) {
      diagnostics.push(...headerCheck.issues.map((issue) => toDiagnostic({ document: 'header', ...issue })));
      const contentCheck = contentRules(content, headerCheck.inputs, headerCheck.componentFields, {
        hasHeader: true,
        complete: read.complete,
      });
      diagnostics.push(...contentCheck.issues.map((issue) => toDiagnostic({ document: 'content', ...issue })));
      const limit = classicLimit(contentValue);
      if (limit) diagnostics.push(toDiagnostic({ document: 'content', severity: 'error', ...limit }));
      // An input a shared `spec:include` file declares may serve other pipelines: not unused here.
      for (const name of contentCheck.unused.filter((unused) => !headerCheck.readByRules.has(unused) && !read.included.has(unused))) {
        diagnostics.push(
          toDiagnostic({
            document: 'header',
            path: ['spec', 'inputs', name],
            at: 'key',
            severity: 'warning',
            code: 'spec/unused-input',
            message: `input \`${name}\` is declared but never used`,
          }),
        );
      }
    }
    const headerSchema = await validateSchema(headerAsEntriesRead(headerValue));
    diagnostics.push(...headerSchema.findings.map((finding) => toDiagnostic({ document: 'header', ...finding })));
    if (!options.contentAsWritten) {
      // As GitLab sees it: with the values an include gave, else the defaults. Given values GitLab
      // refuses (the include's finding) stop it before it interpolates: read with the defaults then,
      // so that no finding follows from a value it never puts there.
      const given = options.given ? resolveInputs(specs, options.given) : undefined;
      const values = given && knownInputErrors(given.errors, read.complete).length === 0 ? given.values : sampleInputs(specs);
      // Inputs cigen could not read: what the include gives them stands in, else a string.
      const unread = read.complete ? {} : { ...standIns(contentValue, specs), ...options.given };
      const interpolation = {
        inputs: { ...unread, ...sampleInputs(specs), ...values },
        component: componentStandIn(file, headerCheck.componentFields),
      };
      const interpolated = interpolateClassic(contentValue, interpolation);
      if (interpolated.value !== undefined) {
        contentValue = interpolated.value;
        resolveKey = (key) => scalarText(interpolateClassic(key, interpolation).value ?? key);
      }
    }
  } else if (!options.schemaOnly) {
    const contentCheck = contentRules(content, new Map(), new Set(), { hasHeader: false });
    diagnostics.push(...contentCheck.issues.map((issue) => toDiagnostic({ document: 'content', ...issue })));
  }
  if (contentValue === null || contentValue === undefined) return { diagnostics: [...diagnostics, empty(file)] };
  const schema = await schemaOfResolved(content, contentValue, resolveKey);
  // As written, `parallel: $[[ inputs.n ]]` is a string where an integer belongs; GitLab puts the
  // typed value there, and the catalog build validates every instantiation, so skip those.
  const findings = options.contentAsWritten ? schema.findings.filter((finding) => !isWholeBlock(content, finding.path)) : schema.findings;
  diagnostics.push(...findings.map((finding) => toDiagnostic({ document: 'content', ...finding }, resolveKey)));
  const value =
    contentValue !== null && typeof contentValue === 'object' && !Array.isArray(contentValue)
      ? (contentValue as Record<string, unknown>)
      : undefined;
  return {
    diagnostics,
    ...(value ? { content: value } : {}),
    ...(resolveKey ? { resolveKey } : {}),
    ...(inputsIncomplete ? { inputsIncomplete } : {}),
  };
}
