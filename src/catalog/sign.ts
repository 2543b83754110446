/** The `sign` component: `cigen sign` on the image a build job pushed (src/catalog/supply-chain.ts). */
import readme from '../../components/sign/README.md.hbs';
import type { ComponentDefinition } from './component.js';
import { attestInputs, attestJobs, CLI_IMAGE } from './supply-chain.js';

export const signComponent: ComponentDefinition = {
  name: 'sign',
  title: 'Sign (Sigstore, keyless or with a key)',
  summary:
    "Signs a pushed image by digest, keylessly with the job's GitLab identity or with a key; " +
    'the signature is stored where cosign verify finds it.',
  unsafe: false,
  images: [CLI_IMAGE],
  inputs: attestInputs('sign'),
  jobs: () => attestJobs('sign'),
  readme,
  usage: { 'build-job': 'build-image' },
};
