/**
 * The `promote` component: copy an image by digest — a multi-platform index whole, every digest
 * kept — to other tags, repositories and registries, without rebuilding. skopeo, because
 * `skopeo copy --all --preserve-digests` copies an index as it is and refuses to change a digest,
 * where Buildah would write a new index (a new digest) from the images it names. The shell is
 * components/promote/script.sh.hbs; the registry inputs are the builders' own declarations.
 */
import readme from '../../components/promote/README.md.hbs';
import script from '../../components/promote/script.sh.hbs';
import { CORE_INPUTS, jobNameInput, IMAGE_REFERENCE, REPOSITORY, type InputDeclarations } from '../builders/inputs.js';
import { assembleJob, jobKey } from '../builders/job.js';
import { renderBuildScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { VERSION_TAG_PIPELINE } from '../builders/tag-rules.js';
import { plain, quoted } from '../builders/variables.js';
import type { Jobs } from '../ci/model.js';
import type { ComponentDefinition } from './component.js';
import { REGISTRY_INPUTS, afterStage } from './release.js';

/** The release of skopeo that goes with Buildah 1.43 (the buildah component's pin): the same containers/image. */
export const SKOPEO_IMAGE = 'quay.io/skopeo/stable:v1.22.2';
export const SKOPEO_IMAGE_SAMPLE = 'mirror.example.com/skopeo/stable:v1.22.2';

/**
 * An environment name as GitLab takes it (Gitlab::Regex.environment_name_regex: letters, digits,
 * spaces and `- _ $ { } .`, and `/` but neither first nor last), of at most 255 characters (the
 * Environment model's limit). The job writes it double-quoted, where none of them is special.
 */
const ENVIRONMENT_END = 'a-zA-Z0-9_${}. -';
export const ENVIRONMENT = `^[${ENVIRONMENT_END}](?:[/${ENVIRONMENT_END}]{0,253}[${ENVIRONMENT_END}])?$`;

export const PROMOTE_INPUTS: InputDeclarations = {
  'job-name': jobNameInput('promote', 'promote-image', 'promote:production'),
  stage: { ...CORE_INPUTS.stage, default: 'deploy', sample: 'release' },
  'build-job': {
    ...CORE_INPUTS['job-name'],
    default: 'build-image',
    description:
      'The build job (its `job-name`) whose report names the image (`CIGEN_BUILT_REF`): this job `needs:` it, optionally: ' +
      'a pipeline without it (a tag pipeline that does not build) gives `source`.',
    sample: 'build app/api',
  },
  source: {
    type: 'string',
    default: '$CIGEN_BUILT_REF',
    regex: IMAGE_REFERENCE,
    variable: 'CIGEN_SOURCE',
    description:
      "The image to promote: `IMAGE@sha256:...` (the build job's `CIGEN_BUILT_REF`; `$IMAGE@$DIGEST` when a report gives them " +
      'apart), or `IMAGE:TAG`, resolved to its digest once ' +
      '(`$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA`: what the branch pipeline built for this commit). Every tag gets that digest.',
    sample: 'registry.example.com/group/api:$CI_COMMIT_SHORT_SHA',
  },
  image: {
    ...CORE_INPUTS.image,
    default: '',
    regex: `(?:${REPOSITORY})|^$`,
    description:
      'Repository to copy to, without a tag, in this or another registry (`registry.example.com/prod/api`); ' +
      "empty: the source's own repository (new tags for the same image).",
    sample: 'registry.example.com/prod/api',
  },
  tags: {
    ...CORE_INPUTS.tags,
    default: [],
    description:
      'Tags to copy the image to, one destination `<image>:<tag>` each; items may reference variables. ' +
      'May be empty when `tag-rules` gives the tags.',
  },
  'tag-rules': {
    ...CORE_INPUTS['tag-rules'],
    default: ['semver:{{version}}', 'semver:{{major}}.{{minor}}', 'latest'],
  },
  environment: {
    type: 'string',
    default: 'release',
    regex: ENVIRONMENT,
    description:
      'The environment the job deploys to (`environment:`): protect it (Settings > CI/CD > Protected environments) ' +
      'to say who may promote; each promotion is a deployment in its history.',
    sample: 'production',
  },
  rules: {
    type: 'array',
    // Where the default tag-rules give tags: a version tag's pipeline (a pre-release gets {{version}}),
    // and no other, where the job would stop with no tag to push.
    default: [{ if: VERSION_TAG_PIPELINE }],
    description:
      'When the job runs, as GitLab `rules:` (`[{if: $CI_COMMIT_TAG, when: manual}]`). Default: in the pipelines of a ' +
      'version tag (`v1.2.3`, `1.2.3`, `v1.3.0-rc.1`), where the default `tag-rules` give tags; a tag that is no version ' +
      '(`deploy-2026-12`) runs no job. A pipeline where `tags` and `tag-rules` give no tag stops the job.',
    sample: [{ if: '$CI_COMMIT_TAG =~ /^v/', when: 'manual' }],
  },
  'skopeo-image': {
    type: 'string',
    default: SKOPEO_IMAGE,
    regex: IMAGE_REFERENCE,
    description: 'Image the job runs in (skopeo); pinned. Point it at a mirror or a digest if you need to.',
    sample: SKOPEO_IMAGE_SAMPLE,
  },
  ...REGISTRY_INPUTS,
};

function promoteJobs(): Jobs {
  const job = assembleJob({
    inputs: PROMOTE_INPUTS,
    // The image's entry point is skopeo itself; the job needs its shell.
    image: { name: plain(inputRef('skopeo-image')), entrypoint: [''] },
    script: renderBuildScript(script, 'promote', PROMOTE_INPUTS),
  });
  const promote = afterStage(job, {
    needs: [{ job: plain(inputRef('build-job')), artifacts: true, optional: true }],
    rules: plain(inputRef('rules')),
    environment: quoted(inputRef('environment')),
  });
  return { [jobKey()]: promote };
}

export const promoteComponent: ComponentDefinition = {
  name: 'promote',
  title: 'Promote (copy by digest, no rebuild)',
  summary:
    'Copies an image by digest — a multi-platform index whole, every digest kept — to other tags, repositories and registries, ' +
    'without rebuilding (skopeo); tag rules, protected environments.',
  unsafe: false,
  images: [SKOPEO_IMAGE],
  inputs: PROMOTE_INPUTS,
  jobs: promoteJobs,
  readme,
  usage: { 'build-job': 'build-image' },
};
