/**
 * `cigen lint` against what GitLab does, each reproduced here before it was fixed: a wildcard
 * include's `inputs:` (GitLab passes none to the files it names), an `auto_stop_in` holding a
 * variable, more than 50 needs once `parallel:` is expanded, input names.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { lintHost } from '../../src/cli/wiring/lint.js';
import { lintText } from '../../src/lint/lint-text.js';

const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;

/** Lints `.gitlab-ci.yml` of `files`, a project whose files a wildcard include can match. */
async function lintProject(files: Record<string, string>): Promise<string[]> {
  const host = lintHost(
    (path) => {
      const text = files[path];
      return text === undefined ? undefined : { text, file: path };
    },
    () => Promise.resolve(Object.keys(files).sort()),
  );
  return (await lintText(files['.gitlab-ci.yml'] as string, { file: '.gitlab-ci.yml', host })).map(brief);
}

describe('a wildcard local include passes no inputs (Mapper::LocationExpander: `{ local: path }`)', () => {
  const WARNING =
    'warning include/wildcard-inputs `ci/*.yml` is a wildcard: GitLab includes each file it names with no inputs ' +
    '(it keeps only the path of each), and says nothing, so these inputs reach none of them';

  it('a matched file without a spec is no error; the inputs are a warning at the include', async () => {
    const found = await lintProject({
      '.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\n    inputs:\n      path: lib/\n",
      'ci/lint.yml':
        'spec:\n  inputs:\n    path:\n      default: src/\n      regex: ^[a-z/]+$\n---\nlint:\n  script:\n    - make lint $[[ inputs.path ]]\n',
      'ci/test.yml': 'test:\n  script: [make test]\n',
    });
    expect(found).toEqual([`.gitlab-ci.yml:3:5 ${WARNING}`]);
  });

  it('a matched file that requires an input is refused: the input given never reaches it', async () => {
    const found = await lintProject({
      '.gitlab-ci.yml': "include:\n  - local: 'ci/*.yml'\n    inputs:\n      env: staging\n",
      'ci/deploy.yml':
        'spec:\n  inputs:\n    env:\n      options: [staging, production]\n---\ndeploy:\n  script:\n    - deploy $[[ inputs.env ]]\n',
    });
    expect(found).toEqual([
      '.gitlab-ci.yml:2:5 error include/inputs `ci/deploy.yml`: `env` input: required value has not been provided',
      `.gitlab-ci.yml:3:5 ${WARNING}`,
    ]);
  });

  it('an include that names one file keeps its inputs', async () => {
    const found = await lintProject({
      '.gitlab-ci.yml': "include:\n  - local: 'ci/deploy.yml'\n    inputs:\n      env: staging\n",
      'ci/deploy.yml':
        'spec:\n  inputs:\n    env:\n      options: [staging, production]\n---\ndeploy:\n  script:\n    - deploy $[[ inputs.env ]]\n',
    });
    expect(found).toEqual([]);
  });
});

describe('environment:auto_stop_in holding a variable (DurationValidator with `variable: true`)', () => {
  const job = (autoStopIn: string, expireIn = '1 week') =>
    `review:\n  script: [deploy]\n  variables: {TTL: 3 days}\n  artifacts: {paths: [out], expire_in: ${expireIn}}\n` +
    `  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    auto_stop_in: ${autoStopIn}\n`;
  const found = async (text: string) => (await lintText(text, { file: '.gitlab-ci.yml' })).map(brief);

  it('is not judged: GitLab expands it when the deployment succeeds', async () => {
    expect(await found(job('$TTL'))).toEqual([]);
    expect(await found(job("'${TTL}'"))).toEqual([]);
    expect(await found(job("'${N} days'"))).toEqual([]);
    expect(await found(job("'%TTL%'"))).toEqual([]);
  });

  it('one without a variable is judged still, and artifacts:expire_in takes no variable', async () => {
    expect(await found(job('forever'))).toEqual([
      '.gitlab-ci.yml:7:19 error semantic/duration jobs:review:environment auto stop in should be a duration',
    ]);
    expect(await found(job('$TTL', '$KEEP'))).toEqual([
      '.gitlab-ci.yml:4:40 error semantic/duration jobs:review:artifacts expire in should be a duration',
    ]);
  });
});

describe('a job that needs more than 50 jobs once `parallel:` is expanded (Seed::Build#needs_errors)', () => {
  const found = async (text: string) => (await lintText(text, { file: '.gitlab-ci.yml' })).map(brief);
  const LIMIT =
    "(counting each job `parallel:` makes; 50 is GitLab's default limit, ci_needs_size_limit, which a self-managed instance can raise)";

  it('is a warning naming the default limit: parallel: N and parallel:matrix alike', async () => {
    expect(
      await found('test: {stage: build, parallel: 60, script: [make test]}\nreport: {stage: test, needs: [test], script: [r]}\n'),
    ).toEqual([
      `.gitlab-ci.yml:2:30 warning semantic/needs-limit report: one job can only need 50 others, but you have listed 60 ${LIMIT}`,
    ]);
    const matrix =
      'test:\n  stage: build\n  script: [t]\n  parallel:\n    matrix:\n      - {A: [a, b, c, d, e, f, g, h], B: [1, 2, 3, 4, 5, 6, 7]}\n';
    expect(await found(`${matrix}report:\n  needs: [test]\n  script: [r]\n`)).toEqual([
      `.gitlab-ci.yml:8:10 warning semantic/needs-limit report: one job can only need 50 others, but you have listed 56 ${LIMIT}`,
    ]);
  });

  it("50 is no finding; a rule's needs are counted too", async () => {
    expect(await found('test: {stage: build, parallel: 50, script: [t]}\nreport: {stage: test, needs: [test], script: [r]}\n')).toEqual([]);
    expect(await found('test: {stage: build, parallel: 51, script: [t]}\nreport:\n  script: [r]\n  rules:\n    - needs: [test]\n')).toEqual(
      [`.gitlab-ci.yml:5:14 warning semantic/needs-limit report: one job can only need 50 others, but you have listed 51 ${LIMIT}`],
    );
  });
});

describe('input names: GitLab takes any (Header::Input), `$[[ inputs.x ]]` reads not every one', () => {
  const spec = (name: string) => `spec:\n  inputs:\n    ${name}:\n      default: ci\n      regex: ^[a-z]+$\n---\n`;

  it('a name outside [A-Za-z0-9_-] is no error, in the spec or at the include', async () => {
    const found = await lintProject({
      '.gitlab-ci.yml': 'include:\n  - local: templates/c.yml\n    inputs:\n      "vault:role": deploy\n      Größe: xl\n',
      'templates/c.yml':
        'spec:\n  inputs:\n    "vault:role": {default: ci, regex: "^[a-z]+$"}\n    Größe: {default: m, regex: "^[a-z]+$"}\n---\n' +
        'job:\n  script:\n    - echo $[[ inputs.vault:role ]] $[[ inputs.Größe ]]\n',
    });
    expect(found).toEqual([]);
  });

  it('a name the access cannot read is a warning in the spec', async () => {
    const found = (name: string) =>
      lintText(`${spec(name)}job:\n  script: [x]\n`, { file: 't.yml' }).then((d) =>
        d.filter((f) => f.code === 'spec/input-name').map(brief),
      );
    expect(await found('"a.b"')).toEqual([
      't.yml:3:5 warning spec/input-name input name `a.b` cannot be read by `$[[ inputs.a.b ]]`: GitLab splits the access at each `.`',
    ]);
    expect(await found('"a|b"')).toEqual([
      't.yml:3:5 warning spec/input-name input name `a|b` cannot be read by `$[[ inputs.a|b ]]`: GitLab reads what follows a `|` as a function',
    ]);
    expect(await found('a-b_1')).toEqual([]);
  });
});
