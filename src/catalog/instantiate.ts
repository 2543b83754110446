/** One component with concrete inputs, as GitLab would expand it: what `cigen render` prints. */
import { instantiate, splitComponentFile, type InterpolationMode } from '../ci/interpolation/index.js';
import { stringifyYaml } from '../ci/yaml.js';
import type { ComponentDefinition } from './registry.js';
import { renderComponent } from './document.js';
import { checkBuildInputValues } from './values.js';

export interface RenderedInstance {
  /** The jobs as YAML, when the inputs were accepted. */
  text?: string;
  jobs?: unknown;
  errors: string[];
}

export function renderInstance(
  component: ComponentDefinition,
  inputs: Readonly<Record<string, unknown>>,
  mode: InterpolationMode,
): RenderedInstance {
  const instance = instantiate(splitComponentFile(renderComponent(component)), inputs, mode);
  const errors = [...instance.errors, ...(instance.errors.length === 0 ? checkBuildInputValues(instance.values, mode) : [])];
  if (errors.length > 0 || instance.content === undefined) return { errors };
  return { text: stringifyYaml(instance.content), jobs: instance.content, errors: [] };
}
