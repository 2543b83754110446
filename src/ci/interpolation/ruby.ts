/**
 * How GitLab's Ruby turns values into text. Classic interpolation puts `value.to_s` into a
 * string that holds more than one block (for an array that is `inspect`); text interpolation
 * writes non-strings as JSON.
 */

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

/** Ruby's `inspect` (Ruby 3.3: hashes as `{"a"=>1}`). */
export function rubyInspect(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return inspectString(value);
  if (typeof value === 'number') return rubyNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(', ')}]`;
  // No YAML value is one of these, but JavaScript's own text is as good as any for them.
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  // What is left is an object: a hash.
  const pairs = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inspectString(k)}=>${rubyInspect(v)}`);
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

/** Ruby's `to_json` (JSON.generate defaults). */
export function rubyJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
