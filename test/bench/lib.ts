// Benchmark helpers. Every command runs under GNU time (`/usr/bin/time`), which gives its CPU time
// (user + system, %U %S) and peak RSS (%M); the wall time is measured here. Commands compared with
// each other run in the same call, alternating run by run (round r runs A B C, round r+1 B C A, ...),
// so a load that comes and goes falls on all of them, and their ratios come from the runs of one
// round. Every row reports min / median / max over at least five runs. Timings are reported, never
// asserted: a loaded machine is slow, not wrong.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export const MIN_RUNS = 5;

export interface Command {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** A fresh TMPDIR for every run: cigen's V8 code cache lives there, so this is a run without one. */
  freshTmp?: boolean;
  /** Exit statuses that count as success (default [0]). */
  ok?: number[];
}

/** One run: wall and CPU (user + system) in milliseconds, peak RSS in MB. */
export interface Sample {
  wall: number;
  cpu: number;
  rss: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/**
 * A command's CPU time above the floor's, for growth factors: the minimums of the rounds. Noise on
 * a shared machine (other tenants, frequency, GNU time's 10 ms ticks) only ever adds CPU time to
 * deterministic work, so the minimum is its least noisy estimate (Chen and Revels, "Robust
 * benchmarking in noisy environments", 2016); medians near the floor made a 20 ms difference of
 * two noisy medians the denominator of a growth factor.
 */
export const cpuAboveFloor = (s: { cpu: Spread }, floor: { cpu: Spread }): number => s.cpu.min - floor.cpu.min;

export interface Stats {
  runs: number;
  wall: Spread;
  cpu: Spread;
  rss: Spread;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export const spread = (values: readonly number[]): Spread => ({
  min: Math.min(...values),
  median: median(values),
  max: Math.max(...values),
});

export const stats = (samples: readonly Sample[]): Stats => ({
  runs: samples.length,
  wall: spread(samples.map((s) => s.wall)),
  cpu: spread(samples.map((s) => s.cpu)),
  rss: spread(samples.map((s) => s.rss)),
});

/** GNU time's `%U %S %M` line (the last line of its output file). */
function readTime(file: string): { cpu: number; rss: number } {
  const line = readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '';
  const [user, system, rss] = line.split(' ').map(Number);
  if (user === undefined || system === undefined || rss === undefined || [user, system, rss].some(Number.isNaN))
    throw new Error(`unreadable GNU time output: ${line}`);
  return { cpu: (user + system) * 1000, rss: rss / 1024 };
}

/**
 * Settings of the environment that make every Node process do work before its first line of
 * JavaScript: NODE_EXTRA_CA_CERTS builds Node's root certificate store and adds the file's
 * certificates at start-up (this machine points it at the 144-certificate system bundle: about
 * 55 ms on every `node`, floor included), NODE_OPTIONS can add anything. A job image has neither
 * by default. Every command runs without them, so that the floor is Node's own start-up and a
 * ratio to it is the command's; a command that means to measure one sets it in `env`.
 */
export const STARTUP_SETTINGS = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'] as const;

/** The environment a measured command runs in: this process's, without STARTUP_SETTINGS. */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of STARTUP_SETTINGS) delete env[name];
  return { ...env, ...extra };
}

function prepare(command: Command): { dir: string; timeFile: string; env: NodeJS.ProcessEnv; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-run-'));
  const timeFile = join(dir, 'time');
  const env = benchEnv({ ...command.env, ...(command.freshTmp ? { TMPDIR: dir } : {}) });
  return { dir, timeFile, env, args: ['-o', timeFile, '-f', '%U %S %M', ...command.argv] };
}

/** Runs a command once, synchronously. */
export function runOnce(command: Command): Sample & { stdout: string } {
  const { dir, timeFile, env, args } = prepare(command);
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', args, {
      ...(command.cwd ? { cwd: command.cwd } : {}),
      env,
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (!(command.ok ?? [0]).includes(result.status ?? -1))
      throw new Error(`${command.argv.join(' ')} failed (${result.status}): ${String(result.stderr).slice(-2000)}`);
    return { wall, ...readTime(timeFile), stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command once without blocking this process (for commands that talk to a server in it or beside it). */
export async function runOnceAsync(command: Command): Promise<Sample & { stdout: string; stderr: string }> {
  const { dir, timeFile, env, args } = prepare(command);
  try {
    const start = process.hrtime.bigint();
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', args, { ...(command.cwd ? { cwd: command.cwd } : {}), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (!(command.ok ?? [0]).includes(result.status ?? -1))
      throw new Error(`${command.argv.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
    return { wall, ...readTime(timeFile), stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Paired<K extends string> {
  stats: Record<K, Stats>;
  samples: Record<K, Sample[]>;
  /** a / b, round by round. */
  ratio(a: K, b: K): { wall: Spread; cpu: Spread };
}

export interface PairOptions {
  runs?: number;
  warmup?: number;
}

/** Round-robin rounds over named commands (or async thunks); the order rotates every round. */
export async function paired<K extends string>(
  commands: Record<K, Command | (() => Promise<Sample>)>,
  { runs = MIN_RUNS, warmup = 1 }: PairOptions = {},
): Promise<Paired<K>> {
  if (runs < MIN_RUNS) throw new Error(`at least ${MIN_RUNS} runs per row (asked for ${runs})`);
  const names = Object.keys(commands) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<K, Sample[]>;
  for (let round = 0; round < warmup + runs; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as K);
    for (const name of order) {
      const command = commands[name];
      const sample = typeof command === 'function' ? await command() : runOnce(command);
      if (round >= warmup) samples[name].push({ wall: sample.wall, cpu: sample.cpu, rss: sample.rss });
    }
  }
  const all = Object.fromEntries(names.map((name) => [name, stats(samples[name])])) as Record<K, Stats>;
  return {
    stats: all,
    samples,
    ratio(a, b) {
      const pairs = samples[a].map((sample, i) => [sample, samples[b][i] as Sample] as const);
      return { wall: spread(pairs.map(([x, y]) => x.wall / y.wall)), cpu: spread(pairs.map(([x, y]) => x.cpu / y.cpu)) };
    },
  };
}

// --- Formatting -------------------------------------------------------------------------------

const digits = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

/** `212 ms (198–240)`, or seconds from 10 s up. */
export function time(s: Spread): string {
  if (s.median >= 10_000) return `${(s.median / 1000).toFixed(1)} s (${(s.min / 1000).toFixed(1)}–${(s.max / 1000).toFixed(1)})`;
  return `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
}
export const mb = (s: Spread): string => `${s.median.toFixed(0)} MB`;
export const times = (s: Spread): string => `${digits(s.median)}× (${digits(s.min)}–${digits(s.max)})`;
export const plain = (value: number): string => digits(value);

export interface Table {
  caption?: string;
  headers: string[];
  rows: string[][];
}

export function markdownTable({ caption, headers, rows }: Table): string {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return `${caption ? `${caption}\n\n` : ''}${lines.join('\n')}`;
}

/** A target of the issue and what this run measured against it. */
export interface Check {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface SuiteResult {
  id: string;
  title: string;
  /** What the suite measures and how, one paragraph each. */
  intro: string[];
  tables: Table[];
  checks: Check[];
  notes: string[];
  /** The raw figures behind the tables. */
  data: unknown;
}

export interface Machine {
  node: string;
  cpus: string;
  /** 1-minute load average before and after the suite: another process's work shows here. */
  load: [number, number];
  date: string;
}

export const loadNow = (): number => Number((loadavg()[0] ?? 0).toFixed(2));
