/**
 * Colour is cigen's decision (output.ts: a terminal, NO_COLOR, TERM): once it decides to colour a
 * stream, the text is coloured whatever Node would say of process.stdout (here a pipe to vitest).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Stdio from '../../src/cli/stdio.js';

vi.mock('../../src/cli/stdio.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Stdio>()),
  isTerminal: () => true,
}));
const { paint } = await import('../../src/cli/output.js');

describe('paint on a terminal', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('colours standard error when standard output is not a terminal, and with NO_COLOR set but empty', () => {
    vi.stubEnv('TERM', 'xterm');
    vi.stubEnv('NO_COLOR', '');
    expect(paint('bold', '3 project(s)', 'stderr')).toBe('\x1b[1m3 project(s)\x1b[22m');
    expect(paint('red', 'error')).toBe('\x1b[31merror\x1b[39m');
    vi.stubEnv('NO_COLOR', '1');
    expect(paint('red', 'error')).toBe('error');
  });
});
