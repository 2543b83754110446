/**
 * Adding entries to a pipeline file's `include:` by splicing text: creating the key above the
 * first one, appending to a block list, or widening a single entry or a flow list into a block
 * list that keeps each entry's own text. Shared by `migrate` and `init`.
 */
import { Document, isScalar, isSeq, visit, type Node, type Pair, type YAMLSeq } from 'yaml';
import { YAML_VERSION, customTags, doubleQuotedScalar, scalarText } from './yaml.js';
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
 *  is quoted by the yaml library, which knows the context it writes in. */
export function renderBlock(value: unknown): string {
  const doc = new Document(value, { version: YAML_VERSION, customTags });
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
  if (items.some((node) => isScalar(node) && node.value === item)) return undefined;
  const rendered = renderBlock([item]).replace(/^\[|\]\n$/g, '');
  const next = items.find((node) => !(isScalar(node) && after.includes(String(node.value))));
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
  const before = file.text.slice(0, file.root?.range?.[0] ?? 0).replace(/^\uFEFF/, '');
  return new SourceError(
    file.path,
    before.split('\n').length,
    before.length - before.lastIndexOf('\n'),
    'the file is written in flow style (its top level a `{...}` mapping, as JSON is), and cigen adds its include entries ' +
      'and jobs to a block mapping only: rewrite the file in block style (each top-level key at the start of a line, ' +
      '`key:`, its value indented below it), then run cigen again',
    false,
  );
}

/** The edit that adds the entries to the file's `include:`, creating or widening it as needed;
 *  a SourceError when the file's top level is a flow mapping. */
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
  if (isSeq(value) && !value.flow && value.items.length > 0) {
    const firstItem = value.items[0] as Node;
    const dash = text.lastIndexOf('-', firstItem.range?.[0] ?? 0);
    const end = pairRange(text, include)[1];
    return { start: end, end, text: afterLine(text, end) + indentLines(rendered, columnOf(text, dash)) };
  }
  // A single entry or a flow list: rewrite the value as a block list, keeping each entry's text.
  const [start, end] = pairRange(text, include);
  const column = columnOf(text, (include.key as Node).range?.[0] ?? 0);
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
          : reindent(source, columnOf(text, range[0]), itemIndent + 2);
    existing.push(`${' '.repeat(itemIndent)}- ${shown}\n`);
  }
  const comments = commentsWithin(file, start, end, itemIndent, kept);
  return { start, end, text: `${' '.repeat(column)}include:\n${comments}${existing.join('')}${indentLines(rendered, itemIndent)}` };
}
