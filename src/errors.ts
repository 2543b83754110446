/**
 * Typed errors. Every failure the CLI can report is one of these; `cli/main.ts` maps them to
 * exit codes in one place: 1 = findings or bad input, 2 = usage.
 */
export abstract class CigenError extends Error {
  abstract readonly exitCode: 1 | 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: unknown flag, missing argument, bad flag value. */
export class UsageError extends CigenError {
  readonly exitCode = 2 as const;
}

/** A value the user gave (an input, a file, a flag value) is invalid; nothing was written. */
export class InputError extends CigenError {
  readonly exitCode = 1 as const;
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The command ran and found problems (lint findings, drift, validation failures). */
export class FindingsError extends CigenError {
  readonly exitCode = 1 as const;
}

export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof CigenError ? error.exitCode : 1;
}
