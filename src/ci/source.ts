/**
 * A pipeline file as source text plus its parsed nodes, and byte-range edits on it. The migrate
 * engine never re-serialises a file: it splices new text into ranges it computed from the
 * nodes, so every byte it has no reason to touch stays as it was.
 */
import {
  Parser,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import {
  DuplicateKeyError,
  duplicateKeyMessage,
  MAX_ALIASES,
  parseYamlDocument,
  parseYamlDocuments,
  readingAsPsych,
  withYaml11Breaks,
} from './yaml.js';

export interface SourceFile {
  path: string;
  text: string;
  doc: Document.Parsed;
  /** The top-level mapping of the file's last document (the pipeline; after a spec header). */
  root: YAMLMap | undefined;
  /** Keys written again later in their mapping, where `cigen lint` reports them: GitLab keeps the
   *  last value, so they do not make the file invalid (see lastKeysOnly). */
  duplicates: readonly DuplicateKey[];
  /** Offsets of every comment token, for carrying comments out of removed ranges (read on
   *  first use: most files have nothing removed). */
  readonly comments: readonly Comment[];
}

/** A comment token: where it starts and its text (`# ...`). */
export interface Comment {
  offset: number;
  text: string;
}

/** A key written again at `line`:`column` (1-based) of its mapping; GitLab keeps this later one. */
export interface DuplicateKey {
  key: string;
  line: number;
  column: number;
}

export class SourceError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly column: number,
    message: string,
    /** false: the file is valid YAML, but cigen cannot rewrite it (the message says why). */
    readonly invalidYaml = true,
  ) {
    super(`${path}:${line}:${column}: ${message}`);
    this.reason = `${invalidYaml ? 'invalid YAML: ' : ''}${message}`;
  }

  /** What is wrong, without the place: `invalid YAML: ...`, or why cigen cannot rewrite the file. */
  readonly reason: string;
}

function commentsOf(text: string): Comment[] {
  const found: Comment[] = [];
  const walk = (token: unknown, depth: number): void => {
    if (depth > 500 || token === null || typeof token !== 'object') return;
    if (Array.isArray(token)) {
      for (const item of token) walk(item, depth + 1);
      return;
    }
    const record = token as Record<string, unknown>;
    if (record['type'] === 'comment' && typeof record['source'] === 'string')
      found.push({ offset: record['offset'] as number, text: record['source'] });
    for (const [key, value] of Object.entries(record)) if (key !== 'source' && typeof value === 'object') walk(value, depth + 1);
  };
  // Read as parseYamlDocuments reads the file: YAML 1.1's line breaks, quoted scalars as Psych scans them.
  readingAsPsych(() => {
    for (const token of new Parser().parse(withYaml11Breaks(text))) walk(token, 0);
  });
  return found.sort((a, b) => a.offset - b.offset);
}

/**
 * Parses a pipeline file; a YAML error is a SourceError naming its line and column. A key written
 * twice in a mapping is none: GitLab (Ruby's Psych) reads the file, keeping the last value, and so
 * does `cigen lint` (a warning); each is in `duplicates`.
 */
export function readSource(path: string, text: string): SourceFile {
  const { documents, lineCounter } = parseYamlDocuments(text);
  const duplicates: DuplicateKey[] = [];
  for (const doc of documents) {
    for (const error of doc.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      if (error instanceof DuplicateKeyError) {
        duplicates.push({ key: error.key, line, column: col });
        continue;
      }
      throw new SourceError(path, line, col, error.message.split('\n')[0] ?? error.message);
    }
  }
  // Of two documents GitLab reads the first as the header (spec:): one with other keys is refused
  // (as `cigen lint` words it), so the file is no pipeline to rewrite.
  const header = documents.length === 2 ? documents[0]?.contents : undefined;
  if (isMap(header)) {
    const others = header.items.filter((pair) => keyOf(pair) !== 'spec');
    if (others.length > 0) {
      const { line, col } = lineCounter.linePos(others[0]?.key && isNode(others[0].key) ? (others[0].key.range?.[0] ?? 0) : 0);
      const keys = others.map((pair) => keyOf(pair)).join(', ');
      throw new SourceError(
        path,
        line,
        col,
        `GitLab reads the first of two documents as the header: header config contains unknown keys: ${keys}`,
        false,
      );
    }
  }
  // An empty or comment-only file is valid YAML with no content: no jobs, nothing to read.
  const doc = documents.at(-1) ?? parseYamlDocument(text);
  // Aliases are checked once, here: an alias to no anchor, or a file that expands too far
  // through aliases (a billion laughs), is invalid input, never a crash later.
  try {
    doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new SourceError(path, 1, 1, `${(error as Error).message.split('\n')[0] ?? 'invalid aliases'}`);
  }
  const root = isMap(doc.contents) ? doc.contents : undefined;
  let comments: Comment[] | undefined;
  return {
    path,
    text,
    doc,
    root,
    duplicates,
    get comments() {
      return (comments ??= commentsOf(text));
    },
  };
}

/**
 * The pairs GitLab does not read: each one whose key its mapping writes again later (the key
 * equality of duplicateKeys: the same scalar value). Not looked into: a pair removed goes whole.
 */
function overriddenPairs(documents: readonly Document.Parsed[]): { pair: Pair; map: YAMLMap; next: Pair }[] {
  const found: { pair: Pair; map: YAMLMap; next: Pair }[] = [];
  const stack: unknown[] = documents.map((doc) => doc.contents);
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (const item of node.items) stack.push(isPair(item) ? item.value : item);
    } else if (isMap(node)) {
      const last = new Map<unknown, number>();
      node.items.forEach((pair, index) => {
        if (isScalar(pair.key) && !Number.isNaN(pair.key.value)) last.set(pair.key.value, index);
      });
      node.items.forEach((pair, index) => {
        const key = pair.key;
        const overridden = isScalar(key) && !Number.isNaN(key.value) && (last.get(key.value) as number) > index;
        if (overridden) found.push({ pair, map: node, next: node.items[index + 1] as Pair });
        else stack.push(pair.key, pair.value);
      });
    }
  }
  return found;
}

/** Whether a pair holds an anchor (in its key or its value). */
function holdsAnchor(pair: Pair): boolean {
  let anchored = false;
  for (const node of [pair.key, pair.value])
    if (isNode(node))
      visit(node, {
        Node(_key, item) {
          if (!isAlias(item) && item.anchor) anchored = true;
        },
      });
  return anchored;
}

/**
 * The file as GitLab reads it, for a rewrite: each key that its mapping writes again later is
 * removed (with its value), so that only the value GitLab keeps is left — a rewrite that removes
 * or moves that one cannot bring the overridden one back to life. Comments in what is removed are
 * kept where it was. The file itself when it has no such key. A removal cigen cannot make safely
 * (the overridden pair holds an anchor an alias may name, its key carries a tag or sits where a
 * line cannot be cut) is a SourceError that says so.
 */
export function lastKeysOnly(file: SourceFile): SourceFile {
  if (file.duplicates.length === 0) return file;
  const { documents, lineCounter } = parseYamlDocuments(file.text);
  const { text } = file;
  const edits: Edit[] = [];
  for (const { pair, map, next } of overriddenPairs(documents)) {
    const key = pair.key as Scalar;
    const start = key.range?.[0];
    const end = (next.key as Node | null)?.range?.[0];
    const { line, col } = lineCounter.linePos(start ?? 0);
    const refuse = (why: string) =>
      new SourceError(
        file.path,
        line,
        col,
        `duplicate key \`${String(key.value)}\` (GitLab keeps the later one): ${why}; remove this one and run cigen again`,
        false,
      );
    if (start === undefined || end === undefined) throw refuse('cigen cannot tell where it ends');
    if (key.tag !== undefined || holdsAnchor(pair)) throw refuse('it holds a tag or an anchor, which cigen does not remove');
    // Only blanks (or a block sequence's dash) before the key on its line, or a flow mapping's `{` or `,`.
    const before = map.flow ? text.slice(0, start).trimEnd().at(-1) : text.slice(lineStart(text, start), start);
    if (map.flow ? before !== '{' && before !== ',' : !/^[ \t]*(?:-[ \t]+)*$/.test(before ?? ''))
      throw refuse('it does not start its line');
    // From the key to the next key: what stays before it (indentation, a dash) is the next key's.
    const comments = map.flow ? [] : file.comments.filter((c) => c.offset >= start && c.offset < end);
    const indent = `\n${' '.repeat(columnOf(text, start))}`;
    edits.push({ start, end, text: comments.map((c) => `${c.text}${indent}`).join('') });
  }
  const result = readSource(file.path, applyEdits(text, edits));
  if (result.duplicates.length > 0) {
    const [left] = result.duplicates as [DuplicateKey];
    throw new SourceError(file.path, left.line, left.column, `duplicate key \`${left.key}\`: cigen could not leave one of them`, false);
  }
  return result;
}

/** Each key a file writes twice, as `cigen lint` words it, at `shown:line:column`; `rewritten`
 *  when the file is (lastKeysOnly: the rewrite holds only the key GitLab keeps). */
export const duplicateWarnings = (file: SourceFile, shown: string, rewritten: boolean): string[] =>
  file.duplicates.map(
    (d) => `${shown}:${d.line}:${d.column}: ${duplicateKeyMessage(d.key)}${rewritten ? ', the only one the rewritten file holds' : ''}`,
  );

/** Where text added at the end of the pipeline goes: before the document end marker (`...`) that
 *  closes the file's last document, if one does (after it, the text would be a document of its
 *  own); otherwise the end of the file. */
export function contentEnd(text: string): number {
  const markers = [...text.matchAll(/^\.\.\.(?=[ \t\r]|$)/gm)];
  const last = markers.at(-1);
  if (last === undefined) return text.length;
  const rest = text.slice(last.index + 3).split('\n');
  return rest.every((line) => /^[ \t]*(#[^\r]*)?\r?$/.test(line)) ? last.index : text.length;
}

export const lineStart = (text: string, offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;
export const columnOf = (text: string, offset: number): number => offset - lineStart(text, offset);

/** The end of the line holding `offset` (after its newline). */
export function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

/**
 * Lines `[start, end)` of a pair: from its key's line to the end of its value's last line, and
 * the comment lines after it that are its own — indented deeper than its key (`    # - echo`
 * after a script), or at the key's column with no blank line before them. The yaml library ends
 * a value at the next key however far that is, so a blank line and a comment at the key's column
 * or left of it (`# ---- deploy jobs ----` above the next job) fall inside its range; they are
 * the next key's, and outside the pair's lines.
 */
export function pairRange(text: string, pair: Pair): [number, number] {
  const key = pair.key as Node;
  const value = pair.value as Node | null;
  const keyRange = key.range as [number, number, number];
  const start = lineStart(text, keyRange[0]);
  const last = value?.range ? value.range[2] : keyRange[2];
  // A value followed by comment lines ends after them, at the indentation of the next key's line
  // (`    # - echo\n  when: manual`): that line is the next pair's, not this one's.
  const lastLine = lineStart(text, last);
  const limit = /^[ \t]*$/.test(text.slice(lastLine, last)) ? lastLine : lineEnd(text, last);
  // The value's own text ends its last line (a block scalar's ends at the start of the next line).
  const body = Math.max(value?.range ? value.range[1] : keyRange[1], keyRange[1]);
  let end = /^[ \t]*$/.test(text.slice(lineStart(text, body), body)) ? lineStart(text, body) : lineEnd(text, body);
  if (end >= limit) return [start, Math.max(end, limit)];
  const column = columnOf(text, keyRange[0]);
  let blank = false;
  for (let at = end; at < limit; at = lineEnd(text, at)) {
    const line = text.slice(at, lineEnd(text, at));
    if (/^[ \t]*\r?\n?$/.test(line)) {
      blank = true;
      continue;
    }
    const comment = /^([ \t]*)#/.exec(line);
    const indent = comment?.[1]?.length ?? -1;
    if (!comment || indent < column || (indent === column && blank)) break;
    end = lineEnd(text, at);
  }
  return [start, end];
}

/** A pair's key as text; a YAML merge key (which yaml gives as a symbol) reads `<<`. */
export function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair) || !isScalar(pair.key)) return undefined;
  const value = pair.key.value;
  return typeof value === 'symbol' ? '<<' : String(value);
}

/** Comments inside `[start, end)`, as lines indented to `indent`; those `carried` already went
 *  elsewhere with the item they end (see itemText). */
export function commentsWithin(
  file: SourceFile,
  start: number,
  end: number,
  indent: number,
  carried: ReadonlySet<Comment> = new Set(),
): string {
  return file.comments
    .filter((c) => c.offset >= start && c.offset < end && !carried.has(c))
    .map((c) => `${' '.repeat(indent)}${c.text}\n`)
    .join('');
}

/** The comment that ends the line `offset` is on, with only blanks before it from `offset`. */
function commentEnding(file: SourceFile, offset: number): Comment | undefined {
  const { comments, text } = file;
  let low = 0;
  let high = comments.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((comments[middle] as Comment).offset < offset) low = middle + 1;
    else high = middle;
  }
  const next = comments[low];
  return next && /^[ \t]*$/.test(text.slice(offset, next.offset)) ? next : undefined;
}

/**
 * A sequence item as a `- item` line at `indent`: its source text (block scalars included) and
 * the comment that ends its last line (`- make assets  # why`), which is `carried` with it.
 */
export function itemText(file: SourceFile, node: Node, indent: number): { text: string; carried?: Comment } {
  if (isSeq(node) && node.tag === '!reference') {
    const parts = node.items.map((i) => (isScalar(i) ? String(i.value) : '')).join(', ');
    return { text: `${' '.repeat(indent)}- !reference [${parts}]\n` };
  }
  const { text } = file;
  const range = node.range as [number, number, number];
  const before = text.slice(lineStart(text, range[0]), range[0]);
  const from = /^\s*-\s+$/.test(before) ? before.length : columnOf(text, range[0]);
  const body = reindent(text.slice(range[0], range[1]), from, indent + 2).replace(/\n*$/, '');
  // A block scalar ends after its last line: what follows is not on a line of its own.
  const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  const carried = block ? undefined : commentEnding(file, range[1]);
  return { text: `${' '.repeat(indent)}- ${body}${carried ? ` ${carried.text}` : ''}\n`, ...(carried ? { carried } : {}) };
}

/** Moves lines indented by `from` columns to `to` columns (the first line is placed by the caller). */
export function reindent(text: string, from: number, to: number): string {
  if (from === to) return text;
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line.trim() === '') return line;
      const leading = line.length - line.trimStart().length;
      return to > from ? ' '.repeat(to - from) + line : line.slice(Math.min(from - to, leading));
    })
    .join('\n');
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A byte-order mark stays the first character of a file. */
const BOM = '\ufeff';

/** An edit written in the file's own style: never before its byte-order mark, and with its line
 *  endings (a file whose first line ends in CRLF gets CRLF in what is inserted). */
function inFileStyle(text: string, edit: Edit): Edit {
  const start = text.startsWith(BOM) && edit.start === 0 ? 1 : edit.start;
  const end = Math.max(edit.end, start);
  const crlf = /^[^\n]*\r\n/.test(text);
  return { start, end, text: crlf ? edit.text.replace(/\r?\n/g, '\r\n') : edit.text };
}

/** Applies non-overlapping edits; edits at one offset keep the order they were given in. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  // At one offset, pure insertions go before a replacement that starts there.
  const insertion = (edit: Edit) => (edit.start === edit.end ? 0 : 1);
  const ordered = edits
    .map((edit) => inFileStyle(text, edit))
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || insertion(a.edit) - insertion(b.edit) || a.index - b.index);
  let out = '';
  let at = 0;
  for (const { edit } of ordered) {
    if (edit.start < at) throw new Error(`overlapping edits at ${edit.start}`);
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** The indentation a file uses for one level (its first nested block mapping), 2 if none. */
export function indentUnit(file: SourceFile): number {
  for (const item of file.root?.items ?? []) {
    if (isPair(item) && isMap(item.value) && !item.value.flow) {
      const first = item.value.items[0];
      if (first && isScalar(first.key) && first.key.range) return Math.max(1, columnOf(file.text, first.key.range[0]));
    }
  }
  return 2;
}
