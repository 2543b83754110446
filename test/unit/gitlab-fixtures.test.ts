/**
 * Peer suite: GitLab's own schema fixtures (test/fixtures/gitlab-schema-tests, see SOURCES.md),
 * run the way GitLab's ci_schema_spec.js runs them: each top-level key of a file is its own
 * document (the workflow/auto_cancel "global" files: each key's value is a whole document).
 * Every positive unit lints clean with --schema-only; every negative unit is rejected.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { customTags, stringifyYaml } from '../../src/ci/yaml.js';
import { lintText } from '../../src/lint/lint-text.js';

const ROOT = join(import.meta.dirname, '../fixtures/gitlab-schema-tests');
const GLOBAL_FILES = ['workflow/auto_cancel/on_job_failure.yml', 'workflow/auto_cancel/on_new_commit.yml'];
/** Stale upstream: the newest schema dropped the `action:` step form this fixture still uses. */
const KNOWN_STALE = new Set(['positive/run.yml :: step_using_action']);
/** Negative fixtures of the editor's schema that GitLab's server accepts: cigen lints as the server reads. */
const SERVER_ACCEPTS = new Map([
  ['negative/services.yml :: empty_entrypoint', 'Entry::Service: entrypoint is array_of_strings, and [] is one'],
  ['negative/services.yml :: empty_command', 'Entry::Service: command is array_of_strings, and [] is one'],
]);

/** Negative fixtures GitLab refuses after ci.json, in its entries' words (KeyValidator): cigen's
 *  schema layer reads the value as the entry does, and its semantic layer refuses it, in those words. */
const ENTRY_REFUSES = new Map([
  ['negative/cache/key_with_dot.yml :: cache-key-with-.', 'semantic/cache'],
  ['negative/cache/key_with_multiple_dots.yml :: cache-key-with-multiple-.', 'semantic/cache'],
  ['negative/cache/key_with_slash.yml :: cache-key-with-/', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-.', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-multiple-.', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-/', 'semantic/cache'],
  ['negative/cache_multiple.yml :: cache-invalid-key', 'semantic/cache'],
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : /\.(ya?ml|json)$/.test(entry) ? [path] : [];
  });
}

interface Unit {
  id: string;
  text: string;
}

function units(kind: 'positive' | 'negative'): Unit[] {
  return files(join(ROOT, kind)).flatMap((path) => {
    const name = relative(join(ROOT, kind), path);
    const doc = parse(readFileSync(path, 'utf8'), { customTags, version: '1.1', merge: true }) as Record<string, unknown>;
    const global = GLOBAL_FILES.includes(name);
    return Object.entries(doc).map(([key, value]) => ({
      id: `${kind}/${name} :: ${key}`,
      text: stringifyYaml(global ? value : { [key]: value }),
    }));
  });
}

const score = { positive: { pass: 0, total: 0 }, negative: { pass: 0, total: 0 }, known: [] as string[] };
afterAll(() => {
  const line = (k: 'positive' | 'negative') => `${k} ${score[k].pass}/${score[k].total}`;
  console.log(
    `GitLab schema fixtures: ${line('positive')}, ${line('negative')}; known stale or accepted by the server: ${score.known.join(', ') || 'none'}`,
  );
});

describe('positive fixtures lint clean with --schema-only', () => {
  it.each(units('positive').map((u) => [u.id, u] as const))('%s', async (id, unit) => {
    const diagnostics = (await lintText(unit.text, { file: id, schemaOnly: true })).filter((d) => d.severity === 'error');
    score.positive.total++;
    if (KNOWN_STALE.has(id)) {
      // Listed, not hidden: it must still fail for the known reason, or this list is stale.
      expect(diagnostics.length).toBeGreaterThan(0);
      score.known.push(id);
      return;
    }
    expect(diagnostics).toEqual([]);
    score.positive.pass++;
  });
});

describe('negative fixtures are rejected', () => {
  it.each(units('negative').map((u) => [u.id, u] as const))('%s', async (id, unit) => {
    const diagnostics = (await lintText(unit.text, { file: id, schemaOnly: true })).filter((d) => d.severity === 'error');
    score.negative.total++;
    const refusedBy = ENTRY_REFUSES.get(id);
    if (refusedBy) {
      // Listed with the layer that refuses it: clean in the schema layer, refused in full.
      expect(diagnostics).toEqual([]);
      const full = await lintText(unit.text, { file: id, pipeline: true });
      const codes = full.filter((d) => d.severity === 'error').map((d) => d.code);
      expect(codes.length).toBeGreaterThan(0);
      expect(codes.every((code) => code === refusedBy)).toBe(true);
      score.negative.pass++;
      return;
    }
    if (SERVER_ACCEPTS.has(id)) {
      // Listed with the entry that accepts it: it must lint clean, or this list is stale.
      expect(diagnostics).toEqual([]);
      score.known.push(`${id} (${SERVER_ACCEPTS.get(id)})`);
      return;
    }
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => d.line >= 1 && d.column >= 1 && /^(yaml|schema)\//.test(d.code))).toBe(true);
    score.negative.pass++;
  });
});
