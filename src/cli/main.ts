/**
 * The cigen CLI: commander wiring only. Commands load their modules on demand so that a quick
 * command does not pay for the others; every error becomes an exit code in program.ts.
 * `cigen lint` runs from a bundle of its own (lint-main.ts) when `lint` is the first argument
 * (bin/cigen.cjs chooses); otherwise, as with `cigen --verbose lint`, from this one.
 */
import { Option } from 'commander';
import { componentRef } from '../ci/component-ref.js';
import { createProgram, formatOption, registerBuildCommand, registerLintCommand, run } from './program.js';
import { registerSupplyCommands } from './supply.js';
// Types only: erased from the bundle, so each command's module still loads on demand.
import type { BotCommandOptions } from './commands/bot.js';
import type { InitCommandOptions } from './commands/init.js';
import type { PublishOptions } from './commands/publish.js';

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];
/** migrate's and the bot's --component-ref, and where the component comes from without it. */
const COMPONENT_REF_HELP =
  'the buildah component, <server>/<project path>/buildah@<version>, or the catalog <server>/<path>@<version> ' +
  `(default: the catalog the pipeline already includes one of cigen's components from, else ${componentRef('buildah')})`;
const program = createProgram();

registerBuildCommand(program, async () => (await import('./commands/build.js')).runBuild);

program
  .command('render')
  .description('print the job a component becomes for the given inputs, as GitLab would expand it')
  .argument('<component>', 'component name, e.g. buildah')
  .option(
    '-i, --input <name=value>',
    'an input value, read as YAML the way GitLab reads inputs: (repeatable)',
    (value: string, all: string[]) => [...all, value],
    [] as string[],
  )
  .option('--inputs <file>', 'a YAML file of input values')
  .addOption(new Option('--mode <mode>', 'GitLab interpolation mode').choices(['classic', 'text']).default('classic'))
  .option('-o, --out <file>', 'write the job to a file (atomically) instead of stdout')
  .addHelpText(
    'after',
    "\nExamples:\n  cigen render buildah -i 'tags=[v1.2.3, latest]' -i push=false\n  cigen render kaniko --inputs inputs.yml " +
      '--mode text -o job.yml',
  )
  .action(async (component: string, options: { input: string[]; inputs?: string; mode: 'classic' | 'text'; out?: string }) => {
    const { runRender } = await import('./commands/render.js');
    await runRender(component, options);
  });

registerLintCommand(program, async () => (await import('./commands/lint.js')).runLint);

program
  .command('migrate')
  .description('move Kaniko and Docker-daemon build jobs onto the catalog; a dry run (report + unified diff) unless --write')
  .argument('<files...>', 'pipeline files (their local includes are read and migrated too)')
  .option('--write', 'rewrite the files in place, atomically (all of them or none)')
  .option('--component-ref <ref>', COMPONENT_REF_HELP, undefined)
  .option(
    '--builder-image <[registry=]image>',
    'the Buildah image for jobs whose Kaniko image, or docker image or dind service, comes from a company registry ' +
      '(that registry, or any); repeat per registry',
    collect,
    [],
  )
  .addOption(formatOption())
  .addHelpText(
    'after',
    '\nExit codes: 0 done (see the report for jobs that need review), 1 invalid YAML or a file cigen cannot rewrite\n' +
      '(one with a byte that is not UTF-8, say, or an `include:` list other keys alias too; nothing written), 2 usage,\n' +
      '74 a file could not be written (nothing written).\n\nExamples:\n' +
      '  cigen migrate .gitlab-ci.yml\n  cigen migrate .gitlab-ci.yml --write\n' +
      '  cigen migrate .gitlab-ci.yml --format json --component-ref gitlab.example.com/platform/cigen/buildah@1.2.0\n' +
      '  cigen migrate .gitlab-ci.yml --builder-image harbor.example.com=harbor.example.com/quay/buildah/stable:v1.43.4',
  )
  .action(async (files: string[], options: { write?: boolean; format: 'text' | 'json'; componentRef?: string; builderImage: string[] }) => {
    const { runMigrate } = await import('./commands/migrate.js');
    await runMigrate(files, options);
  });

program
  .command('init')
  .description("scaffold or extend a project's .gitlab-ci.yml: one build per Dockerfile, with the builder the runner allows")
  .argument('[dir]', 'project directory', '.')
  .option('--builder <name>', 'buildah, buildah-rootless, buildkit, kaniko or dind (otherwise asked on a terminal)')
  .option('--doctor-report <file>', 'take the builder a cigen doctor job recommended (its cigen-doctor.json); not with --builder')
  .option('--component-ref <ref>', 'catalog <server>/<path>@<version> (the builder name is added), or a full component ref')
  .option('--image <repository>', 'base repository for the images', '$CI_REGISTRY_IMAGE')
  .option('--file <path>', 'pipeline file, relative to the directory', '.gitlab-ci.yml')
  .option('-y, --yes', 'write without asking (required to write when not on a terminal)')
  .addHelpText(
    'after',
    '\nOn a terminal init asks which runners the jobs run on, shows the diff and asks before writing.\n' +
      'Exit codes: 0 done (or nothing to add), 1 no Dockerfile, invalid YAML, a file in flow style (JSON), ' +
      'an `include:` list other keys alias too, ' +
      'a byte that is not UTF-8, a --doctor-report that is not a doctor report this cigen reads, ' +
      'or nothing written off a terminal without --yes, 2 usage (a --doctor-report that is not there or not readable too), ' +
      '74 the file could not be written, 130 interrupted at a question (Ctrl+C; Ctrl+D answers no).\n\n' +
      'Examples:\n  cigen init\n' +
      '  cigen init services/ --yes --builder buildah\n' +
      '  cigen init --yes --doctor-report cigen-doctor.json --component-ref gitlab.example.com/platform/cigen@1.2.0',
  )
  .action(async (dir: string, options: InitCommandOptions) => {
    const { runInit } = await import('./commands/init.js');
    await runInit(dir, options);
  });

program
  .command('doctor')
  .description(
    'turn the report a doctor job left on your runner (cigen-doctor.json) into advice: what works, what to change, which builder',
  )
  .option('--report <file>', 'the report the doctor component wrote', 'cigen-doctor.json')
  .addOption(formatOption())
  .addHelpText(
    'after',
    '\nThe probe itself runs on the runner: include the doctor component, then download its artifact.\n\nExamples:\n' +
      '  cigen doctor --report cigen-doctor.json\n  cigen doctor --report cigen-doctor.json --format json\n' +
      '  cigen init --doctor-report cigen-doctor.json --yes',
  )
  .action(async (options: { report: string; format: 'text' | 'json' }) => {
    const { runDoctor } = await import('./commands/doctor.js');
    await runDoctor(options);
  });

program
  .command('runner-config')
  .description('print the runner settings a builder needs: config.toml for the Docker executor, Helm values for Kubernetes')
  .requiredOption('--builder <name>', 'buildah, buildah-rootless, buildkit, kaniko or dind')
  .requiredOption('--executor <executor>', 'docker or kubernetes')
  .addHelpText(
    'after',
    '\nExamples:\n  cigen runner-config --builder buildah --executor docker\n' +
      '  cigen runner-config --builder buildah-rootless --executor kubernetes > values.yml',
  )
  .action(async (options: { builder: string; executor: string }) => {
    const { runRunnerConfig } = await import('./commands/runner-config.js');
    runRunnerConfig(options);
  });

program
  .command('bot')
  .description('open or update one migration merge request per project that still builds with Kaniko (or a Docker daemon)')
  .option('--gitlab-url <url>', 'GitLab instance (default: $CI_SERVER_URL); the token comes from $GITLAB_TOKEN')
  .option('--group <full path>', 'every project of a group, subgroups included')
  .option('--projects <path,...>', 'these projects')
  .option('--all', 'every project the token can see')
  .option('--concurrency <n>', 'projects handled at once', '4')
  .option(
    '--shard <i/n>',
    'only shard i of n (default: $CI_NODE_INDEX/$CI_NODE_TOTAL in a parallel: N job; a parallel: matrix job is no shard)',
  )
  .option('--dry-run', 'change nothing; report what would happen and print the diffs')
  .option('--report <file.json>', 'write the report as JSON, and a Markdown twin beside it')
  .addOption(formatOption())
  .option('--component-ref <ref>', COMPONENT_REF_HELP)
  .option(
    '--builder-image <[registry=]image>',
    'the Buildah image for jobs whose Kaniko image, or docker image or dind service, comes from a company registry ' +
      '(that registry, or any); repeat per registry',
    collect,
    [],
  )
  .addHelpText(
    'after',
    '\nStatuses: opened, updated, unchanged, nothing-to-migrate, declined, merged, human-modified, skipped, failed.\n' +
      'Exit codes: 0 done, 1 a project failed (every project is in the report), the run could not start or list projects,\n' +
      'or the listing stopped on a later page (the projects listed before it are handled and in the report),\n' +
      '2 usage (also a missing or unusable GITLAB_TOKEN, a --gitlab-url that is not http(s)),\n' +
      '74 --report cannot be written (checked before the first request; a full disk after the run: the summary is printed).\n' +
      "With --format json, stdout holds the report (as --report writes it, a dry run's diffs in it); the summary goes to stderr.\n" +
      '\nExamples:\n' +
      '  GITLAB_TOKEN=glpat-... cigen bot --gitlab-url https://gitlab.example.com --group platform --dry-run\n' +
      '  cigen bot --projects team/shop,team/cart --report bot-report.json\n  cigen bot --all --concurrency 8 --shard 1/4',
  )
  .action(async (options: BotCommandOptions) => {
    const { runBotCommand } = await import('./commands/bot.js');
    await runBotCommand(options);
  });

program
  .command('publish')
  .description('release preflight for the GitLab CI/CD Catalog, release notes, and (for mirrors) the Catalog release through the API')
  .option('--tag <version>', 'the version to release, x.y.z without v (default: $CI_COMMIT_TAG)')
  .option('--root <dir>', 'catalog project directory', process.cwd())
  .option('--dry-run', 'only the preflight; say what would be released')
  .option('--notes <file>', "write the version's CHANGELOG section to a file (the release: job's description)")
  .option(
    '--create-release',
    'create the release through the Releases API and publish it to the CI/CD Catalog, then check the Catalog lists it ' +
      '(a mirror that cannot run the release: job); token from $GITLAB_TOKEN',
  )
  .option('--gitlab-url <url>', 'GitLab instance for --create-release (default: $CI_SERVER_URL)')
  .option('--project <path>', 'the catalog project for --create-release (default: $CI_PROJECT_PATH)')
  .option('--ref <ref>', 'with --create-release: create the tag at this ref when it does not exist yet')
  .addHelpText(
    'after',
    '\nChecks: tag is semver without v and matches package.json; at most 30 components, each named as GitLab takes ' +
      'components; every template has a spec: ' +
      "header, no empty spec:inputs:, a spec the Catalog's component spec schema takes and no lint error; " +
      "README.md and a project description (the GitLab project's: " +
      "CI_PROJECT_DESCRIPTION in a pipeline, the API with --create-release; package.json's outside GitLab CI); " +
      'templates and docs current; ' +
      'a CHANGELOG.md entry for the version; with --create-release, a CI/CD Catalog project and a clean git checkout at the ' +
      'commit the tag (or --ref) names on GitLab.\nExit codes: 0 passed (and released to the Catalog, when asked), 1 a check ' +
      'failed, the API refused, or the Catalog does not list the release, ' +
      '2 usage, 74 --notes could not be written.\n\nExamples:\n  cigen publish --dry-run --tag 1.2.0\n' +
      '  cigen publish --dry-run --tag "$CI_COMMIT_TAG" --notes release-notes.md\n' +
      '  GITLAB_TOKEN=... cigen publish --tag 1.2.0 --create-release --gitlab-url https://gitlab.example.com --project platform/cigen',
  )
  .action(async (options: PublishOptions) => {
    const { runPublish } = await import('./commands/publish.js');
    await runPublish(options);
  });

registerSupplyCommands(program);

void run(program, process.argv);
