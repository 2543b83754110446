/**
 * `cigen bot`: one merge request per project that still builds with Kaniko (or a Docker daemon),
 * idempotent across runs. Per project, on branch cigen/migrate-off-kaniko:
 *   a branch a person pushed to                  -> human-modified (commented once), left alone
 *   an open MR with the same content hash        -> unchanged
 *   an open MR, only the bot's commits on the branch -> updated (branch reset, description)
 *   an MR closed without merging                 -> declined, never opened again
 *   otherwise                                    -> branch + commit in one call, then the MR
 * A branch the bot created before a crash is reused, so a re-run yields one branch, one commit
 * and one MR. The bot never writes to the default branch or to a protected branch.
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import mergeRequestBody from './merge-request.md.hbs';
import type { MigratedFile, MigratedJob, Migrator } from './migrator.js';
import { PlatformError, type Commit, type MergeRequest, type Platform, type Project, type ProjectSelection } from './platform.js';

export const BRANCH = 'cigen/migrate-off-kaniko';
export const TITLE = 'Build container images with Buildah instead of Kaniko';
const HASH_MARKER = /<!-- cigen:content-hash=([0-9a-f]+) -->/;
const HASH_TRAILER = /^Cigen-Content-Hash: ([0-9a-f]+)$/m;
const HUMAN_MARKER = '<!-- cigen:human-modified -->';
const MAX_INCLUDES = 50;
const DEVELOPER = 30;

export const STATUSES = [
  'opened',
  'updated',
  'unchanged',
  'nothing-to-migrate',
  'declined',
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
  componentRef?: string;
  dryRun: boolean;
  concurrency: number;
  shard?: Shard;
  onResult?: (result: ProjectResult) => void;
}

export interface BotReport {
  projects: ProjectResult[];
  counts: Record<ProjectStatus, number>;
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
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(name);
}

export function renderBody(componentRef: string, files: readonly MigratedFile[], hash: string): string {
  const jobs = files.flatMap((f) => f.jobs.filter((j) => !j.name.startsWith('.')));
  const moved = jobs.filter((j) => j.status === 'migrated');
  const docker = moved.some((j) => j.from === 'docker');
  const kaniko = moved.some((j) => j.from === 'kaniko');
  return mergeRequestBody({
    from: docker && kaniko ? 'Kaniko and Docker daemon builds' : docker ? 'Docker daemon builds' : 'Kaniko',
    kaniko,
    docker,
    componentRef,
    jobs: jobs
      .filter((j) => j.status !== 'unchanged')
      .map((j: MigratedJob) => ({
        name: j.name,
        file: j.file,
        status: j.status === 'migrated' ? 'moved to the component' : 'needs review (left as it is)',
      })),
    reviews: jobs.filter((j) => j.status === 'needs-review').map((j) => ({ name: j.name, notes: j.notes })),
    notes: moved.flatMap((j) => j.notes.map((text) => ({ name: j.name, text }))),
    hash,
  });
}

const commitMessage = (hash: string): string =>
  'ci: build images with the buildah component instead of Kaniko\n\n' +
  'Moved by cigen bot; see the merge request for what changed and why.\n\n' +
  `Cigen-Content-Hash: ${hash}\n`;

interface Context {
  platform: Platform;
  migrator: Migrator;
  bot: { username: string; email: string };
  componentRef: string;
  dryRun: boolean;
}

/** The project's pipeline file and its local includes, fetched, then migrated. */
async function migrateProject(ctx: Context, project: Project, ref: string): Promise<MigratedFile[] | ProjectResult> {
  const result = (status: ProjectStatus, reason: string): ProjectResult => ({ path: project.path, status, mergeRequest: null, reason });
  const pipelinePath = project.ciConfigPath || '.gitlab-ci.yml';
  if (/@|^https?:\/\//.test(pipelinePath)) return result('skipped', `the pipeline file lives elsewhere (ci_config_path ${pipelinePath})`);
  const text = await ctx.platform.readFile(project.id, pipelinePath, ref);
  if (text === undefined) return result('skipped', `no pipeline file (${pipelinePath}) on ${ref}`);
  const files = new Map<string, string>();
  const queue = ctx.migrator.localIncludes(pipelinePath, text);
  while (queue.length > 0 && files.size < MAX_INCLUDES) {
    const path = queue.shift() as string;
    if (files.has(path)) continue;
    const included = await ctx.platform.readFile(project.id, path, ref);
    if (included === undefined) continue;
    files.set(path, included);
    queue.push(...ctx.migrator.localIncludes(path, included));
  }
  const migrated = ctx.migrator.migrate(pipelinePath, text, { componentRef: ctx.componentRef, readProjectFile: (path) => files.get(path) });
  return Array.isArray(migrated) ? migrated : result('skipped', `${pipelinePath} is not valid YAML (${migrated.invalid})`);
}

function diffOf(files: readonly MigratedFile[]): string {
  return files
    .filter((f) => f.changed)
    .map((f) => createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.original, f.result, '', '', { context: 3 }).replace(/^=+\n/, ''))
    .join('');
}

const byHuman = (commits: readonly Commit[], bot: { email: string }) => commits.filter((c) => c.authorEmail !== bot.email);
/** Who wrote these commits, each address once. */
const authors = (commits: readonly Commit[]): string => [...new Set(commits.map((c) => c.authorEmail))].join(', ');

async function processProject(ctx: Context, project: Project): Promise<ProjectResult> {
  const { platform } = ctx;
  const result = (
    status: ProjectStatus,
    reason: string | null,
    mergeRequest: MergeRequest | null = null,
    extra: Partial<ProjectResult> = {},
  ): ProjectResult => ({ path: project.path, status, mergeRequest: mergeRequest?.webUrl ?? null, reason, ...extra });
  if (project.archived) return result('skipped', 'archived');
  const ref = project.defaultBranch;
  if (!ref) return result('skipped', 'empty repository');
  if (ref === BRANCH) return result('skipped', `the default branch is ${BRANCH}; the bot never writes to a default branch`);

  const migrated = await migrateProject(ctx, project, ref);
  if (!Array.isArray(migrated)) return migrated;
  const changed = migrated.filter((f) => f.changed);
  const reviews = migrated.flatMap((f) => f.jobs).filter((j) => j.status === 'needs-review');
  if (changed.length === 0)
    return result(
      'nothing-to-migrate',
      reviews.length > 0 ? `${reviews.length} job(s) need review: ${reviews.map((j) => j.name).join(', ')}` : null,
    );

  const hash = contentHash(ctx.componentRef, changed);
  const body = renderBody(ctx.componentRef, migrated, hash);
  const actions = changed.map((f) => ({ action: 'update' as const, path: f.path, content: f.result }));
  const dry = ctx.dryRun ? { diff: diffOf(migrated) } : {};

  // Known not to be writable: say so without a write the instance would refuse.
  if (project.accessLevel !== undefined && project.accessLevel < DEVELOPER)
    return result('skipped', `no permission to push (access level ${project.accessLevel}; the bot needs Developer)`);
  const requests = await platform.mergeRequests(project.id, BRANCH);
  const open = requests.find((mr) => mr.state === 'opened');
  if (open) {
    const humans = byHuman(await platform.commitsBetween(project.id, ref, BRANCH), ctx.bot);
    if (humans.length > 0) return humanModified(ctx, project, open, humans, result);
    if (HASH_MARKER.exec(open.description)?.[1] === hash) return result('unchanged', null, open);
    if (ctx.dryRun) return result('updated', 'would reset the branch and update the merge request (dry run)', open, dry);
    await write(ctx, project, { force: true, hash, actions });
    const updated = await platform.updateMergeRequest(project.id, open.iid, { title: TITLE, description: body });
    return result('updated', null, updated);
  }
  const closed = requests.find((mr) => mr.state === 'closed');
  if (closed) return result('declined', `merge request !${closed.iid} was closed without merging; the bot does not open it again`, closed);

  const branch = await platform.branch(project.id, BRANCH);
  const patterns = branch ? [] : await platform.protectedBranches(project.id);
  if (branch?.protected || patterns.some((p) => matchesPattern(BRANCH, p)))
    return result('skipped', `${BRANCH} is a protected branch; the bot never writes to one`);
  if (branch) {
    const commits = await platform.commitsBetween(project.id, ref, BRANCH);
    const humans = byHuman(commits, ctx.bot);
    if (humans.length > 0)
      return result('human-modified', `${BRANCH} has commits by others (${authors(humans)}) and no open merge request; left alone`);
    // The bot's own branch from a run that stopped before opening the MR: reuse it.
    const current = HASH_TRAILER.exec(commits.at(-1)?.message ?? '')?.[1] === hash;
    if (ctx.dryRun) return result('opened', `would ${current ? '' : 'reset the branch and '}open the merge request (dry run)`, null, dry);
    if (!current) await write(ctx, project, { force: true, hash, actions });
  } else {
    if (ctx.dryRun) return result('opened', 'would create the branch and open the merge request (dry run)', null, dry);
    await write(ctx, project, { force: false, hash, actions });
  }
  const opened = await platform.createMergeRequest(project.id, {
    sourceBranch: BRANCH,
    targetBranch: ref,
    title: TITLE,
    description: body,
  });
  return result('opened', null, opened);
}

async function write(
  ctx: Context,
  project: Project,
  change: { force: boolean; hash: string; actions: { action: 'update'; path: string; content: string }[] },
): Promise<void> {
  if (BRANCH === project.defaultBranch) throw new Error('refusing to write to the default branch');
  await ctx.platform.commit(project.id, {
    branch: BRANCH,
    startBranch: project.defaultBranch as string,
    force: change.force,
    message: commitMessage(change.hash),
    actions: change.actions,
  });
}

async function humanModified(
  ctx: Context,
  project: Project,
  open: MergeRequest,
  humans: readonly Commit[],
  result: (status: ProjectStatus, reason: string | null, mr?: MergeRequest | null) => ProjectResult,
): Promise<ProjectResult> {
  const reason = `${BRANCH} has commits by others (${authors(humans)}); the bot leaves it to them`;
  if (!ctx.dryRun) {
    const notes = await ctx.platform.notes(project.id, open.iid);
    if (!notes.some((n) => n.body.includes(HUMAN_MARKER))) {
      await ctx.platform.comment(
        project.id,
        open.iid,
        'cigen bot: someone else has pushed to this branch, so the bot will not update it any more. Newer cigen output can be ' +
          `previewed with \`cigen migrate\`.\n\n${HUMAN_MARKER}`,
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
    componentRef: options.componentRef ?? options.migrator.defaultComponentRef,
    dryRun: options.dryRun,
  };
  const projects: ProjectResult[] = [];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ProjectStatus, number>;
  async function* selected(): AsyncIterable<Project> {
    for await (const project of platform.projects(options.selection)) if (inShard(project, options.shard)) yield project;
  }
  await forEachConcurrently(selected(), options.concurrency, async (project) => {
    let outcome: ProjectResult;
    try {
      outcome = await processProject(ctx, project);
    } catch (error) {
      const status = error instanceof PlatformError ? error.status : undefined;
      outcome =
        status === 403
          ? {
              path: project.path,
              status: 'skipped',
              mergeRequest: null,
              reason: `no permission to write (403): ${(error as Error).message}`,
            }
          : { path: project.path, status: 'failed', mergeRequest: null, reason: (error as Error).message };
    }
    projects.push(outcome);
    counts[outcome.status]++;
    options.onResult?.(outcome);
  });
  projects.sort((a, b) => a.path.localeCompare(b.path));
  return { projects, counts };
}
