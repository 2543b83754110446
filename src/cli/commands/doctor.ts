/** `cigen doctor --report cigen-doctor.json`: what a doctor job found, and what to do about it. */
import { InputError, UsageError } from '../../errors.js';
import { readUserFile } from '../files.js';
import { adviceText } from '../../runner/advice.js';
import { recommend, verdicts } from '../../runner/capabilities.js';
import { parseDoctorReport, type DoctorReport } from '../../runner/report.js';

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
    throw new InputError(`${path}: not a cigen doctor report: ${(error as Error).message}`);
  }
}

export async function runDoctor(options: DoctorOptions): Promise<void> {
  const report = await readReport(options.report);
  if (options.format === 'json') {
    const { builder, reason } = recommend(report);
    process.stdout.write(
      `${JSON.stringify({ recommendation: builder, reason, verdicts: verdicts(report.checks, report.executor) }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(adviceText(report));
}
