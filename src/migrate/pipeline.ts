/**
 * The jobs of a pipeline across its files (the file and its local includes), and where each of
 * a job's keys really comes from: the job itself, a YAML merge key (`<<: *anchor`), or an
 * `extends` base — in GitLab's order of precedence.
 */
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { keyOf, type SourceFile } from '../ci/source.js';
import { scalarText } from '../ci/yaml.js';

export interface JobDefinition {
  name: string;
  file: SourceFile;
  pair: Pair;
  /** The job's mapping (flow style too: it is read, never edited); undefined for a job that is not one. */
  map: YAMLMap | undefined;
}

/** Whether cigen can edit the job in place: a block mapping. */
export const isBlockJob = (job: JobDefinition): job is JobDefinition & { map: YAMLMap } => job.map !== undefined && !job.map.flow;

/** Where one key of a job is written. */
export interface KeySource {
  key: string;
  pair: Pair;
  file: SourceFile;
  /** `own`: in the job itself; `merge`: through `<<: *anchor` in the job; `base`: in an extends base. */
  via: 'own' | 'merge' | 'base';
  /** The extends base (direct base of the job) the key came through, for `base`. */
  base?: JobDefinition;
  /** The map holding the pair. */
  holder: YAMLMap;
}

export interface Pipeline {
  files: SourceFile[];
  jobs: Map<string, JobDefinition>;
  variables: Map<string, string>;
  /** What `default:` (or the deprecated top-level keys) gives every job. */
  defaults: { beforeScript: boolean; services: boolean };
  /** Where the default before_script is written: under `default:` (which `!reference [default, before_script]`
   *  reaches), or at the top level (deprecated). */
  defaultBeforeScript?: KeySource & { global: boolean };
  /** Where the default image, services, after_script, artifacts and cache are written (`default:` over the deprecated top level). */
  defaultSources?: Map<DefaultKey, KeySource>;
}

export type DefaultKey = 'image' | 'services' | 'after_script' | 'artifacts' | 'cache';
const DEFAULT_KEYS: readonly DefaultKey[] = ['image', 'services', 'after_script', 'artifacts', 'cache'];

export function buildPipeline(files: SourceFile[]): Pipeline {
  const jobs = new Map<string, JobDefinition>();
  const variables = new Map<string, string>();
  let beforeScript = false;
  let services = false;
  let defaultBeforeScript: Pipeline['defaultBeforeScript'];
  const defaultSources = new Map<DefaultKey, KeySource>();
  const fromDefault = new Set<string>();
  for (const file of files) {
    for (const item of file.root?.items ?? []) {
      const name = keyOf(item);
      if (name === undefined || !isPair(item)) continue;
      if (name === 'variables' && isMap(item.value)) {
        for (const variable of item.value.items) {
          const key = keyOf(variable);
          const value = variable.value;
          if (key === undefined) continue;
          if (isScalar(value)) variables.set(key, String(value.value));
          else if (isMap(value)) {
            const inner = value.items.find((p) => keyOf(p) === 'value');
            if (inner && isScalar(inner.value)) variables.set(key, String(inner.value.value));
          }
        }
      }
      if (name === 'before_script') {
        beforeScript = true;
        if (file.root) defaultBeforeScript = { key: name, pair: item, file, via: 'base', holder: file.root, global: true };
      }
      if (name === 'services') services = true;
      if ((DEFAULT_KEYS as readonly string[]).includes(name) && file.root && !fromDefault.has(name))
        defaultSources.set(name as DefaultKey, { key: name, pair: item, file, via: 'base', holder: file.root });
      if (name === 'default' && isMap(item.value)) {
        for (const key of DEFAULT_KEYS) {
          const pair = item.value.items.find((p) => keyOf(p) === key);
          if (!pair) continue;
          defaultSources.set(key, { key, pair, file, via: 'base', holder: item.value });
          fromDefault.add(key);
        }
        const pair = item.value.items.find((p) => keyOf(p) === 'before_script');
        if (pair) {
          beforeScript = true;
          defaultBeforeScript = { key: 'before_script', pair, file, via: 'base', holder: item.value, global: false };
        }
        if (item.value.items.some((p) => keyOf(p) === 'services')) services = true;
      }
      if (GLOBAL_KEYWORDS.has(name)) continue;
      const map = isMap(item.value) ? item.value : undefined;
      jobs.set(name, { name, file, pair: item, map });
    }
  }
  return {
    files,
    jobs,
    variables,
    defaults: { beforeScript, services },
    defaultSources,
    ...(defaultBeforeScript ? { defaultBeforeScript } : {}),
  };
}

/** Each document's anchored nodes by anchor, in document order: read once per document. */
const ANCHORS = new WeakMap<object, Map<string, Node[]>>();

/**
 * What an alias names: the last node before it with that anchor, as `Alias.resolve` finds it —
 * which walks the whole document on every call; this reads the anchors once, so resolving every
 * merge key of a large pipeline stays linear.
 */
export function resolveAlias(alias: Alias, doc: Document.Parsed | Document): Node | undefined {
  let anchors = ANCHORS.get(doc);
  if (!anchors) {
    const found = new Map<string, Node[]>();
    visit(doc, (_key, node) => {
      if (isNode(node) && !isAlias(node) && node.anchor) found.set(node.anchor, [...(found.get(node.anchor) ?? []), node]);
    });
    anchors = found;
    ANCHORS.set(doc, anchors);
  }
  const at = alias.range?.[0] ?? Number.POSITIVE_INFINITY;
  let target: Node | undefined;
  for (const node of anchors.get(alias.source) ?? []) if ((node.range?.[0] ?? 0) < at) target = node;
  return target;
}

const MERGE_KEY = '<<';

/** The maps one pair brings in when it is a merge key (`<<`), the first winning; [] for any other pair. */
function mergedBy(pair: Pair, doc: Document.Parsed | Document): YAMLMap[] {
  if (keyOf(pair) !== MERGE_KEY) return [];
  const values = isSeq(pair.value) ? pair.value.items : [pair.value];
  const maps: YAMLMap[] = [];
  for (const value of values) {
    const target = isAlias(value) ? resolveAlias(value, doc) : value;
    if (isMap(target)) maps.push(target);
  }
  return maps;
}

/**
 * The pair a mapping gives `key` from as Psych reads it (ToRuby#revive_hash: the pairs in order,
 * each merge key merging over what is written before it), and the map it is written in: the last
 * pair that writes the key, an own pair or a merge key whose maps bring it (the first of them that
 * has it, each read the same way). Each map once: a map merging itself adds nothing.
 */
function pairThrough(
  map: YAMLMap,
  key: string,
  doc: Document.Parsed | Document,
  seen = new Set<YAMLMap>(),
): { pair: Pair; holder: YAMLMap } | undefined {
  if (seen.has(map)) return undefined;
  seen.add(map);
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i] as Pair;
    if (keyOf(pair) === key) return { pair, holder: map };
    for (const source of mergedBy(pair, doc)) {
      const found = pairThrough(source, key, doc, seen);
      if (found) return found;
    }
  }
  return undefined;
}

/** The keys a merged map gives: its own and those its merge keys bring (each map once). */
export function keysThrough(map: YAMLMap, doc: Document.Parsed | Document, seen = new Set<YAMLMap>()): Set<string> {
  const keys = new Set<string>();
  if (seen.has(map)) return keys;
  seen.add(map);
  for (const pair of map.items) {
    const key = keyOf(pair);
    if (key !== undefined && key !== MERGE_KEY) keys.add(key);
    for (const source of mergedBy(pair, doc)) for (const brought of keysThrough(source, doc, seen)) keys.add(brought);
  }
  return keys;
}

/** The value a definition's own mapping gives `key` (its merge keys read as Psych does), or undefined. */
const readThrough = (definition: JobDefinition, key: string): unknown =>
  definition.map ? pairThrough(definition.map, key, definition.file.doc)?.pair.value : undefined;

export function extendsOf(job: JobDefinition): string[] {
  const value = job.map?.items.find((p) => keyOf(p) === 'extends')?.value;
  if (isScalar(value)) return [String(value.value)];
  if (isSeq(value)) return value.items.filter(isScalar).map((item) => String(item.value));
  return [];
}

/**
 * Where `key` comes from for `job`: the job's mapping, its merge keys read as Psych reads them
 * (pairThrough), then its extends bases (the last base winning, each resolved the same way, at
 * most 10 levels deep as in GitLab).
 */
export function sourceOf(pipeline: Pipeline, job: JobDefinition, key: string, depth = 0, base?: JobDefinition): KeySource | undefined {
  if (depth > 10) return undefined;
  const found = job.map ? pairThrough(job.map, key, job.file.doc) : undefined;
  if (found) {
    const via = depth > 0 ? 'base' : found.holder === job.map ? 'own' : 'merge';
    return { key, ...found, file: job.file, via, ...(base ? { base } : {}) };
  }
  for (const name of extendsOf(job).reverse()) {
    const definition = pipeline.jobs.get(name);
    if (!definition || definition === job) continue;
    const found = sourceOf(pipeline, definition, key, depth + 1, base ?? definition);
    if (found) return found;
  }
  return undefined;
}

/** A value node as plain data (aliases resolved), or undefined. */
export function valueOf(source: KeySource | undefined): unknown {
  const node = source?.pair.value as Node | null | undefined;
  if (!node) return undefined;
  return (node as { toJS?: (doc: unknown) => unknown }).toJS?.(source?.file.doc) ?? (isScalar(node) ? node.value : undefined);
}

/** A job's `inherit:default` or `inherit:variables` (its own or a base's): true, false, a list of names, or undefined. */
function inheritOf(pipeline: Pipeline, job: JobDefinition, what: 'default' | 'variables'): unknown {
  const inherit = valueOf(sourceOf(pipeline, job, 'inherit'));
  return inherit !== null && typeof inherit === 'object' ? (inherit as Record<string, unknown>)[what] : undefined;
}

/**
 * Where a job's `key` comes from: the job (or a base it extends), else `default:` (or the
 * deprecated top level) — nothing from there when its `inherit: default:` is false, or a list
 * without the key.
 */
export function effectiveSource(pipeline: Pipeline, job: JobDefinition, key: DefaultKey | 'before_script'): KeySource | undefined {
  return sourceOf(pipeline, job, key) ?? defaultSource(pipeline, job, key);
}

/**
 * Where a job's `key` would come from if its own mapping (merge keys included) did not set it:
 * its extends bases (the last winning), else `default:` or the top level as effectiveSource reads them.
 */
export function inheritedSource(pipeline: Pipeline, job: JobDefinition, key: DefaultKey | 'before_script'): KeySource | undefined {
  for (const name of extendsOf(job).reverse()) {
    const definition = pipeline.jobs.get(name);
    if (!definition || definition === job) continue;
    const found = sourceOf(pipeline, definition, key, 1, definition);
    if (found) return found;
  }
  return defaultSource(pipeline, job, key);
}

/** What `default:` (or the top level) gives a job for `key`, unless its `inherit: default:` keeps it out. */
function defaultSource(pipeline: Pipeline, job: JobDefinition, key: DefaultKey | 'before_script'): KeySource | undefined {
  const setting = inheritOf(pipeline, job, 'default');
  if (setting === false || (Array.isArray(setting) && !setting.includes(key))) return undefined;
  return key === 'before_script' ? pipeline.defaultBeforeScript : pipeline.defaultSources?.get(key);
}

/** Every base a job extends, nearest last (GitLab's order of precedence: the job over its bases,
 *  a later base over an earlier one), at most 10 levels deep. */
export function basesOf(pipeline: Pipeline, job: JobDefinition, depth = 0, seen = new Set<string>()): JobDefinition[] {
  if (depth > 10) return [];
  const bases: JobDefinition[] = [];
  for (const name of extendsOf(job)) {
    const base = pipeline.jobs.get(name);
    if (!base || seen.has(name)) continue;
    seen.add(name);
    bases.push(...basesOf(pipeline, base, depth + 1, seen), base);
  }
  return bases;
}

/**
 * What `!reference [head, ...keys]` names, as GitLab digs it (`config.dig(*location)`) out of the
 * configuration with every include merged and `extends` resolved: any top-level key (a job, a
 * hidden key holding a list, `default`), then a key of each mapping in turn — a job's, or a
 * base's where the job does not set it. Or why it is not in these files.
 */
export function referenceTarget(pipeline: Pipeline, path: readonly string[]): { value: unknown; file: SourceFile } | { missing: string } {
  const [head, ...keys] = path;
  if (head === undefined) return { missing: 'a reference to nothing' };
  const job = pipeline.jobs.get(head);
  const top = job
    ? { pair: job.pair, file: job.file }
    : [...pipeline.files]
        .reverse()
        .map((file) => ({ pair: file.root?.items.find((p) => keyOf(p) === head), file }))
        .find((found) => found.pair !== undefined);
  if (!top?.pair) return { missing: `no key ${head} at the top level of this file or its local includes` };
  const dig = (value: unknown, file: SourceFile, rest: readonly string[]): unknown => {
    for (const key of rest) {
      const map = isAlias(value) ? resolveAlias(value, file.doc) : value;
      value = isMap(map) ? map.items.find((p) => keyOf(p) === key)?.value : undefined;
      if (value === undefined) return undefined;
    }
    return value;
  };
  const [first, ...rest] = keys;
  if (job?.map && first !== undefined)
    for (const definition of [job, ...basesOf(pipeline, job).reverse()]) {
      const source = sourceOf(pipeline, definition, first);
      const value = source ? dig(source.pair.value, source.file, rest) : undefined;
      if (value !== undefined && source) return { value, file: source.file };
    }
  else {
    const value = dig(top.pair.value, top.file, keys);
    if (value !== undefined) return { value, file: top.file };
  }
  return { missing: `${head} has no ${keys.join('.')}${job && extendsOf(job).length > 0 ? ', nor do the jobs it extends' : ''}` };
}

/** Whether `job` extends `name`, directly or through its bases. */
export const extendsJob = (pipeline: Pipeline, job: JobDefinition, name: string): boolean =>
  extendsOf(job).includes(name) || basesOf(pipeline, job).some((base) => extendsOf(base).includes(name));

/** The job definition whose map holds a key source. */
export const holderOf = (pipeline: Pipeline, source: KeySource): JobDefinition | undefined =>
  [...pipeline.jobs.values()].find((job) => job.map === source.holder);

/** The rules a `rules:` value holds: its mappings, through aliases and `!reference` items (GitLab flattens them). */
function ruleMaps(pipeline: Pipeline, node: unknown, file: SourceFile, depth = 0): YAMLMap[] {
  if (depth > 10) return [];
  if (isAlias(node)) return ruleMaps(pipeline, resolveAlias(node, file.doc), file, depth + 1);
  if (isMap(node)) return [node];
  if (isSeq(node) && node.tag === '!reference') {
    const target = referenceTarget(
      pipeline,
      node.items.map((item) => (isScalar(item) ? scalarText(item.value) : '')),
    );
    return 'missing' in target ? [] : ruleMaps(pipeline, target.value, target.file, depth + 1);
  }
  if (isSeq(node)) return node.items.flatMap((item) => ruleMaps(pipeline, item, file, depth + 1));
  return [];
}

/** A value as GitLab reads it: an alias followed, a `!reference` replaced by what it names (in turn,
 *  at most 10 levels), with the file it is written in; undefined where it names nothing in these files. */
function resolvedValue(pipeline: Pipeline, node: unknown, file: SourceFile, depth = 0): { node: unknown; file: SourceFile } | undefined {
  if (depth > 10) return undefined;
  if (isAlias(node)) return resolvedValue(pipeline, resolveAlias(node, file.doc), file, depth + 1);
  if (isSeq(node) && node.tag === '!reference') {
    const target = referenceTarget(
      pipeline,
      node.items.map((item) => (isScalar(item) ? scalarText(item.value) : '')),
    );
    return 'missing' in target ? undefined : resolvedValue(pipeline, target.value, target.file, depth + 1);
  }
  return { node, file };
}

/**
 * A job's `parallel: matrix:` as GitLab runs it: the `parallel` that wins (the job's own, a merge
 * key's, or an extends base's, as sourceOf finds it), aliases and `!reference`s followed. Each entry
 * as its variables, each with its values as written (a list's items, or the one value); [] for a job
 * without one. What does not name a value here (a reference to a file not read) is left out.
 */
export function matrixOf(pipeline: Pipeline, job: JobDefinition): Record<string, string[]>[] {
  const source = sourceOf(pipeline, job, 'parallel');
  const parallel = source ? resolvedValue(pipeline, source.pair.value, source.file) : undefined;
  if (!parallel || !isMap(parallel.node)) return [];
  const written = pairThrough(parallel.node, 'matrix', parallel.file.doc);
  const matrix = written ? resolvedValue(pipeline, written.pair.value, parallel.file) : undefined;
  if (!matrix || !isSeq(matrix.node)) return [];
  const entries: Record<string, string[]>[] = [];
  for (const item of matrix.node.items) {
    const entry = resolvedValue(pipeline, item, matrix.file);
    if (!entry || !isMap(entry.node)) continue;
    const variables: [string, string[]][] = [];
    for (const pair of entry.node.items) {
      const name = keyOf(pair);
      const value = resolvedValue(pipeline, pair.value, entry.file);
      if (name === undefined || name === MERGE_KEY || !value) continue;
      const items = isSeq(value.node) ? value.node.items.map((one) => resolvedValue(pipeline, one, value.file)?.node) : [value.node];
      variables.push([name, items.flatMap((one) => (isScalar(one) ? [scalarText(one.value)] : []))]);
    }
    // fromEntries: a variable named __proto__ is a key like any other.
    entries.push(Object.fromEntries(variables));
  }
  return entries;
}

/** A value a variable may take, kept under its name (a scalar; null leaves the default). */
function addAlternative(found: Map<string, string[]>, name: string | undefined, value: unknown): void {
  if (name === undefined || !isScalar(value) || value.value === null) return;
  found.set(name, [...(found.get(name) ?? []), scalarText(value.value)]);
}

/** Each variable a rule of `rules` sets, with its value. */
function ruleVariables(pipeline: Pipeline, rules: unknown, file: SourceFile, found: Map<string, string[]>): void {
  for (const rule of ruleMaps(pipeline, rules, file)) {
    const variables = rule.items.find((p) => keyOf(p) === 'variables')?.value;
    if (isMap(variables)) for (const pair of variables.items) addAlternative(found, keyOf(pair), pair.value);
  }
}

/** What `workflow: rules:` give variables, read once per pipeline (every job sees them). */
const workflows = new WeakMap<Pipeline, Map<string, string[]>>();
function workflowAlternatives(pipeline: Pipeline): Map<string, string[]> {
  const cached = workflows.get(pipeline);
  if (cached) return cached;
  const found = new Map<string, string[]>();
  for (const file of pipeline.files) {
    const workflow = file.root?.items.find((p) => keyOf(p) === 'workflow')?.value;
    if (isMap(workflow)) ruleVariables(pipeline, workflow.items.find((p) => keyOf(p) === 'rules')?.value, file, found);
  }
  workflows.set(pipeline, found);
  return found;
}

/**
 * Other values a job's variables take in some of its pipelines or parallel jobs: a rule's
 * `variables:` (the job's rules, `workflow: rules:`; when that rule matches) and each
 * `parallel: matrix:` value. Read from the job, its bases and merge keys, as variablesOf reads
 * them; rules written through aliases or `!reference` are followed.
 */
export function variableAlternativesOf(pipeline: Pipeline, job: JobDefinition): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string | undefined, value: unknown) => addAlternative(found, name, value);
  const read = (definition: JobDefinition) => {
    ruleVariables(pipeline, readThrough(definition, 'rules'), definition.file, found);
    const parallel = readThrough(definition, 'parallel');
    const matrix = isMap(parallel) ? parallel.items.find((p) => keyOf(p) === 'matrix')?.value : undefined;
    if (isSeq(matrix))
      for (const entry of matrix.items) {
        if (!isMap(entry)) continue;
        for (const pair of entry.items) {
          if (isSeq(pair.value)) for (const item of pair.value.items) add(keyOf(pair), item);
          else add(keyOf(pair), pair.value);
        }
      }
  };
  for (const [name, values] of workflowAlternatives(pipeline)) found.set(name, [...values]);
  for (const definition of [...basesOf(pipeline, job), job]) read(definition);
  return found;
}

/** A job's variables as the file writes them: the pipeline's, then each base's and the job's own
 *  `variables:` (the one a merge key gives when it wins: Psych merges shallowly), later winning. */
export function variablesOf(pipeline: Pipeline, job: JobDefinition): Map<string, string> {
  // The top level's, as the job inherits them: none with `inherit: variables: false`, only those
  // named with a list.
  const inherited = inheritOf(pipeline, job, 'variables');
  const values = new Map(
    [...pipeline.variables].filter(([name]) => inherited !== false && (!Array.isArray(inherited) || inherited.includes(name))),
  );
  const read = (definition: JobDefinition) => {
    const variables = readThrough(definition, 'variables');
    if (!isMap(variables)) return;
    for (const variable of variables.items) {
      const key = keyOf(variable);
      const value = variable.value;
      if (key === undefined) continue;
      if (isScalar(value)) values.set(key, String(value.value));
      else if (isMap(value)) {
        const inner = value.items.find((p) => keyOf(p) === 'value');
        if (inner && isScalar(inner.value)) values.set(key, String(inner.value.value));
      }
    }
  };
  for (const definition of [...basesOf(pipeline, job), job]) read(definition);
  return values;
}
