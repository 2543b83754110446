// Issue 2: `cigen build` for the whole catalog against `node -e 0` (the floor), same run.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, mb, ms, ratio, table, type SuiteResult } from './lib.js';

export function run({ root }: { root: string }): SuiteResult {
  const catalog = mkdtempSync(join(tmpdir(), 'cigen-bench-catalog-'));
  try {
    cpSync(join(root, 'templates'), join(catalog, 'templates'), { recursive: true });
    cpSync(join(root, 'README.md'), join(catalog, 'README.md'));
    const cigen = [process.execPath, join(root, 'bin/cigen.cjs')];
    const components = readdirSync(join(root, 'templates')).filter((f) => f.endsWith('.yml')).length;
    const floor = measure([process.execPath, '-e', '0']);
    const build = measure([...cigen, 'build', '--root', catalog]);
    const cold = measure([...cigen, 'build', '--root', catalog], { runs: 5, warmup: 1, freshTmp: true });
    const rows = [
      ['`node -e 0` (floor)', ms(floor.wall), mb(floor.rss), '1.00×'],
      [`\`cigen build\` (${components} components, validated)`, ms(build.wall), mb(build.rss), ratio(build.wall, floor.wall)],
      ['`cigen build`, first run (no V8 code cache yet)', ms(cold.wall), mb(cold.rss), ratio(cold.wall, floor.wall)],
    ];
    return {
      title: '`cigen build` (target: at most 4× the floor)',
      markdown: table(['command', 'median wall', 'peak RSS', 'vs floor'], rows),
    };
  } finally {
    rmSync(catalog, { recursive: true, force: true });
  }
}
