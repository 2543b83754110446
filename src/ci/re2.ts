/**
 * GitLab checks `spec:inputs:*:regex` with RE2. This translates the RE2 syntax a GitLab user
 * writes into a JavaScript RegExp that accepts the same strings, and refuses what RE2 refuses
 * (backreferences, lookaround, possessive quantifiers, escapes RE2 does not know), so a pattern that
 * passes here compiles there. It follows RE2's parser (re2/parse.cc) and doc/syntax.txt.
 */

import { lazyRegExp } from './regexp.js';

/** Inclusive code point ranges, sorted and disjoint. */
type Ranges = [number, number][];

/** A capture group name RE2 (of a recent release) takes beyond ASCII word characters: letters, marks, digits, connectors. */
const GROUP_NAME = lazyRegExp(String.raw`^[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]+$`, 'u');

const MAX_CODE = 0x10ffff;

/** RE2's ASCII classes (doc/syntax.txt), `[:name:]` inside brackets. */
const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** RE2's Perl classes: ASCII only (`\s` is `[\t\n\f\r ]`, no `\v`, no Unicode spaces). */
const PERL_CLASSES: Record<string, Ranges> = {
  d: POSIX_CLASSES['digit'] as Ranges,
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: POSIX_CLASSES['word'] as Ranges,
};

/** RE2's general categories (Cn, LC and L& are not among them). RE2's `C` has no unassigned code points. */
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/** Script names RE2 knows with its Unicode 15 data (the long names of Scripts.txt; RE2 takes no aliases). */
const SCRIPTS = new Set(
  (
    'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki Bopomofo ' +
    'Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common ' +
    'Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs ' +
    'Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul ' +
    'Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi Inscriptional_Parthian ' +
    'Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha ' +
    'Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi ' +
    'Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar ' +
    'Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian ' +
    'Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage ' +
    'Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra ' +
    'Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri Syriac Tagalog ' +
    'Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic ' +
    'Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square'
  ).split(' '),
);

/** Scripts of Unicode 16 and 17: an RE2 built with older Unicode data refuses them. */
const NEWER_SCRIPTS = new Set(
  'Garay Gurung_Khema Kirat_Rai Ol_Onal Sunuwar Todhri Tulu_Tigalari Beria_Erfe Chisoi Sidetic Tai_Yo Tolong_Siki'.split(' '),
);

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
const FOLD_EXTRA: Record<string, number> = { k: 0x212a, s: 0x17f };

/** A character with a case, or in a case-folding orbit with one. */
const hasCase = (code: number): boolean => {
  const char = String.fromCodePoint(code);
  return char.toLowerCase() !== char.toUpperCase() || code === 0x212a || code === 0x17f;
};

/** Thrown (and returned) for a construct RE2 takes that JavaScript on Node 20 cannot match exactly. */
class Unsupported extends Error {
  readonly result: Re2Result;
  constructor(construct: string, why = 'has no exact JavaScript equivalent on Node 20') {
    super(construct);
    this.result = { ok: false, unsupported: true, error: `${construct} ${why}` };
  }
}

/** Thrown for what RE2 refuses; the message is RE2's reason. */
class Invalid extends Error {}

/** Thrown when JavaScript's `i` flag cannot stand for RE2's `(?i)`: translate again, spelling out cases. */
class NeedsExplicitFolding extends Error {}

/** RE2's largest repetition count. */
const MAX_REPEAT = 1000;

function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE) out.push([next, MAX_CODE]);
  return out;
}

/**
 * The ranges with every ASCII letter's RE2 case-folding orbit; a non-ASCII character with a case is
 * not spelled out here (`construct` names what then has no exact equivalent).
 */
function fold(ranges: Ranges, construct: string): Ranges {
  const out: Ranges = [...ranges];
  for (const [lo, hi] of ranges) {
    for (let code = lo; code <= Math.min(hi, 0x7f); code++) {
      const char = String.fromCharCode(code);
      if (!/[A-Za-z]/.test(char)) continue;
      const lower = char.toLowerCase();
      for (const c of [lower.charCodeAt(0), lower.toUpperCase().charCodeAt(0), FOLD_EXTRA[lower]]) if (c !== undefined) out.push([c, c]);
    }
    // No character above U+1FFFF has a case.
    for (let code = Math.max(lo, 0x80); code <= Math.min(hi, 0x1ffff); code++) if (hasCase(code)) throw new Unsupported(construct);
  }
  return normalize(out);
}

const hex = (code: number): string => `\\u{${code.toString(16)}}`;

/** A class's contents for ranges: every endpoint escaped, valid under the `u` flag. */
const rangesText = (ranges: Ranges): string =>
  normalize(ranges)
    .map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`))
    .join('');

/** A JavaScript literal for one code point (pattern syntax escaped; valid under the `u` flag). */
function literalText(code: number): string {
  const char = String.fromCodePoint(code);
  if (/[0-9A-Za-z _,:;<>=!@#%&'"~`-]/.test(char)) return char;
  if (/[\\^$.|?*+()[\]{}/]/.test(char)) return `\\${char}`;
  return hex(code);
}

/** What a `\p`/`\P` (or a Perl or POSIX class) stands for: ranges this module knows, or a JavaScript property. */
type Group = { ranges: Ranges } | { property: string; negatedText: string; cased: boolean };

/** RE2's Unicode class `name` (without a leading `^`) as JavaScript, or why not. */
function unicodeGroup(name: string, seq: string): Group {
  if (name === 'Any') return { ranges: [[0, MAX_CODE]] };
  // RE2's C is Cc Cf Co Cs; JavaScript's \p{C} holds the unassigned code points (Cn) too.
  if (name === 'C') return { property: '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}', negatedText: '\\P{C}\\p{Cn}', cased: false };
  if (CATEGORIES.has(name)) return { property: `\\p{${name}}`, negatedText: `\\P{${name}}`, cased: true };
  if (SCRIPTS.has(name) || NEWER_SCRIPTS.has(name)) {
    const property = `\\p{Script=${name}}`;
    try {
      new RegExp(property, 'u');
    } catch {
      throw new Unsupported(`the script ${seq}`, 'is unknown to the Unicode data of this Node.js');
    }
    if (NEWER_SCRIPTS.has(name))
      throw new Unsupported(
        `the script ${seq}`,
        "is known to RE2 only with Unicode 16 or later data, so the verdict depends on GitLab's RE2 release",
      );
    return { property, negatedText: `\\P{Script=${name}}`, cased: true };
  }
  throw new Invalid(`invalid character class range: ${seq}`);
}

/**
 * The pattern as a JavaScript RegExp (flag `u`, and `i` when RE2's `(?i)` covers the whole pattern).
 * RE2's flags — `(?flags)` for the rest of the group, `(?flags:re)` for a group, `-` to clear — are
 * applied while translating, since Node 20 has no inline modifiers: `.` becomes `[^\n]` or any code
 * point, `^` and `$` under `m` break at `\n` only (as RE2's do), `U` swaps each quantifier's
 * greediness, and `i` over part of a pattern spells out each ASCII letter's cases. `\Q...\E` is
 * literal text. Classes are RE2's ASCII ones (`\s`, `\w`, `[:space:]`...), `\pL`/`\p{Greek}` its
 * Unicode ones.
 */
function translateRe2(body: string): Re2Result {
  try {
    try {
      return new Translator(body, true).run();
    } catch (error) {
      if (error instanceof NeedsExplicitFolding) return new Translator(body, false).run();
      throw error;
    }
  } catch (error) {
    if (error instanceof Unsupported) return error.result;
    if (error instanceof Invalid) return { ok: false, error: error.message };
    throw error;
  }
}

class Translator {
  private readonly cps: string[];
  /** `i` over the whole pattern (a top-level `(?i)` nothing clears), given to JavaScript as its `i` flag. */
  private readonly jsFold: boolean;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly names = new Set<string>();
  private pos = 0;
  /** The first construct JavaScript cannot match exactly: reported once the whole pattern is known to be valid. */
  private unsupported: Unsupported | undefined;
  /** Negated Unicode classes under (?i) met in the class being read, each `[^\p{..}]`. */
  private classAlternatives: string[] = [];

  constructor(body: string, allowJsFold: boolean) {
    this.cps = [...body];
    // Only ^, \A and other flags, which no case affects, may come before that (?i): `^(?i)abc` is common.
    const leading = /^(?:\^|\\A|\(\?[msU]*\))*\(\?[msU]*i[msU]*\)/;
    this.jsFold = allowJsFold && leading.test(body) && !/\(\?[imsU]*-[imsU]*i/.test(body);
  }

  private at(offset = 0): string {
    return this.cps[this.pos + offset] ?? '';
  }

  private text(from: number, to: number): string {
    return this.cps.slice(from, to).join('');
  }

  /** Case folding this translation must spell out itself (a scoped `(?i)`). */
  private get explicitFold(): boolean {
    return this.flags.i && !this.jsFold;
  }

  /** Notes a construct JavaScript cannot match exactly, and goes on parsing (RE2 may still refuse the pattern). */
  private unchecked(error: unknown, placeholder: string): string {
    if (!(error instanceof Unsupported)) throw error;
    this.unsupported ??= error;
    return placeholder;
  }

  run(): Re2Result {
    const stack: Flags[] = [];
    const groupStarts: number[] = [];
    let out = '';
    // Where the last item (an atom, a group, or either repeated) starts in `out`, and whether it is repeated.
    let itemStart = -1;
    let repeated = false;
    let afterFlags = false;
    // RE2 refuses counted repetitions nested deeper than 1000 in all ((a{100}){100}): the product of the counts
    // in the last item, the largest such product in the group being read, and in each enclosing group.
    let lastProduct = 1;
    let groupProduct = 1;
    const groupProducts: number[] = [];
    const item = (text: string): void => {
      itemStart = out.length;
      out += text;
      repeated = false;
      afterFlags = false;
      lastProduct = 1;
    };
    const repeat = (text: string): void => {
      // RE2 reads `x*(?i)+` as `(?:x*)+` (a flag group ends the rule against stacked repetition); JavaScript refuses `x*+`.
      if (repeated && afterFlags && itemStart >= 0) out = `${out.slice(0, itemStart)}(?:${out.slice(itemStart)})`;
      out += text;
      repeated = true;
      afterFlags = false;
    };
    while (this.pos < this.cps.length) {
      const char = this.at();
      const next = this.at(1);
      if (char === '\\') {
        item(this.escape());
        continue;
      }
      if (char === '[') {
        item(this.charClass());
        continue;
      }
      if (char === '(') {
        stack.push({ ...this.flags });
        groupStarts.push(out.length);
        if (next !== '?') {
          out += '(';
          this.pos++;
        } else {
          const open = this.groupOpen(stack);
          if (open === '') {
            groupStarts.pop();
            afterFlags = true;
            continue;
          }
          out += open;
        }
        itemStart = -1;
        groupProducts.push(groupProduct);
        groupProduct = 1;
        continue;
      }
      this.pos++;
      if (char === ')') {
        this.flags = stack.pop() ?? this.flags;
        const groupStart = groupStarts.pop() ?? -1;
        out += ')';
        itemStart = groupStart;
        repeated = false;
        afterFlags = false;
        lastProduct = groupProduct;
        groupProduct = Math.max(groupProducts.pop() ?? 1, lastProduct);
      } else if (char === '|') {
        out += '|';
        itemStart = -1;
      } else if (char === '.') item(this.flags.s ? `[${hex(0)}-${hex(MAX_CODE)}]` : '[^\\n]');
      // Assertions are wrapped, since RE2 lets a quantifier follow them and JavaScript's `u` mode does not.
      else if (char === '^') item(this.flags.m ? '(?:(?<![^\\n]))' : '(?:^)');
      else if (char === '$') item(this.flags.m ? '(?:(?![^\\n]))' : '(?:$)');
      else if ('*+?'.includes(char)) repeat(this.quantifier(char));
      else if (char === '{') {
        const count = this.repetition();
        if (count === undefined) item(literalText(0x7b));
        else {
          const [, lo = '', hi] = /^\{(\d+)(?:,(\d*))?\}$/.exec(count) ?? [];
          const times = hi === undefined || hi === '' ? Number(lo) : Number(hi);
          lastProduct *= Math.max(times, 1);
          if (lastProduct > MAX_REPEAT) throw new Invalid(`bad repetition operator: ${count}`);
          groupProduct = Math.max(groupProduct, lastProduct);
          repeat(this.quantifier(count));
        }
      } else item(this.literal(char.codePointAt(0) as number));
    }
    try {
      const regex = new RegExp(out, this.jsFold ? 'iu' : 'u');
      return this.unsupported?.result ?? { ok: true, regex };
    } catch (error) {
      // JavaScript's reason (an unmatched parenthesis, nothing to repeat), without the translated source.
      return { ok: false, error: (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') };
    }
  }

  /** `{n}`, `{n,}` or `{n,m}` at `pos - 1` as RE2 reads it (no leading zeros), or undefined: then `{` is literal. */
  private repetition(): string | undefined {
    const match = /^\{(0|[1-9][0-9]{0,8})(?:(,)(0|[1-9][0-9]{0,8})?)?\}/.exec(this.text(this.pos - 1, this.pos + 22));
    if (!match) return undefined;
    const [whole, lo = '', comma, hi] = match;
    if (Number(lo) > MAX_REPEAT || Number(hi ?? 0) > MAX_REPEAT || (hi !== undefined && Number(hi) < Number(lo)))
      throw new Invalid(`bad repetition operator: ${whole}`);
    this.pos += whole.length - 1;
    return `{${lo}${comma ?? ''}${hi ?? ''}}`;
  }

  private quantifier(operator: string): string {
    if (this.at() === '+') throw new Invalid('possessive quantifiers are not supported by RE2');
    const lazy = this.at() === '?';
    if (lazy) this.pos++;
    // Under U, `x*` is the lazy one and `x*?` the greedy one.
    return lazy !== this.flags.U ? `${operator}?` : operator;
  }

  private literal(code: number): string {
    if (this.flags.i && hasCase(code)) {
      if (this.jsFold) return literalText(code);
      const char = JSON.stringify(String.fromCodePoint(code));
      let folded: Ranges;
      try {
        folded = fold([[code, code]], `case-insensitive matching of ${char} under a scoped (?i)`);
      } catch (error) {
        return this.unchecked(error, '(?:)');
      }
      return folded.length === 1 && folded[0]?.[0] === folded[0]?.[1] ? literalText(code) : `[${rangesText(folded)}]`;
    }
    return literalText(code);
  }

  /** `(?` at `pos`: a named group, flags, or what RE2 refuses. */
  private groupOpen(stack: Flags[]): string {
    const rest = this.text(this.pos + 2, this.pos + 4);
    if (/^[=!]|^<[=!]/.test(rest)) throw new Invalid('lookaround assertions are not supported by RE2');
    if (rest.startsWith('>')) throw new Invalid('atomic groups are not supported by RE2');
    if (rest.startsWith('P<') || rest.startsWith('<')) {
      const start = this.pos + (rest.startsWith('P<') ? 4 : 3);
      const end = this.cps.indexOf('>', start);
      const name = end < 0 ? '' : this.text(start, end);
      if (end < 0 || name === '')
        throw new Invalid(`invalid named capture group: ${this.text(this.pos, end < 0 ? this.cps.length : end + 1)}`);
      if (!/^[0-9A-Za-z_]+$/.test(name)) {
        if (!GROUP_NAME().test(name)) throw new Invalid(`invalid named capture group: ${this.text(this.pos, end + 1)}`);
        const why = "has non-ASCII letters, which older RE2 releases refuse, so the verdict depends on GitLab's RE2 release";
        this.unchecked(new Unsupported(`the capture group name ${JSON.stringify(name)}`, why), '');
      }
      if (this.names.has(name)) throw new Invalid(`duplicate capture group name: ${name}`);
      this.names.add(name);
      this.pos = end + 1;
      // The name is not used for matching, and JavaScript refuses some RE2 takes (`1a`): a plain group.
      return '(';
    }
    const group = /^\(\?([imsU]*)(?:(-)([imsU]*))?([:)])/.exec(this.text(this.pos, this.pos + 16));
    const [, set = '', minus, cleared = '', end] = group ?? [];
    if (!group || (minus && cleared === '')) {
      const close = this.cps.indexOf(')', this.pos);
      throw new Invalid(`invalid or unsupported Perl syntax: ${this.text(this.pos, close < 0 ? this.pos + 2 : close + 1)}`);
    }
    const changed: Flags = { ...this.flags };
    for (const f of set) changed[f as keyof Flags] = true;
    for (const f of cleared) changed[f as keyof Flags] = false;
    this.flags = changed;
    this.pos += group[0].length;
    if (end === ')') {
      stack.pop(); // (?flags): for the rest of the enclosing group
      return '';
    }
    return '(?:';
  }

  /** A `\` outside brackets, in RE2's order: assertions, \C, \Q...\E, \p, Perl classes, then single characters. */
  private escape(): string {
    const next = this.at(1);
    if (next === 'b' || next === 'B') {
      // JavaScript's \b under `iu` takes ſ and K (U+212A) for word characters; RE2's \b is ASCII only.
      if (this.jsFold) throw new NeedsExplicitFolding();
      this.pos += 2;
      return `(?:\\${next})`;
    }
    if (next === 'A' || next === 'z') {
      this.pos += 2;
      return next === 'A' ? '(?:^)' : '(?:$)';
    }
    if (next === 'C') {
      this.pos += 2;
      return this.unchecked(new Unsupported('\\C (any byte)'), '(?:)');
    }
    if (next === 'Q') {
      let out = '';
      this.pos += 2;
      while (this.pos < this.cps.length && !(this.at() === '\\' && this.at(1) === 'E')) {
        out += this.literal(this.at().codePointAt(0) as number);
        this.pos++;
      }
      if (this.pos < this.cps.length) this.pos += 2;
      return out;
    }
    const group = this.group(false);
    if (group !== undefined) return group;
    return this.literal(this.singleEscape());
  }

  /**
   * `\p`, `\P` or a Perl class (`\d \s \w \D \S \W`) at `pos`, as a JavaScript atom (or, `inClass`,
   * a class's contents), or undefined when `pos` holds neither.
   */
  private group(inClass: boolean): string | undefined {
    const next = this.at(1);
    let group: Group;
    let negated: boolean;
    if ((next === 'p' || next === 'P') && this.pos + 2 < this.cps.length) {
      negated = next === 'P';
      const start = this.pos;
      let name: string;
      if (this.at(2) === '{') {
        const close = this.cps.indexOf('}', this.pos + 3);
        if (close < 0) throw new Invalid(`invalid character class range: ${this.text(start, this.cps.length)}`);
        name = this.text(this.pos + 3, close);
        this.pos = close + 1;
      } else {
        name = this.at(2);
        this.pos += 3;
      }
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const seq = this.text(start, this.pos);
      try {
        group = unicodeGroup(name, seq);
        if (this.explicitFold) throw new Unsupported(`${seq} under a scoped (?i)`);
      } catch (error) {
        return this.unchecked(error, inClass ? '' : '(?:)');
      }
    } else if (next === 'p' || next === 'P') {
      throw new Invalid(`invalid character class range: \\${next}`);
    } else if (/^[dswDSW]$/.test(next)) {
      negated = next !== next.toLowerCase();
      group = { ranges: PERL_CLASSES[next.toLowerCase()] as Ranges };
      this.pos += 2;
    } else return undefined;
    return this.groupText(group, negated, inClass, this.text(this.pos - 2, this.pos));
  }

  private groupText(group: Group, negated: boolean, inClass: boolean, construct: string): string {
    if ('ranges' in group) {
      // Under RE2's (?i) a group holds its characters' case orbits, and a negated group excludes them:
      // a set closed under folding means the same with JavaScript's `i` flag.
      const base = this.flags.i ? fold(group.ranges, construct) : group.ranges;
      const text = rangesText(negated ? complement(base) : base);
      return inClass ? text : `[${text}]`;
    }
    if (!negated) return inClass ? group.property : `[${group.property}]`;
    // JavaScript's `iu` folds \P{..} after complementing it, RE2 before; [^\p{..}] is RE2's order.
    if (!inClass) return `[^${group.property}]`;
    if (this.flags.i && group.cased) {
      // Inside brackets JavaScript's `iu` would fold \P{..} after complementing it: it joins the class as an alternative.
      this.classAlternatives.push(`[^${group.property}]`);
      return '';
    }
    return group.negatedText;
  }

  /** RE2's ParseEscape at `pos` (a `\`): one code point, or what RE2 refuses. */
  private singleEscape(): number {
    const start = this.pos;
    const c = this.at(1);
    this.pos += 2;
    if (c === '') throw new Invalid('trailing \\');
    const bad = (): never => {
      throw new Invalid(`invalid escape sequence: ${this.text(start, this.pos)}`);
    };
    if (/^[0-7]$/.test(c)) {
      // \1 to \7 alone are backreferences; with a second octal digit they start an octal escape (up to 3 digits).
      if (c !== '0' && !/^[0-7]$/.test(this.at())) throw new Invalid(`backreferences are not supported by RE2: \\${c}`);
      let code = Number(c);
      for (let n = 1; n < 3 && /^[0-7]$/.test(this.at()); n++, this.pos++) code = code * 8 + Number(this.at());
      return code;
    }
    if (c === 'x') {
      if (this.at() === '{') {
        const close = this.cps.indexOf('}', this.pos);
        const digits = close < 0 ? '' : this.text(this.pos + 1, close);
        if (!/^[0-9A-Fa-f]+$/.test(digits) || Number.parseInt(digits, 16) > MAX_CODE) {
          this.pos = close < 0 ? this.cps.length : close + 1;
          bad();
        }
        this.pos = close + 1;
        return Number.parseInt(digits, 16);
      }
      const digits = this.text(this.pos, this.pos + 2);
      this.pos = Math.min(this.pos + 2, this.cps.length);
      if (!/^[0-9A-Fa-f]{2}$/.test(digits)) bad();
      return Number.parseInt(digits, 16);
    }
    const simple: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, f: 0x0c, v: 0x0b };
    if (simple[c] !== undefined) return simple[c];
    if (c === 'Z') throw new Invalid('\\Z is not supported by RE2');
    // Any other ASCII character but a letter or digit (`\.`, `\_`, `\ `) stands for itself; non-ASCII is refused.
    if (c.charCodeAt(0) < 0x80 && !/^[0-9A-Za-z]$/.test(c)) return c.charCodeAt(0);
    return bad();
  }

  /** A character class at `pos` (its `[`), as RE2's ParseCharClass reads it. */
  private charClass(): string {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.at() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    let extra = '';
    this.classAlternatives = [];
    for (let first = true; this.pos < this.cps.length && (this.at() !== ']' || first); first = false) {
      if (this.at() === '[' && this.at(1) === ':') {
        let close = -1;
        for (let i = this.pos + 2; i + 1 < this.cps.length; i++)
          if (this.cps[i] === ':' && this.cps[i + 1] === ']') {
            close = i;
            break;
          }
        if (close >= 0) {
          const name = this.text(this.pos + 2, close);
          const posix = POSIX_CLASSES[name.startsWith('^') ? name.slice(1) : name];
          const seq = this.text(this.pos, close + 2);
          if (posix === undefined) throw new Invalid(`invalid character class range: ${seq}`);
          this.pos = close + 2;
          extra += this.groupText({ ranges: posix }, name.startsWith('^'), true, seq);
          continue;
        }
      }
      if (this.at() === '\\') {
        const group = this.group(true);
        if (group !== undefined) {
          extra += group;
          continue;
        }
      }
      const itemStart = this.pos;
      const lo = this.classChar();
      let hi = lo;
      if (this.at() === '-' && this.at(1) !== ']' && this.pos + 1 < this.cps.length) {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) throw new Invalid(`invalid character class range: ${this.text(itemStart, this.pos)}`);
      }
      ranges.push([lo, hi]);
    }
    if (this.pos >= this.cps.length) throw new Invalid(`missing closing ]: ${this.text(start, this.cps.length)}`);
    this.pos++;
    let own = ranges;
    try {
      if (this.explicitFold) own = fold(ranges, 'a case-insensitive class of non-ASCII letters under a scoped (?i)');
    } catch (error) {
      own = [];
      this.unchecked(error, '');
    }
    if (this.classAlternatives.length === 0) return `[${negated ? '^' : ''}${rangesText(own)}${extra}]`;
    // One code point in any of the parts, or (negated) in none of them.
    const parts = `[${rangesText(own)}${extra}]|${this.classAlternatives.join('|')}`;
    return negated ? `(?:(?!${parts})[${hex(0)}-${hex(MAX_CODE)}])` : `(?:${parts})`;
  }

  /** One character inside brackets: an escape (RE2's ParseEscape) or the code point itself. */
  private classChar(): number {
    if (this.at() === '\\') return this.singleEscape();
    const code = this.at().codePointAt(0) as number;
    this.pos++;
    return code;
  }
}
