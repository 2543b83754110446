/**
 * Classic interpolation (lib/gitlab/ci/config/interpolation/template.rb): walk the parsed YAML;
 * only strings holding `$[[` are touched, keys and values alike. A string that is exactly one
 * block takes the block's typed value; otherwise GitLab replaces the blocks one after another,
 * each with `string.gsub(block, value.to_s)` on what the blocks before it left: Ruby reads
 * backslash sequences in the replacement (`\\` is one backslash, `\&` the block's own text), and a
 * value holding a later block's text is replaced in turn.
 * An array item that turns into an array is spliced into its parent.
 *
 * The walk is Interpolation::Config#recursive_replace, with its limits: every node it visits
 * counts, and past MAX_NODES the file is `config too large`; a string over MAX_NODE_SIZE bytes,
 * a key too, is `config node too large` before anything in it is read. The walk stops at the first
 * error: those limits, a block that fails (Template breaks out of the walk at its first invalid
 * block, so GitLab names that block's error only), or more than MAX_BLOCKS blocks, counted as
 * Template keeps them: one per distinct block text.
 */
import type { PathSegment } from '../diagnostics.js';
import { MAX_BLOCKS, evaluateBlock, findBlocks, type Evaluation, type InterpolationContext } from './block.js';
import { RubyReplacementError, rubyGsubString, rubyToS } from './ruby.js';

/** Interpolation::Config::MAX_NODES. */
export const MAX_NODES = 500_000;
/** Interpolation::Config::MAX_NODE_SIZE, in bytes (String#bytesize). */
export const MAX_NODE_SIZE = 1024 * 1024;

export interface Interpolated {
  value: unknown;
  errors: string[];
}

/** Where a walk stopped, and GitLab's errors there. */
class Stop extends Error {
  constructor(
    readonly errors: string[],
    readonly path: PathSegment[],
    readonly at: 'key' | 'value',
  ) {
    super(errors.join(', '));
  }
}

/** A string's value after the block given to recursive_replace, and whether it was one whole block. */
type Replaced = { value: unknown; whole: boolean };
type Replace = (text: string) => Replaced;

const KEPT: Replace = (text) => ({ value: text, whole: false });

/** Whether a string is over MAX_NODE_SIZE bytes (UTF-8: at least one byte a UTF-16 unit, at most three). */
const tooLarge = (text: string): boolean =>
  text.length > MAX_NODE_SIZE || (text.length * 3 > MAX_NODE_SIZE && Buffer.byteLength(text) > MAX_NODE_SIZE);

/**
 * Interpolation::Config#recursive_replace over `content`, each string (keys too) given to
 * `replace`; throws a Stop. A hash, each of its keys twice (GitLab reads files with
 * deep_symbolize_keys: a key is a Symbol, visited, then its String, visited again), each value, an
 * array and each item, and any scalar are one visit each. (A key Psych reads as a number or a
 * boolean is no Symbol, visited once; to JavaScript every key is a string, counted twice.)
 */
function recursiveReplace(content: unknown, replace: Replace): unknown {
  let visited = 0;
  // The path to the node being walked, copied only into a Stop.
  const path: PathSegment[] = [];
  const stop = (errors: string[], at: 'key' | 'value') => new Stop(errors, [...path], at);
  const visit = (at: 'key' | 'value') => {
    if (++visited > MAX_NODES) throw stop(['config too large'], at);
  };
  const string = (text: string, at: 'key' | 'value'): Replaced => {
    visit(at);
    if (tooLarge(text)) throw stop(['config node too large'], at);
    try {
      return replace(text);
    } catch (error) {
      if (error instanceof Stop) throw stop(error.errors, at);
      throw error;
    }
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return string(node, 'value').value;
    visit('value');
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      node.forEach((item: unknown, index) => {
        path.push(index);
        if (typeof item === 'string') {
          const { value, whole } = string(item, 'value');
          if (whole && Array.isArray(value)) out.push(...(value as unknown[]));
          else out.push(value);
        } else out.push(walk(item));
        path.pop();
      });
      return out;
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        path.push(key);
        visit('key');
        const newKey = rubyToS(string(key, 'key').value);
        out[newKey] = walk(value);
        path.pop();
      }
      return out;
    }
    return node;
  };
  return walk(content);
}

export function interpolateClassic(content: unknown, context: InterpolationContext): Interpolated {
  // Template's @blocks: each distinct block text, evaluated once.
  const evaluated = new Map<string, Evaluation>();
  const interpolateString: Replace = (text) => {
    const found = findBlocks(text);
    if (found.length === 0) return { value: text, whole: false };
    const values: unknown[] = [];
    for (const block of found) {
      let result = evaluated.get(block.raw);
      if (!result) {
        result = evaluateBlock(block, context);
        evaluated.set(block.raw, result);
      }
      const failed = result.ok ? [] : result.errors;
      if (evaluated.size > MAX_BLOCKS) throw new Stop(['too many interpolation blocks', ...failed], [], 'value');
      if (!result.ok) throw new Stop(failed, [], 'value');
      values.push(result.value);
    }
    const [first] = found;
    if (found.length === 1 && first && first.start === 0 && first.end === text.length) return { value: values[0], whole: true };
    let out = text;
    try {
      found.forEach((block, index) => {
        out = rubyGsubString(out, block.raw, rubyToS(values[index]));
      });
    } catch (error) {
      if (!(error instanceof RubyReplacementError)) throw error;
      throw new Stop(
        [`a value put inside a string fails GitLab's interpolation: Ruby's gsub raises "${error.message}" on its \\k<...>`],
        [],
        'value',
      );
    }
    return { value: out, whole: false };
  };
  try {
    return { value: recursiveReplace(content, interpolateString), errors: [] };
  } catch (error) {
    if (error instanceof Stop) return { value: undefined, errors: error.errors };
    throw error;
  }
}

/** A limit of the walk that refuses a file under classic interpolation whatever its inputs. */
export interface ClassicLimit {
  code: 'spec/too-many-nodes' | 'spec/node-too-large';
  message: string;
  /** The string over the size (a key or a value); the content's top for too many nodes. */
  path: PathSegment[];
  at: 'key' | 'value';
}

/**
 * The first of Interpolation::Config's limits `content` passes, or undefined. Both hold before
 * any block is read (nodes are counted, and strings measured, as written), so no input value
 * changes them; text interpolation has neither.
 */
export function classicLimit(content: unknown): ClassicLimit | undefined {
  try {
    recursiveReplace(content, KEPT);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const whatever = 'GitLab refuses the file under classic interpolation, whatever its inputs';
    return error.errors[0] === 'config too large'
      ? {
          code: 'spec/too-many-nodes',
          message:
            `config too large (more than ${MAX_NODES} nodes, as GitLab counts them: ` +
            `each hash, list, item and value, each key twice; ${whatever})`,
          path: [],
          at: 'value',
        }
      : {
          code: 'spec/node-too-large',
          message: `config node too large (this string is over ${MAX_NODE_SIZE} bytes; ${whatever})`,
          path: error.path,
          at: error.at,
        };
  }
}
