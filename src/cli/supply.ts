/**
 * The supply-chain commands (sign, sbom, provenance, verify), registered on the program by
 * main.ts; each loads its module (and the Sigstore libraries) only when it runs.
 */
import { Option, type Command } from 'commander';
import type { AttestCommandOptions } from './commands/attest.js';
import type { VerifyCommandOptions } from './commands/verify.js';

/** Where a private CA goes: Node.js reads it when it starts, for the registry and the Sigstore services alike. */
const TLS_HELP =
  'A registry (or a private Sigstore) whose certificate a private CA signed: give that CA (PEM file) in NODE_EXTRA_CA_CERTS.\n' +
  'Registries are spoken to over HTTPS, certificates checked; plain HTTP only on the loopback interface (localhost, 127.0.0.1).\n';

const SIGNING_HELP =
  '\nKeyless signing takes the OIDC token from SIGSTORE_ID_TOKEN (a GitLab id_tokens entry with aud: sigstore); with --key,\n' +
  'the key password comes from CIGEN_KEY_PASSWORD. Registry credentials come from the docker config.json\n' +
  '($DOCKER_CONFIG, $REGISTRY_AUTH_FILE or ~/.docker). Nothing secret is read from the command line.\n' +
  TLS_HELP +
  'Exit codes: 0 attached, 1 refused (a service or the registry said no), 2 usage, 74 a file could not be written\n' +
  '(checked before anything is signed; one that still fails after is named, with what was attached).';

function signingOptions(command: Command): Command {
  return command
    .argument('<image>', 'the image by digest, REGISTRY/REPOSITORY@sha256:...')
    .option('--key <file>', 'sign with this private key (PEM, PKCS#8, encrypted or not) instead of keylessly')
    .option('--fulcio-url <url>', 'Fulcio (keyless certificates)', 'https://fulcio.sigstore.dev')
    .option('--rekor-url <url>', 'Rekor (the transparency log)', 'https://rekor.sigstore.dev')
    .option('--tsa-url <url>', 'a Sigstore timestamp authority (its JSON API, not a plain RFC 3161 server); none by default')
    .option('--report <file>', 'write a dotenv report of what was attached (CIGEN_SIGNATURE_REF, CIGEN_SBOM_REFS, CIGEN_PROVENANCE_REF)');
}

export function registerSupplyCommands(program: Command): void {
  signingOptions(
    program
      .command('sign')
      .description('sign an image by digest and attach the signature to it in its registry, where cosign verify finds it'),
  )
    .addHelpText(
      'after',
      `${SIGNING_HELP}\n\nExamples:\n  cigen sign registry.example.com/group/app@sha256:<digest>\n` +
        '  CIGEN_KEY_PASSWORD=... cigen sign --key cosign.key registry.example.com/group/app@sha256:<digest>',
    )
    .action(async (image: string, options: AttestCommandOptions) => {
      const { runAttest } = await import('./commands/attest.js');
      await runAttest('signature', image, options);
    });
  signingOptions(
    program
      .command('sbom')
      .description("make a CycloneDX SBOM of each platform's image with Trivy, keep it as a file, and attach it signed as an attestation"),
  )
    .option('--generator <program>', 'the Trivy program', 'trivy')
    .option('--output-dir <dir>', 'where the SBOMs are written (one <platform>.cdx.json each)', 'cigen-sbom')
    .addHelpText('after', `${SIGNING_HELP}\n\nExamples:\n  cigen sbom registry.example.com/group/app@sha256:<digest> --output-dir sbom`)
    .action(async (image: string, options: AttestCommandOptions) => {
      const { runAttest } = await import('./commands/attest.js');
      await runAttest('sbom', image, options);
    });
  signingOptions(
    program
      .command('provenance')
      .description("attach a signed SLSA v1 provenance statement built from the pipeline's predefined variables"),
  )
    .option('--component <name>', 'the component that built the image (recorded in the provenance)', '')
    .option('--output <file>', 'also write the statement to this file', 'cigen-provenance.json')
    .addHelpText(
      'after',
      `${SIGNING_HELP}\n\nExamples:\n  cigen provenance registry.example.com/group/app@sha256:<digest> --component buildah`,
    )
    .action(async (image: string, options: AttestCommandOptions) => {
      const { runAttest } = await import('./commands/attest.js');
      await runAttest('provenance', image, options);
    });
  program
    .command('verify')
    .description("check an image's signature and attestations against who must have signed it; exit 1 with the reason when they fail")
    .argument('<image>', 'the image by digest, REGISTRY/REPOSITORY@sha256:...')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer of a keyless signature: your GitLab, e.g. https://gitlab.com')
    .option('--certificate-identity <uri>', 'the exact identity: <server>/<project>//<CI config path>@<ref>')
    .option('--certificate-identity-regexp <regexp>', 'the identity as a regular expression the whole identity must match')
    .option(
      '--project <path>',
      "the project that must have signed (with the issuer): any CI config, its own or another project's, any ref unless --ref-pattern",
    )
    .option('--ref-pattern <regexp>', 'with --project: the refs allowed (the whole ref), e.g. refs/heads/main or refs/tags/v.*')
    .option('--key <file>', 'a public key (PEM) the image must be signed with, instead of an identity')
    .option(
      '--require <kinds>',
      'attestations that must be there too: sbom, provenance (comma-separated, repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      '--protected-ref',
      'the provenance must say the image was built from a protected branch or tag ' +
        '(needs --project with --ref-pattern, or --certificate-identity; refused with --key, which proves no ref)',
    )
    .option('--policy <file>', 'a policy file (YAML or JSON: identity, key, require, protected-ref); a flag replaces its part of it')
    .option(
      '--trusted-root <file>',
      "a private Sigstore's trusted root (trusted_root.json, not its TUF root.json); default: the public Sigstore's, through TUF",
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `\nRegistry credentials come from the docker config.json ($DOCKER_CONFIG, $REGISTRY_AUTH_FILE or ~/.docker).\n${TLS_HELP}` +
        'Exit codes: 0 verified, 1 refused (each reason on a line) or a file refused (a --policy mistake at FILE:LINE:COLUMN,\n' +
        'a key it names that cannot be read or is none included; a --key or --trusted-root that is none), 2 usage (a --policy,\n' +
        '--key or --trusted-root that cannot be read included).\n\nExamples:\n' +
        '  cigen verify registry.example.com/group/app@sha256:<digest> --certificate-oidc-issuer https://gitlab.example.com \\\n' +
        "      --project group/app --ref-pattern 'refs/heads/main' --require sbom,provenance --protected-ref\n" +
        '  cigen verify registry.example.com/group/app@sha256:<digest> --key cosign.pub\n' +
        '  cigen verify registry.example.com/group/app@sha256:<digest> --policy deploy-policy.yml',
    )
    .action(async (image: string, options: VerifyCommandOptions) => {
      const { runVerify } = await import('./commands/verify.js');
      await runVerify(image, options);
    });
}
