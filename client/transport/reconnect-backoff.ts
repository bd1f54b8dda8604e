/**
 * How long a dropped client waits between attempts to reach the relay again: a ceiling that
 * starts at RECONNECT_FIRST_CEILING_MS and doubles up to RECONNECT_MAX_CEILING_MS, with "equal
 * jitter" (the AWS Architecture Blog's "Exponential Backoff And Jitter"): each wait is half the
 * ceiling plus a random part of the other half. Every client of a restarted relay comes back at
 * its own instants instead of all at once, and no wait is shorter than half or longer than the
 * old fixed one, so a client never retries in a tight loop and never comes back later than before.
 */

/** The first attempt's ceiling, in milliseconds. */
export const RECONNECT_FIRST_CEILING_MS = 100;

/** The ceiling stops doubling here, in milliseconds. */
export const RECONNECT_MAX_CEILING_MS = 4000;

/**
 * The ceiling after the relay refused a handshake with 429 (its connection limit, or API Gateway's
 * account-wide 500 new connections a second): waits drawn from all of [0, 30 s) ("full jitter"),
 * so 2,000 refused clients come back over the reconnect window instead of all within 4 s.
 */
export const RECONNECT_THROTTLED_CEILING_MS = 30_000;

/** A source of numbers in [0, 1), like Math.random (tests pass a seeded one). */
export type RandomSource = () => number;

/** The successive waits of one reconnection, each drawn when asked for. */
export class ReconnectBackoff {
  private ceilingMs = RECONNECT_FIRST_CEILING_MS;

  /** `throttledCeilingMs`: the full-jitter ceiling after a 429 (tests scale it down with the reconnect window). */
  constructor(
    private readonly random: RandomSource = Math.random,
    private readonly throttledCeilingMs: number = RECONNECT_THROTTLED_CEILING_MS,
  ) {}

  /**
   * The wait before the next attempt: in [ceiling / 2, ceiling), then the ceiling doubles (up to its
   * maximum); after a refusal with 429 (`throttled`), anywhere in [0, throttledCeilingMs).
   */
  nextDelayMs(throttled = false): number {
    if (throttled) return this.random() * this.throttledCeilingMs;
    const half = this.ceilingMs / 2;
    const delay = half + this.random() * half;
    this.ceilingMs = Math.min(this.ceilingMs * 2, RECONNECT_MAX_CEILING_MS);
    return delay;
  }
}
