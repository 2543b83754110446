/** What every lint layer reports: a position, a severity, a layer-prefixed code and a message. */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** `<layer>/<rule>`, the layer being yaml, schema, spec, include or semantic. */
  code: string;
  message: string;
  /** Where the finding is, as a path into the header or content document (not printed). */
  document?: 'header' | 'content';
  path?: readonly PathSegment[];
  /** The input the finding is about, when a rule knows it (not printed). */
  input?: string;
}

export type PathSegment = string | number;

/** A finding before it has a position: where it is, as a path into one YAML document. */
export interface Finding {
  /** Which document: the header (`spec:`) or the content (jobs). */
  document: 'header' | 'content';
  path: PathSegment[];
  /** Point at the key rather than the value (unknown keys, duplicate keys). */
  at?: 'key' | 'value';
  severity: Severity;
  code: string;
  message: string;
  /** The input the finding is about: the one an interpolation block reads. */
  input?: string;
}

export const byPosition = (a: Diagnostic, b: Diagnostic): number =>
  a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
