/**
 * How the features meet (src/cli/wiring/): features never import each other, so what one needs of
 * another is handed to it here. The bot migrates with `cigen migrate`; the linter's host is in
 * lint.ts, apart, so that the `cigen lint` bundle does not load the migrator.
 */
import type { Migrator } from '../../bot/migrator.js';
import { localIncludePaths, migrateFile, SourceError } from '../../migrate/index.js';

/** `cigen migrate` as the bot's migrator. */
export const migrator: Migrator = {
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
      const files = migrateFile(path, text, {
        ...(options.componentRef !== undefined ? { componentRef: options.componentRef } : {}),
        host: { readProjectFile: options.readProjectFile },
        ...(options.builderImages ? { builderImages: options.builderImages } : {}),
      });
      // The pipeline file comes first, and says what the whole migration moved onto.
      const [root] = files;
      if (!root) throw new Error(`migrate returned no file for ${path}`);
      return {
        files,
        componentRef: root.componentRef,
        ...(root.includedCatalog ? { includedCatalog: root.includedCatalog.catalog } : {}),
      };
    } catch (error) {
      if (error instanceof SourceError) return { invalid: error.message };
      throw error;
    }
  },
};
