/**
 * The supply-chain jobs, as catalog data (pure): the `sign`, `sbom`, `provenance` and `verify`
 * components, and the same jobs added to a builder component by its `sign`, `sbom` and
 * `provenance` inputs. Every job runs the cigen CLI image (pinned to this catalog's version) and
 * hands its inputs to `cigen sign|sbom|provenance|verify` as data; the signing itself is
 * src/supply's, at run time.
 */
import caScript from '../../components/sign/ca.sh.hbs';
import attestScript from '../../components/sign/script.sh.hbs';
import verifyScript from '../../components/verify/script.sh.hbs';
import {
  CORE_INPUTS,
  jobNameInput,
  IMAGE_REFERENCE,
  SINGLE_LINE,
  type InputDeclaration,
  type InputDeclarations,
} from '../builders/inputs.js';
import { shellLibrary, readLines, renderScript } from '../builders/script.js';
import { inputRef } from '../builders/spec.js';
import { inputVariables, plain } from '../builders/variables.js';
import { CATALOG_PATH, CATALOG_VERSION } from '../ci/component-ref.js';
import { Literal, type Job, type Jobs } from '../ci/model.js';

/** The cigen CLI image this catalog version publishes (docs/supply-chain.md, "Where cigen lives"). */
export const CLI_IMAGE = `$CI_REGISTRY/${CATALOG_PATH}/cli:${CATALOG_VERSION}`;
export const CLI_IMAGE_SAMPLE = `registry.example.com/${CATALOG_PATH}/cli@sha256:${'0123456789abcdef'.repeat(4)}`;
const URL = String.raw`^(?:https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~/-]*)?)?$`;
/** A path or PEM text from a (file-type) variable: a reference or a path, one line. */
const FROM_VARIABLE = String.raw`^[A-Za-z0-9$_{}./-]*$`;

export const SUPPLY_REPORTS = { sign: 'cigen-sign.env', sbom: 'cigen-sbom.env', provenance: 'cigen-provenance.env' } as const;
export const SBOM_DIR = 'cigen-sbom';
export const PROVENANCE_FILE = 'cigen-provenance.json';

/** How every supply-chain job signs: one declaration each, shared by the components and the builder toggles. */
export const SIGNING_INPUTS = {
  'cli-image': {
    type: 'string',
    default: CLI_IMAGE,
    regex: IMAGE_REFERENCE,
    description:
      "The cigen CLI image the job runs, pinned to this catalog's version; a mirror of it or a digest (`...@sha256:...`) if you need to.",
    sample: CLI_IMAGE_SAMPLE,
  },
  'fulcio-url': {
    type: 'string',
    default: 'https://fulcio.sigstore.dev',
    regex: URL,
    variable: 'CIGEN_FULCIO_URL',
    description: "Fulcio, which certifies the job's OIDC identity for keyless signing: the public one, or your private Sigstore's.",
    sample: 'https://fulcio.sigstore.example.com',
  },
  'rekor-url': {
    type: 'string',
    default: 'https://rekor.sigstore.dev',
    regex: URL,
    variable: 'CIGEN_REKOR_URL',
    description: 'Rekor, the transparency log every signature is recorded in (as cosign does).',
    sample: 'https://rekor.sigstore.example.com',
  },
  'tsa-url': {
    type: 'string',
    default: '',
    regex: URL,
    variable: 'CIGEN_TSA_URL',
    description:
      'A Sigstore timestamp authority to countersign each signature (its JSON API, `/api/v1/timestamp` when the URL has no path; ' +
      "a plain RFC 3161 server is not one); empty: Rekor's time only.",
    sample: 'https://tsa.sigstore.example.com',
  },
  'signing-key': {
    type: 'string',
    default: '',
    regex: FROM_VARIABLE,
    variable: 'CIGEN_SIGNING_KEY',
    description:
      'Sign with a key instead of keylessly: a file-type variable holding the private key (PEM, PKCS#8, encrypted), ' +
      'e.g. `$COSIGN_KEY`. Empty: keyless.',
    sample: '$COSIGN_KEY',
  },
  'signing-key-password': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_SIGNING_KEY_PASSWORD',
    description: "The key's password, as a masked variable reference (`$COSIGN_PASSWORD`); never printed, never on a command line.",
    sample: '$COSIGN_PASSWORD',
  },
  'sigstore-audience': {
    type: 'string',
    default: 'sigstore',
    regex: String.raw`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`,
    description: "Audience of the job's OIDC token (`id_tokens`) that Fulcio accepts: `sigstore` for the public one.",
    sample: 'sigstore',
  },
} as const satisfies Record<string, InputDeclaration>;

const REGISTRY_INPUTS = {
  registry: CORE_INPUTS.registry,
  'registry-user': CORE_INPUTS['registry-user'],
  'registry-password': CORE_INPUTS['registry-password'],
  registries: CORE_INPUTS.registries,
  'docker-config': CORE_INPUTS['docker-config'],
  'ca-certificates': {
    ...CORE_INPUTS['ca-certificates'],
    description:
      "Certificates (PEM) cigen trusts beside the system ones, for the registry and a private Sigstore's services: " +
      'a variable holding the PEM text, or a file-type variable (its path). E.g. `$COMPANY_CA`.',
  },
} as const satisfies InputDeclarations;

/** A builder's inputs its sign, sbom and provenance jobs read: the credentials the build pushed with,
 *  the CA it trusted, and what cannot work there: registry-login, whose short-lived credentials only
 *  the build job has, and a registry reached without TLS checks (insecure-registries, tls-verify). */
const BUILDER_REGISTRY_INPUTS = {
  ...REGISTRY_INPUTS,
  'registry-login': CORE_INPUTS['registry-login'],
  'insecure-registries': CORE_INPUTS['insecure-registries'],
  'tls-verify': CORE_INPUTS['tls-verify'],
} as const satisfies InputDeclarations;

/** The shell that hands the ca-certificates input to cigen (NODE_EXTRA_CA_CERTS), in every supply-chain job. */
const caCertificates = (): string => renderScript(caScript);

const imageRef = (description: string): InputDeclaration => ({
  type: 'string',
  default: '$CIGEN_BUILT_REF',
  regex: IMAGE_REFERENCE,
  variable: 'CIGEN_IMAGE_REF',
  description,
  sample: `registry.example.com/group/api@sha256:${'ab'.repeat(32)}`,
});

const buildJob: InputDeclaration = {
  ...CORE_INPUTS['job-name'],
  default: 'build-image',
  description:
    'The build job (its `job-name`) whose dotenv report names the image: this job `needs:` it (optionally: without it, ' +
    'give `image-ref`).',
  sample: 'build app/api',
};

export type AttestKind = 'sign' | 'sbom' | 'provenance';

const ATTEST_TEXT: Record<AttestKind, { name: string; job: string; what: string }> = {
  sign: { name: 'signing', job: 'sign-image', what: 'the image to sign, by digest' },
  sbom: { name: 'SBOM', job: 'sbom-image', what: 'the image to make an SBOM of, by digest' },
  provenance: { name: 'provenance', job: 'provenance-image', what: 'the image the provenance is about, by digest' },
};

export const attestInputs = (kind: AttestKind): InputDeclarations => ({
  'job-name': jobNameInput(ATTEST_TEXT[kind].name, ATTEST_TEXT[kind].job, `${kind}:app`),
  stage: { ...CORE_INPUTS.stage, default: 'build', sample: 'attest' },
  'build-job': buildJob,
  'image-ref': imageRef(`The image: ${ATTEST_TEXT[kind].what} (\`$CIGEN_BUILT_REF\` from the build job's report).`),
  ...SIGNING_INPUTS,
  ...REGISTRY_INPUTS,
});

/** Only what the job's shell reads: the variables. */
const withVariables = (inputs: InputDeclarations): InputDeclarations =>
  Object.fromEntries(Object.entries(inputs).filter(([, input]) => input.variable));

/** The shell of an attesting job: the inputs it reads as data, then `cigen <kind>`. */
export function attestScriptFor(kind: AttestKind, reads: InputDeclarations, builder: string): string {
  return renderScript(attestScript, {
    component: builder || kind,
    kind,
    [kind]: true,
    builder,
    report: SUPPLY_REPORTS[kind],
    sbomDir: SBOM_DIR,
    provenanceFile: PROVENANCE_FILE,
    reads: readLines(withVariables(reads)),
    caCertificates: caCertificates(),
  });
}

interface AttestJobOptions {
  /** Every input that travels in a variable to the job (a builder's own: provenance records them). */
  inputs: InputDeclarations;
  /** The builder whose switch added the job; empty for the standalone components. */
  builder: string;
  needs: Job['needs'];
  extra?: Partial<Job>;
}

function attestJob(kind: AttestKind, options: AttestJobOptions): Job {
  const artifacts =
    kind === 'sbom'
      ? { when: 'always' as const, paths: [SBOM_DIR], reports: { dotenv: SUPPLY_REPORTS[kind] } }
      : kind === 'provenance'
        ? { when: 'always' as const, paths: [PROVENANCE_FILE], reports: { dotenv: SUPPLY_REPORTS[kind] } }
        : { reports: { dotenv: SUPPLY_REPORTS[kind] } };
  return {
    stage: plain(inputRef('stage')),
    image: { name: plain(inputRef('cli-image')), entrypoint: [''] },
    needs: options.needs,
    ...options.extra,
    variables: inputVariables(options.inputs),
    // Keyless signing: the job's OIDC token for Fulcio. Read by cigen from the environment, never printed.
    id_tokens: { SIGSTORE_ID_TOKEN: { aud: plain(inputRef('sigstore-audience')) } },
    script: [
      shellLibrary(),
      new Literal(
        attestScriptFor(kind, options.builder ? { ...SIGNING_INPUTS, ...BUILDER_REGISTRY_INPUTS } : options.inputs, options.builder),
      ),
    ],
    artifacts,
  };
}

export const attestJobs = (kind: AttestKind): Jobs => ({
  [plain(inputRef('job-name'))]: attestJob(kind, {
    inputs: attestInputs(kind),
    builder: '',
    needs: [{ job: plain(inputRef('build-job')), artifacts: true, optional: true }],
  }),
});

/** Declarations as a builder component takes them: they reach the switches' jobs, not the build's shell. */
const notForTheBuild = (inputs: Record<string, InputDeclaration>): InputDeclarations =>
  Object.fromEntries(Object.entries(inputs).map(([name, { variable: _variable, ...input }]) => [name, input]));

/** A builder component's switches, and the signing settings of the jobs they add. */
export const TOGGLE_INPUTS: InputDeclarations = notForTheBuild({
  sign: {
    type: 'boolean',
    default: false,
    description: "Also sign the pushed image (keyless with the job's OIDC token, or `signing-key`), in a job `<job-name>:sign`.",
    sample: true,
  },
  sbom: {
    type: 'boolean',
    default: false,
    description:
      'Also make a CycloneDX SBOM of the pushed image (Trivy), kept as an artifact and attached signed, in a job `<job-name>:sbom`.',
    sample: true,
  },
  provenance: {
    type: 'boolean',
    default: false,
    description:
      'Also attach a signed SLSA v1 provenance statement (pipeline, commit, runner, this component and its inputs), ' +
      'in a job `<job-name>:provenance`.',
    sample: true,
  },
  ...SIGNING_INPUTS,
});

const TOGGLE_ORDER: readonly AttestKind[] = ['sign', 'sbom', 'provenance'];

/** The build inputs a provenance statement records: what shapes the image (and where it goes), as
 *  written; never a credential, nor secrets or ssh (what a build may read but must not keep). */
export const PROVENANCE_INPUTS: readonly string[] = [
  'image',
  'tags',
  'tag-rules',
  'context',
  'dockerfile',
  'build-args',
  'target',
  'labels',
  'annotations',
  'platform',
  'platforms',
  'reproducible',
  'push',
  'cache',
  'cache-repo',
  'tarball',
];

/**
 * The jobs a builder component adds for its `sign`, `sbom` and `provenance` inputs: each runs only
 * when its input is true, after the build (its dotenv report names the image) and after the ones
 * before it, so that no two of them update the image's referrers at once (a registry without the
 * referrers API keeps them in one index per digest).
 */
export function toggleJobs(builder: string, buildInputs: InputDeclarations): Jobs {
  const signing = withVariables({ ...SIGNING_INPUTS, ...BUILDER_REGISTRY_INPUTS });
  const recorded = Object.fromEntries(PROVENANCE_INPUTS.flatMap((name) => (buildInputs[name] ? [[name, buildInputs[name]]] : [])));
  const jobs: Jobs = {};
  TOGGLE_ORDER.forEach((kind, index) => {
    jobs[`${plain(inputRef('job-name'))}:${kind}`] = attestJob(kind, {
      inputs: kind === 'provenance' ? { ...withVariables(recorded), ...signing } : signing,
      builder,
      needs: [
        { job: plain(inputRef('job-name')), artifacts: true },
        ...TOGGLE_ORDER.slice(0, index).map((before) => ({
          job: `${plain(inputRef('job-name'))}:${before}`,
          artifacts: false,
          optional: true,
        })),
      ],
      extra: { rules: [{ if: `"${inputRef(kind).block}" == "true"` }] },
    });
  });
  return jobs;
}

export const VERIFY_INPUTS: InputDeclarations = {
  'job-name': jobNameInput('verification', 'verify-image', 'verify:app'),
  stage: {
    ...CORE_INPUTS.stage,
    default: 'deploy',
    description:
      'Stage the job runs in: after the build and every signing and attestation job (it has no `needs:`, so it waits for ' +
      'the earlier stages and gets their reports).',
    sample: 'release',
  },
  'image-ref': imageRef("The image to verify, by digest (`$CIGEN_BUILT_REF`, from the build job's report in an earlier stage)."),
  'cli-image': SIGNING_INPUTS['cli-image'],
  'certificate-oidc-issuer': {
    type: 'string',
    default: '$CI_SERVER_URL',
    regex: String.raw`^[A-Za-z0-9$_{}:/.-]*$`,
    variable: 'CIGEN_ISSUER',
    description:
      'The OIDC issuer of a keyless signature: this GitLab (`$CI_SERVER_URL`). Not with `key`: set to anything else beside it, ' +
      'the job stops (a key or an identity, not both).',
    sample: 'https://gitlab.example.com',
  },
  project: {
    type: 'string',
    default: '$CI_PROJECT_PATH',
    regex: String.raw`^[A-Za-z0-9$_{}./-]*$`,
    variable: 'CIGEN_PROJECT',
    description:
      'The project whose pipelines must have signed (keyless). Not with `key`: set to anything else beside it, the job stops ' +
      '(a key or an identity, not both).',
    sample: 'platform/api',
  },
  'ref-pattern': {
    type: 'string',
    default: '',
    regex: SINGLE_LINE,
    variable: 'CIGEN_REF_PATTERN',
    description:
      'The refs allowed to have signed, a regular expression matched against the whole ref (`refs/heads/main`, `refs/tags/v.*`; ' +
      'a leading `^` and a trailing `$` may be written); empty: any branch or tag. Not with `key` (a key names no ref): ' +
      'set beside it, the job stops.',
    sample: 'refs/heads/main',
  },
  key: {
    type: 'string',
    default: '',
    regex: FROM_VARIABLE,
    variable: 'CIGEN_VERIFY_KEY',
    description:
      'Verify against a public key instead of an identity: a (file-type) variable holding it (PEM), e.g. `$COSIGN_PUBLIC_KEY`. ' +
      'It goes with `require`, `policy` and `trusted-root`; leave `certificate-oidc-issuer` and `project` at their defaults, ' +
      '`ref-pattern` empty and `protected-ref` false: `cigen verify` refuses them beside a key, and the job stops.',
    sample: '$COSIGN_PUBLIC_KEY',
  },
  require: {
    type: 'array',
    default: ['sbom', 'provenance'],
    variable: 'CIGEN_REQUIRE',
    description: 'Attestations that must be attached and valid besides the signature: `sbom`, `provenance`.',
    sample: ['provenance'],
  },
  'protected-ref': {
    type: 'boolean',
    default: false,
    variable: 'CIGEN_PROTECTED_REF',
    description:
      'The provenance must say the image was built from a protected branch or tag; it needs `ref-pattern` ' +
      '(a job can claim protection for itself; the certificate proves the ref), and is refused with `key` (a key proves no ref).',
    sample: true,
  },
  policy: {
    type: 'string',
    default: '',
    regex: FROM_VARIABLE,
    variable: 'CIGEN_POLICY',
    description:
      'A policy file (YAML: identity, key, require, protected-ref), a path in the project or a file-type variable. ' +
      'The key, issuer, project and ref-pattern inputs replace what it says only where set to other than their defaults; ' +
      'require and protected-ref add to it.',
    sample: 'deploy/policy.yml',
  },
  'trusted-root': {
    type: 'string',
    default: '',
    regex: FROM_VARIABLE,
    variable: 'CIGEN_TRUSTED_ROOT',
    description: "A private Sigstore's trusted root (JSON), as a file-type variable; empty: the public Sigstore's.",
    sample: '$SIGSTORE_TRUSTED_ROOT',
  },
  ...REGISTRY_INPUTS,
};

export const verifyJobs = (): Jobs => ({
  [plain(inputRef('job-name'))]: {
    stage: plain(inputRef('stage')),
    image: { name: plain(inputRef('cli-image')), entrypoint: [''] },
    // No needs: it waits for every job of the earlier stages, the signing and attestation jobs
    // included (with needs: on the build alone it could run before they attached anything).
    variables: inputVariables(VERIFY_INPUTS),
    script: [
      shellLibrary(),
      new Literal(
        renderScript(verifyScript, {
          component: 'verify',
          reads: readLines(withVariables(VERIFY_INPUTS)),
          caCertificates: caCertificates(),
          // A policy file's identity is replaced only by inputs set to something else than these.
          issuerDefault: singleQuoted(VERIFY_INPUTS['certificate-oidc-issuer']?.default),
          projectDefault: singleQuoted(VERIFY_INPUTS.project?.default),
        }),
      ),
    ],
  },
});

/** A default as a single-quoted shell word (the defaults quoted are plain strings, `$CI_SERVER_URL`). */
function singleQuoted(value: unknown): string {
  if (typeof value !== 'string' || value.includes("'")) throw new Error(`not a default a script can quote: ${String(value)}`);
  return `'${value}'`;
}
