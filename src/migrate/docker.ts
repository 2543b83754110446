/**
 * Docker daemon builds (privileged Docker-in-Docker, or the host's docker.sock): `docker login`,
 * one `docker build` and the `docker push`es of its tags, translated into the same inputs as a
 * Kaniko job — when, and only when, the translation is exact.
 */
import { registryHost } from './auth.js';
import {
  destinationInputs,
  dockerfileInput,
  isBareVariable,
  projectRelative,
  repositoryHost,
  unbrace,
  type Inputs,
  type TranslateContext,
  type Translation,
} from './kaniko.js';
import { note, reason, type Note, type Reason } from './notes.js';
import type { DockerLogin, ItemReading } from './scripts.js';
import { commandLine, programIndex, programsOf, type Command } from './shell.js';

/** The words as component inputs hold them (a literal `$` as `$$`), from the program on: the
 *  assignments and prefixes before it (`DOCKER_BUILDKIT=0`, `do`, `then`, `exec`) are not its words. */
const words = (command: Command | undefined): string[] => (command ? command.words.slice(programIndex(command)).map((w) => w.value) : []);

/** `docker build`, `docker image build`, `docker builder build`, `docker buildx build` (or its alias
 *  `buildx b`, which GitLab's Docker template runs): the words after the subcommand. */
export function buildArguments(command: Command): string[] | undefined {
  const [program, ...rest] = words(command);
  if (program !== 'docker') return undefined;
  if (rest[0] === 'build') return rest.slice(1);
  if ((rest[0] === 'image' || rest[0] === 'builder') && rest[1] === 'build') return rest.slice(2);
  if (rest[0] === 'buildx' && (rest[1] === 'build' || rest[1] === 'b')) return rest.slice(2);
  return undefined;
}

const DIAGNOSTIC = new Set(['info', 'version']);

/** `docker buildx create --use` and the like: a BuildKit builder set up for the build, which the
 *  component replaces. A builder given a configuration (`--config`, driver or daemon options) is
 *  not one of them: what it configures (mirrors, registries) would be lost. */
function builderSetup(sub: string | undefined, rest: readonly string[]): boolean {
  if (sub !== 'buildx') return false;
  const [action, ...args] = rest;
  if (action === 'use' || action === 'ls' || action === 'version' || action === 'inspect') return true;
  if (action !== 'create') return false;
  for (let i = 0; i < args.length; i++) {
    const [flag] = (args[i] as string).split('=', 1);
    if (flag === '--use' || flag === '--bootstrap') continue;
    if (flag === '--name' || flag === '--driver' || flag === '--platform') {
      if (!(args[i] as string).includes('=')) i++;
      if (flag === '--driver' && !/^(docker-container|docker)$/.test((args[i] as string).replace(/^--driver=/, ''))) return false;
      continue;
    }
    if (!flag?.startsWith('-') && i === args.length - 1) continue;
    return false;
  }
  return true;
}

/** Predefined variables GitLab sets in every job (a tag's, a merge request's are not among them). */
const ALWAYS_SET = new Set([
  'CI',
  'GITLAB_CI',
  'CI_COMMIT_SHA',
  'CI_COMMIT_SHORT_SHA',
  'CI_COMMIT_REF_NAME',
  'CI_COMMIT_REF_SLUG',
  'CI_COMMIT_TIMESTAMP',
  'CI_COMMIT_MESSAGE',
  'CI_COMMIT_TITLE',
  'CI_DEFAULT_BRANCH',
  'CI_JOB_ID',
  'CI_JOB_NAME',
  'CI_JOB_STAGE',
  'CI_JOB_URL',
  'CI_PIPELINE_ID',
  'CI_PIPELINE_IID',
  'CI_PIPELINE_SOURCE',
  'CI_PIPELINE_URL',
  'CI_PROJECT_DIR',
  'CI_PROJECT_ID',
  'CI_PROJECT_NAME',
  'CI_PROJECT_NAMESPACE',
  'CI_PROJECT_PATH',
  'CI_PROJECT_PATH_SLUG',
  'CI_PROJECT_URL',
  'CI_SERVER_URL',
  'CI_SERVER_HOST',
  'GITLAB_USER_LOGIN',
]);

/** A docker login's credentials; `stdin` is what `echo`/`printf` pipe into it, `piped` the command
 *  that prints its password otherwise (`aws ecr get-login-password | docker login --password-stdin`). */
function readLogin(args: readonly string[], stdin: string | undefined, piped?: string): DockerLogin {
  let user: string | undefined;
  let password: string | undefined;
  let fromStdin = false;
  let registry = 'docker.io';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '-u' || flag === '--username') user = inline ?? args[++i];
    else if (flag === '-p' || flag === '--password') password = inline ?? args[++i];
    else if (flag === '--password-stdin') {
      password = stdin;
      fromStdin = true;
    } else if (!flag.startsWith('-')) registry = registryHost(unbrace(arg));
  }
  // A password a command prints when the job runs (a cloud CLI's token): inputs are data, no shell runs them.
  const registryLogin =
    'component inputs are data: for ECR, Artifact Registry or ACR, registry-login gets ' +
    "short-lived credentials from the job's OIDC token; else keep the value in a masked CI/CD variable";
  if (fromStdin && piped !== undefined)
    return {
      kind: 'unknown',
      reason:
        `the password of the docker login to ${registry} comes from a command the job runs ` +
        `(\`${piped}\`, piped into it); ${registryLogin}`,
    };
  if (user === undefined || password === undefined)
    return {
      kind: 'unknown',
      reason: 'cigen cannot tell the user and password of this docker login; pass them as registry-user and registry-password',
    };
  const [u, p] = [unbrace(user), unbrace(password)];
  const computed = [p, u].findIndex((value) => /\$\(|`/.test(value));
  if (computed >= 0)
    return {
      kind: 'unknown',
      reason:
        `the ${computed === 0 ? 'password' : 'user'} of the docker login to ${registry} comes from a command the job runs ` +
        `(a command substitution); ${registryLogin}`,
    };
  if (registry === '$CI_REGISTRY' && u === '$CI_REGISTRY_USER' && p === '$CI_REGISTRY_PASSWORD') return { kind: 'defaults' };
  return { kind: 'credentials', registry, user: u, password: p };
}

/** Reads the arguments of `docker push`: its references, and an option the component does not do alike. */
function readPush(args: readonly string[]): { refs: string[]; all: boolean; review?: string } {
  const refs: string[] = [];
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = arg.split('=')[0] as string;
    if (!arg.startsWith('-') || arg === '-') refs.push(arg);
    else if (arg === '-a' || arg === '--all-tags') all = true;
    else if (['-q', '--quiet', '--disable-content-trust'].includes(name)) continue;
    // --platform pushes one platform of the image; its value is no reference (--platform X or --platform=X).
    else if (name === '--platform') {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      return {
        refs,
        all,
        review: `docker push --platform ${value ?? ''}: the component pushes the whole image it built, not one platform of it`,
      };
    } else return { refs, all, review: `docker push ${arg}: not a docker push option cigen knows` };
  }
  return { refs, all };
}

/** Reads the commands of one script item of a Docker job. */
export function classifyDocker(commands: readonly Command[]): ItemReading {
  const reading: ItemReading = { builds: 0, others: 0, auth: [], pushes: [], logins: [], programs: [], pulls: [] };
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i] as Command;
    const [program, sub, ...rest] = words(command);
    const next = commands[i + 1];
    // `echo "$PASSWORD" | docker login --password-stdin ...`: the echo belongs to the login.
    if (
      command.terminator === '|' &&
      words(next)[0] === 'docker' &&
      words(next)[1] === 'login' &&
      words(next).includes('--password-stdin')
    ) {
      const echoes = ['echo', 'printf'].includes(program ?? '');
      const stdin = echoes
        ? words(command)
            .filter((w) => !w.startsWith('-'))
            .at(-1)
        : undefined;
      reading.logins?.push(readLogin(words(next).slice(2), stdin, echoes ? undefined : commandLine(command)));
      i++;
      continue;
    }
    if (program === 'docker' && sub === 'login') reading.logins?.push(readLogin([...rest], undefined));
    else if (program === 'docker' && (DIAGNOSTIC.has(sub ?? '') || builderSetup(sub, rest))) continue;
    else if (program === 'docker' && (sub === 'push' || (sub === 'image' && rest[0] === 'push'))) {
      const push = readPush(sub === 'push' ? rest : rest.slice(1));
      // `docker push --all-tags REPO` names a repository, whose every local tag it pushes: `REPO:*`.
      reading.pushes.push(...push.refs.map((w) => (push.all ? `${unbrace(w)}:*` : unbrace(w))));
      if (push.review) (reading.pushReviews ??= []).push(push.review);
    } else if (program === 'docker' && (sub === 'pull' || (sub === 'image' && rest[0] === 'pull'))) {
      const args = sub === 'pull' ? rest : rest.slice(1);
      reading.pulls?.push(...args.filter((w) => !w.startsWith('-')).map(unbrace));
      // `docker pull X || true`: the `true` only keeps a missing image from failing the job.
      const after = words(next);
      if (command.terminator === '||' && after.length === 1 && (after[0] === 'true' || after[0] === ':')) i++;
    } else if (buildArguments(command)) {
      reading.builds++;
      reading.build = command;
    } else {
      reading.others++;
      // What else the item runs, for the check that the Buildah image has it.
      for (const run of programsOf(command)) reading.programs?.push({ program: run, line: commandLine(command) });
    }
  }
  return reading;
}

type Kind = 'string' | 'bool' | 'list';
/**
 * The flags of `docker build` and `docker buildx build` (the classic builder's too): what each
 * takes (a `bool` takes no value; the others the next word, or one after `=`), and what becomes
 * of it. `untranslated`: the job goes to review naming the flag; it is listed so that its value
 * is not read as the build's context.
 */
const FLAGS: Record<string, { kind: Kind; short?: string; drop?: string; review?: string; untranslated?: true }> = {
  tag: { kind: 'list', short: 't' },
  file: { kind: 'string', short: 'f' },
  'build-arg': { kind: 'list' },
  target: { kind: 'string' },
  label: { kind: 'list' },
  platform: { kind: 'string' },
  'no-cache': { kind: 'bool' },
  'cache-from': { kind: 'list' },
  push: { kind: 'bool' },
  pull: { kind: 'bool', drop: 'each component job starts with empty storage, so every base image is pulled anyway' },
  quiet: { kind: 'bool', short: 'q', drop: 'log output only' },
  progress: { kind: 'string', drop: 'log output only' },
  load: { kind: 'bool', drop: 'the image is pushed from Buildah storage; there is no daemon to load it into' },
  'cache-to': { kind: 'list', drop: 'the component writes its registry cache to cache-repo when it pushes' },
  rm: { kind: 'bool', drop: 'intermediate containers are a daemon concept; Buildah leaves none' },
  'force-rm': { kind: 'bool', drop: 'intermediate containers are a daemon concept; Buildah leaves none' },
  network: { kind: 'string', review: 'network: the component builds with the job network; check that the build needs nothing else' },
  'add-host': { kind: 'list', review: 'add-host: the component has no input for extra hosts' },
  // Mapped onto the secrets and ssh inputs where they say the same (secretInputs, sshInput).
  secret: { kind: 'list' },
  ssh: { kind: 'list' },
  'build-context': { kind: 'list', review: 'build-context: extra named contexts are not an input of the component' },
  output: {
    kind: 'list',
    short: 'o',
    review: 'output: the component pushes or writes a docker-archive tarball; other outputs need review',
  },
  squash: { kind: 'bool', review: 'squash: the component keeps layers' },
  // Dropped or reviewed as what the job does with the file decides (below).
  iidfile: { kind: 'string' },
  allow: { kind: 'list', untranslated: true },
  annotation: { kind: 'list', untranslated: true },
  attest: { kind: 'list', untranslated: true },
  sbom: { kind: 'string', untranslated: true },
  provenance: { kind: 'string', untranslated: true },
  builder: { kind: 'string', untranslated: true },
  call: { kind: 'string', untranslated: true },
  check: { kind: 'bool', untranslated: true },
  print: { kind: 'string', untranslated: true },
  'metadata-file': { kind: 'string', untranslated: true },
  'no-cache-filter': { kind: 'list', untranslated: true },
  'shm-size': { kind: 'string', untranslated: true },
  ulimit: { kind: 'list', untranslated: true },
  'cgroup-parent': { kind: 'string', untranslated: true },
  isolation: { kind: 'string', untranslated: true },
  'security-opt': { kind: 'list', untranslated: true },
  memory: { kind: 'string', short: 'm', untranslated: true },
  'memory-swap': { kind: 'string', untranslated: true },
  'cpu-shares': { kind: 'string', short: 'c', untranslated: true },
  'cpu-period': { kind: 'string', untranslated: true },
  'cpu-quota': { kind: 'string', untranslated: true },
  'cpuset-cpus': { kind: 'string', untranslated: true },
  'cpuset-mems': { kind: 'string', untranslated: true },
  compress: { kind: 'bool', untranslated: true },
  'disable-content-trust': { kind: 'bool', untranslated: true },
};
const CONTEXTUAL_DROPS = new Set(['load', 'cache-to']);
const SHORT = Object.fromEntries(Object.entries(FLAGS).flatMap(([name, flag]) => (flag.short ? [[flag.short, name]] : [])));

/** Translates one `docker build` and the pushes beside it into component inputs. */
export function translateDockerBuild(
  args: readonly string[],
  pushes: readonly string[],
  env: TranslateContext,
  pulls: readonly string[] = [],
): Translation {
  const inputs: Inputs = {};
  const notes: Note[] = [];
  const reviews: string[] = [];
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  // A flag not in FLAGS may have taken the word after it: what is read as the context is then unsure.
  let unknownFlag = false;
  for (let i = 0; i < args.length; i++) {
    const arg = unbrace(args[i] as string);
    const long = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const short = /^-([a-zA-Z])(.*)$/s.exec(arg);
    const name = long ? long[1] : short ? SHORT[short[1] as string] : undefined;
    if (!long && !short) {
      positional.push(arg);
      continue;
    }
    const flag = name ? FLAGS[name] : undefined;
    const written = long ? `--${long[1] as string}` : `-${short?.[1] ?? ''}`;
    const untranslated = `${written}: a docker build flag cigen does not translate`;
    if (!name || !flag) {
      // Not in FLAGS: a newer docker's flag, another tool's or a typo; cigen cannot tell which.
      unknownFlag = true;
      reviews.push(`${written}: not a docker build flag cigen knows`);
      continue;
    }
    const inline = long ? long[2] : short?.[2] ? short[2].replace(/^=/, '') : undefined;
    const value = flag.kind === 'bool' ? (inline ?? 'true') : (inline ?? unbrace(args[++i] ?? ''));
    values.set(name, [...(values.get(name) ?? []), value]);
    if (flag.untranslated) reviews.push(untranslated);
    // --load and --cache-to: what replaces them depends on push and cache, decided below.
    if (flag.drop && !CONTEXTUAL_DROPS.has(name)) notes.push(note('docker-flag-dropped', `--${name} dropped: ${flag.drop}`));
    if (flag.review) reviews.push(flag.review);
  }
  const one = (name: string) => values.get(name)?.at(-1);
  const list = (name: string) => values.get(name) ?? [];

  // Of two words after a flag cigen does not know, one may be its value: which is the context is
  // unknown, and nothing is said of it (the flag sends the job to review).
  const unsure = unknownFlag && positional.length > 1;
  if (positional.length !== 1 && !unsure) reviews.push(`docker build takes one context; cigen read ${positional.length}`);
  const rawContext = unsure ? '.' : (positional[0] ?? '.');
  let context = '.';
  if (rawContext === '-' || /^(https?|git):\/\//.test(rawContext) || rawContext.endsWith('.git'))
    reviews.push(`context ${rawContext}: the component builds a directory of the checked-out project`);
  else {
    const relative = projectRelative(rawContext);
    if (relative === undefined || relative.startsWith('..')) reviews.push(`context ${rawContext} is outside $CI_PROJECT_DIR`);
    else context = relative;
  }
  if (context !== '.') inputs['context'] = context;
  const file = one('file');
  if (file === '-')
    reviews.push('--file -: docker build read the Dockerfile from its standard input; the component reads a Dockerfile of the project');
  else if (file !== undefined) {
    // docker build reads -f relative to the working directory ($CI_PROJECT_DIR), not the context.
    const relative = projectRelative(file);
    if (relative === undefined) reviews.push(`--file ${file} is outside $CI_PROJECT_DIR`);
    else {
      const dockerfile = dockerfileInput(context, relative);
      if (dockerfile !== 'Dockerfile') inputs['dockerfile'] = dockerfile;
    }
  }

  const tags = list('tag');
  // `--output type=image,name=REF` names the image as -t does (the output itself is for review, above).
  const namedByOutput = list('output').some((output) => /(?:^|,)"?name=/.test(output));
  if (tags.length === 0 && !namedByOutput) reviews.push('docker build has no -t: nothing names the image');
  const destination = destinationInputs(tags, env);
  Object.assign(inputs, destination.inputs);
  reviews.push(...destination.reasons.map((r) => r.text));
  const normalized = (ref: string) => (/:[^/]*$/.test(ref) ? ref : `${ref}:latest`);
  const tagged = new Set(tags.map(normalized));
  const pushedAll = one('push') === 'true';
  const repositoryOf = (ref: string) => ref.replace(/:[^/]*$/, '');
  // `docker push REPO`: every local tag of REPO before docker 20.10 (docker/cli#2220), REPO:latest since.
  const tagless = (ref: string) => !ref.endsWith(':*') && !ref.includes('@') && !/:[^/]*$/.test(ref);
  const everyTag = (ref: string) => {
    if (!tagless(ref) || env.taglessPush === undefined || env.taglessPush === 'latest') return false;
    if (env.taglessPush === 'all') return true;
    // Either reading pushes the same when the build tags nothing but REPO:latest there.
    if ([...tagged].every((t) => repositoryOf(t) !== ref || t === `${ref}:latest`)) return false;
    reviews.push(
      `docker push ${ref} names no tag: a docker CLI before 20.10 pushed every tag of ${ref}, 20.10 and later only ${ref}:latest, ` +
        `and cigen cannot tell which docker CLI ${env.taglessPush.unknown} is`,
    );
    return true;
  };
  const allTags = pushes.filter((p) => p.endsWith(':*') || everyTag(p)).map((p) => (p.endsWith(':*') ? p.slice(0, -2) : p));
  const pushed = new Set([
    ...pushes.filter((p) => !p.endsWith(':*') && !allTags.includes(p)).map(normalized),
    // The build's tags are the local tags of their repositories (the daemon starts empty).
    ...[...tagged].filter((ref) => allTags.includes(repositoryOf(ref))),
  ]);
  const strays = [...pushed].filter((ref) => !tagged.has(ref));
  const emptyRepositories = allTags.filter((repository) => ![...tagged].some((ref) => repositoryOf(ref) === repository));
  if (emptyRepositories.length > 0)
    reviews.push(
      `docker push --all-tags ${emptyRepositories.join(', ')}: no tag of the build is in that repository (a docker tag in between?); ` +
        "the component pushes the build's own tags",
    );
  if (strays.length > 0)
    reviews.push(
      `docker push ${strays.join(', ')}: not a tag of the build (a docker tag in between?); the component pushes the build's own tags`,
    );
  const pushedTags = [...pushed].filter((ref) => tagged.has(ref));
  if (!pushedAll && pushed.size === 0) inputs['push'] = false;
  else if (!pushedAll && pushedTags.length === 0 && tagged.size > 0)
    reviews.push(`no tag of the build is pushed (its tags: ${[...tagged].join(', ')}); the component pushes every tag`);
  else if (!pushedAll && [...tagged].some((ref) => !pushed.has(ref)))
    reviews.push(`only some tags are pushed (${pushedTags.join(', ')}); the component pushes every tag`);
  if (values.has('load'))
    notes.push(
      note(
        'docker-flag-dropped',
        inputs['push'] === false
          ? '--load dropped: there is no daemon to load the image into; as before, the image is not pushed (push: false)'
          : `--load dropped: ${FLAGS['load']?.drop ?? ''}`,
      ),
    );

  const iidfile = one('iidfile');
  if (iidfile !== undefined) {
    const iid =
      `--iidfile ${iidfile}: docker build wrote the image ID (the digest of the image's configuration) there, ` +
      "and the component writes no image ID (its dotenv report's CIGEN_BUILT_DIGEST is the digest of the pushed manifest, " +
      'another value)';
    const kept = env.keeps?.(iidfile);
    if (kept !== undefined) reviews.push(`${iid}; ${kept}: what reads it would not find it`);
    else
      notes.push(
        note(
          'docker-flag-dropped',
          `${iid.replace(/^--iidfile ([^:]*):/, '--iidfile $1 dropped:')}; ` +
            "neither the job's artifacts nor its cache keep the file, nor does its after_script read it",
        ),
      );
  }

  // A bare --build-arg NAME: Docker passes NAME's value only when NAME is set, and the Dockerfile's
  // ARG default stands otherwise; the component always passes NAME=$NAME (empty when unset). Exact
  // for a variable every job has: one the file defines, or one GitLab sets in every job.
  const maybeUnset = list('build-arg').filter((arg) => !arg.includes('=') && env.variable(arg) === undefined && !ALWAYS_SET.has(arg));
  for (const name of maybeUnset)
    reviews.push(
      `--build-arg ${name}: Docker passed it only when ${name} was set, keeping the Dockerfile's ARG default otherwise; the ` +
        `component's build-args always pass a value (${name}=$${name}, empty when ${name} is unset): give ${name}=$${name} ` +
        'if every pipeline sets it, or leave it out',
    );
  const buildArgs = list('build-arg').map((arg) => (arg.includes('=') ? arg : `${arg}=$${arg}`));
  if (buildArgs.length > 0) inputs['build-args'] = buildArgs;
  const secrets = secretInputs(list('secret'));
  if (secrets.inputs.length > 0) inputs['secrets'] = secrets.inputs;
  reviews.push(...secrets.reviews);
  const ssh = sshInput(list('ssh'));
  if (typeof ssh === 'string') inputs['ssh'] = ssh;
  else if (ssh) reviews.push(ssh.review);
  if (one('target')) inputs['target'] = one('target') as string;
  if (list('label').length > 0) inputs['labels'] = list('label');
  // buildx takes --platform more than once and comma lists: several platforms build one index.
  // Without --platform, docker build and buildx take DOCKER_DEFAULT_PLATFORM (an empty one is none).
  const defaulted =
    list('platform').length === 0 &&
    (Boolean(env.variable('DOCKER_DEFAULT_PLATFORM')) || (env.alternatives?.('DOCKER_DEFAULT_PLATFORM') ?? []).length > 0);
  const written = defaulted ? ['$DOCKER_DEFAULT_PLATFORM'] : list('platform');
  const shown = (value: string) => (defaulted ? `DOCKER_DEFAULT_PLATFORM ${value} (the default of --platform)` : `--platform ${value}`);
  // A variable the file defines is read for its list; one it does not may hold a list too. One a
  // rule or the matrix gives other values stays the variable, read when the job runs, where each
  // value must be one platform: platform takes one, platforms a list fixed with the pipeline.
  const known = new Set<string>();
  const platformOf = (value: string) => {
    const name = isBareVariable(value);
    if (name === undefined) return value;
    const own = env.variable(name);
    const alternatives = env.alternatives?.(name) ?? [];
    if (alternatives.length === 0) return own ?? value;
    known.add(value);
    const several = [...(own === undefined ? [] : [own]), ...alternatives].find((v) => v.includes(','));
    if (several !== undefined)
      reviews.push(
        `${defaulted ? 'DOCKER_DEFAULT_PLATFORM (the default of --platform)' : `--platform ${value}: $${name}`} is a list (${several}) ` +
          "in some of the job's runs, and platform takes one platform, platforms a list fixed when the pipeline is created",
      );
    return value;
  };
  const platforms = [
    ...new Set(
      written
        .flatMap((p) => platformOf(p).split(','))
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
  const unknown =
    platforms.length === 1 && (platforms[0] as string).includes('$') && !known.has(platforms[0] as string) ? platforms[0] : undefined;
  if (unknown)
    notes.push(
      note(
        'docker-platform-variable',
        `${shown(unknown)}: the platform input takes one platform; if the variable holds a comma list, ` +
          'as buildx takes, give the list to the platforms input instead (a list in platform stops the job at its start)',
      ),
    );
  if (platforms.length === 1) inputs['platform'] = platforms[0] as string;
  else if (platforms.length > 1) {
    inputs['platforms'] = platforms;
    notes.push(
      note(
        'docker-platforms',
        `${shown(platforms.join(','))}: platforms builds one image per platform and ` +
          (inputs['push'] === false ? 'makes them one index (not pushed: push: false); ' : 'pushes them as one index, as buildx did; ') +
          "RUN steps for a platform other than the runner's need QEMU (binfmt_misc) on the runner",
      ),
    );
  }
  const cacheFrom = list('cache-from');
  // An image, or `type=registry,ref=IMAGE`: a cache in a registry, which the component's registry
  // cache (cache-repo) stands for. A directory (type=local) or a cache service (type=gha, s3,
  // azblob) is none the component can read.
  const inRegistry = (entry: string) => !entry.includes('=') || /(?:^|,)type=registry(?:,|$)/.test(entry);
  const registryCaches = cacheFrom.filter(inRegistry);
  const otherCaches = cacheFrom.filter((entry) => !inRegistry(entry));
  const notRead = 'a cache outside a registry, which the component cannot read (it reads only its registry cache, cache-repo)';
  const noCache = one('no-cache') === 'true';
  // `docker pull X || true` before `--cache-from X`: it only put X in the daemon for the build to read layers from.
  const cacheRefs = cacheFrom.map((entry) => /(?:^|,)ref=([^,]+)/.exec(entry)?.[1] ?? entry);
  for (const pulled of pulls) {
    if (cacheRefs.includes(pulled))
      notes.push(
        note(
          'docker-cache',
          `docker pull ${pulled} dropped: it put the image in the daemon for --cache-from` +
            (noCache ? ', which --no-cache overrode' : '; the component reads its cache from cache-repo, without a daemon'),
        ),
      );
    else
      reviews.push(
        `docker pull ${pulled}: the build does not read its cache from that image (--cache-from), and the buildah component's job ` +
          'has no Docker client nor daemon: run it in another job',
      );
  }
  if (noCache || registryCaches.length === 0) {
    inputs['cache'] = false;
    notes.push(
      note(
        'docker-cache',
        noCache
          ? `--no-cache: the build used no cache${cacheFrom.length > 0 ? ' (--no-cache overrides --cache-from)' : ''}; ` +
              'the component runs without its registry cache too (cache: false)'
          : otherCaches.length > 0
            ? `--cache-from ${otherCaches.join(', ')}: ${notRead}; it runs without a cache (cache: false; ` +
              'set cache: true to cache layers in the registry)'
            : env.daemon === 'job'
              ? 'the Docker daemon of a CI job starts empty, so without --cache-from the build had no cache; ' +
                'the component runs without its registry cache too (set cache: true to use it)'
              : "the build ran on a Docker daemon that is not the job's own (the host's docker.sock, or one the runner provides), " +
                'which may have kept layers from earlier builds; the component starts from none and runs without its registry cache ' +
                '(set cache: true to cache in the registry)',
      ),
    );
    if (values.has('cache-to'))
      notes.push(
        note(
          'docker-flag-dropped',
          noCache || otherCaches.length === 0
            ? `--cache-to dropped: the build wrote a cache but ${noCache ? 'used none (--no-cache)' : 'read none (no --cache-from)'}; ` +
                'with cache: false the component neither reads nor writes one'
            : '--cache-to dropped: with cache: false the component neither reads nor writes a cache',
        ),
      );
  } else {
    if (values.has('cache-to')) notes.push(note('docker-flag-dropped', `--cache-to dropped: ${FLAGS['cache-to']?.drop ?? ''}`));
    if (otherCaches.length > 0) notes.push(note('docker-cache', `--cache-from ${otherCaches.join(', ')} dropped: ${notRead}`));
    // As the Kaniko path decides: the cache sits beside the pushed image, on the registry the job
    // logs in to ($CI_REGISTRY_IMAGE/cache, the component's default, only for the project's image).
    const image = typeof inputs['image'] === 'string' ? inputs['image'] : undefined;
    const cacheRepo = image === undefined ? '$CI_REGISTRY_IMAGE/cache' : `${image}/cache`;
    if (image !== undefined && repositoryHost(image, env) === 'docker.io') {
      // Docker Hub takes NAMESPACE/NAME only: no repository beside the image for a cache.
      inputs['cache'] = false;
      notes.push(
        note(
          'docker-cache',
          `--cache-from ${registryCaches.join(', ')}: Docker Hub has no nested repository (${cacheRepo}) for the component's ` +
            'registry cache, so it runs without one (cache: false); give cache-repo a repository of its own to use one',
        ),
      );
    } else {
      if (cacheRepo !== '$CI_REGISTRY_IMAGE/cache') inputs['cache-repo'] = cacheRepo;
      notes.push(
        note(
          'docker-cache',
          `--cache-from ${registryCaches.join(', ')}: the component caches layers in cache-repo (${cacheRepo}) ` +
            'instead of pulling a previous image',
        ),
      );
    }
  }
  const reasons: Reason[] = reviews.map((text) => ({ ...reason('docker-review', text), compat: false }));
  return { inputs, notes, reasons, pushes: [] };
}

/**
 * `--secret` as the secrets input takes it: `id=NAME,env=VARIABLE` or `id=NAME,src=PATH` (a path
 * from the working directory, $CI_PROJECT_DIR, as the component reads it); `source=` is `src=`.
 * Any other form (type=, only an id, a target) is for review.
 */
function secretInputs(values: readonly string[]): { inputs: string[]; reviews: string[] } {
  const inputs: string[] = [];
  const reviews: string[] = [];
  for (const value of values) {
    const fields = value.split(',');
    const id = /^id=([A-Za-z0-9._-]+)$/.exec(fields[0] ?? '')?.[1];
    const from = /^(env|src|source)=([^,"]+)$/.exec(fields[1] ?? '');
    if (id !== undefined && from && fields.length === 2) inputs.push(`id=${id},${from[1] === 'env' ? 'env' : 'src'}=${from[2] as string}`);
    else reviews.push(`--secret ${value}: the secrets input takes id=NAME,env=VARIABLE or id=NAME,src=FILE; write this one in that form`);
  }
  return { inputs, reviews };
}

/** `--ssh default` (or `default=$SSH_AUTH_SOCK`) forwards the job's agent: ssh 'true'. Keys or other ids are for review. */
function sshInput(values: readonly string[]): string | { review: string } | undefined {
  if (values.length === 0) return undefined;
  if (values.every((value) => /^default(?:=\$(?:SSH_AUTH_SOCK|\{SSH_AUTH_SOCK\}))?$/.test(value))) return 'true';
  return {
    review:
      `--ssh ${values.join(' --ssh ')}: the ssh input forwards the job's agent ('true') or starts one with a key a variable holds; ` +
      'give it the variable that holds the key',
  };
}
