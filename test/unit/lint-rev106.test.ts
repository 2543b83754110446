/**
 * `cigen lint` against what GitLab does, each reproduced here before it was fixed: a wildcard
 * include's `inputs:` (GitLab passes none to the files it names).
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
