/**
 * kaniko-compat for real: the component's job (its before_script installs /kaniko/executor), as
 * each interpolation mode instantiates it, runs Kaniko command lines the way public pipelines
 * write them, with real Buildah, against a local registry with htpasswd auth (one per mode). The
 * runner trusts nothing: the registry is plain HTTP and only the command line says so
 * (--insecure-registry, --skip-tls-verify-registry, --insecure). Each job
 * writes its own credentials as Kaniko jobs do (echo, heredoc, printf, cp of a file variable), and
 * what it pushed is asked of the registry. /kaniko is a private tmpfs per job (a mount namespace),
 * so nothing is installed on this machine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { instantiateComponent, jobEnvironment, jobScript } from '../helpers/job.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { buildahSealFailed, ciVariables, freshRunner, projectWith, pushBaseImage, unpackImage } from './lib/runner.js';
import { throwawayCertificateAuthority, trustThroughCertsD } from './lib/tls.js';

const SHA = '01234567';
let registry: Registry;
let base: string;
let createdKaniko = false;

let mode: InterpolationMode = 'classic';

beforeAll(() => {
  // The mount point for each job's private /kaniko (an empty directory; removed at the end).
  if (!existsSync('/kaniko')) {
    mkdirSync('/kaniko');
    createdKaniko = true;
  }
});
afterAll(() => {
  if (createdKaniko) rmdirSync('/kaniko');
});

interface CompatRun {
  status: number;
  log: string;
  project: string;
}

/** The job with these script lines, in a fresh runner and project; REG, AUTH and the job's variables set. */
function job(
  lines: readonly string[],
  options: { base?: string; variables?: Record<string, string>; files?: Record<string, string> } = {},
): CompatRun {
  const project = projectWith(options.base ?? base);
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(project, name), text);
  const runner = freshRunner(registry, { registryIsHttp: false });
  try {
    const { job: hidden } = instantiateComponent('kaniko-compat', {}, mode);
    const variables = ciVariables(registry, project, {
      REG: registry.host,
      AUTH: Buffer.from(`${registry.user}:${registry.password}`).toString('base64'),
      ...options.variables,
    });
    // From a file, as the runner's shell executor runs it: one `-c` argument may not pass 128 KiB (E2BIG).
    const script = join(runner.dir, 'script.sh');
    writeFileSync(script, `mount -t tmpfs -o mode=0755 tmpfs /kaniko || exit 97\n${jobScript({ ...hidden, script: lines })}`);
    const attempt = () =>
      spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '--norc', '--noprofile', script], {
        cwd: project,
        env: { ...jobEnvironment(hidden, variables), ...runner.env },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      });
    let result = attempt();
    if (buildahSealFailed(result)) result = attempt();
    const log = result.stdout + result.stderr;
    expect(log).not.toContain(registry.password);
    return { status: result.status ?? -1, log, project };
  } finally {
    runner.dispose();
  }
}

const ECHO_CONFIG = 'echo "{\\"auths\\":{\\"$REG\\":{\\"auth\\":\\"$AUTH\\"}}}" > /kaniko/.docker/config.json';
const built = (run: CompatRun) => {
  expect(run.log).not.toMatch(/cigen: error/);
  expect(run.status).toBe(0);
};

// The component instantiated as GitLab does under each interpolation mode, each mode against a registry of its own.
describe.each(INTERPOLATION_MODES)('%s interpolation: Kaniko command lines, built by Buildah', (interpolation) => {
  beforeAll(async () => {
    mode = interpolation;
    registry = await startRegistry();
    base = pushBaseImage(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('1. destinations from shell variables, the GitLab docs echo for config.json, exec', async () => {
    const run = job([
      ECHO_CONFIG,
      'IMAGE="$REG/e2e/vars"; TAG="$CI_COMMIT_SHORT_SHA"',
      'exec /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$IMAGE:$TAG" --insecure-registry "$REG"',
    ]);
    built(run);
    expect(await registry.tags('e2e/vars')).toEqual([SHA]);
  });

  it('2. several --destination, two repositories: one build, every tag the same digest', async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor -c . -d $REG/e2e/multi:a -d $REG/e2e/multi:b --destination=$REG/e2e/other:c --insecure-registry=$REG',
    ]);
    built(run);
    expect((await registry.tags('e2e/multi')).sort()).toEqual(['a', 'b']);
    const digests = await Promise.all([
      registry.digest('e2e/multi', 'a'),
      registry.digest('e2e/multi', 'b'),
      registry.digest('e2e/other', 'c'),
    ]);
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('3. --build-arg with $(…) and --target: the value computed by the job reaches the build', () => {
    const run = job(
      [
        ECHO_CONFIG,
        '/kaniko/executor --context . --target test --build-arg VERSION=$(cat VERSION) --destination $REG/e2e/args:1 --skip-tls-verify-registry $REG',
      ],
      { files: { VERSION: '4.5.6\n' } },
    );
    built(run);
    const image = unpackImage(registry, `${registry.host}/e2e/args:1`);
    try {
      expect(readFileSync(join(image.rootfs, 'app/stage.txt'), 'utf8')).toBe('test version=4.5.6\n');
    } finally {
      image.dispose();
    }
  });

  it('4. --cache=true --cache-repo with --cache-ttl: layers written to the cache repository', async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor --context . --destination $REG/e2e/cached:1 --cache=true --cache-repo $REG/e2e/cache --cache-ttl 24h --insecure-registry $REG',
    ]);
    built(run);
    expect(await registry.tags('e2e/cached')).toEqual(['1']);
    expect((await registry.tags('e2e/cache')).length).toBeGreaterThan(0);
  });

  it('5. --no-push --tar-path: a docker-archive in the project, nothing in the registry', async () => {
    const run = job([
      '/kaniko/executor --context . --destination $REG/e2e/tarball:1 --no-push --tar-path out/image.tar --insecure-registry $REG',
    ]);
    built(run);
    const listing = spawnSync('tar', ['-tf', join(run.project, 'out/image.tar')], { encoding: 'utf8' });
    expect(listing.stdout).toContain('manifest.json');
    expect(await registry.tags('e2e/tarball')).toEqual([]);
    rmSync(run.project, { recursive: true, force: true });
  });

  it("6. Kaniko's digest files: the digest the registry serves, with names as Kaniko writes them", async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor --context . -d $REG/e2e/digest:1 -d $REG/e2e/digest --digest-file out/digest ' +
        '--image-name-with-digest-file out/names --image-name-tag-with-digest-file out/tagged --insecure-registry $REG',
    ]);
    built(run);
    const digest = await registry.digest('e2e/digest', '1');
    expect(readFileSync(join(run.project, 'out/digest'), 'utf8')).toBe(digest);
    const name = `${registry.host}/e2e/digest`;
    expect(readFileSync(join(run.project, 'out/names'), 'utf8')).toBe(`${name}@${digest}\n${name}@${digest}\n`);
    expect(readFileSync(join(run.project, 'out/tagged'), 'utf8')).toBe(`${name}:1@${digest}\n${name}:latest@${digest}\n`);
    rmSync(run.project, { recursive: true, force: true });
  });

  it('7. --registry-mirror: FROM docker.io/... comes from the mirror (this machine has no network), plain HTTP for that host only', async () => {
    const run = job(
      [
        ECHO_CONFIG,
        '/kaniko/executor --context . --destination $REG/e2e/mirrored:1 --registry-mirror $REG --skip-tls-verify-registry $REG',
      ],
      {
        base: 'docker.io/e2e/base:1',
      },
    );
    built(run);
    expect(run.log).toContain(
      `and the job's tables): short names from docker.io; mirrors for docker.io; without TLS checks: ${registry.host}\n`,
    );
    expect(run.log).toContain('cigen: kaniko-compat: registries.conf for this job only (');
    expect(await registry.tags('e2e/mirrored')).toEqual(['1']);
  });

  it('8. config.json from a heredoc (username and password, which Buildah reads only as auth)', async () => {
    const run = job(
      [
        'cat <<EOF > /kaniko/.docker/config.json\n{"auths":{"$REG":{"username":"$REG_USER","password":"$REG_PASSWORD"}}}\nEOF',
        '/kaniko/executor --context . --destination $REG/e2e/heredoc:1 --insecure-registry $REG',
      ],
      { variables: { REG_USER: registry.user, REG_PASSWORD: registry.password, CI_REGISTRY: 'registry.invalid' } },
    );
    built(run);
    expect(await registry.tags('e2e/heredoc')).toEqual(['1']);
  });

  it('9. config.json copied from a file variable with cp', async () => {
    const file = join(registry.dir, 'docker-config.json');
    writeFileSync(
      file,
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${registry.user}:${registry.password}`).toString('base64') } } }),
    );
    chmodSync(file, 0o600);
    const run = job(
      [
        'mkdir -p /kaniko/.docker',
        'cp "$DOCKER_CONFIG_FILE" /kaniko/.docker/config.json',
        '/kaniko/executor --context . --destination $REG/e2e/copied:1 --insecure-registry $REG',
      ],
      {
        variables: { DOCKER_CONFIG_FILE: file, CI_REGISTRY: 'registry.invalid' },
      },
    );
    built(run);
    expect(await registry.tags('e2e/copied')).toEqual(['1']);
  });

  it('10. printf into $DOCKER_CONFIG/config.json, DOCKER_CONFIG of its own', async () => {
    const run = job(
      [
        'mkdir -p "$DOCKER_CONFIG"',
        'printf \'{"auths":{"%s":{"auth":"%s"}}}\' "$REG" "$(printf \'%s:%s\' "$REG_USER" "$REG_PASSWORD" | base64 | tr -d \'\\n\')" > "$DOCKER_CONFIG/config.json"',
        '/kaniko/executor --context . --destination $REG/e2e/printf:1 --insecure-registry $REG',
      ],
      {
        variables: {
          DOCKER_CONFIG: '/kaniko/job-docker',
          REG_USER: registry.user,
          REG_PASSWORD: registry.password,
          CI_REGISTRY: 'registry.invalid',
        },
      },
    );
    built(run);
    expect(await registry.tags('e2e/printf')).toEqual(['1']);
  });

  it('11. an unquoted $KANIKO_ARGS passes flags known only when the job runs', () => {
    const run = job(
      [ECHO_CONFIG, '/kaniko/executor --context "$CI_PROJECT_DIR" --destination "$REG/e2e/args-var:$CI_COMMIT_SHORT_SHA" $KANIKO_ARGS'],
      {
        variables: { KANIKO_ARGS: '--target runtime --label org.example.team=e2e --insecure' },
      },
    );
    built(run);
    const image = unpackImage(registry, `${registry.host}/e2e/args-var:${SHA}`);
    try {
      expect(readFileSync(join(image.rootfs, 'app/stage.txt'), 'utf8')).toBe('runtime\n');
      expect(JSON.stringify(image.config)).toContain('"org.example.team":"e2e"');
    } finally {
      image.dispose();
    }
  });

  it('12. destinations chosen in an if block and added in a for loop', async () => {
    const run = job(
      [
        ECHO_CONFIG,
        'DESTINATIONS="--destination $REG/e2e/loop:$CI_COMMIT_SHORT_SHA"\nif [ -n "$CI_COMMIT_TAG" ]; then DESTINATIONS="$DESTINATIONS --destination $REG/e2e/loop:$CI_COMMIT_TAG"; fi\n' +
          'for tag in $EXTRA_TAGS; do DESTINATIONS="$DESTINATIONS --destination $REG/e2e/loop:$tag"; done\n' +
          '/kaniko/executor --context . $DESTINATIONS --insecure-registry $REG',
      ],
      { variables: { CI_COMMIT_TAG: 'v1.0.0', EXTRA_TAGS: 'stable latest' } },
    );
    built(run);
    expect((await registry.tags('e2e/loop')).sort()).toEqual([SHA, 'latest', 'stable', 'v1.0.0'].sort());
  });

  it('13. --reproducible: two builds of the same sources give the same digest', async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor --context . --destination $REG/e2e/repro:a --reproducible --insecure-registry $REG',
      'sleep 1',
      '/kaniko/executor --context . --destination $REG/e2e/repro:b --reproducible --insecure-registry $REG',
    ]);
    built(run);
    const [a, b] = await Promise.all([registry.digest('e2e/repro', 'a'), registry.digest('e2e/repro', 'b')]);
    expect(a).toMatch(/^sha256:/);
    expect(b).toBe(a);
  });

  it('13b. --no-push --digest-file: the digest the image gets when it is pushed, as Kaniko writes it unpushed', async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor --context . --destination $REG/e2e/unpushed:a --reproducible --no-push --digest-file out/unpushed --insecure-registry $REG',
      '/kaniko/executor --context . --destination $REG/e2e/unpushed:b --reproducible --digest-file out/pushed --insecure-registry $REG',
    ]);
    built(run);
    const pushed = await registry.digest('e2e/unpushed', 'b');
    expect(readFileSync(join(run.project, 'out/pushed'), 'utf8')).toBe(pushed);
    expect(readFileSync(join(run.project, 'out/unpushed'), 'utf8')).toBe(pushed);
    expect(await registry.tags('e2e/unpushed')).toEqual(['b']);
    rmSync(run.project, { recursive: true, force: true });
  });

  it('14. --insecure with --insecure-pull, --push-retry, and Kaniko tuning flags it has nothing to do for', async () => {
    const run = job([
      ECHO_CONFIG,
      '/kaniko/executor --context . --destination $REG/e2e/tuned:1 --insecure --insecure-pull --push-retry=2 --snapshot-mode=redo --use-new-run --cleanup -v info',
    ]);
    built(run);
    expect(run.log).toContain('cigen: kaniko-compat: --snapshot-mode: nothing to do:');
    expect(await registry.tags('e2e/tuned')).toEqual(['1']);
  });

  it("15. the job's own credentials, not the job token: a wrong password in config.json fails the push", async () => {
    const run = job(
      [
        'echo "{\\"auths\\":{\\"$REG\\":{\\"auth\\":\\"$(printf %s:%s "$REG_USER" wrong-password | base64)\\"}}}" > /kaniko/.docker/config.json',
        '/kaniko/executor --context . --destination $REG/e2e/denied:1 --insecure-registry $REG',
      ],
      { variables: { REG_USER: registry.user } },
    );
    expect(run.status).not.toBe(0);
    expect(run.log).toMatch(/unauthorized|authentication required|401/i);
    expect(await registry.tags('e2e/denied')).toEqual([]);
  });

  it('16. executor on PATH and a --dockerfile found relative to the working directory, as Kaniko looks for it', async () => {
    const run = job([
      'mkdir -p docker && cp Dockerfile docker/Dockerfile.prod',
      ECHO_CONFIG,
      'executor -c . -f docker/Dockerfile.prod -d $REG/e2e/path:1 --insecure-registry $REG',
    ]);
    built(run);
    expect(await registry.tags('e2e/path')).toEqual(['1']);
  });

  it('17. an unknown flag stops the job at once, naming the flag', async () => {
    const run = job([ECHO_CONFIG, '/kaniko/executor --context . --destination $REG/e2e/unknown:1 --frobnicate --insecure-registry $REG']);
    expect(run.status).toBe(1);
    expect(run.log).toContain('cigen: error: kaniko-compat: unknown flag --frobnicate: not a flag of the Kaniko executor');
    expect(run.log).not.toContain('buildah build');
    expect(await registry.tags('e2e/unknown')).toEqual([]);
  });
});

// Certificates the job gives (--registry-certificate, the ca-certificates input) are trusted for every
// registry beside what the runner trusts: here the FROM registry, through /etc/containers/certs.d/<host>.
describe('--registry-certificate for the destination; the FROM registry trusted by the runner through certs.d', () => {
  let dir: string;
  let from: Registry;
  let undoCertsD: () => void = () => undefined;
  let caFile: string;

  beforeAll(async () => {
    mode = 'classic';
    dir = mkdtempSync(join(tmpdir(), 'cigen-compat-tls-'));
    mkdirSync(join(dir, 'destination'));
    mkdirSync(join(dir, 'from'));
    const destinationCa = throwawayCertificateAuthority(join(dir, 'destination'));
    const fromCa = throwawayCertificateAuthority(join(dir, 'from'));
    caFile = destinationCa.caFile;
    registry = await startRegistry({ tls: destinationCa });
    from = await startRegistry({ tls: fromCa });
    base = pushBaseImage(from);
    undoCertsD = trustThroughCertsD(from.host, fromCa.ca);
  });
  afterAll(async () => {
    undoCertsD();
    await Promise.all([registry?.stop(), from?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls FROM the registry certs.d vouches for and pushes over HTTPS verified with the certificate given', async () => {
    const run = job(
      [
        'echo "{\\"auths\\":{\\"$REG\\":{\\"auth\\":\\"$AUTH\\"},\\"$FROM\\":{\\"auth\\":\\"$FROM_AUTH\\"}}}" > /kaniko/.docker/config.json',
        '/kaniko/executor --context . --destination $REG/e2e/tls:1 --registry-certificate "$REG=$DESTINATION_CA"',
      ],
      {
        variables: {
          FROM: from.host,
          FROM_AUTH: Buffer.from(`${from.user}:${from.password}`).toString('base64'),
          DESTINATION_CA: caFile,
        },
      },
    );
    built(run);
    expect(run.log).not.toContain(from.password);
    expect(await registry.tags('e2e/tls')).toEqual(['1']);
  });
});
