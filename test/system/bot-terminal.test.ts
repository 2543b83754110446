/**
 * `cigen bot` on a real pseudo-terminal (util-linux script(1)): the progress bar redraws one line
 * instead of printing a line per project. System tier: it runs a program other than node.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FakeGitLab } from '../helpers/fake-gitlab.js';

const BIN = resolve(import.meta.dirname, '../../bin/cigen.cjs');
const PLAIN = 'test:\n  image: node:20\n  script: [npm test]\n';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await FakeGitLab.start();
});
afterEach(async () => {
  await fake.stop();
});

it('on a terminal: a progress bar that redraws one line, not a line per project', async () => {
  for (let i = 0; i < 5; i++) fake.addProject({ path: `acme/p${i}`, files: { '.gitlab-ci.yml': PLAIN } });
  const command = [process.execPath, BIN, 'bot', '--gitlab-url', fake.url, '--group', 'acme'].map((a) => `'${a}'`).join(' ');
  const result = await new Promise<string>((done) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '', GITLAB_TOKEN: fake.token, TERM: 'xterm', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => done(out));
  });
  const redraws = result.split('\r\x1b[K').slice(1);
  expect(redraws).toHaveLength(5);
  expect(redraws.at(-1)).toMatch(/^5 project\(s\) {2}nothing-to-migrate 5/);
  expect(result).not.toMatch(/^nothing-to-migrate +acme\/p0/m);
  expect(result).toContain('5 project(s): 5 nothing-to-migrate');
  expect(result).not.toContain(fake.token);
});
