/**
 * The SBOM of an image (I/O: the registry, tar, the generator): cigen unpacks each platform's
 * image, layer by layer, into a scratch directory, and Trivy catalogs its packages there (OS
 * package databases — apk, dpkg, rpm — and language packages) as CycloneDX JSON, which cigen
 * checks before attesting it. Trivy sees exactly the image by digest cigen fetched, needs no
 * registry credentials, and no vulnerability database.
 */
import { spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InputError } from '../errors.js';
import type { Descriptor, RegistryReader } from './registry.js';

export interface PlatformImage {
  /** `linux/amd64`, or empty for a single-platform image. */
  platform: string;
  digest: string;
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** The images an SBOM is made for: the image itself, or each platform of an index (attestation manifests left out). */
export async function platformImages(reader: RegistryReader, digest: string): Promise<PlatformImage[]> {
  const manifest = await reader.requiredManifest(digest);
  if (!INDEX_TYPES.includes(manifest.mediaType)) return [{ platform: '', digest }];
  const platforms = ((manifest.body['manifests'] as Descriptor[] | undefined) ?? [])
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map((d) => ({
      platform: [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/'),
      digest: d.digest,
    }));
  if (platforms.length === 0) throw new InputError(`the image index ${digest} lists no platform image`);
  return platforms;
}

export interface CycloneDxBom {
  bomFormat: 'CycloneDX';
  specVersion: string;
  metadata?: { component?: CycloneDxComponent; [field: string]: unknown };
  components?: CycloneDxComponent[];
  [field: string]: unknown;
}

interface CycloneDxComponent {
  'bom-ref'?: string;
  type?: string;
  name?: string;
  version?: string;
  purl?: string;
  properties?: unknown[];
}

/** A generator's output, checked: CycloneDX JSON with a components list. */
export function parseCycloneDx(text: string, what: string): CycloneDxBom {
  let bom: unknown;
  try {
    bom = JSON.parse(text);
  } catch {
    throw new InputError(`${what} is not JSON`);
  }
  const b = bom as Partial<CycloneDxBom>;
  if (b?.bomFormat !== 'CycloneDX' || typeof b.specVersion !== 'string') throw new InputError(`${what} is not a CycloneDX BOM`);
  return b as CycloneDxBom;
}

/** A purl component: UTF-8, percent-encoded but for letters, digits, `.-_~` and the colon, which the purl spec leaves as they are. */
const purlEncoded = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9.\-_~:]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/**
 * The package URL of an image by digest, as the purl spec's `oci` type has it: the last segment of
 * the repository (lowercase) as the name, the digest as the version, and as qualifiers (sorted by
 * key) a platform image's architecture and where the image is, `repository_url`.
 */
export function imagePurl(repository: string, image: PlatformImage): string {
  const architecture = image.platform.split('/')[1];
  const qualifiers = { ...(architecture ? { arch: architecture } : {}), repository_url: repository };
  const name = (repository.split('/').pop() ?? repository).toLowerCase();
  const query = Object.entries(qualifiers)
    .map(([key, value]) => `${key}=${purlEncoded(value)}`)
    .join('&');
  return `pkg:oci/${purlEncoded(name)}@${purlEncoded(image.digest)}?${query}`;
}

/**
 * The BOM with the image as what it describes. Trivy, run on the directory cigen unpacked the
 * image into, names that directory (`/tmp/cigen-sbom-XXXXXX/rootfs`, gone when the run ends) as
 * an application; `metadata.component` becomes the image by digest, a container named
 * `registry/repository`, with its purl. Its `bom-ref` is kept, which the BOM's dependencies start
 * from, and so are Trivy's properties of it.
 */
export function describingImage(bom: CycloneDxBom, repository: string, image: PlatformImage): CycloneDxBom {
  const scanned = bom.metadata?.component;
  const component: CycloneDxComponent = {
    ...(scanned?.['bom-ref'] !== undefined ? { 'bom-ref': scanned['bom-ref'] } : {}),
    type: 'container',
    name: repository,
    version: image.digest,
    purl: imagePurl(repository, image),
    ...(scanned?.properties !== undefined ? { properties: scanned.properties } : {}),
  };
  return { ...bom, metadata: { ...bom.metadata, component } };
}

/**
 * Moves a layer unpacked in `layer` onto the image's file system in `root`, applying its
 * whiteouts (`.wh.NAME` deletes NAME below, `.wh..wh..opq` empties the directory). A link an
 * earlier layer left in `root` is never followed: an entry beneath a path that is not a real
 * directory there replaces it, so a layer cannot write through `etc -> /usr/local/bin`.
 */
function applyLayer(layer: string, root: string): void {
  const entries = readdirSync(layer, { withFileTypes: true });
  // Whiteouts first: they hide what the layers below left, never what this layer adds.
  if (entries.some((entry) => entry.name === '.wh..wh..opq')) {
    for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
  }
  for (const entry of entries) {
    // `.wh.`, `.wh..` and `.wh...` would name the directory itself or its parent.
    const hidden = entry.name.slice(4);
    if (entry.name.startsWith('.wh.') && entry.name !== '.wh..wh..opq' && !['', '.', '..'].includes(hidden))
      rmSync(join(root, hidden), { recursive: true, force: true });
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.wh.')) continue;
    const from = join(layer, entry.name);
    const to = join(root, entry.name);
    const there = lstatIfAny(to);
    if (entry.isDirectory() && !entry.isSymbolicLink()) {
      if (there?.isDirectory()) {
        applyLayer(from, to);
        continue;
      }
      if (there) rmSync(to, { recursive: true, force: true });
      mkdirSync(to);
      applyLayer(from, to);
    } else {
      if (there) rmSync(to, { recursive: true, force: true });
      renameSync(from, to);
    }
  }
}

const lstatIfAny = (path: string): Stats | undefined => lstatSync(path, { throwIfNoEntry: false });

/**
 * Gives the owner read, write and search on `dir` and every directory beneath it, links never
 * followed. tar makes a layer's directories with the image's modes (minus the umask): a read-only
 * one (`dr-xr-xr-x /usr/bin` in Fedora, UBI and RHEL images) lets only root, which file modes do
 * not hold back, move its entries out or remove them; cigen may run as any user.
 */
function ownerMayChange(dir: string): void {
  const stats = lstatIfAny(dir);
  if (!stats?.isDirectory()) return;
  if ((stats.mode & 0o700) !== 0o700) chmodSync(dir, (stats.mode & 0o7777) | 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) ownerMayChange(join(dir, entry.name));
}

/** Removes a scratch tree, whatever modes an image gave the directories unpacked into it. */
function removeTree(path: string): void {
  ownerMayChange(path);
  rmSync(path, { recursive: true, force: true });
}

/**
 * The compressed layers cigen unpacks, told by their first bytes as tar tells them (a media type
 * is only what the pusher wrote): GNU tar decompresses each with the program of its row (`tar
 * --zstd` runs `zstd -d`), which the CLI image installs from the row's Debian package
 * (image/Dockerfile; a test holds the two together). A layer that starts otherwise goes to tar
 * without an option: an uncompressed one. zstd layers are OCI's `tar+zstd` (kaniko-compat
 * `--compression zstd` makes them).
 */
export const LAYER_COMPRESSIONS = [
  { name: 'gzip', magic: [0x1f, 0x8b], tarOption: '--gzip', program: 'gzip', debianPackage: 'gzip' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], tarOption: '--zstd', program: 'zstd', debianPackage: 'zstd' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tarOption: '--xz', program: 'xz', debianPackage: 'xz-utils' },
] as const;

type LayerCompression = (typeof LAYER_COMPRESSIONS)[number];

/** The compression a layer file starts with, if any. */
function compressionOf(file: string): LayerCompression | undefined {
  const head = Buffer.alloc(8);
  const fd = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return LAYER_COMPRESSIONS.find((c) => c.magic.length <= length && c.magic.every((byte, i) => head[i] === byte));
}

/** Whether `program` is an executable file in one of PATH's directories (where tar, started with this PATH, looks for it). */
function inPath(program: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      const file = join(dir, program);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** What a program said and how it ended, as spawnSync tells it: `error` when it could not be started. */
interface ProgramRun {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** The last bytes of a program's output kept: its messages end there, and a chatty program costs no more memory. */
const OUTPUT_KEPT = 1024 * 1024;

/**
 * Runs a program (stdin empty) and waits for it without blocking the event loop: a run that takes
 * longer than a server's idle timeout (Node's 5 s, ingress-nginx's 75 s) lets Node see the server
 * close a kept-alive connection meanwhile, so the next request (the registry's, Fulcio's, Rekor's)
 * opens a new one instead of going out on the closed one (`socket hang up`).
 */
function runProgram(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProgramRun> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    const keep = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      output[stream] = (output[stream] + chunk).slice(-OUTPUT_KEPT);
    };
    child.stdout.setEncoding('utf8').on('data', keep('stdout'));
    child.stderr.setEncoding('utf8').on('data', keep('stderr'));
    // Not started (no such program, not executable): 'error', and 'close' may never come.
    child.once('error', (error) => resolve({ status: null, ...output, error }));
    child.once('close', (status) => resolve({ status, ...output }));
  });
}

/** The image's file system: its layers, in order, unpacked into `rootfs`. */
export async function unpackImage(reader: RegistryReader, digest: string, rootfs: string, scratch: string): Promise<void> {
  const manifest = await reader.manifest(digest);
  const layers = (manifest?.body['layers'] as Descriptor[] | undefined) ?? [];
  if (!manifest || layers.length === 0) throw new InputError(`${digest} is not an image manifest with layers`);
  mkdirSync(rootfs, { recursive: true });
  for (const layer of layers) {
    const file = join(scratch, 'layer');
    const unpacked = join(scratch, 'unpacked');
    await reader.blobToFile(layer.digest, file);
    const compression = compressionOf(file);
    // Said before tar runs: its own words are `zstd: Cannot exec: No such file or directory`.
    if (compression && !inPath(compression.program, process.env['PATH'] ?? ''))
      throw new InputError(
        `cannot unpack layer ${layer.digest}: it is compressed with ${compression.name}, which tar reads with the program ` +
          `${compression.program}, and there is none in PATH (Debian package ${compression.debianPackage})`,
      );
    // Each layer into an empty directory of its own: nothing an earlier layer left is in the
    // way. GNU tar drops leading slashes, refuses `..`, and makes a link that leaves the directory
    // only after the members beneath it are written.
    mkdirSync(unpacked);
    const options = ['-x', ...(compression ? [compression.tarOption] : []), '--no-same-owner', '--no-same-permissions'];
    const untar = await runProgram('tar', [...options, '-C', unpacked, '-f', file], process.env);
    if (untar.status !== 0)
      throw new InputError(`cannot unpack layer ${layer.digest}: ${(untar.stderr || String(untar.error)).trim().split('\n')[0]}`);
    rmSync(file, { force: true });
    try {
      // Entries move out of the layer's directories, and the directories of the image's file
      // system are cigen's own (applyLayer makes them): both writable by the user cigen runs as.
      ownerMayChange(unpacked);
      applyLayer(unpacked, rootfs);
    } catch (error) {
      throw new InputError(`cannot unpack layer ${layer.digest}: ${(error as Error).message}`);
    }
    removeTree(unpacked);
  }
}

/** What the generator sees of the job's environment: where programs and its home are, the locale,
 *  its own settings (TRIVY_*), nothing else — not the job's OIDC token, a key password or registry
 *  credentials. (Its TMPDIR is cigen's: generateSbom.) */
export function generatorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => ['PATH', 'HOME', 'LANG', 'LC_ALL'].includes(name) || name.startsWith('TRIVY_')),
  );
}

/** Runs Trivy on one platform image, unpacked by cigen from the registry. */
export async function generateSbom(
  generator: string,
  reader: RegistryReader,
  image: PlatformImage,
  env: NodeJS.ProcessEnv,
): Promise<CycloneDxBom> {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-sbom-'));
  try {
    const rootfs = join(dir, 'rootfs');
    await unpackImage(reader, image.digest, rootfs, dir);
    const output = join(dir, 'sbom.cdx.json');
    const args = [
      'rootfs',
      '--format',
      'cyclonedx',
      '--output',
      output,
      '--offline-scan',
      '--disable-telemetry',
      '--no-progress',
      '--cache-dir',
      join(dir, 'cache'),
      rootfs,
    ];
    // Its temporary files in the scratch directory too, removed with it: Trivy leaves an empty
    // trivy-<pid> directory in TMPDIR at each run.
    const temp = join(dir, 'tmp');
    mkdirSync(temp);
    const run = await runProgram(generator, args, { ...generatorEnv(env), TMPDIR: temp });
    if (run.error) throw new InputError(`cannot run the SBOM generator ${generator}: ${run.error.message}`);
    if (run.status !== 0)
      throw new InputError(
        `the SBOM generator (${generator}) failed on ${image.digest} (exit ${run.status}): ` +
          (run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / '),
      );
    let text: string;
    try {
      text = readFileSync(output, 'utf8');
    } catch {
      throw new InputError(`the SBOM generator (${generator}) exited 0 on ${image.digest} but wrote no SBOM`);
    }
    return parseCycloneDx(text, `the SBOM ${generator} wrote`);
  } finally {
    // After an error too (a layer tar could not unpack, the generator's), the image's files go.
    removeTree(dir);
  }
}
