/**
 * Every pipeline snippet the docs show (README.md, docs/**, the generated component pages) lints
 * clean through `cigen lint` with cigen's catalog: a snippet that passes inputs a component does
 * not have, or an invalid value, is a defect in the docs.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/registry.js';
import { componentPage } from '../../src/generate/docs.js';
import { lintText } from '../../src/lint/lint-text.js';
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
