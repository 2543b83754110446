/**
 * The CLI's file I/O, in one place, so that every command fails the same clean way.
 *
 * Reads: a missing file, a directory where a file belongs, an unreadable or oversized file is a
 * usage error naming the flag or argument (exit 2), never a stack trace; a file cigen reads on its
 * own account (a project's README, a local include) fails the same way (`cannotRead`).
 *
 * Writes never leave a half-written file and never surprise (a write that fails is exit 74): every file is written to a
 * temporary sibling first and renamed over the target only when all temporaries are complete;
 * a symlink is written through (the link stays a link); a read-only file is refused; whatever
 * fails, the temporaries are removed and nothing is renamed. A SIGINT or SIGTERM (a cancelled job)
 * while they are written removes them too, then ends the process as the signal would have.
 */
// node:fs/promises is reached through fs.promises, made on first use: a command that reads its
// files synchronously (a lint) does not load it.
import { closeSync, fstatSync, openSync, promises as fsp, readFileSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, OutputError, UsageError } from '../errors.js';
import { withYaml11Breaks } from '../ci/yaml.js';

/** Larger than any pipeline or inputs file a person writes; a guard against reading a disk image. */
export const MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024;

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

/** One line for a file-system error: its code in words, never a stack. */
export const reasonOf = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (error instanceof Error ? error.message.split('\n')[0] : String(error)) ?? 'unknown error';
};

/** A file that exists but cannot be read (permission denied, a directory...): one line naming it, exit 2. */
export const cannotRead = (what: string, error: unknown): UsageError => new UsageError(`${what}: cannot read it (${reasonOf(error)})`);

/** Where the first byte is that does not begin a well-formed UTF-8 sequence (as the WHATWG
 *  decoder reads one: no overlong forms, no surrogates, nothing above U+10FFFF), or -1. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let at = 0; at < bytes.length;) {
    const lead = bytes[at] as number;
    if (lead < 0x80) {
      at++;
      continue;
    }
    let more: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) more = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return at;
    for (let k = 1; k <= more; k++) {
      const next = bytes[at + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return at;
    }
    at += more + 1;
  }
  return -1;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// ignoreBOM: a byte-order mark stays in the text, as it is in the file (the splicer keeps it first).
const LOSSY = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A file that is not UTF-8 text: where its first invalid byte is (line and column as the file's
 * text counts them, the line's bytes before it being valid). `text` is the file decoded with each
 * invalid sequence replaced by U+FFFD, for a reader that goes on (lint); a command that edits the
 * file must not write it back. Exit 1: the file's content is the problem.
 */
export class NotUtf8Error extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly byte: number,
    readonly text: string,
  ) {
    const reason = `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} is not UTF-8`;
    super(`${file}:${line}:${column}: ${reason} (save the file as UTF-8)`);
    this.reason = reason;
  }

  /** What is wrong, without the place. */
  readonly reason: string;
}

/** What a command that edits files says of one that is not UTF-8 (`why`: why it needs UTF-8);
 *  it writes nothing. */
export const refuseNotUtf8 = (error: NotUtf8Error, why: string): InputError =>
  new InputError(`${error.file}:${error.line}:${error.column}: ${error.reason}: ${why} (save the file as UTF-8); ${NOTHING_WRITTEN}`);

/** A file's bytes as text: UTF-8, a byte-order mark kept; anything else is a NotUtf8Error naming
 *  `file` (what the messages call it) at the first invalid byte. Never a U+FFFD in place of a byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidByte(bytes));
    // Lines as the YAML positions (and lint's code frame) count them: a lone CR, NEL, LS and PS
    // end one too. The column as an editor shows it: characters (UTF-16 units, as the YAML
    // positions count), a byte-order mark not one of them.
    const lines = withYaml11Breaks(LOSSY.decode(bytes.subarray(0, at))).split('\n');
    const column = (lines.at(-1) as string).replace(lines.length === 1 ? /^\ufeff/ : /^$/, '').length + 1;
    throw new NotUtf8Error(file, lines.length, column, bytes[at] as number, LOSSY.decode(bytes));
  }
}

/** A file cigen reads on its own account, synchronously: its text; any failure is `cannotRead`,
 *  bytes that are not UTF-8 a NotUtf8Error naming `what`. */
export function readFileText(path: string, what: string = path): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw cannotRead(what, error);
  }
  return decodeUtf8(bytes, what);
}

/** The entries of a directory cigen reads on its own account, sorted; any failure is `cannotRead`. */
export function listDirectory(path: string, what: string = path): string[] {
  try {
    return readdirSync(path).sort();
  } catch (error) {
    throw cannotRead(what, error);
  }
}

/** A file cigen reads on its own account that may be missing: its bytes, undefined then; any
 *  other failure is `cannotRead`. */
// Read synchronously: `cigen build` reads its thirty-odd files one after the other, and each read
// through node:fs/promises is four trips to the thread pool (open, stat, read, close): 27 ms of a
// 209 ms `build --check` (median, without a code cache). A promise still, as its callers take it.
// eslint-disable-next-line @typescript-eslint/require-await
export async function readOptionalBytes(path: string, what: string = path): Promise<Buffer | undefined> {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotRead(what, error);
  }
}

/** The buffers holdsText reads files into and encodes texts into, kept from call to call. */
const compared: { file: Buffer; text: Buffer } = { file: Buffer.alloc(0), text: Buffer.alloc(0) };

/** `buffer` when it holds `size` bytes, else a larger one holding its first `kept` bytes. */
function room(buffer: Buffer, size: number, kept = 0): Buffer {
  if (buffer.length >= size) return buffer;
  const larger = Buffer.allocUnsafeSlow(Math.max(size, 2 * buffer.length));
  buffer.copy(larger, 0, 0, kept);
  return larger;
}

/**
 * Whether the file at `path` holds exactly `text` in UTF-8: false when it is missing; any other
 * failure is `cannotRead`, as readOptionalBytes's. Read into, and the text encoded into, buffers
 * kept from call to call: `cigen build --check` compares 2.5 MB, and new memory for each file
 * (which the process touches for the first time) cost more than the comparison.
 */
export function holdsText(path: string, text: string, what: string = path): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cannotRead(what, error);
  }
  try {
    // Read to the end, whatever the size said (a file that grows meanwhile, a special file).
    compared.file = room(compared.file, fstatSync(fd).size + 1);
    let size = 0;
    for (;;) {
      compared.file = room(compared.file, size + 1, size);
      const read = readSync(fd, compared.file, size, compared.file.length - size, null);
      if (read === 0) break;
      size += read;
    }
    const length = Buffer.byteLength(text);
    if (size !== length) return false;
    compared.text = room(compared.text, length);
    compared.text.write(text);
    return compared.file.subarray(0, size).equals(compared.text.subarray(0, length));
  } catch (error) {
    throw cannotRead(what, error);
  } finally {
    closeSync(fd);
  }
}

/** The same as text: bytes that are not UTF-8 are a NotUtf8Error naming `what`, never a U+FFFD
 *  in place of a byte (which a command that edits the file would write back). */
export async function readOptionalFile(path: string, what: string = path): Promise<string | undefined> {
  const bytes = await readOptionalBytes(path, what);
  return bytes === undefined ? undefined : decodeUtf8(bytes, what);
}

/**
 * A text file the user named: `what` says how (`--inputs x.yml`, `x.yml`), for the message.
 * Every way it cannot be read is a usage error (exit 2); bytes that are not UTF-8, a NotUtf8Error
 * naming `path` (exit 1).
 */
// Read synchronously, one file before anything else happens (and `cigen lint` then needs no
// node:fs/promises); a promise still, as its callers take it.
// eslint-disable-next-line @typescript-eslint/require-await
export async function readUserFile(path: string, what: string = path): Promise<string> {
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    throw new UsageError(`${what}: ${reasonOf(error)}`);
  }
  if (info.isDirectory()) throw new UsageError(`${what}: is a directory, not a file`);
  if (!info.isFile()) throw new UsageError(`${what}: not a regular file`);
  if (info.size > MAX_INPUT_FILE_BYTES) {
    throw new UsageError(`${what}: ${info.size} bytes is more than cigen reads (${MAX_INPUT_FILE_BYTES} bytes)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw cannotRead(what, error);
  }
  return decodeUtf8(bytes, path);
}

/** A directory the user named (`--root DIR`): missing, or a file there, is a usage error (exit 2). */
// eslint-disable-next-line @typescript-eslint/require-await
export async function requireDirectory(path: string, what: string): Promise<void> {
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    throw new UsageError(`${what}: ${reasonOf(error)}`);
  }
  if (!info.isDirectory()) throw new UsageError(`${what}: not a directory`);
}

export interface PendingWrite {
  path: string;
  text: string;
}

/** The file a path names once its symbolic links are followed, when that file does not exist yet
 *  (a link to a file still to be written): the link stays a link. */
async function missingTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const info = await fsp.lstat(current).catch(() => undefined);
    if (!info?.isSymbolicLink()) return current;
    // Relative to where the link really is: `..` in a link inside a linked directory goes up from there.
    const directory = await fsp.realpath(dirname(current)).catch(() => dirname(current));
    current = resolve(directory, await fsp.readlink(current));
  }
  throw Object.assign(new Error(`${path}: too many symbolic links`), { code: 'ELOOP' });
}

/** How many random bytes, in hex, tell one temporary file of a file from another. */
const TAG_BYTES = 6;

/** The name of a temporary file for the file named `name`: hidden, `tag` making it unique. */
const temporaryName = (name: string, tag: string): string => `.${name}.${tag}.tmp`;

/** A new temporary file's name for `target`, in `dir` (its own directory by default): hidden, unique.
 *  (Web Crypto's global loads node:crypto when first used: a command that writes nothing does not.) */
const temporaryFor = (target: string, dir: string = dirname(target)): string =>
  join(dir, temporaryName(basename(target), Buffer.from(crypto.getRandomValues(new Uint8Array(TAG_BYTES))).toString('hex')));

/** What temporaryName puts before the name, between it and the tag, and after the tag. */
const [BEFORE_NAME, BEFORE_TAG, AFTER_TAG] = temporaryName('\0', '\0').split('\0') as [string, string, string];

/**
 * The name of the file that `entry` (a file name) is a temporary file of, when writeFilesAtomically
 * names its temporaries so; else undefined. One a write left (the process killed between writing
 * it and the rename, or an older cigen) is found by it.
 */
export function temporaryTarget(entry: string): string | undefined {
  const tagEnd = entry.length - AFTER_TAG.length;
  const tag = entry.slice(tagEnd - 2 * TAG_BYTES, tagEnd);
  const name = entry.slice(BEFORE_NAME.length, tagEnd - tag.length - BEFORE_TAG.length);
  // Read back through temporaryName itself: whatever it puts around them, the name and tag are these.
  return name !== '' && /^[0-9a-f]+$/.test(tag) && tag.length === 2 * TAG_BYTES && temporaryName(name, tag) === entry ? name : undefined;
}

/** A file that cannot be written: which, why, and what was written (or done) all the same. */
export class WriteError extends OutputError {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly outcome: string,
  ) {
    super(`cannot write ${path}: ${reason}; ${outcome}`);
  }
}

const NOT_REGULAR = 'not a regular file (a device, a FIFO or a socket)';

/**
 * Where a write really goes: through a symlink to its target; a new file stays where it is named.
 * A directory, a device and a read-only file are refused (WriteError, with `outcome`).
 */
async function destination(path: string, outcome: string): Promise<{ target: string; mode?: number }> {
  // What the path names now, links followed by the kernel: /dev/stdout into a pipe links to
  // `pipe:[N]`, which realpath cannot resolve (ENOENT), and which is no file to be created.
  const named = await fsp.stat(path).catch(() => undefined);
  if (named?.isDirectory()) throw new WriteError(path, 'it is a directory', outcome);
  if (named && !named.isFile()) throw new WriteError(path, NOT_REGULAR, outcome);
  const target = await fsp.realpath(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missingTarget(path);
    throw error;
  });
  const info = await fsp.stat(target).catch(() => undefined);
  if (info?.isDirectory()) throw new WriteError(path, 'it is a directory', outcome);
  // A device, a FIFO or a socket (`-o /dev/stdout`, a named pipe): renaming a file over it would
  // replace the node itself (as root, /dev/full with a regular file). Standard output is the way.
  if (info && !info.isFile()) throw new WriteError(path, NOT_REGULAR, outcome);
  const mode = info ? info.mode & 0o7777 : undefined;
  // A file without any write bit was made read-only on purpose (root could still write it).
  if (mode !== undefined && (mode & 0o222) === 0) throw new WriteError(path, 'the file is read-only', outcome);
  return mode === undefined ? { target } : { target, mode };
}

/** The directory a file would be written in, or the nearest one above it that exists (which
 *  writeFilesAtomically creates the rest in). */
async function nearestDirectory(dir: string): Promise<string> {
  for (let at = dir; ; at = dirname(at)) {
    const info = await fsp.stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && dirname(at) !== at) return undefined;
      throw error;
    });
    if (info) return at;
  }
}

/**
 * A file the rename cannot replace although the directory is writable: in a sticky directory
 * (/tmp) only the file's owner, the directory's owner or root may (Linux, for rename as for
 * unlink), so the probe below would pass and the write fail.
 */
async function ownedElsewhereInStickyDirectory(target: string): Promise<boolean> {
  const uid = process.geteuid?.();
  if (uid === undefined || uid === 0) return false;
  const [file, dir] = await Promise.all([fsp.stat(target), fsp.stat(dirname(target))]);
  return (dir.mode & 0o1000) !== 0 && file.uid !== uid && dir.uid !== uid;
}

/** The signals that end a command from outside: Ctrl+C, and GitLab cancelling a job or ending
 *  it at its timeout (SIGTERM); with their numbers, for the status 128 + n a shell reports. */
const ENDING_SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type EndingSignal = keyof typeof ENDING_SIGNALS;

/** Ends the process as `signal` would have: by the signal itself when nothing else listens for
 *  it (the status a shell reports as 128 + its number), else with that status. */
function endAs(signal: EndingSignal): never {
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  process.exit(128 + ENDING_SIGNALS[signal]);
}

/**
 * Runs `work` with SIGINT and SIGTERM held: the first one is noted (`signalled()` says so, for
 * `work` to stop where it leaves nothing behind) and, once `work` has settled, ends the process
 * as it would have. A second one ends it at once, the files `leftovers()` names removed first.
 * The handlers are there only while `work` runs.
 */
async function holdingSignals<T>(leftovers: () => readonly string[], work: (signalled: () => boolean) => Promise<T>): Promise<T> {
  let received: EndingSignal | undefined;
  const onSignal = (signal: EndingSignal): void => {
    if (received === undefined) {
      received = signal;
      return;
    }
    for (const path of leftovers()) rmSync(path, { force: true });
    endAs(signal);
  };
  for (const signal of Object.keys(ENDING_SIGNALS) as EndingSignal[]) process.on(signal, onSignal);
  try {
    return await work(() => received !== undefined);
  } finally {
    for (const signal of Object.keys(ENDING_SIGNALS) as EndingSignal[]) process.removeListener(signal, onSignal);
    if (received !== undefined) endAs(received);
  }
}

/**
 * Whether writeFilesAtomically could write each file, found out before a command does anything
 * it cannot take back (the bot opening merge requests): what it refuses (a directory, a device, a
 * read-only file), and a temporary file created and removed where it would write (a permission, a
 * read-only file system). A WriteError saying `outcome` otherwise. A full disk shows only then.
 */
export async function checkWritable(paths: readonly string[], outcome: string): Promise<void> {
  // A signal while a probe is there (SIGINT, SIGTERM) ends the process once it is removed.
  let probe: string | undefined;
  await holdingSignals(
    () => (probe === undefined ? [] : [probe]),
    async () => {
      for (const path of paths) {
        try {
          const { target, mode } = await destination(path, outcome);
          if (mode !== undefined && (await ownedElsewhereInStickyDirectory(target)))
            throw new WriteError(path, 'another user owns it, in a sticky directory: only its owner can replace it', outcome);
          probe = temporaryFor(target, await nearestDirectory(dirname(target)));
          await fsp.writeFile(probe, '', { flag: 'wx', mode: 0o600 });
          await fsp.rm(probe, { force: true });
          probe = undefined;
        } catch (error) {
          if (probe !== undefined) await fsp.rm(probe, { force: true });
          if (error instanceof WriteError) throw error;
          throw new WriteError(path, reasonOf(error), outcome);
        }
      }
    },
  );
}

/** mkdir -p. Not Node's recursive mkdir: where mkdir answers ENOENT with the parent present
 *  (procfs, sysfs) it tries again forever; here a second ENOENT is the error. */
async function makeDirectories(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectories(parent);
    await fsp.mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

/** What a write that failed says when it left every file as it was. */
export const NOTHING_WRITTEN = 'nothing was written';

/** What stops the temporaries being written when a signal came (never reported: the signal ends the process). */
const SIGNALLED = new Error('a signal came');

/**
 * Writes every file, or none: all temporaries first, then the renames. A SIGINT or SIGTERM (a job
 * cancelled) while the temporaries are written removes them, nothing written; one during the
 * renames lets them finish, every file written; then the process ends as the signal ends it.
 */
export async function writeFilesAtomically(writes: readonly PendingWrite[]): Promise<void> {
  const staged: { temp: string; target: string; path: string }[] = [];
  await holdingSignals(
    () => staged.map(({ temp }) => temp),
    async (signalled) => {
      const renamed: string[] = [];
      let current = '';
      try {
        for (const { path, text } of writes) {
          if (signalled()) throw SIGNALLED;
          current = path;
          const { target, mode } = await destination(path, NOTHING_WRITTEN);
          await makeDirectories(dirname(target));
          const temp = temporaryFor(target);
          staged.push({ temp, target, path });
          // Made with the file's own mode (the umask may narrow it, never widen it): the new content of a
          // private file is never readable by others, not even before the rename.
          await fsp.writeFile(temp, text, { flag: 'wx', ...(mode !== undefined ? { mode } : {}) });
          // A rewritten file keeps its permissions (an executable script stays executable), whatever the umask took.
          if (mode !== undefined) await fsp.chmod(temp, mode);
        }
        if (signalled()) throw SIGNALLED;
        for (const { temp, target, path } of staged) {
          current = path;
          await fsp.rename(temp, target);
          renamed.push(path);
        }
      } catch (error) {
        await Promise.all(staged.map(({ temp }) => fsp.rm(temp, { force: true })));
        // The signal ends the process once this returns (holdingSignals).
        if (error === SIGNALLED) return;
        if (error instanceof OutputError) throw error;
        // Renames in one directory practically never fail once the temporaries are written; if one
        // does, say exactly what was written.
        const outcome =
          renamed.length === 0 ? NOTHING_WRITTEN : `only ${renamed.join(', ')} ${renamed.length === 1 ? 'was' : 'were'} written`;
        throw new WriteError(current, reasonOf(error), outcome);
      }
    },
  );
}
