/**
 * What ci.json says of the places a visible job inherits through `extends`. GitLab validates a job
 * as it reads it, its bases merged in, and never a hidden job alone: a base's value it refuses
 * (`.base: {retry: 5}`) is refused in each job that takes it in. A job's own places are checked
 * where they are written (checkFile); here only the places a base gives it, each shown where that
 * base writes it. The job as a whole (`script` or `trigger` missing) is the semantic checks'. A
 * job extending visible jobs only is not checked again: what it takes from them is reported on them.
 * A constraint ci.json puts across a job's keys is not checked here (each inherited key is, beside a
 * stand-in for the job's kind).
 */
import type { Diagnostic, PathSegment } from '../ci/diagnostics.js';
import { contentAsEntriesRead, pathAsWritten } from '../ci/entries-read.js';
import { isHash, valueAt } from '../ci/merge.js';
import { locate } from '../ci/positions.js';
import { isSchemaValid, validateSchema } from '../ci/schema.js';
import { isHidden, type PipelineModel } from './model.js';
import { definerOf } from './provenance.js';

/** Whether a place, or one on the way to it, still holds a `!reference` GitLab would have replaced (one cigen cannot resolve). */
function throughUnresolved(value: unknown, path: readonly PathSegment[], tags: ReadonlySet<unknown>): boolean {
  for (let i = 0; i <= path.length; i++) if (tags.has(valueAt(value, path.slice(0, i)))) return true;
  return false;
}

/**
 * Whether a job extends a hidden job. One that extends only visible jobs takes in what they are
 * read as, and each of them is checked itself: what it inherits is reported there, once.
 */
function extendsHidden(bases: unknown): boolean {
  return (Array.isArray(bases) ? (bases as unknown[]) : [bases]).some((base) => typeof base === 'string' && isHidden(base));
}

/** Job names ci.json describes on their own (`pages`): their places are checked under their name only. */
const NAMED_IN_SCHEMA = new Set(['pages']);

/** The keys of a job it takes from its bases: each it does not write, and each hash it writes that a base's hash was merged into. */
const inheritedKeys = (own: Record<string, unknown>, merged: Record<string, unknown>): string[] =>
  Object.keys(merged).filter((key) => !Object.hasOwn(own, key) || (isHash(own[key]) && merged[key] !== own[key]));

/** `values`: each job as GitLab reads it (`extends` merged, `!reference` tags resolved). */
export async function inheritedFindings(
  model: PipelineModel,
  values: ReadonlyMap<string, { value: Record<string, unknown>; ok: boolean }>,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const tags = new Set(model.references.map((reference) => reference.node));
  // Each inherited place is checked once per value (by identity: the jobs that extend one base share
  // its values), beside a stand-in for what makes the job of its kind, so that a pipeline of many
  // jobs does not pay ci.json once per job; ci.json's rules are per key below a job.
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (value: unknown): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
    let id = ids.get(value);
    if (id === undefined) ids.set(value, (id = nextId++));
    return `#${id}`;
  };
  const valid = new Set<string>();
  for (const job of model.jobs.values()) {
    if (isHidden(job.name) || !extendsHidden(job.value['extends'])) continue;
    const merged = values.get(job.name);
    if (!merged?.ok) continue;
    const kind = 'trigger' in merged.value ? { trigger: 'group/project' } : { script: 'x' };
    const named = NAMED_IN_SCHEMA.has(job.name) ? job.name : '';
    for (const key of inheritedKeys(job.value, merged.value)) {
      const signature = `${named}\u0000${Object.keys(kind)[0] ?? ''}\u0000${key}\u0000${idOf(merged.value[key])}`;
      if (valid.has(signature)) continue;
      const whole = { [job.name]: { ...kind, [key]: merged.value[key] } };
      // Most places pass as they are; the entries' readings only take away what ci.json would refuse.
      if (isSchemaValid(whole)) {
        valid.add(signature);
        continue;
      }
      const read = contentAsEntriesRead(whole);
      const { findings } = await validateSchema(read);
      for (const finding of findings) {
        const path = pathAsWritten(read, finding.path).slice(1);
        if (path.length === 0 || throughUnresolved(merged.value, path, tags)) continue;
        const definer = definerOf(model, job, path);
        // The job's own (checked where it is written), or a place no one definition gives.
        if (!definer || definer === job) continue;
        const { doc, lineCounter, resolveKey, file } = definer.origin;
        const pos = locate(doc, lineCounter, [...definer.origin.path, ...path], finding.at ?? 'value', resolveKey);
        out.push({
          file,
          line: pos.line,
          column: pos.column,
          severity: 'error',
          code: finding.code,
          message: `${finding.message} (inherited from ${definer.name} through extends)`,
          document: 'content',
          path: [job.name, ...path],
        });
      }
    }
  }
  return out;
}
