/** The bot's report: `{"projects":[...],"counts":{...}}` and a Markdown twin for people. */
import { tableCell } from '../ci/markdown.js';
import { STATUSES, type BotReport } from './run.js';

export function reportJson(report: BotReport): string {
  const projects = report.projects.map((p) => ({
    path: p.path,
    status: p.status,
    mergeRequest: p.mergeRequest,
    reason: p.reason,
    ...(p.diff !== undefined ? { diff: p.diff } : {}),
  }));
  const stopped = report.stopped !== undefined ? { stopped: report.stopped } : {};
  return `${JSON.stringify({ ...stopped, projects, counts: report.counts }, null, 2)}\n`;
}

export function reportMarkdown(report: BotReport): string {
  const lines = ['# cigen bot report', ''];
  if (report.stopped !== undefined)
    lines.push(`**Incomplete:** ${tableCell(report.stopped)}; only the projects listed before it were handled.`, '');
  lines.push('| status | projects |', '| --- | --- |');
  for (const status of STATUSES) lines.push(`| ${status} | ${report.counts[status]} |`);
  lines.push('', '| project | status | merge request | reason |', '| --- | --- | --- | --- |');
  for (const p of report.projects)
    lines.push(
      `| ${tableCell(p.path)} | ${p.status} | ${p.mergeRequest ? `[link](${p.mergeRequest})` : ''} | ${tableCell(p.reason ?? '')} |`,
    );
  return `${lines.join('\n')}\n`;
}
