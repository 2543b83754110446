/**
 * What the release components share — `promote`, `manifest` and `buildah-native`: the registry
 * inputs (the builders' own declarations, picked by name), the shell partials that read image
 * references and indexes, and the index job that merges
 * per-platform images by digest (the `manifest` component, and the last job of `buildah-native`).
 */
import Handlebars from 'handlebars/runtime.js';
import manifestScript from '../../components/manifest/script.sh.hbs';
import refs from '../../components/promote/refs.sh.hbs';
import { BUILDAH_IMAGE, BUILDAH_IMAGE_SAMPLE } from '../builders/buildah.js';
import { CORE_INPUTS, builderImageInput, type CoreInputName, type InputDeclarations } from '../builders/inputs.js';
import { assembleJob } from '../builders/job.js';
import { renderBuildScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { plain } from '../builders/variables.js';
import type { Job } from '../ci/model.js';

for (const [name, partial] of Object.entries({ refs })) Handlebars.registerPartial(name, partial);

/** Declarations of the shared vocabulary, by name, in the order given. */
export const pickInputs = (...names: CoreInputName[]): InputDeclarations =>
  Object.fromEntries(names.map((name) => [name, CORE_INPUTS[name]]));

/** Where a release job reads and writes: credentials, TLS, mirrors, a CA, cloud login, retries. */
export const REGISTRY_INPUTS: InputDeclarations = {
  ...pickInputs('registry', 'registry-user', 'registry-password', 'tls-verify'),
  // A release job reads by digest through mirrors, and a tag from its registry (_shared/registries-conf.sh).
  'registry-mirrors': {
    ...CORE_INPUTS['registry-mirrors'],
    description:
      'Pull images named by digest through mirrors first: `REGISTRY=MIRROR[/path]` items, a bare `MIRROR[/path]` meaning ' +
      '`docker.io` (`mirror.example.com`, `quay.io=harbor.example.com/quay`). A tag is read from its registry, never a ' +
      "mirror (a mirror's copy may be older); the registry itself is the fallback.",
  },
  ...pickInputs(
    'dependency-proxy',
    'insecure-registries',
    'ca-certificates',
    'registries',
    'docker-config',
    'registry-login',
    'oidc-audience',
    'aws-role-arn',
    'aws-region',
    'gcp-workload-identity-provider',
    'gcp-service-account',
    'azure-tenant-id',
    'azure-client-id',
    'push-retries',
  ),
};

/** The inputs an index job reads: where the index goes and under which tags, and the registries. */
export const INDEX_INPUTS: InputDeclarations = {
  ...pickInputs('image', 'tags', 'tag-rules'),
  'builder-image': builderImageInput(BUILDAH_IMAGE, BUILDAH_IMAGE_SAMPLE),
  ...REGISTRY_INPUTS,
};

export const SOURCES_INPUT: InputDeclarations = {
  sources: {
    type: 'array',
    default: [],
    variable: 'CIGEN_SOURCES',
    description:
      'The images to merge, by digest (`registry.example.com/app@sha256:...`, `$IMAGE@$DIGEST`; items may reference variables, ' +
      "a report's when `build-jobs` names the job that wrote it). " +
      'Empty: the per-platform images the jobs of `build-jobs` reported (`CIGEN_BUILT_REF_<PLATFORM>` of a build with ' +
      '`platform`, each in the repository its build pushed to; `CIGEN_BUILT_PLATFORM_REFS` of one with `platforms`).',
    sample: [`registry.example.com/group/api@sha256:${'ab'.repeat(32)}`, '$ARM64_REF'],
  },
};

/** The shell of an index job; `component` names it in its first line. */
export const indexScript = (component: string, reads: InputDeclarations): string => renderBuildScript(manifestScript, component, reads);

/** A job with more keys right after `stage:` (the order a reader of the YAML expects). */
export function afterStage(job: Job, keys: Record<string, unknown>): Job {
  const { stage, ...rest } = job;
  return { ...(stage === undefined ? {} : { stage }), ...keys, ...rest };
}

/** The index job: Buildah's image, the index inputs read as data, the needs the caller gives. */
export const indexJob = (component: string, inputs: InputDeclarations, needs: unknown): Job =>
  afterStage(assembleJob({ inputs, image: plain(inputRef('builder-image')), script: indexScript(component, inputs) }), { needs });
