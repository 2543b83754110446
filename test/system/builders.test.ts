/**
 * Each builder's recipe, run in the sandbox with stub builders: the storage.conf patch and the
 * overlay-to-vfs fallback (Buildah), isolation, formats, the BuildKit daemon flags, and a
 * Docker-in-Docker job that cannot reach its daemon.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox } from '../helpers/sandbox.js';
import { CATALOG } from '../../src/catalog/registry.js';

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.dispose());

function run(
  component: string,
  inputs: Record<string, unknown> = {},
  options: { env?: Record<string, string>; setup?: (box: Sandbox) => void; beforeScript?: string; afterScript?: string } = {},
) {
  sandbox = createSandbox();
  options.setup?.(sandbox);
  const { job } = instantiateComponent(component, inputs, 'classic');
  const env = { ...jobEnvironment(job, predefinedVariables(sandbox.projectDir)), ...options.env };
  const script = `${options.beforeScript ?? ''}\n${jobScript(job)}\n${options.afterScript ?? ''}`;
  return { result: sandbox.run(script, env, component.startsWith('buildah') ? 'bash' : 'busybox'), box: sandbox };
}

const QUAY_STORAGE_CONF = `[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
mountopt = "nodev,fsync=0"
`;

describe('buildah', () => {
  it('comments out fuse-overlayfs in the image storage.conf, so kernel overlay is used', () => {
    const { result, box } = run(
      'buildah',
      {},
      {
        setup: (b) => {
          mkdirSync(b.path('/etc/containers'), { recursive: true });
          writeFileSync(b.path('/etc/containers/storage.conf'), QUAY_STORAGE_CONF);
        },
      },
    );
    expect(result.status).toBe(0);
    // Buildah reads a patched copy; the file itself (on a shell executor, the host's) is unchanged.
    expect(readFileSync(box.path('/etc/containers/storage.conf'), 'utf8')).toBe(QUAY_STORAGE_CONF);
    for (const call of box.calls('buildah')) {
      const path = call.environment['CONTAINERS_STORAGE_CONF'];
      expect(path).toMatch(/^\/tmp\/tmp\.[A-Za-z0-9]+\/storage\.conf$/);
      const conf = call.files['<tmp>/storage.conf'] ?? '';
      expect(conf).toContain('#mount_program = "/usr/bin/fuse-overlayfs"');
      expect(conf).toContain('#mountopt = "nodev,fsync=0"');
      expect(conf).toContain('driver = "overlay"');
    }
    expect(box.calls('buildah').map((c) => c.argv[0])).toEqual(['--storage-driver=overlay', 'build', 'push']);
  });

  it('patches the storage.conf CONTAINERS_STORAGE_CONF names, and none when not root (the file is not its to read that way)', () => {
    const custom = run(
      'buildah',
      {},
      {
        env: { CONTAINERS_STORAGE_CONF: '/etc/custom-storage.conf' },
        setup: (b) => writeFileSync(b.path('/etc/custom-storage.conf'), QUAY_STORAGE_CONF),
      },
    );
    expect(custom.result.status).toBe(0);
    const build = custom.box.calls('buildah').find((c) => c.argv[0] === 'build');
    expect(build?.environment['CONTAINERS_STORAGE_CONF']).toMatch(/\/storage\.conf$/);
    expect(build?.files['<tmp>/storage.conf']).toContain('#mount_program =');
    expect(readFileSync(custom.box.path('/etc/custom-storage.conf'), 'utf8')).toBe(QUAY_STORAGE_CONF);
    custom.box.dispose();
    // A job that is not root (a shell executor's gitlab-runner user): nothing patched, nothing changed.
    const user = run(
      'buildah',
      {},
      {
        setup: (b) => {
          mkdirSync(b.path('/etc/containers'), { recursive: true });
          writeFileSync(b.path('/etc/containers/storage.conf'), QUAY_STORAGE_CONF);
          writeFileSync(b.path('/usr/local/bin/id'), '#!/bin/sh\necho 999\n');
          chmodSync(b.path('/usr/local/bin/id'), 0o755);
        },
      },
    );
    expect(user.result.status).toBe(0);
    expect(user.box.calls('buildah').every((c) => c.environment['CONTAINERS_STORAGE_CONF'] === undefined)).toBe(true);
    expect(readFileSync(user.box.path('/etc/containers/storage.conf'), 'utf8')).toBe(QUAY_STORAGE_CONF);
  });

  it('runs without a storage.conf (Debian ships none)', () => {
    const { result, box } = run('buildah');
    expect(result.status).toBe(0);
    expect(box.calls('buildah').map((c) => c.argv[0])).toEqual(['--storage-driver=overlay', 'build', 'push']);
  });

  it('falls back to vfs, and says so, when overlay cannot mount', () => {
    const { result, box } = run('buildah', {}, { env: { STUB_OVERLAY_FAILS: '1' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "overlay storage cannot mount here (kernel does not support overlay fs: 'overlay' is not supported over overlayfs); falling " +
        'back to vfs',
    );
    const build = box.calls('buildah').find((c) => c.argv[0] === 'build');
    expect(build?.env).toContain('STORAGE_DRIVER=vfs');
  });

  it('uses vfs without probing when asked, and the docker format', () => {
    const { result, box } = run('buildah', { 'storage-driver': 'vfs', format: 'docker' });
    expect(result.status).toBe(0);
    const calls = box.calls('buildah');
    expect(calls.map((c) => c.argv[0])).toEqual(['build', 'push']);
    expect(calls[0]?.argv).toContain('--format=docker');
    expect(calls[0]?.env).toContain('STORAGE_DRIVER=vfs');
  });

  it('buildah-rootless isolates with rootless', () => {
    const { result, box } = run('buildah-rootless');
    expect(result.status).toBe(0);
    const build = box.calls('buildah').find((c) => c.argv[0] === 'build');
    expect(build?.argv).toContain('--isolation=rootless');
    expect(build?.env).toContain('BUILDAH_ISOLATION=rootless');
  });
});

describe('kaniko', () => {
  const report = (box: Sandbox) => readFileSync(box.path(`${box.projectDir}/cigen-build.env`), 'utf8');

  // Kaniko deletes the filesystem after every stage but the last, all but its ignore list, and
  // reads the credentials again for the push (the stub does both: STUB_KANIKO_STAGES).
  it('a multi-stage build still has its config.json when it pushes', () => {
    const { result, box } = run('kaniko', {}, { env: { STUB_KANIKO_STAGES: '3' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [executor] = box.calls('executor');
    expect(decodeAuths(executor?.config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
    expect(report(box)).toContain(`CIGEN_BUILT_DIGEST=sha256:${'1'.repeat(64)}\n`);
  });

  // Upstream's images carry docker-credential-ecr-login (named in credHelpers); the maintained
  // fork's carry none and build the helper into the executor (no credHelpers entry).
  it.each([
    ['with the helper binary', true, { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' }],
    ["without it (the executor's built-in helper)", false, undefined],
  ])('a multi-stage build still has the OIDC token file of registry-login when it pushes, %s', (_name, binary, credHelpers) => {
    const { result, box } = run(
      'kaniko',
      {
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/group/app',
        'registry-login': 'ecr',
        'aws-role-arn': 'arn:aws:iam::123456789012:role/ci',
        'ca-certificates': '$COMPANY_CA',
      },
      {
        env: {
          STUB_KANIKO_STAGES: '2',
          CIGEN_ID_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0In0.c2lnbmF0dXJl',
          COMPANY_CA: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
        },
        setup: (b) => {
          if (!binary) return;
          writeFileSync(b.path('/kaniko/docker-credential-ecr-login'), '#!/bin/sh\nexit 1\n');
          chmodSync(b.path('/kaniko/docker-credential-ecr-login'), 0o755);
        },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(box.calls('executor')[0]?.config?.['credHelpers']).toEqual(credHelpers);
  });
});

describe('buildkit', () => {
  const outputs = (argv: string[] | undefined) => (argv ?? []).filter((_arg, i, all) => all[i - 1] === '--output');

  it('runs the daemonless buildctl without a process sandbox', () => {
    const { result, box } = run('buildkit');
    expect(result.status).toBe(0);
    expect(box.calls('buildctl-daemonless.sh')[0]?.env).toBe('BUILDKITD_FLAGS=--oci-worker-no-process-sandbox\n');
  });

  // A project or group CI/CD variable takes precedence over the job's own variables.
  it.each([
    ['--debug', '--oci-worker-no-process-sandbox --debug'],
    ['--debug --oci-worker-no-process-sandbox', '--debug --oci-worker-no-process-sandbox'],
  ])('keeps --oci-worker-no-process-sandbox when a CI/CD variable sets BUILDKITD_FLAGS=%s', (flags, expected) => {
    const { result, box } = run('buildkit', {}, { env: { BUILDKITD_FLAGS: flags } });
    expect(result.status).toBe(0);
    expect(box.calls('buildctl-daemonless.sh')[0]?.env).toBe(`BUILDKITD_FLAGS=${expected}\n`);
  });

  // A registry cache export replaces the whole tag: every image (and platform) and every branch
  // writes its own, and a branch reads the default branch's as well.
  const cacheRefs = (argv: string[] | undefined, flag: string) =>
    (argv ?? []).filter((_arg, i, all) => all[i - 1] === flag).map((arg) => /ref=([^,]*)/.exec(arg)?.[1]);
  const CACHE = 'registry.example.com/group/app/cache';
  const matrixJob = (imageDir: string, ref: string, platform = '') =>
    run(
      'buildkit',
      { image: '$CI_REGISTRY_IMAGE/$IMAGE_DIR', platform },
      { env: { IMAGE_DIR: imageDir, CI_COMMIT_REF_NAME: ref, CI_COMMIT_REF_SLUG: ref.replace(/\//g, '-'), CI_DEFAULT_BRANCH: 'main' } },
    );

  it.each([
    ['api', 'main', '', ['buildkit-group-app-api-main'], 'buildkit-group-app-api-main'],
    ['web', 'main', '', ['buildkit-group-app-web-main'], 'buildkit-group-app-web-main'],
    ['api', 'feature/x', '', ['buildkit-group-app-api-feature-x', 'buildkit-group-app-api-main'], 'buildkit-group-app-api-feature-x'],
    ['api', 'main', 'linux/arm64', ['buildkit-group-app-api-linux-arm64-main'], 'buildkit-group-app-api-linux-arm64-main'],
  ])('cache tags: image %s on %s (platform %s)', (imageDir, ref, platform, imports, exported) => {
    const { result, box } = matrixJob(imageDir, ref, platform);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const argv = box.calls('buildctl-daemonless.sh')[0]?.argv;
    expect(cacheRefs(argv, '--import-cache')).toEqual(imports.map((tag) => `${CACHE}:${tag}`));
    expect(cacheRefs(argv, '--export-cache')).toEqual([`${CACHE}:${exported}`]);
  });

  it('cache tags stay valid tags (at most 128 characters) for long image paths, and distinct', () => {
    const long = 'a-very-long-service-directory-name-that-goes-on-and-on/and-on-further';
    const tags = ['one', 'two'].map((last) => {
      const { result, box } = matrixJob(`${long}/${last}`, `feature/${'x'.repeat(70)}`, 'linux/arm64/v8');
      expect(result.status).toBe(0);
      const argv = box.calls('buildctl-daemonless.sh')[0]?.argv;
      const [tag] = cacheRefs(argv, '--export-cache').map((ref) => ref?.slice(CACHE.length + 1));
      box.dispose();
      return tag as string;
    });
    for (const tag of tags) expect(tag).toMatch(/^buildkit-[a-z0-9-]+$/);
    for (const tag of tags) expect(tag.length).toBeLessThanOrEqual(128);
    expect(tags[0]).not.toBe(tags[1]);
  });

  it.each([
    ['no metadata file', { STUB_NO_METADATA: '1' }],
    ['a metadata file without the digest', { STUB_METADATA: '{"buildx.build.ref": "x"}' }],
  ])('fails after a push that left %s, rather than report no digest', (_what, env) => {
    const { result, box } = run('buildkit', {}, { env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cigen: error: buildkit build: buildctl gave no containerimage.digest in its metadata file');
    expect(result.stdout).not.toContain('(not pushed)');
    expect(existsSync(box.path(`${box.projectDir}/cigen-build.env`))).toBe(false);
  });

  it('needs no metadata file when it does not push', () => {
    const { result } = run('buildkit', { push: false }, { env: { STUB_NO_METADATA: '1' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  // BuildKit merges its exporters' responses in --output order, the last digest winning (the
  // stub does the same, with another digest for a tarball): the pushed image's must be last.
  it('pushes and saves a tarball: reports the pushed image, and the tarball is the same image', () => {
    const { result, box } = run('buildkit', {
      tarball: 'out/image.tar',
      annotations: ['org.opencontainers.image.description=The app'],
      reproducible: true,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = readFileSync(box.path(`${box.projectDir}/cigen-build.env`), 'utf8');
    expect(report).toContain(`CIGEN_BUILT_DIGEST=sha256:${'1'.repeat(64)}\n`);
    const same = ',"annotation.org.opencontainers.image.description=The app",rewrite-timestamp=true';
    expect(outputs(box.calls('buildctl-daemonless.sh')[0]?.argv)).toEqual([
      `type=docker,"name=registry.example.com/group/app:01234567",dest=${box.projectDir}/out/image.tar${same}`,
      `type=image,"name=registry.example.com/group/app:01234567",push=true${same}`,
    ]);
  });
});

describe('dind', () => {
  // sleep returns at once, so the 60 one-second waits take no time
  const quickSleep = (b: Sandbox) => {
    copyFileSync(join(import.meta.dirname, '../helpers/stub.sh'), b.path('/usr/local/bin/sleep'));
    chmodSync(b.path('/usr/local/bin/sleep'), 0o755);
  };
  // The client certificates the docker:dind service writes to the /certs/client volume it shares.
  const clientCertificates = (b: Sandbox) => {
    mkdirSync(b.path('/certs/client'), { recursive: true });
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(b.path(`/certs/client/${file}`), 'PEM\n');
  };

  it('says the service needs a privileged runner when the daemon never answers, after what docker info said', () => {
    const { result, box } = run(
      'dind',
      {},
      {
        env: { STUB_DOCKER_DOWN: '1' },
        setup: (b) => {
          quickSleep(b);
          clientCertificates(b);
        },
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "Cannot connect to the Docker daemon\ncigen: error: no Docker daemon after 60s (docker info's last error is above): the " +
        'docker:dind service needs a privileged runner',
    );
    expect(box.calls('docker').every((c) => c.argv[0] === 'info')).toBe(true);
  });

  it('says the runner must share /certs/client when the client certificates are not there, not that it must be privileged', () => {
    // A privileged runner without `volumes = ["/certs/client"]`: the service writes its client
    // certificates where the job cannot read them, and docker info fails on the missing ca.pem.
    const { result, box } = run('dind', {}, { env: { STUB_DOCKER_DOWN: '1' }, setup: quickSleep });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'no Docker daemon after 60s: no TLS client certificates (ca.pem, cert.pem, key.pem) in /certs/client to reach it with: the ' +
        'runner must share /certs/client with the docker:dind service',
    );
    expect(result.stderr).not.toContain('privileged');
    expect(box.calls('docker').every((c) => c.argv[0] === 'info')).toBe(true);
  });

  // The inline cache is one image per tag, its keys per platform: the jobs of one image per
  // platform (then the manifest component), and the images of a matrix, each write their own tag,
  // and a branch reads the default branch's as well; the same tags as buildkit's, dind- first.
  const CACHE = 'registry.example.com/group/app/cache';
  const cacheJob = (imageDir: string, ref: string, platform = '', inputs: Record<string, unknown> = {}) =>
    run(
      'dind',
      { image: '$CI_REGISTRY_IMAGE/$IMAGE_DIR', platform, ...inputs },
      { env: { IMAGE_DIR: imageDir, CI_COMMIT_REF_NAME: ref, CI_COMMIT_REF_SLUG: ref.replace(/\//g, '-'), CI_DEFAULT_BRANCH: 'main' } },
    );
  const cacheArgs = (box: Sandbox) => {
    const argv = box.calls('docker').find((c) => c.argv[0] === 'build')?.argv ?? [];
    const cacheTags = argv.filter((arg) => arg.startsWith(`--tag=${CACHE}:`)).map((arg) => arg.slice(`--tag=${CACHE}:`.length));
    const pushed = box
      .calls('docker')
      .filter((c) => c.argv[0] === 'push' && c.argv[1]?.startsWith(`${CACHE}:`))
      .map((c) => c.argv[1]?.slice(CACHE.length + 1));
    const from = argv.filter((arg) => arg.startsWith('--cache-from=')).map((arg) => arg.slice('--cache-from='.length));
    return { from, cacheTags, pushed };
  };

  it.each([
    ['api', 'main', '', ['dind-group-app-api-main'], 'dind-group-app-api-main'],
    ['web', 'main', '', ['dind-group-app-web-main'], 'dind-group-app-web-main'],
    ['api', 'feature/x', '', ['dind-group-app-api-feature-x', 'dind-group-app-api-main'], 'dind-group-app-api-feature-x'],
    ['api', 'main', 'linux/amd64', ['dind-group-app-api-linux-amd64-main'], 'dind-group-app-api-linux-amd64-main'],
    ['api', 'main', 'linux/arm64', ['dind-group-app-api-linux-arm64-main'], 'dind-group-app-api-linux-arm64-main'],
    [
      'api',
      'feature/x',
      'linux/arm64',
      ['dind-group-app-api-linux-arm64-feature-x', 'dind-group-app-api-linux-arm64-main'],
      'dind-group-app-api-linux-arm64-feature-x',
    ],
  ])('cache tags: image %s on %s (platform %s)', (imageDir, ref, platform, from, written) => {
    const { result, box } = cacheJob(imageDir, ref, platform);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(cacheArgs(box)).toEqual({ from: from.map((tag) => `${CACHE}:${tag}`), cacheTags: [written], pushed: [written] });
  });

  it('a build that does not push reads the cache and writes none', () => {
    const { result, box } = cacheJob('api', 'feature/x', '', { push: false });
    expect(result.status).toBe(0);
    expect(cacheArgs(box)).toEqual({
      from: [`${CACHE}:dind-group-app-api-feature-x`, `${CACHE}:dind-group-app-api-main`],
      cacheTags: [],
      pushed: [],
    });
  });

  it('refuses tls-verify: false, which the service would have to be started for', () => {
    const { result, box } = run('dind', { 'tls-verify': false });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'input tls-verify: false: the Docker daemon checks TLS per registry; name the hosts in insecure-registries instead',
    );
    expect(box.calls()).toEqual([]);
  });
});

// A proxy URL may hold a password: Kaniko (--build-arg NAME, GoogleContainerTools/kaniko#993) and
// the docker CLI read a build argument's value from their environment when only its name is given.
// BuildKit's --opt build-arg: needs the value.
// The runner runs before_script and script in one shell: the lines a job adds after the component's
// (`!reference [build-image, script]`, then its own) run with the options the shell had before it,
// as they would without it: no `set -u` left on (an unset variable would stop them), tracing back.
describe("the job shell's options at the end, as cigen found them", () => {
  it.each(
    ['buildah', 'buildah-rootless', 'kaniko', 'buildkit', 'dind'].flatMap((component) =>
      ['set -eo pipefail', 'set -f -x'].map((options) => [component, options] as const),
    ),
  )('%s, after %s', (component, options) => {
    const { result } = run(
      component,
      {},
      {
        beforeScript: `${options}\ncigen_before=$-`,
        afterScript: 'printf "options: %s %s\\n" "$cigen_before" "$-"\nprintf "after: [%s]\\n" "$OPTIONAL"',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const [, before, after] = /^options: (\S+) (\S+)$/m.exec(result.stdout) ?? [];
    expect(before).toBeDefined();
    expect(after).toBe(before);
    expect(result.stdout).toContain('after: []\n');
  });
});

// cigen turns pathname expansion off around what it splits, and back on only when it found it on:
// a job with `set -f` keeps it while cigen runs too. Seen by a buildah the job defines as a shell
// function, which cigen runs in the job's shell (every build, inspect and push of the platforms path).
describe("a job's set -f stays on while cigen runs", () => {
  it.each(['buildah', 'buildah-rootless'])('%s, building several platforms', (component) => {
    const { result, box } = run(
      component,
      { platforms: ['linux/amd64', 'linux/arm64'] },
      { beforeScript: 'set -f\nbuildah() { printf \'%s %s\\n\' "$1" "$-" >> /tmp/cigen-options; command buildah "$@"; }' },
    );
    expect(result.status, result.stderr).toBe(0);
    const calls = readFileSync(box.path('/tmp/cigen-options'), 'utf8').trimEnd().split('\n');
    expect(calls.filter((line) => line.startsWith('build ')).length).toBe(2);
    expect(calls.filter((line) => !/^\S+ \S*f/.test(line))).toEqual([]);
  });
});

describe('the job proxy as build arguments', () => {
  const PROXY = 'http://user:pr0xy-s3cret@proxy.example.com:3128';
  const TOOL = { kaniko: 'executor', dind: 'docker' } as const;
  it.each([
    ['kaniko', 'an exported variable', { env: { HTTPS_PROXY: PROXY } }],
    ['dind', 'an exported variable', { env: { HTTPS_PROXY: PROXY } }],
    ['kaniko', "a shell variable of the job's before_script", { beforeScript: `HTTPS_PROXY='${PROXY}'` }],
    ['dind', "a shell variable of the job's before_script", { beforeScript: `HTTPS_PROXY='${PROXY}'` }],
  ] as const)('%s: %s goes by name, its value in the environment', (component, _what, options) => {
    const { result, box } = run(component, {}, options);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const calls = box.calls(TOOL[component]);
    const build = component === 'dind' ? calls.find((c) => c.argv[0] === 'build') : calls[0];
    expect(build?.argv).toContain('--build-arg=HTTPS_PROXY');
    expect(build?.environment['HTTPS_PROXY']).toBe(PROXY);
    for (const call of calls) expect(call.argv.join(' ')).not.toContain('pr0xy-s3cret');
  });

  it('buildkit: the value, which --opt build-arg: needs', () => {
    const { result, box } = run('buildkit', {}, { env: { HTTPS_PROXY: PROXY } });
    expect(result.status).toBe(0);
    expect(box.calls('buildctl-daemonless.sh')[0]?.argv).toContain(`build-arg:HTTPS_PROXY=${PROXY}`);
  });

  it('buildkit: a build-args item that is a name alone gets its value from the environment, and is left out when unset', () => {
    const { result, box } = run('buildkit', { 'build-args': ['VERSION', 'UNSET_ARG', 'PLAIN=1'] }, { env: { VERSION: '1.2 "x" $y' } });
    expect(result.status).toBe(0);
    const opts = box.calls('buildctl-daemonless.sh')[0]?.argv.filter((arg) => arg.startsWith('build-arg:'));
    expect(opts).toContain('build-arg:VERSION=1.2 "x" $y');
    expect(opts).toContain('build-arg:PLAIN=1');
    expect(opts?.filter((arg) => arg.startsWith('build-arg:UNSET_ARG'))).toEqual([]);
  });

  it("kaniko: a build-args item that is a name alone goes by name when set (a before_script's variable too), and is left out when unset", () => {
    // The executor gives `--build-arg=NAME` with NAME unset in its environment an empty value
    // (resolveEnvironmentBuildArgs), which would replace the Dockerfile's ARG default.
    const { result, box } = run(
      'kaniko',
      { 'build-args': ['VERSION', 'UNSET_ARG', 'LOCAL_ARG', 'PLAIN=1'] },
      { env: { VERSION: '1.2 "x" $y' }, beforeScript: "LOCAL_ARG='from before_script'" },
    );
    expect(result.status).toBe(0);
    const build = box.calls('executor')[0];
    const args = build?.argv.filter((arg) => arg.startsWith('--build-arg='));
    expect(args).toEqual(['--build-arg=VERSION', '--build-arg=LOCAL_ARG', '--build-arg=PLAIN=1']);
    expect(build?.environment['VERSION']).toBe('1.2 "x" $y');
    expect(build?.environment['LOCAL_ARG']).toBe('from before_script');
    expect(build?.environment['UNSET_ARG']).toBeUndefined();
  });
});

describe("each boolean input's example on a builder's page, and each registry input's, alone", () => {
  const BUILDERS = CATALOG.filter((component) => component.builder !== undefined);
  // The registry inputs a builder's daemon may take less of than the shared wording says (dind's mirrors).
  const REGISTRY_INPUTS = new Set(['registry-mirrors', 'insecure-registries']);
  const cases = BUILDERS.flatMap((component) =>
    Object.entries(component.inputs)
      .filter(
        ([name, input]) =>
          (input.type === 'boolean' || REGISTRY_INPUTS.has(name)) && input.sample !== undefined && input.sample !== input.default,
      )
      .map(([name, input]) => [component.name, name, input.sample] as const),
  );

  // What GitLab sets in every job of a project in a group (the dependency proxy's address and credentials).
  const PREDEFINED = {
    CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: 'gitlab.example.com:443/group/dependency_proxy/containers',
    CI_DEPENDENCY_PROXY_SERVER: 'gitlab.example.com:443',
    CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
    CI_DEPENDENCY_PROXY_PASSWORD: 'proxy-s3cret',
  };

  it.each(cases)('%s with %s: %j runs: a page never shows a value the job refuses', (component, name, sample) => {
    const { result } = run(component, { [name]: sample }, { env: PREDEFINED });
    expect(result.stderr).not.toMatch(/cigen: error/);
    expect(result.status).toBe(0);
  });
});
