import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import { runCliJson } from './support/cli-process';
import { parseFrame, startRelayInTheMiddle, type RelayInTheMiddle } from './support/relay-in-the-middle';
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
});
