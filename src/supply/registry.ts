/**
 * The registry side of the supply chain (I/O): credentials from the docker config.json the job
 * wrote, the image's manifests, the Sigstore bundles attached to a digest (OCI 1.1 referrers API,
 * else the referrers tag schema `sha256-<hex>` that registries without the API keep), and
 * attaching a bundle through @sigstore/oci, which follows cosign's bundle spec.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { attachArtifactToImage, type Credentials } from '@sigstore/oci';
import { InputError } from '../errors.js';
import { isLoopback, type DigestReference } from './reference.js';
import { BUNDLE_MEDIA_TYPE } from './statement.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
/** Larger than any manifest or bundle; a guard against a registry that streams forever. */
const MAX_BYTES = 16 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | null>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** A credential helper's name: docker-credential-<name> on PATH. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * What a docker credential helper says of a host (`docker-credential-NAME get`, the host on stdin,
 * `{"Username", "Secret"}` on stdout): Docker's credential helper protocol. A helper that does not
 * know the host answers with an error and "credentials not found"; that is no credentials.
 */
function fromHelper(name: string, host: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  if (!HELPER_NAME.test(name)) throw new InputError(`docker config.json names the credential helper '${name}', which is no helper name`);
  const program = `docker-credential-${name}`;
  const answer = spawnSync(program, ['get'], { input: host, env, encoding: 'utf8', maxBuffer: 1024 * 1024 });
  // EPIPE: a helper that answered without reading the host; its answer still counts.
  if (answer.error && (answer.error as NodeJS.ErrnoException).code !== 'EPIPE') {
    const missing = (answer.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError(
      missing
        ? `docker config.json has ${host} answered by the credential helper ${program}, which is not in this image: ` +
            'use an image that has it (input cli-image), or give the credentials in the job'
        : `the credential helper ${program} did not run: ${answer.error.message}`,
    );
  }
  if (answer.status !== 0) {
    if (/credentials not found/i.test(answer.stdout + answer.stderr)) return undefined;
    // A helper's own words may hold anything it read; only its exit status is said.
    throw new InputError(`the credential helper ${program} failed for ${host} (exit ${answer.status ?? 'by a signal'})`);
  }
  let reply: { Username?: unknown; Secret?: unknown };
  try {
    reply = JSON.parse(answer.stdout) as typeof reply;
  } catch {
    throw new InputError(`the credential helper ${program} answered for ${host} with something other than JSON`);
  }
  if (typeof reply.Username !== 'string' || typeof reply.Secret !== 'string' || reply.Secret === '')
    throw new InputError(`the credential helper ${program} answered for ${host} without a user name and a secret`);
  // "<token>" is Docker's word for an identity token (an OAuth refresh token), which this client does not exchange.
  if (reply.Username === '<token>')
    throw new InputError(
      `the credential helper ${program} gave an identity token for ${host}, which cigen cannot use; give a user name and password`,
    );
  return { username: reply.Username, password: reply.Secret };
}

/** The user name and password of an `auths` entry: its `auth` (base64 of user:password), or `username` and `password`. */
function fromEntry(entry: { auth?: string; username?: string; password?: string } | null | undefined): Credentials | undefined {
  if (entry?.auth) {
    const pair = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    return colon > 0 ? { username: pair.slice(0, colon), password: pair.slice(colon + 1) } : undefined;
  }
  return entry?.username && entry.password ? { username: entry.username, password: entry.password } : undefined;
}

/** An `auths` key as a host name, as Docker's ConvertToHostname reads one: without the scheme,
 *  cut at the first `/`. */
const hostOfAuthsKey = (key: string): string => key.replace(/^https?:\/\//, '').split('/')[0] ?? '';

/**
 * Credentials for a registry host from the docker config.json files a job uses, in the order
 * containers-auth.json(5) reads them (REGISTRY_AUTH_FILE, DOCKER_CONFIG, ~/.docker); in each, as
 * Docker reads one: the host's credential helper (credHelpers), its `auths` entry, the default
 * credential store (credsStore).
 */
export function registryCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const files = [
    env['REGISTRY_AUTH_FILE'],
    env['DOCKER_CONFIG'] ? join(env['DOCKER_CONFIG'], 'config.json') : undefined,
    join(env['HOME'] ?? homedir(), '.docker', 'config.json'),
  ].filter((file): file is string => Boolean(file));
  const keys =
    registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [registry, `https://${registry}`];
  for (const file of files) {
    let config: DockerConfig;
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
    } catch {
      continue;
    }
    if (typeof config !== 'object' || config === null) continue;
    for (const key of keys) {
      const helper = config.credHelpers?.[key];
      const credentials = typeof helper === 'string' && helper !== '' ? fromHelper(helper, key, env) : fromEntry(config.auths?.[key]);
      if (credentials) return credentials;
    }
    // No key is the host itself: as Docker's file store, an `auths` key read as a host name
    // (`https://host/v1/`, `host/`, `http://host`).
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      const credentials = keys.includes(hostOfAuthsKey(key)) ? fromEntry(entry) : undefined;
      if (credentials) return credentials;
    }
    if (typeof config.credsStore === 'string' && config.credsStore !== '') {
      const stored = fromHelper(config.credsStore, keys[0] as string, env);
      if (stored) return stored;
    }
  }
  return undefined;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

function parseChallenge(header: string): Challenge {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z]+)="([^"]*)"/g))
    params[(match[1] as string).toLowerCase()] = match[2] as string;
  return { scheme, params };
}

/** What Node.js says of a certificate no CA it trusts signed. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** fetch, with a registry that cannot be reached said in one line (exit 1), not as an internal error. */
async function reach(url: string | URL, init: RequestInit, host: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why =
      typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : (error as Error).message;
    const hint = UNTRUSTED_CERTIFICATE.has(why)
      ? ': its TLS certificate is not signed by a CA cigen trusts; give that CA (PEM) in NODE_EXTRA_CA_CERTS ' +
        '(the ca-certificates input of the cigen components)'
      : '';
    throw new InputError(`cannot reach ${host}: ${why}${hint}`);
  }
}

/**
 * A response's body, at most `limit` bytes: a declared Content-Length past it is refused before
 * the body is read, and reading stops (the body cancelled) at the first chunk past it, so a
 * registry that streams forever costs no more memory than the limit.
 */
async function boundedBody(response: Response, what: string, limit: number = MAX_BYTES): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new InputError(`${what} is larger than ${limit} bytes (Content-Length ${declared})`);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, length);
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      throw new InputError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
}

/** A registry's answer that was not what was asked for: its HTTP status, for a caller that may try again. */
export class RegistryStatusError extends InputError {
  constructor(
    what: string,
    readonly status: number,
  ) {
    super(`${what}: HTTP ${status}`);
  }
}

/** The distribution API's URL of a repository: `http(s)://host/v2/<repository>` (http on loopback only). */
function repositoryUrl(ref: DigestReference): string {
  const host = ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry;
  return `${isLoopback(ref.registry) ? 'http' : 'https'}://${host}/v2/${ref.repository}`;
}

/**
 * Whether the registry asks for credentials to push to the repository: the request @sigstore/oci
 * signs in with (starting a blob upload), made without any, answered 401. A registry open for
 * pushes answers 202 with no challenge, which @sigstore/oci, given credentials, fails on
 * (`Invalid challenge: `); the upload it started is cancelled.
 */
async function asksForPushCredentials(ref: DigestReference): Promise<boolean> {
  const uploads = `${repositoryUrl(ref)}/blobs/uploads/`;
  const probe = await reach(uploads, { method: 'POST' }, ref.registry);
  await probe.body?.cancel();
  const location = probe.headers.get('location');
  if (probe.status === 202 && location) {
    const cancel = await reach(new URL(location, uploads), { method: 'DELETE' }, ref.registry).catch(() => undefined);
    await cancel?.body?.cancel();
  }
  return probe.status === 401;
}

/**
 * A small read client for one repository: the token dance of the distribution spec, no more. A
 * bearer token lasts minutes (GitLab's registry: 5 by default; Docker Hub's: 300 s), less than
 * `cigen sbom` can take over a large or multi-platform image, so one the registry accepted and
 * then refuses is renewed, and the request made once more.
 */
export class RegistryReader {
  private readonly base: string;
  private authorization: string | undefined;
  /** Whether the registry has accepted `authorization`: a refusal after that says it expired, not that it is wrong. */
  private accepted = false;

  constructor(
    private readonly ref: DigestReference,
    private readonly credentials: Credentials | undefined,
  ) {
    this.base = repositoryUrl(ref);
  }

  /** A path under the repository (`/manifests/...`), or a URL of the registry itself (a Link). */
  private async fetch(path: string | URL, accept: string): Promise<Response> {
    const request = () =>
      reach(
        typeof path === 'string' ? `${this.base}${path}` : path,
        { headers: { Accept: accept, ...(this.authorization ? { Authorization: this.authorization } : {}) } },
        this.ref.registry,
      );
    let response = await request();
    // None yet, or a token that worked before (expired): a new one, for what the registry's
    // challenge asks (the same repository, pull), and this request once more. A refusal of a token
    // just issued, or of Basic credentials, is the registry's answer to the credentials.
    if (response.status === 401 && (this.authorization === undefined || (this.accepted && this.authorization.startsWith('Bearer ')))) {
      await response.body?.cancel();
      this.authorization = await this.authorize(parseChallenge(response.headers.get('www-authenticate') ?? ''));
      this.accepted = false;
      response = await request();
    }
    if (response.status !== 401 && this.authorization !== undefined) this.accepted = true;
    return response;
  }

  private async authorize(challenge: Challenge): Promise<string> {
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined;
    if (challenge.scheme === 'basic') {
      if (!basic) throw new InputError(`${this.ref.registry} asks for credentials and none were given for it`);
      return basic;
    }
    const realm = challenge.params['realm'];
    if (challenge.scheme !== 'bearer' || !realm)
      throw new InputError(`${this.ref.registry} asks for an authentication cigen does not speak`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new InputError(`${this.ref.registry}: its token service (realm "${realm}") is not a URL`);
    }
    // The credentials go where the registry points: over HTTPS, as cigen reaches registries (plain
    // HTTP on loopback only), never in clear to a host the challenge names.
    if (basic && url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.host)))
      throw new InputError(
        `${this.ref.registry}: its token service ${url.protocol}//${url.host} is not HTTPS; cigen does not send the credentials there`,
      );
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
    url.searchParams.set('scope', challenge.params['scope'] ?? `repository:${this.ref.repository}:pull`);
    const reply = await reach(url, { headers: basic ? { Authorization: basic } : {} }, url.host);
    if (!reply.ok) throw new InputError(`${this.ref.registry}: the token service refused the credentials (HTTP ${reply.status})`);
    let body: { token?: unknown; access_token?: unknown } | null;
    try {
      body = JSON.parse((await boundedBody(reply, `${url.host}: the token`)).toString('utf8')) as typeof body;
    } catch (error) {
      if (error instanceof InputError) throw error;
      body = null;
    }
    const token = body?.token ?? body?.access_token;
    if (typeof token !== 'string' || !token) throw new InputError(`${this.ref.registry}: the token service answered without a token`);
    return `Bearer ${token}`;
  }

  /** A manifest by digest or tag, its bytes checked against the digest asked for. */
  async manifest(reference: string): Promise<{ body: Record<string, unknown>; mediaType: string; digest: string } | undefined> {
    const response = await this.fetch(`/manifests/${reference}`, MANIFEST_TYPES);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw new RegistryStatusError(`${this.ref.registry}/${this.ref.repository}: manifest ${reference}`, response.status);
    const bytes = await boundedBody(response, `manifest ${reference}`);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference)
      throw new InputError(`${this.ref.registry}/${this.ref.repository}: the registry served manifest ${digest} for ${reference}`);
    const body = jsonObject(bytes);
    if (!body) throw new InputError(`${this.ref.registry}/${this.ref.repository}: manifest ${reference} is not a JSON object`);
    const mediaType = (typeof body['mediaType'] === 'string' ? body['mediaType'] : response.headers.get('content-type')) ?? '';
    return { body, mediaType, digest };
  }

  /** The manifest of an image that must be there (read with the job's credentials, so they are tried too). */
  async requiredManifest(digest: string): Promise<{ body: Record<string, unknown>; mediaType: string; digest: string }> {
    const manifest = await this.manifest(digest);
    if (!manifest) throw new InputError(`the registry has no manifest ${digest}`);
    return manifest;
  }

  /** A blob by digest, checked against it. */
  async blob(digest: string): Promise<Buffer> {
    const response = await this.fetch(`/blobs/${digest}`, '*/*');
    if (!response.ok) throw new RegistryStatusError(`${this.ref.registry}/${this.ref.repository}: blob ${digest}`, response.status);
    const bytes = await boundedBody(response, `blob ${digest}`);
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest)
      throw new InputError(`${this.ref.registry}/${this.ref.repository}: blob ${digest} does not have that digest`);
    return bytes;
  }

  /** A blob (an image layer, of any size) streamed to a file, its digest checked on the way. */
  async blobToFile(digest: string, path: string): Promise<void> {
    const response = await this.fetch(`/blobs/${digest}`, '*/*');
    if (!response.ok || !response.body)
      throw new InputError(`${this.ref.registry}/${this.ref.repository}: blob ${digest}: HTTP ${response.status}`);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body), tap, createWriteStream(path, { mode: 0o600 }));
    if (`sha256:${hash.digest('hex')}` !== digest)
      throw new InputError(`${this.ref.registry}/${this.ref.repository}: blob ${digest} does not have that digest`);
  }

  /** The referrers of a digest: the referrers API, else the `sha256-<hex>` tag. */
  async referrers(digest: string): Promise<Descriptor[]> {
    return (await this.referrersListing(digest)).descriptors;
  }

  /** The referrers of a digest, and whether the registry's referrers API listed them (else the tag's index did). */
  async referrersListing(digest: string): Promise<{ descriptors: Descriptor[]; api: boolean }> {
    const where = `${this.ref.registry}/${this.ref.repository}`;
    const api = await this.fetch(`/referrers/${digest}`, INDEX_TYPE);
    if (api.ok && (api.headers.get('content-type') ?? '').includes('index')) {
      // The API may answer page by page, each naming the next in a Link header (the distribution spec).
      const found: Descriptor[] = [];
      let page: Response = api;
      for (let pages = 1; ; pages++) {
        const index = jsonObject(await boundedBody(page, 'the referrers index'));
        if (!index) throw new InputError(`${where}: the referrers index of ${digest} is not a JSON object`);
        found.push(...descriptors(index['manifests']));
        const next = nextPage(page, this.base);
        if (!next) return { descriptors: found, api: true };
        if (next.origin !== new URL(this.base).origin)
          throw new InputError(`${where}: the referrers of ${digest} continue on another host (${next.origin})`);
        if (pages >= MAX_PAGES) throw new InputError(`${where}: the referrers of ${digest} go on past ${MAX_PAGES} pages`);
        page = await this.fetch(next, INDEX_TYPE);
        if (!page.ok) throw new RegistryStatusError(`${where}: the referrers of ${digest}, page ${pages + 1}`, page.status);
      }
    }
    await api.body?.cancel();
    const tagged = await this.manifest(digest.replace(':', '-'));
    return { descriptors: descriptors(tagged?.body['manifests']), api: false };
  }

  /**
   * The Sigstore bundles attached to a digest, each with its referrer's descriptor. A referrer
   * that cannot be read, or holds no JSON, is that referrer's problem only: anyone who can push
   * can attach one, and it must not keep the others from being judged.
   */
  async bundles(digest: string): Promise<FoundBundle[]> {
    const found: FoundBundle[] = [];
    for (const descriptor of await this.referrers(digest)) {
      if (descriptor.artifactType !== BUNDLE_MEDIA_TYPE) continue;
      try {
        found.push(await this.bundleOf(descriptor));
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        found.push({ descriptor, problem: `the referrer ${descriptor.digest} cannot be read: ${error.message}` });
      }
    }
    return found;
  }

  private async bundleOf(descriptor: Descriptor): Promise<FoundBundle> {
    const notBundle = (why: string): FoundBundle => ({ descriptor, problem: `not a Sigstore bundle: ${why}` });
    const manifest = await this.manifest(descriptor.digest);
    if (!manifest) return notBundle(`the referrer manifest ${descriptor.digest} is not in the registry`);
    const layer = descriptors(manifest.body['layers']).find((l) => l.mediaType === BUNDLE_MEDIA_TYPE);
    if (!layer) return notBundle(`the referrer manifest ${descriptor.digest} has no bundle layer`);
    const bundle = jsonObject(await this.blob(layer.digest));
    return bundle ? { descriptor, bundle } : notBundle(`the layer of ${descriptor.digest} is not a JSON object`);
  }
}

/** A referrer's bundle (its JSON, not yet checked), or why it could not be read. */
export type FoundBundle = { descriptor: Descriptor; bundle: Record<string, unknown> } | { descriptor: Descriptor; problem: string };

/** More pages than any image's referrers take: a guard against a registry whose Links go round. */
const MAX_PAGES = 100;

/** The URL a response's `Link: <url>; rel="next"` header names (relative to the request), if any. */
function nextPage(response: Response, base: string): URL | undefined {
  const link = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(response.headers.get('link') ?? '')?.[1];
  if (link === undefined) return undefined;
  try {
    return new URL(link, response.url || base);
  } catch {
    throw new InputError(`the registry's Link header names no URL: ${link}`);
  }
}

/** Bytes that hold a JSON object, parsed; else undefined. */
function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The descriptors of a manifests or layers list: the entries that name a digest. */
const descriptors = (list: unknown): Descriptor[] =>
  Array.isArray(list)
    ? list.filter((d): d is Descriptor => typeof d === 'object' && d !== null && typeof (d as Descriptor).digest === 'string')
    : [];

/** How attaching retries: see attachBundle. */
export interface AttachPacing {
  /** Attachments tried before giving up. */
  attempts: number;
  /** How long an entry of a tag's index must stay listed: longer than another job takes from reading that index to writing it back. */
  settleMs: number;
  /** The pause before another attempt: random, so that jobs that collided drift apart. */
  pauseMs: () => number;
}

const PACING: AttachPacing = { attempts: 6, settleMs: 3000, pauseMs: () => 200 + Math.floor(Math.random() * 800) };

/** A registry answer worth reading again: its own trouble, a timeout, a rate limit. */
const retryableRead = (status: number): boolean => status >= 500 || [408, 429].includes(status);

/**
 * An answer to attaching worth another attempt: those, a lost If-Match race (409, 412), and 400,
 * which distribution gives (MANIFEST_BLOB_UNKNOWN, or a blob's "digest did not match") while jobs
 * upload the same blob (the empty config) at once: the attempt uploaded every blob it names itself,
 * so the next one finds them. A manifest that is truly wrong fails as often as it is tried.
 */
const retryableAttach = (status: number): boolean => retryableRead(status) || [400, 409, 412].includes(status);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Attaches a bundle to the image as an OCI 1.1 referrer (cosign's bundle spec), through
 * @sigstore/oci; the referrer manifest's digest. A registry with the referrers API lists it by
 * itself. One without keeps one index per digest under a tag, which every job attaching rewrites
 * whole (most such registries ignore If-Match), so a job that read the index before this entry was
 * added can write it back without it — even after this job read its entry back. So the entry must
 * still be listed `settleMs` after it was written, longer than any job takes from reading the index
 * to writing it; if it is not, it is attached again (the same manifest: the same digest). Answers
 * such as HTTP 500 (distribution's, to concurrent writes of one tag) are tried again too
 * (retryableAttach, retryableRead).
 */
export async function attachBundle(
  ref: DigestReference,
  subjectDigest: string,
  bundle: unknown,
  annotations: Record<string, string>,
  credentials: Credentials | undefined,
  pacing: Partial<AttachPacing> = {},
): Promise<string> {
  const { attempts, settleMs, pauseMs } = { ...PACING, ...pacing };
  const reader = new RegistryReader(ref, credentials);
  // No credentials for a registry that asks for none: @sigstore/oci signs in whenever it is given
  // any (empty ones too), and a registry that sends no challenge fails that sign-in.
  const push = credentials && (await asksForPushCredentials(ref)) ? credentials : undefined;
  // Fixed once (@sigstore/oci would stamp each attempt): every attempt attaches the same manifest.
  const fixed = { 'org.opencontainers.image.created': new Date().toISOString(), ...annotations };
  // An answer such as HTTP 500 to a read of the index (distribution's, while another job writes
  // its tag) says nothing of the entry: not listed yet, try again.
  const listed = async (digest: string): Promise<{ listed: boolean; api: boolean; error?: RegistryStatusError }> => {
    try {
      const listing = await reader.referrersListing(subjectDigest);
      return { listed: listing.descriptors.some((d) => d.digest === digest), api: listing.api };
    } catch (error) {
      if (!(error instanceof RegistryStatusError) || !retryableRead(error.status)) throw error;
      return { listed: false, api: false, error };
    }
  };
  // Why the last attempt failed, thrown when none is left.
  let failure: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(pauseMs());
    let digest: string;
    try {
      digest = (
        await attachArtifactToImage({
          imageName: `${ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry}/${ref.repository}`,
          imageDigest: subjectDigest,
          artifact: Buffer.from(JSON.stringify(bundle)),
          mediaType: BUNDLE_MEDIA_TYPE,
          annotations: fixed,
          credentials: push as Credentials,
        })
      ).digest;
    } catch (error) {
      const status = (error as { cause?: { statusCode?: unknown } }).cause?.statusCode;
      if (typeof status !== 'number' || !retryableAttach(status)) throw error;
      failure = error;
      continue;
    }
    const now = await listed(digest);
    if (now.listed && now.api) return digest;
    const later = now.listed ? (await sleep(settleMs), await listed(digest)) : now;
    if (later.listed) return digest;
    failure =
      later.error ?? new InputError(`the registry does not keep ${digest} among the referrers of ${subjectDigest} (${attempts} attempts)`);
  }
  throw failure;
}
