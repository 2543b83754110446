/**
 * How the catalog's large strings are stored (src/ci/strings.ts). V8 does not say in JavaScript
 * whether a string is stored one byte a character; its serializer does: v8.serialize tags a
 * one-byte string `"` and a two-byte one `c`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/registry.js';
import { componentHeader, renderComponent } from '../../src/catalog/document.js';
import { stringifyYaml } from '../../src/ci/yaml.js';
import { flattened, oneByte } from '../../src/ci/strings.js';

const ROOT = join(import.meta.dirname, '..', '..');
const storedInOneByte = (text: string): boolean => serialize(text)[2] === 0x22;
/** A string made from a two-byte string: stored two-byte whatever it holds. */
const fromTwoByte = (text: string): string => `\u2028${text}`.slice(1);

describe('oneByte', () => {
  it('keeps every string as it is, and stores one byte a character what Latin-1 holds', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) }),
        (any, latin1) => {
          expect(oneByte(any)).toBe(any);
          const made = fromTwoByte(`${latin1}${'x'.repeat(20)}`);
          expect(storedInOneByte(made)).toBe(false);
          expect(oneByte(made)).toBe(made);
          expect(storedInOneByte(oneByte(made))).toBe(true);
        },
      ),
    );
  });
});

describe('flattened', () => {
  it('is the string it is given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (parts) => {
        const text = parts.reduce((whole, part) => whole + part, '');
        expect(flattened(text)).toBe(parts.join(''));
      }),
    );
  });
});

describe('the catalog', () => {
  it('renders each template, its spec header too, one byte a character: the header escapes LS and PS, which its regexes hold', () => {
    for (const component of CATALOG) {
      const header = stringifyYaml(componentHeader(component));
      expect(header, component.name).toMatch(/\\L|\\P/);
      expect(storedInOneByte(header), component.name).toBe(true);
      expect(storedInOneByte(renderComponent(component)), component.name).toBe(true);
    }
  });

  it('templates are printable ASCII: one other character in a script makes its 2 MB of strings two bytes a character', () => {
    for (const name of readdirSync(join(ROOT, 'templates'))) {
      const text = readFileSync(join(ROOT, 'templates', name), 'utf8');
      expect(text.match(/[^\t\n\x20-\x7e].{0,40}/u)?.[0], name).toBeUndefined();
    }
  });
});
