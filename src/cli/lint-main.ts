/**
 * The `cigen lint` program, bundled apart (dist/lint.cjs): lint is what a pipeline runs on every
 * push, and a process that only lints then loads neither the builders nor their templates.
 * Its lint command is the one main.ts registers (program.ts, registerLintCommand), so help, options
 * and exit codes match.
 *
 * The lint code is imported here, not when the command runs as main.ts does: a bundle without
 * that dynamic import holds its modules in one scope, where each module's wrapper (compiled again
 * on its first call, some 8 ms of every lint) would otherwise be.
 *
 * `cigen lint PATH...`, paths and nothing else, is what CI runs; it runs without commander, whose
 * parsing would give the same: the paths, and each option's default (test/unit/bundle.test.ts
 * compares the two). Any other command line (an option, `--help`, a `-` anywhere) is commander's,
 * loaded then (dist/vendor-commander.cjs): some 6 ms of every lint it would otherwise cost.
 */
import { runLint } from './commands/lint.js';
import { runDirectly } from './exit.js';
import { runParsed } from './parsed.js';
import { DEFAULT_FORMAT } from './output.js';

/** The paths of `cigen lint PATH...` when the command line holds nothing else. */
function plainLintPaths(argv: readonly string[]): string[] | undefined {
  const [command, ...paths] = argv.slice(2);
  if (command !== 'lint' || paths.some((path) => path === '' || path.startsWith('-'))) return undefined;
  return paths;
}

const paths = plainLintPaths(process.argv);
void (paths
  ? runDirectly(() => runLint(paths, { format: DEFAULT_FORMAT }))
  : runParsed((program, { registerLintCommand }) => registerLintCommand(program, () => Promise.resolve(runLint))));
