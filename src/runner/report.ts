/**
 * The report a doctor job leaves (cigen-doctor.json), read as data from outside: validated
 * against a JSON schema (ajv) before anything trusts it, so a wrong or hand-edited report gets
 * one message naming what is wrong, never a crash.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { BUILDER_IDS, type BuilderId } from '../builders/index.js';
import { CHECK_NAMES, type CheckName } from '../builders/runner.js';
import { EXECUTORS, OLDER_REPORT, type Executor, type Verdicts } from './capabilities.js';

export const REPORT_VERSION = 1;

export interface Check {
  ok: boolean;
  detail: string;
}
export type Checks = Record<CheckName, Check>;

export interface DoctorReport {
  version: typeof REPORT_VERSION;
  executor: Executor;
  checks: Checks;
  /** As the probe wrote them; verdicts() recomputes them from the checks. */
  verdicts: Verdicts;
  recommendation: BuilderId;
  reason: string;
}

const object = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties });
const VERDICT_SCHEMA = {
  type: 'object',
  required: ['ok', 'missing'],
  properties: {
    ok: { type: 'boolean' },
    missing: { type: 'array', items: { enum: CHECK_NAMES } },
    untested: { type: 'array', items: { enum: CHECK_NAMES } },
    impossible: { type: 'string' },
  },
};
/** Checks added after version 1 of the report: a report written by an older doctor job lacks them. */
const LATER_CHECKS: readonly CheckName[] = ['binfmt', 'buildah', 'root'];
const CHECK_SCHEMA = object({ ok: { type: 'boolean' }, detail: { type: 'string' } });
const REPORT_SCHEMA = object({
  version: { type: 'number' },
  executor: { enum: EXECUTORS },
  checks: {
    type: 'object',
    required: CHECK_NAMES.filter((name) => !LATER_CHECKS.includes(name)),
    properties: Object.fromEntries(CHECK_NAMES.map((name) => [name, CHECK_SCHEMA])),
  },
  verdicts: object(Object.fromEntries(BUILDER_IDS.map((id) => [id, VERDICT_SCHEMA]))),
  recommendation: { enum: BUILDER_IDS },
  reason: { type: 'string' },
});

let validate: ReturnType<Ajv['compile']> | undefined;

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    default:
      return String(value);
  }
}

/** One line for the first schema error, in the report's own terms (`checks.userns.ok`). */
function message(error: ErrorObject, data: unknown): string {
  const segments = error.instancePath.split('/').slice(1);
  const path = segments.map((key, i) => (/^\d+$/.test(key) ? `[${key}]` : `${i > 0 ? '.' : ''}${key}`)).join('');
  const value = segments.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    data,
  );
  const at = (name: string) => (path ? `${path}.${name}` : name);
  switch (error.keyword) {
    case 'required':
      return `${at(String(error.params['missingProperty']))} is missing`;
    case 'enum':
      return `${path} must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}, got ${describe(value)}`;
    case 'type': {
      const wanted =
        error.params['type'] === 'boolean'
          ? 'true or false'
          : error.params['type'] === 'object'
            ? 'an object'
            : error.params['type'] === 'array'
              ? 'an array'
              : `a ${String(error.params['type'])}`;
      return `${path || 'the report'} must be ${wanted}, got ${describe(value)}`;
    }
    default:
      return `${path || 'the report'}: ${error.message ?? 'invalid'}`;
  }
}

/** Where JSON.parse stopped, as a line and column (`at position 14` means little to a person). */
function jsonErrorPlace(text: string, message: string): string {
  const position = /^(.*?) (?:in JSON )?at position (\d+)/.exec(message);
  if (!position) return `: ${message}`;
  const offset = Number(position[2]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}: ${position[1]}`;
}

/** A report a newer cigen doctor job wrote: a report all the same, which this cigen cannot read. */
export class NewerReportError extends Error {
  constructor(readonly version: number) {
    super(`a cigen doctor report of version ${version}, newer than this cigen reads (version ${REPORT_VERSION}): update cigen`);
  }
}

/** What parseDoctorReport found wrong with the report at `path`, in one line for the user: a newer
 *  report is a report all the same, and is not called "not a cigen doctor report". */
export function reportProblem(path: string, error: unknown): string {
  if (error instanceof NewerReportError) return `${path}: ${error.message}`;
  return `${path}: not a cigen doctor report: ${(error as Error).message}`;
}

/** The report a doctor job wrote. Throws an Error that names the first thing wrong with it (a
 *  NewerReportError for a report of a later version). Checks it does not know are left out. */
export function parseDoctorReport(text: string): DoctorReport {
  let data: unknown;
  try {
    // A byte order mark (a file saved by an editor on Windows) is no part of the JSON.
    data = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new Error(`not valid JSON${jsonErrorPlace(text, (error as Error).message)}`);
  }
  const version =
    data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>)['version'] : undefined;
  if (typeof version === 'number' && version > REPORT_VERSION) throw new NewerReportError(version);
  if (typeof version === 'number' && version !== REPORT_VERSION)
    throw new Error(`version ${version} is not a version cigen doctor writes (this cigen reads version ${REPORT_VERSION})`);
  validate ??= new Ajv({ allErrors: false }).compile(REPORT_SCHEMA);
  if (!validate(data)) throw new Error(message((validate.errors as ErrorObject[])[0] as ErrorObject, data));
  const report = data as DoctorReport;
  // Only the checks this cigen knows: a newer doctor job may add one within version 1 (binfmt came
  // that way), and what the schema did not check is not read.
  report.checks = Object.fromEntries(
    CHECK_NAMES.filter((name) => Object.hasOwn(report.checks, name)).map((name) => [name, report.checks[name]]),
  ) as Checks;
  // Not tested, never failed: a builder that needs one (buildah on a shell executor, kaniko root) is not known to lack it.
  for (const name of LATER_CHECKS) report.checks[name] ??= { ok: false, detail: OLDER_REPORT };
  return report;
}
