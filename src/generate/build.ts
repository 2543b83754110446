/**
 * `cigen build`, the pure part: render every component, validate it (validate.ts), and say what
 * the files should hold. The CLI compares and writes.
 */
import { CATALOG, type ComponentDefinition } from '../catalog/registry.js';
import { renderComponent } from '../catalog/document.js';
import { componentPage, componentPagePath, renderComponentsSection } from './docs.js';
import { validateTemplate, type BuildProblem } from './validate.js';

export type { BuildProblem } from './validate.js';

export interface RenderedComponent {
  component: ComponentDefinition;
  path: string;
  text: string;
  problems: BuildProblem[];
}

export const templatePath = (name: string): string => `templates/${name}.yml`;

/** The component's template text, or the reason it cannot be rendered. */
export function renderTemplate(component: ComponentDefinition): RenderedComponent {
  const path = templatePath(component.name);
  try {
    return { component, path, text: renderComponent(component), problems: [] };
  } catch (error) {
    return {
      component,
      path,
      text: '',
      problems: [{ component: component.name, file: path, message: `cannot render: ${(error as Error).message}` }],
    };
  }
}

export async function renderAndValidate(component: ComponentDefinition): Promise<RenderedComponent> {
  const rendered = renderTemplate(component);
  if (rendered.problems.length > 0) return rendered;
  return { ...rendered, problems: await validateTemplate(component, rendered.path, rendered.text) };
}

export interface CatalogBuild {
  components: RenderedComponent[];
  /** docs/components/<name>.md, path -> text. */
  pages: { path: string; text: string }[];
  readmeSection: string;
  problems: BuildProblem[];
}

/**
 * Every component's files. `validate: false` renders only: what `cigen build --check` compares
 * with the files, which `cigen build` validated before writing them (and the unit tests validate).
 */
export async function buildCatalog(
  catalog: readonly ComponentDefinition[] = CATALOG,
  { validate = true }: { validate?: boolean } = {},
): Promise<CatalogBuild> {
  const components = validate ? await Promise.all(catalog.map(renderAndValidate)) : catalog.map(renderTemplate);
  return {
    components,
    pages: catalog.map((component) => ({ path: componentPagePath(component.name), text: componentPage(component) })),
    readmeSection: renderComponentsSection(catalog),
    problems: components.flatMap((c) => c.problems),
  };
}
