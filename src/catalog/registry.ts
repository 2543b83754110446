/**
 * The catalog: every component this project publishes. Builder components are derived from the
 * builders (src/builders); tool components (the doctor probe, the migration bot) are defined
 * beside this file. Everything here is data and pure functions; src/generate does the writing.
 */
import { BUILDERS, type Builder, type BuilderId } from '../builders/index.js';
import { sampleValues } from '../builders/inputs.js';
import { jobKey } from '../builders/job.js';
import { parseComponentRef } from '../ci/includes.js';
import type { SourceFile } from '../ci/source.js';
import { includesOf } from '../ci/splice.js';
import type { InputValue } from '../ci/interpolation/inputs.js';
import type { ComponentDefinition } from './component.js';
import { buildahNativeComponent } from './buildah-native.js';
import { doctorComponent } from './doctor.js';
import { kanikoCompatComponent } from './kaniko-compat.js';
import { manifestComponent } from './manifest.js';
import { migrationBotComponent } from './migration-bot.js';
import { promoteComponent } from './promote.js';
import { provenanceComponent } from './provenance.js';
import { sbomComponent } from './sbom.js';
import { signComponent } from './sign.js';
import { toggleJobs, TOGGLE_INPUTS } from './supply-chain.js';
import { verifyComponent } from './verify.js';

/** What a team writes first: the project's registry, the commit and latest. */
const BUILDER_USAGE = { image: '$CI_REGISTRY_IMAGE', tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] };

const builderComponent = (builder: Builder<BuilderId>): ComponentDefinition => ({
  name: builder.id,
  builder: builder.id,
  title: builder.title,
  summary: builder.summary,
  unsafe: builder.unsafe,
  images: builder.images,
  // The supply-chain switches (sign, sbom, provenance) add their jobs beside the build.
  inputs: { ...builder.inputs, ...TOGGLE_INPUTS },
  jobs: () => ({ [jobKey()]: builder.job(), ...toggleJobs(builder.id, builder.inputs) }),
  readme: builder.readme,
  usage: BUILDER_USAGE,
});

export const CATALOG: readonly ComponentDefinition[] = [
  ...BUILDERS.map(builderComponent),
  buildahNativeComponent,
  manifestComponent,
  promoteComponent,
  kanikoCompatComponent,
  doctorComponent,
  migrationBotComponent,
  signComponent,
  sbomComponent,
  provenanceComponent,
  verifyComponent,
];

/** The components that build an image from a context and a Dockerfile, in a job named by job-name (build-image by default). */
const IMAGE_BUILDER_COMPONENTS: ReadonlySet<string> = new Set([...BUILDERS.map((builder) => builder.id), buildahNativeComponent.name]);

/** Whether a `component:` include target is one of those builds: what init and migrate count as a build already there
 *  (another component, SAST or cigen's doctor, builds nothing). */
export const buildsImage = (target: string): boolean => IMAGE_BUILDER_COMPONENTS.has(parseComponentRef(target)?.name ?? '');

export function findComponent(name: string): ComponentDefinition | undefined {
  return CATALOG.find((component) => component.name === name);
}

/** Where a pipeline includes this catalog's components from already: `catalog` (server/path) and
 *  `version` of `target`, the first component include naming one of them, in `file`. */
export interface IncludedCatalog {
  catalog: string;
  version: string;
  target: string;
  file: string;
}

/** The first include of one of this catalog's components in `files`, each file's entries in order. */
export function includedCatalog(files: readonly SourceFile[]): IncludedCatalog | undefined {
  for (const file of files)
    for (const entry of includesOf(file)) {
      const ref = entry.kind === 'component' ? parseComponentRef(entry.target) : undefined;
      if (ref && findComponent(ref.name))
        return { catalog: `${ref.server}/${ref.project}`, version: ref.version, target: entry.target, file: file.path };
    }
  return undefined;
}

/** A full set of non-default inputs, used to prove the component under both interpolation modes. */
export const sampleInputs = (component: ComponentDefinition): Record<string, InputValue> => sampleValues(component.inputs);

export type { ComponentDefinition } from './component.js';
