import { toBase64Url } from '../../protocol/base64';
import type { CongestionControl, RelayDropKind } from '../congestion/congestion-control';
import { LossDetector, type StreamPosition } from '../congestion/loss-detector';
import { chunkAad, type Sealer } from '../crypto/session-crypto';
import type { ProtocolTuning } from '../tuning';
import type { AcknowledgeMessage } from '../../protocol/frames';
import type { SealedChunk } from '../direct/chunk-pieces';
import { WakeableSleep } from './wakeable-sleep';

/**
 * How many new chunks beyond the one going out are read and sealed ahead (each a fresh nonce; one
 * never sent is dropped): their reads and seals overlap the send instead of adding to it.
 */
const PREPARE_AHEAD_CHUNKS = 3;

/** A chunk sealed and hashed, ready to go. */
interface PreparedChunk {
  readonly sealed: Uint8Array;
  readonly chunkhash: string;
}

/** Where a StreamSender sends its chunks: the session adds the peer's connection id. */
export interface TransferPort {
  /** Sends one sealed chunk (a Transfer frame, or its binary form on the direct path); false when it could not be sent (socket down). */
  sendTransfer(chunk: SealedChunk): boolean;
  /** Whether another frame may go now: paired, socket open and its buffer below the high-water mark. */
  ready(): boolean;
  /** Whether the path the next chunk takes needs no pacing (the direct path: no stage throttle to stay under). @default never */
  unpaced?(): boolean;
}

/** What a StreamSender needs: the stream, its sealer, where to send, and the knobs. */
export interface StreamSenderOptions {
  readonly fileid: string;
  readonly chunktotal: number;
  /** Returns chunk `chunkid`'s plaintext (read again on every resend). */
  readonly readChunk: (chunkid: number) => Promise<Uint8Array>;
  readonly sealer: Sealer;
  readonly port: TransferPort;
  readonly tuning: ProtocolTuning;
  /** Shared by the streams of a session: round trips, timeout, congestion window and pacing. */
  readonly congestion: CongestionControl;
  /** Called with the number of chunks the receiver holds contiguously from the start. */
  readonly onProgress?: (ackedChunks: number) => void;
}

/**
 * Sends one stream (a file or the manifest) like TCP sends bytes: at most a congestion window
 * (CongestionControl) of chunks beyond the receiver's contiguous prefix, paced, resends first; which
 * chunks are lost and go again is LossDetector's call. Finishes when the receiver acknowledges with
 * `success: true`.
 */
export class StreamSender {
  private ackedThrough = -1;
  private nextNew = 0;
  private readonly losses: LossDetector;
  private done = false;
  private failure?: Error;
  private readonly sleeper = new WakeableSleep();
  /** New chunks read and sealed ahead of their turn, by chunk id (at most PREPARE_AHEAD_CHUNKS). */
  private readonly prepared = new Map<number, Promise<PreparedChunk>>();
  /** Frames sent, first sends and resends together. */
  framesSent = 0;

  constructor(private readonly options: StreamSenderOptions) {
    this.losses = new LossDetector(options.congestion, options.tuning.minRtoMs);
  }

  /** The stream's fileid. */
  get fileid(): string {
    return this.options.fileid;
  }

  /** Sends until the receiver confirms the whole stream; rejects if abort() is called. */
  async run(): Promise<void> {
    const { port, congestion } = this.options;
    while (!this.done) {
      if (this.failure) throw this.failure;
      const now = Date.now();
      let wait = 10;
      if (port.ready()) {
        const id = this.losses.nextResend(this.position, now) ?? this.nextNewChunk();
        if (id !== undefined) {
          const delay = port.unpaced?.() ? 0 : congestion.pacer.delayMs(now);
          if (delay === 0) {
            await this.sendChunk(id);
            continue;
          }
          wait = delay;
        } else {
          wait = this.losses.idleWaitMs(now);
        }
      }
      await this.sleeper.sleep(wait);
    }
    this.prepared.clear();
    if (this.failure) throw this.failure;
  }

  /** Takes the receiver's Acknowledge for this stream: the prefix moves (the window grows), reported gaps may be losses. */
  handleAck(ack: AcknowledgeMessage): void {
    const { chunktotal, congestion } = this.options;
    const now = Date.now();
    this.losses.onAck(now);
    if (ack.success) {
      const last = chunktotal - 1;
      if (!this.done && this.ackedThrough < last) this.losses.onStreamDone(last, now);
      if (!this.done) congestion.onAcked(last - this.ackedThrough);
      this.ackedThrough = last;
      this.done = true;
      this.options.onProgress?.(chunktotal);
      this.sleeper.wake();
      return;
    }
    const through = Math.min(ack.receivedthrough ?? -1, chunktotal - 1);
    if (through > this.ackedThrough) {
      this.losses.onPrefixAcked(this.ackedThrough, through, this.nextNew > through + 1, now);
      congestion.onAcked(through - this.ackedThrough);
      this.ackedThrough = through;
      // A receiver that holds more than we sent (it resumes a stream an earlier session began): the new chunks start after it.
      if (this.nextNew <= through) this.nextNew = through + 1;
      this.options.onProgress?.(through + 1);
    }
    this.losses.onMissing(ack.missingchunkids, this.position, now);
    this.sleeper.wake();
  }

  /**
   * The relay dropped one of our frames (API Gateway's throttling frame, or PeerBusy): the window and
   * the rate shrink, and the chunks sent just before become suspects (LossDetector).
   */
  handleCongestionSignal(kind: RelayDropKind = 'throttle'): void {
    this.losses.onCongestionSignal(this.position, Date.now(), kind);
    this.sleeper.wake();
  }

  /** The peer or our socket changed: forget send times so what the receiver reports missing goes again at once. */
  resume(): void {
    this.losses.onResume(this.position, Date.now());
    this.sleeper.wake();
  }

  /** Lets the send loop re-check whether the port is ready. */
  wake(): void {
    this.sleeper.wake();
  }

  /** Stops the stream; run() rejects with `error`. */
  abort(error: Error): void {
    this.failure = error;
    this.sleeper.wake();
  }

  private get position(): StreamPosition {
    return { ackedThrough: this.ackedThrough, nextNew: this.nextNew };
  }

  /** The next chunk never sent, if the window has room for it. */
  private nextNewChunk(): number | undefined {
    const { chunktotal, congestion } = this.options;
    return this.nextNew < chunktotal && this.nextNew <= this.ackedThrough + congestion.windowChunks ? this.nextNew : undefined;
  }

  /** Reads, seals and hashes chunk `chunkid`, or takes it from those prepared ahead. */
  private prepare(chunkid: number): Promise<PreparedChunk> {
    let prepared = this.prepared.get(chunkid);
    if (!prepared) {
      const { fileid, chunktotal, sealer } = this.options;
      prepared = (async () => {
        const plaintext = await this.options.readChunk(chunkid);
        const sealed = await sealer.seal(plaintext, chunkAad(fileid, chunkid, chunktotal));
        return { sealed, chunkhash: toBase64Url(await sealer.key.crypto.sha256(sealed)) };
      })();
      // A chunk prepared ahead and never sent (the stream ended) must not be an unhandled rejection.
      prepared.catch(() => undefined);
      this.prepared.set(chunkid, prepared);
    }
    return prepared;
  }

  private async sendChunk(chunkid: number): Promise<void> {
    const { fileid, chunktotal, port, congestion } = this.options;
    this.losses.onSending(chunkid);
    // The next new chunks are read and sealed while this one goes out: the thread pool seals, the
    // file is read, and this loop sends, instead of each waiting for the other.
    if (chunkid === this.nextNew) {
      for (let ahead = 1; ahead <= PREPARE_AHEAD_CHUNKS && chunkid + ahead < chunktotal; ahead++) void this.prepare(chunkid + ahead);
    }
    const preparing = this.prepare(chunkid);
    this.prepared.delete(chunkid);
    const { sealed, chunkhash } = await preparing;
    // An acknowledgement may have arrived while the chunk was being sealed.
    if (chunkid <= this.ackedThrough || this.done) return;
    const unpaced = port.unpaced?.() === true;
    const sent = port.sendTransfer({ sealed, chunkid, chunktotal, chunkhash, fileid });
    if (!sent) {
      if (chunkid < this.nextNew) this.losses.onNotSent(chunkid);
      return;
    }
    const now = Date.now();
    if (!unpaced) congestion.pacer.spend(now);
    this.framesSent++;
    this.losses.onSent(chunkid, now);
    if (chunkid === this.nextNew) this.nextNew++;
  }
}
