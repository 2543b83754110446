/**
 * The supply-chain jobs as a runner runs them — the sign, sbom, provenance and verify
 * components, and the jobs a builder's sign/sbom/provenance switches add — in both interpolation
 * modes, under bash and busybox sh, with the CLI image's entry point (`cigen`) stubbed to record
 * its argv and what reached its environment. The contract: the exact `cigen` command line, inputs
 * as data (one argument each), no secret on the command line or in the log (the OIDC token and
 * the key password reach cigen in its environment only), a clear line for each refusal, and
 * shellcheck-clean scripts. Hostile input values: refused by GitLab, or data that runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findComponent } from '../../src/catalog/registry.js';
import { INTERPOLATION_MODES, instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { BIN } from '../helpers/cli.js';
import { componentText, credsStoreSaid, jobEnvironment, jobScript, predefinedVariables, REGISTRY_PASSWORD } from '../helpers/job.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2lnc3RvcmUtdG9rZW4tbmV2ZXItcHJpbnRlZA.c2ln';
const KEY_PASSWORD = 'key-password-never-printed-Zq9';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const BUILT = `registry.example.com/group/app@${DIGEST}`;
const SHELLS: readonly (readonly string[])[] = [['bash'], ['busybox', 'sh']];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function jobsOf(component: string, inputs: Record<string, unknown>, mode: InterpolationMode) {
  const instance = instantiate(splitComponentFile(componentText(component)), inputs, mode);
  return { errors: instance.errors, jobs: (instance.content ?? {}) as Record<string, Record<string, unknown>> };
}

interface Run {
  status: number | null;
  log: string;
  stderr: string;
  argv: string[];
  /** What cigen found in its environment: the token and key password, present or not. */
  env: Record<string, string>;
  dir: string;
}

/** A job run with `cigen` stubbed (it records its argv and environment), or, `cli: 'real'`, this checkout's CLI. */
function run(
  job: Record<string, unknown>,
  shell: readonly string[],
  variables: Record<string, string> = {},
  { cli = 'stub', before = '', after = '' }: { cli?: 'stub' | 'real'; before?: string; after?: string } = {},
): Run {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-supply-job-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'cigen'),
    cli === 'real'
      ? `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`
      : `#!/bin/sh\nfor a do printf '%s\\n' "$a"; done > "${dir}/argv"\n` +
          `printf 'token=%s\\npassword=%s\\n' "\${SIGSTORE_ID_TOKEN:+set}" "\${CIGEN_KEY_PASSWORD-}" > "${dir}/env"\n` +
          `cat "$DOCKER_CONFIG/config.json" > "${dir}/docker-config" 2>/dev/null || true\n` +
          `printf '%s' "\${REGISTRY_AUTH_FILE-}" > "${dir}/registry-auth-file"\n` +
          `printf '%s' "$DOCKER_CONFIG/config.json" > "${dir}/docker-config-file"\n` +
          `cat "\${NODE_EXTRA_CA_CERTS-}" > "${dir}/node-ca" 2>/dev/null || true\n`,
  );
  chmodSync(join(dir, 'cigen'), 0o755);
  writeFileSync(join(dir, 'cosign.key'), '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
  const environment = {
    ...jobEnvironment(
      job,
      predefinedVariables(dir, { CI_SERVER_URL: 'https://gitlab.example.com', SIGSTORE_ID_TOKEN: TOKEN, ...variables }),
    ),
    PATH: `${dir}:/usr/bin:/bin`,
    HOME: dir,
  };
  const script = [before, jobScript(job), after].join('\n');
  const result = spawnSync(shell[0] as string, [...shell.slice(1), '-c', script], { env: environment, encoding: 'utf8', cwd: dir });
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  const env = Object.fromEntries(
    read('env')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    status: result.status,
    log: result.stdout + result.stderr,
    stderr: result.stderr,
    argv: read('argv').trimEnd().split('\n').filter(Boolean),
    env,
    dir,
  };
}

const expectNoSecret = (r: Run) => {
  for (const secret of [TOKEN, KEY_PASSWORD, REGISTRY_PASSWORD]) {
    expect(r.log).not.toContain(secret);
    expect(r.argv.join(' ')).not.toContain(secret);
  }
};

const PUBLIC = ['--fulcio-url', 'https://fulcio.sigstore.dev', '--rekor-url', 'https://rekor.sigstore.dev'];

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  describe.each(SHELLS)('%s', (...shell) => {
    it.each([
      ['sign', 'cigen-sign.env', []],
      ['sbom', 'cigen-sbom.env', ['--output-dir', '/cigen-sbom']],
      ['provenance', 'cigen-provenance.env', ['--output', '/cigen-provenance.json']],
    ] as const)('the %s component: keyless by default, the token in the environment only', (kind, report, extra) => {
      const { jobs } = jobsOf(kind, {}, mode);
      const [name, job] = Object.entries(jobs)[0]!;
      expect(name).toBe(`${kind}-image`);
      expect(job['needs']).toEqual([{ job: 'build-image', artifacts: true, optional: true }]);
      expect(job['id_tokens']).toEqual({ SIGSTORE_ID_TOKEN: { aud: 'sigstore' } });
      expect(job['image']).toEqual({ name: '$CI_REGISTRY/ci-components/cigen/cli:1.1.0', entrypoint: [''] });
      const r = run(job, shell, { CIGEN_BUILT_REF: BUILT });
      expect(r.status, r.log).toBe(0);
      expect(r.argv).toEqual([
        kind,
        ...PUBLIC,
        '--report',
        `${r.dir}/${report}`,
        ...extra.map((a) => (a.startsWith('/') ? `${r.dir}${a}` : a)),
        BUILT,
      ]);
      expect(r.env).toMatchObject({ token: 'set', password: '' });
      expect(r.log).toContain("signing keylessly with this job's identity (Fulcio https://fulcio.sigstore.dev)");
      // The registry credentials cigen reads: a private config.json, the password only there.
      expect(readFileSync(join(r.dir, 'docker-config'), 'utf8')).toContain(
        Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64'),
      );
      expectNoSecret(r);
    });

    it('with a key: its file, the password from a masked variable into the environment only, a private Sigstore', () => {
      const { jobs } = jobsOf(
        'sign',
        {
          'signing-key': '$COSIGN_KEY',
          'signing-key-password': '$COSIGN_PASSWORD',
          'fulcio-url': 'https://fulcio.internal:8443',
          'rekor-url': 'https://rekor.internal',
          'tsa-url': 'https://tsa.internal/api',
          'image-ref': '$MY_REF',
        },
        mode,
      );
      const job = Object.values(jobs)[0]!;
      const r = run(job, shell, { MY_REF: BUILT, COSIGN_KEY: '/dev/null/none', COSIGN_PASSWORD: KEY_PASSWORD });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('cigen: error: input signing-key: neither PEM text nor a readable file (a file-type variable holds a path)\n');
      const ok = run(job, shell, { MY_REF: BUILT, COSIGN_KEY: 'cosign.key', COSIGN_PASSWORD: KEY_PASSWORD });
      expect(ok.status, ok.log).toBe(0);
      expect(ok.argv).toEqual([
        'sign',
        '--fulcio-url',
        'https://fulcio.internal:8443',
        '--rekor-url',
        'https://rekor.internal',
        '--report',
        `${ok.dir}/cigen-sign.env`,
        '--tsa-url',
        'https://tsa.internal/api',
        '--key',
        'cosign.key',
        BUILT,
      ]);
      expect(ok.env['password']).toBe(KEY_PASSWORD);
      expect(ok.log).toContain('signing with the key in input signing-key');
      expectNoSecret(ok);
    });

    it('refuses, each with one line: no image, an image by tag, no token for keyless signing', () => {
      const job = Object.values(jobsOf('sign', {}, mode).jobs)[0]!;
      expect(run(job, shell).stderr).toBe(
        'cigen: error: no image to sign: input image-ref is empty (is the build job in needs: and did it push?)\n',
      );
      expect(run(job, shell, { CIGEN_BUILT_REF: 'registry.example.com/group/app:latest' }).stderr).toBe(
        "cigen: error: the image 'registry.example.com/group/app:latest' is not named by digest (IMAGE@sha256:...): " +
          'a tag can move between signing and deploying\n',
      );
      // From a variable, a reference that would be an option of the cigen command.
      const option = `--policy=/tmp/p.yml@sha256:${'a'.repeat(64)}`;
      const asOption = run(job, shell, { CIGEN_BUILT_REF: option });
      expect(asOption.stderr).toBe(`cigen: error: the image '${option}' is not an image reference (it starts with '-')\n`);
      expect(asOption.argv).toEqual([]);
      expect(run(job, shell, { CIGEN_BUILT_REF: BUILT, SIGSTORE_ID_TOKEN: '' }).stderr).toBe(
        "cigen: error: keyless signing needs the job's OIDC token in SIGSTORE_ID_TOKEN (id_tokens); " +
          'or give signing-key to sign with a key\n',
      );
    });

    it('the buildah switches: the same jobs after the build, the provenance one naming buildah and its inputs', () => {
      const { jobs } = jobsOf('buildah', { sign: true, sbom: true, provenance: true, tags: ['v1', '$CI_COMMIT_SHORT_SHA'] }, mode);
      expect(Object.keys(jobs)).toEqual(['build-image', 'build-image:sign', 'build-image:sbom', 'build-image:provenance']);
      for (const kind of ['sign', 'sbom', 'provenance'])
        expect(jobs[`build-image:${kind}`]?.['rules']).toEqual([{ if: '"true" == "true"' }]);
      const provenance = jobs['build-image:provenance'] as Record<string, unknown>;
      const r = run(provenance, shell, { CIGEN_BUILT_REF: BUILT });
      expect(r.status, r.log).toBe(0);
      expect(r.argv).toEqual([
        'provenance',
        ...PUBLIC,
        '--report',
        `${r.dir}/cigen-provenance.env`,
        '--output',
        `${r.dir}/cigen-provenance.json`,
        '--component',
        'buildah',
        BUILT,
      ]);
      // The build's inputs travel to cigen as the build job's own variables, for the provenance.
      const variables = provenance['variables'] as Record<string, { value: string }>;
      expect(Object.keys(variables)).toContain('CIGEN_TAGS');
      expect(Object.keys(variables)).not.toContain('CIGEN_REGISTRY_MIRRORS');
      const none = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: '' });
      expect(none.stderr).toBe('cigen: error: no image to sign: CIGEN_BUILT_REF is empty (push: false builds only)\n');
    });

    it("the switches' jobs log in with the credentials the build pushed with: registries and docker-config", () => {
      const harbor = 'harbor.example.com';
      const { jobs } = jobsOf(
        'buildah',
        {
          sign: true,
          sbom: true,
          provenance: true,
          image: `${harbor}/group/app`,
          registry: '',
          registries: [{ host: harbor, user: '$HARBOR_USER', password: '$HARBOR_PW' }],
          'docker-config': '$DOCKER_CONFIG_FILE',
        },
        mode,
      );
      const dir = mkdtempSync(join(tmpdir(), 'cigen-supply-config-'));
      dirs.push(dir);
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('q:secret-q').toString('base64') } } }),
      );
      for (const kind of ['sign', 'sbom', 'provenance']) {
        const r = run(jobs[`build-image:${kind}`] as Record<string, unknown>, shell, {
          CIGEN_BUILT_REF: `${harbor}/group/app@${DIGEST}`,
          HARBOR_USER: 'robot',
          HARBOR_PW: 'harbor-secret-Zq9',
          DOCKER_CONFIG_FILE: join(dir, 'config.json'),
        });
        expect(r.status, r.log).toBe(0);
        const auths = (JSON.parse(readFileSync(join(r.dir, 'docker-config'), 'utf8')) as { auths: Record<string, { auth: string }> }).auths;
        expect(auths[harbor]?.auth).toBe(Buffer.from('robot:harbor-secret-Zq9').toString('base64'));
        expect(auths['quay.io']?.auth).toBe(Buffer.from('q:secret-q').toString('base64'));
        expect(r.log).not.toContain('harbor-secret-Zq9');
      }
    });

    it.each(['sign', 'verify'])('the %s component takes registries too', (component) => {
      const { jobs } = jobsOf(component, { registries: [{ host: 'harbor.example.com', user: 'robot', password: '$HARBOR_PW' }] }, mode);
      const r = run(Object.values(jobs)[0] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT, HARBOR_PW: 'harbor-secret-Zq9' });
      expect(r.status, r.log).toBe(0);
      const auths = (JSON.parse(readFileSync(join(r.dir, 'docker-config'), 'utf8')) as { auths: Record<string, { auth: string }> }).auths;
      expect(auths['harbor.example.com']?.auth).toBe(Buffer.from('robot:harbor-secret-Zq9').toString('base64'));
    });

    it.each(['sign', 'verify'])(
      "the %s component: the inputs' credentials win over a project's REGISTRY_AUTH_FILE, which cigen reads first",
      (component) => {
        const { jobs } = jobsOf(component, {}, mode);
        const dir = mkdtempSync(join(tmpdir(), 'cigen-supply-raf-'));
        dirs.push(dir);
        const raf = join(dir, 'auth.json');
        const pull = Buffer.from('pull-deploy-token:readonly').toString('base64');
        const quay = Buffer.from('q:quay-secret').toString('base64');
        writeFileSync(raf, JSON.stringify({ auths: { 'registry.example.com': { auth: pull }, 'quay.io': { auth: quay } } }));
        const r = run(Object.values(jobs)[0] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT, REGISTRY_AUTH_FILE: raf });
        expect(r.status, r.log).toBe(0);
        const auths = (JSON.parse(readFileSync(join(r.dir, 'docker-config'), 'utf8')) as { auths: Record<string, { auth: string }> }).auths;
        expect(auths['registry.example.com']?.auth).toBe(Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64'));
        expect(auths['quay.io']?.auth).toBe(quay);
        // cigen reads REGISTRY_AUTH_FILE before DOCKER_CONFIG: both name the merged file.
        expect(readFileSync(join(r.dir, 'registry-auth-file'), 'utf8')).toBe(readFileSync(join(r.dir, 'docker-config-file'), 'utf8'));
      },
    );

    it("with registry-login, the switches' jobs stop at once with what to do: its credentials are the build job's", () => {
      const { jobs } = jobsOf(
        'buildah',
        { sign: true, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', 'registry-login': 'ecr' },
        mode,
      );
      const r = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        "cigen: error: input registry-login: the sign job cannot log in with it (ecr's short-lived credentials are made in the build " +
          'job only): give credentials for registry.example.com through docker-config (or DOCKER_AUTH_CONFIG), or set sign to false\n',
      );
      expect(r.argv).toEqual([]);
      // Credentials given the one way the build's registry-login lets through: the job goes on with them.
      const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
      const given = run(jobs['build-image:sign'] as Record<string, unknown>, shell, {
        CIGEN_BUILT_REF: `${ecr}/app@${DIGEST}`,
        DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [ecr]: { auth: Buffer.from('AWS:token').toString('base64') } } }),
      });
      expect(given.status, given.log).toBe(0);
      expect(readFileSync(join(given.dir, 'docker-config'), 'utf8')).toContain(Buffer.from('AWS:token').toString('base64'));
    });

    it("ca-certificates reaches cigen as NODE_EXTRA_CA_CERTS: the switches' jobs (the build's CA) and the components", () => {
      const ca = '-----BEGIN CERTIFICATE-----\nMIIBcompanyCA\n-----END CERTIFICATE-----';
      const runner = '-----BEGIN CERTIFICATE-----\nMIIBrunnerCA\n-----END CERTIFICATE-----\n';
      const { jobs } = jobsOf('buildah', { sign: true, sbom: true, provenance: true, 'ca-certificates': '$COMPANY_CA' }, mode);
      const file = join(mkdtempSync(join(tmpdir(), 'cigen-supply-ca-')), 'ca.crt');
      dirs.push(join(file, '..'));
      writeFileSync(file, `${ca}\n`);
      const runnerFile = join(file, '..', 'runner.crt');
      writeFileSync(runnerFile, runner);
      const jobsWithCa = [
        ...['sign', 'sbom', 'provenance'].map((kind) => jobs[`build-image:${kind}`] as Record<string, unknown>),
        ...['sign', 'verify'].map((component) => Object.values(jobsOf(component, { 'ca-certificates': '$COMPANY_CA' }, mode).jobs)[0]!),
      ];
      for (const job of jobsWithCa) {
        // PEM text in a variable, and a file-type variable's path.
        for (const value of [ca, file]) {
          const r = run(job, shell, { CIGEN_BUILT_REF: BUILT, COMPANY_CA: value });
          expect(r.status, r.log).toBe(0);
          expect(readFileSync(join(r.dir, 'node-ca'), 'utf8')).toBe(`${ca}\n`);
        }
        // A NODE_EXTRA_CA_CERTS the runner already sets is kept beside it.
        const both = run(job, shell, { CIGEN_BUILT_REF: BUILT, COMPANY_CA: ca, NODE_EXTRA_CA_CERTS: runnerFile });
        expect(both.status, both.log).toBe(0);
        expect(readFileSync(join(both.dir, 'node-ca'), 'utf8')).toBe(`${ca}\n${runner}`);
        const none = run(job, shell, { CIGEN_BUILT_REF: BUILT, COMPANY_CA: 'not a certificate' });
        expect(none.stderr).toBe(
          'cigen: error: input ca-certificates: neither PEM text nor a readable file (a file-type variable holds a path)\n',
        );
        expect(none.argv).toEqual([]);
      }
      const without = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT, COMPANY_CA: '' });
      expect(without.status, without.log).toBe(0);
      expect(readFileSync(join(without.dir, 'node-ca'), 'utf8')).toBe('');
    });

    it("insecure-registries naming the image's registry: the switches' jobs stop at once (cigen checks every certificate)", () => {
      const { jobs } = jobsOf('buildah', { sign: true, 'insecure-registries': ['registry.example.com', 'lab.example.com:5000'] }, mode);
      const r = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        'cigen: error: input insecure-registries: the sign job reaches registry.example.com over HTTPS with its certificate checked ' +
          '(cigen has no way around it): give the CA that signed it in ca-certificates, or set sign to false\n',
      );
      expect(r.argv).toEqual([]);
      // Another registry in the list, or a registry on the loopback interface (plain HTTP): the job goes on.
      for (const image of [`quay.io/group/app@${DIGEST}`, `127.0.0.1:5000/group/app@${DIGEST}`]) {
        const other = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: image });
        expect(other.status, other.log).toBe(0);
      }
      const local = jobsOf('buildah', { sign: true, 'insecure-registries': ['127.0.0.1:5000'] }, mode).jobs;
      const loopback = run(local['build-image:sign'] as Record<string, unknown>, shell, {
        CIGEN_BUILT_REF: `127.0.0.1:5000/group/app@${DIGEST}`,
      });
      expect(loopback.status, loopback.log).toBe(0);
      // Another 127.x: cigen reaches it over HTTPS, as @sigstore/oci attaches to it.
      const other = jobsOf('buildah', { sign: true, 'insecure-registries': ['127.0.0.2:5000'] }, mode).jobs;
      const elsewhere = run(other['build-image:sign'] as Record<string, unknown>, shell, {
        CIGEN_BUILT_REF: `127.0.0.2:5000/group/app@${DIGEST}`,
      });
      expect(elsewhere.stderr).toBe(
        'cigen: error: input insecure-registries: the sign job reaches 127.0.0.2:5000 over HTTPS with its certificate checked ' +
          '(cigen has no way around it): give the CA that signed it in ca-certificates, or set sign to false\n',
      );
      expect(elsewhere.status).toBe(1);
    });

    it("tls-verify: false: the switches' jobs say that cigen still checks the certificate, and go on", () => {
      const { jobs } = jobsOf('buildah', { sign: true, 'tls-verify': false }, mode);
      const r = run(jobs['build-image:sign'] as Record<string, unknown>, shell, { CIGEN_BUILT_REF: BUILT });
      expect(r.status, r.log).toBe(0);
      expect(r.log).toContain(
        'input tls-verify is false: the sign job still checks the certificate of registry.example.com; give the CA that signed it in ca-certificates if it is not a public one',
      );
    });

    it('the verify component refuses an image-ref that would be an option of the cigen command', () => {
      const job = Object.values(jobsOf('verify', { 'image-ref': '$IMG' }, mode).jobs)[0]!;
      const option = `--policy=/tmp/p.yml@sha256:${'a'.repeat(64)}`;
      const r = run(job, shell, { IMG: option, CI_PROJECT_PATH: 'group/app' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`cigen: error: the image '${option}' is not an image reference (it starts with '-')\n`);
      expect(r.argv).toEqual([]);
    });

    // cigen's own reader asks a credsStore only for a registry without an entry (src/supply/registry.ts).
    it.each(['sign', 'sbom', 'provenance', 'verify'])(
      "the %s component leaves DOCKER_AUTH_CONFIG's credsStore out, saying what cigen would do with one",
      (kind) => {
        const job = Object.values(jobsOf(kind, {}, mode).jobs)[0]!;
        const r = run(job, shell, {
          CIGEN_BUILT_REF: BUILT,
          CI_PROJECT_PATH: 'group/app',
          DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login' }),
        });
        expect(r.status, r.log).toBe(0);
        expect(r.log.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
          credsStoreSaid('DOCKER_AUTH_CONFIG', 'cigen').trimEnd(),
        ]);
        expect(readFileSync(join(r.dir, 'docker-config'), 'utf8')).not.toContain('credsStore');
      },
    );

    it('the verify component: this GitLab, this project, SBOM and provenance required by default', () => {
      const { jobs } = jobsOf('verify', {}, mode);
      const job = jobs['verify-image']!;
      expect(job['stage']).toBe('deploy');
      const r = run(job, shell, { CIGEN_BUILT_REF: BUILT, CI_PROJECT_PATH: 'group/app' });
      expect(r.status, r.log).toBe(0);
      expect(r.argv).toEqual([
        'verify',
        BUILT,
        '--certificate-oidc-issuer',
        'https://gitlab.example.com',
        '--project',
        'group/app',
        '--require',
        'sbom',
        '--require',
        'provenance',
      ]);
      const keyed = Object.values(
        jobsOf(
          'verify',
          { key: '$COSIGN_PUBLIC_KEY', require: [], 'protected-ref': true, policy: 'deploy/policy.yml', 'trusted-root': '$ROOT_JSON' },
          mode,
        ).jobs,
      )[0]!;
      const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
      writeFileSync(join(r.dir, 'policy.yml'), 'require: [sbom]\n');
      const k = run(keyed, shell, { CIGEN_BUILT_REF: BUILT, COSIGN_PUBLIC_KEY: pem, ROOT_JSON: '{"mediaType": "x"}' });
      expect(k.status).toBe(1);
      expect(k.stderr).toBe('cigen: error: input policy: not a readable file, nor PEM or JSON text\n');
      const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-project-'));
      dirs.push(dir);
      mkdirSync(join(dir, 'deploy'));
      writeFileSync(join(dir, 'deploy/policy.yml'), 'require: [sbom]\n');
      const ok = run(keyed, shell, {
        CIGEN_BUILT_REF: BUILT,
        COSIGN_PUBLIC_KEY: pem,
        ROOT_JSON: '{"mediaType": "x"}',
        CI_PROJECT_DIR: dir,
      });
      expect(ok.status, ok.log).toBe(0);
      // PEM and JSON text from variables go into private files; the policy is read from the project.
      expect(ok.argv).toEqual([
        'verify',
        BUILT,
        '--key',
        expect.stringMatching(/\/key\.pub$/),
        '--protected-ref',
        '--policy',
        `${dir}/deploy/policy.yml`,
        '--trusted-root',
        expect.stringMatching(/\/trusted-root\.json$/),
      ]);
      expect(ok.argv).not.toContain('--require');
    });

    it('the verify component with a key: an identity or a ref pattern set beside it stops the job, as `cigen verify` refuses it', () => {
      const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
      const env = { CIGEN_BUILT_REF: BUILT, CI_PROJECT_PATH: 'group/app', COSIGN_PUBLIC_KEY: pem };
      const withKey = (inputs: Record<string, unknown>) =>
        Object.values(jobsOf('verify', { key: '$COSIGN_PUBLIC_KEY', require: [], ...inputs }, mode).jobs)[0]!;
      // Left at their defaults, the issuer and the project are no identity beside the key.
      const keyOnly = run(withKey({}), shell, env);
      expect(keyOnly.status, keyOnly.log).toBe(0);
      expect(keyOnly.argv).toEqual(['verify', BUILT, '--key', expect.stringMatching(/\/key\.pub$/)]);
      const identity = 'give a key or an identity (issuer with subject, subject-regexp or project), not both';
      for (const [inputs, passed, refusal] of [
        [
          { 'ref-pattern': 'refs/heads/main' },
          ['--ref-pattern', 'refs/heads/main'],
          '--ref-pattern goes with --project; a key names no ref',
        ],
        [{ project: 'group/other' }, ['--project', 'group/other'], identity],
        [{ 'certificate-oidc-issuer': 'https://gitlab.com' }, ['--certificate-oidc-issuer', 'https://gitlab.com'], identity],
      ] as const) {
        const job = withKey(inputs);
        expect(run(job, shell, env).argv).toEqual(['verify', BUILT, '--key', expect.stringMatching(/\/key\.pub$/), ...passed]);
        const refused = run(job, shell, env, { cli: 'real' });
        expect(refused.status, refused.log).toBe(1);
        expect(refused.stderr).toContain(`${refusal}\n`);
        expect(refused.stderr).toContain('cigen: error: cigen verify failed (exit 2).');
      }
    });

    it('the verify component with a policy file: identity inputs left at their defaults do not replace its signer, ref pattern or key', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cigen-verify-policy-'));
      dirs.push(dir);
      writeFileSync(
        join(dir, 'policy.yml'),
        'identity: {issuer: https://gitlab.example.com, project: group/app, ref-pattern: refs/heads/main}\n',
      );
      const env = { CIGEN_BUILT_REF: BUILT, CI_PROJECT_PATH: 'group/app', CI_PROJECT_DIR: dir };
      const defaults = run(Object.values(jobsOf('verify', { policy: 'policy.yml' }, mode).jobs)[0]!, shell, env);
      expect(defaults.status, defaults.log).toBe(0);
      expect(defaults.argv).toEqual(['verify', BUILT, '--require', 'sbom', '--require', 'provenance', '--policy', `${dir}/policy.yml`]);
      // Set to something else, an input wins over the file, as its description says.
      const set = run(
        Object.values(jobsOf('verify', { policy: 'policy.yml', project: 'group/other', 'ref-pattern': 'refs/tags/.*' }, mode).jobs)[0]!,
        shell,
        env,
      );
      expect(set.status, set.log).toBe(0);
      expect(set.argv).toEqual([
        'verify',
        BUILT,
        '--project',
        'group/other',
        '--ref-pattern',
        'refs/tags/.*',
        '--require',
        'sbom',
        '--require',
        'provenance',
        '--policy',
        `${dir}/policy.yml`,
      ]);
    });
  });
});

// The runner runs the job's lines in one shell: those after the component's run with the options
// the shell had before it (no `set -u` left on, no `set -e` added, tracing and noglob back).
describe.each(SHELLS)("the job shell's options at the end, as cigen found them: %s", (...shell) => {
  it.each(['sign', 'sbom', 'provenance', 'verify'])('%s', (component) => {
    const job = Object.values(jobsOf(component, {}, 'classic').jobs)[0]!;
    const r = run(
      job,
      shell,
      { CIGEN_BUILT_REF: BUILT },
      {
        before: 'set -f -x\ncigen_before=$-',
        after: 'printf "options: %s %s\\n" "$cigen_before" "$-"\nprintf "after: [%s]\\n" "$OPTIONAL"',
      },
    );
    expect(r.status, r.log).toBe(0);
    const [, before, after] = /^options: (\S+) (\S+)$/m.exec(r.log) ?? [];
    expect(before).toMatch(/f/);
    expect(after).toBe(before);
    expect(r.log).toContain('after: []\n');
  });
});

describe('shellcheck', () => {
  const scripts = [
    ...['sign', 'sbom', 'provenance', 'verify'].map((c) => [c, Object.values(jobsOf(c, {}, 'classic').jobs)[0]!] as const),
    ...['sign', 'sbom', 'provenance'].map((k) => [`buildah:${k}`, jobsOf('buildah', {}, 'classic').jobs[`build-image:${k}`]!] as const),
  ];
  it.each(scripts)('%s is clean as sh and bash', (_name, job) => {
    for (const dialect of ['sh', 'bash']) {
      const result = spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], {
        input: (job['script'] as string[]).join('\n'),
        encoding: 'utf8',
      });
      expect(result.stdout, dialect).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

/** The attack matrix for these components' string and array inputs (see test/security/attack-matrix.test.ts). */
describe('hostile input values', () => {
  const PAYLOADS = [
    '$(touch /tmp/pwned-supply-1)',
    '`touch /tmp/pwned-supply-2`',
    'x; touch /tmp/pwned-supply-3',
    `x' "; touch /tmp/pwned-supply-4; echo '`,
    'x\ntouch /tmp/pwned-supply-5',
    '--all',
    '$[[ inputs.stage ]]',
    'x\u0085after_script: [touch /tmp/pwned-supply-6]',
    'x\u2028  after_script: ["touch /tmp/pwned-supply-7"]\u2028  z: ["',
  ];
  const cases = ['sign', 'sbom', 'provenance', 'verify'].flatMap((component) =>
    Object.entries(findComponent(component)?.inputs ?? {})
      .filter(([, input]) => input.type === 'string' || input.type === 'array')
      .map(([name, input]) => [component, name, input.type] as const),
  );
  it.each(cases)('%s input %s (%s)', (component, name, type) => {
    for (const mode of INTERPOLATION_MODES) {
      for (const payload of PAYLOADS) {
        const { errors, jobs } = jobsOf(component, { [name]: type === 'array' ? ['sbom', payload] : payload }, mode);
        if (errors.length > 0) continue;
        const entries = Object.values(jobs);
        // Arrays under text interpolation only: GitLab has no regex for them (SECURITY.md).
        if (entries.length !== 1) {
          expect({ mode, type }).toEqual({ mode: 'text', type: 'array' });
          continue;
        }
        const r = run(entries[0]!, ['bash'], { CIGEN_BUILT_REF: BUILT });
        expect(readdirSync('/tmp').filter((f) => f.startsWith('pwned-supply'))).toEqual([]);
        expectNoSecret(r);
        if (r.status !== 0) {
          expect(r.status, r.log).toBe(1);
          expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^cigen: error: /);
        }
      }
    }
  });
});

describe('a registry input that expands to something other than a host', () => {
  // It becomes a config.json key: a quote would rewrite the file (a credsStore of its choosing).
  it.each(['sign', 'verify'])('%s refuses it before writing a config.json or running cigen', (component) => {
    const forged = 'r":{}},"credsStore":"evil","x":{"y';
    for (const mode of INTERPOLATION_MODES) {
      const { jobs } = jobsOf(component, { registry: '$FORGED' }, mode);
      const r = run(Object.values(jobs)[0]!, ['bash'], { CIGEN_BUILT_REF: BUILT, FORGED: forged });
      expect(r.stderr).toBe(`cigen: error: input registry: '${forged}' is not a registry host\n`);
      expect(r.status).toBe(1);
      expect(r.argv).toEqual([]);
    }
  });
});
