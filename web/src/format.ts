/** How the page words sizes, rates and times left; pure functions, shared by every view. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A byte count for a person: `0 B`, `512 B`, `1.5 MB`, `12 GB` (powers of 1000, as file managers show). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** A transfer rate: `1.2 MB/s`, or `—` while unknown. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

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
