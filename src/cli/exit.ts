/**
 * How a run of cigen ends, in one place for every program: the exit code of a failure, what it
 * prints on standard error, and the JSON document that stands for it under `--format json`.
 * Apart from program.ts, which parses the command line with commander: `cigen lint PATH...` and
 * `cigen build --check` (lint-main.ts, build-main.ts) run without loading commander and end here
 * all the same.
 */
import { CigenError, exitCodeOf, INTERNAL_ERROR } from '../errors.js';
import { jsonDocumentWritten, writeJson } from './output.js';
import { guardNodeStreams, writeErr } from './stdio.js';
import { isVerbose } from './verbose.js';

/** A failure as the JSON document of a `--format json` run: its exit code and what stderr says. */
export function errorJson(error: unknown, exitCode: number): { error: { exitCode: number; message: string; details?: string[] } } {
  if (!(error instanceof CigenError))
    return {
      error: {
        exitCode,
        message: `cigen: internal error: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`,
      },
    };
  const details = [...((error as { details?: readonly string[] }).details ?? [])];
  return { error: { exitCode, message: error.message, ...(details.length > 0 ? { details } : {}) } };
}

/** What a failure prints: one line for the user's errors; for cigen's own, one line asking for a
 *  report (the stack with --verbose). Never a stack for a usage error. */
export function reportError(error: unknown, write: (text: string) => void = writeErr): number {
  if (error instanceof CigenError) {
    if (error.message) write(`${error.message}\n`);
    for (const detail of (error as { details?: readonly string[] }).details ?? []) write(`  ${detail}\n`);
    return exitCodeOf(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`cigen: internal error: ${message.split('\n')[0] ?? ''}\n`);
  if (isVerbose() && error instanceof Error && error.stack) write(`${error.stack}\n`);
  else write('cigen: this is a bug in cigen; please report it with the output of the same command run with --verbose\n');
  return INTERNAL_ERROR;
}

/** A command's failure (not the command line's): said, and its exit code. Under --format json,
 *  stdout holds one JSON document whatever happens: the command's, or this. */
export function failed(error: unknown, json: boolean): number {
  const code = reportError(error);
  if (json && !jsonDocumentWritten()) writeJson(errorJson(error, code));
  return code;
}

/**
 * A command run without commander, for a command line it would parse to the same options (see
 * lint-main.ts and build-main.ts): what program.ts's run does around the action, the exit code set
 * the same way.
 */
export async function runDirectly(action: () => Promise<void>): Promise<void> {
  guardNodeStreams();
  try {
    await action();
    process.exitCode = 0;
  } catch (error) {
    // Text output: those command lines take no --format.
    process.exitCode = failed(error, false);
  }
}
