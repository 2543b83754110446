/**
 * What the bot reads from GitLab's API, as JSON schemas (ajv): only the fields it uses, each with
 * its type. gitbeaker's response types are what GitLab documents, not what a server (or a proxy in
 * front of it) sent; every answer is checked here before the bot believes it, so a wrong shape is
 * one clear error for the project it concerns, never a crash or an `undefined` carried along.
 * Each schema is typed against the shape it promises (JSONSchemaType), so the two cannot drift.
 */
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { PlatformError } from './platform.js';

export interface RawUser {
  username: string;
  email?: string | null;
  commit_email?: string | null;
}

/** GET /personal_access_tokens/self (personal, project and group access tokens). */
export interface RawTokenSelf {
  scopes: string[];
}

interface RawAccess {
  access_level: number;
}

export interface RawProject {
  id: number;
  path_with_namespace: string;
  default_branch?: string | null;
  /** True for a repository without a commit: default_branch is then only the name a first push would get. */
  empty_repo?: boolean | null;
  archived?: boolean | null;
  ci_config_path?: string | null;
  web_url?: string | null;
  description?: string | null;
  /** 'enabled', 'private' or 'disabled' (ProjectFeature); older instances say only merge_requests_enabled. */
  merge_requests_access_level?: string | null;
  merge_requests_enabled?: boolean | null;
  permissions?: { project_access?: RawAccess | null; group_access?: RawAccess | null } | null;
}

export interface RawBranch {
  name: string;
  protected: boolean;
  commit: { id: string };
}

export interface RawProtectedBranch {
  name: string;
}

export interface RawCommit {
  id: string;
  message: string;
  author_email: string;
  committer_email: string;
}

/** GET /projects/:id/repository/commits/:sha/signature (Entities::CommitSignature: a PGP, X.509 or SSH
 *  signature, each with its verification_status, one of Enums::CommitSignature's). */
export interface RawSignature {
  verification_status: string;
}

export interface RawCompare {
  commits: RawCommit[];
}

export interface RawMergeRequest {
  iid: number;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  source_project_id: number;
  source_branch: string;
  target_branch: string;
  description?: string | null;
  author?: { username: string } | null;
  web_url: string;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
  sha?: string | null;
}

export interface RawNote {
  body: string;
  author: { username: string };
}

/** A tag (API::Tags): `commit` is the commit it names, an annotated tag's dereferenced. */
export interface RawTag {
  name: string;
  commit: { id: string };
}

export interface RawRelease {
  tag_name: string;
  name?: string | null;
  description?: string | null;
  commit?: { id: string } | null;
  _links?: { self?: string | null } | null;
}

/** GraphQL's answer to `ciCatalogResource(fullPath:) { versions(name:) { nodes { name } } }`. */
export interface RawCatalogAnswer {
  data?: { ciCatalogResource?: { versions?: { nodes: { name?: string | null }[] } | null } | null } | null;
  errors?: { message: string }[] | null;
}

const ACCESS: JSONSchemaType<RawAccess> = { type: 'object', required: ['access_level'], properties: { access_level: { type: 'integer' } } };
const nullableString = { type: 'string', nullable: true } as const;

const USER: JSONSchemaType<RawUser> = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string' }, email: nullableString, commit_email: nullableString },
};

const TOKEN_SELF: JSONSchemaType<RawTokenSelf> = {
  type: 'object',
  required: ['scopes'],
  properties: { scopes: { type: 'array', items: { type: 'string' } } },
};

const PROJECT: JSONSchemaType<RawProject> = {
  type: 'object',
  required: ['id', 'path_with_namespace'],
  properties: {
    id: { type: 'integer' },
    path_with_namespace: { type: 'string', minLength: 1 },
    default_branch: nullableString,
    empty_repo: { type: 'boolean', nullable: true },
    archived: { type: 'boolean', nullable: true },
    ci_config_path: nullableString,
    web_url: nullableString,
    description: nullableString,
    merge_requests_access_level: nullableString,
    merge_requests_enabled: { type: 'boolean', nullable: true },
    permissions: {
      type: 'object',
      nullable: true,
      required: [],
      properties: { project_access: { ...ACCESS, nullable: true }, group_access: { ...ACCESS, nullable: true } },
    },
  },
};

const BRANCH: JSONSchemaType<RawBranch> = {
  type: 'object',
  required: ['name', 'protected', 'commit'],
  properties: {
    name: { type: 'string' },
    protected: { type: 'boolean' },
    commit: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
  },
};

const PROTECTED_BRANCH: JSONSchemaType<RawProtectedBranch> = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' } },
};

const COMMIT: JSONSchemaType<RawCommit> = {
  type: 'object',
  required: ['id', 'message', 'author_email', 'committer_email'],
  properties: {
    id: { type: 'string', minLength: 1 },
    message: { type: 'string' },
    author_email: { type: 'string' },
    committer_email: { type: 'string' },
  },
};

const SIGNATURE: JSONSchemaType<RawSignature> = {
  type: 'object',
  required: ['verification_status'],
  properties: { verification_status: { type: 'string' } },
};

const COMPARE: JSONSchemaType<RawCompare> = {
  type: 'object',
  required: ['commits'],
  properties: { commits: { type: 'array', items: COMMIT } },
};

const MERGE_REQUEST: JSONSchemaType<RawMergeRequest> = {
  type: 'object',
  required: ['iid', 'state', 'source_project_id', 'source_branch', 'target_branch', 'web_url'],
  properties: {
    iid: { type: 'integer' },
    state: { type: 'string', enum: ['opened', 'closed', 'merged', 'locked'] },
    source_project_id: { type: 'integer' },
    source_branch: { type: 'string' },
    target_branch: { type: 'string' },
    description: nullableString,
    author: { type: 'object', nullable: true, required: ['username'], properties: { username: { type: 'string' } } },
    web_url: { type: 'string' },
    merge_commit_sha: nullableString,
    squash_commit_sha: nullableString,
    sha: nullableString,
  },
};

const NOTE: JSONSchemaType<RawNote> = {
  type: 'object',
  required: ['body', 'author'],
  properties: {
    body: { type: 'string' },
    author: { type: 'object', required: ['username'], properties: { username: { type: 'string' } } },
  },
};

const TAG: JSONSchemaType<RawTag> = {
  type: 'object',
  required: ['name', 'commit'],
  properties: {
    name: { type: 'string' },
    commit: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
  },
};

const RELEASE: JSONSchemaType<RawRelease> = {
  type: 'object',
  required: ['tag_name'],
  properties: {
    tag_name: { type: 'string' },
    name: nullableString,
    description: nullableString,
    commit: { type: 'object', nullable: true, required: ['id'], properties: { id: { type: 'string' } } },
    _links: { type: 'object', nullable: true, required: [], properties: { self: nullableString } },
  },
};

const CATALOG_ANSWER: JSONSchemaType<RawCatalogAnswer> = {
  type: 'object',
  required: [],
  properties: {
    data: {
      type: 'object',
      nullable: true,
      required: [],
      properties: {
        ciCatalogResource: {
          type: 'object',
          nullable: true,
          required: [],
          properties: {
            versions: {
              type: 'object',
              nullable: true,
              required: ['nodes'],
              properties: {
                nodes: { type: 'array', items: { type: 'object', required: [], properties: { name: nullableString } } },
              },
            },
          },
        },
      },
    },
    errors: {
      type: 'array',
      nullable: true,
      items: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    },
  },
};

const list = <T>(items: JSONSchemaType<T>): JSONSchemaType<T[]> => ({ type: 'array', items });

/** Compiled on first use: a command that never talks to GitLab never pays for it. */
function lazy<T>(schema: JSONSchemaType<T>): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => (compiled ??= ajv().compile(schema));
}
let instance: Ajv | undefined;
const ajv = (): Ajv => (instance ??= new Ajv({ allErrors: false }));

export const SCHEMAS = {
  user: lazy(USER),
  tokenSelf: lazy(TOKEN_SELF),
  project: lazy(PROJECT),
  projects: lazy(list(PROJECT)),
  branch: lazy(BRANCH),
  protectedBranches: lazy(list(PROTECTED_BRANCH)),
  commit: lazy(COMMIT),
  compare: lazy(COMPARE),
  signature: lazy(SIGNATURE),
  mergeRequest: lazy(MERGE_REQUEST),
  mergeRequests: lazy(list(MERGE_REQUEST)),
  notes: lazy(list(NOTE)),
  tag: lazy(TAG),
  release: lazy(RELEASE),
  catalogAnswer: lazy(CATALOG_ANSWER),
};

/** GitLab answered, but not with what the API promises. */
export class ResponseShapeError extends PlatformError {
  constructor(what: string, problem: string) {
    super(`unexpected response from GitLab (${what}): ${problem}`, undefined);
    this.name = 'ResponseShapeError';
  }
}

/** `[0].commit.id must be string`: where, in the answer's own terms, and what was expected — never the value. */
function problem(error: ErrorObject | undefined): string {
  if (!error) return 'invalid';
  const where = error.instancePath
    .split('/')
    .slice(1)
    .map((key, i) => (/^\d+$/.test(key) ? `[${key}]` : `${i > 0 ? '.' : ''}${key}`))
    .join('');
  const expected =
    error.keyword === 'enum' && Array.isArray(error.params['allowedValues'])
      ? `must be one of ${error.params['allowedValues'].map(String).join(', ')}`
      : (error.message ?? 'is invalid');
  return where === '' ? expected : `${where} ${expected}`;
}

/** The value, typed, when it has the shape; otherwise a ResponseShapeError naming `what` was asked for. */
export function check<T>(schema: () => ValidateFunction<T>, value: unknown, what: string): T {
  const validate = schema();
  if (validate(value)) return value;
  throw new ResponseShapeError(what, problem(validate.errors?.[0]));
}
