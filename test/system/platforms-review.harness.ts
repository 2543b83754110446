/**
 * The sandbox of the platforms review tests (platforms-review*.test.ts): the shared stub executables,
 * with a wrapper stub in front of buildah that plays what Buildah 1.28 does and the shared stub does
 * not (an image's variant, linux/arm/v6 built as v7, each manifest list's own entries).
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { createSandbox, type Sandbox, type Shell } from '../helpers/sandbox.js';

export const IMG = 'registry.example.com/group/app';
export const SHELLS: readonly Shell[] = ['bash', 'busybox'];
const OCI_IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const sha = (c: string) => `sha256:${c.repeat(64)}`;
export const AMD64 = sha('a');
export const ARM64 = sha('b');
export const SOURCE_INDEX = sha('e');
const platformOf = (p: string) => {
  const [os, architecture, variant] = p.split('/');
  return { os, architecture, ...(variant ? { variant } : {}) };
};
/** A list as `buildah manifest inspect` prints it: [digest, platform] entries. */
export const list = (...entries: [string, string][]) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map(([digest, platform]) => ({ mediaType: OCI_IMAGE, size: 503, digest, platform: platformOf(platform) })),
  });

/**
 * In front of the shared stub (moved to /cigen-orig/buildah, where it still records every call):
 * - inspect of .ImageAnnotations drops them from an image built with the cache when
 *   STUB_CACHE_DROPS_ANNOTATIONS is set, from every image when STUB_NEVER_ANNOTATES is;
 * - build records the platform Buildah 1.28 makes of --platform (STUB_BUILDS_AS='ASKED=BUILT ...'),
 *   which inspect --type=image prints as its --format asks: OS/ARCH, or OS/ARCH/VARIANT (the variant
 *   empty when there is none);
 * - build for a platform of STUB_FOREIGN_BASE='PLATFORM=IMAGE ...' prints the FROM step of IMAGE and
 *   Buildah's WARNING that IMAGE is for linux/amd64, as for a base image of that one platform (the
 *   stage `base`), then the FROM step of STUB_FINAL_FROM, when set, as a last stage's;
 * - manifest inspect of a list made of one reference prints /stub-lists/<all|one>.<hex of its digest>
 *   when that file exists (what Buildah reads of that reference alone), else the shared stub's answer.
 */
const WRAPPER = `#!/bin/sh
set -eu
dir=\${CIGEN_STUB_DIR:-/cigen-stub}
mkdir -p "$dir"
key() { printf '%s' "$1" | tr '/:@' '___'; }
real=/cigen-orig/buildah
if [ "\${1-}" = build ]; then
  platform=linux/amd64
  for arg do case $arg in --platform=*) platform=\${arg#*=} ;; esac; done
  built=$platform
  for pair in \${STUB_BUILDS_AS-}; do [ "\${pair%%=*}" != "$platform" ] || built=\${pair#*=}; done
  for pair in \${STUB_FOREIGN_BASE-}; do
    [ "\${pair%%=*}" = "$platform" ] || continue
    printf '[1/2] STEP 1/2: FROM --platform=%s %s AS base\\n' "$platform" "\${pair#*=}"
    printf 'WARNING: image platform ({amd64 linux  [] }) does not match the expected platform ({%s linux  [] })\\n' "\${platform#*/}" >&2
  done
  if [ -n "\${STUB_FINAL_FROM-}" ]; then printf '[2/2] STEP 1/2: FROM %s\\n' "$STUB_FINAL_FROM"; fi
  case $built in */*/*) ;; *) built=$built/ ;; esac
  for arg do case $arg in --tag=*) printf '%s\\n' "$built" > "$dir/variant.$(key "\${arg#*=}")" ;; esac; done
  cached=1
  for arg do case $arg in --no-cache) cached='' ;; esac; done
  for arg do case $arg in --tag=*) printf '%s' "$cached" > "$dir/cached.$(key "\${arg#*=}")" ;; esac; done
  exec "$real" "$@"
fi
if [ "\${1-}" = inspect ] && [ "\${2-}" = --type=image ]; then
  for image do :; done
  case $* in
    *.ImageAnnotations*)
      # STUB_CACHE_DROPS_ANNOTATIONS: an image from the layer cache has none of the build's annotations
      # (Buildah 1.28 with cache-from); STUB_NEVER_ANNOTATES: no image has them.
      if [ -n "\${STUB_NEVER_ANNOTATES-}" ]; then "$real" "$@" > /dev/null; exit 0; fi
      if [ -n "\${STUB_CACHE_DROPS_ANNOTATIONS-}" ] && [ -n "$(cat "$dir/cached.$(key "$image")" 2> /dev/null)" ]; then
        "$real" "$@" > /dev/null
        exit 0
      fi
      exec "$real" "$@" ;;
  esac
  "$real" "$@" > /dev/null
  built=$(cat "$dir/variant.$(key "$image")" 2> /dev/null || echo linux/amd64/)
  # What the --format asks for: OS/ARCH alone, or with /VARIANT.
  case $* in *.OCIv1.Variant*) printf '%s\n' "$built" ;; *) printf '%s\n' "\${built%/*}" ;; esac
  exit 0
fi
if [ "\${1-}" = manifest ]; then
  case \${2-} in
    add)
      mode=one
      for arg do case $arg in --all) mode=all ;; esac; done
      for last do :; done
      prev=''
      for arg do [ "$arg" != "$last" ] || lst=$prev; prev=$arg; done
      printf '%s.%s\\n' "$mode" "\${last##*@sha256:}" >> "$dir/added.$(key "$lst")" ;;
    inspect)
      for lst do :; done
      if [ -f "$dir/added.$(key "$lst")" ] && [ "$(wc -l < "$dir/added.$(key "$lst")")" -eq 1 ]; then
        file=/stub-lists/$(cat "$dir/added.$(key "$lst")")
        if [ -f "$file" ]; then "$real" "$@" > /dev/null; cat "$file"; exit 0; fi
      fi ;;
  esac
fi
exec "$real" "$@"
`;

let box: Sandbox;
/** The sandbox, made before the file's tests and removed after them. */
export function useSandbox(): () => Sandbox {
  beforeAll(() => {
    box = createSandbox();
    mkdirSync(box.path('/cigen-orig'), { recursive: true });
    copyFileSync(box.path('/usr/local/bin/buildah'), box.path('/cigen-orig/buildah'));
    chmodSync(box.path('/cigen-orig/buildah'), 0o755);
    writeFileSync(box.path('/usr/local/bin/buildah'), WRAPPER);
    chmodSync(box.path('/usr/local/bin/buildah'), 0o755);
  });
  afterAll(() => box.dispose());
  return () => box;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: string[][];
  report: string;
}

export function run(
  component: string,
  inputs: Record<string, unknown>,
  shell: Shell,
  variables: Record<string, string> = {},
  lists: Record<string, string> = {},
): Run {
  box.reset();
  rmSync(box.path('/stub-lists'), { recursive: true, force: true });
  mkdirSync(box.path('/stub-lists'));
  for (const [name, text] of Object.entries(lists)) writeFileSync(box.path(`/stub-lists/${name}`), text);
  const reportFile = box.path(`${box.projectDir}/cigen-build.env`);
  rmSync(reportFile, { force: true });
  const { job } = instantiateComponent(component, inputs, 'classic');
  const env = { ...jobEnvironment(job, predefinedVariables(box.projectDir, variables)), ...variables };
  const result = box.run(jobScript(job), env, shell);
  let report = '';
  try {
    report = readFileSync(reportFile, 'utf8');
  } catch {
    report = '';
  }
  const calls = box.calls('buildah').map((c) => c.argv.map((a) => a.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '<tmp>')));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, report };
}

/** A run that stopped with one line: the message, without its prefix. */
export function refused(r: Run): string {
  expect(r.status, r.stdout + r.stderr).toBe(1);
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  expect(last).toMatch(/^cigen: error: /);
  expect(r.report).toBe('');
  return last.replace(/^cigen: error: /, '');
}

export const builds = (r: Run) => r.calls.filter((argv) => argv[0] === 'build');
export const pushes = (r: Run) => r.calls.filter((argv) => argv.includes('push'));
