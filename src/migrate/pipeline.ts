/**
 * The jobs of a pipeline across its files (the file and its local includes), and where each of
 * a job's keys really comes from: the job itself, a YAML merge key (`<<: *anchor`), or an
 * `extends` base — in GitLab's order of precedence.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { keyOf, type SourceFile } from '../ci/source.js';

export interface JobDefinition {
  name: string;
  file: SourceFile;
  pair: Pair;
  /** The job's block mapping; undefined for a flow-style or non-mapping job. */
  map: YAMLMap | undefined;
}

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
}

export function buildPipeline(files: SourceFile[]): Pipeline {
  const jobs = new Map<string, JobDefinition>();
  const variables = new Map<string, string>();
  let beforeScript = false;
  let services = false;
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
      if (name === 'before_script') beforeScript = true;
      if (name === 'services') services = true;
      if (name === 'default' && isMap(item.value)) {
        if (item.value.items.some((p) => keyOf(p) === 'before_script')) beforeScript = true;
        if (item.value.items.some((p) => keyOf(p) === 'services')) services = true;
      }
      if (GLOBAL_KEYWORDS.has(name)) continue;
      const map = isMap(item.value) && !item.value.flow ? item.value : undefined;
      jobs.set(name, { name, file, pair: item, map });
    }
  }
  return { files, jobs, variables, defaults: { beforeScript, services } };
}

/** The maps a `<<` value merges in, first one winning (YAML 1.1 merge). */
function mergeSources(job: JobDefinition): { map: YAMLMap; file: SourceFile }[] {
  const merge = job.map?.items.find((p) => keyOf(p) === '<<');
  if (!merge) return [];
  const values = isSeq(merge.value) ? merge.value.items : [merge.value];
  const maps: { map: YAMLMap; file: SourceFile }[] = [];
  for (const value of values) {
    const target = isAlias(value) ? value.resolve(job.file.doc) : value;
    if (isMap(target)) maps.push({ map: target, file: job.file });
  }
  return maps;
}

export function extendsOf(job: JobDefinition): string[] {
  const value = job.map?.items.find((p) => keyOf(p) === 'extends')?.value;
  if (isScalar(value)) return [String(value.value)];
  if (isSeq(value)) return value.items.filter(isScalar).map((item) => String(item.value));
  return [];
}

/**
 * Where `key` comes from for `job`: the job, then its merge keys, then its extends bases (the
 * last base winning, each resolved the same way, at most 10 levels deep as in GitLab).
 */
export function sourceOf(pipeline: Pipeline, job: JobDefinition, key: string, depth = 0, base?: JobDefinition): KeySource | undefined {
  if (depth > 10) return undefined;
  const own = job.map?.items.find((p) => keyOf(p) === key);
  if (own && job.map)
    return { key, pair: own, file: job.file, via: depth === 0 ? 'own' : 'base', holder: job.map, ...(base ? { base } : {}) };
  for (const source of mergeSources(job)) {
    const pair = source.map.items.find((p) => keyOf(p) === key);
    if (pair) return { key, pair, file: source.file, via: depth === 0 ? 'merge' : 'base', holder: source.map, ...(base ? { base } : {}) };
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
