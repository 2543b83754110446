/**
 * Hostile inputs, in both of GitLab's interpolation modes: either the component's spec refuses
 * the value before anything runs, or the job's shell — run with stub builders in a sandbox —
 * creates nothing and hands the value to the builder as one literal argument.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, instantiate, splitComponentFile } from '../../src/ci/interpolation/index.js';
import { COMPONENTS } from '../helpers/cases.js';
import { componentText, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox } from '../helpers/sandbox.js';

const HOSTILE_CONTEXT = 'app dir; touch /tmp/x $(id) `id`';
const HOSTILE_BUILD_ARG = 'X=$(touch /tmp/pwned) `touch /tmp/pwned2`; touch /tmp/pwned3';
const HOSTILE_TAG = 'v1"\n\'x';
const HOSTILE_PASSWORD = '$(touch /tmp/pw) \' "';

const BUILDER_TOOL: Record<string, string> = {
  buildah: 'buildah',
  'buildah-rootless': 'buildah',
  kaniko: 'executor',
  buildkit: 'buildctl-daemonless.sh',
  dind: 'docker',
};

const CREATED = ['/tmp/x', '/tmp/pwned', '/tmp/pwned2', '/tmp/pwned3', '/tmp/pw'];

let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.dispose());

function run(component: string, inputs: Record<string, unknown>, mode: 'classic' | 'text', shell: 'bash' | 'busybox') {
  sandbox = createSandbox({ projectFiles: { Dockerfile: 'FROM scratch\n', [`${HOSTILE_CONTEXT}/Dockerfile`]: 'FROM scratch\n' } });
  const { job } = instantiateComponent(component, inputs, mode);
  const result = sandbox.run(jobScript(job), jobEnvironment(job, predefinedVariables(sandbox.projectDir)), shell);
  const builderCalls = sandbox
    .calls(BUILDER_TOOL[component])
    .filter((call) => !['info', '--storage-driver=overlay'].includes(call.argv[0] ?? ''));
  const build = builderCalls.find((call) => call.argv.includes('build') || component === 'kaniko');
  return { result, builderCalls, build, sandbox };
}

function expectNothingCreated(box: Sandbox) {
  for (const path of CREATED) {
    expect(existsSync(box.path(path)), `${path} in the sandbox`).toBe(false);
    expect(existsSync(path), `${path} on the host`).toBe(false);
  }
}

describe.each(COMPONENTS)('%s', (component) => {
  describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
    describe.each(['bash', 'busybox'] as const)('run by %s', (shell) => {
      it('passes a hostile context as one literal argument and runs none of it', () => {
        const { result, build, sandbox: box } = run(component, { context: HOSTILE_CONTEXT }, mode, shell);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const contextDir = `${box.projectDir}/${HOSTILE_CONTEXT}`;
        const expected = {
          buildah: contextDir,
          'buildah-rootless': contextDir,
          kaniko: `--context=${contextDir}`,
          buildkit: `context=${contextDir}`,
          dind: contextDir,
        }[component];
        expect(build?.argv.filter((arg) => arg === expected)).toHaveLength(1);
        expectNothingCreated(box);
      });

      it('passes a hostile build argument as one literal argument', () => {
        const { result, build, sandbox: box } = run(component, { 'build-args': [HOSTILE_BUILD_ARG] }, mode, shell);
        expect(result.status).toBe(0);
        const expected = component === 'buildkit' ? ['--opt', `build-arg:${HOSTILE_BUILD_ARG}`] : [`--build-arg=${HOSTILE_BUILD_ARG}`];
        const at = build?.argv.indexOf(expected.at(-1) as string) ?? -1;
        expect(at).toBeGreaterThan(0);
        if (expected.length === 2) expect(build?.argv[at - 1]).toBe('--opt');
        expectNothingCreated(box);
      });

      it('refuses a tag with quotes and a newline before any builder runs', () => {
        const { result, sandbox: box } = run(component, { tags: ['ok', HOSTILE_TAG] }, mode, shell);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('input tags:');
        expect(result.stderr).toContain('is not a valid tag');
        expect(box.calls()).toEqual([]);
        expect(existsSync(box.path(`${box.projectDir}/cigen-build.env`))).toBe(false);
        expectNothingCreated(box);
      });

      it('writes a hostile password into config.json as data, never evaluating it', () => {
        const { result, sandbox: box } = run(component, { 'registry-password': HOSTILE_PASSWORD }, mode, shell);
        expect(result.status).toBe(0);
        expect(result.stdout + result.stderr).not.toContain('touch /tmp/pw');
        if (component === 'dind') {
          expect(box.calls('docker').find((call) => call.argv[0] === 'login')?.stdin).toBe(HOSTILE_PASSWORD);
        } else {
          const call = box.calls(BUILDER_TOOL[component]).at(-1);
          expect(decodeAuths(call?.config)['registry.example.com']).toBe(`gitlab-ci-token:${HOSTILE_PASSWORD}`);
        }
        expectNothingCreated(box);
      });
    });

    it.each([
      ['job-name', 'build\n  when: manual'],
      ['job-name', 'build: {script: [id]}'],
      ['stage', 'build # comment'],
      ['image', 'registry.example.com/app; touch /tmp/x'],
      ['context', 'app\n  when: manual'],
      ['dockerfile', 'Dockerfile\u2028  x: y'],
      ['target', 'runtime; id'],
      ['platform', 'linux/amd64 --privileged'],
      ['cache-repo', 'registry.example.com/cache $(id)'],
      ['registry-password', 'pw\nCIGEN_PUSH: false'],
    ])('refuses %s = %j up front', (input, value) => {
      const instance = instantiate(splitComponentFile(componentText(component)), { [input]: value }, mode);
      expect(instance.content).toBeUndefined();
      expect(instance.errors).toEqual([`\`${input}\` input: provided value does not match required RegEx pattern`]);
    });
  });
});
