/**
 * The SBOM of an image (I/O: the generator runs as a program): Trivy catalogs the packages of
 * each platform's image straight from the registry (OS package databases — apk, dpkg, rpm — and
 * language packages) and writes CycloneDX JSON, which cigen checks before attesting it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { formatReference, isLoopback, type DigestReference } from './reference.js';
import type { Descriptor, RegistryReader } from './registry.js';

export interface PlatformImage {
  /** `linux/amd64`, or empty for a single-platform image. */
  platform: string;
  digest: string;
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** The images an SBOM is made for: the image itself, or each platform of an index (attestation manifests left out). */
export async function platformImages(reader: RegistryReader, digest: string): Promise<PlatformImage[]> {
  const manifest = await reader.manifest(digest);
  if (!manifest) throw new InputError(`the registry has no manifest ${digest}`);
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
  components?: { name?: string; version?: string; type?: string; purl?: string }[];
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

/** Runs Trivy on one image by digest, with the job's docker config for credentials (never on the command line). */
export function generateSbom(
  generator: string,
  ref: DigestReference,
  image: PlatformImage,
  env: NodeJS.ProcessEnv,
): { text: string; bom: CycloneDxBom } {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-sbom-'));
  try {
    const output = join(dir, 'sbom.cdx.json');
    const args = [
      'image',
      '--image-src',
      'remote',
      '--format',
      'cyclonedx',
      '--output',
      output,
      // CycloneDX output turns vulnerability scanning off: no database to fetch, only the catalog.
      '--offline-scan',
      '--disable-telemetry',
      '--quiet',
      '--cache-dir',
      join(dir, 'cache'),
      ...(image.platform ? ['--platform', image.platform] : []),
      ...(isLoopback(ref.registry) ? ['--insecure'] : []),
      formatReference(ref, image.digest),
    ];
    const run = spawnSync(generator, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new InputError(`cannot run the SBOM generator ${generator}: ${run.error.message}`);
    if (run.status !== 0)
      throw new InputError(
        `the SBOM generator (${generator}) failed on ${image.digest} (exit ${run.status}): ` +
          (run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / '),
      );
    const text = readFileSync(output, 'utf8');
    return { text, bom: parseCycloneDx(text, `the SBOM ${generator} wrote`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
