/**
 * The `buildah-native` component: a multi-platform image built on native runners, no emulation.
 * One Buildah job per architecture (`parallel: matrix` over the `architectures` input, runner tags
 * per architecture from `platform-runner-tags`), each the buildah component's own job and script
 * with its `platform` input fed by the matrix variable, then the `manifest` component's job merging
 * their digests (their dotenv reports, through `needs:`) into one index under the tags. Its own
 * component because GitLab refuses an empty matrix: a builder cannot carry it as an option.
 */
import arch from '../../components/buildah-native/arch.sh.hbs';
import readme from '../../components/buildah-native/README.md.hbs';
import { BUILDAH_IMAGE, BUILDAH_INPUTS, buildahJob } from '../builders/buildah.js';
import type { InputDeclarations } from '../builders/inputs.js';
import { jobKey } from '../builders/job.js';
import { shellLibrary, renderBuildScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { LIST_PREFIX, plain } from '../builders/variables.js';
import { Literal, type Job, type Jobs, type Variables } from '../ci/model.js';
import type { ComponentDefinition } from './component.js';
import { INDEX_INPUTS, SOURCES_INPUT, afterStage, indexJob, pickInputs } from './release.js';

export const BUILDAH_NATIVE = 'buildah-native';
/** The matrix variable: one architecture per job, usable in runner tags (`saas-linux-small-$CIGEN_ARCH`). */
export const ARCH_VARIABLE = 'CIGEN_ARCH';

/** The buildah inputs the fan-out sets itself: the platform (the matrix's), always pushing, no tarball. */
const FIXED = ['platform', 'platforms', 'push', 'tarball'];

const { 'job-name': jobName, stage, ...buildahRest } = BUILDAH_INPUTS;

export const BUILDAH_NATIVE_INPUTS: InputDeclarations = {
  'job-name': {
    ...jobName!,
    description:
      'Name of the job that pushes the index, so that `needs:` elsewhere keeps working; the per-architecture jobs are `<job-name>:arch`.',
  },
  stage: stage!,
  architectures: {
    type: 'array',
    default: ['amd64', 'arm64'],
    description:
      `One job per architecture (\`parallel: matrix\`, in \`${ARCH_VARIABLE}\`), each building \`linux/<arch>\` on a runner of ` +
      'that architecture: `amd64`, `arm64`, `ppc64le`, `s390x`, `riscv64`, ...',
    sample: ['amd64', 'arm64', 's390x'],
  },
  'platform-runner-tags': {
    type: 'array',
    default: [`saas-linux-small-$${ARCH_VARIABLE}`],
    description:
      `Runner tags of each architecture's job, where \`$${ARCH_VARIABLE}\` is its architecture: GitLab.com's hosted runners by ` +
      `default (\`saas-linux-small-amd64\`, \`saas-linux-small-arm64\`); your own runners tagged by architecture: ` +
      `\`[$${ARCH_VARIABLE}]\`, or with more tags (\`[docker, build-$${ARCH_VARIABLE}]\`).`,
    sample: ['docker', `build-$${ARCH_VARIABLE}`],
  },
  ...Object.fromEntries(Object.entries(buildahRest).filter(([name]) => !FIXED.includes(name))),
};

const archJobName = (): string => `${jobKey()}:arch`;

/** The literal a variable holds (expand: false: the script expands it, as data). */
const data = (text: string) => ({ value: new Literal(text), expand: false });

function archJob(): Job {
  const job = buildahJob(BUILDAH_NATIVE, 'chroot', BUILDAH_INPUTS);
  const variables: Variables = { ...job.variables };
  variables['CIGEN_PLATFORM'] = data(`linux/$${ARCH_VARIABLE}`);
  variables['CIGEN_PLATFORMS'] = data(`${LIST_PREFIX}[]`);
  variables['CIGEN_PUSH'] = 'true';
  variables['CIGEN_TARBALL'] = data('');
  const preamble = renderBuildScript(arch, BUILDAH_NATIVE, pickInputs('image', 'tags', 'tag-rules'));
  return afterStage(
    // The shell library, this preamble, then the buildah script: one shell, one library.
    { ...job, variables, script: [shellLibrary(), new Literal(preamble), ...job.script.filter((item) => item !== shellLibrary())] },
    {
      // The job's runners, one architecture each: GitLab expands the matrix variable in tags.
      tags: plain(inputRef('platform-runner-tags')),
      parallel: { matrix: [{ [ARCH_VARIABLE]: plain(inputRef('architectures')) }] },
    },
  );
}

function indexOfArchitectures(): Job {
  const inputs = { ...INDEX_INPUTS, ...SOURCES_INPUT };
  const job = indexJob(BUILDAH_NATIVE, inputs, [{ job: archJobName(), artifacts: true }]);
  return { ...job, variables: { ...job.variables, CIGEN_SOURCES: data(`${LIST_PREFIX}[]`) } };
}

const buildahNativeJobs = (): Jobs => ({ [archJobName()]: archJob(), [jobKey()]: indexOfArchitectures() });

export const buildahNativeComponent: ComponentDefinition = {
  name: BUILDAH_NATIVE,
  title: 'Buildah, one native job per architecture (multi-platform index)',
  summary:
    'Builds each architecture on a runner of that architecture (parallel: matrix, runner tags per architecture), no emulation, ' +
    'then merges their digests into one index pushed under the tags.',
  unsafe: false,
  images: [BUILDAH_IMAGE],
  inputs: BUILDAH_NATIVE_INPUTS,
  jobs: buildahNativeJobs,
  readme,
  usage: { image: '$CI_REGISTRY_IMAGE', tags: ['$CI_COMMIT_SHORT_SHA', 'latest'], architectures: ['amd64', 'arm64'] },
};
