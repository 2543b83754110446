/**
 * How V8 stores the large strings cigen makes (a component's template is 2 MB of text), where the
 * storage costs more than the work: every new megabyte is memory the process touches for the first
 * time, and on a virtual machine (this project's CI machine) that cost more than copying it.
 */

/** A character beyond Latin-1 (which V8 stores in one byte). */
// eslint-disable-next-line no-control-regex
const beyondLatin1 = /[^\x00-\xff]/;

/**
 * `text` stored one byte a character when every character fits. V8 keeps a string made from a
 * two-byte string (a long slice, a replacement) two-byte whatever it holds: a spec header whose regex
 * holds an LS, escaped to ASCII, stayed two-byte, and the whole template joined to it was copied,
 * compared and written at twice the size.
 */
export const oneByte = (text: string): string => (beyondLatin1.test(text) ? text : Buffer.from(text, 'latin1').toString('latin1'));

const ANYTHING = /^/;

/**
 * `text` made one piece. V8 keeps a string built by `+` as a tree of its parts until something
 * reads it whole, and every young-generation collection copies the tree's thousands of small parts
 * while it lives; a regular expression reads the string whole, and V8 flattens it first (one copy).
 */
export function flattened(text: string): string {
  ANYTHING.test(text);
  return text;
}
