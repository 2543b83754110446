/**
 * Where the supply-chain commands find registry credentials: the docker config.json files a job
 * uses, in containers-auth.json(5)'s order, each read as Docker reads one — the host's credential
 * helper (credHelpers), its `auths` entry (`auth`, or `username` and `password`), the default
 * credential store (credsStore). Helpers are stub executables on PATH speaking Docker's protocol.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { registryCredentials } from '../../src/supply/registry.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const b64 = (text: string) => Buffer.from(text).toString('base64');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A job's home: config files by name, helper scripts by name (docker-credential-<name>). */
function home(files: Record<string, unknown>, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-credentials-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'docker'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
  for (const [name, body] of Object.entries(helpers)) {
    writeFileSync(join(dir, 'bin', `docker-credential-${name}`), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'bin', `docker-credential-${name}`), 0o755);
  }
  return { HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), PATH: `${join(dir, 'bin')}:/usr/bin:/bin` };
}

/** A helper that answers for HOST only, and records what it was asked. */
const ECR_LOGIN = `read host; echo "$1 $host" >> "$HOME/asked"
[ "$host" = "${HOST}" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"AWS","Secret":"ecr-token"}' "$host"`;

describe('registryCredentials', () => {
  it("an auths entry's auth, or its username and password", () => {
    const env = home({
      'docker/config.json': { auths: { 'a.example': { auth: b64('u:p:with:colons') }, 'b.example': { username: 'v', password: 'q' } } },
    });
    expect(registryCredentials('a.example', env)).toEqual({ username: 'u', password: 'p:with:colons' });
    expect(registryCredentials('b.example', env)).toEqual({ username: 'v', password: 'q' });
    expect(registryCredentials('c.example', env)).toBeUndefined();
  });

  it('an auths key written as a URL (`https://host/v1/`, `host/`, `http://host`) names its host, as in Docker', () => {
    for (const key of ['https://a.example/v1/', 'a.example/', 'http://a.example', 'https://a.example']) {
      const env = home({
        'docker/config.json': { auths: { [key]: { auth: b64('u:p') }, 'https://a.example.org/v1/': { auth: b64('x:y') } } },
      });
      expect(registryCredentials('a.example', env), key).toEqual({ username: 'u', password: 'p' });
    }
    const hub = home({ 'docker/config.json': { auths: { 'https://index.docker.io/v2/': { auth: b64('hub:pw') } } } });
    expect(registryCredentials('docker.io', hub)).toEqual({ username: 'hub', password: 'pw' });
    // The host exactly: another host that starts with it, or one with a port, is not it.
    const near = home({ 'docker/config.json': { auths: { 'https://a.example.org/v1/': { auth: b64('x:y') }, 'a.example:5000': {} } } });
    expect(registryCredentials('a.example', near)).toBeUndefined();
  });

  it("the host's credential helper, asked with the host on stdin, before the auths entry", () => {
    const env = home(
      { 'docker/config.json': { credHelpers: { [HOST]: 'ecr-login' }, auths: { [HOST]: { auth: b64('stale:x') } } } },
      {
        'ecr-login': ECR_LOGIN,
      },
    );
    expect(registryCredentials(HOST, env)).toEqual({ username: 'AWS', password: 'ecr-token' });
  });

  it('the default credential store for a host no entry names; one that does not know the host gives none', () => {
    const env = home({ 'docker/config.json': { credsStore: 'ecr-login', auths: { 'other.example': {} } } }, { 'ecr-login': ECR_LOGIN });
    expect(registryCredentials(HOST, env)).toEqual({ username: 'AWS', password: 'ecr-token' });
    expect(registryCredentials('other.example', env)).toBeUndefined();
  });

  it('REGISTRY_AUTH_FILE first, then DOCKER_CONFIG, then ~/.docker', () => {
    const env = home({
      'raf.json': { auths: { 'a.example': { auth: b64('from:raf') } } },
      'docker/config.json': { auths: { 'a.example': { auth: b64('from:docker-config') }, 'b.example': { auth: b64('b:dc') } } },
    });
    expect(registryCredentials('a.example', { ...env, REGISTRY_AUTH_FILE: join(env['HOME'] as string, 'raf.json') })).toEqual({
      username: 'from',
      password: 'raf',
    });
    expect(registryCredentials('b.example', { ...env, REGISTRY_AUTH_FILE: join(env['HOME'] as string, 'raf.json') })).toEqual({
      username: 'b',
      password: 'dc',
    });
  });

  it('a helper that is not in the image, that fails, or that gives an identity token: a clear error without its output', () => {
    const missing = home({ 'docker/config.json': { credHelpers: { [HOST]: 'cigen-absent' } } });
    expect(() => registryCredentials(HOST, missing)).toThrow(
      new InputError(
        `docker config.json has ${HOST} answered by the credential helper docker-credential-cigen-absent, which is not in this image: ` +
          'use an image that has it (input cli-image), or give the credentials in the job',
      ),
    );
    const failing = home(
      { 'docker/config.json': { credHelpers: { [HOST]: 'broken' } } },
      { broken: 'read host; echo "secret-in-output"; exit 3' },
    );
    expect(() => registryCredentials(HOST, failing)).toThrow(
      new InputError(`the credential helper docker-credential-broken failed for ${HOST} (exit 3)`),
    );
    const token = home(
      { 'docker/config.json': { credHelpers: { [HOST]: 'acr' } } },
      {
        acr: `read host; printf '{"Username":"<token>","Secret":"refresh"}'`,
      },
    );
    expect(() => registryCredentials(HOST, token)).toThrow(/gave an identity token for .*, which cigen cannot use/);
    const named = home({ 'docker/config.json': { credHelpers: { [HOST]: '../../bin/sh' } } });
    expect(() => registryCredentials(HOST, named)).toThrow(
      "docker config.json names the credential helper '../../bin/sh', which is no helper name",
    );
  });
});
