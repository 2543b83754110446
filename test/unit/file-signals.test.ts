/**
 * writeFilesAtomically and the signals that end a job (SIGTERM: GitLab cancels it or its timeout
 * ends it; SIGINT: Ctrl+C): every file or none still, and no hidden temporary left behind. The CLI
 * runs as a child, caught at a chosen fs.promises call (test/helpers/pause-at-fs.cjs) that waits
 * for the signal: no timing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWritable, writeFilesAtomically } from '../../src/cli/files.js';
import { OutputError } from '../../src/errors.js';
import { BIN } from '../helpers/cli.js';

const PAUSE = resolve(import.meta.dirname, '../helpers/pause-at-fs.cjs');
const KANIKO = `build:
  image: gcr.io/kaniko-project/executor:debug
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --destination $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project with two Kaniko pipeline files, which `cigen migrate --write` rewrites in one write. */
function project(): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cigen-signals-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.git'));
  const files = [join(dir, 'a.gitlab-ci.yml'), join(dir, 'b.gitlab-ci.yml')];
  for (const file of files) writeFileSync(file, KANIKO);
  return { dir, files };
}

const NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * `cigen migrate --write` on `files`, sent `signal` once it is paused at `pauseAt` (and again each
 * time it says it held one, `signals` in all); its status as a shell reports it (128 + the number
 * of a signal that ended it) and its stderr.
 */
function signalledMigrate(files: string[], pauseAt: string, signal: keyof typeof NUMBERS, signals = 1) {
  const child = spawn(process.execPath, [BIN, 'migrate', '--write', ...files], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NO_COLOR: '1',
      NODE_OPTIONS: `--require ${PAUSE}`,
      CIGEN_TEST_PAUSE_AT: pauseAt,
      CIGEN_TEST_PAUSE_SIGNALS: String(signals),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (stderr + chunk.toString()).split('\n').length - stderr.split('\n').length;
    stderr += chunk.toString();
    // One signal per line said (`paused`, then each `held`): never two at once, which the kernel would merge.
    for (let i = 0; i < lines; i++) child.kill(signal);
  });
  return new Promise<{ status: number | null; stderr: string }>((done) =>
    child.on('close', (code, ended) => done({ status: ended ? 128 + (NUMBERS[ended as keyof typeof NUMBERS] ?? 0) : code, stderr })),
  );
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe.each(['SIGTERM', 'SIGINT'] as const)('%s during a write of two files', (signal) => {
  it('while the temporaries are written: they are removed, neither file is changed, and the signal ends cigen', async () => {
    const { dir, files } = project();
    // The second temporary is being written; the first is complete.
    const ended = await signalledMigrate(files, 'writeFile:2', signal);
    expect(ended.stderr).toBe('paused\n');
    expect(ended.status).toBe(128 + NUMBERS[signal]);
    expect(temporaries(dir)).toEqual([]);
    for (const file of files) expect(readFileSync(file, 'utf8')).toBe(KANIKO);
  });

  it('while they are renamed: the renames finish, both files are written, none left behind, and the signal ends cigen', async () => {
    const { dir, files } = project();
    const ended = await signalledMigrate(files, 'rename:1', signal);
    expect(ended.stderr).toBe('paused\n');
    expect(ended.status).toBe(128 + NUMBERS[signal]);
    expect(temporaries(dir)).toEqual([]);
    for (const file of files) expect(readFileSync(file, 'utf8')).toContain('component: $CI_SERVER_FQDN/ci-components/cigen/buildah@1');
  });

  it('a second one while a step hangs: cigen ends at once, the temporaries removed, neither file changed', async () => {
    const { dir, files } = project();
    const ended = await signalledMigrate(files, 'writeFile:2', signal, 2);
    expect(ended.stderr).toBe('paused\nheld\n');
    expect(ended.status).toBe(128 + NUMBERS[signal]);
    expect(temporaries(dir)).toEqual([]);
    for (const file of files) expect(readFileSync(file, 'utf8')).toBe(KANIKO);
  });
});

describe('the signal handlers are there only while files are written', () => {
  const listeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];

  it('after a write, after a failed one, after a check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cigen-signals-'));
    dirs.push(dir);
    const before = listeners();
    await writeFilesAtomically([{ path: join(dir, 'a.yml'), text: 'a\n' }]);
    expect(listeners()).toEqual(before);
    mkdirSync(join(dir, 'b.yml'));
    await expect(writeFilesAtomically([{ path: join(dir, 'b.yml'), text: 'b\n' }])).rejects.toBeInstanceOf(OutputError);
    expect(listeners()).toEqual(before);
    await checkWritable([join(dir, 'c.yml')], 'nothing was done');
    await expect(checkWritable([join(dir, 'b.yml')], 'nothing was done')).rejects.toBeInstanceOf(OutputError);
    expect(listeners()).toEqual(before);
    expect(temporaries(dir)).toEqual([]);
  });
});
