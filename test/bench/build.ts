// `cigen build --check` for the whole catalog against `node -e 0` (the floor), in the same rounds:
// without a code cache (a fresh TMPDIR: a fresh CI container), and with it.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, paired, runOnce, time, times, type SuiteResult } from './lib.js';

export async function run({ root }: { root: string }): Promise<SuiteResult> {
  const catalog = mkdtempSync(join(tmpdir(), 'cigen-bench-catalog-'));
  try {
    for (const path of ['templates', 'docs/components', 'README.md']) cpSync(join(root, path), join(catalog, path), { recursive: true });
    const cigen = (args: string[], freshTmp = false) => ({ argv: [process.execPath, join(root, 'bin/cigen.cjs'), ...args], freshTmp });
    // The copy made current first (unmeasured): --check is measured on a catalog that passes it.
    runOnce(cigen(['build', '--root', catalog]));
    const templates = readdirSync(join(catalog, 'templates')).filter((f) => f.endsWith('.yml'));
    const components = templates.length;
    // What --check renders, parses and instantiates: the work grows with it, not only with the count.
    const texts = templates.map((f) => readFileSync(join(catalog, 'templates', f), 'utf8'));
    const lines = texts.reduce((sum, text) => sum + text.split('\n').length - 1, 0);
    const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1024 / 1024;
    const r = await paired(
      {
        floor: { argv: [process.execPath, '-e', '0'] },
        cold: cigen(['build', '--check', '--root', catalog], true),
        warm: cigen(['build', '--check', '--root', catalog]),
      },
      { runs: 9, warmup: 2 },
    );
    const cold = r.ratio('cold', 'floor');
    const warm = r.ratio('warm', 'floor');
    const row = (label: string, s: (typeof r.stats)['floor'], ratio: { wall: { median: number } } | undefined, text: string) => [
      label,
      time(s.wall),
      time(s.cpu),
      mb(s.rss),
      ratio ? text : '1.00×',
    ];
    return {
      id: 'build',
      title: '`cigen build --check`',
      intro: [
        `The whole catalog (${components} components, ${lines} lines and ${megabytes.toFixed(1)} MB of templates): render every ` +
          'component, its page and the README table, and compare them with templates/, docs/components/ and README.md, from ' +
          "dist/build.cjs. `--check` does not validate again: `cigen build` validated the files before writing them (GitLab's " +
          'schema, the input rules, both interpolation modes with default and non-default inputs), and the unit tier validates ' +
          'the catalog. Target: at most 4× the floor in a fresh process without a code cache.',
      ],
      tables: [
        {
          caption: `Median (min–max) of ${r.stats.floor.runs} rounds; ratios per round.`,
          headers: ['command', 'wall', 'CPU', 'peak RSS', 'wall vs floor (CPU)'],
          rows: [
            row('`node -e 0` (floor)', r.stats.floor, undefined, ''),
            row('`cigen build --check`, without a code cache', r.stats.cold, cold, `${times(cold.wall)} (CPU ${times(cold.cpu)})`),
            row('`cigen build --check`', r.stats.warm, warm, `${times(warm.wall)} (CPU ${times(warm.cpu)})`),
          ],
        },
      ],
      checks: [
        {
          what: '`cigen build --check` without a code cache vs the floor (wall)',
          target: '≤ 4×',
          measured: `${times(cold.wall)} (CPU ${times(cold.cpu)})`,
          met: cold.wall.median <= 4,
        },
      ],
      notes: [],
      data: { components, lines, bytes: Math.round(megabytes * 1024 * 1024), stats: r.stats },
    };
  } finally {
    rmSync(catalog, { recursive: true, force: true });
  }
}
