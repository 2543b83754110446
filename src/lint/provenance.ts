/**
 * Where a job's value at a place comes from, as GitLab reads the job: `extends` deep-merges the
 * bases in order, the job itself on top (Config::Extendable::Entry), so a place the job writes is
 * its own, and one it does not is the last base's that has it.
 */
import type { PathSegment } from '../ci/diagnostics.js';
import { isHash, valueAt } from '../ci/merge.js';
import { basesOf, MAX_EXTENDS_DEPTH, type JobDefinition, type PipelineModel } from './model.js';

type Trace = { definer: JobDefinition } | 'blocked' | undefined;

function trace(model: PipelineModel, job: JobDefinition, path: readonly PathSegment[], depth: number): Trace {
  if (valueAt(job.value, path) !== undefined) return { definer: job };
  // A list or a value on the way (a `!reference` is a list until it is resolved) replaces what the
  // bases have there wholly.
  for (let i = 1; i < path.length; i++) {
    const on = valueAt(job.value, path.slice(0, i));
    if (on !== undefined && !isHash(on)) return 'blocked';
  }
  if (depth >= MAX_EXTENDS_DEPTH) return 'blocked';
  for (const base of basesOf(job.value).reverse()) {
    const definition = model.jobs.get(base);
    if (!definition) continue;
    const found = trace(model, definition, path, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The definition (the job, or a base it extends, however far) whose own value holds `path` of
 * `job` as GitLab reads it; undefined when the place is not traced to one definition.
 */
export function definerOf(model: PipelineModel, job: JobDefinition, path: readonly PathSegment[]): JobDefinition | undefined {
  const found = trace(model, job, path, 0);
  return typeof found === 'object' ? found.definer : undefined;
}
