import { toBase64Url } from '../../protocol/base64';
import { type ControlMessage, openControl } from '../crypto/control-messages';
import { CancelledError, HashMismatchError, ProtocolError, RelayUnreachableError, TimeoutError, UnconfirmedError } from '../errors';
import { deferred } from './failure-latch';
import { encodeManifest } from '../streams/manifest';
import { formatPairingLink, defaultPageUrl } from '../crypto/pairing-link';
import type { OutgoingFile, WebSocketConstructor } from '../ports';
import { CongestionControl, type CongestionStats, type RelayDropKind } from '../congestion/congestion-control';
import {
  CHUNK_PLAINTEXT_BYTES,
  chunkCountOf,
  fileIdOf,
  LARGE_CHUNK_PLAINTEXT_BYTES,
  MANIFEST_FILEID,
  MAX_CHUNK_PLAINTEXT_BYTES,
  MIN_CHUNK_PLAINTEXT_BYTES,
} from '../streams/chunking';
import { canFragmentMessages, RelayConnection } from '../transport/relay-connection';
import { checkHelloProof, derivePairKey } from '../crypto/peer-proof';
import { PeerSession, type PeerSessionOptions } from './peer-session';
import { receiptDigest } from '../crypto/receipt';
import { refusedAsDamagedError } from './damaged-file';
import { deriveSessionKeys, randomBytes, Sealer, SECRET_BYTES } from '../crypto/session-crypto';
import { createSha256, type HasherFactory } from '../crypto/sha256';
import { StreamSender } from '../streams/stream-sender';
import { resolveTuning, SESSION_TIMING, type ProtocolTuning } from '../tuning';
import { type IncomingFrame, sealedTransferFrame, sealedTransferFrameBytes } from '../transport/wire-frames';
import type { TransferPath } from '../direct/direct-link';
import type { SealedChunk } from '../direct/chunk-pieces';
import { WakeableSleep } from '../streams/wakeable-sleep';

/** Everything sendFiles needs. */
export interface SendOptions extends PeerSessionOptions {
  /** The relay's ws:// or wss:// URL. */
  readonly relayUrl: string;
  /** The web page the link opens. @default derived from relayUrl (ws://h:p -> http://h:p/) */
  readonly pageUrl?: string;
  /**
   * The relay URL the link names, when the receiver reaches this relay by another address than
   * ours (the local relay's LAN address, while we use loopback). @default relayUrl
   */
  readonly linkRelayUrl?: string;
  readonly files: readonly OutgoingFile[];
  readonly WebSocket: WebSocketConstructor;
  /** @default the portable SHA-256 */
  readonly createHasher?: HasherFactory;
  readonly tuning?: Partial<ProtocolTuning>;
  /**
   * Plaintext bytes per file chunk (from MIN_CHUNK_PLAINTEXT_BYTES to MAX_CHUNK_PLAINTEXT_BYTES).
   * @default LARGE_CHUNK_PLAINTEXT_BYTES when the WebSocket can fragment a message (Node `ws`: one
   * Transfer message of up to 128 KB in 32 KB frames), else CHUNK_PLAINTEXT_BYTES (one 32 KB frame)
   */
  readonly chunkBytes?: number;
  /** How long to wait for a receiver at all. @default no limit */
  readonly pairTimeoutMs?: number;
  /**
   * How long, after the last file's success acknowledgement, to wait for the receiver's sealed
   * receipt of every file (counted while the receiver is connected). @default 10000
   */
  readonly receiptTimeoutMs?: number;
  /** Called with the RelayConnection once it exists (tests use it to break sockets). */
  readonly onConnection?: (connection: RelayConnection) => void;
  /** How long after pairing a direct path (with `webrtc`) has to open before the files go through the relay. @default 3000 */
  readonly directTimeoutMs?: number;
  /** After a direct path failed to open or closed, how long until the next attempt (doubling after each failure, up to 60 s). @default 5000 */
  readonly directRetryMs?: number;
}

/** What a finished send reports. */
export interface SendSummary {
  readonly files: number;
  readonly bytes: number;
  /** Transfer frames sent, first sends and resends together. */
  readonly framesSent: number;
  /** Chunks of all streams (manifest included): framesSent / chunks is the resend amplification. */
  readonly chunks: number;
  /** Plaintext bytes per file chunk this session used. */
  readonly chunkBytes: number;
  /** What shrank the congestion window. */
  readonly congestion: CongestionStats;
}

/**
 * Sends files to the one receiver that opens the link (reported by the `link` event); resolves when
 * the receiver has confirmed every file in a receipt sealed with the session's key (a `file-done`
 * event per file as its receipt comes), and rejects with UnconfirmedError when no receipt comes.
 */
export function sendFiles(options: SendOptions): Promise<SendSummary> {
  return new SendSession(options).run();
}


/** The sender's side of a session: the link, the manifest and the files' streams, and the receipts. */
class SendSession extends PeerSession {
  private readonly tuning: ProtocolTuning;
  /** The receiver's session id, pinned from its first hello. */
  private peerSession?: string;
  private current?: StreamSender;
  private readonly paired = deferred();
  private readonly session = toBase64Url(randomBytes(12));
  private readonly congestion: CongestionControl;
  private readonly chunkBytes: number;
  private chunks = 0;
  private peerAcked = false;
  /** Whether the receiver's first hello said it can open a direct path. */
  private peerCanGoDirect = false;
  /** The next attempt at a direct path, when one is scheduled. */
  private directRetry?: ReturnType<typeof setTimeout>;
  /** How long the next scheduled attempt waits. */
  private directRetryMs: number;
  /** When a congestion signal was last acted on: at most one per round trip is. */
  private lastSignalAt = -Infinity;
  /** The files' SHA-256s, in manifest order, once hashed. */
  private fileHashes?: readonly Uint8Array[];
  private fileNames: readonly string[] = [];
  /** How many files, from the first, the receiver confirmed in a sealed receipt. */
  private receipted = 0;
  /** Wakes the receipt wait as soon as a receipt counts (it looks at the clock meanwhile). */
  private readonly receiptArrived = new WakeableSleep();

  constructor(private readonly options: SendOptions) {
    super('sender', options);
    this.tuning = resolveTuning(options.tuning, options.relayUrl);
    this.chunkBytes = options.chunkBytes ?? (canFragmentMessages(options.WebSocket) ? LARGE_CHUNK_PLAINTEXT_BYTES : CHUNK_PLAINTEXT_BYTES);
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < MIN_CHUNK_PLAINTEXT_BYTES || this.chunkBytes > MAX_CHUNK_PLAINTEXT_BYTES) {
      throw new RangeError(`chunkBytes must be a whole number from ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES}, got ${this.chunkBytes}`);
    }
    this.congestion = new CongestionControl(this.tuning, this.chunkBytes);
    this.directRetryMs = options.directRetryMs ?? SESSION_TIMING.directRetryMs;
  }

  protected get isPaired(): boolean {
    return this.peerSession !== undefined;
  }

  protected get ownSession(): string {
    return this.session;
  }

  async run(): Promise<SendSummary> {
    try {
      return await this.transfer();
    } finally {
      clearTimeout(this.directRetry);
    }
  }

  private transfer(): Promise<SendSummary> {
    return this.runSession(async () => {
      const { files } = this.options;
      const secret = randomBytes(SECRET_BYTES);
      this.keys = await deriveSessionKeys(secret, this.options.crypto);
      this.sealer = new Sealer(this.keys.senderKey);
      const hashes = hashFiles(files, this.options.createHasher ?? createSha256);
      hashes.catch(() => undefined);
      this.connection = new RelayConnection({
        url: this.options.relayUrl,
        WebSocket: this.options.WebSocket,
        qrhash: this.keys.qrhash,
        onFrame: (frame) => void this.onFrame(frame).catch((error: Error) => this.latch.fail(error)),
        onDisconnected: (givesUpAt, windowMs) => this.onOwnSocketDropped(givesUpAt, windowMs),
        onReconnected: () => void this.onReconnected(),
        // The link names our connection id: before a receiver opened it, the socket stays as it is.
        mayRenew: () => this.peerSession !== undefined,
        renewAfterMs: this.options.renewConnectionAfterMs,
        onRenewed: () => void this.sayHello(false, 'proof-only').catch(() => undefined),
        onFatal: (error) => this.latch.fail(error),
        reconnectWindowMs: this.options.resumeTimeoutMs,
      });
      this.options.onConnection?.(this.connection);
      const id = await this.latch.race(this.connection.open());
      const linkRelayUrl = this.options.linkRelayUrl ?? this.options.relayUrl;
      const pageUrl = this.options.pageUrl ?? defaultPageUrl(linkRelayUrl);
      const link = formatPairingLink(pageUrl, { relayUrl: linkRelayUrl, senderId: id, secret });
      this.emit({ type: 'link', link });
      await this.latch.race(this.waitForPairing());
      this.emit({ type: 'paired' });
      this.startIdleWatchdog();
      await this.latch.race(this.tryDirect());
      const sha256s = await this.latch.race(hashes);
      this.fileHashes = sha256s;
      this.fileNames = files.map((f) => f.name);
      this.emit({ type: 'files', files: files.map((f) => ({ name: f.name, size: f.source.size, type: f.type || 'application/octet-stream' })) });
      const manifest = encodeManifest(
        files.map((f, i) => ({ name: f.name, size: f.source.size, type: f.type, sha256: sha256s[i]! })),
        { chunkBytes: this.chunkBytes, window: this.tuning.windowChunks },
      );
      // The manifest always goes in base chunks: the receiver learns the files' chunk size from it.
      let framesSent = await this.sendStream(MANIFEST_FILEID, manifest.length, CHUNK_PLAINTEXT_BYTES, async (offset, length) => manifest.subarray(offset, offset + length));
      const totalSize = files.reduce((n, f) => n + f.source.size, 0);
      let doneBytes = 0;
      for (const [index, file] of files.entries()) {
        const size = file.source.size;
        framesSent += await this.sendStream(fileIdOf(index), size, this.chunkBytes, (offset, length) => file.source.read(offset, length), (chunks) => {
          const bytes = Math.min(size, chunks * this.chunkBytes);
          this.emit({ type: 'progress', fileIndex: index, name: file.name, bytes, size, totalBytes: doneBytes + bytes, totalSize });
        });
        doneBytes += size;
      }
      // The success acks are plaintext, so a relay can forge them: only the receiver's sealed receipt says the files arrived.
      await this.awaitReceipts();
      this.transferOver = true;
      await this.sendControl({ t: 'bye' });
      // Closing at once can overtake the bye at the relay (its $disconnect races the Request): let it go first.
      await new Promise((resolve) => setTimeout(resolve, SESSION_TIMING.farewellGraceMs));
      this.emit({ type: 'done', files: files.length, bytes: totalSize, framesSent, chunks: this.chunks });
      return { files: files.length, bytes: totalSize, framesSent, chunks: this.chunks, chunkBytes: this.chunkBytes, congestion: this.congestion.stats };
    });
  }

  private waitForPairing(): Promise<void> {
    const limit = this.options.pairTimeoutMs;
    return this.within(this.paired.promise, limit, () => new TimeoutError(`no receiver opened the link within ${Math.round(limit! / 1000)} s`));
  }

  private async sendStream(
    fileid: string,
    size: number,
    chunkBytes: number,
    read: (offset: number, length: number) => Promise<Uint8Array>,
    onChunks?: (chunks: number) => void,
  ): Promise<number> {
    const chunktotal = chunkCountOf(size, chunkBytes);
    this.chunks += chunktotal;
    // A socket that fragments (Node ws) takes a Transfer as the frame's bytes, never joined into a 128 KB string first.
    const relayFrameBytes = this.connection.canFragment;
    const sender = new StreamSender({
      fileid,
      chunktotal,
      readChunk: (id) => read(id * chunkBytes, chunkBytes),
      sealer: this.sealer,
      port: {
        ready: () => this.isReady(),
        unpaced: () => this.direct?.isOpen === true,
        sendTransfer: (chunk) => {
          const peerId = this.peerId;
          if (peerId === undefined) return false;
          const relayFrame = (chunk: SealedChunk) => sealedTransferFrame({ connectionid: peerId, ...chunk });
          const viaRelay = (chunk: SealedChunk) =>
            this.connection.sendMessage(relayFrameBytes ? sealedTransferFrameBytes({ connectionid: peerId, ...chunk }) : relayFrame(chunk));
          return this.sendChunkOnPath(chunk, relayFrame, viaRelay);
        },
      },
      tuning: this.tuning,
      congestion: this.congestion,
      onProgress: onChunks,
    });
    this.current = sender;
    const stop = (error: Error) => sender.abort(error);
    try {
      await this.latch.race(sender.run());
    } catch (error) {
      stop(error as Error);
      throw error;
    }
    return sender.framesSent;
  }

  private isReady(): boolean {
    if (this.direct?.isOpen) return this.directReady();
    return !this.presence.isAway && this.peerId !== undefined && this.connection.isOpen && this.connection.bufferedAmount < this.tuning.highWaterBytes;
  }

  /** Whether the data channel's queue has room for another chunk; when not, the send loop wakes once it drains to half. */
  private directReady(): boolean {
    const highWater = this.tuning.highWaterBytes;
    if (this.direct!.bufferedAmount < highWater) return true;
    this.direct!.whenDrained(highWater / 2, () => this.current?.wake());
    return false;
  }

  private async onFrame(frame: IncomingFrame): Promise<void> {
    switch (frame.action) {
      case 'Request':
        return this.onRequest(frame.message.connectionid, frame.message.message);
      case 'Acknowledge':
        if (frame.message.connectionid !== this.peerId) return;
        this.peerActive();
        this.peerAcked = true;
        if (this.current && (frame.message.fileid ?? this.current.fileid) === this.current.fileid) this.current.handleAck(frame.message);
        return;
      case 'Throttled':
        return this.onGatewayDrop(frame.message.reason);
      case 'Error':
        return this.onRelayError(frame.message);
      default:
        return;
    }
  }

  private async onRequest(from: string, sealed: string | undefined): Promise<void> {
    const control = await openControl(this.keys.receiverKey, sealed);
    if (!control) return; // not from a holder of the secret: ignore
    if (control.t === 'hello') return this.onHello(from, control);
    if (from !== this.peerId) return;
    this.peerActive();
    if (control.t === 'cancel') {
      // Sealed with the receiver's key and from our receiver's connection: a relay cannot forge it.
      this.latch.fail(control.code === 'damaged' && control.file !== undefined ? refusedAsDamagedError(control.file, this.fileNames) : new CancelledError(`the receiver cancelled: ${control.reason}`));
    }
    if (control.t === 'receipt') await this.onReceipt(control.files, control.digest);
    if (control.t === 'rtc') await this.direct?.handleSignal(control);
  }

  protected onDirectFrame(frame: IncomingFrame): void {
    void this.onFrame(frame).catch((error: Error) => this.latch.fail(error));
  }

  /**
   * When the direct path closes, what the receiver reports missing goes again at once, through the
   * relay, and a new direct path is tried later; when it opens, the chunks move to it.
   */
  protected onPathChanged(path: TransferPath): void {
    if (path === 'relay') {
      this.current?.resume();
      this.retryDirectLater();
    } else {
      this.directRetryMs = this.options.directRetryMs ?? SESSION_TIMING.directRetryMs;
      this.current?.wake();
    }
  }

  /**
   * Offers a direct path and waits until it opens or the attempt times out (then the relay carries
   * the bytes, and another attempt comes later). Only a receiver that said it can go direct gets an
   * offer: another (a page or CLI that is relay-only, an older one) would make us wait it out.
   */
  private async tryDirect(): Promise<void> {
    if (!this.direct || !this.peerCanGoDirect || this.transferOver) return;
    const opened = await this.direct.offer(this.options.directTimeoutMs ?? SESSION_TIMING.directTimeoutMs);
    if (!opened) this.retryDirectLater();
  }

  /** Schedules the next attempt at a direct path (one at a time), each failure doubling the wait. */
  private retryDirectLater(): void {
    if (this.directRetry !== undefined || this.transferOver || !this.direct || !this.peerCanGoDirect) return;
    const delay = this.directRetryMs;
    this.directRetryMs = Math.min(delay * 2, SESSION_TIMING.directRetryMaxMs);
    this.directRetry = setTimeout(() => {
      this.directRetry = undefined;
      void this.tryDirect().catch(() => undefined);
    }, delay);
  }

  /**
   * A receiver's hello. The first one pins the receiver's session; after that a hello counts only
   * when it proves the pair key for the connection it comes from (or, from a receiver that has not
   * got our session yet, shows the pinned session): anyone else who holds the link is turned away,
   * and learns nothing from us.
   */
  private async onHello(from: string, hello: Extract<ControlMessage, { t: 'hello' }>): Promise<void> {
    if (this.peerSession === undefined) {
      if (hello.session === undefined) return;
      this.peerSession = hello.session;
      this.peerCanGoDirect = hello.direct === true;
      this.pairKey = await derivePairKey(hello.session, this.session);
      this.peerId = from;
      this.peerActive();
      await this.sayHello(true, 'with-session');
      this.paired.resolve();
      return;
    }
    const proven = hello.proof !== undefined && this.pairKey !== undefined && (await checkHelloProof(this.pairKey, 'receiver', from, hello.proof));
    if (!proven && hello.session !== this.peerSession) {
      // Another holder of the link: turn it away, then restore the relay's pairing with ours.
      if (hello.session !== undefined) {
        await this.sendControlTo(from, { t: 'cancel', reason: 'the link is in use by another device', code: 'in-use' });
        await this.sayHello(true, 'proof-only');
      }
      return;
    }
    if (from !== this.peerId) this.presence.moved();
    this.peerId = from;
    this.peerActive();
    // A receiver that showed its session may still lack ours (our answer was lost): it goes only to that connection.
    if (!hello.reply || !proven) await this.sayHello(true, proven ? 'proof-only' : 'with-session');
    this.onPeerBack();
  }

  /** The receiver's sealed receipt for its first `count` files: each one confirmed counts as delivered. */
  private async onReceipt(count: number, digest: string): Promise<void> {
    const hashes = this.fileHashes;
    if (!hashes || count <= this.receipted) return;
    if (count > hashes.length) {
      this.latch.fail(new ProtocolError(`the receiver confirmed ${count} files; ${hashes.length} were sent`));
      return;
    }
    const expected = await receiptDigest(hashes.slice(0, count));
    if (expected !== digest) {
      this.latch.fail(new HashMismatchError("the receiver's receipt does not match the files sent: what it wrote differs from what was sent"));
      return;
    }
    for (let index = this.receipted; index < count; index++) {
      const size = this.options.files[index]!.source.size;
      this.emit({ type: 'file-done', fileIndex: index, name: this.fileNames[index]!, size, sha256: toBase64Url(hashes[index]!) });
    }
    this.receipted = Math.max(this.receipted, count);
    this.receiptArrived.wake();
  }

  /**
   * Waits until the receiver's receipts cover every file; the time counts only while the receiver
   * is connected. Fails with UnconfirmedError naming the first file not confirmed.
   */
  private async awaitReceipts(): Promise<void> {
    const total = this.options.files.length;
    const limit = this.options.receiptTimeoutMs ?? SESSION_TIMING.receiptTimeoutMs;
    let waited = 0;
    let last = Date.now();
    while (this.receipted < total) {
      await this.latch.race(this.receiptArrived.sleep(SESSION_TIMING.receiptPollMs));
      const now = Date.now();
      if (!this.presence.isAway && this.connection.isOpen) waited += now - last;
      last = now;
      if (waited >= limit) {
        const name = this.fileNames[this.receipted] ?? `file ${this.receipted + 1}`;
        throw new UnconfirmedError(
          `the receiver did not confirm ${name} (no receipt sealed with the link's key within ${Math.round(limit / 1000)} s): it may not have arrived; send it again`,
        );
      }
    }
  }

  /**
   * A frame of ours was dropped by the relay (throttled, or PeerBusy). One signal per round trip is
   * acted on (the window halves at most once per round trip anyway); the rest of a flood costs a
   * comparison each.
   */
  protected onCongestionSignal(kind: RelayDropKind = 'throttle'): void {
    const now = Date.now();
    if (now - this.lastSignalAt < Math.max(SESSION_TIMING.minSignalGapMs, this.congestion.rtt.estimateMs ?? 0)) return;
    this.lastSignalAt = now;
    this.current?.handleCongestionSignal(kind);
    this.onControlDropped();
  }

  /** A frame of ours may have been a lost control message (after Throttled, PeerBusy, or an InternalError to a Request). */
  protected onControlDropped(): void {
    // Before the receiver's first ack the dropped frame may have been our hello: say it again.
    if (this.peerSession !== undefined && !this.peerAcked) this.repeatHello(SESSION_TIMING.droppedControlRetryMs, true, 'with-session');
  }

  private onPeerBack(): void {
    if (this.presence.markBack()) this.emit({ type: 'resumed' });
    this.current?.resume();
  }

  private onOwnSocketDropped(givesUpAt: number, windowMs: number): void {
    if (this.peerSession === undefined) {
      this.latch.fail(new RelayUnreachableError('lost the relay connection before a receiver opened the link: run send again for a new link'));
      return;
    }
    this.emit({ type: 'interrupted', reason: 'own-socket', givesUpAt, givesUpInMs: windowMs });
  }

  /** Our socket is back under a new id: tell the receiver where we are now (the Request re-pairs us at the relay). */
  private async onReconnected(): Promise<void> {
    if (this.peerSession === undefined) return;
    this.presence.moved();
    this.presence.awaitAnswer();
    await this.sayHello(false, 'proof-only');
    this.emit({ type: 'resumed' });
    this.current?.resume();
  }
}

/** SHA-256 of every file, read sequentially in 1 MiB pieces (flat memory). */
async function hashFiles(files: readonly OutgoingFile[], createHasher: HasherFactory): Promise<Uint8Array[]> {
  const digests: Uint8Array[] = [];
  for (const file of files) {
    const hasher = createHasher();
    const step = 1024 * 1024;
    for (let offset = 0; offset < file.source.size; offset += step) {
      hasher.update(await file.source.read(offset, Math.min(step, file.source.size - offset)));
    }
    digests.push(hasher.digest());
  }
  return digests;
}
