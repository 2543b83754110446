/**
 * Builders that cannot run on this machine (Kaniko, BuildKit, Docker-in-Docker, Buildah in
 * rootless isolation): their rendered shell runs in the sandbox with stub executables that record
 * every argument as its own element and the config.json they could read. The contract is the
 * exact argv and the decoded credentials, for the same cases the real Buildah runs go through.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox, type StubCall } from '../helpers/sandbox.js';

const P = '/builds/group/app';
const IMG = 'registry.example.com/group/app';
const SHA = '01234567';
const DIGEST = `sha256:${'1'.repeat(64)}`;
const OCI = [
  'org.opencontainers.image.source=https://gitlab.example.com/group/app',
  'org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567',
  'org.opencontainers.image.created=2026-11-23T09:00:00+00:00',
  'org.opencontainers.image.title=App',
];
const CREDENTIALS = { 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` };

interface Case {
  inputs: Record<string, unknown>;
  env?: Record<string, string>;
}
const CASES: Record<string, Case> = {
  defaults: { inputs: {} },
  'two tags': { inputs: { tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] } },
  'build args and target': {
    inputs: { 'build-args': ['VERSION=1.2.3', 'PROXY=$HTTP_PROXY'], target: 'test' },
    env: { HTTP_PROXY: 'http://proxy:3128' },
  },
  labels: { inputs: { labels: ['org.example.team=platform'] } },
  'push off, with a tarball': { inputs: { push: false, tarball: 'out/image.tar' } },
  'push off, a tarball of two tags': { inputs: { push: false, tarball: 'out/image.tar', tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] } },
  'cache off': { inputs: { cache: false } },
  platform: { inputs: { platform: 'linux/arm64' } },
  'other credentials': {
    inputs: { registry: 'registry.example.com', 'registry-user': '$DEPLOY_USER', 'registry-password': '$DEPLOY_TOKEN' },
    env: { DEPLOY_USER: 'deployer', DEPLOY_TOKEN: 'deploy-token' },
  },
};

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.dispose());

function run(component: string, mode: 'classic' | 'text', { inputs, env = {} }: Case, setup?: (box: Sandbox) => void) {
  sandbox = createSandbox();
  setup?.(sandbox);
  const { job } = instantiateComponent(component, inputs, mode);
  const result = sandbox.run(
    jobScript(job),
    { ...jobEnvironment(job, predefinedVariables(sandbox.projectDir, env)), ...env },
    component.startsWith('buildah') ? 'bash' : 'busybox',
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).not.toContain(REGISTRY_PASSWORD);
  const normalize = (call: StubCall) => ({ ...call, argv: call.argv.map((arg) => arg.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>')) });
  return {
    calls: sandbox.calls().map(normalize),
    report: sandbox.path(`${sandbox.projectDir}/cigen-build.env`),
    stdout: result.stdout,
    box: sandbox,
  };
}

const credentialsFor = (name: string) => (name === 'other credentials' ? { 'registry.example.com': 'deployer:deploy-token' } : CREDENTIALS);
const tagsFor = (name: string) => ((CASES[name]?.inputs['tags'] as unknown[] | undefined)?.length === 2 ? [SHA, 'latest'] : [SHA]);

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  describe('kaniko', () => {
    const expected = (name: string): string[] => {
      const c = CASES[name] as Case;
      const argv = [
        `--context=${P}`,
        `--dockerfile=${P}/Dockerfile`,
        '--digest-file=<tmp>/digest',
        // Kaniko deletes all but its ignore list between stages: the scratch directory stays.
        '--ignore-path=<tmp>',
        ...tagsFor(name).map((t) => `--destination=${IMG}:${t}`),
      ];
      if (c.inputs['cache'] !== false)
        argv.push('--cache=true', `--cache-repo=${IMG}/cache`, ...(c.inputs['push'] === false ? ['--no-push-cache'] : []));
      // The job's proxy comes first, as a build argument: Kaniko's RUN steps do not see the job's
      // environment. By name only: Kaniko reads the value from its environment (a proxy URL may hold a password).
      if (name === 'build args and target')
        argv.push('--build-arg=HTTP_PROXY', '--build-arg=VERSION=1.2.3', '--build-arg=PROXY=http://proxy:3128', '--target=test');
      if (name === 'platform') argv.push('--custom-platform=linux/arm64');
      argv.push(...OCI.map((l) => `--label=${l}`));
      if (name === 'labels') argv.push('--label=org.example.team=platform');
      if (c.inputs['push'] === false) argv.push('--no-push', `--tar-path=${P}/out/image.tar`);
      argv.push('--push-retry=3');
      return argv;
    };
    it.each(Object.keys(CASES))('%s', (name) => {
      const { calls } = run('kaniko', mode, CASES[name] as Case);
      expect(calls.map((c) => c.tool)).toEqual(['executor']);
      expect(calls[0]?.argv).toEqual(expected(name));
      if (name === 'build args and target') expect(calls[0]?.environment['HTTP_PROXY']).toBe('http://proxy:3128');
      expect(decodeAuths(calls[0]?.config)).toEqual(credentialsFor(name));
    });
  });

  describe('buildkit', () => {
    const expected = (name: string): string[] => {
      const c = CASES[name] as Case;
      const push = c.inputs['push'] !== false;
      const names = tagsFor(name)
        .map((t) => `${IMG}:${t}`)
        .join(',');
      const argv = [
        'build',
        '--frontend',
        'dockerfile.v0',
        '--local',
        `context=${P}`,
        '--local',
        `dockerfile=${P}`,
        '--opt',
        'filename=Dockerfile',
      ];
      // The image last: BuildKit's metadata file holds the digest of the last output.
      if (!push) argv.push('--output', `type=docker,"name=${names}",dest=${P}/out/image.tar`);
      argv.push('--output', `type=image,"name=${names}",push=${push}`);
      if (c.inputs['cache'] !== false) {
        // One cache tag per image (and platform) and branch (CI_COMMIT_REF_SLUG main, no other default branch known).
        const tag = name === 'platform' ? 'buildkit-group-app-linux-arm64-main' : 'buildkit-group-app-main';
        argv.push('--import-cache', `type=registry,ref=${IMG}/cache:${tag}`);
        if (push) argv.push('--export-cache', `type=registry,ref=${IMG}/cache:${tag},mode=max`);
      }
      if (name === 'build args and target')
        argv.push(
          '--opt',
          'build-arg:HTTP_PROXY=http://proxy:3128',
          '--opt',
          'build-arg:VERSION=1.2.3',
          '--opt',
          'build-arg:PROXY=http://proxy:3128',
          '--opt',
          'target=test',
        );
      if (name === 'platform') argv.push('--opt', 'platform=linux/arm64');
      for (const label of [...OCI, ...(name === 'labels' ? ['org.example.team=platform'] : [])]) argv.push('--opt', `label:${label}`);
      argv.push('--metadata-file', '<tmp>/metadata.json');
      return argv;
    };
    it.each(Object.keys(CASES))('%s', (name) => {
      const { calls } = run('buildkit', mode, CASES[name] as Case);
      expect(calls.map((c) => c.tool)).toEqual(['buildctl-daemonless.sh']);
      expect(calls[0]?.argv).toEqual(expected(name));
      expect(decodeAuths(calls[0]?.config)).toEqual(credentialsFor(name));
    });
  });

  describe('dind', () => {
    const expected = (name: string): string[][] => {
      const c = CASES[name] as Case;
      const push = c.inputs['push'] !== false;
      const cache = c.inputs['cache'] !== false;
      const [user] = credentialsFor(name)['registry.example.com'].split(':');
      const build = ['build', `--file=${P}/Dockerfile`, ...tagsFor(name).map((t) => `--tag=${IMG}:${t}`)];
      // The inline cache's keys are per platform: a tag per image, platform and branch, as buildkit's.
      const cacheTag = name === 'platform' ? 'dind-group-app-linux-arm64-main' : 'dind-group-app-main';
      if (cache)
        build.push(
          `--cache-from=${IMG}/cache:${cacheTag}`,
          '--build-arg=BUILDKIT_INLINE_CACHE=1',
          ...(push ? [`--tag=${IMG}/cache:${cacheTag}`] : []),
        );
      // The proxy by name only: the docker CLI reads its value from its environment.
      if (name === 'build args and target')
        build.push('--build-arg=HTTP_PROXY', '--build-arg=VERSION=1.2.3', '--build-arg=PROXY=http://proxy:3128', '--target=test');
      if (name === 'platform') build.push('--platform=linux/arm64');
      build.push(...OCI.map((l) => `--label=${l}`), ...(name === 'labels' ? ['--label=org.example.team=platform'] : []), P);
      const calls = [['info'], ['login', '--username', user as string, '--password-stdin', 'registry.example.com'], build];
      if (push) {
        calls.push(...tagsFor(name).map((t) => ['push', `${IMG}:${t}`]));
        if (cache) calls.push(['push', `${IMG}/cache:${cacheTag}`]);
      } else {
        calls.push(['save', `--output=${P}/out/image.tar`, ...tagsFor(name).map((t) => `${IMG}:${t}`)]);
      }
      return calls;
    };
    it.each(Object.keys(CASES))('%s', (name) => {
      const { calls } = run('dind', mode, CASES[name] as Case);
      expect(calls.map((c) => c.argv)).toEqual(expected(name));
      if (name === 'build args and target')
        expect(calls.find((c) => c.argv[0] === 'build')?.environment['HTTP_PROXY']).toBe('http://proxy:3128');
      const password = credentialsFor(name)['registry.example.com'].split(':')[1];
      expect(calls.find((c) => c.argv[0] === 'login')?.stdin).toBe(password);
      // docker login writes the entry; cigen's own config.json holds nothing here
      expect(calls.every((c) => c.config === undefined)).toBe(true);
    });
  });

  describe('buildah-rootless', () => {
    const expected = (name: string): string[][] => {
      const c = CASES[name] as Case;
      const push = c.inputs['push'] !== false;
      const build = ['build', '--isolation=rootless', '--layers', '--force-rm', '--format=oci', `--file=${P}/Dockerfile`, '--retry=3'];
      if (c.inputs['cache'] !== false) build.push(`--cache-from=${IMG}/cache`, ...(push ? [`--cache-to=${IMG}/cache`] : []));
      if (name === 'build args and target') build.push('--build-arg=VERSION=1.2.3', '--build-arg=PROXY=http://proxy:3128', '--target=test');
      build.push(...OCI.map((l) => `--label=${l}`), ...(name === 'labels' ? ['--label=org.example.team=platform'] : []));
      // What names the image (the tags, the platform) comes last, after what every platform's build shares.
      build.push(...tagsFor(name).map((t) => `--tag=${IMG}:${t}`), ...(name === 'platform' ? ['--platform=linux/arm64'] : []), P);
      const calls = [['--storage-driver=overlay', 'info'], build];
      // A build for a platform is checked to be that platform's (Buildah 1.28's cache may give another's).
      if (name === 'platform')
        calls.push(['inspect', '--type=image', '--format={{.OCIv1.OS}}/{{.OCIv1.Architecture}}/{{.OCIv1.Variant}}', `${IMG}:${SHA}`]);
      if (push) calls.push(...tagsFor(name).map((t) => ['push', '--digestfile=<tmp>/digest', '--retry=0', `${IMG}:${t}`]));
      else calls.push(['push', `${IMG}:${SHA}`, `docker-archive:${P}/out/image.tar:${IMG}:${SHA}`]);
      return calls;
    };
    it.each(Object.keys(CASES))('%s', (name) => {
      const { calls } = run('buildah-rootless', mode, CASES[name] as Case);
      expect(calls.map((c) => c.argv)).toEqual(expected(name));
      for (const call of calls) expect(decodeAuths(call.config)).toEqual(credentialsFor(name));
    });
  });

  // Kaniko's --tar-path, BuildKit's type=docker output and docker save name the image by every
  // destination; buildah push writes one reference into a docker-archive: the first tag.
  it.each([
    ['kaniko', `${SHA} latest`],
    ['buildkit', `${SHA} latest`],
    ['dind', `${SHA} latest`],
    ['buildah-rootless', SHA],
  ])('%s says which tags its tarball names the image by, in the log and the report: %s', (component, tags) => {
    const { stdout, report } = run(component, mode, CASES['push off, a tarball of two tags'] as Case);
    const saved = stdout.split('\n').filter((line) => line.includes(`${P}/out/image.tar`));
    expect(saved).toEqual([
      `cigen: saved ${P}/out/image.tar: a docker-archive of ${IMG} tagged ${tags}`,
      ...(tags === SHA ? [`cigen: Buildah writes one tag into a docker-archive: ${P}/out/image.tar does not hold the tags latest`] : []),
    ]);
    expect(readFileSync(report, 'utf8').split('\n')).toContain(`CIGEN_BUILT_TARBALL_TAGS=${tags}`);
  });

  // A file directly under /: its directory is the root (${FILE%/*} alone is empty, and `mkdir -p ''`
  // failed the job after the push).
  it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless', 'buildah'])(
    '%s pushes, then saves a tarball directly under /',
    (component) => {
      const { stdout, box } = run(component, mode, { inputs: { tarball: '/image.tar' } });
      expect(stdout).toContain(`cigen: saved /image.tar: a docker-archive of ${IMG} tagged ${SHA}\n`);
      expect(stdout).toContain(`cigen: pushed ${IMG}@${DIGEST} as: ${SHA}\n`);
      expect(existsSync(box.path('/image.tar'))).toBe(true);
    },
  );

  // Saving the tarball reads the job's own storage (or the daemon's): no registry's refusal can
  // explain its failure, and the job does not say one might.
  it.each([
    ['buildah', 'buildah push (tarball)', `buildah docker-archive:${P}/out/image.tar:${IMG}:${SHA}`],
    ['buildah-rootless', 'buildah push (tarball)', `buildah docker-archive:${P}/out/image.tar:${IMG}:${SHA}`],
    ['dind', 'docker save (tarball)', 'docker save'],
  ])('%s: a tarball that cannot be written fails the job, without the registry hint', (component, step, failOn) => {
    sandbox = createSandbox();
    const { job } = instantiateComponent(component, { push: false, tarball: 'out/image.tar' }, mode);
    const env = { STUB_FAIL_ON: failOn, STUB_FAIL_SAYS: 'write /builds/group/app/out/image.tar: no space left on device' };
    const result = sandbox.run(
      jobScript(job),
      { ...jobEnvironment(job, predefinedVariables(sandbox.projectDir, env)), ...env },
      component.startsWith('buildah') ? 'bash' : 'busybox',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`no space left on device\ncigen: error: ${step} failed (exit 1)\n`);
    expect(result.stderr).not.toMatch(/401|registry refused/);
  });

  it('buildkit reads a Dockerfile directly under / from the root', () => {
    const { calls } = run('buildkit', mode, { inputs: { dockerfile: '/Dockerfile' } }, (box) =>
      writeFileSync(box.path('/Dockerfile'), 'FROM scratch\n'),
    );
    expect(calls[0]?.argv.slice(3, 9)).toEqual(['--local', `context=${P}`, '--local', 'dockerfile=/', '--opt', 'filename=Dockerfile']);
  });

  it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])(
    '%s reports the digest the builder gave, or none without a push',
    (component) => {
      const report = (path: string) =>
        Object.fromEntries(
          readFileSync(path, 'utf8')
            .trim()
            .split('\n')
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
      const pushed = run(component, mode, { inputs: { tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] } });
      expect(report(pushed.report)).toEqual({
        CIGEN_BUILT_IMAGE: IMG,
        CIGEN_BUILT_TAGS: `${SHA} latest`,
        CIGEN_BUILT_DIGEST: DIGEST,
        CIGEN_BUILT_REF: `${IMG}@${DIGEST}`,
        CIGEN_BUILT_PLATFORMS: '',
      });
      pushed.box.dispose();
      const local = run(component, mode, { inputs: { push: false } });
      expect(report(local.report)).toEqual({
        CIGEN_BUILT_IMAGE: IMG,
        CIGEN_BUILT_TAGS: SHA,
        CIGEN_BUILT_DIGEST: '',
        CIGEN_BUILT_REF: '',
        CIGEN_BUILT_PLATFORMS: '',
      });
      local.box.dispose();
      // One platform: the image pushed is that platform's, named in the report for a manifest job.
      const arm = run(component, mode, { inputs: { platform: 'linux/arm64/v8' } });
      expect(report(arm.report)).toEqual({
        CIGEN_BUILT_IMAGE: IMG,
        CIGEN_BUILT_TAGS: SHA,
        CIGEN_BUILT_DIGEST: DIGEST,
        CIGEN_BUILT_REF: `${IMG}@${DIGEST}`,
        CIGEN_BUILT_PLATFORMS: 'linux/arm64/v8',
        CIGEN_BUILT_REF_LINUX_ARM64_V8: `${IMG}@${DIGEST}`,
      });
    },
  );
});
