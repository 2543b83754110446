/** renderScript's tidying of a rendered job script (src/builders/script.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderScript } from '../../src/builders/script.js';

/** The tidying as it is specified: trailing blanks off every line, runs of blank lines made one, one final newline. */
const tidied = (text: string): string =>
  `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n*$/, '')}\n`;

describe('renderScript', () => {
  it('takes trailing spaces and tabs off each line, makes runs of blank lines one, ends with one newline', () => {
    expect(renderScript(() => 'a  \nb\t\n\n\n\nc \t \n\n')).toBe('a\nb\n\nc\n');
    expect(renderScript(() => 'set -eu\n  echo a\n')).toBe('set -eu\n  echo a\n');
    expect(renderScript(() => 'x \n   \n\t\ny')).toBe('x\n\ny\n');
    expect(renderScript(() => 'x ')).toBe('x\n');
  });

  it('tidies any text as specified, whether it holds trailing blanks and blank runs or not', () => {
    const text = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', 'a', 'é', '#') });
    fc.assert(
      fc.property(text, (value) => {
        expect(renderScript(() => value)).toBe(tidied(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a script that GitLab would interpolate', () => {
    expect(() => renderScript(() => 'echo $[[ inputs.x ]]')).toThrow(/must not contain "\$\[\["/);
  });
});
