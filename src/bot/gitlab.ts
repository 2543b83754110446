/**
 * The platform seam on @gitbeaker/rest. gitbeaker builds every request (paths, query, bodies,
 * pagination); cigen's own handler (http.ts) sends them, so retries honour Retry-After and the token
 * stays on the instance's origin. What comes back is checked against gitlab-schema.ts before the bot
 * reads it: gitbeaker's types say what GitLab documents, not what was sent.
 */
import { Gitlab } from '@gitbeaker/rest';
import { createRequesterFn, type RequestOptions } from '@gitbeaker/requester-utils';
import { check, ResponseShapeError, SCHEMAS, type RawCommit, type RawMergeRequest, type RawProject } from './gitlab-schema.js';
import { DEFAULT_RETRY, requestHandler, UnreachableError, utf8Text, type HttpStats, type RetryPolicy } from './http.js';
import { masker } from './access.js';
import {
  PlatformError,
  type Branch,
  type Commit,
  type FileAction,
  type MergeRequest,
  type Note,
  type Platform,
  type Project,
  type ProjectRef,
  type ProtectedBranches,
  type ListedSelection,
} from './platform.js';

const PER_PAGE = 100;
/** GitLab lists at most this many protected branch rules, whatever the page (gitlabhq ProtectedBranchesFinder::LIMIT). */
const PROTECTED_BRANCHES_LIMIT = 100;

/** A project's CI/CD Catalog resource and its version of one name (GraphQL: CiCatalogResource.versions). */
const CATALOG_VERSION_QUERY =
  'query($path: ID!, $name: String) { ciCatalogResource(fullPath: $path) { versions(name: $name) { nodes { name } } } }';

/**
 * What `permissions` say of the token's access (GET /projects and GET /projects/:id have them, a
 * group's listing not): the higher of project and group access, null when both are null (no
 * membership of the project, or of its group or the groups above it: an admin, a public or internal
 * project, access through a shared group), undefined when there are none to read.
 */
function accessLevel(raw: RawProject): number | null | undefined {
  if (!raw.permissions) return undefined;
  const levels = [raw.permissions.project_access?.access_level, raw.permissions.group_access?.access_level].filter(
    (l): l is number => typeof l === 'number',
  );
  return levels.length > 0 ? Math.max(...levels) : null;
}

function toProject(raw: RawProject): Project {
  const level = accessLevel(raw);
  return {
    ...(level !== undefined ? { accessLevel: level } : {}),
    id: raw.id,
    path: raw.path_with_namespace,
    // An empty repository often names the instance's preferred branch (main) that does not exist yet.
    defaultBranch: raw.empty_repo === true ? null : (raw.default_branch ?? null),
    // GitLab leaves default_branch out of its answer for a token that may not read the code.
    ...(raw.empty_repo !== true && raw.default_branch === undefined ? { codeHidden: true } : {}),
    archived: raw.archived === true,
    ciConfigPath: raw.ci_config_path ?? '',
    webUrl: raw.web_url ?? '',
    mergeRequestsEnabled: raw.merge_requests_access_level
      ? raw.merge_requests_access_level !== 'disabled'
      : raw.merge_requests_enabled !== false,
  };
}

/** MergeRequest#merged_commit_sha's order: the merge commit, else the squash commit, else the head. */
function mergedCommit(raw: RawMergeRequest): MergeRequest['mergedCommit'] {
  if (raw.merge_commit_sha) return { sha: raw.merge_commit_sha, kind: 'merge' };
  if (raw.squash_commit_sha) return { sha: raw.squash_commit_sha, kind: 'squash' };
  if (raw.sha) return { sha: raw.sha, kind: 'head' };
  return undefined;
}

const toMergeRequest = (raw: RawMergeRequest): MergeRequest => {
  const merged = raw.state === 'merged' ? mergedCommit(raw) : undefined;
  return {
    iid: raw.iid,
    state: raw.state,
    sourceProjectId: raw.source_project_id,
    sourceBranch: raw.source_branch,
    targetBranch: raw.target_branch,
    description: raw.description ?? '',
    ...(raw.author ? { author: raw.author.username } : {}),
    webUrl: raw.web_url,
    ...(merged ? { mergedCommit: merged } : {}),
  };
};

const toCommit = (raw: RawCommit): Commit => ({
  id: raw.id,
  message: raw.message,
  authorEmail: raw.author_email,
  committerEmail: raw.committer_email,
});

/** A property of a value of unknown shape (undefined when it is not an object): for the schema to judge. */
const member = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;

const notFound = (error: unknown): boolean => error instanceof PlatformError && error.status === 404;

/** GitLab's answer to a request, or undefined when it answers 404 (no such file, branch, signature). */
async function unlessNotFound<T>(request: Promise<T>, absent: (error: unknown) => boolean = notFound): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (absent(error)) return undefined;
    throw error;
  }
}

/** The Files API's 404 for a path the commit does not hold (API::Files: not_found!('File')); its
 *  other 404s say the project or the ref is gone ("404 Project Not Found", "404 Commit Not Found"). */
const fileNotFound = (error: unknown): boolean => notFound(error) && (error as Error).message.endsWith(': 404 File Not Found');

export interface GitLabOptions {
  url: string;
  token: string;
  retry?: RetryPolicy;
  stats?: HttpStats;
  /** A line per HTTP attempt (--verbose): method, path, status, retry and wait; the token masked out of it. */
  log?: (line: string) => void;
}

export class GitLabPlatform implements Platform {
  private readonly api: InstanceType<typeof Gitlab>;
  readonly stats: HttpStats;
  /** Masks the token in a text: every message this platform builds has been through it already. */
  readonly mask: (text: string) => string;

  constructor(options: GitLabOptions) {
    this.stats = options.stats ?? { requests: 0, retries: 0 };
    this.mask = masker(options.token);
    const handler = requestHandler(options.retry ?? DEFAULT_RETRY, this.stats, {
      mask: this.mask,
      ...(options.log ? { log: options.log } : {}),
    });
    // gitbeaker's request options go to the handler as they are; it reads what it needs of them.
    const passThrough = (_service: unknown, requestOptions: RequestOptions) => Promise.resolve(requestOptions);
    const requesterFn = createRequesterFn(passThrough, handler);
    this.api = new Gitlab({ host: options.url, token: options.token, requesterFn, queryTimeout: null });
  }

  async currentUser(): Promise<{ username: string; email: string }> {
    const user = check(SCHEMAS.user, await this.api.Users.showCurrentUser(), 'the current user');
    return { username: user.username, email: user.commit_email || user.email || '' };
  }

  /**
   * The scopes of the token (the token is sent as PRIVATE-TOKEN, which GitLab takes for personal,
   * project and group access tokens only); undefined when GitLab does not answer for it (403, or 404:
   * an instance older than this endpoint). A token GitLab refuses (401) is an error, as on any request.
   */
  async tokenScopes(): Promise<string[] | undefined> {
    let body: unknown;
    try {
      body = await this.api.PersonalAccessTokens.show();
    } catch (error) {
      if (error instanceof PlatformError && (error.status === 403 || error.status === 404)) return undefined;
      throw error;
    }
    return check(SCHEMAS.tokenSelf, body, 'the token').scopes;
  }

  async project(path: string): Promise<Project> {
    return toProject(check(SCHEMAS.project, await this.api.Projects.show(path), `project ${path}`));
  }

  async accessLevel(project: ProjectRef): Promise<number | null> {
    return accessLevel(check(SCHEMAS.project, await this.api.Projects.show(project.id), `project ${project.path}`)) ?? null;
  }

  async *projects(selection: ListedSelection): AsyncIterable<Project> {
    const what = 'group' in selection ? `projects of group ${selection.group}` : 'projects';
    // By id, each page the projects after the last one listed (id_after): a project created or
    // removed while the bot works neither shifts a later page (GitLab's default order is newest
    // first, so an offset would list one twice or skip one) nor is it past an offset cap (GitLab
    // refuses offset pagination of /projects past 50,000). GET /projects has keyset pagination; a
    // group's listing has offset pagination only, so it is always asked for its first page.
    let idAfter: number | undefined;
    for (let page = 1; ; page++) {
      const after = idAfter !== undefined ? { idAfter } : {};
      // gitbeaker's page: { data: the answer, paginationInfo: read from its headers }. A group's
      // projects are its own and its subgroups': GitLab lists projects other groups share with it
      // too unless with_shared=false.
      let result: unknown;
      try {
        result =
          'group' in selection
            ? await this.api.Groups.allProjects(selection.group, {
                perPage: PER_PAGE,
                maxPages: 1,
                showExpanded: true,
                orderBy: 'id',
                sort: 'asc',
                includeSubgroups: true,
                withShared: false,
                ...after,
              })
            : await this.api.Projects.all({
                perPage: PER_PAGE,
                maxPages: 1,
                showExpanded: true,
                pagination: 'keyset',
                orderBy: 'id',
                sort: 'asc',
                ...after,
              });
      } catch (error) {
        // Past page 1 the projects listed before stand: the caller reports them, naming the page.
        if (page > 1 && error instanceof PlatformError && !(error instanceof UnreachableError))
          throw new PlatformError(`${what}, page ${page}: ${error.message}`, error.status);
        throw error;
      }
      const list = check(SCHEMAS.projects, member(result, 'data'), what);
      for (const raw of list) yield toProject(raw);
      // A full page may have a next one; ids that do not move forward would list the same projects for ever.
      const last = list.at(-1)?.id;
      if (list.length < PER_PAGE || last === undefined) return;
      if (idAfter !== undefined && last <= idAfter)
        throw new ResponseShapeError(`${what}, page ${page}`, `the last id ${last} is not after ${idAfter}`);
      idAfter = last;
    }
  }

  async readFile(project: ProjectRef, path: string, ref: string): Promise<{ text: string; commit: string } | undefined> {
    // A path with a `..` segment names no file in a repository (git takes no `..` entry), and GitLab's
    // Files API refuses to look (400 "file_path should be a valid file path", Gitlab::PathTraversal):
    // not asked for. Migrate calls one that climbs out of the project outside it, as `cigen migrate` does.
    if (path.split('/').includes('..')) return undefined;
    const answer: unknown = await unlessNotFound(
      this.api.RepositoryFiles.showRaw(project.id, path, ref, { showExpanded: true }),
      fileNotFound,
    );
    if (answer === undefined) return undefined;
    const what = `${path} at ${ref} in ${project.path}`;
    // GitLab names the commit the ref resolved to in X-Gitlab-Commit-Id (API::Files#blob_data); the
    // handler hands gitbeaker the headers by their lower-cased names.
    const commit = member(member(answer, 'headers'), 'x-gitlab-commit-id');
    if (typeof commit !== 'string' || !/^[0-9a-f]{7,64}$/i.test(commit)) throw new ResponseShapeError(what, 'no X-Gitlab-Commit-Id header');
    const body = member(answer, 'data');
    if (typeof body === 'string') return { text: body, commit };
    if (body instanceof Blob) return { text: await utf8Text(body), commit };
    throw new ResponseShapeError(what, 'expected the file as text');
  }

  async branch(project: ProjectRef, name: string): Promise<Branch | undefined> {
    const body: unknown = await unlessNotFound(this.api.Branches.show(project.id, name));
    if (body === undefined) return undefined;
    const raw = check(SCHEMAS.branch, body, `branch ${name} of ${project.path}`);
    return { name: raw.name, protected: raw.protected, commit: raw.commit.id };
  }

  async protectedBranches(project: ProjectRef): Promise<ProtectedBranches> {
    const list = check(
      SCHEMAS.protectedBranches,
      await this.api.ProtectedBranches.all(project.id, { perPage: PER_PAGE }),
      `protected branches of ${project.path}`,
    );
    // As many as GitLab lists at most: there may be more it does not show.
    return { patterns: list.map((raw) => raw.name), complete: list.length < PROTECTED_BRANCHES_LIMIT };
  }

  async commitsBetween(project: ProjectRef, from: string, to: string): Promise<Commit[]> {
    const raw = check(SCHEMAS.compare, await this.api.Repositories.compare(project.id, from, to), `${from}...${to} of ${project.path}`);
    return raw.commits.map(toCommit);
  }

  async systemSigned(project: ProjectRef, sha: string): Promise<boolean> {
    // GitLab answers 404 "Signature Not Found" for a commit without a signature.
    const body: unknown = await unlessNotFound(this.api.Commits.showGPGSignature(project.id, sha));
    if (body === undefined) return false;
    // Enums::CommitSignature: verified_system is a signature the instance made with its own key.
    return (
      check(SCHEMAS.signature, body, `signature of commit ${sha.slice(0, 12)} of ${project.path}`).verification_status === 'verified_system'
    );
  }

  async mergeRequests(project: ProjectRef, sourceBranch: string): Promise<MergeRequest[]> {
    // No state: GitLab lists every state by default (and gitbeaker's type has no 'all').
    const list = await this.api.MergeRequests.all({ projectId: project.id, sourceBranch, perPage: PER_PAGE, maxPages: 1 });
    return check(SCHEMAS.mergeRequests, list, `merge requests of ${project.path}`).map(toMergeRequest);
  }

  async commit(
    project: ProjectRef,
    options: { branch: string; startSha: string; force: boolean; message: string; actions: FileAction[] },
  ): Promise<Commit> {
    const actions = options.actions.map((a) => ({ action: a.action, filePath: a.path, content: a.content }));
    const raw = await this.api.Commits.create(project.id, options.branch, options.message, actions, {
      startSha: options.startSha,
      ...(options.force ? { force: true } : {}),
    });
    return toCommit(check(SCHEMAS.commit, raw, `new commit on ${options.branch} of ${project.path}`));
  }

  async createMergeRequest(
    project: ProjectRef,
    options: { sourceBranch: string; targetBranch: string; title: string; description: string },
  ): Promise<MergeRequest> {
    const raw = await this.api.MergeRequests.create(project.id, options.sourceBranch, options.targetBranch, options.title, {
      // Into the project itself: without it GitLab opens a fork's merge request in the upstream project.
      targetProjectId: project.id,
      description: options.description,
      removeSourceBranch: true,
    });
    return toMergeRequest(check(SCHEMAS.mergeRequest, raw, `new merge request of ${project.path}`));
  }

  async updateMergeRequest(
    project: ProjectRef,
    iid: number,
    options: { description: string; targetBranch?: string },
  ): Promise<MergeRequest> {
    const raw = await this.api.MergeRequests.edit(project.id, iid, {
      description: options.description,
      ...(options.targetBranch !== undefined ? { targetBranch: options.targetBranch } : {}),
    });
    return toMergeRequest(check(SCHEMAS.mergeRequest, raw, `merge request !${iid} of ${project.path}`));
  }

  async notes(project: ProjectRef, iid: number): Promise<Note[]> {
    const list = check(
      SCHEMAS.notes,
      await this.api.MergeRequestNotes.all(project.id, iid, { perPage: PER_PAGE }),
      `notes of merge request !${iid} of ${project.path}`,
    );
    return list.map((raw) => ({ body: raw.body, author: raw.author.username }));
  }

  async comment(project: ProjectRef, iid: number, body: string): Promise<void> {
    await this.api.MergeRequestNotes.create(project.id, iid, body);
  }

  /** The project's description (for the Catalog preflight). */
  async projectDescription(path: string): Promise<string> {
    return check(SCHEMAS.project, await this.api.Projects.show(path), `project ${path}`).description ?? '';
  }

  /** The commit a ref (a tag, a branch, a commit) names in a project (its path, or the project), or undefined when it names none. */
  async commitOf(project: ProjectRef | string, ref: string): Promise<string | undefined> {
    const [id, path] = typeof project === 'string' ? [project, project] : [project.id, project.path];
    try {
      return check(SCHEMAS.commit, await this.api.Commits.show(id, ref), `commit ${ref} of ${path}`).id;
    } catch (error) {
      if (error instanceof PlatformError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The commit a tag names in a project (an annotated tag's dereferenced), or undefined when the project has no such tag. */
  async tagCommit(path: string, name: string): Promise<string | undefined> {
    const body: unknown = await unlessNotFound(this.api.Tags.show(path, name));
    return body === undefined ? undefined : check(SCHEMAS.tag, body, `tag ${name} of ${path}`).commit.id;
  }

  /**
   * Creates a release through the Releases API (for mirrors that cannot run the release: job), asking
   * GitLab to publish it to the CI/CD Catalog: `legacy_catalog_publish`, which Releases::CreateService
   * reads when the ci_release_cli_catalog_publish_option flag is on (without it, such a release is no
   * Catalog version); with the flag off GitLab publishes every release of a Catalog project anyway.
   * GitLab calls the parameter internal: catalogVersion tells whether it published.
   */
  async createRelease(
    path: string,
    options: { tagName: string; name: string; description: string; ref?: string },
  ): Promise<{ url: string }> {
    const raw = await this.api.ProjectReleases.create(path, {
      tagName: options.tagName,
      name: options.name,
      description: options.description,
      legacyCatalogPublish: true,
      ...(options.ref ? { ref: options.ref } : {}),
    });
    return { url: check(SCHEMAS.release, raw, `release ${options.tagName} of ${path}`)._links?.self ?? '' };
  }

  /** A project's release of a tag, or undefined when it has none. */
  async release(
    path: string,
    tagName: string,
  ): Promise<{ name: string; description: string; commit: string | undefined; url: string } | undefined> {
    const body: unknown = await unlessNotFound(this.api.ProjectReleases.show(path, tagName));
    if (body === undefined) return undefined;
    const raw = check(SCHEMAS.release, body, `release ${tagName} of ${path}`);
    return { name: raw.name ?? '', description: raw.description ?? '', commit: raw.commit?.id, url: raw._links?.self ?? '' };
  }

  /**
   * Whether a project is a CI/CD Catalog project, and whether `version` is published in its Catalog.
   * GraphQL only: no REST answer says either. GitLab's resolver answers null (with an error) for a
   * project that is no Catalog project, or that the token cannot read.
   */
  async catalogVersion(path: string, version: string): Promise<{ catalog: boolean; published: boolean }> {
    const what = `the CI/CD Catalog resource of ${path}`;
    // gitbeaker's requester (the token, this platform's handler) at /api/graphql, beside /api/v4/.
    // The variables' names are lower case: gitbeaker snake-cases a body's keys.
    const { body } = await this.api.Projects.requester.post('../graphql', {
      body: { query: CATALOG_VERSION_QUERY, variables: { path, name: version } },
    });
    const answer = check(SCHEMAS.catalogAnswer, body, what);
    if (!answer.data) throw new PlatformError(`${what}: ${answer.errors?.[0]?.message ?? 'GitLab answered no data'}`, undefined);
    const resource = answer.data.ciCatalogResource;
    if (!resource) return { catalog: false, published: false };
    return { catalog: true, published: (resource.versions?.nodes ?? []).some((node) => node.name === version) };
  }
}
