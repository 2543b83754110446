/**
 * A throwaway root filesystem that looks like a builder image to the job script: busybox (the
 * shell of the kaniko, buildkit and docker images) or bash (the buildah image), the job's
 * project directory, and stub builders that record what they were given. The script runs in it
 * with chroot (root only), so /kaniko/executor is really at /kaniko/executor.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STUB = join(dirname(fileURLToPath(import.meta.url)), 'stub.sh');
const STUB_PATHS = [
  '/usr/local/bin/buildah',
  '/usr/local/bin/docker',
  '/usr/bin/buildctl-daemonless.sh',
  '/kaniko/executor',
  '/usr/bin/skopeo',
];

export type Shell = 'busybox' | 'bash';

function copyWithLibraries(root: string, binary: string): void {
  const target = join(root, binary);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(binary, target);
  chmodSync(target, 0o755);
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  for (const match of ldd.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)) {
    const lib = match[1] as string;
    const dest = join(root, lib);
    if (existsSync(dest)) continue;
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(lib, dest);
  }
}

export interface Sandbox {
  root: string;
  projectDir: string;
  /** Runs a script as the job would; the environment is exactly `env` (plus PATH and HOME). */
  run(script: string, env: Record<string, string>, shell?: Shell): { status: number; stdout: string; stderr: string };
  /** The calls the stubs recorded, in order. */
  calls(tool?: string): StubCall[];
  /** Forgets the recorded calls and empties /tmp, so one sandbox serves many runs. */
  reset(): void;
  path(inside: string): string;
  dispose(): void;
}

export interface StubCall {
  tool: string;
  argv: string[];
  config?: Record<string, unknown>;
  stdin?: string;
  env?: string;
  /** Every variable the stub saw. */
  environment: Record<string, string>;
  /** Files the builder would read beside its argv, by path (temporary directories as <tmp>). */
  files: Record<string, string>;
}

const TMP = /\/tmp\/tmp\.[A-Za-z0-9]+/g;

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}/${entry.name}`) : [`${prefix}/${entry.name}`],
  );
}

export function createSandbox(
  options: {
    projectFiles?: Record<string, string>;
    projectDir?: string;
    /** host programs to copy in, with their libraries */ programs?: string[];
  } = {},
): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'cigen-sandbox-'));
  const projectDir = options.projectDir ?? '/builds/group/app';
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'busybox') continue;
    symlinkSync('busybox', join(root, 'bin', applet));
  }
  copyWithLibraries(root, '/bin/bash');
  for (const program of options.programs ?? []) copyWithLibraries(root, program);
  for (const dir of ['tmp', 'root', 'etc', 'usr/local/bin', 'usr/bin', 'kaniko', 'cigen-stub', 'dev'])
    mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  spawnSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);
  for (const stub of STUB_PATHS) {
    copyFileSync(STUB, join(root, stub));
    chmodSync(join(root, stub), 0o755);
  }
  const project = join(root, projectDir);
  mkdirSync(project, { recursive: true });
  const files = options.projectFiles ?? { Dockerfile: 'FROM scratch\n' };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, name)), { recursive: true });
    writeFileSync(join(project, name), content);
  }

  return {
    root,
    projectDir,
    path: (inside) => join(root, inside),
    run(script, env, shell = 'busybox') {
      const shellPath = shell === 'bash' ? '/bin/bash' : '/bin/sh';
      // The runner starts the script in the project directory, from a file (as the runner's shell
      // executor does): as one `-c` argument a script over 128 KiB (a job with the shell library)
      // would be refused by the kernel (E2BIG), which no runner does.
      const scriptFile = '/cigen-job-script.sh';
      writeFileSync(join(root, scriptFile), `cd '${projectDir}' || exit 1\n${script}`);
      const result = spawnSync('/usr/sbin/chroot', [root, shellPath, scriptFile], {
        env: { PATH: '/usr/local/bin:/usr/bin:/bin:/kaniko', HOME: '/root', ...env },
        encoding: 'utf8',
        // A guard against a hung script, far beyond what any run takes on a loaded machine.
        timeout: 600_000,
      });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    calls(tool) {
      const dir = join(root, 'cigen-stub');
      const calls = readdirSync(dir)
        .map((file) => /^(.*)\.(\d+)\.argv$/.exec(file))
        .filter((match): match is RegExpExecArray => match !== null)
        .map(([, tool, n]) => {
          const base = join(dir, `${tool}.${n}`);
          const environ = existsSync(`${base}.environ`) ? readFileSync(`${base}.environ`, 'utf8') : '';
          const call: StubCall & { order: number } = {
            tool: tool as string,
            order: Number(n),
            argv: readFileSync(`${base}.argv`, 'utf8').split('\0').slice(0, -1),
            environment: Object.fromEntries(
              environ
                .split('\0')
                .filter((line) => line.includes('='))
                .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
            ),
            files: Object.fromEntries(
              listFiles(`${base}.files`).map((path) => [
                path.replace(TMP, '<tmp>'),
                readFileSync(`${base}.files${path}`, 'utf8').replace(TMP, '<tmp>'),
              ]),
            ),
          };
          if (existsSync(`${base}.config.json`))
            call.config = JSON.parse(readFileSync(`${base}.config.json`, 'utf8')) as Record<string, unknown>;
          if (existsSync(`${base}.stdin`)) call.stdin = readFileSync(`${base}.stdin`, 'utf8');
          if (existsSync(`${base}.env`)) call.env = readFileSync(`${base}.env`, 'utf8');
          return call;
        })
        .sort((a, b) => a.order - b.order);
      return calls.filter((c) => tool === undefined || c.tool === tool).map(({ order: _order, ...call }) => call);
    },
    reset() {
      for (const dir of ['cigen-stub', 'tmp']) {
        rmSync(join(root, dir), { recursive: true, force: true });
        mkdirSync(join(root, dir), { recursive: true });
      }
      chmodSync(join(root, 'tmp'), 0o1777);
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Decodes a docker config.json's auth entries to user:password strings, per registry. */
export function decodeAuths(config: Record<string, unknown> | undefined): Record<string, string> {
  const auths = (config?.['auths'] ?? {}) as Record<string, { auth?: string }>;
  return Object.fromEntries(Object.entries(auths).map(([host, entry]) => [host, Buffer.from(entry.auth ?? '', 'base64').toString()]));
}
