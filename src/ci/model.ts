/**
 * The part of the GitLab CI model cigen writes. Object key order is the order of the
 * rendered YAML, so builders construct these objects in the order a reader expects.
 */

/** A string written as a YAML literal block (`|`), whatever it holds. Text interpolation
 *  replaces `$[[ ]]` blocks in the raw file, so a literal block is the one place where any
 *  single-line value stays data. */
export class Literal {
  /** `anchor`: a Literal written more than once in one document is written in full the first
   *  time, as `&anchor |`, and as the alias `*anchor` after that. */
  constructor(
    readonly text: string,
    readonly anchor?: string,
  ) {}
}

/** A string written double-quoted, whatever it holds: under text interpolation a value pasted in
 *  there stays one string, spaces at its ends and characters YAML reads as indicators (`{`, `- `)
 *  included, as long as it holds no `"`, `\` or line break (its input's regex refuses them). */
export class Quoted {
  constructor(readonly text: string) {}
}

/** GitLab's `!reference [job, key]` tag. */
export class Reference {
  constructor(readonly path: readonly string[]) {}
}

export type Text = string | Literal;

export type VariableValue = string | number | boolean | Literal | { value: Text; expand?: boolean; description?: string };

export type Variables = Record<string, VariableValue>;

export type Image =
  | string
  | {
      name: string;
      entrypoint?: string[];
      docker?: { user?: string; platform?: string };
      pull_policy?: 'always' | 'never' | 'if-not-present';
    };

export type Service = string | { name: string; alias?: string; entrypoint?: Text[]; command?: string[]; variables?: Variables };

export type ScriptLine = Text | Reference;

export interface Artifacts {
  paths?: string[];
  when?: 'on_success' | 'on_failure' | 'always';
  expire_in?: string;
  reports?: { dotenv?: string | string[] };
}

export interface Job {
  stage?: string;
  image?: Image;
  services?: Service[];
  variables?: Variables;
  /** JWTs GitLab issues to the job (OIDC), each in the environment variable its key names. */
  id_tokens?: Record<string, { aud: string | string[] }>;
  before_script?: ScriptLine[];
  script: ScriptLine[];
  after_script?: ScriptLine[];
  artifacts?: Artifacts;
  interruptible?: boolean;
  tags?: string[];
  [key: string]: unknown;
}

export type Jobs = Record<string, Job>;
