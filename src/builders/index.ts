/** Every builder, in the order the catalog, the docs and the doctor list them. Nothing else
 *  lists builders: add a module, add it here, and the rest follows. */
import type { Builder } from './builder.js';
import { buildah } from './buildah.js';
import { buildahRootless } from './buildah-rootless.js';
import { buildkit } from './buildkit.js';
import { dind } from './dind.js';
import { kaniko } from './kaniko.js';

const LIST = [buildah, buildahRootless, kaniko, buildkit, dind] as const;
export type BuilderId = (typeof LIST)[number]['id'];
export const BUILDERS: readonly Builder<BuilderId>[] = LIST;
export const BUILDER_IDS: readonly BuilderId[] = BUILDERS.map((builder) => builder.id);

export const isBuilderId = (name: string): name is BuilderId => (BUILDER_IDS as readonly string[]).includes(name);
export const builderById = (id: BuilderId): Builder<BuilderId> => BUILDERS.find((builder) => builder.id === id) as Builder<BuilderId>;

export type { Builder } from './builder.js';
