/**
 * A local Sigstore stand-in: Fulcio, Rekor and a timestamp authority from @sigstore/mock (each
 * answers with material that verifies: certificates from an ephemeral CA with embedded SCTs, log
 * entries with signed entry timestamps, RFC 3161 timestamps), served on 127.0.0.1 in a process of
 * its own (jobs run through spawnSync, which blocks this one's event loop), with the trusted root
 * that vouches for them written to a file — what a private Sigstore gives a self-managed GitLab.
 *
 * Like Fulcio for GitLab, the certificate's identity (a URI SAN) is taken from the token:
 * `https://` + its ci_config_ref_uri claim, and its issuer from `iss`. The token's signature is
 * not checked (the stand-in has no OIDC discovery); identities are what the tests vary. Like Rekor,
 * it stores a dsse entry canonicalized (hashes and signatures, not the proposed envelope).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './runner.js';

export interface SigstoreStandIn {
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl: string;
  /** The trusted root (JSON file) that vouches for these three. */
  trustedRoot: string;
  /** Requests each service answered. */
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

const SERVER = `
import { createServer } from 'node:http';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { initializeCA, initializeCTLog, initializeTLog, initializeTSA, fulcioHandler, rekorHandler, tsaHandler } from '@sigstore/mock';
import { TrustedRoot } from '@sigstore/protobuf-specs';
const [rootFile] = process.argv.slice(1);
const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
// One server per service, each at its own root, as the real services are.
const listen = async (handler) => {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return 'http://127.0.0.1:' + server.address().port;
};
const servers = [];
const counts = { fulcio: 0, rekor: 0, tsa: 0 };
const routes = {};
const serve = (service) => (req, res) => {
  if (req.url === '/__stats') { res.end(JSON.stringify(counts)); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const route = routes[service][req.url];
    if (!route || req.method !== 'POST') { res.writeHead(404); res.end(); return; }
    counts[service]++;
    let body = Buffer.concat(chunks).toString();
    // Fulcio for GitLab: the identity is https:// + ci_config_ref_uri.
    if (service === 'fulcio') {
      const json = JSON.parse(body);
      const [h, p] = json.credentials.oidcIdentityToken.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      claims.fulcio_san = 'https://' + claims.ci_config_ref_uri;
      json.credentials.oidcIdentityToken = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), 'x'].join('.');
      body = JSON.stringify(json);
    }
    // Rekor canonicalizes a dsse entry: it keeps the envelope's hash, the payload's hash and the
    // signatures with their verifiers, not the proposed envelope.
    if (service === 'rekor') {
      const entry = JSON.parse(body);
      if (entry.kind === 'dsse') {
        const envelope = JSON.parse(entry.spec.proposedContent.envelope);
        const sha = (data) => createHash('sha256').update(data).digest('hex');
        entry.spec = {
          envelopeHash: { algorithm: 'sha256', value: sha(entry.spec.proposedContent.envelope) },
          payloadHash: { algorithm: 'sha256', value: sha(Buffer.from(envelope.payload, 'base64')) },
          signatures: envelope.signatures.map((sig, i) => ({ signature: sig.sig, verifier: entry.spec.proposedContent.verifiers[i] })),
        };
        body = JSON.stringify(entry);
      }
    }
    const out = await route(body);
    res.writeHead(out.statusCode, { 'Content-Type': out.contentType ?? 'application/json' });
    res.end(out.response);
  });
};
const fulcioUrl = await listen(serve('fulcio'));
const rekorUrl = await listen(serve('rekor'));
const tsaUrl = await listen(serve('tsa'));
const ctlog = await initializeCTLog(keys());
const ca = await initializeCA(keys(), ctlog);
const tlog = await initializeTLog(rekorUrl, keys());
const tsa = await initializeTSA(keys());
// @sigstore/mock writes the timestamp's milliseconds without trailing zeros (.5Z), which DER
// readers such as sigstore-js refuse: its clock skips the milliseconds that end in 0 (a check of
// Date.now() before the request raced with the mock's own reading of the time, on a busy machine).
tsa.getCurrentTime = () => {
  const now = new Date();
  if (now.getMilliseconds() % 10 === 0) now.setMilliseconds(now.getMilliseconds() + 1);
  return now;
};
routes.fulcio = { '/api/v2/signingCert': fulcioHandler(ca, { subjectClaim: 'fulcio_san' }).fn };
routes.rekor = { '/api/v1/log/entries': rekorHandler(tlog).fn };
routes.tsa = { '/api/v1/timestamp': tsaHandler(tsa).fn };
const base = fulcioUrl;
const start = new Date(Date.now() - 60_000);
const der = (key) => key.export({ format: 'der', type: 'spki' });
const root = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  // hashAlgorithm 1: SHA2_256; keyDetails 5: PKIX_ECDSA_P256_SHA_256.
  tlogs: [{
    baseUrl: rekorUrl, hashAlgorithm: 1, publicKey: { rawBytes: tlog.publicKey, keyDetails: 5, validFor: { start } },
    logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() },
  }],
  certificateAuthorities: [{
    subject: { organization: 'cigen e2e', commonName: 'stand-in fulcio' }, uri: fulcioUrl,
    certChain: { certificates: [{ rawBytes: Buffer.from(ca.rootCertificate) }] }, validFor: { start },
  }],
  ctlogs: [{
    baseUrl: 'http://127.0.0.1/ct', hashAlgorithm: 1, publicKey: { rawBytes: ctlog.publicKey, keyDetails: 5, validFor: { start } },
    logId: { keyId: Buffer.from(ctlog.logID) },
  }],
  timestampAuthorities: [{
    subject: { organization: 'cigen e2e', commonName: 'stand-in tsa' }, uri: tsaUrl,
    certChain: { certificates: [{ rawBytes: Buffer.from(tsa.intCertificate) }, { rawBytes: Buffer.from(tsa.rootCertificate) }] },
    validFor: { start },
  }],
};
writeFileSync(rootFile, JSON.stringify(TrustedRoot.toJSON(TrustedRoot.fromJSON(TrustedRoot.toJSON(root))), null, 2));
process.stdout.write(JSON.stringify({ fulcioUrl, rekorUrl, tsaUrl }) + '\\n');
process.on('SIGTERM', () => { for (const server of servers) server.closeAllConnections(); process.exit(0); });
`;

export async function startSigstoreStandIn(dir: string): Promise<SigstoreStandIn> {
  const trustedRoot = join(dir, 'trusted-root.json');
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, trustedRoot], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const urls = await new Promise<{ fulcioUrl: string; rekorUrl: string; tsaUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as { fulcioUrl: string; rekorUrl: string; tsaUrl: string });
    });
    child.once('exit', (code) => reject(new Error(`sigstore stand-in exited (${code})`)));
  });
  return {
    ...urls,
    trustedRoot,
    stats: async () => (await (await fetch(`${urls.fulcioUrl}/__stats`)).json()) as Record<string, number>,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A GitLab-shaped OIDC token for the stand-in (unsigned: the stand-in does not check signatures). */
export function gitlabIdToken(claims: { server: string; project: string; ref: string; configPath?: string; protected?: boolean }): string {
  const host = new URL(claims.server).host;
  const body = {
    iss: claims.server,
    aud: 'sigstore',
    sub: `project_path:${claims.project}:ref_type:branch:ref:${claims.ref}`,
    project_path: claims.project,
    ref: claims.ref,
    ref_protected: String(claims.protected ?? true),
    ci_config_ref_uri: `${host}/${claims.project}//${claims.configPath ?? '.gitlab-ci.yml'}@refs/heads/${claims.ref}`,
    exp: Math.floor(Date.now() / 1000) + 3600,
    iat: Math.floor(Date.now() / 1000),
  };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(body)}.c2lnbmF0dXJl`;
}
