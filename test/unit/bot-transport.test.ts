/**
 * The bot's HTTP exchange over node:http (src/bot/transport.ts) against a loopback server of the
 * test's own: what fetch gave the policy before (decoded bodies, headers, timeouts, failures by
 * system code, a request Node will not build never sent), and what it now does itself
 * (kept-alive connections, a fresh one for what must not be sent twice, FormData as multipart).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionFailure, requestHandler } from '../../src/bot/http.js';
import { exchange, ExchangeError } from '../../src/bot/transport.js';
import { cigenAsync } from '../helpers/cli.js';

let server: Server;
let base: string;
let connections: number;
const received: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] = [];

const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/gzip': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('héllo gzip')),
  '/deflate': (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync('héllo deflate')),
  '/br': (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync('héllo br')),
  '/plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'x-total': '7' }).end('\ufeffwith a BOM'),
  '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}'),
  '/never': () => undefined,
  '/not-gzip': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('{"id":1}'),
  // Headers that name a coding, and no body: a HEAD's answer, a 204, a 304.
  '/bodiless': (req, res) =>
    res.writeHead(req.method === 'DELETE' ? 204 : req.method === 'GET' ? 304 : 200, { 'content-encoding': 'gzip' }).end(),
  '/cut': (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('ten bytes.');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  '/echo': (_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body })),
};

beforeEach(async () => {
  connections = 0;
  received.length = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      received.push({ method: req.method ?? '', path, headers: req.headers, body });
      (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res, body);
    });
  });
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (path: string, timeoutMs = 5000) => exchange(new URL(path, base), { method: 'GET', headers: {}, timeoutMs });

describe('exchange', () => {
  it('decodes gzip, deflate and br bodies (and asks for them), and reads headers in any case', async () => {
    for (const coding of ['gzip', 'deflate', 'br']) {
      const answer = await get(`/${coding}`);
      expect(answer.status).toBe(200);
      expect(answer.body.toString('utf8')).toBe(`héllo ${coding}`);
    }
    expect(received[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
    const plain = await get('/plain');
    expect(plain.headers.get('X-Total')).toBe('7');
    expect(plain.headers.get('absent')).toBeNull();
    expect(plain.headers.entries()).toContainEqual(['content-type', 'text/plain']);
  });

  it('an answer without a body (HEAD, 204, 304) is not decoded, whatever its Content-Encoding says', async () => {
    for (const method of ['HEAD', 'DELETE', 'GET']) {
      const answer = await exchange(new URL('/bodiless', base), { method, headers: {}, timeoutMs: 5000 });
      expect(answer.body.length).toBe(0);
    }
  });

  it('keeps the connection alive between exchanges; `fresh` opens one of its own', async () => {
    for (let i = 0; i < 3; i++) await get('/json');
    expect(connections).toBe(1);
    await exchange(new URL('/json', base), { method: 'GET', headers: {}, timeoutMs: 5000, fresh: true });
    expect(connections).toBe(2);
  });

  it('a server that never answers is a timeout; a body cut short and a refused connection are network failures', async () => {
    await expect(get('/never', 200)).rejects.toMatchObject({ name: 'ExchangeError', kind: 'timeout' });
    await expect(get('/cut')).rejects.toMatchObject({ name: 'ExchangeError', kind: 'network' });
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await get(`http://127.0.0.1:${port}/json`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ExchangeError);
    expect((refused as ExchangeError).kind).toBe('network');
    expect(connectionFailure(refused)).toBe('connection refused');
    // Listening again, so afterEach has a server to close.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('an answer whose body is not the gzip it names is undecodable, not a network failure', async () => {
    await expect(get('/not-gzip')).rejects.toMatchObject({ name: 'ExchangeError', kind: 'undecodable', cause: { code: 'Z_DATA_ERROR' } });
  });

  it('a request Node will not build (a newline in a header) is not sent: nothing reaches the server', async () => {
    const error = await exchange(new URL('/json', base), { method: 'GET', headers: { 'private-token': 'a\nb' }, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'ExchangeError', kind: 'not-sent' });
    expect(received).toEqual([]);
  });
});

describe('requestHandler over the exchange', () => {
  const handler = () => requestHandler({ attempts: 1, baseMs: 1, maxMs: 1, timeoutMs: 5000 }, { requests: 0, retries: 0 });

  it('a text body keeps its byte order mark; JSON is parsed; the headers go to gitbeaker as an object', async () => {
    const plain = await handler()('plain', { prefixUrl: `${base}/`, method: 'GET', headers: {} });
    expect(plain.body).toBe('\ufeffwith a BOM');
    expect(plain.headers).toMatchObject({ 'x-total': '7', 'content-type': 'text/plain' });
    const json = await handler()('json', { prefixUrl: `${base}/`, method: 'GET', headers: {} });
    expect(json.body).toEqual({ id: 1 });
  });

  it('a string body is sent with its length; a FormData body as multipart with its boundary', async () => {
    await handler()('echo', { prefixUrl: `${base}/`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' });
    expect(received.at(-1)).toMatchObject({ method: 'POST', body: '{"a":"é"}' });
    expect(received.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    const form = new FormData();
    form.append('file', 'contents of the file');
    await handler()('echo', { prefixUrl: `${base}/`, method: 'POST', headers: {}, body: form });
    const sent = received.at(-1);
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(String(sent?.headers['content-type']))?.[1];
    expect(boundary).toBeDefined();
    expect(sent?.body).toContain(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\ncontents of the file\r\n--${boundary}--`,
    );
  });
});

describe('https', () => {
  it('a self-signed certificate is refused, saying so; trusted through NODE_EXTRA_CA_CERTS, the bot runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-transport-tls-'));
    const tls = createTlsServer();
    try {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
          ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        ],
        { stdio: 'ignore' },
      );
      tls.setSecureContext({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
      tls.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const path = new URL(req.url ?? '/', 'https://x').pathname;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(path === '/api/v4/user' ? '{"username":"bot","email":"bot@example.com"}' : '[]');
      });
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;

      const refused = await exchange(new URL('/api/v4/user', url), { method: 'GET', headers: {}, timeoutMs: 5000 }).catch(
        (e: unknown) => e,
      );
      expect(connectionFailure(refused)).toBe('its TLS certificate is self-signed (set NODE_EXTRA_CA_CERTS to trust it)');

      const args = ['bot', '--gitlab-url', url, '--group', 'acme', '--dry-run'];
      const untrusted = await cigenAsync(args, { GITLAB_TOKEN: 'glpat-test' });
      expect(untrusted.stderr).toBe(
        `cigen bot: cannot reach ${url}: its TLS certificate is self-signed (set NODE_EXTRA_CA_CERTS to trust it)\n`,
      );
      const trusted = await cigenAsync(args, { GITLAB_TOKEN: 'glpat-test', NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
      expect(trusted.stderr).toBe('');
      expect(trusted.stdout).toMatch(/^0 project\(s\)/m);
      expect(trusted.status).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
