import { defineConfig } from 'vitest/config';
import { handlebars } from '../../vitest.config.js';

/** Real builds against a real registry: slow, one file at a time, root only. */
export default defineConfig({
  plugins: [handlebars],
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    setupFiles: ['test/helpers/output-through-streams.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
