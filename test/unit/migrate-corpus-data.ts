/**
 * The migration corpus as data, for its test (test/unit/migrate-corpus.test.ts) and its bench
 * (test/bench/migrate.ts): the cases, their expectations (expect.json), the migration of a case,
 * how a job's result differs from what expect.json says, and the counts the bench prints —
 * Kaniko jobs found, moved onto buildah, moved onto kaniko-compat, sent to review, and the jobs
 * whose result contradicts expect.json (wrong), each computed from the engine's reports.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { componentHeader } from '../../src/catalog/document.js';
import { migrateFile, type FileMigration, type JobReport } from '../../src/migrate/index.js';
import { COMPAT_REASONS, type ReasonKind } from '../../src/migrate/notes.js';

/** The corpus directory (tests find it from this file); a bundled caller (the bench) names it from the repository root. */
export const corpusDir = (root?: string): string =>
  root === undefined ? resolve(import.meta.dirname, '../fixtures/migrate/corpus') : join(root, 'test/fixtures/migrate/corpus');

/** The cases: directories with an expect.json. */
export const casesIn = (corpus: string): string[] =>
  readdirSync(corpus)
    .filter((name) => existsSync(join(corpus, name, 'expect.json')))
    .sort();

export interface ExpectedJob {
  status: string;
  /** Where a migrated job goes: the buildah component, or kaniko-compat. */
  component?: 'buildah' | 'kaniko-compat';
  inputs?: Record<string, unknown>;
  /** A text the notes (or the finding, or the promote text) hold. */
  reason?: string;
  /** The kinds of the job's notes and reasons, each once (src/migrate/notes.ts): no more, no fewer. */
  kinds?: string[];
  /** The job re-tags an image, the promote component's case (src/migrate/retag.ts); absent: it does not. */
  promote?: string;
}

export interface Expectation {
  description: string;
  jobs: Record<string, ExpectedJob>;
  keep?: string[];
  /** Options migrate runs with (`--builder-image`). */
  options?: { builderImages?: string[] };
  /** A template library: only hidden jobs, linted as the fragment other projects include. */
  library?: boolean;
}

export const expectationOf = (corpus: string, name: string): Expectation =>
  JSON.parse(readFileSync(join(corpus, name, 'expect.json'), 'utf8')) as Expectation;

/** The jobs a case reports: every visible one, and hidden templates that moved or need a person. */
export const reported = <T extends { name: string; status: string }>(reports: readonly T[]): T[] =>
  reports.filter((j) => !j.name.startsWith('.') || j.status !== 'unchanged');

/** `${VAR}` and `$VAR` are the same reference. */
export const unbraced = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1'));

/** The buildah component's defaults: an input the translation omits takes its default. */
export const DEFAULTS: Record<string, unknown> = Object.fromEntries(
  Object.entries(componentHeader(findComponent('buildah') as ComponentDefinition).spec.inputs).map(([name, spec]) => [
    name,
    (spec as { default?: unknown }).default,
  ]),
);

/** The case directory as a project, with some files replaced (by a migration's results). */
export const hostFor = (dir: string, replaced: Record<string, string> = {}) => ({
  readProjectFile: (path: string) => replaced[path] ?? (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined),
  projectFileExists: (path: string) => path in replaced || existsSync(join(dir, path)),
});

export function migrateCase(corpus: string, name: string, expectation: Expectation = expectationOf(corpus, name)): FileMigration[] {
  const dir = join(corpus, name);
  return migrateFile('.gitlab-ci.yml', readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'), {
    host: hostFor(dir),
    ...(expectation.options ?? {}),
  });
}

/** Whether `actual` holds everything `expected` holds (objects: those keys; arrays and scalars: equal). */
function holds(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected))
    return (
      actual !== null &&
      typeof actual === 'object' &&
      !Array.isArray(actual) &&
      Object.entries(expected).every(([key, value]) => holds((actual as Record<string, unknown>)[key], value))
    );
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/**
 * How a case's reports contradict its expect.json, one line per job and point: a job reported
 * that is not expected or the other way round, another status, another component, a kind of note
 * or reason missing or not expected, an input of another value, a text the notes do not hold. Empty: as expected.
 */
export function differences(reports: readonly JobReport[], expectation: Expectation): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (job: string, what: string) => found.set(job, [...(found.get(job) ?? []), what]);
  const shown = reported(reports);
  for (const report of shown) if (!(report.name in expectation.jobs)) add(report.name, `reported (${report.status}), not expected`);
  for (const [job, expected] of Object.entries(expectation.jobs)) {
    const report = shown.find((r) => r.name === job);
    if (!report) {
      add(job, 'expected, not reported');
      continue;
    }
    if (report.status !== expected.status) add(job, `status ${report.status}, expected ${expected.status}`);
    if (expected.component && !new RegExp(`/${expected.component}@`).test(report.component ?? ''))
      add(job, `component ${report.component ?? 'none'}, expected ${expected.component}`);
    for (const kind of expected.kinds ?? []) if (!report.kinds.includes(kind)) add(job, `no ${kind} note`);
    if (expected.kinds)
      for (const kind of new Set(report.kinds)) if (!expected.kinds.includes(kind)) add(job, `a ${kind} note, not expected`);
    if (expected.inputs) {
      const actual = unbraced({ ...DEFAULTS, ...report.inputs });
      for (const [input, value] of Object.entries(unbraced(expected.inputs)))
        if (!holds(actual[input], value)) add(job, `input ${input}: ${JSON.stringify(actual[input])}, expected ${JSON.stringify(value)}`);
    }
    if ((report.promote?.kind ?? undefined) !== expected.promote)
      add(job, `promote ${report.promote?.kind ?? 'none'}, expected ${expected.promote ?? 'none'}`);
    if (expected.reason) {
      const text = [report.finding ?? '', ...report.notes, report.promote?.text ?? ''].join('\n').toLowerCase();
      if (!text.includes(expected.reason.toLowerCase())) add(job, `notes do not say "${expected.reason}"`);
    }
  }
  return found;
}

export interface ReviewReason {
  case: string;
  job: string;
  kind: string;
  text: string;
  /** kaniko-compat would have resolved it: then it should not have gone to a person. */
  compat: boolean;
}

export interface CorpusCounts {
  cases: number;
  /** Kaniko jobs (templates converted or in review included) the engine found. */
  found: number;
  /** Moved onto the buildah component. */
  static: number;
  /** Moved onto kaniko-compat. */
  compat: number;
  /** Sent to a person. */
  review: number;
  /** Docker daemon builds (privileged dind, docker.sock), outside the Kaniko counts. */
  docker: { found: number; migrated: number; review: number };
  /** Jobs whose result contradicts expect.json, with how. */
  wrong: { case: string; job: string; what: string[] }[];
  /** Every reason a job was sent to a person, as the report gives it. */
  reviews: ReviewReason[];
}

/** The corpus migrated, counted from the engine's reports and compared with expect.json. */
export function corpusCounts(corpus: string): CorpusCounts {
  const cases = casesIn(corpus);
  const counts: CorpusCounts = {
    cases: cases.length,
    found: 0,
    static: 0,
    compat: 0,
    review: 0,
    docker: { found: 0, migrated: 0, review: 0 },
    wrong: [],
    reviews: [],
  };
  for (const name of cases) {
    const expectation = expectationOf(corpus, name);
    const reports = migrateCase(corpus, name, expectation).flatMap((f) => f.jobs);
    for (const [job, what] of differences(reports, expectation)) counts.wrong.push({ case: name, job, what });
    for (const report of reported(reports)) {
      if (report.status === 'unchanged' || !report.from) continue;
      if (report.from === 'docker') {
        counts.docker.found++;
        counts.docker[report.status === 'migrated' ? 'migrated' : 'review']++;
        continue;
      }
      counts.found++;
      if (report.status === 'needs-review') {
        counts.review++;
        report.notes.forEach((text, i) => {
          const kind = report.kinds[i] ?? '';
          counts.reviews.push({ case: name, job: report.name, kind, text, compat: COMPAT_REASONS.has(kind as ReasonKind) });
        });
      } else if (/\/kaniko-compat@/.test(report.component ?? '')) counts.compat++;
      else counts.static++;
    }
  }
  return counts;
}
