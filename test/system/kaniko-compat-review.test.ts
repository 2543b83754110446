/**
 * kaniko-compat's /kaniko/executor against what Kaniko does, where a review running it with a
 * stub buildah (and real Buildah) found the executor saying one thing and doing another:
 * --single-snapshot, --annotation and --oci-layout-path in the default Docker format,
 * --reproducible with --cache, config.json keys written HOST/v1/, --cache-run-layers=false,
 * --cache --no-push --no-push-cache without --cache-repo, tar:// contexts, --git with a directory
 * context, --secret. The same harness as kaniko-compat.test.ts: the component's job in the
 * sandbox, a stub buildah that records its argv and the auth file it is given.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { ok, refused } from '../helpers/compat-run.js';
import { OCI_DROPPED_WORDS } from '../../src/builders/said.js';
import { createSandbox, decodeAuths, type Sandbox, type StubCall } from '../helpers/sandbox.js';

const P = '/builds/group/app';
const IMG = 'registry.example.com/group/app';
const BASE = `/kaniko/executor --context "$CI_PROJECT_DIR" --destination ${IMG}:1`;

let box: Sandbox;
beforeAll(() => {
  box = createSandbox({ projectFiles: { Dockerfile: 'FROM scratch\n' } });
});
afterAll(() => box.dispose());

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  build: StubCall | undefined;
  pushes: StubCall[];
}

function compat(
  lines: readonly string[],
  options: { inputs?: Record<string, unknown>; env?: Record<string, string>; shell?: 'bash' | 'busybox' } = {},
): Run {
  box.reset();
  rmSync(box.path('/kaniko'), { recursive: true, force: true });
  mkdirSync(box.path('/kaniko'));
  const { job } = instantiateComponent('kaniko-compat', options.inputs ?? {}, 'classic');
  const env = options.env ?? {};
  const result = box.run(
    [jobScript(job), ...lines].join('\n'),
    { ...jobEnvironment(job, predefinedVariables(P, env)), ...env },
    options.shell ?? 'busybox',
  );
  const calls = box.calls('buildah').filter((call) => call.argv[0] !== '--storage-driver=overlay');
  return { ...result, build: calls.find((call) => call.argv[0] === 'build'), pushes: calls.filter((call) => call.argv[0] === 'push') };
}

const cacheArgs = (run: Run) => run.build?.argv.filter((arg) => arg.startsWith('--cache-')) ?? [];

describe('--single-snapshot: one layer for the build, as Kaniko takes one snapshot', () => {
  it('builds without --layers, and says so', () => {
    const run = compat([`${BASE} --single-snapshot`]);
    ok(run);
    expect(run.build?.argv).not.toContain('--layers');
    expect(run.build?.argv.slice(0, 3)).toEqual(['build', '--isolation=chroot', '--format=docker']);
    expect(run.stdout).toContain('cigen: kaniko-compat: --single-snapshot: one layer for the build (buildah build without --layers)');
    expect(run.stdout).not.toContain('--single-snapshot: nothing to do');
  });

  it('=false is the default: a layer per step', () => {
    const run = compat([`${BASE} --single-snapshot=false`]);
    ok(run);
    expect(run.build?.argv).toContain('--layers');
  });

  it('with --cache: no cache (Buildah caches layer by layer), said in the log', () => {
    const run = compat([`${BASE} --single-snapshot --cache`]);
    ok(run);
    expect(run.build?.argv).not.toContain('--layers');
    expect(cacheArgs(run)).toEqual([]);
    expect(run.stdout).toContain('cigen: kaniko-compat: --cache: not applied with --single-snapshot');
  });
});

describe("a flag kaniko-compat refuses, given =false (Kaniko's default)", () => {
  it('asks nothing: the build runs, and the log says why the flag was accepted', () => {
    const run = compat([`${BASE} --push-ignore-immutable-tag-errors=false`]);
    ok(run);
    expect(run.stdout).toContain(
      "cigen: kaniko-compat: --push-ignore-immutable-tag-errors: nothing to do: false is Kaniko's default, so the flag asks nothing",
    );
    expect(run.pushes).toHaveLength(1);
  });

  it('given true it is still refused', () => {
    refused(compat([`${BASE} --push-ignore-immutable-tag-errors`]), 'Buildah fails a push that a registry refuses');
  });
});

describe('the OCI format where the Docker format would lose what Kaniko writes', () => {
  it('--annotation: built in the OCI format (Buildah drops annotations in the Docker format), said in the log', () => {
    const run = compat([`${BASE} --annotation org.opencontainers.image.description=app`]);
    ok(run);
    expect(run.build?.argv).toEqual(expect.arrayContaining(['--format=oci', '--annotation=org.opencontainers.image.description=app']));
    expect(run.build?.argv).not.toContain('--format=docker');
    // The whole line: what the OCI format drops, as Buildah drops it (test/e2e/format.e2e.test.ts).
    expect(run.stdout.split('\n')).toContain(
      'cigen: kaniko-compat: building in the OCI format, not docker, for --annotation (the Docker format has no annotations); ' +
        `the OCI format drops ${OCI_DROPPED_WORDS}`,
    );
  });

  it('--oci-layout-path: built in the OCI format, the layout written with the push compression (the digest pushed)', () => {
    const run = compat([`${BASE} --oci-layout-path out/oci --compression zstd --digest-file out/digest`]);
    ok(run);
    expect(run.build?.argv).toContain('--format=oci');
    expect(run.stdout).toContain('building in the OCI format, not docker, for --oci-layout-path');
    const layout = run.pushes.find((push) => push.argv.at(-1) === 'oci:out/oci');
    expect(layout?.argv).toContain('--compression-format=zstd');
  });

  it('--tar-path with several destinations: the archive holds the first tag only, and the log says so (Kaniko writes each)', () => {
    const run = compat([`${BASE} --destination ${IMG}:2 --no-push --tar-path out/image.tar`]);
    ok(run);
    expect(run.pushes.map((push) => push.argv.at(-1))).toEqual([`docker-archive:out/image.tar:${IMG}:1`]);
    expect(run.stdout.split('\n')).toContain(
      `cigen: kaniko-compat: saved out/image.tar, the image tagged ${IMG}:1 only (Kaniko tags it with each of the 2 destinations)`,
    );
    const one = compat([`${BASE} --no-push --tar-path out/image.tar`]);
    ok(one);
    expect(one.stdout.split('\n')).toContain('cigen: kaniko-compat: saved out/image.tar');
  });

  it('neither: the Docker format; format: oci: no log line', () => {
    const plain = compat([BASE]);
    ok(plain);
    expect(plain.build?.argv).toContain('--format=docker');
    const oci = compat([`${BASE} --annotation a=b`], { inputs: { format: 'oci' } });
    ok(oci);
    expect(oci.build?.argv).toContain('--format=oci');
    expect(oci.stdout).not.toContain('building in the OCI format');
  });
});

describe('--reproducible with --cache', () => {
  it('passes no --cache-ttl (images dated 1970 would all be expired), and says so', () => {
    const run = compat([`${BASE} --reproducible --cache --cache-ttl 24h`]);
    ok(run);
    expect(run.build?.argv).toContain('--timestamp=0');
    expect(cacheArgs(run)).toEqual([`--cache-from=${IMG}/cache`, `--cache-to=${IMG}/cache`]);
    expect(run.stdout).toContain('cigen: kaniko-compat: --cache-ttl: not applied with --reproducible');
  });

  it('without --reproducible the TTL is passed', () => {
    const run = compat([`${BASE} --cache --cache-ttl 24h`]);
    ok(run);
    expect(cacheArgs(run)).toContain('--cache-ttl=24h');
    expect(run.stdout).not.toContain('not applied with --reproducible');
  });
});

describe('config.json keys, read as Kaniko reads them (http(s):// stripped, cut at the first /)', () => {
  const write = (auths: Record<string, [string, string]>) => {
    const json = JSON.stringify({
      auths: Object.fromEntries(Object.entries(auths).map(([k, [u, p]]) => [k, { username: u, password: p }])),
    });
    return `printf '%s' '${json}' > /kaniko/.docker/config.json`;
  };

  it('HOST/v1/ is that host: Buildah gets it under HOST, and the job token is not added beside it', () => {
    const run = compat([write({ 'registry.example.com/v1/': ['deployer', 'dpw'] }), BASE]);
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': 'deployer:dpw' });
  });

  it("another host's HOST/v1/ entry: that host, and the job token still for the job's registry", () => {
    const run = compat([write({ 'harbor.example.com/v1/': ['robot', 'hpw'] }), BASE]);
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({
      'harbor.example.com': 'robot:hpw',
      'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
    });
  });

  it('one entry per host: the key written as the host wins, else the first', () => {
    const exact = compat([write({ 'https://registry.example.com': ['a', 'apw'], 'registry.example.com': ['b', 'bpw'] }), BASE]);
    ok(exact);
    expect(decodeAuths(exact.build?.config)).toEqual({ 'registry.example.com': 'b:bpw' });
    const first = compat([write({ 'registry.example.com/v1/': ['a', 'apw'], 'http://registry.example.com/v2/': ['b', 'bpw'] }), BASE]);
    ok(first);
    expect(decodeAuths(first.build?.config)).toEqual({ 'registry.example.com': 'a:apw' });
  });

  it("Docker Hub's entry, however Kaniko's file keys it, is written docker.io: the key Buildah looks up first", () => {
    for (const key of ['https://index.docker.io/v1/', 'index.docker.io']) {
      const run = compat([write({ [key]: ['hub', 'hubpw'] }), BASE]);
      ok(run);
      expect(decodeAuths(run.build?.config)).toEqual({
        'docker.io': 'hub:hubpw',
        'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
      });
    }
  });

  it('a $DOCKER_AUTH_CONFIG key HOST/v1/ names no registry for Buildah: the job token is added for the job registry', () => {
    const auth = Buffer.from('runner:rpw').toString('base64');
    const run = compat([BASE], { env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'registry.example.com/v1/': { auth } } }) } });
    ok(run);
    expect(decodeAuths(run.build?.config)).toMatchObject({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
  });
});

describe('--cache-run-layers', () => {
  it('=false with --cache: no cache read or written (Buildah caches every step or none), said so', () => {
    const run = compat([`${BASE} --cache --cache-run-layers=false`]);
    ok(run);
    expect(cacheArgs(run)).toEqual([]);
    expect(run.stdout).toContain(
      'cigen: kaniko-compat: --cache-run-layers=false: Kaniko cached no RUN step; Buildah caches every step or none',
    );
    expect(run.stdout).not.toContain('--cache-run-layers: nothing to do: Buildah caches every layer, RUN included');
  });

  it('=false without --cache: nothing to do', () => {
    const run = compat([`${BASE} --cache-run-layers=false`]);
    ok(run);
    expect(run.stdout).toContain('cigen: kaniko-compat: --cache-run-layers=false: nothing to do: without --cache no step is cached');
  });

  it('true (or true after =false: the last counts): the cache, RUN layers included', () => {
    for (const args of ['--cache --cache-run-layers', '--cache --cache-run-layers=false --cache-run-layers=true']) {
      const run = compat([`${BASE} ${args}`]);
      ok(run);
      expect(cacheArgs(run)).toEqual([`--cache-from=${IMG}/cache`, `--cache-to=${IMG}/cache`, '--cache-ttl=336h']);
      expect(run.stdout).toContain('cigen: kaniko-compat: --cache-run-layers: nothing to do: Buildah caches every layer, RUN included');
    }
  });
});

describe('what Kaniko refuses, and what it ignores', () => {
  it('--cache --no-push --no-push-cache without --cache-repo: refused without a destination to name a cache after', () => {
    const bare = '/kaniko/executor --context "$CI_PROJECT_DIR"';
    refused(compat([`${bare} --cache --no-push --no-push-cache`]), 'if using cache with --no-push, specify cache repo with --cache-repo');
    refused(compat([`${bare} --cache --no-push`]), 'if using cache with --no-push, specify cache repo with --cache-repo');
    refused(compat([`${BASE} --cache --no-push`]), 'if using cache with --no-push, specify cache repo with --cache-repo');
  });

  it('--cache --no-push --no-push-cache with a destination: its cache read, as the maintained fork reads it', () => {
    const run = compat([`${BASE} --cache --no-push --no-push-cache`]);
    ok(run);
    expect(cacheArgs(run)).toContain(`--cache-from=${IMG}/cache`);
    expect(cacheArgs(run).some((arg) => arg.startsWith('--cache-to'))).toBe(false);
  });

  it('--context tar://: a local archive to extract, not a remote context', () => {
    const run = compat([`${BASE.replace('"$CI_PROJECT_DIR"', 'tar:///local/ctx.tar.gz')}`]);
    refused(run, '--context tar:///local/ctx.tar.gz: a tar archive of the context');
    expect(run.stderr).toContain('extract the archive first');
    expect(run.stderr).not.toContain('remote');
  });

  it('--git with a directory context: nothing to do (Kaniko reads it for git:// contexts only)', () => {
    const run = compat([`${BASE} --git branch=main`]);
    ok(run);
    expect(run.stdout).toContain('cigen: kaniko-compat: --git: nothing to do: Kaniko reads it for a git:// context only');
    expect(run.build?.argv.at(-1)).toBe(P);
  });

  it("--secret: refused, naming the buildah component's secrets input", () => {
    const run = compat([`${BASE} --secret id=npm,env=NPM_TOKEN`]);
    refused(run, "--secret: kaniko-compat does not pass build secrets yet; the buildah component's secrets input takes them");
  });
});

describe("a job whose own image: wins over kaniko-compat's (a Kaniko image, no Buildah in it)", () => {
  it('stops at once, saying why, and leaves the Kaniko executor there as it was', () => {
    const stub = box.path('/usr/local/bin/buildah');
    const kaniko = '#!/bin/sh\necho the real Kaniko executor\n';
    renameSync(stub, `${stub}.away`);
    try {
      // An image whose /kaniko/executor is Kaniko's.
      box.reset();
      writeFileSync(box.path('/kaniko/executor'), kaniko, { mode: 0o755 });
      const { job } = instantiateComponent('kaniko-compat', {}, 'classic');
      const run = box.run([jobScript(job), BASE].join('\n'), jobEnvironment(job, predefinedVariables(P, {})), 'busybox');
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        "cigen: error: kaniko-compat: this job's image has no buildah: kaniko-compat runs in its builder-image, which the job " +
          "does not run in (an image: of the job's own, or of a base it extends after the kaniko-compat job, overrides it); " +
          '/kaniko/executor is left as it was',
      ]);
      expect(run.stdout).not.toContain('the real Kaniko executor');
      expect(readFileSync(box.path('/kaniko/executor'), 'utf8')).toBe(kaniko);
    } finally {
      renameSync(`${stub}.away`, stub);
    }
  });
});
