/**
 * A job's `before_script` + `script` as items (one YAML sequence item each, `!reference`s
 * resolved), each read as shell commands and sorted into what the component replaces (the
 * config.json lines, the executor call) and what the job does besides.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { isAuthPreparation, readAuth, writesKanikoConfig, type AuthFinding } from './auth.js';
import type { KeySource, Pipeline } from './pipeline.js';
import { parseShell, type Command } from './shell.js';
import { keyOf, type SourceFile } from './source.js';

export type ItemKind = 'auth' | 'executor' | 'other';

export interface ScriptItem {
  /** The YAML node of the item (a scalar, a nested list, or a `!reference`). */
  node: Node;
  file: SourceFile;
  key: 'before_script' | 'script';
  commands: Command[];
  kind: ItemKind;
  /** The executor call, when kind is executor. */
  executor?: Command;
  /** What config.json lines in the item say about credentials. */
  auth: AuthFinding[];
  /** Commands in an executor item that are neither auth lines nor the call. */
  mixed: boolean;
}

const MAX_REFERENCE_DEPTH = 10;

/** The lines a node stands for, `!reference`s followed (GitLab: at most 10 levels). */
export function linesOf(pipeline: Pipeline, node: unknown, file: SourceFile, depth = 0): string[] | undefined {
  if (depth > MAX_REFERENCE_DEPTH) return undefined;
  if (isAlias(node)) return linesOf(pipeline, node.resolve(file.doc), file, depth + 1);
  if (isScalar(node)) return node.value === null ? [] : [String(node.value)];
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

/** The items of one script key, or a reason they cannot be read. */
export function itemsOf(pipeline: Pipeline, source: KeySource | undefined, key: ScriptItem['key'], kanikoImage: boolean): ScriptItem[] | string {
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
    const auth: AuthFinding[] = [];
    let executor: Command | undefined;
    let others = 0;
    let executors = 0;
    for (const command of commands) {
      if (isAuthPreparation(command)) continue;
      if (writesKanikoConfig(command)) auth.push(readAuth(command));
      else if (isExecutor(command, kanikoImage)) {
        executors++;
        executor = command;
      } else others++;
    }
    if (executors > 1) return `one ${key} item runs the executor ${executors} times; the component builds one image per job`;
    // An item with nothing left to run once the auth lines go (an empty one included) is dropped with them.
    const kind: ItemKind = executor ? 'executor' : others === 0 ? 'auth' : 'other';
    items.push({ node, file: source.file, key, commands, kind, ...(executor ? { executor } : {}), auth, mixed: Boolean(executor) && others > 0 });
  }
  return items;
}
