/**
 * YAML in and out. Output goes through the yaml Document API with fixed options, so the same
 * model always gives the same bytes; input keeps positions for diagnostics and knows GitLab's
 * `!reference` tag.
 */
import {
  Alias,
  Document,
  Lexer,
  LineCounter,
  Scalar,
  YAMLParseError,
  YAMLSeq,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  visit,
  type CollectionTag,
  type Node,
  type Pair,
  type ScalarTag,
  type Schema,
  type Tags,
  type YAMLMap,
  type ToStringOptions,
} from 'yaml';
import { stringifyNumber, stringTag, toJS, type StringifyContext, type ToJSContext } from 'yaml/util';
import { RubyFloat, rubyInspect } from './interpolation/ruby.js';
import { Literal, Quoted, Reference } from './model.js';
import { oneByte } from './strings.js';
import { UNTAKEN_CHARACTERS, parseFast } from './yaml-fast.js';

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

/*
 * Plain scalars as Ruby's Psych reads them (Psych::ScalarScanner#tokenize, Psych 5), not as the
 * YAML 1.1 spec (the yaml library's 1.1 schema) does:
 * - `yes`/`true`/`on` and `no`/`false`/`off` in any case are booleans, `y` and `n` strings;
 *   `~` and `null` in any case null;
 * - an integer may hold `_` and `,` (`1,000` is 1000), in base 10 each followed by a digit
 *   (Psych's INTEGER_LEGACY: `1_`, `1,,0` and `1__0` are strings), a leading 0 is octal (`09` is
 *   a string), `0b` binary, `0x` hex;
 * - a float needs a `.`, and its exponent a sign: `1e3`, `1.0e3` and `e3` are strings, `1.0e+3`
 *   is 1000; `.inf`, `-.inf` and `.nan` in any case;
 * - base 60 has two or three parts, the first worth 3600 (`1:30` is 5400, as Psych computes it,
 *   each part by Ruby's to_i or to_f: `1__0:30` is 1 * 3600 + 30 * 60).
 * Each replaces the test (and the reading) of the library's tag, keeping how it writes a number;
 * the library's other 1.1 number forms get no test, so never match. A timestamp or a date (Psych's
 * forms) is an error: GitLab refuses the file (see psychTimestamp). The merge key and the explicit
 * tags stay the library's.
 */
const PSYCH_BOOLEANS: [RegExp, RegExp] = [/^(?:yes|true|on)$/i, /^(?:no|false|off)$/i];
const PSYCH_NULL = /^(?:~|null)?$/i;
const PSYCH_INTEGER = /^[-+]?(?:0b[0-1_,]+|0[0-7_,]+|0|[1-9](?:[_,]?[0-9])*|0x[0-9a-fA-F_,]+)$/;
/** Psych's FLOAT, less `.`, `+.` and a `.` before the exponent with no digit (which Psych's Float() raises on). */
const PSYCH_FLOAT = /^(?![-+]?\.(?:[eE]|$))[-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?$/;
const PSYCH_SPECIAL_FLOAT = /^(?:[-+]?\.inf|\.nan)$/i;
const PSYCH_BASE60_INT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}$/;
const PSYCH_BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}\.[0-9_]*$/;
/** Psych's TIME and its date (Ruby's `\s`: no other space). */
const RUBY_SPACE = '[ \\t\\n\\v\\f\\r]';
const PSYCH_TIME = new RegExp(
  `^-?[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|${RUBY_SPACE}+)[0-9]{1,2}:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?` +
    `(?:${RUBY_SPACE}*(?:Z|[-+][0-9]{1,2}:?(?:[0-9][0-9])?))?$`,
);
const PSYCH_DATE = /^[0-9]{4}-(?:1[012]|0[0-9]|[0-9])-(?:[12][0-9]|3[01]|0[0-9]|[0-9])$/;
const PSYCH_TIMESTAMP = new RegExp(`${PSYCH_TIME.source}|${PSYCH_DATE.source}`);

/**
 * Psych reads these plain scalars as a Time or a Date, classes GitLab's YAML.safe_load does not
 * permit (only Symbol): the whole file is refused, with Psych's DisallowedClass message. An error
 * on the scalar, as the library reports a tag it cannot resolve; the value stays the text.
 */
function psychTimestamp(text: string, onError: (message: string) => void): string {
  onError(`Tried to load unspecified class: ${PSYCH_TIME.test(text) ? 'Time' : 'Date'}`);
  return text;
}

/** Psych's Integer() of a scalar PSYCH_INTEGER matches, without its `_` and `,`. */
function psychInteger(text: string): number {
  const digits = text.replace(/[,_]/g, '');
  const sign = digits.startsWith('-') ? -1 : 1;
  const unsigned = digits.replace(/^[-+]/, '');
  const [radix, body] =
    unsigned.startsWith('0b') || unsigned.startsWith('0x')
      ? [unsigned[1] === 'b' ? 2 : 16, unsigned.slice(2)]
      : unsigned.length > 1 && unsigned.startsWith('0')
        ? [8, unsigned.slice(1)]
        : [10, unsigned];
  const value = body === '' ? 0 : parseInt(body, radix);
  return value === 0 ? 0 : sign * value;
}

/**
 * Scalars Psych reads as a Float whose value is whole (`1.0`, `2.`, `1:30.0`): to JavaScript, and
 * so to ci.json, an integer; to GitLab no Integer (`retry: 1.0` is refused). Kept by node, and
 * counted, so that a parse can tell whether it made any (almost none does).
 */
const WHOLE_FLOATS = new WeakSet<Scalar>();
let wholeFloatsMade = 0;
export const isWholeFloat = (node: unknown): node is Scalar => isScalar(node) && WHOLE_FLOATS.has(node);
/** How many whole floats the parses so far have made: compared before and after one. */
export const wholeFloatCount = (): number => wholeFloatsMade;

/** Documents whose parse made a whole float: the only ones where one is looked for. */
const FLOAT_DOCUMENTS = new WeakSet<Document>();
export const noteWholeFloats = (doc: Document): void => void FLOAT_DOCUMENTS.add(doc);
export const holdsWholeFloats = (doc: Document): boolean => FLOAT_DOCUMENTS.has(doc);

/**
 * What `read` gives while each whole Float of `doc` (isWholeFloat) holds a RubyFloat for its value:
 * `doc.toJS()`, or a node's toJS, with `2.0` as the Float Ruby writes `2.0` (input values, which
 * interpolation writes as Ruby does), not the 2 JavaScript reads.
 */
export function withRubyFloats<T>(doc: Document, read: () => T): T {
  const floats: Scalar[] = [];
  visit(doc, {
    // Values only: a key stays the string the library makes of its number.
    Scalar(key, node) {
      if (key !== 'key' && isWholeFloat(node)) floats.push(node);
    },
  });
  if (floats.length === 0) return read();
  for (const node of floats) node.value = new RubyFloat(node.value as number);
  try {
    return read();
  } finally {
    for (const node of floats) node.value = (node.value as RubyFloat).valueOf();
  }
}

function markIfWhole(node: Scalar): Scalar {
  if (typeof node.value === 'number' && Number.isInteger(node.value)) {
    WHOLE_FLOATS.add(node);
    wholeFloatsMade++;
  }
  return node;
}

/** Psych's Float() of a scalar PSYCH_FLOAT matches: without `_` and `,`, as the library keeps `2.0`'s fraction digits. */
function psychFloat(text: string): Scalar {
  const node = new Scalar(parseFloat(text.replace(/[,_]/g, '')));
  const fraction = /\.([0-9]*)/.exec(text)?.[1] ?? '';
  if (fraction.endsWith('0')) node.minFractionDigits = fraction.length;
  return markIfWhole(node);
}

/** The number at the start of a text as Ruby's to_i or to_f reads it: a `_` only between two digits. */
const RUBY_TO_I = /^[-+]?[0-9]+(?:_[0-9]+)*/;
const RUBY_TO_F = /^[-+]?[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?/;

/** Psych's base 60: each part times 60 ** |index - 2| (Ruby's to_i or to_f of the part). */
function psychBase60(text: string, float: boolean): number {
  let sum = 0;
  text.split(':').forEach((part, index) => {
    const digits = ((float ? RUBY_TO_F : RUBY_TO_I).exec(part)?.[0] ?? '0').replace(/_/g, '');
    const value = (float ? parseFloat : parseInt)(digits);
    sum += value * 60 ** Math.abs(index - 2);
  });
  return sum;
}

/** A base-60 float (`1:30.0`): a Float to Psych, whole or not. */
const psychBase60Float = (text: string): Scalar => markIfWhole(new Scalar(psychBase60(text, true)));

type ScalarTagLike = { tag: string; default?: unknown; format?: string; test?: RegExp };

/** A test that matches no text. */
const NEVER = /(?!)/;

/** A tag that no plain scalar matches (it still writes the numbers of its format). */
const withoutTest = <T extends { test?: RegExp }>(tag: T): T => {
  const copy = { ...tag };
  delete copy.test;
  return copy;
};

/** The 1.1 schema's two bool tags (true, then false) with Psych's tests: `y` and `n` are strings. */
const psychBooleans = (tags: Tags): Tags => {
  let bool = 0;
  return tags.map((tag) =>
    typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:bool' && 'test' in tag && tag.test
      ? { ...tag, test: PSYCH_BOOLEANS[Math.min(bool++, 1)] as RegExp }
      : tag,
  );
};

/** The merge key, `<<`. */
const MERGE_KEY = '<<';

type MapLike = Map<unknown, unknown> | Set<unknown> | Record<string, unknown>;

/** A key set in a map as the library's toJS sets one (a key such as `constructor` or `__proto__` too). */
function setKey(map: MapLike, key: unknown, value: unknown): void {
  if (map instanceof Map) map.set(key, value);
  else if (map instanceof Set) map.add(key);
  else Object.defineProperty(map, String(key), { value, writable: true, enumerable: true, configurable: true });
}

/** Each document's aliases to the nodes they name, found in one walk (see aliasTarget). */
const ALIAS_TARGETS = new WeakMap<Document, Map<unknown, unknown>>();

/**
 * The node an alias names (the last node with its anchor before it), as the library's
 * Alias#resolve finds it; that walks the whole document on every call, once per alias per lookup
 * (a 10 MB file with a hundred merge keys took minutes). Here one walk per document.
 */
export function aliasTarget(doc: Document, node: unknown): unknown {
  if (!isAlias(node)) return node;
  let targets = ALIAS_TARGETS.get(doc);
  if (!targets) {
    const found = new Map<unknown, unknown>();
    const anchors = new Map<string, unknown>();
    visit(doc, {
      Node(_key, item) {
        if (isAlias(item)) found.set(item, anchors.get(item.source));
        else if (item.anchor) anchors.set(item.anchor, item);
      },
    });
    ALIAS_TARGETS.set(doc, (targets = found));
  }
  return targets.get(node);
}

/** Whether a key node is the merge key (a plain `<<`, as the schema's merge tag reads it). */
export const isMergeKey = (key: unknown): boolean =>
  isScalar(key) &&
  ((typeof key.value === 'symbol' && key.value.description === MERGE_KEY) ||
    (key as { addToJSMap?: unknown }).addToJSMap === addPsychMerge);

/**
 * The maps a merge key's value brings in, in the order written (the first wins), as Psych takes
 * them: a map or an alias to one, or a list written there (not an alias to one) of those;
 * undefined for anything else, which Psych keeps as the key `<<`. `resolve` follows an alias.
 */
export function mergeSources(value: unknown, resolve: (node: unknown) => unknown): YAMLMap[] | undefined {
  const sources = isSeq(value) ? value.items.map(resolve) : [resolve(value)];
  return sources.every((source): source is YAMLMap => isMap(source)) ? sources : undefined;
}

/**
 * Psych's merge key (Psych::Visitors::ToRuby#revive_hash), where the yaml library's differs: what
 * `<<` brings in replaces the keys written before it (the library keeps those; keys after it win
 * in both); a list of maps merges with the first winning, as in both; a value that is anything
 * else — a scalar, an alias to a list, a list holding anything but maps — is kept as the key `<<`
 * (Psych rescues the TypeError; the library throws).
 */
function addPsychMerge(ctx: ToJSContext | undefined, map: MapLike, value: unknown): void {
  const sources = mergeSources(value, (node) => (ctx && isAlias(node) ? node.resolve(ctx.doc, ctx) : node));
  if (!sources) {
    setKey(map, MERGE_KEY, toJS(value, MERGE_KEY, ctx));
    return;
  }
  const merged = new Map<unknown, unknown>();
  for (const source of sources.reverse()) {
    // A map merging itself (through an alias to the map it is in) adds nothing: Psych merges the
    // hash it is building into itself.
    if (MERGING.has(source)) continue;
    MERGING.add(source);
    try {
      for (const [key, item] of source.toJSON(null, ctx, Map)) merged.set(key, item);
    } finally {
      MERGING.delete(source);
    }
  }
  for (const [key, item] of merged) setKey(map, key, item);
}
/** The maps addPsychMerge is reading, to stop at one that merges itself. */
const MERGING = new Set<YAMLMap>();

const psychMergeKey = () => Object.assign(new Scalar(Symbol(MERGE_KEY)), { addToJSMap: addPsychMerge });

/** A key `<<` that is a string to Psych (`!!str <<`): set as it is, where the library would merge. */
function addStringKey(ctx: ToJSContext | undefined, map: MapLike, value: unknown): void {
  setKey(map, MERGE_KEY, toJS(value, MERGE_KEY, ctx));
}

/** What makes a `<<` key other than a plain one: quoted, or tagged str (`!!str`, or verbatim). */
const WRITTEN_MERGE_KEY = /(["'])<<\1|(?:!!str|!<tag:yaml\.org,2002:str>)[ \t]+<</;

/**
 * Psych's merge key is any `<<` key without the str tag (ToRuby#revive_hash: `key == '<<' &&
 * k.tag != "tag:yaml.org,2002:str"`), so a quoted `"<<"` merges too, and `!!str <<` does not;
 * the yaml library merges a plain `<<` only, whatever its tag. Such keys get Psych's reading.
 */
function readMergeKeysAsPsych(source: string, documents: readonly Document[]): void {
  if (!WRITTEN_MERGE_KEY.test(source)) return;
  for (const doc of documents)
    visit(doc, {
      Pair(_key, pair) {
        const key = pair.key;
        if (!isScalarNode(key) || key.value !== MERGE_KEY) return;
        if (key.tag === undefined && (key.type === Scalar.QUOTE_DOUBLE || key.type === Scalar.QUOTE_SINGLE))
          Object.assign(key, { addToJSMap: addPsychMerge });
        else if (key.tag === 'tag:yaml.org,2002:str') Object.assign(key, { addToJSMap: addStringKey });
      },
    });
}

const psychBinary = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

const psychTags = (tags: Tags): Tags =>
  psychBooleans(tags).map((tag) => {
    if (typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:merge') return { ...tag, resolve: psychMergeKey };
    // Psych reads `!!binary` as the String its base64 holds (`unpack('m')`, which skips what is
    // not base64), not a byte array: `!!binary aGk=` is "hi".
    if (typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:binary') return { ...(tag as ScalarTag), resolve: psychBinary };
    if (typeof tag !== 'object' || !('test' in tag) || !tag.test || tag.default !== true) return tag;
    const { tag: name, format } = tag as ScalarTagLike;
    if (name === 'tag:yaml.org,2002:null') return { ...tag, test: PSYCH_NULL };
    if (name === 'tag:yaml.org,2002:timestamp') return { ...tag, test: PSYCH_TIMESTAMP, resolve: psychTimestamp };
    if (name === 'tag:yaml.org,2002:int') {
      if (format === 'TIME') return { ...tag, test: PSYCH_BASE60_INT, resolve: (text: string) => psychBase60(text, false) };
      if (format === undefined) return { ...tag, test: PSYCH_INTEGER, resolve: psychInteger };
      // PSYCH_INTEGER reads every base; this one matches nothing. A test it keeps, not none: for an
      // explicit `!!int "7"` the yaml library takes the first int tag without a test (this binary
      // one, which read NaN), else the first whose test matches (Psych's, 7).
      return { ...tag, test: NEVER };
    }
    if (name === 'tag:yaml.org,2002:float') {
      if (format === 'TIME') return { ...tag, test: PSYCH_BASE60_FLOAT, resolve: psychBase60Float };
      if (format === 'EXP') return withoutTest(tag);
      if (tag.test.test('.nan')) return { ...tag, test: PSYCH_SPECIAL_FLOAT };
      return { ...tag, test: PSYCH_FLOAT, resolve: psychFloat };
    }
    return tag;
  });

/** The tags of a CI file: Psych's plain scalars and GitLab's `!reference`. */
export const customTags = (tags: Tags): Tags => [...psychTags(tags), referenceTag];

/**
 * Psych reads a plain scalar of `:` and at least one more character as a Ruby Symbol (`:ctx` is
 * :ctx, whose to_s drops the colon), and GitLab's YAML.safe_load permits Symbol: a string written
 * so must be quoted. A test for the writer only (reading, such a scalar is still the string).
 */
const psychSymbolTest: ScalarTag = {
  tag: '!ruby/symbol',
  default: true,
  test: /^:./,
  resolve: (text: string) => text,
};

let compatTags: Tags | undefined;
/**
 * Written strings are quoted where Psych would read them as anything but a string (a Symbol too),
 * and also where the library's 1.1 schema would (`1e3`, `09`: the yaml library's `compat`), as
 * cigen quoted them before it read scalars as Psych does: a YAML 1.1 reader other than Psych reads
 * them as strings too.
 */
function writerCompat(): Tags {
  compatTags ??= new Document(null, { version: '1.1', customTags: psychBooleans }).schema.tags.concat(psychSymbolTest);
  return compatTags;
}

/** The options of a Document cigen writes. */
export const writeOptions = () => ({ customTags, version: YAML_VERSION, compat: writerCompat() });

const TO_STRING: ToStringOptions = {
  lineWidth: 0,
  flowCollectionPadding: false,
  indentSeq: true,
};

/** Characters YAML 1.1 (GitLab's Psych) reads as line breaks, unlike YAML 1.2. */
const YAML11_BREAKS = /[\u0085\u2028\u2029]/;

/**
 * The anchors of the Literals that occur more than once in a value (one component's jobs, say):
 * those are written in full once, with their anchor, and as an alias after that. An anchor names
 * one text: the same anchor on two different texts is a mistake in cigen, thrown.
 */
function repeatedAnchors(value: unknown): Set<string> {
  const texts = new Map<string, string>();
  const repeated = new Set<string>();
  const visit = (item: unknown): void => {
    if (item instanceof Literal) {
      if (item.anchor === undefined) return;
      const text = texts.get(item.anchor);
      if (text === undefined) texts.set(item.anchor, item.text);
      else if (text !== item.text) throw new Error(`two different texts under the YAML anchor &${item.anchor}`);
      else repeated.add(item.anchor);
    } else if (Array.isArray(item)) {
      for (const entry of item) visit(entry);
    } else if (item !== null && typeof item === 'object' && !(item instanceof Reference)) {
      for (const entry of Object.values(item)) visit(entry);
    }
  };
  visit(value);
  return repeated;
}

/** The anchors to write in one document (repeated) and those written so far. */
interface WrittenAnchors {
  repeated: Set<string>;
  written: Set<string>;
}

/**
 * The anchor rule for a Literal, shared by both writers: its alias when its text was written
 * already, the anchor to write with it when it repeats (marked written), nothing otherwise.
 */
function anchorOf(value: Literal, anchors: WrittenAnchors): { alias: string } | { anchor: string } | undefined {
  const name = value.anchor;
  if (name === undefined || !anchors.repeated.has(name)) return undefined;
  if (anchors.written.has(name)) return { alias: name };
  anchors.written.add(name);
  return { anchor: name };
}

/** A scalar written double-quoted. */
function doubleQuoted(text: string): Scalar {
  const scalar = new Scalar(text);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** Turns model values into yaml nodes: Literal becomes a literal block scalar. */
function toNode(doc: Document, value: unknown, anchors: WrittenAnchors): unknown {
  // Plain, YAML 1.1 line breaks would break the line; double-quoted, they are escapes.
  if (typeof value === 'string' && YAML11_BREAKS.test(value)) return doubleQuoted(value);
  if (value instanceof Quoted) return doubleQuoted(value.text);
  if (value instanceof Literal) {
    const shared = anchorOf(value, anchors);
    if (shared && 'alias' in shared) return new Alias(shared.alias);
    const scalar = new Scalar(value.text);
    scalar.type = Scalar.BLOCK_LITERAL;
    if (shared) scalar.anchor = shared.anchor;
    return scalar;
  }
  if (value instanceof Reference) return doc.createNode(value);
  if (value instanceof RubyFloat) return Object.assign(new Scalar(value.valueOf()), { minFractionDigits: 1 });
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(doc.schema);
    for (const item of value) seq.items.push(toNode(doc, item, anchors));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = doc.createNode({}) as Node;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      (map as unknown as { set(k: unknown, v: unknown): void }).set(key, toNode(doc, item, anchors));
    }
    return map;
  }
  return value;
}

/** GitLab reads YAML with Ruby's Psych, which speaks YAML 1.1 (`on`, `yes` and `no` are
 *  booleans there), so cigen reads and writes 1.1 too. */
export const YAML_VERSION = '1.1' as const;

const BREAK_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

/** What the yaml library and JSON.stringify leave raw in a double-quoted scalar that YAML 1.1
 *  reads otherwise: NEL, LS and PS (line breaks, folded) and DEL and the C1 controls (not
 *  printable: libyaml stops with "control characters are not allowed"). */
const RAW_IN_DOUBLE_QUOTES = /[\x7f-\x9f\u2028\u2029]/g;

/** Double-quoted text with those characters as YAML's own escapes. */
const escapeRawInDoubleQuotes = (text: string): string =>
  text.replace(RAW_IN_DOUBLE_QUOTES, (c) => BREAK_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A string as one double-quoted YAML scalar: JSON's escapes are YAML's. */
export const doubleQuotedScalar = (text: string): string => escapeRawInDoubleQuotes(JSON.stringify(text));

/** Which writer wrote the last text (tests). */
export let lastWriter: 'fast' | 'library' = 'fast';

export function stringifyYaml(value: unknown): string {
  // The characters yaml writes raw even in double quotes (RAW_IN_DOUBLE_QUOTES) become YAML's own
  // escapes: only double-quoted scalars hold them (see toNode; the library double-quotes any
  // string with a control character). The fast writer says whether it wrote one: most texts (a
  // component, 2 MB of scripts) hold none, and are not read again for them.
  const fast = process.env['CIGEN_YAML_FAST'] === '0' ? undefined : writeFast(value);
  lastWriter = fast === undefined ? 'library' : 'fast';
  if (fast !== undefined && !rawWritten) return fast;
  return oneByte(escapeRawInDoubleQuotes(fast ?? writeWithDocument(value)));
}

function writeWithDocument(value: unknown): string {
  const doc = new Document(null, writeOptions());
  doc.contents = toNode(doc, value, { repeated: repeatedAnchors(value), written: new Set() }) as Node;
  return doc.toString(TO_STRING);
}

/*
 * The same text without building a Document: the yaml library's own scalar writers
 * (stringifyString, stringifyNumber) for every key and scalar, laid out in block mappings and
 * sequences as its collection writers lay them out with TO_STRING (two spaces, sequences
 * indented, no line folding). A value outside what this lays out — a mapping whose values are all
 * null, an empty key, a key longer than 1,024 characters, a value of another class — is written by
 * the library. test/unit/yaml-fast.test.ts compares the two on every component and on random values.
 */
const GIVE_UP_WRITING = new Error('not written here');
let writeContext: StringifyContext | undefined;
/** Whether the text writeFast writes holds a character of RAW_IN_DOUBLE_QUOTES. */
let rawWritten = false;
/** Whether writeNode writes a list of scalars in flow style (`[a, b]`): stringifyBlockWithFlowLists. */
let flowScalarLists = false;
const HOLDS_RAW = new RegExp(RAW_IN_DOUBLE_QUOTES.source);

/** The context the library's writers get for TO_STRING (its defaults, then TO_STRING). */
function baseContext(): StringifyContext {
  if (writeContext) return writeContext;
  const doc = new Document(null, writeOptions());
  const options = {
    blockQuote: true,
    commentString: (comment: string) => comment.replace(/^(?!$)(?: $)?/gm, '#'),
    defaultKeyType: null,
    defaultStringType: 'PLAIN',
    directives: null,
    doubleQuotedAsJSON: false,
    doubleQuotedMinMultiLineLength: 40,
    falseStr: 'false',
    flowCollectionPadding: true,
    indentSeq: true,
    lineWidth: 80,
    minContentWidth: 20,
    nullStr: 'null',
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: 'true',
    verifyAliasOrder: true,
    ...TO_STRING,
  };
  writeContext = {
    anchors: new Set(),
    doc,
    flowCollectionPadding: '',
    indent: '',
    indentStep: '  ',
    inFlow: null,
    options,
  } as StringifyContext;
  return writeContext;
}

function writeFast(value: unknown): string | undefined {
  rawWritten = false;
  try {
    if (!isPlainCollection(value)) return undefined;
    return `${writeNode(value, '', baseContext(), { repeated: repeatedAnchors(value), written: new Set() })}\n`;
  } catch (error) {
    if (error === GIVE_UP_WRITING) return undefined;
    throw error;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
const isPlainCollection = (value: unknown): boolean => Array.isArray(value) || isPlainObject(value);

/** What makes the library write a string by its indentation: a document marker at a line's start. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;
/**
 * Single-line strings as the library wrote them, one map per kind of place (a key, a value, a
 * part of a !reference): without line folding such a string's text does not depend on its
 * indentation (unless it holds a document marker), and a catalog writes the same keys and values
 * many times. Bounded, for a long run.
 */
const writtenStrings = { key: new Map<string, string>(), value: new Map<string, string>(), flow: new Map<string, string>() };
const WRITTEN_STRINGS_LIMIT = 50_000;

/** The map kept for strings written in this kind of place: the three places the writer writes strings. */
function writtenIn(context: StringifyContext, asWritten: boolean): Map<string, string> | undefined {
  if (context.inFlow) return asWritten ? writtenStrings.flow : undefined;
  if (context.implicitKey) return asWritten ? writtenStrings.key : undefined;
  return asWritten ? undefined : writtenStrings.value;
}

/** A scalar (a key when `implicitKey`), written by the library's writers in `context`. */
function writeScalar(value: unknown, context: StringifyContext, asWritten = false): string {
  if (typeof value === 'string') {
    // renderBlock's library writes `<<` as a merge key (plain): left to it.
    if (flowScalarLists && value === MERGE_KEY) throw GIVE_UP_WRITING;
    const place = writtenIn(context, asWritten);
    const single = place !== undefined && !value.includes('\n') && !DOCUMENT_MARKER.test(value);
    if (single) {
      const written = place.get(value);
      if (written !== undefined) return noteRaw(written);
    }
    const text = noteRaw(writeString(value, context, asWritten));
    if (single) {
      if (place.size >= WRITTEN_STRINGS_LIMIT) place.clear();
      place.set(value, text);
    }
    return text;
  }
  return writeOther(value, context);
}

/** A string as the library writes it there (not kept: see writtenStrings). */
function writeString(value: string, context: StringifyContext, asWritten: boolean): string {
  const scalar = new Scalar(value);
  // As toNode makes values (a scalar node: `<<` would be written by the merge tag); keys and
  // the parts of a !reference stay as they are.
  if (!asWritten && YAML11_BREAKS.test(value)) {
    if (value === MERGE_KEY) throw GIVE_UP_WRITING;
    scalar.type = Scalar.QUOTE_DOUBLE;
  }
  return stringTag.stringify?.(scalar, context) ?? '';
}

/** `text`, noted in rawWritten when it holds a character of RAW_IN_DOUBLE_QUOTES. */
function noteRaw(text: string): string {
  if (!rawWritten && HOLDS_RAW.test(text)) rawWritten = true;
  return text;
}

/** Any other scalar: a Literal (block or quoted), a Quoted, a number, a boolean, null. */
function writeOther(value: unknown, context: StringifyContext): string {
  if (value instanceof Quoted) return noteRaw(stringTag.stringify?.(doubleQuoted(value.text), context) ?? '');
  if (value instanceof Literal) {
    if (value.text === MERGE_KEY) throw GIVE_UP_WRITING;
    const block = literalBlock(value.text, context);
    if (block !== undefined) return block;
    const scalar = new Scalar(value.text);
    scalar.type = Scalar.BLOCK_LITERAL;
    return noteRaw(stringTag.stringify?.(scalar, context) ?? '');
  }
  if (typeof value === 'number') return stringifyNumber({ value } as Scalar);
  // A whole Float (an input's `2.0`) as one: Psych reads `2.0` as the Float, `2` as the Integer.
  if (value instanceof RubyFloat) return stringifyNumber({ value: value.valueOf(), minFractionDigits: 1 } as Scalar);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  throw GIVE_UP_WRITING;
}

/** A scalar as writeScalar writes it; an anchored Literal as `&anchor |...` the first time, `*anchor` after. */
function writeValue(value: unknown, context: StringifyContext, anchors: WrittenAnchors): string {
  const shared = value instanceof Literal ? anchorOf(value, anchors) : undefined;
  if (shared && 'alias' in shared) return `*${shared.alias}`;
  if (shared) return `&${shared.anchor} ${writeScalar(value, context)}`;
  return writeScalar(value, context);
}

/** Characters the library's writer double-quotes a string for: controls and any surrogate (paired ones too, here). */
// eslint-disable-next-line no-control-regex
const QUOTED_CHARACTERS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]/;
/** Those and the rest of RAW_IN_DOUBLE_QUOTES: a text with none is read once for both. */
// eslint-disable-next-line no-control-regex
const QUOTED_OR_RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]/;
const isBlank = (code: number): boolean => code === 10 || code === 9 || code === 32;

/**
 * A literal block as the library's blockString writes it, for the text most literals are (a job's
 * script, a variable's value): nested (indented), starting with a printable character, ending with
 * one (clip, `|`) or no (strip, `|-`) line break after a printable character. Undefined for
 * anything else (leading whitespace takes an indentation indicator, trailing blank lines keep
 * chomping, a control character double quotes): the library writes it.
 */
function literalBlock(text: string, context: StringifyContext): string | undefined {
  const { indent } = context;
  if (indent === '' || text === '' || context.implicitKey || context.inFlow) return undefined;
  const clip = text.charCodeAt(text.length - 1) === 10;
  const last = text.length - (clip ? 2 : 1);
  if (last < 0 || isBlank(text.charCodeAt(0)) || isBlank(text.charCodeAt(last))) return undefined;
  if (QUOTED_OR_RAW.test(text)) {
    if (QUOTED_CHARACTERS.test(text)) return undefined;
    rawWritten = true;
  }
  const body = clip ? text.slice(0, -1) : text;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** The contexts writeNode gives the library's writers at one indentation: for a value, a key, a part of a !reference. */
interface PlaceContexts {
  value: StringifyContext;
  key: StringifyContext;
  flow: StringifyContext;
  flowKey: StringifyContext;
}
const placeContexts = new Map<string, PlaceContexts>();

/** The contexts at `indent`, made once per indentation (the base context never changes). */
function contextsAt(indent: string, context: StringifyContext): PlaceContexts {
  let made = placeContexts.get(indent);
  if (made === undefined || made.value.options !== context.options) {
    made = {
      value: { ...context, indent },
      key: { ...context, indent, implicitKey: true },
      flow: { ...context, indent, inFlow: true },
      flowKey: { ...context, indent, inFlow: true, implicitKey: true },
    };
    placeContexts.set(indent, made);
  }
  return made;
}

/** A collection as the library writes it at indentation `indent` (its own lines' indentation). */
function writeNode(value: unknown, indent: string, context: StringifyContext, anchors: WrittenAnchors): string {
  if (value instanceof Reference) {
    // Its parts are scalar nodes: `<<` is written by the merge tag; a part on two lines breaks the
    // flow sequence over lines. The library's.
    if (value.path.some((part) => part === MERGE_KEY)) throw GIVE_UP_WRITING;
    const flow = contextsAt(`${indent}  `, context).flow;
    const items = value.path.map((part) => writeScalar(part, flow, true));
    if (items.some((item) => item.includes('\n'))) throw GIVE_UP_WRITING;
    return `!reference [${items.join(', ')}]`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (flowScalarLists && value.every(isPlainScalar)) {
      const flow = contextsAt(`${indent}  `, context).flow;
      return `[${value.map((item: unknown) => writeFlowScalar(item, flow)).join(', ')}]`;
    }
    const itemIndent = `${indent}  `;
    const itemContext = contextsAt(itemIndent, context).value;
    let out = '';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw GIVE_UP_WRITING;
      const text =
        isPlainCollection(item) || item instanceof Reference
          ? writeNode(item, itemIndent, context, anchors)
          : writeValue(item, itemContext, anchors);
      out += i === 0 ? `- ${text}` : `\n${indent}- ${text}`;
    }
    return out;
  }
  if (!isPlainObject(value)) throw GIVE_UP_WRITING;
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  // A mapping of nulls only is written as a set (`? key`) by the library.
  if (entries.every(([, item]) => item === null)) throw GIVE_UP_WRITING;
  const pairIndent = `${indent}  `;
  const pairContexts = contextsAt(pairIndent, context);
  let out = '';
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i] as [string, unknown];
    if (key === '') throw GIVE_UP_WRITING;
    const keyText = writeScalar(key, pairContexts.key, true);
    if (keyText.length > 1024) throw GIVE_UP_WRITING;
    let line: string;
    if (item instanceof Reference) line = `${keyText}: ${writeNode(item, pairIndent, context, anchors)}`;
    else if (isPlainCollection(item)) {
      const text = writeNode(item, pairIndent, context, anchors);
      const inline = text === '[]' || text === '{}' || (flowScalarLists && text.charCodeAt(0) === 91); // `[`: a flow list
      line = inline ? `${keyText}: ${text}` : `${keyText}:\n${pairIndent}${text}`;
    } else {
      const text = writeValue(item, pairContexts.value, anchors);
      // (charCodeAt reads a concatenated string without flattening it, as startsWith would.)
      line = text === '' || text.charCodeAt(0) === 10 ? `${keyText}:${text}` : `${keyText}: ${text}`;
    }
    out += i === 0 ? line : `\n${indent}${line}`;
  }
  return out;
}

/**
 * A value on one line in flow style, as a user writes it in `inputs:` (`[ a, b ]`, `{ k: v }`,
 * a space inside the brackets): each scalar as the writers above write it in a flow collection,
 * YAML 1.1 as GitLab reads it. What this does not lay out (a null, an empty key, a string with a
 * line break, a value of another class) the library writes (test/unit/yaml-fast.test.ts compares
 * the two).
 */
export function stringifyFlow(value: unknown): string {
  rawWritten = false;
  try {
    const text = writeFlow(value, contextsAt('', baseContext()));
    return rawWritten ? escapeRawInDoubleQuotes(text) : text;
  } catch (error) {
    if (error !== GIVE_UP_WRITING) throw error;
    return escapeRawInDoubleQuotes(writeFlowWithDocument(value));
  }
}

/** The library's flow text of a value: a Document of it in flow style, written on one line. */
export function writeFlowWithDocument(value: unknown): string {
  const doc = new Document(value, writeOptions());
  return doc.toString({ ...TO_STRING, collectionStyle: 'flow', flowCollectionPadding: true }).trimEnd();
}

/** A plain scalar or collection of them in flow style (see stringifyFlow). */
function writeFlow(value: unknown, contexts: PlaceContexts): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[ ${value.map((item: unknown) => writeFlow(item, contexts)).join(', ')} ]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const pairs = entries.map(([key, item]) => {
      if (key === '' || key.length > 1024) throw GIVE_UP_WRITING;
      return `${writeFlowScalar(key, contexts.flowKey)}: ${writeFlow(item, contexts)}`;
    });
    return `{ ${pairs.join(', ')} }`;
  }
  return writeFlowScalar(value, contexts.flow);
}

/** A scalar in a flow collection (noted in rawWritten), or GIVE_UP_WRITING for one the library writes otherwise. */
function writeFlowScalar(value: unknown, context: StringifyContext): string {
  if (typeof value === 'string') {
    if (value.includes('\n') || YAML11_BREAKS.test(value) || value === MERGE_KEY || DOCUMENT_MARKER.test(value)) throw GIVE_UP_WRITING;
    return noteRaw(stringTag.stringify?.(new Scalar(value), context) ?? '');
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return writeOther(value, context);
  throw GIVE_UP_WRITING;
}

/** A string, a number, a boolean or null: what the library makes a scalar node of. */
const isPlainScalar = (value: unknown): boolean =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * Data as block YAML at column 0 with its lists of scalars in flow style (`tags: [v1, latest]`),
 * as splice.ts's renderBlock has the library write it; undefined for what this does not lay out
 * there (a text the library writes raw, a value of another class): the library writes it then.
 */
export function stringifyBlockWithFlowLists(value: unknown): string | undefined {
  flowScalarLists = true;
  try {
    const text = writeFast(value);
    return text === undefined || rawWritten ? undefined : text;
  } finally {
    flowScalarLists = false;
  }
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

/** Line breaks to YAML 1.1 (libyaml, GitLab's Psych) that the yaml library reads as text: NEL, LS
 *  and PS (text in YAML 1.2), and a carriage return not followed by a line feed (a break in both,
 *  but the library takes only CRLF). */
const YAML11_TEXT_BREAKS = /[\u0085\u2028\u2029]|\r(?!\n)/;

/** The text as YAML 1.1 (GitLab's Psych) reads its lines: each of YAML11_TEXT_BREAKS becomes a
 *  newline of the same length, so every offset stays valid. */
export const withYaml11Breaks = (text: string): string =>
  YAML11_TEXT_BREAKS.test(text) ? text.replace(new RegExp(YAML11_TEXT_BREAKS.source, 'g'), '\n') : text;

/**
 * Characters libyaml's reader refuses anywhere in a text, comments too ("control characters are
 * not allowed"): all but tab, LF, CR, NEL, the printable ASCII, U+00A0–U+D7FF, U+E000–U+FFFD and
 * what lies beyond U+FFFF. GitLab then refuses the whole file.
 */
// eslint-disable-next-line no-control-regex
const PSYCH_REFUSED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/;

/** YAML 1.1's line breaks, what the fast composer does not take and what Psych refuses, in one
 *  class: most texts hold none, and one scan of a large text then does for all three. */
// eslint-disable-next-line no-control-regex
const SPECIAL_CHARACTERS = /[\u0085\u2028\u2029\t\r\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]/;

interface Prepared {
  source: string;
  /** Nothing in it the fast composer does not take. */
  clean: boolean;
  /** The offset of the first character Psych refuses, if any. */
  refused?: number;
}

/** The text with YAML 1.1's breaks as newlines, whether the fast composer may take it, and where
 *  Psych would refuse it. */
function prepare(text: string): Prepared {
  if (!SPECIAL_CHARACTERS.test(text)) return { source: text, clean: true };
  const source = withYaml11Breaks(text);
  const refused = PSYCH_REFUSED.exec(text)?.index;
  return { source, clean: !UNTAKEN_CHARACTERS.test(source), ...(refused === undefined ? {} : { refused }) };
}

/** A character Psych's reader refuses (see PSYCH_REFUSED): GitLab refuses the whole file. */
export class RefusedCharacterError extends YAMLParseError {
  constructor(offset: number, character: string) {
    const code = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    super(
      [offset, offset + 1],
      'REFUSED_CHARACTER' as YAMLParseError['code'],
      `control characters are not allowed (${code}): GitLab's YAML reader refuses the whole file`,
    );
  }
}

/** The error for a refused character, in the document it is written in (else the last; with none,
 *  a document made for it). */
function addRefused(text: string, documents: Document.Parsed[], refused: number | undefined): void {
  if (refused === undefined) return;
  let doc = documents.find((item) => item.range[2] > refused) ?? documents.at(-1);
  if (!doc) {
    doc = new Document(null, parseOptions()) as Document.Parsed;
    doc.range = [0, 0, text.length];
    documents.push(doc);
  }
  addErrors(doc, [new RefusedCharacterError(refused, text.charAt(refused))]);
}

/*
 * libyaml (Psych) reads a quoted scalar up to its closing quote whatever the indentation of the
 * lines between: only a document marker (`---` or `...` and a space or the end of the line) at the
 * start of one of them ends it, an error. The yaml library's lexer ends a quoted scalar at a line
 * indented no deeper than the block it is written in, which then reads `Missing closing "quote`; a
 * multi-line value pasted into `- "echo $[[ inputs.x ]]"` (text interpolation) writes such lines.
 * The library has no option for it: while readingAsPsych runs, its lexer scans each quoted scalar
 * as at the top level of a document (its `indentNext` 0, which keeps the check for a document
 * marker), then goes on as before. For a quoted scalar whose lines are indented that reads the same;
 * its value is folded the same way (the leading spaces of each line dropped). Two private members
 * of the library's Lexer are used: without them (another version of the library) readingAsPsych
 * reads as the library does, and test/unit/yaml-fast.test.ts fails.
 */
type QuotedScan = Generator<string, unknown, unknown>;
interface LexerInternals {
  indentNext: number;
  parseQuotedScalar: (this: LexerInternals) => QuotedScan;
}
const libraryQuoted = (Lexer.prototype as unknown as Partial<LexerInternals>).parseQuotedScalar;
const psychQuoted =
  typeof libraryQuoted === 'function' && typeof (new Lexer() as unknown as Partial<LexerInternals>).indentNext === 'number'
    ? function* (this: LexerInternals): QuotedScan {
        const indentNext = this.indentNext;
        this.indentNext = 0;
        const scan = libraryQuoted.call(this);
        let step: IteratorResult<string, unknown>;
        try {
          // The scan looks for the end of the scalar before it yields anything.
          step = scan.next();
        } finally {
          this.indentNext = indentNext;
        }
        while (!step.done) {
          yield step.value;
          step = scan.next();
        }
        return step.value;
      }
    : undefined;

/** `read` (a parse with the yaml library, done when it returns) with quoted scalars scanned as Psych scans them. */
export function readingAsPsych<T>(read: () => T): T {
  if (!psychQuoted) return read();
  const lexer = Lexer.prototype as unknown as LexerInternals;
  const saved = lexer.parseQuotedScalar;
  lexer.parseQuotedScalar = psychQuoted;
  try {
    return read();
  } finally {
    lexer.parseQuotedScalar = saved;
  }
}

/** libyaml's escapes in a double-quoted scalar (its `\x`, `\u` and `\U` apart). */
const PSYCH_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The line break at `i` as libyaml reads it, and its length: CRLF, CR, LF and NEL are a line feed, LS and PS stay. */
function breakAt(raw: string, i: number): [string, number] | undefined {
  const c = raw[i];
  if (c === '\r') return ['\n', raw[i + 1] === '\n' ? 2 : 1];
  if (c === '\n' || c === '\u0085') return ['\n', 1];
  if (c === '\u2028' || c === '\u2029') return [c, 1];
  return undefined;
}

/**
 * The value of a quoted scalar written `raw` (its quotes included, its line breaks as written) as
 * libyaml reads it (yaml_parser_scan_flow_scalar): in each run of blanks and line breaks, the
 * blanks before the first break and after each break are dropped; one line feed is a space, else
 * the breaks after the first are kept, and the first too when it is LS or PS (kept as they are).
 * An escaped line break keeps the breaks after it. Undefined where libyaml stops with an error (a
 * document marker at the start of a line, an unknown escape, no closing quote).
 */
export function psychQuotedValue(raw: string): string | undefined {
  const quote = raw[0];
  if (quote !== '"' && quote !== "'") return undefined;
  const single = quote === "'";
  let value = '';
  let i = 1;
  for (;;) {
    // A document marker at the start of a line (after a line break, an escaped one too).
    if (breakAt(raw, i - 1) && /^(?:---|\.\.\.)(?:[ \t\r\n\u0085\u2028\u2029]|$)/.test(raw.slice(i, i + 4))) return undefined;
    let leadingBlanks = false;
    for (;;) {
      const c = raw[i];
      if (c === undefined) return undefined;
      if (c === ' ' || c === '\t' || breakAt(raw, i)) break;
      if (c === quote) {
        if (!single || raw[i + 1] !== "'") break;
        value += "'";
        i += 2;
      } else if (!single && c === '\\') {
        const escapedBreak = breakAt(raw, i + 1);
        if (escapedBreak) {
          i += 1 + escapedBreak[1];
          leadingBlanks = true;
          break;
        }
        const next = raw[i + 1] ?? '';
        const length = HEX_ESCAPES[next];
        if (length !== undefined) {
          const hex = raw.slice(i + 2, i + 2 + length);
          const point = /^[0-9a-fA-F]+$/.test(hex) && hex.length === length ? parseInt(hex, 16) : -1;
          if (point < 0 || (point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) return undefined;
          value += String.fromCodePoint(point);
          i += 2 + length;
        } else {
          const escaped = PSYCH_ESCAPES[next];
          if (escaped === undefined) return undefined;
          value += escaped;
          i += 2;
        }
      } else {
        value += c;
        i++;
      }
    }
    if (raw[i] === quote) return i === raw.length - 1 ? value : undefined;
    let whitespaces = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    for (;;) {
      const c = raw[i];
      if (c === ' ' || c === '\t') {
        if (!leadingBlanks) whitespaces += c;
        i++;
        continue;
      }
      const found = breakAt(raw, i);
      if (!found) break;
      if (leadingBlanks) trailingBreaks += found[0];
      else [whitespaces, leadingBreak, leadingBlanks] = ['', found[0], true];
      i += found[1];
    }
    if (!leadingBlanks) value += whitespaces;
    else if (leadingBreak === '\n') value += trailingBreaks === '' ? ' ' : trailingBreaks;
    else value += leadingBreak + trailingBreaks;
  }
}

/** What the yaml library folds otherwise than Psych in a quoted scalar over lines: LS or PS (a
 *  newline in the prepared text) in the text, or an escaped line break before an empty line. */
const QUOTED_FOLDS_APART = /[\u2028\u2029]/;
const ESCAPED_BREAK_BEFORE_EMPTY = /\\\r?\n[ \t]*\r?\n/;

/**
 * The quoted scalars over several lines of documents the library read from `source` (`text`
 * prepared), each given the value Psych gives it (psychQuotedValue of its text in `text`), where
 * the text holds what the library folds otherwise: LS and PS, which are line breaks to Psych but
 * stay in the value, and an escaped line break before an empty line (the library makes the empty
 * line a space). A scalar with a tag other than str keeps what its tag made.
 */
function readQuotedAsPsych(text: string, source: string, documents: readonly Document[]): void {
  if (!QUOTED_FOLDS_APART.test(text) && !ESCAPED_BREAK_BEFORE_EMPTY.test(source)) return;
  for (const doc of documents)
    visit(doc, {
      Scalar(_key, node) {
        const { range, tag } = node;
        if ((node.type !== Scalar.QUOTE_DOUBLE && node.type !== Scalar.QUOTE_SINGLE) || !range) return;
        if ((tag !== undefined && tag !== 'tag:yaml.org,2002:str') || !source.slice(range[0], range[1]).includes('\n')) return;
        const value = psychQuotedValue(text.slice(range[0], range[1]));
        if (value === undefined) return;
        node.value = value;
        node.source = value;
      },
    });
}

/** Up to this many keys, duplicates are found by comparing each key with the earlier ones. */
const SMALL_MAP = 8;
// Captured once: in the bundle, every use of an import of the yaml module goes through a getter.
const isMapNode = isMap;
const isSeqNode = isSeq;
const isPairNode = isPair;
const isScalarNode = isScalar;

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
 * A key written as a mapping or a list (`? {include: 1}`): Psych keeps it as a hash or an array,
 * and GitLab takes none as the name of a keyword (allowed_keys are symbols), a job (Processable:
 * `validates :name, type: Symbol`) or a variable (AlphanumericValidator: a String, a Symbol or an
 * Integer). `written` is the key as JSON, shortened.
 */
export class CollectionKeyError extends YAMLParseError {
  constructor(offset: number, written: string, list: boolean) {
    const text = written.length > 40 ? `${written.slice(0, 39)}…` : written;
    super(
      [offset, offset + 1],
      'COLLECTION_KEY' as YAMLParseError['code'],
      `key ${text} is a ${list ? 'list' : 'mapping'}: GitLab's YAML reader keeps it as ${list ? 'an array' : 'a hash'}, ` +
        `and GitLab names no keyword, job or variable with ${list ? 'an array' : 'a hash'}`,
    );
  }
}

/** What cigen says of a key written twice in one mapping, wherever it says it (lint, migrate,
 *  init): the key by name, or the parser's words when it has none. */
export const duplicateKeyMessage = (key: string | undefined, parserMessage = 'Map keys must be unique'): string =>
  `${key === undefined ? parserMessage : `duplicate key \`${key}\``}; GitLab keeps the last one`;

/**
 * Keys written twice in one mapping, with a Set per mapping: linear in the document. (The parser's
 * own check, `uniqueKeys: true`, compares each key with every earlier key of its mapping, which is
 * quadratic in the keys of one mapping.) Two scalar keys are the same when their values are, as
 * the parser decides it (`===`: `yes` and `true` are one key in YAML 1.1, `1` and `"1"` are not,
 * NaN is never equal, and each merge key `<<` is a value of its own); other keys never are. Each
 * duplicate is reported at the later key. Walked without recursion, however deep the document.
 */
export const duplicateKeys = (doc: Document): DuplicateKeyError[] => duplicateKeysIn(doc.contents);

/** Keys written as a mapping or a list (an alias to one too), each a CollectionKeyError, and keys
 *  written twice (duplicateKeys): one walk of the document, for the documents read with nodes. */
export const keyErrors = (doc: Document): (DuplicateKeyError | CollectionKeyError)[] =>
  duplicateKeysIn(doc.contents, (node) => aliasTarget(doc, node));

/** A quoted `"<<"` key, a merge key to Psych (each merges; none is a duplicate). A plain one's
 *  value is a symbol of its own, never equal to another. */
const isQuotedMergeKey = (key: Scalar): boolean => key.value === MERGE_KEY && isMergeKey(key);

/** duplicateKeys, under one node; with `resolve` (an alias's node), collection keys too (keyErrors). */
export function duplicateKeysIn(root: unknown): DuplicateKeyError[];
export function duplicateKeysIn(root: unknown, resolve: (node: unknown) => unknown): (DuplicateKeyError | CollectionKeyError)[];
export function duplicateKeysIn(root: unknown, resolve?: (node: unknown) => unknown): (DuplicateKeyError | CollectionKeyError)[] {
  const found: (DuplicateKeyError | CollectionKeyError)[] = [];
  const stack: unknown[] = [root];
  const report = (key: Scalar) => found.push(new DuplicateKeyError(key.range?.[0] ?? 0, String(key.value)));
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMapNode(node)) {
      const items = node.items;
      if (resolve)
        for (const { key } of items) {
          if (isScalarNode(key) || key === null) continue;
          const read = isAlias(key) ? resolve(key) : key;
          if (isMapNode(read) || isSeqNode(read))
            found.push(new CollectionKeyError((key as Node).range?.[0] ?? 0, JSON.stringify(read.toJSON()), isSeqNode(read)));
        }
      if (items.length <= SMALL_MAP) {
        // A few keys: comparing each with the ones before costs less than a Set.
        for (let i = 0; i < items.length; i++) {
          const key: unknown = (items[i] as Pair).key;
          if (isScalarNode(key) && !Number.isNaN(key.value) && !isQuotedMergeKey(key))
            for (let j = 0; j < i; j++) {
              const earlier: unknown = (items[j] as Pair).key;
              if (isScalarNode(earlier) && earlier.value === key.value) {
                report(key);
                break;
              }
            }
        }
      } else {
        const seen = new Set<unknown>();
        for (const pair of items) {
          const key: unknown = pair.key;
          if (isScalarNode(key) && !Number.isNaN(key.value) && !isQuotedMergeKey(key)) {
            if (seen.has(key.value)) report(key);
            else seen.add(key.value);
          }
        }
      }
      for (const pair of items) stack.push(pair.value, pair.key);
    } else if (isSeqNode(node)) {
      // !!omap and !!pairs hold their pairs in a sequence.
      for (const item of node.items)
        if (isPairNode(item)) stack.push(item.value, item.key);
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
  const { source, clean, refused } = prepare(text);
  const options = parseOptions();
  let lineCounter = new LineCounter();
  // CIGEN_YAML_FAST=0: the library only (to compare the two).
  let list = process.env['CIGEN_YAML_FAST'] === '0' || !clean ? undefined : parseFast(source, { ...options, lineCounter }, undefined, true);
  if (!list) {
    lineCounter = new LineCounter();
    const documents = readingAsPsych(() => parseAllDocuments(source, { ...options, lineCounter }));
    list = Array.isArray(documents) ? documents : [];
    // (The fast composer takes no quoted scalar over several lines.)
    readQuotedAsPsych(text, source, list);
  }
  readMergeKeysAsPsych(source, list);
  for (const doc of list) addErrors(doc, keyErrors(doc));
  addRefused(text, list, refused);
  return { documents: list, lineCounter: text.startsWith('\ufeff') ? withoutByteOrderMark(lineCounter) : lineCounter };
}

/** A byte order mark (a file saved by an editor on Windows) is no column an editor shows: line 1's
 *  columns after it are counted without it. */
function withoutByteOrderMark(lineCounter: LineCounter): LineCounter {
  const linePos = lineCounter.linePos;
  lineCounter.linePos = (offset) => {
    const pos = linePos(offset);
    return pos.line === 1 && offset > 0 ? { line: 1, col: pos.col - 1 } : pos;
  };
  return lineCounter;
}

/** A `!reference` tag: the path it is written at, and what it points to. */
export interface ReferenceSite {
  target: string[];
  path: (string | number)[];
  /** The tag's list as GitLab's error names it (Ruby's inspect), when GitLab refuses it before
   *  looking anything up: empty, or an item that is not a string (`!reference [.a, 1]`). */
  invalid?: string;
}

/** An item of a `!reference` list as Psych reads it (an alias as what it points to), for inspect. */
function referencePart(node: unknown, resolve: (node: unknown) => unknown, depth = 0): unknown {
  const item = resolve(node);
  if (isScalarNode(item)) {
    const { value } = item;
    return isWholeFloat(item) ? new RubyFloat(Number(value)) : value;
  }
  if (depth > 20) return null;
  if (isSeqNode(item)) return item.items.map((part) => referencePart(part, resolve, depth + 1));
  if (isMapNode(item)) {
    const pairs = item.items;
    return new Map(pairs.map((pair) => [referencePart(pair.key, resolve, depth + 1), referencePart(pair.value, resolve, depth + 1)]));
  }
  return null;
}

/** Ruby's inspect of what Psych reads, hashes with string keys (`{"a"=>"b"}`), as a tag's data holds them. */
function inspectRead(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inspectRead).join(', ')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${inspectRead(k)}=>${inspectRead(v)}`).join(', ')}}`;
  return rubyInspect(value);
}

/**
 * GitLab's words for a `!reference` tag on a scalar or a mapping (the yaml library cannot resolve
 * it: the tag takes a list), the first one written at or after `offset`: Tags::Base refuses it as
 * not valid, naming the scalar as written or the mapping as Psych read it, `nil` for a blank one.
 */
export function refusedReferenceAt(doc: Document, offset: number): string | undefined {
  let found: { start: number; text: string } | undefined;
  const resolve = (node: unknown): unknown => aliasTarget(doc, node);
  visit(doc, {
    Node(_key, node) {
      if ((!isScalarNode(node) && !isMapNode(node)) || node.tag !== '!reference') return;
      const start = node.range?.[0] ?? -1;
      if (start < offset || (found && found.start <= start)) return;
      const data = isScalarNode(node)
        ? typeof node.value === 'string' && node.value.trim() !== ''
          ? node.value
          : undefined
        : referencePart(node, resolve);
      found = { start, text: data instanceof Map && data.size === 0 ? 'nil' : inspectRead(data) };
    },
  });
  return found && `!reference ${found.text} is not valid`;
}

/** GitLab's Tags::Reference#valid?: a list, not empty, of strings only. Else the list as its error
 *  names it. `items`: the list's items, aliases resolved. */
function invalidReference(items: readonly unknown[], resolve: (node: unknown) => unknown): string | undefined {
  const parts = items.map((part) => referencePart(part, resolve));
  return parts.length > 0 && parts.every((part) => typeof part === 'string') ? undefined : inspectRead(parts);
}

/** A key's text as a path segment: `<<` for the merge key (positions.ts reads paths so too). */
export const segmentOf = (key: Scalar): string => (isMergeKey(key) ? MERGE_KEY : String(key.value));

/**
 * The keys of a mapping as Psych reads it: its own and those its merge keys bring in. Each map's
 * keys are found once (`known`), and a map merging itself (an alias to the map it is in) brings
 * nothing more, as in Psych.
 */
function keysRead(map: YAMLMap, resolve: (node: unknown) => unknown, known: Map<YAMLMap, Set<string>>): Set<string> {
  const done = known.get(map);
  if (done) return done;
  const keys = new Set<string>();
  known.set(map, keys);
  for (const { key, value } of map.items) {
    if (!isScalarNode(key)) continue;
    const sources = isMergeKey(key) ? mergeSources(value, resolve) : undefined;
    if (sources) for (const source of sources) for (const name of keysRead(source, resolve, known)) keys.add(name);
    else keys.add(segmentOf(key));
  }
  return keys;
}

/**
 * The pairs of a mapping whose value Psych does not keep, added to `unread`: a key written again
 * later, or brought in by a merge key after it; in a map written inside a merge key (not an
 * alias: that map is read where it is written), a key the job writes after the merge key, or an
 * earlier map of the merge key's list brings.
 */
function markUnread(map: YAMLMap, resolve: (node: unknown) => unknown, unread: Set<unknown>, known: Map<YAMLMap, Set<string>>): void {
  // A value with an anchor is read wherever an alias names it: its tags are kept.
  const drop = (pair: unknown) => {
    if (!holdsAnchor((pair as Pair).value)) unread.add(pair);
  };
  const later = new Set<string>();
  for (let i = map.items.length - 1; i >= 0; i--) {
    const { key, value } = map.items[i] as Pair;
    if (!isScalarNode(key)) continue;
    const sources = isMergeKey(key) ? mergeSources(value, resolve) : undefined;
    if (!sources) {
      const name = segmentOf(key);
      if (later.has(name)) drop(map.items[i]);
      later.add(name);
      continue;
    }
    const brought = new Set<string>();
    const written = isSeqNode(value) ? value.items : [value];
    sources.forEach((source, index) => {
      // The map itself (through an alias to it): Psych merges the hash it is building, which
      // holds only what is written before the merge key: nothing new.
      if (source === map) return;
      if (!isAlias(written[index]) && !source.anchor)
        for (const pair of source.items)
          if (isScalarNode(pair.key) && (later.has(segmentOf(pair.key)) || brought.has(segmentOf(pair.key)))) drop(pair);
      for (const name of keysRead(source, resolve, known)) brought.add(name);
    });
    for (const name of brought) later.add(name);
  }
}

/** Whether a node or any node under it has an anchor. */
function holdsAnchor(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const item = stack.pop();
    if ((item as { anchor?: string } | null)?.anchor) return true;
    if (isMapNode(item)) for (const pair of item.items) stack.push(pair.key, pair.value);
    else if (isSeqNode(item)) stack.push(...item.items);
  }
  return false;
}

/** `!reference` tags under a node (whose path is `path`); a path is copied only for a tag found.
 *  A tag in a value Psych does not keep (see markUnread) is never resolved by GitLab: not found.
 *  `doc` resolves the aliases of merge keys. */
export function referencesIn(node: unknown, path: (string | number)[] = [], found: ReferenceSite[] = [], doc?: Document): ReferenceSite[] {
  const resolve = (item: unknown): unknown => (doc ? aliasTarget(doc, item) : item);
  const unread = new Set<unknown>();
  const known = new Map<YAMLMap, Set<string>>();
  const visit = (item: unknown, depth: number) => {
    if (depth > 200) return;
    if (isSeqNode(item)) {
      if (item.tag === '!reference') {
        // An alias as the text it points to (Psych reads it so).
        const read = item.items.map(resolve);
        const target = read.map((part) => (isScalarNode(part) ? String(part.value) : ''));
        const invalid = invalidReference(read, resolve);
        found.push({ target, path: [...path], ...(invalid === undefined ? {} : { invalid }) });
        return;
      }
      for (let i = 0; i < item.items.length; i++) {
        path.push(i);
        visit(item.items[i], depth + 1);
        path.pop();
      }
    } else if (isMapNode(item)) {
      markUnread(item, resolve, unread, known);
      for (const pair of item.items) {
        if (!isPairNode(pair) || !isScalarNode(pair.key) || unread.has(pair)) continue;
        path.push(segmentOf(pair.key));
        visit(pair.value, depth + 1);
        path.pop();
      }
    }
  };
  visit(node, path.length);
  return found;
}

const LEAN = Symbol('lean');
const ABORT_LEAN = new Error('not for a lean document');

interface LeanState {
  text: string;
  value: Record<string, unknown>;
  references: ReferenceSite[];
  full?: Document.Parsed;
}

/**
 * A pipeline file's one document, held as its JavaScript value (what `toJS()` returns) and its
 * `!reference` tags, without its nodes: those are composed again, from the text, the first time
 * anything reads `contents` (to place a finding, say). So a large file that lints clean never holds
 * its nodes — a few hundred bytes per key and value — only the value.
 */
export class LeanDocument extends Document {
  declare [LEAN]: LeanState;

  /** The value, as toJS() of the full document returns it (the same object each time). */
  override toJS(): Record<string, unknown> {
    return this[LEAN].value;
  }

  /** The `!reference` tags of the document, with their paths. */
  get references(): readonly ReferenceSite[] {
    return this[LEAN].references;
  }

  /** Whether the nodes have been composed (tests). */
  get composed(): boolean {
    return this[LEAN].full !== undefined;
  }
}
Object.defineProperty(LeanDocument.prototype, 'contents', {
  get(this: LeanDocument): unknown {
    const state = this[LEAN] as LeanState | undefined;
    if (!state) return null;
    if (!state.full) {
      const options = { ...parseOptions(), lineCounter: new LineCounter() };
      const [full] = parseFast(state.text, options) ?? readingAsPsych(() => parseAllDocuments(state.text, options));
      state.full = full as Document.Parsed;
    }
    return state.full.contents;
  },
  set() {
    // The constructor sets it to null; the nodes come from the text.
  },
  configurable: true,
});

/** The schema every parsed CI document shares, made once: the library would make one per
 *  document (its tag lists built, customTags run again), a cost each small file paid. */
let parseSchema: Schema | undefined;

const parseOptions = () => ({
  version: YAML_VERSION,
  customTags,
  prettyErrors: false,
  // Duplicates are found by duplicateKeys() instead: the parser's check is quadratic.
  uniqueKeys: false,
  // The library's warnings (a collection key stringified, "Set mapAsMap: true") are about its own
  // reading, printed on stderr: what they concern is a finding of cigen's own (keyErrors).
  logLevel: 'error' as const,
  merge: true,
  schema: (parseSchema ??= new Document(null, { version: YAML_VERSION, customTags, merge: true }).schema),
});

/** What makes a text a document with anchors or aliases, or interpolation blocks, more or less:
 *  those go through parseYamlDocuments (the lean path would give them up midway). */
const NOT_LEAN = /\$\[\[|(?:^|[\s[{,])[&*][A-Za-z0-9_.-]|^---|^\.\.\./m;

/**
 * A single-document file (no `spec:` header) whose top level is a mapping, without anchors,
 * aliases or interpolation blocks, as a LeanDocument: each top-level entry's nodes are turned into
 * its value as soon as they are composed, then dropped. Undefined for any other text.
 */
export function parseLeanDocument(text: string): ParsedYaml | undefined {
  const { source, clean, refused } = prepare(text);
  // A refused character is an error, which parseYamlDocuments reports.
  if (process.env['CIGEN_YAML_FAST'] === '0' || !clean || refused !== undefined || NOT_LEAN.test(source)) return undefined;
  const value: Record<string, unknown> = {};
  const references: ReferenceSite[] = [];
  const errors: DuplicateKeyError[] = [];
  const keys = new Set<string>();
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[] | undefined;
  try {
    documents = parseFast(
      source,
      { ...parseOptions(), lineCounter },
      {
        entry(pair) {
          const key = pair.key;
          // A merge key, or a value with an anchor, an alias or an interpolation block, needs its nodes.
          if (typeof key.value !== 'string' || key.value === MERGE_KEY) throw ABORT_LEAN;
          const item = plainValue(pair.value, true);
          if (item === NOT_PLAIN) throw ABORT_LEAN;
          referencesIn(pair.value, [key.value], references);
          errors.push(...duplicateKeysIn(pair.value));
          // As the yaml library adds a pair to a plain object (a key such as `constructor` too).
          if (key.value in value)
            Object.defineProperty(value, key.value, { value: item, writable: true, enumerable: true, configurable: true });
          else value[key.value] = item;
          if (keys.has(key.value)) errors.push(new DuplicateKeyError(key.range?.[0] ?? 0, key.value));
          keys.add(key.value);
          return true;
        },
      },
      true,
    );
  } catch (error) {
    if (error === ABORT_LEAN) return undefined;
    throw error;
  }
  const [full] = documents ?? [];
  if (!documents || documents.length !== 1 || !full || !isMapNode(full.contents)) return undefined;
  const lean = new LeanDocument(undefined, parseOptions());
  lean[LEAN] = { text: source, value, references };
  lean.range = full.range;
  lean.errors.push(...errors.sort((a, b) => a.pos[0] - b.pos[0]));
  return { documents: [lean as unknown as Document.Parsed], lineCounter };
}

/** What plainValue gives for a node that is not a plain tree. */
const NOT_PLAIN = Symbol('not plain');
/** Deeper than the fast composer nests (its MAX_DEPTH); a library-composed tree may be. */
const MAX_PLAIN_DEPTH = 1000;

/** A key the library's toJS turns into a string with String() (or '' for null). */
const isPlainKey = (value: unknown): value is string | number | boolean | null =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * A node's JavaScript value as the library's toJS gives it (Document#toJS: a scalar's value as it
 * is, a key as a string, a key such as `constructor` defined on the object) when the node is a
 * plain tree — no anchor, alias, merge key, collection key or explicit tag other than
 * `!reference`, what CI files are mostly made of — else NOT_PLAIN. One walk, without the context
 * the library's toJS keeps for every node. `noBlocks`: a string holding an interpolation block is
 * NOT_PLAIN too (the lean path keeps none). test/unit/yaml-fast.test.ts compares it with toJS.
 */
function plainValue(node: unknown, noBlocks: boolean, depth = 0): unknown {
  if (node === null || node === undefined) return node;
  const { anchor, tag } = node as { anchor?: string; tag?: string };
  if (anchor !== undefined || (tag !== undefined && tag !== referenceTag.tag) || depth > MAX_PLAIN_DEPTH) return NOT_PLAIN;
  if (isScalarNode(node)) {
    const value = node.value;
    return noBlocks && typeof value === 'string' && value.includes('$[[') ? NOT_PLAIN : value;
  }
  if (isMapNode(node)) {
    const out: Record<string, unknown> = {};
    for (const { key, value } of node.items) {
      const keyValue = plainValue(key, noBlocks, depth + 1);
      if (!isScalarNode(key) || !isPlainKey(keyValue) || keyValue === MERGE_KEY) return NOT_PLAIN;
      const item = plainValue(value, noBlocks, depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      const name = keyValue === null ? '' : String(keyValue);
      if (name in out) Object.defineProperty(out, name, { value: item, writable: true, enumerable: true, configurable: true });
      else out[name] = item;
    }
    return out;
  }
  if (isSeqNode(node)) {
    // Mapped, not pushed: V8 gives an array its first push room for 17 elements, and a large
    // pipeline holds a million short lists (script, needs, rules): 150 bytes each instead of 40.
    let plain = true;
    const out = node.items.map((entry) => {
      const item = plain ? plainValue(entry, noBlocks, depth + 1) : undefined;
      if (item === NOT_PLAIN) plain = false;
      return item;
    });
    return plain ? out : NOT_PLAIN;
  }
  return NOT_PLAIN;
}

/**
 * A document's value, as `doc.toJS({ maxAliasCount })` gives it: on one walk of its nodes when
 * they are a plain tree (see plainValue), else by the library (aliases counted against
 * maxAliasCount, merge keys merged). A LeanDocument holds its value already.
 */
export function documentValue(doc: Document, maxAliasCount?: number): unknown {
  if (!(doc instanceof LeanDocument)) {
    const value = plainValue(doc.contents, false);
    if (value !== NOT_PLAIN) return value;
  }
  return doc.toJS(maxAliasCount === undefined ? {} : { maxAliasCount });
}

/**
 * One document as `parseDocument(text, { version: '1.1', customTags, uniqueKeys: true })` gives it
 * (GitLab reading an interpolated component): on the fast path when the text is in its subset —
 * there the only errors can be duplicate keys, which are the library's errors at the library's
 * places — else through the library with those very options.
 */
export function parseYamlDocument(text: string): Document.Parsed {
  const { source, clean, refused } = prepare(text);
  const fast = process.env['CIGEN_YAML_FAST'] === '0' || !clean ? undefined : parseFast(source, parseOptions(), undefined, true);
  const doc =
    fast?.length === 1
      ? (fast[0] as Document.Parsed)
      : readingAsPsych(() => parseDocument(source, { version: YAML_VERSION, customTags, uniqueKeys: true, logLevel: 'error' }));
  if (fast?.length !== 1) readQuotedAsPsych(text, source, [doc]);
  readMergeKeysAsPsych(source, [doc]);
  // The library's own check (uniqueKeys) has found the duplicates off the fast path.
  const found = keyErrors(doc);
  addErrors(doc, fast?.length === 1 ? found : found.filter((error) => error instanceof CollectionKeyError));
  addRefused(text, [doc], refused);
  return doc;
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

/** Where something is written in a person's YAML: line and column, 1-based. */
type Place = { line: number; column: number };

/** Why a value a person gave as YAML (`-i name=value`, an --inputs or policy file) is refused,
 *  at its line and column when it has one. */
export class UserYamlError extends Error {
  constructor(
    readonly reason: string,
    readonly at?: Place,
  ) {
    super(at ? `${at.line}:${at.column}: ${reason}` : reason);
  }
}

/**
 * One YAML document a person wrote, as plain JS the way GitLab reads YAML (1.1): a syntax error,
 * a key given twice, an unknown tag, an alias bomb or an alias inside the node it names (`&a [*a]`, a value that
 * holds itself) is a UserYamlError, never a warning on stderr or a crash later.
 */
export function parseUserYaml(text: string, options: UserYamlOptions = {}): unknown {
  return readUserYaml(text, options).value;
}

export interface UserYamlOptions {
  /** A whole Float (`2.0`) as a RubyFloat, as GitLab reads an input value (see withRubyFloats). */
  rubyFloats?: boolean;
}

/** A person's YAML document (see parseUserYaml) with where each key of its top-level mapping is written. */
export interface UserYaml {
  value: unknown;
  /** Per key: where it is written, and its value (a value with nothing written, `name:`, at its key). */
  places: ReadonlyMap<string, { key: Place; value: Place }>;
  /** The document and its line counter, for a place deeper than the top level (positions.ts `locate`);
   *  no document for an empty file. */
  document?: Document;
  lineCounter: LineCounter;
}

export function readUserYaml(written: string, options: UserYamlOptions = {}): UserYaml {
  // A carriage return alone ends a line in YAML (Psych reads it so); the yaml library takes only
  // \n and \r\n. One character for another: every offset stays where it was.
  const text = written.replace(/\r(?!\n)/g, '\n');
  const lineCounter = new LineCounter();
  // Psych's booleans (`push: yes` is true, `n` a string); no `!reference`, which only a CI file takes.
  // A key given twice is refused (one of the two values would be lost without a word).
  const documents = parseAllDocuments(text, {
    version: YAML_VERSION,
    customTags: psychTags,
    lineCounter,
    logLevel: 'silent',
    uniqueKeys: true,
  });
  // A byte order mark (a file saved by an editor on Windows) is no column an editor shows.
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: line === 1 && offset > 0 ? col - bom : col };
  };
  const [doc, ...rest] = Array.isArray(documents) ? documents : [];
  if (!doc) return { value: null, places: new Map(), lineCounter };
  // The yaml library's parseDocument says nothing of a second document at logLevel 'silent', and
  // whatever follows `---` (or `...`) would be dropped without a word. An empty one (a file that
  // ends with `---`) drops nothing.
  const second = rest.find(
    (next) => next.errors.length > 0 || !(next.contents === null || (isScalarNode(next.contents) && next.contents.value === null)),
  );
  if (second) throw new UserYamlError('more than one YAML document: the file must hold one mapping', at(second.range[0]));
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) {
    const reason = (problem.message.split('\n')[0] ?? problem.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new UserYamlError(reason, at(problem.pos[0]));
  }
  let recursive: number | undefined;
  visit(doc, {
    Alias(_key, node, path) {
      const target: unknown = aliasTarget(doc, node);
      if (recursive === undefined && (path as readonly unknown[]).includes(target)) recursive = node.range?.[0] ?? 0;
    },
  });
  if (recursive !== undefined) throw new UserYamlError('an alias inside the node it names (a value that holds itself)', at(recursive));
  let value: unknown;
  try {
    const read = (): unknown => doc.toJS({ maxAliasCount: 100 });
    value = options.rubyFloats ? withRubyFloats(doc, read) : read();
  } catch (error) {
    throw new UserYamlError((error as Error).message.split('\n')[0] ?? 'invalid aliases');
  }
  const places = isMap(doc.contents) ? placesAsRead(doc, doc.contents, at) : new Map<string, { key: Place; value: Place }>();
  return { value, places, document: doc, lineCounter };
}

/**
 * Where each key of a mapping is written, for the value Psych reads (as value holds it): the last
 * written, unless a merge key after it brings the key in, from the map it reads it from (the first
 * of a list that has it). A map merging itself brings nothing new (`reading`).
 */
function placesAsRead(
  doc: Document,
  map: YAMLMap,
  at: (offset: number) => Place,
  reading = new Set<YAMLMap>(),
): Map<string, { key: Place; value: Place }> {
  const places = new Map<string, { key: Place; value: Place }>();
  if (reading.has(map)) return places;
  reading.add(map);
  for (const { key, value: node } of map.items) {
    if (!isScalarNode(key) || !key.range) continue;
    const sources = isMergeKey(key) ? mergeSources(node, (source) => aliasTarget(doc, source)) : undefined;
    if (sources) {
      for (const source of [...sources].reverse())
        for (const [name, place] of placesAsRead(doc, source, at, reading)) places.set(name, place);
      continue;
    }
    const written = isNode(node) && node.range && node.range[1] > node.range[0] ? node.range[0] : key.range[0];
    places.set(segmentOf(key), { key: at(key.range[0]), value: at(written) });
  }
  reading.delete(map);
  return places;
}
