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
  const needs = needsOn(builderById(builder).runner, report.executor);
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

/** The reasons, word for word as the probe prints them. */
export const REASONS = {
  'buildah-rootless':
    'user namespaces, mounts and an unmasked /proc work on this Kubernetes runner: Buildah with rootless isolation, ' +
    'the strongest daemonless option',
  buildah: 'user namespaces and mounts work here: Buildah with chroot isolation builds without a privileged runner',
  /** Kaniko's reason names what Buildah lacks; the shell fills the list in for MISSING. */
  kaniko:
    'Buildah cannot run here (missing: MISSING): Kaniko needs nothing from the runner; ' +
    'a runner admin can enable Buildah (cigen runner-config)',
  /** Nothing Buildah needs failed, but some of it could not be tested (UNTESTED: their list). */
  'kaniko-untested': 'what Buildah needs could not be tested here (untested: UNTESTED): Kaniko needs nothing from the runner',
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
 * administer); else Kaniko, which needs nothing (the quick way, and the way on a shared runner
 * without admin rights). Never dind: a privileged runner is reported as a warning only.
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
  const reason =
    v.buildah.missing.length > 0
      ? REASONS[report.executor === 'shell' ? 'shell' : 'kaniko'].replace('MISSING', v.buildah.missing.join(', '))
      : REASONS[report.executor === 'shell' ? 'shell-untested' : 'kaniko-untested'].replace(
          'UNTESTED',
          (v.buildah.untested ?? []).join(', '),
        );
  return { builder: report.executor === 'shell' ? 'buildah' : 'kaniko', reason };
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
      kaniko: doubleQuoted(REASONS.kaniko, 'MISSING', '$cigen_missing_list'),
      kanikoUntested: doubleQuoted(REASONS['kaniko-untested'], 'UNTESTED', '$cigen_untested_list'),
      shell: doubleQuoted(REASONS.shell, 'MISSING', '$cigen_missing_list'),
      shellUntested: doubleQuoted(REASONS['shell-untested'], 'UNTESTED', '$cigen_untested_list'),
    },
  };
}
