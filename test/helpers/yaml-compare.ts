/**
 * Node-by-node comparison of two yaml Documents (issue 16: the fast composer against the yaml
 * library's). Comments are left out: the fast composer does not attach them.
 */
import { isDeepStrictEqual } from 'node:util';
import { Alias, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';

const IGNORED = new Set(['comment', 'commentBefore', 'spaceBefore', 'range']);

const kind = (node: object): string =>
  [Scalar, YAMLMap, YAMLSeq, Pair, Alias].find((Class) => node instanceof Class)?.name ?? Object.getPrototypeOf(node)?.constructor?.name;

/** The first difference between two nodes, as a path and what differs, or undefined. */
export function nodeDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  const show = (value: unknown) => JSON.stringify(value) ?? typeof value;
  if (a === null || a === undefined || b === null || b === undefined) return a === b ? undefined : `${path}: ${show(a)} vs ${show(b)}`;
  if (typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b) ? undefined : `${path}: ${show(a)} vs ${show(b)}`;
  // The fast composer's nodes are subclasses of the library's (their range is kept in numbers).
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  const keysA = Object.keys(a).filter((k) => !IGNORED.has(k) && (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => !IGNORED.has(k) && (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.sort().join() !== keysB.sort().join()) return `${path}: fields ${keysA.join(',')} vs ${keysB.join(',')}`;
  const ra = (a as { range?: unknown }).range;
  const rb = (b as { range?: unknown }).range;
  if (!isDeepStrictEqual(ra, rb)) return `${path}: range ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`;
  if (isScalar(a) && isScalar(b)) {
    const va = a.value;
    const vb = b.value;
    const same =
      typeof va === 'symbol' && typeof vb === 'symbol' ? va.description === vb.description : isDeepStrictEqual(va, vb) || Object.is(va, vb);
    if (!same) return `${path}: value ${String(va)} vs ${String(vb)}`;
  }
  for (const key of keysA) {
    if (key === 'items' || key === 'value' || key === 'key' || key === 'range') continue;
    const va = (a as Record<string, unknown>)[key];
    const vb = (b as Record<string, unknown>)[key];
    if (typeof va === 'function' && typeof vb === 'function') {
      if (va.toString() !== vb.toString()) return `${path}.${key}: different functions`;
      continue;
    }
    if (!isDeepStrictEqual(va, vb)) return `${path}.${key}: ${JSON.stringify(va)} vs ${JSON.stringify(vb)}`;
  }
  if (isPair(a) && isPair(b)) return nodeDifference(a.key, b.key, `${path}.key`) ?? nodeDifference(a.value, b.value, `${path}.value`);
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    const ia = (a as { items: unknown[] }).items;
    const ib = (b as { items: unknown[] }).items;
    if (ia.length !== ib.length) return `${path}: ${ia.length} items vs ${ib.length}`;
    for (let i = 0; i < ia.length; i++) {
      const d = nodeDifference(ia[i], ib[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isAlias(a) && isAlias(b)) return a.source === b.source ? undefined : `${path}: alias ${a.source} vs ${b.source}`;
  if (isScalar(a) && isScalar(b)) return undefined;
  return `${path}: unknown node`;
}

/** The first difference between two parses of one text, or undefined. */
export function documentsDifference(a: readonly Document.Parsed[], b: readonly Document.Parsed[]): string | undefined {
  if (a.length !== b.length) return `${a.length} documents vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] as Document.Parsed;
    const db = b[i] as Document.Parsed;
    if (da.errors.length + da.warnings.length + db.errors.length + db.warnings.length > 0)
      return `doc ${i}: errors ${[...da.errors, ...da.warnings].map((e) => e.code).join(',')} vs ${db.errors.length}`;
    if (!isDeepStrictEqual(da.range, db.range)) return `doc ${i}: range ${JSON.stringify(da.range)} vs ${JSON.stringify(db.range)}`;
    if (da.directives.docStart !== db.directives.docStart)
      return `doc ${i}: docStart ${da.directives.docStart} vs ${db.directives.docStart}`;
    if (da.directives.docEnd !== db.directives.docEnd) return `doc ${i}: docEnd`;
    if (Object.keys(da.options).sort().join() !== Object.keys(db.options).sort().join()) return `doc ${i}: options`;
    const d = nodeDifference(da.contents, db.contents, `doc ${i}`);
    if (d) return d;
    let ja: unknown;
    let jb: unknown;
    try {
      ja = da.toJS({ maxAliasCount: 10_000 });
    } catch (error) {
      ja = `throws ${(error as Error).message}`;
    }
    try {
      jb = db.toJS({ maxAliasCount: 10_000 });
    } catch (error) {
      jb = `throws ${(error as Error).message}`;
    }
    if (!isDeepStrictEqual(ja, jb)) return `doc ${i}: toJS differs`;
  }
  return undefined;
}
