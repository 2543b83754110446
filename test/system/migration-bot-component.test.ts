/**
 * The migration-bot component as GitLab runs it: instantiated in both interpolation modes, its
 * script run by bash and busybox sh in a network namespace with no network at all (no package
 * registry can be reached), with the CLI image's entry point — `cigen` — stubbed first on PATH to
 * record its argv, one element per line, and `npx` and `npm` stubbed to record any call. The
 * contract is the exact `cigen bot` command line, no token on it, no npx or npm call, and a clear
 * failure without GITLAB_TOKEN.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';

const TOKEN = 'glpat-bot-token-never-printed';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(
  inputs: Record<string, unknown>,
  mode: 'classic' | 'text',
  shell: string[],
  env: Record<string, string> = { GITLAB_TOKEN: TOKEN },
) {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-bot-job-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'cigen'), `#!/bin/sh\nfor a do printf '%s\\n' "$a"; done > "${dir}/argv"\n`);
  for (const tool of ['npx', 'npm']) writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> "${dir}/registry-calls"\nexit 1\n`);
  for (const tool of ['cigen', 'npx', 'npm']) chmodSync(join(dir, tool), 0o755);
  const { name, job } = instantiateComponent('migration-bot', inputs, mode);
  const environment = {
    ...jobEnvironment(
      job,
      predefinedVariables(dir, { CI_SERVER_URL: 'https://gitlab.example.com', CI_SERVER_FQDN: 'gitlab.example.com', ...env }),
    ),
    PATH: `${dir}:/usr/bin:/bin`,
  };
  // unshare --net: a network namespace with only a loopback that is down; no registry is reachable.
  const result = spawnSync('unshare', ['--net', ...shell, '-c', jobScript(job)], { env: environment, encoding: 'utf8', cwd: dir });
  let argv: string[] = [];
  try {
    argv = readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n');
  } catch {
    // cigen never ran.
  }
  const registryCalls = existsSync(join(dir, 'registry-calls')) ? readFileSync(join(dir, 'registry-calls'), 'utf8') : '';
  return { name, job, result, argv, registryCalls };
}

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it.each([['bash'], ['busybox sh']])('%s: defaults run a dry run of the bot over nothing chosen yet', (shell) => {
    const { name, job, result, argv, registryCalls } = run({ group: 'platform' }, mode, shell === 'bash' ? ['bash'] : ['busybox', 'sh']);
    expect(name).toBe('cigen-migration-bot');
    expect(job['image']).toEqual({ name: '$CI_REGISTRY/ci-components/cigen/cli:1.1.0', entrypoint: [''] });
    expect(registryCalls).toBe('');
    expect(jobScript(job)).not.toMatch(/\bnpx\b|\bnpm\b/);
    expect(job['stage']).toBe('.post');
    expect(job['parallel']).toBe(1);
    expect(result.status, result.stderr).toBe(0);
    expect(argv).toEqual([
      'bot',
      '--report',
      'cigen-bot-report.json',
      '--group',
      'platform',
      // No --component-ref: the bot takes each project's catalog as `cigen migrate` does.
      '--concurrency',
      '4',
      '--dry-run',
    ]);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('every input reaches the command line as one argument', () => {
    const { job, result, argv } = run(
      {
        'job-name': 'migrate:off-kaniko',
        projects: 'team/a,team/b',
        'gitlab-url': 'https://gitlab.example.com:8443/sub',
        'component-ref': '$CI_SERVER_FQDN/platform/cigen/buildah@1.2.0',
        concurrency: 8,
        parallel: 4,
        'dry-run': false,
        'cli-image': `mirror.example.com/cigen/cli@sha256:${'a'.repeat(64)}`,
      },
      mode,
      ['bash'],
    );
    expect(job['parallel']).toBe(4);
    expect(job['image']).toEqual({ name: `mirror.example.com/cigen/cli@sha256:${'a'.repeat(64)}`, entrypoint: [''] });
    expect(result.status, result.stderr).toBe(0);
    expect(argv).toEqual([
      'bot',
      '--report',
      'cigen-bot-report.json',
      '--projects',
      'team/a,team/b',
      '--gitlab-url',
      'https://gitlab.example.com:8443/sub',
      '--component-ref',
      'gitlab.example.com/platform/cigen/buildah@1.2.0',
      '--concurrency',
      '8',
    ]);
  });

  it('names no shard of its own: CI_NODE_INDEX/CI_NODE_TOTAL of a parallel: matrix job are none', () => {
    const env = { GITLAB_TOKEN: TOKEN, CI_JOB_NAME: 'cigen-migration-bot: [a]', CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' };
    const { result, argv } = run({ group: 'platform' }, mode, ['bash'], env);
    expect(result.status, result.stderr).toBe(0);
    expect(argv[0]).toBe('bot');
    const log = result.stdout + result.stderr;
    expect(log).toContain('cigen bot (its summary names the shard this job took, if any)');
    expect(log).not.toMatch(/shard 1\/2/);
  });

  it('fails clearly without GITLAB_TOKEN, before running anything', () => {
    const { result, argv } = run({ all: true }, mode, ['bash'], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GITLAB_TOKEN is not set');
    expect(argv).toEqual([]);
  });
});

it('refuses hostile values up front (GitLab checks the regex before any job exists)', () => {
  for (const [input, value] of [
    ['group', 'a; rm -rf /'],
    ['projects', 'a b'],
    ['gitlab-url', 'https://x/$(id)'],
    ['cli-image', 'cigen@1 --foo'],
  ] as const) {
    expect(() => instantiateComponent('migration-bot', { [input]: value }, 'classic'), input).toThrow(
      /does not match required RegEx pattern/,
    );
  }
});

it('its script is clean under shellcheck', () => {
  const { job } = instantiateComponent('migration-bot', {}, 'classic');
  for (const dialect of ['sh', 'bash']) {
    const result = spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], { input: jobScript(job), encoding: 'utf8' });
    expect(result.stdout, dialect).toBe('');
    expect(result.status).toBe(0);
  }
});
