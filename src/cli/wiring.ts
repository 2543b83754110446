/**
 * How the features meet, in one place: features never import each other, so what one needs of
 * another is handed to it here (the linter's host reads cigen's catalog; the bot migrates with
 * `cigen migrate`).
 */
import type { Migrator } from '../bot/migrator.js';
import { generatedValueChecks, resolveCatalogComponent } from '../catalog/resolve.js';
import type { LintHost } from '../lint/lint-text.js';
import { defaultComponentRef, localIncludePaths, migrateFile, SourceError } from '../migrate/index.js';

/** The linter's host: project files through `read`, cigen's own components offline. */
export function lintHost(read: LintHost['readProjectFile']): LintHost {
  return { readProjectFile: read, resolveComponent: resolveCatalogComponent, componentValueChecks: generatedValueChecks };
}

/** `cigen migrate` as the bot's migrator. */
export const migrator: Migrator = {
  get defaultComponentRef() {
    return defaultComponentRef();
  },
  localIncludes(path, text) {
    try {
      return localIncludePaths(path, text);
    } catch (error) {
      if (error instanceof SourceError) return [];
      throw error;
    }
  },
  migrate(path, text, options) {
    try {
      return migrateFile(path, text, {
        componentRef: options.componentRef,
        host: { readProjectFile: options.readProjectFile },
        ...(options.builderImages ? { builderImages: options.builderImages } : {}),
      });
    } catch (error) {
      if (error instanceof SourceError) return { invalid: error.message };
      throw error;
    }
  },
};
