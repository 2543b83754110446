/**
 * `cigen bot`: one merge request per project that still builds with Kaniko (or a Docker daemon),
 * idempotent across runs. Per project, on branch cigen/migrate-off-kaniko (merge requests from
 * that branch of a fork are not the bot's and are ignored, nor are people's from it into other
 * branches: see ownedByBot):
 *   an open MR whose branch is no longer at the commit the bot recorded in it (a push, an amend)
 *                                                -> human-modified (commented once), left alone
 *   an open MR with the same content hash        -> unchanged
 *   an open MR, the branch where the bot left it -> updated (branch reset, description)
 *   an open MR into a former default branch      -> updated (retargeted, branch rebuilt on the default)
 *   an MR being merged (locked)                  -> skipped, left alone
 *   an MR closed without merging                 -> declined, never opened again
 *   a merged MR, and the same change to propose  -> merged, not opened again (people undid it: a revert)
 *   a merged MR, and another change to propose   -> as with no MR (a job added since, or jobs this cigen moves)
 *   otherwise                                    -> branch + commit in one call, then the MR
 * A branch the bot created before a crash is reused (when the bot made all of it: see notByBot),
 * so a re-run yields one branch, one commit and one MR; so is one, or an MR, GitLab created while
 * its answer was lost (the resend refused as a duplicate). The bot never writes to the default
 * branch or to a protected one (its flag, an exact name or a wildcard): every commit needs a
 * Clearance, checked in the same pass.
 */
import { createHash } from 'node:crypto';
import { unifiedDiff } from '../ci/unified-diff.js';
import { escapeRegExp } from '../ci/regexp.js';
import { codeSpan, tableCell } from '../ci/markdown.js';
import { fetchLocalIncludes, refusedAsNotYaml } from '../ci/include-walk.js';
import mergeRequestBody from './merge-request.md.hbs';
import type { MigratedFile, MigratedJob, Migration, Migrator } from './migrator.js';
import {
  PlatformError,
  type Branch,
  type Commit,
  type MergeRequest,
  type Platform,
  type Project,
  type ProjectSelection,
} from './platform.js';

export const BRANCH = 'cigen/migrate-off-kaniko';
/** The merge request's title, by what the jobs built with before. */
export const titleFor = (from: string): string => `Build container images with Buildah instead of ${from}`;
const HASH_MARKER = /<!-- cigen:content-hash=([0-9a-f]+) -->/;
/** The commit the bot last wrote to its branch: anything else at the branch head was not the bot. */
const HEAD_MARKER = /<!-- cigen:head=([0-9a-f]+) -->/;
/** The hidden record at the end of the bot's description, read back by HASH_MARKER and HEAD_MARKER. */
const record = (hash: string, head: string): string => `<!-- cigen:content-hash=${hash} -->\n<!-- cigen:head=${head} -->`;
/** A description with neither marker: people rewrote it (the bot's own always ends with its record). */
const recordLost = (description: string): boolean => !HASH_MARKER.test(description) && !HEAD_MARKER.test(description);
const HASH_TRAILER = /^Cigen-Content-Hash: ([0-9a-f]+)$/m;
const HUMAN_MARKER = '<!-- cigen:human-modified -->';
const DEVELOPER = 30;
/** A dry run's word on a project whose `permissions` say nothing of the token's user: GitLab names
 *  there only a membership of the project and of its group or the groups above it
 *  (Entities::ProjectWithAccess: project_access, group_access). */
const UNKNOWN_ACCESS =
  'GitLab does not say what this token may do here, as for an admin, a public or internal project, or access through a ' +
  'shared group: whether it may write is known only when it tries';
/** A dry run's word on a project whose `permissions` name a membership below Developer: access
 *  through a group the project is shared with is not among them, and may let the token push. */
const lowAccess = (level: number): string =>
  `GitLab names a membership of access level ${level} here, below Developer, and not access through a shared group: ` +
  'whether it may write is known only when it tries';

export const STATUSES = [
  'opened',
  'updated',
  'unchanged',
  'nothing-to-migrate',
  'declined',
  'merged',
  'human-modified',
  'skipped',
  'failed',
] as const;
export type ProjectStatus = (typeof STATUSES)[number];

export interface ProjectResult {
  path: string;
  status: ProjectStatus;
  mergeRequest: string | null;
  reason: string | null;
  /** --dry-run: the change the bot would propose. */
  diff?: string;
}

export interface Shard {
  /** 1-based, like CI_NODE_INDEX. */
  index: number;
  total: number;
}

export interface BotOptions {
  selection: ProjectSelection;
  migrator: Migrator;
  /** --component-ref; without it each project's jobs move onto the catalog its pipeline includes
   *  already, else the default one, as `cigen migrate` takes it. */
  componentRef?: string;
  /** `--builder-image [REGISTRY=]IMAGE` values, for jobs whose Kaniko or Docker images come from a mirror. */
  builderImages?: readonly string[];
  dryRun: boolean;
  concurrency: number;
  shard?: Shard;
  onResult?: (result: ProjectResult) => void;
}

export interface BotReport {
  projects: ProjectResult[];
  counts: Record<ProjectStatus, number>;
  /** Why the project listing stopped after its first page: the projects listed before it were handled, the rest not. */
  stopped?: string;
}

/** A project belongs to shard i of n when its id says so: stable across runs and listing orders. */
export const inShard = (project: Project, shard: Shard | undefined): boolean => !shard || project.id % shard.total === shard.index - 1;

/** What the change is, independent of when it was computed: the component and every new file. */
export function contentHash(componentRef: string, files: readonly MigratedFile[]): string {
  const hash = createHash('sha256').update(componentRef);
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`\0${file.path}\0${file.result}`);
  return hash.digest('hex').slice(0, 24);
}

/** Protected branch patterns use `*` as a wildcard (GitLab's protected branch matching). */
export function matchesPattern(name: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return regex.test(name);
}

/** The jobs a merge request speaks of: hidden templates count once they change (converted in place) or need a person. */
const reportedJobs = (files: readonly MigratedFile[]): MigratedJob[] =>
  files.flatMap((f) => f.jobs.filter((j) => !j.name.startsWith('.') || j.status !== 'unchanged'));

/** What moved jobs built with before: whether Kaniko, whether a Docker daemon, and the words of the
 *  title, the commit and the description. */
function builtWith(moved: readonly MigratedJob[]): { kaniko: boolean; docker: boolean; words: string } {
  const docker = moved.some((j) => j.from === 'docker');
  const kaniko = moved.some((j) => j.from === 'kaniko');
  return { kaniko, docker, words: docker && kaniko ? 'Kaniko and Docker daemon builds' : docker ? 'Docker daemon builds' : 'Kaniko' };
}

/** What the jobs a merge request moves built with before, in words. */
export const movedFrom = (files: readonly MigratedFile[]): string =>
  builtWith(reportedJobs(files).filter((j) => j.status === 'migrated')).words;

/** What moved jobs went onto: the buildah component (`componentRef`), kaniko-compat, or both; and the
 *  words of the commit for it. */
function builtOn(componentRef: string, moved: readonly MigratedJob[]) {
  const onCompat = (j: MigratedJob) => j.component !== undefined && j.component !== componentRef && /\/kaniko-compat@/.test(j.component);
  const compat = moved.filter(onCompat);
  const buildah = moved.some((j) => !onCompat(j)) || compat.length === 0;
  const words =
    buildah && compat.length > 0
      ? 'the buildah component and kaniko-compat'
      : buildah
        ? 'the buildah component'
        : 'kaniko-compat (Buildah)';
  return { onCompat, compat, buildah, words };
}

/** What the jobs a merge request moves went onto, in words. */
const movedOnto = (componentRef: string, files: readonly MigratedFile[]): string =>
  builtOn(
    componentRef,
    reportedJobs(files).filter((j) => j.status === 'migrated'),
  ).words;

/** The merge request's description. The template is not escaped (Markdown is its output): job names
 *  and file paths come to it as Markdown already, each a code span that shows it as it is, and in
 *  the table a cell (a `|` in a name would split it, code span or not). */
export function renderBody(componentRef: string, files: readonly MigratedFile[], hash: string, head: string): string {
  const jobs = reportedJobs(files);
  const moved = jobs.filter((j) => j.status === 'migrated');
  const { onCompat, compat, buildah } = builtOn(componentRef, moved);
  const { kaniko, docker, words: from } = builtWith(moved);
  return mergeRequestBody({
    from,
    kaniko,
    docker,
    componentRef,
    buildah,
    both: buildah && compat.length > 0,
    compatRef: compat[0]?.component ?? '',
    compat: compat.map((j) => ({ job: codeSpan(j.name), template: j.name.startsWith('.') })),
    jobs: jobs
      .filter((j) => j.status !== 'unchanged')
      .map((j: MigratedJob) => ({
        job: tableCell(codeSpan(j.name)),
        file: tableCell(codeSpan(j.file)),
        status:
          j.status !== 'migrated'
            ? 'needs review (left as it is)'
            : onCompat(j)
              ? j.name.startsWith('.')
                ? 'template converted in place onto kaniko-compat'
                : 'moved onto kaniko-compat (keeps its script)'
              : 'moved to the component',
      })),
    reviews: jobs.filter((j) => j.status === 'needs-review').map((j) => ({ job: codeSpan(j.name), notes: j.notes })),
    unchecked: files.flatMap((f) => f.unchecked ?? []),
    duplicates: files.flatMap((f) => f.duplicates ?? []),
    notes: moved.flatMap((j) => j.notes.map((text) => ({ job: codeSpan(j.name), text }))),
    promote: jobs.flatMap((j) => (j.promote ? [{ job: codeSpan(j.name), text: j.promote.text }] : [])),
    promoteRef: componentRef.replace(/\/[a-z0-9][a-z0-9_-]*@/, '/promote@'),
    record: record(hash, head),
  });
}

const commitMessage = (hash: string, from: string, onto: string): string =>
  `ci: build images with ${onto} instead of ${from}\n\n` +
  'Moved by cigen bot; see the merge request for what changed and why.\n\n' +
  `Cigen-Content-Hash: ${hash}\n`;

/**
 * Where GitLab reads a pipeline file that is not in the repository at that path, in the order of
 * Gitlab::Ci::ProjectConfig::SOURCES after Repository: ExternalProject takes
 * `\A.+(yml|yaml)@.+\z` (`file@group/project[:ref]`; Ruby's `.` is any character but a newline),
 * Remote any path URI::DEFAULT_PARSER.make_regexp(%w[http https]) finds in it, which is any holding
 * `http:` or `https:` (the regexp is not anchored, and what may follow the colon may be empty).
 * undefined: neither, so GitLab has no pipeline file there either.
 */
function pipelineElsewhere(path: string): string | undefined {
  if (/^[^\n]+(?:yml|yaml)@[^\n]+$/.test(path)) return 'GitLab reads the pipeline file from another project';
  if (/https?:/.test(path)) return 'GitLab reads the pipeline file from a URL';
  return undefined;
}

interface Context {
  platform: Platform;
  migrator: Migrator;
  bot: { username: string; email: string };
  /** The run's --component-ref, if it names one. */
  componentRef: string | undefined;
  builderImages: readonly string[] | undefined;
  dryRun: boolean;
}

/** The project's pipeline file and its local includes, fetched at one commit, then migrated. */
async function migrateProject(ctx: Context, project: Project, ref: string): Promise<(Migration & { commit: string }) | ProjectResult> {
  const result = (status: ProjectStatus, reason: string): ProjectResult => ({ path: project.path, status, mergeRequest: null, reason });
  const pipelinePath = project.ciConfigPath || '.gitlab-ci.yml';
  // As GitLab looks for it (Gitlab::Ci::ProjectConfig::SOURCES): the repository first, whatever the path holds.
  const pipeline = await ctx.platform.readFile(project, pipelinePath, ref);
  if (pipeline === undefined) {
    const elsewhere = pipelineElsewhere(pipelinePath);
    return result('skipped', elsewhere ? `${elsewhere} (ci_config_path ${pipelinePath})` : `no pipeline file (${pipelinePath}) on ${ref}`);
  }
  // Every include is read at the commit the pipeline file was read at, and the bot's branch starts
  // there: a push to the default branch meanwhile is neither mixed in nor undone by the change.
  const { text, commit } = pipeline;
  // Fetched by the walk migrate reads them with — so it asks for none the bot did not fetch (a file
  // not fetched would be one that "does not exist"), and says what the cap left unread itself.
  const files = new Map<string, string>();
  await fetchLocalIncludes({ path: pipelinePath, text }, pipelinePath, {
    includes: (file) => ctx.migrator.localIncludes(file.path, file.text).map((target) => ({ target })),
    read: async ({ path }) => {
      // Not fetched, as migrate reads none: GitLab refuses such an include (migrate warns of it).
      if (refusedAsNotYaml(path)) return undefined;
      const included = await ctx.platform.readFile(project, path, commit);
      if (included === undefined) return undefined;
      files.set(path, included.text);
      return { path, text: included.text };
    },
  });
  const migrated = ctx.migrator.migrate(pipelinePath, text, {
    ...(ctx.componentRef !== undefined ? { componentRef: ctx.componentRef } : {}),
    readProjectFile: (path) => files.get(path),
    ...(ctx.builderImages ? { builderImages: ctx.builderImages } : {}),
  });
  if ('invalid' in migrated) return result('skipped', `not valid YAML: ${migrated.invalid}`);
  return { ...migrated, commit };
}

function diffOf(files: readonly MigratedFile[]): string {
  return files
    .filter((f) => f.changed)
    .map((f) => unifiedDiff(`a/${f.path}`, `b/${f.path}`, f.original, f.result))
    .join('');
}

/** Who made the commits the bot did not make, each once: a commit's author, or for one the bot
 *  authored, its committer (who amended or rewrote it). Not every committer: on an instance that
 *  signs web commits, the committer of a person's web edit is GitLab itself. */
function people(commits: readonly Commit[], bot: { email: string }): string {
  const others = new Set(commits.map((c) => (c.authorEmail === bot.email ? c.committerEmail : c.authorEmail)));
  others.delete(bot.email);
  return others.size > 0 ? [...others].join(', ') : 'someone other than the bot';
}

/**
 * The commits the bot did not make. The bot made a commit it authored (the one field its API call
 * sets) and either committed or GitLab itself signed: an instance that signs web commits, those
 * made through its API too, names itself their committer and signs them (`verified_system`). A
 * person's amend keeps the bot as author, but not as committer, and cannot carry the instance's
 * signature; a person's web edit has that person as author. Only a commit the bot authored and did
 * not commit costs a request: its signature.
 */
async function notByBot(ctx: Context, project: Project, commits: readonly Commit[]): Promise<Commit[]> {
  const others: Commit[] = [];
  for (const c of commits) {
    const mine =
      c.authorEmail === ctx.bot.email && (c.committerEmail === ctx.bot.email || (await ctx.platform.systemSigned(project, c.id)));
    if (!mine) others.push(c);
  }
  return others;
}

/**
 * Why the branch of an open merge request is no longer the bot's, or what the bot finds there while
 * it is. The branch is the bot's when its head is the commit the bot last wrote, as recorded in the
 * merge request; a merge request from before that record falls back to who made each commit. A head
 * the record does not name is still the bot's when the bot made every commit (notByBot) on
 * the branch and each carries its content hash: a run whose description update failed after its
 * commit left it (`headHash`, the hash the head carries). A description without any record (people
 * rewrote it) falls back to who made each commit, and says what the head holds by its trailer
 * (`headHash`) too. Anything else is a person's.
 */
async function changedByOthers(
  ctx: Context,
  project: Project,
  ref: string,
  branch: Branch | undefined,
  open: MergeRequest,
): Promise<string | { headHash?: string }> {
  if (!branch) return `${BRANCH} no longer exists; the bot leaves merge request !${open.iid} to people`;
  const recorded = HEAD_MARKER.exec(open.description)?.[1];
  if (recorded === branch.commit) return {};
  const commits = await ctx.platform.commitsBetween(project, ref, BRANCH);
  const byOthers = await notByBot(ctx, project, commits);
  const hashes = commits.map((c) => HASH_TRAILER.exec(c.message)?.[1]);
  const headHash = hashes.at(-1);
  // No record at all: what the head holds is read from its trailer, as people left no hash to compare.
  if (recorded === undefined && byOthers.length === 0) return recordLost(open.description) && headHash !== undefined ? { headHash } : {};
  if (commits.length > 0 && byOthers.length === 0 && headHash !== undefined && hashes.every((h) => h !== undefined)) return { headHash };
  return `${BRANCH} has changed since the bot's last commit (by ${people(byOthers, ctx.bot)}); the bot leaves it to them`;
}

/**
 * Proof that the bot's branch was found unprotected — by the branch's own flag, by exact name and
 * by every wildcard pattern — in this pass over the project. write() takes nothing else, so no path
 * that commits can skip the check. Made only here.
 */
class Clearance {
  /** A private member makes the class nominal: no other object passes for a Clearance. */
  private readonly nominal = true;
  constructor(readonly projectId: number) {}
}

/** A Clearance to write the bot's branch, or why the bot may not. */
async function clearance(ctx: Context, project: Project, branch: Branch | undefined): Promise<Clearance | string> {
  if (BRANCH === project.defaultBranch) return `the default branch is ${BRANCH}; the bot never writes to a default branch`;
  const { patterns, complete } = await ctx.platform.protectedBranches(project);
  const pattern = patterns.includes(BRANCH) ? undefined : patterns.find((p) => matchesPattern(BRANCH, p));
  if (pattern !== undefined) return `${BRANCH} matches the protected pattern '${pattern}'; the bot never writes to a protected branch`;
  // An exact name, or what GitLab itself says of the branch (every rule, those this listing does not show too).
  if (patterns.includes(BRANCH) || branch?.protected) return `${BRANCH} is a protected branch; the bot never writes to one`;
  // A branch not there yet has no flag: with rules unlisted, one of them could protect the name.
  if (!complete && !branch)
    return (
      `the project has more protected branch rules than GitLab lists (${patterns.length}); whether ${BRANCH} would be ` +
      'protected cannot be checked, so the bot does not create it'
    );
  return new Clearance(project.id);
}

async function processProject(ctx: Context, project: Project): Promise<ProjectResult> {
  const { platform } = ctx;
  const result = (
    status: ProjectStatus,
    reason: string | null,
    mergeRequest: MergeRequest | null = null,
    extra: Partial<ProjectResult> = {},
  ): ProjectResult => ({ path: project.path, status, mergeRequest: mergeRequest?.webUrl ?? null, reason, ...extra });
  if (project.archived) return result('skipped', 'archived');
  if (!project.mergeRequestsEnabled) return result('skipped', 'merge requests are turned off in this project; the bot can open none');
  const ref = project.defaultBranch;
  if (!ref && project.codeHidden)
    return result(
      'skipped',
      "the token may not read this project's code (GitLab gave no default branch: below Reporter in a private project, " +
        'or a repository for project members only)',
    );
  if (!ref) return result('skipped', 'empty repository');
  if (ref === BRANCH) return result('skipped', `the default branch is ${BRANCH}; the bot never writes to a default branch`);

  const read = await migrateProject(ctx, project, ref);
  if (!('files' in read)) return read;
  // The component the jobs move onto: the run's, else the catalog's the pipeline includes already.
  const { files: migrated, commit: base, componentRef } = read;
  const changed = migrated.filter((f) => f.changed);
  const reviews = migrated.flatMap((f) => f.jobs).filter((j) => j.status === 'needs-review');
  if (changed.length === 0) {
    const why = [
      ...(reviews.length > 0 ? [`${reviews.length} job(s) need review: ${reviews.map((j) => j.name).join(', ')}`] : []),
      ...migrated.flatMap((f) => [...(f.unchecked ?? []), ...(f.duplicates ?? [])]),
    ];
    // A pipeline that already names the catalog was likely moved by people while the bot's merge
    // request is open: the report links it. Only then is it looked for — a plain project costs no request.
    const open = usesCatalog(read) ? await openMergeRequest(ctx, project, ref) : undefined;
    if (open) why.push(`the bot's merge request !${open.iid} is still open; nothing is left for it to move`);
    return result('nothing-to-migrate', why.length > 0 ? why.join('; ') : null, open ?? null);
  }

  const hash = contentHash(componentRef, changed);
  /** The description, recording the commit the branch must still point at for the bot to touch it again. */
  const body = (head: string) => renderBody(componentRef, migrated, hash, head);
  const actions = changed.map((f) => ({ action: 'update' as const, path: f.path, content: f.result }));
  const from = movedFrom(migrated);
  const onto = movedOnto(componentRef, migrated);
  const change = (force: boolean, expectedHead?: string): Change => ({
    force,
    hash,
    from,
    onto,
    base,
    actions,
    ...(expectedHead ? { expectedHead } : {}),
  });
  const dry = ctx.dryRun ? { diff: diffOf(migrated) } : {};

  // What GitLab names of the token's access. A group's listing does not say, the project does —
  // asked only now, so a project with nothing to move costs nothing. A level below Developer is a
  // membership's, not the token's whole access (a share can give more): the write finds out.
  const access = project.accessLevel === undefined ? await platform.accessLevel(project) : project.accessLevel;
  const accessUnknown = access === null ? UNKNOWN_ACCESS : access < DEVELOPER ? lowAccess(access) : undefined;
  /** What a dry run would do; where GitLab does not say the token may write, that it is not known. */
  const wouldDo = (status: ProjectStatus, what: string, mergeRequest: MergeRequest | null = null): ProjectResult =>
    result(status, `would ${what} (dry run${accessUnknown ? `; ${accessUnknown}` : ''})`, mergeRequest, dry);
  /** A commit GitLab refused (403): no permission to push, with the membership GitLab named, if below Developer. */
  const pushRefused = (error: unknown, mergeRequest: MergeRequest | null = null): ProjectResult => {
    if (!(error instanceof PlatformError) || error.status !== 403) throw error;
    const named = access !== null && access < DEVELOPER ? `; GitLab names a membership of access level ${access} here` : '';
    return result('skipped', `no permission to push (403): ${error.message}${named}`, mergeRequest);
  };
  const fromBranch = await branchMergeRequests(platform, project);
  // GitLab is merging one from the branch (opened -> locked -> merged), the bot's or a person's: a
  // reset now would change what it merges.
  const merging = fromBranch.find((mr) => mr.state === 'locked');
  if (merging) return result('skipped', `merge request !${merging.iid} is being merged (locked); the bot leaves it`, merging);
  // Only the bot's own speak for it: a person's from its branch into another is left alone (ownedByBot).
  const requests = fromBranch.filter((mr) => ownedByBot(ctx.bot, mr));
  const open = ownOpen(ctx.bot, requests, ref);
  if (open) {
    const branch = await platform.branch(project, BRANCH);
    const state = await changedByOthers(ctx, project, ref, branch, open);
    if (typeof state === 'string') return humanModified(ctx, project, open, state, result);
    // The branch is built on the default branch only, and only for a merge request into it: one into
    // a branch that is no longer the default (the default changed) is retargeted and rebuilt.
    const retarget = open.targetBranch !== ref ? { from: open.targetBranch, to: ref } : undefined;
    /** The merge request updated; one GitLab refused or never answered is a failure that links it and
     *  says what the bot had done (`done`: a reset of the branch) before it. */
    const update = async (options: { description: string; targetBranch?: string }, done = ''): Promise<MergeRequest | ProjectResult> => {
      try {
        return await platform.updateMergeRequest(project, open.iid, options);
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        const what =
          options.targetBranch !== undefined
            ? `retargeting merge request !${open.iid} to ${options.targetBranch}`
            : `updating the description of merge request !${open.iid}`;
        return result('failed', `${done}${what} failed: ${error.message}`, open);
      }
    };
    if (!retarget && state.headHash === undefined && HASH_MARKER.exec(open.description)?.[1] === hash)
      return result('unchanged', null, open);
    // Only the description: the title is the people's now (a `Draft:` prefix, a better wording). A
    // retarget too when an earlier run rebuilt the branch on the default branch and GitLab refused the
    // retarget (a 409): every commit on it since the default branch is the bot's and holds this
    // content, so the update is tried again, not the reset (a new commit each run, its pipeline run
    // again, in people's merge requests from the branch too).
    if (state.headHash === hash && branch && !(retarget && recordLost(open.description))) {
      // The bot's own commit already holds this content. People rewrote the description, record and
      // all: their text stays, the record goes back after it, and nothing else changes (no commit).
      if (recordLost(open.description)) {
        if (ctx.dryRun) return wouldDo('unchanged', 'put the hidden record back at the end of the description people rewrote', open);
        const description = [open.description.trimEnd(), record(hash, branch.commit)].filter((part) => part !== '').join('\n\n');
        const restored = await update({ description });
        if (!('iid' in restored)) return restored;
        return result('unchanged', 'the description people rewrote had lost the hidden record; put back at its end, their text kept', open);
      }
      // A run stopped before the description caught up (or before the retarget went through).
      const retargeting = retarget && `retarget the merge request from ${retarget.from} to ${retarget.to} and `;
      if (ctx.dryRun) return wouldDo('updated', `${retargeting || ''}update the merge request description`, open);
      const updated = await update({ description: body(branch.commit), ...(retarget ? { targetBranch: retarget.to } : {}) });
      if (!('iid' in updated)) return updated;
      return result(
        'updated',
        retarget ? `retargeted from ${retarget.from} to ${retarget.to}, the default branch now; the branch was rebuilt on it before` : null,
        updated,
      );
    }
    const clear = await clearance(ctx, project, branch);
    if (!(clear instanceof Clearance)) return result('skipped', clear, open);
    const retargeting = retarget && `retarget the merge request from ${retarget.from} to ${retarget.to}, `;
    if (ctx.dryRun) return wouldDo('updated', `${retargeting || ''}reset the branch and update the merge request`, open);
    // The commit first: a run that stops before the update leaves a head the next run takes for its own and finishes.
    let commit: Commit | string;
    try {
      commit = await write(ctx, project, clear, change(true, branch?.commit));
    } catch (error) {
      return pushRefused(error, open);
    }
    if (typeof commit === 'string') return humanModified(ctx, project, open, commit, result);
    // The branch is rewritten already: a failed update says so, and names the commit the merge request now shows
    // under a description that records the one before (the next run takes it for the bot's and tries again).
    const updated = await update(
      { description: body(commit.id), ...(retarget ? { targetBranch: retarget.to } : {}) },
      `${BRANCH} was reset (commit ${commit.id.slice(0, 12)}); `,
    );
    if (!('iid' in updated)) return updated;
    return result(
      'updated',
      retarget ? `retargeted from ${retarget.from} to ${retarget.to}, the default branch now; the branch rebuilt on it` : null,
      updated,
    );
  }
  // The latest of the bot's ended merge requests speaks. Closed: people said no, and the bot opens no
  // other. Merged: an answer to that change only. The same change again means people undid it (a
  // revert), and the bot does not propose it again; another (a job added since, or jobs this cigen
  // moves and that one did not) is proposed as in a project with none.
  const ended = requests.filter((mr) => mr.state === 'closed' || mr.state === 'merged').sort((a, b) => b.iid - a.iid)[0];
  if (ended?.state === 'closed')
    return result('declined', `merge request !${ended.iid} was closed without merging; the bot does not open it again`, ended);
  let mergedBefore: string | undefined;
  if (ended?.state === 'merged') {
    const verdict = await againstMerged(ctx, project, ended, actions);
    if (verdict === 'same')
      return result(
        'merged',
        `merge request !${ended.iid} was merged and then undone: the bot would propose the same files again ` +
          `(${actions.map((a) => a.path).join(', ')}); it proposes a change again only if it differs`,
        ended,
      );
    if (verdict !== 'differs')
      return result(
        'merged',
        `merge request !${ended.iid} was merged, but ${verdict.unknown}: whether this change is the one it merged cannot be ` +
          'told, so the bot does not open another',
        ended,
      );
    mergedBefore = `merge request !${ended.iid} was merged earlier; this change differs from what it merged`;
  }

  const since = mergedBefore ? `; ${mergedBefore}` : '';
  const branch = await platform.branch(project, BRANCH);
  const clear = await clearance(ctx, project, branch);
  if (!(clear instanceof Clearance)) return result('skipped', clear);
  let head: string;
  if (branch) {
    const commits = await platform.commitsBetween(project, ref, BRANCH);
    const others = await notByBot(ctx, project, commits);
    if (others.length > 0)
      return result(
        'human-modified',
        `${BRANCH} has commits the bot did not make (by ${people(others, ctx.bot)}) and no open merge request; left alone`,
      );
    // The bot's own branch from a run that stopped before opening the MR: reuse it.
    const current = HASH_TRAILER.exec(commits.at(-1)?.message ?? '')?.[1] === hash;
    if (ctx.dryRun) return wouldDo('opened', `${current ? '' : 'reset the branch and '}open the merge request${since}`);
    if (current) head = branch.commit;
    else {
      let written: Commit | string;
      try {
        written = await write(ctx, project, clear, change(true, branch.commit));
      } catch (error) {
        return pushRefused(error);
      }
      if (typeof written === 'string') return result('human-modified', `${written}; left alone`);
      head = written.id;
    }
  } else {
    if (ctx.dryRun) return wouldDo('opened', `create the branch and open the merge request${since}`);
    try {
      head = ((await write(ctx, project, clear, change(false))) as Commit).id;
    } catch (error) {
      return pushRefused(error);
    }
  }
  let opened: MergeRequest;
  try {
    opened = await platform.createMergeRequest(project, {
      sourceBranch: BRANCH,
      targetBranch: ref,
      title: titleFor(from),
      description: body(head),
    });
  } catch (error) {
    // The branch is written: whatever GitLab answered, the project is not as the bot found it.
    if (!(error instanceof PlatformError)) throw error;
    // A create GitLab did but whose answer was lost (a gateway's 502, a timeout) is sent again, and
    // GitLab refuses the second: 409 "Another open merge request already exists for this source
    // branch". The one open is this run's when its description records the commit just written.
    const mine = error.status === 409 ? await openMergeRequest(ctx, project, ref) : undefined;
    if (mine && mine.targetBranch === ref && HEAD_MARKER.exec(mine.description)?.[1] === head)
      return result('opened', mergedBefore ?? null, mine);
    return result(
      'failed',
      `${BRANCH} is written (commit ${head.slice(0, 12)}); opening the merge request failed: ${error.message}; ` +
        'the next run reuses the branch',
    );
  }
  return result('opened', mergedBefore ?? null, opened);
}

const MERGED_COMMIT = { merge: 'merge commit', squash: 'squash commit', head: 'head commit' } as const;

/**
 * Whether the change the bot would propose is the one a merged merge request of its merged: each
 * file it would write reads the same at the commit GitLab names for what was merged (see
 * MergeRequest.mergedCommit). 'same': people merged it and undid it since. 'differs': the pipeline
 * has something else to move now. `unknown`: why it cannot be told (the commit is gone).
 */
async function againstMerged(
  ctx: Context,
  project: Project,
  merged: MergeRequest,
  actions: readonly { path: string; content: string }[],
): Promise<'same' | 'differs' | { unknown: string }> {
  const at = merged.mergedCommit;
  if (!at) return { unknown: 'GitLab names no commit of it (no merge_commit_sha, squash_commit_sha or sha)' };
  const gone = { unknown: `its ${MERGED_COMMIT[at.kind]} ${at.sha.slice(0, 12)} is no longer in the repository` };
  for (const { path, content } of actions) {
    // A file missing at a commit that is there differs; a commit that is not there (GitLab's 404
    // for the read names it) tells nothing.
    const file = await ctx.platform.readFile(project, path, at.sha).catch(async (error: unknown) => {
      if (error instanceof PlatformError && error.status === 404 && (await ctx.platform.commitOf(project, at.sha)) === undefined)
        return gone;
      throw error;
    });
    if (file === undefined) return 'differs';
    if ('unknown' in file) return file;
    if (file.text !== content) return 'differs';
  }
  return 'same';
}

/** The merge requests from the bot's branch, any state, the bot's and people's. Only the project's
 *  own branch is the bot's: a fork's merge request may carry the same branch name. */
const branchMergeRequests = async (platform: Platform, project: Project): Promise<MergeRequest[]> =>
  (await platform.mergeRequests(project, BRANCH)).filter((mr) => mr.sourceProjectId === project.id);

/**
 * Whether a merge request from the bot's branch is the bot's own: opened with this token (its author
 * is the token's user), or carrying the bot's hidden record. GitLab lets people open more from the
 * branch, into other branches (a backport: MergeRequest#validate_branches refuses only a second open
 * one with the same source and target branch); those are theirs, and the bot neither takes them for
 * its own nor reads an answer to its change in how they ended.
 */
const ownedByBot = (bot: { username: string }, mr: MergeRequest): boolean => mr.author === bot.username || !recordLost(mr.description);

/** Of the bot's own merge requests (`owned`: see ownedByBot), the open one: the one into the default
 *  branch (`ref`) first, then one it opened with this token. */
function ownOpen(bot: { username: string }, owned: readonly MergeRequest[], ref: string): MergeRequest | undefined {
  const rank = (mr: MergeRequest) => (mr.targetBranch === ref ? 2 : 0) + (mr.author === bot.username ? 1 : 0);
  return owned.filter((mr) => mr.state === 'opened').sort((a, b) => rank(b) - rank(a) || a.iid - b.iid)[0];
}

const openMergeRequest = async (ctx: Context, project: Project, ref: string): Promise<MergeRequest | undefined> =>
  ownOpen(
    ctx.bot,
    (await branchMergeRequests(ctx.platform, project)).filter((mr) => ownedByBot(ctx.bot, mr)),
    ref,
  );

/** Whether the pipeline includes one of cigen's components from a catalog, or a file names the catalog
 *  project the component comes from (`<server>/<project>/<name>@<version>`). */
function usesCatalog(migration: Migration): boolean {
  if (migration.includedCatalog !== undefined) return true;
  const catalog = /^[^/]+\/(.+)\/[^/@]+@/.exec(migration.componentRef)?.[1];
  return catalog !== undefined && migration.files.some((f) => f.original.includes(`${catalog}/`));
}

interface Change {
  force: boolean;
  hash: string;
  /** What the moved jobs built with, and what they build with now (the commit message says both). */
  from: string;
  onto: string;
  /** The commit the files were read at: the branch starts there. */
  base: string;
  actions: { action: 'update'; path: string; content: string }[];
  /** For a reset: the head the branch had when it was found to be the bot's. */
  expectedHead?: string;
}

/**
 * The one call that commits: only with a Clearance for this project, never to its default branch.
 * A reset (force) first reads the branch again: GitLab's Commits API has no compare-and-set, so a
 * push since the branch was checked would be lost. The reason is returned instead of writing.
 */
async function write(ctx: Context, project: Project, clear: Clearance, change: Change): Promise<Commit | string> {
  if (clear.projectId !== project.id) throw new Error(`no protection check for ${project.path} before writing`);
  if (BRANCH === project.defaultBranch) throw new Error('refusing to write to the default branch');
  if (change.force) {
    const now = await ctx.platform.branch(project, BRANCH);
    const short = (sha: string | undefined, none: string) => sha?.slice(0, 12) ?? none;
    if (now?.commit !== change.expectedHead)
      return `${BRANCH} moved while the bot worked (${short(change.expectedHead, 'none')} -> ${short(now?.commit, 'deleted')})`;
  }
  try {
    return await ctx.platform.commit(project, {
      branch: BRANCH,
      startSha: change.base,
      force: change.force,
      message: commitMessage(change.hash, change.from, change.onto),
      actions: change.actions,
    });
  } catch (error) {
    // A branch GitLab created but whose answer was lost (a gateway's 502, a timeout) is sent again,
    // and GitLab refuses the second: 400 "A branch called ... already exists". The branch is this
    // write's when it holds one commit on the base, the bot's, with this content: the bot goes on with it.
    if (change.force || !(error instanceof PlatformError) || error.status !== 400) throw error;
    const written = await ownBranch(ctx, project, change);
    if (!written) throw error;
    return written;
  }
}

/** The bot's branch when it holds exactly the commit `change` makes: one commit on its base, made by
 *  the bot, carrying its content hash. */
async function ownBranch(ctx: Context, project: Project, change: Change): Promise<Commit | undefined> {
  const branch = await ctx.platform.branch(project, BRANCH);
  if (!branch) return undefined;
  const commits = await ctx.platform.commitsBetween(project, change.base, BRANCH);
  const [only] = commits;
  const mine =
    commits.length === 1 &&
    only !== undefined &&
    only.id === branch.commit &&
    (await notByBot(ctx, project, commits)).length === 0 &&
    HASH_TRAILER.exec(only.message)?.[1] === change.hash;
  return mine ? only : undefined;
}

async function humanModified(
  ctx: Context,
  project: Project,
  open: MergeRequest,
  reason: string,
  result: (status: ProjectStatus, reason: string | null, mr?: MergeRequest | null) => ProjectResult,
): Promise<ProjectResult> {
  if (!ctx.dryRun) {
    const notes = await ctx.platform.notes(project, open.iid);
    if (!notes.some((n) => n.body.includes(HUMAN_MARKER))) {
      await ctx.platform.comment(
        project,
        open.iid,
        "cigen bot: this branch is no longer at the bot's last commit (someone pushed, amended or deleted it), so the bot will " +
          `not update it any more. Newer cigen output can be previewed with \`cigen migrate\`.\n\n${HUMAN_MARKER}`,
      );
    }
  }
  return result('human-modified', reason, open);
}

/** Runs `work` on each item with at most `concurrency` at once, pulling items as workers free up. */
export async function forEachConcurrently<T>(
  source: AsyncIterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => undefined);
    return next;
  };
  const worker = async () => {
    for (;;) {
      const next = await pull();
      if (next.done) return;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

export async function runBot(platform: Platform, options: BotOptions): Promise<BotReport> {
  const ctx: Context = {
    platform,
    migrator: options.migrator,
    bot: await platform.currentUser(),
    componentRef: options.componentRef,
    builderImages: options.builderImages,
    dryRun: options.dryRun,
  };
  const projects: ProjectResult[] = [];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ProjectStatus, number>;
  // Projects named one by one are looked up one by one: one that cannot be (a typo, no access)
  // fails alone, as any other project's error does, instead of ending the run.
  // A listing that fails after its first page ends the listing, not the run: the projects already
  // listed are handled (merge requests may have been opened for them) and the report says where it stopped.
  let listed = 0;
  let stopped: string | undefined;
  async function* selected(): AsyncIterable<Project | string> {
    const { selection } = options;
    if ('projects' in selection) {
      // A project named twice is handled once (GitLab's paths ignore case): two at once would race for its branch.
      yield* new Map(selection.projects.map((path) => [path.toLowerCase(), path])).values();
      return;
    }
    try {
      for await (const project of platform.projects(selection)) {
        listed++;
        if (inShard(project, options.shard)) yield project;
      }
    } catch (error) {
      if (listed === 0 || !(error instanceof PlatformError)) throw error;
      stopped = `the project listing stopped after ${listed} project(s): ${error.message}`;
    }
  }
  await forEachConcurrently(selected(), options.concurrency, async (item) => {
    let outcome: ProjectResult;
    const path = typeof item === 'string' ? item : item.path;
    let found: Project | undefined;
    try {
      found = typeof item === 'string' ? await platform.project(item) : item;
      if (!inShard(found, options.shard)) return;
      outcome = await processProject(ctx, found);
    } catch (error) {
      const status = error instanceof PlatformError ? error.status : undefined;
      // A named project whose lookup GitLab answers 404 or 403 has no id, so no shard can tell it is
      // its own: every shard would fail on it. GitLab gives each shard that answer, so shard 1 alone
      // reports it; a lookup that failed otherwise (5xx, the network) may be this shard's project,
      // and a project that was found is its shard's whatever then fails.
      const lookupRefused = found === undefined && (status === 404 || status === 403);
      if (lookupRefused && options.shard && options.shard.index !== 1) return;
      const { message } = error as Error;
      outcome =
        status === 403
          ? {
              path,
              status: 'skipped',
              mergeRequest: null,
              reason: `no permission to ${/^(GET|HEAD) /.test(message) ? 'read' : 'write'} (403): ${message}`,
            }
          : { path, status: 'failed', mergeRequest: null, reason: message };
    }
    projects.push(outcome);
    counts[outcome.status]++;
    options.onResult?.(outcome);
  });
  projects.sort((a, b) => a.path.localeCompare(b.path));
  return { projects, counts, ...(stopped !== undefined ? { stopped } : {}) };
}
