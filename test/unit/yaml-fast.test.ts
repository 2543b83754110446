/**
 * The fast composer (src/ci/yaml-fast.ts) against the yaml library (as cigen runs it: quoted
 * scalars scanned as Psych scans them), node by node: for every text it takes, the same documents
 * (values, types, ranges, anchors, tags, flow flags, the JavaScript value) and the same line
 * starts, and the library reports no error or warning; every other text it leaves to the library.
 * On every YAML file of the repository, on edge cases found while building it, on generated
 * pipelines, and on random mutations of the repository's files. Then quoted scalars over lines,
 * line breaks and refused characters against what Psych gives.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  Document,
  LineCounter,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import { describe, expect, it } from 'vitest';
import { TYPED_START, parseFast } from '../../src/ci/yaml-fast.js';
import {
  customTags,
  documentValue,
  doubleQuotedScalar,
  lastWriter,
  parseUserYaml,
  parseYamlDocument,
  parseYamlDocuments,
  psychQuotedValue,
  readingAsPsych,
  readUserYaml,
  stringifyBlockWithFlowLists,
  stringifyFlow,
  stringifyYaml,
  withYaml11Breaks,
  writeFlowWithDocument,
} from '../../src/ci/yaml.js';
import { readSource } from '../../src/ci/source.js';
import { renderBlock, renderBlockWithDocument } from '../../src/ci/splice.js';
import { Literal, Reference } from '../../src/ci/model.js';
import { CATALOG, sampleInputs } from '../../src/catalog/registry.js';
import { componentHeader, renderComponent } from '../../src/catalog/document.js';
import { headerInputs, instantiate, resolveInputs, splitComponentFile } from '../../src/ci/interpolation/index.js';
import { interpolateText } from '../../src/ci/interpolation/text.js';
import { chainPipeline, includePipeline, kanikoPipeline } from '../bench/generate.js';
import { documentsDifference } from '../helpers/yaml-compare.js';

/** Strings each of the writer's rules treats apart: indicators, YAML 1.1 scalars, document markers, breaks. */
const TRICKY_STRINGS = [
  '',
  'a',
  'a b',
  'yes',
  'no',
  'on',
  'null',
  '~',
  '1',
  '1.0',
  '0x1',
  '.inf',
  '-',
  '- a',
  'a: b',
  'a #b',
  '#a',
  ' a',
  'a ',
  '"q"',
  "'s'",
  'a\nb',
  'a\n',
  '\na',
  'x\u2028y',
  'p\u0085q',
  '[a]',
  '{a}',
  '*a',
  '&a',
  '!a',
  '|',
  '>',
  '%a',
  '@a',
  '`a',
  '---',
  '...',
  'a,b',
  'k:',
  ':k',
  '?k',
  'a\tb',
  '\\',
  '$[[ inputs.x ]]',
  'é',
  '2001-12-14',
  '1:20',
  'e3',
  '<<',
  'set -eu\n\n  echo a\n',
  'a\n\n\n',
  'a \nb\n',
  'a\n ',
  'a\t',
  ' a\nb\n',
  '\ta\n',
  'a\n\nb',
  'a\u0001b\n',
  'a\ud83d\ude00\n',
];

const ROOT = resolve(import.meta.dirname, '../..');
const options = (lineCounter: LineCounter) => ({
  version: '1.1' as const,
  customTags,
  lineCounter,
  prettyErrors: false,
  uniqueKeys: false,
  merge: true,
});

/** documentValue gives what the library's toJS gives (or throws what it throws), own keys and prototypes alike. */
function expectValueAsToJS(doc: Document, raw: string): void {
  const outcome = (read: () => unknown): unknown => {
    try {
      return { value: read() };
    } catch (error) {
      return { threw: (error as Error).message };
    }
  };
  const expected = outcome(() => doc.toJS({ maxAliasCount: 100 }));
  expect(
    isDeepStrictEqual(
      outcome(() => documentValue(doc, 100)),
      expected,
    ),
    JSON.stringify(raw),
  ).toBe(true);
}

/** 'fast' when the fast composer took the text (and agrees with the library), 'library' when it left it. */
function compare(raw: string): 'fast' | 'library' {
  const text = withYaml11Breaks(raw);
  const libraryLines = new LineCounter();
  const fastLines = new LineCounter();
  const library = readingAsPsych(() => parseAllDocuments(text, options(libraryLines)));
  const libraryDocuments = Array.isArray(library) ? library : [];
  for (const doc of libraryDocuments) expectValueAsToJS(doc, raw);
  const fast = parseFast(text, options(fastLines));
  if (!fast) return 'library';
  for (const doc of fast) expectValueAsToJS(doc, raw);
  const difference = documentsDifference(libraryDocuments, fast);
  expect(difference, JSON.stringify(raw)).toBeUndefined();
  expect(fastLines.lineStarts).toEqual(libraryLines.lineStarts);
  return 'fast';
}

function yamlFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.git' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry)) found.push(path);
  }
  return found;
}
const FILES = yamlFiles(ROOT);

describe('the fast composer builds what the yaml library builds', () => {
  it('on every YAML file in the repository', () => {
    const taken = FILES.filter((file) => compare(readFileSync(file, 'utf8')) === 'fast').map((file) => relative(ROOT, file));
    expect(FILES.length).toBeGreaterThan(100);
    // The catalog's templates and the pipelines the benchmarks and tests use take the fast path.
    for (const file of ['.gitlab-ci.yml', 'test/bench/fixtures/lint/typical.gitlab-ci.yml', 'test/bench/fixtures/lint/small.gitlab-ci.yml'])
      expect(taken).toContain(file);
    expect(taken.filter((file) => file.startsWith('templates/')).length).toBeGreaterThan(0);
    expect(taken.length / FILES.length).toBeGreaterThan(0.9);
  });

  it('on the pipelines the benchmarks generate', () => {
    expect(compare(chainPipeline(200))).toBe('fast');
    expect(compare(kanikoPipeline(40))).toBe('fast');
    for (const text of Object.values(includePipeline(400).files)) expect(compare(text)).toBe('fast');
  });

  it("on every component's text-mode instantiation, with its defaults and with non-default inputs", () => {
    let taken = 0;
    for (const component of CATALOG) {
      const file = splitComponentFile(renderComponent(component));
      for (const given of [{}, sampleInputs(component)]) {
        const { values, errors } = resolveInputs(headerInputs(file.header), given);
        expect(errors).toEqual([]);
        const text = interpolateText(file.contentText, { inputs: values }).text as string;
        if (compare(text) === 'fast') taken++;
      }
    }
    expect(taken).toBe(CATALOG.length * 2);
  });

  it.each([
    'a: 1\nb:\n  c: x y  # hi\n  d: "q"\ne: [1, two]\n',
    'a:\nb: |\n  line1\n  line2\n\nc: >-\n  x\n  y\n# end\n',
    '# head\n\na: 1\n# tail\n\n',
    'a:   # c\nb:  \nc:\n',
    '-\n- # c\n-   \n',
    'spec:\n  inputs:\n---\n# x\njob: 1\n',
    '---\na: 1\n',
    'a: [ x , y ]\nb: [x,y]\nc: { k: v }\n',
    'rules: [{"if":"$CI_COMMIT_TAG"}, {"a":1,"b":true, "c":[1,"x"], \'d\':{"e":null}}]\n',
    'a: [{"k":}]\nb: {"k":,}\nc: {"k":#x}\n',
    'a: &x\nb: &y 1\n',
    'a:\n  - x\n  - y: 1\n    z: 2\n  -   w\n\nb: [a, b]   # c\n',
    'a: &x\n  k: v\nb: *x\nc:\n  <<: *x\n  d: 1\n',
    'k: !reference [a, b]\n',
    'a: [[a], b]  # c\nc: {a: [1], b: {c: d}}\nd: ["", "x"  ]\n',
    'a: |\n  x\n\n\nb: 1\n',
    'a: |-\n  x\n  y\nb: >\n  p\n  q\n\n  r\n',
    'a:\n\n',
    'a: 1\n# c\n\n---\nb: 2',
    'a:\n---\nb: 1',
    'x:\n  a: 1\n  # c\n\nb: 2',
    'x:\n  y:\n    a: 1\n    # c\n  b: 2',
    'a: 1\n  # c\n\n  # d\nb: 2',
    'x:\n  a:\n  - p\n  # c\n  b: 1',
    'x:\n  s:\n    - p\n  # c\ny: 1',
    'x:\n  s: |\n    p\n  # c\ny: 1',
    'x:\n  a: 1\n  # c\n---\ny: 1',
    'x[1]:  # tail\n  "q k": \n   - *anc\n',
    '---\njob: 1\na b:  # tail\n\n---\nk: v\n',
    '-  # tail\n\n',
    'script:\n  - /kaniko/executor\n    --context "$CI_PROJECT_DIR"\n\n    --destination x  # c\n',
    'args: [-c, "a:b", \'c\']\n$[[ inputs.job-name ]]:\n  script: [echo]\n',
    'a: "\\x41\\u00e9\\t\\"q\\""\nb: \'it\'\'s\'\n',
  ])('%j', (text) => {
    compare(text);
  });

  it.each([
    'a: &x {k: 1}\nb: *x\n',
    'base: &b {k: 1, j: 2}\njob:\n  <<: *b\n  j: 3\n',
    'job:\n  "<<": {k: 1}\n',
    'job:\n  <<: {k: 1}\n  m: 2\n',
    's: !!set {a, b}\no: !!omap [{a: 1}]\n',
    '? [a, b]\n: c\n',
    '? {a: 1}\n: c\n',
    'constructor: 1\ntoString: [x]\n__proto__: {polluted: true}\n',
    'a: 1\na: 2\n',
    '1: a\ntrue: b\n~: c\n.nan: d\n1.0: e\n0x1F: f\n',
    'r: !reference [.base, script]\n',
    's: !!str 1\nb: !!binary aGVsbG8=\n',
    '',
    '# only a comment\n',
    '- [1, [2, [3]]]\n',
  ])('documentValue is toJS, or leaves it to toJS: %j', (text) => {
    compare(text);
  });

  it('takes JSON-like flow maps, the text an array input of objects interpolates to', () => {
    expect(compare('rules: [{"if":"$CI_COMMIT_TAG"}, {"a":1,"b":true, "c":[1,"x"], \'d\':{"e":null}}]\n')).toBe('fast');
  });

  it('leaves to the library what it does not take (a tab, a multi-line flow, a directive, an error)', () => {
    for (const text of [
      'a:\t1\n',
      'a: [1,\n  2]\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: b: c\n',
      'a: "x\n  y"\n',
      '? a\n: b\n',
      'a: !!str 1\n',
      'a:\n  - "x\ny"\n',
      "a:\n  - 'x\u2028y'\n",
    ]) {
      expect(parseFast(withYaml11Breaks(text), options(new LineCounter())), text).toBeUndefined();
      compare(text);
    }
  });

  it('property: random edits of the repository files', () => {
    const sources = FILES.map((file) => readFileSync(file, 'utf8')).filter((text) => text.length < 20_000);
    const edit = fc.record({
      line: fc.nat(),
      kind: fc.nat({ max: 9 }),
      pick: fc.nat({ max: 11 }),
      width: fc.nat({ max: 6 }),
    });
    fc.assert(
      fc.property(fc.nat({ max: sources.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (index, edits) => {
        const lines = (sources[index] as string).split('\n');
        for (const { line, kind, pick, width } of edits) {
          const i = line % lines.length;
          const text = lines[i] ?? '';
          const indent = text.length - text.trimStart().length;
          const choose = <T>(list: readonly T[]): T => list[pick % list.length] as T;
          switch (kind) {
            case 0:
              lines.splice(i, 0, `${' '.repeat(width)}# edited`);
              break;
            case 1:
              lines.splice(i, 0, choose(['', '  ', ' '.repeat(width)]));
              break;
            case 2:
              lines[i] = ` ${text}`;
              break;
            case 3:
              lines[i] = text.slice(1);
              break;
            case 4:
              lines[i] = text + choose(['  ', ' # t', ':', ' x', '  # c']);
              break;
            case 5:
              lines.splice(i, 1);
              break;
            case 6:
              lines.splice(i, 0, text);
              break;
            case 7:
              lines[i] =
                ' '.repeat(indent) + choose(['- ', '', '? ', '&a ', '*a ', '"', "'", '[', '{', '!x ', '|', '- - ']) + text.trimStart();
              break;
            case 8:
              lines.splice(i + 1, 0, ' '.repeat(indent + width) + choose(['cont', '--x y', 'k: v', '- i', '# c', '"q"', '|', '[a]']));
              break;
            default:
              lines[i] = text.replace(
                /: /,
                choose([':  ', ': &b ', ': *b ', ': !reference ', ': "', ": '", `: |\n${' '.repeat(indent + 2)}`]),
              );
          }
        }
        compare(lines.join('\n'));
      }),
      { numRuns: 1500 },
    );
  });

  it('a plain scalar that starts with no character of TYPED_START is a string under every tag of the schema', () => {
    const tags = (
      new Document(undefined, { version: '1.1', customTags, merge: true }).schema.tags as { test?: RegExp; default?: unknown }[]
    ).filter((tag) => tag.test && tag.default);
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const rest = [
      '',
      ...printable,
      'ull',
      'ULL',
      'es',
      'ES',
      'rue',
      'n',
      'ff',
      'alse',
      '0',
      '1',
      'x1',
      'b1',
      '.5',
      'e3',
      ':30',
      'nf',
      'nan',
      '<',
    ];
    const starts = [...printable, 'ſ', 'K', 'İ', 'ı', '０'];
    let checked = 0;
    for (const first of starts)
      for (const tail of rest) {
        const value = first + tail;
        const typed = tags.some((tag) => tag.test?.test(value));
        const code = first.charCodeAt(0);
        if (typed) expect(code < 128 && TYPED_START[code] === 1, value).toBe(true);
        checked++;
      }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('parseYamlDocuments takes the fast path and finds duplicate keys on it too', () => {
    const { documents } = parseYamlDocuments('a: 1\nb: 2\na: 3\n');
    expect(documents[0]?.errors.map((e) => [e.code, e.pos[0]])).toEqual([['DUPLICATE_KEY', 10]]);
    expect(parseFast('a: 1\nb: 2\na: 3\n', options(new LineCounter()))).toBeDefined();
  });

  it("its nodes are the library's: classes, identity checks, own keys, clone and methods", () => {
    const text = 'a: [x, {k: 1}]\nb:\n  - c\n';
    const [fast] = parseFast(text, options(new LineCounter())) ?? [];
    const [library] = parseAllDocuments(text, options(new LineCounter())) as Document.Parsed[];
    const a = fast?.contents as YAMLMap<Scalar, YAMLSeq>;
    const pair = a.items[0] as Pair<Scalar, YAMLSeq>;
    const seq = pair.value as YAMLSeq;
    const scalar = seq.items[0] as Scalar;
    const flowMap = seq.items[1] as YAMLMap;
    expect([a instanceof YAMLMap, pair instanceof Pair, seq instanceof YAMLSeq, scalar instanceof Scalar]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([isMap(a), isPair(pair), isSeq(seq), isScalar(scalar), isNode(pair), isCollection(flowMap)]).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
    expect([isMap(seq), isSeq(a), isScalar(pair), isPair(scalar)]).toEqual([false, false, false, false]);
    // The same enumerable own keys as the library's nodes (`schema` is not one of them; `range` is
    // an accessor over three numbers), and the same schema.
    const libraryMap = library?.contents as YAMLMap<Scalar, YAMLSeq>;
    const libraryPair = libraryMap.items[0] as Pair<Scalar, YAMLSeq>;
    const keys = (node: object) =>
      Object.keys(node)
        .filter((key) => key !== 'range')
        .sort();
    expect(keys(a)).toEqual(keys(libraryMap));
    expect(keys(pair)).toEqual(keys(libraryPair));
    expect(keys(scalar)).toEqual(keys(libraryPair.value?.items[0] as Scalar));
    expect(a.schema).toBe(fast?.schema);
    // The library's methods work on them: clone (a copy with its own range), get, toJSON, toString.
    const copy = a.clone();
    expect(isMap(copy) && copy !== a && copy.get('b') !== undefined).toBe(true);
    expect(copy.range).toEqual(a.range);
    expect(a.get('a')).toBe(seq);
    expect(scalar.toString()).toBe('x');
    expect(JSON.stringify(fast)).toBe(JSON.stringify(library));
  });
});

describe('stringifyYaml writes what the yaml library writes, without a Document', () => {
  const written: string[] = [];
  const both = (value: unknown): [string, string] => {
    const fast = stringifyYaml(value);
    written.push(lastWriter);
    process.env['CIGEN_YAML_FAST'] = '0';
    try {
      return [fast, stringifyYaml(value)];
    } finally {
      delete process.env['CIGEN_YAML_FAST'];
    }
  };

  it('every component: header, jobs, and each instantiation', () => {
    for (const component of CATALOG) {
      for (const value of [componentHeader(component), component.jobs()]) {
        const [fast, library] = both(value);
        expect(fast).toBe(library);
      }
      const file = splitComponentFile(renderComponent(component));
      for (const given of [{}, sampleInputs(component)]) {
        const instance = instantiate(file, given, 'classic');
        const [fast, library] = both(instance.content);
        expect(fast).toBe(library);
      }
    }
    // Every one of them without a Document.
    expect(written.length).toBeGreaterThan(CATALOG.length * 3);
    expect(written.every((writer) => writer === 'fast')).toBe(true);
  });

  it('a Literal with an anchor: written in full once, with its anchor, then as its alias; it reads back the same', () => {
    const library = new Literal('set -eu\necho library\n', 'cigen-library');
    const jobs = {
      build: { script: [library, new Literal('echo build\n')] },
      sign: { script: [library, new Literal('echo sign\n')] },
      single: { script: [new Literal('echo alone\n', 'alone')] },
    };
    const [fast, slow] = both(jobs);
    expect(fast).toBe(slow);
    expect(fast.match(/&cigen-library \|/g)).toHaveLength(1);
    expect(fast.match(/- \*cigen-library$/gm)).toHaveLength(1);
    // Used once: no anchor written.
    expect(fast).not.toContain('&alone');
    const [doc] = parseYamlDocuments(fast).documents;
    expect(doc?.toJS()).toEqual({
      build: { script: ['set -eu\necho library\n', 'echo build\n'] },
      sign: { script: ['set -eu\necho library\n', 'echo sign\n'] },
      single: { script: ['echo alone\n'] },
    });
  });

  it('one anchor on two different texts is refused by both writers', () => {
    const value = { a: [new Literal('x\n', 'same')], b: [new Literal('y\n', 'same')] };
    expect(() => stringifyYaml(value)).toThrow('two different texts under the YAML anchor &same');
    process.env['CIGEN_YAML_FAST'] = '0';
    try {
      expect(() => stringifyYaml(value)).toThrow('two different texts under the YAML anchor &same');
    } finally {
      delete process.env['CIGEN_YAML_FAST'];
    }
  });

  it('a string is written as the library writes it in each place, whichever place wrote it first', () => {
    // The fast writer keeps the text of each single-line string per kind of place: the text must
    // not depend on what it does not key on (the indentation, a key at the top or nested).
    for (const text of TRICKY_STRINGS) {
      const values = [
        { a: { b: { [text]: text, c: [text] } } },
        { [text]: text, l: [text, { [text]: [text] }] },
        [text, { [text]: { [text]: text } }],
        { r: new Reference([text, text]), [text]: new Reference([text]) },
      ];
      for (const value of [...values, ...values.reverse()]) {
        const [fast, library] = both(value);
        expect(fast, JSON.stringify(text)).toBe(library);
      }
    }
  });

  it('property: random values', () => {
    const strings = fc.oneof(fc.constantFrom(...TRICKY_STRINGS), fc.string());
    const scalar = fc.oneof(
      strings,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      strings.map((text) => new Literal(text)),
      // Anchored: written once with the anchor, as an alias after.
      fc.constantFrom(new Literal('set -eu\necho a\n', 'library'), new Literal('b', 'other')),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        tie('array'),
        tie('object'),
        fc.array(strings, { maxLength: 3 }).map((p) => new Reference(p)),
      ),
      array: fc.array(tie('node'), { maxLength: 4 }),
      object: fc.dictionary(strings, tie('node'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(fc.oneof(value.object, value.array), (input) => {
        const [fast, library] = both(input);
        expect(fast).toBe(library);
      }),
      { numRuns: 3000 },
    );
  });

  it('escapes NEL, LS, PS and the C1 controls wherever the fast writer wrote them: a key or a value again from its cache, a literal block', () => {
    const values = [
      { 'k\u2028': 'v', other: 'w' },
      { 'k\u2028': 'v', again: { 'k\u2028': 'v' } },
      { a: 'x\u2029y' },
      { script: new Literal('echo \u2028 there\n'), b: 'plain' },
      { script: [new Literal('echo a\u2029\necho b')] },
      ['p\u0085q', 'p\u0085q'],
    ];
    for (const value of values)
      for (let round = 0; round < 2; round++) {
        const [fast, library] = both(value);
        expect(written.at(-1)).toBe('fast');
        expect(fast).toBe(library);
        expect(fast).not.toMatch(/[\x7f-\x9f\u2028\u2029]/);
      }
    // And a text without one is written as it is.
    expect(stringifyYaml({ script: new Literal('echo é\n') })).toBe('script: |\n  echo é\n');
  });

  it('DEL and the C1 controls, which libyaml refuses raw ("control characters are not allowed"), are escapes; the text reads back', () => {
    const value = { 'key\x7f': 'x\x7fy', c1: ['\x80', 'a\x9fb', 'p\x85q'], literal: new Literal('echo \x9b\n') };
    for (const fastPath of [true, false]) {
      if (!fastPath) process.env['CIGEN_YAML_FAST'] = '0';
      try {
        const text = stringifyYaml(value);
        expect(text).toBe('"key\\x7F": "x\\x7Fy"\nc1:\n  - "\\x80"\n  - "a\\x9Fb"\n  - "p\\Nq"\nliteral: "echo \\x9B\\n"\n');
        expect(text).not.toMatch(/[\x7f-\x9f]/);
        expect(parseYamlDocuments(text).documents[0]?.toJS()).toEqual({ ...value, literal: 'echo \x9b\n' });
      } finally {
        delete process.env['CIGEN_YAML_FAST'];
      }
    }
  });

  it('doubleQuotedScalar: one double-quoted line, JSON escapes and YAML escapes for what JSON leaves raw', () => {
    expect(doubleQuotedScalar('a\nb "c" \x7f \x85 \u2028 \u2029 é')).toBe('"a\\nb \\"c\\" \\x7F \\N \\L \\P é"');
    const [doc] = parseYamlDocuments(`k: ${doubleQuotedScalar('a\nb "c" \x7f \x85 \u2028 é')}\n`).documents;
    expect(doc?.toJS()).toEqual({ k: 'a\nb "c" \x7f \x85 \u2028 é' });
  });
});

/** Random plain data (strings, numbers, booleans, nulls when asked, in lists and mappings), a list or a mapping at the top. */
function plainData(withNull: boolean): fc.Arbitrary<unknown> {
  const strings = fc.oneof(fc.constantFrom(...TRICKY_STRINGS), fc.string());
  const scalars = [strings, fc.integer(), fc.double(), fc.boolean(), ...(withNull ? [fc.constant(null)] : [])];
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, fc.oneof(...scalars), tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 4 }),
    object: fc.dictionary(strings, tie('node'), { maxKeys: 4 }),
  }));
  return fc.oneof(value.object, value.array);
}

describe('stringifyFlow writes what the yaml library writes in flow style, on one line', () => {
  it('the sample of every input of the catalog, as its page shows it', () => {
    for (const component of CATALOG)
      for (const [name, input] of Object.entries(component.inputs)) {
        const value = { [name]: input.sample };
        expect(stringifyFlow(value), `${component.name} ${name}`).toBe(writeFlowWithDocument(value));
      }
    expect(stringifyFlow({ tags: ['1.2.3', '$CI_COMMIT_REF_SLUG'] })).toBe('{ tags: [ 1.2.3, $CI_COMMIT_REF_SLUG ] }');
    expect(stringifyFlow({ registries: [{ host: 'docker.io', user: '$U' }] })).toBe('{ registries: [ { host: docker.io, user: $U } ] }');
    // YAML 1.1, as GitLab reads it: `on` is a boolean there, so the string is quoted.
    expect(stringifyFlow({ a: ['on', 'x,y', 'é'], b: [], c: {} })).toBe('{ a: [ "on", "x,y", é ], b: [], c: {} }');
  });

  it('what it does not lay out (a null, a line break, an empty key, a Literal) the library writes', () => {
    for (const value of [{ a: null }, { a: 'x\ny' }, { '': 1 }, ['p\u2028q'], { l: new Literal('x') }, { k: '\x85' }])
      expect(stringifyFlow(value)).toBe(doubleQuotedEscapes(writeFlowWithDocument(value)));
  });

  it('property: random values', () => {
    fc.assert(
      fc.property(plainData(false), (input) => {
        expect(stringifyFlow(input)).toBe(doubleQuotedEscapes(writeFlowWithDocument(input)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('renderBlock: block YAML with lists of scalars in flow style, by the fast writer as the library writes it', () => {
  it('the include entries of every component page, and what init writes', () => {
    for (const component of CATALOG) {
      const entry = [{ component: `$CI_SERVER_FQDN/group/cigen/${component.name}@1`, inputs: component.usage }];
      expect(stringifyBlockWithFlowLists(entry), component.name).toBe(renderBlockWithDocument(entry));
    }
    expect(renderBlock([{ component: 'x/y@1', inputs: { tags: ['v1', 'latest'], push: false, n: 2, r: [{ host: 'h' }] } }])).toBe(
      '- component: x/y@1\n  inputs:\n    tags: [v1, latest]\n    push: false\n    n: 2\n    r:\n      - host: h\n',
    );
  });

  it('quotes what Psych would read as another type, as GitLab reads it: `:name` is a Symbol there, `on` a boolean', () => {
    expect(renderBlock({ a: ':name', b: ['y', ':sym'], c: 'on' })).toBe('a: ":name"\nb: [y, ":sym"]\nc: "on"\n');
    expect(renderBlockWithDocument({ a: ':name', b: ['y', ':sym'], c: 'on' })).toBe('a: ":name"\nb: [y, ":sym"]\nc: "on"\n');
  });

  it('property: random values, the library writing what the fast writer does not lay out', () => {
    fc.assert(
      fc.property(plainData(true), (input) => {
        expect(renderBlock(input)).toBe(renderBlockWithDocument(input));
      }),
      { numRuns: 2000 },
    );
  });
});

/** The library's text with the escapes stringifyYaml and stringifyFlow give what it leaves raw in double quotes. */
const doubleQuotedEscapes = (text: string): string =>
  text.replace(
    /[\x7f-\x9f\u2028\u2029]/g,
    (c) => ({ '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' })[c] ?? `\\x${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

describe('plain scalars as Psych reads them (Psych::ScalarScanner#tokenize), on both paths', () => {
  // [plain scalar, what Psych 5 gives]
  const TABLE: [string, unknown][] = [
    ['1e3', '1e3'],
    ['1.0e3', '1.0e3'],
    ['e3', 'e3'],
    ['1.0e+3', 1000],
    ['1.e-1', 0.1],
    ['1,000', 1000],
    ['1_000', 1000],
    ['1_0,0_0', 1000],
    // Base 10: each `_` or `,` is followed by a digit (Psych's INTEGER_LEGACY); else a string.
    ['1_', '1_'],
    ['1,', '1,'],
    ['1__0', '1__0'],
    ['1,,000', '1,,000'],
    ['-1_,0', '-1_,0'],
    ['0_7', 7],
    ['0x1_f,', 31],
    ['1,000.5', 1000.5],
    ['09', '09'],
    ['017', 15],
    ['0x1F', 31],
    ['0b101', 5],
    ['-12', -12],
    ['1.5_', '1.5_'],
    ['.5', 0.5],
    ['.', '.'],
    ['1:30', 5400],
    ['1:30:15', 5415],
    // Each part by Ruby's to_i: `1__0` is 1.
    ['1_0:30', 37800],
    ['1__0:30', 5400],
    ['1__0:30.5', 5430],
    ['1:2:3:4', '1:2:3:4'],
    ['.Inf', Infinity],
    ['-.iNF', -Infinity],
    ['.nAn', NaN],
    ['nULL', null],
    ['~', null],
    ['oN', true],
    ['OFF', false],
    ['y', 'y'],
    ['n', 'n'],
  ];
  const text = `${TABLE.map(([scalar], i) => `k${i}: ${scalar}`).join('\n')}\n`;
  for (const fast of ['1', '0'])
    it(`reads each scalar as Psych does (CIGEN_YAML_FAST=${fast})`, () => {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        const value = parseYamlDocuments(text).documents[0]?.toJS() as Record<string, unknown>;
        expect(TABLE.map(([scalar], i) => [scalar, value[`k${i}`]])).toEqual(TABLE);
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    });
  it('`1_` and `1` are two keys, as for Psych (`1_` is a string)', () => {
    for (const fast of ['1', '0']) {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        const [doc] = parseYamlDocuments('1_: a\n1: b\n1,,0: c\n').documents;
        expect(doc?.errors).toEqual([]);
        expect(doc?.toJS()).toEqual({ '1_': 'a', 1: 'b', '1,,0': 'c' });
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    }
    expect(parseUserYaml('1_: a\n1: b\n')).toEqual({ '1_': 'a', 1: 'b' });
  });
  it("a timestamp or a date is an error at its scalar, with Psych's words (GitLab permits no Time, no Date)", () => {
    const text =
      'variables:\n  D: 2024-01-01\n  T: 2024-1-1 10:00:00 +01:00\n  M: 2024-13-01\n  Q: "2024-01-01"\n  -2024-01-01t1:00:00Z: x\n';
    for (const fast of ['1', '0']) {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        const [doc] = parseYamlDocuments(text).documents;
        expect(doc?.errors.map((error) => [error.message.split('\n')[0], error.pos[0]])).toEqual([
          ['Tried to load unspecified class: Date', text.indexOf('2024-01-01')],
          ['Tried to load unspecified class: Time', text.indexOf('2024-1-1')],
          ['Tried to load unspecified class: Time', text.indexOf('-2024')],
        ]);
        // Psych's date has a month of at most 12: `2024-13-01` is a string.
        expect((doc?.toJS() as { variables: Record<string, unknown> }).variables['M']).toBe('2024-13-01');
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    }
    expect(() => parseUserYaml('stage: 2024-01-01\n')).toThrow('1:8: Tried to load unspecified class: Date');
    // Written quoted (`2024-13-01` as well: the 1.1 spec's timestamp, which the writer quotes too).
    expect(stringifyYaml({ a: '2024-01-01', b: '-2024-01-01 1:00:00', c: '2024-13-01' })).toBe(
      'a: "2024-01-01"\nb: "-2024-01-01 1:00:00"\nc: "2024-13-01"\n',
    );
  });
  it("`!!binary` is the string its base64 holds, as Psych's unpack('m') reads it", () => {
    const text = 'a: !!binary aGVsbG8=\nb: !!binary |\n  aGVs\n  bG8gd29y\n  bGQ=\n';
    for (const fast of ['1', '0']) {
      const saved = process.env['CIGEN_YAML_FAST'];
      process.env['CIGEN_YAML_FAST'] = fast;
      try {
        const [doc] = parseYamlDocuments(text).documents;
        expect(doc?.errors).toEqual([]);
        expect(doc?.toJS()).toEqual({ a: 'hello', b: 'hello world' });
      } finally {
        if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
        else process.env['CIGEN_YAML_FAST'] = saved;
      }
    }
    expect(parseUserYaml('a: !!binary aGk=\n')).toEqual({ a: 'hi' });
  });
  it('a string Psych would read as a Symbol (`:` and one more character) is written quoted', () => {
    const value = { a: ':ctx', b: ':8080', c: ':/path', d: ':a b', e: ':"q"', f: ':', g: 'a:b' };
    const text = stringifyYaml(value);
    expect(text).toBe('a: ":ctx"\nb: ":8080"\nc: ":/path"\nd: ":a b"\ne: \':"q"\'\nf: ":"\ng: a:b\n');
    expect(parseUserYaml(text)).toEqual(value);
  });
  it('a value a person gives (-i, --inputs) is read the same way', () => {
    expect(parseUserYaml('a: 1e3\nb: 1,000\nc: 1.0e+3\n')).toEqual({ a: '1e3', b: 1000, c: 1000 });
  });
  it('a string either reading takes for a number stays quoted when written', () => {
    expect(stringifyYaml({ a: '1e3', b: '1,000', c: '09', d: '1.0e+3', e: 'plain' })).toBe(
      'a: "1e3"\nb: "1,000"\nc: "09"\nd: "1.0e+3"\ne: plain\n',
    );
  });
});

/** Runs `check` on the fast path, then on the library alone (CIGEN_YAML_FAST=0). */
function onBothPaths(check: () => void): void {
  for (const fast of ['1', '0']) {
    const saved = process.env['CIGEN_YAML_FAST'];
    process.env['CIGEN_YAML_FAST'] = fast;
    try {
      check();
    } finally {
      if (saved === undefined) delete process.env['CIGEN_YAML_FAST'];
      else process.env['CIGEN_YAML_FAST'] = saved;
    }
  }
}

const errorsOf = (text: string): string[] => parseYamlDocuments(text).documents.flatMap((doc) => doc.errors.map((error) => error.message));

describe('quoted scalars over lines, line breaks and refused characters, as Psych reads them (Psych 4.0.3, libyaml 0.2.5)', () => {
  // [text, what GitLab's YAML.safe_load gives]: a quoted scalar's lines need no indentation there.
  const READ: [string, unknown][] = [
    ['job:\n  stage: build\n  script:\n    - "echo line1\nline2"\n', { job: { stage: 'build', script: ['echo line1 line2'] } }],
    ["job:\n  script:\n    - 'echo line1\nline2'\n", { job: { script: ['echo line1 line2'] } }],
    ['a: "x\ny"\n', { a: 'x y' }],
    ['a:\n  b: "x\n\ny"\n', { a: { b: 'x\ny' } }],
    ['a:\n  b: "x\n\n\ny"\n', { a: { b: 'x\n\ny' } }],
    ['a:\n  b: "x  \n   \n  y  "\n', { a: { b: 'x\ny  ' } }],
    ['a:\n  b: "x\\\ny"\n', { a: { b: 'xy' } }],
    // An escaped line break keeps the empty lines after it (the yaml library made them a space).
    ['a:\n  b: "x\\\n\ny"\n', { a: { b: 'x\ny' } }],
    ['a:\n  b: "x\n#c\n- y: z"\n', { a: { b: 'x #c - y: z' } }],
    ['a:\n  b: "x\n"\n  c: 1\n', { a: { b: 'x ', c: 1 } }],
    ['a:\n  b: "x\ny"\nc: 1\n', { a: { b: 'x y' }, c: 1 }],
    ['a:\n  - [ "x\ny", z ]\n  - { k: "x\ny" }\n', { a: [['x y', 'z'], { k: 'x y' }] }],
    ['a:\n  b: "x\n\t\ty"\n', { a: { b: 'x y' } }],
    ['a:\n  b: "x\r\ny"\n', { a: { b: 'x y' } }],
    ["a:\n  b: 'it''s\nhere'\n", { a: { b: "it's here" } }],
    ['a: &q "x\ny"\nb: *q\n', { a: 'x y', b: 'x y' }],
    ['a:\n  b: "x\n---y"\n', { a: { b: 'x ---y' } }],
    // LS and PS break lines, and stay in the value; NEL and a lone CR are line feeds.
    ['a:\n  b: "x\u2028y"\n', { a: { b: 'x\u2028y' } }],
    ['a:\n  b: "x \u2029 y"\n', { a: { b: 'x\u2029y' } }],
    ['a:\n  b: "x\u0085  y"\n', { a: { b: 'x y' } }],
    ["a:\n  b: 'x\u2028y'\n", { a: { b: 'x\u2028y' } }],
    ['a:\n  b: "x\n\u2028y"\n', { a: { b: 'x\u2028y' } }],
    ['a:\n  b: "x\u2028\n  y"\n', { a: { b: 'x\u2028\ny' } }],
    ['a: "x\ry"\n', { a: 'x y' }],
    ['a: x\r\nb: 1\n', { a: 'x', b: 1 }],
    // Tab, NEL, NBSP, BOM, U+FFFD and beyond U+FFFF are characters Psych takes.
    ['a: "x\ty \u0085 \u00a0 \ufeff \ufffd \ud83d\ude00"\n', { a: 'x\ty \u00a0 \ufeff \ufffd \ud83d\ude00' }],
  ];
  it.each(READ)('%j', (text, expected) => {
    onBothPaths(() => {
      expect(errorsOf(text)).toEqual([]);
      expect(parseYamlDocuments(text).documents[0]?.toJS()).toEqual(expected);
      expect(parseYamlDocument(text).toJS()).toEqual(expected);
    });
  });

  it.each([
    // A document marker at the start of a line of a quoted scalar, a key over two lines, a lone CR
    // that leaves a plain scalar's next line unindented: errors to Psych too.
    'a:\n  b: "x\n---\ny"\n',
    'a:\n  b: "x\n...\ny"\n',
    'a:\n  "x\ny": 1\n',
    'a: x\ry\n',
  ])('refused, as by Psych: %j', (text) => {
    onBothPaths(() => {
      expect(errorsOf(text)).not.toEqual([]);
      expect(parseYamlDocument(text).errors).not.toEqual([]);
    });
  });

  it.each([
    ['a: "x\u0000y"\n', 5, 'U+0000'],
    ['a: "x\u001by"\n', 5, 'U+001B'],
    ['a: x\u007fy\n', 4, 'U+007F'],
    ['a: "x\u0080y"\n', 5, 'U+0080'],
    ['a: "x\u009fy"\n', 5, 'U+009F'],
    ['a: x\ufffey\n', 4, 'U+FFFE'],
    ['# \uffff\na: 1\n', 2, 'U+FFFF'],
    ['a: 1\n---\nb: [x, "y\u0001"]\n', 18, 'U+0001'],
  ])('a character Psych refuses is an error where it is written: %j', (text, offset, code) => {
    const message = `control characters are not allowed (${code}): GitLab's YAML reader refuses the whole file`;
    onBothPaths(() => {
      const refused = parseYamlDocuments(text).documents.flatMap((doc) =>
        doc.errors.filter((error) => (error.code as string) === 'REFUSED_CHARACTER'),
      );
      expect(refused.map((error) => [error.pos[0], error.message])).toEqual([[offset, message]]);
      expect(parseYamlDocument(text.replace(/^a: 1\n---\n/, '')).errors.map((error) => error.message)).toContain(message);
    });
  });

  it('keeps every position: the lines after a quoted scalar over lines with LS, NEL and a lone CR, and the scalar itself', () => {
    const text = 'a:\n  b: "x\ny\u2028z\u0085w\rv"\n  b: 2\n';
    onBothPaths(() => {
      const { documents, lineCounter } = parseYamlDocuments(text);
      const [doc] = documents;
      expect(doc?.errors.map((error) => [error.code, lineCounter.linePos(error.pos[0])])).toEqual([['DUPLICATE_KEY', { line: 7, col: 3 }]]);
      const scalar = ((doc?.contents as YAMLMap).items[0]?.value as YAMLMap).items[0]?.value as Scalar;
      expect([scalar.value, scalar.type, scalar.range?.slice(0, 2)]).toEqual([
        'x y\u2028z w v',
        Scalar.QUOTE_DOUBLE,
        [text.indexOf('"'), text.lastIndexOf('"') + 1],
      ]);
    });
  });

  it('the comments cigen migrate carries are those Psych reads: none inside a quoted scalar, one after a lone CR', () => {
    const source = readSource('ci.yml', 'job:\n  script:\n    - "echo a\n# not a comment\nb"  # one\n  stage: x # two\rb: 1\n');
    expect(source.comments.map((comment) => comment.text)).toEqual(['# one', '# two']);
    expect(source.doc.toJS()).toEqual({ job: { script: ['echo a # not a comment b'], stage: 'x' }, b: 1 });
  });

  it('reads so only while cigen reads: the yaml library is left as it was', () => {
    const text = 'a:\n  - "x\ny"\n';
    const errors = () => (parseAllDocuments(text) as Document.Parsed[]).flatMap((doc) => doc.errors.map((error) => error.code));
    expect(errors()).toContain('MISSING_CHAR');
    expect(readingAsPsych(errors)).toEqual([]);
    expect(errors()).toContain('MISSING_CHAR');
    expect(() =>
      readingAsPsych(() => {
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(errors()).toContain('MISSING_CHAR');
  });

  it('property: the indentation of the lines of a quoted scalar changes nothing, and its value is the one Psych folds', () => {
    const DOUBLE = [
      'a',
      'b c',
      ' ',
      '\t',
      '\n',
      '\n\n',
      '\r\n',
      '\r',
      '\u0085',
      '\u2028',
      '\u2029',
      '\\n',
      '\\\n',
      '\\ ',
      '\\"',
      '\\\\',
      '\\L',
      '\\x41',
      '#',
      ': ',
      '- ',
      "'",
      '---',
      '\n#c',
      'é',
    ];
    const SINGLE = [
      'a',
      'b c',
      ' ',
      '\t',
      '\n',
      '\n\n',
      '\r\n',
      '\r',
      '\u0085',
      '\u2028',
      '\u2029',
      "''",
      '\\',
      '"',
      '#',
      ': ',
      '- ',
      '---',
      '\n#c',
      'é',
    ];
    const PLACES: [(raw: string) => string, (value: unknown) => unknown][] = [
      [(raw) => `a:\n  b: ${raw}\nc: 1\n`, (value) => (value as { a: { b: unknown } }).a.b],
      [(raw) => `a:\n  - ${raw}\n  - z\n`, (value) => (value as { a: unknown[] }).a[0]],
      [(raw) => `a: [ ${raw}, z ]\n`, (value) => (value as { a: unknown[] }).a[0]],
    ];
    const scalar = fc.oneof(
      fc.array(fc.constantFrom(...DOUBLE), { minLength: 1, maxLength: 8 }).map((parts) => `"${parts.join('')}"`),
      fc.array(fc.constantFrom(...SINGLE), { minLength: 1, maxLength: 8 }).map((parts) => `'${parts.join('')}'`),
    );
    fc.assert(
      fc.property(scalar, fc.nat({ max: 6 }), fc.nat({ max: PLACES.length - 1 }), (raw, indent, place) => {
        const [write, read] = PLACES[place] as (typeof PLACES)[number];
        const indented = raw.replace(/(\r\n|[\n\r\u0085\u2028\u2029])(?=[^\n\r\u0085\u2028\u2029])/g, `$1${' '.repeat(indent)}`);
        const values = [raw, indented].map((written) => {
          const expected = psychQuotedValue(written);
          const text = write(written);
          const { documents } = parseYamlDocuments(text);
          const errors = documents.flatMap((doc) => doc.errors);
          // Refused by Psych: an error, or (where the library ends the scalar at a document marker
          // just after an escaped quote, as it did before) a second document.
          if (expected === undefined) expect(errors.length > 0 || documents.length > 1, JSON.stringify(text)).toBe(true);
          else {
            expect(errors, JSON.stringify(text)).toEqual([]);
            expect(read(documents[0]?.toJS()), JSON.stringify(text)).toBe(expected);
          }
          return expected;
        });
        if (values[0] !== undefined && values[1] !== undefined) expect(values[1]).toBe(values[0]);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('readUserYaml', () => {
  it("where a person's file writes each top-level key and its value (for render --inputs' file:line:col)", () => {
    const { places } = readUserYaml('# x\na: 1\n"b":   [x]\nc:\nd: &n !!str 5\ne: *n\nf: ~\ng:\n  - y\n');
    expect(Object.fromEntries(places)).toEqual({
      a: { key: { line: 2, column: 1 }, value: { line: 2, column: 4 } },
      b: { key: { line: 3, column: 1 }, value: { line: 3, column: 8 } },
      // Nothing written: the value is at its key, not past the end of the line.
      c: { key: { line: 4, column: 1 }, value: { line: 4, column: 1 } },
      d: { key: { line: 5, column: 1 }, value: { line: 5, column: 13 } },
      e: { key: { line: 6, column: 1 }, value: { line: 6, column: 4 } },
      f: { key: { line: 7, column: 1 }, value: { line: 7, column: 4 } },
      g: { key: { line: 8, column: 1 }, value: { line: 9, column: 3 } },
    });
  });
});
