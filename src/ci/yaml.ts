/**
 * YAML in and out. Output goes through the yaml Document API with fixed options, so the same
 * model always gives the same bytes; input keeps positions for diagnostics and knows GitLab's
 * `!reference` tag.
 */
import {
  Document,
  LineCounter,
  Scalar,
  YAMLParseError,
  YAMLSeq,
  isMap,
  isPair,
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
import { parseFast } from './yaml-fast.js';

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

/** A key written twice in one mapping; `key` is the key as it reads. */
export class DuplicateKeyError extends YAMLParseError {
  constructor(
    offset: number,
    readonly key: string,
  ) {
    super([offset, offset + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
  }
}

/**
 * Keys written twice in one mapping, with a Set per mapping: linear in the document. (The parser's
 * own check, `uniqueKeys: true`, compares each key with every earlier key of its mapping, which is
 * quadratic in the keys of one mapping.) Two scalar keys are the same when their values are, as
 * the parser decides it (`===`: `yes` and `true` are one key in YAML 1.1, `1` and `"1"` are not,
 * NaN is never equal, and each merge key `<<` is a value of its own); other keys never are. Each
 * duplicate is reported at the later key. Walked without recursion, however deep the document.
 */
export function duplicateKeys(doc: Document): DuplicateKeyError[] {
  const found: DuplicateKeyError[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key: unknown = pair.key;
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) found.push(new DuplicateKeyError(key.range?.[0] ?? 0, String(key.value)));
          else seen.add(key.value);
        }
        stack.push(pair.value, key);
      }
    } else if (isSeq(node)) {
      // !!omap and !!pairs hold their pairs in a sequence.
      for (const item of node.items)
        if (isPair(item)) stack.push(item.value, item.key);
        else stack.push(item);
    }
  }
  return found.sort((a, b) => a.pos[0] - b.pos[0]);
}

/** Adds errors to a document's, keeping them in the order of their positions. */
function addErrors(doc: Document.Parsed, errors: readonly YAMLParseError[]): void {
  if (errors.length === 0) return;
  const merged: YAMLParseError[] = [];
  let i = 0;
  for (const error of doc.errors) {
    while (i < errors.length && (errors[i] as YAMLParseError).pos[0] < error.pos[0]) merged.push(errors[i++] as YAMLParseError);
    merged.push(error);
  }
  while (i < errors.length) merged.push(errors[i++] as YAMLParseError);
  doc.errors.splice(0, doc.errors.length, ...merged);
}

/**
 * The documents of a text as GitLab reads it (YAML 1.1, merge keys, `!reference`), with positions.
 * Most CI files take the fast path (yaml-fast.ts), which builds the same Documents as the yaml
 * library; anything outside what it knows, and every text with an error, goes through the library.
 */
export function parseYamlDocuments(text: string): ParsedYaml {
  const source = withYaml11Breaks(text);
  const options = {
    version: YAML_VERSION,
    customTags,
    prettyErrors: false,
    // Duplicates are found by duplicateKeys() instead: the parser's check is quadratic.
    uniqueKeys: false,
    merge: true,
  };
  let lineCounter = new LineCounter();
  // CIGEN_YAML_FAST=0: the library only (to compare the two).
  let list = process.env['CIGEN_YAML_FAST'] === '0' ? undefined : parseFast(source, { ...options, lineCounter });
  if (!list) {
    lineCounter = new LineCounter();
    const documents = parseAllDocuments(source, { ...options, lineCounter });
    list = Array.isArray(documents) ? documents : [];
  }
  for (const doc of list) addErrors(doc, duplicateKeys(doc));
  return { documents: list, lineCounter };
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
