/**
 * One `$[[ access | fn | fn ]]` block: finding it, parsing it and evaluating it, with
 * GitLab's limits and error texts (lib/gitlab/ci/config/interpolation/{block,access}.rb).
 */
import { compileRe2 } from '../re2.js';
import { applyFunctions, type FunctionContext } from './functions.js';
import { rubySplit, rubyStrip } from './ruby.js';

export const MAX_FUNCTIONS = 3;
export const MAX_ACCESS_OBJECTS = 5;
export const MAX_ACCESS_BYTESIZE = 1024;
export const MAX_BLOCKS = 10_000;

/** GitLab's block pattern as written (Template::BLOCK_REGEXP, an RE2 UntrustedRegexp). RE2's `\s` is
 *  ASCII, `[\t\n\f\r ]`, so a no-break space is part of the data; its `.` stops at a line feed only. */
const BLOCK_RE2 = String.raw`(?<block>\$\[\[\s*(?<data>\S{1}.*?\S{1})\s*\]\])`;
/** The pattern in JavaScript (code points, RE2's classes): group 1 is the block, group 2 its data.
 *  Translated on first use: most pipelines hold no block, and a lint should not pay for it. */
let blockSource: string | undefined;
export function blockPattern(): RegExp {
  if (blockSource === undefined) {
    const compiled = compileRe2(BLOCK_RE2);
    if (!compiled.ok) throw new Error(`cigen cannot read GitLab's block pattern: ${compiled.error}`);
    blockSource = compiled.regex.source;
  }
  return new RegExp(blockSource, 'gu');
}

export interface Block {
  /** The whole `$[[ ... ]]` text. */
  raw: string;
  /** The text between the brackets, from its first to its last non-space character. */
  data: string;
  /** The data before its first `|`, stripped; undefined when the data is nothing but `|`
   *  (see {@link noAccessError}). */
  access: string | undefined;
  /** The function expressions after it, stripped: Ruby's split drops empty fields at the end,
   *  so `$[[ inputs.x | ]]` has none, while `$[[ inputs.x || f ]]` has an empty one before `f`. */
  functions: string[];
  /** Offsets in the string the block was found in. */
  start: number;
  end: number;
}

export function findBlocks(text: string): Block[] {
  if (!text.includes('$[[')) return [];
  const blocks: Block[] = [];
  for (const match of text.matchAll(blockPattern())) {
    const data = match[2] as string;
    // Block#evaluate!: `data.split('|').map(&:strip)`.
    const [access, ...functions] = rubySplit(data, '|').map(rubyStrip);
    blocks.push({ raw: match[0], data, access, functions, start: match.index, end: match.index + match[0].length });
  }
  return blocks;
}

/** A block whose data is nothing but `|` (`$[[ || ]]`): Ruby's split leaves no field, and GitLab's
 *  Block#evaluate! then calls `split` on nil. That is no message of GitLab's but a Ruby exception. */
export const noAccessError = (raw: string): string =>
  `${raw} holds nothing but \`|\`: GitLab finds no access in it and fails with an internal error ` +
  "(Ruby's NoMethodError on nil), not a configuration message";

export interface InterpolationContext {
  inputs: Readonly<Record<string, unknown>>;
  component?: Readonly<Record<string, unknown>>;
  functions?: FunctionContext;
}

export type Evaluation = { ok: true; value: unknown } | { ok: false; errors: string[] };

export const INVALID_ACCESS = 'invalid interpolation access pattern';
export const ACCESS_TOO_LARGE = 'maximum interpolation expression size exceeded';

/** Access#initialize: both checks run, in this order, before any key is read. */
export function accessErrors(path: string): string[] {
  const errors: string[] = [];
  if (rubySplit(path, '.', MAX_ACCESS_OBJECTS).length <= 1) errors.push(INVALID_ACCESS);
  if (Buffer.byteLength(path) > MAX_ACCESS_BYTESIZE) errors.push(ACCESS_TOO_LARGE);
  return errors;
}

function access(path: string, context: InterpolationContext): Evaluation {
  const errors = accessErrors(path);
  if (errors.length > 0) return { ok: false, errors };
  let current: unknown = { inputs: context.inputs, ...(context.component ? { component: context.component } : {}) };
  for (const key of rubySplit(path, '.', MAX_ACCESS_OBJECTS)) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return { ok: false, errors: [`unknown interpolation key: \`${key}\``] };
    }
    current = (current as Record<string, unknown>)[key];
  }
  return { ok: true, value: current };
}

/** Contexts input interpolation leaves as written (GitLab's Block::SKIP_INTERPOLATION_CONTEXTS):
 *  `$[[ matrix.X ]]` is a matrix expression, resolved later in needs:parallel:matrix. */
export const isSkippedContext = (access: string): boolean => access.split('.')[0] === 'matrix';

export function evaluateBlock(block: Pick<Block, 'access' | 'functions'> & { raw?: string }, context: InterpolationContext): Evaluation {
  if (block.access === undefined) return { ok: false, errors: [noAccessError(block.raw ?? '$[[ || ]]')] };
  if (isSkippedContext(block.access)) return { ok: true, value: block.raw ?? `$[[ ${block.access} ]]` };
  // GitLab's Block#evaluate! reads the access first, then counts the functions.
  const accessed = access(block.access, context);
  if (!accessed.ok) return accessed;
  if (block.functions.length > MAX_FUNCTIONS) return { ok: false, errors: ['too many functions in interpolation block'] };
  return applyFunctions(block.functions, accessed.value, context.functions ?? {});
}
