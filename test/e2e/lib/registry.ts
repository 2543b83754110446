/**
 * A real CNCF distribution registry (Debian's docker-registry) on 127.0.0.1, on a free port,
 * with htpasswd auth, started and stopped by the test that needs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Registry {
  host: string;
  /** http, or https when the registry was started with a certificate. */
  scheme: 'http' | 'https';
  user: string;
  password: string;
  dir: string;
  /** Basic auth header value. */
  authorization: string;
  catalog(): Promise<string[]>;
  tags(repository: string): Promise<string[]>;
  /** The manifest digest the registry serves for a tag, or undefined when there is none. */
  digest(repository: string, tag: string): Promise<string | undefined>;
  /** The registry's own log (pushes, pulls, auth failures). */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** A server certificate and key (PEM files) and the CA (PEM text) that signed them. */
export interface ServerCertificate {
  certificate: string;
  key: string;
  ca: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with node:http(s), so a registry signed by a throwaway CA can be asked too. */
export function send(url: string, init: { method?: string; headers?: Record<string, string> } = {}, ca?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(ca ? { ca } : {}) };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startRegistry(
  options: { user?: string; password?: string; tls?: ServerCertificate; /** no auth at all */ open?: boolean } = {},
): Promise<Registry> {
  const scheme = options.tls ? 'https' : 'http';
  const user = options.user ?? 'ci-user';
  const password = options.password ?? `reg-pw-${Math.random().toString(36).slice(2)}-Zq9`;
  const dir = mkdtempSync(join(tmpdir(), 'cigen-registry-'));
  const htpasswd = spawnSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  if (htpasswd.status !== 0) throw new Error(`htpasswd: ${htpasswd.stderr}`);
  writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
  mkdirSync(join(dir, 'data'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log: {level: info, accesslog: {disabled: false}}',
        `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
        options.tls
          ? `http: {addr: "${host}", tls: {certificate: ${options.tls.certificate}, key: ${options.tls.key}}}`
          : `http: {addr: "${host}"}`,
        options.open ? '' : `auth: {htpasswd: {realm: cigen-e2e, path: ${join(dir, 'htpasswd')}}}`,
        '',
      ].join('\n'),
    );
    // The log goes to a file, not a pipe: tests block the event loop in spawnSync while a job
    // runs, and a registry writing into a full pipe would stall the very push being tested.
    const logFile = join(dir, 'registry.log');
    const logFd = openSync(logFile, 'a');
    const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    let spawnError: Error | undefined;
    child.on('error', (error) => (spawnError = error));
    const output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const up = await waitUntilUp(`${scheme}://${host}/v2/`, child, options.tls?.ca);
    if (spawnError) throw new Error(`cannot start docker-registry (Debian package docker-registry): ${spawnError.message}`);
    if (!up) {
      child.kill('SIGKILL');
      lastError = new Error(`registry did not start on ${host}: ${output()}`);
      continue;
    }
    const api = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
      send(`${scheme}://${host}${path}`, { ...init, headers: { Authorization: authorization, ...init.headers } }, options.tls?.ca);
    return {
      host,
      scheme,
      user,
      password,
      dir,
      authorization,
      async catalog() {
        const response = await api('/v2/_catalog');
        return (JSON.parse(response.body) as { repositories: string[] }).repositories ?? [];
      },
      async tags(repository) {
        const response = await api(`/v2/${repository}/tags/list`);
        if (response.status === 404) return [];
        return (JSON.parse(response.body) as { tags: string[] | null }).tags ?? [];
      },
      async digest(repository, tag) {
        const response = await api(`/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } });
        const digest = response.headers['docker-content-digest'];
        return response.status === 200 && typeof digest === 'string' ? digest : undefined;
      },
      log: output,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}

async function waitUntilUp(url: string, child: ChildProcess, ca?: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    try {
      const response = await send(url, {}, ca);
      if (response.status === 401 || response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
