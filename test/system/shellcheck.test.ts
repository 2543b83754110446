/** Every rendered job script passes shellcheck, as POSIX sh (busybox images) and as bash (the buildah image). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../helpers/cases.js';
import { instantiateComponent, jobScript } from '../helpers/job.js';

const shellcheck = (script: string, dialect: string) =>
  spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], { input: script, encoding: 'utf8' });

/**
 * The shell a job runs (before_script, then script), and the body of each script it writes out
 * with a quoted heredoc (`cat > FILE <<'END'`): shellcheck reads a heredoc's body as text, never
 * as code, so each is checked on its own.
 */
function scriptBlocks(job: Record<string, unknown>): string[] {
  const script = jobScript(job);
  const heredocs = [...script.matchAll(/<<'([A-Za-z_][A-Za-z0-9_]*)'\n([\s\S]*?)\n\1$/gm)].map((match) => `${match[2] as string}\n`);
  return [script, ...heredocs];
}

describe.each(COMPONENTS)('%s', (component) => {
  const { job } = instantiateComponent(component, {}, 'classic');
  const script = (job['script'] as string[]).join('\n');

  it.each(['sh', 'bash'])('is clean under shellcheck -s %s', (dialect) => {
    const result = shellcheck(script, dialect);
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails fast, and turns shell tracing off (a set -x before it would print credentials), on again only at its end', () => {
    expect(script).toMatch(/^set -eu$/m);
    expect(script).not.toMatch(/^\s*set -[a-z]*x|set -o xtrace/m);
    // The options as it found them, kept before it changes any; tracing back on in cigen_shell_restore.
    expect(script.indexOf('CIGEN_SHELL_OPTIONS=$-')).toBeGreaterThan(-1);
    expect(script.indexOf('CIGEN_SHELL_OPTIONS=$-')).toBeLessThan(script.indexOf('*x*) set +x;'));
    expect(script).toContain('case $CIGEN_SHELL_OPTIONS in *x*) set -x ;; esac');
    expect(script.indexOf('*x*) set +x;')).toBeLessThan(script.indexOf('set -eu'));
  });
});

// kaniko-compat's job is a hidden one with a before_script only: the installer, and the executor
// it writes to /kaniko/executor (Kaniko's flag parser, the credentials, the Buildah build).
describe('kaniko-compat', () => {
  const { job } = instantiateComponent('kaniko-compat', {}, 'classic');
  const blocks = scriptBlocks(job);

  it('renders the installer and the executor it writes', () => {
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('cat > /kaniko/executor <<');
    expect(blocks[1]).toMatch(/^#!\/bin\/sh\n/);
    expect(blocks[1]).toContain('cigen_k_flag "$k_flag"');
  });

  it.each(['sh', 'bash'])('every script block is clean under shellcheck -s %s', (dialect) => {
    for (const block of blocks) {
      const result = shellcheck(block, dialect);
      expect(result.error).toBeUndefined();
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    }
  });
});
