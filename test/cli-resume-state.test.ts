import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '../client';
import { toBase64Url } from '../client/base64';
import type { PairingLink } from '../client/pairing-link';
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
  const state: SavedReceiveState = { v: 1, link: linkFingerprint(link), session: 'session-0123456789', manifest, manifestChunks: 1, done: 1 };

  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'banguins-resume-state-'));
  });
  afterEach(async () => rm(out, { recursive: true, force: true }));

  const find = () => findReceiveState(receiveStatePath(out, link), link, out, createNodeSha256);

  it('is named after the link and never holds its secret', () => {
    saveReceiveState(receiveStatePath(out, link), state);
    const other = receiveStatePath(out, { ...link, secret: randomBytes(32) });
    expect(path.basename(receiveStatePath(out, link))).toMatch(/^\.banguins-resume-[0-9a-f]{32}\.json$/);
    expect(other).not.toBe(receiveStatePath(out, link));
    expect(JSON.stringify(state)).not.toContain(toBase64Url(link.secret));
  });

  it('goes on after the whole chunks of the partial file, drops a torn one, and seeds the hash with them', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), second.subarray(0, 2 * CHUNK + 100));
    saveReceiveState(receiveStatePath(out, link), state);
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
    saveReceiveState(receiveStatePath(out, link), { ...state, done: 0 });
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect([found.point.nextFile, found.point.chunksOnDisk]).toEqual([0, 4]);
    expect(found.resuming).toEqual({ name: 'first.bin', bytes: first.length });
    expect(toBase64Url(found.point.hasher.digest())).toBe(sha(first));
  });

  it('refuses a partial file longer than announced', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    await writeFile(path.join(out, 'second.bin.banguins-partial'), randomBytes(second.length + 1));
    saveReceiveState(receiveStatePath(out, link), state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'second.bin.banguins-partial is longer than the 81920 bytes announced' });
  });

  it('refuses when a file it had saved is gone or changed', async () => {
    await writeFile(path.join(out, 'first.bin'), first.subarray(1));
    saveReceiveState(receiveStatePath(out, link), state);
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'first.bin is gone or changed since it was received' });
  });

  it('refuses a state of another link and damaged JSON', async () => {
    saveReceiveState(receiveStatePath(out, link), { ...state, link: linkFingerprint({ ...link, senderId: 'sender-2' }) });
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state is for another link' });
    await writeFile(receiveStatePath(out, link), '{"v":1,');
    expect(await find()).toEqual({ kind: 'mismatch', reason: 'the saved state is not JSON' });
  });

  it('counts a file that took its final name just before the kill when its hash checks', async () => {
    await writeFile(path.join(out, 'first.bin'), first);
    saveReceiveState(receiveStatePath(out, link), { ...state, done: 0 });
    const found = await find();
    if (found.kind !== 'resume' || !found.point) throw new Error(`expected a resume, got ${JSON.stringify(found)}`);
    expect(found.point.nextFile).toBe(1);
    expect(found.point.chunksOnDisk).toBe(0);
    expect(found.state.done).toBe(1);
  });

  it('finds nothing when no state was left', async () => {
    expect(await find()).toEqual({ kind: 'none' });
  });
});
