/**
 * `--verbose` (or CIGEN_DEBUG=1): the stack of an internal error, and what a command does step
 * by step (the bot: each HTTP request, never a token). Set by program.ts (its preAction hook) before a command runs.
 */
import { writeErr } from './stdio.js';

let verbose = ['1', 'true'].includes(process.env['CIGEN_DEBUG'] ?? '');

export const isVerbose = (): boolean => verbose;
export const setVerbose = (on: boolean): void => {
  verbose = verbose || on;
};

/** A line on stderr when verbose; the caller never passes a secret. */
export function debug(message: string): void {
  if (verbose) writeErr(`cigen: debug: ${message}\n`);
}
