import { CHUNK_PLAINTEXT_BYTES, MAX_WINDOW_CHUNKS } from '../streams/chunking';
import { RoundTripEstimator } from './round-trip-estimator';
import { SendPacer } from './send-pacer';
import type { ProtocolTuning } from '../tuning';

/**
 * Pacing never drops below this many messages per second, however often the relay throttles or
 * the round trips grow: one 96 KB chunk a second, so a hundred sessions at the floor still fit a
 * relay doing 10 MB/s.
 */
export const MIN_PACING_PER_SECOND = 1;

/** The rate a window is assumed to give before any round trip was measured. */
const DEFAULT_WINDOW_RATE_PER_SECOND = 100;

/** What a CongestionControl went through, for summaries and benchmarks. */
export interface CongestionStats {
  /** Windows halved because a chunk was found lost. */
  readonly losses: number;
  /** Throttling or PeerBusy signals received (each one a dropped frame). */
  readonly signals: number;
  /** Retransmission timeouts. */
  readonly timeouts: number;
  /** Windows halved because round trips grew by more than the queueing-delay target. */
  readonly delays: number;
}

/**
 * The congestion state of one sending session, shared by its streams: the round-trip estimate and
 * retransmission timeout, a congestion window in chunks (slow start, then one chunk per window of
 * acknowledged chunks; halved on a loss or a throttling signal, at most once per round trip; down to
 * the minimum on a timeout; halved too when the round trip shows a standing queue, see
 * onRoundTrip; always within [minWindowChunks, windowChunks]), and the pacer (halved on a throttling
 * signal, and on a delay signal at the smallest window).
 */
/** How the relay dropped a frame of ours: throttled it (or the peer is busy), or its function failed. */
export type RelayDropKind = 'throttle' | 'failure';

export class CongestionControl {
  /** Round trips and the retransmission timeout. */
  readonly rtt: RoundTripEstimator;
  /** Spaces the Transfer messages. */
  readonly pacer: SendPacer;
  private cwnd: number;
  private ssthresh = Infinity;
  private reducedAt = -Infinity;
  private losses = 0;
  private signals = 0;
  private timeouts = 0;
  private delays = 0;
  private minRttMs = Infinity;

  /**
   * `chunkBytes` is the size of the session's file chunks: the initial window counts browser-sized
   * chunks (CHUNK_PLAINTEXT_BYTES), so a sender of larger chunks starts with as many bytes in flight,
   * not four times as many (TCP's initial window is in bytes too).
   */
  constructor(private readonly tuning: ProtocolTuning, chunkBytes: number, now = Date.now()) {
    if (tuning.windowChunks > MAX_WINDOW_CHUNKS) throw new RangeError(`windowChunks may be at most ${MAX_WINDOW_CHUNKS}`);
    this.rtt = new RoundTripEstimator(tuning);
    this.pacer = new SendPacer(tuning.pacingPerSecond, tuning.pacingBurst, now);
    this.cwnd = this.clamp(Math.round((tuning.initialWindowChunks * CHUNK_PLAINTEXT_BYTES) / chunkBytes));
  }

  /** The congestion window: how many chunks may be in flight beyond the receiver's prefix. */
  get windowChunks(): number {
    return Math.floor(this.cwnd);
  }

  /** The slow-start threshold (Infinity until the first reduction). */
  get slowStartThreshold(): number {
    return this.ssthresh;
  }

  /** Counts of what shrank the window. */
  get stats(): CongestionStats {
    return { losses: this.losses, signals: this.signals, timeouts: this.timeouts, delays: this.delays };
  }

  /** `chunks` more chunks were acknowledged: grow the window and, after a throttling cut, the pacing rate (the timeout's backoff ends only with a round-trip sample, onRoundTrip). */
  onAcked(chunks: number): void {
    if (chunks <= 0) return;
    if (this.cwnd < this.ssthresh) this.cwnd = this.clamp(Math.min(this.ssthresh, this.cwnd + chunks));
    else this.cwnd = this.clamp(this.cwnd + chunks / this.cwnd);
    const { pacer } = this;
    if (pacer.ratePerSecond < pacer.maxRatePerSecond) {
      // Additive increase of the rate: about one chunk per round trip more, every round trip.
      const srttSeconds = Math.max(0.001, (this.rtt.estimateMs ?? this.tuning.initialRtoMs) / 1000);
      const raised = pacer.ratePerSecond + chunks / (srttSeconds * Math.max(1, this.cwnd));
      // Unpaced at most: once the rate is well above what the window lets through, pacing is off again.
      const windowRate = this.cwnd / srttSeconds;
      pacer.setRate(pacer.maxRatePerSecond === Infinity && raised > 4 * windowRate ? Infinity : raised, MIN_PACING_PER_SECOND);
    }
  }

  /**
   * One measured round trip (Karn's rule already applied): feeds the estimator, and when the smoothed
   * round trip stands more than queueDelayTargetMs above the smallest one, the chunks in flight are
   * queueing somewhere (a saturated relay, a paused socket) rather than moving: halve the window,
   * once per round trip, before the queue grows into timeouts. Already at the smallest window, halve
   * the pacing rate instead: below one window per round trip, as many sessions sharing one relay
   * need (a hundred windows of one 96 KB chunk are still a second of queue at 10 MB/s). The target is
   * fixed, not a multiple of the smallest round trip: a session that starts on a busy relay never
   * sees the empty path, and a tolerance that grew with its inflated minimum let such sessions hold
   * a standing queue of seconds.
   */
  onRoundTrip(ms: number, now = Date.now()): void {
    // Karn's algorithm: the backed-off timeout stays until a chunk sent once is acknowledged. An ack
    // of a resent chunk ends nothing: under a standing queue only the lucky chunks give samples, and
    // resetting on every ack sent the timer back to their short round trip, again and again.
    this.rtt.resetBackoff();
    this.rtt.sample(ms);
    this.minRttMs = Math.min(this.minRttMs, ms);
    const smoothed = this.rtt.estimateMs;
    if (smoothed === undefined || smoothed - this.minRttMs <= this.tuning.queueDelayTargetMs) return;
    const before = this.cwnd;
    if (!this.reduce(now)) return;
    this.delays++;
    if (before <= this.tuning.minWindowChunks) this.halvePacing(before, now);
  }

  /** A chunk was found lost (reported missing and old enough): halve the window, once per round trip. */
  onLoss(now = Date.now()): void {
    if (this.reduce(now)) this.losses++;
  }

  /**
   * The relay dropped one of our frames: on purpose (`throttle`: API Gateway's throttling frame, or
   * the relay's PeerBusy), halve the window (once per round trip) and the pacing rate; because its
   * function failed or Lambda throttled it (`failure`: API Gateway's "Internal server error"),
   * halve the window only. The window bounds how many of our frames' functions run at once, which
   * is what a Lambda concurrency limit counts; halving the rate too on every failure starved a
   * transfer that lost one chunk in ten (bench/loss-recovery.ts).
   */
  onCongestionSignal(now = Date.now(), kind: RelayDropKind = 'throttle'): void {
    this.signals++;
    const before = this.cwnd;
    if (this.reduce(now) && kind === 'throttle') this.halvePacing(before, now);
  }

  /** The retransmission timeout expired: back off the timeout and restart from the smallest window. */
  onTimeout(now = Date.now()): void {
    this.timeouts++;
    this.rtt.backOff();
    this.ssthresh = Math.max(this.tuning.minWindowChunks, this.cwnd / 2);
    this.cwnd = this.tuning.minWindowChunks;
    this.reducedAt = now;
  }

  /** Halves the pacing rate, or the rate a window of `window` chunks per round trip gives if that is lower. */
  private halvePacing(window: number, now: number): void {
    const srtt = this.rtt.estimateMs;
    const windowRate = srtt === undefined || srtt <= 0 ? DEFAULT_WINDOW_RATE_PER_SECOND : (window * 1000) / srtt;
    this.pacer.setRate(Math.min(this.pacer.ratePerSecond, windowRate) / 2, MIN_PACING_PER_SECOND, now);
  }

  /** Whether the window was cut (false: already cut in this round trip). */
  private reduce(now: number): boolean {
    const roundTrip = this.rtt.estimateMs ?? this.tuning.minRtoMs;
    if (now - this.reducedAt < roundTrip) return false;
    this.reducedAt = now;
    this.ssthresh = Math.max(this.tuning.minWindowChunks, this.cwnd / 2);
    this.cwnd = this.clamp(this.ssthresh);
    return true;
  }

  private clamp(window: number): number {
    return Math.min(this.tuning.windowChunks, Math.max(this.tuning.minWindowChunks, window));
  }
}
