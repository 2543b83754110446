/**
 * registry-login in the job's shell, per builder, in the sandbox (a chroot that looks like the
 * builder image, stub builders):
 *  - the HMAC-SHA256 the ECR signature is built from, written in POSIX sh, equals node's under
 *    bash, dash and busybox sh, for keys and messages of any bytes and length;
 *  - Kaniko (no curl in its image) gets the variables the clouds' credential helpers read and the
 *    OIDC token in a mode-600 file; the helper binary, when the image has it, is named for the
 *    image's host in the private config.json's credHelpers, and when it has none (the maintained
 *    fork builds the helpers into the executor) no credHelpers entry is written; the token is in
 *    the executor's environment only for acr (AZURE_FEDERATED_TOKEN, what acr-env reads);
 *  - BuildKit and Docker (busybox images, curl installed) get the credentials the fakes issue
 *    into the private config.json, and no token in the log;
 *  - what is missing (a setting, the OIDC token, curl) stops the job before any
 *    builder runs, with one line naming the input.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { fakeIdToken, installCurl, run, startAwsFake, startAzureFake, startGoogleFake } from '../helpers/cloud-fakes.js';
import { REGISTRY_PASSWORD, instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, decodeAuths, type Sandbox } from '../helpers/sandbox.js';

const LOGIN = readFileSync(new URL('../../components/_shared/login.sh.hbs', import.meta.url), 'utf8');
const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const GAR_HOST = 'europe-west1-docker.pkg.dev';
const ACR_HOST = 'cigenregistry.azurecr.io';
const ROLE = 'arn:aws:iam::123456789012:role/ci-push';
const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/gitlab/providers/gitlab';
const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = '99999999-8888-7777-6666-555555555555';
/** A port nothing listens on: a job that tried to reach a real cloud endpoint fails, never leaves. */
const CLOSED = 'http://127.0.0.1:9';
const NOWHERE = {
  AWS_ENDPOINT_URL: CLOSED,
  CIGEN_GCP_STS_ENDPOINT: CLOSED,
  CIGEN_GCP_IAM_CREDENTIALS_ENDPOINT: CLOSED,
  AZURE_AUTHORITY_HOST: CLOSED,
};

const LOGINS = {
  ecr: { image: `${ECR_HOST}/group/app`, inputs: { 'registry-login': 'ecr', 'aws-role-arn': ROLE } },
  gar: {
    image: `${GAR_HOST}/app-project/images/app`,
    inputs: {
      'registry-login': 'gar',
      'gcp-workload-identity-provider': PROVIDER,
      'gcp-service-account': 'ci@app-project.iam.gserviceaccount.com',
    },
  },
  acr: { image: `${ACR_HOST}/group/app`, inputs: { 'registry-login': 'acr', 'azure-tenant-id': TENANT, 'azure-client-id': CLIENT } },
} as const;
type Kind = keyof typeof LOGINS;

let scriptCount = 0;

/** Runs a job in the sandbox with spawn (the fakes answer on this event loop). */
async function runJob(
  box: Sandbox,
  component: string,
  mode: InterpolationMode,
  inputs: Record<string, unknown>,
  env: Record<string, string>,
  user?: string,
) {
  const { job } = instantiateComponent(component, inputs, mode);
  const shell = component.startsWith('buildah') ? '/bin/bash' : '/bin/sh';
  const variables = { ...jobEnvironment(job, predefinedVariables(box.projectDir, { CI_JOB_ID: '4242' })), ...env };
  // From a file, as the runner's shell executor runs it: as one `-c` argument a script over 128 KiB
  // (Linux's MAX_ARG_STRLEN) cannot be passed at all (E2BIG).
  const scriptName = `/cigen-job-${process.pid}-${(scriptCount += 1)}.sh`;
  writeFileSync(`${box.root}${scriptName}`, `cd '${box.projectDir}' || exit 1\n${jobScript(job)}`);
  try {
    const result = await run('/usr/sbin/chroot', [...(user ? [`--userspec=${user}`] : []), box.root, shell, scriptName], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin:/kaniko', HOME: '/root', ...variables },
    });
    return { ...result, log: result.stdout + result.stderr };
  } finally {
    rmSync(`${box.root}${scriptName}`, { force: true });
  }
}

describe('HMAC-SHA256 in POSIX sh (the SigV4 signing key and signature)', () => {
  const functions = LOGIN.slice(LOGIN.indexOf('cigen_hex_format() {'), LOGIN.indexOf('cigen_sha256_text() {'));
  const SHELLS = [
    ['bash', ['bash', '--norc', '--noprofile', '-c']],
    ['dash', ['dash', '-c']],
    ['busybox sh', ['busybox', 'sh', '-c']],
  ] as const;
  it.each(SHELLS)('%s: equals node:crypto for keys of 0 to 100 bytes and any text', (_name, argv) => {
    const [command, ...args] = argv;
    const script = `${functions}\ncigen_hmac "$1" "$2"; printf '%s' "$CIGEN_REPLY"`;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 })),
        (key, text) => {
          const message = text.replace(/\0/g, '');
          const hex = Buffer.from(key).toString('hex');
          const result = spawnSync(command, [...args, script, 'hmac', hex, message], { encoding: 'utf8' });
          expect(result.stderr).toBe('');
          expect(result.stdout).toBe(createHmac('sha256', Buffer.from(key)).update(message, 'utf8').digest('hex'));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  describe('kaniko: its own credential helper for the image host, the OIDC token in a mode-600 file', () => {
    let box: Sandbox;
    beforeAll(() => {
      box = createSandbox();
      // An executor that records what it was given: config.json, its environment, the files the
      // helper variables name (content and mode, read while the job still holds them).
      writeFileSync(
        box.path('/kaniko/executor'),
        [
          '#!/bin/sh',
          'set -eu',
          'out=/cigen-stub/login; mkdir -p "$out"',
          'cp "$DOCKER_CONFIG/config.json" "$out/config.json"',
          '[ -z "${STUB_EXECUTOR_FAILS-}" ] || { echo "UNAUTHORIZED: authentication required" >&2; exit 1; }',
          'env > "$out/env"',
          'for f in "${AWS_WEB_IDENTITY_TOKEN_FILE-}" "${GOOGLE_APPLICATION_CREDENTIALS-}" "${AZURE_FEDERATED_TOKEN_FILE-}"; do',
          '  [ -n "$f" ] || continue',
          '  cp "$f" "$out/${f##*/}"; stat -c %a "$f" > "$out/${f##*/}.mode"',
          '  case $f in *.json) t=$(sed -n \'s/.*"file":"\\([^"]*\\)".*/\\1/p\' "$f")',
          '    stat -c %a "$t" > "$out/json-token.mode"; cp "$t" "$out/json-token" ;; esac',
          'done',
          'for arg do case $arg in --digest-file=*) printf sha256:%064d 1 > "${arg#*=}" ;; esac; done',
          '',
        ].join('\n'),
      );
      for (const helper of ['ecr-login', 'gcr', 'acr-env']) {
        writeFileSync(box.path(`/kaniko/docker-credential-${helper}`), '#!/bin/sh\nexit 1\n');
        chmodSync(box.path(`/kaniko/docker-credential-${helper}`), 0o755);
      }
    });
    afterAll(() => box?.dispose());

    const read = (file: string) => readFileSync(box.path(`/cigen-stub/login/${file}`), 'utf8');
    const environment = () =>
      Object.fromEntries(
        read('env')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [
            line.slice(0, line.indexOf('=')),
            line.slice(line.indexOf('=') + 1).replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>'),
          ]),
      );

    /** What the executor's environment and the job's scratch files hold for a registry-login kind
     *  (the same with the helper binary as with the executor's built-in helper). */
    const expectHelperVariables = (kind: Kind, idToken: string, log: string) => {
      const env = environment();
      expect(env['CIGEN_ID_TOKEN']).toBeUndefined();
      expect(log).not.toContain(idToken);
      if (kind !== 'acr') expect(read('env')).not.toContain(idToken);
      if (kind === 'ecr') {
        expect(env).toMatchObject({
          AWS_ROLE_ARN: ROLE,
          AWS_WEB_IDENTITY_TOKEN_FILE: '<tmp>/login/id-token',
          AWS_REGION: 'eu-west-1',
          AWS_ROLE_SESSION_NAME: 'cigen-4242-group-app',
          AWS_ECR_DISABLE_CACHE: 'true',
        });
        expect([read('id-token'), read('id-token.mode').trim()]).toEqual([idToken, '600']);
      }
      if (kind === 'gar') {
        expect(env['GOOGLE_APPLICATION_CREDENTIALS']).toBe('<tmp>/login/gcp-credentials.json');
        const credentials = JSON.parse(read('gcp-credentials.json').replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>')) as unknown;
        expect(credentials).toEqual({
          type: 'external_account',
          audience: `//iam.googleapis.com/${PROVIDER}`,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          token_url: 'https://sts.googleapis.com/v1/token',
          credential_source: { file: '<tmp>/login/id-token', format: { type: 'text' } },
          service_account_impersonation_url:
            'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/ci@app-project.iam.gserviceaccount.com:generateAccessToken',
        });
        expect(read('gcp-credentials.json.mode').trim()).toBe('600');
        expect([read('json-token'), read('json-token.mode').trim()]).toEqual([idToken, '600']);
      }
      if (kind === 'acr') {
        expect(env).toMatchObject({
          AZURE_CLIENT_ID: CLIENT,
          AZURE_TENANT_ID: TENANT,
          AZURE_FEDERATED_TOKEN_FILE: '<tmp>/login/id-token',
          AZURE_FEDERATED_TOKEN: idToken,
        });
        expect([read('id-token'), read('id-token.mode').trim()]).toEqual([idToken, '600']);
      }
    };

    it.each([
      ['ecr', 'ecr-login'],
      ['gar', 'gcr'],
      ['acr', 'acr-env'],
    ] as const)('%s: credHelpers names %s for the host', async (kind, helper) => {
      box.reset();
      const idToken = fakeIdToken();
      const login = LOGINS[kind];
      const job = await runJob(box, 'kaniko', mode, { image: login.image, ...login.inputs }, { CIGEN_ID_TOKEN: idToken });
      expect(job.stderr).toBe('');
      expect(job.status).toBe(0);
      const host = login.image.split('/')[0] as string;
      const config = JSON.parse(read('config.json')) as Record<string, unknown>;
      expect(config['credHelpers']).toEqual({ [host]: helper });
      // The job's own registry keeps its entry beside it.
      expect(decodeAuths(config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
      expect(job.stdout).toContain(
        `cigen: registry-login ${kind}: Kaniko's credential helper ${helper} for ${host} (docker-credential-${helper}, named in config.json credHelpers)`,
      );
      expectHelperVariables(kind, idToken, job.log);
    });

    it('ecr: the region of a dual-stack host (ACCOUNT.dkr-ecr.REGION.on.aws) is read from it too', async () => {
      box.reset();
      const host = '123456789012.dkr-ecr.eu-central-1.on.aws';
      const job = await runJob(
        box,
        'kaniko',
        mode,
        { image: `${host}/group/app`, ...LOGINS.ecr.inputs },
        { CIGEN_ID_TOKEN: fakeIdToken() },
      );
      expect(job.stderr).toBe('');
      expect(job.status).toBe(0);
      expect((JSON.parse(read('config.json')) as Record<string, unknown>)['credHelpers']).toEqual({ [host]: 'ecr-login' });
      expect(environment()['AWS_REGION']).toBe('eu-central-1');
    });

    it("a failed push names the credential helper's host among those the job had credentials for", async () => {
      box.reset();
      const job = await runJob(
        box,
        'kaniko',
        mode,
        { image: LOGINS.gar.image, ...LOGINS.gar.inputs, 'registry-user': '' },
        { CIGEN_ID_TOKEN: fakeIdToken(), STUB_EXECUTOR_FAILS: '1' },
      );
      expect(job.status).toBe(1);
      expect(job.stderr.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(`which had credentials from registries \\(or registry-login\\) for ${GAR_HOST} only$`),
      );
    });

    it("acr: the helper exchanges at the image's registry whatever CIGEN_ACR_EXCHANGE_URL says, so the host is checked anyway", async () => {
      box.reset();
      const job = await runJob(
        box,
        'kaniko',
        mode,
        { image: 'images.example.net/group/app', ...LOGINS.acr.inputs },
        { CIGEN_ID_TOKEN: fakeIdToken(), CIGEN_ACR_EXCHANGE_URL: `${CLOSED}/oauth2/exchange` },
      );
      expect(job.status).toBe(1);
      expect(job.stderr).toBe(
        "cigen: error: input registry-login: acr gives a Microsoft Entra token to the image's registry, and images.example.net " +
          "is not an Azure container registry (NAME.azurecr.io); Kaniko's acr-env helper exchanges it there and does not read " +
          'CIGEN_ACR_EXCHANGE_URL\n',
      );
      expect(existsSync(box.path('/cigen-stub/login'))).toBe(false);
    });

    /** Runs the job with the image's helper binaries moved away (the maintained fork's images). */
    async function withoutBinaries<T>(work: () => Promise<T>): Promise<T> {
      const helpers = ['ecr-login', 'gcr', 'acr-env'].map((helper) => box.path(`/kaniko/docker-credential-${helper}`));
      for (const helper of helpers) spawnSync('mv', [helper, `${helper}.away`]);
      try {
        return await work();
      } finally {
        for (const helper of helpers) spawnSync('mv', [`${helper}.away`, helper]);
      }
    }

    it.each([
      ['ecr', 'ecr-login', 'ecr'],
      ['gar', 'gcr', 'google'],
      ['acr', 'acr-env', 'acr'],
    ] as const)(
      "%s without the %s binary: no credHelpers entry, the variables for the executor's built-in %s helper",
      async (kind, helper, builtin) => {
        box.reset();
        const idToken = fakeIdToken();
        const login = LOGINS[kind];
        const host = login.image.split('/')[0] as string;
        const job = await withoutBinaries(() =>
          runJob(box, 'kaniko', mode, { image: login.image, ...login.inputs }, { CIGEN_ID_TOKEN: idToken }),
        );
        expect(job.stderr).toBe('');
        expect(job.status).toBe(0);
        const config = JSON.parse(read('config.json')) as Record<string, unknown>;
        expect(config['credHelpers']).toBeUndefined();
        expect(decodeAuths(config)).toEqual({ 'registry.example.com': `gitlab-ci-token:${REGISTRY_PASSWORD}` });
        expect(job.stdout).toContain(
          `cigen: registry-login ${kind}: the image has no docker-credential-${helper}, so no credHelpers entry: ` +
            `the Kaniko executor's built-in ${builtin} credential helper is relied on for ${host}, with the OIDC token in `,
        );
        expect(job.stdout).not.toContain(`Kaniko's credential helper ${helper} for`);
        expectHelperVariables(kind, idToken, job.log);
        if (kind === 'acr') expect(job.stdout).toContain('(mode 600, removed at exit) and in AZURE_FEDERATED_TOKEN');
      },
    );

    it('without the binary, a failed push still names the host the built-in helper was relied on for', async () => {
      box.reset();
      const job = await withoutBinaries(() =>
        runJob(
          box,
          'kaniko',
          mode,
          { image: LOGINS.ecr.image, ...LOGINS.ecr.inputs, 'registry-user': '' },
          { CIGEN_ID_TOKEN: fakeIdToken(), STUB_EXECUTOR_FAILS: '1' },
        ),
      );
      expect(job.status).toBe(1);
      expect(job.stderr.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(`which had credentials from registries \\(or registry-login\\) for ${ECR_HOST.replace(/\./g, '\\.')} only$`),
      );
    });

    it.each([
      ['auths', `{"auths":{"https://${ECR_HOST}/v2/":{"auth":"dXNlcjpwYXNz"}}}`],
      ['credHelpers', `{"credHelpers":{"${ECR_HOST}":"ecr-login"}}`],
    ])(
      'without the binary, a %s entry for the host in DOCKER_AUTH_CONFIG would answer first: stops before the build',
      async (member, dockerAuthConfig) => {
        box.reset();
        const job = await withoutBinaries(() =>
          runJob(
            box,
            'kaniko',
            mode,
            { image: LOGINS.ecr.image, ...LOGINS.ecr.inputs },
            { CIGEN_ID_TOKEN: fakeIdToken(), DOCKER_AUTH_CONFIG: dockerAuthConfig },
          ),
        );
        expect(job.status).toBe(1);
        expect(job.stderr).toBe(
          `cigen: error: input registry-login: ecr: config.json has a ${member} entry for ${ECR_HOST} (from DOCKER_AUTH_CONFIG, ` +
            "the docker-config input or the image's config.json), which Kaniko would use before its built-in ecr helper; remove it\n",
        );
        expect(existsSync(box.path('/cigen-stub/login'))).toBe(false);
      },
    );
  });

  describe('buildkit and dind (busybox, curl installed): the credentials the services issue, in the private config.json', () => {
    let box: Sandbox;
    beforeAll(() => {
      box = createSandbox();
      installCurl(box.root);
    });
    afterAll(() => box?.dispose());

    it.each(['buildkit', 'dind'])('%s, ecr: STS, then a signed GetAuthorizationToken', async (component) => {
      box.reset();
      const idToken = fakeIdToken();
      const fake = await startAwsFake({
        idToken,
        roleArn: ROLE,
        region: 'eu-west-1',
        registryUser: 'AWS',
        registryPassword: 'ecr-password-from-the-fake',
      });
      try {
        const job = await runJob(
          box,
          component,
          mode,
          { image: LOGINS.ecr.image, ...LOGINS.ecr.inputs },
          { CIGEN_ID_TOKEN: idToken, AWS_ENDPOINT_URL_STS: fake.urls['sts'] as string, AWS_ENDPOINT_URL_ECR: fake.urls['ecr'] as string },
        );
        expect(job.stderr).toBe('');
        expect(job.status).toBe(0);
        expect(fake.exchanges.map((e) => [e.service, e.refused])).toEqual([
          ['sts', undefined],
          ['ecr', undefined],
        ]);
        const build = box.calls().find((call) => call.config !== undefined && call.argv[0] !== 'info');
        expect(decodeAuths(build?.config)[ECR_HOST]).toBe('AWS:ecr-password-from-the-fake');
        // The builder never sees the OIDC token.
        for (const call of box.calls()) expect(call.environment['CIGEN_ID_TOKEN']).toBeUndefined();
        for (const secret of fake.secrets) expect(job.log).not.toContain(secret);
      } finally {
        await fake.stop();
      }
    });

    it.each(['buildkit', 'dind'])('%s, gar and acr: the exchanged tokens as the registry password', async (component) => {
      for (const kind of ['gar', 'acr'] as const) {
        box.reset();
        const idToken = fakeIdToken();
        const password = kind === 'gar' ? 'ya29.from-the-fake' : 'eyJ.refresh.from-the-fake';
        const fake =
          kind === 'gar'
            ? await startGoogleFake({
                idToken,
                provider: PROVIDER,
                serviceAccount: 'ci@app-project.iam.gserviceaccount.com',
                accessToken: password,
              })
            : await startAzureFake({ idToken, tenant: TENANT, clientId: CLIENT, registry: ACR_HOST, refreshToken: password });
        try {
          const env =
            kind === 'gar'
              ? { CIGEN_GCP_STS_ENDPOINT: fake.urls['sts'] as string, CIGEN_GCP_IAM_CREDENTIALS_ENDPOINT: fake.urls['iam'] as string }
              : { AZURE_AUTHORITY_HOST: fake.urls['entra'] as string, CIGEN_ACR_EXCHANGE_URL: `${fake.urls['acr']}/oauth2/exchange` };
          const login = LOGINS[kind];
          const job = await runJob(box, component, mode, { image: login.image, ...login.inputs }, { CIGEN_ID_TOKEN: idToken, ...env });
          expect(job.stderr).toBe('');
          expect(job.status).toBe(0);
          expect(fake.exchanges.every((e) => e.refused === undefined)).toBe(true);
          const build = box.calls().find((call) => call.config !== undefined && call.argv[0] !== 'info');
          const user = kind === 'gar' ? 'oauth2accesstoken' : '00000000-0000-0000-0000-000000000000';
          expect(decodeAuths(build?.config)[login.image.split('/')[0] as string]).toBe(`${user}:${password}`);
          for (const secret of fake.secrets) expect(job.log).not.toContain(secret);
        } finally {
          await fake.stop();
        }
      }
    });

    it('a service error that quotes the OIDC token past 300 characters is not shown, not even in part', async () => {
      // The answer is cut to 300 characters: looked for after the cut, the token's head would show.
      for (const after of [200, 280]) {
        box.reset();
        const idToken = fakeIdToken();
        const fake = await startGoogleFake({ idToken, provider: PROVIDER, accessToken: 'ya29.unused', echoSubjectTokenAfter: after });
        try {
          const job = await runJob(
            box,
            'buildkit',
            mode,
            { image: LOGINS.gar.image, ...LOGINS.gar.inputs },
            { CIGEN_ID_TOKEN: idToken, CIGEN_GCP_STS_ENDPOINT: fake.urls['sts'] as string },
          );
          expect(job.status).toBe(1);
          expect(job.stderr).toMatch(/answered HTTP 400: \(it quotes a credential: not shown\)\n$/);
          expect(job.log).not.toContain(idToken.slice(0, 24));
        } finally {
          await fake.stop();
        }
      }
    });

    it('an answer that is not a token is refused, and a service error is shown without any credential', async () => {
      box.reset();
      const idToken = fakeIdToken();
      const fake = await startAzureFake({
        idToken,
        tenant: TENANT,
        clientId: CLIENT,
        registry: ACR_HOST,
        refreshToken: 'x"; touch /tmp/pwned #',
      });
      try {
        const env = { AZURE_AUTHORITY_HOST: fake.urls['entra'] as string, CIGEN_ACR_EXCHANGE_URL: `${fake.urls['acr']}/oauth2/exchange` };
        const job = await runJob(
          box,
          'buildkit',
          mode,
          { image: LOGINS.acr.image, ...LOGINS.acr.inputs },
          { CIGEN_ID_TOKEN: idToken, ...env },
        );
        expect(job.status).toBe(1);
        expect(job.stderr).toBe(
          'cigen: error: input registry-login: acr: the answer of the ACR token exchange is not a token (unexpected characters); ' +
            'refusing it\n',
        );
        expect(existsSync(box.path('/tmp/pwned'))).toBe(false);
        box.reset();
        const wrongClient = await runJob(
          box,
          'buildkit',
          mode,
          { image: LOGINS.acr.image, ...LOGINS.acr.inputs, 'azure-client-id': '00000000-1111-2222-3333-444444444444' },
          { CIGEN_ID_TOKEN: idToken, ...env },
        );
        expect(wrongClient.status).toBe(1);
        expect(wrongClient.stderr).toBe(
          `cigen: error: input registry-login: acr: Microsoft Entra token at ${fake.urls['entra']}/${TENANT}/oauth2/v2.0/token ` +
            'answered HTTP 400: ' +
            'unauthorized_client: AADSTS700016: Application not found in the directory.\n',
        );
        expect(box.calls()).toEqual([]);
        for (const secret of fake.secrets) expect(job.log + wrongClient.log).not.toContain(secret);
      } finally {
        await fake.stop();
      }
    });
  });

  it.each(['buildah', 'buildkit', 'dind'])(
    '%s, registry-login none: the OIDC token leaves the environment all the same',
    async (component) => {
      const box = createSandbox();
      try {
        const idToken = fakeIdToken();
        const job = await runJob(box, component, mode, {}, { CIGEN_ID_TOKEN: idToken });
        expect(job.status).toBe(0);
        const calls = box.calls();
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) expect(Object.values(call.environment)).not.toContain(idToken);
      } finally {
        box.dispose();
      }
    },
  );

  describe('what is missing stops the job at its start, with one line naming the input', () => {
    let box: Sandbox;
    let withCurl: Sandbox;
    beforeAll(() => {
      box = createSandbox();
      withCurl = createSandbox();
      installCurl(withCurl.root);
    });
    afterAll(() => {
      box?.dispose();
      withCurl?.dispose();
    });

    const CASES: [string, string, Kind, Record<string, unknown>, Record<string, string>, string][] = [
      [
        'the role ARN',
        'buildkit',
        'ecr',
        { 'aws-role-arn': '' },
        {},
        'cigen: error: input aws-role-arn is empty: registry-login ecr assumes that IAM role (arn:aws:iam::ACCOUNT:role/NAME)',
      ],
      [
        'the OIDC token',
        'kaniko',
        'ecr',
        {},
        { CIGEN_ID_TOKEN: '' },
        "cigen: error: input registry-login: ecr needs the job's OIDC token, and CIGEN_ID_TOKEN is not set: the component's id_tokens " +
          'did not produce one (GitLab 15.7 or later; 16.1 for a variable in oidc-audience)',
      ],
      [
        'curl',
        'dind',
        'acr',
        {},
        {},
        'cigen: error: input registry-login: acr: needs curl, and this image has none; install it in before_script ' +
          '(Alpine: apk add --no-cache curl; Fedora: dnf install -y curl)',
      ],
      [
        'a region for a host that is not ECR',
        'buildkit',
        'ecr',
        { image: 'registry.example.net/group/app' },
        {},
        'cigen: error: input aws-region is empty, and the image host registry.example.net is not an ECR registry ' +
          '(ACCOUNT.dkr.ecr.REGION.amazonaws.com, ACCOUNT.dkr-ecr.REGION.on.aws): give aws-region',
      ],
      [
        'a host that is not ECR, with a region given',
        'buildkit',
        'ecr',
        { image: 'registry.example.org/group/app', 'aws-region': 'eu-west-1' },
        { AWS_ENDPOINT_URL: '' },
        "cigen: error: input registry-login: ecr gives an ECR token to the image's registry, and registry.example.org " +
          'is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)',
      ],
      [
        'ECR Public, which takes another token',
        'buildkit',
        'ecr',
        { image: 'public.ecr.aws/team/app', 'aws-region': 'us-east-1' },
        {},
        'cigen: error: input registry-login: ecr logs in to private ECR registries; public.ecr.aws (ECR Public) takes another token ' +
          '(ecr-public:GetAuthorizationToken), which cigen does not get',
      ],
      [
        'the workload identity provider',
        'kaniko',
        'gar',
        { 'gcp-workload-identity-provider': '' },
        {},
        'cigen: error: input gcp-workload-identity-provider is empty: registry-login gar exchanges the OIDC token at that provider ' +
          '(projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER)',
      ],
      [
        'the tenant',
        'buildah',
        'acr',
        { 'azure-tenant-id': '' },
        {},
        'cigen: error: input azure-tenant-id is empty: registry-login acr signs in to that Microsoft Entra tenant',
      ],
      [
        'a registry host in the image',
        'kaniko',
        'acr',
        { image: 'group/app' },
        {},
        "cigen: error: input registry-login: acr logs in to the registry of the image input, and 'group/app' names no registry host",
      ],
      [
        'credentials of its own for the same host',
        'buildkit',
        'ecr',
        { registry: ECR_HOST },
        {},
        `cigen: error: input registry-login: the registry input names ${ECR_HOST} too, with registry-user; ` +
          "set registry to '' (or to another registry)",
      ],
      [
        "a host that is not Google's",
        'buildkit',
        'gar',
        { image: 'registry.example.org/group/app' },
        { CIGEN_GCP_STS_ENDPOINT: '' },
        "cigen: error: input registry-login: gar gives a Google access token to the image's registry, and registry.example.org " +
          "is not Google's (gcr.io, *.gcr.io, REGION-docker.pkg.dev)",
      ],
      [
        'a host that is not an Azure registry',
        'buildah',
        'acr',
        { image: 'localhost:9/group/app' },
        {},
        "cigen: error: input registry-login: acr gives a Microsoft Entra token to the image's registry, and localhost:9 " +
          'is not an Azure container registry (NAME.azurecr.io)',
      ],
      [
        'a setting of another login',
        'buildah',
        'ecr',
        { 'azure-client-id': '00000000-0000-0000-0000-000000000002' },
        {},
        'cigen: error: input azure-client-id is set, but registry-login is ecr: azure-client-id is read only with registry-login: acr',
      ],
      [
        'a setting without a login (registry-login forgotten)',
        'kaniko',
        'ecr',
        { 'registry-login': 'none' },
        {},
        'cigen: error: input aws-role-arn is set, but registry-login is none: aws-role-arn is read only with registry-login: ecr',
      ],
    ];
    it('curl, in an image whose user cannot install it (BuildKit rootless, uid 1000): a builder-image with curl', async () => {
      box.reset();
      const login = LOGINS.acr;
      // The sandbox is a private directory (mode 700): another user needs to enter it.
      chmodSync(box.root, 0o755);
      const job = await runJob(
        box,
        'buildkit',
        mode,
        { image: login.image, ...login.inputs },
        { CIGEN_ID_TOKEN: fakeIdToken(), ...NOWHERE, HOME: '/tmp' },
        '1000:1000',
      ).finally(() => chmodSync(box.root, 0o700));
      expect(job.stderr).toBe(
        'cigen: error: input registry-login: acr: needs curl, and this image has none; it runs as uid 1000, which cannot install ' +
          'packages: give builder-image an image with curl (built from this one: USER root, apk add --no-cache curl, then its USER again)\n',
      );
      expect(job.status).toBe(1);
      expect(box.calls()).toEqual([]);
    });

    it.each(CASES)('%s (%s)', async (_what, component, kind, inputs, env, line) => {
      // buildah runs under bash, with curl: the refusal comes before any request.
      const sandbox = component === 'buildah' || kind === 'ecr' ? withCurl : box;
      sandbox.reset();
      const login = LOGINS[kind];
      const job = await runJob(
        sandbox,
        component,
        mode,
        { image: login.image, ...login.inputs, ...inputs },
        {
          CIGEN_ID_TOKEN: fakeIdToken(),
          ...NOWHERE,
          ...env,
        },
      );
      expect(job.status).toBe(1);
      expect(job.stderr).toBe(`${line}\n`);
      expect(sandbox.calls()).toEqual([]);
    });
  });
});
