/**
 * Issue 17's build features with real Buildah, in both interpolation modes, against a real
 * registry: tag rules in a branch, a version-tag and a merge-request pipeline (the registry's
 * tags, exactly); a build secret a RUN step uses and no layer, history or config holds; an SSH
 * agent a RUN step reaches; the same commit built twice on fresh storage giving the same digest.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent } from '../helpers/job.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { ciVariables, freshRunner, harnessAuthFile, pushBaseImage, runJob, unpackImage, type JobRun } from './lib/runner.js';

const SHA = '01234567';
const SECRET = 'npm_t0ken-never-in-a-layer-4f1c';
const RELEASE_RULES = ['ref', 'sha', 'semver:{{version}}', 'semver:{{major}}.{{minor}}', 'latest', 'edge', 'mr'];

let registry: Registry;
let base: string;
let work: string;
const logs: JobRun[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  base = pushBaseImage(registry);
  work = mkdtempSync(join(tmpdir(), 'cigen-features-'));
});
afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function project(dockerfile: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, 'project-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile.replace('BASE', base));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function build(dir: string, mode: string, inputs: Record<string, unknown>, variables: Record<string, string>) {
  const runner = freshRunner(registry);
  try {
    const { job } = instantiateComponent('buildah', { cache: false, ...inputs }, mode as 'classic');
    const run = runJob(job, dir, runner, ciVariables(registry, dir, variables));
    logs.push(run);
    return run;
  } finally {
    runner.dispose();
  }
}

/** Every file of every layer, and the config with its history, as text. */
function everything(ref: string): string {
  const image = unpackImage(registry, ref);
  try {
    const texts: string[] = [JSON.stringify(image.config)];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        const stat = statSync(path, { throwIfNoEntry: false });
        if (stat?.isDirectory()) walk(path);
        else if (stat?.isFile()) texts.push(readFileSync(path, 'latin1'));
      }
    };
    walk(image.rootfs);
    return texts.join('\n');
  } finally {
    image.dispose();
  }
}

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it.each([
    [
      'a branch pipeline on the default branch',
      { CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main', CI_COMMIT_REF_SLUG: 'main' },
      ['01234567', 'edge', 'main'],
    ],
    [
      'a v1.2.3 tag pipeline',
      { CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_SLUG: 'v1-2-3', CI_DEFAULT_BRANCH: 'main' },
      ['01234567', '1.2', '1.2.3', 'latest', 'v1.2.3'],
    ],
    [
      'a merge request pipeline',
      { CI_MERGE_REQUEST_IID: '7', CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_SLUG: 'feature-x', CI_DEFAULT_BRANCH: 'main' },
      ['01234567', 'feature-x', 'mr-7'],
    ],
  ])('tag rules in %s: exactly these tags in the registry', async (_pipeline, pipeline, expected) => {
    const repository = `group/tags-${mode}-${expected.length}-${expected[1]}`;
    const dir = project('FROM BASE\nCOPY payload.txt /payload.txt\n', { 'payload.txt': 'x\n' });
    const run = build(
      dir,
      mode,
      { tags: [], 'tag-rules': RELEASE_RULES },
      { CI_REGISTRY_IMAGE: `${registry.host}/${repository}`, ...pipeline },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect((await registry.tags(repository)).sort()).toEqual(expected);
    expect(run.report?.['CIGEN_BUILT_TAGS']?.split(' ').sort()).toEqual(expected);
  });

  it('a secret a RUN step uses is in no layer, no history and no config; the log never shows it', () => {
    const repository = `group/secret-${mode}`;
    const npmrc = join(work, `npmrc-${mode}`);
    writeFileSync(npmrc, `//registry.example.com/:_authToken=${SECRET}\n`);
    const dir = project(
      'FROM BASE\n' +
        'RUN --mount=type=secret,id=token mkdir -p /app && sha256sum < /run/secrets/token > /app/token.sha\n' +
        'RUN --mount=type=secret,id=npmrc grep -c _authToken /run/secrets/npmrc > /app/npmrc.count\n',
    );
    const run = build(
      dir,
      mode,
      { secrets: ['id=token,env=API_TOKEN', 'id=npmrc,src=$NPMRC'] },
      {
        CI_REGISTRY_IMAGE: `${registry.host}/${repository}`,
        API_TOKEN: SECRET,
        NPMRC: npmrc,
      },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    expect(run.log).not.toContain(SECRET);
    const image = unpackImage(registry, `${registry.host}/${repository}:${SHA}`);
    try {
      // The steps had the secrets: the hash of one, a line count of the other.
      expect(readFileSync(join(image.rootfs, 'app/token.sha'), 'utf8').split(' ')[0]).toBe(
        createHash('sha256').update(SECRET).digest('hex'),
      );
      expect(readFileSync(join(image.rootfs, 'app/npmrc.count'), 'utf8').trim()).toBe('1');
    } finally {
      image.dispose();
    }
    expect(everything(`${registry.host}/${repository}:${SHA}`)).not.toContain(SECRET);
  });

  it('an SSH key becomes an agent a RUN step reaches through --mount=type=ssh', () => {
    const keys = mkdtempSync(join(work, 'key-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cigen-e2e', '-f', join(keys, 'id')]);
    const repository = `group/ssh-${mode}`;
    const dir = project('FROM BASE\nRUN --mount=type=ssh mkdir -p /app && test -S "$SSH_AUTH_SOCK" && echo agent > /app/ssh.txt\n');
    const run = build(
      dir,
      mode,
      { ssh: '$DEPLOY_KEY' },
      { CI_REGISTRY_IMAGE: `${registry.host}/${repository}`, DEPLOY_KEY: readFileSync(join(keys, 'id'), 'utf8') },
    );
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status).toBe(0);
    const image = unpackImage(registry, `${registry.host}/${repository}:${SHA}`);
    try {
      expect(readFileSync(join(image.rootfs, 'app/ssh.txt'), 'utf8')).toBe('agent\n');
    } finally {
      image.dispose();
    }
  });

  it('skip-unused-stages false builds every stage, as Kaniko does by default: a failing stage nothing copies from fails the build', () => {
    const repository = `group/stages-${mode}`;
    // The tests stage is used by no other stage; it fails, as a test suite that fails would.
    const dir = project(`FROM ${base} AS tests\nRUN echo running the tests && false\nFROM ${base}\nCOPY payload.txt /payload.txt\n`, {
      'payload.txt': 'x\n',
    });
    const variables = { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` };
    const skipping = build(dir, mode, {}, variables);
    expect(skipping.status, skipping.log.slice(-2000)).toBe(0);
    expect(skipping.log).not.toContain('running the tests');
    const every = build(dir, mode, { 'skip-unused-stages': false, tags: ['every'] }, variables);
    expect(every.status).not.toBe(0);
    expect(every.log).toContain('running the tests');
  });

  it('annotations land in the manifest the registry serves, labels in the config', () => {
    const repository = `group/annotated-${mode}`;
    const dir = project('FROM BASE\nCOPY payload.txt /payload.txt\n', { 'payload.txt': 'x\n' });
    const run = build(
      dir,
      mode,
      { annotations: ['org.opencontainers.image.description=The app, annotated'], labels: ['team=platform'] },
      {
        CI_REGISTRY_IMAGE: `${registry.host}/${repository}`,
      },
    );
    expect(run.status).toBe(0);
    const manifest = spawnSync(
      'skopeo',
      [
        'inspect',
        '--raw',
        '--tls-verify=false',
        `--creds=${registry.user}:${registry.password}`,
        `docker://${registry.host}/${repository}:${SHA}`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect((JSON.parse(manifest.stdout) as { annotations?: Record<string, string> }).annotations).toMatchObject({
      'org.opencontainers.image.description': 'The app, annotated',
    });
  });

  it('reproducible: the same commit built twice on fresh storage gives the same digest; without it, not', async () => {
    const dir = project('FROM BASE\nCOPY payload.txt /app/payload.txt\nRUN echo "built from $SOURCE_DATE_EPOCH" > /app/built.txt\n', {
      'payload.txt': 'x\n',
    });
    const digests: Record<string, (string | undefined)[]> = {};
    for (const reproducible of [true, false]) {
      digests[String(reproducible)] = [];
      for (const n of [1, 2]) {
        const repository = `group/repro-${mode}-${reproducible}-${n}`;
        const run = build(dir, mode, { reproducible }, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` });
        expect(run.stderr).not.toMatch(/cigen: error/);
        expect(run.status).toBe(0);
        digests[String(reproducible)]?.push(await registry.digest(repository, SHA));
      }
    }
    const [a, b] = digests['true'] ?? [];
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    const [c, d] = digests['false'] ?? [];
    expect(c).not.toBe(d);
  });

  it('reproducible with the cache on: a cache filled by builds of other timestamps changes nothing, and the log says it is not used', async () => {
    const dir = project('FROM BASE\nCOPY payload.txt /app/payload.txt\nRUN echo built > /app/built.txt\n', { 'payload.txt': 'cached\n' });
    const cacheRepo = `${registry.host}/group/repro-cache-${mode}`;
    const TIME = '2024-07-01T00:00:00+00:00';
    const commit = (time: string, repository: string) => ({
      CI_COMMIT_TIMESTAMP: time,
      CI_REGISTRY_IMAGE: `${registry.host}/${repository}`,
    });
    // The cache filled by a build stamped with the previous commit's time (as this job wrote it
    // before it left the cache out), then by the job not reproducible (wall-clock times).
    const runner = freshRunner(registry);
    try {
      const stamped = spawnSync(
        'buildah',
        [
          'build',
          '--isolation=chroot',
          '--format=oci',
          '--layers',
          '--timestamp=1717200000',
          `--cache-to=${cacheRepo}`,
          '--tls-verify=false',
          dir,
        ],
        { env: { ...process.env, ...runner.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, runner.dir) }, encoding: 'utf8' },
      );
      expect(stamped.status, stamped.stderr).toBe(0);
    } finally {
      runner.dispose();
    }
    const filler = build(dir, mode, { cache: true, 'cache-repo': cacheRepo }, commit(TIME, `group/filler-${mode}`));
    expect(filler.status).toBe(0);
    expect(await registry.tags(`group/repro-cache-${mode}`)).not.toEqual([]);
    const cached = build(
      dir,
      mode,
      { reproducible: true, cache: true, 'cache-repo': cacheRepo },
      commit(TIME, `group/repro-cached-${mode}`),
    );
    const fresh = build(dir, mode, { reproducible: true, cache: false }, commit(TIME, `group/repro-fresh-${mode}`));
    for (const run of [cached, fresh]) {
      expect(run.stderr).not.toMatch(/cigen: error/);
      expect(run.status).toBe(0);
    }
    // The digest and the times of a build without the cache: the commit's, not the fillers'.
    const digest = await registry.digest(`group/repro-cached-${mode}`, SHA);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digest).toBe(await registry.digest(`group/repro-fresh-${mode}`, SHA));
    const image = unpackImage(registry, `${registry.host}/group/repro-cached-${mode}:${SHA}`);
    try {
      const config = image.config as { created: string; history: { created: string }[] };
      expect(config.created).toBe('2024-07-01T00:00:00Z');
      expect(new Set(config.history.slice(-2).map((entry) => entry.created))).toEqual(new Set(['2024-07-01T00:00:00Z']));
    } finally {
      image.dispose();
    }
    const said =
      `cigen: reproducible: the layer cache is not used (${cacheRepo} neither read nor written): ` +
      "layers it holds could carry another build's timestamps and change the digest";
    expect(cached.log.split('\n').filter((line) => line === said)).toHaveLength(1);
    expect(cached.log).not.toContain('Cache pulled from remote');
    expect(fresh.log).not.toContain('the layer cache is not used');
  });
});

describe('every job log', () => {
  it('holds no registry password and no build secret', () => {
    expect(logs.length).toBeGreaterThan(10);
    for (const run of logs) {
      expect(run.log).not.toContain(registry.password);
      expect(run.log).not.toContain(SECRET);
    }
  });
});
