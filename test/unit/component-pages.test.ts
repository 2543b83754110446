/** Every input on a component's page shows an example: its sample value, as a user writes it in `inputs:`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CORE_INPUTS } from '../../src/builders/inputs.js';
import { CATALOG } from '../../src/catalog/registry.js';
import { componentPage } from '../../src/generate/docs.js';

describe.each(CATALOG.map((component) => [component.name, component] as const))('%s page', (_name, component) => {
  it('has one example per input, which reads back as that input and its sample', () => {
    const rows = componentPage(component)
      .split('\n')
      .filter((line) => /^\| `[a-z-]+` \| (string|array|boolean|number) \|/.test(line));
    expect(rows.map((row) => /^\| `([a-z-]+)`/.exec(row)?.[1])).toEqual(Object.keys(component.inputs));
    for (const row of rows) {
      const name = /^\| `([a-z-]+)`/.exec(row)?.[1] as string;
      const example = /\| `([^`]*)` \|$/.exec(row)?.[1] as string;
      expect(parse(example.replace(/\\\|/g, '|')), name).toEqual({ [name]: component.inputs[name]?.sample });
    }
  });
});

// The docker:dind service reads these when it starts, without the project's CI/CD variables, and the
// job stops on a $VARIABLE in them (components/dind/script.sh.hbs): each one's row says so.
describe('dind page', () => {
  it.each(['registry-mirrors', 'insecure-registries'])('says %s must be written literally', (name) => {
    const dind = CATALOG.find((component) => component.name === 'dind');
    const row = componentPage(dind as (typeof CATALOG)[number])
      .split('\n')
      .find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row?.toLowerCase()).toContain(
      "written literally: the docker:dind service reads them when it starts, without the project's ci/cd variables",
    );
  });
});

describe("a builder's Outputs", () => {
  const ROOT = new URL('../../', import.meta.url);
  // Every variable the job's report writes (components/_shared/report.sh.hbs): its printf formats,
  // CIGEN_BUILT_BY_%s for each key of its loop, and the per-platform ones as _<PLATFORM>.
  const report = readFileSync(new URL('components/_shared/report.sh.hbs', ROOT), 'utf8');
  const byKeys = (/for _rep_key in ([A-Z_ ]+); do/.exec(report)?.[1] ?? '').split(' ');
  const written = [...report.matchAll(/printf '(CIGEN_BUILT_[A-Z_]*?)(_%s)?=/g)]
    .flatMap((m) => (!m[2] ? [m[1] as string] : m[1] === 'CIGEN_BUILT_BY' ? byKeys.map((key) => `${m[1]}_${key}`) : [`${m[1]}_<PLATFORM>`]))
    .sort();
  const tableRows = (markdown: string) => {
    const start = markdown.indexOf('| `CIGEN_BUILT_IMAGE` |');
    return markdown
      .slice(start)
      .split('\n')
      .filter((line, i, lines) => lines.slice(0, i + 1).every((l) => l.startsWith('| ')));
  };
  const named = (rows: string[]) => rows.flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1])).sort();

  it.each(CATALOG.filter((component) => component.builder).map((component) => [component.name, component] as const))(
    '%s: its page names every variable the report writes, as the README does',
    (_name, component) => {
      const rows = tableRows(componentPage(component));
      expect(named(rows)).toEqual(written);
      expect(rows).toEqual(tableRows(readFileSync(new URL('README.md', ROOT), 'utf8')));
    },
  );
});

// Kaniko's --reproducible is go-containerregistry's mutate.Canonical: every timestamp becomes the
// zero time, whatever SOURCE_DATE_EPOCH says; Buildah's --timestamp and BuildKit's
// rewrite-timestamp use SOURCE_DATE_EPOCH.
describe('reproducible, as each builder does it', () => {
  const building = readFileSync(join(import.meta.dirname, '../../docs/building.md'), 'utf8');
  const texts = [
    ['docs/building.md', building.slice(building.indexOf('## Reproducible images'), building.indexOf('## Annotations'))],
    ['the reproducible input', CORE_INPUTS.reproducible.description],
  ] as const;
  it.each(texts)('%s: Kaniko zero timestamps, not the commit time', (_where, text) => {
    expect(text).toMatch(/[Kk]aniko[^.;]*`--reproducible`[^.;]*zero/);
    expect(text).not.toMatch(/SOURCE_DATE_EPOCH[^.]*every timestamp[^.]*Kaniko/);
  });
});

describe('job-name', () => {
  it('is described as the build job only in the components whose job builds (the builders): the others name their own', () => {
    const buildJob = CATALOG.filter((c) => c.inputs['job-name']?.description?.startsWith('Name of the build job')).map((c) => c.name);
    expect(buildJob).toEqual(CATALOG.filter((c) => c.builder !== undefined).map((c) => c.name));
  });
});
