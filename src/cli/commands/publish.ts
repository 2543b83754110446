/**
 * `cigen publish`: the Catalog release preflight, the release notes, and — for a mirror that
 * cannot run the `release:` job — the release itself through the Releases API, published to the
 * CI/CD Catalog and checked to be there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FindingsError, InputError, UsageError } from '../../errors.js';
import { gitlabToken, instanceUrl } from '../../bot/access.js';
import { GitLabPlatform } from '../../bot/gitlab.js';
import { PlatformError } from '../../bot/platform.js';
import { changelogSection, isComponentFile, preflight, type CatalogSnapshot } from '../../publish/preflight.js';
import { lintText } from '../../lint/lint-text.js';
import { readFileText, requireDirectory, writeFilesAtomically } from '../files.js';
import { paint } from '../output.js';
import { filesUnderTemplates } from '../project.js';
import { debug, isVerbose } from '../verbose.js';
import { planBuild, REMOVE_TEMPORARIES, temporariesLeft } from './build.js';
import { writeOut } from '../stdio.js';

export interface PublishOptions {
  tag?: string;
  root: string;
  dryRun?: boolean;
  notes?: string;
  createRelease?: boolean;
  gitlabUrl?: string;
  project?: string;
  ref?: string;
}

const read = (path: string): string | undefined => (existsSync(path) && statSync(path).isFile() ? readFileText(path) : undefined);

/** Every file under templates/, with the text of each component file (the others are only named). */
function templates(root: string): Map<string, string | undefined> {
  return new Map(filesUnderTemplates(root).map((path) => [path, isComponentFile(path) ? readFileText(join(root, path)) : undefined]));
}

/** The errors `cigen lint` finds in each component file (a file GitLab could not read, a schema error), one line each. */
async function lintErrors(texts: ReadonlyMap<string, string | undefined>): Promise<string[]> {
  const errors: string[] = [];
  for (const [path, text] of texts)
    if (text !== undefined)
      for (const d of await lintText(text, { file: path }))
        if (d.severity === 'error') errors.push(`${path}:${d.line}:${d.column} ${d.code} ${d.message}`);
  return errors;
}

/** The tags the catalog's own pipeline releases (its release: job's rule in .gitlab-ci.yml): no pre-release. */
const RELEASED_BY_PIPELINE = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/** What a JSON value is, in words: "a number", "an array". */
const jsonKind = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;

/**
 * package.json's version and description; a file that is not a JSON object, or whose version or
 * description is not a string, is refused, naming it.
 */
function parsePackageJson(text: string, path: string): { version: string | undefined; description: string | undefined } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${path}: not a JSON object`);
  const fields = value as Record<string, unknown>;
  for (const field of ['version', 'description'] as const) {
    const given = fields[field];
    if (given !== undefined && typeof given !== 'string')
      throw new InputError(`${path}: "${field}" is ${jsonKind(given)}; package.json gives it as a string`);
  }
  return { version: fields['version'] as string | undefined, description: fields['description'] as string | undefined };
}

/**
 * The project description the preflight checks, and where it was read. GitLab checks the project's
 * own (Ci::Catalog::Resources::ValidateService), never package.json: in a GitLab pipeline that is
 * CI_PROJECT_DESCRIPTION (unset or empty when the project has none); package.json's stands in only
 * outside one.
 */
export function descriptionToCheck(
  env: NodeJS.ProcessEnv,
  packageDescription: string | undefined,
): { description: string | undefined; from: string } {
  const fromCi = env['CI_PROJECT_DESCRIPTION'];
  if (fromCi !== undefined || env['GITLAB_CI'] === 'true')
    return { description: fromCi, from: `CI_PROJECT_DESCRIPTION, the GitLab project's` };
  return { description: packageDescription, from: "package.json, outside GitLab CI; the Catalog checks the GitLab project's own" };
}

/** The options only --create-release reads, as they are written. */
const API_OPTIONS = [
  ['gitlabUrl', '--gitlab-url'],
  ['project', '--project'],
  ['ref', '--ref'],
] as const;

/** Refuses options given without --create-release, which alone reads them (they would do nothing). */
function requireCreateRelease(options: PublishOptions): void {
  if (options.createRelease) return;
  const given = API_OPTIONS.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
  if (given.length === 0) return;
  const named = given.length === 1 ? given[0] : `${given.slice(0, -1).join(', ')} and ${given.at(-1)}`;
  throw new UsageError(
    `${named} ${given.length === 1 ? 'goes' : 'go'} with --create-release (the release through the API); ` +
      `without it, ${given.length === 1 ? 'it does' : 'they do'} nothing`,
  );
}

export async function runPublish(options: PublishOptions): Promise<void> {
  requireCreateRelease(options);
  const tag = options.tag ?? process.env['CI_COMMIT_TAG'];
  if (!tag) throw new UsageError('no version: pass --tag <x.y.z> (or run in a tag pipeline, where CI_COMMIT_TAG is set)');
  const root = options.root;
  await requireDirectory(root, `--root ${root}`);
  const packageJson = read(join(root, 'package.json'));
  if (packageJson === undefined) throw new UsageError(`${root}: no package.json; run cigen publish in the catalog project`);
  const pkg = parsePackageJson(packageJson, join(root, 'package.json'));

  let drift: string[] = [];
  let buildProblems: string[] = [];
  try {
    const plan = await planBuild(root);
    drift = [...plan.changed.map((w) => relative(root, w.path)), ...plan.stale];
    // Not stale, and no file GitLab reads: what `cigen build --check` refuses all the same, in its words.
    if (plan.temporaries.length > 0) buildProblems = [`${temporariesLeft(plan.temporaries)}; ${REMOVE_TEMPORARIES}`];
  } catch (error) {
    if (!(error instanceof FindingsError || error instanceof InputError)) throw error;
    buildProblems = [error.message.split('\n')[0] as string];
  }

  // A mirror's release goes through the API: check the description GitLab shows, not package.json's,
  // and that GitLab takes the project's releases into the Catalog at all.
  const api = options.createRelease ? apiFor(options) : undefined;
  let { description, from: descriptionFrom } = descriptionToCheck(process.env, pkg.description);
  let catalogProject: CatalogSnapshot['catalogProject'];
  if (api) {
    try {
      description = await api.platform.projectDescription(api.project);
      descriptionFrom = `the GitLab project ${api.project}`;
      catalogProject = { path: api.project, isCatalog: (await api.platform.catalogVersion(api.project, tag)).catalog };
    } catch (error) {
      if (error instanceof PlatformError) throw new InputError(`cigen publish: ${api.project}: ${error.message}`);
      throw error;
    }
  }
  const templateTexts = templates(root);
  const snapshot: CatalogSnapshot = {
    tag,
    version: pkg.version ?? '',
    description,
    descriptionFrom,
    readme: read(join(root, 'README.md')),
    changelog: read(join(root, 'CHANGELOG.md')),
    templates: templateTexts,
    templateErrors: await lintErrors(templateTexts),
    drift,
    buildProblems,
    ...(catalogProject ? { catalogProject } : {}),
  };
  const checks = preflight(snapshot);
  for (const check of checks) writeOut(`${check.ok ? paint('green', '✓') : paint('red', '✗')} ${check.name}: ${check.detail}\n`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new FindingsError(`cigen publish: ${failed.length} preflight check(s) failed; nothing released`);

  // The preflight read the files under --root; the release is made at the tag's commit (or --ref's):
  // they must be one commit.
  const at = api ? await requireSameCommit(root, api, tag, options.ref) : undefined;

  const notes = changelogSection(snapshot.changelog as string, tag) as string;
  if (options.notes) await writeFilesAtomically([{ path: options.notes, text: `${notes}\n` }]);
  // The catalog's .gitlab-ci.yml runs its release: job for x.y.z tags only, not for a pre-release.
  const byPipeline = RELEASED_BY_PIPELINE.test(tag);
  const how = api
    ? `create release ${tag} of ${api.project} through the Releases API and publish it to the CI/CD Catalog`
    : byPipeline
      ? `release ${tag} through the release: job of the tag pipeline`
      : `not release ${tag} through the tag pipeline, whose release: job runs for x.y.z tags only (--create-release can)`;
  if (options.dryRun) {
    writeOut(`preflight passed; would ${how}${options.notes ? `, with the notes in ${options.notes}` : ''} (dry run)\n`);
    return;
  }
  // `at` is there exactly when `api` is.
  if (!api || !at) {
    writeOut(
      byPipeline
        ? `preflight passed. The release: job of the ${tag} tag pipeline creates the release and publishes it to the ` +
            'CI/CD Catalog; --create-release does both through the API for a mirror that cannot run that job.\n'
        : `preflight passed. The tag pipeline releases x.y.z tags only, not the pre-release ${tag}; ` +
            '--create-release releases it to the CI/CD Catalog through the API.\n',
    );
    return;
  }
  const { commit, createsTag } = at;
  const asked = { tagName: tag, name: `cigen ${tag}`, description: notes };
  let url: string;
  try {
    ({ url } = await api.platform.createRelease(api.project, { ...asked, ...(options.ref ? { ref: options.ref } : {}) }));
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    // A release there already (409) may be this run's: an earlier attempt's whose answer was lost,
    // or an earlier run's that stopped at the Catalog check. Read back and compared, never assumed.
    const exists = error.lostAnswer !== undefined || error.status === 409;
    const lost = exists ? await madeAnyway(api, asked, commit, error) : undefined;
    if (typeof lost !== 'object')
      throw new InputError(
        `cigen publish: creating release ${tag}: ${error.message}${lost ?? ''}${createsTag ? await tagLeft(api, tag) : ''}`,
      );
    url = lost.url;
  }
  await requirePublished(api, tag, url);
  writeOut(`released ${tag} to the CI/CD Catalog: ${url}\n`);
}

/**
 * What became of a release GitLab refused as there already (409 "Release already exists"), or whose
 * request it may have done though an answer was lost (a gateway's 502 or 504, a timeout: the
 * request is sent again, and GitLab refuses the second when it made the first). A 409 alone is an
 * earlier run's release, say one that stopped before the Catalog check. The release GitLab has for
 * the tag, read back: the one asked for (this commit, this name and these notes) is taken as made
 * (its address returned, and said so), so a run again goes on to the Catalog check; another is
 * refused, naming what differs. Otherwise the clause the error gets: there is none, or looking it
 * up failed.
 */
async function madeAnyway(
  api: { platform: GitLabPlatform; project: string },
  asked: { tagName: string; name: string; description: string },
  commit: string,
  error: PlatformError,
): Promise<{ url: string } | string> {
  const tag = asked.tagName;
  const after = error.lostAnswer === undefined ? '' : `, after GitLab's answer to an attempt was lost (${error.lostAnswer})`;
  let found: Awaited<ReturnType<GitLabPlatform['release']>>;
  try {
    found = await api.platform.release(api.project, tag);
  } catch (lookup) {
    if (!(lookup instanceof PlatformError)) throw lookup;
    const unknown = error.lostAnswer === undefined ? `whether release ${tag} is the one asked for` : `whether GitLab made release ${tag}`;
    return `${after}; ${unknown} is unknown: looking it up failed (${lookup.message})`;
  }
  if (found === undefined) return `${after}; ${api.project} has no release ${tag}`;
  const differs = [
    ...(found.commit !== commit ? [`it is at ${found.commit?.slice(0, 12) ?? 'no commit GitLab names'}, not ${commit.slice(0, 12)}`] : []),
    ...(found.name !== asked.name ? [`its name is "${found.name}", not "${asked.name}"`] : []),
    ...(found.description !== asked.description ? ["its notes are not this run's"] : []),
  ];
  if (differs.length > 0)
    throw new InputError(
      `cigen publish: creating release ${tag}: ${error.message}${after}; the release ${tag} ${api.project} has is not the one ` +
        `this run asked for: ${differs.join('; ')}`,
    );
  writeOut(
    `creating release ${tag}: ${error.message}${after}; the release ${tag} ${api.project} has is the one asked for ` +
      `(at ${commit.slice(0, 12)}, with this run's name and notes)\n`,
  );
  return { url: found.url };
}

/**
 * What the failed release call left of the tag it asked GitLab to create at --ref, as a clause of
 * its error: Releases::CreateService creates a missing tag first and checks the release (the CI/CD
 * Catalog's rules) after, and keeps the tag when the release fails. Read back, never assumed.
 */
async function tagLeft(api: { platform: GitLabPlatform; project: string }, tag: string): Promise<string> {
  const again = 'once what GitLab refused is fixed, run again without --ref to create the release for it, or delete the tag';
  let commit: string | undefined;
  try {
    commit = await api.platform.tagCommit(api.project, tag);
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    return (
      `; the tag ${tag} may exist in ${api.project}: GitLab creates it before it checks the release, ` +
      `and looking it up failed (${error.message}); if it exists, ${again}`
    );
  }
  return commit === undefined
    ? `; ${api.project} has no tag ${tag}: GitLab created neither the tag nor the release`
    : `; the tag ${tag} now exists at ${commit} in ${api.project} (GitLab creates the tag before it checks the release, ` +
        `and keeps it when the release fails): ${again}`;
}

/**
 * Refuses to call a release published that the project's Catalog does not list: GitLab documents
 * the release: keyword as the way to publish, and an API release is a Catalog version only as long
 * as GitLab reads legacy_catalog_publish (or publishes every release, its feature flag off).
 */
async function requirePublished(api: { platform: GitLabPlatform; project: string }, tag: string, url: string): Promise<void> {
  let published: boolean;
  try {
    published = (await api.platform.catalogVersion(api.project, tag)).published;
  } catch (error) {
    if (error instanceof PlatformError)
      throw new InputError(
        `cigen publish: release ${tag} was created (${url}), but whether the Catalog lists it is unknown: ${error.message}; ` +
          'run the same command again to check (it takes the release there for this run when it is the one asked for)',
      );
    throw error;
  }
  if (!published)
    throw new InputError(
      `cigen publish: GitLab created release ${tag} (${url}) but did not publish it to the CI/CD Catalog of ${api.project}; ` +
        'delete that release and let the release: job of a tag pipeline create it (the way GitLab documents)',
    );
}

/** The paths under --root the preflight reads (planBuild compares templates/, docs/components/ and README.md). */
const PREFLIGHT_READS = ['package.json', 'README.md', 'CHANGELOG.md', 'templates', 'docs/components'];

/** The commit of the checkout at `root`; refused when it is none, or has changes the release would not hold. */
function checkedOutCommit(root: string): string {
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--verify', '--quiet', 'HEAD^{commit}');
  if (head.status !== 0)
    throw new InputError(
      `cigen publish: ${root} is not a git checkout (or has no commit): --create-release releases a commit, ` +
        'and cigen checks that it is the one the preflight read',
    );
  // Only the files the preflight read: an untracked release-notes.md (publish --notes) is none of them.
  const changed = git('status', '--porcelain', '--untracked-files=all', '--', ...PREFLIGHT_READS)
    .stdout.split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (changed.length > 0)
    throw new InputError(
      `cigen publish: ${root} has uncommitted changes (${changed.slice(0, 3).join(', ').replace(/\s+/g, ' ')}` +
        `${changed.length > 3 ? ', ...' : ''}): the preflight read them, and the release would not hold them; commit them first`,
    );
  return head.stdout.trim();
}

/**
 * Refuses a release made at another commit than the one under `root` (the tag's, else --ref's).
 * That commit, and whether GitLab is to create the tag (at --ref): the project has none yet.
 */
async function requireSameCommit(
  root: string,
  api: { platform: GitLabPlatform; project: string },
  tag: string,
  ref: string | undefined,
): Promise<{ commit: string; createsTag: boolean }> {
  const local = checkedOutCommit(root);
  let tagged: string | undefined;
  let made: { what: string; commit: string | undefined };
  try {
    // The Tags API, not the Commits API: a branch named like the tag is no tag, and GitLab would create one.
    tagged = await api.platform.tagCommit(api.project, tag);
    made = tagged
      ? { what: `the tag ${tag}`, commit: tagged }
      : { what: `--ref ${ref}`, commit: ref ? await api.platform.commitOf(api.project, ref) : undefined };
  } catch (error) {
    if (error instanceof PlatformError) throw new InputError(`cigen publish: ${api.project}: ${error.message}`);
    throw error;
  }
  // No tag and no --ref: GitLab's Releases API needs a ref to create the tag at, and refuses.
  if (!made.commit && ref === undefined)
    throw new InputError(
      `cigen publish: ${api.project} has no tag ${tag}, and without --ref GitLab cannot create it: ` +
        'push the tag, or give --ref (the commit checked out here); nothing released',
    );
  if (!made.commit) throw new InputError(`cigen publish: --ref ${ref} names nothing in ${api.project}`);
  if (made.commit !== local)
    throw new InputError(
      `cigen publish: the preflight read ${root} at ${local.slice(0, 12)}, but the release would be made at ${made.what} ` +
        `(${made.commit.slice(0, 12)} in ${api.project}): check that commit out (or push this one) and run again; nothing released`,
    );
  return { commit: local, createsTag: tagged === undefined };
}

/**
 * The Releases API client: the bot's GitLab platform, so the same rules hold — the token checked
 * before use and masked in every message, redirects followed only within the instance's origin.
 */
function apiFor(options: PublishOptions): { platform: GitLabPlatform; project: string } {
  const raw = options.gitlabUrl ?? process.env['CI_SERVER_URL'];
  if (!raw) throw new UsageError('--create-release needs --gitlab-url (or CI_SERVER_URL)');
  const url = instanceUrl(raw, options.gitlabUrl ? '--gitlab-url' : 'CI_SERVER_URL');
  const token = gitlabToken(process.env, '--create-release needs GITLAB_TOKEN (a token with the api scope; never on the command line)');
  const project = options.project ?? process.env['CI_PROJECT_PATH'];
  if (!project) throw new UsageError('--create-release needs --project <path> (or CI_PROJECT_PATH)');
  return { platform: new GitLabPlatform({ url, token, ...(isVerbose() ? { log: debug } : {}) }), project };
}
