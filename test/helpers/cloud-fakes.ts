/**
 * Local fakes of the cloud services registry-login talks to, each checking what the real service
 * checks before it answers: AWS STS (AssumeRoleWithWebIdentity: its form fields and the web
 * identity token) and Amazon ECR (GetAuthorizationToken: the SigV4 signature recomputed with a
 * well-kept AWS signing library, @smithy/signature-v4, for the credentials STS issued; the session
 * token header), Google STS (the token-exchange parameters) and IAM Credentials (the Bearer of the
 * federated token, the service account), Microsoft Entra (the client-assertion grant) and the ACR
 * token exchange. Node http servers on 127.0.0.1, on free ports, stopped by the test that starts
 * them. Every token they issue is recorded, so a test can show none reached the job's log.
 *
 * A job is run with spawn, not spawnSync: a synchronous child would block the event loop these
 * servers answer on.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';

export interface Exchange {
  service: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the fake refused, when it did. */
  refused?: string;
}

export interface Fake {
  /** Base URL of each service, by name. */
  urls: Record<string, string>;
  exchanges: Exchange[];
  /** Every token and secret the fakes issued (and the OIDC token they accepted). */
  secrets: string[];
  stop(): Promise<void>;
}

type Handler = (request: Exchange, reply: (status: number, body: string, type?: string) => void) => void | Promise<void>;

async function serve(
  handlers: Record<string, Handler>,
): Promise<{ urls: Record<string, string>; exchanges: Exchange[]; stop(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const [service, handle] of Object.entries(handlers)) {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
        const exchange: Exchange = {
          service,
          method: req.method ?? '',
          path: req.url ?? '',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        exchanges.push(exchange);
        const reply = (status: number, body: string, type = 'application/json') => {
          res.writeHead(status, { 'Content-Type': type });
          res.end(body);
        };
        Promise.resolve(handle(exchange, reply)).catch((error: unknown) => {
          exchange.refused = String(error);
          reply(500, JSON.stringify({ error: 'fake_failure', error_description: 'the fake failed' }));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    urls[service] = `http://127.0.0.1:${address.port}`;
    servers.push(server);
  }
  return {
    urls,
    exchanges,
    stop: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

const form = (body: string): Record<string, string> => Object.fromEntries(new URLSearchParams(body).entries());
const token = (bytes = 48) => randomBytes(bytes).toString('base64url');

/** A JWT-shaped OIDC token, as GitLab's id_tokens gives one (the fakes compare it, not verify it). */
export function fakeIdToken(subject = 'project_path:group/app:ref_type:branch:ref:main'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'test' })}.${part({ iss: 'https://gitlab.example.com', sub: subject, aud: 'https://gitlab.example.com' })}.${token(64)}`;
}

export interface AwsOptions {
  idToken: string;
  roleArn: string;
  region: string;
  /** What ECR's authorizationToken decodes to: the registry's user and password. */
  registryUser: string;
  registryPassword: string;
  /** Make STS refuse with AccessDenied. */
  denyRole?: boolean;
}

const AUTHORIZATION = new RegExp(
  String.raw`^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/ecr/aws4_request, ` +
    String.raw`SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`,
);

/** AWS STS and Amazon ECR. */
export async function startAwsFake(options: AwsOptions): Promise<Fake> {
  const issued = new Map<string, { secretAccessKey: string; sessionToken: string }>();
  const secrets = [options.idToken];
  const stsError = (reply: (s: number, b: string, t?: string) => void, status: number, code: string, message: string) =>
    reply(
      status,
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n  <RequestId>${token(8)}</RequestId>\n</ErrorResponse>\n`,
      'text/xml',
    );
  const services = await serve({
    sts: (request, reply) => {
      const fields = form(request.body);
      const refuse = (code: string, message: string, status = 400) => {
        request.refused = `${code}: ${message}`;
        stsError(reply, status, code, message);
      };
      if (request.method !== 'POST') return refuse('InvalidAction', 'POST only');
      if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
        return refuse('InvalidParameterValue', 'form body');
      if (request.headers['authorization']) return refuse('InvalidParameterValue', 'AssumeRoleWithWebIdentity is not signed');
      if (fields['Action'] !== 'AssumeRoleWithWebIdentity') return refuse('InvalidAction', `Could not find operation ${fields['Action']}`);
      if (fields['Version'] !== '2011-06-15') return refuse('InvalidParameterValue', 'Version');
      if (!/^[\w+=,.@-]{2,64}$/.test(fields['RoleSessionName'] ?? '')) return refuse('ValidationError', 'roleSessionName');
      const duration = Number(fields['DurationSeconds'] ?? '3600');
      if (!(duration >= 900 && duration <= 43200)) return refuse('ValidationError', 'durationSeconds');
      if (fields['WebIdentityToken'] !== options.idToken)
        return refuse('InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider");
      if (fields['RoleArn'] !== options.roleArn || options.denyRole)
        return refuse('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
      const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      const secretAccessKey = randomBytes(30).toString('base64');
      const sessionToken = randomBytes(300).toString('base64');
      issued.set(accessKeyId, { secretAccessKey, sessionToken });
      secrets.push(secretAccessKey, sessionToken);
      reply(
        200,
        [
          '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
          '  <AssumeRoleWithWebIdentityResult>',
          `    <SubjectFromWebIdentityToken>project_path:group/app</SubjectFromWebIdentityToken>`,
          `    <AssumedRoleUser><Arn>${options.roleArn}/${fields['RoleSessionName']}</Arn></AssumedRoleUser>`,
          '    <Credentials>',
          `      <SessionToken>${sessionToken}</SessionToken>`,
          `      <SecretAccessKey>${secretAccessKey}</SecretAccessKey>`,
          `      <Expiration>${new Date(Date.now() + duration * 1000).toISOString()}</Expiration>`,
          `      <AccessKeyId>${accessKeyId}</AccessKeyId>`,
          '    </Credentials>',
          '    <Audience>https://gitlab.example.com</Audience>',
          '  </AssumeRoleWithWebIdentityResult>',
          '</AssumeRoleWithWebIdentityResponse>',
          '',
        ].join('\n'),
        'text/xml',
      );
    },
    ecr: async (request, reply) => {
      const refuse = (type: string, message: string, status = 403) => {
        request.refused = `${type}: ${message}`;
        reply(status, JSON.stringify({ __type: type, message }), 'application/x-amz-json-1.1');
      };
      const h = request.headers;
      if (request.method !== 'POST') return refuse('UnknownOperationException', 'POST only', 400);
      if (h['x-amz-target'] !== 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken')
        return refuse('UnknownOperationException', `unknown target ${h['x-amz-target']}`, 400);
      if (h['content-type'] !== 'application/x-amz-json-1.1') return refuse('SerializationException', 'content type', 400);
      if (request.body !== '{}') return refuse('SerializationException', 'body', 400);
      const auth = AUTHORIZATION.exec(h['authorization'] ?? '');
      if (!auth) return refuse('IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature');
      const [, keyId, day, region, signedHeaders] = auth as unknown as [string, string, string, string, string];
      const credentials = issued.get(keyId);
      if (!credentials) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (h['x-amz-security-token'] !== credentials.sessionToken)
        return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (region !== options.region)
        return refuse('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'`);
      const amzDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(h['x-amz-date'] ?? '');
      if (!amzDate || !(h['x-amz-date'] ?? '').startsWith(day)) return refuse('IncompleteSignatureException', 'X-Amz-Date');
      const [, y, mo, d, hh, mm, ss] = amzDate;
      const signingDate = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm), Number(ss)));
      // AWS allows 5 minutes of clock skew; the clock here is the test's own.
      if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return refuse('InvalidSignatureException', 'Signature expired');
      const names = signedHeaders.split(';');
      for (const required of ['host', 'x-amz-date'])
        if (!names.includes(required)) return refuse('InvalidSignatureException', `${required} not signed`);
      const [hostname, port] = (h['host'] ?? '').split(':');
      const signer = new SignatureV4({
        service: 'ecr',
        region: options.region,
        credentials: { accessKeyId: keyId, ...credentials },
        sha256: Sha256,
        applyChecksum: false,
      });
      const signed = await signer.sign(
        {
          method: request.method,
          protocol: 'http:',
          hostname: hostname ?? '',
          ...(port ? { port: Number(port) } : {}),
          path: request.path.split('?')[0] ?? '/',
          query: {},
          headers: Object.fromEntries(names.map((name) => [name, h[name] ?? ''])),
          body: request.body,
        },
        { signingDate },
      );
      if (signed.headers['authorization'] !== h['authorization'])
        return refuse(
          'InvalidSignatureException',
          'The request signature we calculated does not match the signature you provided. ' +
            'Check your AWS Secret Access Key and signing method.',
        );
      const authorizationToken = Buffer.from(`${options.registryUser}:${options.registryPassword}`).toString('base64');
      secrets.push(authorizationToken, options.registryPassword);
      reply(
        200,
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken,
              expiresAt: Date.now() / 1000 + 43200,
              proxyEndpoint: `https://123456789012.dkr.ecr.${options.region}.amazonaws.com`,
            },
          ],
        }),
        'application/x-amz-json-1.1',
      );
    },
  });
  return { ...services, secrets };
}

export interface GoogleOptions {
  idToken: string;
  /** projects/N/locations/global/workloadIdentityPools/P/providers/X */
  provider: string;
  serviceAccount?: string;
  /** The access token the last step issues: the registry's password. */
  accessToken: string;
  /** Refuse every exchange, quoting the subject token after this many characters (a service that echoes it). */
  echoSubjectTokenAfter?: number;
}

/** Google STS and IAM Credentials. */
export async function startGoogleFake(options: GoogleOptions): Promise<Fake> {
  const secrets = [options.idToken, options.accessToken];
  const federated = `ya29.d.${token(60)}`;
  secrets.push(federated);
  const services = await serve({
    sts: (request, reply) => {
      const refuse = (error: string, description: string, status = 400) => {
        request.refused = `${error}: ${description}`;
        reply(status, JSON.stringify({ error, error_description: description }));
      };
      if (request.method !== 'POST' || request.path !== '/v1/token') return refuse('not_found', `${request.method} ${request.path}`, 404);
      const type = request.headers['content-type'] ?? '';
      const fields: Record<string, unknown> = type.startsWith('application/json')
        ? (JSON.parse(request.body) as Record<string, unknown>)
        : form(request.body);
      const expect: Record<string, string> = {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: `//iam.googleapis.com/${options.provider}`,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      };
      for (const [key, value] of Object.entries(expect))
        if (fields[key] !== value) return refuse('invalid_request', `Invalid value for "${key}".`);
      if (options.echoSubjectTokenAfter !== undefined)
        return refuse('invalid_grant', `${'x'.repeat(options.echoSubjectTokenAfter)} token ${String(fields['subject_token'])}`);
      if (fields['subject_token'] !== options.idToken)
        return refuse('invalid_grant', 'The audience in ID Token does not match the expected audience.');
      reply(
        200,
        JSON.stringify({
          access_token: options.serviceAccount ? federated : options.accessToken,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3599,
        }),
      );
    },
    iam: (request, reply) => {
      const refuse = (status: number, message: string, kind: string) => {
        request.refused = `${kind}: ${message}`;
        reply(status, JSON.stringify({ error: { code: status, message, status: kind } }, null, 2));
      };
      const path = `/v1/projects/-/serviceAccounts/${options.serviceAccount}:generateAccessToken`;
      if (request.method !== 'POST' || request.path !== path) return refuse(404, `${request.method} ${request.path}`, 'NOT_FOUND');
      if (request.headers['authorization'] !== `Bearer ${federated}`)
        return refuse(401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
      const body = JSON.parse(request.body || '{}') as { scope?: string[] };
      if (!body.scope?.includes('https://www.googleapis.com/auth/cloud-platform')) return refuse(400, 'scope', 'INVALID_ARGUMENT');
      reply(200, JSON.stringify({ accessToken: options.accessToken, expireTime: new Date(Date.now() + 3600_000).toISOString() }, null, 2));
    },
  });
  return { ...services, secrets };
}

export interface AzureOptions {
  idToken: string;
  tenant: string;
  clientId: string;
  /** The registry host the exchange is for (its `service`). */
  registry: string;
  /** The refresh token the exchange issues: the registry's password. */
  refreshToken: string;
}

/** Microsoft Entra's token endpoint and the ACR token exchange. */
export async function startAzureFake(options: AzureOptions): Promise<Fake> {
  const aad = `eyJ0eXAiOiJKV1QifQ.${token(40)}.${token(40)}`;
  const secrets = [options.idToken, aad, options.refreshToken];
  const services = await serve({
    entra: (request, reply) => {
      const fields = form(request.body);
      const refuse = (error: string, description: string, status = 400) => {
        request.refused = `${error}: ${description}`;
        reply(status, JSON.stringify({ error, error_description: description }));
      };
      if (request.method !== 'POST' || request.path !== `/${options.tenant}/oauth2/v2.0/token`)
        return refuse('invalid_request', 'AADSTS90002: Tenant not found.');
      if (fields['grant_type'] !== 'client_credentials') return refuse('unsupported_grant_type', 'grant_type');
      if (fields['client_id'] !== options.clientId)
        return refuse('unauthorized_client', 'AADSTS700016: Application not found in the directory.');
      if (fields['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        return refuse('invalid_request', 'client_assertion_type');
      if (fields['client_assertion'] !== options.idToken)
        return refuse('invalid_client', 'AADSTS70021: No matching federated identity record found for presented assertion.');
      if (fields['scope'] !== 'https://containerregistry.azure.net/.default')
        return refuse('invalid_scope', 'AADSTS70011: The provided value for scope is not valid.');
      reply(200, JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: aad }));
    },
    acr: (request, reply) => {
      const fields = form(request.body);
      const refuse = (message: string, status = 401) => {
        request.refused = message;
        reply(status, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message }] }));
      };
      if (request.method !== 'POST' || request.path !== '/oauth2/exchange') return refuse(`${request.method} ${request.path}`, 404);
      if (fields['grant_type'] !== 'access_token') return refuse('grant_type');
      if (fields['service'] !== options.registry) return refuse('service');
      if (fields['tenant'] !== options.tenant) return refuse('tenant');
      if (fields['access_token'] !== aad) return refuse('invalid access token');
      reply(200, JSON.stringify({ refresh_token: options.refreshToken }));
    },
  });
  return { ...services, secrets };
}

/** Runs a command without blocking the event loop (the fakes answer on it). */
export function run(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** Copies curl and the libraries it loads into a sandbox root (a builder image with curl installed). */
export function installCurl(root: string): void {
  const binary = '/usr/bin/curl';
  const copy = (file: string) => {
    const target = join(root, file);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    chmodSync(target, 0o755);
  };
  copy(binary);
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  for (const match of ldd.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)) copy(match[1] as string);
}
