/**
 * One truth per input: the declarations in src/builders are all there is. The spec header, the
 * CIGEN_* variables, the shell that reads them, migrate's order and the sample values all follow
 * from a declaration — shown by adding a fictitious input to one builder and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { BUILDAH_INPUTS } from '../../src/builders/buildah.js';
import { BUILDERS } from '../../src/builders/index.js';
import { CORE_INPUTS, VOCABULARY_ORDER, shellName, type InputDeclaration, type InputDeclarations } from '../../src/builders/inputs.js';
import { jobKey } from '../../src/builders/job.js';
import { renderComponent } from '../../src/catalog/document.js';
import { CATALOG, findComponent, sampleInputs, type ComponentDefinition } from '../../src/catalog/registry.js';
import { Literal, type Job } from '../../src/ci/model.js';
import { parseYamlStrict } from '../../src/ci/yaml.js';
import { renderAndValidate } from '../../src/generate/build.js';
import { sortInputs } from '../../src/migrate/engine.js';
import { instantiateComponent } from '../helpers/job.js';

const FICTITIOUS: InputDeclaration = {
  type: 'string',
  default: 'none',
  regex: '^[a-z]*$',
  variable: 'CIGEN_FICTITIOUS',
  description: 'An input that exists only in this test.',
  sample: 'given',
};

/** The buildah component with one more declared input: the declaration is the only change. */
function withFictitious(): ComponentDefinition {
  const buildah = findComponent('buildah') as ComponentDefinition;
  const builder = BUILDERS.find((b) => b.id === 'buildah');
  const inputs: InputDeclarations = { ...BUILDAH_INPUTS, fictitious: FICTITIOUS };
  return { ...buildah, inputs, jobs: () => ({ [jobKey()]: builder?.job(inputs) as Job }) };
}

describe('a new input is one declaration', () => {
  const component = withFictitious();
  const text = renderComponent(component);
  const [header, jobs] = parseYamlStrict(text) as [
    { spec: { inputs: Record<string, Record<string, unknown>> } },
    Record<string, Record<string, unknown>>,
  ];
  const job = Object.values(jobs)[0] as { variables: Record<string, unknown>; script: string[] };

  it('is in the spec header as declared', () => {
    expect(header.spec.inputs['fictitious']).toEqual({
      description: FICTITIOUS.description,
      type: 'string',
      default: 'none',
      regex: '^[a-z]*$',
    });
  });

  it('travels in its CIGEN_* variable as data, and the shell reads it', () => {
    expect(job.variables['CIGEN_FICTITIOUS']).toEqual({ value: '$[[ inputs.fictitious ]]', expand: false });
    expect(job.script.join('\n')).toContain(`cigen_scalar CIGEN_FICTITIOUS; ${shellName('fictitious')}=$CIGEN_REPLY`);
  });

  it('passes the catalog build, with its sample value, in both interpolation modes', async () => {
    expect((await renderAndValidate(component)).problems).toEqual([]);
    expect(sampleInputs(component)['fictitious']).toBe('given');
    for (const mode of ['classic', 'text'] as const) {
      const { job: instance } = instantiateComponent('buildah', { fictitious: 'given' }, mode, text);
      expect((instance['variables'] as Record<string, { value: string }>)['CIGEN_FICTITIOUS']?.value).toBe('given');
    }
  });
});

/**
 * What a component's first job reads, in order: its declared variables — except buildah-native's
 * per-architecture job, which is the buildah job (reading every buildah variable, the ones the
 * fan-out fixes too) after a preamble that reads image, tags and tag-rules to name the platform's tag.
 */
function expectedReads(component: ComponentDefinition, declared: string[]): string[] {
  if (component.name !== 'buildah-native') return declared;
  const buildah = Object.values(BUILDAH_INPUTS).flatMap((input) => (input.variable ? [input.variable] : []));
  expect(buildah).toEqual(expect.arrayContaining(declared));
  return ['CIGEN_IMAGE', 'CIGEN_TAGS', 'CIGEN_TAG_RULES', ...buildah];
}

describe('every component agrees with its declarations', () => {
  it.each(CATALOG.map((c) => [c.name, c] as const))(
    '%s: a variable per declared variable, each read once by the shell, nothing else read',
    (_name, component) => {
      const [, jobs] = parseYamlStrict(renderComponent(component)) as [
        unknown,
        Record<string, { variables: Record<string, unknown>; before_script?: string[]; script?: string[] }>,
      ];
      const job = Object.values(jobs)[0] as { variables: Record<string, unknown>; before_script?: string[]; script?: string[] };
      const declared = Object.entries(component.inputs).flatMap(([name, input]) =>
        input.variable ? [[input.variable, name] as const] : [],
      );
      // A hidden job's shell (kaniko-compat's installer) is in its before_script.
      const script = [...(job.before_script ?? []), ...(job.script ?? [])].join('\n');
      const read = [...script.matchAll(/^cigen_(?:scalar|list|bool|number) (CIGEN_[A-Z_]+)/gm)].map((m) => m[1]);
      expect(read).toEqual(
        expectedReads(
          component,
          declared.map(([variable]) => variable),
        ),
      );
      for (const [variable] of declared) expect(Object.keys(job.variables)).toContain(variable);
      // Inputs not travelling in a variable sit in the YAML itself (a key, a plain scalar).
      for (const [name, input] of Object.entries(component.inputs))
        if (!input.variable) expect(renderComponent(component).split('---\n')[1]).toContain(`$[[ inputs.${name} ]]`);
    },
  );

  it('migrate writes inputs in the vocabulary order', () => {
    const shuffled = Object.fromEntries([...VOCABULARY_ORDER].reverse().map((name) => [name, 'x']));
    expect(Object.keys(sortInputs(shuffled))).toEqual(VOCABULARY_ORDER);
    expect(VOCABULARY_ORDER.slice(0, Object.keys(CORE_INPUTS).length)).toEqual(Object.keys(CORE_INPUTS));
  });

  it('the header of every builder component lists the vocabulary first, in order', () => {
    for (const builder of BUILDERS) expect(Object.keys(builder.inputs).slice(0, VOCABULARY_ORDER.length)).toEqual(VOCABULARY_ORDER);
  });

  it('a literal block holds each string variable, so text interpolation cannot reshape the YAML', () => {
    const job = findComponent('kaniko')?.jobs();
    const variables = (Object.values(job ?? {})[0] as { variables: Record<string, { value?: unknown }> }).variables;
    expect(variables['CIGEN_CONTEXT']?.value).toBeInstanceOf(Literal);
  });
});
