/**
 * `spec:inputs` and the values given for them at an include: GitLab's rules and error texts
 * (lib/gitlab/ci/config/interpolation/inputs.rb and inputs/*_input.rb).
 */
import { compileRe2 } from '../re2.js';
import { isRubyNumber, numberOf, rubyToS, type RubyFloat } from './ruby.js';

export const INPUT_TYPES = ['array', 'boolean', 'number', 'string'] as const;
export type InputType = (typeof INPUT_TYPES)[number];
export type InputValue = string | number | RubyFloat | boolean | unknown[];

export interface InputSpec {
  type?: InputType;
  default?: InputValue;
  description?: string;
  options?: (string | number)[];
  regex?: string;
}

/** A header's `spec:inputs` as written: a null entry is a required string input. */
export type InputSpecs = Readonly<Record<string, InputSpec | null>>;

/** How GitLab begins its error on names the spec does not declare. */
const UNKNOWN_INPUTS = 'unknown input arguments: ';

/** The input an error about one input names: GitLab words those `` `name` input: ... `` (and so
 *  do cigen's own checks of input values); of `unknown input arguments: a, b`, the first. */
export const inputOfError = (error: string): string | undefined =>
  /^`([^`]+)` input: /.exec(error)?.[1] ??
  (error.startsWith(UNKNOWN_INPUTS) ? /^[^,]+/.exec(error.slice(UNKNOWN_INPUTS.length))?.[0] : undefined);

/** Whether an error is about input names (unknown ones), not about the value of one: it belongs at a key. */
export const isUnknownInputError = (error: string): boolean => error.startsWith(UNKNOWN_INPUTS);

const ARTICLE: Record<InputType, string> = {
  array: 'an array',
  boolean: 'a boolean',
  number: 'a number',
  string: 'a string',
};

function hasType(type: InputType, value: unknown): boolean {
  switch (type) {
    case 'array':
      return Array.isArray(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      // NumberInput: is_a?(Numeric), a Float as well as an Integer.
      return isRubyNumber(value);
    case 'string':
      return typeof value === 'string';
  }
}

export interface ResolvedInputs {
  values: Record<string, InputValue>;
  errors: string[];
}

/** Problems with the spec itself, independent of any given values. */
export function specErrors(specs: InputSpecs): string[] {
  const errors: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (spec === null) continue;
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      errors.push(`unknown input specification for \`${name}\` (valid types: ${INPUT_TYPES.join(', ')})`);
      continue;
    }
    const type = spec.type ?? 'string';
    if (!INPUT_TYPES.includes(type)) {
      errors.push(`unknown input specification for \`${name}\` (valid types: ${INPUT_TYPES.join(', ')})`);
      continue;
    }
    if (spec.options !== undefined && type !== 'string' && type !== 'number') {
      errors.push(`\`${name}\` input: Options can only be used with string and number inputs`);
    }
    if (spec.regex !== undefined) {
      if (type !== 'string') errors.push(`\`${name}\` input: RegEx validation can only be used with string inputs`);
      else {
        // A pattern RE2 takes but JavaScript cannot match exactly (unsupported) is valid: lint warns of it.
        const compiled = compileRe2(spec.regex);
        if (!compiled.ok && !compiled.unsupported) errors.push(`\`${name}\` input: invalid regular expression`);
      }
    }
  }
  return errors;
}

/** A string or number input's value that is not among its options (String/NumberInput#validate_options;
 *  a number input's says "the allowed"). The value is written as Ruby's `to_s` writes it. */
export const notInOptions = (name: string, type: InputType, value: unknown): string =>
  `\`${name}\` input: \`${rubyToS(value)}\` cannot be used because it is not in ` +
  `the list of ${type === 'number' ? 'the ' : ''}allowed options`;

/** GitLab's run_validations (inputs/base_input.rb): type, options, regex, each run whatever the one
 *  before it found. GitLab sets no limit on the length of a value (ci.json's 1024 is the editor's,
 *  see entries-read.ts). */
function valueErrors(name: string, spec: InputSpec, value: unknown, origin: 'provided' | 'default'): string[] {
  const type = spec.type ?? 'string';
  const errors: string[] = [];
  if (!hasType(type, value)) errors.push(`\`${name}\` input: ${origin} value is not ${ARTICLE[type]}`);
  // `return unless options && value`: Ruby's nil and false are never checked against the options.
  const checked = value !== null && value !== undefined && value !== false;
  if (
    spec.options !== undefined &&
    (type === 'string' || type === 'number') &&
    checked &&
    // Array#include? compares with ==: the Float 2.0 is the option 2.
    !spec.options.includes(numberOf(value) as string | number)
  ) {
    errors.push(notInOptions(name, type, value));
  }
  // StringInput#validate_regex checks only a String.
  if (spec.regex !== undefined && type === 'string' && typeof value === 'string') {
    const compiled = compileRe2(spec.regex);
    if (compiled.ok && !compiled.regex.test(value)) {
      errors.push(`\`${name}\` input: ${origin} value does not match required RegEx pattern`);
    }
  }
  return errors;
}

/** Resolves the values an include gives against a spec, as GitLab does before interpolating. */
export function resolveInputs(specs: InputSpecs, given: Readonly<Record<string, unknown>>): ResolvedInputs {
  const errors: string[] = [];
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(specs, name));
  if (unknown.length > 0) errors.push(`${UNKNOWN_INPUTS}${unknown.join(', ')}`);
  errors.push(...specErrors(specs));
  const values: Record<string, InputValue> = {};
  for (const [name, raw] of Object.entries(specs)) {
    const spec: InputSpec = raw ?? {};
    if (typeof spec !== 'object' || (spec.type !== undefined && !INPUT_TYPES.includes(spec.type))) continue;
    // GitLab's required_input? is `!spec.key?(:default)`: `default: null` (or `default:` with nothing
    // after it) makes the input optional, and its nil default then fails the type check below.
    const hasDefault = Object.hasOwn(spec, 'default');
    // A null value (`dockerfile:` with nothing after it) is not one: GitLab takes the default.
    const provided = Object.hasOwn(given, name) && given[name] !== null && given[name] !== undefined;
    if (!hasDefault && !provided) {
      errors.push(`\`${name}\` input: required value has not been provided`);
      continue;
    }
    // GitLab validates the default (type, options, regex) even when a value is provided, then the value.
    if (hasDefault) errors.push(...valueErrors(name, spec, spec.default ?? null, 'default'));
    if (provided) errors.push(...valueErrors(name, spec, given[name], 'provided'));
    values[name] = (provided ? given[name] : spec.default) as InputValue;
  }
  return { values, errors };
}
