/**
 * A job's `before_script` + `script` as items (one YAML sequence item each, `!reference`s
 * resolved), each read as shell commands and sorted into what the component replaces (the
 * config.json lines, the executor call) and what the job does besides.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { isAuthPreparation, readKanikoWrite, type AuthFinding } from './auth.js';
import { referenceTarget, resolveAlias, type KeySource, type Pipeline } from './pipeline.js';
import { commandLine, parseShell, programIndex, programOf, programsOf, type Command } from './shell.js';
import type { SourceFile } from '../ci/source.js';
import { scalarText } from '../ci/yaml.js';

/** What a `docker login` says about credentials (read in docker.ts; a script item carries it). */
export type DockerLogin =
  { kind: 'defaults' } | { kind: 'credentials'; registry: string; user: string; password: string } | { kind: 'unknown'; reason: string };

export type ItemKind = 'auth' | 'build' | 'other';

export interface ScriptItem {
  /** The YAML node of the item (a scalar, a nested list, or a `!reference`). */
  node: Node;
  file: SourceFile;
  key: 'before_script' | 'script';
  commands: Command[];
  kind: ItemKind;
  /** The build call (Kaniko's executor, docker build), when kind is build. */
  build?: Command;
  /** What the item's lines write to Kaniko's files (config.json, CAs) or say about credentials. */
  auth: AuthFinding[];
  /** References the item pushes. */
  pushes: string[];
  /** Commands in a build item that the component does not replace. */
  mixed: boolean;
  reading: ItemReading;
}

const MAX_REFERENCE_DEPTH = 10;

/** Why the lines of a node cannot be read. */
export type Unreadable = { unreadable: 'reference' | 'shape'; what: string };

/** The lines a node stands for, `!reference`s followed (GitLab: at most 10 levels). */
export function linesOf(pipeline: Pipeline, node: unknown, file: SourceFile, depth = 0): string[] | Unreadable {
  if (depth > MAX_REFERENCE_DEPTH) return { unreadable: 'reference', what: 'a chain of more than 10 !references' };
  if (isAlias(node)) return linesOf(pipeline, resolveAlias(node, file.doc), file, depth + 1);
  if (isScalar(node)) return node.value === null ? [] : [scalarText(node.value)];
  if (isSeq(node)) {
    if (node.tag === '!reference') {
      const path = node.items.map((item) => (isScalar(item) ? String(item.value) : ''));
      const target = referenceTarget(pipeline, path);
      if ('missing' in target) return { unreadable: 'reference', what: `!reference [${path.join(', ')}] (${target.missing})` };
      return linesOf(pipeline, target.value, target.file, depth + 1);
    }
    const lines: string[] = [];
    for (const item of node.items) {
      const inner = linesOf(pipeline, item, file, depth + 1);
      if (!Array.isArray(inner)) return inner;
      lines.push(...inner);
    }
    return lines;
  }
  return { unreadable: 'shape', what: isMap(node) ? 'a mapping where a command belongs' : 'a value that is not a command' };
}

export function isExecutor(command: Command, kanikoImage: boolean): boolean {
  const program = programOf(command) ?? '';
  return /^\/kaniko\/executor$/.test(program) || (kanikoImage && /^(?:\/[\w.-]+)*\/?executor$/.test(program));
}

/** What one item's commands are, for a given builder: what the component replaces and what not. */
export interface ItemReading {
  /** The build call, when the item has one. */
  build?: Command;
  builds: number;
  /** Commands that are neither replaced (auth, preparation, pushes) nor the build. */
  others: number;
  auth: AuthFinding[];
  /** References pushed (docker push), for builders whose build and push are separate commands. */
  pushes: string[];
  /** Docker: why a `docker push` of the item needs review (an option cigen does not translate). */
  pushReviews?: string[];
  /** Docker: what its `docker login`s say. */
  logins?: DockerLogin[];
  /** Docker: images `docker pull` fetched (a warm-up of `--cache-from`, often). */
  pulls?: string[];
  /** Kaniko: a command that may run the executor by another name (a variable, a script file). */
  indirect?: string[];
  /** Kaniko: the programs the item runs besides the executor (in `$(...)` too), with the line that runs each. */
  programs?: { program: string; line: string }[];
  /** Kaniko: the executor runs inside an if/for/while block or a function. */
  nested?: boolean;
  /** Kaniko: the executor runs in a subshell `( ... )`. */
  subshell?: boolean;
  /** Kaniko: the executor gets environment variables of its own (`DOCKER_CONFIG=... /kaniko/executor`). */
  environment?: boolean;
  /** Kaniko: where the executor's input or output is redirected (`> kaniko.log`, `2>&-`); a
   *  duplication such as `2>&1` is not one: the output still reaches the job log. */
  redirects?: string[];
}

export type Classifier = (commands: readonly Command[]) => ItemReading;

/** Kaniko: the config.json lines and `mkdir -p /kaniko/.docker` are replaced; the executor is the build. */
export const kanikoClassifier =
  (kanikoImage: boolean): Classifier =>
  (commands) => {
    const reading: ItemReading = {
      builds: 0,
      others: 0,
      auth: [],
      pushes: [],
      indirect: [],
      programs: [],
      nested: false,
      environment: false,
      redirects: [],
    };
    commands.forEach((command, i) => {
      const program = programOf(command) ?? '';
      if (!isExecutor(command, kanikoImage))
        for (const run of programsOf(command)) reading.programs?.push({ program: run, line: commandLine(command) });
      if (isAuthPreparation(command)) return;
      const write = readKanikoWrite(command, commands[i - 1]);
      if (write) {
        reading.auth.push(write);
        return;
      }
      if (isExecutor(command, kanikoImage)) {
        reading.builds++;
        reading.build = command;
        if (command.nested) reading.nested = true;
        if (command.subshell) reading.subshell = true;
        for (const { op, target } of command.redirects)
          // `2>&1` duplicates a descriptor (the output still reaches the log); `2>&-` closes it.
          if (!(op.endsWith('&') && /^[0-9]+$/.test(target)))
            reading.redirects?.push(op.endsWith('&') && target === '-' ? 'a closed descriptor' : target);
        if (programIndex(command) > 0 && command.words.slice(0, programIndex(command)).some((w) => w.text.includes('=')))
          reading.environment = true;
        return;
      }
      // `$KANIKO_EXECUTOR ...`, `./build-image.sh`: the executor may run there, under another name.
      if (/^\$|^\.{0,2}\/[\w./-]*\.sh$|^sh$|^bash$/.test(program) && kanikoImage) reading.indirect?.push(commandLine(command));
      // A pipe into the next command that writes Kaniko's files belongs to that write.
      if (command.terminator === '|' && commands[i + 1] && readKanikoWrite(commands[i + 1] as Command, command)) return;
      reading.others++;
    });
    return reading;
  };

/** The items of one script key, or why they cannot be read. */
export function itemsOf(
  pipeline: Pipeline,
  source: KeySource | undefined,
  key: ScriptItem['key'],
  classify: Classifier,
): ScriptItem[] | Unreadable {
  const written = source?.pair.value as Node | null | undefined;
  // `before_script: *login` names a list written elsewhere in the file.
  const value = isAlias(written) && source ? resolveAlias(written, source.file.doc) : written;
  if (!source || value === null || value === undefined) return [];
  const nodes: Node[] = isSeq(value) && value.tag !== '!reference' ? (value.items as Node[]) : [value];
  const items: ScriptItem[] = [];
  for (const node of nodes) {
    const lines = linesOf(pipeline, node, source.file);
    if (!Array.isArray(lines)) return lines;
    const commands = lines.flatMap((line) => parseShell(line));
    const reading = classify(commands);
    // An item with nothing left to run once the replaced lines go (an empty one included) is dropped with them.
    const kind: ItemKind = reading.build ? 'build' : reading.others === 0 ? 'auth' : 'other';
    items.push({
      node,
      file: source.file,
      key,
      commands,
      kind,
      ...(reading.build ? { build: reading.build } : {}),
      auth: reading.auth,
      pushes: reading.pushes,
      mixed: Boolean(reading.build) && (reading.others > 0 || reading.builds > 1),
      reading,
    });
  }
  return items;
}
