// Vitest set-up: commands a test runs in its own process write through process.stdout and
// process.stderr (which vitest captures and tests spy on), not straight to the descriptors.
import { THROUGH_NODE_STREAMS } from '../../src/cli/stdio.js';

(globalThis as Record<symbol, unknown>)[THROUGH_NODE_STREAMS] = true;
