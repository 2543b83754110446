/**
 * `cigen doctor`'s advice: the facts of a doctor report, a verdict per builder, the
 * recommendation, warnings, and what to change on the runner.
 */
import { BUILDER_IDS, type BuilderId } from '../builders/index.js';
import { APPARMOR_ANNOTATION, CHECK_NAMES, FORCED_USER_SETTINGS, SHELL_HOST_NEEDS, type CheckName } from '../builders/runner.js';
import {
  OLDER_REPORT,
  recommend,
  runnerStanding,
  shellRootWarning,
  UNTESTED,
  verdicts,
  verdictText,
  type Executor,
  type Verdict,
} from './capabilities.js';
import type { DoctorReport } from './report.js';
const EXECUTOR_TEXT: Record<Executor, string> = {
  docker: 'Docker executor',
  kubernetes: 'Kubernetes executor',
  shell: 'shell executor (jobs run on the host)',
  unknown: 'executor not recognised',
};

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const runnerConfigCommand = (builder: BuilderId, executor: 'docker' | 'kubernetes') =>
  `cigen runner-config --builder ${builder} --executor ${executor}`;

/**
 * The line naming `cigen runner-config --builder buildah`, or undefined when its snippet holds
 * nothing this runner lacks (only the host is at fault). The snippet changes seccomp (Docker:
 * security_opt seccomp=unconfined; Kubernetes: a seccompProfile Localhost patch) and, on Docker
 * only, AppArmor (apparmor=unconfined): where only part of it is the fix, the line says which,
 * and where the fix is not in it (SELinux; AppArmor on Kubernetes), what to add.
 */
function snippetLine(
  executor: 'docker' | 'kubernetes',
  fix: { seccomp: boolean; confinement: boolean; selinux: boolean },
): string | undefined {
  const command = runnerConfigCommand('buildah', executor);
  if (executor === 'docker') {
    if (fix.confinement && fix.selinux) {
      const seccomp = fix.seccomp ? ', and keep its seccomp entry' : ' (its seccomp entry is not needed here: seccomp does not filter)';
      return (
        `The config.toml snippet (${command}) sets AppArmor, not SELinux: put label=disable in its security_opt in place of ` +
        `its AppArmor entry${seccomp}.`
      );
    }
    if (fix.seccomp && fix.confinement) return `The config.toml snippet: ${command}`;
    if (fix.seccomp) return `The config.toml snippet: ${command} (of its security_opt, seccomp=unconfined is what this runner lacks)`;
    if (fix.confinement) return `The config.toml snippet: ${command} (of its security_opt, apparmor=unconfined is what this runner lacks)`;
    return undefined;
  }
  const confinement = fix.selinux
    ? {
        name: 'SELinux',
        add: "seLinuxOptions: {type: spc_t} to the build container's securityContext in a pod_spec patch",
      }
    : {
        name: 'AppArmor',
        add:
          `${APPARMOR_ANNOTATION} under [runners.kubernetes.pod_annotations] (any GitLab Runner version), ` +
          'or appArmorProfile: {type: Unconfined} in a pod_spec patch (GitLab Runner 18.7 or later)',
      };
  if (fix.seccomp && fix.confinement)
    return (
      `The Helm values.yml snippet: ${command} (its seccompProfile patch); ` +
      `it has no ${confinement.name} setting: add ${confinement.add}.`
    );
  if (fix.seccomp) return `The Helm values.yml snippet: ${command} (its seccompProfile patch)`;
  if (fix.confinement)
    return (
      `The Helm values.yml snippet (${command}) has no ${confinement.name} setting, and its seccompProfile patch is not needed ` +
      `here (seccomp does not filter): add ${confinement.add}.`
    );
  return undefined;
}

/**
 * What to do about the checks Buildah needs that the probe could not run: their reasons, and how to
 * run them (unshare, which the probe names when it is missing, where this executor takes it from).
 */
function untestedLine(report: DoctorReport, untested: readonly CheckName[], missing: readonly CheckName[]): string {
  const reasons = [...new Set(untested.map((check) => report.checks[check].detail.slice(UNTESTED.length)))];
  // The probe's words for a missing unshare (components/doctor/script.sh.hbs).
  const noUnshare = untested.some((check) => report.checks[check].detail.startsWith(`${UNTESTED}unshare is not `));
  // A report from before a check: nothing stopped the probe, it did not have the check yet.
  const older = untested.every((check) => report.checks[check].detail === OLDER_REPORT);
  const remedy = !noUnshare
    ? older
      ? "run the doctor component again, at this cigen's version or later"
      : 'fix what stops the probe, and run the doctor component again'
    : report.executor === 'shell'
      ? 'install unshare (util-linux) on the host and run the doctor component again'
      : report.executor === 'unknown'
        ? 'run the doctor component again where unshare (util-linux) is in the PATH'
        : 'run the doctor component again with a probe-image that has unshare (util-linux), such as its default';
  // Beside a check that failed (userns, before a mount never tried), only what more it lacks is unknown.
  const unknown =
    missing.length > 0 ? 'so whether Buildah lacks more here is not known' : 'so what Buildah lacks here, if anything, is not known';
  return `${untested.join(' and ')} could not be tested (${reasons.join('; ')}), ${unknown}: ${remedy}.`;
}

/** What the runner admin would change to move from Kaniko to Buildah (chroot isolation). */
function enableBuildah(report: DoctorReport, verdict: Verdict): string[] {
  const { checks, executor } = report;
  const { missing } = verdict;
  const lines: string[] = verdict.untested ? [untestedLine(report, verdict.untested, missing)] : [];
  const seccompFilters = !checks.seccomp.ok;
  const apparmorBlocks = !checks.apparmor.ok;
  // Only calls that failed are named: a filter or a confinement that let them through (a custom
  // profile) is not what stops Buildah.
  const failed = [missing.includes('userns') ? 'unshare()' : undefined, missing.includes('mount') ? 'mount()' : undefined].filter(
    (call) => call !== undefined,
  );
  // Each executor's own words for the same settings (Docker's security_opt, a pod's securityContext).
  const kubernetes = executor === 'kubernetes';
  const allowSeccomp = kubernetes
    ? 'seccompProfile type: Localhost with a profile that adds just those calls (or Unconfined)'
    : 'seccomp=unconfined, or better a custom profile that adds just those calls';
  // The probe says which confines the job: an SELinux label (its detail starts so), else AppArmor.
  const selinux = /^SELinux label /.test(checks.apparmor.detail);
  const confinement = selinux ? 'SELinux' : 'AppArmor';
  const allowConfinement = selinux
    ? kubernetes
      ? 'seLinuxOptions type: spc_t, or an SELinux policy that allows the mounts'
      : 'label=disable in security_opt, or an SELinux policy that allows the mounts'
    : kubernetes
      ? 'appArmorProfile type: Unconfined (or Localhost with a profile loaded on every node)'
      : 'apparmor=unconfined, or a custom profile loaded with apparmor_parser';
  if (seccompFilters && failed.length > 0)
    lines.push(
      `seccomp is filtering (${checks.seccomp.detail}) and ${failed.join(' and ')} failed, which the container runtime's default ` +
        `profile refuses. Allow them: ${allowSeccomp}.`,
    );
  if (apparmorBlocks && missing.includes('mount'))
    lines.push(
      `${confinement} confines the job (${checks.apparmor.detail}) and mount() failed, which the default ` +
        `${selinux ? 'policy' : 'profile'} refuses. Use ${allowConfinement}.`,
    );
  if (missing.includes('userns') && !seccompFilters) {
    const neither = apparmorBlocks ? 'seccomp does not filter' : `neither seccomp nor ${confinement} confines the job`;
    lines.push(
      `user namespaces fail although ${neither} ` +
        `(${checks.userns.detail}): the host refuses them. Check user.max_user_namespaces (> 0), ` +
        'kernel.unprivileged_userns_clone=1 (Debian) and kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+).',
    );
  }
  if (missing.includes('mount') && !missing.includes('userns') && !seccompFilters && !apparmorBlocks) {
    lines.push(
      `mounts fail inside a user namespace (${checks.mount.detail}): look for a security policy (SELinux, an admission controller, ` +
        'a runtime such as gVisor) that refuses mount().',
    );
  }
  // A shell executor runs the host's own buildah (the probe's words: components/doctor/script.sh.hbs).
  if (missing.includes('buildah'))
    lines.push(
      `buildah is not in the PATH of this runner's jobs on the host (${checks.buildah.detail}): install Buildah there ` +
        "(the buildah package of the host's distribution), then run the doctor component again.",
    );
  if (executor === 'docker' || executor === 'kubernetes') {
    const snippet = snippetLine(executor, {
      seccomp: seccompFilters && failed.length > 0,
      confinement: apparmorBlocks && missing.includes('mount'),
      selinux,
    });
    if (snippet) lines.push(snippet);
  } else {
    const where =
      executor === 'shell'
        ? `shell runner the host itself needs ${SHELL_HOST_NEEDS}`
        : 'runner of another kind, allow unshare() and mount() for the job';
    lines.push(
      `cigen runner-config writes the settings for the Docker and Kubernetes executors (--executor docker|kubernetes); on a ${where}.`,
    );
  }
  return lines;
}

/**
 * Every capability up to CAP_AUDIT_READ (bits 0-37), from the CapEff the probe names at the start of
 * the privileged check's detail (components/doctor/script.sh.hbs): with them, a job on a shell
 * executor is root on the host, and a container job without privileged has had them added.
 */
export function everyCapability(detail: string): boolean {
  const capEff = /^CapEff ([0-9A-Fa-f]{1,16})\b/.exec(detail)?.[1];
  return capEff !== undefined && (BigInt(`0x${capEff}`) & 0x3fffffffffn) === 0x3fffffffffn;
}

/**
 * The warning for a job that ran privileged. Privileged (Docker's --privileged, a pod's privileged:
 * true) switches off seccomp, AppArmor and the masking of /proc, and its capabilities let user
 * namespaces through a host that restricts them to CAP_SYS_ADMIN: what the probe saw of those is
 * what a privileged job may do, not what a job may do once privileged is off. The probe calls a job
 * privileged only when all of that holds together, not from its capabilities alone.
 */
function privilegedWarning(report: DoctorReport, builder: BuilderId, settingsBelow: boolean): string {
  if (report.executor === 'shell')
    return (
      `WARNING: ${shellRootWarning(everyCapability(report.checks.privileged.detail))}. Run the runner as an unprivileged user ` +
      'unless something else truly needs root; the facts above are those of a job with these capabilities.'
    );
  const lifted =
    'Privileged also switches off seccomp, AppArmor and the masking of /proc, and its capabilities let user namespaces through ' +
    'a host that restricts them: userns, mount, seccomp, apparmor and proc-unmasked above say what a privileged job may do, ' +
    'not what a job may do once privileged is off.';
  // Only what holds for the recommended builder: Buildah's settings where they are listed below,
  // and none for Kaniko, which needs nothing privileged gives (its uid is the runner's doing either way).
  const then = settingsBelow
    ? ', with the settings below so that the build keeps working'
    : builder === 'kaniko'
      ? ': kaniko needs nothing that privileged gives, so the build keeps working without it'
      : '';
  return (
    'WARNING: this job ran privileged. dind would work, but a privileged runner gives every job on it control of the host. ' +
    `${lifted} Build with the recommended component, and turn privileged off (privileged = false) unless something else truly ` +
    `needs it${then}.`
  );
}

/** Every capability without privileged (cap_add = ["ALL"]): seccomp, AppArmor and /proc masking still apply. */
function everyCapabilityWarning(): string {
  return (
    'WARNING: this job ran with every capability (cap_add = ["ALL"] in config.toml, or the like), but not privileged: ' +
    'seccomp, AppArmor and the masking of /proc still apply, so the checks above are what this job may do (privileged above ' +
    'says what of privileged it lacks), and privileged = false is not what to change. Every capability is more than the cigen ' +
    'builders need (cigen runner-config adds none): drop them unless something else truly needs them.'
  );
}

/**
 * The note on overlay where Buildah can run. A mount refused means vfs. A storage directory the
 * probe could not write in (its words: components/doctor/script.sh.hbs; a report of an older
 * doctor job has them without the UNTESTED prefix) means overlay was never tried: the note says
 * why, a read-only file system apart from a write refused. Any other reason is the check's row.
 */
function overlayNote(detail: string): string | undefined {
  const why = detail.startsWith(UNTESTED) ? detail.slice(UNTESTED.length) : detail;
  if (!/^cannot (?:create|write in) /.test(why)) {
    if (why !== detail) return undefined;
    return (
      `overlay: ${detail}. Builds still work on vfs, slower and with more disk. When the storage sits on ` +
      "overlayfs (the container's own root filesystem), give it a volume of its own to get kernel overlay back."
    );
  }
  const elsewhere =
    "if they keep it elsewhere (Buildah as a non-root user: ~/.local/share/containers), set the doctor's storage input to it " +
    'and run it again.';
  if (/: it is on a read-only file system \([^)]*\)$/.test(why))
    return (
      `overlay: ${detail}. The probe could not try overlay: the storage directory is on a read-only file system. If your builds ` +
      `keep their container storage there, mount a writable volume there; ${elsewhere}`
    );
  // EACCES in the tool's own words; any other error (a full disk, a quota) is only named.
  const cause = /: Permission denied$/.test(why)
    ? "this job's user may not write in the storage directory"
    : 'it cannot write in the storage directory';
  return (
    `overlay: ${detail}. The probe could not try overlay: ${cause}. If your builds keep their container storage there, give ` +
    `them one they can write (a volume); ${elsewhere}`
  );
}

/** The human report: facts, verdicts, the recommendation, warnings and what to change on the runner. */
export function adviceText(report: DoctorReport): string {
  const v = verdicts(report.checks, report.executor);
  const choice = recommend(report);
  const out: string[] = [];
  out.push(`Runner: ${EXECUTOR_TEXT[report.executor]}`, '');
  out.push(
    ...table([
      ['check', 'ok', 'detail'],
      ...CHECK_NAMES.map((name) => [name, report.checks[name].ok ? 'yes' : 'no', report.checks[name].detail]),
    ]),
    '',
  );
  out.push(...table([['builder', 'verdict'], ...BUILDER_IDS.map((builder) => [builder, verdictText(v[builder])])]), '');
  out.push(`Recommended: ${choice.builder}`, `  ${choice.reason}`);

  const notes: string[] = [];
  const privileged = report.checks.privileged.ok;
  // The recommended builder works on this runner as it is set now; once privileged is off, what it
  // needs must be allowed on its own (the facts above were seen with privileged's lifts).
  const beforeOff = runnerStanding(report, choice.builder) === 'while-privileged';
  const allCapabilities = everyCapability(report.checks.privileged.detail);
  if (privileged || (allCapabilities && report.executor === 'shell')) notes.push(privilegedWarning(report, choice.builder, beforeOff));
  else if (allCapabilities) notes.push(everyCapabilityWarning());
  if (privileged && report.executor === 'docker' && report.checks['proc-unmasked'].ok) {
    notes.push(
      'proc-unmasked says yes because privileged unmasks /proc; without privileged the Docker executor cannot unmask it, ' +
        'which is why buildah-rootless is not possible there (its verdict above).',
    );
  }
  if (!report.checks.overlay.ok && (v.buildah.ok || v['buildah-rootless'].ok)) {
    const note = overlayNote(report.checks.overlay.detail);
    if (note) notes.push(note);
  }
  if (notes.length > 0) out.push('', ...notes.map((note) => `- ${note}`));

  const changes: string[] = [];
  if (beforeOff) {
    const executor = report.executor as 'docker' | 'kubernetes';
    const rootless = choice.builder === 'buildah-rootless';
    const needs = rootless
      ? '/proc is masked again, and rootless isolation needs it unmasked: procMount: Unmasked, ' +
        'with the pod in a user namespace (hostUsers: false)'
      : executor === 'docker'
        ? "Docker's default seccomp profile (and its AppArmor profile, on hosts with AppArmor) comes back and refuses " +
          'unshare() and mount(), which Buildah needs'
        : 'a seccomp or AppArmor profile of the cluster may refuse unshare() and mount(), which Buildah needs';
    const recheck = rootless ? 'userns, mount and proc-unmasked' : 'userns and mount';
    changes.push(
      `Before turning privileged off: with privileged = false, ${needs}. The settings: ${runnerConfigCommand(choice.builder, executor)}; ` +
        `then run the doctor component again (${recheck} should still say yes, and privileged no).`,
    );
  }
  if (choice.builder === 'kaniko') {
    const root = report.checks.root;
    const RERUN = "run the doctor component again, at this cigen's version or later, to see";
    changes.push(...enableBuildah(report, v.buildah));
    changes.push(
      report.checks.root.ok
        ? 'Until then kaniko is the way: it needs nothing from the runner but uid 0, which its jobs have (and a shared runner ' +
            'without admin rights leaves no other).'
        : `Until then kaniko is the way if the runner lets jobs run as root: it needs uid 0 in its container (root: ${root.detail}; ` +
            `${root.detail === OLDER_REPORT ? RERUN : 'a job that runs id -u tells'}).`,
    );
  } else if (choice.builder === 'buildah' && !v.buildah.ok) {
    // A shell executor: Buildah on the host is the only way, once the host allows it. Elsewhere, a
    // runner that forces a non-root user: Kaniko cannot run there either (recommend()).
    changes.push(...enableBuildah(report, v.buildah));
    if (report.executor !== 'shell' && v.kaniko.missing.includes('root'))
      changes.push(
        `kaniko needs uid 0 in its container, and ${report.checks.root.detail}: the runner forces that user. Settings that do: ` +
          `${FORCED_USER_SETTINGS}. Without them kaniko runs; with them, only Buildah, enabled as above.`,
      );
  } else if (choice.builder === 'buildah' && report.executor === 'kubernetes') {
    const missing = v['buildah-rootless'].missing;
    changes.push(
      `For rootless isolation (own PID and IPC namespaces; missing: ${missing.join(', ')}): ` +
        'run build pods with hostUsers: false and procMount: Unmasked (Kubernetes 1.33+, Linux 6.3+, containerd 2.0+): ' +
        `${runnerConfigCommand('buildah-rootless', 'kubernetes')}`,
    );
  }
  if (changes.length > 0) out.push('', 'To change on the runner:', ...changes.map((change) => `- ${change}`));
  return `${out.join('\n')}\n`;
}
