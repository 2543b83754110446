/**
 * Where `cigen lint` disagreed with GitLab (a review against GitLab's own code and docs), each
 * case reproduced here before it was fixed: `!reference` values checked by the schema before they
 * were resolved, and the semantic checks GitLab runs differently.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { documentValue, parseYamlDocument } from '../../src/ci/yaml.js';
import { lintText, type LintOptions } from '../../src/lint/lint-text.js';
import { catalogHost } from '../helpers/lint-host.js';

const lint = (text: string, files: Record<string, string> = {}, options: Partial<LintOptions> = {}): Promise<Diagnostic[]> =>
  lintText(text, { file: '.gitlab-ci.yml', host: catalogHost((path) => files[path]), ...options });
const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
const briefs = async (...args: Parameters<typeof lint>) => (await lint(...args)).map(brief);

describe('!reference is resolved before the schema checks the value (GitLab: Tags::Resolver, then the entries)', () => {
  it("GitLab's own example (yaml_optimization.md): variables and a variable from !reference are clean", async () => {
    const text = [
      '.vars:',
      '  variables:',
      '    URL: "http://my-url.internal"',
      '    IMPORTANT_VAR: "the details"',
      'test-vars-1:',
      '  variables: !reference [.vars, variables]',
      '  script: [printenv]',
      'test-vars-2:',
      '  variables:',
      '    MY_VAR: !reference [.vars, variables, IMPORTANT_VAR]',
      '  script: [printenv]',
      '.defaults:',
      '  image: { name: alpine, entrypoint: [""] }',
      '  artifacts: { paths: [out/] }',
      'job:',
      '  image: !reference [.defaults, image]',
      '  artifacts: !reference [.defaults, artifacts]',
      '  script: [x]',
      '',
    ].join('\n');
    expect(await briefs(text)).toEqual([]);
  });

  it('the resolved value is what is checked: a wrong one is reported at the tag', async () => {
    const text = '.vars:\n  variables:\n    A: [1, 2]\njob:\n  variables: !reference [.vars, variables]\n  script: [x]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:25 error schema/type jobs:job:variables:A config should be a boolean, a number, a string or a hash',
    ]);
  });

  it('tags inside the target are resolved too', async () => {
    const text =
      '.a:\n  v:\n    X: "1"\n.b:\n  variables: !reference [.a, v]\njob:\n  variables: !reference [.b, variables]\n  script: [x]\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a target in a file cigen cannot read: no schema finding, the reference only a warning', async () => {
    const text = 'include:\n  - remote: https://example.com/x.yml\njob:\n  image: !reference [.elsewhere, image]\n  script: [x]\n';
    expect((await lint(text)).map((d) => `${d.severity} ${d.code}`)).toEqual(['warning semantic/reference']);
  });
});

describe('semantic/undefined-stage in a component or an included file: the including pipeline owns stages:', () => {
  const component =
    'spec:\n  inputs:\n    stage:\n      default: lint\n      options: [lint, test]\n---\nlint-job:\n  stage: $[[ inputs.stage ]]\n  script: [x]\n';

  it('a component whose stage is not a default one: a warning, not an error', async () => {
    expect(await briefs(component, {}, { file: 'templates/c.yml' })).toEqual([
      'templates/c.yml:8:10 warning semantic/undefined-stage lint-job job: chosen stage lint is not one of the stages this file knows ' +
        '(.pre, build, test, deploy, .post); the pipeline that includes it must define it',
    ]);
  });

  it('an included file linted on its own: a warning; the pipeline that includes it with stages: [lint] is clean', async () => {
    const fragment = 'j:\n  stage: lint\n  script: [x]\n';
    expect((await lint(fragment, {}, { file: 'frag2.yml' })).map((d) => `${d.severity} ${d.code}`)).toEqual([
      'warning semantic/undefined-stage',
    ]);
    expect(await briefs('stages: [lint]\ninclude:\n  - local: frag2.yml\n', { 'frag2.yml': fragment })).toEqual([]);
  });

  it('a whole pipeline still gets the error', async () => {
    expect((await lint('j:\n  stage: lint\n  script: [x]\n')).map((d) => `${d.severity} ${d.code}`)).toEqual([
      'error semantic/undefined-stage',
    ]);
  });

  it('a whole pipeline with inputs of its own (a spec:inputs header) is a pipeline all the same: stages and needs are errors', async () => {
    const text =
      'spec:\n  inputs:\n    env:\n      default: prod\n      options: [prod, dev]\n---\nj:\n  stage: lint\n  needs: [nope]\n  script: ["echo $[[ inputs.env ]]"]\n';
    for (const file of ['.gitlab-ci.yml', 'deploy.gitlab-ci.yml'])
      expect((await lint(text, {}, { file })).map((d) => `${d.severity} ${d.code}`)).toEqual([
        'error semantic/undefined-stage',
        'error semantic/undefined-need',
      ]);
    // Under another name it is a component, as before.
    expect((await lint(text, {}, { file: 'templates/c.yml' })).map((d) => `${d.severity} ${d.code}`)).toEqual([
      'warning semantic/undefined-stage',
    ]);
  });
});

describe('extends bases and !reference targets a fragment does not define: another file of its pipeline may (GitLab checks the whole)', () => {
  const fragment =
    'build:\n  extends: .base\n  stage: build\n  needs: [setup]\n  tags: [x]\n  before_script:\n    - !reference [.setup, before_script]\n';
  const note = '(it may come from another file of the pipeline that includes this one)';

  it("linted alone: warnings in GitLab's words, saying where they may come from; nothing judged by what the base may give", async () => {
    expect(await briefs(fragment, {}, { file: 'ci/jobs.yml' })).toEqual([
      `ci/jobs.yml:2:12 warning semantic/extends-unknown build: unknown keys in \`extends\` (.base) ${note}`,
      `ci/jobs.yml:7:18 warning semantic/reference !reference [".setup", "before_script"] could not be found ${note}`,
    ]);
  });

  it('in a component too; beside an include cigen cannot read, both places are named', async () => {
    const component =
      'spec:\n  inputs:\n    stage:\n      default: build\n      options: [build, test]\n---\njob:\n  extends: .base\n  stage: $[[ inputs.stage ]]\n';
    expect(await briefs(component, {}, { file: 'templates/c.yml' })).toEqual([
      `templates/c.yml:8:12 warning semantic/extends-unknown job: unknown keys in \`extends\` (.base) ${note}`,
    ]);
    const unread = 'include:\n  - remote: https://example.com/ci.yml\njob:\n  script:\n    - !reference [.s, script]\n';
    expect(await briefs(unread, {}, { file: 'ci/jobs.yml' })).toEqual([
      'ci/jobs.yml:5:18 warning semantic/reference !reference [".s", "script"] could not be found ' +
        '(it may come from another file of the pipeline that includes this one, or from an include cigen cannot read)',
    ]);
  });

  it('a whole pipeline (by its name, or --pipeline) still gets errors; the pipeline that includes the fragment and its bases is clean', async () => {
    expect((await lint(fragment, {}, { file: 'ci/jobs.yml', pipeline: true })).map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
      'error semantic/extends-unknown build: unknown keys in `extends` (.base)',
      'error semantic/undefined-need build job: undefined need: setup',
      'error semantic/reference !reference [".setup", "before_script"] could not be found',
    ]);
    const base = '.base:\n  script: [make]\n.setup:\n  before_script: [echo]\nsetup:\n  stage: build\n  script: [x]\n';
    const root = 'include:\n  - local: ci/base.yml\n  - local: ci/jobs.yml\nstages: [build]\n';
    expect(await briefs(root, { 'ci/base.yml': base, 'ci/jobs.yml': fragment })).toEqual([]);
  });
});

describe('needs and dependencies name the jobs parallel: makes (GitLab checks against its normalized jobs)', () => {
  it('parallel: n makes `name i/n`; parallel: matrix makes `name: [v1, v2]`', async () => {
    const text = [
      'build:',
      '  stage: build',
      '  parallel: 2',
      '  script: [x]',
      'pack:',
      '  stage: build',
      '  parallel:',
      '    matrix:',
      '      - ARCH: [amd64, arm64]',
      '        OS: linux',
      '  script: [x]',
      'test:',
      '  stage: test',
      '  needs: ["build 1/2", "pack: [arm64, linux]"]',
      '  dependencies: ["build 1/2", "pack: [arm64, linux]"]',
      '  script: [x]',
      'all:',
      '  stage: test',
      '  needs: [build]',
      '  dependencies: [build]',
      '  script: [x]',
      '',
    ].join('\n');
    expect(await briefs(text)).toEqual([]);
    // Entry::Job compares dependencies with needs by the names written, before the jobs are
    // normalized: `build 2/2` is not `build`, though the need of `build` is a need of `build 2/2`.
    expect(await briefs(text.replace('dependencies: [build]', 'dependencies: ["build 2/2"]'))).toEqual([
      '.gitlab-ci.yml:20:18 error semantic/dependency-not-needed jobs:all dependencies the build 2/2 should be part of needs',
    ]);
  });

  it('a name parallel: does not make is still undefined, and the stage of the parallel job counts', async () => {
    const text =
      'build:\n  stage: deploy\n  parallel: 2\n  script: [x]\n' +
      'test:\n  stage: test\n  needs: ["build 3/2", "build 1/2"]\n  script: [x]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:7:11 error semantic/undefined-need test job: undefined need: build 3/2',
      '.gitlab-ci.yml:7:24 error semantic/need-later-stage test job: need build 1/2 is not defined in current or prior stages',
    ]);
  });
});

describe('job checks GitLab runs on jobs only, as it runs them', () => {
  it('a hidden job is a template: rules with only, script with trigger are not findings there (Entry::Hidden)', async () => {
    const text = '.tmpl:\n  rules: [{ if: $X }]\n  only: [main]\n  script: [x]\n  trigger: a/b\njob:\n  script: [x]\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a job that extends such a template gets them, at its own name', async () => {
    const text = '.tmpl:\n  rules: [{ if: $X }]\n  only: [main]\n  script: [x]\njob:\n  extends: .tmpl\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:1 error semantic/rules-with-only-except jobs:job config key may not be used with `rules`: only',
    ]);
  });

  it('only: null and except: ~ beside rules: are ignored (ignore_nil), the usual way to drop an inherited only:', async () => {
    const text =
      '.base:\n  only: [main]\n  script: [x]\njob:\n  extends: .base\n  only: null\n  except: ~\n  rules:\n    - if: $CI_COMMIT_BRANCH\n';
    expect(await briefs(text)).toEqual([]);
    expect(await briefs('job:\n  script: [x]\n  only: [main]\n  rules: [{ if: $X }]\n')).toEqual([
      '.gitlab-ci.yml:3:3 error semantic/rules-with-only-except jobs:job config key may not be used with `rules`: only',
    ]);
  });
});

describe('semantic/extends-depth as GitLab counts it (more than 10 ancestors), whatever the order of the jobs', () => {
  /** job0 extends .j1, ..., .j<hops - 1> extends .j<hops>: `hops` extends in a row. */
  const chain = (hops: number, order: 'base-first' | 'derived-first') => {
    const jobs = Array.from({ length: hops + 1 }, (_, i) => {
      const name = i === 0 ? 'job0' : `.j${i}`;
      return i === hops ? `${name}:\n  script: [x]\n` : `${name}:\n  extends: .j${i + 1}\n`;
    });
    return (order === 'base-first' ? jobs.reverse() : jobs).join('');
  };

  it('a chain of 5,000 extends is refused as too deep, not an overflowed stack', async () => {
    const found = await lint(chain(5000, 'derived-first'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.code === 'semantic/extends-depth')).toBe(true);
    expect(found[0]?.message).toBe('.j11: nesting too deep in `extends`');
  });

  it.each(['base-first', 'derived-first'] as const)(
    '%s: 11 extends in a row pass, 12 fail at the key reached with 11 ancestors',
    async (order) => {
      expect(await briefs(chain(10, order))).toEqual([]);
      expect(await briefs(chain(11, order))).toEqual([]);
      expect((await lint(chain(12, order))).map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
        'error semantic/extends-depth .j11: nesting too deep in `extends`',
      ]);
    },
  );
});

describe('a local include its rules: may exclude is not required to exist (GitLab filters by rules first)', () => {
  it('missing with rules: a warning saying why; missing without rules: still an error', async () => {
    const text =
      'include:\n  - local: ci/missing.yml\n    rules:\n      - if: $NEVER_SET == "yes"\n  - local: ci/gone.yml\njob:\n  script: [x]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:5 warning include/not-found Local file `ci/missing.yml` does not exist! ' +
        '(this include has `rules:`: GitLab reads it only when they include it)',
      '.gitlab-ci.yml:5:5 error include/not-found Local file `ci/gone.yml` does not exist!',
    ]);
  });

  it.each([
    ['a rule without a condition', '      - when: always\n', 'error'],
    ['an empty rule after one that includes', '      - if: $A\n      - {}\n', 'error'],
    ['a condition that may exclude before it', '      - if: $A\n        when: never\n      - when: always\n', 'warning'],
    ['only a rule that never includes', '      - when: never\n', 'warning'],
  ])('rules that surely include it are no rules at all: %s', async (_name, rules, severity) => {
    const text = `include:\n  - local: ci/missing.yml\n    rules:\n${rules}job:\n  script: [x]\n`;
    const [brief] = await briefs(text);
    expect(brief).toMatch(new RegExp(`^\\.gitlab-ci\\.yml:2:5 ${severity} include/not-found `));
    expect(brief?.endsWith('(this include has `rules:`: GitLab reads it only when they include it)')).toBe(severity === 'warning');
  });
});

describe('!reference to a top-level key that is not a job (GitLab digs the whole configuration)', () => {
  it('a hidden key holding a list is found', async () => {
    const text = '.setup: &setup [echo hi]\njob:\n  script:\n    - !reference [.setup]\n    - echo done\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('a key that is not there is still reported', async () => {
    expect(await briefs('job:\n  script:\n    - !reference [.nothing]\n')).toEqual([
      '.gitlab-ci.yml:3:18 error semantic/reference !reference [".nothing"] could not be found',
    ]);
  });

  it("is reported at the tag when the tag is a key's whole value, as when it is an item of a list", async () => {
    const text = 'workflow:\n  rules: !reference [.wf, rules]\njob:\n  script: [x]\n  rules: !reference [.nope, rules]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:2:21 error semantic/reference !reference [".wf", "rules"] could not be found',
      '.gitlab-ci.yml:5:21 error semantic/reference !reference [".nope", "rules"] could not be found',
    ]);
  });
});

describe('a !reference list GitLab refuses before looking it up (Tags::Reference#valid?: a list, not empty, of strings only)', () => {
  it('is "not valid", named as Ruby inspects what Psych read, never "could not be found"', async () => {
    const text = [
      '.a:',
      '  script: [echo]',
      'empty:',
      '  script: !reference []',
      'number:',
      '  script: !reference [1, script]',
      'nested:',
      '  script: !reference [.a, [script]]',
      'scalars:',
      '  script: !reference [.a, 1.0, {a: b}, ~, yes]',
      '',
    ].join('\n');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:22 error semantic/reference !reference [] is not valid',
      '.gitlab-ci.yml:6:22 error semantic/reference !reference [1, "script"] is not valid',
      '.gitlab-ci.yml:8:22 error semantic/reference !reference [".a", ["script"]] is not valid',
      '.gitlab-ci.yml:10:22 error semantic/reference !reference [".a", 1.0, {"a"=>"b"}, nil, true] is not valid',
    ]);
  });

  it('is an error even where an include cigen cannot read might hold the target', async () => {
    const text = 'include:\n  - remote: https://example.com/ci.yml\njob:\n  script: !reference [.s, 2]\n';
    expect(await briefs(text)).toEqual(['.gitlab-ci.yml:4:22 error semantic/reference !reference [".s", 2] is not valid']);
  });

  it('a tag on a scalar or a mapping (the yaml library cannot resolve it) is refused in the same words', async () => {
    const text = 'a:\n  script: !reference .a\nb:\n  script:\n    - !reference " "\nc:\n  variables: !reference {A: 1.0}\n';
    const found = await briefs(text);
    expect(found.filter((line) => line.includes('semantic/reference'))).toEqual([
      '.gitlab-ci.yml:2:11 error semantic/reference !reference ".a" is not valid',
      '.gitlab-ci.yml:5:7 error semantic/reference !reference nil is not valid',
      '.gitlab-ci.yml:7:14 error semantic/reference !reference {"A"=>1.0} is not valid',
    ]);
    expect(found.filter((line) => line.includes('unknown-tag'))).toEqual([]);
  });

  it("quoted digits and an alias to a string are strings, as Psych reads them: valid, and the alias's text looked up", async () => {
    const text = ".x: &x .a\n.a:\n  '1': [echo]\njob:\n  script: !reference [*x, '1']\n";
    expect(await briefs(text)).toEqual([]);
  });
});

describe('messages that say what is wrong', () => {
  it('include: [{local: [x]}]: the value is wrong, `local` is no unknown key (no "did you mean local?")', async () => {
    expect(await briefs('include:\n  - local: [x]\njob:\n  script: [x]\n')).toEqual([
      '.gitlab-ci.yml:2:12 error schema/type include:0:local config should be a string',
    ]);
  });

  it('a hash in dependencies or extends is the schema finding alone, never "[object Object]"', async () => {
    const text = 'a:\n  script: [x]\nb:\n  script: [x]\n  dependencies: [{a: 1}]\nc:\n  extends: {a: 1}\n  script: [x]\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:5:18 error schema/type jobs:b:dependencies:0 config should be a string',
      '.gitlab-ci.yml:7:12 error schema/type jobs:c:extends config should be a string or an array',
    ]);
  });
});

describe('needs in rules: and the job of a child pipeline artifact include are checked as GitLab checks them', () => {
  it('rules[].needs: undefined and later-stage jobs; trigger:include:job: an undefined dependency', async () => {
    const text = [
      'build:',
      '  stage: build',
      '  script: [x]',
      'deploy:',
      '  stage: build',
      '  script: [x]',
      '  rules:',
      '    - if: $CI_COMMIT_BRANCH',
      '      needs: [nonexistent, late, build]',
      'late:',
      '  stage: deploy',
      '  script: [x]',
      'child:',
      '  stage: test',
      '  trigger:',
      '    include:',
      '      - artifact: gen.yml',
      '        job: generator-missing',
      '      - artifact: gen.yml',
      '        job: build',
      '',
    ].join('\n');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:9:15 error semantic/undefined-need deploy job: undefined need: nonexistent',
      '.gitlab-ci.yml:9:28 error semantic/need-later-stage deploy job: need late is not defined in current or prior stages',
      '.gitlab-ci.yml:18:14 error semantic/undefined-dependency child job: undefined dependency: generator-missing',
    ]);
  });
});

describe("plain scalars are read as GitLab's Psych reads them (Psych::ScalarScanner), on both YAML paths", () => {
  const included =
    'spec:\n  inputs:\n    s: {}\n    n: {type: number}\n---\njob-$[[ inputs.n ]]:\n  stage: test\n  script: [echo $[[ inputs.s ]]]\n';
  const pipeline = (s: string, n: string) => `include:\n  - local: ci/t.yml\n    inputs:\n      s: ${s}\n      n: ${n}\n`;
  const inputFindings = async (s: string, n: string) =>
    (await briefs(pipeline(s, n), { 'ci/t.yml': included })).filter((line) => line.includes('include/inputs'));
  for (const fast of ['1', '0'])
    it(`1e3 and 1.0e3 are strings, 1,000 and 1.0e+3 numbers (CIGEN_YAML_FAST=${fast})`, async () => {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        expect(await inputFindings('1e3', '1,000')).toEqual([]);
        expect(await inputFindings('1.0e3', '1.0e+3')).toEqual([]);
        expect(await inputFindings('1,000', '1e3')).toEqual([
          '.gitlab-ci.yml:4:10 error include/inputs `ci/t.yml`: `s` input: provided value is not a string',
          '.gitlab-ci.yml:5:10 error include/inputs `ci/t.yml`: `n` input: provided value is not a number',
        ]);
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    });
});

it('an explicit !!int is read as Psych reads it, in every base (it was the binary tag: NaN)', async () => {
  const value = (text: string) => documentValue(parseYamlDocument(`a: ${text}`));
  expect(['!!int "7"', '!!int "0x1f"', '!!int 010', '!!int "0b101"', '!!int 1_000'].map((text) => value(text))).toEqual([
    { a: 7 },
    { a: 31 },
    { a: 8 },
    { a: 5 },
    { a: 1000 },
  ]);
  expect(await briefs('job:\n  script: [x]\n  retry: !!int "2"\n')).toEqual([]);
});

describe('a plain date or timestamp: GitLab refuses the file (YAML.safe_load permits no Date, no Time)', () => {
  for (const fast of ['1', '0'])
    it(`one error at the scalar, in Psych's words, and nothing after it (CIGEN_YAML_FAST=${fast})`, async () => {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        expect(await briefs('variables:\n  D: 2024-01-01\njob:\n  script: [x]\n')).toEqual([
          '.gitlab-ci.yml:2:6 error yaml/unknown-tag Tried to load unspecified class: Date',
        ]);
        const included = 'spec:\n  inputs:\n    stage: {}\n---\njob:\n  stage: $[[ inputs.stage ]]\n  script: [x]\n';
        expect(
          await briefs('include:\n  - local: ci/t.yml\n    inputs:\n      stage: 2024-01-01 10:00:00\n', { 'ci/t.yml': included }),
        ).toEqual(['.gitlab-ci.yml:4:14 error yaml/unknown-tag Tried to load unspecified class: Time']);
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    });
});

describe('a job that extends a base cigen cannot see is not judged by what the base may give (GitLab merges includes, then extends, then checks)', () => {
  const unread = 'include:\n  - project: group/ci-templates\n    file: /templates/jobs.yml\nstages: [build, deploy, verify]\n';
  const unknown = (line: number, job: string, base: string) =>
    `.gitlab-ci.yml:${line}:12 warning semantic/extends-unknown ${job}: unknown keys in \`extends\` (${base}) ` +
    '(it may come from an include cigen cannot read)';

  it('no script of its own: neither a trigger job, nor in stage test, nor without an environment; only the base is named', async () => {
    const text =
      unread +
      'migrate:\n  stage: deploy\n  script: [migrate]\n' +
      'image-build:\n  extends: .kaniko\n  needs: [migrate]\n  tags: [docker]\n  timeout: 1h\n' +
      'smoke:\n  extends: .verify\n  needs: [migrate]\n' +
      'review:\n  stage: deploy\n  script: [deploy]\n  environment:\n    name: review\n    on_stop: stop-review\n' +
      'stop-review:\n  extends: .stop\n  stage: deploy\n';
    expect(await briefs(text)).toEqual([
      unknown(9, 'image-build', '.kaniko'),
      unknown(14, 'smoke', '.verify'),
      unknown(23, 'stop-review', '.stop'),
    ]);
  });

  it('nor by a when:, start_in, pages:, artifacts:paths or cache:key:files the base may give; through a base that extends it too', async () => {
    const text =
      unread +
      '.local:\n  extends: .remote\n' +
      'a:\n  extends: .local\n  script: [x]\n  start_in: 1 hour\n' +
      'b:\n  extends: .remote\n  script: [x]\n  when: delayed\n' +
      'c:\n  extends: .remote\n  script: [x]\n  publish: public\n' +
      'd:\n  extends: .remote\n  script: [x]\n  artifacts:\n    expose_as: report\n' +
      'e:\n  extends: .remote\n  script: [x]\n  cache:\n    key:\n      prefix: x\n' +
      'f:\n  extends: .remote\n  needs: [{ pipeline: $PARENT }]\n  coverage: "/(?<=x)/"\n' +
      'g:\n  extends: .remote\n  trigger: { include: x.yml }\n  image: alpine\n';
    expect(await briefs(text)).toEqual([
      unknown(6, '.local', '.remote'),
      unknown(12, 'b', '.remote'),
      unknown(16, 'c', '.remote'),
      unknown(20, 'd', '.remote'),
      unknown(25, 'e', '.remote'),
      unknown(31, 'f', '.remote'),
      unknown(35, 'g', '.remote'),
    ]);
  });

  it('what holds whatever the base adds is still an error: its own when: never, stages both written, an environment it names', async () => {
    const text =
      unread +
      'h:\n  extends: .remote\n  script: [x]\n  when: never\n' +
      'i:\n  extends: .remote\n  stage: build\n  needs: [j]\n' +
      'j:\n  stage: deploy\n  script: [x]\n  environment: { name: review, on_stop: k }\n' +
      'k:\n  extends: .remote\n  stage: deploy\n  environment: { name: other }\n' +
      'l:\n  stage: deploy\n  script: [x]\n  environment: { name: review, on_stop: m }\n' +
      'm:\n  extends: .remote\n  stage: deploy\n  environment: { name: review, action: start }\n';
    expect(await briefs(text)).toEqual([
      unknown(6, 'h', '.remote'),
      '.gitlab-ci.yml:8:9 error semantic/job-when jobs:h when should be one of: on_success, on_failure, always, manual, delayed',
      unknown(10, 'i', '.remote'),
      '.gitlab-ci.yml:12:11 error semantic/need-later-stage i job: need j is not defined in current or prior stages',
      '.gitlab-ci.yml:16:41 error semantic/on-stop j job: on_stop job k have different environment name',
      unknown(18, 'k', '.remote'),
      '.gitlab-ci.yml:24:41 error semantic/on-stop l job: on_stop job m needs to have action stop defined',
      unknown(26, 'm', '.remote'),
    ]);
  });

  it('an on_stop job whose environment has no action, or a job whose environment has no name, where a base cigen cannot see may give one', async () => {
    const text =
      unread +
      '.deploy:\n  extends: .remote-deploy\n  environment: { name: review, on_stop: stop }\n' +
      'review:\n  extends: .deploy\n  stage: deploy\n' +
      'stop:\n  extends: .remote-stop\n  stage: deploy\n  environment: { name: review }\n';
    expect(await briefs(text)).toEqual([unknown(6, '.deploy', '.remote-deploy'), unknown(12, 'stop', '.remote-stop')]);
  });

  it('the same jobs with their bases in a local include: judged in full', async () => {
    const text =
      'include:\n  - local: ci/jobs.yml\nstages: [build, test, deploy]\njob:\n  extends: .base\n  needs: [late]\n  tags: [x]\nlate:\n  stage: deploy\n  script: [x]\n';
    expect(await briefs(text, { 'ci/jobs.yml': '.base:\n  variables: { A: a }\n' })).toEqual([
      '.gitlab-ci.yml:4:1 error semantic/no-script jobs:job config should contain either a trigger or a needs:pipeline',
      '.gitlab-ci.yml:6:11 error semantic/need-later-stage job job: need late is not defined in current or prior stages',
      '.gitlab-ci.yml:7:3 error semantic/trigger-job jobs:job config contains unknown keys: tags',
    ]);
  });
});

describe('a job written in two files (GitLab merges them, the later over the earlier): each finding in the file that writes the place', () => {
  const root = 'include:\n  - local: a.yml\nstages: [build, test]\nlate:\n  stage: test\n  script: x\n';

  it('what the included file writes is shown there, what the root writes in the root', async () => {
    const included = 'j:\n  script: echo\n  retry: 2.0\n  artifacts:\n    expire_in: 3 parsecs\n';
    expect(await briefs(`${root}j:\n  stage: build\n  needs: [late]\n  artifacts:\n    paths: [x]\n`, { 'a.yml': included })).toEqual([
      '.gitlab-ci.yml:9:11 error semantic/need-later-stage j job: need late is not defined in current or prior stages',
      'a.yml:3:10 error schema/type jobs:j:retry config should be an integer or a hash (`2.0` is a float to GitLab: write `2`)',
      'a.yml:5:16 error semantic/duration jobs:j:artifacts expire in should be a duration',
    ]);
  });

  it('a place both files write: the later file, whose value GitLab keeps', async () => {
    const included = 'j:\n  script: echo\n  artifacts:\n    expire_in: 1 day\n';
    expect(await briefs(`${root}j:\n  artifacts:\n    expire_in: 3 parsecs\n`, { 'a.yml': included })).toEqual([
      '.gitlab-ci.yml:9:16 error semantic/duration jobs:j:artifacts expire in should be a duration',
    ]);
  });
});

describe('a job is validated with its extends bases merged in, as GitLab validates it', () => {
  it('a hash the job completes from a base is not missing what the base gives (environment: name, then on_stop or action)', async () => {
    const text =
      '.env:\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n' +
      'review:\n  extends: .env\n  script: [deploy]\n  environment:\n    on_stop: stop\n' +
      'stop:\n  extends: .env\n  script: [stop]\n  when: manual\n  environment:\n    action: stop\n';
    expect(await briefs(text)).toEqual([]);
  });

  it('what the merged job still lacks, or writes wrong, is still an error where the job writes it', async () => {
    const text =
      '.env:\n  environment:\n    url: https://review.example.com\n' +
      'review:\n  extends: .env\n  script: [deploy]\n  environment:\n    on_stop: stop\n' +
      'typo:\n  extends: .env\n  script: [deploy]\n  environment:\n    name: x\n    actoin: stop\n';
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:8:5 error schema/required jobs:review:environment config is missing required keys: name',
      '.gitlab-ci.yml:8:14 error semantic/on-stop review job: on_stop job stop is not defined',
      '.gitlab-ci.yml:14:5 error schema/unknown-key jobs:typo:environment config contains unknown keys: actoin (did you mean action?)',
    ]);
  });

  it('a base cigen cannot see may give a missing key: not reported; a wrong value the job writes still is', async () => {
    const text = 'review:\n  extends: .elsewhere\n  script: [deploy]\n  environment:\n    on_stop: stop\n  retry: 7\n';
    expect((await briefs(text, {}, { pipeline: false })).filter((line) => line.includes('schema/'))).toEqual([
      '.gitlab-ci.yml:6:10 error schema/maximum jobs:review:retry config must be less than or equal to 2',
    ]);
  });

  it('nor an item of a list the job writes: extends replaces lists, so no base completes one', async () => {
    const text = 'b:\n  extends: .remote\n  script: [x]\n  services: [{alias: db}]\n  cache: [{key: {prefix: x}}]\n';
    expect((await briefs(text, {}, { pipeline: false })).filter((line) => line.includes('error'))).toEqual([
      '.gitlab-ci.yml:4:14 error schema/required jobs:b:services:0 config is missing required keys: name',
      '.gitlab-ci.yml:5:17 error semantic/cache jobs:b:cache:0:key config must use exactly one of these keys: files, files_commits',
    ]);
  });
});
