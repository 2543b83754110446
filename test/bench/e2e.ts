// Real Buildah builds against a real registry. A cold build vs a rebuild on fresh storage that
// takes its layers from the registry cache, and overlay vs vfs storage: build time and the disk the
// container storage takes, on a fixture whose RUN steps do real work. Needs root, buildah, skopeo
// and docker-registry (the e2e tier's packages).
import { join } from 'node:path';
import { instantiateComponent } from '../helpers/job.js';
import { startRegistry } from '../e2e/lib/registry.js';
import { ciVariables, freshRunner, projectWith, pushBaseImage, runJob, ROOT } from '../e2e/lib/runner.js';
import { MIN_RUNS, median, spread, type SuiteResult } from './lib.js';

const ROUNDS = MIN_RUNS;

const seconds = (values: number[]): string => {
  const s = spread(values);
  return `${s.median.toFixed(1)} s (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
};

export async function run(): Promise<SuiteResult> {
  const registry = await startRegistry();
  try {
    const base = pushBaseImage(registry);
    const rows: string[][] = [];
    const data: Record<string, unknown> = {};
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
      const ratios = warm.map((w, i) => w / (cold[i] as number));
      rows.push([
        driver,
        seconds(cold),
        seconds(warm),
        `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
        String(median(hits)),
        `${(median(disk) / 1024 / 1024).toFixed(0)} MiB`,
      ]);
      data[driver] = { cold, warm, disk, hits };
    }
    const overlay = data['overlay'] as { cold: number[]; warm: number[] };
    const ratio = median(overlay.warm.map((w, i) => w / (overlay.cold[i] as number)));
    return {
      id: 'e2e',
      title: 'Buildah component, real builds',
      intro: [
        'Real Buildah builds of a fixture whose RUN steps do real work (CPU, a 64 MiB layer), pushed to a local registry. ' +
          'Target: a cached rebuild on fresh storage at most 0.25 of the cold build.',
      ],
      tables: [
        {
          caption: `Median (min–max) of ${ROUNDS} rounds; the ratio is taken round by round.`,
          headers: [
            'storage driver',
            'cold build + push',
            'rebuild, fresh storage, registry cache',
            'ratio',
            'cache hits',
            'storage after cold build',
          ],
          rows,
        },
      ],
      checks: [{ what: 'cached rebuild / cold build (overlay)', target: '≤ 0.25', measured: ratio.toFixed(2), met: ratio <= 0.25 }],
      notes: [],
      data,
    };
  } finally {
    await registry.stop();
  }
}
