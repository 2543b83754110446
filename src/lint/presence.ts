/**
 * What a job's `rules:` say of its presence in a pipeline, as far as they can be read without the
 * pipeline's variables: whether they can leave the job out, and whether they keep it in every
 * pipeline. Rules::Rule is evaluated in order, the first that matches decides, and a job no rule
 * matches is left out; a rule matches always when it has no `if`, `changes` or `exists`, or when its
 * `if` compares two literal strings that are equal (what a component's boolean input becomes:
 * `"true" == "true"`). Anything else may or may not match.
 */
import { tokenize } from '../ci/expression.js';
import { rulesOf as ruleHashes } from './entries.js';

const CONDITIONS = ['if', 'changes', 'exists'] as const;

/** The text of a double- or single-quoted string token. */
const literal = (text: string): string => text.slice(1, -1);

/** An `if:` that holds whatever the variables: two string literals compared with `==` (equal) or `!=` (different). */
function alwaysTrue(expression: unknown): boolean {
  if (typeof expression !== 'string') return false;
  const { tokens, error } = tokenize(expression);
  if (error || tokens.length !== 3) return false;
  const [left, operator, right] = tokens;
  if (left?.lexeme !== 'string' || right?.lexeme !== 'string') return false;
  if (operator?.lexeme === 'equals') return literal(left.text) === literal(right.text);
  if (operator?.lexeme === 'not_equals') return literal(left.text) !== literal(right.text);
  return false;
}

const matchesAlways = (rule: Record<string, unknown>): boolean =>
  CONDITIONS.every((key) => rule[key] === undefined || (key === 'if' && alwaysTrue(rule[key])));

/** The rules of a job as GitLab reads them (nested lists flattened), or undefined when it has none. */
const rulesOf = (job: Record<string, unknown>): Record<string, unknown>[] | undefined =>
  Array.isArray(job['rules']) ? ruleHashes(job['rules']).map(({ rule }) => rule) : undefined;

/** The job's rules can leave it out of a pipeline: a rule that may match says `when: never`, or no rule matches always. */
export function rulesCanLeaveOut(job: Record<string, unknown>): boolean {
  const rules = rulesOf(job);
  if (rules === undefined) return false;
  for (const rule of rules) {
    if (rule['when'] === 'never') return true;
    if (matchesAlways(rule)) return false;
  }
  return true;
}

/** The job's rules keep it in every pipeline: its first rule matches always and does not say `when: never`. */
export function rulesKeepIn(job: Record<string, unknown>): boolean {
  const [first] = rulesOf(job) ?? [];
  return first !== undefined && matchesAlways(first) && first['when'] !== 'never';
}

/** The rule that always decides the job (its first, when that matches always) gives needs of its own:
 *  they replace the job's `needs:` in every pipeline. */
export function ruleNeedsReplaceJobNeeds(job: Record<string, unknown>): boolean {
  const [first] = rulesOf(job) ?? [];
  return first !== undefined && matchesAlways(first) && first['needs'] !== undefined;
}
