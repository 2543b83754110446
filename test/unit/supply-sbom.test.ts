/**
 * `cigen sbom` unpacks an image the pipeline built — possibly from a base image nobody here
 * controls — on the job's machine: a layer must not write outside the scratch root, and the
 * generator must not see the job's secrets.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RegistryReader } from '../../src/supply/registry.js';
import {
  describingImage,
  generateSbom,
  generatorEnv,
  imagePurl,
  LAYER_COMPRESSIONS,
  unpackImage,
  type CycloneDxBom,
} from '../../src/supply/sbom.js';

type Member = { name: string; file?: string; dir?: true; symlink?: string };

/** A POSIX (ustar) archive of the members in order: enough to write what tar itself would refuse to pack. */
function tarOf(members: readonly Member[]): Buffer {
  const blocks: Buffer[] = [];
  for (const member of members) {
    const body = Buffer.from(member.file ?? '');
    const header = Buffer.alloc(512);
    const put = (text: string, at: number, width: number) => header.write(text.slice(0, width), at, 'latin1');
    put(member.name, 0, 100);
    put(member.dir ? '0000755\0' : '0000644\0', 100, 8);
    put('0000000\0', 108, 8);
    put('0000000\0', 116, 8);
    put(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    put('00000000000\0', 136, 12);
    put(member.symlink !== undefined ? '2' : member.dir ? '5' : '0', 156, 1);
    put(member.symlink ?? '', 157, 100);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A registry that holds one image manifest with these layers. */
function readerOf(layers: readonly Buffer[]): RegistryReader {
  const byDigest = new Map(layers.map((layer, i) => [`sha256:${String(i).padStart(64, '0')}`, layer]));
  return {
    manifest: (digest: string) =>
      Promise.resolve({
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        body: { layers: [...byDigest.keys()].map((d) => ({ digest: d, mediaType: 'application/vnd.oci.image.layer.v1.tar', size: 0 })) },
      }),
    blobToFile: (digest: string, path: string) => Promise.resolve(writeFileSync(path, byDigest.get(digest) as Buffer)),
  } as unknown as RegistryReader;
}

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sandbox(): { rootfs: string; scratch: string; outside: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-sbom-test-'));
  dirs.push(dir);
  for (const name of ['scratch', 'outside']) mkdirSync(join(dir, name));
  writeFileSync(join(dir, 'outside', 'trivy'), 'the real generator\n');
  return { rootfs: join(dir, 'scratch', 'rootfs'), scratch: join(dir, 'scratch'), outside: join(dir, 'outside') };
}

const IMAGE = `sha256:${'a'.repeat(64)}`;

describe('unpacking an image never writes outside its root', () => {
  it('a link an earlier layer left is replaced, not followed, by a later layer that writes beneath it', async () => {
    const { rootfs, scratch, outside } = sandbox();
    const layers = [tarOf([{ name: 'etc', symlink: outside }]), tarOf([{ name: 'etc/trivy', file: 'overwritten by an image layer\n' }])];
    await unpackImage(readerOf(layers), IMAGE, rootfs, scratch);
    expect(readFileSync(join(outside, 'trivy'), 'utf8')).toBe('the real generator\n');
    expect(readdirSync(outside)).toEqual(['trivy']);
    expect(lstatSync(join(rootfs, 'etc')).isDirectory()).toBe(true);
    expect(readFileSync(join(rootfs, 'etc', 'trivy'), 'utf8')).toBe('overwritten by an image layer\n');
  });

  it('a link and a member beneath it in one layer: nothing reaches outside', async () => {
    const { rootfs, scratch, outside } = sandbox();
    const layer = tarOf([
      { name: 'etc', symlink: outside },
      { name: 'etc/trivy', file: 'overwritten\n' },
    ]);
    await unpackImage(readerOf([layer]), IMAGE, rootfs, scratch).catch(() => undefined);
    expect(readFileSync(join(outside, 'trivy'), 'utf8')).toBe('the real generator\n');
    expect(readdirSync(outside)).toEqual(['trivy']);
  });

  it('whiteouts delete from the layers below; an opaque directory keeps only its own layer; `.wh..` names nothing', async () => {
    const { rootfs, scratch } = sandbox();
    const layers = [
      tarOf([
        { name: 'a/', dir: true },
        { name: 'a/b', file: 'b' },
        { name: 'a/c', file: 'c' },
        { name: 'd', file: 'd' },
        { name: 'o/', dir: true },
        { name: 'o/old', file: 'old' },
      ]),
      tarOf([
        { name: 'a/.wh.b', file: '' },
        { name: '.wh.d', file: '' },
        { name: '.wh.', file: '' },
        { name: '.wh..', file: '' },
        { name: '.wh...', file: '' },
        { name: 'o/.wh..wh..opq', file: '' },
        { name: 'o/new', file: 'new' },
      ]),
    ];
    await unpackImage(readerOf(layers), IMAGE, rootfs, scratch);
    expect(readdirSync(rootfs).sort()).toEqual(['a', 'o']);
    expect(readdirSync(join(rootfs, 'a'))).toEqual(['c']);
    expect(readdirSync(join(rootfs, 'o'))).toEqual(['new']);
    expect(existsSync(scratch)).toBe(true);
  });
});

it('a whiteout hides what the layers below left, not what its own layer adds (whatever the names sort as)', async () => {
  const { rootfs, scratch } = sandbox();
  const layers = [
    tarOf([
      { name: '+pkg/', dir: true },
      { name: '+pkg/old', file: 'old' },
    ]),
    tarOf([
      { name: '.wh.+pkg', file: '' },
      { name: '+pkg', file: 'new' },
    ]),
  ];
  await unpackImage(readerOf(layers), IMAGE, rootfs, scratch);
  expect(readdirSync(rootfs)).toEqual(['+pkg']);
  expect(readFileSync(join(rootfs, '+pkg'), 'utf8')).toBe('new');
});

describe('the SBOM generator', () => {
  it('sees PATH, HOME and its own TRIVY_* settings, not the job token, a key password or registry credentials', () => {
    const env = generatorEnv({
      PATH: '/usr/bin',
      HOME: '/root',
      TRIVY_DEBUG: 'true',
      SIGSTORE_ID_TOKEN: 'eyJ.token',
      CIGEN_KEY_PASSWORD: 'secret',
      CI_REGISTRY_PASSWORD: 'secret',
      CI_JOB_TOKEN: 'secret',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', TRIVY_DEBUG: 'true' });
  });

  it('that exits 0 without writing an SBOM is refused by name (exit 1), not an internal error', async () => {
    const { outside } = sandbox();
    const generator = join(outside, 'silent');
    writeFileSync(generator, '#!/bin/sh\nexit 0\n');
    chmodSync(generator, 0o755);
    const reader = readerOf([tarOf([{ name: 'f', file: 'x' }])]);
    const run = generateSbom(generator, reader, { platform: '', digest: IMAGE }, { PATH: process.env['PATH'] });
    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      message: `the SBOM generator (${generator}) exited 0 on ${IMAGE} but wrote no SBOM`,
    });
  });
});

describe('what the SBOM describes: the image, not the directory Trivy read', () => {
  const DIGEST = `sha256:${'b'.repeat(64)}`;
  /** As `trivy rootfs` writes it: the scratch directory as an application, the dependency graph starting from its bom-ref. */
  const trivy: CycloneDxBom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:94d7601d-485f-4b60-bd52-d83d72e2d842',
    metadata: {
      timestamp: '2026-01-01T00:00:00+00:00',
      tools: { components: [{ type: 'application', name: 'trivy' }] },
      component: {
        'bom-ref': '7c074e0a-693b-4226-b101-5f60e215f09f',
        type: 'application',
        name: '/tmp/cigen-sbom-ca4ob0/rootfs',
        properties: [{ name: 'aquasecurity:trivy:SchemaVersion', value: '2' }],
      },
    },
    components: [{ 'bom-ref': 'pkg:apk/alpine/musl@1.2.4-r2', type: 'library', name: 'musl' }],
    dependencies: [{ ref: '7c074e0a-693b-4226-b101-5f60e215f09f', dependsOn: ['pkg:apk/alpine/musl@1.2.4-r2'] }],
  };

  it('metadata.component is the image by digest, a container with its purl; its bom-ref (the graph starts there) kept; nothing else changed', () => {
    const sbom = describingImage(trivy, 'registry.example.com:5000/Group/App', { platform: 'linux/arm64/v8', digest: DIGEST });
    expect(sbom.metadata?.component).toEqual({
      'bom-ref': '7c074e0a-693b-4226-b101-5f60e215f09f',
      type: 'container',
      name: 'registry.example.com:5000/Group/App',
      version: DIGEST,
      purl: `pkg:oci/app@${DIGEST}?arch=arm64&repository_url=registry.example.com:5000%2FGroup%2FApp`,
      properties: [{ name: 'aquasecurity:trivy:SchemaVersion', value: '2' }],
    });
    expect({ ...sbom, metadata: { ...sbom.metadata, component: undefined } }).toEqual({
      ...trivy,
      metadata: { ...trivy.metadata, component: undefined },
    });
    expect(trivy.metadata?.component?.name).toBe('/tmp/cigen-sbom-ca4ob0/rootfs');
  });

  it('a BOM without metadata gets it; an image that is not a platform of an index has no arch', () => {
    const sbom = describingImage({ bomFormat: 'CycloneDX', specVersion: '1.6' }, 'docker.io/library/alpine', {
      platform: '',
      digest: DIGEST,
    });
    expect(sbom.metadata).toEqual({
      component: {
        type: 'container',
        name: 'docker.io/library/alpine',
        version: DIGEST,
        purl: `pkg:oci/alpine@${DIGEST}?repository_url=docker.io%2Flibrary%2Falpine`,
      },
    });
  });

  it('the purl percent-encodes what the purl spec does not leave as it is', () => {
    expect(imagePurl('host/a/b_c.d-e~f', { platform: 'linux/amd64', digest: DIGEST })).toBe(
      `pkg:oci/b_c.d-e~f@${DIGEST}?arch=amd64&repository_url=host%2Fa%2Fb_c.d-e~f`,
    );
  });
});

describe('the SBOM generator, when it cannot run or fails', () => {
  const reader = () => readerOf([tarOf([{ name: 'f', file: 'x' }])]);

  it.each([
    ['no such file', 'missing', 'ENOENT'],
    ['a file that is not executable', 'trivy', 'EACCES'],
  ])('%s: it cannot be run, said by name with the reason (exit 1)', async (_case, name, code) => {
    const generator = join(sandbox().outside, name);
    const run = generateSbom(generator, reader(), { platform: '', digest: IMAGE }, { PATH: process.env['PATH'] });
    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      message: `cannot run the SBOM generator ${generator}: spawn ${generator} ${code}`,
    });
  });

  it('a failure: its exit status and the last three lines it wrote to stderr (exit 1)', async () => {
    const generator = join(sandbox().outside, 'failing');
    writeFileSync(generator, '#!/bin/sh\necho progress\nprintf "one\\ntwo\\nthree\\nfour\\n" >&2\nexit 3\n');
    chmodSync(generator, 0o755);
    const run = generateSbom(generator, reader(), { platform: '', digest: IMAGE }, { PATH: process.env['PATH'] });
    await expect(run).rejects.toMatchObject({
      exitCode: 1,
      message: `the SBOM generator (${generator}) failed on ${IMAGE} (exit 3): two / three / four`,
    });
  });

  it('a failure with nothing on stderr: the last lines of its stdout', async () => {
    const generator = join(sandbox().outside, 'failing');
    writeFileSync(generator, '#!/bin/sh\necho "no space left on device"\nexit 2\n');
    chmodSync(generator, 0o755);
    const run = generateSbom(generator, reader(), { platform: '', digest: IMAGE }, { PATH: process.env['PATH'] });
    await expect(run).rejects.toMatchObject({
      message: `the SBOM generator (${generator}) failed on ${IMAGE} (exit 2): no space left on device`,
    });
  });
});

describe('compressed layers: what tar needs for each, the CLI image has', () => {
  const layer = tarOf([{ name: 'etc/os-release', file: 'ID=test\n' }]);
  const compressed = (program: string): Buffer => execFileSync(program, ['-c'], { input: layer });

  it.each(LAYER_COMPRESSIONS.map((c) => [c.name, c] as const))('%s: unpacked', async (_name, compression) => {
    const { rootfs, scratch } = sandbox();
    await unpackImage(readerOf([compressed(compression.program)]), IMAGE, rootfs, scratch);
    expect(readFileSync(join(rootfs, 'etc', 'os-release'), 'utf8')).toBe('ID=test\n');
  });

  it.each(LAYER_COMPRESSIONS.map((c) => [c.name, c] as const))(
    '%s without its program in PATH: said so, with the package that has it, before tar runs',
    async (_name, compression) => {
      const { rootfs, scratch, outside } = sandbox();
      const bytes = compressed(compression.program);
      // PATH as in an image without the program: tar alone.
      const bin = join(outside, 'bin');
      mkdirSync(bin);
      symlinkSync(execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim(), join(bin, 'tar'));
      vi.stubEnv('PATH', bin);
      const run = unpackImage(readerOf([bytes]), IMAGE, rootfs, scratch);
      await expect(run).rejects.toMatchObject({
        exitCode: 1,
        message:
          `cannot unpack layer sha256:${'0'.repeat(64)}: it is compressed with ${compression.name}, which tar reads with the ` +
          `program ${compression.program}, and there is none in PATH (Debian package ${compression.debianPackage})`,
      });
    },
  );

  it('the CLI image (image/Dockerfile) installs the package of each program, and checks the program is there', () => {
    const dockerfile = readFileSync(new URL('../../image/Dockerfile', import.meta.url), 'utf8');
    const image = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const installed = [...image.matchAll(/apt-get install ((?:[^\\\n])*)/g)].flatMap((m) =>
      (m[1] as string).split(/\s+/).filter((word) => word !== '' && !word.startsWith('-')),
    );
    const checked = [...image.matchAll(/command -v (\S+)/g)].map((m) => m[1]);
    for (const compression of LAYER_COMPRESSIONS) {
      expect(installed).toContain(compression.debianPackage);
      expect(checked).toContain(compression.program);
    }
  });

  it("each program is its package's (Debian's own file list)", () => {
    for (const compression of LAYER_COMPRESSIONS) {
      const files = spawnSync('dpkg-query', ['-L', compression.debianPackage], { encoding: 'utf8' }).stdout.split('\n');
      expect(files).toContainEqual(expect.stringMatching(new RegExp(`/bin/${compression.program}$`)));
    }
  });
});
