import { toBase64Url } from './base64';
import { type ControlMessage, openControl, sealControl } from './control-messages';
import { CancelledError, RelayUnreachableError, TimeoutError } from './errors';
import { PeerPresence } from './peer-presence';
import { deferred, FailureLatch } from './failure-latch';
import { encodeManifest } from './manifest';
import { formatPairingLink, defaultPageUrl } from './pairing-link';
import type { OutgoingFile, WebSocketConstructor } from './ports';
import { CongestionControl, type CongestionStats } from './congestion-control';
import {
  CHUNK_PLAINTEXT_BYTES,
  chunkCountOf,
  fileIdOf,
  LARGE_CHUNK_PLAINTEXT_BYTES,
  MANIFEST_FILEID,
  MAX_CHUNK_PLAINTEXT_BYTES,
  MIN_CHUNK_PLAINTEXT_BYTES,
} from './protocol-constants';
import { canFragmentMessages, DROPPED_CONTROL_RETRY_MS, RelayConnection } from './relay-connection';
import { controlRequestFrame } from './rejoin';
import { reactToRelayError } from './relay-error-codes';
import { deriveSessionKeys, randomBytes, Sealer, SECRET_BYTES, type SessionKeys } from './session-crypto';
import type { SessionEventListener } from './session-events';
import { createSha256, type HasherFactory } from './sha256';
import { StreamSender } from './stream-sender';
import { resolveTuning, type ProtocolTuning } from './tuning';
import { type IncomingFrame, transferFrame } from './wire-frames';

/** Everything sendFiles needs. */
export interface SendOptions {
  /** The relay's ws:// or wss:// URL. */
  readonly relayUrl: string;
  /** The web page the link opens. @default derived from relayUrl (ws://h:p -> http://h:p/) */
  readonly pageUrl?: string;
  readonly files: readonly OutgoingFile[];
  readonly WebSocket: WebSocketConstructor;
  readonly onEvent?: SessionEventListener;
  /** @default the portable SHA-256 */
  readonly createHasher?: HasherFactory;
  readonly tuning?: Partial<ProtocolTuning>;
  /**
   * Plaintext bytes per file chunk (from MIN_CHUNK_PLAINTEXT_BYTES to MAX_CHUNK_PLAINTEXT_BYTES).
   * @default LARGE_CHUNK_PLAINTEXT_BYTES when the WebSocket can fragment a message (Node `ws`: one
   * Transfer message of up to 128 KB in 32 KB frames), else CHUNK_PLAINTEXT_BYTES (one 32 KB frame)
   */
  readonly chunkBytes?: number;
  /** How long to wait for a gone peer to come back. @default 120000 */
  readonly resumeTimeoutMs?: number;
  /** How long to wait for any sign of the paired peer before giving up. @default 120000 */
  readonly idleTimeoutMs?: number;
  /** How long to wait for a receiver at all. @default no limit */
  readonly pairTimeoutMs?: number;
  /** Aborting cancels the transfer and tells the peer. */
  readonly signal?: AbortSignal;
  /** Called with the RelayConnection once it exists (tests use it to break sockets). */
  readonly onConnection?: (connection: RelayConnection) => void;
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

/** Sends files to the one receiver that opens the link (reported by the `link` event); resolves when all arrived. */
export function sendFiles(options: SendOptions): Promise<SendSummary> {
  return new SendSession(options).run();
}

/** How long the sender keeps its socket open after saying bye. */
const BYE_GRACE_MS = 250;


class SendSession {
  private readonly latch = new FailureLatch();
  private finished = false;
  private readonly tuning: ProtocolTuning;
  private keys!: SessionKeys;
  private sealer!: Sealer;
  private connection!: RelayConnection;
  private peerId?: string;
  private peerSession?: string;
  private readonly presence: PeerPresence;
  private lastPeerFrameAt = Date.now();
  private lastRepairAt = 0;
  private current?: StreamSender;
  private readonly paired = deferred();
  private readonly session = toBase64Url(randomBytes(12));
  private readonly congestion: CongestionControl;
  private readonly chunkBytes: number;
  private chunks = 0;
  private peerAcked = false;

  constructor(private readonly options: SendOptions) {
    this.presence = new PeerPresence({
      peerRole: 'receiver',
      probe: () => void this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: false }).catch(() => undefined),
      onAway: () => this.emit({ type: 'interrupted', reason: 'peer-gone' }),
      onGiveUp: (error) => this.latch.fail(error),
      resumeTimeoutMs: options.resumeTimeoutMs,
    });
    this.tuning = resolveTuning(options.tuning, options.relayUrl);
    this.chunkBytes = options.chunkBytes ?? (canFragmentMessages(options.WebSocket) ? LARGE_CHUNK_PLAINTEXT_BYTES : CHUNK_PLAINTEXT_BYTES);
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < MIN_CHUNK_PLAINTEXT_BYTES || this.chunkBytes > MAX_CHUNK_PLAINTEXT_BYTES) {
      throw new RangeError(`chunkBytes must be a whole number from ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES}, got ${this.chunkBytes}`);
    }
    this.congestion = new CongestionControl(this.tuning, Date.now(), this.chunkBytes);
  }

  async run(): Promise<SendSummary> {
    const { files, signal } = this.options;
    const onAbort = () => this.cancel('the sender cancelled');
    signal?.addEventListener('abort', onAbort);
    let watchdog: ReturnType<typeof setInterval> | undefined;
    try {
      const secret = randomBytes(SECRET_BYTES);
      this.keys = await deriveSessionKeys(secret);
      this.sealer = new Sealer(this.keys.senderKey);
      const hashes = hashFiles(files, this.options.createHasher ?? createSha256);
      hashes.catch(() => undefined);
      this.connection = new RelayConnection({
        url: this.options.relayUrl,
        WebSocket: this.options.WebSocket,
        qrhash: this.keys.qrhash,
        onFrame: (frame) => void this.onFrame(frame).catch((error: Error) => this.latch.fail(error)),
        onDisconnected: () => this.onOwnSocketDropped(),
        onReconnected: () => void this.onReconnected(),
        onFatal: (error) => this.latch.fail(error),
        reconnectWindowMs: this.options.resumeTimeoutMs,
      });
      this.options.onConnection?.(this.connection);
      const id = await this.latch.race(this.connection.open());
      const pageUrl = this.options.pageUrl ?? defaultPageUrl(this.options.relayUrl);
      const link = formatPairingLink(pageUrl, { relayUrl: this.options.relayUrl, senderId: id, secret });
      this.emit({ type: 'link', link });
      await this.latch.race(this.waitForPairing());
      this.emit({ type: 'paired' });
      watchdog = setInterval(() => this.checkIdle(), 1000);
      const sha256s = await this.latch.race(hashes);
      this.emit({ type: 'files', files: files.map((f) => ({ name: f.name, size: f.source.size, type: f.type || 'application/octet-stream' })) });
      const manifest = encodeManifest(
        files.map((f, i) => ({ name: f.name, size: f.source.size, type: f.type, sha256: sha256s[i]! })),
        { chunkSize: this.chunkBytes, window: this.tuning.windowChunks },
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
        this.emit({ type: 'file-done', fileIndex: index, name: file.name, size, sha256: toBase64Url(sha256s[index]!) });
      }
      await this.sendControl({ t: 'bye' });
      // Closing at once can overtake the bye at the relay (its $disconnect races the Request): let it go first.
      await new Promise((resolve) => setTimeout(resolve, BYE_GRACE_MS));
      this.emit({ type: 'done', files: files.length, bytes: totalSize, framesSent, chunks: this.chunks });
      return { files: files.length, bytes: totalSize, framesSent, chunks: this.chunks, chunkBytes: this.chunkBytes, congestion: this.congestion.stats };
    } catch (error) {
      throw this.latch.failure ?? error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (watchdog) clearInterval(watchdog);
      this.presence.stop();
      this.connection?.close();
    }
  }

  private async waitForPairing(): Promise<void> {
    const limit = this.options.pairTimeoutMs;
    if (limit === undefined) return this.paired.promise;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no receiver opened the link within ${Math.round(limit / 1000)} s`)), limit);
    });
    try {
      return await this.latch.race(Promise.race([this.paired.promise, timeout]));
    } finally {
      clearTimeout(timer);
    }
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
    const sender = new StreamSender({
      fileid,
      chunktotal,
      readChunk: (id) => read(id * chunkBytes, chunkBytes),
      sealer: this.sealer,
      port: {
        ready: () => this.isReady(),
        sendTransfer: (message) => this.peerId !== undefined && this.connection.sendMessage(transferFrame({ connectionid: this.peerId, ...message })),
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
    return !this.presence.isAway && this.peerId !== undefined && this.connection.isOpen && this.connection.bufferedAmount < this.tuning.highWaterBytes;
  }

  private async onFrame(frame: IncomingFrame): Promise<void> {
    switch (frame.action) {
      case 'Request':
        return this.onRequest(frame.message.connectionid, frame.message.message);
      case 'Acknowledge':
        if (frame.message.connectionid !== this.peerId) return;
        this.lastPeerFrameAt = Date.now();
        this.peerAcked = true;
        if (this.current && (frame.message.fileid ?? this.current.fileid) === this.current.fileid) this.current.handleAck(frame.message);
        return;
      case 'Throttled':
        return this.onCongestionSignal();
      case 'Error': {
        const reaction = reactToRelayError(frame.message, this.peerId);
        if (reaction === 'ignore') return;
        if (reaction === 'congestion') return this.onCongestionSignal();
        if (reaction === 'resend') return this.onControlDropped();
        if (reaction === 'peer-away') return this.onPeerAway();
        if (reaction === 'repair') return this.repair();
        this.latch.fail(reaction.fatal);
        return;
      }
      default:
        return;
    }
  }

  private async onRequest(from: string, sealed: string | undefined): Promise<void> {
    const control = await openControl(this.keys.receiverKey, sealed);
    if (!control) return; // not from a holder of the secret: ignore
    if (control.t === 'hello') {
      if (this.peerSession === undefined) {
        this.peerSession = control.session;
        this.peerId = from;
        this.lastPeerFrameAt = Date.now();
        await this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: true });
        this.paired.resolve();
        return;
      }
      if (control.session !== this.peerSession) {
        // A second receiver with the same link: turn it away, then restore the relay's pairing with ours.
        await this.sendControlTo(from, { t: 'cancel', reason: 'the sender is already sending to another receiver' });
        await this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: true });
        return;
      }
      if (from !== this.peerId) this.presence.moved();
      this.peerId = from;
      this.lastPeerFrameAt = Date.now();
      if (!control.reply) await this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: true });
      this.onPeerBack();
      return;
    }
    if (from !== this.peerId) return;
    if (control.t === 'cancel') this.latch.fail(new CancelledError(`the receiver cancelled: ${control.reason}`));
  }

  /** A frame of ours was dropped by the relay (throttled, or PeerBusy). */
  private onCongestionSignal(): void {
    this.current?.handleCongestionSignal();
    this.onControlDropped();
  }

  /** A frame of ours may have been a lost control message (after Throttled, PeerBusy, or an InternalError to a Request). */
  private onControlDropped(): void {
    // Before the receiver's first ack the dropped frame may have been our hello: say it again.
    if (this.peerSession !== undefined && !this.peerAcked) {
      setTimeout(() => void this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: true }).catch(() => undefined), DROPPED_CONTROL_RETRY_MS);
    }
  }

  private onPeerAway(): void {
    if (this.peerId !== undefined) this.presence.markAway();
  }

  private onPeerBack(): void {
    if (this.presence.markBack()) this.emit({ type: 'resumed' });
    this.current?.resume();
  }

  private onOwnSocketDropped(): void {
    if (this.peerSession === undefined) {
      this.latch.fail(new RelayUnreachableError('lost the relay connection before a receiver opened the link: run send again for a new link'));
      return;
    }
    this.emit({ type: 'interrupted', reason: 'own-socket' });
  }

  /** Our socket is back under a new id: tell the receiver where we are now (the Request re-pairs us at the relay). */
  private async onReconnected(): Promise<void> {
    if (this.peerSession === undefined) return;
    this.presence.moved();
    this.presence.awaitAnswer();
    await this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: false });
    this.emit({ type: 'resumed' });
    this.current?.resume();
  }

  private async repair(): Promise<void> {
    if (Date.now() - this.lastRepairAt < 500) return;
    this.lastRepairAt = Date.now();
    await this.sendControl({ t: 'hello', role: 'sender', session: this.session, reply: true });
  }

  private checkIdle(): void {
    const limit = this.options.idleTimeoutMs ?? 120_000;
    if (this.presence.isAway || !this.connection.isOpen) {
      this.lastPeerFrameAt = Date.now();
      return;
    }
    if (Date.now() - this.lastPeerFrameAt > limit) {
      this.latch.fail(new TimeoutError(`no word from the receiver for ${Math.round(limit / 1000)} s`));
    }
  }

  private cancel(reason: string): void {
    void this.sendControl({ t: 'cancel', reason }).catch(() => undefined);
    this.latch.fail(new CancelledError(reason));
  }

  private async sendControl(message: ControlMessage): Promise<void> {
    if (this.peerId !== undefined) await this.sendControlTo(this.peerId, message);
  }

  private async sendControlTo(target: string, message: ControlMessage): Promise<void> {
    const sealed = await sealControl(this.sealer, message);
    this.connection.send(controlRequestFrame({ connectionid: target, qrhash: this.keys.qrhash, message: sealed }, message, this.peerSession !== undefined));
  }

  private emit(event: Parameters<SessionEventListener>[0]): void {
    if (this.finished) return;
    if (event.type === 'done') this.finished = true;
    this.options.onEvent?.(event);
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
