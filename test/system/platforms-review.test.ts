/**
 * The buildah component's platforms input against what Buildah 1.28 makes: one image per platform,
 * the variant compared where one is asked for (linux/arm/v6 comes back as v7), two items or two
 * builds of one platform refused before anything is pushed, and every per-platform tag checked
 * before the first build. In the sandbox with the stub executables, under bash and busybox sh.
 */
import { describe, expect, it } from 'vitest';
import { SHELLS, builds, pushes, refused, run, useSandbox } from './platforms-review.harness.js';

useSandbox();

describe.each(SHELLS)('buildah platforms (%s)', (shell) => {
  const buildah = (platforms: string[], extra: Record<string, unknown> = {}) => ({ platforms, tags: ['v1'], cache: false, ...extra });

  it('refuses two items that name one platform (linux/arm64 and linux/arm64/v8) before any build', () => {
    const r = run('buildah', buildah(['linux/amd64', 'linux/arm64', 'linux/arm64/v8']), shell);
    expect(refused(r)).toBe(
      'input platforms: linux/arm64 and linux/arm64/v8 name one platform (linux/arm64): an index holds one image per platform',
    );
    expect(builds(r)).toEqual([]);
  });

  it('refuses linux/arm/v6 that Buildah 1.28 builds as v7: the variant asked for is compared; nothing is pushed', () => {
    const r = run('buildah', buildah(['linux/arm/v6', 'linux/arm/v7']), shell, { STUB_BUILDS_AS: 'linux/arm/v6=linux/arm/v7' });
    expect(refused(r)).toBe('buildah built an image for linux/arm/v7, not for linux/arm/v6');
    // Built once, then again without the cache, as for a wrong platform.
    expect(builds(r)).toHaveLength(2);
    expect(builds(r)[1]).toContain('--no-cache');
    expect(pushes(r)).toEqual([]);
  });

  it('refuses two builds that gave images of one platform (linux/arm, built as v7, and linux/arm/v7) before any push', () => {
    const r = run('buildah', buildah(['linux/arm', 'linux/arm/v7']), shell, { STUB_BUILDS_AS: 'linux/arm=linux/arm/v7' });
    expect(refused(r)).toBe(
      'the builds for linux/arm and linux/arm/v7 both gave an image for linux/arm/v7: an index holds one image per platform',
    );
    expect(builds(r)).toHaveLength(2);
    expect(pushes(r)).toEqual([]);
  });

  it('builds linux/arm64/v8 (an arm64 image with or without its variant) and linux/arm (any variant) as asked', () => {
    for (const as of ['linux/arm64/v8=linux/arm64/v8', 'linux/arm64/v8=linux/arm64']) {
      const r = run('buildah', buildah(['linux/amd64', 'linux/arm64/v8', 'linux/arm']), shell, {
        STUB_BUILDS_AS: `${as} linux/arm=linux/arm/v7`,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(builds(r)).toHaveLength(3);
      expect(r.stdout).not.toContain('building it again without the cache');
      expect(r.report).toContain('CIGEN_BUILT_PLATFORMS=linux/amd64 linux/arm64/v8 linux/arm\n');
    }
  });

  it('checks every per-platform tag before the first build: nothing is built or pushed when one is too long', () => {
    // A tag of 116 characters: <tag>-linux-amd64 is 128 long, <tag>-linux-arm64-v8 131.
    const tag = `v${'1'.repeat(115)}`;
    const r = run('buildah', buildah(['linux/amd64', 'linux/arm64/v8'], { tags: [tag] }), shell);
    expect(refused(r)).toBe(`the tag ${tag}-linux-arm64-v8 for linux/arm64/v8 is longer than 128 characters: shorten the first tag`);
    expect(builds(r)).toEqual([]);
    expect(pushes(r)).toEqual([]);
    // At the limit: built and pushed.
    const fits = run('buildah', buildah(['linux/amd64', 'linux/arm64'], { tags: [tag] }), shell);
    expect(fits.status, fits.stderr).toBe(0);
  });
});
