/**
 * The validator generated from GitLab's ci.json (src/tooling/bundle.mjs): its errors carry what
 * src/ci/schema.ts reads (instancePath, keyword, params, message) and not ajv's schemaPath, which
 * nothing reads and which the build drops from the code every lint compiles.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateSchema } from '../../src/ci/schema.js';

const validatorFile = join(import.meta.dirname, '../../src/ci/schema/validate.generated.mjs');
const { default: validate } = (await import(validatorFile)) as {
  default: ((value: unknown) => boolean) & { errors?: Record<string, unknown>[] | null };
};

describe('the generated schema validator', () => {
  it('holds no schemaPath', () => {
    expect(readFileSync(validatorFile, 'utf8')).not.toContain('schemaPath');
  });

  it('gives each error its place in the pipeline, keyword, params and message', () => {
    expect(validate({ build: { scirpt: ['make'], image: 5, timeout: [] } })).toBe(false);
    const errors = validate.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(Object.keys(error).sort()).toEqual(['instancePath', 'keyword', 'message', 'params']);
      expect(error['instancePath']).toMatch(/^\/build/);
    }
    expect(errors).toContainEqual(
      expect.objectContaining({ instancePath: '/build', keyword: 'additionalProperties', params: { additionalProperty: 'scirpt' } }),
    );
  });

  it('findings as cigen words them', async () => {
    const { findings } = await validateSchema({ build: { scirpt: ['make'], image: 5 } });
    expect(findings.map((f) => [f.code, f.message])).toEqual([
      ['schema/unknown-key', 'jobs:build config contains unknown keys: scirpt (did you mean script?)'],
      ['schema/type', 'jobs:build:image config should be a string or a hash'],
    ]);
  });
});
