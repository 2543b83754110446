/**
 * Standard output and standard error, written through their file descriptors. Node makes
 * process.stdout and process.stderr on first use, and making one loads Node's stream and net
 * modules: about 3 ms of every run, most of what a short `cigen lint` spends beyond its work.
 * The writes are synchronous, as Node's own are to files, pipes and terminals on Linux, so the
 * order of lines is the order of calls.
 *
 * A write that fails ends the process, as a failed write to a stream did: Node ignores SIGPIPE,
 * so a reader that went away (`cigen ... | head`) is EPIPE, and the status is the one SIGPIPE
 * gives; any other error (a full disk, a device error) is said in one line on standard error,
 * when that one still writes, and the status is EX_IOERR.
 */
import { fstatSync, writeSync } from 'node:fs';
import { BROKEN_PIPE, OUTPUT_ERROR } from '../errors.js';

export type StandardStream = 'stdout' | 'stderr';

const DESCRIPTORS: Readonly<Record<StandardStream, number>> = { stdout: 1, stderr: 2 };
const NAMES: Readonly<Record<StandardStream, string>> = { stdout: 'standard output', stderr: 'standard error' };

/** What an error of the output stream `name` says: `ENOSPC: no space left on device, write` reads
 *  `cannot write to standard output: no space left on device (ENOSPC)`. */
export function outputErrorLine(name: string, error: NodeJS.ErrnoException): string {
  const reason = /^[A-Z0-9_]+: (.+?)(?:, [a-z_]+)?$/.exec(error.message)?.[1] ?? error.message;
  return `cigen: cannot write to ${name}: ${reason}${error.code && !reason.includes(error.code) ? ` (${error.code})` : ''}\n`;
}

function stopOnWriteError(stream: StandardStream, error: NodeJS.ErrnoException): never {
  if (error.code === 'EPIPE') process.exit(BROKEN_PIPE);
  if (stream !== 'stderr') {
    try {
      writeSync(DESCRIPTORS.stderr, outputErrorLine(NAMES[stream], error));
    } catch {
      // Standard error fails as well: the status alone says it.
    }
  }
  process.exit(OUTPUT_ERROR);
}

/** A descriptor another process left non-blocking (a shared pipe) refuses a write while the
 *  pipe is full: wait a millisecond for the reader. */
const pause = (): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);

function writeToDescriptor(stream: StandardStream, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(DESCRIPTORS[stream], bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') pause();
      else stopOnWriteError(stream, error as NodeJS.ErrnoException);
    }
  }
}

/** Whether the process writes through Node's streams: a property of the process, kept on
 *  globalThis, so that it holds across vi.resetModules() in the tests that set it. */
const THROUGH_NODE_STREAMS = Symbol.for('cigen.outputThroughNodeStreams');

/**
 * For a long command that talks to a server while it prints (the bot): its output then goes
 * through Node's streams, which queue what a slow reader has not taken (`cigen bot | less`)
 * instead of stopping the process, and with it the requests in flight, until the reader reads.
 * The test set-up (test/helpers/output-through-streams.ts) sets it for commands run in the test's
 * own process, whose output vitest captures and tests spy on.
 */
export function writeThroughNodeStreams(): void {
  (globalThis as Record<symbol, unknown>)[THROUGH_NODE_STREAMS] = true;
}

function write(stream: StandardStream, text: string): void {
  if ((globalThis as Record<symbol, unknown>)[THROUGH_NODE_STREAMS] === true) process[stream].write(text);
  else writeToDescriptor(stream, text);
}

export const writeOut = (text: string): void => write('stdout', text);
export const writeErr = (text: string): void => write('stderr', text);

/**
 * Whether the stream is a terminal. A terminal is a character device, and a pipe or a file (what
 * CI gives a job) is not: only a character device is asked further, through the Node stream,
 * which is then made.
 */
export function isTerminal(stream: StandardStream): boolean {
  return (terminal[stream] ??= isCharacterDevice(DESCRIPTORS[stream]) && Boolean(process[stream].isTTY));
}

const terminal: Partial<Record<StandardStream, boolean>> = {};

function isCharacterDevice(descriptor: number): boolean {
  try {
    return fstatSync(descriptor).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * Whatever still makes process.stdout or process.stderr (readline's prompts, a Node warning, a
 * library): the stream's write errors end the process as writeOut's do, instead of an unhandled
 * error event and its stack trace. Node makes each stream in a getter on first use; the getter is
 * wrapped, so a run that never uses one still never makes it.
 */
export function guardNodeStreams(): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(process, stream);
    if (!descriptor?.get || !descriptor.configurable) continue;
    const make = descriptor.get.bind(process);
    let guarded: NodeJS.WriteStream | undefined;
    Object.defineProperty(process, stream, {
      ...descriptor,
      get() {
        if (guarded === undefined) {
          guarded = make() as NodeJS.WriteStream;
          guarded.on('error', (error: NodeJS.ErrnoException) => stopOnWriteError(stream, error));
        }
        return guarded;
      },
    });
  }
}
