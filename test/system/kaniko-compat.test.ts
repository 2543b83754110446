/**
 * kaniko-compat's /kaniko/executor, installed by the component's before_script in the sandbox
 * (busybox for its own shell, as POSIX sh; the job's shell bash, as in the Buildah image), with a
 * stub buildah that records every argument, the config.json it is pointed at and the files it
 * would read (its registries.conf, the SSL_CERT_DIR it adds). The argv contract of every row of Kaniko's
 * flag table (src/builders/kaniko-flags.ts), read as Kaniko reads it; flags it cannot honour and
 * flags Kaniko does not have stop the job with one line naming them; credentials from every way
 * a job writes them; values stay data. Real Buildah runs it in test/e2e/kaniko-compat.e2e.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KANIKO_FLAGS } from '../../src/builders/kaniko-flags.js';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { REGISTRY_PASSWORD, credsStoreSaid, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { ok, refused } from '../helpers/compat-run.js';
import { createSandbox, decodeAuths, type Sandbox, type StubCall } from '../helpers/sandbox.js';

const P = '/builds/group/app';
const IMG = 'registry.example.com/group/app';
const DIGEST = `sha256:${'1'.repeat(64)}`;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBregistryCA\n-----END CERTIFICATE-----\n';
const BASE = `/kaniko/executor --context "$CI_PROJECT_DIR" --destination ${IMG}:1`;

let box: Sandbox;
beforeAll(() => {
  box = createSandbox({
    projectFiles: {
      Dockerfile: 'FROM scratch\n',
      'sub/Dockerfile': 'FROM scratch\n',
      'docker/Containerfile': 'FROM scratch\n',
      'certs/registry.crt': PEM,
      // Base images on private registries: through an ARG default a --build-arg overrides, a stage
      // named after a Docker Hub image, scratch.
      'pull/Dockerfile':
        'ARG BASE_REGISTRY=private.example.com\n' +
        'ARG TOOLS=default.example.com\n' +
        'FROM ${BASE_REGISTRY}/base/img:1 AS build\n' +
        'FROM --platform=$BUILDPLATFORM $TOOLS/tools:2 AS tools\n' +
        'FROM quay.io/org/runtime:1\n' +
        'FROM Build\n' +
        'FROM scratch\n',
      'hub/Dockerfile': 'FROM node:22\n',
      // A multi-stage build that copies from stages (by name, in any case, and by index) and from
      // images: a registry's, one through an ARG default, one a RUN mount reads.
      'copy/Dockerfile':
        'ARG TOOLS=tools.example.com/org/tools:1\n' +
        'FROM private.example.com/base/img:1 AS build\n' +
        'RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=mount.example.com/org/src:1,target=/src make\n' +
        'FROM quay.io/org/runtime:1\n' +
        'COPY --from=build /out /out\n' +
        'COPY --from=Build /out /again\n' +
        'COPY --from=0 /out /by-index\n' +
        'COPY --from=scratch / /empty\n' +
        'COPY --chown=1:1 --from=copy.example.com/org/assets:2 /assets /assets\n' +
        'COPY --from=${TOOLS} /bin/tool /bin/tool\n',
      'config/docker.json': JSON.stringify({
        auths: { 'harbor.example.com': { auth: Buffer.from('robot:harbor-s3cret').toString('base64') } },
      }),
    },
  });
});
afterAll(() => box.dispose());

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: StubCall[];
  build: StubCall | undefined;
  pushes: StubCall[];
}

/** The component's job (installer in before_script) with these script lines, in the sandbox. */
function compat(
  lines: readonly string[],
  options: { inputs?: Record<string, unknown>; mode?: InterpolationMode; env?: Record<string, string>; shell?: 'bash' | 'busybox' } = {},
): Run {
  box.reset();
  rmSync(box.path('/kaniko'), { recursive: true, force: true });
  mkdirSync(box.path('/kaniko'));
  rmSync(box.path(`${P}/out`), { recursive: true, force: true });
  const { job } = instantiateComponent('kaniko-compat', options.inputs ?? {}, options.mode ?? 'classic');
  const env = options.env ?? {};
  const result = box.run(
    [jobScript(job), ...lines].join('\n'),
    { ...jobEnvironment(job, predefinedVariables(P, env)), ...env },
    options.shell ?? 'bash',
  );
  const tmp = (call: StubCall): StubCall => ({ ...call, argv: call.argv.map((arg) => arg.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>')) });
  const calls = box
    .calls('buildah')
    .filter((call) => call.argv[0] !== '--storage-driver=overlay')
    .map(tmp);
  return {
    ...result,
    calls,
    build: calls.find((call) => call.argv[0] === 'build'),
    pushes: calls.filter((call) => call.argv[0] === 'push'),
  };
}

/** Where the job's tables start in its own registries.conf, after the runner's (these sandboxes have none). */
const JOB_TABLES = "# cigen: the job's registries (registry-mirrors, dependency-proxy, insecure-registries)\n";
/** How the job's registries.conf begins: short names are Docker Hub's. */
const SHORT_NAMES =
  "# cigen: short names (FROM maven:3) are Docker Hub's, as Docker reads them\n" +
  'unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n\n';
/** The job's tables: its registries.conf in its temporary directory (none in HOME, which other jobs
 *  read), after its short-name keys and the runner's file (these sandboxes have none). */
const jobTables = (call: StubCall | undefined) => {
  expect(Object.keys(call?.files ?? {}).filter((path) => path.includes('registries.conf.d'))).toEqual([]);
  const text = call?.files['<tmp>/registries.conf'] ?? '';
  return text.startsWith(SHORT_NAMES + JOB_TABLES) ? text.slice(SHORT_NAMES.length + JOB_TABLES.length) : text;
};
const pushedTo = (run: Run) => run.pushes.map((call) => call.argv.at(-1));
/**
 * The certificates are trusted by the build and every push through SSL_CERT_DIR, after Go's own
 * directories; never --cert-dir, which would take the place of each host's certs.d (what the runner
 * trusts per host).
 */
const trusted = (run: Run) => {
  expect(run.build).toBeDefined();
  expect(run.pushes.length).toBeGreaterThan(0);
  for (const call of [run.build as StubCall, ...run.pushes]) {
    expect(call.argv.filter((arg) => arg.startsWith('--cert-dir'))).toEqual([]);
    expect(call.environment['SSL_CERT_DIR']).toMatch(/^\/etc\/ssl\/certs:\/etc\/pki\/tls\/certs:\/tmp\/tmp\.[A-Za-z0-9]+\/certs$/);
  }
};

interface Contract {
  /** What follows the base command line (context, one destination). */
  args: string;
  env?: Record<string, string>;
  check(run: Run): void;
}

/** Kaniko already does what Buildah does: the flag is read (its value too) and logged, never ignored silently. */
const accepted = (args: string, flag = args.split(/[ =]/)[0] as string): Contract => ({
  args,
  check: (run) => {
    ok(run);
    expect(run.stdout).toContain(`cigen: kaniko-compat: ${flag}: nothing to do: `);
    expect(run.build?.argv.at(-1)).toBe(P);
  },
});
const refusal = (args: string, flag = args.split(/[ =]/)[0] as string): Contract => ({ args, check: (run) => refused(run, `${flag}: `) });
const inBuild = (args: string, ...expected: string[]): Contract => ({
  args,
  check: (run) => {
    ok(run);
    expect(run.build?.argv).toEqual(expect.arrayContaining(expected));
  },
});

const CONTRACTS: Record<string, Contract> = {
  context: { args: '--context "$CI_PROJECT_DIR/sub"', check: (run) => (ok(run), expect(run.build?.argv.at(-1)).toBe(`${P}/sub`)) },
  'context-sub-path': {
    // Kaniko applies it to dir:// (and remote) contexts only: a plain path keeps its context.
    args: `--context dir://${P} --context-sub-path sub --dockerfile sub/Dockerfile`,
    check: (run) => (
      ok(run),
      expect(run.build?.argv.at(-1)).toBe(`${P}/sub`),
      expect(run.build?.argv).toContain(`--file=${P}/sub/Dockerfile`)
    ),
  },
  dockerfile: inBuild('-f docker/Containerfile', `--file=${P}/docker/Containerfile`),
  bucket: refusal('--bucket my-bucket'),
  destination: {
    args: `-d ${IMG}:2 --destination=registry.example.com/other/app`,
    check: (run) => {
      ok(run);
      expect(run.build?.argv).toEqual(
        expect.arrayContaining([`--tag=${IMG}:1`, `--tag=${IMG}:2`, '--tag=registry.example.com/other/app:latest']),
      );
      expect(pushedTo(run)).toEqual([`docker://${IMG}:1`, `docker://${IMG}:2`, 'docker://registry.example.com/other/app:latest']);
      for (const push of run.pushes) expect(push.argv.slice(0, 3)).toEqual(['push', '--digestfile=<tmp>/digest', '--retry=0']);
    },
  },
  'build-arg': {
    args: '--build-arg A=1 --build-arg "B=two words" --build-arg FROM_ENV',
    env: { FROM_ENV: 'from the environment' },
    check: (run) => {
      ok(run);
      expect(run.build?.argv).toEqual(
        expect.arrayContaining(['--build-arg=A=1', '--build-arg=B=two words', '--build-arg=FROM_ENV=from the environment']),
      );
    },
  },
  target: {
    args: '--target "$TARGET"',
    env: { TARGET: 'runtime' },
    check: (run) => (ok(run), expect(run.build?.argv).toContain('--target=runtime')),
  },
  label: inBuild('--label org.example.team=platform --label "note=a b"', '--label=org.example.team=platform', '--label=note=a b'),
  annotation: inBuild('--annotation org.example.source=ci', '--annotation=org.example.source=ci'),
  'custom-platform': inBuild('--custom-platform linux/arm64', '--platform=linux/arm64'),
  customPlatform: inBuild('--customPlatform=linux/arm64', '--platform=linux/arm64'),
  cache: inBuild('--cache', `--cache-from=${IMG}/cache`, `--cache-to=${IMG}/cache`, '--cache-ttl=336h'),
  'cache-repo': inBuild('--cache=true --cache-repo registry.example.com/group/cache', '--cache-from=registry.example.com/group/cache'),
  'cache-ttl': inBuild('--cache --cache-ttl=24h', '--cache-ttl=24h'),
  'cache-dir': accepted('--cache-dir /cache'),
  'cache-copy-layers': accepted('--cache-copy-layers'),
  'cache-run-layers': {
    // Kaniko cached no RUN step; Buildah caches every step or none: none.
    args: '--cache --cache-run-layers=false',
    check: (run) => {
      ok(run);
      expect(run.stdout).toContain('cigen: kaniko-compat: --cache-run-layers=false: Kaniko cached no RUN step');
      expect(run.build?.argv.some((arg) => arg.startsWith('--cache-'))).toBe(false);
    },
  },
  'compressed-caching': accepted('--compressed-caching=false'),
  'no-push': {
    args: '--no-push',
    check: (run) => (ok(run), expect(run.pushes).toEqual([]), expect(run.stdout).toContain(`built ${IMG}:1 (not pushed)`)),
  },
  'no-push-cache': {
    args: '--cache --no-push-cache',
    check: (run) => {
      ok(run);
      expect(run.build?.argv).toContain(`--cache-from=${IMG}/cache`);
      expect(run.build?.argv.some((arg) => arg.startsWith('--cache-to'))).toBe(false);
    },
  },
  'tar-path': {
    args: '--no-push --tar-path out/image.tar',
    check: (run) => {
      ok(run);
      expect(pushedTo(run)).toEqual([`docker-archive:out/image.tar:${IMG}:1`]);
      expect(existsSync(box.path(`${P}/out/image.tar`))).toBe(true);
    },
  },
  tarPath: {
    args: '--no-push --tarPath=out/image.tar',
    check: (run) => (ok(run), expect(pushedTo(run)).toEqual([`docker-archive:out/image.tar:${IMG}:1`])),
  },
  'oci-layout-path': {
    args: '--oci-layout-path out/oci',
    check: (run) => (ok(run), expect(pushedTo(run)).toEqual([`docker://${IMG}:1`, 'oci:out/oci'])),
  },
  'skip-tls-verify': {
    args: '--skip-tls-verify --cache --cache-repo cache.example.com/app/cache',
    check: (run) => {
      ok(run);
      // Exactly the hosts it pushes to, the cache's included; pulls stay verified.
      expect(jobTables(run.build)).toBe(
        '[[registry]]\nlocation = "registry.example.com"\ninsecure = true\n[[registry]]\nlocation = "cache.example.com"\ninsecure = true\n',
      );
      expect(run.build?.argv).not.toContain('--tls-verify=false');
    },
  },
  insecure: {
    args: '--insecure',
    check: (run) => (ok(run), expect(jobTables(run.build)).toBe('[[registry]]\nlocation = "registry.example.com"\ninsecure = true\n')),
  },
  'skip-tls-verify-pull': inBuild('--skip-tls-verify-pull', '--tls-verify=false'),
  'insecure-pull': inBuild('--insecure-pull', '--tls-verify=false'),
  'insecure-registry': {
    args: '--insecure-registry lab.example.com:5000',
    check: (run) => (ok(run), expect(jobTables(run.build)).toBe('[[registry]]\nlocation = "lab.example.com:5000"\ninsecure = true\n')),
  },
  'skip-tls-verify-registry': {
    args: '--skip-tls-verify-registry=lab.example.com:5000',
    check: (run) => (ok(run), expect(jobTables(run.build)).toBe('[[registry]]\nlocation = "lab.example.com:5000"\ninsecure = true\n')),
  },
  'registry-mirror': {
    args: '--registry-mirror mirror.gcr.io --registry-mirror harbor.example.com/hub',
    check: (run) => {
      ok(run);
      expect(jobTables(run.build)).toBe(
        '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n' +
          '[[registry.mirror]]\nlocation = "mirror.gcr.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/hub"\n',
      );
    },
  },
  'registry-map': {
    args: '--registry-map "index.docker.io=harbor.example.com/hub;quay.io=harbor.example.com/quay"',
    check: (run) => {
      ok(run);
      expect(jobTables(run.build)).toBe(
        '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/hub"\n' +
          '[[registry]]\nprefix = "quay.io"\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/quay"\n',
      );
    },
  },
  'skip-default-registry-fallback': {
    args: '--registry-mirror mirror.gcr.io --registry-mirror harbor.example.com/hub --skip-default-registry-fallback',
    check: (run) => {
      ok(run);
      // The first mirror stands in for the registry itself: nothing falls back to docker.io.
      expect(jobTables(run.build)).toBe(
        '[[registry]]\nprefix = "docker.io"\nlocation = "mirror.gcr.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/hub"\n',
      );
    },
  },
  'registry-certificate': {
    args: `--registry-certificate registry.example.com=${P}/certs/registry.crt`,
    check: (run) => {
      ok(run);
      expect(run.build?.files).toMatchObject({ '<tmp>/certs/registry-1.crt': PEM });
      trusted(run);
    },
  },
  'registry-client-cert': refusal('--registry-client-cert registry.example.com=/c.pem,/k.pem'),
  'credential-helpers': {
    // An empty value turns Kaniko's helpers off: no job token (its gitlab helper).
    args: '--credential-helpers=',
    check: (run) => {
      ok(run);
      expect(run.stdout).toContain("cigen: kaniko-compat: --credential-helpers: Kaniko's env and gitlab helpers are off");
      expect(run.build?.config).toEqual({ auths: {} });
    },
  },
  'ignore-path': refusal('--ignore-path /var/spool'),
  'ignore-var-run': accepted('--ignore-var-run=false'),
  'whitelist-var-run': accepted('--whitelist-var-run'),
  reproducible: inBuild('--reproducible', '--timestamp=0'),
  'single-snapshot': {
    // One new layer for the build: Buildah without --layers.
    args: '--single-snapshot',
    check: (run) => (ok(run), expect(run.build?.argv).not.toContain('--layers')),
  },
  'snapshot-mode': accepted('--snapshot-mode=redo'),
  snapshotMode: accepted('--snapshotMode redo'),
  'use-new-run': accepted('--use-new-run'),
  cleanup: accepted('--cleanup'),
  'pre-cleanup': accepted('--pre-cleanup'),
  'preserve-context': accepted('--preserve-context'),
  materialize: accepted('--materialize'),
  'kaniko-dir': accepted('--kaniko-dir /tmp/kaniko'),
  verbosity: accepted('-v debug', '-v'),
  'log-format': accepted('--log-format json'),
  'log-timestamp': accepted('--log-timestamp'),
  force: accepted('--force'),
  'force-build-metadata': accepted('--force-build-metadata'),
  'skip-unused-stages': inBuild('--skip-unused-stages=false', '--skip-unused-stages=false'),
  'skip-push-permission-check': accepted('--skip-push-permission-check'),
  'push-retry': {
    args: '--push-retry=2',
    env: { STUB_FAIL: 'buildah push:2' },
    check: (run) => {
      // The stub says 503 on stderr for each refused push.
      expect(run.status, run.stderr).toBe(0);
      expect(run.pushes).toHaveLength(3);
      expect(run.stderr).toContain(`buildah push ${IMG}:1 failed (exit 1); trying again (at most 1 more after this)`);
    },
  },
  'push-ignore-immutable-tag-errors': refusal('--push-ignore-immutable-tag-errors'),
  'image-download-retry': inBuild('--image-download-retry 5', '--retry=5'),
  'image-fs-extract-retry': accepted('--image-fs-extract-retry=3'),
  'digest-file': {
    args: '--digest-file out/digest',
    check: (run) => (ok(run), expect(readFileSync(box.path(`${P}/out/digest`), 'utf8')).toBe(DIGEST)),
  },
  'image-name-with-digest-file': {
    args: '--destination busybox --image-name-with-digest-file out/names',
    check: (run) => {
      ok(run);
      expect(readFileSync(box.path(`${P}/out/names`), 'utf8')).toBe(`${IMG}@${DIGEST}\nindex.docker.io/library/busybox@${DIGEST}\n`);
    },
  },
  'image-name-tag-with-digest-file': {
    args: '--destination acme/tool:2 --image-name-tag-with-digest-file=out/names',
    check: (run) => {
      ok(run);
      expect(readFileSync(box.path(`${P}/out/names`), 'utf8')).toBe(`${IMG}:1@${DIGEST}\nindex.docker.io/acme/tool:2@${DIGEST}\n`);
    },
  },
  compression: {
    args: '--compression zstd',
    check: (run) => (ok(run), expect(run.pushes[0]?.argv).toContain('--compression-format=zstd')),
  },
  'compression-level': {
    args: '--compression-level=9',
    check: (run) => (ok(run), expect(run.pushes[0]?.argv).toContain('--compression-level=9')),
  },
  git: accepted('--git branch=main'),
  secret: refusal('--secret id=npm,env=NPM_TOKEN'),
};

describe("Kaniko's flag table, row by row", () => {
  it('has a contract for every row', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual(Object.keys(KANIKO_FLAGS).sort());
  });

  it.each(Object.entries(CONTRACTS))('%s', (_flag, contract) => {
    contract.check(compat([`${BASE} ${contract.args}`], { env: contract.env ?? {} }));
  });
});

describe('the rest of the command line', () => {
  it('builds with chroot isolation, the docker format and the credentials of the job, and reports the digest', () => {
    const run = compat([
      'executor --context "$CI_PROJECT_DIR" --dockerfile Dockerfile --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"',
    ]);
    ok(run);
    expect(run.build?.argv).toEqual([
      'build',
      '--isolation=chroot',
      '--layers',
      '--format=docker',
      `--file=${P}/Dockerfile`,
      '--retry=3',
      `--tag=${IMG}:01234567`,
      // Kaniko's default: every stage up to the target is built (Buildah's skips the unused ones).
      '--skip-unused-stages=false',
      P,
    ]);
    expect(run.build?.env?.split('\n').sort()).toEqual(['', 'BUILDAH_ISOLATION=chroot', 'STORAGE_DRIVER=overlay']);
    // The fork's gitlab helper: the job's own registry with the job token when the job wrote nothing.
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
    expect(run.stdout).toContain(`cigen: kaniko-compat: pushed ${IMG}:01234567@${DIGEST}`);
  });

  it.each([
    ['an unknown flag', '--frobnicate=yes', 'unknown flag --frobnicate: not a flag of the Kaniko executor'],
    ['an unknown short flag', '-x', 'unknown flag -x: not a flag of the Kaniko executor'],
    ['a positional argument', 'extra', "unexpected argument 'extra'"],
    ['a flag without its value', '--target', 'flag needs an argument: --target'],
    ['a boolean that is not one', '--cache=maybe', "--cache: 'maybe' is not a boolean"],
    ['a remote context', '--context git://example.com/repo.git', '--context git://example.com/repo.git: a remote build context'],
    ['no destination', '--no-push=false --destination=', "--destination '' is not an image reference"],
    ['a destination with a digest', `--destination ${IMG}@sha256:${'2'.repeat(64)}`, 'names a digest'],
    ['an upper-case repository', '--destination registry.example.com/Group/App:1', 'repository names must be lowercase'],
    ['a cache without a cache repository and no push', '--no-push --cache', 'specify cache repo with --cache-repo'],
    [
      'a tarball path with a colon (Buildah cuts docker-archive:PATH:REFERENCE at the first)',
      '--tar-path out/a:b.tar',
      "--tar-path: 'out/a:b.tar' holds a colon",
    ],
    ['an OCI layout path with a colon', '--oci-layout-path out/a:b', "--oci-layout-path: 'out/a:b' holds a colon"],
    [
      'a build argument whose KEY is not a name (its value, often a token, not shown)',
      '--build-arg NPM-TOKEN=npm-canary-secret',
      "--build-arg: expected KEY=VALUE with KEY a variable name; got a KEY of 'NPM-TOKEN'",
    ],
  ])('stops before building, naming what it cannot take: %s', (_what, args, message) => {
    const run = compat([`${BASE} ${args}`]);
    refused(run, message);
    expect(run.stdout + run.stderr).not.toContain('npm-canary-secret');
  });

  it('writes a file directly under / (its directory the root, nothing to make), as Kaniko does', () => {
    const files = ['/cigen-digest', '/cigen-names', '/cigen-name-tags', '/cigen-image.tar'];
    for (const shell of ['bash', 'busybox'] as const) {
      for (const file of files) rmSync(box.path(file), { force: true });
      const run = compat(
        [
          `${BASE} --digest-file=/cigen-digest --image-name-with-digest-file /cigen-names ` +
            '--image-name-tag-with-digest-file=/cigen-name-tags --tar-path=/cigen-image.tar',
        ],
        { shell },
      );
      ok(run);
      expect(pushedTo(run)).toEqual([`docker://${IMG}:1`, `docker-archive:/cigen-image.tar:${IMG}:1`]);
      expect(readFileSync(box.path('/cigen-digest'), 'utf8')).toBe(DIGEST);
      expect(readFileSync(box.path('/cigen-names'), 'utf8')).toBe(`${IMG}@${DIGEST}\n`);
      expect(readFileSync(box.path('/cigen-name-tags'), 'utf8')).toBe(`${IMG}:1@${DIGEST}\n`);
      expect(existsSync(box.path('/cigen-image.tar'))).toBe(true);
    }
  });

  it('names the destinations it pushed before one failed: they stay in the registry', () => {
    const run = compat([`/kaniko/executor --context "$CI_PROJECT_DIR" --destination ${IMG}:1 --destination ${IMG}:2 --push-retry 0`], {
      env: { STUB_FAIL_ON: `buildah docker://${IMG}:2` },
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^cigen: error: .*buildah push ${IMG}:2 failed .* \\(already pushed, and left there: ${IMG}:1\\)$`),
    );
  });

  it('says so when no destination is given and --no-push is not', () => {
    refused(compat(['/kaniko/executor --context "$CI_PROJECT_DIR"']), 'you must provide --destination, or use --no-push');
  });

  it("reads Kaniko's environment: KANIKO_REGISTRY_MIRROR, KANIKO_REGISTRY_MAP, KANIKO_NO_PUSH", () => {
    const run = compat([BASE], {
      env: { KANIKO_REGISTRY_MIRROR: 'mirror.gcr.io', KANIKO_REGISTRY_MAP: 'quay.io=harbor.example.com/quay', KANIKO_NO_PUSH: 'true' },
    });
    ok(run);
    expect(run.pushes).toEqual([]);
    expect(jobTables(run.build)).toContain(
      '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "mirror.gcr.io"\n',
    );
    expect(jobTables(run.build)).toContain(
      '[[registry]]\nprefix = "quay.io"\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/quay"\n',
    );
  });

  it("tries docker.io's mirrors in Kaniko's order: --registry-map's and KANIKO_REGISTRY_MAP's, then --registry-mirror's and KANIKO_REGISTRY_MIRROR's", () => {
    const run = compat([`${BASE} --registry-mirror m1.example.com --registry-map index.docker.io=m2.example.com/hub`], {
      env: { KANIKO_REGISTRY_MIRROR: 'm3.example.com', KANIKO_REGISTRY_MAP: 'docker.io=m4.example.com/hub' },
    });
    ok(run);
    expect(jobTables(run.build)).toBe(
      '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n' +
        ['m2.example.com/hub', 'm4.example.com/hub', 'm1.example.com', 'm3.example.com']
          .map((mirror) => `[[registry.mirror]]\nlocation = "${mirror}"\n`)
          .join(''),
    );
  });

  it('runs under busybox sh too (the job shell and the executor), and prints a version', () => {
    const run = compat([BASE, '/kaniko/executor version'], { shell: 'busybox' });
    ok(run);
    expect(run.stdout).toContain('Kaniko version : kaniko-compat');
  });
});

describe('-h and --help, which Kaniko answers with its usage', () => {
  it.each(['-h', '--help', '--help=true', `--context . -d ${IMG}:1 --help`])(
    '%s: a usage that names kaniko-compat, exit 0, no build',
    (args) => {
      const run = compat([`/kaniko/executor ${args}`]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('Usage: /kaniko/executor [flags]');
      expect(run.stdout).toContain("kaniko-compat (cigen): the Kaniko executor's command line, built and pushed by Buildah");
      expect(run.stdout).toContain('docs/components/kaniko-compat.md');
      expect(run.stdout).not.toContain('not a flag of the Kaniko executor');
      expect(run.calls).toEqual([]);
    },
  );

  it('--help=false asks for no usage: the build goes on', () => {
    const run = compat([`${BASE} --help=false`]);
    ok(run);
    expect(run.stdout).not.toContain('Usage:');
    expect(run.pushes).toHaveLength(1);
  });
});

describe('--credential-helpers: the helpers built into Kaniko that it asks after config.json', () => {
  const TOKEN_USER = 'gitlab-ci-token';
  const env = { KANIKO_REGISTRY_EXAMPLE_COM_USER: 'env-user', KANIKO_REGISTRY_EXAMPLE_COM_PASSWORD: 'env-s3cret' };
  const hosts = (run: Run) => decodeAuths(run.build?.config);

  it('not given: every one, so KANIKO_<HOST>_USER/_PASSWORD (env), and the job token (gitlab) for another registry', () => {
    const run = compat([`${BASE} -d quay.io/team/app:1`], {
      env: { KANIKO_QUAY_IO_USER: 'q', KANIKO_QUAY_IO_PASSWORD: 'q-s3cret' },
    });
    ok(run);
    expect(hosts(run)).toEqual({ 'quay.io': 'q:q-s3cret', 'registry.example.com': `${TOKEN_USER}:${REGISTRY_PASSWORD}` });
    expect(run.stdout).not.toContain('--credential-helpers');
  });

  it('empty: none of them, the job config.json still read', () => {
    const run = compat(
      [
        'echo "{\\"auths\\":{\\"quay.io\\":{\\"username\\":\\"robot\\",\\"password\\":\\"cfg\\"}}}" > /kaniko/.docker/config.json',
        `${BASE} --credential-helpers=`,
      ],
      { env },
    );
    ok(run);
    expect(hosts(run)).toEqual({ 'quay.io': 'robot:cfg' });
    expect(run.stdout).toContain(
      "cigen: kaniko-compat: --credential-helpers: Kaniko's env and gitlab helpers are off: KANIKO_<HOST>_USER/_PASSWORD are " +
        'not read, and the job token is not used\n',
    );
    expect(run.stdout).not.toContain('env-s3cret');
  });

  it('gitlab only: the job token, not KANIKO_<HOST>_USER/_PASSWORD; a failed push names what it had', () => {
    const run = compat([`${BASE} --credential-helpers gitlab`], { env });
    ok(run);
    expect(hosts(run)).toEqual({ 'registry.example.com': `${TOKEN_USER}:${REGISTRY_PASSWORD}` });
    expect(run.stdout).toContain(
      "cigen: kaniko-compat: --credential-helpers: Kaniko's env helper is off: KANIKO_<HOST>_USER/_PASSWORD are not read\n",
    );
    const failed = compat([`${BASE} --credential-helpers gitlab`], {
      env: { ...env, STUB_FAIL: 'buildah push:9', CIGEN_PUSH_RETRIES: '0' },
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      'a registry refused the job, which had the credentials it gave (its config.json, $DOCKER_AUTH_CONFIG, the job token for ' +
        'registry.example.com)',
    );
  });

  it('env only: KANIKO_<HOST>_USER/_PASSWORD, no job token', () => {
    const run = compat([`${BASE} --credential-helpers=env`], { env });
    ok(run);
    expect(hosts(run)).toEqual({ 'registry.example.com': 'env-user:env-s3cret' });
    expect(run.stdout).toContain("cigen: kaniko-compat: --credential-helpers: Kaniko's gitlab helper is off: the job token is not used\n");
    const both = compat([`${BASE} --credential-helpers=env --credential-helpers=gitlab`], { env: { CI_REGISTRY_USER: 'x' } });
    ok(both);
    expect(both.stdout).not.toContain('--credential-helpers');
  });

  it('a name Kaniko does not know is skipped, as Kaniko skips it (env,gitlab is one name: the flag takes one a time)', () => {
    const run = compat([`${BASE} --credential-helpers=env,gitlab`], { env });
    ok(run);
    expect(run.stdout).toContain(
      "cigen: kaniko-compat: --credential-helpers env,gitlab: not a credential helper of Kaniko's (env, google, ecr, acr, gitlab): " +
        'skipped, as Kaniko skips it\n',
    );
    expect(run.build?.config).toEqual({ auths: {} });
  });

  it.each(['google', 'ecr', 'acr'])('%s, which reads the runner cloud credentials: the job stops, naming it', (helper) => {
    refused(
      compat([`${BASE} --credential-helpers= --credential-helpers ${helper}`]),
      `--credential-helpers ${helper}: this credential helper built into Kaniko reads the runner's cloud credentials`,
    );
  });
});

describe("a value that is not a registry host or location: kaniko-compat's message, naming what the job gave", () => {
  it.each([
    [
      '--skip-tls-verify-registry=127.0.0.1:50227/',
      {},
      "--skip-tls-verify-registry: '127.0.0.1:50227/' is not a registry host (host or host:port)",
    ],
    ['--insecure-registry=[::1]:5000', {}, "--insecure-registry: '[::1]:5000' is not a registry host (host or host:port)"],
    [
      '--registry-mirror=https://mirror.gcr.io',
      {},
      "--registry-mirror: 'https://mirror.gcr.io' is not a registry location (host[:port][/path])",
    ],
    ['--registry-mirror=mirror.example.com/', {}, "--registry-mirror: 'mirror.example.com/' ends with /"],
    [
      '--registry-map=quay.io=harbor.example.com/a//b',
      {},
      "--registry-map: 'harbor.example.com/a//b' has a path that is not a repository path",
    ],
    ['--registry-map=quay.io:x=harbor.example.com', {}, "--registry-map: 'quay.io:x' is not a registry host (host or host:port)"],
    ['', { KANIKO_REGISTRY_MIRROR: 'https://mirror.gcr.io' }, "KANIKO_REGISTRY_MIRROR: 'https://mirror.gcr.io' is not a registry location"],
    ['', { KANIKO_REGISTRY_MAP: 'quay.io' }, "KANIKO_REGISTRY_MAP 'quay.io': expected REGISTRY=MIRROR"],
    ['', { KANIKO_REGISTRY_MAP: 'quay.io=https://m' }, "KANIKO_REGISTRY_MAP: 'https://m' is not a registry location"],
    ['-d a:1:2/app:1', {}, "--destination a:1:2/app:1: 'a:1:2' is not a registry host (host or host:port)"],
    ['--cache --cache-repo reg:x/cache', {}, "--cache-repo reg:x/cache: 'reg:x' is not a registry host (host or host:port)"],
  ] as const)('%s %j', (args, env, message) => {
    const run = compat([`${BASE} ${args}`], { env: { ...env } });
    refused(run, `cigen: error: kaniko-compat: ${message}`);
    expect(run.stderr).not.toContain('input ');
  });
});

describe('credentials, as the job wrote them for Kaniko', () => {
  const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
  it.each([
    [
      'echo, the GitLab docs line',
      'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"$(printf "%s:%s" "$DEPLOY_USER" "$DEPLOY_TOKEN" | base64 | tr -d \'\\n\')\\"}}}" > /kaniko/.docker/config.json',
    ],
    [
      'a heredoc, username and password',
      'cat > /kaniko/.docker/config.json <<EOF\n{"auths":{"$CI_REGISTRY":{"username":"$DEPLOY_USER","password":"$DEPLOY_TOKEN"}}}\nEOF',
    ],
    [
      '$DOCKER_CONFIG/config.json, written with printf',
      `printf '{"auths":{"%s":{"auth":"%s"}}}' "$CI_REGISTRY" "${'$'}(printf %s:%s "$DEPLOY_USER" "$DEPLOY_TOKEN" | base64)" > "$DOCKER_CONFIG/config.json"`,
    ],
  ])('%s: the job credentials win over the job token', (_how, line) => {
    const run = compat([line, BASE], { env: { DEPLOY_USER: 'deployer', DEPLOY_TOKEN: 'deploy-s3cret' } });
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': 'deployer:deploy-s3cret' });
    expect(run.stdout).not.toContain('deploy-s3cret');
  });

  it("the job's config.json wins over $DOCKER_AUTH_CONFIG (Kaniko never reads it), which fills in for other hosts", () => {
    const run = compat(
      [
        'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"pusher\\",\\"password\\":\\"push-token\\"}}}" > /kaniko/.docker/config.json',
        BASE,
      ],
      {
        env: {
          DOCKER_AUTH_CONFIG: JSON.stringify({
            auths: { 'registry.example.com': { auth: auth('readonly', 'ro-token') }, 'quay.io': { auth: auth('q', 'q-token') } },
          }),
        },
      },
    );
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': 'pusher:push-token', 'quay.io': 'q:q-token' });
    // read into the auth file, not left for what runs the build
    expect(run.build?.environment).not.toHaveProperty('DOCKER_AUTH_CONFIG');
  });

  it('a file-type $DOCKER_AUTH_CONFIG (the path of a file holding it) is read from its file', () => {
    const json = JSON.stringify({ auths: { 'quay.io': { auth: auth('q', 'q-token') } } });
    const run = compat([
      `printf '%s' '${json}' > "$CI_PROJECT_DIR/../DOCKER_AUTH_CONFIG"`,
      'export DOCKER_AUTH_CONFIG="$CI_PROJECT_DIR/../DOCKER_AUTH_CONFIG"',
      BASE,
    ]);
    ok(run);
    expect(decodeAuths(run.build?.config)).toMatchObject({ 'quay.io': 'q:q-token' });
    expect(run.build?.environment).not.toHaveProperty('DOCKER_AUTH_CONFIG');
  });

  it.each(['bash', 'busybox'] as const)('%s: a username or password with JSON escapes is read as JSON reads it', (shell) => {
    const json = String.raw`{"auths":{"registry.example.com":{"username":"u\u0073er","password":"p\u0026s\u00e9\u20ac\"q\\\/\tz"}}}`;
    const run = compat([`printf '%s' '${json}' > /kaniko/.docker/config.json`, BASE], { shell });
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': 'user:p&sé€"q\\/\tz' });
    const badJson = String.raw`{"auths":{"registry.example.com":{"username":"u","password":"p\x41"}}}`;
    const bad = compat([`printf '%s' '${badJson}' > /kaniko/.docker/config.json`, BASE], { shell });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('cigen: error: /kaniko/.docker/config.json is not valid JSON (an unknown escape in a string)');
    const pair = String.raw`{"auths":{"registry.example.com":{"username":"u","password":"\ud83d\ude00"}}}`;
    const surrogate = compat([`printf '%s' '${pair}' > /kaniko/.docker/config.json`, BASE], { shell });
    expect(surrogate.status).toBe(1);
    expect(surrogate.stderr).toContain(
      'holds a NUL or a surrogate pair (\\uD800-\\uDFFF), which cigen does not read; write the character itself',
    );
  });

  it('both $DOCKER_CONFIG/config.json and /kaniko/.docker/config.json: the first wins for a host, the second fills in', () => {
    const run = compat(
      [
        'mkdir -p "$DOCKER_CONFIG"',
        `printf '%s' '{"auths":{"quay.io":{"auth":"${auth('mine', 'm-token')}"}}}' > "$DOCKER_CONFIG/config.json"`,
        `printf '%s' '{"auths":{"quay.io":{"auth":"${auth('image', 'i-token')}"},"ghcr.io":{"auth":"${auth('g', 'g-token')}"}}}' > /kaniko/.docker/config.json`,
        BASE,
      ],
      { env: { DOCKER_CONFIG: `${P}/.docker` } },
    );
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({
      'quay.io': 'mine:m-token',
      'ghcr.io': 'g:g-token',
      'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
    });
  });

  it("a credsStore (the job's config.json files', $DOCKER_AUTH_CONFIG's) is left out, said once each, under its own name: Buildah never reads one", () => {
    const run = compat(
      [
        'mkdir -p "$DOCKER_CONFIG"',
        `printf '%s' '{"credsStore":"ecr-login","auths":{}}' > "$DOCKER_CONFIG/config.json"`,
        `printf '%s' '{"credsStore":"gcr","auths":{"quay.io":{"auth":"${auth('q', 'q-token')}"}}}' > /kaniko/.docker/config.json`,
        BASE,
      ],
      {
        env: {
          DOCKER_CONFIG: `${P}/.docker`,
          DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login', auths: { 'ghcr.io': { auth: auth('g', 'g-token') } } }),
        },
      },
    );
    ok(run);
    expect(run.stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual(
      ['DOCKER_AUTH_CONFIG', `${P}/.docker/config.json`, '/kaniko/.docker/config.json'].map((name) =>
        credsStoreSaid(name, 'containers').trimEnd(),
      ),
    );
    expect(run.build?.config).not.toHaveProperty('credsStore');
    expect(decodeAuths(run.build?.config)).toEqual({
      'quay.io': 'q:q-token',
      'ghcr.io': 'g:g-token',
      'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
    });
  });

  it('a key written https://HOST is that host: the job token is not added beside it', () => {
    const run = compat(
      [
        'echo "{\\"auths\\":{\\"https://$CI_REGISTRY\\":{\\"username\\":\\"deployer\\",\\"password\\":\\"dpw\\"}}}" > /kaniko/.docker/config.json',
        BASE,
      ],
      {},
    );
    ok(run);
    expect(decodeAuths(run.build?.config)).toEqual({ 'registry.example.com': 'deployer:dpw' });
  });

  it('no credentials at all (a --no-push build, no job token): an empty auth file, not a missing one', () => {
    const run = compat(['/kaniko/executor --context . --destination registry.example.com/group/app:1 --no-push --tar-path image.tar'], {
      env: { CI_REGISTRY_USER: '' },
    });
    ok(run);
    expect(run.build?.environment['REGISTRY_AUTH_FILE']).toMatch(/\/auth\.json$/);
    expect(run.build?.config).toEqual({ auths: {} });
  });

  it("a failed push names where the job's credentials came from, not inputs this component does not have", () => {
    const run = compat([BASE], { env: { STUB_FAIL: 'buildah push:9', CIGEN_PUSH_RETRIES: '0' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'a registry refused the job, which had the credentials it gave (its config.json, KANIKO_<HOST>_USER/_PASSWORD, $DOCKER_AUTH_CONFIG, ' +
        'the job token for registry.example.com)',
    );
    expect(run.stderr).not.toContain('registry-user');
  });

  it('a config.json copied from a file (cp of a file variable), a DOCKER_CONFIG of its own, KANIKO_<HOST>_USER', () => {
    const copied = compat(
      [`cp "$HARBOR_CONFIG" /kaniko/.docker/config.json`, `/kaniko/executor --context . --destination harbor.example.com/team/app:1`],
      {
        env: { HARBOR_CONFIG: `${P}/config/docker.json` },
      },
    );
    ok(copied);
    expect(decodeAuths(copied.build?.config)).toMatchObject({ 'harbor.example.com': 'robot:harbor-s3cret' });

    const own = compat(['mkdir -p "$DOCKER_CONFIG"', `cp config/docker.json "$DOCKER_CONFIG/config.json"`, BASE], {
      env: { DOCKER_CONFIG: `${P}/.docker` },
    });
    ok(own);
    expect(decodeAuths(own.build?.config)).toMatchObject({ 'harbor.example.com': 'robot:harbor-s3cret' });

    const helper = compat(['/kaniko/executor --context . --destination harbor.example.com/team/app:1'], {
      env: { KANIKO_HARBOR_EXAMPLE_COM_USER: 'robot', KANIKO_HARBOR_EXAMPLE_COM_PASSWORD: 'env-s3cret' },
    });
    ok(helper);
    expect(decodeAuths(helper.build?.config)).toMatchObject({ 'harbor.example.com': 'robot:env-s3cret' });
    expect(helper.build?.config).toMatchObject({ auths: { 'harbor.example.com': { auth: auth('robot', 'env-s3cret') } } });
  });

  it("KANIKO_<HOST>_USER/_PASSWORD as Kaniko reads them: after the job's config.json, by domain (split at dots only)", () => {
    // Kaniko asks its credential helpers only for a host its config.json has no entry for.
    const both = compat(
      [`cp "$HARBOR_CONFIG" /kaniko/.docker/config.json`, `/kaniko/executor --context . --destination harbor.example.com/team/app:1`],
      {
        env: {
          HARBOR_CONFIG: `${P}/config/docker.json`,
          KANIKO_HARBOR_EXAMPLE_COM_USER: 'env-user',
          KANIKO_HARBOR_EXAMPLE_COM_PASSWORD: 'env-s3cret',
        },
      },
    );
    ok(both);
    expect(decodeAuths(both.build?.config)).toMatchObject({ 'harbor.example.com': 'robot:harbor-s3cret' });
    // my-reg.example.com: MY_REG_EXAMPLE_COM, then EXAMPLE_COM — never REG_EXAMPLE_COM.
    const destination = '/kaniko/executor --context . --destination my-reg.example.com/team/app:1';
    const notKaniko = compat([destination], { env: { KANIKO_REG_EXAMPLE_COM_USER: 'u', KANIKO_REG_EXAMPLE_COM_PASSWORD: 'p' } });
    ok(notKaniko);
    expect(decodeAuths(notKaniko.build?.config)).not.toHaveProperty(['my-reg.example.com']);
    const domain = compat([destination], { env: { KANIKO_EXAMPLE_COM_USER: 'u', KANIKO_EXAMPLE_COM_PASSWORD: 'p' } });
    ok(domain);
    expect(decodeAuths(domain.build?.config)).toMatchObject({ 'my-reg.example.com': 'u:p' });
  });

  // Kaniko's env helper is in the one keychain its pulls, cache reads and pushes all ask
  // (osscontainertools/kaniko pkg/creds, pkg/image/remote): for a base image's registry and each
  // mirror tried for it too.
  it('KANIKO_<HOST>_USER/_PASSWORD for the registries the FROM images are pulled from, and their mirrors', () => {
    const env = {
      KANIKO_PRIVATE_EXAMPLE_COM_USER: 'p',
      KANIKO_PRIVATE_EXAMPLE_COM_PASSWORD: 'private-s3cret',
      KANIKO_TOOLS_EXAMPLE_COM_USER: 't',
      KANIKO_TOOLS_EXAMPLE_COM_PASSWORD: 'tools-s3cret',
      KANIKO_DEFAULT_EXAMPLE_COM_USER: 'd',
      KANIKO_DEFAULT_EXAMPLE_COM_PASSWORD: 'default-s3cret',
      KANIKO_MIRROR_EXAMPLE_COM_USER: 'm',
      KANIKO_MIRROR_EXAMPLE_COM_PASSWORD: 'mirror-s3cret',
      // Read for Docker Hub only: no FROM line pulls from it (`FROM Build` is the stage).
      KANIKO_INDEX_DOCKER_IO_USER: 'h',
      KANIKO_INDEX_DOCKER_IO_PASSWORD: 'hub-s3cret',
    };
    for (const shell of ['bash', 'busybox'] as const) {
      const run = compat(
        [`${BASE} -f pull/Dockerfile --build-arg TOOLS=tools.example.com --registry-map quay.io=mirror.example.com/quay`],
        { env, shell },
      );
      ok(run);
      expect(decodeAuths(run.build?.config)).toEqual({
        'private.example.com': 'p:private-s3cret',
        'tools.example.com': 't:tools-s3cret',
        'mirror.example.com': 'm:mirror-s3cret',
        'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
      });
      for (const secret of ['private-s3cret', 'tools-s3cret', 'mirror-s3cret']) expect(run.stdout + run.stderr).not.toContain(secret);
    }
    // Kaniko's env helper off: none of them.
    const off = compat([`${BASE} -f pull/Dockerfile --credential-helpers gitlab`], { env });
    ok(off);
    expect(decodeAuths(off.build?.config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
  });

  // Buildah pulls the image a COPY --from= or a RUN --mount=from= names when it is no stage.
  it('KANIKO_<HOST>_USER/_PASSWORD for the registries of the images COPY --from= and RUN --mount=from= pull, not for stages', () => {
    const env = {
      KANIKO_PRIVATE_EXAMPLE_COM_USER: 'p',
      KANIKO_PRIVATE_EXAMPLE_COM_PASSWORD: 'private-s3cret',
      KANIKO_COPY_EXAMPLE_COM_USER: 'c',
      KANIKO_COPY_EXAMPLE_COM_PASSWORD: 'copy-s3cret',
      KANIKO_MOUNT_EXAMPLE_COM_USER: 'm',
      KANIKO_MOUNT_EXAMPLE_COM_PASSWORD: 'mount-s3cret',
      KANIKO_TOOLS_EXAMPLE_COM_USER: 't',
      KANIKO_TOOLS_EXAMPLE_COM_PASSWORD: 'tools-s3cret',
      // Read for Docker Hub only: `build`, `Build`, `0` and `scratch` are no images of Docker Hub's.
      KANIKO_INDEX_DOCKER_IO_USER: 'h',
      KANIKO_INDEX_DOCKER_IO_PASSWORD: 'hub-s3cret',
    };
    for (const shell of ['bash', 'busybox'] as const) {
      const run = compat([`${BASE} -f copy/Dockerfile`], { env, shell });
      ok(run);
      expect(decodeAuths(run.build?.config)).toEqual({
        'private.example.com': 'p:private-s3cret',
        'copy.example.com': 'c:copy-s3cret',
        'mount.example.com': 'm:mount-s3cret',
        'tools.example.com': 't:tools-s3cret',
        'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
      });
      expect(run.stdout + run.stderr).not.toMatch(/s3cret/);
    }
  });

  // go-containerregistry names Docker Hub index.docker.io (pkg/name NewRegistry), the name Kaniko's
  // env helper is asked for: INDEX_DOCKER_IO, then DOCKER_IO, then IO.
  it("Docker Hub's as Kaniko names it: KANIKO_INDEX_DOCKER_IO_* first, for a push and for a base image", () => {
    const hub = { KANIKO_INDEX_DOCKER_IO_USER: 'hubuser', KANIKO_INDEX_DOCKER_IO_PASSWORD: 'hub-s3cret' };
    const shorter = { KANIKO_DOCKER_IO_USER: 'other', KANIKO_DOCKER_IO_PASSWORD: 'other-s3cret' };
    const push = compat(['/kaniko/executor --context . --destination docker.io/hubuser/app:1'], { env: { ...hub, ...shorter } });
    ok(push);
    expect(decodeAuths(push.build?.config)).toMatchObject({ 'docker.io': 'hubuser:hub-s3cret' });
    const pull = compat([`${BASE} -f hub/Dockerfile`], { env: hub });
    ok(pull);
    expect(decodeAuths(pull.build?.config)).toMatchObject({ 'docker.io': 'hubuser:hub-s3cret' });
    expect(pull.stdout + pull.stderr).not.toContain('hub-s3cret');
    const fallback = compat([`${BASE} -f hub/Dockerfile`], { env: shorter });
    ok(fallback);
    expect(decodeAuths(fallback.build?.config)).toMatchObject({ 'docker.io': 'other:other-s3cret' });
    // The job's config.json names Docker Hub (as docker login writes it): the helper is not asked
    // (KANIKO_DOCKER_IO_* took the entry's place).
    const config = compat(
      [
        `echo '{"auths":{"https://index.docker.io/v1/":{"auth":"${auth('cfg', 'cfg-s3cret')}"}}}' > /kaniko/.docker/config.json`,
        `${BASE} -f hub/Dockerfile`,
      ],
      { env: { ...hub, ...shorter } },
    );
    ok(config);
    expect(decodeAuths(config.build?.config)).toEqual({
      'docker.io': 'cfg:cfg-s3cret',
      'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
    });
  });

  it("trusts what the job adds to Kaniko's CA directory (GitLab's additional-ca-cert-bundle recipe)", () => {
    const run = compat(['cat "$COMPANY_CA" >> /kaniko/ssl/certs/additional-ca-cert-bundle.crt', BASE], {
      env: { COMPANY_CA: `${P}/certs/registry.crt` },
    });
    ok(run);
    trusted(run);
    expect(run.build?.files).toMatchObject({ '<tmp>/certs/kaniko-additional-ca-cert-bundle.crt': PEM });
  });

  it('leaves SSL_CERT_DIR as the job has it when there is no certificate to add', () => {
    const none = compat([BASE]);
    ok(none);
    expect(none.build?.environment).not.toHaveProperty('SSL_CERT_DIR');
    const runners = compat([BASE], { env: { SSL_CERT_DIR: '/etc/runner/certs' } });
    ok(runners);
    expect(runners.build?.environment['SSL_CERT_DIR']).toBe('/etc/runner/certs');
  });
});

describe.each(INTERPOLATION_MODES)('%s interpolation: the registry inputs join what the command line says', (mode) => {
  it('mirrors, hosts without TLS checks, credentials and retries from inputs, the command line adding its own', () => {
    const run = compat([`${BASE} --registry-mirror mirror.gcr.io --insecure-registry lab.example.com:5000`], {
      mode,
      inputs: {
        'registry-mirrors': ['quay.io=harbor.example.com/quay'],
        'insecure-registries': ['harbor.example.com'],
        registries: [{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }],
        'push-retries': 0,
        format: 'oci',
      },
      env: { HUB_USER: 'hubuser', HUB_TOKEN: 'hub-s3cret' },
    });
    ok(run);
    expect(jobTables(run.build)).toContain(
      '[[registry]]\nprefix = "quay.io"\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/quay"\ninsecure = true\n',
    );
    expect(jobTables(run.build)).toContain(
      '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "mirror.gcr.io"\n',
    );
    expect(jobTables(run.build)).toContain('[[registry]]\nlocation = "lab.example.com:5000"\ninsecure = true\n');
    // Buildah reads the file: Docker Hub's key is docker.io, the one it looks up first.
    expect(decodeAuths(run.build?.config)).toMatchObject({ 'docker.io': 'hubuser:hub-s3cret' });
    expect(run.build?.argv).toEqual(expect.arrayContaining(['--format=oci', '--retry=0']));
  });
});

describe('values are data', () => {
  it('a hostile value reaches Buildah as one argument, and nothing in it runs', () => {
    const run = compat([`${BASE} --build-arg 'X=$(touch /tmp/pwned-a); y' --label "z=\\\`touch /tmp/pwned-b\\\`" --target "a'b"`]);
    ok(run);
    expect(run.build?.argv).toEqual(
      expect.arrayContaining(['--build-arg=X=$(touch /tmp/pwned-a); y', '--label=z=`touch /tmp/pwned-b`', "--target=a'b"]),
    );
    expect(existsSync(box.path('/tmp/pwned-a'))).toBe(false);
    expect(existsSync(box.path('/tmp/pwned-b'))).toBe(false);
  });

  it('a set -x in the job does not print the credentials the executor writes', () => {
    const run = compat(['set -x', BASE]);
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(REGISTRY_PASSWORD);
    expect(run.stdout + run.stderr).not.toContain(Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64'));
  });
});
