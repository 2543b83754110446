/**
 * GitLab's interpolation functions (`$[[ inputs.x | fn ]]`). Each matches its own pattern;
 * anything else is "no function matching". Error texts follow GitLab's.
 */

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

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new FunctionError(`error in \`${name}\` function: invalid input type: ${name} can only be used with string inputs`);
  }
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
/** Ruby's String#strip: NUL, tab, line feed, vertical tab, form feed, carriage return and space only. */
const rubyStrip = (text: string): string => text.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');

export const FUNCTIONS: readonly InterpolationFunction[] = [
  {
    name: 'truncate',
    pattern: /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)?$/,
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

export function applyFunction(expression: string, value: unknown, context: FunctionContext): { value?: unknown; error?: string } {
  const found = matchFunction(expression);
  if (!found) {
    return { error: `no function matching \`${expression}\`: check that the function name, arguments, and types are correct` };
  }
  try {
    return { value: found.fn.apply(value, found.match, context) };
  } catch (error) {
    if (error instanceof FunctionError) return { error: error.message };
    throw error;
  }
}
