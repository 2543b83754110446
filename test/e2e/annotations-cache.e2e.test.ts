/**
 * Annotations and Buildah 1.28's layer cache, with real Buildah against a real registry on
 * 127.0.0.1: a build whose every step is in the cache repository (cache-from) gets back the cached
 * image, which lacks the annotations input's annotations. The job sees it and builds again without
 * the cache, so the image the registry serves carries them, for each platform of an index.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantiateComponent } from '../helpers/job.js';
import { sh } from './lib/multi-platform.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { ciVariables, freshRunner, harnessAuthFile, runJob } from './lib/runner.js';

let registry: Registry;
let work: string;

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(join(tmpdir(), 'cigen-annotations-cache-'));
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function buildJob(project: string, repository: string, inputs: Record<string, unknown>) {
  const runner = freshRunner(registry);
  const { job } = instantiateComponent('buildah', { cache: true, ...inputs }, 'classic');
  const run = runJob(job, project, runner, ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }));
  runner.dispose();
  return run;
}

const annotationsOf = (ref: string): Record<string, string> => {
  const dir = mkdtempSync(join(work, 'auth-'));
  const raw = sh(`skopeo inspect --raw --tls-verify=false 'docker://${ref}'`, { REGISTRY_AUTH_FILE: harnessAuthFile(registry, dir) });
  return (JSON.parse(raw) as { annotations?: Record<string, string> }).annotations ?? {};
};

describe('buildah: annotations on a layer-cache hit', () => {
  it('builds again without the cache when the cached image lacks them: every platform is annotated', () => {
    const project = mkdtempSync(join(work, 'project-'));
    writeFileSync(join(project, 'payload.txt'), 'same everywhere\n');
    writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
    const repository = 'group/annotated';
    const platforms = ['linux/amd64', 'linux/arm64'];
    // A first pipeline without annotations fills the cache repository.
    const first = buildJob(project, repository, { platforms, tags: ['first'] });
    expect(first.stderr).not.toMatch(/cigen: error/);
    expect(first.status, first.log.slice(-3000)).toBe(0);

    const run = buildJob(project, repository, { platforms, tags: ['second'], annotations: ['org.example.review=annotated'] });
    expect(run.stderr).not.toMatch(/cigen: error/);
    expect(run.status, run.log.slice(-3000)).toBe(0);
    // Each platform's image, as the report lists them: PLATFORM=IMAGE@DIGEST.
    const refs = (run.report?.['CIGEN_BUILT_PLATFORM_REFS'] ?? '').split(' ').map((item) => item.split('='));
    expect(refs.map(([platform]) => platform)).toEqual(platforms);
    for (const [platform, ref] of refs) {
      expect(annotationsOf(ref as string), platform).toMatchObject({ 'org.example.review': 'annotated' });
    }
  });
});
