/**
 * A fast path to the Documents the yaml library composes, for the YAML that CI files are made of:
 * block mappings and sequences, plain scalars (over several lines too), quoted scalars, literal
 * and folded blocks, flow collections written on one line, anchors, aliases, merge keys and
 * `!reference`. For such text it builds the nodes the library's composer builds — values (scalars
 * resolved by the same schema tags), types, ranges, anchors, tags, flow flags; the node classes are
 * the library's, subclassed only to keep a range in three numbers — without the library's lexer,
 * CST and composer, which cost several times the work and, on a 20 MB file, gigabytes of tokens.
 * Comments are not attached to nodes (nothing in cigen reads them from nodes), but where the
 * library's parser lets a comment extend a node's range, so does this.
 *
 * Anything else (a tab, a multi-line flow collection or quoted scalar, an explicit key, a
 * directive, a tag other than `!reference`, deep nesting, and every text the library would report
 * an error or a warning for) makes it give up: `undefined`, and the caller parses with the library.
 * So it never decides what is valid YAML. test/unit/yaml-fast.test.ts compares it with the library,
 * node by node, on every YAML file in the repository, on generated pipelines, on every component's
 * text-mode instantiation and on random edits of those files.
 */
import {
  Alias,
  Document,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  isScalar,
  type DocumentOptions,
  type LineCounter,
  type Node,
  type Schema,
} from 'yaml';

/** Thrown to give up; caught in parseFast. */
const GIVE_UP = new Error('yaml-fast: not in the subset');
/** Where it gave up, when CIGEN_YAML_FAST_DEBUG is set (for finding what the subset lacks). */
const giveUp = (): Error => {
  if (!process.env['CIGEN_YAML_FAST_DEBUG']) return GIVE_UP;
  const where = new Error('yaml-fast: not in the subset');
  lastGiveUp = where.stack?.split('\n')[2]?.trim();
  return GIVE_UP;
};
export let lastGiveUp: string | undefined;

type ScalarTag = {
  tag: string;
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (message: string) => void, options: unknown): unknown;
};
type CollectionTag = {
  tag: string;
  collection?: string;
  format?: string;
  resolve?(coll: unknown, onError: (m: string) => void, options: unknown): unknown;
};

const SCALAR = Symbol.for('yaml.scalar');

/*
 * Nodes whose range lives in three numbers instead of an array: the same API (`range` reads and
 * writes [start, value end, node end]), a third less memory per node, which is most of what a
 * large file costs. Every other field is the library's. The classes are captured here once: in the
 * bundle, each access to an import of the yaml module goes through a getter.
 */
const START = Symbol('start');
const VALUE_END = Symbol('valueEnd');
const END = Symbol('end');
type Range = [number, number, number];
interface Ranged {
  [START]: number;
  [VALUE_END]: number;
  [END]: number;
}
const rangeProperty: PropertyDescriptor = {
  get(this: Ranged): Range {
    return [this[START], this[VALUE_END], this[END]];
  },
  set(this: Ranged, range: Range) {
    this[START] = range[0];
    this[VALUE_END] = range[1];
    this[END] = range[2];
  },
  configurable: true,
};
/*
 * The library's constructors put each node's type on the node (Object.defineProperty of a symbol,
 * a slow path in V8, paid for every scalar and pair: a tenth of parsing a large file). These
 * classes do not call them: the type is on each class's prototype, where the library's isScalar,
 * isMap, isSeq and isPair read it the same way (`node[NODE_TYPE]`), and each prototype's own
 * prototype is the library's, so a node is an instance of Scalar, YAMLMap, YAMLSeq or Pair with
 * every method. The fields are the ones the library's constructors set.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
class ScalarNode {
  [START] = 0;
  [VALUE_END] = 0;
  [END] = 0;
  constructor(public value: unknown) {}
}
const SCHEMA = Symbol('schema');
class CollectionNode {
  items: unknown[] = [];
  [START] = 0;
  [VALUE_END] = 0;
  [END] = 0;
  [SCHEMA]: Schema | undefined;
  constructor(schema?: Schema) {
    this[SCHEMA] = schema;
  }
}
// `schema` is not an own enumerable property of a collection, as in the library's Collection
// (which defines it on each node): kept under a symbol, read and written through the prototype.
const schemaProperty: PropertyDescriptor = {
  get(this: CollectionNode) {
    return this[SCHEMA];
  },
  set(this: CollectionNode, schema: Schema | undefined) {
    this[SCHEMA] = schema;
  },
  configurable: true,
};
// Each takes CollectionNode's constructor; its prototype chain is the library's (set below).
class MapNode extends CollectionNode {}
class SeqNode extends CollectionNode {}
class PairNode {
  constructor(
    public key: unknown,
    public value: unknown = null,
  ) {}
}
type FastScalar = Scalar & Ranged;
type FastMap = YAMLMap & Ranged;
type FastSeq = YAMLSeq & Ranged;
const FastScalar = ScalarNode as unknown as new (value: unknown) => FastScalar;
const FastMap = MapNode as unknown as new (schema?: Schema) => FastMap;
const FastSeq = SeqNode as unknown as new (schema?: Schema) => FastSeq;
const PairClass = PairNode as unknown as typeof Pair;
for (const [Class, Library, type] of [
  [ScalarNode, Scalar, 'yaml.scalar'],
  [MapNode, YAMLMap, 'yaml.map'],
  [SeqNode, YAMLSeq, 'yaml.seq'],
  [PairNode, Pair, 'yaml.pair'],
] as const) {
  Object.setPrototypeOf(Class.prototype, Library.prototype);
  Object.defineProperty(Class.prototype, NODE_TYPE, { value: Symbol.for(type) });
  if (Class !== PairNode) Object.defineProperty(Class.prototype, 'range', rangeProperty);
  if (Class === MapNode || Class === SeqNode) Object.defineProperty(Class.prototype, 'schema', schemaProperty);
}
const AliasClass = Alias;
const isScalarNode = isScalar;
const { PLAIN, QUOTE_SINGLE, QUOTE_DOUBLE, BLOCK_LITERAL, BLOCK_FOLDED } = Scalar;

/** Sets the end of a node's range (range[2]). */
function setEnd(node: Node, end: number): void {
  const range = node.range as Range;
  range[2] = end;
  node.range = range;
}
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** First characters a plain scalar may not start with (in block context) or that cigen leaves to the library. */
const NOT_PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));
/**
 * The first characters of a plain scalar that a YAML 1.1 tag other than str can match: null (`~`,
 * `null`), bool (`yes`, `no`, `true`, `false`, `on`, `off`, any case), int, float and sexagesimal
 * (a sign, a digit, `.`; `e` and `E` too, for the 1.1 spec's `e3`, which Psych reads as a string),
 * timestamp (a digit), merge (`<`). The
 * empty scalar is looked up like any other; the tags' tests are case-insensitive only for ASCII.
 * test/unit/yaml-fast.test.ts checks every tag of the schema against this table.
 */
export const TYPED_START = new Uint8Array(128);
for (const c of '~nNyYtToOfFeE0123456789+-.<') TYPED_START[c.charCodeAt(0)] = 1;

/** How deep collections nest here; deeper is the library's. */
const MAX_DEPTH = 64;
/** Anchor and alias names taken here (the library takes more, and warns about some). */
const ANCHOR_NAME = /^[A-Za-z0-9_.-]+$/;
/** Characters that end a plain scalar inside a flow collection. */
const FLOW_END = new Set([...',[]{}'].map((c) => c.charCodeAt(0)));
/** `-`, `?` and `:` start a plain scalar when a non-space follows (`-c`, `:x`). */
const INDICATOR_OR_PLAIN = new Set([...'-?:'].map((c) => c.charCodeAt(0)));

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

interface Parsed {
  node: Node;
  /** The line after the node (for a block collection: the first content line after it). */
  next: number;
  /** Comment lines after a block collection's last value that it did not keep (the library's
   *  parser hands them to the collection around it): the largest indentation among them. */
  up?: number;
  /** The value is a block collection (it has looked at the lines after it itself). */
  block?: boolean;
}

/** Up to `n` spaces at the start of each line. */
const INDENTATIONS: RegExp[] = [];
const indentation = (n: number): RegExp => (INDENTATIONS[n] ??= new RegExp(`^ {0,${n}}`, 'gm'));

class FastComposer {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly indents: number[] = [];
  /** Lines of the document being composed: [first, limit). */
  private limit = 0;
  private schema!: Schema;
  private options!: unknown;
  private depth = 0;
  private doc!: Document.Parsed;
  private plainTags = new Map<string, ScalarTag>();
  private keyTags = new Map<string, ScalarTag>();
  private strTag!: ScalarTag;

  constructor(
    private readonly text: string,
    private readonly hooks?: FastHooks,
  ) {
    const { starts, ends, indents } = this;
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      const stop = end < 0 ? text.length : end;
      let i = start;
      while (i < stop && text.charCodeAt(i) === SPACE) i++;
      starts.push(start);
      ends.push(stop);
      indents.push(i - start);
      if (end < 0) break;
      start = end + 1;
    }
  }

  /** Offsets where lines start, as the library's LineCounter records them. */
  lineStarts(): number[] {
    return this.starts;
  }

  // --- lines -----------------------------------------------------------------------------------

  private isBlank(l: number): boolean {
    return (this.starts[l] as number) + (this.indents[l] as number) === this.ends[l];
  }
  private isComment(l: number): boolean {
    return this.text.charCodeAt((this.starts[l] as number) + (this.indents[l] as number)) === HASH;
  }
  /** The first line at or after `l` that is neither blank nor a comment. */
  private content(l: number): number {
    while (l < this.limit && (this.isBlank(l) || this.isComment(l))) l++;
    return l;
  }
  /** Where the line after `l` starts (the end of the text for the last line). */
  private after(l: number): number {
    const end = this.ends[l] as number;
    return end < this.text.length ? end + 1 : end;
  }
  private skipSpaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }
  /** What follows `i` on the line is nothing, spaces, or spaces and a comment. */
  private restIsEmpty(i: number, end: number): boolean {
    const j = this.skipSpaces(i, end);
    return j === end || (j > i && this.text.charCodeAt(j) === HASH);
  }
  private isSeqItem(l: number): boolean {
    const at = (this.starts[l] as number) + (this.indents[l] as number);
    if (this.text.charCodeAt(at) !== DASH) return false;
    return at + 1 === this.ends[l] || this.text.charCodeAt(at + 1) === SPACE;
  }

  /** Whether a plain scalar may start at `i` (in block context). */
  private plainStart(i: number, end: number): boolean {
    const c = this.text.charCodeAt(i);
    if (!NOT_PLAIN_START.has(c)) return c !== SPACE;
    return INDICATOR_OR_PLAIN.has(c) && i + 1 < end && this.text.charCodeAt(i + 1) !== SPACE;
  }

  // --- scalars -----------------------------------------------------------------------------------

  private tagFor(value: string, atKey: boolean): ScalarTag {
    // Only a string that starts with one of these can be anything but a string (see TYPED_START).
    const first = value.charCodeAt(0);
    if (first < 128 && TYPED_START[first] === 0) return this.strTag;
    if (first >= 128) return this.strTag;
    const cache = atKey ? this.keyTags : this.plainTags;
    let tag = cache.get(value);
    if (tag === undefined) {
      tag =
        (this.schema.tags as ScalarTag[]).find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(value)) ??
        this.strTag;
      cache.set(value, tag);
    }
    return tag;
  }

  /** A scalar as the library's composeScalar makes it. */
  private scalar(value: string, type: Scalar.Type, start: number, valueEnd: number, end: number, atKey: boolean): Scalar {
    const tag = type === PLAIN ? this.tagFor(value, atKey) : this.strTag;
    const resolved = tag.resolve(
      value,
      () => {
        throw giveUp();
      },
      this.options,
    );
    const node = isScalarNode(resolved) ? resolved : new FastScalar(resolved);
    node.range = [start, valueEnd, end];
    node.source = value;
    node.type = type;
    if (tag.format) node.format = tag.format;
    return node;
  }

  /** A quoted scalar on one line at `i`: its value and the offset after the closing quote. */
  private quoted(i: number, end: number): { value: string; close: number; type: Scalar.Type } {
    const text = this.text;
    if (text.charCodeAt(i) === 39) {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf("'", j);
        if (q < 0 || q >= end) throw giveUp();
        if (text.charCodeAt(q + 1) === 39) {
          j = q + 2;
          continue;
        }
        const raw = text.slice(i + 1, q);
        return { value: raw.includes("''") ? raw.replace(/''/g, "'") : raw, close: q + 1, type: QUOTE_SINGLE };
      }
    }
    let value = '';
    let j = i + 1;
    let from = j;
    for (;;) {
      if (j >= end) throw giveUp();
      const c = text.charCodeAt(j);
      if (c === 34) {
        value += text.slice(from, j);
        return { value, close: j + 1, type: QUOTE_DOUBLE };
      }
      if (c !== 92) {
        j++;
        continue;
      }
      value += text.slice(from, j);
      const next = text[j + 1];
      if (next === undefined || j + 1 >= end) throw giveUp();
      const escaped = ESCAPES[next];
      if (escaped !== undefined) {
        value += escaped;
        j += 2;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const code = text.slice(j + 2, j + 2 + length);
        if (code.length !== length || j + 2 + length > end || !/^[0-9a-fA-F]+$/.test(code)) throw giveUp();
        const point = parseInt(code, 16);
        if (point > 0x10ffff) throw giveUp();
        value += String.fromCodePoint(point);
        j += 2 + length;
      } else {
        throw giveUp();
      }
      from = j;
    }
  }

  // --- block nodes -------------------------------------------------------------------------------

  /** A block mapping or sequence whose first line is `l`, at that line's indentation. */
  private blockNode(l: number): Parsed {
    const indent = this.indents[l] as number;
    // Deep nesting is the library's (this composer recurses).
    if (++this.depth > MAX_DEPTH) throw giveUp();
    const parsed = this.isSeqItem(l) ? this.blockSeq(l, indent, false) : this.blockMap(l, indent, (this.starts[l] as number) + indent);
    this.depth--;
    return parsed;
  }

  /**
   * The lines after a collection item's value up to the next content line, as the library's parser
   * places their comments. A comment line indented past the collection, with only blank lines
   * since the value, joins the value's range when the value is a scalar, an alias or a flow
   * collection (up to that comment's line end); the first comment line that does not join starts
   * an item of comments only, which stays with the collection if the collection ends there
   * (see `close`). Returns the next content line and, when there is such an item, the largest
   * indentation of its comments.
   */
  private gap(parsed: Parsed, indent: number): { next: number; comments?: number } {
    if (parsed.block) return { next: parsed.next, ...(parsed.up !== undefined ? { comments: parsed.up } : {}) };
    const value = parsed.node;
    const empty = isScalarNode(value) && value.source === '' && value.type === PLAIN;
    const joins = !empty && !(isScalarNode(value) && (value.type === BLOCK_LITERAL || value.type === BLOCK_FOLDED));
    let joined = -1;
    let comments: number | undefined;
    let l = parsed.next;
    for (; l < this.limit; l++) {
      if (this.isBlank(l)) continue;
      if (!this.isComment(l)) break;
      // After an empty value the library's composer takes comments into the empty node: not here.
      if (empty) throw giveUp();
      const lineIndent = this.indents[l] as number;
      if (joins && comments === undefined && lineIndent > indent) joined = l;
      else comments = Math.max(comments ?? -1, lineIndent);
    }
    if (joined >= 0) setEnd(value, this.after(joined));
    return { next: l, ...(comments !== undefined ? { comments } : {}) };
  }

  /**
   * The end of a block collection at column `indent` before line `next`: an item of comments only
   * stays with it (its range then runs to the next content) unless it is at column 0 or all those
   * comments are less indented than it; otherwise they go up to the collection around it.
   */
  private close(node: FastMap | FastSeq, first: number, indent: number, gap: { next: number; comments?: number }): Parsed {
    const lastItem = node.items[node.items.length - 1] as Pair | Node;
    const lastValue = (lastItem instanceof PairClass ? lastItem.value : lastItem) as Node;
    const end = (lastValue.range as [number, number, number])[2];
    node.range = [first, end, end];
    if (gap.comments === undefined) return { node, next: gap.next, block: true };
    if (indent !== 0 && gap.comments >= indent) {
      setEnd(node, gap.next < this.limit ? (this.starts[gap.next] as number) + (this.indents[gap.next] as number) : this.boundary());
      return { node, next: gap.next, block: true };
    }
    return { node, next: gap.next, block: true, up: gap.comments };
  }

  /** Where the current document's lines end: the next `---` line, or the end of the text. */
  private boundary(): number {
    return this.limit < this.starts.length ? (this.starts[this.limit] as number) : this.text.length;
  }

  /** A block mapping at column `indent`, its first key at offset `first` on line `l`. */
  private blockMap(l: number, indent: number, first: number): Parsed {
    const map = new FastMap(this.schema);
    let at = first;
    // Entries of a top-level mapping that the hook takes are not kept (the last one stays, for
    // the ranges of what holds it).
    const hook = this.depth === 1 && indent === 0 ? this.hooks?.entry : undefined;
    for (;;) {
      const { pair, parsed } = this.entry(l, at, indent);
      if (hook?.(pair as Pair<Scalar, Node>, this.doc)) map.items[0] = pair;
      else map.items.push(pair);
      const gap = this.gap(parsed, indent);
      l = gap.next;
      if (l < this.limit && this.indents[l] === indent && !this.isSeqItem(l)) {
        at = (this.starts[l] as number) + indent;
        continue;
      }
      if (l < this.limit && (this.indents[l] as number) >= indent) throw giveUp();
      return this.close(map, first, indent, gap);
    }
  }

  /** One `key: value` entry starting at offset `at` on line `l`. */
  private entry(l: number, at: number, indent: number): { pair: Pair; parsed: Parsed } {
    const text = this.text;
    const end = this.ends[l] as number;
    const c = text.charCodeAt(at);
    let key: Scalar;
    let colon: number;
    if (c === 34 || c === 39) {
      const q = this.quoted(at, end);
      colon = q.close;
      if (text.charCodeAt(colon) !== COLON) throw giveUp();
      key = this.scalar(q.value, q.type, at, q.close, q.close, true);
    } else {
      if (!this.plainStart(at, end)) throw giveUp();
      colon = -1;
      for (let i = at + 1; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === COLON) {
          const after = text.charCodeAt(i + 1);
          if (i + 1 === end || after === SPACE) {
            colon = i;
            break;
          }
        } else if (ch === HASH && text.charCodeAt(i - 1) === SPACE) throw giveUp();
      }
      if (colon < 0 || colon - at > 1000 || text.charCodeAt(colon - 1) === SPACE) throw giveUp();
      key = this.scalar(text.slice(at, colon), PLAIN, at, colon, colon, true);
    }
    if (colon + 1 < end && text.charCodeAt(colon + 1) !== SPACE) throw giveUp();
    const parsed = this.value(l, colon + 1, indent, 'map');
    return { pair: new PairClass(key, parsed.node), parsed };
  }

  /** A block sequence at column `indent`; `compact` when it is a mapping value at the mapping's column. */
  private blockSeq(l: number, indent: number, compact: boolean): Parsed {
    const seq = new FastSeq(this.schema);
    const first = (this.starts[l] as number) + indent;
    let commented = false;
    for (;;) {
      const dash = (this.starts[l] as number) + indent;
      const parsed = this.value(l, dash + 1, indent, 'seq');
      // An empty item after comment lines takes them in the library's composer: left to it.
      if (commented && isScalarNode(parsed.node) && parsed.node.source === '' && parsed.node.type === PLAIN) throw giveUp();
      seq.items.push(parsed.node);
      const gap = this.gap(parsed, indent);
      commented = gap.comments !== undefined;
      l = gap.next;
      if (l < this.limit && this.indents[l] === indent && this.isSeqItem(l)) continue;
      if (l < this.limit && ((this.indents[l] as number) > indent || (this.indents[l] === indent && !compact))) throw giveUp();
      return this.close(seq, first, indent, gap);
    }
  }

  /**
   * The value after a mapping's `:` or a sequence's `-` (at offset `from` on line `l`), for a
   * collection at column `indent`: inline, on the lines below, or empty.
   */
  private value(l: number, from: number, indent: number, owner: 'map' | 'seq'): Parsed {
    const text = this.text;
    const end = this.ends[l] as number;
    let at = this.skipSpaces(from, end);
    let anchor: string | undefined;
    let afterProps = from;
    if (text.charCodeAt(at) === 38) {
      let i = at + 1;
      while (i < end && text.charCodeAt(i) !== SPACE) i++;
      anchor = text.slice(at + 1, i);
      if (!ANCHOR_NAME.test(anchor)) throw giveUp();
      afterProps = i;
      at = this.skipSpaces(i, end);
      // `&a` then spaces or a comment: where the library puts the empty value is not settled here.
      if (at === end && i !== end) throw giveUp();
      if (at < end && text.charCodeAt(at) === HASH) throw giveUp();
    }
    if (at === end || (at > from && text.charCodeAt(at) === HASH)) {
      const below = this.content(l + 1);
      if (below < this.limit) {
        const lineIndent = this.indents[below] as number;
        let parsed: Parsed | undefined;
        if (lineIndent > indent) parsed = this.blockNode(below);
        else if (owner === 'map' && lineIndent === indent && this.isSeqItem(below)) parsed = this.blockSeq(below, indent, true);
        if (parsed) {
          if (anchor !== undefined) parsed.node.anchor = anchor;
          return parsed;
        }
      }
      // Empty: after the spaces (before a comment), the comment and its line included. Comment
      // lines right below join it in the library's composer: left to the library.
      if (l + 1 < this.limit && !this.isBlank(l + 1) && this.isComment(l + 1)) throw giveUp();
      const comment = at < end;
      const position = anchor !== undefined ? afterProps : at === end && at > from ? at : comment ? at : from;
      let nodeEnd = position;
      if (comment) {
        // The library's parser keeps the comment, the blank lines and the indentation up to what
        // comes next with the empty value; but when the next entry of the same mapping (or a `---`
        // after a top-level one) follows blank lines, it keeps only up to the second line break.
        const below = this.nextNonBlank(l + 1);
        const atNextItem =
          owner === 'map' &&
          (below < this.limit ? this.indents[below] === indent && !this.isSeqItem(below) : this.limit < this.starts.length && indent === 0);
        if (atNextItem && below > l + 1) nodeEnd = this.ends[l + 1] as number;
        else nodeEnd = below < this.limit ? (this.starts[below] as number) + (this.indents[below] as number) : this.boundary();
      }
      const node = this.scalar('', PLAIN, position, position, nodeEnd, false);
      if (anchor !== undefined) node.anchor = anchor;
      return { node, next: l + 1 };
    }
    const c = text.charCodeAt(at);
    let node: Node;
    let next = l + 1;
    if (c === 42) {
      if (anchor !== undefined) throw giveUp();
      let i = at + 1;
      while (i < end && text.charCodeAt(i) !== SPACE) i++;
      const name = text.slice(at + 1, i);
      if (!ANCHOR_NAME.test(name) || !this.restIsEmpty(i, end)) throw giveUp();
      const alias = new AliasClass(name);
      alias.range = [at, i, this.after(l)];
      return { node: alias, next };
    }
    if (c === 33) {
      if (!text.startsWith('!reference ', at)) throw giveUp();
      const open = this.skipSpaces(at + 11, end);
      if (text.charCodeAt(open) !== 91) throw giveUp();
      const flow = this.flow(open, end);
      if (!this.restIsEmpty(flow.close, end)) throw giveUp();
      const tag = (this.schema.tags as CollectionTag[]).find((t) => t.tag === '!reference' && t.collection === 'seq');
      if (!tag) throw giveUp();
      const resolved =
        tag.resolve?.(
          flow.node,
          () => {
            throw giveUp();
          },
          this.options,
        ) ?? flow.node;
      if (resolved !== flow.node) throw giveUp();
      node = flow.node;
      node.tag = '!reference';
      node.range = [open, flow.close, this.after(l)];
      if (tag.format) (node as Node & { format?: string }).format = tag.format;
    } else if (c === 124 || c === 62) {
      const block = this.blockScalar(l, at, indent);
      node = block.node;
      next = block.next;
    } else if (c === 91 || c === 123) {
      const flow = this.flow(at, end);
      if (!this.restIsEmpty(flow.close, end)) throw giveUp();
      node = flow.node;
      setEnd(node, this.after(l));
    } else if (c === 34 || c === 39) {
      const q = this.quoted(at, end);
      if (!this.restIsEmpty(q.close, end)) throw giveUp();
      node = this.scalar(q.value, q.type, at, q.close, this.after(l), false);
    } else {
      if (!this.plainStart(at, end)) throw giveUp();
      // The plain scalar runs to a comment or the end of the line; `: ` in it makes a mapping.
      let stop = end;
      for (let i = at; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
        if (ch === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) {
          if (owner === 'seq' && anchor === undefined) return this.blockMap(l, at - (this.starts[l] as number), at);
          throw giveUp();
        }
      }
      let valueEnd = stop;
      while (text.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
      const plain = this.plainLines(l, at, valueEnd, stop < end, indent);
      node = this.scalar(plain.value, PLAIN, at, plain.valueEnd, this.after(plain.last), false);
      next = plain.last + 1;
    }
    if (anchor !== undefined) node.anchor = anchor;
    return { node, next };
  }

  /**
   * A plain scalar that starts on line `l` (`at` to `valueEnd`) and may go on over lines indented
   * past the collection (column `indent`), folded as the library folds them: one line break is a
   * space, a blank line a line break. A comment ends it.
   */
  private plainLines(
    l: number,
    at: number,
    valueEnd: number,
    commented: boolean,
    indent: number,
  ): { value: string; valueEnd: number; last: number } {
    const text = this.text;
    let value = text.slice(at, valueEnd);
    let last = l;
    let end = valueEnd;
    if (commented) {
      const below = this.nextNonBlank(l + 1);
      if (below < this.limit && (this.indents[below] as number) > indent && !this.isComment(below)) throw giveUp();
      return { value, valueEnd, last };
    }
    let sep = ' ';
    let pendingBlank = false;
    for (let k = l + 1; k < this.limit; k++) {
      if (this.isBlank(k)) {
        pendingBlank = true;
        continue;
      }
      if ((this.indents[k] as number) <= indent || this.isComment(k)) break;
      const from = (this.starts[k] as number) + (this.indents[k] as number);
      const lineEnd = this.ends[k] as number;
      const c = text.charCodeAt(from);
      if (NOT_PLAIN_START.has(c) && !(INDICATOR_OR_PLAIN.has(c) && this.plainStart(from, lineEnd))) throw giveUp();
      let stop = lineEnd;
      for (let i = from; i < lineEnd; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
        if (ch === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) throw giveUp();
      }
      let lineValueEnd = stop;
      while (text.charCodeAt(lineValueEnd - 1) === SPACE) lineValueEnd--;
      if (pendingBlank) {
        // Blank lines between: each is a line break (the first one replaces the space).
        for (let b = last + 1; b < k; b++) value += '\n';
        sep = ' ';
        pendingBlank = false;
      } else {
        value += sep;
      }
      value += text.slice(from, lineValueEnd);
      last = k;
      end = lineValueEnd;
      if (stop < lineEnd) {
        const below = this.nextNonBlank(k + 1);
        if (below < this.limit && (this.indents[below] as number) > indent && !this.isComment(below)) throw giveUp();
        break;
      }
    }
    return { value, valueEnd: end, last };
  }

  private nextNonBlank(l: number): number {
    while (l < this.limit && this.isBlank(l)) l++;
    return l;
  }

  /** A literal or folded block scalar whose header is at offset `at` on line `l`. */
  private blockScalar(l: number, at: number, indent: number): Parsed {
    const text = this.text;
    const end = this.ends[l] as number;
    const folded = text.charCodeAt(at) === 62;
    let i = at + 1;
    let strip = false;
    if (text.charCodeAt(i) === DASH) {
      strip = true;
      i++;
    }
    if (i < end && text.charCodeAt(i) !== SPACE) throw giveUp();
    if (!this.restIsEmpty(i, end)) throw giveUp();
    // The content: lines indented past the collection, and blank lines (empty, or spaces only).
    let first = l + 1;
    let leadingSpaces = 0;
    while (first < this.limit && this.isBlank(first)) leadingSpaces = Math.max(leadingSpaces, this.indents[first++] as number);
    if (first >= this.limit) throw giveUp();
    if ((this.indents[first] as number) <= indent) {
      // No content: an empty scalar. It keeps the blank lines below it, except those at the end
      // that are empty or indented no more than the line after them, as the library's lexer drops
      // them; it never drops the first line. (A comment after it is the library's.)
      if (this.isComment(first)) throw giveUp();
      const next = this.indents[first] as number;
      let kept = first - 1;
      while (kept > l + 1 && (this.indents[kept] as number) <= next) kept--;
      const stop = kept > l ? this.after(kept) : (this.starts[l + 1] as number);
      return { node: this.scalar('', folded ? BLOCK_FOLDED : BLOCK_LITERAL, at, stop, stop, false), next: first };
    }
    const contentIndent = this.indents[first] as number;
    // More-indented leading blank lines need an indentation indicator: the library reports them.
    if (leadingSpaces > contentIndent) throw giveUp();
    let last = first;
    let m = first + 1;
    for (; m < this.limit; m++) {
      if (this.isBlank(m)) continue;
      if ((this.indents[m] as number) < contentIndent) break;
      last = m;
    }
    if (m < this.limit && (this.indents[m] as number) > indent) throw giveUp();
    // Blank lines after the content are not the scalar's, unless more indented than its content
    // (then they are, with their extra spaces): left to the library.
    for (let k = last + 1; k < m; k++) if ((this.indents[k] as number) > contentIndent) throw giveUp();
    let value = '';
    // Leading empty lines are kept as they are.
    for (let k = l + 1; k < first; k++) value += '\n';
    if (!folded) {
      // Each line without its first contentIndent spaces (a blank line without up to that many):
      // one native replace over the block instead of a slice and a concatenation per line.
      value += text.slice(this.starts[first], this.ends[last]).replace(indentation(contentIndent), '');
      if (!strip) value += '\n';
      const stop = this.after(last);
      return { node: this.scalar(value, BLOCK_LITERAL, at, stop, stop, false), next: last + 1 };
    }
    let sep = '';
    let prevMoreIndented = false;
    for (let k = first; k <= last; k++) {
      const lineStart = this.starts[k] as number;
      const lineEnd = this.ends[k] as number;
      const lineIndent = this.indents[k] as number;
      const content = text.slice(lineStart + lineIndent, lineEnd);
      const extra = ' '.repeat(Math.max(0, lineIndent - contentIndent));
      // Folded: a line break between two lines of text is a space, kept around more-indented lines.
      if (lineIndent > contentIndent) {
        if (sep === ' ') sep = '\n';
        else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
        value += sep + extra + content;
        sep = '\n';
        prevMoreIndented = true;
      } else if (content === '') {
        if (sep === '\n') value += '\n';
        else sep = '\n';
      } else {
        value += sep + content;
        sep = ' ';
        prevMoreIndented = false;
      }
    }
    if (!strip) value += '\n';
    const stop = this.after(last);
    return { node: this.scalar(value, BLOCK_FOLDED, at, stop, stop, false), next: last + 1 };
  }

  // --- flow collections (one line) ----------------------------------------------------------------

  /** A flow sequence or mapping opening at `at`, closed on the same line (before `end`). */
  private flow(at: number, end: number): { node: FastSeq | FastMap; close: number } {
    if (++this.depth > MAX_DEPTH) throw giveUp();
    const text = this.text;
    const isMap = text.charCodeAt(at) === 123;
    const closer = isMap ? 125 : 93;
    const node = isMap ? new FastMap(this.schema) : new FastSeq(this.schema);
    node.flow = true;
    let i = this.skipSpaces(at + 1, end);
    if (text.charCodeAt(i) === closer) {
      node.range = [at, i + 1, i + 1];
      this.depth--;
      return { node, close: i + 1 };
    }
    for (;;) {
      if (i >= end) throw giveUp();
      if (isMap) {
        const key = this.flowItem(i, end, true);
        if (text.charCodeAt(key.stop) !== COLON) throw giveUp();
        // After a quoted (JSON-like) key the value may follow the colon directly: an array input of
        // objects interpolated in text mode is JSON, `[{"if":"$CI_COMMIT_TAG"}]`.
        const next = text.charCodeAt(key.stop + 1);
        const jsonLike = text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39;
        const nothing = next === 44 || next === 93 || next === 125 || next === HASH || key.stop + 1 >= end; // , ] } #
        if (next !== SPACE && !(jsonLike && !nothing)) throw giveUp();
        const value = this.flowItem(this.skipSpaces(key.stop + 1, end), end, false);
        (node as FastMap).items.push(new PairClass(key.node, value.node));
        i = value.stop;
      } else {
        const item = this.flowItem(i, end, false);
        (node as YAMLSeq<Node>).items.push(item.node);
        i = item.stop;
      }
      const c = text.charCodeAt(i);
      if (c === closer) {
        node.range = [at, i + 1, i + 1];
        this.depth--;
        return { node, close: i + 1 };
      }
      if (c !== 44) throw giveUp();
      i = this.skipSpaces(i + 1, end);
      if (text.charCodeAt(i) === closer) throw giveUp();
    }
  }

  /** One item of a flow collection at `at`; `stop` is after it and the spaces that follow it. */
  private flowItem(at: number, end: number, atKey: boolean): { node: Node; stop: number } {
    const text = this.text;
    const c = text.charCodeAt(at);
    let node: Node;
    let valueEnd: number;
    if (c === 91 || c === 123) {
      if (atKey) throw giveUp();
      const inner = this.flow(at, end);
      node = inner.node;
      valueEnd = inner.close;
    } else if (c === 34 || c === 39) {
      const q = this.quoted(at, end);
      valueEnd = q.close;
      node = this.scalar(q.value, q.type, at, valueEnd, valueEnd, atKey);
    } else if (c === 42 && !atKey) {
      let i = at + 1;
      while (i < end && !FLOW_END.has(text.charCodeAt(i)) && text.charCodeAt(i) !== SPACE) i++;
      const name = text.slice(at + 1, i);
      if (!ANCHOR_NAME.test(name)) throw giveUp();
      node = new AliasClass(name);
      valueEnd = i;
      const stop = this.skipSpaces(i, end);
      node.range = [at, i, stop];
      return { node, stop };
    } else {
      if (!this.plainStart(at, end)) throw giveUp();
      let i = at + 1;
      for (; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (FLOW_END.has(ch)) break;
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) throw giveUp();
        if (ch === COLON) {
          const after = text.charCodeAt(i + 1);
          if (atKey && after === SPACE) break;
          if (i + 1 >= end || after === SPACE || FLOW_END.has(after)) throw giveUp();
        }
      }
      valueEnd = i;
      while (text.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
      if (atKey) {
        if (valueEnd !== i) throw giveUp();
        node = this.scalar(text.slice(at, valueEnd), PLAIN, at, valueEnd, valueEnd, true);
        return { node, stop: i };
      }
      node = this.scalar(text.slice(at, valueEnd), PLAIN, at, valueEnd, i, false);
      return { node, stop: i };
    }
    if (atKey) return { node, stop: valueEnd };
    const stop = this.skipSpaces(valueEnd, end);
    setEnd(node, stop);
    return { node, stop };
  }

  // --- documents ---------------------------------------------------------------------------------

  compose(options: Record<string, unknown>): Document.Parsed[] {
    const lines = this.starts.length;
    const text = this.text;
    // Documents: split at lines that are exactly `---`; `...` and `---` with anything after it are the library's.
    const markers: number[] = [];
    for (let l = 0; l < lines; l++) {
      const start = this.starts[l] as number;
      const c = text.charCodeAt(start);
      if ((c === DASH || c === 46 || c === 37) && (text.startsWith('---', start) || text.startsWith('...', start) || c === 37)) {
        if (c === DASH && this.ends[l] === start + 3) markers.push(l);
        else throw giveUp();
      }
    }
    const base = new Document(undefined, { version: (options['version'] as '1.1' | undefined) ?? '1.2' }).directives;
    const documents: Document.Parsed[] = [];
    const segments: [number, number, boolean][] = [];
    let from = 0;
    for (const marker of markers) {
      segments.push([from, marker, from > 0]);
      from = marker + 1;
    }
    segments.push([from, lines, from > 0]);
    segments.forEach(([first, limit, marked], index) => {
      this.limit = limit;
      const l = this.content(first);
      if (l >= limit) {
        // Comments before the first `---` are the next document's; an empty document is the library's.
        if (index === 0 && !marked && segments.length > 1) return;
        throw giveUp();
      }
      if (this.indents[l] !== 0) throw giveUp();
      // As the library's composer makes it: the stream's directives, then the options.
      const doc = new Document(undefined, { _directives: base, ...options } as DocumentOptions) as Document.Parsed;
      this.doc = doc;
      this.schema = doc.schema;
      this.options = doc.options;
      this.strTag = (this.schema as unknown as Record<symbol, ScalarTag>)[SCALAR] as ScalarTag;
      this.plainTags = new Map();
      this.keyTags = new Map();
      const { node, next } = this.blockNode(l);
      if (this.content(next) < limit) throw giveUp();
      doc.contents = node as Document.Parsed['contents'];
      const contentEnd = (node.range as [number, number, number])[2];
      const markerStart = marked ? (this.starts[first - 1] as number) : (this.starts[l] as number);
      // The document takes the comments and blank lines after its content, up to the next `---`,
      // unless its content ends in an empty value (then comments below are the library's).
      let end = limit < lines ? (this.starts[limit] as number) : text.length;
      if (endsEmpty(node)) {
        for (let k = next; k < limit; k++) if (!this.isBlank(k)) throw giveUp();
        end = contentEnd;
      }
      doc.range = [markerStart, contentEnd, end];
      if (marked) doc.directives.docStart = true;
      documents.push(doc);
    });
    return documents;
  }
}

/** Whether the last value of a collection (at any depth) is an empty scalar. */
function endsEmpty(node: Node): boolean {
  let last: unknown = node;
  for (;;) {
    if (last instanceof FastMap) last = last.items[last.items.length - 1]?.value;
    else if (last instanceof FastSeq && !last.flow) last = last.items[last.items.length - 1];
    else break;
  }
  return isScalarNode(last) && last.source === '' && last.type === PLAIN;
}

/** Tabs, carriage returns, byte-order marks and control characters: texts with them are the library's. */
// eslint-disable-next-line no-control-regex
export const UNTAKEN_CHARACTERS = /[\t\r\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * The documents of `text` as the yaml library composes them with these options, or undefined
 * when the text is not in the subset this composes (then parse it with the library).
 */
export interface FastHooks {
  /**
   * Called with each entry of a document's top-level mapping as soon as it is composed; when it
   * returns true the entry is not kept in the mapping (the caller has taken what it needs, and the
   * nodes can go). It may throw to stop the parse.
   */
  entry?: (pair: Pair<Scalar, Node>, doc: Document.Parsed) => boolean;
}

export function parseFast(
  text: string,
  options: Record<string, unknown> & { lineCounter?: LineCounter },
  hooks?: FastHooks,
  /** The caller has checked that the text holds none of UNTAKEN_CHARACTERS. */
  clean = false,
): Document.Parsed[] | undefined {
  if (!clean && UNTAKEN_CHARACTERS.test(text)) return undefined;
  const composer = new FastComposer(text, hooks);
  let documents: Document.Parsed[];
  try {
    documents = composer.compose(options);
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  if (options.lineCounter) for (const start of composer.lineStarts()) options.lineCounter.addNewLine(start);
  return documents;
}
