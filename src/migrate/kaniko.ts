/**
 * Kaniko executor flags, translated into the components' shared input vocabulary with the one
 * flag table (src/builders/kaniko-flags.ts). Every flag is mapped, or dropped with the reason that
 * is exact, or left to kaniko-compat (which honours it when the job runs), or sent to a person;
 * an unknown flag always goes to a person.
 */
import { posix } from 'node:path';
import { KANIKO_FLAGS, KANIKO_SHORT_FLAGS, asksNothing, canonicalFlag, staticRuleFor } from '../builders/kaniko-flags.js';
import { note, reason, type Note, type Reason } from './notes.js';
import { registryHost } from './auth.js';
import type { Word } from './shell.js';

/** Component inputs, in the vocabulary's order (docs/ARCHITECTURE.md). */
export type Inputs = Record<string, string | boolean | number | string[] | Record<string, string>[]>;

export interface Translation {
  inputs: Inputs;
  /** What was dropped or changed, and why that is safe. */
  notes: Note[];
  /** Why the job cannot move onto the component as it is; empty when the translation is exact. */
  reasons: Reason[];
  /** The repositories the build pushes to (destinations, the cache), as written. */
  pushes: string[];
  /** Files under /kaniko/ the executor reads (--registry-certificate): what the job writes there has a reader. */
  kanikoReads?: string[];
}

const PROJECT_DIR = /^(?:\$CI_PROJECT_DIR|\$\{CI_PROJECT_DIR\})(?=\/|$)/;
const REMOTE_CONTEXT = /^(git|s3|gs|az|tar|https?):\/\//;

interface ParsedFlags {
  /** By canonical flag name. */
  values: Map<string, string[]>;
  /** As written, for messages. */
  written: Map<string, string>;
  unknown: string[];
  positional: string[];
  /** `--flag false`: a bare boolean flag (read as true), then a word Go's ParseBool reads, which
   *  pflag leaves as an argument; by the flag as written, that word. */
  spaced: { flag: string; word: string }[];
}

/** A boolean flag's value as Kaniko's flag parser reads it (Go's strconv.ParseBool), or undefined. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const truthy = (value: string): boolean | undefined => (GO_TRUE.has(value) ? true : GO_FALSE.has(value) ? false : undefined);

/** Reads `--flag value`, `--flag=value`, `-d value`, `-dvalue`, `-d=value` and bare booleans, as pflag does. */
export function parseFlags(args: readonly string[]): ParsedFlags {
  const values = new Map<string, string[]>();
  const written = new Map<string, string>();
  const unknown: string[] = [];
  const positional: string[] = [];
  const spaced: { flag: string; word: string }[] = [];
  const add = (name: string, value: string) => values.set(name, [...(values.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]/.test(arg)) {
      name = KANIKO_SHORT_FLAGS[arg[1] as string];
      const rest = arg.slice(2);
      if (rest) inline = rest.startsWith('=') ? rest.slice(1) : rest;
      if (name === undefined) {
        unknown.push(arg.slice(0, 2));
        continue;
      }
    } else {
      positional.push(arg);
      continue;
    }
    const flag = KANIKO_FLAGS[name];
    if (!flag) {
      unknown.push(arg.split('=')[0] as string);
      // An unknown flag's value, if any, is not a positional argument.
      if (inline === undefined && args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('-')) i++;
      continue;
    }
    const canonical = canonicalFlag(name);
    written.set(canonical, arg.startsWith('--') ? `--${name}` : arg.slice(0, 2));
    if (flag.kind === 'bool') {
      add(canonical, inline ?? 'true');
      const next = args[i + 1];
      if (inline === undefined && next !== undefined && truthy(next) !== undefined) spaced.push({ flag: arg, word: args[++i] as string });
    } else if (inline !== undefined) add(canonical, inline);
    else if (i + 1 < args.length) add(canonical, args[++i] as string);
    else unknown.push(arg);
  }
  return { values, written, unknown, positional, spaced };
}

/** Splits `repo[:tag][@digest]` at the tag's colon, ignoring colons inside `${...}` and in a registry port. */
export function splitDestination(destination: string): { repository: string; tag?: string; digest?: string } {
  let depth = 0;
  let lastSlash = -1;
  let tagColon = -1;
  let at = -1;
  for (let i = 0; i < destination.length; i++) {
    const c = destination[i];
    if (c === '$' && destination[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (depth === 0 && c === '/') {
      lastSlash = i;
      tagColon = -1;
    } else if (depth === 0 && c === ':' && at < 0) tagColon = i;
    else if (depth === 0 && c === '@') at = i;
  }
  const end = at >= 0 ? at : destination.length;
  const digest = at >= 0 ? destination.slice(at + 1) : undefined;
  if (tagColon > lastSlash && tagColon >= 0) {
    return { repository: destination.slice(0, tagColon), tag: destination.slice(tagColon + 1, end), ...(digest ? { digest } : {}) };
  }
  return { repository: destination.slice(0, end), ...(digest ? { digest } : {}) };
}

/** A path as the component reads it: relative to $CI_PROJECT_DIR, `.` for the project itself. */
export function projectRelative(path: string): string | undefined {
  let rest = path.replace(/^dir:\/\//, '');
  if (PROJECT_DIR.test(rest)) rest = rest.replace(PROJECT_DIR, '').replace(/^\/+/, '');
  else if (rest.startsWith('/')) return undefined;
  const normalized = posix.normalize(rest === '' ? '.' : rest).replace(/\/+$/, '');
  return normalized === '' ? '.' : normalized;
}

/**
 * The `dockerfile` input for a Dockerfile at `path` (relative to $CI_PROJECT_DIR), which the
 * component reads relative to the `context` input: as written under the context when it is; from
 * $CI_PROJECT_DIR when the context holds a variable (`../` over `$APP` would climb as many
 * directories as its value has, which is not known here); else the relative path.
 */
export function dockerfileInput(context: string, path: string): string {
  if (context === '.') return path;
  if (path.startsWith(`${context}/`)) return path.slice(context.length + 1);
  if (context.includes('$')) return `$CI_PROJECT_DIR/${path}`;
  return posix.relative(context, path) || 'Dockerfile';
}

/** `${VAR}` where the braces change nothing becomes `$VAR`: shorter, and plain in a YAML flow list.
 *  A `$$` (a literal dollar) is not the start of a reference and is left alone. */
export const unbrace = (text: string): string =>
  text.replace(
    /(?<!\$)((?:\$\$)*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(?![A-Za-z0-9_])/g,
    (_all, pairs: string, name: string) => `${pairs}$${name}`,
  );

export const isBareVariable = (text: string): string | undefined =>
  /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(text)?.slice(1).find(Boolean);

export interface TranslateContext {
  /** A variable's value as the file defines it (job, then global `variables:`), if it does. */
  variable(name: string): string | undefined;
  /** Other values the file gives it in some pipelines or parallel jobs (a rule's `variables:`, `parallel: matrix:`). */
  alternatives?(name: string): readonly string[];
  /** Whether the project holds a file at this root-relative path; absent when that cannot be known. */
  projectFileExists?: (path: string) => boolean;
  /** Whether the job's own lines write this file (a redirection, tee, cp); absent when that cannot be known. */
  writesFile?: (path: string) => boolean;
  /** A docker build's daemon: the job's own (a dind service: it starts empty), or one that may
   *  outlive the job (the host's docker.sock, one the runner provides). */
  daemon?: 'job' | 'shared';
  /** What keeps a file the build writes for later (artifacts, cache) or reads it after the build
   *  (after_script), said as `artifacts:paths (dist/)`; undefined when nothing does. */
  keeps?: (path: string) => string | undefined;
  /** A docker push without a tag: every tag of the repository (a docker CLI before 20.10), only
   *  `:latest` (20.10 and later), or unknown (the docker CLI the job runs cannot be dated: the image is named). */
  taglessPush?: 'all' | 'latest' | { unknown: string };
  /** The job's Kaniko skips unused stages when the command line does not say (the osscontainertools fork). */
  skipsUnusedStages?: boolean;
}

/** The registry a repository (as written) is on: `$CI_REGISTRY` for the project's, undefined when a variable hides it. */
export function repositoryHost(repository: string, env: TranslateContext, depth = 0): string | undefined {
  const text = unbrace(repository);
  if (/^\$CI_REGISTRY_IMAGE(?:\/|$)/.test(text) || /^\$CI_REGISTRY(?:\/|$)/.test(text)) return '$CI_REGISTRY';
  // An interpolation block (a component's `$[[ inputs.image ]]`) is filled in from the include's inputs.
  if (text.startsWith('$[[')) return undefined;
  const head = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text);
  if (head) {
    const value = depth < 3 ? env.variable(head[1] as string) : undefined;
    return value === undefined ? undefined : repositoryHost(value + text.slice(head[0].length), env, depth + 1);
  }
  const first = text.split('/')[0] as string;
  if (!text.includes('/') || !/[.:]|^localhost$/.test(first)) return 'docker.io';
  return first.includes('$') ? undefined : registryHost(first);
}

/** GitLab's variables that never hold a `:` (a tag cannot hide in them); the image's last path segment often names them. */
const TAGLESS_PREDEFINED = new Set([
  'CI_REGISTRY_IMAGE',
  'CI_PROJECT_NAME',
  'CI_PROJECT_PATH',
  'CI_PROJECT_PATH_SLUG',
  'CI_PROJECT_NAMESPACE',
  'CI_PROJECT_ROOT_NAMESPACE',
  'CI_PROJECT_ID',
  'CI_COMMIT_REF_SLUG',
  'CI_COMMIT_REF_NAME',
  'CI_COMMIT_BRANCH',
  'CI_COMMIT_TAG',
  'CI_COMMIT_SHA',
  'CI_COMMIT_SHORT_SHA',
  'CI_DEFAULT_BRANCH',
  'CI_ENVIRONMENT_NAME',
  'CI_ENVIRONMENT_SLUG',
  'CI_JOB_ID',
  'CI_JOB_NAME_SLUG',
  'CI_MERGE_REQUEST_IID',
  'CI_PIPELINE_ID',
  'CI_PIPELINE_IID',
]);

/**
 * Why a destination written without a tag may carry one all the same, if it may: a variable in
 * its last path segment (`$IMAGE`, `$CI_REGISTRY_IMAGE/$NAME`) whose value — any the job can give
 * it: its variables, a rule's, a matrix's — holds a tag, or that the file does not define.
 */
function hiddenTag(repository: string, env: TranslateContext, depth = 0): string | undefined {
  const text = unbrace(repository);
  const last = text.slice(text.lastIndexOf('/') + 1);
  for (const [, name] of last.matchAll(/(?<!\$)(?:\$\$)*\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const own = env.variable(name as string);
    if (own === undefined && TAGLESS_PREDEFINED.has(name as string)) continue;
    const alternatives = env.alternatives?.(name as string) ?? [];
    const values = [...(own === undefined ? [] : [own]), ...alternatives];
    if (values.length === 0) return `$${name} is not defined in this file, so cigen cannot tell whether it already carries a tag`;
    for (const value of values) {
      const where = own !== undefined && value === own ? '' : ', as a rule or the parallel matrix sets it';
      if (splitDestination(value).tag !== undefined)
        return `$${name} (${value}${where}) carries a tag; the component takes a repository and tags`;
      const inner = depth < 3 ? hiddenTag(value, env, depth + 1) : undefined;
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** A repository as Kaniko (go-containerregistry) and Buildah both name it: Docker Hub's forms
 *  (`app`, `library/app`, `docker.io/app`, `index.docker.io/library/app`) are one repository.
 *  Where a variable may hide the registry or a slash, the repository stays as written. */
export function canonicalRepository(repository: string): string {
  const text = unbrace(repository);
  const slash = text.indexOf('/');
  const first = slash < 0 ? text : text.slice(0, slash);
  if (first.includes('$')) return text;
  const domain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost') ? first : undefined;
  if (domain !== undefined && domain !== 'docker.io' && domain !== 'index.docker.io') return text;
  const path = domain === undefined ? text : text.slice(slash + 1);
  if (path.includes('/')) return `docker.io/${path}`;
  return path.includes('$') ? text : `docker.io/library/${path}`;
}

/** Image references (`repo:tag`, as --destination or docker -t give them) as `image` + `tags`. */
export function destinationInputs(destinations: readonly string[], env: TranslateContext): { inputs: Inputs; reasons: Reason[] } {
  const inputs: Inputs = {};
  const reasons: Reason[] = [];
  // The first spelling of each repository, by its canonical name.
  const repositories = new Map<string, string>();
  const tags: string[] = [];
  for (const destination of destinations) {
    const { repository, tag, digest } = splitDestination(destination);
    if (digest) reasons.push(reason('destination-digest', `destination ${destination} names a digest; images are pushed by tag`));
    const hidden = tag === undefined ? hiddenTag(repository, env) : undefined;
    // A variable that may carry a tag hides which repository and tag it names: neither is counted.
    if (hidden !== undefined) {
      reasons.push(reason('run-time-destination', `destination ${destination}: ${hidden}`));
      continue;
    }
    tags.push(tag ?? 'latest');
    const canonical = canonicalRepository(repository);
    if (!repositories.has(canonical)) repositories.set(canonical, repository);
  }
  if (repositories.size > 1) {
    reasons.push(
      reason(
        'several-repositories',
        `destinations on several repositories (${[...repositories.values()].join(', ')}): the component pushes one repository`,
      ),
    );
  }
  // Written out even when they equal the defaults: they are what a reviewer checks first.
  const [repository] = repositories.values();
  if (repository !== undefined) inputs['image'] = repository;
  if (tags.length > 0) inputs['tags'] = [...new Set(tags)];
  return { inputs, reasons };
}

/** Words a shell would split inside `$[[ ... ]]` joined again (with the spaces the block held). */
function joinBlocks(words: readonly Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    let word = words[i] as Word;
    while (word.text.lastIndexOf('$[[') > word.text.lastIndexOf(']]') && i + 1 < words.length) {
      const next = words[++i] as Word;
      word = { ...word, text: `${word.text} ${next.text}`, value: `${word.value} ${next.value}` };
    }
    out.push(word);
  }
  return out;
}

/** The arguments whose value the shell computes when the job runs (a command substitution, a
 *  parameter operator): a component input is data, expanded only as plain $VAR and ${VAR}. */
export function shellComputedReasons(words: readonly Word[]): Reason[] {
  return words.flatMap((word): Reason[] => {
    if (word.substitution)
      return [
        reason(
          'run-time-argument',
          `the argument \`${word.text}\` runs a command when the job runs (a command substitution); component inputs are data`,
        ),
      ];
    if (word.parameterOperator)
      return [
        reason(
          'run-time-argument',
          `the argument \`${word.text}\` uses a shell parameter operator (\${VAR:-...}); ` +
            'component inputs expand only plain $VAR and ${VAR}',
        ),
      ];
    return [];
  });
}

/** What Kaniko's TLS flags made it do: --skip-tls-verify[-pull] kept HTTPS without checking the
 *  certificate, --insecure[-pull] used plain HTTP (an insecure registry of registries.conf, and
 *  tls-verify: false, allow both). */
const insecureMeans = (skipTls: boolean, plainHttp: boolean): string =>
  skipTls && plainHttp ? 'used plain HTTP, or HTTPS without TLS checks,' : plainHttp ? 'used plain HTTP' : 'skipped TLS checks';

/** Translates the words after the executor into component inputs. */
export function translateExecutor(words: readonly Word[], env: TranslateContext): Translation {
  const inputs: Inputs = {};
  const notes: Note[] = [];
  const reasons: Reason[] = [];
  // A component template's line (`--context $CI_PROJECT_DIR/$[[ inputs.app ]]`): GitLab fills the
  // blocks in from the include's inputs before the shell splits the line; read each block as part
  // of its word, and the value as known only when the pipeline is created.
  words = joinBlocks(words);
  for (const word of words.filter((w) => w.text.includes('$[[')))
    reasons.push(
      reason(
        'run-time-arguments',
        `the argument \`${word.text}\` holds an interpolation block, which GitLab fills in from the include's inputs`,
      ),
    );
  reasons.push(...shellComputedReasons(words));
  // `value`: a literal dollar (single-quoted or escaped) stays literal in the input as `$$`.
  const { values, written, unknown, positional, spaced } = parseFlags(words.map((w) => unbrace(w.value)));
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const list = (name: string): string[] => values.get(name) ?? [];
  const on = (name: string): boolean => truthy(one(name) ?? 'false') === true;
  // A boolean flag whose value is neither true nor false as Kaniko reads it: one known only when
  // the job runs (`--no-push=$DRY_RUN`, set by a rule), which way it goes is not cigen's to guess;
  // any other Kaniko refuses.
  const undecided = new Set(
    [...values.keys()].filter((name) => KANIKO_FLAGS[name]?.kind === 'bool' && truthy(one(name) ?? 'true') === undefined),
  );
  for (const name of undecided)
    reasons.push(
      (one(name) ?? '').includes('$')
        ? reason('run-time-argument', `--${name}=${one(name)}: whether it is true or false is known only when the job runs`)
        : reason(
            'flag-review',
            `--${name}=${one(name)}: Kaniko refuses the value ` +
              "(Go's ParseBool takes 1, t, T, true, True, TRUE and 0, f, F, false, False, FALSE), so the job fails as written",
          ),
    );
  for (const flag of unknown) reasons.push(reason('unknown-flag', `${flag}: not a flag of the Kaniko executor`));
  // Kaniko's command has subcommands (version), so cobra refuses any argument that is not a flag.
  for (const { flag, word } of spaced)
    reasons.push(
      reason(
        'flag-review',
        `${flag} ${word}: Kaniko reads a boolean flag's value only after = (${flag}=${word}); it reads ${flag} as true ` +
          `and refuses \`${word}\` as an argument (unknown command "${word}" for "executor"), so the job fails as written`,
      ),
    );
  for (const arg of positional) {
    if (isBareVariable(arg))
      reasons.push(reason('run-time-arguments', `${arg} passes executor arguments that are known only when the job runs`));
    else reasons.push(reason('unknown-flag', `unexpected argument to the executor: ${arg}`));
  }

  // Context and Dockerfile. Kaniko applies --context-sub-path only to dir:// and remote contexts.
  const rawContext = one('context');
  let context = '.';
  if (rawContext === undefined) {
    notes.push(note('no-context', "no --context: Kaniko's default is /workspace/; the component builds $CI_PROJECT_DIR"));
  } else if (REMOTE_CONTEXT.test(rawContext)) {
    reasons.push(
      reason(
        'remote-context',
        rawContext.startsWith('tar://')
          ? `tarball context ${rawContext}: the components build a directory of the job; ` +
              'unpack the tarball in before_script and point --context at the directory'
          : `remote context ${rawContext}: the components build a directory of the job; ` +
              'fetch the context in before_script and point --context at it',
      ),
    );
  } else {
    const relative = projectRelative(rawContext);
    if (relative === undefined || relative.startsWith('..'))
      reasons.push(
        reason('path-outside', `context ${rawContext} is outside $CI_PROJECT_DIR; the component builds directories of the project`),
      );
    else context = relative;
    const subPath = one('context-sub-path');
    if (subPath !== undefined && rawContext.startsWith('dir://')) context = posix.normalize(posix.join(context, subPath));
  }
  if (context !== '.') inputs['context'] = context;

  const rawDockerfile = one('dockerfile');
  if (rawDockerfile !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(rawDockerfile))
    reasons.push(
      reason(
        'remote-context',
        `dockerfile ${rawDockerfile}: Kaniko fetched it from a URL; the component builds a Dockerfile of the project`,
      ),
    );
  else if (rawDockerfile !== undefined) {
    const absolute = PROJECT_DIR.test(rawDockerfile) || rawDockerfile.startsWith('/');
    const relative = projectRelative(rawDockerfile);
    let dockerfile: string | undefined;
    if (relative === undefined) reasons.push(reason('path-outside', `dockerfile ${rawDockerfile} is outside $CI_PROJECT_DIR`));
    else if (absolute || context === '.') dockerfile = dockerfileInput(context, relative);
    else if (relative.startsWith(`${context}/`)) dockerfile = relative.slice(context.length + 1);
    // Not in the working directory ($CI_PROJECT_DIR): Kaniko takes it from the context.
    // (A path a variable names is not known here: the project is not asked about it.)
    else if (!relative.includes('$') && env.projectFileExists?.(relative) === false) dockerfile = relative;
    else {
      // A path that starts with a variable ($DF, $DIR/Dockerfile) is absolute or relative as its value is.
      const lead = /^\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(rawDockerfile)?.[0];
      const looks = `in the working directory first, then in the context ${context}`;
      reasons.push(
        reason(
          'dockerfile-ambiguous',
          lead === undefined
            ? `dockerfile ${rawDockerfile} is relative: Kaniko looks for it ${looks}`
            : `dockerfile ${rawDockerfile} ${lead === rawDockerfile ? 'is a variable' : `starts with ${lead}`}, whose value is known ` +
                `only when the job runs: Kaniko reads an absolute path as it is, and looks for a relative one ${looks}`,
        ),
      );
    }
    if (dockerfile !== undefined && dockerfile !== 'Dockerfile') inputs['dockerfile'] = dockerfile;
  } else if (context !== '.' && env.projectFileExists?.('Dockerfile') !== false)
    // Kaniko's default is the relative path `Dockerfile`, found as any relative --dockerfile is:
    // in the working directory ($CI_PROJECT_DIR) first. Unambiguous when the project root has none.
    reasons.push(
      reason(
        'dockerfile-ambiguous',
        `no --dockerfile: Kaniko looks for Dockerfile in the working directory first, then in the context ${context}`,
      ),
    );

  // Destinations: one repository, any number of tags.
  const destinations = list('destination');
  const push = !on('no-push');
  if (destinations.length === 0 && push) reasons.push(reason('no-destination', 'no --destination: nothing names the image to push'));
  const destination = destinationInputs(destinations, env);
  Object.assign(inputs, destination.inputs);
  reasons.push(...destination.reasons);
  const repository = destination.inputs['image'] as string | undefined;
  // With --no-push the destinations only name the image: nothing is pushed there.
  const pushes = push ? [...new Set(destinations.map((d) => splitDestination(d).repository))] : [];

  const buildArgs = list('build-arg').map((arg) => (arg.includes('=') ? arg : `${arg}=$${arg}`));
  if (list('build-arg').some((arg) => !arg.includes('=')))
    notes.push(
      note(
        'build-arg-from-environment',
        'a --build-arg without a value takes it from the environment in Kaniko; the component is given KEY=$KEY, which does the same',
      ),
    );
  if (buildArgs.length > 0) inputs['build-args'] = buildArgs;
  const target = one('target');
  if (target) inputs['target'] = target;
  const labels = list('label');
  if (labels.length > 0) inputs['labels'] = labels;
  // Kaniko builds one image, for one platform: `platform`. `platforms` would push an index under the tags.
  const platform = one('custom-platform');
  if (platform?.includes(','))
    reasons.push(
      reason(
        'flag-review',
        `--custom-platform ${platform}: Kaniko builds one image for one platform and cannot build for a list; ` +
          'the platforms input builds one image per platform and pushes an index under the tags: decide whether this job should',
      ),
    );
  else if (platform) inputs['platform'] = platform;

  if (!push) inputs['push'] = false;
  const tarPath = one('tar-path');
  if (tarPath !== undefined) {
    const relative = projectRelative(tarPath);
    if (relative === undefined || relative.startsWith('..'))
      reasons.push(
        reason('path-outside', `tar-path ${tarPath} is outside $CI_PROJECT_DIR; the component writes the tarball inside the project`),
      );
    else inputs['tarball'] = relative;
    const tags = Array.isArray(inputs['tags']) ? inputs['tags'] : [];
    if (tags.length > 1)
      reasons.push(
        reason(
          'flag-review',
          `tar-path ${tarPath} with ${tags.length} destinations: Kaniko named the image in the tarball by every destination; ` +
            `the component names it by the first tag only (${tags[0] as string}): ` +
            'a job that loads the tarball by another tag needs changing',
        ),
      );
  }

  const cache = on('cache');
  if (undecided.has('cache')) {
    // Said above: whether Kaniko cached is not known.
  } else if (!cache) {
    inputs['cache'] = false;
    notes.push(
      note('cache-off', 'Kaniko ran without --cache, so the component runs without its registry cache too; set cache: true to use it'),
    );
  } else {
    const cacheRepo = one('cache-repo');
    if (cacheRepo?.startsWith('oci:'))
      reasons.push(reason('flag-review', `cache-repo ${cacheRepo}: a cache in an OCI layout; the components cache in a registry`));
    else if (cacheRepo !== undefined && cacheRepo !== '$CI_REGISTRY_IMAGE/cache') inputs['cache-repo'] = cacheRepo;
    const hubDefault = cacheRepo === undefined && repository !== undefined && repositoryHost(repository, env) === 'docker.io';
    if (hubDefault) {
      // Docker Hub takes NAMESPACE/NAME only: Kaniko's default cache repository there could be
      // neither written nor read (Kaniko only warns), so the build ran without a cache.
      inputs['cache'] = false;
      notes.push(
        note(
          'cache-off',
          `--cache: Kaniko's cache repository ${repository}/cache cannot exist on Docker Hub (no nested repositories), so ` +
            'Kaniko built without a cache and the component runs without its registry cache too (cache: false); ' +
            'give cache-repo a repository of its own to use one',
        ),
      );
    } else if (cacheRepo === undefined && repository !== undefined) {
      // Kaniko's default cache repository is <destination repository>/cache.
      const kanikoDefault = `${repository}/cache`;
      if (kanikoDefault !== '$CI_REGISTRY_IMAGE/cache') inputs['cache-repo'] = kanikoDefault;
    }
    // A cache in an OCI layout (oci:PATH) is a directory, not a registry pushed to.
    if (!hubDefault && !cacheRepo?.startsWith('oci:')) pushes.push(cacheRepo ?? `${repository ?? ''}/cache`);
    // Kaniko (cacheFlagsValid) stops before it builds: it names no cache after a destination it does not push.
    const refused = !push && cacheRepo === undefined && !on('no-push-cache');
    if (refused)
      reasons.push(
        reason(
          'flag-review',
          '--cache with --no-push and no --cache-repo: Kaniko refuses it before it builds ("if using cache with --no-push, ' +
            'specify cache repo with --cache-repo"), so the job fails as written: give it --cache-repo, or drop --cache',
        ),
      );
    if (!push && !on('no-push-cache') && !refused)
      notes.push(
        note(
          'cache-read-only',
          '--no-push with --cache: Kaniko still wrote its cache layers; with push: false the component reads the cache ' +
            'without writing it (the image built is the same)',
        ),
      );
    if (on('no-push-cache'))
      reasons.push(
        reason('flag-compat', '--no-push-cache: Kaniko read its cache without writing it; the component writes it whenever it pushes'),
      );
  }

  // TLS: per host wherever Kaniko was per host; only pulls are all-or-nothing.
  const insecureHosts = new Set<string>([...list('insecure-registry'), ...list('skip-tls-verify-registry')]);
  if (on('skip-tls-verify') || on('insecure')) {
    const flags = ['skip-tls-verify', 'insecure'].filter(on).map((f) => `--${f}`);
    const hosts = pushes.map((r) => repositoryHost(r, env));
    if (hosts.some((h) => h === undefined))
      reasons.push(
        reason('flag-compat', `${flags.join(', ')}: cigen cannot tell which registries the job pushes to (a variable names them)`),
      );
    else {
      for (const host of hosts) insecureHosts.add(host as string);
      notes.push(
        note(
          'insecure-push-hosts',
          `${flags.join(' and ')}: Kaniko ${insecureMeans(on('skip-tls-verify'), on('insecure'))} for the registries it pushed to ` +
            `(${[...new Set(hosts)].join(', ')}); insecure-registries names exactly those`,
        ),
      );
    }
  }
  if (insecureHosts.size > 0) inputs['insecure-registries'] = [...insecureHosts];
  if (on('skip-tls-verify-pull') || on('insecure-pull')) {
    inputs['tls-verify'] = false;
    notes.push(
      note(
        'tls-pull',
        `${['skip-tls-verify-pull', 'insecure-pull']
          .filter(on)
          .map((f) => `--${f}`)
          .join(', ')}: Kaniko ${insecureMeans(on('skip-tls-verify-pull'), on('insecure-pull'))} for pulls, ` +
          "from any registry; the component's tls-verify: false does so for pulls and pushes",
      ),
    );
  }

  // Mirrors: --registry-mirror stands for docker.io, --registry-map for any registry. Kaniko tries
  // the --registry-map ones first: it appends the --registry-mirror ones to docker.io's after them.
  const mirrors: string[] = [];
  for (const map of list('registry-map'))
    for (const item of map.split(';').filter(Boolean)) mirrors.push(item.replace(/^(?:index|registry-1)\.docker\.io=/, 'docker.io='));
  mirrors.push(...list('registry-mirror'));
  if (mirrors.length > 0) inputs['registry-mirrors'] = [...new Set(mirrors)];

  // `REGISTRY=PATH`: the files.
  const certificates = list('registry-certificate').map((c) => c.replace(/^[^=]*=/, ''));
  // A file under /kaniko/ is the Kaniko image's (built in, or mounted by the runner) unless the job
  // writes it: the Buildah image has no /kaniko, kaniko-compat has the directories the job writes.
  const kanikoCertificates = certificates.filter((path) => /^\/kaniko(?:\/|$)/.test(unbrace(path)));
  for (const path of kanikoCertificates) {
    if (env.writesFile?.(path))
      reasons.push(
        reason(
          'kaniko-files',
          `--registry-certificate ${path}: the job writes that file under /kaniko/, which the Buildah image does not have; ` +
            'kaniko-compat runs those writes and reads the file',
        ),
      );
    else
      reasons.push(
        reason(
          'flag-review',
          `--registry-certificate ${path}: a file under /kaniko/ cigen does not see the job write (built into its Kaniko image, ` +
            'or mounted by the runner), and the Buildah image has no /kaniko: give that CA with ca-certificates ' +
            '(PEM text in a CI/CD variable, or a file of the project)',
        ),
      );
  }
  if (certificates.length === 1 && kanikoCertificates.length === 0) inputs['ca-certificates'] = certificates[0] as string;
  else if (certificates.length > 1)
    reasons.push(reason('ca-several', `${certificates.length} --registry-certificate files: the component takes one ca-certificates`));

  const retries = one('push-retry');
  if (retries !== undefined) {
    if (/^[0-9]+$/.test(retries) && Number(retries) <= 100) inputs['push-retries'] = Number(retries);
    else reasons.push(reason('flag-compat', `--push-retry ${retries}: the push-retries input takes a number up to 100`));
  }
  // A kind of its own (push-retries covers its pulls), first among the dropped flags; the words are the table's.
  const downloadRetry = KANIKO_FLAGS['image-download-retry']?.migrate;
  if (values.has('image-download-retry') && downloadRetry && 'drop' in downloadRetry)
    notes.push(note('image-download-retry', `--image-download-retry dropped: ${downloadRetry.drop}`));
  // The archived Kaniko builds every stage up to the target unless told to skip the unused ones; the
  // osscontainertools fork, like Buildah, skips them unless told not to.
  const skipsStages = values.has('skip-unused-stages') ? on('skip-unused-stages') : env.skipsUnusedStages === true;
  if (!undecided.has('skip-unused-stages') && !skipsStages) inputs['skip-unused-stages'] = false;
  // kaniko-compat reads the command line when the job runs, with the archived executor's default.
  if (!values.has('skip-unused-stages') && env.skipsUnusedStages === true)
    notes.push(
      note(
        'fork-stages',
        'the osscontainertools fork this job ran skips unused stages when the command line does not say; kaniko-compat, ' +
          "like the archived Kaniko, builds every stage up to the target then: add --skip-unused-stages=true to the executor's " +
          'command line to keep skipping them',
      ),
    );

  // Known to be off (not `--cache=$CACHE`): Kaniko used no cache.
  const withoutCache = !cache && !undecided.has('cache');
  for (const [name, flag] of Object.entries(KANIKO_FLAGS)) {
    // `--cache-run-layers=$RUN_CACHE`: said above; which of the two it asks is known only when the job runs.
    if (flag.alias || !values.has(name) || undecided.has(name)) continue;
    // A bool flag is read as Kaniko reads it: `--reproducible=false` is not `--reproducible`.
    const value = flag.kind === 'bool' ? on(name) : undefined;
    const shown = `${written.get(name) ?? `--${name}`}${value === false ? '=false' : ''}`;
    // Without --cache nothing was cached: a setting of the cache changed nothing, mapped or not.
    if (flag.withCache && withoutCache) {
      notes.push(note('flag-dropped', `${shown} dropped: Kaniko ran without --cache, so there was no cache for it to change`));
      continue;
    }
    // --image-download-retry has its own note above.
    if ('map' in flag.migrate || name === 'image-download-retry') continue;
    const rule = flag.migrateFor?.(values.get(name) ?? []) ?? (value === undefined ? flag.migrate : staticRuleFor(flag, value));
    if (rule === undefined) notes.push(note('flag-dropped', `${shown} dropped: ${asksNothing(false)}`));
    else if ('drop' in rule) notes.push(note('flag-dropped', `${shown} dropped: ${rule.drop}`));
    else if ('compat' in rule) reasons.push(reason('flag-compat', `${shown}: ${rule.compat}`));
    else if ('review' in rule) reasons.push(reason('flag-review', rule.review));
  }
  return { inputs, notes, reasons, pushes: pushes.filter((p) => p !== '/cache'), kanikoReads: kanikoCertificates.map(unbrace) };
}
