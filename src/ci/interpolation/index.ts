/**
 * Instantiating a component file the way GitLab does: resolve the given inputs against the
 * header, then interpolate the content in one of GitLab's two modes.
 */
import type { Document } from 'yaml';
import { documentValue, parseYamlDocument, parseYamlDocuments, wholeFloatCount, withRubyFloats } from '../yaml.js';
import type { InterpolationContext } from './block.js';
import { interpolateClassic } from './classic.js';
import { resolveInputs, type InputSpecs, type InputValue } from './inputs.js';
import { interpolateText } from './text.js';

export type InterpolationMode = 'classic' | 'text';
export const INTERPOLATION_MODES: readonly InterpolationMode[] = ['classic', 'text'];

export interface SplitFile {
  header: unknown;
  /** The raw text of the content document (what text interpolation works on). */
  contentText: string;
  content: unknown;
}

/** Splits a two-document file into its header and content, or throws on invalid YAML. */
export function splitComponentFile(text: string, documents: readonly Document.Parsed[] = parseYamlDocuments(text).documents): SplitFile {
  for (const doc of documents) {
    const [error] = doc.errors;
    if (error) throw new Error(`invalid YAML: ${error.message}`);
  }
  const last = documents.at(-1);
  if (!last) throw new Error('empty file');
  // As GitLab holds them: a whole Float (`2.0`) stays one (see withRubyFloats).
  const value = (doc: Document) => withRubyFloats(doc, () => documentValue(doc));
  if (documents.length < 2) return { header: undefined, contentText: text, content: value(last) };
  const start = last.range[0];
  const markerStart = text.lastIndexOf('---', start);
  const contentText = text.slice(markerStart >= 0 ? text.indexOf('\n', markerStart) + 1 : start);
  const [header] = documents;
  return { header: header === undefined ? undefined : value(header), contentText, content: value(last) };
}

export interface Instance {
  /** The jobs GitLab would see, or undefined when interpolation failed. */
  content: unknown;
  values: Record<string, InputValue>;
  errors: string[];
}

export function headerInputs(header: unknown): InputSpecs {
  const inputs = (header as { spec?: { inputs?: unknown } } | undefined)?.spec?.inputs;
  return (inputs && typeof inputs === 'object' ? inputs : {}) as InputSpecs;
}

export function instantiate(
  file: SplitFile,
  given: Readonly<Record<string, unknown>>,
  mode: InterpolationMode,
  functions?: InterpolationContext['functions'],
): Instance {
  const resolved = resolveInputs(headerInputs(file.header), given);
  if (resolved.errors.length > 0) return { content: undefined, values: resolved.values, errors: resolved.errors };
  const context: InterpolationContext = { inputs: resolved.values, ...(functions ? { functions } : {}) };
  if (mode === 'classic') {
    const result = interpolateClassic(file.content, context);
    return { content: result.value, values: resolved.values, errors: result.errors };
  }
  const result = interpolateText(file.contentText, context);
  if (result.text === undefined) return { content: undefined, values: resolved.values, errors: result.errors };
  // GitLab parses the interpolated text with Psych: YAML 1.1, where NEL, LS and PS break lines.
  const floatsBefore = wholeFloatCount();
  const doc = parseYamlDocument(result.text);
  const floats = wholeFloatCount() !== floatsBefore;
  const yamlError = doc.errors[0];
  if (yamlError) {
    return { content: undefined, values: resolved.values, errors: [`Invalid configuration format: ${yamlError?.message ?? 'empty'}`] };
  }
  return { content: floats ? withRubyFloats(doc, () => documentValue(doc)) : documentValue(doc), values: resolved.values, errors: [] };
}

export { inputOfError, resolveInputs, type InputSpec, type InputSpecs, type InputValue, type InputType } from './inputs.js';
