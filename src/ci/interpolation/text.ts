/**
 * Text interpolation (GitLab's `ci_text_interpolation`, lib/gitlab/ci/config/interpolation/
 * text_template.rb): every block is replaced in the raw text before YAML parsing, a string as
 * it is, any other value as JSON. The YAML is parsed afterwards, so a value can reshape it.
 * As in classic interpolation, GitLab stops at the first block that fails (it breaks out of its
 * gsub), and counts blocks by their distinct text.
 */
import { MAX_BLOCKS, evaluateBlock, findBlocks, type Evaluation, type InterpolationContext } from './block.js';
import { rubyJson } from './ruby.js';

export interface TextInterpolated {
  text: string | undefined;
  errors: string[];
}

export function interpolateText(content: string, context: InterpolationContext): TextInterpolated {
  const evaluated = new Map<string, Evaluation>();
  let out = '';
  let last = 0;
  for (const block of findBlocks(content)) {
    let result = evaluated.get(block.raw);
    if (!result) {
      result = evaluateBlock(block, context);
      evaluated.set(block.raw, result);
    }
    const failed = result.ok ? [] : result.errors;
    if (evaluated.size > MAX_BLOCKS) return { text: undefined, errors: ['too many interpolation blocks', ...failed] };
    if (!result.ok) return { text: undefined, errors: failed };
    out += content.slice(last, block.start) + (typeof result.value === 'string' ? result.value : rubyJson(result.value));
    last = block.end;
  }
  return { text: out + content.slice(last), errors: [] };
}
