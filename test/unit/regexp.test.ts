import fc from 'fast-check';
import { expect, test } from 'vitest';
import { escapeRegExp } from '../../src/ci/regexp.js';
import { wildcardPathPattern } from '../../src/ci/includes.js';
import { matchesPattern } from '../../src/bot/run.js';

test('an escaped text matches exactly itself, with and without the u flag', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme-composite' }), fc.string(), (text, other) => {
      for (const flags of ['', 'u']) {
        const pattern = new RegExp(`^${escapeRegExp(text)}$`, flags);
        expect(pattern.test(text)).toBe(true);
        expect(pattern.test(other)).toBe(other === text);
      }
    }),
  );
});

test('every character with a meaning in a pattern is taken literally', () => {
  const specials = '.*+?^${}()|[]\\';
  expect(new RegExp(`^${escapeRegExp(specials)}$`, 'u').test(specials)).toBe(true);
  expect(new RegExp(escapeRegExp('a.c')).test('abc')).toBe(false);
});

test('the wildcards of the places that use it keep their meaning, and the rest is literal', () => {
  expect(wildcardPathPattern('ci/(x)/*.yml').test('ci/(x)/a.yml')).toBe(true);
  expect(wildcardPathPattern('ci/(x)/*.yml').test('ci/x/a.yml')).toBe(false);
  expect(wildcardPathPattern('ci/a+b/**.yml').test('ci/a+b/c/d.yml')).toBe(true);
  expect(matchesPattern('release/1.x', 'release/*')).toBe(true);
  expect(matchesPattern('release-(1)', 'release-(*)')).toBe(true);
  expect(matchesPattern('releaseX1', 'release.1')).toBe(false);
});
