/**
 * Rules of GitLab's entries (lib/gitlab/ci/config/entry) that its ci.json does not express,
 * checked on a job as GitLab reads it (`extends` merged, `!reference` tags resolved), in GitLab's
 * words. Each finding names the path, within the job, of what it is about.
 */
import type { PathSegment } from '../ci/diagnostics.js';
import { bridgeNeed, needItems, ruleItems, rubyBlank, stringList, TRIGGER_INCLUDE_MAX } from '../ci/entries-read.js';
import { matchesRubySyntax, rubyRegexpProblem } from '../ci/expression.js';
import { isHash, valueAt } from '../ci/merge.js';
import { BASE_INPUT_KEYS, jobInputDefaultProblem, tooManyOptions } from '../ci/spec-rules.js';
import { describePath, suggest } from '../ci/schema.js';
import { rubyIso8601DateTime } from '../ci/ruby-date.js';

export interface EntryFinding {
  /** Within the job checked; from the top for a global keyword. */
  path: PathSegment[];
  code: string;
  message: string;
  /** Shown at the key rather than its value (a key that is not allowed). */
  at?: 'key';
}

/** How deep lists nest in a value: a string 0, `[a]` 1, `[[a]]` 2. */
export function listDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!Array.isArray(node)) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const item of node) stack.push([item, depth + 1]);
  }
  return deepest;
}

/** GitLab's nested_array_of_strings and string_or_nested_array_of_strings: at most 10 levels. */
const MAX_LIST_NESTING = 10;

/** Entry::Stages and Entry::Commands (`script`, `before_script`, `after_script`): lists nested at
 *  most 10 levels (what the lists hold is ci.json's to check). */
function nestingFindings(path: PathSegment[], value: unknown, what: string): EntryFinding[] {
  if (listDepth(value) <= MAX_LIST_NESTING) return [];
  return [
    {
      path,
      code: 'semantic/nesting',
      message: `${describePath(path)} config should be ${what} up to ${MAX_LIST_NESTING} levels deep`,
    },
  ];
}

const COMMANDS = 'a string or a nested array of strings';
const SCRIPTS = ['script', 'before_script', 'after_script'];

/** Product::Parallel::PARALLEL_LIMIT. */
export const PARALLEL_LIMIT = 200;

/** AlphanumericValidator: what a matrix value may be (a String, a Symbol, an Integer). */
const alphanumeric = (value: unknown): boolean => typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));

/** What GitLab says of a `parallel:matrix` entry holding a value it does not take. */
export const matrixValueMessage = (name: string, index: number): string =>
  `${describePath([name, 'parallel', 'matrix', index])} config should be a hash of key value pairs, value can be an array`;

/** Product::Matrix and Product::Variables: each value present, a string or an integer (or a list
 *  of them), and at most 200 jobs over all entries. */
function matrixFindings(name: string, parallel: unknown): EntryFinding[] {
  const matrix = isHash(parallel) ? parallel['matrix'] : undefined;
  if (!Array.isArray(matrix)) return [];
  const findings: EntryFinding[] = [];
  let jobs = 0;
  matrix.forEach((entry, index) => {
    if (!isHash(entry)) return;
    const at = ['parallel', 'matrix', index];
    let product = 1;
    for (const [key, value] of Object.entries(entry)) {
      const items = Array.isArray(value) ? value : [value];
      product *= items.length;
      // validate_array_value_variables: each value present? (`""`, `"  "` and `[]` are not; null and
      // true, neither a list nor a number, are ci.json's to report), and each item alphanumeric.
      if (value !== null && rubyBlank(value)) {
        findings.push({ path: [...at, key], code: 'semantic/matrix', message: matrixValueMessage(name, index) });
        continue;
      }
      const wrong = Array.isArray(value) || typeof value === 'number' ? items.findIndex((item) => !alphanumeric(item)) : -1;
      if (wrong >= 0)
        findings.push({
          path: [...at, key, ...(Array.isArray(value) ? [wrong] : [])],
          code: 'semantic/matrix',
          message: matrixValueMessage(name, index),
        });
    }
    jobs += product;
  });
  if (jobs > PARALLEL_LIMIT)
    findings.push({
      path: ['parallel', 'matrix'],
      code: 'semantic/matrix',
      message: `${describePath([name, 'parallel', 'matrix'])} config generates too many jobs (maximum is ${PARALLEL_LIMIT})`,
    });
  return findings;
}

/** ChronicDuration's units, in seconds (GitLab's patch: a month is 30 days). */
const DURATION_UNITS: Record<string, number> = {
  ...Object.fromEntries(['seconds', 'second', 'secs', 'sec', 's'].map((unit) => [unit, 1])),
  ...Object.fromEntries(['minutes', 'minute', 'mins', 'min', 'm'].map((unit) => [unit, 60])),
  ...Object.fromEntries(['hours', 'hour', 'hrs', 'hr', 'h'].map((unit) => [unit, 3600])),
  ...Object.fromEntries(['days', 'day', 'dy', 'd'].map((unit) => [unit, 86_400])),
  ...Object.fromEntries(['weeks', 'week', 'wks', 'wk', 'w'].map((unit) => [unit, 604_800])),
  ...Object.fromEntries(['months', 'month', 'mos', 'mo'].map((unit) => [unit, 2_592_000])),
  ...Object.fromEntries(['years', 'year', 'yrs', 'yr', 'y'].map((unit) => [unit, 31_557_600])),
};

/**
 * The seconds a duration such as `1 week`, `2h 30m` or `1 day and 3 hours` stands for, as
 * ChronicDuration reads it; undefined for anything else (ChronicDuration reads more, number words
 * and `3:41:59` among them: those are not judged here).
 */
export function durationSeconds(text: string): number | undefined {
  const words = text.toLowerCase().replace(/\b(?:and|with|plus)\b|,/g, ' ');
  const term = /(\d*\.?\d+)\s*([a-z]*)/g;
  let seconds = 0;
  let rest = words;
  for (const [whole, number, unit] of words.matchAll(term)) {
    const factor = unit === '' ? 1 : DURATION_UNITS[unit as string];
    if (factor === undefined) return undefined;
    seconds += Number(number) * factor;
    rest = rest.replace(whole, ' ');
  }
  return rest.trim() === '' && /\d/.test(words) ? seconds : undefined;
}

/** Words ChronicDuration reads beside its units: joining words, and what Numerizer turns into numbers. */
const DURATION_WORDS = new Set([
  ...['and', 'with', 'plus', 'a', 'an', 'half', 'quarter', 'quarters', 'halves'],
  ...['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'],
  ...['thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'thirty', 'forty'],
  ...['fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'thousand', 'million', 'billion', 'trillion'],
  ...['first', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'],
]);

/**
 * Whether ChronicDuration (raise_exceptions, as GitLab sets it) refuses a text outright: a word
 * that is neither a unit, nor a joining or number word, nor a number (`7 elephants`, `${KEEP}`,
 * `forever`). What it may or may not read (colons, dashes) is not judged.
 */
export function surelyNotADuration(text: string): boolean {
  if (/[:-]/.test(text)) return false;
  const words = text
    .toLowerCase()
    .replace(/,/g, ' ')
    .replace(/(\d*\.?\d+)/g, ' $1 ')
    .split(/\s+/)
    .filter(Boolean);
  return words.some((word) => !/^\d*\.?\d+$/.test(word) && DURATION_UNITS[word] === undefined && !DURATION_WORDS.has(word));
}

/** Entry::Release: a `released_at` string DateTime.iso8601 refuses (entries-read.ts keeps it from ci.json). */
function releaseFindings(name: string, release: unknown): EntryFinding[] {
  const releasedAt = isHash(release) ? release['released_at'] : undefined;
  if (typeof releasedAt !== 'string' || rubyIso8601DateTime(releasedAt)) return [];
  return [
    {
      path: ['release', 'released_at'],
      code: 'semantic/release',
      message: `${describePath([name, 'release'])} released at must be a valid datetime`,
    },
  ];
}

/** Project::MAX_BUILD_TIMEOUT, one month as ActiveSupport counts it: the limit of `timeout`. */
const TIMEOUT_LIMIT = 2_629_746;

/** ExpandVariables::VARIABLES_REGEXP: `$NAME`, `${NAME}` or `%NAME%` anywhere in a value. */
const HOLDS_VARIABLE = /\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|%[A-Za-z_][A-Za-z0-9_]*%/;

/**
 * Entry::Artifacts, Pages, Environment, Timeout: their DurationValidators (`never` is
 * DurationParser's). Environment's takes `variable: true`: a value that holds a variable is not
 * judged (GitLab expands it when the deployment succeeds); the others judge every value.
 */
function durationFindings(
  entry: Record<string, unknown>,
  { named, at: base }: { named: PathSegment[]; at: PathSegment[] },
): EntryFinding[] {
  const findings: EntryFinding[] = [];
  /** `key` of the entry at `path` (none: the entry itself is the value), worded as GitLab words its attribute. */
  const judge = (path: PathSegment[], key: string | undefined, words: string, never: boolean, limit?: number, variable = false) => {
    const holder = path.length === 0 ? entry : valueAt(entry, path);
    const value = key === undefined ? holder : isHash(holder) ? holder[key] : undefined;
    if (typeof value !== 'string' || (never && value.trim().toLowerCase() === 'never')) return;
    if (variable && HOLDS_VARIABLE.test(value)) return;
    const problem = surelyNotADuration(value)
      ? 'should be a duration'
      : limit !== undefined && (durationSeconds(value) ?? 0) > limit
        ? 'should not exceed the limit'
        : undefined;
    if (problem)
      findings.push({
        path: [...base, ...path, ...(key === undefined ? [] : [key])],
        code: 'semantic/duration',
        message: `${describePath([...named, ...path])} ${words} ${problem}`,
      });
  };
  judge(['artifacts'], 'expire_in', 'expire in', true);
  judge(['pages'], 'expire_in', 'expire in', true);
  judge(['environment'], 'auto_stop_in', 'auto stop in', true, undefined, true);
  judge(['timeout'], undefined, 'config', false, TIMEOUT_LIMIT);
  return findings;
}

/** The limit GitLab puts on `start_in` (duration: { limit: '1 week' }). */
const START_IN_LIMIT = 604_800;

const tooLate = (startIn: unknown): boolean => typeof startIn === 'string' && (durationSeconds(startIn) ?? 0) > START_IN_LIMIT;

/** The hashes of a `rules:` list (GitLab flattens nested lists, a !reference's), each with its path. */
export function rulesOf(rules: unknown, path: PathSegment[] = ['rules']): { rule: Record<string, unknown>; path: PathSegment[] }[] {
  if (!Array.isArray(rules)) return [];
  return ruleItems(rules, path).flatMap(({ item, path: at }) => (isHash(item) ? [{ rule: item, path: at }] : []));
}

/** Entry::Job: start_in only with `when: delayed` and without `rules:`, at most a week; Rules::Rule:
 *  start_in only in a delayed rule, which must have one, at most a week. A job not `complete` (a base
 *  cigen cannot see) is not judged by the `when:` or `start_in` that base may give it. */
function startInFindings(name: string, job: Record<string, unknown>, complete: boolean): EntryFinding[] {
  const findings: EntryFinding[] = [];
  const at = (path: PathSegment[], message: string) => findings.push({ path, code: 'semantic/start-in', message });
  const jobs = () => describePath([name]);
  const given = (value: unknown) => value !== undefined && value !== null;
  // With rules:, start_in is one of the keys Processable refuses beside them (reported there).
  // Rails words an attribute humanized: `start in`.
  if (given(job['start_in']) && !given(job['rules'])) {
    if (job['when'] !== 'delayed' && (complete || job['when'] !== undefined)) at(['start_in'], `${jobs()} start in must be blank`);
    else if (tooLate(job['start_in'])) at(['start_in'], `${jobs()} start in should not exceed the limit`);
  }
  // A delayed job's DurationValidator, given nothing (ci.json says `when` is not allowed).
  if (job['when'] === 'delayed' && !given(job['start_in']) && (complete || job['start_in'] !== undefined))
    at(['when'], `${jobs()} start in should be a duration`);
  const rules = () => `${describePath([name, 'rules'])}:rule`;
  for (const { rule, path } of rulesOf(job['rules'])) {
    if (rule['when'] !== 'delayed') {
      if (given(rule['start_in'])) at([...path, 'start_in'], `${rules()} config contains disallowed keys: start_in`);
    } else if (!given(rule['start_in'])) at([...path, 'when'], `${rules()} start in can't be blank`);
    else if (tooLate(rule['start_in'])) at([...path, 'start_in'], `${rules()} start in should not exceed the limit`);
  }
  return findings;
}

/** Rules::Rule in `workflow:rules` (Entry::Workflow keeps `allow_failure` there; ci.json refuses
 *  the key, entries-read.ts reads it as allowed): a boolean or null (`allow_nil`). */
function workflowAllowFailureFindings(rules: unknown): EntryFinding[] {
  return rulesOf(rules, ['workflow', 'rules']).flatMap(({ rule, path }): EntryFinding[] => {
    const value = rule['allow_failure'];
    if (value === undefined || value === null || typeof value === 'boolean') return [];
    return [
      {
        path: [...path, 'allow_failure'],
        code: 'semantic/workflow-rule',
        message: 'workflow:rules:rule allow failure should be a boolean value',
      },
    ];
  });
}

/** Rules::Rule::Changes and Rules::Rule::Exists (MAX_PATHS): at most 50 paths, as a list or under `paths:`. */
const MAX_RULE_PATHS = 50;

/**
 * The `changes:` and `exists:` paths of the rules at `path` (a job's `rules`, `workflow:rules`, an
 * include's), `where` naming them as GitLab does. An include's rules (Include::Rules::Rule:
 * `disable_simple_exists_paths_limit`) take any number of `exists:` paths written as a list;
 * `listedExists: false` says so. A string `exists:` is one path.
 */
function rulePathsFindings(where: () => string, rules: unknown, path: PathSegment[], { listedExists = true } = {}): EntryFinding[] {
  return rulesOf(rules, path).flatMap(({ rule, path: at }) =>
    (['changes', 'exists'] as const).flatMap((key): EntryFinding[] => {
      const value = rule[key];
      const [list, sub, attribute] = isHash(value) ? [value['paths'], ['paths'], 'paths'] : [value, [], 'config'];
      if (!Array.isArray(list) || list.length <= MAX_RULE_PATHS || (key === 'exists' && !isHash(value) && !listedExists)) return [];
      return [
        {
          path: [...at, key, ...sub],
          code: `semantic/${key}`,
          message: `${where()}:rule:${key} ${attribute} has too many entries (maximum ${MAX_RULE_PATHS})`,
        },
      ];
    }),
  );
}

/**
 * The rules of an include entry at `path` (its `rules:` under it), as External::Rules checks them
 * before the file is read: GitLab's words are the rule entry's, after `include:`.
 */
export function includeRulesFindings(rules: unknown, path: PathSegment[]): EntryFinding[] {
  // Include::Rules, made without a key: GitLab names it `rules`, its rules `rule`.
  if (Array.isArray(rules) && rules.length === 0)
    return [{ path: [...path, 'rules'], code: 'semantic/blank-rules', message: "include:rules config can't be blank" }];
  return rulePathsFindings(() => 'include', rules, [...path, 'rules'], { listedExists: false });
}

/** Entry::Tags::TAGS_LIMIT: a job or `default:` takes fewer than 50 tags (`config.size >= TAGS_LIMIT` is refused). */
const TAGS_LIMIT = 50;

/** The `tags:` of the entry `named` as GitLab names it, `at` its path within what is checked. */
function tagsFindings(tags: unknown, named: PathSegment[], at: PathSegment[]): EntryFinding[] {
  if (!Array.isArray(tags) || tags.length < TAGS_LIMIT) return [];
  return [
    {
      path: [...at, 'tags'],
      code: 'semantic/tags',
      message: `${describePath([...named, 'tags'])} config must be less than the limit of ${TAGS_LIMIT} tags`,
    },
  ];
}

/** Entry::Job: `publish` only in a pages job (named `pages` unless `pages: false`, or with `pages:`),
 *  which a job not `complete` may be through the `pages:` of a base cigen cannot see. */
function publishFindings(name: string, job: Record<string, unknown>, complete: boolean): EntryFinding[] {
  if (job['publish'] === undefined || job['publish'] === null || (!complete && job['pages'] === undefined)) return [];
  const pages = job['pages'];
  const present = pages !== undefined && pages !== null && pages !== false && !(isHash(pages) && Object.keys(pages).length === 0);
  if (present || (name === 'pages' && pages !== false)) return [];
  return [
    { path: ['publish'], code: 'semantic/publish', message: `${describePath([name])} publish can only be used within a \`pages\` job` },
  ];
}

/**
 * The keys GitLab's entries allow (`validates :config, allowed_keys:`) where ci.json leaves the
 * hash open (no `additionalProperties: false`), so a key GitLab refuses passes the schema. One
 * list per entry, as its ALLOWED_KEYS in lib/gitlab/ci/config/entry.
 */
export const ENTRY_ALLOWED_KEYS = {
  /** Entry::Cache::ALLOWED_KEYS. */
  cache: ['key', 'untracked', 'paths', 'when', 'policy', 'unprotect', 'fallback_keys'],
  /** Entry::Key::ComplexKey::ALLOWED_KEYS (a `key:` written as a hash). */
  cacheKey: ['files', 'files_commits', 'prefix'],
  /** Entry::Workflow::ALLOWED_KEYS. */
  workflow: ['rules', 'name', 'auto_cancel'],
  /** Entry::Kubernetes::ALLOWED_KEYS (`environment:kubernetes`). */
  kubernetes: ['namespace', 'agent', 'flux_resource_path', 'managed_resources', 'dashboard'],
  /** Entry::Reports::CoverageReport::ALLOWED_KEYS (`artifacts:reports:coverage_report`). */
  coverageReport: ['coverage_format', 'path'],
  /** Entry::Akeyless::Secret::ALLOWED_KEYS (a secret's `akeyless:`, which ci.json does not know:
   *  entries-read.ts reads it as taken). Each a String (or nil). */
  akeyless: [
    'name',
    'data_key',
    'cert_user_name',
    'public_key_data',
    'csr_data',
    'akeyless_api_url',
    'akeyless_access_type',
    'akeyless_token',
    'uid_token',
    'gcp_audience',
    'azure_object_id',
    'k8s_service_account_token',
    'k8s_auth_config_name',
    'akeyless_access_key',
    'gateway_ca_certificate',
  ],
} as const satisfies Record<string, readonly string[]>;

/** An attribute as Rails names it in a message (humanize, which drops an `_id` suffix), lower-cased as GitLab's are. */
const humanized = (attribute: string): string => attribute.replace(/_id$/, '').replace(/_/g, ' ');

/** Entry::Akeyless::Secret on each secret's `akeyless:` (a hash of its keys, each a string), in GitLab's words. */
function akeylessFindings(name: string, secrets: unknown): EntryFinding[] {
  if (!isHash(secrets)) return [];
  return Object.entries(secrets).flatMap(([secret, value]): EntryFinding[] => {
    const akeyless = isHash(value) ? value['akeyless'] : undefined;
    if (akeyless === undefined || akeyless === null) return [];
    const named = [name, 'secrets', secret, 'akeyless'];
    const at = ['secrets', secret, 'akeyless'];
    const where = describePath(named);
    if (!isHash(akeyless)) return [{ path: at, code: 'semantic/akeyless', message: `${where} config should be a hash` }];
    return [
      ...unknownKeysFindings(akeyless, ENTRY_ALLOWED_KEYS.akeyless, named, at),
      ...ENTRY_ALLOWED_KEYS.akeyless
        .filter((key) => akeyless[key] !== undefined && akeyless[key] !== null && typeof akeyless[key] !== 'string')
        .map((key) => ({ path: [...at, key], code: 'semantic/akeyless', message: `${where} ${humanized(key)} should be a string` })),
    ];
  });
}

/** Entry::Key::ComplexKey: `only_one_of_keys: { in: %i[files files_commits] }`. */
const CACHE_KEY_SOURCES = ['files', 'files_commits'];

/** AllowedKeysValidator on the hash at `path` (`at` within the job checked, `named` as GitLab
 *  names it): the keys it does not allow, in GitLab's words, each with the nearest it allows. */
function unknownKeysFindings(value: unknown, allowed: readonly string[], named: PathSegment[], at: PathSegment[] = named): EntryFinding[] {
  if (!isHash(value)) return [];
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return [];
  const hints = unknown.map((key) => {
    const hint = suggest(key, allowed);
    return hint ? `${key} (did you mean ${hint}?)` : key;
  });
  return [
    {
      path: [...at, unknown[0] as string],
      at: 'key',
      code: 'semantic/unknown-key',
      message: `${describePath(named)} config contains unknown keys: ${hints.join(', ')}`,
    },
  ];
}

/** Entry::JobInput (each input of a job's `inputs:`): the keys Entry::BaseInput allows (no `rules`,
 *  which a `spec:inputs` input takes), at most its number of `options`, and a default, in GitLab's
 *  words. A default a base cigen cannot see may give (not `complete`) is not called missing; a
 *  null one the job or a base writes is one whatever that base holds. */
function jobInputsFindings(name: string, inputs: unknown, complete: boolean): EntryFinding[] {
  if (!isHash(inputs)) return [];
  return Object.entries(inputs).flatMap(([input, spec]): EntryFinding[] => {
    const named = [name, 'inputs', input];
    const at = ['inputs', input];
    const tooMany = isHash(spec) ? tooManyOptions(spec['options']) : undefined;
    const noDefault = complete || (isHash(spec) && Object.hasOwn(spec, 'default')) ? jobInputDefaultProblem(spec) : undefined;
    return [
      ...unknownKeysFindings(spec, BASE_INPUT_KEYS, named, at),
      ...(tooMany ? [{ path: [...at, 'options'], code: 'semantic/job-input', message: `${describePath(named)} config ${tooMany}` }] : []),
      ...(noDefault ? [{ path: at, code: 'semantic/job-input', message: `${describePath(named)} ${noDefault}` }] : []),
    ];
  });
}

/** Entry::Caches::MULTIPLE_CACHE_LIMIT. */
const MULTIPLE_CACHE_LIMIT = 4;

/** CGI.unescape, as far as these checks need it (`%XX` bytes, `+` a space). */
const unescape = (text: string): string =>
  text.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/** Entry::Caches (at most 4) and KeyValidator (a string key that, unescaped, holds a `/` or is
 *  `.` or `..`) on the `cache:` at `path`. A `key:` hash with neither `files` nor `files_commits`
 *  is judged only when `complete`: a base cigen cannot see may merge one into it. */
function cacheFindings(path: PathSegment[], cache: unknown, complete = true): EntryFinding[] {
  const findings: EntryFinding[] = [];
  const at = (sub: PathSegment[], message: string) =>
    findings.push({ path: [...path, ...sub], code: 'semantic/cache', message: `${describePath([...path, ...sub])} config ${message}` });
  if (Array.isArray(cache) && cache.length > MULTIPLE_CACHE_LIMIT) at([], `no more than ${MULTIPLE_CACHE_LIMIT} caches can be created`);
  const items = Array.isArray(cache) ? cache.map((item, index) => [[index], item] as const) : [[[], cache] as const];
  for (const [sub, item] of items) {
    findings.push(...unknownKeysFindings(item, ENTRY_ALLOWED_KEYS.cache, [...path, ...sub]));
    const key = isHash(item) ? item['key'] : undefined;
    if (isHash(key)) {
      findings.push(...unknownKeysFindings(key, ENTRY_ALLOWED_KEYS.cacheKey, [...path, ...sub, 'key']));
      const sources = CACHE_KEY_SOURCES.filter((source) => Object.hasOwn(key, source)).length;
      // An unseen base may give a cache hash its key's source, never a list's item: extends
      // merges hashes and replaces lists.
      if (sources > 1 || (sources === 0 && (complete || sub.length > 0)))
        at([...sub, 'key'], `must use exactly one of these keys: ${CACHE_KEY_SOURCES.join(', ')}`);
    }
    if (typeof key !== 'string') continue;
    const read = unescape(key);
    if (read.includes('/')) at([...sub, 'key'], 'cannot contain the "/" character');
    else if (read === '.' || read === '..') at([...sub, 'key'], 'cannot be "." or ".."');
  }
  return findings;
}

/** Variable::ComplexVariable: a variable with `options:` must have a `value:` among them (compared
 *  as written: the value 1 is not the option "1"). */
function optionsFindings(variables: unknown): EntryFinding[] {
  if (!isHash(variables)) return [];
  return Object.entries(variables).flatMap(([name, variable]): EntryFinding[] => {
    if (!isHash(variable) || !Array.isArray(variable['options']) || variable['options'].length === 0) return [];
    const value = variable['value'];
    if (variable['options'].includes(value)) return [];
    const given = value !== undefined && value !== null;
    return [
      {
        path: ['variables', name, ...(given ? ['value'] : [])],
        ...(given ? {} : { at: 'key' as const }),
        code: 'semantic/variable-options',
        message: `${describePath(['variables', name])} config value must be present in options`,
      },
    ];
  });
}

/** What GitLab's entries refuse in the global keywords (`variables:`, `default:`, the global `cache:`).
 *  `unresolved` tells a `!reference` cigen could not resolve (see jobEntryFindings). */
export function globalEntryFindings(globals: Record<string, unknown>, unresolved?: (item: unknown) => boolean): EntryFinding[] {
  const defaults = globals['default'];
  const workflow = globals['workflow'];
  return [
    ...nestingFindings(['stages'], globals['stages'], 'an array of strings or a nested array of strings'),
    ...SCRIPTS.flatMap((key) => [
      ...nestingFindings([key], globals[key], COMMANDS),
      ...(isHash(defaults) ? nestingFindings(['default', key], defaults[key], COMMANDS) : []),
    ]),
    ...optionsFindings(globals['variables']),
    ...(isHash(workflow) ? rulePathsFindings(() => 'workflow:rules', workflow['rules'], ['workflow', 'rules']) : []),
    ...(isHash(workflow) ? workflowAllowFailureFindings(workflow['rules']) : []),
    ...(isHash(workflow) ? ruleEntryFindings(workflow['rules'], ['workflow', 'rules'], 'workflow:rules', unresolved) : []),
    ...unknownKeysFindings(workflow, ENTRY_ALLOWED_KEYS.workflow, ['workflow']),
    ...(isHash(defaults) && defaults['cache'] !== undefined ? cacheFindings(['default', 'cache'], defaults['cache']) : []),
    ...(isHash(defaults) ? durationFindings(defaults, { named: ['default'], at: ['default'] }) : []),
    ...(isHash(defaults) ? tagsFindings(defaults['tags'], ['default'], ['default']) : []),
    ...(globals['cache'] !== undefined ? cacheFindings(['cache'], globals['cache']) : []),
  ];
}

/** Entry::Environment's value: a name alone is `{name}`; the action is `start` unless given. */
function environmentOf(value: unknown): { name: unknown; action: unknown } | undefined {
  if (typeof value === 'string') return { name: value, action: 'start' };
  if (!isHash(value)) return undefined;
  return { name: value['name'], action: value['action'] ?? 'start' };
}

/**
 * YamlProcessor#validate_on_stop_job!: the job `environment:on_stop` names must exist and stop
 * the same environment. `jobNamed` gives the visible job a name means, as GitLab reads it, and
 * whether it is `complete`: a job that extends a base cigen cannot see (as `complete` says of the
 * job itself) may take its environment, its name or its action from there, so what that base
 * may give is not judged, nor what GitLab would check after it.
 */
export function onStopFinding(
  name: string,
  job: Record<string, unknown>,
  jobNamed: (name: string) => { value: Record<string, unknown>; complete: boolean } | undefined,
  complete = true,
): (EntryFinding & { undefinedJob: boolean }) | undefined {
  const environment = job['environment'];
  if (!isHash(environment) || typeof environment['on_stop'] !== 'string') return undefined;
  const onStop = environment['on_stop'];
  const stopper = jobNamed(onStop);
  const written = stopper?.value['environment'];
  const stops = environmentOf(written);
  /** Whether the stopper's environment may take `key` from a base cigen cannot see. */
  const unseen = (key: string) => stopper?.complete === false && (written === undefined || (isHash(written) && written[key] === undefined));
  if (stopper && !stops && unseen('name')) return undefined;
  if (stops && ((environment['name'] === undefined && !complete) || unseen('name'))) return undefined;
  const problem = !stopper
    ? 'is not defined'
    : !stops
      ? 'does not have environment defined'
      : stops.name !== environment['name']
        ? 'have different environment name'
        : stops.action !== 'stop' && !unseen('action')
          ? 'needs to have action stop defined'
          : undefined;
  return problem === undefined
    ? undefined
    : {
        path: ['environment', 'on_stop'],
        code: 'semantic/on-stop',
        message: `${name} job: on_stop job ${onStop} ${problem}`,
        undefinedJob: !stopper,
      };
}

/** The keys only a job with a script has (Entry::Job::ALLOWED_KEYS, EE's too, less those
 *  Entry::Bridge shares): a trigger job with one is refused. A key neither knows is ci.json's. */
const JOB_ONLY_KEYS: ReadonlySet<string> = new Set([
  'tags',
  'image',
  'services',
  'start_in',
  'artifacts',
  'cache',
  'dependencies',
  'before_script',
  'after_script',
  'hooks',
  'coverage',
  'retry',
  'timeout',
  'release',
  'id_tokens',
  'publish',
  'pages',
  'manual_confirmation',
  'secrets',
  'dast_configuration',
  'identity',
]);

/** Entry::Job::ALLOWED_WHEN: ci.json's `when` also takes `never`, which only a rule may say. */
const JOB_WHEN = ['on_success', 'on_failure', 'always', 'manual', 'delayed'];

/** Entry::Environment: `url` is a String of at most 255 characters (ActiveModel's length validation). */
const MAX_ENVIRONMENT_URL = 255;

/**
 * Values GitLab reads otherwise than ci.json (entries-read.ts keeps them from the schema):
 * `coverage`, a `/pattern/flags` string compiled by RE2 (RegexpValidator: lookaround and
 * backreferences are refused, `(?i)` taken), and `environment:url`, any text of at most 255 characters (counted
 * as Ruby counts them).
 */
function readAsGitLabFindings(name: string, job: Record<string, unknown>, isJob: boolean): EntryFinding[] {
  const findings: EntryFinding[] = [];
  const coverage = job['coverage'];
  // Not a string: RubySyntax.fabricate! raises 'Pattern is not string!', the same finding.
  if (isJob && coverage !== undefined && coverage !== null && (typeof coverage !== 'string' || rubyRegexpProblem(coverage) !== undefined))
    findings.push({
      path: ['coverage'],
      code: 'semantic/coverage',
      message: `${describePath([name, 'coverage'])} config must be a regular expression with re2 syntax`,
    });
  const environment = job['environment'];
  const url = isHash(environment) ? environment['url'] : undefined;
  if (typeof url === 'string' && [...url].length > MAX_ENVIRONMENT_URL)
    findings.push({
      path: ['environment', 'url'],
      code: 'semantic/environment-url',
      message: `${describePath([name, 'environment'])} url is too long (maximum is ${MAX_ENVIRONMENT_URL} characters)`,
    });
  // Gitlab::Regex.environment_name_regex: these characters, and no `/` first or last.
  const environmentName = typeof environment === 'string' ? environment : isHash(environment) ? environment['name'] : undefined;
  if (typeof environmentName === 'string' && environmentName !== '' && !ENVIRONMENT_NAME.test(environmentName))
    findings.push({
      path: typeof environment === 'string' ? ['environment'] : ['environment', 'name'],
      code: 'semantic/environment-name',
      message:
        `${describePath([name, 'environment'])} name can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', ` +
        "and spaces, but it cannot start or end with '/'",
    });
  const tier = isHash(environment) ? environment['deployment_tier'] : undefined;
  if (typeof tier === 'string' && !DEPLOYMENT_TIERS.includes(tier))
    findings.push({
      path: ['environment', 'deployment_tier'],
      code: 'semantic/environment-tier',
      message: `${describePath([name, 'environment'])} deployment tier must be one of ${DEPLOYMENT_TIERS.join(', ')}`,
    });
  return findings;
}

/**
 * Entry::Policy: the refs of `only:`/`except:` (the list itself, or `refs:` of the hash form),
 * each a string, and one written `/pattern/flags` a pattern RE2 compiles
 * (ArrayOfStringsOrRegexpsValidator); once per list, at its first refused pattern. A ref that is
 * not a string is ci.json's to report.
 */
function policyRefsFindings(name: string, job: Record<string, unknown>): EntryFinding[] {
  return (['only', 'except'] as const).flatMap((key): EntryFinding[] => {
    const policy = job[key];
    const refs = isHash(policy) ? policy['refs'] : policy;
    if (!Array.isArray(refs)) return [];
    const refused = refs.findIndex((ref) => typeof ref === 'string' && matchesRubySyntax(ref) && rubyRegexpProblem(ref) !== undefined);
    if (refused < 0) return [];
    const attribute = isHash(policy) ? 'refs' : 'config';
    return [
      {
        path: isHash(policy) ? [key, 'refs', refused] : [key, refused],
        code: 'semantic/policy-refs',
        message: `${describePath([name, key])} ${attribute} should be an array of strings or regular expressions using re2 syntax`,
      },
    ];
  });
}

/** The `dashboard:` of `environment:kubernetes` as GitLab's schemas/kubernetes/dashboard.json
 *  takes it: `namespace` required, these keys only, each string at most this long. */
const KUBERNETES_DASHBOARD_LENGTHS: Readonly<Record<string, number>> = { namespace: 63, flux_resource_path: 255 };

/** The keys schemas/kubernetes/managed_resources.json takes (`additionalProperties: false`);
 *  ci.json lists the same and leaves the hash open. What it says of `enabled`'s value stands. */
const KUBERNETES_MANAGED_RESOURCES_KEYS: readonly string[] = ['enabled'];

/** A key as JSONSchemer names its place (Location.resolve: a JSON pointer, in backquotes). */
const jsonPointer = (key: string): string => `\`/${key.replace(/~/g, '~0').replace(/\//g, '~1')}\``;

/**
 * Entry::Kubernetes beyond its keys: not blank; `agent` present when `flux_resource_path`,
 * `dashboard` or `managed_resources: {enabled: true}` is; `namespace` present with
 * `flux_resource_path`; `dashboard` and `managed_resources` as their JSON schemas take them
 * (JsonSchemaValidator with detail_errors: JSONSchemer's words); and neither `namespace` nor
 * `flux_resource_path` beside the same key under `dashboard`. In GitLab's words; what ci.json says (a value's type, an empty
 * `dashboard:namespace`) is left to it. A key a base cigen cannot see may give the hash (not
 * `complete`) is not called missing.
 */
function kubernetesFindings(name: string, environment: unknown, complete: boolean): EntryFinding[] {
  const kubernetes = isHash(environment) ? environment['kubernetes'] : undefined;
  if (!isHash(kubernetes)) return [];
  const at: PathSegment[] = ['environment', 'kubernetes'];
  const where = describePath([name, ...at]);
  const findings = unknownKeysFindings(kubernetes, ENTRY_ALLOWED_KEYS.kubernetes, [name, ...at], at);
  const report = (path: PathSegment[], message: string, key?: 'key') =>
    findings.push({ path: [...at, ...path], ...(key ? { at: key } : {}), code: 'semantic/kubernetes', message: `${where} ${message}` });
  if (Object.keys(kubernetes).length === 0) {
    if (complete) report([], "config can't be blank");
    return findings;
  }
  const written = (key: string) => Object.hasOwn(kubernetes, key);
  // JsonSchemaValidator (detail_errors): one error per key a schema with additionalProperties: false refuses.
  const disallowed = (entry: string, key: string) =>
    report([entry, key], `${entry.replace(/_/g, ' ')} object property at ${jsonPointer(key)} is a disallowed additional property`, 'key');
  /** An attribute's presence validation: a blank string, or none when nothing may give one. */
  const blank = (key: string) => {
    const value = kubernetes[key];
    return (value === undefined || value === null || typeof value === 'string') && rubyBlank(value) && (complete || written(key));
  };
  const missing = (key: string) => report(written(key) ? [key] : [], `${key} can't be blank`);
  const dashboard = kubernetes['dashboard'];
  const managed = kubernetes['managed_resources'];
  const flux = !rubyBlank(kubernetes['flux_resource_path']);
  if (flux && blank('namespace')) missing('namespace');
  if ((flux || !rubyBlank(dashboard) || (isHash(managed) && managed['enabled'] === true)) && blank('agent')) missing('agent');
  if (isHash(managed))
    for (const key of Object.keys(managed)) if (!KUBERNETES_MANAGED_RESOURCES_KEYS.includes(key)) disallowed('managed_resources', key);
  if (isHash(dashboard) && Object.keys(dashboard).length > 0) {
    if (!Object.hasOwn(dashboard, 'namespace') && complete)
      report(['dashboard'], 'dashboard object at root is missing required properties: namespace');
    for (const key of Object.keys(dashboard)) {
      const limit = KUBERNETES_DASHBOARD_LENGTHS[key];
      const value = dashboard[key];
      if (limit === undefined) disallowed('dashboard', key);
      else if (typeof value === 'string' && [...value].length > limit)
        report(['dashboard', key], `dashboard string length at ${jsonPointer(key)} is greater than: ${limit}`);
      else if (key === 'flux_resource_path' && value === '')
        report(['dashboard', key], `dashboard string length at ${jsonPointer(key)} is less than: 1`);
    }
    if (!rubyBlank(kubernetes['namespace']) && !rubyBlank(dashboard['namespace']))
      report(['namespace'], 'namespace cannot be specified when dashboard.namespace is set', 'key');
    if (flux && !rubyBlank(dashboard['flux_resource_path']))
      report(['flux_resource_path'], 'flux resource path cannot be specified when dashboard.flux_resource_path is set', 'key');
  }
  return findings;
}

/** Gitlab::Regex.environment_name_regex. */
const ENVIRONMENT_NAME = /^[a-zA-Z0-9_${}. -](?:[a-zA-Z0-9_/${}. -]*[a-zA-Z0-9_${}. -])?$/;

/** Environment.tiers, in their order: what Entry::Environment takes as `deployment_tier`. */
const DEPLOYMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'];

/**
 * Entry::Rules and Rules::Rule on the `rules:` at `path`, `where` naming them as GitLab does: the
 * list must hold something and each rule must say something (`validates :config, presence: true`:
 * `rules: []` and `- {}` are blank); a rule is a hash (`type: { with: Hash }`: a string is not, nor
 * is each string of a list written among the rules, which GitLab flattens). A list `whole` says is
 * one item (a `!reference` cigen could not resolve), among the rules or as the rules, is not
 * judged. A rule's variable given no value is a ComplexVariable without the allowed_value_data a
 * job's variables have: "must be a string".
 */
function ruleEntryFindings(
  rules: unknown,
  path: PathSegment[],
  where: string,
  whole: (item: unknown) => boolean = stringList,
): EntryFinding[] {
  if (!Array.isArray(rules)) return [];
  if (rules.length === 0) return [{ path, code: 'semantic/blank-rules', message: `${where} config can't be blank` }];
  // `rules: !reference [...]` not resolved: the list is the tag's, not rules.
  if (whole(rules)) return [];
  return ruleItems(rules, path, whole).flatMap(({ item, path: at }): EntryFinding[] => {
    if (typeof item === 'string') return [{ path: at, code: 'semantic/rule-type', message: `${where}:rule config should be a hash` }];
    if (!isHash(item)) return [];
    if (Object.keys(item).length === 0) return [{ path: at, code: 'semantic/blank-rule', message: `${where}:rule config can't be blank` }];
    const variables = item['variables'];
    if (!isHash(variables)) return [];
    return Object.keys(variables)
      .filter((name) => variables[name] === null)
      .map((name) => ({
        path: [...at, 'variables', name],
        at: 'key' as const,
        code: 'semantic/rule-variable',
        message: `${where}:rule:variables:${name} config must be a string`,
      }));
  });
}

/** Policy::ComplexPolicy (`only:` or `except:` written as a hash): `validates :config, presence: true`. */
function policyFindings(name: string, job: Record<string, unknown>): EntryFinding[] {
  return (['only', 'except'] as const).flatMap((key): EntryFinding[] => {
    const policy = job[key];
    return isHash(policy) && Object.keys(policy).length === 0
      ? [{ path: [key], code: 'semantic/blank-policy', message: `${describePath([name, key])} config can't be blank` }]
      : [];
  });
}

/** A job's `when:` that ci.json takes and Entry::Job refuses (`never`, GitLab's rules-only value). */
function jobWhenFindings(name: string, job: Record<string, unknown>): EntryFinding[] {
  const when = job['when'];
  if (when !== 'never') return [];
  return [{ path: ['when'], code: 'semantic/job-when', message: `${describePath([name])} when should be one of: ${JOB_WHEN.join(', ')}` }];
}

/** Entry::Bridge::ALLOWED_WHEN. */
const BRIDGE_WHEN = ['on_success', 'on_failure', 'always', 'manual'];

/** Entry::Bridge: the keys and `when:` values a trigger job (or a needs:pipeline job) may have. */
function bridgeFindings(name: string, job: Record<string, unknown>): EntryFinding[] {
  const findings: EntryFinding[] = [];
  const when = job['when'];
  if (typeof when === 'string' && !BRIDGE_WHEN.includes(when))
    findings.push({
      path: ['when'],
      code: 'semantic/trigger-job',
      message: `${describePath([name])} when should be one of: ${BRIDGE_WHEN.join(', ')}`,
    });
  const unknown = Object.keys(job).filter((key) => JOB_ONLY_KEYS.has(key));
  if (unknown.length > 0)
    findings.push({
      path: [unknown[0] as string],
      at: 'key',
      code: 'semantic/trigger-job',
      message: `${describePath([name])} config contains unknown keys: ${unknown.join(', ')}`,
    });
  // Trigger::ComplexTrigger: a hash without `include` is a CrossProjectTrigger, which needs a
  // project (ci.json's include branch takes any hash without one).
  const trigger = job['trigger'];
  const included = isHash(trigger) ? trigger['include'] : undefined;
  if (Array.isArray(included) && included.length > TRIGGER_INCLUDE_MAX)
    findings.push({
      path: ['trigger', 'include'],
      code: 'semantic/trigger-job',
      message: `${describePath([name, 'trigger', 'include'])} config is too long (maximum is ${TRIGGER_INCLUDE_MAX})`,
    });
  if (isHash(trigger) && !Object.hasOwn(trigger, 'include')) {
    const empty = Object.keys(trigger).length === 0;
    if (empty || trigger['project'] === undefined || trigger['project'] === null || trigger['project'] === '')
      findings.push({
        path: ['trigger'],
        code: 'semantic/trigger-job',
        message: `${describePath([name, 'trigger'])} ${empty ? "config can't be blank" : "project can't be blank"}`,
      });
  }
  return findings;
}

/** EE Need::BridgeHash::ALLOWED_KEYS. */
const BRIDGE_NEED_KEYS = ['pipeline'];

type NeedType = 'job' | 'cross_dependency' | 'bridge';

/** The type of the strategy Entry::Need (EE's included, in their order) reads a need with:
 *  JobString, JobHash, CrossPipelineDependency, BridgeHash, CrossProjectDependency; none for what
 *  no strategy takes (GitLab: "has an unsupported type", which the schema reports). */
function needType(need: unknown): NeedType | undefined {
  if (typeof need === 'string') return 'job';
  if (!isHash(need)) return undefined;
  const has = (key: string) => Object.hasOwn(need, key);
  if (has('job') && !has('project') && !has('ref') && !has('pipeline')) return 'job';
  if (has('job') && has('pipeline') && !has('project')) return 'cross_dependency';
  if (!has('job') && !has('project')) return 'bridge';
  return has('project') || has('ref') ? 'cross_dependency' : undefined;
}

/**
 * A job's needs as Entry::Needs checks them once composed: only the types its job takes (Entry::Job:
 * `job` and `cross_dependency`; Entry::Bridge, a trigger job or one with needs and no script: `job`
 * and `bridge`; not judged when its kind is not known), named in the order they are first written;
 * and each need mirroring an upstream pipeline (bridgeNeed: entries-read.ts keeps them from
 * ci.json) as EE Need::BridgeHash checks it: not blank, `pipeline:` only, a string that is not
 * blank. In GitLab's words.
 */
function needsFindings(name: string, needs: unknown, kind: JobKind | undefined): EntryFinding[] {
  const items = needItems(needs, ['needs'], stringList);
  const findings: EntryFinding[] = [];
  const report = (path: PathSegment[], message: string) => findings.push({ path, code: 'semantic/bridge-need', message });
  const allowed: readonly NeedType[] = kind === 'job' ? ['job', 'cross_dependency'] : ['job', 'bridge'];
  const refused =
    kind === undefined
      ? []
      : [...new Set(items.map(({ item }) => needType(item)))].filter((type) => type !== undefined && !allowed.includes(type));
  if (refused.length > 0) report(['needs'], `${describePath([name, 'needs'])} config uses invalid types: ${refused.join(', ')}`);
  const named = [name, 'needs', 'need'];
  for (const { item: need, path: at } of items) {
    if (!bridgeNeed(need)) continue;
    if (Object.keys(need).length === 0) {
      report(at, `${describePath(named)} config can't be blank`);
      continue;
    }
    findings.push(...unknownKeysFindings(need, BRIDGE_NEED_KEYS, named, at));
    const pipeline = need['pipeline'];
    if (typeof pipeline !== 'string')
      report(pipeline === undefined ? at : [...at, 'pipeline'], `${describePath(named)} pipeline should be a string`);
    else if (rubyBlank(pipeline)) report([...at, 'pipeline'], `${describePath(named)} pipeline can't be blank`);
  }
  return findings;
}

/** Entry::Artifacts::EXPOSE_AS_REGEX (Ruby's `\w` is ASCII, as JavaScript's) and its limit. */
const EXPOSE_AS = /^\w[-\w ]*$/;
const MAX_EXPOSE_AS = 100;

/** Entry::Artifacts with `expose_as`: a name of its characters, paths given (unless a base cigen
 *  cannot see may give them: not `complete`), none with a `*`. */
function exposeAsFindings(name: string, artifacts: Record<string, unknown>, complete: boolean): EntryFinding[] {
  const exposeAs = artifacts['expose_as'];
  if (exposeAs === undefined || exposeAs === null) return [];
  const findings: EntryFinding[] = [];
  const where = describePath([name, 'artifacts']);
  const at = (path: PathSegment[], message: string) => findings.push({ path, code: 'semantic/expose-as', message: `${where} ${message}` });
  if (typeof exposeAs === 'string') {
    if ([...exposeAs].length > MAX_EXPOSE_AS)
      at(['artifacts', 'expose_as'], `expose as is too long (maximum is ${MAX_EXPOSE_AS} characters)`);
    if (!EXPOSE_AS.test(exposeAs)) at(['artifacts', 'expose_as'], "expose as can contain only letters, digits, '-', '_' and spaces");
  }
  const paths = artifacts['paths'];
  if ((paths === undefined && complete) || paths === null || (Array.isArray(paths) && paths.length === 0))
    at(['artifacts'], "paths can't be blank");
  else if (Array.isArray(paths) && paths.some((path) => typeof path === 'string' && path.includes('*')))
    at(['artifacts', 'paths'], "paths can't contain '*' when used with 'expose_as'");
  return findings;
}

/** Entry::Artifacts: `access` and `public` are mutually exclusive (named in the order written). */
function artifactsFindings(name: string, artifacts: unknown, complete: boolean): EntryFinding[] {
  if (!isHash(artifacts)) return [];
  const reports = artifacts['reports'];
  const exposed = [
    ...exposeAsFindings(name, artifacts, complete),
    ...(isHash(reports)
      ? unknownKeysFindings(
          reports['coverage_report'],
          ENTRY_ALLOWED_KEYS.coverageReport,
          [name, 'artifacts', 'reports', 'coverage_report'],
          ['artifacts', 'reports', 'coverage_report'],
        )
      : []),
  ];
  const together = Object.keys(artifacts).filter((key) => key === 'access' || key === 'public');
  if (together.length < 2) return exposed;
  return [
    ...exposed,
    {
      path: ['artifacts', together[1] as string],
      at: 'key',
      code: 'semantic/keys-together',
      message: `${describePath([name, 'artifacts'])} config these keys cannot be used together: ${together.join(', ')}`,
    },
  ];
}

/** What GitLab's Jobs entry makes of a job: a Job (it has `script:` or `run:`), or a Bridge (it has
 *  `trigger:` or `needs:`). */
type JobKind = 'job' | 'bridge';

/**
 * What GitLab's entries refuse in a visible job, `job` as GitLab reads it. A job that is not
 * `complete` extends a base cigen cannot see (an include it cannot read): GitLab merges that base in
 * before it tells a Job from a Bridge, so such a job without a script of its own is neither here,
 * and nothing is judged by what the base may add (a `when:`, `paths`, a `pages:`, an `only:` key).
 * `unresolved` tells a `!reference` cigen could not resolve, a list of strings left in the value
 * (without it, any list of strings among the rules is taken for one).
 */
export function jobEntryFindings(
  name: string,
  job: Record<string, unknown>,
  complete = true,
  unresolved?: (item: unknown) => boolean,
): EntryFinding[] {
  const kind: JobKind | undefined =
    'script' in job || 'run' in job ? 'job' : complete && ('trigger' in job || 'needs' in job) ? 'bridge' : undefined;
  return [
    ...SCRIPTS.flatMap((key) => nestingFindings([name, key], job[key], COMMANDS).map((f) => ({ ...f, path: f.path.slice(1) }))),
    ...matrixFindings(name, job['parallel']),
    ...rulePathsFindings(() => describePath([name, 'rules']), job['rules'], ['rules']),
    ...(job['cache'] !== undefined
      ? cacheFindings([name, 'cache'], job['cache'], complete).map((f) => ({ ...f, path: f.path.slice(1) }))
      : []),
    ...readAsGitLabFindings(name, job, kind === 'job'),
    ...policyRefsFindings(name, job),
    ...kubernetesFindings(name, job['environment'], complete),
    ...akeylessFindings(name, job['secrets']),
    ...(kind !== 'bridge' ? jobInputsFindings(name, job['inputs'], complete) : []),
    ...releaseFindings(name, job['release']),
    ...artifactsFindings(name, job['artifacts'], complete),
    ...ruleEntryFindings(job['rules'], ['rules'], describePath([name, 'rules']), unresolved),
    ...(complete ? policyFindings(name, job) : []),
    ...(job['needs'] !== undefined ? needsFindings(name, job['needs'], kind) : []),
    ...(kind === 'job'
      ? [
          ...startInFindings(name, job, complete),
          ...publishFindings(name, job, complete),
          ...jobWhenFindings(name, job),
          ...durationFindings(job, { named: [name], at: [] }),
          ...tagsFindings(job['tags'], [name], []),
        ]
      : kind === 'bridge'
        ? bridgeFindings(name, job)
        : []),
  ];
}
