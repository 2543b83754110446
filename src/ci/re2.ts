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

export type Re2Result = { ok: true; regex: RegExp } | { ok: false; error: string };

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

function translateRe2(source: string): Re2Result {
  let flags = '';
  let body = source;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    const letters = inline[1] as string;
    if (letters.includes('U')) return { ok: false, error: 'the (?U) flag has no JavaScript equivalent' };
    flags += letters;
    body = body.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  let unicode = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    const next = body[i + 1] ?? '';
    if (char === '\\') {
      if (/[1-9]/.test(next)) return { ok: false, error: 'backreferences are not supported by RE2' };
      if (next === 'A' && !inClass) {
        out += '^';
        i++;
        continue;
      }
      if (next === 'z' && !inClass) {
        out += '$';
        i++;
        continue;
      }
      if (next === 'Z') return { ok: false, error: '\\Z is not supported by RE2' };
      if (next === 'x' && body[i + 2] === '{') {
        const close = body.indexOf('}', i + 3);
        if (close < 0) return { ok: false, error: 'unterminated \\x{...} escape' };
        const code = Number.parseInt(body.slice(i + 3, close), 16);
        if (Number.isNaN(code)) return { ok: false, error: 'invalid \\x{...} escape' };
        out += code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
        if (code > 0xffff) unicode = true;
        i = close;
        continue;
      }
      if ((next === 'p' || next === 'P') && body[i + 2] !== '{') {
        out += `\\${next}{${body[i + 2] ?? ''}}`;
        unicode = true;
        i += 2;
        continue;
      }
      if (next === 'p' || next === 'P') unicode = true;
      out += char + next;
      i++;
      continue;
    }
    if (inClass) {
      if (char === '[' && next === ':') {
        const close = body.indexOf(':]', i + 2);
        const name = close > 0 ? body.slice(i + 2, close) : '';
        const negated = name.startsWith('^');
        const range = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (range === undefined || negated) return { ok: false, error: `unsupported character class [:${name}:]` };
        out += range;
        i = close + 1;
        continue;
      }
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (next === '^') {
        out += next;
        i++;
      }
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (char === '(' && next === '?') {
      const rest = body.slice(i + 2);
      if (/^[=!]|^<[=!]/.test(rest)) return { ok: false, error: 'lookaround assertions are not supported by RE2' };
      if (rest.startsWith('>')) return { ok: false, error: 'atomic groups are not supported by RE2' };
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
    }
    if ('*+?}'.includes(char) && next === '+') return { ok: false, error: 'possessive quantifiers are not supported by RE2' };
    out += char;
  }
  if (unicode) flags += 'u';
  try {
    return { ok: true, regex: new RegExp(out, flags) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
