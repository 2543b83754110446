// Benchmark helpers: run a command several times, take the median wall time and peak RSS
// (GNU time's %M), and print Markdown tables. Timings are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs `argv` `runs` times after `warmup` runs; returns median wall ms and median peak RSS MB. */
export interface MeasureOptions {
  runs?: number;
  warmup?: number;
  cwd?: string;
  env?: Record<string, string>;
  freshTmp?: boolean;
}

export function measure(argv: string[], { runs = 9, warmup = 2, cwd, env = {}, freshTmp = false }: MeasureOptions = {}) {
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const tmp = freshTmp ? mkdtempSync(join(tmpdir(), 'cigen-bench-tmp-')) : undefined;
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
      ...(cwd ? { cwd } : {}),
      env: { ...process.env, ...env, ...(tmp ? { TMPDIR: tmp } : {}) },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
    if (i < warmup) continue;
    walls.push(wall);
    rss.push(Number(result.stderr.trim().split('\n').at(-1)) / 1024);
  }
  return { wall: median(walls), rss: median(rss), runs };
}

export function table(headers: string[], rows: string[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export const ms = (value: number): string => `${value.toFixed(0)} ms`;
export const mb = (value: number): string => `${value.toFixed(0)} MB`;
export const ratio = (value: number, floor: number): string => `${(value / floor).toFixed(2)}×`;

export interface SuiteResult {
  title: string;
  markdown: string;
}
