import type { ConnectionTimeouts } from './limits';

/**
 * The two clocks API Gateway keeps per connection: an idle timer that restarts on activity and a
 * maximum duration that does not. `onExpired` runs once, with the reason.
 */
export class ConnectionTimers {
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly maxTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly timeouts: ConnectionTimeouts,
    private readonly onExpired: (reason: 'idle' | 'max-duration') => void,
  ) {
    this.maxTimer = setTimeout(() => this.expire('max-duration'), timeouts.maxConnectionMs);
    this.maxTimer.unref();
    this.touch();
  }

  /** Restarts the idle clock (a message went in or out): re-arms the same timer, no new one per message. */
  touch(): void {
    if (this.stopped) return;
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => this.expire('idle'), this.timeouts.idleTimeoutMs);
    this.idleTimer.unref();
  }

  /** Stops both clocks (the connection closed). */
  stop(): void {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    clearTimeout(this.maxTimer);
  }

  private expire(reason: 'idle' | 'max-duration'): void {
    if (this.stopped) return;
    this.stop();
    this.onExpired(reason);
  }
}
