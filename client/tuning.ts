import { WINDOW_CHUNKS } from './protocol-constants';

/** Timing and window knobs of the transfer protocol; defaults suit a relay ~100 ms away. */
export interface ProtocolTuning {
  /** Chunks in flight beyond the receiver's contiguous prefix. @default 32 */
  readonly windowChunks: number;
  /** The receiver acknowledges after this many newly accepted chunks. @default 8 */
  readonly ackEveryChunks: number;
  /** A gap this many chunks below the highest chunk seen counts as lost, not late. @default 8 */
  readonly reorderToleranceChunks: number;
  /** The receiver reports what is missing after this long without a chunk. @default 250 */
  readonly quietMs: number;
  /** The longest the receiver's quiet period grows to while nothing arrives. @default 2000 */
  readonly maxQuietMs: number;
  /** The sender does not resend a chunk it sent less than this long ago. @default 250 */
  readonly resendGuardMs: number;
  /** The sender, waiting for an ack this long, resends its lowest unacknowledged chunk to provoke one. @default 1500 */
  readonly pokeMs: number;
  /** The sender stops sending while the socket buffers more than this many bytes. @default 1 MiB */
  readonly highWaterBytes: number;
}

/** The defaults of every ProtocolTuning knob. */
export const DEFAULT_TUNING: ProtocolTuning = {
  windowChunks: WINDOW_CHUNKS,
  ackEveryChunks: 8,
  reorderToleranceChunks: 8,
  quietMs: 250,
  maxQuietMs: 2000,
  resendGuardMs: 250,
  pokeMs: 1500,
  highWaterBytes: 1024 * 1024,
};

/** Fills the knobs a caller left out with the defaults. */
export function resolveTuning(partial?: Partial<ProtocolTuning>): ProtocolTuning {
  return { ...DEFAULT_TUNING, ...partial };
}
