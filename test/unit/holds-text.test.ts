/**
 * holdsText (src/cli/files.ts), what `cigen build` and `--check` compare each file with: the
 * bytes of the text in UTF-8, exactly, through buffers kept from call to call.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { holdsText } from '../../src/cli/files.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'cigen-holds-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'file');

describe('holdsText', () => {
  it('is true exactly when the file holds the text’s UTF-8 bytes, file after file of any size', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      // Larger than any earlier file, so that the kept buffers grow between calls.
      fc.string({ unit: 'grapheme', minLength: 10_000, maxLength: 90_000 }),
    );
    const bytes = (sample: string) =>
      fc.oneof(
        fc.constant(Buffer.from(sample)),
        fc.uint8Array({ maxLength: 64 }).map((tail) => Buffer.concat([Buffer.from(sample), tail])),
        fc.nat().map((at) => Buffer.from(sample).subarray(0, at % (Buffer.byteLength(sample) + 1))),
        fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => {
          const changed = Buffer.from(sample);
          const index = at % Math.max(changed.length, 1);
          if (changed.length > 0) changed[index] = (changed[index] as number) ^ flip;
          return changed;
        }),
      );
    fc.assert(
      fc.property(
        text.chain((sample) => fc.tuple(fc.constant(sample), bytes(sample))),
        ([sample, content]) => {
          writeFileSync(file, content);
          expect(holdsText(file, sample)).toBe(content.equals(Buffer.from(sample)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is false for a missing file', () => {
    expect(holdsText(join(dir, 'missing'), '')).toBe(false);
  });

  it('compares bytes: a byte that is not UTF-8 is not the U+FFFD it decodes to; a lone surrogate is the bytes it is written as', () => {
    writeFileSync(file, Buffer.from('caf\xe9', 'latin1'));
    expect(holdsText(file, 'caf\ufffd')).toBe(false);
    expect(holdsText(file, 'café')).toBe(false);
    writeFileSync(file, Buffer.from('a\ud800b'));
    expect(readFileSync(file)).toEqual(Buffer.from('a\ufffdb'));
    expect(holdsText(file, 'a\ud800b')).toBe(true);
  });

  it('names the file and the reason it cannot be read, as a usage error', () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(() => holdsText(sub, 'x', 'templates/x.yml')).toThrow(new UsageError('templates/x.yml: cannot read it (it is a directory)'));
    expect(() => holdsText(join(file, 'below'), 'x')).toThrow(
      `${join(file, 'below')}: cannot read it (a part of the path is not a directory)`,
    );
  });
});
