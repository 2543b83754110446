/**
 * The pipeline as GitLab assembles it before its semantic checks: every file (the root, its
 * local includes, this catalog's components) merged, each job remembering where it was written
 * so findings point at the right file, line and column.
 */
import type { Document, LineCounter } from 'yaml';
import type { PathSegment } from '../ci/diagnostics.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { deepMerge, isHash, valueAt } from '../ci/merge.js';

/** Where something was written: a parsed file and a path into its content document. */
export interface Origin {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  path: PathSegment[];
  /** How keys read after interpolation (component files). */
  resolveKey?: (key: string) => string;
}

export interface JobDefinition {
  name: string;
  value: Record<string, unknown>;
  /** Where the job was written (the last file that did). */
  origin: Origin;
  /** Each file's own definition, in merge order, when more than one file writes the job. */
  definitions?: { value: Record<string, unknown>; origin: Origin }[];
}

/** The part of `path` written in `own` (a job's own value, or one file's of it): where a finding about it is shown. */
export function writtenPart(own: Record<string, unknown>, path: readonly PathSegment[]): PathSegment[] {
  let length = 0;
  while (length < path.length && valueAt(own, path.slice(0, length + 1)) !== undefined) length++;
  return path.slice(0, length);
}

/** Every file's own definition of a job, in merge order. */
export const definitionsOf = (job: JobDefinition): { value: Record<string, unknown>; origin: Origin }[] =>
  job.definitions ?? [{ value: job.value, origin: job.origin }];

/** Where `path` of a job is written: of the files that write the job (merged, later over earlier),
 *  the one that writes most of the path, the later one when two write as much. */
export function originOf(job: JobDefinition, path: readonly PathSegment[]): Origin {
  let best = job.origin;
  let bestDepth = -1;
  for (const { value, origin } of definitionsOf(job)) {
    const depth = writtenPart(value, path).length;
    if (depth >= bestDepth) [best, bestDepth] = [origin, depth];
  }
  return best;
}

export interface PipelineModel {
  /** Top-level keys that are jobs (hidden ones included), in order. */
  jobs: Map<string, JobDefinition>;
  globals: Record<string, unknown>;
  globalOrigins: Map<string, Origin>;
  /** Top-level keys that are neither global keywords nor jobs (a hidden key holding a list, say):
   *  not jobs, but a `!reference` may point at them. */
  others: Map<string, unknown>;
  /** Where each of `others` was written (the last file that did). */
  otherOrigins: Map<string, Origin>;
  /** `!reference` tags, as written, each with the list it is in the file's value (where the pipeline
   *  holds it, through merges and `extends`, it is that same list: how it is found to be resolved). */
  /** `invalid`: GitLab refuses the tag as written (see ReferenceSite), before looking it up. */
  references: { target: string[]; origin: Origin; node: unknown; invalid?: string }[];
  /** An include cigen cannot read (remote, project, template, a foreign component, a variable
   *  path), or one whose inputs GitLab refuses (it stops there, and merges none of the file): jobs
   *  and stages may come from there, so "undefined" findings are only warnings. */
  partial: boolean;
  /** Why the model is partial: which of the two kinds of include it holds. */
  partialBecause: { unreadable: boolean; refused: boolean };
}

export const emptyModel = (): PipelineModel => ({
  jobs: new Map(),
  globals: {},
  globalOrigins: new Map(),
  others: new Map(),
  otherOrigins: new Map(),
  references: [],
  partial: false,
  partialBecause: { unreadable: false, refused: false },
});

/** What a finding about something the model lacks adds when the model is partial, or is a
 *  `fragment` (a file a pipeline includes, linted on its own): where it may be. */
export function mayComeFrom(model: PipelineModel, fragment = false): string {
  const { unreadable, refused } = model.partial ? model.partialBecause : { unreadable: false, refused: false };
  const places = [
    ...(fragment ? ['another file of the pipeline that includes this one'] : []),
    ...(unreadable ? ['an include cigen cannot read'] : []),
    ...(refused
      ? [unreadable ? 'one whose inputs GitLab refuses' : 'an include whose inputs GitLab refuses: it merges nothing of that file']
      : []),
  ];
  return places.length === 0 ? '' : ` (it may come from ${places.join(', or from ')})`;
}

/** Each `!reference` tag by its list (the node the values hold, through merges and `extends`),
 *  with the keys it points to. */
export const referenceTargets = (model: PipelineModel): Map<unknown, string[]> =>
  new Map(model.references.filter(({ node }) => Array.isArray(node)).map(({ node, target }) => [node, target]));

export const isHidden = (name: string): boolean => name.startsWith('.');

/** The names a job's `extends` gives; anything else there is the schema's to report (it is no name). */
export const basesOf = (value: Record<string, unknown>): string[] => {
  const bases = value['extends'];
  return (Array.isArray(bases) ? (bases as unknown[]) : [bases]).filter((base): base is string => typeof base === 'string');
};

/** GitLab's Extendable::Entry::MAX_NESTING_LEVELS: a job may extend through at most 10 levels. */
export const MAX_EXTENDS_DEPTH = 10;

/** Adds one file's content on top of the model: later files win, hashes merge deeply. */
export function mergeContent(model: PipelineModel, content: unknown, origin: Omit<Origin, 'path'>): void {
  if (!isHash(content)) return;
  // Keys, not entries: no array of a pair per key (a pipeline may hold 100,000 jobs).
  for (const key of Object.keys(content)) {
    const value = content[key];
    const at: Origin = { ...origin, path: [key] };
    if (GLOBAL_KEYWORDS.has(key)) {
      if (key === 'include') continue;
      model.globals[key] = key in model.globals ? deepMerge(model.globals[key], value) : value;
      model.globalOrigins.set(key, at);
      continue;
    }
    if (!isHash(value)) {
      model.others.set(key, value);
      model.otherOrigins.set(key, at);
      continue;
    }
    const existing = model.jobs.get(key);
    if (!existing) {
      model.jobs.set(key, { name: key, value, origin: at });
      continue;
    }
    const merged = deepMerge(existing.value, value) as Record<string, unknown>;
    model.jobs.set(key, { name: key, value: merged, origin: at, definitions: [...definitionsOf(existing), { value, origin: at }] });
  }
}
