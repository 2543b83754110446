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
    expect(r.stdout).toContain(
      'cigen: the build for linux/arm/v6 came back as an image for linux/arm/v7, though Buildah used no image of another ' +
        "platform; building it again without the cache (Buildah 1.28's layer cache can give a FROM scratch stage another " +
        "platform's layers)\n",
    );
    expect(builds(r)).toHaveLength(2);
    expect(builds(r)[1]).toContain('--no-cache');
    expect(pushes(r)).toEqual([]);
  });

  it("stops a platform whose base image is another platform's (Buildah's WARNING), before any push and without a rebuild", () => {
    const base = 'registry.example.com/base:1';
    // Buildah 1.28 gives the arm64 build the amd64 image from its layer cache, or labels it arm64.
    for (const as of ['linux/arm64=linux/amd64', 'linux/arm64=linux/arm64']) {
      const r = run('buildah', buildah(['linux/amd64', 'linux/arm64']), shell, {
        STUB_FOREIGN_BASE: `linux/arm64=${base}`,
        STUB_BUILDS_AS: as,
      });
      expect(refused(r)).toBe(
        `the build for linux/arm64 uses ${base}, not an image for linux/arm64 (Buildah's WARNING above): Buildah builds on it ` +
          "anyway, and the image for linux/arm64 would hold another platform's programs. Use a base image that has linux/arm64, " +
          'or build without linux/arm64',
      );
      expect(r.stdout).not.toContain('building it again without the cache');
      expect(builds(r)).toHaveLength(2);
      expect(pushes(r)).toEqual([]);
    }
    // One platform (the platform input) alike.
    const one = run('buildah', { platform: 'linux/arm64', tags: ['v1'], cache: false }, shell, {
      STUB_FOREIGN_BASE: `linux/arm64=${base}`,
    });
    expect(refused(one)).toMatch(
      new RegExp(`^the build for linux/arm64 uses ${base.replace(/\./g, '\\.')}, not an image for linux/arm64 `),
    );
    expect(pushes(one)).toEqual([]);
  });

  it("a stage on another platform's image that the last stage only copies from is logged, not a reason to stop", () => {
    const base = 'registry.example.com/tools:1';
    const r = run('buildah', buildah(['linux/amd64', 'linux/arm64']), shell, {
      STUB_FOREIGN_BASE: `linux/arm64=${base}`,
      STUB_FINAL_FROM: 'registry.example.com/runtime:1',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(
      `cigen: the build for linux/arm64 has a stage on ${base}, not an image for linux/arm64 (Buildah's WARNING above); ` +
        "the image's own stage is not on it, and takes only the files it copies from it\n",
    );
    expect(pushes(r).length).toBeGreaterThan(0);
    // After FROM scratch no image was pulled: the WARNING is of a layer-cache image, no base's.
    const scratch = run('buildah', buildah(['linux/amd64', 'linux/arm64']), shell, { STUB_FOREIGN_BASE: 'linux/arm64=scratch' });
    expect(scratch.status, scratch.stderr).toBe(0);
    expect(scratch.stderr).not.toMatch(/cigen: error/);
    // The last stage FROM the foreign stage stands on it too: stopped.
    const onIt = run('buildah', buildah(['linux/amd64', 'linux/arm64']), shell, {
      STUB_FOREIGN_BASE: `linux/arm64=${base}`,
      STUB_FINAL_FROM: 'base',
    });
    expect(refused(onIt)).toMatch(
      new RegExp(`^the build for linux/arm64 uses ${base.replace(/\./g, '\\.')}, not an image for linux/arm64 `),
    );
    expect(pushes(onIt)).toEqual([]);
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

describe.each(SHELLS)('buildah annotations on a layer-cache hit (%s)', (shell) => {
  const ANNOTATIONS = ['org.example.a=1', 'org.example.b=two words, one comma'];
  const noCache = (r: ReturnType<typeof run>) => builds(r).filter((argv) => argv.includes('--no-cache'));

  it('builds each platform again without the cache when its image came back without the annotations', () => {
    const inputs = { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'], annotations: ANNOTATIONS };
    const r = run('buildah', inputs, shell, { STUB_CACHE_DROPS_ANNOTATIONS: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(builds(r)).toHaveLength(4);
    expect(noCache(r)).toHaveLength(2);
    expect(r.stdout).toContain(
      'cigen: the image built for linux/arm64 lacks the annotations org.example.a org.example.b (Buildah reused an image from its ' +
        'layer cache without them); building it again without the cache\n',
    );
  });

  it('checks one image too; an image that has them (a key given twice: its last value) is not built again', () => {
    const dropped = run('buildah', { tags: ['v1'], annotations: ANNOTATIONS }, shell, { STUB_CACHE_DROPS_ANNOTATIONS: '1' });
    expect(dropped.status, dropped.stderr).toBe(0);
    expect(noCache(dropped)).toHaveLength(1);
    const kept = run('buildah', { tags: ['v1'], annotations: ['org.example.a=old', ...ANNOTATIONS] }, shell);
    expect(kept.status, kept.stderr).toBe(0);
    expect(builds(kept)).toHaveLength(1);
  });

  it('reproducible: built without the cache from the start (its only build), so a wrong image stops the job at once', () => {
    const inputs = { platforms: ['linux/amd64', 'linux/arm/v6'], tags: ['v1'], annotations: ANNOTATIONS, reproducible: true };
    const wrong = run('buildah', inputs, shell, { STUB_BUILDS_AS: 'linux/arm/v6=linux/arm/v7' });
    expect(refused(wrong)).toBe('buildah built an image for linux/arm/v7, not for linux/arm/v6');
    const bare = run('buildah', inputs, shell, { STUB_NEVER_ANNOTATES: '1' });
    expect(refused(bare)).toBe(
      'buildah built the image for linux/amd64 without the annotations org.example.a org.example.b, even without the cache',
    );
    for (const r of [wrong, bare]) {
      expect(builds(r).every((argv) => argv.includes('--no-cache') && !argv.some((arg) => arg.startsWith('--cache-')))).toBe(true);
      expect(r.stdout).not.toContain('building it again without the cache');
      expect(pushes(r)).toEqual([]);
    }
    expect(builds(wrong)).toHaveLength(2);
    expect(builds(bare)).toHaveLength(1);
  });

  it('stops when the image lacks them even without the cache; nothing is pushed', () => {
    const r = run('buildah', { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'], annotations: ANNOTATIONS }, shell, {
      STUB_NEVER_ANNOTATES: '1',
    });
    expect(refused(r)).toBe(
      'buildah built the image for linux/amd64 without the annotations org.example.a org.example.b, even without the cache',
    );
    expect(pushes(r)).toEqual([]);
  });
});

describe.each(SHELLS)('buildah platforms in a storage that outlives the job (%s)', (shell) => {
  const inputs = { platforms: ['linux/amd64', 'linux/arm64'], tags: ['v1'], cache: false };
  const removed = (r: ReturnType<typeof run>) => r.calls.filter((argv) => argv[0] === 'rmi').map((argv) => argv.slice(1));

  it("names its local images for the job (CI_JOB_ID and the shell's PID), removes them at exit, and builds with --force-rm", () => {
    const r = run('buildah', inputs, shell, { CI_JOB_ID: '4242' });
    expect(r.status, r.stderr).toBe(0);
    const tags = builds(r).map((argv) => argv.find((arg) => arg.startsWith('--tag='))?.slice('--tag='.length));
    const prefix = /^localhost\/cigen-4242-(\d+)-build-1$/.exec(tags[0] ?? '')?.[1];
    expect(prefix, String(tags)).toBeDefined();
    const local = `localhost/cigen-4242-${prefix}`;
    expect(tags).toEqual([`${local}-build-1`, `${local}-build-2`]);
    expect(builds(r).every((argv) => argv.includes('--force-rm'))).toBe(true);
    expect(r.calls.find((argv) => argv.includes('create'))?.at(-1)).toBe(`${local}-index`);
    // At exit, after the last push, the last made first: the index, then each platform's image.
    expect(removed(r)).toEqual([[`${local}-index`], [`${local}-build-2`], [`${local}-build-1`]]);
    expect(r.calls.at(-1)).toEqual(['rmi', `${local}-build-1`]);
  });

  it('a failed buildah manifest create (local storage only) says so without the registry hint; the images still go', () => {
    const r = run('buildah', inputs, shell, { CI_JOB_ID: '4243', STUB_FAIL_ON: 'buildah create' });
    expect(refused(r)).toBe('buildah manifest create failed (exit 1)');
    expect(pushes(r)).toEqual([]);
    expect(removed(r).map(([image]) => image?.replace(/^(localhost\/cigen-4243)-\d+-/, '$1-PID-'))).toEqual([
      'localhost/cigen-4243-PID-index',
      'localhost/cigen-4243-PID-build-2',
      'localhost/cigen-4243-PID-build-1',
    ]);
  });
});
