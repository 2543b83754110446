// Issue 6: `cigen bot` over a fake instance of 2,000 projects (one in ten on Kaniko) answering
// every request after 20 ms. The fake runs in its own process, so the peak RSS is the bot's.
// Reported: wall time against the ideal (requests × latency / concurrency), requests per project
// (and for a project with nothing to migrate), peak RSS; and 500 projects beside 2,000 to show
// that memory does not grow with the instance.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, table, type SuiteResult } from './lib.js';

const LATENCY_MS = 20;
const CONCURRENCY = 16;
const KANIKO_EVERY = 10;
const NODE_FLAGS = (process.env['CIGEN_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
const SIZES = (process.env['CIGEN_BENCH_BOT_SIZES'] ?? '500,2000').split(',').map(Number);

interface Instance {
  url: string;
  token: string;
  stop(): void;
}

/** Starts the fake GitLab in a child process and waits for its address. */
async function startInstance(root: string, dir: string, projects: number): Promise<Instance> {
  const script = join(dir, `fake-${projects}.mjs`);
  writeFileSync(
    script,
    `import { importTs } from ${JSON.stringify(join(root, 'src/tooling/run-ts.mjs'))};
const { FakeGitLab, seedInstance } = await importTs(${JSON.stringify(join(root, 'test/helpers/fake-gitlab.ts'))});
const fake = await FakeGitLab.start({ latencyMs: ${LATENCY_MS} });
seedInstance(fake, ${projects}, ${KANIKO_EVERY});
process.stdout.write(JSON.stringify({ url: fake.url, token: fake.token }) + '\\n');
process.on('SIGTERM', async () => { await fake.stop(); process.exit(0); });
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`the fake GitLab exited (${code})`)));
  });
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return { url, token, stop: () => child.kill('SIGTERM') };
}

interface Run {
  projects: number;
  wall: number;
  rss: number;
  requests: number;
  report: { projects: { path: string; status: string }[]; counts: Record<string, number> };
}

async function runBot(root: string, dir: string, projects: number): Promise<Run> {
  const instance = await startInstance(root, dir, projects);
  try {
    const report = join(dir, `report-${projects}.json`);
    const start = process.hrtime.bigint();
    // Asynchronous: the fake answers from another process, but spawnSync would still block this one.
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        '/usr/bin/time',
        [
          '-f',
          '%M',
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
        {
          env: { ...process.env, GITLAB_TOKEN: instance.token },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`cigen bot failed: ${result.stderr.slice(-2000)}`);
    const requests = Number(/; (\d+) request\(s\)/.exec(result.stdout)?.[1]);
    return {
      projects,
      wall,
      rss: Number(result.stderr.trim().split('\n').at(-1)) / 1024,
      requests,
      report: JSON.parse(readFileSync(report, 'utf8')),
    };
  } finally {
    instance.stop();
  }
}

/** Requests the bot made for one project with nothing to migrate, counted by a second run on a small instance. */
async function requestsForPlainProject(root: string, dir: string): Promise<number> {
  const small = await runBot(root, dir, KANIKO_EVERY - 1);
  // Nine plain projects, no migrations: everything but the user and the listing is theirs.
  return (small.requests - 2) / (KANIKO_EVERY - 1);
}

export async function run({ root }: { root: string }): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-bot-'));
  try {
    const rows: string[][] = [];
    for (const projects of SIZES) {
      const r = await runBot(root, dir, projects);
      const ideal = (r.requests * LATENCY_MS) / CONCURRENCY;
      const failed = r.report.counts['failed'] ?? 0;
      rows.push([
        String(projects),
        `${r.report.counts['opened']} opened, ${r.report.counts['nothing-to-migrate']} nothing to migrate` +
          `${failed ? `, ${failed} failed` : ''}`,
        String(r.requests),
        (r.requests / projects).toFixed(2),
        `${(r.wall / 1000).toFixed(1)} s`,
        `${(ideal / 1000).toFixed(1)} s`,
        `${(r.wall / ideal).toFixed(2)}×`,
        mb(r.rss),
      ]);
    }
    const plain = await requestsForPlainProject(root, dir);
    return {
      title:
        `\`cigen bot\` on a fake instance, ${LATENCY_MS} ms per request, concurrency ${CONCURRENCY} ` +
        `(targets: within 1.5× of the ideal, under 250 MB, at most 4 requests for a project with nothing to migrate: ` +
        `measured ${plain.toFixed(2)})`,
      markdown: table(
        [
          'projects',
          'outcome',
          'requests',
          'requests / project',
          'wall',
          'ideal (requests × latency / concurrency)',
          'vs ideal',
          'peak RSS',
        ],
        rows,
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
