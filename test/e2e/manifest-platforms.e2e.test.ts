/**
 * The manifest component with real Buildah against a real registry on 127.0.0.1: a source that is
 * an index is taken at its images' word, not its own. An index whose one entry is an amd64 image
 * listed as linux/s390x (`buildah manifest add --arch s390x`) stops the job before any push; an
 * index whose entries are what their images are is merged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantiateComponent } from '../helpers/job.js';
import { sh } from './lib/multi-platform.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { ciVariables, freshRunner, harnessAuthFile, runJob } from './lib/runner.js';

let registry: Registry;
let work: string;
const images: Record<string, string> = {};

/** Pushes a FROM scratch image for `platform` (no RUN step: no emulation) and returns IMAGE@DIGEST. */
function pushScratch(platform: string): string {
  const runner = freshRunner(registry);
  try {
    const env = { ...runner.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, runner.dir) };
    const dir = mkdtempSync(join(work, 'scratch-'));
    writeFileSync(join(dir, 'payload.txt'), `${platform}\n`);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
    const digestFile = join(dir, 'digest');
    const ref = `${registry.host}/e2e/sources`;
    sh(
      `buildah build -q --no-cache --platform ${platform} --tag localhost/src '${dir}' > /dev/null\n` +
        `buildah push -q --tls-verify=false --digestfile '${digestFile}' localhost/src docker://${ref}:${platform.replace(/\//g, '-')}`,
      env,
    );
    return `${ref}@${readFileSync(digestFile, 'utf8').trim()}`;
  } finally {
    runner.dispose();
  }
}

/** Pushes an index of `entries` ([IMAGE@DIGEST, the architecture it is listed under]) and returns IMAGE@DIGEST. */
function pushIndex(tag: string, entries: [string, string][]): string {
  const runner = freshRunner(registry);
  try {
    const env = { ...runner.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, runner.dir) };
    const digestFile = join(runner.dir, 'index-digest');
    const ref = `${registry.host}/e2e/sources`;
    sh(
      `buildah manifest create localhost/idx > /dev/null\n` +
        entries
          .map(
            ([image, arch]) =>
              `buildah manifest add --tls-verify=false --os linux --arch ${arch} localhost/idx docker://${image} > /dev/null`,
          )
          .join('\n') +
        `\nbuildah manifest push --tls-verify=false --digestfile '${digestFile}' localhost/idx docker://${ref}:${tag} > /dev/null 2>&1`,
      env,
    );
    return `${ref}@${readFileSync(digestFile, 'utf8').trim()}`;
  } finally {
    runner.dispose();
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), 'cigen-manifest-platforms-'));
  images['amd64'] = pushScratch('linux/amd64');
  images['arm64'] = pushScratch('linux/arm64');
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function merge(repository: string, sources: string[]) {
  const project = mkdtempSync(join(work, 'project-'));
  const runner = freshRunner(registry);
  const { job } = instantiateComponent('manifest', { sources, tags: ['v1'], 'tag-rules': [] }, 'classic');
  const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
  runner.dispose();
  return run;
}

describe('manifest: an index source is read image by image', () => {
  it('stops on an index that lists an amd64 image as linux/s390x; nothing is pushed', async () => {
    const amd64Digest = (images['amd64'] as string).split('@')[1];
    const bad = pushIndex('relabelled', [[images['amd64'] as string, 's390x']]);
    const run = merge('group/relabelled', [bad]);
    expect(run.status, run.log.slice(-3000)).toBe(1);
    expect(run.stderr).toContain(
      `cigen: error: the index ${bad} lists ${amd64Digest} as the image for linux/s390x, but that image is for linux/amd64 ` +
        '(its config says so): the index would name it wrongly',
    );
    expect(await registry.tags('group/relabelled')).toEqual([]);
  });

  it('merges an index whose entries are what their images are', async () => {
    const good = pushIndex('good', [
      [images['amd64'] as string, 'amd64'],
      [images['arm64'] as string, 'arm64'],
    ]);
    const run = merge('group/merged', [good]);
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status, run.log.slice(-3000)).toBe(0);
    expect(run.report?.['CIGEN_BUILT_PLATFORMS']).toBe('linux/amd64 linux/arm64');
    expect(await registry.tags('group/merged')).toEqual(['v1']);
  });
});
