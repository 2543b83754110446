/**
 * One job, two platforms, with real Buildah (both interpolation modes): linux/amd64 and
 * linux/arm64 built over an offline multi-platform base image (busybox of each architecture,
 * Debian's own packages), pushed as one index whose platforms and digests are read back from
 * the registry with skopeo. The RUN step of the arm64 image runs under QEMU (Debian's
 * qemu-user-static, registered in binfmt_misc by this test when the kernel does not have it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent } from '../helpers/job.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { ensureArm64Emulation, pushMultiPlatformBase, sh } from './lib/multi-platform.js';
import { ciVariables, freshRunner, harnessAuthFile, pushBaseImage, runJob, unpackImage } from './lib/runner.js';

const SHA = '01234567';

let registry: Registry;
let work: string;
let base: string;
let undoEmulation: () => void = () => undefined;

beforeAll(async () => {
  undoEmulation = ensureArm64Emulation();
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), 'cigen-platforms-'));
  base = pushMultiPlatformBase(registry);
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  undoEmulation();
});

interface Index {
  mediaType: string;
  manifests: { digest: string; platform: { architecture: string; os: string } }[];
}

function inspectRaw(ref: string): Index {
  const env = { REGISTRY_AUTH_FILE: harnessAuthFile(registry, work) };
  return JSON.parse(sh(`skopeo inspect --raw --tls-verify=false docker://${ref}`, env)) as Index;
}

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it('builds linux/amd64 and linux/arm64 in one job and pushes one index: the registry holds what the report says', async () => {
    const project = mkdtempSync(join(work, 'project-'));
    writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
    writeFileSync(join(project, 'Dockerfile'), `FROM ${base}\nCOPY payload.txt /app/payload.txt\nRUN uname -m > /app/arch.txt\n`);
    const repository = `group/multi-${mode}`;
    const runner = freshRunner(registry);
    const { job } = instantiateComponent(
      'buildah',
      { platforms: ['linux/amd64', 'linux/arm64'], tags: ['$CI_COMMIT_SHORT_SHA', 'latest'], cache: false },
      mode,
    );
    const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
    runner.dispose();
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);

    const image = `${registry.host}/${repository}`;
    const index = inspectRaw(`${image}:${SHA}`);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const platforms = Object.fromEntries(index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]));
    expect(Object.keys(platforms).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    // The report: the index digest, each platform's digest — the registry's own.
    expect(run.report?.['CIGEN_BUILT_DIGEST']).toBe(await registry.digest(repository, SHA));
    expect(run.report?.['CIGEN_BUILT_DIGEST']).toBe(await registry.digest(repository, 'latest'));
    expect(run.report?.['CIGEN_BUILT_PLATFORMS']).toBe('linux/amd64 linux/arm64');
    expect(run.report?.['CIGEN_BUILT_PLATFORM_REFS']).toBe(
      `linux/amd64=${image}@${platforms['linux/amd64']} linux/arm64=${image}@${platforms['linux/arm64']}`,
    );
    // Each platform's image also under <first tag>-<os>-<arch>; no tag of the build names one platform.
    expect((await registry.tags(repository)).sort()).toEqual([`${SHA}`, `${SHA}-linux-amd64`, `${SHA}-linux-arm64`, 'latest']);

    // The RUN step ran as each platform: under QEMU for arm64.
    for (const [platform, machine] of [
      ['linux/amd64', 'x86_64'],
      ['linux/arm64', 'aarch64'],
    ] as const) {
      const unpacked = unpackImage(registry, `${image}@${platforms[platform]}`);
      try {
        expect(readFileSync(join(unpacked.rootfs, 'app/arch.txt'), 'utf8').trim()).toBe(machine);
        expect(readFileSync(join(unpacked.rootfs, 'app/payload.txt'), 'utf8')).toBe('same everywhere\n');
        expect(unpacked.config['architecture']).toBe(platform.split('/')[1]);
      } finally {
        unpacked.dispose();
      }
    }
  });
});

describe('a FROM scratch image the same on every platform', () => {
  /** Builds a FROM scratch image of one file into `repository` with the buildah component; the job's run. */
  function buildScratch(repository: string, inputs: Record<string, unknown>) {
    const project = mkdtempSync(join(work, 'scratch-'));
    writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
    const runner = freshRunner(registry);
    const { job } = instantiateComponent('buildah', { ...inputs, cache: false }, 'classic');
    const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
    runner.dispose();
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    return run;
  }

  it("is built for each platform: Buildah 1.28's layer cache would give arm64 the amd64 image", () => {
    const repository = 'group/scratch-multi';
    const run = buildScratch(repository, { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'] });
    expect(run.stdout + run.stderr).toContain(
      'the build for linux/arm64 came back as an image for linux/amd64, though Buildah used no image of another platform; ' +
        "building it again without the cache (Buildah 1.28's layer cache can give a FROM scratch stage another platform's layers)",
    );

    const index = inspectRaw(`${registry.host}/${repository}:v1`);
    const platforms = Object.fromEntries(index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]));
    expect(Object.keys(platforms).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(platforms['linux/amd64']).not.toBe(platforms['linux/arm64']);
    expect(run.report?.['CIGEN_BUILT_PLATFORM_REFS']).toContain(`linux/arm64=${registry.host}/${repository}@${platforms['linux/arm64']}`);
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const unpacked = unpackImage(registry, `${registry.host}/${repository}@${platforms[platform]}`);
      try {
        expect(unpacked.config['architecture']).toBe(platform.split('/')[1]);
        expect(readFileSync(join(unpacked.rootfs, 'payload.txt'), 'utf8')).toBe('same everywhere\n');
      } finally {
        unpacked.dispose();
      }
    }
  });
  it('linux/arm/v6, which Buildah 1.28 builds as v7: the variant asked for is checked, and nothing is pushed', async () => {
    const repository = 'group/scratch-v6';
    const project = mkdtempSync(join(work, 'scratch-'));
    writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
    const runner = freshRunner(registry);
    const { job } = instantiateComponent('buildah', { platform: 'linux/arm/v6', tags: ['v6'], cache: false }, 'classic');
    const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
    runner.dispose();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cigen: error: buildah built an image for linux/arm/v7, not for linux/arm/v6');
    expect(await registry.tags(repository)).toEqual([]);
  });
});

describe('a base image of one platform', () => {
  it('stops the build for another platform with the image named, before anything is pushed', async () => {
    // An amd64 image alone, not an index: Buildah builds the arm64 image on it anyway, with a WARNING.
    const single = pushBaseImage(registry, 'single:1');
    const repository = 'group/single-base';
    const project = mkdtempSync(join(work, 'single-'));
    writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
    writeFileSync(join(project, 'Dockerfile'), `FROM ${single}\nCOPY payload.txt /payload.txt\nRUN cat /payload.txt > /copy.txt\n`);
    const runner = freshRunner(registry);
    const { job } = instantiateComponent('buildah', { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'], cache: false }, 'classic');
    const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
    runner.dispose();
    expect(run.status).toBe(1);
    expect(run.log).toContain('does not match the expected platform');
    expect(run.stderr).toContain(
      `cigen: error: the build for linux/arm64 uses ${single}, not an image for linux/arm64 (Buildah's WARNING above): Buildah ` +
        "builds on it anyway, and the image for linux/arm64 would hold another platform's programs.",
    );
    expect(run.log).not.toContain('building it again without the cache');
    expect(await registry.tags(repository)).toEqual([]);
  });
});

describe('a container storage that outlives the job (a shell executor)', () => {
  it("two jobs whose shells have one PID both push their index; neither leaves its images, nor a failed step's container", () => {
    const runner = freshRunner(registry);
    const inStorage = (...args: string[]) =>
      spawnSync('buildah', args, { env: { ...process.env, ...runner.env }, encoding: 'utf8' }).stdout.trim();
    try {
      const project = mkdtempSync(join(work, 'shell-'));
      writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
      writeFileSync(join(project, 'Dockerfile'), `FROM ${base}\nCOPY payload.txt /payload.txt\n`);
      // Each job shell is PID 1 of its own PID namespace: a second job gets the first one's PID.
      const wrap = ['unshare', '--pid', '--fork', '--mount-proc'];
      for (const tag of ['first', 'second']) {
        const repository = `group/shell-${tag}`;
        const { job } = instantiateComponent(
          'buildah',
          { platforms: ['linux/amd64', 'linux/arm64'], tags: [tag], cache: false },
          'classic',
        );
        const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }), {
          wrap,
        });
        expect(run.stderr).not.toMatch(/cigen: error/);
        expect(run.status).toBe(0);
        expect(inspectRaw(`${registry.host}/${repository}:${tag}`).manifests).toHaveLength(2);
        expect(
          inStorage('images', '--format', '{{.Name}}')
            .split('\n')
            .filter((name) => name.includes('cigen-')),
        ).toEqual([]);
      }
      // A RUN step that fails: Buildah's working container and its mount go with the job.
      writeFileSync(join(project, 'Dockerfile'), `FROM ${base}\nRUN exit 3\n`);
      const { job } = instantiateComponent('buildah', { tags: ['failed'], cache: false }, 'classic');
      const failed = runJob(
        job,
        project,
        runner,
        ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/group/shell-failed` }),
        {
          wrap,
        },
      );
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain('cigen: error: buildah build failed');
      expect(inStorage('containers', '--quiet')).toBe('');
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(runner.dir);
    } finally {
      runner.dispose();
    }
  });
});
