/**
 * The release components with real Buildah and skopeo, in both interpolation modes, against real
 * registries on 127.0.0.1: the fan-out (two buildah jobs, one platform each, then the manifest
 * job fed their dotenv reports as GitLab feeds `needs:` artifacts) read back with skopeo; the same
 * through buildah-native (its matrix job once per architecture, then its index job); promote
 * of a two-platform index by digest to a second registry in a v1.2.3 tag pipeline, the index
 * copied whole (the same manifest bytes under every tag); and the worked pipeline of
 * docs/promote.md run by gitlab-ci-local.
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { INTERPOLATION_MODES, instantiate, splitComponentFile } from '../../src/ci/interpolation/index.js';
import { componentText, instantiateComponent } from '../helpers/job.js';
import { ensureArm64Emulation, pushMultiPlatformBase, sh } from './lib/multi-platform.js';
import { startRegistry, type Registry } from './lib/registry.js';
import {
  ROOT,
  ciVariables,
  freshRunner,
  git,
  projectWith,
  pushBaseImage,
  runGitlabCiLocal,
  runJob,
  unpackImage,
  type JobRun,
} from './lib/runner.js';

const SHA = '01234567';
const TAG_PIPELINE = { CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_NAME: 'v1.2.3', CI_COMMIT_REF_SLUG: 'v1-2-3' };
const RELEASE_TAGS = ['1.2.3', '1.2', 'latest'];

/** The registry a pipeline builds into (the project's), and a second one: production. */
let registry: Registry;
let production: Registry;
let work: string;
let base: string;
let undoEmulation: () => void = () => undefined;

beforeAll(async () => {
  undoEmulation = ensureArm64Emulation();
  registry = await startRegistry();
  production = await startRegistry({ user: 'prod-pusher' });
  work = mkdtempSync(join(tmpdir(), 'cigen-release-'));
  base = pushMultiPlatformBase(registry);
});

afterAll(async () => {
  await registry?.stop();
  await production?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  undoEmulation();
});

/** The test's own credentials for both registries (not a job's), for skopeo. */
function authFile(): string {
  const file = join(work, 'auth.json');
  const auth = (r: Registry) => ({ auth: Buffer.from(`${r.user}:${r.password}`).toString('base64') });
  writeFileSync(file, JSON.stringify({ auths: { [registry.host]: auth(registry), [production.host]: auth(production) } }));
  chmodSync(file, 0o600);
  return file;
}

/** The manifest the registry serves for a reference, as bytes (a string), by `skopeo inspect --raw`. */
const rawManifest = (ref: string): string =>
  sh(`skopeo inspect --raw --tls-verify=false 'docker://${ref}'`, { REGISTRY_AUTH_FILE: authFile() });

interface Index {
  mediaType: string;
  manifests: { digest: string; platform: { architecture: string; os: string } }[];
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A project whose Dockerfile copies a file and runs a step as each platform (under QEMU for arm64). */
function multiPlatformProject(): string {
  const project = mkdtempSync(join(work, 'project-'));
  writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
  writeFileSync(join(project, 'Dockerfile'), `FROM ${base}\nCOPY payload.txt /app/payload.txt\nRUN uname -m > /app/arch.txt\n`);
  return project;
}

function expectPassed(run: JobRun): void {
  expect(run.stderr).not.toMatch(/cigen: error/);
  expect(run.status, run.log.slice(-3000)).toBe(0);
}

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it('fan-out: a buildah job per platform, then the manifest job fed their reports pushes one index of exactly their digests', async () => {
    const project = multiPlatformProject();
    const repository = `group/fanout-${mode}`;
    const image = `${registry.host}/${repository}`;
    const variables = ciVariables(registry, project, { CI_REGISTRY_IMAGE: image });
    const reports: Record<string, string>[] = [];
    // The amd64 build pushes to a repository of its own: the reports GitLab merges give one
    // CIGEN_BUILT_IMAGE, and each image is read where its build pushed it (CIGEN_BUILT_REF_<PLATFORM>).
    const pushedTo = { amd64: `${repository}/amd64`, arm64: repository };
    for (const arch of ['amd64', 'arm64'] as const) {
      const { name, job } = instantiateComponent(
        'buildah',
        {
          'job-name': `build-${arch}`,
          image: `${registry.host}/${pushedTo[arch]}`,
          platform: `linux/${arch}`,
          tags: [`$CI_COMMIT_SHORT_SHA-${arch}`],
          cache: false,
        },
        mode,
      );
      expect(name).toBe(`build-${arch}`);
      const runner = freshRunner(registry);
      const run = runJob(job, project, runner, variables);
      runner.dispose();
      expectPassed(run);
      expect(run.report?.['CIGEN_BUILT_DIGEST']).toBe(await registry.digest(pushedTo[arch], `${SHA}-${arch}`));
      expect(run.report?.[`CIGEN_BUILT_REF_LINUX_${arch.toUpperCase()}`]).toBe(run.report?.['CIGEN_BUILT_REF']);
      reports.push(run.report ?? {});
    }
    const [amd64, arm64] = reports as [Record<string, string>, Record<string, string>];

    const { job } = instantiateComponent(
      'manifest',
      { 'build-jobs': ['build-amd64', 'build-arm64'], tags: ['$CI_COMMIT_SHORT_SHA'] },
      mode,
    );
    expect(job['needs']).toEqual(['build-amd64', 'build-arm64']);
    const runner = freshRunner(registry);
    // As GitLab passes the dotenv reports of the jobs in needs: their variables, in the needs: order.
    const run = runJob(job, project, runner, { ...variables, ...amd64, ...arm64 });
    runner.dispose();
    expectPassed(run);

    const raw = rawManifest(`${image}:${SHA}`);
    const index = JSON.parse(raw) as Index;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])).toEqual([
      ['linux/amd64', amd64['CIGEN_BUILT_DIGEST']],
      ['linux/arm64', arm64['CIGEN_BUILT_DIGEST']],
    ]);
    expect(run.report).toEqual({
      CIGEN_BUILT_IMAGE: image,
      CIGEN_BUILT_TAGS: SHA,
      CIGEN_BUILT_DIGEST: await registry.digest(repository, SHA),
      CIGEN_BUILT_REF: `${image}@${await registry.digest(repository, SHA)}`,
      CIGEN_BUILT_PLATFORMS: 'linux/amd64 linux/arm64',
      CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${image}@${amd64['CIGEN_BUILT_DIGEST']} linux/arm64=${image}@${arm64['CIGEN_BUILT_DIGEST']}`,
    });
    expect(run.report?.['CIGEN_BUILT_DIGEST']).toBe(sha256(raw));
    // The amd64 image was copied into the index's repository.
    expect(sha256(rawManifest(`${image}@${amd64['CIGEN_BUILT_DIGEST']}`))).toBe(amd64['CIGEN_BUILT_DIGEST']);
    // Each job built its own platform: the arm64 image's RUN step ran as aarch64.
    for (const [report, machine] of [
      [amd64, 'x86_64'],
      [arm64, 'aarch64'],
    ] as const) {
      const unpacked = unpackImage(registry, report['CIGEN_BUILT_REF'] as string);
      try {
        expect(readFileSync(join(unpacked.rootfs, 'app/arch.txt'), 'utf8').trim()).toBe(machine);
      } finally {
        unpacked.dispose();
      }
    }
  });

  it('buildah-native: each matrix job builds its architecture, the index job merges the digests they reported', async () => {
    const project = multiPlatformProject();
    const repository = `group/native-${mode}`;
    const image = `${registry.host}/${repository}`;
    const variables = ciVariables(registry, project, { CI_REGISTRY_IMAGE: image });
    const instance = instantiate(
      splitComponentFile(componentText('buildah-native')),
      { tags: ['$CI_COMMIT_SHORT_SHA', 'latest'], cache: false },
      mode,
    );
    expect(instance.errors).toEqual([]);
    const jobs = instance.content as Record<string, Record<string, unknown>>;
    expect(Object.keys(jobs)).toEqual(['build-image:arch', 'build-image']);
    expect(jobs['build-image:arch']?.['parallel']).toEqual({ matrix: [{ CIGEN_ARCH: ['amd64', 'arm64'] }] });
    // Each matrix job as GitLab starts it, with its CIGEN_ARCH; here both on this machine (arm64 under QEMU).
    const reported: Record<string, string> = {};
    const digests: Record<string, string> = {};
    for (const arch of ['amd64', 'arm64']) {
      const runner = freshRunner(registry);
      const run = runJob(jobs['build-image:arch'] as Record<string, unknown>, project, runner, { ...variables, CIGEN_ARCH: arch });
      runner.dispose();
      expectPassed(run);
      expect(run.report?.[`CIGEN_BUILT_REF_LINUX_${arch.toUpperCase()}`]).toBe(run.report?.['CIGEN_BUILT_REF']);
      digests[arch] = run.report?.['CIGEN_BUILT_DIGEST'] as string;
      expect(digests[arch]).toBe(await registry.digest(repository, `${SHA}-linux-${arch}`));
      Object.assign(reported, run.report);
    }
    const runner = freshRunner(registry);
    const run = runJob(jobs['build-image'] as Record<string, unknown>, project, runner, { ...variables, ...reported });
    runner.dispose();
    expectPassed(run);
    const index = JSON.parse(rawManifest(`${image}:latest`)) as Index;
    expect(index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])).toEqual([
      ['linux/amd64', digests['amd64']],
      ['linux/arm64', digests['arm64']],
    ]);
    const digest = await registry.digest(repository, SHA);
    expect(await registry.digest(repository, 'latest')).toBe(digest);
    expect(run.report?.['CIGEN_BUILT_REF']).toBe(`${image}@${digest}`);
    expect((await registry.tags(repository)).sort()).toEqual([SHA, `${SHA}-linux-amd64`, `${SHA}-linux-arm64`, 'latest']);
  });

  it('promote: a two-platform index, by digest, to a second registry under 1.2.3, 1.2 and latest in a v1.2.3 pipeline, whole', async () => {
    const project = multiPlatformProject();
    const repository = `group/app-${mode}`;
    const image = `${registry.host}/${repository}`;
    const variables = ciVariables(registry, project, { CI_REGISTRY_IMAGE: image, ...TAG_PIPELINE });
    const { job: build } = instantiateComponent('buildah', { platforms: ['linux/amd64', 'linux/arm64'], cache: false }, mode);
    let runner = freshRunner(registry);
    const built = runJob(build, project, runner, variables);
    runner.dispose();
    expectPassed(built);
    const report = built.report ?? {};
    const digest = report['CIGEN_BUILT_DIGEST'] as string;
    expect(report['CIGEN_BUILT_REF']).toBe(`${image}@${digest}`);
    const source = rawManifest(`${image}@${digest}`);
    const platforms = (JSON.parse(source) as Index).manifests.map((m) => m.digest);
    expect(platforms).toHaveLength(2);

    const destination = `${production.host}/prod/app-${mode}`;
    const { name, job } = instantiateComponent(
      'promote',
      {
        'job-name': 'promote-production',
        image: destination,
        registries: [{ host: production.host, user: '$PROD_REGISTRY_USER', password: '$PROD_REGISTRY_PASSWORD' }],
        'insecure-registries': [production.host],
        environment: 'production',
      },
      mode,
    );
    expect(name).toBe('promote-production');
    expect(job['environment']).toBe('production');
    runner = freshRunner(registry);
    // The build's dotenv report in the environment, as GitLab passes a needs: job's artifacts.
    const promoted = runJob(job, project, runner, {
      ...variables,
      ...report,
      PROD_REGISTRY_USER: production.user,
      PROD_REGISTRY_PASSWORD: production.password,
    });
    runner.dispose();
    expectPassed(promoted);

    expect((await production.tags(`prod/app-${mode}`)).sort()).toEqual([...RELEASE_TAGS].sort());
    for (const tag of RELEASE_TAGS) {
      expect(await production.digest(`prod/app-${mode}`, tag), tag).toBe(digest);
      // The index whole: the very bytes built, not an index rewritten from its images.
      expect(rawManifest(`${destination}:${tag}`), tag).toBe(source);
    }
    // Every platform's image came along, under its own digest.
    for (const platform of platforms) expect(sha256(rawManifest(`${destination}@${platform}`))).toBe(platform);
    expect(promoted.report).toEqual({
      CIGEN_BUILT_IMAGE: destination,
      CIGEN_BUILT_TAGS: RELEASE_TAGS.join(' '),
      CIGEN_BUILT_DIGEST: digest,
      CIGEN_BUILT_REF: `${destination}@${digest}`,
      CIGEN_BUILT_PLATFORMS: 'linux/amd64 linux/arm64',
      // The build's list of its platforms' images, in the repository copied to.
      CIGEN_BUILT_PLATFORM_REFS: report['CIGEN_BUILT_PLATFORM_REFS']?.replaceAll(`=${image}@`, `=${destination}@`),
    });
    expect(report['CIGEN_BUILT_PLATFORM_REFS']).toBe(`linux/amd64=${image}@${platforms[0]} linux/arm64=${image}@${platforms[1]}`);
    for (const secret of [registry.password, production.password]) expect(built.log + promoted.log).not.toContain(secret);

    // A source written IMAGE:TAG@DIGEST (as tools print them), which skopeo refuses: the digest names it.
    const { job: again } = instantiateComponent(
      'promote',
      {
        'job-name': 'promote-pinned',
        source: `${image}:some-tag@${digest}`,
        image: `${image}-pinned`,
        tags: ['pinned'],
        'tag-rules': [],
      },
      mode,
    );
    runner = freshRunner(registry);
    const pinned = runJob(again, project, runner, variables);
    runner.dispose();
    expectPassed(pinned);
    expect(pinned.log).toContain(`names a tag and a digest; the digest names the image: ${image}@${digest}`);
    expect(await registry.digest(`${repository}-pinned`, 'pinned')).toBe(digest);

    // A tag with registry-mirrors: the mirror holds an older image under the same tag (one platform's
    // image here). The tag is read from its registry, not the mirror: the index built is promoted.
    const mirror = `${production.host}/mirror`;
    const builtTag = String(report['CIGEN_BUILT_TAGS']).split(' ')[0] as string;
    sh(
      `skopeo copy --src-tls-verify=false --dest-tls-verify=false 'docker://${image}@${platforms[0]}' 'docker://${mirror}/${repository}:${builtTag}'`,
      { REGISTRY_AUTH_FILE: authFile() },
    );
    const { job: mirrored } = instantiateComponent(
      'promote',
      {
        'job-name': 'promote-mirrored',
        source: `${image}:${builtTag}`,
        image: `${image}-mirrored`,
        tags: ['m'],
        'tag-rules': [],
        'registry-mirrors': [`${registry.host}=${mirror}`],
        'insecure-registries': [registry.host, production.host],
        registries: [{ host: production.host, user: '$PROD_REGISTRY_USER', password: '$PROD_REGISTRY_PASSWORD' }],
      },
      mode,
    );
    // Nothing in the runner's registries.conf for the registry: a table of the runner's for it would
    // stay, and the job's mirror with it would not be used (the job would say so).
    runner = freshRunner(registry, { registryIsHttp: false });
    const fromMirror = runJob(mirrored, project, runner, {
      ...variables,
      PROD_REGISTRY_USER: production.user,
      PROD_REGISTRY_PASSWORD: production.password,
    });
    runner.dispose();
    expectPassed(fromMirror);
    expect(fromMirror.log).toContain(`mirrors for ${registry.host}; without TLS checks: ${registry.host} ${production.host}\n`);
    expect(fromMirror.log).toContain(`cigen: ${image}:${builtTag} is ${digest}`);
    expect(await registry.digest(`${repository}-mirrored`, 'm')).toBe(digest);
  });
});

/**
 * The worked pipeline of docs/promote.md, run by gitlab-ci-local with the shell executor: the
 * documented text, with its component references pointed at this checkout's templates (as
 * gitlab-ci-local resolves components of the same project), production's registry.example.com
 * pointed at the second local registry (plain HTTP there, so named in insecure-registries), and
 * the variables of a branch pipeline, then of a v1.2.3 tag pipeline.
 */
describe('the worked pipeline of docs/promote.md under gitlab-ci-local', () => {
  let project: string;
  let variables: Record<string, string>;

  beforeAll(() => {
    project = projectWith(pushBaseImage(registry));
    const docs = readFileSync(join(ROOT, 'docs/promote.md'), 'utf8');
    const snippet = /^```yaml\n([\s\S]*?)^```/m.exec(docs)?.[1] as string;
    const pipeline = parse(
      snippet.replace(/\$CI_SERVER_FQDN\/ci-components\/cigen\/([a-z-]+)@1/g, '$CI_SERVER_FQDN/$CI_PROJECT_PATH/$1@$CI_COMMIT_SHA'),
    ) as { include: { inputs?: Record<string, unknown> }[] };
    const toProduction = pipeline.include[2]?.inputs as Record<string, unknown>;
    expect(toProduction['image']).toBe('registry.example.com/prod/app');
    toProduction['image'] = `${production.host}/prod/app`;
    (toProduction['registries'] as { host: string }[])[0]!.host = production.host;
    toProduction['insecure-registries'] = [production.host];
    mkdirSync(join(project, 'templates'));
    for (const name of ['buildah', 'promote']) cpSync(join(ROOT, `templates/${name}.yml`), join(project, `templates/${name}.yml`));
    writeFileSync(join(project, '.gitlab-ci.yml'), stringify(pipeline));
    writeFileSync(join(project, '.gitignore'), '.gitlab-ci-local/\ncigen-build.env\n');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'remote', 'add', 'origin', 'https://gitlab.example.com/group/app.git');
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'release');
    git(project, 'tag', 'v1.2.3');
    variables = {
      CI_REGISTRY: registry.host,
      CI_REGISTRY_IMAGE: `${registry.host}/group/app`,
      CI_REGISTRY_USER: registry.user,
      CI_REGISTRY_PASSWORD: registry.password,
      PROD_REGISTRY_USER: production.user,
      PROD_REGISTRY_PASSWORD: production.password,
    };
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('a branch pipeline builds and promotes nothing', async () => {
    const runner = freshRunner(registry);
    const { status, everything } = runGitlabCiLocal(project, runner, { variables });
    runner.dispose();
    expect(status, everything.slice(-4000)).toBe(0);
    expect(everything).toMatch(/PASS\s+build-image/);
    expect(everything).not.toMatch(/promote-image|promote-production/);
    const shortSha = git(project, 'rev-parse', 'HEAD').slice(0, 8);
    expect(await registry.tags('group/app')).toEqual([shortSha]);
    expect(await production.tags('prod/app')).toEqual([]);
  });

  it('the v1.2.3 pipeline builds, promotes to 1.2.3, 1.2 and latest, and to production by hand: one digest everywhere', async () => {
    const runner = freshRunner(registry);
    const { status, everything } = runGitlabCiLocal(project, runner, {
      variables: { ...variables, ...TAG_PIPELINE },
      // Named jobs are all gitlab-ci-local runs: the manual one with the others.
      jobs: ['build-image', 'promote-image'],
      manual: ['promote-production'],
    });
    runner.dispose();
    expect(status, everything.slice(-4000)).toBe(0);
    for (const job of ['build-image', 'promote-image', 'promote-production']) expect(everything).toMatch(new RegExp(`PASS\\s+${job}`));

    const shortSha = git(project, 'rev-parse', 'HEAD').slice(0, 8);
    const digest = await registry.digest('group/app', shortSha);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await registry.tags('group/app')).sort()).toEqual([shortSha, ...RELEASE_TAGS].sort());
    expect((await production.tags('prod/app')).sort()).toEqual([...RELEASE_TAGS].sort());
    for (const tag of RELEASE_TAGS) {
      expect(await registry.digest('group/app', tag), tag).toBe(digest);
      expect(await production.digest('prod/app', tag), tag).toBe(digest);
    }
    expect(everything).toContain(`copying the image ${registry.host}/group/app@${digest} to ${production.host}/prod/app:1.2.3`);
    for (const secret of [registry.password, production.password]) expect(everything).not.toContain(secret);
  });
});
