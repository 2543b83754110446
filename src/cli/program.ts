/**
 * What every cigen program shares: the root command (name, version, --verbose, help, exit
 * codes), the options commands have in common, and what a command line commander refuses or
 * answers with help exits with (a command's own failure ends in exit.ts). main.ts registers every
 * command on it; lint-main.ts, the `cigen lint` bundle, only lint.
 */
import { Command, CommanderError, Option, type HelpContext } from 'commander';
import { CATALOG_VERSION } from '../ci/component-ref.js';
import { failed } from './exit.js';
import { DEFAULT_FORMAT, OUTPUT_FORMATS } from './output.js';
import { guardNodeStreams, writeErr, writeOut } from './stdio.js';
import type { runBuild } from './commands/build.js';
import type { runLint } from './commands/lint.js';
import { setVerbose } from './verbose.js';

const HELP_AFTER =
  '\nExit codes: 0 success, 1 findings or refused input (nothing written), 2 usage error, 70 internal error,\n' +
  '74 the output (a file, stdout) cannot be written (a full disk, a read-only file), 130 interrupted at a question (Ctrl+C),\n' +
  '141 the reader of the output went away (cigen ... | head).\n' +
  'With --format json, stdout holds one JSON document whatever the exit code: the result, or {"error":{"exitCode","message"}}.\n' +
  'Each command has --help.\n';

/**
 * The root command. `cigen help NAME` where no command is NAME says what `cigen NAME` says, in
 * commander's own words: commander would show the whole help in place of an error, without a word
 * of the name it does not know.
 */
class Program extends Command {
  override help(context?: HelpContext): never;
  override help(cb: (text: string) => string): never;
  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === 'function') return super.help(context);
    // Shown as an error with `help NAME` the operands: commander found no command NAME to show the
    // help of (it shows a known command's help itself). Parsed as `cigen NAME`, which throws.
    const [first, name] = this.args;
    if (context?.error && first === 'help' && name !== undefined) this.parse([name], { from: 'user' });
    return super.help(context);
  }
}

export function createProgram(): Command {
  return new Program()
    .name('cigen')
    .description('Safe, fast, boring container image builds for GitLab CI.')
    .version(CATALOG_VERSION)
    .option('--verbose', 'on an internal error, print its stack; the bot also logs each HTTP request (never a token); or CIGEN_DEBUG=1')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut, writeErr, outputError: (text, write) => write(text) })
    .exitOverride()
    .hook('preAction', (command, action) => {
      setVerbose(Boolean(command.opts<{ verbose?: boolean }>().verbose));
      jsonOutput = action.opts<{ format?: string }>().format === 'json';
    })
    .addHelpText('after', HELP_AFTER);
}

export const formatOption = (): Option => new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default(DEFAULT_FORMAT);

type RunBuild = typeof runBuild;

/** `cigen build`, registered by both programs; `loadRunBuild` gives the command's code (main.ts
 *  imports it when build runs, build-main.ts has it already). */
export function registerBuildCommand(program: Command, loadRunBuild: () => Promise<RunBuild>): void {
  program
    .command('build')
    .description('render every component into templates/, its page into docs/components/ and the README table, validating each first')
    .option(
      '--check',
      'write nothing; exit 1 when templates/, docs/components/ or README.md differ from what src/ renders, ' +
        'or a generated file no component renders or a temporary file of an unfinished write is left there ' +
        "(it renders and compares; the validating is build's, before it writes)",
    )
    .option('--root <dir>', 'catalog project directory', process.cwd())
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  cigen build\n  cigen build --check')
    .action(async (options: { check?: boolean; root: string; format: 'text' | 'json' }) => {
      const runBuild = await loadRunBuild();
      await runBuild(options);
    });
}

type RunLint = typeof runLint;

/** `cigen lint`, registered by both programs; `loadRunLint` gives the command's code (main.ts
 *  imports it when lint runs, lint-main.ts has it already). */
export function registerLintCommand(program: Command, loadRunLint: () => Promise<RunLint>): void {
  program
    .command('lint')
    .description('lint .gitlab-ci.yml files and component templates: YAML, GitLab schema, component spec, includes, semantic checks')
    .argument(
      '[paths...]',
      'files or directories (a directory: its .gitlab-ci.yml, gitlab-ci.yml and *.gitlab-ci.yml files, templates/, ' +
        'and the components it holds)',
    )
    .option('--schema-only', 'only the YAML and schema layers')
    .option(
      '--pipeline',
      'check the files named as root pipelines (needs, a visible job), for a custom CI config path; ' +
        'without it only .gitlab-ci.yml, gitlab-ci.yml and *.gitlab-ci.yml files are, and any other file is linted as a fragment',
    )
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 clean or warnings only, 1 errors, 2 usage (or a file that cannot be read).\n\n' +
        'Examples:\n  cigen lint .gitlab-ci.yml\n  cigen lint . --format json\n' +
        '  cigen lint templates/ --schema-only\n  cigen lint --pipeline ci/main.yml',
    )
    .action(async (paths: string[], options: { format: 'text' | 'json'; schemaOnly?: boolean; pipeline?: boolean }) => {
      const runLint = await loadRunLint();
      await runLint(paths, options);
    });
}

/** Whether the command running was asked for `--format json` (its options read). */
let jsonOutput = false;

/** Runs the program on `argv` and sets the exit code. */
export async function run(program: Command, argv: readonly string[]): Promise<number> {
  guardNodeStreams();
  const code = await exitCodeFor(program, argv);
  process.exitCode = code;
  return code;
}

async function exitCodeFor(program: Command, argv: readonly string[]): Promise<number> {
  // `cigen` alone: the help, and a usage error (there is nothing to do).
  if (argv.length <= 2) {
    writeErr(program.helpInformation() + HELP_AFTER);
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // The help asked for (`cigen help`, `cigen help lint`) is a success; the help commander
      // shows in place of an error (`cigen help nosuch`, options without a command) a usage error.
      if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
      return 2;
    }
    return failed(error, jsonOutput);
  }
}
