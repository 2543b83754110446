import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';
// @ts-expect-error -- a plain ES module shared with the bundler, without type declarations
import { handlebarsModule } from './src/tooling/hbs.mjs';

/** Handlebars sources load as precompiled templates, exactly as the bundler builds them. */
export const handlebars: Plugin = {
  name: 'cigen-handlebars',
  enforce: 'pre',
  load(id) {
    return id.endsWith('.hbs') ? (handlebarsModule(readFileSync(id, 'utf8')) as string) : null;
  },
};

export default defineConfig({
  plugins: [handlebars],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
