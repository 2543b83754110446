/**
 * Just enough of the POSIX shell grammar to read a CI script: commands split on newlines, `;`,
 * `&&`, `||` and `|`; words with their quoting; redirections; comments; `\`-newline
 * continuations. Variable references and `$(...)` stay as written (nothing is expanded), and each
 * word remembers what would make its meaning depend on a shell: command substitution, parameter
 * operators — and which of its dollars are literal (single-quoted or escaped).
 */
import { literalDollars } from '../ci/variables.js';

export interface Word {
  /** The word with quotes removed and escapes resolved, `$VAR` and `$(...)` left as written. */
  text: string;
  /** The word as a component input holds it: like `text`, but a literal `$` (in single quotes,
   *  or escaped as `\$`) is `$$`, which the component keeps literal where `$VAR` is expanded. */
  value: string;
  /** `$(...)` or backticks: the value comes from running a command. */
  substitution: boolean;
  /** `${VAR:-x}` and friends: parameter operators a plain `$VAR` expansion does not do. */
  parameterOperator: boolean;
}

export interface Redirect {
  op: string;
  target: string;
  /** A here-document (`<<EOF`, `<<-EOF`): the lines up to the delimiter. */
  body?: string;
  /** The delimiter was quoted (`<<'EOF'`): the body is taken literally, nothing expanded. */
  quoted?: boolean;
}

export interface Command {
  words: Word[];
  redirects: Redirect[];
  /** The operator that ended it (`;`, `&&`, `||`, `|`, newline, or end). */
  terminator: string;
  /** Inside an `if`, `for`, `while`, `until` or `case` block, or a `{ ...; }` group or function:
   *  whether and how often it runs is decided when the job runs. */
  nested: boolean;
  /** Inside a subshell `( ... )`: what it changes (its directory, its variables) ends with it. */
  subshell: boolean;
}

/** Reserved words the reader keeps in front of the command they open a place for (`then cmd`). */
const RESERVED_IN_FRONT = new Set(['if', 'while', 'until', 'then', 'do', 'else', 'elif', '!', '{', '(']);
/** Words a command may start with that are not its program: those, and the commands that run the next word. */
const PREFIXES = new Set(['exec', 'command', 'time', 'nohup', ...RESERVED_IN_FRONT]);
const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', 'select', '{']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Where the program of a command is: after `exec`, `then`, variable assignments (`A=1 cmd`) and `env A=1`. */
export function programIndex(command: Command): number {
  const words = command.words.map((w) => w.text);
  let i = 0;
  while (i < words.length) {
    const word = words[i] as string;
    if (PREFIXES.has(word) || ASSIGNMENT.test(word)) i++;
    else if (word === 'env') {
      i++;
      while (i < words.length && (ASSIGNMENT.test(words[i] as string) || (words[i] as string).startsWith('-'))) i++;
    } else break;
  }
  return i;
}

/** The program a command runs, or undefined for a bare assignment. */
export const programOf = (command: Command): string | undefined => command.words[programIndex(command)]?.text;

const SPACE = /[ \t]/;
const OPERATOR_START = /[;&|<>\n]/;

/** Reads `${...}`, `$(...)` or `` `...` `` starting at `i` (at the `$` or backtick); returns the end. */
function skipExpansion(source: string, i: number): number {
  if (source[i] === '`') {
    let j = i + 1;
    while (j < source.length && source[j] !== '`') j += source[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, source.length);
  }
  const open = source[i + 1];
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  let j = i + 1;
  for (; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === "'" && close === ')') {
      const end = source.indexOf("'", j + 1);
      j = end < 0 ? source.length : end;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return source.length;
}

export function parseShell(source: string): Command[] {
  const commands: Command[] = [];
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let pendingRedirect: string | undefined;
  let word: (Word & { quoted?: boolean }) | undefined;
  const endWord = () => {
    if (!word) return;
    if (pendingRedirect !== undefined) {
      const redirect: Redirect = { op: pendingRedirect, target: word.text };
      if (pendingRedirect.startsWith('<<')) {
        if (word.quoted) redirect.quoted = true;
        heredocs.push(redirect);
      }
      redirects.push(redirect);
      pendingRedirect = undefined;
    } else {
      const { quoted: _quoted, ...plain } = word;
      words.push(plain);
      const start = words.length - 3;
      if (plain.text === 'in' && words[start]?.text === 'case' && (start === 0 || PREFIXES.has(words[start - 1]?.text ?? '')))
        patternExpected = true;
    }
    word = undefined;
  };
  let depth = 0;
  let subshells = 0;
  // After `case WORD in` and after each `;;`: a pattern list (`a|b)`), which is not a command.
  let patternExpected = false;
  const heredocs: Redirect[] = [];
  const endCommand = (terminator: string) => {
    endWord();
    if (words.length > 0 || redirects.length > 0) {
      const first = words[0]?.text ?? '';
      const opens = words.filter((w, i) => (i === 0 || PREFIXES.has(words[i - 1]?.text ?? '')) && OPENERS.has(w.text)).length;
      const closes = CLOSERS.has(first) ? 1 : 0;
      const nested = depth > 0 || opens > 0 || /\(\)$/.test(first);
      depth = Math.max(0, depth + opens - closes);
      commands.push({ words, redirects, terminator, nested, subshell: subshells > 0 });
    }
    words = [];
    redirects = [];
    pendingRedirect = undefined;
  };
  /** Reads the bodies of pending here-documents from the line after `start`; returns where they end. */
  const readHeredocs = (start: number): number => {
    let at = start;
    for (const doc of heredocs.splice(0)) {
      const strip = doc.op === '<<-';
      const lines: string[] = [];
      while (at < source.length) {
        const end = source.indexOf('\n', at);
        const raw = source.slice(at, end < 0 ? source.length : end);
        at = end < 0 ? source.length : end + 1;
        const line = strip ? raw.replace(/^\t+/, '') : raw;
        if (line === doc.target) break;
        lines.push(line);
      }
      doc.body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    }
    return at;
  };
  const current = (): Word & { quoted?: boolean } => (word ??= { text: '', value: '', substitution: false, parameterOperator: false });

  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (SPACE.test(c)) {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !word) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (!word && /[0-9]/.test(c) && /^[0-9]+>/.test(source.slice(i, i + 4))) {
      // `2>` and friends: the file descriptor belongs to the redirection.
      const fd = /^[0-9]+/.exec(source.slice(i))?.[0] as string;
      i += fd.length;
      continue;
    }
    if (OPERATOR_START.test(c)) {
      const two = source.slice(i, i + 2);
      if (two === ';;' || two === ';&') {
        // The end of a `case` branch (`;;`, and bash's `;&`, `;;&`): a pattern list comes next.
        endCommand(';');
        i += /^;;&/.test(source.slice(i, i + 3)) ? 3 : 2;
        patternExpected = true;
      } else if (c === '\n' || c === ';') {
        endCommand(c === '\n' ? 'newline' : ';');
        i++;
        if (c === '\n' && heredocs.length > 0) i = readHeredocs(i);
      } else if (two === '&&' || two === '||') {
        endCommand(two);
        i += 2;
      } else if (c === '|') {
        endCommand('|');
        i++;
      } else if (c === '&') {
        endCommand('&');
        i++;
      } else {
        endWord();
        const op = /^(>>|>\||>&|<<-?|<&|<>|>|<)/.exec(source.slice(i))?.[0] as string;
        pendingRedirect = op;
        i += op.length;
      }
      continue;
    }
    if (!word && patternExpected && !/^esac(?![^\s;&|)])/.test(source.slice(i))) {
      endCommand(';');
      i = skipPattern(source, i);
      patternExpected = false;
      continue;
    }
    patternExpected = false;
    if (!word && c === '(' && (words.length === 0 || PREFIXES.has(words[words.length - 1]?.text ?? ''))) {
      subshells++;
      i++;
      continue;
    }
    if (c === ')' && subshells > 0) {
      endCommand(')');
      subshells--;
      i++;
      continue;
    }
    const w = current();
    if (c === "'" || c === '"' || c === '\\') w.quoted = true;
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      const inner = source.slice(i + 1, end < 0 ? source.length : end);
      w.text += inner;
      w.value += literalDollars(inner);
      i = end < 0 ? source.length : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') {
        const d = source[j] as string;
        if (d === '\\' && j + 1 < source.length) {
          const next = source[j + 1] as string;
          if (next === '\n') j += 2;
          else {
            const kept = '$`"\\'.includes(next) ? next : `\\${next}`;
            w.text += kept;
            w.value += literalDollars(kept);
            j += 2;
          }
        } else if (startsExpansion(source, j)) {
          j = appendExpansion(w, source, j);
        } else {
          w.text += d;
          w.value += d;
          j++;
        }
      }
      i = j + 1;
    } else if (c === '\\') {
      w.text += source[i + 1] ?? '';
      w.value += literalDollars(source[i + 1] ?? '');
      i += 2;
    } else if (startsExpansion(source, i)) {
      i = appendExpansion(w, source, i);
    } else {
      w.text += c;
      w.value += c;
      i++;
    }
  }
  endCommand('end');
  return commands;
}

/** Reads a `case` pattern list (`a|"b c")`, with its optional `(`) from `i`; returns where it ends. */
function skipPattern(source: string, i: number): number {
  let j = i;
  while (j < source.length && source[j] !== ')') {
    const c = source[j] as string;
    if (c === '\\') j += 2;
    else if (c === "'" || c === '"') {
      const end = source.indexOf(c, j + 1);
      j = end < 0 ? source.length : end + 1;
    } else if (startsExpansion(source, j)) j = skipExpansion(source, j);
    else j++;
  }
  return Math.min(j + 1, source.length);
}

/** `$(`, `${` or a backtick at `i`. */
const startsExpansion = (source: string, i: number): boolean =>
  (source[i] === '$' && (source[i + 1] === '(' || source[i + 1] === '{')) || source[i] === '`';

/** Adds the expansion at `i` to the word as written, noting what it does; returns where it ends. */
function appendExpansion(word: Word, source: string, i: number): number {
  const end = skipExpansion(source, i);
  noteExpansion(word, source.slice(i, end));
  word.text += source.slice(i, end);
  word.value += source.slice(i, end);
  return end;
}

function noteExpansion(word: Word, expansion: string): void {
  if (expansion.startsWith('$(') || expansion.startsWith('`')) word.substitution = true;
  else if (!/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(expansion)) word.parameterOperator = true;
}

/** The words of a command as plain strings. */
export const argv = (command: Command): string[] => command.words.map((w) => w.text);

/** A command as one line of its words, for messages (quotes removed, as the shell reads them). */
export const commandLine = (command: Command): string => argv(command).join(' ');

/** The command itself as one line, without those reserved words: `then export A=1` is `export A=1`. */
export function commandItself(command: Command): string {
  const words = argv(command);
  let i = 0;
  while (i < words.length - 1 && RESERVED_IN_FRONT.has(words[i] as string)) i++;
  return words.slice(i).join(' ');
}

/** The programs a command runs: its own, and those of the command substitutions in its words. */
export function programsOf(command: Command, depth = 0): string[] {
  const own = programOf(command);
  const inner =
    depth > 3
      ? []
      : command.words.flatMap((word) =>
          [...word.text.matchAll(/\$\(([^()]*(?:\([^()]*\)[^()]*)*)\)|`([^`]*)`/g)].flatMap((m) =>
            parseShell(m[1] ?? m[2] ?? '').flatMap((c) => programsOf(c, depth + 1)),
          ),
        );
  return [...(own !== undefined ? [own] : []), ...inner];
}
