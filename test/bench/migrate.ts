// Issue 5: `cigen migrate` over 1,000 pipeline files generated from the corpus, one project
// each (with their local includes): files per second and peak RSS. In the same run, the peer is
// the least a re-serialising migrator does — parse each file with `yaml` and write it back,
// which is also what loses comments and quoting — and the floor is `node -e 0`.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, mb, ms, table, type SuiteResult } from './lib.js';

const FILES = 1000;

/** 1,000 projects: the corpus cases in turn, each copy with a comment of its own. */
function generate(root: string, dir: string): string[] {
  const corpus = join(root, 'test/fixtures/migrate/corpus');
  const cases = readdirSync(corpus).sort();
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const project = join(dir, String(i).padStart(4, '0'));
    const source = join(corpus, cases[i % cases.length] as string);
    cpSync(source, project, { recursive: true });
    rmSync(join(project, 'expect.json'));
    mkdirSync(join(project, '.git'));
    const pipeline = join(project, '.gitlab-ci.yml');
    writeFileSync(pipeline, `# generated variant ${i}\n${readFileSync(pipeline, 'utf8')}`);
    paths.push(pipeline);
  }
  return paths;
}

export function run({ root }: { root: string }): SuiteResult {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-migrate-'));
  try {
    const paths = generate(root, dir);
    const list = join(dir, 'files.txt');
    writeFileSync(list, paths.join('\n'));
    const peerScript = join(dir, 'peer.cjs');
    writeFileSync(
      peerScript,
      "const { readFileSync } = require('node:fs');\n" +
        `const YAML = require(${JSON.stringify(join(root, 'node_modules/yaml'))});\n` +
        'let bytes = 0;\n' +
        "for (const path of readFileSync(process.argv[2], 'utf8').split('\\n')) {\n" +
        "  for (const doc of YAML.parseAllDocuments(readFileSync(path, 'utf8'))) bytes += String(doc).length;\n" +
        '}\n' +
        'process.stdout.write(String(bytes));\n',
    );
    const floor = measure([process.execPath, '-e', '0'], { runs: 5, warmup: 1 });
    const ours = measure([process.execPath, join(root, 'bin/cigen.cjs'), 'migrate', '--format', 'json', ...paths], { runs: 5, warmup: 1 });
    const peer = measure([process.execPath, peerScript, list], { runs: 5, warmup: 1 });
    const rate = (wall: number) => `${Math.round(FILES / (wall / 1000))} files/s`;
    const rows = [
      ['`node -e 0` (floor)', ms(floor.wall), '', mb(floor.rss)],
      [
        `\`cigen migrate --format json\` (${FILES} files: detect, translate, rewrite, re-parse, diff-free report)`,
        ms(ours.wall),
        rate(ours.wall),
        mb(ours.rss),
      ],
      ['peer: `yaml` parse + re-serialise the same files (no detection, loses comments)', ms(peer.wall), rate(peer.wall), mb(peer.rss)],
    ];
    return {
      title: `\`cigen migrate\` on ${FILES} pipeline files generated from the corpus`,
      markdown: table(['command', 'median wall', 'throughput', 'peak RSS'], rows),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
