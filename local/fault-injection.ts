import { actionOf } from './route-selection';
import { LocalRelayError } from './errors';

/** How often inbound frames are dropped, duplicated or reordered, each a probability in [0, 1]. */
export interface FaultRates {
  readonly drop: number;
  readonly duplicate: number;
  readonly reorder: number;
  /** Seed of the pseudo-random sequence, so a run repeats exactly. @default 1 */
  readonly seed?: number;
}

/** What happens to one frame. */
export type FaultDecision = 'deliver' | 'drop' | 'duplicate' | 'reorder';

/** One inbound message as the gateway received it. */
export interface InboundFrame {
  readonly data: string;
  readonly isBinary: boolean;
}

/** How long a held-back frame waits for a successor before it is delivered anyway. */
export const REORDER_FLUSH_MS = 50;

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
  for (const [name, value] of [['drop', rates.drop], ['duplicate', rates.duplicate], ['reorder', rates.reorder]] as const) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new LocalRelayError('InvalidOption', `fault ${name} rate must be a number from 0 to 1, got ${value}`);
    }
  }
  if (rates.drop + rates.duplicate + rates.reorder > 1) {
    throw new LocalRelayError('InvalidOption', 'fault drop + duplicate + reorder rates must add up to at most 1');
  }
  if (rates.seed !== undefined && !Number.isInteger(rates.seed)) {
    throw new LocalRelayError('InvalidOption', `fault seed must be an integer, got ${rates.seed}`);
  }
}

/** Frames that faults apply to: the `Transfer` action (file chunks). */
export function isTransferFrame(frame: InboundFrame): boolean {
  return !frame.isBinary && actionOf(frame.data) === 'Transfer';
}

/**
 * Drops, duplicates or reorders inbound frames before route dispatch, with a seeded generator so a
 * test run repeats. Reorder holds a frame back and delivers it after the connection's next frame,
 * or after REORDER_FLUSH_MS if none comes, so nothing stays stuck.
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
    if (r < drop) return 'drop';
    if (r < drop + duplicate) return 'duplicate';
    if (r < drop + duplicate + reorder) return 'reorder';
    return 'deliver';
  }

  /** Passes one inbound frame of `connectionId` through the faults; `deliver` dispatches it. */
  handle(connectionId: string, frame: InboundFrame, deliver: (frame: InboundFrame) => void): void {
    const decision = this.appliesTo(frame) ? this.decide() : 'deliver';
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
    if (decision !== 'drop') {
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
