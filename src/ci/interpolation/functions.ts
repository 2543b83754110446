/**
 * GitLab's interpolation functions (`$[[ inputs.x | fn ]]`). Each matches its own pattern;
 * anything else is "no function matching". Error texts follow GitLab's.
 */
import { rubyStrip } from './ruby.js';

export interface FunctionContext {
  /** Variables for expand_vars; names not here stay as written. */
  variables?: Readonly<Record<string, string>>;
  maskedVariables?: ReadonlySet<string>;
}

type Apply = (value: unknown, match: RegExpExecArray, context: FunctionContext) => unknown;

interface InterpolationFunction {
  name: string;
  pattern: RegExp;
  apply: Apply;
}

class FunctionError extends Error {}

/** What a function says of a value that is not a string (each of GitLab's functions takes strings only). */
export const invalidInputType = (name: string): string =>
  `error in \`${name}\` function: invalid input type: ${name} can only be used with string inputs`;

/** FunctionsStack#build_stack's error for an expression no function's pattern matches. */
export const noFunctionMatching = (expression: string): string =>
  `no function matching \`${expression}\`: check that the function name, arguments, and types are correct`;

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new FunctionError(invalidInputType(name));
  return value;
}

/** Ruby's Shellwords.shellescape. */
export function shellescape(value: string): string {
  if (value === '') return "''";
  return value.replace(/[^A-Za-z0-9_\-.,:+/@\n]/gu, (char) => `\\${char}`).replace(/\n/g, "'\n'");
}

function expandVars(value: string, context: FunctionContext): string {
  const variables = context.variables ?? {};
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g, (whole, a, b, c) => {
    const name = (a ?? b ?? c) as string;
    if (context.maskedVariables?.has(name)) {
      throw new FunctionError('error in `expand_vars` function: variable expansion error: masked variables cannot be expanded');
    }
    return Object.hasOwn(variables, name) ? (variables[name] as string) : whole;
  });
}

const RUBY_SPACE_RUN = /[\t\n\v\f\r ]+/;

export const FUNCTIONS: readonly InterpolationFunction[] = [
  {
    name: 'truncate',
    // Ruby's `\s` is ASCII: a no-break space in the parentheses matches no function.
    pattern: /^truncate\([\t\n\v\f\r ]*(\d+)[\t\n\v\f\r ]*,[\t\n\v\f\r ]*(\d+)[\t\n\v\f\r ]*\)?$/,
    apply: (value, match) => {
      const text = [...requireString('truncate', value)];
      const offset = Number(match[1]);
      const length = Number(match[2]);
      return text.slice(offset, offset + length).join('');
    },
  },
  {
    name: 'expand_vars',
    pattern: /^expand_vars$/,
    apply: (value, _match, context) => expandVars(requireString('expand_vars', value), context),
  },
  {
    name: 'posix_escape',
    pattern: /^posix_escape$/,
    apply: (value) => shellescape(requireString('posix_escape', value)),
  },
  {
    name: 'posix_quote',
    pattern: /^posix_quote$/,
    apply: (value) => shellescape(requireString('posix_quote', value)),
  },
  {
    name: 'split',
    // functions/split.rb: the separator holds no quote, so `split('a','b')` matches no function.
    pattern: /^split\('([^']*)'\)$/,
    apply: (value, match) => {
      const separator = match[1] ?? '';
      const text = requireString('split', value);
      if (separator === '') throw new FunctionError('error in `split` function: invalid argument: separator cannot be empty');
      // Ruby's split(' ') splits at runs of ASCII whitespace (awk's way), not at single spaces.
      return (separator === ' ' ? text.split(RUBY_SPACE_RUN) : text.split(separator)).map(rubyStrip).filter((item) => item !== '');
    },
  },
];

export const FUNCTION_NAMES = FUNCTIONS.map((fn) => fn.name);

/** Finds the function an expression names, or undefined. */
export function matchFunction(expression: string): { fn: InterpolationFunction; match: RegExpExecArray } | undefined {
  for (const fn of FUNCTIONS) {
    const match = fn.pattern.exec(expression);
    if (match) return { fn, match };
  }
  return undefined;
}

/**
 * GitLab's FunctionsStack: every expression is matched to a function before any runs, so each one
 * no function matches is an error (all of them, in order) whatever the value; then the functions
 * run in turn, and the first that fails stops the chain with its error.
 */
export function applyFunctions(
  expressions: readonly string[],
  value: unknown,
  context: FunctionContext,
): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  const stack = expressions.map((expression) => ({ expression, found: matchFunction(expression) }));
  const unmatched = stack.filter((entry) => entry.found === undefined).map((entry) => noFunctionMatching(entry.expression));
  if (unmatched.length > 0) return { ok: false, errors: unmatched };
  let current = value;
  for (const { found } of stack) {
    if (!found) continue;
    try {
      current = found.fn.apply(current, found.match, context);
    } catch (error) {
      if (error instanceof FunctionError) return { ok: false, errors: [error.message] };
      throw error;
    }
  }
  return { ok: true, value: current };
}
