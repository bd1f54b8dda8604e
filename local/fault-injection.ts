import { newApiGatewayId } from './api-gateway-id';
import { actionOf } from '../protocol/frames';
import { LocalRelayError } from './errors';

/** How often inbound frames are dropped, duplicated, reordered or throttled, each a probability in [0, 1]. */
export interface FaultRates {
  readonly drop: number;
  readonly duplicate: number;
  readonly reorder: number;
  /** Dropped and answered with API Gateway's throttling frame (`Limit Exceeded`). @default 0 */
  readonly throttle?: number;
  /** Seed of the pseudo-random sequence, so a run repeats exactly. @default 1 */
  readonly seed?: number;
}

/** What happens to one frame. */
export type FaultDecision = 'deliver' | 'drop' | 'duplicate' | 'reorder' | 'throttle';

/**
 * The text frame API Gateway sends a client whose message it throttled (the message is dropped,
 * no route runs): the same shape as its "Internal server error" and "Forbidden" frames.
 */
export function throttledFrame(connectionId: string, requestId: string = newApiGatewayId()): string {
  return `{"message": "Limit Exceeded", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** One inbound text message as the gateway received it (a binary one closes its connection first). */
export interface InboundFrame {
  readonly data: string;
}

/** How long a held-back frame waits for a successor before it is delivered anyway. */
const REORDER_FLUSH_MS = 50;

/** mulberry32: a small seeded generator of numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks rates: each in [0, 1] and together at most 1. */
export function validateFaultRates(rates: FaultRates): void {
  const named = [['drop', rates.drop], ['duplicate', rates.duplicate], ['reorder', rates.reorder], ['throttle', rates.throttle ?? 0]] as const;
  for (const [name, value] of named) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new LocalRelayError('InvalidOption', `fault ${name} rate must be a number from 0 to 1, got ${value}`);
    }
  }
  if (rates.drop + rates.duplicate + rates.reorder + (rates.throttle ?? 0) > 1) {
    throw new LocalRelayError('InvalidOption', 'fault drop + duplicate + reorder + throttle rates must add up to at most 1');
  }
  if (rates.seed !== undefined && !Number.isInteger(rates.seed)) {
    throw new LocalRelayError('InvalidOption', `fault seed must be an integer, got ${rates.seed}`);
  }
}

/** Frames that faults apply to: the `Transfer` action (file chunks). */
function isTransferFrame(frame: InboundFrame): boolean {
  return actionOf(frame.data) === 'Transfer';
}

/**
 * Drops, duplicates, reorders or throttles inbound frames before route dispatch, with a seeded
 * generator so a test run repeats. Reorder holds a frame back and delivers it after the connection's
 * next frame, or after REORDER_FLUSH_MS if none comes, so nothing stays stuck. Throttle drops the
 * frame and answers the sender with API Gateway's throttling frame, as a throttled stage does.
 */
export class FaultInjector {
  private readonly random: () => number;
  private readonly held = new Map<string, { frame: InboundFrame; deliver: (frame: InboundFrame) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly rates: FaultRates,
    private readonly appliesTo: (frame: InboundFrame) => boolean = isTransferFrame,
    private readonly flushDelayMs = REORDER_FLUSH_MS,
  ) {
    validateFaultRates(rates);
    this.random = seededRandom(rates.seed ?? 1);
  }

  /** The next decision for a frame faults apply to. */
  decide(): FaultDecision {
    const r = this.random();
    const { drop, duplicate, reorder } = this.rates;
    const throttle = this.rates.throttle ?? 0;
    if (r < drop) return 'drop';
    if (r < drop + duplicate) return 'duplicate';
    if (r < drop + duplicate + reorder) return 'reorder';
    if (r < drop + duplicate + reorder + throttle) return 'throttle';
    return 'deliver';
  }

  /**
   * Passes one inbound frame of `connectionId` through the faults; `deliver` dispatches it, `reply`
   * sends a text frame back to the client (without it a throttled frame is only dropped).
   */
  handle(connectionId: string, frame: InboundFrame, deliver: (frame: InboundFrame) => void, reply?: (text: string) => void): void {
    const decision = this.appliesTo(frame) ? this.decide() : 'deliver';
    if (decision === 'throttle') reply?.(throttledFrame(connectionId));
    const held = this.held.get(connectionId);
    if (decision === 'reorder' && !held) {
      const timer = setTimeout(() => this.flush(connectionId), this.flushDelayMs);
      timer.unref();
      this.held.set(connectionId, { frame, deliver, timer });
      return;
    }
    if (decision === 'duplicate') {
      deliver(frame);
    }
    if (decision !== 'drop' && decision !== 'throttle') {
      deliver(frame);
    }
    this.flush(connectionId);
  }

  /** Forgets a closed connection's held frame, which could no longer be dispatched. */
  forget(connectionId: string): void {
    const held = this.held.get(connectionId);
    if (held) {
      clearTimeout(held.timer);
      this.held.delete(connectionId);
    }
  }

  private flush(connectionId: string): void {
    const held = this.held.get(connectionId);
    if (held) {
      this.forget(connectionId);
      held.deliver(held.frame);
    }
  }
}
