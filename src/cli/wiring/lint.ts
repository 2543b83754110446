/**
 * How the features meet (src/cli/wiring/): the linter's host reads cigen's catalog, which the
 * linter may not import. Apart from bot.ts, so that the `cigen lint` bundle holds no migrator.
 */
import { resolveCatalogComponent } from '../../catalog/resolve.js';
import { generatedValueChecks } from '../../catalog/values.js';
import { CATALOG_PATH } from '../../ci/component-ref.js';
import type { LintHost } from '../../lint/lint-text.js';

/** The linter's host: project files through `read` (and `files`, for wildcard includes), cigen's own components offline. */
export function lintHost(read: LintHost['readProjectFile'], files?: () => Promise<readonly string[]>): LintHost {
  return {
    readProjectFile: read,
    ...(files ? { matchProjectFiles: async (pattern: RegExp) => (await files()).filter((path) => pattern.test(path)) } : {}),
    // Another project's component is not cigen's to answer for; asked here, before the catalog is
    // loaded (the lint bundle holds it apart).
    resolveComponent: (ref, target) => (ref.project === CATALOG_PATH ? resolveCatalogComponent(ref, target) : undefined),
    componentValueChecks: generatedValueChecks,
  };
}
