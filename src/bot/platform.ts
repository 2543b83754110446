/**
 * What the merge-request bot needs from a GitLab instance, and nothing more. The bot's logic is
 * written against this interface; `gitlab.ts` implements it with @gitbeaker/rest.
 */

export interface Project {
  id: number;
  path: string;
  /** null for an empty repository. */
  defaultBranch: string | null;
  /** True when the listing hid the default branch: the token may not read this project's code. */
  codeHidden?: boolean;
  archived: boolean;
  /** The project's custom pipeline file, or '' for .gitlab-ci.yml. */
  ciConfigPath: string;
  webUrl: string;
  /** False when the project has merge requests turned off (the bot can open none there). */
  mergeRequestsEnabled: boolean;
  /**
   * The token's access level (30 developer, 40 maintainer; writes need 30) when the listing says;
   * null when it names no membership of the token's user: GitLab names only one of the project, or
   * of its group or the groups above it — not an admin's access, a public or internal project's, or
   * access through a shared group — whatever it may do.
   */
  accessLevel?: number | null;
}

/** A project as the platform's calls name it: by id, and by path in what they report. */
export type ProjectRef = Pick<Project, 'id' | 'path'>;

export interface Branch {
  name: string;
  protected: boolean;
  commit: string;
}

export interface ProtectedBranches {
  /** Exact names, or `*` wildcards. */
  patterns: string[];
  /** False when the instance may have more rules than it listed (it lists a limited number). */
  complete: boolean;
}

export interface Commit {
  id: string;
  message: string;
  authorEmail: string;
  /** Who made the commit object: an amend keeps the author and changes this. */
  committerEmail: string;
}

export interface MergeRequest {
  iid: number;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  /** The project the source branch is in: the target project's own id, or a fork's. */
  sourceProjectId: number;
  sourceBranch: string;
  targetBranch: string;
  description: string;
  /** The username of who opened it (undefined when GitLab names no one): the bot's own are the token's user's. */
  author?: string;
  webUrl: string;
  /**
   * The commit holding what a merged one merged, as GitLab's MergeRequest#merged_commit_sha takes
   * it: its merge commit (merge_commit_sha), else its squash commit (squash_commit_sha, a squash and
   * fast-forward), else its head (sha, a fast-forward); which of them, for what the bot says of it.
   * Undefined when GitLab names none.
   */
  mergedCommit?: { sha: string; kind: 'merge' | 'squash' | 'head' };
}

export interface Note {
  body: string;
  author: string;
}

export interface FileAction {
  action: 'create' | 'update';
  path: string;
  content: string;
}

export type ProjectSelection = { group: string } | { projects: readonly string[] } | { all: true };
/** A selection the instance lists page by page (projects named one by one are looked up with project()). */
export type ListedSelection = Exclude<ProjectSelection, { projects: readonly string[] }>;

export interface Platform {
  /** The user the token belongs to: its commits are the bot's. */
  currentUser(): Promise<{ username: string; email: string }>;
  /** Projects one page at a time, so memory does not grow with the instance. */
  projects(selection: ListedSelection): AsyncIterable<Project>;
  /** One project, by its full path. */
  project(path: string): Promise<Project>;
  /** The token's access level on a project, as the project itself says (a group's listing does not): see Project.accessLevel. */
  accessLevel(project: ProjectRef): Promise<number | null>;
  /** A file at a ref (a branch, or a commit), with the commit the ref named when it was read; undefined when the ref holds
   *  no such file (a project or a ref that is not there is an error: PlatformError, 404). */
  readFile(project: ProjectRef, path: string, ref: string): Promise<{ text: string; commit: string } | undefined>;
  /** The commit a ref (a commit, a branch, a tag) names, or undefined when the repository has none such (a commit deleted
   *  with the history that held it, or garbage-collected). */
  commitOf(project: ProjectRef, ref: string): Promise<string | undefined>;
  /** A branch, or undefined when it does not exist. */
  branch(project: ProjectRef, name: string): Promise<Branch | undefined>;
  /** Protected branch name patterns (exact names, or `*` wildcards). */
  protectedBranches(project: ProjectRef): Promise<ProtectedBranches>;
  /** Commits on `to` that are not on `from`, oldest first. */
  commitsBetween(project: ProjectRef, from: string, to: string): Promise<Commit[]>;
  /**
   * Whether GitLab itself signed a commit: an instance that signs web commits (those made through
   * its API too) names itself their committer and signs them, and the commit's signature then says
   * `verified_system`. False for a commit with no signature or with another's.
   */
  systemSigned(project: ProjectRef, sha: string): Promise<boolean>;
  /** Merge requests into the project from a branch named `sourceBranch`, in any state, forks' included (see sourceProjectId). */
  mergeRequests(project: ProjectRef, sourceBranch: string): Promise<MergeRequest[]>;
  /**
   * One Commits API call: creates `branch` from the commit `startSha` (or resets it there with
   * `force`) and commits: the commit the files were read at, so a push to the default branch since
   * is neither in the bot's branch nor undone by it.
   */
  commit(
    project: ProjectRef,
    options: { branch: string; startSha: string; force: boolean; message: string; actions: FileAction[] },
  ): Promise<Commit>;
  createMergeRequest(
    project: ProjectRef,
    options: { sourceBranch: string; targetBranch: string; title: string; description: string },
  ): Promise<MergeRequest>;
  /**
   * The description, and the target branch when the default branch changed; never the title: it is
   * the people's once the merge request is open (a `Draft:` prefix, their wording).
   */
  updateMergeRequest(project: ProjectRef, iid: number, options: { description: string; targetBranch?: string }): Promise<MergeRequest>;
  notes(project: ProjectRef, iid: number): Promise<Note[]>;
  comment(project: ProjectRef, iid: number, body: string): Promise<void>;
}

/**
 * An HTTP failure the platform could not recover from, with GitLab's status. `lostAnswer`: a write
 * one of whose attempts (this one or an earlier) got no answer of GitLab's own — a gateway error, a
 * timeout, a connection lost after it was made — in a few words: GitLab may have done it, and a later
 * attempt's refusal ("already exists") may be of what the lost one did.
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly lostAnswer?: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
