/**
 * GitLab's CI/CD variable expressions (`rules:if`, `only:variables`) read as its
 * Gitlab::Ci::Pipeline::Expression reads them: the lexer (its lexemes in its order, whitespace
 * skipped, at most 100 tokens), the parser (shunting-yard, then the RPN folded into one tree), and
 * patterns checked as RE2 (UntrustedRegexp::RubySyntax). Each verdict below follows from that code
 * and from GitLab's docs on expressions; the cases are this project's own.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { expressionProblem, MAX_TOKENS, tokenize } from '../../src/ci/expression.js';
import { customTags } from '../../src/ci/yaml.js';

const valid = (text: string) => expressionProblem(text) === undefined;
const kind = (text: string) => expressionProblem(text)?.kind;

describe('valid expressions (GitLab evaluates them)', () => {
  it.each([
    '$CI_COMMIT_BRANCH',
    '$CI_COMMIT_BRANCH == "main"',
    "$CI_COMMIT_BRANCH != 'main'",
    '$VARIABLE == ""',
    "$VARIABLE != ''",
    '$VARIABLE == null',
    '$VARIABLE != null',
    '$A == $B',
    '$A =~ /^release-[0-9]+$/',
    '$A !~ /^wip/i',
    '$A =~ /a\\/b/',
    '$A =~ /ab/imsU',
    '$A =~ $PATTERN',
    '$A && $B || $C',
    '$A&&$B||$C',
    '($A || $B) && ($C =~ /xy/ || $D)',
    '((($A)))',
    '$A == "x" || (($B == "y" || $C == "z") && $D)',
    '"main" == $CI_COMMIT_BRANCH',
    '  $A  ==\t"x"\n',
    '$A == "a \'b\' c"',
    '$A == true',
    '$A != false',
    '$[[ inputs.env ]] == "prod"',
    '$A =~ /\\Aab(?i)c\\z/',
  ])('%s', (text) => {
    expect(expressionProblem(text)).toBeUndefined();
  });

  it("GitLab's parser quirks are kept: an empty pair of parentheses after a value, an operator after both its operands", () => {
    // tokens_rpn drops `()`, and the RPN `$A $B ==` folds into one tree: GitLab takes both.
    expect(valid('$A ()')).toBe(true);
    expect(valid('$A $B ==')).toBe(true);
  });

  it(`at most ${MAX_TOKENS - 1} tokens: the lexer stops after ${MAX_TOKENS} and refuses what it has read`, () => {
    const chain = (n: number) => Array.from({ length: (n + 1) / 2 }, (_, i) => `$V${i}`).join(' && ');
    expect(tokenize(chain(99)).tokens).toHaveLength(99);
    expect(valid(chain(99))).toBe(true);
    expect(valid(`(${chain(97)}) `)).toBe(true);
    expect(kind(`(${chain(99)})`)).toBe('too-many-tokens');
    // The 100th token is refused even when it is the last: GitLab checks for the end before each token only.
    expect(kind(`${chain(97)} )`)).toBe('unmatched-parenthesis');
    expect(kind(`${chain(99)} )`)).toBe('too-many-tokens');
  });
});

describe('invalid expressions (GitLab: "invalid expression syntax")', () => {
  it.each([
    ['$CI_COMMIT_BRANCH = "main"', 'unknown-lexeme'],
    ['$CI_COMMIT_BRANCH == main', 'unknown-lexeme'],
    ['${CI_COMMIT_BRANCH} == "main"', 'unknown-lexeme'],
    ['$A == "main', 'unknown-lexeme'],
    ['$A == "x\ny"', 'unknown-lexeme'],
    ['!$A', 'unknown-lexeme'],
    ['$A and $B', 'unknown-lexeme'],
    ['$A =~ /a/', 'unknown-lexeme'],
    ['$A =~ main', 'unknown-lexeme'],
    ['$A == nullish', 'unknown-lexeme'],
    ['$A == trueish', 'unknown-lexeme'],
    ['', 'empty'],
    ['   \n\t', 'empty'],
    ['($A', 'unclosed-parenthesis'],
    ['$A)', 'unmatched-parenthesis'],
    ['($A))', 'unmatched-parenthesis'],
    ['$A &&', 'missing-operand'],
    ['|| $A', 'missing-operand'],
    ['$A && && $B', 'missing-operand'],
    ['$A ==', 'missing-operand'],
    ['$A $B', 'extra-operand'],
    ['$A == "x" $B', 'extra-operand'],
    ['()', 'empty-tree'],
    ['$A =~ /[ab/', 'invalid-pattern'],
    ['$A =~ /(?=x)ab/', 'invalid-pattern'],
    ['$A =~ /ab\\1/', 'invalid-pattern'],
    ['$A && $B =~ /x{2,1}/', 'invalid-pattern'],
  ])('%j: %s', (text, problem) => {
    expect(kind(text)).toBe(problem);
  });

  it('says where the lexer stopped, and what the bad pattern and operator are', () => {
    expect(expressionProblem('$A = "x"')).toEqual({ kind: 'unknown-lexeme', at: 3 });
    expect(expressionProblem('$A =~ /[ab/ || $B')).toMatchObject({
      kind: 'invalid-pattern',
      token: { lexeme: 'pattern', text: '/[ab/', start: 6, end: 11 },
      error: expect.stringContaining('missing closing ]'),
    });
    // `&&` binds tighter: it takes `$A` and `$B`, and `||` is left with one operand.
    expect(expressionProblem('$A || && $B')).toMatchObject({ kind: 'missing-operand', token: { lexeme: 'or', start: 3 } });
  });
});

describe('the lexer', () => {
  it('reads lexemes in GitLab order: an input block before a variable, a string before a pattern, null and booleans as words', () => {
    expect(tokenize('($[[ inputs.a ]]==$B)&&"x"!=/ab/||null=~true!~false').tokens.map((t) => t.lexeme)).toEqual([
      'parenthesis_open',
      'input',
      'equals',
      'variable',
      'parenthesis_close',
      'and',
      'string',
      'not_equals',
      'pattern',
      'or',
      'null',
      'matches',
      'boolean',
      'not_matches',
      'boolean',
    ]);
  });

  it('a pattern token runs to the first `/` not escaped that follows a character other than `\\`', () => {
    expect(tokenize('$A =~ /a\\/b/i || $B').tokens.map((t) => t.text)).toEqual(['$A', '=~', '/a\\/b/i', '||', '$B']);
  });

  it('never throws, and each token is the text at its position, whitespace between them', () => {
    const alphabet = fc.constantFrom(...'$AZ_09 \t\n()[]"\'/\\=~!&|.,inputs[[]]nulltruefalse{}'.split(''), '$[[ inputs.a ]]', '/ab/');
    const texts = fc.oneof(
      fc.string(),
      fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const { tokens } = tokenize(text);
        let end = 0;
        for (const token of tokens) {
          expect(text.slice(token.start, token.end)).toBe(token.text);
          expect(token.end).toBeGreaterThan(token.start);
          expect(text.slice(end, token.start)).toMatch(/^[ \t\n\v\f\r]*$/);
          end = token.end;
        }
        expect(tokens.length).toBeLessThanOrEqual(MAX_TOKENS);
        expressionProblem(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('a long unterminated pattern or string is read to its end and refused', () => {
    expect(kind(`$A =~ /${'a\\/'.repeat(50_000)}`)).toBe('unknown-lexeme');
    expect(kind(`$A == "${'x'.repeat(100_000)}`)).toBe('unknown-lexeme');
  });
});

describe("GitLab's own schema fixtures", () => {
  const root = join(import.meta.dirname, '../fixtures/gitlab-schema-tests/positive');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? files(path) : /\.ya?ml$/.test(entry) ? [path] : [];
    });
  /** Every string under an `if:` key or in a `variables:` list of `only:`/`except:`. */
  const conditions = (node: unknown, parent = ''): string[] => {
    if (Array.isArray(node))
      return node.flatMap((item) => (parent === 'variables' && typeof item === 'string' ? [item] : conditions(item)));
    if (node === null || typeof node !== 'object') return [];
    return Object.entries(node).flatMap(([key, value]) => (key === 'if' && typeof value === 'string' ? [value] : conditions(value, key)));
  };

  it('every condition in a positive fixture is a valid expression', () => {
    const found = files(root).flatMap((path) => conditions(parse(readFileSync(path, 'utf8'), { customTags, version: '1.1', merge: true })));
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((text) => !valid(text))).toEqual([]);
  });
});
