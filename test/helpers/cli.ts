/** The cigen CLI as a child process, asynchronously: for tests whose fake server lives in this process. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = join(resolve(import.meta.dirname, '../..'), 'bin/cigen.cjs');

export function cigenAsync(
  args: string[],
  env: Record<string, string> = {},
  options: { unprivileged?: boolean } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command, prefix] = options.unprivileged ? unprivileged() : [process.execPath, []];
  return new Promise((done) => {
    const child = spawn(command, [...prefix, options.unprivileged ? unprivilegedBin() : BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** The cigen CLI as a child process, synchronously, from the repository root unless `cwd`. */
export function cigen(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? resolve(import.meta.dirname, '../..'),
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const asRoot = process.getuid?.() === 0;
/** Node as a user that file permissions hold for: nobody through setpriv when the tests run as root. */
const unprivileged = (): [string, string[]] =>
  asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]] : [process.execPath, []];
/** The CLI that user can load: as nobody, a copy every user may read. */
const unprivilegedBin = (): string => (asRoot ? binOpenToAll() : BIN);

/**
 * The cigen CLI, synchronously, as a user that file permissions hold for (root reads a mode-000
 * file): as nobody (uid and gid 65534, no groups) through setpriv when the tests run as root, else
 * as the user they run as. `cwd` and the files it reads must be open to that user.
 */
export function cigenUnprivileged(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const [command, prefix] = unprivileged();
  const result = spawnSync(command, [...prefix, unprivilegedBin(), ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    input: '',
    env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, NO_COLOR: '1', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let openBin: string | undefined;
/** bin/ and dist/ copied once into a directory every user may read: the checkout may sit under a
 *  directory nobody cannot enter (a CI job's build directory, a 0700 temp directory), and then
 *  nobody could not load the CLI at all. Removed when the test process exits. */
function binOpenToAll(): string {
  if (openBin) return openBin;
  const root = resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'cigen-open-bin-'));
  chmodSync(dir, 0o755);
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.map') });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  openBin = join(dir, 'bin/cigen.cjs');
  return openBin;
}
