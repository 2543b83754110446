/**
 * The `cigen build` program, bundled apart (dist/build.cjs; bin/cigen.cjs chooses it): the
 * catalog's renderers without the linter, the migrator and the bot, and without the validator,
 * which it loads from dist/build-validate.cjs when build validates (not for --check, which renders
 * and compares). Its build command is the one main.ts registers (program.ts, registerBuildCommand),
 * so help, options and exit codes match.
 *
 * `cigen build --check`, with `--root DIR` or without, is what a catalog's pipeline runs; it runs
 * without commander, whose parsing would give the same options (test/unit/bundle.test.ts compares
 * the two). Any other command line is commander's, loaded then (dist/vendor-commander.cjs).
 */
import { runBuild, type BuildOptions } from './commands/build.js';
import { runDirectly } from './exit.js';
import { runParsed } from './parsed.js';
import { DEFAULT_FORMAT } from './output.js';

/** The options of `cigen build --check [--root DIR]` (either order), when the command line holds nothing else. */
function checkOptions(argv: readonly string[]): BuildOptions | undefined {
  const [command, ...rest] = argv.slice(2);
  if (command !== 'build') return undefined;
  let check = false;
  let root: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const next = rest[i + 1];
    if (arg === '--check' && !check) check = true;
    else if (arg === '--root' && root === undefined && next !== undefined && next !== '' && !next.startsWith('-')) root = rest[++i];
    else return undefined;
  }
  return check ? { check, root: root ?? process.cwd(), format: DEFAULT_FORMAT } : undefined;
}

const options = checkOptions(process.argv);
void (options
  ? runDirectly(() => runBuild(options))
  : runParsed((program, { registerBuildCommand }) => registerBuildCommand(program, () => Promise.resolve(runBuild))));
