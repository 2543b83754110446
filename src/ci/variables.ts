/**
 * GitLab expands `$NAME` in variable values and in what a component's job expands as GitLab
 * does (cigen's inputs); `$$` is a literal `$`. Text meant as it is is written with every `$` doubled.
 */
export const literalDollars = (text: string): string => text.replace(/\$/g, '$$$$');
