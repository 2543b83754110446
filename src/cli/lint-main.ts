/**
 * The `cigen lint` program, bundled apart (dist/lint.cjs): lint is what a pipeline runs on every
 * push, and a process that only lints then loads neither the builders nor their templates.
 * Its lint command is the one main.ts registers (program.ts, registerLintCommand), so help, options
 * and exit codes match.
 *
 * The lint code is imported here, not when the command runs as main.ts does: a bundle without
 * that dynamic import holds its modules in one scope, where each module's wrapper (compiled again
 * on its first call, some 8 ms of every lint) would otherwise be.
 */
import { runLint } from './commands/lint.js';
import { createProgram, registerLintCommand, run } from './program.js';

const program = createProgram();
registerLintCommand(program, () => Promise.resolve(runLint));
void run(program, process.argv);
