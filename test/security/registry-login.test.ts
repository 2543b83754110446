/**
 * The attack matrix for registry-login's settings, with the login switched on (the general matrix,
 * attack-matrix.test.ts, sends every input with registry-login left at none, where these values
 * are read but never used): each setting × both interpolation modes × hostile payloads, given
 * directly and through a variable the input refers to, for Kaniko (credential helpers, values in
 * exported variables and a JSON file), BuildKit (busybox, curl: values in request bodies and URLs)
 * and Buildah (bash). For each one: GitLab refuses it (the input's regex), or the job runs none of
 * it and ends with success or one `cigen: error:` line, printing neither the OIDC token nor the
 * registry password. No request leaves the machine: every endpoint points at a closed local port.
 */
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, instantiate, splitComponentFile, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { fakeIdToken, installCurl } from '../helpers/cloud-fakes.js';
import { REGISTRY_PASSWORD, componentText, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const PAYLOADS: readonly (readonly [string, string])[] = [
  ['command substitution', '$(touch /tmp/pwned-1)'],
  ['backticks', '`touch /tmp/pwned-2`'],
  ['a second command', 'x; touch /tmp/pwned-3'],
  ['quotes', `x' "; touch /tmp/pwned-4; echo '`],
  ['a newline', 'x\ntouch /tmp/pwned-5'],
  ['an option', '--all'],
  ['JSON', 'x","type":"authorized_user'],
  ['a form field', 'x&grant_type=password'],
  ['a header', 'x\r\nAuthorization: Bearer y'],
  ['a path', '../../../etc/passwd'],
  ['a glob', '/*'],
  ['an interpolation block', '$[[ inputs.stage ]]'],
  ['LS', 'x\u2028  after_script: ["touch /tmp/pwned-6"]\u2028  z: ["'],
  ['a terminal escape', '\u001b[2J'],
  ['a long value', 'a'.repeat(1000)],
];
const PWNED = Array.from({ length: 6 }, (_, i) => `pwned-${i + 1}`);
const CLOSED = 'http://127.0.0.1:9';
const ENDPOINTS = {
  AWS_ENDPOINT_URL: CLOSED,
  CIGEN_GCP_STS_ENDPOINT: CLOSED,
  CIGEN_GCP_IAM_CREDENTIALS_ENDPOINT: CLOSED,
  AZURE_AUTHORITY_HOST: CLOSED,
};
const ID_TOKEN = fakeIdToken();

/** Valid settings per login; each of its settings is then replaced by a payload in turn. */
const LOGINS = {
  ecr: {
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/group/app',
    settings: { 'aws-role-arn': 'arn:aws:iam::123456789012:role/ci-push', 'aws-region': 'eu-west-1' },
  },
  gar: {
    image: 'europe-west1-docker.pkg.dev/project/images/app',
    settings: {
      'gcp-workload-identity-provider': 'projects/1/locations/global/workloadIdentityPools/gitlab/providers/gitlab',
      'gcp-service-account': 'ci@project.iam.gserviceaccount.com',
    },
  },
  acr: {
    image: 'cigenregistry.azurecr.io/group/app',
    settings: { 'azure-tenant-id': '11111111-2222-3333-4444-555555555555', 'azure-client-id': '99999999-8888-7777-6666-555555555555' },
  },
} as const;
const CASES = Object.entries(LOGINS).flatMap(([kind, login]) =>
  [...Object.keys(login.settings), 'oidc-audience'].map((input) => [kind as keyof typeof LOGINS, input] as const),
);
const COMPONENTS = ['kaniko', 'buildkit', 'buildah'] as const;

const sandboxes = new Map<string, Sandbox>();
beforeAll(() => {
  for (const component of COMPONENTS) {
    const box = createSandbox();
    installCurl(box.root);
    for (const helper of ['ecr-login', 'gcr', 'acr-env']) {
      writeFileSync(box.path(`/kaniko/docker-credential-${helper}`), '#!/bin/sh\nexit 1\n');
      chmodSync(box.path(`/kaniko/docker-credential-${helper}`), 0o755);
    }
    sandboxes.set(component, box);
  }
});
afterAll(() => {
  for (const box of sandboxes.values()) box.dispose();
});

function attack(component: string, inputs: Record<string, unknown>, mode: InterpolationMode, variables: Record<string, string> = {}) {
  const instance = instantiate(splitComponentFile(componentText(component)), inputs, mode);
  if (instance.errors.length > 0 || instance.content === undefined) return 'refused';
  const jobs = instance.content as Record<string, Record<string, unknown>>;
  const [job] = Object.values(jobs);
  const normalJobs = instantiate(splitComponentFile(componentText(component)), {}, mode).content as Record<string, object>;
  const normal = Object.values(normalJobs)[0];
  // A string input never reshapes the pipeline or the build job (id_tokens included); the build job comes first.
  expect(Object.keys(jobs)).toEqual(Object.keys(normalJobs));
  expect(Object.keys(job ?? {})).toEqual(Object.keys(normal ?? {}));
  expect(Object.keys(job?.['id_tokens'] ?? {})).toEqual(['CIGEN_ID_TOKEN']);
  const box = sandboxes.get(component) as Sandbox;
  box.reset();
  const env = {
    ...jobEnvironment(job as Record<string, unknown>, predefinedVariables(box.projectDir)),
    ...ENDPOINTS,
    CIGEN_ID_TOKEN: ID_TOKEN,
    ...variables,
  };
  const result = box.run(jobScript(job as Record<string, unknown>), env, component === 'buildah' ? 'bash' : 'busybox');
  const created = readdirSync(box.path('/tmp')).filter((name) => name.startsWith('pwned'));
  expect(created, 'files a payload created in the sandbox').toEqual([]);
  for (const name of PWNED) expect(existsSync(`/tmp/${name}`), `/tmp/${name} on the host`).toBe(false);
  const output = result.stdout + result.stderr;
  expect(output).not.toContain(REGISTRY_PASSWORD);
  expect(output).not.toContain(ID_TOKEN);
  if (result.status !== 0) {
    expect(result.status, output).toBe(1);
    expect(result.stderr, output).toMatch(/^cigen: error: [^\n]*\n$/);
  }
  return result.status === 0 ? 'built' : 'stopped';
}

describe.each(COMPONENTS)('%s', (component) => {
  describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
    describe.each(CASES)('registry-login %s, input %s', (kind, input) => {
      const login = LOGINS[kind];
      const base = { image: login.image, 'registry-login': kind, ...login.settings };
      it.each(PAYLOADS)('%s', (_label, payload) => {
        const outcome = attack(component, { ...base, [input]: payload }, mode);
        // Values that reach the shell are checked before use: only a long run of letters can be a
        // valid setting (and then the request fails at the closed port, or Kaniko builds).
        if (outcome === 'built') expect(payload).toBe('a'.repeat(1000));
      });
    });
    describe.each(CASES.filter(([, input]) => input !== 'oidc-audience'))(
      'registry-login %s, input %s through a variable',
      (kind, input) => {
        const login = LOGINS[kind];
        const base = { image: login.image, 'registry-login': kind, ...login.settings, [input]: '$HOSTILE' };
        it.each(PAYLOADS)('%s, at run time', (_label, payload) => {
          const outcome = attack(component, base, mode, { HOSTILE: payload });
          expect(outcome).not.toBe('refused');
          if (outcome === 'built') expect(payload).toBe('a'.repeat(1000));
        });
      },
    );
  });
});
