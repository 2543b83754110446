/**
 * The bundles bin/cigen.cjs runs (src/tooling/bundle.mjs): `cigen lint` from dist/lint.cjs, every
 * other command from dist/cli.cjs. The lint bundle must be the same command: same output, same exit
 * code, for clean files, findings, cigen's own components (loaded from dist/lint-catalog.cjs on the
 * first include of one), usage errors and help. What each process loads is read from Node's own
 * module log (NODE_DEBUG=module), not inferred.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as catalogResolve from '../../src/catalog/resolve.js';
import { CATALOG, findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { renderTemplate } from '../../src/generate/build.js';
import * as validate from '../../src/generate/validate.js';
import { DEFAULT_COMPONENT_PREFIX } from '../../src/ci/component-ref.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cigen-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'clean/.gitlab-ci.yml': 'build:\n  script: [make]\n',
  'typo/.gitlab-ci.yml': 'build:\n  scirpt: [make]\n',
  'component/.gitlab-ci.yml':
    `include:\n  - component: ${DEFAULT_COMPONENT_PREFIX}/buildah@1\n    inputs:\n      tags: ["not a tag!"]\n      nope: 1\n` +
    `  - component: ${DEFAULT_COMPONENT_PREFIX}/nothing@1\n`,
  'broken/.gitlab-ci.yml': 'build:\n  script: [make\n',
  'foreign/.gitlab-ci.yml': 'include:\n  - component: $CI_SERVER_FQDN/security/sast/sast@2\nbuild:\n  script: [make]\n',
  // A wildcard local include, in a git work tree: its files are what git lists.
  'wildcard/.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\n",
  'wildcard/ci/build.yml': 'build:\n  scirpt: [make]\n',
};
for (const [path, text] of Object.entries(FILES)) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const gitInit = spawnSync('git', ['init', '-q', join(dir, 'wildcard')], { encoding: 'utf8' });
if (gitInit.status !== 0) throw new Error(`git init: ${gitInit.stderr}`);

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(ROOT, script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The files of the process's module log: each loaded by Node, or running and requiring (bin/cigen.cjs
 *  compiles its bundle itself, so the bundle shows as the parent of what it requires). */
const loaded = (stderr: string): string[] => [
  ...new Set(
    [...stderr.matchAll(/^MODULE \d+: (?:load "|Module\._load REQUEST .* parent: )(\/[^"\n]+)/gm)].map((m) =>
      (m[1] ?? '').replace(`${ROOT}/`, ''),
    ),
  ),
];

const CASES: string[][] = [
  // Paths only: dist/lint.cjs runs them without commander (lint-main.ts).
  ['lint'],
  ['lint', 'clean/.gitlab-ci.yml'],
  ['lint', 'clean/.gitlab-ci.yml', 'typo/.gitlab-ci.yml'],
  ['lint', 'help'],
  ['lint', 'clean', ''],
  ['lint', 'typo/.gitlab-ci.yml'],
  ['lint', 'component/.gitlab-ci.yml'],
  ['lint', 'component/.gitlab-ci.yml', '--format', 'json'],
  ['lint', 'foreign/.gitlab-ci.yml'],
  ['lint', 'wildcard/.gitlab-ci.yml'],
  ['lint', 'broken/.gitlab-ci.yml'],
  ['lint', 'clean', 'typo', '--schema-only'],
  ['lint', 'missing.yml'],
  ['lint', '--format', 'xml', 'clean'],
  ['lint', '--help'],
  ['lint', '--unknown'],
];

describe('the lint bundle', () => {
  it.each(CASES.map((args) => [args.join(' '), args] as const))('`cigen %s`: the same as the whole CLI', (_, args) => {
    const whole = run('dist/cli.cjs', args);
    expect(run('dist/lint.cjs', args)).toEqual(whole);
    expect(run('bin/cigen.cjs', args)).toEqual(whole);
    expect(whole.status).not.toBe(70);
  });

  it('bin/cigen.cjs runs lint from dist/lint.cjs and every other command from dist/cli.cjs', () => {
    const lint = loaded(run('bin/cigen.cjs', ['lint', 'clean/.gitlab-ci.yml'], { NODE_DEBUG: 'module' }).stderr);
    expect(lint).toContain('dist/lint.cjs');
    expect(lint).not.toContain('dist/cli.cjs');
    const version = loaded(run('bin/cigen.cjs', ['--version'], { NODE_DEBUG: 'module' }).stderr);
    expect(version).toContain('dist/cli.cjs');
    expect(version).not.toContain('dist/lint.cjs');
  });

  it('loads the catalog only for a pipeline that includes one of its components, and ci.json only to suggest a key', () => {
    const clean = loaded(run('dist/lint.cjs', ['lint', 'clean/.gitlab-ci.yml'], { NODE_DEBUG: 'module' }).stderr);
    expect(clean).toContain('dist/lint.cjs');
    expect(clean).not.toContain('dist/lint-catalog.cjs');
    expect(clean).not.toContain('dist/gitlab-ci.schema.json');
    // Another project's component: not cigen's to answer for.
    const foreign = run('dist/lint.cjs', ['lint', 'foreign/.gitlab-ci.yml'], { NODE_DEBUG: 'module' });
    expect(loaded(foreign.stderr)).not.toContain('dist/lint-catalog.cjs');
    expect(foreign.status).toBe(0);
    const component = run('dist/lint.cjs', ['lint', 'component/.gitlab-ci.yml'], { NODE_DEBUG: 'module' });
    expect(loaded(component.stderr)).toContain('dist/lint-catalog.cjs');
    expect(component.stdout).toContain('is not a valid image tag');
    const typo = run('dist/lint.cjs', ['lint', 'typo/.gitlab-ci.yml'], { NODE_DEBUG: 'module' });
    expect(loaded(typo.stderr)).toContain('dist/gitlab-ci.schema.json');
    expect(typo.stdout).toContain('did you mean script?');
  });

  it('lints paths without commander, and loads it from dist/vendor-commander.cjs for any other command line', () => {
    const plain = loaded(run('dist/lint.cjs', ['lint', 'clean/.gitlab-ci.yml', 'typo'], { NODE_DEBUG: 'module' }).stderr);
    expect(plain).toContain('dist/lint.cjs');
    expect(plain).not.toContain('dist/vendor-commander.cjs');
    for (const args of [
      ['lint', '--format', 'json', 'clean'],
      ['lint', 'clean', '--schema-only'],
      ['lint', '--help'],
      ['lint', '-'],
    ]) {
      const parsed = loaded(run('dist/lint.cjs', args, { NODE_DEBUG: 'module' }).stderr);
      expect(parsed, args.join(' ')).toContain('dist/vendor-commander.cjs');
    }
  });

  it('does not load node:child_process for commander: no command of cigen is an executable subcommand', () => {
    for (const [script, args] of [
      ['dist/lint.cjs', ['lint', 'clean/.gitlab-ci.yml']],
      ['dist/lint.cjs', ['lint', '--schema-only', 'clean/.gitlab-ci.yml']],
      ['dist/cli.cjs', ['--help']],
    ] as const) {
      const { stderr } = run(script, [...args], { NODE_DEBUG: 'module' });
      expect(stderr).toMatch(/^MODULE \d+: load /m);
      expect(stderr).not.toMatch(/Module\._load REQUEST (node:)?child_process/);
    }
  });

  it('loads node:child_process for a wildcard local include, which lists the files git has, and not before', () => {
    const wildcard = run('dist/lint.cjs', ['lint', 'wildcard/.gitlab-ci.yml'], { NODE_DEBUG: 'module' });
    expect(wildcard.stderr).toMatch(/Module\._load REQUEST (node:)?child_process/);
    // The included file was found and linted.
    expect(wildcard.stdout).toMatch(/ci\/build\.yml:2:3 .*did you mean script\?/);
    expect(wildcard.status).toBe(1);
  });

  it('every export of src/catalog/resolve.ts is a function: the lint bundle forwards calls to dist/lint-catalog.cjs', () => {
    const exports = Object.entries(catalogResolve);
    expect(exports.length).toBeGreaterThan(0);
    for (const [name, value] of exports) expect(typeof value, name).toBe('function');
  });

  it('dist/lint.cjs holds neither the input vocabulary nor the renderer: the linter needs only the tag rule and the banner', () => {
    const sources = (JSON.parse(readFileSync(join(ROOT, 'dist/lint.cjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith('src/catalog/values.ts'))).toBe(true);
    const unwanted = ['src/builders/inputs.ts', 'src/catalog/document.ts', 'src/catalog/registry.ts', 'src/builders/script.ts'];
    expect(sources.filter((source) => unwanted.some((path) => source.endsWith(path)))).toEqual([]);
  });

  it("dist/lint-catalog.cjs holds no cigen error class: one thrown there would not be the linter's CigenError", () => {
    const sources = (JSON.parse(readFileSync(join(ROOT, 'dist/lint-catalog.cjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith('src/catalog/resolve.ts'))).toBe(true);
    expect(sources.filter((source) => source.endsWith('src/errors.ts'))).toEqual([]);
  });
});

describe('the build bundle', () => {
  // A catalog project to build into: the repository's generated files, copied.
  const catalog = join(dir, 'catalog');
  for (const path of ['templates', 'docs', 'README.md']) cpSync(join(ROOT, path), join(catalog, path), { recursive: true });
  const BUILD_CASES: string[][] = [
    // --check, with --root or without (in either order): dist/build.cjs runs them without commander (build-main.ts).
    ['build', '--check', '--root', catalog],
    ['build', '--root', catalog, '--check'],
    ['build', '--check'],
    ['build', '--check', '--root', join(dir, 'nowhere')],
    ['build', '--check', '--root', catalog, '--format', 'json'],
    ['build', '--check', '--root'],
    ['build', '--check', '--root', catalog, '--root', catalog],
    ['build', '--check', '--check', '--root', catalog],
    ['build', '--help'],
    ['build', '--bogus'],
  ];

  it.each(BUILD_CASES.map((args) => [args.join(' ').replace(dir, 'DIR'), args] as const))(
    '`cigen %s`: the same as the whole CLI',
    (_, args) => {
      const whole = run('dist/cli.cjs', args);
      expect(run('dist/build.cjs', args)).toEqual(whole);
      expect(run('bin/cigen.cjs', args)).toEqual(whole);
      expect(whole.status).not.toBe(70);
    },
  );

  it('checks without commander, and loads it from dist/vendor-commander.cjs for any other command line', () => {
    for (const args of [
      ['build', '--check', '--root', catalog],
      ['build', '--root', catalog, '--check'],
    ]) {
      const plain = run('dist/build.cjs', args, { NODE_DEBUG: 'module' });
      expect(plain.status).toBe(0);
      expect(loaded(plain.stderr)).not.toContain('dist/vendor-commander.cjs');
    }
    for (const args of [
      ['build', '--check', '--root', catalog, '--format', 'json'],
      ['build', '--root', catalog],
      ['build', '--help'],
    ]) {
      const parsed = loaded(run('dist/build.cjs', args, { NODE_DEBUG: 'module' }).stderr);
      expect(parsed, args.join(' ')).toContain('dist/vendor-commander.cjs');
    }
  });

  it('bin/cigen.cjs runs build from dist/build.cjs; --check loads no validator, a build loads it from dist/build-validate.cjs', () => {
    const check = run('bin/cigen.cjs', ['build', '--check', '--root', catalog], { NODE_DEBUG: 'module' });
    expect(check.status).toBe(0);
    expect(loaded(check.stderr)).toContain('dist/build.cjs');
    expect(loaded(check.stderr)).not.toContain('dist/cli.cjs');
    expect(loaded(check.stderr)).not.toContain('dist/build-validate.cjs');
    // A template edited by hand: build validates the catalog, then writes it back.
    writeFileSync(join(catalog, 'templates/kaniko.yml'), 'edited\n');
    const build = run('bin/cigen.cjs', ['build', '--root', catalog], { NODE_DEBUG: 'module' });
    expect(build.status).toBe(0);
    expect(build.stdout).toContain(`\n${CATALOG.length} components validated; 1 file(s) written\n`);
    expect(loaded(build.stderr)).toContain('dist/build-validate.cjs');
    expect(readFileSync(join(catalog, 'templates/kaniko.yml'), 'utf8')).toBe(readFileSync(join(ROOT, 'templates/kaniko.yml'), 'utf8'));
  });

  it('build --check reads its files without the thread pool: node:fs/promises is not even loaded', () => {
    // Each read through node:fs/promises is four trips to the thread pool; --check reads thirty-odd files.
    const list = join(dir, 'modules.txt');
    const preload = join(dir, 'module-list.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
    );
    const check = run('bin/cigen.cjs', ['build', '--check', '--root', catalog], { NODE_OPTIONS: `--require=${preload}` });
    expect(check.status).toBe(0);
    const modules = readFileSync(list, 'utf8').split('\n');
    expect(modules).toContain('NativeModule fs');
    expect(modules.filter((name) => name.includes('fs/promises'))).toEqual([]);
  });

  it('every export of src/generate/validate.ts is a function: the build bundle forwards calls to dist/build-validate.cjs', () => {
    const exports = Object.entries(validate);
    expect(exports.length).toBeGreaterThan(0);
    for (const [name, value] of exports) expect(typeof value, name).toBe('function');
  });

  it("dist/build-validate.cjs holds no cigen error class and no catalog: what crosses is the component's data", () => {
    const sources = (JSON.parse(readFileSync(join(ROOT, 'dist/build-validate.cjs.map'), 'utf8')) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith('src/generate/validate.ts'))).toBe(true);
    expect(sources.filter((source) => source.endsWith('src/errors.ts') || source.endsWith('src/catalog/registry.ts'))).toEqual([]);
    // The inputs' sample values it instantiates with are plain data: no class of the other bundle's.
    const plain = (value: unknown): boolean =>
      ['string', 'number', 'boolean'].includes(typeof value) ||
      (Array.isArray(value) && value.every(plain)) ||
      (typeof value === 'object' &&
        value !== null &&
        Object.getPrototypeOf(value) === Object.prototype &&
        Object.values(value).every(plain));
    for (const component of CATALOG)
      for (const [name, input] of Object.entries(component.inputs)) expect(plain(input.sample), `${component.name} ${name}`).toBe(true);
  });

  it("dist/build-validate.cjs finds what the source finds, for a component from the build bundle's side", async () => {
    const bundled = createRequire(import.meta.url)(join(ROOT, 'dist/build-validate.cjs')) as typeof validate;
    const buildah = findComponent('buildah') as ComponentDefinition;
    const broken: ComponentDefinition = {
      ...buildah,
      images: ['quay.io/buildah/stable:latest'],
      inputs: { ...buildah.inputs, stage: { ...buildah.inputs['stage'], default: 7 } as ComponentDefinition['inputs'][string] },
    };
    for (const component of [buildah, broken]) {
      const { path, text } = renderTemplate(component);
      const expected = await validate.validateTemplate(component, path, text);
      expect(await bundled.validateTemplate(component, path, text)).toEqual(expected);
      if (component === buildah) expect(expected).toEqual([]);
    }
    const problems = await validate.validateTemplate(broken, 'templates/buildah.yml', renderTemplate(broken).text);
    expect(problems.map((p) => p.input)).toEqual(expect.arrayContaining(['builder-image', 'stage']));
  });
});

/** The packages the bundles hold, as dist/THIRD-PARTY-NOTICES.txt names them (the bundle step
 *  writes it from what esbuild took in): `name@version`. */
const bundledPackages = (): Set<string> => {
  const notices = readFileSync(join(ROOT, 'dist/THIRD-PARTY-NOTICES.txt'), 'utf8');
  return new Set([...notices.matchAll(/^-{78}\n((?:@[^/\s]+\/)?[^@\s]+@[^\s]+) \(/gm)].map((m) => m[1] ?? ''));
};

/** The npm packages cigen's source imports at run time (type-only imports and the build tooling aside). */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'tooling') visit(path);
      } else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/^import (?!type )[^;]*? from '([^'.][^']*)'|\bimport\('([^'.][^']*)'\)/gm)) {
          const specifier = m[1] ?? m[2] ?? '';
          if (specifier.startsWith('node:')) continue;
          names.add(
            specifier
              .split('/')
              .slice(0, specifier.startsWith('@') ? 2 : 1)
              .join('/'),
          );
        }
      }
    }
  };
  visit(join(ROOT, 'src'));
  return names;
}

describe('the Node versions cigen says it runs on', () => {
  // semver is npm's own, installed with the dev tools; untyped here.
  const semver = createRequire(import.meta.url)('semver') as { subset: (range: string, superset: string) => boolean };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: unknown } }>;
  };

  it('are versions every bundled library runs on (Sigstore needs 20.17, util.styleText 20.12)', () => {
    const bundled = bundledPackages();
    const entries = Object.entries(lock.packages).filter(([path, entry]) =>
      bundled.has(`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? ''}`),
    );
    // Every bundled package is one the lock file holds (a name the pattern above misread would drop out).
    expect(new Set(entries.map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version ?? ''}`))).toEqual(bundled);
    const narrower = entries
      .filter(([, entry]) => typeof entry.engines?.node === 'string')
      .filter(([, entry]) => !semver.subset(pkg.engines.node, entry.engines?.node as string))
      .map(([path, entry]) => `${path} ${String(entry.engines?.node)}`);
    expect(narrower).toEqual([]);
    expect(semver.subset(pkg.engines.node, '>=20.12.0')).toBe(true);
  });

  it('are the ones the README says', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`Node \`${pkg.engines.node}\``);
  });
});

describe('what ships with the bundles', () => {
  const notices = readFileSync(join(ROOT, 'dist/THIRD-PARTY-NOTICES.txt'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; dependencies?: Record<string, string> };

  it("the notices of GitLab's schema and of every package cigen's source imports, with its licence text", () => {
    expect(notices).toContain(
      'gitlab-ci.schema.json (GitLab CI/CD configuration schema) and catalog_resource_component_spec.json ' +
        '(CI/CD Catalog component spec schema), from GitLab FOSS',
    );
    expect(notices).toContain('Copyright (c) 2011-present GitLab B.V.');
    const imported = importedPackages();
    for (const name of ['yaml', 'ajv', 'commander', 'handlebars', '@gitbeaker/rest', '@sigstore/sign']) expect(imported).toContain(name);
    for (const name of imported) {
      const { version, license } = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
        license: string;
      };
      expect(notices, name).toContain(`\n${name}@${version} (${license})\n`);
    }
  });

  it('the npm package depends on nothing: every library it runs is in dist/ (an install downloads only cigen)', () => {
    expect(pkg.dependencies).toBeUndefined();
  });

  it("cigen's own licence, which package.json names, is in the repository (npm packs it)", () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });
});
