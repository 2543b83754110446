/**
 * Keys of a job that other jobs read: cigen may not remove or rewrite them in place. A job reads
 * another's keys through an alias of an anchor on that job (`<<: *build`) or inside those keys
 * (`image: *kaniko`), or through `!reference [job, key]` — anywhere in the pipeline's files. A
 * reader that moves in the same run, and so loses the alias or the reference, reads nothing then.
 */
import { isPair, isScalar, visit, type Alias, type Node, type Pair, type YAMLSeq } from 'yaml';
import { keyOf, type Edit } from '../ci/source.js';
import { reason, type Reason } from './notes.js';
import { resolveAlias, sourceOf, type JobDefinition, type Pipeline } from './pipeline.js';

interface AliasSite {
  node: Alias;
  /** The path of the file it is written in. */
  file: string;
  source: string;
  /** The job the alias is written in, if any. */
  reader: string | undefined;
  path: readonly unknown[];
}

interface ReferenceSite {
  node: YAMLSeq;
  file: string;
  /** The job's key it reads; undefined for `!reference [job]`, which reads them all. */
  key: string | undefined;
  reader: string | undefined;
  /** `[job, key, ...]`, as GitLab reads it. */
  parts: string[];
}

interface ReadIndex {
  /** Every alias of the pipeline's files, by the node it points to. */
  aliases: Map<Node, AliasSite[]>;
  /** Every `!reference [job, key, ...]`, by the job it names. */
  references: Map<string, ReferenceSite[]>;
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
        sites.push({ node: alias, file: file.path, source: alias.source, reader: jobAt(path), path: [...path] });
        index.aliases.set(target, sites);
      },
      Seq(_key, seq, path) {
        if (seq.tag !== '!reference') return;
        const parts = seq.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
        const [name, key] = parts;
        if (name === undefined) return;
        const sites = index.references.get(name) ?? [];
        sites.push({ node: seq, file: file.path, key, reader: jobAt(path), parts: parts.map((part) => part ?? '') });
        index.references.set(name, sites);
      },
    });
  indexes.set(pipeline, index);
  return index;
}

/** Every place a job's keys are read from elsewhere (an alias, a `!reference`), by its node. */
export function readerSites(pipeline: Pipeline): Set<Node> {
  const index = readIndex(pipeline);
  return new Set<Node>([
    ...[...index.aliases.values()].flat().map((site) => site.node),
    ...[...index.references.values()].flat().map((site) => site.node),
  ]);
}

/** Text as YAML reads it apart from its spaces, for finding an alias or a reference in it. */
const squeezed = (text: string): string => text.replace(/\s+/g, '');

/**
 * The reader sites (readerSites) that these edits of the pipeline's files remove: within what an
 * edit replaces, and written again by none of them (a command item moved to before_script keeps
 * its alias; a before_script kaniko-compat extends keeps its !reference).
 */
export function sitesRemoved(pipeline: Pipeline, changes: readonly { file: string; edits: readonly Edit[] }[]): Set<Node> {
  const index = readIndex(pipeline);
  const removed = new Set<Node>();
  // What the edits write, by file: an alias or a reference in it is written again (a longer
  // alias that starts alike, or words a comment keeps, count too: the site then stays counted).
  const inserted = new Map<string, string>();
  for (const { file, edits } of changes) inserted.set(file, `${inserted.get(file) ?? ''}\n${edits.map((e) => e.text).join('\n')}`);
  const within = (file: string, node: Node): boolean => {
    const range = node.range;
    return (
      range !== undefined &&
      range !== null &&
      changes.some((c) => c.file === file && c.edits.some((e) => e.end > e.start && e.start <= range[0] && range[1] <= e.end))
    );
  };
  for (const site of [...index.aliases.values()].flat())
    if (within(site.file, site.node) && !(inserted.get(site.file) ?? '').includes(`*${site.source}`)) removed.add(site.node);
  for (const site of [...index.references.values()].flat())
    if (within(site.file, site.node) && !squeezed(inserted.get(site.file) ?? '').includes(`!reference[${squeezed(site.parts.join(','))}`))
      removed.add(site.node);
  return removed;
}

/**
 * Why `keys` of `job` cannot change in place, one reason per job that reads them (none when none
 * does). `gone`: reader sites that other jobs' edits remove in the same run (sitesRemoved), whose
 * readers then read nothing of the job.
 */
export function sharedKeyReasons(
  pipeline: Pipeline,
  job: JobDefinition,
  keys: ReadonlySet<string>,
  gone: ReadonlySet<Node> = new Set(),
): Reason[] {
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
      if (alias.path.includes(site.inside) || gone.has(alias.node)) continue;
      const reader = alias.reader ?? 'another part of the file';
      readers.set(reader, `${reader} reads ${site.key ? `its ${site.key}` : 'its keys'} through *${alias.source}`);
    }
  for (const reference of index.references.get(job.name) ?? []) {
    const read = reference.key === undefined || keys.has(reference.key);
    if (!read || reference.reader === job.name || gone.has(reference.node)) continue;
    const reader = reference.reader ?? 'another part of the pipeline';
    readers.set(reader, `${reader} reads its ${reference.key ?? 'keys'} through !reference [${reference.parts.join(', ')}]`);
  }
  return [...readers.values()].map((text) =>
    reason('shared-keys', `${text}, which the migration would change: move the shared part into a hidden job both extend`),
  );
}

/**
 * Why a job other visible jobs extend cannot move onto the buildah component alone, one reason per
 * such job (`users`, none of them moving onto it too). GitLab merges the component's job into the
 * local job of the same name before it resolves `extends`, so each of them would inherit what the
 * component's job sets and they do not: its image and script, its variables; and, for a Docker
 * job, the dind service it no longer has.
 */
export function extendedByReasons(pipeline: Pipeline, job: JobDefinition, users: readonly JobDefinition[], docker: boolean): Reason[] {
  return users.map((user) => {
    // The user's key is the job's (or one of its bases') as it is written now, or neither sets it.
    const fromJob = (key: string) => {
      const own = sourceOf(pipeline, user, key);
      const base = sourceOf(pipeline, job, key);
      return own === undefined || (base !== undefined && own.pair === base.pair);
    };
    const inherited = [...(fromJob('image') ? ["the component's image"] : []), ...(fromJob('script') ? ["the component's script"] : [])];
    const service = sourceOf(pipeline, job, 'services');
    const losesDind = docker && service !== undefined && sourceOf(pipeline, user, 'services')?.pair === service.pair;
    const what =
      (inherited.length > 0
        ? `inherit ${inherited.join(' and ')}`
        : "inherit the keys of the component's job it does not set itself (its CIGEN_* variables among them)") +
      (losesDind ? ' and lose the dind service' : '');
    return reason(
      'extended-by',
      `${user.name} extends it and would ${what}: GitLab merges the component's job into ${job.name} before it resolves extends; ` +
        `${job.name} can move together with ${user.name}, or once what they share is in a hidden job both extend`,
    );
  });
}
