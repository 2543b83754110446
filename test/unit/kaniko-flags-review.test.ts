/** Kaniko's flag table says what the components and kaniko-compat do: reasons true to the inputs they name. */
import { describe, expect, it } from 'vitest';
import { BUILDAH_INPUTS } from '../../src/builders/buildah.js';
import { KANIKO_CLOUD_HELPERS, KANIKO_CREDENTIAL_HELPERS, KANIKO_FLAGS } from '../../src/builders/kaniko-flags.js';
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

describe("a bool flag's default", () => {
  it("is true only where Kaniko's root.go says so, and only such a flag asks something with =false", () => {
    const defaultTrue = Object.entries(KANIKO_FLAGS)
      .filter(([, flag]) => flag.default === true)
      .map(([name]) => name);
    expect(defaultTrue).toEqual(['cache-run-layers', 'compressed-caching', 'ignore-var-run', 'whitelist-var-run']);
    for (const [name, flag] of Object.entries(KANIKO_FLAGS)) {
      if (flag.default !== undefined) expect(flag.kind, name).toBe('bool');
      if (flag.migrateWhenFalse || flag.compatWhenFalse) expect(flag.default, name).toBe(true);
    }
  });

  it('the settings of the layer cache, which Kaniko uses only with --cache, are marked so', () => {
    const withCache = Object.entries(KANIKO_FLAGS)
      .filter(([, flag]) => flag.withCache)
      .map(([name]) => name);
    expect(withCache).toEqual(['cache-repo', 'cache-ttl', 'cache-copy-layers', 'cache-run-layers', 'no-push-cache']);
  });

  it('kaniko-compat refuses a flag for what it asks, not for =false, which asks nothing', () => {
    const { flags } = flagParser();
    expect(flags.find((branch) => branch['names'] === '--push-ignore-immutable-tag-errors')).toMatchObject({
      refuse: "'Buildah fails a push that a registry refuses, immutable tags included'",
      falseKind: 'accept',
      falseText: String.raw`'false is Kaniko'\''s default, so the flag asks nothing'`,
    });
    // A flag kaniko-compat stores keeps its value, false too (the last one given counts).
    expect(flags.find((branch) => branch['names'] === '--reproducible')).not.toHaveProperty('falseKind');
  });
});

describe('the reasons name what the buildah component has', () => {
  it('--annotation: the component has an annotations input (it is not "labels only")', () => {
    expect(BUILDAH_INPUTS).toHaveProperty('annotations');
    const annotation = KANIKO_FLAGS['annotation'];
    expect(text(annotation?.migrate ?? {})).toContain("buildah component's annotations input");
    expect(text(annotation?.migrate ?? {})).not.toContain('not manifest annotations');
  });

  it('--secret: the component has a secrets input, in the form the reason gives', () => {
    expect(BUILDAH_INPUTS).toHaveProperty('secrets');
    const description = (BUILDAH_INPUTS['secrets'] as { description: string }).description;
    expect(description).toContain('id=NAME,env=VARIABLE');
    expect(description).toContain('id=NAME,src=');
    const secret = KANIKO_FLAGS['secret'];
    for (const rule of [secret?.migrate ?? {}, secret?.compat ?? {}]) {
      expect(text(rule)).toContain("buildah component's secrets input");
      expect(text(rule)).toContain('id=NAME,env=VARIABLE or id=NAME,src=FILE');
      expect(text(rule)).not.toContain('not an input');
    }
  });

  it('--single-snapshot and --git are not accepted with a reason that is untrue', () => {
    expect(KANIKO_FLAGS['single-snapshot']?.compat).toEqual({ store: 'single_snapshot' });
    expect(KANIKO_FLAGS['git']?.compat).toHaveProperty('accept');
  });
});

describe("--credential-helpers: Kaniko's built-in helpers, read by kaniko-compat's executor", () => {
  it('the flag is stored, not refused whatever its value (an empty one turns the helpers off)', () => {
    expect(KANIKO_FLAGS['credential-helpers']?.compat).toEqual({ store: 'credential_helpers' });
    expect(flagParser().stores).toContain('credential_helpers');
  });

  it("each of Kaniko's helpers has its branch: env and gitlab stood in for, the cloud ones refused", () => {
    const script = executorScript();
    const stoodIn = KANIKO_CREDENTIAL_HELPERS.filter((helper) => !KANIKO_CLOUD_HELPERS.includes(helper));
    expect(stoodIn).toEqual(['env', 'gitlab']);
    for (const helper of stoodIn) expect(script).toContain(`      ${helper}) k_helper_${helper}=true ;;`);
    expect(script).toContain(`      google | ecr | acr) cigen_k_die "--credential-helpers $k_item: "'this credential helper`);
    expect(script).toContain("not a credential helper of Kaniko's (env, google, ecr, acr, gitlab): skipped, as Kaniko skips it");
  });
});
