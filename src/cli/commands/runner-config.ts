/** `cigen runner-config --builder B --executor E`: the runner settings a builder component needs. */
import { InputError, UsageError } from '../../errors.js';
import { BUILDER_IDS, builderById, isBuilderId } from '../../builders/index.js';
import { SHELL_HOST_NEEDS } from '../../builders/runner.js';
import { RUNNER_EXECUTORS, runnerConfig, runnerConfigProblem, type RunnerExecutor } from '../../runner/config.js';
import { writeOut } from '../stdio.js';

export interface RunnerConfigOptions {
  builder: string;
  executor: string;
}

const isExecutor = (name: string): name is RunnerExecutor => (RUNNER_EXECUTORS as readonly string[]).includes(name);

export function runRunnerConfig(options: RunnerConfigOptions): void {
  const { builder, executor } = options;
  if (!isBuilderId(builder)) throw new UsageError(`--builder ${builder}: unknown builder; one of ${BUILDER_IDS.join(', ')}`);
  if (executor === 'shell') {
    // Nothing in config.toml applies; whether the builder can run on the host at all is what
    // cigen doctor's verdict says (the builder's impossibleOn.shell), in the same words.
    const impossible = builderById(builder).runner.impossibleOn?.shell;
    const why = impossible
      ? `nothing in config.toml applies, and ${builder} is ${impossible}`
      : `it runs jobs on the host: nothing in config.toml applies; the host itself needs ${SHELL_HOST_NEEDS}`;
    throw new UsageError(
      `--executor shell: runner-config writes settings for ${RUNNER_EXECUTORS.join(', ')} only (a shell executor: ${why})`,
    );
  }
  if (!isExecutor(executor)) {
    throw new UsageError(`--executor ${executor}: unknown executor; one of ${RUNNER_EXECUTORS.join(', ')}`);
  }
  const problem = runnerConfigProblem(builder, executor);
  if (problem) throw new InputError(problem);
  const config = runnerConfig(builder, executor);
  // Notes as comments: the output stays valid TOML / YAML to paste or redirect into a file.
  const notes = config.notes.map((note) => `# note: ${note.replace(/\n/g, ' ')}`).join('\n');
  writeOut(`${config.text.replace(/\n*$/, '\n')}${notes ? `\n${notes}\n` : ''}`);
}
