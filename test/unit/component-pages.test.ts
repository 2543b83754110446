/** Every input on a component's page shows an example: its sample value, as a user writes it in `inputs:`. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CATALOG } from '../../src/catalog/registry.js';
import { componentPage } from '../../src/generate/docs.js';

describe.each(CATALOG.map((component) => [component.name, component] as const))('%s page', (_name, component) => {
  it('has one example per input, which reads back as that input and its sample', () => {
    const rows = componentPage(component)
      .split('\n')
      .filter((line) => /^\| `[a-z-]+` \| (string|array|boolean|number) \|/.test(line));
    expect(rows.map((row) => /^\| `([a-z-]+)`/.exec(row)?.[1])).toEqual(Object.keys(component.inputs));
    for (const row of rows) {
      const name = /^\| `([a-z-]+)`/.exec(row)?.[1] as string;
      const example = /\| `([^`]*)` \|$/.exec(row)?.[1] as string;
      expect(parse(example.replace(/\\\|/g, '|')), name).toEqual({ [name]: component.inputs[name]?.sample });
    }
  });
});
