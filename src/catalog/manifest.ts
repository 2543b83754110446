/**
 * The `manifest` component: one index (manifest list) of per-platform images, named by digest —
 * the images build jobs reported (`CIGEN_BUILT_REF_<PLATFORM>`, through `needs:`) or an
 * explicit list — pushed under the tags with Buildah. The same job ends the `buildah-native`
 * fan-out (./buildah-native.ts); its shell is components/manifest/script.sh.hbs.
 */
import readme from '../../components/manifest/README.md.hbs';
import { BUILDAH_IMAGE } from '../builders/buildah.js';
import { CORE_INPUTS, jobNameInput, type InputDeclarations } from '../builders/inputs.js';
import { jobKey } from '../builders/job.js';
import { inputRef } from '../builders/spec.js';
import { listVariable, plain } from '../builders/variables.js';
import type { Jobs } from '../ci/model.js';
import type { ComponentDefinition } from './component.js';
import { INDEX_INPUTS, SOURCES_INPUT, indexJob } from './release.js';

export const MANIFEST_INPUTS: InputDeclarations = {
  'job-name': jobNameInput('manifest', 'merge-manifest', 'merge:app'),
  stage: CORE_INPUTS.stage,
  'build-jobs': {
    type: 'array',
    default: [],
    description:
      'The jobs (their `job-name`) this job `needs:`: with `sources` empty, the build jobs whose reports give the ' +
      'per-platform images that go in the index, one platform each at least (fewer platforms than jobs stop the job); with ' +
      '`sources`, the jobs whose reports set the variables its items name. Empty: `needs: []`: the job starts when the ' +
      "pipeline is created, before the jobs of earlier stages, and gets no job's report; `sources` then names images by " +
      'digest, or by variables the job has without a report (CI/CD settings), and an item a variable leaves empty stops it.',
    sample: ['build app/amd64', 'build app/arm64'],
  },
  ...SOURCES_INPUT,
  ...INDEX_INPUTS,
};

function manifestJobs(): Jobs {
  const job = indexJob('manifest', MANIFEST_INPUTS, plain(inputRef('build-jobs')));
  // The jobs, counted against the platforms their reports give (two builds of one platform leave one).
  return { [jobKey()]: { ...job, variables: { ...job.variables, CIGEN_BUILD_JOBS: listVariable(inputRef('build-jobs')) } } };
}

export const manifestComponent: ComponentDefinition = {
  name: 'manifest',
  title: 'Manifest (one index of per-platform images)',
  summary:
    'Merges per-platform images, by digest — the ones build jobs reported through needs:, or a list — into one index (manifest list) ' +
    'pushed under the tags, with Buildah; each image keeps its digest.',
  unsafe: false,
  images: [BUILDAH_IMAGE],
  inputs: MANIFEST_INPUTS,
  jobs: manifestJobs,
  readme,
  usage: { 'build-jobs': ['build-amd64', 'build-arm64'] },
  // The two builds it merges: one platform each, under tags of their own.
  usageWith: ['amd64', 'arm64'].map((arch) => ({
    component: 'buildah',
    inputs: { 'job-name': `build-${arch}`, platform: `linux/${arch}`, tags: [`$CI_COMMIT_SHORT_SHA-${arch}`] },
  })),
};
