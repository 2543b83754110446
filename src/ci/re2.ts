/**
 * GitLab checks `spec:inputs:*:regex` with RE2. This translates the RE2 syntax a GitLab user
 * writes into a JavaScript RegExp that accepts the same strings, and refuses what RE2 refuses
 * (backreferences, lookaround, possessive quantifiers), so a pattern that passes here compiles there.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * A pattern RE2 accepts may still hold a construct this translation cannot give JavaScript (Node 20)
 * exactly: then `unsupported` is set, and `error` says which construct. Such a pattern is not
 * invalid, and a value is neither accepted nor refused by it here.
 */
export type Re2Result = { ok: true; regex: RegExp } | { ok: false; error: string; unsupported?: true };

/** Patterns compiled so far: a component's inputs are resolved several times (each mode, each
 *  input set), and the same patterns recur across components. Results are immutable (no `g` or
 *  `y` flag, so `test` keeps no state). Bounded, since lint compiles what users write. */
const compiled = new Map<string, Re2Result>();
const MAX_COMPILED = 1000;

export function compileRe2(source: string): Re2Result {
  let result = compiled.get(source);
  if (result === undefined) {
    result = translateRe2(source);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, result);
  }
  return result;
}

/** RE2's flags: case-insensitive, multi-line (`^`/`$` at line breaks), `.` matches `\n`, ungreedy. */
interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** ASCII letters whose case-folding orbit in RE2 (Unicode simple folding) holds a third character. */
const FOLD_EXTRA: Record<string, string> = { k: '\u212a', s: '\u017f' };

/** The characters an ASCII letter matches case-insensitively. */
function foldedAscii(char: string): string {
  const lower = char.toLowerCase();
  return `${lower}${lower.toUpperCase()}${FOLD_EXTRA[lower] ?? ''}`;
}

const isAsciiLetter = (char: string): boolean => /^[A-Za-z]$/.test(char);
/** A character with a case, or in a case-folding orbit with one. */
const hasCase = (char: string): boolean => char.toLowerCase() !== char.toUpperCase() || char === '\u212a' || char === '\u017f';

/** Thrown (and returned) for a construct RE2 takes that JavaScript on Node 20 cannot match exactly. */
class Unsupported extends Error {
  readonly result: Re2Result;
  constructor(construct: string) {
    super(construct);
    this.result = {
      ok: false,
      unsupported: true,
      error: `${construct} has no exact JavaScript equivalent on Node 20`,
    };
  }
}

/** RE2's largest repetition count. */
const MAX_REPEAT = 1000;

/** Characters escaped when they stand for themselves (valid escapes with and without the `u` flag). */
const SYNTAX = /[\\^$.|?*+()[\]{}/]/;

/**
 * The pattern as a JavaScript RegExp (flags `i` and `u` only). RE2's flags — `(?flags)` for the
 * rest of the group, `(?flags:re)` for a group, `-` to clear — are applied while translating, since
 * Node 20 has no inline modifiers: `.` becomes `[^\n]` or `[\s\S]`, `^` and `$` under `m` break at
 * `\n` only (as RE2's do), `U` swaps each quantifier's greediness, and `i` over part of a pattern
 * spells out each ASCII letter's cases. `\Q...\E` is literal text.
 */
function translateRe2(body: string): Re2Result {
  try {
    return translate(body);
  } catch (error) {
    if (error instanceof Unsupported) return error.result;
    throw error;
  }
}

function translate(body: string): Re2Result {
  // `i` over the whole pattern (a leading `(?i)` nothing clears) is JavaScript's `i` flag.
  const everywhere = /^\(\?[msU]*i[msU]*\)/.test(body) && !/\(\?[imsU]*-[imsU]*i/.test(body);
  let flags: Flags = { i: false, m: false, s: false, U: false };
  const stack: Flags[] = [];
  let out = '';
  let unicode = false;
  const literal = (char: string): string => {
    if (flags.i && hasCase(char)) {
      if (isAsciiLetter(char)) return everywhere && !(char.toLowerCase() in FOLD_EXTRA) ? char : `[${foldedAscii(char)}]`;
      if (!everywhere) throw new Unsupported(`case-insensitive matching of ${JSON.stringify(char)} under a scoped (?i)`);
    }
    if (SYNTAX.test(char)) return `\\${char}`;
    const code = char.codePointAt(0) as number;
    if (code < 0x20 || (code >= 0x7f && code <= 0xffff)) return `\\u${code.toString(16).padStart(4, '0')}`;
    if (code > 0xffff) {
      unicode = true;
      return `\\u{${code.toString(16)}}`;
    }
    return char;
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    const next = body[i + 1] ?? '';
    if (char === '\\') {
      if (next === 'Q') {
        const close = body.indexOf('\\E', i + 2);
        for (const c of close < 0 ? body.slice(i + 2) : body.slice(i + 2, close)) out += literal(c);
        i = close < 0 ? body.length : close + 1;
        continue;
      }
      if (/[1-9]/.test(next)) return { ok: false, error: 'backreferences are not supported by RE2' };
      if (next === 'Z') return { ok: false, error: '\\Z is not supported by RE2' };
      if (next === 'C') throw new Unsupported('\\C (any byte)');
      i++;
      if (next === 'E') continue; // a lone \E: RE2 ignores it
      if (next === 'A') out += '^';
      else if (next === 'z') out += '$';
      else if (next === 'a') out += '\\x07';
      else if (next === 'x') {
        const hex = body[i + 1] === '{' ? /^\{([0-9A-Fa-f]+)\}/.exec(body.slice(i + 1)) : /^[0-9A-Fa-f]{2}/.exec(body.slice(i + 1));
        if (!hex) return { ok: false, error: 'invalid escape sequence \\x' };
        const code = Number.parseInt(hex[1] ?? hex[0], 16);
        if (code > 0x10ffff) return { ok: false, error: 'invalid escape sequence \\x' };
        out += literal(String.fromCodePoint(code));
        i += hex[0].length;
      } else if (next === 'p' || next === 'P') {
        if (flags.i && !everywhere) throw new Unsupported(`\\${next} under a scoped (?i)`);
        unicode = true;
        if (body[i + 1] === '{') out += `\\${next}`;
        else {
          out += `\\${next}{${body[i + 1] ?? ''}}`;
          i++;
        }
      } else if (/[A-Za-z0-9]/.test(next)) out += `\\${next}`;
      else out += literal(next);
      continue;
    }
    if (char === '[') {
      const cls = translateClass(body, i, flags.i, everywhere);
      if ('ok' in cls) return cls;
      out += cls.text;
      i = cls.end;
      continue;
    }
    if (char === '(') {
      stack.push({ ...flags });
      if (next !== '?') {
        out += '(';
        continue;
      }
      const rest = body.slice(i + 2);
      if (/^[=!]|^<[=!]/.test(rest)) return { ok: false, error: 'lookaround assertions are not supported by RE2' };
      if (rest.startsWith('>')) return { ok: false, error: 'atomic groups are not supported by RE2' };
      if (rest.startsWith('P<') || rest.startsWith('<')) {
        out += '(?<';
        i += rest.startsWith('P<') ? 3 : 2;
        continue;
      }
      const group = /^([imsU]*)(?:(-)([imsU]*))?([:)])/.exec(rest);
      const [, set = '', minus, cleared = '', end] = group ?? [];
      if (!group || (minus && cleared === '') || (set === '' && !minus && end === ')'))
        return { ok: false, error: 'invalid or unsupported Perl syntax after (?' };
      const changed: Flags = { ...flags };
      for (const f of set) changed[f as keyof Flags] = true;
      for (const f of cleared) changed[f as keyof Flags] = false;
      flags = changed;
      i += 1 + group[0].length;
      if (end === ')')
        stack.pop(); // (?flags): for the rest of the enclosing group
      else out += '(?:';
      continue;
    }
    if (char === ')') {
      flags = stack.pop() ?? flags;
      out += ')';
      continue;
    }
    if (char === '|') out += '|';
    else if (char === '.') out += flags.s ? '[\\s\\S]' : '[^\\n]';
    else if (char === '^') out += flags.m ? '(?<![^\\n])' : '^';
    else if (char === '$') out += flags.m ? '(?![^\\n])' : '$';
    else {
      const count = char === '{' ? /^\{(\d+)(?:,(\d*))?\}/.exec(body.slice(i)) : null;
      if (!'*+?'.includes(char) && !count) {
        out += literal(char);
        continue;
      }
      if (count && (Number(count[1]) > MAX_REPEAT || Number(count[2] ?? 0) > MAX_REPEAT))
        return { ok: false, error: `bad repetition operator: ${count[0]}` };
      const end = count ? i + count[0].length - 1 : i;
      out += body.slice(i, end + 1);
      const after = body[end + 1];
      if (after === '+') return { ok: false, error: 'possessive quantifiers are not supported by RE2' };
      const lazy = after === '?';
      // Under U, `x*` is the lazy one and `x*?` the greedy one.
      if (lazy !== flags.U) out += '?';
      i = lazy ? end + 1 : end;
    }
  }
  try {
    return { ok: true, regex: new RegExp(out, `${everywhere ? 'i' : ''}${unicode ? 'u' : ''}`) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * A character class at `start` (its `[`): POSIX classes spelled out, a `]` first taken literally,
 * and under `i` (when not JavaScript's flag) each ASCII letter and range with its other cases.
 */
function translateClass(body: string, start: number, caseless: boolean, everywhere: boolean): { text: string; end: number } | Re2Result {
  let i = start + 1;
  let out = '[';
  if (body[i] === '^') {
    out += '^';
    i++;
  }
  const fold = caseless && !everywhere;
  const folded = new Set<string>();
  for (let first = true; i < body.length; i++, first = false) {
    const char = body[i] as string;
    if (char === ']' && !first) return { text: `${out}${[...folded].join('')}]`, end: i };
    if (char === '[' && body[i + 1] === ':') {
      const close = body.indexOf(':]', i + 2);
      const name = close > 0 ? body.slice(i + 2, close) : '';
      const negated = name.startsWith('^');
      const range = POSIX_CLASSES[negated ? name.slice(1) : name];
      if (range === undefined) return { ok: false, error: `invalid character class range [:${name}:]` };
      if (negated) throw new Unsupported(`a negated POSIX class [:${name}:] inside brackets`);
      out += range;
      if (caseless && (name === 'lower' || name === 'upper')) out += 'A-Za-z';
      i = close + 1;
      continue;
    }
    if (char === '\\') {
      const next = body[i + 1] ?? '';
      if (fold && (next === 'p' || next === 'P' || next === 'x')) throw new Unsupported(`\\${next} in brackets under a scoped (?i)`);
      if (next === 'a') out += '\\x07';
      else out += `\\${next}`;
      i++;
      continue;
    }
    const to = body[i + 1] === '-' && body[i + 2] !== undefined && body[i + 2] !== ']' && body[i + 2] !== '\\' ? body[i + 2] : undefined;
    if (caseless) {
      const lo = char.codePointAt(0) as number;
      const hi = (to ?? char).codePointAt(0) as number;
      // Under JavaScript's `i` only `k` and `s` need their third character.
      for (let code = lo, last = fold ? hi : Math.min(hi, 0x7f); code <= last; code++) {
        const c = String.fromCodePoint(code);
        if (isAsciiLetter(c)) {
          if (fold || c.toLowerCase() in FOLD_EXTRA) folded.add(foldedAscii(c));
        } else if (fold && hasCase(c)) throw new Unsupported('a case-insensitive class of non-ASCII letters under a scoped (?i)');
      }
    }
    out += char === '[' || char === ']' ? `\\${char}` : char;
    if (to !== undefined) {
      out += `-${to}`;
      i += 2;
    }
  }
  return { ok: false, error: 'missing closing ]' };
}
