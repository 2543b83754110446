/**
 * A SLSA v1 provenance predicate for an image built in a GitLab pipeline, from GitLab's
 * predefined variables: who built it (the runner), from what (the project, commit, ref), how (the
 * component, its version and its resolved inputs) and when. Pure: the environment is passed in.
 */
import { CATALOG_PATH, CATALOG_VERSION } from '../ci/component-ref.js';

/** The build type: what the fields below mean (docs/supply-chain.md, "Provenance"). */
export const BUILD_TYPE = `https://gitlab.com/${CATALOG_PATH}/-/blob/main/docs/supply-chain.md#provenance-v1`;

export interface ProvenanceOptions {
  /** The component that built the image (buildah, kaniko, …); empty when unknown. */
  component: string;
  /** The build job's resolved inputs, as the job received them. */
  inputs: Readonly<Record<string, unknown>>;
  finishedOn: Date;
}

type Env = Readonly<Record<string, string | undefined>>;

const present = (record: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));

export interface SlsaProvenance {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters: Record<string, unknown>;
    resolvedDependencies: { uri: string; digest: Record<string, string> }[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string> };
    metadata: { invocationId?: string; startedOn?: string; finishedOn: string };
  };
}

export function provenancePredicate(env: Env, options: ProvenanceOptions): SlsaProvenance {
  const server = env['CI_SERVER_URL'] ?? '';
  const project = env['CI_PROJECT_URL'] ?? (server && env['CI_PROJECT_PATH'] ? `${server}/${env['CI_PROJECT_PATH']}` : '');
  const sha = env['CI_COMMIT_SHA'];
  const ref = env['CI_COMMIT_TAG']
    ? `refs/tags/${env['CI_COMMIT_TAG']}`
    : env['CI_COMMIT_REF_NAME']
      ? `refs/heads/${env['CI_COMMIT_REF_NAME']}`
      : '';
  // The job that built (and pushed) the image, from its report: this job only writes the
  // statement, and its runner is not the one that built. Without a report, no job is named.
  const builtBy = {
    jobId: env['CIGEN_BUILT_BY_JOB_ID'] || undefined,
    startedOn: env['CIGEN_BUILT_BY_JOB_STARTED_AT'] || undefined,
    runnerId: env['CIGEN_BUILT_BY_RUNNER_ID'] || undefined,
    runnerVersion: env['CIGEN_BUILT_BY_RUNNER_VERSION'] || undefined,
  };
  const runner = builtBy.runnerId ? `${server}/${env['CI_PROJECT_PATH'] ?? ''}/-/runners/${builtBy.runnerId}` : `${server}/-/runners`;
  const invocationId = builtBy.jobId && project ? `${project}/-/jobs/${builtBy.jobId}` : undefined;
  return {
    buildDefinition: {
      buildType: BUILD_TYPE,
      externalParameters: {
        source: present({ repository: project, ref, revision: sha }),
        component: present({ name: options.component, catalog: CATALOG_PATH, version: CATALOG_VERSION }),
        inputs: options.inputs,
        pipeline: present({ configPath: env['CI_CONFIG_PATH'], source: env['CI_PIPELINE_SOURCE'] }),
      },
      internalParameters: present({
        server,
        project: env['CI_PROJECT_PATH'],
        projectId: env['CI_PROJECT_ID'],
        refProtected: env['CI_COMMIT_REF_PROTECTED'],
        pipelineId: env['CI_PIPELINE_ID'],
        pipelineUrl: env['CI_PIPELINE_URL'],
        jobId: builtBy.jobId,
      }),
      resolvedDependencies: project && sha ? [{ uri: `git+${project}${ref ? `@${ref}` : ''}`, digest: { gitCommit: sha } }] : [],
    },
    runDetails: {
      builder: { id: runner, ...(builtBy.runnerVersion ? { version: { 'gitlab-runner': builtBy.runnerVersion } } : {}) },
      metadata: {
        ...(invocationId ? { invocationId } : {}),
        ...(builtBy.startedOn ? { startedOn: builtBy.startedOn } : {}),
        finishedOn: options.finishedOn.toISOString(),
      },
    },
  };
}

/** Whether a provenance predicate says the source ref was protected (GitLab's CI_COMMIT_REF_PROTECTED). */
export const fromProtectedRef = (predicate: unknown): boolean =>
  (predicate as Partial<SlsaProvenance> | undefined)?.buildDefinition?.internalParameters?.['refProtected'] === 'true';

/** The source ref a provenance predicate names (`refs/heads/main`), or undefined. */
export const sourceRef = (predicate: unknown): string | undefined => {
  const source = (predicate as Partial<SlsaProvenance> | undefined)?.buildDefinition?.externalParameters?.['source'];
  const ref = (source as { ref?: unknown } | undefined)?.ref;
  return typeof ref === 'string' ? ref : undefined;
};
