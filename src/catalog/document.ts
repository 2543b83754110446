/** A component definition as GitLab reads it: the `spec:` header, `---`, the jobs. */
import { specEntry } from '../builders/inputs.js';
import { GENERATED_BANNER } from './banner.js';
import { stringifyComponent } from '../ci/yaml.js';
import { flattened } from '../ci/strings.js';
import type { ComponentDefinition } from './registry.js';

export function componentHeader(component: ComponentDefinition): { spec: { inputs: Record<string, unknown> } } {
  return { spec: { inputs: Object.fromEntries(Object.entries(component.inputs).map(([name, input]) => [name, specEntry(input)])) } };
}

export function renderComponent(component: ComponentDefinition): string {
  const source = component.builder ? `src/builders/${component.builder}.ts` : `src/catalog/${component.name}.ts`;
  const banner = `${GENERATED_BANNER} from ${source} and components/. Do not edit.\n`;
  // Flattened here, once: the writer's output is a tree of thousands of parts (see flattened).
  return flattened(banner + stringifyComponent(componentHeader(component), component.jobs()));
}
