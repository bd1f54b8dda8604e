/** How the page words times left and file counts, and measures rates (sizes and rates: client/byte-units.ts). */
import { formatBytes } from '../../client/byte-units';

/** A time left: `4 s`, `2 min 5 s`, `1 h 3 min`, or `—` while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One sample of a transfer's progress. */
export interface ProgressSample {
  /** Milliseconds, from any monotonic clock. */
  readonly at: number;
  /** Bytes done at that moment. */
  readonly bytes: number;
}

/**
 * Keeps the recent progress samples of one file and derives a rate and time left from them: a
 * sliding window of a few seconds, so the rate follows the network without jumping on every chunk.
 */
export class RateMeter {
  private readonly samples: ProgressSample[] = [];

  /** @param windowMs how far back the rate looks. */
  constructor(private readonly windowMs = 3000) {}

  /** Records that `bytes` were done at time `at` (milliseconds). */
  record(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 until two samples are apart in time. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  /** Seconds left to reach `total` bytes at the current rate; NaN while the rate is unknown. */
  secondsLeft(total: number): number {
    const last = this.samples[this.samples.length - 1];
    const rate = this.rate();
    if (!last || rate <= 0) return Number.NaN;
    return Math.max(0, total - last.bytes) / rate;
  }
}

/** A set of files for a title: `1 file (27 B)`, `3 files (1.5 MB)`. */
export function formatFileCount(count: number, bytes: number): string {
  return `${count === 1 ? '1 file' : `${count} files`} (${formatBytes(bytes)})`;
}
