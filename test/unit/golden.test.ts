/**
 * Golden files: every builder x option set, instantiated as GitLab would (classic mode), kept in
 * test/golden/<component>/<case>.yml. Update them deliberately with `npx vitest run -u` and
 * review the diff. Text interpolation must give the same job.
 */
import { describe, expect, it } from 'vitest';
import { stringifyYaml } from '../../src/ci/yaml.js';
import { COMPONENTS, OPTION_SETS } from '../helpers/cases.js';
import { instantiateComponent } from '../helpers/job.js';

/** Lists differ only in how GitLab writes them (Ruby inspect vs JSON); compare them decoded. */
function normalizeLists(job: Record<string, unknown>): Record<string, unknown> {
  const variables = Object.fromEntries(
    Object.entries(job['variables'] as Record<string, unknown>).map(([key, value]) => {
      const raw = (value as { value?: unknown }).value;
      if (typeof raw === 'string' && raw.startsWith('list:')) return [key, { ...(value as object), value: JSON.parse(raw.slice(5)) }];
      return [key, value];
    }),
  );
  return { ...job, variables };
}

describe.each(COMPONENTS)('%s', (component) => {
  it.each(Object.entries(OPTION_SETS))('%s', async (name, inputs) => {
    const classic = instantiateComponent(component, inputs, 'classic');
    // The script does not depend on inputs; it is reviewed once, in templates/<component>.yml.
    const job = { ...classic.job, script: [`(the script of templates/${component}.yml)`] };
    await expect(stringifyYaml({ [classic.name]: job })).toMatchFileSnapshot(`../golden/${component}/${name}.yml`);
    const text = instantiateComponent(component, inputs, 'text');
    expect(text.name).toBe(classic.name);
    expect(normalizeLists(text.job)).toEqual(normalizeLists(classic.job));
  });
});
