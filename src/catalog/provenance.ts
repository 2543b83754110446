/** The `provenance` component: `cigen provenance` on the image a build job pushed (src/catalog/supply-chain.ts). */
import readme from '../../components/provenance/README.md.hbs';
import type { ComponentDefinition } from './component.js';
import { attestInputs, attestJobs, CLI_IMAGE } from './supply-chain.js';

export const provenanceComponent: ComponentDefinition = {
  name: 'provenance',
  title: 'Provenance (SLSA v1, attested)',
  summary: 'Attaches a signed SLSA v1 provenance statement to a pushed image: project, commit, ref, pipeline, job, runner.',
  unsafe: false,
  images: [CLI_IMAGE],
  inputs: attestInputs('provenance'),
  jobs: () => attestJobs('provenance'),
  readme,
  usage: { 'build-job': 'build-image' },
};
