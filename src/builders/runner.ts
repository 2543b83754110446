/**
 * What a builder asks of the runner, in the terms the doctor component's probe measures, and the
 * runner settings (config.toml for the Docker executor, Helm values for Kubernetes) an admin
 * adds so that it runs. Each builder module declares its own; the pieces they share are here.
 * The settings follow "Seven ways to replace Kaniko" (Buildah chroot, rootless, Kubernetes) and
 * GitLab's Docker-in-Docker docs.
 */

/** The facts the probe collects, in report order. */
// binfmt: emulators for other architectures (QEMU) in binfmt_misc, what RUN steps of the other
// platforms of a multi-platform build need; a fact for `platforms`, needed by no builder.
// buildah: the buildah binary in the PATH of the job (on a shell executor, the host's own, which
// the buildah components run there: a Docker or Kubernetes job runs the one in their image).
// root: the job runs as uid 0. The probe runs in an image whose user is root (the buildah image),
// so another uid is one the runner forces (Docker's user, a pod's run_as_user or run_as_non_root,
// OpenShift's restricted SCC); privileged does not change it.
export const CHECK_NAMES = [
  'userns',
  'mount',
  'seccomp',
  'apparmor',
  'proc-unmasked',
  'overlay',
  'fuse',
  'privileged',
  'root',
  'binfmt',
  'buildah',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const RUNNER_EXECUTORS = ['docker', 'kubernetes'] as const;
export type RunnerExecutor = (typeof RUNNER_EXECUTORS)[number];

export interface RunnerConfig {
  format: 'toml' | 'yaml';
  text: string;
  /** Things to do besides pasting the text, one sentence each. */
  notes: string[];
}

export interface RunnerRequirements {
  /** The checks that must pass. seccomp and AppArmor matter only through userns and mount (a
   *  custom profile can allow both); overlay is a speed note; fuse is a fact (cigen's
   *  storage.conf patch uses kernel overlay, not fuse-overlayfs). */
  needs: readonly CheckName[];
  /** Executors it cannot run on whatever the settings, and why (a shell executor ignores `image:`). */
  impossibleOn?: Partial<Record<RunnerExecutor | 'shell', string>>;
  /** The checks that must pass too on one executor (a shell executor runs the host's own tools). */
  needsOn?: Partial<Record<RunnerExecutor | 'shell', readonly CheckName[]>>;
  /** The runner settings per executor it can run on. */
  config: (executor: RunnerExecutor) => RunnerConfig;
}

/** What the host of a shell executor needs for the buildah components, which run its own tools. */
export const SHELL_HOST_NEEDS = 'buildah, unprivileged user namespaces and mounts';

/** What the buildah components need besides on a shell executor: buildah in the PATH of its jobs. */
export const HOST_BUILDAH: NonNullable<RunnerRequirements['needsOn']> = { shell: ['buildah'] };

export const configHeader = (builder: string, executor: RunnerExecutor): string =>
  `# cigen runner-config --builder ${builder} --executor ${executor}\n`;

// ---------------------------------------------------------------------------------------------
// Docker executor: config.toml

export const DOCKER_PREAMBLE = `# Merge into the [[runners]] entry of the runner's config.toml (/etc/gitlab-runner/config.toml);
# the runner reloads it by itself. Every job on this runner gets these settings: give image
# builds a runner of their own (its tags) when other jobs should keep the defaults.
`;

export const dockerRunners = (builder: string): string =>
  `${configHeader(builder, 'docker')}${DOCKER_PREAMBLE}[[runners]]\n  executor = "docker"\n  [runners.docker]\n`;

export const SECURITY_OPT = `    # Docker's default seccomp profile refuses unshare() and mount(), and its docker-default
    # AppArmor profile (Debian, Ubuntu) refuses mount(). "unconfined" switches both off for every
    # job on this runner. The cleaner way is custom profiles that add just those calls to the
    # defaults: security_opt = ['seccomp=<the profile as one line of JSON>', "apparmor=<profile-name>"]
    # (load the AppArmor profile first: apparmor_parser -r -W /etc/apparmor.d/<profile-name>).
    security_opt = ["seccomp=unconfined", "apparmor=unconfined"]
`;

/** The Docker executor settings of a builder that needs unshare() and mount(). */
export function unconfinedDockerConfig(builder: string, extraNotes: readonly string[] = []): RunnerConfig {
  return {
    format: 'toml',
    text: `${dockerRunners(builder)}    privileged = false\n${SECURITY_OPT}`,
    notes: [
      'seccomp and AppArmor are defence in depth: compensate for loosening them by running Docker itself with user namespaces ' +
        '(userns-remap in /etc/docker/daemon.json).',
      'On hosts with SELinux instead of AppArmor, use label=disable (or a policy that allows the mounts) in security_opt.',
      ...extraNotes,
      'Run the doctor component on the runner again: userns and mount should now say yes.',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Kubernetes executor: Helm values.yml of the gitlab-runner chart

/** `runners.config` as the chart templates it; the namespace line is the chart's own default. */
export function helmValues(builder: string, body: string): string {
  const config = `[[runners]]
${body}`;
  const header = configHeader(builder, 'kubernetes');
  return `${header}# Helm values.yml of the gitlab-runner chart (merge into yours, then helm upgrade). Every job on
# this runner gets these settings: give image builds a runner of their own (its tags) when other
# jobs should keep the defaults.
runners:
  config: |
${config
  .split('\n')
  .map((line) => (line === '' ? '' : `    ${line}`))
  .join('\n')}`;
}

export const K8S_KUBERNETES = `  [runners.kubernetes]
    namespace = "{{ default .Release.Namespace .Values.runners.jobNamespace }}"
    image = "alpine"
`;

export const SECCOMP_COMMENT = `    # Vanilla Kubernetes applies no seccomp profile, but hardened clusters apply RuntimeDefault,
    # which refuses unshare() and mount(). This patch gives the build container a profile that
    # allows them: put <profile-name>.json in /var/lib/kubelet/seccomp on every node first.
    # See https://gitlab.com/gitlab-org/gitlab-runner/-/merge_requests/3904#note_1322875439
`;

export function buildContainerPatch(securityContext: string): string {
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

export const SECCOMP_LOCALHOST = `            seccompProfile:
              type: Localhost
              localhostProfile: <profile-name>.json
`;

export const CONTAINER_STORAGE = `    # Kubernetes ignores the image's VOLUMEs, so container storage would sit on the container's
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

export const FF_ADVANCED_POD_SPEC = '  environment = ["FF_USE_ADVANCED_POD_SPEC_CONFIGURATION=true"]\n';

/** The pod annotation that leaves the build container without an AppArmor profile, on every GitLab
 *  Runner version, as [runners.kubernetes.pod_annotations] takes it. */
export const APPARMOR_ANNOTATION = '"container.apparmor.security.beta.kubernetes.io/build" = "unconfined"';

// GitLab Runner before 18.7.0 built with client-go 0.26, which has no AppArmorProfile type: a
// pod_spec patch that sets appArmorProfile was dropped without a word (gitlab-runner!6512).
export const APPARMOR_NOTE =
  'On nodes with AppArmor (Ubuntu, Debian), the container runtime applies its default profile to every pod that names none, ' +
  'and it refuses mount(): if `cigen doctor` reports an enforced AppArmor profile, add the annotation ' +
  `${APPARMOR_ANNOTATION} under [runners.kubernetes.pod_annotations] (any GitLab Runner version), or, with GitLab Runner 18.7 ` +
  'or later, appArmorProfile: {type: Unconfined} (Kubernetes 1.30+) next to seccompProfile in the patch (earlier runners drop ' +
  'that field from the patch silently), or a custom profile loaded on every node.';

export const POLICY_NOTE =
  'Pod Security Standards (restricted or baseline) or an admission controller (Kyverno, OPA Gatekeeper) may refuse these settings ' +
  'in the runner namespace: allow them there.';

/** The runner settings that make jobs run as a user other than root (the `root` check fails). */
export const FORCED_USER_SETTINGS =
  "the Docker executor's user in [runners.docker]; the Kubernetes executor's run_as_user, or run_as_non_root = true, in " +
  '[runners.kubernetes.pod_security_context] or [runners.kubernetes.build_container_security_context]; ' +
  "OpenShift's restricted SCC, which runs pods as a random uid";
