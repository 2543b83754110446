/**
 * A reverse proxy in front of a test registry that answers the first N manifest uploads with
 * 503 and the registry's own error body (code UNAVAILABLE), as a registry behind a load balancer
 * does while it restarts; everything else passes through unchanged, Host header included, so
 * the registry's upload locations point back at the proxy. It runs in a process of its own: the
 * tests run jobs with spawnSync, which blocks this one's event loop.
 */
import { spawn } from 'node:child_process';
import { send } from './registry.js';

export interface FlakyProxy {
  host: string;
  /** Manifest uploads seen, and how many of them were refused. */
  stats(): Promise<{ puts: number; refused: number }>;
  stop(): Promise<void>;
}

const SERVER = `
import { createServer, request } from 'node:http';
const [target, failures] = [process.argv[1], Number(process.argv[2])];
let puts = 0, refused = 0;
const server = createServer((req, res) => {
  if (req.url === '/__flaky/stats') { res.end(JSON.stringify({ puts, refused })); return; }
  if (req.method === 'PUT' && /\\/manifests\\/[^/]+$/.test(req.url)) {
    puts++;
    if (refused < failures) {
      refused++;
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable', detail: 'restarting' }] }));
      });
      return;
    }
  }
  const upstream = request('http://' + target + req.url, { method: req.method, headers: req.headers }, (reply) => {
    res.writeHead(reply.statusCode, reply.headers);
    reply.pipe(res);
  });
  upstream.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

export async function startFlakyProxy(target: string, failures: number): Promise<FlakyProxy> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, target, String(failures)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`flaky proxy exited (${code})`)));
  });
  const host = `127.0.0.1:${port}`;
  return {
    host,
    stats: async () => JSON.parse((await send(`http://${host}/__flaky/stats`)).body) as { puts: number; refused: number },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
