// Benchmark helpers: run a command several times, take the median wall time and peak RSS
// (GNU time's %M), and print Markdown tables. Timings are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs `argv` `runs` times after `warmup` runs; returns median wall ms and median peak RSS MB. */
export function measure(argv, { runs = 9, warmup = 2, cwd, env = {}, freshTmp = false } = {}) {
  const walls = [];
  const rss = [];
  for (let i = 0; i < warmup + runs; i++) {
    const tmp = freshTmp ? mkdtempSync(join(tmpdir(), 'cigen-bench-tmp-')) : undefined;
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
      cwd,
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

export function table(headers, rows) {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export const ms = (value) => `${value.toFixed(0)} ms`;
export const mb = (value) => `${value.toFixed(0)} MB`;
export const ratio = (value, floor) => `${(value / floor).toFixed(2)}×`;
