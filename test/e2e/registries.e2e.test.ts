/**
 * The registry inputs with real Buildah, in both interpolation modes, against real registries
 * on this machine — nothing marked insecure or trusted by the "runner": whatever reaches a
 * registry does so because an input said so.
 *   A: HTTPS with a certificate from a throwaway CA (the company CA), the project's registry.
 *   B: plain HTTP, holds the base images (the mirror, the Dependency Proxy).
 *   C: plain HTTP, a second registry to push to with other credentials.
 */
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent } from '../helpers/job.js';
import { startFlakyProxy } from './lib/flaky-proxy.js';
import { freePort, send, startRegistry, type Registry } from './lib/registry.js';
import {
  FIXTURE,
  ciVariables,
  freshRunner,
  harnessAuthFile,
  projectWith,
  pushBaseImage,
  runJob,
  unpackImage,
  type JobRun,
} from './lib/runner.js';
import { throwawayCertificateAuthority } from './lib/tls.js';

const SHA = '01234567';
const PROXY_PATH = 'group/dependency_proxy/containers';

let work: string;
let ca: ReturnType<typeof throwawayCertificateAuthority>;
let a: Registry;
let b: Registry;
let c: Registry;
const logs: JobRun[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cigen-registries-e2e-'));
  ca = throwawayCertificateAuthority(work);
  a = await startRegistry({ tls: ca });
  b = await startRegistry();
  c = await startRegistry();
  pushBaseImage(b);
  // The Dependency Proxy keeps Docker Hub's library/ images under the group's path.
  const copy = spawnSync(
    'skopeo',
    [
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${b.host}/e2e/base:1`,
      `docker://${b.host}/${PROXY_PATH}/library/base:1`,
    ],
    { env: { ...process.env, REGISTRY_AUTH_FILE: harnessAuthFile(b, work) }, encoding: 'utf8' },
  );
  if (copy.status !== 0) throw new Error(`skopeo copy: ${copy.stderr}`);
});

afterAll(async () => {
  await Promise.all([a, b, c].map((registry) => registry?.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** Tags of a repository in the HTTPS registry, asked with the throwaway CA. */
async function tagsInA(repository: string): Promise<string[]> {
  const reply = await send(`https://${a.host}/v2/${repository}/tags/list`, { headers: { Authorization: a.authorization } }, ca.ca);
  return reply.status === 200 ? ((JSON.parse(reply.body) as { tags: string[] | null }).tags ?? []) : [];
}

const pulls = (registry: Registry, repository: string) =>
  registry
    .log()
    .split('\n')
    .filter((line) => line.includes(`"GET /v2/${repository}/manifests/`) && / 200 /.test(line)).length;

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  let counter = 0;
  function build(
    inputs: Record<string, unknown>,
    { base, variables = {}, files = FIXTURE }: { base: string; variables?: Record<string, string>; files?: string },
  ) {
    const repository = `group/${mode}-${++counter}`;
    const project = projectWith(base, files);
    // Nothing marked insecure by the runner: the registries.conf it gives is empty.
    const runner = freshRunner(a, { registryIsHttp: false });
    try {
      const { job } = instantiateComponent('buildah', inputs, mode);
      const run = runJob(job, project, runner, ciVariables(a, project, { CI_REGISTRY_IMAGE: `${a.host}/${repository}`, ...variables }));
      logs.push(run);
      return { run, repository };
    } finally {
      runner.dispose();
      rmSync(project, { recursive: true, force: true });
    }
  }
  const mirrorInputs = {
    'registry-mirrors': ['nonexistent.invalid=$MIRROR_HOST'],
    'insecure-registries': ['$MIRROR_HOST'],
    registries: [{ host: '$MIRROR_HOST', user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' }],
  };
  const mirrorVariables = () => ({ MIRROR_HOST: b.host, MIRROR_USER: b.user, MIRROR_PASSWORD: b.password });

  it.each([
    ['PEM text in a variable', () => ca.ca],
    ['a file-type variable (its path)', () => ca.caFile],
  ])(
    'company CA as %s: pushes over verified HTTPS; a FROM host that does not resolve comes from a mirror, plain HTTP for that host only',
    async (_form, caValue) => {
      const before = pulls(b, 'e2e/base');
      const { run, repository } = build(
        { ...mirrorInputs, 'ca-certificates': '$COMPANY_CA' },
        { base: 'nonexistent.invalid/e2e/base:1', variables: { ...mirrorVariables(), COMPANY_CA: caValue() } },
      );
      expect(run.stderr).not.toMatch(/cigen: error/);
      expect(run.status).toBe(0);
      expect(await tagsInA(repository)).toEqual([SHA]);
      expect(run.report?.['CIGEN_BUILT_DIGEST']).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pulls(b, 'e2e/base')).toBeGreaterThan(before);
      expect(run.log).toContain(`cigen: registries.conf drop-in: mirrors for nonexistent.invalid; without TLS checks: ${b.host}`);
    },
  );

  it('without the CA the same job fails on the certificate: verification stays on', () => {
    const { run } = build(mirrorInputs, { base: 'nonexistent.invalid/e2e/base:1', variables: mirrorVariables() });
    expect(run.status).toBe(1);
    expect(run.log).toMatch(/x509: certificate signed by unknown authority/);
  });

  it('pushes to a second registry with the registries input, over plain HTTP because insecure-registries names it', async () => {
    const { run } = build(
      {
        image: `${c.host}/team/app-${mode}`,
        cache: false,
        registries: [
          { host: c.host, user: '$TEAM_USER', password: '$TEAM_PASSWORD' },
          { host: b.host, user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' },
        ],
        'insecure-registries': [b.host, c.host],
      },
      { base: `${b.host}/e2e/base:1`, variables: { ...mirrorVariables(), TEAM_USER: c.user, TEAM_PASSWORD: c.password } },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(await c.tags(`team/app-${mode}`)).toEqual([SHA]);
  });

  // Docker and Kaniko read both forms of an entry; Buildah reads "auth" only, and gets it.
  const entryForms = [
    ['"auth"', (r: Registry) => ({ auth: Buffer.from(`${r.user}:${r.password}`).toString('base64') })],
    ['"username" and "password"', (r: Registry) => ({ username: r.user, password: r.password })],
  ] as const;

  it.each(entryForms)(
    'starts from a docker config.json given as a file (a file-type variable) with %s entries, and pushes with what it holds',
    async (form, entry) => {
      const file = join(work, `config-${mode}-${form.length}.json`);
      writeFileSync(file, JSON.stringify({ auths: { [c.host]: entry(c), [b.host]: entry(b) } }, null, 2));
      chmodSync(file, 0o600);
      const repository = `from-file/app-${mode}-${form.length}`;
      const { run } = build(
        { image: `${c.host}/${repository}`, cache: false, 'docker-config': '$DOCKER_CONFIG_FILE', 'insecure-registries': [b.host, c.host] },
        { base: `${b.host}/e2e/base:1`, variables: { DOCKER_CONFIG_FILE: file } },
      );
      expect(run.stderr).not.toMatch(/cigen: error/);
      expect(run.status).toBe(0);
      expect(await c.tags(repository)).toEqual([SHA]);
    },
  );

  it('pushes with DOCKER_AUTH_CONFIG entries written as "username" and "password"', async () => {
    const entry = entryForms[1][1];
    const { run } = build(
      { image: `${c.host}/runner-auth/app-${mode}`, cache: false, 'insecure-registries': [b.host, c.host] },
      {
        base: `${b.host}/e2e/base:1`,
        variables: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [c.host]: entry(c), [b.host]: entry(b) } }) },
      },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(await c.tags(`runner-auth/app-${mode}`)).toEqual([SHA]);
  });

  it.each([
    [2, 0],
    [0, 1],
  ])('push-retries %i against a registry that refuses the first manifest upload: exit %i', async (retries, status) => {
    const proxy = await startFlakyProxy(c.host, 1);
    try {
      const { run } = build(
        {
          image: `${proxy.host}/flaky/app-${mode}-${retries}`,
          cache: false,
          'push-retries': retries,
          registries: [
            { host: proxy.host, user: '$TEAM_USER', password: '$TEAM_PASSWORD' },
            { host: b.host, user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' },
          ],
          'insecure-registries': [b.host, proxy.host],
        },
        { base: `${b.host}/e2e/base:1`, variables: { ...mirrorVariables(), TEAM_USER: c.user, TEAM_PASSWORD: c.password } },
      );
      expect(run.status).toBe(status);
      expect((await proxy.stats()).refused).toBe(1);
      if (status === 0) {
        expect((await proxy.stats()).puts).toBe(2);
        expect(run.log).toContain(
          `cigen: buildah push ${proxy.host}/flaky/app-${mode}-${retries}:${SHA} failed (exit 125); trying again (at most 1 more after this)`,
        );
        expect(await c.tags(`flaky/app-${mode}-${retries}`)).toEqual([SHA]);
      } else {
        expect(run.log).toContain(`cigen: error: buildah push ${proxy.host}/flaky/app-${mode}-${retries}:${SHA} failed`);
        expect(await c.tags(`flaky/app-${mode}-${retries}`)).toEqual([]);
      }
    } finally {
      await proxy.stop();
    }
  });

  it.each([
    [1, 1],
    [4, 2],
  ])(
    "push-retries %i against a registry that is down: Buildah's own 3 retries of each push count among them, %i push(es)",
    async (retries, pushes) => {
      const down = `127.0.0.1:${await freePort()}`;
      const image = `${down}/down/app-${mode}-${retries}`;
      const { run } = build(
        { image, cache: false, 'push-retries': retries, registries: mirrorInputs.registries, 'insecure-registries': [b.host, down] },
        { base: `${b.host}/e2e/base:1`, variables: mirrorVariables() },
      );
      expect(run.status).toBe(1);
      // Buildah's own, whatever --retry=0 asks: 3 in each push.
      expect(run.log.match(/Failed, retrying in /g)).toHaveLength(3 * pushes);
      const again = run.log.split('\n').filter((line) => line.startsWith(`cigen: buildah push ${image}:${SHA} failed`));
      expect(again).toEqual([
        ...Array.from(
          { length: pushes - 1 },
          (_, n) =>
            `cigen: buildah push ${image}:${SHA} failed (exit 125) after retrying 3 times itself; trying again (at most ${retries - 3 * (n + 1) - 1} more after this)`,
        ),
      ]);
      expect(run.stderr).toContain(
        `cigen: error: buildah push ${image}:${SHA} failed (exit 125) after retrying 3 times itself. If the log above says 401, unauthorized or denied`,
      );
    },
  );

  it("dependency-proxy: Docker Hub's images come through the group's Dependency Proxy, with its job credentials", async () => {
    const before = pulls(b, `${PROXY_PATH}/library/base`);
    const { run } = build(
      {
        image: `${c.host}/proxied/app-${mode}`,
        cache: false,
        'dependency-proxy': true,
        registries: [{ host: c.host, user: '$TEAM_USER', password: '$TEAM_PASSWORD' }],
        'insecure-registries': [b.host, c.host],
      },
      {
        base: 'docker.io/library/base:1',
        variables: {
          TEAM_USER: c.user,
          TEAM_PASSWORD: c.password,
          CI_DEPENDENCY_PROXY_SERVER: b.host,
          CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: `${b.host}/${PROXY_PATH}`,
          CI_DEPENDENCY_PROXY_USER: b.user,
          CI_DEPENDENCY_PROXY_PASSWORD: b.password,
        },
      },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(pulls(b, `${PROXY_PATH}/library/base`)).toBeGreaterThan(before);
    expect(await c.tags(`proxied/app-${mode}`)).toEqual([SHA]);
  });

  it("the job's HTTP proxy settings reach the RUN steps", () => {
    const files = mkdtempSync(join(work, 'proxy-project-'));
    cpSync(FIXTURE, files, { recursive: true });
    writeFileSync(
      join(files, 'Dockerfile'),
      'ARG BASE=scratch\nFROM ${BASE}\nRUN mkdir -p /app && printf "%s|%s" "$HTTP_PROXY" "$no_proxy" > /app/proxy.txt\n',
    );
    const { run } = build(
      {
        image: `${c.host}/proxy-env/app-${mode}`,
        cache: false,
        registries: [
          { host: c.host, user: '$TEAM_USER', password: '$TEAM_PASSWORD' },
          { host: b.host, user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' },
        ],
        'insecure-registries': [b.host, c.host],
      },
      {
        base: `${b.host}/e2e/base:1`,
        files,
        // Go never sends loopback requests through a proxy, so the registries stay reachable.
        variables: {
          ...mirrorVariables(),
          TEAM_USER: c.user,
          TEAM_PASSWORD: c.password,
          HTTP_PROXY: 'http://proxy.invalid:3128',
          no_proxy: '.internal',
        },
      },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    const image = unpackImage(c, `${c.host}/proxy-env/app-${mode}:${SHA}`);
    try {
      expect(spawnSync('cat', [join(image.rootfs, 'app/proxy.txt')], { encoding: 'utf8' }).stdout).toBe(
        'http://proxy.invalid:3128|.internal',
      );
    } finally {
      image.dispose();
    }
  });
});

describe('every job log', () => {
  it('holds no registry password, nor its base64 form', () => {
    expect(logs.length).toBeGreaterThan(10);
    for (const run of logs) {
      for (const registry of [a, b, c]) {
        expect(run.log).not.toContain(registry.password);
        expect(run.log).not.toContain(Buffer.from(`${registry.user}:${registry.password}`).toString('base64'));
      }
    }
  });
});
