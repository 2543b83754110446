/**
 * What the bot needs from a migration, as a port: the bot does not know how pipelines are
 * rewritten, only which files change and what to tell the project about each job. The CLI
 * wires `cigen migrate` in (cli/wiring/bot.ts).
 */
export interface MigratedJob {
  name: string;
  file: string;
  status: 'migrated' | 'needs-review' | 'unchanged';
  /** What the job built with before. */
  from?: 'kaniko' | 'docker';
  /** The component it moves to: buildah, or kaniko-compat for builds assembled when the job runs. */
  component?: string;
  notes: readonly string[];
  /** The job re-tags an image: why the promote component fits it. */
  promote?: { text: string };
}

export interface MigratedFile {
  path: string;
  changed: boolean;
  original: string;
  result: string;
  jobs: readonly MigratedJob[];
  /** What could not be checked (an include with a glob, one that does not exist): the pipeline file's. */
  unchecked?: readonly string[];
  /** Keys written twice in the file (GitLab reads the last; a rewritten file keeps only that one). */
  duplicates?: readonly string[];
}

/** A pipeline migrated: its files, and the component its jobs move onto. */
export interface Migration {
  files: MigratedFile[];
  /** The buildah component: the run's, else the one of the catalog the pipeline includes already
   *  (as `cigen migrate` takes it), else the default. */
  componentRef: string;
  /** The catalog (`<server>/<path>`) the pipeline includes one of cigen's components from, if it does
   *  (whichever component the run names). */
  includedCatalog?: string;
}

export interface Migrator {
  /** The local includes a pipeline file names (fetched before it is migrated); [] when unreadable. */
  localIncludes(path: string, text: string): string[];
  /** The pipeline file and its includes migrated, or why the pipeline cannot be read. */
  migrate(
    path: string,
    text: string,
    options: {
      /** The run's --component-ref; without it, the migration takes the catalog the pipeline includes. */
      componentRef?: string;
      readProjectFile: (path: string) => string | undefined;
      /** `--builder-image [REGISTRY=]IMAGE` values: the Buildah image for jobs whose Kaniko or Docker images come from a mirror. */
      builderImages?: readonly string[];
    },
  ): Migration | { invalid: string };
}
