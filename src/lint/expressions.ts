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
import { expressionProblem, type ExpressionProblem } from '../ci/expression.js';
import { includeEntries } from '../ci/includes.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { isHash } from '../ci/merge.js';
import { locate, nodeAt } from '../ci/positions.js';
import { rulesOf } from './entries.js';
import type { Origin } from './model.js';

const snippet = (text: string, at: number): string => {
  const word = /^[^ \t\n\v\f\r]*/.exec(text.slice(at))?.[0] ?? '';
  return word.length > 24 ? `${word.slice(0, 24)}…` : word;
};

/** What is wrong, in a few words, and what GitLab would take instead when that is plain. */
function explain(problem: ExpressionProblem, text: string): string {
  switch (problem.kind) {
    case 'unknown-lexeme': {
      const rest = text.slice(problem.at);
      const hint = /^=(?![=~])/.test(rest)
        ? ': compare with `==`, match with `=~`'
        : /^!(?![=~])/.test(rest)
          ? ': there is no `!` operator; compare with `== null` or `== ""`'
          : /^\$\{/.test(rest)
            ? ': write a variable as `$NAME`, not `${NAME}`'
            : /^\/[^/\n]?\/[ismU]*(?![^ \t\n\v\f\r)])/.test(rest)
              ? ': a pattern needs two or more characters between its slashes'
              : /^(?:and|or)(?![A-Za-z0-9_])/i.test(rest)
                ? ': join conditions with `&&` and `||`'
                : /^[A-Za-z0-9_]/.test(rest)
                  ? `: a string needs quotes, "${/^\w+/.exec(rest)?.[0] ?? ''}"`
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

/**
 * The expressions of one file's content (as GitLab assembles it: a component interpolated) that
 * GitLab refuses, each at its value, in GitLab's words (which it downcases, a job's name too).
 * Rules are walked as the entry checks walk them (rulesOf); only a refused expression costs its
 * message and position.
 */
export function checkExpressions(content: Record<string, unknown>, origin: Omit<Origin, 'path'>): Diagnostic[] {
  const out: Diagnostic[] = [];
  /** `location` and `attribute`: GitLab's message up to "invalid expression syntax". */
  const check = (text: string, location: string, attribute: 'if' | 'variables', path: () => PathSegment[], hiddenJob?: string) => {
    const problem = expressionProblem(text);
    if (!problem || text.includes('$[[')) return;
    const at = path();
    if (origin.resolveKey) {
      // Interpolated: what was written there may hold a block, which GitLab replaces first.
      const written = nodeAt(origin.doc, at, origin.resolveKey);
      if (!isScalar(written) || String(written.value).includes('$[[')) return;
    }
    const pos = locate(origin.doc, origin.lineCounter, at, 'value', origin.resolveKey);
    out.push({
      file: origin.file,
      line: pos.line,
      column: pos.column,
      severity: 'error',
      code: 'semantic/expression',
      message:
        `${location} ${attribute} invalid expression syntax`.toLowerCase() +
        ` (${explain(problem, text)})` +
        // GitLab validates a hidden job only as part of the jobs that take it in.
        (hiddenJob === undefined ? '' : `; ${hiddenJob} is hidden: GitLab refuses it in each job that extends or references it`),
      document: 'content',
      path: at,
    });
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
  for (const [key, value] of Object.entries(content)) {
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
