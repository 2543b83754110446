/** `cigen render <component>`: the job GitLab would run for given inputs. */
import { InputError, UsageError } from '../../errors.js';
import type { InterpolationMode } from '../../ci/interpolation/index.js';
import { parseUserYaml, readUserYaml, UserYamlError, type UserYaml } from '../../ci/yaml.js';
import { inputOfError, isUnknownInputError } from '../../ci/interpolation/inputs.js';
import { CATALOG, findComponent } from '../../catalog/registry.js';
import { renderInstance } from '../../catalog/instantiate.js';
import { readUserFile, writeFilesAtomically } from '../files.js';
import { writeOut } from '../stdio.js';

export interface RenderOptions {
  input: string[];
  inputs?: string;
  mode: InterpolationMode;
  out?: string;
}

/** `name=value`, the value read as YAML the way it would be written under `inputs:`. */
export function parseInputFlag(flag: string): [string, unknown] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new UsageError(`--input ${flag}: expected name=value`);
  const name = flag.slice(0, eq);
  const raw = flag.slice(eq + 1);
  try {
    // As under `inputs:`, where `name:` with nothing after it is null: the input's default; a whole
    // Float (`2.0`) is one, as GitLab reads it.
    return [name, parseUserYaml(raw, { rubyFloats: true })];
  } catch (error) {
    if (!(error instanceof UserYamlError)) throw error;
    const where = error.at ? ` (line ${error.at.line}, column ${error.at.column} of the value)` : '';
    throw new UsageError(`--input ${name}: the value cannot be read as YAML: ${error.reason}${where}`);
  }
}

export async function runRender(name: string, options: RenderOptions): Promise<void> {
  const component = findComponent(name);
  if (!component) throw new UsageError(`unknown component ${name}; the catalog has: ${CATALOG.map((c) => c.name).join(', ')}`);
  let inputs: Record<string, unknown> = {};
  // Where each input the --inputs file gives is written, so that a refusal names file:line:col.
  let filePlaces: UserYaml['places'] = new Map();
  if (options.inputs) {
    const text = await readUserFile(options.inputs, `--inputs ${options.inputs}`);
    let loaded: unknown;
    try {
      // GitLab's own parser refuses more than a few aliases; an alias bomb stops here.
      ({ value: loaded, places: filePlaces } = readUserYaml(text, { rubyFloats: true }));
    } catch (error) {
      if (!(error instanceof UserYamlError)) throw error;
      const where = error.at ? `${options.inputs}:${error.at.line}:${error.at.column}` : options.inputs;
      throw new InputError(`--inputs ${where}: cannot be read as YAML: ${error.reason}`);
    }
    if (loaded === null || typeof loaded !== 'object' || Array.isArray(loaded))
      throw new InputError(`--inputs ${options.inputs}: expected a mapping of input names to values`);
    inputs = { ...(loaded as Record<string, unknown>) };
  }
  const fromFlags = new Set<string>();
  for (const flag of options.input) {
    const [key, value] = parseInputFlag(flag);
    fromFlags.add(key);
    // Defined, not assigned: `-i __proto__=...` is an input name like any other (and unknown).
    Object.defineProperty(inputs, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const rendered = renderInstance(component, inputs, options.mode);
  if (rendered.text === undefined) {
    const located = rendered.errors.map((error) => {
      const input = inputOfError(error);
      const places = input === undefined || fromFlags.has(input) ? undefined : filePlaces.get(input);
      // An unknown input at its name; any other refusal is of the value.
      const at = places && (isUnknownInputError(error) ? places.key : places.value);
      return at === undefined ? error : `${options.inputs}:${at.line}:${at.column}: ${error}`;
    });
    throw new InputError(`${name}: the inputs were refused${options.out ? `; ${options.out} not written` : ''}`, located);
  }
  if (options.out) await writeFilesAtomically([{ path: options.out, text: rendered.text }]);
  else writeOut(rendered.text);
}
