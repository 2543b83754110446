// Vitest set-up: commands a test runs in its own process write through process.stdout and
// process.stderr (which vitest captures and tests spy on), not straight to the descriptors.
import { writeThroughNodeStreams } from '../../src/cli/stdio.js';

writeThroughNodeStreams();
