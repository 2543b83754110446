/**
 * A unified diff of two texts, written as the `diff` package's createTwoFilesPatch writes it
 * (`createTwoFilesPatch(oldPath, newPath, oldText, newText, '', '', { context })` without the
 * `====` underline), but fast on large files: Myers' O(N·D) diff of a whole pipeline whose every
 * job changes grows with the square of its size. Small texts are still diffed whole by the `diff`
 * package (the same patch, byte for byte); larger ones patience-style: the common first and last
 * lines cut off, the middle split at anchors (lines that occur exactly once in the old middle and
 * once in the new, the longest run of them in the same order in both), and only the gaps between
 * anchors diffed, each the same way while it is large, then by the `diff` package.
 */
import { diffLines } from 'diff';

/** One run of lines: kept (context), removed from the old text or added in the new; each line with its end of line. */
export interface LineRun {
  readonly kind: 'same' | 'removed' | 'added';
  readonly lines: readonly string[];
}

/** Texts of at most this many lines (old and new together) are diffed whole, as createTwoFilesPatch does. */
export const WHOLE_LINES = 1000;

/** Gaps split again at most this deep (a deeper one is diffed whole): no stack overflow on any input. */
const MAX_DEPTH = 64;

/** The lines of a text as the `diff` package's line diff cuts them: each with its `\n` (or `\r\n`), no empty last line. */
export function linesOf(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const last = parts.pop() as string;
  const lines = parts.map((part) => `${part}\n`);
  if (last !== '') lines.push(last);
  return lines;
}

/** The runs of lines that turn `oldText` into `newText`. */
export function lineRuns(oldText: string, newText: string, whole = WHOLE_LINES): LineRun[] {
  const a = linesOf(oldText);
  const b = linesOf(newText);
  const runs = new Runs();
  if (a.length + b.length <= whole) runs.myers(a, 0, a.length, b, 0, b.length);
  else runs.patience(a, 0, a.length, b, 0, b.length, whole, 0);
  return runs.list;
}

/** The patch, as createTwoFilesPatch writes it less a leading `====` underline. */
export function unifiedDiff(oldPath: string, newPath: string, oldText: string, newText: string, context = 3): string {
  return formatRuns(oldPath, newPath, lineRuns(oldText, newText), context);
}

class Runs {
  readonly list: { kind: LineRun['kind']; lines: string[] }[] = [];

  push(kind: LineRun['kind'], lines: readonly string[], from: number, to: number): void {
    if (to <= from) return;
    let last = this.list[this.list.length - 1];
    if (last?.kind !== kind) {
      last = { kind, lines: [] };
      this.list.push(last);
    }
    for (let i = from; i < to; i++) last.lines.push(lines[i] as string);
  }

  /** a[aFrom, aTo) against b[bFrom, bTo) by the `diff` package's Myers diff. */
  myers(a: readonly string[], aFrom: number, aTo: number, b: readonly string[], bFrom: number, bTo: number): void {
    if (aFrom === aTo || bFrom === bTo) {
      this.push('removed', a, aFrom, aTo);
      this.push('added', b, bFrom, bTo);
      return;
    }
    const changes = diffLines(a.slice(aFrom, aTo).join(''), b.slice(bFrom, bTo).join(''));
    let i = aFrom;
    let j = bFrom;
    for (const change of changes) {
      const count = change.count;
      if (change.removed) {
        this.push('removed', a, i, i + count);
        i += count;
      } else if (change.added) {
        this.push('added', b, j, j + count);
        j += count;
      } else {
        this.push('same', b, j, j + count);
        i += count;
        j += count;
      }
    }
  }

  /** a[aFrom, aTo) against b[bFrom, bTo): common ends cut, then split at unique common lines. */
  patience(
    a: readonly string[],
    aFrom: number,
    aTo: number,
    b: readonly string[],
    bFrom: number,
    bTo: number,
    whole: number,
    depth: number,
  ): void {
    let head = 0;
    while (aFrom + head < aTo && bFrom + head < bTo && a[aFrom + head] === b[bFrom + head]) head++;
    this.push('same', b, bFrom, bFrom + head);
    aFrom += head;
    bFrom += head;
    let tail = 0;
    while (aTo - tail > aFrom && bTo - tail > bFrom && a[aTo - tail - 1] === b[bTo - tail - 1]) tail++;
    const aEnd = aTo - tail;
    const bEnd = bTo - tail;
    const small = aEnd - aFrom + (bEnd - bFrom) <= whole || depth >= MAX_DEPTH;
    const anchors = small ? [] : uniqueCommon(a, aFrom, aEnd, b, bFrom, bEnd);
    if (anchors.length === 0) this.myers(a, aFrom, aEnd, b, bFrom, bEnd);
    else {
      let i = aFrom;
      let j = bFrom;
      for (const [ai, bj] of anchors) {
        this.gap(a, i, ai, b, j, bj, whole, depth);
        this.push('same', b, bj, bj + 1);
        i = ai + 1;
        j = bj + 1;
      }
      this.gap(a, i, aEnd, b, j, bEnd, whole, depth);
    }
    this.push('same', b, bEnd, bTo);
  }

  private gap(
    a: readonly string[],
    aFrom: number,
    aTo: number,
    b: readonly string[],
    bFrom: number,
    bTo: number,
    whole: number,
    depth: number,
  ): void {
    if (aTo - aFrom + (bTo - bFrom) <= whole) this.myers(a, aFrom, aTo, b, bFrom, bTo);
    else this.patience(a, aFrom, aTo, b, bFrom, bTo, whole, depth + 1);
  }
}

/**
 * The lines found once in a[aFrom, aTo) and once in b[bFrom, bTo), as [index in a, index in b]:
 * the longest list of them increasing in both (patience sorting over the b positions in a's order).
 */
function uniqueCommon(
  a: readonly string[],
  aFrom: number,
  aTo: number,
  b: readonly string[],
  bFrom: number,
  bTo: number,
): [number, number][] {
  // For each line: its index in a (-1: seen twice), and in b (-1 twice, -2 not yet).
  const seen = new Map<string, { a: number; b: number }>();
  for (let i = aFrom; i < aTo; i++) {
    const line = a[i] as string;
    const entry = seen.get(line);
    if (entry) entry.a = -1;
    else seen.set(line, { a: i, b: -2 });
  }
  for (let j = bFrom; j < bTo; j++) {
    const entry = seen.get(b[j] as string);
    if (entry) entry.b = entry.b === -2 ? j : -1;
  }
  const pairs: [number, number][] = [];
  for (let i = aFrom; i < aTo; i++) {
    const entry = seen.get(a[i] as string) as { a: number; b: number };
    if (entry.a === i && entry.b >= 0) pairs.push([i, entry.b]);
  }
  // Longest increasing subsequence of the b indices: tops[k] ends the best run of length k + 1.
  const tops: number[] = [];
  const previous = new Array<number>(pairs.length).fill(-1);
  for (let p = 0; p < pairs.length; p++) {
    const bj = (pairs[p] as [number, number])[1];
    let low = 0;
    let high = tops.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((pairs[tops[mid] as number] as [number, number])[1] < bj) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[p] = tops[low - 1] as number;
    tops[low] = p;
  }
  const run: [number, number][] = [];
  for (let p = tops.length > 0 ? (tops[tops.length - 1] as number) : -1; p >= 0; p = previous[p] as number)
    run.push(pairs[p] as [number, number]);
  return run.reverse();
}

/** The runs laid out in hunks as the `diff` package's structuredPatch and formatPatch do it. */
export function formatRuns(oldPath: string, newPath: string, runs: readonly LineRun[], context = 3): string {
  const out: string[] = [];
  if (oldPath === newPath) out.push(`Index: ${oldPath}`, '='.repeat(67));
  out.push(`--- ${quoted(oldPath)}`, `+++ ${quoted(newPath)}`);
  const all: readonly LineRun[] = [...runs, { kind: 'same', lines: [] }];
  let oldStart = 0;
  let newStart = 0;
  let oldLine = 1;
  let newLine = 1;
  let hunk: string[] = [];
  const flush = (oldCount: number, newCount: number): void => {
    out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`);
    for (const line of hunk)
      if (line.endsWith('\n')) out.push(line.slice(0, -1));
      else out.push(line, '\\ No newline at end of file');
  };
  for (let i = 0; i < all.length; i++) {
    const run = all[i] as LineRun;
    if (run.kind !== 'same') {
      if (oldStart === 0) {
        const previous = all[i - 1];
        oldStart = oldLine;
        newStart = newLine;
        hunk = previous && context > 0 ? previous.lines.slice(-context).map((line) => ` ${line}`) : [];
        oldStart -= hunk.length;
        newStart -= hunk.length;
      }
      const sign = run.kind === 'added' ? '+' : '-';
      for (const line of run.lines) hunk.push(sign + line);
      if (run.kind === 'added') newLine += run.lines.length;
      else oldLine += run.lines.length;
      continue;
    }
    if (oldStart !== 0) {
      if (run.lines.length <= context * 2 && i < all.length - 2) for (const line of run.lines) hunk.push(` ${line}`);
      else {
        const size = Math.min(run.lines.length, context);
        for (let k = 0; k < size; k++) hunk.push(` ${run.lines[k] as string}`);
        flush(oldLine - oldStart + size, newLine - newStart + size);
        oldStart = 0;
        newStart = 0;
        hunk = [];
      }
    }
    oldLine += run.lines.length;
    newLine += run.lines.length;
  }
  return `${out.join('\n')}\n`;
}

/** A file name C-quoted where git and GNU diff would quote it (as the `diff` package does). */
function quoted(name: string): string {
  if (!/[^\x20-\x7e]|["\\]/.test(name)) return name;
  const escapes: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 92: '\\' };
  let result = '"';
  for (const byte of new TextEncoder().encode(name)) {
    const escape = escapes[byte];
    if (escape !== undefined) result += `\\${escape}`;
    else if (byte >= 0x20 && byte <= 0x7e) result += String.fromCharCode(byte);
    else result += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${result}"`;
}
