/**
 * `!reference` tags resolved the way GitLab resolves them before it validates a configuration
 * (Config::Yaml::Tags::Resolver runs before the entries check it): each tag replaced by the value
 * at its target, tags inside that value resolved in turn (at most 10 levels, as GitLab allows).
 * Only the file at hand is known here: a tag whose target is elsewhere (an include) stays
 * unresolved, and the caller says nothing about what it cannot see.
 */
import type { PathSegment } from './diagnostics.js';
import { isHash } from './merge.js';

/** A tag: where it is written (keys as the value reads them) and the keys it points to. */
export interface ReferenceAt {
  path: PathSegment[];
  target: string[];
}

export interface ResolvedReferences {
  value: unknown;
  /** The paths of the tags that could not be resolved in this file. */
  unresolved: PathSegment[][];
}

/** How deep tags inside a target's value are resolved in turn. */
export const MAX_REFERENCE_NESTING = 10;

/** Whether a tag's target holds what GitLab takes for a value: it raises MissingReferenceError
 *  ("could not be found") `unless value`, so for false and null too (Tags::Reference#_resolve). */
export const referenceFound = (value: unknown): boolean => value !== undefined && value !== null && value !== false;
const UNRESOLVED = Symbol('unresolved');

const startsWith = (path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean =>
  prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);

/** GitLab digs the target through hashes only. */
function dig(value: unknown, keys: readonly PathSegment[]): unknown {
  let node = value;
  for (const key of keys) node = isHash(node) && Object.hasOwn(node, String(key)) ? node[String(key)] : undefined;
  return node;
}

/** `root` with the value at `path` replaced, copying each container on the way once (`fresh` holds
 *  the copies already made, so many tags under one job copy it once). */
function setIn(root: unknown, path: readonly PathSegment[], value: unknown, fresh: WeakSet<object>): unknown {
  if (path.length === 0) return value;
  const copy = (node: unknown): Record<string, unknown> | unknown[] | undefined => {
    if (!Array.isArray(node) && !isHash(node)) return undefined;
    if (fresh.has(node)) return node;
    const made: Record<string, unknown> | unknown[] = Array.isArray(node) ? [...(node as unknown[])] : { ...node };
    fresh.add(made);
    return made;
  };
  const top = copy(root);
  if (!top) return root;
  let node: Record<string, unknown> | unknown[] = top;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as PathSegment;
    const child = (node as Record<string | number, unknown>)[key];
    if (i === path.length - 1) {
      (node as Record<string | number, unknown>)[key] = value;
      break;
    }
    const next = copy(child);
    if (!next) break;
    (node as Record<string | number, unknown>)[key] = next;
    node = next;
  }
  return top;
}

/** `value` with its tags resolved (a copy along the tags' paths; `value` itself is not changed). */
export function resolveReferences(value: unknown, references: readonly ReferenceAt[]): ResolvedReferences {
  const memo = new Map<number, unknown>();
  const byHead = new Map<string, number[]>();
  references.forEach((reference, i) => {
    const head = String(reference.path[0]);
    const list = byHead.get(head);
    if (list) list.push(i);
    else byHead.set(head, [i]);
  });
  const resolve = (i: number, depth: number, stack: Set<number>): unknown => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    const { target } = references[i] as ReferenceAt;
    if (stack.has(i) || depth > MAX_REFERENCE_NESTING || target.length === 0) return UNRESOLVED;
    let found = dig(value, target);
    if (!referenceFound(found)) return UNRESOLVED;
    const inner = (byHead.get(target[0] as string) ?? []).filter((j) => startsWith((references[j] as ReferenceAt).path, target));
    const fresh = new WeakSet<object>();
    stack.add(i);
    for (const j of inner) {
      const resolved = resolve(j, depth + 1, stack);
      if (resolved === UNRESOLVED) {
        found = UNRESOLVED;
        break;
      }
      found = setIn(found, (references[j] as ReferenceAt).path.slice(target.length), resolved, fresh);
    }
    stack.delete(i);
    memo.set(i, found);
    return found;
  };
  const fresh = new WeakSet<object>();
  const unresolved: PathSegment[][] = [];
  let out = value;
  references.forEach((reference, i) => {
    const resolved = resolve(i, 1, new Set());
    if (resolved === UNRESOLVED) unresolved.push(reference.path);
    else out = setIn(out, reference.path, resolved, fresh);
  });
  return { value: out, unresolved };
}

/** Whether a path is at or under one of `paths`. */
export const isUnder = (path: readonly PathSegment[], paths: readonly (readonly PathSegment[])[]): boolean =>
  paths.some((prefix) => startsWith(path, prefix));
