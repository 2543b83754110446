/**
 * Kaniko's command line, as the kaniko builder knows it: every flag of the executor
 * (osscontainertools/kaniko), its kind, and what it becomes on the shared input vocabulary —
 * mapped by the translator (no note here), dropped with the reason that is safe, or sent to
 * review with the reason it is not. `cigen migrate` reads this table; nothing else lists flags.
 */

export type KanikoFlagKind = 'string' | 'bool' | 'list';
export interface KanikoFlag {
  kind: KanikoFlagKind;
  /** Mapped by the translator (handled below), or dropped with this note, or reviewed with this reason. */
  drop?: string;
  review?: string;
}

const SNAPSHOT = 'a Kaniko snapshotting option; Buildah commits each layer itself and has no such setting';
const RETRIES = 'a Kaniko retry setting; Buildah retries registry operations itself';
const DIGEST = 'the component writes the digest to its dotenv report (CIGEN_BUILT_DIGEST, CIGEN_BUILT_REF) instead of a file';

export const KANIKO_FLAGS: Readonly<Record<string, KanikoFlag>> = {
  context: { kind: 'string' },
  'context-sub-path': { kind: 'string' },
  dockerfile: { kind: 'string' },
  destination: { kind: 'list' },
  'build-arg': { kind: 'list' },
  target: { kind: 'string' },
  label: { kind: 'list' },
  'custom-platform': { kind: 'string' },
  cache: { kind: 'bool' },
  'cache-repo': { kind: 'string' },
  'no-push': { kind: 'bool' },
  'tar-path': { kind: 'string' },
  'skip-tls-verify': { kind: 'bool' },
  'skip-tls-verify-pull': { kind: 'bool' },
  insecure: { kind: 'bool' },
  'insecure-pull': { kind: 'bool' },
  'insecure-registry': { kind: 'list' },
  'skip-tls-verify-registry': { kind: 'list' },
  'cache-ttl': {
    kind: 'string',
    drop:
      "the component's registry cache has no TTL: cached layers are reused until the Dockerfile or what it copies changes; rebuild " +
      'without cache to refresh base packages',
  },
  'cache-dir': { kind: 'string', drop: 'a local base-image cache for Kaniko; Buildah keeps pulled images in its own storage' },
  'cache-copy-layers': { kind: 'bool', drop: 'Buildah caches every layer, COPY included' },
  'cache-run-layers': { kind: 'bool', drop: 'Buildah caches every layer, RUN included' },
  'compressed-caching': { kind: 'bool', drop: 'a Kaniko memory setting; Buildah does not compress while caching' },
  'no-push-cache': { kind: 'bool', drop: 'the component writes the cache only when it pushes; the image itself is unaffected' },
  reproducible: {
    kind: 'bool',
    drop: 'the image content is the same; only its timestamps, and so its digest, now change from build to build',
  },
  cleanup: { kind: 'bool', drop: "each component job runs one build in a fresh container, which is what Kaniko's --cleanup emulates" },
  'snapshot-mode': { kind: 'string', drop: SNAPSHOT },
  'single-snapshot': { kind: 'bool', drop: SNAPSHOT },
  'use-new-run': { kind: 'bool', drop: SNAPSHOT },
  'ignore-var-run': { kind: 'bool', drop: SNAPSHOT },
  'kaniko-dir': { kind: 'string', drop: 'where Kaniko keeps its own files; Buildah needs no such directory' },
  verbosity: { kind: 'string', drop: 'log level only' },
  'log-format': { kind: 'string', drop: 'log format only' },
  'log-timestamp': { kind: 'bool', drop: 'log format only' },
  'digest-file': { kind: 'string', drop: DIGEST },
  'image-name-with-digest-file': { kind: 'string', drop: DIGEST },
  'image-name-tag-with-digest-file': { kind: 'string', drop: DIGEST },
  force: { kind: 'bool', drop: 'tells Kaniko to run outside its own container; Buildah needs no such switch' },
  'skip-unused-stages': { kind: 'bool', drop: 'Buildah skips stages the target does not need by default' },
  'skip-push-permission-check': { kind: 'bool', drop: 'a Kaniko pre-flight check; a push without permission still fails the job' },
  'push-retry': { kind: 'string', drop: RETRIES },
  'image-download-retry': { kind: 'string', drop: RETRIES },
  'image-fs-extract-retry': { kind: 'string', drop: RETRIES },
  'preserve-context': { kind: 'bool', drop: 'Buildah does not modify the build context' },
  'registry-mirror': {
    kind: 'list',
    review:
      'registry-mirror: the component has no mirror input; configure the mirror in the runner (registries.conf) or pull base images ' +
      'from a mirror path in the Dockerfile',
  },
  'registry-map': {
    kind: 'list',
    review: 'registry-map: the component has no registry remapping; configure it in the runner (registries.conf)',
  },
  'registry-certificate': {
    kind: 'list',
    review: 'registry-certificate: the component has no certificate input; trust the CA in the runner or the builder image',
  },
  'registry-client-cert': { kind: 'list', review: 'registry-client-cert: the component has no client-certificate input' },
  'skip-default-registry-fallback': {
    kind: 'bool',
    review: 'skip-default-registry-fallback: only meaningful with a registry mirror, which the component does not configure',
  },
  'ignore-path': {
    kind: 'list',
    review:
      'ignore-path: Kaniko-specific snapshot exclusion with no Buildah equivalent; check that the image does not now include that path',
  },
  'oci-layout-path': {
    kind: 'string',
    review: 'oci-layout-path: the component exports a docker-archive tarball (input tarball), not an OCI layout',
  },
  git: { kind: 'string', review: 'git: options for a git build context; the component builds a checked-out directory' },
  'push-ignore-immutable-tag-errors': {
    kind: 'bool',
    review: 'push-ignore-immutable-tag-errors: the component fails the job when a tag cannot be overwritten',
  },
  annotation: { kind: 'list', review: 'annotation: the component sets labels, not manifest annotations' },
  secret: { kind: 'list', review: 'secret: build secrets are not an input of the component yet' },
};

export const KANIKO_SHORT_FLAGS: Readonly<Record<string, string>> = { c: 'context', f: 'dockerfile', d: 'destination', v: 'verbosity' };
