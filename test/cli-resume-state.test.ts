import { createHash, createHmac, randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '../client';
import { toBase64Url } from '../protocol/base64';
import type { PairingLink } from '../client/crypto/pairing-link';
import { createNodeSha256 } from '../cli/disk-files';
import { findReceiveState, linkFingerprint, receiveStatePath, saveReceiveState, type SavedReceiveState } from '../cli/resume-state';

const CHUNK = 16 * 1024;

function sha(bytes: Uint8Array): string {
  return toBase64Url(new Uint8Array(createHash('sha256').update(bytes).digest()));
}

describe('the receive state a killed receiver leaves in --out', () => {
  let out: string;
  const link: PairingLink = { relayUrl: 'ws://127.0.0.1:1', senderId: 'sender-1', secret: randomBytes(32) };
  const first = randomBytes(3 * CHUNK + 5);
  const second = randomBytes(5 * CHUNK);
  const manifest: Manifest = {
    v: 1,
    chunkSize: CHUNK,
    files: [
      { fileid: 'f0', name: 'first.bin', size: first.length, type: 'application/octet-stream', sha256: sha(first) },
      { fileid: 'f1', name: '../second.bin', size: second.length, type: 'application/octet-stream', sha256: sha(second) },
    ],
  };
  const state: SavedReceiveState = { link: linkFingerprint(link), session: 'session-0123456789', manifest, manifestChunks: 1, done: 1, started: 1 };

  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'banguins-resume-state-'));
  });
  afterEach(async () => rm(out, { recursive: true, force: true }));

  const find = () => findReceiveState(receiveStatePath(out, link), link, out, createNodeSha256);

  it('is named after the link and never holds its secret', () => {
    saveReceiveState(receiveStatePath(out, link), link, state);
    const other = receiveStatePath(out, { ...link, secret: randomBytes(32) });
    expect(path.basename(receiveStatePath(out, link))).toMatch(/^\.banguins-resume-[0-9a-f]{32}\.json$/);
    expect(other).not.toBe(receiveStatePath(out, link));
    expect(JSON.stringify(state)).not.toContain(toBase64Url(link.secret));
  });

  it('goes on after the whole chunks of the partial file, drops a torn one, and seeds the hash with them', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), second.subarray(0, 2 * CHUNK + 100));
    saveReceiveState(receiveStatePath(out, link), link, state);
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect(found.point.nextFile).toBe(1);
    expect(found.point.chunksOnDisk).toBe(2);
    expect(found.resuming).toEqual({ name: 'second.bin', bytes: 2 * CHUNK });
    expect(found.state.session).toBe('session-0123456789');
    found.point.hasher.update(second.subarray(2 * CHUNK));
    expect(toBase64Url(found.point.hasher.digest())).toBe(sha(second));
  });

  it('takes a partial file of the announced size as all its chunks, the short last one too', async () => {
    await writeFile(path.join(out, 'first.bin.banguins-partial'), first);
    saveReceiveState(receiveStatePath(out, link), link, { ...state, done: 0, started: 0 });
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect([found.point.nextFile, found.point.chunksOnDisk]).toEqual([0, 4]);
    expect(found.resuming).toEqual({ name: 'first.bin', bytes: first.length });
    expect(toBase64Url(found.point.hasher.digest())).toBe(sha(first));
  });

  it('refuses a partial file longer than announced', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), randomBytes(second.length + 1));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'second.bin.banguins-partial is longer than the 81920 bytes announced' });
  });

  it('refuses when a file it had saved is gone or changed', async () => {
    await writeFile(path.join(out, 'first.bin'), first.subarray(1));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'first.bin is gone or changed since it was received' });
  });

  it('refuses a state of another link and damaged JSON', async () => {
    const other: PairingLink = { ...link, senderId: 'sender-2' };
    saveReceiveState(receiveStatePath(out, link), other, { ...state, link: linkFingerprint(other) });
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state is for another link' });
    await writeFile(receiveStatePath(out, link), '{"v":1,');
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state is not JSON' });
  });

  it('counts a file that took its final name just before the kill when its hash checks', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    saveReceiveState(receiveStatePath(out, link), link, { ...state, done: 0, started: 0 });
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect(found.point.nextFile).toBe(1);
    expect(found.point.chunksOnDisk).toBe(0);
    expect(found.state.done).toBe(1);
  });

  it('refuses a saved file swapped while the receiver was down, even of the same size', async () => {
    await writeFile(path.join(out, 'first.bin'), randomBytes(first.length));
    await writeFile(path.join(out, 'second.bin.banguins-partial'), second.subarray(0, CHUNK));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'first.bin is gone or changed since it was received' });
  });

  it('refuses a saved file replaced by a link to a copy of it', async () => {
    await writeFile(path.join(out, 'copy.bin'), first);
    await symlink('copy.bin', path.join(out, 'first.bin'));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'first.bin is gone or changed since it was received' });
  });

  it('refuses a state edited on disk (the chunk size), though it is still for this link', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), second.subarray(0, 2 * CHUNK));
    saveReceiveState(receiveStatePath(out, link), link, state);
    const text = await readFile(receiveStatePath(out, link), 'utf8');
    const edited = text.replace(`\\"chunkSize\\":${CHUNK}`, `\\"chunkSize\\":${CHUNK / 2}`);
    expect(edited).not.toBe(text);
    await writeFile(receiveStatePath(out, link), edited);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state was changed since this receiver wrote it' });
  });

  it('refuses a state written by someone without the link, with a MAC of their own', async () => {
    const forged = JSON.stringify({ ...state, manifest: { ...manifest, chunkSize: CHUNK / 2 } });
    const mac = createHmac('sha256', 'a guessed key').update(forged).digest('base64url');
    await writeFile(receiveStatePath(out, link), JSON.stringify({ v: 2, link: linkFingerprint(link), state: forged, mac }));
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state was changed since this receiver wrote it' });
  });

  it('refuses when the partial file the sender may have had chunks of is gone (renamed away)', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'renamed.bin'), second.subarray(0, 2 * CHUNK));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'second.bin.banguins-partial is gone since the receiver stopped' });
  });

  it('goes on from chunk 0 when the next file was not started yet, and leaves a stray partial file alone', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), 'the user’s own bytes');
    saveReceiveState(receiveStatePath(out, link), link, { ...state, started: 0 });
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect([found.point.nextFile, found.point.chunksOnDisk, found.partial, found.resuming]).toEqual([1, 0, undefined, undefined]);
  });

  it('does not read a partial file that is a link, nor follow one to the state file', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'elsewhere.bin'), second.subarray(0, 2 * CHUNK));
    await symlink('elsewhere.bin', path.join(out, 'second.bin.banguins-partial'));
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'second.bin.banguins-partial is not a regular file' });
    await rm(receiveStatePath(out, link));
    await writeFile(path.join(out, 'state-elsewhere.json'), '{}');
    await symlink('state-elsewhere.json', receiveStatePath(out, link));
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state is a symbolic link' });
  });

  it('writes the state without following a link at its name or at its temporary name', async () => {
    const victim = path.join(out, 'victim.txt');
    await writeFile(victim, 'precious');
    await symlink(victim, receiveStatePath(out, link));
    await symlink(victim, `${receiveStatePath(out, link)}.tmp`);
    saveReceiveState(receiveStatePath(out, link), link, state);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await lstat(receiveStatePath(out, link))).isFile()).toBe(true);
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), second.subarray(0, CHUNK));
    expect((await find()).kind).toBe('resume');
  });

  it('finds nothing when no state was left', async () => {
    expect(await find()).toEqual({ kind: 'none' });
  });
});
