/**
 * A tag as registries take it. The rule is data so that TypeScript and the job's shell check the
 * same thing (the shell's case pattern is built from the same classes). A module of its own: the
 * linter checks tags with it and would otherwise load the whole input vocabulary (inputs.ts) too.
 */
export const TAG_RULE = { first: 'A-Za-z0-9_', rest: 'A-Za-z0-9_.-', max: 128 } as const;
export const TAG = new RegExp(`^[${TAG_RULE.first}][${TAG_RULE.rest}]{0,${TAG_RULE.max - 1}}$`);
