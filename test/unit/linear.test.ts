/**
 * Issue 16: linear everywhere. Duplicate keys are found by cigen's own pass (a Set per mapping)
 * instead of the parser's check, which compares each key with every earlier one; the finding is the
 * parser's, at the same place, with the key named. No test here measures time: they assert the
 * work done and the findings.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { parseAllDocuments, type Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/ci/check.js';
import { keyReadingsBuilt, locate } from '../../src/ci/positions.js';
import { LeanDocument, customTags, duplicateKeys, parseYamlDocuments } from '../../src/ci/yaml.js';
import { chainPipeline } from '../bench/generate.js';
import { lintText } from '../../src/lint/lint-text.js';
import { migrateFile } from '../../src/migrate/index.js';

/** DUPLICATE_KEY errors as the parser reported them with `uniqueKeys: true` (what cigen did before). */
function parserDuplicates(text: string): number[] {
  return parseAllDocuments(text, { version: '1.1', customTags, merge: true, uniqueKeys: true, prettyErrors: false }).flatMap((doc) =>
    doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]),
  );
}
const ownDuplicates = (text: string): number[] =>
  parseYamlDocuments(text).documents.flatMap((doc) => doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]));

describe('duplicate keys, found with a Set per mapping', () => {
  it.each([
    'a: 1\na: 2\n',
    'a: 1\n# c\na: 2\n',
    '&x a: 1\n&y a: 2\n',
    '!!str a: 1\n!!str a: 2\n',
    '? a\n: 1\n? a\n: 2\n',
    '"a": 1\n\'a\': 2\n',
    '{a: 1, a: 2}\n',
    '{ a: 1,   a: 2 }\n',
    '{: 1, : 2}\n',
    'x:\n  b: 1\n  # c\n  b: 2\n',
    'yes: 1\ntrue: 2\n',
    '~: 1\nnull: 2\n',
    '.nan: 1\n.nan: 2\n',
    '1: a\n"1": b\n',
    '0x10: a\n16: b\n',
    '<<: {a: 1}\n<<: {b: 2}\n',
    '? - a\n: 1\n? - a\n: 2\n',
    '- {a: 1, a: 2}\n- [a: 1, a: 2]\n',
    '{a: 1,\n a: 2}',
    '!!set\n? a\n? a\n',
    'a: 1\n? a\n',
    'x: &a {k: 1, k: 2}\ny: *a\n',
    '? {a: 1, a: 2}\n: v\n',
    'a: 1\nb: [\na: 2\n',
    'spec:\n  inputs: {}\n---\njob:\n  script: [a]\n  script: [b]\n',
  ])("the parser's finding, at the parser's place: %j", (text) => {
    expect(ownDuplicates(text)).toEqual(parserDuplicates(text));
  });

  it('property: the same duplicates as the parser on random mappings', () => {
    const key = fc.constantFrom('a', 'b', '"a"', "'b'", 'yes', 'true', 'on', '1', '"1"', '0x1', '~', 'null', '<<', '.nan', '2001-01-01');
    const scalar = fc.constantFrom('1', 'x', '"q"', '[1, 2]', '{k: v}', '');
    const block = fc.array(fc.tuple(key, scalar), { minLength: 1, maxLength: 8 });
    const text = fc
      .array(fc.tuple(fc.constantFrom('j1', 'j2', 'j1', 'x'), block), { minLength: 1, maxLength: 5 })
      .map((jobs) => jobs.map(([name, pairs]) => `${name}:\n${pairs.map(([k, v]) => `  ${k}: ${v || '0'}\n`).join('')}`).join(''));
    fc.assert(
      fc.property(text, (yaml) => {
        expect(ownDuplicates(yaml)).toEqual(parserDuplicates(yaml));
      }),
      { numRuns: 300 },
    );
  });

  it('a key after an empty value is reported at the key, named (the parser put it at the end of the line before)', async () => {
    const diagnostics = await lintText('job:\n  script: [a]\n  cache:\n  cache:\n', { file: '.gitlab-ci.yml' });
    expect(diagnostics.filter((d) => d.code === 'yaml/duplicate-key').map((d) => [d.line, d.column, d.message])).toEqual([
      [4, 3, 'duplicate key `cache`; GitLab keeps the last one'],
    ]);
  });

  it('finds every duplicate of a mapping with 30,000 keys, each once', () => {
    const keys = 30_000;
    const text = Array.from({ length: keys }, (_, i) => `k${i % 20_000}: ${i}\n`).join('');
    const [doc] = parseYamlDocuments(text).documents;
    const found = duplicateKeys(doc as Document);
    expect(found).toHaveLength(10_000);
    expect(found[0]?.key).toBe('k0');
    expect(found.at(-1)?.key).toBe('k9999');
    expect(doc?.errors).toHaveLength(10_000);
  });

  it('migrate reads a file with a duplicate key as GitLab does (the last one), naming its place in a warning', () => {
    const [file] = migrateFile('.gitlab-ci.yml', 'build:\n  script: [a]\n  script: [b]\n');
    expect(file?.warnings).toEqual(['.gitlab-ci.yml:3:3: duplicate key `script`; GitLab keeps the last one']);
  });
});

describe('lint on the fast path and the lean document', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const pipelines = [
    ...readdirSync(join(ROOT, 'test/fixtures/migrate/corpus')).map((c) => join(ROOT, 'test/fixtures/migrate/corpus', c, '.gitlab-ci.yml')),
    ...['negative', 'positive'].flatMap((kind) =>
      readdirSync(join(ROOT, 'test/fixtures/gitlab-schema-tests', kind), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join(ROOT, 'test/fixtures/gitlab-schema-tests', kind, f)),
    ),
    join(ROOT, '.gitlab-ci.yml'),
    join(ROOT, 'test/bench/fixtures/lint/typical.gitlab-ci.yml'),
  ];

  it('gives the findings the yaml library gives, on every pipeline fixture', async () => {
    for (const path of pipelines) {
      const text = readFileSync(path, 'utf8');
      const file = path.endsWith('.gitlab-ci.yml') ? '.gitlab-ci.yml' : 'fragment.yml';
      const fast = await lintText(text, { file });
      process.env['CIGEN_YAML_FAST'] = '0';
      try {
        expect(fast, path).toEqual(await lintText(text, { file }));
      } finally {
        delete process.env['CIGEN_YAML_FAST'];
      }
    }
  });

  it('gives the findings the yaml library gives on keys GitLab refuses, dependencies beside needs, and collection keys', async () => {
    const texts = [
      'workflow:\n  rules: [{when: always}]\n  nme: x\nb:\n  script: x\n  cache:\n    key: {files: [a], prefx: y}\n    path: [a]\n' +
        '  environment: {name: x, kubernetes: {namespace: x, agnt: y}}\nc:\n  script: x\n  cache: [{key: {prefix: x}, paths: [a]}]\n',
      'include:\n  - local: a.yml\n    rulez: []\n  - local: a.yml\n    remote: https://example.com/y.yml\n' +
        't:\n  trigger: {project: g/p, brnch: y}\nu:\n  trigger: {branch: main}\n',
      'stages: [a, b]\nj4:\n  stage: a\n  script: x\nj5:\n  stage: b\n  script: x\n  needs: []\n  dependencies: [j4]\n' +
        'j6:\n  stage: b\n  script: x\n  needs: [{pipeline: $P, job: j4}]\n  dependencies: [j4]\n',
      'job:\n  script: x\n? {include: 1}\n: x\n',
      'job:\n  script: x\n  variables:\n    [a, b]: x\n',
    ];
    for (const text of texts) {
      const fast = await lintText(text, { file: '.gitlab-ci.yml' });
      expect(fast.length, text).toBeGreaterThan(0);
      process.env['CIGEN_YAML_FAST'] = '0';
      try {
        expect(fast, text).toEqual(await lintText(text, { file: '.gitlab-ci.yml' }));
      } finally {
        delete process.env['CIGEN_YAML_FAST'];
      }
    }
  });

  it('a pipeline that lints clean never has its nodes composed; a finding composes them once, to place it', () => {
    const clean = parseFile(chainPipeline(100), '.gitlab-ci.yml', { lean: true });
    expect(clean.content).toBeInstanceOf(LeanDocument);
    expect((clean.content as unknown as LeanDocument).toJS()['job-0-1']).toMatchObject({ extends: '.base-0', stage: 'build' });
    expect((clean.content as unknown as LeanDocument).composed).toBe(false);
    const located = locate(clean.content as Document, clean.lineCounter, ['job-0-2', 'stage'], 'value');
    expect(located).toEqual({ line: 20, column: 10 });
    expect((clean.content as unknown as LeanDocument).composed).toBe(true);
  });

  it('a file with anchors, a header or interpolation blocks is not lean (its nodes are needed)', () => {
    for (const text of ['a: &x {k: 1}\nb: *x\n', 'spec:\n  inputs: {}\n---\nj: {script: [a]}\n', 'j:\n  script: ["$[[ inputs.x ]]"]\n'])
      expect(parseFile(text, 'f.yml', { lean: true }).content).not.toBeInstanceOf(LeanDocument);
  });
});

describe('start-up: the V8 code cache', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const FIXTURE = join(ROOT, 'test/bench/fixtures/lint/small.gitlab-ci.yml');
  const lint = (tmp: string) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/cigen.cjs'), 'lint', FIXTURE], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
  const ownDir = (tmp: string) => join(tmp, `cigen-cache-${process.getuid?.() ?? ''}`);

  it('is written by the second run without one, read by the runs after it, and replaces the caches of older bundles', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cigen-cache-'));
    try {
      mkdirSync(ownDir(tmp), { mode: 0o700 });
      writeFileSync(join(ownDir(tmp), `cigen-${process.version}-1-2-lint.v8cache`), 'an older bundle');
      const run = () => {
        expect(lint(tmp).status).toBe(0);
        return readdirSync(ownDir(tmp))
          .filter((name) => name.startsWith('cigen-'))
          .sort();
      };
      const cached = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      if (cached) {
        // Node 22+: Node's own compile cache, in the same private directory.
        run();
        expect(readdirSync(ownDir(tmp))).toContain('node');
        return;
      }
      expect(run()).toEqual([`cigen-${process.version}-1-2-lint.v8cache`, expect.stringMatching(/-lint\.v8cache\.seen$/)]);
      const second = run();
      expect(second).toEqual([expect.stringMatching(/-lint\.v8cache$/)]);
      expect(second[0]).not.toContain('-1-2-');
      expect(run()).toEqual(second);
      // Nothing of the cache outside the private directory, which only its owner may enter.
      expect(readdirSync(tmp)).toEqual([basename(ownDir(tmp))]);
      expect(statSync(ownDir(tmp)).mode & 0o777).toBe(0o700);
      for (const name of second) expect(statSync(join(ownDir(tmp), name)).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('in a temp directory without it (a fresh CI container), the first run makes the private directory and its mark', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cigen-cache-'));
    try {
      expect(lint(tmp).status).toBe(0);
      const cached = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      // Node 22+ makes it for its own compile cache; Node 20, cigen's, made while the bundle ran.
      expect(readdirSync(tmp)).toEqual([basename(ownDir(tmp))]);
      expect(statSync(ownDir(tmp)).mode & 0o777).toBe(0o700);
      if (cached) return;
      const marks = readdirSync(ownDir(tmp));
      expect(marks).toEqual([expect.stringMatching(/-lint\.v8cache\.seen$/)]);
      expect(statSync(join(ownDir(tmp), marks[0] as string)).mode & 0o777).toBe(0o600);
      // The second run writes the cache, the third reads it.
      expect(lint(tmp).status).toBe(0);
      expect(readdirSync(ownDir(tmp))).toEqual([expect.stringMatching(/-lint\.v8cache$/)]);
      expect(lint(tmp).status).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('never reads a cache others can write: a directory of that name open to others, or a symlink, means no cache', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cigen-cache-'));
    try {
      // A cache V8 accepts for dist/lint.cjs (it checks the source length only) that runs other code.
      const bundle = join(ROOT, 'dist/lint.cjs');
      const wrapped = Module.wrap(readFileSync(bundle, 'utf8'));
      const payload = "process.stdout.write('PLANTED CODE RAN\\n');";
      const head = Module.wrap(payload);
      const planted = `${head.slice(0, -'\n});'.length)}/*${'x'.repeat(wrapped.length - head.length - 4)}*/\n});`;
      expect(planted.length).toBe(wrapped.length);
      const poison = new vm.Script(planted, { filename: bundle }).createCachedData();
      const { size, mtimeMs } = statSync(bundle);
      const name = `cigen-${process.version}-${size}-${Math.trunc(mtimeMs)}-lint.v8cache`;
      // In the temp directory itself, which every user may write to.
      writeFileSync(join(tmp, name), poison);
      for (let run = 0; run < 3; run++) expect(lint(tmp).stdout).not.toContain('PLANTED');
      rmSync(join(tmp, name));
      rmSync(ownDir(tmp), { recursive: true, force: true });
      // Open to others (as another user would leave it, made before cigen ran).
      mkdirSync(ownDir(tmp), { mode: 0o700 });
      chmodSync(ownDir(tmp), 0o777);
      writeFileSync(join(ownDir(tmp), name), poison);
      for (let run = 0; run < 3; run++) {
        const result = lint(tmp);
        expect(result.stdout).not.toContain('PLANTED');
        expect(result.status).toBe(0);
      }
      // Nothing written into it either: no mark, no cache of its own.
      expect(readdirSync(ownDir(tmp))).toEqual([name]);
      // A symlink to a directory of the user's own is not followed.
      rmSync(ownDir(tmp), { recursive: true });
      const elsewhere = join(tmp, 'elsewhere');
      mkdirSync(elsewhere, { mode: 0o700 });
      writeFileSync(join(elsewhere, name), poison);
      symlinkSync(elsewhere, ownDir(tmp));
      for (let run = 0; run < 3; run++) expect(lint(tmp).stdout).not.toContain('PLANTED');
      expect(readdirSync(elsewhere)).toEqual([name]);
      // The same cache in the private directory does run: the test's poison is real.
      rmSync(ownDir(tmp));
      mkdirSync(ownDir(tmp), { mode: 0o700 });
      writeFileSync(join(ownDir(tmp), name), poison);
      const cached = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
      if (!cached) expect(lint(tmp).stdout).toContain('PLANTED CODE RAN');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('whole floats: each mapping read once, whatever the jobs', () => {
  it('a file with one whole float (a variable) and 2,000 jobs with integer retry and parallel: the top level is read once', async () => {
    const jobs = Array.from({ length: 2000 }, (_, i) => `j${i}:\n  script: x\n  retry: 2\n  parallel: 3\n`).join('');
    const before = keyReadingsBuilt();
    const findings = await lintText(`variables: {V: 1.0}\n${jobs}`, { file: '.gitlab-ci.yml' });
    expect(findings).toEqual([]);
    // The top-level mapping, and each job's (its retry and parallel are looked at there): one reading each.
    expect(keyReadingsBuilt() - before).toBe(1 + 2000);
  });
});
