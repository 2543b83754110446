/**
 * GitLab's ci.json, compiled ahead of time (src/tooling/bundle.mjs), and its errors reduced to
 * one useful message per place: unknown keys named with the nearest valid key, alternatives
 * (oneOf/anyOf) resolved to the branch that got furthest, types merged.
 */
import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import validate from './schema/validate.generated.mjs';
import type { Finding, PathSegment } from './diagnostics.js';
import { EXACTLY_ONE_OF_BEYOND_SCHEMA, INHERITABLE_BEYOND_SCHEMA } from './entries-read.js';
import { isHash, valueAt } from './merge.js';

const GLOBAL_KEYS = new Set([
  '$schema',
  'spec',
  'image',
  'services',
  'before_script',
  'after_script',
  'variables',
  'cache',
  'default',
  'stages',
  'include',
  'workflow',
]);

let schemaJson: Record<string, unknown> | undefined;
async function loadSchemaJson(): Promise<Record<string, unknown>> {
  schemaJson ??= (await import('./schema/gitlab-ci.schema.json', { with: { type: 'json' } })).default as Record<string, unknown>;
  return schemaJson;
}

function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

/** GitLab-style location: `jobs:build:artifacts` for jobs, `workflow:rules` for global keys. */
export function describePath(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'root';
  const [first, ...rest] = path;
  const head = typeof first === 'string' && !GLOBAL_KEYS.has(first) ? `jobs:${first}` : String(first);
  return [head, ...rest.map(String)].join(':');
}

type SchemaNode = Record<string, unknown>;

function resolveRef(root: SchemaNode, node: SchemaNode, depth = 0): SchemaNode {
  const ref = node['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/') || depth > 20) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = (target as SchemaNode | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return target && typeof target === 'object' ? resolveRef(root, target as SchemaNode, depth + 1) : node;
}

/** The schemas that apply at a node, following $ref and every branch of allOf/anyOf/oneOf. */
function branches(root: SchemaNode, node: SchemaNode, depth = 0): SchemaNode[] {
  const resolved = resolveRef(root, node);
  const out = [resolved];
  if (depth > 10) return out;
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = resolved[keyword];
    if (Array.isArray(list))
      for (const item of list) if (item && typeof item === 'object') out.push(...branches(root, item as SchemaNode, depth + 1));
  }
  return out;
}

/** The schemas that apply at an instance path, each branch of every alternative (oneOf/anyOf)
 *  among them. ajv reports schema paths relative to the definition it was in, so walk from the
 *  root along the instance path. */
function schemasAt(root: SchemaNode, path: readonly PathSegment[]): SchemaNode[] {
  let nodes: SchemaNode[] = [root];
  for (const segment of path) {
    const next: SchemaNode[] = [];
    for (const node of nodes.flatMap((n) => branches(root, n))) {
      const properties = node['properties'] as Record<string, SchemaNode> | undefined;
      if (typeof segment === 'string' && properties?.[segment]) {
        next.push(properties[segment]);
        continue;
      }
      const patterns = node['patternProperties'] as Record<string, SchemaNode> | undefined;
      const matched = Object.entries(patterns ?? {}).filter(([pattern]) => new RegExp(pattern, 'u').test(String(segment)));
      if (matched.length > 0) next.push(...matched.map(([, schema]) => schema));
      else if (node['additionalProperties'] && typeof node['additionalProperties'] === 'object')
        next.push(node['additionalProperties'] as SchemaNode);
      if (typeof segment === 'number' && node['items'] && typeof node['items'] === 'object') next.push(node['items'] as SchemaNode);
    }
    nodes = next;
  }
  return nodes.flatMap((n) => branches(root, n));
}

/** The keys the schema allows at an instance path, in any of its alternatives (for "did you mean"). */
function allowedKeys(schemas: readonly SchemaNode[]): string[] {
  const keys = new Set<string>();
  for (const node of schemas) for (const key of Object.keys((node['properties'] as object | undefined) ?? {})) keys.add(key);
  return [...keys];
}

/** Whether one closed alternative (`additionalProperties: false`) at the place takes every key written there. */
function oneAlternativeTakes(schemas: readonly SchemaNode[], keys: readonly string[]): boolean {
  return schemas.some((node) => {
    if (node['additionalProperties'] !== false) return false;
    const properties = (node['properties'] as object | undefined) ?? {};
    const patterns = Object.keys((node['patternProperties'] as object | undefined) ?? {});
    return keys.every((key) => Object.hasOwn(properties, key) || patterns.some((pattern) => new RegExp(pattern, 'u').test(key)));
  });
}

/** The keys of a `oneOf` or `anyOf` whose every branch only requires one key (`changes:` and
 *  `exists:` take `paths` or `regexp`, a secret one provider), when each hash alternative at the
 *  place has that same choice: GitLab's only_one_of_keys, which asks for exactly one of them (the
 *  list named as GitLab names it where ci.json's lacks keys: EXACTLY_ONE_OF_BEYOND_SCHEMA). */
function exactlyOneOfKeys(schemas: readonly SchemaNode[]): readonly string[] | undefined {
  const choiceOf = (node: SchemaNode): string[] | undefined => {
    const list = node['oneOf'] ?? node['anyOf'];
    if (!Array.isArray(list) || list.length < 2) return undefined;
    const keys = list.map((branch: unknown) => {
      const required = isHash(branch) && Object.keys(branch).length === 1 ? branch['required'] : undefined;
      return Array.isArray(required) && required.length === 1 ? String(required[0]) : undefined;
    });
    return keys.every((key) => key !== undefined) ? keys : undefined;
  };
  const hashes = schemas.filter((node) => node['type'] === 'object');
  const [first, ...others] = hashes.map(choiceOf);
  if (!first || others.some((keys) => keys?.join() !== first.join())) return undefined;
  return EXACTLY_ONE_OF_BEYOND_SCHEMA.find((list) => first.every((key) => list.includes(key))) ?? first;
}

/** The keys GitLab asks exactly one of in the hash at an instance path (see exactlyOneOfKeys), if it asks so. */
export async function exactlyOneOfKeysAt(path: readonly PathSegment[]): Promise<readonly string[] | undefined> {
  return exactlyOneOfKeys(schemasAt(await loadSchemaJson(), path));
}

/** The allowed name nearest to a misspelt one, when it is near enough to be meant. */
export function suggest(unknownKey: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const best = closest(unknownKey, [...allowed]);
  const limit = Math.max(2, Math.floor(unknownKey.length / 3));
  return distance(unknownKey, best) <= limit ? best : undefined;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  array: 'an array',
  object: 'a hash',
  boolean: 'a boolean',
  number: 'a number',
  integer: 'an integer',
  null: 'null',
};

function joinOr(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

const SUMMARY_KEYWORDS = new Set(['anyOf', 'oneOf', 'if', 'allOf']);

interface Group {
  path: PathSegment[];
  pointer: string;
  errors: ErrorObject[];
}

function groupErrors(errors: readonly ErrorObject[]): Group[] {
  const groups = new Map<string, Group>();
  for (const error of errors) {
    let group = groups.get(error.instancePath);
    if (!group) {
      group = { path: parsePointer(error.instancePath), pointer: error.instancePath, errors: [] };
      groups.set(error.instancePath, group);
    }
    group.errors.push(error);
  }
  return [...groups.values()];
}

/** Alternatives that failed one level up are noise once a deeper place explains the failure;
 *  oneOf/anyOf summaries are noise next to the errors of their branches. */
function prune(groups: readonly Group[]): Group[] {
  const concrete = (group: Group) => group.errors.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword));
  return groups
    .filter((group) => {
      const deeper = groups.some((other) => other !== group && concrete(other).length > 0 && other.pointer.startsWith(`${group.pointer}/`));
      return !deeper || group.errors.some((e) => e.keyword === 'additionalProperties');
    })
    .map((group) => (concrete(group).length > 0 ? { ...group, errors: concrete(group) } : group));
}

/** How GitLab's numericality validations word a bound. */
const BOUND_WORDS: Readonly<Record<string, string>> = {
  maximum: 'less than or equal to',
  minimum: 'greater than or equal to',
  exclusiveMaximum: 'less than',
  exclusiveMinimum: 'greater than',
};

/** `knownKeys`: a place whose keys an alternative takes, failed deeper: the deeper finding says
 *  what is wrong, and this one is left out when there is one. */
type GroupFinding = Omit<Finding, 'document'> & { knownKeys?: true };

async function describeGroup(group: Group, instance: unknown): Promise<GroupFinding | undefined> {
  const where = describePath(group.path);
  const byKeyword = (keyword: string) => group.errors.filter((e) => e.keyword === keyword);
  const unknown = byKeyword('additionalProperties');
  if (unknown.length > 0) {
    // Each alternative (oneOf/anyOf) refuses the keys only the others take: a key is unknown
    // when no alternative takes it, as GitLab's entries (allowed_keys) name only those.
    const refused = [...new Set(unknown.map((e) => String(e.params['additionalProperty'])))];
    const schemas = schemasAt(await loadSchemaJson(), group.path);
    const allowed = allowedKeys(schemas);
    const keys = refused.filter((key) => !allowed.includes(key));
    if (keys.length > 0) {
      const hints = keys.map((key) => {
        const hint = suggest(key, allowed);
        return hint && hint !== key ? `${key} (did you mean ${hint}?)` : key;
      });
      // Variable::ComplexVariable checks a variable's keys against the data keys it allows there.
      const what = group.path.at(-2) === 'variables' ? 'uses invalid data keys' : 'contains unknown keys';
      return {
        path: [...group.path, keys[0] as string],
        at: 'key',
        severity: 'error',
        code: 'schema/unknown-key',
        message: `${where} config ${what}: ${hints.join(', ')}`,
      };
    }
    // Every key is one some alternative takes. When no one alternative takes them all, they
    // cannot be written together (`local:` with `remote:`); the keys named, in the order written,
    // are each refused by an alternative, so no alternative takes them all either.
    const written = isHash(instance) ? Object.keys(instance) : refused;
    if (!oneAlternativeTakes(schemas, written)) {
      const together = written.filter((key) => refused.includes(key));
      return {
        path: [...group.path, together.at(-1) as string],
        at: 'key',
        severity: 'error',
        code: 'schema/keys-together',
        message: `${where} config these keys cannot be used together: ${together.join(', ')}`,
      };
    }
    // An alternative takes every key and failed on something else: a key's value (reported
    // deeper, where it is), or a key it requires. The other alternatives' "unknown" keys are not
    // the problem; what remains here is said only when nothing deeper says more. Nothing remains
    // when the alternative failed only deeper: the deeper place's finding is the one.
    const rest = group.errors.filter((e) => e.keyword !== 'additionalProperties');
    if (rest.length === 0) return undefined;
    const finding = await describeGroup({ ...group, errors: rest }, instance);
    return finding && { ...finding, knownKeys: true };
  }
  // `changes: {compare_to: main}` or `{paths: [..], regexp: ..}`, a secret with no provider: no key
  // is required on its own, and the hash failed for having none or two (ajv's words: required, or a
  // oneOf passed twice; a secret with two is read as one with none, entries-read.ts).
  if (isHash(instance)) {
    const choice = await exactlyOneOfKeysAt(group.path);
    if (choice && choice.filter((key) => Object.hasOwn(instance, key)).length !== 1)
      return {
        path: group.path,
        severity: 'error',
        code: 'schema/exactly-one-key',
        message: `${where} config must use exactly one of these keys: ${choice.join(', ')}`,
      };
  }
  const required = byKeyword('required').map((e) => String(e.params['missingProperty']));
  if (required.length > 0) {
    return {
      path: group.path,
      severity: 'error',
      code: 'schema/required',
      message: `${where} config is missing required keys: ${[...new Set(required)].join(', ')}`,
    };
  }
  const allowedValues = [
    ...byKeyword('enum').flatMap((e) => e.params['allowedValues'] as unknown[]),
    ...byKeyword('const').map((e): unknown => e.params['allowedValue']),
  ];
  if (allowedValues.length > 0) {
    // inherit:default takes more keys than ci.json lists there (entries-read.ts reads them as allowed): all are named.
    const inheritDefault = group.path.at(-3) === 'inherit' && group.path.at(-2) === 'default';
    const values = [
      ...new Set([...allowedValues, ...(inheritDefault ? [...INHERITABLE_BEYOND_SCHEMA] : [])].map((v) => JSON.stringify(v))),
    ];
    return { path: group.path, severity: 'error', code: 'schema/enum', message: `${where} config should be one of: ${values.join(', ')}` };
  }
  // In an alternative (oneOf/anyOf), a branch whose type the value has failed on a constraint
  // (`maxLength` of the string branch, say); the other branches' type errors are not the problem.
  const longer = byKeyword('maxLength');
  if (longer.length > 0) {
    const limit = Math.min(...longer.map((e) => Number(e.params['limit'])));
    return {
      path: group.path,
      severity: 'error',
      code: 'schema/max-length',
      message: `${where} config is longer than ${limit} characters`,
    };
  }
  // So too a string branch's pattern (`trigger: slug` takes a project path): the value is a
  // string, so "should be a hash" from the other branches would be false.
  const [pattern] = byKeyword('pattern');
  if (pattern) {
    return {
      path: group.path,
      severity: 'error',
      code: 'schema/pattern',
      message: `${where} must match pattern "${String(pattern.params['pattern'])}"`,
    };
  }
  // The number branch's bound (`retry: 3`, `parallel: 201`), in GitLab's words (numericality).
  const [bound] = ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum'].flatMap(byKeyword);
  if (bound) {
    const relation = BOUND_WORDS[bound.keyword] as string;
    return {
      path: group.path,
      severity: 'error',
      code: `schema/${bound.keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      message: `${where} config must be ${relation} ${String(bound.params['limit'])}`,
    };
  }
  const types = byKeyword('type').flatMap((e) => String(e.params['type']).split(','));
  if (types.length > 0) {
    const words = [...new Set(types.map((t) => TYPE_WORDS[t] ?? t))];
    return { path: group.path, severity: 'error', code: 'schema/type', message: `${where} config should be ${joinOr(words)}` };
  }
  const [first] = group.errors as [ErrorObject];
  const code =
    first.keyword === 'false schema' ? 'schema/not-allowed' : `schema/${first.keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const message = first.keyword === 'false schema' || first.keyword === 'not' ? 'is not allowed here' : (first.message ?? 'is invalid');
  return { path: group.path, severity: 'error', code, message: `${where} ${message}` };
}

/** Whether `path` starts with `prefix`. */
const samePrefix = (path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean =>
  prefix.every((segment, i) => path[i] === segment);

export interface SchemaResult {
  valid: boolean;
  findings: Omit<Finding, 'document'>[];
}

export async function validateSchema(value: unknown): Promise<SchemaResult> {
  if (validate(value)) return { valid: true, findings: [] };
  const groups = prune(groupErrors(validate.errors ?? []));
  const described = await Promise.all(groups.map((group) => describeGroup(group, valueAt(value, group.path))));
  // `include: [{local: [x]}]`: the branch for `local` failed on its value, the others call `local`
  // unknown and ask for their own keys; the value's finding says what is wrong. So too when the
  // branch failed on another key's value (`inputs:` of a `component:` include).
  const findings = described
    .filter((finding): finding is GroupFinding => finding !== undefined)
    .filter((finding, _i, all) => {
      if (!finding.knownKeys) return true;
      const place = finding.path;
      return !all.some((other) => other !== finding && other.path.length > place.length && samePrefix(other.path, place));
    })
    .map(({ knownKeys: _known, ...finding }) => finding);
  return { valid: false, findings };
}

/** The bare verdict, for callers that only need pass/fail (the peer suite, build checks). */
export function isSchemaValid(value: unknown): boolean {
  return validate(value);
}
