/**
 * The input vocabulary, declared once. Every builder component takes these inputs with the same
 * names, types and defaults, so switching builder is changing one word in the `component:`
 * line; a builder's own inputs are declared in its module the same way. Everything else is
 * derived from these declarations: the `spec:inputs` header, the job's CIGEN_* variables, the
 * shell that reads them (components/_shared/read.sh.hbs), migrate's key order, the sample
 * values the catalog and the tests prove each component with, and the docs.
 *
 * Every string input has a regex: GitLab's text interpolation pastes values into the raw file,
 * so each regex refuses what could reshape the YAML where the value sits, or what makes no
 * sense. Values that sit alone in a literal block (the CIGEN_* variables) only need to stay on
 * one line; values in keys and plain scalars get a narrow character set.
 */
import type { InputSpec, InputType, InputValue } from '../ci/interpolation/inputs.js';

export interface InputDeclaration extends InputSpec {
  type: InputType;
  default: InputValue;
  description: string;
  /** The variable the value travels in to the job's shell, as data; absent for inputs placed in
   *  the YAML itself (job-name, stage, builder-image). */
  variable?: `CIGEN_${string}`;
  /** A non-default value: the catalog build and the tests prove every component with these. */
  sample: InputValue;
  /** Array inputs whose items are flat objects of strings (`registries`) rather than strings. */
  items?: 'objects';
  /** A string input that may be left empty, usually given as a variable: what the job goes without
   *  when the variables its value names are empty or unset, which the job then logs (cigen_empty_input). */
  withoutIt?: string;
}

export type InputDeclarations = Readonly<Record<string, InputDeclaration>>;

/** One line: no line break of any kind YAML knows (\n, \r, NEL, LS, PS). Written so that RE2
 *  (GitLab) and JavaScript (gitlab-ci-local) read it alike: `\x85` is one escape in both, but
 *  RE2's `\x{2028}` means "x, {, 2, 0, 8, }" to JavaScript, so LS and PS are the characters. */
export const SINGLE_LINE = `^[^\\n\\r\\x85\u2028\u2029]*$`;
/** Characters no name holds: controls (C0, DEL, C1 — NEL among them) and the other line breaks
 *  YAML 1.1 knows (LS, PS, as literal characters, the way SINGLE_LINE writes them). */
const NOT_IN_NAMES = `\\x00-\\x1f\\x7f-\\x9f\u2028\u2029`;
/** Job and stage names as GitLab takes them — any letters (accents, emoji), spaces, punctuation —
 *  as long as they stay one plain YAML scalar where the component places them (a key, `stage:`,
 *  `needs: job:`) under text interpolation: no YAML indicator first, no quote, no `: `, `::` or
 *  ` #` inside, no trailing space or colon, one line. */
const NAME_FIRST = `[^-?:,\\[\\]{}#&*!|>'"%@\`< \\t${NOT_IN_NAMES}]`;
const NAME_CHAR = `[^:# '"\\t${NOT_IN_NAMES}]`;
export const NAME = `^${NAME_FIRST}(?:${NAME_CHAR}|#|:${NAME_CHAR}| +(?:${NAME_CHAR}|:${NAME_CHAR}))*$`;

/** `${NAME}`, and `$NAME`, whose name GitLab reads as far as name characters go: so a bare variable
 *  is never followed by a letter, a digit or `_` of the text (each would be its name's). */
const BRACED = String.raw`\$\{[A-Za-z_][A-Za-z0-9_]*\}`;
const ONE_BARE = String.raw`\$[A-Za-z_][A-Za-z0-9_]*`;
const BARE = `(?:${ONE_BARE})+`;
const VARIABLE = `${ONE_BARE}|${BRACED}`;
/**
 * A path component of the reference grammar (distribution's `path-component`: lowercase letters and
 * digits, one `.` or `_`, `__` or dashes between them), variables standing for any part of it. Read
 * the way GitLab reads the variables, there is one way to split any text: a run of bare variables is
 * followed by a braced one, a separator other than `_` (which would be a name's), or the end. So a
 * value that does not match fails without trying splits one by one (no backtracking blow-up), and
 * RE2 (GitLab checks a `regex:` with it) needs no lookaround.
 */
const PIECE = String.raw`(?:[a-z0-9]|${BRACED}|${BARE}${BRACED})`;
const UNIT_ENDS_PLAIN = String.raw`${PIECE}+`;
const UNIT_ENDS_BARE = String.raw`${PIECE}*${BARE}`;
const COMPONENT = String.raw`(?:${UNIT_ENDS_PLAIN}(?:[._]|__|-+)|${UNIT_ENDS_BARE}(?:\.|-+))*(?:${UNIT_ENDS_PLAIN}|${UNIT_ENDS_BARE})`;
/** A label of a registry host written as it is, in any case (distribution's `domain-component`:
 *  letters and digits, dashes between them); split one way, as COMPONENT is. */
const HOST_LABEL = String.raw`[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*`;
/** A registry host in any case (`Registry.Example.com`: the reference grammar's `domain`; only the
 *  path must be lower case) with a `.` or a port, which every tool (containers/image, Docker,
 *  go-containerregistry) reads as a host: `Registry/app` is a path to Kaniko's and crane's. */
const HOST = String.raw`${HOST_LABEL}(?:\.${HOST_LABEL})+(?::[0-9]+)?|${HOST_LABEL}:[0-9]+`;
/** Components joined by `/`, the first of which may carry a registry port (`:5000/`) or be a host
 *  in upper case: no empty component (`a//b`, a trailing `/`), none of `.`, `..` or a separator alone. */
const PATH = String.raw`(?:${COMPONENT}(?::[0-9]+/${COMPONENT})?|(?:${HOST})/${COMPONENT})(?:/${COMPONENT})*`;
/** A tag (a letter, digit or `_` first, then `.` and `-` too), variables read as above. */
const TAG_PIECE = String.raw`(?:[A-Za-z0-9_.-]|${BRACED}|${BARE}(?:${BRACED}|[.-]))`;
const TAG_TEXT = String.raw`(?:(?:[A-Za-z0-9_]|${BRACED}|${BARE}(?:${BRACED}|[.-]))${TAG_PIECE}*(?:${BARE})?|${BARE})`;
/** An image repository without a tag, possibly through variables ($CI_REGISTRY_IMAGE/app). */
export const REPOSITORY = String.raw`^${PATH}$`;
/** An image reference: a repository as above with an optional tag and digest, the digest written
 *  out or a variable (`$CIGEN_BUILT_IMAGE@$CIGEN_BUILT_DIGEST`: the job checks it once expanded). */
export const IMAGE_REFERENCE = String.raw`^${PATH}(?::${TAG_TEXT})?(?:@(?:sha256:[0-9a-f]{64}|${VARIABLE}))?$`;

/** What the `registries` input is, before what it says of the `registry` input (kaniko-compat has none). */
export const REGISTRIES_DESCRIPTION =
  'More credentials, one `{host, user, password}` item per registry, values as variable references ' +
  '(`{host: docker.io, user: $HUB_USER, password: $HUB_TOKEN}`); written to the same private config.json.';

export const CORE_INPUTS = {
  'job-name': {
    type: 'string',
    default: 'build-image',
    regex: NAME,
    description: 'Name of the build job, so that `needs:` and `extends:` elsewhere in the pipeline can refer to it.',
    sample: 'build app/api',
  },
  stage: {
    type: 'string',
    default: 'build',
    regex: NAME,
    description: 'Stage the job runs in.',
    sample: 'package',
  },
  context: {
    type: 'string',
    default: '.',
    regex: SINGLE_LINE,
    variable: 'CIGEN_CONTEXT',
    description:
      'Build context directory, relative to `$CI_PROJECT_DIR`. Passed to the builder as one argument, never evaluated by a shell.',
    sample: 'services/api dir',
  },
  dockerfile: {
    type: 'string',
    default: 'Dockerfile',
    regex: SINGLE_LINE,
    variable: 'CIGEN_DOCKERFILE',
    description: 'Dockerfile (or Containerfile), relative to the context.',
    sample: 'docker/Containerfile',
  },
  image: {
    type: 'string',
    default: '$CI_REGISTRY_IMAGE',
    regex: REPOSITORY,
    variable: 'CIGEN_IMAGE',
    description: 'Repository to push to, without a tag (lowercase, as image references are); the `tags` input names the tags.',
    sample: 'registry.example.com/group/api',
  },
  tags: {
    type: 'array',
    default: ['$CI_COMMIT_SHORT_SHA'],
    variable: 'CIGEN_TAGS',
    description:
      'Tags to push, one destination `<image>:<tag>` each. Items may reference variables (`$CI_COMMIT_REF_SLUG`); ' +
      'they are expanded as data when the job runs, and an item that expands to nothing is left out. ' +
      'May be empty when `tag-rules` gives the tags.',
    sample: ['1.2.3', '$CI_COMMIT_REF_SLUG'],
  },
  'tag-rules': {
    type: 'array',
    default: [],
    variable: 'CIGEN_TAG_RULES',
    description:
      'Tags computed when the job runs, added to `tags`: `ref` (branch slug, or the tag name), `sha`, ' +
      '`semver:{{major}}.{{minor}}` (`{{version}}` `{{major}}` `{{minor}}` `{{patch}}` of a `v1.2.3` tag; a pre-release gets ' +
      'only `{{version}}` patterns), `latest` (a stable version tag; the default branch when no `semver:` rule is given), ' +
      '`edge` (the default branch), `mr` (`mr-<iid>`), `schedule[:PATTERN]` (scheduled pipelines; `{{year}}` `{{month}}` ' +
      '`{{day}}` `{{hour}}` `{{minute}}` `{{sha}}`, default `nightly`), `raw:VALUE`. A rule that does not apply gives nothing.',
    sample: ['ref', 'sha', 'semver:{{version}}', 'semver:{{major}}.{{minor}}', 'latest', 'mr'],
  },
  'build-args': {
    type: 'array',
    default: [],
    variable: 'CIGEN_BUILD_ARGS',
    description: 'Build arguments, `KEY=VALUE` items. Values may reference variables; nothing is evaluated by a shell.',
    sample: ['VERSION=1.2.3', 'NOTE=a "quoted" value: with # and $(id)'],
  },
  target: {
    type: 'string',
    default: '',
    // A stage name, or variable references expanded when the job runs (`$TARGET`).
    regex: `^${TAG_PIECE}*(?:${BARE})?$`,
    variable: 'CIGEN_TARGET',
    description: 'Multi-stage target to build (may reference variables: `$TARGET`); empty builds the last stage.',
    sample: 'runtime',
  },
  labels: {
    type: 'array',
    default: [],
    variable: 'CIGEN_LABELS',
    description:
      'Extra image labels, `KEY=VALUE` items, added after the OCI labels computed from the pipeline (source, revision, created, title).',
    sample: ['org.example.team=platform'],
  },
  platform: {
    type: 'string',
    default: '',
    // A platform, or one variable reference checked when the job runs (a parallel: matrix variable).
    regex: String.raw`^(?:[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})?$`,
    variable: 'CIGEN_PLATFORM',
    description: 'Target platform such as `linux/arm64`; empty builds for the runner. One image; `platforms` builds an index.',
    sample: 'linux/arm64',
  },
  platforms: {
    type: 'array',
    default: [],
    variable: 'CIGEN_PLATFORMS',
    description:
      'Build one image per platform (`[linux/amd64, linux/arm64]`) and push them as one index (manifest list), in this job: ' +
      "RUN steps for a platform other than the runner's need QEMU (binfmt_misc) on the runner. buildah and buildkit; " +
      "the report gives the index digest, and each platform's with buildah.",
    sample: ['linux/amd64', 'linux/arm64'],
  },
  annotations: {
    type: 'array',
    default: [],
    variable: 'CIGEN_ANNOTATIONS',
    description:
      'Manifest annotations, `KEY=VALUE` items (`org.opencontainers.image.description=...`), beside `labels` (which go in the image ' +
      "config). buildah and buildkit; with `platforms`, on each platform's manifest.",
    sample: ['org.opencontainers.image.description=The app'],
  },
  secrets: {
    type: 'array',
    default: [],
    variable: 'CIGEN_SECRETS',
    description:
      'Build secrets for `RUN --mount=type=secret,id=NAME`: `id=NAME,env=VARIABLE` (a masked CI/CD variable) or ' +
      '`id=NAME,src=$FILE_VARIABLE` (a file-type one). Never in a layer, the log or the report. buildah, buildkit, dind.',
    sample: ['id=npmrc,src=$NPMRC', 'id=token,env=API_TOKEN'],
  },
  ssh: {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_SSH',
    description:
      "SSH for `RUN --mount=type=ssh`: `'true'` (quoted: the input is a string) forwards the job's agent (`$SSH_AUTH_SOCK`); " +
      'a variable holding a private key ' +
      '(PEM text, or a file-type variable; no passphrase) starts an agent with it for the build. buildah, buildkit, dind.',
    sample: '$DEPLOY_KEY',
    withoutIt: 'the build gets no SSH agent',
  },
  reproducible: {
    type: 'boolean',
    default: false,
    variable: 'CIGEN_REPRODUCIBLE',
    description:
      "Timestamps from the commit (`SOURCE_DATE_EPOCH` from `$CI_COMMIT_TIMESTAMP`, or the job's own `SOURCE_DATE_EPOCH`): " +
      'the same commit builds the same digest. buildah `--timestamp`, and no layer cache (`cache-repo` neither read nor ' +
      "written: a cached layer keeps another build's timestamps); buildkit `rewrite-timestamp`; kaniko `--reproducible` " +
      'sets every timestamp to zero instead, not the commit time. All pass `SOURCE_DATE_EPOCH` as a build argument.',
    sample: true,
  },
  push: {
    type: 'boolean',
    default: true,
    variable: 'CIGEN_PUSH',
    description:
      'Push the image. `false` builds only (and writes the tarball when one is asked for) and leaves the registry alone, cache included.',
    sample: false,
  },
  cache: {
    type: 'boolean',
    default: true,
    variable: 'CIGEN_CACHE',
    description: 'Registry layer cache in `cache-repo`: read on every build, written when pushing (buildah: not with `reproducible`).',
    sample: false,
  },
  'cache-repo': {
    type: 'string',
    default: '$CI_REGISTRY_IMAGE/cache',
    regex: REPOSITORY,
    variable: 'CIGEN_CACHE_REPO',
    description:
      'Repository that holds the layer cache. buildah and kaniko name an entry by its content; buildkit and dind write one ' +
      'tag per image (and `platform`) and branch, `buildkit-<image>-<branch>` and `dind-<image>-<branch>`, and read the ' +
      "default branch's too.",
    sample: 'registry.example.com/group/api/cache',
  },
  registry: {
    type: 'string',
    default: '$CI_REGISTRY',
    regex: String.raw`^[A-Za-z0-9$_{}.:\[\]-]*$`,
    variable: 'CIGEN_REGISTRY',
    description: 'Registry host the credentials below are for; empty uses none from inputs.',
    sample: 'registry.example.com',
  },
  'registry-user': {
    type: 'string',
    default: '$CI_REGISTRY_USER',
    regex: SINGLE_LINE,
    variable: 'CIGEN_REGISTRY_USER',
    description:
      "Registry user. Pass a variable reference. Written empty (`''`), these inputs give no credentials; " +
      'this one or `registry-password` empty while the other is not (a variable empty or unset in the job) stops the job.',
    sample: '$DEPLOY_USER',
  },
  'registry-password': {
    type: 'string',
    default: '$CI_REGISTRY_PASSWORD',
    regex: SINGLE_LINE,
    variable: 'CIGEN_REGISTRY_PASSWORD',
    description:
      'Registry password or token. Pass a (masked) variable reference, never the secret itself: ' +
      'it is read from the environment when the job runs, written to a mode-600 config.json and never printed.',
    sample: '$DEPLOY_TOKEN',
  },
  tarball: {
    type: 'string',
    default: '',
    regex: String.raw`^[A-Za-z0-9$_{}./-]*$`,
    variable: 'CIGEN_TARBALL',
    description:
      'Also save the image as a docker-archive tarball at this path, relative to `$CI_PROJECT_DIR`, named by every tag ' +
      '(buildah: by the first only, the one reference `buildah push` writes into an archive; the report names them, ' +
      '`CIGEN_BUILT_TARBALL_TAGS`); add it to `artifacts:paths` to keep it. Empty: no tarball.',
    sample: 'out/image.tar',
  },
  'tls-verify': {
    type: 'boolean',
    default: true,
    variable: 'CIGEN_TLS_VERIFY',
    description:
      'Require HTTPS and verify certificates when talking to registries, all of them. `false` is for test registries; ' +
      '`insecure-registries` names single hosts instead. (BuildKit: `false` covers the hosts the job names, the image, ' +
      'cache-repo, registries and mirrors; a `FROM` image on another host goes in `insecure-registries`.)',
    sample: false,
  },
  'registry-mirrors': {
    type: 'array',
    default: [],
    variable: 'CIGEN_REGISTRY_MIRRORS',
    description:
      'Pull through mirrors first: `REGISTRY=MIRROR[/path]` items, a bare `MIRROR[/path]` meaning `docker.io` ' +
      '(`mirror.example.com`, `quay.io=harbor.example.com/quay`). The registry itself is the fallback.',
    sample: ['mirror.example.com/hub', 'quay.io=harbor.example.com/quay'],
  },
  'dependency-proxy': {
    type: 'boolean',
    default: false,
    variable: 'CIGEN_DEPENDENCY_PROXY',
    description:
      "Pull Docker Hub images through the group's GitLab Dependency Proxy (`$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX`), " +
      'with its job credentials: no Docker Hub rate limit, no change to the Dockerfile.',
    sample: true,
  },
  'insecure-registries': {
    type: 'array',
    default: [],
    variable: 'CIGEN_INSECURE_REGISTRIES',
    description:
      'Hosts (`host[:port]`) reached over plain HTTP or without certificate checks; only these. Every other registry is verified.',
    sample: ['lab-registry.example.com:5000'],
  },
  'ca-certificates': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_CA_CERTIFICATES',
    description:
      'Certificates (PEM) to trust for registry connections, beside the system ones: a variable holding the PEM text, ' +
      'or a file-type variable (its path). E.g. `$COMPANY_CA`.',
    sample: '$COMPANY_CA',
    withoutIt: 'no certificates are trusted beside those trusted already',
  },
  registries: {
    type: 'array',
    default: [],
    variable: 'CIGEN_REGISTRIES',
    items: 'objects',
    description:
      `${REGISTRIES_DESCRIPTION} For hosts other than \`registry\`'s, whose credentials are \`registry-user\` and ` +
      '`registry-password`: an item for that host stops the job.',
    sample: [{ host: 'docker.io', user: '$HUB_USER', password: '$HUB_TOKEN' }],
  },
  'docker-config': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_DOCKER_CONFIG',
    description:
      'A docker config.json to start from: the path a file-type variable holds (`$DOCKER_CONFIG_FILE`). ' +
      'Its credentials, credHelpers and proxies are kept (a credsStore is not); the inputs above win for the same host.',
    sample: '$DOCKER_CONFIG_FILE',
    withoutIt: 'no config.json is started from',
  },
  'registry-login': {
    type: 'string',
    default: 'none',
    options: ['none', 'ecr', 'gar', 'acr'],
    variable: 'CIGEN_REGISTRY_LOGIN',
    description:
      "Short-lived credentials for the registry of `image`, obtained with the job's GitLab OIDC token (`id_tokens`), no stored key: " +
      '`ecr` (Amazon ECR: `aws-role-arn`, `aws-region`), `gar` (Google Artifact Registry: `gcp-workload-identity-provider`, ' +
      'optionally `gcp-service-account`), `acr` (Azure Container Registry: `azure-tenant-id`, `azure-client-id`). ' +
      'See docs/registry-login.md.',
    sample: 'ecr',
  },
  'oidc-audience': {
    type: 'string',
    default: '$CI_SERVER_URL',
    // Placed as a plain scalar (id_tokens: aud), so a narrow set: no space, no `#`, no trailing `:`.
    regex: String.raw`^[A-Za-z0-9$/](?:[A-Za-z0-9$_{}.:/@-]*[A-Za-z0-9$_{}./@-])?$`,
    description:
      "Audience (`aud`) of the job's OIDC token for `registry-login`: what the cloud's trust expects " +
      "(the audience of the AWS IAM OIDC provider, the Google workload identity provider's allowed audience, `api://AzureADTokenExchange` for Azure).",
    sample: 'https://gitlab.example.com',
  },
  'aws-role-arn': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_AWS_ROLE_ARN',
    description: 'For `registry-login: ecr`: the IAM role to assume with the OIDC token (`arn:aws:iam::123456789012:role/ci-push`).',
    sample: 'arn:aws:iam::123456789012:role/ci-push',
  },
  'aws-region': {
    type: 'string',
    default: '',
    regex: `^(?:[a-z0-9-]*|${VARIABLE})$`,
    variable: 'CIGEN_AWS_REGION',
    description:
      "For `registry-login: ecr`: the registry's region (`eu-west-1`); " +
      'empty takes it from the `image` host (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`).',
    sample: 'eu-west-1',
  },
  'gcp-workload-identity-provider': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_GCP_WORKLOAD_IDENTITY_PROVIDER',
    description:
      'For `registry-login: gar`: the workload identity provider, ' +
      '`projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` (with or without `//iam.googleapis.com/`).',
    sample: 'projects/123456789012/locations/global/workloadIdentityPools/gitlab/providers/gitlab',
  },
  'gcp-service-account': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_GCP_SERVICE_ACCOUNT',
    description:
      'For `registry-login: gar`: a service account to impersonate (`ci@project.iam.gserviceaccount.com`); ' +
      'empty uses the federated identity itself.',
    sample: 'ci@project.iam.gserviceaccount.com',
  },
  'azure-tenant-id': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_AZURE_TENANT_ID',
    description: 'For `registry-login: acr`: the Microsoft Entra tenant (directory) id.',
    sample: '00000000-0000-0000-0000-000000000001',
  },
  'azure-client-id': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_AZURE_CLIENT_ID',
    description: 'For `registry-login: acr`: the application (client) id whose federated credential trusts this project.',
    sample: '00000000-0000-0000-0000-000000000002',
  },
  'push-retries': {
    type: 'number',
    default: 3,
    variable: 'CIGEN_PUSH_RETRIES',
    description: 'Retries for a push that fails (a registry that is briefly down, a 5xx, a dropped connection).',
    sample: 5,
  },
} as const satisfies Record<string, InputDeclaration>;

export type CoreInputName = keyof typeof CORE_INPUTS;

/** The `job-name` input of a component whose job is not a build (the same rule), in its own words:
 *  GitLab's catalog page shows the description. */
export function jobNameInput(job: string, defaultName: string, sample: string): InputDeclaration {
  return {
    ...CORE_INPUTS['job-name'],
    default: defaultName,
    description: `Name of the ${job} job, so that \`needs:\` and \`extends:\` elsewhere in the pipeline can refer to it.`,
    sample,
  };
}

/** The image a builder's job runs in: its default is the builder's pinned image. */
export function builderImageInput(image: string, sample: string): InputDeclaration {
  return {
    type: 'string',
    default: image,
    regex: IMAGE_REFERENCE,
    description: 'Image the job runs in; pinned. Point it at a mirror or a digest if you need to.',
    sample,
  };
}

/** The key order of the vocabulary (spec order, migrate's include entries). */
export const VOCABULARY_ORDER: readonly string[] = [...Object.keys(CORE_INPUTS), 'builder-image'];

/** The shell variable a declared input is read into (cigen_build_args for build-args). */
export const shellName = (input: string): string => `cigen_${input.replace(/-/g, '_')}`;

/** Non-default values of every input of a set. */
export const sampleValues = (inputs: InputDeclarations): Record<string, InputValue> =>
  Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.sample]));

/** The `spec:inputs` entry GitLab reads for a declaration (the extra fields stay cigen's). */
export function specEntry(input: InputDeclaration): Record<string, unknown> {
  return {
    description: input.description,
    type: input.type,
    default: input.default,
    ...(input.options ? { options: input.options } : {}),
    ...(input.regex ? { regex: input.regex } : {}),
  };
}
