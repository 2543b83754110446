/**
 * `cigen publish`: the Catalog's release rules checked before a release exists, the release
 * notes from CHANGELOG.md, and the release through the Releases API against the fake GitLab.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { pinningProblem } from '../../src/generate/pinning.js';
import { changelogSection, preflight, type CatalogSnapshot } from '../../src/publish/preflight.js';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TEMPLATE = 'spec:\n  inputs:\n    stage: {default: build}\n---\njob:\n  stage: $[[ inputs.stage ]]\n  script: [echo]\n';
const GOOD: CatalogSnapshot = {
  tag: '1.2.0',
  version: '1.2.0',
  description: 'Builds images',
  descriptionFrom: 'package.json',
  readme: '# cigen\n',
  changelog: '# Changelog\n\n## 1.2.0\n\n- new things\n\n## 1.1.0\n\n- old things\n',
  templates: new Map([['templates/a.yml', TEMPLATE]]),
  templateErrors: [],
  drift: [],
  buildProblems: [],
};
const failed = (snapshot: Partial<CatalogSnapshot>) =>
  preflight({ ...GOOD, ...snapshot })
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`);

describe('preflight', () => {
  it('passes a catalog that follows the rules', () => {
    expect(failed({})).toEqual([]);
  });
  it.each([
    [{ tag: 'v1.2.0' }, "v1.2.0: this catalog's release tags are package.json's version, without the v"],
    [{ tag: '1.2' }, '1.2: not a semantic version; the Catalog publishes only semver tags'],
    [{ version: '1.1.0' }, 'package.json says 1.1.0'],
    [
      { templates: new Map(Array.from({ length: 31 }, (_, i) => [`templates/c${i}.yml`, TEMPLATE] as [string, string])) },
      '31 component(s)',
    ],
    [{ templates: new Map() }, 'no templates'],
    [
      { templates: new Map([['templates/a.b.yml', TEMPLATE]]) },
      'every file under templates/ is a component GitLab publishes: templates/a.b.yml is not: GitLab publishes templates/<name>.yml',
    ],
    [{ templates: new Map([['templates/a.b/template.yml', TEMPLATE]]) }, 'no templates/<name>.yml at all'],
    [
      { templates: new Map([['templates/a.yml', 'spec:\n  inputs:\n---\njob:\n  script: [echo]\n']]) },
      'an empty spec:inputs: breaks the catalog release',
    ],
    [{ templates: new Map([['templates/a.yml', 'job:\n  script: [echo]\n']]) }, 'expected a spec: header'],
    [{ readme: undefined }, 'README.md: missing'],
    [{ description: '  ' }, 'project description: missing (package.json)'],
    [{ drift: ['templates/a.yml'] }, 'templates/a.yml is stale: run cigen build'],
    [{ changelog: '## 1.1.0\n- old\n' }, 'no "## 1.2.0" section in CHANGELOG.md'],
    [{ changelog: '## 1.2.0\n\n## 1.1.0\n- old\n' }, 'the "## 1.2.0" section of CHANGELOG.md is empty'],
    [{ templateErrors: ['templates/a.yml:5:1 yaml/syntax Flow sequence'] }, 'templates/a.yml:5:1 yaml/syntax Flow sequence'],
    [{ changelog: undefined }, 'CHANGELOG.md is missing'],
    // semver.org's grammar, as GitLab checks a Catalog version: no leading zero, no empty identifier.
    ...['1.2.0-01', '1.2.0-rc..1', '1.2.0-.', '1.2.0+a..b'].map((tag): [Partial<CatalogSnapshot>, string] => [
      { tag, version: tag },
      `${tag}: not a semantic version`,
    ]),
    [
      { changelog: '# Changelog\n\n## Unreleased\n\n- the new component\n\n## 1.2.0\n\n- new things\n' },
      'CHANGELOG.md has entries under "## Unreleased" above "## 1.2.0": this release holds them, but its notes would not',
    ],
    [{ version: '' }, 'package.json has no "version"; the usage snippets pin its major version'],
    [
      { templates: new Map([['templates/a.yml', 'spec: *nope\n---\njob:\n  script: [echo]\n']]) },
      'templates/a.yml: the spec: header cannot be read (Unresolved alias',
    ],
    [
      { templates: new Map([['templates/a.yml', 'spec:\n  inputs:\n    a: {default: *x}\n---\njob:\n  script: [echo]\n']]) },
      'templates/a.yml: the spec: header cannot be read (Unresolved alias',
    ],
    [
      { templates: new Map([['templates/a.yml', 'spec: [\n---\njob:\n  script: [echo]\n']]) },
      'every template has a spec: header and no empty spec:inputs: templates/a.yml:2:1: not valid YAML (Flow sequence',
    ],
  ])('refuses %j', (snapshot, reason) => {
    expect(failed(snapshot as Partial<CatalogSnapshot>).join('\n')).toContain(reason);
  });
  it('names every file under templates/ GitLab would not publish, at any depth and of any name, and counts the templates it checked', () => {
    // GitLab's TEMPLATE_PATH_REGEX: templates/<name>.yml or templates/<name>/template.yml, nothing else.
    const ignored = ['templates/extra.yaml', 'templates/nested/deeper/template.yml', 'templates/x.y/template.yml', 'templates/a/notes.md'];
    const templates = new Map<string, string | undefined>([
      ['templates/a.yml', TEMPLATE],
      ['templates/b/template.yml', TEMPLATE],
      // A file a directory component uses, beside its template.yml: GitLab allows it, not named.
      ['templates/b/build.sh', undefined],
      // Not components: named, never read, never checked as templates.
      ...ignored.map((path): [string, undefined] => [path, undefined]),
    ]);
    const checks = preflight({ ...GOOD, templates });
    expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([
      `every file under templates/ is a component GitLab publishes: ${ignored.join(', ')} are not: GitLab publishes ` +
        'templates/<name>.yml and templates/<name>/template.yml, <name> of letters, digits, _ and - (its TEMPLATE_PATH_REGEX), and no other file',
    ]);
    // Each count counts what it says: 2 components, 2 templates checked.
    expect(checks.filter((c) => c.ok && /^(at most|every template)/.test(c.name)).map((c) => `${c.name}: ${c.detail}`)).toEqual([
      'at most 30 components: 2 component(s)',
      'every template has a spec: header and no empty spec:inputs: 2 template(s)',
      'every template lints without errors: 2 template(s)',
    ]);
    // A file GitLab does not publish is not checked as a template (before, its header was, and counted as none).
    const headerless = new Map([...templates, ['templates/x.y/template.yml', 'job:\n  script: [echo]\n']]);
    expect(preflight({ ...GOOD, templates: headerless }).find((c) => c.name.startsWith('every template has'))).toMatchObject({
      ok: true,
      detail: '2 template(s)',
    });
    // Many: the first five, and how many more.
    const many = new Map([
      ['templates/a.yml', TEMPLATE],
      ...Array.from({ length: 7 }, (_, i): [string, undefined] => [`templates/${i}.yaml`, undefined]),
    ]);
    expect(failed({ templates: many })).toEqual([
      expect.stringMatching(
        /^every file under templates\/ is a component GitLab publishes: templates\/0\.yaml, .*, templates\/4\.yaml and 2 more are not: /,
      ),
    ]);
  });
  it("refuses a spec GitLab's Catalog refuses (its component spec schema), naming the file and the input", () => {
    const spec = (header: string) => new Map([['templates/a.yml', `${header}\n---\njob:\n  script: [echo]\n`]]);
    const refused = (header: string) => failed({ templates: spec(header) });
    const why = (...errors: string[]) => [
      "every spec is one the Catalog's component spec schema takes: templates/a.yml: " +
        `${errors.join('; ')}: the Catalog refuses it ("Build component error: Spec must be a valid json schema")`,
    ];
    const defaultType = 'must be a list, a boolean, an integer or a string';
    // GitLab's pipelines take a number input's default 2.5; the Catalog takes an integer only.
    expect(refused('spec:\n  inputs:\n    n: {type: number, default: 2.5}')).toEqual(why(`spec:inputs:n:default ${defaultType}`));
    expect(refused('spec:\n  inputs:\n    n: {default: ~}\n    m: {default: {a: 1}}')).toEqual(
      why(`spec:inputs:n:default ${defaultType}`, `spec:inputs:m:default ${defaultType}`),
    );
    expect(refused('spec:\n  inputs:\n    a: {default: x}\n  include: x.yml')).toEqual(
      why('spec:include is not a key the Catalog takes (only inputs and component)'),
    );
    expect(refused('spec:\n  inputs:\n    a: build')).toEqual(why('spec:inputs:a must be a mapping or empty'));
    expect(refused('spec:\n  inputs:\n    a: {regex: 1, type: [string]}')).toEqual(
      why('spec:inputs:a:regex must be a string', 'spec:inputs:a:type must be a string'),
    );
    expect(refused('spec:\n  component: [name, nope, name]')).toEqual(
      why('spec:component:1 must be one of name, sha, version, reference', 'spec:component names an item twice'),
    );
    expect(refused('spec: x')).toEqual(why('spec must be a mapping'));
    // What it takes: a whole number written 4.0 (an integer to GitLab's json_schemer too), lists,
    // booleans, strings, an input without a body, a spec GitLab reads as {} (null), the component keys.
    for (const header of [
      'spec:\n  inputs:\n    n: {type: number, default: 4.0}\n    l: {type: array, default: [a, 1]}\n    b: {default: false}\n    e:',
      'spec:\n  inputs:\n    s: {default: x, regex: ^x$, type: string, description: {any: thing}, options: [x, y]}',
      'spec:',
      'spec:\n  component: [name, sha, version, reference]',
    ])
      expect(refused(header), header).toEqual([]);
  });
  it('takes semver pre-releases and builds, and an empty Unreleased section above the version', () => {
    for (const tag of ['1.2.0-rc.1', '1.2.0-0', '1.2.0-x-y.2', '1.2.0+build.7', '1.2.0-alpha.10+exp.sha.5114f85'])
      expect(failed({ tag, version: tag, changelog: `## ${tag}\n- x\n` }), tag).toEqual([]);
    expect(failed({ changelog: '## Unreleased\n\n## 1.2.0\n\n- new things\n' })).toEqual([]);
    // Keep a Changelog's sub-headings waiting for entries, and comments, are no entries.
    const waiting = '## [Unreleased]\n\n### Added\n\n### Fixed\n<!-- one line\nper change -->\n\n## [1.2.0] - 2026-11-01\n\n- new things\n';
    expect(failed({ changelog: waiting })).toEqual([]);
    expect(failed({ changelog: waiting.replace('### Fixed\n', '### Fixed\n\n- a fix\n') })).toEqual([
      expect.stringContaining('CHANGELOG.md has entries under "## Unreleased"'),
    ]);
  });
  it("reads a header holding a key written as a mapping without the yaml library's warning on stderr", () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const template = 'spec:\n  inputs:\n    ? {a: 1}\n    : {default: x}\n---\njob:\n  script: [echo]\n';
      expect(failed({ templates: new Map([['templates/a.yml', template]]) })).toEqual([]);
      expect(warned).not.toHaveBeenCalled();
    } finally {
      warned.mockRestore();
    }
  });
  it('reads the version section of a CHANGELOG in the usual spellings', () => {
    expect(changelogSection(GOOD.changelog as string, '1.2.0')).toBe('- new things');
    expect(changelogSection('## [1.2.0] - 2026-11-23\nfixed\n## [1.1.0]\n', '1.2.0')).toBe('fixed');
    expect(changelogSection('## v1.2.0\nx\n', '1.2.0')).toBe('x');
    expect(changelogSection('## 1.2.00\nx\n', '1.2.0')).toBeUndefined();
    // As release-please and conventional-changelog write them: the version a link to the compare view.
    const linked = '## [1.2.0](https://gitlab.example.com/g/p/compare/1.1.0...1.2.0) (2026-11-30)\n\n- fixed\n\n## [1.1.0](https://x/1)\n';
    expect(changelogSection(linked, '1.2.0')).toBe('- fixed');
    expect(changelogSection('## [1.2.0]x\nx\n', '1.2.0')).toBeUndefined();
    expect(failed({ changelog: `## [Unreleased](https://gitlab.example.com/g/p/compare/1.2.0...HEAD)\n\n- later\n\n${linked}` })).toEqual([
      expect.stringContaining('CHANGELOG.md has entries under "## Unreleased"'),
    ]);
  });
});

describe('the CLI', () => {
  const dirs: string[] = [];
  let fake: FakeGitLab | undefined;
  afterEach(async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await fake?.stop();
    fake = undefined;
  });
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-publish-'));
    dirs.push(dir);
    for (const entry of ['templates', 'docs', 'README.md', 'CHANGELOG.md', 'package.json'])
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
    return dir;
  };
  /** A copy that is a git checkout with one commit: its id. */
  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' }).trim();
  const checkout = () => {
    const dir = copy();
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'release');
    return { dir, head: git(dir, 'rev-parse', 'HEAD') };
  };
  /** `cigen publish --create-release` of `dir` to platform/cigen on the GitLab at `url`. */
  const releaseArgs = (dir: string, url: string, ...more: string[]) => [
    'publish',
    '--tag',
    version,
    '--root',
    dir,
    '--create-release',
    '--gitlab-url',
    url,
    '--project',
    'platform/cigen',
    ...more,
  ];
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  /** platform/cigen as a CI/CD Catalog project: a description, a README and a component on main. */
  const CATALOG_PROJECT = {
    path: 'platform/cigen',
    description: 'Container builds for GitLab CI',
    files: { 'README.md': '# cigen\n', 'templates/buildah.yml': TEMPLATE },
    catalog: true,
  };

  it('this repository passes its own preflight, and --notes writes the release notes', async () => {
    const dir = copy();
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir, '--notes', join(dir, 'notes.md')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`preflight passed; would release ${version} through the release: job of the tag pipeline`);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toContain('Components `promote` (copy by digest, indexes whole)');
  });

  it('a package.json that is not JSON is refused naming it (exit 1), a --root that is no directory is a usage error', async () => {
    const dir = copy();
    writeFileSync(join(dir, 'package.json'), '{bad');
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${join(dir, 'package.json')}: not valid JSON \\(.+\\)\n$`));
    writeFileSync(join(dir, 'package.json'), '[]');
    expect((await cli(['publish', '--dry-run', '--tag', version, '--root', dir])).stderr).toBe(
      `${join(dir, 'package.json')}: not a JSON object\n`,
    );
    const missing = await cli(['publish', '--dry-run', '--tag', version, '--root', join(dir, 'nowhere')]);
    expect(missing).toMatchObject({ status: 2, stderr: `--root ${join(dir, 'nowhere')}: no such file or directory\n` });
  });

  it('a hand-edited template fails the preflight: exit 1, nothing released', async () => {
    const dir = copy();
    writeFileSync(join(dir, 'templates/buildah.yml'), `${readFileSync(join(dir, 'templates/buildah.yml'), 'utf8')}# edited\n`);
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✗ templates and docs are current: templates/buildah.yml is stale');
    expect(result.stderr).toContain('preflight check(s) failed; nothing released');
  });

  it('temporary files a write left fail the preflight as `cigen build --check` says them, not as stale files', async () => {
    const dir = copy();
    const left = ['docs/components/.kaniko.md.a1b2c3d4e5f6.tmp', '.README.md.abcdef012345.tmp'];
    for (const path of left) writeFileSync(join(dir, path), 'partial\n');
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
    expect(result).toMatchObject({ status: 1, stderr: 'cigen publish: 1 preflight check(s) failed; nothing released\n' });
    expect(result.stdout).toContain(
      `✗ templates and docs are current: temporary file(s) an unfinished write left: ${left.join(', ')}; run \`cigen build\` to remove them\n`,
    );
    expect(result.stdout).not.toContain('stale');
    const check = await cli(['build', '--check', '--root', dir]);
    expect(check.stderr).toContain(`temporary file(s) an unfinished write left: ${left.join(', ')}; run \`cigen build\` to remove them`);
  });

  it('every file under templates/ that GitLab would not publish fails the preflight, named; the counts are of the templates checked', async () => {
    const dir = copy();
    const components = readdirSync(join(dir, 'templates')).length;
    const sign = readFileSync(join(dir, 'templates/sign.yml'), 'utf8');
    mkdirSync(join(dir, 'templates/nested/deeper'), { recursive: true });
    mkdirSync(join(dir, 'templates/x.y'));
    writeFileSync(join(dir, 'templates/extra.yaml'), sign);
    writeFileSync(join(dir, 'templates/nested/deeper/template.yml'), sign);
    writeFileSync(join(dir, 'templates/x.y/template.yml'), sign);
    // Not text at all: named, not read.
    writeFileSync(join(dir, 'templates/logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]));
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
    expect(result).toMatchObject({ status: 1, stderr: 'cigen publish: 1 preflight check(s) failed; nothing released\n' });
    expect(result.stdout).toContain(
      '✗ every file under templates/ is a component GitLab publishes: templates/extra.yaml, templates/logo.png, ' +
        'templates/nested/deeper/template.yml, templates/x.y/template.yml are not: GitLab publishes templates/<name>.yml',
    );
    expect(result.stdout).toContain(`✓ at most 30 components: ${components} component(s)\n`);
    expect(result.stdout).toContain(`✓ every template has a spec: header and no empty spec:inputs: ${components} template(s)\n`);
    expect(result.stdout).toContain(`✓ every template lints without errors: ${components} template(s)\n`);
  });

  it('a template GitLab could not read fails the preflight, naming its line; its lint warnings do not', async () => {
    const dir = copy();
    writeFileSync(join(dir, 'templates/zz.yml'), 'spec:\n  inputs:\n    a: {default: x}\n---\njob: [\n');
    writeFileSync(
      join(dir, 'templates/dup.yml'),
      'spec:\n  inputs:\n    a: {default: x}\n---\njob:\n  script: ["$[[ inputs.a ]]"]\n  script: [b]\n',
    );
    const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^✗ every template lints without errors: templates\/zz\.yml:6:1 yaml\/syntax Flow sequence .*$/m);
    expect(result.stdout).not.toContain('dup.yml');
    expect(result.stderr).toContain('preflight check(s) failed; nothing released');
  });

  it('--create-release: the project description GitLab shows is checked, then one release with the notes', async () => {
    fake = await FakeGitLab.start();
    fake.addProject(CATALOG_PROJECT);
    const { dir, head } = checkout();
    fake.pushCommit('platform/cigen', 'main', head);
    fake.addTag('platform/cigen', version, 'main');
    const env = { GITLAB_TOKEN: fake.token };
    const args = releaseArgs(dir, fake.url);
    const dry = await cli([...args, '--dry-run'], env);
    expect(dry.stdout).toContain(
      `would create release ${version} of platform/cigen through the Releases API and publish it to the CI/CD Catalog`,
    );
    expect(dry.stdout).toContain('✓ a CI/CD Catalog project: platform/cigen');
    expect(dry.stdout).toContain('✓ project description: Container builds for GitLab CI (the GitLab project platform/cigen)');
    expect(fake.writes().filter((w) => w.path !== '/api/graphql')).toEqual([]);
    const result = await cli(args, env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(
        `released ${version.replace(/\./g, '\\.')} to the CI/CD Catalog: http://127\\.0\\.0\\.1:\\d+/platform/cigen/-/releases/${version.replace(/\./g, '\\.')}`,
      ),
    );
    expect(fake.catalogVersions('platform/cigen')).toEqual([version]);
    expect(fake.releases('platform/cigen')).toEqual([
      { tag_name: version, name: `cigen ${version}`, description: expect.stringContaining('Components `promote` (copy by digest') },
    ]);
    // The same run again (GitLab's first answer a 409): the release there is the one asked for, read
    // back and said so, and the Catalog checked again; nothing new is made.
    const again = await cli(args, env);
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toMatch(
      new RegExp(
        `^creating release ${version.replace(/\./g, '\\.')}: POST /api/v4/projects/\\S+/releases: 409 Release already exists; ` +
          `the release ${version.replace(/\./g, '\\.')} platform/cigen has is the one asked for \\(at ${head.slice(0, 12)}, ` +
          `with this run's name and notes\\)$`,
        'm',
      ),
    );
    expect(again.stdout).toContain(`released ${version} to the CI/CD Catalog: `);
    expect(fake.releases('platform/cigen')).toHaveLength(1);
  });

  /** platform/cigen with the tag at the commit checked out here: `run` releases it. */
  const tagged = async () => {
    const gitlab = await FakeGitLab.start();
    fake = gitlab;
    gitlab.addProject(CATALOG_PROJECT);
    const { dir, head } = checkout();
    gitlab.pushCommit('platform/cigen', 'main', head);
    gitlab.addTag('platform/cigen', version, 'main');
    const run = () => cli(releaseArgs(dir, gitlab.url), { GITLAB_TOKEN: gitlab.token });
    return { gitlab, head, run };
  };
  const releasesPath = /\/releases$/;

  it('--create-release: a release GitLab made though its answer was lost (a gateway 502) is released, and cigen says how it knows', async () => {
    const { gitlab, head, run } = await tagged();
    gitlab.inject({ method: 'POST', path: releasesPath, status: 502, handle: true });
    const result = await run();
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^creating release ${version.replace(/\./g, '\\.')}: POST /api/v4/projects/\\S+/releases: 409 Release already exists, ` +
          `after GitLab's answer to an attempt was lost \\(502 Bad Gateway\\); the release ${version.replace(/\./g, '\\.')} ` +
          `platform/cigen has is the one asked for \\(at ${head.slice(0, 12)}, with this run's name and notes\\)$`,
        'm',
      ),
    );
    expect(result.stdout).toContain(`released ${version} to the CI/CD Catalog: `);
    expect(gitlab.releases('platform/cigen')).toHaveLength(1);
    expect(gitlab.catalogVersions('platform/cigen')).toEqual([version]);
    expect(gitlab.writes().filter((w) => releasesPath.test(w.path))).toHaveLength(2);
  });

  it("--create-release: after a lost answer, a release someone else made of the tag is not taken for this run's", async () => {
    const { gitlab, run } = await tagged();
    // The gateway gives up before GitLab sees the request; meanwhile someone releases the tag.
    const theirs = () => gitlab.addRelease('platform/cigen', version, { name: 'theirs', description: 'other notes' });
    gitlab.inject({ method: 'POST', path: releasesPath, status: 502, before: theirs });
    const result = await run();
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain(`released ${version} to`);
    expect(result.stderr).toContain(
      `409 Release already exists, after GitLab's answer to an attempt was lost (502 Bad Gateway); the release ${version} ` +
        `platform/cigen has is not the one this run asked for: its name is "theirs", not "cigen ${version}"; its notes are not this run's\n`,
    );
  });

  it('--create-release: a run stopped at the Catalog check (its answer failed) is run again, and reaches the check', async () => {
    const { gitlab, run } = await tagged();
    // GitLab makes the release; the Catalog lookup after it fails once.
    const lookupFails = () =>
      gitlab.inject({ method: 'POST', path: /^\/api\/graphql$/, status: 200, body: { errors: [{ message: 'Internal server error' }] } });
    gitlab.inject({ method: 'POST', path: releasesPath, before: lookupFails });
    const first = await run();
    expect(first.status).toBe(1);
    expect(first.stderr).toContain(
      `cigen publish: release ${version} was created (http://127.0.0.1:${new URL(gitlab.url).port}/platform/cigen/-/releases/${version}), ` +
        'but whether the Catalog lists it is unknown: the CI/CD Catalog resource of platform/cigen: Internal server error; ' +
        'run the same command again to check (it takes the release there for this run when it is the one asked for)\n',
    );
    const again = await run();
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toContain(`the release ${version} platform/cigen has is the one asked for`);
    expect(again.stdout).toContain(`released ${version} to the CI/CD Catalog: `);
    expect(gitlab.releases('platform/cigen')).toHaveLength(1);
  });

  it("--create-release: a release of the tag someone else made before this run is not taken for this run's", async () => {
    const { gitlab, run } = await tagged();
    gitlab.addRelease('platform/cigen', version, { name: 'theirs', description: 'other notes' });
    const result = await run();
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain(`released ${version} to`);
    expect(result.stderr).toMatch(
      new RegExp(
        `^cigen publish: creating release \\S+: POST \\S+/releases: 409 Release already exists; the release ${version.replace(/\./g, '\\.')} ` +
          `platform/cigen has is not the one this run asked for: its name is "theirs", not "cigen ${version.replace(/\./g, '\\.')}"; ` +
          `its notes are not this run's\n$`,
      ),
    );
  });

  it('--create-release: when every answer is lost, cigen looks the release up and says what it found', async () => {
    const { gitlab, run } = await tagged();
    // Retry-After 0: the six attempts at once.
    const lost = { method: 'POST', path: releasesPath, status: 504, headers: { 'retry-after': '0' }, times: 6 };
    gitlab.inject(lost);
    const none = await run();
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(
      new RegExp(
        `^cigen publish: creating release \\S+: POST \\S+/releases: 504 Gateway Timeout, after GitLab's answer to an attempt was lost ` +
          `\\(504 Gateway Timeout\\); platform/cigen has no release ${version.replace(/\./g, '\\.')}\n$`,
      ),
    );
    expect(gitlab.releases('platform/cigen')).toEqual([]);
    // GitLab made it at the first attempt; the lookup fails.
    gitlab.inject({ ...lost, handle: true, times: 1 });
    gitlab.inject({ ...lost, times: 5 });
    gitlab.inject({ method: 'GET', path: /\/releases\/[^/]+$/, status: 403, body: { message: '403 Forbidden' } });
    const unknown = await run();
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(
      `after GitLab's answer to an attempt was lost (504 Gateway Timeout); whether GitLab made release ${version} is unknown: ` +
        `looking it up failed (GET /api/v4/projects/`,
    );
    expect(gitlab.releases('platform/cigen')).toHaveLength(1);
  });

  it('--create-release: the release is made at the commit the preflight read, or not at all', async () => {
    const gitlab = await FakeGitLab.start();
    fake = gitlab;
    gitlab.addProject(CATALOG_PROJECT);
    const env = { GITLAB_TOKEN: gitlab.token };
    const args = (dir: string, ...more: string[]) => releaseArgs(dir, gitlab.url, ...more);
    // --ref main: main on GitLab is not the commit checked out here.
    const { dir, head } = checkout();
    const other = await cli(args(dir, '--ref', 'main'), env);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(
      new RegExp(
        `^cigen publish: the preflight read .* at ${head.slice(0, 12)}, but the release would be made at --ref main \\([0-9a-f]{12} in platform/cigen\\)`,
      ),
    );
    expect(await cli(args(dir, '--ref', 'nowhere'), env)).toMatchObject({
      status: 1,
      stderr: 'cigen publish: --ref nowhere names nothing in platform/cigen\n',
    });
    // No tag and no --ref: GitLab's Releases API would refuse; a dry run does not say it "would create".
    for (const dry of [[], ['--dry-run']])
      expect(await cli([...args(dir), ...dry], env)).toMatchObject({
        status: 1,
        stdout: expect.not.stringContaining('would create'),
        stderr: expect.stringContaining(`platform/cigen has no tag ${version}, and without --ref GitLab cannot create it`),
      });
    // A file the preflight does not read (the notes of publish --dry-run --notes) is no reason to refuse.
    writeFileSync(join(dir, 'release-notes.md'), 'not committed\n');
    const notes = await cli(args(dir, '--ref', 'main'), env);
    expect(notes).toMatchObject({ status: 1, stderr: expect.stringContaining('but the release would be made at --ref main') });
    expect(notes.stderr).not.toContain('uncommitted');
    // Changes the preflight read that no commit holds.
    writeFileSync(join(dir, 'README.md'), `${readFileSync(join(dir, 'README.md'), 'utf8')}\nnot committed\n`);
    const dirty = await cli(args(dir, '--ref', 'main'), env);
    expect(dirty).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('has uncommitted changes (M README.md): the preflight read them'),
    });
    // Not a checkout at all.
    const plain = await cli(args(copy(), '--ref', 'main'), env);
    expect(plain).toMatchObject({ status: 1, stderr: expect.stringContaining('is not a git checkout (or has no commit)') });
    // The same commit pushed: released at it.
    git(dir, 'checkout', '-q', '--', 'README.md');
    gitlab.pushCommit('platform/cigen', 'main', head);
    expect(await cli(args(dir, '--ref', 'main'), env)).toMatchObject({ status: 0, stderr: '' });
    expect(gitlab.releases('platform/cigen')).toHaveLength(1);
    expect(gitlab.writes().filter((w) => w.path.endsWith('/releases'))).toHaveLength(1);
  });

  /**
   * platform/cigen without a README on main (at the commit checked out here), and no tag: with
   * --ref main GitLab creates the tag, then its Catalog check refuses the release (422).
   */
  const refusedAfterTag = async () => {
    const gitlab = await FakeGitLab.start();
    fake = gitlab;
    gitlab.addProject({ ...CATALOG_PROJECT, files: { 'templates/buildah.yml': TEMPLATE } });
    const { dir, head } = checkout();
    gitlab.pushCommit('platform/cigen', 'main', head);
    const run = () => cli(releaseArgs(dir, gitlab.url, '--ref', 'main'), { GITLAB_TOKEN: gitlab.token });
    return { gitlab, head, run };
  };
  const AGAIN = 'once what GitLab refused is fixed, run again without --ref to create the release for it, or delete the tag';

  it('--create-release --ref: a release GitLab refuses after creating the tag says the tag now exists, and where', async () => {
    const { gitlab, head, run } = await refusedAfterTag();
    const left = await run();
    expect(left.status).toBe(1);
    expect(left.stderr.startsWith(`cigen publish: creating release ${version}: POST /api/v4/projects/`)).toBe(true);
    expect(left.stderr).toContain('Project must have a README');
    expect(
      left.stderr.endsWith(
        `; the tag ${version} now exists at ${head} in platform/cigen (GitLab creates the tag before it checks the release, ` +
          `and keeps it when the release fails): ${AGAIN}\n`,
      ),
    ).toBe(true);
    expect(gitlab.tags('platform/cigen')).toEqual({ [version]: head });
    expect(gitlab.releases('platform/cigen')).toEqual([]);
    // Run again: the tag is there, so GitLab creates none, and cigen says nothing of one.
    const again = await run();
    expect(again).toMatchObject({ status: 1, stderr: expect.stringContaining('Project must have a README') });
    expect(again.stderr).not.toContain(`the tag ${version}`);
    expect(again.stderr).not.toContain(`no tag ${version}`);
  });

  it('--create-release --ref: a branch named like the tag is not taken for the tag', async () => {
    const { gitlab, head, run } = await refusedAfterTag();
    // A branch called 1.x.y: the Commits API resolves it, the Tags API does not.
    gitlab.pushCommit('platform/cigen', version, head);
    const left = await run();
    expect(left.status).toBe(1);
    expect(
      left.stderr.endsWith(
        `; the tag ${version} now exists at ${head} in platform/cigen (GitLab creates the tag before it checks the release, ` +
          `and keeps it when the release fails): ${AGAIN}\n`,
      ),
    ).toBe(true);
    expect(gitlab.tags('platform/cigen')).toEqual({ [version]: head });
  });

  it('--create-release --ref: when the tag cannot be looked up after a failed release, cigen says it may exist, and why', async () => {
    const { gitlab, head, run } = await refusedAfterTag();
    // The lookup after the release fails, not the preflight's before it.
    const tagLookupFails = () =>
      gitlab.inject({ method: 'GET', path: /\/repository\/tags\//, status: 403, body: { message: '403 Forbidden' } });
    gitlab.inject({ method: 'POST', path: /\/releases$/, before: tagLookupFails });
    const unknown = await run();
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Project must have a README');
    expect(unknown.stderr).toContain(
      `; the tag ${version} may exist in platform/cigen: GitLab creates it before it checks the release, ` +
        `and looking it up failed (GET /api/v4/projects/`,
    );
    expect(unknown.stderr).toContain(`/repository/tags/${version}: `);
    expect(unknown.stderr.endsWith(`); if it exists, ${AGAIN}\n`)).toBe(true);
    expect(gitlab.tags('platform/cigen')).toEqual({ [version]: head });
  });

  it('--create-release --ref: a release GitLab refuses before it creates the tag says nothing was created', async () => {
    const { gitlab, run } = await refusedAfterTag();
    gitlab.inject({
      method: 'POST',
      path: /\/releases$/,
      status: 403,
      body: { message: 'You are not allowed to create this tag as it is protected.' },
    });
    const none = await run();
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('You are not allowed to create this tag as it is protected.');
    expect(none.stderr.endsWith(`; platform/cigen has no tag ${version}: GitLab created neither the tag nor the release\n`)).toBe(true);
    expect(gitlab.tags('platform/cigen')).toEqual({});
    expect(gitlab.releases('platform/cigen')).toEqual([]);
  });

  it('3: --create-release never sends the token to another origin a redirect names', async () => {
    fake = await FakeGitLab.start();
    const elsewhere = await FakeGitLab.start();
    try {
      fake.addProject(CATALOG_PROJECT);
      const { dir, head } = checkout();
      fake.pushCommit('platform/cigen', 'main', head);
      fake.addTag('platform/cigen', version, 'main');
      const args = releaseArgs(dir, fake.url);
      // The description read, then the release itself (a write) redirected elsewhere.
      fake.inject({
        method: 'GET',
        path: /^\/api\/v4\/projects\/platform\/cigen$/,
        status: 302,
        headers: { location: `${elsewhere.url}/api/v4/p` },
      });
      const read = await cli(args, { GITLAB_TOKEN: fake.token });
      expect(read.status).toBe(1);
      expect(read.stderr).toContain(`redirected to another origin (${elsewhere.url}); the token is not sent there`);
      fake.inject({
        method: 'POST',
        path: /\/releases$/,
        status: 307,
        headers: { location: `${elsewhere.url}/api/v4/projects/1/releases` },
      });
      const write = await cli(args, { GITLAB_TOKEN: fake.token });
      expect(write.status).toBe(1);
      expect(write.stderr).toContain('redirected to another origin');
      expect(elsewhere.tokensSeen).toEqual([]);
      expect(elsewhere.requests).toEqual([]);
      expect(fake.releases('platform/cigen')).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });

  it('4: --create-release refuses a token with a line break without printing any of it', async () => {
    fake = await FakeGitLab.start();
    const dir = copy();
    const token = 'glpat-publishfirst\nglpat-publishsecond';
    const result = await cli(releaseArgs(dir, fake.url), { GITLAB_TOKEN: token });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('GITLAB_TOKEN contains a line break');
    for (const part of token.split('\n')) expect(result.stdout + result.stderr).not.toContain(part);
    expect(fake.requests).toEqual([]);
  });

  it.each([false, true])(
    '--create-release publishes to the CI/CD Catalog, with GitLab flag ci_release_cli_catalog_publish_option %s',
    async (flag) => {
      fake = await FakeGitLab.start();
      fake.addProject({ ...CATALOG_PROJECT, catalogPublishOption: flag });
      const { dir, head } = checkout();
      fake.pushCommit('platform/cigen', 'main', head);
      fake.addTag('platform/cigen', version, 'main');
      const result = await cli(releaseArgs(dir, fake.url), { GITLAB_TOKEN: fake.token });
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain(`released ${version} to the CI/CD Catalog: `);
      expect(fake.releases('platform/cigen')).toHaveLength(1);
      expect(fake.catalogVersions('platform/cigen')).toEqual([version]);
    },
  );

  it('--create-release refuses a project that is no CI/CD Catalog project before any release exists', async () => {
    fake = await FakeGitLab.start();
    fake.addProject({ ...CATALOG_PROJECT, catalog: false });
    const { dir, head } = checkout();
    fake.pushCommit('platform/cigen', 'main', head);
    fake.addTag('platform/cigen', version, 'main');
    const result = await cli(releaseArgs(dir, fake.url), { GITLAB_TOKEN: fake.token });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✗ a CI/CD Catalog project: platform/cigen is none (or the token cannot read it)');
    expect(result.stderr).toContain('preflight check(s) failed; nothing released');
    expect(fake.releases('platform/cigen')).toEqual([]);
  });

  it('--create-release fails (exit 1) when GitLab made the release but the Catalog does not list it', async () => {
    fake = await FakeGitLab.start();
    fake.addProject(CATALOG_PROJECT);
    const { dir, head } = checkout();
    fake.pushCommit('platform/cigen', 'main', head);
    fake.addTag('platform/cigen', version, 'main');
    // An instance that takes the release but publishes nothing: its Catalog resource lists no version.
    fake.inject({
      method: 'POST',
      path: /^\/api\/graphql$/,
      status: 200,
      body: { data: { ciCatalogResource: { versions: { nodes: [] } } } },
      times: 2,
    });
    const result = await cli(releaseArgs(dir, fake.url), { GITLAB_TOKEN: fake.token });
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('released ');
    expect(result.stderr).toMatch(
      new RegExp(
        `^cigen publish: GitLab created release ${version.replace(/\./g, '\\.')} \\(http://.+\\) but did not publish it to the CI/CD Catalog of platform/cigen`,
      ),
    );
    expect(fake.releases('platform/cigen')).toHaveLength(1);
  });

  it('--create-release refuses a project without a description, and usage errors exit 2', async () => {
    fake = await FakeGitLab.start();
    fake.addProject({ path: 'platform/cigen', files: { 'README.md': '# cigen\n' } });
    const dir = copy();
    const result = await cli(releaseArgs(dir, fake.url), { GITLAB_TOKEN: fake.token });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✗ project description: missing');
    expect(fake.releases('platform/cigen')).toEqual([]);
    expect((await cli(['publish', '--root', dir])).status).toBe(2);
    expect((await cli(releaseArgs(dir, fake.url))).stderr).toContain('needs GITLAB_TOKEN');
  });

  it('a pre-release tag passes the preflight, and publish does not say the tag pipeline releases it (its rule takes x.y.z only)', async () => {
    const dir = copy();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '9.9.9-rc.1' }));
    writeFileSync(join(dir, 'CHANGELOG.md'), `## 9.9.9-rc.1\n\n- a candidate\n\n${readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')}`);
    const dry = await cli(['publish', '--dry-run', '--tag', '9.9.9-rc.1', '--root', dir]);
    expect(dry).toMatchObject({ status: 0, stderr: '' });
    expect(dry.stdout).toContain('would not release 9.9.9-rc.1 through the tag pipeline, whose release: job runs for x.y.z tags only');
    const run = await cli(['publish', '--tag', '9.9.9-rc.1', '--root', dir]);
    expect(run.stdout).toContain('The tag pipeline releases x.y.z tags only, not the pre-release 9.9.9-rc.1');
    expect(run.stdout).not.toContain('release: job of the 9.9.9-rc.1 tag pipeline creates');
    const pipeline = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');
    expect(pipeline).toContain('- if: $CI_COMMIT_TAG =~ /^[0-9]+\\.[0-9]+\\.[0-9]+$/');
  });

  it("in a GitLab pipeline the project description checked is the GitLab project's (CI_PROJECT_DESCRIPTION), not package.json's", async () => {
    const dir = copy();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { description: string };
    const run = (env: Record<string, string>) => cli(['publish', '--dry-run', '--tag', version, '--root', dir], env);
    // A project (a mirror, say) without a description: GitLab refuses its Catalog release.
    for (const env of [{ GITLAB_CI: 'true', CI_PROJECT_DESCRIPTION: '' }, { GITLAB_CI: 'true' }, { CI_PROJECT_DESCRIPTION: ' ' }]) {
      const empty = await run(env);
      expect(empty.status).toBe(1);
      expect(empty.stdout).toContain("✗ project description: missing (CI_PROJECT_DESCRIPTION, the GitLab project's): GitLab refuses");
      expect(empty.stdout).toContain('GitLab refuses to publish a project without one');
    }
    const described = await run({ GITLAB_CI: 'true', CI_PROJECT_DESCRIPTION: 'Builds for GitLab CI' });
    expect(described).toMatchObject({ status: 0, stderr: '' });
    expect(described.stdout).toContain("✓ project description: Builds for GitLab CI (CI_PROJECT_DESCRIPTION, the GitLab project's)");
    // Outside GitLab CI: package.json's, and said to be only that.
    const outside = await run({});
    expect(outside.stdout).toContain(
      `✓ project description: ${pkg.description} (package.json, outside GitLab CI; the Catalog checks the GitLab project's own)`,
    );
  });

  it('a package.json whose description or version is not a string is refused naming the field (exit 1)', async () => {
    const dir = copy();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const [field, value, kind] of [
      ['description', 42, 'a number'],
      ['description', ['a'], 'an array'],
      ['version', 1, 'a number'],
    ] as const) {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, [field]: value }));
      const result = await cli(['publish', '--dry-run', '--tag', version, '--root', dir]);
      expect(result).toMatchObject({
        status: 1,
        stderr: `${join(dir, 'package.json')}: "${field}" is ${kind}; package.json gives it as a string\n`,
      });
    }
  });
});

describe("the catalog's own release job (.gitlab-ci.yml)", () => {
  const pipeline = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8'), { logLevel: 'error' }) as Record<
    string,
    { image?: string | { name: string } }
  >;
  const images = Object.entries(pipeline).flatMap(([job, value]) => {
    const image = typeof value === 'object' && value !== null ? value.image : undefined;
    return image === undefined ? [] : [[job, typeof image === 'string' ? image : image.name] as const];
  });

  it('runs glab, not the deprecated release-cli: the release: keyword uses glab >= 1.58.0 when the image has it', () => {
    // lib/gitlab/ci/build/releaser.rb: GLAB_REQUIRED_VERSION = '1.58.0'; below it, or without glab,
    // the job warns "release-cli will not be supported after 20.0" and falls back to release-cli.
    const image = images.find(([job]) => job === 'release')?.[1] ?? '';
    const match = /^registry\.gitlab\.com\/gitlab-org\/cli:v(\d+)\.(\d+)\.(\d+)$/.exec(image);
    expect(match, image).not.toBeNull();
    const [major, minor] = (match as RegExpExecArray).slice(1, 3).map(Number) as [number, number];
    expect(major > 1 || (major === 1 && minor >= 58), image).toBe(true);
  });

  it('pins every image of the pipeline to a full version, as the components pin theirs', () => {
    expect(images.length).toBeGreaterThan(1);
    for (const [job, image] of images) expect(pinningProblem(image), job).toBeUndefined();
  });
});
