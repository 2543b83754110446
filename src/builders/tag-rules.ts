/**
 * Tag rules: image tags computed when the job runs, from GitLab's predefined variables, beside
 * the explicit `tags`. The job's shell (components/_shared/tags.sh.hbs) carries them out; this is
 * the same table in TypeScript — what `cigen lint` checks a rule's syntax with, and the model the
 * shell is tested against, case by case and with generated pipelines (test/system/tag-rules.test.ts).
 */
import { TAG, TAG_RULE } from './tag.js';

/** The predefined variables the rules read. */
export type PipelineVariables = Readonly<Partial<Record<(typeof PIPELINE_VARIABLES)[number], string>>>;

export const PIPELINE_VARIABLES = [
  'CI_COMMIT_TAG',
  'CI_COMMIT_REF_SLUG',
  'CI_COMMIT_BRANCH',
  'CI_DEFAULT_BRANCH',
  'CI_COMMIT_SHORT_SHA',
  'CI_MERGE_REQUEST_IID',
  'CI_MERGE_REQUEST_SOURCE_PROJECT_ID',
  'CI_PROJECT_ID',
  'CI_PIPELINE_SOURCE',
  'CI_PIPELINE_CREATED_AT',
] as const;

export const RULE_FORMS = 'ref, sha, semver:PATTERN, latest, edge, mr, schedule[:PATTERN], raw:VALUE';
const SEMVER_PLACEHOLDERS = ['version', 'major', 'minor', 'patch'] as const;
const DATE_PLACEHOLDERS = ['year', 'month', 'day', 'hour', 'minute', 'sha'] as const;

// SemVer 2.0.0, with an optional leading v (v1.2.3 and 1.2.3 are both version tags).
const NUMBER = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(
  `^v?${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/**
 * The pipelines of a version tag (`v1.2.3`, `1.2.3-rc.1`: the tags a semver rule reads) as a GitLab
 * `rules: if:` expression: the same pattern, which GitLab runs in RE2. In no other pipeline does a
 * semver rule, or latest beside one, give a tag.
 */
export const VERSION_TAG_PIPELINE = `$CI_COMMIT_TAG =~ /${SEMVER.source}/`;

export interface Version {
  /** The version without the v, build metadata's + as - (a tag cannot hold +). */
  version: string;
  major: string;
  minor: string;
  patch: string;
  prerelease: boolean;
}

export function parseVersion(tag: string): Version | undefined {
  const match = SEMVER.exec(tag);
  if (!match) return undefined;
  const [, major, minor, patch, pre] = match as unknown as [string, string, string, string, string | undefined];
  return { version: tag.replace(/^v/, '').replace('+', '-'), major, minor, patch, prerelease: pre !== undefined };
}

export type ParsedRule =
  | { kind: 'ref' | 'sha' | 'latest' | 'edge' | 'mr' }
  | { kind: 'semver'; pattern: string }
  | { kind: 'schedule'; pattern: string }
  | { kind: 'raw'; value: string };

/** A rule's syntax, or the reason it is not one (the job's message, word for word). */
export function parseRule(rule: string): ParsedRule | { error: string } {
  const colon = rule.indexOf(':');
  const [kind, argument] = colon < 0 ? [rule, undefined] : [rule.slice(0, colon), rule.slice(colon + 1)];
  switch (kind) {
    case 'ref':
    case 'sha':
    case 'latest':
    case 'edge':
    case 'mr':
      return argument === undefined ? { kind } : { error: `'${rule}': ${kind} takes no pattern` };
    case 'semver':
      return argument
        ? checkPattern(rule, argument, SEMVER_PLACEHOLDERS, { kind: 'semver', pattern: argument })
        : { error: `'${rule}': semver needs a pattern` };
    case 'schedule':
      return argument === undefined
        ? { kind: 'schedule', pattern: 'nightly' }
        : argument
          ? checkPattern(rule, argument, DATE_PLACEHOLDERS, { kind: 'schedule', pattern: argument })
          : { error: `'${rule}': schedule needs a pattern after the colon` };
    case 'raw':
      return { kind: 'raw', value: argument ?? '' };
    default:
      return { error: `'${rule}' is not a rule (${RULE_FORMS})` };
  }
}

function checkPattern(rule: string, pattern: string, allowed: readonly string[], parsed: ParsedRule): ParsedRule | { error: string } {
  for (const match of pattern.matchAll(/\{\{([^}]*)\}\}/g)) {
    if (!allowed.includes(match[1] as string))
      return { error: `'${rule}': {{${match[1]}}} is not a placeholder here (${allowed.map((p) => `{{${p}}}`).join(' ')})` };
  }
  return parsed;
}

const replaceAll = (text: string, values: Readonly<Record<string, string>>): string =>
  text.replace(/\{\{([a-z]+)\}\}/g, (whole, name: string) => values[name] ?? whole);

/** A merge request pipeline whose source branch is another project's (a fork's). */
export const fromAnotherProject = (vars: PipelineVariables): boolean =>
  (vars.CI_MERGE_REQUEST_SOURCE_PROJECT_ID ?? '') !== '' && vars.CI_MERGE_REQUEST_SOURCE_PROJECT_ID !== (vars.CI_PROJECT_ID ?? '');

/** What one rule gives in a pipeline: nothing when it does not apply. */
export function ruleTags(rule: ParsedRule, vars: PipelineVariables, hasSemverRule: boolean): string[] {
  const tag = vars.CI_COMMIT_TAG ?? '';
  const branch = vars.CI_COMMIT_BRANCH ?? '';
  const onDefaultBranch = branch !== '' && branch === (vars.CI_DEFAULT_BRANCH ?? '');
  const some = (value: string | undefined) => (value ? [value] : []);
  switch (rule.kind) {
    case 'ref':
      // A merge request from a fork: the branch is the fork's (one named main would replace main's image).
      if (fromAnotherProject(vars)) return [];
      return tag ? (TAG.test(tag) ? [tag] : some(vars.CI_COMMIT_REF_SLUG)) : some(vars.CI_COMMIT_REF_SLUG);
    case 'sha':
      return some(vars.CI_COMMIT_SHORT_SHA);
    case 'semver': {
      const version = tag ? parseVersion(tag) : undefined;
      if (!version) return [];
      // A pre-release moves often: it gets only the patterns made of {{version}}.
      if (version.prerelease && /\{\{(major|minor|patch)\}\}/.test(rule.pattern)) return [];
      return [replaceAll(rule.pattern, { version: version.version, major: version.major, minor: version.minor, patch: version.patch })];
    }
    case 'latest': {
      // A stable version tag is latest; without any semver rule, the default branch is.
      const version = tag ? parseVersion(tag) : undefined;
      if (version) return version.prerelease ? [] : ['latest'];
      return !tag && !hasSemverRule && onDefaultBranch ? ['latest'] : [];
    }
    case 'edge':
      return !tag && onDefaultBranch ? ['edge'] : [];
    case 'mr':
      return vars.CI_MERGE_REQUEST_IID ? [`mr-${vars.CI_MERGE_REQUEST_IID}`] : [];
    case 'schedule': {
      if (vars.CI_PIPELINE_SOURCE !== 'schedule') return [];
      const at = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(vars.CI_PIPELINE_CREATED_AT ?? '');
      if (!at && /\{\{(year|month|day|hour|minute)\}\}/.test(rule.pattern)) return [];
      const [, year = '', month = '', day = '', hour = '', minute = ''] = at ?? [];
      return [replaceAll(rule.pattern, { year, month, day, hour, minute, sha: vars.CI_COMMIT_SHORT_SHA ?? '' })];
    }
    case 'raw':
      return some(rule.value);
  }
}

export interface TagResult {
  tags: string[];
  /** Explicit items that expanded to nothing: left out, each logged. */
  empty: number[];
  error?: string;
}

const TAG_CHARS = new RegExp(`^[${TAG_RULE.first}][${TAG_RULE.rest}]*$`);

/** Why a tag is not one, in the job's words; undefined when it is one. */
function tagProblem(tag: string): string | undefined {
  if (!TAG_CHARS.test(tag)) return `is not a valid tag ([${TAG_RULE.first}][${TAG_RULE.rest}]*)`;
  if (tag.length > TAG_RULE.max) return `is longer than ${TAG_RULE.max} characters`;
  return undefined;
}

/**
 * The tags a job pushes: the explicit ones (already expanded; empty ones left out), then each
 * rule's, in order, without repeats; every one checked as a tag. The first error stops it, as
 * in the job.
 */
export function resolveTags(explicit: readonly string[], rules: readonly string[], vars: PipelineVariables): TagResult {
  // Each candidate with how the job names it when it is not a tag.
  const candidates: { tag: string; refuse: (problem: string) => string }[] = [];
  const empty: number[] = [];
  explicit.forEach((tag, index) =>
    tag === '' ? empty.push(index + 1) : candidates.push({ tag, refuse: (problem) => `input tags: '${tag}' ${problem}` }),
  );
  const parsed: ParsedRule[] = [];
  // An item that expands to nothing is no rule: left out, as an empty tag is.
  const given = rules.filter((rule) => rule !== '');
  for (const rule of given) {
    const result = parseRule(rule);
    if ('error' in result) return { tags: [], empty, error: `input tag-rules: ${result.error}` };
    parsed.push(result);
  }
  const hasSemverRule = parsed.some((rule) => rule.kind === 'semver');
  parsed.forEach((rule, index) => {
    // A rule that gives an empty text gives nothing (raw:$UNSET, schedule:{{sha}} without a SHA).
    for (const tag of ruleTags(rule, vars, hasSemverRule).filter((t) => t !== ''))
      candidates.push({ tag, refuse: (problem) => `input tag-rules: '${given[index]}' gives '${tag}', which ${problem}` });
  });
  const tags: string[] = [];
  for (const { tag, refuse } of candidates) {
    const problem = tagProblem(tag);
    if (problem) return { tags: [], empty, error: refuse(problem) };
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length === 0) {
    const where = vars.CI_COMMIT_TAG ? `tag ${vars.CI_COMMIT_TAG}` : `ref ${vars.CI_COMMIT_REF_SLUG || '(none)'}`;
    return { tags, empty, error: `no tag to push: input tags gives none and no tag-rules rule applies to this pipeline (${where})` };
  }
  return { tags, empty };
}

/** A pipeline where a rule of each kind with a pattern or value gives its tag. */
const PIPELINE_WHERE_IT_APPLIES: Readonly<Record<'semver' | 'schedule' | 'raw', PipelineVariables>> = {
  semver: { CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_SLUG: 'v1-2-3', CI_COMMIT_SHORT_SHA: '0123abcd' },
  schedule: {
    CI_PIPELINE_SOURCE: 'schedule',
    CI_PIPELINE_CREATED_AT: '2026-01-02T03:04:05Z',
    CI_COMMIT_REF_SLUG: 'main',
    CI_COMMIT_SHORT_SHA: '0123abcd',
  },
  raw: { CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHORT_SHA: '0123abcd' },
};

/**
 * Why a rule's pattern or value can never give a tag, in the job's words and with the pipeline it
 * was tried in (`semver:{{major}}/{{minor}}` gives `1/2` in a v1.2.3 pipeline); undefined when it
 * can. The job would stop only in a pipeline where the rule applies — a release, a schedule.
 */
export function rulePatternProblem(rule: string): string | undefined {
  const parsed = parseRule(rule);
  if ('error' in parsed) return parsed.error;
  if (parsed.kind !== 'semver' && parsed.kind !== 'schedule' && parsed.kind !== 'raw') return undefined;
  const vars = PIPELINE_WHERE_IT_APPLIES[parsed.kind];
  const { error } = resolveTags([], [rule], vars);
  if (error === undefined || error.startsWith('no tag to push')) return undefined;
  const where = parsed.kind === 'semver' ? 'a v1.2.3 tag pipeline' : parsed.kind === 'schedule' ? 'a scheduled pipeline' : 'any pipeline';
  return `${error.replace(/^input tag-rules: /, '')} (in ${where})`;
}
