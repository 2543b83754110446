/**
 * The layers of cigen, enforced (`npm run lint`). Dependencies run one way:
 *
 *   cli -> features (lint, migrate, init, bot, generate, publish, supply) -> catalog -> runner -> builders -> ci
 *
 * A feature never imports another feature: what two features share moves down (into ci/ or a
 * shared lower module), and what one needs of another is handed to it by cli/wiring/.
 * See docs/architecture.md.
 */
const FEATURES = ['lint', 'migrate', 'init', 'bot', 'generate', 'publish', 'supply'];
const LOWER = {
  ci: [],
  builders: ['ci'],
  runner: ['builders', 'ci'],
  catalog: ['runner', 'builders', 'ci'],
};

const dir = (name) => `^src/${name}/`;
const outside = (allowed) => `^src/(?!(?:${allowed.join('|')})/)[^/]+/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules cannot be understood apart.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (entry points and declarations excepted).',
      from: { orphan: true, pathNot: ['^src/cli/(main|lint-main)\\.ts$', '\\.d\\.[cm]?ts$', '^src/tooling/'] },
      to: {},
    },
    ...Object.entries(LOWER).map(([layer, allowed]) => ({
      name: `${layer}-stays-low`,
      severity: 'error',
      comment: `src/${layer}/ may import only ${[layer, ...allowed].map((l) => `src/${l}/`).join(', ')} and src/errors.ts.`,
      from: { path: dir(layer) },
      to: { path: outside([layer, ...allowed]) },
    })),
    ...FEATURES.map((feature) => ({
      name: `${feature}-is-a-feature`,
      severity: 'error',
      comment:
        `src/${feature}/ may import its own modules and the lower layers (catalog, runner, builders, ci), ` +
        'never another feature or the CLI.',
      from: { path: dir(feature) },
      to: { path: outside([feature, ...Object.keys(LOWER)]) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json', '.cjs'] },
  },
};
