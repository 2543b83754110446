/** The `verify` component: `cigen verify` in a deploy job, so that only a signed, attested image goes on (src/catalog/supply-chain.ts). */
import readme from '../../components/verify/README.md.hbs';
import type { ComponentDefinition } from './component.js';
import { CLI_IMAGE, VERIFY_INPUTS, verifyJobs } from './supply-chain.js';

export const verifyComponent: ComponentDefinition = {
  name: 'verify',
  title: 'Verify (admit only signed, attested images)',
  summary:
    'Checks the signature, SBOM and provenance of an image by digest against the identity (project, ref, issuer) ' +
    'or key that must have signed; ' +
    'fails the job with the reason.',
  unsafe: false,
  images: [CLI_IMAGE],
  inputs: VERIFY_INPUTS,
  jobs: verifyJobs,
  readme,
  usage: { 'ref-pattern': 'refs/heads/main' },
};
