import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { bytesSource, receiveFiles, sendFiles } from '../client';
import { fromBase64 } from '../protocol/base64';
import { openControl, sealControl, type ControlMessage } from '../client/crypto/control-messages';
import { parsePairingLink } from '../client/crypto/pairing-link';
import { chunkAad, deriveSessionKeys, openSealed, Sealer } from '../client/crypto/session-crypto';
import { connectFrame, parseIncomingFrame, requestFrame, type IncomingFrame } from '../client/transport/wire-frames';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

/**
 * Someone who saw the link (a photo of the QR code, a shared screen) but is not the receiver: it
 * holds the secret, so it can seal and open every control message and chunk. It tries the attack of
 * issue 17 item 8: a rejoin Request with a sender hello that the relay delivers to the real
 * receiver, then whatever session id or proof it learns, shown to the real sender as "its receiver
 * that moved".
 */
class StaleLinkHolder {
  readonly heard: ControlMessage[] = [];
  decryptedChunks = 0;
  private constructor(
    private readonly ws: WebSocket,
    private readonly keys: Awaited<ReturnType<typeof deriveSessionKeys>>,
    private readonly senderId: string,
  ) {}

  static async join(link: string): Promise<StaleLinkHolder> {
    const parsed = parsePairingLink(link);
    const keys = await deriveSessionKeys(parsed.secret);
    const ws = new WebSocket(parsed.relayUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const holder = new StaleLinkHolder(ws, keys, parsed.senderId);
    const connected = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const frame = parseIncomingFrame(data.toString('utf8'));
        if (frame?.action === 'Connect') resolve();
        if (frame) void holder.onFrame(frame);
      });
    });
    ws.send(connectFrame(keys.qrhash));
    await connected;
    return holder;
  }

  /** A sender hello to a connection that does not exist, asking the relay to rejoin: it goes to the newest other holder of the qrhash, the receiver. */
  async helloToReceiverByRejoin(): Promise<void> {
    const hello = await sealControl(new Sealer(this.keys.senderKey), { t: 'hello', role: 'sender', session: 'attacker-session', reply: false });
    this.ws.send(requestFrame({ connectionid: 'no-such-connection=', qrhash: this.keys.qrhash, message: hello, rejoin: true }));
  }

  private async onFrame(frame: IncomingFrame): Promise<void> {
    if (frame.action === 'Transfer') {
      const { data, fileid, chunkid, chunktotal } = frame.message;
      if (await openSealed(this.keys.senderKey, fromBase64(data), chunkAad(fileid ?? '', chunkid, chunktotal))) this.decryptedChunks++;
      return;
    }
    if (frame.action !== 'Request') return;
    const control = await openControl(this.keys.receiverKey, frame.message.message);
    if (!control) return;
    this.heard.push(control);
    if (control.t !== 'hello') return;
    // Replay what the receiver said, as the receiver, to the real sender: its session id, its proof, both.
    const sealer = new Sealer(this.keys.receiverKey);
    const asReceiver: ControlMessage = { ...control, reply: false };
    this.ws.send(requestFrame({ connectionid: this.senderId, qrhash: this.keys.qrhash, message: await sealControl(sealer, asReceiver) }));
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('a stale holder of the link cannot take over a transfer', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  it('GIVEN a transfer under way, WHEN a link holder rejoins to the receiver with a sender hello and replays what it hears to the sender, THEN it learns no session, gets no chunk, and the file arrives whole', async () => {
    const content = randomBytes(6_000_000);
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    let attacked!: () => void;
    const attackDone = new Promise<void>((resolve) => (attacked = resolve));
    let holder: StaleLinkHolder | undefined;
    // Paced so that the transfer lasts a few seconds and the attack lands in the middle of it.
    const tuning = { ...QUICK_TUNING, pacingPerSecond: 40 };
    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'secret.bin', source: bytesSource(content) }],
      tuning,
      onEvent: (event) => {
        if (event.type === 'link') gotLink(event.link);
        if (event.type === 'progress' && event.bytes > 0 && !holder) {
          void (async () => {
            holder = await StaleLinkHolder.join(await link);
            await holder.helloToReceiverByRejoin();
            attacked();
          })();
        }
      },
    });
    sending.catch(() => undefined);
    const parts: Buffer[] = [];
    const receiving = receiveFiles({ link: await link, WebSocket: NODE_WS, tuning, lingerMs: 200, openSink: async () => collectingSink(parts) });
    receiving.catch(() => undefined);
    const outcome = await Promise.race([
      Promise.all([sending, receiving]).then(() => 'finished'),
      new Promise((resolve) => setTimeout(() => resolve('stalled'), 40_000)),
    ]);
    await attackDone;
    holder?.close();

    expect(holder).toBeDefined();
    expect(holder!.heard.filter((m) => m.t === 'hello')).toEqual([]);
    expect(holder!.decryptedChunks).toBe(0);
    expect(outcome).toBe('finished');
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  }, 60_000);
});
