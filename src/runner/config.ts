/**
 * `cigen runner-config`: the settings a runner admin adds so that a builder component runs, as
 * each builder declares them (src/builders/<id>.ts). Pure: text in, text out.
 */
import { builderById, type BuilderId } from '../builders/index.js';
import type { RunnerConfig, RunnerExecutor } from '../builders/runner.js';

export { RUNNER_EXECUTORS, type RunnerConfig, type RunnerExecutor } from '../builders/runner.js';

/** Why a builder cannot run on an executor whatever the runner's settings, or undefined. */
export function runnerConfigProblem(builder: BuilderId, executor: RunnerExecutor): string | undefined {
  const impossible = builderById(builder).runner.impossibleOn?.[executor];
  if (!impossible) return undefined;
  const other = executor === 'docker' ? 'kubernetes' : 'docker';
  return (
    `${builder} is ${impossible}. ` +
    `Use another builder on this executor (cigen doctor recommends one), or a runner with --executor ${other}.`
  );
}

/** The snippet for a builder on an executor. Throws when the combination cannot work (runnerConfigProblem). */
export function runnerConfig(builder: BuilderId, executor: RunnerExecutor): RunnerConfig {
  const problem = runnerConfigProblem(builder, executor);
  if (problem) throw new Error(problem);
  return builderById(builder).runner.config(executor);
}
