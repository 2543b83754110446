import { defineConfig } from 'vitest/config';
import { handlebars } from '../../vitest.config.js';

/** Tests that need root and real programs: job shells in a chroot, bash/dash/busybox, shellcheck,
 *  tmux, mounts. No time limits of their own: a loaded machine is slow, not wrong. */
export default defineConfig({
  plugins: [handlebars],
  test: {
    include: ['test/system/**/*.test.ts', 'test/security/**/*.test.ts'],
    setupFiles: ['test/helpers/output-through-streams.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
