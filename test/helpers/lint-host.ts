/** The linter's host as the CLI wires it: project files from a map, cigen's catalog offline. */
import { lintHost } from '../../src/cli/wiring/lint.js';
import type { LintHost } from '../../src/lint/lint-text.js';

export const catalogHost = (read: (path: string) => string | undefined = () => undefined): LintHost =>
  lintHost((path) => {
    const text = read(path);
    return text === undefined ? undefined : { text, file: path };
  });
