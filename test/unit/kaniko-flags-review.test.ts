/** Kaniko's flag table says what the components and kaniko-compat do: reasons true to the inputs they name. */
import { describe, expect, it } from 'vitest';
import { BUILDAH_INPUTS } from '../../src/builders/buildah.js';
import { KANIKO_FLAGS } from '../../src/builders/kaniko-flags.js';
import { executorScript, flagParser } from '../../src/catalog/kaniko-compat.js';

const text = (rule: object): string => Object.values(rule).join(' ');

describe('compat rules for =false', () => {
  it('are on boolean flags only, and --cache-run-layers=false has one (the cache is then left out)', () => {
    for (const [name, flag] of Object.entries(KANIKO_FLAGS)) if (flag.compatWhenFalse) expect(flag.kind, name).toBe('bool');
    expect(KANIKO_FLAGS['cache-run-layers']?.compatWhenFalse).toEqual({ store: 'cache_run_layers' });
  });

  it("reach the executor's parser, their store among its variables", () => {
    const { flags, stores } = flagParser();
    expect(flags.find((branch) => branch['names'] === '--cache-run-layers')).toMatchObject({
      falseKind: 'store',
      falseText: 'cache_run_layers',
    });
    expect(stores).toContain('cache_run_layers');
    expect(executorScript()).toContain("--cache-run-layers) k_kind=bool k_accept='Buildah caches every layer, RUN included' k_false=store");
  });
});
