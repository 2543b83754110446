/**
 * What a Kaniko job does to the files Kaniko reads: the docker config.json (at
 * /kaniko/.docker/config.json or $DOCKER_CONFIG/config.json, written with echo, printf, a
 * heredoc, cp/mv/cat of a file, or copied from $DOCKER_AUTH_CONFIG), extra CAs appended to
 * Kaniko's bundle in /kaniko/ssl/certs, and anything else it writes under /kaniko/. Each line is
 * read as text; nothing is run.
 */
import { parseShell, programIndex, programOf, type Command, type Word } from './shell.js';

/** Kaniko's config.json: its own directory, or wherever $DOCKER_CONFIG points. */
const CONFIG_DIR = /^(?:\/kaniko\/\.docker|\$\{?DOCKER_CONFIG\}?)\/?$/;
const CONFIG_FILE = /^(?:\/kaniko\/\.docker|\$\{?DOCKER_CONFIG\}?)\/+config\.json$/;
const CERTS = /^\/kaniko\/ssl\/certs\/?/;
const KANIKO_DIR = /^\/kaniko(?:\/|$)/;
/** A variable reference, `$X` or `${X}`: the name is group 1 or 2. */
const REF = String.raw`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`;
const VARIABLE = new RegExp(`^${REF}$`);
const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;

/** A variable reference standing alone (`$X`, `${X}`), as `$X`, or undefined. */
export const bareVariable = (text: string): string | undefined => {
  const match = VARIABLE.exec(text.trim());
  return match ? `$${match[1] ?? match[2]}` : undefined;
};

/** One entry of `auths`, read: a user and a password (variable references or literal user);
 *  `written` is the key as the file wrote it, when the host was read from a command. */
export type Entry = { host: string; user: string; password: string; written?: string } | { host: string; unreadable: string };

const DEPENDENCY_PROXY_SERVER = '$CI_DEPENDENCY_PROXY_SERVER';
/** A key the shell computes: a command substitution, backquotes, or a ${X...} expansion with an operator. */
const COMPUTED = /\$\(|`|\$\{[A-Za-z_][A-Za-z0-9_]*[^A-Za-z0-9_}]/;
const PORT_CUT = new Set(['echo', 'printf', 'awk', 'cut', 'sed', 'tr']);

/** GitLab's Kaniko example keys the Dependency Proxy by its server without the port:
 *  `$(echo -n $CI_DEPENDENCY_PROXY_SERVER | awk -F[:] '{print $1}')`, or `${CI_DEPENDENCY_PROXY_SERVER%:*}`:
 *  text commands whose only reference is that server. */
function isDependencyProxyKey(key: string): boolean {
  const text = key.trim();
  if (/^\$\{CI_DEPENDENCY_PROXY_SERVER%{1,2}:(?:\*|[0-9]+)\}$/.test(text)) return true;
  const inner = /^\$\((.*)\)$/s.exec(text)?.[1];
  if (inner === undefined || /\$\(|`|[;&<>]/.test(inner)) return false;
  const references = [...inner.matchAll(REFERENCE)].map((m) => m[1]);
  const programs = inner.split('|').map((part) => part.trim().split(/\s+/)[0] ?? '');
  return references.length === 1 && references[0] === 'CI_DEPENDENCY_PROXY_SERVER' && programs.every((p) => PORT_CUT.has(p));
}

export type AuthFinding =
  /** A config.json whose text cigen read. */
  | { kind: 'config'; entries: Entry[]; helpers: { host: string; helper: string }[] }
  | { kind: 'docker-auth-config' }
  /** A copy of a file (a file-type variable, a path): the docker-config input. */
  | { kind: 'file'; path: string }
  /** Content known only when the job runs: what it is. */
  | { kind: 'run-time'; what: string }
  /** A CA appended to Kaniko's bundle: PEM text in a variable, or a file. */
  | { kind: 'ca'; value: string }
  /** Another write under /kaniko/. */
  | { kind: 'kaniko-path'; path: string; certs: boolean };

/** The registry host a config.json key or a --destination names; Docker Hub's aliases are docker.io. */
export function registryHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return /^(index\.|registry-1\.)?docker\.io$/.test(host) ? 'docker.io' : host.replace(/^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/, '$$$1');
}

/** `mkdir -p /kaniko/.docker` and the like: preparation nothing needs any more. */
export function isAuthPreparation(command: Command): boolean {
  const words = command.words.slice(programIndex(command)).map((w) => w.text);
  const [program, ...args] = words;
  if (program === 'mkdir')
    return (
      args.some((a) => CONFIG_DIR.test(a) || CERTS.test(a)) &&
      args.every((a) => a.startsWith('-') || CONFIG_DIR.test(a) || CERTS.test(a) || a === '/kaniko')
    );
  // `cat /kaniko/.docker/config.json`, a check the job prints: nothing to keep.
  return false;
}

/** Where a command writes: redirections, tee, cp/mv/install/ln destinations. */
function writeTargets(command: Command): { target: string; append: boolean; source?: string }[] {
  const targets: { target: string; append: boolean; source?: string }[] = command.redirects
    .filter((r) => /^>/.test(r.op))
    .map((r) => ({ target: r.target, append: r.op === '>>' }));
  const words = command.words.slice(programIndex(command)).map((w) => w.text);
  const [program, ...args] = words;
  const operands = args.filter((a) => !a.startsWith('-'));
  if (program === 'tee') for (const file of operands) targets.push({ target: file, append: args.includes('-a') });
  if ((program === 'cp' || program === 'mv' || program === 'install' || program === 'ln') && operands.length === 2)
    targets.push({ target: operands[1] as string, append: false, source: operands[0] as string });
  return targets;
}

/** Whether a command writes the file `path`: a redirection or tee to it, a copy to it or into its directory under its name. */
export function writesTo(command: Command, path: string): boolean {
  const slash = path.lastIndexOf('/');
  const [dir, name] = [path.slice(0, slash), path.slice(slash + 1)];
  return writeTargets(command).some(
    (t) =>
      t.target === path ||
      (t.source !== undefined && t.target.replace(/\/+$/, '') === dir && t.source.slice(t.source.lastIndexOf('/') + 1) === name),
  );
}

/** The text an echo or printf command prints (shell expansions left as written), or undefined. */
function printed(command: Command): string | undefined {
  // Values, not texts: a dollar the shell keeps literal ('$X', \$X) is `$$`, never a reference.
  const words = command.words.slice(programIndex(command));
  const [program, ...rest] = words.map((w) => w.value);
  if (program === 'echo') return rest.filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w))).join(' ');
  if (program === 'printf') {
    const [format, ...args] = rest;
    if (format === undefined) return undefined;
    let n = 0;
    // printf reads escapes in its format only: an argument's `\n` (`tr -d '\n'`) stays as written.
    const text = format.replace(/\\n/g, '\n').replace(/%[sb]/g, () => args[n++] ?? '');
    return n === 0 && args.length > 0 ? [text, ...args].join(' ') : text;
  }
  return undefined;
}

/** What one write into a Kaniko file is, or undefined when the command writes none. */
export function readKanikoWrite(command: Command, previous?: Command): AuthFinding | undefined {
  const targets = writeTargets(command);
  const config = targets.find((t) => CONFIG_FILE.test(t.target) || (t.source !== undefined && CONFIG_DIR.test(t.target)));
  if (config) return readConfigWrite(command, previous, config.source);
  const certs = targets.find((t) => CERTS.test(t.target));
  if (certs) {
    const value = certs.source ?? caSource(command, previous);
    return value !== undefined ? { kind: 'ca', value } : { kind: 'kaniko-path', path: certs.target, certs: true };
  }
  const other = targets.find((t) => KANIKO_DIR.test(t.target));
  return other ? { kind: 'kaniko-path', path: other.target, certs: CERTS.test(other.target) } : undefined;
}

/** A CA appended from a variable or a file: `cat $CA >> ...`, `echo "$CA" >> ...`. */
function caSource(command: Command, previous: Command | undefined): string | undefined {
  const words = command.words.slice(programIndex(command)).map((w) => w.text);
  if (words[0] === 'cat' && words.length === 2)
    return bareVariable(words[1] as string) ?? (words[1]?.includes('$(') ? undefined : words[1]);
  const text = printed(command);
  if (text !== undefined) return bareVariable(text);
  if (previous && words[0] === 'cat' && words.length === 1 && previous.terminator === '|') return caSource(previous, undefined);
  return undefined;
}

function readConfigWrite(command: Command, previous: Command | undefined, source: string | undefined): AuthFinding {
  if (source !== undefined) {
    if (source.includes('$(')) return { kind: 'run-time', what: `a file named by a command (${source})` };
    return { kind: 'file', path: source };
  }
  const heredoc = command.redirects.find((r) => r.op.startsWith('<<'));
  const words = command.words.slice(programIndex(command)).map((w) => w.text);
  let text: string | undefined;
  if (heredoc && (words[0] === 'cat' || words[0] === 'tee')) {
    if (heredoc.quoted && /\$/.test(heredoc.body ?? ''))
      return { kind: 'run-time', what: 'a quoted heredoc, whose $ references stay literal' };
    text = heredoc.body;
  } else if (words[0] === 'cat' && words.length === 2 && !command.redirects.some((r) => r.op.startsWith('<'))) {
    return words[1]?.includes('$(') ? { kind: 'run-time', what: `the output of ${words[1]}` } : { kind: 'file', path: words[1] as string };
  } else if (words[0] === 'tee' || (words[0] === 'cat' && words.length === 1)) {
    // The text comes down a pipe: `echo ... | base64 -d | tee config.json`.
    text = previous && previous.terminator === '|' ? (previous.words.length > 0 ? printed(previous) : undefined) : undefined;
    if (text === undefined) return { kind: 'run-time', what: 'what another command prints' };
  } else {
    text = printed(command);
  }
  if (text === undefined) return { kind: 'run-time', what: `what ${words[0] ?? 'a command'} prints` };
  const variable = bareVariable(text);
  if (variable === '$DOCKER_AUTH_CONFIG') return { kind: 'docker-auth-config' };
  if (variable) return { kind: 'run-time', what: `the text of ${variable}` };
  return readConfigText(text);
}

/** Reads config.json text with shell expansions in it (`"$CI_REGISTRY"`, `$(printf ... | base64)`). */
export function readConfigText(text: string): AuthFinding {
  const parsed = parseLooseJson(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'run-time', what: 'text cigen cannot read as JSON' };
  const root = parsed as Record<string, Loose>;
  const entries: Entry[] = [];
  const helpers: { host: string; helper: string }[] = [];
  const auths = root['auths'];
  if (auths && typeof auths === 'object' && !Array.isArray(auths)) {
    for (const [key, value] of Object.entries(auths)) {
      if (isDependencyProxyKey(key)) {
        const entry = readEntry(DEPENDENCY_PROXY_SERVER, value);
        entries.push('user' in entry ? { ...entry, written: key } : entry);
      } else if (COMPUTED.test(key)) {
        // What the shell prints is the host: known only when the job runs, never an input.
        entries.push({ host: key, unreadable: `its key ${key} is computed by the shell when the job runs` });
      } else entries.push(readEntry(registryHost(key), value));
    }
  }
  const credHelpers = root['credHelpers'];
  if (credHelpers && typeof credHelpers === 'object' && !Array.isArray(credHelpers))
    for (const [key, helper] of Object.entries(credHelpers))
      helpers.push({ host: registryHost(key), helper: typeof helper === 'string' ? helper : JSON.stringify(helper) });
  if (typeof root['credsStore'] === 'string') helpers.push({ host: '*', helper: root['credsStore'] });
  return { kind: 'config', entries, helpers };
}

function readEntry(host: string, value: Loose): Entry {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { host, unreadable: 'not an object' };
  const fields = value as Record<string, Loose>;
  if (typeof fields['username'] === 'string' && typeof fields['password'] === 'string') {
    const user = bareVariable(fields['username']) ?? (fields['username'].includes('$') ? undefined : fields['username']);
    const password = bareVariable(fields['password']);
    if (user !== undefined && password !== undefined) return { host, user, password };
    return { host, unreadable: 'its username or password is not a variable reference' };
  }
  if (typeof fields['auth'] === 'string') {
    const auth = fields['auth'];
    if (auth.includes('$$')) return { host, unreadable: 'its auth holds a dollar the shell keeps literal' };
    if (bareVariable(auth)) return { host, unreadable: `its auth is ${bareVariable(auth)}, already encoded` };
    const read = readAuth(auth);
    return 'unreadable' in read ? { host, unreadable: read.unreadable } : { host, ...read };
  }
  return { host, unreadable: 'it holds neither auth nor username and password' };
}

/** Two variable references joined by a colon, as a word's value has them (a literal `$` is `$$` there). */
const PAIR = new RegExp(`^${REF}:${REF}$`);
/** base64 without wrapping options, or with wrapping off. */
const ENCODE = new Set(['base64', 'base64 -w0', 'base64 -w 0', 'base64 --wrap=0']);
const AUTH_FORMS =
  "its auth is not $(echo -n $USER:$PASSWORD | base64) or $(printf '%s:%s' $USER $PASSWORD | base64), the forms cigen reads " +
  "as a user and a password (variables quoted or braced, base64 -w0, a final tr -d '\\n' allowed)";

/**
 * The user and password an `auth` computed by the shell encodes, when its meaning is certain:
 * `$(echo -n $U:$P | base64)`, `$(printf '%s:%s' "$U" "$P" | base64 -w0 | tr -d '\n')`. Words are
 * read by their values, so a quoted or escaped `$` is literal text, never a reference; any other
 * text, separator, flag or command makes the auth something only the running job knows.
 */
function readAuth(auth: string): { user: string; password: string } | { unreadable: string } {
  const inner = /^\$\((.*)\)$/s.exec(auth.trim())?.[1];
  if (inner === undefined) return { unreadable: AUTH_FORMS };
  const commands = parseShell(inner);
  const plain = commands.every(
    (c, i) =>
      (i < commands.length - 1 ? c.terminator === '|' : c.terminator === 'end' || c.terminator === 'newline') &&
      !c.nested &&
      !c.subshell &&
      c.redirects.length === 0 &&
      programIndex(c) === 0 &&
      c.words.every((w) => !w.substitution && !w.parameterOperator),
  );
  const [source = [], encode = [], ...after] = commands.map((c) => c.words.map((w) => w.value));
  const pipeline = ENCODE.has(encode.join(' ')) && (after.length === 0 || (after.length === 1 && after[0]?.join(' ') === 'tr -d \\n'));
  if (!plain || !pipeline) return { unreadable: AUTH_FORMS };
  const [program, ...args] = source;
  if (program === 'echo' && args.length === 1 && PAIR.test(args[0] as string))
    return { unreadable: 'its auth encodes the line break echo prints without -n after the password' };
  const pair =
    program === 'echo' && args.length === 2 && args[0] === '-n'
      ? PAIR.exec(args[1] as string)
      : program === 'printf' && args.length === 3 && args[0] === '%s:%s'
        ? PAIR.exec(`${args[1] as string}:${args[2] as string}`)
        : null;
  return pair ? { user: `$${pair[1] ?? pair[2]}`, password: `$${pair[3] ?? pair[4]}` } : { unreadable: AUTH_FORMS };
}

/** A credential entry for the job's own registry and credentials. */
export const isDefaults = (entry: Entry): boolean =>
  'user' in entry &&
  entry.host === '$CI_REGISTRY' &&
  ((entry.user === '$CI_REGISTRY_USER' && entry.password === '$CI_REGISTRY_PASSWORD') ||
    (entry.user === 'gitlab-ci-token' && entry.password === '$CI_JOB_TOKEN'));

/** The Dependency Proxy's entry, which the components write by themselves. */
export const isDependencyProxy = (entry: Entry): boolean =>
  'user' in entry &&
  /^\$CI_DEPENDENCY_PROXY_(SERVER|GROUP_IMAGE_PREFIX)$/.test(entry.host) &&
  entry.user === '$CI_DEPENDENCY_PROXY_USER' &&
  entry.password === '$CI_DEPENDENCY_PROXY_PASSWORD';

// --- a JSON reader that keeps shell expansions as text ---

type Loose = string | Loose[] | { [key: string]: Loose };

/** JSON with `$(...)` and `${...}` allowed anywhere in strings and as bare values; undefined when it is not that. */
export function parseLooseJson(text: string): Loose | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const expansion = (): string => {
    // `$(` ... `)` with nesting and quotes, or `${...}`.
    const start = i;
    const close = text[i + 1] === '(' ? ')' : '}';
    const open = close === ')' ? '(' : '{';
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === "'" && close === ')') {
        const end = text.indexOf("'", i + 1);
        i = end < 0 ? text.length : end;
      } else if (c === open) depth++;
      else if (c === close && --depth === 0) {
        i++;
        return text.slice(start, i);
      }
    }
    throw new Error('unterminated expansion');
  };
  const string = (): string => {
    i++;
    let out = '';
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
      } else if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) out += expansion();
      else {
        out += c;
        i++;
      }
    }
    throw new Error('unterminated string');
  };
  const value = (): Loose => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const object: Record<string, Loose> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return object;
      }
      for (;;) {
        ws();
        const key = text[i] === '"' ? string() : bare();
        ws();
        if (text[i] !== ':') throw new Error('expected :');
        i++;
        object[key] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return object;
        } else throw new Error('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const list: Loose[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return list;
        } else throw new Error('expected , or ]');
      }
    }
    if (c === '"') return string();
    return bare();
  };
  const bare = (): string => {
    let out = '';
    while (i < text.length && !/[\s,:{}[\]"]/.test(text[i] as string)) {
      if (text[i] === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) out += expansion();
      else out += text[i++] as string;
    }
    if (out === '') throw new Error('expected a value');
    return out;
  };
  try {
    const result = value();
    ws();
    return i === text.length ? result : undefined;
  } catch {
    return undefined;
  }
}

export type { Word };
export { programOf };
