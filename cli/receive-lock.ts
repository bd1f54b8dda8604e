import { constants as fsConstants } from 'node:fs';
import { link, open, unlink } from 'node:fs/promises';
import { CliError } from './cli-error';

/** A held lock: release() removes it. */
export interface HeldLock {
  release(): Promise<void>;
}

const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/**
 * Takes the lock file `lockFile` for this process, or refuses in one line (`AlreadyReceiving`) while
 * the process named in it lives. The lock holds the owner's process id, complete from the moment it
 * exists (written aside, then hard-linked into place); one left by a process that died is taken over.
 */
export async function takeLock(lockFile: string, refusal: (pid: number | undefined) => string): Promise<HeldLock> {
  const mine = `${lockFile}.${process.pid}.tmp`;
  await unlink(mine).catch(() => undefined);
  const handle = await open(mine, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | NO_FOLLOW, 0o600);
  try {
    await handle.writeFile(`${process.pid}\n`);
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(mine, lockFile);
        return { release: () => releaseIfMine(lockFile) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await holderOf(lockFile);
      if (holder !== undefined && isAlive(holder)) throw new CliError('AlreadyReceiving', refusal(holder));
      // Left by a process that died (or not a lock of ours): unlink removes it, never what a link points to.
      await unlink(lockFile).catch(() => undefined);
    }
    throw new CliError('AlreadyReceiving', refusal(undefined));
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

/** The process id a lock file names; undefined when it is no lock of ours (a link, garbage). */
async function holderOf(lockFile: string): Promise<number | undefined> {
  try {
    const handle = await open(lockFile, fsConstants.O_RDONLY | NO_FOLLOW);
    try {
      const text = (await handle.readFile('utf8')).trim();
      return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it lives, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseIfMine(lockFile: string): Promise<void> {
  if ((await holderOf(lockFile)) === process.pid) await unlink(lockFile).catch(() => undefined);
}
