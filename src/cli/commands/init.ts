/** `cigen init [DIR]`: scaffold or extend a project's .gitlab-ci.yml with one build per image. */
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { componentRef } from '../../ci/component-ref.js';
import { unifiedDiff } from '../../ci/unified-diff.js';
import { cappedWarning, notYamlWarning } from '../../ci/include-walk.js';
import { FindingsError, InputError, InterruptedError, UsageError } from '../../errors.js';
import { BUILDER_IDS, isBuilderId as isBuilder } from '../../builders/index.js';
import { REPOSITORY } from '../../builders/inputs.js';
import { chooseBuilder, QUESTIONS, runnerHint, type Builder, type Choice } from '../../init/decide.js';
import { findDockerfiles, GitignoreRules, isDockerfileName, proposeBuilds, SKIPPED_DIRS, type BuildProposal } from '../../init/plan.js';
import { catalogIncluded, scaffold, type OtherBuild, type Scaffold } from '../../init/scaffold.js';
import { buildsImage } from '../../catalog/registry.js';
import { migrateFile } from '../../migrate/index.js';
import { duplicateWarnings, SourceError } from '../../ci/source.js';
import { catalogTaken, checkComponentRef, refFor } from '../component-ref.js';
import { readProjectPath, resolveProjectPath } from '../project.js';
import { gitFiles, projectFiles } from '../project-files.js';
import { NotUtf8Error, readUserFile, reasonOf, refuseNotUtf8, writeFilesAtomically } from '../files.js';
import { paint } from '../output.js';
import { isTerminal, writeErr, writeOut } from '../stdio.js';

export interface InitCommandOptions {
  builder?: string;
  doctorReport?: string;
  componentRef?: string;
  image?: string;
  file: string;
  yes?: boolean;
}

export const MAX_FILES = 100_000;

/** What a Dockerfile that is a symbolic link resolves to: undefined for a regular file inside the project, else why it is skipped. */
function linkProblem(path: string, root: string): string | undefined {
  let target: string;
  try {
    target = realpathSync(path);
    if (!statSync(target).isFile()) return 'a link to something that is not a regular file';
  } catch (error) {
    return `a link that cannot be followed (${reasonOf(error)})`;
  }
  const inside = relative(root, target);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? 'a link to a file outside the project' : undefined;
}

/** What listFiles found: the files, the .gitignore files read (by their directory), why anything
 *  was skipped, and, when the walk stopped at its cap, where. */
export interface ProjectListing {
  files: string[];
  gitignores: Record<string, string>;
  skipped: string[];
  /** The directory the walk stopped in, root-relative ('.' the root): it and what the walk had not
   *  come to yet were not searched. */
  capped?: string;
}

/**
 * The files of the project at `root` (relative paths) that may hold its Dockerfiles. In a git work
 * tree whose top is `root`, what git lists (as `cigen lint` and `migrate` list the files a wildcard
 * include names): the files it tracks (a tracked file a .gitignore names too) and those it would
 * add, not the ones it ignores; no .gitignore is returned for them. Elsewhere, a
 * walk that does not descend into node_modules, vendor, .git or a directory the .gitignore files
 * ignore (read as it goes, as git reads them), and stops after `max` files. Either way, why any
 * directory, .gitignore or linked Dockerfile was skipped (as git warns of a directory it cannot open).
 */
export function listFiles(root: string, max = MAX_FILES): ProjectListing {
  const files: string[] = [];
  const skipped: string[] = [];
  const gitignores: Record<string, string> = {};
  const rules = new GitignoreRules();
  const realRoot = realpathSync(root);
  const rel = (path: string) => relative(root, path).split(sep).join('/');
  // Every .gitignore, each for the paths below its directory, as git reads them; one that cannot
  // be read is left out, as git does, saying so.
  const readGitignore = (file: string) => {
    try {
      const text = readFileSync(join(root, file), 'utf8');
      gitignores[posix.dirname(file)] = text;
      rules.add(posix.dirname(file), text);
    } catch (error) {
      skipped.push(`${file}: not read, so its rules are not applied (${reasonOf(error)})`);
    }
  };
  // Buildah and Docker follow a linked Dockerfile: one to a regular file of the project is one.
  const addLink = (path: string) => {
    const problem = linkProblem(path, realRoot);
    if (problem === undefined) files.push(rel(path));
    else skipped.push(`${rel(path)}: skipped, ${problem}`);
  };
  const listed = gitFiles(root);
  if (listed) {
    for (const warning of listed.warnings) skipped.push(`git ls-files: ${warning.replace(/^warning: /, '')}`);
    for (const file of listed.paths) {
      let stat;
      try {
        stat = lstatSync(join(root, file));
      } catch {
        // Tracked, but no longer in the work tree.
        continue;
      }
      if (stat.isFile()) files.push(file);
      else if (stat.isSymbolicLink() && isDockerfileName(posix.basename(file))) addLink(join(root, file));
    }
    // Git has applied the ignore rules already (.git/info/exclude and core.excludesFile too), to
    // the files it would add: a file it tracks is in every clone a pipeline builds from, whatever a
    // .gitignore says of it (one added with `git add -f`), so no .gitignore is read again here.
    return { files, gitignores, skipped };
  }
  let capped: string | undefined;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      skipped.push(`${rel(dir) || '.'}/: skipped, it cannot be listed (${reasonOf(error)})`);
      return;
    }
    const here = rel(dir);
    const prefix = here === '' ? '' : `${here}/`;
    // Its own .gitignore first: it decides for the directories below it.
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) readGitignore(`${prefix}.gitignore`);
    for (const entry of entries) {
      if (capped !== undefined) return;
      if (files.length >= max) {
        capped = here || '.';
        return;
      }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !rules.decides(`${prefix}${entry.name}/`)) walk(path);
      } else if (entry.isFile()) files.push(rel(path));
      else if (entry.isSymbolicLink() && isDockerfileName(entry.name)) addLink(path);
    }
  };
  walk(root);
  return { files, gitignores, skipped, ...(capped !== undefined ? { capped } : {}) };
}

/** The recommendation a `cigen doctor` report holds. */
async function fromDoctorReport(path: string): Promise<Choice> {
  const text = await readUserFile(path, `--doctor-report ${path}`);
  const { parseDoctorReport, reportProblem } = await import('../../runner/report.js');
  const { recommend, runnerStanding } = await import('../../runner/capabilities.js');
  let report;
  try {
    report = parseDoctorReport(text);
  } catch (error) {
    throw new InputError(reportProblem(path, error));
  }
  const advice = recommend(report);
  // Typed as a builder, but read from a file: checked as the string it may really be.
  const builder: string = advice.builder;
  if (!isBuilder(builder)) throw new InputError(`${path}: recommends ${builder}, which is not a builder component`);
  const standing = runnerStanding(report, builder);
  return {
    builder,
    reason: `the doctor report from your runner: ${advice.reason}`,
    executor: report.executor,
    ...(standing ? { standing } : {}),
  };
}

/**
 * The yes/no questions on a terminal. Ctrl+C at one stops init (exit 130, as SIGINT would),
 * writing nothing; the end of input (Ctrl+D) answers No, to that question and every later one.
 */
function questions(rl: Interface): (question: string) => Promise<boolean> {
  let asking: AbortController | undefined;
  let interrupted = false;
  let ended = false;
  // With a listener, readline passes Ctrl+C here rather than rejecting the question as an error.
  rl.on('SIGINT', () => {
    interrupted = true;
    asking?.abort();
  });
  rl.on('close', () => {
    ended = true;
    asking?.abort();
  });
  const noMore = '(end of input: no)\n';
  const interruption = () => new InterruptedError('cigen init: interrupted; nothing written');
  return async (question) => {
    const prompt = `${question} [y/N] `;
    // Ctrl+C between two questions stops init at the next one.
    if (interrupted) throw interruption();
    if (ended) {
      writeOut(`${prompt}${noMore}`);
      return false;
    }
    asking = new AbortController();
    try {
      const answer = (await rl.question(prompt, { signal: asking.signal })).trim().toLowerCase();
      return answer === 'y' || answer === 'yes';
    } catch (error) {
      if (!interrupted && !ended) throw error;
      // The cursor is still after the question.
      if (interrupted) {
        writeOut('\n');
        throw interruption();
      }
      writeOut(noMore);
      return false;
    } finally {
      asking = undefined;
    }
  };
}

interface JobToMigrate {
  name: string;
  /** The file of the pipeline that defines it, from the project root. */
  file: string;
  builder: 'kaniko' | 'docker';
  /** migrate would rewrite it; otherwise it reports the job as needing review, with the reasons. */
  moves: boolean;
  /** The inputs of the build component migrate moves it onto, which say what it builds; absent
   *  when it translates the job into none (kaniko-compat runs its script, or it needs review). */
  build?: OtherBuild['inputs'];
  /** Its `parallel: matrix:` as migrate reads it (through merge keys, `extends` and `!reference`). */
  matrix: OtherBuild['matrix'];
}

/** The jobs of the pipeline (the file and its local includes, read from the project at `dir` as
 *  migrate reads them, a wildcard as each of the project's `files` it names, as scaffold reads it)
 *  that build with Kaniko or with a Docker daemon, as migrate finds them, and whether migrate
 *  would move each onto the catalog. */
function jobsToMigrate(dir: string, file: string, text: string, files: () => readonly string[]): JobToMigrate[] {
  const host = {
    readProjectFile: (path: string) => {
      const read = readProjectPath(dir, path);
      return read.kind === 'file' ? read.text : read.kind === 'outside' ? { outside: true as const } : undefined;
    },
    projectFileExists: (path: string) => resolveProjectPath(dir, path).kind === 'file',
    files,
  };
  try {
    return migrateFile(file, text, { host })
      .flatMap((migration) => migration.jobs)
      .flatMap((job) =>
        job.from === undefined || job.status === 'unchanged'
          ? []
          : [
              {
                name: job.name,
                file: job.file,
                builder: job.from,
                moves: job.status === 'migrated',
                ...(job.status === 'migrated' && job.inputs && job.component && buildsImage(job.component) ? { build: job.inputs } : {}),
                // Migrate reads the matrix of every job it moves off Kaniko or a Docker daemon (`from`).
                matrix: job.matrix ?? [],
              },
            ],
      );
  } catch {
    // Invalid YAML: scaffold says so.
    return [];
  }
}

const them = (list: readonly unknown[]): string => (list.length === 1 ? 'it' : 'them');

/** `a builds with Kaniko; b, c build with a Docker daemon`: the jobs, by what they build with. */
function buildingWith(jobs: readonly JobToMigrate[]): string {
  const builds = (builder: JobToMigrate['builder'], how: string) => {
    const list = jobs.filter((job) => job.builder === builder).map((job) => job.name);
    return list.length === 0 ? [] : [`${list.join(', ')} ${list.length === 1 ? 'builds' : 'build'} ${how}`];
  };
  return [...builds('kaniko', 'with Kaniko'), ...builds('docker', 'with a Docker daemon')].join('; ');
}

/** The line naming them, and what the migrate command does with them; undefined when there are none. */
function migrateHint(jobs: readonly JobToMigrate[], shown: string): string | undefined {
  if (jobs.length === 0) return undefined;
  const names = (list: readonly JobToMigrate[]) => list.map((job) => job.name);
  // Named again only when migrate treats the jobs differently.
  // `subject`: the pronoun as the subject of a verb (they need), else its object (moves them).
  const which = (list: readonly JobToMigrate[], subject = false) =>
    list.length < jobs.length ? names(list).join(', ') : list.length === 1 ? 'it' : subject ? 'they' : 'them';
  const moved = jobs.filter((job) => job.moves);
  const held = jobs.filter((job) => !job.moves);
  const does = [
    ...(moved.length === 0 ? [] : [`moves ${which(moved)} onto the catalog`]),
    ...(held.length === 0
      ? []
      : [`lists why ${which(held, true)} ${held.length === 1 ? 'needs' : 'need'} review instead of moving ${them(held)}`]),
  ];
  return `  ${buildingWith(jobs)}: \`cigen migrate ${shown}\` ${does.join(', and ')}`;
}

/** What init did about the builds of those jobs: none of a Dockerfile one builds (as migrate reads
 *  it); beside a job migrate reads no build of, builds that may repeat its own. */
function besideHint(jobs: readonly JobToMigrate[], builtByOthers: Scaffold['builtByOthers'], adding: boolean): string[] {
  const lines = builtByOthers.map(
    ({ jobName, dockerfiles }) =>
      `  ${dockerfiles.join(', ')}: ${jobName} builds ${them(dockerfiles)} already; init adds no build of ${them(dockerfiles)}`,
  );
  const unread = jobs.filter((job) => job.build === undefined).map((job) => job.name);
  if (adding && unread.length > 0)
    lines.push(
      `  init cannot tell what ${unread.join(', ')} ${unread.length === 1 ? 'builds' : 'build'}, which migrate does not translate into ` +
        `a build component's inputs: a build init adds may build the same Dockerfile, or push the same image, as ${
          unread.length === 1 ? 'it does' : 'they do'
        }`,
    );
  return lines;
}

/** `app: kaniko-app in p/ci/build.yml pushes it already`: the images a build would push that others
 *  do, by the job that pushes them and the file that defines it (`dir`: the project, as shown). */
function pushedBy(taken: Scaffold['imageTaken'][number]['images'], dir: string): string {
  const byPusher = new Map<string, string[]>();
  for (const { image, by } of taken) {
    const pusher = `${by.jobName} in ${join(dir, by.file)}`;
    byPusher.set(pusher, [...(byPusher.get(pusher) ?? []), image]);
  }
  return [...byPusher].map(([pusher, images]) => `${images.join(', ')}: ${pusher} pushes ${them(images)} already`).join('; ');
}

/** Why a local include whose path holds a variable is unread (`from`: the file naming it, as shown), and what goes unchecked. */
const variableIncludeWarning = (include: string, from: string): string =>
  `${from}: local include ${include} is not read: GitLab expands the variable in its path when it creates the pipeline, ` +
  'from CI/CD variables set for the project, its groups, the instance or the pipeline run, and some predefined ones ' +
  '(never from `variables:` in a pipeline file), which init cannot know; so its jobs are not seen: ' +
  'whether one is named as a build init adds, or builds with Kaniko or a Docker daemon, is not checked';

/** One build init adds, as its include entry (and matrix job) write it. */
function planLine(build: BuildProposal): string {
  const dockerfileNote = build.dockerfile !== 'Dockerfile' ? ` (${build.dockerfile})` : '';
  const matrixNote = build.matrix ? `, parallel:matrix ${build.matrix.variable} = ${build.matrix.values.join(', ')}` : '';
  return `  ${build.jobName}: ${build.image} from ${build.context}${dockerfileNote}${matrixNote}`;
}

/** The component to include: a full ref, or a catalog path@version the builder's name is added to. */
export function componentFor(builder: Builder, ref: string | undefined): string {
  if (ref === undefined) return componentRef(builder);
  return refFor(
    builder,
    ref,
    (named) =>
      `the builder is ${builder}: ${isBuilder(named) ? `pass --builder ${named}, or ` : 'pass '}` +
      'the catalog path@version (init adds the builder)',
  );
}

export async function runInit(dir: string, options: InitCommandOptions): Promise<void> {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a directory`);
  // The pipeline file is the project's: a path relative to its directory, inside it (the contexts
  // init writes are relative to DIR, and GitLab reads the file from the repository).
  if (isAbsolute(options.file))
    throw new UsageError(`--file ${options.file}: a path relative to ${dir} (the project), not an absolute one`);
  const inside = relative(resolve(dir), resolve(dir, options.file));
  if (inside === '..' || inside.startsWith(`..${sep}`))
    throw new UsageError(`--file ${options.file}: a path inside ${dir} (the project), not one that leads out of it`);
  // Two ways to choose the builder: taking one would leave the other unread (a missing report unnoticed).
  if (options.builder !== undefined && options.doctorReport !== undefined)
    throw new UsageError('--builder and --doctor-report both choose the builder: give one of them');
  if (options.builder !== undefined && !isBuilder(options.builder))
    throw new UsageError(`--builder ${options.builder}: one of ${BUILDER_IDS.join(', ')}`);
  if (options.image !== undefined && !new RegExp(REPOSITORY).test(options.image)) {
    throw new UsageError(
      `--image ${options.image}: not an image repository: lowercase path components and no tag ` +
        '(e.g. $CI_REGISTRY_IMAGE or registry.example.com/group/app); init adds the tags',
    );
  }
  // Its syntax now, before the scan and the questions; whether it names another builder's
  // component, once the builder is chosen.
  if (options.componentRef !== undefined) checkComponentRef(options.componentRef);
  const interactive = Boolean(process.stdin.isTTY) && isTerminal('stdout');
  const { files, gitignores, skipped, capped } = listFiles(dir);
  if (capped !== undefined)
    skipped.push(
      `the search for Dockerfiles stopped after ${MAX_FILES} files, in ${capped === '.' ? dir : join(dir, capped)}: ` +
        'what sorts after that point (the rest of that directory and of each directory above it) was not searched',
    );
  for (const note of skipped) writeErr(`cigen init: warning: ${note}\n`);
  const dockerfiles = findDockerfiles(files, gitignores);
  if (dockerfiles.length === 0)
    throw new InputError(
      capped !== undefined
        ? `${dir}: no Dockerfile or Containerfile among the first ${MAX_FILES} files, where the search stopped ` +
            '(the warning above says what was not searched); add the directories of build output to .gitignore, ' +
            'or run init on the directory that holds the Dockerfiles'
        : `${dir}: no Dockerfile or Containerfile found (node_modules, vendor, .git and .gitignore'd paths are skipped` +
            `${skipped.length > 0 ? ', and what the warnings above name' : ''})`,
    );
  const builds = proposeBuilds(dockerfiles, options.image ?? '$CI_REGISTRY_IMAGE');

  const out = (text: string) => writeOut(`${text}\n`);
  out(`Found ${dockerfiles.length} image(s): ${dockerfiles.map((d) => d.path).join(', ')}`);

  const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  const ask = rl && questions(rl);
  try {
    let choice: Choice;
    if (options.builder !== undefined) choice = { builder: options.builder, reason: 'chosen with --builder' };
    else if (options.doctorReport !== undefined) choice = await fromDoctorReport(options.doctorReport);
    else if (ask) {
      const admin = await ask(QUESTIONS[0]?.text ?? '');
      choice = chooseBuilder(admin ? { admin, kubernetes: await ask(QUESTIONS[1]?.text ?? '') } : { admin });
    } else {
      throw new UsageError('no builder chosen: pass --builder <name> or --doctor-report <cigen-doctor.json> (on a terminal, init asks)');
    }
    out(`Builder: ${paint('bold', choice.builder)} — ${choice.reason}`);

    const pipelinePath = join(dir, options.file);
    // The file as the user names it: under the directory given (p3/.gitlab-ci.yml).
    const shown = pipelinePath;
    let result;
    let current: string | undefined;
    // Kaniko and Docker-daemon jobs are no builds of the catalog: migrate moves them onto it. What
    // one builds, as migrate reads it, init does not build again.
    let migrating: JobToMigrate[] = [];
    try {
      current = existsSync(pipelinePath) ? await readUserFile(pipelinePath) : undefined;
      // Local includes are read from the project, as GitLab reads them: their jobs are the pipeline's.
      const readProjectFile = (file: string) => {
        const read = readProjectPath(dir, file);
        return read.kind === 'file' ? read.text : undefined;
      };
      // A wildcard include is each project file it names (listed once, when there is one), for
      // the Kaniko jobs and for the jobs and builds alike.
      let listed: readonly string[] | undefined;
      const files = () => (listed ??= projectFiles(dir));
      if (current !== undefined) migrating = jobsToMigrate(dir, options.file, current, files);
      // Without --component-ref, from the catalog the pipeline includes cigen's components from already.
      const catalog = options.componentRef === undefined ? catalogIncluded(options.file, current, readProjectFile, files) : undefined;
      const component = catalog
        ? `${catalog.catalog}/${choice.builder}@${catalog.version}`
        : componentFor(choice.builder, options.componentRef);
      if (catalog && component !== componentFor(choice.builder, undefined)) out(`Catalog: ${catalogTaken(catalog)}`);
      const others = migrating.flatMap((job) =>
        job.build ? [{ jobName: job.name, file: job.file, inputs: job.build, matrix: job.matrix }] : [],
      );
      result = scaffold(options.file, current, builds, component, options.image ?? '$CI_REGISTRY_IMAGE', readProjectFile, files, others);
    } catch (error) {
      // The file or a local include holds bytes that are not UTF-8: decoded anyway, the file's would
      // be written back as U+FFFD.
      if (error instanceof NotUtf8Error)
        throw refuseNotUtf8(
          error,
          error.file === pipelinePath
            ? 'init edits the file as UTF-8 text and would not write this byte back as it is'
            : "init reads the pipeline's local includes as UTF-8 text, for the jobs and images they define",
        );
      if (error instanceof SourceError)
        throw new InputError(
          `${relative(process.cwd(), pipelinePath) || pipelinePath}:${error.line}:${error.column}: ${error.reason}; nothing was written`,
        );
      throw error;
    }
    if (result.written)
      for (const warning of duplicateWarnings(result.written, shown, result.changed)) writeErr(`cigen init: warning: ${warning}\n`);
    for (const { include, from } of result.unread) writeErr(`cigen init: warning: ${variableIncludeWarning(include, join(dir, from))}\n`);
    for (const { include, from } of result.notYaml) writeErr(`cigen init: warning: ${notYamlWarning(join(dir, from), include)}\n`);
    // Named as the lines above name files: under the directory given.
    const capped = result.capped.map(({ path }) => ({ path: join(dir, path) }));
    if (capped.length > 0) writeErr(`cigen init: warning: ${cappedWarning(shown, capped)}\n`);
    // The builds as written: their job names, images and matrix values after what the file has already.
    for (const build of result.added) {
      out(planLine(build));
      const wanted = result.renamed.find(([, given]) => given === build.jobName)?.[0];
      const taken = result.imageTaken.find((t) => t.jobName === build.jobName)?.images;
      if (taken) out(`  ${pushedBy(taken, dir)}; this build is ${build.jobName}, pushing ${build.image}`);
      else if (wanted !== undefined) out(`  a job named ${wanted} exists already; this build is ${build.jobName}, pushing ${build.image}`);
    }
    const stages = result.stages;
    if (stages?.kind === 'anchor')
      out(`  stages: reads the list anchored &${stages.anchor}, which lacked build: build is added to that list`);
    else if (stages?.kind === 'written')
      out(
        `  stages: comes from ${stages.from}, which lacks build: ${shown} now declares stages: [${stages.stages.join(', ')}], ` +
          `which GitLab reads instead (keep it in step with ${stages.from}'s)`,
      );
    else if (stages?.kind === 'missing')
      writeErr(
        `cigen init: warning: the stages GitLab reads lack build, the builds' stage, and init does not add it: ${stages.why}; ` +
          'add build to them, or GitLab refuses the pipeline\n',
      );
    else if (stages?.kind === 'unchecked')
      writeErr(
        `cigen init: warning: ${stages.why}: if ${stages.includes ? 'those stages lack' : 'the stages it names lack'} build, ` +
          `the builds' stage, ${
            stages.includes
              ? `declare stages: in ${shown}, theirs with build (GitLab reads the file's own instead of its includes')`
              : 'add it'
          }, or GitLab refuses the pipeline\n`,
      );
    for (const { jobName, values } of result.extended)
      out(
        `  ${jobName} builds the other directories already; ${values.join(', ')} ` +
          `${values.length === 1 ? 'joins' : 'join'} its parallel:matrix`,
      );
    for (const line of besideHint(migrating, result.builtByOthers, result.added.length > 0)) out(line);
    const hint = migrateHint(migrating, shown);
    if (hint) out(hint);
    if (!result.changed) {
      out(`${shown} already builds every image (${result.present.join(', ')}); nothing to add`);
      return;
    }
    writeOut(unifiedDiff(current === undefined ? '/dev/null' : `a/${options.file}`, `b/${options.file}`, current ?? '', result.text));
    const write = options.yes || (ask ? await ask(`Write ${shown}?`) : false);
    if (!write) {
      // Declining at the prompt is a choice; off a terminal nothing could be asked.
      if (ask) {
        out('Nothing written.');
        return;
      }
      throw new FindingsError(`cigen init: nothing written (not a terminal): add --yes to write ${shown}`);
    }
    await writeFilesAtomically([{ path: pipelinePath, text: result.text }]);
    out(`Wrote ${shown}. ${runnerHint(choice.builder, choice.executor, choice.standing)}.`);
  } finally {
    rl?.close();
  }
}
