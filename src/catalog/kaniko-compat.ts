/**
 * kaniko-compat: a hidden job whose before_script installs /kaniko/executor, an executable that
 * takes Kaniko's command line and builds with Buildah. For the Kaniko jobs `cigen migrate` cannot
 * read statically (the build assembled when the job runs, template libraries other projects
 * extend): they extend `.cigen-kaniko-compat` and keep their script. The executor's argument
 * parser is generated from Kaniko's flag table (src/builders/kaniko-flags.ts), the one
 * `cigen migrate` translates with; its Buildah setup and the registry inputs are the buildah
 * component's.
 */
import executor from '../../components/kaniko-compat/executor.sh.hbs';
import install from '../../components/kaniko-compat/install.sh.hbs';
import readme from '../../components/kaniko-compat/README.md.hbs';
import { BUILDAH_IMAGE, BUILDAH_IMAGE_SAMPLE, BUILDAH_INPUTS } from '../builders/buildah.js';
import {
  CORE_INPUTS,
  REGISTRIES_DESCRIPTION,
  builderImageInput,
  type InputDeclaration,
  type InputDeclarations,
} from '../builders/inputs.js';
import { TAG_RULE } from '../builders/tag.js';
import { jobKey } from '../builders/job.js';
import {
  CLOUD_HELPER_REFUSED,
  KANIKO_CACHE_TTL,
  KANIKO_CLOUD_HELPERS,
  KANIKO_CREDENTIAL_HELPERS,
  KANIKO_FLAGS,
  compatRuleWhenFalse,
} from '../builders/kaniko-flags.js';
import { OCI_DROPPED_WORDS } from '../builders/said.js';
import { readLines, renderScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { inputVariables, plain } from '../builders/variables.js';
import { Literal, type Job, type Jobs } from '../ci/model.js';
import type { ComponentDefinition } from './component.js';

export const KANIKO_COMPAT = 'kaniko-compat';
/** The hidden job other jobs extend (the job-name input's default). */
export const KANIKO_COMPAT_JOB = '.cigen-kaniko-compat';
/** Ends the heredoc that carries the executor in before_script; the executor never holds it. */
const DELIMITER = 'CIGEN_KANIKO_COMPAT_EXECUTOR';

const registryInput = (name: keyof typeof CORE_INPUTS): InputDeclaration => CORE_INPUTS[name];

export const KANIKO_COMPAT_INPUTS: InputDeclarations = {
  'job-name': {
    type: 'string',
    default: KANIKO_COMPAT_JOB,
    // A hidden job's name: a dot, then what stays a plain YAML key in both interpolation modes.
    regex: String.raw`^\.[A-Za-z0-9_][A-Za-z0-9_.-]*$`,
    description: 'Name of the hidden job to extend. Jobs that extend it start their own `before_script` with a `!reference` to it.',
    sample: '.kaniko-compat',
  },
  'builder-image': builderImageInput(BUILDAH_IMAGE, BUILDAH_IMAGE_SAMPLE),
  'registry-mirrors': registryInput('registry-mirrors'),
  'dependency-proxy': registryInput('dependency-proxy'),
  'insecure-registries': registryInput('insecure-registries'),
  'ca-certificates': registryInput('ca-certificates'),
  registries: { ...registryInput('registries'), description: REGISTRIES_DESCRIPTION },
  'docker-config': registryInput('docker-config'),
  'push-retries': {
    ...registryInput('push-retries'),
    description: 'Retries for a push that fails, unless the command line gives `--push-retry`.',
  },
  'storage-driver': BUILDAH_INPUTS['storage-driver'] as InputDeclaration,
  format: {
    ...(BUILDAH_INPUTS['format'] as InputDeclaration),
    default: 'docker',
    sample: 'oci',
    description:
      'Image format. `docker`, as Kaniko writes images built on Docker-format bases, ' + `keeps ${OCI_DROPPED_WORDS}; \`oci\` drops them.`,
  },
};

/** Single-quoted for the shell (the table's reasons hold no quote of their own; one would be escaped). */
const shellQuoted = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The parser's case branches and the variables they fill, from the flag table. */
export function flagParser(): { flags: Record<string, string>[]; stores: string[] } {
  const stores = new Set<string>();
  const flags = Object.entries(KANIKO_FLAGS).map(([name, flag]) => {
    const branch: Record<string, string> = {
      names: [`--${name}`, ...(flag.short ? [`-${flag.short}`] : [])].join(' | '),
      kind: flag.kind,
    };
    if ('store' in flag.compat) {
      branch['store'] = flag.compat.store;
      stores.add(flag.compat.store);
    } else if ('accept' in flag.compat) branch['accept'] = shellQuoted(flag.compat.accept);
    else branch['refuse'] = shellQuoted(flag.compat.refuse);
    // `--flag=false`: the parser takes this rule instead, once it has read the value.
    if (flag.compatWhenFalse && flag.kind !== 'bool') throw new Error(`--${name}: a rule for =false on a flag that is not a boolean`);
    const whenFalse = compatRuleWhenFalse(flag);
    if (whenFalse) {
      if ('store' in whenFalse) {
        branch['falseKind'] = 'store';
        branch['falseText'] = whenFalse.store;
        stores.add(whenFalse.store);
      } else if ('accept' in whenFalse) {
        branch['falseKind'] = 'accept';
        branch['falseText'] = shellQuoted(whenFalse.accept);
      } else {
        branch['falseKind'] = 'refuse';
        branch['falseText'] = shellQuoted(whenFalse.refuse);
      }
    }
    return branch;
  });
  return { flags, stores: [...stores] };
}

const REMOTE_CONTEXT =
  'a remote build context (git, s3, gs, az, https); kaniko-compat builds a directory of the job: ' +
  'fetch it first and give --context the directory';
/** tar://PATH is a tar archive (gzip'ed or not) in the job, which Kaniko unpacks: nothing remote. */
const TAR_CONTEXT =
  'a tar archive of the context, which Kaniko unpacks; kaniko-compat builds a directory of the job: ' +
  'extract the archive first (mkdir DIR && tar -xf ARCHIVE -C DIR) and give --context the directory';

/** What `/kaniko/executor --help` (or -h) prints: Kaniko's command prints its usage for them and exits 0. */
export const executorUsage = (isolation: string): string =>
  `Usage: /kaniko/executor [flags]
       /kaniko/executor version

kaniko-compat (cigen): the Kaniko executor's command line, built and pushed by Buildah (${isolation} isolation).
Every flag of Kaniko's executor is read: its value goes to Buildah, or Buildah already does what it
asks (the log says so), or the job stops before building, naming the flag.
What the flags become: docs/components/kaniko-compat.md in cigen; every flag: src/builders/kaniko-flags.ts.`;

/** The executor, as the shell file it becomes. */
export function executorScript(): string {
  const isolation = 'chroot';
  const text = renderScript(executor, {
    component: KANIKO_COMPAT,
    isolation,
    usage: shellQuoted(executorUsage(isolation)),
    cloudHelpers: KANIKO_CLOUD_HELPERS.join(' | '),
    helpers: KANIKO_CREDENTIAL_HELPERS.join(', '),
    cloudHelperRefused: shellQuoted(CLOUD_HELPER_REFUSED),
    reads: readLines(KANIKO_COMPAT_INPUTS),
    tagRule: TAG_RULE,
    cacheTtl: KANIKO_CACHE_TTL,
    remote: REMOTE_CONTEXT,
    tarContext: TAR_CONTEXT,
    ...flagParser(),
  });
  if (text.split('\n').includes(DELIMITER)) throw new Error(`the executor holds its own heredoc delimiter ${DELIMITER}`);
  return text;
}

/** The before_script item: writes the executor to /kaniko/executor. */
export const installScript = (): string =>
  renderScript(install, { isolation: 'chroot', delimiter: DELIMITER, executor: executorScript().replace(/\n$/, '') });

function kanikoCompatJobs(): Jobs {
  // A hidden job: GitLab asks no script of it; the jobs that extend it bring theirs.
  const hidden = {
    image: plain(inputRef('builder-image')),
    variables: inputVariables(KANIKO_COMPAT_INPUTS),
    before_script: [new Literal(installScript())],
  };
  return { [jobKey()]: hidden as Omit<Job, 'script'> as Job };
}

export const kanikoCompatComponent: ComponentDefinition = {
  name: KANIKO_COMPAT,
  title: 'Kaniko-compatible executor (Buildah)',
  summary:
    'A hidden job whose before_script installs /kaniko/executor: the Kaniko command line, built and pushed by Buildah, ' +
    'for Kaniko jobs whose build is assembled at run time.',
  unsafe: false,
  images: [BUILDAH_IMAGE],
  inputs: KANIKO_COMPAT_INPUTS,
  jobs: kanikoCompatJobs,
  readme,
  usage: {},
  usageJobs:
    'build:\n  extends: .cigen-kaniko-compat\n  script:\n' +
    '    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" $KANIKO_ARGS\n',
};
