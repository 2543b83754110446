/**
 * The npm package as `npx @cigen/cli` gets it: packed by npm from this checkout, unpacked where no
 * node_modules is in reach, and run. package.json declares no dependencies (test/unit/bundle.test.ts):
 * this shows the bundles need none — each bundle and each library they load on demand runs from the
 * package alone — and that the package holds what runs, not the sources or maps behind it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_VERSION, DEFAULT_COMPONENT_PREFIX } from '../../src/ci/component-ref.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cigen-npm-package-'));
const pkg = join(dir, 'package');
let files: string[] = [];

/** No node_modules in any directory above the unpacked package: a library missing from dist/ fails. */
function nodeModulesAbove(start: string): string[] {
  const found: string[] = [];
  for (let at = start; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) found.push(join(at, 'node_modules'));
    if (dirname(at) === at) return found;
  }
}

beforeAll(() => {
  // --ignore-scripts: dist/ is built before the tests; `prepare` would rebuild it under running tests.
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  expect(packed.status, packed.stderr).toBe(0);
  const [{ filename, files: listed }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = listed.map((file) => file.path).sort();
  const unpacked = spawnSync('tar', ['-xzf', join(dir, filename), '-C', dir], { encoding: 'utf8' });
  expect(unpacked.status, unpacked.stderr).toBe(0);
  mkdirSync(join(dir, 'project'));
  writeFileSync(
    join(dir, 'project', '.gitlab-ci.yml'),
    `include:\n  - component: ${DEFAULT_COMPONENT_PREFIX}/buildah@${CATALOG_VERSION}\n    inputs:\n      tags: ["not a tag!"]\nbuild:\n  scirpt: [make]\n`,
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cigen(args: string[]) {
  const result = spawnSync(process.execPath, [join(pkg, 'bin/cigen.cjs'), ...args], {
    cwd: join(dir, 'project'),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', TMPDIR: dir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the npm package, unpacked with nothing beside it', () => {
  it('is unpacked where no node_modules is in reach', () => {
    expect(nodeModulesAbove(pkg)).toEqual([]);
    expect(readdirSync(pkg).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
  });

  it('holds the launcher, the bundles, the schema and the notices: no source maps, sources or templates', () => {
    expect(files).toContain('bin/cigen.cjs');
    expect(files).toContain('dist/THIRD-PARTY-NOTICES.txt');
    expect(files).toContain('dist/gitlab-ci.schema.json');
    for (const bundle of [
      'cli',
      'lint',
      'lint-catalog',
      'build',
      'build-validate',
      'vendor-commander',
      'vendor-gitbeaker',
      'vendor-sigstore',
    ])
      expect(files).toContain(`dist/${bundle}.cjs`);
    expect(files.filter((path) => /\.map$|^(src|components|templates|test)\//.test(path))).toEqual([]);
  });

  it('runs the whole CLI (dist/cli.cjs): --version and a component rendered', () => {
    expect(cigen(['--version'])).toMatchObject({ status: 0, stdout: '1.1.0\n' });
    const rendered = cigen(['render', 'buildah', '-i', 'tags=[v1]']);
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    expect(rendered.stdout).toMatch(/^build-image:\n {2}stage: build\n/);
  });

  it('runs lint (dist/lint.cjs) on a pipeline including a cigen component (dist/lint-catalog.cjs)', () => {
    const linted = cigen(['lint', '.gitlab-ci.yml']);
    expect(linted.status).toBe(1);
    expect(linted.stdout).toMatch(/\.gitlab-ci\.yml:4:\d+ error .*not a tag!/);
    expect(linted.stdout).toMatch(/\.gitlab-ci\.yml:6:3 error .*scirpt/);
  });

  it('runs build (dist/build.cjs) on a catalog project: --check, and a build that validates (dist/build-validate.cjs)', () => {
    const catalog = join(dir, 'catalog');
    for (const path of ['templates', 'docs', 'README.md']) cpSync(join(ROOT, path), join(catalog, path), { recursive: true });
    expect(cigen(['build', '--check', '--root', catalog])).toMatchObject({ status: 0, stderr: '' });
    writeFileSync(join(catalog, 'templates/kaniko.yml'), 'edited\n');
    expect(cigen(['build', '--check', '--root', catalog]).status).toBe(1);
    const built = cigen(['build', '--root', catalog]);
    expect(built.stderr).toBe('');
    expect(built.stdout).toMatch(/^\d+ components validated; 1 file\(s\) written$/m);
    expect(readFileSync(join(catalog, 'templates/kaniko.yml'), 'utf8')).toBe(readFileSync(join(ROOT, 'templates/kaniko.yml'), 'utf8'));
  });

  it('loads every library of the vendor bundles (the command line, the bot, the supply-chain commands) from dist/ alone', () => {
    const script = [
      'let n = 0;',
      "for (const group of ['commander', 'gitbeaker', 'sigstore']) {",
      `  const vendor = require(${JSON.stringify(join(pkg, 'dist'))} + '/vendor-' + group + '.cjs');`,
      '  for (const name of Object.keys(vendor)) { if (vendor[name] == null) throw new Error(name); n++; }',
      '}',
      'process.stdout.write(String(n));',
    ].join('\n');
    const loaded = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(loaded.stderr).toBe('');
    expect(Number(loaded.stdout)).toBeGreaterThanOrEqual(9);
  });
});
