// `cigen lint`: (a) a 30-line pipeline against the floor (`node -e 0`), without a code cache; (b)
// include-based pipelines of 1k, 5k and 20k lines (~19 lines per job) against `gitlab-ci-local
// --preview`, which also validates GitLab's schema; (c) growth: one file with 1×, 4× and 16× the
// keys, the include-based sizes, and a 20 MB file.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chainPipeline, chainPipelineOfSize, gitProject, includePipeline } from './generate.js';
import {
  cpuAboveFloor,
  mb,
  paired,
  plain,
  STARTUP_SETTINGS,
  time,
  times,
  type Check,
  type Command,
  type Stats,
  type SuiteResult,
} from './lib.js';

const INCLUDE_SIZES = [1000, 5000, 20000];
const KEY_SIZES = [1500, 6000, 24000];
const HUGE_BYTES = 20 * 1024 * 1024;

/** Growth of `b` over `a` per 4× of size, for sizes `sa` and `sb` (exact when sb = 4 sa). */
const per4 = (a: number, b: number, sa: number, sb: number): number => (b / a) ** (Math.log(4) / Math.log(sb / sa));

export async function run({ root }: { root: string }): Promise<SuiteResult> {
  const cigen = (file: string, freshTmp = false): Command => ({
    argv: [process.execPath, join(root, 'bin/cigen.cjs'), 'lint', file],
    freshTmp,
  });
  const glcl = (dir: string): Command => ({ argv: [join(root, 'node_modules/.bin/gitlab-ci-local'), '--preview'], cwd: dir });
  const floor: Command = { argv: [process.execPath, '-e', '0'] };
  const projects: string[] = [];
  const project = (files: Record<string, string>) => {
    const dir = gitProject(files);
    projects.push(dir);
    return dir;
  };
  const checks: Check[] = [];
  try {
    // (a) Small files: start-up is most of the cost.
    const small = readFileSync(join(root, 'test/bench/fixtures/lint/small.gitlab-ci.yml'), 'utf8');
    const typical = readFileSync(join(root, 'test/bench/fixtures/lint/typical.gitlab-ci.yml'), 'utf8');
    const smallDir = project({ '.gitlab-ci.yml': small });
    const typicalDir = project({ '.gitlab-ci.yml': typical });
    // This machine's start-up settings (see STARTUP_SETTINGS), measured as a floor of their own so
    // that what they cost every Node process shows beside the floor the ratios are taken to.
    const machineSettings = Object.fromEntries(STARTUP_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
    const settingsNamed = Object.keys(machineSettings).join(', ');
    const a = await paired(
      {
        floor,
        floorAsSet: { ...floor, env: machineSettings },
        cold: cigen(join(smallDir, '.gitlab-ci.yml'), true),
        warm: cigen(join(smallDir, '.gitlab-ci.yml')),
        typical: cigen(join(typicalDir, '.gitlab-ci.yml')),
        peer: glcl(typicalDir),
      },
      { runs: 9, warmup: 2 },
    );
    const smallLines = small.split('\n').length - 1;
    const typicalLines = typical.split('\n').length - 1;
    const coldRatio = a.ratio('cold', 'floor');
    checks.push({
      what: `lint, ${smallLines}-line file, without a code cache, vs the floor (wall)`,
      target: '≤ 2.5×',
      measured: times(coldRatio.wall),
      met: coldRatio.wall.median <= 2.5,
    });
    const startRow = (label: string, file: string, s: Stats, vsFloor: string, vsPeer = '') => [
      label,
      file,
      time(s.wall),
      time(s.cpu),
      mb(s.rss),
      vsFloor,
      vsPeer,
    ];
    const smallTable = {
      caption: `(a) Small files. Ratios are per round (A/B of the same round), median (min–max) of ${a.stats.floor.runs}.`,
      headers: ['command', 'file', 'wall', 'CPU', 'peak RSS', 'wall vs floor', 'vs gitlab-ci-local (wall)'],
      rows: [
        startRow('`node -e 0` (floor)', '', a.stats.floor, '1.00×'),
        startRow(
          settingsNamed === ''
            ? '`node -e 0` in this environment (it sets none of them)'
            : `\`node -e 0\` with this machine's ${settingsNamed} (not the floor)`,
          '',
          a.stats.floorAsSet,
          times(a.ratio('floorAsSet', 'floor').wall),
        ),
        startRow('`cigen lint`, without a code cache', `${smallLines} lines`, a.stats.cold, times(coldRatio.wall)),
        startRow('`cigen lint`', `${smallLines} lines`, a.stats.warm, times(a.ratio('warm', 'floor').wall)),
        startRow(
          '`cigen lint`',
          `typical, ${typicalLines} lines`,
          a.stats.typical,
          times(a.ratio('typical', 'floor').wall),
          `${times(a.ratio('peer', 'typical').wall)} faster`,
        ),
        startRow('`gitlab-ci-local --preview`', `typical, ${typicalLines} lines`, a.stats.peer, times(a.ratio('peer', 'floor').wall)),
      ],
    };

    // (b) Include-based pipelines against gitlab-ci-local.
    const includeRows: string[][] = [];
    const includeData: { lines: number; jobs: number; files: number; cigen: Stats; cold: Stats; peer: Stats }[] = [];
    for (const size of INCLUDE_SIZES) {
      const generated = includePipeline(size);
      const dir = project(generated.files);
      const file = join(dir, '.gitlab-ci.yml');
      const b = await paired({ cigen: cigen(file), cold: cigen(file, true), peer: glcl(dir) }, { runs: 5, warmup: 1 });
      const faster = b.ratio('peer', 'cigen');
      const fasterCold = b.ratio('peer', 'cold');
      const files = Object.keys(generated.files).length;
      includeData.push({
        lines: generated.lines,
        jobs: generated.jobs,
        files,
        cigen: b.stats.cigen,
        cold: b.stats.cold,
        peer: b.stats.peer,
      });
      const label = `${generated.lines} lines, ${generated.jobs} jobs, ${files} files`;
      includeRows.push(
        [
          '`cigen lint`',
          label,
          time(b.stats.cigen.wall),
          time(b.stats.cigen.cpu),
          mb(b.stats.cigen.rss),
          times(faster.wall),
          times(faster.cpu),
        ],
        [
          '`cigen lint`, without a code cache',
          label,
          time(b.stats.cold.wall),
          time(b.stats.cold.cpu),
          mb(b.stats.cold.rss),
          times(fasterCold.wall),
          times(fasterCold.cpu),
        ],
        ['`gitlab-ci-local --preview`', label, time(b.stats.peer.wall), time(b.stats.peer.cpu), mb(b.stats.peer.rss), '', ''],
      );
      checks.push({
        what: `lint ${generated.lines} lines in ${files} files (~19 lines per job) vs gitlab-ci-local (wall; CPU)`,
        target: '≥ 5× faster',
        measured: `${times(faster.wall)}; CPU ${times(faster.cpu)}; without a code cache ${times(fasterCold.wall)}`,
        met: faster.wall.median >= 5 && fasterCold.wall.median >= 5,
      });
    }
    const includeTable = {
      caption:
        '(b) Include-based pipelines, every file committed in a git project, against `gitlab-ci-local --preview` in the same rounds.',
      headers: ['command', 'pipeline', 'wall', 'CPU', 'peak RSS', 'gitlab-ci-local / cigen (wall)', '(CPU)'],
      rows: includeRows,
    };

    // (c) Growth: one file with 1×, 4×, 16× the keys; a 20 MB file.
    const keyDirs = KEY_SIZES.map((keys) => project({ '.gitlab-ci.yml': chainPipeline(keys) }));
    const huge = chainPipelineOfSize(HUGE_BYTES);
    const hugeDir = project({ '.gitlab-ci.yml': huge.text });
    const c = await paired(
      {
        floor,
        k1: cigen(join(keyDirs[0] as string, '.gitlab-ci.yml')),
        k4: cigen(join(keyDirs[1] as string, '.gitlab-ci.yml')),
        k16: cigen(join(keyDirs[2] as string, '.gitlab-ci.yml')),
        huge: cigen(join(hugeDir, '.gitlab-ci.yml')),
      },
      { runs: 5, warmup: 1 },
    );
    const net = (s: Stats) => cpuAboveFloor(s, c.stats.floor);
    const growthRows: string[][] = [];
    const keyStats = [c.stats.k1, c.stats.k4, c.stats.k16];
    KEY_SIZES.forEach((keys, i) => {
      const s = keyStats[i] as Stats;
      const prev = keyStats[i - 1];
      const lines = chainPipeline(keys).split('\n').length;
      growthRows.push([
        `one file, ${keys} keys (${i === 0 ? '1' : i === 1 ? '4' : '16'}×), ${lines} lines`,
        time(s.cpu),
        time(s.wall),
        mb(s.rss),
        prev ? plain(s.cpu.min / prev.cpu.min) : '',
        prev ? plain(net(s) / net(prev)) : '',
      ]);
      if (prev) {
        const growth = net(s) / net(prev);
        checks.push({
          what: `lint one file, ${KEY_SIZES[i - 1]} → ${keys} keys: CPU growth above the floor`,
          target: '< 4.5× per 4×',
          measured: `${plain(growth)}×`,
          met: growth < 4.5,
        });
      }
    });
    includeData.forEach((d, i) => {
      const prev = includeData[i - 1];
      const raw = prev ? per4(prev.cigen.cpu.min, d.cigen.cpu.min, prev.lines, d.lines) : undefined;
      const growth = prev ? per4(net(prev.cigen), net(d.cigen), prev.lines, d.lines) : undefined;
      growthRows.push([
        `include-based, ${d.lines} lines in ${d.files} files`,
        time(d.cigen.cpu),
        time(d.cigen.wall),
        mb(d.cigen.rss),
        raw === undefined ? '' : plain(raw),
        growth === undefined ? '' : plain(growth),
      ]);
      if (prev && growth !== undefined)
        checks.push({
          what: `lint include-based, ${prev.lines} → ${d.lines} lines: CPU growth above the floor, per 4×`,
          target: '< 4.5×',
          measured: `${plain(growth)}×`,
          met: growth < 4.5,
        });
    });
    growthRows.push([
      `one file, ${(huge.text.length / 1024 / 1024).toFixed(1)} MB, ${huge.keys} keys`,
      time(c.stats.huge.cpu),
      time(c.stats.huge.wall),
      mb(c.stats.huge.rss),
      '',
      '',
    ]);
    checks.push({
      what: `lint a ${(huge.text.length / 1024 / 1024).toFixed(0)} MB pipeline (wall; peak RSS)`,
      target: '< 10 s and < 500 MB',
      measured: `${time(c.stats.huge.wall)}; ${mb(c.stats.huge.rss)} (max ${c.stats.huge.rss.max.toFixed(0)} MB)`,
      met: c.stats.huge.wall.max < 10_000 && c.stats.huge.rss.max < 500,
    });
    const growthTable = {
      caption:
        `(c) Growth. CPU of \`cigen lint\` (with its code cache); the floor's CPU is ${time(c.stats.floor.cpu)}. Growth: minimum CPU ` +
        "over the row above's, raw and above the floor's minimum (noise only adds CPU time, so minimums are the steadiest " +
        'estimate); the include-based sizes are 5× and 4× apart, so their growth is scaled to 4× ' +
        '(ratio^(ln 4 / ln size ratio)). Linear is 4×, quadratic 16×.',
      headers: ['pipeline', 'CPU', 'wall', 'peak RSS', 'growth (raw)', 'growth above the floor'],
      rows: growthRows,
    };

    return {
      id: 'lint',
      title: '`cigen lint`',
      intro: [
        'Targets (issue 16): within 2.5× the floor on a 30-line file without a code cache; at least 5× faster than ' +
          '`gitlab-ci-local --preview` on include-based pipelines of 1k–20k lines with ~19 lines per job; linear growth ' +
          '(under 4.5× per 4×); a 20 MB pipeline in under 10 s and 500 MB.',
        `Every command runs without ${STARTUP_SETTINGS.join(' and ')}, which make every Node process do work before ` +
          'its first line (NODE_EXTRA_CA_CERTS: build the root certificate store and add a file of certificates) and ' +
          "which a job image does not set by default: the floor is Node's own start-up. Table (a) shows `node -e 0` " +
          'with the settings of the machine the bench ran on, measured in the same rounds.',
      ],
      tables: [smallTable, includeTable, growthTable],
      checks,
      notes: [],
      data: { small: a.stats, include: includeData, growth: { keys: KEY_SIZES, stats: c.stats, hugeBytes: huge.text.length } },
    };
  } finally {
    for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  }
}
