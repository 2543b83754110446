/** `cigen doctor --report cigen-doctor.json`: what a doctor job found, and what to do about it. */
import { InputError, UsageError } from '../../errors.js';
import { readUserFile } from '../files.js';
import { escapeLine, writeJson } from '../output.js';
import { adviceText } from '../../runner/advice.js';
import { recommend, verdicts } from '../../runner/capabilities.js';
import { parseDoctorReport, reportProblem, type DoctorReport } from '../../runner/report.js';
import { writeOut } from '../stdio.js';

export interface DoctorOptions {
  /** The cigen-doctor.json a doctor job left as an artifact. */
  report: string;
  format: 'text' | 'json';
}

async function readReport(path: string): Promise<DoctorReport> {
  const text = await readUserFile(path, `--report ${path}`).catch((error: unknown) => {
    // The usual mistake: the artifact was not downloaded.
    if (error instanceof UsageError && /no such file/.test(error.message)) {
      throw new UsageError(`${error.message} (download cigen-doctor.json from the doctor job's artifacts)`);
    }
    throw error;
  });
  try {
    return parseDoctorReport(text);
  } catch (error) {
    throw new InputError(reportProblem(path, error));
  }
}

/** The report with every text it holds made safe to print: a probe's detail comes from the runner
 *  and could hold a terminal escape or a line break that would pass for another line of advice. */
function printable(report: DoctorReport): DoctorReport {
  return {
    ...report,
    reason: escapeLine(report.reason),
    checks: Object.fromEntries(
      Object.entries(report.checks).map(([name, check]) => [name, { ...check, detail: escapeLine(check.detail) }]),
    ) as DoctorReport['checks'],
  };
}

export async function runDoctor(options: DoctorOptions): Promise<void> {
  const report = await readReport(options.report);
  if (options.format === 'json') {
    const { builder, reason } = recommend(report);
    const json = { executor: report.executor, recommendation: builder, reason, verdicts: verdicts(report.checks, report.executor) };
    writeJson(json, 2);
    return;
  }
  writeOut(adviceText(printable(report)));
}
