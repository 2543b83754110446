/**
 * Lint never throws and never hangs, whatever the bytes: fast-check mutations of valid
 * pipelines, random bytes, deep nesting, alias bombs and a 5 MB file. Each run returns
 * diagnostics (or none); a hang is caught by the test's timeout, never by timing a run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/ci/diagnostics.js';
import { lintText } from '../../src/lint/lint-text.js';
import { componentText } from '../helpers/job.js';
import { catalogHost } from '../helpers/lint-host.js';

const VALID = `stages: [build, test, deploy]
variables:
  GIT_DEPTH: "10"
.defaults: &defaults
  image: alpine:3.20
  before_script: [echo setup]
build:
  <<: *defaults
  stage: build
  script:
    - make build
    - !reference [.defaults, before_script]
  artifacts:
    paths: [dist/]
test:
  extends: .defaults
  stage: test
  needs: [build]
  script: make test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
deploy:
  stage: deploy
  script: [./deploy.sh]
  environment: {name: production, url: "https://example.com"}
  when: manual
`;

async function lintOnce(text: string): Promise<Diagnostic[]> {
  return lintText(text, { file: '.gitlab-ci.yml', host: catalogHost() });
}

function expectWellBehaved(diagnostics: Diagnostic[]) {
  expect(Array.isArray(diagnostics)).toBe(true);
  for (const d of diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.code).toMatch(/^(yaml|schema|spec|include|semantic)\//);
    expect(typeof d.message).toBe('string');
  }
}

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc
      .array(
        fc.constantFrom(
          ':',
          ' ',
          '-',
          '[',
          ']',
          '{',
          '}',
          '#',
          '&a',
          '*a',
          '!',
          '|',
          '>',
          "'",
          '"',
          '\n',
          '\t',
          '$[[ inputs.x ]]',
          '<<: ',
          '\u2028',
          'é',
        ),
        { maxLength: 6 },
      )
      .map((a) => a.join('')),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else out = out.slice(0, at) + out.slice(at, at + m.length) + out.slice(at);
  }
  return out;
}

describe('lint robustness', () => {
  it('mutated valid pipelines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 8 }), async (mutations) => {
        expectWellBehaved(await lintOnce(mutate(VALID, mutations)));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated component templates', async () => {
    const template = componentText('buildah');
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 5 }), async (mutations) => {
        expectWellBehaved(await lintOnce(mutate(template, mutations)));
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        expectWellBehaved(await lintOnce(Buffer.from(bytes).toString('utf8')));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['deep flow nesting', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['deep block nesting', Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n'],
    [
      'deep extends chain',
      Array.from({ length: 2000 }, (_, i) => `.j${i}:\n  extends: .j${i + 1}\n`).join('') +
        '.j2000:\n  script: [x]\nrun:\n  extends: .j0\n',
    ],
    [
      'needs chain of 3000 jobs',
      Array.from({ length: 3000 }, (_, i) => `j${i}:\n  script: [x]\n${i > 0 ? `  needs: [j${i - 1}]\n` : ''}`).join(''),
    ],
    [
      'alias bomb',
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' +
        'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n' +
        'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n',
    ],
    [
      'a 5 MB pipeline',
      Array.from(
        { length: 9000 },
        (_, i) => `job-${i}:\n  stage: test\n  variables:\n    PAYLOAD: "${'x'.repeat(500)}"\n  script:\n    - echo ${i}\n`,
      ).join(''),
    ],
  ])('%s', async (_name, text) => {
    expectWellBehaved(await lintOnce(text));
  });
});
