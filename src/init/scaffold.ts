/**
 * The text `cigen init` writes: a new .gitlab-ci.yml, or the existing one with include entries
 * and matrix jobs spliced in. Jobs that already exist are never overwritten (a proposal takes
 * another name), and builds already included are not added again, so a second run adds nothing.
 */
import { posix } from 'node:path';
import {
  addIncludeEntries,
  addToList,
  addToTopLevelList,
  includesOf,
  localIncludeTargets,
  renderBlock,
  renderEntries,
  topKeyOffset,
  type ComponentInclude,
} from '../ci/splice.js';
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Node, type Pair, type Scalar, type YAMLSeq } from 'yaml';
import {
  applyEdits,
  columnOf,
  contentEnd,
  keyOf,
  lastKeysOnly,
  lineEnd,
  pairRange,
  readSource,
  SourceError,
  type Edit,
  type SourceFile,
} from '../ci/source.js';
import { GLOBAL_KEYWORDS } from '../ci/keywords.js';
import { includePath, localIncludePaths, readLocalIncludes, refusedAsNotYaml } from '../ci/include-walk.js';
import { parseComponentRef } from '../ci/includes.js';
import { hasVariableReference } from '../ci/variables.js';
import { aliasTarget, scalarText } from '../ci/yaml.js';
import { buildsImage, findComponent, includedCatalog, type IncludedCatalog } from '../catalog/registry.js';
import { contextInput, imagesOf, includeEntry, MATRIX_VARIABLE, numbered, type BuildProposal } from './plan.js';

export interface Scaffold {
  text: string;
  changed: boolean;
  added: BuildProposal[];
  /** The jobs of the file that already build proposed images, by job name. */
  present: string[];
  /** The Dockerfiles (project paths) a job of the file builds without a cigen component (`others`),
   *  which init adds no build of: by that job. */
  builtByOthers: { jobName: string; dockerfiles: string[] }[];
  /** Proposals renamed because a job of that name exists: [wanted, given]. */
  renamed: [string, string][];
  /** Proposals renumbered because a build of the pipeline pushes an image they would: the images,
   *  each with the job that pushes it and the file that defines that job. */
  imageTaken: { jobName: string; images: { image: string; by: Pusher }[] }[];
  /** Existing `parallel:matrix` jobs given the directories they did not build yet. */
  extended: { jobName: string; values: string[] }[];
  /** The file as it was read (its `duplicates` for the warnings), when there was one. */
  written: SourceFile | undefined;
  /** The local includes whose path holds a variable, which GitLab expands when it creates the
   *  pipeline and init cannot: as written, each with the file that names it. Their jobs are unread. */
  unread: { include: string; from: string }[];
  /** The local includes GitLab refuses for their name (not .yml or .yaml; a wildcard names any
   *  file), which init reads no jobs from: as written, each with the file that names it. */
  notYaml: { include: string; from: string }[];
  /** The files (from the project root) whose own local includes were left unread because the walk
   *  reached its cap: the jobs of those includes are unseen. */
  capped: { path: string }[];
  /** What init did, or could not do, about a `stages:` list that lacks the builds' stage where
   *  adding it to the file's own list was not the whole story (undefined: nothing to say). */
  stages?: StagesNote;
}

/**
 * `anchor`: build was added to the list anchored `&anchor` that `stages: *anchor` reads;
 * `written`: the stages came from the local include `from`, which lacks build: the file now
 * declares `stages` (that list, build added), which GitLab reads instead;
 * `missing`: the stages GitLab reads lack build and init could not add it (`why`);
 * `unchecked`: init cannot tell whether they have it (`why`); `includes`, when the file declares
 * none: the includes they may come from, which init cannot read.
 */
export type StagesNote =
  | { kind: 'anchor'; anchor: string }
  | { kind: 'written'; from: string; stages: string[] }
  | { kind: 'missing'; why: string }
  | { kind: 'unchecked'; why: string; includes?: string[] };

/**
 * A job of the file that builds an image without a cigen component (with Kaniko, or a Docker
 * daemon), as the include of a build component that `cigen migrate` writes for it: its name and
 * the inputs, which say its context, Dockerfile and image.
 */
export interface OtherBuild {
  jobName: string;
  /** The file of the pipeline that defines the job, from the project root. */
  file: string;
  inputs: Readonly<Record<string, unknown>>;
  /** Its `parallel: matrix:` as GitLab runs it, which migrate reads through merge keys, `extends` and
   *  `!reference` (JobReport's): each entry's variables with their values; empty without one. */
  matrix: readonly Readonly<Record<string, readonly string[]>>[];
}

/** A job that pushes an image, and the file of the pipeline (from the project root) that defines it. */
export interface Pusher {
  jobName: string;
  file: string;
}

/** A build the file already has: its job, and the `parallel:matrix` list its context's variable takes, if any. */
interface ExistingBuild {
  jobName: string;
  /** An OtherBuild's: init never edits that job (its matrix list is the Kaniko job's). */
  other?: true;
  /** The matrix value list (context `services/$IMAGE_DIR`, `IMAGE_DIR: [api, worker]`) new directories can join. */
  list?: { node: YAMLSeq; variable: string };
}

interface Existing {
  jobs: Set<string>;
  /** Each directory + Dockerfile a cigen build component builds (one per matrix value), by buildKey. */
  builds: Map<string, ExistingBuild>;
  /** The builds over a matrix, by their context template and Dockerfile (buildKey of `services/$IMAGE_DIR`). */
  templates: Map<string, ExistingBuild>;
  /** The images the builds push (one per matrix value), each with the first job found to push it. */
  images: Map<string, Pusher>;
}

/**
 * A context as the component reads it: relative to the project, so `./app`, `app/` and `app`
 * are one directory (and '' is the project itself).
 */
const normalContext = (context: string): string => {
  const path = posix.normalize(context === '' ? '.' : context).replace(/(.)\/+$/, '$1');
  return path === '' ? '.' : path;
};

const buildKey = (context: unknown, dockerfile: unknown): string =>
  `${normalContext(scalarText(context ?? '.'))}\0${posix.normalize(scalarText(dockerfile ?? 'Dockerfile'))}`;

/** One entry of a job's `parallel:matrix`: each variable's values, and the value list new directories
 *  can join (its only variable's, written as a list in the file init edits). */
interface MatrixEntry {
  variables: Map<string, readonly string[]>;
  list?: ExistingBuild['list'];
}

const isVariableName = (name: string): boolean => /^[A-Za-z_]\w*$/.test(name);

/** The entries of a job's own `parallel:matrix` key in `file` (each entry a mapping). */
function matrixEntries(file: SourceFile, jobName: string): MatrixEntry[] {
  const job = file.root?.items.find((p) => keyOf(p) === jobName)?.value;
  const parallel = isMap(job) ? job.get('parallel', true) : undefined;
  const matrix = isMap(parallel) ? parallel.get('matrix', true) : undefined;
  if (!isSeq(matrix)) return [];
  return matrix.items.filter(isMap).map((entry) => {
    const nodes = new Map<string, YAMLSeq | Scalar>();
    for (const pair of entry.items) {
      const name = keyOf(pair);
      if (name !== undefined && isVariableName(name) && (isSeq(pair.value) || isScalar(pair.value))) nodes.set(name, pair.value);
    }
    const variables = new Map(
      [...nodes].map(([name, node]) => [
        name,
        isSeq(node) ? node.items.map((item) => (isScalar(item) ? scalarText(item.value) : '')) : [scalarText(node.value)],
      ]),
    );
    const [only] = nodes;
    return { variables, ...(nodes.size === 1 && only && isSeq(only[1]) ? { list: { node: only[1], variable: only[0] } } : {}) };
  });
}

/** The entries of a matrix read elsewhere (OtherBuild's): no list init could extend. */
const givenEntries = (matrix: NonNullable<OtherBuild['matrix']>): MatrixEntry[] =>
  matrix.map((entry) => ({ variables: new Map(Object.entries(entry).filter(([name]) => isVariableName(name))) }));

/** The directories a context like `services/$IMAGE_DIR` names under each of a job's matrix entries. */
function expandContext(context: string, entries: readonly MatrixEntry[]): { context: string; entry?: ExistingBuild['list'] }[] {
  const expanded: { context: string; entry?: ExistingBuild['list'] }[] = [];
  for (const { variables, list } of entries) {
    const used = [...variables].filter(([name]) => new RegExp(String.raw`\$(?:${name}\b|\{${name}\})`).test(context));
    // One variable in the context, alone in its entry: a directory added to its list is one more build.
    const joinable = used.length === 1 ? list : undefined;
    let contexts = [context];
    for (const [name, values] of used) {
      const pattern = new RegExp(String.raw`\$(?:${name}\b|\{${name}\})`, 'g');
      contexts = contexts.flatMap((c) => values.map((value) => c.replace(pattern, () => value)));
    }
    if (used.length > 0) expanded.push(...contexts.map((c) => ({ context: c, ...(joinable ? { entry: joinable } : {}) })));
  }
  return expanded;
}

/**
 * What the file builds, its jobs and the images they push; with `others`, what the Kaniko and
 * Docker-daemon jobs of the pipeline build, each over its `parallel:matrix` as migrate read it.
 */
function existing(file: SourceFile, others: readonly OtherBuild[] = []): Existing {
  const have: Existing = { jobs: new Set(), builds: new Map(), templates: new Map(), images: new Map() };
  for (const item of file.root?.items ?? []) {
    const key = keyOf(item);
    if (key !== undefined && !GLOBAL_KEYWORDS.has(key)) have.jobs.add(key);
  }
  for (const entry of includesOf(file)) {
    if (entry.kind !== 'component') continue;
    const inputs = entry.inputs ?? {};
    // Only a cigen build component builds context/Dockerfile (by default ./Dockerfile, as build-image);
    // another component (sast, cigen's doctor) builds nothing, and its job name is its own.
    if (!buildsImage(entry.target)) {
      if (inputs['job-name'] !== undefined) have.jobs.add(scalarText(inputs['job-name']));
      continue;
    }
    const jobName = scalarText(inputs['job-name'] ?? 'build-image');
    addBuild(have, matrixEntries(file, jobName), { jobName, file: file.path }, inputs);
  }
  // A Kaniko or Docker-daemon job builds what the component migrate would move it onto builds, once
  // per value of its matrix, as migrate reads it (in the file that defines it, through extends,
  // merge keys and !reference).
  for (const other of others) addBuild(have, givenEntries(other.matrix), { jobName: other.jobName, file: other.file }, other.inputs, true);
  return have;
}

/** A build component's job (or what another job builds, read as one): its directories, Dockerfile and
 *  images, one per value of its `matrix` entries. */
function addBuild(
  have: Existing,
  matrix: readonly MatrixEntry[],
  by: Pusher,
  inputs: Readonly<Record<string, unknown>>,
  other = false,
): void {
  const { jobName } = by;
  // A directory a component builds is named by that component's job.
  const set = (key: string) =>
    void (other && have.builds.has(key) ? undefined : have.builds.set(key, { jobName, ...(other ? { other } : {}) }));
  have.jobs.add(jobName);
  const context = scalarText(inputs['context'] ?? '.');
  set(buildKey(context, inputs['dockerfile']));
  const image = scalarText(inputs['image'] ?? '$CI_REGISTRY_IMAGE');
  const push = (pushed: string) => void (have.images.has(pushed) ? undefined : have.images.set(pushed, by));
  push(image);
  for (const one of expandContext(image, matrix)) push(one.context);
  // A matrix job builds one directory per value: each is a build the file has.
  for (const one of expandContext(context, matrix)) {
    set(buildKey(one.context, inputs['dockerfile']));
    // Only a component's matrix list takes new directories: another job's is its own.
    if (one.entry && !other) {
      const shape = matrixShape(context, one.entry.variable);
      if (shape !== undefined) have.templates.set(buildKey(shape, inputs['dockerfile']), { jobName, list: one.entry });
    }
  }
}

/**
 * A matrix job's context as the shape of the one init proposes for sibling directories
 * (`services/$IMAGE_DIR`): its parent directory, then its one matrix variable alone in the last path
 * segment, written `$V` or `${V}` (`services/$SVC`, as migrate writes it, or `services/${IMAGE_DIR}`).
 * Undefined for any other: a directory added to that list would not be a sibling's (`services/$SVC-app`).
 */
function matrixShape(context: string, variable: string): string | undefined {
  const segments = normalContext(context).split('/');
  const last = segments.pop();
  const uses = new RegExp(String.raw`\$(?:${variable}\b|\{${variable}\})`);
  if ((last !== `$${variable}` && last !== `\${${variable}}`) || segments.some((segment) => uses.test(segment))) return undefined;
  return [...segments, `$${MATRIX_VARIABLE}`].join('/');
}

/** The project's files, root-relative and sorted by path, for wildcard `local:` includes. */
export type ProjectFiles = () => readonly string[];

/**
 * The pipeline's local includes, read through `read` as the shared walk reads them (include by
 * include, every file once, a wildcard as each project file it names): `files` in the order read,
 * `read` each path the walk came to (undefined: a variable, not there, or not valid YAML; a path it
 * never came to, past its cap, is absent).
 */
interface IncludesRead {
  files: SourceFile[];
  read: Map<string, SourceFile | undefined>;
  /** The includes whose path holds a variable (Scaffold's `unread`). */
  variables: Scaffold['unread'];
  /** The includes GitLab refuses for their name (Scaffold's `notYaml`). */
  notYaml: Scaffold['notYaml'];
  /** The files whose includes the walk's cap left unread (Scaffold's `capped`). */
  capped: Scaffold['capped'];
}

function readIncludes(file: SourceFile, read: ReadIncluded, files: ProjectFiles | undefined): IncludesRead {
  const found = new Map<string, SourceFile | undefined>();
  const variables: IncludesRead['variables'] = [];
  const notYaml: IncludesRead['notYaml'] = [];
  const walk = readLocalIncludes(file, file.path, {
    includes: localIncludeTargets,
    ...(files ? { files } : {}),
    read: ({ path, written, from, pattern }) => {
      if (pattern && hasVariableReference(written)) variables.push({ include: written, from: from.path });
      // Read as migrate reads it: a file GitLab refuses to include defines none of the pipeline's jobs.
      const refused = !pattern && refusedAsNotYaml(path);
      if (refused) notYaml.push({ include: written, from: from.path });
      const included = pattern || refused ? undefined : read(path);
      found.set(path, included);
      return included;
    },
  });
  return { files: walk.files, read: found, variables, notYaml, capped: walk.capped.map(({ path }) => ({ path })) };
}

/** A local include, parsed (undefined: not there, or not valid YAML), read as GitLab reads it. */
type ReadIncluded = (path: string) => SourceFile | undefined;

const parsedIncludes = (readProjectFile: (path: string) => string | undefined): ReadIncluded => {
  const parsed = new Map<string, SourceFile | undefined>();
  return (path) => {
    if (!parsed.has(path)) {
      const text = readProjectFile(path);
      let file: SourceFile | undefined;
      try {
        file = text === undefined ? undefined : lastKeysOnly(readSource(path, text));
      } catch {
        file = undefined;
      }
      parsed.set(path, file);
    }
    return parsed.get(path);
  };
};

/** A file's own `stages:` as GitLab reads it (an alias followed, nested lists flattened), or
 *  undefined when it has none. */
function ownStages(file: SourceFile): string[] | undefined {
  const pair = file.root?.items.find((p) => keyOf(p) === 'stages');
  if (!pair) return undefined;
  const value = (pair.value as { toJS?: (doc: unknown) => unknown } | null)?.toJS?.(file.doc);
  return Array.isArray(value) ? value.flat(10).map((stage) => scalarText(stage)) : [];
}

/** Whether a file's own `stages:` is a `!reference` (resolved by GitLab after the merge; init does not follow it). */
function referencedStages(file: SourceFile): boolean {
  const value = file.root?.items.find((p) => keyOf(p) === 'stages')?.value;
  return isSeq(value) && value.tag === '!reference';
}

/**
 * The `stages:` GitLab reads from a file's includes: `list`, that of `from`; `none`, no include
 * declares one; `unread`, one may come from the includes named there, which init cannot read
 * (another project's, a remote, a template, a component, a local file not there or not valid YAML, a
 * variable, one past the walk's cap, a `stages: !reference`).
 */
type IncludedStages = { kind: 'none' } | { kind: 'list'; stages: string[]; from: string } | { kind: 'unread'; includes: string[] };

/**
 * As GitLab merges includes (External::Processor: each included file deep-merged over the ones
 * before it, then the file's own keys over them all, a list replaced whole; an included file
 * expanded the same way first): the last include that declares `stages:` gives them, a file's own
 * over its includes'. An include init cannot read may declare them: then, unless a later one
 * declares them, init cannot tell. A component of the catalog init includes from declares none
 * (cigen's templates hold no `stages:`).
 */
function includedStages(file: SourceFile, context: StagesContext, chain: readonly string[]): IncludedStages {
  let found: IncludedStages = { kind: 'none' };
  const unread = (name: string) => {
    found = { kind: 'unread', includes: [...(found.kind === 'unread' ? found.includes : []), name] };
  };
  for (const entry of includesOf(file)) {
    if (entry.kind === 'invalid') continue;
    if (entry.kind !== 'local') {
      const ref = entry.kind === 'component' ? parseComponentRef(entry.target) : undefined;
      if (!(ref && `${ref.server}/${ref.project}` === context.catalog && findComponent(ref.name))) unread(`${entry.kind}: ${entry.target}`);
      continue;
    }
    for (const target of localIncludePaths(entry, context.files)) {
      const path = includePath(target);
      // GitLab follows a file that includes itself until its include limit refuses the pipeline;
      // a file it refuses to include for its name gives no stages (init warns of it).
      if (chain.includes(path) || refusedAsNotYaml(path)) continue;
      const included = context.read.get(path);
      const stages = included ? stagesOf(included, path, context, [...chain, path]) : undefined;
      if (stages === undefined) unread(`local: ${path}`);
      else if (stages.kind !== 'none') found = stages;
    }
  }
  return found;
}

/** The stages an included file gives (its own, else its includes'), once per file. */
function stagesOf(file: SourceFile, path: string, context: StagesContext, chain: readonly string[]): IncludedStages {
  let stages = context.given.get(path);
  if (stages === undefined) {
    const own = ownStages(file);
    stages = referencedStages(file)
      ? { kind: 'unread', includes: [`${path}'s \`stages: !reference\``] }
      : own !== undefined
        ? { kind: 'list', stages: own, from: path }
        : includedStages(file, context, chain);
    context.given.set(path, stages);
  }
  return stages;
}

/** What the stages are read with: the includes the walk read (by path), the project's files for
 *  wildcards, the catalog (`server/path`) of the component init adds, and what each file gives. */
interface StagesContext {
  read: IncludesRead['read'];
  files: ProjectFiles | undefined;
  catalog: string | undefined;
  given: Map<string, IncludedStages>;
}

/** `stages` with `stage` before the first of them that is not `.pre`. */
function withStage(stages: readonly string[], stage: string): string[] {
  const at = stages.findIndex((s) => s !== '.pre');
  return at < 0 ? [...stages, stage] : [...stages.slice(0, at), stage, ...stages.slice(at)];
}

/**
 * What makes the stage the builds run in one of the pipeline's stages (GitLab refuses a job in a
 * stage it does not declare): added to the file's list, written or aliased; or, when the file has
 * no `stages:` and a local include's list lacks it, a `stages:` of the file's own (that list with
 * the stage), which GitLab reads instead of the include's. Nothing when no list lacks it; a note
 * only when the list is not the file's own, or init cannot tell.
 */
function stageEdit(file: SourceFile, context: StagesContext): { edit?: Edit; note?: StagesNote } {
  const pair = file.root?.items.find((p) => keyOf(p) === 'stages');
  if (pair) {
    const value = pair.value;
    if (referencedStages(file)) return { note: { kind: 'unchecked', why: '`stages:` is a `!reference`, which init does not follow' } };
    if (!isAlias(value)) {
      const edit = addToTopLevelList(file, 'stages', BUILD_STAGE, ['.pre']);
      if (edit || ownStages(file)?.includes(BUILD_STAGE)) return edit ? { edit } : {};
      return { note: { kind: 'missing', why: '`stages:` is not a list init can add to' } };
    }
    const list = aliasTarget(file.doc, value);
    if (!isSeq(list)) return { note: { kind: 'missing', why: `\`stages: *${value.source}\` names no list` } };
    if (ownStages(file)?.includes(BUILD_STAGE)) return {};
    // The list the anchor names is changed for every alias of it: only when stages: is the one.
    let aliases = 0;
    let holder: Pair | undefined;
    visit(file.doc, {
      Alias: (_key, node) => void (node.source === value.source ? aliases++ : undefined),
      Pair: (_key, node) => void (node.value === list ? (holder = node) : undefined),
    });
    if (aliases > 1)
      return {
        note: { kind: 'missing', why: `\`stages: *${value.source}\` reads a list other keys alias too, which init does not change` },
      };
    const edit =
      list.tag === '!reference' ? undefined : addToList(file, list, holder && isPair(holder) ? holder : undefined, BUILD_STAGE, ['.pre']);
    if (!edit) return { note: { kind: 'missing', why: `init cannot add to the list anchored \`&${value.source}\`` } };
    return { edit, note: { kind: 'anchor', anchor: value.source } };
  }
  const included = includedStages(file, context, [file.path]);
  if (included.kind === 'unread') {
    const names = included.includes.join(', ');
    return { note: { kind: 'unchecked', why: `\`stages:\` may come from ${names}, which init cannot read`, includes: included.includes } };
  }
  if (included.kind === 'none' || included.stages.includes(BUILD_STAGE)) return {};
  const stages = withStage(included.stages, BUILD_STAGE);
  // After the `include:` the list came through (the file has one: the list came from there), its new entries first.
  const include = file.root?.items.find((p) => keyOf(p) === 'include');
  const at = include ? pairRange(file.text, include)[1] : topKeyOffset(file);
  const gap = at > 0 && file.text[at - 1] !== '\n' ? '\n\n' : at > 0 ? '\n' : '';
  const comment =
    `# The stages of ${included.from}, with ${BUILD_STAGE} for the image builds (cigen init): ` + 'GitLab reads this list instead.\n';
  return {
    edit: { start: at, end: at, text: `${gap}${comment}${renderBlock({ stages })}${include ? '' : '\n'}` },
    note: { kind: 'written', from: included.from, stages },
  };
}

/** The catalog the pipeline (the file, then its local includes) includes cigen's components
 *  from already, if any: where init takes the component from when no --component-ref says. */
export function catalogIncluded(
  path: string,
  current: string | undefined,
  readProjectFile: (path: string) => string | undefined = () => undefined,
  files?: ProjectFiles,
): IncludedCatalog | undefined {
  if (current === undefined || current.trim() === '') return undefined;
  const file = lastKeysOnly(readSource(path, current));
  return includedCatalog([file, ...readIncludes(file, parsedIncludes(readProjectFile), files).files]);
}

/** The Dockerfiles a proposal builds, as paths of the project (`app/Dockerfile`), one per directory. */
const dockerfilesOf = (build: BuildProposal): string[] =>
  (build.matrix ? build.matrix.values.map((value) => build.context.replace(`$${MATRIX_VARIABLE}`, () => value)) : [build.context]).map(
    (context) => (context === '.' ? build.dockerfile : `${context}/${build.dockerfile}`),
  );

/** The directories a proposal builds, each as its `context` input would name it. */
const contextsOf = (build: BuildProposal): string[] => {
  const input = contextInput(build);
  return build.matrix ? build.matrix.values.map((value) => input.replace(`$${MATRIX_VARIABLE}`, () => value)) : [input];
};

/** The edit that appends `values` to a matrix value list, in the list's own style. */
function appendToList(text: string, list: YAMLSeq, values: readonly string[]): Edit | undefined {
  const items = list.items as Node[];
  const last = items.at(-1);
  const rendered = values.map((value) => renderBlock([value]).replace(/^\[|\]\n$/g, ''));
  if (list.flow) {
    if (last?.range) return { start: last.range[1], end: last.range[1], text: rendered.map((r) => `, ${r}`).join('') };
    const open = text.indexOf('[', list.range?.[0] ?? 0);
    return open < 0 ? undefined : { start: open + 1, end: open + 1, text: rendered.join(', ') };
  }
  if (!last?.range) return undefined;
  const dash = text.lastIndexOf('-', last.range[0]);
  const at = lineEnd(text, last.range[1] > 0 ? last.range[1] - 1 : 0);
  const gap = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  return { start: at, end: at, text: gap + rendered.map((r) => `${' '.repeat(columnOf(text, dash))}- ${r}\n`).join('') };
}

function matrixJob(build: BuildProposal): string {
  const matrix = build.matrix as NonNullable<BuildProposal['matrix']>;
  return renderBlock({ [build.jobName]: { parallel: { matrix: [{ [matrix.variable]: matrix.values }] } } });
}

/** The stage the component's jobs run in when init passes none (its `stage` input's default). */
const BUILD_STAGE = 'build';

const HEADER = (builder: string) =>
  `# Container images, built by the ${builder} component of the cigen catalog (written by \`cigen init\`).\n`;

export function scaffold(
  path: string,
  current: string | undefined,
  builds: readonly BuildProposal[],
  component: string,
  imageBase = '$CI_REGISTRY_IMAGE',
  readProjectFile: (path: string) => string | undefined = () => undefined,
  files?: ProjectFiles,
  others: readonly OtherBuild[] = [],
): Scaffold {
  const builder = posix.basename(component.split('@')[0] ?? component);
  const written = current === undefined || current.trim() === '' ? undefined : readSource(path, current);
  // Read and edited as GitLab reads it: a key written twice counts once, the last.
  const file = written && lastKeysOnly(written);
  const source = file?.text ?? current ?? '';
  const have = file
    ? existing(file, others)
    : {
        jobs: new Set<string>(),
        builds: new Map<string, ExistingBuild>(),
        templates: new Map<string, ExistingBuild>(),
        images: new Map<string, Pusher>(),
      };
  // Jobs, builds and images of the local includes count as the file's own (GitLab merges them into
  // the file, so a job of the same name there would take the component's keys); the file's matrix
  // lists stay the only ones init extends: it edits this file only.
  const walk = file ? readIncludes(file, parsedIncludes(readProjectFile), files) : undefined;
  for (const included of (walk?.files ?? []).map((one) => existing(one))) {
    for (const job of included.jobs) have.jobs.add(job);
    for (const [key, build] of included.builds) if (!have.builds.has(key)) have.builds.set(key, { jobName: build.jobName });
    for (const [image, by] of included.images) if (!have.images.has(image)) have.images.set(image, by);
  }
  const present = new Set<string>();
  const builtByOthers = new Map<string, string[]>();
  const renamed: [string, string][] = [];
  const added: BuildProposal[] = [];
  const extended: Scaffold['extended'] = [];
  const imageTaken: Scaffold['imageTaken'] = [];
  const listEdits: Edit[] = [];
  for (const proposal of builds) {
    const contexts = contextsOf(proposal);
    const built = contexts.map((context) => have.builds.get(buildKey(context, proposal.dockerfile)));
    for (const b of built) if (b) present.add(b.jobName);
    dockerfilesOf(proposal).forEach((dockerfile, i) => {
      const b = built[i];
      if (b?.other) builtByOthers.set(b.jobName, [...(builtByOthers.get(b.jobName) ?? []), dockerfile]);
    });
    let build = proposal;
    if (built.some((b) => b !== undefined)) {
      if (!proposal.matrix || built.every((b) => b !== undefined)) continue;
      // A matrix some of whose directories are built: the rest join the matrix job of this
      // context when the file has one, else become a matrix job of their own.
      const missing = proposal.matrix.values.filter((_, i) => built[i] === undefined);
      const same = have.templates.get(buildKey(contextInput(proposal), proposal.dockerfile));
      const edit = same?.list && file !== undefined ? appendToList(source, same.list.node, missing) : undefined;
      if (same && edit) {
        listEdits.push(edit);
        extended.push({ jobName: same.jobName, values: missing });
        continue;
      }
      build = { ...proposal, matrix: { ...proposal.matrix, values: missing } };
    }
    // A job of that name exists, or a build that pushes one of its images (from another directory): the next number.
    const base = build;
    const clashes = (b: BuildProposal) => have.jobs.has(b.jobName) || imagesOf(b).some((image) => have.images.has(image));
    for (let n = 2; clashes(build); n++) build = numbered(base, n, imageBase);
    if (build.jobName !== base.jobName) renamed.push([base.jobName, build.jobName]);
    const taken = imagesOf(base).flatMap((image) => {
      const by = have.images.get(image);
      return by ? [{ image, by }] : [];
    });
    if (build.jobName !== base.jobName && taken.length > 0) imageTaken.push({ jobName: build.jobName, images: taken });
    have.jobs.add(build.jobName);
    for (const image of imagesOf(build)) have.images.set(image, { jobName: build.jobName, file: path });
    added.push(build);
  }
  const result = {
    added,
    present: [...present],
    builtByOthers: [...builtByOthers].map(([jobName, dockerfiles]) => ({ jobName, dockerfiles })),
    renamed,
    extended,
    imageTaken,
    written,
    unread: walk?.variables ?? [],
    notYaml: walk?.notYaml ?? [],
    capped: walk?.capped ?? [],
  };
  const entries: ComponentInclude[] = added.map((b) => includeEntry(component, b));
  const matrices = added.filter((b) => b.matrix).map((b) => matrixJob(b));
  if (added.length === 0 && listEdits.length === 0) return { text: current ?? '', changed: false, ...result };
  // A file that is empty (or only blank lines) is written as a new one.
  if (current === undefined || file === undefined) {
    const text = `${HEADER(builder)}include:\n${renderEntries(entries).replace(/^(?=.)/gm, '  ')}${matrices.map((m) => `\n${m}`).join('')}`;
    return { text, changed: true, ...result };
  }
  const edits: Edit[] = [...listEdits];
  let stages: StagesNote | undefined;
  if (added.length > 0) {
    // A pipeline that declares its stages must declare the one the builds run in (GitLab refuses a
    // job in an undefined stage).
    const ref = parseComponentRef(component);
    const stage = stageEdit(file, {
      read: walk?.read ?? new Map<string, SourceFile | undefined>(),
      files,
      catalog: ref && `${ref.server}/${ref.project}`,
      given: new Map(),
    });
    stages = stage.note;
    // Refused for a file whose top level is a flow mapping, which the block YAML below (the stages
    // and matrix jobs too) cannot go into.
    edits.push(addIncludeEntries(file, entries), ...(stage.edit ? [stage.edit] : []));
  }
  if (matrices.length > 0) {
    const end = contentEnd(source);
    const before = source.slice(0, end);
    const gap = before.endsWith('\n\n') || before === '' ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    edits.push({ start: end, end, text: gap + matrices.join('\n') });
  }
  const text = applyEdits(source, edits);
  // The text is init's own: one that does not parse is a defect of init, not of the user's file.
  try {
    readSource(path, text);
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    throw new Error(`init's edit of ${path} does not parse (${error.line}:${error.column}: ${error.reason}); nothing was written`, {
      cause: error,
    });
  }
  return { text, changed: text !== current, ...result, ...(stages ? { stages } : {}) };
}
