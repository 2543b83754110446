/**
 * The catalog: which components exist, their inputs, and the builder each one renders.
 * Everything here is data and pure functions; `catalog/build.ts` does the writing.
 */
import buildahReadme from '../../components/buildah/README.md.hbs';
import buildahRootlessReadme from '../../components/buildah-rootless/README.md.hbs';
import buildkitReadme from '../../components/buildkit/README.md.hbs';
import dindReadme from '../../components/dind/README.md.hbs';
import doctorReadme from '../../components/doctor/README.md.hbs';
import kanikoReadme from '../../components/kaniko/README.md.hbs';
import migrationBotReadme from '../../components/migration-bot/README.md.hbs';
import type { Jobs } from '../ci/model.js';
import type { InputValue } from '../ci/interpolation/inputs.js';
import { BUILDAH_IMAGE, IMAGE_FORMATS, STORAGE_DRIVERS, buildahJob } from '../builders/buildah.js';
import { BUILDKIT_IMAGE, buildkitJob } from '../builders/buildkit.js';
import { DOCKER_CLI_IMAGE, DOCKER_DIND_IMAGE, dindJob } from '../builders/dind.js';
import { KANIKO_IMAGE, kanikoJob } from '../builders/kaniko.js';
import { inputRef, type BuilderId } from '../builders/spec.js';
import { plain } from '../builders/variables.js';
import { DOCTOR_IMAGE, DOCTOR_INPUTS, doctorJobs } from './doctor.js';
import { MIGRATION_BOT_INPUTS, NODE_IMAGE, migrationBotJobs } from './migration-bot.js';
import { CORE_INPUTS, IMAGE_REFERENCE, builderImageInput, componentBuildSpec, type InputDefinition } from '../builders/inputs.js';

export interface ComponentDefinition {
  /** templates/<name>.yml */
  name: string;
  /** The image builder it runs; none for a tool such as the migration bot. */
  builder?: BuilderId;
  title: string;
  /** One line for listings. */
  summary: string;
  /** Gives the job control of the runner's host. */
  unsafe: boolean;
  /** The pinned image(s) the component runs, for docs and the pinning check. */
  images: string[];
  inputs: Record<string, InputDefinition>;
  jobs(): Jobs;
  /** components/<name>/README.md.hbs */
  readme: (context: { name: string }) => string;
  /** A full set of non-default inputs, used to prove the component under both interpolation modes. */
  sampleInputs: Record<string, InputValue>;
}

const CORE_SAMPLE: Record<string, InputValue> = {
  'job-name': 'build app/api',
  stage: 'package',
  context: 'services/api dir',
  dockerfile: 'docker/Containerfile',
  image: 'registry.example.com/group/api',
  tags: ['1.2.3', '$CI_COMMIT_REF_SLUG'],
  'build-args': ['VERSION=1.2.3', 'NOTE=a "quoted" value: with # and $(id)'],
  target: 'runtime',
  labels: ['org.example.team=platform'],
  platform: 'linux/arm64',
  push: false,
  cache: false,
  'cache-repo': 'registry.example.com/group/api/cache',
  registry: 'registry.example.com',
  'registry-user': '$DEPLOY_USER',
  'registry-password': '$DEPLOY_TOKEN',
  tarball: 'out/image.tar',
  'tls-verify': false,
};

function jobKey(): string {
  return plain(inputRef('job-name'));
}

function withCore(builderImage: string, extras: Record<string, InputDefinition> = {}): Record<string, InputDefinition> {
  return { ...CORE_INPUTS, 'builder-image': builderImageInput(builderImage), ...extras };
}

const BUILDAH_EXTRAS: Record<string, InputDefinition> = {
  'storage-driver': {
    type: 'string',
    default: 'overlay',
    options: [...STORAGE_DRIVERS],
    description: 'Container storage driver. `overlay` is fast; where it cannot mount (overlay on overlayfs) the job falls back to `vfs` by itself.',
  },
  format: {
    type: 'string',
    default: 'oci',
    options: [...IMAGE_FORMATS],
    description: 'Image format. `docker` keeps HEALTHCHECK, SHELL and STOPSIGNAL, which the OCI format drops.',
  },
};

const buildahSpec = () => ({ ...componentBuildSpec(), storageDriver: inputRef('storage-driver'), format: inputRef('format') });

export const CATALOG: readonly ComponentDefinition[] = [
  {
    name: 'buildah',
    builder: 'buildah',
    title: 'Buildah (chroot isolation)',
    summary: 'Daemonless build and push with Buildah in chroot isolation; no privileged runner.',
    unsafe: false,
    images: [BUILDAH_IMAGE],
    inputs: withCore(BUILDAH_IMAGE, BUILDAH_EXTRAS),
    jobs: () => ({ [jobKey()]: buildahJob(buildahSpec(), 'chroot', 'buildah') }),
    readme: buildahReadme,
    sampleInputs: { ...CORE_SAMPLE, 'builder-image': 'mirror.example.com/buildah/stable:v1.43.4', 'storage-driver': 'vfs', format: 'docker' },
  },
  {
    name: 'buildah-rootless',
    builder: 'buildah-rootless',
    title: 'Buildah (rootless isolation)',
    summary: 'Buildah with rootless isolation (own PID and IPC namespaces); needs a Kubernetes runner with user namespaces and unmasked /proc.',
    unsafe: false,
    images: [BUILDAH_IMAGE],
    inputs: withCore(BUILDAH_IMAGE, BUILDAH_EXTRAS),
    jobs: () => ({ [jobKey()]: buildahJob(buildahSpec(), 'rootless', 'buildah-rootless') }),
    readme: buildahRootlessReadme,
    sampleInputs: { ...CORE_SAMPLE, 'builder-image': 'mirror.example.com/buildah/stable:v1.43.4', 'storage-driver': 'vfs', format: 'docker' },
  },
  {
    name: 'kaniko',
    builder: 'kaniko',
    title: 'Kaniko (maintained fork)',
    summary: 'Kaniko from the osscontainertools fork: the quick way off the archived executor; no isolation between the job and the build.',
    unsafe: false,
    images: [KANIKO_IMAGE],
    inputs: withCore(KANIKO_IMAGE),
    jobs: () => ({ [jobKey()]: kanikoJob(componentBuildSpec(), 'kaniko') }),
    readme: kanikoReadme,
    sampleInputs: { ...CORE_SAMPLE, 'builder-image': 'mirror.example.com/kaniko:v1.28.5-debug' },
  },
  {
    name: 'buildkit',
    builder: 'buildkit',
    title: 'BuildKit (rootless)',
    summary: 'Rootless BuildKit through buildctl-daemonless.sh, without a process sandbox; no privileged runner.',
    unsafe: false,
    images: [BUILDKIT_IMAGE],
    inputs: withCore(BUILDKIT_IMAGE),
    jobs: () => ({ [jobKey()]: buildkitJob(componentBuildSpec(), 'buildkit') }),
    readme: buildkitReadme,
    sampleInputs: { ...CORE_SAMPLE, 'builder-image': 'mirror.example.com/moby/buildkit:v0.34.0-rootless' },
  },
  {
    name: 'dind',
    builder: 'dind',
    title: 'Docker-in-Docker (UNSAFE: privileged)',
    summary: 'docker build against a docker:dind service. UNSAFE: needs a privileged runner, which gives every job on it control of the host.',
    unsafe: true,
    images: [DOCKER_CLI_IMAGE, DOCKER_DIND_IMAGE],
    inputs: withCore(DOCKER_CLI_IMAGE, {
      'dind-image': {
        type: 'string',
        default: DOCKER_DIND_IMAGE,
        regex: IMAGE_REFERENCE,
        description: 'Image of the docker:dind service; keep it on the same Docker version as `builder-image`.',
      },
    }),
    jobs: () => ({ [jobKey()]: dindJob({ ...componentBuildSpec(), dindImage: inputRef('dind-image') }, 'dind') }),
    readme: dindReadme,
    sampleInputs: { ...CORE_SAMPLE, 'tls-verify': true, 'builder-image': 'mirror.example.com/docker:29.9.0-cli', 'dind-image': 'mirror.example.com/docker:29.9.0-dind' },
  },
  {
    name: 'doctor',
    title: 'Doctor (what can this runner build with?)',
    summary: 'Probes the runner (user namespaces, mounts, seccomp, AppArmor, /proc masking, overlay) and recommends a builder component; leaves cigen-doctor.json.',
    unsafe: false,
    images: [DOCTOR_IMAGE],
    inputs: DOCTOR_INPUTS,
    jobs: doctorJobs,
    readme: doctorReadme,
    sampleInputs: { 'job-name': 'runner:doctor', stage: 'check', 'probe-image': 'mirror.example.com/buildah/stable:v1.43.4', storage: '$CI_PROJECT_DIR/.containers' },
  },
  {
    name: 'migration-bot',
    title: 'Migration bot (cigen bot)',
    summary: 'Opens one merge request per project that still builds with Kaniko or a Docker daemon, moving it onto buildah; parallel: N spreads an instance over N jobs.',
    unsafe: false,
    images: [NODE_IMAGE],
    inputs: MIGRATION_BOT_INPUTS,
    jobs: migrationBotJobs,
    readme: migrationBotReadme,
    sampleInputs: { 'job-name': 'migrate:off-kaniko', stage: 'maintenance', group: 'platform/apps', projects: '', all: false, 'gitlab-url': 'https://gitlab.example.com', 'component-ref': 'gitlab.example.com/platform/cigen/buildah@1.2.0', concurrency: 8, parallel: 4, 'dry-run': false, 'node-image': 'mirror.example.com/node:20.20.2-bookworm-slim', package: '@platform/cigen@1.2.0' },
  },
];

export function findComponent(name: string): ComponentDefinition | undefined {
  return CATALOG.find((component) => component.name === name);
}
