// `cigen migrate`: (a) 1,000 pipeline files generated from the corpus (one project each, local
// includes read), against the least a re-serialising migrator does — parse each file with `yaml`
// and write it back, which also loses comments — and the floor, in the same rounds; (b) growth:
// one file with 100, 400 and 1,600 Kaniko jobs (anchors and merge keys included), and 2,000;
// (c) the corpus itself: Kaniko jobs found, moved onto buildah, moved onto kaniko-compat, sent to
// review, the share migrated and the results that contradict expect.json, with every review reason.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusCounts, corpusDir, type CorpusCounts } from '../unit/migrate-corpus-data.js';
import { kanikoPipeline } from './generate.js';
import { cpuAboveFloor, mb, paired, plain, time, type Check, type Command, type Stats, type SuiteResult, type Table } from './lib.js';

const FILES = 1000;
const JOB_SIZES = [100, 400, 1600];
const LARGE = 2000;

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

const percent = (part: number, whole: number): string => `${whole === 0 ? 0 : ((100 * part) / whole).toFixed(1)}%`;

/** (c) The corpus migrated in process, counted from the engine's reports and checked against expect.json. */
export function corpusSection(root: string): { tables: Table[]; checks: Check[]; counts: CorpusCounts } {
  const counts = corpusCounts(corpusDir(root));
  const migrated = counts.static + counts.compat;
  const share = counts.found === 0 ? 0 : migrated / counts.found;
  const personKinds = counts.reviews.filter((r) => r.compat);
  const tables: Table[] = [
    {
      caption:
        `(c) The migration corpus (${counts.cases} pipelines, test/fixtures/migrate/corpus): every Kaniko job \`cigen migrate\` ` +
        'found (hidden templates it converted or sent to review included), where it went, and the results that differ from the ' +
        `case's expect.json (wrong). Docker daemon builds, counted apart: ${counts.docker.found} found, ` +
        `${counts.docker.migrated} moved onto buildah, ${counts.docker.review} sent to review.`,
      headers: [
        'Kaniko jobs found',
        'migrated statically (buildah)',
        'migrated through kaniko-compat',
        'sent to review',
        'share migrated',
        'wrong',
      ],
      rows: [
        [
          String(counts.found),
          String(counts.static),
          String(counts.compat),
          String(counts.review),
          `${percent(migrated, counts.found)} (${migrated}/${counts.found})`,
          String(counts.wrong.length),
        ],
      ],
    },
    {
      caption: 'Every reason a corpus job was sent to a person, as `cigen migrate` reports it.',
      headers: ['case', 'job', 'kind', 'reason'],
      rows: counts.reviews.map((r) => [`\`${r.case}\``, `\`${r.job}\``, r.kind, r.text.replace(/\|/g, '\\|')]),
    },
  ];
  if (counts.wrong.length > 0)
    tables.push({
      caption: 'Results that contradict expect.json.',
      headers: ['case', 'job', 'how'],
      rows: counts.wrong.map((w) => [`\`${w.case}\``, `\`${w.job}\``, w.what.join('; ').replace(/\|/g, '\\|')]),
    });
  const checks: Check[] = [
    {
      what: 'corpus: share of Kaniko jobs migrated (buildah or kaniko-compat)',
      target: '≥ 80%',
      measured: percent(migrated, counts.found),
      met: share >= 0.8,
    },
    {
      what: 'corpus: results that differ from expect.json (wrong)',
      target: '0',
      measured: String(counts.wrong.length),
      met: counts.wrong.length === 0,
    },
    {
      what: 'corpus: review reasons kaniko-compat would have resolved (a job sent to a person it did not need)',
      target: '0',
      measured: String(personKinds.length),
      met: personKinds.length === 0,
    },
  ];
  return { tables, checks, counts };
}

export async function run({ root }: { root: string }): Promise<SuiteResult> {
  const corpus = corpusSection(root);
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bench-migrate-'));
  try {
    const cigen = (...args: string[]): Command => ({ argv: [process.execPath, join(root, 'bin/cigen.cjs'), 'migrate', ...args] });
    const paths = generate(root, join(dir, 'corpus'));
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
    const a = await paired(
      {
        floor: { argv: [process.execPath, '-e', '0'] },
        cigen: cigen('--format', 'json', ...paths),
        peer: { argv: [process.execPath, peerScript, list] },
      },
      { runs: 5, warmup: 1 },
    );
    const rate = (s: Stats) => `${Math.round(FILES / (s.wall.median / 1000))} files/s`;
    const corpusTable = {
      caption: `(a) ${FILES} pipeline files; median (min–max) of ${a.stats.floor.runs} rounds.`,
      headers: ['command', 'wall', 'CPU', 'throughput (median wall)', 'peak RSS'],
      rows: [
        ['`node -e 0` (floor)', time(a.stats.floor.wall), time(a.stats.floor.cpu), '', mb(a.stats.floor.rss)],
        [
          `\`cigen migrate --format json\` (${FILES} files: detect, translate, rewrite, re-parse)`,
          time(a.stats.cigen.wall),
          time(a.stats.cigen.cpu),
          rate(a.stats.cigen),
          mb(a.stats.cigen.rss),
        ],
        [
          'peer: `yaml` parse + re-serialise the same files (no detection, loses comments)',
          time(a.stats.peer.wall),
          time(a.stats.peer.cpu),
          rate(a.stats.peer),
          mb(a.stats.peer.rss),
        ],
      ],
    };

    // (b) Growth in one file; the dry run (report and diff) is what `cigen migrate FILE` does.
    const files = [...JOB_SIZES, LARGE].map((jobs) => {
      const project = join(dir, `jobs-${jobs}`);
      mkdirSync(join(project, '.git'), { recursive: true });
      writeFileSync(join(project, '.gitlab-ci.yml'), kanikoPipeline(jobs));
      return join(project, '.gitlab-ci.yml');
    });
    const b = await paired(
      {
        floor: { argv: [process.execPath, '-e', '0'] },
        j1: cigen(files[0] as string),
        j4: cigen(files[1] as string),
        j16: cigen(files[2] as string),
        large: cigen(files[3] as string),
      },
      { runs: 5, warmup: 1 },
    );
    const checks: Check[] = [];
    const sized = [b.stats.j1, b.stats.j4, b.stats.j16];
    const rows = JOB_SIZES.map((jobs, i) => {
      const s = sized[i] as Stats;
      const prev = sized[i - 1];
      const growth = prev ? cpuAboveFloor(s, b.stats.floor) / cpuAboveFloor(prev, b.stats.floor) : undefined;
      if (prev && growth !== undefined)
        checks.push({
          what: `migrate (dry run) one file, ${JOB_SIZES[i - 1]} → ${jobs} Kaniko jobs: CPU growth above the floor`,
          target: '< 4.5× per 4×',
          measured: `${plain(growth)}×`,
          met: growth < 4.5,
        });
      return [
        `${jobs} jobs (${kanikoPipeline(jobs).split('\n').length} lines)`,
        time(s.cpu),
        time(s.wall),
        mb(s.rss),
        prev ? plain(s.cpu.min / prev.cpu.min) : '',
        growth === undefined ? '' : plain(growth),
      ];
    });
    rows.push([`${LARGE} jobs`, time(b.stats.large.cpu), time(b.stats.large.wall), mb(b.stats.large.rss), '', '']);
    checks.push({
      what: `migrate (dry run) ${LARGE} Kaniko jobs in one file (wall)`,
      target: '< 10 s',
      measured: time(b.stats.large.wall),
      met: b.stats.large.wall.max < 10_000,
    });
    return {
      id: 'migrate',
      title: '`cigen migrate`',
      intro: [
        'Targets (issue 16): linear growth (under 4.5× per 4×) and 2,000 Kaniko jobs in one file migrated, dry run ' +
          'included, in under 10 s. Three jobs in four are Kaniko builds: through a merge key (`<<: *kaniko`), through two ' +
          '(`<<: [*kaniko, *main-only]`, a folded executor line) and through `extends`; the fourth is a plain test job.',
        'Targets (issue 15): of the Kaniko jobs in the corpus, at least 80% migrated and none wrong, where wrong is a job ' +
          "whose status, component, inputs, note kinds or note text differ from its case's expect.json (written from the " +
          'translation contract, not from the output); every job sent to review says why, and only for what a person must decide.',
      ],
      tables: [
        corpusTable,
        {
          caption:
            `(b) Growth: \`cigen migrate FILE\` (a dry run: report and diff). The floor's CPU is ${time(b.stats.floor.cpu)}. ` +
            "Growth: minimum CPU over the row above's, raw and above the floor's minimum (noise only adds CPU time).",
          headers: ['one file with', 'CPU', 'wall', 'peak RSS', 'growth (raw)', 'growth above the floor'],
          rows,
        },
        ...corpus.tables,
      ],
      checks: [...checks, ...corpus.checks],
      notes: [],
      data: {
        corpus: a.stats,
        growth: { sizes: [...JOB_SIZES, LARGE], stats: b.stats },
        counts: { ...corpus.counts, share: (corpus.counts.static + corpus.counts.compat) / corpus.counts.found },
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
