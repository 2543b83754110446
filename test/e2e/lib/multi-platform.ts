/**
 * What a two-platform build needs offline: QEMU for arm64 in binfmt_misc (Debian's
 * qemu-user-static, registered only when the kernel does not have it) and a base image that is an
 * index of two busybox images, one per architecture (Debian's busybox-static of each).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from './registry.js';
import { freshRunner, harnessAuthFile } from './runner.js';

/** Where .ci/run unpacks Debian's busybox-static for arm64. */
export const ARM64_BUSYBOX = process.env['CIGEN_ARM64_BUSYBOX'] ?? '/var/cache/cigen-e2e/arm64/bin/busybox';
const BINFMT = '/proc/sys/fs/binfmt_misc';

/** bash with `set -euo pipefail`; throws with the first line of the script and stderr. */
export function sh(script: string, env: Record<string, string> = {}): string {
  const result = spawnSync('bash', ['--norc', '-c', `set -euo pipefail\n${script}`], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${script.split('\n')[0]}: ${result.stderr}`);
  return result.stdout;
}

/**
 * QEMU for arm64 in binfmt_misc, as a runner admin enables it; returns what undoes this call's
 * change (nothing when the kernel had it already).
 */
export function ensureArm64Emulation(): () => void {
  if (!existsSync(ARM64_BUSYBOX))
    throw new Error(
      `no arm64 busybox at ${ARM64_BUSYBOX}: .ci/run unpacks Debian's busybox-static:arm64 there (dpkg --add-architecture arm64)`,
    );
  if (!existsSync(join(BINFMT, 'register'))) sh(`mount -t binfmt_misc binfmt_misc ${BINFMT}`);
  if (existsSync(join(BINFMT, 'qemu-aarch64'))) return () => undefined;
  writeFileSync(join(BINFMT, 'register'), readFileSync('/usr/lib/binfmt.d/qemu-aarch64.conf', 'utf8').trim());
  return () => writeFileSync(join(BINFMT, 'qemu-aarch64'), '-1');
}

/** <registry>/e2e/multibase:1, an index of two busybox images, linux/amd64 and linux/arm64. */
export function pushMultiPlatformBase(registry: Registry): string {
  const runner = freshRunner(registry);
  try {
    const env = { ...runner.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, runner.dir) };
    const ref = `${registry.host}/e2e/multibase:1`;
    const images: string[] = [];
    for (const [arch, busybox] of [
      ['amd64', '/bin/busybox'],
      ['arm64', ARM64_BUSYBOX],
    ] as const) {
      const rootfs = join(runner.dir, `rootfs-${arch}`);
      mkdirSync(join(rootfs, 'bin'), { recursive: true });
      mkdirSync(join(rootfs, 'tmp'));
      cpSync(busybox, join(rootfs, 'bin/busybox'));
      // Applets as symlinks: they work whatever the architecture of the machine making them.
      for (const applet of ['sh', 'cat', 'echo', 'uname', 'mkdir', 'printf', 'id'])
        spawnSync('ln', ['-s', 'busybox', join(rootfs, 'bin', applet)]);
      const local = `localhost/multibase-${arch}`;
      sh(
        `ctr=$(buildah from scratch)\nbuildah copy "$ctr" '${rootfs}/' / > /dev/null\n` +
          `buildah config --arch ${arch} --os linux --env PATH=/bin --cmd /bin/sh "$ctr"\n` +
          `buildah commit -q "$ctr" ${local} > /dev/null\nbuildah rm "$ctr" > /dev/null`,
        env,
      );
      const digestFile = join(runner.dir, `digest-${arch}`);
      sh(`buildah push -q --digestfile '${digestFile}' ${local} docker://${ref}-${arch}`, env);
      images.push(`${registry.host}/e2e/multibase@${readFileSync(digestFile, 'utf8')}`);
    }
    sh(
      `buildah manifest create localhost/multibase > /dev/null\n` +
        images.map((image) => `buildah manifest add --tls-verify=false localhost/multibase docker://${image} > /dev/null`).join('\n') +
        `\nbuildah manifest push --tls-verify=false localhost/multibase docker://${ref} > /dev/null 2>&1`,
      env,
    );
    return ref;
  } finally {
    runner.dispose();
  }
}
