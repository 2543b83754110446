/**
 * `cigen lint` checks the syntax of CI/CD variable expressions as GitLab does (ExpressionValidator
 * on `rules:if` of jobs, `workflow:rules` and `include:rules`; Policy's
 * variables_expressions_syntax on `only:/except: variables`), with GitLab's message, at the value.
 * Before, every one of these pipelines linted clean while GitLab refused it.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { lintText, type LintOptions } from '../../src/lint/lint-text.js';
import { catalogHost } from '../helpers/lint-host.js';

const lint = (text: string, files: Record<string, string> = {}, options: Partial<LintOptions> = {}): Promise<Diagnostic[]> =>
  lintText(text, { file: '.gitlab-ci.yml', host: catalogHost((path) => files[path]), ...options });
const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
const briefs = async (...args: Parameters<typeof lint>) => (await lint(...args)).map(brief);
const expressionFindings = async (...args: Parameters<typeof lint>) =>
  (await lint(...args)).filter((d) => d.code === 'semantic/expression').map(brief);

describe('rules:if of a job', () => {
  it('a single `=`, an unquoted string and an empty condition are each GitLab\'s "invalid expression syntax", at the value', async () => {
    const text = [
      'job:',
      '  script: echo',
      '  rules:',
      '    - if: $CI_COMMIT_BRANCH = "main"',
      '    - if: $CI_COMMIT_BRANCH == main',
      "    - if: ''",
      '',
    ].join('\n');
    expect(await briefs(text)).toEqual([
      '.gitlab-ci.yml:4:11 error semantic/expression jobs:job:rules:rule if invalid expression syntax ' +
        '(GitLab cannot read `=` at character 19: compare with `==`, match with `=~`)',
      '.gitlab-ci.yml:5:11 error semantic/expression jobs:job:rules:rule if invalid expression syntax ' +
        '(GitLab cannot read `main` at character 22: a string needs quotes, "main")',
      '.gitlab-ci.yml:6:11 error semantic/expression jobs:job:rules:rule if invalid expression syntax (the expression is empty)',
    ]);
  });

  it('unbalanced parentheses, a dangling operator, two values without one, a bad pattern, too many tokens', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `$V${i}`).join(' || ');
    const rules = ['($A', '$A)', '$A &&', '$A $B', '$A =~ /[ab/', '$A =~ /a/', many].map((c) => `    - if: '${c}'`);
    const findings = await expressionFindings(['job:', '  script: echo', '  rules:', ...rules, ''].join('\n'));
    expect(findings.map((f) => f.replace(/^.*invalid expression syntax /, ''))).toEqual([
      '(a `(` is never closed)',
      '(a `)` closes no `(`)',
      '(`&&` lacks an operand)',
      '(two values with no operator between them)',
      '(`/[ab/` is not a valid RE2 pattern: missing closing ]: [ab)',
      '(GitLab cannot read `/a/` at character 7: a pattern needs two or more characters between its slashes)',
      '(too many tokens: GitLab reads fewer than 100)',
    ]);
    expect(findings.map((f) => f.split(' ')[0])).toEqual([4, 5, 6, 7, 8, 9, 10].map((line) => `.gitlab-ci.yml:${line}:11`));
  });

  it('a word GitLab cannot read: quotes advised only where a quoted string is read; a flag, NULL, True and 1.5 said as they are', async () => {
    const conditions = [
      '$CI_COMMIT_BRANCH =~ /^feature-/g',
      '$A =~ /ab/ig',
      '$CI_COMMIT_TAG == NULL',
      '$CI_COMMIT_TAG == nil',
      '$A == True',
      '$A == 1.5',
      '($A == main-1) || $B',
      '$A and $B',
      '$A == or',
      // No advice is sure: a value before the word (quoting it leaves two values), a word that runs
      // into what no quoting fixes.
      '$A main',
      '$A == "x" y',
      '$A == null_x',
      '$A == foo=bar',
    ];
    const findings = await expressionFindings(
      ['job:', '  script: echo', '  rules:', ...conditions.map((c) => `    - if: ${JSON.stringify(c)}`), ''].join('\n'),
    );
    expect(findings.map((f) => f.replace(/^.*invalid expression syntax /, ''))).toEqual([
      '(GitLab cannot read `g` at character 33: the flags of a pattern are i, m, s and U only)',
      '(GitLab cannot read `g` at character 12: the flags of a pattern are i, m, s and U only)',
      '(GitLab cannot read `NULL` at character 19: null is written `null`)',
      '(GitLab cannot read `nil` at character 19: null is written `null`)',
      '(GitLab cannot read `True` at character 7: a boolean is written `true` or `false`)',
      '(GitLab cannot read `1.5` at character 7: a string needs quotes, "1.5")',
      '(GitLab cannot read `main-1)` at character 8: a string needs quotes, "main-1")',
      '(GitLab cannot read `and` at character 4: join conditions with `&&` and `||`)',
      '(GitLab cannot read `or` at character 7: a string needs quotes, "or")',
      '(GitLab cannot read `main` at character 4)',
      '(GitLab cannot read `y` at character 11)',
      '(GitLab cannot read `_x` at character 11)',
      '(GitLab cannot read `foo=bar` at character 7)',
    ]);
  });

  it("the expressions of GitLab's docs lint clean", async () => {
    const conditions = [
      '$CI_PIPELINE_SOURCE == "merge_request_event"',
      "$VARIABLE != 'some value'",
      '$VARIABLE_1 == $VARIABLE_2',
      '$VARIABLE == null',
      '$VARIABLE == ""',
      '$VARIABLE',
      '$VARIABLE =~ /^content.*/',
      '$VARIABLE !~ /^content.*/i',
      '$teststring =~ $pattern',
      '$VARIABLE1 =~ /^content.*/ || $VARIABLE2 =~ /thing$/ && $VARIABLE3',
      '($VARIABLE1 =~ /^content.*/ || $VARIABLE2) && ($VARIABLE3 =~ /thing$/ || $VARIABLE4)',
      '$CI_COMMIT_BRANCH == "my-branch" || (($VARIABLE1 == "thing" || $VARIABLE2 == "thing") && $VARIABLE3)',
    ];
    const text = ['job:', '  script: echo', '  rules:', ...conditions.map((c) => `    - if: ${JSON.stringify(c)}`), ''].join('\n');
    expect(await briefs(text)).toEqual([]);
  });

  it('GitLab downcases its message, the job name too; a hidden job (a template) is checked where it is written', async () => {
    const text = '.base:\n  rules:\n    - if: $A == b\nBuild:\n  extends: .base\n  script: echo\n  rules:\n    - if: $A == b\n';
    expect(await expressionFindings(text)).toEqual([
      expect.stringMatching(
        new RegExp(
          '^\\.gitlab-ci\\.yml:3:11 error semantic/expression jobs:\\.base:rules:rule if invalid expression syntax \\(.*\\); ' +
            '\\.base is hidden: GitLab refuses it in each job that extends or references it$',
        ),
      ),
      expect.stringMatching(
        /^\.gitlab-ci\.yml:8:11 error semantic\/expression jobs:build:rules:rule if invalid expression syntax \([^;]*$/,
      ),
    ]);
  });

  it('rules nested in lists (GitLab flattens them) and rules from an anchor are found at their place', async () => {
    const text = [
      '.conditions:',
      '  rules: &rules',
      '    - if: $A == "x"',
      '    - if: $A ==',
      'job:',
      '  script: echo',
      '  rules:',
      '    - [{if: $B = "y"}]',
      '    - *rules',
      '',
    ].join('\n');
    expect((await expressionFindings(text)).map((f) => f.split(' ').slice(0, 3).join(' '))).toEqual([
      '.gitlab-ci.yml:4:11 error semantic/expression',
      '.gitlab-ci.yml:8:13 error semantic/expression',
      '.gitlab-ci.yml:9:7 error semantic/expression',
    ]);
  });
});

describe('workflow:rules, include:rules, only/except variables', () => {
  it('workflow:rules', async () => {
    expect(await expressionFindings("workflow:\n  rules:\n    - if: '$X =='\njob:\n  script: echo\n")).toEqual([
      '.gitlab-ci.yml:3:11 error semantic/expression workflow:rules:rule if invalid expression syntax (`==` lacks an operand)',
    ]);
  });

  it('include:rules, whether the include can be read or not (GitLab checks the rules before it reads the file)', async () => {
    const text = [
      'include:',
      '  - local: ci/a.yml',
      '    rules:',
      '      - if: $A && && $B',
      '  - remote: https://example.com/ci.yml',
      '    rules:',
      '      - if: foo bar',
      'job:',
      '  script: echo',
      '',
    ].join('\n');
    expect(await expressionFindings(text, { 'ci/a.yml': 'other:\n  script: echo\n' })).toEqual([
      '.gitlab-ci.yml:4:13 error semantic/expression include:rule if invalid expression syntax (`&&` lacks an operand)',
      '.gitlab-ci.yml:7:13 error semantic/expression include:rule if invalid expression syntax (GitLab cannot read `foo` at character 1: a string needs quotes, "foo")',
    ]);
  });

  it('only:variables and except:variables', async () => {
    const text = [
      'job:',
      '  script: echo',
      '  only:',
      '    variables:',
      '      - $RELEASE == "yes"',
      '      - $RELEASE = "yes"',
      '  except:',
      '    variables: [$A =~ /(?<=x)y/]',
      '',
    ].join('\n');
    expect(await expressionFindings(text)).toEqual([
      '.gitlab-ci.yml:6:9 error semantic/expression jobs:job:only variables invalid expression syntax ' +
        '(GitLab cannot read `=` at character 10: compare with `==`, match with `=~`)',
      '.gitlab-ci.yml:8:17 error semantic/expression jobs:job:except variables invalid expression syntax ' +
        '(`/(?<=x)y/` is not a valid RE2 pattern: lookaround assertions are not supported by RE2)',
    ]);
  });

  it('an included file is checked in that file', async () => {
    expect(
      await expressionFindings('include: ci/a.yml\njob:\n  script: echo\n', {
        'ci/a.yml': 'other:\n  script: echo\n  rules: [{if: "!$A"}]\n',
      }),
    ).toEqual([
      'ci/a.yml:3:16 error semantic/expression jobs:other:rules:rule if invalid expression syntax ' +
        '(GitLab cannot read `!$A` at character 1: there is no `!` operator; compare with `== null` or `== ""`)',
    ]);
  });
});

describe('interpolation blocks in a component template', () => {
  const component = (condition: string) =>
    `spec:\n  inputs:\n    branch:\n      default: main\n---\njob:\n  script: echo\n  rules:\n    - if: ${condition}\n`;

  it('an `if:` with a block is not checked: GitLab substitutes the block before it reads the expression', async () => {
    // With its default the condition would read `main == $CI_COMMIT_BRANCH`; what an include passes decides.
    expect(await expressionFindings(component('$[[ inputs.branch ]] == $CI_COMMIT_BRANCH'), {}, { file: 'templates/c.yml' })).toEqual([]);
    expect(
      await expressionFindings('include:\n  - local: templates/c.yml\n    inputs: {branch: main}\nj:\n  script: echo\n', {
        'templates/c.yml': component('$[[ inputs.branch ]] == $CI_COMMIT_BRANCH'),
      }),
    ).toEqual([]);
  });

  it('an `if:` of a template without a block is checked like any other', async () => {
    expect(await expressionFindings(component('$CI_COMMIT_BRANCH = "main"'), {}, { file: 'templates/c.yml' })).toEqual([
      'templates/c.yml:9:11 error semantic/expression jobs:job:rules:rule if invalid expression syntax ' +
        '(GitLab cannot read `=` at character 19: compare with `==`, match with `=~`)',
    ]);
  });

  it('a file without a spec: header that holds a block: the block is left to the spec layer', async () => {
    expect(await expressionFindings('job:\n  script: echo\n  rules:\n    - if: $[[ inputs.x ]] = 1\n')).toEqual([]);
  });
});

describe('rules:if a !reference brings in (GitLab resolves the tags, then Rules::Rule validates `if`)', () => {
  const takes = (job: string) => `${job} takes it in through !reference, and GitLab refuses it in each job that does`;
  const equals = (at: number) => `(GitLab cannot read \`=\` at character ${at}: compare with \`==\`, match with \`=~\`)`;

  it('a rule, an `if:`, or rules from a hidden key: once each, where the expression is written, for the first job that takes it', async () => {
    const text = [
      '.if-bad:',
      '  if: $CI_COMMIT_BRANCH = "main"',
      '.never-on-tags:',
      '  if: $CI_COMMIT_TAG = "x"',
      '  when: never',
      '.conditions:',
      '  list:',
      '    - if: $A = "a"',
      '    - !reference [.via]',
      '.via:',
      '  if: !reference [.deep, if]',
      '.deep:',
      '  if: $D = "d"',
      'job:',
      '  script: [x]',
      '  rules:',
      '    - !reference [.never-on-tags]',
      '    - if: !reference [.if-bad, if]',
      'other:',
      '  script: [x]',
      '  rules: !reference [.conditions, list]',
      'third:',
      '  script: [x]',
      '  rules:',
      '    - !reference [.never-on-tags]',
      '',
    ].join('\n');
    expect(await expressionFindings(text)).toEqual([
      `.gitlab-ci.yml:2:7 error semantic/expression jobs:job:rules:rule if invalid expression syntax ${equals(19)}; ${takes('job')}`,
      `.gitlab-ci.yml:4:7 error semantic/expression jobs:job:rules:rule if invalid expression syntax ${equals(16)}; ${takes('job')}`,
      `.gitlab-ci.yml:8:11 error semantic/expression jobs:other:rules:rule if invalid expression syntax ${equals(4)}; ${takes('other')}`,
      `.gitlab-ci.yml:13:7 error semantic/expression jobs:other:rules:rule if invalid expression syntax ${equals(4)}; ${takes('other')}`,
    ]);
  });

  it('in the included file that writes it; workflow:rules; a hidden job that takes it says so', async () => {
    const text = [
      'include: ci/rules.yml',
      'workflow:',
      '  rules:',
      '    - if: !reference [.if-workflow, if]',
      '.tmpl:',
      '  rules:',
      '    - !reference [.rule-list]',
      'job:',
      '  extends: .tmpl',
      '  script: [x]',
      '',
    ].join('\n');
    const rules = '.if-workflow:\n  if: $W = "w"\n.rule-list:\n  - if: $R = "r"\n';
    expect(await expressionFindings(text, { 'ci/rules.yml': rules })).toEqual([
      `ci/rules.yml:2:7 error semantic/expression workflow:rules:rule if invalid expression syntax ${equals(4)}; ` +
        'workflow:rules take it in through !reference',
      `ci/rules.yml:4:9 error semantic/expression jobs:.tmpl:rules:rule if invalid expression syntax ${equals(4)}; ` +
        '.tmpl takes it in through !reference; .tmpl is hidden: GitLab refuses it in each job that extends or references it',
    ]);
  });

  it("rules a tag brings from another job's rules: are checked there, once; a good expression and a block are clean", async () => {
    const text = [
      '.base:',
      '  rules:',
      '    - if: $E = "e"',
      '.good:',
      '  if: $CI_COMMIT_BRANCH == "main"',
      'job:',
      '  script: [x]',
      '  rules:',
      '    - !reference [.base, rules]',
      '    - !reference [.good]',
      '',
    ].join('\n');
    expect(await expressionFindings(text)).toEqual([
      `.gitlab-ci.yml:3:11 error semantic/expression jobs:.base:rules:rule if invalid expression syntax ${equals(4)}; ` +
        '.base is hidden: GitLab refuses it in each job that extends or references it',
    ]);
    const component =
      'spec:\n  inputs:\n    ref: {}\n---\n.if-ref:\n  if: $[[ inputs.ref ]] = 1\njob:\n  script: [x]\n  rules: [!reference [.if-ref]]\n';
    expect(await expressionFindings(component, {}, { file: 'templates/c.yml' })).toEqual([]);
  });
});
