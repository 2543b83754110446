/**
 * Tag rules, in the job's shell (components/_shared/tags.sh.hbs, under bash, dash and busybox)
 * and in TypeScript (src/builders/tag-rules.ts): one table of cases, both run it; then generated
 * pipelines and rules, where the two must agree line for line — the tags, the notes, the errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import tagsPartial from '../../components/_shared/tags.sh.hbs';
import { TAG_RULE } from '../../src/builders/tag.js';
import { PIPELINE_VARIABLES, resolveTags, type PipelineVariables } from '../../src/builders/tag-rules.js';
import { SHELLS, runShell } from '../helpers/shells.js';

interface Case {
  name: string;
  vars: PipelineVariables;
  tags?: string[];
  rules: string[];
  /** The job's output: notes, then `OK <tags>` or the error line. */
  expected: string[];
}

const BRANCH = {
  CI_COMMIT_BRANCH: 'main',
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_REF_SLUG: 'main',
  CI_COMMIT_SHORT_SHA: '0123abcd',
  CI_PIPELINE_SOURCE: 'push',
};
const FEATURE = { ...BRANCH, CI_COMMIT_BRANCH: 'feature/login', CI_COMMIT_REF_SLUG: 'feature-login' };
const TAG = (tag: string, slug: string) => ({
  CI_COMMIT_TAG: tag,
  CI_COMMIT_REF_SLUG: slug,
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_SHORT_SHA: '0123abcd',
  CI_PIPELINE_SOURCE: 'push',
});
const MR = {
  CI_COMMIT_REF_SLUG: 'feature-login',
  CI_DEFAULT_BRANCH: 'main',
  CI_COMMIT_SHORT_SHA: '0123abcd',
  CI_MERGE_REQUEST_IID: '42',
  CI_PIPELINE_SOURCE: 'merge_request_event',
};
const FORK_MR = { ...MR, CI_COMMIT_REF_SLUG: 'main', CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99', CI_PROJECT_ID: '12' };
const SCHEDULE = { ...BRANCH, CI_PIPELINE_SOURCE: 'schedule', CI_PIPELINE_CREATED_AT: '2026-11-28T03:04:05Z' };
const RELEASE_RULES = ['ref', 'sha', 'semver:{{version}}', 'semver:{{major}}.{{minor}}', 'semver:{{major}}', 'latest', 'edge', 'mr'];

const CASES: Case[] = [
  { name: 'default branch', vars: BRANCH, tags: [], rules: RELEASE_RULES, expected: ['OK main 0123abcd edge'] },
  { name: 'feature branch', vars: FEATURE, tags: [], rules: RELEASE_RULES, expected: ['OK feature-login 0123abcd'] },
  {
    name: 'merge request from the project',
    vars: { ...MR, CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '12', CI_PROJECT_ID: '12' },
    tags: [],
    rules: RELEASE_RULES,
    expected: ['OK feature-login 0123abcd mr-42'],
  },
  // Whatever else the pipeline holds (a generated case found the shell giving the tag here).
  {
    name: 'merge request variables of another project beside a tag',
    vars: { ...TAG('v1.2.3', 'v1-2-3'), CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99', CI_PROJECT_ID: '12' },
    tags: [],
    rules: ['ref', 'sha'],
    expected: ['OK 0123abcd'],
  },
  // Its branch is the fork's: a branch named main would replace main's image.
  {
    name: 'merge request from a fork, its branch named main',
    vars: FORK_MR,
    tags: [],
    rules: RELEASE_RULES,
    expected: ['OK 0123abcd mr-42'],
  },
  {
    name: 'version tag v1.2.3',
    vars: TAG('v1.2.3', 'v1-2-3'),
    tags: [],
    rules: RELEASE_RULES,
    expected: ['OK v1.2.3 0123abcd 1.2.3 1.2 1 latest'],
  },
  {
    name: 'plain version tag 2.0.0',
    vars: TAG('2.0.0', '2-0-0'),
    tags: [],
    rules: ['semver:{{version}}', 'latest'],
    expected: ['OK 2.0.0 latest'],
  },
  {
    name: 'pre-release tag',
    vars: TAG('v1.3.0-rc.1', 'v1-3-0-rc-1'),
    tags: [],
    rules: RELEASE_RULES,
    expected: ['OK v1.3.0-rc.1 0123abcd 1.3.0-rc.1'],
  },
  {
    name: 'build metadata becomes -',
    vars: TAG('v1.2.3+build.5', 'v1-2-3-build-5'),
    tags: [],
    rules: ['semver:{{version}}'],
    expected: ['OK 1.2.3-build.5'],
  },
  {
    name: 'a tag that is not a version',
    vars: TAG('release-2026', 'release-2026'),
    tags: [],
    rules: RELEASE_RULES,
    expected: ['OK release-2026 0123abcd'],
  },
  {
    name: 'leading zero is no version',
    vars: TAG('v01.2.3', 'v01-2-3'),
    tags: [],
    rules: ['semver:{{version}}', 'sha'],
    expected: ['OK 0123abcd'],
  },
  {
    name: 'a git tag no image tag can hold: its slug',
    vars: TAG('team/v1', 'team-v1'),
    tags: [],
    rules: ['ref'],
    expected: ['OK team-v1'],
  },
  { name: 'merge request', vars: MR, tags: [], rules: RELEASE_RULES, expected: ['OK feature-login 0123abcd mr-42'] },
  { name: 'latest on the default branch without semver rules', vars: BRANCH, tags: [], rules: ['latest'], expected: ['OK latest'] },
  {
    name: 'latest waits for a version tag when semver rules exist',
    vars: BRANCH,
    tags: ['x'],
    rules: ['latest', 'semver:{{version}}'],
    expected: ['OK x'],
  },
  {
    name: 'schedule',
    vars: SCHEDULE,
    tags: [],
    rules: ['schedule', 'schedule:nightly-{{year}}{{month}}{{day}}', 'schedule:{{sha}}-{{hour}}{{minute}}'],
    expected: ['OK nightly nightly-20261128 0123abcd-0304'],
  },
  { name: 'schedule rules outside scheduled pipelines', vars: BRANCH, tags: ['x'], rules: ['schedule'], expected: ['OK x'] },
  {
    name: 'schedule without a creation time: only patterns without a date',
    vars: { ...SCHEDULE, CI_PIPELINE_CREATED_AT: '' },
    tags: [],
    rules: ['schedule:n-{{day}}', 'schedule:n-{{sha}}'],
    expected: ['OK n-0123abcd'],
  },
  {
    name: 'explicit tags first, repeats dropped',
    vars: BRANCH,
    tags: ['latest', 'stable'],
    rules: ['latest', 'sha', 'raw:stable'],
    expected: ['OK latest stable 0123abcd'],
  },
  {
    name: 'an explicit tag that expands to nothing is left out',
    vars: BRANCH,
    tags: ['0123abcd', '', 'x'],
    rules: [],
    expected: ['cigen: input tags: item 2 expands to nothing here: left out', 'OK 0123abcd x'],
  },
  { name: 'an empty rule item is left out', vars: BRANCH, tags: [], rules: ['', 'sha'], expected: ['OK 0123abcd'] },
  { name: 'raw with nothing gives nothing', vars: BRANCH, tags: ['x'], rules: ['raw:', 'raw'], expected: ['OK x'] },
  {
    name: 'nothing to push',
    vars: FEATURE,
    tags: [],
    rules: ['semver:{{version}}', 'mr'],
    expected: ['cigen: error: no tag to push: input tags gives none and no tag-rules rule applies to this pipeline (ref feature-login)'],
  },
  {
    name: 'unknown rule',
    vars: BRANCH,
    tags: [],
    rules: ['sha', 'branch'],
    expected: [
      "cigen: error: input tag-rules: 'branch' is not a rule (ref, sha, semver:PATTERN, latest, edge, mr, schedule[:PATTERN], raw:VALUE)",
    ],
  },
  {
    name: 'a pattern on a rule without one',
    vars: BRANCH,
    tags: [],
    rules: ['ref:x'],
    expected: ["cigen: error: input tag-rules: 'ref:x': ref takes no pattern"],
  },
  {
    name: 'semver without a pattern',
    vars: BRANCH,
    tags: [],
    rules: ['semver:'],
    expected: ["cigen: error: input tag-rules: 'semver:': semver needs a pattern"],
  },
  {
    name: 'schedule with an empty pattern',
    vars: BRANCH,
    tags: [],
    rules: ['schedule:'],
    expected: ["cigen: error: input tag-rules: 'schedule:': schedule needs a pattern after the colon"],
  },
  {
    name: 'unknown placeholder, even where the rule would not apply',
    vars: FEATURE,
    tags: [],
    rules: ['semver:{{build}}'],
    expected: [
      "cigen: error: input tag-rules: 'semver:{{build}}': {{build}} is not a placeholder here ({{version}} {{major}} {{minor}} {{patch}})",
    ],
  },
  {
    name: 'a rule giving an invalid tag',
    vars: BRANCH,
    tags: [],
    rules: ['raw:a b'],
    expected: ["cigen: error: input tag-rules: 'raw:a b' gives 'a b', which is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*)"],
  },
  {
    name: 'an explicit invalid tag',
    vars: BRANCH,
    tags: ['-x'],
    rules: [],
    expected: ["cigen: error: input tags: '-x' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*)"],
  },
  {
    name: 'too long',
    vars: BRANCH,
    tags: [],
    rules: [`raw:${'x'.repeat(129)}`],
    expected: [`cigen: error: input tag-rules: 'raw:${'x'.repeat(129)}' gives '${'x'.repeat(129)}', which is longer than 128 characters`],
  },
];

/** The TypeScript side, printed as the job prints. */
function model(c: Pick<Case, 'vars' | 'tags' | 'rules'>): string[] {
  const result = resolveTags(c.tags ?? [], c.rules, c.vars);
  const notes = result.empty.map((n) => `cigen: input tags: item ${n} expands to nothing here: left out`);
  return [...notes, result.error ? `cigen: error: ${result.error}` : `OK ${result.tags.join(' ')}`];
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const words = (list: readonly string[]) => list.map(quote).join(' ');
const PARTIAL = tagsPartial({ tagRule: TAG_RULE });

/** The shell side: every case in a subshell of one script, outputs separated by \036. */
function shellRun(shell: (typeof SHELLS)[number], cases: readonly Pick<Case, 'vars' | 'tags' | 'rules'>[]): string[][] {
  // The partial once, as a function: a script holding it once per case would be too long an argument.
  const script = `cigen_tags_section() {\n${PARTIAL}\n}\n${cases
    .map((c) => {
      const assignments = PIPELINE_VARIABLES.map((name) => {
        const value = c.vars[name];
        return value === undefined ? `unset ${name}` : `export ${name}=${quote(value)}`;
      });
      const inputs = [`cigen_tags=${quote(words(c.tags ?? []))}`, `cigen_tag_rules=${quote(words(c.rules))}`];
      const body = [
        ...assignments,
        'cigen_image=registry.example.com/app',
        ...inputs,
        'cigen_tags_section',
        `printf 'OK %s\\n' "$cigen_tag_list"`,
      ];
      return `(\n${body.join('\n')}\n) 2>&1 || true\nprintf '\\036'`;
    })
    .join('\n')}`;
  const result = runShell(shell, script);
  expect(result.stderr).toBe('');
  return result.stdout
    .split('\x1e')
    .slice(0, -1)
    .map((out) => out.split('\n').filter(Boolean));
}

describe('the table', () => {
  it.each(CASES)('TypeScript: $name', (c) => {
    expect(model(c)).toEqual(c.expected);
  });

  it.each(SHELLS)('$name: every case', (shell) => {
    expect(shellRun(shell, CASES)).toEqual(CASES.map((c) => c.expected));
  });
});

// Generated pipelines: the variables the rules read, with versions near and far from SemVer.
const versionish = fc
  .array(fc.constantFrom('v', '0', '1', '2', '9', '.', '.', '-', '+', 'rc', 'a', 'Z', '00', '/'), { maxLength: 9 })
  .map((p) => p.join(''));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const pipeline = fc
  .record(
    {
      CI_COMMIT_TAG: optional(fc.oneof(versionish, fc.constantFrom('v1.2.3', '1.2.3-rc.1', 'v0.0.1+b.2', 'v1.2.3-0a.01'))),
      CI_COMMIT_REF_SLUG: fc.constantFrom('main', 'feature-x', 'v1-2-3', ''),
      CI_COMMIT_BRANCH: optional(fc.constantFrom('main', 'feature/x')),
      CI_DEFAULT_BRANCH: optional(fc.constantFrom('main', 'master')),
      CI_COMMIT_SHORT_SHA: fc.constantFrom('0123abcd', ''),
      CI_MERGE_REQUEST_IID: optional(fc.constantFrom('7', '1234')),
      CI_MERGE_REQUEST_SOURCE_PROJECT_ID: optional(fc.constantFrom('12', '99', '')),
      CI_PROJECT_ID: optional(fc.constantFrom('12', '99')),
      CI_PIPELINE_SOURCE: fc.constantFrom('push', 'schedule', 'merge_request_event', 'web'),
      CI_PIPELINE_CREATED_AT: optional(fc.constantFrom('2026-01-02T03:04:05Z', '2026-01-02', 'soon')),
    },
    { requiredKeys: [] },
  )
  // An unset variable is absent, not present as undefined (exactOptionalPropertyTypes).
  .map((vars): PipelineVariables => Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== undefined)));
const fragment = fc.constantFrom(
  '{{version}}',
  '{{major}}',
  '{{minor}}',
  '{{patch}}',
  '{{year}}',
  '{{day}}',
  '{{sha}}',
  '{{',
  '}}',
  '{',
  '}',
  '.',
  '-',
  'x',
  ' ',
  '{{x}}',
);
const pattern = fc.array(fragment, { maxLength: 4 }).map((p) => p.join(''));
const rule = fc.oneof(
  fc.constantFrom('ref', 'sha', 'latest', 'edge', 'mr', 'schedule', '', 'branch', 'ref:', 'semver', 'raw'),
  pattern.map((p) => `semver:${p}`),
  pattern.map((p) => `schedule:${p}`),
  fc.array(fc.constantFrom('a', 'B', '1', '.', '-', '_', ' ', ':'), { maxLength: 6 }).map((p) => `raw:${p.join('')}`),
);
const explicit = fc.array(fc.constantFrom('', 'v1', 'latest', 'a b', '0123abcd', 'x'.repeat(129)), { maxLength: 3 });
const cases = fc.array(fc.record({ vars: pipeline, tags: explicit, rules: fc.array(rule, { maxLength: 5 }) }), {
  minLength: 40,
  maxLength: 40,
});

describe.each(SHELLS)('generated pipelines under $name', (shell) => {
  it('the shell and TypeScript give the same tags, notes and errors', () => {
    fc.assert(
      fc.property(cases, (batch) => {
        expect(shellRun(shell, batch)).toEqual(batch.map(model));
      }),
      { numRuns: 10 },
    );
  });
});
