/**
 * How build-spec fields reach the job's shell: as CIGEN_* variables holding data only.
 * Strings and lists are written with `expand: false` and expanded by the script itself, as
 * data, after any list has been decoded; a referenced input sits alone in a literal block.
 */
import { Literal, type VariableValue, type Variables } from '../ci/model.js';
import { InputRef, type Bound, type BuildSpec } from './spec.js';

/** Marks the variable that holds a list; the script decodes what follows (JSON or Ruby inspect). */
export const LIST_PREFIX = 'list:';

export function stringVariable(value: Bound<string>): VariableValue {
  return { value: value instanceof InputRef ? new Literal(value.block) : value, expand: false };
}

export function listVariable(value: Bound<string[]>): VariableValue {
  const text = value instanceof InputRef ? value.block : JSON.stringify(value);
  return { value: new Literal(`${LIST_PREFIX}${text}`), expand: false };
}

export function booleanVariable(value: Bound<boolean>): VariableValue {
  return value instanceof InputRef ? value.block : value;
}

/** A value placed directly in a YAML key or plain scalar; its input's regex keeps it safe there. */
export function plain(value: Bound<string>): string {
  return value instanceof InputRef ? value.block : value;
}

/** The CIGEN_* variables of the shared vocabulary, in vocabulary order. */
export function buildVariables(spec: BuildSpec): Variables {
  return {
    CIGEN_CONTEXT: stringVariable(spec.context),
    CIGEN_DOCKERFILE: stringVariable(spec.dockerfile),
    CIGEN_IMAGE: stringVariable(spec.image),
    CIGEN_TAGS: listVariable(spec.tags),
    CIGEN_BUILD_ARGS: listVariable(spec.buildArgs),
    CIGEN_TARGET: stringVariable(spec.target),
    CIGEN_LABELS: listVariable(spec.labels),
    CIGEN_PLATFORM: stringVariable(spec.platform),
    CIGEN_PUSH: booleanVariable(spec.push),
    CIGEN_CACHE: booleanVariable(spec.cache),
    CIGEN_CACHE_REPO: stringVariable(spec.cacheRepo),
    CIGEN_REGISTRY: stringVariable(spec.registry),
    CIGEN_REGISTRY_USER: stringVariable(spec.registryUser),
    CIGEN_REGISTRY_PASSWORD: stringVariable(spec.registryPassword),
    CIGEN_TARBALL: stringVariable(spec.tarball),
    CIGEN_TLS_VERIFY: booleanVariable(spec.tlsVerify),
  };
}
