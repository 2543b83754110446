/**
 * The `cigen lint` program, bundled apart (dist/lint.cjs): lint is what a pipeline runs on every
 * push, and a process that only lints then loads neither the builders nor their templates.
 * Its lint command is the one main.ts registers (program.ts, registerLintCommand), so help, options
 * and exit codes match.
 */
import { createProgram, registerLintCommand, run } from './program.js';

const program = createProgram();
registerLintCommand(program);
void run(program, process.argv);
