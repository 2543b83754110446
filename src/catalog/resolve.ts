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
  /** Set for a partial version: what was checked instead of what GitLab reads (findings are warnings). */
  approximation?: string;
}

/** A component of cigen's catalog (`ref` names its project), rendered from the definitions this cigen ships;
 *  undefined for a version this cigen is not (its inputs may differ: not checked offline). A partial
 *  version this cigen matches (`@1`, `@1.0`) is checked against them too, saying so: GitLab resolves
 *  it to the latest published match, which may be a later release. */
export function resolveCatalogComponent(
  ref: ComponentRef,
  target: string,
): ResolvedComponent | { code: string; message: string; approximation?: string } | undefined {
  const match = shippedMatch(ref.version);
  if (match === undefined) return undefined;
  const approximation = match === 'partial' ? partialNote(ref.version) : undefined;
  const approximate = approximation === undefined ? {} : { approximation };
  const component = findComponent(ref.name);
  if (!component) {
    return {
      code: 'include/unknown-component',
      message: `the cigen catalog has no component \`${ref.name}\`; it has: ${CATALOG.map((c) => c.name).join(', ')}`,
      ...approximate,
    };
  }
  return {
    file: `${target} (cigen ${ref.name})`,
    text: renderComponent(component),
    valueErrors: checkBuildInputValues,
    rendered: true,
    ...approximate,
  };
}

/** How a component version names the one this cigen ships: the whole version (`exact`), or its major
 *  (`1`) or major.minor (`partial`). `~latest`, another version, a branch or a commit: undefined. */
export function shippedMatch(version: string): 'exact' | 'partial' | undefined {
  const have = CATALOG_VERSION.split('.');
  if (!/^\d+(\.\d+){0,2}$/.test(version) || !version.split('.').every((part, i) => part === have[i])) return undefined;
  return version === CATALOG_VERSION ? 'exact' : 'partial';
}

/** What a partial version's findings were checked against, and why that may not be what GitLab reads
 *  (doc/ci/components: "`1` to select the latest `1.*.*` version"). */
function partialNote(version: string): string {
  const latest = [...version.split('.'), '*', '*'].slice(0, 3).join('.');
  return (
    `checked against the specs of cigen ${CATALOG_VERSION}, which this CLI ships: GitLab resolves \`@${version}\` ` +
    `to the latest published ${latest}, which may be a later one`
  );
}
