/**
 * How the features meet (src/cli/wiring/): features never import each other, so what one needs of
 * another is handed to it here. The bot migrates with `cigen migrate`; the linter's host is in
 * lint.ts, apart, so that the `cigen lint` bundle does not load the migrator.
 */
import type { Migrator } from '../../bot/migrator.js';
import { defaultComponentRef, localIncludePaths, migrateFile, SourceError } from '../../migrate/index.js';

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
