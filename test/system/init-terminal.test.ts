/**
 * `cigen init` on a real terminal (tmux), answered as a person would: the decision-guide
 * questions, the diff, the question before writing. System tier: it needs tmux.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('on a terminal (tmux, as a person would)', () => {
  const BIN = resolve(import.meta.dirname, '../../bin/cigen.cjs');
  const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // No deadline of its own: a loaded machine may take long; the tier's test timeout is the limit.
  async function waitFor(session: string, text: string): Promise<string> {
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session).stdout;
      if (screen.includes(text)) return screen;
      await sleep(100);
    }
  }

  /** A tmux session running `cigen init` in a project with a Dockerfile (and `files`); its name. */
  function initSession(dir: string, name: string, files: Record<string, string> = {}): string {
    const session = `cigen-init-${name}-${process.pid}`;
    writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine\n');
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '200',
      '-y',
      '50',
      '-c',
      dir,
      `NO_COLOR=1 ${process.execPath} ${BIN} init; echo EXIT=$?; sleep 30`,
    );
    return session;
  }

  it('asks the decision-guide questions, shows the diff, asks before writing, and writes on yes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-tty-'));
    const session = initSession(dir, 'yes', { '.gitlab-ci.yml': '# ours\ntest:\n  script: [make test]\n' });
    try {
      await waitFor(session, 'Can you change the configuration of the GitLab runners');
      tmux('send-keys', '-t', session, 'y', 'Enter');
      await waitFor(session, 'Are they Kubernetes runners');
      tmux('send-keys', '-t', session, 'n', 'Enter');
      const diff = await waitFor(session, 'Write .gitlab-ci.yml? [y/N]');
      expect(diff).toContain('Builder: buildah');
      expect(diff).toContain('+  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1');
      expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe('# ours\ntest:\n  script: [make test]\n');
      tmux('send-keys', '-t', session, 'y', 'Enter');
      await waitFor(session, 'EXIT=0');
      expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(
        'include:\n  - component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1\n    inputs:\n      job-name: build-image\n' +
          '      image: $CI_REGISTRY_IMAGE\n\n# ours\ntest:\n  script: [make test]\n',
      );
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answering no to the first question picks the Kaniko fork, and no to writing leaves the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-tty-'));
    const session = initSession(dir, 'no');
    try {
      await waitFor(session, 'Can you change the configuration');
      tmux('send-keys', '-t', session, 'n', 'Enter');
      const screen = await waitFor(session, 'Write .gitlab-ci.yml? [y/N]');
      expect(screen).toContain('Builder: kaniko');
      tmux('send-keys', '-t', session, 'Enter');
      expect(await waitFor(session, 'EXIT=0')).toContain('Nothing written.');
      expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('Dockerfile');
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['at the first question', undefined],
    ['at the question before writing', 'Write .gitlab-ci.yml? [y/N]'],
  ])('Ctrl+C %s: exit 130 (as for SIGINT), nothing written, not "a bug in cigen"', async (_when, second) => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-tty-'));
    const session = initSession(dir, second ? 'ctrl-c-write' : 'ctrl-c-first', { '.gitlab-ci.yml': '# ours\n' });
    try {
      await waitFor(session, 'Can you change the configuration');
      if (second) {
        tmux('send-keys', '-t', session, 'n', 'Enter');
        await waitFor(session, second);
      }
      tmux('send-keys', '-t', session, 'C-c');
      const screen = await waitFor(session, 'EXIT=');
      expect(screen).toContain('EXIT=130');
      expect(screen).toContain('cigen init: interrupted; nothing written');
      expect(screen).not.toContain('bug in cigen');
      expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe('# ours\n');
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl+D (end of input) is No: at the first question, and then at the question before writing; nothing written, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-init-tty-'));
    const session = initSession(dir, 'ctrl-d');
    try {
      await waitFor(session, 'Can you change the configuration');
      tmux('send-keys', '-t', session, 'C-d');
      const screen = await waitFor(session, 'EXIT=');
      // (readline ends the line itself when the input ends, or not: either way the answer is said.)
      expect(screen).toMatch(/\(config\.toml or the Helm values\)\? \[y\/N\] \s*\(end of input: no\)\nBuilder: kaniko/);
      expect(screen).toContain('Write .gitlab-ci.yml? [y/N] (end of input: no)\nNothing written.');
      expect(screen).toContain('EXIT=0');
      expect(screen).not.toContain('bug in cigen');
      expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('Dockerfile');
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
