/**
 * A token bucket that spaces a sender's messages: `ratePerSecond` tokens a second, at most `burst`
 * saved up, one spent per message. The rate can be lowered after a throttling signal and raised
 * again; `Infinity` means no pacing.
 */
export class SendPacer {
  private tokens: number;
  private refilledAt: number;
  private rate: number;

  constructor(
    /** The highest rate, where recovery stops. */
    readonly maxRatePerSecond: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.rate = maxRatePerSecond;
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** The current rate in messages per second (Infinity: unpaced). */
  get ratePerSecond(): number {
    return this.rate;
  }

  /** How many milliseconds until the next message may go (0: now). */
  delayMs(now = Date.now()): number {
    if (this.rate === Infinity) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  /** Records one message sent. */
  spend(now = Date.now()): void {
    if (this.rate === Infinity) return;
    this.refill(now);
    this.tokens -= 1;
  }

  /** Sets the rate, at least `floor` and at most the maximum (Infinity only when the maximum is). */
  setRate(ratePerSecond: number, floor: number, now = Date.now()): void {
    this.refill(now);
    this.rate = Math.min(this.maxRatePerSecond, Math.max(floor, ratePerSecond));
    if (this.rate === Infinity) this.tokens = this.burst;
  }

  private refill(now: number): void {
    if (this.rate !== Infinity) this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
  }
}
