/**
 * The release components as a runner runs them — promote (skopeo), manifest (Buildah), and the
 * buildah-native fan-out (one Buildah job per architecture, then the index job) — in both
 * interpolation modes, under bash and busybox sh, in the sandbox with stub executables that record
 * their argv and the config.json they could read. The contract: the exact commands, credentials
 * only in the private config.json, the dotenv report, one line for each refusal, and shellcheck.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION_TAG_PIPELINE } from '../../src/builders/tag-rules.js';
import { INTERPOLATION_MODES, instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { REGISTRY_PASSWORD, componentText, credsStoreSaid, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox, type Shell, type StubCall } from '../helpers/sandbox.js';

const IMG = 'registry.example.com/group/app';
const HEX = (c: string) => c.repeat(64);
const AMD64 = `sha256:${HEX('a')}`;
const ARM64 = `sha256:${HEX('b')}`;
const OCI_IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_IMAGE = 'application/vnd.docker.distribution.manifest.v2+json';
const entry = (digest: string, arch: string, type = OCI_IMAGE, variant?: string) => ({
  mediaType: type,
  size: 503,
  digest,
  platform: { architecture: arch, os: 'linux', ...(variant ? { variant } : {}) },
});
const index = (...manifests: unknown[]) =>
  JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 4);
/** What `skopeo inspect --raw` gives for the built index: compact, as a registry serves it. */
const INDEX = JSON.stringify(JSON.parse(index(entry(AMD64, 'amd64'), entry(ARM64, 'arm64'))));
const INDEX_DIGEST = `sha256:${spawnSync('sha256sum', { input: INDEX, encoding: 'utf8' }).stdout.slice(0, 64)}`;
/** An attestation manifest as buildx --push adds one for each image: no platform's image. */
const attestation = (digest: string, subject: string) => ({
  ...entry(digest, 'unknown'),
  platform: { architecture: 'unknown', os: 'unknown' },
  annotations: { 'vnd.docker.reference.digest': subject, 'vnd.docker.reference.type': 'attestation-manifest' },
});
const ATT1 = `sha256:${'c'.repeat(64)}`;
const ATT2 = `sha256:${'d'.repeat(64)}`;
const WITH_ATTESTATIONS = JSON.stringify(
  JSON.parse(index(entry(AMD64, 'amd64'), entry(ARM64, 'arm64'), attestation(ATT1, AMD64), attestation(ATT2, ARM64))),
);
const WITH_ATTESTATIONS_DIGEST = `sha256:${spawnSync('sha256sum', { input: WITH_ATTESTATIONS, encoding: 'utf8' }).stdout.slice(0, 64)}`;
const SINGLE = JSON.stringify({ schemaVersion: 2, mediaType: OCI_IMAGE, config: {}, layers: [] });
const SINGLE_DIGEST = `sha256:${spawnSync('sha256sum', { input: SINGLE, encoding: 'utf8' }).stdout.slice(0, 64)}`;
/** The stub's digest for every buildah push. */
const STUB_DIGEST = `sha256:${HEX('1')}`;
const SHELLS: readonly Shell[] = ['bash', 'busybox'];
const TAG_PIPELINE = { CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_NAME: 'v1.2.3', CI_COMMIT_REF_SLUG: 'v1-2-3' };

let box: Sandbox;
/** The runner's registries.conf (CONTAINERS_REGISTRIES_CONF), which a job with mirrors or insecure hosts starts its own from. */
const RUNNER_REGISTRIES = 'unqualified-search-registries = ["docker.io"]\n';
beforeAll(() => {
  box = createSandbox();
  mkdirSync(box.path('/etc/runner'), { recursive: true });
  writeFileSync(box.path('/etc/runner/registries.conf'), RUNNER_REGISTRIES);
});
afterAll(() => box.dispose());

function jobsOf(component: string, inputs: Record<string, unknown>, mode: InterpolationMode) {
  const instance = instantiate(splitComponentFile(componentText(component)), inputs, mode);
  if (instance.errors.length > 0 || !instance.content) throw new Error(`inputs refused: ${instance.errors.join('; ')}`);
  return instance.content as Record<string, Record<string, unknown>>;
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: StubCall[];
  report: Record<string, string>;
}

const tmp = (text: string) => text.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>');

function run(job: Record<string, unknown>, shell: Shell, variables: Record<string, string> = {}): Run {
  box.reset();
  const reportFile = box.path(`${box.projectDir}/cigen-build.env`);
  spawnSync('rm', ['-f', reportFile]);
  const env = { ...jobEnvironment(job, predefinedVariables(box.projectDir, variables)), ...variables };
  const result = box.run(jobScript(job), env, shell);
  const report = existsSync(reportFile)
    ? Object.fromEntries(
        readFileSync(reportFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      )
    : {};
  const calls = box.calls().map((call) => ({ ...call, argv: call.argv.map(tmp) }));
  for (const text of [result.stdout, result.stderr, ...calls.map((c) => c.argv.join(' '))]) {
    expect(text).not.toContain(REGISTRY_PASSWORD);
    expect(text).not.toContain(Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64'));
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, report };
}

/** A run that stops with one line, the last of stderr, and leaves no report. */
function refused(r: Run): string {
  expect(r.status, r.stdout + r.stderr).toBe(1);
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  expect(last).toMatch(/^cigen: error: /);
  return last.replace(/^cigen: error: /, '');
}

const argvs = (r: Run, tool: string) => r.calls.filter((c) => c.tool === tool).map((c) => c.argv);

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  describe.each(SHELLS)('%s', (shell) => {
    describe('promote', () => {
      const promote = (inputs: Record<string, unknown> = {}) =>
        Object.values(jobsOf('promote', inputs, mode))[0] as Record<string, unknown>;

      it('in a v1.2.3 pipeline copies the built index, whole, to 1.2.3, 1.2 and latest; the report names it', () => {
        const job = promote();
        const r = run(job, shell, { ...TAG_PIPELINE, CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`, STUB_INSPECT: INDEX });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        const copy = (from: string, tag: string) => [
          'copy',
          '--all',
          '--preserve-digests',
          '--digestfile=<tmp>/digest',
          '--retry-times=0',
          `docker://${from}`,
          `docker://${IMG}:${tag}`,
        ];
        expect(argvs(r, 'skopeo')).toEqual([
          ['inspect', '--raw', `docker://${IMG}@${INDEX_DIGEST}`],
          copy(`${IMG}@${INDEX_DIGEST}`, '1.2.3'),
          copy(`${IMG}@${INDEX_DIGEST}`, '1.2'),
          copy(`${IMG}@${INDEX_DIGEST}`, 'latest'),
        ]);
        for (const call of r.calls) {
          expect(decodeAuths(call.config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
          expect(call.environment['REGISTRY_AUTH_FILE']).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]+\/auth\.json$/);
        }
        expect(r.stdout).toContain(`cigen: copying the index of linux/amd64 linux/arm64 ${IMG}@${INDEX_DIGEST} to ${IMG}:1.2.3\n`);
        expect(r.report).toEqual({
          CIGEN_BUILT_IMAGE: IMG,
          CIGEN_BUILT_TAGS: '1.2.3 1.2 latest',
          CIGEN_BUILT_DIGEST: INDEX_DIGEST,
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          CIGEN_BUILT_PLATFORMS: 'linux/amd64 linux/arm64',
          CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@${AMD64} linux/arm64=${IMG}@${ARM64}`,
        });
        expect(job['needs']).toEqual([{ job: 'build-image', artifacts: true, optional: true }]);
        // Where the default tag-rules give tags: a version tag's pipeline (test/unit/promote-rules.test.ts).
        expect(job['rules']).toEqual([{ if: VERSION_TAG_PIPELINE }]);
        expect(job['environment']).toBe('release');
        expect(job['image']).toEqual({ name: 'quay.io/skopeo/stable:v1.22.2', entrypoint: [''] });
      });

      it("leaves DOCKER_AUTH_CONFIG's credsStore out, saying that Skopeo never reads one", () => {
        const r = run(promote(), shell, {
          ...TAG_PIPELINE,
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          STUB_INSPECT: INDEX,
          DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login' }),
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
          credsStoreSaid('DOCKER_AUTH_CONFIG', 'containers').trimEnd(),
        ]);
        for (const call of r.calls) expect(call.config).not.toHaveProperty('credsStore');
      });

      it("names the build's job and runner, not its own, in the report: a provenance statement names who built", () => {
        const built = {
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          CIGEN_BUILT_DIGEST: INDEX_DIGEST,
          CIGEN_BUILT_BY_JOB_ID: '41',
          CIGEN_BUILT_BY_JOB_STARTED_AT: '2024-01-01T00:00:00Z',
          CIGEN_BUILT_BY_RUNNER_ID: '3',
          CIGEN_BUILT_BY_RUNNER_VERSION: '17.5.0',
        };
        const own = { CI_JOB_ID: '42', CI_JOB_STARTED_AT: '2024-01-01T01:00:00Z', CI_RUNNER_ID: '9', CI_RUNNER_VERSION: '17.6.0' };
        const r = run(promote({ tags: ['x'], 'tag-rules': [] }), shell, { ...built, ...own, STUB_INSPECT: INDEX });
        expect(r.status, r.stderr).toBe(0);
        expect(r.report).toMatchObject({
          CIGEN_BUILT_DIGEST: INDEX_DIGEST,
          CIGEN_BUILT_BY_JOB_ID: '41',
          CIGEN_BUILT_BY_JOB_STARTED_AT: '2024-01-01T00:00:00Z',
          CIGEN_BUILT_BY_RUNNER_ID: '3',
          CIGEN_BUILT_BY_RUNNER_VERSION: '17.5.0',
        });
        // Another image than the build's (source given): no job is named; nor without a build's report.
        for (const variables of [
          { ...built, ...own, CIGEN_BUILT_REF: `${IMG}@${SINGLE_DIGEST}`, STUB_INSPECT: SINGLE },
          { ...own, CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`, STUB_INSPECT: INDEX },
        ]) {
          const other = run(promote({ tags: ['x'], 'tag-rules': [] }), shell, variables);
          expect(other.status, other.stderr).toBe(0);
          expect(Object.keys(other.report).filter((key) => key.startsWith('CIGEN_BUILT_BY_'))).toEqual([]);
        }
      });

      it("copies an index with buildx's attestation manifests whole; the report lists the platforms' images only", () => {
        const ref = `${IMG}@${WITH_ATTESTATIONS_DIGEST}`;
        const r = run(promote({ tags: ['x'], 'tag-rules': [] }), shell, { CIGEN_BUILT_REF: ref, STUB_INSPECT: WITH_ATTESTATIONS });
        expect(r.status, r.stderr).toBe(0);
        expect(argvs(r, 'skopeo')[1]?.slice(-2)).toEqual([`docker://${ref}`, `docker://${IMG}:x`]);
        expect(r.stdout).toContain(
          `cigen: copying the index of linux/amd64 linux/arm64 (and attestation manifests: 2) ${ref} to ${IMG}:x\n`,
        );
        expect(r.report).toEqual({
          CIGEN_BUILT_IMAGE: IMG,
          CIGEN_BUILT_TAGS: 'x',
          CIGEN_BUILT_DIGEST: WITH_ATTESTATIONS_DIGEST,
          CIGEN_BUILT_REF: ref,
          CIGEN_BUILT_PLATFORMS: 'linux/amd64 linux/arm64',
          CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@${AMD64} linux/arm64=${IMG}@${ARM64}`,
        });
      });

      it("takes the references manifest's sources take: IMAGE@DIGEST through variables, a registry host in upper case", () => {
        const host = 'Registry.Example.com/group/app';
        const forms = [
          ['$BUILT_IMAGE@$BUILT_DIGEST', IMG],
          ['${BUILT_IMAGE}@${BUILT_DIGEST}', IMG],
          [`${host}@${SINGLE_DIGEST}`, host],
        ] as const;
        const variables = { BUILT_IMAGE: IMG, BUILT_DIGEST: SINGLE_DIGEST };
        for (const [form, repository] of forms) {
          const expanded = `${repository}@${SINGLE_DIGEST}`;
          const promoted = run(promote({ source: form, tags: ['x'], 'tag-rules': [] }), shell, { ...variables, STUB_INSPECT: SINGLE });
          expect(promoted.status, promoted.stderr).toBe(0);
          const [inspect, copy] = argvs(promoted, 'skopeo');
          expect(inspect).toEqual(['inspect', '--raw', `docker://${expanded}`]);
          expect(copy?.slice(-2)).toEqual([`docker://${expanded}`, `docker://${repository}:x`]);
          expect(promoted.report['CIGEN_BUILT_REF']).toBe(expanded);
          const merge = Object.values(jobsOf('manifest', { sources: [form], tags: ['x'], 'tag-rules': [] }, mode))[0] as Record<
            string,
            unknown
          >;
          const merged = run(merge, shell, { ...variables, STUB_INSPECT: index(entry(SINGLE_DIGEST, 'amd64')) });
          expect(merged.status, merged.stderr).toBe(0);
          expect(
            argvs(merged, 'buildah')
              .find((argv) => argv[1] === 'add')
              ?.at(-1),
          ).toBe(`docker://${expanded}`);
        }
        // By tag, the host in upper case: resolved once, then copied by digest.
        const tagged = run(promote({ source: `${host}:1`, tags: ['x'], 'tag-rules': [] }), shell, { STUB_INSPECT: SINGLE });
        expect(tagged.status, tagged.stderr).toBe(0);
        expect(argvs(tagged, 'skopeo')[1]?.slice(-2)).toEqual([`docker://${host}@${SINGLE_DIGEST}`, `docker://${host}:x`]);
      });

      it('resolves a tag once and copies that digest to another registry, with its own credentials and TLS settings', () => {
        const job = promote({
          source: '$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA',
          image: 'prod.example.com:5000/team/app',
          tags: ['stable'],
          'tag-rules': [],
          registries: [{ host: 'prod.example.com:5000', user: '$PROD_USER', password: '$PROD_TOKEN' }],
          'insecure-registries': ['prod.example.com:5000'],
          'registry-mirrors': ['mirror.example.com'],
          environment: 'production',
          rules: [{ if: '$CI_COMMIT_TAG', when: 'manual' }],
        });
        const r = run(job, shell, {
          PROD_USER: 'deployer',
          PROD_TOKEN: 'prod-token-Zq9',
          STUB_INSPECT: SINGLE,
          CONTAINERS_REGISTRIES_CONF: '/etc/runner/registries.conf',
        });
        expect(r.status, r.stderr).toBe(0);
        // The job's registries.conf (the runner's, and its own tables), which skopeo reads only as --registries-conf.
        const conf = '--registries-conf=<tmp>/registries.conf';
        expect(argvs(r, 'skopeo')).toEqual([
          ['inspect', conf, '--raw', `docker://${IMG}:01234567`],
          [
            'copy',
            conf,
            '--all',
            '--preserve-digests',
            '--digestfile=<tmp>/digest',
            '--retry-times=0',
            '--dest-tls-verify=false',
            `docker://${IMG}@${SINGLE_DIGEST}`,
            'docker://prod.example.com:5000/team/app:stable',
          ],
        ]);
        expect(decodeAuths(r.calls[1]?.config)).toEqual({
          'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}`,
          'prod.example.com:5000': 'deployer:prod-token-Zq9',
        });
        // Mirrors serve the source's pulls by digest only (a tag is read from its registry: a mirror's
        // copy may be older): the job's own registries.conf, the runner's with the job's tables after.
        expect(r.calls[0]?.files).toEqual({
          '<tmp>/registries.conf':
            `${RUNNER_REGISTRIES}\n# cigen: the job's registries (registry-mirrors, dependency-proxy, insecure-registries)\n` +
            '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\nmirror-by-digest-only = true\n' +
            '[[registry.mirror]]\nlocation = "mirror.example.com"\n' +
            '[[registry]]\nlocation = "prod.example.com:5000"\ninsecure = true\n',
        });
        expect(r.stdout).toContain(`cigen: ${IMG}:01234567 is ${SINGLE_DIGEST}\n`);
        expect(r.stdout).toContain(`cigen: copying the image ${IMG}@${SINGLE_DIGEST} to prod.example.com:5000/team/app:stable\n`);
        expect(r.stdout).not.toContain('prod-token-Zq9');
        expect(r.report).toEqual({
          CIGEN_BUILT_IMAGE: 'prod.example.com:5000/team/app',
          CIGEN_BUILT_TAGS: 'stable',
          CIGEN_BUILT_DIGEST: SINGLE_DIGEST,
          CIGEN_BUILT_REF: `prod.example.com:5000/team/app@${SINGLE_DIGEST}`,
          CIGEN_BUILT_PLATFORMS: '',
        });
        expect(job['environment']).toBe('production');
        expect(job['rules']).toEqual([{ if: '$CI_COMMIT_TAG', when: 'manual' }]);
      });

      it('a source read that is tried again is read whole: the notice goes to the log, not into the manifest', () => {
        const r = run(promote({ 'push-retries': 1, tags: ['x'], 'tag-rules': [] }), shell, {
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          STUB_INSPECT: INDEX,
          STUB_FAIL: 'skopeo inspect:1',
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain(
          `cigen: skopeo inspect ${IMG}@${INDEX_DIGEST} failed (exit 1); trying again (at most 0 more after this)\n`,
        );
        expect(r.report['CIGEN_BUILT_DIGEST']).toBe(INDEX_DIGEST);
        expect(r.report['CIGEN_BUILT_PLATFORMS']).toBe('linux/amd64 linux/arm64');
      });

      it('names the tags it copied before one failed, and every host it had credentials for', () => {
        const job = promote({
          'push-retries': 0,
          image: 'prod.example.com:5000/team/app',
          registries: [{ host: 'prod.example.com:5000', user: '$PROD_USER', password: '$PROD_TOKEN' }],
        });
        const r = run(job, shell, {
          ...TAG_PIPELINE,
          PROD_USER: 'deployer',
          PROD_TOKEN: 'prod-token-Zq9',
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          STUB_INSPECT: INDEX,
          STUB_FAIL_ON: 'skopeo docker://prod.example.com:5000/team/app:1.2',
        });
        // The host that refused may be either side of the copy: the line names what the job had for each.
        expect(refused(r)).toBe(
          'skopeo copy to prod.example.com:5000/team/app:1.2 failed (exit 1). If the log above says 401, unauthorized or denied, ' +
            'a registry refused the job, which had credentials from registry-user and registry-password for ' +
            'registry.example.com, from registries (or registry-login) for prod.example.com:5000, for no other host ' +
            '(already pushed, and left there: prod.example.com:5000/team/app:1.2.3)',
        );
        expect(r.stderr).not.toContain('prod-token-Zq9');
        expect(r.report).toEqual({});
      });

      it('names only the credentials the job has: registry-user empty, registries for the destination', () => {
        const job = promote({
          'push-retries': 0,
          'registry-user': '',
          image: 'prod.example.com:5000/team/app',
          tags: ['x'],
          'tag-rules': [],
          registries: [{ host: 'prod.example.com:5000', user: '$PROD_USER', password: '$PROD_TOKEN' }],
        });
        const r = run(job, shell, {
          PROD_USER: 'deployer',
          PROD_TOKEN: 'prod-token-Zq9',
          CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`,
          STUB_INSPECT: INDEX,
          STUB_FAIL: 'skopeo copy:9',
        });
        expect(refused(r)).toBe(
          'skopeo copy to prod.example.com:5000/team/app:x failed (exit 1). If the log above says 401, unauthorized or denied, ' +
            'a registry refused the job, which had credentials from registries (or registry-login) for prod.example.com:5000 only',
        );
      });

      // The CA goes to SSL_CERT_DIR, after Go's own directories: --cert-dir would take the place of
      // each host's certs.d, which the runner may trust other registries through.
      it('tls-verify false applies to both sides of every command; a CA to both, in SSL_CERT_DIR beside the system directories', () => {
        const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
        const job = promote({ 'tls-verify': false, 'ca-certificates': '$COMPANY_CA', tags: ['x'], 'tag-rules': [] });
        const r = run(job, shell, { COMPANY_CA: ca, CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`, STUB_INSPECT: INDEX });
        expect(r.status, r.stderr).toBe(0);
        const [inspect, copy] = argvs(r, 'skopeo');
        expect(inspect).toEqual(['inspect', '--raw', '--tls-verify=false', `docker://${IMG}@${INDEX_DIGEST}`]);
        expect(copy?.slice(5, 7)).toEqual(['--src-tls-verify=false', '--dest-tls-verify=false']);
        expect(
          argvs(r, 'skopeo')
            .flat()
            .filter((arg) => arg.includes('cert-dir')),
        ).toEqual([]);
        const skopeo = r.calls.filter((c) => c.tool === 'skopeo');
        expect(skopeo).toHaveLength(2);
        for (const call of skopeo) expect(tmp(call.environment['SSL_CERT_DIR'] ?? '')).toBe('/etc/ssl/certs:/etc/pki/tls/certs:<tmp>/ca');
        expect(r.calls[1]?.files['<tmp>/ca/ca.crt']).toBe(`${ca}\n`);
      });

      it.each([
        [
          'an empty source',
          {},
          {},
          'no image to promote: input source is empty (its default, CIGEN_BUILT_REF, comes from the job named by build-job through needs:, when it pushed)',
        ],
        [
          'a source without tag or digest',
          { source: 'registry.example.com/group/app' },
          {},
          "input source: 'registry.example.com/group/app' names neither a digest nor a tag; give IMAGE@sha256:... (or IMAGE:TAG, resolved once)",
        ],
        [
          'a short digest',
          { source: '$REF' },
          { REF: `${IMG}@sha256:abc` },
          `input source: '${IMG}@sha256:abc' has a digest that is not sha256:<64 hex digits>`,
        ],
        [
          'another algorithm',
          { source: '$REF' },
          { REF: `${IMG}@md5:${HEX('a')}` },
          `input source: '${IMG}@md5:${HEX('a')}' has a digest that is not sha256:<64 hex digits>`,
        ],
        [
          'not a reference',
          { source: '$REF' },
          { REF: '--all:x' },
          "input source: '--all:x' is not an image reference (a repository of lowercase letters, digits and . _ -, then :TAG or @sha256:DIGEST)",
        ],
        [
          'an uppercase path',
          { source: '$REF' },
          { REF: 'registry.example.com/Group/app:1' },
          "input source: 'registry.example.com/Group/app:1' must be lowercase",
        ],
        [
          'a bad tag',
          { source: '$REF' },
          { REF: `${IMG}:-x` },
          `input source: '${IMG}:-x' has a tag that is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*)`,
        ],
        [
          'a destination with a tag',
          { image: '$DEST' },
          { DEST: 'prod.example.com/app:1', CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}` },
          "input image: 'prod.example.com/app:1' carries a tag or a digest; give the repository and put tags in the tags input",
        ],
        [
          'a registry answering another manifest',
          {},
          { CIGEN_BUILT_REF: `${IMG}@${AMD64}`, STUB_INSPECT: INDEX, ...TAG_PIPELINE },
          `the registry answered ${IMG}@${AMD64} with a manifest whose digest is ${INDEX_DIGEST}`,
        ],
        [
          'a copy that wrote another digest',
          {},
          { CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}`, STUB_INSPECT: INDEX, STUB_COPY_DIGEST: AMD64, ...TAG_PIPELINE },
          `skopeo copy to ${IMG}:1.2.3 wrote ${AMD64}, not ${INDEX_DIGEST}`,
        ],
        [
          'no tag in a branch pipeline',
          {},
          { CIGEN_BUILT_REF: `${IMG}@${INDEX_DIGEST}` },
          'no tag to push: input tags gives none and no tag-rules rule applies to this pipeline (ref main)',
        ],
      ] as const)('refuses %s with one line', (_what, inputs, variables, message) => {
        const r = run(promote(inputs), shell, { STUB_INSPECT: INDEX, ...variables });
        expect(refused(r)).toBe(message);
        expect(r.report).toEqual({});
      });
    });

    describe('manifest', () => {
      const manifest = (inputs: Record<string, unknown> = {}) =>
        Object.values(jobsOf('manifest', inputs, mode))[0] as Record<string, unknown>;
      // Two builds' reports as GitLab merges them: one value of each variable (CIGEN_BUILT_IMAGE is one build's).
      const REPORTED = {
        CIGEN_BUILT_IMAGE: IMG,
        CIGEN_BUILT_REF_LINUX_ARM64: `${IMG}@${ARM64}`,
        CIGEN_BUILT_REF_LINUX_AMD64: `${IMG}@${AMD64}`,
      };
      const LOCAL = index(entry(AMD64, 'amd64'), entry(ARM64, 'arm64'));

      it('merges the digests the build jobs reported into one OCI index pushed under every tag', () => {
        const job = manifest({ 'build-jobs': ['build amd64', 'build arm64'], tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] });
        expect(job['needs']).toEqual(['build amd64', 'build arm64']);
        const r = run(job, shell, { ...REPORTED, STUB_INSPECT: LOCAL, CONTAINERS_REGISTRIES_CONF: '/etc/runner/registries.conf' });
        expect(r.status, r.stderr).toBe(0);
        const list = expect.stringMatching(/^localhost\/cigen-(\d+-)?\d+-index$/);
        const conf = '--registries-conf=/etc/runner/registries.conf';
        expect(argvs(r, 'buildah')).toEqual([
          [conf, 'manifest', 'create', list],
          [conf, 'manifest', 'add', '--all', list, `docker://${IMG}@${AMD64}`],
          [conf, 'manifest', 'add', '--all', list, `docker://${IMG}@${ARM64}`],
          [conf, 'manifest', 'inspect', list],
          [conf, 'manifest', 'push', '--all', '--digestfile=<tmp>/digest', '--format=oci', list, `docker://${IMG}:01234567`],
          [conf, 'manifest', 'push', '--all', '--digestfile=<tmp>/digest', '--format=oci', list, `docker://${IMG}:latest`],
          // The job's list, removed at exit: a storage that outlives the job keeps none.
          ['rmi', list],
        ]);
        expect(r.calls.every((c) => c.environment['STORAGE_DRIVER'] === 'vfs')).toBe(true);
        expect(decodeAuths(r.calls[4]?.config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
        expect(r.stdout).toContain(`cigen: merging the images the jobs in needs: reported: ${IMG}@${AMD64} ${IMG}@${ARM64}\n`);
        expect(r.stdout).toContain(`cigen: pushing the index of linux/amd64 linux/arm64 as ${IMG}:latest\n`);
        expect(r.report).toEqual({
          CIGEN_BUILT_IMAGE: IMG,
          CIGEN_BUILT_TAGS: '01234567 latest',
          CIGEN_BUILT_DIGEST: STUB_DIGEST,
          CIGEN_BUILT_REF: `${IMG}@${STUB_DIGEST}`,
          CIGEN_BUILT_PLATFORMS: 'linux/amd64 linux/arm64',
          CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@${AMD64} linux/arm64=${IMG}@${ARM64}`,
        });
      });

      it("leaves DOCKER_AUTH_CONFIG's credsStore out, saying that Buildah never reads one", () => {
        const job = manifest({ 'build-jobs': ['build amd64', 'build arm64'] });
        const r = run(job, shell, { ...REPORTED, STUB_INSPECT: LOCAL, DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login' }) });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
          credsStoreSaid('DOCKER_AUTH_CONFIG', 'containers').trimEnd(),
        ]);
        for (const call of r.calls) expect(call.config).not.toHaveProperty('credsStore');
      });

      it('reads each image in the repository its build pushed to (the builds report one CIGEN_BUILT_IMAGE between them)', () => {
        const job = manifest({ 'build-jobs': ['build amd64', 'build arm64'], tags: ['x'], 'tag-rules': [] });
        const amd = 'registry.example.com/group/app/amd64';
        const r = run(job, shell, { ...REPORTED, CIGEN_BUILT_REF_LINUX_AMD64: `${amd}@${AMD64}`, STUB_INSPECT: LOCAL });
        expect(r.status, r.stderr).toBe(0);
        expect(
          argvs(r, 'buildah')
            .filter((argv) => argv[1] === 'add')
            .map((argv) => argv.at(-1)),
        ).toEqual([`docker://${amd}@${AMD64}`, `docker://${IMG}@${ARM64}`]);
        // A report of a job of your own, with the digest only: read in CIGEN_BUILT_IMAGE.
        const one = manifest({ 'build-jobs': ['build arm64'], tags: ['x'], 'tag-rules': [] });
        const own = run(one, shell, { CIGEN_BUILT_IMAGE: IMG, CIGEN_BUILT_DIGEST_LINUX_ARM64: ARM64, STUB_INSPECT: LOCAL });
        expect(own.status, own.stderr).toBe(0);
        expect(
          argvs(own, 'buildah')
            .find((argv) => argv[1] === 'add')
            ?.at(-1),
        ).toBe(`docker://${IMG}@${ARM64}`);
      });

      it('merges an index with attestation manifests: they are no platform, so no second image of one', () => {
        const source = `other.example.com/team/base@${WITH_ATTESTATIONS_DIGEST}`;
        const r = run(manifest({ sources: [source], tags: ['x'], 'tag-rules': [] }), shell, { STUB_INSPECT: WITH_ATTESTATIONS });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain(`cigen: pushing the index of linux/amd64 linux/arm64 (and attestation manifests: 2) as ${IMG}:x\n`);
        expect(r.report['CIGEN_BUILT_PLATFORMS']).toBe('linux/amd64 linux/arm64');
        expect(Object.keys(r.report).filter((key) => key.includes('UNKNOWN'))).toEqual([]);
      });

      it('stops when the build jobs report fewer platforms than they are: two built one platform, GitLab kept one report', () => {
        const job = manifest({ 'build-jobs': ['build amd64', 'build arm64', 'build arm64 again'], tags: ['x'], 'tag-rules': [] });
        // Three reports as GitLab merges them: one CIGEN_BUILT_REF_LINUX_ARM64 of the two.
        const r = run(job, shell, { ...REPORTED, STUB_INSPECT: LOCAL });
        expect(refused(r)).toBe(
          'input build-jobs names 3 jobs but their reports name images in fewer variables (CIGEN_BUILT_REF_LINUX_AMD64 ' +
            "CIGEN_BUILT_REF_LINUX_ARM64): two jobs built one platform (GitLab keeps one report's CIGEN_BUILT_REF_<PLATFORM>: an " +
            'image would be left out), two built with platforms (it keeps one CIGEN_BUILT_PLATFORM_REFS), or a job reported none ' +
            '(a build without a platform or platforms input, or that did not push)',
        );
        expect(argvs(r, 'buildah')).toEqual([]);
        // needs: entries given as objects are not counted; the index job of buildah-native has no build-jobs.
        const objects = manifest({ 'build-jobs': [{ job: 'build amd64' }, { job: 'b' }, { job: 'c' }], tags: ['x'], 'tag-rules': [] });
        expect(run(objects, shell, { ...REPORTED, STUB_INSPECT: LOCAL }).status).toBe(0);
      });

      it('merges a build with platforms (its CIGEN_BUILT_PLATFORM_REFS) and one with a platform, each read where it pushed', () => {
        const S390X = `sha256:${HEX('3')}`;
        const multi = 'registry.example.com/group/app/multi';
        const job = manifest({ 'build-jobs': ['build multi', 'build s390x'], tags: ['x'], 'tag-rules': [] });
        const r = run(job, shell, {
          CIGEN_BUILT_IMAGE: IMG,
          CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${multi}@${AMD64} linux/arm64=${multi}@${ARM64}`,
          CIGEN_BUILT_REF_LINUX_S390X: `${IMG}@${S390X}`,
          STUB_INSPECT: index(entry(AMD64, 'amd64'), entry(ARM64, 'arm64'), entry(S390X, 's390x')),
        });
        expect(r.status, r.stderr).toBe(0);
        expect(
          argvs(r, 'buildah')
            .filter((argv) => argv[1] === 'add')
            .map((argv) => argv.at(-1)),
        ).toEqual([`docker://${IMG}@${S390X}`, `docker://${multi}@${AMD64}`, `docker://${multi}@${ARM64}`]);
        expect(r.report['CIGEN_BUILT_PLATFORM_REFS']).toBe(
          `linux/amd64=${IMG}@${AMD64} linux/arm64=${IMG}@${ARM64} linux/s390x=${IMG}@${S390X}`,
        );
      });

      it('a failed buildah manifest create (local storage only) says so without the registry hint; the list still goes', () => {
        const job = manifest({ 'build-jobs': ['build amd64', 'build arm64'], tags: ['x'], 'tag-rules': [] });
        const r = run(job, shell, { ...REPORTED, STUB_INSPECT: LOCAL, CI_JOB_ID: '4244', STUB_FAIL_ON: 'buildah create' });
        expect(refused(r)).toBe('buildah manifest create failed (exit 1)');
        const calls = argvs(r, 'buildah');
        expect(calls.at(-1)).toEqual(['rmi', expect.stringMatching(/^localhost\/cigen-4244-\d+-index$/)]);
        expect(calls.filter((argv) => argv.includes('push'))).toEqual([]);
      });

      it('a CA: every buildah call trusts it through SSL_CERT_DIR, after the directories the runner names there', () => {
        const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
        const job = manifest({ 'ca-certificates': '$COMPANY_CA', tags: ['x'], 'tag-rules': [] });
        const r = run(job, shell, { ...REPORTED, STUB_INSPECT: LOCAL, COMPANY_CA: ca, SSL_CERT_DIR: '/etc/runner/certs' });
        expect(r.status, r.stderr).toBe(0);
        const buildah = r.calls.filter((c) => c.tool === 'buildah');
        expect(buildah.map((c) => c.argv.slice(0, 2))).toEqual([
          ['manifest', 'create'],
          ['manifest', 'add'],
          ['manifest', 'add'],
          ['manifest', 'inspect'],
          ['manifest', 'push'],
          ['rmi', expect.stringMatching(/^localhost\/cigen-(\d+-)?\d+-index$/)],
        ]);
        for (const call of buildah) {
          expect(call.argv.filter((arg) => arg.includes('cert-dir'))).toEqual([]);
          expect(tmp(call.environment['SSL_CERT_DIR'] ?? '')).toBe('/etc/runner/certs:<tmp>/ca');
        }
      });

      it('stops when two builds with platforms left one list: GitLab kept one report', () => {
        const job = manifest({ 'build-jobs': ['build a', 'build b'], tags: ['x'], 'tag-rules': [] });
        const r = run(job, shell, {
          CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@${AMD64} linux/arm64=${IMG}@${ARM64}`,
          STUB_INSPECT: LOCAL,
        });
        expect(refused(r)).toBe(
          'input build-jobs names 2 jobs but their reports name images in fewer variables (CIGEN_BUILT_PLATFORM_REFS): two jobs ' +
            "built one platform (GitLab keeps one report's CIGEN_BUILT_REF_<PLATFORM>: an image would be left out), two built with " +
            'platforms (it keeps one CIGEN_BUILT_PLATFORM_REFS), or a job reported none (a build without a platform or platforms ' +
            'input, or that did not push)',
        );
        expect(argvs(r, 'buildah')).toEqual([]);
      });

      it('tries a push that wrote no digest again (Buildah 1.28 can end a failed one with status 0), saying so', () => {
        const r = run(manifest({ 'push-retries': 1, tags: ['t1'], 'tag-rules': [] }), shell, {
          ...REPORTED,
          STUB_INSPECT: LOCAL,
          STUB_NO_DIGEST_TIMES: '1',
        });
        expect(r.status, r.stderr).toBe(0);
        expect(argvs(r, 'buildah').filter((argv) => argv.includes('push'))).toHaveLength(2);
        expect(r.stderr).toBe(
          `cigen: buildah manifest push ${IMG}:t1 ended without an error but wrote no digest: it did not push the index ` +
            '(Buildah says why above, if it did); trying again (at most 0 more after this)\n',
        );
        expect(r.report['CIGEN_BUILT_DIGEST']).toBe(STUB_DIGEST);
      });

      it('stops when a later tag got another digest than the first: the report names one digest for every tag', () => {
        const r = run(manifest({ tags: ['t1', 't2'], 'tag-rules': [] }), shell, {
          ...REPORTED,
          STUB_INSPECT: LOCAL,
          STUB_OTHER_DIGEST_ON: `docker://${IMG}:t2`,
        });
        expect(refused(r)).toBe(
          `the index pushed as ${IMG}:t2 has the digest sha256:${'2'.repeat(64)}, not ${STUB_DIGEST} (the first push's): ` +
            `the registry changed it (already pushed, and left there: ${IMG}:t1 ${IMG}:t2)`,
        );
        expect(r.report).toEqual({});
      });

      it('names the tags it pushed before one failed: they stay in the registry', () => {
        const r = run(manifest({ 'push-retries': 0, tags: ['t1', 't2', 't3'], 'tag-rules': [] }), shell, {
          ...REPORTED,
          STUB_INSPECT: LOCAL,
          STUB_FAIL_ON: `buildah docker://${IMG}:t2`,
        });
        expect(refused(r)).toBe(
          `buildah manifest push ${IMG}:t2 failed (exit 1). If the log above says 401, unauthorized or denied, a registry refused ` +
            `the job, which had credentials from registry-user and registry-password for registry.example.com only ` +
            `(already pushed, and left there: ${IMG}:t1)`,
        );
        expect(r.report).toEqual({});
      });

      it('merges the sources input, from another registry, into a Docker manifest list when the images are Docker ones', () => {
        const other = 'other.example.com/team/base';
        const job = manifest({
          sources: [`${other}@${AMD64}`, '$ARM_REF'],
          image: 'registry.example.com/group/multi',
          'insecure-registries': ['other.example.com'],
          'tag-rules': ['ref'],
          tags: [],
        });
        expect(job['needs']).toEqual([]);
        const local = index(entry(AMD64, 'amd64', DOCKER_IMAGE), entry(ARM64, 'arm', DOCKER_IMAGE, 'v7'));
        const r = run(job, shell, { ...REPORTED, ARM_REF: `${other}@${ARM64}`, STUB_INSPECT: local });
        expect(r.status, r.stderr).toBe(0);
        const list = expect.stringMatching(/^localhost\/cigen-(\d+-)?\d+-index$/);
        // insecure-registries: the job's own registries.conf, which buildah manifest reads only as --registries-conf.
        const conf = '--registries-conf=<tmp>/registries.conf';
        expect(argvs(r, 'buildah')).toEqual([
          [conf, 'manifest', 'create', list],
          [conf, 'manifest', 'add', '--all', '--tls-verify=false', list, `docker://${other}@${AMD64}`],
          [conf, 'manifest', 'add', '--all', '--tls-verify=false', list, `docker://${other}@${ARM64}`],
          [conf, 'manifest', 'inspect', list],
          [
            conf,
            'manifest',
            'push',
            '--all',
            '--digestfile=<tmp>/digest',
            '--format=v2s2',
            list,
            'docker://registry.example.com/group/multi:main',
          ],
          ['rmi', list],
        ]);
        expect(r.stdout).toContain('cigen: merging the images of input sources\n');
        expect(r.report['CIGEN_BUILT_PLATFORMS']).toBe('linux/amd64 linux/arm/v7');
        expect(r.report['CIGEN_BUILT_PLATFORM_REFS']).toBe(
          `linux/amd64=registry.example.com/group/multi@${AMD64} linux/arm/v7=registry.example.com/group/multi@${ARM64}`,
        );
      });

      it.each([
        [
          'no digest reported and no sources',
          {},
          { STUB_INSPECT: LOCAL },
          "no image to merge: input sources is empty and no job in needs: reported a platform's image (CIGEN_BUILT_REF_<PLATFORM>, written by a build with a platform input, or CIGEN_BUILT_PLATFORM_REFS, by one with platforms)",
        ],
        [
          'a digest without its image',
          {},
          { CIGEN_BUILT_DIGEST_LINUX_AMD64: AMD64 },
          "CIGEN_BUILT_DIGEST_LINUX_AMD64 is set but neither CIGEN_BUILT_REF_LINUX_AMD64 nor CIGEN_BUILT_IMAGE is: the report it came from is not a cigen build's",
        ],
        [
          'a reported digest that is not one',
          {},
          { CIGEN_BUILT_IMAGE: IMG, CIGEN_BUILT_DIGEST_LINUX_AMD64: 'sha256:$(id)' },
          `input CIGEN_BUILT_DIGEST_LINUX_AMD64 (with CIGEN_BUILT_IMAGE): '${IMG}@sha256:$(id)' has a digest that is not sha256:<64 hex digits>`,
        ],
        [
          'a reported reference that is not one',
          {},
          { CIGEN_BUILT_REF_LINUX_AMD64: `${IMG}@sha256:$(id)` },
          `input CIGEN_BUILT_REF_LINUX_AMD64: '${IMG}@sha256:$(id)' has a digest that is not sha256:<64 hex digits>`,
        ],
        [
          'a reported reference without a digest',
          {},
          { CIGEN_BUILT_REF_LINUX_AMD64: `${IMG}:1` },
          `CIGEN_BUILT_REF_LINUX_AMD64: '${IMG}:1' is not named by digest (IMAGE@sha256:...)`,
        ],
        [
          'a list item that is not PLATFORM=IMAGE@DIGEST',
          {},
          { CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@${AMD64} *` },
          "CIGEN_BUILT_PLATFORM_REFS: '*' is not PLATFORM=IMAGE@DIGEST",
        ],
        [
          'a list item whose platform is not one',
          {},
          { CIGEN_BUILT_PLATFORM_REFS: `Linux/amd64=${IMG}@${AMD64}` },
          `CIGEN_BUILT_PLATFORM_REFS: 'Linux/amd64=${IMG}@${AMD64}' is not PLATFORM=IMAGE@DIGEST`,
        ],
        [
          'a list item whose reference is not one',
          {},
          { CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}@sha256:$(id)` },
          `input CIGEN_BUILT_PLATFORM_REFS (linux/amd64): '${IMG}@sha256:$(id)' has a digest that is not sha256:<64 hex digits>`,
        ],
        [
          'a list item without a digest',
          {},
          { CIGEN_BUILT_PLATFORM_REFS: `linux/amd64=${IMG}:1` },
          `CIGEN_BUILT_PLATFORM_REFS (linux/amd64): '${IMG}:1' is not named by digest (IMAGE@sha256:...)`,
        ],
        [
          "a list item that is another platform's image",
          {},
          { CIGEN_BUILT_PLATFORM_REFS: `linux/arm64=${IMG}@${AMD64}`, STUB_INSPECT: index(entry(AMD64, 'amd64')) },
          `the reports name ${IMG}@${AMD64} as the image for LINUX_ARM64 (CIGEN_BUILT_PLATFORM_REFS), but it is an image for ` +
            "linux/amd64: two jobs reported one image, or a build pushed another platform's",
        ],
        [
          'a source named by a tag',
          { sources: [`${IMG}:1`] },
          {},
          `input sources: '${IMG}:1' is not named by digest (IMAGE@sha256:...): a tag can move before the index is pushed`,
        ],
        [
          // With build-jobs empty the job has needs: [] and gets no report: a variable of one is not set.
          "a source that a report's variable, not passed on, leaves empty",
          { sources: [`${IMG}@${AMD64}`, '$ARM_REF'] },
          {},
          "input sources: item 2 is empty: a variable it names is not set in this job: a job's dotenv report reaches this job only " +
            'when build-jobs names that job (with build-jobs empty the job has needs: [], starts when the pipeline is created and gets no report)',
        ],
        [
          'a source whose image and digest variables are not set',
          { sources: ['$IMAGE@$DIGEST'] },
          {},
          "input sources: item 1 ('@') lacks its image or its digest: a variable it names is not set in this job: a job's dotenv report " +
            'reaches this job only when build-jobs names that job (with build-jobs empty the job has needs: [], starts when the pipeline is created and gets no report)',
        ],
        [
          'two images for one platform',
          {},
          { ...REPORTED, STUB_INSPECT: index(entry(AMD64, 'amd64'), entry(ARM64, 'amd64')) },
          `two images for linux/amd64 (one is ${ARM64}): an index holds one image per platform`,
        ],
        [
          'attestation manifests only',
          {},
          { ...REPORTED, STUB_INSPECT: index(attestation(ATT1, AMD64)) },
          "the images to merge hold no platform's image, only attestation manifests",
        ],
        [
          'OCI and Docker images mixed',
          {},
          { ...REPORTED, STUB_INSPECT: index(entry(AMD64, 'amd64'), entry(ARM64, 'arm64', DOCKER_IMAGE)) },
          'the images mix OCI and Docker manifests: build them with one format (the buildah format input) so that the index keeps their digests',
        ],
        [
          'an entry that is an index',
          {},
          { ...REPORTED, STUB_INSPECT: index(entry(AMD64, 'amd64', 'application/vnd.oci.image.index.v1+json')) },
          `the image for linux/amd64 (${AMD64}) has a manifest of type application/vnd.oci.image.index.v1+json: only OCI and Docker v2 image manifests go in an index`,
        ],
        [
          'an entry without a platform',
          {},
          { ...REPORTED, STUB_INSPECT: JSON.stringify({ manifests: [{ digest: AMD64, mediaType: OCI_IMAGE }] }) },
          `the index of the images to merge: the entry ${AMD64} names no platform (os/architecture)`,
        ],
        [
          'an entry with a hostile platform',
          {},
          { ...REPORTED, STUB_INSPECT: index({ ...entry(AMD64, 'x'), platform: { os: 'linux', architecture: "a'$(id)" } }) },
          `the index of the images to merge: the entry ${AMD64} has a platform that is not os/architecture[/variant]`,
        ],
        [
          'an entry without a digest',
          {},
          { ...REPORTED, STUB_INSPECT: index({ ...entry(AMD64, 'amd64'), digest: 'md5:1' }) },
          'the index of the images to merge: an entry has no sha256 digest',
        ],
        [
          'manifests that are not a list',
          {},
          { ...REPORTED, STUB_INSPECT: '{"manifests": {}}' },
          'the index of the images to merge: its manifests are not a list',
        ],
        [
          'an answer that is not JSON',
          {},
          { ...REPORTED, STUB_INSPECT: '{"manifests": [' },
          'the index of the images to merge is not valid JSON (it ends too early)',
        ],
        [
          'a push that wrote no digest, each time it was tried',
          { 'push-retries': 1 },
          { ...REPORTED, STUB_INSPECT: LOCAL, STUB_NO_DIGEST: '1' },
          `buildah manifest push ${IMG}:01234567 ended without an error but wrote no digest: it did not push the index ` +
            '(Buildah says why above, if it did)',
        ],
      ] as const)('refuses %s with one line', (_what, inputs, variables, message) => {
        const r = run(manifest(inputs), shell, variables);
        expect(refused(r)).toBe(message);
        expect(r.report).toEqual({});
      });
    });

    describe('buildah-native', () => {
      const jobs = (inputs: Record<string, unknown> = {}) => jobsOf('buildah-native', inputs, mode);

      it("an architecture's job leaves DOCKER_AUTH_CONFIG's credsStore out, saying that Buildah never reads one", () => {
        const arch = jobs()['build-image:arch'] as Record<string, unknown>;
        const r = run(arch, shell, { CIGEN_ARCH: 'amd64', DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'ecr-login' }) });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.split('\n').filter((line) => line.includes('credsStore'))).toEqual([
          credsStoreSaid('DOCKER_AUTH_CONFIG', 'containers').trimEnd(),
        ]);
        for (const call of r.calls) expect(call.config).not.toHaveProperty('credsStore');
      });

      it('one job per architecture on its runners, each the buildah job for linux/<arch>; the index job merges their reports', () => {
        const all = jobs({
          tags: ['$CI_COMMIT_SHORT_SHA', 'latest'],
          cache: false,
          'platform-runner-tags': ['docker', 'build-$CIGEN_ARCH'],
        });
        expect(Object.keys(all)).toEqual(['build-image:arch', 'build-image']);
        const arch = all['build-image:arch'] as Record<string, unknown>;
        const merge = all['build-image'] as Record<string, unknown>;
        expect(arch['parallel']).toEqual({ matrix: [{ CIGEN_ARCH: ['amd64', 'arm64'] }] });
        expect(arch['tags']).toEqual(['docker', 'build-$CIGEN_ARCH']);
        expect(merge['needs']).toEqual([{ job: 'build-image:arch', artifacts: true }]);

        // Each matrix job, as GitLab gives it its variable; their reports reach the index job through needs:.
        const reported: Record<string, string> = {};
        const pushed = { amd64: STUB_DIGEST, arm64: `sha256:${HEX('2')}` };
        for (const name of ['amd64', 'arm64'] as const) {
          const r = run(arch, 'bash', { CIGEN_ARCH: name, STUB_PUSH_DIGEST: pushed[name] });
          expect(r.status, r.stderr).toBe(0);
          const [build, push] = argvs(r, 'buildah').filter((argv) => argv[0] === 'build' || argv[0] === 'push');
          expect(build).toContain(`--platform=linux/${name}`);
          expect(build?.filter((a) => a.startsWith('--tag'))).toEqual([`--tag=${IMG}:01234567-linux-${name}`]);
          expect(push).toEqual(['push', '--digestfile=<tmp>/digest', '--retry=0', `${IMG}:01234567-linux-${name}`]);
          expect(r.stdout).toContain(
            `cigen: linux/${name}: to push as ${IMG}:01234567-linux-${name}; the index of every architecture goes under: 01234567 latest\n`,
          );
          expect(r.report['CIGEN_BUILT_TAGS']).toBe(`01234567-linux-${name}`);
          expect(r.report[`CIGEN_BUILT_REF_LINUX_${name.toUpperCase()}`]).toBe(`${IMG}@${pushed[name]}`);
          Object.assign(reported, r.report);
        }
        const r = run(merge, shell, {
          ...reported,
          STUB_INSPECT: index(entry(pushed.amd64, 'amd64'), entry(pushed.arm64, 'arm64')),
        });
        expect(r.status, r.stderr).toBe(0);
        expect(
          argvs(r, 'buildah')
            .filter((argv) => argv[1] === 'add')
            .map((argv) => argv.at(-1)),
        ).toEqual([`docker://${IMG}@${pushed.amd64}`, `docker://${IMG}@${pushed.arm64}`]);
        expect(
          argvs(r, 'buildah')
            .filter((argv) => argv[1] === 'push')
            .map((argv) => argv.at(-1)),
        ).toEqual([`docker://${IMG}:01234567`, `docker://${IMG}:latest`]);
        expect(r.report['CIGEN_BUILT_TAGS']).toBe('01234567 latest');
      });

      it.each([
        ['no architecture', {}, 'CIGEN_ARCH is not set: this job runs once per item of the architectures input (parallel: matrix)'],
        [
          'a hostile architecture',
          { CIGEN_ARCH: 'arm64/../x' },
          "input architectures: 'arm64/../x' is not an architecture such as amd64 or arm64",
        ],
        [
          'a first tag too long for the architecture',
          { CIGEN_ARCH: 'amd64', LONG: 'x'.repeat(120) },
          `the tag ${'x'.repeat(120)}-linux-amd64 for linux/amd64 is longer than 128 characters: shorten the first tag`,
        ],
      ] as const)('an architecture job refuses %s with one line', (_what, variables, message) => {
        const arch = jobs({ tags: ['$LONG'] })['build-image:arch'] as Record<string, unknown>;
        const r = run(arch, shell, { LONG: 'v1', ...variables });
        expect(refused(r)).toBe(message);
        expect(r.calls).toEqual([]);
      });
    });
  });
});

describe.each(['promote', 'manifest', 'buildah-native'])('%s', (component) => {
  // Job by job, its items in one shell as the runner runs them: the shell library, then the job's
  // own script (buildah-native's architecture job runs a preamble with a prelude of its own first).
  const scripts = Object.values(jobsOf(component, {}, 'classic')).map((job) => (job['script'] as string[]).join('\n'));

  it.each(['sh', 'bash'])("every job's script is clean under shellcheck -s %s", (dialect) => {
    for (const script of scripts) {
      const result = spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], { input: script, encoding: 'utf8' });
      expect(result.error).toBeUndefined();
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('fails fast, and turns shell tracing off (it would print credentials), on again only at its end', () => {
    for (const script of scripts) {
      expect(script).toMatch(/^set -eu$/m);
      expect(script).not.toMatch(/^\s*set -[a-z]*x|set -o xtrace/m);
      expect(script.indexOf('*x*) set +x;')).toBeLessThan(script.indexOf('set -eu'));
      expect(script.trimEnd().split('\n').at(-1)).toMatch(/cigen_shell_restore$|^cigen_report /);
    }
  });
});
