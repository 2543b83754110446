/**
 * What the GitLab CI/CD Catalog requires of a release, checked before one exists: a semver tag
 * without `v` that matches the catalog's version, at most 30 components, every file under
 * templates/ named as GitLab takes a component, every template with a
 * `spec:` header and no empty `spec:inputs:`, every spec one the Catalog's component spec schema
 * takes, every template without lint errors, a README and a project description, templates and
 * docs that `cigen build` would not change, a CHANGELOG entry for the version, and (for a release
 * through the API) a GitLab project that is a CI/CD Catalog project. Pure: the caller reads the
 * project into a snapshot.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import componentSpecSchema from '../ci/schema/catalog_resource_component_spec.json' with { type: 'json' };
import { escapeRegExp } from '../ci/regexp.js';

export const MAX_COMPONENTS = 30;
/** The files GitLab publishes as components: Ci::Catalog::ComponentsProject::TEMPLATE_PATH_REGEX. */
const COMPONENT_PATH = /^templates\/[\w-]+(?:\/template)?\.yml$/;
/** Whether GitLab publishes the file at this root-relative path as a component. */
export const isComponentFile = (path: string): boolean => COMPONENT_PATH.test(path);

/** A pre-release identifier of semver.org's grammar: a number without a leading zero, or alphanumerics with a letter or `-`. */
const PRERELEASE_ID = String.raw`(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)`;
/** semver.org's grammar, as GitLab checks a Catalog version (Gitlab::Regex::SemVer): no empty identifier, no leading zero. */
const BUILD = String.raw`[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*`;
export const SEMVER = new RegExp(
  String.raw`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-${PRERELEASE_ID}(?:\.${PRERELEASE_ID})*)?(?:\+${BUILD})?$`,
);

export interface CatalogSnapshot {
  tag: string;
  /** package.json version, the version the docs' usage snippets pin. */
  version: string;
  /** The project description: the GitLab project's (through the API, or CI_PROJECT_DESCRIPTION), else package.json's. */
  description: string | undefined;
  /** Where `description` was read, in words the preflight shows. */
  descriptionFrom: string;
  readme: string | undefined;
  changelog: string | undefined;
  /** Every file under templates/ (any depth, any name), root-relative path -> its text, read for
   *  the component files only (`isComponentFile`); undefined for every other file. */
  templates: ReadonlyMap<string, string | undefined>;
  /** Each component file's lint errors (`path:line:col code message`), as `cigen lint` finds them. */
  templateErrors: readonly string[];
  /** Paths `cigen build --check` reports as stale, and the problems it found. */
  drift: readonly string[];
  buildProblems: readonly string[];
  /** With --create-release: the GitLab project, and whether it is a CI/CD Catalog project (GraphQL says). */
  catalogProject?: { path: string; isCatalog: boolean };
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Whether an `## Unreleased` section with entries comes before the version's own section. */
export function unreleasedAbove(changelog: string, version: string): boolean {
  const unreleased = /^##[ \t]+(?:\[Unreleased\](?:\([^)\s]*\))?|Unreleased)[ \t]*$/im.exec(changelog);
  if (!unreleased) return false;
  const rest = changelog.slice(unreleased.index + unreleased[0].length);
  const next = /^##[ \t]/m.exec(rest);
  const body = rest.slice(0, next ? next.index : undefined);
  const own = versionHeading(version).exec(changelog);
  return hasEntries(body) && (own === null || own.index > unreleased.index);
}

/** Whether a section's body holds any entry: a line other than a heading, an HTML comment or a blank
 *  (Keep a Changelog's empty `### Added` sub-headings wait for entries, they are none). */
const hasEntries = (body: string): boolean =>
  body
    .replace(/<!--[\s\S]*?-->/g, '')
    .split('\n')
    .some((line) => line.trim() !== '' && !/^\s{0,3}#{1,6}(?:\s|$)/.test(line));

/** The heading of `version`'s section: `## 1.2.0`, `## [1.2.0] - date`, `## v1.2.0`. */
function versionHeading(version: string): RegExp {
  const escaped = escapeRegExp(version);
  // `[1.2.0]` may be a link, as release-please and conventional-changelog write it: `[1.2.0](url)`.
  return new RegExp(`^##[ \\t]+(?:\\[v?${escaped}\\](?:\\([^)\\s]*\\))?|v?${escaped})(?:[ \\t].*)?$`, 'm');
}

/** The CHANGELOG section of `version` (`## 1.2.0`, `## [1.2.0] - date`, `## [1.2.0](url) (date)`, `## v1.2.0`), without its heading. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const match = versionHeading(version).exec(changelog);
  if (!match) return undefined;
  const rest = changelog.slice(match.index + match[0].length);
  const next = /^##[ \t]/m.exec(rest);
  return (next ? rest.slice(0, next.index) : rest).trim();
}

/** GitLab's words when a component's spec fails the schema: JsonSchemaValidator's message, in
 *  Versions::BuildComponentsService's error, which fails the release. */
const SPEC_REFUSED = 'Build component error: Spec must be a valid json schema';

/** The keys the Catalog takes at the top of a spec, as its schema lists them. */
const SPEC_KEYS = Object.keys(componentSpecSchema.properties);

/** A JSON type as YAML writes it. */
const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  null: 'empty',
  array: 'a list',
  boolean: 'a boolean',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
};

let specValidator: ValidateFunction | undefined;
/** Ci::Catalog::Resources::Component's `validates :spec, json_schema:` with the vendored schema
 *  (json_schemer; ajv reads it alike: unanchored patternProperties, integer as a whole number). */
const validSpec = (): ValidateFunction =>
  (specValidator ??= new Ajv({ allErrors: true, allowUnionTypes: true }).compile(componentSpecSchema));

/** One schema error in the spec's own terms: where (`spec:inputs:x:default`), and what it must be. */
function specError(error: ErrorObject): string {
  const where = [
    'spec',
    ...error.instancePath
      .split('/')
      .slice(1)
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~')),
  ].join(':');
  const { params } = error;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}:${String(params['additionalProperty'])} is not a key the Catalog takes (only ${SPEC_KEYS.join(' and ')})`;
    case 'type': {
      const types = [params['type']].flat().map((type) => TYPE_WORDS[String(type)] ?? String(type));
      return `${where} must be ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types[0]}`;
    }
    case 'enum':
      return `${where} must be one of ${[params['allowedValues']].flat().map(String).join(', ')}`;
    case 'uniqueItems':
      return `${where} names an item twice`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/** Why the Catalog refuses a component's spec (GitLab takes a header's spec that is null or false as `{}`:
 *  Yaml::Result#spec), or undefined. */
function specProblem(path: string, spec: unknown): string | undefined {
  const validate = validSpec();
  if (validate(spec === null || spec === false ? {} : spec)) return undefined;
  return `${path}: ${(validate.errors ?? []).map(specError).join('; ')}: the Catalog refuses it ("${SPEC_REFUSED}")`;
}

/** The template's spec, or why its header is not one GitLab reads (a string). */
function readHeader(path: string, text: string): string | { spec: unknown } {
  // The library's warnings (a collection key stringified) are no business of the user's terminal.
  const docs = parseAllDocuments(text, { logLevel: 'error' });
  if (!Array.isArray(docs) || docs.length !== 2)
    return `${path}: expected a spec: header, ---, then the jobs (found ${Array.isArray(docs) ? docs.length : 0} document(s))`;
  // A header GitLab could not read has nothing to check: say where it breaks (a duplicate key,
  // which GitLab's parser takes, is for lint to warn about; the jobs' errors are lint's too).
  const error = docs[0]?.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  if (error) {
    const at = error.linePos?.[0];
    return `${path}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML (${error.message.split('\n')[0] ?? ''})`;
  }
  let header: { spec?: unknown } | null;
  try {
    header = docs[0]?.toJS() as { spec?: unknown } | null;
  } catch (thrown) {
    // An alias to no anchor, or one that expands past the limit, reads as no value at all.
    return `${path}: the spec: header cannot be read (${(thrown as Error).message.split('\n')[0] ?? ''})`;
  }
  if (!header || typeof header !== 'object' || !('spec' in header)) return `${path}: the first document has no spec: header`;
  const { spec } = header;
  // A spec that is no mapping is the schema's to refuse, below.
  const inputs = typeof spec === 'object' && spec !== null && 'inputs' in spec ? { value: spec.inputs } : undefined;
  if (inputs && (inputs.value === null || (typeof inputs.value === 'object' && Object.keys(inputs.value).length === 0))) {
    return `${path}: an empty spec:inputs: breaks the catalog release; write spec: {} instead`;
  }
  return { spec };
}

export function preflight(snapshot: CatalogSnapshot): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const { tag } = snapshot;
  // GitLab (17.0 on) would take a v-prefixed semver tag too (SemanticVersionable, optional_prefixed):
  // the v is this catalog's rule, not the Catalog's.
  const semver = SEMVER.test(tag);
  check(
    'tag is semver without a v',
    semver,
    semver
      ? tag
      : SEMVER.test(tag.replace(/^v/, ''))
        ? `${tag}: this catalog's release tags are package.json's version, without the v (the tag pipeline's release: job takes x.y.z)`
        : `${tag}: not a semantic version; the Catalog publishes only semver tags (1.2.3, 1.2.3-rc.1)`,
  );
  check(
    'tag matches package.json',
    tag === snapshot.version,
    tag === snapshot.version
      ? `version ${snapshot.version}`
      : snapshot.version === ''
        ? 'package.json has no "version"; the usage snippets pin its major version'
        : `package.json says ${snapshot.version}; the usage snippets pin its major version`,
  );
  const components = [...snapshot.templates].filter(([path]) => isComponentFile(path));
  const count = components.length;
  check(
    `at most ${MAX_COMPONENTS} components`,
    count > 0 && count <= MAX_COMPONENTS,
    count === 0 ? 'no templates/<name>.yml at all' : `${count} component(s)`,
  );
  // GitLab ignores any other file (templates/a.yaml, templates/a.b.yml, templates/a/b/template.yml):
  // one there is almost certainly a component that would silently not be published. A directory
  // component's directory may hold other files it uses (GitLab's design allows them): not named.
  const componentDirectories = components.flatMap(([path]) =>
    path.endsWith('/template.yml') ? [path.slice(0, -'template.yml'.length)] : [],
  );
  const ignored = [...snapshot.templates.keys()].filter(
    (path) => !isComponentFile(path) && !componentDirectories.some((directory) => path.startsWith(directory)),
  );
  check(
    'every file under templates/ is a component GitLab publishes',
    ignored.length === 0,
    ignored.length === 0
      ? `${count} component(s)`
      : `${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ` and ${ignored.length - 5} more` : ''} ` +
          `${ignored.length === 1 ? 'is' : 'are'} not: GitLab publishes templates/<name>.yml and ` +
          'templates/<name>/template.yml, <name> of letters, digits, _ and - (its TEMPLATE_PATH_REGEX), and no other file',
  );
  // The component files only: every count below is of the files checked.
  const headers = components.map(([path, text]) => [path, readHeader(path, text ?? '')] as const);
  const problems = headers.flatMap(([, header]) => (typeof header === 'string' ? [header] : []));
  check(
    'every template has a spec: header and no empty spec:inputs',
    problems.length === 0,
    problems.length === 0 ? `${count} template(s)` : problems.join('; '),
  );
  // Of the headers GitLab reads: one it cannot is named above.
  const read = headers.flatMap(([path, header]) => (typeof header === 'string' ? [] : [[path, header.spec] as const]));
  const refused = read.flatMap(([path, spec]) => specProblem(path, spec) ?? []);
  check(
    "every spec is one the Catalog's component spec schema takes",
    refused.length === 0,
    refused.length === 0 ? `${read.length} template(s)` : refused.join('; '),
  );
  const errors = snapshot.templateErrors;
  check(
    'every template lints without errors',
    errors.length === 0,
    errors.length === 0
      ? `${count} template(s)`
      : `${errors.slice(0, 5).join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`,
  );
  const readmeOk = (snapshot.readme?.trim().length ?? 0) > 0;
  check('README.md', readmeOk, readmeOk ? 'present' : 'missing or empty: the Catalog shows it as the project page');
  const describedOk = (snapshot.description?.trim().length ?? 0) > 0;
  check(
    'project description',
    describedOk,
    describedOk
      ? `${snapshot.description as string} (${snapshot.descriptionFrom})`
      : `missing (${snapshot.descriptionFrom}): GitLab refuses to publish a project without one ("Project must have a description")`,
  );
  const current = snapshot.drift.length === 0 && snapshot.buildProblems.length === 0;
  check(
    'templates and docs are current',
    current,
    current
      ? 'cigen build would change nothing'
      : [...snapshot.buildProblems, ...snapshot.drift.map((p) => `${p} is stale: run cigen build`)].join('; '),
  );
  if (snapshot.catalogProject) {
    const { path, isCatalog } = snapshot.catalogProject;
    check(
      'a CI/CD Catalog project',
      isCatalog,
      isCatalog
        ? path
        : `${path} is none (or the token cannot read it): GitLab publishes no release of it to the Catalog; ` +
            'turn on Settings > General > Visibility, project features, permissions > CI/CD Catalog project',
    );
  }
  // Entries under `## Unreleased` above the version's section would be released without being in its notes.
  const unreleased = snapshot.changelog === undefined ? undefined : unreleasedAbove(snapshot.changelog, tag);
  check(
    'nothing left under Unreleased',
    !unreleased,
    unreleased
      ? `CHANGELOG.md has entries under "## Unreleased" above "## ${tag}": this release holds them, but its notes would not; ` +
          `name that section ${tag} (or move its entries into it)`
      : 'no entries under Unreleased',
  );
  const entry = snapshot.changelog === undefined ? undefined : changelogSection(snapshot.changelog, tag);
  check(
    `CHANGELOG entry for ${tag}`,
    Boolean(entry),
    snapshot.changelog === undefined
      ? 'CHANGELOG.md is missing'
      : entry
        ? 'present'
        : entry === ''
          ? `the "## ${tag}" section of CHANGELOG.md is empty`
          : `no "## ${tag}" section in CHANGELOG.md`,
  );
  return checks;
}
