/**
 * How inputs reach the job's shell: as CIGEN_* variables holding data only, derived from the
 * input declarations. Strings and lists are written with `expand: false` and expanded by the
 * script itself, as data, after any list has been decoded; a referenced input sits alone in a
 * literal block, where text interpolation cannot reshape the YAML around it.
 */
import { Literal, Quoted, type VariableValue, type Variables } from '../ci/model.js';
import type { InputDeclaration, InputDeclarations } from './inputs.js';
import { inputRef, type InputRef } from './spec.js';

/** Marks the variable that holds a list; the script decodes what follows (JSON or Ruby inspect). */
export const LIST_PREFIX = 'list:';

export const stringVariable = (ref: InputRef): VariableValue => ({ value: new Literal(ref.block), expand: false });
export const listVariable = (ref: InputRef): VariableValue => ({ value: new Literal(`${LIST_PREFIX}${ref.block}`), expand: false });
/** Booleans and numbers: GitLab refuses anything else before the job exists, so they sit plain. */
export const plainVariable = (ref: InputRef): VariableValue => ref.block;

export function variableOf(name: string, input: InputDeclaration): VariableValue {
  const ref = inputRef(name);
  switch (input.type) {
    case 'array':
      return listVariable(ref);
    case 'boolean':
    case 'number':
      return plainVariable(ref);
    case 'string':
      return stringVariable(ref);
  }
}

/** The CIGEN_* variables of every declared input that travels in one, in declaration order. */
export function inputVariables(inputs: InputDeclarations): Variables {
  const variables: Variables = {};
  for (const [name, input] of Object.entries(inputs)) if (input.variable) variables[input.variable] = variableOf(name, input);
  return variables;
}

/** A value placed directly in a YAML key or plain scalar; its input's regex keeps it safe there. */
export const plain = (ref: InputRef): string => ref.block;
/** A value placed in a double-quoted scalar: its input's regex refuses `"`, `\` and line breaks. */
export const quoted = (ref: InputRef): Quoted => new Quoted(ref.block);
