/**
 * `include:` entries as GitLab classifies them (local, remote, template, project, component),
 * and the grammar of a component reference. Shared by lint, migrate and init.
 */
import type { PathSegment } from './diagnostics.js';
import { isHash } from './merge.js';
import { scalarText } from './yaml.js';
import { escapeRegExp } from './regexp.js';

export type IncludeKind = 'local' | 'remote' | 'template' | 'project' | 'component' | 'invalid';

export interface IncludeEntry {
  kind: IncludeKind;
  target: string;
  inputs?: Record<string, unknown>;
  /** Its `rules:`, when it has some. */
  rules?: unknown;
  /** Where the entry is in the file's content document. */
  path: PathSegment[];
  /** Written as a string: GitLab expands its variables before anything else (Mapper::Normalizer). */
  expandedFirst?: true;
}

/** What each wildcard of a `local:` location stands for, in the order GitLab replaces them. */
const WILDCARDS: ReadonlyMap<string, string> = new Map([
  ['**/', '(?:.*?/)?'],
  ['**', '.*?'],
  ['*', '[^/]*?'],
]);

/**
 * The files a wildcard `local:` location names, as GitLab finds them
 * (Repository#search_files_by_wildcard_path): its leading slashes removed, `**` and a slash any
 * directories or none (so `ci/**` + `/*.yml` names `ci/a.yml` too, as GitLab has since it stopped
 * a file including itself), `**` any characters, `*` any but a slash, everything else as written,
 * matched against each root-relative path.
 */
export function wildcardPathPattern(location: string): RegExp {
  const path = location.replace(/^\/+/, '');
  const source = path
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => WILDCARDS.get(part) ?? escapeRegExp(part))
    .join('');
  return new RegExp(`^${source}$`, 'u');
}

/**
 * Whether GitLab matches a `local:` location's wildcards against the project's files as written
 * (see wildcardPathPattern): it does (Mapper::LocationExpander) before it expands variables
 * (Mapper::VariablesExpander), except in an include written as a string, whose variables it
 * expands first (Mapper::Normalizer): such a location with a variable names files cigen cannot know.
 */
export const wildcardAsWritten = (include: Pick<IncludeEntry, 'target' | 'expandedFirst'>): boolean =>
  include.target.includes('*') && !(include.expandedFirst && include.target.includes('$'));

/** Whether GitLab takes an included file's name for YAML (External::File::Base:
 *  YAML_ALLOWLIST_EXTENSION = /.+\.(yml|yaml)$/i, on the file's base name). */
export const hasYamlExtension = (path: string): boolean => /.+\.(?:yml|yaml)$/i.test(path.slice(path.lastIndexOf('/') + 1));

/**
 * Whether an include's `rules:` include it in every pipeline: GitLab takes the first rule that
 * matches, and a rule without `if`, `exists` or `changes` always does. So they surely include it
 * when such a rule does not say `when: never` and no rule before it could (a rule with a
 * condition and `when: never` may match). An include without rules is always read.
 */
export function surelyIncluded(entry: IncludeEntry): boolean {
  if (entry.rules === undefined) return true;
  if (!Array.isArray(entry.rules)) return false;
  for (const rule of entry.rules) {
    if (!isHash(rule)) return false;
    const never = rule['when'] === 'never';
    if (!['if', 'exists', 'changes'].some((key) => rule[key] !== undefined)) return !never;
    if (never) return false;
  }
  return false;
}

/** The entries of an `include:` value (a string, a hash or a list of them), in order. */
export function includeEntries(include: unknown): IncludeEntry[] {
  if (include === undefined || include === null) return [];
  const list = Array.isArray(include) ? include : [include];
  return list.map((item, index): IncludeEntry => {
    const path: PathSegment[] = Array.isArray(include) ? ['include', index] : ['include'];
    if (typeof item === 'string') return { kind: /^https?:\/\//.test(item) ? 'remote' : 'local', target: item, path, expandedFirst: true };
    if (!isHash(item)) return { kind: 'invalid', target: '', path };
    const inputs = isHash(item['inputs']) ? item['inputs'] : undefined;
    const rules = item['rules'];
    const withInputs = (entry: IncludeEntry): IncludeEntry => ({
      ...entry,
      ...(inputs ? { inputs } : {}),
      ...(rules !== undefined ? { rules } : {}),
    });
    if (typeof item['local'] === 'string') return withInputs({ kind: 'local', target: item['local'], path });
    if (typeof item['component'] === 'string') return withInputs({ kind: 'component', target: item['component'], path });
    if (typeof item['remote'] === 'string') return withInputs({ kind: 'remote', target: item['remote'], path });
    if (typeof item['template'] === 'string') return withInputs({ kind: 'template', target: item['template'], path });
    if (item['project'] !== undefined) return withInputs({ kind: 'project', target: scalarText(item['project']), path });
    return { kind: 'invalid', target: '', path };
  });
}

/** `<server>/<project path>/<name>@<version>`, as `include: component:` takes it. */
export interface ComponentRef {
  server: string;
  project: string;
  name: string;
  version: string;
}

const COMPONENT_REF = /^(?<server>[^/]+)\/(?<project>.+)\/(?<name>[^/@]+)@(?<version>.+)$/;

export function parseComponentRef(text: string): ComponentRef | undefined {
  const groups = COMPONENT_REF.exec(text)?.groups;
  return groups ? (groups as unknown as ComponentRef) : undefined;
}
