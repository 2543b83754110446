// `cigen bot` over a fake GitLab instance in a process of its own (so the CPU and peak RSS are the
// bot's), started fresh for every run so each run does the same work: one project in ten on
// Kaniko, concurrency 16. Each size runs at 20 ms per request and at 0 ms in the same rounds.
// Two bounds: the latency ideal (requests × latency / concurrency) and the run at 0 ms latency,
// which is the bot's own CPU and the fake's; the fair bound is the larger of the two. And the
// bot's CPU per project with nothing to migrate: two instances of plain projects, 200 and 2,000,
// the difference divided by 1,800 (start-up cancels out).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, paired, plain, runOnceAsync, spread, time, times, type Check, type Sample, type SuiteResult } from './lib.js';

const LATENCY_MS = 20;
const CONCURRENCY = 16;
const KANIKO_EVERY = 10;
const NODE_FLAGS = (process.env['CIGEN_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
const SIZES = (process.env['CIGEN_BENCH_BOT_SIZES'] ?? '500,2000').split(',').map(Number);
const PLAIN = [200, 2000] as const;

interface Instance {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts a fake GitLab in a child process and waits for its address. */
async function startInstance(root: string, dir: string, projects: number, kanikoEvery: number, latencyMs: number): Promise<Instance> {
  const script = join(dir, `fake-${projects}-${kanikoEvery}-${latencyMs}.mjs`);
  writeFileSync(
    script,
    `import { importTs } from ${JSON.stringify(join(root, 'src/tooling/run-ts.mjs'))};
const { FakeGitLab, seedInstance } = await importTs(${JSON.stringify(join(root, 'test/helpers/fake-gitlab.ts'))});
const fake = await FakeGitLab.start({ latencyMs: ${latencyMs} });
seedInstance(fake, ${projects}, ${kanikoEvery});
process.stdout.write(JSON.stringify({ url: fake.url, token: fake.token }) + '\\n');
process.on('SIGTERM', async () => { await fake.stop(); process.exit(0); });
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`the fake GitLab exited (${code})`)));
  });
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return {
    url,
    token,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface BotRun extends Sample {
  requests: number;
  counts: Record<string, number>;
}

/** One bot run against a fresh instance; the instance's start-up is not timed. */
async function runBot(root: string, dir: string, projects: number, kanikoEvery: number, latencyMs: number): Promise<BotRun> {
  const instance = await startInstance(root, dir, projects, kanikoEvery, latencyMs);
  try {
    const report = join(dir, 'report.json');
    const result = await runOnceAsync({
      argv: [
        process.execPath,
        ...NODE_FLAGS,
        join(root, 'bin/cigen.cjs'),
        'bot',
        '--gitlab-url',
        instance.url,
        '--group',
        'bench',
        '--concurrency',
        String(CONCURRENCY),
        '--report',
        report,
      ],
      env: { GITLAB_TOKEN: instance.token },
    });
    const requests = Number(/; (\d+) request\(s\)/.exec(result.stdout)?.[1]);
    const { counts } = JSON.parse(readFileSync(report, 'utf8')) as { counts: Record<string, number> };
    return { wall: result.wall, cpu: result.cpu, rss: result.rss, requests, counts };
  } finally {
    await instance.stop();
  }
}

export async function run({ root }: { root: string }): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-bot-'));
  try {
    const checks: Check[] = [];
    const rows: string[][] = [];
    const data: unknown[] = [];
    for (const projects of SIZES) {
      const runs: Record<'latency' | 'zero', BotRun[]> = { latency: [], zero: [] };
      const r = await paired(
        {
          latency: async () => {
            const one = await runBot(root, dir, projects, KANIKO_EVERY, LATENCY_MS);
            runs.latency.push(one);
            return one;
          },
          zero: async () => {
            const one = await runBot(root, dir, projects, KANIKO_EVERY, 0);
            runs.zero.push(one);
            return one;
          },
        },
        { runs: 5, warmup: 1 },
      );
      const measured = runs.latency.slice(-r.stats.latency.runs);
      const zero = runs.zero.slice(-r.stats.zero.runs);
      // Per round: the latency ideal, the zero-latency run of the same round, and the wall against the larger.
      const ideals = measured.map((m) => (m.requests * LATENCY_MS) / CONCURRENCY);
      const bounds = measured.map((_, i) => Math.max(ideals[i] as number, (zero[i] as BotRun).wall));
      const vsBound = spread(measured.map((m, i) => m.wall / (bounds[i] as number)));
      const first = measured[0] as BotRun;
      const failed = first.counts['failed'] ?? 0;
      rows.push([
        String(projects),
        `${first.counts['opened']} opened, ${first.counts['nothing-to-migrate']} nothing to migrate${failed ? `, ${failed} failed` : ''}`,
        String(first.requests),
        time(r.stats.latency.wall),
        time(spread(ideals)),
        time(r.stats.zero.wall),
        times(vsBound),
        time(r.stats.latency.cpu),
        `${plain(r.stats.latency.cpu.median / projects)} ms`,
        mb(r.stats.latency.rss),
      ]);
      checks.push({
        what: `bot, ${projects} projects, ${LATENCY_MS} ms per request: wall vs the larger bound`,
        target: '≤ 1.5×',
        measured: times(vsBound),
        met: vsBound.median <= 1.5,
      });
      data.push({ projects, latency: r.stats.latency, zero: r.stats.zero, requests: first.requests, counts: first.counts, ideals });
    }

    // CPU per project with nothing to migrate: the marginal cost between two instance sizes.
    const plainRuns = await paired(
      {
        small: () => runBot(root, dir, PLAIN[0], 0, 0),
        large: () => runBot(root, dir, PLAIN[1], 0, 0),
      },
      { runs: 5, warmup: 1 },
    );
    const perProject = spread(
      plainRuns.samples.large.map((large, i) => (large.cpu - (plainRuns.samples.small[i] as Sample).cpu) / (PLAIN[1] - PLAIN[0])),
    );
    checks.push({
      what: 'bot CPU per project with nothing to migrate (marginal, 200 → 2,000 plain projects)',
      target: '≤ 1.5 ms',
      measured: `${plain(perProject.median)} ms (${plain(perProject.min)}–${plain(perProject.max)})`,
      met: perProject.median <= 1.5,
    });
    const plainProbe = await runBot(root, dir, KANIKO_EVERY - 1, 0, 0);
    // Nine plain projects: everything but the user and the listing is theirs.
    const requestsPerPlain = (plainProbe.requests - 2) / (KANIKO_EVERY - 1);
    checks.push({
      what: 'bot requests for a project with nothing to migrate',
      target: '≤ 4',
      measured: plain(requestsPerPlain),
      met: requestsPerPlain <= 4,
    });
    return {
      id: 'bot',
      title: '`cigen bot`',
      intro: [
        `A fake GitLab in its own process, started afresh for every run, one project in ${KANIKO_EVERY} on Kaniko, concurrency ` +
          `${CONCURRENCY}. The latency ideal is requests × ${LATENCY_MS} ms / ${CONCURRENCY}; the zero-latency run is the same ` +
          'run with the fake answering at once, so it bounds what the bot (and the fake) cost in CPU; the fair bound is the ' +
          'larger of the two, taken round by round. Targets: within 1.5× of that bound, at most 4 requests and 1.5 ms of CPU ' +
          'per project with nothing to migrate.',
      ],
      tables: [
        {
          caption: `Median (min–max) of ${SIZES.length > 0 ? 5 : 0} rounds.`,
          headers: [
            'projects',
            'outcome',
            'requests',
            `wall at ${LATENCY_MS} ms`,
            'latency ideal',
            'wall at 0 ms',
            'wall vs the larger bound',
            'bot CPU',
            'bot CPU / project',
            'peak RSS',
          ],
          rows,
        },
        {
          caption: "Instances of plain projects only (0 ms latency): the bot's CPU, and per project the difference over the 1,800 more.",
          headers: ['projects', 'wall', 'bot CPU', 'peak RSS', 'CPU per project (marginal)'],
          rows: [
            [String(PLAIN[0]), time(plainRuns.stats.small.wall), time(plainRuns.stats.small.cpu), mb(plainRuns.stats.small.rss), ''],
            [
              String(PLAIN[1]),
              time(plainRuns.stats.large.wall),
              time(plainRuns.stats.large.cpu),
              mb(plainRuns.stats.large.rss),
              `${plain(perProject.median)} ms (${plain(perProject.min)}–${plain(perProject.max)})`,
            ],
          ],
        },
      ],
      checks,
      notes: [
        'Peak RSS grows slowly with the instance because V8 grows its heap when it can, not because the bot keeps projects: ' +
          'cap the old generation (`CIGEN_BENCH_NODE_FLAGS=--max-old-space-size=48 CIGEN_BENCH_BOT_SIZES=8000 npm run bench bot`) ' +
          'to see it.',
      ],
      data: { sizes: data, plain: plainRuns.stats, perProject, requestsPerPlain },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
