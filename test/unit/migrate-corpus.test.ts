/**
 * The migration corpus: Kaniko pipelines written after patterns seen in public pipelines
 * (test/fixtures/migrate/corpus/<case>/; the README there says which pattern each case stands
 * for), with expectations written from the translation contract, not from the engine. Each case
 * checks every job's status, where it moved (the buildah component, or kaniko-compat), its inputs,
 * the kinds of its notes and review reasons, the golden result of every file
 * (test/golden/migrate/<case>/; update deliberately with `npx vitest run -u` and review the
 * diff), that every result lints clean with `cigen lint` (the include's inputs checked against
 * the component's spec), and that migrating the result changes nothing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { componentHeader } from '../../src/catalog/document.js';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile, type FileMigration } from '../../src/migrate/index.js';
import { catalogHost } from '../helpers/lint-host.js';

const CORPUS = resolve(import.meta.dirname, '../fixtures/migrate/corpus');
export const CASES = readdirSync(CORPUS)
  .filter((name) => existsSync(join(CORPUS, name, 'expect.json')))
  .sort();

export interface Expectation {
  description: string;
  jobs: Record<
    string,
    {
      status: string;
      /** Where a migrated job goes: the buildah component, or kaniko-compat. */
      component?: 'buildah' | 'kaniko-compat';
      inputs?: Record<string, unknown>;
      /** A text the notes hold. */
      reason?: string;
      /** Kinds the job's notes and reasons hold (src/migrate/notes.ts). */
      kinds?: string[];
    }
  >;
  keep?: string[];
  /** Options migrate runs with (`--builder-image`). */
  options?: { builderImages?: string[] };
  /** A template library: only hidden jobs, linted as the fragment other projects include. */
  library?: boolean;
}

export const expectationOf = (name: string): Expectation =>
  JSON.parse(readFileSync(join(CORPUS, name, 'expect.json'), 'utf8')) as Expectation;

/** The jobs a case reports: every visible one, and hidden templates that moved or need a person. */
export const reported = (reports: readonly { name: string; status: string }[]) =>
  reports.filter((j) => !j.name.startsWith('.') || j.status !== 'unchanged');

const unbraced = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1'));
const DEFAULTS = Object.fromEntries(
  Object.entries(componentHeader(findComponent('buildah') as ComponentDefinition).spec.inputs).map(([name, spec]) => [
    name,
    (spec as { default?: unknown }).default,
  ]),
);

/** The case directory as a project, with some files replaced (by a migration's results). */
const hostFor = (dir: string, replaced: Record<string, string> = {}) => ({
  readProjectFile: (path: string) => replaced[path] ?? (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined),
});

export function migrateCase(name: string): FileMigration[] {
  const dir = join(CORPUS, name);
  const options = expectationOf(name).options ?? {};
  return migrateFile('.gitlab-ci.yml', readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'), { host: hostFor(dir), ...options });
}

describe.each(CASES)('%s', (name) => {
  const dir = join(CORPUS, name);
  const expectation = expectationOf(name);
  const files = migrateCase(name);
  const reports = files.flatMap((f) => f.jobs);

  it('reports every visible job with the expected status, inputs and reasons', () => {
    expect(
      reported(reports)
        .map((j) => j.name)
        .sort(),
    ).toEqual(Object.keys(expectation.jobs).sort());
    for (const [job, expected] of Object.entries(expectation.jobs)) {
      const report = reports.find((r) => r.name === job);
      expect(report?.status, `${job}: ${report?.notes.join(' | ')}`).toBe(expected.status);
      if (expected.component) expect(report?.component, job).toMatch(new RegExp(`/${expected.component}@`));
      for (const kind of expected.kinds ?? []) expect(report?.kinds, `${job}: ${report?.notes.join(' | ')}`).toContain(kind);
      // Compared as the component reads them: omitted inputs take their defaults, and
      // ${VAR} and $VAR are the same reference.
      if (expected.inputs) expect(unbraced({ ...DEFAULTS, ...report?.inputs }), job).toMatchObject(unbraced(expected.inputs));
      if (expected.reason)
        expect([report?.finding ?? '', ...(report?.notes ?? [])].join('\n').toLowerCase(), job).toContain(expected.reason.toLowerCase());
    }
  });

  it('keeps what must survive and matches its golden files', async () => {
    const root = files[0] as FileMigration;
    for (const text of expectation.keep ?? []) expect(root.result).toContain(text);
    for (const file of files) await expect(file.result).toMatchFileSnapshot(`../golden/migrate/${name}/${file.path}`);
  });

  it('lints clean and migrates to itself', async () => {
    const results = Object.fromEntries(files.map((f) => [f.path, f.result]));
    for (const file of files.filter((f) => f.changed)) {
      const diagnostics = await lintText(file.result, {
        file: file.path,
        host: catalogHost((path) => hostFor(dir, results).readProjectFile(path)),
        ...(expectation.library ? { pipeline: false } : {}),
      });
      expect(
        diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`),
      ).toEqual([]);
    }
    const again = migrateFile('.gitlab-ci.yml', results['.gitlab-ci.yml'] as string, {
      host: hostFor(dir, results),
      ...expectation.options,
    });
    expect(again.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  });
});

it('the corpus has at least 60 cases, each named in the README with the pattern it stands for', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(60);
  const readme = readFileSync(join(CORPUS, '..', 'README.md'), 'utf8');
  for (const name of CASES) expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` \\| .{20,}`, 'm'));
});
