/** Maps a path into a parsed YAML document back to a line and column. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { PathSegment } from './diagnostics.js';
import { aliasTarget, isMergeKey, mergeSources, segmentOf } from './yaml.js';

export interface Position {
  line: number;
  column: number;
}

const keyText = (key: unknown): string | undefined => (isScalar(key) ? segmentOf(key) : undefined);

/** The pair of a mapping whose key is `segment`, as written or as it reads after interpolation. */
const pairOf = (node: YAMLMap, segment: PathSegment, resolveKey: (key: string) => string): Pair | undefined =>
  // The last of a key written twice: the one whose value is read (Psych, and the value cigen checks).
  node.items.findLast((item) => isPair(item) && keyText(item.key) === String(segment)) ??
  node.items.findLast((item) => isPair(item) && resolveKey(keyText(item.key) ?? '') === String(segment));

/**
 * The pair whose value GitLab reads for `segment` in a mapping (as Psych builds the hash; see
 * keysAsRead): the last one written, unless a merge key after it brings the key in, from the
 * pair its map reads (a merge key's maps: the first that has it). Each map is searched once per
 * call (`searched`): merge keys may name one map many times, and a map merging itself brings
 * nothing (Psych merges the hash it is building into itself).
 */
function pairAsRead(
  doc: Document,
  map: YAMLMap,
  matches: (key: unknown) => boolean,
  searched = new Map<YAMLMap, Pair | undefined>(),
): Pair | undefined {
  if (searched.has(map)) return searched.get(map);
  searched.set(map, undefined);
  let read: Pair | undefined;
  for (const pair of map.items) {
    // A merge key whose value is no map (nor list of maps) is a key `<<` to Psych.
    const sources = isMergeKey(pair.key) ? mergeSources(pair.value, (node) => aliasTarget(doc, node)) : undefined;
    if (!sources) {
      if (matches(pair.key)) read = pair;
      continue;
    }
    for (const source of sources) {
      const found = pairAsRead(doc, source, matches, searched);
      if (found) {
        read = found;
        break;
      }
    }
  }
  searched.set(map, read);
  return read;
}

/** The position of the node at `path`, or of the deepest node on the way when the rest is
 *  missing (a key that arrived through a merge key, say). */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  at: 'key' | 'value' = 'value',
  /** How a key reads after interpolation, for paths into an instantiated document. */
  resolveKey: (key: string) => string = (key) => key,
): Position {
  let node: unknown = doc.contents;
  let anchor: unknown = node;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const written = String(segment);
      // The pair GitLab reads; else the one written there (a path through a merge key's own map).
      const pair =
        pairAsRead(doc, node, (key) => keyText(key) === written) ??
        pairAsRead(doc, node, (key) => resolveKey(keyText(key) ?? '') === written) ??
        pairOf(node, segment, resolveKey);
      if (!pair) break;
      anchor = last && at === 'key' ? pair.key : (pair.value ?? pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      anchor = node;
    } else {
      break;
    }
  }
  const range = (anchor as Node | null)?.range ?? doc.contents?.range;
  const pos = lineCounter.linePos(range ? range[0] : 0);
  return { line: pos.line, column: pos.col };
}

/**
 * The node written at `path`, aliases followed (an interpolated document's value at that path may
 * have come from an interpolation block: the written node says), or undefined when the path leaves
 * the nodes (a merge key, or a whole collection put there by a block).
 */
export function nodeAt(doc: Document, path: readonly PathSegment[], resolveKey: (key: string) => string = (key) => key): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    node = aliasTarget(doc, node);
    if (isMap(node)) node = pairOf(node, segment, resolveKey)?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return aliasTarget(doc, node);
}

/** A key as written: one function, so that the readings below are kept for it. */
const asWritten = (key: string): string => key;

/** Each mapping's keys as Psych reads them, to the value node each ends with (per key reading). */
const READINGS = new WeakMap<YAMLMap, Map<(key: string) => string, Map<string, unknown>>>();
let readingsBuilt = 0;
/** How many mappings have been read key by key so far (tests: each once). */
export const keyReadingsBuilt = (): number => readingsBuilt;

/**
 * A mapping's keys to their value nodes as Psych builds the hash (Psych::Visitors::ToRuby
 * #revive_hash), in order: a key written again replaces the value (the last one wins), and a
 * merge key (`<<`) merges its mapping — or its list of mappings, the first winning — over the
 * keys before it, under the keys after it. Built once per mapping.
 */
function keysAsRead(doc: Document, map: YAMLMap, resolveKey: (key: string) => string): Map<string, unknown> {
  let byReading = READINGS.get(map);
  const known = byReading?.get(resolveKey);
  if (known) return known;
  readingsBuilt++;
  // Set before it is filled: a map merging itself reads the keys written so far (the hash Psych
  // is building), and merge keys naming one map many times read it once.
  const keys = new Map<string, unknown>();
  if (!byReading) READINGS.set(map, (byReading = new Map<(key: string) => string, Map<string, unknown>>()));
  byReading.set(resolveKey, keys);
  for (const pair of map.items) {
    const key: unknown = pair.key;
    const sources = isMergeKey(key) ? mergeSources(pair.value, (node) => aliasTarget(doc, node)) : undefined;
    if (sources) {
      for (const source of sources.reverse()) for (const [name, node] of keysAsRead(doc, source, resolveKey)) keys.set(name, node);
    } else {
      const text = keyText(key);
      if (text !== undefined) keys.set(resolveKey(text), pair.value);
    }
  }
  return keys;
}

/**
 * The node GitLab reads at `path` (as Psych builds the value): aliases followed, the last of keys
 * written twice, a key a merge key brings in; undefined when nothing is written there (or the path
 * leaves the nodes: a `!reference` tag, an interpolation block holding a whole collection).
 */
export function nodeAsRead(doc: Document, path: readonly PathSegment[], resolveKey: (key: string) => string = asWritten): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    node = aliasTarget(doc, node);
    if (isMap(node)) node = keysAsRead(doc, node, resolveKey).get(String(segment));
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return aliasTarget(doc, node);
}
