/**
 * The doctor component and `cigen doctor`:
 *  - the component renders and validates like every catalog component (both interpolation modes);
 *  - parseDoctorReport names what is wrong; adviceText and the CLI handler say what to do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAndValidate } from '../../src/generate/build.js';
import { INTERPOLATION_MODES } from '../../src/ci/interpolation/index.js';
import { findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import { renderComponent } from '../../src/catalog/document.js';
import { componentPage } from '../../src/generate/docs.js';
import { runDoctor } from '../../src/cli/commands/doctor.js';
import { CHECK_NAMES, type CheckName } from '../../src/builders/runner.js';
import { adviceText } from '../../src/runner/advice.js';
import { EXECUTORS, recommend, REASONS, runnerStanding, verdicts, verdictText, type Executor } from '../../src/runner/capabilities.js';
import { parseDoctorReport, type DoctorReport } from '../../src/runner/report.js';
import { InputError, UsageError } from '../../src/errors.js';
import { instantiateComponent, jobScript } from '../helpers/job.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DOCTOR = findComponent('doctor') as ComponentDefinition;
const TEXT = renderComponent(DOCTOR);

const tempDir = tempDirs();

describe('the component', () => {
  it('renders and validates like every catalog component (schema, spec rules, both interpolation modes)', async () => {
    const rendered = await renderAndValidate(DOCTOR);
    expect(rendered.problems).toEqual([]);
    expect(rendered.text).toContain('$[[ inputs.probe-image ]]');
  });

  it.each(INTERPOLATION_MODES)('defaults (%s): a cigen-doctor job in .pre, in the pinned buildah image, keeping its report', (mode) => {
    const { name, job } = instantiateComponent('doctor', {}, mode, TEXT);
    expect(name).toBe('cigen-doctor');
    expect(job['stage']).toBe('.pre');
    expect(job['image']).toBe('quay.io/buildah/stable:v1.43.4');
    expect(job['artifacts']).toEqual({ when: 'always', paths: ['cigen-doctor.json'] });
    expect(job['variables']).toEqual({ CIGEN_DOCTOR_STORAGE: { value: '/var/lib/containers', expand: false } });
    expect(jobScript(job)).toMatch(/^set -eu$/m);
    expect(jobScript(job)).not.toMatch(/^\s*set -[a-z]*x|set -o xtrace/m);
  });

  it('refuses hostile values up front', () => {
    for (const [input, value] of [
      ['storage', '/x; rm -rf /'],
      ['storage', 'relative/dir'],
      ['probe-image', 'quay.io/buildah/stable:v1 --privileged'],
      ['job-name', 'a: b'],
    ] as const) {
      expect(() => instantiateComponent('doctor', { [input]: value }, 'classic', TEXT), `${input}=${value}`).toThrow(
        /does not match required RegEx pattern/,
      );
    }
  });

  it('documents usage, runner requirements and security notes', () => {
    const readme = componentPage(DOCTOR);
    expect(readme).toContain('- component: $CI_SERVER_FQDN/ci-components/cigen/doctor@1');
    expect(readme).toContain('**Runner requirements**');
    expect(readme).toContain('**Security notes**');
  });

  it('says how to run it alone: GitLab creates no pipeline whose only jobs are in .pre, the default stage', () => {
    const alone = '    inputs:\n      stage: test # a default stage, as long as the project declares no stages: of its own\n';
    expect(componentPage(DOCTOR)).toContain('GitLab\ndoes not create a pipeline whose only jobs are in `.pre` or `.post`');
    expect(componentPage(DOCTOR)).toContain(alone);
    expect(instantiateComponent('doctor', { stage: 'test' }, 'classic', TEXT).job['stage']).toBe('test');
    const root = join(import.meta.dirname, '../..');
    expect(readFileSync(join(root, 'docs/commands/doctor.md'), 'utf8')).toContain('alone in a pipeline, with inputs: {stage: test}');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(
      /`doctor` component once \(in a pipeline with\nother jobs, or with `inputs: \{stage: test\}`/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The probe for real, on this machine.

/** What this machine allows, found out without the probe. Observed here (Debian 12 in a Docker
 *  container, as root): /.dockerenv exists; Seccomp: 0; no AppArmor/SELinux label; no masked
 *  /proc paths; CapEff 000001fffeffffff (every capability but CAP_SYS_RESOURCE, so not
 *  privileged); /dev/fuse present; unshare --user --map-root-user and mounts in it work;
 *  kernel overlay mounts on ext4 (/var/lib/containers, /tmp) and not on overlayfs. */
const ALL_OK = Object.fromEntries(CHECK_NAMES.map((name) => [name, { ok: true, detail: `${name} fine` }])) as DoctorReport['checks'];

function report(executor: Executor, failing: CheckName[] = [], extra: Partial<DoctorReport> = {}): DoctorReport {
  const checks = { ...ALL_OK };
  for (const name of failing) checks[name] = { ok: false, detail: `${name} blocked` };
  const choice = recommend({ checks, executor });
  return {
    version: 1,
    executor,
    checks,
    verdicts: verdicts(checks, executor),
    recommendation: choice.builder,
    reason: choice.reason,
    ...extra,
  };
}

describe('verdicts and recommend', () => {
  it('the decision guide: rootless on Kubernetes when it works, else buildah, else kaniko (buildah on a shell executor); never dind', () => {
    for (const executor of EXECUTORS) {
      for (let bits = 0; bits < 1 << CHECK_NAMES.length; bits++) {
        const failing = CHECK_NAMES.filter((_, index) => (bits & (1 << index)) !== 0);
        const { builder } = recommend({ checks: report(executor, failing).checks, executor });
        const buildah = !failing.includes('userns') && !failing.includes('mount');
        const rootless = buildah && !failing.includes('proc-unmasked');
        // Where neither runs (a non-root job without Buildah's needs): Buildah, which the admin can enable.
        expect(builder, `${executor} ${failing.join(',')}`).toBe(
          rootless && executor === 'kubernetes'
            ? 'buildah-rootless'
            : buildah || executor === 'shell' || failing.includes('root')
              ? 'buildah'
              : 'kaniko',
        );
      }
    }
  });

  it("what to change is said in each executor's own words: Docker's security_opt, a pod's securityContext", () => {
    const failing = ['userns', 'mount', 'seccomp', 'apparmor'] as const;
    const docker = adviceText(report('docker', [...failing]));
    expect(docker).toContain('Allow them: seccomp=unconfined');
    expect(docker).toContain('Use apparmor=unconfined');
    const kubernetes = adviceText(report('kubernetes', [...failing]));
    expect(kubernetes).toContain('Allow them: seccompProfile type: Localhost with a profile that adds just those calls (or Unconfined)');
    expect(kubernetes).toContain('Use appArmorProfile type: Unconfined');
    expect(kubernetes).not.toMatch(/seccomp=unconfined|apparmor=unconfined/);
  });

  it('a shell executor ignores image: kaniko, buildkit and dind cannot run there, and the advice is Buildah on the host', () => {
    const probed = report('shell', ['userns', 'privileged']);
    const v = verdicts(probed.checks, 'shell');
    for (const builder of ['kaniko', 'buildkit', 'dind'] as const)
      expect(v[builder].impossible, builder).toMatch(/^not possible on a shell executor: it runs jobs on the host/);
    expect(recommend({ checks: probed.checks, executor: 'shell' })).toEqual({
      builder: 'buildah',
      reason:
        'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; it still lacks ' +
        'userns there (or use a Docker or Kubernetes runner)',
    });
    const text = adviceText({ ...probed, verdicts: v });
    expect(text).not.toContain('Kaniko needs nothing');
    expect(text).toContain('To change on the runner:');
  });

  it('kaniko needs nothing; seccomp, AppArmor, overlay and fuse block nothing by themselves', () => {
    const v = verdicts(report('docker', ['seccomp', 'apparmor', 'overlay', 'fuse', 'privileged']).checks, 'docker');
    expect(v).toEqual({
      buildah: { ok: true, missing: [] },
      'buildah-rootless': {
        ok: false,
        missing: [],
        impossible: expect.stringMatching(/^not possible on the Docker executor: .*GitLab Runner issue 36810/),
      },
      buildkit: { ok: true, missing: [] },
      kaniko: { ok: true, missing: [] },
      dind: { ok: false, missing: ['privileged'] },
    });
  });

  it(
    'doctor says buildah-rootless once: impossible on the Docker executor, in the verdict, ' + 'not "ok" and a note that contradicts it',
    () => {
      const text = adviceText(report('docker', []));
      expect(text).toMatch(/^buildah-rootless +not possible on the Docker executor: .*GitLab Runner issue 36810\)$/m);
      expect(text).not.toMatch(/^buildah-rootless +ok$/m);
      expect(text.match(/36810/g)).toHaveLength(1);
    },
  );
});

describe('parseDoctorReport', () => {
  const good = report('docker', ['userns', 'mount']);
  const text = (change: (data: Record<string, any>) => void): string => {
    const data = JSON.parse(JSON.stringify(good)) as Record<string, any>;
    change(data);
    return JSON.stringify(data);
  };

  it('reads a report back', () => {
    expect(parseDoctorReport(JSON.stringify(good))).toEqual(good);
  });

  it('leaves out a check this cigen does not know (a newer doctor job may add one within version 1)', () => {
    expect(parseDoctorReport(text((d) => (d['checks']['newer'] = { ok: true, detail: 'x' })))).toEqual(good);
    expect(parseDoctorReport(text((d) => (d['checks']['newer'] = null))).checks).toEqual(good.checks);
  });

  it.each(['binfmt', 'buildah', 'root'])(
    'reads a report an older doctor job wrote, before the %s check, as that check not tested',
    (check) => {
      const read = parseDoctorReport(text((d) => delete d['checks'][check]));
      expect(read.checks[check as CheckName]).toEqual({
        ok: false,
        detail: 'could not test: the doctor job that wrote this report is older than this check',
      });
      expect(read.checks.userns).toEqual(good.checks.userns);
    },
  );

  it.each([
    ['truncated JSON', '{"version": 1,', /^not valid JSON at line 1, column 15: /],
    [
      'a broken line, named by line and column',
      '{\n  "version": 1,\n  ba\n}',
      /^not valid JSON at line 3, column 3: Expected double-quoted property name$/,
    ],
    ['an array', '[]', /^the report must be an object, got an array$/],
    [
      'version 2',
      text((d) => (d['version'] = 2)),
      /^a cigen doctor report of version 2, newer than this cigen reads \(version 1\): update cigen$/,
    ],
    ['version 0', text((d) => (d['version'] = 0)), /^version 0 is not a version cigen doctor writes \(this cigen reads version 1\)$/],
    ['no version', text((d) => delete d['version']), /^version is missing$/],
    [
      'an unknown executor',
      text((d) => (d['executor'] = 'podman')),
      /^executor must be one of docker, kubernetes, shell, unknown, got "podman"$/,
    ],
    ['a missing check', text((d) => delete d['checks']['proc-unmasked']), /^checks\.proc-unmasked is missing$/],
    ['ok not a boolean', text((d) => (d['checks']['userns']['ok'] = 'yes')), /^checks\.userns\.ok must be true or false, got "yes"$/],
    ['detail not a string', text((d) => (d['checks']['mount']['detail'] = 3)), /^checks\.mount\.detail must be a string, got 3$/],
    ['a missing verdict', text((d) => delete d['verdicts']['dind']), /^verdicts\.dind is missing$/],
    [
      'an unknown missing check',
      text((d) => (d['verdicts']['buildah']['missing'] = ['gpu'])),
      /^verdicts\.buildah\.missing\[0\] must be one of userns, .*, got "gpu"$/,
    ],
    [
      'an unknown recommendation',
      text((d) => (d['recommendation'] = 'podman')),
      /^recommendation must be one of buildah, buildah-rootless, kaniko, buildkit, dind, got "podman"$/,
    ],
    ['no reason', text((d) => delete d['reason']), /^reason is missing$/],
  ])('names what is wrong: %s', (_, input, message) => {
    expect(() => parseDoctorReport(input)).toThrow(message);
  });
});

it('a report saved with a byte order mark reads as the report', () => {
  const saved = JSON.stringify(report('docker', ['userns']));
  expect(parseDoctorReport(`\uFEFF${saved}`)).toEqual(parseDoctorReport(saved));
});

describe('adviceText', () => {
  it('a default Docker runner: the facts, kaniko, and what the admin changes to get buildah', () => {
    const docker = report('docker', ['userns', 'mount', 'seccomp', 'apparmor', 'proc-unmasked', 'privileged']);
    const text = adviceText(docker);
    expect(text).toContain('Runner: Docker executor');
    expect(text).toMatch(/^userns +no +userns blocked$/m);
    expect(text).toMatch(/^buildah +missing: userns, mount$/m);
    expect(text).toMatch(/^kaniko +ok$/m);
    expect(text).toContain('Recommended: kaniko');
    expect(text).toContain('seccomp=unconfined');
    expect(text).toContain('apparmor=unconfined');
    expect(text).toContain('cigen runner-config --builder buildah --executor docker');
    expect(text).not.toContain('WARNING');
  });

  it('names only the calls that failed: a filter that let unshare() through is not said to refuse it', () => {
    const both = adviceText(report('docker', ['userns', 'mount', 'seccomp', 'apparmor']));
    expect(both).toContain('seccomp is filtering (seccomp blocked) and unshare() and mount() failed');
    expect(both).toContain('AppArmor confines the job (apparmor blocked) and mount() failed');
    const mountOnly = adviceText(report('docker', ['mount', 'seccomp', 'apparmor', 'privileged']));
    expect(mountOnly).toContain('seccomp is filtering (seccomp blocked) and mount() failed, which');
    expect(mountOnly).not.toContain('unshare()');
    // userns alone failed: AppArmor did not refuse a mount that worked.
    const usernsOnly = adviceText(report('docker', ['userns', 'apparmor', 'privileged']));
    expect(usernsOnly).not.toContain('AppArmor confines');
    // ...and the userns failure still gets its cause (Ubuntu's AppArmor restriction among them).
    expect(usernsOnly).toContain('user namespaces fail although seccomp does not filter (userns blocked): the host refuses them');
    expect(usernsOnly).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
  });

  it('an SELinux label that confines the job: the SELinux setting of each executor, never an AppArmor one', () => {
    const selinux = (executor: Executor) => {
      const confined = report(executor, ['mount', 'apparmor', 'privileged']);
      confined.checks.apparmor = { ok: false, detail: 'SELinux label system_u:system_r:container_t:s0:c12,c34' };
      return adviceText(confined);
    };
    const docker = selinux('docker');
    expect(docker).toContain(
      'SELinux confines the job (SELinux label system_u:system_r:container_t:s0:c12,c34) and mount() failed, which the default ' +
        'policy refuses. Use label=disable in security_opt, or an SELinux policy that allows the mounts.',
    );
    expect(docker).not.toContain('apparmor=unconfined');
    const kubernetes = selinux('kubernetes');
    expect(kubernetes).toContain('Use seLinuxOptions type: spc_t, or an SELinux policy that allows the mounts.');
    expect(kubernetes).not.toContain('appArmorProfile');
    // The advice knows SELinux by the words the probe writes for a confining label.
    const probe = readFileSync(new URL('../../components/doctor/script.sh.hbs', import.meta.url), 'utf8');
    expect(probe).toContain('*:*:*) cigen_fact apparmor false "SELinux label $_p_label" ;;');
  });

  it('user namespaces refused by the kernel itself: the sysctls', () => {
    expect(adviceText(report('docker', ['userns', 'mount']))).toContain('user.max_user_namespaces');
  });

  it('a privileged runner: buildah, dind only as a warning', () => {
    const text = adviceText(report('docker', []));
    expect(text).toContain('Recommended: buildah');
    expect(text).toMatch(/WARNING: this job ran privileged\. dind would work/);
    expect(text).toContain('GitLab Runner issue 36810');
  });

  // What a probe sees in a privileged container: privileged lifts seccomp, AppArmor and /proc
  // masking, and user namespaces and mounts work with them lifted.
  const PRIVILEGED_FAILING: CheckName[] = ['binfmt'];

  it("a privileged runner: the facts privileged lifted are said to be a privileged job's, not proof for privileged = false", () => {
    for (const executor of ['docker', 'kubernetes'] as const) {
      const text = adviceText(report(executor, PRIVILEGED_FAILING));
      expect(text, executor).toContain(
        'userns, mount, seccomp, apparmor and proc-unmasked above say what a privileged job may do, not what a job may do once ' +
          'privileged is off.',
      );
      expect(text, executor).toContain(
        'turn privileged off (privileged = false) unless something else truly needs it, with the settings below',
      );
    }
  });

  it('a privileged Docker runner: buildah, and the runner-config step to keep it working with privileged = false', () => {
    const text = adviceText(report('docker', PRIVILEGED_FAILING));
    expect(text).toContain('Recommended: buildah\n');
    expect(text).toContain('To change on the runner:');
    expect(text).toContain(
      "- Before turning privileged off: with privileged = false, Docker's default seccomp profile (and its AppArmor profile, on hosts " +
        'with AppArmor) comes back and refuses unshare() and mount(), which Buildah needs. The settings: ' +
        'cigen runner-config --builder buildah --executor docker; then run the doctor component again',
    );
    // proc-unmasked yes beside "buildah-rootless not possible": the note says why both hold.
    expect(text).toContain(
      'proc-unmasked says yes because privileged unmasks /proc; without privileged the Docker executor cannot unmask it',
    );
  });

  it('a privileged Kubernetes runner: buildah-rootless, and the settings it needs once privileged is off', () => {
    const text = adviceText(report('kubernetes', PRIVILEGED_FAILING));
    expect(text).toContain('Recommended: buildah-rootless\n');
    expect(text).toContain(
      '- Before turning privileged off: with privileged = false, /proc is masked again, and rootless isolation needs it unmasked: ' +
        'procMount: Unmasked, with the pod in a user namespace (hostUsers: false). The settings: ' +
        'cigen runner-config --builder buildah-rootless --executor kubernetes; then run the doctor component again ' +
        '(userns, mount and proc-unmasked should still say yes, and privileged no).',
    );
    expect(text).not.toContain('proc-unmasked says yes because');
  });

  // The probe's words for the privileged check (components/doctor/script.sh.hbs).
  const shellPrivileged = (capEff: string, capabilities: string) => {
    const base = report('shell', PRIVILEGED_FAILING);
    const privileged = { ok: true, detail: `CapEff ${capEff} (${capabilities}), seccomp off, /proc unmasked: privileged` };
    return { ...base, checks: { ...base.checks, privileged } };
  };

  it('every capability on a shell executor: root on the host, no privileged = false or dind to speak of', () => {
    const text = adviceText(shellPrivileged('000001ffffffffff', 'every capability'));
    expect(text).toContain(
      '- WARNING: this job runs on the host (a shell executor) with every capability: every job on this runner can take over ' +
        'the host. Run the runner as an unprivileged user',
    );
    expect(text).not.toMatch(/dind would work|privileged = false|Before turning privileged off/);
  });

  it('privileged on a shell executor with a capability dropped: the warning says what the privileged row says', () => {
    // 000001fffeffffff: every capability but CAP_SYS_PACCT (bit 20).
    const text = adviceText(shellPrivileged('000001fffeffffff', 'CAP_SYS_ADMIN; some capabilities dropped'));
    expect(text).toContain(
      '- WARNING: this job runs on the host (a shell executor) with CAP_SYS_ADMIN (some capabilities dropped): every job on this ' +
        'runner can take over the host.',
    );
    expect(text).not.toContain('every capability');
  });

  it('not privileged: no word of it', () => {
    const text = adviceText(report('docker', ['seccomp', 'apparmor', 'proc-unmasked', 'privileged']));
    expect(text).not.toMatch(/WARNING|Before turning privileged off|privileged unmasks/);
  });

  it('Kubernetes with masked /proc: buildah now, and how to get rootless', () => {
    const text = adviceText(report('kubernetes', ['proc-unmasked', 'privileged']));
    expect(text).toContain('Recommended: buildah');
    expect(text).toContain('cigen runner-config --builder buildah-rootless --executor kubernetes');
  });

  // The probe's words when it could not write in the storage directory, as the advice recognises them.
  const PROBE = readFileSync(join(import.meta.dirname, '../../components/doctor/script.sh.hbs'), 'utf8');
  const withOverlay = (detail: string): string => {
    const probed = report('docker', ['seccomp', 'apparmor', 'privileged']);
    return adviceText({ ...probed, checks: { ...probed.checks, overlay: { ok: false, detail } } });
  };

  it.each(['write in', 'create'])('overlay not tried, the storage directory refused to this job (cannot %s): its user named', (verb) => {
    const detail = `could not test: cannot ${verb} /var/lib/containers: mkdir: cannot create directory '/var/lib/containers': Permission denied`;
    const text = withOverlay(detail);
    expect(text).toContain(
      `- overlay: ${detail}. The probe could not try overlay: this job's user may not write in the storage directory. ` +
        'If your builds keep their container storage there, give them one they can write (a volume);',
    );
    expect(text).toContain("set the doctor's storage input to it");
    expect(text).not.toMatch(/vfs|overlayfs|read-only/);
    expect(PROBE).toContain(`cigen_fact overlay false "\${cigen_untested}cannot ${verb} $cigen_storage: $CIGEN_REPLY"`);
  });

  it.each(['write in', 'create'])(
    'overlay not tried, the storage directory on a read-only file system (cannot %s): said so, no user blamed',
    (verb) => {
      const detail = `could not test: cannot ${verb} /var/lib/containers: it is on a read-only file system (ext4)`;
      const text = withOverlay(detail);
      expect(text).toContain(
        `- overlay: ${detail}. The probe could not try overlay: the storage directory is on a read-only file system. ` +
          'If your builds keep their container storage there, mount a writable volume there;',
      );
      expect(text).not.toMatch(/user may not|user cannot|vfs/);
      expect(PROBE).toContain(
        `cigen_fact overlay false "\${cigen_untested}cannot ${verb} $cigen_storage: it is on a read-only file system ($_p_fs)"`,
      );
    },
  );

  it('overlay not tried for another error (a full disk): the directory cannot be written, no cause guessed', () => {
    const detail =
      'could not test: cannot write in /var/lib/containers: mktemp: failed to create directory via template: No space left on device';
    const text = withOverlay(detail);
    expect(text).toContain(`- overlay: ${detail}. The probe could not try overlay: it cannot write in the storage directory. If your`);
    expect(text).not.toMatch(/user may not|read-only|vfs/);
  });

  it("a report of an older doctor job (no 'could not test:' before the storage error) still gets the storage note, not vfs", () => {
    const text = withOverlay('cannot write in /var/lib/containers: Permission denied');
    expect(text).toContain("The probe could not try overlay: this job's user may not write in the storage directory.");
    expect(text).not.toContain('vfs');
  });

  it('overlay refused: a note about vfs, not a blocker', () => {
    const text = adviceText(report('kubernetes', ['overlay', 'privileged']));
    expect(text).toContain('Recommended: buildah-rootless');
    expect(text).toMatch(/- overlay: overlay blocked\. Builds still work on vfs/);
    expect(text).not.toContain('To change on the runner');
  });
});

describe('checks the probe could not run: no verdict on the runner', () => {
  const NO_UNSHARE = {
    docker: 'in the probe image',
    kubernetes: 'in the probe image',
    shell: 'on the host',
    unknown: "in this job's PATH",
  };
  /** unshare missing where the probe ran: userns, mount and overlay not tested (the probe's words). */
  function withoutUnshare(executor: Executor, failing: CheckName[] = []): DoctorReport {
    const probed = report(executor, failing);
    const untested = { ok: false, detail: `could not test: unshare is not ${NO_UNSHARE[executor]}` };
    const checks = { ...probed.checks, userns: untested, mount: untested, overlay: untested };
    const choice = recommend({ checks, executor });
    return { ...probed, checks, verdicts: verdicts(checks, executor), recommendation: choice.builder, reason: choice.reason };
  }

  it('the probe says where unshare is missing, in the words the advice reads', () => {
    const probe = readFileSync(join(import.meta.dirname, '../../components/doctor/script.sh.hbs'), 'utf8');
    for (const [executor, where] of Object.entries(NO_UNSHARE))
      expect(probe).toContain(executor === 'unknown' ? `*) cigen_where="${where}" ;;` : `) cigen_where='${where}' ;;`);
    expect(probe.match(/cigen_fact (?:userns|mount|overlay) false "\$\{cigen_untested\}unshare is not \$cigen_where"/g)).toHaveLength(3);
  });

  it('verdicts: untested apart from missing, in the JSON and in the words of the table', () => {
    const v = verdicts(withoutUnshare('docker').checks, 'docker');
    expect(v.buildah).toEqual({ ok: false, missing: [], untested: ['userns', 'mount'] });
    expect(verdictText(v.buildah)).toBe('untested: userns, mount');
    expect(v.kaniko).toEqual({ ok: true, missing: [] });
    const both = report('docker', ['userns']);
    both.checks.mount = { ok: false, detail: 'could not test: cannot create a directory to mount on: mktemp: Permission denied' };
    const mixed = verdicts(both.checks, 'docker');
    expect(mixed.buildah).toEqual({ ok: false, missing: ['userns'], untested: ['mount'] });
    expect(verdictText(mixed.buildah)).toBe('missing: userns; untested: mount');
    // A failed check that happens to say "could not test" later on is a failure.
    both.checks.mount = { ok: false, detail: 'mount failed: could not test: x' };
    expect(verdicts(both.checks, 'docker').buildah).toEqual({ ok: false, missing: ['userns', 'mount'] });
  });

  it('recommend: kaniko (or Buildah on the host) without saying that Buildah cannot run', () => {
    expect(recommend(withoutUnshare('docker'))).toEqual({
      builder: 'kaniko',
      reason:
        'what Buildah needs could not be tested here (untested: userns, mount): Kaniko needs nothing from the runner but uid 0, ' +
        'which this job has',
    });
    expect(recommend(withoutUnshare('shell'))).toEqual({
      builder: 'buildah',
      reason:
        'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; whether the ' +
        'host has what it needs could not be tested (untested: userns, mount) (or use a Docker or Kubernetes runner)',
    });
  });

  it.each([
    ['docker', 'run the doctor component again with a probe-image that has unshare (util-linux), such as its default'],
    ['kubernetes', 'run the doctor component again with a probe-image that has unshare (util-linux), such as its default'],
    ['shell', 'install unshare (util-linux) on the host and run the doctor component again'],
    ['unknown', 'run the doctor component again where unshare (util-linux) is in the PATH'],
  ] as const)('%s, unshare missing: how to test, never "the host refuses them", no snippet', (executor, remedy) => {
    // The probe ran under Docker's seccomp filter and AppArmor: still nothing was seen to fail.
    const text = adviceText(withoutUnshare(executor, ['seccomp', 'apparmor', 'privileged']));
    expect(text).toContain(
      `- userns and mount could not be tested (unshare is not ${NO_UNSHARE[executor]}), so what Buildah lacks here, if anything, ` +
        `is not known: ${remedy}.`,
    );
    expect(text).toMatch(/^buildah +untested: userns, mount$/m);
    expect(text).not.toMatch(/host refuses|failed|mounts fail|snippet|security_opt|seccompProfile|vfs/);
    if (executor !== 'shell') expect(text).toContain('Until then kaniko is the way');
  });

  it('a check not tested for another reason: the reason, and no remedy for unshare', () => {
    const probed = report('docker', ['privileged']);
    probed.checks.mount = { ok: false, detail: 'could not test: cannot create a directory to mount on: mktemp: Permission denied' };
    const text = adviceText(probed);
    expect(text).toContain('Recommended: kaniko');
    expect(text).toContain(
      '- mount could not be tested (cannot create a directory to mount on: mktemp: Permission denied), so what Buildah lacks here, ' +
        'if anything, is not known: fix what stops the probe, and run the doctor component again.',
    );
    expect(text).not.toMatch(/unshare|mounts fail inside/);
  });

  it('user namespaces failed and mount could not be tested: the host named for what failed, the rest untested', () => {
    const probed = report('docker', ['userns', 'privileged']);
    probed.checks.mount = { ok: false, detail: 'could not test: cannot create a directory to mount on: mktemp: Permission denied' };
    const text = adviceText(probed);
    expect(text).toContain('Buildah cannot run here (missing: userns)');
    expect(text).toContain(
      'user namespaces fail although neither seccomp nor AppArmor confines the job (userns blocked): the host refuses them',
    );
    expect(text).toContain('- mount could not be tested (');
    expect(text).not.toContain('mounts fail inside');
  });

  it('a report with untested verdicts reads back; an unknown check in them is named', () => {
    const saved = withoutUnshare('docker');
    expect(parseDoctorReport(JSON.stringify(saved))).toEqual(saved);
    const data = JSON.parse(JSON.stringify(saved)) as { verdicts: { buildah: { untested: string[] } } };
    data.verdicts.buildah.untested = ['gpu'];
    expect(() => parseDoctorReport(JSON.stringify(data))).toThrow(
      /^verdicts\.buildah\.untested\[0\] must be one of userns, .*, got "gpu"$/,
    );
  });
});

describe('a privileged runner: turning privileged off is said to keep the build working only with what it really needs', () => {
  // Privileged, but the host refuses user namespaces even so (user.max_user_namespaces=0): kaniko.
  const KANIKO_PRIVILEGED: CheckName[] = ['userns', 'mount', 'binfmt'];

  it.each(['docker', 'kubernetes'] as const)('%s, kaniko recommended: kaniko needs no settings, none are promised', (executor) => {
    const text = adviceText(report(executor, KANIKO_PRIVILEGED));
    expect(text).toContain('Recommended: kaniko');
    expect(text).toContain(
      'turn privileged off (privileged = false) unless something else truly needs it: kaniko needs nothing that privileged gives, ' +
        'so the build keeps working without it.\n',
    );
    expect(text).not.toMatch(/settings below|Before turning privileged off/);
  });

  it('an executor cigen has no settings for, Buildah recommended: no settings promised, and no kaniko', () => {
    const text = adviceText(report('unknown', ['binfmt']));
    expect(text).toContain('Recommended: buildah');
    expect(text).toContain('turn privileged off (privileged = false) unless something else truly needs it.\n');
    expect(text).not.toMatch(/settings below|Before turning privileged off|kaniko needs nothing/);
  });
});

describe('buildah on the host of a shell executor: the buildah check', () => {
  const NO_BUILDAH = { ok: false, detail: 'buildah is not on the host' };
  const withoutBuildah = (executor: Executor, failing: CheckName[] = ['privileged']): DoctorReport => {
    const probed = report(executor, failing);
    const checks = { ...probed.checks, buildah: NO_BUILDAH };
    const choice = recommend({ checks, executor });
    return { ...probed, checks, verdicts: verdicts(checks, executor), recommendation: choice.builder, reason: choice.reason };
  };

  it('a shell executor needs it for the buildah components; a Docker, Kubernetes or unknown one does not', () => {
    const shell = withoutBuildah('shell');
    expect(shell.verdicts.buildah).toEqual({ ok: false, missing: ['buildah'] });
    expect(shell.verdicts['buildah-rootless']).toEqual({ ok: false, missing: ['buildah'] });
    expect(shell.verdicts.kaniko).toEqual({ ok: false, missing: [], impossible: expect.stringMatching(/^not possible on a shell/) });
    for (const executor of ['docker', 'kubernetes', 'unknown'] as const)
      expect(withoutBuildah(executor).verdicts.buildah, executor).toEqual({ ok: true, missing: [] });
    // With the rest failing too, in check order.
    expect(withoutBuildah('shell', ['userns', 'privileged']).verdicts.buildah).toEqual({ ok: false, missing: ['userns', 'buildah'] });
  });

  it('the recommendation says the host lacks it, not that Buildah works there', () => {
    expect(recommend(withoutBuildah('shell'))).toEqual({
      builder: 'buildah',
      reason:
        'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; it still lacks ' +
        'buildah there (or use a Docker or Kubernetes runner)',
    });
  });

  it('cigen doctor: no "ok" for buildah, and what to install where', () => {
    const text = adviceText(withoutBuildah('shell'));
    expect(text).toMatch(/^buildah +no +buildah is not on the host$/m);
    expect(text).toMatch(/^buildah +missing: buildah$/m);
    expect(text).toMatch(/^buildah-rootless +missing: buildah$/m);
    expect(text).not.toMatch(/^buildah +ok$/m);
    expect(text).toContain('Recommended: buildah\n  a shell executor runs jobs on the host');
    expect(text).toContain(
      "- buildah is not in the PATH of this runner's jobs on the host (buildah is not on the host): install Buildah there " +
        "(the buildah package of the host's distribution), then run the doctor component again.",
    );
    expect(text).toContain('on a shell runner the host itself needs buildah, unprivileged user namespaces and mounts.');
    // Installed: nothing about it.
    expect(adviceText(report('shell', ['privileged']))).not.toContain('install Buildah');
  });

  it('a report written before the check: buildah not tested on a shell executor, never missing, and how to test it', async () => {
    const older = (executor: Executor): DoctorReport => {
      const data = JSON.parse(JSON.stringify(report(executor, ['privileged']))) as Record<string, any>;
      delete data['checks']['buildah'];
      return parseDoctorReport(JSON.stringify(data));
    };
    const shell = older('shell');
    const v = verdicts(shell.checks, 'shell');
    expect(v.buildah).toEqual({ ok: false, missing: [], untested: ['buildah'] });
    expect(recommend(shell)).toEqual({
      builder: 'buildah',
      reason:
        'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; whether the ' +
        'host has what it needs could not be tested (untested: buildah) (or use a Docker or Kubernetes runner)',
    });
    const text = adviceText(shell);
    expect(text).toMatch(/^buildah +untested: buildah$/m);
    expect(text).toContain(
      '- buildah could not be tested (the doctor job that wrote this report is older than this check), so what Buildah lacks here, ' +
        "if anything, is not known: run the doctor component again, at this cigen's version or later.",
    );
    expect(text).not.toMatch(/fix what stops the probe|install Buildah/);
    // --format json: the same verdicts.
    const path = join(tempDir('cigen-doctor-older-'), 'cigen-doctor.json');
    const data = JSON.parse(JSON.stringify(shell)) as Record<string, any>;
    delete data['checks']['buildah'];
    writeFileSync(path, JSON.stringify(data));
    let output = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    try {
      await runDoctor({ report: path, format: 'json' });
    } finally {
      vi.restoreAllMocks();
    }
    expect(JSON.parse(output)).toMatchObject({ recommendation: 'buildah', verdicts: { buildah: { ok: false, untested: ['buildah'] } } });
    // Elsewhere the build job brings its own buildah: an older report's verdicts stand.
    expect(verdicts(older('docker').checks, 'docker').buildah).toEqual({ ok: true, missing: [] });
  });
});

describe('cigen doctor --report', () => {
  function capture(): { output: () => string } {
    let output = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    });
    return { output: () => output };
  }
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function reportFile(content: string): string {
    const path = join(tempDir('cigen-doctor-cli-'), 'cigen-doctor.json');
    writeFileSync(path, content);
    return path;
  }

  it('prints the advice for a report a doctor job left', async () => {
    const probed = report('docker', ['userns', 'mount', 'seccomp', 'apparmor', 'proc-unmasked', 'privileged']);
    const out = capture();
    await runDoctor({ report: reportFile(JSON.stringify(probed)), format: 'text' });
    expect(out.output()).toBe(adviceText(probed));
    expect(out.output()).toContain('Recommended: kaniko');
  });

  it('--format json: {executor, recommendation, reason, verdicts}, as docs/commands/doctor.md says', async () => {
    const probed = report('kubernetes', []);
    const out = capture();
    await runDoctor({ report: reportFile(JSON.stringify(probed)), format: 'json' });
    expect(JSON.parse(out.output())).toEqual({
      executor: 'kubernetes',
      recommendation: 'buildah-rootless',
      reason: probed.reason,
      verdicts: probed.verdicts,
    });
    expect(readFileSync(join(import.meta.dirname, '../../docs/commands/doctor.md'), 'utf8')).toContain(
      '`--format json` prints `{"executor","recommendation","reason","verdicts"}`',
    );
  });

  it('a malformed report: InputError naming the file and the problem', async () => {
    const path = reportFile(JSON.stringify({ ...report('docker'), checks: { userns: { ok: true, detail: '' } } }));
    const error = await runDoctor({ report: path, format: 'text' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${path}: not a cigen doctor report: checks.mount is missing`);
    const broken = reportFile('not json');
    await expect(runDoctor({ report: broken, format: 'text' })).rejects.toThrow(
      new RegExp(`^${broken}: not a cigen doctor report: not valid JSON`),
    );
  });

  it.each([
    ['an object', { ok: true }],
    ['a wrong detail', { ok: true, detail: 5 }],
    ['null', null],
  ])('a check this cigen does not know (%s) is left out, not a crash: the advice of the known ones', async (_, extra) => {
    const probed = report('docker', ['userns', 'mount']);
    const out = capture();
    await runDoctor({ report: reportFile(JSON.stringify({ ...probed, checks: { ...probed.checks, extra } })), format: 'text' });
    expect(out.output()).toBe(adviceText(probed));
    expect(out.output()).not.toContain('extra');
  });

  it('a missing report file: a usage error', async () => {
    await expect(runDoctor({ report: join(tmpdir(), 'no-such-cigen-doctor.json'), format: 'text' })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('the root check: kaniko runs as uid 0, and a runner that forces another uid fails every kaniko job', () => {
  const NOT_ROOT = { ok: false, detail: 'the job runs as uid 1000' };
  const notRoot = (executor: Executor, failing: CheckName[] = ['userns', 'mount']): DoctorReport => {
    const probed = report(executor, failing);
    probed.checks.root = NOT_ROOT;
    return probed;
  };
  /** A report a doctor job wrote before the root check, as cigen reads it. */
  const older = (executor: Executor, failing: CheckName[] = ['userns', 'mount']): DoctorReport => {
    const data = JSON.parse(JSON.stringify(report(executor, failing))) as Record<string, any>;
    delete data['checks']['root'];
    return parseDoctorReport(JSON.stringify(data));
  };

  it('not root, Buildah missing something: kaniko missing root, Buildah recommended, and never "Kaniko needs nothing"', () => {
    for (const executor of ['docker', 'kubernetes', 'unknown'] as const) {
      const probed = notRoot(executor);
      expect(verdicts(probed.checks, executor).kaniko).toEqual({ ok: false, missing: ['root'] });
      expect(recommend(probed)).toEqual({
        builder: 'buildah',
        reason:
          'Buildah cannot run here (missing: userns, mount): Kaniko cannot run either, it needs uid 0 in its container and the job ' +
          'runs as uid 1000; a runner admin can enable Buildah (cigen runner-config), or stop forcing a non-root user on jobs for Kaniko',
      });
      const text = adviceText(probed);
      expect(text).toMatch(/^root +no +the job runs as uid 1000$/m);
      expect(text).toMatch(/^kaniko +missing: root$/m);
      expect(text).toContain('Recommended: buildah');
      expect(text).toContain(
        "- kaniko needs uid 0 in its container, and the job runs as uid 1000: the runner forces that user. Settings that do: the Docker executor's user in [runners.docker];",
      );
      expect(text).not.toMatch(/Kaniko needs nothing|kaniko needs nothing|Until then kaniko/);
    }
    // What the admin can change for Buildah is still named.
    expect(adviceText(notRoot('docker', ['userns', 'mount', 'seccomp']))).toContain(
      'The config.toml snippet: cigen runner-config --builder buildah --executor docker',
    );
  });

  it('not root, Buildah untested: Buildah recommended, Kaniko said not to run', () => {
    const probed = notRoot('docker', []);
    for (const check of ['userns', 'mount'] as const)
      probed.checks[check] = { ok: false, detail: 'could not test: unshare is not in the probe image' };
    expect(recommend(probed)).toEqual({
      builder: 'buildah',
      reason:
        'what Buildah needs could not be tested here (untested: userns, mount): Kaniko cannot run either, it needs uid 0 in its ' +
        'container and the job runs as uid 1000; a runner admin can enable Buildah (cigen runner-config), or stop forcing a ' +
        'non-root user on jobs for Kaniko',
    });
    expect(adviceText(probed)).not.toMatch(/needs nothing|Until then kaniko/);
  });

  it('not root where Buildah works: Buildah, as before; kaniko missing root; privileged says nothing of the uid', () => {
    const probed = notRoot('docker', []);
    expect(recommend(probed)).toEqual({ builder: 'buildah', reason: REASONS.buildah });
    expect(verdicts(probed.checks, 'docker').kaniko).toEqual({ ok: false, missing: ['root'] });
    // Root with privileged: kaniko works as the runner is, not through privileged.
    expect(runnerStanding(report('docker', ['userns', 'mount']), 'kaniko')).toBe('as-is');
  });

  it('root: kaniko needs nothing but the uid the job has', () => {
    expect(recommend(report('docker', ['userns', 'mount']))).toEqual({
      builder: 'kaniko',
      reason:
        'Buildah cannot run here (missing: userns, mount): Kaniko needs nothing from the runner but uid 0, which this job has; ' +
        'a runner admin can enable Buildah (cigen runner-config)',
    });
    expect(adviceText(report('docker', ['userns', 'mount']))).toContain(
      '- Until then kaniko is the way: it needs nothing from the runner but uid 0, which its jobs have',
    );
  });

  it('a report older than the root check: root not tested, never failed, and Kaniko only on that condition', () => {
    const probed = older('docker');
    expect(probed.checks.root).toEqual({
      ok: false,
      detail: 'could not test: the doctor job that wrote this report is older than this check',
    });
    const v = verdicts(probed.checks, 'docker');
    expect(v.kaniko).toEqual({ ok: false, missing: [], untested: ['root'] });
    expect(verdictText(v.kaniko)).toBe('untested: root');
    expect(recommend(probed)).toEqual({
      builder: 'kaniko',
      reason:
        'Buildah cannot run here (missing: userns, mount): Kaniko needs nothing from the runner but uid 0, if the runner lets jobs ' +
        'run as root (root: not tested); a runner admin can enable Buildah (cigen runner-config)',
    });
    const text = adviceText(probed);
    expect(text).toContain(
      '- Until then kaniko is the way if the runner lets jobs run as root: it needs uid 0 in its container (root: could not test: ' +
        "the doctor job that wrote this report is older than this check; run the doctor component again, at this cigen's version or " +
        'later, to see).',
    );
    expect(text).not.toMatch(/Kaniko needs nothing from the runner[;:.]|which its jobs have|which this job has/);
    // Buildah untested too: the condition all the same.
    const neither = older('kubernetes', []);
    for (const check of ['userns', 'mount'] as const)
      neither.checks[check] = { ok: false, detail: 'could not test: unshare is not in the probe image' };
    expect(recommend(neither).reason).toBe(
      'what Buildah needs could not be tested here (untested: userns, mount): Kaniko needs nothing from the runner but uid 0, if ' +
        'the runner lets jobs run as root (root: not tested)',
    );
  });
});
