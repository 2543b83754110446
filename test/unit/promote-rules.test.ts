/**
 * promote's default `rules` put the job in a pipeline exactly where its default `tag-rules` give a
 * tag: a version tag's. In a tag pipeline of another tag (`deploy-2026-12`) the job would stop with
 * "no tag to push", and every such pipeline would fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTags, type PipelineVariables } from '../../src/builders/tag-rules.js';
import { PROMOTE_INPUTS } from '../../src/catalog/promote.js';
import { expressionProblem } from '../../src/ci/expression.js';
import { compileRe2 } from '../../src/ci/re2.js';

const rules = PROMOTE_INPUTS['rules']?.default as { if: string }[];
const tagRules = PROMOTE_INPUTS['tag-rules']?.default as string[];

/** The pipeline of a tag, or of the default branch (undefined), as the runner gives it. */
const pipeline = (tag: string | undefined): PipelineVariables =>
  tag === undefined
    ? { CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHORT_SHA: '0123abcd' }
    : { CI_COMMIT_TAG: tag, CI_COMMIT_REF_SLUG: tag.toLowerCase().replace(/[^a-z0-9]/g, '-'), CI_COMMIT_SHORT_SHA: '0123abcd' };

/** Whether a rule's `if:` holds there: `$CI_COMMIT_TAG`, or `$CI_COMMIT_TAG =~ /PATTERN/` (an unset variable matches nothing). */
function runs(tag: string | undefined): boolean {
  return rules.some(({ if: condition }) => {
    if (condition === '$CI_COMMIT_TAG') return Boolean(tag);
    const match = /^\$CI_COMMIT_TAG =~ \/(.*)\/$/.exec(condition);
    if (!match) throw new Error(`a condition this test does not read: ${condition}`);
    return tag !== undefined && new RegExp(match[1] as string).test(tag);
  });
}
const givesTags = (tag: string | undefined): boolean => resolveTags([], tagRules, pipeline(tag)).tags.length > 0;

describe("promote's default rules", () => {
  it('are one expression GitLab takes, its pattern valid in RE2', () => {
    expect(rules).toHaveLength(1);
    const condition = rules[0]?.if as string;
    expect(expressionProblem(condition)).toBeUndefined();
    expect(compileRe2(/\/(.*)\//.exec(condition)?.[1] as string).ok).toBe(true);
  });

  it.each([
    ['v1.2.3', true],
    ['1.2.3', true],
    ['v1.3.0-rc.1', true],
    ['v2.0.0+build.7', true],
    ['deploy-2026-12', false],
    ['release-1.2.3', false],
    ['v1.2', false],
    ['v01.2.3', false],
    ['v1.2.3.4', false],
    ['latest', false],
    [undefined, false],
  ] as const)('run in the pipeline of %s: %s, where the default tag-rules give a tag', (tag, expected) => {
    expect(givesTags(tag)).toBe(expected);
    expect(runs(tag)).toBe(expected);
  });

  it('run in a tag pipeline if and only if the default tag-rules give it a tag', () => {
    const tag = fc.string({ unit: fc.constantFrom('v', '0', '1', '2', '9', '.', '-', '+', 'r', 'c', 'A'), maxLength: 14 });
    fc.assert(fc.property(tag, (value) => runs(value) === givesTags(value)));
  });
});
