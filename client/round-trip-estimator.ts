/**
 * A smoothed round-trip time (chunk sent -> acknowledged), measured only on chunks sent once
 * (Karn's rule), so the sender does not resend what is merely still queued in the relay.
 */
export class RoundTripEstimator {
  private smoothed?: number;

  /** Adds one measured round trip in milliseconds. */
  sample(ms: number): void {
    this.smoothed = this.smoothed === undefined ? ms : 0.875 * this.smoothed + 0.125 * ms;
  }

  /** The smoothed round trip, if any was measured. */
  get estimateMs(): number | undefined {
    return this.smoothed;
  }

  /**
   * How long to wait before resending a chunk: 1.5 round trips, at least `floorMs` and at most four
   * times it (a long queue in the relay must not stall a window behind one lost chunk for long).
   */
  resendGuardMs(floorMs: number): number {
    return this.smoothed === undefined ? floorMs : Math.min(4 * floorMs, Math.max(floorMs, 1.5 * this.smoothed));
  }
}
