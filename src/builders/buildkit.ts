/**
 * Rootless BuildKit through buildctl-daemonless.sh. --oci-worker-no-process-sandbox (added to
 * BUILDKITD_FLAGS by the script, which a CI/CD variable of that name cannot drop) keeps the build
 * in the job's PID namespace (like Buildah's chroot isolation), so /proc need not be unmasked;
 * seccomp and AppArmor must still allow unshare and mount.
 */
import readme from '../../components/buildkit/README.md.hbs';
import script from '../../components/buildkit/script.sh.hbs';
import { builderInputs, type Builder } from './builder.js';
import { CORE_INPUTS, type InputDeclarations } from './inputs.js';
import { assembleJob } from './job.js';
import {
  APPARMOR_NOTE,
  buildContainerPatch,
  FF_ADVANCED_POD_SPEC,
  helmValues,
  K8S_KUBERNETES,
  POLICY_NOTE,
  SECCOMP_COMMENT,
  SECCOMP_LOCALHOST,
  unconfinedDockerConfig,
  type RunnerConfig,
  type RunnerExecutor,
} from './runner.js';
import { renderBuildScript } from './script.js';
import { inputRef } from './spec.js';
import { plain } from './variables.js';

export const BUILDKIT_IMAGE = 'moby/buildkit:v0.34.0-rootless';
const INPUTS = builderInputs(BUILDKIT_IMAGE, 'mirror.example.com/moby/buildkit:v0.34.0-rootless', {
  'push-retries': {
    ...CORE_INPUTS['push-retries'],
    description:
      `${CORE_INPUTS['push-retries'].description} BuildKit builds and pushes in one call: the call runs again, ` +
      'unless a step of the build itself failed (a RUN that exits non-zero, a Dockerfile error, a COPY of a missing file).',
  },
});
const NO_SANDBOX_NOTE =
  'The buildkit component runs BuildKit with --oci-worker-no-process-sandbox, so the masked /proc of a Docker container does not matter.';

function config(executor: RunnerExecutor): RunnerConfig {
  if (executor === 'docker') return unconfinedDockerConfig('buildkit', [NO_SANDBOX_NOTE]);
  return {
    format: 'yaml',
    text: helmValues(
      'buildkit',
      `${FF_ADVANCED_POD_SPEC}
${K8S_KUBERNETES}    privileged = false

${SECCOMP_COMMENT}${buildContainerPatch(SECCOMP_LOCALHOST)}
    # BuildKit's state on a volume of its own, not on the container's overlay root.
    [[runners.kubernetes.volumes.empty_dir]]
      name = "buildkit-state"
      mount_path = "/home/user/.local/share/buildkit"
`,
    ),
    notes: [
      'The buildkit component runs BuildKit with --oci-worker-no-process-sandbox, so /proc may stay masked; ' +
        'seccomp and AppArmor must allow unshare() and mount(), as for buildah.',
      'The seccomp patch needs <profile-name>.json in /var/lib/kubelet/seccomp on every node; ' +
        'drop it if your cluster applies no seccomp profile.',
      APPARMOR_NOTE,
      POLICY_NOTE,
    ],
  };
}

export const buildkit = {
  id: 'buildkit',
  title: 'BuildKit (rootless)',
  summary: 'Rootless BuildKit through buildctl-daemonless.sh, without a process sandbox; no privileged runner.',
  unsafe: false,
  images: [BUILDKIT_IMAGE],
  inputs: INPUTS,
  runner: {
    needs: ['userns', 'mount'],
    impossibleOn: {
      shell:
        'not possible on a shell executor: it runs jobs on the host and ignores image:, and this job runs ' +
        "BuildKit's rootless daemon from its image",
    },
    config,
  },
  readme,
  job: (inputs: InputDeclarations = INPUTS) =>
    assembleJob({
      inputs,
      // The image's entrypoint starts a daemon; an empty one lets the runner run the script.
      image: { name: plain(inputRef('builder-image')), entrypoint: [''] },
      script: renderBuildScript(script, 'buildkit', inputs),
    }),
} as const satisfies Builder<'buildkit'>;
