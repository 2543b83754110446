/**
 * A job's `before_script` + `script` as items (one YAML sequence item each, `!reference`s
 * resolved), each read as shell commands and sorted into what the component replaces (the
 * config.json lines, the executor call) and what the job does besides.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { isAuthPreparation, readAuth, writesKanikoConfig, type AuthFinding } from './auth.js';
import type { KeySource, Pipeline } from './pipeline.js';
import { parseShell, type Command } from './shell.js';
import { keyOf, type SourceFile } from '../ci/source.js';
import { scalarText } from '../ci/yaml.js';

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
  /** What the item's login lines say about credentials. */
  auth: AuthFinding[];
  /** References the item pushes. */
  pushes: string[];
  /** Commands in a build item that the component does not replace. */
  mixed: boolean;
}

const MAX_REFERENCE_DEPTH = 10;

/** The lines a node stands for, `!reference`s followed (GitLab: at most 10 levels). */
export function linesOf(pipeline: Pipeline, node: unknown, file: SourceFile, depth = 0): string[] | undefined {
  if (depth > MAX_REFERENCE_DEPTH) return undefined;
  if (isAlias(node)) return linesOf(pipeline, node.resolve(file.doc), file, depth + 1);
  if (isScalar(node)) return node.value === null ? [] : [scalarText(node.value)];
  if (isSeq(node)) {
    if (node.tag === '!reference') {
      const path = node.items.map((item) => (isScalar(item) ? String(item.value) : ''));
      const [head, ...rest] = path;
      const job = head === undefined ? undefined : pipeline.jobs.get(head);
      if (!job?.map) return undefined;
      let target: unknown = job.map;
      for (const key of rest) target = isMap(target) ? target.items.find((p) => keyOf(p) === key)?.value : undefined;
      return target === undefined ? undefined : linesOf(pipeline, target, job.file, depth + 1);
    }
    const lines: string[] = [];
    for (const item of node.items) {
      const inner = linesOf(pipeline, item, file, depth + 1);
      if (inner === undefined) return undefined;
      lines.push(...inner);
    }
    return lines;
  }
  return undefined;
}

export function isExecutor(command: Command, kanikoImage: boolean): boolean {
  const program = command.words[0]?.text ?? '';
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
}

export type Classifier = (commands: readonly Command[]) => ItemReading;

/** Kaniko: the config.json lines and `mkdir -p /kaniko/.docker` are replaced; the executor is the build. */
export const kanikoClassifier =
  (kanikoImage: boolean): Classifier =>
  (commands) => {
    const reading: ItemReading = { builds: 0, others: 0, auth: [], pushes: [] };
    for (const command of commands) {
      if (isAuthPreparation(command)) continue;
      if (writesKanikoConfig(command)) reading.auth.push(readAuth(command));
      else if (isExecutor(command, kanikoImage)) {
        reading.builds++;
        reading.build = command;
      } else reading.others++;
    }
    return reading;
  };

/** The items of one script key, or a reason they cannot be read. */
export function itemsOf(
  pipeline: Pipeline,
  source: KeySource | undefined,
  key: ScriptItem['key'],
  classify: Classifier,
): ScriptItem[] | string {
  const written = source?.pair.value as Node | null | undefined;
  // `before_script: *login` names a list written elsewhere in the file.
  const value = isAlias(written) && source ? (written.resolve(source.file.doc) as Node | undefined) : written;
  if (!source || value === null || value === undefined) return [];
  const nodes: Node[] = isSeq(value) && value.tag !== '!reference' ? (value.items as Node[]) : [value];
  const items: ScriptItem[] = [];
  for (const node of nodes) {
    const lines = linesOf(pipeline, node, source.file);
    if (lines === undefined) return `${key} uses a !reference or an alias cigen cannot resolve in this file or its local includes`;
    const commands = lines.flatMap((line) => parseShell(line));
    const reading = classify(commands);
    if (reading.builds > 1) return `one ${key} item builds ${reading.builds} times; the component builds one image per job`;
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
      mixed: Boolean(reading.build) && reading.others > 0,
    });
  }
  return items;
}
