/**
 * Typed errors. Every failure the CLI reports is one of these; `cli/program.ts` maps them to exit
 * codes in one place: 1 = findings or refused input (nothing written), 2 = usage (a bad flag, a
 * missing or unreadable file), 70 = an internal error (a bug in cigen: anything not typed here);
 * 74 when the output (a file, or standard output) cannot be written, 141 when its reader went away,
 * 130 when the user interrupted a question (Ctrl+C).
 */
/** sysexits.h EX_IOERR: the output cannot be written — a file a command writes, or standard
 *  output or standard error (a full disk, a read-only file system, a device error). */
export const OUTPUT_ERROR = 74;

/** 128 + SIGINT: the status a shell reports for a process Ctrl+C ended, and cigen's when the user
 *  interrupts a question with Ctrl+C (the terminal sends it to the question, not as a signal). */
export const INTERRUPTED = 130;

export type ExitCode = 1 | 2 | typeof OUTPUT_ERROR | typeof INTERRUPTED;

export abstract class CigenError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: an unknown flag, a missing argument, a bad flag value, a
 *  file that does not exist or cannot be read, a directory where a file belongs. */
export class UsageError extends CigenError {
  readonly exitCode = 2 as const;
}

/** A value the user gave (an input, a file's content) is invalid; nothing was written. */
export class InputError extends CigenError {
  readonly exitCode = 1 as const;
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The command ran and found problems (lint findings, drift, validation failures, failed projects). */
export class FindingsError extends CigenError {
  readonly exitCode = 1 as const;
}

/** What a command would write cannot be written: a full disk, a read-only file or file system,
 *  a directory where the file belongs. Nothing was written (or, rarely, the message lists what
 *  was). Exit 74, as when standard output cannot be written. */
export class OutputError extends CigenError {
  readonly exitCode = OUTPUT_ERROR;
}

/** The user stopped the command (Ctrl+C at a question); nothing was written. Exit 130. */
export class InterruptedError extends CigenError {
  readonly exitCode = INTERRUPTED;
}

/** sysexits.h EX_SOFTWARE: cigen itself went wrong. */
export const INTERNAL_ERROR = 70;

/** The reader of cigen's output went away (`cigen lint | head`): 128 + SIGPIPE, the status a shell
 *  reports for a process that signal ended, as it ends most Unix tools there. */
export const BROKEN_PIPE = 141;

export function exitCodeOf(error: unknown): ExitCode | typeof INTERNAL_ERROR {
  return error instanceof CigenError ? error.exitCode : INTERNAL_ERROR;
}
