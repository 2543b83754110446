/**
 * The migration-bot component: `cigen bot` as a catalog job, `parallel: N` to spread an
 * instance over N runners. Not a builder: it shares only job-name and stage with them.
 */
import script from '../../components/migration-bot/script.sh.hbs';
import { inputRef } from '../builders/spec.js';
import { renderScript } from '../builders/script.js';
import { booleanVariable, plain, stringVariable } from '../builders/variables.js';
import { Literal, type Jobs } from '../ci/model.js';
import { CATALOG_MAJOR } from '../ci/component-ref.js';
import { CORE_INPUTS, IMAGE_REFERENCE, type InputDefinition } from '../builders/inputs.js';

/** Node LTS on Debian, the image `cigen` is tested on. */
export const NODE_IMAGE = 'node:20.20.2-bookworm-slim';
export const BOT_REPORT = 'cigen-bot-report';

export const MIGRATION_BOT_INPUTS: Record<string, InputDefinition> = {
  'job-name': { ...CORE_INPUTS['job-name'], default: 'cigen-migration-bot' },
  stage: { ...CORE_INPUTS.stage, default: '.post' },
  group: { type: 'string', default: '', regex: String.raw`^[A-Za-z0-9_./-]*$`, description: 'Full path of the group whose projects (subgroups included) the bot visits.' },
  projects: { type: 'string', default: '', regex: String.raw`^[A-Za-z0-9_.,/-]*$`, description: 'Comma-separated project paths to visit instead of a group.' },
  all: { type: 'boolean', default: false, description: 'Visit every project the token can see instead of a group or a list.' },
  'gitlab-url': { type: 'string', default: '', regex: String.raw`^(https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?)?$`, description: 'GitLab instance; empty uses this one ($CI_SERVER_URL).' },
  'component-ref': {
    type: 'string',
    default: `$CI_SERVER_FQDN/ci-components/cigen/buildah@${CATALOG_MAJOR}`,
    regex: String.raw`^[A-Za-z0-9$_{}./:@-]*$`,
    description: 'The component the merge requests include, <server>/<project path>/buildah@<version>.',
  },
  concurrency: { type: 'number', default: 4, description: 'Projects each job handles at once.' },
  parallel: { type: 'number', default: 1, description: 'How many jobs share the projects (GitLab `parallel`, 1 to 200).' },
  'dry-run': { type: 'boolean', default: true, description: 'Change nothing: report what the bot would do and print the diffs. Set false to open merge requests.' },
  'node-image': { type: 'string', default: NODE_IMAGE, regex: IMAGE_REFERENCE, description: 'Image the job runs in; pinned. Point it at a mirror if you need to.' },
  package: {
    type: 'string',
    default: `cigen@${CATALOG_MAJOR}`,
    regex: String.raw`^[A-Za-z0-9@/._:^~+-]+$`,
    description: 'The npm package spec `npx` runs, e.g. cigen@1.2.0 or a tarball URL of your registry.',
  },
};

export function migrationBotJobs(): Jobs {
  return {
    [plain(inputRef('job-name'))]: {
      stage: plain(inputRef('stage')),
      image: plain(inputRef('node-image')),
      parallel: inputRef('parallel').block,
      variables: {
        CIGEN_GROUP: stringVariable(inputRef('group')),
        CIGEN_PROJECTS: stringVariable(inputRef('projects')),
        CIGEN_ALL: booleanVariable(inputRef('all')),
        CIGEN_GITLAB_URL: stringVariable(inputRef('gitlab-url')),
        CIGEN_COMPONENT_REF: stringVariable(inputRef('component-ref')),
        // A number input: GitLab refuses anything else before the job exists.
        CIGEN_CONCURRENCY: inputRef('concurrency').block,
        CIGEN_DRY_RUN: booleanVariable(inputRef('dry-run')),
        CIGEN_PACKAGE: stringVariable(inputRef('package')),
      },
      script: [new Literal(renderScript(script, { component: 'migration-bot' }))],
      artifacts: { when: 'always', paths: [`${BOT_REPORT}.json`, `${BOT_REPORT}.md`] },
    },
  };
}
