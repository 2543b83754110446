/**
 * registry-login for real: the buildah component, instantiated as GitLab would in each
 * interpolation mode, gets short-lived credentials from local fakes of the clouds' token services
 * (which check what the real ones check, the ECR request's SigV4 signature recomputed with
 * @smithy/signature-v4) and pushes with them to a real registry whose htpasswd holds exactly what
 * the last service issued. The registry input points elsewhere (GitLab's registry), so the login's
 * credentials are the only ones for the image's host. No token appears in the job's log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { fakeIdToken, run, startAwsFake, startAzureFake, startGoogleFake, type Fake } from '../helpers/cloud-fakes.js';
import { instantiateComponent, jobEnvironment, jobScript } from '../helpers/job.js';
import { startRegistry, type Registry } from './lib/registry.js';
import { buildahSealFailed, ciVariables, freshRunner, projectWith, pushBaseImage } from './lib/runner.js';

const SHORT_SHA = '01234567';
const ROLE = 'arn:aws:iam::123456789012:role/ci-push';
const REGION = 'eu-west-1';
const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/gitlab/providers/gitlab';
const SERVICE_ACCOUNT = 'ci-push@app-project.iam.gserviceaccount.com';
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '99999999-8888-7777-6666-555555555555';
const random = () => Math.random().toString(36).slice(2);

interface Login {
  registry: Registry;
  base: string;
}

/** Runs the buildah job (before_script + script, as the runner does) without blocking the fakes. */
async function buildWith(
  login: Login,
  mode: InterpolationMode,
  repository: string,
  inputs: Record<string, unknown>,
  env: Record<string, string>,
) {
  const project = projectWith(login.base);
  const runner = freshRunner(login.registry);
  const scriptDir = mkdtempSync(join(tmpdir(), 'cigen-job-'));
  try {
    const { job } = instantiateComponent('buildah', inputs, mode);
    // GitLab issues the token into CIGEN_ID_TOKEN for the audience the oidc-audience input names.
    expect(job['id_tokens']).toEqual({ CIGEN_ID_TOKEN: { aud: inputs['oidc-audience'] ?? '$CI_SERVER_URL' } });
    const variables = ciVariables(login.registry, project, {
      // GitLab's own registry is another host: its job credentials are not the ones used.
      CI_REGISTRY: 'registry.gitlab.example.com',
      CI_REGISTRY_USER: 'gitlab-ci-token',
      CI_REGISTRY_PASSWORD: 'glcbt-not-for-this-registry',
      CI_REGISTRY_IMAGE: `${login.registry.host}/${repository}`,
      CI_SERVER_URL: 'https://gitlab.example.com',
      CI_JOB_ID: '4242',
      ...env,
    });
    // From a file, as the runner's shell executor runs it: as one `-c` argument a script over
    // 128 KiB (Linux's MAX_ARG_STRLEN) cannot be passed at all (E2BIG).
    writeFileSync(join(scriptDir, 'script.sh'), jobScript(job));
    const attempt = () =>
      run('bash', ['--norc', '--noprofile', join(scriptDir, 'script.sh')], {
        env: { ...jobEnvironment(job, variables), ...runner.env },
        cwd: project,
      });
    let result = await attempt();
    if (buildahSealFailed(result)) result = await attempt();
    return { ...result, log: result.stdout + result.stderr };
  } finally {
    rmSync(scriptDir, { recursive: true, force: true });
    runner.dispose();
    rmSync(project, { recursive: true, force: true });
  }
}

function expectNoSecret(log: string, fake: Fake, registry: Registry) {
  const secrets = [...fake.secrets, registry.password, Buffer.from(`${registry.user}:${registry.password}`).toString('base64')];
  for (const secret of secrets) expect(log.includes(secret), 'a token in the job log').toBe(false);
}

describe.each(INTERPOLATION_MODES)('registry-login with buildah, %s interpolation', (mode) => {
  describe('ecr', () => {
    let login: Login;
    beforeAll(async () => {
      // What ECR's token decodes to is the registry's user and password; ECR's user is AWS.
      const registry = await startRegistry({ user: 'AWS', password: `ecr-${random()}${random()}` });
      login = { registry, base: pushBaseImage(registry) };
    });
    afterAll(async () => {
      await login?.registry.stop();
    });

    it('assumes the role with the OIDC token, signs GetAuthorizationToken, and pushes with what ECR returned', async () => {
      const idToken = fakeIdToken();
      const fake = await startAwsFake({
        idToken,
        roleArn: ROLE,
        region: REGION,
        registryUser: login.registry.user,
        registryPassword: login.registry.password,
      });
      try {
        const job = await buildWith(
          login,
          mode,
          'group/ecr',
          { 'registry-login': 'ecr', 'aws-role-arn': ROLE, 'aws-region': REGION, 'oidc-audience': '$CI_SERVER_URL' },
          { CIGEN_ID_TOKEN: idToken, AWS_ENDPOINT_URL_STS: fake.urls['sts'] as string, AWS_ENDPOINT_URL_ECR: fake.urls['ecr'] as string },
        );
        expect(job.stderr).not.toMatch(/cigen: error/);
        expect(job.status).toBe(0);
        expect(fake.exchanges.map((e) => [e.service, e.refused])).toEqual([
          ['sts', undefined],
          ['ecr', undefined],
        ]);
        const sts = new URLSearchParams(fake.exchanges[0]?.body);
        expect(sts.get('RoleSessionName')).toBe('cigen-4242-group-app');
        expect(fake.exchanges[1]?.headers['authorization']).toMatch(
          new RegExp(`^AWS4-HMAC-SHA256 Credential=ASIA[0-9A-F]{16}/\\d{8}/${REGION}/ecr/aws4_request, SignedHeaders=`),
        );
        expect(job.log).toContain(`cigen: registry-login ecr: credentials for ${login.registry.host} obtained (valid for 12 hours)`);
        expect(await login.registry.tags('group/ecr')).toEqual([SHORT_SHA]);
        expect(await login.registry.catalog()).toContain('group/ecr/cache');
        expectNoSecret(job.log, fake, login.registry);
      } finally {
        await fake.stop();
      }
    });

    it('a role STS refuses stops the job before the build with STS own error, and nothing is pushed', async () => {
      const idToken = fakeIdToken();
      const fake = await startAwsFake({
        idToken,
        roleArn: ROLE,
        region: REGION,
        registryUser: 'AWS',
        registryPassword: 'x',
        denyRole: true,
      });
      try {
        const job = await buildWith(
          login,
          mode,
          'group/denied',
          { 'registry-login': 'ecr', 'aws-role-arn': ROLE, 'aws-region': REGION },
          { CIGEN_ID_TOKEN: idToken, AWS_ENDPOINT_URL: fake.urls['sts'] as string },
        );
        expect(job.status).toBe(1);
        expect(job.stderr.trimEnd().split('\n').at(-1)).toBe(
          `cigen: error: input registry-login: ecr: AWS STS AssumeRoleWithWebIdentity at ${fake.urls['sts']} answered HTTP 403: ` +
            'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
        );
        expect(job.log).not.toContain('building');
        expect(await login.registry.catalog()).not.toContain('group/denied');
        expectNoSecret(job.log, fake, login.registry);
      } finally {
        await fake.stop();
      }
    });
  });

  describe('gar', () => {
    let login: Login;
    beforeAll(async () => {
      // Artifact Registry takes user oauth2accesstoken and an access token as the password.
      const registry = await startRegistry({ user: 'oauth2accesstoken', password: `ya29.c.${random()}${random()}` });
      login = { registry, base: pushBaseImage(registry) };
    });
    afterAll(async () => {
      await login?.registry.stop();
    });

    it.each([
      ['the federated token itself', undefined],
      ['an impersonated service account', SERVICE_ACCOUNT],
    ])('exchanges the OIDC token at Google STS and pushes with %s', async (_label, serviceAccount) => {
      const idToken = fakeIdToken();
      const fake = await startGoogleFake({
        idToken,
        provider: PROVIDER,
        accessToken: login.registry.password,
        ...(serviceAccount ? { serviceAccount } : {}),
      });
      const repository = `group/gar-${serviceAccount ? 'sa' : 'direct'}`;
      try {
        const job = await buildWith(
          login,
          mode,
          repository,
          {
            'registry-login': 'gar',
            'gcp-workload-identity-provider': `//iam.googleapis.com/${PROVIDER}`,
            ...(serviceAccount ? { 'gcp-service-account': serviceAccount } : {}),
            'oidc-audience': `https://iam.googleapis.com/${PROVIDER}`,
          },
          {
            CIGEN_ID_TOKEN: idToken,
            CIGEN_GCP_STS_ENDPOINT: fake.urls['sts'] as string,
            CIGEN_GCP_IAM_CREDENTIALS_ENDPOINT: fake.urls['iam'] as string,
          },
        );
        expect(job.stderr).not.toMatch(/cigen: error/);
        expect(job.status).toBe(0);
        expect(fake.exchanges.map((e) => [e.service, e.refused])).toEqual(
          serviceAccount
            ? [
                ['sts', undefined],
                ['iam', undefined],
              ]
            : [['sts', undefined]],
        );
        expect(job.log).toContain(`cigen: registry-login gar: credentials for ${login.registry.host} obtained (valid for 1 hour)`);
        expect(await login.registry.tags(repository)).toEqual([SHORT_SHA]);
        expectNoSecret(job.log, fake, login.registry);
      } finally {
        await fake.stop();
      }
    });
  });

  describe('acr', () => {
    let login: Login;
    beforeAll(async () => {
      // ACR takes the null GUID as user and the exchange's refresh token as the password.
      const registry = await startRegistry({
        user: '00000000-0000-0000-0000-000000000000',
        password: `eyJhbGciOiJSUzI1NiJ9.${random()}.${random()}`,
      });
      login = { registry, base: pushBaseImage(registry) };
    });
    afterAll(async () => {
      await login?.registry.stop();
    });

    it('signs in to Entra with the OIDC token as a federated assertion, exchanges for a refresh token, and pushes', async () => {
      const idToken = fakeIdToken();
      const fake = await startAzureFake({
        idToken,
        tenant: TENANT,
        clientId: CLIENT,
        registry: login.registry.host,
        refreshToken: login.registry.password,
      });
      try {
        const job = await buildWith(
          login,
          mode,
          'group/acr',
          { 'registry-login': 'acr', 'azure-tenant-id': TENANT, 'azure-client-id': CLIENT, 'oidc-audience': 'api://AzureADTokenExchange' },
          {
            CIGEN_ID_TOKEN: idToken,
            AZURE_AUTHORITY_HOST: `${fake.urls['entra']}/`,
            CIGEN_ACR_EXCHANGE_URL: `${fake.urls['acr']}/oauth2/exchange`,
          },
        );
        expect(job.stderr).not.toMatch(/cigen: error/);
        expect(job.status).toBe(0);
        expect(fake.exchanges.map((e) => [e.service, e.refused])).toEqual([
          ['entra', undefined],
          ['acr', undefined],
        ]);
        expect(await login.registry.tags('group/acr')).toEqual([SHORT_SHA]);
        expectNoSecret(job.log, fake, login.registry);
      } finally {
        await fake.stop();
      }
    });
  });
});
