/**
 * `cigen build` validates each component before writing it: the schema, GitLab's input rules,
 * and instantiation in both interpolation modes. A broken definition is refused with the
 * component, the input and the reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalog, renderAndValidate, type BuildProblem } from '../../src/generate/build.js';
import { pinningProblem } from '../../src/generate/pinning.js';
import { CATALOG, findComponent, type ComponentDefinition } from '../../src/catalog/registry.js';
import type { InputDeclaration } from '../../src/builders/inputs.js';
import { Literal } from '../../src/ci/model.js';
import { componentHeader } from '../../src/catalog/document.js';
import { compileRe2 } from '../../src/ci/re2.js';
import { NAME, VOCABULARY_ORDER } from '../../src/builders/inputs.js';

const buildah = findComponent('buildah') as ComponentDefinition;

function variant(change: (component: ComponentDefinition) => Partial<ComponentDefinition>): ComponentDefinition {
  return { ...buildah, ...change(buildah) };
}

function withInput(name: string, patch: Record<string, unknown>): ComponentDefinition {
  return variant((c) => ({ inputs: { ...c.inputs, [name]: { ...c.inputs[name], ...patch } as InputDeclaration } }));
}

const problemsOf = async (component: ComponentDefinition): Promise<BuildProblem[]> => (await renderAndValidate(component)).problems;

describe('the catalog', () => {
  it('renders and validates every component without a single finding', async () => {
    const build = await buildCatalog();
    expect(build.problems).toEqual([]);
    expect(build.components.map((c) => c.path)).toEqual(CATALOG.map((c) => `templates/${c.name}.yml`));
  });

  it('validate: false (build --check) renders the same text and validates nothing; a component that cannot render is still refused', async () => {
    const unpinned = variant(() => ({ images: ['quay.io/buildah/stable:latest'] }));
    const validated = await buildCatalog([unpinned]);
    expect(validated.problems).toContainEqual(
      expect.objectContaining({ input: 'builder-image', message: expect.stringContaining('moving tag') }),
    );
    const rendered = await buildCatalog([unpinned], { validate: false });
    expect(rendered.problems).toEqual([]);
    expect(rendered.components.map((c) => c.text)).toEqual(validated.components.map((c) => c.text));
    const broken = variant(() => ({
      jobs: () => {
        throw new Error('no jobs today');
      },
    }));
    expect((await buildCatalog([broken], { validate: false })).problems).toEqual([
      { component: 'buildah', file: 'templates/buildah.yml', message: 'cannot render: no jobs today' },
    ]);
  });

  it('shares one input vocabulary: same names, types and defaults in every component', () => {
    // The shared vocabulary; a builder's own inputs (Buildah's storage-driver, say) are its own.
    const core = VOCABULARY_ORDER;
    expect(core.every((name) => name in buildah.inputs)).toBe(true);
    for (const component of CATALOG.filter((c) => c.builder !== undefined)) {
      for (const name of core) {
        expect(component.inputs[name]?.type, `${component.name} ${name}`).toBe(buildah.inputs[name]?.type);
        if (name !== 'builder-image')
          expect(component.inputs[name]?.default, `${component.name} ${name}`).toEqual(buildah.inputs[name]?.default);
      }
    }
  });

  it('job and stage names: colons as in build:image, never what would reshape a YAML key', () => {
    const name = compileRe2(NAME);
    if (!name.ok) throw new Error(name.error);
    for (const good of ['build-image', 'build image', 'build:image', 'docker:build:arm64', '.hidden', 'a/b', 'x'])
      expect(name.regex.test(good), good).toBe(true);
    for (const bad of ['a: b', 'a:', 'a ', ' a', ':a', 'a #b', 'a::b', '-a', 'a\nb', ''])
      expect(name.regex.test(bad), JSON.stringify(bad)).toBe(false);
  });

  it('every input regex means the same to RE2 (GitLab) and to JavaScript (gitlab-ci-local), as written in the template', async () => {
    const jsYaml = (await import('js-yaml')).default;
    const probes = [
      'components/buildah/fixture',
      'x',
      '{85}',
      '8',
      '5',
      'a\u2028b',
      'a\u2029b',
      'a\u0085b',
      'a\nb',
      'build:image',
      'v1.2.3',
      '$CI_REGISTRY_IMAGE/app',
      'a: b',
      '',
    ];
    for (const component of CATALOG) {
      const text = readFileSync(`templates/${component.name}.yml`, 'utf8');
      const gitlabCiLocal = (jsYaml.loadAll(text)[0] as { spec: { inputs: Record<string, { regex?: string }> } }).spec.inputs;
      for (const [name, input] of Object.entries(componentHeader(component).spec.inputs as Record<string, { regex?: string }>)) {
        if (!input.regex) continue;
        expect(gitlabCiLocal[name]?.regex, `${component.name} ${name}: the YAML reads back the same`).toBe(input.regex);
        const re2 = compileRe2(input.regex);
        if (!re2.ok) throw new Error(re2.error);
        const js = new RegExp(input.regex);
        for (const probe of probes)
          expect(js.test(probe), `${component.name} ${name} ${JSON.stringify(probe)}`).toBe(re2.regex.test(probe));
      }
    }
  });

  it('gives every input a description and every string input a regex or options', () => {
    for (const component of CATALOG) {
      for (const [name, input] of Object.entries(component.inputs)) {
        expect(input.description.length, `${component.name} ${name}`).toBeGreaterThan(10);
        if (input.type === 'string') expect(input.regex ?? input.options, `${component.name} ${name}`).toBeDefined();
      }
    }
  });

  it('pins every image to a full version or digest', () => {
    for (const component of CATALOG) for (const image of component.images) expect(pinningProblem(image)).toBeUndefined();
    expect(pinningProblem('quay.io/buildah/stable')).toMatch(/no tag/);
    expect(pinningProblem('quay.io/buildah/stable:latest')).toMatch(/moving tag/);
    expect(pinningProblem('moby/buildkit:rootless')).toMatch(/not pinned/);
    expect(pinningProblem('docker:29')).toMatch(/not pinned/);
    expect(pinningProblem(`docker@sha256:${'a'.repeat(64)}`)).toBeUndefined();
  });
});

describe('a broken component is refused, naming the component, the input and the reason', () => {
  it.each([
    ['a default of the wrong type', 'push', { default: 'yes' }, /`push` input: default value is not a boolean/],
    [
      'a default outside its options',
      'format',
      { default: 'zip' },
      /`zip` cannot be used because it is not in the list of allowed options/,
    ],
    ['a default its regex refuses', 'target', { default: 'a b' }, /default value does not match required RegEx pattern/],
    ['a regex RE2 cannot compile', 'target', { regex: '^(?=x)' }, /invalid regular expression \(lookaround/],
    ['options on a boolean', 'push', { options: [true, false] }, /Options can only be used with string and number inputs/],
    ['a regex on an array', 'tags', { regex: '.*' }, /RegEx validation can only be used with string inputs/],
    ['a string input that text interpolation can break', 'context', { regex: '.*' }, /spec\/text-interpolation/],
  ])('%s', async (_label, input, patch, message) => {
    const problems = await problemsOf(withInput(input, patch));
    expect(problems.length).toBeGreaterThan(0);
    const match = problems.find((p) => message.test(p.message));
    expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(match).toMatchObject({ component: 'buildah', input, file: 'templates/buildah.yml' });
    expect(match?.line).toBeGreaterThan(1);
  });

  it('an input no job uses', async () => {
    const problems = await problemsOf(
      variant((c) => ({
        inputs: { ...c.inputs, unused: { type: 'string', default: '', regex: '^$', description: 'never used anywhere', sample: '' } },
      })),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ input: 'unused', message: expect.stringContaining('declared but never used') }),
    );
  });

  it('a block that names an undeclared input, and an unknown function', async () => {
    const problems = await problemsOf(
      variant((c) => ({
        jobs: () => {
          const jobs = c.jobs();
          const job = Object.values(jobs)[0] as Record<string, unknown>;
          job['variables'] = {
            ...(job['variables'] as object),
            EXTRA: new Literal('$[[ inputs.missing ]]'),
            OTHER: '$[[ inputs.stage | shout ]]',
          };
          return jobs;
        },
      })),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ input: 'missing', message: expect.stringContaining('unknown interpolation key: `missing`') }),
    );
    // The template's own finding names the input its block reads, though its message does not.
    const inTemplate = problems.filter((p) => p.message.includes('no function matching `shout`') && p.line !== undefined);
    expect(inTemplate).toHaveLength(1);
    expect(inTemplate[0]?.input).toBe('stage');
  });

  it('a job the schema refuses, in the template and in every instantiation', async () => {
    const problems = await problemsOf(
      variant((c) => ({
        jobs: () => {
          const jobs = c.jobs();
          (Object.values(jobs)[0] as Record<string, unknown>)['scirpt'] = ['echo'];
          return jobs;
        },
      })),
    );
    const inTemplate = problems.filter(
      (p) => /contains unknown keys: scirpt \(did you mean script\?\)/.test(p.message) && p.line !== undefined,
    );
    expect(inTemplate).toHaveLength(1);
    // The job's name holds `$[[ inputs.job-name ]]`; the finding is not about that input.
    expect(inTemplate[0]?.input).toBeUndefined();
    expect(problems.filter((p) => /interpolation: .*unknown keys: scirpt/.test(p.message))).toHaveLength(4);
  });

  it('a non-default input set that GitLab would refuse', async () => {
    const problems = await problemsOf(
      variant((c) => ({
        inputs: {
          ...c.inputs,
          'storage-driver': { ...(c.inputs['storage-driver'] as InputDeclaration), sample: 'btrfs' },
          push: { ...(c.inputs['push'] as InputDeclaration), sample: 'no' },
        },
      })),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ input: 'storage-driver', message: expect.stringContaining('`btrfs` cannot be used') }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ input: 'push', message: expect.stringContaining('provided value is not a boolean') }),
    );
  });

  it('an unpinned builder image', async () => {
    const problems = await problemsOf(variant(() => ({ images: ['quay.io/buildah/stable:latest'] })));
    expect(problems).toContainEqual(expect.objectContaining({ input: 'builder-image', message: expect.stringContaining('moving tag') }));
  });
});
