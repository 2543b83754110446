/**
 * Keys of a job that other jobs read: cigen may not remove or rewrite them in place. A job reads
 * another's keys through an alias of an anchor on that job (`<<: *build`) or inside those keys
 * (`image: *kaniko`), or through `!reference [job, key]` — anywhere in the pipeline's files.
 */
import { isPair, isScalar, visit, type Node, type Pair } from 'yaml';
import { keyOf } from '../ci/source.js';
import { reason, type Reason } from './notes.js';
import { resolveAlias, type JobDefinition, type Pipeline } from './pipeline.js';

/** The job (a top-level pair of the file) a visit path runs through. */
function jobAt(pipeline: Pipeline, path: readonly unknown[]): string | undefined {
  for (const step of path) if (isPair(step)) for (const job of pipeline.jobs.values()) if (job.pair === step) return job.name;
  return undefined;
}

/** Why `keys` of `job` cannot change in place, one reason per job that reads them (none when none does). */
export function sharedKeyReasons(pipeline: Pipeline, job: JobDefinition, keys: ReadonlySet<string>): Reason[] {
  const map = job.map;
  if (!map) return [];
  const pairs = map.items.filter((p) => keys.has(keyOf(p) ?? ''));
  // Anchored nodes whose aliases elsewhere would lose (part of) their value: the job itself, and
  // every node inside the keys that change.
  const anchored = new Map<Node, { key?: string; inside: Pair }>();
  if (map.anchor) anchored.set(map, { inside: job.pair });
  for (const pair of pairs)
    if (pair.value)
      visit(pair.value as Node, {
        Node(_key, node) {
          if (node.anchor) anchored.set(node, { key: keyOf(pair) as string, inside: pair });
        },
      });
  const readers = new Map<string, string>();
  if (anchored.size > 0)
    visit(job.file.doc, {
      Alias(_key, alias, path) {
        const target = resolveAlias(alias, job.file.doc);
        const site = target ? anchored.get(target) : undefined;
        if (!site || path.includes(site.inside)) return;
        const reader = jobAt(pipeline, path) ?? 'another part of the file';
        const what = site.key ? `its ${site.key}` : 'its keys';
        readers.set(reader, `${reader} reads ${what} through *${alias.source}`);
      },
    });
  for (const file of pipeline.files)
    visit(file.doc, {
      Seq(_key, seq, path) {
        if (seq.tag !== '!reference') return;
        const [name, key] = seq.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
        if (name !== job.name || key === undefined || !keys.has(key)) return;
        const reader = jobAt(pipeline, path) ?? 'another part of the pipeline';
        if (reader !== job.name) readers.set(reader, `${reader} reads its ${key} through !reference [${name}, ${key}]`);
      },
    });
  return [...readers.values()].map((text) =>
    reason('shared-keys', `${text}, which the migration would change: move the shared part into a hidden job both extend`),
  );
}
