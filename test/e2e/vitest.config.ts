import { defineConfig } from 'vitest/config';
import { handlebars } from '../../vitest.config.js';

/** Real builds against a real registry: slow, one file at a time, root only. */
export default defineConfig({
  plugins: [handlebars],
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    // The pipeline self-test runs .ci/run inside its `test` job; that nested run must not start
    // the self-test again (the outer run is the one that runs it).
    exclude: process.env['CIGEN_NESTED_SELF_TEST'] === '1' ? ['test/e2e/pipeline.e2e.test.ts', 'node_modules/**'] : ['node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
