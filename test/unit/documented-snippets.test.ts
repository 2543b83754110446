/**
 * Every pipeline snippet the docs show (README.md, docs/**, the generated component pages) lints
 * clean through `cigen lint` with cigen's catalog: a snippet that passes inputs a component does
 * not have, or an invalid value, is a defect in the docs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/registry.js';
import { componentPage } from '../../src/generate/docs.js';
import { lintText } from '../../src/lint/lint-text.js';
import { cigen } from '../helpers/cli.js';
import { catalogHost } from '../helpers/lint-host.js';

const ROOT = resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? markdownFiles(path) : entry.endsWith('.md') ? [path] : [];
  });
}

/** The ```yaml blocks of a Markdown text that include something: the snippets a user copies. */
const snippets = (markdown: string): string[] =>
  [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => m[1] as string).filter((block) => /^include:/m.test(block));

const documented = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))].flatMap((file) =>
  snippets(readFileSync(file, 'utf8')).map((snippet, index) => [`${relative(ROOT, file)} #${index + 1}`, snippet] as const),
);

describe('documented snippets', () => {
  it('there are snippets to check, one at least in every component page', () => {
    for (const component of CATALOG) expect(snippets(componentPage(component)), component.name).not.toHaveLength(0);
    expect(documented.length).toBeGreaterThanOrEqual(CATALOG.length + 1);
  });

  it.each(documented)('%s lints clean', async (_where, snippet) => {
    const diagnostics = await lintText(snippet, { file: '.gitlab-ci.yml', host: catalogHost() });
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([]);
  });

  it("a usage snippet with another component's inputs (the old generic one) is caught", async () => {
    const snippet = [
      'include:',
      '  - component: $CI_SERVER_FQDN/ci-components/cigen/doctor@1',
      '    inputs:',
      '      image: $CI_REGISTRY_IMAGE',
      '      tags: [x]',
      '',
    ].join('\n');
    const diagnostics = await lintText(snippet, { file: '.gitlab-ci.yml', host: catalogHost() });
    expect(diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('unknown input arguments: image, tags'));
  });
});

describe('commands a user runs in their own project', () => {
  // Outside this repository `npx cigen` fetches whatever an unscoped `cigen` package is (README).
  it('name the package, @cigen/cli, never a bare npx cigen', () => {
    const userFacing = [
      ...markdownFiles(join(ROOT, 'docs')).filter((file) => !/docs\/commands\/(build|publish)\.md$/.test(file)),
      ...readdirSync(join(ROOT, 'templates')).map((name) => join(ROOT, 'templates', name)),
    ];
    const bare = userFacing.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (/npx cigen\b/.test(line) ? [`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(bare).toEqual([]);
  });
});

describe('the release path: npm:publish runs only where NPM_TOKEN reaches the tag pipeline', () => {
  // GitLab passes a protected variable only to pipelines of protected branches or protected tags
  // (doc/ci/variables: "Protect variable"): on an unprotected x.y.z tag NPM_TOKEN is empty and the
  // rule `$CI_COMMIT_TAG =~ ... && $NPM_TOKEN` leaves npm:publish out without an error.
  const pipeline = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');
  it('the pipeline keys npm:publish on NPM_TOKEN, a protected variable', () => {
    expect(pipeline).toMatch(/^npm:publish:\n(?: .*\n)*? {4}- if: \$CI_COMMIT_TAG =~ .* && \$NPM_TOKEN$/m);
    expect(pipeline).toMatch(/NPM_TOKEN: a masked, protected CI\/CD variable/);
  });
  it('the README, publish.md and the pipeline say to protect the release tags (*.*.*) wherever they name NPM_TOKEN', () => {
    const files = [join(ROOT, 'README.md'), join(ROOT, '.gitlab-ci.yml'), ...markdownFiles(join(ROOT, 'docs'))];
    const naming = files.filter((file) => readFileSync(file, 'utf8').includes('NPM_TOKEN')).map((file) => relative(ROOT, file));
    expect(naming).toEqual(expect.arrayContaining(['README.md', 'docs/commands/publish.md', '.gitlab-ci.yml']));
    for (const file of naming) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/\n#? */g, ' ');
      expect(text, file).toMatch(/protect(?:ed)? (?:the )?release tags \(`?\*\.\*\.\*`?/i);
    }
  });
});

describe('the JSON shapes the docs give', () => {
  it("migrate --format json: each job's keys are docs/commands/migrate.md's, those not marked optional in every job", () => {
    const docs = readFileSync(join(ROOT, 'docs/commands/migrate.md'), 'utf8');
    const list = /"jobs":\[\{([^}]*)\}\]/.exec(docs)?.[1] ?? '';
    const keys = [...list.matchAll(/"([a-z]+)"(\??)/g)].map((m) => ({ name: m[1] as string, optional: m[2] === '?' }));
    // A Docker-daemon job (its security finding), and a job left as it is.
    const dir = mkdtempSync(join(tmpdir(), 'cigen-documented-json-'));
    try {
      writeFileSync(
        join(dir, '.gitlab-ci.yml'),
        'dind:\n  image: docker:27\n  services: [docker:27-dind]\n  script:\n' +
          '    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .\n    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA\n' +
          'test:\n  script: [echo]\n',
      );
      const result = cigen(['migrate', '.gitlab-ci.yml', '--format', 'json'], { cwd: dir });
      expect(result.status, result.stderr).toBe(0);
      const jobs = (JSON.parse(result.stdout) as { files: { jobs: Record<string, unknown>[] }[] }).files.flatMap((f) => f.jobs);
      expect(jobs.map((job) => Object.keys(job))).toContainEqual(expect.arrayContaining(['finding']));
      for (const job of jobs) {
        expect(Object.keys(job).filter((key) => !keys.some((k) => k.name === key))).toEqual([]);
        for (const key of keys.filter((k) => !k.optional)) expect(Object.keys(job)).toContain(key.name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
