/**
 * Buildah in chroot isolation: daemonless and without a privileged container; needs only mount
 * and user namespaces in the job container (seccomp and AppArmor must allow unshare() and
 * mount()). The rootless variant (./buildah-rootless.ts) shares the job and the inputs.
 */
import readme from '../../components/buildah/README.md.hbs';
import script from '../../components/buildah/script.sh.hbs';
import type { Job } from '../ci/model.js';
import { builderInputs, type Builder } from './builder.js';
import { CORE_INPUTS, type InputDeclarations } from './inputs.js';
import { assembleJob } from './job.js';
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
  unconfinedDockerConfig,
  type RunnerConfig,
  type RunnerExecutor,
} from './runner.js';
import { OCI_DROPPED_WORDS } from './said.js';
import { renderBuildScript } from './script.js';
import { inputRef } from './spec.js';
import { plain } from './variables.js';

/** Rebuilt daily upstream with security fixes; the minor version is what we test against. */
export const BUILDAH_IMAGE = 'quay.io/buildah/stable:v1.43.4';
export const BUILDAH_IMAGE_SAMPLE = 'mirror.example.com/buildah/stable:v1.43.4';

export type BuildahIsolation = 'chroot' | 'rootless';

/** Buildah's own inputs, shared by both isolation modes. */
export const BUILDAH_INPUTS: InputDeclarations = builderInputs(BUILDAH_IMAGE, BUILDAH_IMAGE_SAMPLE, {
  'push-retries': {
    ...CORE_INPUTS['push-retries'],
    description:
      `${CORE_INPUTS['push-retries'].description} In all: the retries \`buildah push\` makes by itself (up to 3 for a ` +
      'network error, whatever it is asked) count among them, and the job runs a failed push again only while some are left.',
  },
  'storage-driver': {
    type: 'string',
    default: 'overlay',
    options: ['overlay', 'vfs'],
    variable: 'CIGEN_STORAGE_DRIVER',
    description:
      'Container storage driver. `overlay` is fast; where it cannot mount (overlay on overlayfs) the job falls back to `vfs` by itself.',
    sample: 'vfs',
  },
  'skip-unused-stages': {
    type: 'boolean',
    default: true,
    variable: 'CIGEN_SKIP_UNUSED_STAGES',
    description:
      "Build only the stages the target needs (Buildah's default, and the osscontainertools Kaniko fork's). `false` builds every " +
      'stage up to the target, as the archived Kaniko executor does by default: a stage nothing copies from (tests, say) still ' +
      'runs and can fail the build.',
    sample: false,
  },
  format: {
    type: 'string',
    default: 'oci',
    options: ['oci', 'docker'],
    variable: 'CIGEN_FORMAT',
    description: `Image format. \`docker\` keeps ${OCI_DROPPED_WORDS}, which the OCI format drops.`,
    sample: 'docker',
  },
});

export function buildahJob(id: string, isolation: BuildahIsolation, inputs: InputDeclarations = BUILDAH_INPUTS): Job {
  return assembleJob({
    inputs,
    image: plain(inputRef('builder-image')),
    script: renderBuildScript(script, id, inputs, { isolation }),
  });
}

function kubernetesConfig(): RunnerConfig {
  return {
    format: 'yaml',
    text: helmValues(
      'buildah',
      `${FF_ADVANCED_POD_SPEC}
${K8S_KUBERNETES}    privileged = false

${SECCOMP_COMMENT}${buildContainerPatch(SECCOMP_LOCALHOST)}
${CONTAINER_STORAGE}`,
    ),
    notes: [
      'Vanilla Kubernetes (EKS with default options, for one) often runs buildah as it is: ' +
        'run the doctor component first and keep only the parts it asks for.',
      "The seccomp patch needs <profile-name>.json (Docker's default profile plus unshare and mount) in /var/lib/kubelet/seccomp " +
        'on every node; drop the patch if your cluster applies no seccomp profile.',
      APPARMOR_NOTE,
      POLICY_NOTE,
      'Next step up: buildah-rootless (cigen runner-config --builder buildah-rootless --executor kubernetes), ' +
        'once the cluster runs user namespaces.',
    ],
  };
}

export const buildah = {
  id: 'buildah',
  title: 'Buildah (chroot isolation)',
  summary: 'Daemonless build and push with Buildah in chroot isolation; no privileged runner.',
  unsafe: false,
  images: [BUILDAH_IMAGE],
  inputs: BUILDAH_INPUTS,
  runner: {
    needs: ['userns', 'mount'],
    needsOn: HOST_BUILDAH,
    config: (executor: RunnerExecutor) => (executor === 'docker' ? unconfinedDockerConfig('buildah') : kubernetesConfig()),
  },
  readme,
  job: (inputs?: InputDeclarations) => buildahJob('buildah', 'chroot', inputs),
} as const satisfies Builder<'buildah'>;
