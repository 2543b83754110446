/**
 * What a runner admin adds so that a builder component runs: a config.toml snippet for the
 * Docker executor, Helm values.yml (its `runners.config` TOML) for the Kubernetes executor.
 * Pure: text in, text out. The settings follow "Seven ways to replace Kaniko" (Buildah
 * chroot, rootless, Kubernetes) and GitLab's Docker-in-Docker docs.
 */
import type { BuilderName } from './report.js';

export const RUNNER_EXECUTORS = ['docker', 'kubernetes'] as const;
export type RunnerExecutor = (typeof RUNNER_EXECUTORS)[number];

export interface RunnerConfig {
  format: 'toml' | 'yaml';
  text: string;
  /** Things to do besides pasting the text, one sentence each. */
  notes: string[];
}

/** Why a builder cannot run on an executor whatever the runner's settings, or undefined. */
export function runnerConfigProblem(builder: BuilderName, executor: RunnerExecutor): string | undefined {
  if (builder === 'buildah-rootless' && executor === 'docker') {
    return 'buildah-rootless cannot run on the Docker executor: rootless isolation mounts a fresh /proc, which needs the job container started with --security-opt systempaths=unconfined, and the GitLab Runner cannot set that (GitLab Runner issue 36810). Use buildah (chroot isolation) on Docker, or a Kubernetes runner (--executor kubernetes).';
  }
  return undefined;
}

const header = (builder: BuilderName, executor: RunnerExecutor): string => `# cigen runner-config --builder ${builder} --executor ${executor}\n`;

// ---------------------------------------------------------------------------------------------
// Docker executor: config.toml

const DOCKER_PREAMBLE = `# Merge into the [[runners]] entry of the runner's config.toml (/etc/gitlab-runner/config.toml);
# the runner reloads it by itself. Every job on this runner gets these settings: give image
# builds a runner of their own (its tags) when other jobs should keep the defaults.
`;

const SECURITY_OPT = `    # Docker's default seccomp profile refuses unshare() and mount(), and its docker-default
    # AppArmor profile (Debian, Ubuntu) refuses mount(). "unconfined" switches both off for every
    # job on this runner. The cleaner way is custom profiles that add just those calls to the
    # defaults: security_opt = ['seccomp=<the profile as one line of JSON>', "apparmor=<profile-name>"]
    # (load the AppArmor profile first: apparmor_parser -r -W /etc/apparmor.d/<profile-name>).
    security_opt = ["seccomp=unconfined", "apparmor=unconfined"]
`;

function dockerConfig(builder: BuilderName): RunnerConfig {
  const runners = `${header(builder, 'docker')}${DOCKER_PREAMBLE}[[runners]]\n  executor = "docker"\n  [runners.docker]\n`;
  switch (builder) {
    case 'buildah':
    case 'buildkit':
      return {
        format: 'toml',
        text: `${runners}    privileged = false\n${SECURITY_OPT}`,
        notes: [
          'seccomp and AppArmor are defence in depth: compensate for loosening them by running Docker itself with user namespaces (userns-remap in /etc/docker/daemon.json).',
          'On hosts with SELinux instead of AppArmor, use label=disable (or a policy that allows the mounts) in security_opt.',
          ...(builder === 'buildkit' ? ['The buildkit component runs BuildKit with --oci-worker-no-process-sandbox, so the masked /proc of a Docker container does not matter.'] : []),
          'Run the doctor component on the runner again: userns and mount should now say yes.',
        ],
      };
    case 'kaniko':
      return {
        format: 'toml',
        text: `${header(builder, 'docker')}# kaniko needs nothing special from the runner: the defaults (no privileges, Docker's
# seccomp and AppArmor profiles) are what it runs with. Nothing to change.
[[runners]]
  executor = "docker"
  [runners.docker]
    privileged = false
`,
        notes: ['kaniko needs nothing special: any Docker runner works as it is, shared runners included.'],
      };
    case 'dind':
      return {
        format: 'toml',
        text: `${runners}    # UNSAFE: privileged = true gives every job on this runner root on the host: any job
    # can read other jobs' secrets, change the runner and escape to the machine. Use it only
    # on a runner of its own that runs nothing but trusted projects; prefer buildah.
    privileged = true
    # /certs/client: the TLS client certificates the docker:dind service creates, shared with
    # the job; /cache: the runner's cache volume.
    volumes = ["/certs/client", "/cache"]
`,
        notes: [
          'UNSAFE: a privileged runner gives every job on it control of the host. Prefer buildah (cigen runner-config --builder buildah --executor docker).',
          'Keep DOCKER_TLS_CERTDIR="/certs" (the dind component sets it) so the daemon is only reachable with the shared client certificates.',
        ],
      };
    case 'buildah-rootless':
      // runnerConfig() refuses it before this point.
      throw new Error(runnerConfigProblem(builder, 'docker'));
  }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes executor: Helm values.yml of the gitlab-runner chart

/** `runners.config` as the chart templates it; the namespace line is the chart's own default. */
function values(builder: BuilderName, body: string): string {
  const config = `[[runners]]
${body}`;
  return `${header(builder, 'kubernetes')}# Helm values.yml of the gitlab-runner chart (merge into yours, then helm upgrade). Every job on
# this runner gets these settings: give image builds a runner of their own (its tags) when other
# jobs should keep the defaults.
runners:
  config: |
${config
  .split('\n')
  .map((line) => (line === '' ? '' : `    ${line}`))
  .join('\n')}`;
}

const K8S_KUBERNETES = `  [runners.kubernetes]
    namespace = "{{ default .Release.Namespace .Values.runners.jobNamespace }}"
    image = "alpine"
`;

const SECCOMP_COMMENT = `    # Vanilla Kubernetes applies no seccomp profile, but hardened clusters apply RuntimeDefault,
    # which refuses unshare() and mount(). This patch gives the build container a profile that
    # allows them: put <profile-name>.json in /var/lib/kubelet/seccomp on every node first.
    # See https://gitlab.com/gitlab-org/gitlab-runner/-/merge_requests/3904#note_1322875439
`;

function buildContainerPatch(securityContext: string): string {
  return `    [[runners.kubernetes.pod_spec]]
      name = "build-security-context"
      patch = '''
        containers:
        - name: build
          securityContext:
${securityContext}      '''
      patch_type = "strategic"
`;
}

const SECCOMP_LOCALHOST = `            seccompProfile:
              type: Localhost
              localhostProfile: <profile-name>.json
`;

const CONTAINER_STORAGE = `    # Kubernetes ignores the image's VOLUMEs, so container storage would sit on the container's
    # own overlay root: "'overlay' is not supported over overlayfs", and builds fall back to vfs.
    # With hostUsers: false these volumes also work around containerd/containerd#12212.
    # See also: https://github.com/containers/image_build/blob/943ddba/buildah/Containerfile
    [[runners.kubernetes.volumes.empty_dir]]
      name = "var-lib-containers"
      mount_path = "/var/lib/containers"

    [[runners.kubernetes.volumes.empty_dir]]
      name = "home-local-share-containers"
      mount_path = "/home/build/.local/share/containers"
`;

const FF_ADVANCED_POD_SPEC = '  environment = ["FF_USE_ADVANCED_POD_SPEC_CONFIGURATION=true"]\n';

const APPARMOR_NOTE =
  'On nodes with AppArmor (Ubuntu, Debian), the container runtime applies its default profile, which refuses mount(): if `cigen doctor` reports an enforced AppArmor profile, add appArmorProfile: {type: Unconfined} (Kubernetes 1.30+) next to seccompProfile in the patch, or a custom profile.';

const POLICY_NOTE = 'Pod Security Standards (restricted or baseline) or an admission controller (Kyverno, OPA Gatekeeper) may refuse these settings in the runner namespace: allow them there.';

function kubernetesConfig(builder: BuilderName): RunnerConfig {
  switch (builder) {
    case 'buildah':
      return {
        format: 'yaml',
        text: values(
          builder,
          `${FF_ADVANCED_POD_SPEC}
${K8S_KUBERNETES}    privileged = false

${SECCOMP_COMMENT}${buildContainerPatch(SECCOMP_LOCALHOST)}
${CONTAINER_STORAGE}`,
        ),
        notes: [
          'Vanilla Kubernetes (EKS with default options, for one) often runs buildah as it is: run the doctor component first and keep only the parts it asks for.',
          'The seccomp patch needs <profile-name>.json (Docker\'s default profile plus unshare and mount) in /var/lib/kubelet/seccomp on every node; drop the patch if your cluster applies no seccomp profile.',
          APPARMOR_NOTE,
          POLICY_NOTE,
          'Next step up: buildah-rootless (cigen runner-config --builder buildah-rootless --executor kubernetes), once the cluster runs user namespaces.',
        ],
      };
    case 'buildah-rootless':
      return {
        format: 'yaml',
        text: values(
          builder,
          `${FF_ADVANCED_POD_SPEC}  builds_dir = "/tmp/builds"

${K8S_KUBERNETES}
    # See https://docs.gitlab.com/runner/executors/kubernetes/#user-namespaces
    privileged = false
    allowPrivilegeEscalation = false
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
          'Needs Kubernetes 1.33+ (user namespaces GA), Linux 6.3+ on the nodes (ID-mapped tmpfs mounts) and containerd 2.0+ (or CRI-O with user namespace support).',
          'The seccomp patch needs <profile-name>.json (Docker\'s default profile plus unshare and mount) in /var/lib/kubelet/seccomp on every node.',
          APPARMOR_NOTE,
          POLICY_NOTE,
          'Start with buildah (chroot isolation) and move up when the cluster allows it; run the doctor component on the runner to check: proc-unmasked should say yes.',
        ],
      };
    case 'buildkit':
      return {
        format: 'yaml',
        text: values(
          builder,
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
          'The buildkit component runs BuildKit with --oci-worker-no-process-sandbox, so /proc may stay masked; seccomp and AppArmor must allow unshare() and mount(), as for buildah.',
          'The seccomp patch needs <profile-name>.json in /var/lib/kubelet/seccomp on every node; drop it if your cluster applies no seccomp profile.',
          APPARMOR_NOTE,
          POLICY_NOTE,
        ],
      };
    case 'kaniko':
      return {
        format: 'yaml',
        text: values(
          builder,
          `  # kaniko needs nothing special from the runner: the defaults are what it runs with.
${K8S_KUBERNETES}    privileged = false
`,
        ),
        notes: ['kaniko needs nothing special: any Kubernetes runner works as it is.'],
      };
    case 'dind':
      return {
        format: 'yaml',
        text: values(
          builder,
          `${K8S_KUBERNETES}    # UNSAFE: privileged = true gives every job on this runner root on the node: any job can
    # read other pods' secrets and escape to the machine. Use it only on a runner of its own
    # that runs nothing but trusted projects; prefer buildah.
    privileged = true

    # The TLS client certificates the docker:dind service creates, shared with the job.
    [[runners.kubernetes.volumes.empty_dir]]
      name = "docker-certs"
      mount_path = "/certs/client"
      medium = "Memory"
`,
        ),
        notes: [
          'UNSAFE: a privileged runner gives every job on it control of the node. Prefer buildah (cigen runner-config --builder buildah --executor kubernetes).',
          'Pod Security Standards baseline and restricted refuse privileged pods: the runner namespace must be privileged.',
        ],
      };
  }
}

/** The snippet for a builder on an executor. Throws when the combination cannot work (runnerConfigProblem). */
export function runnerConfig(builder: BuilderName, executor: RunnerExecutor): RunnerConfig {
  const problem = runnerConfigProblem(builder, executor);
  if (problem) throw new Error(problem);
  return executor === 'docker' ? dockerConfig(builder) : kubernetesConfig(builder);
}
