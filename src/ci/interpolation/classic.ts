/**
 * Classic interpolation (lib/gitlab/ci/config/interpolation/template.rb): walk the parsed YAML;
 * only strings holding `$[[` are touched, keys and values alike. A string that is exactly one
 * block takes the block's typed value; otherwise each block becomes `to_s` inside the string.
 * An array item that turns into an array is spliced into its parent.
 */
import { MAX_BLOCKS, evaluateBlock, findBlocks, type InterpolationContext } from './block.js';
import { rubyToS } from './ruby.js';

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
      if (!result.ok) errors.push(result.error);
      return { value: result.ok ? result.value : text, whole: true };
    }
    let out = '';
    let last = 0;
    for (const block of found) {
      const result = evaluateBlock(block, context);
      if (!result.ok) errors.push(result.error);
      out += text.slice(last, block.start) + (result.ok ? rubyToS(result.value) : block.raw);
      last = block.end;
    }
    return { value: out + text.slice(last), whole: false };
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
