/**
 * The `cigen build` program, bundled apart (dist/build.cjs; bin/cigen.cjs chooses it): the
 * catalog's renderers without the linter, the migrator and the bot, and without the validator,
 * which it loads from dist/build-validate.cjs when build validates (not for --check, which renders
 * and compares). Its build command is the one main.ts registers (program.ts, registerBuildCommand),
 * so help, options and exit codes match.
 */
import { runBuild } from './commands/build.js';
import { createProgram, registerBuildCommand, run } from './program.js';

const program = createProgram();
registerBuildCommand(program, () => Promise.resolve(runBuild));
void run(program, process.argv);
