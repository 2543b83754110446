/** Human output: short, coloured only on a TTY (and never with NO_COLOR). */
import { styleText } from 'node:util';
import type { Diagnostic } from '../ci/diagnostics.js';

type Style = Parameters<typeof styleText>[0];

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb';
}

export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? styleText(style, text) : text;
}

export function formatDiagnostic(d: Diagnostic, stream: NodeJS.WriteStream = process.stdout): string {
  const severity = d.severity === 'error' ? paint('red', 'error', stream) : paint('yellow', 'warning', stream);
  return `${d.file}:${d.line}:${d.column} ${severity} ${paint('dim', d.code, stream)} ${d.message}`;
}

/** The six public fields, in order, for --format json. */
export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return { file: d.file, line: d.line, column: d.column, severity: d.severity, code: d.code, message: d.message };
}
