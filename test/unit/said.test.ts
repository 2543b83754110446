/**
 * Words a job and cigen both say, written once (src/builders/said.ts): every copy of them, the
 * generated ones and the hand-written docs, says the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KANIKO_FLAGS } from '../../src/builders/kaniko-flags.js';
import { OCI_DROPPED, OCI_DROPPED_WORDS } from '../../src/builders/said.js';
import { CATALOG } from '../../src/catalog/registry.js';

const ROOT = join(import.meta.dirname, '../..');

describe('what the OCI format drops (OCI_DROPPED, as Buildah drops it: test/e2e/format.e2e.test.ts)', () => {
  it('is what every format input says', () => {
    const formats = CATALOG.flatMap((component) => {
      const format = component.inputs['format'];
      return format ? [[component.name, format.description] as const] : [];
    });
    expect(formats.map(([name]) => name).sort()).toEqual(['buildah', 'buildah-native', 'buildah-rootless', 'kaniko-compat']);
    for (const [name, description] of formats) expect(description, name).toContain(`keeps ${OCI_DROPPED_WORDS}`);
  });

  it("is what migrate's note on --annotation says, and docs/commands/migrate.md", () => {
    expect(JSON.stringify(KANIKO_FLAGS['annotation'])).toContain(`the OCI format drops ${OCI_DROPPED_WORDS}`);
    const row = readFileSync(join(ROOT, 'docs/commands/migrate.md'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| (every build) | `format: docker`'));
    expect(row).toContain(
      `Kaniko keeps ${OCI_DROPPED.map((word) => `\`${word}\``)
        .join(', ')
        .replace(/, (?=[^,]*$)/, ' and ')}`,
    );
  });
});
