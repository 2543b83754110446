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

  it('a pattern or value that can never be a tag is refused now, not in the release pipeline that first applies it', () => {
    const rules = ['semver:{{major}}/{{minor}}', 'schedule:nightly {{year}}', 'raw:-x', 'semver:{{version}}-x', 'raw:$MAYBE'];
    expect(checkBuildInputValues({ 'tag-rules': rules })).toEqual([
      "`tag-rules` input: 'semver:{{major}}/{{minor}}' gives '1/2', which is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*) " +
        '(in a v1.2.3 tag pipeline)',
      "`tag-rules` input: 'schedule:nightly {{year}}' gives 'nightly 2026', which is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*) " +
        '(in a scheduled pipeline)',
      "`tag-rules` input: 'raw:-x' gives '-x', which is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*) (in any pipeline)",
    ]);
  });

  it('takes empty tags only with rules', () => {
    expect(checkBuildInputValues({ tags: [] })).toEqual(['`tags` input: give at least one tag, or tag-rules']);
    expect(checkBuildInputValues({ tags: [], 'tag-rules': ['sha'] })).toEqual([]);
  });

  it('leaves an empty tag out as the job does (GitLab takes it: an array input has no regex), and refuses only a list of nothing else', () => {
    expect(checkBuildInputValues({ tags: ['', 'v1'] })).toEqual([]);
    expect(checkBuildInputValues({ tags: ['', ''] })).toEqual(['`tags` input: give at least one tag, or tag-rules']);
    expect(checkBuildInputValues({ tags: [''], 'tag-rules': [''] })).toEqual(['`tags` input: give at least one tag, or tag-rules']);
    expect(checkBuildInputValues({ tags: [''], 'tag-rules': ['sha'] })).toEqual([]);
  });

  it("refuses buildah-native's empty architectures, which GitLab refuses in the job's parallel:matrix", () => {
    expect(checkBuildInputValues({ tags: ['v1'], architectures: [] })).toEqual([
      '`architectures` input: give at least one architecture (GitLab refuses an empty `parallel:matrix` value)',
    ]);
    expect(checkBuildInputValues({ tags: ['v1'], architectures: ['arm64'] })).toEqual([]);
  });
});
