/**
 * Text interpolation (GitLab's `ci_text_interpolation`, lib/gitlab/ci/config/interpolation/
 * text_template.rb): every block is replaced in the raw text before YAML parsing, a string as
 * it is, any other value as JSON. The YAML is parsed afterwards, so a value can reshape it.
 */
import { MAX_BLOCKS, evaluateBlock, findBlocks, type InterpolationContext } from './block.js';
import { rubyJson } from './ruby.js';

export interface TextInterpolated {
  text: string | undefined;
  errors: string[];
}

export function interpolateText(content: string, context: InterpolationContext): TextInterpolated {
  const blocks = findBlocks(content);
  if (blocks.length > MAX_BLOCKS) return { text: undefined, errors: ['too many interpolation blocks'] };
  const errors: string[] = [];
  let out = '';
  let last = 0;
  for (const block of blocks) {
    const result = evaluateBlock(block, context);
    if (!result.ok) errors.push(...result.errors);
    const replacement = result.ok ? (typeof result.value === 'string' ? result.value : rubyJson(result.value)) : block.raw;
    out += content.slice(last, block.start) + replacement;
    last = block.end;
  }
  out += content.slice(last);
  return { text: errors.length > 0 ? undefined : out, errors };
}
