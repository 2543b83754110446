/** Human output: short, coloured only on a TTY (and never with NO_COLOR). */
import { styleText } from 'node:util';
import type { Diagnostic } from '../ci/diagnostics.js';
import { isTerminal, writeOut, type StandardStream } from './stdio.js';

type Style = Parameters<typeof styleText>[0];

/** Colour on a terminal, unless NO_COLOR is set to a value (no-color.org: present and not empty) or TERM is dumb. */
export function colorWanted(terminal: boolean): boolean {
  return terminal && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}

export const useColor = (stream: StandardStream = 'stdout'): boolean => colorWanted(isTerminal(stream));

export function paint(style: Style, text: string, stream: StandardStream = 'stdout'): string {
  // cigen has decided: Node would otherwise decide again, from process.stdout whatever the stream.
  return useColor(stream) ? styleText(style, text, { validateStream: false }) : text;
}

/** What `--format` takes, and what a command writes without it. */
export const OUTPUT_FORMATS = ['text', 'json'] as const;
export const DEFAULT_FORMAT = 'text';

let jsonWritten = false;

/** The JSON document of a `--format json` command on standard output: one per run. */
export function writeJson(value: unknown, indent?: number): void {
  // Serialised first: a value that cannot be leaves the error document to exit.ts.
  const text = `${JSON.stringify(value, null, indent)}\n`;
  jsonWritten = true;
  writeOut(text);
}

/** Whether the run has printed its JSON document (exit.ts prints an error one otherwise). */
export const jsonDocumentWritten = (): boolean => jsonWritten;

/** Control characters a terminal would act on (C0 but tab and newline, DEL, C1) and the line and
 *  paragraph separators. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;

/** Text from a user's file made safe to print: each control character as an escape (`\x1b`,
 *  `\u2028`), so an ESC in a linted file cannot move the cursor or clear the screen. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** Text from a server or a project made safe to print on one line: control characters escaped as
 *  escapeControl does, and a line break or a tab too, so that it cannot pass for another line. */
export const escapeLine = (text: string): string => escapeControl(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');

/** One finding as a line of text; what came from the linted files (its path, its message) is escaped. */
export function formatDiagnostic(d: Diagnostic, stream: StandardStream = 'stdout'): string {
  const severity = d.severity === 'error' ? paint('red', 'error', stream) : paint('yellow', 'warning', stream);
  return `${escapeControl(d.file)}:${d.line}:${d.column} ${severity} ${paint('dim', d.code, stream)} ${escapeControl(d.message)}`;
}

/** The six public fields, in order, for --format json. */
export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { file: d.file, line: d.line, column: d.column, severity: d.severity, code: d.code, message: d.message };
}
