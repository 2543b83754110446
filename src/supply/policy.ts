/**
 * What `cigen verify` expects, from flags and a small policy file (YAML or JSON): who must have
 * signed (a GitLab identity — issuer, project, ref pattern — or a key), which attestations must be
 * present, and whether the provenance must come from a protected ref. Pure: files are read by the
 * caller.
 */
import { locate } from '../ci/positions.js';
import { escapeRegExp } from '../ci/regexp.js';
import { readUserYaml, UserYamlError, type UserYaml } from '../ci/yaml.js';
import { InputError, UsageError } from '../errors.js';
import { KINDS, type AttestationKind } from './statement.js';

export interface PolicyInput {
  issuer?: string;
  subject?: string;
  subjectRegExp?: string;
  project?: string;
  refPattern?: string;
  /** A public key file (relative to the policy file when it comes from one). */
  key?: string;
  /** Where a policy file names its key (`FILE:LINE:COLUMN` of the value), for a key that cannot
   *  be read, or is none, to be the file's mistake at that place; none when the flag did. */
  keyAt?: string;
  require?: AttestationKind[];
  protectedRef?: boolean;
  /** Where a policy file asked for protected-ref (`FILE:LINE:COLUMN`), for a refusal of it to
   *  name what the user wrote; none when the flag did. */
  protectedRefAt?: string;
  /** Where a policy file names its signer: the keys written (`identity.project` and its
   *  `identity.ref-pattern`, `identity.subject`, `identity.subject-regexp`, or `key`) and the
   *  `FILE:LINE:COLUMN` of the first. */
  signerAt?: { keys: string[]; at: string };
  /** The flag that named the signer (or the key) over a policy file's (set by withFlags, with the
   *  file's signerAt, if it had one, as what the flag replaced): a refusal of the file's
   *  protected-ref then names the flags, as editing the file would not change who must sign. */
  signerFlag?: string;
}

const POLICY_KEYS: Record<string, keyof PolicyInput> = {
  issuer: 'issuer',
  subject: 'subject',
  'subject-regexp': 'subjectRegExp',
  project: 'project',
  'ref-pattern': 'refPattern',
};

/** The kinds `values` name (each may list several, comma-separated); an unknown one is refused
 *  by `refuse` (a usage error: a flag's value). */
export function parseRequire(
  values: readonly string[],
  where: string,
  refuse: (message: string) => Error = (message) => new UsageError(message),
): AttestationKind[] {
  const kinds = values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  for (const kind of kinds)
    if (!(KINDS as readonly string[]).includes(kind)) throw refuse(`${where}: ${kind} is not one of ${KINDS.join(', ')}`);
  return kinds as AttestationKind[];
}

/** Why `pattern` is not a regular expression, or undefined. */
function notRegExp(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `${pattern} is not a regular expression: ${(error as Error).message}`;
  }
}

const IDENTITY_KEYS = 'issuer, subject, subject-regexp, project, ref-pattern';
const TOP_KEYS = 'identity, key, require, protected-ref';

/**
 * A policy file's content; every unknown or mistyped key is refused by name. The file is at fault,
 * not the command line: an InputError (exit 1) naming `name:line:column` of what is wrong.
 */
export function parsePolicy(text: string, name: string): PolicyInput {
  let read: UserYaml;
  try {
    read = readUserYaml(text);
  } catch (error) {
    if (!(error instanceof UserYamlError)) throw error;
    throw new InputError(`${name}${error.at ? `:${error.at.line}:${error.at.column}` : ''}: not YAML or JSON: ${error.reason}`);
  }
  const { value: doc, document, lineCounter } = read;
  /** The refusal of what is written at `path` (its key, or its value). */
  const placeOf = (path: readonly (string | number)[], at: 'key' | 'value'): string => {
    const place = document ? locate(document, lineCounter, path, at) : { line: 1, column: 1 };
    return `${name}:${place.line}:${place.column}`;
  };
  const refuse = (path: readonly (string | number)[], at: 'key' | 'value', message: string): InputError =>
    new InputError(`${placeOf(path, at)}: ${message}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse([], 'value', `a policy is a mapping (${TOP_KEYS})`);
  const out: PolicyInput = {};
  const string = (value: unknown, path: readonly string[]): string => {
    if (typeof value !== 'string' || value === '') throw refuse(path, 'value', `${path.join('.')} must be a non-empty string`);
    return value;
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'identity') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw refuse([key], 'value', `identity must be a mapping (${IDENTITY_KEYS})`);
      for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
        const target = POLICY_KEYS[field];
        if (!target) throw refuse([key, field], 'key', `identity.${field} is not a policy key (${IDENTITY_KEYS})`);
        const written = string(inner, [key, field]);
        const problem = target === 'subjectRegExp' || target === 'refPattern' ? notRegExp(written) : undefined;
        if (problem) throw refuse([key, field], 'value', `identity.${field}: ${problem}`);
        (out as Record<string, unknown>)[target] = written;
      }
    } else if (key === 'key') {
      out.key = string(value, [key]);
      out.keyAt = placeOf([key], 'value');
    } else if (key === 'require') {
      if (!Array.isArray(value)) throw refuse([key], 'value', `require must be a list (${KINDS.join(', ')})`);
      out.require = value.flatMap((item: unknown, i) =>
        parseRequire([String(item)], 'require', (message) => refuse([key, i], 'value', message)),
      );
    } else if (key === 'protected-ref') {
      if (typeof value !== 'boolean') throw refuse([key], 'value', 'protected-ref must be true or false');
      out.protectedRef = value;
      if (value) out.protectedRefAt = placeOf([key], 'key');
    } else throw refuse([key], 'key', `${key} is not a policy key (${TOP_KEYS})`);
  }
  const identity = (doc as Record<string, unknown>)['identity'] as Record<string, unknown> | undefined;
  if (out.key !== undefined && identity !== undefined && Object.keys(identity).length > 0)
    throw refuse(['key'], 'key', 'give a key or an identity, not both');
  // The second written of them, where the file says it again.
  const signers = Object.keys(identity ?? {}).filter((field) => ['subject', 'subject-regexp', 'project'].includes(field));
  if (signers.length > 1)
    throw refuse(['identity', signers[1] as string], 'key', 'identity names the signer once: subject, subject-regexp or project');
  if (out.refPattern !== undefined && out.project === undefined)
    throw refuse(['identity', 'ref-pattern'], 'key', 'identity.ref-pattern goes with identity.project');
  const signer = signers[0];
  if (signer !== undefined)
    out.signerAt = {
      keys: [`identity.${signer}`, ...(out.refPattern !== undefined ? ['identity.ref-pattern'] : [])],
      at: placeOf(['identity', signer], 'key'),
    };
  else if (out.key !== undefined) out.signerAt = { keys: ['key'], at: placeOf(['key'], 'key') };
  return out;
}

/** An issuer URL without its trailing slashes: `https://gitlab.com/` and `https://gitlab.com` are one issuer. */
export const issuerKey = (issuer: string): string => issuer.replace(/\/+$/, '');

/**
 * The certificate identity GitLab's OIDC token gives a job, as Fulcio writes it:
 * `<server>/<project path>//<CI config path>@<ref>` (the ci_config_ref_uri claim). A config kept in
 * another project is `<file>@<project path>`, maybe with `:<its ref>` after (the project's CI/CD
 * configuration file setting, written as is: `.gitlab-ci.yml@group/compliance:main`), so the config
 * path may hold one `@` before a project path, one with no `@` of its own. The ref is what follows:
 * a branch name may hold `@` (`feature@refs/heads/main`), and every ref GitLab writes there starts
 * with `refs/`, so a part after the first `@` that starts with `refs/` is the ref, never a config
 * project — else such a branch would pass for main.
 */
export function gitlabIdentityRegExp(issuer: string, project: string, refPattern = 'refs/(?:heads|tags)/.+'): string {
  const configPath = '[^@]+(?:@(?!refs/)[^@/]+(?:/[^@/]+)+)?';
  return `^${escapeRegExp(issuerKey(issuer))}/${escapeRegExp(project)}//${configPath}@(?:${wholeRef(refPattern)})$`;
}

/**
 * A ref pattern without the anchors people write out of habit (`^refs/heads/main$`, as for cosign,
 * on each alternative: `^refs/heads/main$|^refs/tags/v.*$`): it is always matched against the whole
 * ref, and inside the identity a `^` or `$` of its own would never match. An escaped `\$` is a
 * character, and stays; so does anything inside a group or a class.
 */
function wholeRef(pattern: string): string {
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      alternatives.push(pattern.slice(from, i));
      from = i + 1;
    }
  }
  alternatives.push(pattern.slice(from));
  return alternatives.map(unanchored).join('|');
}

/** One alternative without a leading `^` and a trailing unescaped `$`. */
function unanchored(alternative: string): string {
  const start = alternative.startsWith('^') ? 1 : 0;
  const trailing = /(\\*)\$$/.exec(alternative);
  const end = trailing && (trailing[1] as string).length % 2 === 0 ? alternative.length - 1 : alternative.length;
  return alternative.slice(start, Math.max(start, end));
}

/**
 * A GitLab pipeline identity (`https://<server>/<project>//<config path>@<ref>`) and its ref, or
 * undefined for another kind of identity (ref `null`: a GitLab identity whose ref cannot be read).
 * The config path may hold `@` (`.gitlab-ci.yml@compliance/pipelines`, a config in another
 * project) and so may a branch name; the ref starts at the first `@refs/` after the `//`, as the
 * project's maintainers set the config path and anyone who pushes a branch names it.
 */
export function gitlabIdentityRef(identity: string): { ref: string | null } | undefined {
  const match = /^https?:\/\/[^@/]+(?:\/[^@/]+)+\/\/(.+)$/.exec(identity);
  if (!match) return undefined;
  const at = (match[1] as string).indexOf('@refs/');
  return { ref: at < 0 ? null : (match[1] as string).slice(at + 1) };
}

export type Identity = { issuer: string; subject?: string; subjectRegExp?: string };

/** The flag of each part that names who must have signed, as withFlags reads them. */
const SIGNER_FLAGS = {
  key: '--key',
  subject: '--certificate-identity',
  subjectRegExp: '--certificate-identity-regexp',
  project: '--project',
} as const;

/**
 * Who must have signed, the policy file's answer with the flags' over it, part by part: a key
 * flag replaces any identity; the issuer flag replaces the issuer; a flag naming the signer
 * (`--certificate-identity`, `-regexp` or `--project`) replaces the file's signer (and its ref
 * pattern); `--ref-pattern` alone replaces only the ref pattern of the file's project. The flag that
 * named the signer or key is kept (signerFlag), with where the file named the one it replaced.
 */
export function withFlags(file: PolicyInput, flags: PolicyInput): PolicyInput {
  type Who = { [K in keyof PolicyInput]?: PolicyInput[K] | undefined };
  const { issuer, subject, subjectRegExp, project, refPattern, key, signerAt, ...fileRest } = file;
  const signerFlag = (Object.keys(SIGNER_FLAGS) as (keyof typeof SIGNER_FLAGS)[]).find((part) => flags[part] !== undefined);
  // What a flag naming the signer replaced, for a refusal of the file's protected-ref to say so.
  const replaced: Who = signerFlag === undefined ? {} : { signerFlag: SIGNER_FLAGS[signerFlag], signerAt };
  let who: Who;
  if (flags.key !== undefined) who = flags;
  else {
    const flagSigner = flags.subject !== undefined || flags.subjectRegExp !== undefined || flags.project !== undefined;
    const signer: Who = flagSigner
      ? { subject: flags.subject, subjectRegExp: flags.subjectRegExp, project: flags.project, refPattern: flags.refPattern }
      : { subject, subjectRegExp, project, refPattern: flags.refPattern ?? refPattern };
    const identity: Who = { issuer: flags.issuer ?? issuer, ...signer };
    const named = [identity.issuer, identity.subject, identity.subjectRegExp, identity.project].some((value) => value !== undefined);
    // A lone --ref-pattern over a key: kept, so that the refusal names it. So too a lone issuer
    // flag: it names no signer, so it replaces no key, and the refusal says a key and an identity
    // were both asked for (dropping the key said only "give exactly one of" the identity flags).
    if (key !== undefined && !flagSigner) who = { key, issuer: flags.issuer ?? issuer, refPattern: flags.refPattern, signerAt };
    else who = named ? identity : { key, refPattern: flags.refPattern };
  }
  return {
    ...fileRest,
    ...(Object.fromEntries(Object.entries({ ...replaced, ...who }).filter(([, value]) => value !== undefined)) as PolicyInput),
  };
}

/** How a refusal of protected-ref names it and the parts it goes with: as the flags, or as the
 *  policy file that asked for it writes them. */
const PROTECTED_REF_WORDS = {
  flag: { it: '--protected-ref', project: '--project', refPattern: '--ref-pattern', identity: '--certificate-identity' },
  file: { it: 'protected-ref', project: 'identity.project', refPattern: 'identity.ref-pattern', identity: 'identity.subject' },
};

/**
 * A refusal of protected-ref, each part in the words of where it came from. All from a policy
 * file: at the file's place (exit 1), as its other mistakes are. Else a usage error (exit 2): the
 * parts it goes with in the flags' words (a flag named the signer, or the file did not ask for
 * protected-ref), the file's protected-ref by its place, and first what of the file's the flag
 * replaced (an edit of the file would not bring it back; dropping the flag would).
 */
function refuseProtectedRef(input: PolicyInput, message: (words: (typeof PROTECTED_REF_WORDS)['flag']) => string): Error {
  if (input.protectedRefAt !== undefined && input.signerFlag === undefined)
    return new InputError(`${input.protectedRefAt}: ${message(PROTECTED_REF_WORDS.file)}`);
  const words =
    input.protectedRefAt === undefined
      ? PROTECTED_REF_WORDS.flag
      : { ...PROTECTED_REF_WORDS.flag, it: `${PROTECTED_REF_WORDS.file.it} (${input.protectedRefAt})` };
  const replaced =
    input.signerFlag !== undefined && input.signerAt !== undefined
      ? `${input.signerFlag} replaces the policy file's ${input.signerAt.keys.join(' and ')} (${input.signerAt.at}); `
      : '';
  return new UsageError(replaced + message(words));
}

/** The identity a policy asks for, or undefined when it asks for a key; refused when it says neither or both. */
export function identityOf(input: PolicyInput): Identity | undefined {
  const named = [input.subject, input.subjectRegExp, input.project].filter((v) => v !== undefined).length;
  if (input.key !== undefined) {
    if (named > 0 || input.issuer !== undefined) {
      // The file's key with the issuer flag: the only way a file's key meets an issuer (a file
      // with both is refused where it is read).
      const which = input.signerAt && named === 0 ? `--certificate-oidc-issuer and the policy file's key (${input.signerAt.at}): ` : '';
      throw new UsageError(`${which}give a key or an identity (issuer with subject, subject-regexp or project), not both`);
    }
    if (input.refPattern !== undefined) throw new UsageError('--ref-pattern goes with --project; a key names no ref');
    if (input.protectedRef)
      throw refuseProtectedRef(
        input,
        (w) =>
          `${w.it} needs a keyless identity that names the refs (${w.project} with ${w.refPattern}, or ${w.identity}): ` +
          'a key proves no ref, and that the ref was protected would be only what the signing pipeline says of itself ' +
          '(CI_COMMIT_REF_PROTECTED, which a job can set on any branch); keep the key in a protected variable instead',
      );
    return undefined;
  }
  if (input.issuer === undefined)
    throw new UsageError(
      'say who must have signed: --key FILE, or --certificate-oidc-issuer with ' +
        '--certificate-identity, --certificate-identity-regexp or --project',
    );
  if (named !== 1)
    throw new UsageError('give exactly one of --certificate-identity, --certificate-identity-regexp, --project (with the issuer)');
  if (input.refPattern !== undefined && input.project === undefined) throw new UsageError('--ref-pattern goes with --project');
  for (const pattern of [input.subjectRegExp, input.refPattern]) {
    const problem = pattern === undefined ? undefined : notRegExp(pattern);
    if (problem) throw new UsageError(problem);
  }
  // An exact identity names its ref, --project with --ref-pattern names the refs; a regular
  // expression may or may not, and cigen cannot tell which.
  if (input.protectedRef && (input.subjectRegExp !== undefined || (input.project !== undefined && input.refPattern === undefined)))
    throw refuseProtectedRef(
      input,
      (w) =>
        `${w.it} goes with ${w.project} and ${w.refPattern}, or an exact ${w.identity}: that the ref was protected ` +
        'is what the signing pipeline says of itself (CI_COMMIT_REF_PROTECTED, which a job can set on any branch); ' +
        'the certificate proves the ref, so name the protected refs',
    );
  if (input.project !== undefined)
    return { issuer: input.issuer, subjectRegExp: gitlabIdentityRegExp(input.issuer, input.project, input.refPattern) };
  return {
    issuer: input.issuer,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.subjectRegExp !== undefined ? { subjectRegExp: input.subjectRegExp } : {}),
  };
}
