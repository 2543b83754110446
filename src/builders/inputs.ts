/**
 * The inputs every builder component shares (docs/ARCHITECTURE.md): same names, types and
 * defaults everywhere, so switching builder is changing one word in the `component:` line.
 *
 * Every string input has a regex: GitLab's text interpolation pastes values into the raw
 * file, so each regex refuses what could reshape the YAML where the value sits, or what makes
 * no sense. Values that sit alone in a literal block (the CIGEN_* variables) only need to stay
 * on one line; values in keys and plain scalars get a narrow character set.
 */
import type { InputSpec, InputType, InputValue } from '../ci/interpolation/inputs.js';
import { inputRef, type BuildSpec } from './spec.js';

export interface InputDefinition extends InputSpec {
  type: InputType;
  default: InputValue;
  description: string;
}

/** One line: no line break of any kind YAML knows (\n, \r, NEL, LS, PS). Written so that RE2
 *  (GitLab) and JavaScript (gitlab-ci-local) read it alike: `\x85` is one escape in both, but
 *  RE2's `\x{2028}` means "x, {, 2, 0, 8, }" to JavaScript, so LS and PS are the characters. */
export const SINGLE_LINE = `^[^\\n\\r\\x85\u2028\u2029]*$`;
/** Job and stage names: safe as a YAML key or plain scalar. Inner spaces are allowed, and a colon
 *  followed by a name character (`build:image`); never `: ` or a trailing space, which would
 *  reshape or change the key under text interpolation. */
export const NAME = String.raw`^[A-Za-z0-9_.](?: *(?:[A-Za-z0-9_./-]|:[A-Za-z0-9_./-]))*$`;
/** An image repository, possibly through variables ($CI_REGISTRY_IMAGE/app). */
export const REPOSITORY = String.raw`^[A-Za-z0-9$][A-Za-z0-9$_{}.:/-]*$`;
/** An image reference with a tag or digest. */
export const IMAGE_REFERENCE = String.raw`^[A-Za-z0-9$][A-Za-z0-9$_{}.:/@-]*$`;

export const CORE_INPUTS = {
  'job-name': {
    type: 'string',
    default: 'build-image',
    regex: NAME,
    description: 'Name of the build job, so that `needs:` and `extends:` elsewhere in the pipeline can refer to it.',
  },
  stage: {
    type: 'string',
    default: 'build',
    regex: NAME,
    description: 'Stage the job runs in.',
  },
  context: {
    type: 'string',
    default: '.',
    regex: SINGLE_LINE,
    description: 'Build context directory, relative to `$CI_PROJECT_DIR`. Passed to the builder as one argument, never evaluated by a shell.',
  },
  dockerfile: {
    type: 'string',
    default: 'Dockerfile',
    regex: SINGLE_LINE,
    description: 'Dockerfile (or Containerfile), relative to the context.',
  },
  image: {
    type: 'string',
    default: '$CI_REGISTRY_IMAGE',
    regex: REPOSITORY,
    description: 'Repository to push to, without a tag; the `tags` input names the tags.',
  },
  tags: {
    type: 'array',
    default: ['$CI_COMMIT_SHORT_SHA'],
    description: 'Tags to push, one destination `<image>:<tag>` each. Items may reference variables (`$CI_COMMIT_REF_SLUG`); they are expanded as data when the job runs.',
  },
  'build-args': {
    type: 'array',
    default: [],
    description: 'Build arguments, `KEY=VALUE` items. Values may reference variables; nothing is evaluated by a shell.',
  },
  target: {
    type: 'string',
    default: '',
    regex: String.raw`^[A-Za-z0-9_.-]*$`,
    description: 'Multi-stage target to build; empty builds the last stage.',
  },
  labels: {
    type: 'array',
    default: [],
    description: 'Extra image labels, `KEY=VALUE` items, added after the OCI labels computed from the pipeline (source, revision, created, title).',
  },
  platform: {
    type: 'string',
    default: '',
    regex: String.raw`^(?:[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?)?$`,
    description: 'Target platform such as `linux/arm64`; empty builds for the runner.',
  },
  push: {
    type: 'boolean',
    default: true,
    description: 'Push the image. `false` builds only (and writes the tarball when one is asked for) and leaves the registry alone, cache included.',
  },
  cache: {
    type: 'boolean',
    default: true,
    description: 'Registry layer cache in `cache-repo`: read on every build, written when pushing.',
  },
  'cache-repo': {
    type: 'string',
    default: '$CI_REGISTRY_IMAGE/cache',
    regex: REPOSITORY,
    description: 'Repository that holds the layer cache.',
  },
  registry: {
    type: 'string',
    default: '$CI_REGISTRY',
    regex: String.raw`^[A-Za-z0-9$_{}.:\[\]-]*$`,
    description: 'Registry host the credentials below are for; empty uses none from inputs.',
  },
  'registry-user': {
    type: 'string',
    default: '$CI_REGISTRY_USER',
    regex: SINGLE_LINE,
    description: 'Registry user. Pass a variable reference.',
  },
  'registry-password': {
    type: 'string',
    default: '$CI_REGISTRY_PASSWORD',
    regex: SINGLE_LINE,
    description: 'Registry password or token. Pass a (masked) variable reference, never the secret itself: it is read from the environment when the job runs, written to a mode-600 config.json and never printed.',
  },
  tarball: {
    type: 'string',
    default: '',
    regex: String.raw`^[A-Za-z0-9$_{}./-]*$`,
    description: 'Also save the image as a docker-archive tarball at this path, relative to `$CI_PROJECT_DIR`; add it to `artifacts:paths` to keep it. Empty: no tarball.',
  },
  'tls-verify': {
    type: 'boolean',
    default: true,
    description: 'Require HTTPS and verify certificates when talking to registries. `false` is for test registries.',
  },
} as const satisfies Record<string, InputDefinition>;

export type CoreInputName = keyof typeof CORE_INPUTS;

export function builderImageInput(image: string): InputDefinition {
  return {
    type: 'string',
    default: image,
    regex: IMAGE_REFERENCE,
    description: 'Image the job runs in; pinned. Point it at a mirror or a digest if you need to.',
  };
}

/** The build spec of a component: every field refers to the input of the same meaning. */
export function componentBuildSpec(): BuildSpec {
  return {
    stage: inputRef('stage'),
    builderImage: inputRef('builder-image'),
    context: inputRef('context'),
    dockerfile: inputRef('dockerfile'),
    image: inputRef('image'),
    tags: inputRef('tags'),
    buildArgs: inputRef('build-args'),
    target: inputRef('target'),
    labels: inputRef('labels'),
    platform: inputRef('platform'),
    push: inputRef('push'),
    cache: inputRef('cache'),
    cacheRepo: inputRef('cache-repo'),
    registry: inputRef('registry'),
    registryUser: inputRef('registry-user'),
    registryPassword: inputRef('registry-password'),
    tarball: inputRef('tarball'),
    tlsVerify: inputRef('tls-verify'),
  };
}
