import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { toBase64Url } from '../protocol/base64';
import { bytesSource, HashMismatchError, receiveFiles, sendFiles, type ByteSink, type ByteSource } from '../client';
import { sealControl } from '../client/crypto/control-messages';
import { deriveSessionKeys, Sealer, SECRET_BYTES } from '../client/crypto/session-crypto';
import { savedFileNames } from '../client/safe-file-name';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { parseFrame, startRelayInTheMiddle } from '../support/relay-in-the-middle';
import { runCliJson } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';

/**
 * A file that changes after its sender hashed it, as a file still being written does: the first
 * read (the sender's hash: a file under 1 MiB is read at once) sees `before`, every later one
 * (the chunks) sees `after`.
 */
function changingSource(before: Uint8Array, after: Uint8Array): ByteSource {
  let reads = 0;
  return { size: before.length, read: async (offset, length) => (reads++ === 0 ? before : after).subarray(offset, offset + length) };
}

/** Long enough that only the refusal can end a session within the test's time. */
const NO_GIVING_UP = { resumeTimeoutMs: 10 * 60_000, idleTimeoutMs: 10 * 60_000, receiptTimeoutMs: 10 * 60_000 };

const RECEIVER_SAYS = (name: string) => `${name} arrived damaged (its SHA-256 differs from the one announced); nothing was saved; send it again`;
const SENDER_SAYS = (name: string) =>
  `${name} arrived damaged at the receiver (its SHA-256 differs from the one announced: did the file change while it was being sent?); the receiver saved nothing; send it again`;

describe('a receiver that refuses a damaged file tells the sender at once, naming the file', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  it('client to client: both sides fail with HashMismatch naming the file (the receiver by its saved name), and nothing of it is kept', async () => {
    // GIVEN two files, the second of which changes after the sender hashed it (its name is hostile)
    const notes = randomBytes(3000);
    const rawName = 'holiday/ph\u202eoto.jpg';
    const shownName = savedFileNames(['notes.txt', rawName])[1]!;
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      ...NO_GIVING_UP,
      files: [
        { name: 'notes.txt', source: bytesSource(notes) },
        { name: rawName, source: changingSource(randomBytes(50_000), randomBytes(50_000)) },
      ],
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    });
    sending.catch(() => undefined);
    const committed: number[] = [];
    const aborted: number[] = [];
    // WHEN a receiver gets them
    const receiving = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      ...NO_GIVING_UP,
      openSink: async (file): Promise<ByteSink> => {
        const sink = collectingSink([]);
        return { ...sink, commit: async () => void committed.push(file.index), abort: async () => void aborted.push(file.index) };
      },
    });
    // THEN the receiver refuses the second file by its saved name, keeps none of it, and the sender hears at once
    const received = await receiving.catch((e: unknown) => e);
    expect(received).toBeInstanceOf(HashMismatchError);
    expect((received as HashMismatchError).message).toBe(RECEIVER_SAYS(shownName));
    expect((received as HashMismatchError).file).toEqual({ index: 1, name: shownName });
    expect(shownName).not.toContain('\u202e');
    expect(committed).toEqual([0]);
    expect(aborted).toEqual([1]);
    const sent = await sending.catch((e: unknown) => e);
    expect(sent).toBeInstanceOf(HashMismatchError);
    expect((sent as HashMismatchError).code).toBe('HashMismatch');
    expect((sent as HashMismatchError).message).toBe(SENDER_SAYS(rawName));
    expect((sent as HashMismatchError).file).toEqual({ index: 1, name: rawName });
  });

  it('a refusal the relay forges (unsealed, sealed with another key, garbage) changes nothing: the transfer completes', async () => {
    // GIVEN a relay that slips forged "f0 arrived damaged" cancels in beside each Request the receiver sends the sender
    const mitm = await startRelayInTheMiddle(relay.url);
    const strangerKeys = await deriveSessionKeys(randomBytes(SECRET_BYTES));
    const refusal = { t: 'cancel', reason: 'f0 arrived damaged', code: 'damaged', file: 0 } as const;
    const forgedMessages = [
      toBase64Url(new TextEncoder().encode(JSON.stringify(refusal))),
      await sealControl(new Sealer(strangerKeys.receiverKey), refusal),
      'not-base64-at-all!',
    ];
    let forged = 0;
    mitm.setRewriter((text, direction) => {
      const frame = parseFrame(text);
      if (direction !== 'to-client' || frame?.action !== 'Request' || forged >= 30) return 'pass';
      forged += forgedMessages.length;
      const forgeries = forgedMessages.map((message) => JSON.stringify({ ...frame, message: { ...frame.message, message } }));
      return { replaceWith: [...forgeries, text] };
    });
    try {
      const content = randomBytes(300_000);
      let gotLink!: (link: string) => void;
      const link = new Promise<string>((resolve) => (gotLink = resolve));
      const sending = sendFiles({
        relayUrl: mitm.url,
        WebSocket: NODE_WS,
        tuning: QUICK_TUNING,
        files: [{ name: 'kept.bin', source: bytesSource(content) }],
        onEvent: (event) => event.type === 'link' && gotLink(event.link),
      });
      const parts: Buffer[] = [];
      // WHEN a receiver gets the file through it
      await receiveFiles({ link: await link, WebSocket: NODE_WS, tuning: QUICK_TUNING, lingerMs: 200, openSink: async () => collectingSink(parts) });
      // THEN both sides finish, the bytes are the file's, and the forgeries reached the sender
      await expect(sending).resolves.toMatchObject({ files: 1 });
      expect(Buffer.concat(parts).equals(content)).toBe(true);
      expect(forged).toBeGreaterThan(0);
    } finally {
      await mitm.close();
    }
  });

  it('CLI to CLI: a file that changed after it was hashed ends both with one line naming it, exit 1, at once, and nothing saved', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'banguins-damaged-'));
    try {
      const file = path.join(work, 'photo.jpg');
      const out = path.join(work, 'out');
      writeFileSync(file, randomBytes(200_000));
      let gotLink!: (link: string) => void;
      const link = new Promise<string>((resolve) => (gotLink = resolve));
      const senderEvents: Record<string, unknown>[] = [];
      const sender = runCliJson(['send', file, '--relay', relay.url, '--json'], (event) => {
        senderEvents.push(event);
        if (event.type === 'link') gotLink(event.link as string);
      });
      // The sender hashed the file while it registered (before it printed the link): it changes now, same size.
      const pairingLink = await link;
      writeFileSync(file, randomBytes(200_000));
      const receiverEvents: Record<string, unknown>[] = [];
      const receiver = runCliJson(['receive', pairingLink, '--out', out, '--json'], (event) => receiverEvents.push(event));
      const [sent, received] = await Promise.all([sender.done, receiver.done]);

      expect(received.code).toBe(1);
      expect(received.stderr).toBe(`banguins: ${RECEIVER_SAYS('photo.jpg')}\n`);
      expect(receiverEvents.at(-1)).toEqual({ type: 'error', code: 'HashMismatch', message: RECEIVER_SAYS('photo.jpg') });
      expect(sent.code).toBe(1);
      expect(sent.stderr).toBe(`banguins: ${SENDER_SAYS('photo.jpg')}\n`);
      expect(senderEvents.at(-1)).toEqual({ type: 'error', code: 'HashMismatch', message: SENDER_SAYS('photo.jpg') });
      // Nothing saved, no partial file, no resume state left.
      expect(readdirSync(out).filter((name) => statSync(path.join(out, name)).isFile())).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
