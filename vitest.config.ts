import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/** Handlebars sources are bundled as text by esbuild; load them the same way in tests. */
const handlebarsAsText: Plugin = {
  name: 'cigen-hbs-text',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.hbs')) return null;
    return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
  },
};

export default defineConfig({
  plugins: [handlebarsAsText],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
