/**
 * Whole numbers written as floats where GitLab takes only an Integer: `retry: 1.0`, `retry: {max:
 * 2.0}`, `exit_codes: [137.0]`, `parallel: 2.0`, a `parallel:matrix` value `3.0`. Psych reads `1.0`
 * as a Float; GitLab's entries test `is_a?(Integer)` (Retry, AlphanumericValidator) or validate
 * `only_integer` (`retry:max`, Parallel), and refuse it. JavaScript, and so ci.json, reads it as the
 * integer 1: the parse marks such scalars (isWholeFloat) and the documents holding any.
 *
 * Checked where GitLab checks it: in each visible job as it reads it, and in `default:`. A job's
 * value at such a place is traced to where it is written — the job itself, else the bases it
 * `extends`, last first — and the node Psych reads there (the last of a key written twice, a key
 * a merge key brings in) is looked at. Not traced, so not reported: a value a `!reference` or an
 * interpolation block brings (a component's number input), a job that several files define (its
 * value is from more than one of them). The messages are what ci.json and the matrix check say of
 * `1.5` at the same place (a test holds them to it), with what to write instead.
 */
import type { Diagnostic, PathSegment } from '../ci/diagnostics.js';
import { isHash } from '../ci/merge.js';
import { nodeAsRead } from '../ci/positions.js';
import { describePath } from '../ci/schema.js';
import { holdsWholeFloats, isWholeFloat } from '../ci/yaml.js';
import { matrixValueMessage } from './entries.js';
import { definitionsOf, isHidden, originOf, type JobDefinition, type PipelineModel } from './model.js';
import { definerOf } from './provenance.js';

interface IntegerPlace {
  /** Within the job. */
  path: PathSegment[];
  code: string;
  /** What is said of a value that is not an integer there. */
  message: string;
  /** A matrix value may be a string as well (`"3.0"`, a version, is the usual intent). */
  string?: true;
}

const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** The places of one job (or of `default:`) where GitLab takes only an Integer and a whole number is read. */
function integerPlaces(name: string, job: Record<string, unknown>): IntegerPlace[] {
  const places: IntegerPlace[] = [];
  const schema = (path: PathSegment[], expected: string) =>
    places.push({ path, code: 'schema/type', message: `${describePath([name, ...path])} config should be ${expected}` });
  const retry = job['retry'];
  if (isWholeNumber(retry)) schema(['retry'], 'an integer or a hash');
  else if (isHash(retry)) {
    if (isWholeNumber(retry['max'])) schema(['retry', 'max'], 'an integer');
    const codes = retry['exit_codes'];
    if (isWholeNumber(codes)) schema(['retry', 'exit_codes'], 'an array or an integer');
    else if (Array.isArray(codes)) codes.forEach((code, i) => isWholeNumber(code) && schema(['retry', 'exit_codes', i], 'an integer'));
  }
  if (name === 'default') return places;
  const parallel = job['parallel'];
  if (isWholeNumber(parallel)) schema(['parallel'], 'an integer or a hash');
  else if (isHash(parallel) && Array.isArray(parallel['matrix'])) {
    parallel['matrix'].forEach((entry, index) => {
      if (!isHash(entry)) return;
      const matrix = (sub: PathSegment[]) =>
        places.push({
          path: ['parallel', 'matrix', index, ...sub],
          code: 'semantic/matrix',
          message: matrixValueMessage(name, index),
          string: true,
        });
      for (const [key, value] of Object.entries(entry)) {
        if (isWholeNumber(value)) matrix([key]);
        else if (Array.isArray(value)) value.forEach((item, i) => isWholeNumber(item) && matrix([key, i]));
      }
    });
  }
  return places;
}

/** `1.0` as an integer is written: its digits (`-0.0` is 0, `1.0e+21` is 1000000000000000000000). */
const asInteger = (value: number): string => (value === 0 ? '0' : BigInt(value).toString());

/**
 * The node Psych reads at `path` of `job` as GitLab reads the job (see definerOf), in a document
 * that holds whole floats (of the files that write the job, the one that writes the place);
 * undefined otherwise.
 */
function wholeFloatAt(model: PipelineModel, job: JobDefinition, path: PathSegment[]) {
  const definer = definerOf(model, job, path);
  const origin = definer && originOf(definer, path);
  if (!origin || !holdsWholeFloats(origin.doc)) return undefined;
  const { doc, resolveKey, lineCounter, file } = origin;
  const node = nodeAsRead(doc, [...origin.path, ...path], resolveKey);
  return isWholeFloat(node) ? { node, lineCounter, file } : undefined;
}

/** Whole floats where GitLab takes only an Integer: in `default:` and in every visible job (`values`: each job as GitLab reads it). */
export function checkWholeFloats(model: PipelineModel, values: ReadonlyMap<string, { value: Record<string, unknown> }>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Almost no pipeline has one: then nothing is traced.
  const floatsIn = (job: JobDefinition) => definitionsOf(job).some(({ origin }) => holdsWholeFloats(origin.doc));
  const defaultOrigin = model.globalOrigins.get('default');
  if (![...model.jobs.values()].some(floatsIn) && !(defaultOrigin && holdsWholeFloats(defaultOrigin.doc))) return out;
  const jobs: [string, JobDefinition, Record<string, unknown>][] = [];
  const defaults = model.globals['default'];
  if (isHash(defaults) && defaultOrigin) jobs.push(['default', { name: 'default', value: defaults, origin: defaultOrigin }, defaults]);
  for (const job of model.jobs.values()) if (!isHidden(job.name)) jobs.push([job.name, job, values.get(job.name)?.value ?? job.value]);
  for (const [name, job, value] of jobs) {
    for (const place of integerPlaces(name, value)) {
      const found = wholeFloatAt(model, job, place.path);
      if (!found) continue;
      const { node } = found;
      const { line, col } = found.lineCounter.linePos(node.range?.[0] ?? 0);
      const written = node.source ?? String(node.value);
      const integer = `\`${asInteger(node.value as number)}\``;
      const instead = place.string ? `\`"${written}"\` or ${integer}` : integer;
      out.push({
        file: found.file,
        line,
        column: col,
        severity: 'error',
        code: place.code,
        message: `${place.message} (\`${written}\` is a float to GitLab: write ${instead})`,
        document: 'content',
        path: [name, ...place.path],
      });
    }
  }
  return out;
}
