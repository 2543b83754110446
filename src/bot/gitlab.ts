/**
 * The platform seam on @gitbeaker/rest. gitbeaker builds every request (paths, query, bodies,
 * pagination); cigen's own handler (http.ts) sends them, so retries honour Retry-After.
 */
import { Gitlab, type AllMergeRequestsOptions } from '@gitbeaker/rest';
import { createRequesterFn, type RequestHandlerFn } from '@gitbeaker/requester-utils';
import { DEFAULT_RETRY, requestHandler, type HttpStats, type RetryPolicy } from './http.js';
import {
  PlatformError,
  type Branch,
  type Commit,
  type FileAction,
  type MergeRequest,
  type Note,
  type Platform,
  type Project,
  type ProjectSelection,
} from './platform.js';

type Json = Record<string, unknown>;
const PER_PAGE = 100;

/** The options of gitbeaker's MergeRequests.all (its general overload). */
type MergeRequestQuery = NonNullable<Parameters<InstanceType<typeof Gitlab>['MergeRequests']['all']>[0]>;

/**
 * A merge request query for every state. GitLab's list takes state=all; gitbeaker's
 * AllMergeRequestsOptions names only the single states, so the rest of the query is checked
 * against gitbeaker's type and only that one value is widened.
 */
type EveryStateQuery = Omit<AllMergeRequestsOptions, 'state'> & { state: 'all'; projectId: number; perPage: number; maxPages: number };

function accessLevel(raw: Json): number | undefined {
  const permissions = raw['permissions'] as Record<string, { access_level?: number } | null> | undefined;
  if (!permissions) return undefined;
  const levels = [permissions['project_access']?.access_level, permissions['group_access']?.access_level].filter(
    (l): l is number => typeof l === 'number',
  );
  return levels.length > 0 ? Math.max(...levels) : undefined;
}

function toProject(raw: Json): Project {
  const level = accessLevel(raw);
  return {
    ...(level !== undefined ? { accessLevel: level } : {}),
    id: raw['id'] as number,
    path: raw['path_with_namespace'] as string,
    defaultBranch: (raw['default_branch'] as string | null | undefined) ?? null,
    archived: raw['archived'] === true,
    ciConfigPath: (raw['ci_config_path'] as string | null | undefined) ?? '',
    webUrl: (raw['web_url'] as string | undefined) ?? '',
  };
}

const toMergeRequest = (raw: Json): MergeRequest => ({
  iid: raw['iid'] as number,
  state: raw['state'] as MergeRequest['state'],
  sourceBranch: raw['source_branch'] as string,
  targetBranch: raw['target_branch'] as string,
  description: (raw['description'] as string | null) ?? '',
  webUrl: (raw['web_url'] as string | undefined) ?? '',
});

const toCommit = (raw: Json): Commit => ({
  id: raw['id'] as string,
  message: (raw['message'] as string | undefined) ?? '',
  authorEmail: (raw['author_email'] as string | undefined) ?? '',
});

const notFound = (error: unknown): boolean => error instanceof PlatformError && error.status === 404;

export interface GitLabOptions {
  url: string;
  token: string;
  retry?: RetryPolicy;
  stats?: HttpStats;
}

export class GitLabPlatform implements Platform {
  private readonly api: InstanceType<typeof Gitlab>;
  readonly stats: HttpStats;

  constructor(options: GitLabOptions) {
    this.stats = options.stats ?? { requests: 0, retries: 0 };
    const handler = requestHandler(options.retry ?? DEFAULT_RETRY, this.stats);
    // The options handler passes gitbeaker's request options through unchanged; the body the request
    // handler returns (typed unknown) is the parsed JSON, text or null that gitbeaker's resources expect.
    const requesterFn = createRequesterFn((_service, requestOptions) => Promise.resolve(requestOptions), handler as RequestHandlerFn);
    this.api = new Gitlab({ host: options.url, token: options.token, requesterFn, queryTimeout: null });
  }

  async currentUser(): Promise<{ username: string; email: string }> {
    const user = (await this.api.Users.showCurrentUser()) as unknown as Json;
    return { username: user['username'] as string, email: ((user['commit_email'] ?? user['email'] ?? '') as string) || '' };
  }

  async *projects(selection: ProjectSelection): AsyncIterable<Project> {
    if ('projects' in selection) {
      for (const path of selection.projects) yield toProject(await this.api.Projects.show(path));
      return;
    }
    for (let page: number | null = 1; page !== null;) {
      const options = { perPage: PER_PAGE, page, maxPages: 1, showExpanded: true, pagination: 'offset' } as const;
      const result = ('group' in selection
        ? await this.api.Groups.allProjects(selection.group, { ...options, includeSubgroups: true })
        : await this.api.Projects.all({ ...options, orderBy: 'id', sort: 'asc' })) as unknown as {
        data: Json[];
        paginationInfo: { next: number | null };
      };
      for (const raw of result.data) yield toProject(raw);
      page = result.paginationInfo.next || null;
    }
  }

  async readFile(project: number, path: string, ref: string): Promise<string | undefined> {
    try {
      const body = (await this.api.RepositoryFiles.showRaw(project, path, ref)) as unknown;
      return typeof body === 'string' ? body : body instanceof Blob ? await body.text() : String(body);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async branch(project: number, name: string): Promise<Branch | undefined> {
    try {
      const raw = (await this.api.Branches.show(project, name)) as unknown as Json;
      return {
        name: raw['name'] as string,
        protected: raw['protected'] === true,
        commit: ((raw['commit'] as Json | undefined)?.['id'] as string) ?? '',
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async protectedBranches(project: number): Promise<string[]> {
    const list = (await this.api.ProtectedBranches.all(project, { perPage: PER_PAGE })) as unknown as Json[];
    return list.map((raw) => raw['name'] as string);
  }

  async commitsBetween(project: number, from: string, to: string): Promise<Commit[]> {
    const raw = (await this.api.Repositories.compare(project, from, to)) as unknown as Json;
    return ((raw['commits'] as Json[] | undefined) ?? []).map(toCommit);
  }

  async mergeRequests(project: number, sourceBranch: string): Promise<MergeRequest[]> {
    const query: EveryStateQuery = { projectId: project, sourceBranch, state: 'all', perPage: PER_PAGE, maxPages: 1 };
    const list = (await this.api.MergeRequests.all(query as unknown as MergeRequestQuery)) as unknown as Json[];
    return list.map(toMergeRequest);
  }

  async commit(
    project: number,
    options: { branch: string; startBranch: string; force: boolean; message: string; actions: FileAction[] },
  ): Promise<Commit> {
    const actions = options.actions.map((a) => ({ action: a.action, filePath: a.path, content: a.content }));
    const raw = (await this.api.Commits.create(project, options.branch, options.message, actions, {
      startBranch: options.startBranch,
      ...(options.force ? { force: true } : {}),
    })) as unknown as Json;
    return toCommit(raw);
  }

  async createMergeRequest(
    project: number,
    options: { sourceBranch: string; targetBranch: string; title: string; description: string },
  ): Promise<MergeRequest> {
    const raw = (await this.api.MergeRequests.create(project, options.sourceBranch, options.targetBranch, options.title, {
      description: options.description,
      removeSourceBranch: true,
    })) as unknown as Json;
    return toMergeRequest(raw);
  }

  async updateMergeRequest(project: number, iid: number, options: { title: string; description: string }): Promise<MergeRequest> {
    const raw = (await this.api.MergeRequests.edit(project, iid, {
      title: options.title,
      description: options.description,
    })) as unknown as Json;
    return toMergeRequest(raw);
  }

  async notes(project: number, iid: number): Promise<Note[]> {
    const list = (await this.api.MergeRequestNotes.all(project, iid, { perPage: PER_PAGE })) as unknown as Json[];
    return list.map((raw) => ({
      body: (raw['body'] as string) ?? '',
      author: ((raw['author'] as Json | undefined)?.['username'] as string) ?? '',
    }));
  }

  async comment(project: number, iid: number, body: string): Promise<void> {
    await this.api.MergeRequestNotes.create(project, iid, body);
  }

  /** The project's description (for the Catalog preflight). */
  async projectDescription(path: string): Promise<string> {
    const raw = (await this.api.Projects.show(path)) as unknown as Json;
    return (raw['description'] as string | null | undefined) ?? '';
  }

  /** Creates a release through the Releases API (for mirrors that cannot run the release: job). */
  async createRelease(
    path: string,
    options: { tagName: string; name: string; description: string; ref?: string },
  ): Promise<{ url: string }> {
    const raw = (await this.api.ProjectReleases.create(path, {
      tagName: options.tagName,
      name: options.name,
      description: options.description,
      ...(options.ref ? { ref: options.ref } : {}),
    })) as unknown as Json;
    return { url: ((raw['_links'] as Json | undefined)?.['self'] as string | undefined) ?? '' };
  }
}
