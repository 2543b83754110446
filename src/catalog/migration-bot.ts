/**
 * The migration-bot component: `cigen bot` as a catalog job, `parallel: N` to spread an instance
 * over N runners. Not a builder: it shares only job-name and stage with them. It runs the cigen
 * CLI image this catalog version publishes (or a digest of it): nothing is fetched by name at run
 * time, so no package registry is asked for code that runs with the bot's GITLAB_TOKEN.
 */
import readme from '../../components/migration-bot/README.md.hbs';
import script from '../../components/migration-bot/script.sh.hbs';
import { CORE_INPUTS, jobNameInput, type InputDeclarations } from '../builders/inputs.js';
import { jobKey } from '../builders/job.js';
import { readLines, renderScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { inputVariables, plain } from '../builders/variables.js';
import { componentRef } from '../ci/component-ref.js';
import { Literal, type Jobs } from '../ci/model.js';
import type { ComponentDefinition } from './component.js';
import { CLI_IMAGE, SIGNING_INPUTS } from './supply-chain.js';

export const BOT_REPORT = 'cigen-bot-report';

export const MIGRATION_BOT_INPUTS: InputDeclarations = {
  'job-name': jobNameInput('migration bot', 'cigen-migration-bot', 'migrate:off-kaniko'),
  stage: { ...CORE_INPUTS.stage, default: '.post', sample: 'maintenance' },
  group: {
    type: 'string',
    default: '',
    regex: String.raw`^[A-Za-z0-9_./-]*$`,
    variable: 'CIGEN_GROUP',
    description: 'Full path of the group whose projects (subgroups included) the bot visits.',
    sample: 'platform/apps',
  },
  projects: {
    type: 'string',
    default: '',
    regex: String.raw`^[A-Za-z0-9_.,/-]*$`,
    variable: 'CIGEN_PROJECTS',
    description: 'Comma-separated project paths to visit instead of a group.',
    sample: '',
  },
  all: {
    type: 'boolean',
    default: false,
    variable: 'CIGEN_ALL',
    description: 'Visit every project the token can see instead of a group or a list.',
    sample: false,
  },
  'gitlab-url': {
    type: 'string',
    default: '',
    regex: String.raw`^(https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?)?$`,
    variable: 'CIGEN_GITLAB_URL',
    description: 'GitLab instance; empty uses this one ($CI_SERVER_URL).',
    sample: 'https://gitlab.example.com',
  },
  'component-ref': {
    type: 'string',
    // Empty: `cigen bot` without --component-ref, which takes each project's catalog as `cigen migrate` does.
    default: '',
    regex: String.raw`^[A-Za-z0-9$_{}./:@-]*$`,
    variable: 'CIGEN_COMPONENT_REF',
    description:
      'The component the merge requests include, <server>/<project path>/buildah@<version>, or the catalog ' +
      "<server>/<path>@<version>; empty: for each project, the catalog its pipeline already includes one of cigen's " +
      `components from, else ${componentRef('buildah')}.`,
    sample: 'gitlab.example.com/platform/cigen/buildah@1.2.0',
  },
  concurrency: {
    type: 'number',
    default: 4,
    variable: 'CIGEN_CONCURRENCY',
    description:
      'Projects each job handles at once: a whole number from 1 to 64. GitLab checks no range for a number input ' +
      '(`options` takes at most 50 values), so another (0, 65, 2.5) is taken when the pipeline is created and stops the job ' +
      'when it runs (`cigen bot` refuses it, exit 2).',
    sample: 8,
  },
  parallel: { type: 'number', default: 1, description: 'How many jobs share the projects (GitLab `parallel`, 1 to 200).', sample: 4 },
  'dry-run': {
    type: 'boolean',
    default: true,
    variable: 'CIGEN_DRY_RUN',
    description: 'Change nothing: report what the bot would do and print the diffs. Set false to open merge requests.',
    sample: false,
  },
  'cli-image': {
    ...SIGNING_INPUTS['cli-image'],
    description:
      "The cigen CLI image the bot runs, pinned to this catalog's version (the image the catalog's own pipeline builds, signs and " +
      'attests); a mirror of it, or a digest (`...@sha256:...`), if you need to.',
  },
};

function migrationBotJobs(): Jobs {
  return {
    [jobKey()]: {
      stage: plain(inputRef('stage')),
      image: { name: plain(inputRef('cli-image')), entrypoint: [''] },
      parallel: inputRef('parallel').block,
      variables: inputVariables(MIGRATION_BOT_INPUTS),
      script: [new Literal(renderScript(script, { component: 'migration-bot', reads: readLines(MIGRATION_BOT_INPUTS) }))],
      artifacts: { when: 'always', paths: [`${BOT_REPORT}.json`, `${BOT_REPORT}.md`] },
    },
  };
}

export const migrationBotComponent: ComponentDefinition = {
  name: 'migration-bot',
  title: 'Migration bot (cigen bot)',
  summary:
    'Opens one merge request per project that still builds with Kaniko or a Docker daemon, moving it onto buildah; parallel: ' +
    'N spreads an instance over N jobs.',
  unsafe: false,
  images: [CLI_IMAGE],
  inputs: MIGRATION_BOT_INPUTS,
  jobs: migrationBotJobs,
  readme,
  usage: { group: 'platform', parallel: 4, 'dry-run': false },
};
