/**
 * A key written twice in one mapping: GitLab reads the file (Ruby's Psych keeps the last value),
 * and so does `cigen lint` (a warning). migrate, init and the bot read it the same way: the last
 * key counts, the warning is said, and a file they rewrite holds only the key GitLab reads (the
 * overridden one would otherwise come back to life when the rewrite removes the one that wins),
 * its comments kept.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitLabPlatform } from '../../src/bot/gitlab.js';
import { BRANCH, runBot } from '../../src/bot/run.js';
import { migrator } from '../../src/cli/wiring/bot.js';
import { migrateFile } from '../../src/migrate/index.js';
import { cigen } from '../helpers/cli.js';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const KANIKO_SCRIPT = '    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n';

/** Keys twice: a variable, and the job's image (the overridden one is not Kaniko's). */
const DUPLICATES =
  '# the pipeline\n' +
  'variables:\n' +
  '  A: "1"  # the old value\n' +
  '  A: "2"\n' +
  'build:\n' +
  '  # the builder\n' +
  '  image: alpine:3\n' +
  '  image: gcr.io/kaniko-project/executor:debug\n' +
  '  tags: [docker]\n' +
  '  script:\n' +
  KANIKO_SCRIPT +
  'test:\n' +
  '  script: [echo]\n';

/** The same pipeline as GitLab reads it: each key once (the last), the comments kept. */
const AS_GITLAB_READS =
  '# the pipeline\n' +
  'variables:\n' +
  '  # the old value\n' +
  '  A: "2"\n' +
  'build:\n' +
  '  # the builder\n' +
  '  image: gcr.io/kaniko-project/executor:debug\n' +
  '  tags: [docker]\n' +
  '  script:\n' +
  KANIKO_SCRIPT +
  'test:\n' +
  '  script: [echo]\n';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-duplicates-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('migrate on a file with a key written twice', () => {
  it('--write: exit 0, the job migrated, the file as GitLab reads it rewritten (comments kept, the overridden keys gone)', () => {
    const dir = project({ '.gitlab-ci.yml': DUPLICATES });
    const clean = project({ '.gitlab-ci.yml': AS_GITLAB_READS });
    const result = cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('✓ build: migrated → $CI_SERVER_FQDN/ci-components/cigen/buildah@1');
    expect(result.stdout).toContain(
      '  warning: .gitlab-ci.yml:4:3: duplicate key `A`; GitLab keeps the last one, the only one the rewritten file holds\n',
    );
    expect(result.stdout).toContain(
      '  warning: .gitlab-ci.yml:8:3: duplicate key `image`; GitLab keeps the last one, the only one the rewritten file holds\n',
    );
    expect(cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: clean }).status).toBe(0);
    const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(written).toBe(readFileSync(join(clean, '.gitlab-ci.yml'), 'utf8'));
    expect(written).not.toContain('alpine');
    expect(written).toContain('  # the old value\n  A: "2"\n');
    expect(written).toContain('  tags: [docker]\n');
    const lint = cigen(['lint', '.gitlab-ci.yml'], { cwd: dir });
    expect(lint.stdout).not.toContain('duplicate');
  });

  it('a file it does not change is left as it is, the duplicate said', () => {
    const text = 'variables:\n  A: "1"\n  A: "2"\ntest:\n  script: [echo]\n';
    const [file] = migrateFile('.gitlab-ci.yml', text);
    expect(file).toMatchObject({ changed: false, result: text });
    expect(file?.warnings).toEqual(['.gitlab-ci.yml:3:3: duplicate key `A`; GitLab keeps the last one']);
  });

  it('an include written twice: the last one is the one read (as GitLab does), its job migrated', () => {
    const root = 'include:\n  - local: old.yml\ninclude:\n  - local: ci/build.yml\ntest:\n  script: [echo]\n';
    const build = `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n${KANIKO_SCRIPT}`;
    const files: Record<string, string> = { 'ci/build.yml': build };
    const results = migrateFile('.gitlab-ci.yml', root, { host: { readProjectFile: (path) => files[path] } });
    // The root is not changed (the job is in the include), so it stays as it is written.
    expect(results.map((r) => [r.path, r.changed])).toEqual([
      ['.gitlab-ci.yml', false],
      ['ci/build.yml', true],
    ]);
    expect(results[0]?.warnings).toEqual(['.gitlab-ci.yml:3:1: duplicate key `include`; GitLab keeps the last one']);
    // old.yml, which GitLab never reads, is not reported missing.
    expect(results[0]?.warnings.join('\n')).not.toContain('old.yml');
    expect(results[1]?.jobs.map((j) => [j.name, j.status])).toEqual([['build', 'migrated']]);
  });

  it('a list item with a key written twice (`- if: a` then `if: b`): the item keeps its dash', () => {
    const text = 'build:\n  image: gcr.io/kaniko-project/executor:debug\n  rules:\n    - if: $A\n      if: $B\n  script:\n' + KANIKO_SCRIPT;
    const [file] = migrateFile('.gitlab-ci.yml', text);
    expect(file?.changed).toBe(true);
    expect(file?.result).toContain('    - if: $B\n');
    expect(file?.result).not.toContain('$A');
  });
});

describe('an overridden key cigen does not remove', () => {
  it('one holding an anchor: refused with the reason (exit 1, nothing written), never "invalid YAML"', () => {
    const text = `.base: &base\n  tags: [a]\n.base:\n  tags: [b]\nbuild:\n  <<: *base\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n${KANIKO_SCRIPT}`;
    const dir = project({ '.gitlab-ci.yml': text });
    const result = cigen(['migrate', '--write', '.gitlab-ci.yml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      '.gitlab-ci.yml:1:1: duplicate key `.base` (GitLab keeps the later one): it holds a tag or an anchor, which cigen does not ' +
        'remove; remove this one and run cigen again; nothing was written\n',
    );
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(text);
  });
});

describe('init on a file with a key written twice', () => {
  it('adds its builds to the include GitLab reads (the last), with the warning; exit 0', () => {
    const text = 'include:\n  - local: old.yml\ninclude:\n  - local: ci.yml\ntest:\n  script: [echo]\n';
    const dir = project({ '.gitlab-ci.yml': text, 'ci.yml': 'x:\n  script: [echo]\n', Dockerfile: 'FROM scratch\n' });
    const result = cigen(['init', dir, '--builder', 'buildah', '--yes']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `cigen init: warning: ${join(dir, '.gitlab-ci.yml')}:3:1: duplicate key \`include\`; GitLab keeps the last one, the only one the rewritten file holds\n`,
    );
    const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(written).toMatch(/^include:\n {2}- local: ci\.yml\n {2}- component: \$CI_SERVER_FQDN\/ci-components\/cigen\/buildah@1\n/);
    expect(written).not.toContain('old.yml');
  });
});

describe('the bot on a project with a key written twice', () => {
  it('opens its merge request (not "skipped — not valid YAML")', async () => {
    const fake = await FakeGitLab.start();
    try {
      fake.addProject({ path: 'acme/dup', files: { '.gitlab-ci.yml': DUPLICATES } });
      const report = await runBot(new GitLabPlatform({ url: fake.url, token: fake.token }), {
        selection: { group: 'acme' },
        migrator,
        dryRun: false,
        concurrency: 1,
      });
      expect(report.projects.map((p) => [p.path, p.status])).toEqual([['acme/dup', 'opened']]);
      const clean = migrateFile('.gitlab-ci.yml', AS_GITLAB_READS)[0]?.result;
      expect(fake.file('acme/dup', BRANCH, '.gitlab-ci.yml')).toBe(clean);
    } finally {
      await fake.stop();
    }
  });
});
