/**
 * The manifest component takes each image under the platform the image itself names: an index
 * source cannot relabel an amd64 image as s390x, an image reported as CIGEN_BUILT_REF_<KEY> must be
 * for KEY's platform, and the index must hold as many platforms as build-jobs names jobs. In the
 * sandbox with the stub executables (each manifest list's own entries from the wrapper stub).
 */
import { describe, expect, it } from 'vitest';
import { AMD64, ARM64, IMG, SHELLS, SOURCE_INDEX, list, pushes, refused, run, sha, useSandbox } from './platforms-review.harness.js';

useSandbox();

describe.each(SHELLS)('manifest: the platforms are the images own (%s)', (shell) => {
  const manifest = (inputs: Record<string, unknown>) => ({ tags: ['x'], 'tag-rules': [], ...inputs });
  const hex = (digest: string) => digest.slice('sha256:'.length);

  it('refuses an index source whose entry is labelled s390x but is an amd64 image (its config); nothing is pushed', () => {
    const source = `other.example.com/team/base@${SOURCE_INDEX}`;
    const r = run(
      'manifest',
      manifest({ sources: [source] }),
      shell,
      { STUB_INSPECT: list([AMD64, 'linux/s390x']) },
      {
        [`all.${hex(SOURCE_INDEX)}`]: list([AMD64, 'linux/s390x']),
        [`one.${hex(AMD64)}`]: list([AMD64, 'linux/amd64']),
      },
    );
    expect(refused(r)).toBe(
      `the index ${source} lists ${AMD64} as the image for linux/s390x, but that image is for linux/amd64 (its config says so): ` +
        'the index would name it wrongly',
    );
    // The entry was read alone, from the source's repository.
    expect(r.calls.filter((argv) => argv[1] === 'add').map((argv) => argv.at(-1))).toEqual([
      `docker://${source}`,
      `docker://${source}`,
      `docker://other.example.com/team/base@${AMD64}`,
    ]);
    expect(pushes(r)).toEqual([]);
  });

  it('merges an index source whose entries are what their images say (arm64/v8 listed, arm64 in the config)', () => {
    const source = `other.example.com/team/base@${SOURCE_INDEX}`;
    const index = list([AMD64, 'linux/amd64'], [ARM64, 'linux/arm64/v8']);
    const r = run(
      'manifest',
      manifest({ sources: [source] }),
      shell,
      { STUB_INSPECT: index },
      {
        [`all.${hex(SOURCE_INDEX)}`]: index,
        [`one.${hex(AMD64)}`]: list([AMD64, 'linux/amd64']),
        [`one.${hex(ARM64)}`]: list([ARM64, 'linux/arm64']),
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.report).toContain('CIGEN_BUILT_PLATFORMS=linux/amd64 linux/arm64/v8\n');
  });

  it('refuses two jobs that reported one amd64 image, one of them as arm64: the index would hold amd64 only', () => {
    const job = manifest({ 'build-jobs': ['build amd64', 'build arm64'] });
    const r = run('manifest', job, shell, {
      CIGEN_BUILT_IMAGE: IMG,
      CIGEN_BUILT_REF_LINUX_AMD64: `${IMG}@${AMD64}`,
      CIGEN_BUILT_REF_LINUX_ARM64: `${IMG}@${AMD64}`,
      STUB_INSPECT: list([AMD64, 'linux/amd64']),
    });
    expect(refused(r)).toBe(
      `the reports name ${IMG}@${AMD64} as the image for LINUX_ARM64 (CIGEN_BUILT_REF_LINUX_ARM64), but it is an image for ` +
        "linux/amd64: two jobs reported one image, or a build pushed another platform's",
    );
    expect(pushes(r)).toEqual([]);
  });

  it('refuses fewer platforms in the index than build-jobs names jobs, though the reports name as many', () => {
    // Two reports under keys of their own, of one image each, an index source giving no other platform.
    const job = manifest({ 'build-jobs': ['build amd64', 'build other'] });
    const r = run(
      'manifest',
      job,
      shell,
      {
        CIGEN_BUILT_IMAGE: IMG,
        CIGEN_BUILT_REF_LINUX_AMD64: `${IMG}@${AMD64}`,
        CIGEN_BUILT_REF_LINUX_AMD64_V1: `${IMG}@${AMD64}`,
        STUB_INSPECT: list([AMD64, 'linux/amd64']),
      },
      {},
    );
    expect(refused(r)).toBe(
      "input build-jobs names 2 jobs but the index holds 1 platforms' images (linux/amd64): two jobs built one platform, or a job reported none",
    );
    expect(pushes(r)).toEqual([]);
  });

  // A client on arm64 takes an image listed as linux/arm64 or as linux/arm64/v8: both in one index
  // are two images for one platform, whichever of them it would pull.
  it('refuses an arm64 image beside an arm64/v8 one (and amd64 beside amd64/v1): two images for one platform', () => {
    for (const [plain, variant] of [
      ['linux/arm64', 'linux/arm64/v8'],
      ['linux/amd64/v1', 'linux/amd64'],
    ] as const) {
      const other = sha('c');
      const r = run('manifest', manifest({ sources: [`${IMG}@${ARM64}`, `${IMG}@${other}`] }), shell, {
        STUB_INSPECT: list([ARM64, plain], [other, variant]),
      });
      const norm = plain.replace(/\/v[18]$/, '');
      expect(refused(r)).toBe(
        `two images for ${norm}, as ${plain} and as ${variant} (one is ${other}): an index holds one image per platform`,
      );
      expect(pushes(r)).toEqual([]);
    }
  });

  it('takes each report under its own key: with or without the variant (LINUX_ARM64_V8, LINUX_ARM for arm/v7)', () => {
    const job = manifest({ 'build-jobs': ['build arm64', 'build arm'] });
    const r = run('manifest', job, shell, {
      CIGEN_BUILT_IMAGE: IMG,
      CIGEN_BUILT_REF_LINUX_ARM64_V8: `${IMG}@${ARM64}`,
      CIGEN_BUILT_REF_LINUX_ARM: `${IMG}@${AMD64}`,
      STUB_INSPECT: list([ARM64, 'linux/arm64'], [AMD64, 'linux/arm/v7']),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.report).toContain('CIGEN_BUILT_PLATFORMS=linux/arm64 linux/arm/v7\n');
  });
});
