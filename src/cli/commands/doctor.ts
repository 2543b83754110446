/** `cigen doctor --report cigen-doctor.json`: what a doctor job found, and what to do about it. */
import { readFile, stat } from 'node:fs/promises';
import { InputError, UsageError } from '../../errors.js';
import { adviceText } from '../../runner/advice.js';
import { recommend, verdicts } from '../../runner/capabilities.js';
import { parseDoctorReport, type DoctorReport } from '../../runner/report.js';

export interface DoctorOptions {
  /** The cigen-doctor.json a doctor job left as an artifact. */
  report: string;
  format: 'text' | 'json';
}

async function readReport(path: string): Promise<DoctorReport> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`--report ${path}: no such file (download cigen-doctor.json from the doctor job's artifacts)`);
  if (!info.isFile()) throw new InputError(`${path}: not a file`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read it: ${(error as Error).message}`);
  }
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
