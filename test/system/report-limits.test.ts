/**
 * The dotenv report (components/_shared/report.sh.hbs) within what GitLab takes of one: at most 20
 * variables and under 5,120 bytes, the defaults of its plan limits `dotenv_variables` and
 * `dotenv_size` (gitlabhq db/structure.sql). Ci::ParseDotenvArtifactService refuses a file with
 * more ("Dotenv files cannot have more than 20 variables", "Dotenv Artifact Too Big") and the upload
 * fails with 400, after the job moved the tags. Each job that reports an index — a build with
 * platforms, manifest, promote — runs for 12 platforms, with the job and runner variables a runner
 * always sets, in the sandbox with the stub executables.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SHELLS, list, run, useSandbox } from './platforms-review.harness.js';

useSandbox();

const DOTENV_VARIABLES = 20;
const DOTENV_SIZE = 5120;
/** A long but ordinary repository: a registry host, three groups, a project and an image name. */
const IMAGE = 'registry.gitlab.example.com/platform-group/backend-services/order-management/api-gateway';
const PLATFORMS = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/arm/v5',
  'linux/ppc64le',
  'linux/s390x',
  'linux/386',
  'linux/riscv64',
  'linux/mips64le',
  'linux/mips64',
  'linux/loong64',
];
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(2, '0').repeat(32)}`;
/** The job and runner, as a runner sets them for every job. */
const RUNNER = { CI_JOB_ID: '1234567890', CI_JOB_STARTED_AT: '2026-12-01T09:00:00Z', CI_RUNNER_ID: '987654', CI_RUNNER_VERSION: '18.6.1' };

/** The report as GitLab parses it: KEY=VALUE per line (the first = splits), each key once. */
function withinLimits(report: string): Record<string, string> {
  expect(report).not.toBe('');
  const lines = report.replace(/\n$/, '').split('\n');
  const variables = Object.fromEntries(lines.map((line) => /^(.*?)=(.*)$/.exec(line)?.slice(1) ?? ['', line]));
  expect(Object.keys(variables)).toHaveLength(lines.length);
  expect(lines.length).toBeLessThanOrEqual(DOTENV_VARIABLES);
  expect(Buffer.byteLength(report)).toBeLessThan(DOTENV_SIZE);
  return variables;
}

describe.each(SHELLS)('a report of 12 platforms stays within GitLab’s dotenv limits (%s)', (shell) => {
  it('a build with platforms', () => {
    const r = run('buildah', { image: IMAGE, platforms: PLATFORMS, tags: ['v1.2.3', 'latest'], cache: false }, shell, RUNNER);
    expect(r.status, r.stderr).toBe(0);
    const report = withinLimits(r.report);
    expect(report['CIGEN_BUILT_PLATFORMS']).toBe(PLATFORMS.join(' '));
    expect(report['CIGEN_BUILT_PLATFORM_REFS']?.split(' ').map((item) => item.slice(0, item.indexOf('=')))).toEqual(PLATFORMS);
  });

  it('manifest, merging one image per platform', () => {
    const sources = PLATFORMS.map((_, i) => `${IMAGE}@${digestOf(i + 1)}`);
    const inspect = list(...PLATFORMS.map((platform, i): [string, string] => [digestOf(i + 1), platform]));
    const r = run('manifest', { image: IMAGE, sources, tags: ['v1.2.3', 'latest'] }, shell, { ...RUNNER, STUB_INSPECT: inspect });
    expect(r.status, r.stderr).toBe(0);
    const report = withinLimits(r.report);
    expect(report['CIGEN_BUILT_PLATFORM_REFS']).toBe(PLATFORMS.map((platform, i) => `${platform}=${IMAGE}@${digestOf(i + 1)}`).join(' '));
  });

  it('promote, copying the index', () => {
    const inspect = list(...PLATFORMS.map((platform, i): [string, string] => [digestOf(i + 1), platform]));
    const digest = `sha256:${spawnSync('sha256sum', { input: inspect, encoding: 'utf8' }).stdout.slice(0, 64)}`;
    const built = {
      CIGEN_BUILT_REF: `${IMAGE}@${digest}`,
      CIGEN_BUILT_DIGEST: digest,
      CIGEN_BUILT_BY_JOB_ID: '1234567889',
      CIGEN_BUILT_BY_JOB_STARTED_AT: '2026-12-01T08:50:00Z',
      CIGEN_BUILT_BY_RUNNER_ID: '987653',
      CIGEN_BUILT_BY_RUNNER_VERSION: '18.6.1',
    };
    const r = run('promote', { image: `${IMAGE}/release`, tags: ['1.2.3', '1.2', 'latest'], 'tag-rules': [] }, shell, {
      ...RUNNER,
      ...built,
      STUB_INSPECT: inspect,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = withinLimits(r.report);
    expect(report['CIGEN_BUILT_BY_JOB_ID']).toBe('1234567889');
    expect(report['CIGEN_BUILT_PLATFORM_REFS']?.split(' ')).toHaveLength(PLATFORMS.length);
  });
});
