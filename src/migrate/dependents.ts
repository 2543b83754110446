/**
 * Keys of a job that other jobs read: cigen may not remove or rewrite them in place. A job reads
 * another's keys through an alias of an anchor on that job (`<<: *build`) or inside those keys
 * (`image: *kaniko`), or through `!reference [job, key]` — anywhere in the pipeline's files.
 */
import { isPair, isScalar, visit, type Node, type Pair } from 'yaml';
import { keyOf } from '../ci/source.js';
import { reason, type Reason } from './notes.js';
import { resolveAlias, type JobDefinition, type Pipeline } from './pipeline.js';

interface AliasSite {
  source: string;
  /** The job the alias is written in, if any. */
  reader: string | undefined;
  path: readonly unknown[];
}

interface ReadIndex {
  /** Every alias of the pipeline's files, by the node it points to. */
  aliases: Map<Node, AliasSite[]>;
  /** Every `!reference [job, key, ...]`, by the job it names. */
  references: Map<string, { key: string; reader: string | undefined }[]>;
}

/** Built once per pipeline: a file of many jobs is walked once, not once per job. */
const indexes = new WeakMap<Pipeline, ReadIndex>();

function readIndex(pipeline: Pipeline): ReadIndex {
  const cached = indexes.get(pipeline);
  if (cached) return cached;
  const jobOfPair = new Map<Pair, string>([...pipeline.jobs.values()].map((job) => [job.pair, job.name]));
  const jobAt = (path: readonly unknown[]): string | undefined => {
    for (const step of path) if (isPair(step) && jobOfPair.has(step)) return jobOfPair.get(step);
    return undefined;
  };
  const index: ReadIndex = { aliases: new Map(), references: new Map() };
  for (const file of pipeline.files)
    visit(file.doc, {
      Alias(_key, alias, path) {
        const target = resolveAlias(alias, file.doc);
        if (!target) return;
        const sites = index.aliases.get(target) ?? [];
        sites.push({ source: alias.source, reader: jobAt(path), path: [...path] });
        index.aliases.set(target, sites);
      },
      Seq(_key, seq, path) {
        if (seq.tag !== '!reference') return;
        const [name, key] = seq.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
        if (name === undefined || key === undefined) return;
        const sites = index.references.get(name) ?? [];
        sites.push({ key, reader: jobAt(path) });
        index.references.set(name, sites);
      },
    });
  indexes.set(pipeline, index);
  return index;
}

/** Why `keys` of `job` cannot change in place, one reason per job that reads them (none when none does). */
export function sharedKeyReasons(pipeline: Pipeline, job: JobDefinition, keys: ReadonlySet<string>): Reason[] {
  const map = job.map;
  if (!map) return [];
  const index = readIndex(pipeline);
  // Anchored nodes whose aliases elsewhere would lose (part of) their value: the job itself, and
  // every node inside the keys that change.
  const anchored = new Map<Node, { key?: string; inside: Pair }>();
  if (map.anchor) anchored.set(map, { inside: job.pair });
  for (const pair of map.items.filter((p) => keys.has(keyOf(p) ?? '')))
    if (pair.value)
      visit(pair.value as Node, {
        Node(_key, node) {
          if (node.anchor) anchored.set(node, { key: keyOf(pair) as string, inside: pair });
        },
      });
  const readers = new Map<string, string>();
  for (const [node, site] of anchored)
    for (const alias of index.aliases.get(node) ?? []) {
      if (alias.path.includes(site.inside)) continue;
      const reader = alias.reader ?? 'another part of the file';
      readers.set(reader, `${reader} reads ${site.key ? `its ${site.key}` : 'its keys'} through *${alias.source}`);
    }
  for (const reference of index.references.get(job.name) ?? []) {
    if (!keys.has(reference.key) || reference.reader === job.name) continue;
    const reader = reference.reader ?? 'another part of the pipeline';
    readers.set(reader, `${reader} reads its ${reference.key} through !reference [${job.name}, ${reference.key}]`);
  }
  return [...readers.values()].map((text) =>
    reason('shared-keys', `${text}, which the migration would change: move the shared part into a hidden job both extend`),
  );
}
