import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import { bytesSource, receiveFiles, sendFiles } from '../client';
import { runCliJson } from './support/cli-process';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { parseFrame, startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

/** A forged "the whole stream arrived" ack from `receiverId` for the stream of `transfer`. */
function forgedSuccess(receiverId: string, transfer: Record<string, unknown>): string {
  return JSON.stringify({
    action: 'Acknowledge',
    message: { connectionid: receiverId, success: true, missingchunkids: [], receivedthrough: Number(transfer.chunktotal) - 1, fileid: transfer.fileid },
  });
}

describe('the sender reports a file delivered only on the receiver\'s sealed receipt', () => {
  let relay: LocalRelay;
  let mitm: RelayInTheMiddle;
  let work: string;

  beforeAll(async () => {
    relay = await startTestRelay();
    work = await mkdtemp(path.join(tmpdir(), 'banguins-receipt-'));
  });
  afterAll(async () => {
    await relay.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    mitm = await startRelayInTheMiddle(relay.url);
  });
  afterEach(async () => {
    await mitm.close();
  });

  it('a relay that drops every file chunk and forges "all arrived" acks gets a non-zero exit and one clear line, not "Done"', async () => {
    // GIVEN a relay that swallows the file's chunks and answers each with a forged success ack from the receiver
    const file = path.join(work, 'forged.bin');
    await writeFile(file, randomBytes(200_000));
    const out = await mkdtemp(path.join(work, 'out-'));
    let receiverId: string | undefined;
    let forged = 0;
    mitm.setRewriter((text, direction, connection) => {
      const frame = parseFrame(text);
      if (direction === 'to-relay' && frame?.action === 'Request' && connection.index === 1) receiverId = connection.connectionId;
      if (direction !== 'to-relay' || frame?.action !== 'Transfer' || frame.message?.fileid === 'manifest' || receiverId === undefined) return 'pass';
      forged++;
      connection.toClient(forgedSuccess(receiverId, frame.message!));
      return 'drop';
    });
    // WHEN the CLI sends through it
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const events: Record<string, unknown>[] = [];
    const sender = runCliJson(['send', file, '--relay', mitm.url, '--json'], (event) => {
      events.push(event);
      if (event.type === 'link') gotLink(event.link as string);
    });
    const receiver = runCliJson(['receive', await link, '--out', out, '--json']);
    const sent = await sender.done;
    // The receiver, still waiting for the chunks, is stopped by its user: it exits (its cancel meets PeerGone, which starts nothing again).
    receiver.child.kill('SIGINT');
    const stopped = await receiver.done;
    expect(stopped.code).toBe(130);
    // THEN it does not claim the file was delivered: no file-done, no done, exit 1 and one line saying so
    expect(forged).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'file-done' || e.type === 'done')).toEqual([]);
    expect(sent.code).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'Unconfirmed' });
    expect(sent.stderr.trim().split('\n')).toEqual([expect.stringMatching(/did not confirm forged\.bin/)]);
    const saved = await readdir(out);
    expect(saved.includes('forged.bin') ? (await stat(path.join(out, 'forged.bin'))).size : 0).toBe(0);
  }, 90_000);

  it('a receipt the relay refuses (InternalError while its table is down) is said again: the sender still ends with success', async () => {
    // GIVEN a relay that, for 2.5 s from the receiver's first ack of the file, refuses every control frame of the receiver (its receipts)
    let refusingUntil = 0;
    let refused = 0;
    mitm.setRewriter((text, direction, connection) => {
      const frame = parseFrame(text);
      if (direction !== 'to-relay' || connection.index !== 1) return 'pass';
      if (frame?.action === 'Acknowledge' && frame.message?.fileid === 'f0' && refusingUntil === 0) refusingUntil = Date.now() + 2500;
      if (frame?.action === 'Request' && Date.now() < refusingUntil) {
        refused++;
        connection.toClient(JSON.stringify({ action: 'Error', message: { code: 'InternalError', reason: 'the relay failed to handle this frame; try again', request: 'Request' } }));
        return 'drop';
      }
      return 'pass';
    });
    const content = randomBytes(500_000);
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({ relayUrl: mitm.url, WebSocket: NODE_WS, files: [{ name: 'r.bin', source: bytesSource(content) }], tuning: QUICK_TUNING, onEvent: (e) => e.type === 'link' && gotLink(e.link) });
    const parts: Buffer[] = [];
    const receiving = receiveFiles({ link: await link, WebSocket: NODE_WS, tuning: QUICK_TUNING, openSink: async () => collectingSink(parts) });
    // THEN the receipt got through after the refusals, and both sides end well
    await expect(sending).resolves.toMatchObject({ files: 1, bytes: content.length });
    await expect(receiving).resolves.toMatchObject({ bytes: content.length });
    expect(refused).toBeGreaterThan(0);
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  }, 60_000);
});
