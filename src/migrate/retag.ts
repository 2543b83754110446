/**
 * Jobs that re-tag an image, for which the catalog's `promote` component is the way: it copies an
 * image by digest (a multi-platform index whole) to other tags, repositories and registries,
 * without building. Three cases, each read from what the engine already knows of a job:
 *
 *  - `copy-only`: a Kaniko job that calls no executor and runs nothing that could (only copy
 *    tools and plain utilities such as echo), and runs an image copy (`crane tag|copy|cp`,
 *    `gcrane cp|copy`, `skopeo copy`, `regctl image copy`): it builds nothing, it copies;
 *  - `after-build`: after its one executor call, the job copies an image whose source is one of
 *    the executor's own destinations, as written: it re-tags what it has just pushed;
 *  - `same-build`: a job moved onto the buildah component whose inputs are those of an earlier
 *    such job but for its name, stage and tags, every variable they name set alike in both jobs
 *    (neither job a parallel one, nor one whose before_script runs commands of its own: a matrix
 *    or an `export` sets variables the file does not show): it builds again what that job
 *    builds, to push other tags.
 */
import { variableNames } from '../ci/variables.js';
import { parseFlags, unbrace } from './kaniko.js';
import { commandLine, programIndex, type Command } from './shell.js';
import type { ScriptItem } from './scripts.js';
import type { Inputs } from './kaniko.js';

export type RetagKind = 'copy-only' | 'after-build' | 'same-build';

export interface Retag {
  kind: RetagKind;
  /** Why the promote component fits the job: a fact about the job, then what promote does. */
  text: string;
}

export const PROMOTE_DOES =
  'the promote component copies an image by digest to other tags, repositories and registries without building it ' +
  '(skopeo copy --all --preserve-digests)';

const COPY_TOOLS = new Set(['crane', 'gcrane', 'skopeo', 'regctl']);
/** Programs that run no other program: a job of these and copy tools builds nothing. */
const UTILITIES = new Set(
  (
    'echo printf cat export set unset test [ [[ true false : cd pwd mkdir cp mv rm ls ln chmod touch tee base64 tr cut sed awk ' +
    'grep head tail sort uniq wc date basename dirname printenv sleep jq'
  ).split(' '),
);

/** An image copy: the command as written and its source image, when the command is one. */
export function imageCopy(command: Command): { line: string; source: string | undefined } | undefined {
  const words = command.words.slice(programIndex(command));
  const texts = words.map((w) => w.text);
  const program = (texts[0] ?? '').replace(/^.*\//, '');
  const [sub, third] = [texts[1], texts[2]];
  let from: number;
  if (program === 'crane' && ['tag', 'copy', 'cp'].includes(sub ?? '')) from = 2;
  else if (program === 'gcrane' && ['copy', 'cp'].includes(sub ?? '')) from = 2;
  else if (program === 'skopeo' && sub === 'copy') from = 2;
  else if (program === 'regctl' && sub === 'image' && third === 'copy') from = 3;
  else return undefined;
  const positional = words.slice(from).filter((w) => !w.text.startsWith('-'));
  const source = positional[0] ? unbrace(positional[0].value).replace(/^docker:\/\//, '') : undefined;
  return { line: commandLine(command), source };
}

/** `copy-only` or `after-build`, from a Kaniko job's items (before_script and script, in order). */
export function retagOf(items: readonly ScriptItem[]): Retag | undefined {
  const builds = items.flatMap((item) => (item.build ? [item.build] : []));
  const count = items.reduce((n, item) => n + item.reading.builds, 0);
  if (count === 0) {
    // Nothing that could run a build under another name: only copy tools and plain utilities.
    const programs = items.flatMap((item) => (item.reading.programs ?? []).map((p) => p.program.replace(/^.*\//, '')));
    if (programs.some((program) => !COPY_TOOLS.has(program) && !UTILITIES.has(program))) return undefined;
    const copy = items.flatMap((item) => item.commands.flatMap((c) => imageCopy(c) ?? []))[0];
    if (!copy) return undefined;
    return { kind: 'copy-only', text: `it calls no Kaniko executor and copies an image (\`${copy.line}\`); ${PROMOTE_DOES}` };
  }
  if (count !== 1) return undefined;
  const build = builds[0] as Command;
  const flags = parseFlags(build.words.slice(programIndex(build) + 1).map((w) => unbrace(w.value))).values;
  // With --no-push, nothing the copy names was pushed by this build.
  if (/^(true|1|t|yes)$/i.test(flags.get('no-push')?.at(-1) ?? 'false')) return undefined;
  const destinations = flags.get('destination') ?? [];
  const at = items.findIndex((item) => item.build === build);
  const after = items.slice(at).flatMap((item) => {
    const commands = item.build === build ? item.commands.slice(item.commands.indexOf(build) + 1) : item.commands;
    return commands.flatMap((c) => imageCopy(c) ?? []);
  });
  const copy = after.find((c) => c.source !== undefined && destinations.includes(c.source));
  if (!copy) return undefined;
  return {
    kind: 'after-build',
    text: `after its build it copies ${copy.source ?? ''}, which the build pushed, to another name (\`${copy.line}\`); ${PROMOTE_DOES}`,
  };
}

/** The `$VAR` and `${VAR}` names in inputs (`$$X` is the text `$X`). */
const variablesIn = (inputs: Inputs): string[] => variableNames(JSON.stringify(inputs));

/** What two builds share: their inputs but for the job's name, stage and tags. */
const buildOf = (inputs: Inputs): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(inputs)
        .filter(([key]) => !['job-name', 'stage', 'tags'].includes(key))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );

export interface StaticBuild {
  name: string;
  inputs: Inputs;
  /** The job's variables as the file defines them (its own, its bases', the pipeline's). */
  variables: ReadonlyMap<string, string>;
}

/** `same-build`: for each job that builds what an earlier one builds, under other tags, that earlier job. */
export function sameBuilds(jobs: readonly StaticBuild[]): Map<string, Retag> {
  const found = new Map<string, Retag>();
  // Jobs by what they build, in file order: each job is compared with the earlier ones of its group only.
  const groups = new Map<string, { job: StaticBuild; tags: string }[]>();
  for (const job of jobs) {
    const build = buildOf(job.inputs);
    const tags = JSON.stringify(job.inputs['tags'] ?? null);
    const group = groups.get(build) ?? [];
    const names = variablesIn(Object.fromEntries(Object.entries(job.inputs).filter(([key]) => key !== 'tags' && key !== 'job-name')));
    const earlier = group.find(
      (other) => other.tags !== tags && names.every((name) => other.job.variables.get(name) === job.variables.get(name)),
    )?.job;
    if (earlier)
      found.set(job.name, {
        kind: 'same-build',
        text:
          `it builds what ${earlier.name} builds (the same inputs but tags) to push other tags; where it runs only for those tags, ` +
          `the promote component can copy the image ${earlier.name} pushed to them instead, by digest and without building it ` +
          '(skopeo copy --all --preserve-digests)',
      });
    group.push({ job, tags });
    groups.set(build, group);
  }
  return found;
}
