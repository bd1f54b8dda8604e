import { fromBase64, toBase64Url } from '../../protocol/base64';
import type { AcknowledgeMessage, TransferMessage } from '../../protocol/frames';
import { type ControlMessage, openControl } from '../crypto/control-messages';
import { CancelledError, LinkInUseError, ProtocolError, TimeoutError, toBanguinsError } from '../errors';
import { deferred } from './failure-latch';
import { decodeManifest, type Manifest, type ManifestFile, manifestFileChunks } from '../streams/manifest';
import { checkManifestLimits } from '../streams/manifest-limits';
import { parsePairingLink } from '../crypto/pairing-link';
import type { ByteSink, WebSocketConstructor } from '../ports';
import { CHUNK_PLAINTEXT_BYTES, MANIFEST_FILEID, MAX_MANIFEST_BYTES } from '../streams/chunking';
import { RelayConnection } from '../transport/relay-connection';
import { finishedElsewhere, type ReceivedManifest, type ReceiveResumePoint, type SettledStream } from '../streams/resume-point';
import { checkHelloProof, derivePairKey } from '../crypto/peer-proof';
import { type HelloContent, PeerSession, type PeerSessionOptions } from './peer-session';
import { receiptDigest } from '../crypto/receipt';
import { describeRelayError, reactToRelayError, staleLinkError } from '../transport/relay-error-codes';
import { deriveSessionKeys, randomBytes, Sealer } from '../crypto/session-crypto';
import { createSha256, type HasherFactory } from '../crypto/sha256';
import { DamagedStreamError, openChunk, StreamReceiver } from '../streams/stream-receiver';
import { damagedFileError } from './damaged-file';
import { resolveTuning, SESSION_TIMING, type ProtocolTuning } from '../tuning';
import { acknowledgeFrame, type IncomingFrame } from '../transport/wire-frames';
import type { TransferPath } from '../direct/direct-link';

/** One incoming file as the receiver's sink sees it. */
export interface IncomingFile extends ManifestFile {
  /** The file's place in the manifest, from 0. */
  readonly index: number;
}

/** Everything receiveFiles needs. */
export interface ReceiveOptions extends PeerSessionOptions {
  /** The pairing link the sender printed (or only its fragment). */
  readonly link: string;
  readonly WebSocket: WebSocketConstructor;
  /** Opens where one file's bytes go; called just before the file's first chunk is needed. */
  readonly openSink: (file: IncomingFile) => Promise<ByteSink>;
  /** Sees the list of files before any is received; throwing refuses the transfer (the sender is told why). */
  readonly accept?: (files: readonly IncomingFile[]) => Promise<void>;
  /** @default the portable SHA-256 */
  readonly createHasher?: HasherFactory;
  readonly tuning?: Partial<ProtocolTuning>;
  /** How long to wait for the sender's answer to the pairing request. @default 30000 */
  readonly pairTimeoutMs?: number;
  /**
   * How long to wait, after the last file, for the sender's goodbye (which comes once our receipt
   * arrived; the sender waits 10 s for one), repeating the receipt meanwhile. @default 12000
   */
  readonly lingerMs?: number;
  /** Called with the RelayConnection once it exists (tests use it to break sockets). */
  readonly onConnection?: (connection: RelayConnection) => void;
  /**
   * This receiver's session id (what the sender tells its receiver from a second one by). A
   * restarted receiver passes the id of the process it replaces. @default a fresh random id
   */
  readonly session?: string;
  /**
   * The sender's session id, as an earlier process of this receiver learnt it (ReceivedManifest's
   * `senderSession`): with it, a restarted receiver proves itself from its new connection.
   */
  readonly senderSession?: string;
  /** Takes up where an earlier process of this receiver (same session) stopped: no manifest is received again. */
  readonly resume?: ReceiveResumePoint;
  /** Called once the manifest is accepted, before the sender hears so: save it to resume later. */
  readonly onManifest?: (received: ReceivedManifest) => Promise<void>;
}

/** What a finished receive reports. */
export interface ReceiveSummary {
  readonly files: readonly IncomingFile[];
  readonly bytes: number;
}

/** Receives every file the link's sender sends; resolves when all are written and verified. */
export function receiveFiles(options: ReceiveOptions): Promise<ReceiveSummary> {
  return new ReceiveSession(options).run();
}

/** How many Transfers that overtook the sender's hello the receiver keeps. */
const MAX_EARLY_TRANSFERS = 8;

/** The receiver's side of a session: the manifest, the files into their sinks, and the receipts. */
class ReceiveSession extends PeerSession {
  private readonly tuning: ProtocolTuning;
  private paired = false;
  /** The relay's last InternalError to our first hello, told if the pairing then times out. */
  private lastHelloRefusal?: string;
  private current?: StreamReceiver;
  private readonly completed = new Map<string, SettledStream>();
  private readonly pairedSignal = deferred();
  private readonly byeSignal = deferred();
  private readonly manifestStream = deferred<StreamReceiver>();
  private readonly session: string;
  /** When our first hello went, and the round trip to the sender's answer: it sets the ack delay. */
  private helloSentAt?: number;
  /** Transfers from the sender that came before its hello. */
  private readonly early: Extract<IncomingFrame, { action: 'Transfer' }>[] = [];
  private pairingRttMs?: number;
  /** The sender's session id, pinned from its answer to our first hello (or from an earlier process). */
  private senderSession?: string;
  /** The SHA-256 of every file written, in manifest order: what the receipts confirm. */
  private readonly writtenHashes: Uint8Array[] = [];
  /** Whether the manifest's first chunk is being verified (the manifest stream starts only with a chunk that verifies). */
  private manifestCheck?: Promise<void>;

  constructor(private readonly options: ReceiveOptions) {
    super('receiver', options);
    this.tuning = resolveTuning(options.tuning);
    this.session = options.session ?? toBase64Url(randomBytes(12));
    this.senderSession = options.senderSession;
  }

  protected get isPaired(): boolean {
    return this.paired;
  }

  protected get ownSession(): string {
    return this.session;
  }

  /** The sender's current connection id (the link's, until the sender moves). */
  private get senderId(): string {
    return this.peerId ?? '';
  }

  run(): Promise<ReceiveSummary> {
    const sinks: ByteSink[] = [];
    return this.runSession(async () => {
      try {
        await this.connectAndPair();
        this.startIdleWatchdog();
        const files = await this.receiveEverything(sinks);
        this.emit({ type: 'done', files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) });
        await this.lingerForBye();
        return { files, bytes: files.reduce((n, f) => n + f.size, 0) };
      } catch (error) {
        for (const sink of sinks) await sink.abort().catch(() => undefined);
        throw error;
      } finally {
        this.current?.stop();
        for (const receiver of this.completed.values()) receiver.stop();
      }
    });
  }

  /** Opens the socket, says hello to the link's sender (again every 2 s) and waits for its answer. */
  private async connectAndPair(): Promise<void> {
    const link = parsePairingLink(this.options.link);
    this.peerId = link.senderId;
    this.keys = await deriveSessionKeys(link.secret, this.options.crypto);
    this.sealer = new Sealer(this.keys.receiverKey);
    if (this.senderSession !== undefined) this.pairKey = await derivePairKey(this.session, this.senderSession);
    this.connection = new RelayConnection({
      url: link.relayUrl,
      WebSocket: this.options.WebSocket,
      qrhash: this.keys.qrhash,
      onFrame: (frame) => void this.onFrame(frame).catch((error: Error) => this.latch.fail(error)),
      onDisconnected: (givesUpAt, windowMs) => this.emit({ type: 'interrupted', reason: 'own-socket', givesUpAt, givesUpInMs: windowMs }),
      onReconnected: () => {
        if (this.paired) this.presence.awaitAnswer();
        void this.sayHello(false).then(() => this.emit({ type: 'resumed' }));
      },
      onFatal: (error) => this.latch.fail(error),
      reconnectWindowMs: this.options.resumeTimeoutMs,
      renewAfterMs: this.options.renewConnectionAfterMs,
      onRenewed: () => void this.sayHello(false).catch(() => undefined),
    });
    this.options.onConnection?.(this.connection);
    await this.latch.race(this.connection.open());
    await this.sayHello(false);
    const repeatHello = setInterval(() => !this.paired && void this.sayHello(false).catch(() => undefined), SESSION_TIMING.firstHelloRepeatMs);
    try {
      await this.latch.race(this.waitForPairing());
    } finally {
      clearInterval(repeatHello);
    }
    this.emit({ type: 'paired' });
  }

  /** Receives the manifest (unless resuming) and every file; returns the files. */
  private async receiveEverything(sinks: ByteSink[]): Promise<IncomingFile[]> {
    const resume = this.options.resume;
    const { manifest, previous } = resume ? this.resumeStreams(resume) : await this.receiveManifest();
    const files: IncomingFile[] = manifest.files.map((f, index) => ({ ...f, index }));
    if (resume) {
      this.emit({ type: 'files', files: files.map((f) => ({ name: f.name, size: f.size, type: f.type })) });
      // The files an earlier process saved (checked against their SHA-256 on disk by the caller) are confirmed again.
      for (const file of files.slice(0, resume.nextFile)) this.writtenHashes.push(fromBase64(file.sha256));
      await this.sendReceipt();
    }
    await this.receiveFiles(files, manifest, previous, sinks, resume);
    return files;
  }

  /**
   * Waits for the sender's bye, repeating the last receipt every second, so a lost final ack or
   * receipt can still be answered; never longer than lingerMs, and never keeping the process alive.
   */
  private async lingerForBye(): Promise<void> {
    let lingerTimer: ReturnType<typeof setTimeout> | undefined;
    const repeatReceipt = setInterval(() => void this.sendReceipt().catch(() => undefined), SESSION_TIMING.receiptRepeatMs);
    await Promise.race([this.byeSignal.promise, new Promise((resolve) => (lingerTimer = setTimeout(resolve, this.options.lingerMs ?? SESSION_TIMING.lingerMs)))]);
    clearInterval(repeatReceipt);
    clearTimeout(lingerTimer);
  }

  /** Receives the manifest, lets the caller accept it, and saves it (onManifest). */
  private async receiveManifest(): Promise<{ manifest: Manifest; previous: SettledStream }> {
    const manifestReceiver = await this.latch.race(this.manifestStream.promise);
    await this.latch.race(manifestReceiver.finished);
    let manifest: Manifest;
    try {
      // A manifest that is malformed or over the limits is refused as the caller's refusal is: the sender hears why.
      manifest = checkManifestLimits(decodeManifest(this.manifestBytes()));
      const files: IncomingFile[] = manifest.files.map((f, index) => ({ ...f, index }));
      this.emit({ type: 'files', files: files.map((f) => ({ name: f.name, size: f.size, type: f.type })) });
      if (this.options.accept) await this.latch.race(this.options.accept(files));
      await this.latch.race(this.options.onManifest?.({ manifest, manifestChunks: this.manifestChunks.length, senderSession: this.senderSession }) ?? Promise.resolve());
    } catch (error) {
      const refusal = toBanguinsError(error);
      await this.sendControl({ t: 'cancel', reason: refusal.message });
      throw refusal;
    }
    return { manifest, previous: manifestReceiver };
  }

  /**
   * A restarted receiver: the manifest and the files before `nextFile` were finished by the process
   * it replaces. Their streams only confirm themselves to a sender still on one of them (it went on
   * before its success acknowledgement arrived); the stream just before the resumed file is
   * confirmed at once, as the sender may be waiting for that.
   */
  private resumeStreams(resume: ReceiveResumePoint): { manifest: Manifest; previous: SettledStream } {
    const send = (ack: Omit<AcknowledgeMessage, 'connectionid'>) => this.sendAck(ack);
    let previous = finishedElsewhere(MANIFEST_FILEID, resume.manifestChunks, send);
    for (const file of resume.manifest.files.slice(0, resume.nextFile)) {
      this.completed.set(previous.fileid, previous);
      previous = finishedElsewhere(file.fileid, manifestFileChunks(file, resume.manifest.chunkSize), send);
    }
    this.completed.set(previous.fileid, previous);
    return { manifest: resume.manifest, previous };
  }

  /** Receives the files in manifest order; each file's receiver is ready before the previous file is confirmed. */
  private async receiveFiles(files: IncomingFile[], manifest: Manifest, first: SettledStream, sinks: ByteSink[], resume?: ReceiveResumePoint): Promise<void> {
    let previous = first;
    const totalSize = files.reduce((n, f) => n + f.size, 0);
    const nextFile = resume?.nextFile ?? 0;
    let doneBytes = files.slice(0, nextFile).reduce((n, f) => n + f.size, 0);
    for (const file of files.slice(nextFile)) {
      const sink = await this.latch.race(this.options.openSink(file));
      sinks.push(sink);
      const resumed = resume && file.index === nextFile ? resume : undefined;
      const receiver = this.startStream(file, manifest, sink, resumed, (bytes) =>
        this.emit({ type: 'progress', fileIndex: file.index, name: file.name, bytes, size: file.size, totalBytes: doneBytes + bytes, totalSize }),
      );
      this.finishStream(previous);
      previous.sendSuccess();
      this.current = receiver;
      // Tell the sender what the earlier process left on disk: it resends the rest.
      if (resumed) receiver.sendStatus();
      await this.latch.race(receiver.finished).catch((error: unknown) => {
        throw this.refuseIfDamaged(error, file.index, files);
      });
      await this.latch.race(sink.commit());
      sinks.pop();
      doneBytes += file.size;
      this.emit({ type: 'file-done', fileIndex: file.index, name: file.name, size: file.size, sha256: file.sha256 });
      // After file-done, which the CLI saves its resume state on: the sender never hears more than the state says.
      this.writtenHashes.push(receiver.writtenSha256!);
      await this.sendReceipt();
      previous = receiver;
    }
    this.finishStream(previous);
    previous.sendSuccess();
    this.current = undefined;
  }

  /**
   * A file whose bytes differ from the manifest's SHA-256 or size: the sender hears at once, in a
   * sealed cancel naming the file by its index (code `damaged`), and the session fails with an error
   * naming the file as it would have been saved. Any other error goes on as it is.
   */
  private refuseIfDamaged(error: unknown, index: number, files: readonly IncomingFile[]): unknown {
    if (!(error instanceof DamagedStreamError)) return error;
    const refusal = damagedFileError(index, files.map((f) => f.name), error);
    this.sayFarewell({ t: 'cancel', reason: refusal.message, code: 'damaged', file: index });
    return refusal;
  }

  private startStream(file: IncomingFile, manifest: Manifest, sink: ByteSink, resumed: ReceiveResumePoint | undefined, onProgress: (bytes: number) => void): StreamReceiver {
    return new StreamReceiver({
      fileid: file.fileid,
      chunktotal: manifestFileChunks(file, manifest.chunkSize),
      chunkBytes: manifest.chunkSize,
      senderWindowChunks: manifest.window,
      expectedSize: file.size,
      expectedSha256: fromBase64(file.sha256),
      key: this.keys.senderKey,
      write: (bytes) => sink.write(bytes),
      sendAck: (ack) => this.sendAck(ack),
      hasher: resumed?.hasher ?? (this.options.createHasher ?? createSha256)(),
      startChunk: resumed?.chunksOnDisk,
      tuning: this.tuning,
      ackDelayMs: this.ackDelayMs(),
      onProgress,
      onVerifiedChunk: () => this.peerActive(),
    });
  }

  private finishStream(receiver: SettledStream): void {
    receiver.stop();
    this.completed.set(receiver.fileid, receiver);
  }

  private manifestChunks: Uint8Array[] = [];
  private manifestBytes(): Uint8Array {
    const out = new Uint8Array(this.manifestChunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of this.manifestChunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /**
   * A manifest chunk before the manifest stream started: the stream (and its chunk count) starts
   * with the first chunk whose tag verifies under the sender's key, for the place it claims; a
   * forged one changes nothing.
   */
  private async onManifestTransfer(message: TransferMessage): Promise<void> {
    while (this.manifestCheck) await this.manifestCheck;
    if (this.current?.fileid === MANIFEST_FILEID) return this.current.handleTransfer(message);
    if (this.current || this.completed.has(MANIFEST_FILEID)) return;
    const check = this.manifestChunkVerifies(message);
    this.manifestCheck = check.then(() => undefined);
    const verified = await check;
    this.manifestCheck = undefined;
    if (!verified || this.current) return;
    if (message.chunktotal > Math.ceil(MAX_MANIFEST_BYTES / CHUNK_PLAINTEXT_BYTES)) {
      this.latch.fail(new ProtocolError('the sender announced a manifest larger than 4 MiB'));
      return;
    }
    this.peerActive();
    const receiver = new StreamReceiver({
      fileid: MANIFEST_FILEID,
      chunktotal: message.chunktotal,
      chunkBytes: CHUNK_PLAINTEXT_BYTES,
      key: this.keys.senderKey,
      write: async (bytes) => {
        this.manifestChunks.push(bytes);
      },
      sendAck: (ack) => this.sendAck(ack),
      hasher: createSha256(),
      tuning: this.tuning,
      ackDelayMs: this.ackDelayMs(),
      onVerifiedChunk: () => this.peerActive(),
    });
    this.current = receiver;
    this.manifestStream.resolve(receiver);
    receiver.handleTransfer(message);
  }

  /** Whether a manifest chunk verifies for the place (chunk id, chunk count) it claims. */
  private async manifestChunkVerifies(message: TransferMessage): Promise<boolean> {
    return (await openChunk(this.keys.senderKey, MANIFEST_FILEID, message.chunktotal, message)) !== undefined;
  }

  private waitForPairing(): Promise<void> {
    const limit = this.options.pairTimeoutMs ?? SESSION_TIMING.pairTimeoutMs;
    return this.within(this.pairedSignal.promise, limit, () => {
      const refusal = this.lastHelloRefusal ? ` (${this.lastHelloRefusal})` : '';
      return new TimeoutError(`the sender did not answer within ${Math.round(limit / 1000)} s${refusal}`);
    });
  }

  private async onFrame(frame: IncomingFrame): Promise<void> {
    switch (frame.action) {
      case 'Request':
        return this.onRequest(frame.message.connectionid, frame.message.message);
      case 'Transfer': {
        if (frame.message.connectionid !== this.senderId) return;
        if (!this.paired) {
          // The relay forwards Transfers only between paired connections, and it may run the sender's
          // first Transfer before its hello: keep a few until the hello comes (their tags prove them).
          if (this.early.length < MAX_EARLY_TRANSFERS) this.early.push(frame);
          return;
        }
        // Only chunks that verify count as the sender's activity (StreamReceiver's onVerifiedChunk).
        const fileid = frame.message.fileid;
        if (this.current && fileid === this.current.fileid) this.current.handleTransfer(frame.message);
        else if (fileid !== undefined && this.completed.has(fileid)) this.completed.get(fileid)!.sendSuccess();
        else if (fileid === MANIFEST_FILEID) await this.onManifestTransfer(frame.message);
        return;
      }
      case 'Throttled':
        return this.onGatewayDrop(frame.message.reason);
      case 'Error': {
        if (frame.message.code === 'PeerBusy') return this.onCongestionSignal();
        if (!this.paired && frame.message.request === 'Request') {
          // An answer to our first hello: the link is stale, or the relay asks us to say it again.
          const reaction = reactToRelayError(frame.message);
          if (reaction === 'resend') {
            this.lastHelloRefusal = describeRelayError(frame.message);
            return this.onControlDropped();
          }
          this.latch.fail(typeof reaction === 'object' ? reaction.fatal : staleLinkError(frame.message));
          return;
        }
        return this.onRelayError(frame.message);
      }
      default:
        return;
    }
  }

  private async onRequest(from: string, sealed: string | undefined): Promise<void> {
    const control = await openControl(this.keys.senderKey, sealed);
    if (!control) return;
    if (control.t === 'hello') {
      if (!(await this.isOurSender(from, control))) return;
      const moved = from !== this.senderId;
      if (moved) this.presence.moved();
      this.peerId = from;
      this.peerActive();
      if (!control.reply) await this.sayHello(true);
      if (!this.paired) {
        if (this.helloSentAt !== undefined) this.pairingRttMs = Date.now() - this.helloSentAt;
        this.paired = true;
        this.pairedSignal.resolve();
        for (const early of this.early.splice(0)) if (early.message.connectionid === this.senderId) await this.onFrame(early);
        return;
      }
      if (this.presence.markBack() || moved) this.emit({ type: 'resumed' });
      this.current?.sendStatus();
      if (moved) await this.sendReceipt();
      return;
    }
    if (from !== this.senderId) return;
    this.peerActive();
    if (control.t === 'cancel') {
      if (control.code === 'in-use' && !this.paired) {
        this.latch.fail(new LinkInUseError('the link is in use by another device: its sender is already sending to another receiver'));
        return;
      }
      this.latch.fail(new CancelledError(`the sender cancelled: ${control.reason}`));
    }
    if (control.t === 'bye') this.byeSignal.resolve();
    if (control.t === 'rtc') await this.direct?.handleSignal(control);
  }

  protected onDirectFrame(frame: IncomingFrame): void {
    void this.onFrame(frame).catch((error: Error) => this.latch.fail(error));
  }

  /** When the direct path closes, the sender hears through the relay what we hold, and resends the rest there. */
  protected onPathChanged(path: TransferPath): void {
    if (path === 'relay') this.current?.sendStatus();
  }

  /**
   * Whether a sender hello comes from our sender. Before pairing, only the link's sender connection
   * answers our first hello, and its session is pinned; after that, a hello counts only with a proof
   * of the pair key for the connection it comes from, or showing the pinned session (which the
   * sender sends to us alone). So a stranger holding the link cannot take the sender's place, and
   * we never answer it.
   */
  private async isOurSender(from: string, hello: Extract<ControlMessage, { t: 'hello' }>): Promise<boolean> {
    if (hello.proof !== undefined && this.pairKey !== undefined && (await checkHelloProof(this.pairKey, 'sender', from, hello.proof))) return true;
    if (hello.session === undefined) return false;
    if (this.senderSession !== undefined) return hello.session === this.senderSession;
    if (from !== this.senderId || this.paired) return false;
    this.senderSession = hello.session;
    this.pairKey = await derivePairKey(this.session, hello.session);
    return true;
  }

  /** Tells the sender, sealed, which files are written whole and their SHA-256 (as a digest over all of them). */
  private async sendReceipt(): Promise<void> {
    if (this.writtenHashes.length === 0) return;
    await this.sendControl({ t: 'receipt', files: this.writtenHashes.length, digest: await receiptDigest(this.writtenHashes) });
  }

  /**
   * The relay dropped a frame of ours (API Gateway throttled it, PeerBusy: the sender's buffer is
   * full, or an InternalError to a Request). Acknowledgements are cumulative (the next one repairs
   * a lost one, and the sender's timeout provokes a lost last one); a lost first hello is repeated.
   */
  protected onControlDropped(): void {
    if (!this.paired) this.repeatHello(SESSION_TIMING.droppedControlRetryMs, false, this.helloContent());
    // After pairing, the lost frame may have been a receipt: say it again (cumulative, so once is enough).
    else if (this.writtenHashes.length > 0) this.repeatSoon('receipt', SESSION_TIMING.droppedControlRetryMs, () => this.sendReceipt());
  }

  /** PeerBusy or API Gateway's throttle: for the receiver only a possibly lost first hello matters (acks are cumulative). */
  protected onCongestionSignal(): void {
    this.onControlDropped();
  }


  /** About a quarter of the round trip measured while pairing, within [SESSION_TIMING.minAckDelayMs, tuning.ackDelayMs]. */
  private ackDelayMs(): number {
    const quarter = this.pairingRttMs === undefined ? this.tuning.ackDelayMs : this.pairingRttMs / 4;
    return Math.max(SESSION_TIMING.minAckDelayMs, Math.min(this.tuning.ackDelayMs, quarter));
  }

  /** Our hellos carry a proof once we hold the pair key, else (our first ones, to the link's sender alone) our session id. */
  private helloContent(): HelloContent {
    return this.pairKey ? 'proof-only' : 'with-session';
  }

  /** Says hello to the sender (the first one also starts the pairing round trip that sets the ack delay). */
  protected override sayHello(reply: boolean, what: HelloContent = this.helloContent()): Promise<void> {
    this.helloSentAt ??= Date.now();
    return super.sayHello(reply, what);
  }

  private sendAck(ack: Omit<AcknowledgeMessage, 'connectionid'>): void {
    if (this.presence.isAway) return;
    this.sendOnPath(acknowledgeFrame({ connectionid: this.senderId, ...ack }), (frame) => this.connection.send(frame));
  }

}
