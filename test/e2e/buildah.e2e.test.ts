/**
 * The buildah component, for real: rendered, instantiated as GitLab would in each interpolation
 * mode, run by bash with the variables a GitLab job has, on fresh container storage, against a
 * real registry with htpasswd auth. What arrived is asked of the registry (HTTP API and skopeo).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent } from '../helpers/job.js';
import { startRegistry, type Registry } from './lib/registry.js';
import {
  ciVariables,
  freshRunner,
  projectWith,
  pushBaseImage,
  runJob,
  unpackImage,
  type JobRun,
  type RunnerOptions,
} from './lib/runner.js';

const SHORT_SHA = '01234567';

describe.each(INTERPOLATION_MODES)('buildah component, %s interpolation', (mode) => {
  let registry: Registry;
  let base: string;
  const logs: JobRun[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    base = pushBaseImage(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  let counter = 0;
  /** Runs the component's job with inputs; every job writes its own repository (group/app-N). */
  function build(
    inputs: Record<string, unknown>,
    options: {
      runner?: RunnerOptions;
      variables?: Record<string, string>;
      repository?: string;
      beforeScript?: string[];
      /** Reads the project directory after the job, before it is removed. */
      after?: (project: string) => void;
    } = {},
  ) {
    const repository = options.repository ?? `group/app-${++counter}`;
    const project = projectWith(base);
    const runner = freshRunner(registry, options.runner);
    try {
      // Whether Buildah's overlay driver starts on this storage, asked of buildah itself, apart from the job.
      const overlay = spawnSync('buildah', ['--storage-driver=overlay', 'info'], { env: { ...process.env, ...runner.env } });
      const { job } = instantiateComponent('buildah', inputs, mode);
      if (options.beforeScript) job['before_script'] = options.beforeScript;
      const variables = ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}`, ...options.variables });
      const run = runJob(job, project, runner, variables);
      logs.push(run);
      options.after?.(project);
      return { run, repository, image: `${registry.host}/${repository}`, overlayStarts: overlay.status === 0 };
    } finally {
      runner.dispose();
      rmSync(project, { recursive: true, force: true });
    }
  }

  function readImage(ref: string) {
    const image = unpackImage(registry, ref);
    try {
      const read = (path: string) => readFileSync(join(image.rootfs, path), 'utf8');
      const config = image.config as { config: { Labels?: Record<string, string>; Healthcheck?: unknown; Cmd?: string[] } };
      return { runTxt: read('app/run.txt'), stage: read('app/stage.txt').trim(), config: config.config };
    } finally {
      image.dispose();
    }
  }

  it('defaults: pushes <image>:<short sha>, reports the digest the registry holds, and the RUN output is in the image', async () => {
    const { run, repository, image } = build({});
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(await registry.tags(repository)).toEqual([SHORT_SHA]);
    const digest = await registry.digest(repository, SHORT_SHA);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.report).toEqual({
      CIGEN_BUILT_IMAGE: image,
      CIGEN_BUILT_TAGS: SHORT_SHA,
      CIGEN_BUILT_DIGEST: digest,
      CIGEN_BUILT_REF: `${image}@${digest}`,
      // No platform input: no per-platform digests.
      CIGEN_BUILT_PLATFORMS: '',
    });
    const content = readImage(`${image}:${SHORT_SHA}`);
    expect(content.runTxt).toBe('run-step uid=0\ncigen fixture payload\n');
    expect(content.stage).toBe('runtime');
    expect(content.config.Cmd).toEqual(['/bin/cat', '/app/run.txt']);
    expect(content.config.Labels).toMatchObject({
      'org.opencontainers.image.source': 'https://gitlab.example.com/group/app',
      'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
      'org.opencontainers.image.created': '2026-11-23T09:00:00+00:00',
      'org.opencontainers.image.title': 'App',
    });
    // The OCI format drops HEALTHCHECK (the reason for the format input).
    expect(content.config.Healthcheck).toBeUndefined();
  });

  it('two tags: both arrive, on one digest', async () => {
    const { run, repository } = build({ tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] });
    expect(run.status).toBe(0);
    expect((await registry.tags(repository)).sort()).toEqual([SHORT_SHA, 'latest']);
    expect(await registry.digest(repository, 'latest')).toBe(await registry.digest(repository, SHORT_SHA));
    expect(run.report?.['CIGEN_BUILT_TAGS']).toBe(`${SHORT_SHA} latest`);
  });

  it('build args and target: the argument reaches the RUN step and the target stage is the one built', () => {
    const { run, image } = build({ 'build-args': ['VERSION=1.2.3'], target: 'test' });
    expect(run.status).toBe(0);
    const content = readImage(`${image}:${SHORT_SHA}`);
    expect(content.runTxt).toBe('run-step uid=0\ncigen fixture payload\n');
    expect(content.stage).toBe('test version=1.2.3');
  });

  it('labels: given labels are in the image config, and win over the computed ones', () => {
    const { run, image } = build({ labels: ['org.example.team=platform', 'org.opencontainers.image.title=Custom title'] });
    expect(run.status).toBe(0);
    expect(readImage(`${image}:${SHORT_SHA}`).config.Labels).toMatchObject({
      'org.example.team': 'platform',
      'org.opencontainers.image.title': 'Custom title',
      'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('push: false builds and leaves the registry alone, cache included', async () => {
    const { run, repository } = build({ push: false });
    expect(run.status).toBe(0);
    expect(run.log).toContain('(not pushed)');
    const catalog = await registry.catalog();
    expect(catalog).not.toContain(repository);
    expect(catalog).not.toContain(`${repository}/cache`);
    expect(run.report?.['CIGEN_BUILT_DIGEST']).toBe('');
  });

  // buildah push writes one reference into a docker-archive: the report and the log say which.
  it('tarball with two tags: the archive names the image by the first, and the report and the log say so', () => {
    let repoTags: unknown;
    const { run, image } = build(
      { push: false, tarball: 'out/image.tar', tags: ['$CI_COMMIT_SHORT_SHA', 'v2'] },
      {
        after: (project) => {
          const manifest = spawnSync('tar', ['-xOf', join(project, 'out/image.tar'), 'manifest.json'], { encoding: 'utf8' });
          repoTags = (JSON.parse(manifest.stdout) as { RepoTags: string[] }[]).map((entry) => entry.RepoTags);
        },
      },
    );
    expect(run.status).toBe(0);
    expect(repoTags).toEqual([[`${image}:${SHORT_SHA}`]]);
    expect(run.report?.['CIGEN_BUILT_TARBALL_TAGS']).toBe(SHORT_SHA);
    expect(run.log).toMatch(new RegExp(`cigen: saved \\S+/out/image\\.tar: a docker-archive of ${image} tagged ${SHORT_SHA}\n`));
    expect(run.log).toContain('does not hold the tags v2\n');
  });

  it('storage-driver vfs builds and pushes', async () => {
    const { run, repository } = build({ 'storage-driver': 'vfs', format: 'docker' });
    expect(run.status).toBe(0);
    expect(run.log).toContain('storage driver vfs');
    expect(await registry.tags(repository)).toEqual([SHORT_SHA]);
  });

  it('format docker keeps HEALTHCHECK', () => {
    const { run, image } = build({ format: 'docker' });
    expect(run.status).toBe(0);
    expect(readImage(`${image}:${SHORT_SHA}`).config.Healthcheck).toMatchObject({ Test: ['CMD', '/bin/cat', '/app/run.txt'] });
  });

  it('storage on overlayfs: falls back to vfs by itself where overlay cannot mount there, keeps overlay where it can', async () => {
    // Kernels differ: older ones refuse overlay on overlayfs, 6.x lets containers/storage mount it
    // (the fallback's own logic is tested with a stub buildah in test/system/builders.test.ts).
    const { run, repository, overlayStarts } = build({}, { runner: { overlayOnOverlay: true } });
    expect(run.status).toBe(0);
    if (overlayStarts) {
      expect(run.log).not.toContain('overlay storage cannot mount here');
      expect(run.log).toContain('storage driver overlay');
    } else {
      expect(run.log).toMatch(/overlay storage cannot mount here \(.*not supported over overlayfs.*\); falling back to vfs/);
      expect(run.log).toContain('storage driver vfs');
    }
    expect(await registry.tags(repository)).toEqual([SHORT_SHA]);
  });

  it('tls-verify: false reaches a plain-HTTP registry without any registries.conf', async () => {
    const { run, repository } = build({ 'tls-verify': false }, { runner: { registryIsHttp: false } });
    expect(run.status).toBe(0);
    expect(await registry.tags(repository)).toEqual([SHORT_SHA]);
  });

  it("a `buildah login` in before_script is the job's: its credentials are kept (GitLab's own Buildah example logs in so)", async () => {
    const { run, repository } = build(
      { 'registry-user': '' },
      {
        beforeScript: [
          'printf \'%s\' "$CI_REGISTRY_PASSWORD" | buildah login --tls-verify=false -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"',
        ],
      },
    );
    expect(run.status, run.log.slice(-3000)).toBe(0);
    expect(run.log).toContain('Login Succeeded');
    expect(run.log).not.toContain(registry.password);
    expect(await registry.tags(repository)).toEqual([SHORT_SHA]);
  });

  it('a wrong password fails the job with a clear message, and nothing is pushed', async () => {
    const { run, repository } = build({}, { variables: { CI_REGISTRY_PASSWORD: 'not-the-password' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('cigen: error: buildah build failed');
    expect(run.stderr).toContain(
      `a registry refused the job, which had credentials from registry-user and registry-password for ${registry.host} only`,
    );
    expect(run.log).toMatch(/unauthorized|authentication required/i);
    expect(await registry.catalog()).not.toContain(repository);
  });

  it('registry cache: a rebuild on fresh storage takes its layers from the cache and produces the same layers', async () => {
    const first = build({ tags: ['first'] }, { repository: 'group/cached' });
    expect(first.run.status).toBe(0);
    expect(first.run.log).not.toContain('Cache pulled from remote');
    expect(await registry.catalog()).toContain('group/cached/cache');
    const second = build({ tags: ['second'] }, { repository: 'group/cached' });
    expect(second.run.status).toBe(0);
    const hits = second.run.log.match(/Cache pulled from remote/g)?.length ?? 0;
    // COPY and the RUN of the build stage, and the RUN of the runtime stage.
    expect(hits).toBeGreaterThanOrEqual(3);
    const layers = async (tag: string) => {
      const response = await fetch(`http://${registry.host}/v2/group/cached/manifests/${tag}`, {
        headers: { Authorization: registry.authorization, Accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      return ((await response.json()) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
    };
    expect(await layers('second')).toEqual(await layers('first'));
  });

  it('no job log holds the registry password or its base64 form', () => {
    expect(logs.length).toBeGreaterThanOrEqual(11);
    const secrets = [registry.password, Buffer.from(`${registry.user}:${registry.password}`).toString('base64')];
    for (const run of logs) for (const secret of secrets) expect(run.log).not.toContain(secret);
  });
});
