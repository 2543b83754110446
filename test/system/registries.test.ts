/**
 * The registry inputs (mirrors, the Dependency Proxy, hosts without TLS checks, a CA, more
 * credentials, a config.json to start from, push retries) for the builders that cannot run here:
 * what each one's real mechanism receives — argv, environment, config.json, buildkitd.toml,
 * registries.conf drop-in, certs.d, daemon.json — recorded by stub executables in the sandbox,
 * in both interpolation modes. Buildah itself runs for real in test/e2e/registries.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { REGISTRY_PASSWORD, credsStoreSaid, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox, type StubCall } from '../helpers/sandbox.js';
import { REGISTRY_ITEM_CLASH } from '../../src/builders/said.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBcompanyCA\n-----END CERTIFICATE-----';
const CONFIG_FILE = '/builds/group/app.tmp/DOCKER_CONFIG_FILE';
const SECRETS = { HUB_USER: 'hubuser', HUB_TOKEN: 'hub-token-s3cret', HARBOR_TOKEN: 'harbor-token-s3cret' };
const START_CONFIG = {
  auths: {
    'other.example.com': { auth: Buffer.from('other:other-s3cret').toString('base64') },
    'harbor.example.com': { auth: Buffer.from('from-file:loses').toString('base64') },
  },
  credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
};

/** Every registry input at once, the way a team with Harbor, Docker Hub and a lab registry writes them. */
const ALL = {
  'registry-mirrors': ['mirror.example.com/hub', 'quay.io=harbor.example.com/quay'],
  'insecure-registries': ['harbor.example.com', 'lab.example.com:5000'],
  'ca-certificates': '$COMPANY_CA',
  // Harbor robot accounts are named robot$...: a literal dollar is written $$ in GitLab inputs.
  registries: [
    { host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' },
    { host: 'harbor.example.com', user: 'robot$$ci', password: '$HARBOR_TOKEN' },
  ],
  'docker-config': '$DOCKER_CONFIG_FILE',
  'push-retries': 5,
};
const ALL_ENV = { ...SECRETS, COMPANY_CA: PEM, DOCKER_CONFIG_FILE: CONFIG_FILE };
const ALL_CREDENTIALS = {
  'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
  'https://index.docker.io/v1/': 'hubuser:hub-token-s3cret',
  'harbor.example.com': 'robot$ci:harbor-token-s3cret',
  'other.example.com': 'other:other-s3cret',
};

/** Buildah's auth file (containers-auth.json(5)) keys Docker Hub docker.io, the key it reads first. */
const { 'https://index.docker.io/v1/': HUB, ...OTHERS } = ALL_CREDENTIALS;
const BUILDAH_CREDENTIALS = { ...OTHERS, 'docker.io': HUB };
/** The runner's DOCKER_AUTH_CONFIG as GitLab documents it for ECR, with the runner's own Docker Hub account. */
const RUNNER_AUTH_CONFIG = JSON.stringify({
  credsStore: 'ecr-login',
  auths: { 'docker.io': { auth: Buffer.from('runner-hub:runner-hub-s3cret').toString('base64') } },
  credHelpers: { 'docker.io': 'runner-helper' },
});

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.dispose());

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: StubCall[];
  box: Sandbox;
}

function run(
  component: string,
  mode: InterpolationMode,
  inputs: Record<string, unknown>,
  env: Record<string, string> = {},
  setup: (box: Sandbox) => void = () => undefined,
  projectFiles?: Record<string, string>,
): Run {
  sandbox = createSandbox(projectFiles ? { projectFiles } : {});
  const box = sandbox;
  mkdirSync(box.path(dirname(CONFIG_FILE)), { recursive: true });
  writeFileSync(box.path(CONFIG_FILE), JSON.stringify(START_CONFIG));
  setup(box);
  const { job } = instantiateComponent(component, inputs, mode);
  const result = box.run(
    jobScript(job),
    { ...jobEnvironment(job, predefinedVariables(box.projectDir, env)), ...env },
    component.startsWith('buildah') ? 'bash' : 'busybox',
  );
  const log = result.stdout + result.stderr;
  for (const secret of [REGISTRY_PASSWORD, ...Object.values(SECRETS).slice(1), 'other-s3cret', 'MIIBcompanyCA'])
    expect(log).not.toContain(secret);
  return { ...result, calls: box.calls(), box };
}

const tail = (argv: string[], first: string): string[] => argv.slice(argv.indexOf(first));

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  describe('kaniko', () => {
    // Kaniko's debug image is built FROM scratch: busybox, /kaniko, no /tmp.
    it('stops when the executor pushed but wrote no --digest-file, with a line that says so', () => {
      const { status, stdout, stderr } = run('kaniko', mode, {}, { STUB_NO_DIGEST: '1' });
      expect(stderr).toMatch(
        /^cigen: error: the Kaniko executor gave no digest in its --digest-file \(\S+\/digest\), so what it pushed is not known\n$/,
      );
      expect(status).toBe(1);
      expect(stdout).not.toContain('cigen: built');
    });

    it('runs in an image without /tmp: the directory is made for the scratch directory', () => {
      const { status, stderr, calls, box } = run('kaniko', mode, {}, {}, (b) => rmSync(b.path('/tmp'), { recursive: true, force: true }));
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(calls.map((c) => c.argv.find((a) => a.startsWith('--digest-file=')))).toEqual([
        expect.stringMatching(/^--digest-file=\/tmp\/tmp\.[A-Za-z0-9]+\/digest$/),
      ]);
      expect(statSync(box.path('/tmp')).mode & 0o7777).toBe(0o1777);
    });

    it('takes mirrors as --registry-mirror/--registry-map, per-host TLS flags, --push-retry, the CA in SSL_CERT_DIR, credentials', () => {
      const { status, stderr, calls } = run('kaniko', mode, ALL, ALL_ENV);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const [executor] = calls;
      expect(tail(executor?.argv ?? [], '--registry-mirror=mirror.example.com/hub')).toEqual([
        '--registry-mirror=mirror.example.com/hub',
        '--registry-map=quay.io=harbor.example.com/quay',
        '--insecure-registry=harbor.example.com',
        '--skip-tls-verify-registry=harbor.example.com',
        '--insecure-registry=lab.example.com:5000',
        '--skip-tls-verify-registry=lab.example.com:5000',
        '--push-retry=5',
      ]);
      expect(executor?.argv.filter((a) => a.startsWith('--skip-tls-verify') && !a.includes('='))).toEqual([]);
      // Unset before: Go's own directories first, as it would read them without SSL_CERT_DIR.
      expect(executor?.environment['SSL_CERT_DIR']).toMatch(/^\/etc\/ssl\/certs:\/etc\/pki\/tls\/certs:\/tmp\/tmp\.[A-Za-z0-9]+\/ca$/);
      expect(executor?.files).toEqual({ '<tmp>/ca/ca.crt': `${PEM}\n` });
      expect(decodeAuths(executor?.config)).toEqual(ALL_CREDENTIALS);
      expect(executor?.config?.['credHelpers']).toEqual(START_CONFIG.credHelpers);
    });

    it("drops the docker-config's credential helper for a host the inputs give credentials for: a helper is asked first", () => {
      const { status, calls } = run(
        'kaniko',
        mode,
        { 'docker-config': '$DOCKER_CONFIG_FILE', registries: [{ host: 'harbor.example.com', user: 'robot', password: '$HARBOR_TOKEN' }] },
        { ...ALL_ENV },
        (box) =>
          writeFileSync(
            box.path(CONFIG_FILE),
            JSON.stringify({ credHelpers: { 'harbor.example.com': 'harbor-helper', 'other.example.com': 'other-helper' } }),
          ),
      );
      expect(status).toBe(0);
      expect(calls[0]?.config?.['credHelpers']).toEqual({ 'other.example.com': 'other-helper' });
      expect(decodeAuths(calls[0]?.config)['harbor.example.com']).toBe('robot:harbor-token-s3cret');
    });

    it("leaves DOCKER_AUTH_CONFIG's credsStore out, which Kaniko would ask in place of every auths entry", () => {
      const { status, calls, stdout } = run('kaniko', mode, ALL, { ...ALL_ENV, DOCKER_AUTH_CONFIG: RUNNER_AUTH_CONFIG });
      expect(status).toBe(0);
      const [executor] = calls;
      expect(executor?.config).not.toHaveProperty('credsStore');
      expect(decodeAuths(executor?.config)).toEqual(ALL_CREDENTIALS);
      expect(executor?.config?.['credHelpers']).toEqual(START_CONFIG.credHelpers);
      expect(stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
        credsStoreSaid('DOCKER_AUTH_CONFIG', 'docker').trimEnd(),
      ]);
    });

    it('keeps the image CA directory in SSL_CERT_DIR and adds its own after it', () => {
      const { status, calls } = run(
        'kaniko',
        mode,
        { 'ca-certificates': '$COMPANY_CA' },
        { COMPANY_CA: PEM, SSL_CERT_DIR: '/kaniko/ssl/certs' },
      );
      expect(status).toBe(0);
      expect(calls[0]?.environment['SSL_CERT_DIR']).toMatch(/^\/kaniko\/ssl\/certs:\/tmp\/tmp\.[A-Za-z0-9]+\/ca$/);
    });

    it('pulls Docker Hub images through the Dependency Proxy, with its credentials', () => {
      const { status, calls } = run('kaniko', mode, { 'dependency-proxy': true }, DEPENDENCY_PROXY);
      expect(status).toBe(0);
      expect(calls[0]?.argv).toContain('--registry-mirror=gitlab.example.com:443/group/dependency_proxy/containers');
      expect(decodeAuths(calls[0]?.config)['gitlab.example.com:443']).toBe('gitlab-ci-token:proxy-s3cret');
    });
  });

  describe('buildkit', () => {
    it('writes a buildkitd.toml per host (mirrors, http + insecure, the CA) and starts the daemon with it', () => {
      const { status, stderr, calls } = run('buildkit', mode, ALL, ALL_ENV);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const [build] = calls;
      const ca = '  ca = ["<tmp>/ca/ca.crt"]';
      // added to the flags the job already gives the daemon
      expect(build?.environment['BUILDKITD_FLAGS']).toMatch(
        /^--oci-worker-no-process-sandbox --config=\/tmp\/tmp\.[A-Za-z0-9]+\/buildkitd\.toml$/,
      );
      expect(build?.files['<tmp>/buildkitd.toml']?.split('\n')).toEqual([
        '[registry."docker.io"]',
        '  mirrors = ["mirror.example.com/hub"]',
        ca,
        '[registry."quay.io"]',
        '  mirrors = ["harbor.example.com/quay"]',
        ca,
        '[registry."harbor.example.com"]',
        '  http = true',
        '  insecure = true',
        ca,
        '[registry."lab.example.com:5000"]',
        '  http = true',
        '  insecure = true',
        ca,
        '[registry."mirror.example.com"]',
        ca,
        '[registry."registry.example.com"]',
        ca,
        '',
      ]);
      expect(build?.files['<tmp>/ca/ca.crt']).toBe(`${PEM}\n`);
      expect(build?.environment['SSL_CERT_DIR']).toMatch(/^\/etc\/ssl\/certs:\/etc\/pki\/tls\/certs:\/tmp\/tmp\.[A-Za-z0-9]+\/ca$/);
      expect(decodeAuths(build?.config)).toEqual(ALL_CREDENTIALS);
      // tls-verify stays on for every other registry
      expect(build?.argv.join(' ')).not.toContain('registry.insecure=true');
    });

    it('tls-verify false: every host the job names gets a table without TLS checks, so that pulls from it skip them too', () => {
      const { status, stdout, calls } = run('buildkit', mode, {
        'tls-verify': false,
        image: 'lab.example.com:5000/group/app',
        'cache-repo': 'cache.example.com/group/app/cache',
        'registry-mirrors': ['mirror.example.com/hub'],
      });
      expect(status).toBe(0);
      // The hosts it wrote a table for, a space between two and none after the last.
      expect(stdout).toMatch(/^cigen: buildkitd\.toml: registries( [a-z0-9.:-]+){4}$/m);
      const toml = calls[0]?.files['<tmp>/buildkitd.toml'] ?? '';
      for (const host of ['lab.example.com:5000', 'cache.example.com', 'docker.io', 'mirror.example.com'])
        expect(toml).toContain(
          `[registry."${host}"]\n  ${host === 'docker.io' ? 'mirrors = ["mirror.example.com/hub"]\n  ' : ''}http = true\n  insecure = true\n`,
        );
      expect(calls[0]?.argv.join(' ')).toContain('registry.insecure=true');
    });

    describe('a buildkitd.toml of its own named in a BUILDKITD_FLAGS CI/CD variable (buildkitd reads the last --config only)', () => {
      const COMPANY = '/etc/company/buildkitd.toml';
      const COMPANY_TOML = '[worker.oci]\n  gc = false\n[registry."docker.io"]\n  mirrors = ["hub-mirror.company.example"]';
      const company = (text: string) => (box: Sandbox) => {
        mkdirSync(box.path('/etc/company'), { recursive: true });
        writeFileSync(box.path(COMPANY), text);
      };

      it.each([`--config=${COMPANY}`, `--config ${COMPANY}`, `-config=${COMPANY}`])(
        '%s: its text first in the file the daemon is started with, the tables for the inputs after it; said so',
        (flag) => {
          const flags = `--oci-worker-no-process-sandbox ${flag}`;
          const { status, stderr, stdout, calls, box } = run(
            'buildkit',
            mode,
            { 'insecure-registries': ['lab.example.com:5000'] },
            { BUILDKITD_FLAGS: flags },
            company(COMPANY_TOML),
          );
          expect(stderr).toBe('');
          expect(status).toBe(0);
          const flagsSeen = calls[0]?.environment['BUILDKITD_FLAGS'] ?? '';
          expect(flagsSeen.startsWith(`${flags} --config=/tmp/tmp.`)).toBe(true);
          expect(calls[0]?.files['<tmp>/buildkitd.toml']).toBe(
            `${COMPANY_TOML}\n[registry."lab.example.com:5000"]\n  http = true\n  insecure = true\n`,
          );
          expect(stdout).toContain(
            `cigen: buildkitd.toml: the one BUILDKITD_FLAGS names (${COMPANY}), with registries lab.example.com:5000 added\n`,
          );
          // the company's file itself is left as it was
          expect(readFileSync(box.path(COMPANY), 'utf8')).toBe(COMPANY_TOML);
        },
      );

      it('left to the daemon as it is when the job writes no tables', () => {
        const flags = `--oci-worker-no-process-sandbox --config=${COMPANY}`;
        const { status, calls } = run('buildkit', mode, {}, { BUILDKITD_FLAGS: flags }, company(COMPANY_TOML));
        expect(status).toBe(0);
        expect(calls[0]?.environment['BUILDKITD_FLAGS']).toBe(flags);
      });

      it.each([
        ['registry."docker.io"', { 'registry-mirrors': ['mirror.example.com'] }],
        ["registry.'lab.example.com:5000'", { 'insecure-registries': ['lab.example.com:5000'] }],
      ])('a registry with a table there too ([%s]) stops the job, naming both: TOML defines a table once', (table, inputs) => {
        const host = table.includes('docker.io') ? 'docker.io' : 'lab.example.com:5000';
        const { status, stderr, calls } = run(
          'buildkit',
          mode,
          inputs,
          { BUILDKITD_FLAGS: `--config=${COMPANY}` },
          company(`[worker.oci]\n  gc = false\n  [${table}]\n  http = true\n`),
        );
        expect(status).toBe(1);
        expect(stderr).toBe(
          `cigen: error: BUILDKITD_FLAGS (a CI/CD variable): the buildkitd.toml its --config names (${COMPANY}) has a table for ${host}, ` +
            'and the job adds one for its registry inputs: buildkitd reads one file, in which a table is defined once; set that ' +
            'registry in one of the two\n',
        );
        expect(calls).toEqual([]);
      });

      /** A buildkit job adding a mirror for docker.io, with BUILDKITD_FLAGS naming a buildkitd.toml that holds `text`. */
      const mirrorWithCompanyConfig = (text: string) =>
        run('buildkit', mode, { 'registry-mirrors': ['mirror.example.com'] }, { BUILDKITD_FLAGS: `--config=${COMPANY}` }, company(text));

      // The same table in the other spellings TOML has for it: buildkitd (go-toml) refuses a file that
      // defines it twice ("Cannot declare ('registry', 'docker.io') twice").
      it.each([
        '[registry]\n  "docker.io" = { mirrors = ["hub-mirror.company.example"] }\n',
        '[ registry . "docker.io" ]\n  mirrors = ["hub-mirror.company.example"]\n',
        '[\tregistry.\'docker.io\'\t]  # company mirror\r\n  mirrors = ["hub-mirror.company.example"]\r\n',
        'registry."docker.io".mirrors = ["hub-mirror.company.example"]\n[worker.oci]\n  gc = false\n',
        'registry . "docker.io" . mirrors = ["hub-mirror.company.example"]\n',
        '[registry]\n  "docker.io".mirrors = ["hub-mirror.company.example"]\n',
        'registry = { "docker.io" = { mirrors = ["hub-mirror.company.example"] } }\n',
      ])('a registry the job adds, defined there in another TOML spelling (%j), stops the job naming it', (text) => {
        const { status, stderr, calls } = mirrorWithCompanyConfig(text);
        expect(stderr).toContain(`(${COMPANY}) has a table for docker.io, and the job adds one for its registry inputs`);
        expect(status).toBe(1);
        expect(calls).toEqual([]);
      });

      // Other tables and keys that only look like it: the job goes on, adding its table.
      it.each([
        '[worker.oci]\n  "docker.io" = 1\n',
        '[registry."docker.io.example.com"]\n  http = true\n[registry."mirror.example.com"]\n  http = true\n',
        '# [registry."docker.io"]\n[registryx."docker.io"]\n  a = 1\n',
        '[registry]\n  "quay.io" = { mirrors = ["docker.io"] }\n',
        'registry."quay.io".mirrors = ["docker.io"]\n',
        // A table under it defines it implicitly only: TOML lets a [registry."docker.io"] after it define it.
        '[[worker.oci.gcpolicy]]\n  all = true\n[registry."docker.io".keypair]\n  key = "/k"\n',
      ])("a file with no table for the job's registries (%j) is kept, the job's tables after it", (text) => {
        const { status, stderr, calls } = mirrorWithCompanyConfig(text);
        expect(stderr).toBe('');
        expect(status).toBe(0);
        expect(calls[0]?.files['<tmp>/buildkitd.toml']).toBe(`${text}\n[registry."docker.io"]\n  mirrors = ["mirror.example.com"]\n`);
      });

      it('a --config that names no readable file stops the job, naming the variable', () => {
        const { status, stderr, calls } = run(
          'buildkit',
          mode,
          { 'insecure-registries': ['lab.example.com:5000'] },
          { BUILDKITD_FLAGS: '--config=/etc/company/missing.toml' },
        );
        expect(status).toBe(1);
        expect(stderr).toBe(
          'cigen: error: BUILDKITD_FLAGS (a CI/CD variable): its --config /etc/company/missing.toml is not a readable file\n',
        );
        expect(calls).toEqual([]);
      });
    });

    it('writes no buildkitd.toml when no registry input asks for one', () => {
      const { status, calls } = run('buildkit', mode, {});
      expect(status).toBe(0);
      expect(calls[0]?.environment['BUILDKITD_FLAGS']).toBe('--oci-worker-no-process-sandbox');
      expect(calls[0]?.files).toEqual({});
    });

    it('tries a failed build and push again, push-retries times', () => {
      const { status, stderr, calls } = run('buildkit', mode, { 'push-retries': 2 }, { STUB_FAIL: 'buildctl-daemonless.sh build:2' });
      expect(status).toBe(0);
      expect(calls.map((c) => c.tool)).toEqual(['buildctl-daemonless.sh', 'buildctl-daemonless.sh', 'buildctl-daemonless.sh']);
      // On stderr, beside the builder's own message: a step's standard output may be what the job reads.
      expect(stderr).toContain('cigen: buildkit build failed (exit 1); trying again (at most 1 more after this)');
      expect(stderr).toContain('cigen: buildkit build failed (exit 1); trying again (at most 0 more after this)');
    });

    it('gives up after push-retries, naming the step', () => {
      const { status, stderr, calls } = run('buildkit', mode, { 'push-retries': 1 }, { STUB_FAIL: 'buildctl-daemonless.sh build:5' });
      expect(status).toBe(1);
      expect(calls).toHaveLength(2);
      expect(stderr).toContain('cigen: error: buildkit build failed (exit 1).');
    });

    it.each([
      'error: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
      'error: failed to solve: dockerfile parse error on line 3: unknown instruction: RUNN',
      'error: failed to solve: failed to compute cache key: failed to calculate checksum of ref: "/app.jar": not found',
    ])('a failure of the build itself is not tried again (only a push would succeed on another try): %s', (says) => {
      const { status, stderr, calls } = run(
        'buildkit',
        mode,
        { 'push-retries': 3 },
        { STUB_FAIL: 'buildctl-daemonless.sh build:5', STUB_FAIL_SAYS: says },
      );
      expect(status).toBe(1);
      expect(calls).toHaveLength(1);
      expect(stderr).toContain(says);
      expect(stderr).toContain(
        'cigen: error: buildkit build failed in a step of the build (exit 1; BuildKit says which above): not tried again, push-retries is for the push',
      );
      expect(stderr).not.toContain('trying again');
    });

    // moby/buildkit#4426, #2568: a layer read cut off by the network is reported under "failed to
    // compute cache key" too, and a rerun gets past it; only the missing file is the build's own.
    it.each([
      'error: failed to solve: failed to compute cache key: failed to copy: read tcp 10.0.0.2:41234->10.0.0.9:443: ' +
        'read: connection reset by peer',
      'error: failed to solve: failed to compute cache key: failed to read expected number of bytes: unexpected EOF',
    ])('a network error while a layer is read (BuildKit says "failed to compute cache key") is tried again: %s', (says) => {
      const { status, stderr, calls } = run(
        'buildkit',
        mode,
        { 'push-retries': 3 },
        { STUB_FAIL: 'buildctl-daemonless.sh build:1', STUB_FAIL_SAYS: says },
      );
      expect(status).toBe(0);
      expect(calls).toHaveLength(2);
      expect(stderr).toContain('cigen: buildkit build failed (exit 1); trying again (at most 2 more after this)');
      expect(stderr).not.toContain('failed in a step of the build');
    });

    it('a failed push (BuildKit fails the same call) is tried again', () => {
      const { status, stderr, calls } = run(
        'buildkit',
        mode,
        { 'push-retries': 3 },
        {
          STUB_FAIL: 'buildctl-daemonless.sh build:1',
          STUB_FAIL_SAYS: 'error: failed to solve: failed to push registry.example.com/app:1: 502 Bad Gateway',
        },
      );
      expect(status).toBe(0);
      expect(calls).toHaveLength(2);
      expect(stderr).toContain('cigen: buildkit build failed (exit 1); trying again (at most 2 more after this)');
    });
  });

  describe('buildah-rootless', () => {
    it("writes mirrors and insecure hosts into the job's own registries.conf (none in HOME, which other jobs read), adds the CA to SSL_CERT_DIR, retries with --retry", () => {
      const { status, stderr, stdout, calls, box } = run('buildah-rootless', mode, ALL, ALL_ENV, (b) => {
        mkdirSync(b.path('/etc/containers'), { recursive: true });
        writeFileSync(b.path('/etc/containers/registries.conf'), 'unqualified-search-registries = ["docker.io"]\n');
      });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const build = calls.find((c) => c.argv[0] === 'build');
      // On a shell executor every job has this HOME: a drop-in there would be every job's.
      expect(Object.keys(build?.files ?? {}).filter((path) => path.startsWith('/root/'))).toEqual([]);
      expect(build?.environment['CONTAINERS_REGISTRIES_CONF']).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]+\/registries\.conf$/);
      expect(build?.files['<tmp>/registries.conf']?.split('\n')).toEqual([
        // Short names are Docker Hub's; then the runner's (its key of that name left out), then the job's tables.
        "# cigen: short names (FROM maven:3) are Docker Hub's, as Docker reads them",
        'unqualified-search-registries = ["docker.io"]',
        'short-name-mode = "permissive"',
        '',
        '# unqualified-search-registries = ["docker.io"]',
        '',
        "# cigen: the job's registries (registry-mirrors, dependency-proxy, insecure-registries)",
        '[[registry]]',
        'prefix = "docker.io"',
        'location = "docker.io"',
        '[[registry.mirror]]',
        'location = "mirror.example.com/hub"',
        '[[registry]]',
        'prefix = "quay.io"',
        'location = "quay.io"',
        '[[registry.mirror]]',
        'location = "harbor.example.com/quay"',
        'insecure = true',
        '[[registry]]',
        'location = "harbor.example.com"',
        'insecure = true',
        '[[registry]]',
        'location = "lab.example.com:5000"',
        'insecure = true',
        '',
      ]);
      expect(stdout).toContain(
        "cigen: registries.conf for this job only (/etc/containers/registries.conf and the job's tables): short names from docker.io; mirrors for docker.io quay.io; without TLS checks: harbor.example.com lab.example.com:5000\n",
      );
      expect(build?.argv).toContain('--retry=5');
      // Not --cert-dir, which would take the place of each host's certs.d (what the runner trusts per host).
      expect(calls.map((c) => c.argv[0])).toEqual(['--storage-driver=overlay', 'build', 'push']);
      for (const call of calls.slice(1)) {
        expect(call.argv.filter((a) => a.startsWith('--cert-dir'))).toEqual([]);
        expect(call.environment['SSL_CERT_DIR']).toMatch(/^\/etc\/ssl\/certs:\/etc\/pki\/tls\/certs:\/tmp\/tmp\.[A-Za-z0-9]+\/ca$/);
      }
      expect(build?.files['<tmp>/ca/ca.crt']).toBe(`${PEM}\n`);
      for (const push of calls.filter((c) => c.argv[0] === 'push')) expect(push.argv).toContain('--retry=0');
      expect(decodeAuths(build?.config)).toEqual(BUILDAH_CREDENTIALS);
      // removed at exit, with the private directory
      expect(readdir(box, '/root/.config/containers/registries.conf.d')).toEqual([]);
      expect(readdir(box, '/tmp')).toEqual([]);
    });

    it("the registries input's Docker Hub account wins over DOCKER_AUTH_CONFIG's, as Buildah reads the file", () => {
      const { status, calls, stdout, stderr, box } = run('buildah-rootless', mode, ALL, {
        ...ALL_ENV,
        DOCKER_AUTH_CONFIG: RUNNER_AUTH_CONFIG,
      });
      expect(stdout + stderr).not.toContain('runner-hub-s3cret');
      expect(status).toBe(0);
      const build = calls.find((c) => c.argv[0] === 'build');
      expect(decodeAuths(build?.config)).toEqual(BUILDAH_CREDENTIALS);
      expect(build?.config).not.toHaveProperty('credsStore');
      expect(build?.config?.['credHelpers']).toEqual(START_CONFIG.credHelpers);
      expect(stdout).toContain(credsStoreSaid('DOCKER_AUTH_CONFIG', 'containers'));
      // containers/image's own lookup, on the file the build read
      const file = box.path('/builds/group/app.tmp/buildah-auth.json');
      writeFileSync(file, JSON.stringify(build?.config));
      const login = spawnSync('buildah', ['login', '--get-login', 'docker.io'], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REGISTRY_AUTH_FILE: file, HOME: dirname(file) },
        encoding: 'utf8',
      });
      expect(login.stderr).toBe('');
      expect(login.stdout.trim()).toBe('hubuser');
    });

    it('names the tags it pushed before one failed: they stay in the registry', () => {
      const { status, stderr } = run(
        'buildah-rootless',
        mode,
        { 'push-retries': 0, cache: false, tags: ['a', 'b', 'c'] },
        { STUB_FAIL_ON: 'buildah registry.example.com/group/app:b' },
      );
      expect(status).toBe(1);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe(
        'cigen: error: buildah push registry.example.com/group/app:b failed (exit 1). If the log above says 401, unauthorized or ' +
          'denied, a registry refused the job, which had credentials from registry-user and registry-password ' +
          'for registry.example.com only ' +
          '(already pushed, and left there: registry.example.com/group/app:a)',
      );
    });

    it("names the Dependency Proxy's credentials among those the job had: GitLab gives them, the job writes them", () => {
      const { status, stderr } = run(
        'buildah-rootless',
        mode,
        { 'push-retries': 0, cache: false, tags: ['1'] },
        { ...DEPENDENCY_PROXY, STUB_FAIL_ON: 'buildah registry.example.com/group/app:1' },
      );
      expect(status).toBe(1);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe(
        'cigen: error: buildah push registry.example.com/group/app:1 failed (exit 1). If the log above says 401, unauthorized or ' +
          'denied, a registry refused the job, which had credentials from registry-user and registry-password ' +
          'for registry.example.com, from CI_DEPENDENCY_PROXY_USER and CI_DEPENDENCY_PROXY_PASSWORD for gitlab.example.com:443, ' +
          'for no other host',
      );
    });

    it('a job without credentials says it had none, not that registry-user was refused', () => {
      const { status, stderr } = run(
        'buildah-rootless',
        mode,
        { 'push-retries': 0, cache: false, 'registry-user': '', tags: ['1'] },
        { STUB_FAIL_ON: 'buildah registry.example.com/group/app:1' },
      );
      expect(status).toBe(1);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe(
        'cigen: error: buildah push registry.example.com/group/app:1 failed (exit 1). If the log above says 401, unauthorized or ' +
          'denied, a registry refused the job, which had no credentials from registry-user, registries, registry-login, ' +
          'CI_DEPENDENCY_PROXY_USER, DOCKER_AUTH_CONFIG, docker-config or its own config files',
      );
    });

    it('tries a failed push again as a whole, push-retries times', () => {
      const { status, stderr, calls } = run('buildah-rootless', mode, { 'push-retries': 1, cache: false }, { STUB_FAIL: 'buildah push:1' });
      expect(status).toBe(0);
      expect(calls.filter((c) => c.argv[0] === 'push')).toHaveLength(2);
      expect(stderr).toContain(
        'cigen: buildah push registry.example.com/group/app:01234567 failed (exit 1); trying again (at most 0 more after this)',
      );
    });

    it("keeps the runner's [[registry]] table for a registry the inputs name, writes none of the job's for it, and says so", () => {
      const RUNNER = '/etc/runner/registries.conf';
      const DROPIN = '/root/.config/containers/registries.conf.d/10-runner.conf';
      const runnerConf =
        'unqualified-search-registries = ["docker.io", "quay.io"]\n' +
        '[[registry]]\n  prefix = "docker.io"\n  location = "docker.io"\n  [[registry.mirror]]\n    location = "cache.corp.example.com"\n' +
        "[[ registry ]]\nlocation = 'lab.example.com:5000' # plain HTTP\ninsecure = true\n";
      const { status, stderr, stdout, calls } = run(
        'buildah-rootless',
        mode,
        {
          'registry-mirrors': ['mirror.example.com/hub', 'quay.io=harbor.example.com/quay', 'ghcr.io=harbor.example.com/ghcr'],
          'insecure-registries': ['harbor.example.com', 'lab.example.com:5000'],
        },
        { CONTAINERS_REGISTRIES_CONF: RUNNER },
        (b) => {
          mkdirSync(b.path('/etc/runner'), { recursive: true });
          writeFileSync(b.path(RUNNER), runnerConf);
          mkdirSync(b.path(dirname(DROPIN)), { recursive: true });
          // A mirror's location is no table of its own: harbor.example.com still gets the job's.
          writeFileSync(b.path(DROPIN), '[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "harbor.example.com"\n');
        },
      );
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const build = calls.find((c) => c.argv[0] === 'build');
      expect(build?.files['<tmp>/registries.conf']).toBe(
        "# cigen: short names (FROM maven:3) are Docker Hub's, as Docker reads them\n" +
          'unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n\n' +
          // The runner's key of that name commented out (TOML allows a key once).
          `# ${runnerConf}\n` +
          "# cigen: the job's registries (registry-mirrors, dependency-proxy, insecure-registries)\n" +
          '[[registry]]\nprefix = "ghcr.io"\nlocation = "ghcr.io"\n[[registry.mirror]]\nlocation = "harbor.example.com/ghcr"\ninsecure = true\n' +
          '[[registry]]\nlocation = "harbor.example.com"\ninsecure = true\n',
      );
      // The drop-in stays where the runner put it, read after the job's file.
      expect(build?.files[DROPIN]).toBe('[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "harbor.example.com"\n');
      const kept = (host: string, file: string, what: string) =>
        `cigen: registries.conf: the runner's configuration has a [[registry]] table for ${host} (${file}), which stays as it is; cigen does not merge the job's into it (containers/image keeps one table per registry), so ${what}\n`;
      expect(stdout).toContain(kept('docker.io', RUNNER, "the job's mirrors for docker.io are not used"));
      expect(stdout).toContain(
        kept(
          'lab.example.com:5000',
          RUNNER,
          'insecure-registries does not mark lab.example.com:5000 there: what that table says about TLS holds for it',
        ),
      );
      expect(stdout).toContain(kept('quay.io', DROPIN, "the job's mirrors for quay.io are not used"));
      expect(stdout).toContain(
        `cigen: registries.conf: the runner's unqualified-search-registries (${RUNNER}) left out of the job's copy, whose own say short names (FROM maven:3) are Docker Hub's, as Docker reads them\n`,
      );
      expect(stdout).toContain(
        `cigen: registries.conf for this job only (${RUNNER} and the job's tables): short names from docker.io; mirrors for ghcr.io; without TLS checks: harbor.example.com\n`,
      );
    });

    // Docker, Kaniko and BuildKit read FROM maven:3 as Docker Hub's; Buildah as registries.conf says.
    it("resolves short names to docker.io in every job: the job's file says so above the runner's, whose keys of those names it comments out", () => {
      const RUNNER = '/etc/runner/registries.conf';
      const DROPIN = '/etc/containers/registries.conf.d/50-search.conf';
      const runnerConf =
        '# Fedora\'s\nunqualified-search-registries = [\n  "registry.fedoraproject.org",\n  "docker.io",\n]\n' +
        'short-name-mode="enforcing"\ncredential-helpers = ["containers-auth.json"]\n\n[aliases]\n  "short-name-mode" = "docker.io/library/x"\n';
      const { status, stderr, stdout, calls } = run('buildah', mode, {}, { CONTAINERS_REGISTRIES_CONF: RUNNER }, (b) => {
        mkdirSync(b.path('/etc/runner'), { recursive: true });
        writeFileSync(b.path(RUNNER), runnerConf);
        mkdirSync(b.path(dirname(DROPIN)), { recursive: true });
        writeFileSync(b.path(DROPIN), 'unqualified-search-registries = ["quay.io"]\n');
      });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const build = calls.find((c) => c.argv[0] === 'build');
      expect(build?.environment['CONTAINERS_REGISTRIES_CONF']).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]+\/registries\.conf$/);
      expect(build?.files['<tmp>/registries.conf']?.split('\n')).toEqual([
        "# cigen: short names (FROM maven:3) are Docker Hub's, as Docker reads them",
        'unqualified-search-registries = ["docker.io"]',
        'short-name-mode = "permissive"',
        '',
        "# Fedora's",
        '# unqualified-search-registries = [',
        '#   "registry.fedoraproject.org",',
        '#   "docker.io",',
        '# ]',
        '# short-name-mode="enforcing"',
        'credential-helpers = ["containers-auth.json"]',
        '',
        '[aliases]',
        '  "short-name-mode" = "docker.io/library/x"',
        '',
        "# cigen: the job's registries (registry-mirrors, dependency-proxy, insecure-registries)",
        '',
      ]);
      expect(stdout).toContain(
        `cigen: registries.conf: the runner's unqualified-search-registries short-name-mode (${RUNNER}) left out of the job's copy, whose own say short names (FROM maven:3) are Docker Hub's, as Docker reads them\n`,
      );
      expect(stdout).toContain(
        `cigen: registries.conf: ${DROPIN} sets unqualified-search-registries, read after the job's file: short names resolve as it says, not as the job's file does (docker.io)\n`,
      );
      expect(stdout).toContain(
        `cigen: registries.conf for this job only (${RUNNER} and the job's tables): short names from docker.io; mirrors for none; without TLS checks: none\n`,
      );
    });

    it('leaves a v1 registries.conf of the runner as it is when the job has no tables of its own, and says how it resolves short names', () => {
      const RUNNER = '/etc/runner/registries.conf';
      const { status, stderr, stdout, calls } = run('buildah', mode, {}, { CONTAINERS_REGISTRIES_CONF: RUNNER }, (b) => {
        mkdirSync(b.path('/etc/runner'), { recursive: true });
        writeFileSync(b.path(RUNNER), '[registries.search]\nregistries = ["docker.io"]\n');
      });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const build = calls.find((c) => c.argv[0] === 'build');
      expect(build?.environment['CONTAINERS_REGISTRIES_CONF']).toBe(RUNNER);
      expect(stdout).toContain(
        `cigen: registries.conf: ${RUNNER} is in the v1 format ([registries.search]): short names (FROM maven:3) resolve as its [registries.search] says, not always to docker.io; a v2 file (unqualified-search-registries = ["docker.io"]) would resolve them as Docker does\n`,
      );
      expect(stdout).not.toContain('registries.conf for this job only');
    });

    it("says that $CI_REGISTRY_IMAGE is empty when image or cache-repo stops on it (the project's container registry off)", () => {
      const off = { CI_REGISTRY: '', CI_REGISTRY_IMAGE: '', CI_REGISTRY_USER: '', CI_REGISTRY_PASSWORD: '' };
      const why =
        " (its default is made from $CI_REGISTRY_IMAGE, empty or unset in this job: the project's container registry is off, or the job cannot see it; set image, and cache-repo or cache: false)\n";
      const image = run('buildah', mode, {}, off);
      expect(image.status).toBe(1);
      expect(image.stderr).toBe(`cigen: error: input image is empty${why}`);
      const cache = run('buildah', mode, { image: 'registry.example.com/grp/other' }, off);
      expect(cache.status).toBe(1);
      expect(cache.stderr).toBe(`cigen: error: input cache-repo: '/cache' is not an image repository${why}`);
    });

    it("stops before the build when the runner's registries.conf is a v1 one and the job has tables to add (containers/image refuses the mix)", () => {
      const RUNNER = '/etc/runner/registries.conf';
      const { status, stderr, calls } = run(
        'buildah-rootless',
        mode,
        { 'insecure-registries': ['lab.example.com'] },
        { CONTAINERS_REGISTRIES_CONF: RUNNER },
        (b) => {
          mkdirSync(b.path('/etc/runner'), { recursive: true });
          writeFileSync(b.path(RUNNER), '[registries.search]\nregistries = ["docker.io"]\n\n[registries.insecure]\nregistries = []\n');
        },
      );
      expect(status).toBe(1);
      expect(stderr).toBe(
        `cigen: error: the runner's ${RUNNER} is a v1 registries.conf ([registries.search], [registries.insecure] or [registries.block]), which containers/image cannot mix with the [[registry]] tables the job writes for registry-mirrors, dependency-proxy and insecure-registries ("mixing sysregistry v1/v2 is not supported"): rewrite it in the v2 format (unqualified-search-registries = [...], and a [[registry]] table with location and insecure = true or blocked = true for each host), or name a v2 file in CONTAINERS_REGISTRIES_CONF\n`,
      );
      expect(calls.filter((c) => c.argv[0] === 'build' || c.argv[0] === 'push')).toEqual([]);
    });

    it('stops when CONTAINERS_REGISTRIES_CONF names no file, as Buildah would', () => {
      const { status, stderr, calls } = run(
        'buildah-rootless',
        mode,
        { 'insecure-registries': ['lab.example.com'] },
        { CONTAINERS_REGISTRIES_CONF: '/etc/runner/none.conf' },
      );
      expect(status).toBe(1);
      expect(stderr).toBe(
        'cigen: error: CONTAINERS_REGISTRIES_CONF names /etc/runner/none.conf, which is not a file the job can read (Buildah would refuse it too)\n',
      );
      expect(calls.filter((c) => c.argv[0] === 'build')).toEqual([]);
    });

    it('keeps drop-ins the image already has', () => {
      const { status, box } = run('buildah-rootless', mode, { 'insecure-registries': ['lab.example.com'] }, {}, (b) => {
        mkdirSync(b.path('/root/.config/containers/registries.conf.d'), { recursive: true });
        writeFileSync(b.path('/root/.config/containers/registries.conf.d/10-image.conf'), '[[registry]]\nlocation = "x.example.com"\n');
      });
      expect(status).toBe(0);
      expect(readdir(box, '/root/.config/containers/registries.conf.d')).toEqual(['10-image.conf']);
    });
  });

  describe('dind', () => {
    const CERTS = '/certs/client/cigen-certs.d';
    const shared = (box: Sandbox) => {
      mkdirSync(box.path(CERTS), { recursive: true });
      writeFileSync(box.path(`${CERTS}/.cigen-dind`), '');
    };
    /** The hosts the job wrote the CA for, in the certs.d it shares with the daemon. */
    const caHosts = (box: Sandbox) =>
      readdir(box, CERTS)
        .filter((name) => name !== '.cigen-dind')
        .sort();
    const DOCKERFILE = {
      Dockerfile:
        'ARG BASE=quay.io/org/base:1\n' +
        'FROM --platform=$BUILDPLATFORM harbor.example.com/lib/tool:2 AS tool\nFROM ${BASE}\nfrom lab.example.com:5000/x\n' +
        // A FROM continued on the next line, a comment line inside it, as the Dockerfile reads it.
        'FROM \\\n  --platform=linux/amd64 \\\n\t# the base\n  ghcr.io/org/continued:1 AS continued\n' +
        // A comment ending in \ continues nothing: the FROM after it is read.
        '# tools go in C:\\tools\\\nFROM gcr.io/org/after-comment:1\n',
    };

    it('writes the CA into the certs.d the service shares, for every registry host the build names; credentials to config.json', () => {
      const inputs = { ...ALL, 'registry-mirrors': ['mirror.example.com:5000'], 'insecure-registries': ['plain.example.com'] };
      const { status, stderr, calls, box } = run('dind', mode, inputs, ALL_ENV, shared, DOCKERFILE);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const hosts = caHosts(box);
      // quay.io: the default of the ARG that FROM uses
      expect(hosts).toEqual([
        'docker.io',
        'gcr.io',
        'ghcr.io',
        'harbor.example.com',
        'lab.example.com:5000',
        // the mirror: the daemon checks its certificate against certs.d/<mirror> too
        'mirror.example.com:5000',
        'quay.io',
        'registry.example.com',
      ]);
      for (const host of hosts) expect(readFileSync(box.path(`${CERTS}/${host}/ca.crt`), 'utf8')).toBe(`${PEM}\n`);
      const build = calls.find((c) => c.argv[0] === 'build');
      const { 'registry.example.com': _loggedIn, ...others } = ALL_CREDENTIALS;
      expect(decodeAuths(build?.config)).toEqual(others);
      expect(calls.find((c) => c.argv[0] === 'login')?.argv).toEqual([
        'login',
        '--username',
        'gitlab-ci-token',
        '--password-stdin',
        'registry.example.com',
      ]);
    });

    // The forms a Dockerfile names its base registry in: a bare host in an ARG, a quoted ARG default
    // (Docker drops the quotes), a build-arg, a default in the reference; as Docker reads them.
    it('writes the CA for the hosts FROM lines reach through ARG defaults and build-args', () => {
      const dockerfile = {
        Dockerfile:
          'ARG BASE_REGISTRY=harbor.corp.example\n' +
          'ARG BASE="quoted.example.com/library/node:22"\n' +
          "ARG SINGLE='single.example.com'\n" +
          'ARG REGISTRY\n' +
          'ARG OVERRIDDEN=default.not-used.example\n' +
          'ARG CHAINED=${BASE_REGISTRY}/chained\n' +
          'FROM ${BASE_REGISTRY}/library/node:22 AS a\n' +
          'FROM ${BASE} AS b\n' +
          'FROM $SINGLE/library/node:22 AS c\n' +
          'FROM ${REGISTRY}/library/node:22 AS d\n' +
          'FROM --platform=$BUILDPLATFORM $OVERRIDDEN/x AS e\n' +
          'FROM ${UNSET:-fallback.example.com}/x AS f\n' +
          'FROM "$UNDECLARED/x" AS g\n' +
          // A stage's ARG is not the FROM lines': the global default stays.
          'ARG BASE_REGISTRY=stage.not-used.example\n' +
          'FROM ${BASE_REGISTRY}/y\n',
      };
      const inputs = {
        'ca-certificates': '$COMPANY_CA',
        'build-args': ['REGISTRY=buildarg.example.com', 'OVERRIDDEN=override.example.com', 'UNDECLARED'],
      };
      const env = { COMPANY_CA: PEM, UNDECLARED: 'from-env.example.com' };
      const { status, stderr, box } = run('dind', mode, inputs, env, shared, dockerfile);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(caHosts(box)).toEqual([
        'buildarg.example.com',
        'fallback.example.com',
        'from-env.example.com',
        'harbor.corp.example',
        'override.example.com',
        'quoted.example.com',
        'registry.example.com',
        'single.example.com',
      ]);
    });

    // The daemon pulls the image a COPY --from= or a RUN --mount=from= names when it is no stage.
    it('writes the CA for the hosts of the images COPY --from= and RUN --mount=from= pull', () => {
      const dockerfile = {
        Dockerfile:
          'ARG ASSETS=assets.example.com\n' +
          'FROM harbor.example.com/lib/base:1 AS build\n' +
          'RUN --mount=type=bind,from=mount.example.com:5000/org/src:1,target=/src make\n' +
          'FROM scratch\n' +
          'COPY --from=build /out /out\n' +
          'COPY --from=0 /out /by-index\n' +
          'COPY --link --from=copy.example.com/org/tools:2 /bin/tool /bin/tool\n' +
          'COPY --from=${ASSETS}/org/assets:1 /assets /assets\n',
      };
      const { status, stderr, box } = run('dind', mode, { 'ca-certificates': '$COMPANY_CA' }, { COMPANY_CA: PEM }, shared, dockerfile);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(caHosts(box)).toEqual([
        'assets.example.com',
        'copy.example.com',
        'harbor.example.com',
        'mount.example.com:5000',
        'registry.example.com',
      ]);
    });

    // An image without a registry host is Docker Hub's (docker.io, whose certs.d the daemon reads for
    // it); a `# syntax=` parser directive names the frontend image BuildKit pulls, BUILDKIT_SYNTAX too.
    it.each([
      ['FROM alpine:3.20\n', {}, ['docker.io']],
      ['FROM library/alpine\nCOPY --from=busybox /bin/sh /sh\n', {}, ['docker.io']],
      ['FROM localhost:5000/x\nFROM localhost/y\n', {}, ['localhost', 'localhost:5000']],
      [
        '# syntax=registry.corp.example/docker/dockerfile:1\nFROM harbor.example.com/x\n',
        {},
        ['harbor.example.com', 'registry.corp.example'],
      ],
      // Any case, blanks around key and value, after another directive, a BOM before it.
      [
        '\ufeff#escape=`\n#  SYNTAX = frontend.example.com:5000/df:1 extra\nFROM harbor.example.com/x\n',
        {},
        ['frontend.example.com:5000', 'harbor.example.com'],
      ],
      ['# syntax=docker/dockerfile:1\nFROM harbor.example.com/x\n', {}, ['docker.io', 'harbor.example.com']],
      // Not directives: after a comment, a blank line or an instruction.
      ['# a comment\n# syntax=not.example.com/df:1\nFROM harbor.example.com/x\n', {}, ['harbor.example.com']],
      ['\n# syntax=not.example.com/df:1\nFROM harbor.example.com/x\n', {}, ['harbor.example.com']],
      ['FROM harbor.example.com/x\n# syntax=not.example.com/df:1\n', {}, ['harbor.example.com']],
      [
        'FROM harbor.example.com/x\n',
        { 'build-args': ['BUILDKIT_SYNTAX=docker/dockerfile:1', 'VERSION=1.2'] },
        ['docker.io', 'harbor.example.com'],
      ],
    ])('writes the CA for the registry of every image the build pulls, Docker Hub included: %j', (text, more, expected) => {
      const inputs = { 'ca-certificates': '$COMPANY_CA', ...more };
      const { status, stderr, box } = run('dind', mode, inputs, { COMPANY_CA: PEM }, shared, { Dockerfile: text });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(caHosts(box)).toEqual([...expected, 'registry.example.com'].sort());
    });

    // Recent daemons with the BuildKit builder read a mirror's TLS settings from the certs.d of the
    // registry it mirrors (moby daemon/hosts.go), docker.io; older ones from the mirror's own.
    it('writes the CA for docker.io too when there are mirrors', () => {
      const inputs = { 'ca-certificates': '$COMPANY_CA', 'registry-mirrors': ['mirror.example.com'] };
      const { status, stderr, box } = run('dind', mode, inputs, { COMPANY_CA: PEM }, shared);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(caHosts(box)).toEqual(['docker.io', 'mirror.example.com', 'registry.example.com']);
    });

    it('a refused docker login stops the job with a line that names the inputs to check', () => {
      const { status, stderr, calls } = run('dind', mode, {}, { STUB_FAIL: 'docker login:1' });
      expect(status).toBe(1);
      expect(stderr).toContain(
        'cigen: error: docker login to registry.example.com failed (see above): check registry-user and registry-password',
      );
      expect(calls.filter((c) => c.argv[0] === 'build')).toEqual([]);
    });

    it('refuses a registry that starts with a dash: docker login would take it as an option (--help exits 0)', () => {
      const { status, stderr, calls } = run('dind', mode, { registry: '--help' }, {});
      expect(status).toBe(1);
      expect(stderr).toBe("cigen: error: input registry: '--help' is not a registry host\n");
      expect(calls).toEqual([]);
    });

    // The value becomes a config.json key: a quote in it would rewrite the file (a credsStore of its choosing).
    it.each(['buildah', 'promote', 'manifest'])(
      '%s refuses a registry that expands to something other than a host before writing any config.json',
      (component) => {
        const forged = 'r":{}},"credsStore":"evil","x":{"y';
        const BUILT = `registry.example.com/group/app@sha256:${'a'.repeat(64)}`;
        const { status, stderr, calls } = run(
          component,
          mode,
          { registry: '$FORGED', ...(component === 'promote' ? { tags: ['x'] } : {}) },
          {
            FORGED: forged,
            CIGEN_BUILT_REF: BUILT,
          },
        );
        expect(stderr).toBe(`cigen: error: input registry: '${forged}' is not a registry host\n`);
        expect(status).toBe(1);
        expect(calls).toEqual([]);
      },
    );

    // A push that worked but named no digest: what the later jobs (sign, sbom) would get is not known.
    it('stops when docker push gives no digest, naming the push, instead of reporting the image as not pushed', () => {
      const { status, stdout, stderr } = run('dind', mode, {}, { STUB_NO_DIGEST: '1' });
      expect(stderr).toBe(
        "cigen: error: docker push registry.example.com/group/app:01234567 gave no digest in its output (no 'digest: sha256:...' line), " +
          'so what it pushed is not known (already pushed, and left there: registry.example.com/group/app:01234567)\n',
      );
      expect(status).toBe(1);
      expect(stdout).not.toContain('not pushed');
    });

    it('tries a failed push again, push-retries times, and reports the digest of the push that worked', () => {
      const { status, stdout, calls } = run('dind', mode, { 'push-retries': 1, cache: false }, { STUB_FAIL: 'docker push:1' });
      expect(status).toBe(0);
      expect(calls.filter((c) => c.argv[0] === 'push')).toHaveLength(2);
      expect(stdout).toContain('cigen: docker push registry.example.com/group/app:01234567 failed; trying again (0 more after this)');
      expect(stdout).toContain('cigen: pushed registry.example.com/group/app@sha256:');
    });

    it.each([
      [
        { 'dependency-proxy': true },
        DEPENDENCY_PROXY,
        'cigen: error: input dependency-proxy: the Docker daemon takes mirrors without a path, and the Dependency Proxy has one; ' +
          'use buildah, or write FROM $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/... in the Dockerfile',
      ],
      [
        { 'registry-mirrors': ['quay.io=harbor.example.com'] },
        {},
        "cigen: error: input registry-mirrors: 'quay.io=harbor.example.com': the Docker daemon mirrors docker.io only",
      ],
      [
        { 'registry-mirrors': ['mirror.example.com/hub'] },
        {},
        "cigen: error: input registry-mirrors: 'mirror.example.com/hub': the Docker daemon takes a mirror without a path",
      ],
      [
        { 'insecure-registries': ['$LAB_REGISTRY'] },
        { LAB_REGISTRY: 'lab.example.com' },
        'cigen: error: input registry-mirrors or insecure-registries: the docker:dind service reads them when it starts, ' +
          "without the project's CI/CD variables: give them literally, not as $VARIABLE",
      ],
      [
        { 'ca-certificates': '$COMPANY_CA' },
        { COMPANY_CA: PEM },
        'cigen: error: input ca-certificates: the docker:dind service does not share /certs/client/cigen-certs.d with this job: ' +
          'the runner needs the /certs/client volume (cigen runner-config --builder dind --executor docker, or kubernetes)',
      ],
    ])('refuses what the daemon cannot do, before anything runs: %j', (inputs, env, message) => {
      const { status, stderr, calls } = run('dind', mode, inputs, env);
      expect(stderr.trim()).toBe(message);
      expect(status).toBe(1);
      expect(calls).toEqual([]);
    });
  });

  describe('every builder', () => {
    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])(
      '%s refuses a registries item whose password variable is empty',
      (component) => {
        const { status, stderr, calls } = run(
          component,
          mode,
          { registries: [{ host: 'docker.io', user: 'ci', password: '$HUB_TOKEN' }] },
          {},
        );
        expect(stderr.trim()).toBe('cigen: error: input registries: element 1 (docker.io) has no password: its variable is empty or unset');
        expect(status).toBe(1);
        expect(calls).toEqual([]);
      },
    );

    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])('%s refuses a mirror host that expands to something else', (component) => {
      const { status, stderr } = run(component, mode, { 'registry-mirrors': ['$MIRROR'] }, { MIRROR: 'mirror.example.com;touch /tmp/x' });
      expect(stderr.trim()).toBe(
        "cigen: error: input registry-mirrors: 'mirror.example.com;touch /tmp/x' is not a registry location (host[:port][/path])",
      );
      expect(status).toBe(1);
    });

    // The checks kaniko-compat shares with them, which it gives its own words (a flag, not an input).
    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])('%s names the input a host or location came from', (component) => {
      for (const [inputs, env, message] of [
        [
          { 'insecure-registries': ['$LAB'] },
          { LAB: 'lab.example.com/x' },
          "input insecure-registries: 'lab.example.com/x' is not a registry host",
        ],
        [
          { registries: [{ host: '$HOST', user: 'ci', password: '$P' }] },
          { HOST: 'a:1:2', P: 'p' },
          "input registries: 'a:1:2' is not a registry host",
        ],
      ] as const) {
        const { status, stderr } = run(component, mode, inputs, env);
        expect(stderr.trim()).toBe(`cigen: error: ${message} (host or host:port)`);
        expect(status).toBe(1);
      }
    });

    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])('%s refuses ca-certificates that hold no certificate', (component) => {
      const { status, stderr } = run(component, mode, { 'ca-certificates': '$COMPANY_CA' }, { COMPANY_CA: '/builds/group/app/Dockerfile' });
      expect(stderr.trim()).toBe('cigen: error: input ca-certificates: no PEM certificate in it');
      expect(status).toBe(1);
    });

    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])('%s refuses a docker-config that is not a file', (component) => {
      const { status, stderr } = run(component, mode, { 'docker-config': '$DOCKER_CONFIG_FILE' }, { DOCKER_CONFIG_FILE: '{"auths":{}}' });
      expect(stderr.trim()).toBe(
        'cigen: error: input docker-config: not a readable file (a file-type variable holds the path of its content)',
      );
      expect(status).toBe(1);
    });

    // docker/cli 28.3 and later read DOCKER_AUTH_CONFIG before config.json: left in the builder's
    // environment, the runner's read-only token would be used for the push in place of the job's.
    it.each([
      ['kaniko', 'executor', 'https://index.docker.io/v1/'],
      ['buildkit', 'buildctl-daemonless.sh', 'https://index.docker.io/v1/'],
      ['dind', 'docker', 'https://index.docker.io/v1/'],
      ['buildah-rootless', 'buildah', 'docker.io'],
    ])(
      "%s: DOCKER_AUTH_CONFIG goes into the job's config.json, Docker Hub under the key %s looks up, and reaches no builder process",
      (component, tool, hub) => {
        const b64 = (pair: string) => Buffer.from(pair).toString('base64');
        const runner = JSON.stringify({
          auths: { 'registry.example.com': { auth: b64('deploy-read:readonly') }, 'docker.io': { auth: b64('runner-hub:hub-pw') } },
        });
        const { status, stdout, calls } = run(component, mode, {}, { DOCKER_AUTH_CONFIG: runner });
        expect(status).toBe(0);
        expect(calls.filter((c) => c.tool === tool).length).toBeGreaterThan(0);
        for (const call of calls) expect(call.environment).not.toHaveProperty('DOCKER_AUTH_CONFIG');
        const build = calls.find(
          (c) => c.tool === tool && (c.tool === 'executor' || c.tool.startsWith('buildctl') || c.argv[0] === 'build'),
        );
        // dind: the registry input goes through docker login, into the same config.json
        const ours = component === 'dind' ? {} : { 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` };
        expect(decodeAuths(build?.config)).toEqual({ ...ours, [hub]: 'runner-hub:hub-pw' });
        if (component === 'dind') expect(calls.find((c) => c.argv[0] === 'login')?.stdin).toBe(REGISTRY_PASSWORD);
        expect(stdout).toContain(`cigen: registry credentials for ${component === 'dind' ? '' : '"registry.example.com" '}"${hub}" in`);
      },
    );

    // A file-type CI/CD variable: the runner reads its value, the job's shell gets the path of a file holding it.
    it.each([
      ['kaniko', 'executor', 'https://index.docker.io/v1/'],
      ['buildkit', 'buildctl-daemonless.sh', 'https://index.docker.io/v1/'],
      ['dind', 'docker', 'https://index.docker.io/v1/'],
      ['buildah-rootless', 'buildah', 'docker.io'],
    ])('%s: a file-type DOCKER_AUTH_CONFIG (a path) is read from its file', (component, tool, hub) => {
      const FILE = '/builds/group/app.tmp/DOCKER_AUTH_CONFIG';
      const runner = JSON.stringify({ auths: { 'docker.io': { auth: Buffer.from('runner-hub:hub-pw').toString('base64') } } });
      const { status, stderr, calls } = run(component, mode, {}, { DOCKER_AUTH_CONFIG: FILE }, (b) => writeFileSync(b.path(FILE), runner));
      expect(stderr).not.toContain('cigen: error');
      expect(status).toBe(0);
      const build = calls.find((c) => c.tool === tool && (c.tool === 'executor' || c.tool.startsWith('buildctl') || c.argv[0] === 'build'));
      expect(decodeAuths(build?.config)).toMatchObject({ [hub]: 'runner-hub:hub-pw' });
      for (const call of calls) expect(call.environment).not.toHaveProperty('DOCKER_AUTH_CONFIG');
      // A path to no file, and a file that holds no JSON object, say which.
      const missing = run(component, mode, {}, { DOCKER_AUTH_CONFIG: '/builds/group/app.tmp/NONE' });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe('cigen: error: DOCKER_AUTH_CONFIG is neither a JSON object nor the path of a file the job can read\n');
      const garbage = run(component, mode, {}, { DOCKER_AUTH_CONFIG: FILE }, (b) => writeFileSync(b.path(FILE), 'auths: {}\n'));
      expect(garbage.status).toBe(1);
      expect(garbage.stderr).toBe(`cigen: error: the file DOCKER_AUTH_CONFIG names (${FILE}) is not a JSON object\n`);
    });

    // What each builder would do with a credsStore (GitLab's {"credsStore": "ecr-login"} for pulling the job's image).
    it.each([
      ['kaniko', 'docker'],
      ['buildkit', 'docker'],
      ['dind', 'docker'],
      ['buildah-rootless', 'containers'],
    ] as const)("%s leaves DOCKER_AUTH_CONFIG's credsStore out, saying what its builder (%s) would do with one", (component, reader) => {
      const { status, stdout } = run(component, mode, {}, { DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login' }) });
      expect(status).toBe(0);
      expect(stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
        credsStoreSaid('DOCKER_AUTH_CONFIG', reader).trimEnd(),
      ]);
    });

    // The auth file holds one entry for a host, the first given (the registry input's, then the
    // registries items'): an item that would be left out stops the job before anything is built.
    const BUILDERS = ['buildah', 'buildah-rootless', 'kaniko', 'buildkit', 'dind'];
    const DEPLOY = { host: '$DEPLOY_HOST', user: 'deploy', password: '$DEPLOY_TOKEN' };
    it.each(BUILDERS)("%s refuses a registries item for the registry input's host, once expanded, saying where it goes", (component) => {
      for (const [inputs, host] of [
        [{}, 'registry.example.com'],
        // Docker Hub, however each spells it
        [{ registry: 'docker.io', 'registry-user': '$HUB_USER', 'registry-password': '$HUB_TOKEN' }, 'index.docker.io'],
      ] as const) {
        const { status, stderr, calls } = run(component, mode, { ...inputs, registries: [DEPLOY] }, { ...SECRETS, DEPLOY_HOST: host });
        expect(stderr.trim()).toBe(`cigen: error: input registries: element 1 (${host}): ${REGISTRY_ITEM_CLASH}`);
        expect(status).toBe(1);
        expect(calls).toEqual([]);
      }
    });

    // What migrate writes for a config.json that names the project registry by its host
    // (registry.gitlab.com on GitLab.com): the registry input's own credentials, written once.
    it.each(BUILDERS)("%s takes an item that gives the registry input's host its own credentials, writing them once", (component) => {
      const own = { host: 'registry.example.com', user: '$CI_REGISTRY_USER', password: '$CI_REGISTRY_PASSWORD' };
      const { status, stdout, calls } = run(component, mode, { registries: [own] }, { ...SECRETS });
      expect(status).toBe(0);
      expect(stdout).toContain(
        "cigen: input registries: element 1 (registry.example.com) gives the registry input's own credentials, written once",
      );
      if (component !== 'dind') {
        const auths = decodeAuths(calls.find((c) => c.config)?.config);
        expect(Object.keys(auths).filter((key) => key.includes('registry.example.com'))).toHaveLength(1);
      }
    });

    it.each(BUILDERS)(
      '%s takes the item for that host when registry-user is empty: the registry input gives no credentials then',
      (component) => {
        const { status, calls } = run(
          component,
          mode,
          { 'registry-user': '', registries: [DEPLOY] },
          { DEPLOY_HOST: 'registry.example.com', DEPLOY_TOKEN: 'deploy-s3cret' },
        );
        expect(status).toBe(0);
        const config = calls.find((c) => c.config)?.config;
        expect(decodeAuths(config)).toEqual({ 'registry.example.com': 'deploy:deploy-s3cret' });
      },
    );

    it.each(BUILDERS)('%s refuses two registries items for one host', (component) => {
      const { status, stderr, calls } = run(
        component,
        mode,
        { registries: [{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }, DEPLOY] },
        { ...SECRETS, DEPLOY_HOST: 'registry-1.docker.io' },
      );
      expect(stderr.trim()).toBe(
        'cigen: error: input registries: element 2 (registry-1.docker.io) is for the host of element 1 too, ' +
          'whose credentials would be used alone; give one item per host',
      );
      expect(status).toBe(1);
      expect(calls).toEqual([]);
    });

    // A protected variable is unset on an unprotected branch: the input is then not given, which is
    // legitimate, but the build's later TLS, SSH or 401 error would not say why.
    it.each(BUILDERS)('%s says which input names a variable that is empty or unset, and goes on without it', (component) => {
      const { status, stdout, calls, box } = run(
        component,
        mode,
        { 'ca-certificates': '$COMPANY_CA', ssh: '${DEPLOY_KEY}', 'docker-config': '$DOCKER_CONFIG_FILE' },
        { COMPANY_CA: '' },
      );
      box.dispose();
      expect(status).toBe(0);
      expect(calls.length).toBeGreaterThan(0);
      const unset = (input: string, text: string, without: string) =>
        `cigen: input ${input} is empty: ${text} is empty or unset in this job ` +
        `(GitLab leaves a protected variable unset on an unprotected branch or tag); ${without}`;
      expect(stdout.split('\n').filter((line) => line.includes(' is empty or unset in this job'))).toEqual([
        unset('ssh', '${DEPLOY_KEY}', 'the build gets no SSH agent'),
        unset('ca-certificates', '$COMPANY_CA', 'no certificates are trusted beside those trusted already'),
        unset('docker-config', '$DOCKER_CONFIG_FILE', 'no config.json is started from'),
      ]);
      // Not given at all: nothing said.
      expect(run(component, mode, {}).stdout).not.toContain('is empty or unset');
    });

    // A user without its password would be written as `user:` and refused at the push; a password
    // without its user dropped, the job saying no credentials were given.
    it.each([...BUILDERS, 'promote', 'sign'])(
      '%s stops when one of registry-user and registry-password is empty while the other is not, naming it',
      (component) => {
        const more = component === 'promote' ? { tags: ['x'] } : {};
        const env = { CIGEN_BUILT_REF: `registry.example.com/group/app@sha256:${'a'.repeat(64)}` };
        const why = '(if it is a protected variable: GitLab leaves those unset on an unprotected branch or tag)';
        const advice = "give both, or registry-user: '' for no credentials from these inputs";
        for (const [inputs, vars, message] of [
          [
            { 'registry-user': 'deployer', 'registry-password': '$MY_TOKEN' },
            {},
            `input registry-password is empty: $MY_TOKEN is empty or unset in this job ${why}, and input registry-user is not; ${advice}`,
          ],
          [
            { 'registry-user': '${DEPLOY_USER}', 'registry-password': '$DEPLOY_TOKEN' },
            { DEPLOY_TOKEN: 'other-s3cret' },
            `input registry-user is empty: \${DEPLOY_USER} is empty or unset in this job ${why}, and input registry-password is not; ${advice}`,
          ],
          [
            { 'registry-user': 'deployer', 'registry-password': '' },
            {},
            `input registry-password is empty, and input registry-user is not; ${advice}`,
          ],
        ] as const) {
          const { status, stderr, calls } = run(component, mode, { ...more, ...inputs }, { ...env, ...vars });
          expect(stderr).toBe(`cigen: error: ${message}\n`);
          expect(status).toBe(1);
          expect(calls).toEqual([]);
        }
        // Both empty, or the user written empty: no credentials from these inputs, as before; no
        // registry: none from them either (for promote and sign, only the absence of the refusal is checked here).
        for (const inputs of [
          { 'registry-user': '$DEPLOY_USER', 'registry-password': '$DEPLOY_TOKEN' },
          { 'registry-user': '' },
          { registry: '', 'registry-password': '$DEPLOY_TOKEN' },
        ]) {
          const { status, stderr } = run(component, mode, { ...more, ...inputs }, env);
          expect(stderr).not.toContain(advice);
          if (BUILDERS.includes(component)) expect(status).toBe(0);
        }
      },
    );

    it.each(['kaniko', 'buildkit', 'dind', 'buildah-rootless'])('%s refuses more than 100 push retries', (component) => {
      const { status, stderr } = run(component, mode, { 'push-retries': 101 });
      expect(stderr.trim()).toBe('cigen: error: input push-retries: 101 is more than 100');
      expect(status).toBe(1);
    });
  });
});

const DEPENDENCY_PROXY = {
  CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: 'gitlab.example.com:443/group/dependency_proxy/containers',
  CI_DEPENDENCY_PROXY_SERVER: 'gitlab.example.com:443',
  CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
  CI_DEPENDENCY_PROXY_PASSWORD: 'proxy-s3cret',
};

function readdir(box: Sandbox, dir: string): string[] {
  return existsSync(box.path(dir)) ? readdirSync(box.path(dir)) : [];
}

describe('the docker:dind service entrypoint', () => {
  it.each(INTERPOLATION_MODES)(
    '%s: writes daemon.json from the literal inputs, shares certs.d, then starts the daemon as the image would',
    (mode) => {
      sandbox = createSandbox();
      const box = sandbox;
      const entrypoint = box.path('/usr/local/bin/dockerd-entrypoint.sh');
      writeFileSync(entrypoint, '#!/bin/sh\nprintf "%s\\n" "$@" > /dockerd.args\ncp /etc/docker/daemon.json /daemon.json\n');
      chmodSync(entrypoint, 0o755);
      const { job } = instantiateComponent(
        'dind',
        { 'registry-mirrors': ['mirror.example.com:5000'], 'insecure-registries': ['mirror.example.com:5000'] },
        mode,
      );
      const [service] = job['services'] as { entrypoint: string[]; variables: Record<string, string> }[];
      expect(service?.entrypoint.slice(0, 2)).toEqual(['sh', '-c']);
      // A service gets the job's YAML variables (not the project's CI/CD variables) and its own.
      const env = { ...jobEnvironment(job, {}), ...service?.variables };
      const result = box.run(service?.entrypoint[2] as string, env);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(readFileSync(box.path('/daemon.json'), 'utf8'))).toEqual({
        'registry-mirrors': ['http://mirror.example.com:5000'],
        'insecure-registries': ['mirror.example.com:5000'],
      });
      expect(readFileSync(box.path('/dockerd.args'), 'utf8')).toBe('\n');
      expect(lstatSync(box.path('/etc/docker/certs.d')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(box.path('/etc/docker/certs.d'))).toBe('/certs/client/cigen-certs.d');
      expect(existsSync(box.path('/certs/client/cigen-certs.d/.cigen-dind'))).toBe(true);
    },
  );
});

describe('the docker:dind service entrypoint, given values the job refuses', () => {
  it('leaves them out of daemon.json (the job then fails naming the input) and still starts the daemon', () => {
    sandbox = createSandbox();
    const box = sandbox;
    const entrypoint = box.path('/usr/local/bin/dockerd-entrypoint.sh');
    writeFileSync(entrypoint, '#!/bin/sh\n[ ! -e /etc/docker/daemon.json ] || cp /etc/docker/daemon.json /daemon.json\n: > /started\n');
    chmodSync(entrypoint, 0o755);
    const inputs = {
      'registry-mirrors': ['evil.example.com"], "debug": true, "x": ["', 'ok.example.com'],
      'insecure-registries': ['a b', '$(id)'],
    };
    const { job } = instantiateComponent('dind', inputs, 'classic');
    const [service] = job['services'] as { entrypoint: string[]; variables: Record<string, string> }[];
    const result = box.run(service?.entrypoint[2] as string, { ...jobEnvironment(job, {}), ...service?.variables });
    expect(result.status).toBe(0);
    expect(existsSync(box.path('/started'))).toBe(true);
    expect(JSON.parse(readFileSync(box.path('/daemon.json'), 'utf8'))).toEqual({
      'registry-mirrors': ['https://ok.example.com'],
      'insecure-registries': [],
    });
  });
});
