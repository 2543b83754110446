/**
 * Adding entries to a pipeline file's `include:` by splicing text: creating the key above the
 * first one, appending to a block list, or widening a single entry or a flow list into a block
 * list that keeps each entry's own text. Shared by `migrate` and `init`.
 */
import { Document, isAlias, isMap, isScalar, isSeq, visit, type Node, type Pair, type YAMLSeq } from 'yaml';
import { aliasTarget, doubleQuotedScalar, scalarText, stringifyBlockWithFlowLists, writeOptions } from './yaml.js';
import { escapeRegExp } from './regexp.js';
import { includeEntries, type IncludeEntry as IncludeRef } from './includes.js';
import {
  columnOf,
  commentsWithin,
  contentEnd,
  indentUnit,
  keyOf,
  lineStart,
  pairRange,
  reindent,
  SourceError,
  type Comment,
  type Edit,
  type SourceFile,
} from './source.js';

/** A file's `include:` entries as plain data, classified as the linter classifies them. */
export function includesOf(file: SourceFile): IncludeRef[] {
  const include = file.root?.items.find((p) => keyOf(p) === 'include');
  return includeEntries(include ? (include.value as { toJS?: (doc: unknown) => unknown } | null)?.toJS?.(file.doc) : undefined);
}

/** The local includes a file names, as written (string entries and `local:` entries). */
export const localIncludeTargets = (file: SourceFile): IncludeRef[] => includesOf(file).filter((entry) => entry.kind === 'local');

/** A `component:` entry to add, with the inputs it passes. */
export interface ComponentInclude {
  component: string;
  inputs: Readonly<Record<string, unknown>>;
}

/** Data as block YAML at column 0, lists of scalars in flow style (`tags: [v1, latest]`). Every
 *  string that YAML 1.1 would read as something else (`no`, `1.10`, `a,b` in a flow list, `#x`)
 *  is quoted by the yaml library, which knows the context it writes in, and so is every string
 *  Psych alone would (`y`, `:name`: writeOptions). The fast writer writes it (yaml.ts), the
 *  library what that does not lay out. */
export function renderBlock(value: unknown): string {
  return stringifyBlockWithFlowLists(value) ?? renderBlockWithDocument(value);
}

/** renderBlock's text as the library writes it, from a Document. */
export function renderBlockWithDocument(value: unknown): string {
  const doc = new Document(value, writeOptions());
  visit(doc, { Seq: (_key, node) => void (node.items.every(isScalar) ? (node.flow = true) : undefined) });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
}

/** `include:` entries as YAML, at column 0. */
export const renderEntries = (entries: readonly ComponentInclude[]): string => renderBlock(entries);

/**
 * The edit that adds `item` to the top-level list `key` (`stages:`) when the list exists and
 * lacks it: before the first entry that is not one of `after` (`.pre`), in the list's own style;
 * undefined when nothing needs adding or the key holds no list (an alias, a `!reference`).
 */
export function addToTopLevelList(file: SourceFile, key: string, item: string, after: readonly string[] = []): Edit | undefined {
  const pair = file.root?.items.find((p) => keyOf(p) === key);
  const list = pair?.value;
  if (!isSeq(list) || list.tag === '!reference') return undefined;
  return addToList(file, list, pair, item, after);
}

/**
 * The same for any list of the file written as a list (the one an anchor names): `pair`, the
 * pair whose value it is, is needed only to append to a block list (undefined then without it).
 */
export function addToList(
  file: SourceFile,
  list: YAMLSeq,
  pair: Pair | undefined,
  item: string,
  after: readonly string[] = [],
): Edit | undefined {
  const items = list.items as Node[];
  // An item written as an alias (`- *b`) is the text its anchor names, as GitLab reads the list.
  const valueOf = (node: Node): unknown => {
    const target = aliasTarget(file.doc, node);
    return isScalar(target) ? target.value : undefined;
  };
  if (items.some((node) => valueOf(node) === item)) return undefined;
  const rendered = renderBlock([item]).replace(/^\[|\]\n$/g, '');
  const next = items.find((node) => {
    const value = valueOf(node);
    return !(typeof value === 'string' && after.includes(value));
  });
  const text = file.text;
  if (list.flow) {
    if (next?.range) return { start: next.range[0], end: next.range[0], text: `${rendered}, ` };
    const last = items.at(-1);
    if (last?.range) return { start: last.range[1], end: last.range[1], text: `, ${rendered}` };
    const open = text.indexOf('[', list.range?.[0] ?? 0);
    return { start: open + 1, end: open + 1, text: rendered };
  }
  const anchor = next ?? items.at(-1);
  if (!anchor?.range) return undefined;
  const dash = text.lastIndexOf('-', anchor.range[0]);
  const line = `${' '.repeat(columnOf(text, dash))}- ${rendered}\n`;
  if (next) return { start: lineStart(text, dash), end: lineStart(text, dash), text: line };
  if (!pair) return undefined;
  const end = pairRange(text, pair)[1];
  return { start: end, end, text: afterLine(text, end) + line };
}

/** Where a new top-level key goes: above the first key and the comment lines that touch it
 *  (they are about that key), or at the end of an empty file's content. */
export function topKeyOffset(file: SourceFile): number {
  const text = file.text;
  const first = file.root?.items[0];
  const keyAt = first ? lineStart(text, (first.key as Node).range?.[0] ?? 0) : contentEnd(text);
  let at = keyAt;
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    if (!text.slice(previous, at).trimStart().startsWith('#')) break;
    at = previous;
  }
  return at;
}

/** What text inserted at `at` needs first to start a line of its own: a newline after a last line without one. */
const afterLine = (text: string, at: number): string => (at > 0 && text[at - 1] !== '\n' ? '\n' : '');

const indentLines = (text: string, by: number): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(by) + line))
    .join('\n');

/**
 * Why the entries cannot go into a file whose top level is a flow mapping (`{...}`, as JSON is):
 * they are block YAML, which a flow mapping cannot hold. At its `{`; the file is valid YAML.
 */
function flowRootError(file: SourceFile): SourceError {
  return refusal(
    file,
    file.root?.range?.[0] ?? 0,
    'the file is written in flow style (its top level a `{...}` mapping, as JSON is), and cigen adds its include entries ' +
      'and jobs to a block mapping only: rewrite the file in block style (each top-level key at the start of a line, ' +
      '`key:`, its value indented below it), then run cigen again',
  );
}

/** The line and column (from 1) of `offset`, as a SourceError names them (a byte-order mark is no column). */
function positionOf(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset).replace(/^\uFEFF/, '');
  return [before.split('\n').length, before.length - before.lastIndexOf('\n')];
}

/** A refusal at `offset`: the file is valid YAML, but cigen cannot add its entries (`why`, which says what to do). */
function refusal(file: SourceFile, offset: number, why: string): SourceError {
  const [line, column] = positionOf(file.text, offset);
  return new SourceError(file.path, line, column, why, false);
}

/** The aliases of the file that name `node` (`*name` in any key's value, `<<: *name` too). */
function aliasesOf(file: SourceFile, node: Node): Node[] {
  const found: Node[] = [];
  visit(file.doc, { Alias: (_key, alias) => void (aliasTarget(file.doc, alias) === node ? found.push(alias) : undefined) });
  return found;
}

/** The top-level pair whose value is `node`, if one is. */
const topLevelHolder = (file: SourceFile, node: Node): Pair | undefined => file.root?.items.find((pair) => pair.value === node);

const lineOf = (file: SourceFile, node: Node): number => positionOf(file.text, node.range?.[0] ?? 0)[0];

/**
 * Why the entries cannot go into the list anchored `&name` (`how` `include:` reads it): the
 * `others` alias it too, and each would read the entries (a `trigger: include: *name` would run
 * the builds in a child pipeline). At the file's `include:`.
 */
function sharedListError(file: SourceFile, include: Pair, how: string, others: readonly Node[]): SourceError {
  const lines = [...new Set(others.map((alias) => lineOf(file, alias)))];
  return refusal(
    file,
    (include.key as Node).range?.[0] ?? 0,
    `${how}, which ${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')} ${lines.length === 1 ? 'aliases' : 'alias'} too, ` +
      'and the entries cigen would add to it would be read there as well: give `include:` a list of its own that nothing ' +
      'else aliases (its entries written out), then run cigen again',
  );
}

/** The edit that adds the entries to the file's `include:`, creating or widening it as needed;
 *  a SourceError when the file's top level is a flow mapping, or when the list the entries would
 *  go into is one that other keys alias too. */
export function addIncludeEntries(file: SourceFile, entries: readonly ComponentInclude[]): Edit {
  if (file.root?.flow) throw flowRootError(file);
  const text = file.text;
  const unit = indentUnit(file);
  const rendered = renderEntries(entries);
  const include = file.root?.items.find((p) => keyOf(p) === 'include');
  if (!include) {
    const at = topKeyOffset(file);
    return { start: at, end: at, text: `include:\n${indentLines(rendered, unit)}\n` };
  }
  const value = include.value as Node | null;
  if (isAlias(value)) {
    // `include: *name`: GitLab reads the node the anchor names. A list gets the entries itself (an
    // alias of it as an entry of a new list would be a list in the list, which GitLab refuses:
    // "config should be a string or a hash"); a single entry (a hash, a string) is an entry of the
    // new list as the alias, as before.
    const target = aliasTarget(file.doc, value) as Node | undefined;
    if (isSeq(target) && target.tag !== '!reference') {
      const how = `\`include: *${value.source}\` reads the list anchored \`&${value.source}\` (line ${lineOf(file, target)})`;
      const others = aliasesOf(file, target).filter((alias) => alias !== value);
      if (others.length > 0) throw sharedListError(file, include, how, others);
      const holder = topLevelHolder(file, target);
      if (!holder)
        throw refusal(
          file,
          (include.key as Node).range?.[0] ?? 0,
          `${how}, and cigen adds its entries to an anchored list only when it is the value of a top-level key: ` +
            `anchor the list at a top-level key (\`.includes: &${value.source}\`) or write it under \`include:\` itself, ` +
            'then run cigen again',
        );
      const keyRange = (holder.key as Node).range as [number, number, number];
      return addToIncludeList(file, holder, target, text.slice(keyRange[0], keyRange[1]), rendered);
    }
  }
  // Its own list, anchored: when other keys alias it, they would read the entries too.
  const others = isSeq(value) && value.anchor ? aliasesOf(file, value) : [];
  if (others.length > 0) throw sharedListError(file, include, `\`include:\` is the list anchored \`&${value?.anchor}\``, others);
  return addToIncludeList(file, include, value, 'include', rendered);
}

/**
 * The edit that adds the rendered entries to `value`, the value of `pair` (written `key:`): after
 * the last entry of a block list; a single entry or a flow list is rewritten as a block list
 * that keeps each entry's text.
 */
function addToIncludeList(file: SourceFile, pair: Pair, value: Node | null, key: string, rendered: string): Edit {
  const text = file.text;
  const unit = indentUnit(file);
  if (isSeq(value) && !value.flow && value.items.length > 0) {
    const firstItem = value.items[0] as Node;
    const dash = text.lastIndexOf('-', firstItem.range?.[0] ?? 0);
    const end = pairRange(text, pair)[1];
    return { start: end, end, text: afterLine(text, end) + indentLines(rendered, columnOf(text, dash)) };
  }
  // A single entry or a flow list: rewrite the value as a block list, keeping each entry's text.
  const [start, end] = pairRange(text, pair);
  const column = columnOf(text, (pair.key as Node).range?.[0] ?? 0);
  const itemIndent = column + unit;
  const existing: string[] = [];
  // The comments a collection's text holds stay in it, where they were; the others go above the list.
  const kept = new Set<Comment>();
  const items = isSeq(value) ? value.items : value ? [value] : [];
  for (const item of items as Node[]) {
    const range = item.range as [number, number, number];
    const source = text.slice(range[0], range[1]).replace(/\s+$/, '');
    if (!isScalar(item)) for (const c of file.comments) if (c.offset >= range[0] && c.offset < range[0] + source.length) kept.add(c);
    // A scalar written over several lines (`>-`, a folded plain or quoted one) reads otherwise at
    // another indentation: written again as one double-quoted line (JSON's escapes are YAML's).
    // A collection keeps its text, its lines moved with it.
    const shown =
      isScalar(item) && source.includes('\n')
        ? doubleQuotedScalar(scalarText(item.value))
        : isScalar(item)
          ? source
          : `${firstKeyAnchor(item)}${reindent(source, columnOf(text, range[0]), itemIndent + 2)}`;
    // An anchor stays on the entry it names (before its text, which starts after it): its aliases
    // read what they read before. A block mapping's goes on the dash's line, the mapping below it
    // (`- &a k: v` would anchor the key).
    const anchored = !item.anchor
      ? shown
      : isMap(item) && !item.flow
        ? `&${item.anchor}\n${' '.repeat(itemIndent + 2)}${shown}`
        : `&${item.anchor} ${shown}`;
    existing.push(`${' '.repeat(itemIndent)}- ${anchored}\n`);
  }
  const comments = commentsWithin(file, start, end, itemIndent, kept);
  // A flow list's anchor names the block list it becomes (the entries are added to what its aliases
  // read only when it has none: see addIncludeEntries); a single entry's went with the entry.
  const listAnchor = isSeq(value) && value.anchor ? ` &${value.anchor}` : '';
  const written = `${' '.repeat(column)}${key}:${listAnchor}\n${comments}${existing.join('')}${indentLines(rendered, itemIndent)}`;
  // Every anchor of the text replaced is in the text written (one cigen does not move, a tagged
  // key's, say, would leave its aliases naming nothing: the file refused instead).
  visit(file.doc, {
    Node(_key, node) {
      const at = node.range?.[0];
      if (isAlias(node) || !node.anchor || at === undefined || at < start || at >= end) return;
      if (!new RegExp(`&${escapeRegExp(node.anchor)}(?![^\\s,\\[\\]{}])`).test(written))
        throw refusal(
          file,
          at,
          `cigen rewrites \`${key}:\` as a block list to add its entries, and would not keep the anchor \`&${node.anchor}\` ` +
            'where it is: write the list in block style (`- ` before each entry), then run cigen again',
        );
    },
  });
  return { start, end, text: written };
}

/** A block or compact mapping's first key's anchor (`&k local: a.yml`), which its text starts after: to write again before it. */
function firstKeyAnchor(node: Node): string {
  const key = isMap(node) && !node.flow ? (node.items[0]?.key as Node | undefined) : undefined;
  return key && !isAlias(key) && key.anchor && key.range?.[0] === node.range?.[0] ? `&${key.anchor} ` : '';
}
