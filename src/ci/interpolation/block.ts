/**
 * One `$[[ access | fn | fn ]]` block: finding it, parsing it and evaluating it, with
 * GitLab's limits and error texts (lib/gitlab/ci/config/interpolation/{block,access}.rb).
 */
import { applyFunction, type FunctionContext } from './functions.js';

export const MAX_FUNCTIONS = 3;
export const MAX_ACCESS_OBJECTS = 5;
export const MAX_ACCESS_BYTESIZE = 1024;
export const MAX_BLOCKS = 10_000;

/** GitLab's block pattern, `(?<block>\$\[\[\s*(?<data>\S{1}.*?\S{1})\s*\]\])`; `.` stops at a newline. */
export const BLOCK_SOURCE = String.raw`\$\[\[\s*(\S.*?\S)\s*\]\]`;
export const blockPattern = (): RegExp => new RegExp(BLOCK_SOURCE, 'g');

export interface Block {
  /** The whole `$[[ ... ]]` text. */
  raw: string;
  /** The text between the brackets, trimmed. */
  data: string;
  access: string;
  functions: string[];
  /** Offsets in the string the block was found in. */
  start: number;
  end: number;
}

export function findBlocks(text: string): Block[] {
  if (!text.includes('$[[')) return [];
  const blocks: Block[] = [];
  for (const match of text.matchAll(blockPattern())) {
    const data = match[1] as string;
    const [access = '', ...functions] = data.split('|').map((part) => part.trim());
    blocks.push({ raw: match[0], data, access, functions, start: match.index, end: match.index + match[0].length });
  }
  return blocks;
}

export interface InterpolationContext {
  inputs: Readonly<Record<string, unknown>>;
  component?: Readonly<Record<string, unknown>>;
  functions?: FunctionContext;
}

export type Evaluation = { ok: true; value: unknown } | { ok: false; error: string };

function access(path: string, context: InterpolationContext): Evaluation {
  if (Buffer.byteLength(path) > MAX_ACCESS_BYTESIZE) return { ok: false, error: 'maximum interpolation expression size exceeded' };
  const parts = splitLimit(path, '.', MAX_ACCESS_OBJECTS);
  if (parts.length <= 1) return { ok: false, error: 'invalid interpolation access pattern' };
  let current: unknown = { inputs: context.inputs, ...(context.component ? { component: context.component } : {}) };
  for (const key of parts) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return { ok: false, error: `unknown interpolation key: \`${key}\`` };
    }
    current = (current as Record<string, unknown>)[key];
  }
  return { ok: true, value: current };
}

/** Ruby's `split(sep, limit)`. */
function splitLimit(text: string, separator: string, limit: number): string[] {
  const parts = text.split(separator);
  if (parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

/** Contexts input interpolation leaves as written (GitLab's Block::SKIP_INTERPOLATION_CONTEXTS):
 *  `$[[ matrix.X ]]` is a matrix expression, resolved later in needs:parallel:matrix. */
export const isSkippedContext = (access: string): boolean => access.split('.')[0] === 'matrix';

export function evaluateBlock(block: Pick<Block, 'access' | 'functions'> & { raw?: string }, context: InterpolationContext): Evaluation {
  if (isSkippedContext(block.access)) return { ok: true, value: block.raw ?? `$[[ ${block.access} ]]` };
  // GitLab's Block#evaluate! reads the access first, then counts the functions.
  const accessed = access(block.access, context);
  if (!accessed.ok) return accessed;
  if (block.functions.length > MAX_FUNCTIONS) return { ok: false, error: 'too many functions in interpolation block' };
  let value = accessed.value;
  for (const expression of block.functions) {
    const applied = applyFunction(expression, value, context.functions ?? {});
    if (applied.error !== undefined) return { ok: false, error: applied.error };
    value = applied.value;
  }
  return { ok: true, value };
}
