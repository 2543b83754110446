/**
 * The registry client of the supply-chain commands against fake registries on 127.0.0.1 (a
 * `node:http` server per test): what a hostile or odd registry can make it do. The real registry
 * (CNCF distribution) is the e2e tier's.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { attest } from '../../src/supply/attest.js';
import { verifyImage } from '../../src/supply/check.js';
import { parseDigestReference } from '../../src/supply/reference.js';
import { attachBundle, RegistryReader, RegistryStatusError, type Descriptor } from '../../src/supply/registry.js';
import { platformImages } from '../../src/supply/sbom.js';
import { signStatement } from '../../src/supply/signing.js';
import { BUNDLE_MEDIA_TYPE, statement } from '../../src/supply/statement.js';
import { parseTrustedRoot, trustMaterial } from '../../src/supply/trust.js';
import type { Policy } from '../../src/supply/verify.js';
import { startSigstoreStandIn, type SigstoreStandIn } from '../e2e/lib/sigstore-standin.js';
import { cigenAsync } from '../helpers/cli.js';

const DIGEST = `sha256:${'3'.repeat(64)}`;
const MiB = 1024 * 1024;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A fake registry on 127.0.0.1; its host:port. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Writes `total` bytes of spaces in 64 KiB chunks as fast as the client reads them; what was written, in `sent`. */
function stream(response: ServerResponse, total: number, sent: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  const more = (): void => {
    while (sent.bytes < total && !response.destroyed) {
      sent.bytes += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', more);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => response.removeAllListeners('drain'));
  more();
}

const readerFor = (host: string) => new RegistryReader(parseDigestReference(`${host}/group/app@${DIGEST}`), undefined);

describe('a registry that answers with more than any manifest or bundle', () => {
  it('an endless body: reading stops past the limit, not after the whole body is held in memory', async () => {
    const sent = { bytes: 0 };
    const host = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      stream(response, 200 * MiB, sent);
    });
    const error = await readerFor(host)
      .manifest(DIGEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`manifest ${DIGEST} is larger than ${16 * MiB} bytes`);
    // The limit (16 MiB) and what the sockets buffer; not the 200 MiB offered.
    expect(sent.bytes).toBeLessThan(32 * MiB);
  });

  it('a Content-Length past the limit is refused before the body is read', async () => {
    const sent = { bytes: 0 };
    const host = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(200 * MiB) });
      stream(response, 200 * MiB, sent);
    });
    const error = await readerFor(host)
      .blob(DIGEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`blob ${DIGEST} is larger than ${16 * MiB} bytes (Content-Length ${200 * MiB})`);
    expect(sent.bytes).toBeLessThan(32 * MiB);
  });
});

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** What a fake registry holds: manifests and blobs by digest, the referrers of each digest. */
class Store {
  readonly manifests = new Map<string, { type: string; bytes: Buffer }>();
  readonly blobs = new Map<string, Buffer>();
  readonly referrers = new Map<string, Descriptor[]>();

  manifest(body: unknown, type = MANIFEST): Descriptor {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const digest = sha256(bytes);
    this.manifests.set(digest, { type, bytes });
    return { mediaType: type, digest, size: bytes.length };
  }

  blob(bytes: Buffer | string): Descriptor {
    const buffer = Buffer.from(bytes);
    this.blobs.set(sha256(buffer), buffer);
    return { mediaType: 'application/octet-stream', digest: sha256(buffer), size: buffer.length };
  }

  /** A referrer manifest holding `layer` as its bundle, attached to `subject`, as @sigstore/oci writes it. */
  attach(subject: string, layer: Buffer | string): Descriptor {
    const descriptor = this.manifest({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: BUNDLE_MEDIA_TYPE,
      config: this.blob('{}'),
      layers: [{ ...this.blob(layer), mediaType: BUNDLE_MEDIA_TYPE }],
    });
    const entry = { ...descriptor, artifactType: BUNDLE_MEDIA_TYPE };
    this.referrers.set(subject, [...(this.referrers.get(subject) ?? []), entry]);
    return entry;
  }

  /** Serves the OCI distribution API for repository group/app: manifests, blobs, the referrers API. */
  handler(pageSize = Infinity): Handler {
    return (request, response) => {
      const url = new URL(request.url ?? '/', 'http://registry');
      const match = /^\/v2\/group\/app\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
      const [, kind, reference] = match ?? [];
      if (kind === 'manifests' && this.manifests.has(reference as string)) {
        const { type, bytes } = this.manifests.get(reference as string)!;
        response.writeHead(200, { 'Content-Type': type }).end(bytes);
      } else if (kind === 'blobs' && this.blobs.has(reference as string)) {
        response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(this.blobs.get(reference as string));
      } else if (kind === 'referrers') {
        const all = this.referrers.get(reference as string) ?? [];
        const from = Number(url.searchParams.get('page') ?? '0');
        const page = all.slice(from, from + pageSize);
        const next = from + pageSize < all.length ? { Link: `<${url.pathname}?page=${from + pageSize}>; rel="next"` } : {};
        response
          .writeHead(200, { 'Content-Type': INDEX, ...next })
          .end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: page }));
      } else {
        response.writeHead(404).end();
      }
    };
  }
}

describe('the referrers API, page by page', () => {
  it('follows the Link header to every page (the distribution spec lets a registry paginate)', async () => {
    const store = new Store();
    const image = store.manifest({ schemaVersion: 2, mediaType: MANIFEST, config: store.blob('{}'), layers: [] }).digest;
    const referrers = [1, 2, 3, 4, 5].map((n) => store.attach(image, `{"n": ${n}}`));
    const host = await serve(store.handler(2));
    expect((await readerFor(host).referrers(image)).map((d) => d.digest)).toEqual(referrers.map((d) => d.digest));
  });

  it('a Link to another host is not followed with the credentials: refused', async () => {
    const host = await serve((_request, response) =>
      response
        .writeHead(200, { 'Content-Type': INDEX, Link: '<https://elsewhere.example.com/v2/group/app/referrers/x?page=2>; rel="next"' })
        .end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] })),
    );
    await expect(readerFor(host).referrers(DIGEST)).rejects.toThrow(
      new InputError(`${host}/group/app: the referrers of ${DIGEST} continue on another host (https://elsewhere.example.com)`),
    );
  });
});

/**
 * The Store's registry behind the distribution spec's token dance: a token from /token lasts
 * `uses[n]` requests (the n-th token issued; the last number for those after it), then the
 * registry answers 401 as to an expired one. Requests and token grants, in order, in `log`.
 */
function tokenRegistry(store: Store, uses: readonly number[]): { handler: Handler; log: string[] } {
  const log: string[] = [];
  const left = new Map<string, number>();
  const registry = store.handler();
  return {
    log,
    handler: (request, response) => {
      const url = new URL(request.url ?? '/', 'http://registry');
      if (url.pathname === '/token') {
        const token = `t${left.size + 1}`;
        left.set(token, uses[Math.min(left.size, uses.length - 1)] as number);
        log.push(`${token} for ${url.searchParams.get('scope')}`);
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const remaining = token === undefined ? 0 : (left.get(token) ?? 0);
      log.push(`${url.pathname.replace(/sha256:(.{4}).*/, '$1')} ${token ?? '-'}${remaining > 0 ? '' : ' 401'}`);
      if (remaining <= 0) {
        const challenge = `Bearer realm="http://${request.headers.host}/token",service="registry",scope="repository:group/app:pull"`;
        response.writeHead(401, { 'WWW-Authenticate': challenge }).end();
        return;
      }
      left.set(token as string, remaining - 1);
      registry(request, response);
    },
  };
}

describe('a bearer token that expires during a long read (GitLab: 5 minutes; `cigen sbom` of a large index takes longer)', () => {
  /** A two-platform index, each platform with two layers; its digest. */
  function index(store: Store): { index: string; layers: string[] } {
    const layers: string[] = [];
    const platforms = ['amd64', 'arm64'].map((architecture) => {
      const own = [1, 2].map((n) => store.blob(`${architecture} layer ${n}`));
      layers.push(...own.map((l) => l.digest));
      const manifest = store.manifest({ schemaVersion: 2, mediaType: MANIFEST, config: store.blob(architecture), layers: own });
      return { ...manifest, platform: { os: 'linux', architecture } };
    });
    return { index: store.manifest({ schemaVersion: 2, mediaType: INDEX, manifests: platforms }, INDEX).digest, layers };
  }

  /** What `cigen sbom` reads of it, in its order: the index, then each platform's manifest and layers. */
  async function readAll(reader: RegistryReader, digest: string): Promise<void> {
    for (const platform of await platformImages(reader, digest)) {
      const manifest = await reader.requiredManifest(platform.digest);
      for (const layer of manifest.body['layers'] as Descriptor[]) await reader.blob(layer.digest);
    }
  }

  it('a token the registry accepted, then refuses, is renewed (same scope) and the request made again', async () => {
    const store = new Store();
    const { index: digest } = index(store);
    const { handler, log } = tokenRegistry(store, [3]);
    const host = await serve(handler);
    await readAll(new RegistryReader(parseDigestReference(`${host}/group/app@${digest}`), undefined), digest);
    const grants = log.filter((line) => line.includes(' for '));
    expect(grants).toEqual(['t1 for repository:group/app:pull', 't2 for repository:group/app:pull', 't3 for repository:group/app:pull']);
    // Each 401 but the first (no token yet) is of a token that had worked, followed by a new one.
    expect(log.filter((line) => line.endsWith(' 401'))).toEqual([
      expect.stringMatching(/ - 401$/),
      expect.stringMatching(/ t1 401$/),
      expect.stringMatching(/ t2 401$/),
    ]);
  });

  it('a token refused as soon as it was issued is the registry refusing the credentials: HTTP 401, one token asked for', async () => {
    const store = new Store();
    const { index: digest } = index(store);
    const { handler, log } = tokenRegistry(store, [0]);
    const host = await serve(handler);
    const reader = new RegistryReader(parseDigestReference(`${host}/group/app@${digest}`), { username: 'ci', password: 'wrong' });
    await expect(readAll(reader, digest)).rejects.toMatchObject({
      status: 401,
      message: `${host}/group/app: manifest ${digest}: HTTP 401`,
    });
    expect(log.filter((line) => line.includes(' for '))).toHaveLength(1);
  });

  it('a renewed token refused at once too: HTTP 401 after one renewal, not a loop', async () => {
    const store = new Store();
    const { index: digest } = index(store);
    const { handler, log } = tokenRegistry(store, [2, 0]);
    const host = await serve(handler);
    const error = await readAll(new RegistryReader(parseDigestReference(`${host}/group/app@${digest}`), undefined), digest).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryStatusError);
    expect((error as RegistryStatusError).status).toBe(401);
    expect(log.filter((line) => line.includes(' for '))).toEqual(['t1 for repository:group/app:pull', 't2 for repository:group/app:pull']);
  });
});

describe('bundles the registry holds that are not bundles', () => {
  let dir: string;
  let sigstore: SigstoreStandIn;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cigen-supply-registry-'));
    sigstore = await startSigstoreStandIn(dir);
  });
  afterAll(async () => {
    await sigstore?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const policy: Policy = { expected: { mode: 'key', key: key.publicKey, name: 'cosign.pub' }, require: [], protectedRef: false };
  const trust = () => trustMaterial(parseTrustedRoot(readFileSync(sigstore.trustedRoot, 'utf8'), 'root'), key.publicKey);
  /** An image, and a valid signature of it by the key, attached. */
  async function signedImage(store: Store): Promise<string> {
    const image = store.manifest({ schemaVersion: 2, mediaType: MANIFEST, config: store.blob('{"os":"linux"}'), layers: [] }).digest;
    const bundle = await signStatement(statement('127.0.0.1/group/app', image, 'signature', {}), {
      fulcioUrl: sigstore.fulcioUrl,
      rekorUrl: sigstore.rekorUrl,
      tsaUrl: sigstore.tsaUrl,
      key: { pem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), password: '', name: 'cosign.key' },
    });
    store.attach(image, JSON.stringify(bundle));
    return image;
  }

  it('a referrer whose bundle is not JSON, beside a valid signature: that one is refused, the image verified', async () => {
    const store = new Store();
    const image = await signedImage(store);
    store.attach(image, 'not json');
    const host = await serve(store.handler());
    const verdict = await verifyImage(`${host}/group/app@${image}`, policy, trust(), {});
    expect(verdict.reasons).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.bundles.map((b) => b.problem)).toContainEqual(expect.stringMatching(/^not a Sigstore bundle: .*not a JSON object/));
  });

  it('alone, it is a reason to refuse (exit 1), not an internal error; so is a referrer manifest that is not JSON', async () => {
    const store = new Store();
    const image = store.manifest({ schemaVersion: 2, mediaType: MANIFEST, config: store.blob('{}'), layers: [] }).digest;
    const junk = store.attach(image, 'not json');
    const broken = store.manifest('{ not json');
    store.referrers.get(image)!.push({ ...broken, artifactType: BUNDLE_MEDIA_TYPE });
    const host = await serve(store.handler());
    const verdict = await verifyImage(`${host}/group/app@${image}`, policy, trust(), {});
    expect(verdict.ok).toBe(false);
    expect(verdict.reasons).toEqual([
      `signature: not a Sigstore bundle: the layer of ${junk.digest} is not a JSON object`,
      `signature: the referrer ${broken.digest} cannot be read: ${host}/group/app: manifest ${broken.digest} is not a JSON object`,
    ]);
  });
});

describe('signing checks the image first: nothing goes to the transparency log for an image that is not there', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  /** A registry (with `answer` for the image's manifest) that is also the Sigstore services; the requests these got. */
  async function registryAndServices(answer: (request: IncomingMessage, response: ServerResponse) => void) {
    const services: string[] = [];
    const host = await serve((request, response) => {
      if ((request.url ?? '').startsWith('/v2/')) return answer(request, response);
      services.push(request.url ?? '');
      response.writeHead(500).end();
    });
    const signing = { fulcioUrl: `http://${host}/fulcio`, rekorUrl: `http://${host}/rekor`, tsaUrl: '' };
    return { host, services, signing };
  }

  it.each(['signature', 'provenance'] as const)('%s: an image the registry does not have', async (kind) => {
    const { host, services, signing } = await registryAndServices((_request, response) => response.writeHead(404).end());
    const error = await attest(kind, `${host}/group/nope@${DIGEST}`, {
      signing: { ...signing, key: { pem: key, password: '', name: 'cosign.key' } },
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`the registry has no manifest ${DIGEST}`);
    expect(services).toEqual([]);
  });

  it('credentials the registry refuses', async () => {
    const { host, services, signing } = await registryAndServices((_request, response) =>
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="registry"' }).end(),
    );
    const auth = mkdtempSync(join(tmpdir(), 'cigen-supply-auth-'));
    try {
      const config = { auths: { [host]: { auth: Buffer.from('user:wrong').toString('base64') } } };
      writeFileSync(join(auth, 'config.json'), JSON.stringify(config));
      const error = await attest('signature', `${host}/group/app@${DIGEST}`, {
        signing: { ...signing, key: { pem: key, password: '', name: 'cosign.key' } },
        env: { DOCKER_CONFIG: auth },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(`${host}/group/app: manifest ${DIGEST}: HTTP 401`);
      expect(services).toEqual([]);
    } finally {
      rmSync(auth, { recursive: true, force: true });
    }
  });
});

/**
 * A registry without the referrers API (as CNCF distribution 2.x): blobs, manifests by digest and
 * by tag, and the push API @sigstore/oci uses. `onIndexPut` and `onIndexGet` let a test play
 * another job writing the same `sha256-<hex>` index at a chosen moment. With `referrersApi`, one
 * with it (OCI 1.1): a manifest with a subject is listed by the referrers API, nothing to wait for.
 */
class TagSchemaRegistry {
  constructor(readonly referrersApi = false) {}
  readonly manifests = new Map<string, { type: string; bytes: Buffer }>();
  readonly blobs = new Map<string, Buffer>();
  private uploads = 0;
  /** Before an index PUT is stored: a status to answer instead (the PUT is then not stored). */
  onIndexPut: () => number | undefined = () => undefined;
  /** The same for the PUT of a referrer manifest (by digest). */
  onReferrerPut: () => number | undefined = () => undefined;
  /** After an index GET was answered. */
  onIndexGet: () => void = () => undefined;
  /** Before an index GET is answered: a status to answer instead. */
  onIndexGetStatus: () => number | undefined = () => undefined;

  image(): string {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: { digest: sha256('{}') }, layers: [] }));
    this.manifests.set(sha256(bytes), { type: MANIFEST, bytes });
    return sha256(bytes);
  }

  /** With the referrers API: the referrer manifests whose subject is `digest`. */
  referrersOf(digest: string): Descriptor[] {
    const found: Descriptor[] = [];
    for (const [key, { type, bytes }] of this.manifests) {
      const body = JSON.parse(bytes.toString()) as { subject?: Descriptor; artifactType?: string };
      if (key === sha256(bytes) && body.subject?.digest === digest)
        found.push({ mediaType: type, digest: key, size: bytes.length, ...(body.artifactType ? { artifactType: body.artifactType } : {}) });
    }
    return found;
  }

  /** The digests the `sha256-<hex>` index of `subject` lists. */
  listed(subject: string): string[] {
    const index = this.manifests.get(subject.replace(':', '-'));
    return index ? (JSON.parse(index.bytes.toString()) as { manifests: Descriptor[] }).manifests.map((d) => d.digest) : [];
  }

  handler(): Handler {
    return (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, Buffer.concat(chunks), response));
    };
  }

  private answer(request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://registry');
    const [, kind, reference] = /^\/v2\/group\/app\/(manifests|blobs|referrers|blobs\/uploads)\/([^/]*)$/.exec(url.pathname) ?? [];
    const method = request.method ?? 'GET';
    const isIndex = reference?.startsWith('sha256-') ?? false;
    if (kind === 'blobs/uploads' && method === 'POST') {
      response.writeHead(202, { Location: `/v2/group/app/blobs/uploads/${++this.uploads}` }).end();
    } else if (kind === 'blobs/uploads' && method === 'PUT') {
      this.blobs.set(url.searchParams.get('digest') ?? '', body);
      response.writeHead(201).end();
    } else if (kind === 'blobs') {
      const blob = this.blobs.get(reference as string);
      response.writeHead(blob ? 200 : 404).end(method === 'HEAD' ? undefined : blob);
    } else if (kind === 'manifests' && method === 'PUT') {
      const status = isIndex ? this.onIndexPut() : this.onReferrerPut();
      if (status !== undefined) {
        response.writeHead(status).end();
        return;
      }
      const type = request.headers['content-type'] ?? MANIFEST;
      this.manifests.set(reference as string, { type, bytes: body });
      this.manifests.set(sha256(body), { type, bytes: body });
      const subject = this.referrersApi ? (JSON.parse(body.toString()) as { subject?: Descriptor }).subject : undefined;
      response.writeHead(201, { 'Docker-Content-Digest': sha256(body), ...(subject ? { 'OCI-Subject': subject.digest } : {}) }).end();
    } else if (kind === 'referrers' && this.referrersApi && method === 'GET') {
      const manifests = this.referrersOf(reference as string);
      response.writeHead(200, { 'Content-Type': INDEX }).end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
    } else if (kind === 'manifests' && isIndex && method === 'GET' && this.onIndexGetStatus() !== undefined) {
      response.writeHead(500).end();
    } else if (kind === 'manifests' && this.manifests.has(reference as string)) {
      const { type, bytes } = this.manifests.get(reference as string)!;
      const headers = { 'Content-Type': type, 'Docker-Content-Digest': sha256(bytes), 'Content-Length': String(bytes.length) };
      response.writeHead(200, headers).end(method === 'HEAD' ? undefined : bytes);
      if (isIndex && method === 'GET') this.onIndexGet();
    } else {
      response.writeHead(404).end();
    }
  }
}

describe('attaching where the referrers are one index under a tag, which other jobs rewrite too', () => {
  const bundle = { mediaType: BUNDLE_MEDIA_TYPE, note: 'the bundle is not read here' };
  const quick = { settleMs: 20, pauseMs: () => 5 };

  it('an entry another job drops after it was read back is found missing later and attached again', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const host = await serve(registry.handler());
    // Another job read the index before this one's entry was added, and writes it back (without
    // the entry) once this job has read its entry back.
    let before: { type: string; bytes: Buffer } | undefined;
    let puts = 0;
    registry.onIndexPut = () => {
      if (++puts === 1) before = registry.manifests.get(image.replace(':', '-'));
      return undefined;
    };
    let dropped = false;
    registry.onIndexGet = () => {
      // The read-back after this job's PUT: then the other job's PUT lands.
      if (puts !== 1 || dropped) return;
      dropped = true;
      if (before) registry.manifests.set(image.replace(':', '-'), before);
      else registry.manifests.delete(image.replace(':', '-'));
    };
    const ref = parseDigestReference(`${host}/group/app@${image}`);
    const referrer = await attachBundle(ref, image, bundle, {}, undefined, quick);
    expect(dropped).toBe(true);
    expect(registry.listed(image)).toEqual([referrer]);
  });

  it('a server error when the entry is read back (distribution answers 500 to reads of a tag being written) is retried', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const host = await serve(registry.handler());
    let failed = 0;
    // Once the index exists (this job's PUT), its first read answers 500.
    registry.onIndexGetStatus = () => (registry.listed(image).length > 0 && ++failed === 1 ? 500 : undefined);
    const referrer = await attachBundle(parseDigestReference(`${host}/group/app@${image}`), image, bundle, {}, undefined, quick);
    expect(failed).toBeGreaterThan(1);
    expect(registry.listed(image)).toEqual([referrer]);
  });

  it('a manifest naming a blob the registry has not settled yet (distribution: 400 when jobs upload one blob at once) is retried', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const host = await serve(registry.handler());
    let puts = 0;
    registry.onReferrerPut = () => (++puts === 1 ? 400 : undefined);
    const referrer = await attachBundle(parseDigestReference(`${host}/group/app@${image}`), image, bundle, {}, undefined, quick);
    expect(puts).toBe(2);
    expect(registry.listed(image)).toEqual([referrer]);
  });

  it('credentials configured for a registry that asks for none are not given to it: attached (it was `Invalid challenge: `)', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const host = await serve(registry.handler());
    const ref = parseDigestReference(`${host}/group/app@${image}`);
    const referrer = await attachBundle(ref, image, bundle, {}, { username: 'ci', password: 'secret' }, quick);
    expect(registry.listed(image)).toEqual([referrer]);
  });

  it('a registry that asks for credentials to push gets them', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const open = registry.handler();
    const expected = `Basic ${Buffer.from('ci:secret').toString('base64')}`;
    const unauthenticated: string[] = [];
    const host = await serve((request, response) => {
      if (request.headers.authorization === expected) return open(request, response);
      unauthenticated.push(`${request.method} ${new URL(request.url ?? '/', 'http://registry').pathname}`);
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="registry"' }).end();
    });
    const ref = parseDigestReference(`${host}/group/app@${image}`);
    const referrer = await attachBundle(ref, image, bundle, {}, { username: 'ci', password: 'secret' }, quick);
    expect(registry.listed(image)).toEqual([referrer]);
    // cigen's probe goes without credentials, as every first request does: the challenge says what to send.
    expect(unauthenticated[0]).toBe('POST /v2/group/app/blobs/uploads/');
  });

  it('a server error while the index is updated (distribution answers 500 to concurrent tag writes) is retried', async () => {
    const registry = new TagSchemaRegistry();
    const image = registry.image();
    const host = await serve(registry.handler());
    let puts = 0;
    registry.onIndexPut = () => (++puts === 1 ? 500 : undefined);
    const referrer = await attachBundle(parseDigestReference(`${host}/group/app@${image}`), image, bundle, {}, undefined, quick);
    expect(puts).toBe(2);
    expect(registry.listed(image)).toEqual([referrer]);
  });
});

describe('sign, sbom, provenance: the files they write are checked before anything is signed or attached', () => {
  let dir: string;
  let sigstore: SigstoreStandIn;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cigen-supply-outputs-'));
    writeFileSync(join(dir, 'cosign.key'), key);
    sigstore = await startSigstoreStandIn(dir);
  });
  afterAll(async () => {
    await sigstore?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `cigen <command> --key cosign.key` on an image of a registry with the referrers API; what it attached, and Rekor's entries since. */
  async function run(command: string, args: (at: string) => string[], registry = new TagSchemaRegistry(true)) {
    const subject = registry.image();
    const host = await serve(registry.handler());
    const image = `${host}/group/app@${subject}`;
    const at = mkdtempSync(join(dir, 'run-'));
    const before = (await sigstore.stats())['rekor'] ?? 0;
    const result = await cigenAsync([command, '--key', join(dir, 'cosign.key'), '--rekor-url', sigstore.rekorUrl, image, ...args(at)]);
    const rekor = ((await sigstore.stats())['rekor'] ?? 0) - before;
    return { ...result, at, image, attached: registry.referrersOf(subject).map((d) => `${host}/group/app@${d.digest}`), rekor };
  }

  /** Makes `path` a directory, or a file; `path`. */
  const directory = (path: string): string => (mkdirSync(path, { recursive: true }), path);
  const file = (path: string): string => (writeFileSync(path, ''), path);

  it.each([
    {
      command: 'sign',
      target: 'sign.env',
      reason: 'it is a directory',
      args: (at: string) => ['--report', directory(join(at, 'sign.env'))],
    },
    { command: 'provenance', target: 'out', reason: 'it is a directory', args: (at: string) => ['--output', directory(join(at, 'out'))] },
    {
      command: 'sbom',
      target: 'file/image.cdx.json',
      reason: 'a part of the path is not a directory',
      args: (at: string) => ['--output-dir', file(join(at, 'file'))],
    },
    {
      command: 'sbom',
      target: 'sbom/image.cdx.json',
      reason: 'it is a directory',
      args: (at: string) => (directory(join(at, 'sbom/image.cdx.json')), ['--output-dir', join(at, 'sbom')]),
    },
  ])(
    '$command, $target: a target that cannot be written stops it before the registry or Rekor is asked to keep anything (exit 74)',
    async ({ command, target, reason, args }) => {
      // The SBOM generator is never run: the files are checked first.
      const result = await run(command, (at) => [...args(at), ...(command === 'sbom' ? ['--generator', '/bin/false'] : [])]);
      expect(result.stderr).toBe(`cannot write ${join(result.at, target)}: ${reason}; nothing was signed or attached\n`);
      expect(result.status).toBe(74);
      expect(result.attached).toEqual([]);
      expect(result.rekor).toBe(0);
    },
  );

  it('a write that fails once the signature is attached (checked before, a full disk now) names what was attached', async () => {
    const registry = new TagSchemaRegistry(true);
    let report = '';
    // The report's place taken while the signature is attached, as a disk fills up meanwhile.
    registry.onReferrerPut = () => void mkdirSync(report);
    const result = await run('sign', (at) => ['--report', (report = join(at, 'sign.env'))], registry);
    expect(result.attached).toHaveLength(1);
    expect(result.rekor).toBe(1);
    expect(result.stderr).toBe(
      `cannot write ${report}: it is a directory; no file was written, but the signature of ${result.image} was attached as ${result.attached[0]}\n`,
    );
    expect(result.status).toBe(74);
    expect(result.stdout).toBe('');
  });

  it('written, the files say what was attached, and so does stdout', async () => {
    const result = await run('provenance', (at) => ['--report', join(at, 'p.env'), '--output', join(at, 'p.json')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.attached).toHaveLength(1);
    expect(readFileSync(join(result.at, 'p.env'), 'utf8')).toBe(`CIGEN_PROVENANCE_REF=${result.attached[0]}\n`);
    expect(JSON.parse(readFileSync(join(result.at, 'p.json'), 'utf8'))).toMatchObject({ predicateType: 'https://slsa.dev/provenance/v1' });
    expect(result.stdout).toBe(`cigen: provenance of ${result.image} attached as ${result.attached[0]}\n`);
  });
});
