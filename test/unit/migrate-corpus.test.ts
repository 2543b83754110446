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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile, type FileMigration } from '../../src/migrate/index.js';
import { COMPAT_REASONS, REASON_KINDS, type ReasonKind } from '../../src/migrate/notes.js';
import { catalogHost } from '../helpers/lint-host.js';
import {
  DEFAULTS,
  casesIn,
  corpusCounts,
  corpusDir,
  differences,
  expectationOf as expectationIn,
  hostFor,
  migrateCase as migrateIn,
  reported,
  unbraced,
  type Expectation,
} from './migrate-corpus-data.js';

const CORPUS = corpusDir();
const CASES = casesIn(CORPUS);
const expectationOf = (name: string): Expectation => expectationIn(CORPUS, name);
const migrateCase = (name: string): FileMigration[] => migrateIn(CORPUS, name);

describe.each(CASES)('%s', (name) => {
  const dir = join(CORPUS, name);
  const expectation = expectationOf(name);
  const files = migrateCase(name);
  const reports = files.flatMap((f) => f.jobs);

  it('reports every visible job with the expected status, inputs and reasons', () => {
    // Every job that moves says where to: the bench counts buildah and kaniko-compat apart.
    for (const [job, expected] of Object.entries(expectation.jobs))
      if (expected.status === 'migrated') expect(expected.component, `${job}: expect.json names no component`).toBeDefined();
    // ... and what it says about each job: the kinds of its notes.
    for (const [job, expected] of Object.entries(expectation.jobs))
      if (expected.status !== 'unchanged') expect(expected.kinds, `${job}: expect.json names no kinds of notes`).toBeDefined();
    expect(
      reported(reports)
        .map((j) => j.name)
        .sort(),
    ).toEqual(Object.keys(expectation.jobs).sort());
    for (const [job, expected] of Object.entries(expectation.jobs)) {
      const report = reports.find((r) => r.name === job);
      expect(report?.status, `${job}: ${report?.notes.join(' | ')}`).toBe(expected.status);
      if (expected.component) expect(report?.component, job).toMatch(new RegExp(`/${expected.component}@`));
      if (expected.kinds)
        expect([...new Set(report?.kinds)].sort(), `${job}: ${report?.notes.join(' | ')}`).toEqual([...new Set(expected.kinds)].sort());
      // Compared as the component reads them: omitted inputs take their defaults, and
      // ${VAR} and $VAR are the same reference.
      if (expected.inputs) expect(unbraced({ ...DEFAULTS, ...report?.inputs }), job).toMatchObject(unbraced(expected.inputs));
      expect(report?.promote?.kind, `${job}: promote`).toBe(expected.promote);
      if (expected.reason)
        expect([report?.finding ?? '', ...(report?.notes ?? []), report?.promote?.text ?? ''].join('\n').toLowerCase(), job).toContain(
          expected.reason.toLowerCase(),
        );
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

describe('what the bench counts (test/bench/migrate.ts)', () => {
  const counts = corpusCounts(CORPUS);

  it('finds every Kaniko job of the corpus: each moved onto buildah or kaniko-compat, or sent to review', () => {
    const kaniko = CASES.flatMap((name) =>
      reported(migrateCase(name).flatMap((f) => f.jobs)).filter((j) => j.from === 'kaniko' && j.status !== 'unchanged'),
    );
    expect(counts.cases).toBe(CASES.length);
    expect(counts.found).toBe(kaniko.length);
    expect(counts.static + counts.compat + counts.review).toBe(counts.found);
    expect(counts.static).toBe(kaniko.filter((j) => j.status === 'migrated' && /\/buildah@/.test(j.component ?? '')).length);
    expect(counts.compat).toBe(kaniko.filter((j) => j.status === 'migrated' && /\/kaniko-compat@/.test(j.component ?? '')).length);
    expect(counts.review).toBe(kaniko.filter((j) => j.status === 'needs-review').length);
  });

  it('contradicts expect.json nowhere, and migrates at least 80% of the Kaniko jobs', () => {
    expect(counts.wrong).toEqual([]);
    expect((counts.static + counts.compat) / counts.found).toBeGreaterThanOrEqual(0.8);
  });

  it('sends a job to a person only for what a person must decide, and lists every reason', () => {
    const reviewed = new Set(counts.reviews.map((r) => `${r.case}/${r.job}`));
    expect(reviewed.size).toBe(counts.review);
    for (const review of counts.reviews) {
      expect(REASON_KINDS, review.text).toContain(review.kind);
      expect(COMPAT_REASONS.has(review.kind as ReasonKind), `${review.case} ${review.job}: ${review.text}`).toBe(false);
      expect(review.compat).toBe(false);
      expect(review.text.length).toBeGreaterThan(20);
    }
  });

  it('a result that differs from expect.json is counted wrong, saying how', () => {
    const name = '01-gitlab-docs-tag-release';
    const reports = migrateCase(name).flatMap((f) => f.jobs);
    const expectation = expectationOf(name);
    expect([...differences(reports, expectation)]).toEqual([]);
    const changed = (jobs: Expectation['jobs']): string[] => [...differences(reports, { ...expectation, jobs })].flatMap(([, w]) => w);
    const build = expectation.jobs['build'] as Expectation['jobs'][string];
    expect(changed({ ...expectation.jobs, build: { ...build, status: 'needs-review' } })).toEqual([
      'status migrated, expected needs-review',
    ]);
    expect(changed({ ...expectation.jobs, build: { ...build, component: 'kaniko-compat' } })).toEqual([
      expect.stringMatching(/^component .*\/buildah@1, expected kaniko-compat$/),
    ]);
    expect(changed({ ...expectation.jobs, build: { ...build, inputs: { ...build.inputs, tags: ['latest'] } } })).toEqual([
      'input tags: ["$CI_COMMIT_TAG"], expected ["latest"]',
    ]);
    expect(changed({ ...expectation.jobs, build: { ...build, inputs: { context: 'sub' } } })).toEqual([
      'input context: ".", expected "sub"',
    ]);
    expect(changed({ ...expectation.jobs, build: { ...build, kinds: ['cache-off', 'compat'] } })).toEqual(['no compat note']);
    expect(changed({ ...expectation.jobs, build: { ...build, kinds: [] } })).toEqual(['a cache-off note, not expected']);
    expect(changed({ ...expectation.jobs, build: { ...build, reason: 'no such words' } })).toEqual(['notes do not say "no such words"']);
    expect(changed({ ...expectation.jobs, other: { status: 'migrated' } })).toEqual(['expected, not reported']);
    const { build: _dropped, ...rest } = expectation.jobs;
    expect(changed(rest)).toEqual(['reported (migrated), not expected']);
    // Inputs the translation leaves out are compared with the component's defaults.
    expect(changed({ ...expectation.jobs, build: { ...build, inputs: { push: DEFAULTS['push'] } } })).toEqual([]);
    expect(unbraced({ a: '${X}' })).toEqual({ a: '$X' });
  });
});
