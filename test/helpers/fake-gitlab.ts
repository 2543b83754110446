/**
 * An in-process fake GitLab (REST API v4) for driving the real @gitbeaker/rest client in tests
 * and benchmarks: node:http on 127.0.0.1, state in memory, snake_case JSON shaped like GitLab's
 * API documentation, offset (and keyset) pagination headers, GitLab's permission and branch rules
 * for commits and merge requests, injectable faults (status, Retry-After, latency, dropped
 * connections, redirects, bodies of the wrong shape), merge requests from forks, CI/CD Catalog
 * projects (a release publishes a Catalog version as GitLab's Releases::CreateService decides —
 * a missing tag created first, and kept when the release is refused — and the one GraphQL query
 * cigen sends reads them back), commits the instance signs (webCommitSigning,
 * as GitLab does web and API commits when it signs them) with their signatures, and a log of every
 * request with the status it got and of every token it was sent.
 *
 * Paths arrive as gitbeaker sends them: project ids, file paths and branch names URL-encoded as
 * single path segments (`group%2Fsub%2Fproject`, `ci%2Fbuild.yml`); each segment is decoded on its
 * own, so a decoded segment may contain '/'. Logged and fault-matched paths are the decoded ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { structuredPatch } from 'diff';

export interface ProjectSeed {
  /** Full path, e.g. 'platform/team-a/shop'; its namespace groups are created as needed. */
  path: string;
  /** Default 'main'; '' or null means an empty repository (no branches, default_branch null). */
  defaultBranch?: string | null;
  /** An empty repository as GitLab reports one: default_branch the preferred name ('main' unless
   *  defaultBranch says), empty_repo true, no branches. */
  emptyRepo?: boolean;
  archived?: boolean;
  /** Files on the default branch (one initial commit by the user 'seed'). */
  files?: Record<string, string>;
  /** The bot user's access level on this project, default 40 (maintainer); 20 = reporter (writes get 403). */
  accessLevel?: number;
  /** The level GitLab's `permissions.project_access` names: a direct membership, default accessLevel.
   *  Lower than accessLevel when the rest comes through a group the project is shared with, which
   *  Entities::ProjectWithAccess does not count. */
  namedAccessLevel?: number;
  /** False when the bot user is no member of the project or of its groups (an admin, a public
   *  project, access through a shared group): GitLab's `permissions` then say null for both
   *  accesses, whatever it may do. Default true. */
  member?: boolean;
  /** Protected branch name patterns ('release/*', '*'); default [defaultBranch] ([] for an empty repository). */
  protectedBranches?: string[];
  /** The project's ci_config_path, default ''; null is reported as null. */
  ciConfigPath?: string | null;
  /** The project description (null when not given, as GitLab reports it). */
  description?: string;
  /** Groups (full paths) the project is shared with: GET /groups/:id/projects lists it there too,
   *  unless with_shared=false (GitLab's default is true). */
  sharedWith?: string[];
  /** A CI/CD Catalog project (Settings > General > "CI/CD Catalog project"), default false. */
  catalog?: boolean;
  /** The merge requests feature (ProjectFeature): 'disabled' makes POST merge_requests answer 403. Default 'enabled'. */
  mergeRequests?: 'enabled' | 'private' | 'disabled';
  /** The project is a fork of this one (added before it). As GitLab's default for a fork
   *  (mr_default_target_self false), a merge request created without target_project_id goes into it. */
  forkOf?: string;
  /**
   * GitLab's feature flag ci_release_cli_catalog_publish_option for this project (an ops flag,
   * default_enabled: false). Off: every release of a Catalog project is published to the Catalog.
   * On: only a release created with legacy_catalog_publish: true is (Releases::CreateService#publish_catalog?).
   */
  catalogPublishOption?: boolean;
}

export interface Fault {
  /** Match the HTTP method (default any). */
  method?: string;
  /** Matched against the decoded path, e.g. /\/merge_requests$/. */
  path?: RegExp;
  /** Matched against the query string (without `?`), e.g. /(^|&)page=2(&|$)/. */
  query?: RegExp;
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** Respond with this status instead of handling. */
  status?: number;
  /** Handle the request as usual, then answer `status` all the same: a gateway (Workhorse, a proxy) that gave up while GitLab went on. */
  handle?: boolean;
  /** E.g. {'retry-after': '1'}. */
  headers?: Record<string, string>;
  /** JSON body for the faulty response (default {message: '<status> <reason>'}). */
  body?: unknown;
  /** Extra latency before answering (then handle normally unless status/drop set). */
  delayMs?: number;
  /** Destroy the socket without answering (a dropped connection). */
  drop?: boolean;
  /** Runs before the request is handled: what someone else did meanwhile (a push between the bot's read and its write). */
  before?: () => void;
}

export interface LoggedRequest {
  method: string;
  /** Decoded path, e.g. '/api/v4/projects/g/p/repository/files/ci/build.yml/raw'. */
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  /** The status answered; 0 while in flight and for dropped connections. */
  status: number;
  /** How long the fake held the answer back (latency and injected delays), in milliseconds. */
  delayedMs?: number;
}

export interface FakeUser {
  id: number;
  username: string;
  name: string;
  email: string;
}

type Json = Record<string, unknown>;
type Params = Record<string, unknown>;
type MrState = 'opened' | 'closed' | 'merged' | 'locked';

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A GitLab error answer, thrown from handlers. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}
const fail = (status: number, message: unknown): never => {
  throw new HttpError(status, { message });
};
/** Gitlab::PathTraversal's PATH_TRAVERSAL_REGEX: a `file_path` the Files API refuses (API::Validations::Validators::FilePath). */
const PATH_TRAVERSAL = /(^\.{1,2}$|^\.\.[/\\]|[/\\]\.\.$|[/\\]\.\.[/\\]|\n)/;
const checkFilePath = (path: string): void => {
  if (PATH_TRAVERSAL.test(path)) throw new HttpError(400, { error: 'file_path should be a valid file path' });
};
const missing = (...names: string[]): never => {
  throw new HttpError(400, { error: names.map((n) => `${n} is missing`).join(', ') });
};

interface Commit {
  id: string;
  seq: number;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  createdAt: string;
  files: Map<string, string>;
  /** Its signature's verification_status (Enums::CommitSignature), when it is signed. */
  signature?: string;
}

/** Who an instance that signs web commits names as their committer: GitLab's default. */
export const GITLAB_COMMITTER = { name: 'GitLab', email: 'noreply@gitlab.com' };

interface Group {
  id: number;
  name: string;
  path: string;
  fullPath: string;
  parentId: number | null;
  createdAt: string;
}

interface Note {
  id: number;
  body: string;
  author: FakeUser;
  createdAt: string;
}

interface MergeRequest {
  id: number;
  iid: number;
  title: string;
  description: string;
  state: MrState;
  /** The project the source branch lives in: the target project, or a fork of it. */
  sourceProjectId: number;
  sourceBranch: string;
  targetBranch: string;
  author: FakeUser;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  mergedBy: FakeUser | null;
  closedBy: FakeUser | null;
  mergeCommitSha: string | null;
  labels: string[];
  removeSourceBranch: boolean;
  /** The source branch head when last seen (kept when the branch is gone). */
  lastSha: string | null;
  notes: Note[];
}

interface Project {
  id: number;
  name: string;
  path: string;
  fullPath: string;
  namespace: Group;
  defaultBranch: string | null;
  archived: boolean;
  accessLevel: number;
  /** What `permissions.project_access` names (ProjectSeed.namedAccessLevel). */
  namedAccessLevel: number;
  member: boolean;
  protectedPatterns: { id: number; name: string }[];
  ciConfigPath: string | null;
  createdAt: string;
  commits: Map<string, Commit>;
  branches: Map<string, string>;
  mergeRequests: MergeRequest[];
  description: string | null;
  /** Tag name -> commit id. */
  tags: Map<string, string>;
  releases: { tag_name: string; name: string; description: string; created_at: string; commit: string }[];
  /** Full paths of the groups it is shared with. */
  sharedWith: string[];
  /** The CI/CD Catalog resource: the versions published to it (release tags), or null for a project that is none. */
  catalog: { versions: string[] } | null;
  catalogPublishOption: boolean;
  mergeRequestsLevel: 'enabled' | 'private' | 'disabled';
  /** The project this one is a fork of. */
  forkOf: Project | null;
}

/** GitLab lists at most this many protected branch rules (gitlabhq app/finders/protected_branches_finder.rb, LIMIT). */
const PROTECTED_BRANCHES_LIMIT = 100;
/** GitLab's Ci::Catalog::ComponentsProject::TEMPLATE_PATH_REGEX and COMPONENTS_LIMIT. */
const TEMPLATE_PATH = /^templates\/[\w-]+(?:\/template)?\.yml$/;
const COMPONENTS_LIMIT = 30;
/** Gitlab::Regex::SemVer.optional_prefixed, which a Catalog version's semver is validated with. */
const PRERELEASE_PART = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const CATALOG_SEMVER = new RegExp(
  `^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-${PRERELEASE_PART}(?:\\.${PRERELEASE_PART})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`,
);

const HUMAN: FakeUser = { id: 2, username: 'human', name: 'Human Developer', email: 'human@example.com' };
const SEED: FakeUser = { id: 3, username: 'seed', name: 'Seed', email: 'seed@example.com' };

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
const bool = (value: unknown): boolean | undefined => {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return undefined;
};
const int = (value: unknown): number | undefined => {
  const s = str(value);
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  return Number(s);
};

/** GitLab's protected-branch wildcard: '*' matches any run of characters, '/' included. */
function wildcardMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(`^${source}$`).test(name);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function titleOf(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}

function isDraft(title: string): boolean {
  return /^\s*(\[draft\]|\(draft\)|draft:|draft\s-\s|draft\s|\[wip\]|wip:)/i.test(title);
}

function labelsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((l) => l !== '');
  const s = str(value);
  return s === undefined || s === ''
    ? []
    : s
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l !== '');
}

/** A GitLab-style diff body: hunks only, no ---/+++ header. */
function unifiedDiff(before: string, after: string): { diff: string; additions: number; deletions: number } {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 3 });
  let additions = 0;
  let deletions = 0;
  const out: string[] = [];
  for (const hunk of patch.hunks) {
    // git's ranges: an empty range starts at the line before it, a count of 1 is left out.
    const range = (start: number, count: number): string =>
      count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`;
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith('+')) additions += 1;
      else if (line.startsWith('-')) deletions += 1;
      out.push(line);
    }
  }
  return { diff: out.length > 0 ? `${out.join('\n')}\n` : '', additions, deletions };
}

export class FakeGitLab {
  readonly url: string;
  readonly token: string;
  /** What GET /personal_access_tokens/self says of the token's scopes; null: it is no access token (404). */
  tokenScopes: string[] | null = ['api'];
  readonly botUser: FakeUser;
  /** Added to every response (setTimeout); settable at any time. */
  latencyMs: number;
  /** When set, every request is answered only once it settles: requests held at once, without timing. */
  hold: Promise<void> | undefined;
  /** Every request, in order of arrival, with the status answered. */
  readonly requests: LoggedRequest[] = [];
  /** Every PRIVATE-TOKEN or Authorization header value received, right or wrong, faults included. */
  readonly tokensSeen: string[] = [];
  /** GET /projects refuses offset pagination past this offset, as GitLab does past 50,000 (settable). */
  maxProjectOffset = 50_000;
  /**
   * Commit signing for GitLab UI commits (on by default on self-managed from 17.0 once a signing key
   * is set; a setting on GitLab.com). When set, a web commit — one made through the REST API, or
   * webEditAsHuman — has this committer (the author stays the user) and is signed by the instance:
   * its signature says verification_status `verified_system`. null (the default): not signed, the
   * user is the committer too.
   */
  webCommitSigning: { name: string; email: string } | null = null;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly faults: { fault: Fault; left: number }[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly groupsById = new Map<number, Group>();
  private readonly projects = new Map<string, Project>();
  private readonly projectsById = new Map<number, Project>();
  private projectSeq = 0;
  private groupSeq = 999;
  private mrSeq = 10_000;
  private noteSeq = 50_000;
  private protectedSeq = 0;
  private commitSeq = 0;
  private inFlightNow = 0;
  private inFlightMax = 0;
  private stopped = false;
  private readonly salt = randomBytes(8).toString('hex');

  private constructor(server: Server, url: string, latencyMs: number, token: string | undefined) {
    this.server = server;
    this.url = url;
    this.latencyMs = latencyMs;
    this.token = token ?? `glpat-fake-${randomBytes(10).toString('hex')}`;
    this.botUser = { id: 1, username: 'cigen-bot', name: 'cigen bot', email: 'cigen-bot@example.com' };
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `token`: the one token it accepts (default a random glpat-fake-…). */
  static async start(options: { latencyMs?: number; token?: string } = {}): Promise<FakeGitLab> {
    // Set once the server listens (the URL needs its port); a request before then is dropped.
    let fake: FakeGitLab | undefined = undefined;
    const server = createServer((req, res) => {
      if (fake) void fake.onRequest(req, res);
      else res.destroy();
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeGitLab(server, `http://127.0.0.1:${port}`, options.latencyMs ?? 0, options.token);
    return fake;
  }

  /** Requests currently being answered, and the most at once since start (or resetLog). */
  get inFlight(): number {
    return this.inFlightNow;
  }
  get maxInFlight(): number {
    return this.inFlightMax;
  }

  // ---------------------------------------------------------------- seeding and scripting

  addGroup(fullPath: string): number {
    const parts = fullPath.split('/').filter((p) => p !== '');
    if (parts.length === 0) throw new Error(`addGroup: empty path '${fullPath}'`);
    let parent: Group | undefined;
    for (let i = 0; i < parts.length; i += 1) {
      const path = parts.slice(0, i + 1).join('/');
      let group = this.groups.get(path.toLowerCase());
      if (!group) {
        const name = parts[i] as string;
        group = {
          id: (this.groupSeq += 1),
          name,
          path: name,
          fullPath: path,
          parentId: parent?.id ?? null,
          createdAt: new Date().toISOString(),
        };
        this.groups.set(path.toLowerCase(), group);
        this.groupsById.set(group.id, group);
      }
      parent = group;
    }
    return (parent as Group).id;
  }

  addProject(seed: ProjectSeed): number {
    const fullPath = seed.path.replace(/^\/+|\/+$/g, '');
    const cut = fullPath.lastIndexOf('/');
    if (cut <= 0) throw new Error(`addProject: '${seed.path}' needs a namespace (group/project)`);
    if (this.projects.has(fullPath.toLowerCase())) throw new Error(`addProject: '${fullPath}' exists`);
    const namespace = this.groupsById.get(this.addGroup(fullPath.slice(0, cut))) as Group;
    const name = fullPath.slice(cut + 1);
    const defaultBranch =
      seed.defaultBranch === undefined ? 'main' : seed.defaultBranch === null || seed.defaultBranch === '' ? null : seed.defaultBranch;
    const patterns = seed.protectedBranches ?? (defaultBranch === null ? [] : [defaultBranch]);
    const project: Project = {
      id: (this.projectSeq += 1),
      name,
      path: name,
      fullPath,
      namespace,
      defaultBranch,
      archived: seed.archived ?? false,
      accessLevel: seed.accessLevel ?? 40,
      namedAccessLevel: seed.namedAccessLevel ?? seed.accessLevel ?? 40,
      member: seed.member ?? true,
      protectedPatterns: patterns.map((p) => ({ id: (this.protectedSeq += 1), name: p })),
      ciConfigPath: seed.ciConfigPath === undefined ? '' : seed.ciConfigPath,
      createdAt: new Date().toISOString(),
      commits: new Map(),
      branches: new Map(),
      mergeRequests: [],
      description: seed.description ?? null,
      tags: new Map(),
      releases: [],
      sharedWith: seed.sharedWith ?? [],
      catalog: seed.catalog ? { versions: [] } : null,
      catalogPublishOption: seed.catalogPublishOption ?? false,
      mergeRequestsLevel: seed.mergeRequests ?? 'enabled',
      forkOf: seed.forkOf === undefined ? null : this.mustProject(seed.forkOf),
    };
    if (defaultBranch !== null && !seed.emptyRepo) {
      const files = new Map(Object.entries(seed.files ?? {}));
      const commit = this.newCommit(project, [], files, 'Initial commit', SEED, SEED);
      project.branches.set(defaultBranch, commit.id);
    }
    this.projects.set(fullPath.toLowerCase(), project);
    this.projectsById.set(project.id, project);
    return project.id;
  }

  /** The project is gone (deleted, or moved to another group), as far as every later request can tell. */
  removeProject(projectPath: string): void {
    const project = this.mustProject(projectPath);
    this.projects.delete(project.fullPath.toLowerCase());
    this.projectsById.delete(project.id);
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** A commit by another user ('human', human@example.com) on a branch (created from the default branch if missing). */
  pushAsHuman(projectPath: string, branch: string, files: Record<string, string>, message?: string): void {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch) ?? (project.defaultBranch === null ? undefined : project.branches.get(project.defaultBranch));
    const base = head === undefined ? new Map<string, string>() : (project.commits.get(head) as Commit).files;
    const next = new Map(base);
    for (const [path, content] of Object.entries(files)) next.set(path, content);
    const commit = this.newCommit(
      project,
      head === undefined ? [] : [head],
      next,
      message ?? `Update ${Object.keys(files).join(', ')}`,
      HUMAN,
      HUMAN,
    );
    project.branches.set(branch, commit.id);
    if (project.defaultBranch === null) project.defaultBranch = branch;
  }

  /**
   * A person's edit in the web UI (or through the API) on a branch: the person is its author and,
   * with webCommitSigning, the instance its committer and signer; else the person both.
   */
  webEditAsHuman(projectPath: string, branch: string, files: Record<string, string>, message?: string): void {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch);
    if (head === undefined) throw new Error(`webEditAsHuman: no branch ${branch}`);
    const next = new Map((project.commits.get(head) as Commit).files);
    for (const [path, content] of Object.entries(files)) next.set(path, content);
    const commit = this.webCommit(project, [head], next, message ?? `Edit ${Object.keys(files).join(', ')}`, HUMAN, HUMAN);
    project.branches.set(branch, commit.id);
  }

  /** A commit pushed from a clone (a mirror's): the branch's head becomes a commit with this id. */
  pushCommit(projectPath: string, branch: string, id: string): void {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch);
    const files = head === undefined ? new Map<string, string>() : (project.commits.get(head) as Commit).files;
    const made = this.newCommit(project, head === undefined ? [] : [head], new Map(files), 'pushed', HUMAN, HUMAN);
    project.commits.delete(made.id);
    project.commits.set(id, { ...made, id });
    project.branches.set(branch, id);
  }

  /**
   * `git commit --amend` by another user on a branch head, pushed with force: same parents, same
   * author (often the bot), same message unless given; the committer is 'human'. `signature`: the
   * verification_status of the person's own signature on it (e.g. 'verified'), if they sign.
   */
  amendAsHuman(projectPath: string, branch: string, files: Record<string, string>, message?: string, signature?: string): void {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch);
    if (head === undefined) throw new Error(`amendAsHuman: no branch ${branch}`);
    const amended = project.commits.get(head) as Commit;
    const next = new Map(amended.files);
    for (const [path, content] of Object.entries(files)) next.set(path, content);
    const commit = this.newCommit(
      project,
      [...amended.parents],
      next,
      message ?? amended.message,
      { name: amended.authorName, email: amended.authorEmail },
      HUMAN,
    );
    if (signature !== undefined) commit.signature = signature;
    project.branches.set(branch, commit.id);
  }

  /** `git push --force` by another user: the branch goes to the commit `ref` names (e.g. back before a merge, history rewritten). */
  forcePushAsHuman(projectPath: string, branch: string, ref: string): void {
    const project = this.mustProject(projectPath);
    const commit = this.resolveRef(project, ref);
    if (!commit) throw new Error(`forcePushAsHuman: no ref ${ref}`);
    project.branches.set(branch, commit.id);
  }

  /**
   * Housekeeping's `git gc`: the commits no branch, tag or merge request head (GitLab keeps
   * refs/merge-requests/<iid>/head) reaches are gone, e.g. a merge commit after people rewrote the
   * branch that held it. The ids of those removed.
   */
  collectGarbage(projectPath: string): string[] {
    const project = this.mustProject(projectPath);
    const heads = [...project.branches.values(), ...project.tags.values(), ...project.mergeRequests.flatMap((mr) => mr.lastSha ?? [])];
    const kept = new Set(heads.flatMap((head) => [...this.ancestors(project, head)]));
    const gone = [...project.commits.keys()].filter((id) => !kept.has(id));
    for (const id of gone) project.commits.delete(id);
    return gone;
  }

  /** Makes an existing branch the default one, as a maintainer would in the settings (open merge requests keep their target). */
  setDefaultBranch(projectPath: string, branch: string): void {
    const project = this.mustProject(projectPath);
    if (!project.branches.has(branch)) throw new Error(`setDefaultBranch: no branch ${branch}`);
    project.defaultBranch = branch;
  }

  /** Protects a branch name or wildcard pattern ('cigen/*'), as a maintainer would in the settings. */
  protectBranch(projectPath: string, pattern: string): void {
    const project = this.mustProject(projectPath);
    if (!project.protectedPatterns.some((p) => p.name === pattern))
      project.protectedPatterns.push({ id: (this.protectedSeq += 1), name: pattern });
  }

  /**
   * A merge request into `targetPath` from a branch of another project (a fork), opened by
   * 'human': its source_project_id is the fork's. The fork's branch must exist (pushAsHuman).
   */
  openForkMergeRequest(
    targetPath: string,
    forkPath: string,
    sourceBranch: string,
    options: { title?: string; description?: string; targetBranch?: string } = {},
  ): number {
    const project = this.mustProject(targetPath);
    const fork = this.mustProject(forkPath);
    if (fork === project) throw new Error('openForkMergeRequest: a fork is another project');
    const head = fork.branches.get(sourceBranch);
    if (head === undefined) throw new Error(`openForkMergeRequest: ${forkPath} has no branch ${sourceBranch}`);
    return this.addHumanMergeRequest(project, {
      title: options.title ?? `Changes from ${forkPath}`,
      description: options.description ?? '',
      sourceProjectId: fork.id,
      sourceBranch,
      targetBranch: options.targetBranch ?? project.defaultBranch ?? 'main',
      lastSha: head,
    });
  }

  /** An open merge request authored by 'human', added to the project's; its iid. */
  private addHumanMergeRequest(
    project: Project,
    fields: Pick<MergeRequest, 'title' | 'description' | 'sourceProjectId' | 'sourceBranch' | 'targetBranch' | 'lastSha'>,
  ): number {
    const now = new Date().toISOString();
    const mr: MergeRequest = {
      id: (this.mrSeq += 1),
      iid: project.mergeRequests.length + 1,
      ...fields,
      state: 'opened',
      author: HUMAN,
      createdAt: now,
      updatedAt: now,
      mergedAt: null,
      closedAt: null,
      mergedBy: null,
      closedBy: null,
      mergeCommitSha: null,
      labels: [],
      removeSourceBranch: false,
      notes: [],
    };
    project.mergeRequests.push(mr);
    return mr.iid;
  }

  /**
   * A merge request a person opens in the project from one of its own branches (a backport from the
   * bot's branch into another, say): authored by 'human'. GitLab refuses a second open one with the
   * same source and target branch (MergeRequest#validate_branches), and so does this.
   */
  openMergeRequestAsHuman(
    projectPath: string,
    sourceBranch: string,
    options: { targetBranch: string; title?: string; description?: string },
  ): number {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(sourceBranch);
    if (head === undefined) throw new Error(`openMergeRequestAsHuman: ${projectPath} has no branch ${sourceBranch}`);
    if (!project.branches.has(options.targetBranch))
      throw new Error(`openMergeRequestAsHuman: ${projectPath} has no branch ${options.targetBranch}`);
    const taken = project.mergeRequests.some(
      (m) =>
        m.state === 'opened' &&
        m.sourceProjectId === project.id &&
        m.sourceBranch === sourceBranch &&
        m.targetBranch === options.targetBranch,
    );
    if (taken) throw new Error(`openMergeRequestAsHuman: one is open from ${sourceBranch} into ${options.targetBranch} already`);
    return this.addHumanMergeRequest(project, {
      title: options.title ?? `Changes from ${sourceBranch}`,
      description: options.description ?? '',
      sourceProjectId: project.id,
      sourceBranch,
      targetBranch: options.targetBranch,
      lastSha: head,
    });
  }

  /** Puts an open merge request in the state GitLab keeps it in while it merges it (MergeRequest#lock_mr: opened -> locked). */
  lockMergeRequest(projectPath: string, iid: number): void {
    const mr = this.mustMr(this.mustProject(projectPath), iid);
    if (mr.state !== 'opened') throw new Error(`lockMergeRequest: !${iid} is ${mr.state}`);
    mr.state = 'locked';
  }

  closeMergeRequest(projectPath: string, iid: number): void {
    const mr = this.mustMr(this.mustProject(projectPath), iid);
    if (mr.state !== 'opened') throw new Error(`closeMergeRequest: !${iid} is ${mr.state}`);
    const now = new Date().toISOString();
    Object.assign(mr, { state: 'closed', closedAt: now, closedBy: HUMAN, updatedAt: now });
  }

  /** Merges like GitLab's merge commit method: the source's changes since the merge base land on the target. */
  mergeMergeRequest(projectPath: string, iid: number): void {
    const project = this.mustProject(projectPath);
    const mr = this.mustMr(project, iid);
    if (mr.state !== 'opened') throw new Error(`mergeMergeRequest: !${iid} is ${mr.state}`);
    if (mr.sourceProjectId !== project.id) throw new Error(`mergeMergeRequest: !${iid} comes from a fork; the fake does not merge those`);
    const sourceHead = project.branches.get(mr.sourceBranch);
    const targetHead = project.branches.get(mr.targetBranch);
    if (sourceHead === undefined || targetHead === undefined) throw new Error(`mergeMergeRequest: !${iid} lacks a branch`);
    const base = this.mergeBase(project, targetHead, sourceHead);
    const baseFiles = base === undefined ? new Map<string, string>() : (project.commits.get(base) as Commit).files;
    const sourceFiles = (project.commits.get(sourceHead) as Commit).files;
    const files = new Map((project.commits.get(targetHead) as Commit).files);
    for (const [path, content] of sourceFiles) if (baseFiles.get(path) !== content) files.set(path, content);
    for (const path of baseFiles.keys()) if (!sourceFiles.has(path)) files.delete(path);
    const message =
      `Merge branch '${mr.sourceBranch}' into '${mr.targetBranch}'\n\n${mr.title}\n\n` + `See merge request ${project.fullPath}!${mr.iid}`;
    const commit = this.newCommit(project, [targetHead, sourceHead], files, message, HUMAN, HUMAN);
    project.branches.set(mr.targetBranch, commit.id);
    const now = new Date().toISOString();
    Object.assign(mr, { state: 'merged', mergedAt: now, mergedBy: HUMAN, updatedAt: now, mergeCommitSha: commit.id, lastSha: sourceHead });
    if (mr.removeSourceBranch) project.branches.delete(mr.sourceBranch);
  }

  // ---------------------------------------------------------------- read-only views

  branches(projectPath: string): { name: string; commit: string; protected: boolean }[] {
    const project = this.mustProject(projectPath);
    return [...project.branches]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, commit]) => ({ name, commit, protected: this.isProtected(project, name) }));
  }

  file(projectPath: string, branch: string, filePath: string): string | undefined {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch);
    return head === undefined ? undefined : project.commits.get(head)?.files.get(filePath);
  }

  /** Newest first, the branch's full history (every ancestor). */
  commits(projectPath: string, branch: string): { id: string; message: string; author_email: string; parent_ids: string[] }[] {
    const project = this.mustProject(projectPath);
    const head = project.branches.get(branch);
    if (head === undefined) return [];
    return this.history(project, head).map((c) => ({
      id: c.id,
      message: c.message,
      author_email: c.authorEmail,
      parent_ids: [...c.parents],
    }));
  }

  /** In iid order. */
  mergeRequests(projectPath: string): {
    iid: number;
    state: string;
    source_project_id: number;
    source_branch: string;
    target_branch: string;
    title: string;
    description: string;
    labels: string[];
  }[] {
    return this.mustProject(projectPath).mergeRequests.map((mr) => ({
      iid: mr.iid,
      state: mr.state,
      source_project_id: mr.sourceProjectId,
      source_branch: mr.sourceBranch,
      target_branch: mr.targetBranch,
      title: mr.title,
      description: mr.description,
      labels: [...mr.labels],
    }));
  }

  /** Oldest first. */
  notes(projectPath: string, iid: number): { id: number; body: string; author: { username: string } }[] {
    return this.mustMr(this.mustProject(projectPath), iid).notes.map((n) => ({
      id: n.id,
      body: n.body,
      author: { username: n.author.username },
    }));
  }

  /** Tags a commit (a ref: branch or commit id), as a person pushing a tag would. */
  addTag(projectPath: string, tag: string, ref: string): void {
    const project = this.mustProject(projectPath);
    const head = this.resolveRef(project, ref);
    if (!head) throw new Error(`addTag: no ref ${ref}`);
    project.tags.set(tag, head.id);
  }

  /** The project's tags: name -> the commit each names. */
  tags(projectPath: string): Record<string, string> {
    return Object.fromEntries(this.mustProject(projectPath).tags);
  }

  /** A release someone made of an existing tag, as they named it (no Catalog version: the Catalog is not asked). */
  addRelease(projectPath: string, tag: string, release: { name: string; description: string }): void {
    const project = this.mustProject(projectPath);
    const commit = project.tags.get(tag);
    if (commit === undefined) throw new Error(`addRelease: no tag ${tag}`);
    project.releases.push({ tag_name: tag, ...release, created_at: new Date().toISOString(), commit });
  }

  releases(projectPath: string): { tag_name: string; name: string; description: string }[] {
    return this.mustProject(projectPath).releases.map(({ tag_name, name, description }) => ({ tag_name, name, description }));
  }

  /** The versions published to the project's CI/CD Catalog resource; undefined for a project that is none. */
  catalogVersions(projectPath: string): string[] | undefined {
    return this.mustProject(projectPath).catalog?.versions.slice();
  }

  /** Requests whose method is not GET (nor HEAD). */
  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }

  resetLog(): void {
    this.requests.length = 0;
    this.tokensSeen.length = 0;
    this.inFlightMax = this.inFlightNow;
  }

  /** Closes the server and every open (keep-alive or in-flight) socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ---------------------------------------------------------------- model helpers

  private mustProject(path: string): Project {
    const project = this.projects.get(path.toLowerCase());
    if (!project) throw new Error(`FakeGitLab: no project '${path}'`);
    return project;
  }

  private mustMr(project: Project, iid: number): MergeRequest {
    const mr = project.mergeRequests.find((m) => m.iid === iid);
    if (!mr) throw new Error(`FakeGitLab: no merge request !${iid} in '${project.fullPath}'`);
    return mr;
  }

  private newCommit(
    project: Project,
    parents: string[],
    files: Map<string, string>,
    message: string,
    author: { name: string; email: string },
    committer: { name: string; email: string },
  ): Commit {
    const seq = (this.commitSeq += 1);
    const id = createHash('sha1')
      .update(`${this.salt}\0${project.id}\0${seq}\0${parents.join(',')}\0${message}`)
      .digest('hex');
    const commit: Commit = {
      id,
      seq,
      parents,
      message,
      authorName: author.name,
      authorEmail: author.email,
      committerName: committer.name,
      committerEmail: committer.email,
      createdAt: new Date().toISOString(),
      files,
    };
    project.commits.set(id, commit);
    return commit;
  }

  /**
   * A commit GitLab makes for `user` (through the API, in the web UI), authored by `author` (the API
   * takes another): committed by the user, or with webCommitSigning by the instance, which signs it.
   */
  private webCommit(
    project: Project,
    parents: string[],
    files: Map<string, string>,
    message: string,
    author: { name: string; email: string },
    user: FakeUser,
  ): Commit {
    const commit = this.newCommit(project, parents, files, message, author, this.webCommitSigning ?? user);
    if (this.webCommitSigning) commit.signature = 'verified_system';
    return commit;
  }

  /**
   * As GitLab's MergeRequests::RefreshService#close_upon_missing_source_branch_ref does after a push
   * that deletes a branch: every open merge request from it (into this project or another) is closed.
   */
  private closeUponMissingSourceBranch(project: Project, branch: string): void {
    const now = new Date().toISOString();
    for (const target of this.projectsById.values())
      for (const mr of target.mergeRequests)
        if (mr.state === 'opened' && mr.sourceProjectId === project.id && mr.sourceBranch === branch)
          Object.assign(mr, { state: 'closed', closedAt: now, closedBy: this.botUser, updatedAt: now });
  }

  private isProtected(project: Project, branch: string): boolean {
    return project.protectedPatterns.some((p) => wildcardMatch(p.name, branch));
  }

  private ancestors(project: Project, head: string): Set<string> {
    const seen = new Set<string>();
    const stack = [head];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const commit = project.commits.get(id);
      if (commit) stack.push(...commit.parents);
    }
    return seen;
  }

  private history(project: Project, head: string): Commit[] {
    return [...this.ancestors(project, head)].map((id) => project.commits.get(id) as Commit).sort((a, b) => b.seq - a.seq);
  }

  private mergeBase(project: Project, a: string, b: string): string | undefined {
    const fromA = this.ancestors(project, a);
    let best: Commit | undefined;
    for (const id of this.ancestors(project, b)) {
      if (!fromA.has(id)) continue;
      const commit = project.commits.get(id) as Commit;
      if (!best || commit.seq > best.seq) best = commit;
    }
    return best?.id;
  }

  /** A branch name, 'HEAD', or a commit sha (7+ hex characters). */
  private resolveRef(project: Project, ref: string): Commit | undefined {
    const branch =
      project.branches.get(ref) ??
      (ref === 'HEAD' && project.defaultBranch !== null ? project.branches.get(project.defaultBranch) : undefined);
    if (branch !== undefined) return project.commits.get(branch);
    const tag = project.tags.get(ref.replace(/^refs\/tags\//, ''));
    if (tag !== undefined) return project.commits.get(tag);
    if (/^[0-9a-f]{7,40}$/i.test(ref)) {
      const lower = ref.toLowerCase();
      for (const commit of project.commits.values()) if (commit.id.startsWith(lower)) return commit;
    }
    return undefined;
  }

  /**
   * Why GitLab would not publish `release` to the project's Catalog, with the status its Releases API
   * answers (422 from Ci::Catalog::Resources::ValidateService and Versions::CreateService; 400 for the
   * version's semver validation, raised on save), or undefined.
   */
  private catalogProblem(project: Project, release: Project['releases'][number]): { status: number; message: string } | undefined {
    const files = (project.commits.get(release.commit) as Commit).files;
    const components = [...files.keys()].filter((path) => TEMPLATE_PATH.test(path));
    const errors = [
      ...(files.has('README.md') ? [] : ['Project must have a README']),
      ...((project.description ?? '').trim() !== '' ? [] : ['Project must have a description']),
      ...(components.length > 0 ? [] : ['Project must contain components. Ensure you are using the correct directory structure']),
    ];
    if (errors.length > 0) return { status: 422, message: errors.join(', ') };
    if (components.length > COMPONENTS_LIMIT)
      return { status: 422, message: `Release cannot contain more than ${COMPONENTS_LIMIT} components` };
    if (!CATALOG_SEMVER.test(release.tag_name)) return { status: 400, message: 'Validation failed: Semver must follow semantic version' };
    return undefined;
  }

  /**
   * POST /api/graphql, for the one query cigen sends: a project's CI/CD Catalog resource and its
   * versions (`ciCatalogResource(fullPath: $path) { versions(name: $name) { nodes { name } } }`).
   * A project that is no Catalog project (or not readable) answers as GitLab's resolver does: the
   * field null, with an error, status 200.
   */
  private graphql(method: string, params: Params): Reply {
    if (method !== 'POST') return { status: 405, json: { errors: [{ message: 'Only POST requests are supported' }] } };
    const query = str(params['query']) ?? '';
    const variables = (params['variables'] ?? {}) as Params;
    if (!/ciCatalogResource\(fullPath: \$path\)/.test(query))
      return { status: 200, json: { errors: [{ message: 'the fake GitLab answers only ciCatalogResource(fullPath: $path)' }] } };
    const path = str(variables['path']) ?? '';
    const project = this.projects.get(path.toLowerCase());
    if (!project?.catalog)
      return {
        status: 200,
        json: {
          data: { ciCatalogResource: null },
          errors: [
            {
              message: "The resource that you are attempting to access does not exist or you don't have permission to perform this action",
              path: ['ciCatalogResource'],
            },
          ],
        },
      };
    const name = /versions\(name: \$name\)/.test(query) ? str(variables['name']) : undefined;
    const versions = project.catalog.versions.filter((v) => name === undefined || v === name);
    return { status: 200, json: { data: { ciCatalogResource: { versions: { nodes: versions.map((v) => ({ name: v })) } } } } };
  }

  private findProject(id: string): Project {
    const project = /^\d+$/.test(id) ? this.projectsById.get(Number(id)) : this.projects.get(id.toLowerCase());
    if (!project) fail(404, '404 Project Not Found');
    return project as Project;
  }

  private findGroup(id: string): Group {
    const group = /^\d+$/.test(id) ? this.groupsById.get(Number(id)) : this.groups.get(id.toLowerCase());
    if (!group) fail(404, '404 Group Not Found');
    return group as Group;
  }

  private findMr(project: Project, iid: string): MergeRequest {
    const mr = project.mergeRequests.find((m) => String(m.iid) === iid);
    if (!mr) fail(404, '404 Not found');
    return mr as MergeRequest;
  }

  private requireLevel(project: Project, level: number): void {
    if (project.archived || project.accessLevel < level) fail(403, '403 Forbidden');
  }

  // ---------------------------------------------------------------- JSON shapes

  private userJson(user: FakeUser): Json {
    return {
      id: user.id,
      username: user.username,
      name: user.name,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${this.url}/${user.username}`,
    };
  }

  private groupJson(group: Group): Json {
    return {
      id: group.id,
      name: group.name,
      path: group.path,
      full_name: group.fullPath.split('/').join(' / '),
      full_path: group.fullPath,
      description: '',
      visibility: 'private',
      parent_id: group.parentId,
      avatar_url: null,
      web_url: `${this.url}/groups/${group.fullPath}`,
      created_at: group.createdAt,
    };
  }

  private webUrl(project: Project): string {
    return `${this.url}/${project.fullPath}`;
  }

  private releaseJson(project: Project, release: Project['releases'][number]): Json {
    const web = `${this.webUrl(project)}/-/releases/${encodeURIComponent(release.tag_name)}`;
    return {
      tag_name: release.tag_name,
      name: release.name,
      description: release.description,
      created_at: release.created_at,
      released_at: release.created_at,
      upcoming_release: false,
      commit: { id: release.commit },
      _links: { self: web },
    };
  }

  private projectJson(project: Project): Json {
    const json = this.projectFields(project);
    // BasicProjectDetails exposes default_branch only to who may read the code: in a private
    // project, Reporter and above (a Guest gets the project without it).
    if (project.member && project.accessLevel < 20) delete json['default_branch'];
    return json;
  }

  private projectFields(project: Project): Record<string, unknown> {
    const web = this.webUrl(project);
    const head = project.defaultBranch === null ? undefined : project.branches.get(project.defaultBranch);
    const lastActivity = head === undefined ? project.createdAt : (project.commits.get(head)?.createdAt ?? project.createdAt);
    return {
      id: project.id,
      description: project.description,
      name: project.name,
      name_with_namespace: `${project.namespace.fullPath.split('/').join(' / ')} / ${project.name}`,
      path: project.path,
      path_with_namespace: project.fullPath,
      created_at: project.createdAt,
      last_activity_at: lastActivity,
      default_branch: project.defaultBranch,
      tag_list: [],
      topics: [],
      ssh_url_to_repo: `git@127.0.0.1:${project.fullPath}.git`,
      http_url_to_repo: `${web}.git`,
      web_url: web,
      readme_url: null,
      avatar_url: null,
      forks_count: 0,
      star_count: 0,
      namespace: {
        id: project.namespace.id,
        name: project.namespace.name,
        path: project.namespace.path,
        kind: 'group',
        full_path: project.namespace.fullPath,
        parent_id: project.namespace.parentId,
        avatar_url: null,
        web_url: `${this.url}/groups/${project.namespace.fullPath}`,
      },
      empty_repo: project.branches.size === 0,
      archived: project.archived,
      visibility: 'private',
      ci_config_path: project.ciConfigPath,
      merge_requests_enabled: project.mergeRequestsLevel !== 'disabled',
      merge_requests_access_level: project.mergeRequestsLevel,
      ...(project.forkOf ? { forked_from_project: { id: project.forkOf.id, path_with_namespace: project.forkOf.fullPath } } : {}),
    };
  }

  /**
   * GitLab's Entities::ProjectWithAccess, which GET /projects and GET /projects/:id answer with
   * (gitlabhq lib/api/projects.rb); GET /groups/:id/projects answers with Entities::Project, which
   * has no `permissions` (lib/api/groups.rb present_projects).
   */
  private projectWithAccessJson(project: Project): Json {
    const access = project.member ? { access_level: project.namedAccessLevel, notification_level: 3 } : null;
    return { ...this.projectJson(project), permissions: { project_access: access, group_access: null } };
  }

  private commitJson(project: Project, commit: Commit): Json {
    return {
      id: commit.id,
      short_id: commit.id.slice(0, 8),
      created_at: commit.createdAt,
      parent_ids: [...commit.parents],
      title: titleOf(commit.message),
      message: commit.message,
      author_name: commit.authorName,
      author_email: commit.authorEmail,
      authored_date: commit.createdAt,
      committer_name: commit.committerName,
      committer_email: commit.committerEmail,
      committed_date: commit.createdAt,
      trailers: {},
      extended_trailers: {},
      web_url: `${this.webUrl(project)}/-/commit/${commit.id}`,
    };
  }

  private branchJson(project: Project, name: string): Json {
    const commit = project.commits.get(project.branches.get(name) as string) as Commit;
    const isProtected = this.isProtected(project, name);
    return {
      name,
      merged: false,
      protected: isProtected,
      default: name === project.defaultBranch,
      developers_can_push: !isProtected,
      developers_can_merge: !isProtected,
      can_push: !project.archived && (project.accessLevel >= 40 || (!isProtected && project.accessLevel >= 30)),
      web_url: `${this.webUrl(project)}/-/tree/${name}`,
      commit: this.commitJson(project, commit),
    };
  }

  private mrJson(project: Project, mr: MergeRequest): Json {
    const source = this.projectsById.get(mr.sourceProjectId) ?? project;
    // A merged one's diff is no longer refreshed (MergeRequests::RefreshService takes open ones):
    // its sha stays the head it merged, wherever its branch went since.
    const sha = mr.state === 'merged' ? mr.lastSha : (source.branches.get(mr.sourceBranch) ?? mr.lastSha);
    const web = this.webUrl(project);
    return {
      id: mr.id,
      iid: mr.iid,
      project_id: project.id,
      title: mr.title,
      description: mr.description,
      state: mr.state,
      created_at: mr.createdAt,
      updated_at: mr.updatedAt,
      merged_by: mr.mergedBy ? this.userJson(mr.mergedBy) : null,
      merge_user: mr.mergedBy ? this.userJson(mr.mergedBy) : null,
      merged_at: mr.mergedAt,
      closed_by: mr.closedBy ? this.userJson(mr.closedBy) : null,
      closed_at: mr.closedAt,
      target_branch: mr.targetBranch,
      source_branch: mr.sourceBranch,
      user_notes_count: mr.notes.length,
      upvotes: 0,
      downvotes: 0,
      author: this.userJson(mr.author),
      assignees: [],
      assignee: null,
      reviewers: [],
      source_project_id: mr.sourceProjectId,
      target_project_id: project.id,
      labels: [...mr.labels],
      draft: isDraft(mr.title),
      work_in_progress: isDraft(mr.title),
      milestone: null,
      merge_when_pipeline_succeeds: false,
      merge_status: 'can_be_merged',
      detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
      sha,
      merge_commit_sha: mr.mergeCommitSha,
      squash_commit_sha: null,
      discussion_locked: null,
      should_remove_source_branch: null,
      force_remove_source_branch: mr.removeSourceBranch,
      reference: `!${mr.iid}`,
      references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${project.fullPath}!${mr.iid}` },
      web_url: `${web}/-/merge_requests/${mr.iid}`,
      time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
      squash: false,
      squash_on_merge: false,
      task_completion_status: { count: 0, completed_count: 0 },
      has_conflicts: false,
      blocking_discussions_resolved: true,
    };
  }

  private noteJson(project: Project, mr: MergeRequest, note: Note): Json {
    return {
      id: note.id,
      type: null,
      body: note.body,
      attachment: null,
      author: this.userJson(note.author),
      created_at: note.createdAt,
      updated_at: note.createdAt,
      system: false,
      noteable_id: mr.id,
      noteable_type: 'MergeRequest',
      project_id: project.id,
      resolvable: false,
      confidential: false,
      internal: false,
      noteable_iid: mr.iid,
      commands_changes: {},
    };
  }

  private diffJson(before: Map<string, string>, after: Map<string, string>): { diffs: Json[]; additions: number; deletions: number } {
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
    const diffs: Json[] = [];
    let additions = 0;
    let deletions = 0;
    for (const path of paths) {
      const old = before.get(path);
      const now = after.get(path);
      if (old === now) continue;
      const d = unifiedDiff(old ?? '', now ?? '');
      additions += d.additions;
      deletions += d.deletions;
      diffs.push({
        diff: d.diff,
        collapsed: false,
        too_large: false,
        new_path: path,
        old_path: path,
        a_mode: old === undefined ? '0' : '100644',
        b_mode: now === undefined ? '0' : '100644',
        new_file: old === undefined,
        renamed_file: false,
        deleted_file: now === undefined,
        generated_file: false,
      });
    }
    return { diffs, additions, deletions };
  }

  // ---------------------------------------------------------------- HTTP

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private takeFault(method: string, path: string, query = ''): Fault | undefined {
    for (const entry of this.faults) {
      if (entry.left <= 0) continue;
      if (entry.fault.method !== undefined && entry.fault.method.toUpperCase() !== method) continue;
      if (entry.fault.path !== undefined) {
        entry.fault.path.lastIndex = 0;
        if (!entry.fault.path.test(path)) continue;
      }
      if (entry.fault.query !== undefined) {
        entry.fault.query.lastIndex = 0;
        if (!entry.fault.query.test(query)) continue;
      }
      entry.left -= 1;
      return entry.fault;
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(safeDecode);
    const path = `/${segments.join('/')}`;
    const entry: LoggedRequest = { method, path, query: url.search.replace(/^\?/, ''), status: 0 };
    this.requests.push(entry);
    for (const header of [req.headers['private-token'], req.headers.authorization])
      if (header !== undefined) this.tokensSeen.push(...(Array.isArray(header) ? header : [header]));
    this.inFlightNow += 1;
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlightNow);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const bodyText = Buffer.concat(chunks).toString('utf8');
      if (this.hold) await this.hold;
      const fault = this.takeFault(method, path, entry.query);
      const delay = this.latencyMs + (fault?.delayMs ?? 0);
      if (delay > 0) {
        entry.delayedMs = delay;
        await this.sleep(delay);
      }
      if (this.stopped) return;
      fault?.before?.();
      if (fault?.drop) {
        req.socket.destroy();
        return;
      }
      let reply: Reply;
      if (fault?.status !== undefined) {
        if (fault.handle) this.dispatch(method, segments, url, bodyText, req);
        reply = { status: fault.status, json: fault.body ?? { message: `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}` } };
        if (fault.headers) reply.headers = fault.headers;
      } else {
        reply = this.dispatch(method, segments, url, bodyText, req);
      }
      this.send(res, reply);
      entry.status = reply.status;
    } catch {
      if (!res.headersSent && !res.destroyed) {
        this.send(res, { status: 500, json: { message: '500 Internal Server Error' } });
        entry.status = 500;
      }
    } finally {
      this.inFlightNow -= 1;
    }
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k.toLowerCase()] = v;
    let body = '';
    if (reply.text !== undefined) {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      body = reply.text;
    } else if (reply.status !== 204) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(reply.json ?? null);
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  private dispatch(method: string, segments: string[], url: URL, bodyText: string, req: IncomingMessage): Reply {
    try {
      const token = req.headers['private-token'];
      const auth = req.headers.authorization;
      if (token !== this.token && auth !== `Bearer ${this.token}`) return { status: 401, json: { message: '401 Unauthorized' } };
      const params: Params = {};
      for (const key of new Set(url.searchParams.keys())) {
        if (key.endsWith('[]')) params[key.slice(0, -2)] = url.searchParams.getAll(key);
        else params[key] = url.searchParams.get(key);
      }
      if (bodyText !== '') {
        const type = String(req.headers['content-type'] ?? '');
        if (type.includes('application/x-www-form-urlencoded')) {
          for (const [k, v] of new URLSearchParams(bodyText)) params[k] = v;
        } else {
          let parsed: unknown;
          try {
            parsed = JSON.parse(bodyText);
          } catch {
            return { status: 400, json: { error: 'The provided content-type is not supported or the body is not valid JSON.' } };
          }
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
        }
      }
      if (segments[0] === 'api' && segments[1] === 'graphql' && segments.length === 2) return this.graphql(method, params);
      if (segments[0] !== 'api' || segments[1] !== 'v4') return { status: 404, json: { error: '404 Not Found' } };
      return this.route(method === 'HEAD' ? 'GET' : method, segments.slice(2), params, url);
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, json: error.body };
      throw error;
    }
  }

  private route(method: string, s: string[], params: Params, url: URL): Reply {
    const notFound: Reply = { status: 404, json: { error: '404 Not Found' } };
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new HttpError(405, { error: '405 Not Allowed' });
    };
    const [r0, r1, r2, r3, r4, r5] = s;
    const n = s.length;
    // GET /personal_access_tokens/self: the token's own record, its scopes among it.
    if (r0 === 'personal_access_tokens' && r1 === 'self' && n === 2) {
      allow('GET');
      if (this.tokenScopes === null) return notFound;
      return {
        status: 200,
        json: {
          id: 1,
          name: 'bot',
          revoked: false,
          created_at: '2026-01-01T00:00:00Z',
          scopes: this.tokenScopes,
          user_id: this.botUser.id,
          active: true,
        },
      };
    }
    if (r0 === 'user' && n === 1) {
      allow('GET');
      return {
        status: 200,
        json: {
          ...this.userJson(this.botUser),
          email: this.botUser.email,
          commit_email: this.botUser.email,
          public_email: null,
          is_admin: false,
          bot: false,
        },
      };
    }
    if (r0 === 'groups' && r1 !== undefined) {
      const group = this.findGroup(r1);
      if (n === 2) {
        allow('GET');
        return { status: 200, json: this.groupJson(group) };
      }
      if (r2 === 'projects' && n === 3) {
        allow('GET');
        const subgroups = bool(params['include_subgroups']) === true;
        const shared = bool(params['with_shared']) !== false;
        const projects = [...this.projectsById.values()].filter(
          (p) =>
            (subgroups
              ? p.namespace.fullPath === group.fullPath || p.namespace.fullPath.startsWith(`${group.fullPath}/`)
              : p.namespace.id === group.id) ||
            (shared && p.sharedWith.includes(group.fullPath)),
        );
        return this.listProjects(projects, params, url, { keyset: false, json: (p) => this.projectJson(p) });
      }
      return notFound;
    }
    if (r0 === 'projects' && n === 1) {
      allow('GET');
      const perPage = Math.min(100, Math.max(1, int(params['per_page']) ?? 20));
      if (str(params['pagination']) !== 'keyset' && ((int(params['page']) ?? 1) - 1) * perPage > this.maxProjectOffset)
        fail(
          405,
          `Offset pagination has a maximum allowed offset of ${this.maxProjectOffset} for requests that return objects of type Project. ` +
            'Remaining records can be retrieved using keyset pagination.',
        );
      return this.listProjects([...this.projectsById.values()], params, url, { keyset: true, json: (p) => this.projectWithAccessJson(p) });
    }
    if (r0 !== 'projects' || r1 === undefined) return notFound;
    const project = this.findProject(r1);
    if (n === 2) {
      allow('GET');
      return { status: 200, json: this.projectWithAccessJson(project) };
    }
    if (r2 === 'releases' && n === 3) {
      allow('GET', 'POST');
      if (method === 'GET') return this.paginate(project.releases.map((r) => this.releaseJson(project, r)).reverse(), params, url);
      this.requireLevel(project, 30);
      const tag = str(params['tag_name']);
      if (tag === undefined) missing('tag_name');
      if (project.releases.some((r) => r.tag_name === tag)) fail(409, 'Release already exists');
      let commit = project.tags.get(tag as string);
      if (commit === undefined) {
        const ref = str(params['ref']);
        if (ref === undefined) fail(422, 'Tag does not exist, and ref is not specified');
        const head = this.resolveRef(project, ref as string);
        if (!head) fail(422, 'Ref is not valid');
        commit = (head as { id: string }).id;
        project.tags.set(tag as string, commit);
      }
      const release: Project['releases'][number] = {
        tag_name: tag as string,
        name: str(params['name']) ?? (tag as string),
        description: str(params['description']) ?? '',
        created_at: new Date().toISOString(),
        commit,
      };
      // Releases::CreateService#create_release: a Catalog version first, and no release when it fails.
      const catalog = project.catalog;
      const publish = catalog !== null && (project.catalogPublishOption ? bool(params['legacy_catalog_publish']) === true : true);
      if (publish) {
        const problem = this.catalogProblem(project, release);
        if (problem !== undefined) fail(problem.status, problem.message);
        catalog.versions.push(release.tag_name);
      }
      project.releases.push(release);
      return { status: 201, json: this.releaseJson(project, release) };
    }
    // API::Releases "Get a release by a tag name": 404 for a tag without a release.
    if (r2 === 'releases' && r3 !== undefined && n === 4) {
      allow('GET');
      const release = project.releases.find((r) => r.tag_name === r3);
      if (release === undefined) fail(404, '404 Not Found');
      return { status: 200, json: this.releaseJson(project, release as Project['releases'][number]) };
    }
    if (r2 === 'protected_branches' && n === 3) {
      allow('GET');
      // No more than ProtectedBranchesFinder::LIMIT (100) rules, however many there are and whatever the page.
      return this.paginate(
        project.protectedPatterns.slice(0, PROTECTED_BRANCHES_LIMIT).map((p) => {
          const level = [
            { id: p.id, access_level: 40, access_level_description: 'Maintainers', deploy_key_id: null, user_id: null, group_id: null },
          ];
          return {
            id: p.id,
            name: p.name,
            push_access_levels: level,
            merge_access_levels: level,
            unprotect_access_levels: [],
            allow_force_push: false,
            code_owner_approval_required: false,
            inherited: false,
          };
        }),
        params,
        url,
      );
    }
    if (r2 === 'repository') {
      if (r3 === 'files' && r4 !== undefined && n === 6 && r5 === 'raw') {
        allow('GET');
        checkFilePath(r4);
        const file = this.readFile(project, r4, str(params['ref']));
        return {
          status: 200,
          text: file.content,
          headers: { 'x-gitlab-file-path': r4, 'x-gitlab-ref': file.ref, 'x-gitlab-commit-id': file.commit.id },
        };
      }
      if (r3 === 'files' && r4 !== undefined && n === 5) {
        allow('GET');
        checkFilePath(r4);
        const ref = str(params['ref']);
        if (ref === undefined) missing('ref');
        const file = this.readFile(project, r4, ref);
        const bytes = Buffer.from(file.content, 'utf8');
        return {
          status: 200,
          json: {
            file_name: r4.slice(r4.lastIndexOf('/') + 1),
            file_path: r4,
            size: bytes.length,
            encoding: 'base64',
            content_sha256: createHash('sha256').update(bytes).digest('hex'),
            ref,
            blob_id: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'),
            commit_id: file.commit.id,
            last_commit_id: file.commit.id,
            execute_filemode: false,
            content: bytes.toString('base64'),
          },
        };
      }
      if (r3 === 'branches' && n === 4) {
        allow('GET', 'POST');
        if (method === 'GET') {
          const search = str(params['search']);
          const names = [...project.branches.keys()].filter((b) => search === undefined || b.includes(search)).sort();
          return this.paginate(
            names.map((b) => this.branchJson(project, b)),
            params,
            url,
          );
        }
        return this.createBranch(project, params);
      }
      if (r3 === 'branches' && r4 !== undefined && n === 5) {
        allow('GET', 'DELETE');
        if (!project.branches.has(r4)) fail(404, '404 Branch Not Found');
        if (method === 'GET') return { status: 200, json: this.branchJson(project, r4) };
        this.requireLevel(project, 30);
        if (this.isProtected(project, r4) || r4 === project.defaultBranch) fail(403, '403 Forbidden');
        project.branches.delete(r4);
        this.closeUponMissingSourceBranch(project, r4);
        return { status: 204 };
      }
      // API::Tags "Get a single repository tag" (Entities::Tag): commit is the commit the tag names.
      if (r3 === 'tags' && r4 !== undefined && n === 5) {
        allow('GET');
        const id = project.tags.get(r4);
        if (id === undefined) fail(404, '404 Tag Not Found');
        const release = project.releases.find((r) => r.tag_name === r4);
        return {
          status: 200,
          json: {
            name: r4,
            message: null,
            target: id as string,
            commit: this.commitJson(project, project.commits.get(id as string) as Commit),
            release: release ? { tag_name: release.tag_name, description: release.description } : null,
            protected: false,
          },
        };
      }
      if (r3 === 'compare' && n === 4) {
        allow('GET');
        return this.compare(project, params);
      }
      if (r3 === 'commits' && n === 4) {
        allow('GET', 'POST');
        if (method === 'POST') return this.createCommit(project, params);
        const refName = str(params['ref_name']) ?? project.defaultBranch ?? '';
        const head = this.resolveRef(project, refName);
        if (!head) return this.paginate([], params, url);
        const filePath = str(params['path']);
        const list = this.history(project, head.id).filter((c) => {
          if (filePath === undefined) return true;
          const parent = c.parents[0] === undefined ? undefined : project.commits.get(c.parents[0]);
          return c.files.get(filePath) !== parent?.files.get(filePath);
        });
        return this.paginate(
          list.map((c) => this.commitJson(project, c)),
          params,
          url,
        );
      }
      if (r3 === 'commits' && r4 !== undefined && n === 5) {
        allow('GET');
        const commit = this.resolveRef(project, r4);
        if (!commit) fail(404, '404 Commit Not Found');
        return { status: 200, json: this.commitJson(project, commit as Commit) };
      }
      // API::Commits "Get a commit's signature": 404 for an unsigned commit; Entities::CommitSignature
      // (an SSH signature here: Entities::SshSignature, no user's key for the instance's own).
      if (r3 === 'commits' && r4 !== undefined && n === 6 && r5 === 'signature') {
        allow('GET');
        const commit = this.resolveRef(project, r4);
        if (!commit) fail(404, '404 Commit Not Found');
        const { signature } = commit as Commit;
        if (signature === undefined) fail(404, '404 Signature Not Found');
        return { status: 200, json: { signature_type: 'SSH', verification_status: signature, key: null, commit_source: 'gitaly' } };
      }
      return notFound;
    }
    if (r2 === 'merge_requests') {
      if (n === 3) {
        allow('GET', 'POST');
        return method === 'POST' ? this.createMr(project, params) : this.listMrs(project, params, url);
      }
      if (r3 === undefined) return notFound;
      const mr = this.findMr(project, r3);
      if (n === 4) {
        allow('GET', 'PUT');
        return method === 'PUT' ? this.editMr(project, mr, params) : { status: 200, json: this.mrJson(project, mr) };
      }
      if (r4 === 'notes' && n === 5) {
        allow('GET', 'POST');
        if (method === 'POST') {
          const body = str(params['body']);
          if (body === undefined || body === '') missing('body');
          if (project.archived) fail(403, '403 Forbidden');
          const note: Note = { id: (this.noteSeq += 1), body: body as string, author: this.botUser, createdAt: new Date().toISOString() };
          mr.notes.push(note);
          mr.updatedAt = note.createdAt;
          return { status: 201, json: this.noteJson(project, mr, note) };
        }
        const asc = str(params['sort']) === 'asc';
        const notes = asc ? [...mr.notes] : [...mr.notes].reverse();
        return this.paginate(
          notes.map((note) => this.noteJson(project, mr, note)),
          params,
          url,
        );
      }
      return notFound;
    }
    return notFound;
  }

  private readFile(project: Project, filePath: string, ref: string | undefined): { content: string; commit: Commit; ref: string } {
    const name = ref ?? project.defaultBranch ?? 'HEAD';
    const commit = this.resolveRef(project, name);
    if (!commit) return fail(404, '404 Commit Not Found');
    const content = commit.files.get(filePath);
    if (content === undefined) return fail(404, '404 File Not Found');
    return { content, commit, ref: name };
  }

  /** Offset pagination with GitLab's headers (x-page … x-total-pages, link with next/prev/first/last). */
  private paginate(items: unknown[], params: Params, url: URL): Reply {
    const perPage = Math.min(100, Math.max(1, int(params['per_page']) ?? 20));
    const page = Math.max(1, int(params['page']) ?? 1);
    const total = items.length;
    const totalPages = Math.max(1, Math.ceil(total / perPage));
    const data = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number): string => {
      const q = new URLSearchParams(url.searchParams);
      q.set('page', String(p));
      q.set('per_page', String(perPage));
      return `${this.url}${url.pathname}?${q.toString()}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(Math.min(page - 1, totalPages))}>; rel="prev"`);
    if (page < totalPages) links.push(`<${link(page + 1)}>; rel="next"`);
    links.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
    return {
      status: 200,
      json: data,
      headers: {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        'x-total': String(total),
        'x-total-pages': String(totalPages),
        link: links.join(', '),
      },
    };
  }

  /**
   * Project lists as GitLab's ProjectsFinder makes them: archived/search/id_after/id_before filters,
   * order_by id|name|path|created_at (GitLab's default: created_at desc), offset pagination — and
   * keyset (order_by=id) where the endpoint has it: GET /projects, not GET /groups/:id/projects
   * (gitlabhq lib/api/groups.rb pages a group's projects with `paginate`, by offset only).
   */
  private listProjects(
    projects: Project[],
    params: Params,
    url: URL,
    { keyset, json }: { keyset: boolean; json: (project: Project) => Json },
  ): Reply {
    const archived = bool(params['archived']);
    const search = str(params['search'])?.toLowerCase();
    const after = int(params['id_after']);
    const before = int(params['id_before']);
    let list = projects.filter(
      (p) =>
        (archived === undefined || p.archived === archived) &&
        (search === undefined || p.name.toLowerCase().includes(search) || p.fullPath.toLowerCase().includes(search)) &&
        (after === undefined || p.id > after) &&
        (before === undefined || p.id < before),
    );
    const orderBy = str(params['order_by']) ?? 'created_at';
    const desc = (str(params['sort']) ?? 'desc') === 'desc';
    const key = (p: Project): string | number =>
      orderBy === 'name' ? p.name : orderBy === 'path' ? p.fullPath : orderBy === 'created_at' ? p.createdAt : p.id;
    list = [...list].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
      return desc ? -c : c;
    });
    if (keyset && str(params['pagination']) === 'keyset') {
      if (orderBy !== 'id') fail(405, '405 Method Not Allowed');
      const perPage = Math.min(100, Math.max(1, int(params['per_page']) ?? 20));
      const pageItems = list.slice(0, perPage);
      const headers: Record<string, string> = { 'x-per-page': String(perPage) };
      const last = pageItems[pageItems.length - 1];
      if (list.length > perPage && last) {
        const q = new URLSearchParams(url.searchParams);
        q.delete('id_before');
        q.set(desc ? 'id_before' : 'id_after', String(last.id));
        if (desc) q.delete('id_after');
        q.set('per_page', String(perPage));
        headers['link'] = `<${this.url}${url.pathname}?${q.toString()}>; rel="next"`;
      }
      return { status: 200, json: pageItems.map(json), headers };
    }
    return this.paginate(list.map(json), params, url);
  }

  private compare(project: Project, params: Params): Reply {
    const from = str(params['from']);
    const to = str(params['to']);
    if (from === undefined || to === undefined) missing(...(from === undefined ? ['from'] : []), ...(to === undefined ? ['to'] : []));
    const fromCommit = this.resolveRef(project, from as string);
    const toCommit = this.resolveRef(project, to as string);
    if (!fromCommit || !toCommit) return fail(404, '404 Ref Not Found');
    const excluded = this.ancestors(project, fromCommit.id);
    const commits = [...this.ancestors(project, toCommit.id)]
      .filter((id) => !excluded.has(id))
      .map((id) => project.commits.get(id) as Commit)
      .sort((a, b) => a.seq - b.seq);
    const straight = bool(params['straight']) === true;
    const baseId = straight ? fromCommit.id : this.mergeBase(project, fromCommit.id, toCommit.id);
    const baseFiles = baseId === undefined ? new Map<string, string>() : (project.commits.get(baseId) as Commit).files;
    const last = commits[commits.length - 1];
    return {
      status: 200,
      json: {
        commit: last ? this.commitJson(project, last) : null,
        commits: commits.map((c) => this.commitJson(project, c)),
        diffs: this.diffJson(baseFiles, toCommit.files).diffs,
        compare_timeout: false,
        compare_same_ref: from === to,
        web_url: `${this.webUrl(project)}/-/compare/${from as string}...${to as string}`,
      },
    };
  }

  private createBranch(project: Project, params: Params): Reply {
    const name = str(params['branch']);
    const ref = str(params['ref']);
    if (name === undefined || ref === undefined) missing(...(name === undefined ? ['branch'] : []), ...(ref === undefined ? ['ref'] : []));
    this.requireLevel(project, 30);
    if (this.isProtected(project, name as string) && project.accessLevel < 40) fail(403, '403 Forbidden');
    if (project.branches.has(name as string)) fail(400, 'Branch already exists');
    const commit = this.resolveRef(project, ref as string);
    if (!commit) fail(400, 'Invalid reference name');
    project.branches.set(name as string, (commit as Commit).id);
    return { status: 201, json: this.branchJson(project, name as string) };
  }

  /** POST /projects/:id/repository/commits, with GitLab's rules for branches, permissions and actions. */
  private createCommit(project: Project, params: Params): Reply {
    const branch = str(params['branch']);
    const message = str(params['commit_message']);
    const actions = params['actions'];
    const absent = [
      ...(branch === undefined ? ['branch'] : []),
      ...(message === undefined ? ['commit_message'] : []),
      ...(actions === undefined ? ['actions'] : []),
    ];
    if (absent.length > 0) missing(...absent);
    if (!Array.isArray(actions)) throw new HttpError(400, { error: 'actions is invalid' });
    const target = branch as string;
    this.requireLevel(project, 30);
    if (this.isProtected(project, target) && project.accessLevel < 40) fail(403, 'You are not allowed to push into this branch');
    const startBranch = str(params['start_branch']);
    const startSha = str(params['start_sha']);
    const force = bool(params['force']) === true;
    const exists = project.branches.has(target);
    const empty = project.branches.size === 0;
    if (startBranch !== undefined && startSha !== undefined)
      throw new HttpError(400, { error: 'start_branch, start_sha are mutually exclusive' });
    let parent: Commit | undefined;
    if (startSha !== undefined) {
      parent = this.resolveRef(project, startSha);
      if (!parent || !/^[0-9a-f]+$/i.test(startSha)) fail(400, `Cannot find start_sha '${startSha}'`);
      if (exists && !force) fail(400, `A branch called '${target}' already exists. Switch to that branch in order to make changes`);
    } else if (startBranch !== undefined && startBranch !== target) {
      if (exists && !force) fail(400, `A branch called '${target}' already exists. Switch to that branch in order to make changes`);
      if (!empty) {
        const head = project.branches.get(startBranch);
        if (head === undefined) fail(400, 'You can only create or edit files when you are on a branch');
        parent = project.commits.get(head as string);
      }
    } else if (exists) {
      parent = project.commits.get(project.branches.get(target) as string);
    } else if (!empty) {
      fail(400, 'You can only create or edit files when you are on a branch');
    }
    const files = new Map(parent?.files ?? []);
    actions.forEach((raw: unknown, index: number) => {
      const action = (raw ?? {}) as Json;
      const kind = str(action['action']);
      const filePath = str(action['file_path']);
      if (kind === undefined) missing(`actions[${index}][action]`);
      if (filePath === undefined) missing(`actions[${index}][file_path]`);
      const path = filePath as string;
      const rawContent = str(action['content']);
      const content =
        rawContent === undefined
          ? undefined
          : str(action['encoding']) === 'base64'
            ? Buffer.from(rawContent, 'base64').toString('utf8')
            : rawContent;
      switch (kind) {
        case 'create':
          if (files.has(path)) fail(400, 'A file with this name already exists');
          files.set(path, content ?? '');
          break;
        case 'update':
          if (!files.has(path)) fail(400, "A file with this name doesn't exist");
          files.set(path, content ?? '');
          break;
        case 'delete':
          if (!files.has(path)) fail(400, "A file with this name doesn't exist");
          files.delete(path);
          break;
        case 'move': {
          const previous = str(action['previous_path']);
          if (previous === undefined || !files.has(previous)) fail(400, "A file with this name doesn't exist");
          if (files.has(path)) fail(400, 'A file with this name already exists');
          const old = files.get(previous as string) as string;
          files.delete(previous as string);
          files.set(path, content ?? old);
          break;
        }
        case 'chmod':
          if (!files.has(path)) fail(400, "A file with this name doesn't exist");
          break;
        default:
          throw new HttpError(400, { error: `actions[${index}][action] does not have a valid value` });
      }
    });
    const authorName = str(params['author_name']) ?? this.botUser.name;
    const authorEmail = str(params['author_email']) ?? this.botUser.email;
    const author = { name: authorName, email: authorEmail };
    const commit = this.webCommit(project, parent ? [parent.id] : [], files, message as string, author, this.botUser);
    project.branches.set(target, commit.id);
    if (project.defaultBranch === null) project.defaultBranch = target;
    const { additions, deletions } = this.diffJson(parent?.files ?? new Map(), files);
    return {
      status: 201,
      json: {
        ...this.commitJson(project, commit),
        stats: { additions, deletions, total: additions + deletions },
        status: null,
        project_id: project.id,
        last_pipeline: null,
      },
    };
  }

  private listMrs(project: Project, params: Params, url: URL): Reply {
    const state = str(params['state']) ?? 'all';
    const source = str(params['source_branch']);
    const target = str(params['target_branch']);
    const iids = Array.isArray(params['iids']) ? (params['iids'] as unknown[]).map(String) : undefined;
    const labels = labelsOf(params['labels']);
    let list = project.mergeRequests.filter(
      (mr) =>
        (state === 'all' || mr.state === state) &&
        (source === undefined || mr.sourceBranch === source) &&
        (target === undefined || mr.targetBranch === target) &&
        (iids === undefined || iids.includes(String(mr.iid))) &&
        labels.every((l) => mr.labels.includes(l)),
    );
    list = str(params['sort']) === 'asc' ? list : [...list].reverse();
    return this.paginate(
      list.map((mr) => this.mrJson(project, mr)),
      params,
      url,
    );
  }

  private createMr(project: Project, params: Params): Reply {
    const source = str(params['source_branch']);
    const target = str(params['target_branch']);
    const title = str(params['title']);
    const absent = [
      ...(source === undefined ? ['source_branch'] : []),
      ...(target === undefined ? ['target_branch'] : []),
      ...(title === undefined ? ['title'] : []),
    ];
    if (absent.length > 0) missing(...absent);
    this.requireLevel(project, 30);
    // MergeRequests::CreateService authorizes create_merge_request_from: not with the feature off.
    if (project.mergeRequestsLevel === 'disabled') fail(403, '403 Forbidden');
    // MergeRequests::BuildService#find_target_project: the given target, else the project's default
    // target (a fork's upstream unless mr_default_target_self).
    const targetId = int(params['target_project_id']);
    const into = targetId === undefined ? (project.forkOf ?? project) : this.projectsById.get(targetId);
    if (into === undefined || (into !== project && into !== project.forkOf)) fail(404, '404 Project Not Found');
    const targetProject = into as Project;
    if (targetProject === project && source === target)
      throw new HttpError(422, { message: ["You can't use same project/branch for source and target"] });
    if (!project.branches.has(source as string)) throw new HttpError(400, { message: { source_branch: ['does not exist'] } });
    if (!targetProject.branches.has(target as string)) throw new HttpError(400, { message: { target_branch: ['does not exist'] } });
    const conflict = targetProject.mergeRequests.find(
      (m) => m.state === 'opened' && m.sourceProjectId === project.id && m.sourceBranch === source && m.targetBranch === target,
    );
    if (conflict)
      throw new HttpError(409, { message: [`Another open merge request already exists for this source branch: !${conflict.iid}`] });
    const now = new Date().toISOString();
    const mr: MergeRequest = {
      id: (this.mrSeq += 1),
      iid: targetProject.mergeRequests.length + 1,
      title: title as string,
      description: str(params['description']) ?? '',
      state: 'opened',
      sourceProjectId: project.id,
      sourceBranch: source as string,
      targetBranch: target as string,
      author: this.botUser,
      createdAt: now,
      updatedAt: now,
      mergedAt: null,
      closedAt: null,
      mergedBy: null,
      closedBy: null,
      mergeCommitSha: null,
      labels: labelsOf(params['labels']),
      removeSourceBranch: bool(params['remove_source_branch']) === true,
      lastSha: project.branches.get(source as string) ?? null,
      notes: [],
    };
    targetProject.mergeRequests.push(mr);
    return { status: 201, json: this.mrJson(targetProject, mr) };
  }

  private editMr(project: Project, mr: MergeRequest, params: Params): Reply {
    this.requireLevel(project, 30);
    const title = str(params['title']);
    const description = str(params['description']);
    const target = str(params['target_branch']);
    const stateEvent = str(params['state_event']);
    if (target !== undefined && !project.branches.has(target)) throw new HttpError(400, { message: { target_branch: ['does not exist'] } });
    // MergeRequest#validate_branches, on every save of an open one: no other open merge request from
    // the same source project and branch into the same target branch. A save that reopens one or
    // moves its target is the one that can break it.
    const reopening = stateEvent === 'reopen' && mr.state === 'closed';
    const retargeting = target !== undefined && target !== mr.targetBranch && (mr.state === 'opened' || reopening);
    if (reopening || retargeting) {
      const conflict = project.mergeRequests.find(
        (m) =>
          m !== mr &&
          m.state === 'opened' &&
          m.sourceProjectId === mr.sourceProjectId &&
          m.sourceBranch === mr.sourceBranch &&
          m.targetBranch === (target ?? mr.targetBranch),
      );
      if (conflict)
        throw new HttpError(409, { message: [`Another open merge request already exists for this source branch: !${conflict.iid}`] });
    }
    const now = new Date().toISOString();
    if (title !== undefined) mr.title = title;
    if (description !== undefined) mr.description = description;
    if (target !== undefined) mr.targetBranch = target;
    if (params['labels'] !== undefined) mr.labels = labelsOf(params['labels']);
    const add = labelsOf(params['add_labels']);
    const remove = labelsOf(params['remove_labels']);
    mr.labels = [...new Set([...mr.labels, ...add])].filter((l) => !remove.includes(l));
    const removeSource = bool(params['remove_source_branch']);
    if (removeSource !== undefined) mr.removeSourceBranch = removeSource;
    if (stateEvent === 'close' && mr.state === 'opened') Object.assign(mr, { state: 'closed', closedAt: now, closedBy: this.botUser });
    if (stateEvent === 'reopen' && mr.state === 'closed') Object.assign(mr, { state: 'opened', closedAt: null, closedBy: null });
    mr.updatedAt = now;
    return { status: 200, json: this.mrJson(project, mr) };
  }
}

/** GitLab's documented Kaniko job (https://docs.gitlab.com/ci/docker/using_kaniko/), as projects had it. */
export const KANIKO_CI = `stages:
  - build

build:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor
      --context "\${CI_PROJECT_DIR}"
      --dockerfile "\${CI_PROJECT_DIR}/Dockerfile"
      --destination "\${CI_REGISTRY_IMAGE}:\${CI_COMMIT_SHORT_SHA}"
`;

export const NODE_CI = `stages:
  - test

test:
  stage: test
  image: node:20
  script:
    - npm ci
    - npm test
`;

/**
 * Adds `count` projects under group 'bench' (bench/p0001 …); every `kanikoEvery`-th one builds
 * with Kaniko (and has a Dockerfile), the rest run a plain node test job.
 */
export function seedInstance(fake: FakeGitLab, count: number, kanikoEvery: number): void {
  const width = Math.max(4, String(count).length);
  for (let i = 1; i <= count; i += 1) {
    const kaniko = kanikoEvery > 0 && i % kanikoEvery === 0;
    fake.addProject({
      path: `bench/p${String(i).padStart(width, '0')}`,
      files: kaniko
        ? { '.gitlab-ci.yml': KANIKO_CI, Dockerfile: 'FROM alpine:3.20\nCOPY . /app\n' }
        : { '.gitlab-ci.yml': NODE_CI, 'package.json': '{"name":"p","private":true,"scripts":{"test":"true"}}\n' },
    });
  }
}
