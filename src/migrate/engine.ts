/**
 * Moves Kaniko jobs onto the catalog's buildah component, as pure text edits.
 *
 * Why the edits are this small: GitLab merges a component's job into the local job of the same
 * name before it resolves `extends`, and the component's job sets image, script, stage and
 * `before_script: []`. So the local job keeps every key that still applies (rules, needs,
 * variables, extends, parallel, ...) and loses only its own image, script and before_script,
 * plus `<<:` merge keys that would bring them back (YAML merges those at parse time, where the
 * local job would win). Commands the Kaniko job ran before the build move to the local job's
 * before_script, which runs in the same shell as the component's script.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { VOCABULARY_ORDER } from '../builders/inputs.js';
import { resolveInputs, type InputSpecs } from '../ci/interpolation/inputs.js';
import { findComponent } from '../catalog/registry.js';
import { componentHeader } from '../catalog/document.js';
import { checkBuildInputValues } from '../catalog/values.js';
import { extendsOf, sourceOf, valueOf, type JobDefinition, type Pipeline } from './pipeline.js';
import { includesOf } from '../ci/splice.js';
import { scalarText } from '../ci/yaml.js';
import { itemsOf, kanikoClassifier, type Classifier, type ScriptItem } from './scripts.js';
import { buildArguments, classifyDocker, translateDockerBuild } from './docker.js';
import type { Command } from './shell.js';
import { translateExecutor, type Inputs, type TranslateContext, type Translation } from './kaniko.js';
import { columnOf, commentsWithin, keyOf, lineEnd, lineStart, pairRange, reindent, indentUnit, type Edit } from '../ci/source.js';

export type JobStatus = 'migrated' | 'needs-review' | 'unchanged';

export interface JobReport {
  name: string;
  file: string;
  status: JobStatus;
  /** The component the job moves to (migrated and needs-review). */
  component?: string;
  /** The translated inputs (for needs-review: what cigen would pass once the reasons are settled). */
  inputs?: Inputs;
  /** needs-review: why; otherwise what was dropped or changed and why that is safe. */
  notes: string[];
  /** What the job built with before (migrated and needs-review). */
  from?: 'kaniko' | 'docker';
  /** A migrated Docker daemon build: why the way it built was unsafe (privileged dind, docker.sock). */
  finding?: string;
}

export interface JobPlan {
  report: JobReport;
  edits: Edit[];
  /** The `include:` entry to add, as data. */
  include?: { component: string; inputs: Inputs };
}

const REPLACED_KEYS = new Set(['image', 'script', 'before_script']);
const DIND_SERVICE = /(^|\/)docker:[^\s]*dind|(^|\/)dind(:|$)/;
const DOCKER_SOCKET = /\/var\/run\/docker\.sock/;

export function sortInputs(inputs: Inputs): Inputs {
  const rank = (key: string) => (VOCABULARY_ORDER.includes(key) ? VOCABULARY_ORDER.indexOf(key) : VOCABULARY_ORDER.length);
  return Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

let buildahSpecs: InputSpecs | undefined;
function componentSpecs(): InputSpecs {
  const buildah = findComponent('buildah');
  if (!buildah) throw new Error('the catalog has no buildah component');
  buildahSpecs ??= componentHeader(buildah).spec.inputs as InputSpecs;
  return buildahSpecs;
}

/** Image name without tag or digest, from `image: x` or `image: {name: x}`. */
function imageName(value: unknown): string | undefined {
  const name = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return undefined;
  const withoutDigest = name.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export const isKanikoImage = (value: unknown): boolean => /kaniko/i.test(imageName(value) ?? '');

/** Security findings for jobs that build with the Docker daemon: privileged dind or the host's socket. */
function dockerFindings(pipeline: Pipeline, job: JobDefinition): string[] {
  const found: string[] = [];
  const services = valueOf(sourceOf(pipeline, job, 'services'));
  const serviceNames = (Array.isArray(services) ? services : []).map((s) =>
    typeof s === 'string' ? s : s && typeof s === 'object' ? scalarText((s as { name?: unknown }).name ?? '') : '',
  );
  if (serviceNames.some((name) => DIND_SERVICE.test(name))) {
    found.push(
      'privileged Docker-in-Docker: the docker:dind service only runs privileged, ' +
        'which gives every job on that runner control of the host and its other jobs; the buildah component builds without privileges',
    );
  }
  const text = JSON.stringify([
    valueOf(sourceOf(pipeline, job, 'variables')),
    valueOf(sourceOf(pipeline, job, 'script')),
    valueOf(sourceOf(pipeline, job, 'before_script')),
  ]);
  if (DOCKER_SOCKET.test(text)) {
    found.push(
      "the host's docker.sock: a job that can reach the Docker socket can start privileged containers and so controls the host; " +
        'the buildah component needs no daemon',
    );
  }
  const image = imageName(valueOf(sourceOf(pipeline, job, 'image')));
  if (found.length === 0 && image !== undefined && /(^|\/)docker$/.test(image) && /docker (?:(?:image|buildx) )?build\b/.test(text)) {
    found.push(
      "docker build against a Docker daemon, which a runner provides as privileged Docker-in-Docker or by mounting the host's " +
        'docker.sock: either gives the job control of the host; the buildah component needs neither',
    );
  }
  return found;
}

/** Names of jobs that already come from a component include (`inputs: job-name`), for idempotence. */
export function componentJobNames(pipeline: Pipeline): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of pipeline.files) {
    for (const entry of includesOf(file)) {
      if (entry.kind !== 'component') continue;
      const jobName = entry.inputs?.['job-name'];
      names.set(typeof jobName === 'string' ? jobName : 'build-image', entry.target);
    }
  }
  return names;
}

/** A job's variables (its own, then the pipeline's) as the file writes them. */
function variableLookup(pipeline: Pipeline, job: JobDefinition): (name: string) => string | undefined {
  const own = valueOf(sourceOf(pipeline, job, 'variables'));
  return (name) => {
    const value = own && typeof own === 'object' ? (own as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (value && typeof value === 'object' && 'value' in value) return String(value.value);
    return pipeline.variables.get(name);
  };
}

/** One script item as a `- item` line at `indent`, its source text kept (block scalars included). */
function itemText(item: ScriptItem, indent: number): string {
  const node = item.node;
  if (isSeq(node) && node.tag === '!reference') {
    return `${' '.repeat(indent)}- !reference [${node.items.map((i) => (isScalar(i) ? String(i.value) : '')).join(', ')}]\n`;
  }
  const range = node.range as [number, number, number];
  const body = reindent(item.file.text.slice(range[0], range[1]), lineIndent(item.file.text, range[0]), indent + 2);
  return `${' '.repeat(indent)}- ${body.replace(/\n*$/, '')}\n`;
}

/** The indentation of the line that holds `offset`. */
function lineIndent(text: string, offset: number): number {
  const start = lineStart(text, offset);
  const line = text.slice(start, lineEnd(text, offset));
  const dash = /^(\s*)-\s/.exec(line);
  return dash ? (dash[1] as string).length + 2 : line.length - line.trimStart().length;
}

/** What differs between the builds cigen migrates: how the build call translates, and words. */
interface BuildKind {
  id: 'kaniko' | 'docker';
  /** `Kaniko`, `docker build`: how messages name the build call. */
  call: string;
  missing: string;
  translate(build: ScriptItem, items: readonly ScriptItem[], env: TranslateContext): Translation;
  /** What the job wrote for auth, when it wrote nothing. */
  noAuth: string;
  /** Keys of the job that the component's job must not see (its own image, script, ...). */
  replaced: ReadonlySet<string>;
}

const KANIKO: BuildKind = {
  id: 'kaniko',
  call: 'the /kaniko/executor call',
  missing:
    'the job runs a Kaniko image but no script line calls /kaniko/executor (it may run in a script file); cigen cannot read the build',
  translate: (build, _items, env) => translateExecutor((build.build as Command).words.slice(1), env),
  noAuth: 'the job wrote no /kaniko/.docker/config.json; the component logs in to $CI_REGISTRY with the job token credentials',
  replaced: REPLACED_KEYS,
};

const DOCKER: BuildKind = {
  id: 'docker',
  call: 'docker build',
  missing: 'no script line runs docker build (it may run in a script file); cigen cannot read the build',
  translate: (build, items, env) =>
    translateDockerBuild(
      buildArguments(build.build as Command) ?? [],
      items.flatMap((item) => item.pushes),
      env,
    ),
  noAuth: 'the job ran no docker login; the component logs in to $CI_REGISTRY with the job token credentials',
  replaced: new Set([...REPLACED_KEYS, 'services']),
};

interface Analysis {
  status: JobStatus;
  inputs: Inputs;
  notes: string[];
  reviews: string[];
  extras: ScriptItem[];
}

function analyze(pipeline: Pipeline, job: JobDefinition, kind: BuildKind, items: ScriptItem[]): Analysis {
  const notes: string[] = [];
  const reviews: string[] = [];
  const executorAt = items.flatMap((item, i) => (item.kind === 'build' ? [i] : []));
  if (executorAt.length === 0) reviews.push(kind.missing);
  if (executorAt.length > 1)
    reviews.push(
      `the job builds ${executorAt.length} times (${kind.call}); ` +
        'the component builds one image per job: split it into one job per image (parallel:matrix)',
    );
  const at = executorAt[0] ?? items.length;
  const executor = items[at];
  if (executor?.mixed)
    reviews.push(
      `${kind.call} shares one script item with other commands; put them in items of their own so they can move to before_script`,
    );
  const inputs: Inputs = { 'job-name': job.name };
  const stage = valueOf(sourceOf(pipeline, job, 'stage'));
  const effectiveStage = typeof stage === 'string' ? stage : 'test';
  if (effectiveStage !== 'build') inputs['stage'] = effectiveStage;
  if (typeof stage !== 'string') notes.push("the job had no stage, so it ran in GitLab's default stage test; stage: test keeps it there");

  if (executor?.build) {
    const translation = kind.translate(executor, items, { variable: variableLookup(pipeline, job) });
    Object.assign(inputs, translation.inputs);
    notes.push(...translation.notes);
    reviews.push(...translation.reviews);
  }

  const auth = items.flatMap((item) => item.auth);
  const credentials = auth.filter((a) => a.kind === 'credentials');
  for (const finding of auth) if (finding.kind === 'unknown') reviews.push(finding.reason);
  if (new Set(credentials.map((c) => JSON.stringify(c))).size > 1)
    reviews.push(
      'the job logs in to more than one registry; the component takes one set of credentials (give the others through DOCKER_AUTH_CONFIG)',
    );
  const [credential] = credentials;
  if (credential?.kind === 'credentials') {
    inputs['registry'] = credential.registry;
    inputs['registry-user'] = credential.user;
    inputs['registry-password'] = credential.password;
  }
  if (auth.some((a) => a.kind === 'docker-auth-config'))
    notes.push('config.json came from $DOCKER_AUTH_CONFIG, which the component merges into its own config.json');
  if (auth.length === 0) notes.push(kind.noAuth);

  const extras = items.slice(0, at).filter((item) => item.kind === 'other');
  const after = items.slice(at + 1).filter((item) => item.kind === 'other');
  if (after.length > 0) {
    const first = after[0]?.commands[0]?.words.map((w) => w.text).join(' ') ?? '';
    reviews.push(
      `commands run after ${kind.call} (\`${first}\`); the component's script ends with the build: ` +
        `move them to a later job with needs: [${job.name}] (it can read CIGEN_BUILT_REF) or to after_script`,
    );
  }
  if (extras.length > 0)
    notes.push(
      `${extras.length} command item(s) before the build moved to before_script, which runs in the same shell as the component's script`,
    );
  if (pipeline.defaults.beforeScript && extras.length === 0 && !sourceOf(pipeline, job, 'before_script')) {
    notes.push("the default before_script no longer runs in this job: the component's job sets its own (empty) before_script");
  }
  if (!job.map) reviews.push('the job is written in flow style ({...}); cigen edits block mappings only');

  // What GitLab would refuse, or the job would refuse at run time, is for a person to settle.
  const given = sortInputs(inputs);
  for (const error of [...resolveInputs(componentSpecs(), given).errors, ...checkBuildInputValues(given)])
    reviews.push(`the translated inputs do not fit the component: ${error}`);
  return { status: reviews.length > 0 ? 'needs-review' : 'migrated', inputs: given, notes, reviews, extras };
}

/** The edits that turn a migrated job into the slim job GitLab merges with the component's. */
function slimJobEdits(
  pipeline: Pipeline,
  job: JobDefinition,
  extras: ScriptItem[],
  replaced: ReadonlySet<string>,
): { edits: Edit[]; reviews: string[] } {
  const map = job.map as YAMLMap;
  const file = job.file;
  const text = file.text;
  const reviews: string[] = [];
  const edits: Edit[] = [];
  const ownKeys = new Set(map.items.map((p) => keyOf(p)).filter((k): k is string => k !== undefined));
  const removals: Pair[] = map.items.filter((p) => replaced.has(keyOf(p) ?? ''));
  const copies: Pair[] = [];
  const copyFrom = new Map<Pair, number>();

  // Merge keys whose maps bring image/script/before_script back: drop them, keep their other keys.
  const merge = map.items.find((p) => keyOf(p) === '<<');
  let mergeReplacement: string | undefined;
  if (merge) {
    const aliases = isSeq(merge.value) ? merge.value.items : [merge.value];
    const kept: string[] = [];
    const seen = new Set(ownKeys);
    for (const alias of aliases) {
      const target = isAlias(alias) ? alias.resolve(file.doc) : undefined;
      if (!isMap(target) || !isAlias(alias)) {
        reviews.push('a merge key (<<) that is not an alias to a mapping');
        continue;
      }
      const brings = target.items.some((p) => replaced.has(keyOf(p) ?? ''));
      if (!brings) {
        kept.push(`*${alias.source}`);
        for (const p of target.items) seen.add(keyOf(p) ?? '');
        continue;
      }
      if (target.items.some((p) => keyOf(p) === '<<'))
        reviews.push(`the anchor &${alias.source} itself uses a merge key; cigen does not unfold nested merges`);
      for (const pair of target.items) {
        const key = keyOf(pair) ?? '';
        if (replaced.has(key) || key === '<<' || seen.has(key)) continue;
        seen.add(key);
        copies.push(pair);
        copyFrom.set(pair, columnOf(text, (pair.key as Node).range?.[0] ?? 0));
      }
    }
    if (kept.length === aliases.length) {
      // Nothing to change in the merge key.
    } else if (kept.length === 0) removals.push(merge);
    else mergeReplacement = kept.length === 1 ? kept[0] : `[${kept.join(', ')}]`;
  }
  if (mergeReplacement !== undefined && merge?.value && (merge.value as Node).range) {
    const range = (merge.value as Node).range as [number, number, number];
    edits.push({ start: range[0], end: range[1], text: mergeReplacement });
  }

  const firstPair = map.items[0];
  const indent = firstPair ? columnOf(text, (firstPair.key as Node).range?.[0] ?? 0) : indentUnit(file);
  let additions = '';
  for (const pair of copies) {
    const [start, end] = pairRange(text, pair);
    const from = copyFrom.get(pair) ?? indent;
    additions += ' '.repeat(indent) + reindent(text.slice(start + from, end), from, indent);
    if (!additions.endsWith('\n')) additions += '\n';
  }
  if (extras.length > 0) {
    additions += `${' '.repeat(indent)}before_script:\n`;
    for (const item of extras) additions += itemText(item, indent + indentUnit(file));
  }

  removals.sort((a, b) => ((a.key as Node).range?.[0] ?? 0) - ((b.key as Node).range?.[0] ?? 0));
  const remaining = map.items.length - removals.length;
  if (remaining === 0 && additions === '' && mergeReplacement === undefined) {
    // Nothing of the job is left: the component's job is the whole job.
    const [start, end] = pairRange(text, job.pair);
    edits.push({ start, end, text: commentsWithin(file, start, end, 0) });
    return { edits, reviews };
  }
  removals.forEach((pair, i) => {
    const [start, end] = pairRange(text, pair);
    const kept = commentsWithin(file, start, end, indent);
    edits.push({ start, end, text: kept + (i === 0 ? additions : '') });
  });
  if (removals.length === 0 && additions !== '') {
    const last = map.items.at(-1) as Pair;
    const end = pairRange(text, last)[1];
    edits.push({ start: end, end, text: additions });
  }
  return { edits, reviews };
}

/** A Docker job's services must be its own and all dind, or the privileged service stays. */
function servicesReview(pipeline: Pipeline, job: JobDefinition): string | undefined {
  const source = sourceOf(pipeline, job, 'services');
  if (pipeline.defaults.services && (!source || source.via === 'base'))
    return 'services come from default: or the top level; remove the dind service there, or the job keeps asking for a privileged runner';
  if (!source) return undefined;
  if (source.via === 'base')
    return (
      `services come from ${source.base?.name ?? 'a base job'}; ` +
      'remove the dind service there, or the job keeps asking for a privileged runner'
    );
  const services = valueOf(source);
  const names = (Array.isArray(services) ? services : []).map((s) =>
    typeof s === 'string' ? s : s && typeof s === 'object' ? scalarText((s as { name?: unknown }).name ?? '') : '',
  );
  const others = names.filter((name) => !DIND_SERVICE.test(name));
  if (others.length > 0) return `services other than docker:dind (${others.join(', ')}); move them to the jobs that use them`;
  return undefined;
}

function finish(
  pipeline: Pipeline,
  job: JobDefinition,
  componentRef: string,
  kind: BuildKind,
  items: ScriptItem[],
  extraReviews: string[] = [],
): JobPlan {
  const file = job.file.path;
  const analysis = analyze(pipeline, job, kind, items);
  let reviews = [...extraReviews, ...analysis.reviews];
  let edits: Edit[] = [];
  if (reviews.length === 0 && job.map) {
    const slim = slimJobEdits(pipeline, job, analysis.extras, kind.replaced);
    reviews = slim.reviews;
    edits = slim.edits;
  }
  if (reviews.length > 0) {
    return {
      report: {
        name: job.name,
        file,
        status: 'needs-review',
        component: componentRef,
        inputs: analysis.inputs,
        notes: [...reviews, ...analysis.notes],
        from: kind.id,
      },
      edits: [],
    };
  }
  return {
    report: {
      name: job.name,
      file,
      status: 'migrated',
      component: componentRef,
      inputs: analysis.inputs,
      notes: analysis.notes,
      from: kind.id,
    },
    edits,
    include: { component: componentRef, inputs: analysis.inputs },
  };
}

/** Plans one visible job: its report and, when it moves, its edits and include entry. */
export function planJob(pipeline: Pipeline, job: JobDefinition, componentRef: string, onComponent: Map<string, string>): JobPlan {
  const file = job.file.path;
  const already = onComponent.get(job.name);
  if (already) return { report: { name: job.name, file, status: 'unchanged', notes: [`already built by ${already}`] }, edits: [] };
  const read = (classify: Classifier) => [
    itemsOf(pipeline, sourceOf(pipeline, job, 'before_script'), 'before_script', classify),
    itemsOf(pipeline, sourceOf(pipeline, job, 'script'), 'script', classify),
  ];
  const kanikoImage = isKanikoImage(valueOf(sourceOf(pipeline, job, 'image')));
  const kaniko = read(kanikoClassifier(kanikoImage));
  const callsExecutor = kaniko.some((items) => typeof items !== 'string' && items.some((item) => item.kind === 'build'));
  if (kanikoImage || callsExecutor) {
    const unreadable = kaniko.find((items): items is string => typeof items === 'string');
    if (unreadable)
      return { report: { name: job.name, file, status: 'needs-review', component: componentRef, notes: [unreadable] }, edits: [] };
    return finish(pipeline, job, componentRef, KANIKO, kaniko.flat() as ScriptItem[]);
  }
  const docker = dockerFindings(pipeline, job);
  if (docker.length === 0) return { report: { name: job.name, file, status: 'unchanged', notes: [] }, edits: [] };
  // A daemon build moves only when its translation is exact; the security finding is its first note.
  const items = read(classifyDocker);
  const unreadable = items.find((list): list is string => typeof list === 'string');
  const builds = !unreadable && (items.flat() as ScriptItem[]).some((item) => item.kind === 'build');
  if (unreadable || !builds)
    return {
      report: {
        name: job.name,
        file,
        status: 'needs-review',
        notes: [...docker, unreadable ?? 'no script line runs docker build, so there is nothing to translate'],
      },
      edits: [],
    };
  const services = servicesReview(pipeline, job);
  const plan = finish(pipeline, job, componentRef, DOCKER, items.flat() as ScriptItem[], services ? [services] : []);
  if (plan.report.status === 'migrated') plan.report.finding = docker.join('; ');
  else plan.report.notes = [...docker, ...plan.report.notes];
  return plan;
}

/** Hidden Kaniko templates: reported, never rewritten (other files may extend them). */
export function templateReport(pipeline: Pipeline, job: JobDefinition, migrated: readonly string[]): JobReport | undefined {
  if (!isKanikoImage(valueOf(sourceOf(pipeline, job, 'image')))) {
    const script = itemsOf(pipeline, sourceOf(pipeline, job, 'script'), 'script', kanikoClassifier(false));
    if (typeof script === 'string' || !script.some((item) => item.kind === 'build')) return undefined;
  }
  const users = migrated.filter((name) => {
    const definition = pipeline.jobs.get(name);
    return definition ? extendsOf(definition).includes(job.name) : false;
  });
  const note =
    users.length > 0
      ? `Kaniko template, kept: ${users.join(', ')} extend it and now run the component, whose job overrides its image, script and ` +
        'before_script; its other keys still apply. Remove its Kaniko keys once nothing else uses it.'
      : 'Kaniko template, kept: no job in this pipeline extends it; other pipelines may';
  return { name: job.name, file: job.file.path, status: 'unchanged', notes: [note] };
}
