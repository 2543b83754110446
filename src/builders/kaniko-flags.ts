/**
 * Kaniko's command line, declared once: every flag of the executor (osscontainertools/kaniko,
 * which kept the archived project's flags and added a few), its kind, and what it becomes —
 *
 *  - `migrate`: what `cigen migrate` does when it reads the build statically and moves it onto
 *    the buildah component: the translator maps it onto inputs, or drops it with the reason that
 *    is exact, or only kaniko-compat can honour it (the job then keeps its script and runs on
 *    kaniko-compat), or a person must decide;
 *  - `compat`: what kaniko-compat's /kaniko/executor does with it. Its argument parser is
 *    generated from this table (src/catalog/kaniko-compat.ts): a value is stored for the
 *    executor's Buildah command line, or the flag is accepted because Buildah already does what
 *    it asks (the reason is logged), or the executor stops at once naming it;
 *  - `buildah`: Buildah's equivalent, for the docs.
 *
 * Nothing else lists Kaniko flags; the tests check every row on both paths.
 */
import { OCI_DROPPED_WORDS } from './said.js';

export type KanikoFlagKind = 'string' | 'bool' | 'list';

/** How `cigen migrate` treats a flag it reads statically. */
export type StaticRule =
  /** Translated onto component inputs by src/migrate/kaniko.ts; the text names the inputs (docs). */
  | { map: string }
  /** Dropped: the reason the component's build is the same without it. */
  | { drop: string }
  /** Only kaniko-compat honours it: why the component cannot. */
  | { compat: string }
  /** Neither can: what a person must decide. */
  | { review: string };

/** What kaniko-compat's executor does with a flag. */
export type CompatRule =
  /** The value is kept in the executor's variable `k_<store>` (a list flag appends). */
  | { store: string }
  /** Nothing to do: Buildah already behaves as the flag asks. The reason is logged. */
  | { accept: string }
  /** The executor stops before building, with this reason. */
  | { refuse: string };

export interface KanikoFlag {
  kind: KanikoFlagKind;
  /** One-letter form (`-d`). */
  short?: string;
  /** A deprecated spelling of another flag (`tarPath` is `tar-path`): same rules as that one. */
  alias?: string;
  /**
   * A bool flag's value when the command line does not give it, as Kaniko's root.go declares it:
   * false unless said. Given that value, the flag asks nothing (`--single-snapshot=false`). The
   * one exception, --skip-unused-stages (true in the osscontainertools fork, false in the archived
   * executor: SKIPS_UNUSED_STAGES_BY_DEFAULT), is mapped, and the translator reads it itself.
   */
  default?: boolean;
  /** A setting of Kaniko's layer cache, which it uses only with --cache: without it, there was no
   *  cache for the flag to change, whatever its own rule says. */
  withCache?: true;
  /** The rule for the flag as it asks something: given, or `=true`; and `=false` too when that is not Kaniko's default. */
  migrate: StaticRule;
  /** A bool flag whose default is true asks the opposite with `=false`; when that is not covered by `migrate`, its rule. */
  migrateWhenFalse?: StaticRule;
  /** A list flag whose rule depends on the values given (one per flag, as Kaniko takes them): the
   *  rule for them, or undefined when `migrate` holds. */
  migrateFor?: (values: readonly string[]) => StaticRule | undefined;
  compat: CompatRule;
  /** A bool flag whose default is true asks the opposite with `=false`; when kaniko-compat must then do something else, its rule. */
  compatWhenFalse?: CompatRule;
  /** What Buildah does instead, in words (docs). */
  buildah: string;
}

const SNAPSHOT = 'a Kaniko snapshotting option; Buildah commits each step itself and has no such setting';
const LOGS = 'log output only';
const OWN_DIR = 'where Kaniko keeps its own files; Buildah needs no such directory';
const REMOTE = 'the build context comes from a remote source; kaniko-compat and the component build a directory of the job';

export const KANIKO_FLAGS: Readonly<Record<string, KanikoFlag>> = {
  context: { kind: 'string', short: 'c', migrate: { map: 'context' }, compat: { store: 'context' }, buildah: 'the context argument' },
  'context-sub-path': {
    kind: 'string',
    migrate: { map: 'context (dir:// contexts only: Kaniko ignores it for a plain path)' },
    compat: { store: 'context_sub_path' },
    buildah: 'the context argument',
  },
  dockerfile: { kind: 'string', short: 'f', migrate: { map: 'dockerfile' }, compat: { store: 'dockerfile' }, buildah: '--file' },
  bucket: {
    kind: 'string',
    short: 'b',
    migrate: { review: `bucket: ${REMOTE}; fetch it in before_script and point --context at it` },
    compat: { refuse: `${REMOTE} (a GCS bucket); fetch it first and give --context a directory` },
    buildah: 'none',
  },
  destination: {
    kind: 'list',
    short: 'd',
    migrate: { map: 'image, tags' },
    compat: { store: 'destinations' },
    buildah: '--tag, then one buildah push each',
  },
  'build-arg': { kind: 'list', migrate: { map: 'build-args' }, compat: { store: 'build_args' }, buildah: '--build-arg' },
  target: { kind: 'string', migrate: { map: 'target' }, compat: { store: 'target' }, buildah: '--target' },
  label: { kind: 'list', migrate: { map: 'labels' }, compat: { store: 'labels' }, buildah: '--label' },
  annotation: {
    kind: 'list',
    migrate: {
      compat:
        "cigen migrate does not move them onto the buildah component's annotations input, which takes them with format: oci only " +
        `(the OCI format drops ${OCI_DROPPED_WORDS}); kaniko-compat passes them to buildah --annotation, ` +
        'building in the OCI format',
    },
    compat: { store: 'annotations' },
    buildah: '--annotation (with --format=oci: the Docker format has no annotations)',
  },
  'custom-platform': { kind: 'string', migrate: { map: 'platform' }, compat: { store: 'platform' }, buildah: '--platform' },
  customPlatform: {
    kind: 'string',
    alias: 'custom-platform',
    migrate: { map: 'platform' },
    compat: { store: 'platform' },
    buildah: '--platform',
  },
  cache: { kind: 'bool', migrate: { map: 'cache' }, compat: { store: 'cache' }, buildah: '--layers --cache-from/--cache-to' },
  'cache-repo': {
    kind: 'string',
    withCache: true,
    migrate: { map: 'cache-repo' },
    compat: { store: 'cache_repo' },
    buildah: '--cache-from, --cache-to',
  },
  'cache-ttl': {
    kind: 'string',
    withCache: true,
    migrate: {
      compat:
        'Kaniko reused cached layers for this long only; the component has no cache TTL, kaniko-compat passes it to buildah --cache-ttl',
    },
    compat: { store: 'cache_ttl' },
    buildah: '--cache-ttl',
  },
  'cache-dir': {
    kind: 'string',
    migrate: { drop: 'a local base-image cache for Kaniko; Buildah keeps pulled images in its own storage' },
    compat: { accept: 'a local base-image cache for Kaniko; Buildah keeps pulled images in its own storage' },
    buildah: 'container storage',
  },
  'cache-copy-layers': {
    kind: 'bool',
    withCache: true,
    migrate: { drop: 'Buildah caches every layer, COPY included' },
    compat: { accept: 'Buildah caches every layer, COPY included' },
    buildah: '--layers',
  },
  'cache-run-layers': {
    kind: 'bool',
    default: true,
    withCache: true,
    migrate: { drop: 'Buildah caches every layer, RUN included' },
    migrateWhenFalse: {
      review:
        'cache-run-layers=false: Kaniko cached no RUN step, and the component caches every step, RUN included; ' +
        'set cache: false, or accept RUN steps from the cache, then remove the flag',
    },
    compat: { accept: 'Buildah caches every layer, RUN included' },
    compatWhenFalse: { store: 'cache_run_layers' },
    buildah: '--layers; with =false, no --cache-from/--cache-to (Buildah caches every step or none)',
  },
  'compressed-caching': {
    kind: 'bool',
    default: true,
    migrate: { drop: 'a Kaniko memory setting; Buildah does not compress while caching' },
    compat: { accept: 'a Kaniko memory setting; Buildah does not compress while caching' },
    buildah: 'none needed',
  },
  'no-push': { kind: 'bool', migrate: { map: 'push: false' }, compat: { store: 'no_push' }, buildah: 'no buildah push' },
  'no-push-cache': {
    kind: 'bool',
    withCache: true,
    migrate: { map: 'nothing without --cache; with it, only kaniko-compat reads a cache without writing it' },
    compat: { store: 'no_push_cache' },
    buildah: '--cache-from without --cache-to',
  },
  'tar-path': { kind: 'string', migrate: { map: 'tarball' }, compat: { store: 'tar_path' }, buildah: 'buildah push docker-archive:PATH' },
  tarPath: {
    kind: 'string',
    alias: 'tar-path',
    migrate: { map: 'tarball' },
    compat: { store: 'tar_path' },
    buildah: 'buildah push docker-archive:PATH',
  },
  'oci-layout-path': {
    kind: 'string',
    migrate: { compat: 'the component writes a docker-archive tarball, not an OCI layout; kaniko-compat pushes to oci:PATH' },
    compat: { store: 'oci_layout_path' },
    buildah: 'buildah push oci:PATH (built with --format=oci, so that the layout holds the image pushed)',
  },
  'skip-tls-verify': {
    kind: 'bool',
    migrate: { map: 'insecure-registries: the hosts it pushes to' },
    compat: { store: 'skip_tls_verify' },
    buildah: 'insecure = true for the destination hosts (registries.conf)',
  },
  insecure: {
    kind: 'bool',
    migrate: { map: 'insecure-registries: the hosts it pushes to' },
    compat: { store: 'insecure' },
    buildah: 'insecure = true for the destination hosts (registries.conf)',
  },
  'skip-tls-verify-pull': {
    kind: 'bool',
    migrate: { map: 'tls-verify: false' },
    compat: { store: 'skip_tls_verify_pull' },
    buildah: 'buildah build --tls-verify=false',
  },
  'insecure-pull': {
    kind: 'bool',
    migrate: { map: 'tls-verify: false' },
    compat: { store: 'insecure_pull' },
    buildah: 'buildah build --tls-verify=false',
  },
  'insecure-registry': {
    kind: 'list',
    migrate: { map: 'insecure-registries' },
    compat: { store: 'insecure_registries' },
    buildah: 'insecure = true for that host (registries.conf)',
  },
  'skip-tls-verify-registry': {
    kind: 'list',
    migrate: { map: 'insecure-registries' },
    compat: { store: 'skip_tls_registries' },
    buildah: 'insecure = true for that host (registries.conf)',
  },
  'registry-mirror': {
    kind: 'list',
    migrate: { map: 'registry-mirrors' },
    compat: { store: 'mirrors' },
    buildah: '[[registry.mirror]] for docker.io (registries.conf)',
  },
  'registry-map': {
    kind: 'list',
    migrate: { map: 'registry-mirrors (REGISTRY=MIRROR items)' },
    compat: { store: 'registry_maps' },
    buildah: '[[registry.mirror]] for that registry (registries.conf)',
  },
  'skip-default-registry-fallback': {
    kind: 'bool',
    migrate: {
      compat:
        'the component falls back to the registry itself when a mirror lacks an image; ' +
        'kaniko-compat points the registry at its mirrors instead, as Kaniko did',
    },
    compat: { store: 'no_fallback' },
    buildah: 'the registry location replaced by its mirror (registries.conf)',
  },
  'registry-certificate': {
    kind: 'list',
    migrate: { map: 'ca-certificates (one certificate file)' },
    compat: { store: 'registry_certificates' },
    buildah: 'the certificate added to SSL_CERT_DIR, for every registry',
  },
  'registry-client-cert': {
    kind: 'list',
    migrate: {
      review: 'registry-client-cert: a client certificate for one registry; the components have no client-certificate input',
    },
    compat: { refuse: 'a client certificate for one registry; Buildah takes client certificates per certs.d directory only' },
    buildah: 'certs.d/<host>/client.cert',
  },
  'credential-helpers': {
    kind: 'list',
    migrate: {
      review:
        "credential-helpers: Kaniko's built-in credential helpers (ecr, google, acr) read the runner's cloud credentials, which " +
        'Buildah has no helper for; give the credentials with registries, a docker-config that holds them (not the helper), ' +
        "or registry-login (ecr, gar, acr: short-lived credentials from the job's OIDC token)",
    },
    // Naming only those kaniko-compat stands in for, or none (an empty value): what its executor
    // does as Kaniko does. A cloud helper, another name or a variable: the review above.
    migrateFor: (values) =>
      values.every((value) => value === '' || STAND_IN_HELPERS.includes(value))
        ? {
            compat:
              "it chooses which of Kaniko's credential helpers run (here env and gitlab, or none: an empty value turns them off), " +
              'and kaniko-compat runs those as Kaniko does; the components have no such choice',
          }
        : undefined,
    // Which of Kaniko's helpers it names (none, for an empty value) the executor reads itself:
    // KANIKO_CREDENTIAL_HELPERS.
    compat: { store: 'credential_helpers' },
    buildah: 'none (kaniko-compat stands in for env and gitlab; google, ecr and acr stop the job)',
  },
  'ignore-path': {
    kind: 'list',
    migrate: {
      review:
        'ignore-path: Kaniko left this path out of its snapshots and Buildah has no such option; ' +
        'check that the image may hold what RUN steps write there, then remove the flag',
    },
    compat: { refuse: 'Buildah has no option to leave a path out of the image' },
    buildah: 'none',
  },
  'ignore-var-run': {
    kind: 'bool',
    default: true,
    migrateWhenFalse: {
      drop:
        "Kaniko was told to keep /var/run in the image; Buildah keeps what the image's steps put there, " +
        'and adds nothing of the job container',
    },
    migrate: { drop: 'Kaniko kept its own /var/run out of the image; Buildah never puts files of the job container into it' },
    compat: { accept: 'Buildah never puts files of the job container into the image' },
    buildah: 'none needed',
  },
  'whitelist-var-run': {
    kind: 'bool',
    alias: 'ignore-var-run',
    default: true,
    migrate: { drop: 'Kaniko kept its own /var/run out of the image; Buildah never puts files of the job container into it' },
    compat: { accept: 'Buildah never puts files of the job container into the image' },
    buildah: 'none needed',
  },
  reproducible: {
    kind: 'bool',
    migrate: {
      compat:
        'Kaniko wrote every timestamp as 0, so the same sources give the same digest; the component has no such input, ' +
        'kaniko-compat passes buildah --timestamp=0',
    },
    compat: { store: 'reproducible' },
    buildah: '--timestamp=0',
  },
  'single-snapshot': {
    kind: 'bool',
    migrate: {
      compat:
        'Kaniko wrote one layer for the whole build, so a file one step wrote and a later one deleted is in no layer; the ' +
        'component writes a layer per step, where it stays; kaniko-compat builds without --layers, one layer',
    },
    compat: { store: 'single_snapshot' },
    buildah: 'buildah build without --layers: one new layer on the base image (and no layer cache)',
  },
  'snapshot-mode': { kind: 'string', migrate: { drop: SNAPSHOT }, compat: { accept: SNAPSHOT }, buildah: 'none needed' },
  snapshotMode: {
    kind: 'string',
    alias: 'snapshot-mode',
    migrate: { drop: SNAPSHOT },
    compat: { accept: SNAPSHOT },
    buildah: 'none needed',
  },
  'use-new-run': { kind: 'bool', migrate: { drop: SNAPSHOT }, compat: { accept: SNAPSHOT }, buildah: 'none needed' },
  cleanup: {
    kind: 'bool',
    migrate: { drop: "each build starts from empty Buildah storage, which is what Kaniko's --cleanup emulates" },
    compat: { accept: 'Buildah leaves the job container as it was' },
    buildah: 'none needed',
  },
  'pre-cleanup': {
    kind: 'bool',
    migrate: { drop: 'Buildah builds in its own root file system, never in the job container' },
    compat: { accept: 'Buildah builds in its own root file system, never in the job container' },
    buildah: 'none needed',
  },
  'preserve-context': {
    kind: 'bool',
    migrate: { drop: 'Buildah does not modify the build context' },
    compat: { accept: 'Buildah does not modify the build context' },
    buildah: 'none needed',
  },
  materialize: {
    kind: 'bool',
    migrate: { drop: "Buildah always builds the target's whole file system" },
    compat: { accept: "Buildah always builds the target's whole file system" },
    buildah: 'none needed',
  },
  'kaniko-dir': { kind: 'string', migrate: { drop: OWN_DIR }, compat: { accept: OWN_DIR }, buildah: 'none needed' },
  verbosity: { kind: 'string', short: 'v', migrate: { drop: LOGS }, compat: { accept: LOGS }, buildah: 'none' },
  'log-format': { kind: 'string', migrate: { drop: LOGS }, compat: { accept: LOGS }, buildah: 'none' },
  'log-timestamp': { kind: 'bool', migrate: { drop: LOGS }, compat: { accept: LOGS }, buildah: 'none' },
  force: {
    kind: 'bool',
    migrate: { drop: 'tells Kaniko to run outside its own container; Buildah needs no such switch' },
    compat: { accept: 'Buildah needs no such switch' },
    buildah: 'none needed',
  },
  'force-build-metadata': {
    kind: 'bool',
    migrate: { drop: 'deprecated in Kaniko, which always writes build metadata' },
    compat: { accept: 'deprecated in Kaniko, which always writes build metadata' },
    buildah: 'none needed',
  },
  'skip-unused-stages': {
    kind: 'bool',
    migrate: {
      map:
        'skip-unused-stages: false when the flag is false, or absent with the archived executor (which builds every stage up to the ' +
        'target by default); nothing when true, or absent with the osscontainertools fork (which skips unused stages by default)',
    },
    compat: { store: 'skip_unused_stages' },
    buildah: '--skip-unused-stages',
  },
  'skip-push-permission-check': {
    kind: 'bool',
    migrate: { drop: 'a Kaniko pre-flight check; a push without permission still fails the job' },
    compat: { accept: 'a Kaniko pre-flight check; a push without permission still fails the job' },
    buildah: 'none needed',
  },
  'push-retry': { kind: 'string', migrate: { map: 'push-retries' }, compat: { store: 'push_retry' }, buildah: 'the push tried again' },
  'push-ignore-immutable-tag-errors': {
    kind: 'bool',
    migrate: {
      review: 'push-ignore-immutable-tag-errors: Kaniko let the job pass when a tag could not be overwritten; Buildah fails the push',
    },
    compat: { refuse: 'Buildah fails a push that a registry refuses, immutable tags included' },
    buildah: 'none',
  },
  'image-download-retry': {
    kind: 'string',
    migrate: { drop: 'the component retries pulls as many times as pushes (push-retries)' },
    compat: { store: 'download_retry' },
    buildah: 'buildah build --retry',
  },
  'image-fs-extract-retry': {
    kind: 'string',
    migrate: { drop: 'Buildah unpacks base images in its storage; there is no extraction step to retry' },
    compat: { accept: 'Buildah unpacks base images in its storage; there is no extraction step to retry' },
    buildah: 'none needed',
  },
  'digest-file': {
    kind: 'string',
    migrate: { compat: 'the component writes the digest to its dotenv report, not to this file; kaniko-compat writes the file' },
    compat: { store: 'digest_file' },
    buildah: 'buildah push --digestfile',
  },
  'image-name-with-digest-file': {
    kind: 'string',
    migrate: { compat: 'the component writes the reference to its dotenv report, not to this file; kaniko-compat writes the file' },
    compat: { store: 'name_digest_file' },
    buildah: 'buildah push --digestfile, then <repository>@<digest>',
  },
  'image-name-tag-with-digest-file': {
    kind: 'string',
    migrate: { compat: 'the component writes the reference to its dotenv report, not to this file; kaniko-compat writes the file' },
    compat: { store: 'name_tag_digest_file' },
    buildah: 'buildah push --digestfile, then <repository>:<tag>@<digest>',
  },
  compression: {
    kind: 'string',
    migrate: { compat: 'the component pushes gzip layers; kaniko-compat passes the algorithm to buildah push --compression-format' },
    compat: { store: 'compression' },
    buildah: 'buildah push --compression-format',
  },
  'compression-level': {
    kind: 'string',
    migrate: { compat: 'the component pushes at the default level; kaniko-compat passes it to buildah push --compression-level' },
    compat: { store: 'compression_level' },
    buildah: 'buildah push --compression-level',
  },
  git: {
    kind: 'string',
    migrate: {
      drop: 'Kaniko reads it for a git:// context only (which goes to review of its own); with a directory context it did nothing',
    },
    compat: {
      accept: 'Kaniko reads it for a git:// context only, which kaniko-compat refuses; a directory context takes no branch',
    },
    buildah: 'none needed',
  },
  secret: {
    kind: 'list',
    migrate: {
      review:
        "secret: cigen migrate does not translate build secrets yet; the buildah component's secrets input takes them " +
        '(id=NAME,env=VARIABLE or id=NAME,src=FILE items): move each there, then remove the flag',
    },
    compat: {
      refuse:
        "kaniko-compat does not pass build secrets yet; the buildah component's secrets input takes them " +
        '(id=NAME,env=VARIABLE or id=NAME,src=FILE)',
    },
    buildah: '--secret',
  },
};

/**
 * The credential helpers built into Kaniko, in its order (osscontainertools/kaniko pkg/creds
 * GetKeychain: all of them when --credential-helpers is not given, those it names when it is, none
 * for an empty value; a name it does not know is skipped with a warning). kaniko-compat's executor
 * stands in for `env` (KANIKO_<HOST>_USER/_PASSWORD) and `gitlab` (the job token for the job's own
 * registry), and stops the job at the cloud ones (KANIKO_CLOUD_HELPERS).
 */
export const KANIKO_CREDENTIAL_HELPERS = ['env', 'google', 'ecr', 'acr', 'gitlab'] as const;
/** Those that read the runner's cloud credentials. */
export const KANIKO_CLOUD_HELPERS: readonly (typeof KANIKO_CREDENTIAL_HELPERS)[number][] = ['google', 'ecr', 'acr'];

/** Those kaniko-compat's executor stands in for: env and gitlab. */
const STAND_IN_HELPERS: readonly string[] = KANIKO_CREDENTIAL_HELPERS.filter((helper) => !KANIKO_CLOUD_HELPERS.includes(helper));

/** Why kaniko-compat stops at one of KANIKO_CLOUD_HELPERS. */
export const CLOUD_HELPER_REFUSED =
  "this credential helper built into Kaniko reads the runner's cloud credentials, which Buildah has no helper for in this " +
  'image; give the credentials with the registries input, or in the config.json the job writes';

/** Short forms, from the table. */
export const KANIKO_SHORT_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KANIKO_FLAGS).flatMap(([name, flag]) => (flag.short ? [[flag.short, name]] : [])),
);

/** The flag a name stands for: itself, or the one it is a deprecated spelling of. */
export const canonicalFlag = (name: string): string => KANIKO_FLAGS[name]?.alias ?? name;

/** Why a bool flag given its default (`--reproducible=false`) is dropped: it asks nothing. */
export const asksNothing = (value: boolean): string => `${value} is Kaniko's default, so the flag asks nothing`;

/**
 * The rule `cigen migrate` follows for a bool flag given `value`: the flag's own rule (what it asks),
 * its rule for `=false` when it has one, or none when the value is Kaniko's default and the flag
 * asks nothing. A flag whose default is true keeps its own rule for both values unless it has
 * one for `=false` (its rule then says what holds either way: --compressed-caching).
 */
export function staticRuleFor(flag: KanikoFlag, value: boolean): StaticRule | undefined {
  if (value) return flag.migrate;
  if (flag.migrateWhenFalse) return flag.migrateWhenFalse;
  return flag.default === true ? flag.migrate : undefined;
}

/**
 * What kaniko-compat's executor does with a bool flag given `=false`, when that differs from the
 * flag's own rule: its rule for `=false`, or, for a flag it refuses for what it asks, nothing to
 * refuse when `=false` is Kaniko's default and the flag asks nothing.
 */
export function compatRuleWhenFalse(flag: KanikoFlag): CompatRule | undefined {
  if (flag.compatWhenFalse) return flag.compatWhenFalse;
  if (flag.kind === 'bool' && flag.default !== true && 'refuse' in flag.compat) return { accept: asksNothing(false) };
  return undefined;
}

/** Kaniko's own default for --cache-ttl (two weeks). */
export const KANIKO_CACHE_TTL = '336h';

/**
 * Kaniko images whose executor skips unused stages when the command line does not say: the
 * maintained fork (osscontainertools, the kaniko component's image; martizih/kaniko on Docker Hub,
 * its first name), whose root.go defaults --skip-unused-stages to true. The archived executor
 * (gcr.io/kaniko-project) and its other builds default to false: every stage up to the target.
 * Matched against the image's name, without tag.
 */
export const SKIPS_UNUSED_STAGES_BY_DEFAULT = /(?:^|\/)(?:osscontainertools\/kaniko|martizih\/kaniko)$/;
