/**
 * `cigen init`: which Dockerfiles it finds, what it proposes (one build per image, a matrix for
 * siblings), the file it writes or extends (lint-clean, every existing byte kept, no job
 * clobbered, nothing added twice), the decision guide, and the CLI without a terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseBuilder } from '../../src/init/decide.js';
import { findDockerfiles, proposeBuilds } from '../../src/init/plan.js';
import { scaffold } from '../../src/init/scaffold.js';
import { lintText } from '../../src/lint/lint-text.js';
import { catalogHost } from '../helpers/lint-host.js';

const REF = '$CI_SERVER_FQDN/ci-components/cigen/buildah@1';

async function lintErrors(text: string): Promise<string[]> {
  const diagnostics = await lintText(text, { file: '.gitlab-ci.yml', host: catalogHost() });
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
}

describe('finding Dockerfiles', () => {
  it('finds Dockerfiles and Containerfiles, skips node_modules, vendor, .git and what .gitignore ignores', () => {
    const files = [
      'Dockerfile',
      'api/Dockerfile.prod',
      'worker/Containerfile',
      'tools/ci.Dockerfile',
      'node_modules/x/Dockerfile',
      'vendor/y/Dockerfile',
      '.git/Dockerfile',
      'tmp/Dockerfile',
      'docs/Dockerfile.md.txt',
      'README.md',
      'Dockerfile.bak/x',
    ];
    expect(findDockerfiles(files, 'tmp/\n').map((d) => d.path)).toEqual([
      'Dockerfile',
      'api/Dockerfile.prod',
      'docs/Dockerfile.md.txt',
      'tools/ci.Dockerfile',
      'worker/Containerfile',
    ]);
  });
});

describe('proposals', () => {
  const propose = (paths: string[]) => proposeBuilds(findDockerfiles(paths));
  it('one Dockerfile at the root: build-image, pushed to $CI_REGISTRY_IMAGE', () => {
    expect(propose(['Dockerfile'])).toEqual([
      { jobName: 'build-image', context: '.', dockerfile: 'Dockerfile', image: '$CI_REGISTRY_IMAGE' },
    ]);
  });
  it('sibling directories with plain Dockerfiles share one matrix job; the rest get a job each', () => {
    expect(
      propose(['services/api/Dockerfile', 'services/worker/Dockerfile', 'Dockerfile', 'Dockerfile.dev', 'tools/lint/Containerfile']),
    ).toEqual([
      { jobName: 'build-dev', context: '.', dockerfile: 'Dockerfile.dev', image: '$CI_REGISTRY_IMAGE/dev' },
      { jobName: 'build-image', context: '.', dockerfile: 'Dockerfile', image: '$CI_REGISTRY_IMAGE' },
      {
        jobName: 'build-services',
        context: 'services/$IMAGE_DIR',
        dockerfile: 'Dockerfile',
        image: '$CI_REGISTRY_IMAGE/$IMAGE_DIR',
        matrix: { variable: 'IMAGE_DIR', values: ['api', 'worker'] },
      },
      { jobName: 'build-tools-lint', context: 'tools/lint', dockerfile: 'Containerfile', image: '$CI_REGISTRY_IMAGE/tools-lint' },
    ]);
  });
});

describe('the decision guide', () => {
  it('no runner access: the Kaniko fork; admin: buildah; a recent Kubernetes with user namespaces: buildah-rootless', () => {
    expect(chooseBuilder({ admin: false }).builder).toBe('kaniko');
    expect(chooseBuilder({ admin: true, kubernetes: false }).builder).toBe('buildah');
    expect(chooseBuilder({ admin: true, kubernetes: true }).builder).toBe('buildah-rootless');
  });
});

describe('the pipeline file', () => {
  const builds = proposeBuilds(findDockerfiles(['services/api/Dockerfile', 'services/worker/Dockerfile', 'Dockerfile']));

  it('a new file: includes and the matrix job, lint-clean', async () => {
    const result = scaffold('.gitlab-ci.yml', undefined, builds, REF);
    expect(result.text).toBe(`# Container images, built by the buildah component of the cigen catalog (written by \`cigen init\`).
include:
  - component: ${REF}
    inputs:
      job-name: build-image
      image: $CI_REGISTRY_IMAGE
  - component: ${REF}
    inputs:
      job-name: build-services
      context: services/$IMAGE_DIR
      image: $CI_REGISTRY_IMAGE/$IMAGE_DIR

build-services:
  parallel:
    matrix:
      - IMAGE_DIR: [api, worker]
`);
    expect(await lintErrors(result.text)).toEqual([]);
  });

  it('an existing file keeps every byte; a job of the same name is never overwritten; a second run adds nothing', async () => {
    const current = `# our pipeline
stages: [build, test]   # keep

include:
  - template: Security/SAST.gitlab-ci.yml

build-image:   # ours, not an image build
  stage: build
  script: [make]

test:
  stage: test
  script: ['npm test']
`;
    const first = scaffold('.gitlab-ci.yml', current, builds, REF);
    expect(first.renamed).toEqual([['build-image', 'build-image-2']]);
    expect(first.text).toContain('  - template: Security/SAST.gitlab-ci.yml\n  - component: ');
    expect(first.text).toContain('      job-name: build-image-2\n');
    // Everything that was there is still there, byte for byte, in order.
    const lines = current.split('\n');
    let at = 0;
    for (const line of lines) {
      at = first.text.indexOf(line, at);
      expect(at, line).toBeGreaterThanOrEqual(0);
    }
    expect(await lintErrors(first.text)).toEqual([]);
    const second = scaffold('.gitlab-ci.yml', first.text, builds, REF);
    expect(second).toMatchObject({
      changed: false,
      added: [],
      present: ['build-image-2', 'build-services'].length ? expect.any(Array) : [],
    });
    expect(second.text).toBe(first.text);
  });

  it("the new entries go after the include list's own comment lines, not after the next key's blank line and comment", () => {
    // The comment after the list at the list's indentation is the list's; the blank line and the
    // column-0 comment after it are the next job's (they were moved above the entries, the blank line lost).
    const current =
      'include:\n  - template: Security/SAST.gitlab-ci.yml\n  # - template: Old.yml\n\n# ---- tests ----\ntest:\n  script: [make]\n';
    const result = scaffold('.gitlab-ci.yml', current, proposeBuilds(findDockerfiles(['Dockerfile'])), REF);
    expect(result.text).toBe(
      'include:\n  - template: Security/SAST.gitlab-ci.yml\n  # - template: Old.yml\n' +
        `  - component: ${REF}\n    inputs:\n      job-name: build-image\n      image: $CI_REGISTRY_IMAGE\n` +
        '\n# ---- tests ----\ntest:\n  script: [make]\n',
    );
  });
});

describe('the CLI without a terminal', () => {
  const BIN = resolve(import.meta.dirname, '../../bin/cigen.cjs');
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }
  const cigen = (args: string[], cwd: string) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('--yes --builder writes the file; it lints clean; init twice adds nothing', () => {
    const dir = project({
      Dockerfile: 'FROM alpine\n',
      'services/a/Dockerfile': 'FROM alpine\n',
      'services/b/Dockerfile': 'FROM alpine\n',
    });
    const first = cigen(
      ['init', '--yes', '--builder', 'buildah-rootless', '--component-ref', 'gitlab.example.com/platform/cigen@2.0.0'],
      dir,
    );
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Builder: buildah-rootless');
    const written = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(written).toContain('  - component: gitlab.example.com/platform/cigen/buildah-rootless@2.0.0\n');
    expect(cigen(['lint', '.gitlab-ci.yml'], dir).status).toBe(0);
    const second = cigen(
      ['init', '--yes', '--builder', 'buildah-rootless', '--component-ref', 'gitlab.example.com/platform/cigen@2.0.0'],
      dir,
    );
    expect(second.stdout).toContain('already builds every image');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(written);
  });

  it('--doctor-report takes the builder the runner probe recommended', () => {
    const ok = (detail: string) => ({ ok: true, detail });
    const report = {
      version: 1,
      executor: 'kubernetes',
      checks: {
        userns: ok('unshare works'),
        mount: ok('tmpfs mounts'),
        seccomp: ok('Seccomp: 0'),
        apparmor: ok('unconfined'),
        'proc-unmasked': ok('nothing masked'),
        overlay: ok('ext4 below'),
        fuse: { ok: false, detail: 'no /dev/fuse' },
        privileged: { ok: false, detail: 'CapEff 00000000a80425fb' },
      },
      verdicts: {
        buildah: { ok: true, missing: [] },
        'buildah-rootless': { ok: true, missing: [] },
        buildkit: { ok: true, missing: [] },
        kaniko: { ok: true, missing: [] },
        dind: { ok: false, missing: ['privileged'] },
      },
      recommendation: 'buildah-rootless',
      reason: 'a Kubernetes runner with user namespaces and an unmasked /proc',
    };
    const dir = project({ Dockerfile: 'FROM alpine\n', 'cigen-doctor.json': JSON.stringify(report) });
    const result = cigen(['init', '--yes', '--doctor-report', 'cigen-doctor.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Builder: buildah-rootless — the doctor report from your runner:');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('/buildah-rootless@1\n');
    writeFileSync(join(dir, 'bad.json'), '{"version": 1}');
    expect(cigen(['init', '--yes', '--doctor-report', 'bad.json'], dir)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('bad.json: not a cigen doctor report'),
    });
    // A newer doctor job's report is a report all the same: it asks for a newer cigen, as `cigen doctor` does.
    writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...report, version: 2 }));
    const newer = cigen(['init', '--yes', '--doctor-report', 'v2.json'], dir);
    expect(newer.status).toBe(1);
    expect(newer.stderr).toContain('v2.json: a cigen doctor report of version 2, newer than this cigen reads (version 1): update cigen');
    expect(newer.stderr).not.toContain('not a cigen doctor report');
  });

  it('--doctor-report from a shell runner without buildah: the buildah job, and that the host still lacks buildah', () => {
    const ok = (detail: string) => ({ ok: true, detail });
    const checks: Record<string, { ok: boolean; detail: string }> = {
      userns: ok('unshare --user --map-root-user works'),
      mount: ok('mount -t tmpfs works in a user and mount namespace'),
      seccomp: ok('Seccomp: 0 (disabled)'),
      apparmor: ok('unconfined'),
      'proc-unmasked': ok('no masked or read-only paths under /proc'),
      overlay: ok('overlay mounts on /var/lib/containers (ext4)'),
      fuse: { ok: false, detail: '/dev/fuse is missing' },
      privileged: { ok: false, detail: 'CapEff 0000000000000000' },
      binfmt: { ok: false, detail: 'binfmt_misc is not mounted' },
      buildah: { ok: false, detail: 'buildah is not on the host' },
    };
    // What the probe wrote before it checked for buildah: "ok", and Buildah recommended as working.
    const report = {
      version: 1,
      executor: 'shell',
      checks,
      verdicts: {
        buildah: { ok: true, missing: [] },
        'buildah-rootless': { ok: true, missing: [] },
        buildkit: { ok: false, missing: [], impossible: 'not possible on a shell executor' },
        kaniko: { ok: false, missing: [], impossible: 'not possible on a shell executor' },
        dind: { ok: false, missing: ['privileged'], impossible: 'not possible on a shell executor' },
      },
      recommendation: 'buildah',
      reason: 'user namespaces and mounts work here: Buildah with chroot isolation builds without a privileged runner',
    };
    const dir = project({ Dockerfile: 'FROM alpine\n', 'cigen-doctor.json': JSON.stringify(report) });
    const result = cigen(['init', '--yes', '--doctor-report', 'cigen-doctor.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      'Builder: buildah — the doctor report from your runner: a shell executor runs jobs on the host and ignores image:, so only ' +
        'Buildah installed on the host can build; it still lacks buildah there (or use a Docker or Kubernetes runner)',
    );
    expect(result.stdout).not.toContain('user namespaces and mounts work here');
    expect(result.stdout).toContain('the host itself needs buildah, unprivileged user namespaces and mounts');
    // A report from before the check: whether the host has buildah is said to be unknown.
    delete checks['buildah'];
    writeFileSync(join(dir, 'older.json'), JSON.stringify(report));
    const older = cigen(['init', '--doctor-report', 'older.json'], dir);
    expect(older.stdout).toContain('whether the host has what it needs could not be tested (untested: buildah)');
  });

  it('without --yes it shows the diff and writes nothing', () => {
    const dir = project({ Dockerfile: 'FROM alpine\n', '.gitlab-ci.yml': 'test:\n  script: [make test]\n' });
    const result = cigen(['init', '--builder', 'kaniko'], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('+  - component: $CI_SERVER_FQDN/ci-components/cigen/kaniko@1\n');
    expect(result.stderr).toContain('add --yes to write .gitlab-ci.yml');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe('test:\n  script: [make test]\n');
  });

  it('refuses what it cannot do: no builder chosen (2), no Dockerfile (1), invalid YAML (1, untouched), a bad builder (2)', () => {
    expect(cigen(['init', '--yes'], project({ Dockerfile: 'FROM alpine\n' }))).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no builder chosen'),
    });
    expect(cigen(['init', '--yes', '--builder', 'buildah'], project({ 'README.md': '#\n' }))).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('no Dockerfile or Containerfile found'),
    });
    const broken = project({ Dockerfile: 'FROM alpine\n', '.gitlab-ci.yml': 'a: [\n' });
    expect(cigen(['init', '--yes', '--builder', 'buildah'], broken)).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/\.gitlab-ci\.yml:\d+:\d+: invalid YAML/),
    });
    expect(readFileSync(join(broken, '.gitlab-ci.yml'), 'utf8')).toBe('a: [\n');
    expect(cigen(['init', '--builder', 'podman'], project({ Dockerfile: 'FROM alpine\n' })).status).toBe(2);
  });
});
