/** The `sbom` component: `cigen sbom` on the image a build job pushed (src/catalog/supply-chain.ts). */
import readme from '../../components/sbom/README.md.hbs';
import type { ComponentDefinition } from './component.js';
import { attestInputs, attestJobs, CLI_IMAGE } from './supply-chain.js';

export const sbomComponent: ComponentDefinition = {
  name: 'sbom',
  title: 'SBOM (CycloneDX, by Trivy, attested)',
  summary:
    'Makes a CycloneDX SBOM of a pushed image (per platform) with Trivy, keeps it as an artifact and attaches it signed, ' +
    'for cosign verify-attestation.',
  unsafe: false,
  images: [CLI_IMAGE],
  inputs: attestInputs('sbom'),
  jobs: () => attestJobs('sbom'),
  readme,
  usage: { 'build-job': 'build-image' },
};
