/** `cigen lint`, layer by layer: positions, codes, and GitLab's own wording. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INHERITABLE_BEYOND_SCHEMA } from '../../src/ci/entries-read.js';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { lintFile, lintText, type LintHost } from '../../src/lint/lint-text.js';
import { CATALOG_MAJOR, CATALOG_VERSION } from '../../src/ci/component-ref.js';
import { catalogHost } from '../helpers/lint-host.js';

const host = (files: Record<string, string>): LintHost => catalogHost((path) => files[path]);

async function lint(text: string, files: Record<string, string> = {}, file = '.gitlab-ci.yml'): Promise<Diagnostic[]> {
  return lintText(text, { file, host: host(files) });
}
const CATALOG = '$CI_SERVER_FQDN/ci-components/cigen';
const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;
const briefs = async (...args: Parameters<typeof lint>) => (await lint(...args)).map(brief);

describe('yaml layer', () => {
  it('reports a syntax error with its position and stops there', async () => {
    expect(await briefs('build:\n  script: [echo\n  stage: test\n')).toEqual([
      expect.stringMatching(/^\.gitlab-ci\.yml:\d+:\d+ error yaml\/syntax /),
    ]);
  });
  it('warns on a duplicate key (GitLab keeps the last one) and goes on', async () => {
    const found = await briefs('build:\n  script: [a]\n  script: [b]\n');
    expect(found).toEqual([expect.stringMatching(/^\.gitlab-ci\.yml:3:3 warning yaml\/duplicate-key .*GitLab keeps the last one$/)]);
  });
  it('knows !reference and refuses unknown tags', async () => {
    expect(await briefs('.setup:\n  script: [echo setup]\nbuild:\n  script: [!reference [.setup, script], echo]\n')).toEqual([]);
    expect(await briefs('build:\n  script: !shell echo\n')).toEqual([expect.stringMatching(/error yaml\/unknown-tag/)]);
  });
  it('an empty file', async () => {
    expect(await briefs('')).toEqual(['.gitlab-ci.yml:1:1 error yaml/empty Please provide content of .gitlab-ci.yml']);
  });
});

describe('schema layer', () => {
  it('names an unknown key at the key and suggests the nearest valid one', async () => {
    expect(await briefs('build:\n  stage: test\n  scirpt: [echo]\n  script: [echo]\n')).toEqual([
      '.gitlab-ci.yml:3:3 error schema/unknown-key jobs:build config contains unknown keys: scirpt (did you mean script?)',
    ]);
  });
  it('reduces oneOf/anyOf noise to one message at the value', async () => {
    expect(await briefs('build:\n  image: 123\n  script: [echo]\n')).toEqual([
      '.gitlab-ci.yml:2:10 error schema/type jobs:build:image config should be a string or a hash',
    ]);
    expect(await briefs('build:\n  image: {name: alpine, entrypont: [""]}\n  script: [echo]\n')).toEqual([
      '.gitlab-ci.yml:2:25 error schema/unknown-key jobs:build:image config contains unknown keys: entrypont (did you mean entrypoint?)',
    ]);
  });
  it('reports every problem of a file, each once', async () => {
    const found = await briefs('stages: build\nbuild:\n  when: sometimes\n  retry: {max: 9}\n  script: [echo]\n');
    expect(found).toEqual([
      '.gitlab-ci.yml:1:9 error schema/type stages config should be an array',
      expect.stringMatching(/^\.gitlab-ci\.yml:3:9 error schema\/enum jobs:build:when config should be one of: /),
      expect.stringMatching(/^\.gitlab-ci\.yml:4:16 error schema\/\w+ jobs:build:retry:max /),
    ]);
  });
});

describe('component spec layer', () => {
  const component = (header: string, content = 'job:\n  script:\n    - echo $[[ inputs.a ]]\n') =>
    lint(`${header}\n---\n${content}`, {}, 'templates/x.yml');
  it('refuses an empty spec:inputs (it breaks catalog releases), once, and what it advises lints clean', async () => {
    expect((await component('spec:\n  inputs:', 'job:\n  script: [echo]\n')).map(brief)).toEqual([
      'templates/x.yml:2:3 error spec/empty-inputs spec:inputs is empty, which breaks catalog releases; write `spec: {}` instead',
    ]);
    expect(await component('spec: {}', 'job:\n  script: [echo]\n')).toEqual([]);
  });
  it('takes `spec:` with no value, as GitLab does (an unspecified spec is its default, {})', async () => {
    expect(await component('spec:', 'job:\n  script: [echo]\n')).toEqual([]);
  });
  it('unknown keys in spec and in an input', async () => {
    const found = (await component('spec:\n  arguments: {}\n  inputs:\n    a:\n      requird: true')).map(brief);
    expect(found).toContainEqual(expect.stringContaining('2:3 error spec/unknown-key header:spec config contains unknown keys: arguments'));
    expect(found).toContainEqual(expect.stringContaining('5:7 error spec/input-unknown-key `a` input: unknown key `requird`'));
  });
  it('defaults: type, options, regex; no length limit', async () => {
    const found = (
      await component(
        'spec:\n  inputs:\n    a: {type: number, default: "1"}\n    b: {options: [x, y], default: z}\n' +
          `    c: {regex: "^v[0-9]+$", default: "1.0"}\n    d: {default: "${'x'.repeat(1100)}"}`,
        'job:\n  script:\n    - echo $[[ inputs.a ]] $[[ inputs.b ]] $[[ inputs.c ]] $[[ inputs.d ]]\n',
      )
    ).map(brief);
    expect(found).toContainEqual(expect.stringContaining('error spec/default-type `a` input: default value is not a number'));
    expect(found).toContainEqual(
      expect.stringContaining('error spec/options `b` input: `z` cannot be used because it is not in the list of allowed options'),
    );
    expect(found).toContainEqual(
      expect.stringContaining('error spec/regex `c` input: default value does not match required RegEx pattern'),
    );
    // GitLab sets no limit on the length of a default (nor of a given value).
    expect(found.filter((line) => line.includes('`d`') && line.includes(' error '))).toEqual([]);
  });
  it("a description of any length: Entry::BaseInput sets no limit (ci.json's 1024 characters are the editor's)", async () => {
    const long = 'word '.repeat(300).trim();
    expect(await component(`spec:\n  inputs:\n    a:\n      default: x\n      regex: "^[a-z]*$"\n      description: ${long}`)).toEqual([]);
    expect(await lint(`job:\n  script: [echo]\n  inputs:\n    a:\n      default: x\n      description: ${long}\n`)).toEqual([]);
  });
  it('a null default (`default: null`, `default:`) fails its type check, as on every include of the component', async () => {
    const found = (
      await component(
        'spec:\n  inputs:\n    a: {default: null}\n    n:\n      type: number\n      default:',
        'job:\n  script:\n    - echo $[[ inputs.a ]] $[[ inputs.n ]]\n',
      )
    ).map(brief);
    expect(found.filter((line) => line.includes('spec/default-type'))).toEqual([
      'templates/x.yml:3:18 error spec/default-type `a` input: default value is not a string',
      'templates/x.yml:6:15 error spec/default-type `n` input: default value is not a number',
    ]);
  });
  it('blocks: undeclared inputs, unknown functions, too many functions, unused inputs', async () => {
    const found = (
      await component(
        'spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}\n    unused: {default: y, regex: "^y$"}',
        'job:\n  script:\n    - echo $[[ inputs.b ]]\n    - echo $[[ inputs.a | shout ]]\n' +
          '    - echo $[[ inputs.a | truncate(0,1) | truncate(0,1) | truncate(0,1) | truncate(0,1) ]]\n',
      )
    ).map(brief);
    expect(found).toContainEqual(expect.stringContaining('8:7 error spec/undeclared-input unknown interpolation key: `b`'));
    expect(found).toContainEqual(expect.stringContaining('9:7 error spec/unknown-function no function matching `shout`'));
    expect(found).toContainEqual(expect.stringContaining('10:7 error spec/too-many-functions too many functions in interpolation block'));
    expect(found).toContainEqual(expect.stringContaining('4:5 warning spec/unused-input input `unused` is declared but never used'));
  });
  it("a string over 1 MiB is GitLab's `config node too large` under classic interpolation, whatever the inputs", async () => {
    const mib = 1024 * 1024;
    const text = (size: number) => `echo $[[ inputs.a ]] ${'x'.repeat(size - 'echo $[[ inputs.a ]] '.length)}`;
    expect(
      (await component('spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}', `job:\n  script:\n    - ${text(mib + 1)}\n`)).map(brief),
    ).toEqual([
      'templates/x.yml:7:7 error spec/node-too-large config node too large (this string is over 1048576 bytes; ' +
        'GitLab refuses the file under classic interpolation, whatever its inputs)',
    ]);
    expect(await component('spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}', `job:\n  script:\n    - ${text(mib)}\n`)).toEqual(
      [],
    );
    // A file without a header is not interpolated: no limit.
    expect(await lint(`job:\n  script:\n    - echo ${'x'.repeat(mib + 1)}\n`)).toEqual([]);
  });
  it('more than 10,000 blocks counts distinct block texts, as GitLab keeps them', async () => {
    const same = Array.from({ length: 10_001 }, () => '    - echo $[[ inputs.a ]]\n').join('');
    expect(await component('spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}', `job:\n  script:\n${same}`)).toEqual([]);
    const distinct = Array.from({ length: 10_001 }, (_, i) => `    - echo $[[ inputs.a | truncate(0,${i}) ]]\n`).join('');
    expect(
      (await component('spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}', `job:\n  script:\n${distinct}`)).map(brief),
    ).toContainEqual(expect.stringContaining('error spec/too-many-blocks too many interpolation blocks'));
  });
  it("a block's parts as GitLab's split('|') gives them: trailing pipes are no function, `||` is an empty one", async () => {
    const blockFindings = async (line: string, header = 'spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}') =>
      (await component(header, `job:\n  script:\n    - ${line}\n`)).map(brief);
    expect(await blockFindings('echo $[[ inputs.a | ]] $[[ inputs.a | truncate(0,3) | ]]')).toEqual([]);
    expect(await blockFindings('echo $[[ inputs.a || truncate(0,3) ]]')).toEqual([
      'templates/x.yml:7:7 error spec/unknown-function no function matching ``: check that the function name, arguments, and types ' +
        'are correct (known: truncate, expand_vars, posix_escape, posix_quote, split)',
    ]);
    expect(await blockFindings('echo $[[ inputs.a ]] $[[ || ]]')).toEqual([
      "templates/x.yml:7:7 error spec/access $[[ || ]] holds nothing but `|`: GitLab finds no access in it and fails with an internal error (Ruby's NoMethodError on nil), not a configuration message",
    ]);
  });
  it("block errors in GitLab's order: the access (both of its checks), the count, every unknown function, then the first type error", async () => {
    const blockFindings = async (line: string) =>
      (await component('spec:\n  inputs:\n    n: {type: number, default: 1}', `job:\n  script:\n    - ${line}\n`)).map(
        (d) => `${d.code} ${d.message}`,
      );
    expect(await blockFindings('echo $[[ inputs.n | expand_vars | bogus ]]')).toEqual([
      expect.stringMatching(/^spec\/unknown-function no function matching `bogus`: /),
    ]);
    expect(await blockFindings('echo $[[ inputs.n | expand_vars | posix_escape ]]')).toEqual([
      'spec/function-type error in `expand_vars` function: invalid input type: expand_vars can only be used with string inputs',
    ]);
    expect(await blockFindings('echo $[[ inputs.n ]] $[[ inputs.nope | bogus | bogus | bogus | bogus ]]')).toEqual([
      expect.stringMatching(/^spec\/undeclared-input unknown interpolation key: `nope` /),
    ]);
    expect(await blockFindings(`echo $[[ inputs.n ]] $[[ ${'y'.repeat(1100)} ]]`)).toEqual([
      expect.stringMatching(/^spec\/access invalid interpolation access pattern: \$\[\[ y+ \]\]$/),
      'spec/access maximum interpolation expression size exceeded',
    ]);
  });
  it('a no-break space inside $[[ ]] is no space to GitLab: the key holds it', async () => {
    const found = (
      await component('spec:\n  inputs:\n    a: {default: x, regex: "^[a-z]*$"}', 'job:\n  script:\n    - "echo $[[ inputs.a\u00a0]]"\n')
    ).map(brief);
    expect(found).toContainEqual(
      'templates/x.yml:7:7 error spec/undeclared-input unknown interpolation key: `a\u00a0` ($[[ inputs.a\u00a0]]; declared inputs: a; ' +
        'it holds U+00A0, which GitLab does not read as a space)',
    );
    const before = (await component('spec:\n  inputs:\n    a: {default: x}', 'job:\n  script:\n    - "echo $[[\u2003inputs.a ]]"\n')).map(
      brief,
    );
    expect(before).toContainEqual(
      'templates/x.yml:7:7 error spec/access unknown interpolation key: `\u2003inputs` (it holds U+2003, which GitLab does not read as a space)',
    );
  });
  it("a default's options check skips Ruby's falsy false, and a number input's says \"the allowed options\"", async () => {
    const found = (
      await component(
        'spec:\n  inputs:\n    s: {options: [x, y], default: false}\n    n: {type: number, options: [1, 2], default: 3}',
        'job:\n  script:\n    - echo $[[ inputs.s ]] $[[ inputs.n ]]\n',
      )
    )
      .filter((d) => d.code.startsWith('spec/options') || d.code === 'spec/default-type')
      .map((d) => `${d.code} ${d.message}`);
    expect(found).toEqual([
      'spec/default-type `s` input: default value is not a string',
      'spec/options `n` input: `3` cannot be used because it is not in the list of the allowed options',
    ]);
  });
  it("RE2's flag groups, (?U) and \\Q...\\E are valid and match as RE2 matches (GitLab: UntrustedRegexp)", async () => {
    const header = (regex: string, value: string) =>
      `spec:\n  inputs:\n    a:\n      regex: ${JSON.stringify(regex)}\n      default: ${JSON.stringify(value)}`;
    for (const [regex, value] of <[string, string][]>[
      ['(?U)^a+$', 'aaa'],
      ['^x(?i:abc)$', 'xABC'],
      ['^\\Qa.b\\E$', 'a.b'],
      ['^(?i)ab(?-i)c$', 'ABc'],
      ['(?m)^b$', 'a\nb'],
      ['^a.b$', 'a\rb'],
    ])
      expect(
        (await component(header(regex, value))).filter((d) => d.code.startsWith('spec/regex')),
        regex,
      ).toEqual([]);
    // As RE2 refuses them: outside its group the flag is off, \Q quotes the dot, (?m) breaks at \n only.
    for (const [regex, value] of <[string, string][]>[
      ['^x(?i:a)b$', 'XaB'],
      ['^\\Qa.b\\E$', 'axb'],
      ['(?m)^b$', 'a\rb'],
    ])
      expect((await component(header(regex, value))).filter((d) => d.code.startsWith('spec/regex')).map(brief), regex).toEqual([
        'templates/x.yml:5:16 error spec/regex `a` input: default value does not match required RegEx pattern',
      ]);
  });
  it('a valid RE2 construct JavaScript cannot match exactly is said to be unchecked, not invalid or unmatched', async () => {
    expect((await component("spec:\n  inputs:\n    a:\n      regex: '^(?i:é)$'\n      default: 'É'")).map(brief)).toEqual([
      'templates/x.yml:4:14 warning spec/regex-unchecked `a` input: cigen cannot check values against this regex ' +
        '(case-insensitive matching of "é" under a scoped (?i) has no exact JavaScript equivalent on Node 20); GitLab checks them with its RE2',
    ]);
  });
  it("RE2's own verdict: code points, ASCII \\s, \\pL in brackets, \\p{Greek}, \\x{..}, octal, any group name; \\e and \\cK refused", async () => {
    const header = (regex: string, value: string) =>
      `spec:\n  inputs:\n    a:\n      regex: ${JSON.stringify(regex)}\n      default: ${JSON.stringify(value)}`;
    for (const [regex, value] of <[string, string][]>[
      ['^[\\pL]+$', 'é'],
      ['^.$', '😀'],
      ['^.{1,3}$', '😀😀'],
      ['^[^a]$', '😀'],
      ['^\\S+$', 'a\u00a0b'],
      ['^\\p{Greek}+$', 'αβ'],
      ['^[\\x{41}-\\x{5A}]+$', 'ABC'],
      ['^\\101$', 'A'],
      ['^(?P<1a>x)$', 'x'],
    ])
      expect((await component(header(regex, value))).filter((d) => d.code.startsWith('spec/regex')).map(brief), regex).toEqual([]);
    for (const regex of ['^\\e$', '^\\k<x>$', '^a\\Rb$', '^\\X$', '^\\G$', '^\\h$', '^\\cK$'])
      expect((await component(header(regex, 'x'))).filter((d) => d.code.startsWith('spec/regex')).map(brief), regex).toEqual([
        `templates/x.yml:4:14 error spec/regex \`a\` input: invalid regular expression (invalid escape sequence: ${/\\./.exec(regex)?.[0]})`,
      ]);
  });
  it('a block in the spec header is not interpolated by GitLab', async () => {
    expect((await component('spec:\n  inputs:\n    a:\n      default: $[[ inputs.b ]]')).map(brief)).toContainEqual(
      'templates/x.yml:4:16 warning spec/header-interpolation $[[ inputs.b ]] is in the spec: header, ' +
        'which GitLab does not interpolate; it stays as text',
    );
  });
  it('the if: of an input rule is an expression GitLab evaluates, not text; it may read declared inputs only', async () => {
    const header = (condition: string) =>
      'spec:\n  inputs:\n    env:\n      options: [dev, prod]\n      default: dev\n    size:\n      rules:\n' +
      `        - if: ${condition}\n          options: [small, large]\n          default: large\n        - options: [small]\n          default: small`;
    const content = 'job:\n  script:\n    - echo $[[ inputs.env ]] $[[ inputs.size ]]\n';
    const rulesFindings = async (condition: string) =>
      (await component(header(condition), content)).filter((d) => d.code !== 'spec/text-interpolation').map(brief);
    expect(await rulesFindings("$[[ inputs.env ]] == 'prod'")).toEqual([]);
    expect(await rulesFindings("$[[ inputs.envs ]] == 'prod' && $[[ inputs.zone ]] == 'x'")).toEqual([
      'templates/x.yml:8:15 error spec/rules `size` input: rule[0] references undefined inputs: envs, zone',
    ]);
  });
  it("a rule's `if` with a no-break space in its block reads no input: GitLab's lexer (ASCII \\s) refuses it", async () => {
    const header =
      'spec:\n  inputs:\n    size:\n      rules:\n        - if: \'$[[ inputs.nope\u00a0]] == "a"\'\n          options: [s]\n' +
      '        - options: [m]\n';
    const found = (await component(header, 'job:\n  script:\n    - echo $[[ inputs.size ]]\n')).filter((d) => d.code === 'spec/rules');
    expect(found).toEqual([]);
    // The same block with an ASCII space reads `nope`, which is not declared.
    const plain = header.replace('\u00a0', ' ');
    expect(
      (await component(plain, 'job:\n  script:\n    - echo $[[ inputs.size ]]\n')).filter((d) => d.code === 'spec/rules'),
    ).toHaveLength(1);
  });
  it('input rules that read one another, or an input whose rules read itself, are circular: one error (GitLab: Inputs::Validator)', async () => {
    const header = (a: string, b: string) =>
      `spec:\n  inputs:\n    a:\n      rules:\n        - if: ${a}\n          options: ['1', '2']\n        - options: ['1']\n` +
      `    b:\n      rules:\n        - if: ${b}\n          options: [x, y]\n        - options: [x]\n`;
    const content = 'job:\n  script:\n    - echo $[[ inputs.a ]] $[[ inputs.b ]]\n';
    const rulesFindings = async (a: string, b: string) =>
      (await component(header(a, b), content)).filter((d) => d.code === 'spec/rules').map(brief);
    expect(await rulesFindings('$[[ inputs.b ]] == "x"', '$[[ inputs.a ]] == "1"')).toEqual([
      'templates/x.yml:5:15 error spec/rules circular dependency detected (`a` → `b` → `a`: the rules of each input read the next)',
    ]);
    expect(await rulesFindings('$[[ inputs.a ]] == "1"', '$CI_COMMIT_BRANCH == "main"')).toEqual([
      'templates/x.yml:5:15 error spec/rules circular dependency detected (`a` → `a`: the rules of each input read the next)',
    ]);
    // A chain is no cycle; an undeclared input adds no edge (it is its own finding).
    expect(await rulesFindings('$[[ inputs.b ]] == "x"', '$CI_COMMIT_BRANCH == "main"')).toEqual([]);
    expect(await rulesFindings('$[[ inputs.b ]] == "x"', '$[[ inputs.c ]] == "1"')).toEqual([
      'templates/x.yml:10:15 error spec/rules `b` input: rule[0] references undefined inputs: c',
    ]);
  });
  it("a fallback rule (no `if`) without options is refused in GitLab's words (Header::Input::Rules::Rule)", async () => {
    const header = (fallback: string) =>
      "spec:\n  inputs:\n    size:\n      rules:\n        - if: $CI_COMMIT_BRANCH == 'main'\n          options: [small, large]\n" +
      `          default: small\n        - ${fallback}\n`;
    const content = 'job:\n  script:\n    - echo $[[ inputs.size ]]\n';
    const rulesFindings = async (fallback: string) =>
      (await component(header(fallback), content)).filter((d) => d.code === 'spec/rules').map(brief);
    expect(await rulesFindings('default: medium')).toEqual([
      "templates/x.yml:8:11 error spec/rules `size` input: fallback rule must define 'options'",
    ]);
    expect(await rulesFindings('{if: null, options: null, default: medium}')).toEqual([
      "templates/x.yml:8:11 error spec/rules `size` input: fallback rule must define 'options'",
    ]);
    expect(await rulesFindings('{options: [medium], default: medium}')).toEqual([]);
    // A rule GitLab refuses for another reason first is not also called a fallback without options.
    expect(await rulesFindings('{default: medium, when: always}')).toEqual([]);
    expect(await rulesFindings('{if: 1, default: medium}')).toEqual([]);
  });
  it('input rules are judged as Header::Input::Rules::Rule judges them: options without a default are enough, an `if` needs one of the two', async () => {
    const header = (rules: string) => `spec:\n  inputs:\n    size:\n      rules:\n${rules}`;
    const content = 'job:\n  script:\n    - echo $[[ inputs.size ]]\n';
    const errors = async (rules: string) => (await component(header(rules), content)).filter((d) => d.severity === 'error').map(brief);
    // GitLab's own spec of a valid input: options in each rule, no default (ci.json asks for one in every rule).
    expect(
      await errors("        - if: $CI_COMMIT_BRANCH == 'main'\n          options: [large]\n        - options: [small, medium]\n"),
    ).toEqual([]);
    expect(await errors('        - if: $CI_COMMIT_BRANCH == "main"\n          default: large\n        - options: [small]\n')).toEqual([]);
    expect(await errors('        - if: $CI_COMMIT_BRANCH == "main"\n        - options: [small]\n')).toEqual([
      "templates/x.yml:5:11 error spec/rules `size` input: rule with 'if' must define 'options' or 'default'",
    ]);
    // A null default is a default to GitLab (config.key?(:default)).
    expect(await errors('        - if: $CI_COMMIT_BRANCH == "main"\n          default:\n        - options: [small]\n')).toEqual([]);
  });
  it('a block in a file without a spec header is left as text by GitLab', async () => {
    expect(await briefs('job:\n  script:\n    - echo $[[ inputs.a ]]\n')).toEqual([
      expect.stringContaining('3:7 warning spec/no-header $[[ inputs.a ]] is in a file without a spec: header; GitLab leaves it as text'),
    ]);
  });
  it('checks the content as GitLab sees it, interpolated: a number input where a number belongs', async () => {
    expect(
      await component('spec:\n  inputs:\n    n: {type: number, default: 3}', 'job:\n  parallel: $[[ inputs.n ]]\n  script: [echo]\n'),
    ).toEqual([]);
    expect(
      (
        await component(
          'spec:\n  inputs:\n    n: {default: "3", regex: "^[0-9]+$"}',
          'job:\n  parallel: $[[ inputs.n ]]\n  script: [echo]\n',
        )
      ).map(brief),
    ).toContainEqual(expect.stringContaining('6:13 error schema/type jobs:job:parallel config should be an integer or a hash'));
  });
  it("this catalog's own templates lint clean", async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    for (const name of readdirSync('templates')) {
      expect(await lintText(readFileSync(`templates/${name}`, 'utf8'), { file: `templates/${name}`, host: catalogHost() })).toEqual([]);
    }
  });
});

describe('include layer', () => {
  const included =
    'spec:\n  inputs:\n    env: {options: [dev, prod]}\n    version: {regex: "^v[0-9]+$"}\n' +
    '    replicas: {type: number, default: 1}\n---\ndeploy-$[[ inputs.env ]]:\n  stage: deploy\n  script:\n' +
    '    - echo $[[ inputs.version ]] $[[ inputs.replicas ]]\n';
  const pipeline = (inputs: string) => `include:\n  - local: ci/deploy.yml\n    inputs:\n${inputs}\n`;

  it('a good include is clean, and its jobs count (needs resolve)', async () => {
    expect(
      await briefs(
        `${pipeline('      env: prod\n      version: v2')}\ncheck:\n  stage: test\n  script: [echo]\n  needs: []\n` +
          'after:\n  stage: deploy\n  needs: [deploy-prod]\n  script: [echo]',
        { 'ci/deploy.yml': included },
      ),
    ).toEqual([]);
  });
  it('a misspelt input is named at its key, with the declared input it is nearest to', async () => {
    const found = await briefs(pipeline('      env: prod\n      version: v2\n      replica: 2'), { 'ci/deploy.yml': included });
    expect(found).toContainEqual(
      expect.stringContaining('6:7 error include/inputs `ci/deploy.yml`: unknown input arguments: replica (did you mean `replicas`?)'),
    );
  });
  it('checks the inputs against the included spec, worded as GitLab words them', async () => {
    const found = await briefs(pipeline('      env: staging\n      version: 2\n      replicas: two\n      colour: red'), {
      'ci/deploy.yml': included,
    });
    expect(found).toEqual(
      expect.arrayContaining([
        // At the key, where the misspelling is.
        expect.stringContaining('7:7 error include/inputs `ci/deploy.yml`: unknown input arguments: colour'),
        expect.stringContaining(
          '4:12 error include/inputs `ci/deploy.yml`: `env` input: ' +
            '`staging` cannot be used because it is not in the list of allowed options',
        ),
        expect.stringContaining('5:16 error include/inputs `ci/deploy.yml`: `version` input: provided value is not a string'),
        expect.stringContaining('6:17 error include/inputs `ci/deploy.yml`: `replicas` input: provided value is not a number'),
      ]),
    );
    expect(await briefs(pipeline('      env: dev\n      version: "2"'), { 'ci/deploy.yml': included })).toContainEqual(
      expect.stringContaining('`ci/deploy.yml`: `version` input: provided value does not match required RegEx pattern'),
    );
    expect(await briefs(pipeline('      version: v1'), { 'ci/deploy.yml': included })).toContainEqual(
      expect.stringContaining('`ci/deploy.yml`: `env` input: required value has not been provided'),
    );
  });
  it('a value of the wrong type is checked against the options too, as run_validations does', async () => {
    expect(
      (await lint(pipeline('      env: 5\n      version: v2'), { 'ci/deploy.yml': included }))
        .filter((d) => d.code === 'include/inputs')
        .map((d) => `${d.line}:${d.column} ${d.message}`),
    ).toEqual([
      '4:12 `ci/deploy.yml`: `env` input: provided value is not a string',
      '4:12 `ci/deploy.yml`: `env` input: `5` cannot be used because it is not in the list of allowed options',
    ]);
  });
  it("a Float as a variable's value is GitLab's to take (Variable: ScalarValidator, value.to_s)", async () => {
    expect(
      await briefs('job:\n  script: [echo]\n  variables:\n    A: 2.0\n    B: 1.5\n    C: {value: 2.0}\nvariables:\n  D: 1.0e+16\n'),
    ).toEqual([]);
  });
  it('a whole Float given to a catalog component is read as GitLab reads it: `2.0` reaches the job as 2.0', async () => {
    const include = (value: string) =>
      `stages: [build]\ninclude:\n  - component: ${CATALOG}/buildah@${CATALOG_VERSION}\n    inputs:\n      tags: [v1]\n      push-retries: ${value}\n`;
    expect(await briefs(include('2.0'))).toEqual([
      `.gitlab-ci.yml:6:21 error include/inputs \`${CATALOG}/buildah@${CATALOG_VERSION}\`: \`push-retries\` input: 2.0 is a Float, ` +
        "which the job's variable holds as 2.0, not as digits: the job would stop at its start (write 2)",
    ]);
    expect(await briefs(include('2'))).toEqual([]);
  });
  it('an input of any length is taken, as GitLab takes it: the file merges (its jobs count) and no schema limit applies', async () => {
    // GitLab's inputs check type, options and regex only; ci.json's 1024 characters are the editor's.
    const long = '1'.repeat(1100);
    const text = 'a'.repeat(1100);
    const needs = 'after:\n  stage: deploy\n  needs: [deploy-dev]\n  script: [echo]\n';
    expect(await briefs(`${pipeline(`      env: dev\n      version: v${long}`)}${needs}`, { 'ci/deploy.yml': included })).toEqual([]);
    expect(await briefs(`include:\n  - component: $CI_SERVER_FQDN/g/p/c@1.0\n    inputs:\n      msg: ${text}\n`)).toEqual([]);
    expect(
      await briefs(`include:\n  local: ci/deploy.yml\n  inputs:\n    env: dev\n    version: v${long}\n${needs}`, {
        'ci/deploy.yml': included,
      }),
    ).toEqual([]);
    // A downstream pipeline's inputs (Ci::Inputs) have no such limit either.
    expect(
      await briefs(
        `bridge:\n  trigger:\n    project: g/p\n    inputs:\n      msg: ${text}\nchild:\n  trigger:\n    include:\n      - local: c.yml\n        inputs:\n          msg: ${text}\n`,
      ),
    ).toEqual([]);
  });
  it('inputs to a file without a spec, a missing file, a file that is not YAML', async () => {
    expect(await briefs(pipeline('      a: 1'), { 'ci/deploy.yml': 'job:\n  script: [echo]\n' })).toContainEqual(
      expect.stringContaining(
        'error include/inputs `ci/deploy.yml`: Given inputs not defined in the `spec` section of the included configuration file',
      ),
    );
    // No input given (`inputs: {}`) is none: GitLab asks `args.any?`.
    expect(await briefs('include:\n  - local: ci/deploy.yml\n    inputs: {}\n', { 'ci/deploy.yml': 'job:\n  script: [echo]\n' })).toEqual(
      [],
    );
    expect(await briefs('include: ci/missing.yml\n')).toEqual([
      '.gitlab-ci.yml:1:10 error include/not-found Local file `ci/missing.yml` does not exist!',
    ]);
    expect(await briefs('include: [ci/jobs.json]\njob:\n  script: [echo]\n')).toContainEqual(
      '.gitlab-ci.yml:1:11 error include/extension Included file `ci/jobs.json` does not have YAML extension!',
    );
  });
  it('an empty local file, or one with nothing but comments, is the include entry’s error, in GitLab’s words (File::Local, File::Base)', async () => {
    const text =
      'include:\n  - local: ci/empty.yml\n  - local: /ci/comments.yml\n  - local: ci/empty.yml\n    rules: [{if: $X}]\njob:\n  script: [x]\n';
    expect(await briefs(text, { 'ci/empty.yml': ' \n', 'ci/comments.yml': '# nothing yet\n' })).toEqual([
      '.gitlab-ci.yml:2:5 error include/empty Local file `ci/empty.yml` is empty!',
      '.gitlab-ci.yml:3:5 error include/empty Included file `ci/comments.yml` contains no configuration!',
      '.gitlab-ci.yml:4:5 warning include/empty Local file `ci/empty.yml` is empty! (this include has `rules:`: GitLab reads it only when they include it)',
    ]);
    // The root pipeline keeps GitLab's own message.
    expect(await briefs('# nothing yet\n')).toEqual(['.gitlab-ci.yml:1:1 error yaml/empty Please provide content of .gitlab-ci.yml']);
    // Blank as Rails' blank? has it: a YAML string of white space (Unicode's) too, a byte-order mark not.
    expect(await briefs('include: ci/spaces.yml\njob:\n  script: [x]\n', { 'ci/spaces.yml': '"  \\u3000"\n' })).toEqual([
      '.gitlab-ci.yml:1:10 error include/empty Included file `ci/spaces.yml` contains no configuration!',
    ]);
  });
  it('a spec header with nothing after it is the include entry’s error, once its inputs are read (File::Base)', async () => {
    const header = 'spec:\n  inputs:\n    a:\n      default: x\n---\n';
    expect(await briefs('include:\n  - local: ci/only-spec.yml\njob:\n  script: [x]\n', { 'ci/only-spec.yml': header })).toEqual([
      '.gitlab-ci.yml:2:5 error include/empty Included file `ci/only-spec.yml` contains no configuration!',
    ]);
    // An input GitLab refuses stops it before it looks for configuration.
    expect(
      await briefs('include:\n  - local: ci/only-spec.yml\n    inputs: {b: 1}\njob:\n  script: [x]\n', { 'ci/only-spec.yml': header }),
    ).not.toContainEqual(expect.stringContaining('contains no configuration'));
  });
  it('reports problems inside an included file, in that file', async () => {
    expect(await briefs('include: ci/jobs.yml\n', { 'ci/jobs.yml': 'build:\n  scirpt: [echo]\n' })).toContainEqual(
      'ci/jobs.yml:2:3 error schema/unknown-key jobs:build config contains unknown keys: scirpt (did you mean script?)',
    );
  });
  it("checks this catalog's components offline, against the specs cigen ships", async () => {
    const ref = '$CI_SERVER_FQDN/ci-components/cigen';
    expect(
      await briefs(
        `include:\n  - component: ${ref}/buildah@${CATALOG_VERSION}\n    inputs:\n      tags: [v1, latest]\n` +
          'push:\n  stage: deploy\n  needs: [build-image]\n  script: [echo]\n',
      ),
    ).toEqual([]);
    const found = await briefs(
      `include:\n  - component: ${ref}/buildah@${CATALOG_VERSION}\n    inputs:\n      storage-driver: btrfs\n` +
        '      tags: [v1, "not a tag"]\n      colour: red\n',
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`error include/inputs \`${ref}/buildah@${CATALOG_VERSION}\`: unknown input arguments: colour`),
        expect.stringContaining('`storage-driver` input: `btrfs` cannot be used because it is not in the list of allowed options'),
      ]),
    );
    expect(
      await briefs(`include:\n  - component: ${ref}/buildah@${CATALOG_VERSION}\n    inputs:\n      tags: [v1, "not a tag"]\n`),
    ).toContainEqual(expect.stringContaining('`tags` input: "not a tag" is not a valid image tag'));
    expect(await briefs(`include:\n  - component: ${ref}/podman@${CATALOG_VERSION}\n`)).toContainEqual(
      expect.stringContaining(
        'error include/unknown-component the cigen catalog has no component `podman`; it has: buildah, buildah-rootless, kaniko, ' +
          'buildkit, dind',
      ),
    );
  });
  it('refuses a registry password written with `$$` escapes only: the secret itself, in the file (docs/registries.md)', async () => {
    const file = (password: string, hub: string) =>
      `include:\n  - component: ${CATALOG}/buildah@${CATALOG_MAJOR}\n    inputs:\n      registry: harbor.example.com\n` +
      `      registry-user: robot$$team+ci\n      registry-password: ${password}\n` +
      `      registries:\n        - { host: docker.io, user: hubuser, password: "${hub}" }\n`;
    const found = (await briefs(file('$$s3cretPassw0rd', '$$hubS3cret'))).filter((line) => line.includes('include/inputs'));
    expect(found).toEqual([
      expect.stringContaining('`registry-password` input: the password is written out in the file (`$$` is a literal `$`, no variable)'),
      expect.stringContaining('`registries` input: item 1: the password is written out in the file (`$$` is a literal `$`, no variable)'),
    ]);
    expect((await briefs(file('$HARBOR_TOKEN', '$$$HUB_TOKEN'))).filter((line) => line.includes('include/inputs'))).toEqual([]);
  });
  it('a finding in a rendered catalog component is shown at the include that brought it in, each include at its own', async () => {
    const found = await briefs(
      `stages: [test]\ninclude:\n  - component: ${CATALOG}/buildah@${CATALOG_VERSION}\n    inputs: {job-name: a}\n` +
        `  - component: ${CATALOG}/buildah@${CATALOG_VERSION}\n    inputs: {job-name: b}\n`,
    );
    expect(found).toContainEqual(
      '.gitlab-ci.yml:3:5 error semantic/undefined-stage a job: chosen stage build does not exist; ' +
        'available stages are .pre, test, .post (in the jobs this component adds)',
    );
    expect(found).toContainEqual(
      '.gitlab-ci.yml:5:5 error semantic/undefined-stage b job: chosen stage build does not exist; ' +
        'available stages are .pre, test, .post (in the jobs this component adds)',
    );
    expect(found.every((f) => f.startsWith('.gitlab-ci.yml:'))).toBe(true);
    // Through @1 GitLab may read a later 1.x: the same finding, a warning that says what was checked.
    const partial = await briefs(`stages: [test]\ninclude:\n  - component: ${CATALOG}/buildah@1\n    inputs: {job-name: a}\n`);
    expect(partial.every((f) => f.includes(' warning '))).toBe(true);
    expect(partial).toContainEqual(
      '.gitlab-ci.yml:3:5 warning semantic/undefined-stage a job: chosen stage build does not exist; ' +
        'available stages are .pre, test, .post (in the jobs this component adds; checked against the specs of cigen ' +
        `${CATALOG_VERSION}, which this CLI ships: GitLab resolves \`@1\` to the latest published 1.*.*, which may be a later one)`,
    );
  });
  it('a partial version (@1, @1.0) is checked against the specs this cigen ships as warnings that say so; the exact one strictly', async () => {
    const include = (version: string, inputs = '{some-v2-input: x}') =>
      `include:\n  - component: ${CATALOG}/buildah@${version}\n    inputs: ${inputs}\n`;
    // GitLab resolves @1 to the latest published 1.*.*: a later 1.x may have the input.
    for (const [version, latest] of [
      [CATALOG_MAJOR, `${CATALOG_MAJOR}.*.*`],
      [CATALOG_VERSION.split('.').slice(0, 2).join('.'), `${CATALOG_VERSION.split('.').slice(0, 2).join('.')}.*`],
    ] as const) {
      const note =
        `(checked against the specs of cigen ${CATALOG_VERSION}, which this CLI ships: GitLab resolves \`@${version}\` ` +
        `to the latest published ${latest}, which may be a later one)`;
      expect(await briefs(include(version))).toEqual([
        `.gitlab-ci.yml:3:14 warning include/inputs \`${CATALOG}/buildah@${version}\`: unknown input arguments: some-v2-input ${note}`,
      ]);
      // Found in the jobs it adds (an input value the bundled spec refuses), a warning too.
      expect(await briefs(include(version, '{storage-driver: btrfs}'))).toEqual([
        expect.stringMatching(
          new RegExp(`^\\.gitlab-ci\\.yml:\\d+:\\d+ warning include/inputs .*btrfs.*${note.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        ),
      ]);
      expect(await briefs(`include:\n  - component: ${CATALOG}/podman@${version}\n`)).toEqual([
        expect.stringMatching(/^\.gitlab-ci\.yml:2:5 warning include\/unknown-component the cigen catalog has no component `podman`/),
      ]);
    }
    // The exact version this cigen ships: its specs are the ones GitLab reads.
    expect(await briefs(include(CATALOG_VERSION))).toEqual([
      `.gitlab-ci.yml:3:14 error include/inputs \`${CATALOG}/buildah@${CATALOG_VERSION}\`: unknown input arguments: some-v2-input`,
    ]);
  });
  it('a version of the catalog other than the one this cigen ships is not checked against its spec', async () => {
    for (const version of ['2', '1.9', '~latest', 'main'])
      expect(await briefs(`include:\n  - component: ${CATALOG}/buildah@${version}\n    inputs: {some-v2-input: x}\n`)).toEqual([]);
    const minor = CATALOG_VERSION.split('.').slice(0, 2).join('.');
    expect(await briefs(`include:\n  - component: ${CATALOG}/buildah@${minor}\n    inputs: {some-v2-input: x}\n`)).toContainEqual(
      expect.stringContaining('unknown input arguments: some-v2-input'),
    );
  });
  it('a job whose script may come from a component cigen cannot read is a warning, not an error', async () => {
    expect(
      await briefs(
        'include:\n  - component: gitlab.example.com/other/catalog/build@1\n    inputs: {job-name: images}\nimages:\n  parallel:\n' +
          '    matrix:\n      - DIR: [a, b]\n',
      ),
    ).toEqual([
      expect.stringContaining(
        '4:1 warning semantic/no-script jobs images config should implement the script:, run:, or trigger: ' +
          'keyword (it may come from an include cigen cannot read)',
      ),
    ]);
  });
  it('an include cigen cannot read turns "undefined" findings into warnings', async () => {
    const found = await briefs(
      'include:\n  - project: group/templates\n    file: ci.yml\nbuild:\n  stage: compile\n  needs: [lint]\n  script: [echo]\n',
    );
    expect(found).toEqual([
      expect.stringContaining('5:10 warning semantic/undefined-stage build job: chosen stage compile does not exist'),
      expect.stringContaining(
        '6:11 warning semantic/undefined-need build job: undefined need: lint (it may come from an include cigen cannot read)',
      ),
    ]);
  });
});

describe('semantic layer (GitLab wording)', () => {
  it.each([
    [
      'build:\n  stage: compile\n  script: [echo]\n',
      '2:10 error semantic/undefined-stage build job: chosen stage compile does not exist; available stages are .pre, build, test, ' +
        'deploy, .post',
    ],
    ['a:\n  script: [echo]\n  needs: [b]\n', '3:11 error semantic/undefined-need a job: undefined need: b'],
    [
      'a:\n  stage: build\n  script: [echo]\n  needs: [b]\nb:\n  stage: deploy\n  script: [echo]\n',
      '4:11 error semantic/need-later-stage a job: need b is not defined in current or prior stages',
    ],
    [
      'a:\n  script: [echo]\n  needs: [b, b]\nb:\n  script: [echo]\n',
      '3:10 error semantic/needs-duplicated a has the following needs duplicated: b.',
    ],
    ['a:\n  script: [echo]\n  needs: [a]\n', '3:10 error semantic/needs-cycle The pipeline has circular dependencies: self-dependency: a'],
    [
      'a:\n  script: [echo]\n  needs: [b]\nb:\n  script: [echo]\n  needs: [a]\n',
      '3:10 error semantic/needs-cycle The pipeline has circular dependencies: topological sort failed: ["a", "b"]',
    ],
    ['a:\n  script: [echo]\n  dependencies: [z]\n', '3:18 error semantic/undefined-dependency a job: undefined dependency: z'],
    [
      'a:\n  stage: build\n  script: [echo]\n  dependencies: [b]\nb:\n  script: [echo]\n',
      '4:18 error semantic/dependency-later-stage a job: dependency b is not defined in current or prior stages',
    ],
    [
      'a:\n  stage: test\n  script: [echo]\n  needs: [c]\n  dependencies: [b]\nb:\n  stage: build\n  script: [echo]\nc:\n  stage: build\n  script: [echo]\n',
      '5:18 error semantic/dependency-not-needed jobs:a dependencies the b should be part of needs',
    ],
    ['a:\n  extends: .nope\n  script: [echo]\n', '2:12 error semantic/extends-unknown a: unknown keys in `extends` (.nope)'],
    [
      '.x:\n  extends: .y\n.y:\n  extends: .x\na:\n  extends: .x\n  script: [echo]\n',
      '2:12 error semantic/extends-cycle .x: circular dependency detected in `extends`',
    ],
    [
      'a:\n  script: [echo]\n  rules: [{when: always}]\n  except: [main]\n',
      '4:3 error semantic/rules-with-only-except jobs:a config key may not be used with `rules`: except',
    ],
    [
      'a:\n  script: [echo]\n  trigger: group/project\n',
      '3:3 error semantic/keys-together jobs:a config these keys cannot be used together: script, trigger',
    ],
    ['a:\n  stage: test\n', '1:1 error semantic/no-script jobs a config should implement the script:, run:, or trigger: keyword'],
    ['.a:\n  script: [echo]\n', '1:1 error semantic/no-visible-job jobs config should contain at least one visible job'],
    [
      'a:\n  script:\n    - !reference [.nope, script]\n',
      '3:18 error semantic/reference !reference [".nope", "script"] could not be found',
    ],
  ])('%j', async (text, expected) => {
    expect(await briefs(text)).toEqual([`.gitlab-ci.yml:${expected}`]);
  });

  it('resolves extends (deep merge, 10 levels) before checking', async () => {
    expect(await briefs('.base:\n  script: [echo]\n  stage: build\nbuild:\n  extends: .base\n')).toEqual([]);
    const chain =
      Array.from({ length: 12 }, (_, i) => `.l${i}:\n  extends: .l${i + 1}\n`).join('') + '.l12:\n  script: [echo]\njob:\n  extends: .l0\n';
    expect(await briefs(chain)).toContainEqual(expect.stringContaining('error semantic/extends-depth'));
  });
  it('custom stages replace the default ones', async () => {
    expect(await briefs('stages: [lint]\na:\n  stage: lint\n  script: [echo]\nb:\n  script: [echo]\n')).toEqual([
      '.gitlab-ci.yml:5:1 error semantic/undefined-stage b job: chosen stage test does not exist; available stages are .pre, lint, .post',
    ]);
  });
});

describe('a third review of lint: durations, triggers, script beside run, inherit:default', () => {
  it.each([
    ['a:\n  script: [echo]\n  timeout: 3 elephants\n', '3:12 error semantic/duration jobs:a:timeout config should be a duration'],
    ['a:\n  script: [echo]\n  timeout: 2 months\n', '3:12 error semantic/duration jobs:a:timeout config should not exceed the limit'],
    [
      'a:\n  script: [echo]\n  artifacts:\n    paths: [x]\n    expire_in: ${KEEP}\n',
      '5:16 error semantic/duration jobs:a:artifacts expire in should be a duration',
    ],
    [
      'a:\n  script: [echo]\n  environment: {name: review, auto_stop_in: bogus}\n',
      '3:45 error semantic/duration jobs:a:environment auto stop in should be a duration',
    ],
    ['default:\n  timeout: forever\na:\n  script: [echo]\n', '2:12 error semantic/duration default:timeout config should be a duration'],
    [
      'a:\n  script: [echo]\n  run:\n    - name: x\n      script: echo\n',
      '3:3 error semantic/keys-together jobs:a config these keys cannot be used together: script, run',
    ],
    ['a:\n  trigger: {}\n', "2:12 error semantic/trigger-job jobs:a:trigger config can't be blank"],
    [
      'a:\n  trigger:\n    include: [{local: a.yml}, {local: b.yml}, {local: c.yml}, {local: d.yml}]\n',
      '3:14 error semantic/trigger-job jobs:a:trigger:include config is too long (maximum is 3)',
    ],
    [
      'a:\n  script:\n    - *nope\n',
      "3:7 error yaml/alias the alias *nope refers to no anchor of its document (GitLab's YAML parser refuses it)",
    ],
    [
      'a:\n  script: [echo]\n  environment: "prod:eu"\n',
      "3:16 error semantic/environment-name jobs:a:environment name can contain only letters, digits, '-', '_', '/', '$', '{', '}', " +
        "'.', and spaces, but it cannot start or end with '/'",
    ],
    [
      'a:\n  script: [echo]\n  environment: {name: review/}\n',
      "3:23 error semantic/environment-name jobs:a:environment name can contain only letters, digits, '-', '_', '/', '$', '{', '}', " +
        "'.', and spaces, but it cannot start or end with '/'",
    ],
    [
      'a:\n  script: [echo]\n  artifacts:\n    expose_as: "My report!"\n    paths: [out/r.html]\n',
      "4:16 error semantic/expose-as jobs:a:artifacts expose as can contain only letters, digits, '-', '_' and spaces",
    ],
    [
      'a:\n  script: [echo]\n  artifacts:\n    expose_as: Report\n    paths: ["out/*.html"]\n',
      "5:12 error semantic/expose-as jobs:a:artifacts paths can't contain '*' when used with 'expose_as'",
    ],
    ['a:\n  script: [echo]\n  artifacts:\n    expose_as: Report\n', "4:5 error semantic/expose-as jobs:a:artifacts paths can't be blank"],
    ['a:\n  trigger: {strategy: depend}\n', "2:12 error semantic/trigger-job jobs:a:trigger project can't be blank"],
  ])('%j', async (text, expected) => {
    expect(await briefs(text)).toEqual([`.gitlab-ci.yml:${expected}`]);
  });

  it('durations GitLab reads are taken: units, number words, never where DurationParser takes it, a month of timeout', async () => {
    const text =
      'a:\n  script: [echo]\n  timeout: 1 month\n  artifacts: {paths: [x], expire_in: never}\n' +
      '  environment: {name: review, auto_stop_in: two days and 3 hrs}\nb:\n  script: [echo]\n  timeout: 1h 30m\n' +
      '  artifacts: {paths: [x], expire_in: 3 wks, expose_as: Test results-2}\n  inherit:\n    default: [hooks, id_tokens, identity, retry]\n' +
      'c:\n  script: [echo]\n  environment: review/${CI_COMMIT_REF_SLUG}.$CI_JOB_ID\n';
    expect(await briefs(text)).toEqual([]);
  });

  it("the keys inherit:default takes beyond ci.json's list are exactly the keys of ci.json's default: that list lacks", () => {
    const schema = JSON.parse(readFileSync(new URL('../../src/ci/schema/gitlab-ci.schema.json', import.meta.url), 'utf8')) as {
      properties: { default: { properties: Record<string, unknown> } };
      definitions: { job_template: { properties: { inherit: { properties: { default: { oneOf: { items?: { enum: string[] } }[] } } } } } };
    };
    const listed = schema.definitions.job_template.properties.inherit.properties.default.oneOf.flatMap(
      (branch) => branch.items?.enum ?? [],
    );
    const keys = Object.keys(schema.properties.default.properties).filter((key) => key !== '!reference');
    expect([...INHERITABLE_BEYOND_SCHEMA].sort()).toEqual(keys.filter((key) => !listed.includes(key)).sort());
  });

  it('inherit:default names the keys ci.json leaves out of its list when it refuses one', async () => {
    expect(await briefs('a:\n  script: [echo]\n  inherit:\n    default: [hoks]\n')).toEqual([
      expect.stringContaining('"timeout", "hooks", "id_tokens", "identity"'),
    ]);
  });
});

describe('a need that rules can leave out of a pipeline', () => {
  const job = (name: string, rest: string) => `${name}:\n  stage: build\n  script: [echo]\n${rest}`;
  const WARNING =
    'warning semantic/need-left-out a needs b, whose rules can leave it out of a pipeline, while the rules of a keep it in every ' +
    "pipeline: where b is left out, GitLab refuses to create the pipeline ('b' does not exist in the pipeline). Give a rules " +
    'that leave it out too, or make the need optional (needs:optional)';

  it.each([
    ['no rule of b matches always', '  rules: [{if: $CI_COMMIT_TAG}]\n', '  rules: [{when: always}]\n'],
    [
      'a rule of b that may match says when: never',
      '  rules: [{if: $X, when: never}, {when: on_success}]\n',
      '  rules: [{when: on_success}]\n',
    ],
    [
      "a's first rule compares two equal strings (a component's boolean input)",
      '  rules: [{changes: [a]}]\n',
      `  rules: [{if: '"true" == "true"'}]\n`,
    ],
  ])('warned when %s and the rules of a keep it in', async (_, bRules, aRules) => {
    expect(await briefs(`${job('b', bRules)}${job('a', `${aRules}  needs: [b]\n`)}`)).toEqual([`.gitlab-ci.yml:9:11 ${WARNING}`]);
  });

  it.each([
    ['b has no rules', '', '  rules: [{when: always}]\n', '  needs: [b]\n'],
    [
      'b has a rule that matches always first',
      '  rules: [{when: always}, {if: $X, when: never}]\n',
      '  rules: [{when: always}]\n',
      '  needs: [b]\n',
    ],
    ['a has no rules (its default only: can leave it out where b is)', '  rules: [{if: $CI_COMMIT_TAG}]\n', '', '  needs: [b]\n'],
    ['the rules of a may leave it out', '  rules: [{if: $CI_COMMIT_TAG}]\n', '  rules: [{if: $CI_COMMIT_TAG}]\n', '  needs: [b]\n'],
    ["a's first rule compares different strings", '  rules: [{if: $X}]\n', `  rules: [{if: '"false" == "true"'}]\n`, '  needs: [b]\n'],
    ['the need is optional', '  rules: [{if: $X}]\n', '  rules: [{when: always}]\n', '  needs: [{job: b, optional: true}]\n'],
    [
      "a's first rule gives needs of its own, which replace the job's",
      '  rules: [{if: $X}]\n',
      '  rules: [{needs: []}]\n',
      '  needs: [b]\n',
    ],
  ])('not warned when %s', async (_, bRules, aRules, needs) => {
    expect(await briefs(`${job('b', bRules)}${job('a', `${aRules}${needs}`)}`)).toEqual([]);
  });

  it("a build component's switch jobs and a build job people gave rules: warned at the include", async () => {
    const text =
      `include:\n  - component: ${CATALOG}/buildah@1\n    inputs:\n      sign: true\n` +
      'build-image:\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n';
    const found = await briefs(text);
    expect(found).toEqual([
      expect.stringMatching(/^\.gitlab-ci\.yml:2:5 warning semantic\/need-left-out build-image:sign needs build-image, /),
    ]);
  });
});

describe('matrix expressions ($[[ matrix.X ]], GitLab 18.6+)', () => {
  const pipeline =
    'linux:build:\n  stage: build\n  script: echo build\n  parallel:\n    matrix:\n      - PROVIDER: [aws, gcp]\n' +
    'linux:test:\n  stage: test\n  script: echo test\n  parallel:\n    matrix:\n      - PROVIDER: [aws, gcp]\n' +
    "  needs:\n    - job: linux:build\n      parallel:\n        matrix:\n          - PROVIDER: ['$[[ matrix.PROVIDER ]]']\n";
  it('are no input blocks: not text GitLab leaves, nor an unknown interpolation key under a spec: header', async () => {
    expect(await briefs(pipeline)).toEqual([]);
    expect(await briefs(`spec: {}\n---\n${pipeline}`)).toEqual([]);
  });
});

describe('spec:include (GitLab 18.9): input specs read from other files', () => {
  // External::Header::Processor: the files hold only `inputs:`; theirs come first, then the inline ones.
  const shared = 'inputs:\n  region:\n    options: [eu, us]\n    default: eu\n';
  const header = (include: string, inline = '') =>
    `spec:\n  include:\n${include}${inline ? `  inputs:\n${inline}` : ''}---\n` +
    'deploy:\n  script: [echo]\n  environment: $[[ inputs.region ]]\n';
  it("a local file's inputs are declared inputs: usable, and no undeclared-input", async () => {
    const inline = '    tier:\n      options: [a, b]\n      default: a\n';
    const text = header('    - local: /shared-inputs.yml\n', inline).replace('region ]]', 'region ]]-$[[ inputs.tier ]]');
    expect(await briefs(text, { 'shared-inputs.yml': shared })).toEqual([]);
  });
  it('an input declared in a file and inline, or in two files, is GitLab’s duplicate error', async () => {
    const inline = '    region:\n      options: [us]\n      default: us\n';
    expect(await briefs(header('    - local: /shared-inputs.yml\n', inline), { 'shared-inputs.yml': shared })).toEqual([
      '.gitlab-ci.yml:5:5 error spec/duplicate-input Duplicate input keys found: region. ' +
        'Input keys must be unique across all included files and inline specifications.',
    ]);
    const files = { 'a.yml': shared, 'b.yml': shared };
    expect(await briefs(header('    - local: a.yml\n    - local: b.yml\n'), files)).toEqual([
      '.gitlab-ci.yml:4:14 error spec/duplicate-input Duplicate input keys found: region. ' +
        'Input keys must be unique across all included files and inline specifications.',
    ]);
  });
  it('a file with a key other than inputs: is refused, in GitLab’s words (File::Base#validate_content_keys!)', async () => {
    const files = { 'shared-inputs.yml': `${shared}test:\n  script: echo\n` };
    expect(await briefs(header('    - local: /shared-inputs.yml\n'), files)).toEqual([
      '.gitlab-ci.yml:3:14 error spec/include Header include file `shared-inputs.yml` contains unknown keys: [:test]',
    ]);
  });
  it('a missing file is GitLab’s error, and what it would declare is not reported missing', async () => {
    expect(await briefs(header('    - local: /missing.yml\n'))).toEqual([
      '.gitlab-ci.yml:3:14 error spec/include Local file `missing.yml` does not exist!',
    ]);
  });
  it('a remote (or project) file is not read: its inputs are unknown, no undeclared-input', async () => {
    expect(await briefs(header('    - remote: https://example.com/inputs.yml\n'))).toEqual([]);
    expect(await briefs(header("    - project: group/shared\n      file: '/inputs.yml'\n"))).toEqual([]);
    const text = header('    - remote: https://example.com/inputs.yml\n', '    tier:\n      default: a\n      options: [a]\n');
    const result = await lintFile(text, { file: '.gitlab-ci.yml', host: host({}) });
    expect(result.inputsUnread).toEqual(['.gitlab-ci.yml']);
  });
  it('a local include of a file that uses spec:include takes the inputs its files declare', async () => {
    const files = { 'shared-inputs.yml': shared, 'ci/deploy.yml': header('    - local: /shared-inputs.yml\n') };
    expect(await briefs('include:\n  - local: ci/deploy.yml\n    inputs:\n      region: us\n', files)).toEqual([]);
    expect(await briefs('include:\n  - local: ci/deploy.yml\n    inputs:\n      regoin: us\n', files)).toEqual([
      '.gitlab-ci.yml:4:7 error include/inputs `ci/deploy.yml`: unknown input arguments: regoin (did you mean `region`?)',
    ]);
  });
  it('a component cannot use spec:include', async () => {
    expect(await briefs(header('    - local: /shared-inputs.yml\n'), { 'shared-inputs.yml': shared }, 'templates/deploy.yml')).toEqual([
      'templates/deploy.yml:2:3 error spec/include cannot use `spec:include`. This keyword is not supported in components',
    ]);
  });
});
