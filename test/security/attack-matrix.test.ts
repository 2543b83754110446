/**
 * The attack matrix, kept running: every builder × both of GitLab's interpolation modes × every
 * string and array input × a list of hostile payloads (the three Unicode line breaks YAML 1.1
 * reads among them), then run-time hostile values of the variables inputs refer to. For each
 * cell one of these holds, and nothing else:
 *  - GitLab refuses the value before the job exists (the input's type or regex);
 *  - the job runs in a sandbox with stub builders: no command of the payload runs (no file is
 *    created, in the sandbox or on the host), the job ends with success or with one
 *    `cigen: error:` line, and the registry password (the registry-password input, left at
 *    $CI_REGISTRY_PASSWORD) is never printed, nor its base64 form;
 *  - (array inputs under text interpolation only, where GitLab has no regex) NEL reshapes the
 *    YAML: YAML 1.1 reads it as a line break, and GitLab's to_json leaves it as it is (LS and PS
 *    it writes as \u2028 and \u2029); what GitLab would parse is what `cigen render` shows, and
 *    the job's shell refuses the element where the value still reaches it (SECURITY.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { findComponent } from '../../src/catalog/registry.js';
import { COMPONENTS, shellFor } from '../helpers/cases.js';
import { REGISTRY_PASSWORD, componentText, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const PAYLOADS: readonly (readonly [string, string])[] = [
  ['command substitution', '$(touch /tmp/pwned-1)'],
  ['backticks', '`touch /tmp/pwned-2`'],
  ['a second command', 'x; touch /tmp/pwned-3'],
  ['quotes', `x' "; touch /tmp/pwned-4; echo '`],
  ['a newline', 'x\ntouch /tmp/pwned-5'],
  ['an option', '--all'],
  ['a comma-separated option', 'a,dest=/tmp/pwned-6'],
  ['a glob', '/*'],
  ['an interpolation block', '$[[ inputs.stage ]]'],
  ['NEL', 'x\u0085after_script: [touch /tmp/pwned-7]'],
  ['LS', 'x\u2028  after_script: ["touch /tmp/pwned-8"]\u2028  z: ["'],
  ['PS', 'x\u2029  after_script: ["touch /tmp/pwned-9"]\u2029  z: ["'],
  ['a terminal escape', '\u001b[2J'],
  ['a long value', 'a'.repeat(1000)],
];
/** The line break YAML 1.1 reads that GitLab's to_json (ActiveSupport) does not escape. */
const UNESCAPED_BREAK = /\u0085/;
const PWNED = Array.from({ length: 9 }, (_, i) => `pwned-${i + 1}`);
const BASE64_CREDENTIALS = Buffer.from(`gitlab-ci-token:${REGISTRY_PASSWORD}`).toString('base64');

const sandboxes = new Map<string, Sandbox>();
beforeAll(() => {
  for (const component of COMPONENTS) {
    sandboxes.set(component, createSandbox({ projectFiles: { Dockerfile: 'FROM scratch\n', 'sub dir/Dockerfile': 'FROM scratch\n' } }));
  }
});
afterAll(() => {
  for (const box of sandboxes.values()) box.dispose();
});

function expectNothingRan(box: Sandbox) {
  const created = readdirSync(box.path('/tmp')).filter((name) => name.startsWith('pwned'));
  expect(created, 'files a payload created in the sandbox').toEqual([]);
  for (const name of PWNED) expect(existsSync(`/tmp/${name}`), `/tmp/${name} on the host`).toBe(false);
}

type Outcome = 'refused' | 'reshaped' | 'ran';

function attack(
  component: string,
  inputs: Record<string, unknown>,
  mode: InterpolationMode,
  variables: Record<string, string> = {},
): Outcome {
  const instance = instantiate(splitComponentFile(componentText(component)), inputs, mode);
  if (instance.errors.length > 0 || instance.content === undefined) return 'refused';
  const jobs = instance.content as Record<string, Record<string, unknown>>;
  const [job] = Object.values(jobs);
  // The same jobs (the build, and the jobs its sign/sbom/provenance switches add), each with the same keys.
  const normal = Object.values(instantiate(splitComponentFile(componentText(component)), {}, mode).content as Record<string, object>);
  const shapes = (all: object[]) => all.map((j) => Object.keys(j).join()).join('\n');
  if (shapes(Object.values(jobs)) !== shapes(normal)) return 'reshaped';
  const box = sandboxes.get(component) as Sandbox;
  box.reset();
  const env = { ...jobEnvironment(job as Record<string, unknown>, predefinedVariables(box.projectDir)), ...variables };
  const result = box.run(jobScript(job as Record<string, unknown>), env, shellFor(component));
  expectNothingRan(box);
  const output = result.stdout + result.stderr;
  expect(output).not.toContain(REGISTRY_PASSWORD);
  expect(output).not.toContain(BASE64_CREDENTIALS);
  if (result.status !== 0) {
    expect(result.status, output).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1), output).toMatch(/^cigen: error: /);
  }
  return 'ran';
}

describe.each(COMPONENTS)('%s', (component) => {
  const definition = findComponent(component);
  const hostileInputs = Object.entries(definition?.inputs ?? {}).filter(([, input]) => input.type === 'string' || input.type === 'array');

  describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
    describe.each(hostileInputs.map(([name, input]) => [name, input.type] as const))('input %s (%s)', (name, type) => {
      it.each(PAYLOADS)('%s', (_label, payload) => {
        const value = type === 'array' ? ['safe', payload] : payload;
        const outcome = attack(component, { [name]: value }, mode);
        if (outcome === 'reshaped') {
          // Only where GitLab itself allows it: no regex exists for arrays, and only text
          // interpolation pastes the value into the YAML before parsing it.
          expect({ mode, type, break: UNESCAPED_BREAK.test(payload) }).toEqual({ mode: 'text', type: 'array', break: true });
        }
        if (type === 'string' && outcome === 'reshaped') throw new Error('a string input reshaped the YAML');
      });
    });
  });

  describe('run-time values of the variables inputs refer to', () => {
    const REFERENCING: Record<string, unknown> = {
      context: '$DIR',
      dockerfile: '$FILE',
      image: '$IMG',
      tags: ['$BRANCH'],
      'build-args': ['X=$V'],
      labels: ['team=$V'],
      'cache-repo': '$CR',
      registry: '$REG',
      tarball: 'out-$BRANCH.tar',
      'registry-user': '$U',
    };
    it.each(PAYLOADS)('%s', (_label, payload) => {
      for (const mode of INTERPOLATION_MODES) {
        const variables = { DIR: payload, FILE: payload, IMG: payload, BRANCH: payload, V: payload, CR: payload, REG: payload, U: payload };
        expect(attack(component, REFERENCING, mode, variables)).toBe('ran');
      }
    });
  });
});
