/**
 * Where GitLab's ci.json is stricter than GitLab itself: the editor's schema refuses values its
 * server's entries (lib/gitlab/ci/config/entry) accept. The schema is given the value as those
 * entries read it, so it says nothing GitLab would not; a value the entry refuses is left as
 * written, for the schema to report where it is. Limits an entry has that ci.json does not
 * express (how deep lists may nest, say) are the semantic layer's to check.
 */
import type { PathSegment } from './diagnostics.js';
import { hasYamlExtension } from './includes.js';
import { isHash } from './merge.js';

/** A list whose items are strings or lists of the same, however deep. */
export function nestedStrings(value: unknown): value is unknown[] {
  if (!Array.isArray(value)) return false;
  const stack: unknown[] = [...(value as unknown[])];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...(item as unknown[]));
    else if (typeof item !== 'string') return false;
  }
  return true;
}

/** A need GitLab reads as mirroring an upstream pipeline (EE Need's BridgeHash strategy): a hash
 *  with neither `job:` nor `project:`, as `{pipeline: other/project}`. */
export const bridgeNeed = (need: unknown): need is Record<string, unknown> =>
  isHash(need) && !Object.hasOwn(need, 'job') && !Object.hasOwn(need, 'project');

/** Rails' `blank?`: nil, false, text of nothing but white space (Unicode's), an empty list or hash. */
export const rubyBlank = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  value === false ||
  (typeof value === 'string' && /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(value)) ||
  (Array.isArray(value) && value.length === 0) ||
  (isHash(value) && Object.keys(value).length === 0);

/**
 * Entry::Cache::ALLOWED_POLICY as Ruby reads it (`pull-push|push|pull|\$\w{1,255}*`, a format
 * validation): unanchored, and `\w{1,255}*` a repeated group, so any text holding `pull`, `push` or
 * a `$` (`${CACHE_POLICY}`) matches. ci.json's pattern drops that last `*`: it asks for a word
 * character after the `$`.
 */
const CACHE_POLICY = /pull-push|push|pull|\$(?:\w{1,255})*/;

/** A cache (a `cache:` hash) read without a `policy` Entry::Cache takes (`allow_blank`, or ALLOWED_POLICY). */
function cachePolicyRead(cache: unknown): unknown {
  if (!isHash(cache) || !Object.hasOwn(cache, 'policy')) return cache;
  const policy = cache['policy'];
  if (!rubyBlank(policy) && !(typeof policy === 'string' && CACHE_POLICY.test(policy))) return cache;
  const { policy: _policy, ...rest } = cache;
  return rest;
}

/** A list of strings only (as an unresolved `!reference` reads). */
export const stringList = (value: unknown): boolean =>
  Array.isArray(value) && (value as unknown[]).every((item) => typeof item === 'string');

/**
 * The items of a `rules:` list as Entry::Rules reads them, flattened ([@config].flatten), each with
 * its path under `path`: a hash is a rule; a list `whole` says is one item stays one (a `!reference`
 * not resolved, which GitLab would have replaced: any list of strings, unless the caller knows the
 * tags); anything else is as written, for the schema.
 */
export function ruleItems(
  rules: readonly unknown[],
  path: readonly PathSegment[],
  whole: (item: unknown) => boolean = stringList,
): { item: unknown; path: PathSegment[] }[] {
  return flatItems(rules, path, whole);
}

/** A list's items flattened ([@config].flatten), each with its path; a list `whole` says is one item stays one. */
function flatItems(
  list: readonly unknown[],
  path: readonly PathSegment[],
  whole: (item: unknown) => boolean = () => false,
): { item: unknown; path: PathSegment[] }[] {
  // Most lists are flat (no list in them): read as they are, without flatMap's arrays per item.
  // concat, not [...path, index]: V8 gives a spread array room for 17 more, and the needs of a
  // large pipeline keep these paths.
  if (!list.some(Array.isArray)) return list.map((item, index) => ({ item, path: path.concat(index) }));
  return list.flatMap((item, index) =>
    Array.isArray(item) && !whole(item) ? flatItems(item as unknown[], path.concat(index), whole) : [{ item, path: path.concat(index) }],
  );
}

/** Strings in lists nested more than one level (a plain list of strings is read as it is). */
const nestedLists = (value: unknown): value is unknown[] => Array.isArray(value) && value.some(Array.isArray) && nestedStrings(value);

/** A list read flattened, and where each of its items is written: indices into the nested lists. */
const FLATTENED = new WeakMap<readonly unknown[], readonly (readonly PathSegment[])[]>();

/**
 * A path into the content as read (contentAsEntriesRead) as a path into the content as written:
 * an index into a flattened list becomes the indices of the nested lists its item is written in.
 */
export function pathAsWritten(read: unknown, path: readonly (string | number)[]): (string | number)[] {
  const out: (string | number)[] = [];
  let node = read;
  for (const segment of path) {
    const origin = Array.isArray(node) && typeof segment === 'number' ? FLATTENED.get(node as unknown[])?.[segment] : undefined;
    out.push(...(origin ?? [segment]));
    node = isHash(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return out;
}

/** A list read flattened, its items' places kept for the findings (see pathAsWritten). */
function flattened(list: readonly unknown[], items: { item: unknown; path: PathSegment[] }[]): unknown[] {
  const flat = items.map(({ item }) => item);
  FLATTENED.set(
    flat,
    items.map(({ path }) => path),
  );
  return flat;
}

/**
 * The needs a `needs:` value holds as Entry::Needs reads them (`[@config].flatten`), each with its
 * path under `path`: a hash is one need; lists nested in the list (an alias of a list, a resolved
 * `!reference`) are read flat, except one `whole` says is a single item (a `!reference` that could
 * not be resolved). Any other value holds none: GitLab refuses it ("can only be a Hash or an Array").
 */
export function needItems(
  needs: unknown,
  path: readonly PathSegment[] = [],
  whole?: (item: unknown) => boolean,
): { item: unknown; path: PathSegment[] }[] {
  if (isHash(needs)) return [{ item: needs, path: [...path] }];
  return Array.isArray(needs) ? flatItems(needs, path, whole) : [];
}

/** `needs:` as ci.json should see it (see READINGS): a list, flat; in a job's, an upstream-pipeline
 *  need is read as a name (a rule's takes none: ci.json refuses it there, as GitLab does). */
function needsRead(value: unknown, upstream: boolean): unknown {
  if (upstream && bridgeNeed(value)) return ABSENT;
  if (!isHash(value) && !Array.isArray(value)) return value;
  const items = needItems(value, [], stringList);
  const read = items.map(({ item }) => (upstream && bridgeNeed(item) ? '' : item));
  if (Array.isArray(value) && read.length === value.length && read.every((item, i) => item === value[i])) return value;
  FLATTENED.set(
    read,
    items.map(({ path }) => path),
  );
  return read;
}

/** A variable as a location holds one (`$NAME`, `${NAME}`): GitLab expands it before it reads the location. */
const HAS_VARIABLE = /\$(?:[A-Za-z_]|\{[A-Za-z_])/;
/** `${NAME}` as `$NAME`: the same variable, in characters a URI reference may hold. */
const plainVariables = (text: string): string => text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1');
/** An empty list where an entry takes any list of strings (array_of_strings: `[]` too); ci.json asks for one item. */
const emptyAllowed = (value: unknown): unknown => (Array.isArray(value) && value.length === 0 ? ABSENT : value);

/** Any key of a hash, any index of a list. */
const ANY = Symbol('any');
/** A reading that removes the key (in a hash; a list keeps the item). */
const ABSENT = Symbol('absent');

interface Reading {
  path: readonly (string | typeof ANY)[];
  /** The value as the entry reads it when it accepts it; the value itself otherwise. */
  read: (value: unknown) => unknown;
}

/**
 * Failure reasons of GitLab's builds (Enums::Ci::CommitStatus.failure_reasons) that ci.json's
 * retry_errors does not list: `retry:when` takes them (FullRetry.possible_retry_when_values).
 */
const UNDOCUMENTED_FAILURE_REASONS = new Set([
  'missing_dependency_failure',
  'forward_deployment_failure',
  'user_blocked',
  'project_deleted',
  'ci_quota_exceeded',
  'pipeline_loop_detected',
  'no_matching_runner',
  'trace_size_exceeded',
  'builds_disabled',
  'environment_creation_failure',
  'deployment_rejected',
  'failed_outdated_deployment_job',
  'job_execution_server_timeout',
  'protected_environment_failure',
  'insufficient_bridge_permissions',
  'downstream_bridge_project_not_found',
  'invalid_bridge_trigger',
  'upstream_bridge_project_not_found',
  'insufficient_upstream_permissions',
  'bridge_pipeline_is_child_pipeline',
  'downstream_pipeline_creation_failed',
  'secrets_provider_not_found',
  'reached_max_descendant_pipelines_depth',
  'ip_restriction_failure',
  'reached_max_pipeline_hierarchy_size',
  'reached_downstream_pipeline_trigger_rate_limit',
  'duo_workflow_not_allowed',
  'job_router_failure',
  'job_token_expired',
  'id_token_burned_project_path',
  'downstream_project_trigger_resolved_to_empty',
]);

/** A need as a rule's `needs:` takes it (ci.json's rulesNeeds): a job name, or `{job:}` with
 *  optional `artifacts:` and `optional:` booleans. */
function ruleNeed(need: unknown): boolean {
  if (typeof need === 'string') return true;
  if (!isHash(need) || typeof need['job'] !== 'string' || need['job'] === '') return false;
  return Object.entries(need).every(
    ([key, value]) => key === 'job' || ((key === 'artifacts' || key === 'optional') && typeof value === 'boolean'),
  );
}

/** Trigger::SameProjectTrigger::INCLUDE_MAX_SIZE: the files a child pipeline's trigger includes. */
export const TRIGGER_INCLUDE_MAX = 3;

/** Keys of `default:` (ci.json's own `default` properties) that its `inherit:default` list does not name. */
export const INHERITABLE_BEYOND_SCHEMA: ReadonlySet<string> = new Set(['hooks', 'id_tokens', 'identity']);

/** Entry::Secret::SUPPORTED_PROVIDERS, in its order: the keys of a secret that name where it is
 *  kept. ci.json lists them without `akeyless`. */
export const SECRET_PROVIDERS: readonly string[] = [
  'vault',
  'azure_key_vault',
  'gcp_secret_manager',
  'akeyless',
  'gitlab_secrets_manager',
  'aws_secrets_manager',
];

/**
 * GitLab's only_one_of_keys lists where ci.json's choice of single required keys (schema.ts:
 * exactlyOneOfKeys) names fewer of them: its words name GitLab's list, the one holding ci.json's.
 */
export const EXACTLY_ONE_OF_BEYOND_SCHEMA: readonly (readonly string[])[] = [SECRET_PROVIDERS];

/**
 * A secret as Entry::Secret reads it: exactly one provider (only_one_of_keys), `akeyless`
 * (Entry::Akeyless::Secret) among them, which ci.json does not list. A secret whose one provider
 * is `akeyless` is read with a provider ci.json takes in its place; what Akeyless::Secret refuses
 * in the value is the linter's to judge (lint/entries.ts). ci.json's anyOf takes two providers or
 * more: such a secret is read without them, as one with none, which ci.json refuses in GitLab's
 * words (schema.ts).
 */
function secretRead(secret: unknown): unknown {
  if (!isHash(secret)) return secret;
  const providers = SECRET_PROVIDERS.filter((key) => Object.hasOwn(secret, key));
  if (providers.length > 1) return Object.fromEntries(Object.entries(secret).filter(([key]) => !SECRET_PROVIDERS.includes(key)));
  if (providers[0] !== 'akeyless') return secret;
  const { akeyless: _akeyless, ...rest } = secret;
  return { ...rest, vault: '' };
}

/** Entry::JobInput: an input of a job's `inputs:` has no default when `config[:default].nil?`,
 *  its key absent or null. */
export const jobInputWithoutDefault = (input: unknown): input is Record<string, unknown> =>
  isHash(input) && (input['default'] === undefined || input['default'] === null);

/** A default of each input type, as ci.json's jobInputs asks for it (a string when the type is none it knows). */
const DEFAULT_OF_TYPE: Readonly<Record<string, unknown>> = { string: '', number: 0, boolean: false, array: [] };
const typedDefault = (type: unknown): unknown =>
  typeof type === 'string' && Object.hasOwn(DEFAULT_OF_TYPE, type) ? DEFAULT_OF_TYPE[type] : '';

/** ci.json's pattern for the names of an include's (and a trigger's) `inputs:`. */
const EDITOR_INPUT_NAME = /^[a-zA-Z0-9_-]+$/;

/** Entry::BaseInput (an input of `spec:inputs`, or of a job's `inputs:`): `description` is any
 *  alphanumeric value, of any length; ci.json caps it at 1024 characters. Read as one it takes. */
const anyDescription = (value: unknown): unknown => (typeof value === 'string' ? '' : value);

const READINGS: readonly Reading[] = [
  // Entry::Stages: nested_array_of_strings, read flattened; no uniqueness, no minimum.
  {
    path: ['stages'],
    read: (value) => {
      if (!nestedStrings(value)) return value;
      const flat = [...new Set(value.flat(Infinity) as string[])];
      return flat.length === 0 ? ABSENT : flat.length === value.length && !value.some(Array.isArray) ? value : flat;
    },
  },
  // Entry::Needs reads `[@config].flatten` (see needItems), a job's and a rule's alike: a hash is
  // one need, and needs in nested lists (an alias, a resolved `!reference` of hashes) are read flat;
  // ci.json takes a list of names and hashes. EE Need::BridgeHash, `needs: {pipeline: x}` (the
  // documented upstream-status job) or the same need in a list: ci.json takes a pipeline only
  // beside a job, so it would ask for keys such a need does not take. Read without the hash, and
  // each such item of a list as a name, which ci.json takes; what GitLab refuses in one is the
  // linter's to judge (lint/entries.ts).
  { path: [ANY, 'needs'], read: (value) => needsRead(value, true) },
  { path: [ANY, 'rules', ANY, 'needs'], read: (value) => needsRead(value, false) },
  // Entry::Commands: a string or lists of strings nested up to 10 levels, read flattened; ci.json
  // takes 2 levels.
  ...[['before_script'], ['after_script'], ...['script', 'before_script', 'after_script'].map((key) => [ANY, key])].map(
    (path): Reading => ({ path: path as Reading['path'], read: (value) => (nestedLists(value) ? value.flat(Infinity) : value) }),
  ),
  // External::File::Base: a local file's extension in any case (`Build.YML`); ci.json's pattern
  // is lower-case. Read with the extension lower-cased. A location written as a string needs only
  // that extension too (`configs/*.yml`, the documented wildcard; `ci/a-.yml`), where ci.json asks
  // for a word character before it: read with one there.
  ...[['include'], ['include', ANY], ['include', 'local'], ['include', ANY, 'local']].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => {
      if (typeof value !== 'string' || !hasYamlExtension(value)) return value;
      const wordBefore = path.at(-1) === 'local' || /\w\.ya?ml$/i.test(value) || /^\w+:\/\//.test(value);
      return value.replace(/\.ya?ml$/i, (ext) => `${wordBefore ? '' : 'x'}${ext.toLowerCase()}`);
    },
  })),
  // Entry::Rules (a ComposableArray): rules in nested lists, as a !reference among them gives, are
  // read flattened ([@config].flatten); ci.json takes a rule or a tag's list of strings.
  {
    path: [ANY, 'rules'],
    read: (value) => {
      const rules = Array.isArray(value) ? (value as unknown[]) : undefined;
      if (!rules?.some((item) => Array.isArray(item) && !stringList(item))) return value;
      const items = ruleItems(rules, []);
      if (!items.every(({ item }) => isHash(item) || stringList(item))) return rules;
      return flattened(rules, items);
    },
  },
  // Rules::Rule::Exists (SimpleExists) takes a string as one path (`exists: Dockerfile`), in a
  // job's, a workflow's and an include's rules; ci.json asks for a list. Read as that list.
  // Rules::Rule's `changes:` and `exists:` given no value are unspecified (Entry::Factory), the same
  // as absent; ci.json refuses null. Read without them.
  ...[
    [ANY, 'rules', ANY],
    ['include', ANY, 'rules', ANY],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => {
      if (!isHash(value)) return value;
      const exists = value['exists'];
      const unspecified = (['changes', 'exists'] as const).filter((key) => Object.hasOwn(value, key) && value[key] === null);
      if (typeof exists !== 'string' && unspecified.length === 0) return value;
      const copy: Record<string, unknown> = { ...value, ...(typeof exists === 'string' ? { exists: [exists] } : {}) };
      for (const key of unspecified) delete copy[key];
      return copy;
    },
  })),
  // Entry::Services and Entry::Caches (ComposableArrays): lists nested by a `!reference` or an
  // alias among the items are read flattened; ci.json takes one level.
  ...[['services'], [ANY, 'services'], ['cache'], [ANY, 'cache']].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (Array.isArray(value) && value.some(Array.isArray) ? flattened(value, flatItems(value, [])) : value),
  })),
  // Entry::Cache: `policy` is validated with `allow_blank` and ALLOWED_POLICY (see CACHE_POLICY);
  // ci.json refuses a blank one and `${CACHE_POLICY}`. Each cache read without a policy it takes.
  ...[['cache'], [ANY, 'cache']].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (Array.isArray(value) ? readAt(value, [ANY], cachePolicyRead) : cachePolicyRead(value)),
  })),
  // Entry::Key (KeyValidator): a string key is refused only when, unescaped, it holds a `/` or is
  // `.` or `..` (`""` and `...` are keys); ci.json's pattern refuses more, in words about a hash.
  // A string key is the linter's to judge (lint/entries.ts, in GitLab's words).
  ...[
    ['cache', 'key'],
    ['cache', ANY, 'key'],
    [ANY, 'cache', 'key'],
    [ANY, 'cache', ANY, 'key'],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (typeof value === 'string' ? ABSENT : value),
  })),
  // Entry::Job: a delayed job without `start_in` is refused by its DurationValidator, in its words
  // (lint/entries.ts); ci.json's oneOf would call `when` not allowed. Read without `when` (and a
  // null `start_in`) then.
  {
    path: [ANY],
    read: (value) => {
      if (!isHash(value) || value['when'] !== 'delayed' || (value['start_in'] !== undefined && value['start_in'] !== null)) return value;
      const { when: _when, start_in: _startIn, ...rest } = value;
      return rest;
    },
  },
  // Retry (FullRetry.possible_retry_when_values): `when` takes every failure reason a build can
  // have, and `always`; ci.json lists the documented ones. Another of GitLab's is read as `always`.
  {
    path: [ANY, 'retry', 'when'],
    read: (value: unknown): unknown => {
      const read = (item: unknown): unknown => (typeof item === 'string' && UNDOCUMENTED_FAILURE_REASONS.has(item) ? 'always' : item);
      if (!Array.isArray(value)) return read(value);
      const list: unknown[] = value;
      const items = list.map(read);
      return items.every((item, i) => item === list[i]) ? list : items;
    },
  },
  // Entry::Artifacts: `access` beside `public` is MutuallyExclusiveKeysValidator's, in its words
  // (lint/entries.ts); ci.json's if/then would say `artifacts` is not allowed, at another key.
  {
    path: [ANY, 'artifacts'],
    read: (value) => {
      if (!isHash(value) || !Object.hasOwn(value, 'access') || !Object.hasOwn(value, 'public')) return value;
      const { public: _public, ...rest } = value;
      return rest;
    },
  },
  // Entry::Environment: `url` is any String of up to 255 characters, expanded when the job runs
  // (`$DYNAMIC_ENVIRONMENT_URL`, `https://$CI_COMMIT_REF_SLUG.example.com`); ci.json asks for a URI.
  // Entry::Coverage (RegexpValidator): `/pattern/flags` as UntrustedRegexp::RubySyntax reads it,
  // compiled by RE2, so `(?i)` too; ci.json asks for a JavaScript RegExp. A url string and any
  // coverage are GitLab's to judge: the linter does (lint/entries.ts), with GitLab's words.
  { path: [ANY, 'environment', 'url'], read: (value) => (typeof value === 'string' ? ABSENT : value) },
  // Entry::Kubernetes: `namespace` is any String (type, allow_nil); it must be present only beside
  // `flux_resource_path` (lint/entries.ts says so, in GitLab's words). ci.json asks for one
  // character: an empty one is read as absent.
  { path: [ANY, 'environment', 'kubernetes', 'namespace'], read: (value) => (value === '' ? ABSENT : value) },
  { path: [ANY, 'coverage'], read: (value) => (value === null ? value : ABSENT) },
  // Entry::Tags, Artifacts (paths, exclude), Image and Service (entrypoint, command):
  // array_of_strings, `[]` too (`tags: []` clears the default's tags).
  ...[
    [ANY, 'tags'],
    [ANY, 'artifacts', 'paths'],
    [ANY, 'artifacts', 'exclude'],
    ['image', 'entrypoint'],
    [ANY, 'image', 'entrypoint'],
    ['services', ANY, 'entrypoint'],
    [ANY, 'services', ANY, 'entrypoint'],
    ['services', ANY, 'command'],
    [ANY, 'services', ANY, 'command'],
  ].map((path): Reading => ({ path: path as Reading['path'], read: emptyAllowed })),
  // Entry::Workflow's rules take `allow_failure` and `needs` too (kept, GitLab's comment says, so as
  // not to break pipelines; each still validated by Rules::Rule); ci.json refuses them. A rule's
  // `allow_failure` of any value is the linter's to judge (lint/entries.ts: GitLab's words for one
  // that is not a boolean); `needs` as a rule's (job names, `{job:}` hashes) is read as allowed.
  // `start_in` stays refused: a rule takes it only beside `when: delayed`, which a workflow rule
  // may not say.
  // A workflow rule written as a string is refused by Rules::Rule (type Hash), in its words
  // (lint/entries.ts: `workflow:rules:rule config should be a hash`); ci.json would say it should be
  // a hash or an array. Read as a hash, for the schema to say nothing more.
  {
    path: ['workflow', 'rules', ANY],
    read: (value) => {
      if (typeof value === 'string') return {};
      if (!isHash(value)) return value;
      const allow = Object.hasOwn(value, 'allow_failure');
      const needs = Array.isArray(value['needs']) && (value['needs'] as unknown[]).every(ruleNeed);
      if (!allow && !needs) return value;
      const copy = { ...value };
      if (allow) delete copy['allow_failure'];
      if (needs) delete copy['needs'];
      return copy;
    },
  },
  // External::Mapper::VariablesExpander: an include's location is expanded before it is read
  // (`$CI_SERVER_URL/x/ci.yml`, `https://${CI_SERVER_HOST}/ci.yml`); ci.json checks it as written.
  // A remote URL is then whatever the variables hold; any other location keeps its shape.
  ...[
    ['include', 'remote'],
    ['include', ANY, 'remote'],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (typeof value === 'string' && HAS_VARIABLE.test(value) ? 'https://expanded.invalid/include.yml' : value),
  })),
  ...[
    ['include'],
    ['include', ANY],
    ...['local', 'template', 'component', 'file'].flatMap((key) => [
      ['include', key],
      ['include', ANY, key],
    ]),
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => {
      const expanded = (text: unknown) => (typeof text === 'string' && HAS_VARIABLE.test(text) ? plainVariables(text) : text);
      if (!Array.isArray(value)) return expanded(value);
      const list = value as unknown[];
      const items = list.map(expanded);
      return items.every((item, i) => item === list[i]) ? list : items;
    },
  })),
  // Trigger::SameProjectTrigger: at most INCLUDE_MAX_SIZE includes, Includes' own words past it
  // (lint/entries.ts); ci.json's oneOf would fault each item. Read as its first ones.
  {
    path: [ANY, 'trigger', 'include'],
    read: (value) => (Array.isArray(value) && value.length > TRIGGER_INCLUDE_MAX ? value.slice(0, TRIGGER_INCLUDE_MAX) : value),
  },
  // Inherit::Default: `inherit: default: [...]` takes every key `default:` takes (its
  // ALLOWED_VALUES are Default::ALLOWED_KEYS); ci.json's list lacks the newer ones. Read without them.
  {
    path: [ANY, 'inherit', 'default'],
    read: (value) =>
      Array.isArray(value) && value.some((key) => INHERITABLE_BEYOND_SCHEMA.has(key as string))
        ? value.filter((key) => !INHERITABLE_BEYOND_SCHEMA.has(key as string))
        : value,
  },
  // Entry::Variables (a ComposableHash) reads each variable as `config || {}`: a null (`VAR:`)
  // is a variable with no value, which ComplexVariable takes where it is given allowed_value_data
  // (a job's and the global `variables:`); ci.json refuses null. A rule's `variables:` are given
  // none, so ComplexVariable refuses such a variable there, in its words (lint/entries.ts:
  // `config must be a string`), not ci.json's: read as a string there too.
  ...[
    ['variables', ANY],
    [ANY, 'variables', ANY],
    [ANY, 'rules', ANY, 'variables', ANY],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (value === null ? '' : value),
  })),
  // Entry::Secret: see secretRead.
  { path: [ANY, 'secrets', ANY], read: secretRead },
  // Entry::Release: `milestones` is array_of_strings_or_string, allow_blank; ci.json asks for an
  // array. `released_at` is read by DateTime.iso8601 (`next unless` it is given), which takes more
  // than ci.json's RFC 3339 pattern (`2021-03-15`, fractions of a second, `+0100`): a string is the
  // linter's to judge, in GitLab's words (lint/entries.ts).
  { path: [ANY, 'release', 'milestones'], read: (value) => (typeof value === 'string' || rubyBlank(value) ? ABSENT : value) },
  {
    path: [ANY, 'release', 'released_at'],
    read: (value) => (typeof value === 'string' || value === null || value === false ? ABSENT : value),
  },
  // A job's `inputs:` descriptions: see anyDescription.
  { path: [ANY, 'inputs', ANY, 'description'], read: (value) => anyDescription(value) },
  // Entry::JobInput refuses an input without a default (see jobInputWithoutDefault) in its own
  // words (spec-rules.ts, said by lint/entries.ts); ci.json asks for the key, and a null one is to
  // it a value of the wrong type. Read with a default of the input's type.
  {
    path: [ANY, 'inputs', ANY],
    read: (value) => (jobInputWithoutDefault(value) ? { ...value, default: typedDefault(value['type']) } : value),
  },
  // Interpolation::Inputs (inputs/*_input.rb) and Ci::Inputs check an input value's type, options
  // and regex, never its length; ci.json caps a string at 1024 characters. Any string is read as
  // one it takes.
  ...[
    ['include', 'inputs', ANY],
    ['include', ANY, 'inputs', ANY],
    [ANY, 'trigger', 'inputs', ANY],
    [ANY, 'trigger', 'include', ANY, 'inputs', ANY],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => (typeof value === 'string' ? '' : value),
  })),
  // Entry::Include and Interpolation::Inputs take any input name an included spec declares
  // (Header::Input: alphanumeric, any String); ci.json's pattern for them is the editor's,
  // letters, digits, _ and -. A value there is any value ci.json takes (see above): read without
  // the inputs it names otherwise, whose names spec-rules.ts and the include's check judge.
  ...[
    ['include', 'inputs'],
    ['include', ANY, 'inputs'],
    [ANY, 'trigger', 'inputs'],
    [ANY, 'trigger', 'include', ANY, 'inputs'],
  ].map((path): Reading => ({
    path: path as Reading['path'],
    read: (value) => {
      if (!isHash(value) || Object.keys(value).every((name) => EDITOR_INPUT_NAME.test(name))) return value;
      return Object.fromEntries(Object.entries(value).filter(([name]) => EDITOR_INPUT_NAME.test(name)));
    },
  })),
  // Variable::ComplexVariable: `value:` is any scalar (scalar: true), read as a string (to_s);
  // ci.json asks for a string.
  ...[['variables', ANY, 'value'] as const, [ANY, 'variables', ANY, 'value'] as const].map((path): Reading => ({
    path,
    read: (value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
  })),
];

/** `value` with `read` applied at every place `path` matches, copying only what changes. */
function readAt(value: unknown, path: Reading['path'], read: Reading['read']): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return read(value);
  if (Array.isArray(value)) {
    const list = value as unknown[];
    if (head !== ANY) return list;
    const items = list.map((item) => readAt(item, rest, read));
    if (items.every((item, i) => item === list[i])) return list;
    const copy = items.map((item, i) => (item === ABSENT ? list[i] : item));
    // A list read flattened keeps where its items are written, in its copy too.
    const origins = FLATTENED.get(list);
    if (origins) FLATTENED.set(copy, origins);
    return copy;
  }
  if (!isHash(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of head === ANY ? Object.keys(value) : Object.hasOwn(value, head) ? [head] : []) {
    const after = readAt(value[key], rest, read);
    if (after === value[key]) continue;
    copy ??= { ...value };
    if (after === ABSENT) delete copy[key];
    else copy[key] = after;
  }
  return copy ?? value;
}

/** The readings below one top-level key, in their order (those for any key, and that key's own), each from below that key. */
type KeyReading = { rest: Reading['path']; read: Reading['read'] };
const below = (readings: readonly Reading[]): KeyReading[] => readings.map((r) => ({ rest: r.path.slice(1), read: r.read }));
const ANY_KEY_READINGS = below(READINGS.filter((reading) => reading.path[0] === ANY));
const KEY_READINGS = new Map<string, KeyReading[]>();
for (const { path } of READINGS) {
  const head = path[0];
  if (typeof head === 'string' && !KEY_READINGS.has(head))
    KEY_READINGS.set(head, below(READINGS.filter((r) => r.path[0] === ANY || r.path[0] === head)));
}

/**
 * The content as GitLab's entries read it, where ci.json would refuse what they accept. One pass
 * over the top-level keys, each value read by its readings in order (a reading below one key
 * never changes another's), so a pipeline of many jobs is walked once, not once per reading.
 */
export function contentAsEntriesRead(content: unknown): unknown {
  if (!isHash(content)) return READINGS.reduce((value, reading) => readAt(value, reading.path, reading.read), content);
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(content)) {
    const before = content[key];
    let after = before;
    for (const { rest, read } of KEY_READINGS.get(key) ?? ANY_KEY_READINGS) {
      after = readAt(after, rest, read);
      if (after === ABSENT) break;
    }
    if (after === before) continue;
    copy ??= { ...content };
    if (after === ABSENT) delete copy[key];
    else copy[key] = after;
  }
  return copy ?? content;
}

/**
 * Header::Input::Rules::Rule takes a rule without `default` when it has `options` (a rule with
 * `if` needs one of the two, a fallback rule `options`: spec-rules.ts says so, in GitLab's words);
 * ci.json asks for `default` in every rule. A rule without one is read with a null one, which
 * ci.json takes.
 */
const inputRuleRead = (rule: unknown): unknown => (isHash(rule) && !Object.hasOwn(rule, 'default') ? { ...rule, default: null } : rule);

/**
 * The header as GitLab's entries read it: a key given no value (`spec:`, `spec: inputs:`) is
 * unspecified, the same as absent (Entry::Factory; the header's `spec` then defaults to `{}`),
 * where GitLab's ci.json would ask for a hash; descriptions and input rules as above.
 */
export function headerAsEntriesRead(header: unknown): unknown {
  if (!isHash(header) || !Object.hasOwn(header, 'spec')) return header;
  const spec = header['spec'];
  if (spec === null) return { ...header, spec: {} };
  if (isHash(spec) && spec['inputs'] === null) {
    const { inputs: _dropped, ...rest } = spec;
    return { ...header, spec: rest };
  }
  if (isHash(spec) && isHash(spec['inputs'])) {
    const described = readAt(spec['inputs'], [ANY, 'description'], anyDescription);
    const inputs = readAt(described, [ANY, 'rules', ANY], inputRuleRead);
    if (inputs !== spec['inputs']) return { ...header, spec: { ...spec, inputs } };
  }
  return header;
}
