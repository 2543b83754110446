/**
 * Lints one file and what it includes, layer by layer: the file's own layers (YAML, GitLab's
 * schema, the component spec rules: ci/check.ts), then its includes (local files, and
 * components the host can read, checked against their specs) and the semantic checks GitLab
 * runs on the assembled pipeline. Pure: files are read through the host the caller gives.
 */
import { basename, posix } from 'node:path';
import { checkFile, COMPONENT_FILE, knownInputErrors, parseFile, type ParsedFile } from '../ci/check.js';
import { documentValue, holdsWholeFloats, isWholeFloat, LeanDocument, MAX_ALIASES, referencesIn } from '../ci/yaml.js';
import { byPosition, type Diagnostic, type PathSegment } from '../ci/diagnostics.js';
import { includeEntries, surelyIncluded, wildcardAsWritten, wildcardPathPattern, type IncludeEntry } from '../ci/includes.js';
import { instantiate, splitComponentFile } from '../ci/interpolation/index.js';
import { inputOfError, isUnknownInputError, resolveInputs } from '../ci/interpolation/inputs.js';
import { headerInputs, noConfiguration, type HeaderFileReader } from '../ci/spec-include.js';
import { locate, nodeAsRead } from '../ci/positions.js';
import { RubyFloat } from '../ci/interpolation/ruby.js';
import { suggest } from '../ci/schema.js';
import { resolveInclude, type LintHost } from './includes.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { rubyBlank } from '../ci/entries-read.js';
import { isHash, valueAt } from '../ci/merge.js';
import { emptyModel, isHidden, mergeContent, type Origin, type PipelineModel } from './model.js';
import { checkPipeline } from './semantic.js';
import { checkExpressions } from './expressions.js';
import { includeRulesFindings } from './entries.js';

export type { LintHost } from './includes.js';
export { parseFile } from '../ci/check.js';

export interface LintOptions {
  file: string;
  /** Only the YAML and schema layers. */
  schemaOnly?: boolean;
  /** Check a component's content against the schema as written, blocks and all, rather than
   *  interpolated with its defaults (the catalog build validates instantiations itself). */
  contentAsWritten?: boolean;
  /** Where local includes are read from; without one they count as unreadable. */
  host?: LintHost;
  /** A whole pipeline (default: a file named .gitlab-ci.yml, gitlab-ci.yml or *.gitlab-ci.yml,
   *  with a spec header or without: a pipeline may declare inputs). */
  pipeline?: boolean;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** How the file was checked: as a whole pipeline (needs, a visible job), as a component (it
   *  has a spec header), or as a fragment of a pipeline (an included file, say). */
  as: 'pipeline' | 'component' | 'fragment';
  /** The files (this one, or one it includes) whose `spec:include` names files cigen cannot read
   *  (remote, another project's): their inputs are not all known, so a name they lack is not reported. */
  inputsUnread: string[];
}

export async function lintText(text: string, options: LintOptions): Promise<Diagnostic[]> {
  return (await lintFile(text, options)).diagnostics;
}

/** Lints a file and says how it was checked. */
export async function lintFile(text: string, options: LintOptions): Promise<LintResult> {
  return lintParsedFile(parseFile(text, options.file, { lean: true }), options);
}

/** Lints an already parsed file (callers that also need the documents parse once). */
export async function lintParsed(parsed: ParsedFile, options: LintOptions): Promise<Diagnostic[]> {
  return (await lintParsedFile(parsed, options)).diagnostics;
}

async function lintParsedFile(parsed: ParsedFile, options: LintOptions): Promise<LintResult> {
  const model = emptyModel();
  const context: AnalysisContext = {
    options,
    model,
    includes: { all: 0, sure: 0, capped: false },
    conditional: false,
    componentJobs: new Map(),
    includedAt: new Map(),
    inputsUnread: new Set(),
  };
  // The name says pipeline, header or not: a root pipeline may declare inputs of its own (spec:inputs).
  const pipeline = options.pipeline ?? /(^|\.)gitlab-ci\.ya?ml$/.test(basename(options.file));
  // A CI/CD component: a project's templates/<name>.yml or templates/<name>/template.yml.
  const component = !pipeline && Boolean(parsed.header) && COMPONENT_FILE.test(options.file);
  let diagnostics = await analyze(parsed, context, undefined, component);
  if (!options.schemaOnly && !options.contentAsWritten && !diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml/'))) {
    const check = await checkPipeline(model, { pipeline, written: diagnostics });
    // A job's findings that its `extends` bases settle (GitLab validates it with them merged in).
    diagnostics = [...diagnostics.filter((d) => !check.settled.has(d)), ...check.diagnostics];
  }
  const shown = diagnostics.map((d) => atInclude(d, context.includedAt));
  return {
    diagnostics: dedupe(shown).sort(byPosition),
    as: pipeline ? 'pipeline' : parsed.header ? 'component' : 'fragment',
    inputsUnread: [...context.inputsUnread].filter((file) => !context.includedAt.has(file)),
  };
}

/** The host's project files, as a `spec:include` header reads them. */
const headerReader = (host: LintHost | undefined): HeaderFileReader | undefined =>
  host ? (path) => host.readProjectFile(path) : undefined;

/** A finding in a component made in memory (cigen's catalog, rendered), shown at the include entry
 *  that brought it in — the place the user can change — instead of a line of a file that is not there.
 *  One from a component that may not be what GitLab reads (a partial version) is a warning saying so. */
function atInclude(diagnostic: Diagnostic, includedAt: ReadonlyMap<string, Site>): Diagnostic {
  let site = includedAt.get(diagnostic.file);
  if (!site) return diagnostic;
  let shown = diagnostic;
  let approximation: string | undefined;
  for (let hops = 0; site && hops <= MAX_INCLUDES; hops++, site = includedAt.get(site.file)) {
    shown = { ...shown, file: site.file, line: site.line, column: site.column };
    approximation ??= site.approximation;
  }
  const where = `(in the jobs this component adds${approximation ? `; ${approximation}` : ''})`;
  return { ...shown, ...(approximation ? { severity: 'warning' as const } : {}), message: `${diagnostic.message} ${where}` };
}

interface Site {
  file: string;
  line: number;
  column: number;
  /** The include's component may not be what GitLab reads: what was checked instead. */
  approximation?: string;
}

/** Each finding once; an include input's length is the include check's (it names the input and the
 *  file whose spec it is checked against), not also ci.json's `maxLength` at the same place. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const inputFindings = new Set(diagnostics.filter((d) => d.code === 'include/inputs').map((d) => `${d.file}:${d.line}:${d.column}`));
  return diagnostics.filter((d) => {
    if (d.code === 'schema/max-length' && inputFindings.has(`${d.file}:${d.line}:${d.column}`)) return false;
    const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface AnalysisContext {
  options: LintOptions;
  model: PipelineModel;
  /** Every include followed so far, repeats too (GitLab's expandset), of them those no `rules:`
   *  could leave out, and whether the limit was passed: one count for the whole pipeline. */
  includes: { all: number; sure: number; capped: boolean };
  /** The file was included under `rules:` (so is everything it includes). */
  conditional: boolean;
  /** The visible jobs component includes defined so far, and the include that defined each. */
  componentJobs: Map<string, { file: string; line: number; conditional: boolean; approximation?: string }>;
  /** Components made in memory, by their file label: the include entry that brought each in. */
  includedAt: Map<string, Site>;
  /** Files whose `spec:include` names files cigen cannot read (see LintResult). */
  inputsUnread: Set<string>;
}

/**
 * One file: its own layers, then its includes (merged first, as GitLab does), then its content
 * on top. `given` is what an include passed as inputs; undefined for a file linted on its own.
 */
async function analyze(
  parsed: ParsedFile,
  context: AnalysisContext,
  given: Record<string, unknown> | undefined,
  component: boolean,
): Promise<Diagnostic[]> {
  return (await analyzeFile(parsed, context, given, component)).diagnostics;
}

/** `analyze`, also giving the file's content as GitLab assembles it (when it could be read).
 *  `component`: the file is a CI/CD component (GitLab refuses `spec:include` there). */
async function analyzeFile(
  parsed: ParsedFile,
  context: AnalysisContext,
  given: Record<string, unknown> | undefined,
  component: boolean,
): Promise<{ diagnostics: Diagnostic[]; content?: Record<string, unknown> }> {
  const { options } = context;
  const { file, content, lineCounter } = parsed;
  const readHeaderFile = headerReader(options.host);
  const check = await checkFile(parsed, {
    ...(options.schemaOnly ? { schemaOnly: true } : {}),
    ...(options.contentAsWritten ? { contentAsWritten: true } : {}),
    ...(given ? { given } : {}),
    ...(readHeaderFile ? { readHeaderFile } : {}),
    ...(component ? { component } : {}),
  });
  const diagnostics = check.diagnostics;
  if (check.inputsIncomplete && !component) context.inputsUnread.add(file);
  if (options.schemaOnly || options.contentAsWritten || !content || !check.content) return { diagnostics };

  const origin: Omit<Origin, 'path'> = { file, doc: content, lineCounter, ...(check.resolveKey ? { resolveKey: check.resolveKey } : {}) };
  diagnostics.push(...checkExpressions(check.content, origin));
  for (const entry of includeEntries(check.content['include'])) {
    // External::Rules checks an entry's rules before anything is read, whatever they match.
    for (const finding of includeRulesFindings(entry.rules, entry.path)) {
      const { line, column } = locate(origin.doc, origin.lineCounter, finding.path, 'value', origin.resolveKey);
      const { path, code, message } = finding;
      diagnostics.push({ file, line, column, severity: 'error', code, message, document: 'content', path });
    }
    diagnostics.push(...(await includeOne(entry, { ...origin, path: entry.path }, context)));
  }
  mergeContent(context.model, check.content, origin);
  const key = check.resolveKey ?? ((text: string) => text);
  for (const reference of content instanceof LeanDocument ? content.references : referencesIn(content.contents, [], [], content)) {
    const node = valueAt(
      check.content,
      reference.path.map((segment) => (typeof segment === 'string' ? key(segment) : segment)),
    );
    const { target, invalid } = reference;
    context.model.references.push({
      target,
      origin: { ...origin, path: reference.path },
      node,
      ...(invalid === undefined ? {} : { invalid }),
    });
  }
  return { diagnostics, content: check.content };
}

/** GitLab's default ci_max_includes: files included in all, at any depth, repeats too (Mapper::Verifier). */
const MAX_INCLUDES = 150;

/** The shape of a value: its keys and nesting, not its scalars (the two modes write lists apart). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (isHash(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shape(item)]));
  return 0;
}

/** The inputs whose values make the job under text interpolation differ in structure from the job
 *  under classic interpolation (YAML 1.1 line breaks in an array item, say), or undefined. */
function reshapedByTextInterpolation(text: string, inputs: Record<string, unknown>): { names: string[]; invalid: boolean } | undefined {
  let file;
  try {
    file = splitComponentFile(text);
  } catch {
    return undefined;
  }
  /** undefined: the same job either way; else whether the text-interpolated YAML is invalid. */
  const differs = (given: Record<string, unknown>): { invalid: boolean } | undefined => {
    const classic = instantiate(file, given, 'classic');
    if (classic.errors.length > 0 || classic.content === undefined) return undefined;
    const textual = instantiate(file, given, 'text');
    if (textual.content === undefined) return { invalid: true };
    return JSON.stringify(shape(textual.content)) === JSON.stringify(shape(classic.content)) ? undefined : { invalid: false };
  };
  const all = differs(inputs);
  if (!all) return undefined;
  const names = Object.keys(inputs).filter((name) => differs({ [name]: inputs[name] }));
  return { names: names.length > 0 ? names : Object.keys(inputs), invalid: all.invalid };
}

/** Whether a file's YAML holds no configuration: a content that Ruby calls blank (rubyBlank: none,
 *  `null`, `false`, `{}`, `[]`, white space), with no header unless `headerToo`. Not for YAML in
 *  error: that is its own finding. */
function blankContent(parsed: ParsedFile, headerToo = false): boolean {
  if ((parsed.header && !headerToo) || parsed.diagnostics.some((d) => d.severity === 'error')) return false;
  if (!parsed.content) return true;
  let value: unknown;
  try {
    value = documentValue(parsed.content, MAX_ALIASES);
  } catch {
    return false;
  }
  return rubyBlank(value);
}

/** Whether the host's file is the file named `file` (as the linter names files: `./a.yml` is `a.yml`). */
const sameFile = (found: ReturnType<LintHost['readProjectFile']>, file: string): boolean =>
  found !== undefined && 'file' in found && posix.normalize(found.file) === posix.normalize(file);

/**
 * An include's inputs as GitLab reads them for their checks: a value Psych reads as a whole Float
 * (`push-retries: 2.0`) is one (a RubyFloat: GitLab writes it `2.0`), where JavaScript reads 2.
 */
function inputsAsGitLabReads(at: Origin, inputs: Record<string, unknown>): Record<string, unknown> {
  if (!holdsWholeFloats(at.doc)) return inputs;
  let out = inputs;
  for (const name of Object.keys(inputs)) {
    const node = nodeAsRead(at.doc, [...at.path, 'inputs', name], at.resolveKey);
    if (isWholeFloat(node) && node.value === inputs[name]) out = { ...out, [name]: new RubyFloat(node.value as number) };
  }
  return out;
}

async function includeOne(entry: IncludeEntry, at: Origin, context: AnalysisContext): Promise<Diagnostic[]> {
  // A component that may not be the one GitLab reads: its findings are warnings that say what was
  // checked (known once the include is resolved, below).
  let approximation: string | undefined = undefined;
  const diagnostics: Diagnostic[] = [];
  const report = (
    code: string,
    message: string,
    sub: PathSegment[] = [],
    severity: 'error' | 'warning' = 'error',
    place: 'key' | 'value' = 'value',
    checkedInstead: string | undefined = approximation,
  ) => {
    const pos = locate(at.doc, at.lineCounter, [...at.path, ...sub], place, at.resolveKey);
    diagnostics.push({
      file: at.file,
      line: pos.line,
      column: pos.column,
      severity: checkedInstead ? 'warning' : severity,
      code,
      message: checkedInstead ? `${message} (${checkedInstead})` : message,
      document: 'content',
      path: [...at.path, ...sub],
    });
  };
  // GitLab counts each file it includes before it reads it, with no depth limit and no check for
  // a file included before: a file that includes itself is followed until the limit refuses it.
  const { includes } = context;
  if (includes.capped) return diagnostics;
  // A wildcard `local:` is each file it names, under the entry's rules (Mapper::Filter reads them
  // first), as a bare `{ local: path }`: Mapper::LocationExpander drops every other key, `inputs:`
  // too, and says nothing. None named is none, and the file that includes it is left out. One whose
  // variables GitLab expands first names files cigen cannot know: it is unreadable (resolveInclude).
  const host = context.options.host;
  const wildcard = entry.kind === 'local' && wildcardAsWritten(entry);
  if (wildcard && entry.inputs !== undefined && Object.keys(entry.inputs).length > 0)
    report(
      'include/wildcard-inputs',
      `\`${entry.target}\` is a wildcard: GitLab includes each file it names with no inputs ` +
        '(it keeps only the path of each), and says nothing, so these inputs reach none of them',
      ['inputs'],
      'warning',
      'key',
    );
  if (wildcard && host?.matchProjectFiles) {
    const paths = await host.matchProjectFiles(wildcardPathPattern(entry.target));
    const { inputs: _dropped, ...bare } = entry;
    for (const path of paths) {
      if (sameFile(host.readProjectFile(path), at.file)) continue;
      diagnostics.push(...(await includeOne({ ...bare, target: path }, at, context)));
    }
    // Surely not what was meant: GitLab includes nothing for it, and says nothing.
    if (paths.length === 0 && entry.target.includes('$'))
      report(
        'include/wildcard-variable',
        `\`${entry.target}\` names no file: GitLab matches a \`local:\` wildcard before it expands variables, ` +
          'so it includes nothing here (an include written as a string has its variables expanded first)',
        [],
        'warning',
      );
    return diagnostics;
  }
  // Under `rules:` of its own, and (conditional) of its own or of a file that included it.
  const ruled = !surelyIncluded(entry);
  const conditional = context.conditional || ruled;
  includes.all++;
  if (!conditional) includes.sure++;
  if (includes.all > MAX_INCLUDES) {
    includes.capped = true;
    const sure = includes.sure > MAX_INCLUDES;
    const why = ' (counting includes with `rules:`: GitLab counts one only when its rules include it)';
    report(
      'include/max-includes',
      `Maximum of ${MAX_INCLUDES} nested includes are allowed!${sure ? '' : why}`,
      [],
      sure ? 'error' : 'warning',
    );
    return diagnostics;
  }
  const resolution = resolveInclude(entry, context.options.host);
  approximation = resolution.kind === 'unreadable' ? undefined : resolution.approximation;
  if (resolution.kind === 'unreadable') {
    context.model.partial = true;
    context.model.partialBecause.unreadable = true;
    return diagnostics;
  }
  // GitLab filters includes by their `rules:` before it reads or verifies them: one they
  // exclude is never looked at, so what is wrong with it is wrong only when they include it.
  const refuse = (code: string, message: string) => {
    const why = ' (this include has `rules:`: GitLab reads it only when they include it)';
    report(code, `${message}${ruled ? why : ''}`, [], ruled ? 'warning' : 'error');
    return diagnostics;
  };
  if (resolution.kind === 'error') return refuse(resolution.code, resolution.message);
  // A local file with nothing in it, or nothing but comments, is the include's error (File::Local,
  // File::Base), not the root pipeline's "Please provide content"; GitLab merges nothing of it.
  if (entry.kind === 'local' && /^\s*$/.test(resolution.text))
    return refuse('include/empty', `Local file \`${entry.target.replace(/^\/+/, '')}\` is empty!`);
  // A rendered component is named by the include that brought it in: two includes of one
  // component (two builds) are two files, each shown at its own entry.
  let file = resolution.file;
  if (resolution.rendered) {
    const { line, column } = locate(at.doc, at.lineCounter, at.path, 'value', at.resolveKey);
    file = `${resolution.file} included at ${at.file}:${line}:${column}`;
    context.includedAt.set(file, { file: at.file, line, column, ...(approximation ? { approximation } : {}) });
  }
  const parsed = parseFile(resolution.text, file, { lean: true });
  if (entry.kind === 'local' && blankContent(parsed)) return refuse('include/empty', noConfiguration(entry.target.replace(/^\/+/, '')));
  const inputs = entry.inputs ?? {};
  const asRead = inputsAsGitLabReads(at, inputs);
  // Inputs GitLab refuses stop it before it interpolates the file (Interpolator): it merges nothing of it.
  let refused = false;
  // Only inputs given: GitLab's Interpolator#inputs_without_header? asks `args.any?`, so `inputs: {}` is none.
  if (!parsed.header && Object.keys(inputs).length > 0) {
    refused = true;
    report('include/inputs', `\`${entry.target}\`: Given inputs not defined in the \`spec\` section of the included configuration file`, [
      'inputs',
    ]);
  } else if (parsed.header) {
    // Its inputs as GitLab reads them, `spec:include` files' too: a name given that cigen cannot
    // find among them is no error when some of those files cannot be read.
    const reader = headerReader(context.options.host);
    const read = headerInputs(parsed.header.toJS(), {
      ...(reader ? { read: reader } : {}),
      ...(entry.kind === 'component' ? { component: true } : {}),
    });
    const specs = read.specs;
    for (const error of knownInputErrors(resolveInputs(specs, asRead).errors, read.complete)) {
      refused = true;
      const name = inputOfError(error);
      const where = name && name in inputs ? ['inputs', name] : entry.inputs ? ['inputs'] : [];
      if (name && isUnknownInputError(error)) {
        // A misspelt name: at its key, with the declared input it is nearest to.
        const near = suggest(name, Object.keys(specs));
        report('include/inputs', `\`${entry.target}\`: ${error}${near ? ` (did you mean \`${near}\`?)` : ''}`, where, 'error', 'key');
      } else report('include/inputs', `\`${entry.target}\`: ${error}`, where);
    }
  }
  for (const error of resolution.valueErrors?.(asRead) ?? []) {
    const name = inputOfError(error);
    report('include/inputs', `\`${entry.target}\`: ${error}`, name && name in inputs ? ['inputs', name] : []);
  }
  if (parsed.header && entry.inputs !== undefined && !diagnostics.some((d) => d.code === 'include/inputs')) {
    const reshaped = reshapedByTextInterpolation(resolution.text, inputs);
    if (reshaped) {
      report(
        'include/text-interpolation',
        `\`${entry.target}\`: under text interpolation (GitLab pastes input values into the YAML before parsing it) ` +
          `the value of ${reshaped.names.map((n) => `\`${n}\``).join(', ')} ` +
          (reshaped.invalid ? 'makes the YAML invalid' : 'changes the structure of the job') +
          " (NEL in an array item, for one: YAML 1.1 reads it as a line break, and GitLab's JSON leaves it as it is); " +
          'cigen render --mode text shows what GitLab would parse',
        reshaped.names.length === 1 ? ['inputs', reshaped.names[0] as string] : ['inputs'],
      );
    }
  }
  // A spec header and nothing after it: GitLab interpolates the header's inputs first, then finds
  // no configuration (File::Base#validate_parsed_content_presence!), at the include.
  if (!refused && entry.kind === 'local' && parsed.header && blankContent(parsed, true))
    return refuse('include/empty', noConfiguration(entry.target.replace(/^\/+/, '')));
  if (refused) {
    // The file is still linted on its own (with its defaults), into a model of its own: none of its
    // jobs is the pipeline's, and the pipeline's model is partial, as for an include cigen cannot read.
    context.model.partial = true;
    context.model.partialBecause.refused = true;
    const apart: AnalysisContext = { ...context, conditional, model: emptyModel(), componentJobs: new Map() };
    diagnostics.push(...(await analyze(parsed, apart, inputs, entry.kind === 'component')));
    return diagnostics;
  }
  const nested: AnalysisContext = { ...context, conditional };
  const analysis = await analyzeFile(parsed, nested, inputs, entry.kind === 'component');
  diagnostics.push(...analysis.diagnostics);
  if (entry.kind === 'component' && analysis.content) {
    // GitLab merges two component jobs of one name into one, silently: one build never runs.
    // Includes with `rules:` may never be included together, so there it is a warning.
    const here = locate(at.doc, at.lineCounter, at.path, 'value', at.resolveKey);
    for (const [name, value] of Object.entries(analysis.content)) {
      if (GLOBAL_KEYWORDS.has(name) || isHidden(name) || !isHash(value)) continue;
      const first = context.componentJobs.get(name);
      if (!first) {
        context.componentJobs.set(name, {
          file: at.file,
          line: here.line,
          conditional: ruled,
          ...(approximation ? { approximation } : {}),
        });
        continue;
      }
      const where = first.file === at.file ? `line ${first.line}` : `${first.file}:${first.line}`;
      const either = first.conditional || ruled;
      report(
        'include/duplicate-job',
        `job \`${name}\` is already defined by the component included at ${where}; ` +
          `GitLab merges the two jobs silently and only one of them runs${either ? ' (unless their `rules:` never include both)' : ''}`,
        [],
        either ? 'warning' : 'error',
        'value',
        approximation ?? first.approximation,
      );
    }
  }
  return diagnostics;
}
