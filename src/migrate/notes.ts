/**
 * Every message `cigen migrate` writes about a job, by kind. A note says what changed and why
 * that is safe; a reason says why the job cannot move as it is, and whether kaniko-compat (which
 * runs the job's own script) resolves it or a person must decide. Each kind is a fact about the
 * job it is written for: the corpus (test/unit/migrate-corpus.test.ts, its expect.json naming the
 * kinds), the flag readers (test/unit/migrate-parse.test.ts) and test/unit/migrate.test.ts check
 * them against the cases they describe.
 */

export const NOTE_KINDS = [
  // Already moved: a component's job, or a job on kaniko-compat.
  'already',
  // What a static translation changed, and why that is safe.
  'stage-default',
  'no-context',
  'cache-off',
  'cache-read-only',
  'build-arg-from-environment',
  'flag-dropped',
  'tls-pull',
  'insecure-push-hosts',
  'image-download-retry',
  'auth-none',
  'auth-docker-auth-config',
  'auth-file',
  'auth-docker-config',
  'auth-dependency-proxy',
  'ca-certificates',
  'moved-to-before-script',
  'default-before-script',
  // The job's artifacts:reports:dotenv and the component's: GitLab keeps one (engine.ts, reportEdits).
  'dotenv-report',
  'default-artifacts',
  'builder-image',
  // kaniko-compat.
  'compat',
  'compat-template',
  'compat-before-script',
  // The fork's default: kaniko-compat keeps the archived executor's unless the command line says.
  'fork-stages',
  // Templates.
  'template-kept',
  // Docker daemon builds (see docker.ts).
  'docker-cache',
  'docker-flag-dropped',
  'docker-classic-builder',
  'docker-services-emptied',
  'docker-auth-none',
  'docker-platforms',
  'docker-platform-variable',
] as const;

/** The kinds kaniko-compat resolves: the job keeps its script, which decides them when it runs. */
const COMPAT_REASON_KINDS = [
  'run-time-argument',
  'run-time-destination',
  'run-time-arguments',
  'no-executor-line',
  'executor-in-block',
  'executor-environment',
  'executor-redirect',
  'executor-mixed',
  'builds-several',
  'commands-after',
  'several-repositories',
  'no-destination',
  'flag-compat',
  'dockerfile-ambiguous',
  'path-outside',
  'auth-run-time',
  'auth-unreadable-entry',
  'ca-several',
  'kaniko-files',
  'unresolved-reference',
  'inputs-refused',
  'working-directory',
  'job-name-taken',
] as const;

export const REASON_KINDS = [
  ...COMPAT_REASON_KINDS,
  // A person decides.
  'flag-review',
  'unknown-flag',
  'remote-context',
  'destination-digest',
  'credentials-missing',
  'credential-helper',
  'kaniko-image-mirror',
  'missing-tool',
  'kaniko-path',
  'script-item-shape',
  'flow-style',
  'merge-key',
  'shared-keys',
  'extended-by',
  'external-base',
  'template-review',
  // A template kaniko-compat needs converted, which a job left for review, or one that is no Kaniko
  // build, uses too (engine.ts, templatesToConvert).
  'template-shared',
  // A Kaniko template with no image: converted in place, a job setting its own image would run the
  // installer in it (engine.ts, planTemplate).
  'template-no-image',
  'compat-before-script-source',
  // Docker daemon builds.
  'docker-review',
] as const;

export type NoteKind = (typeof NOTE_KINDS)[number];
export type ReasonKind = (typeof REASON_KINDS)[number];

export interface Note {
  kind: NoteKind;
  text: string;
}

export interface Reason {
  kind: ReasonKind;
  text: string;
  /** kaniko-compat resolves it: the job keeps its script, which decides this when it runs. */
  compat: boolean;
}

export const COMPAT_REASONS: ReadonlySet<ReasonKind> = new Set<ReasonKind>(COMPAT_REASON_KINDS);

export const note = (kind: NoteKind, text: string): Note => ({ kind, text });
export const reason = (kind: ReasonKind, text: string): Reason => ({ kind, text, compat: COMPAT_REASONS.has(kind) });
