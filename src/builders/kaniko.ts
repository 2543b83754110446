/**
 * Kaniko, from the community fork that still ships images (osscontainertools/kaniko). The
 * `-debug` variant carries the busybox shell a GitLab job needs; entrypoint "" lets the runner
 * start that shell instead of the executor. Kaniko needs nothing from the runner but to run as
 * root (uid 0) in its container: it unpacks the base image over / and chowns its files, so a runner
 * that forces another user fails every Kaniko job. It gives no isolation between the job and the
 * build. Its command line is described in ./kaniko-flags.ts.
 */
import readme from '../../components/kaniko/README.md.hbs';
import script from '../../components/kaniko/script.sh.hbs';
import { builderInputs, type Builder } from './builder.js';
import type { InputDeclarations } from './inputs.js';
import { assembleJob } from './job.js';
import { configHeader, FORCED_USER_SETTINGS, helmValues, K8S_KUBERNETES, type RunnerConfig, type RunnerExecutor } from './runner.js';
import { renderBuildScript } from './script.js';
import { inputRef } from './spec.js';
import { plain } from './variables.js';

export const KANIKO_IMAGE = 'ghcr.io/osscontainertools/kaniko:v1.28.5-debug';
const INPUTS = builderInputs(KANIKO_IMAGE, 'mirror.example.com/kaniko:v1.28.5-debug');

/** The exception to "works as it is": a runner that forces a non-root user on its jobs. */
const FORCED_USER_NOTE =
  'The exception: kaniko must run as root (uid 0) in its container, so a runner that forces another user on its jobs fails ' +
  `every kaniko job. Settings that do: ${FORCED_USER_SETTINGS}. Remove them for the runner of the kaniko jobs; ` +
  'the doctor component says which uid jobs run as (its root check).';

function config(executor: RunnerExecutor): RunnerConfig {
  if (executor === 'docker') {
    return {
      format: 'toml',
      text: `${configHeader('kaniko', 'docker')}# kaniko needs nothing special from the runner: the defaults (no privileges, Docker's
# seccomp and AppArmor profiles) are what it runs with. Nothing to change, unless the runner
# forces a user: kaniko runs as root (uid 0) in its container, so leave user out of
# [runners.docker].
[[runners]]
  executor = "docker"
  [runners.docker]
    privileged = false
`,
      notes: [
        'kaniko needs nothing special: any Docker runner works as it is, shared runners included, unless it forces a non-root user.',
        FORCED_USER_NOTE,
      ],
    };
  }
  return {
    format: 'yaml',
    text: helmValues(
      'kaniko',
      `  # kaniko needs nothing special from the runner: the defaults are what it runs with. Nothing
  # to change, unless the runner forces a user: kaniko runs as root (uid 0) in its container, so
  # leave run_as_user and run_as_non_root out of its security contexts.
${K8S_KUBERNETES}    privileged = false
`,
    ),
    notes: ['kaniko needs nothing special: any Kubernetes runner works as it is, unless it forces a non-root user.', FORCED_USER_NOTE],
  };
}

export const kaniko = {
  id: 'kaniko',
  title: 'Kaniko (maintained fork)',
  summary: 'Kaniko from the osscontainertools fork: the quick way off the archived executor; no isolation between the job and the build.',
  unsafe: false,
  images: [KANIKO_IMAGE],
  inputs: INPUTS,
  runner: {
    needs: ['root'],
    impossibleOn: {
      shell:
        'not possible on a shell executor: it runs jobs on the host and ignores image:, and this job runs /kaniko/executor, ' +
        'which only its image has',
    },
    config,
  },
  readme,
  job: (inputs: InputDeclarations = INPUTS) =>
    assembleJob({
      inputs,
      image: { name: plain(inputRef('builder-image')), entrypoint: [''] },
      script: renderBuildScript(script, 'kaniko', inputs),
    }),
} as const satisfies Builder<'kaniko'>;
