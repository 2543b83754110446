// `npm run bench [suite...]`: runs the benchmark suites, records them in docs/benchmarks.json (a
// suite run replaces that suite's record and keeps the others) and regenerates docs/benchmarks.md
// from it. `npm run bench -- --render` only regenerates the page. Timings are reported, never asserted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs } from '../../src/tooling/run-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUITES = ['lint', 'build', 'migrate', 'bot', 'e2e'];
const jsonPath = join(root, 'docs/benchmarks.json');
const mdPath = join(root, 'docs/benchmarks.md');
const args = process.argv.slice(2);
const wanted = args.filter((arg) => !arg.startsWith('-'));
const renderOnly = args.includes('--render');
const suites = renderOnly ? [] : wanted.length > 0 ? wanted : SUITES;
for (const name of suites) if (!SUITES.includes(name)) throw new Error(`unknown suite ${name}; have: ${SUITES.join(', ')}`);

const { render, ABOUT } = await importTs(join(root, 'test/bench/report.ts'));
const { markdownTable, loadNow } = await importTs(join(root, 'test/bench/lib.ts'));
const file = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : { about: ABOUT, suites: {} };
file.about = ABOUT;
const cpu = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}`;
console.log(`cigen benchmarks — Node ${process.version}, ${cpu}\n`);
for (const name of suites) {
  const before = loadNow();
  const suite = await importTs(join(root, 'test/bench', `${name}.ts`));
  const result = await suite.run({ root });
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const machine = { node: process.version, cpus: cpu, load: [before, loadNow()], date };
  file.suites[result.id] = { machine, result };
  console.log(`### ${result.title}\n\nload ${machine.load.join(' → ')}\n`);
  for (const table of result.tables) console.log(`${markdownTable(table)}\n`);
  for (const check of result.checks)
    console.log(`${check.met ? 'met' : 'NOT MET'}: ${check.what}: ${check.measured} (target ${check.target})`);
  console.log('');
  // Written after every suite, so an interrupted run keeps what it measured.
  writeFileSync(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(mdPath, render(file, SUITES));
}
writeFileSync(mdPath, render(file, SUITES));
console.log(`wrote ${suites.length > 0 ? 'docs/benchmarks.json and ' : ''}docs/benchmarks.md`);
