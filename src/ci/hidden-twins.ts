/**
 * GitLab never validates a hidden job (a template) alone: what it holds is refused in each job that
 * extends it and takes it in. So the schema reads each hidden job of a file a second time, as a job
 * (its "twin", beside the file's own jobs, in the same validation: nothing is validated twice), and
 * keeps what it finds aside, by the hidden job's value; the linter reports it in the jobs that
 * inherit those places (lint/inherited.ts). Nothing found in a twin is a finding of the file itself.
 */
import { describePath } from './schema.js';
import type { PathSegment } from './diagnostics.js';
import { isHash } from './merge.js';

/** A twin's key: no job can be named so (a key with NUL is never a job GitLab reads). */
const TWIN = '\u0000hidden-job\u0000';

/** What is wrong at a place of a hidden job, read as a job: the message after the job's own words. */
export interface HiddenJobFinding {
  /** Within the job. */
  path: PathSegment[];
  at?: 'key' | 'value';
  code: string;
  /** The message after `jobs:<name>` (`:retry config must be ...`, ` config contains unknown keys: ...`). */
  rest: string;
}

const FOUND = new WeakMap<object, HiddenJobFinding[]>();

/** What the schema found in a hidden job of a file's content, read as a job (by its value). */
export const hiddenJobFindings = (value: unknown): readonly HiddenJobFinding[] => (isHash(value) ? (FOUND.get(value) ?? []) : []);

/** What makes a hash a job of its kind for ci.json, when the template leaves it to the job. */
const KINDS = ['script', 'run', 'trigger'];

/** The content with a twin of each hidden job holding a hash; the content itself when it has none. */
export function withHiddenTwins(content: unknown): unknown {
  if (!isHash(content)) return content;
  let copy: Record<string, unknown> | undefined;
  // Keys, not entries: no array of a pair per key (a pipeline may hold 100,000 jobs).
  for (const key of Object.keys(content)) {
    const value = content[key];
    if (!key.startsWith('.') || !isHash(value)) continue;
    copy ??= { ...content };
    copy[`${TWIN}${key}`] = KINDS.some((kind) => Object.hasOwn(value, kind)) ? value : { script: 'x', ...value };
  }
  return copy ?? content;
}

/**
 * The findings of the file itself; those in twins are kept aside, each under the value of the
 * hidden job (in `content`, the content as the file holds it) it is about.
 */
export function setTwinsAside<F extends { path: PathSegment[]; at?: 'key' | 'value'; code: string; message: string }>(
  findings: readonly F[],
  content: unknown,
): F[] {
  const own: F[] = [];
  const found = new Map<object, HiddenJobFinding[]>();
  for (const finding of findings) {
    const [head, ...path] = finding.path;
    if (typeof head !== 'string' || !head.startsWith(TWIN)) {
      own.push(finding);
      continue;
    }
    const value = isHash(content) ? content[head.slice(TWIN.length)] : undefined;
    const where = describePath([head]);
    if (!isHash(value) || !finding.message.startsWith(where)) continue;
    const list = found.get(value) ?? [];
    list.push({ path, ...(finding.at ? { at: finding.at } : {}), code: finding.code, rest: finding.message.slice(where.length) });
    found.set(value, list);
  }
  for (const [value, list] of found) FOUND.set(value, list);
  return own;
}
