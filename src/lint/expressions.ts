/**
 * The syntax of CI/CD variable expressions, checked where GitLab's entries check it: `rules:if` of
 * jobs and of `workflow:` (Entry::Rules::Rule, `validates :if, expression: true`), of `include:`
 * entries (Entry::Include::Rules::Rule, composed on its own: "include:rule ..."), and the
 * `variables:` of `only:`/`except:` (Entry::Policy, variables_expressions_syntax). Each file is
 * checked as written, hidden jobs (templates) too: an expression GitLab cannot read is refused in
 * every job that uses it, and the finding says so (GitLab never validates a hidden job alone). An
 * expression written with an interpolation block is not checked: GitLab reads it only once the
 * block is replaced, with whatever value an include gives.
 */
import { isScalar } from 'yaml';
import type { Diagnostic, PathSegment } from '../ci/diagnostics.js';
import { expressionProblem, lexemeType, tokenize, type ExpressionProblem, type LexemeType, type Token } from '../ci/expression.js';
import { includeEntries } from '../ci/includes.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { isHash } from '../ci/merge.js';
import { locate, nodeAt } from '../ci/positions.js';
import { MAX_REFERENCE_NESTING, referenceFound } from '../ci/references.js';
import { rulesOf } from './entries.js';
import { isHidden, originOf, referenceTargets, type Origin, type PipelineModel } from './model.js';
import { definerOf } from './provenance.js';

const snippet = (text: string, at: number): string => {
  const word = /^[^ \t\n\v\f\r]*/.exec(text.slice(at))?.[0] ?? '';
  return word.length > 24 ? `${word.slice(0, 24)}…` : word;
};

/** The types of token after which a value may come: none, an operator, a `(`. */
const BEFORE_VALUE: ReadonlySet<LexemeType | undefined> = new Set([undefined, 'operator', 'parenthesis_open']);

/**
 * What a word GitLab cannot read at `at` is, when that is sure: `null` or `true`/`false` written
 * otherwise (the word is no string anyone means), or an unquoted string that, quoted, GitLab reads
 * where it stands: written where a value may come (not after one) and running to a space, a `)`,
 * an operator or the end.
 */
function wordHint(text: string, at: number, before: Token | undefined): string {
  const rest = text.slice(at);
  const word = /^[^ \t\n\v\f\r()"'$=!&|]+/.exec(rest)?.[0] ?? '';
  if (!BEFORE_VALUE.has(before && lexemeType(before)) || !/^(?:$|[ \t\n\v\f\r)]|==|!=|=~|!~|&&|\|\|)/.test(rest.slice(word.length)))
    return '';
  if (/^(?:null|nil)$/i.test(word)) return ': null is written `null`';
  if (/^(?:true|false)$/i.test(word)) return ': a boolean is written `true` or `false`';
  return `: a string needs quotes, "${word}"`;
}

/** What is wrong, in a few words, and what GitLab would take instead when that is plain. */
function explain(problem: ExpressionProblem, text: string): string {
  switch (problem.kind) {
    case 'unknown-lexeme': {
      const rest = text.slice(problem.at);
      const before = tokenize(text).tokens.at(-1);
      const hint = /^=(?![=~])/.test(rest)
        ? ': compare with `==`, match with `=~`'
        : /^!(?![=~])/.test(rest)
          ? ': there is no `!` operator; compare with `== null` or `== ""`'
          : /^\$\{/.test(rest)
            ? ': write a variable as `$NAME`, not `${NAME}`'
            : /^\/[^/\n]?\/[ismU]*(?![^ \t\n\v\f\r)])/.test(rest)
              ? ': a pattern needs two or more characters between its slashes'
              : before?.lexeme === 'pattern' && before.end === problem.at && /^[A-Za-z]/.test(rest)
                ? ': the flags of a pattern are i, m, s and U only'
                : /^(?:and|or)(?![A-Za-z0-9_])/i.test(rest) && !BEFORE_VALUE.has(before && lexemeType(before))
                  ? ': join conditions with `&&` and `||`'
                  : /^[A-Za-z0-9_]/.test(rest)
                    ? wordHint(text, problem.at, before)
                    : '';
      return `GitLab cannot read \`${snippet(text, problem.at)}\` at character ${problem.at + 1}${hint}`;
    }
    case 'too-many-tokens':
      return 'too many tokens: GitLab reads fewer than 100';
    case 'empty':
      return 'the expression is empty';
    case 'unmatched-parenthesis':
      return 'a `)` closes no `(`';
    case 'unclosed-parenthesis':
      return 'a `(` is never closed';
    case 'invalid-pattern':
      return `\`${problem.token.text}\` is not a valid RE2 pattern: ${problem.error}`;
    case 'missing-operand':
      return `\`${problem.token.text}\` lacks an operand`;
    case 'extra-operand':
      return 'two values with no operator between them';
    case 'empty-tree':
      return 'there is nothing between the parentheses';
  }
}

/** What a finding about a hidden job's expression adds: GitLab validates a hidden job only as part
 *  of the jobs that take it in. */
export const hiddenJobNote = (name: string): string => `${name} is hidden: GitLab refuses it in each job that extends or references it`;

/**
 * The finding for an expression GitLab refuses, written at `at` of `origin`'s file, or undefined.
 * `location` and `attribute`: GitLab's message up to "invalid expression syntax" (which it
 * downcases, a job's name too); `note`, what the message adds after the reason.
 */
export function expressionFinding(
  text: string,
  location: string,
  attribute: 'if' | 'variables',
  origin: Omit<Origin, 'path'>,
  at: () => PathSegment[],
  note?: string,
): Diagnostic | undefined {
  const problem = expressionProblem(text);
  if (!problem || text.includes('$[[')) return undefined;
  const path = at();
  if (origin.resolveKey) {
    // Interpolated: what was written there may hold a block, which GitLab replaces first.
    const written = nodeAt(origin.doc, path, origin.resolveKey);
    if (!isScalar(written) || String(written.value).includes('$[[')) return undefined;
  }
  const pos = locate(origin.doc, origin.lineCounter, path, 'value', origin.resolveKey);
  return {
    file: origin.file,
    line: pos.line,
    column: pos.column,
    severity: 'error',
    code: 'semantic/expression',
    message:
      `${location} ${attribute} invalid expression syntax`.toLowerCase() +
      ` (${explain(problem, text)})` +
      (note === undefined ? '' : `; ${note}`),
    document: 'content',
    path,
  };
}

/** Whether `path` of a file's content is a place checkExpressions checks as written: the `if:` of
 *  a rule in a job's (a hidden job's too) or `workflow:`'s `rules:`. */
export function checkedAsWritten(path: readonly PathSegment[]): boolean {
  const [key, rules, ...rest] = path;
  if (typeof key !== 'string' || rules !== 'rules' || rest.at(-1) !== 'if') return false;
  if (GLOBAL_KEYWORDS.has(key) && key !== 'workflow') return false;
  return rest.slice(0, -1).every((segment) => typeof segment === 'number');
}

/**
 * The expressions of one file's content (as GitLab assembles it: a component interpolated) that
 * GitLab refuses, each at its value, in GitLab's words (which it downcases, a job's name too).
 * Rules are walked as the entry checks walk them (rulesOf); only a refused expression costs its
 * message and position. Rules and expressions a `!reference` brings in are the semantic checks'
 * (referencedExpressions), which resolve it.
 */
export function checkExpressions(content: Record<string, unknown>, origin: Omit<Origin, 'path'>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (text: string, location: string, attribute: 'if' | 'variables', path: () => PathSegment[], hiddenJob?: string) => {
    const finding = expressionFinding(
      text,
      location,
      attribute,
      origin,
      path,
      hiddenJob === undefined ? undefined : hiddenJobNote(hiddenJob),
    );
    if (finding) out.push(finding);
  };
  const rules = (value: unknown, path: PathSegment[], location: string, hiddenJob?: string) => {
    for (const { rule, path: at } of rulesOf(value, path))
      if (typeof rule['if'] === 'string') check(rule['if'], location, 'if', () => [...at, 'if'], hiddenJob);
  };
  const policy = (value: unknown, path: PathSegment[], location: string, hiddenJob?: string) => {
    if (!isHash(value) || !Array.isArray(value['variables'])) return;
    value['variables'].forEach((text, i) => {
      if (typeof text === 'string') check(text, location, 'variables', () => [...path, 'variables', i], hiddenJob);
    });
  };
  // Keys, not entries: no array of a pair per key (a pipeline may hold 100,000 jobs).
  for (const key of Object.keys(content)) {
    const value = content[key];
    if (key === 'workflow') {
      if (isHash(value)) rules(value['rules'], ['workflow', 'rules'], 'workflow:rules:rule');
    } else if (key === 'include') {
      for (const entry of includeEntries(value)) rules(entry.rules, [...entry.path, 'rules'], 'include:rule');
    } else if (!GLOBAL_KEYWORDS.has(key) && isHash(value)) {
      // Most jobs have none of the three: nothing is made for them.
      const hidden = key.startsWith('.') ? key : undefined;
      if (value['rules'] !== undefined) rules(value['rules'], [key, 'rules'], `jobs:${key}:rules:rule`, hidden);
      if (value['only'] !== undefined) policy(value['only'], [key, 'only'], `jobs:${key}:only`, hidden);
      if (value['except'] !== undefined) policy(value['except'], [key, 'except'], `jobs:${key}:except`, hidden);
    }
  }
  return out;
}

/** Where a value is written: a file, and the path to it in that file's content. */
interface Place {
  origin: Omit<Origin, 'path'>;
  path: PathSegment[];
}

/**
 * The `if:` expressions that a `!reference` brings into the `rules:` of a job (hidden ones too) or
 * of `workflow:` — a tag standing for the rules, for a rule, or for the `if:` itself — which
 * checkExpressions, reading each file as written, does not see: GitLab resolves the tags first
 * (Tags::Resolver), then Rules::Rule validates `if`. `lookup` finds a tag's target as GitLab does.
 * Each expression is checked once, where it is written (the target's `if:`), named after the first
 * job whose rules take it in (a visible job before `workflow:` and the hidden ones); one written in
 * a place checkExpressions checks already is left to it.
 */
export function referencedExpressions(model: PipelineModel, lookup: (target: readonly string[]) => unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const tags = referenceTargets(model);
  /** Where the value at `sub` of a tag's target is written: traced through `extends` for a job. */
  const placeOf = (target: readonly string[], sub: PathSegment[]): Place | undefined => {
    const [head, ...rest] = target;
    if (head === undefined) return undefined;
    const path = [...rest, ...sub];
    const job = model.jobs.get(head);
    const definer = job ? definerOf(model, job, path) : undefined;
    const origin = job ? definer && originOf(definer, path) : (model.globalOrigins.get(head) ?? model.otherOrigins.get(head));
    return origin && { origin, path: [...origin.path, ...path] };
  };
  const checked = new Set<string>();
  /** `value`, at `sub` of what `place` places, read as rules (a list of them, or one) or as an `if:`. */
  const walk = (
    value: unknown,
    place: (sub: PathSegment[]) => Place | undefined,
    sub: PathSegment[],
    kind: 'rules' | 'if',
    named: { location: string; note: string },
    through: readonly unknown[],
  ): void => {
    const target = tags.get(value);
    if (target) {
      if (through.includes(value) || through.length > MAX_REFERENCE_NESTING) return;
      const found = lookup(target);
      if (referenceFound(found)) walk(found, (at) => placeOf(target, at), [], kind, named, [...through, value]);
      return;
    }
    if (kind === 'rules') {
      // GitLab flattens nested lists of rules.
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, place, [...sub, i], 'rules', named, through));
      else if (isHash(value)) walk(value['if'], place, [...sub, 'if'], 'if', named, through);
      return;
    }
    if (typeof value !== 'string' || through.length === 0) return;
    const at = place(sub);
    if (!at || checkedAsWritten(at.path)) return;
    const key = `${at.origin.file}\0${JSON.stringify(at.path)}`;
    if (checked.has(key)) return;
    checked.add(key);
    const finding = expressionFinding(value, named.location, 'if', at.origin, () => at.path, named.note);
    if (finding) out.push(finding);
  };
  /** The tags written in `rules:`, each with what it stands for and whose rules they are. */
  const starts = model.references.flatMap(({ node, origin }) => {
    const path = origin.path.map((segment) => (typeof segment === 'string' && origin.resolveKey ? origin.resolveKey(segment) : segment));
    const [key, rules, ...rest] = path;
    if (typeof key !== 'string' || rules !== 'rules' || (GLOBAL_KEYWORDS.has(key) && key !== 'workflow')) return [];
    const kind = rest.at(-1) === 'if' ? ('if' as const) : ('rules' as const);
    if (!(kind === 'if' ? rest.slice(0, -1) : rest).every((segment) => typeof segment === 'number')) return [];
    const named =
      key === 'workflow'
        ? { location: 'workflow:rules:rule', note: 'workflow:rules take it in through !reference' }
        : {
            location: `jobs:${key}:rules:rule`,
            note: isHidden(key)
              ? `${key} takes it in through !reference; ${hiddenJobNote(key)}`
              : `${key} takes it in through !reference, and GitLab refuses it in each job that does`,
          };
    const order = key === 'workflow' ? 1 : isHidden(key) ? 2 : 0;
    return [{ node, kind, named, order }];
  });
  for (const { node, kind, named } of starts.sort((a, b) => a.order - b.order)) walk(node, () => undefined, [], kind, named, []);
  return out;
}
