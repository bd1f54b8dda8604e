import WebSocket from 'ws';
import { toBase64, toBase64Url } from '../../protocol/base64';
import { openControl, sealControl, type ControlMessage } from '../../client/crypto/control-messages';
import { formatPairingLink } from '../../client/crypto/pairing-link';
import { CHUNK_PLAINTEXT_BYTES, MANIFEST_FILEID, chunkCountOf } from '../../client/streams/chunking';
import { chunkAad, deriveSessionKeys, randomBytes, Sealer, sha256, SECRET_BYTES, type SessionKeys } from '../../client/crypto/session-crypto';
import { acknowledgeFrame, connectFrame, parseIncomingFrame, requestFrame, transferFrame, type IncomingFrame } from '../../client/transport/wire-frames';
import type { AcknowledgeMessage } from '../../protocol/frames';

/** One file entry of a manifest as a hostile sender may write it (any name, any declared size or hash). */
export interface HostileManifestFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: Uint8Array;
  readonly type?: string;
}

/** How to spoil one chunk. */
export type ChunkTampering =
  /** `chunkhash` names other bytes. */
  | 'bad-hash'
  /** One ciphertext byte flipped, with a chunkhash that matches the flipped bytes (so only the tag fails). */
  | 'bad-tag';

/** A chunk to send: its place on the wire, and (when they differ) the place it was sealed for. */
export interface HostileChunk {
  readonly fileid: string;
  readonly chunkid: number;
  readonly chunktotal: number;
  readonly plaintext: Uint8Array;
  /** Seal for this place instead (a replay of another file's or position's chunk). @default the wire place */
  readonly sealedFor?: { readonly fileid: string; readonly chunkid: number; readonly chunktotal: number };
  readonly tamper?: ChunkTampering;
}

/**
 * A test-only fake SENDER that holds a link's secret and speaks the client protocol (the client's
 * own crypto, manifest layout and frame builders) but sends whatever a test tells it: hostile
 * file names, false sizes and hashes, out-of-range, tampered or replayed chunks.
 */
export class MaliciousSender {
  private readonly frames: IncomingFrame[] = [];
  private waiters: Array<() => void> = [];
  private readonly sealer: Sealer;
  private receiverId = '';

  private constructor(
    private readonly ws: WebSocket,
    private readonly keys: SessionKeys,
    readonly secret: Uint8Array,
    readonly relayUrl: string,
  ) {
    this.sealer = new Sealer(keys.senderKey);
    ws.on('message', (data: WebSocket.RawData) => {
      const frame = parseIncomingFrame(Buffer.from(data as Buffer).toString('utf8'));
      if (!frame) return;
      this.frames.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects to the relay and registers the link's qrhash, as `banguins send` does. */
  static async start(relayUrl: string): Promise<{ sender: MaliciousSender; link: string }> {
    const secret = randomBytes(SECRET_BYTES);
    const keys = await deriveSessionKeys(secret);
    const ws = new WebSocket(relayUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const sender = new MaliciousSender(ws, keys, secret, relayUrl);
    ws.send(connectFrame(keys.qrhash));
    const connected = await sender.next((f) => f.action === 'Connect', 'the Connect answer');
    const senderId = (connected as Extract<IncomingFrame, { action: 'Connect' }>).message.connectionid;
    const link = formatPairingLink('http://127.0.0.1/', { relayUrl, senderId, secret });
    return { sender, link };
  }

  /** Waits for the receiver's hello and answers it, which pairs the two sides. */
  async pair(): Promise<void> {
    const hello = await this.nextControl((c) => c.t === 'hello', 'the receiver hello');
    this.receiverId = hello.from;
    await this.sendControl({ t: 'hello', role: 'sender', session: 'malicious', reply: true });
  }

  /** Sends a manifest stream of `files` (fileids f0, f1, ... unless `raw` gives the whole JSON). */
  async sendManifest(files: readonly HostileManifestFile[], raw?: unknown): Promise<void> {
    const manifest = raw ?? {
      v: 1,
      chunkSize: CHUNK_PLAINTEXT_BYTES,
      files: files.map((f, i) => ({ fileid: `f${i}`, name: f.name, size: f.size, type: f.type ?? 'application/octet-stream', sha256: toBase64Url(f.sha256) })),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    // The receiver ignores chunks until it has read our hello, so resend (as a real sender would)
    // until it answers about the manifest, for at most 5 s (it may also stop without a word).
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.sendStream(MANIFEST_FILEID, bytes);
      // An Error frame (PeerGone, UnknownPeer) means the receiver already left.
      const answered = (f: IncomingFrame) =>
        (f.action === 'Acknowledge' && f.message.fileid === MANIFEST_FILEID) || (f.action === 'Request' && f.message.connectionid === this.receiverId) || f.action === 'Error';
      if (await this.seen(answered, 500)) return;
    }
  }

  /** Whether a frame matching `match` arrived (it stays queued), waiting up to `timeoutMs`. */
  private async seen(match: (f: IncomingFrame) => boolean, timeoutMs: number): Promise<boolean> {
    try {
      const frame = await this.next(match, 'a frame', timeoutMs);
      this.frames.unshift(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends every chunk of `content` as stream `fileid`, in order. */
  async sendStream(fileid: string, content: Uint8Array): Promise<void> {
    const total = chunkCountOf(content.length, CHUNK_PLAINTEXT_BYTES);
    for (let i = 0; i < total; i++) {
      await this.sendChunk({ fileid, chunkid: i, chunktotal: total, plaintext: content.subarray(i * CHUNK_PLAINTEXT_BYTES, (i + 1) * CHUNK_PLAINTEXT_BYTES) });
    }
  }

  /** Seals and sends one chunk, spoiled as `chunk.tamper` says. */
  async sendChunk(chunk: HostileChunk): Promise<void> {
    const place = chunk.sealedFor ?? chunk;
    const sealed = await this.sealer.seal(chunk.plaintext, chunkAad(place.fileid, place.chunkid, place.chunktotal));
    if (chunk.tamper === 'bad-tag') sealed[sealed.length - 20]! ^= 0x01;
    const hashed = chunk.tamper === 'bad-hash' ? randomBytes(sealed.length) : sealed;
    this.ws.send(
      transferFrame({
        connectionid: this.receiverId,
        data: toBase64(sealed),
        chunkid: chunk.chunkid,
        chunktotal: chunk.chunktotal,
        chunkhash: toBase64Url(await sha256(hashed)),
        fileid: chunk.fileid,
      }),
    );
  }

  /** Sends an arbitrary frame text (e.g. one the relay must refuse). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Waits for the receiver's success ack of stream `fileid`, or its cancel (returned as the reason). */
  async awaitSuccessOrCancel(fileid: string, timeoutMs = 20_000): Promise<'success' | string> {
    for (;;) {
      const frame = await this.next(
        (f) => (f.action === 'Acknowledge' && f.message.success && f.message.fileid === fileid) || f.action === 'Request',
        `the success of ${fileid}`,
        timeoutMs,
      );
      if (frame.action === 'Acknowledge') return 'success';
      const control = await openControl(this.keys.receiverKey, (frame as Extract<IncomingFrame, { action: 'Request' }>).message.message);
      if (control?.t === 'cancel') return control.reason;
    }
  }

  /** The receiver's last acknowledgement of `fileid` seen so far, if any. */
  lastAck(fileid: string): AcknowledgeMessage | undefined {
    const acks = this.frames.filter((f): f is Extract<IncomingFrame, { action: 'Acknowledge' }> => f.action === 'Acknowledge' && f.message.fileid === fileid);
    return acks.at(-1)?.message;
  }

  /** Tells the receiver the session is over. */
  async sendBye(): Promise<void> {
    await this.sendControl({ t: 'bye' });
  }

  /** Cancels the transfer with `reason`, which the receiver shows to its user (any text: ESC sequences included). */
  async sendCancel(reason: string): Promise<void> {
    await this.sendControl({ t: 'cancel', reason });
  }

  /** An ack-shaped frame from the sender (the relay forwards it; a receiver must ignore it). */
  sendAcknowledge(message: Omit<AcknowledgeMessage, 'connectionid'>): void {
    this.ws.send(acknowledgeFrame({ connectionid: this.receiverId, ...message }));
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }

  private async sendControl(message: ControlMessage): Promise<void> {
    const sealed = await sealControl(this.sealer, message);
    this.ws.send(requestFrame({ connectionid: this.receiverId, qrhash: this.keys.qrhash, message: sealed }));
  }

  private async nextControl(match: (c: ControlMessage) => boolean, what: string): Promise<{ from: string; control: ControlMessage }> {
    for (;;) {
      const frame = await this.next((f) => f.action === 'Request', what);
      const request = frame as Extract<IncomingFrame, { action: 'Request' }>;
      const control = await openControl(this.keys.receiverKey, request.message.message);
      if (control && match(control)) return { from: request.message.connectionid, control };
    }
  }

  /** Removes and returns the first received frame matching `match`, waiting for it if need be. */
  private async next(match: (f: IncomingFrame) => boolean, what: string, timeoutMs = 20_000): Promise<IncomingFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`malicious sender: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
