/**
 * Moves Kaniko jobs onto the catalog, as pure text edits: onto the buildah component wherever the
 * translation is exact, onto kaniko-compat where the build is assembled when the job runs, and to
 * a person where neither can be right.
 *
 * Why the buildah edits are this small: GitLab merges a component's job into the local job of the
 * same name before it resolves `extends`, and the component's job sets image, script, stage and
 * `before_script: []`. So the local job keeps every key that still applies (rules, needs,
 * variables, extends, parallel, ...) and loses only its own image, script and before_script,
 * plus `<<:` merge keys that would bring them back (YAML merges those at parse time, where the
 * local job would win). Commands the Kaniko job ran before the build move to the local job's
 * before_script, which runs in the same shell as the component's script.
 */
import { posix } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { VOCABULARY_ORDER } from '../builders/inputs.js';
import { SKIPS_UNUSED_STAGES_BY_DEFAULT } from '../builders/kaniko-flags.js';
import { resolveInputs, type InputSpecs } from '../ci/interpolation/inputs.js';
import { buildsImage, findComponent } from '../catalog/registry.js';
import type { ComponentDefinition } from '../catalog/component.js';
import { componentHeader } from '../catalog/document.js';
import { KANIKO_COMPAT, KANIKO_COMPAT_JOB } from '../catalog/kaniko-compat.js';
import { checkBuildInputValues } from '../catalog/values.js';
import {
  basesOf,
  effectiveSource,
  extendsJob,
  extendsOf,
  holderOf,
  inheritedSource,
  keysThrough,
  isBlockJob,
  resolveAlias,
  sourceOf,
  valueOf,
  variableAlternativesOf,
  variablesOf,
  type JobDefinition,
  type KeySource,
  type Pipeline,
} from './pipeline.js';
import { includesOf } from '../ci/splice.js';
import { doubleQuotedScalar, scalarText } from '../ci/yaml.js';
import { itemsOf, kanikoClassifier, type Classifier, type DockerLogin, type ScriptItem, type Unreadable } from './scripts.js';
import { buildArguments, classifyDocker, translateDockerBuild } from './docker.js';
import { argv, commandItself, commandLine, programIndex, programOf, programsOf, type Command } from './shell.js';
import {
  projectRelative,
  shellComputedReasons,
  translateExecutor,
  unbrace,
  type Inputs,
  type TranslateContext,
  type Translation,
} from './kaniko.js';
import { note, reason, type Note, type Reason } from './notes.js';
import { builderImageFor, credentialInputs, imageHost, missingCredentials, readCredentials, type BuilderImageMap } from './registries.js';
import { extendedByReasons, sharedKeyReasons } from './dependents.js';
import { compatEdits, needingCompat, onCompat } from './compat.js';
import { retagOf, type Retag } from './retag.js';
import { readKanikoWrite, writesTo } from './auth.js';
import { escapeRegExp } from '../ci/regexp.js';
import {
  columnOf,
  commentsWithin,
  itemText,
  keyOf,
  lineEnd,
  pairRange,
  reindent,
  indentUnit,
  type Comment,
  type Edit,
  type SourceFile,
} from '../ci/source.js';

export type JobStatus = 'migrated' | 'needs-review' | 'unchanged';

export interface JobReport {
  name: string;
  file: string;
  status: JobStatus;
  /** The component the job moves to (migrated and needs-review): buildah, or kaniko-compat. */
  component?: string;
  /** The translated inputs (for needs-review: what cigen would pass once the reasons are settled). */
  inputs?: Inputs;
  /** needs-review: why; otherwise what was dropped or changed and why that is safe. */
  notes: string[];
  /** The kind of each note, in order (src/migrate/notes.ts). */
  kinds: string[];
  /** What the job built with before (migrated and needs-review). */
  from?: 'kaniko' | 'docker';
  /** A migrated Docker daemon build: why the way it built was unsafe (privileged dind, docker.sock). */
  finding?: string;
  /** The job re-tags an image, which the promote component does without building (src/migrate/retag.ts). */
  promote?: Retag;
  /** A Kaniko or Docker-daemon job's: its `parallel: matrix:` as GitLab runs it (pipeline.ts's matrixOf,
   *  through merge keys, extends and `!reference`), each entry's variables with their values. */
  matrix?: Record<string, string[]>[];
}

export interface JobPlan {
  report: JobReport;
  edits: Edit[];
  /** The `include:` entry to add, as data. */
  include?: { component: string; inputs: Inputs };
  /** kaniko-compat: the templates that must be converted with it (its image comes from them). */
  templates?: string[];
  /** kaniko-compat: why the buildah component could not take the job. */
  compat?: string[];
}

export interface EngineContext {
  pipeline: Pipeline;
  componentRef: string;
  compatRef: string;
  /** The hidden job kaniko-compat defines (its include's job-name, when the pipeline has one). */
  compatJob: string;
  builderImages: BuilderImageMap | undefined;
  /** Jobs that already come from a component include (`inputs: job-name`). */
  onComponent: Map<string, string>;
  /** Whether the project holds a file (root-relative); absent when the host cannot tell. */
  projectFileExists?: (path: string) => boolean;
  /** A project file's text (root-relative), undefined when the host has none to give. */
  readProjectFile?: (path: string) => string | undefined;
  /** Aliases and `!reference`s of jobs' keys that the edits of the jobs moving in this run remove
   *  (their readers then read nothing of those keys): see migrateFile. */
  gone?: ReadonlySet<Node>;
}

const REPLACED_KEYS = new Set(['image', 'script', 'before_script']);
const DIRECTORY_CHANGES = new Set(['cd', 'pushd', 'popd']);
/** Kaniko and `docker build` keep HEALTHCHECK, SHELL and ONBUILD in every image they write;
 *  Buildah keeps them only in the Docker format (the component's default, OCI, drops them: OCI_DROPPED). */
const KEEPS_IMAGE_CONFIG: Inputs = { format: 'docker' };
const DIND_SERVICE = /(^|\/)docker:[^\s]*dind|(^|\/)dind(:|$)/;
const DOCKER_SOCKET = /\/var\/run\/docker\.sock/;
/** Programs both a Kaniko debug image (busybox) and the Buildah image (Fedora) have, and shell words. */
const PORTABLE = new Set(
  (
    'sh bash echo printf cat cp mv rm rmdir mkdir ls ln test [ [[ true false exit export set unset cd pwd sed awk grep egrep ' +
    'fgrep cut tr ' +
    'head tail sort uniq wc date base64 env printenv tee touch chmod chown find xargs basename dirname sleep expr read readlink ' +
    'realpath stat id whoami hostname uname tar gzip gunzip zcat sha256sum sha1sum md5sum seq mktemp du df od nproc timeout fold ' +
    'paste split tac curl : . source eval exec return shift local declare trap wait command type umask getopts let if then else ' +
    'elif fi for do done while until case esac in function { } ! ( ) break continue'
  ).split(' '),
);
/** A program the Buildah image runs as the Kaniko image did: a portable one, a script of the project, a
 *  name in a variable, or a function the job defines. */
function isPortable(program: string, functions: ReadonlySet<string>): boolean {
  if (PORTABLE.has(program) || functions.has(program) || program === '/kaniko/executor') return true;
  // A relative path with a slash (`./build.sh`, `ci/build.sh`) is a file of the working directory, not a program of the image.
  if (/^\$/.test(program) || /^[^/]+\//.test(program) || /^[A-Za-z_][A-Za-z0-9_]*\(\)$/.test(program)) return true;
  return program.startsWith('/') && !program.startsWith('/busybox/') && PORTABLE.has(program.slice(program.lastIndexOf('/') + 1));
}

/** Shell functions the job's lines define (`name() {`, `function name {`). */
const definedFunctions = (items: readonly ScriptItem[]): Set<string> =>
  new Set(
    items.flatMap((item) =>
      item.commands.flatMap((command) => {
        const [first, second] = argv(command);
        const match = /^([A-Za-z_][A-Za-z0-9_]*)\(\)/.exec(first ?? '');
        return match ? [match[1] as string] : first === 'function' && second ? [second.replace(/\(\)$/, '')] : [];
      }),
    ),
  );

/** The programs the items run (besides the build) that the Buildah image lacks, each once; with
 *  `read`, also the interpreters named on the first line of the project's scripts they run. */
function missingTools(items: readonly ScriptItem[], read?: (path: string) => string | undefined): Reason[] {
  const missing = new Map<string, string>();
  const functions = definedFunctions(items);
  for (const item of items)
    for (const { program, line } of item.reading.programs ?? [])
      if (!isPortable(program, functions) && !missing.has(program)) missing.set(program, line);
  const reasons = [...missing].map(([program, line]) => reason('missing-tool', missingToolMessage(program, line)));
  return read ? [...reasons, ...scriptInterpreters(items, read)] : reasons;
}

/** A script the job runs by its path, as a project file: `./ci/build.sh`, `ci/build.sh`,
 *  `$CI_PROJECT_DIR/ci/build.sh`; relative ones only while the job is still in the project
 *  directory. Undefined for anything else (a variable, a path outside the project). */
function projectScript(program: string, moved: boolean): string | undefined {
  const rooted = /^(?:\$CI_PROJECT_DIR|\$\{CI_PROJECT_DIR\})\/(.+)$/.exec(program);
  if (!rooted && (moved || program.startsWith('/') || !program.includes('/'))) return undefined;
  const path = posix.normalize(rooted ? (rooted[1] as string) : program);
  return /[$`\\]/.test(path) || path === '..' || path.startsWith('../') || path.startsWith('/') ? undefined : path;
}

/**
 * The interpreters the first line (`#!`) of each project script the job runs by its path names,
 * where the Buildah image lacks them (`#!/busybox/sh`, the Kaniko debug image's shell): the kernel
 * runs the script with that program, which is not there. A script run as `sh build.sh` is read by
 * sh whatever its first line says; one cigen cannot read is not judged.
 */
function scriptInterpreters(items: readonly ScriptItem[], read: (path: string) => string | undefined): Reason[] {
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  let moved = false;
  for (const item of items)
    for (const command of item.commands) {
      const program = programOf(command) ?? '';
      if (!command.subshell && DIRECTORY_CHANGES.has(program)) moved = true;
      const path = projectScript(program, moved);
      if (path === undefined || seen.has(path)) continue;
      seen.add(path);
      const first = /^#![ \t]*(\S+)(?:[ \t]+(\S+))?/.exec(read(path)?.split('\n', 1)[0] ?? '');
      if (!first) continue;
      const shebang = first[0].trimEnd();
      const interpreter = first[1] as string;
      // `#!/usr/bin/env sh`: env runs the program it names.
      const runs = interpreter.endsWith('/env') && first[2] && !first[2].startsWith('-') ? [interpreter, first[2]] : [interpreter];
      const lacking = runs.find((run) => !isPortable(run, new Set()));
      if (lacking === undefined) continue;
      const line = commandLine(command);
      const name = lacking.slice(lacking.lastIndexOf('/') + 1);
      reasons.push(
        reason(
          'missing-tool',
          lacking.startsWith('/busybox/')
            ? `\`${line}\` runs ${path}, whose first line \`${shebang}\` names ${lacking}, the Kaniko image's busybox, ` +
                'which the Buildah image does not have: ' +
                (PORTABLE.has(name) && lacking === interpreter
                  ? `make it \`${shebang.replace(lacking, name === 'env' ? '/usr/bin/env' : `/bin/${name}`)}\` there`
                  : 'run the script in another job')
            : `\`${line}\` runs ${path}, whose first line \`${shebang}\` names ${lacking}, which the Buildah image ` +
                '(Fedora: bash, coreutils, curl, dnf) does not have; install it there (dnf) or run the script in another job',
        ),
      );
    }
  return reasons;
}

/** Clients of a Docker daemon: installing them in the Buildah image would not help, the job has no daemon. */
const DAEMON_CLIENTS = new Set(['docker', 'docker-compose']);

/** Package managers of other distributions: the advice is dnf itself, not installing them with it. */
const OTHER_PACKAGE_MANAGERS = new Map([
  ['apk', 'Alpine'],
  ['apt', 'Debian'],
  ['apt-get', 'Debian'],
]);

function missingToolMessage(program: string, line: string): string {
  const name = program.slice(program.lastIndexOf('/') + 1);
  if (DAEMON_CLIENTS.has(name))
    return (
      `\`${line}\` runs ${program}, a client of a Docker daemon, and the buildah component's job has neither the client ` +
      'nor a daemon (it builds without one): run it in another job'
    );
  // The Kaniko debug image's own busybox: a path no package gives the Buildah image.
  if (program.startsWith('/busybox/'))
    return PORTABLE.has(name)
      ? `\`${line}\` runs ${program}, the Kaniko image's busybox, which the Buildah image does not have: call it ${name} there`
      : `\`${line}\` runs ${program}, the Kaniko image's busybox, which the Buildah image does not have: run it in another job`;
  const manager = OTHER_PACKAGE_MANAGERS.get(name);
  if (manager)
    return (
      `\`${line}\` runs ${program}, ${manager}'s package manager, which the Buildah image (Fedora) does not have: ` +
      'install the packages with `dnf install -y` there, under their Fedora names, or run it in another job'
    );
  return (
    `\`${line}\` runs ${program}, which the Buildah image (Fedora: bash, coreutils, curl, dnf) does not have; ` +
    'install it there (dnf) or run it in another job'
  );
}

/** The component reads context, Dockerfile and tarball relative to $CI_PROJECT_DIR: a directory
 *  change before the build (`cd frontend`, then `--context .`) would build something else. Only
 *  the job's own shell counts: a `cd` in `$(...)` or `( ... )` changes a subshell's directory. */
function directoryChange(items: readonly ScriptItem[], build: number): string | undefined {
  for (const item of items.slice(0, Math.max(build, 0)))
    for (const command of item.commands)
      if (!command.subshell && DIRECTORY_CHANGES.has(programOf(command) ?? ''))
        return (
          `\`${commandLine(command)}\` changes the directory the build runs in, and the buildah component ` +
          'reads context, Dockerfile and tarball relative to $CI_PROJECT_DIR'
        );
  return undefined;
}

/** Kaniko reads these from its environment. */
const KANIKO_ENVIRONMENT = ['KANIKO_REGISTRY_MIRROR', 'KANIKO_REGISTRY_MAP', 'KANIKO_NO_PUSH', 'KANIKO_DIR'];
const SETS_VARIABLES = new Set(['export', 'unset', 'readonly', 'declare', 'typeset', 'local']);

/**
 * Where the job gives Kaniko's environment variables a value (KANIKO_ENVIRONMENT), which the
 * component's inputs do not read: its variables, a rule's `variables:` or its `parallel: matrix:`,
 * or its shell before the build (`export KANIKO_NO_PUSH=true`, in a block too; an assignment
 * reaches the executor when the variable is exported already). kaniko-compat reads them when the
 * job runs. A subshell's assignments end with it.
 */
function kanikoEnvironment(env: TranslateContext, items: readonly ScriptItem[], build: number): Reason[] {
  const reasons: Reason[] = [];
  const because = (what: string) => reason('executor-environment', `${what}, which Kaniko reads from its environment`);
  const variables = KANIKO_ENVIRONMENT.filter((name) => env.variable(name) !== undefined);
  if (variables.length > 0) reasons.push(because(`the job sets ${variables.join(', ')}`));
  const alternatives = KANIKO_ENVIRONMENT.filter((name) => !variables.includes(name) && (env.alternatives?.(name) ?? []).length > 0);
  if (alternatives.length > 0)
    reasons.push(because(`rules: variables or parallel: matrix set ${alternatives.join(', ')} in some of the job's runs`));
  for (const setting of setBeforeBuild(items, build, KANIKO_ENVIRONMENT)) reasons.push(because(`${setting} before the build`));
  return reasons;
}

/** The commands of the job's shell that set or unset one of `names` before the build (in a block
 *  too), each said as `` `export A=1` sets A ``: a bare assignment, or what `export` and its kin
 *  name; not `A=1 cmd`, which is cmd's only. A subshell's assignments end with it. */
function setBeforeBuild(items: readonly ScriptItem[], build: number, names: readonly string[]): string[] {
  const found: string[] = [];
  const before = build < 0 ? items : items.slice(0, build + 1);
  for (const item of before)
    for (const command of item.commands) {
      if (command === item.build) break;
      if (command.subshell) continue;
      const at = programIndex(command);
      const program = programOf(command);
      const words = argv(command);
      const named = program === undefined ? words.slice(0, at) : SETS_VARIABLES.has(program) ? words.slice(at + 1) : [];
      const set = names.filter((name) => named.some((word) => word === name || word.startsWith(`${name}=`)));
      if (set.length > 0) found.push(`\`${commandItself(command)}\` ${program === 'unset' ? 'unsets' : 'sets'} ${set.join(', ')}`);
    }
  return found;
}

export function sortInputs(inputs: Inputs): Inputs {
  const rank = (key: string) => (VOCABULARY_ORDER.includes(key) ? VOCABULARY_ORDER.indexOf(key) : VOCABULARY_ORDER.length);
  return Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

/** The component a job migrates onto. */
function buildahComponent(): ComponentDefinition {
  const buildah = findComponent('buildah');
  if (!buildah) throw new Error('the catalog has no buildah component');
  return buildah;
}

let buildahSpecs: InputSpecs | undefined;
function componentSpecs(): InputSpecs {
  buildahSpecs ??= componentHeader(buildahComponent()).spec.inputs as InputSpecs;
  return buildahSpecs;
}

/** The image reference as written, from `image: x` or `image: {name: x}`. */
function imageReference(value: unknown): string | undefined {
  const name = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Image name without tag or digest, from `image: x` or `image: {name: x}`. */
function imageName(value: unknown): string | undefined {
  const name = imageReference(value);
  if (name === undefined) return undefined;
  const withoutDigest = name.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** An image's name without tag or digest, a leading variable replaced by its value when the file gives one. */
function resolvedImageName(value: unknown, variable?: (name: string) => string | undefined): string {
  const name = imageName(value) ?? '';
  const resolved = variable ? name.replace(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/, (whole, v: string) => variable(v) ?? whole) : name;
  return imageName(resolved) ?? resolved;
}

export const isKanikoImage = (value: unknown, variable?: (name: string) => string | undefined): boolean => {
  const resolved = resolvedImageName(value, variable);
  // Kaniko's cache warmer (kaniko-project/warmer) builds nothing: its job is not a build.
  return /kaniko/i.test(resolved) && !/\/warmer(?:[:@]|$)/i.test(resolved);
};

/** The images a `services:` value names (a string each, or a mapping's name). */
const serviceNames = (services: unknown): string[] =>
  (Array.isArray(services) ? services : []).map((s) =>
    typeof s === 'string' ? s : s && typeof s === 'object' ? scalarText((s as { name?: unknown }).name ?? '') : '',
  );

/** The images of a job's services; what the job does not set itself it takes from `default:` or
 *  the top level (the old Docker template). */
const serviceNamesOf = (pipeline: Pipeline, job: JobDefinition): string[] =>
  serviceNames(valueOf(effectiveSource(pipeline, job, 'services')));

/** The job's variables and script as one text, for what they name (the host's docker.sock). */
const dockerJobText = (pipeline: Pipeline, job: JobDefinition): string =>
  JSON.stringify([
    [...variablesOf(pipeline, job)],
    valueOf(sourceOf(pipeline, job, 'script')),
    valueOf(effectiveSource(pipeline, job, 'before_script')),
  ]);

/** Security findings for jobs that build with the Docker daemon: privileged dind or the host's socket. */
function dockerFindings(pipeline: Pipeline, job: JobDefinition): string[] {
  const found: string[] = [];
  if (serviceNamesOf(pipeline, job).some((name) => DIND_SERVICE.test(name))) {
    found.push(
      'privileged Docker-in-Docker: the docker:dind service only runs privileged, ' +
        'which gives every job on that runner control of the host and its other jobs; the buildah component builds without privileges',
    );
  }
  const text = dockerJobText(pipeline, job);
  if (DOCKER_SOCKET.test(text)) {
    found.push(
      "the host's docker.sock: a job that can reach the Docker socket can start privileged containers and so controls the host; " +
        'the buildah component needs no daemon',
    );
  }
  const image = imageName(valueOf(effectiveSource(pipeline, job, 'image')));
  if (
    found.length === 0 &&
    image !== undefined &&
    /(^|\/)docker$/.test(image) &&
    /docker (?:(?:(?:image|builder|buildx) )?build|buildx b)\b/.test(text)
  ) {
    found.push(
      "docker build against a Docker daemon, which a runner provides as privileged Docker-in-Docker or by mounting the host's " +
        'docker.sock: either gives the job control of the host; the buildah component needs neither',
    );
  }
  return found;
}

/** Names of jobs that a build component include already defines (`inputs: job-name`), for
 *  idempotence. Another component (SAST, cigen's doctor) builds nothing: its job is not a build. */
export function componentJobNames(pipeline: Pipeline): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of pipeline.files) {
    for (const entry of includesOf(file)) {
      if (entry.kind !== 'component' || !buildsImage(entry.target)) continue;
      const jobName = entry.inputs?.['job-name'];
      names.set(typeof jobName === 'string' ? jobName : 'build-image', entry.target);
    }
  }
  return names;
}

/** The kaniko-compat include already in the pipeline, if any, and the hidden job it defines. */
export function compatInclude(pipeline: Pipeline): { target: string; job: string; file: string; builderImage?: string } | undefined {
  for (const file of pipeline.files) {
    for (const entry of includesOf(file)) {
      if (entry.kind !== 'component' || !new RegExp(`/${KANIKO_COMPAT}@`).test(entry.target)) continue;
      const jobName = entry.inputs?.['job-name'];
      const builderImage = entry.inputs?.['builder-image'];
      return {
        target: entry.target,
        job: typeof jobName === 'string' ? jobName : KANIKO_COMPAT_JOB,
        file: file.path,
        ...(typeof builderImage === 'string' ? { builderImage } : {}),
      };
    }
  }
  return undefined;
}

/** A job's variables (its own and its bases', then the pipeline's) as the file writes them, and
 *  the values its rules and parallel matrix give them in some pipelines. */
function variableLookup(pipeline: Pipeline, job: JobDefinition): TranslateContext {
  const values = variablesOf(pipeline, job);
  const alternatives = variableAlternativesOf(pipeline, job);
  return { variable: (name) => values.get(name), alternatives: (name) => alternatives.get(name) ?? [] };
}

/** What differs between the builds cigen migrates: how the build call translates, and words. */
interface BuildKind {
  id: 'kaniko' | 'docker';
  /** `Kaniko`, `docker build`: how messages name the build call. */
  call: string;
  translate(build: ScriptItem, items: readonly ScriptItem[], env: TranslateContext): Translation;
  /** Keys of the job that the component's job must not see (its own image, script, ...). */
  replaced: ReadonlySet<string>;
}

const KANIKO: BuildKind = {
  id: 'kaniko',
  call: 'the /kaniko/executor call',
  translate: (build, _items, env) => {
    const command = build.build as Command;
    return translateExecutor(command.words.slice(programIndex(command) + 1), env);
  },
  replaced: REPLACED_KEYS,
};

const DOCKER: BuildKind = {
  id: 'docker',
  call: 'docker build',
  translate: (build, items, env) => {
    const command = build.build as Command;
    const translation = translateDockerBuild(
      buildArguments(command) ?? [],
      items.flatMap((item) => item.pushes),
      env,
      items.flatMap((item) => item.reading.pulls ?? []),
    );
    // As for Kaniko: a tag, build arg or label the shell computes is no input.
    const pushReasons = items
      .flatMap((item) => item.reading.pushReviews ?? [])
      .map((text) => ({ ...reason('docker-review', text), compat: false }));
    return {
      ...translation,
      reasons: [...shellComputedReasons(command.words.slice(programIndex(command) + 1)), ...translation.reasons, ...pushReasons],
    };
  },
  replaced: new Set([...REPLACED_KEYS, 'services']),
};

interface Analysis {
  inputs: Inputs;
  notes: Note[];
  reasons: Reason[];
  extras: ScriptItem[];
  /** The Buildah image the runner must pull, when the Kaniko image came from a mirror. */
  builderImage?: string;
}

/** The default before_script, when the job runs it: it writes none (nor a base) and inherits `default:`'s. */
const defaultBeforeScriptOf = (pipeline: Pipeline, job: JobDefinition): KeySource | undefined =>
  sourceOf(pipeline, job, 'before_script') ? undefined : effectiveSource(pipeline, job, 'before_script');

/** The job's items: before_script (its own, a base's, or the default as it inherits it) and script. */
function readItems(
  pipeline: Pipeline,
  job: JobDefinition,
  classify: Classifier,
): { items: ScriptItem[]; fromDefault: boolean } | Unreadable {
  const own = sourceOf(pipeline, job, 'before_script');
  const fallback = defaultBeforeScriptOf(pipeline, job);
  const before = itemsOf(pipeline, own ?? fallback, 'before_script', classify);
  if (!Array.isArray(before)) return before;
  const script = itemsOf(pipeline, sourceOf(pipeline, job, 'script'), 'script', classify);
  if (!Array.isArray(script)) return script;
  return { items: [...before, ...script], fromDefault: fallback !== undefined && before.length > 0 };
}

function analyzeKaniko(ctx: EngineContext, job: JobDefinition, items: ScriptItem[], fromDefault: boolean): Analysis {
  const { pipeline } = ctx;
  const notes: Note[] = [];
  const reasons: Reason[] = [];
  const kanikoImage = resolvedImageName(valueOf(sourceOf(pipeline, job, 'image')), (name) => variablesOf(pipeline, job).get(name));
  const env: TranslateContext = {
    ...variableLookup(pipeline, job),
    ...(ctx.projectFileExists ? { projectFileExists: ctx.projectFileExists } : {}),
    writesFile: (path) => items.some((item) => item.commands.some((command) => writesTo(command, path))),
    ...(SKIPS_UNUSED_STAGES_BY_DEFAULT.test(kanikoImage) ? { skipsUnusedStages: true } : {}),
  };
  const at = items.findIndex((item) => item.kind === 'build');
  const builds = items.filter((item) => item.kind === 'build');
  const executor = items[at];
  const indirect = items.flatMap((item) => item.reading.indirect ?? []);
  if (builds.length === 0)
    reasons.push(
      reason(
        'no-executor-line',
        indirect.length > 0
          ? `no line calls /kaniko/executor by name; it may run through \`${indirect[0] ?? ''}\`, known only when the job runs`
          : 'no line calls /kaniko/executor by name (it may run in a script file)',
      ),
    );
  const count = builds.reduce((n, item) => n + item.reading.builds, 0);
  if (count > 1) reasons.push(reason('builds-several', `the job runs the executor ${count} times; the component builds one image per job`));
  if (executor?.mixed && count === 1)
    reasons.push(reason('executor-mixed', 'the executor shares one script item with other commands, which must keep running around it'));
  if (builds.some((item) => item.reading.nested))
    reasons.push(
      reason('executor-in-block', 'the executor runs inside an if, for or while block: whether and how often is decided when the job runs'),
    );
  if (builds.some((item) => item.reading.subshell))
    reasons.push(
      reason(
        'executor-in-block',
        'the executor runs in a subshell `( ... )`, in the directory and with the variables that subshell gives it',
      ),
    );
  const redirects = builds.flatMap((item) => item.reading.redirects ?? []);
  if (redirects.length > 0)
    reasons.push(
      reason(
        'executor-redirect',
        `the executor's input or output is redirected (${redirects.join(', ')}); the component's build writes to the job log`,
      ),
    );
  if (builds.some((item) => item.reading.environment))
    reasons.push(reason('executor-environment', 'the executor is given environment variables of its own on its command line'));
  reasons.push(...kanikoEnvironment(env, items, at));
  reasons.push(...missingTools(items, ctx.readProjectFile));
  // after_script runs in the Buildah image too (the component's job, or kaniko-compat's).
  reasons.push(...afterScriptTools(pipeline, job, ctx.readProjectFile));

  const moves = directoryChange(items, at);
  if (moves) reasons.push(reason('working-directory', moves));

  const inputs: Inputs = { 'job-name': job.name };
  const stage = valueOf(sourceOf(pipeline, job, 'stage'));
  const effectiveStage = typeof stage === 'string' ? stage : 'test';
  if (effectiveStage !== 'build') inputs['stage'] = effectiveStage;
  if (typeof stage !== 'string')
    notes.push(note('stage-default', "the job had no stage, so it ran in GitLab's default stage test; stage: test keeps it there"));

  let pushes: string[] = [];
  let kanikoReads: readonly string[] = [];
  if (executor?.build) {
    const translation = KANIKO.translate(executor, items, env);
    Object.assign(inputs, KEEPS_IMAGE_CONFIG, translation.inputs);
    notes.push(...translation.notes);
    reasons.push(...translation.reasons);
    pushes = translation.pushes;
    kanikoReads = translation.kanikoReads ?? [];
  }

  const dockerConfig = env.variable('DOCKER_CONFIG');
  const credentials = readCredentials(
    items.flatMap((item) => item.auth),
    dockerConfig !== undefined && !/^\/kaniko\/\.docker\/?$/.test(dockerConfig) ? dockerConfig : undefined,
    false,
    kanikoReads,
  );
  const flagCa = inputs['ca-certificates'];
  const bundleCa = credentials.inputs['ca-certificates'];
  // Two CAs, one from --registry-certificate and one added to Kaniko's bundle: the input takes one.
  if (typeof flagCa === 'string' && typeof bundleCa === 'string' && flagCa !== bundleCa)
    reasons.push(
      reason(
        'ca-several',
        `the job trusts ${flagCa} (--registry-certificate) and ${bundleCa} (added to Kaniko's bundle); ca-certificates takes one`,
      ),
    );
  Object.assign(inputs, credentials.inputs);
  notes.push(...credentials.notes);
  reasons.push(...credentials.reasons);
  if (pushes.length > 0) reasons.push(...missingCredentials(pushes, credentials, env));

  const image = imageName(valueOf(sourceOf(pipeline, job, 'image')));
  const builder = builderImageFor(image, env, ctx.builderImages);
  if (builder.reason) reasons.push(builder.reason);
  if (builder.note) notes.push(builder.note);
  if (builder.image) inputs['builder-image'] = builder.image;

  const extras = items.slice(0, Math.max(at, 0)).filter((item) => item.kind === 'other');
  // An item that moves to before_script whole but also writes Kaniko's files (`echo ... >
  // /kaniko/.docker/config.json` beside `export VERSION=...`): /kaniko is not in the Buildah image.
  for (const item of extras) {
    if (item.commands.some((command) => readKanikoWrite(command) !== undefined))
      reasons.push(
        reason(
          'kaniko-files',
          'an item that runs before the build writes under /kaniko/ beside other commands, and the Buildah image ' +
            'has no /kaniko: kaniko-compat runs the item as written',
        ),
      );
  }
  const after = at < 0 ? [] : items.slice(at + 1).filter((item) => item.kind === 'other');
  if (after.length > 0) {
    const first = after[0]?.commands[0] ? commandLine(after[0].commands[0]) : '';
    reasons.push(reason('commands-after', `commands run after the executor (\`${first}\`); the component's script ends with the build`));
  }
  if (fromDefault) {
    if (extras.some((item) => item.key === 'before_script'))
      reasons.push(
        reason(
          'executor-mixed',
          "the default before_script runs commands besides Kaniko's files, which must keep running before the build",
        ),
      );
    else
      notes.push(
        note(
          'default-before-script',
          "the default before_script (Kaniko's files only) no longer runs in this job: the component logs in itself",
        ),
      );
  } else if (defaultBeforeScriptOf(pipeline, job) && extras.length === 0)
    notes.push(
      note(
        'default-before-script',
        "the default before_script no longer runs in this job: the component's job sets its own (empty) before_script",
      ),
    );
  if (!isBlockJob(job)) reasons.push(reason('flow-style', 'the job is written in flow style ({...}); cigen edits block mappings only'));

  // What GitLab would refuse, or the job would refuse at run time: the translation is not exact.
  const given = sortInputs(inputs);
  if (reasons.length === 0)
    for (const error of [...resolveInputs(componentSpecs(), given).errors, ...checkBuildInputValues(given)])
      reasons.push(reason('inputs-refused', `the translated inputs do not fit the component: ${error}`));
  return {
    inputs: given,
    notes,
    reasons,
    extras: fromDefault ? extras.filter((item) => item.key === 'script') : extras,
    ...(builder.image ? { builderImage: builder.image } : {}),
  };
}

const LOOPS = new Set(['for', 'while', 'until', 'select']);
const BLOCK_OPENERS = new Set([...LOOPS, 'if', 'case']);

/** How the docker build line runs, beside its arguments: in a block, a subshell, with its input or
 *  output redirected, or with variables of its own (DOCKER_BUILDKIT only picks the daemon's builder). */
function dockerCallReviews(item: ScriptItem, notes: Note[]): string[] {
  const build = item.build as Command;
  const reviews: string[] = [];
  if (build.nested) {
    const at = item.commands.indexOf(build);
    const opener = item.commands
      .slice(0, at)
      .reverse()
      .find((c) => BLOCK_OPENERS.has(c.words[0]?.text ?? ''));
    const kind = LOOPS.has(opener?.words[0]?.text ?? '') ? 'a loop' : 'an if or case block';
    reviews.push(
      (opener ? `docker build runs inside ${kind} (\`${commandLine(opener)}\`)` : 'docker build runs inside a block, group or function') +
        ': whether and how often it runs is decided when the job runs; the component builds once, with the tags given to it',
    );
  }
  if (build.subshell)
    reviews.push('docker build runs in a subshell `( ... )`, in the directory and with the variables that subshell gives it');
  const redirects = build.redirects
    // `2>&1` duplicates a descriptor (the output still reaches the log); `2>&-` closes it.
    .filter(({ op, target }) => !(op.endsWith('&') && /^[0-9]+$/.test(target)))
    .map(({ op, target }) => (op.endsWith('&') && target === '-' ? 'a closed descriptor' : `${op} ${target}`));
  if (redirects.length > 0)
    reviews.push(
      `docker build's input or output is redirected (${redirects.join(', ')}); ` +
        "the component's build reads nothing from its input and writes to the job log",
    );
  const assignments = build.words
    .slice(0, programIndex(build))
    .map((w) => w.text)
    .filter((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  for (const assignment of assignments)
    if (assignment.startsWith('DOCKER_BUILDKIT='))
      notes.push(
        note(
          'docker-flag-dropped',
          `${assignment} dropped: it picks the Docker daemon's builder (BuildKit or the classic one); Buildah builds the Dockerfile itself`,
        ),
      );
    else
      reviews.push(`docker build is given ${assignment.split('=')[0] ?? ''} of its own on its command line; the component's build is not`);
  return reviews;
}

/** docker:stable, stable-git, test and edge: tags docker-library retired before the 23.0 CLI. */
const FROZEN_DOCKER_TAGS = /^(?:stable|stable-git|test|edge)$/;

/** The docker CLI a job runs, as far as its image (`docker:TAG`) tells: the image as written, and its tag. */
export interface DockerCli {
  image?: string;
  /** The tag of a `docker` image (`latest` when none is written), undefined for another image. */
  tag?: string;
  /** The version the tag names (`27`, `20.10.16`, `27-cli`): major and minor, when it names one. */
  major?: number;
  minor?: number;
}

function dockerCliOf(pipeline: Pipeline, job: JobDefinition): DockerCli {
  const image = imageReference(valueOf(effectiveSource(pipeline, job, 'image')));
  if (image === undefined || !/(?:^|\/)docker$/.test(imageName(image) ?? '')) return image === undefined ? {} : { image };
  const tag = /(?:^|\/)docker:([^@]+)/.exec(image)?.[1] ?? 'latest';
  const version = /^(\d+)(?:\.(\d+))?(?:[.-]|$)/.exec(tag);
  return {
    image,
    tag,
    ...(version ? { major: Number(version[1]), ...(version[2] !== undefined ? { minor: Number(version[2]) } : {}) } : {}),
  };
}

/** The docker CLI named, when it is one from before 23.0, or undefined. */
function cliBefore23(cli: DockerCli): string | undefined {
  if (cli.tag !== undefined && FROZEN_DOCKER_TAGS.test(cli.tag)) return `the docker CLI of image ${cli.image ?? ''}`;
  return cli.major !== undefined && cli.major < 23 ? `the docker ${cli.major} CLI (image ${cli.image ?? ''})` : undefined;
}

/** The version of the Docker daemon a dind service runs, as its tag tells: before or from 23.0, or unknown. */
function dindDaemonVersion(name: string, variable: (name: string) => string | undefined): 'before-23' | 'from-23' | 'unknown' {
  const resolved = name.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, v: string) => variable(v) ?? whole);
  const tag = /(?:^|\/)docker:([^@]+)/.exec(resolved)?.[1];
  if (tag === undefined || tag.includes('$')) return 'unknown';
  if (/^(?:stable|test|edge)-dind/.test(tag)) return 'before-23';
  if (/^dind(?:-rootless)?$/.test(tag)) return 'from-23';
  const major = /^(\d+)(?:[.-]|$)/.exec(tag)?.[1];
  return major === undefined ? 'unknown' : Number(major) < 23 ? 'before-23' : 'from-23';
}

/**
 * The builder docker build runs when DOCKER_BUILDKIT does not pick one: BuildKit from the 23.0
 * CLI on; a CLI before it (18.09 on) takes the builder the Docker daemon advertises (docker/cli
 * BuildKitEnabled reads /_ping's Builder-Version), which is BuildKit from dockerd 23.0 on (Linux)
 * and none before. So the daemon decides: the job's dind service, as its tag dates it, or one
 * the file does not date (the host's docker.sock, a daemon the runner provides) — `daemon`, with why.
 */
function defaultBuilder(pipeline: Pipeline, job: JobDefinition): { builder: 'classic' | 'buildkit' | 'daemon'; why: string } {
  const cli = dockerCliOf(pipeline, job);
  const old = cliBefore23(cli);
  if (old === undefined) return { builder: 'buildkit', why: 'BuildKit, the default since docker 23.0' };
  if (cli.major !== undefined && (cli.major < 18 || (cli.major === 18 && cli.minor !== undefined && cli.minor < 9)))
    return { builder: 'classic', why: `${old}, which has no BuildKit (it came with 18.09)` };
  const advertised = `${old} takes the builder the Docker daemon advertises (BuildKit from docker 23.0 on, the classic one before)`;
  const services = serviceNamesOf(pipeline, job).filter((name) => DIND_SERVICE.test(name));
  if (DOCKER_SOCKET.test(dockerJobText(pipeline, job)))
    return { builder: 'daemon', why: `${advertised}, and the job's daemon is the host's (docker.sock), which the file does not date` };
  if (services.length === 0)
    return { builder: 'daemon', why: `${advertised}, and the job starts no dind service: its daemon is one the file does not date` };
  const variables = variablesOf(pipeline, job);
  const versions = new Set(services.map((name) => dindDaemonVersion(name, (v) => variables.get(v))));
  const named = `the Docker daemon of service ${services.join(', ')}`;
  if (versions.size > 1 || versions.has('unknown'))
    return { builder: 'daemon', why: `${advertised}, and the tag of service ${services.join(', ')} does not date that daemon` };
  return versions.has('before-23')
    ? { builder: 'classic', why: `${old} and ${named}, both from before 23.0` }
    : { builder: 'buildkit', why: `BuildKit, which ${named} (23.0 or later) advertises to ${old}` };
}

/** A glob of `artifacts:paths` or `cache:paths` (relative to $CI_PROJECT_DIR) as a regular expression. */
const globPattern = (glob: string): RegExp => {
  const part = (text: string) =>
    text
      .split(/([*?])/)
      .map((piece) => (piece === '*' ? '[^/]*' : piece === '?' ? '[^/]' : escapeRegExp(piece)))
      .join('');
  return new RegExp(
    `^${glob
      .split(/\*\*\/?/)
      .map(part)
      .join('.*')}$`,
  );
};

/**
 * What keeps a file a job's build writes for later, or reads it after the build: a path of its
 * artifacts (reports too) or cache that is the file or a directory holding it, untracked files,
 * or its after_script naming the file. Conservative: a path or pattern holding a variable may be it.
 */
function keptBy(pipeline: Pipeline, job: JobDefinition, file: string): string | undefined {
  const relative = projectRelative(unbrace(file));
  const strings = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : []);
  const holds = (path: string): boolean => {
    if (relative === undefined) return false;
    const pattern = projectRelative(unbrace(path));
    if (pattern === undefined) return false;
    if (pattern.includes('$') || relative.includes('$') || pattern === '.') return true;
    const glob = globPattern(pattern);
    const parts = relative.split('/');
    return parts.some((_, i) => glob.test(parts.slice(0, i + 1).join('/')));
  };
  const caches = valueOf(effectiveSource(pipeline, job, 'cache'));
  const holders: [string, unknown][] = [
    ['artifacts', valueOf(effectiveSource(pipeline, job, 'artifacts'))],
    ...(Array.isArray(caches) ? caches : [caches]).map((cache): [string, unknown] => ['cache', cache]),
  ];
  for (const [what, value] of holders) {
    if (!value || typeof value !== 'object') continue;
    const record = value as Record<string, unknown>;
    if (record['untracked'] === true && relative !== undefined) return `its ${what} (untracked: true) keeps the file for later`;
    const reports = record['reports'] && typeof record['reports'] === 'object' ? Object.values(record['reports']) : [];
    const path = [...strings(record['paths']), ...strings(reports)].find(holds);
    if (path !== undefined) return `its ${what} (${path}) keeps the file for later`;
  }
  const base = file.slice(file.lastIndexOf('/') + 1);
  const after = JSON.stringify(valueOf(effectiveSource(pipeline, job, 'after_script')) ?? '');
  if (base !== '' && after.includes(base)) return 'its after_script names the file';
  return undefined;
}

/** Tags of docker-library's docker image that follow its latest release. */
const CURRENT_DOCKER_TAGS = /^(?:latest|cli|git|dind|dind-rootless|rootless)$/;

/** What `docker push REPO` (no tag) pushed: every tag of REPO with a docker CLI before 20.10
 *  (docker/cli#2220 changed it), REPO:latest since; unknown for a CLI the image does not date. */
function taglessPush(pipeline: Pipeline, job: JobDefinition): NonNullable<TranslateContext['taglessPush']> {
  const cli = dockerCliOf(pipeline, job);
  if (cli.tag !== undefined && /^(?:stable|stable-git)$/.test(cli.tag)) return 'all';
  if (cli.major !== undefined) return cli.major < 20 || (cli.major === 20 && cli.minor !== undefined && cli.minor < 10) ? 'all' : 'latest';
  if (cli.tag !== undefined && CURRENT_DOCKER_TAGS.test(cli.tag)) return 'latest';
  return { unknown: cli.image === undefined ? 'the job runs' : `image ${cli.image} runs` };
}

/** A DOCKER_BUILDKIT value docker build may see, and where it comes from. */
interface BuildkitSetting {
  value: string | undefined;
  where: string;
}

/**
 * What the job's shell does to DOCKER_BUILDKIT before docker build runs (`export DOCKER_BUILDKIT=0`,
 * a bare `DOCKER_BUILDKIT=0`, `unset`): the value docker build sees, `shell` for a value set but not
 * exported (docker build sees it only if a variable cigen cannot see exports it), `unknown` for one
 * set in a block, or undefined when the shell leaves it alone.
 */
function scriptBuildkit(
  commands: readonly Command[],
  exported: boolean,
): { kind: 'exported' | 'shell'; value: string | undefined; where: string } | { kind: 'unknown'; where: string } | undefined {
  let state: ReturnType<typeof scriptBuildkit>;
  let allExport = false;
  for (const command of commands) {
    if (command.subshell) continue;
    const words = argv(command);
    const at = programIndex(command);
    const program = words[at];
    const args = words.slice(at + 1);
    if (program === 'set' && args.some((a) => /^-[a-z]*a/.test(a) || a === 'allexport')) allExport = true;
    const assigned = words
      .slice(0, at)
      .filter((w) => w.startsWith('DOCKER_BUILDKIT='))
      .at(-1);
    const touched =
      (program === undefined && assigned !== undefined) ||
      ((program === 'export' || program === 'unset' || program === 'readonly') && args.some((a) => /^DOCKER_BUILDKIT(=|$)/.test(a)));
    if (!touched) continue;
    const where = `\`${commandLine(command)}\``;
    if (command.nested) {
      state = { kind: 'unknown', where };
      continue;
    }
    if (program === undefined && assigned !== undefined) {
      const value = assigned.slice('DOCKER_BUILDKIT='.length);
      const inEnvironment = allExport || exported || state?.kind === 'exported';
      state = { kind: inEnvironment ? 'exported' : 'shell', value, where };
    } else if (program === 'unset') state = { kind: 'exported', value: undefined, where };
    else {
      const given = args.filter((a) => a.startsWith('DOCKER_BUILDKIT=')).at(-1);
      if (given !== undefined) state = { kind: 'exported', value: given.slice('DOCKER_BUILDKIT='.length), where };
      else if (state?.kind === 'shell') state = { kind: 'exported', value: state.value, where };
    }
  }
  return state;
}

/**
 * Whether a docker build ran on the classic builder rather than BuildKit: `classic` says why, or
 * `review` why cigen cannot tell. DOCKER_BUILDKIT decides — on the build's line, else as the
 * job's shell left it before the build, else as the job's variables, its rules' `variables:` and
 * its `parallel: matrix:` give it — and without it the docker CLI's default (the classic builder
 * before 23.0). `docker buildx build` is BuildKit.
 */
function classicBuilder(
  pipeline: Pipeline,
  job: JobDefinition,
  items: readonly ScriptItem[],
  at: number,
): { classic?: string; review?: string } {
  const build = items[at]?.build as Command;
  const [program, sub] = build.words.slice(programIndex(build)).map((w) => w.text);
  if (program !== 'docker' || sub === 'buildx') return {};
  const byDefault = defaultBuilder(pipeline, job);
  const prefix = build.words
    .slice(0, programIndex(build))
    .map((w) => w.text)
    .findLast((w) => w.startsWith('DOCKER_BUILDKIT='));
  const variable = variablesOf(pipeline, job).get('DOCKER_BUILDKIT');
  const alternatives = variableAlternativesOf(pipeline, job).get('DOCKER_BUILDKIT') ?? [];
  const before = [
    ...items.slice(0, at).flatMap((item) => item.commands),
    ...(items[at]?.commands ?? []).slice(0, items[at]?.commands.indexOf(build)),
  ];
  const script = prefix === undefined ? scriptBuildkit(before, variable !== undefined || alternatives.length > 0) : undefined;
  const fromVariables: BuildkitSetting[] = [
    { value: variable, where: "the job's variables" },
    ...alternatives.map((value) => ({ value, where: 'rules: variables or parallel: matrix' })),
  ];
  let settings: BuildkitSetting[];
  if (prefix !== undefined) settings = [{ value: prefix.slice('DOCKER_BUILDKIT='.length), where: 'its line' }];
  else if (script?.kind === 'unknown')
    return {
      review:
        `DOCKER_BUILDKIT is set inside a block (${script.where}): ` +
        'whether the classic builder or BuildKit ran is decided when the job runs',
    };
  else if (script?.kind === 'exported') settings = [{ value: script.value, where: script.where }];
  // A value the shell does not export reaches docker build only if a CI/CD variable cigen cannot see already does.
  else if (script?.kind === 'shell')
    settings = [{ value: script.value, where: `${script.where}, if a CI/CD variable exports it` }, ...fromVariables];
  else settings = fromVariables;
  const verdicts = settings.map((setting) => {
    const value = setting.value ?? '';
    if (value.includes('$')) return { ...setting, builder: 'unknown' as const };
    if (value === '') return { ...setting, builder: byDefault.builder };
    return { ...setting, builder: /^(0|f|false)$/i.test(value) ? ('classic' as const) : ('buildkit' as const) };
  });
  const builderName = (v: (typeof verdicts)[number]) => (v.builder === 'classic' ? 'the classic builder' : 'BuildKit');
  const shown = (v: (typeof verdicts)[number]) =>
    v.value === undefined || v.value === ''
      ? `unset (${v.where}), so ${byDefault.builder === 'classic' ? `the classic builder, the default of ${byDefault.why}` : byDefault.why}`
      : `${v.value} (${v.where})${v.builder === 'unknown' ? '' : `, so ${builderName(v)}`}`;
  const unknown = verdicts.find((v) => v.builder === 'unknown');
  if (unknown)
    return {
      review:
        `DOCKER_BUILDKIT is ${shown(unknown)}, known only when the job runs: ` +
        'cigen cannot tell whether the classic builder or BuildKit ran',
    };
  const daemon = verdicts.find((v) => v.builder === 'daemon');
  if (daemon)
    return {
      review:
        `DOCKER_BUILDKIT is unset (${daemon.where}), so ${byDefault.why}: cigen cannot tell whether the classic builder, ` +
        'which built every stage up to the target, or BuildKit, which builds only the stages the target needs, ran',
    };
  const builders = new Set(verdicts.map((v) => v.builder));
  if (builders.size > 1)
    return {
      review:
        "DOCKER_BUILDKIT, which picks docker build's builder, takes several values in this job: " +
        `${[...new Set(verdicts.map(shown))].join('; ')}. The classic builder built every stage up to the target, ` +
        'BuildKit only the stages the target needs, and skip-unused-stages takes one value',
    };
  if (!builders.has('classic')) return {};
  const classic = verdicts.find((v) => v.builder === 'classic') as (typeof verdicts)[number];
  if ((classic.value ?? '') === '') return { classic: byDefault.why };
  return {
    classic: prefix !== undefined ? `DOCKER_BUILDKIT=${classic.value ?? ''}` : `DOCKER_BUILDKIT=${classic.value ?? ''} (${classic.where})`,
  };
}

/** Daemon flags that only set how the docker client reaches the daemon: without a daemon they have nothing to set. */
const DAEMON_CONNECTION = new Set(['tls', 'tlsverify', 'host', 'tlscacert', 'tlscert', 'tlskey']);
const HOST_PORT = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?$/;

/** The dind service's daemon flags (its `command:`): --insecure-registry and --registry-mirror as
 *  the component's inputs where they map exactly, the daemon's connection flags dropped, anything
 *  else for review (a push to a plain-HTTP registry fails without its flag). */
function daemonFlags(pipeline: Pipeline, job: JobDefinition, inputs: Inputs, notes: Note[]): string[] {
  const services = valueOf(effectiveSource(pipeline, job, 'services'));
  const reviews: string[] = [];
  const insecure: string[] = [];
  const mirrors: string[] = [];
  for (const service of Array.isArray(services) ? services : []) {
    if (!service || typeof service !== 'object') continue;
    const { name, command } = service as { name?: unknown; command?: unknown };
    if (command === undefined || command === null || !DIND_SERVICE.test(scalarText(name ?? ''))) continue;
    if (!Array.isArray(command)) {
      reviews.push(`the dind service's command (${scalarText(command)}) is not a list of words; cigen cannot read the daemon's flags`);
      continue;
    }
    const args = command.map((arg) => scalarText(arg));
    const shown = `the dind service's command [${args.join(', ')}]`;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as string;
      const flag = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
      const valued = flag?.[1] === 'insecure-registry' || flag?.[1] === 'registry-mirror';
      const value = valued ? (flag?.[2] ?? args[++i] ?? '') : '';
      if (flag?.[1] === 'insecure-registry' && HOST_PORT.test(value)) insecure.push(value);
      else if (flag?.[1] === 'registry-mirror' && /^https:\/\/[^/\s]+\/?$/.test(value) && HOST_PORT.test(value.slice(8).replace(/\/$/, '')))
        mirrors.push(value.slice(8).replace(/\/$/, ''));
      else if (flag && DAEMON_CONNECTION.has(flag[1] as string))
        notes.push(
          note(
            'docker-flag-dropped',
            `${arg} (${shown}) dropped: it sets how the docker client reaches the daemon; there is no daemon now`,
          ),
        );
      else
        reviews.push(
          `${shown} passes ${valued ? `--${flag?.[1] ?? ''} ${value}` : arg} to the Docker daemon; ` +
            'the component has no daemon, and cigen cannot map this flag to its inputs exactly',
        );
    }
  }
  if (insecure.length > 0) inputs['insecure-registries'] = [...new Set(insecure)];
  if (mirrors.length > 0) inputs['registry-mirrors'] = [...new Set(mirrors)];
  return reviews;
}

/** Every program a command runs, for reading lines that keep running as written (after_script). */
const runsPrograms: Classifier = (commands) => ({
  builds: 0,
  others: commands.length,
  auth: [],
  pushes: [],
  programs: commands.flatMap((command) => programsOf(command).map((program) => ({ program, line: commandLine(command) }))),
});

/** The job's after_script (its own, a base's, or the default) runs in the Buildah image now, after the
 *  component's script: what it runs that the image lacks (docker above all) fails there. */
function afterScriptTools(pipeline: Pipeline, job: JobDefinition, read?: (path: string) => string | undefined): Reason[] {
  const source = effectiveSource(pipeline, job, 'after_script');
  const items = itemsOf(pipeline, source, 'script', runsPrograms);
  if (!Array.isArray(items))
    return [reason('missing-tool', `after_script uses ${items.what}; cigen cannot tell what it runs in the Buildah image`)];
  return missingTools(items, read).map((r) => ({ ...r, text: `after_script runs in the Buildah image now: ${r.text}` }));
}

/**
 * As for a Kaniko image (builderImageFor): a docker image or dind service from a company registry
 * suggests the runner pulls only from there, so the Buildah image must come from there too: the
 * one --builder-image names for that registry, else a person chooses. Returns what to review.
 */
function dockerBuilderImage(ctx: EngineContext, job: JobDefinition, inputs: Inputs, notes: Note[]): string[] {
  const { pipeline } = ctx;
  const env = variableLookup(pipeline, job);
  // By registry: what the job pulls from it (its docker image, its dind service), and one image of it.
  const byHost = new Map<string, { what: string[]; image: string }>();
  const pulled = [
    { image: imageName(valueOf(effectiveSource(pipeline, job, 'image'))), what: 'docker image' },
    ...serviceNamesOf(pipeline, job)
      .filter((name) => DIND_SERVICE.test(name))
      .map((name) => ({ image: imageName(name), what: 'dind service' })),
  ];
  for (const { image, what } of pulled) {
    const host = imageHost(image, env);
    if (host === undefined || image === undefined) continue;
    const entry = byHost.get(host) ?? { what: [], image };
    if (!entry.what.includes(what)) entry.what.push(what);
    byHost.set(host, entry);
  }
  const reviews: string[] = [];
  const chosen = new Map<string, string>();
  for (const [host, { what, image }] of byHost) {
    const builder = builderImageFor(image, env, ctx.builderImages, what.join(' and '));
    if (builder.reason) reviews.push(builder.reason.text);
    if (builder.image && builder.note) {
      chosen.set(host, builder.image);
      notes.push(builder.note);
    }
  }
  const images = [...new Set(chosen.values())];
  if (images.length === 1) inputs['builder-image'] = images[0] as string;
  else if (images.length > 1)
    reviews.push(
      `the job pulls from ${[...chosen.keys()].join(' and ')}, for which --builder-image names different Buildah images ` +
        `(${images.join(', ')}); the component runs one`,
    );
  return reviews;
}

/**
 * What keeps a docker build from leaving the script item it shares with other commands: a pipe
 * into or out of it, a command `||` makes depend on its failing (or the build on that command's),
 * a list (`!reference`, a nested list, an alias) cigen cannot split into items, else the item.
 */
function dockerMixedReason(item: ScriptItem): string {
  const build = item.build as Command;
  const { commands } = item;
  const at = commands.indexOf(build);
  const [previous, next] = [commands[at - 1], commands[at + 1]];
  if (build.terminator === '|' && next)
    return `docker build's output is piped into \`${commandLine(next)}\`; the component's build writes its output to the job log only`;
  if (previous?.terminator === '|')
    return (
      `docker build reads its input from \`${commandLine(previous)}\` through a pipe; ` +
      "the component's build reads nothing from its input"
    );
  if (build.terminator === '||' && next)
    return (
      `\`${commandLine(next)}\` runs only when docker build fails (||); ` +
      "the component's build fails the job when it fails, and the component runs nothing after it"
    );
  if (previous?.terminator === '||')
    return `docker build runs only when \`${commandLine(previous)}\` fails (||): whether it runs is decided when the job runs`;
  const node = item.node;
  const list = isAlias(node)
    ? `*${node.source}`
    : isSeq(node)
      ? node.tag === '!reference'
        ? `!reference [${node.items.map((i) => (isScalar(i) ? String(i.value) : '')).join(', ')}]`
        : 'a nested list'
      : undefined;
  if (list === undefined) return 'docker build shares one script item with other commands; put them in items of their own';
  // A pipe's writer goes with its reader (`echo "$TOKEN" | docker login`).
  const other = commands.find(
    (c, i) =>
      c !== build &&
      commands[i - 1]?.terminator !== '|' &&
      classifyDocker(c.terminator === '|' ? commands.slice(i, i + 2) : [c]).others > 0,
  );
  return (
    `docker build comes from ${list}, a list that also runs ${other ? `\`${commandLine(other)}\`` : 'other commands'}; ` +
    "cigen takes the job's script apart item by item and cannot split that list: write its commands in the job's script, one item each"
  );
}

function analyzeDocker(ctx: EngineContext, job: JobDefinition, items: ScriptItem[]): Analysis {
  const { pipeline } = ctx;
  const notes: Note[] = [];
  const reviews: string[] = [];
  const at = items.findIndex((item) => item.kind === 'build');
  const builds = items.filter((item) => item.kind === 'build');
  const count = builds.reduce((n, item) => n + item.reading.builds, 0);
  if (count > 1)
    reviews.push(`the job builds ${count} times (docker build); the component builds one image per job: split it into one job per image`);
  const executor = items[at];
  // A build in a block shares its item with the block's words: the block is the reason, not the item.
  // A second build in the item is the reason above.
  if (executor?.mixed && !executor.build?.nested && executor.reading.others > 0) reviews.push(dockerMixedReason(executor));
  if (executor?.build) reviews.push(...dockerCallReviews(executor, notes));
  // What the job ran besides docker runs in the Buildah image (Fedora) now, before the build.
  reviews.push(...missingTools(items).map((r) => r.text));
  reviews.push(...afterScriptTools(pipeline, job).map((r) => r.text));
  const moves = directoryChange(items, at);
  if (moves) reviews.push(moves);
  const inputs: Inputs = { 'job-name': job.name };
  const stage = valueOf(sourceOf(pipeline, job, 'stage'));
  const effectiveStage = typeof stage === 'string' ? stage : 'test';
  if (effectiveStage !== 'build') inputs['stage'] = effectiveStage;
  if (typeof stage !== 'string')
    notes.push(note('stage-default', "the job had no stage, so it ran in GitLab's default stage test; stage: test keeps it there"));
  if (executor?.build) {
    const daemon = serviceNamesOf(pipeline, job).some((name) => DIND_SERVICE.test(name)) ? 'job' : 'shared';
    const translation = DOCKER.translate(executor, items, {
      ...variableLookup(pipeline, job),
      daemon,
      taglessPush: taglessPush(pipeline, job),
      keeps: (path) => keptBy(pipeline, job, path),
    });
    Object.assign(inputs, KEEPS_IMAGE_CONFIG, translation.inputs);
    notes.push(...translation.notes);
    reviews.push(...translation.reasons.map((r) => r.text));
    const { classic, review } = classicBuilder(pipeline, job, items, at);
    if (review) reviews.push(review);
    if (classic) {
      // As Kaniko does: the classic builder builds every stage up to the target; Buildah skips unused ones.
      inputs['skip-unused-stages'] = false;
      notes.push(
        note(
          'docker-classic-builder',
          `${classic}: the classic builder built every stage up to the target; skip-unused-stages: false keeps that`,
        ),
      );
    }
  }
  // docker build and buildx read their --platform default from it; the component's inputs do not.
  for (const setting of setBeforeBuild(items, at, ['DOCKER_DEFAULT_PLATFORM']))
    reviews.push(
      `${setting} before the build, ` +
        "the platform docker builds for without --platform, which the component's inputs do not read: " +
        'give the platform input the value the build saw (platforms for a list)',
    );
  reviews.push(...daemonFlags(pipeline, job, inputs, notes));
  reviews.push(...dockerBuilderImage(ctx, job, inputs, notes));
  const logins: DockerLogin[] = items.flatMap((item) => item.reading.logins ?? []);
  const credentials = logins.filter((a): a is Extract<DockerLogin, { kind: 'credentials' }> => a.kind === 'credentials');
  for (const login of logins) if (login.kind === 'unknown') reviews.push(login.reason);
  // As for Kaniko's config.json (credentialInputs).
  const others = credentials.filter((c, i) => credentials.findIndex((d) => JSON.stringify(d) === JSON.stringify(c)) === i);
  if (new Set(others.map((c) => c.registry)).size < others.length)
    reviews.push('the job logs in to one registry with two sets of credentials; the component takes one per registry');
  Object.assign(
    inputs,
    credentialInputs(
      others.map((c) => ({ host: c.registry, user: c.user, password: c.password })),
      logins.some((l) => l.kind === 'defaults'),
    ),
  );
  if (logins.length === 0)
    notes.push(
      note('docker-auth-none', 'the job ran no docker login; the component logs in to $CI_REGISTRY with the job token credentials'),
    );
  const extras = items.slice(0, Math.max(at, 0)).filter((item) => item.kind === 'other');
  const after = at < 0 ? [] : items.slice(at + 1).filter((item) => item.kind === 'other');
  if (after.length > 0) {
    const first = after[0]?.commands[0] ? commandLine(after[0].commands[0]) : '';
    reviews.push(
      `commands run after docker build (\`${first}\`); the component's script ends with the build: ` +
        `move them to a later job with needs: [${job.name}] (it can read CIGEN_BUILT_REF), which runs in an image that has what they need`,
    );
  }
  if (defaultBeforeScriptOf(pipeline, job) && extras.length === 0)
    notes.push(
      note(
        'default-before-script',
        "the default before_script no longer runs in this job: the component's job sets its own (empty) before_script",
      ),
    );
  if (!isBlockJob(job)) reviews.push('the job is written in flow style ({...}); cigen edits block mappings only');
  const given = sortInputs(inputs);
  for (const error of [...resolveInputs(componentSpecs(), given).errors, ...checkBuildInputValues(given)])
    reviews.push(`the translated inputs do not fit the component: ${error}`);
  return { inputs: given, notes, reasons: reviews.map((text) => ({ ...reason('docker-review', text), compat: false })), extras };
}

/** The buildah component's job names, `$[[ inputs.job-name ]]` as written. */
let buildahJobNames: string[] | undefined;

/** A component job's name with the job-name input filled in. */
const named = (name: string, jobName: string): string => name.replace(/\$\[\[\s*inputs\.job-name\s*\]\]/g, () => jobName);

/** The jobs the buildah component adds beside the build job (`<job-name>:sign`, ...), for `jobName`. */
function addedJobs(jobName: string): string[] {
  buildahJobNames ??= Object.keys(buildahComponent().jobs());
  return buildahJobNames.map((name) => named(name, jobName)).filter((name) => name !== jobName);
}

/** The dotenv report files the buildah component's job declares (artifacts:reports:dotenv), as it declares them. */
let componentReports: string[] | undefined;
function componentReportFiles(): string[] {
  if (componentReports === undefined) {
    // The build job: the one named by the job-name input alone, which GitLab merges into the local job.
    const build = Object.entries(buildahComponent().jobs()).find(([name]) => named(name, 'x') === 'x');
    const dotenv = build?.[1].artifacts?.reports?.dotenv;
    componentReports = dotenv === undefined ? [] : [dotenv].flat();
  }
  return componentReports;
}

/** A scalar written as a plain or quoted string, with no anchor or tag: its text can go into a flow list. */
const literalScalar = (node: unknown): node is Scalar<string> =>
  isScalar(node) &&
  typeof node.value === 'string' &&
  !node.anchor &&
  !node.tag &&
  node.range !== undefined &&
  node.range !== null &&
  (node.type === Scalar.PLAIN || node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE);

/**
 * What the job's `artifacts:reports:dotenv` and the component's do to each other. GitLab merges
 * the component's job under the local job of the same name (hashes deeply, a string or a list
 * replaced), then resolves extends (the job over its bases). So a dotenv the job writes itself, or
 * through a merge key, replaces the component's report (the CIGEN_BUILT_* variables later jobs and
 * the component's :sign, :sbom and :provenance jobs read): a list or string written in the job is
 * rewritten to list both, its comments kept; one written otherwise (an alias, a !reference, a
 * merge key's) gets a note. A base's dotenv loses to the component's, and the default artifacts
 * (which reach a job that sets none) are lost: a note says so.
 */
function reportEdits(pipeline: Pipeline, job: JobDefinition): { edits: Edit[]; notes: Note[] } {
  const reports = componentReportFiles();
  const none = { edits: [], notes: [] };
  if (reports.length === 0) return none;
  const shown = reports.join(', ');
  const lookup = (node: unknown, file: SourceFile, key: string): { value: unknown; shared: boolean } | undefined => {
    const map = isAlias(node) ? resolveAlias(node, file.doc) : node;
    const pair = isMap(map) ? map.items.find((p) => keyOf(p) === key) : undefined;
    return pair ? { value: pair.value, shared: isAlias(node) || Boolean((map as Node).anchor) } : undefined;
  };
  // The dotenv report the job has now: its own (or a merge key's), else its nearest base's.
  for (const definition of [job, ...basesOf(pipeline, job).reverse()]) {
    const source = sourceOf(pipeline, definition, 'artifacts');
    const found = source && lookup(source.pair.value, source.file, 'reports');
    const dotenv = found && source && lookup(found.value, source.file, 'dotenv');
    if (!source || !found || !dotenv) continue;
    const { file } = source;
    const value = dotenv.value as Node | null;
    const items = isSeq(value) && !value.tag && !value.anchor ? value.items : [value];
    const files = items.every(literalScalar) ? items.map((item) => String(item.value)) : undefined;
    // As written for a string or what is no list of strings (an alias), on one line; a list as its files.
    const text = value?.range ? file.text.slice(value.range[0], value.range[1]) : '';
    const written = files && isSeq(value) ? `[${files.join(', ')}]` : text.replace(/\s+/g, ' ');
    const both = `[${[...(files ?? [written]), ...reports].join(', ')}]`;
    const base = definition !== job || source.via === 'base' ? (holderOf(pipeline, source) ?? definition) : undefined;
    if (base) {
      const lost = files ? files.filter((f) => !reports.includes(f)) : [written];
      if (lost.length === 0) return none;
      const why =
        `the artifacts:reports:dotenv ${base.name} gives it (${written}) no longer counts: GitLab merges the component's job ` +
        `into this one before it resolves extends, and the component's ${shown} wins; to keep both, give the job ` +
        `artifacts:reports:dotenv: ${both}`;
      return { edits: [], notes: [note('dotenv-report', why)] };
    }
    const missing = files ? reports.filter((r) => !files.includes(r)) : reports;
    if (missing.length === 0) return none;
    const replaces = (verb: string) =>
      `${verb} the component's ${shown} (GitLab merges the component's job under this one), and with it the ` +
      'CIGEN_BUILT_* variables later jobs read';
    if (source.via === 'merge' || found.shared || dotenv.shared || !files || !value?.range) {
      const what = source.via === 'merge' ? `${written}, which a merge key (<<) brings` : written;
      return {
        edits: [],
        notes: [note('dotenv-report', `its artifacts:reports:dotenv (${what}) ${replaces('replaces')}: list both, ${both}`)],
      };
    }
    const range = value.range;
    let edit: Edit;
    if (isScalar(value)) {
      // A plain scalar that holds what a flow list reads as its own syntax is quoted there.
      const item = value.type === Scalar.PLAIN && /[\n,[\]{}#]|: /.test(text) ? doubleQuotedScalar(String(value.value)) : text;
      edit = { start: range[0], end: range[1], text: `[${[item, ...missing].join(', ')}]` };
    } else if ((value as YAMLSeq).flow) {
      const close = file.text.lastIndexOf(']', range[1]);
      const comma = file.text.slice(range[0], close).trimEnd().endsWith(',');
      edit = { start: close, end: close, text: `${items.length === 0 ? '' : comma ? ' ' : ', '}${missing.join(', ')}` };
    } else {
      const last = items.at(-1) as Node;
      const dash = file.text.lastIndexOf('-', (items[0] as Node).range?.[0] ?? 0);
      const at = lineEnd(file.text, last.range?.[1] ?? range[1]);
      const newline = file.text.slice(0, at).endsWith('\n') ? '' : '\n';
      const indent = ' '.repeat(columnOf(file.text, dash));
      edit = { start: at, end: at, text: newline + missing.map((r) => `${indent}- ${r}\n`).join('') };
    }
    const added = missing.join(', ');
    const why = `artifacts:reports:dotenv now lists ${added} beside ${written}: the job's own value would ${replaces('replace')}`;
    return { edits: [edit], notes: [note('dotenv-report', why)] };
  }
  // The default artifacts (default:, or the deprecated top-level key) reach only a job that sets none.
  if (!sourceOf(pipeline, job, 'artifacts') && effectiveSource(pipeline, job, 'artifacts'))
    return {
      edits: [],
      notes: [
        note(
          'default-artifacts',
          `the default artifacts no longer reach this job: the component's job sets artifacts of its own (its ${shown} report), ` +
            'and GitLab gives a job the default only where it sets none; write in the job those it needs',
        ),
      ],
    };
  return none;
}

/** The edits that turn a migrated job into the slim job GitLab merges with the component's. */
function slimJobEdits(
  pipeline: Pipeline,
  job: JobDefinition,
  extras: ScriptItem[],
  replaced: ReadonlySet<string>,
  gone: ReadonlySet<Node> | undefined,
  emptied: readonly string[] = [],
): { edits: Edit[]; reasons: Reason[]; notes: Note[] } {
  const map = job.map as YAMLMap;
  const file = job.file;
  const text = file.text;
  // Keys another job reads (an alias, a !reference) would change under it.
  const reasons: Reason[] = sharedKeyReasons(pipeline, job, replaced, gone);
  // GitLab merges a job the component adds into the pipeline's job of that name (kaniko-compat adds none).
  for (const name of addedJobs(job.name))
    if (pipeline.jobs.has(name))
      reasons.push(
        reason(
          'job-name-taken',
          `the buildah component adds a job ${name}, and the pipeline has one of that name: GitLab would merge the two`,
        ),
      );
  const edits: Edit[] = [];
  const ownKeys = new Set(map.items.map((p) => keyOf(p)).filter((k): k is string => k !== undefined));
  const removals: Pair[] = map.items.filter((p) => replaced.has(keyOf(p) ?? ''));
  const copies: Pair[] = [];
  const copyFrom = new Map<Pair, number>();

  // Merge keys whose maps bring image/script/before_script back: drop them, keep their other keys.
  // One merge key per job: with more, which of them (or the job) gives a key depends on their order.
  const merges = map.items.filter((p) => keyOf(p) === '<<');
  if (merges.length > 1) {
    // In one list the first map wins: the merge key written last goes first.
    const aliases = merges.map((p) => (isAlias(p.value) ? `*${p.value.source}` : undefined)).reverse();
    const joined = aliases.every((alias) => alias !== undefined) ? `<<: [${aliases.join(', ')}]` : 'one list, the last first';
    reasons.push(
      reason(
        'merge-key',
        `the job has ${merges.length} merge keys (<<), each merged over what is written before it; ` +
          `cigen rewrites a job with one: join them as ${joined} (in a list the first wins)`,
      ),
    );
  }
  const merge = merges[0];
  let mergeReplacement: string | undefined;
  if (merge) {
    const aliases = isSeq(merge.value) ? merge.value.items : [merge.value];
    const kept: string[] = [];
    const seen = new Set(ownKeys);
    // Psych merges over the keys written before `<<`: each such key (not written again after it)
    // is read from the first map that brings it, which must stay.
    const mergeAt = map.items.indexOf(merge);
    const readFrom = new Map<string, unknown>();
    for (const pair of map.items.slice(0, mergeAt)) {
      const key = keyOf(pair);
      if (key === undefined || replaced.has(key) || map.items.slice(mergeAt + 1).some((p) => keyOf(p) === key)) continue;
      const from = aliases.find((alias) => {
        const target = isAlias(alias) ? resolveAlias(alias, file.doc) : undefined;
        return isMap(target) && keysThrough(target, file.doc).has(key);
      });
      if (from) readFrom.set(key, from);
    }
    for (const alias of aliases) {
      const target = isAlias(alias) ? resolveAlias(alias, file.doc) : undefined;
      if (!isMap(target) || !isAlias(alias)) {
        reasons.push(reason('merge-key', 'a merge key (<<) that is not an alias to a mapping'));
        continue;
      }
      const brings = target.items.some((p) => replaced.has(keyOf(p) ?? ''));
      if (!brings) {
        kept.push(`*${alias.source}`);
        // What it brings through a merge key of its own too: that stays with it.
        for (const key of keysThrough(target, file.doc)) seen.add(key);
        continue;
      }
      if (target.items.some((p) => keyOf(p) === '<<'))
        reasons.push(reason('merge-key', `the anchor &${alias.source} itself uses a merge key; cigen does not unfold nested merges`));
      for (const [key, from] of readFrom)
        if (from === alias)
          reasons.push(
            reason(
              'merge-key',
              `${key} is written before the merge key (<<), so the job reads &${alias.source}'s ${key}; ` +
                'without the merge key its own would win',
            ),
          );
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
  // Comments that went with the item they end, not to be kept a second time where it was.
  const carried = new Set<Comment>();
  for (const pair of copies) {
    const [start, end] = pairRange(text, pair);
    const from = copyFrom.get(pair) ?? indent;
    additions += ' '.repeat(indent) + reindent(text.slice(start + from, end), from, indent);
    if (!additions.endsWith('\n')) additions += '\n';
  }
  if (extras.length > 0) {
    additions += `${' '.repeat(indent)}before_script:\n`;
    for (const item of extras) {
      const moved = itemText(item.file, item.node, indent + indentUnit(file));
      additions += moved.text;
      if (moved.carried) carried.add(moved.carried);
    }
  }
  // A replaced key the job would otherwise take from a base or the default: empty, as its own was not.
  for (const key of emptied) additions += `${' '.repeat(indent)}${key}: []\n`;

  // A merge key that stays brings its keys over those written before it (Psych): what is copied
  // from the maps it drops won over the maps it keeps, so it goes after it.
  if (merge && !removals.includes(merge) && additions !== '') {
    const after = pairRange(text, merge)[1];
    edits.push({ start: after, end: after, text: additions });
    additions = '';
  }
  removals.sort((a, b) => ((a.key as Node).range?.[0] ?? 0) - ((b.key as Node).range?.[0] ?? 0));
  const remaining = map.items.length - removals.length;
  if (remaining === 0 && additions === '' && mergeReplacement === undefined) {
    // Nothing of the job is left: the component's job is the whole job.
    const [start, end] = pairRange(text, job.pair);
    edits.push({ start, end, text: commentsWithin(file, start, end, 0) });
    return { edits, reasons, notes: [] };
  }
  removals.forEach((pair, i) => {
    const [start, end] = pairRange(text, pair);
    const kept = commentsWithin(file, start, end, indent, carried);
    edits.push({ start, end, text: kept + (i === 0 ? additions : '') });
  });
  if (removals.length === 0 && additions !== '') {
    const last = map.items.at(-1) as Pair;
    const end = pairRange(text, last)[1];
    edits.push({ start: end, end, text: additions });
  }
  const dotenv = reportEdits(pipeline, job);
  return { edits: [...edits, ...dotenv.edits], reasons, notes: dotenv.notes };
}

/** A Docker job's services must be its own and all dind, or the privileged service stays. */
function servicesReview(pipeline: Pipeline, job: JobDefinition): string | undefined {
  const source = sourceOf(pipeline, job, 'services');
  if (!source && effectiveSource(pipeline, job, 'services'))
    return 'services come from default: or the top level; remove the dind service there, or the job keeps asking for a privileged runner';
  if (!source) return undefined;
  if (source.via === 'base')
    return (
      `services come from ${source.base?.name ?? 'a base job'}; ` +
      'remove the dind service there, or the job keeps asking for a privileged runner'
    );
  const others = serviceNames(valueOf(source)).filter((name) => !DIND_SERVICE.test(name));
  if (others.length > 0) return `services other than docker:dind (${others.join(', ')}); move them to the jobs that use them`;
  return undefined;
}

/**
 * The services a base, `default:` or the top level would give a Docker job once its own
 * `services:` goes (the buildah component's job sets none): GitLab gives a job a key it does not
 * set from its bases, else from the default, and a key it sets replaces theirs, so `services: []`
 * keeps them out, as the job's own key did. Undefined when nothing would come.
 */
function inheritedServices(pipeline: Pipeline, job: JobDefinition): Note | undefined {
  const own = sourceOf(pipeline, job, 'services');
  if (!own || own.via === 'base') return undefined;
  const inherited = inheritedSource(pipeline, job, 'services');
  const value = valueOf(inherited);
  if (!inherited || value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  const where = inherited.base ? inherited.base.name : inherited.holder === inherited.file.root ? 'the top level' : 'default:';
  const names = serviceNames(value).filter((name) => name !== '');
  return note(
    'docker-services-emptied',
    `services: [] written in the job: without services of its own it would take those of ${where}` +
      `${names.length > 0 ? ` (${names.join(', ')})` : ''}, and GitLab would start them beside the build`,
  );
}

const report = (job: JobDefinition, status: JobStatus, entries: readonly (Note | Reason)[], extra: Partial<JobReport> = {}): JobReport => ({
  name: job.name,
  file: job.file.path,
  status,
  notes: entries.map((e) => e.text),
  kinds: entries.map((e) => e.kind),
  ...extra,
});

/** Why the buildah component could not take a job, each once. */
const compatReasons = (reasons: readonly Reason[]): string[] => [...new Set(reasons.map((r) => r.text))];

/** The note that says why a job runs on kaniko-compat, from the reasons the buildah component could not take. */
const compatNote = (reasons: readonly Reason[]): Note =>
  note('compat', `runs on kaniko-compat, keeping its script: ${compatReasons(reasons).join('; ')}`);

/** The bases a job extends, however far, that are not in the file or its local includes (an
 *  include of another project, a template: cigen does not read them). */
function unknownBases(pipeline: Pipeline, job: JobDefinition): string[] {
  const seen = new Set<string>();
  const unknown: string[] = [];
  const walk = (definition: JobDefinition, depth: number) => {
    if (depth > 10) return;
    for (const name of extendsOf(definition)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const base = pipeline.jobs.get(name);
      if (base) walk(base, depth + 1);
      else unknown.push(name);
    }
  };
  walk(job, 0);
  return unknown;
}

/** A base cigen cannot read may set what the build depends on, and the component's job would override it. */
const externalBaseReason = (names: readonly string[]): Reason =>
  reason(
    'external-base',
    `the job extends ${names.join(', ')}, which is not in this file or its local includes: ` +
      'cigen cannot see what it sets (its image, before_script, variables)',
  );

/** Where a Kaniko job's image comes from: the job itself, a hidden template to convert, or a place cigen cannot edit. */
function imageOwner(pipeline: Pipeline, job: JobDefinition): { template?: JobDefinition; reason?: Reason; own: boolean } {
  const source = sourceOf(pipeline, job, 'image');
  if (!source) {
    const unknown = unknownBases(pipeline, job);
    return unknown.length > 0 ? { own: false, reason: externalBaseReason(unknown) } : { own: false };
  }
  if (source.via !== 'base') return { own: true };
  const holder = [...pipeline.jobs.values()].find((candidate) => candidate.map === source.holder);
  if (holder && holder.name.startsWith('.')) return { own: false, template: holder };
  return {
    own: false,
    reason: reason(
      'external-base',
      `the Kaniko image comes from ${holder?.name ?? 'a base job'}, a job that runs as it is; ` +
        'cigen converts only hidden templates in place',
    ),
  };
}

/**
 * Plans the visible jobs. A job that moves onto the buildah component while another visible job
 * extends it and does not move onto it too stays as it is, for review (extendedByReasons): the
 * other would inherit the component's job. Leaving one where it is can leave its own base so
 * extended, hence the repetition.
 */
export function planJobs(ctx: EngineContext, jobs: readonly JobDefinition[]): JobPlan[] {
  const { pipeline, componentRef } = ctx;
  const plans = jobs.map((job) => planJob(ctx, job));
  const moves = (plan: JobPlan) => plan.report.status === 'migrated' && plan.report.component === componentRef;
  // A job a build component's include already defines sets image and script of its own.
  const onComponent = (plan: JobPlan) => moves(plan) || (plan.report.kinds.includes('already') && ctx.onComponent.has(plan.report.name));
  for (let changed = true; changed;) {
    changed = false;
    jobs.forEach((job, i) => {
      const plan = plans[i] as JobPlan;
      if (!moves(plan)) return;
      const users = jobs.filter((other, j) => j !== i && !onComponent(plans[j] as JobPlan) && extendsJob(pipeline, other, job.name));
      if (users.length === 0) return;
      plans[i] = planJob(ctx, job, extendedByReasons(pipeline, job, users, plan.report.from === 'docker'));
      changed = true;
    });
  }
  return plans;
}

/** Plans one visible job: its report and, when it moves, its edits and include entry; `blocked`:
 *  reasons found beyond the job itself (planJobs), which keep it from moving. */
export function planJob(ctx: EngineContext, job: JobDefinition, blocked: readonly Reason[] = []): JobPlan {
  const { pipeline, componentRef } = ctx;
  const already = ctx.onComponent.get(job.name);
  if (already) return { report: report(job, 'unchanged', [], { notes: [`already built by ${already}`], kinds: ['already'] }), edits: [] };
  if (onCompat(pipeline, job, ctx.compatJob))
    return { report: report(job, 'unchanged', [], { notes: [`already runs on ${ctx.compatJob}`], kinds: ['already'] }), edits: [] };
  const kanikoImage = isKanikoImage(valueOf(sourceOf(pipeline, job, 'image')), (name) => variablesOf(pipeline, job).get(name));
  const kaniko = readItems(pipeline, job, kanikoClassifier(kanikoImage));
  const callsExecutor =
    Array.isArray((kaniko as { items?: unknown }).items) && (kaniko as { items: ScriptItem[] }).items.some((item) => item.kind === 'build');
  if (kanikoImage || callsExecutor) {
    const plan = planKaniko(ctx, job, kaniko, blocked);
    const retag = 'items' in kaniko ? retagOf(kaniko.items) : undefined;
    if (retag) plan.report.promote = retag;
    return plan;
  }

  const docker = dockerFindings(pipeline, job);
  if (docker.length === 0) return { report: report(job, 'unchanged', []), edits: [] };
  // A daemon build moves only when its translation is exact; the security finding is its first note.
  const read = readItems(pipeline, job, classifyDocker);
  const finding = (text: string) => ({ ...reason('docker-review', text), compat: false });
  if (!('items' in read))
    return { report: report(job, 'needs-review', [...docker, read.what].map(finding), { from: 'docker' }), edits: [] };
  if (!read.items.some((item) => item.kind === 'build'))
    return {
      report: report(job, 'needs-review', [...docker, 'no script line runs docker build, so there is nothing to translate'].map(finding), {
        from: 'docker',
      }),
      edits: [],
    };
  const analysis = analyzeDocker(ctx, job, read.items);
  const services = servicesReview(pipeline, job);
  const reasons = [...(services ? [finding(services)] : []), ...analysis.reasons, ...blocked];
  const external = unknownBases(pipeline, job);
  if (external.length > 0) reasons.push(externalBaseReason(external));
  if (reasons.length === 0 && isBlockJob(job)) {
    const emptied = inheritedServices(pipeline, job);
    const slim = slimJobEdits(pipeline, job, analysis.extras, DOCKER.replaced, ctx.gone, emptied ? ['services'] : []);
    if (slim.reasons.length === 0)
      return {
        report: report(job, 'migrated', [...analysis.notes, ...(emptied ? [emptied] : []), ...slim.notes], {
          component: componentRef,
          inputs: analysis.inputs,
          from: 'docker',
          finding: docker.join('; '),
        }),
        edits: slim.edits,
        include: { component: componentRef, inputs: analysis.inputs },
      };
    reasons.push(...slim.reasons);
  }
  return {
    report: report(job, 'needs-review', [...docker.map(finding), ...reasons], {
      component: componentRef,
      inputs: analysis.inputs,
      from: 'docker',
    }),
    edits: [],
  };
}

function planKaniko(
  ctx: EngineContext,
  job: JobDefinition,
  read: { items: ScriptItem[]; fromDefault: boolean } | Unreadable,
  blocked: readonly Reason[] = [],
): JobPlan {
  const { pipeline, componentRef } = ctx;
  let analysis: Analysis;
  if (!('items' in read)) {
    const unreadable =
      read.unreadable === 'reference'
        ? reason(
            'unresolved-reference',
            `the script uses ${read.what}, which GitLab resolves when it creates the pipeline, with every include merged`,
          )
        : reason('script-item-shape', `the script holds ${read.what}, which GitLab does not run`);
    analysis = { inputs: { 'job-name': job.name }, notes: [], reasons: [unreadable], extras: [] };
    const builder = builderImageFor(imageName(valueOf(sourceOf(pipeline, job, 'image'))), variableLookup(pipeline, job), ctx.builderImages);
    if (builder.reason) analysis.reasons.push(builder.reason);
    if (builder.note) analysis.notes.push(builder.note);
    if (builder.image) analysis.builderImage = builder.image;
  } else analysis = analyzeKaniko(ctx, job, read.items, read.fromDefault);
  const external = unknownBases(pipeline, job);
  if (external.length > 0) analysis.reasons.push(externalBaseReason(external));
  analysis.reasons.push(...blocked);

  // 1. Exact: the buildah component.
  if (analysis.reasons.length === 0 && isBlockJob(job)) {
    const slim = slimJobEdits(pipeline, job, analysis.extras, KANIKO.replaced, ctx.gone);
    if (slim.reasons.length === 0) {
      const moved = analysis.extras.length;
      // The component skips unused stages, as the fork did: that note is kaniko-compat's.
      const notes = analysis.notes.filter((n) => n.kind !== 'fork-stages');
      if (moved > 0)
        notes.push(
          note(
            'moved-to-before-script',
            `${moved} command item(s) that ran before the build moved to before_script, ` +
              "which runs in the same shell as the component's script",
          ),
        );
      notes.push(...slim.notes);
      return {
        report: report(job, 'migrated', notes, { component: componentRef, inputs: analysis.inputs, from: 'kaniko' }),
        edits: slim.edits,
        include: { component: componentRef, inputs: analysis.inputs },
      };
    }
    analysis.reasons.push(...slim.reasons);
  }
  const blocking = analysis.reasons.filter((r) => !r.compat);
  const compatInputs: Inputs = analysis.builderImage ? { 'builder-image': analysis.builderImage } : {};

  // 2. Read when the job runs: kaniko-compat, the job keeping its script.
  if (blocking.length === 0) {
    const owner = imageOwner(pipeline, job);
    const converted = new Set(owner.template ? [owner.template.name] : []);
    const edits = owner.reason
      ? undefined
      : compatEdits(pipeline, job, ctx.compatJob, converted, {
          removeImage: owner.own,
          appendCompat: owner.template === undefined,
          needs: compatReasons(analysis.reasons),
          ...(ctx.gone ? { gone: ctx.gone } : {}),
        });
    // Where its image comes from is a problem only because it needs kaniko-compat: the reason says why it does.
    const ownerReason =
      owner.reason && reason(owner.reason.kind, `${needingCompat(job.name, compatReasons(analysis.reasons))}, but ${owner.reason.text}`);
    const problems = [...(ownerReason ? [ownerReason] : []), ...(edits?.reasons ?? [])];
    if (problems.length === 0 && edits) {
      const notes: Note[] = [compatNote(analysis.reasons)];
      if (edits.installer)
        notes.push(
          note(
            'compat-before-script',
            `its before_script starts with the installer (!reference [${ctx.compatJob}, before_script]), then runs what it ran before`,
          ),
        );
      notes.push(...analysis.notes.filter((n) => n.kind === 'builder-image' || n.kind === 'fork-stages'));
      return {
        report: report(job, 'migrated', notes, { component: ctx.compatRef, inputs: compatInputs, from: 'kaniko' }),
        edits: edits.edits,
        include: { component: ctx.compatRef, inputs: compatInputs },
        ...(owner.template ? { templates: [owner.template.name] } : {}),
        compat: compatReasons(analysis.reasons),
      };
    }
    blocking.push(...problems);
  }

  // 3. A person decides: only what a person must decide is listed.
  return {
    report: report(job, 'needs-review', blocking, { component: componentRef, inputs: analysis.inputs, from: 'kaniko' }),
    edits: [],
  };
}

/** Whether a job merges a template's mapping in through `<<: *anchor`. */
function mergesFrom(job: JobDefinition, template: JobDefinition): boolean {
  const merge = job.map?.items.find((p) => keyOf(p) === '<<');
  if (!merge || !template.map) return false;
  const aliases = isSeq(merge.value) ? merge.value.items : [merge.value];
  return aliases.some((alias) => isAlias(alias) && resolveAlias(alias, job.file.doc) === template.map);
}

/** Whether a hidden job is a Kaniko template: a Kaniko image, or a script line calling the executor. */
export function isKanikoTemplate(pipeline: Pipeline, job: JobDefinition): boolean {
  if (isKanikoImage(valueOf(sourceOf(pipeline, job, 'image')), (name) => variablesOf(pipeline, job).get(name))) return true;
  const script = itemsOf(pipeline, sourceOf(pipeline, job, 'script'), 'script', kanikoClassifier(false));
  return Array.isArray(script) && script.some((item) => item.kind === 'build');
}

/**
 * Hidden Kaniko templates: kept when every job of the pipeline that extends them moved onto the
 * buildah component (the component overrides their image and script); otherwise converted in
 * place onto kaniko-compat, keeping their name, so every `extends:` of them — in this pipeline
 * and in the projects that include this file — keeps working.
 */
export function planTemplate(
  ctx: EngineContext,
  template: JobDefinition,
  plans: readonly JobPlan[],
  converting: ReadonlySet<string>,
): JobPlan | undefined {
  const { pipeline } = ctx;
  if (onCompat(pipeline, template, ctx.compatJob))
    return { report: report(template, 'unchanged', [], { notes: [`already runs on ${ctx.compatJob}`], kinds: ['already'] }), edits: [] };
  if (!isKanikoTemplate(pipeline, template)) return undefined;
  const users = templateUsers(ctx, template, plans);
  if (!converting.has(template.name)) {
    const staticUsers = users.filter((plan) => plan.report.status === 'migrated' && plan.report.component === ctx.componentRef);
    const use = (list: readonly JobPlan[]) => {
      const by = (merge: boolean) =>
        list.filter((p) => mergesFrom(pipeline.jobs.get(p.report.name) as JobDefinition, template) === merge).map((p) => p.report.name);
      return [
        ...(by(false).length > 0 ? [`${by(false).join(', ')} ${by(false).length === 1 ? 'extends' : 'extend'} it`] : []),
        ...(by(true).length > 0 ? [`${by(true).join(', ')} ${by(true).length === 1 ? 'merges' : 'merge'} it in (<<)`] : []),
      ].join(' and ');
    };
    const text =
      users.length === 0
        ? 'Kaniko template, kept: no job of this pipeline uses it, and the pipeline already builds with the component; ' +
          'jobs in other projects that extend it still run Kaniko'
        : staticUsers.length === users.length
          ? `Kaniko template, kept: ${use(staticUsers)} and now ${staticUsers.length === 1 ? 'runs' : 'run'} the component, ` +
            'whose job overrides its image, script and ' +
            'before_script; its other keys still apply. Remove its Kaniko keys once nothing else uses it.'
          : `Kaniko template, kept: ${use(users)}; of those, ${users
              .filter((p) => !staticUsers.includes(p))
              .map((p) => `${p.report.name} ${p.report.status === 'migrated' ? 'runs on kaniko-compat' : p.report.status}`)
              .join(', ')}`;
    return { report: report(template, 'unchanged', [note('template-kept', text)]), edits: [] };
  }
  // A template without an image: each job that extends it and sets its own keeps that image over
  // the one .cigen-kaniko-compat would give it, and would run the installer there, without Buildah.
  if (bringsNoImage(pipeline, template))
    return {
      report: report(
        template,
        'needs-review',
        [
          reason(
            'template-no-image',
            `it calls /kaniko/executor but sets no image: a job that extends it and sets its own image keeps that ` +
              `image (a job's own keys win over those it extends), so converted in place, extending ${ctx.compatJob}, ` +
              `it would run kaniko-compat's installer in that job's Kaniko image, where there is no Buildah, rather ` +
              'than move the job onto kaniko-compat. It stays as it is: migrate the jobs that extend it or ' +
              '!reference its script, each of which moves on its own',
          ),
        ],
        { from: 'kaniko', component: ctx.compatRef },
      ),
      edits: [],
    };
  // Converted in place: read as a job would be, for what kaniko-compat cannot take.
  const read = readItems(pipeline, template, kanikoClassifier(true));
  const analysis: Analysis =
    'items' in read
      ? analyzeKaniko(ctx, template, read.items, read.fromDefault)
      : { inputs: {}, notes: [], reasons: [reason('unresolved-reference', `the template uses ${read.what}`)], extras: [] };
  const blocking = analysis.reasons.filter((r) => !r.compat);
  const owner = imageOwner(pipeline, template);
  if (owner.reason) blocking.push(owner.reason);
  // Its image from another template that is converted too: it gets kaniko-compat through that one.
  const through = owner.template && converting.has(owner.template.name) ? owner.template : undefined;
  // A user moved onto the buildah component overrides the template's image and script: it does not run on kaniko-compat.
  const onTemplate = users.filter((p) => !(p.report.status === 'migrated' && p.report.component === ctx.componentRef));
  const edits =
    blocking.length === 0
      ? compatEdits(pipeline, template, ctx.compatJob, new Set(through ? [through.name] : []), {
          removeImage: owner.own,
          appendCompat: through === undefined,
          // Why it is converted: what its users moving onto kaniko-compat need it for.
          needs: onTemplate.flatMap((p) => (p.compat && p.compat.length > 0 ? [`for ${p.report.name}: ${p.compat.join('; ')}`] : [])),
          ...(ctx.gone ? { gone: ctx.gone } : {}),
        })
      : undefined;
  blocking.push(...(edits?.reasons ?? []));
  if (blocking.length > 0 || !edits)
    return { report: report(template, 'needs-review', blocking, { from: 'kaniko', component: ctx.compatRef }), edits: [] };
  const compatInputs: Inputs = analysis.builderImage ? { 'builder-image': analysis.builderImage } : {};
  const notes: Note[] = [
    note(
      'compat-template',
      `Kaniko template, converted in place: it ${through ? `runs on kaniko-compat through ${through.name}` : `extends ${ctx.compatJob}`} ` +
        'and keeps its name and script, so ' +
        (onTemplate.length > 0
          ? `${onTemplate.map((p) => p.report.name).join(', ')} and jobs in other projects`
          : 'the jobs that extend it in other projects') +
        ' run on kaniko-compat; a job that extends it and writes its own before_script must start it with ' +
        `!reference [${ctx.compatJob}, before_script]`,
    ),
  ];
  notes.push(...analysis.notes.filter((n) => n.kind === 'builder-image' || n.kind === 'fork-stages'));
  return {
    report: report(template, 'migrated', notes, { component: ctx.compatRef, inputs: compatInputs, from: 'kaniko' }),
    edits: edits.edits,
    include: { component: ctx.compatRef, inputs: compatInputs },
  };
}

/** Whether a Kaniko template has no image: none of its own or from a base it extends (cigen reads
 *  them all), and no Kaniko image from `default:` (which a job's extends would override). */
function bringsNoImage(pipeline: Pipeline, template: JobDefinition): boolean {
  if (sourceOf(pipeline, template, 'image') || unknownBases(pipeline, template).length > 0) return false;
  const fallback = effectiveSource(pipeline, template, 'image');
  return !isKanikoImage(valueOf(fallback), (name) => variablesOf(pipeline, template).get(name));
}

/** The visible jobs that use a template: through extends (at any depth) or a merge key. */
function templateUsers(ctx: EngineContext, template: JobDefinition, plans: readonly JobPlan[]): JobPlan[] {
  return plans.filter((plan) => {
    const definition = ctx.pipeline.jobs.get(plan.report.name);
    return definition !== undefined && (basesOf(ctx.pipeline, definition).includes(template) || mergesFrom(definition, template));
  });
}

/** What happens to the hidden Kaniko templates (templatesToConvert). */
export interface TemplateDecision {
  /** The templates converted in place onto kaniko-compat. */
  converting: Set<string>;
  /** Jobs that would run on kaniko-compat through a template that stays, since converting it would
   *  move a job left for review with them: why each stays as it is, by job name. */
  held: Map<string, Reason>;
}

/** Why a job that needs kaniko-compat stays: converting `template`, where its image comes from,
 *  would move `reviewed` (left for review) and `others` (no Kaniko builds) onto kaniko-compat too. */
function heldReason(plan: JobPlan, template: string, compatJob: string, reviewed: readonly string[], others: readonly string[]): Reason {
  const parts: string[] = [];
  if (reviewed.length > 0) {
    const them = reviewed.join(', ');
    const one = reviewed.length === 1;
    parts.push(
      `${them} ${one ? 'uses' : 'use'} too: converting ${template} in place would move ${them} onto kaniko-compat ` +
        `as well, and ${one ? 'it is' : 'they are'} left for review. Settle ${them} first`,
    );
  }
  if (others.length > 0) {
    const them = others.join(', ');
    const one = others.length === 1;
    parts.push(
      `${them} ${one ? 'uses' : 'use'} too, ${one ? 'not a Kaniko build' : 'none of them a Kaniko build'}: converting ${template} ` +
        `in place would make ${them} extend ${compatJob} as well, and inherit, where ${one ? 'it does' : 'they do'} not set ` +
        `them ${one ? 'itself' : 'themselves'}, its image, before_script (the installer) and variables. ` +
        `Have ${them} stop using ${template} (move what ${one ? 'it takes' : 'they take'} from it into a hidden job of ` +
        `${one ? 'its' : 'their'} own)`,
    );
  }
  return reason(
    'template-shared',
    `it would run on kaniko-compat (${(plan.compat ?? []).join('; ')}), but its Kaniko image comes from ${template}, ` +
      `which ${parts.join('; and which ')}, then migrate again`,
  );
}

/** A job that uses a template and is no Kaniko (nor Docker) build: its own image and script, say. */
const notABuild = (plan: JobPlan): boolean =>
  plan.report.status === 'unchanged' && plan.report.from === undefined && !plan.report.kinds.includes('already');

/**
 * The hidden Kaniko templates to convert in place: every one, except those whose users in this
 * pipeline all moved onto the buildah component (which overrides the template's image and script)
 * and that no converted template or kaniko-compat job gets its image from, and those a job left for
 * review, or a job that is no Kaniko build, uses: converting one would move that job too (or give
 * it kaniko-compat's installer and variables). A job that needs such a template converted
 * stays as it is (`held`), which can leave another template it uses with a job in review: hence
 * the repetition.
 */
export function templatesToConvert(ctx: EngineContext, templates: readonly JobDefinition[], plans: readonly JobPlan[]): TemplateDecision {
  const { pipeline } = ctx;
  const kaniko = templates.filter((t) => !onCompat(pipeline, t, ctx.compatJob) && isKanikoTemplate(pipeline, t));
  const held = new Map<string, Reason>();
  const inReview = (p: JobPlan) => p.report.status === 'needs-review' || held.has(p.report.name);
  const onCompatJob = (p: JobPlan) => p.report.status === 'migrated' && p.report.component === ctx.compatRef && !held.has(p.report.name);
  for (;;) {
    const converting = new Set<string>();
    let more = false;
    for (const template of kaniko) {
      const users = templateUsers(ctx, template, plans);
      const requiring = users.filter((plan) => onCompatJob(plan) && plan.templates?.includes(template.name));
      const reviewed = users.filter(inReview);
      // A job that is no Kaniko build would inherit kaniko-compat's installer and variables from
      // the converted template: it stays a Kaniko template, as for a job left for review.
      const others = users.filter(notABuild);
      if (reviewed.length > 0 || others.length > 0) {
        for (const plan of requiring)
          held.set(
            plan.report.name,
            heldReason(
              plan,
              template.name,
              ctx.compatJob,
              reviewed.map((p) => p.report.name),
              others.map((p) => p.report.name),
            ),
          );
        more ||= requiring.length > 0;
        continue;
      }
      const allStatic = users.length > 0 && users.every((p) => p.report.status === 'migrated' && p.report.component === ctx.componentRef);
      // A template nothing here uses is a library's, unless this pipeline already moved onto the
      // component: then it is what its jobs left behind (converting it now would undo a kept one).
      const library = users.length === 0 && ctx.onComponent.size === 0;
      if (requiring.length > 0 || library || (!allStatic && users.some(onCompatJob))) converting.add(template.name);
    }
    if (more) continue;
    // A converted template whose image comes from another template needs that one converted too.
    for (let changed = true; changed;) {
      changed = false;
      for (const name of [...converting]) {
        const owner = imageOwner(pipeline, pipeline.jobs.get(name) as JobDefinition).template;
        if (owner && !converting.has(owner.name) && kaniko.includes(owner) && templateUsers(ctx, owner, plans).length === 0) {
          converting.add(owner.name);
          changed = true;
        }
      }
    }
    return { converting, held };
  }
}
