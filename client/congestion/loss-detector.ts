import type { CongestionControl, RelayDropKind } from './congestion-control';
import { MAX_MISSING_CHUNK_IDS } from '../../protocol/limits';
import { MAX_WINDOW_CHUNKS } from '../streams/chunking';

/** The tail loss probe waits at least this long (two round trips of a fast loopback are less). */
const MIN_PROBE_AFTER_MS = 50;

/** The tail loss probe runs only this long after the last loss found (else only for a chunk reported missing). */
const LOSSY_PATH_MS = 2000;

/** How long a congestion signal keeps the chunks sent just before it under suspicion, at least. */
const MIN_SUSPECT_WINDOW_MS = 50;

/** Where a stream stands: every chunk up to `ackedThrough` is acknowledged, chunks from `nextNew` on were never sent. */
export interface StreamPosition {
  readonly ackedThrough: number;
  readonly nextNew: number;
}

/**
 * Decides which chunks of one stream are lost and go again, as TCP does: a chunk the receiver
 * reports missing while it holds a later one is lost once a round trip (plus a reordering
 * allowance) old, as RACK; one with nothing after it received may be queued, so it waits for the
 * retransmission timeout; a resent one waits for the timeout too, unless the receiver holds a chunk
 * first sent after the resend (then the resend is lost as RACK says); a congestion signal makes the
 * chunks sent just before it suspects, resent at once when reported missing, and the newest one
 * after a round trip if no acknowledgement came (RFC 6298 timer and Karn's rule included). It keeps
 * the send times and counts of the chunks in flight; the window itself is CongestionControl's.
 */
export class LossDetector {
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
  /** When a chunk was last found lost (reported, timed out, or dropped by a congestion signal). */
  private lastLossAt = -Infinity;
  /** When the receiver last reported each chunk missing below one it holds (a gap). */
  private readonly reportedMissingAt = new Map<number, number>();
  /** Whether the tail loss probe went since the acknowledged prefix last moved. */
  private probed = false;
  /** The highest chunk an ack showed the receiver holds (in the prefix, or beyond it). */
  private highestHeld = -1;
  /**
   * Chunks the receiver reported missing that were too young to call lost (RACK's reordering
   * allowance): when each becomes old enough, if no ack came for it and it was not sent again
   * meanwhile. Without this, a loss reported once waited for the next report or the timeout.
   */
  private readonly lostWhenOld = new Map<number, { readonly sentAt: number; readonly at: number }>();

  constructor(
    private readonly congestion: CongestionControl,
    private readonly minRtoMs: number,
  ) {}

  /** Chunk `chunkid` is being sealed to go (out of the resend queue, so a report meanwhile may queue it again). */
  onSending(chunkid: number): void {
    this.resendQueue.delete(chunkid);
  }

  /** Chunk `chunkid` went out at `now`. */
  onSent(chunkid: number, now: number): void {
    this.lostWhenOld.delete(chunkid);
    this.sendCount.set(chunkid, (this.sendCount.get(chunkid) ?? 0) + 1);
    this.lastSentAt.set(chunkid, now);
    this.timerStartedAt ??= now;
  }

  /** Chunk `chunkid` could not go (socket down): it goes again first. */
  onNotSent(chunkid: number): void {
    this.resendQueue.add(chunkid);
  }

  /**
   * An acknowledgement came that moves the acknowledged prefix from `from` up to `through`: a round
   * trip sample when chunk `through` was sent once (Karn's rule), and the prefix's chunks forgotten.
   */
  onPrefixAcked(from: number, through: number, stillOutstanding: boolean, now: number): void {
    const sentAt = this.lastSentAt.get(through);
    // Karn's rule for the whole range: when the prefix moves because a resend filled a hole, chunk
    // `through` waited at the receiver behind the hole, and its "round trip" is the repair's time
    // (seconds under 10% loss): as a sample it inflated the estimate, read as a standing queue, and
    // halved the pacing rate again and again.
    let repaired = false;
    for (let id = from + 1; id <= through && !repaired; id++) repaired = (this.sendCount.get(id) ?? 1) > 1;
    if (sentAt !== undefined && this.sendCount.get(through) === 1 && !repaired) this.congestion.onRoundTrip(now - sentAt, now);
    for (let id = from + 1; id <= through; id++) {
      this.lostWhenOld.delete(id);
      this.reportedMissingAt.delete(id);
      this.lastSentAt.delete(id);
      this.sendCount.delete(id);
      this.resendQueue.delete(id);
    }
    this.timerStartedAt = stillOutstanding ? now : undefined;
    this.probed = false;
  }

  /** The whole stream is acknowledged: a round trip sample from its last chunk if it went once. */
  onStreamDone(last: number, now: number): void {
    const lastSentAt = this.lastSentAt.get(last);
    if (lastSentAt !== undefined && this.sendCount.get(last) === 1) this.congestion.onRoundTrip(now - lastSentAt, now);
    this.timerStartedAt = undefined;
  }

  /** Notes that an acknowledgement came (a suspect is resent only if none came for a round trip). */
  onAck(now: number): void {
    this.lastAckAt = now;
  }

  /** Reads the receiver's list of missing chunks: queues those it shows lost, telling the window of each loss. */
  onMissing(missing: readonly number[], position: StreamPosition, now: number): void {
    const { congestion } = this;
    const heldBeyond = this.highestHeldBeyondPrefix(missing, position);
    this.highestHeld = Math.max(this.highestHeld, heldBeyond, position.ackedThrough);
    // A gap only (the receiver holds a later chunk): a status report lists every chunk in flight, which may be queued.
    for (const id of missing) if (id > position.ackedThrough && id < heldBeyond) this.reportedMissingAt.set(id, now);
    let tailProbed = false;
    for (const id of missing) {
      if (id <= position.ackedThrough || id >= position.nextNew || this.resendQueue.has(id)) continue;
      const sentAt = this.lastSentAt.get(id);
      if (sentAt === undefined) {
        // Send time unknown (forgotten after a resume): resend at once.
        this.resendQueue.add(id);
        continue;
      }
      const resent = (this.sendCount.get(id) ?? 0) > 1;
      // A resend lost too (RACK again): the receiver holds a chunk first sent after it, so it is
      // lost once a round trip old, as a first transmission is; else it waits for the timeout.
      const resendOvertaken = resent && (this.lastSentAt.get(heldBeyond) ?? -Infinity) > sentAt;
      const suspect = !resent && this.isSuspect(sentAt, now);
      // As TCP RACK: a chunk the receiver holds a later one of is lost once a round trip old; one with
      // nothing after it received may just be queued (in the relay, or in a socket the relay paused),
      // so it must be as old as the timeout first.
      const tail = !suspect && !resent && id >= heldBeyond;
      // Of the tail, the lowest goes first (as the timer resends one): if the others were lost too,
      // the receiver's next report, which will hold it, reveals them; they go without that evidence
      // only at twice the age.
      const tailAge = congestion.rtt.tailLossAgeMs * (tailProbed ? 2 : 1);
      const lossAge = suspect ? 0 : resent && !resendOvertaken ? congestion.rtt.rtoMs : tail ? tailAge : congestion.rtt.lossAgeMs;
      if (now - sentAt >= lossAge) {
        tailProbed ||= tail;
        this.resendQueue.add(id);
        this.lostWhenOld.delete(id);
        this.lastLossAt = now;
        // A suspect's loss is the congestion signal that already cut the window.
        if (!suspect) congestion.onLoss(now);
      } else if (!tail && lossAge < congestion.rtt.rtoMs) {
        this.lostWhenOld.set(id, { sentAt, at: sentAt + lossAge });
      }
    }
  }

  /**
   * The relay dropped one of our frames (API Gateway's throttling frame, or PeerBusy): cut the window
   * and the rate now, and treat the chunks sent in the last round trip as suspects; the newest
   * unacknowledged one goes again after one round trip if no acknowledgement comes meanwhile.
   */
  onCongestionSignal(position: StreamPosition, now: number, kind: RelayDropKind = 'throttle'): void {
    this.congestion.onCongestionSignal(now, kind);
    this.lastLossAt = now;
    this.signalTimes = [...this.signalTimes.filter((t) => now - t < this.congestion.rtt.rtoMs), now];
    let newest: number | undefined;
    let newestSentAt = -Infinity;
    for (const [id, sentAt] of this.lastSentAt) {
      if (id > position.ackedThrough && sentAt >= newestSentAt) [newest, newestSentAt] = [id, sentAt];
    }
    if (newest !== undefined && !this.suspect) this.suspect = { chunkid: newest, signalAt: now };
  }

  /** The peer or our socket changed: forget send times so what the receiver reports missing goes again at once. */
  onResume(position: StreamPosition, now: number): void {
    this.lastSentAt.clear();
    this.lostWhenOld.clear();
    this.reportedMissingAt.clear();
    this.probed = false;
    this.timerStartedAt = position.nextNew > position.ackedThrough + 1 ? now : undefined;
  }

  /** Runs the suspect's and the retransmission timer's checks; then the chunk to resend first, if any. */
  nextResend(position: StreamPosition, now: number): number | undefined {
    this.checkReportedLosses(position, now);
    this.checkSuspect(position, now);
    this.checkTimeout(position, now);
    for (const id of this.resendQueue) {
      if (id > position.ackedThrough && id < position.nextNew) return id;
      this.resendQueue.delete(id);
    }
    return undefined;
  }

  /** How long the send loop may sleep with nothing to send: until the timer or the suspect's check. */
  idleWaitMs(now: number): number {
    const rto = this.congestion.rtt.rtoMs;
    let wait = rto;
    if (this.timerStartedAt !== undefined) {
      // The probe's moment while it is ahead; once passed (the probe went, or was not due on a clean
      // path), the timeout's: waking every millisecond until then would spin the send loop.
      const probeAt = this.timerStartedAt + this.probeAfterMs();
      const deadline = !this.probed && probeAt > now ? Math.min(probeAt, this.timerStartedAt + rto) : this.timerStartedAt + rto;
      wait = Math.max(1, deadline - now);
    }
    if (this.suspect) wait = Math.max(1, Math.min(wait, this.suspect.signalAt + this.suspectDelayMs() - now));
    for (const { at } of this.lostWhenOld.values()) wait = Math.max(1, Math.min(wait, at - now));
    return wait;
  }

  /**
   * The highest chunk beyond the acknowledged prefix that an ack shows the receiver holds (-1: none):
   * the highest chunk already sent that the ack does not list as missing (an ack lists every gap in
   * the range it covers: a status report covers the whole window, and a gap report covers chunks
   * below one the receiver holds, so for a gap report the answer may name a chunk still in flight
   * but some later chunk was received all the same). A truncated list covers no more than its
   * highest id.
   */
  private highestHeldBeyondPrefix(missing: readonly number[], position: StreamPosition): number {
    if (missing.length === 0) return -1;
    const listed = new Set(missing);
    const top = Math.min(position.nextNew - 1, missing.length >= MAX_MISSING_CHUNK_IDS ? Math.max(...missing) : position.ackedThrough + MAX_WINDOW_CHUNKS);
    for (let id = top; id > position.ackedThrough; id--) if (!listed.has(id)) return id;
    return -1;
  }

  /** Reported-missing chunks that have now waited out the reordering allowance are lost: queue them. */
  private checkReportedLosses(position: StreamPosition, now: number): void {
    for (const [id, { sentAt, at }] of this.lostWhenOld) {
      if (now < at) continue;
      this.lostWhenOld.delete(id);
      if (id <= position.ackedThrough || id >= position.nextNew || this.lastSentAt.get(id) !== sentAt) continue;
      this.resendQueue.add(id);
      this.lastLossAt = now;
      this.congestion.onLoss(now);
    }
  }

  private isSuspect(sentAt: number, now: number): boolean {
    const window = Math.max(MIN_SUSPECT_WINDOW_MS, this.congestion.rtt.estimateMs ?? 0);
    return this.signalTimes.some((t) => t >= sentAt && t - sentAt <= window && now - t < this.congestion.rtt.rtoMs);
  }

  private suspectDelayMs(): number {
    return Math.max(MIN_SUSPECT_WINDOW_MS, this.congestion.rtt.estimateMs ?? this.minRtoMs);
  }

  /**
   * One round trip after a congestion signal: resend the suspect if no acknowledgement came since,
   * or if the acknowledgements that came do not show the receiver holding it (the dropped frame was
   * the newest in flight, with nothing after it to reveal the gap: a window the signal halved may
   * send nothing more, and it waited for the timeout).
   */
  private checkSuspect(position: StreamPosition, now: number): void {
    const suspect = this.suspect;
    if (!suspect || now - suspect.signalAt < this.suspectDelayMs()) return;
    this.suspect = undefined;
    const sentAt = this.lastSentAt.get(suspect.chunkid);
    const quiet = this.lastAckAt < suspect.signalAt;
    const unseen = suspect.chunkid > this.highestHeld;
    if ((quiet || unseen) && suspect.chunkid > position.ackedThrough && sentAt !== undefined && sentAt <= suspect.signalAt) this.resendQueue.add(suspect.chunkid);
  }

  /**
   * How long the acknowledged prefix may stand still before the tail loss probe: two smoothed round
   * trips (RACK-TLP's PTO), else the timeout.
   */
  private probeAfterMs(): number {
    const srtt = this.congestion.rtt.estimateMs;
    return srtt === undefined ? this.congestion.rtt.rtoMs : Math.max(MIN_PROBE_AFTER_MS, 2 * srtt, srtt + 4 * this.congestion.rtt.variationMs);
  }

  /**
   * RACK-TLP's tail loss probe, once per standstill, on a lossy path: when no ack moved the prefix for
   * two round trips (at least 50 ms), and the receiver reported the lowest unacknowledged chunk
   * missing or a loss was found in the last 2 s, that chunk goes again, without the timeout's
   * collapse of the window. A chunk
   * lost with nothing after it received (the newest of a window a loss just halved, or a resend)
   * otherwise waited for the timeout (at least 200 ms, against round trips of 20-30 ms), and the
   * timeout then restarted the window from its smallest.
   */
  private checkProbe(position: StreamPosition, now: number): void {
    if (this.probed || this.timerStartedAt === undefined) return;
    const after = this.probeAfterMs();
    if (after >= this.congestion.rtt.rtoMs || now - this.timerStartedAt < after) return;
    const lowest = position.ackedThrough + 1;
    const lowestSentAt = this.lastSentAt.get(lowest);
    if (lowest >= position.nextNew || lowestSentAt === undefined || now - lowestSentAt < after) return;
    // Only on a lossy path: the receiver reported this chunk missing, or a chunk was found lost lately.
    // A prefix that stands still on a clean path (a relay warming up, a GC pause) costs no resend,
    // which API Gateway would bill as data transfer out (test/data-transfer-out.test.ts).
    if (!this.reportedMissingAt.has(lowest) && now - this.lastLossAt > LOSSY_PATH_MS) return;
    this.probed = true;
    this.resendQueue.add(lowest);
  }

  /**
   * RFC 6298 5.4-5.6: on expiry resend the lowest unacknowledged chunk, back off, restart the timer.
   * The timer runs from the lowest chunk's last transmission: one resent recently is not resent again.
   */
  private checkTimeout(position: StreamPosition, now: number): void {
    const { congestion } = this;
    if (this.timerStartedAt === undefined) return;
    this.checkProbe(position, now);
    if (now - this.timerStartedAt < congestion.rtt.rtoMs) return;
    const lowest = position.ackedThrough + 1;
    const lowestSentAt = this.lastSentAt.get(lowest);
    if (lowestSentAt !== undefined && lowestSentAt > this.timerStartedAt) {
      this.timerStartedAt = lowestSentAt;
      if (now - lowestSentAt < congestion.rtt.rtoMs) return;
    }
    congestion.onTimeout(now);
    this.lastLossAt = now;
    if (lowest < position.nextNew) this.resendQueue.add(lowest);
    this.timerStartedAt = now;
  }
}
