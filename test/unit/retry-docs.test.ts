/**
 * docs/registries.md, "A registry that drops pushes": its table says what each Buildah and Skopeo
 * step retries by itself, and so how often a registry that stays down is tried. Those counts follow
 * from the retry flags the components give each step (Buildah's and Skopeo's own behaviour is run
 * for real in test/e2e/registries.e2e.test.ts): each is pinned here to the scripts, so a flag
 * changed without the page is caught.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const page = read('docs/registries.md');
const section = page.slice(
  page.indexOf('## A registry that drops pushes'),
  page.indexOf('\n## ', page.indexOf('## A registry that drops pushes')),
);
/** The table's rows: step, its own retries, tries. */
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => line.slice(2, -2).split(' | ') as [string, string, string]);
const row = (step: string) => rows.find(([first]) => first.startsWith(step)) ?? ['', '', ''];

/** The lines of a component script that build a step's command line (`cigen_arg ...` or its helper). */
const stepLines = (path: string, start: string) =>
  read(path)
    .split('\n')
    .filter((line) => line.trimStart().startsWith(start));

describe('docs/registries.md, the retries of each Buildah and Skopeo step', () => {
  it('has a row for each step', () => {
    expect(rows.map(([step]) => step.split(' (')[0])).toEqual([
      '`buildah push`',
      '`buildah manifest push`',
      '`skopeo copy --retry-times=0`',
      '`skopeo inspect`',
    ]);
  });

  it('promote: skopeo copy is run with --retry-times=0 (no retries of its own), skopeo inspect with none given: N + 1 tries', () => {
    expect(row('`skopeo copy --retry-times=0`').slice(1)).toEqual(['none', 'N + 1']);
    expect(row('`skopeo inspect`').slice(1)).toEqual(['none', 'N + 1']);
    const copy = stepLines('components/promote/script.sh.hbs', 'cigen_skopeo_argv copy');
    expect(copy).toHaveLength(1);
    expect(copy[0]).toContain(' --retry-times=0');
    const inspect = stepLines('components/promote/script.sh.hbs', 'cigen_skopeo_argv inspect');
    expect(inspect).toHaveLength(1);
    expect(inspect[0]).not.toContain('--retry');
  });

  it('a push to a registry is buildah push --retry=0, which it does not pass on: 4 tries in each run', () => {
    expect(row('`buildah push`')[2]).toMatch(/^4 in each run: 4 \(about 6 s\) with N 0 to 3, 8 with 4 to 7/);
    for (const path of ['components/buildah/script.sh.hbs', 'components/kaniko-compat/executor.sh.hbs']) {
      // Each `buildah push` that push-retries runs again (a push to a registry; a tarball's is cigen_run),
      // as the command line built last before it says.
      let built = '';
      const retried: string[] = [];
      for (const line of read(path).split('\n')) {
        if (line.trimStart().startsWith('cigen_arg buildah push')) built = line;
        if (/cigen_run_retry .*"buildah push /.test(line)) retried.push(built);
      }
      expect(retried.length, path).toBeGreaterThan(0);
      for (const line of retried) expect(line).toContain(' --retry=0');
    }
  });

  it("buildah manifest push and add are given no retry flag: manifest push's own is Buildah's default", () => {
    expect(row('`buildah manifest push`')[1]).toContain('which the job leaves at its default');
    for (const path of ['components/manifest/script.sh.hbs', 'components/buildah/script.sh.hbs']) {
      const manifest = stepLines(path, 'cigen_manifest_argv ');
      expect(manifest.filter((line) => / (push|add)\b/.test(line)).length, path).toBeGreaterThan(0);
      for (const line of manifest) expect(line).not.toContain('--retry');
    }
  });
});
