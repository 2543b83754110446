/**
 * Kaniko executor flags, translated into the components' shared input vocabulary. Every flag
 * Kaniko knows is either mapped, dropped with the reason that is safe, or sends the job to
 * review with the reason it is not; an unknown flag always goes to review.
 */
import { posix } from 'node:path';
import { KANIKO_FLAGS as FLAGS, KANIKO_SHORT_FLAGS as SHORT } from '../builders/kaniko-flags.js';
import type { Word } from './shell.js';

/** Component inputs, in the vocabulary's order (docs/ARCHITECTURE.md). */
export type Inputs = Record<string, string | boolean | string[]>;

export interface Translation {
  inputs: Inputs;
  /** What was dropped or changed, and why that is safe. */
  notes: string[];
  /** Why a person must look before this job can move; empty when the translation is exact. */
  reviews: string[];
}

const PROJECT_DIR = /^(?:\$CI_PROJECT_DIR|\$\{CI_PROJECT_DIR\})(?=\/|$)/;
const REMOTE_CONTEXT = /^(git|s3|gs|az|tar|https?):\/\//;
const CI_REGISTRY_IMAGE = /^(?:\$CI_REGISTRY_IMAGE|\$\{CI_REGISTRY_IMAGE\})$/;

interface ParsedFlags {
  values: Map<string, string[]>;
  unknown: string[];
  positional: string[];
}

const truthy = (value: string): boolean | undefined =>
  /^(true|1|t|yes)$/i.test(value) ? true : /^(false|0|f|no)$/i.test(value) ? false : undefined;

/** Reads `--flag value`, `--flag=value`, `-d value`, `-dvalue`, `-d=value` and bare booleans, as pflag does. */
function parseFlags(args: readonly string[]): ParsedFlags {
  const values = new Map<string, string[]>();
  const unknown: string[] = [];
  const positional: string[] = [];
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
      name = SHORT[arg[1] as string] ?? arg.slice(1);
      const rest = arg.slice(2);
      if (rest) inline = rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      positional.push(arg);
      continue;
    }
    const flag = FLAGS[name];
    if (!flag) {
      unknown.push(arg.split('=')[0] as string);
      // An unknown flag's value, if any, is not a positional argument.
      if (inline === undefined && args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('-')) i++;
      continue;
    }
    if (flag.kind === 'bool') add(name, inline ?? 'true');
    else if (inline !== undefined) add(name, inline);
    else if (i + 1 < args.length) add(name, args[++i] as string);
    else unknown.push(arg);
  }
  return { values, unknown, positional };
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

/** `${VAR}` where the braces change nothing becomes `$VAR`: shorter, and plain in a YAML flow list.
 *  A `$$` (a literal dollar) is not the start of a reference and is left alone. */
export const unbrace = (text: string): string =>
  text.replace(
    /(?<!\$)((?:\$\$)*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(?![A-Za-z0-9_])/g,
    (_all, pairs: string, name: string) => `${pairs}$${name}`,
  );

const isBareVariable = (text: string): string | undefined =>
  /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(text)?.slice(1).find(Boolean);

export interface TranslateContext {
  /** A variable's value as the file defines it (job, then global `variables:`), if it does. */
  variable(name: string): string | undefined;
}

/** Image references (`repo:tag`, as --destination or docker -t give them) as `image` + `tags`. */
export function destinationInputs(destinations: readonly string[], env: TranslateContext): { inputs: Inputs; reviews: string[] } {
  const inputs: Inputs = {};
  const reviews: string[] = [];
  const repositories = new Set<string>();
  const tags: string[] = [];
  for (const destination of destinations) {
    const { repository, tag, digest } = splitDestination(destination);
    if (digest) reviews.push(`destination ${destination} names a digest; the component pushes tags`);
    const variable = tag === undefined ? isBareVariable(repository) : undefined;
    if (variable !== undefined && !CI_REGISTRY_IMAGE.test(repository)) {
      const value = env.variable(variable);
      if (value === undefined) {
        reviews.push(
          `destination ${destination}: $${variable} is not defined in this file, so cigen cannot tell whether it already carries a tag`,
        );
      } else if (splitDestination(value).tag !== undefined) {
        reviews.push(`destination ${destination}: $${variable} (${value}) carries a tag; split it into a repository and a tag variable`);
      }
    }
    repositories.add(repository);
    tags.push(tag ?? 'latest');
  }
  if (repositories.size > 1) {
    reviews.push(
      `destinations on several repositories (${[...repositories].join(', ')}): ` +
        'the component pushes one repository; include it once per repository',
    );
  }
  // Written out even when they equal the defaults: they are what a reviewer checks first.
  const [repository] = repositories;
  if (repository !== undefined) inputs['image'] = repository;
  if (tags.length > 0) inputs['tags'] = [...new Set(tags)];
  return { inputs, reviews };
}

/** Translates the words after the executor into component inputs. */
export function translateExecutor(words: readonly Word[], env: TranslateContext): Translation {
  const inputs: Inputs = {};
  const notes: string[] = [];
  const reviews: string[] = [];
  for (const word of words) {
    if (word.substitution)
      reviews.push(
        `the argument \`${word.text}\` runs a command ($(...)); ` +
          'component inputs are data: compute it in before_script with export and pass the variable',
      );
    else if (word.parameterOperator)
      reviews.push(
        `the argument \`${word.text}\` uses a shell parameter operator (\${VAR:-...}); component inputs expand only plain $VAR and \${VAR}`,
      );
  }
  // `value`: a literal dollar (single-quoted or escaped) stays literal in the input as `$$`.
  const { values, unknown, positional } = parseFlags(words.map((w) => unbrace(w.value)));
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const list = (name: string): string[] => values.get(name) ?? [];
  for (const flag of unknown) reviews.push(`${flag}: not a Kaniko flag cigen knows how to translate`);
  if (positional.length > 0) reviews.push(`unexpected arguments to the executor: ${positional.join(' ')}`);

  // Context and Dockerfile.
  const rawContext = one('context');
  let context = '.';
  if (rawContext === undefined) {
    notes.push("no --context: Kaniko's default is /workspace/; the component builds $CI_PROJECT_DIR");
  } else if (REMOTE_CONTEXT.test(rawContext)) {
    reviews.push(
      `remote context ${rawContext}: the component builds a directory of the checked-out project; ` +
        'fetch the context in before_script (or a previous job) and point context at it',
    );
  } else {
    const relative = projectRelative(rawContext);
    if (relative === undefined || relative.startsWith('..'))
      reviews.push(`context ${rawContext} is outside $CI_PROJECT_DIR; the component builds directories of the project`);
    else context = relative;
  }
  const subPath = one('context-sub-path');
  if (subPath !== undefined) context = posix.normalize(posix.join(context, subPath));
  if (context !== '.') inputs['context'] = context;

  const rawDockerfile = one('dockerfile');
  if (rawDockerfile !== undefined) {
    const absolute = PROJECT_DIR.test(rawDockerfile) || rawDockerfile.startsWith('/');
    const relative = projectRelative(rawDockerfile);
    let dockerfile: string | undefined;
    if (relative === undefined) reviews.push(`dockerfile ${rawDockerfile} is outside $CI_PROJECT_DIR`);
    else if (absolute || context === '.') dockerfile = posix.relative(context, relative) || 'Dockerfile';
    else if (relative.startsWith(`${context}/`)) dockerfile = relative.slice(context.length + 1);
    else
      reviews.push(
        `dockerfile ${rawDockerfile} is relative: Kaniko looks for it in the working directory first, then in the context ${context}; ` +
          'write which one you mean as $CI_PROJECT_DIR/...',
      );
    if (dockerfile !== undefined && dockerfile !== 'Dockerfile') inputs['dockerfile'] = dockerfile;
  }

  // Destinations: one repository, any number of tags.
  const destinations = list('destination');
  if (destinations.length === 0 && values.get('no-push')?.at(-1) !== 'true')
    reviews.push('no --destination: nothing names the image to push');
  const destination = destinationInputs(destinations, env);
  Object.assign(inputs, destination.inputs);
  reviews.push(...destination.reviews);
  const repository = destination.inputs['image'] as string | undefined;

  const buildArgs = list('build-arg').map((arg) => (arg.includes('=') ? arg : `${arg}=$${arg}`));
  if (list('build-arg').some((arg) => !arg.includes('=')))
    notes.push(
      'a --build-arg without a value takes it from the environment in Kaniko; the component is given KEY=$KEY, which does the same',
    );
  if (buildArgs.length > 0) inputs['build-args'] = buildArgs;
  const target = one('target');
  if (target) inputs['target'] = target;
  const labels = list('label');
  if (labels.length > 0) inputs['labels'] = labels;
  const platform = one('custom-platform');
  if (platform) inputs['platform'] = platform;

  const push = truthy(one('no-push') ?? 'false') !== true;
  if (!push) inputs['push'] = false;
  const tarPath = one('tar-path');
  if (tarPath !== undefined) {
    const relative = projectRelative(tarPath);
    if (relative === undefined || relative.startsWith('..'))
      reviews.push(`tar-path ${tarPath} is outside $CI_PROJECT_DIR; the component writes the tarball inside the project`);
    else inputs['tarball'] = relative;
  }

  const cache = truthy(one('cache') ?? 'false') === true;
  if (!cache) {
    inputs['cache'] = false;
    notes.push('Kaniko ran without --cache, so the component runs without its registry cache too; set cache: true to use it');
  } else {
    const cacheRepo = one('cache-repo');
    if (cacheRepo !== undefined && cacheRepo !== '$CI_REGISTRY_IMAGE/cache') inputs['cache-repo'] = cacheRepo;
    if (cacheRepo === undefined && repository !== undefined) {
      // Kaniko's default cache repository is <destination repository>/cache.
      const kanikoDefault = `${repository}/cache`;
      if (kanikoDefault !== '$CI_REGISTRY_IMAGE/cache') inputs['cache-repo'] = kanikoDefault;
    }
  }

  const insecure = ['skip-tls-verify', 'skip-tls-verify-pull', 'insecure', 'insecure-pull'].some(
    (name) => truthy(one(name) ?? 'false') === true,
  );
  const perRegistry = [...list('insecure-registry'), ...list('skip-tls-verify-registry')];
  if (insecure || perRegistry.length > 0) inputs['tls-verify'] = false;
  if (perRegistry.length > 0)
    notes.push(
      `Kaniko skipped TLS checks only for ${perRegistry.join(', ')}; ` +
        "the component's tls-verify: false applies to every registry the job talks to",
    );

  for (const [name, flag] of Object.entries(FLAGS)) {
    if (!values.has(name)) continue;
    if (flag.drop) notes.push(`--${name} dropped: ${flag.drop}`);
    if (flag.review) reviews.push(flag.review);
  }
  return { inputs, notes, reviews };
}
