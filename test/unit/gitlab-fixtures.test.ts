/**
 * Peer suite: GitLab's own schema fixtures (test/fixtures/gitlab-schema-tests, see SOURCES.md),
 * run the way GitLab's ci_schema_spec.js runs them: each top-level key of a file is its own
 * document (the workflow/auto_cancel "global" files: each key's value is a whole document).
 * Every positive unit lints clean with --schema-only; every negative unit is rejected, and for
 * what the file is about: at least one finding lies under the keyword the file tests (SUBJECTS).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { customTags, stringifyYaml } from '../../src/ci/yaml.js';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { lintText } from '../../src/lint/lint-text.js';

const ROOT = join(import.meta.dirname, '../fixtures/gitlab-schema-tests');
/** Files whose top-level keys name cases, each value a whole document. GitLab's spec runs the two
 *  workflow files so ("global" tests); it runs job_inputs.yml and spec_inputs.yml key by key, as
 *  jobs, where every case fails for its unknown key (`test-job`, `spec`) whatever its inputs say. */
const DOCUMENT_FILES = [
  'positive/workflow/auto_cancel/on_job_failure.yml',
  'positive/workflow/auto_cancel/on_new_commit.yml',
  'negative/workflow/auto_cancel/on_job_failure.yml',
  'negative/workflow/auto_cancel/on_new_commit.yml',
  'negative/job_inputs.yml',
  'negative/spec_inputs.yml',
];
/** Stale upstream: fixtures older than the newest schema, which now reads them the other way. */
const KNOWN_STALE = new Map([
  ['positive/run.yml :: step_using_action', 'the newest schema dropped the `action:` step form'],
  [
    'negative/spec_inputs.yml :: invalid_property',
    'the newest schema lets a spec input have any key; cigen refuses one in a header (spec/input-unknown-key), the fixture has none',
  ],
  [
    'negative/spec_inputs.yml :: trigger_invalid_input',
    'the newest schema takes any string for a trigger input; only the downstream spec types it',
  ],
]);
/** Negative fixtures of the editor's schema that GitLab's server accepts: cigen lints as the server reads. */
const SERVER_ACCEPTS = new Map([
  ['negative/services.yml :: empty_entrypoint', 'Entry::Service: entrypoint is array_of_strings, and [] is one'],
  ['negative/services.yml :: empty_command', 'Entry::Service: command is array_of_strings, and [] is one'],
  ['negative/rules.yml :: rules:exists as string', 'Rules::Rule::Exists: SimpleExists takes a string, as one path'],
  [
    'negative/spec_inputs.yml :: include_invalid_input_name',
    'Header::Input: the key is alphanumeric (AlphanumericValidator: any String, Symbol or Integer); only the editor schema has a pattern',
  ],
]);

/** Negative fixtures GitLab refuses after ci.json, in its entries' words (KeyValidator, JobInput): cigen's
 *  schema layer reads the value as the entry does, and its semantic layer refuses it, in those words. */
const ENTRY_REFUSES = new Map([
  ['negative/cache/key_with_dot.yml :: cache-key-with-.', 'semantic/cache'],
  ['negative/cache/key_with_multiple_dots.yml :: cache-key-with-multiple-.', 'semantic/cache'],
  ['negative/cache/key_with_slash.yml :: cache-key-with-/', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-.', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-multiple-.', 'semantic/cache'],
  ['negative/cache.yml :: cache-key-with-/', 'semantic/cache'],
  ['negative/cache_multiple.yml :: cache-invalid-key', 'semantic/cache'],
  ['negative/job_inputs.yml :: missing_default', 'semantic/job-input'],
]);

/** What each negative file (or folder) tests: the keywords a finding's path must pass through, so a
 *  case refused for something else (a shape the harness misread, a typo beside the point) fails.
 *  The first entry that matches counts: a folder's own entries come before the folder's. */
const SUBJECTS: [prefix: string, keywords: string[]][] = [
  ['artifacts.yml', ['artifacts']],
  ['auto_cancel_pipeline.yml', ['auto_cancel']],
  ['cache/', ['cache']],
  ['cache.yml', ['cache']],
  ['cache_multiple.yml', ['cache']],
  ['dast_configuration.yml', ['dast_configuration']],
  ['default_no_additional_properties.json', ['default']],
  ['hooks.yml', ['hooks']],
  ['id_tokens.yml', ['id_tokens']],
  ['identity_provider.yml', ['identity']],
  ['image.yml', ['image']],
  ['include.yml', ['include']],
  ['include_cache.yml', ['cache']],
  ['inherit_default_no_additional_properties.json', ['inherit']],
  ['job_inputs.yml', ['inputs']],
  ['job_variables_must_not_contain_objects.json', ['variables']],
  ['job_when.yml', ['when']],
  ['needs/', ['needs']],
  ['parallel.yml', ['parallel']],
  ['project_path/trigger/minimal/', ['trigger']], // `trigger: <project path>`
  ['project_path/', ['project']],
  ['release_assets_links.json', ['assets']],
  ['retry.yml', ['retry']],
  ['retry_unknown_when.json', ['retry']],
  ['rules.yml', ['rules']],
  ['rules_needs.yml', ['needs']],
  ['run.yml', ['run']],
  ['script.yml', ['script', 'before_script', 'after_script']],
  ['secrets.yml', ['secrets']],
  ['services.yml', ['services']],
  ['spec/', ['spec']],
  ['spec_inputs.yml', ['inputs']],
  ['stages.yml', ['stages']],
  ['trigger.yml', ['trigger']],
  ['variables/', ['variables']],
  ['variables.yml', ['variables']],
  ['workflow/', ['auto_cancel']],
];

/** The keywords a negative file tests (every negative file has them: a new one must say). */
function subject(name: string): string[] {
  const found = SUBJECTS.find(([prefix]) => (prefix.endsWith('/') ? name.startsWith(prefix) : name === prefix));
  if (!found) throw new Error(`${name}: no SUBJECTS entry says what this negative fixture tests`);
  return found[1];
}

/** Whether a finding is about the subject: its path passes through one of the keywords. */
function about(diagnostic: Diagnostic, keywords: string[]): boolean {
  return (diagnostic.path ?? []).some((segment) => typeof segment === 'string' && keywords.includes(segment));
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : /\.(ya?ml|json)$/.test(entry) ? [path] : [];
  });
}

interface Unit {
  id: string;
  text: string;
  /** What a negative unit is about (see SUBJECTS). */
  subject: string[];
}

function units(kind: 'positive' | 'negative'): Unit[] {
  return files(join(ROOT, kind)).flatMap((path) => {
    const name = relative(join(ROOT, kind), path);
    const doc = parse(readFileSync(path, 'utf8'), { customTags, version: '1.1', merge: true }) as Record<string, unknown>;
    const documents = DOCUMENT_FILES.includes(`${kind}/${name}`);
    const keywords = kind === 'negative' ? subject(name) : [];
    return Object.entries(doc).map(([key, value]) => ({
      id: `${kind}/${name} :: ${key}`,
      text: stringifyYaml(documents ? value : { [key]: value }),
      subject: keywords,
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
      score.known.push(`${id} (${KNOWN_STALE.get(id)})`);
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
      const errors = full.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((d) => d.code === refusedBy)).toBe(true);
      expect(errors.some((d) => about(d, unit.subject))).toBe(true);
      score.negative.pass++;
      return;
    }
    if (KNOWN_STALE.has(id)) {
      // Listed with what the newest schema says: it must lint clean, or this list is stale.
      expect(diagnostics).toEqual([]);
      score.known.push(`${id} (${KNOWN_STALE.get(id)})`);
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
    // Refused for what the file tests, not for something beside it.
    expect(diagnostics.filter((d) => about(d, unit.subject)).map((d) => d.message)).not.toEqual([]);
    score.negative.pass++;
  });
});
