/**
 * One build, in the input vocabulary every builder shares (docs/ARCHITECTURE.md). A field is
 * either a concrete value or a reference to a component input, so the same pure builder
 * function renders a catalog component (all references) or a concrete job (all values).
 */

export class InputRef {
  constructor(readonly name: string) {}
  /** The interpolation block GitLab replaces with this input's value. */
  get block(): string {
    return `$[[ inputs.${this.name} ]]`;
  }
}

export const inputRef = (name: string): InputRef => new InputRef(name);

export type Bound<T> = T | InputRef;

export interface BuildSpec {
  stage: Bound<string>;
  builderImage: Bound<string>;
  context: Bound<string>;
  dockerfile: Bound<string>;
  image: Bound<string>;
  tags: Bound<string[]>;
  buildArgs: Bound<string[]>;
  target: Bound<string>;
  labels: Bound<string[]>;
  platform: Bound<string>;
  push: Bound<boolean>;
  cache: Bound<boolean>;
  cacheRepo: Bound<string>;
  registry: Bound<string>;
  registryUser: Bound<string>;
  registryPassword: Bound<string>;
  tarball: Bound<string>;
  tlsVerify: Bound<boolean>;
}

export const BUILDER_IDS = ['buildah', 'buildah-rootless', 'kaniko', 'buildkit', 'dind'] as const;
export type BuilderId = (typeof BUILDER_IDS)[number];

/** The dotenv report every build job leaves (artifacts:reports:dotenv). Its keys differ from
 *  the CIGEN_* input variables: dotenv variables outrank job variables in a later job. */
export const REPORT_FILE = 'cigen-build.env';
export const REPORT_KEYS = ['CIGEN_BUILT_IMAGE', 'CIGEN_BUILT_TAGS', 'CIGEN_BUILT_DIGEST', 'CIGEN_BUILT_REF'] as const;
