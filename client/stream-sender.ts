import { toBase64, toBase64Url } from '../protocol/base64';
import type { CongestionControl } from './congestion-control';
import { MAX_MISSING_CHUNK_IDS as MAX_MISSING_IDS } from '../protocol/limits';
import { MAX_WINDOW_CHUNKS } from './protocol-constants';
import { chunkAad, type Sealer, sha256 } from './session-crypto';
import type { ProtocolTuning } from './tuning';
import type { AcknowledgeMessage, TransferMessage } from '../protocol/frames';
import { WakeableSleep } from './wakeable-sleep';

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
  /** Shared by the streams of a session: round trips, timeout, congestion window and pacing. */
  readonly congestion: CongestionControl;
  /** Called with the number of chunks the receiver holds contiguously from the start. */
  readonly onProgress?: (ackedChunks: number) => void;
}

/** How long a congestion signal keeps the chunks sent just before it under suspicion, at least. */
const MIN_SUSPECT_WINDOW_MS = 50;

/**
 * Sends one stream (a file or the manifest) like TCP sends bytes: at most a congestion window of
 * chunks beyond the receiver's contiguous prefix, paced; a chunk reported missing is resent once it
 * is older than a round trip plus a reordering allowance when the receiver holds a later chunk,
 * else (and for a resent one) once older than the retransmission timeout; when no acknowledgement
 * of new data comes within the timeout, the lowest unacknowledged chunk goes again and the timeout
 * doubles. Finishes when the receiver acknowledges with `success: true`.
 */
export class StreamSender {
  private ackedThrough = -1;
  private nextNew = 0;
  private readonly lastSentAt = new Map<number, number>();
  private readonly sendCount = new Map<number, number>();
  private readonly resendQueue = new Set<number>();
  /** When the retransmission timer started; undefined while nothing is outstanding. */
  private timerStartedAt?: number;
  /** Times of recent congestion signals: the chunks sent just before them may have been the dropped ones. */
  private signalTimes: number[] = [];
  /** A chunk suspected dropped by a congestion signal, resent after one round trip unless an ack came meanwhile. */
  private suspect?: { readonly chunkid: number; readonly signalAt: number };
  private lastAckAt = 0;
  private done = false;
  private failure?: Error;
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
    const { port, congestion } = this.options;
    while (!this.done) {
      if (this.failure) throw this.failure;
      const now = Date.now();
      let wait = 10;
      if (port.ready()) {
        this.checkSuspect(now);
        this.checkTimeout(now);
        const id = this.pickNext();
        if (id !== undefined) {
          const delay = congestion.pacer.delayMs(now);
          if (delay === 0) {
            await this.sendChunk(id);
            continue;
          }
          wait = delay;
        } else {
          wait = this.timerStartedAt === undefined ? congestion.rtt.rtoMs : Math.max(1, this.timerStartedAt + congestion.rtt.rtoMs - now);
          if (this.suspect) wait = Math.max(1, Math.min(wait, this.suspect.signalAt + this.suspectDelayMs() - now));
        }
      }
      await this.sleeper.sleep(wait);
    }
    if (this.failure) throw this.failure;
  }

  /** Takes the receiver's Acknowledge for this stream. */
  handleAck(ack: AcknowledgeMessage): void {
    const { chunktotal, congestion } = this.options;
    const now = Date.now();
    this.lastAckAt = now;
    if (ack.success) {
      const last = chunktotal - 1;
      const lastSentAt = this.lastSentAt.get(last);
      if (!this.done && this.ackedThrough < last && lastSentAt !== undefined && this.sendCount.get(last) === 1) congestion.onRoundTrip(now - lastSentAt, now);
      if (!this.done) congestion.onAcked(last - this.ackedThrough);
      this.ackedThrough = chunktotal - 1;
      this.done = true;
      this.timerStartedAt = undefined;
      this.options.onProgress?.(chunktotal);
      this.sleeper.wake();
      return;
    }
    const through = Math.min(ack.receivedthrough ?? -1, chunktotal - 1);
    if (through > this.ackedThrough) {
      const sentAt = this.lastSentAt.get(through);
      // Karn's rule: only a chunk sent once gives a round trip that belongs to it.
      if (sentAt !== undefined && this.sendCount.get(through) === 1) congestion.onRoundTrip(now - sentAt, now);
      for (let id = this.ackedThrough + 1; id <= through; id++) {
        this.lastSentAt.delete(id);
        this.sendCount.delete(id);
        this.resendQueue.delete(id);
      }
      congestion.onAcked(through - this.ackedThrough);
      this.ackedThrough = through;
      this.timerStartedAt = this.nextNew > through + 1 ? now : undefined;
      this.options.onProgress?.(through + 1);
    }
    const heldBeyond = this.highestHeldBeyondPrefix(ack.missingchunkids);
    let tailProbed = false;
    for (const id of ack.missingchunkids) {
      if (id <= this.ackedThrough || id >= this.nextNew || this.resendQueue.has(id)) continue;
      const sentAt = this.lastSentAt.get(id);
      if (sentAt === undefined) {
        // Send time unknown (forgotten after a resume): resend at once.
        this.resendQueue.add(id);
        continue;
      }
      const resent = (this.sendCount.get(id) ?? 0) > 1;
      const suspect = !resent && this.isSuspect(sentAt, now);
      // As TCP RACK: a chunk the receiver holds a later one of is lost once a round trip old; one with
      // nothing after it received may just be queued (in the relay, or in a socket the relay paused),
      // so it must be as old as the timeout first.
      const tail = !suspect && !resent && id >= heldBeyond;
      // Of the tail, the lowest goes first (as the timer resends one): if the others were lost too,
      // the receiver's next report, which will hold it, reveals them; they go without that evidence
      // only at twice the age.
      const tailAge = congestion.rtt.tailLossAgeMs * (tailProbed ? 2 : 1);
      const lossAge = suspect ? 0 : resent ? congestion.rtt.rtoMs : tail ? tailAge : congestion.rtt.lossAgeMs;
      if (now - sentAt >= lossAge) {
        tailProbed ||= tail;
        this.resendQueue.add(id);
        // A suspect's loss is the congestion signal that already cut the window.
        if (!suspect) congestion.onLoss(now);
      }
    }
    this.sleeper.wake();
  }

  /**
   * The relay dropped one of our frames (API Gateway's throttling frame, or PeerBusy): cut the window
   * and the rate now, and treat the chunks sent in the last round trip as suspects, resent as soon as
   * the receiver reports them missing. The newest unacknowledged chunk goes again after one round trip
   * if no acknowledgement comes meanwhile (then nothing later would reveal its loss).
   */
  handleCongestionSignal(): void {
    const now = Date.now();
    this.options.congestion.onCongestionSignal(now);
    this.signalTimes = [...this.signalTimes.filter((t) => now - t < this.options.congestion.rtt.rtoMs), now];
    let newest: number | undefined;
    let newestSentAt = -Infinity;
    for (const [id, sentAt] of this.lastSentAt) {
      if (id > this.ackedThrough && sentAt >= newestSentAt) [newest, newestSentAt] = [id, sentAt];
    }
    if (newest !== undefined && !this.suspect) this.suspect = { chunkid: newest, signalAt: now };
    this.sleeper.wake();
  }

  /**
   * The highest chunk beyond the acknowledged prefix that an ack shows the receiver holds (-1: none):
   * the highest chunk already sent that the ack does not list as missing (an ack lists every gap in
   * the range it covers: a status report covers the whole window, and a gap report covers chunks
   * below one the receiver holds, so for a gap report the answer may name a chunk still in flight
   * but some later chunk was received all the same). A truncated list covers no more than its
   * highest id.
   */
  private highestHeldBeyondPrefix(missing: readonly number[]): number {
    if (missing.length === 0) return -1;
    const listed = new Set(missing);
    const top = Math.min(this.nextNew - 1, missing.length >= MAX_MISSING_IDS ? Math.max(...missing) : this.ackedThrough + MAX_WINDOW_CHUNKS);
    for (let id = top; id > this.ackedThrough; id--) if (!listed.has(id)) return id;
    return -1;
  }

  /** The peer or our socket changed: forget send times so what the receiver reports missing goes again at once. */
  resume(): void {
    this.lastSentAt.clear();
    this.timerStartedAt = this.nextNew > this.ackedThrough + 1 ? Date.now() : undefined;
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

  private isSuspect(sentAt: number, now: number): boolean {
    const window = Math.max(MIN_SUSPECT_WINDOW_MS, this.options.congestion.rtt.estimateMs ?? 0);
    return this.signalTimes.some((t) => t >= sentAt && t - sentAt <= window && now - t < this.options.congestion.rtt.rtoMs);
  }

  private suspectDelayMs(): number {
    return Math.max(MIN_SUSPECT_WINDOW_MS, this.options.congestion.rtt.estimateMs ?? this.options.tuning.minRtoMs);
  }

  /** One round trip after a congestion signal: resend the suspect if no acknowledgement came since. */
  private checkSuspect(now: number): void {
    const suspect = this.suspect;
    if (!suspect || now - suspect.signalAt < this.suspectDelayMs()) return;
    this.suspect = undefined;
    const sentAt = this.lastSentAt.get(suspect.chunkid);
    const quiet = this.lastAckAt < suspect.signalAt;
    if (quiet && suspect.chunkid > this.ackedThrough && sentAt !== undefined && sentAt <= suspect.signalAt) this.resendQueue.add(suspect.chunkid);
  }

  /**
   * RFC 6298 5.4-5.6: on expiry resend the lowest unacknowledged chunk, back off, restart the timer.
   * The timer runs from the lowest chunk's last transmission: one resent recently is not resent again.
   */
  private checkTimeout(now: number): void {
    const { congestion } = this.options;
    if (this.timerStartedAt === undefined || now - this.timerStartedAt < congestion.rtt.rtoMs) return;
    const lowest = this.ackedThrough + 1;
    const lowestSentAt = this.lastSentAt.get(lowest);
    if (lowestSentAt !== undefined && lowestSentAt > this.timerStartedAt) {
      this.timerStartedAt = lowestSentAt;
      if (now - lowestSentAt < congestion.rtt.rtoMs) return;
    }
    congestion.onTimeout(now);
    if (lowest < this.nextNew) this.resendQueue.add(lowest);
    this.timerStartedAt = now;
  }

  /** The next chunk to send: a resend first, else a new chunk if the window has room. */
  private pickNext(): number | undefined {
    for (const id of this.resendQueue) {
      if (id > this.ackedThrough && id < this.nextNew) return id;
      this.resendQueue.delete(id);
    }
    const { chunktotal, congestion } = this.options;
    if (this.nextNew < chunktotal && this.nextNew <= this.ackedThrough + congestion.windowChunks) return this.nextNew;
    return undefined;
  }

  private async sendChunk(chunkid: number): Promise<void> {
    const { fileid, chunktotal, sealer, port, congestion } = this.options;
    this.resendQueue.delete(chunkid);
    const plaintext = await this.options.readChunk(chunkid);
    const sealed = await sealer.seal(plaintext, chunkAad(fileid, chunkid, chunktotal));
    const chunkhash = toBase64Url(await sha256(sealed));
    // An acknowledgement may have arrived while the chunk was being sealed.
    if (chunkid <= this.ackedThrough || this.done) return;
    const sent = port.sendTransfer({ data: toBase64(sealed), chunkid, chunktotal, chunkhash, fileid });
    if (!sent) {
      if (chunkid < this.nextNew) this.resendQueue.add(chunkid);
      return;
    }
    const now = Date.now();
    congestion.pacer.spend(now);
    this.framesSent++;
    this.sendCount.set(chunkid, (this.sendCount.get(chunkid) ?? 0) + 1);
    this.lastSentAt.set(chunkid, now);
    if (chunkid === this.nextNew) this.nextNew++;
    this.timerStartedAt ??= now;
  }
}
