/**
 * The doctor's probe on fake runners the review found it wrong on (system tier: mknod needs root):
 *  - privileged is what privileged always brings together (CAP_SYS_ADMIN, seccomp off, /proc
 *    unmasked, the host's devices in /dev), not a CapEff bitmask: a privileged container with a
 *    capability dropped is privileged, and cap_add = ["ALL"] with seccomp, AppArmor and masking on
 *    is "every capability", never "privileged";
 *  - the job log and `cigen doctor` (adviceText on the probe's own report) say the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { renderComponent } from '../../src/catalog/document.js';
import { DOCTOR_REPORT } from '../../src/catalog/doctor.js';
import { adviceText } from '../../src/runner/advice.js';
import { recommend, verdicts } from '../../src/runner/capabilities.js';
import { parseDoctorReport, type DoctorReport } from '../../src/runner/report.js';
import { instantiateComponent, jobEnvironment, jobScript, predefinedVariables } from '../helpers/job.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const TEXT = renderComponent(findComponent('doctor') as ComponentDefinition);

const tempDir = tempDirs();

/** Docker's masks and read-only paths under /proc (a container that is not privileged). */
const MASKED_MOUNTINFO = `600 550 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
601 600 0:53 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
602 600 0:54 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
563 601 0:53 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
566 601 0:54 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
`;
/** Privileged: nothing masked under /proc. */
const UNMASKED_MOUNTINFO = `700 650 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
701 700 0:61 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
702 700 0:62 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
`;

/** The devices every container runtime creates (Docker's and containerd's default set). */
const DEFAULT_DEVICES: Record<string, [string, string, string]> = {
  null: ['c', '1', '3'],
  zero: ['c', '1', '5'],
  full: ['c', '1', '7'],
  random: ['c', '1', '8'],
  urandom: ['c', '1', '9'],
  tty: ['c', '5', '0'],
  ptmx: ['c', '5', '2'],
};
/** Some of what a privileged container gets from the host besides. */
const HOST_DEVICES: Record<string, [string, string, string]> = {
  kmsg: ['c', '1', '11'],
  loop0: ['b', '7', '0'],
  loop1: ['b', '7', '1'],
  mem: ['c', '1', '1'],
  sda: ['b', '8', '0'],
};

interface Fake {
  capEff: string;
  seccomp: string;
  apparmor?: string;
  mountinfo: string;
  devices: Record<string, [string, string, string]>;
  executor: 'docker' | 'kubernetes' | 'shell';
}

function fakeRoot(fake: Fake): string {
  const root = tempDir('cigen-doctor-review-root-');
  mkdirSync(join(root, 'proc/self/attr/apparmor'), { recursive: true });
  const status = [
    'Name:\tsh',
    `CapPrm:\t${fake.capEff}`,
    `CapEff:\t${fake.capEff}`,
    `CapBnd:\t${fake.capEff}`,
    `Seccomp:\t${fake.seccomp}`,
    `Seccomp_filters:\t${fake.seccomp === '2' ? 1 : 0}`,
  ];
  writeFileSync(join(root, 'proc/self/status'), `${status.join('\n')}\n`);
  if (fake.apparmor !== undefined) writeFileSync(join(root, 'proc/self/attr/apparmor/current'), `${fake.apparmor}\n`);
  writeFileSync(join(root, 'proc/self/mountinfo'), fake.mountinfo);
  mkdirSync(join(root, 'dev/pts'), { recursive: true });
  mkdirSync(join(root, 'dev/shm'));
  symlinkSync('/proc/self/fd', join(root, 'dev/fd'));
  for (const [name, [type, major, minor]] of Object.entries(fake.devices)) {
    const mknod = spawnSync('mknod', [join(root, 'dev', name), type, major, minor], { encoding: 'utf8' });
    if (mknod.status !== 0) throw new Error(`mknod: ${mknod.stderr}`);
  }
  if (fake.executor === 'docker') writeFileSync(join(root, '.dockerenv'), '');
  if (fake.executor === 'kubernetes') mkdirSync(join(root, 'var/run/secrets/kubernetes.io'), { recursive: true });
  return root;
}

function runFake(fake: Fake, shell: readonly string[] = ['bash', '--norc', '--noprofile']): { stdout: string; report: DoctorReport } {
  const { job } = instantiateComponent('doctor', { storage: join(tempDir('cigen-doctor-review-storage-'), 'c') }, 'classic', TEXT);
  const project = tempDir('cigen-doctor-review-project-');
  const env = {
    ...jobEnvironment(job, predefinedVariables(project)),
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    TMPDIR: tmpdir(),
    CIGEN_DOCTOR_ROOT: fakeRoot(fake),
    CIGEN_DOCTOR_FAKE_USERNS: 'ok',
    CIGEN_DOCTOR_FAKE_MOUNT: 'ok',
    CIGEN_DOCTOR_FAKE_OVERLAY: 'ok',
    ...(fake.executor === 'shell' ? { CI_RUNNER_EXECUTABLE_ARCH: 'linux/amd64' } : {}),
  };
  const [command, ...args] = shell;
  const result = spawnSync(command as string, [...args, '-c', jobScript(job)], { env, cwd: project, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const path = join(project, DOCTOR_REPORT);
  expect(existsSync(path) && statSync(path).isFile(), result.stdout + result.stderr).toBe(true);
  const report = parseDoctorReport(readFileSync(path, 'utf8'));
  // The shell and TypeScript agree on the verdicts and the recommendation from the same facts.
  expect(report.verdicts).toEqual(verdicts(report.checks, report.executor));
  expect({ builder: report.recommendation, reason: report.reason }).toEqual(recommend(report));
  return { stdout: result.stdout, report };
}

const SHELLS = [['bash', '--norc', '--noprofile'], ['busybox', 'sh'], ['dash']] as const;

/** docker run --privileged --cap-drop SYS_RESOURCE: seccomp off, /proc unmasked, every host device. */
const PRIVILEGED_ONE_DROPPED: Fake = {
  executor: 'docker',
  capEff: '000001fffeffffff',
  seccomp: '0',
  apparmor: 'unconfined',
  mountinfo: UNMASKED_MOUNTINFO,
  devices: { ...DEFAULT_DEVICES, ...HOST_DEVICES },
};
/** cap_add = ["ALL"] and nothing else: Docker's seccomp filter, docker-default AppArmor, /proc masked. */
const CAP_ADD_ALL: Fake = {
  executor: 'docker',
  capEff: '000001ffffffffff',
  seccomp: '2',
  apparmor: 'docker-default (enforce)',
  mountinfo: MASKED_MOUNTINFO,
  devices: DEFAULT_DEVICES,
};

describe('privileged is what privileged always brings, not a capability bitmask', () => {
  it.each(SHELLS.map((shell) => [shell.join(' '), shell] as const))(
    '%s: privileged with one capability dropped is privileged, warned about, and /proc unmasked explained',
    (_, shell) => {
      const { stdout, report } = runFake(PRIVILEGED_ONE_DROPPED, shell);
      expect(report.checks.privileged).toEqual({
        ok: true,
        detail:
          'CapEff 000001fffeffffff (CAP_SYS_ADMIN; some capabilities dropped), seccomp off, /proc unmasked, ' +
          'host devices in /dev (kmsg, loop0, loop1 and 2 more): privileged',
      });
      expect(report.verdicts.dind.ok).toBe(true);
      expect(stdout).toContain('doctor: warning: this job runs privileged: dind would work');
      const advice = adviceText(report);
      expect(advice).toContain('WARNING: this job ran privileged.');
      // buildah-rootless "not possible" beside proc-unmasked yes: the note says why both hold.
      expect(advice).toContain('proc-unmasked says yes because privileged unmasks /proc');
      expect(advice).toContain('Before turning privileged off');
    },
  );

  it.each(SHELLS.map((shell) => [shell.join(' '), shell] as const))(
    '%s: cap_add ALL with seccomp, AppArmor and masking on is every capability, not privileged',
    (_, shell) => {
      const { stdout, report } = runFake(CAP_ADD_ALL, shell);
      expect(report.checks.privileged).toEqual({
        ok: false,
        detail:
          'CapEff 000001ffffffffff (every capability), not privileged: seccomp filters, /proc is masked, ' +
          'only the default devices in /dev, docker-default (enforce)',
      });
      expect(report.verdicts.dind).toEqual({ ok: false, missing: ['privileged'] });
      expect(stdout).not.toContain('runs privileged');
      expect(stdout).not.toContain('Privileged also switches off');
      expect(stdout).toContain('doctor: warning: this job has every capability (cap_add ALL or the like), but it is not privileged');
      const advice = adviceText(report);
      expect(advice).not.toMatch(/ran privileged|Privileged also switches off|turn privileged off|Before turning privileged off/);
      expect(advice).toContain(
        'WARNING: this job ran with every capability (cap_add = ["ALL"] in config.toml, or the like), but not privileged',
      );
      expect(advice).toContain('privileged = false is not what to change');
    },
  );

  it('every capability, seccomp off and /proc unmasked, but only the default devices: not privileged', () => {
    const { report } = runFake({ ...PRIVILEGED_ONE_DROPPED, capEff: '000001ffffffffff', devices: DEFAULT_DEVICES });
    expect(report.checks.privileged).toEqual({
      ok: false,
      detail: 'CapEff 000001ffffffffff (every capability), not privileged: only the default devices in /dev',
    });
  });

  it('no CAP_SYS_ADMIN: not privileged, whatever else holds', () => {
    // 000001ffffdfffff: every capability but CAP_SYS_ADMIN (bit 21).
    const { report } = runFake({ ...PRIVILEGED_ONE_DROPPED, capEff: '000001ffffdfffff' });
    expect(report.checks.privileged).toEqual({ ok: false, detail: 'CapEff 000001ffffdfffff' });
  });

  it('a privileged Kubernetes pod with every capability: privileged', () => {
    const { report } = runFake({ ...PRIVILEGED_ONE_DROPPED, executor: 'kubernetes', capEff: '000001ffffffffff' });
    expect(report.checks.privileged.ok).toBe(true);
    expect(report.checks.privileged.detail).toMatch(/^CapEff 000001ffffffffff \(every capability\), seccomp off, \/proc unmasked, /);
    expect(report.recommendation).toBe('buildah-rootless');
  });

  it('a shell executor with every capability under a seccomp filter: still root on the host, said so', () => {
    const { stdout, report } = runFake({ ...CAP_ADD_ALL, executor: 'shell', apparmor: 'unconfined' });
    expect(report.checks.privileged.ok).toBe(false);
    const warning = 'this job runs on the host (a shell executor) with every capability: every job on this runner can take over the host';
    expect(stdout).toContain(`doctor: warning: ${warning}\n`);
    expect(adviceText(report)).toContain(`WARNING: ${warning}.`);
  });

  it.each(SHELLS.map((shell) => [shell.join(' '), shell] as const))(
    '%s: privileged on a shell executor with a capability dropped: the warnings say what the privileged row says',
    (_, shell) => {
      const { stdout, report } = runFake({ ...PRIVILEGED_ONE_DROPPED, executor: 'shell' }, shell);
      expect(report.checks.privileged).toEqual({ ok: true, detail: expect.stringContaining('(CAP_SYS_ADMIN; some capabilities dropped)') });
      const warning =
        'this job runs on the host (a shell executor) with CAP_SYS_ADMIN (some capabilities dropped): every job on this runner can ' +
        'take over the host';
      expect(stdout).toContain(`doctor: warning: ${warning}\n`);
      const advice = adviceText(report);
      expect(advice).toContain(`WARNING: ${warning}.`);
      expect(`${stdout}${advice}`).not.toContain('every capability');
    },
  );
});
