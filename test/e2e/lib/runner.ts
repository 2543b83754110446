/**
 * A fresh "runner" for real Buildah jobs: its own container storage (as a new CI job
 * container has), a registries.conf that marks the test registry as plain HTTP, the job's
 * environment as GitLab would give it, and bash running before_script + script.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { jobEnvironment, jobScript, predefinedVariables } from '../../helpers/job.js';
import type { Registry } from './registry.js';

/** The repository root (found by walking up, so this module also works when bundled elsewhere). */
export const ROOT = ((): string => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'components/buildah/fixture'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('cannot find the cigen repository root');
    dir = parent;
  }
  return dir;
})();
export const FIXTURE = join(ROOT, 'components/buildah/fixture');
/** The escape character that starts a terminal control sequence. */
const ESC = '\u001b';

export interface Runner {
  dir: string;
  env: Record<string, string>;
  /** Bytes used by the container storage. */
  storageBytes(): number;
  dispose(): void;
}

export interface RunnerOptions {
  /** Mark the test registry as plain HTTP in registries.conf (as a runner admin would). */
  registryIsHttp?: boolean;
  /** Put the container storage on an overlayfs mount, where kernel overlay cannot mount. */
  overlayOnOverlay?: boolean;
  /** The runner's registries.conf, as given (in place of the one registryIsHttp writes). */
  registriesConf?: string;
}

export function freshRunner(registry: Registry, options: RunnerOptions = {}): Runner {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-runner-'));
  mkdirSync(join(dir, 'home'));
  let storage = dir;
  if (options.overlayOnOverlay) {
    for (const sub of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, sub));
    const mount = spawnSync(
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`, join(dir, 'merged')],
      { encoding: 'utf8' },
    );
    if (mount.status !== 0) throw new Error(`mount overlay: ${mount.stderr}`);
    storage = join(dir, 'merged');
  }
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "overlay"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/root"\n`);
  writeFileSync(
    join(dir, 'registries.conf'),
    options.registriesConf ?? (options.registryIsHttp === false ? '' : `[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`),
  );
  // A runtime directory of its own: `buildah login` writes there, and the job reads it, never the host's.
  mkdirSync(join(dir, 'xdg'), { mode: 0o700 });
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'xdg'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
  };
  return {
    dir,
    env,
    storageBytes: () => Number(spawnSync('du', ['-sb', join(storage, 'root')], { encoding: 'utf8' }).stdout.split('\t')[0] ?? 0),
    dispose() {
      spawnSync('buildah', ['rm', '--all'], { env: { ...process.env, ...env } });
      spawnSync('buildah', ['rmi', '--all', '--force'], { env: { ...process.env, ...env } });
      spawnSync('umount', ['-R', join(storage, 'root', 'overlay')], { stdio: 'ignore' });
      if (options.overlayOnOverlay) spawnSync('umount', [join(dir, 'merged')]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A project checkout holding the fixture, its default base image pointed at `base`. */
export function projectWith(base: string, files: string = FIXTURE): string {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-project-'));
  cpSync(files, dir, { recursive: true, dereference: true });
  const dockerfile = join(dir, 'Dockerfile');
  if (existsSync(dockerfile)) writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8').replace(/^ARG BASE=.*$/m, `ARG BASE=${base}`));
  return dir;
}

export function ciVariables(registry: Registry, projectDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return predefinedVariables(projectDir, {
    CI_REGISTRY: registry.host,
    CI_REGISTRY_IMAGE: `${registry.host}/group/app`,
    CI_REGISTRY_USER: registry.user,
    CI_REGISTRY_PASSWORD: registry.password,
    CI_JOB_TOKEN: registry.password,
    ...overrides,
  });
}

/**
 * Whether a job failed only because Buildah could not seal its own copy. Buildah 1.28 under chroot
 * isolation re-executes itself from a sealed memfd for each RUN step (containers/storage
 * pkg/unshare); on this kernel the seal can fail with EBUSY while the machine is loaded ("Close_Fd
 * sealing memfd copy: Device or resource busy", seen in two CI runs). That is the test machine's
 * Buildah, not the job: a harness runs such a job once more, and says so on its own stderr.
 */
export function buildahSealFailed(result: { status: number | null; stderr: string | null }): boolean {
  const failed = result.status !== 0 && /sealing memfd copy: Device or resource busy/.test(result.stderr ?? '');
  if (failed)
    process.stderr.write('test harness: Buildah could not seal its memfd copy (EBUSY, machine loaded); running the job once more\n');
  return failed;
}

export interface JobRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr, as the job log would show them. */
  log: string;
  seconds: number;
  /** The dotenv report, when the job left one. */
  report?: Record<string, string>;
}

/**
 * Runs the job's script with bash, as the runner's shell executor does; `wrap` is a command line to
 * run bash under (e.g. `unshare -p -f --mount-proc`, for a job shell whose PID another job's had).
 */
export function runJob(
  job: Record<string, unknown>,
  projectDir: string,
  runner: Runner,
  variables: Record<string, string>,
  options: { wrap?: string[] } = {},
): JobRun {
  const env = { ...jobEnvironment(job, variables), ...runner.env };
  const start = process.hrtime.bigint();
  // From a file, as the runner's shell executor runs it: as one `-c` argument a script over 128 KiB
  // (a buildah-native job, with the shell library) is refused by the kernel (E2BIG).
  const scriptDir = mkdtempSync(join(tmpdir(), 'cigen-job-'));
  const scriptFile = join(scriptDir, 'script.sh');
  writeFileSync(scriptFile, jobScript(job));
  const [command = 'bash', ...args] = [...(options.wrap ?? []), 'bash', '--norc', '--noprofile', scriptFile];
  const attempt = () =>
    spawnSync(command, args, {
      cwd: projectDir,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    });
  let result = attempt();
  if (buildahSealFailed(result)) result = attempt();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(scriptDir, { recursive: true, force: true });
  const reportPath = join(projectDir, 'cigen-build.env');
  const report = existsSync(reportPath)
    ? Object.fromEntries(
        readFileSync(reportPath, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      )
    : undefined;
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    log: result.stdout + result.stderr,
    seconds,
    ...(report ? { report } : {}),
  };
}

/** The harness's own registry credentials (not a job's): for skopeo and the base image. */
export function harnessAuthFile(registry: Registry, dir: string): string {
  const file = join(dir, 'harness-auth.json');
  writeFileSync(
    file,
    JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${registry.user}:${registry.password}`).toString('base64') } } }),
  );
  chmodSync(file, 0o600);
  return file;
}

/**
 * An offline base image from busybox-static, pushed as <registry>/e2e/<name>; `files` (paths in
 * the image) are written beside it, e.g. a package database for an SBOM to read, and `modes` then
 * given to paths in it (a read-only directory, as RPM-based images ship /usr/bin).
 */
export function pushBaseImage(
  registry: Registry,
  name = 'base:1',
  files: Record<string, string> = {},
  modes: Record<string, number> = {},
): string {
  const runner = freshRunner(registry);
  try {
    const rootfs = join(runner.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'));
    mkdirSync(join(rootfs, 'tmp'));
    cpSync('/bin/busybox', join(rootfs, 'bin/busybox'));
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(rootfs, path)), { recursive: true });
      writeFileSync(join(rootfs, path), content);
    }
    for (const [path, mode] of Object.entries(modes)) chmodSync(join(rootfs, path), mode);
    const ref = `${registry.host}/e2e/${name}`;
    const script = `set -eu
cd "${rootfs}/bin"
for applet in $(./busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$applet"; done
ctr=$(buildah from scratch)
buildah copy "$ctr" "${rootfs}/" / > /dev/null
buildah config --env PATH=/bin --cmd /bin/sh "$ctr"
buildah commit -q "$ctr" "${ref}" > /dev/null
buildah rm "$ctr" > /dev/null
buildah push -q "${ref}"`;
    const env = { ...process.env, ...runner.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, runner.dir) };
    const result = spawnSync('bash', ['--norc', '-c', script], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`base image: ${result.stderr}`);
    return ref;
  } finally {
    runner.dispose();
  }
}

/** Copies an image out of the registry and unpacks its layers, to read what a build put in it. */
export function unpackImage(registry: Registry, ref: string): { rootfs: string; config: Record<string, unknown>; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-image-'));
  const env = { ...process.env, REGISTRY_AUTH_FILE: harnessAuthFile(registry, dir) };
  const copy = spawnSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `dir:${join(dir, 'image')}`], {
    env,
    encoding: 'utf8',
  });
  if (copy.status !== 0) throw new Error(`skopeo copy ${ref}: ${copy.stderr}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'image/manifest.json'), 'utf8')) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  const blob = (digest: string) => join(dir, 'image', digest.replace(/^sha256:/, ''));
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  for (const layer of manifest.layers) {
    const untar = spawnSync('tar', ['-xf', blob(layer.digest), '-C', rootfs], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`untar ${layer.digest}: ${untar.stderr}`);
  }
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as Record<string, unknown>;
  return { rootfs, config, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export function listDir(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

/** git in `cwd` with a fixed identity; throws with git's message on failure. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'e2e',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'e2e',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

export interface GitlabCiLocalRun {
  status: number | null;
  /** stdout, stderr and every job log, colour codes removed. */
  everything: string;
}

/**
 * gitlab-ci-local on `project` with the shell executor: the jobs named (all when none), the
 * manual ones started, `variables` given to every job, `env` added to the runner's.
 */
export function runGitlabCiLocal(
  project: string,
  runner: Runner,
  options: { variables: Record<string, string>; env?: Record<string, string>; jobs?: string[]; manual?: string[]; timeoutMs?: number },
): GitlabCiLocalRun {
  const manual = options.manual ?? [];
  // gitlab-ci-local points CI_PROJECT_DIR at /builds/... for jobs with an image, even with the shell executor.
  const variables = { ...options.variables, CI_PROJECT_DIR: project };
  const args = [
    '--force-shell-executor',
    '--no-color',
    '--ignore-predefined-vars',
    'CI_PROJECT_DIR',
    ...manual.flatMap((job) => ['--manual', job]),
  ];
  for (const [key, value] of Object.entries(variables)) args.push('--variable', `${key}=${value}`);
  const result = spawnSync(join(ROOT, 'node_modules/.bin/gitlab-ci-local'), [...args, ...(options.jobs ?? []), ...manual], {
    cwd: project,
    env: { ...process.env, ...runner.env, HOME: process.env['HOME'] ?? '/root', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const outputDir = join(project, '.gitlab-ci-local/output');
  const logs = existsSync(outputDir) ? readdirSync(outputDir).map((file) => readFileSync(join(outputDir, file), 'utf8')) : [];
  // A nested test run colours its output (ESC [ ... m); assertions read the text.
  const colour = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
  return { status: result.status, everything: [result.stdout, result.stderr, ...logs].join('\n').replace(colour, '') };
}
