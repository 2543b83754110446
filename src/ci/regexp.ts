/** `text` as a regular expression that matches exactly it: every character with a meaning in a
 *  pattern escaped (valid with the `u` flag too). */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
