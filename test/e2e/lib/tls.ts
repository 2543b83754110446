/**
 * A throwaway certificate authority (openssl) and a server certificate it signs (for 127.0.0.1 unless told),
 * as a company CA signs its Harbor: nothing on this machine trusts it until a job is told to.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerCertificate } from './registry.js';

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
}

export function throwawayCertificateAuthority(
  dir: string,
  /** The names the server certificate is for (its subjectAltName). */
  names = 'IP:127.0.0.1, DNS:localhost',
): ServerCertificate & { caFile: string } {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=cigen e2e company CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName = ${names}\nextendedKeyUsage = serverAuth\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ],
    dir,
  );
  return {
    certificate: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caFile: join(dir, 'ca.crt'),
  };
}

/**
 * The runner's own trust in one registry, the containers way: `pem` as
 * /etc/containers/certs.d/<host>/ca.crt (Buildah and skopeo read it for that host only). Returns
 * the undo, which removes what this made and nothing else: the file, then each directory it
 * created, so /etc/containers is left exactly as it was.
 */
export function trustThroughCertsD(host: string, pem: string): () => void {
  const dir = join('/etc/containers/certs.d', host);
  if (existsSync(dir)) throw new Error(`${dir} exists already: it is not this test's to change`);
  const created: string[] = [];
  for (let path = dir; !existsSync(path); path = dirname(path)) created.push(path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), pem);
  return () => {
    rmSync(join(dir, 'ca.crt'), { force: true });
    for (const path of created) rmdirSync(path);
  };
}
