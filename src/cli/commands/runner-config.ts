/** `cigen runner-config --builder B --executor E`: the runner settings a builder component needs. */
import { InputError, UsageError } from '../../errors.js';
import { BUILDER_IDS, isBuilderId } from '../../builders/index.js';
import { RUNNER_EXECUTORS, runnerConfig, runnerConfigProblem, type RunnerExecutor } from '../../runner/config.js';

export interface RunnerConfigOptions {
  builder: string;
  executor: string;
}

const isExecutor = (name: string): name is RunnerExecutor => (RUNNER_EXECUTORS as readonly string[]).includes(name);

export function runRunnerConfig(options: RunnerConfigOptions): void {
  const { builder, executor } = options;
  if (!isBuilderId(builder)) throw new UsageError(`--builder ${builder}: unknown builder; one of ${BUILDER_IDS.join(', ')}`);
  if (!isExecutor(executor)) {
    // The job's image is not used on a shell executor: what the host needs is what that image held.
    const needs = builder.startsWith('buildah')
      ? 'the host itself needs buildah, unprivileged user namespaces and mounts'
      : `the job's image is not used, so the host itself needs the tools the ${builder} job runs from it`;
    const hint = executor === 'shell' ? ` (a shell executor runs jobs on the host: nothing in config.toml applies; ${needs})` : '';
    throw new UsageError(`--executor ${executor}: unknown executor; one of ${RUNNER_EXECUTORS.join(', ')}${hint}`);
  }
  const problem = runnerConfigProblem(builder, executor);
  if (problem) throw new InputError(problem);
  const config = runnerConfig(builder, executor);
  // Notes as comments: the output stays valid TOML / YAML to paste or redirect into a file.
  const notes = config.notes.map((note) => `# note: ${note.replace(/\n/g, ' ')}`).join('\n');
  process.stdout.write(`${config.text.replace(/\n*$/, '\n')}${notes ? `\n${notes}\n` : ''}`);
}
