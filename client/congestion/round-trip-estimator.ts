/** The bounds of a RoundTripEstimator's retransmission timeout, in milliseconds. */
export interface RetransmitTimeoutBounds {
  /** The timeout before any round trip was measured (RFC 6298: 1 s). @default 1000 */
  readonly initialRtoMs: number;
  /** The floor of the timeout (RFC 6298 says 1 s; TCP stacks use ~200 ms). @default 200 */
  readonly minRtoMs: number;
  /** The ceiling, backoff included (RFC 6298: at least 60 s). @default 60000 */
  readonly maxRtoMs: number;
}

/** RFC 6298 5.7: the timeout to use once the first exchange timed out, until the first sample. */
const FIRST_TIMEOUT_RTO_MS = 3000;

/** The defaults of RetransmitTimeoutBounds. */
const DEFAULT_RTO_BOUNDS: RetransmitTimeoutBounds = { initialRtoMs: 1000, minRtoMs: 200, maxRtoMs: 60_000 };

/**
 * The round trip of a chunk (sent -> acknowledged) and the retransmission timeout derived from it,
 * as RFC 6298 computes them for TCP: SRTT and RTTVAR smoothed with gains 1/8 and 1/4,
 * RTO = SRTT + 4·RTTVAR within [minRtoMs, maxRtoMs], doubled on every timeout until the next
 * sample (Karn's algorithm: an ack of a resent chunk keeps the backoff). The caller feeds it only
 * chunks sent once (Karn's rule), so a resend's acknowledgement never distorts the estimate.
 */
export class RoundTripEstimator {
  private srtt?: number;
  private rttvar = 0;
  private backoffs = 0;
  /** RFC 6298 5.7: once the first exchange timed out, the timeout before the first sample is at least 3 s. */
  private firstExchangeTimedOut = false;

  constructor(private readonly bounds: RetransmitTimeoutBounds = DEFAULT_RTO_BOUNDS) {}

  /** Adds one measured round trip in milliseconds (of a chunk sent once). */
  sample(ms: number): void {
    const r = Math.max(0, ms);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** The smoothed round trip (SRTT), if any was measured. */
  get estimateMs(): number | undefined {
    return this.srtt;
  }

  /** The round-trip variation (RTTVAR); 0 before the first sample. */
  get variationMs(): number {
    return this.rttvar;
  }

  /** How many times the timeout has doubled since the last sample. */
  get backoffCount(): number {
    return this.backoffs;
  }

  /** The retransmission timeout now: SRTT + 4·RTTVAR (or the initial one), backoff applied, within the bounds. */
  get rtoMs(): number {
    const { initialRtoMs, minRtoMs, maxRtoMs } = this.bounds;
    const initial = this.firstExchangeTimedOut && this.backoffs === 0 ? Math.max(initialRtoMs, FIRST_TIMEOUT_RTO_MS) : initialRtoMs;
    const base = this.srtt === undefined ? initial : Math.max(minRtoMs, this.srtt + 4 * this.rttvar);
    return Math.min(maxRtoMs, base * 2 ** this.backoffs);
  }

  /**
   * How old a chunk sent once must be before a report that it is missing counts as a loss rather than
   * reordering: one smoothed round trip plus a reordering allowance (a quarter of it, or 2·RTTVAR),
   * as TCP RACK does. Before any sample: the floor of the timeout.
   */
  get lossAgeMs(): number {
    if (this.srtt === undefined) return this.bounds.minRtoMs;
    return this.srtt + Math.max(this.srtt / 4, 2 * this.rttvar);
  }

  /**
   * How old a chunk sent once must be before a report that it is missing counts as a loss when the
   * receiver holds nothing sent after it (it may be queued, in a relay or a paused socket, rather
   * than lost): the retransmission timeout, backoff included (after timeouts, the round trips that
   * were measured are the lucky ones), except that before any sample it is the initial timeout
   * doubled per timeout, without RFC 6298's 3 s (a report, unlike the timer, shows the receiver is
   * there and still lacks it).
   */
  get tailLossAgeMs(): number {
    const { initialRtoMs, minRtoMs, maxRtoMs } = this.bounds;
    const base = this.srtt === undefined ? initialRtoMs : Math.max(minRtoMs, this.srtt + 4 * this.rttvar);
    return Math.min(maxRtoMs, base * 2 ** this.backoffs);
  }

  /**
   * A retransmission timeout expired: double the timeout (exponential backoff). Before any sample,
   * the timeout after the backoff ends is at least RFC 6298's 3 s (a relay that needs more than the
   * initial timeout for its first round trip is queueing).
   */
  backOff(): void {
    if (this.srtt === undefined) this.firstExchangeTimedOut = true;
    if (this.rtoMs < this.bounds.maxRtoMs) this.backoffs++;
  }

  /** A chunk sent once was acknowledged (a new sample): the backoff ends. */
  resetBackoff(): void {
    this.backoffs = 0;
  }
}
