/**
 * What the `format` input says the OCI format drops (src/builders/said.ts, OCI_DROPPED), asked of
 * Buildah itself (what says it: test/unit/said.test.ts): one image per format from a Dockerfile with every instruction Docker's image
 * config has a field for and OCI's may not, on container storage of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_DROPPED } from '../../src/builders/said.js';

/** Each instruction with the field of Docker's image config it sets. */
const FIELDS = { HEALTHCHECK: 'Healthcheck', SHELL: 'Shell', ONBUILD: 'OnBuild', STOPSIGNAL: 'StopSignal' } as const;

let dir: string;
let env: Record<string, string>;
const built: Record<string, { warnings: string[]; config: Record<string, unknown> }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cigen-format-'));
  mkdirSync(join(dir, 'context'));
  writeFileSync(join(dir, 'context/file'), 'x\n');
  writeFileSync(
    join(dir, 'context/Dockerfile'),
    'FROM scratch\nCOPY file /\nSTOPSIGNAL SIGINT\nHEALTHCHECK CMD ["/file"]\nSHELL ["/bin/sh", "-xc"]\nONBUILD RUN true\nCMD ["/file"]\n',
  );
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/root"\n`);
  env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    BUILDAH_ISOLATION: 'chroot',
    HOME: dir,
  };
  for (const format of ['oci', 'docker']) {
    const build = spawnSync('buildah', ['build', `--format=${format}`, '--tag', `format-${format}`, join(dir, 'context')], {
      env,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`buildah build --format=${format}: ${build.stderr}`);
    const config = spawnSync('skopeo', ['inspect', '--config', '--raw', `containers-storage:localhost/format-${format}`], {
      env,
      encoding: 'utf8',
    });
    if (config.status !== 0) throw new Error(`skopeo inspect: ${config.stderr}`);
    built[format] = {
      warnings: [...build.stderr.matchAll(/msg="(\w+) is not supported for OCI image format/g)].map((m) => m[1] as string),
      config: (JSON.parse(config.stdout) as { config: Record<string, unknown> }).config,
    };
  }
});

afterAll(() => {
  spawnSync('buildah', ['rmi', '--all', '--force'], { env });
  rmSync(dir, { recursive: true, force: true });
});

describe('the OCI format', () => {
  it('drops exactly OCI_DROPPED, with a warning for each; keeps STOPSIGNAL; the Docker format keeps all', () => {
    const dropped = Object.entries(FIELDS)
      .filter(([, field]) => built['docker']?.config[field] !== undefined && built['oci']?.config[field] === undefined)
      .map(([instruction]) => instruction);
    expect(dropped.sort()).toEqual([...OCI_DROPPED].sort());
    expect(built['oci']?.warnings.sort()).toEqual([...OCI_DROPPED].sort());
    expect(built['oci']?.config['StopSignal']).toBe('SIGINT');
    for (const field of Object.values(FIELDS)) expect(built['docker']?.config[field], field).toBeDefined();
  });
});
