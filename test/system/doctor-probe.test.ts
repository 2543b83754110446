/**
 * The doctor component's probe, run for real (system tier: shells, shellcheck, mounts as root):
 *  - its probe runs for real on this machine under bash and busybox sh, and its facts match what
 *    the test finds out independently (unshare, /proc/self/status, /.dockerenv, /dev/fuse);
 *  - on fake runners (a root of fake /proc, /dev, /.dockerenv, /var/run/secrets files and the
 *    CIGEN_DOCTOR_FAKE_* switches) the shell's verdicts and recommendation are exactly those of
 *    verdicts() and recommend() in TypeScript;
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERPOLATION_MODES, type InterpolationMode } from '../../src/ci/interpolation/index.js';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { renderComponent } from '../../src/catalog/document.js';
import { DOCTOR_REPORT } from '../../src/catalog/doctor.js';
import { type CheckName } from '../../src/builders/runner.js';
import { adviceText } from '../../src/runner/advice.js';
import { recommend, verdicts, verdictText, type Executor } from '../../src/runner/capabilities.js';
import { parseDoctorReport, type DoctorReport } from '../../src/runner/report.js';
import { instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';

const DOCTOR = findComponent('doctor') as ComponentDefinition;
const TEXT = renderComponent(DOCTOR);

const dirs: string[] = [];
const mounts: string[] = [];
afterEach(() => {
  for (const mount of mounts.splice(0)) spawnSync('umount', [mount]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

const SHELLS = { bash: ['bash', '--norc', '--noprofile'], 'busybox sh': ['busybox', 'sh'], dash: ['dash'] } as const;
type ShellName = keyof typeof SHELLS;

interface ProbeRun {
  status: number | null;
  stdout: string;
  stderr: string;
  project: string;
  /** The report text, when one was written. */
  text?: string;
  report?: DoctorReport;
}

/** The doctor job as a runner runs it: instantiated, its variables in the environment, the script in the shell. */
function runProbe(
  options: {
    shell?: ShellName;
    inputs?: Record<string, unknown>;
    env?: Record<string, string>;
    mode?: InterpolationMode;
    project?: string;
    /** A command the shell runs under (its arguments end with the shell's). */
    wrap?: readonly string[];
    /** Lines the job runs before and after the component's script, in the same shell. */
    before?: string;
    after?: string;
  } = {},
): ProbeRun {
  const { job } = instantiateComponent('doctor', options.inputs ?? {}, options.mode ?? 'classic', TEXT);
  const project = options.project ?? tempDir('cigen-doctor-project-');
  const env = {
    ...jobEnvironment(job, predefinedVariables(project)),
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    TMPDIR: tmpdir(),
    ...options.env,
  };
  const [command, ...args] = [...(options.wrap ?? []), ...SHELLS[options.shell ?? 'bash']];
  const script = [options.before ?? '', jobScript(job), options.after ?? ''].join('\n');
  const result = spawnSync(command, [...args, '-c', script], { env, cwd: project, encoding: 'utf8' });
  const path = join(project, DOCTOR_REPORT);
  const text = existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    project,
    ...(text === undefined ? {} : { text, report: parseDoctorReport(text) }),
  };
}

/** The shell and TypeScript agree: verdicts and recommendation recomputed from the shell's own facts. */
function expectAgreement(report: DoctorReport): void {
  expect(report.verdicts).toEqual(verdicts(report.checks, report.executor));
  expect({ builder: report.recommendation, reason: report.reason }).toEqual(recommend(report));
}

describe('the component script', () => {
  // The runner runs the job's lines in one shell: those after the doctor's run with the options the
  // shell had before it (no `set -u` left on, no `set -e` added, tracing and noglob back).
  it.each(Object.keys(SHELLS) as ShellName[])('%s: leaves the shell options as it found them', (shell) => {
    const run = runProbe({
      shell,
      before: 'set -f -x\ncigen_before=$-',
      after: 'printf "options: %s %s\\n" "$cigen_before" "$-"\nprintf "after: [%s]\\n" "$OPTIONAL"',
    });
    expect(run.status, run.stderr).toBe(0);
    const [, before, after] = /^options: (\S+) (\S+)$/m.exec(run.stdout) ?? [];
    expect(before).toMatch(/f/);
    expect(after).toBe(before);
    expect(run.stdout).toContain('after: []\n');
  });

  it.each(['sh', 'bash'])('its script is clean under shellcheck --shell %s', (dialect) => {
    const { job } = instantiateComponent('doctor', {}, 'classic', TEXT);
    const result = spawnSync('shellcheck', ['--shell', dialect, '--severity', 'style', '-'], { input: jobScript(job), encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
const HOST = (() => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
  const capEff = field('CapEff') ?? '';
  const works = (argv: string[]) => spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore' }).status === 0;
  const scratch = mkdtempSync(join(tmpdir(), 'cigen-doctor-host-'));
  for (const sub of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(scratch, sub));
  const overlay = works([
    'unshare',
    '--user',
    '--map-root-user',
    '--mount',
    'sh',
    '-c',
    `mount -t overlay overlay -o lowerdir=${scratch}/lower,upperdir=${scratch}/upper,workdir=${scratch}/work ${scratch}/merged`,
  ]);
  rmSync(scratch, { recursive: true, force: true });
  // /dev/fuse as fuse-overlayfs uses it: a character device this process can open for reading and writing.
  let fuse = false;
  try {
    closeSync(openSync('/dev/fuse', 'r+'));
    fuse = statSync('/dev/fuse').isCharacterDevice();
  } catch {
    // no /dev/fuse, or not ours to open
  }
  return {
    executor: (process.env['KUBERNETES_SERVICE_HOST'] || existsSync('/var/run/secrets/kubernetes.io')
      ? 'kubernetes'
      : existsSync('/.dockerenv') || existsSync('/run/.containerenv')
        ? 'docker'
        : 'unknown') as Executor,
    seccomp: field('Seccomp'),
    capEff,
    // What privileged always brings together, not capabilities alone: CAP_SYS_ADMIN, seccomp off,
    // nothing masked or read-only under /proc, and devices in /dev beyond a runtime's default set.
    privileged:
      (BigInt(`0x${capEff || '0'}`) & (1n << 21n)) !== 0n &&
      (field('Seccomp') ?? '0') === '0' &&
      !readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .some((line) => {
          const [, , , , point = '', options = ''] = line.split(' ');
          return (
            (point === '/proc' && /(^|,)ro(,|$)/.test(options)) || (point.startsWith('/proc/') && point !== '/proc/sys/fs/binfmt_misc')
          );
        }) &&
      readdirSync('/dev', { withFileTypes: true }).some(
        (entry) =>
          (entry.isCharacterDevice() || entry.isBlockDevice()) &&
          !['console', 'full', 'null', 'ptmx', 'random', 'tty', 'urandom', 'zero'].includes(entry.name),
      ),
    userns: works(['unshare', '--user', '--map-root-user', 'true']),
    mount: works(['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', `mount -t tmpfs none ${tmpdir()}`]),
    overlay,
    fuse,
    // An enabled binfmt_misc handler with the F flag (what a container can use), binfmt_misc itself enabled.
    binfmt:
      existsSync('/proc/sys/fs/binfmt_misc/register') && readFileSync('/proc/sys/fs/binfmt_misc/status', 'utf8').trim() !== 'disabled'
        ? readdirSync('/proc/sys/fs/binfmt_misc').some((name) => {
            if (name === 'register' || name === 'status') return false;
            const text = readFileSync(join('/proc/sys/fs/binfmt_misc', name), 'utf8');
            return /^enabled$/m.test(text) && /^flags:.*F/m.test(text);
          })
        : false,
    root: process.getuid?.() === 0,
    // Where the job's shell finds buildah (the standard PATH runProbe gives it), if anywhere.
    buildah: spawnSync('sh', ['-c', 'command -v buildah'], { encoding: 'utf8' }).stdout.trim(),
  };
})();

describe('the probe on this machine', () => {
  it.each(Object.keys(SHELLS) as ShellName[])('%s: reports what this machine allows, and recommends from it', (shell) => {
    const storage = join(tempDir('cigen-doctor-storage-'), 'containers');
    const run = runProbe({ shell, inputs: { storage } });
    expect(run.status, run.stderr).toBe(0);
    const report = run.report as DoctorReport;
    expect(report.version).toBe(1);
    expect(report.executor).toBe(HOST.executor);
    expect(report.checks.userns).toEqual({ ok: HOST.userns, detail: expect.stringContaining('unshare --user --map-root-user') });
    expect(report.checks.mount.ok).toBe(HOST.mount);
    expect(report.checks.seccomp).toEqual(
      HOST.seccomp === '0'
        ? { ok: true, detail: 'Seccomp: 0 (disabled)' }
        : { ok: false, detail: expect.stringContaining(`Seccomp: ${HOST.seccomp}`) },
    );
    expect(report.checks.privileged).toEqual({ ok: HOST.privileged, detail: expect.stringContaining(`CapEff ${HOST.capEff}`) });
    expect(report.checks.fuse.ok).toBe(HOST.fuse);
    expect(report.checks.binfmt.ok).toBe(HOST.binfmt);
    const where = { docker: 'in the probe image', kubernetes: 'in the probe image', shell: 'on the host', unknown: "in this job's PATH" };
    expect(report.checks.buildah).toEqual(
      HOST.buildah
        ? { ok: true, detail: `buildah is ${where[HOST.executor]}: ${HOST.buildah}` }
        : { ok: false, detail: `buildah is not ${where[HOST.executor]}` },
    );
    expect(report.checks.overlay.ok).toBe(HOST.overlay);
    if (HOST.overlay) expect(report.checks.overlay.detail).toMatch(new RegExp(`^overlay mounts on ${storage} \\(\\S+\\)$`));
    // The probe cleans up: the storage directory it created and its temporary directories are gone.
    expect(existsSync(storage)).toBe(false);
    expectAgreement(report);
    expect(run.stdout).toMatch(/^check +ok +detail$/m);
    expect(run.stdout).toMatch(new RegExp(`^buildah +${report.verdicts.buildah.ok ? 'ok' : 'missing: '}`, 'm'));
    expect(run.stdout).toContain(`cigen: doctor: recommended component: ${report.recommendation} (${report.reason})`);
    expect(run.stdout).toContain('wrote cigen-doctor.json');
  });

  it('a nested storage path: the probe removes every directory it created, and none that was there', () => {
    const base = tempDir('cigen-doctor-nested-');
    mkdirSync(join(base, 'kept'));
    for (const shell of ['bash', 'busybox sh', 'dash'] as const) {
      const fresh = runProbe({ shell, inputs: { storage: join(base, 'left/a/b/c') } });
      expect(fresh.status, fresh.stderr).toBe(0);
      expect(fresh.report?.checks.overlay.detail).toContain(`on ${base}/left/a/b/c (`);
      expect(readdirSync(base)).toEqual(['kept']);
      const under = runProbe({ shell, inputs: { storage: join(base, 'kept/a/b') } });
      expect(under.status, under.stderr).toBe(0);
      expect(under.report?.checks.overlay.detail).toContain(`on ${base}/kept/a/b (`);
      expect({ base: readdirSync(base), kept: readdirSync(join(base, 'kept')) }).toEqual({ base: ['kept'], kept: [] });
    }
  });

  it('this machine (root in a Docker container, no seccomp) is a buildah runner', () => {
    const run = runProbe();
    expect(run.status, run.stderr).toBe(0);
    const report = run.report as DoctorReport;
    // Facts observed on this machine before writing the test (see HOST).
    expect(HOST.userns && HOST.mount).toBe(true);
    expect(report.checks.userns).toEqual({ ok: true, detail: 'unshare --user --map-root-user works' });
    expect(report.checks.mount).toEqual({ ok: true, detail: 'mount -t tmpfs works in a user and mount namespace' });
    expect(report.recommendation).toBe(
      HOST.executor === 'kubernetes' && report.checks['proc-unmasked'].ok ? 'buildah-rootless' : 'buildah',
    );
    expect(report.verdicts.kaniko).toEqual({ ok: true, missing: [] });
  });

  it("in a fresh /proc, as a container's, binfmt_misc is not mounted: no verdict on the host's handlers", () => {
    // What a container sees (its own procfs, without binfmt_misc), whatever the host has registered.
    const run = runProbe({ wrap: ['unshare', '--mount', '--pid', '--fork', '--mount-proc'] });
    expect(run.status, run.stderr).toBe(0);
    const report = run.report as DoctorReport;
    expect(report.executor).not.toBe('shell');
    expect(report.checks.binfmt.detail).toMatch(/^could not test: binfmt_misc is not mounted in this job /);
  });

  it.each(INTERPOLATION_MODES)('%s: the storage input reaches the overlay probe, variables expanded as data', (mode) => {
    const project = tempDir('cigen-doctor-project-');
    const run = runProbe({ mode, project, inputs: { storage: '$CI_PROJECT_DIR/.containers' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.report?.checks.overlay.detail).toContain(`on ${project}/.containers (`);
    expect(run.stdout).toContain(`storage: ${project}/.containers)`);
  });

  it('overlay on overlayfs: overlay is false, buildah still works (on vfs)', () => {
    // The system tier runs as root on a kernel with overlay (this machine, CI): the premise holds.
    expect({ root: HOST.root, overlay: HOST.overlay }).toEqual({ root: true, overlay: true });
    const base = tempDir('cigen-doctor-overlayfs-');
    for (const sub of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(base, sub));
    const mount = spawnSync(
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`, join(base, 'merged')],
      { encoding: 'utf8' },
    );
    expect(mount.status, mount.stderr).toBe(0);
    mounts.push(join(base, 'merged'));
    for (const shell of ['bash', 'busybox sh'] as const) {
      const run = runProbe({ shell, inputs: { storage: join(base, 'merged') } });
      expect(run.status, run.stderr).toBe(0);
      const report = run.report as DoctorReport;
      expect(report.checks.overlay.ok).toBe(false);
      expect(report.checks.overlay.detail).toMatch(
        new RegExp(`^overlay does not mount on ${base}/merged \\(overlay\\): .+; builds fall back to vfs$`),
      );
      expect(report.recommendation).toBe('buildah');
      expectAgreement(report);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Fake runners.

const DOCKER_MOUNTINFO =
  '600 550 0:50 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,' +
  `upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work
601 600 0:53 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
602 600 0:54 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
603 600 0:56 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
604 600 254:1 /docker/volumes/abc/_data /var/lib/containers rw,relatime master:2 - ext4 /dev/vda1 rw
605 600 254:1 /gitlab-runner/builds /builds rw,relatime - ext4 /dev/vda1 rw
560 601 0:53 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
561 601 0:53 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw
562 601 0:53 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw
563 601 0:53 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
564 601 0:53 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw
565 601 0:57 / /proc/acpi ro,relatime - tmpfs tmpfs ro
566 601 0:54 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
567 601 0:54 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
568 601 0:54 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
569 601 0:58 / /proc/scsi ro,relatime - tmpfs tmpfs ro
570 603 0:59 / /sys/firmware ro,relatime - tmpfs tmpfs ro
`;
const DOCKER_PROC_DETAIL =
  'masked: /proc/acpi, /proc/kcore, /proc/keys, /proc/timer_list, /proc/scsi; read-only: /proc/bus, /proc/fs, /proc/irq, /proc/sys, ' +
  '/proc/sysrq-trigger';

/** A privileged container, or a pod with procMount: Unmasked: no masks under /proc. */
const UNMASKED_MOUNTINFO =
  '700 650 0:60 / / rw,relatime - overlay overlay ' +
  `rw,lowerdir=/var/lib/containerd/a,upperdir=/var/lib/containerd/b,workdir=/var/lib/containerd/c
701 700 0:61 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
702 700 0:62 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
703 700 259:1 /var/lib/kubelet/pods/p/volumes/kubernetes.io~empty-dir/var-lib-containers ` +
  `/var/lib/containers rw,relatime - ext4 /dev/nvme0n1p1 rw
704 701 0:70 / /proc/sys/fs/binfmt_misc rw,relatime - binfmt_misc binfmt_misc rw
`;

/** A pod with procMount: Default: the runtime masks /proc like Docker does. */
const K8S_MASKED_MOUNTINFO = `${UNMASKED_MOUNTINFO}705 701 0:61 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
706 701 0:61 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
707 701 0:62 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
708 701 0:62 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
709 701 0:62 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
`;

type Switch = 'ok' | 'fail';

interface FakeRunner {
  seccomp?: string;
  capEff?: string;
  /** /proc/self/attr/apparmor/current (newer kernels) ... */
  apparmor?: string | undefined;
  /** ... or /proc/self/attr/current */
  attrCurrent?: string | undefined;
  mountinfo?: string;
  /** /dev/fuse: the real device's numbers, or a character device no driver serves (it does not open). */
  fuse?: boolean | 'unopenable';
  dockerenv?: boolean;
  secrets?: boolean;
  env?: Record<string, string>;
  userns?: Switch;
  mount?: Switch;
  overlay?: Switch;
  /** Leave /proc/self/status out entirely. */
  noStatus?: boolean;
  /** binfmt_misc mounted, with these handlers (name → its file's text). */
  binfmt?: Record<string, string>;
  /** binfmt_misc's status file (default enabled): disabled switches every handler off. */
  binfmtStatus?: 'enabled' | 'disabled';
}

function fakeRoot(fake: FakeRunner): string {
  const root = tempDir('cigen-doctor-root-');
  mkdirSync(join(root, 'proc/self/attr/apparmor'), { recursive: true });
  if (!fake.noStatus) {
    const lines = [
      'Name:\tsh',
      'Umask:\t0022',
      'State:\tR (running)',
      `CapInh:\t0000000000000000`,
      `CapPrm:\t${fake.capEff ?? '00000000a80425fb'}`,
    ];
    lines.push(`CapEff:\t${fake.capEff ?? '00000000a80425fb'}`, 'CapBnd:\t00000000a80425fb', 'NoNewPrivs:\t0');
    if (fake.seccomp !== undefined) lines.push(`Seccomp:\t${fake.seccomp}`, `Seccomp_filters:\t${fake.seccomp === '2' ? 1 : 0}`);
    lines.push('Speculation_Store_Bypass:\tthread vulnerable', 'voluntary_ctxt_switches:\t1');
    writeFileSync(join(root, 'proc/self/status'), `${lines.join('\n')}\n`);
  }
  if (fake.apparmor !== undefined) writeFileSync(join(root, 'proc/self/attr/apparmor/current'), `${fake.apparmor}\n`);
  if (fake.attrCurrent !== undefined) writeFileSync(join(root, 'proc/self/attr/current'), `${fake.attrCurrent}\n`);
  writeFileSync(join(root, 'proc/self/mountinfo'), fake.mountinfo ?? DOCKER_MOUNTINFO);
  mkdirSync(join(root, 'dev'));
  if (fake.fuse) {
    const [major, minor] = fake.fuse === 'unopenable' ? ['240', '77'] : ['10', '229'];
    const mknod = spawnSync('mknod', [join(root, 'dev/fuse'), 'c', major, minor], { encoding: 'utf8' });
    if (mknod.status !== 0) throw new Error(`mknod: ${mknod.stderr}`);
  }
  if (fake.binfmt) {
    mkdirSync(join(root, 'proc/sys/fs/binfmt_misc'), { recursive: true });
    writeFileSync(join(root, 'proc/sys/fs/binfmt_misc/register'), '');
    writeFileSync(join(root, 'proc/sys/fs/binfmt_misc/status'), `${fake.binfmtStatus ?? 'enabled'}\n`);
    for (const [name, text] of Object.entries(fake.binfmt)) writeFileSync(join(root, 'proc/sys/fs/binfmt_misc', name), text);
  }
  if (fake.dockerenv) writeFileSync(join(root, '.dockerenv'), '');
  if (fake.secrets) mkdirSync(join(root, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
  return root;
}

function runFake(fake: FakeRunner, shell: ShellName = 'bash'): ProbeRun & { report: DoctorReport } {
  const env: Record<string, string> = { CIGEN_DOCTOR_ROOT: fakeRoot(fake), ...fake.env };
  if (fake.userns) env['CIGEN_DOCTOR_FAKE_USERNS'] = fake.userns;
  if (fake.mount) env['CIGEN_DOCTOR_FAKE_MOUNT'] = fake.mount;
  if (fake.overlay) env['CIGEN_DOCTOR_FAKE_OVERLAY'] = fake.overlay;
  const run = runProbe({ shell, inputs: { storage: join(tempDir('cigen-doctor-storage-'), 'containers') }, env });
  expect(run.status, run.stderr).toBe(0);
  expect(run.report, run.stdout + run.stderr).toBeDefined();
  return run as ProbeRun & { report: DoctorReport };
}

const DOCKER_DEFAULT: FakeRunner = {
  dockerenv: true,
  seccomp: '2',
  apparmor: 'docker-default (enforce)',
  userns: 'fail',
  mount: 'fail',
  overlay: 'fail',
};
const DOCKER_UNCONFINED: FakeRunner = { dockerenv: true, seccomp: '0', apparmor: 'unconfined', userns: 'ok', mount: 'ok', overlay: 'ok' };
const DOCKER_PRIVILEGED: FakeRunner = {
  dockerenv: true,
  seccomp: '0',
  apparmor: 'unconfined',
  capEff: '000001ffffffffff',
  mountinfo: UNMASKED_MOUNTINFO,
  fuse: true,
  userns: 'ok',
  mount: 'ok',
  overlay: 'ok',
};
// hostUsers: false + procMount: Unmasked + a Localhost seccomp profile that allows unshare/mount:
// seccomp still filters, and that is fine.
const K8S_ROOTLESS: FakeRunner = {
  env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
  secrets: true,
  seccomp: '2',
  mountinfo: UNMASKED_MOUNTINFO,
  userns: 'ok',
  mount: 'ok',
  overlay: 'ok',
};
const K8S_MASKED: FakeRunner = {
  secrets: true,
  seccomp: '0',
  attrCurrent: 'cri-containerd.apparmor.d (complain)',
  mountinfo: K8S_MASKED_MOUNTINFO,
  userns: 'ok',
  mount: 'ok',
  overlay: 'ok',
};
const OVERLAY_ON_OVERLAYFS: FakeRunner = {
  ...DOCKER_UNCONFINED,
  mountinfo: DOCKER_MOUNTINFO.split('\n')
    .filter((line) => !line.includes(' /var/lib/containers '))
    .join('\n'),
  overlay: 'fail',
};

const SCENARIOS: [
  string,
  FakeRunner,
  {
    executor: Executor;
    recommendation: string;
    checks: Partial<Record<CheckName, boolean>>;
    missing: Partial<Record<string, CheckName[]>>;
  },
][] = [
  [
    'a default Docker executor (seccomp filter, docker-default AppArmor, no user namespaces): kaniko',
    DOCKER_DEFAULT,
    {
      executor: 'docker',
      recommendation: 'kaniko',
      checks: { userns: false, mount: false, seccomp: false, apparmor: false, 'proc-unmasked': false, fuse: false, privileged: false },
      // mount is not tried where user namespaces fail: untested, not missing.
      missing: {
        buildah: ['userns'],
        'buildah-rootless': ['userns', 'proc-unmasked'],
        buildkit: ['userns'],
        kaniko: [],
        dind: ['privileged'],
      },
    },
  ],
  [
    'Docker with security_opt seccomp=unconfined, apparmor=unconfined: buildah',
    DOCKER_UNCONFINED,
    {
      executor: 'docker',
      recommendation: 'buildah',
      checks: { userns: true, mount: true, seccomp: true, apparmor: true, 'proc-unmasked': false, overlay: true, privileged: false },
      missing: { buildah: [], 'buildah-rootless': ['proc-unmasked'], buildkit: [], dind: ['privileged'] },
    },
  ],
  [
    'a privileged Docker executor: buildah, privileged noted, dind would work',
    DOCKER_PRIVILEGED,
    {
      executor: 'docker',
      recommendation: 'buildah',
      checks: { privileged: true, 'proc-unmasked': true, fuse: true },
      missing: { buildah: [], 'buildah-rootless': [], dind: [] },
    },
  ],
  [
    'a Kubernetes runner with hostUsers: false and procMount: Unmasked: buildah-rootless',
    K8S_ROOTLESS,
    {
      executor: 'kubernetes',
      recommendation: 'buildah-rootless',
      checks: { seccomp: false, apparmor: true, 'proc-unmasked': true, privileged: false },
      missing: { 'buildah-rootless': [] },
    },
  ],
  [
    'a Kubernetes runner with masked /proc: buildah',
    K8S_MASKED,
    {
      executor: 'kubernetes',
      recommendation: 'buildah',
      checks: { apparmor: true, 'proc-unmasked': false },
      missing: { 'buildah-rootless': ['proc-unmasked'] },
    },
  ],
  [
    'a shell executor whose host refuses user namespaces: buildah on the host (image: is ignored), kaniko impossible',
    { ...DOCKER_DEFAULT, dockerenv: false, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } },
    {
      executor: 'shell',
      recommendation: 'buildah',
      checks: { userns: false, mount: false },
      missing: { buildah: ['userns'], kaniko: [] },
    },
  ],
  [
    'container storage on overlayfs: overlay false, still buildah',
    OVERLAY_ON_OVERLAYFS,
    { executor: 'docker', recommendation: 'buildah', checks: { overlay: false, userns: true, mount: true }, missing: { buildah: [] } },
  ],
];

describe('user namespaces fail: mount is not tested, never said to fail', () => {
  it.each(Object.keys(SHELLS) as ShellName[])('%s: mount says could not test, buildah misses userns only', (shell) => {
    // Mount is tried for real after unshare --user: only a probe that looks at userns first holds back.
    const { report, stdout } = runFake({ dockerenv: true, seccomp: '0', apparmor: 'docker-default (enforce)', userns: 'fail' }, shell);
    expect(report.checks.mount).toEqual({
      ok: false,
      detail: 'could not test: mounts are tried in a user namespace, and user namespaces fail (userns)',
    });
    expect(report.verdicts.buildah).toEqual({ ok: false, missing: ['userns'], untested: ['mount'] });
    expect(stdout.split('\n')).toContain(`${'buildah'.padEnd(17)} missing: userns; untested: mount`);
    expectAgreement(report);
    // No AppArmor cause and no config.toml snippet from a mount() that never ran: only the host is at fault.
    const advice = adviceText(report);
    expect(advice).not.toMatch(/mount\(\) failed|apparmor=unconfined|config\.toml snippet/);
    expect(advice).toContain('user namespaces fail although seccomp does not filter');
    expect(advice).toContain(
      'mount could not be tested (mounts are tried in a user namespace, and user namespaces fail (userns)), so whether Buildah lacks more here is not known',
    );
  });
});

describe.each(SCENARIOS)('a fake runner: %s', (_, fake, expected) => {
  it.each(Object.keys(SHELLS) as ShellName[])('%s: the facts, and the same verdicts and recommendation as TypeScript', (shell) => {
    const { report, stdout } = runFake(fake, shell);
    expect(report.executor).toBe(expected.executor);
    for (const [check, ok] of Object.entries(expected.checks)) expect(report.checks[check as CheckName].ok, check).toBe(ok);
    for (const [builder, missing] of Object.entries(expected.missing))
      expect(report.verdicts[builder as keyof DoctorReport['verdicts']].missing, builder).toEqual(missing);
    expect(report.recommendation).toBe(expected.recommendation);
    expectAgreement(report);
    // The job log's verdict table says the same, in the words `cigen doctor` uses.
    for (const [builder, verdict] of Object.entries(report.verdicts)) {
      expect(stdout.split('\n')).toContain(`${builder.padEnd(17)} ${verdictText(verdict)}`);
    }
    expect(stdout).toContain('is faked (for tests only)');
    expect(stdout.includes('warning: this job runs privileged')).toBe(report.checks.privileged.ok);
    // Privileged lifted seccomp, AppArmor and /proc masking: the log says the facts are a privileged job's.
    expect(stdout.includes('so the checks above show what a privileged job may do, not what a job may do once privileged is off')).toBe(
      report.checks.privileged.ok,
    );
  });
});

describe('fake runners: the details', () => {
  const QEMU = (flags: string, enabled = 'enabled') =>
    `${enabled}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\n` +
    'offset 0\nmagic 7f454c460201010000000000000000000200b700\n';
  it.each([
    [
      undefined,
      {
        ok: false,
        detail:
          "could not test: binfmt_misc is not mounted in this job (container runtimes do not mount it), yet the host's handlers " +
          'apply in containers: /proc/sys/fs/binfmt_misc on the host the jobs run on (each node, on Kubernetes) lists them; ' +
          'platforms needs an enabled one with the F flag per architecture',
      },
    ],
    [
      {},
      {
        ok: false,
        detail: 'no binfmt_misc handler: RUN steps for another architecture cannot run (platforms); QEMU user emulation enables them',
      },
    ],
    [
      { 'qemu-aarch64': QEMU('POF'), 'qemu-arm': QEMU('OC'), 'qemu-riscv64': QEMU('F', 'disabled') },
      {
        ok: true,
        detail: 'binfmt_misc handlers usable in containers: qemu-aarch64 (without the F flag: qemu-arm)',
      },
    ],
    [{ 'qemu-arm': QEMU('OC') }, { ok: false, detail: 'binfmt_misc handlers without the F flag, which a container cannot use: qemu-arm' }],
  ])('binfmt handlers %j: a fact for platforms, needed by no builder', (binfmt, expected) => {
    const { report } = runFake({ ...DOCKER_UNCONFINED, ...(binfmt ? { binfmt } : {}) });
    expect(report.checks.binfmt).toEqual(expected);
    expect(report.verdicts.buildah.ok).toBe(true);
  });

  it.each(Object.keys(SHELLS) as ShellName[])('%s: binfmt_misc switched off as a whole: no handler usable, whatever each says', (shell) => {
    const { report, stdout } = runFake({ ...DOCKER_UNCONFINED, binfmt: { 'qemu-aarch64': QEMU('POCF') }, binfmtStatus: 'disabled' }, shell);
    const detail =
      'binfmt_misc is switched off (/proc/sys/fs/binfmt_misc/status: disabled): the kernel applies none of its handlers, ' +
      'so RUN steps for another architecture cannot run (platforms)';
    expect(report.checks.binfmt).toEqual({ ok: false, detail });
    expect(stdout.split('\n')).toContain(`${'binfmt'.padEnd(17)} ${'no'.padEnd(4)} ${detail}`);
  });

  // A container runtime does not mount binfmt_misc in a container's /proc, even privileged, while
  // the kernel's handlers apply in every container: no verdict there. On a shell executor the job
  // sees the host's own /proc.
  it.each([
    ['a Docker', 'docker', DOCKER_UNCONFINED],
    ['a privileged Docker', 'docker', DOCKER_PRIVILEGED],
    ['a Kubernetes', 'kubernetes', K8S_ROOTLESS],
    ['an unknown', 'unknown', { ...DOCKER_UNCONFINED, dockerenv: false }],
  ] as const)('binfmt_misc not mounted, %s executor: could not test, and how to find out', (_, executor, fake) => {
    const { report, stdout } = runFake(fake);
    expect(report.executor).toBe(executor);
    expect(report.checks.binfmt.ok).toBe(false);
    expect(report.checks.binfmt.detail).toMatch(/^could not test: binfmt_misc is not mounted in this job .* on the host the jobs run on /);
    expect(stdout).not.toContain('cannot run (platforms)');
    expect(adviceText(report)).not.toContain('cannot run (platforms)');
  });

  it('binfmt_misc not mounted on a shell executor: the host has no handler, said so', () => {
    const { report } = runFake({ ...DOCKER_UNCONFINED, dockerenv: false, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } });
    expect(report.executor).toBe('shell');
    expect(report.checks.binfmt).toEqual({
      ok: false,
      detail: 'binfmt_misc is not mounted: RUN steps for another architecture cannot run (platforms)',
    });
  });

  it('a default Docker executor: seccomp, AppArmor and every masked /proc path, by name', () => {
    const { report } = runFake(DOCKER_DEFAULT);
    expect(report.checks.seccomp).toEqual({
      ok: false,
      detail: 'Seccomp: 2 (filter: a profile decides whether unshare and mount are allowed)',
    });
    expect(report.checks.apparmor).toEqual({ ok: false, detail: 'docker-default (enforce)' });
    expect(report.checks['proc-unmasked']).toEqual({ ok: false, detail: DOCKER_PROC_DETAIL });
    expect(report.checks.privileged).toEqual({ ok: false, detail: 'CapEff 00000000a80425fb' });
    expect(report.checks.fuse).toEqual({ ok: false, detail: '/dev/fuse is missing' });
    expect(report.checks.userns).toEqual({ ok: false, detail: 'unshare --user --map-root-user fails (faked)' });
    expect(report.reason).toBe(
      'Buildah cannot run here (missing: userns): Kaniko needs nothing from the runner but uid 0, which this job has; ' +
        'a runner admin can enable Buildah (cigen runner-config)',
    );
  });

  it('fuse: a device node is not enough, /dev/fuse must open for reading and writing', () => {
    expect(runFake({ ...DOCKER_UNCONFINED, fuse: true }).report.checks.fuse).toEqual({
      ok: true,
      detail: '/dev/fuse opens for reading and writing',
    });
    // A character device no driver serves stands in for one the job may not open (a non-root job, the device cgroup).
    for (const shell of Object.keys(SHELLS) as ShellName[]) {
      expect(runFake({ ...DOCKER_UNCONFINED, fuse: 'unopenable' }, shell).report.checks.fuse, shell).toEqual({
        ok: false,
        detail: '/dev/fuse is a character device, but this job cannot open it: No such device or address',
      });
    }
  });

  it('overlay: the filesystem beneath the storage directory comes from mountinfo', () => {
    expect(runFake(OVERLAY_ON_OVERLAYFS).report.checks.overlay.detail).toMatch(
      /^overlay does not mount on \S+ \(overlay\) \(faked\): builds fall back to vfs$/,
    );
    expect(runFake(DOCKER_UNCONFINED).report.checks.overlay.detail).toMatch(/^overlay mounts on \S+ \(overlay\) \(faked\)$/);
  });

  it('every capability on a shell executor: root on the host, said so, and no dind', () => {
    const { stdout } = runFake({ ...DOCKER_PRIVILEGED, dockerenv: false, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } });
    expect(stdout).toContain(
      'doctor: warning: this job runs on the host (a shell executor) with every capability: every job on this runner can take ' +
        'over the host\n',
    );
    expect(stdout).not.toContain('dind would work');
  });

  it('privileged: every capability, with or without the capabilities newer kernels add', () => {
    expect(runFake({ ...DOCKER_PRIVILEGED, capEff: '0000003fffffffff' }).report.checks.privileged).toEqual({
      ok: true,
      detail: 'CapEff 0000003fffffffff (every capability), seccomp off, /proc unmasked: privileged',
    });
    // Privileged with a capability dropped is privileged all the same (CAP_SYS_ADMIN, seccomp off, /proc unmasked).
    expect(runFake({ ...DOCKER_PRIVILEGED, capEff: '000001fffeffffff' }).report.checks.privileged.ok).toBe(true);
    expect(runFake({ ...DOCKER_PRIVILEGED, capEff: '0000001fffffffff' }).report.checks.privileged.ok).toBe(true);
  });

  it('AppArmor and SELinux labels', () => {
    const label = (fake: FakeRunner) => runFake({ ...DOCKER_UNCONFINED, ...fake }).report.checks.apparmor;
    expect(label({ apparmor: undefined })).toEqual({ ok: true, detail: 'no AppArmor or SELinux label: not in use' });
    expect(label({ apparmor: 'cri-containerd.apparmor.d (enforce)' })).toEqual({
      ok: false,
      detail: 'cri-containerd.apparmor.d (enforce)',
    });
    expect(label({ apparmor: undefined, attrCurrent: 'docker-default (enforce)' })).toEqual({
      ok: false,
      detail: 'docker-default (enforce)',
    });
    expect(label({ apparmor: undefined, attrCurrent: 'system_u:system_r:container_t:s0:c1,c2' })).toEqual({
      ok: false,
      detail: 'SELinux label system_u:system_r:container_t:s0:c1,c2',
    });
    expect(label({ apparmor: undefined, attrCurrent: 'system_u:system_r:spc_t:s0' }).ok).toBe(true);
  });

  it('details with quotes, backslashes and tabs stay valid JSON', () => {
    const { report, text } = runFake({ ...DOCKER_UNCONFINED, apparmor: 'odd "profile" \\ with\ttab (enforce)' });
    expect(report.checks.apparmor.detail).toBe('odd "profile" \\ with tab (enforce)');
    expect(text).toContain('"detail": "odd \\"profile\\" \\\\ with tab (enforce)"');
  });

  it('executor: kubernetes from KUBERNETES_SERVICE_HOST alone, shell from CI_RUNNER_EXECUTABLE_ARCH, else unknown', () => {
    expect(runFake({ ...DOCKER_UNCONFINED, dockerenv: false, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' } }).report.executor).toBe(
      'kubernetes',
    );
    expect(runFake({ ...DOCKER_UNCONFINED, dockerenv: false, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } }).report.executor).toBe(
      'shell',
    );
    expect(runFake({ ...DOCKER_UNCONFINED, dockerenv: true, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } }).report.executor).toBe(
      'docker',
    );
    expect(runFake({ ...DOCKER_UNCONFINED, dockerenv: false }).report.executor).toBe('unknown');
  });

  it('executor: a shell executor (CI_SHARED_ENVIRONMENT) in a container or a pod is the shell executor, not Docker or Kubernetes', () => {
    const shared = { CI_SHARED_ENVIRONMENT: 'true', CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' };
    const inDocker = runFake({ ...DOCKER_UNCONFINED, dockerenv: true, env: shared });
    expect(inDocker.report.executor).toBe('shell');
    expect(inDocker.report.recommendation).not.toBe('kaniko');
    expect(
      runFake({ ...DOCKER_UNCONFINED, dockerenv: false, env: { ...shared, KUBERNETES_SERVICE_HOST: '10.0.0.1' } }).report.executor,
    ).toBe('shell');
    // A disposable environment (every other executor) keeps reading the container's markers.
    const disposable = { CI_DISPOSABLE_ENVIRONMENT: 'true', CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' };
    expect(runFake({ ...DOCKER_UNCONFINED, dockerenv: true, env: disposable }).report.executor).toBe('docker');
  });

  it('never fails because a probe fails: nothing to read still gives a full report', () => {
    const { report } = runFake({ noStatus: true, mountinfo: '', userns: 'fail', mount: 'fail', overlay: 'fail' });
    expect(report.checks.seccomp).toEqual({ ok: false, detail: 'cannot read /proc/self/status' });
    expect(report.checks.privileged).toEqual({ ok: false, detail: 'cannot read /proc/self/status' });
    expect(report.checks['proc-unmasked'].ok).toBe(true);
    expect(report.recommendation).toBe('kaniko');
  });

  it('fails, saying so, only when it cannot write the report', () => {
    const project = tempDir('cigen-doctor-project-');
    mkdirSync(join(project, DOCTOR_REPORT));
    const run = runProbe({
      project,
      env: {
        CIGEN_DOCTOR_ROOT: fakeRoot(DOCKER_DEFAULT),
        CIGEN_DOCTOR_FAKE_USERNS: 'fail',
        CIGEN_DOCTOR_FAKE_MOUNT: 'fail',
        CIGEN_DOCTOR_FAKE_OVERLAY: 'fail',
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`cigen: error: cannot write cigen-doctor.json in ${project}`);
  });

  it('the shell and TypeScript agree on every combination of the facts the rules read', () => {
    const flips = ['userns', 'mount', 'proc-unmasked', 'privileged'] as const;
    for (let bits = 0; bits < 1 << flips.length; bits++) {
      const on = (check: (typeof flips)[number]) => (bits & (1 << flips.indexOf(check))) !== 0;
      for (const kubernetes of [false, true]) {
        const { report } = runFake(
          {
            seccomp: '0',
            dockerenv: !kubernetes,
            secrets: kubernetes,
            capEff: on('privileged') ? '000001ffffffffff' : '00000000a80425fb',
            mountinfo: on('proc-unmasked') ? UNMASKED_MOUNTINFO : K8S_MASKED_MOUNTINFO,
            userns: on('userns') ? 'ok' : 'fail',
            mount: on('mount') ? 'ok' : 'fail',
            overlay: 'ok',
          },
          'busybox sh',
        );
        // Every capability with /proc masked is not privileged: privileged unmasks /proc.
        for (const check of flips)
          expect(report.checks[check].ok, check).toBe(
            on(check) && (check !== 'privileged' || on('proc-unmasked')) && (check !== 'mount' || on('userns')),
          );
        expectAgreement(report);
        expect(report.recommendation).not.toBe('dind');
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// What the probe could not test: never a verdict on the runner.

const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A PATH with every command of the standard one but unshare (a probe image without util-linux). */
const pathWithoutUnshare = (): string => pathWithout('unshare');

/** A PATH with every command of the standard one but those named. */
function pathWithout(...names: string[]): string {
  const dir = tempDir('cigen-doctor-bin-');
  const linked = new Set<string>(names);
  for (const from of STANDARD_PATH) {
    if (!existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}

describe('the probe where it cannot test', () => {
  // busybox sh runs its own unshare applet whatever PATH holds: the shells that look unshare up.
  const LOOKING_UP: ShellName[] = ['bash', 'dash'];
  const WHERE = {
    docker: { fake: { dockerenv: true }, where: 'in the probe image' },
    shell: { fake: { env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } }, where: 'on the host' },
    unknown: { fake: {}, where: "in this job's PATH" },
  } as const;

  describe.each(Object.entries(WHERE))('unshare missing, %s executor', (executor, { fake, where }) => {
    it.each(LOOKING_UP)('%s: userns, mount and overlay could not be tested, and nothing blames the host', (shell) => {
      const path = pathWithoutUnshare();
      const env = { ...('env' in fake ? fake.env : {}), PATH: path };
      const { report, stdout } = runFake({ seccomp: '0', apparmor: 'unconfined', ...fake, env }, shell);
      expect(report.executor).toBe(executor);
      const untested = { ok: false, detail: `could not test: unshare is not ${where}` };
      expect({ userns: report.checks.userns, mount: report.checks.mount, overlay: report.checks.overlay }).toEqual({
        userns: untested,
        mount: untested,
        overlay: untested,
      });
      expect(report.verdicts.buildah).toEqual({ ok: false, missing: [], untested: ['userns', 'mount'] });
      expectAgreement(report);
      expect(stdout.split('\n')).toContain(`${'buildah'.padEnd(17)} untested: userns, mount`);
      expect(stdout).not.toMatch(/command not found|: not found|fall back to vfs/);
      const advice = adviceText(report);
      expect(advice).toContain(`- userns and mount could not be tested (unshare is not ${where}), so what Buildah lacks here`);
      expect(advice).not.toMatch(/host refuses|failed/);
      if (executor === 'shell') expect(advice).not.toContain('probe image');
    });
  });

  it.each(LOOKING_UP)("%s: a tool's error text with control characters: '?' in the job log's table, spaces in the report", (shell) => {
    // An unshare that fails with quotes, a backslash, a tab, a terminal escape, UTF-8 and a printf directive.
    const stub = tempDir('cigen-doctor-stub-');
    writeFileSync(
      join(stub, 'unshare'),
      '#!/bin/sh\nprintf \'unshare: "q" \\\\back\\tslash \\033[31mred\\033[0m \\303\\251 100%%s\\n\' >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const { report, stdout } = runFake(
      {
        dockerenv: true,
        seccomp: '0',
        apparmor: 'unconfined',
        mount: 'ok',
        overlay: 'ok',
        env: { PATH: `${stub}:${STANDARD_PATH.join(':')}` },
      },
      shell,
    );
    const message = (control: string) => `unshare: "q" \\back${control}slash ${control}[31mred${control}[0m é 100%s`;
    expect(report.checks.userns).toEqual({ ok: false, detail: `unshare --user --map-root-user fails: ${message(' ')}` });
    expect(stdout.split('\n')).toContain(`${'userns'.padEnd(17)} ${'no'.padEnd(4)} unshare --user --map-root-user fails: ${message('?')}`);
    for (const control of ['\t', '\x1b']) expect(stdout).not.toContain(control);
  });

  it('user namespaces really refused (user.max_user_namespaces=0): mount and overlay not tried, no vfs', () => {
    // The premise: this machine lets a user namespace set the limit of the ones inside it.
    const refused = ['unshare', '--user', '--map-root-user', 'sh', '-c', 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"', 'sh'];
    expect(spawnSync(refused[0] as string, [...refused.slice(1), 'true']).status).toBe(0);
    for (const shell of Object.keys(SHELLS) as ShellName[]) {
      const storage = join(tempDir('cigen-doctor-storage-'), 'containers');
      const run = runProbe({ shell, wrap: refused, inputs: { storage } });
      expect(run.status, run.stderr).toBe(0);
      const report = run.report as DoctorReport;
      expect(report.checks.userns, shell).toEqual({ ok: false, detail: expect.stringMatching(/^unshare --user --map-root-user fails: /) });
      expect(report.checks.mount, shell).toEqual({
        ok: false,
        detail: 'could not test: mounts are tried in a user namespace, and user namespaces fail (userns)',
      });
      expect(report.checks.overlay, shell).toEqual({
        ok: false,
        detail: 'could not test: overlay mounts in a user namespace, and user namespaces fail (userns)',
      });
      expect(report.verdicts.buildah, shell).toEqual({ ok: false, missing: ['userns'], untested: ['mount'] });
      expect(run.stdout, shell).not.toContain('fall back to vfs');
      expect(existsSync(storage), shell).toBe(false);
      expectAgreement(report);
    }
  });

  it('mounts refused in a user namespace: overlay not tried (faked userns and mount, overlay for real)', () => {
    const { report } = runFake({ dockerenv: true, seccomp: '0', apparmor: 'unconfined', userns: 'ok', mount: 'fail' });
    expect(report.checks.overlay).toEqual({
      ok: false,
      detail: 'could not test: overlay mounts in a user namespace, and mounts fail in one (mount)',
    });
    // The overlay switch stands in for the mount only: it does not outvote the user namespace.
    expect(runFake({ ...DOCKER_UNCONFINED, userns: 'fail', mount: 'fail', overlay: 'fail' }).report.checks.overlay.detail).toBe(
      'could not test: overlay mounts in a user namespace, and user namespaces fail (userns)',
    );
  });

  it('a read-only storage directory: said to be on a read-only file system, no user blamed', () => {
    expect({ root: HOST.root, userns: HOST.userns, mount: HOST.mount }).toEqual({ root: true, userns: true, mount: true });
    const readonly = join(tempDir('cigen-doctor-readonly-'), 'ro');
    mkdirSync(readonly);
    for (const args of [
      ['--bind', readonly, readonly],
      ['-o', 'remount,bind,ro', readonly],
    ]) {
      const mount = spawnSync('mount', args, { encoding: 'utf8' });
      expect(mount.status, mount.stderr).toBe(0);
      if (args[0] === '--bind') mounts.push(readonly);
    }
    for (const shell of Object.keys(SHELLS) as ShellName[]) {
      for (const [storage, verb] of [
        [readonly, 'write in'],
        [join(readonly, 'containers'), 'create'],
      ] as const) {
        const run = runProbe({ shell, inputs: { storage } });
        expect(run.status, run.stderr).toBe(0);
        const report = run.report as DoctorReport;
        expect(report.checks.overlay.detail, `${shell} ${verb}`).toMatch(
          new RegExp(`^could not test: cannot ${verb} ${storage}: it is on a read-only file system \\(\\S+\\)$`),
        );
        const advice = adviceText(report);
        expect(advice).toContain('The probe could not try overlay: the storage directory is on a read-only file system.');
        expect(advice).not.toMatch(/user may not|vfs/);
      }
    }
  });

  it('a storage directory this job may not write in: its user named', () => {
    expect(HOST.root).toBe(true);
    const base = tempDir('cigen-doctor-denied-');
    // uid 65534 (nobody) may enter the project and TMPDIR, not the storage directory's parent.
    const project = tempDir('cigen-doctor-project-');
    const tmp = tempDir('cigen-doctor-tmp-');
    for (const dir of [project, tmp]) spawnSync('chmod', ['777', dir]);
    const storage = join(base, 'containers');
    const run = runProbe({
      project,
      wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      inputs: { storage },
      env: { TMPDIR: tmp },
    });
    expect(run.status, run.stderr).toBe(0);
    const report = run.report as DoctorReport;
    // The premise: user namespaces and mounts in them work for this user too, so overlay gets as far as the directory.
    expect({ userns: report.checks.userns.ok, mount: report.checks.mount.ok }).toEqual({ userns: true, mount: true });
    expect(report.checks.overlay.detail).toMatch(new RegExp(`^could not test: cannot create ${storage}: .*Permission denied$`));
    expect(adviceText(report)).toContain("The probe could not try overlay: this job's user may not write in the storage directory.");
  });
});

describe('a job the runner runs as a non-root uid: kaniko cannot run there', () => {
  /** The probe as uid 65534 (nobody), as a runner that forces a user runs it; `without` leaves commands out of PATH. */
  function runAsNobody(shell: ShellName, without: string[] = []): ProbeRun & { report: DoctorReport } {
    expect(HOST.root).toBe(true);
    const project = tempDir('cigen-doctor-project-');
    const tmp = tempDir('cigen-doctor-tmp-');
    const env: Record<string, string> = { TMPDIR: tmp, CIGEN_DOCTOR_FAKE_USERNS: 'fail' };
    if (without.length > 0) {
      env['PATH'] = pathWithout(...without);
      spawnSync('chmod', ['755', env['PATH']]);
    }
    for (const dir of [project, tmp]) spawnSync('chmod', ['777', dir]);
    const run = runProbe({
      shell,
      project,
      wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      inputs: { storage: join(tmp, 'containers') },
      env,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.report, run.stdout + run.stderr).toBeDefined();
    return run as ProbeRun & { report: DoctorReport };
  }

  it.each(Object.keys(SHELLS) as ShellName[])(
    '%s: the root fact names the uid, kaniko misses it, and the log never says Kaniko needs nothing',
    (shell) => {
      const { report, stdout } = runAsNobody(shell);
      expect(report.checks.root).toEqual({ ok: false, detail: 'the job runs as uid 65534' });
      expect(report.verdicts.kaniko).toEqual({ ok: false, missing: ['root'] });
      expect(report.recommendation).toBe('buildah');
      expect(report.reason).toBe(
        'Buildah cannot run here (missing: userns): Kaniko cannot run either, it needs uid 0 in its container and the job runs as ' +
          'uid 65534; a runner admin can enable Buildah (cigen runner-config), or stop forcing a non-root user on jobs for Kaniko',
      );
      expectAgreement(report);
      const lines = stdout.split('\n');
      expect(lines).toContain(`${'root'.padEnd(17)} ${'no'.padEnd(4)} the job runs as uid 65534`);
      expect(lines).toContain(`${'kaniko'.padEnd(17)} missing: root`);
      expect(stdout).toContain(`cigen: doctor: recommended component: buildah (${report.reason})`);
      expect(stdout).not.toMatch(/needs nothing/);
    },
  );

  // busybox sh runs its own id applet whatever PATH holds: the shells that look id up.
  it.each(['bash', 'dash'] as const)('%s: without id, the uid comes from /proc/self/status', (shell) => {
    const { report } = runAsNobody(shell, ['id']);
    expect(report.checks.root).toEqual({ ok: false, detail: 'the job runs as uid 65534' });
  });

  it('as root: the root fact says uid 0, and kaniko needs nothing more', () => {
    const { report, stdout } = runFake(DOCKER_DEFAULT);
    expect(report.checks.root).toEqual({ ok: true, detail: 'the job runs as uid 0' });
    expect(report.verdicts.kaniko).toEqual({ ok: true, missing: [] });
    expect(report.recommendation).toBe('kaniko');
    expect(stdout.split('\n')).toContain(`${'root'.padEnd(17)} ${'yes'.padEnd(4)} the job runs as uid 0`);
  });
});

describe('buildah, which a shell executor runs from the host', () => {
  const SHELL_RUNNER: FakeRunner = { ...DOCKER_UNCONFINED, dockerenv: false, env: { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } };
  // The shells that look buildah up in PATH (busybox sh has no buildah applet either).
  it.each(Object.keys(SHELLS) as ShellName[])(
    '%s: a shell runner whose host has no buildah: missing, and no "buildah ok" in the log, the report or cigen doctor',
    (shell) => {
      const { report, stdout } = runFake({ ...SHELL_RUNNER, env: { ...SHELL_RUNNER.env, PATH: pathWithout('buildah') } }, shell);
      expect(report.executor).toBe('shell');
      expect({ userns: report.checks.userns.ok, mount: report.checks.mount.ok }).toEqual({ userns: true, mount: true });
      expect(report.checks.buildah).toEqual({ ok: false, detail: 'buildah is not on the host' });
      expect(report.verdicts.buildah).toEqual({ ok: false, missing: ['buildah'] });
      // The fake runner's /proc is masked as Docker masks it.
      expect(report.verdicts['buildah-rootless']).toEqual({ ok: false, missing: ['proc-unmasked', 'buildah'] });
      expect(report.recommendation).toBe('buildah');
      expect(report.reason).toBe(
        'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; it still ' +
          'lacks buildah there (or use a Docker or Kubernetes runner)',
      );
      expectAgreement(report);
      const lines = stdout.split('\n');
      expect(lines).toContain(`${'buildah'.padEnd(17)} ${'no'.padEnd(4)} buildah is not on the host`);
      expect(lines).toContain(`${'buildah'.padEnd(17)} missing: buildah`);
      expect(stdout).not.toMatch(/^buildah +ok$/m);
      expect(stdout).toContain(`cigen: doctor: recommended component: buildah (${report.reason})`);
      expect(adviceText(report)).toContain("- buildah is not in the PATH of this runner's jobs on the host (buildah is not on the host)");
    },
  );

  it('a shell runner with buildah on the host: ok, its path named', () => {
    expect(HOST.buildah).not.toBe('');
    const { report } = runFake(SHELL_RUNNER);
    expect(report.checks.buildah).toEqual({ ok: true, detail: `buildah is on the host: ${HOST.buildah}` });
    expect(report.verdicts.buildah).toEqual({ ok: true, missing: [] });
    expect(report.recommendation).toBe('buildah');
    expectAgreement(report);
  });

  it('a Docker runner whose probe image has no buildah: a fact, not a need (the build job runs its own image)', () => {
    const { report } = runFake({ ...DOCKER_UNCONFINED, env: { PATH: pathWithout('buildah') } });
    expect(report.checks.buildah).toEqual({ ok: false, detail: 'buildah is not in the probe image' });
    expect(report.verdicts.buildah).toEqual({ ok: true, missing: [] });
    expect(report.recommendation).toBe('buildah');
    expectAgreement(report);
  });
});

describe('a privileged runner where kaniko is recommended', () => {
  it.each(Object.keys(SHELLS) as ShellName[])(
    '%s: the job log promises settings to set first only where cigen doctor has them',
    (shell) => {
      const { report, stdout } = runFake({ ...DOCKER_PRIVILEGED, userns: 'fail', mount: 'fail' }, shell);
      expect({ privileged: report.checks.privileged.ok, recommendation: report.recommendation }).toEqual({
        privileged: true,
        recommendation: 'kaniko',
      });
      expect(stdout).toContain(
        'not what a job may do once privileged is off: kaniko, recommended above, needs nothing that privileged gives and keeps ' +
          'working without privileged',
      );
      expect(stdout).not.toContain('cigen doctor says what to set first');
      expect(adviceText(report)).toContain(': kaniko needs nothing that privileged gives, so the build keeps working without it.');
      // Buildah recommended: cigen doctor has the settings, and the log says so; on an executor it has
      // no settings for, the log promises none.
      expect(runFake(DOCKER_PRIVILEGED, shell).stdout).toContain('once privileged is off: cigen doctor says what to set first');
      const unknown = runFake({ ...DOCKER_PRIVILEGED, dockerenv: false }, shell);
      expect({ executor: unknown.report.executor, recommendation: unknown.report.recommendation }).toEqual({
        executor: 'unknown',
        recommendation: 'buildah',
      });
      expect(unknown.stdout).toContain('not what a job may do once privileged is off\n');
    },
  );
});

// ---------------------------------------------------------------------------------------------
// TypeScript: rules, parsing, advice.
