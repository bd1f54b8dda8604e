import { createHash } from 'node:crypto';
import { lstat, open, rename, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
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
    read: async (offset, length) => {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = new Uint8Array(wanted);
      let filled = 0;
      while (filled < wanted) {
        const { bytesRead } = await handle.read(buffer, filled, wanted - filled, offset + filled);
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

/**
 * Writes a file as `<target>.banguins-partial`, appending in order (after its first `resumeAtBytes`
 * bytes when a restarted receiver goes on with it); commit() renames it to `target`
 * (refusing to replace an existing file unless `force`), abort() deletes it.
 */
export async function openPartialFileSink(target: string, force: boolean, resumeAtBytes = 0): Promise<ByteSink> {
  const partial = target + PARTIAL_SUFFIX;
  const handle = await open(partial, resumeAtBytes > 0 ? 'r+' : 'w');
  // A resumed partial file keeps its first resumeAtBytes bytes (whole chunks, already hashed); a torn tail goes.
  if (resumeAtBytes > 0) await handle.truncate(resumeAtBytes);
  let position = resumeAtBytes;
  let open_ = true;
  const closeOnce = async () => {
    if (open_) {
      open_ = false;
      await handle.close();
    }
  };
  return {
    write: async (bytes) => {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position);
        written += bytesWritten;
        position += bytesWritten;
      }
    },
    commit: async () => {
      await handle.sync();
      await closeOnce();
      if (!force && (await pathExists(target))) {
        throw new CliError('FileExists', `${target} appeared while receiving; the data is kept in ${partial}`);
      }
      await rename(partial, target);
    },
    abort: async () => {
      await closeOnce();
      await unlink(partial).catch(() => undefined);
    },
  };
}

/** Node's native SHA-256 behind the client's Hasher port (several times faster than the portable one). */
export const createNodeSha256: HasherFactory = (): Hasher => {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => new Uint8Array(hash.digest()),
  };
};
