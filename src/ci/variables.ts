/**
 * GitLab expands `$NAME` in variable values and in what a component's job expands as GitLab
 * does (cigen's inputs); `$$` is a literal `$`. Text meant as it is is written with every `$` doubled.
 */
export const literalDollars = (text: string): string => text.replace(/\$/g, '$$$$');

/**
 * A reference to a variable as the runner expands it (ExpandValue: a `$$` gives `$`) and a
 * component's job does (cigen_expand, components/_shared/prelude.sh.hbs): `$NAME` or `${NAME}`,
 * read from the left, so that no `$` of a `$$` starts one. `$$X` is the text `$X`; `$$$X` is a `$`
 * and X's value. Text whose only `$` signs are `$$` is a literal, whatever it looks like. The name
 * is the first group (`$NAME`) or the second (`${NAME}`).
 */
const REFERENCE = String.raw`(?<!\$)(?:\$\$)*\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})`;
const ONE_REFERENCE = new RegExp(REFERENCE);
const EVERY_REFERENCE = new RegExp(REFERENCE, 'g');

/** Whether text refers to a variable (REFERENCE). */
export const hasVariableReference = (text: string): boolean => ONE_REFERENCE.test(text);

/** The names of the variables text refers to (REFERENCE: `$$X` is none), each once. */
export const variableNames = (text: string): string[] => [
  ...new Set([...text.matchAll(EVERY_REFERENCE)].map((m) => (m[1] ?? m[2]) as string)),
];
