/**
 * This catalog's components as `include: component:` entries read them, offline: what the
 * linter's host answers for a reference to cigen's catalog project (the host decides which
 * references those are, before it loads this module: the `cigen lint` bundle loads it, and with it
 * every builder, only when a pipeline includes one of cigen's components).
 */
import type { ComponentRef } from '../ci/includes.js';
import { CATALOG_VERSION } from '../ci/component-ref.js';
import { renderComponent } from './document.js';
import { CATALOG, findComponent } from './registry.js';
import { checkBuildInputValues } from './values.js';

export interface ResolvedComponent {
  file: string;
  text: string;
  valueErrors?: (inputs: Record<string, unknown>) => string[];
  rendered: true;
}

/** A component of cigen's catalog (`ref` names its project), rendered from the definitions this cigen ships;
 *  undefined for a version this cigen is not (its inputs may differ: not checked offline). */
export function resolveCatalogComponent(
  ref: ComponentRef,
  target: string,
): ResolvedComponent | { code: string; message: string } | undefined {
  if (!shipped(ref.version)) return undefined;
  const component = findComponent(ref.name);
  if (!component) {
    return {
      code: 'include/unknown-component',
      message: `the cigen catalog has no component \`${ref.name}\`; it has: ${CATALOG.map((c) => c.name).join(', ')}`,
    };
  }
  return { file: `${target} (cigen ${ref.name})`, text: renderComponent(component), valueErrors: checkBuildInputValues, rendered: true };
}

/** Whether a component version names the one this cigen ships: its major (`1`), major.minor or the
 *  whole version. `~latest`, another version, a branch or a commit may be another catalog. */
function shipped(version: string): boolean {
  const have = CATALOG_VERSION.split('.');
  return /^\d+(\.\d+){0,2}$/.test(version) && version.split('.').every((part, i) => part === have[i]);
}
