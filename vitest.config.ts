import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';
// A plain ES module shared with the bundler; its types are in hbs.d.mts.
import { handlebarsModule } from './src/tooling/hbs.mjs';

/** Handlebars sources load as precompiled templates, exactly as the bundler builds them. */
export const handlebars: Plugin = {
  name: 'cigen-handlebars',
  enforce: 'pre',
  load(id) {
    return id.endsWith('.hbs') ? handlebarsModule(readFileSync(id, 'utf8')) : null;
  },
};

export default defineConfig({
  plugins: [handlebars],
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/helpers/output-through-streams.ts'],
    // Pure tests: no root, no programs but node. A generous limit: a loaded machine is slow, not wrong.
    testTimeout: 120_000,
    // Hooks too: removing a test's 100,000 files took over vitest's 10 s on a loaded machine.
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker per core (vitest's default leaves one core idle): the files share no state, and on
    // two cores the tier takes 49 s instead of 73 s.
    maxWorkers: '100%',
  },
});
