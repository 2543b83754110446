/** RE2 (GitLab's spec:inputs regex) to JavaScript: RE2's verdict on every pattern, or an honest 'unchecked'. */
import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../../src/ci/re2.js';

/** What GitLab's RE2 says of `value` against `regex`, as cigen reproduces it. */
function verdict(regex: string, value: string): string {
  const compiled = compileRe2(regex);
  if (!compiled.ok) return compiled.unsupported ? 'unchecked' : `invalid: ${compiled.error}`;
  return compiled.regex.test(value) ? 'match' : 'no match';
}

const table = (rows: [string, string, string][]) => {
  for (const [regex, value, expected] of rows) expect(verdict(regex, value), `${regex} against ${JSON.stringify(value)}`).toBe(expected);
};

describe('RE2 patterns (doc/syntax.txt, re2/parse.cc)', () => {
  it('match code points, not UTF-16 units: ., [^a], counted repeats, ranges beyond the BMP', () => {
    table([
      ['^.$', '😀', 'match'],
      ['^.{1,3}$', '😀😀', 'match'],
      ['^[^a]$', '😀', 'match'],
      ['^[😀-😂]$', '😁', 'match'],
      ['^\\x{1F600}$', '😀', 'match'],
      ['^..$', '😀', 'no match'],
    ]);
  });
  it('Perl classes are ASCII: \\s is [\\t\\n\\f\\r ] (no \\v, no NBSP), \\w and \\d ASCII', () => {
    table([
      ['^\\S+$', 'a\u00a0b', 'match'],
      ['^\\s$', '\u000b', 'no match'],
      ['^[\\s]$', '\u00a0', 'no match'],
      ['^[^\\S]$', '\f', 'match'],
      ['^\\w+$', 'é', 'no match'],
      ['^\\d$', '٣', 'no match'],
      ['^[[:space:]]$', '\u000b', 'match'],
      ['^[[:^alpha:]]+$', '1-é', 'match'],
    ]);
  });
  it('Unicode classes: \\pL inside brackets, scripts by RE2 name, RE2 C without unassigned code points', () => {
    table([
      ['^[\\pL]+$', 'é', 'match'],
      ['^[\\pL]+$', 'p', 'match'],
      ['^[\\pL]+$', '1', 'no match'],
      ['^\\p{Greek}+$', 'αβ', 'match'],
      ['^\\P{Greek}$', 'α', 'no match'],
      ['^\\p{^Greek}$', 'a', 'match'],
      ['^[^\\p{Greek}]$', 'α', 'no match'],
      ['^\\p{C}$', '\u0378', 'no match'],
      ['^\\p{Any}$', '😀', 'match'],
    ]);
    // RE2 knows no aliases and no JavaScript property syntax.
    table([
      ['^\\p{Grek}$', 'α', 'invalid: invalid character class range: \\p{Grek}'],
      ['^\\p{Script=Greek}$', 'α', 'invalid: invalid character class range: \\p{Script=Greek}'],
      ['^\\p{Letter}$', 'a', 'invalid: invalid character class range: \\p{Letter}'],
      ['^\\pX$', 'a', 'invalid: invalid character class range: \\pX'],
    ]);
  });
  it('escapes: \\x{..}, octal \\101, \\0; escaped punctuation; what RE2 refuses is invalid', () => {
    table([
      ['^[\\x{41}-\\x{5A}]+$', 'ABC', 'match'],
      ['^\\101$', 'A', 'match'],
      ['^\\0$', '\0', 'match'],
      ['^\\_\\-\\ $', '_- ', 'match'],
      ['^\\x41$', 'A', 'match'],
    ]);
    for (const escape of ['\\e', '\\k', '\\R', '\\X', '\\G', '\\h', '\\c', '\\8', '\\g', '\\N', '\\K', '\\L', '\\u', '\\é'])
      expect(verdict(`^${escape}<x>$`, 'x'), escape).toBe(`invalid: invalid escape sequence: ${escape}`);
    table([
      ['^\\1$', '1', 'invalid: backreferences are not supported by RE2: \\1'],
      ['^\\x{110000}$', '', 'invalid: invalid escape sequence: \\x{110000}'],
      ['^\\x4$', '', 'invalid: invalid escape sequence: \\x4$'],
      ['^[a-\\d]$', 'a', 'invalid: invalid escape sequence: \\d'],
      ['^[z-a]$', 'a', 'invalid: invalid character class range: z-a'],
      ['^[[:foo:]]$', 'a', 'invalid: invalid character class range: [:foo:]'],
      ['^a\\Eb$', 'ab', 'invalid: invalid escape sequence: \\E'],
    ]);
  });
  it('named groups: any RE2 name (JavaScript refuses 1a), duplicates refused', () => {
    table([
      ['^(?P<1a>x)$', 'x', 'match'],
      ['^(?P<a>x)(?P<b>y)$', 'xy', 'match'],
      ['^(?P<a>x)(?P<a>y)$', 'xy', 'invalid: duplicate capture group name: a'],
      ['^(?P<a-b>x)$', 'x', 'invalid: invalid named capture group: (?P<a-b>'],
      ['^(?P=a)$', 'x', 'invalid: invalid or unsupported Perl syntax: (?P=a)'],
    ]);
  });
  it('repetition as RE2 reads it: {01} and {,2} are literal text, a quantifier may follow ^', () => {
    table([
      ['^a{01}$', 'a{01}', 'match'],
      ['^a{,2}$', 'a{,2}', 'match'],
      ['^a{1001}$', 'a', 'invalid: bad repetition operator: {1001}'],
      ['^a{2,1}$', 'a', 'invalid: bad repetition operator: {2,1}'],
      ['^*a$', 'a', 'match'],
    ]);
    // RE2 refuses nested counted repetitions whose counts multiply past 1000.
    table([
      ['^(a{10}){100}$', 'a', 'no match'],
      ['^(a{100}){100}$', 'a', 'invalid: bad repetition operator: {100}'],
      ['^(?:a{10}|b){101}$', 'b', 'invalid: bad repetition operator: {101}'],
      ['^(a{2,}){501}$', 'a', 'invalid: bad repetition operator: {501}'],
      ['^a{10}(b){101}$', 'a', 'no match'],
    ]);
  });
  it('(?i) folds as RE2 does (Unicode simple folding), and \\b stays ASCII under it', () => {
    table([
      ['(?i)^k$', '\u212a', 'match'],
      ['^(?i:k)$', '\u212a', 'match'],
      ['(?i)^\\w$', 'ſ', 'match'],
      ['^(?i:\\w)$', 'ſ', 'match'],
      ['(?i)^\\W$', 'ſ', 'no match'],
      ['(?i)^[[:^alpha:]]$', 'ſ', 'no match'],
      ['(?i)^[[:upper:]]$', 'a', 'match'],
      ['(?i)^\\P{Lu}$', 'a', 'no match'],
      ['(?i)^é$', 'É', 'match'],
      // A (?i) after ^ covers the whole pattern too; a negated Unicode class in brackets excludes the folded class.
      ['^(?i)é$', 'É', 'match'],
      ['^(?i)[a-z]+$', 'ABC', 'match'],
      ['(?i)^[\\P{Ll}]$', 'A', 'no match'],
      ['(?i)^[\\P{Ll}]$', '1', 'match'],
      ['(?i)^[^\\P{Ll}]$', 'A', 'match'],
      ['(?i)^[^\\P{Ll}]$', '1', 'no match'],
      // RE2's \b: ſ is no word character, so there is a boundary between s and ſ.
      ['(?i)^s\\b', 'sſ', 'match'],
      ['(?i)^\\bFOO\\b$', 'foo', 'match'],
    ]);
  });
  it('a repetition after a (?flags) group repeats what came before it, even a repetition', () => {
    table([
      ['^a*(?i)+$', 'aa', 'match'],
      ['^ab(?i)*$', 'abbb', 'match'],
      ['^ab(?i)*$', 'abab', 'no match'],
      ['^a**$', 'a', 'invalid: Nothing to repeat'],
    ]);
  });
  it('what RE2 takes and JavaScript cannot match exactly is unchecked, never invalid', () => {
    table([
      ['^(?i:é)$', 'É', 'unchecked'],
      ['^\\C$', 'a', 'unchecked'],
      ['^\\p{Garay}$', 'a', 'unchecked'],
      ['^(?P<ä>x)$', 'x', 'unchecked'],
    ]);
    // ... but a pattern RE2 refuses is invalid, whatever it holds before the fault.
    table([
      ['^(?i:é$', 'É', 'invalid: Unterminated group'],
      ['^\\C\\e$', 'a', 'invalid: invalid escape sequence: \\e'],
      ['^(?i:\\p{Bogus})$', 'a', 'invalid: invalid character class range: \\p{Bogus}'],
    ]);
  });
});
