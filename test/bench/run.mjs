// `npm run bench [suite...]`: runs the benchmark suites and prints one Markdown table each.
// Timings are printed for people to read (and copied into the README), never asserted.
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTs } from '../../src/tooling/run-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUITES = ['build', 'lint', 'migrate', 'bot', 'e2e'];
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const suites = wanted.length > 0 ? wanted : SUITES;
for (const name of suites) if (!SUITES.includes(name)) throw new Error(`unknown suite ${name}; have: ${SUITES.join(', ')}`);

console.log(`cigen benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
for (const name of suites) {
  const suite = await importTs(join(root, 'test/bench', `${name}.ts`));
  const result = await suite.run({ root });
  console.log(`### ${result.title}\n\n${result.markdown}\n`);
}
