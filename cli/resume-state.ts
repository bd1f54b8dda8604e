import { createHash } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  checkManifestLimits,
  chunkCountOf,
  decodeManifest,
  type HasherFactory,
  type Manifest,
  type PairingLink,
  type ReceiveResumePoint,
} from '../client';
import { toBase64Url } from '../client/base64';
import { distinctNames, PARTIAL_SUFFIX, safeFileName } from '../client/safe-file-name';

/**
 * What `banguins receive` keeps in `--out` while it receives, so a process started again with the
 * same link goes on where a killed one stopped. It never holds the link's secret.
 */
export interface SavedReceiveState {
  readonly v: 1;
  /** Which link this is for: a hash of the sender id and the secret (see linkFingerprint). */
  readonly link: string;
  /** The receiver's session id: the sender takes a process with it as the receiver it already has. */
  readonly session: string;
  /** The decoded manifest, once received and accepted. */
  readonly manifest?: Manifest;
  /** Chunks of the manifest stream. */
  readonly manifestChunks?: number;
  /** How many files (in manifest order) are saved under their final names. */
  readonly done: number;
}

/** What was found in `--out` for a link. */
export type FoundReceiveState =
  | { readonly kind: 'none' }
  | { readonly kind: 'mismatch'; readonly reason: string }
  | {
      readonly kind: 'resume';
      readonly state: SavedReceiveState;
      /** Set once the manifest is known: where the files go on. */
      readonly point?: ReceiveResumePoint;
      /** The name and bytes on disk of the file that goes on, for the "Resuming" line. */
      readonly resuming?: { readonly name: string; readonly bytes: number };
    };

/** A hash naming one link (sender id and secret), safe to store: the secret cannot be had back from it. */
export function linkFingerprint(link: PairingLink): string {
  return createHash('sha256').update('banguins-resume-v1\0').update(link.senderId).update('\0').update(link.secret).digest('hex').slice(0, 32);
}

/** The state file of a link in `outDir`: `.banguins-resume-<fingerprint>.json`. */
export function receiveStatePath(outDir: string, link: PairingLink): string {
  return path.join(outDir, `.banguins-resume-${linkFingerprint(link)}.json`);
}

/** The target paths of a manifest's files in `outDir` (sanitised, distinct names). */
export function targetPaths(outDir: string, files: readonly { readonly name: string }[]): string[] {
  return distinctNames(files.map((f) => safeFileName(f.name))).map((name) => path.join(outDir, name));
}

/**
 * Saves the state (to a temporary file, then renamed over the old one, so a kill never leaves half
 * of it). Synchronous: it is written before the sender can hear of what it records.
 */
export function saveReceiveState(file: string, state: SavedReceiveState): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
}

/** Removes the state file (the transfer finished, failed or was cancelled). */
export async function removeReceiveState(file: string): Promise<void> {
  await Promise.all([unlink(file).catch(() => undefined), unlink(`${file}.tmp`).catch(() => undefined)]);
}

class Mismatch extends Error {}

/**
 * Reads the state a killed receiver left for this link and checks it against the disk: the saved
 * files are there with their sizes, the partial file is no longer than announced. Its whole chunks
 * are hashed again (a torn last chunk is dropped) to seed the file's SHA-256.
 */
export async function findReceiveState(file: string, link: PairingLink, outDir: string, createHasher: HasherFactory): Promise<FoundReceiveState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  try {
    return await checkState(JSON.parse(text) as Partial<SavedReceiveState>, link, outDir, createHasher);
  } catch (error) {
    if (error instanceof Mismatch) return { kind: 'mismatch', reason: error.message };
    if (error instanceof SyntaxError) return { kind: 'mismatch', reason: 'the saved state is not JSON' };
    return { kind: 'mismatch', reason: `the saved state is unusable (${(error as Error).message})` };
  }
}

async function checkState(saved: Partial<SavedReceiveState>, link: PairingLink, outDir: string, createHasher: HasherFactory): Promise<FoundReceiveState> {
  if (saved.v !== 1) throw new Mismatch('the saved state is of another version');
  if (saved.link !== linkFingerprint(link)) throw new Mismatch('the saved state is for another link');
  if (typeof saved.session !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(saved.session)) throw new Mismatch('the saved session id is damaged');
  const state: SavedReceiveState = { v: 1, link: saved.link, session: saved.session, done: 0 };
  if (saved.manifest === undefined) return { kind: 'resume', state };
  const manifest = checkManifestLimits(decodeManifest(new TextEncoder().encode(JSON.stringify(saved.manifest))));
  const manifestChunks = saved.manifestChunks;
  let done = saved.done;
  if (typeof manifestChunks !== 'number' || !Number.isInteger(manifestChunks) || manifestChunks < 1) throw new Mismatch('the saved manifest chunk count is damaged');
  if (typeof done !== 'number' || !Number.isInteger(done) || done < 0 || done > manifest.files.length) throw new Mismatch('the saved count of finished files is damaged');
  const targets = targetPaths(outDir, manifest.files);
  for (let index = 0; index < done; index++) {
    const size = await sizeOf(targets[index]!);
    if (size !== manifest.files[index]!.size) throw new Mismatch(`${path.basename(targets[index]!)} is gone or changed since it was received`);
  }
  for (;;) {
    const next = manifest.files[done];
    if (!next) {
      return { kind: 'resume', state: { ...state, manifest, manifestChunks, done }, point: { manifest, manifestChunks, nextFile: done, chunksOnDisk: 0, hasher: createHasher() } };
    }
    const target = targets[done]!;
    const chunktotal = chunkCountOf(next.size, manifest.chunkSize);
    const partialSize = await sizeOf(target + PARTIAL_SUFFIX);
    if (partialSize === undefined) {
      // Killed after the file took its final name but before the state said so: it counts if its hash checks.
      if ((await sizeOf(target)) === next.size && (await hashOf(target, next.size, createHasher)) === next.sha256) {
        done++;
        continue;
      }
      const point = { manifest, manifestChunks, nextFile: done, chunksOnDisk: 0, hasher: createHasher() };
      return { kind: 'resume', state: { ...state, manifest, manifestChunks, done }, point };
    }
    if (partialSize > next.size) throw new Mismatch(`${path.basename(target)}${PARTIAL_SUFFIX} is longer than the ${next.size} bytes announced`);
    const chunksOnDisk = partialSize === next.size ? chunktotal : Math.floor(partialSize / manifest.chunkSize);
    const bytes = chunksOnDisk === chunktotal ? next.size : chunksOnDisk * manifest.chunkSize;
    const hasher = createHasher();
    await feed(target + PARTIAL_SUFFIX, bytes, (piece) => hasher.update(piece));
    return {
      kind: 'resume',
      state: { ...state, manifest, manifestChunks, done },
      point: { manifest, manifestChunks, nextFile: done, chunksOnDisk, hasher },
      resuming: { name: path.basename(target), bytes },
    };
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function hashOf(file: string, bytes: number, createHasher: HasherFactory): Promise<string> {
  const hasher = createHasher();
  await feed(file, bytes, (piece) => hasher.update(piece));
  return toBase64Url(hasher.digest());
}

/** Reads the first `bytes` bytes of a file in 1 MiB pieces. */
async function feed(file: string, bytes: number, take: (piece: Uint8Array) => void): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (let offset = 0; offset < bytes; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - offset), offset);
      if (bytesRead === 0) throw new Mismatch(`${path.basename(file)} became shorter while it was read`);
      take(buffer.subarray(0, bytesRead));
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
