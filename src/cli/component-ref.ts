/**
 * `--component-ref` as init, migrate and the bot take it: the ref of the component they write
 * (`<server>/<project path>/<component>@<version>`), or the catalog project's path@version, which
 * they complete with the component's name. Another of the catalog's components is refused: an
 * include of it would take other inputs, and GitLab would refuse the pipeline.
 */
import { findComponent, type IncludedCatalog } from '../catalog/registry.js';
import { UsageError } from '../errors.js';

/** `--component-ref`'s syntax: the path and the version; a UsageError when it is not one. Checked
 *  before anything is read or asked (init learns the component only once the builder is chosen). */
export function checkComponentRef(ref: string): { path: string; version: string } {
  // <server>/<catalog project path>@<version>: a server, then a group and a project at least.
  const match = /^([^\s@/]+(?:\/[^\s@/]+){2,})@([^\s@/]+)$/.exec(ref);
  if (!match) throw new UsageError(`--component-ref ${ref}: expected <server>/<catalog path>@<version> (or .../<component>@<version>)`);
  const [, path, version] = match as unknown as [string, string, string];
  return { path, version };
}

/** The ref to write for `component`, from `ref`; `instead` says what to pass when ref names another component. */
export function refFor(component: string, ref: string, instead: (named: string) => string): string {
  const { path, version } = checkComponentRef(ref);
  const named = path.split('/').at(-1) ?? '';
  if (named === component) return ref;
  // Another of the catalog's components (a builder, buildah-native, doctor...).
  if (findComponent(named)) throw new UsageError(`--component-ref ${ref} is the ${named} component, but ${instead(named)}`);
  return `${path}/${component}@${version}`;
}

/** The catalog init and migrate take the component from when no --component-ref is given: the one
 *  the pipeline includes cigen's components from already, and how to take another. */
export const catalogTaken = (catalog: IncludedCatalog): string =>
  `${catalog.catalog}@${catalog.version}, which ${catalog.file} includes already (${catalog.target}); pass --component-ref to use another`;
