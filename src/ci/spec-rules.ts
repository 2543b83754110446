/**
 * Rules for a component header (`spec:` + `---`) and the interpolation blocks in its content,
 * as GitLab enforces them (lib/gitlab/ci/config/header/*, interpolation/*) plus the catalog's
 * own: no empty `spec:inputs:`, every declared input used, and string inputs that cannot
 * reshape the YAML under text interpolation.
 */
import { isMap, isPair, isScalar, isSeq, Scalar, type Document } from 'yaml';
import {
  INVALID_ACCESS,
  MAX_ACCESS_OBJECTS,
  MAX_BLOCKS,
  MAX_FUNCTIONS,
  accessErrors,
  findBlocks,
  isSkippedContext,
  noAccessError,
} from './interpolation/block.js';
import { FUNCTION_NAMES, invalidInputType, matchFunction, noFunctionMatching } from './interpolation/functions.js';
import { rubySplit } from './interpolation/ruby.js';
import { jobInputWithoutDefault } from './entries-read.js';
import { INPUT_TYPES, notInOptions, type InputType } from './interpolation/inputs.js';
import { compileRe2 } from './re2.js';
import type { Finding, PathSegment } from './diagnostics.js';
import type { HeaderInputs } from './spec-include.js';

const SPEC_KEYS = ['inputs', 'include', 'component', 'description'];
/** Entry::BaseInput::COMMON_ALLOWED_KEYS: the keys of a job's input (Entry::JobInput); an input of
 *  `spec:inputs` (Header::Input) takes `rules` too. */
export const BASE_INPUT_KEYS: readonly string[] = ['default', 'description', 'options', 'regex', 'type'];
const INPUT_KEYS = [...BASE_INPUT_KEYS, 'rules'];
const COMPONENT_FIELDS = ['name', 'sha', 'version', 'reference'];
const STRING_FUNCTIONS = new Set(['truncate', 'expand_vars', 'posix_escape', 'posix_quote', 'split']);
/** Entry::BaseInput::ALLOWED_OPTIONS_LIMIT. */
const MAX_OPTIONS = 50;

/** Entry::BaseInput (a `spec:inputs` input, a job's input): more `options` than it allows, in its words. */
export const tooManyOptions = (options: unknown): string | undefined =>
  Array.isArray(options) && options.length > MAX_OPTIONS ? `cannot define more than ${MAX_OPTIONS} options` : undefined;

/** Entry::JobInput: an input of a job's `inputs:` without a default (none, or null), in its words
 *  (`errors.add(:base, ...)`: said after the input's place, with no `config`). */
export const jobInputDefaultProblem = (input: unknown): string | undefined =>
  jobInputWithoutDefault(input) ? 'must have a default value' : undefined;

/** Values a regex must refuse for a string input placed in a plain or quoted scalar, and in a
 *  literal block, to be safe under text interpolation. */
const PLAIN_PROBES = ['a: b', 'a #b', "a'b", 'a"b', '[a]', '{a}', '*a', '&a', '!a', '|a', '>a', '%a', '@a', '`a', '- a', 'a\nb'];
const BLOCK_PROBES = ['a\nb', 'a\rb', 'a\u0085b', 'a\u2028b', 'a\u2029b'];
/** What breaks out of a quoted scalar: its quote, a backslash (an escape in double quotes), a line break. */
const QUOTED_PROBES = { '"': ['a"b', 'a\\b', 'a\nb'], "'": ["a'b", 'a\nb'] };

type Issue = Omit<Finding, 'document'>;

interface DeclaredInput {
  name: string;
  type: InputType;
  regex?: string;
  hasOptions: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function typeOf(value: unknown): InputType | 'null' | 'object' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value as InputType;
}

/**
 * Why `$[[ inputs.NAME ]]` cannot read an input of this name, if it cannot: GitLab's block
 * (Interpolation::Block, Template::BLOCK_REGEXP) ends at the first `]]` and at a line end, splits
 * its data at `|` (functions) and strips each part; Access splits what is left at `.`.
 */
function unreadableName(name: string): string | undefined {
  if (name.includes('.')) return 'GitLab splits the access at each `.`';
  if (name.includes('|')) return 'GitLab reads what follows a `|` as a function';
  if (name.includes(']]')) return 'GitLab ends the block at its first `]]`';
  if (/[\n\r]/.test(name)) return 'GitLab reads a block within one line';
  if (name !== '' && /^\s|\s$/.test(name)) return 'GitLab strips the spaces around the access';
  return undefined;
}

function checkInput(name: string, spec: unknown, path: PathSegment[]): { issues: Issue[]; declared?: DeclaredInput } {
  const issues: Issue[] = [];
  const error = (code: string, message: string, at: PathSegment[] = path, where: 'key' | 'value' = 'value') =>
    issues.push({ path: at, at: where, severity: 'error', code, message });
  // Header::Input takes any name; `$[[ inputs.NAME ]]` cannot read every one (see unreadableName).
  const unreadable = unreadableName(name);
  if (unreadable)
    issues.push({
      path,
      at: 'key',
      severity: 'warning',
      code: 'spec/input-name',
      message: `input name \`${name}\` cannot be read by \`$[[ inputs.${name} ]]\`: ${unreadable}`,
    });
  if (spec === null) return { issues, declared: { name, type: 'string', hasOptions: false } };
  if (!isObject(spec)) {
    error('spec/input-type', `unknown input specification for \`${name}\` (valid types: ${INPUT_TYPES.join(', ')})`);
    return { issues };
  }
  for (const key of Object.keys(spec)) {
    if (!INPUT_KEYS.includes(key))
      error(
        'spec/input-unknown-key',
        `\`${name}\` input: unknown key \`${key}\` (allowed: ${INPUT_KEYS.join(', ')})`,
        [...path, key],
        'key',
      );
  }
  const type = (spec['type'] ?? 'string') as InputType;
  if (!INPUT_TYPES.includes(type)) {
    error('spec/input-type', `unknown input specification for \`${name}\` (valid types: ${INPUT_TYPES.join(', ')})`, [...path, 'type']);
    return { issues };
  }
  const has = (key: string) => Object.hasOwn(spec, key);
  const defaultValue = spec['default'];
  // GitLab's run_validations checks the type of every default it has (spec.key?(:default)), `null`
  // too: `default: null` or `default:` fails every include of the component.
  if (has('default') && typeOf(defaultValue) !== type) {
    error('spec/default-type', `\`${name}\` input: default value is not ${type === 'array' ? 'an array' : `a ${type}`}`, [
      ...path,
      'default',
    ]);
  }
  if (has('rules')) {
    for (const key of ['options', 'default']) {
      if (has(key)) error('spec/rules', `\`${name}\` input: these keys cannot be used together: rules, ${key}`, [...path, key], 'key');
    }
    const rules = spec['rules'];
    if (Array.isArray(rules))
      rules.forEach((rule, index) => {
        const problem = ruleProblem(rule);
        if (problem) error('spec/rules', `\`${name}\` input: ${problem}`, [...path, 'rules', index]);
      });
  }
  const options = spec['options'];
  if (has('options')) {
    if (type !== 'string' && type !== 'number') {
      error('spec/options', `\`${name}\` input: Options can only be used with string and number inputs`, [...path, 'options']);
    } else if (!Array.isArray(options) || options.length === 0) {
      error('spec/options', `\`${name}\` input: options must be a non-empty list`, [...path, 'options']);
    } else {
      const tooMany = tooManyOptions(options);
      if (tooMany) error('spec/options', `\`${name}\` input: ${tooMany}`, [...path, 'options']);
      if (options.some((o) => o === null))
        error('spec/options', `\`${name}\` input: options array cannot contain null values`, [...path, 'options']);
      // StringInput#validate_options: `return unless options && value`, so Ruby's falsy nil and false pass.
      if (has('default') && defaultValue !== null && defaultValue !== false && !options.includes(defaultValue)) {
        error('spec/options', notInOptions(name, type, defaultValue), [...path, 'default']);
      }
    }
  }
  const regex = spec['regex'];
  if (has('regex')) {
    if (type !== 'string') {
      error('spec/regex', `\`${name}\` input: RegEx validation can only be used with string inputs`, [...path, 'regex']);
    } else if (typeof regex !== 'string') {
      error('spec/regex', `\`${name}\` input: regex must be a string`, [...path, 'regex']);
    } else {
      const compiled = compileRe2(regex);
      if (!compiled.ok && compiled.unsupported) {
        issues.push({
          path: [...path, 'regex'],
          at: 'value',
          severity: 'warning',
          code: 'spec/regex-unchecked',
          message: `\`${name}\` input: cigen cannot check values against this regex (${compiled.error}); GitLab checks them with its RE2`,
        });
      } else if (!compiled.ok) {
        error('spec/regex', `\`${name}\` input: invalid regular expression (${compiled.error})`, [...path, 'regex']);
      } else if (typeof defaultValue === 'string' && !compiled.regex.test(defaultValue)) {
        error('spec/regex', `\`${name}\` input: default value does not match required RegEx pattern`, [...path, 'default']);
      }
    }
  }
  return {
    issues,
    declared: { name, type, ...(typeof regex === 'string' ? { regex } : {}), hasOptions: Array.isArray(options) || ruledOptions(spec) },
  };
}

/** Header::Input::Rules::Rule::ALLOWED_KEYS. */
const RULE_KEYS = ['if', 'options', 'default'];

/**
 * Header::Input::Rules::Rule: a rule with `if` must define `options` or `default` (a `default` key,
 * null too), a rule without `if` (the fallback) `options` (`if` and `options` null are not given).
 * GitLab checks it only on a rule its other validations pass: a hash, not empty, of its keys, a
 * string `if` and a list of `options`.
 */
function ruleProblem(rule: unknown): string | undefined {
  if (!isObject(rule) || Object.keys(rule).length === 0 || Object.keys(rule).some((key) => !RULE_KEYS.includes(key))) return undefined;
  const given = (key: string) => rule[key] !== undefined && rule[key] !== null;
  if ((given('if') && typeof rule['if'] !== 'string') || (given('options') && !Array.isArray(rule['options']))) return undefined;
  if (given('options')) return undefined;
  if (!given('if')) return "fallback rule must define 'options'";
  return Object.hasOwn(rule, 'default') ? undefined : "rule with 'if' must define 'options' or 'default'";
}

/** Whether an input's rules hold its value to options whatever they match: each rule names some,
 *  and one without `if` (the fallback) applies when no other does. */
function ruledOptions(spec: Record<string, unknown>): boolean {
  const rules = spec['rules'];
  if (!Array.isArray(rules) || rules.length === 0) return false;
  const named = (rule: unknown) => isObject(rule) && Array.isArray(rule['options']) && rule['options'].length > 0;
  return rules.every(named) && rules.some((rule) => isObject(rule) && rule['if'] === undefined);
}

/** The input names a `spec:inputs:*:rules:*:if` reads (GitLab's expression Lexeme::Input, a Ruby
 *  pattern: its `\s` is ASCII, so a no-break space makes the block no input). */
const RULE_INPUT = /\$\[\[[\t\n\v\f\r ]*inputs\.(\w+)[\t\n\v\f\r ]*\]\]/g;

/** Whether a header path is a `spec:inputs:<name>:rules:<i>:if`, which GitLab reads as an expression. */
const isRuleCondition = (at: PathSegment[]): boolean =>
  at.length === 6 && at[0] === 'spec' && at[1] === 'inputs' && at[3] === 'rules' && typeof at[4] === 'number' && at[5] === 'if';

/**
 * GitLab's Header::Inputs::Validator: each `if` of an input's rules may read only declared inputs
 * (`rule[i] references undefined inputs: a, b`). An expression GitLab's lexer would refuse (a block
 * it does not read as an input) is left to GitLab, which skips it here too.
 */
function ruleReferences(name: string, conditions: readonly RuleCondition[], declared: ReadonlySet<string>, path: PathSegment[]): Issue[] {
  const issues: Issue[] = [];
  for (const { index, condition, names } of conditions) {
    if (names.length !== condition.split('$[[').length - 1) continue;
    const undefinedNames = [...new Set(names.filter((input) => !declared.has(input)))];
    if (undefinedNames.length > 0)
      issues.push({
        path: [...path, 'rules', index, 'if'],
        severity: 'error',
        code: 'spec/rules',
        message: `\`${name}\` input: rule[${index}] references undefined inputs: ${undefinedNames.join(', ')}`,
      });
  }
  return issues;
}

/**
 * GitLab's Header::Inputs::Validator#validate_circular_dependencies: the inputs the rules of each
 * input read make a graph (an expression it cannot parse, or an undeclared input, adds no edge),
 * and one cycle in it, an input whose rules read itself too (Dag: `self-dependency`), is one error
 * for the whole header: `circular dependency detected`. Shown at the rule that starts the first cycle.
 */
function ruleCycle(reads: ReadonlyMap<string, readonly RuleCondition[]>): Issue | undefined {
  /** Each input's edges: the inputs its rules read, each with the rule that reads it. */
  const edges = new Map<string, { to: string; index: number }[]>();
  for (const [name, conditions] of reads) {
    const out: { to: string; index: number }[] = [];
    for (const { index, condition, names } of conditions) {
      if (names.length !== condition.split('$[[').length - 1) continue;
      for (const to of names) if (reads.has(to)) out.push({ to, index });
    }
    edges.set(name, out);
  }
  const done = new Set<string>();
  for (const start of edges.keys()) {
    if (done.has(start)) continue;
    // An iterative depth-first walk: the path from `start`, each input with the next edge to follow.
    const path: { name: string; next: number }[] = [{ name: start, next: 0 }];
    const onPath = new Set([start]);
    while (path.length > 0) {
      const top = path[path.length - 1] as { name: string; next: number };
      const edge = edges.get(top.name)?.[top.next++];
      if (!edge) {
        done.add(top.name);
        onPath.delete(top.name);
        path.pop();
        continue;
      }
      if (onPath.has(edge.to)) {
        const loop = path.slice(path.findIndex((step) => step.name === edge.to)).map((step) => step.name);
        const first = loop[0] as string;
        const second = loop[1] ?? first;
        const rule = (edges.get(first) ?? []).find((e) => e.to === second)?.index ?? 0;
        const circle = [...loop, first].map((n) => `\`${n}\``).join(' → ');
        return {
          path: ['spec', 'inputs', first, 'rules', rule, 'if'],
          severity: 'error',
          code: 'spec/rules',
          message: `circular dependency detected (${circle}: the rules of each input read the next)`,
        };
      }
      if (done.has(edge.to)) continue;
      onPath.add(edge.to);
      path.push({ name: edge.to, next: 0 });
    }
  }
  return undefined;
}

interface RuleCondition {
  index: number;
  condition: string;
  /** The inputs its blocks read. */
  names: string[];
}

/** Each `if` of an input's rules, with the input names its blocks read. */
function ruleConditions(spec: Record<string, unknown>): RuleCondition[] {
  const rules = spec['rules'];
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule: unknown, index) => {
    if (!isObject(rule) || typeof rule['if'] !== 'string') return [];
    const condition = rule['if'];
    return [{ index, condition, names: [...condition.matchAll(RULE_INPUT)].map((match) => match[1] as string) }];
  });
}

/** GitLab interpolates only the content document: a block in the header (a default that
 *  reads `$[[ inputs.other ]]`, say) stays as text, which is never what its author meant. The
 *  `if` of an input's rules is the exception: GitLab evaluates its blocks as expressions. */
function headerBlocks(value: unknown, path: PathSegment[]): Issue[] {
  const found: Issue[] = [];
  const visit = (node: unknown, at: PathSegment[], depth: number) => {
    if (depth > 64) return;
    if (typeof node === 'string') {
      if (isRuleCondition(at)) return;
      const [block] = findBlocks(node);
      if (block)
        found.push({
          path: at,
          severity: 'warning',
          code: 'spec/header-interpolation',
          message: `${block.raw} is in the spec: header, which GitLab does not interpolate; it stays as text`,
        });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...at, i], depth + 1));
    } else if (isObject(node)) {
      for (const [key, item] of Object.entries(node)) visit(item, [...at, key], depth + 1);
    }
  };
  visit(value, path, 0);
  return found;
}

export interface HeaderCheck {
  issues: Issue[];
  inputs: Map<string, DeclaredInput>;
  componentFields: Set<string>;
  /** The inputs the `if` of another input's rules reads: used, though the content may not name them. */
  readByRules: Set<string>;
}

/** Rules for the header document. Returns the declared inputs for the content rules. `effective`: its
 *  inputs as GitLab reads them (spec-include.ts), when `spec:include` brings in more. */
export function checkHeader(header: unknown, effective?: HeaderInputs): HeaderCheck {
  const issues: Issue[] = [];
  const inputs = new Map<string, DeclaredInput>();
  const componentFields = new Set<string>();
  const readByRules = new Set<string>();
  if (!isObject(header)) {
    issues.push({ path: [], severity: 'error', code: 'spec/header', message: 'the header document must be a hash with a `spec:` key' });
    return { issues, inputs, componentFields, readByRules };
  }
  for (const key of Object.keys(header)) {
    if (key !== 'spec')
      issues.push({
        path: [key],
        at: 'key',
        severity: 'error',
        code: 'spec/header',
        message: `header config contains unknown keys: ${key}`,
      });
  }
  const spec = header['spec'];
  if (spec === null || spec === undefined) return { issues, inputs, componentFields, readByRules };
  if (!isObject(spec)) {
    issues.push({ path: ['spec'], severity: 'error', code: 'spec/header', message: 'header:spec config should be a hash' });
    return { issues, inputs, componentFields, readByRules };
  }
  // The inputs `spec:include` files declare: checked as GitLab checks them, shown at the entry that names the file.
  for (const [name, input] of effective?.included ?? []) {
    const checked = checkInput(name, input.spec, input.entry);
    for (const issue of checked.issues)
      issues.push({ ...issue, path: input.entry, at: 'value', message: `\`${input.file}\`: ${issue.message}`, input: name });
    if (checked.declared) inputs.set(name, checked.declared);
    if (isObject(input.spec))
      for (const condition of ruleConditions(input.spec)) for (const other of condition.names) readByRules.add(other);
  }
  issues.push(...(effective?.issues ?? []));
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key)) {
      issues.push({
        path: ['spec', key],
        at: 'key',
        severity: 'error',
        code: 'spec/unknown-key',
        message: `header:spec config contains unknown keys: ${key}`,
      });
    }
  }
  if (Object.hasOwn(spec, 'description')) {
    issues.push({
      path: ['spec', 'description'],
      at: 'key',
      severity: 'warning',
      code: 'spec/description-version',
      message: 'spec:description needs GitLab 18.10 or later; older instances reject the whole file',
    });
  }
  if (Object.hasOwn(spec, 'inputs')) {
    const declared = spec['inputs'];
    if (declared === null || (isObject(declared) && Object.keys(declared).length === 0)) {
      issues.push({
        path: ['spec', 'inputs'],
        at: 'key',
        severity: 'error',
        code: 'spec/empty-inputs',
        message: 'spec:inputs is empty, which breaks catalog releases; write `spec: {}` instead',
      });
    } else if (!isObject(declared)) {
      issues.push({
        path: ['spec', 'inputs'],
        severity: 'error',
        code: 'spec/header',
        message: 'header:spec:inputs config should be a hash',
      });
    } else {
      const names = new Set([...Object.keys(declared), ...(effective?.included.keys() ?? [])]);
      const reads = new Map<string, RuleCondition[]>();
      for (const [name, input] of Object.entries(declared)) {
        const checked = checkInput(name, input, ['spec', 'inputs', name]);
        issues.push(...checked.issues);
        if (checked.declared) inputs.set(name, checked.declared);
        if (!isObject(input)) continue;
        const conditions = ruleConditions(input);
        reads.set(name, conditions);
        // An input cigen could not read (a remote `spec:include`) may be the one a rule reads.
        if (effective?.complete !== false) issues.push(...ruleReferences(name, conditions, names, ['spec', 'inputs', name]));
        for (const condition of conditions) for (const read of condition.names) readByRules.add(read);
      }
      const cycle = ruleCycle(reads);
      if (cycle) issues.push(cycle);
    }
  }
  issues.push(...headerBlocks(spec, ['spec']));
  const fields = spec['component'];
  if (Array.isArray(fields)) for (const field of fields) if (COMPONENT_FIELDS.includes(String(field))) componentFields.add(String(field));
  return { issues, inputs, componentFields, readByRules };
}

interface ScalarSite {
  text: string;
  path: PathSegment[];
  at: 'key' | 'value';
  /** Literal and folded blocks hold any single-line value as text; other styles can be broken. */
  block: boolean;
  /** A quoted scalar's quote: inside it only that quote, an escape or a line break can break out. */
  quote?: '"' | "'";
}

const quoteOf = (node: Scalar): { quote?: '"' | "'" } =>
  node.type === Scalar.QUOTE_DOUBLE ? { quote: '"' } : node.type === Scalar.QUOTE_SINGLE ? { quote: "'" } : {};

/** Every string scalar (keys too) in a parsed document, with its path and style. */
function stringSites(doc: Document): ScalarSite[] {
  const sites: ScalarSite[] = [];
  const visit = (node: unknown, path: PathSegment[]) => {
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : '';
        if (isScalar(item.key) && typeof item.key.value === 'string') {
          sites.push({ text: item.key.value, path: [...path, key], at: 'key', block: false, ...quoteOf(item.key) });
        }
        visit(item.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      sites.push({ text: node.value, path, at: 'value', block, ...quoteOf(node) });
    }
  };
  visit(doc.contents, []);
  return sites;
}

/** A note naming the Unicode spaces a key holds (a no-break space, say), which GitLab's patterns do
 *  not take for spaces, so they stay in the key; empty when it holds none. */
function unseenSpaces(key: string): string {
  const spaces = [...new Set([...key].filter((char) => /\s/u.test(char) && !/[\t\n\v\f\r ]/.test(char)))];
  if (spaces.length === 0) return '';
  const named = spaces.map((char) => `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`);
  return `it holds ${named.join(', ')}, which GitLab does not read as a space`;
}

function acceptsAny(regex: string | undefined, probes: readonly string[]): string | undefined {
  if (regex === undefined) return probes[0];
  const compiled = compileRe2(regex);
  if (!compiled.ok) return undefined;
  return probes.find((probe) => compiled.regex.test(probe));
}

/** Rules for the interpolation blocks in the content document. */
export function checkContent(
  content: Document,
  inputs: ReadonlyMap<string, DeclaredInput>,
  componentFields: ReadonlySet<string>,
  options: { hasHeader: boolean; complete?: boolean },
): { issues: Issue[]; unused: string[] } {
  const issues: Issue[] = [];
  const used = new Set<string>();
  // GitLab's Template keeps its blocks by their text (@blocks[match] ||=): MAX_BLOCKS counts distinct ones.
  const blockTexts = new Set<string>();
  for (const site of stringSites(content)) {
    const blocks = findBlocks(site.text);
    for (const block of blocks) blockTexts.add(block.raw);
    for (const block of blocks) {
      // A matrix expression: neither an input nor text GitLab leaves (needs:parallel:matrix resolves it).
      if (block.access !== undefined && isSkippedContext(block.access)) continue;
      const parts = block.access === undefined ? [] : rubySplit(block.access, '.', MAX_ACCESS_OBJECTS);
      const [root, name] = parts;
      // Every finding about a block that reads an input carries that input's name.
      const about = root === 'inputs' && name ? { input: name } : {};
      const error = (code: string, message: string) =>
        issues.push({ path: site.path, at: site.at, severity: 'error', code, message, ...about });
      if (!options.hasHeader) {
        issues.push({
          ...about,
          path: site.path,
          at: site.at,
          severity: 'warning',
          code: 'spec/no-header',
          message: `${block.raw} is in a file without a spec: header; GitLab leaves it as text`,
        });
        continue;
      }
      // In GitLab's order (Block#evaluate!): the access, then the count of functions, then the
      // functions; each step that fails ends the block.
      if (block.access === undefined) {
        error('spec/access', noAccessError(block.raw));
        continue;
      }
      const shape = accessErrors(block.access);
      for (const message of shape) error('spec/access', message === INVALID_ACCESS ? `${message}: ${block.raw}` : message);
      if (shape.length > 0) continue;
      let input: DeclaredInput | undefined;
      if (root === 'inputs') {
        input = inputs.get(name as string);
        if (!input) {
          // Inputs cigen could not read (a remote `spec:include`) may declare it.
          if (options.complete === false) continue;
          const note = unseenSpaces(name as string);
          error(
            'spec/undeclared-input',
            `unknown interpolation key: \`${name}\` (${block.raw}; declared inputs: ${[...inputs.keys()].join(', ') || 'none'}` +
              `${note && `; ${note}`})`,
          );
          continue;
        }
        used.add(input.name);
        if (parts.length > 2) {
          error('spec/access', `unknown interpolation key: \`${parts[2]}\` (inputs are not hashes)`);
          continue;
        }
      } else if (root === 'component') {
        if (!componentFields.has(name as string)) {
          error('spec/component-field', `$[[ component.${name} ]] needs \`${name}\` listed in spec:component`);
          continue;
        }
      } else {
        const note = unseenSpaces(root as string);
        error('spec/access', `unknown interpolation key: \`${root}\`${note && ` (${note})`}`);
        continue;
      }
      if (block.functions.length > MAX_FUNCTIONS) {
        error('spec/too-many-functions', `too many functions in interpolation block ${block.raw} (at most ${MAX_FUNCTIONS})`);
        continue;
      }
      // FunctionsStack: every expression no function matches, before any function runs.
      const stack = block.functions.map((expression) => ({ expression, found: matchFunction(expression) }));
      for (const { expression, found } of stack)
        if (!found) error('spec/unknown-function', `${noFunctionMatching(expression)} (known: ${FUNCTION_NAMES.join(', ')})`);
      if (stack.some(({ found }) => !found)) continue;
      // Then they run in turn, and the first one given a value it cannot take stops the chain.
      let valueType: string = input?.type ?? 'string';
      for (const { found } of stack) {
        if (!found) continue;
        if (STRING_FUNCTIONS.has(found.fn.name) && valueType !== 'string') {
          error('spec/function-type', invalidInputType(found.fn.name));
          break;
        }
        valueType = found.fn.name === 'split' ? 'array' : valueType;
      }
      // Text interpolation pastes the value into the raw file before parsing it.
      if (input && input.type === 'string' && !input.hasOptions && block.functions.length === 0) {
        const whole = block.start === 0 && block.end === site.text.length;
        const probe = acceptsAny(input.regex, site.block && whole ? BLOCK_PROBES : site.quote ? QUOTED_PROBES[site.quote] : PLAIN_PROBES);
        if (probe !== undefined) {
          issues.push({
            ...about,
            path: site.path,
            at: site.at,
            severity: 'warning',
            code: 'spec/text-interpolation',
            message:
              `\`${input.name}\` input accepts ${JSON.stringify(probe)}, which can reshape this YAML under text interpolation; ` +
              `give it a regex that refuses such values${site.block ? '' : ' or place it alone in a literal block'}`,
          });
        }
      }
    }
  }
  if (blockTexts.size > MAX_BLOCKS)
    issues.push({ path: [], severity: 'error', code: 'spec/too-many-blocks', message: 'too many interpolation blocks' });
  return { issues, unused: [...inputs.keys()].filter((name) => !used.has(name)) };
}
