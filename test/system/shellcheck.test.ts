/** Every rendered job script passes shellcheck, as POSIX sh (busybox images) and as bash (the buildah image). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../helpers/cases.js';
import { instantiateComponent } from '../helpers/job.js';

describe.each(COMPONENTS)('%s', (component) => {
  const { job } = instantiateComponent(component, {}, 'classic');
  const script = (job['script'] as string[]).join('\n');

  it.each(['sh', 'bash'])('is clean under shellcheck -s %s', (dialect) => {
    const result = spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], { input: script, encoding: 'utf8' });
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
