/**
 * `cigen bot --report FILE`: a report that cannot be written is found before the first request
 * (exit 74, nothing asked of GitLab), not after merge requests were opened; and the summary line
 * is printed whatever becomes of the report (the full-disk case, where the check passes and the
 * write fails, is in test/system/file-writes.test.ts).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cigenAsync as cli } from '../helpers/cli.js';
import { FakeGitLab, KANIKO_CI } from '../helpers/fake-gitlab.js';

let fake: FakeGitLab;
let dir: string;
beforeEach(async () => {
  fake = await FakeGitLab.start();
  fake.addProject({ path: 'acme/shop', files: { '.gitlab-ci.yml': KANIKO_CI } });
  dir = mkdtempSync(join(tmpdir(), 'cigen-bot-report-'));
  chmodSync(dir, 0o755);
});
afterEach(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const bot = (report: string, options: { unprivileged?: boolean } = {}) =>
  cli(['bot', '--gitlab-url', fake.url, '--group', 'acme', '--report', report], { GITLAB_TOKEN: fake.token }, options);

describe('--report that cannot be written is refused before the first request', () => {
  it.each([
    [
      'in a directory the user may not write',
      () => join(dir, 'r.json'),
      { unprivileged: true },
      (d: string) => `cannot write ${d}/r.json: permission denied; nothing was asked of GitLab\n`,
    ],
    [
      "another user's file in a sticky directory (/tmp): the directory is writable, the rename over that file is not",
      () => (chmodSync(dir, 0o1777), writeFileSync(join(dir, 'r.json'), '{}', { mode: 0o666 }), join(dir, 'r.json')),
      { unprivileged: true },
      (d: string) =>
        `cannot write ${d}/r.json: another user owns it, in a sticky directory: only its owner can replace it; nothing was asked of GitLab\n`,
    ],
    [
      'a read-only file',
      () => (writeFileSync(join(dir, 'r.json'), '{}', { mode: 0o444 }), join(dir, 'r.json')),
      {},
      (d: string) => `cannot write ${d}/r.json: the file is read-only; nothing was asked of GitLab\n`,
    ],
    [
      'whose Markdown twin is a directory',
      () => (mkdirSync(join(dir, 'r.md')), join(dir, 'r.json')),
      {},
      (d: string) => `cannot write ${d}/r.md: it is a directory; nothing was asked of GitLab\n`,
    ],
  ])('%s: exit 74, one line, no request, no merge request', async (_name, report, options, message) => {
    const result = await bot(report(), options);
    expect(result.stderr).toBe(message(dir));
    expect(result.status).toBe(74);
    expect(result.stdout).toBe('');
    expect(fake.requests).toEqual([]);
    expect(fake.mergeRequests('acme/shop')).toEqual([]);
  });

  it('a directory that does not exist yet is made, as before: the run goes on and the report is written', async () => {
    const result = await bot(join(dir, 'reports/r.json'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^1 project\(s\): 1 opened; \d+ request\(s\)$/m);
    expect(JSON.parse(readFileSync(join(dir, 'reports/r.json'), 'utf8'))).toMatchObject({ counts: { opened: 1 } });
    expect(existsSync(join(dir, 'reports/r.md'))).toBe(true);
    // The check leaves nothing behind.
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual(['r.json', 'r.md']);
  });
});
