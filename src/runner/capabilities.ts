/**
 * What a runner can build with, from the facts the doctor component's probe collects: a verdict
 * per builder (from each builder's runner requirements) and one recommendation. The probe's
 * shell gets the same table and the same reasons from probeRules(), so the job log and
 * `cigen doctor` cannot disagree.
 */
import { BUILDERS, builderById, type BuilderId } from '../builders/index.js';
import { CHECK_NAMES, type CheckName, type RunnerRequirements } from '../builders/runner.js';

export const EXECUTORS = ['docker', 'kubernetes', 'shell', 'unknown'] as const;
export type Executor = (typeof EXECUTORS)[number];

export interface Verdict {
  ok: boolean;
  /** The checks the builder needs that failed, in check order. */
  missing: CheckName[];
  /** The checks the builder needs that the probe could not run (see UNTESTED), in check order;
   *  absent when there are none. */
  untested?: CheckName[];
  /** Why it cannot run on this executor whatever the runner's settings. */
  impossible?: string;
}
export type Verdicts = Record<BuilderId, Verdict>;

/**
 * How the probe's detail of a check begins when it could not run that check (unshare not
 * installed, no user namespace to mount in, a storage directory it cannot write): no verdict on
 * the runner, so neither a missing capability nor a cause is read from it. The probe's shell gets
 * it from probeRules().
 */
export const UNTESTED = 'could not test: ';

/** A check the probe could not run. */
export const untested = (check: { ok: boolean; detail: string }): boolean => !check.ok && check.detail.startsWith(UNTESTED);

/** The detail of a check a report lacks because the doctor job that wrote it did not have the check yet
 *  (src/runner/report.ts): not tested, like a check the probe could not run. */
export const OLDER_REPORT = `${UNTESTED}the doctor job that wrote this report is older than this check`;

/** The checks a builder needs on this executor: its own, and those it needs there besides (the
 *  host's buildah on a shell executor). An executor not recognised adds none. */
export const needsOn = (runner: RunnerRequirements, executor: Executor): CheckName[] => [
  ...runner.needs,
  ...(executor === 'unknown' ? [] : (runner.needsOn?.[executor] ?? [])),
];

/** Which builders can run, from the facts and the executor. */
export function verdicts(checks: Readonly<Record<CheckName, { ok: boolean; detail: string }>>, executor: Executor): Verdicts {
  const result = {} as Verdicts;
  for (const builder of BUILDERS) {
    const impossible = executor === 'unknown' ? undefined : builder.runner.impossibleOn?.[executor];
    const needs = needsOn(builder.runner, executor);
    const missing = needs.filter((check) => !checks[check].ok && !untested(checks[check]));
    const unknown = needs.filter((check) => untested(checks[check]));
    result[builder.id] = {
      ok: missing.length === 0 && unknown.length === 0 && !impossible,
      missing,
      ...(unknown.length > 0 ? { untested: unknown } : {}),
      ...(impossible ? { impossible } : {}),
    };
  }
  return result;
}

/** The checks privileged has no say in: a builder that needs only these does not work through privileged. */
const UNLIFTED: readonly CheckName[] = ['root'];

/**
 * How the runner a report describes stands for `builder`: `as-is`, the builder works there as the
 * runner is set now; `while-privileged`, it works only because the job ran privileged (which
 * switches off seccomp, AppArmor and the masking of /proc) on a Docker or Kubernetes runner, so
 * what it needs must be allowed on its own before privileged is turned off (a builder that needs
 * nothing of the runner works as it is); undefined when its verdict is not ok.
 */
export function runnerStanding(
  report: { checks: Readonly<Record<CheckName, { ok: boolean; detail: string }>>; executor: Executor },
  builder: BuilderId,
): 'as-is' | 'while-privileged' | undefined {
  if (!verdicts(report.checks, report.executor)[builder].ok) return undefined;
  const configurable = report.executor === 'docker' || report.executor === 'kubernetes';
  // The job's uid is the runner's doing whether it is privileged or not.
  const needs = needsOn(builderById(builder).runner, report.executor).filter((check) => !UNLIFTED.includes(check));
  return report.checks.privileged.ok && configurable && needs.length > 0 ? 'while-privileged' : 'as-is';
}
export type RunnerStanding = NonNullable<ReturnType<typeof runnerStanding>>;

/** One verdict as the probe's log and `cigen doctor` word it. */
export const verdictText = (verdict: Verdict): string =>
  verdict.impossible ??
  (verdict.ok
    ? 'ok'
    : [
        ...(verdict.missing.length > 0 ? [`missing: ${verdict.missing.join(', ')}`] : []),
        ...(verdict.untested ? [`untested: ${verdict.untested.join(', ')}`] : []),
      ].join('; '));

/** The reasons, word for word as the probe prints them. Kaniko's reason is three parts: what
 *  Buildah lacks (MISSING) or could not be tested (UNTESTED), what the job's uid means for Kaniko
 *  (ROOT: the root check's detail), and what a runner admin can change. */
export const REASONS = {
  'buildah-rootless':
    'user namespaces, mounts and an unmasked /proc work on this Kubernetes runner: Buildah with rootless isolation, ' +
    'the strongest daemonless option',
  buildah: 'user namespaces and mounts work here: Buildah with chroot isolation builds without a privileged runner',
  'buildah-missing': 'Buildah cannot run here (missing: MISSING)',
  /** Nothing Buildah needs failed, but some of it could not be tested. */
  'buildah-untested': 'what Buildah needs could not be tested here (untested: UNTESTED)',
  /** The job runs as root. */
  'kaniko-root': ': Kaniko needs nothing from the runner but uid 0, which this job has',
  /** The probe could not tell the job's uid, or the report is older than the root check. */
  'kaniko-root-untested': ': Kaniko needs nothing from the runner but uid 0, if the runner lets jobs run as root (root: not tested)',
  /** The runner forces another uid. */
  'kaniko-not-root': ': Kaniko cannot run either, it needs uid 0 in its container and ROOT',
  /** Where Buildah lacks something and Kaniko may run. */
  enable: '; a runner admin can enable Buildah (cigen runner-config)',
  /** Where Kaniko cannot run. */
  'enable-not-root': '; a runner admin can enable Buildah (cigen runner-config), or stop forcing a non-root user on jobs for Kaniko',
  /** A shell executor runs the host's own tools: only Buildah installed there builds. */
  shell:
    'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; it still lacks ' +
    'MISSING there (or use a Docker or Kubernetes runner)',
  'shell-untested':
    'a shell executor runs jobs on the host and ignores image:, so only Buildah installed on the host can build; whether the host ' +
    'has what it needs could not be tested (untested: UNTESTED) (or use a Docker or Kubernetes runner)',
} as const;

/**
 * The decision guide (docs: "Seven ways to replace Kaniko"): rootless Buildah on a Kubernetes
 * runner that allows it; else Buildah in chroot isolation where it works (a runner you
 * administer); else Kaniko, which needs nothing but to run as root (the quick way, and the way on
 * a shared runner without admin rights). Never dind: a privileged runner is reported as a warning
 * only.
 */
export function recommend(report: { checks: Readonly<Record<CheckName, { ok: boolean; detail: string }>>; executor: Executor }): {
  builder: BuilderId;
  reason: string;
} {
  const v = verdicts(report.checks, report.executor);
  if (v['buildah-rootless'].ok && report.executor === 'kubernetes')
    return { builder: 'buildah-rootless', reason: REASONS['buildah-rootless'] };
  if (v.buildah.ok) return { builder: 'buildah', reason: REASONS.buildah };
  // What failed is said when something did; else what could not be tested (never as a failure).
  const missing = v.buildah.missing.length > 0;
  if (report.executor === 'shell')
    return {
      builder: 'buildah',
      reason: missing
        ? REASONS.shell.replace('MISSING', v.buildah.missing.join(', '))
        : REASONS['shell-untested'].replace('UNTESTED', (v.buildah.untested ?? []).join(', ')),
    };
  const buildah = missing
    ? REASONS['buildah-missing'].replace('MISSING', v.buildah.missing.join(', '))
    : REASONS['buildah-untested'].replace('UNTESTED', (v.buildah.untested ?? []).join(', '));
  const root = report.checks.root;
  if (!root.ok && !untested(root))
    // Kaniko cannot run as another uid, and only undoing the runner's forced user (often a policy:
    // OpenShift, Pod Security) lets it; Buildah is what cigen runner-config enables, and it runs as
    // a non-root user where user namespaces and mounts work. So Buildah, the way that keeps the policy.
    return {
      builder: 'buildah',
      reason: `${buildah}${REASONS['kaniko-not-root'].replace('ROOT', root.detail)}${REASONS['enable-not-root']}`,
    };
  // Root, or not known to be otherwise (most runners leave jobs root): Kaniko, with the condition
  // said where the uid was not tested.
  const kaniko = root.ok ? REASONS['kaniko-root'] : REASONS['kaniko-root-untested'];
  return { builder: 'kaniko', reason: `${buildah}${kaniko}${missing ? REASONS.enable : ''}` };
}

/**
 * The warning for a job on a shell executor that has every capability, or is privileged
 * (CAP_SYS_ADMIN, some capabilities dropped): the job log's and `cigen doctor`'s, in the words of
 * the same test of CapEff (cigen_all_caps in the probe, everyCapability in advice.ts).
 */
export function shellRootWarning(everyCapability: boolean): string {
  const capabilities = everyCapability ? 'every capability' : 'CAP_SYS_ADMIN (some capabilities dropped)';
  return `this job runs on the host (a shell executor) with ${capabilities}: every job on this runner can take over the host`;
}

/** A string as one single-quoted shell word. */
const shellWord = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A text as a double-quoted shell word in which `placeholder` becomes a variable. */
function doubleQuoted(text: string, placeholder: string, variable: string): string {
  if (/["$`\\]/.test(text)) throw new Error(`cannot put ${JSON.stringify(text)} in double quotes`);
  if (!text.includes(placeholder)) throw new Error(`no ${placeholder} in ${JSON.stringify(text)}`);
  return `"${text.replace(placeholder, variable)}"`;
}

/** The rules above as the probe's shell takes them (Handlebars context of its script). */
export function probeRules(): Record<string, unknown> {
  return {
    checks: CHECK_NAMES.join(' '),
    builders: BUILDERS.map((b) => b.id).join(' '),
    needs: BUILDERS.map((b) => ({ builder: b.id, checks: b.runner.needs.join(' ') })),
    needsOn: BUILDERS.flatMap((b) =>
      Object.entries(b.runner.needsOn ?? {}).map(([executor, checks]) => ({ builder: b.id, executor, checks: (checks ?? []).join(' ') })),
    ),
    impossible: BUILDERS.flatMap((b) =>
      Object.entries(b.runner.impossibleOn ?? {}).map(([executor, reason]) => ({
        builder: b.id,
        executor,
        reason: shellWord(reason ?? ''),
      })),
    ),
    untested: shellWord(UNTESTED),
    shellRoot: { every: shellWord(shellRootWarning(true)), some: shellWord(shellRootWarning(false)) },
    reasons: {
      rootless: shellWord(REASONS['buildah-rootless']),
      buildah: shellWord(REASONS.buildah),
      buildahMissing: doubleQuoted(REASONS['buildah-missing'], 'MISSING', '$cigen_missing_list'),
      buildahUntested: doubleQuoted(REASONS['buildah-untested'], 'UNTESTED', '$cigen_untested_list'),
      kanikoRoot: shellWord(REASONS['kaniko-root']),
      kanikoRootUntested: shellWord(REASONS['kaniko-root-untested']),
      kanikoNotRoot: doubleQuoted(REASONS['kaniko-not-root'], 'ROOT', '$cigen_root_detail'),
      enable: shellWord(REASONS.enable),
      enableNotRoot: shellWord(REASONS['enable-not-root']),
      shell: doubleQuoted(REASONS.shell, 'MISSING', '$cigen_missing_list'),
      shellUntested: doubleQuoted(REASONS['shell-untested'], 'UNTESTED', '$cigen_untested_list'),
    },
  };
}
