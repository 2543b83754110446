/**
 * Whole numbers written as floats where GitLab takes only an Integer: `retry: 1.0`, `retry: {max:
 * 2.0}`, `exit_codes: [137.0]`, `parallel: 2.0`, a `parallel:matrix` value `3.0`. Psych reads `1.0`
 * as a Float; GitLab's entries test `is_a?(Integer)` (Retry, AlphanumericValidator) or validate
 * `only_integer` (`retry:max`, Parallel), and refuse it. JavaScript, and so ci.json, reads it as the
 * integer 1: the parse marks such scalars (isWholeFloat), and this looks at those places only.
 *
 * Each file is checked as written, as checkExpressions checks it: hidden jobs too (a finding there
 * says GitLab refuses it in each job that takes it in), a value brought by a merge key or a
 * `!reference` where it is written. The messages are what ci.json and the matrix check say of `1.5`
 * at the same place (a test holds them to it), with what to write instead.
 */
import type { Diagnostic, PathSegment } from '../ci/diagnostics.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { isHash } from '../ci/merge.js';
import { locate, nodeAt } from '../ci/positions.js';
import { describePath } from '../ci/schema.js';
import { isWholeFloat } from '../ci/yaml.js';
import { matrixValueMessage } from './entries.js';
import type { Origin } from './model.js';

interface IntegerPlace {
  /** From the top of the file. */
  path: PathSegment[];
  code: string;
  /** What is said of a value that is not an integer there. */
  message: string;
  /** A matrix value may be a string as well (`"3.0"`, a version, is the usual intent). */
  string?: true;
}

const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** The places of one job (or of `default:`) where GitLab takes only an Integer and a whole number is written. */
function integerPlaces(key: string, job: Record<string, unknown>): IntegerPlace[] {
  const places: IntegerPlace[] = [];
  const schema = (sub: PathSegment[], expected: string) =>
    places.push({ path: [key, ...sub], code: 'schema/type', message: `${describePath([key, ...sub])} config should be ${expected}` });
  const retry = job['retry'];
  if (isWholeNumber(retry)) schema(['retry'], 'an integer or a hash');
  else if (isHash(retry)) {
    if (isWholeNumber(retry['max'])) schema(['retry', 'max'], 'an integer');
    const codes = retry['exit_codes'];
    if (isWholeNumber(codes)) schema(['retry', 'exit_codes'], 'an array or an integer');
    else if (Array.isArray(codes)) codes.forEach((code, i) => isWholeNumber(code) && schema(['retry', 'exit_codes', i], 'an integer'));
  }
  if (key === 'default') return places;
  const parallel = job['parallel'];
  if (isWholeNumber(parallel)) schema(['parallel'], 'an integer or a hash');
  else if (isHash(parallel) && Array.isArray(parallel['matrix'])) {
    parallel['matrix'].forEach((entry, index) => {
      if (!isHash(entry)) return;
      const matrix = (sub: PathSegment[]) =>
        places.push({
          path: [key, 'parallel', 'matrix', index, ...sub],
          code: 'semantic/matrix',
          message: matrixValueMessage(key, index),
          string: true,
        });
      for (const [name, value] of Object.entries(entry)) {
        if (isWholeNumber(value)) matrix([name]);
        else if (Array.isArray(value)) value.forEach((item, i) => isWholeNumber(item) && matrix([name, i]));
      }
    });
  }
  return places;
}

/** `1.0` as an integer is written: its digits up to the point (`-0.0` is 0). */
const asInteger = (value: number): string => String(value === 0 ? 0 : value);

/** The whole floats of one file's content (`content` its value, as checkExpressions takes it) at places that take only an Integer. */
export function checkWholeFloats(content: Record<string, unknown>, origin: Omit<Origin, 'path'>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [key, value] of Object.entries(content)) {
    if ((key !== 'default' && GLOBAL_KEYWORDS.has(key)) || !isHash(value)) continue;
    for (const place of integerPlaces(key, value)) {
      const node = nodeAt(origin.doc, place.path, origin.resolveKey);
      if (!isWholeFloat(node)) continue;
      const pos = locate(origin.doc, origin.lineCounter, place.path, 'value', origin.resolveKey);
      const written = node.source ?? String(node.value);
      const instead = `\`${asInteger(node.value as number)}\``;
      out.push({
        file: origin.file,
        line: pos.line,
        column: pos.column,
        severity: 'error',
        code: place.code,
        message:
          `${place.message} (\`${written}\` is a float to GitLab: write ${place.string ? `\`"${written}"\` or ${instead}` : instead})` +
          // GitLab validates a hidden job only as part of the jobs that take it in.
          (key.startsWith('.') ? `; ${key} is hidden: GitLab refuses it in each job that extends or references it` : ''),
        document: 'content',
        path: place.path,
      });
    }
  }
  return out;
}
