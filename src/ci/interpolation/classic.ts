/**
 * Classic interpolation (lib/gitlab/ci/config/interpolation/template.rb): walk the parsed YAML;
 * only strings holding `$[[` are touched, keys and values alike. A string that is exactly one
 * block takes the block's typed value; otherwise GitLab replaces the blocks one after another,
 * each with `string.gsub(block, value.to_s)` on what the blocks before it left: Ruby reads
 * backslash sequences in the replacement (`\\` is one backslash, `\&` the block's own text), and a
 * value holding a later block's text is replaced in turn.
 * An array item that turns into an array is spliced into its parent.
 */
import { MAX_BLOCKS, evaluateBlock, findBlocks, type InterpolationContext } from './block.js';
import { RubyReplacementError, rubyGsubString, rubyToS } from './ruby.js';

export const MAX_NODES = 500_000;

export interface Interpolated {
  value: unknown;
  errors: string[];
}

export function interpolateClassic(content: unknown, context: InterpolationContext): Interpolated {
  const errors: string[] = [];
  let nodes = 0;
  let blocks = 0;

  const interpolateString = (text: string): { value: unknown; whole: boolean } => {
    const found = findBlocks(text);
    if (found.length === 0) return { value: text, whole: false };
    blocks += found.length;
    if (blocks > MAX_BLOCKS) return { value: text, whole: false };
    const [first] = found;
    if (found.length === 1 && first && first.start === 0 && first.end === text.length) {
      const result = evaluateBlock(first, context);
      if (!result.ok) errors.push(...result.errors);
      return { value: result.ok ? result.value : text, whole: true };
    }
    const values: string[] = [];
    for (const block of found) {
      const result = evaluateBlock(block, context);
      if (result.ok) values.push(rubyToS(result.value));
      else errors.push(...result.errors);
    }
    if (values.length < found.length) return { value: text, whole: false };
    let out = text;
    try {
      found.forEach((block, index) => {
        out = rubyGsubString(out, block.raw, values[index] as string);
      });
    } catch (error) {
      if (!(error instanceof RubyReplacementError)) throw error;
      errors.push(`a value put inside a string fails GitLab's interpolation: Ruby's gsub raises "${error.message}" on its \\k<...>`);
      return { value: text, whole: false };
    }
    return { value: out, whole: false };
  };

  const walk = (node: unknown): unknown => {
    nodes++;
    if (typeof node === 'string') return interpolateString(node).value;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const item of node) {
        if (typeof item === 'string') {
          const { value, whole } = interpolateString(item);
          if (whole && Array.isArray(value)) out.push(...(value as unknown[]));
          else out.push(value);
        } else {
          out.push(walk(item));
        }
      }
      return out;
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        out[rubyToS(interpolateString(key).value)] = walk(value);
      }
      return out;
    }
    return node;
  };

  const value = walk(content);
  if (nodes > MAX_NODES) return { value: undefined, errors: ['config too large'] };
  if (blocks > MAX_BLOCKS) return { value: undefined, errors: ['too many interpolation blocks'] };
  return { value: errors.length > 0 ? undefined : value, errors };
}
