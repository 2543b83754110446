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
import { EXECUTORS, recommend, verdicts, type Executor } from '../../src/runner/capabilities.js';
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
        expect(builder, `${executor} ${failing.join(',')}`).toBe(
          rootless && executor === 'kubernetes' ? 'buildah-rootless' : buildah || executor === 'shell' ? 'buildah' : 'kaniko',
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

  it('reads a report an older doctor job wrote, before the binfmt check, as binfmt not probed', () => {
    const read = parseDoctorReport(text((d) => delete d['checks']['binfmt']));
    expect(read.checks.binfmt).toEqual({ ok: false, detail: 'not probed: the report was written by an older cigen doctor job' });
    expect(read.checks.userns).toEqual(good.checks.userns);
  });

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
      text((d) => (d['verdicts']['buildah']['missing'] = ['root'])),
      /^verdicts\.buildah\.missing\[0\] must be one of userns, .*, got "root"$/,
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

  it('every capability on a shell executor: root on the host, no privileged = false or dind to speak of', () => {
    const text = adviceText(report('shell', PRIVILEGED_FAILING));
    expect(text).toContain('WARNING: this job ran with every capability: the shell executor runs jobs as root on the host');
    expect(text).not.toMatch(/dind would work|privileged = false|Before turning privileged off/);
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

  it.each(['cannot write in /var/lib/containers: Permission denied', 'cannot create /var/lib/containers: Permission denied'])(
    'overlay not tried, the storage directory not writable (%s): the note names that, not vfs or overlayfs',
    (detail) => {
      const probed = report('docker', ['seccomp', 'apparmor', 'privileged']);
      const text = adviceText({ ...probed, checks: { ...probed.checks, overlay: { ok: false, detail } } });
      expect(text).toContain(
        `- overlay: ${detail}. The probe could not try overlay: this job's user cannot write in the storage directory.`,
      );
      expect(text).toContain("set the doctor's storage input to it");
      expect(text).not.toMatch(/vfs|overlayfs/);
      // The probe's own words, which the advice recognises.
      const probe = readFileSync(join(import.meta.dirname, '../../components/doctor/script.sh.hbs'), 'utf8');
      expect(probe).toContain(`cigen_fact overlay false "${detail.split(' /')[0]} $cigen_storage: $CIGEN_REPLY"`);
    },
  );

  it('overlay refused: a note about vfs, not a blocker', () => {
    const text = adviceText(report('kubernetes', ['overlay', 'privileged']));
    expect(text).toContain('Recommended: buildah-rootless');
    expect(text).toMatch(/- overlay: overlay blocked\. Builds still work on vfs/);
    expect(text).not.toContain('To change on the runner');
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
