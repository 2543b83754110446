/**
 * promote's `environment` input takes the names GitLab takes, no more and no fewer: GitLab's rule
 * (gitlabhq lib/gitlab/regex.rb, environment_name_regex: `[a-zA-Z0-9_${}. -]` first and last, `/` too
 * between them) and the Environment model's 255 characters at most. And each such name reaches the
 * job as it was given, under both interpolation modes (the template double-quotes it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../src/catalog/promote.js';
import { INTERPOLATION_MODES, instantiate, splitComponentFile } from '../../src/ci/interpolation/index.js';
import { compileRe2 } from '../../src/ci/re2.js';
import { componentText, instantiateComponent } from '../helpers/job.js';

// GitLab's, as its source writes it (Ruby's \A and \z are ^ and $ here: no multiline flag).
const CHARS = 'a-zA-Z0-9_/\\$\\{\\}\\. \\-';
const CHARS_WITHOUT_SLASH = 'a-zA-Z0-9_\\$\\{\\}\\. -';
const GITLAB = new RegExp(`^[${CHARS_WITHOUT_SLASH}]([${CHARS}]*[${CHARS_WITHOUT_SLASH}])?$`);
const gitlabTakes = (name: string) => GITLAB.test(name) && name.length <= 255;
const cigen = new RegExp(ENVIRONMENT);

describe("promote's environment input", () => {
  it.each([
    ['production', true],
    ['review/$CI_COMMIT_REF_SLUG', true],
    ['-prod', true],
    ['{x}', true],
    ['}x', true],
    [' prod', true],
    ['prod ', true],
    ['- a', true],
    ['a//b', true],
    ['-', true],
    ['$', true],
    ['x'.repeat(255), true],
    ['production/', false],
    ['/production', false],
    ['/', false],
    ['', false],
    ['x'.repeat(256), false],
    ['a"b', false],
    ['a\\b', false],
    ['a:b', false],
    ['a#b', false],
    ['a\nb', false],
    ['prod\n', false],
    ['é', false],
  ] as const)('%j: taken %s, as GitLab takes it', (name, taken) => {
    expect(gitlabTakes(name)).toBe(taken);
    expect(cigen.test(name)).toBe(taken);
  });

  it('takes a name exactly when GitLab does', () => {
    const unit = fc.constantFrom('a', 'Z', '0', '_', '$', '{', '}', '.', ' ', '-', '/', ':', '"', '\\', '\n', '#', '*');
    fc.assert(fc.property(fc.string({ unit, maxLength: 12 }), (name) => cigen.test(name) === gitlabTakes(name)));
    fc.assert(
      fc.property(fc.integer({ min: 250, max: 260 }), (length) => cigen.test('e'.repeat(length)) === gitlabTakes('e'.repeat(length))),
    );
  });

  it('compiles in RE2, as GitLab reads the regex: of a spec', () => {
    expect(compileRe2(ENVIRONMENT).ok).toBe(true);
  });

  it.each(INTERPOLATION_MODES)('reaches the job as given, under %s interpolation', (mode) => {
    for (const name of ['-prod', '{x}', '}x', ' prod ', '- a', 'review/${CI_COMMIT_REF_SLUG}', 'a b.c']) {
      expect(instantiateComponent('promote', { environment: name }, mode).job['environment'], name).toBe(name);
    }
    const refused = instantiate(splitComponentFile(componentText('promote')), { environment: 'production/' }, mode);
    expect(refused.errors).toEqual(['`environment` input: provided value does not match required RegEx pattern']);
  });
});
