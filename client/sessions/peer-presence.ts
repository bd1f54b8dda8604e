import { PeerGoneError } from '../errors';
import { SESSION_TIMING } from '../tuning';

/** What PeerPresence needs from its session. */
export interface PeerPresenceOptions {
  /** Who the peer is, for the give-up message: "sender" or "receiver". */
  readonly peerRole: string;
  /** Sends a hello to the peer's last known connection (errors are the caller's to swallow). */
  readonly probe: () => void;
  /** The peer was declared away (emit "interrupted"): the session gives up at `givesUpAt` (a Date.now() time), `windowMs` from now, unless it comes back. */
  readonly onAway: (givesUpAt: number, windowMs: number) => void;
  /** The peer did not come back in time: the session fails with this error. */
  readonly onGiveUp: (error: PeerGoneError) => void;
  /** How long the peer may stay away. @default 120000 */
  readonly resumeTimeoutMs?: number;
}

/**
 * Whether the paired peer is reachable. A PeerGone marks it away (unless the peer just moved,
 * which makes the error stale), starts probing it with hellos and a resume deadline; a hello
 * from the peer marks it back. Probes are hellos that ask the relay to rejoin (client/transport/rejoin.ts), so
 * they also reach a peer whose own hello to this side's old id was lost.
 */
export class PeerPresence {
  private away = false;
  private ended = false;
  private movedAt = 0;
  private probeTimer?: ReturnType<typeof setInterval>;
  private resumeTimer?: ReturnType<typeof setTimeout>;
  private answerTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: PeerPresenceOptions) {}

  /** Whether the peer is currently considered away. */
  get isAway(): boolean {
    return this.away;
  }

  /** The peer (or this side) moved to a new connection: errors about the old one are stale for a moment. */
  moved(): void {
    this.movedAt = Date.now();
  }

  /**
   * This side reconnected and said hello: unless the peer answers within SESSION_TIMING.answerTimeoutMs, it is
   * declared away, so probing starts even when the relay's errors fell inside the stale-error grace
   * (both sides reconnected at once, or the relay restarted).
   */
  awaitAnswer(): void {
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.answerTimer = setTimeout(() => {
      this.answerTimer = undefined;
      this.goAway();
    }, SESSION_TIMING.answerTimeoutMs);
  }

  /** The relay said the peer is gone. */
  markAway(): void {
    // Frames sent to the peer's previous connection keep failing for a while after it moved: not news.
    if (Date.now() - this.movedAt < SESSION_TIMING.staleErrorGraceMs) return;
    this.goAway();
  }

  private goAway(): void {
    if (this.away || this.ended) return;
    this.away = true;
    const limit = this.options.resumeTimeoutMs ?? SESSION_TIMING.peerTimeoutMs;
    this.options.onAway(Date.now() + limit, limit);
    // The error may be stale (about a connection the peer already replaced): ask the peer we know to answer.
    this.options.probe();
    this.probeTimer = setInterval(() => (this.away ? this.options.probe() : undefined), SESSION_TIMING.probeIntervalMs);
    this.resumeTimer = setTimeout(
      () =>
        this.options.onGiveUp(
          new PeerGoneError(`the ${this.options.peerRole} left and did not come back within ${Math.round(limit / 1000)} s`),
        ),
      limit,
    );
  }

  /** The peer said hello: it is back. Returns whether it had been away. */
  markBack(): boolean {
    const wasAway = this.away;
    this.away = false;
    this.stop();
    return wasAway;
  }

  /**
   * The session ended: stops the probes and the deadlines for good. A frame that arrives while the
   * socket is still closing (an Error about the gone peer, say) starts nothing again.
   */
  end(): void {
    this.ended = true;
    this.stop();
  }

  /** Stops the probe and the resume deadline. */
  private stop(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }
}
