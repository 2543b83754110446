import { BUILDER_IDS } from '../../src/builders/index.js';

/** The option sets every builder is proven with (golden files, argv contracts, e2e). */
export const OPTION_SETS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'cache-off': { cache: false },
  'push-off': { push: false, tarball: 'out/image.tar' },
  'build-args-target-labels': {
    'build-args': ['VERSION=1.2.3', 'PROXY=$HTTP_PROXY'],
    target: 'runtime',
    labels: ['org.example.team=platform', 'org.opencontainers.image.title=Custom'],
  },
  'two-tags': { tags: ['$CI_COMMIT_SHORT_SHA', 'latest'] },
  platform: { platform: 'linux/arm64' },
};

/** Every builder component: the list is the builders' own (src/builders/index.ts). */
export const COMPONENTS = BUILDER_IDS;

export const shellFor = (component: string): 'bash' | 'busybox' => (component.startsWith('buildah') ? 'bash' : 'busybox');
