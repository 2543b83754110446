/**
 * How GitLab's Ruby turns values into text. Classic interpolation puts `value.to_s` into a
 * string that holds more than one block (for an array that is `inspect`); text interpolation
 * writes non-strings as JSON.
 */

/** Ruby's String#strip: NUL, tab, line feed, vertical tab, form feed, carriage return and space
 *  only (no Unicode space such as a no-break space). */
export const rubyStrip = (text: string): string => text.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');

/**
 * Ruby's `text.split(separator)` and `text.split(separator, limit)` for a separator other than a
 * single space (that one splits at runs of whitespace, awk's way). Without a limit Ruby drops the
 * empty fields at the end (`"a|b||".split("|")` is `["a", "b"]`, `"||".split("|")` is `[]`); with
 * a positive limit it keeps them and leaves the rest of the text in the last field. An empty text
 * gives no field at all.
 */
export function rubySplit(text: string, separator: string, limit?: number): string[] {
  if (text === '') return [];
  const parts = text.split(separator);
  if (limit === undefined) {
    while (parts.at(-1) === '') parts.pop();
    return parts;
  }
  if (parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\f': '\\f',
  '\v': '\\v',
  '\b': '\\b',
  '\x07': '\\a',
  '\x1b': '\\e',
};

function inspectString(value: string): string {
  let out = '"';
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    const named = NAMED_ESCAPES[char];
    if (named !== undefined) {
      out += named;
    } else if (char === '#' && /^[{$@]$/.test(chars[i + 1] ?? '')) {
      out += '\\#';
    } else if (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u.test(char)) {
      const code = char.codePointAt(0) as number;
      out += code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

function rubyNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  const text = String(value);
  if (text.includes('e')) {
    const [mantissa = '', exponent = ''] = text.split('e');
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    const e = exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`;
    return `${m}e${e.replace(/^([+-])(\d)$/, '$10$2')}`;
  }
  return text.includes('.') ? text : `${text}.0`;
}

/** A Symbol's `inspect`: `:name` when the name reads as an identifier, else `:"quoted"`. */
const inspectSymbol = (name: string): string => (/^[\p{L}_][\p{L}\p{N}_]*[?!=]?$/u.test(name) ? `:${name}` : `:${inspectString(name)}`);

/**
 * Ruby's `inspect` (Ruby 3.3). A hash's keys are Symbols: GitLab reads every pipeline and
 * component file with `deep_symbolize_keys` (Config::Loader::Yaml#load!), which reaches the
 * hashes inside `include: inputs:` and input defaults, so `[{host: a}]` is `[{:host=>"a"}]`.
 */
export function rubyInspect(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return inspectString(value);
  if (typeof value === 'number') return rubyNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(', ')}]`;
  // No YAML value is one of these, but JavaScript's own text is as good as any for them.
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  // What is left is an object: a hash.
  const pairs = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inspectSymbol(k)}=>${rubyInspect(v)}`);
  return `{${pairs.join(', ')}}`;
}

/** Ruby's `to_s`. */
export function rubyToS(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return rubyNumber(value);
  if (typeof value === 'boolean') return String(value);
  return rubyInspect(value);
}

/** What ActiveSupport writes as `\uXXXX` over what the JSON generator writes (ESCAPED_CHARS). */
const ACTIVE_SUPPORT_ESCAPED = /[<>&\u2028\u2029]/g;

/**
 * `value.to_json` as GitLab runs it: ActiveSupport's JSON encoder (GitLab's Gitlab::Json::RailsEncoder
 * only swaps the generator under it), with `escape_html_entities_in_json` on (GitLab's
 * config/application.rb, and Rails' default). Over plain JSON, ActiveSupport then writes `<`, `>`
 * and `&` as `\u003c`, `\u003e`, `\u0026`, and U+2028 and U+2029 (whatever that setting) as
 * `\u2028`, `\u2029`, in keys too. NEL (U+0085) stays as it is.
 */
export function rubyJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(
    ACTIVE_SUPPORT_ESCAPED,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** What Ruby raises where GitLab's interpolation would fail on a value (no error text of GitLab's). */
export class RubyReplacementError extends Error {}

/**
 * Ruby's `text.gsub(pattern, replacement)` with a String pattern and a String replacement
 * (rb_reg_regsub): every occurrence of `pattern`, left to right, becomes `replacement` read with
 * Ruby's backslash sequences: `\\` is one backslash, `\0` and `\&` the matched text, `` \` `` the
 * text before the match, `\'` the text after it; `\1`-`\9` and `\+` name groups a String pattern
 * has not, so they give nothing; `\k<name>` raises; any other backslash is kept as written.
 */
export function rubyGsubString(text: string, pattern: string, replacement: string): string {
  if (pattern === '') throw new RubyReplacementError('empty pattern');
  let out = '';
  let from = 0;
  for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, from)) {
    out += text.slice(from, at) + regsub(replacement, text, at, at + pattern.length);
    from = at + pattern.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

function regsub(replacement: string, source: string, start: number, end: number): string {
  if (!replacement.includes('\\')) return replacement;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i] as string;
    // A backslash that ends the replacement stays.
    if (char !== '\\' || i === replacement.length - 1) {
      out += char;
      continue;
    }
    const next = replacement.codePointAt(i + 1) as number;
    const nextChar = String.fromCodePoint(next);
    i += nextChar.length;
    if (/^[1-9+]$/.test(nextChar)) continue;
    if (nextChar === '0' || nextChar === '&') out += source.slice(start, end);
    else if (nextChar === '`') out += source.slice(0, start);
    else if (nextChar === "'") out += source.slice(end);
    else if (nextChar === '\\') out += '\\';
    else if (nextChar === 'k' && replacement[i + 1] === '<') {
      const close = replacement.indexOf('>', i + 2);
      if (close === -1) throw new RubyReplacementError('invalid group name reference format');
      throw new RubyReplacementError(`undefined group name reference: ${replacement.slice(i + 2, close)}`);
    } else out += `\\${nextChar}`;
  }
  return out;
}
