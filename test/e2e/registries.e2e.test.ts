/**
 * The registry inputs with real Buildah, in both interpolation modes, against real registries
 * on this machine — nothing marked insecure or trusted by the "runner": whatever reaches a
 * registry does so because an input said so.
 *   A: HTTPS with a certificate from a throwaway CA (the company CA), the project's registry.
 *   B: plain HTTP, holds the base images (the mirror, the Dependency Proxy).
 *   C: plain HTTP, a second registry to push to with other credentials.
 *   D: HTTPS with a certificate from a second throwaway CA, which the runner trusts the containers
 *      way (/etc/containers/certs.d/<D>/ca.crt, made by the test and removed after it).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_ITEM_CLASH } from '../../src/builders/said.js';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent } from '../helpers/job.js';
import { SHELL_LIBRARY, SHELLS } from '../helpers/shells.js';
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
  type Runner,
} from './lib/runner.js';
import { throwawayCertificateAuthority, trustThroughCertsD } from './lib/tls.js';

const SHA = '01234567';
const PROXY_PATH = 'group/dependency_proxy/containers';

let work: string;
let ca: ReturnType<typeof throwawayCertificateAuthority>;
let a: Registry;
let b: Registry;
let c: Registry;
let d: Registry | undefined;
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
    {
      base,
      variables = {},
      files = FIXTURE,
      registriesConf = '',
    }: { base: string; variables?: Record<string, string>; files?: string; registriesConf?: string },
  ) {
    const repository = `group/${mode}-${++counter}`;
    const project = projectWith(base, files);
    // Nothing marked insecure by the runner: the registries.conf it gives is empty unless a test says.
    const runner = freshRunner(a, { registriesConf });
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
      expect(run.log).toMatch(
        new RegExp(
          `cigen: registries\\.conf for this job only \\(\\S+/registries\\.conf and the job's tables\\): short names from docker\\.io; mirrors for nonexistent\\.invalid; without TLS checks: ${b.host}\n`,
        ),
      );
    },
  );

  // Docker, Kaniko and BuildKit read FROM maven:3 and FROM myorg/tool:1 as Docker Hub's. Buildah reads
  // registries.conf: with none of its unqualified-search-registries (Debian's stock file) it stops,
  // and with Fedora's (three registries, short-name-mode enforcing) it wants a TTY to ask which.
  // Docker Hub here is the mirror the job gives for it, B: nothing reaches docker.io itself.
  it.each([
    ['none (Debian)', ''],
    [
      "Fedora's (three registries, enforcing), an array over lines",
      '# the runner\'s\nunqualified-search-registries = [\n  "registry.fedoraproject.org",\n  "registry.access.redhat.com",\n  "docker.io",\n]\nshort-name-mode = "enforcing"\n\n[aliases]\n"cigen-e2e-alias" = "docker.io/library/busybox"\n',
    ],
  ])(
    'a FROM without a registry host is pulled from Docker Hub, as Docker does; runner unqualified-search-registries: %s',
    (_runner, registriesConf) => {
      const before = pulls(b, 'e2e/base');
      const { run } = build(
        {
          'registry-mirrors': ['$MIRROR_HOST'],
          'insecure-registries': ['$MIRROR_HOST'],
          registries: mirrorInputs.registries,
          'ca-certificates': '$COMPANY_CA',
        },
        { base: 'e2e/base:1', variables: { ...mirrorVariables(), COMPANY_CA: ca.ca }, registriesConf },
      );
      expect(run.log).toContain('Trying to pull docker.io/e2e/base:1...');
      expect(run.log).not.toMatch(/Error: .*(short-name|unqualified-search)/);
      expect(run.stderr).not.toMatch(/cigen: error/);
      expect(run.status).toBe(0);
      expect(pulls(b, 'e2e/base')).toBeGreaterThan(before);
      expect(run.log).toMatch(
        new RegExp(
          `cigen: registries\\.conf for this job only \\(\\S+/registries\\.conf and the job's tables\\): short names from docker\\.io; mirrors for docker\\.io; without TLS checks: ${b.host}\n`,
        ),
      );
      if (registriesConf) {
        expect(run.log).toMatch(
          /cigen: registries\.conf: the runner's unqualified-search-registries short-name-mode \(\S+\) left out of the job's copy/,
        );
      }
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

  // Another project's GitLab registry as the job's $CI_REGISTRY, whose job token cannot push there:
  // the deploy token given in registries was left out (the registry input's entry came first) and
  // the push went with the job token. The job now stops before the build; given in registry-user
  // and registry-password, as its message says, the same token pushes.
  it("a registries item for $CI_REGISTRY's host stops the job before the build; in registry-user/registry-password it pushes", async () => {
    const repository = `deploy-token/app-${mode}`;
    const inputs = {
      image: `${c.host}/${repository}`,
      cache: false,
      'insecure-registries': [b.host, c.host],
    };
    const variables = {
      ...mirrorVariables(),
      CI_REGISTRY: c.host,
      CI_REGISTRY_USER: 'gitlab-ci-token',
      CI_REGISTRY_PASSWORD: 'job-token-without-access',
      DEPLOY_USER: c.user,
      DEPLOY_TOKEN: c.password,
    };
    const mirror = { host: b.host, user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' };
    const refused = build(
      { ...inputs, registries: [{ host: '$CI_REGISTRY', user: '$DEPLOY_USER', password: '$DEPLOY_TOKEN' }, mirror] },
      { base: `${b.host}/e2e/base:1`, variables },
    ).run;
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(`cigen: error: input registries: element 1 (${c.host}): ${REGISTRY_ITEM_CLASH}`);
    expect(refused.log).not.toContain('cigen: building');
    const { run } = build(
      { ...inputs, 'registry-user': '$DEPLOY_USER', 'registry-password': '$DEPLOY_TOKEN', registries: [mirror] },
      { base: `${b.host}/e2e/base:1`, variables },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(await c.tags(repository)).toEqual([SHA]);
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

  it.each([0, 2])(
    'promote, push-retries %i, to a registry that is down: skopeo copy --retry-times=0 retries nothing itself, the job copies N + 1 times',
    async (retries) => {
      const down = `127.0.0.1:${await freePort()}`;
      const image = `${down}/down/promoted-${mode}-${retries}`;
      const project = projectWith(`${b.host}/e2e/base:1`);
      const runner = freshRunner(a, { registryIsHttp: false });
      let run: JobRun;
      try {
        const { job } = instantiateComponent(
          'promote',
          {
            source: `${b.host}/e2e/base:1`,
            image,
            tags: ['x'],
            'tag-rules': [],
            'push-retries': retries,
            'insecure-registries': [b.host, down],
            registries: mirrorInputs.registries,
          },
          mode,
        );
        run = runJob(job, project, runner, ciVariables(a, project, mirrorVariables()));
        logs.push(run);
      } finally {
        runner.dispose();
        rmSync(project, { recursive: true, force: true });
      }
      expect(run.status).toBe(1);
      expect(run.log).not.toContain('Failed, retrying in');
      const again = run.log.split('\n').filter((line) => line.startsWith(`cigen: skopeo copy to ${image}:x failed`));
      expect(again).toEqual(
        Array.from(
          { length: retries },
          (_, n) => `cigen: skopeo copy to ${image}:x failed (exit 1); trying again (at most ${retries - n - 1} more after this)`,
        ),
      );
      expect(run.stderr).toContain(`cigen: error: skopeo copy to ${image}:x failed (exit 1). If the log above says 401`);
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

// On a shell executor every job runs with the same HOME. A job's registry-mirrors and
// insecure-registries are its own: another job's Buildah (its own storage and registries.conf, the
// same HOME), run by a `buildah` first in PATH as this job's build starts, gets neither. And a
// runner's own [[registry]] table for a registry the inputs name stays as it is (containers/image
// keeps one table per registry, and a job's would take its place), and the job says so.
describe("registry-mirrors and insecure-registries: the job's own, beside the runner's", () => {
  const shim = (dir: string) => {
    const path = join(dir, 'buildah');
    writeFileSync(
      path,
      [
        '#!/bin/sh',
        'if [ "$1" = build ] && [ ! -e "$OTHER/pulled" ]; then',
        '  : > "$OTHER/pulled"',
        '  for ref in "$OTHER_TLS_REF" "$OTHER_MIRRORED_REF"; do',
        '    env -i PATH="$PATH" HOME="$HOME" XDG_RUNTIME_DIR="$OTHER/xdg" CONTAINERS_STORAGE_CONF="$OTHER/storage.conf" \\',
        '      CONTAINERS_REGISTRIES_CONF="$OTHER/registries.conf" /usr/bin/buildah pull --quiet "docker://$ref" >> "$OTHER/log" 2>&1',
        '    echo "$ref $?" >> "$OTHER/status"',
        '  done',
        'fi',
        'exec /usr/bin/buildah "$@"',
        '',
      ].join('\n'),
    );
    chmodSync(path, 0o755);
  };

  /**
   * The buildah job in RUNNER, building on B's base image and pushing <C>/REPOSITORY with the
   * credentials of B and C, and these mirrors and plain-HTTP hosts: green, and the tag arrived.
   */
  async function pushedToC(runner: Runner, repository: string, mirrors: string[], insecure: string[]): Promise<JobRun> {
    const project = projectWith(`${b.host}/e2e/base:1`);
    try {
      const { job } = instantiateComponent(
        'buildah',
        {
          image: `${c.host}/${repository}`,
          cache: false,
          registries: [
            { host: c.host, user: '$TEAM_USER', password: '$TEAM_PASSWORD' },
            { host: b.host, user: '$MIRROR_USER', password: '$MIRROR_PASSWORD' },
          ],
          'registry-mirrors': mirrors,
          'insecure-registries': insecure,
        },
        'classic',
      );
      const variables = { MIRROR_USER: b.user, MIRROR_PASSWORD: b.password, TEAM_USER: c.user, TEAM_PASSWORD: c.password };
      const run = runJob(job, project, runner, ciVariables(a, project, variables));
      logs.push(run);
      expect(run.stderr).not.toMatch(/cigen: error/);
      expect(run.status).toBe(0);
      expect(await c.tags(repository)).toEqual([SHA]);
      return run;
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }

  it('another job running at the same time with the same HOME keeps TLS checks and its own pull sources', async () => {
    const runner = freshRunner(a, { registryIsHttp: false });
    const other = freshRunner(a, { registryIsHttp: false });
    const bin = mkdtempSync(join(work, 'bin-'));
    shim(bin);
    try {
      Object.assign(runner.env, {
        PATH: `${bin}:${runner.env.PATH}`,
        OTHER: other.dir,
        OTHER_TLS_REF: `${a.host}/e2e/nothing:1`,
        OTHER_MIRRORED_REF: 'nonexistent.invalid/e2e/base:1',
      });
      await pushedToC(runner, 'shared-home/app', [`nonexistent.invalid=${b.host}`], [a.host, b.host, c.host]);
      const otherLog = readFileSync(join(other.dir, 'log'), 'utf8');
      // Verified against the certificate, which the other job was given no CA for; and no mirror.
      expect(readFileSync(join(other.dir, 'status'), 'utf8').split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^${a.host}/e2e/nothing:1 [1-9][0-9]*$`)),
        expect.stringMatching(/^nonexistent\.invalid\/e2e\/base:1 [1-9][0-9]*$/),
        '',
      ]);
      expect(otherLog).toMatch(/x509: certificate signed by unknown authority/);
      expect(otherLog).not.toMatch(/unauthorized|authentication required/);
      expect(otherLog).toMatch(/lookup nonexistent\.invalid/);
    } finally {
      runner.dispose();
      other.dispose();
    }
  });

  it("the runner's table for a registry the inputs name stays (its plain HTTP kept), and the job says its mirrors for it are not used", async () => {
    // The runner marks C as plain HTTP; the job names C in registry-mirrors, pushes there.
    const runner = freshRunner(c);
    try {
      const run = await pushedToC(runner, 'runner-table/app', [`${c.host}=${b.host}`], [b.host]);
      expect(run.log).toContain(
        `cigen: registries.conf: the runner's configuration has a [[registry]] table for ${c.host} (${join(runner.dir, 'registries.conf')}), which stays as it is; cigen does not merge the job's into it (containers/image keeps one table per registry), so the job's mirrors for ${c.host} are not used`,
      );
      expect(run.log).toContain(
        `cigen: registries.conf for this job only (${join(runner.dir, 'registries.conf')} and the job's tables): short names from docker.io; mirrors for none; without TLS checks: ${b.host}`,
      );
    } finally {
      runner.dispose();
    }
  });
});

// The company CA given for A must not take away what the runner already trusts: D, through certs.d.
// Each component that talks to registries with Buildah or skopeo reaches both in one job.
describe('ca-certificates for A, and D trusted by the runner through certs.d: one job reaches both', () => {
  let undoCertsD: () => void = () => undefined;
  /** The base image on D and on A, by digest (the same image). */
  let onD: string;
  let onA: string;

  beforeAll(async () => {
    mkdirSync(join(work, 'ca-d'));
    const caD = throwawayCertificateAuthority(join(work, 'ca-d'));
    const registry = await startRegistry({ tls: caD });
    d = registry;
    undoCertsD = trustThroughCertsD(registry.host, caD.ca);
    // The harness's copies: D verified through certs.d, A with the company CA alone (its own directory).
    mkdirSync(join(work, 'ca-a'));
    writeFileSync(join(work, 'ca-a', 'ca.crt'), ca.ca);
    const auth = (r: Registry) => ({ auth: Buffer.from(`${r.user}:${r.password}`).toString('base64') });
    const authFile = join(work, 'auth-certs-d.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [b.host]: auth(b), [registry.host]: auth(registry), [a.host]: auth(a) } }));
    chmodSync(authFile, 0o600);
    for (const [host, certDir] of [
      [registry.host, []],
      [a.host, [`--dest-cert-dir=${join(work, 'ca-a')}`]],
    ] as const) {
      const copy = spawnSync(
        'skopeo',
        ['copy', '--src-tls-verify=false', ...certDir, `docker://${b.host}/e2e/base:1`, `docker://${host}/e2e/base:1`],
        { env: { ...process.env, REGISTRY_AUTH_FILE: authFile }, encoding: 'utf8' },
      );
      if (copy.status !== 0) throw new Error(`skopeo copy to ${host}: ${copy.stderr}`);
    }
    const digest = await registry.digest('e2e/base', '1');
    expect(await a.digest('e2e/base', '1')).toBe(digest);
    onD = `${registry.host}/e2e/base@${digest}`;
    onA = `${a.host}/e2e/base@${digest}`;
  });

  afterAll(async () => {
    undoCertsD();
    await d?.stop();
  });

  /** The component's job with the company CA and D's credentials as inputs, in a fresh runner. */
  function job(component: string, inputs: Record<string, unknown>): JobRun {
    const registry = d as Registry;
    const project = projectWith(`${registry.host}/e2e/base:1`);
    const runner = freshRunner(a, { registryIsHttp: false });
    try {
      const { job } = instantiateComponent(
        component,
        { 'ca-certificates': '$COMPANY_CA', registries: [{ host: registry.host, user: '$D_USER', password: '$D_PASSWORD' }], ...inputs },
        'classic',
      );
      const run = runJob(
        job,
        project,
        runner,
        ciVariables(a, project, { COMPANY_CA: ca.ca, D_USER: registry.user, D_PASSWORD: registry.password }),
      );
      logs.push(run);
      return run;
    } finally {
      runner.dispose();
      rmSync(project, { recursive: true, force: true });
    }
  }
  const passed = (run: JobRun) => {
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status, run.log.slice(-3000)).toBe(0);
  };

  it.each([
    ['one image (buildah build, buildah push, the layer cache on A)', 'single', {}, [SHA]],
    [
      'platforms (buildah push, buildah manifest add and push)',
      'index',
      { platforms: ['linux/amd64'], cache: false },
      [SHA, `${SHA}-linux-amd64`],
    ],
  ])('buildah, %s: FROM the image on D, pushed to A', async (_what, name, inputs, tags) => {
    const before = pulls(d as Registry, 'e2e/base');
    const run = job('buildah', { image: `${a.host}/certs-d/${name}`, ...inputs });
    passed(run);
    expect(pulls(d as Registry, 'e2e/base')).toBeGreaterThan(before);
    expect((await tagsInA(`certs-d/${name}`)).sort()).toEqual(tags);
    expect(run.report?.['CIGEN_BUILT_REF']).toMatch(new RegExp(`^${a.host}/certs-d/${name}@sha256:[0-9a-f]{64}$`));
  });

  it('manifest: the image on D merged into an index pushed to A (buildah manifest add from D, push to A)', async () => {
    const run = job('manifest', { image: `${a.host}/certs-d/merged`, sources: [onD], tags: ['v1'], 'tag-rules': [] });
    passed(run);
    expect(await tagsInA('certs-d/merged')).toEqual(['v1']);
    const index = await send(
      `https://${a.host}/v2/certs-d/merged/manifests/v1`,
      {
        headers: {
          Authorization: a.authorization,
          Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json',
        },
      },
      ca.ca,
    );
    expect((JSON.parse(index.body) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual([onD.split('@')[1]]);
  });

  it('promote: the image on A copied to D by skopeo (inspect and read on A, written on D)', async () => {
    const registry = d as Registry;
    const run = job('promote', { source: onA, image: `${registry.host}/certs-d/promoted`, tags: ['1'], 'tag-rules': [] });
    passed(run);
    expect(await registry.digest('certs-d/promoted', '1')).toBe(onA.split('@')[1]);
  });
});

// A `buildah login` or `skopeo login` in before_script, then the shell library's reader of it, the
// way promote, manifest and the Buildah components run it. Without XDG_RUNTIME_DIR (a CI job's
// container) containers/image writes /run/containers/<uid>/auth.json: the login runs in a mount
// namespace of its own with a tmpfs on /run, so the host's is never touched.
describe.each(SHELLS)('a login in before_script, read where containers/image wrote it (the shell library under $name)', (shell) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const uid = process.getuid?.() ?? 0;

  it.each([
    ['buildah', 'unset', `/run/containers/${uid}/auth.json`],
    ['skopeo', 'unset', `/run/containers/${uid}/auth.json`],
    ['buildah', 'set', '$XDG_RUNTIME_DIR/containers/auth.json'],
    ['skopeo', 'set', '$XDG_RUNTIME_DIR/containers/auth.json'],
  ])('%s login with XDG_RUNTIME_DIR %s writes %s, and the job keeps it', (tool, xdg, written) => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-login-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'home'));
    mkdirSync(join(dir, 'xdg'), { mode: 0o700 });
    const file = join(dir, 'out/auth.json');
    const script = [
      'mount -t tmpfs -o mode=0755 tmpfs /run || exit 99',
      `printf '%s' "$LOGIN_PASSWORD" | ${tool} login --tls-verify=false -u "$LOGIN_USER" --password-stdin "$LOGIN_HOST" >&2 || exit 98`,
      `[ -f "${written}" ] && echo 'login wrote ${written}'`,
      'find /run -name auth.json',
      SHELL_LIBRARY,
      // No registry input: the login is the job's only credentials.
      "cigen_registry='' cigen_registry_user='' cigen_registry_password=''",
      'cigen_write_containers_auth "$F"',
    ].join('\n');
    const [command, ...args] = shell.argv;
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', command, ...args, script], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: join(dir, 'home'),
        ...(xdg === 'set' ? { XDG_RUNTIME_DIR: join(dir, 'xdg') } : {}),
        F: file,
        LOGIN_HOST: c.host,
        LOGIN_USER: c.user,
        LOGIN_PASSWORD: c.password,
      },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('Login Succeeded');
    expect(result.stdout).toContain(`login wrote ${written}\n`);
    // The login wrote nothing else under /run (one file, where containers/image reads it back).
    expect(result.stdout.split('\n').filter((line) => line.startsWith('/run/'))).toEqual(xdg === 'set' ? [] : [written]);
    expect(result.stdout).toContain(`cigen: registry credentials for "${c.host}" in ${file} (mode 600)`);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual([c.host]);
    expect(Buffer.from(config.auths[c.host]?.auth ?? '', 'base64').toString()).toBe(`${c.user}:${c.password}`);
    // containers/image itself, reading the file the job hands Buildah and Skopeo
    const login = spawnSync('buildah', ['login', '--get-login', c.host], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REGISTRY_AUTH_FILE: file, HOME: join(dir, 'home') },
      encoding: 'utf8',
    });
    expect(login.stdout.trim()).toBe(c.user);
    expect(result.stdout + result.stderr).not.toContain(c.password);
  });
});

describe('every job log', () => {
  it('holds no registry password, nor its base64 form', () => {
    expect(logs.length).toBeGreaterThan(10);
    for (const run of logs) {
      for (const registry of [a, b, c, ...(d ? [d] : [])]) {
        expect(run.log).not.toContain(registry.password);
        expect(run.log).not.toContain(Buffer.from(`${registry.user}:${registry.password}`).toString('base64'));
      }
    }
  });
});
