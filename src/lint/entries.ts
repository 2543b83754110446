/**
 * Rules of GitLab's entries (lib/gitlab/ci/config/entry) that its ci.json does not express,
 * checked on a job as GitLab reads it (`extends` merged, `!reference` tags resolved), in GitLab's
 * words. Each finding names the path, within the job, of what it is about.
 */
import type { PathSegment } from '../ci/diagnostics.js';
import { isHash } from '../ci/merge.js';
import { describePath } from '../ci/schema.js';

export interface EntryFinding {
  /** Within the job (or the global keyword) checked. */
  path: PathSegment[];
  code: string;
  message: string;
}

/** Product::Parallel::PARALLEL_LIMIT. */
export const PARALLEL_LIMIT = 200;

/** AlphanumericValidator: what a matrix value may be (a String, a Symbol, an Integer). */
const alphanumeric = (value: unknown): boolean => typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));

/** Product::Matrix and Product::Variables: each value a string or an integer (or a list of them),
 *  and at most 200 jobs over all entries. */
function matrixFindings(name: string, parallel: unknown): EntryFinding[] {
  const matrix = isHash(parallel) ? parallel['matrix'] : undefined;
  if (!Array.isArray(matrix)) return [];
  const findings: EntryFinding[] = [];
  let jobs = 0;
  matrix.forEach((entry, index) => {
    if (!isHash(entry)) return;
    const at = ['parallel', 'matrix', index];
    let product = 1;
    for (const [key, value] of Object.entries(entry)) {
      const items = Array.isArray(value) ? value : [value];
      product *= items.length;
      // A value that is neither a list nor a number (null, true) is ci.json's to report.
      const wrong = Array.isArray(value) || typeof value === 'number' ? items.findIndex((item) => !alphanumeric(item)) : -1;
      if (wrong >= 0)
        findings.push({
          path: [...at, key, ...(Array.isArray(value) ? [wrong] : [])],
          code: 'semantic/matrix',
          message: `${describePath([name, ...at])} config should be a hash of key value pairs, value can be an array`,
        });
    }
    jobs += product;
  });
  if (jobs > PARALLEL_LIMIT)
    findings.push({
      path: ['parallel', 'matrix'],
      code: 'semantic/matrix',
      message: `${describePath([name, 'parallel', 'matrix'])} config generates too many jobs (maximum is ${PARALLEL_LIMIT})`,
    });
  return findings;
}

/** What GitLab's entries refuse in a visible job, `job` as GitLab reads it. */
export function jobEntryFindings(name: string, job: Record<string, unknown>): EntryFinding[] {
  return [...matrixFindings(name, job['parallel'])];
}
