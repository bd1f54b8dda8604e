import { toBase64, toBase64Url } from './base64';
import { chunkAad, type Sealer, sha256 } from './session-crypto';
import type { ProtocolTuning } from './tuning';
import type { AcknowledgeMessage, TransferMessage } from './wire-frames';
import { WakeableSleep } from './wakeable-sleep';
import type { RoundTripEstimator } from './round-trip-estimator';

/** Where a StreamSender sends its chunks: the session adds the peer's connection id. */
export interface TransferPort {
  /** Sends one Transfer frame; false when it could not be sent (socket down). */
  sendTransfer(message: Omit<TransferMessage, 'connectionid'>): boolean;
  /** Whether another frame may go now: paired, socket open and its buffer below the high-water mark. */
  ready(): boolean;
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
  /** Shared by the streams of a session; measures how long an ack takes. */
  readonly roundTrip: RoundTripEstimator;
  /** Called with the number of chunks the receiver holds contiguously from the start. */
  readonly onProgress?: (ackedChunks: number) => void;
}

/**
 * Sends one stream (a file or the manifest) with a sliding window: at most `windowChunks` beyond the
 * receiver's contiguous prefix, resends only what the receiver reports missing, and finishes when the
 * receiver acknowledges with `success: true`.
 */
export class StreamSender {
  private ackedThrough = -1;
  private nextNew = 0;
  private readonly lastSentAt = new Map<number, number>();
  private readonly resent = new Set<number>();
  private readonly resendQueue = new Set<number>();
  private done = false;
  private failure?: Error;
  private lastHeardAt = Date.now();
  private readonly sleeper = new WakeableSleep();
  /** Frames sent, first sends and resends together. */
  framesSent = 0;

  constructor(private readonly options: StreamSenderOptions) {}

  /** The stream's fileid. */
  get fileid(): string {
    return this.options.fileid;
  }

  /** Sends until the receiver confirms the whole stream; rejects if abort() is called. */
  async run(): Promise<void> {
    const { port, tuning, chunktotal } = this.options;
    while (!this.done) {
      if (this.failure) throw this.failure;
      if (port.ready()) {
        const id = this.nextToSend();
        if (id !== undefined) {
          await this.sendChunk(id);
          continue;
        }
      }
      const idle = await this.sleeper.sleep(port.ready() ? tuning.pokeMs : 10);
      if (idle && !this.done && port.ready() && Date.now() - this.lastHeardAt >= tuning.pokeMs) {
        // No ack for a while: resend the lowest unacknowledged chunk so the receiver answers with its state.
        const lowest = Math.min(this.ackedThrough + 1, chunktotal - 1);
        if (lowest < this.nextNew) await this.sendChunk(lowest);
        this.lastHeardAt = Date.now();
      }
    }
    if (this.failure) throw this.failure;
  }

  /** Takes the receiver's Acknowledge for this stream. */
  handleAck(ack: AcknowledgeMessage): void {
    const { chunktotal, tuning } = this.options;
    this.lastHeardAt = Date.now();
    if (ack.success) {
      this.ackedThrough = chunktotal - 1;
      this.done = true;
      this.options.onProgress?.(chunktotal);
      this.sleeper.wake();
      return;
    }
    const through = Math.min(ack.receivedthrough ?? -1, chunktotal - 1);
    const now = Date.now();
    if (through > this.ackedThrough) {
      const sentAt = this.lastSentAt.get(through);
      if (sentAt !== undefined && !this.resent.has(through)) this.options.roundTrip.sample(now - sentAt);
      for (let id = this.ackedThrough + 1; id <= through; id++) {
        this.lastSentAt.delete(id);
        this.resent.delete(id);
      }
      this.ackedThrough = through;
      this.options.onProgress?.(through + 1);
    }
    const guard = this.options.roundTrip.resendGuardMs(tuning.resendGuardMs);
    for (const id of ack.missingchunkids) {
      if (id <= this.ackedThrough || id >= this.nextNew) continue;
      // A chunk reported missing for the first time is lost (the receiver applies a reorder tolerance);
      // one already resent may still be on its way, so it waits for the guard.
      if (!this.resent.has(id) || now - (this.lastSentAt.get(id) ?? 0) >= guard) this.resendQueue.add(id);
    }
    this.sleeper.wake();
  }

  /** The peer or our socket changed: forget send times so what the receiver reports missing goes again at once. */
  resume(): void {
    this.lastSentAt.clear();
    this.lastHeardAt = Date.now();
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

  private nextToSend(): number | undefined {
    for (const id of this.resendQueue) {
      this.resendQueue.delete(id);
      if (id > this.ackedThrough && id < this.nextNew) return id;
    }
    const { chunktotal, tuning } = this.options;
    if (this.nextNew < chunktotal && this.nextNew <= this.ackedThrough + tuning.windowChunks) return this.nextNew;
    return undefined;
  }

  private async sendChunk(chunkid: number): Promise<void> {
    const { fileid, chunktotal, sealer, port } = this.options;
    const plaintext = await this.options.readChunk(chunkid);
    const sealed = await sealer.seal(plaintext, chunkAad(fileid, chunkid, chunktotal));
    const chunkhash = toBase64Url(await sha256(sealed));
    const sent = port.sendTransfer({ data: toBase64(sealed), chunkid, chunktotal, chunkhash, fileid });
    if (!sent) {
      if (chunkid < this.nextNew) this.resendQueue.add(chunkid);
      return;
    }
    this.framesSent++;
    if (this.lastSentAt.has(chunkid) || chunkid < this.nextNew) this.resent.add(chunkid);
    this.lastSentAt.set(chunkid, Date.now());
    if (chunkid === this.nextNew) this.nextNew++;
  }
}
