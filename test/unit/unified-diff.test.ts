/**
 * src/ci/unified-diff.ts: the patch `cigen migrate` (dry run), `cigen init` and the bot print.
 * Small texts give createTwoFilesPatch's patch byte for byte; the patience path (forced here on
 * small texts with whole = 0) may lay hunks out differently only where the diff is ambiguous, and
 * its patch must always apply.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { applyPatch, createTwoFilesPatch, diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRuns, lineRuns, linesOf, unifiedDiff, type LineRun } from '../../src/ci/unified-diff.js';

const reference = (oldPath: string, newPath: string, oldText: string, newText: string, context = 3): string =>
  createTwoFilesPatch(oldPath, newPath, oldText, newText, '', '', { context }).replace(/^=+\n/, '');

/** The patience path, whatever the size. */
const patience = (oldText: string, newText: string, context = 3): string =>
  formatRuns('a/f', 'b/f', lineRuns(oldText, newText, 0), context);

/** Texts of lines drawn from a few, so that lines repeat, with \n or \r\n ends, with or without a last one. */
const lineArb = fc.constantFrom('a', 'b', 'c', 'x: 1', '  - y', '', ' ');
const linesArb = fc.array(lineArb, { maxLength: 14 });
const textOf = (lines: readonly string[], eol: string, last: boolean): string =>
  lines.length === 0 ? '' : lines.join(eol) + (last ? eol : '');

/** A text and a random line edit of it: lines removed, inserted and replaced, its ends changed or not. */
const editArb = fc
  .record({
    lines: linesArb,
    edits: fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.array(lineArb, { maxLength: 3 }) }), {
      maxLength: 4,
    }),
    eol: fc.constantFrom('\n', '\r\n'),
    newEol: fc.constantFrom('\n', '\r\n', 'same'),
    last: fc.boolean(),
    newLast: fc.boolean(),
  })
  .map(({ lines, edits, eol, newEol, last, newLast }) => {
    const edited = [...lines];
    for (const edit of edits) edited.splice(edit.at % (edited.length + 1), edit.remove, ...edit.insert);
    return {
      oldText: textOf(lines, eol, last),
      newText: textOf(edited, newEol === 'same' ? eol : newEol, newLast),
    };
  });

describe('unifiedDiff', () => {
  it('writes the file headers and hunks as createTwoFilesPatch does', () => {
    const oldText = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const newText = 'a\nB\nc\nd\ne\nf\ng\nh\nI\nj\nk';
    const patch = unifiedDiff('a/.gitlab-ci.yml', 'b/.gitlab-ci.yml', oldText, newText);
    expect(patch).toBe(reference('a/.gitlab-ci.yml', 'b/.gitlab-ci.yml', oldText, newText));
    expect(patch.split('\n').slice(0, 3)).toEqual(['--- a/.gitlab-ci.yml', '+++ b/.gitlab-ci.yml', '@@ -1,10 +1,11 @@']);
    expect(patch).toContain('+k\n\\ No newline at end of file\n');
    expect(unifiedDiff('/dev/null', 'b/x.yml', '', 'x: 1\n')).toBe('--- /dev/null\n+++ b/x.yml\n@@ -0,0 +1,1 @@\n+x: 1\n');
    expect(unifiedDiff('a/x', 'b/x', 'same\n', 'same\n')).toBe('--- a/x\n+++ b/x\n');
  });

  it('keeps the Index line and underline for one name, and quotes names as git does', () => {
    for (const [oldPath, newPath] of [
      ['x.yml', 'x.yml'],
      ['a/tab\there', 'b/"quoted"\\'],
      ['a/émoji 🚀.yml', 'b/new\nline'],
    ] as const)
      expect(unifiedDiff(oldPath, newPath, 'a\n', 'b\n')).toBe(reference(oldPath, newPath, 'a\n', 'b\n'));
  });

  it('cuts lines as the diff package does', () => {
    fc.assert(
      fc.property(editArb, ({ oldText }) => {
        const tokens = diffLines(oldText, '').flatMap((c) => (c.removed ? [c.value] : []));
        expect(linesOf(oldText).join('')).toBe(oldText);
        expect(linesOf(oldText).length).toBe(diffLines(oldText, '').reduce((n, c) => n + c.count, 0));
        expect(linesOf(oldText).join('')).toBe(tokens.join(''));
      }),
    );
  });

  it('is createTwoFilesPatch byte for byte on small texts, any context', () => {
    fc.assert(
      fc.property(editArb, fc.nat({ max: 5 }), ({ oldText, newText }, context) => {
        expect(unifiedDiff('a/f', 'b/f', oldText, newText, context)).toBe(reference('a/f', 'b/f', oldText, newText, context));
      }),
      { numRuns: 500 },
    );
  });

  it('patience path: its patch turns the old text into the new one (random line edits, CRLF, missing last newline, empty texts)', () => {
    fc.assert(
      fc.property(editArb, fc.nat({ max: 4 }), ({ oldText, newText }, context) => {
        expect(applyPatch(oldText, patience(oldText, newText, context))).toBe(newText);
        expect(applyPatch(newText, patience(newText, oldText, context))).toBe(oldText);
      }),
      { numRuns: 2000 },
    );
    for (const [oldText, newText] of [
      ['', 'a\nb\n'],
      ['a\nb', ''],
      ['', ''],
      ['a\r\nb\r\n', 'a\nb\n'],
      ['a\nb', 'a\nb\n'],
    ] as const)
      expect(applyPatch(oldText, patience(oldText, newText))).toBe(newText);
  });

  it('patience path: every run of lines accounts for both texts, and kept lines are the same in both', () => {
    fc.assert(
      fc.property(editArb, ({ oldText, newText }) => {
        const runs: LineRun[] = lineRuns(oldText, newText, 0);
        const side = (kind: LineRun['kind']): string =>
          runs
            .filter((r) => r.kind !== kind)
            .flatMap((r) => r.lines)
            .join('');
        expect(side('added')).toBe(oldText);
        expect(side('removed')).toBe(newText);
      }),
      { numRuns: 1000 },
    );
  });

  it('large texts: only the changed jobs in hunks, the patch applies, and moved blocks are kept as anchors allow', () => {
    const job = (i: number, image: string): string => `build-${i}:\n  image: ${image}\n  script:\n    - make\n\n`;
    const oldText = Array.from({ length: 600 }, (_, i) => job(i, 'kaniko')).join('');
    const newText = Array.from({ length: 600 }, (_, i) => job(i, i % 2 ? 'buildah' : 'kaniko')).join('');
    const patch = unifiedDiff('a/f', 'b/f', oldText, newText);
    expect(applyPatch(oldText, patch)).toBe(newText);
    expect(patch).toBe(reference('a/f', 'b/f', oldText, newText));
    expect(patch.match(/^-/gm)?.length).toBe(1 + 300);
    const swapped = newText.replace(job(3, 'buildah'), '').replace(job(10, 'kaniko'), `${job(10, 'kaniko')}${job(3, 'buildah')}`);
    expect(applyPatch(oldText, unifiedDiff('a/f', 'b/f', oldText, swapped))).toBe(swapped);
    expect(applyPatch(swapped, unifiedDiff('a/f', 'b/f', swapped, ''))).toBe('');
  });
});

describe('the golden migrations (test/fixtures/migrate/corpus against test/golden/migrate)', () => {
  const golden = join(import.meta.dirname, '../golden/migrate');
  const corpus = join(import.meta.dirname, '../fixtures/migrate/corpus');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  const pairs = files(golden).map((path) => {
    const name = relative(golden, path);
    return { name, oldText: readFileSync(join(corpus, name), 'utf8'), newText: readFileSync(path, 'utf8') };
  });

  it('pairs every golden file with its corpus file', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(60);
  });

  it.each(pairs)('$name: the same patch as createTwoFilesPatch, on either path', ({ name, oldText, newText }) => {
    const expected = reference(`a/${name}`, `b/${name}`, oldText, newText);
    expect(unifiedDiff(`a/${name}`, `b/${name}`, oldText, newText)).toBe(expected);
    expect(formatRuns(`a/${name}`, `b/${name}`, lineRuns(oldText, newText, 0))).toBe(expected);
  });
});
