import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { constants as fsConstants, closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
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
import { toBase64Url } from '../protocol/base64';
import { distinctNames, PARTIAL_SUFFIX, safeFileName } from '../client/safe-file-name';
import { identityOf, type FileIdentity } from './disk-files';

/**
 * What `banguins receive` keeps in `--out` while it receives, so a process started again with the
 * same link goes on where a killed one stopped. It never holds the link's secret. To add a field,
 * add it here as optional: a state that verifies keeps every field it was saved with.
 */
export interface SavedReceiveState {
  /** Which link this is for: a hash of the sender id and the secret (see linkFingerprint). */
  readonly link: string;
  /** The receiver's session id: the sender takes a process with it as the receiver it already has. */
  readonly session: string;
  /**
   * The sender's session id, learnt when pairing (saved with the manifest): with it the restarted
   * receiver proves itself from its new connection (client/crypto/peer-proof.ts).
   */
  readonly senderSession?: string;
  /** The decoded manifest, once received and accepted. */
  readonly manifest?: Manifest;
  /** Chunks of the manifest stream. */
  readonly manifestChunks?: number;
  /** How many files (in manifest order) are saved under their final names. */
  readonly done: number;
  /**
   * The file whose partial file this receive created last (saved before the sender may send it): from
   * then on the sender may count chunks of it as received, so that partial file must still be there.
   */
  readonly started?: number;
}

/** The state file's format: the state's JSON text and its HMAC, under the link's resume key. */
const STATE_FORMAT = 2;
/** HKDF info of the resume key: its own, so it is no other key of the link. */
const RESUME_KEY_INFO = 'banguins-resume-state-v2';
/** Far above any state (the manifest is at most 4 MiB); a larger file is not read. */
const MAX_STATE_FILE_BYTES = 16 * 1024 * 1024;
const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

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
      /** The partial file to go on with: which file it was when checked, and the bytes to keep. */
      readonly partial?: { readonly identity: FileIdentity; readonly bytes: number };
    };

/** A hash naming one link (sender id and secret), safe to store: the secret cannot be had back from it. */
export function linkFingerprint(link: PairingLink): string {
  return createHash('sha256').update('banguins-resume-v1\0').update(link.senderId).update('\0').update(link.secret).digest('hex').slice(0, 32);
}

/** The state file of a link in `outDir`: `.banguins-resume-<fingerprint>.json`. */
export function receiveStatePath(outDir: string, link: PairingLink): string {
  return path.join(outDir, `.banguins-resume-${linkFingerprint(link)}.json`);
}

/** The lock file of a link in `outDir`, held while a receive of it runs: `.banguins-resume-<fingerprint>.lock`. */
export function receiveLockPath(outDir: string, link: PairingLink): string {
  return path.join(outDir, `.banguins-resume-${linkFingerprint(link)}.lock`);
}

/** The target paths of a manifest's files in `outDir` (sanitised, distinct names). */
export function targetPaths(outDir: string, files: readonly { readonly name: string }[]): string[] {
  return distinctNames(files.map((f) => safeFileName(f.name))).map((name) => path.join(outDir, name));
}

function resumeKey(link: PairingLink): Buffer {
  return Buffer.from(hkdfSync('sha256', link.secret, new Uint8Array(0), RESUME_KEY_INFO, 32));
}

function macOf(link: PairingLink, stateText: string): string {
  return createHmac('sha256', resumeKey(link)).update(stateText).digest('base64url');
}

/**
 * Saves the state with its MAC (to a temporary file created afresh without following a link, then
 * renamed over the old one, so a kill never leaves half of it). Synchronous: it is written before
 * the sender can hear of what it records.
 */
export function saveReceiveState(file: string, link: PairingLink, state: SavedReceiveState): void {
  const stateText = JSON.stringify(state);
  const text = JSON.stringify({ v: STATE_FORMAT, link: state.link, state: stateText, mac: macOf(link, stateText) });
  const temporary = `${file}.tmp`;
  try {
    unlinkSync(temporary);
  } catch {
    // none left by a killed process
  }
  const fd = openSync(temporary, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | NO_FOLLOW, 0o600);
  try {
    const bytes = Buffer.from(text);
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // rename replaces whatever is at `file` (a link included) and never writes through it.
  renameSync(temporary, file);
}

/** Removes the state file (the transfer finished, failed or was cancelled). */
export async function removeReceiveState(file: string): Promise<void> {
  await Promise.all([unlink(file).catch(() => undefined), unlink(`${file}.tmp`).catch(() => undefined)]);
}

class Mismatch extends Error {}

/**
 * Reads the state a killed receiver left for this link, checks its MAC (an edited state, or one of
 * another link, is refused), then checks it against the disk: every saved file has its SHA-256, the
 * partial file is a regular file no longer than announced, and is there if the sender may have had
 * chunks of it. Its whole chunks are hashed again (a torn last chunk is dropped) to seed the file's
 * SHA-256. Links are never followed.
 */
export async function findReceiveState(file: string, link: PairingLink, outDir: string, createHasher: HasherFactory): Promise<FoundReceiveState> {
  let text: string;
  try {
    text = await readStateFile(file);
  } catch (error) {
    if (error instanceof Mismatch) return { kind: 'mismatch', reason: error.message };
    return { kind: 'none' };
  }
  try {
    return await checkState(openEnvelope(text, link), link, outDir, createHasher);
  } catch (error) {
    if (error instanceof Mismatch) return { kind: 'mismatch', reason: error.message };
    if (error instanceof SyntaxError) return { kind: 'mismatch', reason: 'the saved state is not JSON' };
    return { kind: 'mismatch', reason: `the saved state is unusable (${(error as Error).message})` };
  }
}

/** The state file's text; throws Mismatch for a link or a file too large, anything else when absent. */
async function readStateFile(file: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(file, fsConstants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new Mismatch('the saved state is a symbolic link');
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Mismatch('the saved state is not a regular file');
    if (info.size > MAX_STATE_FILE_BYTES) throw new Mismatch('the saved state is too large');
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The saved state once its envelope is for this link and its MAC verifies. */
function openEnvelope(text: string, link: PairingLink): Partial<SavedReceiveState> {
  const envelope = JSON.parse(text) as { v?: unknown; link?: unknown; state?: unknown; mac?: unknown };
  if (envelope.v !== STATE_FORMAT) throw new Mismatch('the saved state is of another version');
  if (envelope.link !== linkFingerprint(link)) throw new Mismatch('the saved state is for another link');
  if (typeof envelope.state !== 'string' || typeof envelope.mac !== 'string') throw new Mismatch('the saved state is damaged');
  const expected = Buffer.from(macOf(link, envelope.state));
  const given = Buffer.from(envelope.mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Mismatch('the saved state was changed since this receiver wrote it');
  const saved = JSON.parse(envelope.state) as Partial<SavedReceiveState>;
  if (saved.link !== envelope.link) throw new Mismatch('the saved state is for another link');
  return saved;
}

async function checkState(saved: Partial<SavedReceiveState>, link: PairingLink, outDir: string, createHasher: HasherFactory): Promise<FoundReceiveState> {
  if (typeof saved.session !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(saved.session)) throw new Mismatch('the saved session id is damaged');
  // Fields this version does not know are kept: the MAC vouches for them.
  if (saved.senderSession !== undefined && (typeof saved.senderSession !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(saved.senderSession))) {
    throw new Mismatch("the saved sender's session id is damaged");
  }
  const state: SavedReceiveState = { ...saved, link: linkFingerprint(link), session: saved.session, done: 0 };
  if (saved.manifest === undefined) return { kind: 'resume', state };
  const manifest = checkManifestLimits(decodeManifest(new TextEncoder().encode(JSON.stringify(saved.manifest))));
  const { manifestChunks, started } = saved;
  let done = saved.done;
  if (typeof manifestChunks !== 'number' || !Number.isInteger(manifestChunks) || manifestChunks < 1) throw new Mismatch('the saved manifest chunk count is damaged');
  if (typeof done !== 'number' || !Number.isInteger(done) || done < 0 || done > manifest.files.length) throw new Mismatch('the saved count of finished files is damaged');
  if (started !== undefined && (typeof started !== 'number' || !Number.isInteger(started))) throw new Mismatch('the saved started file is damaged');
  const targets = targetPaths(outDir, manifest.files);
  for (let index = 0; index < done; index++) {
    const target = targets[index]!;
    if ((await hashOfRegularFile(target, manifest.files[index]!.size, createHasher)) !== manifest.files[index]!.sha256) {
      throw new Mismatch(`${path.basename(target)} is gone or changed since it was received`);
    }
  }
  for (;;) {
    const next = manifest.files[done];
    const at = { ...state, manifest, manifestChunks, done };
    const fresh = { manifest, manifestChunks, nextFile: done, chunksOnDisk: 0, hasher: createHasher() };
    if (!next) return { kind: 'resume', state: at, point: fresh };
    const target = targets[done]!;
    const partialName = `${path.basename(target)}${PARTIAL_SUFFIX}`;
    const partialInfo = await lstat(target + PARTIAL_SUFFIX).catch(() => undefined);
    if (partialInfo === undefined) {
      // Killed after the file took its final name but before the state said so: it counts if its hash checks.
      if ((await hashOfRegularFile(target, next.size, createHasher)) === next.sha256) {
        done++;
        continue;
      }
      // The sender may have had chunks of it: starting it again from 0 would wait for chunks it never resends.
      if (started === done) throw new Mismatch(`${partialName} is gone since the receiver stopped`);
      return { kind: 'resume', state: at, point: fresh };
    }
    if (!partialInfo.isFile()) throw new Mismatch(`${partialName} is not a regular file`);
    if (started !== done) {
      // Not yet announced as ours: an empty one was created just before the kill; any other is left alone.
      if (partialInfo.size !== 0) return { kind: 'resume', state: at, point: fresh };
      return { kind: 'resume', state: at, point: fresh, partial: { identity: identityOf(partialInfo), bytes: 0 } };
    }
    if (partialInfo.size > next.size) throw new Mismatch(`${partialName} is longer than the ${next.size} bytes announced`);
    const chunktotal = chunkCountOf(next.size, manifest.chunkSize);
    const chunksOnDisk = partialInfo.size === next.size ? chunktotal : Math.floor(partialInfo.size / manifest.chunkSize);
    const bytes = chunksOnDisk === chunktotal ? next.size : chunksOnDisk * manifest.chunkSize;
    const hasher = createHasher();
    const identity = await feed(target + PARTIAL_SUFFIX, bytes, (piece) => hasher.update(piece));
    if (identity.dev !== partialInfo.dev || identity.ino !== partialInfo.ino) throw new Mismatch(`${partialName} changed while it was read`);
    return {
      kind: 'resume',
      state: at,
      point: { manifest, manifestChunks, nextFile: done, chunksOnDisk, hasher },
      resuming: { name: path.basename(target), bytes },
      partial: { identity, bytes },
    };
  }
}

/** The SHA-256 (base64url) of a regular file of exactly `size` bytes; undefined when it is anything else. */
async function hashOfRegularFile(file: string, size: number, createHasher: HasherFactory): Promise<string | undefined> {
  const info = await lstat(file).catch(() => undefined);
  if (!info?.isFile() || info.size !== size) return undefined;
  const hasher = createHasher();
  try {
    await feed(file, size, (piece) => hasher.update(piece));
  } catch {
    return undefined;
  }
  return toBase64Url(hasher.digest());
}

/** Reads the first `bytes` bytes of a regular file (never through a link) in 1 MiB pieces; returns which file it read. */
async function feed(file: string, bytes: number, take: (piece: Uint8Array) => void): Promise<FileIdentity> {
  let handle: FileHandle;
  try {
    handle = await open(file, fsConstants.O_RDONLY | NO_FOLLOW);
  } catch {
    throw new Mismatch(`${path.basename(file)} cannot be read`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Mismatch(`${path.basename(file)} is not a regular file`);
    const buffer = new Uint8Array(1024 * 1024);
    for (let offset = 0; offset < bytes; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - offset), offset);
      if (bytesRead === 0) throw new Mismatch(`${path.basename(file)} became shorter while it was read`);
      take(buffer.subarray(0, bytesRead));
      offset += bytesRead;
    }
    return identityOf(info);
  } finally {
    await handle.close();
  }
}
