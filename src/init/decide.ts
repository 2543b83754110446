/**
 * The seed's decision guide, as questions a team can answer: a quick fix keeps a Kaniko fork;
 * admin access to the runners means Buildah with chroot isolation; a recent Kubernetes runner
 * allows Buildah rootless; a shared runner without admin rights leaves Kaniko.
 */
import { builderById, type BuilderId } from '../builders/index.js';
import { RUNNER_EXECUTORS, SHELL_HOST_NEEDS, type RunnerExecutor } from '../builders/runner.js';
import type { RunnerStanding } from '../runner/capabilities.js';

export type Builder = BuilderId;

export interface Question {
  id: 'admin' | 'kubernetes';
  text: string;
}

export const QUESTIONS: readonly Question[] = [
  { id: 'admin', text: 'Can you change the configuration of the GitLab runners these jobs run on (config.toml or the Helm values)?' },
  { id: 'kubernetes', text: 'Are they Kubernetes runners on Kubernetes 1.33+ where pods may run with user namespaces (hostUsers: false)?' },
];

export interface Choice {
  builder: Builder;
  reason: string;
  /** The runner's executor, when it is known (a doctor report's, or the answer "Kubernetes"). */
  executor?: string;
  /** How the runner stands for the builder, when the doctor report that chose it says it works there. */
  standing?: RunnerStanding;
}

/** Answers in, builder out; `kubernetes` is asked only when `admin` is yes. */
export function chooseBuilder(answers: { admin: boolean; kubernetes?: boolean }): Choice {
  if (!answers.admin) {
    return {
      builder: 'kaniko',
      reason:
        'without access to the runner configuration, the maintained Kaniko fork is what runs on a default runner; ' +
        'move to buildah once the runner allows mount() and unshare()',
    };
  }
  if (answers.kubernetes) {
    return {
      builder: 'buildah-rootless',
      executor: 'kubernetes',
      reason: 'a recent Kubernetes runner with user namespaces allows rootless isolation, the strongest of the daemonless options',
    };
  }
  return {
    builder: 'buildah',
    reason: 'with the runner configuration in hand, Buildah in chroot isolation needs only seccomp/AppArmor to allow mount() and unshare()',
  };
}

const isRunnerExecutor = (name: string | undefined): name is RunnerExecutor => (RUNNER_EXECUTORS as readonly string[]).includes(name ?? '');

/**
 * What the runner needs for `builder`, as one sentence, from the runner declaration `cigen
 * runner-config` prints (src/builders/<id>.ts): the command for the executors the builder runs
 * on (the executor, when known), nothing to do for a builder that needs nothing, and for a shell
 * executor what the host itself needs, since no runner setting applies there. With the
 * `standing` of a doctor report that says the builder works on the runner: no change, or the
 * command for when privileged, which it works through, is turned off.
 */
export function runnerHint(builder: Builder, executor?: string, standing?: RunnerStanding): string {
  if (standing === 'as-is') return `The runner needs no change: the doctor report says ${builder} works on it as it is`;
  const runner = builderById(builder).runner;
  if (executor === 'shell') {
    const impossible = runner.impossibleOn?.shell;
    if (impossible) return `${builder} is ${impossible}; use a Docker or Kubernetes runner for these jobs`;
    const needs = builder.startsWith('buildah')
      ? SHELL_HOST_NEEDS
      : `the tools the ${builder} job runs from its image, which a shell executor does not use`;
    return `The runner is a shell executor, which runs jobs on the host: no runner setting applies, and the host itself needs ${needs}`;
  }
  const executors = isRunnerExecutor(executor) ? [executor] : RUNNER_EXECUTORS;
  const possible = executors.filter((e) => !runner.impossibleOn?.[e]);
  const refused = executors.filter((e) => runner.impossibleOn?.[e]);
  if (possible.length === 0) return `${builder} is ${runner.impossibleOn?.[refused[0] as RunnerExecutor] ?? 'not possible here'}`;
  const not = refused.length > 0 ? ` (${builder} cannot run on the ${refused.join(' or ')} executor; cigen runner-config says why)` : '';
  if (runner.needs.length === 0) return `${builder} needs nothing special from a ${possible.join(' or ')} runner${not}`;
  // Root is what runners give jobs unless set otherwise: nothing to add, one setting to leave out.
  // A command that runs as it is: runner-config refuses one without --executor (exit 2).
  if (runner.needs.every((check) => check === 'root'))
    return (
      `${builder} needs nothing special from a ${possible.join(' or ')} runner but to run its jobs as root (uid 0), as runners do ` +
      `unless set to force a user (cigen runner-config --builder ${builder} --executor ${possible[0] as string} names those ` +
      `settings)${not}`
    );
  // A command to paste: one executor, the others named beside it (a `|` would be a shell pipe).
  const others =
    possible.length > 1
      ? ` (or ${possible
          .slice(1)
          .map((e) => `--executor ${e}`)
          .join(', or ')})`
      : '';
  const command = `cigen runner-config --builder ${builder} --executor ${possible[0] as string}${others}${not}`;
  if (standing === 'while-privileged')
    return (
      `The doctor report says ${builder} works on the runner because the job ran privileged: ` +
      `before privileged is turned off, the runner needs: ${command}`
    );
  return `The runner needs: ${command}`;
}
