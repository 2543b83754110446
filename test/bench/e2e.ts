// Issue 3: real Buildah builds against a real registry. A cold build vs a rebuild on fresh
// storage that takes its layers from the registry cache, and overlay vs vfs storage: build
// time and the disk the container storage takes, on a fixture whose RUN steps do real work.
import { join } from 'node:path';
import { instantiateComponent } from '../helpers/job.js';
import { startRegistry } from '../e2e/lib/registry.js';
import { ciVariables, freshRunner, projectWith, pushBaseImage, runJob, ROOT } from '../e2e/lib/runner.js';
import { median, table, type SuiteResult } from './lib.js';

const ROUNDS = 3;

export async function run(): Promise<SuiteResult> {
  const registry = await startRegistry();
  try {
    const base = pushBaseImage(registry);
    const rows: string[][] = [];
    for (const driver of ['overlay', 'vfs'] as const) {
      const cold: number[] = [];
      const warm: number[] = [];
      const disk: number[] = [];
      const hits: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const repository = `bench/${driver}-${round}`;
        for (const phase of ['cold', 'warm'] as const) {
          const project = projectWith(base, join(ROOT, 'test/bench/fixtures/heavy'));
          const runner = freshRunner(registry);
          try {
            const { job } = instantiateComponent(
              'buildah',
              { 'storage-driver': driver, tags: [phase], 'build-args': [`BASE=${base}`] },
              'classic',
            );
            const result = runJob(
              job,
              project,
              runner,
              ciVariables(registry, project, { CI_REGISTRY_IMAGE: `${registry.host}/${repository}` }),
            );
            if (result.status !== 0) throw new Error(`${driver} ${phase} build failed: ${result.log.slice(-2000)}`);
            if (phase === 'cold') {
              cold.push(result.seconds);
              disk.push(runner.storageBytes());
            } else {
              warm.push(result.seconds);
              hits.push(result.log.match(/Cache pulled from remote/g)?.length ?? 0);
            }
          } finally {
            runner.dispose();
          }
        }
      }
      const c = median(cold);
      const w = median(warm);
      rows.push([
        driver,
        `${c.toFixed(1)} s`,
        `${w.toFixed(1)} s`,
        (w / c).toFixed(2),
        String(median(hits)),
        `${(median(disk) / 1024 / 1024).toFixed(0)} MiB`,
      ]);
    }
    return {
      title: 'Buildah component, real builds (targets: cached rebuild / cold ≤ 0.25; the seed says vfs is slower and larger)',
      markdown: table(
        [
          'storage driver',
          'cold build + push',
          'rebuild, fresh storage, registry cache',
          'ratio',
          'cache hits',
          'storage after cold build',
        ],
        rows,
      ),
    };
  } finally {
    await registry.stop();
  }
}
