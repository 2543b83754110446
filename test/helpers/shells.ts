/** Runs the shared shell partials on their own, under each shell a builder image may have. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SHELLS = [
  { name: 'bash', argv: ['bash', '--norc', '--noprofile', '-c'] },
  { name: 'dash', argv: ['dash', '-c'] },
  { name: 'busybox sh', argv: ['busybox', 'sh', '-c'] },
] as const;

const shared = (name: string) => readFileSync(join(import.meta.dirname, '../../components/_shared', `${name}.sh.hbs`), 'utf8');

/** The library functions (prelude + auth) with their Handlebars-free text. */
export const SHELL_LIBRARY = `${shared('prelude')}\n${shared('auth')}\n`;

export function runShell(shell: (typeof SHELLS)[number], script: string, env: Record<string, string> = {}) {
  const [command, ...args] = shell.argv;
  const result = spawnSync(command, [...args, `${SHELL_LIBRARY}\n${script}`], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
