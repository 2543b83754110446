/**
 * GitLab's CI/CD variable expressions (`rules:if`, `only:/except: variables`) as
 * Gitlab::Ci::Pipeline::Expression reads them, to tell the ones it refuses ("invalid expression
 * syntax") and why. Statement#valid? lexes (Lexer: its lexemes tried in order at each position,
 * whitespace skipped, at most MAX_TOKENS scans), then parses (Parser: shunting-yard into RPN, the
 * RPN folded into one tree), building each value: a pattern must be `/re/flags` RE2 accepts
 * (UntrustedRegexp::RubySyntax). valid? also evaluates the tree, with no variables set: that
 * refuses nothing more.
 */
import { compileRe2 } from './re2.js';
import { lazyRegExp } from './regexp.js';

export type LexemeName =
  | 'parenthesis_open'
  | 'parenthesis_close'
  | 'input'
  | 'variable'
  | 'string'
  | 'pattern'
  | 'null'
  | 'boolean'
  | 'equals'
  | 'matches'
  | 'not_equals'
  | 'not_matches'
  | 'and'
  | 'or';

export type LexemeType = 'value' | 'operator' | 'parenthesis_open' | 'parenthesis_close';

interface Lexeme {
  name: LexemeName;
  /** The characters a match can start with (each pattern's first one): the others are not tried there. */
  first: string;
  /** Sticky: matched where the scanner stands, as StringScanner#scan matches (whose `^` holds there). */
  pattern: RegExp;
  type: LexemeType;
  /** The lexeme's precedence (a lower one binds tighter; GitLab's numbers, after Ruby's table). */
  precedence: number;
}

/** Ruby's `\s` and `\w`: ASCII only. */
const SPACE = '[ \\t\\n\\v\\f\\r]';
const WORD = '[A-Za-z0-9_]';

// Made when first tried (lazyRegExp): the boolean's Unicode properties cost a millisecond to
// check, and most expressions hold no `true`.
const value = (name: LexemeName, first: string, source: string, flags = ''): Lexeme => {
  const pattern = lazyRegExp(source, `y${flags}`);
  return {
    name,
    first,
    get pattern() {
      return pattern();
    },
    type: 'value',
    precedence: 0,
  };
};
const operator = (name: LexemeName, source: string, precedence: number): Lexeme => ({
  name,
  first: source.slice(0, 1),
  pattern: new RegExp(source.replace(/[|]/g, '\\$&'), 'y'),
  type: 'operator',
  precedence,
});

/** Lexer::LEXEMES, in GitLab's order: the first that matches at a position is the token. */
const LEXEMES: readonly Lexeme[] = [
  { name: 'parenthesis_open', first: '(', pattern: /\(/y, type: 'parenthesis_open', precedence: 901 },
  { name: 'parenthesis_close', first: ')', pattern: /\)/y, type: 'parenthesis_close', precedence: 900 },
  value('input', '$', `\\$\\[\\[${SPACE}*inputs\\.${WORD}+${SPACE}*\\]\\]`),
  value('variable', '$', `\\$${WORD}+`),
  // Ruby's `.` is any character but `\n`: a string stays on one line, and has no escapes.
  value('string', `"'`, `"[^\\n]*?"|'[^\\n]*?'`),
  // Two characters or more between the slashes, the last not a backslash: `/a/` is no pattern.
  value('pattern', '/', '\\/(?:[^/]|\\\\\\/)+[^\\\\]\\/[ismU]*', 'u'),
  value('null', 'n', 'null'),
  // Ruby's `\b` there is Unicode's: a word character after `true` makes it no boolean.
  value('boolean', 'tf', '(?:true|false)(?![\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}])', 'u'),
  operator('equals', '==', 10),
  operator('matches', '=~', 10),
  operator('not_equals', '!=', 10),
  operator('not_matches', '!~', 10),
  operator('and', '&&', 11),
  operator('or', '||', 12),
];

const BY_NAME = Object.fromEntries(LEXEMES.map((lexeme) => [lexeme.name, lexeme])) as Record<LexemeName, Lexeme>;
/** The lexemes that may match at a character, in GitLab's order. */
const BY_FIRST = new Map<string, Lexeme[]>();
for (const lexeme of LEXEMES) for (const char of lexeme.first) BY_FIRST.set(char, [...(BY_FIRST.get(char) ?? []), lexeme]);

/** Ruby's `\s`: space, \t, \n, \v, \f, \r. */
const isSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);

/** Lexer::MAX_TOKENS: the lexer scans this many times, so a statement holds at most one token less. */
export const MAX_TOKENS = 100;

export interface Token {
  lexeme: LexemeName;
  text: string;
  /** Where the token is in the expression (UTF-16 code units, as a JavaScript string counts). */
  start: number;
  end: number;
}

export type LexError = { kind: 'unknown-lexeme'; at: number } | { kind: 'too-many-tokens' };

/** The tokens of an expression, as far as GitLab's lexer reads it, and why it stopped short. */
export function tokenize(text: string): { tokens: Token[]; error?: LexError } {
  const tokens: Token[] = [];
  let pos = 0;
  for (let scans = 0; scans < MAX_TOKENS; scans++) {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
    if (pos >= text.length) return { tokens };
    let token: Token | undefined;
    for (const lexeme of BY_FIRST.get(text.charAt(pos)) ?? []) {
      lexeme.pattern.lastIndex = pos;
      if (!lexeme.pattern.test(text)) continue;
      const end = lexeme.pattern.lastIndex;
      token = { lexeme: lexeme.name, text: text.slice(pos, end), start: pos, end };
      break;
    }
    if (!token) return { tokens, error: { kind: 'unknown-lexeme', at: pos } };
    tokens.push(token);
    pos = token.end;
  }
  return { tokens, error: { kind: 'too-many-tokens' } };
}

/** RubySyntax::PATTERN (`^/(?<regexp>.*)/(?<flags>[ismU]*)$`, Ruby's line anchors and `.`). */
const RUBY_SYNTAX = /(?<![^\n])\/([^\n]*)\/([ismU]*)(?![^\n])/u;

/** RubySyntax.matches_syntax?: whether a text is written `/pattern/flags`, whether RE2 compiles it or not. */
export const matchesRubySyntax = (text: string): boolean => RUBY_SYNTAX.test(text);

/** Why RE2 refuses a pattern token (Lexeme::Pattern.new: `\/` unescaped, then RubySyntax.fabricate!), if it does. */
const patternError = (token: string): string | undefined => rubyRegexpProblem(token.replace(/\\\//g, '/'));

/** Why UntrustedRegexp::RubySyntax.fabricate! refuses a `/pattern/flags` text (RE2 compiles the pattern), if it does. */
export function rubyRegexpProblem(text: string): string | undefined {
  const match = RUBY_SYNTAX.exec(text);
  if (!match) return 'it is not of the form /pattern/flags';
  const [, source = '', flags = ''] = match;
  const compiled = compileRe2(flags === '' ? source : `(?${flags})${source}`);
  // A construct RE2 takes that JavaScript cannot match exactly is still valid.
  return compiled.ok || compiled.unsupported ? undefined : compiled.error;
}

export type ExpressionProblem =
  | LexError
  /** Statement#parse_tree: no token at all. */
  | { kind: 'empty' }
  /** A `)` with no `(` open before it. */
  | { kind: 'unmatched-parenthesis'; token: Token }
  /** A `(` never closed. */
  | { kind: 'unclosed-parenthesis'; token: Token }
  | { kind: 'invalid-pattern'; token: Token; error: string }
  /** An operator short of an operand. */
  | { kind: 'missing-operand'; token: Token }
  /** Values left over: two with no operator between them. */
  | { kind: 'extra-operand' }
  /** Nothing left: only empty parentheses. */
  | { kind: 'empty-tree' };

const lexemeOf = (token: Token): Lexeme => BY_NAME[token.lexeme];

/** What a token is to the parser: a value, an operator or a parenthesis. */
export const lexemeType = (token: Token): LexemeType => lexemeOf(token).type;

/** Parser#tokens_rpn: the tokens in reverse Polish notation (an open parenthesis left unclosed stays in). */
function reversePolish(tokens: readonly Token[]): Token[] | ExpressionProblem {
  const output: Token[] = [];
  const operators: Token[] = [];
  /** Lexeme::Base.consume?: whether `token` pops the operator on top of the stack. */
  const pops = (token: Token): boolean => {
    const top = operators[operators.length - 1];
    return top !== undefined && lexemeOf(token).precedence >= lexemeOf(top).precedence;
  };
  for (const token of tokens) {
    const { type } = lexemeOf(token);
    if (type === 'value') output.push(token);
    else if (type === 'parenthesis_open') operators.push(token);
    else {
      while (pops(token)) output.push(operators.pop() as Token);
      if (type === 'operator') operators.push(token);
      else if (operators.pop() === undefined) return { kind: 'unmatched-parenthesis', token };
    }
  }
  return [...output, ...operators.reverse()];
}

/** Verdicts so far: a pipeline repeats its conditions job after job. Bounded, since lint reads what
 *  users write; the results are not changed by anyone (`null`: no problem). */
const verdicts = new Map<string, ExpressionProblem | null>();
const MAX_VERDICTS = 1000;

/** Why GitLab refuses an expression (Statement#valid? is false), or undefined when it takes it. */
export function expressionProblem(text: string): ExpressionProblem | undefined {
  let verdict = verdicts.get(text);
  if (verdict === undefined) {
    verdict = problemOf(text) ?? null;
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(text, verdict);
  }
  return verdict ?? undefined;
}

function problemOf(text: string): ExpressionProblem | undefined {
  const { tokens, error } = tokenize(text);
  if (error) return error;
  if (tokens.length === 0) return { kind: 'empty' };
  const rpn = reversePolish(tokens);
  if (!Array.isArray(rpn)) return rpn;
  // Parser#tree: values are built (a pattern checked) and operators take two of them, in RPN order.
  let depth = 0;
  for (const token of rpn) {
    const { type } = lexemeOf(token);
    if (type === 'value') {
      const error = token.lexeme === 'pattern' ? patternError(token.text) : undefined;
      if (error !== undefined) return { kind: 'invalid-pattern', token, error };
      depth++;
    } else if (type === 'operator') {
      if (depth < 2) return { kind: 'missing-operand', token };
      depth--;
    } else return { kind: 'unclosed-parenthesis', token };
  }
  if (depth > 1) return { kind: 'extra-operand' };
  return depth === 0 ? { kind: 'empty-tree' } : undefined;
}
