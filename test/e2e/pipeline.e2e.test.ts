/**
 * This repository's own pipeline (.gitlab-ci.yml), every job but the release ones, run by
 * gitlab-ci-local with the shell executor on a copy of the working tree:
 *  - lint, test (.ci/run in the job's own checkout: it installs and builds as CI does, then runs
 *    the unit tier — the full suite is what is running this file), component:buildah (a real
 *    build of the fixture pushed to a local registry) and component:doctor (the real probe);
 *  - component:kaniko, component:buildkit and the manual component:buildah-rootless, whose
 *    builders do not exist here: their job scripts run with stub builders first on PATH that
 *    record what they were given.
 * Not component:dind: gitlab-ci-local starts a job's services even with the shell executor, and
 * its docker:dind service needs a Docker engine, which this machine does not have. Its script
 * runs against stubs in the argv contracts (test/system/argv-contracts.test.ts) instead.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startRegistry, type Registry } from './lib/registry.js';
import { ROOT, freshRunner, git, pushBaseImage, runGitlabCiLocal, type Runner } from './lib/runner.js';

const STUB = join(ROOT, 'test/helpers/stub.sh');
/** The jobs of a version tag's pipeline besides the CLI image's. */
const RELEASE_JOBS = ['publish:preflight', 'release', 'npm:publish'];

/** The working tree as a fresh repository at gitlab.example.com/ci-components/cigen. */
function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-self-'));
  try {
    return fill(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function fill(dir: string): string {
  const files = git(ROOT, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    // git keeps symbolic links as links (the fixtures share one directory).
    if (lstatSync(join(ROOT, file)).isSymbolicLink()) symlinkSync(readlinkSync(join(ROOT, file)), join(dir, file));
    else copyFileSync(join(ROOT, file), join(dir, file));
  }
  chmodSync(join(dir, 'bin/cigen.cjs'), 0o755);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'https://gitlab.example.com/ci-components/cigen.git');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'self-test');
  git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  git(dir, 'remote', 'set-head', 'origin', 'main');
  return dir;
}

describe('the project pipeline under gitlab-ci-local', () => {
  let registry: Registry;
  let runner: Runner;
  let project: string;
  let base: string;

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushBaseImage(registry);
    runner = freshRunner(registry);
    project = checkout();
  });
  afterAll(async () => {
    runner?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
    await registry?.stop();
  });

  const run = (jobs: string[], env: Record<string, string> = {}, manual: string[] = []) =>
    runGitlabCiLocal(project, runner, {
      variables: {
        CI_REGISTRY: registry.host,
        CI_REGISTRY_IMAGE: `${registry.host}/ci-components/cigen`,
        CI_REGISTRY_USER: registry.user,
        CI_REGISTRY_PASSWORD: registry.password,
        FIXTURE_BASE: base,
        CIGEN_TEST_SCRIPT: 'test:unit',
      },
      env,
      jobs,
      manual,
      timeoutMs: 1_500_000,
    });

  it('lint, test (the unit tier), and the buildah and doctor components for real', async () => {
    const sha = git(project, 'rev-parse', 'HEAD');
    const { status, everything } = run(['lint', 'test', 'component:buildah', 'component:doctor']);
    expect(status, everything.slice(-6000)).toBe(0);
    for (const job of ['lint', 'test', 'component:buildah', 'component:doctor']) expect(everything).toMatch(new RegExp(`PASS\\s+${job}`));
    // The nested `test` job ran the unit tier, and it passed (gitlab-ci-local may show a job's
    // output more than once: one suite means one distinct summary).
    const summaries = new Set(everything.match(/Tests\s+\d+ passed \(\d+\)/g) ?? []);
    expect(summaries.size).toBe(1);
    expect(everything).not.toMatch(/Tests\s+\d+ failed/);
    expect(await registry.tags('ci-components/cigen/component-tests/buildah')).toEqual([sha.slice(0, 8)]);
    const report = JSON.parse(readFileSync(join(project, 'cigen-doctor.json'), 'utf8')) as { recommendation: string };
    expect(report.recommendation).toBe('buildah');
    for (const secret of [registry.password, Buffer.from(`${registry.user}:${registry.password}`).toString('base64')])
      expect(everything).not.toContain(secret);
    // The run's own budget (timeoutMs above), not the tier's 300 s default: it runs the whole unit
    // tier inside a job, then two real components, which on a loaded machine takes longer than 300 s.
  }, 1_600_000);

  it('the CLI image jobs are in default-branch and tag pipelines, a branch pipeline has none of them, npm:publish needs NPM_TOKEN', () => {
    /** The CLI image and release jobs of the pipeline on `branch`; every job they need is in it (GitLab
     *  refuses to create a pipeline where a job needs one that is not there). */
    const jobsOn = (branch: string, variables: Record<string, string> = {}) => {
      const copy = checkout();
      try {
        if (branch !== 'main') git(copy, 'checkout', '-q', '-b', branch);
        const result = spawnSync(
          join(ROOT, 'node_modules/.bin/gitlab-ci-local'),
          ['--list', '--no-color', ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`])],
          { cwd: copy, env: { ...process.env, ...runner.env }, encoding: 'utf8', timeout: 300_000 },
        );
        expect(result.status, result.stdout + result.stderr).toBe(0);
        const rows = result.stdout.split('\n').map((line) => ({
          name: line.split(/\s+/)[0] ?? '',
          needs: (/\[([^\]]*)\]\s*$/.exec(line)?.[1] ?? '').split(',').filter(Boolean),
        }));
        const names = rows.map((row) => row.name);
        for (const { name, needs } of rows) for (const need of needs) expect(names, `${name} needs ${need}`).toContain(need);
        return names.filter((name) => name.startsWith('cli-image') || RELEASE_JOBS.includes(name));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    };
    const all = ['cli-image', 'cli-image:sign', 'cli-image:sbom', 'cli-image:provenance'];
    // A version tag promotes the digest built to the version's tags, once the preflight passes.
    const tagged = [...all, 'cli-image:promote', 'publish:preflight'];
    expect(jobsOn('main')).toEqual(all);
    // npm:publish only where NPM_TOKEN is set (a mirror of the project does not publish).
    expect(jobsOn('main', { CI_COMMIT_TAG: '1.2.3' })).toEqual([...tagged, 'release']);
    expect(jobsOn('main', { CI_COMMIT_TAG: '1.2.3', NPM_TOKEN: 'set' })).toEqual([...tagged, 'release', 'npm:publish']);
    // A tag pipeline has no CI_COMMIT_BRANCH on GitLab (gitlab-ci-local sets it: cleared here). A
    // pre-release gets its image, which its components' cli-image names, checked by the preflight
    // as a release is (before, its image was promoted with no check), but no release; a tag of
    // another form none of them.
    const tagPipeline = (tag: string) => ({ CI_COMMIT_TAG: tag, CI_COMMIT_BRANCH: '', NPM_TOKEN: 'set' });
    expect(jobsOn('main', tagPipeline('1.2.3'))).toEqual([...tagged, 'release', 'npm:publish']);
    expect(jobsOn('main', tagPipeline('1.3.0-rc.1'))).toEqual(tagged);
    expect(jobsOn('main', tagPipeline('v1.2.3'))).toEqual([]);
    // Before, the component's own rules won over extends: cli-image:sign stayed, needing a cli-image
    // that was not there, and GitLab refused to create the pipeline.
    expect(jobsOn('feature')).toEqual([]);
  });

  it('npm:publish waits for the release: an npm version can never be published again', () => {
    const pipeline = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8'), { logLevel: 'error' }) as Record<
      string,
      { needs?: string[] }
    >;
    expect(pipeline['npm:publish']?.needs).toEqual(['publish:preflight', 'release']);
    expect(pipeline['release']?.needs).toEqual(
      expect.arrayContaining(['cli-image:sign', 'cli-image:sbom', 'cli-image:provenance', 'cli-image:promote']),
    );
  });

  it('the CLI image is built by commit, reproducibly, and a version tag promotes that digest once it is signed and attested', () => {
    const text = readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8');
    const pipeline = parse(text.split(/^---$/m).at(-1) ?? text, { logLevel: 'error' }) as Record<string, unknown> & {
      include: { component: string; inputs?: Record<string, unknown> }[];
    };
    const build = pipeline.include.find((entry) => entry.inputs?.['job-name'] === 'cli-image');
    expect(build?.inputs).toMatchObject({ tags: ['$CI_COMMIT_SHORT_SHA'], reproducible: true });
    const promote = pipeline.include.find((entry) => entry.inputs?.['job-name'] === 'cli-image:promote');
    expect(promote?.component).toMatch(/\/promote@\$CI_COMMIT_SHA$/);
    expect(promote?.inputs).toMatchObject({ 'build-job': 'cli-image' });
    const needs = (pipeline['cli-image:promote'] as { needs: { job: string; optional?: boolean }[] }).needs;
    expect(needs.map((n) => n.job)).toEqual(['cli-image', 'cli-image:sign', 'cli-image:sbom', 'cli-image:provenance', 'publish:preflight']);
    // None optional: a promote without any of them would tag an image nothing checked.
    expect(needs.filter((n) => n.optional)).toEqual([]);
  });

  it('npm:publish names this project as the repository before npm publish --provenance', () => {
    // npm refuses a provenance whose source repository is not package.json's repository.url.
    const stubs = mkdtempSync(join(tmpdir(), 'cigen-self-npm-'));
    try {
      const bin = join(stubs, 'bin');
      mkdirSync(bin);
      const realNpm = spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
      const record = join(stubs, 'publish.json');
      writeFileSync(
        join(bin, 'npm'),
        [
          '#!/bin/bash',
          'case "$1" in',
          '  ci) exit 0 ;;',
          `  pkg) exec '${realNpm}' "$@" ;;`,
          `  publish) exec node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), repository: require(process.cwd() + "/package.json").repository }))' '${record}' "$@" ;;`,
          '  *) exit 3 ;;',
          'esac',
          '',
        ].join('\n'),
      );
      chmodSync(join(bin, 'npm'), 0o755);
      // A copy of its own: the job edits package.json.
      const copy = checkout();
      const { status, everything } = runGitlabCiLocal(copy, runner, {
        variables: { CI_COMMIT_TAG: '1.2.3', NPM_TOKEN: 'npm-token-canary' },
        env: { PATH: `${bin}:${runner.env.PATH}` },
        jobs: ['npm:publish'],
      });
      rmSync(copy, { recursive: true, force: true });
      expect(status, everything.slice(-6000)).toBe(0);
      expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({
        argv: ['publish', '--provenance', '--access', 'public'],
        repository: { type: 'git', url: 'git+https://gitlab.example.com/ci-components/cigen.git' },
      });
    } finally {
      rmSync(stubs, { recursive: true, force: true });
    }
  });

  it('kaniko, buildkit and buildah-rootless run their scripts against stub builders', () => {
    const stubs = mkdtempSync(join(tmpdir(), 'cigen-self-stubs-'));
    try {
      const bin = join(stubs, 'bin');
      mkdirSync(bin);
      for (const tool of ['executor', 'buildctl-daemonless.sh', 'buildah']) {
        copyFileSync(STUB, join(bin, tool));
        chmodSync(join(bin, tool), 0o755);
      }
      const calls = join(stubs, 'calls');
      const env = { PATH: `${bin}:${runner.env.PATH}`, CIGEN_STUB_DIR: calls, DOCKER_CONFIG: join(stubs, 'docker') };
      const { status, everything } = run(['component:kaniko', 'component:buildkit'], env, ['component:buildah-rootless']);
      expect(status, everything.slice(-6000)).toBe(0);
      for (const job of ['component:kaniko', 'component:buildkit', 'component:buildah-rootless'])
        expect(everything).toMatch(new RegExp(`PASS\\s+${job.replace(/[:-]/g, '\\$&')}`));
      const argv = (name: string) =>
        readdirSync(calls)
          .filter((f) => f.startsWith(`${name}.`) && f.endsWith('.argv'))
          .map((f) => readFileSync(join(calls, f), 'utf8').split('\0').filter(Boolean));
      const sha = git(project, 'rev-parse', 'HEAD').slice(0, 8);
      const image = (name: string) => `${registry.host}/ci-components/cigen/component-tests/${name}:${sha}`;
      expect(argv('executor').flat()).toContain(`--destination=${image('kaniko')}`);
      expect(argv('executor').flat()).toContain(`--build-arg=BASE=${base}`);
      expect(argv('buildctl-daemonless.sh').flat().join(' ')).toContain(`name=${image('buildkit')}`);
      expect(argv('buildah').flat()).toContain(image('buildah-rootless'));
    } finally {
      rmSync(stubs, { recursive: true, force: true });
    }
  });
});
