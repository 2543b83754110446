/** Markdown as GitLab renders it (GitLab Flavored Markdown: CommonMark and GFM's tables), for what
 *  cigen writes for people: merge request descriptions, reports, the docs pages. */

/** `text` as one cell of a table: GFM's table extension splits a cell at every `|` not written
 *  `\|`, one inside a code span too, and a line break ends the row. */
export const tableCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');

/**
 * `text` as an inline code span that shows it as it is (CommonMark's code spans): fenced with one
 * backtick more than its longest run of them, and padded with a space where a backtick would
 * touch the fence or where the one space CommonMark strips from each end would be the text's own.
 * A line break, which a code span shows as a space anyway, is written as one: it could start a block.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const stripped = flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '';
  const pad = flat.startsWith('`') || flat.endsWith('`') || stripped ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
