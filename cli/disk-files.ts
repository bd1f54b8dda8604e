import { createHash } from 'node:crypto';
import { constants as fsConstants, readSync, writeSync } from 'node:fs';
import { link, lstat, open, rename, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { ByteSink, ByteSource, Hasher, HasherFactory, OutgoingFile } from '../client';
import { PARTIAL_SUFFIX } from '../client/safe-file-name';
import { CliError } from './cli-error';

/** A disk file opened for sending, with a way to close it. */
export interface OpenedFile extends OutgoingFile {
  close(): Promise<void>;
}

/** Opens a regular file for random-access reads (resends read again; nothing is held in memory). */
export async function openFileSource(filePath: string): Promise<OpenedFile> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(filePath);
  } catch {
    throw new CliError('FileNotFound', `cannot read ${filePath}: no such file`);
  }
  if (!info.isFile()) throw new CliError('NotAFile', `${filePath} is not a regular file`);
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw new CliError('FileNotReadable', `cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const size = info.size;
  const source: ByteSource = {
    size,
    // Synchronous reads (readSync on the handle's descriptor): a 96 KB piece from the page cache takes
    // microseconds, where the promise API's trip through the thread pool cost the sender a third of
    // its CPU (bench/transfer.ts under --cpu-prof).
    read: async (offset, length) => {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.allocUnsafe(wanted);
      let filled = 0;
      while (filled < wanted) {
        const bytesRead = readSync(handle.fd, buffer, filled, wanted - filled, offset + filled);
        if (bytesRead === 0) throw new CliError('FileChanged', `${filePath} became shorter while it was being sent`);
        filled += bytesRead;
      }
      return buffer;
    },
  };
  return { name: path.basename(filePath), type: 'application/octet-stream', source, close: () => handle.close() };
}

/** Whether a path exists (a symbolic link counts, even one that points nowhere). */
export async function pathExists(filePath: string): Promise<boolean> {
  try {
    await lstat(filePath);
    return true;
  } catch {
    return false;
  }
}

/** Bytes an unprivileged user may still write in the file system holding `folder`; Infinity when unknown. */
export async function freeBytes(folder: string): Promise<number> {
  try {
    const info = await statfs(folder);
    return info.bavail * info.bsize;
  } catch {
    return Infinity;
  }
}

/** Which file a path named when it was checked (device and inode): a file put in its place has others. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** Flags that never follow a symbolic link in the last part of a path (0 where the platform has no O_NOFOLLOW). */
const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/** How a partial file is opened. */
export interface PartialFileOptions {
  /** Replace an existing `<target>` (and a stray partial file, never following a link). */
  readonly force: boolean;
  /**
   * Goes on with the partial file a resume state named: it must still be that regular file
   * (`identity`, from findReceiveState); its first `bytes` bytes are kept, the rest cut off.
   */
  readonly resume?: { readonly bytes: number; readonly identity: FileIdentity };
}

/**
 * Writes a file as `<target>.banguins-partial`, appending in order. A fresh partial file is created
 * exclusively, never through a link: one that exists is not ours and is left alone (FileExists)
 * unless `force`, which removes it first. commit() moves the partial file, checked to be the one
 * we wrote, to `target`, never replacing a file or a link there unless `force`; abort() deletes it.
 */
export async function openPartialFileSink(target: string, options: PartialFileOptions): Promise<ByteSink> {
  const partial = target + PARTIAL_SUFFIX;
  const handle = options.resume ? await reopenPartial(partial, options.resume.identity) : await createPartial(partial, options.force);
  const identity = identityOf(await handle.stat());
  // A resumed partial file keeps its first bytes (whole chunks, already hashed); a torn tail goes.
  if (options.resume) await handle.truncate(options.resume.bytes);
  let position = options.resume?.bytes ?? 0;
  let open_ = true;
  /** Set when the received file could not take its name: it stays as the partial file, as the error says. */
  let kept = false;
  const closeOnce = async () => {
    if (open_) {
      open_ = false;
      await handle.close();
    }
  };
  return {
    // Synchronous writes, as the source's reads (openFileSource): into the page cache, microseconds each.
    write: async (bytes) => {
      let written = 0;
      while (written < bytes.length) {
        const bytesWritten = writeSync(handle.fd, bytes, written, bytes.length - written, position);
        written += bytesWritten;
        position += bytesWritten;
      }
    },
    commit: async () => {
      await handle.sync();
      await closeOnce();
      if (!(await isSameRegularFile(partial, identity))) {
        throw new CliError('PartialReplaced', `${partial} was replaced by something else while receiving; nothing was moved to ${path.basename(target)}`);
      }
      if (options.force) {
        await moveOrExplain(partial, target);
        return;
      }
      if (!(await moveWithoutReplacing(partial, target))) {
        kept = true;
        throw new CliError('FileExists', `${target} appeared while receiving and was left alone; the received file is kept as ${partial}`);
      }
    },
    abort: async () => {
      await closeOnce();
      if (!kept && (await isSameRegularFile(partial, identity))) await unlink(partial).catch(() => undefined);
    },
  };
}

async function createPartial(partial: string, force: boolean): Promise<FileHandle> {
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | NO_FOLLOW;
  try {
    return await open(partial, flags, 0o666);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(partial, error);
  }
  if (!force) {
    throw new CliError('FileExists', `${partial} already exists and is not from this receive (move it away, or use --force to replace it)`);
  }
  // unlink removes a link itself, never what it points to; a second racer loses on O_EXCL.
  await unlink(partial).catch(() => undefined);
  try {
    return await open(partial, flags, 0o666);
  } catch (error) {
    throw writeError(partial, error);
  }
}

async function reopenPartial(partial: string, expected: FileIdentity): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(partial, fsConstants.O_RDWR | NO_FOLLOW);
  } catch (error) {
    throw writeError(partial, error);
  }
  const info = await handle.stat();
  if (!info.isFile() || info.dev !== expected.dev || info.ino !== expected.ino) {
    await handle.close();
    throw new CliError('PartialReplaced', `${partial} was replaced since it was checked; receive again to start clean`);
  }
  return handle;
}

/** Moves `from` to `to` unless something is at `to`: false then, and nothing moved. */
async function moveWithoutReplacing(from: string, to: string): Promise<boolean> {
  try {
    // A hard link fails if `to` exists (a file, a link, anything): the check and the move are one step.
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (await pathExists(to)) return false;
    await moveOrExplain(from, to);
    return true;
  }
  await unlink(from);
  return true;
}

async function moveOrExplain(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    throw new CliError('FileNotWritable', `cannot move the received file to ${to}: ${(error as NodeJS.ErrnoException).code ?? 'error'}; it is kept as ${from}`);
  }
}

/** Whether `file` is (still) the regular file with this identity, looked at without following a link. */
async function isSameRegularFile(file: string, identity: FileIdentity): Promise<boolean> {
  try {
    const info = await lstat(file);
    return info.isFile() && info.dev === identity.dev && info.ino === identity.ino;
  } catch {
    return false;
  }
}

/** The identity of a file from its stat. */
export function identityOf(info: { readonly dev: number; readonly ino: number }): FileIdentity {
  return { dev: info.dev, ino: info.ino };
}

function writeError(file: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ELOOP') return new CliError('FileExists', `${file} is a symbolic link; it is left alone (move it away)`);
  return new CliError('FileNotWritable', `cannot write ${file}: ${code}`);
}

/** Node's native SHA-256 behind the client's Hasher port (several times faster than the portable one). */
export const createNodeSha256: HasherFactory = (): Hasher => {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => new Uint8Array(hash.digest()),
  };
};
