/** `cigen lint` and `cigen render` check tag rules' syntax before the pipeline runs, in the job's words. */
import { describe, expect, it } from 'vitest';
import { checkBuildInputValues } from '../../src/catalog/values.js';

describe('tag-rules values', () => {
  it('accepts every rule form, and items with references (checked when the job runs)', () => {
    const rules = [
      'ref',
      'sha',
      'semver:{{major}}.{{minor}}',
      'latest',
      'edge',
      'mr',
      'schedule',
      'schedule:n-{{year}}{{month}}',
      'raw:stable',
      '$MORE',
    ];
    expect(checkBuildInputValues({ tags: [], 'tag-rules': rules })).toEqual([]);
  });

  it('names each wrong rule with the reason the job would give', () => {
    expect(checkBuildInputValues({ 'tag-rules': ['branch', 'semver:', 'semver:{{build}}', 'mr:x'] })).toEqual([
      "`tag-rules` input: 'branch' is not a rule (ref, sha, semver:PATTERN, latest, edge, mr, schedule[:PATTERN], raw:VALUE)",
      "`tag-rules` input: 'semver:': semver needs a pattern",
      "`tag-rules` input: 'semver:{{build}}': {{build}} is not a placeholder here ({{version}} {{major}} {{minor}} {{patch}})",
      "`tag-rules` input: 'mr:x': mr takes no pattern",
    ]);
  });

  it('takes empty tags only with rules', () => {
    expect(checkBuildInputValues({ tags: [] })).toEqual(['`tags` input: give at least one tag, or tag-rules']);
    expect(checkBuildInputValues({ tags: [], 'tag-rules': ['sha'] })).toEqual([]);
  });
});
