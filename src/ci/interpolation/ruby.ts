/**
 * How GitLab's Ruby turns values into text. Classic interpolation puts `value.to_s` into a
 * string that holds more than one block (for an array that is `inspect`); text interpolation
 * writes non-strings as JSON.
 */
import { lazyRegExp } from '../regexp.js';

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

/** What `inspect` writes as `\uXXXX`: controls, format characters, line and paragraph separators, lone surrogates. */
const ESCAPED_CHARACTER = lazyRegExp(String.raw`^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$`, 'u');

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
    } else if (ESCAPED_CHARACTER().test(char)) {
      const code = char.codePointAt(0) as number;
      out += code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

const RUBY_FLOAT = Symbol.for('cigen.RubyFloat');

/**
 * A Ruby Float whose value is whole: Psych reads `2.0` (or `1.0e+16`) as a Float, which Ruby
 * writes `2.0` where it writes the Integer 2 as `2`; to JavaScript both are the number 2. Input
 * values read from YAML hold one in place of such a number (withRubyFloats in ../yaml.ts); a number
 * that is not whole is a Float already. Its value is `valueOf()`: no property, so an interpolation
 * block cannot reach into it (`inputs.n.x` is an unknown key, as for any number).
 */
export class RubyFloat {
  readonly #value: number;
  /** Known by this mark, not by the class: dist/lint.cjs and the catalog bundle it loads
   *  (dist/lint-catalog.cjs) each hold a copy of the class, and values cross between them. */
  readonly [RUBY_FLOAT] = true;
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [RUBY_FLOAT]?: unknown })[RUBY_FLOAT] === true;
  }
  constructor(value: number) {
    this.#value = value;
  }
  valueOf(): number {
    return this.#value;
  }
}

/** Whether a value is a Ruby Float or Integer: a number, or a whole Float marked as one. */
export const isRubyNumber = (value: unknown): value is number | RubyFloat => typeof value === 'number' || value instanceof RubyFloat;

/** A value's number, for a RubyFloat; the value itself otherwise (Ruby's `2 == 2.0`). */
export const numberOf = (value: unknown): unknown => (value instanceof RubyFloat ? value.valueOf() : value);

/** The shortest digits that read back as `value` (> 0), and where the decimal point goes after the first. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return { digits: mantissa.replace('.', ''), exponent: Number(exponent) };
}

/**
 * Ruby's Float#to_s (flo_to_s): the shortest digits that read back as the value, written
 * `ddd.ddd` when the decimal exponent is from -4 to 15 or the digits run past the point
 * (`100.0`, `0.0001`, `1234567890123456.8`), else `d.ddde+XX` with at least two exponent digits
 * (`1.0e+16`, `1.0e-05`).
 */
export function rubyFloatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0.0`;
  const { digits, exponent } = shortestDigits(Math.abs(value));
  const point = exponent + 1;
  if (point > 0 && (point < digits.length || point <= 15)) {
    return point < digits.length
      ? `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
      : `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  }
  if (point <= 0 && point > -4) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  const magnitude = Math.abs(exponent).toString().padStart(2, '0');
  return `${sign}${digits[0] ?? ''}.${digits.slice(1) || '0'}e${exponent < 0 ? '-' : '+'}${magnitude}`;
}

/** An Integer's digits (a number past 2**53 is no longer the one written: JavaScript's double). */
const integerText = (value: number): string => (Number.isSafeInteger(value) ? String(value) : BigInt(value).toString());

/** Ruby's `to_s` of a number: the Integer's digits, or the Float's text. */
function rubyNumber(value: number | RubyFloat): string {
  if (value instanceof RubyFloat) return rubyFloatText(value.valueOf());
  return Number.isInteger(value) ? integerText(value) : rubyFloatText(value);
}

/** A finite value's exact decimal digits (no leading zeros) and where the point goes after them. */
function exactDecimal(value: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = mantissa * 2 ** exponent, exactly.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) {
    const digits = (mantissa << BigInt(exponent)).toString();
    return { digits, point: digits.length };
  }
  // mantissa / 2 ** k is mantissa * 5 ** k / 10 ** k.
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString();
  return { digits, point: digits.length + exponent };
}

/** C's `%0.16g` (glibc: the exact value, rounded half to even): 16 significant digits, trailing
 *  zeros dropped, the exponent form below 1e-4 or from 1e16, with at least two exponent digits. */
function printf16g(value: number): string {
  const sign = value < 0 ? '-' : '';
  const exact = exactDecimal(value);
  let digits = exact.digits.slice(0, 16).padEnd(16, '0');
  let point = exact.point;
  const rest = exact.digits.slice(16);
  const half = rest[0] ?? '0';
  const roundUp = half > '5' || (half === '5' && (/[1-9]/.test(rest.slice(1)) || Number(digits.at(-1)) % 2 === 1));
  if (roundUp) {
    const bumped = (BigInt(digits) + 1n).toString();
    if (bumped.length > 16) point++;
    digits = bumped.slice(0, 16);
  }
  const exponent = point - 1;
  const trimmed = digits.replace(/0+$/, '');
  if (exponent < -4 || exponent >= 16) {
    const fraction = trimmed.slice(1);
    const magnitude = Math.abs(exponent).toString().padStart(2, '0');
    return `${sign}${trimmed[0] ?? '0'}${fraction ? `.${fraction}` : ''}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${trimmed}`;
  const whole = trimmed.slice(0, point).padEnd(point, '0');
  const fraction = trimmed.slice(point);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A Float as GitLab's `to_json` writes it: Oj's Rails mode (config/initializers/oj.rb,
 * Oj.optimize_rails), dump_float in rails.c. Zero is `0.0` (`-0.0` too), Infinity and NaN `null`,
 * a whole value a C long long holds `%.1f` (`2.0`, `10000000000000000.0`), any other `%0.16g` (`1.5`,
 * `1e+20`, `1e-05`), unless those 16 digits end in 0001 or 9999 (a rounding artefact), when it is
 * Float#to_s.
 */
function ojFloatText(value: number): string {
  if (value === 0) return '0.0';
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) return `${integerText(value)}.0`;
  const text = printf16g(value);
  return text.length >= 17 && /(?:0001|9999)$/.test(text) ? rubyFloatText(value) : text;
}

/** A Symbol's `inspect`: `:name` when the name reads as an identifier, else `:"quoted"`. */
const SYMBOL_NAME = lazyRegExp(String.raw`^[\p{L}_][\p{L}\p{N}_]*[?!=]?$`, 'u');
const inspectSymbol = (name: string): string => (SYMBOL_NAME().test(name) ? `:${name}` : `:${inspectString(name)}`);

/**
 * Ruby's `inspect` (Ruby 3.3). A hash's keys are Symbols: GitLab reads every pipeline and
 * component file with `deep_symbolize_keys` (Config::Loader::Yaml#load!), which reaches the
 * hashes inside `include: inputs:` and input defaults, so `[{host: a}]` is `[{:host=>"a"}]`.
 */
export function rubyInspect(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return inspectString(value);
  if (isRubyNumber(value)) return rubyNumber(value);
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
  if (isRubyNumber(value)) return rubyNumber(value);
  if (typeof value === 'boolean') return String(value);
  return rubyInspect(value);
}

/** What ActiveSupport writes as `\uXXXX` over what the JSON generator writes (ESCAPED_CHARS). */
const ACTIVE_SUPPORT_ESCAPED = /[<>&\u2028\u2029]/g;

/** JSON as JSON.stringify writes it, numbers as GitLab's `to_json` writes them (Integers as digits, Floats by ojFloatText). */
function json(value: unknown): string | undefined {
  if (value instanceof RubyFloat) return ojFloatText(value.valueOf());
  if (typeof value === 'number') return Number.isInteger(value) ? integerText(value) : ojFloatText(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => json(item) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const pairs = Object.entries(value).flatMap(([key, item]) => {
      const text = json(item);
      return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
    });
    return `{${pairs.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `value.to_json` as GitLab runs it: ActiveSupport's JSON encoder (GitLab's Gitlab::Json::RailsEncoder
 * only swaps the generator under it), with `escape_html_entities_in_json` on (GitLab's
 * config/application.rb, and Rails' default). Over plain JSON, ActiveSupport then writes `<`, `>`
 * and `&` as `\u003c`, `\u003e`, `\u0026`, and U+2028 and U+2029 (whatever that setting) as
 * `\u2028`, `\u2029`, in keys too. NEL (U+0085) stays as it is. A Float is written as Oj writes it
 * (ojFloatText: `2.0`, `10000000000000000.0`), which is not always Float#to_s.
 */
export function rubyJson(value: unknown): string {
  return (json(value) ?? 'null').replace(
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
