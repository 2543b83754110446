/**
 * The registry client of the supply-chain commands against fake registries on 127.0.0.1 (a
 * `node:http` server per test): what a hostile or odd registry can make it do. The real registry
 * (CNCF distribution) is the e2e tier's.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { attest } from '../../src/supply/attest.js';
import { verifyImage } from '../../src/supply/check.js';
import { parseDigestReference } from '../../src/supply/reference.js';
import { attachBundle, RegistryReader, RegistryStatusError, type Descriptor } from '../../src/supply/registry.js';
import { platformImages, type CycloneDxBom } from '../../src/supply/sbom.js';
import { signStatement } from '../../src/supply/signing.js';
import { BUNDLE_MEDIA_TYPE, statement } from '../../src/supply/statement.js';
import { parseTrustedRoot, trustMaterial } from '../../src/supply/trust.js';
import type { Policy } from '../../src/supply/verify.js';
import { gitlabIdToken, startSigstoreStandIn, type SigstoreStandIn } from '../e2e/lib/sigstore-standin.js';
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

/** A fake registry on 127.0.0.1: its host:port, and the server. */
async function listen(handler: Handler): Promise<{ host: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A fake registry on 127.0.0.1; its host:port. */
const serve = async (handler: Handler): Promise<string> => (await listen(handler)).host;

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

describe('where the credentials go: the token service a challenge names', () => {
  /** A registry that answers every request with this challenge; the requests it saw. */
  async function challenging(challenge: string): Promise<{ host: string; seen: string[] }> {
    const seen: string[] = [];
    const host = await serve((request, response) => {
      seen.push(`${request.url} ${request.headers.authorization ?? '-'}`);
      response.writeHead(401, { 'WWW-Authenticate': challenge }).end();
    });
    return { host, seen };
  }
  const credentials = { username: 'ci', password: 'secret-password' };

  it('a realm over plain HTTP on another host: refused before the credentials are sent (exit 1), the password not said', async () => {
    const { host, seen } = await challenging('Bearer realm="http://auth.example.com/token",service="registry"');
    const reader = new RegistryReader(parseDigestReference(`${host}/group/app@${DIGEST}`), credentials);
    const error = await reader.requiredManifest(DIGEST).catch((e: unknown) => e);
    expect(error).toEqual(
      new InputError(`${host}: its token service http://auth.example.com is not HTTPS; cigen does not send the credentials there`),
    );
    expect(String((error as Error).message)).not.toContain('secret-password');
    expect(seen).toEqual([`/v2/group/app/manifests/${DIGEST} -`]);
  });

  it('a realm that is not a URL: said as such (exit 1), not an internal error', async () => {
    const { host } = await challenging('Bearer realm="/token",service="registry"');
    await expect(readerFor(host).requiredManifest(DIGEST)).rejects.toThrow(
      new InputError(`${host}: its token service (realm "/token") is not a URL`),
    );
  });

  it('a realm over plain HTTP on loopback gets them, as a loopback registry does', async () => {
    const store = new Store();
    const image = store.manifest({ schemaVersion: 2, mediaType: MANIFEST, config: store.blob('{}'), layers: [] }).digest;
    const { handler, log } = tokenRegistry(store, [5]);
    const host = await serve(handler);
    const reader = new RegistryReader(parseDigestReference(`${host}/group/app@${image}`), credentials);
    expect((await reader.requiredManifest(image)).digest).toBe(image);
    expect(log.filter((line) => line.includes(' for '))).toEqual(['t1 for repository:group/app:pull']);
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

/** A tar archive of these files (paths relative to its root). */
function layerTar(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-layer-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return execFileSync('tar', ['-c', '-C', dir, ...Object.keys(files)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

  /**
   * An index of two platform images, linux/amd64 and linux/arm64, each of `layers` uncompressed
   * layers; each layer holds etc/platform (the image's platform). Its digest, and each platform's image.
   */
  platformIndex(layers = 1): { index: string; platforms: Record<string, string> } {
    const put = (type: string, body: unknown): Descriptor => {
      const bytes = Buffer.from(JSON.stringify(body));
      this.manifests.set(sha256(bytes), { type, bytes });
      return { mediaType: type, digest: sha256(bytes), size: bytes.length };
    };
    const blob = (bytes: Buffer): Descriptor => {
      this.blobs.set(sha256(bytes), bytes);
      return { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(bytes), size: bytes.length };
    };
    const platforms: Record<string, string> = {};
    const manifests = ['amd64', 'arm64'].map((architecture) => {
      const platform = `linux/${architecture}`;
      const own = Array.from({ length: layers }, (_, n) => blob(layerTar({ 'etc/platform': platform, [`etc/layer-${n}`]: '' })));
      const config = {
        ...blob(Buffer.from(JSON.stringify({ architecture, os: 'linux' }))),
        mediaType: 'application/vnd.oci.image.config.v1+json',
      };
      const image = put(MANIFEST, { schemaVersion: 2, mediaType: MANIFEST, config, layers: own });
      platforms[platform] = image.digest;
      return { ...image, platform: { os: 'linux', architecture } };
    });
    return { index: put(INDEX, { schemaVersion: 2, mediaType: INDEX, manifests }).digest, platforms };
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

  it('a registry on 127.0.0.2, which @sigstore/oci attaches to over HTTPS: refused before anything is signed, as cigen reads it over HTTPS too', async () => {
    const registry = new TagSchemaRegistry(true);
    const subject = registry.image();
    const server = createServer(registry.handler());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const host = `127.0.0.2:${(server.address() as AddressInfo).port}`;
    const before = (await sigstore.stats())['rekor'] ?? 0;
    const result = await cigenAsync([
      'sign',
      '--key',
      join(dir, 'cosign.key'),
      '--rekor-url',
      sigstore.rekorUrl,
      `${host}/group/app@${subject}`,
    ]);
    expect(((await sigstore.stats())['rekor'] ?? 0) - before).toBe(0);
    expect(registry.referrersOf(subject)).toEqual([]);
    expect(result.stderr).toBe(`cannot reach ${host}: ERR_SSL_WRONG_VERSION_NUMBER\n`);
    expect(result.status).toBe(1);
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

describe('the Sigstore services named with a trailing slash, as the inputs accept them', () => {
  let dir: string;
  let sigstore: SigstoreStandIn;
  const token = gitlabIdToken({ server: 'https://gitlab.example.com', project: 'group/app', ref: 'main' });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cigen-supply-slash-'));
    sigstore = await startSigstoreStandIn(dir);
  });
  afterAll(async () => {
    await sigstore?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fulcio-url, rekor-url and tsa-url ending in / reach the services at their API paths (it was //api/…: HTTP 404)', async () => {
    const registry = new TagSchemaRegistry(true);
    const subject = registry.image();
    const host = await serve(registry.handler());
    const image = `${host}/group/app@${subject}`;
    const services = [
      '--fulcio-url',
      `${sigstore.fulcioUrl}/`,
      '--rekor-url',
      `${sigstore.rekorUrl}//`,
      '--tsa-url',
      `${sigstore.tsaUrl}/`,
    ];
    const result = await cigenAsync(['sign', image, ...services], { SIGSTORE_ID_TOKEN: token });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [referrer] = registry.referrersOf(subject).map((d) => `${host}/group/app@${d.digest}`);
    expect(result.stdout).toBe(`cigen: signature of ${image} attached as ${referrer}\n`);
    const identity = ['--certificate-oidc-issuer', 'https://gitlab.example.com', '--project', 'group/app'];
    const verified = await cigenAsync(['verify', image, ...identity, '--trusted-root', sigstore.trustedRoot]);
    expect(verified.stderr).toBe('');
    expect(verified.status).toBe(0);
  });
});

describe('cigen sbom of an image index', () => {
  let dir: string;
  let sigstore: SigstoreStandIn;
  const token = gitlabIdToken({ server: 'https://gitlab.example.com', project: 'group/app', ref: 'main' });
  /**
   * A stand-in for trivy (`rootfs … --output FILE … ROOTFS`): writes a CycloneDX BOM whose
   * metadata.component is the directory it scanned, as trivy does. On starting, it says so (a line
   * in TRIVY_STANDIN_STARTED) and takes a second; it fails (exit 3) on the image whose
   * etc/platform is TRIVY_STANDIN_FAIL.
   */
  const GENERATOR = `#!/bin/sh
for arg do
  [ "\${previous-}" = --output ] && output=$arg
  previous=$arg
done
platform=$(cat "$previous/etc/platform")
if [ -n "\${TRIVY_STANDIN_STARTED-}" ]; then echo "trivy $platform" >> "$TRIVY_STANDIN_STARTED"; sleep 1; fi
if [ "$platform" = "\${TRIVY_STANDIN_FAIL-}" ]; then echo "cannot catalog $platform" >&2; exit 3; fi
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"bom-ref":"root","type":"application","name":"%s"}},' "$previous" > "$output"
printf '"components":[{"bom-ref":"pkg:apk/alpine/musl@1.2.4","type":"library","name":"musl"}],' >> "$output"
printf '"dependencies":[{"ref":"root","dependsOn":["pkg:apk/alpine/musl@1.2.4"]}]}' >> "$output"
`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cigen-supply-sbom-'));
    sigstore = await startSigstoreStandIn(dir);
    writeFileSync(join(dir, 'trivy'), GENERATOR);
    chmodSync(join(dir, 'trivy'), 0o755);
    // tar as the CLI image has it, saying it started and taking a second, as it does over a large layer.
    const tar = execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim();
    mkdirSync(join(dir, 'slow-tar'));
    writeFileSync(join(dir, 'slow-tar', 'tar'), `#!/bin/sh\necho tar >> "$TRIVY_STANDIN_STARTED"\nsleep 1\nexec ${tar} "$@"\n`);
    chmodSync(join(dir, 'slow-tar', 'tar'), 0o755);
  });
  afterAll(async () => {
    await sigstore?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Each time a line is added to `file` (a program cigen runs started), `servers` close the
   * connections they keep alive for no request: what a server does when its idle timeout
   * (Node's 5 s, ingress-nginx's 75 s) passes while the program runs. Stopped by the function returned.
   */
  function closeIdleWhenStarted(file: string, servers: readonly Server[]): () => void {
    let seen = 0;
    const timer = setInterval(() => {
      const size = existsSync(file) ? readFileSync(file).length : 0;
      if (size === seen) return;
      seen = size;
      for (const server of servers) server.closeIdleConnections();
    }, 20);
    return () => clearInterval(timer);
  }

  /** Hop-by-hop headers: each connection's own, never passed on. */
  const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];
  const endToEnd = (headers: IncomingMessage['headers']) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name)));
  /** A server that passes each request on to `target` (a Sigstore service), keeping connections alive as a proxy in front of it does. */
  async function inFrontOf(target: string): Promise<{ url: string; server: Server }> {
    const { host, server } = await listen((request, response) => {
      const upstream = httpRequest(
        new URL(request.url ?? '/', target),
        {
          method: request.method,
          headers: { ...endToEnd(request.headers), host: new URL(target).host, connection: 'close' },
          agent: false,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
    return { url: `http://${host}`, server };
  }

  /**
   * `cigen sbom` (keyless) of a two-platform index; what it printed and wrote, and what is attached
   * to each platform's image. With `closeIdle`, the registry and the Sigstore services close their
   * idle connections whenever the generator or tar starts.
   */
  async function sbom(
    options: { layers?: number; closeIdle?: boolean; env?: Record<string, string>; registry?: TagSchemaRegistry; at?: string } = {},
  ) {
    const registry = options.registry ?? new TagSchemaRegistry(true);
    const { index, platforms } = registry.platformIndex(options.layers);
    const { host, server } = await listen(registry.handler());
    const fulcio = await inFrontOf(sigstore.fulcioUrl);
    const rekor = await inFrontOf(sigstore.rekorUrl);
    const at = options.at ?? mkdtempSync(join(dir, 'run-'));
    const started = join(at, 'started');
    const stop = options.closeIdle ? closeIdleWhenStarted(started, [server, fulcio.server, rekor.server]) : () => undefined;
    try {
      const result = await cigenAsync(
        [
          'sbom',
          `${host}/group/app@${index}`,
          ...['--fulcio-url', fulcio.url, '--rekor-url', rekor.url, '--generator', join(dir, 'trivy')],
          ...['--output-dir', join(at, 'sbom'), '--report', join(at, 'sbom.env')],
        ],
        { SIGSTORE_ID_TOKEN: token, ...(options.closeIdle ? { TRIVY_STANDIN_STARTED: started } : {}), ...options.env },
      );
      const attached = Object.fromEntries(
        Object.entries(platforms).map(([platform, digest]) => [platform, registry.referrersOf(digest).map((d) => d.digest)]),
      );
      return { ...result, at, host, platforms, attached, registry, started: existsSync(started) ? readFileSync(started, 'utf8') : '' };
    } finally {
      stop();
    }
  }

  it('the Sigstore services close an idle connection while the generator runs: each platform signed and attached', async () => {
    // The connection the first platform's certificate came on is closed while the second
    // platform's SBOM is made; the second platform's certificate is asked for on a new one.
    const result = await sbom({ closeIdle: true });
    expect(result.stderr).toBe('');
    expect(result.started).toBe('trivy linux/amd64\ntrivy linux/arm64\n');
    expect(result.status).toBe(0);
    expect(Object.values(result.attached).map((refs) => refs.length)).toEqual([1, 1]);
    expect(result.stdout).toBe(
      Object.entries(result.platforms)
        .map(
          ([platform, digest]) =>
            `cigen: SBOM (${platform}) of ${result.host}/group/app@${digest} attached as ${result.host}/group/app@${result.attached[platform]?.[0]}\n`,
        )
        .join(''),
    );
  });

  it('each SBOM describes its platform image, not the directory Trivy read: the one attached and the one written', async () => {
    const result = await sbom();
    expect(result.status).toBe(0);
    for (const [platform, digest] of Object.entries(result.platforms)) {
      const referrer = JSON.parse(result.registry.manifests.get(result.attached[platform]?.[0] as string)?.bytes.toString() ?? '') as {
        layers: Descriptor[];
      };
      const bundle = JSON.parse(result.registry.blobs.get(referrer.layers[0]?.digest as string)?.toString() ?? '') as {
        dsseEnvelope: { payload: string };
      };
      const signed = (JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { predicate: CycloneDxBom }).predicate;
      const written = JSON.parse(readFileSync(join(result.at, 'sbom', `${platform.replace('/', '-')}.cdx.json`), 'utf8')) as CycloneDxBom;
      expect(written).toEqual(signed);
      expect(signed.metadata?.component).toEqual({
        'bom-ref': 'root',
        type: 'container',
        name: `${result.host}/group/app`,
        version: digest,
        purl: `pkg:oci/app@${digest}?arch=${platform.split('/')[1]}&repository_url=${result.host}%2Fgroup%2Fapp`,
      });
      expect(signed['dependencies']).toEqual([{ ref: 'root', dependsOn: ['pkg:apk/alpine/musl@1.2.4'] }]);
    }
  });

  it('the registry closes an idle connection while tar unpacks a layer: the next layer is read all the same', async () => {
    const result = await sbom({ layers: 2, closeIdle: true, env: { PATH: `${join(dir, 'slow-tar')}:${process.env['PATH']}` } });
    expect(result.stderr).toBe('');
    expect(result.started).toBe('tar\ntar\ntrivy linux/amd64\ntar\ntar\ntrivy linux/arm64\n');
    expect(result.status).toBe(0);
    expect(Object.values(result.attached).map((refs) => refs.length)).toEqual([1, 1]);
  });

  it('a later platform that fails: the SBOMs attached before it are named by reference, their files written (exit 1)', async () => {
    const result = await sbom({ env: { TRIVY_STANDIN_FAIL: 'linux/arm64' } });
    const amd64 = `${result.host}/group/app@${result.platforms['linux/amd64']}`;
    const referrer = `${result.host}/group/app@${result.attached['linux/amd64']?.[0]}`;
    const [file, report] = [join(result.at, 'sbom', 'linux-amd64.cdx.json'), join(result.at, 'sbom.env')];
    expect(result.stderr).toBe(
      `the SBOM generator (${join(dir, 'trivy')}) failed on ${result.platforms['linux/arm64']} (exit 3): cannot catalog linux/arm64; ` +
        `before that, the SBOM (linux/amd64) of ${amd64} was attached as ${referrer}; written: ${file}, ${report}\n`,
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.attached).toEqual({ 'linux/amd64': [expect.any(String)], 'linux/arm64': [] });
    expect(readFileSync(report, 'utf8')).toBe(`CIGEN_SBOM_REFS=${referrer}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX' });
    expect(existsSync(join(result.at, 'sbom', 'linux-arm64.cdx.json'))).toBe(false);
  });

  it('a later platform that fails, and the files of those attached before cannot be written: both said (exit 1)', async () => {
    const at = mkdtempSync(join(dir, 'run-'));
    const file = join(at, 'sbom', 'linux-amd64.cdx.json');
    const registry = new TagSchemaRegistry(true);
    // The SBOM's place taken while it is attached, as a disk fills up meanwhile.
    registry.onReferrerPut = () => void mkdirSync(file, { recursive: true });
    const result = await sbom({ at, registry, env: { TRIVY_STANDIN_FAIL: 'linux/arm64' } });
    expect(result.stderr).toBe(
      `the SBOM generator (${join(dir, 'trivy')}) failed on ${result.platforms['linux/arm64']} (exit 3): cannot catalog linux/arm64; ` +
        `before that, the SBOM (linux/amd64) of ${result.host}/group/app@${result.platforms['linux/amd64']} was attached as ` +
        `${result.host}/group/app@${result.attached['linux/amd64']?.[0]}; cannot write ${file}: it is a directory; nothing was written\n`,
    );
    expect(result.status).toBe(1);
    expect(existsSync(join(at, 'sbom.env'))).toBe(false);
  });
});
