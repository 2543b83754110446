/**
 * This catalog's components as `include: component:` entries read them, offline: what the
 * linter's host answers for a reference to cigen's catalog project (the host decides which
 * references those are, before it loads this module: the `cigen lint` bundle loads it, and with it
 * every builder, only when a pipeline includes one of cigen's components).
 */
import type { ComponentRef } from '../ci/includes.js';
import { renderComponent } from './document.js';
import { CATALOG, findComponent } from './registry.js';
import { checkBuildInputValues } from './values.js';

export interface ResolvedComponent {
  file: string;
  text: string;
  valueErrors?: (inputs: Record<string, unknown>) => string[];
}

/** A component of cigen's catalog (`ref` names its project), rendered from the definitions this cigen ships. */
export function resolveCatalogComponent(ref: ComponentRef, target: string): ResolvedComponent | { code: string; message: string } {
  const component = findComponent(ref.name);
  if (!component) {
    return {
      code: 'include/unknown-component',
      message: `the cigen catalog has no component \`${ref.name}\`; it has: ${CATALOG.map((c) => c.name).join(', ')}`,
    };
  }
  return { file: `${target} (cigen ${ref.name})`, text: renderComponent(component), valueErrors: checkBuildInputValues };
}
