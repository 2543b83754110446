/** `cigen bot`: migration merge requests across a GitLab instance. */
import { FindingsError, InputError, OutputError, UsageError } from '../../errors.js';
import { PlatformError } from '../../bot/platform.js';
import { GitLabPlatform } from '../../bot/gitlab.js';
import { UnreachableError } from '../../bot/http.js';
import type { ProjectSelection } from '../../bot/platform.js';
import { reportJson, reportMarkdown } from '../../bot/report.js';
import { runBot, STATUSES, type BotReport, type ProjectResult, type Shard } from '../../bot/run.js';
import { gitlabToken, instanceUrl } from '../../bot/access.js';
import { checkWritable, NOTHING_WRITTEN, writeFilesAtomically, WriteError } from '../files.js';
import { migrator } from '../wiring/bot.js';
import { buildahRef, checkBuilderImages } from './migrate.js';
import { escapeLine, paint, writeJson } from '../output.js';
import { debug, isVerbose } from '../verbose.js';
import { isTerminal, writeErr, writeOut, writeThroughNodeStreams } from '../stdio.js';

export interface BotCommandOptions {
  gitlabUrl?: string;
  group?: string;
  projects?: string;
  all?: boolean;
  concurrency: string;
  shard?: string;
  dryRun?: boolean;
  report?: string;
  componentRef?: string;
  /** `--builder-image [REGISTRY=]IMAGE`, repeated. */
  builderImage?: string[];
  /** json: stdout holds the report, as --report writes it, and nothing else. */
  format?: 'text' | 'json';
}

/** The run's shard, and why CI_NODE_INDEX/CI_NODE_TOTAL, when set, were not taken for one. */
export interface ShardChoice {
  shard?: Shard;
  notSharded?: string;
}

/**
 * --shard i/n, else GitLab's CI_NODE_INDEX/CI_NODE_TOTAL of a `parallel: N` job, whose name GitLab
 * makes `<name> i/N` (Normalizer::NumberStrategy). A `parallel: matrix` job has both set too, but is
 * named `<name>: [v1, v2]` (MatrixStrategy) and runs with its own variables (a --group each): it is
 * not a shard, and taking it for one would leave most of each job's projects to no job.
 */
export function parseShard(flag: string | undefined, env: NodeJS.ProcessEnv): ShardChoice {
  const fromEnv = env['CI_NODE_INDEX'] && env['CI_NODE_TOTAL'] ? `${env['CI_NODE_INDEX']}/${env['CI_NODE_TOTAL']}` : undefined;
  if (flag === undefined && fromEnv !== undefined) {
    const name = env['CI_JOB_NAME'];
    if (name === undefined || !name.endsWith(` ${fromEnv}`)) {
      const job =
        name === undefined
          ? 'CI_JOB_NAME is not set'
          : /: \[.*\]$/.test(name)
            ? `the job is a parallel: matrix job (${name})`
            : `the job's name (${name}) does not end in ' ${fromEnv}', as a parallel: N job's does`;
      return { notSharded: `not sharded: CI_NODE_INDEX/CI_NODE_TOTAL are ${fromEnv}, but ${job}` };
    }
  }
  const [source, text] =
    flag !== undefined ? ['--shard', flag] : fromEnv !== undefined ? ['CI_NODE_INDEX/CI_NODE_TOTAL', fromEnv] : [undefined, undefined];
  if (text === undefined) return {};
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const [index, total] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(index >= 1 && index <= total))
    throw new UsageError(`${source} ${text}: expected i/n with 1 <= i <= n (i counts from 1, like CI_NODE_INDEX)`);
  return { shard: { index, total } };
}

function selectionOf(options: BotCommandOptions): ProjectSelection {
  const given = [options.group !== undefined, options.projects !== undefined, Boolean(options.all)].filter(Boolean).length;
  if (given !== 1) throw new UsageError('choose the projects with exactly one of --group <full path>, --projects <path,...> or --all');
  if (options.group !== undefined) {
    const group = options.group.trim();
    if (group === '') throw new UsageError("--group '': expected a group's full path (e.g. platform or platform/team)");
    return { group };
  }
  if (options.projects !== undefined) {
    const projects = options.projects
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (projects.length === 0)
      throw new UsageError(
        `--projects '${options.projects}': expected project paths separated by commas (e.g. platform/shop,platform/cart)`,
      );
    return { projects };
  }
  return { all: true };
}

/** The report with the token masked out of everything a server or a project's files could have put in it. */
function masked(report: BotReport, mask: (text: string) => string): BotReport {
  return {
    ...report,
    projects: report.projects.map((p) => maskedResult(p, mask)),
    ...(report.stopped !== undefined ? { stopped: mask(report.stopped) } : {}),
  };
}
function maskedResult(result: ProjectResult, mask: (text: string) => string): ProjectResult {
  return {
    ...result,
    path: mask(result.path),
    mergeRequest: result.mergeRequest === null ? null : mask(result.mergeRequest),
    reason: result.reason === null ? null : mask(result.reason),
    ...(result.diff !== undefined ? { diff: mask(result.diff) } : {}),
  };
}

/** `--report FILE.json` and its Markdown twin beside it, `FILE.md`. */
const reportPaths = (report: string): [string, string] => [report, `${report.replace(/\.json$/, '')}.md`];

/** A progress bar on a TTY; one line per project otherwise (CI logs). */
function progress(json: boolean): { onResult: (r: ProjectResult) => void; done: () => void } {
  const tty = isTerminal('stderr');
  // A line per project goes to stdout, unless stdout holds the JSON report.
  const line = json ? writeErr : writeOut;
  let seen = 0;
  const counts = new Map<string, number>();
  return {
    onResult(result) {
      seen++;
      counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
      if (!tty) {
        // One line per project: a reason quotes what projects and servers wrote (an include's path, an
        // error page), and a line break or a terminal escape in it must not pass for another project's line.
        const link = result.mergeRequest ? ` ${escapeLine(result.mergeRequest)}` : '';
        const why = result.reason ? ` — ${escapeLine(result.reason)}` : '';
        line(`${result.status.padEnd(18)} ${escapeLine(result.path)}${link}${why}\n`);
        return;
      }
      const summary = [...counts].map(([status, n]) => `${status} ${n}`).join(', ');
      writeErr(`\r\x1b[K${paint('bold', `${seen} project(s)`, 'stderr')}  ${summary}`);
    },
    done() {
      if (tty && seen > 0) writeErr('\n');
    },
  };
}

export async function runBotCommand(options: BotCommandOptions): Promise<void> {
  // A line per project while requests are in flight: a slow reader must not hold them up.
  writeThroughNodeStreams();
  const raw = options.gitlabUrl ?? process.env['CI_SERVER_URL'];
  if (!raw) throw new UsageError('no GitLab URL: pass --gitlab-url or run where CI_SERVER_URL is set');
  const url = instanceUrl(raw, options.gitlabUrl ? '--gitlab-url' : 'CI_SERVER_URL');
  const token = gitlabToken(
    process.env,
    'GITLAB_TOKEN is not set: give the bot a token with the api scope in GITLAB_TOKEN (never on the command line)',
  );
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency ${options.concurrency}: expected a whole number from 1 to 64`);
  const componentRef = buildahRef(options.componentRef);
  const builderImages = options.builderImage && options.builderImage.length > 0 ? checkBuilderImages(options.builderImage) : undefined;
  const selection = selectionOf(options);
  const { shard, notSharded } = parseShard(options.shard, process.env);
  if (notSharded !== undefined) debug(notSharded);
  // A report that cannot be written is found now, before anything is asked of GitLab (or changed there).
  if (options.report) await checkWritable(reportPaths(options.report), 'nothing was asked of GitLab');
  const platform = new GitLabPlatform({ url, token, ...(isVerbose() ? { log: debug } : {}) });
  const { mask } = platform;
  try {
    await runWith(platform, url, options, { selection, concurrency, shard, notSharded, builderImages, componentRef });
  } catch (error) {
    // Whatever the failure, its words leave here with the token masked out of them.
    if (error instanceof Error) {
      error.message = mask(error.message);
      if (error.stack !== undefined) error.stack = mask(error.stack);
    }
    throw error;
  }
}

/**
 * What a 401 on the first requests means for the token: gitbeaker sends it as PRIVATE-TOKEN, which
 * GitLab looks up as an access token only (auth_finders.rb, find_personal_access_token).
 */
const TOKEN_KINDS =
  'the bot sends GITLAB_TOKEN as a PRIVATE-TOKEN header, which GitLab takes only for a personal, project or group access ' +
  'token that is neither expired nor revoked (not an OAuth token, not a CI job token)';

/** A failure of the run itself (not of one project) as the error the CLI reports. */
function runError(url: string, error: unknown): unknown {
  if (error instanceof UnreachableError) return new InputError(`cigen bot: cannot reach ${url}: ${error.reason}`);
  if (error instanceof PlatformError)
    return new InputError(`cigen bot: ${url}: ${error.message}${error.status === 401 ? `; ${TOKEN_KINDS}` : ''}`);
  return error;
}

async function runWith(
  platform: GitLabPlatform,
  url: string,
  options: BotCommandOptions,
  run: {
    selection: ProjectSelection;
    concurrency: number;
    shard: Shard | undefined;
    /** Why CI_NODE_INDEX/CI_NODE_TOTAL did not make this run a shard. */
    notSharded: string | undefined;
    builderImages: string[] | undefined;
    componentRef: string | undefined;
  },
): Promise<void> {
  const { mask } = platform;
  const { shard } = run;
  // A token that may only read would be refused every write, project by project: said once, before any.
  if (!options.dryRun) {
    let scopes: string[] | undefined;
    try {
      scopes = await platform.tokenScopes();
    } catch (error) {
      throw runError(url, error);
    }
    if (scopes !== undefined && !scopes.includes('api'))
      throw new UsageError(
        `GITLAB_TOKEN has the scopes ${scopes.join(', ') || '(none)'}, without api, which commits and merge requests need; ` +
          'nothing was written (a --dry-run needs only read_api)',
      );
  }
  const json = options.format === 'json';
  const bar = progress(json);
  let report: BotReport;
  try {
    report = await runBot(platform, {
      selection: run.selection,
      migrator,
      dryRun: Boolean(options.dryRun),
      concurrency: run.concurrency,
      ...(shard ? { shard } : {}),
      ...(run.componentRef ? { componentRef: run.componentRef } : {}),
      ...(run.builderImages ? { builderImages: run.builderImages } : {}),
      onResult: (result) => bar.onResult(maskedResult(result, mask)),
    });
  } catch (error) {
    // Only the run itself (who am I, which projects) fails here; a project's failure is in the report.
    throw runError(url, error);
  } finally {
    bar.done();
  }
  report = masked(report, mask);
  // The report as --report writes it (a dry run's diffs in it), the summary line on stderr.
  const say = json ? writeErr : writeOut;
  if (json) writeJson(JSON.parse(reportJson(report)), 2);
  else if (options.dryRun) {
    for (const project of report.projects) if (project.diff) writeOut(`\n# ${project.path} (${project.status}, dry run)\n${project.diff}`);
  }
  // The summary first: what the run did is said whatever becomes of the report.
  const summary = STATUSES.filter((s) => report.counts[s] > 0)
    .map((s) => `${report.counts[s]} ${s}`)
    .join(', ');
  const ofShard = shard ? ` (shard ${shard.index}/${shard.total})` : run.notSharded ? ` (${run.notSharded})` : '';
  const dryRun = options.dryRun ? ' (dry run: nothing written)' : '';
  say(`${report.projects.length} project(s)${ofShard}: ${summary || 'none'}; ${platform.stats.requests} request(s)${dryRun}\n`);
  const failed = report.counts.failed > 0 ? `; ${report.counts.failed} of them failed` : '';
  if (options.report) {
    const [json, markdown] = reportPaths(options.report);
    try {
      await writeFilesAtomically([
        { path: json, text: reportJson(report) },
        { path: markdown, text: reportMarkdown(report) },
      ]);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      // Checked before the run, it failed after it (a full disk): the run itself is over.
      const written = error.outcome === NOTHING_WRITTEN ? 'the report was not written' : `of the report, ${error.outcome}`;
      const failures = report.counts.failed > 0 ? `; ${report.counts.failed} project(s) failed` : '';
      const ended =
        report.stopped === undefined
          ? 'but the run itself completed: the summary line says what it did'
          : `and the run did not complete (${report.stopped}): the summary line says what it did before`;
      throw new OutputError(`cannot write ${error.path}: ${error.reason}; ${written}, ${ended}${failures}`);
    }
  }
  // What was done before the listing stopped is in the summary and the report; the run is not a success.
  if (report.stopped !== undefined)
    throw new InputError(
      `cigen bot: ${url}: ${report.stopped}; the ${report.projects.length} project(s) handled before it are in the summary` +
        `${options.report ? ' and the report' : ''}${failed}; the rest were not handled`,
    );
  // Every project is in the report; a run where any failed is not a success.
  if (report.counts.failed > 0)
    throw new FindingsError(`cigen bot: ${report.counts.failed} of ${report.projects.length} project(s) failed`);
}
