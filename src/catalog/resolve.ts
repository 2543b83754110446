/**
 * This catalog's components as `include: component:` entries read them, offline: what the
 * linter's host answers for a reference to cigen's catalog project. The `cigen lint` bundle
 * loads this module (and with it every builder) only when a pipeline includes one of them.
 */
import { CATALOG_PATH } from '../ci/component-ref.js';
import type { ComponentRef } from '../ci/includes.js';
import { renderComponent } from './document.js';
import { CATALOG, findComponent } from './registry.js';
import { checkBuildInputValues } from './values.js';

export interface ResolvedComponent {
  file: string;
  text: string;
  valueErrors?: (inputs: Record<string, unknown>) => string[];
}

/** A component of cigen's catalog, rendered from the definitions this cigen ships. */
export function resolveCatalogComponent(
  ref: ComponentRef,
  target: string,
): ResolvedComponent | { code: string; message: string } | undefined {
  if (ref.project !== CATALOG_PATH) return undefined;
  const component = findComponent(ref.name);
  if (!component) {
    return {
      code: 'include/unknown-component',
      message: `the cigen catalog has no component \`${ref.name}\`; it has: ${CATALOG.map((c) => c.name).join(', ')}`,
    };
  }
  return { file: `${target} (cigen ${ref.name})`, text: renderComponent(component), valueErrors: checkBuildInputValues };
}
