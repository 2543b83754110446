/**
 * Where `cigen lint`'s verdict differed from GitLab's entries (lib/gitlab/ci/config/entry) and
 * YamlProcessor (a second review against GitLab's code), each case reproduced here before it was
 * fixed: ci.json refusing what GitLab accepts, and rules GitLab enforces that ci.json does not express.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { Alias, type Document } from 'yaml';
import { parseFile } from '../../src/ci/check.js';
import { holdsWholeFloats } from '../../src/ci/yaml.js';
import { durationSeconds, ENTRY_ALLOWED_KEYS } from '../../src/lint/entries.js';
import { lintText, type LintOptions } from '../../src/lint/lint-text.js';
import { catalogHost } from '../helpers/lint-host.js';

const lint = (text: string, files: Record<string, string> = {}, options: Partial<LintOptions> = {}): Promise<Diagnostic[]> =>
  lintText(text, { file: '.gitlab-ci.yml', host: catalogHost((path) => files[path]), ...options });
const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
const briefs = async (...args: Parameters<typeof lint>) => (await lint(...args)).map(brief);

describe('stages: GitLab flattens the list (Entry::Stages: nested arrays of strings, 10 levels, no uniqueness)', () => {
  it('a !reference in stages: is resolved and flattened, here and from an included file', async () => {
    const text =
      '.common:\n  stages: [build, test]\nstages:\n  - !reference [.common, stages]\n  - deploy\njob:\n  stage: test\n  script: echo\n';
    expect(await briefs(text)).toEqual([]);
    const root =
      'include:\n  - local: common.yml\nstages:\n  - !reference [.common, stages]\n  - deploy\njob:\n  stage: test\n  script: echo\n';
    expect(await briefs(root, { 'common.yml': '.common:\n  stages: [build, test]\n' })).toEqual([]);
  });

  it('nested lists are flattened; a stage missing from the flat list is still reported, with the flat list', async () => {
    expect(await briefs('stages:\n  - [build, test]\n  - [[lint]]\n  - deploy\njob:\n  stage: lint\n  script: echo\n')).toEqual([]);
    expect(await briefs('stages:\n  - [build, test]\n  - deploy\njob:\n  stage: qa\n  script: echo\n')).toEqual([
      '.gitlab-ci.yml:5:10 error semantic/undefined-stage job job: chosen stage qa does not exist; available stages are .pre, build, test, deploy, .post',
    ]);
  });

  it('a stage named twice is no finding (ci.json has uniqueItems, GitLab does not)', async () => {
    expect(await briefs('stages: [build, build, test]\njob:\n  stage: test\n  script: echo\n')).toEqual([]);
  });

  it('nesting deeper than 10 levels, or something other than a string, is still refused', async () => {
    const deep = `stages:\n  - ${'['.repeat(10)}build${']'.repeat(10)}\njob:\n  stage: build\n  script: echo\n`;
    expect(await briefs(deep)).toEqual([
      '.gitlab-ci.yml:2:3 error semantic/nesting stages config should be an array of strings or a nested array of strings up to 10 levels deep',
    ]);
    expect((await lint('stages: [build, {a: 1}]\njob:\n  stage: build\n  script: echo\n')).map((d) => d.code)).toEqual(['schema/type']);
  });

  it('!reference in needs: is resolved before needs are checked', async () => {
    const text = '.a:\n  needs: [b]\nb:\n  script: x\nc:\n  script: x\n  needs: !reference [.a, needs]\n';
    expect(await briefs(text)).toEqual([]);
  });
});

describe('needs:pipeline, the documented upstream-status job (a Bridge: GitLab matches a job with trigger: or needs:)', () => {
  it('`needs: pipeline: other/project` is clean', async () => {
    expect(await briefs('upstream_status:\n  stage: test\n  needs:\n    pipeline: other/project\n')).toEqual([]);
  });

  it('the same need in a list is clean (Entry::Needs reads [@config].flatten), beside a job need too', async () => {
    expect(await briefs('upstream_status:\n  stage: test\n  needs:\n    - pipeline: other/project\n')).toEqual([]);
    const text =
      'stages: [build, test]\nbuild:\n  stage: build\n  script: x\nstatus:\n  stage: test\n  needs:\n    - build\n    - pipeline: other/project\n';
    expect(await briefs(text)).toEqual([]);
    // The other items keep their places: a finding in one is named and shown where it is written.
    expect(await briefs('a:\n  script: x\nb:\n  needs:\n    - pipeline: other/project\n    - job: a\n      artifact: true\n')).toEqual([
      '.gitlab-ci.yml:7:7 error schema/unknown-key jobs:b:needs:1 config contains unknown keys: artifact (did you mean artifacts?)',
    ]);
  });

  it('what EE Need::BridgeHash refuses, in its words, in a list or a hash: never asking for job, project or ref', async () => {
    const text =
      'a:\n  needs:\n    - pipeline: other/project\n      artifacts: true\nb:\n  needs:\n    pipeline: other/project\n    artifacts: true\n' +
      'c:\n  needs: [{pipeline: 12}]\nd:\n  needs: [{ref: main}]\ne:\n  needs: [{pipeline: " "}]\nf:\n  needs: [{}]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:7 error semantic/unknown-key jobs:a:needs:need config contains unknown keys: artifacts',
      '.gitlab-ci.yml:8:5 error semantic/unknown-key jobs:b:needs:need config contains unknown keys: artifacts',
      '.gitlab-ci.yml:10:22 error semantic/bridge-need jobs:c:needs:need pipeline should be a string',
      '.gitlab-ci.yml:12:11 error semantic/bridge-need jobs:d:needs:need pipeline should be a string',
      '.gitlab-ci.yml:12:12 error semantic/unknown-key jobs:d:needs:need config contains unknown keys: ref',
      ".gitlab-ci.yml:14:22 error semantic/bridge-need jobs:e:needs:need pipeline can't be blank",
      ".gitlab-ci.yml:16:11 error semantic/bridge-need jobs:f:needs:need config can't be blank",
    ]);
  });

  it('a job with a script takes no such need (Entry::Job: allowed_needs job, cross_dependency), in a hash or a list', async () => {
    const text = 'a:\n  script: x\n  needs:\n    pipeline: other/project\nb:\n  script: x\n  needs: [a, {pipeline: other/project}]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:5 error semantic/bridge-need jobs:a:needs config uses invalid types: bridge',
      '.gitlab-ci.yml:7:10 error semantic/bridge-need jobs:b:needs config uses invalid types: bridge',
    ]);
  });

  it('a need written as a hash is one need (Entry::Needs: [@config].flatten), in a job and in a rule, checked as in a list', async () => {
    const text =
      'stages: [build, test]\na:\n  stage: build\n  script: x\nb:\n  stage: test\n  script: x\n  needs: {job: a, artifacts: false}\n' +
      'c:\n  stage: test\n  script: x\n  rules:\n    - needs: {job: a}\n';
    expect(await briefs(text)).toEqual([]);
    // What is wrong in it is named where it is written: `needs`, not an index the file does not hold.
    expect(await briefs('a:\n  script: x\nb:\n  script: x\n  needs: {job: nope, artifact: true}\n')).toEqual([
      '.gitlab-ci.yml:5:10 error semantic/undefined-need b job: undefined need: nope',
      '.gitlab-ci.yml:5:22 error schema/unknown-key jobs:b:needs config contains unknown keys: artifact (did you mean artifacts?)',
    ]);
  });

  it('needs in nested lists (an alias, a !reference of hashes) are read flat, each named and shown where it is written', async () => {
    const text =
      'stages: [build, test]\n.base:\n  needs: [{job: a, artifacts: false}]\na:\n  stage: build\n  script: x\n' +
      'b:\n  stage: test\n  script: x\n  needs: [!reference [.base, needs], [nope], [{job: a, artifacts: 3}]]\n' +
      'c:\n  stage: test\n  script: x\n  needs: [!reference [.elsewhere, needs]]\n';
    expect(await briefs(text, {}, { pipeline: true })).toEqual([
      // The need of `a` from the tag and the one in the last list are one need twice, as GitLab reads them.
      '.gitlab-ci.yml:10:10 error semantic/needs-duplicated b has the following needs duplicated: a.',
      '.gitlab-ci.yml:10:39 error semantic/undefined-need b job: undefined need: nope',
      '.gitlab-ci.yml:10:67 error schema/type jobs:b:needs:2:0:artifacts config should be a boolean',
      '.gitlab-ci.yml:14:22 error semantic/reference !reference [".elsewhere", "needs"] could not be found',
    ]);
  });

  it("a trigger job takes no need of another pipeline's job (Entry::Bridge: allowed_needs job, bridge), in its words", async () => {
    const text =
      'a:\n  needs: [{pipeline: other/project, job: build}]\n  trigger: {project: g/p}\nb:\n  needs: {job: x, project: g/p, ref: main}\n  trigger: {project: g/p}\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:10 error semantic/bridge-need jobs:a:needs config uses invalid types: cross_dependency',
      '.gitlab-ci.yml:5:10 error semantic/bridge-need jobs:b:needs config uses invalid types: cross_dependency',
    ]);
    // A job with a script takes them, and names each type it does not take once, in the order written.
    const mixed = 'c:\n  script: x\n  needs: [{pipeline: other/project, job: build}, {pipeline: up/stream}, {pipeline: up/other}]\n';
    expect(await briefs(mixed)).toEqual(['.gitlab-ci.yml:3:10 error semantic/bridge-need jobs:c:needs config uses invalid types: bridge']);
  });

  it('a job with needs: but neither script, trigger nor needs:pipeline gets the Bridge message GitLab gives', async () => {
    expect(await briefs('a:\n  script: x\nb:\n  needs: [a]\n')).toEqual([
      '.gitlab-ci.yml:3:1 error semantic/no-script jobs:b config should contain either a trigger or a needs:pipeline',
    ]);
  });

  it('a job with neither needs nor script nor trigger keeps the Jobs message', async () => {
    expect(await briefs('a:\n  script: x\nb:\n  stage: test\n')).toEqual([
      '.gitlab-ci.yml:3:1 error semantic/no-script jobs b config should implement the script:, run:, or trigger: keyword',
    ]);
  });
});

describe('variables: a value: GitLab takes any scalar (ComplexVariable: scalar: true)', () => {
  it('an integer, a float or a boolean value: is clean, globally and in a job', async () => {
    const text =
      'variables:\n  B:\n    value: 1\n  G:\n    value: true\n    description: d\njob:\n  script: echo\n  variables:\n    H:\n      value: 2.5\n      expand: false\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a list or a hash as value: is still refused where it is written', async () => {
    expect(await briefs('variables:\n  B:\n    value: [1]\njob:\n  script: echo\n')).toEqual([
      '.gitlab-ci.yml:3:12 error schema/type variables:B:value config should be a string',
    ]);
  });
});

describe('!reference to a value that is false or null: GitLab cannot find it (Tags::Reference: `unless value`)', () => {
  it('false and an empty key are "could not be found", at the tag', async () => {
    const text =
      '.base:\n  allow_failure: false\n  after_script:\njob:\n  script: echo\n  allow_failure: !reference [.base, allow_failure]\n  after_script: !reference [.base, after_script]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:6:29 error semantic/reference !reference [".base", "allow_failure"] could not be found',
      '.gitlab-ci.yml:7:28 error semantic/reference !reference [".base", "after_script"] could not be found',
    ]);
  });

  it('0, an empty list or hash are values GitLab finds', async () => {
    const text =
      '.base:\n  retry: 0\n  variables: {}\n  before_script: []\njob:\n  script: echo\n' +
      '  retry: !reference [.base, retry]\n  variables: !reference [.base, variables]\n  before_script: !reference [.base, before_script]\n';
    expect(await briefs(text)).toEqual([]);
  });
});

describe('parallel:matrix as GitLab checks it (Product::Variables, Product::Matrix)', () => {
  it('a float or a boolean value is refused, at the value (PYTHON: [3.10, 3.11] reads as floats)', async () => {
    const text =
      'job:\n  script: echo\n  parallel:\n    matrix:\n      - PYTHON: [3.10, "3.12"]\n        DEBUG: [true]\n        RATIO: 0.5\n      - OK: [1, a]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:18 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
      '.gitlab-ci.yml:6:17 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
      '.gitlab-ci.yml:7:16 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
    ]);
  });

  it('a value that is not present? (an empty list, an empty or blank string) is refused, at the value; an empty string in a list is not', async () => {
    const text = 'job:\n  script: echo\n  parallel:\n    matrix:\n      - ARCH: []\n        OS: ""\n        TZ: "  "\n      - OK: [""]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:15 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
      '.gitlab-ci.yml:6:13 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
      '.gitlab-ci.yml:7:13 error semantic/matrix jobs:job:parallel:matrix:0 config should be a hash of key value pairs, value can be an array',
    ]);
  });

  it('more than 200 jobs over all entries is refused; 200 is not', async () => {
    const ten = (p: string) => `[${Array.from({ length: 10 }, (_, i) => `${p}${i}`).join(', ')}]`;
    const entry = `      - A: ${ten('a')}\n        B: ${ten('b')}\n`;
    const job = (extra: string) => `job:\n  script: echo\n  parallel:\n    matrix:\n${entry}${entry}${extra}`;
    expect(await briefs(job(''))).toEqual([]);
    expect(await briefs(job('      - C: x\n'))).toEqual([
      '.gitlab-ci.yml:5:7 error semantic/matrix jobs:job:parallel:matrix config generates too many jobs (maximum is 200)',
    ]);
  });
});

describe('includes: GitLab counts every included file, repeats too, against ci_max_includes (150); no depth limit', () => {
  const chain = (n: number): Record<string, string> =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `c${i}.yml`,
        `${i + 1 < n ? `include: [{local: c${i + 1}.yml}]\n` : ''}.t${i}: {script: echo}\n`,
      ]),
    );

  it('a chain of 101 nested includes is clean', async () => {
    expect(await briefs('include: [{local: c0.yml}]\njob: {script: echo}\n', chain(101))).toEqual([]);
  });

  it('150 included files are clean; the 151st is refused where it is included', async () => {
    const files = Object.fromEntries(Array.from({ length: 151 }, (_, i) => [`f${i}.yml`, `.t${i}: {script: echo}\n`]));
    const root = (n: number) => `include:\n${Array.from({ length: n }, (_, i) => `  - local: f${i}.yml\n`).join('')}job: {script: echo}\n`;
    expect(await briefs(root(150), files)).toEqual([]);
    expect(await briefs(root(151), files)).toEqual([
      '.gitlab-ci.yml:152:5 error include/max-includes Maximum of 150 nested includes are allowed!',
    ]);
  });

  it('a file that includes itself, and two that include each other, are refused (GitLab follows them until the limit)', async () => {
    expect(
      await briefs('include:\n  - local: .gitlab-ci.yml\njob:\n  script: echo\n', {
        '.gitlab-ci.yml': 'include:\n  - local: .gitlab-ci.yml\njob:\n  script: echo\n',
      }),
    ).toEqual(['.gitlab-ci.yml:2:5 error include/max-includes Maximum of 150 nested includes are allowed!']);
    const mutual = {
      'a.yml': 'include: [{local: b.yml}]\n.a: {script: echo}\n',
      'b.yml': 'include: [{local: a.yml}]\n.b: {script: echo}\n',
    };
    expect((await lint('include: [{local: a.yml}]\njob: {script: echo}\n', mutual)).map((d) => `${d.severity} ${d.code}`)).toEqual([
      'error include/max-includes',
    ]);
  });

  it('over the limit only through includes with rules: a warning (GitLab counts only the files their rules include)', async () => {
    const text = 'include:\n  - local: a.yml\n    rules: [{if: $X}]\njob: {script: echo}\n';
    const files = { 'a.yml': 'include: [{local: a.yml}]\n.a: {script: echo}\n' };
    expect((await lint(text, files)).map((d) => `${d.severity} ${d.code}`)).toEqual(['warning include/max-includes']);
  });
});

describe('start_in and publish as Entry::Job, Processable and Rules::Rule check them', () => {
  it('start_in without when: delayed, and over a week with it, are refused', async () => {
    const text =
      'job:\n  script: echo\n  start_in: 1 minute\njob2:\n  script: echo\n  when: delayed\n  start_in: 3 weeks\njob3:\n  script: echo\n  when: delayed\n  start_in: 1 week\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:13 error semantic/start-in jobs:job start in must be blank',
      '.gitlab-ci.yml:7:13 error semantic/start-in jobs:job2 start in should not exceed the limit',
    ]);
  });

  it('artifacts:access beside artifacts:public: MutuallyExclusiveKeysValidator, in its words and the order written', async () => {
    const text =
      'k:\n  script: x\n  artifacts: {paths: [a], public: true, access: all}\nj:\n  script: x\n  artifacts:\n    access: none\n    public: false\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:41 error semantic/keys-together jobs:k:artifacts config these keys cannot be used together: public, access',
      '.gitlab-ci.yml:8:5 error semantic/keys-together jobs:j:artifacts config these keys cannot be used together: access, public',
    ]);
    expect(await briefs('k:\n  script: x\n  artifacts: {paths: [a], access: developer}\n')).toEqual([]);
  });

  it('needs of a parallel job are its jobs, as Normalizer#expand_needs makes them, before duplicates and names are checked', async () => {
    const build = 'stages: [build, test]\nbuild:\n  stage: build\n  script: x\n  parallel: {matrix: [{OS: [linux, mac]}]}\n';
    const need = (os: string) => `    - {job: build, parallel: {matrix: [{OS: ${os}}]}}\n`;
    // Two values of one matrix job: two needs, not one named twice.
    expect(await briefs(`${build}test:\n  stage: test\n  script: x\n  needs:\n${need('linux')}${need('mac')}`)).toEqual([]);
    // A value the matrix does not make is a job that is not there; the whole job and one of its values overlap.
    expect(await briefs(`${build}test:\n  stage: test\n  script: x\n  needs:\n${need('windows')}    - build\n${need('mac')}`)).toEqual([
      '.gitlab-ci.yml:10:5 error semantic/needs-duplicated test has the following needs duplicated: build: [mac].',
      '.gitlab-ci.yml:10:7 error semantic/undefined-need test job: undefined need: build: [windows]',
    ]);
  });

  it("a variable's key it does not take is an invalid data key (ComplexVariable), not an unknown one", async () => {
    const text = 'variables:\n  G:\n    valu: a\nj:\n  script: x\n  variables:\n    V:\n      value: a\n      description: hi\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:5 error schema/unknown-key variables:G config uses invalid data keys: valu (did you mean value?)',
      '.gitlab-ci.yml:9:7 error schema/unknown-key jobs:j:variables:V config uses invalid data keys: description',
    ]);
  });

  it('a blank rule and an unknown deployment tier are refused in GitLab words (ci.json takes both)', async () => {
    const text =
      'workflow:\n  rules:\n    - {}\nj:\n  script: x\n  rules:\n    - if: $A\n    - {}\n  environment:\n    name: prod\n    deployment_tier: prod\n';
    expect(await briefs(text)).toEqual([
      ".gitlab-ci.yml:3:7 error semantic/blank-rule workflow:rules:rule config can't be blank",
      ".gitlab-ci.yml:8:7 error semantic/blank-rule jobs:j:rules:rule config can't be blank",
      '.gitlab-ci.yml:11:22 error semantic/environment-tier jobs:j:environment deployment tier must be one of production, staging, testing, development, other',
    ]);
    expect(await briefs('j:\n  script: x\n  environment: {name: prod, deployment_tier: production}\n')).toEqual([]);
  });

  it('retry:when takes every failure reason a build can have (FullRetry), not only those ci.json lists', async () => {
    expect(
      await briefs(
        'j:\n  script: x\n  retry:\n    max: 2\n    when: missing_dependency_failure\nk:\n  script: x\n  retry: {when: [script_failure, job_token_expired]}\n',
      ),
    ).toEqual([]);
    expect((await lint('j:\n  script: x\n  retry: {when: [no_such_failure]}\n')).map((d) => d.code)).toEqual(['schema/enum']);
  });

  it('a delayed job without start_in: its DurationValidator, in its words (ci.json would call `when` not allowed)', async () => {
    expect(await briefs('j:\n  script: x\n  when: delayed\nk:\n  script: x\n  when: delayed\n  start_in: null\n')).toEqual([
      '.gitlab-ci.yml:3:9 error semantic/start-in jobs:j start in should be a duration',
      '.gitlab-ci.yml:6:9 error semantic/start-in jobs:k start in should be a duration',
    ]);
  });

  it('a job-level start_in beside rules: is refused as only/except are', async () => {
    expect(await briefs('job:\n  script: echo\n  rules:\n    - when: delayed\n      start_in: 1 minute\n  start_in: 1 minute\n')).toEqual([
      '.gitlab-ci.yml:6:3 error semantic/rules-with-only-except jobs:job config key may not be used with `rules`: start_in',
    ]);
  });

  it('a rule: when: delayed needs a start_in of at most a week, and only a delayed rule may have one', async () => {
    const text =
      'job:\n  script: echo\n  rules:\n    - if: $A\n      when: delayed\n    - if: $B\n      start_in: 1 minute\n' +
      '    - if: $C\n      when: delayed\n      start_in: 2 weeks\n    - if: $D\n      when: delayed\n      start_in: 30 minutes\n';
    expect(await briefs(text)).toEqual([
      ".gitlab-ci.yml:5:13 error semantic/start-in jobs:job:rules:rule start in can't be blank",
      '.gitlab-ci.yml:7:17 error semantic/start-in jobs:job:rules:rule config contains disallowed keys: start_in',
      '.gitlab-ci.yml:10:17 error semantic/start-in jobs:job:rules:rule start in should not exceed the limit',
    ]);
  });

  it('durations are read as ChronicDuration reads them; what it reads and cigen does not is not judged', () => {
    const texts = ['1 week', '2h 30m', '1 day and 3 hours', '1.5 days', '1 month', '10', '1 fortnight', 'in 1 hour', 'soon'];
    expect(texts.map(durationSeconds)).toEqual([604_800, 9000, 97_200, 129_600, 2_592_000, 10, undefined, undefined, undefined]);
  });

  it('publish: outside a pages job is refused; in a job named pages, or one with pages:, it is not', async () => {
    const text =
      'job:\n  script: echo\n  publish: public\npages:\n  script: echo\n  publish: public\nsite:\n  script: echo\n  pages: true\n  publish: public\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:12 error semantic/publish jobs:job publish can only be used within a `pages` job',
    ]);
  });
});

describe('caches as GitLab checks them (Entry::Caches, KeyValidator)', () => {
  it('more than 4 caches are refused, in a job and in default:', async () => {
    const five = `  cache:\n${['a', 'b', 'c', 'd', 'e'].map((k) => `    - {key: ${k}, paths: [x]}\n`).join('')}`;
    expect(await briefs(`default:\n${five}job:\n  script: echo\n${five}`)).toEqual([
      '.gitlab-ci.yml:3:5 error semantic/cache default:cache config no more than 4 caches can be created',
      '.gitlab-ci.yml:11:5 error semantic/cache jobs:job:cache config no more than 4 caches can be created',
    ]);
  });

  it('policy: what Entry::Cache takes is clean: a blank one (allow_blank) and any text its unanchored ALLOWED_POLICY matches', async () => {
    const text =
      'cache:\n  policy: ""\ndefault:\n  cache:\n    policy: ${CACHE_POLICY}\njob:\n  script: x\n  cache:\n    - key: a\n      policy: $P\n' +
      '    - key: b\n      policy:\n    - key: c\n      policy: "  "\nother:\n  script: x\n  cache: {key: d, policy: pull}\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('policy: what ALLOWED_POLICY does not match, or not a string, is still refused where it is written', async () => {
    const text =
      'job:\n  script: x\n  cache:\n    - key: a\n      policy: never\n    - key: b\n      policy: true\nother:\n  script: x\n  cache: {policy: PULL}\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:15 error schema/pattern jobs:job:cache:0:policy must match pattern "pull-push|pull|push|\\$\\w{1,255}"',
      '.gitlab-ci.yml:7:15 error schema/type jobs:job:cache:1:policy config should be a string',
      '.gitlab-ci.yml:10:19 error schema/pattern jobs:other:cache:policy must match pattern "pull-push|pull|push|\\$\\w{1,255}"',
    ]);
  });

  it('a key that reads as "/", "." or ".." once unescaped is refused (GitLab unescapes it: CGI.unescape)', async () => {
    const text =
      'job:\n  script: echo\n  cache:\n    - key: "a%2Fb"\n      paths: [x]\n    - key: "%2e%2E"\n      paths: [x]\n    - key: "a%20b"\n      paths: [x]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:12 error semantic/cache jobs:job:cache:0:key config cannot contain the "/" character',
      '.gitlab-ci.yml:6:12 error semantic/cache jobs:job:cache:1:key config cannot be "." or ".."',
    ]);
  });

  it('a key written as a path, "." or ".." is refused in the same words; "" and "..." are keys (ci.json refuses them)', async () => {
    const text =
      'job:\n  script: echo\n  cache: [{key: "${CI_JOB_NAME}/x", paths: [a]}, {key: "..", paths: [b]}, {key: "", paths: [c]}, {key: "...", paths: [d]}]\n' +
      'default:\n  cache:\n    key: .\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:17 error semantic/cache jobs:job:cache:0:key config cannot contain the "/" character',
      '.gitlab-ci.yml:3:56 error semantic/cache jobs:job:cache:1:key config cannot be "." or ".."',
      '.gitlab-ci.yml:6:10 error semantic/cache default:cache:key config cannot be "." or ".."',
    ]);
  });

  it('key:files takes up to 10 files (GitLab raised it from 2; ci.json says the same)', async () => {
    const files = (n: number) =>
      `job:\n  script: echo\n  cache:\n    key:\n      files: [${Array.from({ length: n }, (_, i) => `f${i}`).join(', ')}]\n    paths: [x]\n`;
    expect(await briefs(files(10))).toEqual([]);
    expect((await lint(files(11))).map((d) => d.code)).toEqual(['schema/max-items']);
  });
});

describe('keys GitLab refuses where ci.json leaves the hash open (allowed_keys of Cache, ComplexKey, Workflow, Kubernetes, CoverageReport)', () => {
  it('an unknown key in cache:, cache:key:, workflow:, environment:kubernetes and a coverage_report, at the key, in GitLab words', async () => {
    const text =
      'workflow:\n  rules:\n    - when: always\n  nme: x\n' +
      'b:\n  script: x\n  cache:\n    key:\n      files: [a]\n      prefx: y\n    path: [node_modules]\n' +
      '  environment:\n    name: x\n    kubernetes:\n      namespace: x\n      agnt: y\n' +
      '  artifacts:\n    reports:\n      coverage_report: {coverage_format: cobertura, path: c.xml, pth: y}\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:3 error semantic/unknown-key workflow config contains unknown keys: nme (did you mean name?)',
      '.gitlab-ci.yml:10:7 error semantic/unknown-key jobs:b:cache:key config contains unknown keys: prefx (did you mean prefix?)',
      '.gitlab-ci.yml:11:5 error semantic/unknown-key jobs:b:cache config contains unknown keys: path (did you mean paths?)',
      '.gitlab-ci.yml:16:7 error semantic/unknown-key jobs:b:environment:kubernetes config contains unknown keys: agnt (did you mean agent?)',
      '.gitlab-ci.yml:19:66 error semantic/unknown-key jobs:b:artifacts:reports:coverage_report config contains unknown keys: pth (did you mean path?)',
    ]);
  });

  it('the global cache:, default:cache and a cache a job inherits through extends; every key named, a hint only when one is near', async () => {
    const text =
      'cache:\n  path: [a]\n  zzz: 1\ndefault:\n  cache: [{key: k, paths: [a]}, {key: l, polcy: pull}]\n' +
      '.base:\n  cache: {paths: [a], untracked: true, fallback: [x]}\nj:\n  extends: .base\n  script: x\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:3 error semantic/unknown-key cache config contains unknown keys: path (did you mean paths?), zzz',
      '.gitlab-ci.yml:5:42 error semantic/unknown-key default:cache:1 config contains unknown keys: polcy (did you mean policy?)',
      '.gitlab-ci.yml:7:40 error semantic/unknown-key jobs:j:cache config contains unknown keys: fallback (inherited from .base through extends)',
    ]);
  });

  it('cache:key as a hash takes exactly one of files and files_commits (ComplexKey: only_one_of_keys)', async () => {
    const cache = (key: string) => `j:\n  script: x\n  cache:\n    key: ${key}\n    paths: [a]\n`;
    const exactlyOne = 'must use exactly one of these keys: files, files_commits';
    expect(await briefs(cache('{prefix: x}'))).toEqual([`.gitlab-ci.yml:4:10 error semantic/cache jobs:j:cache:key config ${exactlyOne}`]);
    expect(await briefs(cache('{files: [a], files_commits: [b]}'))).toEqual([
      `.gitlab-ci.yml:4:10 error semantic/cache jobs:j:cache:key config ${exactlyOne}`,
    ]);
    expect(await briefs(cache('{}'))).toEqual([`.gitlab-ci.yml:4:10 error semantic/cache jobs:j:cache:key config ${exactlyOne}`]);
    expect(await briefs(cache('{files: [a], prefix: x}'))).toEqual([]);
    expect(await briefs(cache('{files_commits: [a], prefix: x}'))).toEqual([]);
  });

  it('the keys GitLab allows are clean, in every form', async () => {
    const text =
      'workflow:\n  name: n\n  auto_cancel: {on_new_commit: interruptible}\n  rules: [{when: always}]\n' +
      'cache: {key: k, untracked: true, paths: [a], when: always, policy: pull, unprotect: true, fallback_keys: [x]}\n' +
      'j:\n  script: x\n  environment:\n    name: review\n    kubernetes:\n      agent: g/p:a\n      namespace: n\n' +
      '  artifacts:\n    reports:\n      coverage_report: {coverage_format: cobertura, path: c.xml}\n';
    expect(await briefs(text)).toEqual([]);
  });

  it("each list is GitLab's, and names the keys ci.json lists there (which leaves the hash open)", () => {
    type Node = { properties?: Record<string, Node>; oneOf?: Node[]; additionalProperties?: unknown; definitions?: Record<string, Node> };
    const schema = JSON.parse(readFileSync(new URL('../../src/ci/schema/gitlab-ci.schema.json', import.meta.url), 'utf8')) as Node;
    const definitions = schema.definitions as Record<string, Node>;
    const environment = definitions['job_template']?.properties?.['environment']?.oneOf?.find((node) => node.properties);
    const open = {
      cache: definitions['cache_item'],
      cacheKey: definitions['cache_item']?.properties?.['key']?.oneOf?.find((node) => node.properties),
      workflow: schema.properties?.['workflow'],
      kubernetes: environment?.properties?.['kubernetes'],
      coverageReport: definitions['artifacts']?.properties?.['reports']?.properties?.['coverage_report'],
    };
    for (const [entry, node] of Object.entries(open)) {
      expect(node?.additionalProperties, entry).toBeUndefined();
      expect(Object.keys(node?.properties ?? {}).sort(), entry).toEqual([...ENTRY_ALLOWED_KEYS[entry as keyof typeof open]].sort());
    }
  });
});

describe('environment:kubernetes as Entry::Kubernetes checks it beyond its keys (ci.json leaves the hash open)', () => {
  const job = (name: string, kubernetes: string) =>
    `${name}:\n  script: echo\n  environment:\n    name: prod\n    kubernetes: ${kubernetes}\n`;

  it("blank, an agent for a dashboard, flux_resource_path or enabled managed_resources, a namespace for flux_resource_path: GitLab's words", async () => {
    const text =
      job('a', '{}') +
      job('b', '{dashboard: {namespace: ns}}') +
      job('c', '{managed_resources: {enabled: true}}') +
      job('d', '{flux_resource_path: x/y}') +
      job('e', '{agent: "", namespace: ns, flux_resource_path: x/y}');
    expect(await briefs(text)).toEqual([
      ".gitlab-ci.yml:5:17 error semantic/kubernetes jobs:a:environment:kubernetes config can't be blank",
      ".gitlab-ci.yml:10:17 error semantic/kubernetes jobs:b:environment:kubernetes agent can't be blank",
      ".gitlab-ci.yml:15:17 error semantic/kubernetes jobs:c:environment:kubernetes agent can't be blank",
      ".gitlab-ci.yml:20:17 error semantic/kubernetes jobs:d:environment:kubernetes namespace can't be blank",
      ".gitlab-ci.yml:20:17 error semantic/kubernetes jobs:d:environment:kubernetes agent can't be blank",
      ".gitlab-ci.yml:25:25 error semantic/kubernetes jobs:e:environment:kubernetes agent can't be blank",
    ]);
  });

  it("dashboard as its JSON schema takes it (JSONSchemer's words), and namespace or flux_resource_path beside the same key under it", async () => {
    const text =
      job('a', '{agent: g/p:a, dashboard: {flux_resource_path: x}}') +
      job('b', '{agent: g/p:a, dashboard: {namespace: ns, extra: 1}}') +
      job('c', `{agent: g/p:a, dashboard: {namespace: ${'n'.repeat(64)}, flux_resource_path: ""}}`) +
      job('d', '{agent: g/p:a, namespace: ns1, flux_resource_path: x/y, dashboard: {namespace: ns2, flux_resource_path: x/z}}');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:43 error semantic/kubernetes jobs:a:environment:kubernetes dashboard object at root is missing required properties: namespace',
      '.gitlab-ci.yml:10:59 error semantic/kubernetes jobs:b:environment:kubernetes dashboard object property at `/extra` is a disallowed additional property',
      '.gitlab-ci.yml:15:55 error semantic/kubernetes jobs:c:environment:kubernetes dashboard string length at `/namespace` is greater than: 63',
      '.gitlab-ci.yml:15:141 error semantic/kubernetes jobs:c:environment:kubernetes dashboard string length at `/flux_resource_path` is less than: 1',
      '.gitlab-ci.yml:20:32 error semantic/kubernetes jobs:d:environment:kubernetes namespace cannot be specified when dashboard.namespace is set',
      '.gitlab-ci.yml:20:48 error semantic/kubernetes jobs:d:environment:kubernetes flux resource path cannot be specified when dashboard.flux_resource_path is set',
    ]);
  });

  it("an empty namespace is clean (Entry::Kubernetes: any String; ci.json's minLength is the editor's), and blank beside flux_resource_path", async () => {
    expect(await briefs(job('a', '{namespace: ""}') + job('b', '{agent: g/p:a, namespace: ""}'))).toEqual([]);
    expect(await briefs(job('c', '{agent: g/p:a, namespace: "", flux_resource_path: x/y}'))).toEqual([
      ".gitlab-ci.yml:5:43 error semantic/kubernetes jobs:c:environment:kubernetes namespace can't be blank",
    ]);
  });

  it("managed_resources as its JSON schema takes it: only `enabled` (JSONSchemer's words, at each other key)", async () => {
    const text =
      job('a', '{agent: g/p:a, managed_resources: {enabled: true, extra: 1, namespace: ns}}') + job('b', '{managed_resources: {}}');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:67 error semantic/kubernetes jobs:a:environment:kubernetes managed resources object property at `/extra` is a disallowed additional property',
      '.gitlab-ci.yml:5:77 error semantic/kubernetes jobs:a:environment:kubernetes managed resources object property at `/namespace` is a disallowed additional property',
    ]);
  });

  it('what GitLab takes is clean; a key a base cigen cannot see may give is not called missing', async () => {
    const text =
      job('a', '{agent: g/p:a, dashboard: {namespace: ns, flux_resource_path: x/y}, managed_resources: {enabled: false}}') +
      job('b', '{namespace: ns, dashboard: {}, managed_resources: {enabled: false}}') +
      job('c', '{agent: g/p:a, namespace: ns, flux_resource_path: x/y}');
    expect(await briefs(text)).toEqual([]);
    const unseen =
      'include:\n  - project: group/ci-templates\n    file: /jobs.yml\n' +
      'j:\n  extends: .remote\n  script: echo\n  environment:\n    name: prod\n    kubernetes: {dashboard: {flux_resource_path: x}}\n' +
      'k:\n  extends: .remote\n  script: echo\n  environment:\n    name: prod\n    kubernetes: {}\n';
    expect((await briefs(unseen)).filter((line) => line.includes('error'))).toEqual([]);
  });
});

describe('secrets: as Entry::Secret reads them (EE: its SUPPORTED_PROVIDERS, akeyless among them)', () => {
  it('a secret from Akeyless is clean (ci.json does not list the provider); what Akeyless::Secret refuses, in its words', async () => {
    const text =
      'job:\n  script: echo\n  secrets:\n    A:\n      akeyless:\n        name: /x/y\n        data_key: k\n      token: $T\n      file: false\n' +
      '    B:\n      akeyless: {name: 1, nme: x, azure_object_id: 2}\n    C:\n      akeyless: x\n    D:\n      akeyless: {name: a}\n      extra: 1\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:11:24 error semantic/akeyless jobs:job:secrets:B:akeyless name should be a string',
      '.gitlab-ci.yml:11:27 error semantic/unknown-key jobs:job:secrets:B:akeyless config contains unknown keys: nme (did you mean name?)',
      '.gitlab-ci.yml:11:52 error semantic/akeyless jobs:job:secrets:B:akeyless azure object should be a string',
      '.gitlab-ci.yml:13:17 error semantic/akeyless jobs:job:secrets:C:akeyless config should be a hash',
      '.gitlab-ci.yml:16:7 error schema/unknown-key jobs:job:secrets:D config contains unknown keys: extra',
    ]);
  });

  // Entry::Secret: `only_one_of_keys: SUPPORTED_PROVIDERS` (ci.json: an anyOf of single `required`s, which takes two).
  const exactlyOne =
    'config must use exactly one of these keys: vault, azure_key_vault, gcp_secret_manager, akeyless, gitlab_secrets_manager, aws_secrets_manager';

  it("a secret with two providers, or none, is refused in GitLab's words, its list of providers in GitLab's order", async () => {
    const text =
      'job:\n  script: echo\n  secrets:\n    A:\n      vault: a/b@c\n      azure_key_vault: {name: x}\n' +
      '    B:\n      file: true\n    C:\n      akeyless: {name: x}\n      gitlab_secrets_manager: {name: y}\n      token: $T\n' +
      '    D:\n      vault: a/b@c\n      file: false\n';
    expect(await briefs(text)).toEqual([
      `.gitlab-ci.yml:5:7 error schema/exactly-one-key jobs:job:secrets:A ${exactlyOne}`,
      `.gitlab-ci.yml:8:7 error schema/exactly-one-key jobs:job:secrets:B ${exactlyOne}`,
      `.gitlab-ci.yml:10:7 error schema/exactly-one-key jobs:job:secrets:C ${exactlyOne}`,
    ]);
  });

  it('a secret given one provider by a base and another by the job is refused in the job as GitLab reads it, where each writes it', async () => {
    const text =
      '.vault:\n  secrets:\n    DB:\n      vault: db/pass@ops\n.aws:\n  secrets:\n    DB:\n      aws_secrets_manager: x\n' +
      '.two:\n  secrets:\n    DB:\n      vault: db/pass@ops\n      azure_key_vault: {name: x}\n' +
      'a:\n  extends: .vault\n  script: echo\n  secrets:\n    DB:\n      gcp_secret_manager: {name: x}\n      token: $T\n' +
      'b:\n  extends: [.vault, .aws]\n  script: echo\n' +
      'c:\n  extends: .two\n  script: echo\n  secrets:\n    DB:\n      aws_secrets_manager: y\n';
    expect(await briefs(text)).toEqual([
      `.gitlab-ci.yml:8:7 error schema/exactly-one-key jobs:b:secrets:DB ${exactlyOne} (inherited from .aws through extends)`,
      `.gitlab-ci.yml:19:7 error schema/exactly-one-key jobs:a:secrets:DB ${exactlyOne}`,
      `.gitlab-ci.yml:29:7 error schema/exactly-one-key jobs:c:secrets:DB ${exactlyOne}`,
    ]);
  });

  it('a visible job whose secret has two providers is refused, and so is each job that extends it, at its extends', async () => {
    const text =
      'base:\n  script: echo\n  secrets:\n    DB:\n      vault: db/pass@ops\n      gcp_secret_manager: {name: x}\n      token: $T\n' +
      'job:\n  extends: base\n' +
      '.mid:\n  extends: base\n' +
      'deep:\n  extends: .mid\n';
    expect(await briefs(text)).toEqual([
      `.gitlab-ci.yml:5:7 error schema/exactly-one-key jobs:base:secrets:DB ${exactlyOne}`,
      `.gitlab-ci.yml:9:3 error schema/exactly-one-key jobs:job:secrets:DB ${exactlyOne} (inherited from base through extends)`,
      `.gitlab-ci.yml:13:3 error schema/exactly-one-key jobs:deep:secrets:DB ${exactlyOne} (inherited from base through extends)`,
    ]);
  });

  it('a job that writes the provider its base gives, or a secret with none beside a base with one, is clean', async () => {
    const text =
      '.vault:\n  secrets:\n    DB:\n      vault: db/pass@ops\n' +
      'a:\n  extends: .vault\n  script: echo\n  secrets:\n    DB:\n      vault: other/pass@ops\n' +
      'b:\n  extends: .vault\n  script: echo\n  secrets:\n    DB:\n      file: false\n' +
      'c:\n  extends: .vault\n  script: echo\n  secrets:\n    OTHER:\n      aws_secrets_manager: x\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a base cigen cannot see may give a secret its provider: none is not reported; two still are', async () => {
    const text =
      'include:\n  - project: group/ci-templates\n    file: /jobs.yml\n' +
      'j:\n  extends: .remote\n  script: echo\n  secrets:\n    A:\n      file: true\n    B:\n      vault: a/b@c\n      aws_secrets_manager: x\n';
    expect((await briefs(text)).filter((line) => line.includes('error'))).toEqual([
      `.gitlab-ci.yml:11:7 error schema/exactly-one-key jobs:j:secrets:B ${exactlyOne}`,
    ]);
  });
});

describe("a job's inputs: as Entry::JobInput checks them (Entry::BaseInput, as spec:inputs are; ci.json leaves each open)", () => {
  const options = (n: number) => `[${Array.from({ length: n }, (_, i) => `o${i}`).join(', ')}]`;

  it("a key BaseInput does not allow (rules: too, which only spec:inputs take) and more than 50 options: GitLab's words", async () => {
    const text =
      `job:\n  script: echo\n  inputs:\n    env:\n      default: o1\n      options: ${options(51)}\n` +
      '    other:\n      default: a\n      defualt: b\n      rules:\n        - if: $X\n          default: c\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:6:16 error semantic/job-input jobs:job:inputs:env config cannot define more than 50 options',
      '.gitlab-ci.yml:9:7 error semantic/unknown-key jobs:job:inputs:other config contains unknown keys: defualt (did you mean default?), rules',
    ]);
    // The same limit, one rule, for an input of spec:inputs.
    const header = `spec:\n  inputs:\n    env:\n      default: o1\n      options: ${options(51)}\n---\njob:\n  script: echo $[[ inputs.env ]]\n`;
    expect((await briefs(header)).filter((line) => line.includes('error'))).toEqual([
      '.gitlab-ci.yml:5:16 error spec/options `env` input: cannot define more than 50 options',
    ]);
  });

  it("an input without a default, or with a null one, in JobInput's words (not ci.json's), whatever its type", async () => {
    const text =
      'job:\n  script: echo\n  inputs:\n    a:\n      description: d\n    b: {}\n    c:\n      default: null\n' +
      '    d:\n      type: number\n      default:\n    e:\n      type: array\n    f:\n      type: boolean\n      default: false\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:7 error semantic/job-input jobs:job:inputs:a must have a default value',
      '.gitlab-ci.yml:6:8 error semantic/job-input jobs:job:inputs:b must have a default value',
      '.gitlab-ci.yml:8:7 error semantic/job-input jobs:job:inputs:c must have a default value',
      '.gitlab-ci.yml:10:7 error semantic/job-input jobs:job:inputs:d must have a default value',
      '.gitlab-ci.yml:13:7 error semantic/job-input jobs:job:inputs:e must have a default value',
    ]);
    // A default of the wrong type is still ci.json's to say.
    expect(await briefs('job:\n  script: echo\n  inputs:\n    a:\n      type: number\n      default: x\n')).toEqual([
      '.gitlab-ci.yml:6:16 error schema/type jobs:job:inputs:a:default config should be a number',
    ]);
  });

  it('a default a base gives is one; a base cigen cannot see may give one, but not in place of a null the job writes', async () => {
    const seen =
      '.base:\n  inputs:\n    a:\n      default: x\njob:\n  extends: .base\n  script: echo\n  inputs:\n    a:\n      description: d\n';
    expect(await briefs(seen)).toEqual([]);
    const unseen =
      'include:\n  - project: group/ci-templates\n    file: /jobs.yml\n' +
      'job:\n  extends: .remote\n  script: echo\n  inputs:\n    a:\n      description: d\n    b:\n      default: null\n';
    expect((await briefs(unseen)).filter((line) => line.includes('error'))).toEqual([
      '.gitlab-ci.yml:11:7 error semantic/job-input jobs:job:inputs:b must have a default value',
    ]);
  });

  it('50 options and every key BaseInput allows are clean', async () => {
    const text = `job:\n  script: echo\n  inputs:\n    env:\n      type: string\n      description: d\n      default: o1\n      regex: ^o\n      options: ${options(50)}\n`;
    expect(await briefs(text)).toEqual([]);
  });
});

describe('release: as Entry::Release reads it (milestones a list or a string; released_at read by DateTime.iso8601)', () => {
  const release = (name: string, extra: string) =>
    `${name}:\n  script: echo\n  release:\n    tag_name: v1\n    description: x\n    ${extra}\n`;

  it('milestones as a string, and any date-time DateTime.iso8601 takes (fractions of a second, a date, +0100), are clean', async () => {
    const text =
      release('a', 'milestones: m1') +
      release('b', "released_at: '2021-03-15T08:00:00.123Z'") +
      release('c', "released_at: '2021-03-15'") +
      release('d', "released_at: '2021-03-15T08:00:00+0100'") +
      release('e', "released_at: '20210315T080000Z'") +
      release('f', "released_at: '2021-W11-1T08:00Z'") +
      release('g', 'milestones: [m1, m2]') +
      release('h', "released_at: '2020-02-29T23:59:60Z'");
    expect(await briefs(text)).toEqual([]);
  });

  it("what DateTime.iso8601 refuses is refused in GitLab's words, not as a pattern; a milestone that is no string still is", async () => {
    const text =
      release('a', 'released_at: yesterday') +
      release('b', "released_at: '2021-02-29T08:00:00Z'") +
      release('c', "released_at: '2021-03-15 08:00:00'") +
      release('d', "released_at: '2021-03-15T25:00Z'") +
      release('e', 'milestones: [m1, {m: 2}]');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:6:18 error semantic/release jobs:a:release released at must be a valid datetime',
      '.gitlab-ci.yml:12:18 error semantic/release jobs:b:release released at must be a valid datetime',
      '.gitlab-ci.yml:18:18 error semantic/release jobs:c:release released at must be a valid datetime',
      '.gitlab-ci.yml:24:18 error semantic/release jobs:d:release released at must be a valid datetime',
      '.gitlab-ci.yml:30:22 error schema/type jobs:e:release:milestones:1 config should be a string',
    ]);
  });
});

describe('unknown keys where ci.json has alternatives (oneOf): only the keys no alternative takes, as allowed_keys names them', () => {
  const schemaBriefs = async (text: string) =>
    (await lint(text, { 'a.yml': 'a:\n  script: x\n', 'i.yml': 'spec:\n  inputs:\n    x:\n      default: y\n---\n' }))
      .filter((d) => d.code.startsWith('schema/'))
      .map(brief);

  it('include entries and trigger hashes name the misspelt key alone, with the nearest one', async () => {
    const text =
      'include:\n  - local: a.yml\n    rulez: []\n  - remote: https://example.com/y.yml\n    integrity: sha256-abc\n    foo: 1\n' +
      't:\n  trigger: {project: g/p, brnch: y}\nu:\n  trigger: {include: a.yml, strateg: depend}\n';
    expect(await schemaBriefs(text)).toEqual([
      '.gitlab-ci.yml:3:5 error schema/unknown-key include:0 config contains unknown keys: rulez (did you mean rules?)',
      '.gitlab-ci.yml:5:16 error schema/pattern include:1:integrity must match pattern "^sha256-[A-Za-z0-9+/]{43}=$"',
      '.gitlab-ci.yml:6:5 error schema/unknown-key include:1 config contains unknown keys: foo',
      '.gitlab-ci.yml:8:27 error schema/unknown-key jobs:t:trigger config contains unknown keys: brnch (did you mean branch?)',
      '.gitlab-ci.yml:10:29 error schema/unknown-key jobs:u:trigger config contains unknown keys: strateg (did you mean strategy?)',
    ]);
  });

  it('a string the string alternative refuses by its pattern is named by that pattern, not called "a hash"', async () => {
    const text = 't:\n  trigger: slug\nu:\n  trigger: 3\nv:\n  trigger: group/project\n';
    expect(await schemaBriefs(text)).toEqual([
      '.gitlab-ci.yml:2:12 error schema/pattern jobs:t:trigger must match pattern "(?:\\S/\\S|\\$\\S+)"',
      '.gitlab-ci.yml:4:12 error schema/type jobs:u:trigger config should be a hash or a string',
    ]);
  });

  it('a spec:include entry: the key it does not take, not its `local:`', async () => {
    const text = 'spec:\n  include:\n    - local: i.yml\n      rules: [{if: $X}]\n---\njob:\n  script: echo $[[ inputs.x ]]\n';
    expect(await schemaBriefs(text)).toEqual([
      '.gitlab-ci.yml:4:7 error schema/unknown-key spec:include:0 config contains unknown keys: rules',
    ]);
  });

  it('keys each known to one alternative and written together: named as keys that cannot be used together', async () => {
    const text = 'include:\n  - local: a.yml\n    remote: https://example.com/y.yml\nt:\n  trigger: {project: g/p, include: a.yml}\n';
    expect(await schemaBriefs(text)).toEqual([
      '.gitlab-ci.yml:3:5 error schema/keys-together include:0 config these keys cannot be used together: local, remote',
      '.gitlab-ci.yml:5:27 error schema/keys-together jobs:t:trigger config these keys cannot be used together: project, include',
    ]);
  });

  it('keys one alternative takes together: what that alternative lacks, not the other alternatives\' "unknown" keys', async () => {
    expect(await schemaBriefs('t:\n  trigger: {branch: main}\n')).toEqual([
      '.gitlab-ci.yml:2:12 error schema/required jobs:t:trigger config is missing required keys: project',
    ]);
  });

  // Rules::Rule::Changes::ComplexChanges: `only_one_of_keys: %i[paths regexp]` (ci.json: a oneOf of two `required`).
  it('changes: and exists: as a hash take exactly one of paths and regexp: neither is required on its own', async () => {
    const text =
      'j:\n  script: x\n  rules:\n    - changes: {compare_to: main}\n    - changes: {paths: [a], regexp: b}\n' +
      '    - exists: {paths: [a], regexp: b, project: g/p}\n    - exists: {ref: main}\n' +
      '    - changes: {regexp: b, compare_to: main}\n    - exists: {paths: [a], project: g/p, ref: main}\n';
    expect(await schemaBriefs(text)).toEqual([
      '.gitlab-ci.yml:4:16 error schema/exactly-one-key jobs:j:rules:0:changes config must use exactly one of these keys: paths, regexp',
      '.gitlab-ci.yml:5:16 error schema/exactly-one-key jobs:j:rules:1:changes config must use exactly one of these keys: paths, regexp',
      '.gitlab-ci.yml:6:15 error schema/exactly-one-key jobs:j:rules:2:exists config must use exactly one of these keys: paths, regexp',
      '.gitlab-ci.yml:7:15 error schema/exactly-one-key jobs:j:rules:3:exists config must use exactly one of these keys: paths, regexp',
    ]);
  });
});

describe('dependencies beside needs, as Entry::Job checks them (only when needs are present)', () => {
  const jobs = 'stages: [a, b]\nj4:\n  stage: a\n  script: x\nj5:\n  stage: b\n  script: x\n';

  it('needs: [] is no needs: any dependency of an earlier stage is clean', async () => {
    expect(await briefs(`${jobs}  needs: []\n  dependencies: [j4]\n`)).toEqual([]);
  });

  it("when every need is another pipeline's, GitLab's words for that, at needs", async () => {
    const parent = `${jobs}  needs: [{pipeline: $PARENT_PIPELINE_ID, job: j4}]\n  dependencies: [j4]\n`;
    expect(await briefs(parent)).toEqual([
      '.gitlab-ci.yml:8:3 error semantic/dependency-not-needed jobs:j5 needs corresponding to dependencies must be from the same pipeline',
    ]);
    const project = `${jobs}  needs: [{project: g/p, job: j4, ref: main}]\n  dependencies: [j4]\n`;
    expect((await lint(project)).map((d) => d.message)).toContain(
      'jobs:j5 needs corresponding to dependencies must be from the same pipeline',
    );
  });

  it("beside a need of this pipeline's job, the dependencies are compared with those needs", async () => {
    const both = `${jobs}x:\n  stage: a\n  script: x\n`;
    expect(
      await briefs(
        both.replace(
          'j5:\n  stage: b\n  script: x\n',
          'j5:\n  stage: b\n  script: x\n  needs: [x, {pipeline: $P, job: j4}]\n  dependencies: [x]\n',
        ),
      ),
    ).toEqual([]);
    expect(
      await briefs(
        both.replace(
          'j5:\n  stage: b\n  script: x\n',
          'j5:\n  stage: b\n  script: x\n  needs: [x, {pipeline: $P, job: j4}]\n  dependencies: [j4]\n',
        ),
      ),
    ).toEqual(['.gitlab-ci.yml:9:18 error semantic/dependency-not-needed jobs:j5 dependencies the j4 should be part of needs']);
  });
});

describe('environment:on_stop as YamlProcessor checks it', () => {
  const deploy = (onStop: string) => `deploy:\n  script: echo\n  environment:\n    name: review\n    on_stop: ${onStop}\n`;

  it('a missing job, one without an environment, with another name, without action: stop: refused, at on_stop', async () => {
    expect(await briefs(deploy('stop_review'))).toEqual([
      '.gitlab-ci.yml:5:14 error semantic/on-stop deploy job: on_stop job stop_review is not defined',
    ]);
    expect(await briefs(`${deploy('stopper')}stopper:\n  script: echo\n`)).toEqual([
      '.gitlab-ci.yml:5:14 error semantic/on-stop deploy job: on_stop job stopper does not have environment defined',
    ]);
    expect(await briefs(`${deploy('stopper')}stopper:\n  script: echo\n  environment: {name: other, action: stop}\n`)).toEqual([
      '.gitlab-ci.yml:5:14 error semantic/on-stop deploy job: on_stop job stopper have different environment name',
    ]);
    expect(await briefs(`${deploy('stopper')}stopper:\n  script: echo\n  environment: review\n`)).toEqual([
      '.gitlab-ci.yml:5:14 error semantic/on-stop deploy job: on_stop job stopper needs to have action stop defined',
    ]);
  });

  it('a stop job with the same environment and action: stop is clean', async () => {
    expect(await briefs(`${deploy('stopper')}stopper:\n  script: echo\n  environment: {name: review, action: stop}\n`)).toEqual([]);
  });
});

describe('trigger jobs take only the keys and when: values Entry::Bridge allows', () => {
  it('job keys a trigger job cannot have are refused, named as GitLab names them', async () => {
    const text =
      'tr:\n  image: alpine\n  tags: [x]\n  before_script: [echo]\n  artifacts: {paths: [x]}\n  trigger: {include: child.yml}\n  stage: test\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:3 error semantic/trigger-job jobs:tr config contains unknown keys: image, tags, before_script, artifacts',
    ]);
  });

  it('when: delayed (and its start_in) are refused; the keys GitLab allows are clean', async () => {
    expect(await briefs('tr:\n  trigger: {include: child.yml}\n  when: delayed\n  start_in: 1 minute\n')).toEqual([
      '.gitlab-ci.yml:3:9 error semantic/trigger-job jobs:tr when should be one of: on_success, on_failure, always, manual',
      '.gitlab-ci.yml:4:3 error semantic/trigger-job jobs:tr config contains unknown keys: start_in',
    ]);
    const allowed =
      '.base:\n  stage: test\ntr:\n  extends: .base\n  trigger: {project: a/b}\n  variables: {A: b}\n  rules: [{when: manual}]\n  allow_failure: true\n' +
      '  needs: []\n  resource_group: r\n  environment: production\n  interruptible: true\n  inherit: {default: false}\n  parallel: {matrix: [{A: [a, b]}]}\n';
    expect(await briefs(allowed)).toEqual([]);
  });
});

describe('variables: a value: must be one of its options: (ComplexVariable)', () => {
  it('a value outside options, a value of another type than the options, and no value are refused', async () => {
    const text =
      'variables:\n  A:\n    value: x\n    options: [y, z]\n  B:\n    value: 1\n    options: ["1", "2"]\n  C:\n    options: [a]\n' +
      '  D:\n    value: y\n    options: [x, y]\njob:\n  script: echo\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:12 error semantic/variable-options variables:A config value must be present in options',
      '.gitlab-ci.yml:6:12 error semantic/variable-options variables:B config value must be present in options',
      '.gitlab-ci.yml:8:3 error semantic/variable-options variables:C config value must be present in options',
    ]);
  });
});

describe('rules:changes and rules:exists take at most 50 paths (Rules::Rule::Changes, Rules::Rule::Exists MAX_PATHS)', () => {
  const paths = (n: number) => `[${Array.from({ length: n }, (_, i) => `f${i}`).join(', ')}]`;

  it('51 paths, as a list or under paths:, in a job and in workflow:, are refused; 50 are not', async () => {
    const text =
      `workflow:\n  rules:\n    - changes: ${paths(51)}\njob:\n  script: echo\n  rules:\n    - changes: ${paths(50)}\n` +
      `    - changes: ${paths(51)}\n    - changes:\n        paths: ${paths(51)}\n`;
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:16 error semantic/changes workflow:rules:rule:changes config has too many entries (maximum 50)',
      '.gitlab-ci.yml:8:16 error semantic/changes jobs:job:rules:rule:changes config has too many entries (maximum 50)',
      '.gitlab-ci.yml:10:16 error semantic/changes jobs:job:rules:rule:changes paths has too many entries (maximum 50)',
    ]);
  });

  it('51 exists: paths, as a list or under paths:, in a job and in workflow:, are refused; 50 are not', async () => {
    const text =
      `workflow:\n  rules:\n    - exists: ${paths(51)}\njob:\n  script: echo\n  rules:\n    - exists: ${paths(50)}\n` +
      `    - exists: ${paths(51)}\n    - exists:\n        paths: ${paths(51)}\n        project: g/p\n` +
      `    - exists:\n        paths: ${paths(50)}\n`;
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:15 error semantic/exists workflow:rules:rule:exists config has too many entries (maximum 50)',
      '.gitlab-ci.yml:8:15 error semantic/exists jobs:job:rules:rule:exists config has too many entries (maximum 50)',
      '.gitlab-ci.yml:10:16 error semantic/exists jobs:job:rules:rule:exists paths has too many entries (maximum 50)',
    ]);
  });

  it("an include's rules: 51 changes: paths and 51 exists:paths: are refused, a list of 51 exists: paths is not (Include::Rules::Rule)", async () => {
    const files = {
      'ci/x.yml': 'x:\n  script: echo\n',
      'ci/y.yml': `include:\n  - local: ci/x.yml\n    rules:\n      - changes: ${paths(51)}\n`,
    };
    const text =
      `include:\n  - local: ci/x.yml\n    rules:\n      - changes: ${paths(51)}\n` +
      `  - local: ci/x.yml\n    rules:\n      - changes:\n          paths: ${paths(51)}\n` +
      `  - local: ci/x.yml\n    rules:\n      - exists:\n          paths: ${paths(51)}\n` +
      `  - local: ci/x.yml\n    rules:\n      - exists: ${paths(51)}\n        when: never\n` +
      `  - local: ci/y.yml\njob:\n  script: echo\n`;
    expect(await briefs(text, files)).toEqual([
      '.gitlab-ci.yml:4:18 error semantic/changes include:rule:changes config has too many entries (maximum 50)',
      '.gitlab-ci.yml:8:18 error semantic/changes include:rule:changes paths has too many entries (maximum 50)',
      '.gitlab-ci.yml:12:18 error semantic/exists include:rule:exists paths has too many entries (maximum 50)',
      // An included file's own include is checked where that file writes it.
      'ci/y.yml:4:18 error semantic/changes include:rule:changes config has too many entries (maximum 50)',
    ]);
  });
});

describe('tags: fewer than 50 (Entry::Tags TAGS_LIMIT: `config.size >= TAGS_LIMIT` is refused)', () => {
  const tags = (n: number) => `[${Array.from({ length: n }, (_, i) => `t${i}`).join(', ')}]`;

  it('50 tags in default: or in a job are refused, in GitLab words; 49 are not', async () => {
    const text = `default:\n  tags: ${tags(50)}\njob:\n  script: echo\n  tags: ${tags(50)}\nother:\n  script: echo\n  tags: ${tags(49)}\n`;
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:9 error semantic/tags default:tags config must be less than the limit of 50 tags',
      '.gitlab-ci.yml:5:9 error semantic/tags jobs:job:tags config must be less than the limit of 50 tags',
    ]);
  });

  it('a job takes them from a base it extends: shown where the base writes them', async () => {
    expect(await briefs(`.base:\n  tags: ${tags(50)}\njob:\n  extends: .base\n  script: echo\n`)).toEqual([
      '.gitlab-ci.yml:2:9 error semantic/tags jobs:job:tags config must be less than the limit of 50 tags (inherited from .base through extends)',
    ]);
  });
});

describe('extends: any top-level key holding a hash is a base (Extendable::Entry), not only a job', () => {
  it('extends: default and extends: workflow are clean, and the job gets what they hold', async () => {
    expect(await briefs('default:\n  image: alpine\n  before_script: [echo hi]\njob:\n  extends: default\n  script: echo\n')).toEqual([]);
    // workflow's rules: reach the job, where only: beside them is refused as it is in the job itself.
    expect(await briefs('workflow:\n  rules:\n    - if: $X\njob:\n  extends: workflow\n  script: echo\n  only: [main]\n')).toEqual([
      '.gitlab-ci.yml:7:3 error semantic/rules-with-only-except jobs:job config key may not be used with `rules`: only',
    ]);
  });

  it('a key that holds no hash is an invalid base; one that is not there is still unknown', async () => {
    expect(await briefs('stages: [build]\n.list: [a]\njob:\n  extends: [stages, .list, nope]\n  stage: build\n  script: echo\n')).toEqual([
      '.gitlab-ci.yml:4:12 error semantic/extends-invalid job: invalid base hashes in `extends` (stages, .list)',
      '.gitlab-ci.yml:4:12 error semantic/extends-unknown job: unknown keys in `extends` (nope)',
    ]);
  });
});

describe('script: lists nest up to 10 levels (Entry::Commands), written out or through !reference alike', () => {
  const nested = (levels: number) => `${'['.repeat(levels)}echo${']'.repeat(levels)}`;

  it('3 and 10 levels are clean, in a job, default: and the global before_script:', async () => {
    expect(await briefs(`job:\n  script: ${nested(3)}\n`)).toEqual([]);
    expect(await briefs(`default:\n  before_script: ${nested(4)}\nbefore_script: ${nested(3)}\njob:\n  script: ${nested(10)}\n`)).toEqual(
      [],
    );
  });

  it('11 levels are refused, written out or reached through chained !reference tags', async () => {
    expect(await briefs(`job:\n  script: ${nested(11)}\n`)).toEqual([
      '.gitlab-ci.yml:2:11 error semantic/nesting jobs:job:script config should be a string or a nested array of strings up to 10 levels deep',
    ]);
    // .s1's script nests 2 levels, each .sN one more: .s9's nests 10.
    const chain = Array.from(
      { length: 9 },
      (_, i) => `.s${i + 1}:\n  script:\n    - ${i === 0 ? '[echo]' : `!reference [.s${i}, script]`}\n`,
    ).join('');
    expect(await briefs(`${chain}job:\n  script:\n    - !reference [.s9, script]\n`)).toEqual([
      '.gitlab-ci.yml:30:5 error semantic/nesting jobs:job:script config should be a string or a nested array of strings up to 10 levels deep',
    ]);
    expect(await briefs(`${chain}job:\n  script: !reference [.s9, script]\n`)).toEqual([]);
  });
});

describe("an included file's YAML extension in any case (External::File::Base: /.+\\.(yml|yaml)$/i on the file name)", () => {
  it('local: Build.YML is read and clean; a name that is only an extension, or another extension, is still refused', async () => {
    const files = { 'Build.YML': '.x: {script: echo}\n', 'ci/.yml': '.y: {script: echo}\n' };
    expect(await briefs('include:\n  - local: Build.YML\njob: {script: echo}\n', files)).toEqual([]);
    expect((await lint('include:\n  - local: ci/.yml\n  - local: b.txt\njob: {script: echo}\n', files)).map((d) => d.code)).toEqual([
      'include/extension',
      'include/extension',
      'schema/pattern',
    ]);
  });
});

describe('a job name is at most 255 characters, counted as GitLab counts them (characters, not UTF-16 units)', () => {
  it('200 emoji are 200 characters: clean; 256 are too many', async () => {
    expect(await briefs(`"${'😀'.repeat(200)}":\n  script: echo\n`)).toEqual([]);
    expect((await lint(`"${'😀'.repeat(256)}":\n  script: echo\n`)).map((d) => d.code)).toEqual(['semantic/job-name']);
  });
});

describe('rules: a !reference among the rules is read flattened (Entry::Rules: ComposableArray, [@config].flatten)', () => {
  it("GitLab's documented pattern is clean even when another tag makes the schema resolve them", async () => {
    const text =
      '.rules:\n  rules:\n    - if: $X\n.vars:\n  variables: {A: b}\njob:\n  script: echo\n  variables: !reference [.vars, variables]\n' +
      '  rules:\n    - !reference [.rules, rules]\n    - when: manual\nworkflow:\n  rules:\n    - !reference [.rules, rules]\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a rule that is no hash is still refused where it is written', async () => {
    expect((await lint('job:\n  script: echo\n  rules:\n    - [1]\n')).map((d) => d.code)).toEqual(['schema/type']);
  });

  it('a finding in a rule read flattened is placed where the rule is written, not at the flat index', async () => {
    const text = 'job:\n  script: echo\n  rules:\n    - if: $A\n    - - if: $B\n      - when: sometimes\n';
    expect((await lint(text)).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['6:15 schema/enum']);
  });

  it('a finding in a rule a !reference brings is placed at that !reference', async () => {
    const text =
      '.local:\n  rules:\n    - when: sometimes\njob:\n  script: echo\n  variables: !reference [.ext, variables]\n' +
      '  rules:\n    - if: $A\n    - !reference [.local, rules]\n';
    expect((await lint(text)).filter((d) => d.code.startsWith('schema/')).map((d) => `${d.line} ${d.code}`)).toEqual(['9 schema/enum']);
  });

  it('rules from this file and from a !reference this file cannot resolve: no false schema finding', async () => {
    const text =
      '.local:\n  rules:\n    - if: $A\njob:\n  script: echo\n  image: 5\n' +
      '  rules:\n    - !reference [.local, rules]\n    - !reference [.external, rules]\n';
    expect((await lint(text)).filter((d) => d.code.startsWith('schema/')).map((d) => `${d.line} ${d.code}`)).toEqual(['6 schema/type']);
  });
});

describe('rules: lists, rules and their keys as Entry::Rules and Rules::Rule read them (a third review)', () => {
  it('an empty rules: list is blank (Entry::Rules: presence), in a job, workflow:, an include and through extends', async () => {
    const text =
      'include:\n  - local: a.yml\n    rules: []\nworkflow:\n  rules: []\n.base:\n  rules: []\n' +
      'job:\n  script: echo\n  rules: []\nother:\n  extends: .base\n  script: echo\n';
    expect(await briefs(text, { 'a.yml': 'a:\n  script: echo\n' })).toEqual([
      ".gitlab-ci.yml:3:12 error semantic/blank-rules include:rules config can't be blank",
      ".gitlab-ci.yml:5:10 error semantic/blank-rules workflow:rules config can't be blank",
      ".gitlab-ci.yml:7:10 error semantic/blank-rules jobs:other:rules config can't be blank (inherited from .base through extends)",
      ".gitlab-ci.yml:10:10 error semantic/blank-rules jobs:job:rules config can't be blank",
    ]);
    // A list holding an empty list a !reference gives is not blank (GitLab checks it before it flattens).
    expect(await briefs('.none:\n  rules: []\njob:\n  script: echo\n  rules:\n    - !reference [.none, rules]\n')).toEqual([]);
  });

  it('exists: written as a string is one path (Rules::Rule::Exists: SimpleExists), in a job, workflow: and an include', async () => {
    const text =
      'include:\n  - local: a.yml\n    rules:\n      - exists: Dockerfile\nworkflow:\n  rules:\n    - exists: Dockerfile\n' +
      'job:\n  script: echo\n  rules:\n    - exists: Dockerfile\n    - exists: ""\n';
    expect(await briefs(text, { 'a.yml': 'a:\n  script: echo\n' })).toEqual([]);
    expect((await lint('job:\n  script: echo\n  rules:\n    - exists: 1\n')).map((d) => d.code)).toEqual(['schema/type']);
  });

  it('changes: and exists: given no value are unspecified, as if absent (Entry::Factory), not of the wrong type', async () => {
    const text =
      'workflow:\n  rules:\n    - if: $A\n      changes: null\njob:\n  script: echo\n  rules:\n    - changes:\n      if: $B\n    - exists: null\n';
    expect(await briefs(text)).toEqual([]);
  });

  it("a rule that is a string, or each string of a list among the rules (GitLab flattens it), is no hash, in GitLab's words", async () => {
    const text = 'workflow:\n  rules:\n    - always\njob:\n  script: echo\n  rules:\n    - "$CI_COMMIT_BRANCH"\n    - [a, b]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:7 error semantic/rule-type workflow:rules:rule config should be a hash',
      '.gitlab-ci.yml:7:7 error semantic/rule-type jobs:job:rules:rule config should be a hash',
      '.gitlab-ci.yml:8:8 error semantic/rule-type jobs:job:rules:rule config should be a hash',
      '.gitlab-ci.yml:8:11 error semantic/rule-type jobs:job:rules:rule config should be a hash',
    ]);
    // A !reference cigen cannot resolve stays a list of its target's keys: not taken for strings.
    const tags =
      'include:\n  - remote: https://example.com/ci.yml\n.local:\n  rules:\n    - if: $A\nworkflow:\n  rules:\n    - !reference [.remote, rules]\n' +
      'job:\n  script: echo\n  rules:\n    - !reference [.local, rules]\n    - !reference [.remote, rules]\n' +
      'other:\n  script: echo\n  rules: !reference [.remote, rules]\n';
    expect((await lint(tags)).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it("a rule's variable given no value is refused (ComplexVariable, without a job's allowed_value_data); a job's is not", async () => {
    const text =
      'variables:\n  G:\nworkflow:\n  rules:\n    - if: $A\n      variables:\n        W:\n' +
      'job:\n  script: echo\n  variables:\n    V:\n  rules:\n    - if: $A\n      variables:\n        X:\n        Y: y\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:7:9 error semantic/rule-variable workflow:rules:rule:variables:W config must be a string',
      '.gitlab-ci.yml:15:9 error semantic/rule-variable jobs:job:rules:rule:variables:X config must be a string',
    ]);
  });

  it('only: {} and except: {} are blank (Policy::ComplexPolicy: presence); a base cigen cannot see may fill them', async () => {
    const text = 'a:\n  script: echo\n  only: {}\nb:\n  script: echo\n  except: {}\nc:\n  script: echo\n  only: {refs: [main]}\n';
    expect(await briefs(text)).toEqual([
      ".gitlab-ci.yml:3:9 error semantic/blank-policy jobs:a:only config can't be blank",
      ".gitlab-ci.yml:6:11 error semantic/blank-policy jobs:b:except config can't be blank",
    ]);
    const partial = 'include:\n  - remote: https://example.com/ci.yml\nj:\n  extends: .remote\n  script: x\n  only: {}\n';
    expect((await lint(partial)).filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('whole numbers written as floats where GitLab takes only an Integer (Psych reads `1.0` as a Float)', () => {
  // Each place, written with a whole float, and what cigen says of `1.5` at the same place.
  const places: { yaml: (n: string) => string; line: number }[] = [
    { yaml: (n) => `a:\n  script: x\n  retry: ${n}\n`, line: 3 },
    { yaml: (n) => `a:\n  script: x\n  retry:\n    max: ${n}\n`, line: 4 },
    { yaml: (n) => `a:\n  script: x\n  retry:\n    exit_codes: ${n}\n`, line: 4 },
    { yaml: (n) => `a:\n  script: x\n  retry:\n    exit_codes: [1, ${n}]\n`, line: 4 },
    { yaml: (n) => `a:\n  script: x\n  parallel: ${n}\n`, line: 3 },
    { yaml: (n) => `a:\n  script: x\n  parallel:\n    matrix:\n      - A: ${n}\n`, line: 5 },
    { yaml: (n) => `a:\n  script: x\n  parallel:\n    matrix:\n      - A: [x, ${n}]\n`, line: 5 },
    { yaml: (n) => `default:\n  retry: ${n}\na:\n  script: x\n`, line: 2 },
  ];

  it('each is refused with what cigen says of `1.5` there, and what to write instead; an integer or a string is clean', async () => {
    for (const { yaml, line } of places) {
      const [fraction] = await lint(yaml('1.5'));
      expect(fraction?.line).toBe(line);
      const findings = await lint(yaml('2.0'));
      const hint =
        fraction?.code === 'semantic/matrix'
          ? '(`2.0` is a float to GitLab: write `"2.0"` or `2`)'
          : '(`2.0` is a float to GitLab: write `2`)';
      expect(findings.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
        `${fraction?.line}:${fraction?.column} ${fraction?.code} ${fraction?.message} ${hint}`,
      ]);
      expect(await lint(yaml('2'))).toEqual([]);
      expect(await lint(yaml('"2.0"')).then((ds) => ds.filter((d) => d.message.includes('float')))).toEqual([]);
    }
  });

  it('every form Psych reads as a whole Float: `2.`, `2.00`, `-0.0`, `1_0.0`, base 60 `0:1.0`', async () => {
    for (const [written, instead] of [
      ['1.', '1'],
      ['2.00', '2'],
      ['-0.0', '0'],
      ['1_0.0', '10'],
      ['0:1.0', '60'],
    ])
      expect(await briefs(`a:\n  script: x\n  parallel: ${written}\n`)).toContainEqual(
        expect.stringContaining(`(\`${written}\` is a float to GitLab: write \`${instead}\`)`),
      );
    // `1e3` is a string to Psych (a float needs a `.`), `.inf` no whole number: the schema's own findings.
    for (const written of ['1e3', '.inf'])
      expect((await lint(`a:\n  script: x\n  parallel: ${written}\n`)).filter((d) => d.message.includes('float'))).toEqual([]);
  });

  it('a hidden job is checked in the jobs that extend it, at the place it is written, unless the job writes its own', async () => {
    const text =
      '.base:\n  retry: 1.0\n  parallel: 2.0\na:\n  extends: .base\n  script: x\nb:\n  extends: .base\n  script: x\n  retry: 2\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:10 error schema/type jobs:a:retry config should be an integer or a hash (`1.0` is a float to GitLab: write `1`)',
      '.gitlab-ci.yml:3:13 error schema/type jobs:a:parallel config should be an integer or a hash (`2.0` is a float to GitLab: write `2`)',
      '.gitlab-ci.yml:3:13 error schema/type jobs:b:parallel config should be an integer or a hash (`2.0` is a float to GitLab: write `2`)',
    ]);
    // GitLab never validates a hidden job alone: one no job takes in, or whose values every job overrides, is clean.
    const overridden = '.base:\n  retry: 1.0\njob:\n  extends: .base\n  script: x\n  retry: 2\n.unused:\n  retry: {max: 1.0}\n';
    expect(await briefs(overridden)).toEqual([]);
  });

  it('the value Psych reads: the last of a key written twice, a key a merge key brings in (over the keys before it)', async () => {
    expect((await lint('job:\n  script: x\n  retry: 1.0\n  retry: 2\n')).map((d) => d.code)).toEqual(['yaml/duplicate-key']);
    expect(await briefs('job:\n  script: x\n  retry: 2\n  retry: 1.0\n')).toContainEqual(
      '.gitlab-ci.yml:4:10 error schema/type jobs:job:retry config should be an integer or a hash (`1.0` is a float to GitLab: write `1`)',
    );
    const merged =
      '.settings:\n  common: &c {script: echo, retry: 1.0}\n  r: &r {max: 2.0}\njob: {<<: *c}\njob2: {script: echo, retry: {<<: *r}}\n';
    expect(await briefs(merged)).toEqual([
      '.gitlab-ci.yml:2:36 error schema/type jobs:job:retry config should be an integer or a hash (`1.0` is a float to GitLab: write `1`)',
      '.gitlab-ci.yml:3:15 error schema/type jobs:job2:retry:max config should be an integer (`2.0` is a float to GitLab: write `2`)',
    ]);
    // Psych merges `<<` over the keys written before it, under those written after.
    const before = '.c: &c {retry: 1.0}\njob:\n  script: echo\n  retry: 2\n  <<: *c\n';
    expect((await lint(before)).map((d) => `${d.line}:${d.column} ${d.path?.join(':')}`)).toEqual(['1:16 job:retry']);
    expect(await briefs('.c: &c {retry: 1.0}\njob:\n  script: echo\n  <<: *c\n  retry: 2\n')).toEqual([]);
  });

  it('a merge key brings its keys in as Psych does: over the keys written before it, and a value it cannot merge is the key `<<`', async () => {
    // GitLab reads retry: 5 (refused); the yaml library would have kept retry: 1. The finding is where 5 is written.
    const expected = '.gitlab-ci.yml:1:16 error schema/maximum jobs:job:retry config must be less than or equal to 2';
    expect(await briefs('.c: &c {retry: 5}\njob:\n  script: echo\n  retry: 1\n  <<: *c\n')).toEqual([expected]);
    expect(await briefs('.c: &c {retry: 5}\njob:\n  script: echo\n  retry: 1\n  <<: [*c]\n')).toEqual([expected]);
    expect(await briefs('.c: &c {retry: 5}\njob:\n  script: echo\n  <<: *c\n  retry: 1\n')).toEqual([]);
    // In a list of maps the first wins; the job's keys written after `<<` win over both.
    expect(await briefs('.a: &a {retry: 1}\n.b: &b {retry: 5}\njob:\n  script: echo\n  <<: [*a, *b]\n')).toEqual([]);
    // Psych rescues the TypeError and keeps the value under the key `<<`, which GitLab then refuses
    // as an unknown key (the yaml library threw: cigen said the file expanded too far through aliases).
    for (const value of ['1', '[{retry: 1}, 2]', '*l'])
      expect(await briefs(`.l: &l [1]\njob:\n  script: echo\n  <<: ${value}\n`)).toEqual([
        '.gitlab-ci.yml:4:3 error schema/unknown-key jobs:job config contains unknown keys: <<',
      ]);
  });

  it('the merge key is any `<<` without the str tag (Psych): a quoted one merges, `!!str <<` is a key; a map merging itself adds nothing', async () => {
    expect(await briefs('.base: &base\n  image: alpine\n  script: [echo hi]\njob:\n  "<<": *base\n  stage: test\n')).toEqual([]);
    expect(await briefs(".base: &base\n  script: [echo hi]\njob:\n  '<<': *base\n")).toEqual([]);
    expect(await briefs('.base: &base\n  image: alpine\njob:\n  script: [echo hi]\n  !!str <<: *base\n')).toEqual([
      '.gitlab-ci.yml:5:9 error schema/unknown-key jobs:job config contains unknown keys: <<',
    ]);
    expect(await briefs('job: &a\n  script: [x]\n  <<: *a\n')).toEqual([]);
    expect(await briefs('job: &a\n  script: [x]\n  <<: [*a, *a]\n')).toEqual([]);
  });

  it('a !reference in a value Psych does not keep is never resolved; one in the map of a merge key is placed there', async () => {
    // Overridden by the merge key after it, by the first map of the list, by the key written again.
    expect(await briefs('.m: &m\n  script: [echo m]\njob:\n  script: !reference [.nope, script]\n  <<: *m\n')).toEqual([]);
    expect(await briefs('job:\n  <<: [{script: [a]}, {script: !reference [.nope, script]}]\n')).toEqual([]);
    expect(await briefs('job:\n  <<: {script: !reference [.nope, script]}\n  script: [x]\n')).toEqual([]);
    expect((await lint('job:\n  script: !reference [.nope, script]\n  script: [x]\n')).map((d) => d.code)).toEqual(['yaml/duplicate-key']);
    // Kept: reported where it is written.
    expect(await briefs('job:\n  stage: test\n  <<: {script: !reference [.nope, script]}\n')).toEqual([
      '.gitlab-ci.yml:3:27 error semantic/reference !reference [".nope", "script"] could not be found',
    ]);
  });

  it('a second review: anchored values Psych drops in one place are read where an alias names them; a map merging itself is read at once', async () => {
    const missing = 'error semantic/reference !reference [".missing", "script"] could not be found';
    expect(await briefs('j:\n  <<: [{script: [echo a]}, &b {script: !reference [.missing, script]}]\nk:\n  <<: *b\n')).toEqual([
      `.gitlab-ci.yml:2:51 ${missing}`,
    ]);
    const dropped = 'j:\n  script: [echo j]\n  after_script: &v [!reference [.missing, script]]\n  after_script: [echo b]\n';
    expect((await lint(`${dropped}k:\n  script: [echo k]\n  after_script: *v\n`)).map((d) => d.code)).toEqual([
      'yaml/duplicate-key',
      'semantic/reference',
    ]);
    // Quoted merge keys are merge keys, not duplicates; a verbatim str tag makes `<<` a key.
    expect(
      await briefs('.a: &a {script: [echo a], stage: build}\n.b: &b {script: [echo b], retry: 1}\nj3: {"<<": *a, "<<": *b}\n'),
    ).toEqual([]);
    expect(await briefs('j:\n  script: [x]\n  !<tag:yaml.org,2002:str> <<: [1]\n')).toEqual([
      '.gitlab-ci.yml:3:28 error schema/unknown-key jobs:j config contains unknown keys: <<',
    ]);
    // A map merging itself, twice (each alias would otherwise double the search): read at once, as Psych reads it.
    expect(await briefs('job: &a\n  <<: [*a, *a]\n  script: [echo]\n  retry: bad\n')).toEqual([
      '.gitlab-ci.yml:4:10 error schema/type jobs:job:retry config should be an integer or a hash',
    ]);
  });

  it("merge keys resolve each alias from one walk of the document, never the library's walk per alias", async () => {
    const resolve = vi.spyOn(Alias.prototype, 'resolve');
    try {
      const jobs = Array.from({ length: 50 }, (_, i) => `j${i}:\n  <<: [*d, *r]\n  script: [echo]\n  nope${i}: 1\n`).join('');
      const findings = await lint(`.d: &d {stage: test}\n.r: &r {retry: 1}\n${jobs}`);
      expect(findings.filter((d) => d.code === 'schema/unknown-key')).toHaveLength(50);
      // The library's toJS passes its context (and its cache); a call without one walks the document.
      expect(resolve.mock.calls.filter((args) => args[1] === undefined)).toEqual([]);
    } finally {
      resolve.mockRestore();
    }
  });

  it('a whole float too large for digits in JavaScript is still written out in full', async () => {
    expect(await briefs('a:\n  script: x\n  parallel:\n    matrix:\n      - A: 1.0e+21\n')).toContainEqual(
      expect.stringContaining('(`1.0e+21` is a float to GitLab: write `"1.0e+21"` or `1000000000000000000000`)'),
    );
  });

  it('the same in a file with anchors (not read lean), in an included file, and in a component as written', async () => {
    const expected = 'error schema/type jobs:a:retry:max config should be an integer (`1.0` is a float to GitLab: write `1`)';
    expect(await briefs('.x: &x\n  when: always\na:\n  script: x\n  retry:\n    max: 1.0\n  <<: *x\n')).toEqual([
      `.gitlab-ci.yml:6:10 ${expected}`,
    ]);
    expect(await briefs('include: inc.yml\n', { 'inc.yml': 'a:\n  script: x\n  retry:\n    max: 1.0\n' })).toEqual([
      `inc.yml:4:10 ${expected}`,
    ]);
    const component =
      'spec:\n  inputs:\n    name:\n      default: a\n      regex: ^[a-z]+$\n---\n$[[ inputs.name ]]:\n  script: x\n  retry:\n    max: 1.0\n';
    expect(await briefs(component, {}, { file: 'templates/c.yml' })).toEqual([`templates/c.yml:10:10 ${expected}`]);
  });

  it('a parse says whether it read a whole float at all (lean or not): the check runs only then', () => {
    for (const lean of [true, false]) {
      expect(holdsWholeFloats(parseFile('a: 1.0\n', 'f.yml', { lean }).content as Document)).toBe(true);
      expect(holdsWholeFloats(parseFile('a: [1, 1.5, "2.0", 1e3]\n', 'f.yml', { lean }).content as Document)).toBe(false);
    }
  });

  it('a float elsewhere is no finding: GitLab takes one as a variable, and a key as its text', async () => {
    expect(await briefs('variables:\n  X: 1.0\na:\n  script: x\n  variables:\n    Y: 2.0\n  retry: 1\n')).toEqual([]);
  });
});

describe("ci.json stricter than GitLab's entries (a second review): each read as the entry reads it", () => {
  const clean = async (text: string, files: Record<string, string> = {}) => expect(await briefs(text, files)).toEqual([]);

  it('environment:url is any string (Entry::Environment) of at most 255 characters: a variable, or one inside a URL', async () => {
    await clean('review:\n  script: x\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    url: $DYNAMIC_ENVIRONMENT_URL\n');
    await clean('review:\n  script: x\n  environment:\n    name: r\n    url: https://${CI_COMMIT_REF_SLUG}.example.com\n');
    // 255 characters as Ruby counts them (an emoji is one), then one more.
    const url = (length: number) => `https://${'é'.repeat(length - 12)}.com`;
    await clean(`review:\n  script: x\n  environment:\n    name: r\n    url: ${url(255)}\n`);
    expect(await briefs(`review:\n  script: x\n  environment:\n    name: r\n    url: ${url(256)}\n`)).toEqual([
      '.gitlab-ci.yml:5:10 error semantic/environment-url jobs:review:environment url is too long (maximum is 255 characters)',
    ]);
  });

  it("coverage is a /pattern/flags RE2 compiles (RegexpValidator): GitLab's documented `(?i)` example; what RE2 refuses is refused", async () => {
    await clean("test:\n  script: pytest\n  coverage: '/(?i)total.*? (100(?:\\.0+)?\\%|[1-9]?\\d(?:\\.\\d+)?\\%)$/'\n");
    // An unclosed group, a lookbehind and a backreference (JavaScript takes the last two), no slashes.
    for (const pattern of ["'/a(/'", "'/(?<=a)b/'", "'/(a)\\1/'", 'total'])
      expect(await briefs(`test:\n  script: x\n  coverage: ${pattern}\n`)).toEqual([
        '.gitlab-ci.yml:3:13 error semantic/coverage jobs:test:coverage config must be a regular expression with re2 syntax',
      ]);
    // Not a string: RubySyntax.fabricate! raises, and the finding is the same.
    for (const value of ['[a]', '5'])
      expect(await briefs(`test:\n  script: x\n  coverage: ${value}\n`)).toEqual([
        '.gitlab-ci.yml:3:13 error semantic/coverage jobs:test:coverage config must be a regular expression with re2 syntax',
      ]);
  });

  it("a variable written with no value (null) is a variable without one: global and a job's (a rule's: see rules: lists)", async () => {
    await clean('variables:\n  C: null\nj:\n  script: x\n  variables:\n    EMPTY:\n  rules:\n    - if: $A\n');
    // A list is still not a variable.
    expect((await lint('j:\n  script: x\n  variables:\n    L: [a]\n')).map((d) => d.code)).toEqual(['schema/type']);
  });

  it('an include written as a string needs only the YAML extension: the documented wildcard, a name ending in a dash', async () => {
    await clean("include: 'configs/*.yml'\njob:\n  script: x\n");
    await clean("include:\n  - 'configs/**.yml'\n  - ci/a-.yml\n  - local: 'ci/*.yaml'\njob:\n  script: x\n", {
      'ci/a-.yml': 'a:\n  script: x\n',
    });
    // Without the extension it is still refused.
    expect((await lint("include: 'configs/*'\njob:\n  script: x\n")).length).toBeGreaterThan(0);
  });

  it('an include location is expanded before it is read (VariablesExpander): variables in remote, local and string forms', async () => {
    await clean(
      "include:\n  - remote: '$CI_SERVER_URL/x/-/raw/main/ci.yml'\n  - remote: 'https://${CI_SERVER_HOST}/x/ci.yml'\njob:\n  script: x\n",
    );
    await clean("include:\n  - local: '${DIR}/ci.yml'\n  - '${CI_SERVER_URL}/y/ci.yml'\njob:\n  script: x\n", {
      'ci.yml': 'a:\n  script: x\n',
    });
    expect((await lint("include:\n  - remote: 'ftp://example.com/ci.yml'\njob:\n  script: x\n")).length).toBeGreaterThan(0);
  });

  it('services: and cache: nested by a !reference or an alias are read flattened (ComposableArray); a wrong item is still placed', async () => {
    await clean(
      '.s:\n  services: [{name: postgres:16, alias: db}]\njob:\n  script: echo\n  services: [!reference [.s, services], redis]\n',
    );
    await clean('.pg: &pg {name: postgres:16}\njob:\n  script: echo\n  services: [[*pg], redis]\n');
    await clean('.c:\n  cache: [{key: a, paths: [a]}]\njob:\n  script: echo\n  cache: [!reference [.c, cache], {key: b, paths: [b]}]\n');
    // Placed where written though a later reading (an empty command) copied the flattened list.
    const anchored =
      '.svc: &svc\n  - name: postgres\n    command: []\n  - name: redis\njob:\n  script: x\n  services:\n    - *svc\n    - name: 12\n';
    expect((await lint(anchored)).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['9:13 schema/type']);
    expect((await lint('job:\n  script: echo\n  services: [[redis, 5]]\n')).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '3:22 schema/type',
    ]);
  });

  it('an empty list where the entry takes any list of strings: tags, artifacts paths and exclude, an entrypoint, a command', async () => {
    await clean('default:\n  tags: [docker]\njob:\n  script: x\n  tags: []\n');
    await clean('job:\n  script: x\n  artifacts:\n    paths: []\n    exclude: []\n    untracked: true\n');
    await clean(
      'job:\n  script: x\n  image:\n    name: alpine\n    entrypoint: []\n  services:\n    - name: redis\n      entrypoint: []\n      command: []\n',
    );
  });

  it('workflow:rules take allow_failure (a boolean) and needs (Entry::Workflow keeps them); start_in or another value is refused', async () => {
    await clean('workflow:\n  rules:\n    - if: $X\n      allow_failure: true\n      needs: [a]\njob:\n  script: x\n');
    const refused =
      'workflow:\n  rules:\n    - if: $X\n      start_in: 1 day\n    - if: $Y\n      allow_failure: maybe\njob:\n  script: x\n';
    expect((await lint(refused)).map((d) => d.line)).toEqual([4, 6]);
    // Rules::Rule's BooleanValidator, in its words: the key is GitLab's, its value is not.
    expect(
      await briefs('workflow:\n  rules:\n    - if: $X\n      allow_failure: maybe\n    - allow_failure: null\njob:\n  script: x\n'),
    ).toEqual(['.gitlab-ci.yml:4:22 error semantic/workflow-rule workflow:rules:rule allow failure should be a boolean value']);
    // needs as a rule takes them: `{job:}` hashes too; a hash with another key is still refused.
    await clean('workflow:\n  rules:\n    - if: $X\n      needs: [a, {job: b, artifacts: false, optional: true}]\njob:\n  script: x\n');
    expect((await lint('workflow:\n  rules:\n    - if: $X\n      needs: [{job: b, nope: 1}]\njob:\n  script: x\n')).length).toBe(1);
    expect((await lint('workflow:\n  rules:\n    - if: $X\n      nope: 1\njob:\n  script: x\n')).map((d) => d.code)).toEqual([
      'schema/unknown-key',
    ]);
  });
});

describe('a number out of its bounds is said in GitLab\'s words (numericality), not as "should be a hash"', () => {
  it('retry, retry:max and parallel: the bound, whichever side', async () => {
    const text =
      'a:\n  script: x\n  retry: 3\nb:\n  script: x\n  parallel: 201\nc:\n  script: x\n  parallel: 0\nd:\n  script: x\n  retry: {max: -1}\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:3:10 error schema/maximum jobs:a:retry config must be less than or equal to 2',
      '.gitlab-ci.yml:6:13 error schema/maximum jobs:b:parallel config must be less than or equal to 200',
      '.gitlab-ci.yml:9:13 error schema/minimum jobs:c:parallel config must be greater than or equal to 1',
      '.gitlab-ci.yml:12:16 error schema/minimum jobs:d:retry:max config must be greater than or equal to 0',
    ]);
  });
});

describe('a value a job inherits through extends is checked in the job, as GitLab reads it', () => {
  it("an entry rule's finding about a place a base gives is shown where the base writes it, and says so", async () => {
    const url = `https://example.com/${'a'.repeat(260)}`;
    const text = `.b:\n  coverage: total\n  environment:\n    name: prod\n    url: ${url}\njob:\n  extends: .b\n  script: x\n  environment:\n    name: prod\n`;
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:13 error semantic/coverage jobs:job:coverage config must be a regular expression with re2 syntax (inherited from .b through extends)',
      '.gitlab-ci.yml:5:10 error semantic/environment-url jobs:job:environment url is too long (maximum is 255 characters) (inherited from .b through extends)',
    ]);
    // The job's own value is shown where the job writes it, with no such note.
    expect(await briefs('.b:\n  coverage: /a/\njob:\n  extends: .b\n  script: x\n  coverage: total\n')).toEqual([
      '.gitlab-ci.yml:6:13 error semantic/coverage jobs:job:coverage config must be a regular expression with re2 syntax',
    ]);
  });

  it("a base's value GitLab refuses is an error in each job that takes it in, shown where the base writes it", async () => {
    const text =
      '.b:\n  scirpt: x\n  retry: 5\n.c:\n  extends: .b\n  parallel: 300\nj:\n  extends: .c\n  script: x\nk:\n  extends: .b\n  script: y\n  retry: 1\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:3 error schema/unknown-key jobs:j config contains unknown keys: scirpt (did you mean script?) (inherited from .b through extends)',
      '.gitlab-ci.yml:2:3 error schema/unknown-key jobs:k config contains unknown keys: scirpt (did you mean script?) (inherited from .b through extends)',
      '.gitlab-ci.yml:3:10 error schema/maximum jobs:j:retry config must be less than or equal to 2 (inherited from .b through extends)',
      '.gitlab-ci.yml:6:13 error schema/maximum jobs:j:parallel config must be less than or equal to 200 (inherited from .c through extends)',
    ]);
  });

  it('a template valid only with what the job or another base adds is no finding (GitLab checks the merged job)', async () => {
    // when: delayed and the job's start_in; hashes split between bases; a template extending another.
    await expect(briefs('.a:\n  when: delayed\njob:\n  extends: .a\n  start_in: 1 hour\n  script: echo\n')).resolves.toEqual([]);
    await expect(
      briefs('.a:\n  trigger:\n    project: grp/proj\n.b:\n  trigger:\n    branch: main\ndeploy:\n  extends: [.a, .b]\n'),
    ).resolves.toEqual([]);
    await expect(
      briefs('.a:\n  image:\n    entrypoint: [""]\n.b:\n  image:\n    name: alpine\njob:\n  extends: [.b, .a]\n  script: echo\n'),
    ).resolves.toEqual([]);
    await expect(
      briefs(
        '.a: {environment: {name: review/$CI_COMMIT_REF_SLUG}}\n.b: {extends: .a, environment: {action: stop}}\nstop: {extends: .b, script: echo}\n',
      ),
    ).resolves.toEqual([]);
  });

  it('a base no job extends, a value every job overrides, and a !reference cigen cannot resolve are no finding', async () => {
    expect(await briefs('.unused:\n  retry: 5\n.b:\n  retry: 5\nj:\n  extends: .b\n  script: x\n  retry: 2\n')).toEqual([]);
    const partial =
      'include:\n  - remote: https://example.com/ci.yml\n.b:\n  variables: !reference [.remote, variables]\nj:\n  extends: .b\n  script: x\n';
    expect((await lint(partial)).filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe("a job's `when: never`, which only a rule may say (Entry::Job::ALLOWED_WHEN)", () => {
  it("is refused in a job, in GitLab's words; in a rule it is what rules say", async () => {
    expect(await briefs('job:\n  script: x\n  when: never\n')).toEqual([
      '.gitlab-ci.yml:3:9 error semantic/job-when jobs:job when should be one of: on_success, on_failure, always, manual, delayed',
    ]);
    expect(await briefs('job:\n  script: x\n  rules:\n    - if: $X\n      when: never\n    - when: on_success\n')).toEqual([]);
  });
});

describe('a key written twice: the finding is at the one GitLab reads, the last', () => {
  it('a schema finding about retry points at the second retry', async () => {
    expect((await lint('job:\n  script: x\n  retry: 1\n  retry: 8\n')).map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '4:3 yaml/duplicate-key',
      '4:10 schema/maximum',
    ]);
  });
});

describe('only:/except: refs as Entry::Policy checks them (ArrayOfStringsOrRegexpsValidator)', () => {
  const refused = (where: string) => `${where} should be an array of strings or regular expressions using re2 syntax`;

  it("a ref written /pattern/flags that RE2 refuses: GitLab's words, once per list, at the first such ref", async () => {
    const text = 'job:\n  script: echo\n  only: [main, "/release-(\\\\d+/", "/(a/"]\n  except:\n    refs: ["/(?<=v)1/"]\n';
    expect(await briefs(text)).toEqual([
      `.gitlab-ci.yml:3:16 error semantic/policy-refs ${refused('jobs:job:only config')}`,
      `.gitlab-ci.yml:5:12 error semantic/policy-refs ${refused('jobs:job:except refs')}`,
    ]);
  });

  it('plain names, patterns RE2 compiles and flags GitLab takes are clean; a trigger job and an inherited ref too', async () => {
    expect(
      await briefs('job:\n  script: echo\n  only: [main, tags, "/^release-\\\\d+$/i", "release/(a"]\n  except: {refs: ["/^v/"]}\n'),
    ).toEqual([]);
    expect(await briefs('.b:\n  except: ["/a(/"]\njob:\n  extends: .b\n  trigger: a/b\n')).toEqual([
      `.gitlab-ci.yml:2:12 error semantic/policy-refs ${refused('jobs:job:except config')} (inherited from .b through extends)`,
    ]);
  });
});
