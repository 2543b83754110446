/**
 * YAML in and out. Output goes through the yaml Document API with fixed options, so the same
 * model always gives the same bytes; input keeps positions for diagnostics and knows GitLab's
 * `!reference` tag.
 */
import {
  Document,
  LineCounter,
  Scalar,
  YAMLSeq,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type CollectionTag,
  type Node,
  type Schema,
  type Tags,
  type ToStringOptions,
} from 'yaml';
import { Literal, Reference } from './model.js';

export const referenceTag: CollectionTag = {
  tag: '!reference',
  collection: 'seq',
  default: false,
  identify: (value) => value instanceof Reference,
  createNode(schema: Schema, value: unknown) {
    const seq = new YAMLSeq(schema);
    for (const part of (value as Reference).path) seq.items.push(new Scalar(part));
    seq.flow = true;
    return seq;
  },
  resolve: (seq) => seq,
};

/** YAML 1.1 as Ruby's Psych reads it: `yes`/`on`/`true` and `no`/`off`/`false` in any case are
 *  booleans, but (unlike the 1.1 spec) `y` and `n` stay strings. */
const PSYCH_BOOLEANS: [RegExp, RegExp] = [/^(?:yes|true|on)$/i, /^(?:no|false|off)$/i];

export const customTags = (tags: Tags): Tags => {
  let bool = 0;
  const adjusted = tags.map((tag) => {
    if (typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:bool' && 'test' in tag && tag.test)
      return { ...tag, test: PSYCH_BOOLEANS[Math.min(bool++, 1)] as RegExp };
    return tag;
  });
  return [...adjusted, referenceTag];
};

const TO_STRING: ToStringOptions = {
  lineWidth: 0,
  flowCollectionPadding: false,
  indentSeq: true,
};

/** Characters YAML 1.1 (GitLab's Psych) reads as line breaks, unlike YAML 1.2. */
const YAML11_BREAKS = /[\u0085\u2028\u2029]/;

/** Turns model values into yaml nodes: Literal becomes a literal block scalar. */
function toNode(doc: Document, value: unknown): unknown {
  if (typeof value === 'string' && YAML11_BREAKS.test(value)) {
    // Plain, they would break the line in YAML 1.1; double-quoted, they are escapes.
    const scalar = new Scalar(value);
    scalar.type = Scalar.QUOTE_DOUBLE;
    return scalar;
  }
  if (value instanceof Literal) {
    const scalar = new Scalar(value.text);
    scalar.type = Scalar.BLOCK_LITERAL;
    return scalar;
  }
  if (value instanceof Reference) return doc.createNode(value);
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(doc.schema);
    for (const item of value) seq.items.push(toNode(doc, item));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = doc.createNode({}) as Node;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      (map as unknown as { set(k: unknown, v: unknown): void }).set(key, toNode(doc, item));
    }
    return map;
  }
  return value;
}

/** GitLab reads YAML with Ruby's Psych, which speaks YAML 1.1 (`on`, `yes` and `no` are
 *  booleans there), so cigen reads and writes 1.1 too. */
export const YAML_VERSION = '1.1' as const;

const BREAK_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

export function stringifyYaml(value: unknown): string {
  const doc = new Document(null, { customTags, version: YAML_VERSION });
  doc.contents = toNode(doc, value) as Node;
  // yaml writes these raw even in double quotes; there YAML 1.1 would still fold them, so they
  // become YAML's own escapes (only double-quoted scalars hold them: see toNode).
  return doc.toString(TO_STRING).replace(/[\u0085\u2028\u2029]/g, (c) => BREAK_ESCAPES[c] as string);
}

/** A catalog component file: the `spec:` header, `---`, then the jobs. */
export function stringifyComponent(header: unknown, content: unknown): string {
  return `${stringifyYaml(header)}---\n${stringifyYaml(content)}`;
}

/** How far a whole file may expand through aliases (a billion laughs stops here, with a message). */
export const MAX_ALIASES = 10_000;

export interface ParsedYaml {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

/** The text as YAML 1.1 (GitLab's Psych) reads its lines: NEL, LS and PS are line breaks there,
 *  text in YAML 1.2. Each becomes a newline of the same length, so every offset stays valid. */
export const withYaml11Breaks = (text: string): string =>
  /[\u0085\u2028\u2029]/.test(text) ? text.replace(/[\u0085\u2028\u2029]/g, '\n') : text;

export function parseYamlDocuments(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(withYaml11Breaks(text), {
    version: YAML_VERSION,
    customTags,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  const list = Array.isArray(documents) ? documents : [];
  return { documents: list as Document.Parsed[], lineCounter };
}

/** Parses one YAML text into plain JS, throwing on the first error. For trusted inputs
 *  (our own rendered output); user files go through the linter instead. */
export function parseYamlStrict(text: string): unknown[] {
  const { documents } = parseYamlDocuments(text);
  for (const doc of documents) {
    const [error] = doc.errors;
    if (error) throw new Error(error.message);
  }
  return documents.map((doc): unknown => doc.toJS({ maxAliasCount: 1000 }));
}

/**
 * JavaScript's String() of a value read from YAML where a scalar belongs (a key, a name, an
 * input). Typed `unknown` on purpose: malformed YAML may put a mapping there, and its
 * `[object Object]` then matches nothing and reads as what it is in a message.
 */
export const scalarText = (value: unknown): string => String(value);

export { isMap, isScalar, isSeq };
