/**
 * Registries a Kaniko job talks to, and the credentials it used for them: what it wrote to
 * config.json becomes the components' registry inputs, exactly; a registry it pushes to for which
 * it wrote nothing got its credentials from somewhere cigen cannot see (Kaniko's built-in cloud
 * helpers, a config.json the runner mounts), so the job goes to a person with a note naming the
 * registry and what is missing. Also: where the Kaniko image comes from, and the Buildah image the
 * runner must then be able to pull.
 */
import { BUILDAH_IMAGE } from '../builders/buildah.js';
import { isDefaults, isDependencyProxy, registryHost, type AuthFinding, type Entry } from './auth.js';
import { repositoryHost, unbrace, type Inputs, type TranslateContext } from './kaniko.js';
import { note, reason, type Note, type Reason } from './notes.js';

/** Where the job's credentials came from, and what the components are given for them. */
export interface Credentials {
  inputs: Inputs;
  notes: Note[];
  reasons: Reason[];
  /** Registry hosts the job wrote credentials for. */
  hosts: Set<string>;
  /** The job's credentials also come from something cigen passes on without reading it
   *  ($DOCKER_AUTH_CONFIG, a config.json file, $DOCKER_CONFIG): every host may be in it. */
  opaque: boolean;
  /** Something decides the credentials when the job runs: kaniko-compat reads them then. */
  runTime: boolean;
}

const CI_REGISTRY = '$CI_REGISTRY';

/** The registry-login that gets, with the job's OIDC token, what a helper got from the runner's cloud
 *  identity (docker-credential-ecr-login, -gcr / gcloud, -acr-env). */
const LOGIN_FOR_HELPER: Readonly<Record<string, string>> = { 'ecr-login': 'ecr', gcr: 'gar', gcloud: 'gar', 'acr-env': 'acr' };

function loginFor(helper: string): string {
  const login = LOGIN_FOR_HELPER[helper];
  return login === undefined
    ? "registry-login (short-lived credentials from the job's OIDC token)"
    : `registry-login: ${login} (short-lived credentials from the job's OIDC token)`;
}

/** Reads the job's writes into Kaniko's files (config.json, CAs) as component inputs; `kanikoReads`
 *  are files under /kaniko/ the executor itself reads (the translation speaks of those). */
export function readCredentials(
  findings: readonly AuthFinding[],
  dockerConfig: string | undefined,
  kanikoFiles: boolean,
  kanikoReads: readonly string[] = [],
): Credentials {
  const inputs: Inputs = {};
  const notes: Note[] = [];
  const reasons: Reason[] = [];
  const hosts = new Set<string>();
  let opaque = false;
  let runTime = false;
  const entries: Entry[] = [];
  const cas = new Set<string>();
  for (const finding of findings) {
    switch (finding.kind) {
      case 'config':
        entries.push(...finding.entries);
        for (const helper of finding.helpers) {
          reasons.push(
            reason(
              'credential-helper',
              `config.json names the credential helper ${helper.helper} for ${helper.host === '*' ? 'every registry' : helper.host}, ` +
                "which reads the runner's cloud credentials; the Buildah image has no such helper: give the credentials with " +
                `registries, a docker-config that holds them (not the helper), or ${loginFor(helper.helper)}`,
            ),
          );
        }
        break;
      case 'docker-auth-config':
        opaque = true;
        notes.push(
          note('auth-docker-auth-config', 'config.json came from $DOCKER_AUTH_CONFIG, which the component merges into its own config.json'),
        );
        break;
      case 'file':
        opaque = true;
        inputs['docker-config'] = unbrace(finding.path);
        notes.push(note('auth-file', `config.json was copied from ${finding.path}; the component starts from it (docker-config)`));
        break;
      case 'run-time':
        runTime = true;
        reasons.push(reason('auth-run-time', `config.json is written from ${finding.what}, known only when the job runs`));
        break;
      case 'ca':
        cas.add(unbrace(finding.value));
        break;
      case 'kaniko-path':
        if (kanikoReads.includes(finding.path)) break;
        if (finding.certs || /^\/kaniko\/\.docker\//.test(finding.path)) {
          runTime = true;
          reasons.push(
            reason('kaniko-files', `the job writes ${finding.path} in a way cigen cannot read; kaniko-compat reads that directory`),
          );
        } else
          reasons.push(
            reason('kaniko-path', `the job writes ${finding.path}, under /kaniko/, which no Buildah job reads; check what it is for`),
          );
        break;
    }
  }
  if (cas.size === 1) {
    const [ca] = cas;
    inputs['ca-certificates'] = ca as string;
    notes.push(note('ca-certificates', `the job added ${ca as string} to Kaniko's CA bundle; the component trusts it (ca-certificates)`));
  } else if (cas.size > 1)
    reasons.push(
      reason('ca-several', `the job adds ${cas.size} CAs to Kaniko's bundle (${[...cas].join(', ')}); ca-certificates takes one`),
    );

  const others: { host: string; user: string; password: string }[] = [];
  for (const entry of entries) {
    hosts.add(entry.host);
    if ('unreadable' in entry) {
      runTime = true;
      reasons.push(reason('auth-unreadable-entry', `config.json entry for ${shownHost(entry.host)}: ${entry.unreadable}`));
    } else if (isDefaults(entry)) continue;
    else if (isDependencyProxy(entry))
      notes.push(
        note(
          'auth-dependency-proxy',
          entry.written === undefined
            ? `config.json entry for ${entry.host}: the components write the Dependency Proxy's credentials themselves`
            : `config.json entry for ${entry.written} (the Dependency Proxy's server without its port): the components write ` +
                "the Dependency Proxy's credentials themselves, under $CI_DEPENDENCY_PROXY_SERVER",
        ),
      );
    else if (!others.some((o) => o.host === entry.host)) others.push(entry);
  }
  Object.assign(inputs, credentialInputs(others, entries.some(isDefaults)));
  if (dockerConfig !== undefined && findings.every((f) => f.kind !== 'config' && f.kind !== 'file' && f.kind !== 'docker-auth-config')) {
    opaque = true;
    notes.push(note('auth-docker-config', `DOCKER_CONFIG is ${dockerConfig}: the component reads the config.json there, as Kaniko did`));
  }
  if (findings.length === 0 && dockerConfig === undefined && !kanikoFiles)
    notes.push(
      note(
        'auth-none',
        'the job wrote no /kaniko/.docker/config.json (nor $DOCKER_CONFIG/config.json); ' +
          'the component logs in to $CI_REGISTRY with the job token credentials',
      ),
    );
  return { inputs, notes, reasons, hosts, opaque, runTime };
}

/** A config.json key as the job wrote it: `$$` is how cigen keeps a dollar the shell left as it is
 *  (single quotes), so the key is that text, not a variable's value. */
const shownHost = (host: string): string =>
  host.includes('$$') ? `${host.replace(/\$\$/g, '$')} (the text itself: the shell did not expand it)` : host;

const isProjectRegistry = (host: string): boolean => /^\$(?:CI_REGISTRY|\{CI_REGISTRY\})$/.test(host);

/**
 * The registry inputs for the credentials a job gave, each host once (`withDefaults`: it also
 * gave the job token's for $CI_REGISTRY, which the component writes itself). Credentials of its
 * own for $CI_REGISTRY (a deploy token) take the job token's place, also beside it: they go in the
 * registry inputs, as the component refuses a `registries` item for the registry input's host.
 * Without the job token's, one registry that is not the project's takes the registry inputs; any
 * others join the project's in `registries`.
 */
export function credentialInputs(others: readonly { host: string; user: string; password: string }[], withDefaults: boolean): Inputs {
  const inputs: Inputs = {};
  if (others.length === 0) return inputs;
  const main = others.find((o) => isProjectRegistry(o.host)) ?? (withDefaults || others.length !== 1 ? undefined : others[0]);
  if (main) {
    inputs['registry'] = main.host;
    inputs['registry-user'] = main.user;
    inputs['registry-password'] = main.password;
  }
  const rest = others.filter((o) => o !== main);
  if (rest.length > 0) inputs['registries'] = rest.map((o) => ({ host: o.host, user: o.user, password: o.password }));
  return inputs;
}

/** What a registry's credentials come from when a Kaniko job writes none. */
function ambient(host: string): string {
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host))
    return (
      "Kaniko's built-in ECR helper with the runner's AWS credentials (an instance role or AWS_* variables); " +
      "registry-login: ecr gets them from the job's OIDC token"
    );
  if (/(^|\.)gcr\.io$|-docker\.pkg\.dev$/.test(host))
    return (
      "Kaniko's built-in Google helper with GOOGLE_APPLICATION_CREDENTIALS or the node's service account; " +
      "registry-login: gar gets them from the job's OIDC token"
    );
  if (/\.azurecr\.io$/.test(host))
    return "Kaniko's built-in ACR helper with the runner's Azure credentials; registry-login: acr gets them from the job's OIDC token";
  return (
    'a config.json the runner mounts into /kaniko/.docker, one built into the Kaniko image, or KANIKO_<HOST>_USER variables; ' +
    'give them with registries or docker-config'
  );
}

/** Whether credentials under a config.json key may be for `host`: the key names it, or is a
 *  variable the file defines as it (`"$REGISTRY"`), or is known only when the job runs (a CI/CD
 *  variable, which may hold any host but the project's own). */
function mayBeFor(key: string, host: string, env: TranslateContext): boolean {
  if (registryHost(key) === host) return true;
  const head = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(key);
  const value = head ? env.variable(head[1] as string) : undefined;
  if (head && value !== undefined) return registryHost(value + key.slice(head[0].length)) === host;
  return key.startsWith('$') && registryHost(key) !== CI_REGISTRY;
}

/** Registries the job pushes to (destinations, the cache) for which it used credentials cigen did not read. */
export function missingCredentials(pushes: readonly string[], credentials: Credentials, env: TranslateContext): Reason[] {
  if (credentials.opaque || credentials.runTime) return [];
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const repository of pushes) {
    const host = repositoryHost(repository, env);
    if (host === undefined || host === CI_REGISTRY || seen.has(host)) continue;
    seen.add(host);
    if ([...credentials.hosts].some((key) => mayBeFor(key, host, env))) continue;
    reasons.push(
      reason(
        'credentials-missing',
        `the job pushes to ${host} but wrote no credentials for it: if the registry asked for any, Kaniko had them from ` +
          `${ambient(host)}; cigen cannot see them`,
      ),
    );
  }
  return reasons;
}

/** Registries Kaniko images come from publicly; anything else is a company mirror. */
const PUBLIC_REGISTRIES = new Set([
  'gcr.io',
  'ghcr.io',
  'cgr.dev',
  'docker.io',
  'quay.io',
  'registry.gitlab.com',
  'public.ecr.aws',
  'mirror.gcr.io',
]);

/** `--builder-image [REGISTRY=]IMAGE`: the Buildah image for jobs whose Kaniko image (docker image, dind service) comes
 *  from REGISTRY (or any mirror). */
export interface BuilderImageMap {
  /** For a Kaniko image from any registry that is not public. */
  any?: string;
  byRegistry: Record<string, string>;
}

export function parseBuilderImages(values: readonly string[]): BuilderImageMap {
  const map: BuilderImageMap = { byRegistry: {} };
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq > 0 && !value.slice(0, eq).includes('/')) map.byRegistry[value.slice(0, eq)] = value.slice(eq + 1);
    else map.any = value;
  }
  return map;
}

/** The registry an image reference (as written) is pulled from, a leading variable read from the
 *  file; undefined for none. */
export function imageHost(image: string | undefined, env: TranslateContext): string | undefined {
  if (image === undefined) return undefined;
  const resolved = unbrace(image).replace(/^\$([A-Za-z_][A-Za-z0-9_]*)/, (whole, name: string) => env.variable(name) ?? whole);
  const first = resolved.split('/')[0] as string;
  return !resolved.includes('/') || !/[.:$]|^localhost$/.test(first) ? 'docker.io' : first;
}

/**
 * The Buildah image for a job whose Kaniko image (or, for a Docker job, `what` names it: its
 * docker image, its dind service) is `image`: undefined for the default, or why a person must choose.
 */
export function builderImageFor(
  image: string | undefined,
  env: TranslateContext,
  map: BuilderImageMap | undefined,
  what = 'Kaniko image',
): { image?: string; note?: Note; reason?: Reason } {
  const host = imageHost(image, env);
  if (host === undefined || PUBLIC_REGISTRIES.has(host)) return {};
  const chosen = map?.byRegistry[host] ?? map?.any;
  if (chosen)
    return {
      image: chosen,
      note: note('builder-image', `the job ran its ${what} from ${host}; it now runs ${chosen}, which the runner must be able to pull`),
    };
  return {
    reason: reason(
      'kaniko-image-mirror',
      `the job runs its ${what} from ${host.includes('$') ? `a registry a variable names (${image ?? ''})` : host}, ` +
        `so its runner may pull only from there; the components run ${BUILDAH_IMAGE}: give cigen migrate ` +
        '--builder-image with a Buildah image that registry serves',
    ),
  };
}
