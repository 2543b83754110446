/**
 * The migration-bot component as GitLab runs it: instantiated in both interpolation modes, its
 * script run by bash and busybox sh with a stub `npx` first on PATH that records its argv, one
 * element per line. The contract is the exact `cigen bot` command line, no token on it, and a
 * clear failure without GITLAB_TOKEN.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  writeFileSync(join(dir, 'npx'), `#!/bin/sh\nfor a do printf '%s\\n' "$a"; done > "${dir}/argv"\n`);
  chmodSync(join(dir, 'npx'), 0o755);
  const { name, job } = instantiateComponent('migration-bot', inputs, mode);
  const environment = {
    ...jobEnvironment(
      job,
      predefinedVariables(dir, { CI_SERVER_URL: 'https://gitlab.example.com', CI_SERVER_FQDN: 'gitlab.example.com', ...env }),
    ),
    PATH: `${dir}:/usr/bin:/bin`,
  };
  const result = spawnSync(shell[0] as string, [...shell.slice(1), '-c', jobScript(job)], { env: environment, encoding: 'utf8', cwd: dir });
  let argv: string[] = [];
  try {
    argv = readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n');
  } catch {
    // npx never ran.
  }
  return { name, job, result, argv };
}

describe.each(INTERPOLATION_MODES)('%s interpolation', (mode) => {
  it.each([['bash'], ['busybox sh']])('%s: defaults run a dry run of the bot over nothing chosen yet', (shell) => {
    const { name, job, result, argv } = run({ group: 'platform' }, mode, shell === 'bash' ? ['bash'] : ['busybox', 'sh']);
    expect(name).toBe('cigen-migration-bot');
    expect(job['stage']).toBe('.post');
    expect(job['parallel']).toBe(1);
    expect(result.status, result.stderr).toBe(0);
    expect(argv).toEqual([
      '--yes',
      'cigen@1',
      'bot',
      '--report',
      'cigen-bot-report.json',
      '--group',
      'platform',
      '--component-ref',
      'gitlab.example.com/ci-components/cigen/buildah@1',
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
        package: '@platform/cigen@1.2.0',
      },
      mode,
      ['bash'],
    );
    expect(job['parallel']).toBe(4);
    expect(result.status, result.stderr).toBe(0);
    expect(argv).toEqual([
      '--yes',
      '@platform/cigen@1.2.0',
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
    ['package', 'cigen@1 --foo'],
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
