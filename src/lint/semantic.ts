/**
 * The checks GitLab runs after the schema (YamlProcessor and the job entries), worded as GitLab
 * words them: stages, needs (undefined, later stage, duplicated, cycles), dependencies, extends,
 * keys that cannot go together, visible jobs, !reference targets, environment:on_stop, and the
 * entry rules ci.json does not express (entries.ts). Values are read as GitLab reads them:
 * `extends` merged, then `!reference` tags resolved.
 */
import { rubyInspect } from '../ci/interpolation/ruby.js';
import type { Diagnostic, PathSegment, Severity } from '../ci/diagnostics.js';
import { deepMerge, isHash } from '../ci/merge.js';
import { DEFAULT_STAGES } from '../ci/keywords.js';
import {
  basesOf,
  isHidden,
  mayComeFrom,
  MAX_EXTENDS_DEPTH,
  referenceTargets,
  originOf,
  writtenPart,
  type JobDefinition,
  type Origin,
  type PipelineModel,
} from './model.js';
import { locate } from '../ci/positions.js';
import { bridgeNeed, needItems } from '../ci/entries-read.js';
import { MAX_REFERENCE_NESTING, referenceFound } from '../ci/references.js';
import { globalEntryFindings, jobEntryFindings, onStopFinding, type EntryFinding } from './entries.js';
import { definerOf } from './provenance.js';
import { checkWholeFloats } from './floats.js';
import { ruleNeedsReplaceJobNeeds, rulesCanLeaveOut, rulesKeepIn } from './presence.js';
import { inheritedFindings, inheritedMessage, mergedSecretFindings, settledByBases } from './inherited.js';
import { referencedExpressions } from './expressions.js';

export interface SemanticOptions {
  /** A whole pipeline (the root .gitlab-ci.yml) rather than a fragment (a component, an included
   *  file): only a pipeline must have a visible job, and only there are needs checked. */
  pipeline: boolean;
  /** The findings of the files' own checks, of which those GitLab would not give once a job's
   *  bases are merged in come back as `settled` (settledByBases). */
  written?: readonly Diagnostic[];
}

export interface PipelineCheck {
  diagnostics: Diagnostic[];
  /** Of `written`, the findings that do not hold for the jobs as GitLab reads them. */
  settled: ReadonlySet<Diagnostic>;
}

/** A finding about a whole job (no sub-path) points at the job's name. */
function diagnostic(
  where: Origin | JobDefinition,
  sub: PathSegment[],
  severity: Severity,
  code: string,
  message: string,
  at: 'key' | 'value' = sub.length === 0 ? 'key' : 'value',
): Diagnostic {
  // A job written in two files: the file that writes the place.
  const origin = 'name' in where ? originOf(where, sub) : where;
  const path = [...origin.path, ...sub];
  const pos = locate(origin.doc, origin.lineCounter, path, at, origin.resolveKey);
  return { file: origin.file, line: pos.line, column: pos.column, severity, code, message, document: 'content', path };
}

/**
 * An entry finding about a job, shown where the job writes the place; where a base it extends
 * writes it when the job takes the place from there (saying so, as the schema's inherited findings
 * do); at the part the job writes (its key at least) when the place is not traced to one definition.
 */
function entryDiagnostic(model: PipelineModel, job: JobDefinition, finding: EntryFinding, severity: Severity = 'error'): Diagnostic {
  const written = writtenPart(job.value, finding.path);
  const definer = written.length < finding.path.length ? definerOf(model, job, finding.path) : undefined;
  if (!definer || definer === job) return diagnostic(job, written, severity, finding.code, finding.message, finding.at);
  const message = inheritedMessage(finding.message, definer.name);
  return { ...diagnostic(definer, finding.path, severity, finding.code, message, finding.at), path: [job.name, ...finding.path] };
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

interface Resolved {
  value: Record<string, unknown>;
  ok: boolean;
}

/** Resolves `extends` (GitLab: deep merge, bases in order, the job itself last, at most 10 levels).
 *  A base that is not there may be in an include cigen cannot read, or, in a fragment, in another
 *  file of the pipeline: a warning saying so. */
function resolveExtends(model: PipelineModel, out: Diagnostic[], fragment: boolean): Map<string, Resolved> {
  const resolved = new Map<string, Resolved>();
  const reported = new Set<string>();
  // GitLab's Extendable reads every top-level key: any that holds a hash is a base (`default`,
  // `workflow`, a job), one that holds anything else an invalid one.
  const baseNamed = (name: string): JobDefinition | undefined => {
    const job = model.jobs.get(name);
    if (job) return job;
    const value = Object.hasOwn(model.globals, name) ? model.globals[name] : undefined;
    const origin = model.globalOrigins.get(name);
    return isHash(value) && origin ? { name, value, origin } : undefined;
  };
  const isKey = (name: string) => model.jobs.has(name) || Object.hasOwn(model.globals, name) || model.others.has(name);
  const resolve = (job: JobDefinition, chain: string[]): Resolved => {
    const done = resolved.get(job.name);
    if (done) return done;
    const bases = basesOf(job.value);
    if (bases.length === 0) return { value: job.value, ok: true };
    const report = (code: string, message: string) => {
      if (!reported.has(`${job.name}:${code}`)) out.push(diagnostic(job, ['extends'], 'error', code, message));
      reported.add(`${job.name}:${code}`);
    };
    if (chain.includes(job.name)) {
      report('semantic/extends-cycle', `${job.name}: circular dependency detected in \`extends\``);
      return { value: job.value, ok: false };
    }
    // A key that still extends with more than 10 ancestors is refused (reported below, once): the
    // walk stops there, so a chain of 20,000 links neither overflows the stack nor costs its square.
    if (chain.length > MAX_EXTENDS_DEPTH) return { value: job.value, ok: false };
    const unknown = bases.filter((base) => !isKey(base));
    const invalid = bases.filter((base) => isKey(base) && !baseNamed(base));
    if (invalid.length > 0)
      out.push(
        diagnostic(
          job,
          ['extends'],
          'error',
          'semantic/extends-invalid',
          `${job.name}: invalid base hashes in \`extends\` (${invalid.join(', ')})`,
        ),
      );
    if (unknown.length > 0) {
      out.push(
        diagnostic(
          job,
          ['extends'],
          model.partial || fragment ? 'warning' : 'error',
          'semantic/extends-unknown',
          `${job.name}: unknown keys in \`extends\` (${unknown.join(', ')})` + mayComeFrom(model, fragment),
        ),
      );
    }
    // The first base as it is (merging it into {} would only copy it); the job's own keys over
    // them, without its `extends`.
    let merged: unknown = {};
    let first = true;
    let ok = unknown.length === 0 && invalid.length === 0;
    for (const base of bases) {
      const definition = baseNamed(base);
      if (!definition) continue;
      const inner = resolve(definition, [...chain, job.name]);
      ok &&= inner.ok;
      merged = first ? inner.value : deepMerge(merged, inner.value);
      first = false;
    }
    const value = deepMerge(merged, job.value, 'extends') as Record<string, unknown>;
    return { value, ok };
  };
  for (const job of model.jobs.values()) resolved.set(job.name, resolve(job, []));

  // GitLab extends every key with the keys it came through as ancestors and refuses a key that
  // still extends with more than 10 of them (Extendable::Entry#nesting_too_deep?), whatever the
  // order of the keys: a chain of 11 `extends` passes, 12 fail. Measured once per job (the
  // longest chain below it), not per path.
  const height = new Map<string, number>();
  // Post-order without recursion (a chain of 20,000 links); a base being walked (a cycle, reported
  // as one) counts 0, an unknown base nothing.
  type Frame = { job: JobDefinition; names: string[]; next: number; below: number };
  const frameOf = (job: JobDefinition): Frame => ({ job, names: basesOf(job.value), next: 0, below: 0 });
  const heightOf = (start: JobDefinition): number => {
    const known = height.get(start.name);
    if (known !== undefined) return known;
    const stack = [frameOf(start)];
    const visiting = new Set([start.name]);
    let last = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Frame;
      if (top.next < top.names.length) {
        const base = model.jobs.get(top.names[top.next++] as string);
        if (!base) continue;
        const done = height.get(base.name);
        if (done !== undefined) top.below = Math.max(top.below, done);
        else if (!visiting.has(base.name)) {
          visiting.add(base.name);
          stack.push(frameOf(base));
        }
        continue;
      }
      stack.pop();
      visiting.delete(top.job.name);
      last = top.names.length === 0 ? 0 : top.below + 1;
      if (top.names.length > 0) height.set(top.job.name, last);
      const parent = stack[stack.length - 1];
      if (parent) parent.below = Math.max(parent.below, last);
    }
    return last;
  };
  for (const job of model.jobs.values()) {
    if (heightOf(job) <= MAX_EXTENDS_DEPTH + 1) continue;
    // The key GitLab names: the one reached with 11 ancestors, on the longest chain.
    let deep = job;
    for (let hop = 0; hop <= MAX_EXTENDS_DEPTH; hop++) {
      const next = basesOf(deep.value)
        .map((base) => model.jobs.get(base))
        .find((base) => base !== undefined && height.get(base.name) === (height.get(deep.name) ?? 0) - 1);
      if (!next) break;
      deep = next;
    }
    if (!reported.has(`${deep.name}:semantic/extends-depth`))
      out.push(diagnostic(deep, ['extends'], 'error', 'semantic/extends-depth', `${deep.name}: nesting too deep in \`extends\``));
    reported.add(`${deep.name}:semantic/extends-depth`);
    resolved.set(job.name, { ...(resolved.get(job.name) as Resolved), ok: false });
  }
  return resolved;
}

interface Need {
  name: string;
  optional: boolean;
  /** Where it is written, under `needs:` (a hash is the one need: no segment). */
  at: PathSegment[];
  /** `parallel:` of a need written as a hash: which of a parallel job's jobs it needs. */
  parallel?: unknown;
}

/** A need of another pipeline's job (Need::CrossPipelineDependency, CrossProjectDependency): a
 *  hash naming a `job:` with `pipeline:` or `project:`. */
const crossPipelineNeed = (need: unknown): boolean =>
  isHash(need) && typeof need['job'] === 'string' && (need['pipeline'] !== undefined || need['project'] !== undefined);

/** The needs of this pipeline's jobs among a job's (or a rule's) needs as GitLab reads them (needItems). */
function needsIn(items: readonly { item: unknown; path: PathSegment[] }[]): Need[] {
  const needs: Need[] = [];
  for (const { item: need, path: at } of items) {
    if (typeof need === 'string') needs.push({ name: need, optional: false, at });
    else if (isHash(need) && typeof need['job'] === 'string' && need['pipeline'] === undefined && need['project'] === undefined) {
      needs.push({
        name: need['job'],
        optional: need['optional'] === true,
        at,
        ...(need['parallel'] !== undefined ? { parallel: need['parallel'] } : {}),
      });
    }
  }
  return needs;
}

/** The needs GitLab lets one job have by default (Plan limits' ci_needs_size_limit). */
const NEEDS_LIMIT = 50;

/** GitLab's parallel jobs are named by its Normalizer: `name i/n` (NumberStrategy), `name: [v1, v2]` (MatrixStrategy). */
const MAX_PARALLEL = 200;

/** The names of the jobs `parallel:` makes of a job (none for a value GitLab refuses). */
function parallelNames(name: string, parallel: unknown): string[] {
  const number = isHash(parallel) ? parallel['number'] : parallel;
  if (typeof number === 'number')
    return Number.isInteger(number) && number > 0 && number <= MAX_PARALLEL
      ? Array.from({ length: number }, (_, i) => `${name} ${i + 1}/${number}`)
      : [];
  if (!isHash(parallel) || !Array.isArray(parallel['matrix'])) return [];
  const names: string[] = [];
  for (const entry of parallel['matrix']) {
    if (!isHash(entry) || Object.keys(entry).length === 0) continue;
    let combinations: unknown[][] = [[]];
    for (const value of Object.values(entry)) {
      const options: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
      combinations = combinations.flatMap((combination) => options.map((option) => [...combination, option]));
      if (combinations.length > MAX_PARALLEL) return names;
    }
    for (const combination of combinations)
      names.push(
        `${name}: [${combination
          .filter((v) => v !== null && v !== undefined)
          .map(String)
          .join(', ')}]`,
      );
    if (names.length > MAX_PARALLEL) return names;
  }
  return names;
}

/**
 * Strongly connected components (Tarjan), each in the order its members were reached; a node
 * alone is a component of its own. Without recursion: a 5,000-job `needs` chain would overflow
 * the call stack.
 */
function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  /** Each node entered: its index, its lowest reachable index, whether it is on the stack (one
   *  record a node, not a map each: a pipeline may hold 100,000 jobs). */
  const seen = new Map<string, { index: number; low: number; onStack: boolean }>();
  const stack: string[] = [];
  const found: string[][] = [];
  const work: { node: string; next: number }[] = [];
  const enter = (node: string) => {
    seen.set(node, { index: counter, low: counter++, onStack: true });
    stack.push(node);
    work.push({ node, next: 0 });
  };
  const lower = (node: string, value: number) => {
    const entry = seen.get(node) as { low: number };
    entry.low = Math.min(entry.low, value);
  };
  for (const start of graph.keys()) {
    if (seen.has(start)) continue;
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const next = edges[frame.next++] as string;
        if (!graph.has(next)) continue;
        const entered = seen.get(next);
        if (!entered) enter(next);
        else if (entered.onStack) lower(frame.node, entered.index);
        continue;
      }
      work.pop();
      const own = seen.get(frame.node) as { index: number; low: number };
      const parent = work[work.length - 1];
      if (parent) lower(parent.node, own.low);
      if (own.low !== own.index) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        (seen.get(member) as { onStack: boolean }).onStack = false;
        component.push(member);
      } while (member !== frame.node);
      found.push(component.reverse());
    }
  }
  return found;
}

/**
 * `!reference` tags that lead back to themselves: GitLab resolves a tag by resolving the tags in
 * what it points at, and refuses one it meets again on the way. A tag depends on every tag
 * written inside the value it points at; a cycle in that graph (a tag inside its own target
 * included) is reported once, at the cycle's first tag, in GitLab's words.
 */
function referenceCycles(model: PipelineModel): Diagnostic[] {
  const locations = model.references.map(({ origin }) =>
    origin.path.map((segment) => (typeof segment === 'string' && origin.resolveKey ? origin.resolveKey(segment) : String(segment))),
  );
  const byHead = new Map<string, number[]>();
  locations.forEach((location, i) => {
    const head = location[0];
    if (head === undefined) return;
    const list = byHead.get(head);
    if (list) list.push(i);
    else byHead.set(head, [i]);
  });
  const graph = new Map<string, string[]>();
  model.references.forEach(({ target, invalid }, i) => {
    // Refused before it is resolved: it leads nowhere.
    if (invalid !== undefined) return graph.set(String(i), []);
    const inside = (byHead.get(target[0] ?? '') ?? []).filter((j) => {
      const location = locations[j] as string[];
      return target.length > 0 && target.length <= location.length && target.every((key, k) => location[k] === key);
    });
    graph.set(String(i), inside.map(String));
  });
  const out: Diagnostic[] = [];
  for (const component of stronglyConnected(graph)) {
    const first = component.map(Number).reduce((a, b) => Math.min(a, b));
    if (component.length === 1 && !graph.get(String(first))?.includes(String(first))) continue;
    const reference = model.references[first] as PipelineModel['references'][number];
    out.push(
      diagnostic(
        reference.origin,
        [],
        'error',
        'semantic/reference-cycle',
        `!reference ${rubyInspect(reference.target)} is part of a circular chain`,
        'value',
      ),
    );
  }
  return out;
}

/** GitLab's `!reference` lookup: the value at the target's keys in the whole configuration, as it
 *  is after `extends` (its own tags still in it), dug through hashes only. */
function referenceLookup(model: PipelineModel, extended: ReadonlyMap<string, Resolved>): (target: readonly string[]) => unknown {
  return ([head, ...rest]) => {
    if (head === undefined) return undefined;
    let node: unknown = extended.has(head)
      ? extended.get(head)?.value
      : Object.hasOwn(model.globals, head)
        ? model.globals[head]
        : model.others.get(head);
    for (const key of rest) node = isHash(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    return node;
  };
}

/**
 * Values with their `!reference` tags resolved, as GitLab resolves them over the whole pipeline
 * after `extends` (Config#build_config: Extendable, then Tags::Resolver), so that the checks below
 * read what GitLab reads. A tag is known by its list (a PipelineModel reference's node), wherever
 * merges and `extends` carried it. One that cannot be resolved (missing, circular, nested deeper
 * than 10: reported on their own) stays as written. Each list and hash is walked once.
 */
function tagResolver(model: PipelineModel, lookup: (target: readonly string[]) => unknown): (value: unknown) => unknown {
  const targets = referenceTargets(model);
  if (targets.size === 0) return (value) => value;
  const done = new WeakMap<object, { value: unknown }>();
  const resolving = new Set<object>();
  const untag = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = done.get(value);
    if (known) return known.value;
    let result: unknown = value;
    const target = targets.get(value);
    if (target) {
      if (resolving.has(value) || depth > MAX_REFERENCE_NESTING) return value;
      const found = lookup(target);
      if (!referenceFound(found)) return value;
      resolving.add(value);
      result = untag(found, depth + 1);
      resolving.delete(value);
    } else if (Array.isArray(value)) {
      const list = value as unknown[];
      let copy: unknown[] | undefined;
      list.forEach((item, i) => {
        const read = untag(item, depth);
        if (read === item) return;
        copy ??= [...list];
        copy[i] = read;
      });
      if (copy) result = copy;
    } else if (isHash(value)) {
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const item = untag(value[key], depth);
        if (item === value[key]) continue;
        copy ??= { ...value };
        copy[key] = item;
      }
      if (copy) result = copy;
    }
    done.set(value, { value: result });
    return result;
  };
  return (value) => untag(value, 1);
}

export async function checkPipeline(model: PipelineModel, options: SemanticOptions): Promise<PipelineCheck> {
  const out: Diagnostic[] = [];
  const extended = resolveExtends(model, out, !options.pipeline);
  const lookup = referenceLookup(model, extended);
  const untag = tagResolver(model, lookup);
  // Filled in a loop, without two arrays of a pair per job between (a pipeline may hold 100,000 jobs).
  const resolved = new Map<string, Resolved>();
  for (const [name, job] of extended) resolved.set(name, { ...job, value: untag(job.value) as Record<string, unknown> });
  // A tag still in a resolved value is one that could not be resolved: a list of its target's keys.
  const tags = referenceTargets(model);
  const unresolvedTag = (item: unknown): boolean => tags.has(item);
  /** The needs a `needs:` value holds, as GitLab reads them (needItems). */
  const needItemsOf = (value: Record<string, unknown>) => needItems(value['needs'], [], unresolvedTag);
  /** Each visible job's needs of this pipeline's jobs, as the checks below read them (the cycle check reads them again). */
  const needsOfJob = new Map<string, Need[]>();
  const visible = [...model.jobs.values()].filter((job) => !isHidden(job.name));
  const undefinedSeverity: Severity = model.partial ? 'warning' : 'error';
  const maybeIncluded = mayComeFrom(model);

  // GitLab flattens `stages:` (Entry::Stages#value): nested lists, a list from a !reference.
  const stagesKey = Array.isArray(model.globals['stages']) ? 'stages' : Array.isArray(model.globals['types']) ? 'types' : undefined;
  const written = stagesKey === undefined ? undefined : untag(model.globals[stagesKey]);
  const declared = Array.isArray(written) ? (written.flat(Infinity) as unknown[]).map(String) : DEFAULT_STAGES;
  const stages = ['.pre', ...declared.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
  for (const finding of globalEntryFindings(untag(model.globals) as Record<string, unknown>, unresolvedTag)) {
    const origin = model.globalOrigins.get(String(finding.path[0]));
    if (origin) out.push(diagnostic(origin, finding.path.slice(1), 'error', finding.code, finding.message, finding.at ?? 'value'));
  }
  /** The names of the jobs `parallel:` makes, each to its job; built the first time a name is not a job. */
  let parallelJobs: Map<string, string> | undefined;
  /** The visible job a `needs`/`dependencies` name means, whether the job itself or one `parallel:` makes of it. */
  const jobNamed = (name: string): string | undefined => {
    if (model.jobs.has(name)) return isHidden(name) ? undefined : name;
    if (!parallelJobs) {
      parallelJobs = new Map();
      for (const job of visible) {
        const parallel = resolved.get(job.name)?.value['parallel'];
        if (parallel !== undefined) for (const expanded of parallelNames(job.name, parallel)) parallelJobs.set(expanded, job.name);
      }
    }
    return parallelJobs.get(name);
  };
  /** GitLab's Normalizer#expand_needs, before it checks needs: a need of a parallel job is a need
   *  of each of its jobs, or of those the need's own `parallel:` names (`build: [linux]`). A need
   *  naming values through a matrix expression stays one need of the job. */
  const expandNeed = (need: Need): Need[] => {
    const parallel = model.jobs.has(need.name) && !isHidden(need.name) ? resolved.get(need.name)?.value['parallel'] : undefined;
    if (parallel === undefined || parallelNames(need.name, parallel).length === 0) return [need];
    // A value from the needing job's own matrix (`$[[ matrix.X ]]`, GitLab 18.6) differs per job: not expanded here.
    if (need.parallel !== undefined && JSON.stringify(need.parallel).includes('$[[')) return [need];
    const names = parallelNames(need.name, need.parallel ?? parallel);
    return names.length > 0 ? names.map((name) => ({ ...need, name })) : [need];
  };
  /** Whether all a job's bases were found: one cigen cannot see may give it any key (GitLab merges
   *  the includes, then `extends`, then checks the jobs), so what it lacks is not judged. */
  const complete = (name: string): boolean => resolved.get(name)?.ok !== false;
  /** A job's stage: `test` unless it says another, or none known when a base cigen cannot see may say one. */
  const stageOf = (name: string): string | undefined => {
    const stage = resolved.get(name)?.value['stage'];
    return typeof stage === 'string' ? stage : stage === undefined && !complete(name) ? undefined : 'test';
  };
  /** Whether the job named `later` is in a stage after `stage`, both known. */
  const laterStage = (later: string, stage: string | undefined): boolean => {
    const target = stageOf(later);
    return stage !== undefined && target !== undefined && stages.includes(stage) && stages.indexOf(target) > stages.indexOf(stage);
  };

  if (options.pipeline && visible.length === 0 && !model.partial) {
    const first = model.jobs.values().next().value ?? [...model.globalOrigins.values()][0];
    if (first)
      out.push({
        ...diagnostic(
          'origin' in first ? first.origin : first,
          [],
          'error',
          'semantic/no-visible-job',
          'jobs config should contain at least one visible job',
        ),
        line: 1,
        column: 1,
      });
  }

  for (const job of model.jobs.values()) {
    const own = job.value;
    const value = resolved.get(job.name)?.value ?? own;
    const where = (key: string): PathSegment[] => (key in own ? [key] : []);
    // A hidden job is a template: GitLab (Entry::Hidden) checks only that it has content.
    if (isHidden(job.name)) continue;
    const jobNeeds = needItemsOf(value);
    // Counted in characters, as Ruby counts a name (an emoji is one), not in UTF-16 units.
    if ([...job.name].length > 255)
      out.push(diagnostic(job, [], 'error', 'semantic/job-name', 'job name is too long (maximum is 255 characters)', 'key'));
    for (const finding of jobEntryFindings(job.name, value, complete(job.name), unresolvedTag))
      out.push(entryDiagnostic(model, job, finding));
    // GitLab ignores a null `only:`/`except:` beside `rules:` (ignore_nil): the way to drop an inherited one.
    const given = (key: string) => value[key] !== undefined && value[key] !== null;
    if (given('rules')) {
      const clash = ['only', 'except', 'start_in'].filter(given);
      if (clash.length > 0)
        out.push(
          diagnostic(
            job,
            where(clash[0] as string),
            'error',
            'semantic/rules-with-only-except',
            `jobs:${job.name} config key may not be used with \`rules\`: ${clash.join(', ')}`,
            'key',
          ),
        );
    }
    for (const [a, b] of [
      ['script', 'trigger'],
      ['run', 'trigger'],
    ] as const) {
      if (a in value && b in value)
        out.push(
          diagnostic(
            job,
            where(b),
            'error',
            'semantic/keys-together',
            `jobs:${job.name} config these keys cannot be used together: ${a}, ${b}`,
            'key',
          ),
        );
    }

    // Entry::Job's MutuallyExclusiveKeysValidator on script and run: the keys in the order written, at the second.
    if ('script' in value && 'run' in value) {
      const written = Object.keys(value).filter((key) => key === 'script' || key === 'run');
      out.push(
        diagnostic(
          job,
          where(written[1] as string),
          'error',
          'semantic/keys-together',
          `jobs:${job.name} config these keys cannot be used together: ${written.join(', ')}`,
          'key',
        ),
      );
    }

    if (!('script' in value) && !('run' in value) && complete(job.name)) {
      // GitLab's Jobs entry: a job with `trigger:` or `needs:` is a Bridge, which needs a trigger or
      // a needs:pipeline (at most one); any other is no job at all.
      const bridgeNeeds = jobNeeds.filter(({ item }) => bridgeNeed(item)).length;
      const problem =
        !('trigger' in value) && !('needs' in value)
          ? `jobs ${job.name} config should implement the script:, run:, or trigger: keyword`
          : !('trigger' in value) && bridgeNeeds === 0
            ? `jobs:${job.name} config should contain either a trigger or a needs:pipeline`
            : bridgeNeeds > 1
              ? `jobs:${job.name} config should contain at most one bridge need`
              : undefined;
      if (problem) out.push(diagnostic(job, [], undefinedSeverity, 'semantic/no-script', `${problem}${maybeIncluded}`, 'key'));
    }
    const stage = stageOf(job.name);
    if (stage !== undefined && !stages.includes(stage)) {
      // A component or an included file does not own `stages:`: the pipeline that includes it
      // does (its own `stages:` wins the merge), so there the stage may well exist.
      out.push(
        options.pipeline
          ? diagnostic(
              job,
              where('stage'),
              undefinedSeverity,
              'semantic/undefined-stage',
              `${job.name} job: chosen stage ${stage} does not exist; available stages are ${stages.join(', ')}${maybeIncluded}`,
            )
          : diagnostic(
              job,
              where('stage'),
              'warning',
              'semantic/undefined-stage',
              `${job.name} job: chosen stage ${stage} is not one of the stages this file knows (${stages.join(', ')}); ` +
                'the pipeline that includes it must define it',
            ),
      );
    }
    if (!options.pipeline) continue;

    const onStop = onStopFinding(
      job.name,
      value,
      (name) => {
        const target = jobNamed(name);
        const stopper = target === undefined ? undefined : resolved.get(target);
        return stopper && { value: stopper.value, complete: complete(target as string) };
      },
      complete(job.name),
    );
    if (onStop) {
      // A job that is not there may come from an include cigen cannot read.
      const [severity, note] = onStop.undefinedJob ? [undefinedSeverity, maybeIncluded] : ['error' as const, ''];
      out.push(entryDiagnostic(model, job, { path: onStop.path, code: onStop.code, message: `${onStop.message}${note}` }, severity));
    }

    const needs = needsIn(jobNeeds);
    needsOfJob.set(job.name, needs);
    /** One `needs:` list (the job's, or a rule's: GitLab checks both alike) at `path` of the job as
     *  GitLab reads it: shown where the job writes it, or the base it inherits it from. */
    const checkNeeds = (written: Need[], path: PathSegment[]) => {
      const list = written.flatMap(expandNeed);
      const names = list.map((n) => n.name);
      const duplicated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
      const report = (at: PathSegment[], code: string, message: string, severity: Severity = 'error') =>
        out.push(entryDiagnostic(model, job, { path: at, code, message }, severity));
      if (duplicated.length > 0)
        report(path, 'semantic/needs-duplicated', `${job.name} has the following needs duplicated: ${duplicated.join(', ')}.`);
      // Seed::Build#needs_errors counts the needs of this pipeline's jobs after `parallel:` is
      // expanded, against the instance's ci_needs_size_limit: 50 unless an administrator raises it.
      if (list.length > NEEDS_LIMIT)
        report(
          path,
          'semantic/needs-limit',
          `${job.name}: one job can only need ${NEEDS_LIMIT} others, but you have listed ${list.length}` +
            ` (counting each job \`parallel:\` makes; ${NEEDS_LIMIT} is GitLab's default limit, ci_needs_size_limit, ` +
            'which a self-managed instance can raise)',
          'warning',
        );
      for (const need of list) {
        const at = [...path, ...need.at];
        const target = jobNamed(need.name);
        if (!target) {
          if (!need.optional)
            report(at, 'semantic/undefined-need', `${job.name} job: undefined need: ${need.name}${maybeIncluded}`, undefinedSeverity);
        } else if (laterStage(target, stage)) {
          report(at, 'semantic/need-later-stage', `${job.name} job: need ${need.name} is not defined in current or prior stages`);
        } else if (
          !need.optional &&
          path.length === 1 &&
          rulesKeepIn(value) &&
          !ruleNeedsReplaceJobNeeds(value) &&
          rulesCanLeaveOut(resolved.get(target)?.value ?? {})
        ) {
          report(
            at,
            'semantic/need-left-out',
            `${job.name} needs ${need.name}, whose rules can leave it out of a pipeline, while the rules of ${job.name} keep it in ` +
              `every pipeline: where ${need.name} is left out, GitLab refuses to create the pipeline ('${need.name}' does not exist ` +
              `in the pipeline). Give ${job.name} rules that leave it out too, or make the need optional (needs:optional)`,
            'warning',
          );
        }
      }
    };
    if (needs) checkNeeds(needs, ['needs']);
    if (Array.isArray(value['rules']))
      value['rules'].forEach((rule, index) => {
        const ruleNeeds = isHash(rule) ? needsIn(needItemsOf(rule)) : undefined;
        if (ruleNeeds) checkNeeds(ruleNeeds, ['rules', index, 'needs']);
      });
    /** A job GitLab requires to exist in this or an earlier stage (a dependency, the job of a
     *  child pipeline's `artifact` include), `at` where it is named. */
    const checkDependency = (name: string, at: PathSegment[]): string | undefined => {
      const target = jobNamed(name);
      if (!target) {
        out.push(
          diagnostic(
            job,
            at,
            undefinedSeverity,
            'semantic/undefined-dependency',
            `${job.name} job: undefined dependency: ${name}${maybeIncluded}`,
          ),
        );
      } else if (laterStage(target, stage)) {
        out.push(
          diagnostic(
            job,
            at,
            'error',
            'semantic/dependency-later-stage',
            `${job.name} job: dependency ${name} is not defined in current or prior stages`,
          ),
        );
      } else return target;
      return undefined;
    };
    const trigger = value['trigger'];
    if (isHash(trigger) && trigger['include'] !== undefined) {
      const includes = trigger['include'];
      asList(includes).forEach((included, index) => {
        if (!isHash(included) || typeof included['job'] !== 'string') return;
        const at = 'trigger' in own ? ['trigger', 'include', ...(Array.isArray(includes) ? [index] : []), 'job'] : [];
        checkDependency(included['job'], at);
      });
    }
    // Entry::Job (on composed): with `needs` present (not `needs: []`, which is no needs) the
    // dependencies must be among the needed jobs, compared by the names written (`par 1/2` is not
    // `par`); when every need is another pipeline's, none can be.
    const dependencies = asList(value['dependencies']);
    const crossPipelineOnly = needs.length === 0 && jobNeeds.some(({ item }) => crossPipelineNeed(item));
    if (crossPipelineOnly && dependencies.length > 0)
      out.push(
        diagnostic(
          job,
          'needs' in own ? ['needs'] : [],
          'error',
          'semantic/dependency-not-needed',
          `jobs:${job.name} needs corresponding to dependencies must be from the same pipeline`,
          'key',
        ),
      );
    dependencies.forEach((dependency, index) => {
      // Only a name names a job; the schema reports anything else written there.
      if (typeof dependency !== 'string') return;
      const at = 'dependencies' in own ? ['dependencies', index] : [];
      const target = checkDependency(dependency, at);
      if (target && needs.length > 0 && !needs.some((n) => n.name === dependency)) {
        out.push(
          diagnostic(
            job,
            at,
            'error',
            'semantic/dependency-not-needed',
            `jobs:${job.name} dependencies the ${dependency} should be part of needs`,
          ),
        );
      }
    });
  }

  if (options.pipeline) {
    const graph = new Map<string, string[]>();
    for (const job of visible)
      graph.set(
        job.name,
        (needsOfJob.get(job.name) ?? []).map((n) => jobNamed(n.name) ?? n.name),
      );
    for (const job of visible) {
      if (graph.get(job.name)?.includes(job.name))
        out.push(
          diagnostic(
            job,
            ['needs'],
            'error',
            'semantic/needs-cycle',
            `The pipeline has circular dependencies: self-dependency: ${job.name}`,
          ),
        );
    }
    for (const component of stronglyConnected(graph).filter((members) => members.length > 1)) {
      const first = model.jobs.get(component[0] as string) as JobDefinition;
      out.push(
        diagnostic(
          first,
          'needs' in first.value ? ['needs'] : [],
          'error',
          'semantic/needs-cycle',
          `The pipeline has circular dependencies: topological sort failed: ${rubyInspect(component)}`,
        ),
      );
    }
  }

  out.push(...referenceCycles(model));
  // A target that is not there may be in an include cigen cannot read, or, in a fragment, in
  // another file of the pipeline (GitLab resolves the tags of the whole pipeline).
  for (const reference of model.references) {
    // GitLab refuses such a tag whatever the pipeline holds (Tags::Base#resolve): an error, includes or not.
    if (reference.invalid !== undefined) {
      out.push(diagnostic(reference.origin, [], 'error', 'semantic/reference', `!reference ${reference.invalid} is not valid`, 'value'));
      continue;
    }
    if (!referenceFound(lookup(reference.target))) {
      out.push(
        diagnostic(
          reference.origin,
          [],
          model.partial || !options.pipeline ? 'warning' : 'error',
          'semantic/reference',
          `!reference ${rubyInspect(reference.target)} could not be found${mayComeFrom(model, !options.pipeline)}`,
          // At the tag, whether it is an item of a list or the whole value of a key (`rules: !reference [...]`).
          'value',
        ),
      );
    }
  }
  // The `if:` of rules a `!reference` brings in, which the expression check of each file does not see.
  out.push(...referencedExpressions(model, lookup));
  // Whole numbers written as floats (`retry: 1.0`), traced to where each job's value is written.
  out.push(...checkWholeFloats(model, resolved));
  // What ci.json says of the places each job inherits through `extends` (GitLab never checks a base alone).
  out.push(...(await inheritedFindings(model, resolved)));
  // A secret given a provider by a base and another by the job (or another base): found only in the job as GitLab reads it.
  for (const { job, finding } of await mergedSecretFindings(model, resolved)) out.push(entryDiagnostic(model, job, finding));
  return { diagnostics: out, settled: await settledByBases(model, resolved, options.written ?? []) };
}
