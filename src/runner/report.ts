/**
 * The report a doctor job leaves (cigen-doctor.json), and what it means: which builder
 * components the runner can run, which one to use, and what to change on the runner.
 *
 * The verdict rules and the recommendation here are the same as in the probe
 * (components/doctor/script.sh.hbs); tests run both on the same fake inputs. `cigen init
 * --doctor-report` reads the same file through parseDoctorReport + recommend.
 */
import type { BuilderId } from '../builders/spec.js';

export type BuilderName = BuilderId;

/** Report order: the facts the probe collects. */
export const CHECK_NAMES = ['userns', 'mount', 'seccomp', 'apparmor', 'proc-unmasked', 'overlay', 'fuse', 'privileged'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Report order of the verdicts. */
export const VERDICT_BUILDERS = ['buildah', 'buildah-rootless', 'buildkit', 'kaniko', 'dind'] as const satisfies readonly BuilderName[];

export const EXECUTORS = ['docker', 'kubernetes', 'shell', 'unknown'] as const;
export type Executor = (typeof EXECUTORS)[number];

export const REPORT_VERSION = 1;

export interface Check {
  ok: boolean;
  detail: string;
}
export type Checks = Record<CheckName, Check>;

export interface Verdict {
  ok: boolean;
  /** The checks the builder needs that failed, in check order. */
  missing: CheckName[];
}
export type Verdicts = Record<BuilderName, Verdict>;

export interface DoctorReport {
  version: typeof REPORT_VERSION;
  executor: Executor;
  checks: Checks;
  /** As the probe wrote them; verdicts() recomputes them from the checks. */
  verdicts: Verdicts;
  recommendation: BuilderName;
  reason: string;
}

/**
 * What each builder needs from the runner. seccomp and AppArmor matter only through userns
 * and mount (a custom profile can allow both); overlay is a speed note (buildah falls back to
 * vfs); fuse is a fact (cigen's storage.conf patch uses kernel overlay, not fuse-overlayfs).
 */
export const BUILDER_NEEDS: Readonly<Record<BuilderName, readonly CheckName[]>> = {
  buildah: ['userns', 'mount'],
  'buildah-rootless': ['userns', 'mount', 'proc-unmasked'],
  buildkit: ['userns', 'mount'],
  kaniko: [],
  dind: ['privileged'],
};

/**
 * Which builders can run, from the facts. The executor does not change what a builder needs
 * (it changes which one recommend() picks); it is taken so that callers hand over the
 * report's facts whole and the signature stays when a rule comes to depend on it.
 */
export function verdicts(checks: Readonly<Record<CheckName, Pick<Check, 'ok'>>>, executor: Executor): Verdicts {
  void executor;
  const result = {} as Verdicts;
  for (const builder of VERDICT_BUILDERS) {
    const missing = BUILDER_NEEDS[builder].filter((check) => !checks[check].ok);
    result[builder] = { ok: missing.length === 0, missing };
  }
  return result;
}

/** The reasons, word for word as the probe prints them. */
export const REASONS = {
  'buildah-rootless': 'user namespaces, mounts and an unmasked /proc work on this Kubernetes runner: Buildah with rootless isolation, the strongest daemonless option',
  buildah: 'user namespaces and mounts work here: Buildah with chroot isolation builds without a privileged runner',
  kaniko: (missing: readonly string[]) =>
    `Buildah cannot run here (missing: ${missing.join(', ')}): Kaniko needs nothing from the runner; a runner admin can enable Buildah (cigen runner-config)`,
} as const;

/**
 * The decision guide (docs: "Seven ways to replace Kaniko"): rootless Buildah on a Kubernetes
 * runner that allows it; else Buildah in chroot isolation where it works (a runner you
 * administer); else Kaniko, which needs nothing (the quick way, and the way on a shared runner
 * without admin rights). Never dind: a privileged runner is reported as a warning only.
 */
export function recommend(report: Pick<DoctorReport, 'checks' | 'executor'>): { builder: BuilderName; reason: string } {
  const v = verdicts(report.checks, report.executor);
  if (v['buildah-rootless'].ok && report.executor === 'kubernetes') return { builder: 'buildah-rootless', reason: REASONS['buildah-rootless'] };
  if (v.buildah.ok) return { builder: 'buildah', reason: REASONS.buildah };
  return { builder: 'kaniko', reason: REASONS.kaniko(v.buildah.missing) };
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Json = unknown;

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(object: Record<string, Json>, key: string, path: string): Json {
  if (!Object.hasOwn(object, key)) throw new Error(`${path ? `${path}.` : ''}${key} is missing`);
  return object[key];
}

function object(value: Json, path: string): Record<string, Json> {
  if (!isObject(value)) throw new Error(`${path} must be an object, got ${describe(value)}`);
  return value;
}

function boolean(value: Json, path: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${path} must be true or false, got ${describe(value)}`);
  return value;
}

function string(value: Json, path: string): string {
  if (typeof value !== 'string') throw new Error(`${path} must be a string, got ${describe(value)}`);
  return value;
}

function oneOf<T extends string>(value: Json, choices: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new Error(`${path} must be one of ${choices.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** The report a doctor job wrote. Throws an Error that names the first thing wrong with it. */
export function parseDoctorReport(text: string): DoctorReport {
  let data: Json;
  try {
    data = JSON.parse(text) as Json;
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`);
  }
  const root = object(data, 'the report');
  const version = field(root, 'version', '');
  if (version !== REPORT_VERSION) {
    throw new Error(typeof version === 'number' ? `version ${version} is not supported: this cigen reads version ${REPORT_VERSION} (update cigen)` : `version must be ${REPORT_VERSION}, got ${describe(version)}`);
  }
  const executor = oneOf(field(root, 'executor', ''), EXECUTORS, 'executor');

  const checksObject = object(field(root, 'checks', ''), 'checks');
  const checks = {} as Checks;
  for (const name of CHECK_NAMES) {
    const path = `checks.${name}`;
    const check = object(field(checksObject, name, 'checks'), path);
    checks[name] = { ok: boolean(field(check, 'ok', path), `${path}.ok`), detail: string(field(check, 'detail', path), `${path}.detail`) };
  }

  const verdictsObject = object(field(root, 'verdicts', ''), 'verdicts');
  const parsedVerdicts = {} as Verdicts;
  for (const builder of VERDICT_BUILDERS) {
    const path = `verdicts.${builder}`;
    const verdict = object(field(verdictsObject, builder, 'verdicts'), path);
    const missing = field(verdict, 'missing', path);
    if (!Array.isArray(missing)) throw new Error(`${path}.missing must be an array, got ${describe(missing)}`);
    parsedVerdicts[builder] = {
      ok: boolean(field(verdict, 'ok', path), `${path}.ok`),
      missing: missing.map((item: Json, index) => oneOf(item, CHECK_NAMES, `${path}.missing[${index}]`)),
    };
  }

  return {
    version: REPORT_VERSION,
    executor,
    checks,
    verdicts: parsedVerdicts,
    recommendation: oneOf(field(root, 'recommendation', ''), VERDICT_BUILDERS, 'recommendation'),
    reason: string(field(root, 'reason', ''), 'reason'),
  };
}

// ---------------------------------------------------------------------------------------------
// Advice

const EXECUTOR_TEXT: Record<Executor, string> = {
  docker: 'Docker executor',
  kubernetes: 'Kubernetes executor',
  shell: 'shell executor (jobs run on the host)',
  unknown: 'executor not recognised',
};

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

const runnerConfigCommand = (builder: BuilderName, executor: 'docker' | 'kubernetes') => `cigen runner-config --builder ${builder} --executor ${executor}`;

/** What the runner admin would change to move from Kaniko to Buildah (chroot isolation). */
function enableBuildah(report: DoctorReport, missing: readonly CheckName[]): string[] {
  const { checks, executor } = report;
  const lines: string[] = [];
  const seccompFilters = !checks.seccomp.ok;
  const apparmorBlocks = !checks.apparmor.ok;
  if (seccompFilters) lines.push(`seccomp is filtering (${checks.seccomp.detail}): the container runtime's default profile refuses unshare() and mount(). Allow them: seccomp=unconfined, or better a custom profile that adds just those calls.`);
  if (apparmorBlocks) lines.push(`AppArmor/SELinux confines the job (${checks.apparmor.detail}): the default profile refuses mount(). Use apparmor=unconfined, or a custom profile loaded with apparmor_parser.`);
  if (missing.includes('userns') && !seccompFilters && !apparmorBlocks) {
    lines.push(
      `user namespaces fail although neither seccomp nor AppArmor confines the job (${checks.userns.detail}): the host kernel refuses them. Check user.max_user_namespaces (> 0), kernel.unprivileged_userns_clone=1 (Debian) and kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+).`,
    );
  }
  if (missing.includes('mount') && !missing.includes('userns') && !seccompFilters && !apparmorBlocks) {
    lines.push(`mounts fail inside a user namespace (${checks.mount.detail}): look for a security policy (SELinux, an admission controller, a runtime such as gVisor) that refuses mount().`);
  }
  if (executor === 'docker' || executor === 'kubernetes') {
    lines.push(`The ${executor === 'docker' ? 'config.toml' : 'Helm values.yml'} snippet: ${runnerConfigCommand('buildah', executor)}`);
  } else {
    lines.push(`cigen runner-config writes the settings for the Docker and Kubernetes executors (--executor docker|kubernetes); on a ${executor === 'shell' ? 'shell runner the host itself needs unprivileged user namespaces and mounts' : 'runner of another kind, allow unshare() and mount() for the job'}.`);
  }
  return lines;
}

/** The human report: facts, verdicts, the recommendation, warnings and what to change on the runner. */
export function adviceText(report: DoctorReport): string {
  const v = verdicts(report.checks, report.executor);
  const choice = recommend(report);
  const out: string[] = [];
  out.push(`Runner: ${EXECUTOR_TEXT[report.executor]}`, '');
  out.push(...table([['check', 'ok', 'detail'], ...CHECK_NAMES.map((name) => [name, report.checks[name].ok ? 'yes' : 'no', report.checks[name].detail])]), '');
  out.push(...table([['builder', 'verdict'], ...VERDICT_BUILDERS.map((builder) => [builder, v[builder].ok ? 'ok' : `missing: ${v[builder].missing.join(', ')}`])]), '');
  out.push(`Recommended: ${choice.builder}`, `  ${choice.reason}`);

  const notes: string[] = [];
  if (report.checks.privileged.ok) {
    notes.push(
      'WARNING: this job ran privileged. dind would work, but a privileged runner gives every job on it control of the host. Build with the recommended component, and turn privileged off (privileged = false) unless something else truly needs it.',
    );
  }
  if (!report.checks.overlay.ok && (v.buildah.ok || v['buildah-rootless'].ok)) {
    notes.push(`overlay: ${report.checks.overlay.detail}. Builds still work on vfs, slower and with more disk. When the storage sits on overlayfs (the container's own root filesystem), give it a volume of its own to get kernel overlay back.`);
  }
  if (report.executor === 'docker' && choice.builder === 'buildah') {
    notes.push('buildah-rootless is not possible on the Docker executor: unmasking /proc needs --security-opt systempaths=unconfined, which the GitLab Runner cannot set (GitLab Runner issue 36810). buildah (chroot isolation) is the one for this runner.');
  }
  if (notes.length > 0) out.push('', ...notes.map((note) => `- ${note}`));

  const changes: string[] = [];
  if (choice.builder === 'kaniko') {
    changes.push(...enableBuildah(report, v.buildah.missing));
    changes.push('Until then kaniko is the way: it needs nothing from the runner (and a shared runner without admin rights leaves no other).');
  } else if (choice.builder === 'buildah' && report.executor === 'kubernetes') {
    const missing = v['buildah-rootless'].missing;
    changes.push(
      `For rootless isolation (own PID and IPC namespaces; missing: ${missing.join(', ')}): run build pods with hostUsers: false and procMount: Unmasked (Kubernetes 1.33+, Linux 6.3+, containerd 2.0+): ${runnerConfigCommand('buildah-rootless', 'kubernetes')}`,
    );
  }
  if (changes.length > 0) out.push('', 'To change on the runner:', ...changes.map((change) => `- ${change}`));
  return `${out.join('\n')}\n`;
}
