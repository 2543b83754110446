/**
 * Buildah with rootless isolation: its own PID and IPC namespaces, so it needs /proc unmasked —
 * a Kubernetes runner with user namespaces (hostUsers: false) and procMount: Unmasked. The
 * Docker executor cannot start a container that way.
 */
import readme from '../../components/buildah-rootless/README.md.hbs';
import type { Builder } from './builder.js';
import type { InputDeclarations } from './inputs.js';
import { BUILDAH_IMAGE, BUILDAH_INPUTS, buildahJob } from './buildah.js';
import {
  APPARMOR_NOTE,
  buildContainerPatch,
  CONTAINER_STORAGE,
  FF_ADVANCED_POD_SPEC,
  helmValues,
  HOST_BUILDAH,
  K8S_KUBERNETES,
  POLICY_NOTE,
  SECCOMP_COMMENT,
  SECCOMP_LOCALHOST,
  type RunnerConfig,
  type RunnerExecutor,
} from './runner.js';

/** Why not on Docker, as the doctor's verdict says it. */
const NOT_ON_DOCKER =
  'not possible on the Docker executor: rootless isolation mounts a fresh /proc, ' +
  'which needs the job container started with --security-opt systempaths=unconfined, ' +
  'and the GitLab Runner cannot set that (GitLab Runner issue 36810)';

function kubernetesConfig(): RunnerConfig {
  return {
    format: 'yaml',
    text: helmValues(
      'buildah-rootless',
      `${FF_ADVANCED_POD_SPEC}  builds_dir = "/tmp/builds"

${K8S_KUBERNETES}
    # See https://docs.gitlab.com/runner/executors/kubernetes/#user-namespaces
    privileged = false
    allow_privilege_escalation = false
    logs_base_dir = "/tmp"
    scripts_base_dir = "/tmp"

    # The job pod runs in a user namespace: root in the build is not root on the node.
    [[runners.kubernetes.pod_spec]]
      name = "hostUsers"
      patch = '''
        [{"op": "add", "path": "/hostUsers", "value": false}]
      '''
      patch_type = "json"

    # Rootless isolation mounts a fresh /proc, which the kernel refuses while /proc is masked:
    # procMount: Unmasked (safe only together with hostUsers: false, above).
${SECCOMP_COMMENT}${buildContainerPatch(`            procMount: Unmasked\n${SECCOMP_LOCALHOST}`)}
${CONTAINER_STORAGE}`,
    ),
    notes: [
      'Needs Kubernetes 1.33+ (user namespaces on by default there, beta; stable since 1.36), ' +
        'Linux 6.3+ on the nodes (ID-mapped tmpfs mounts) and containerd 2.0+ (or CRI-O with user namespace support).',
      "The seccomp patch needs <profile-name>.json (Docker's default profile plus unshare and mount) in /var/lib/kubelet/seccomp " +
        'on every node.',
      APPARMOR_NOTE,
      POLICY_NOTE,
      'Start with buildah (chroot isolation) and move up when the cluster allows it; ' +
        'run the doctor component on the runner to check: proc-unmasked should say yes.',
    ],
  };
}

export const buildahRootless = {
  id: 'buildah-rootless',
  title: 'Buildah (rootless isolation)',
  summary:
    'Buildah with rootless isolation (own PID and IPC namespaces); needs a Kubernetes runner with user namespaces and unmasked /proc.',
  unsafe: false,
  images: [BUILDAH_IMAGE],
  inputs: BUILDAH_INPUTS,
  runner: {
    needs: ['userns', 'mount', 'proc-unmasked'],
    impossibleOn: { docker: NOT_ON_DOCKER },
    needsOn: HOST_BUILDAH,
    config: (executor: RunnerExecutor) => {
      if (executor === 'docker') throw new Error(`buildah-rootless is ${NOT_ON_DOCKER}`);
      return kubernetesConfig();
    },
  },
  readme,
  job: (inputs?: InputDeclarations) => buildahJob('buildah-rootless', 'rootless', inputs),
} as const satisfies Builder<'buildah-rootless'>;
