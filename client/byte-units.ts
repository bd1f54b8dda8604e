/**
 * Sizes and rates as a person reads them, one style for the CLI and the page: powers of 1000 with
 * SI symbols (B, kB, MB, GB, TB, as file managers count), whole bytes under a kilobyte, and three
 * significant digits above it (`1.50 kB`, `25.0 MB`, `300 MB`).
 */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** What a size or rate shows while it is unknown (NaN, negative, or a rate of zero). */
const UNKNOWN_AMOUNT = '—';

/**
 * A byte count: `0 B`, `792 B`, `1.50 kB`, `1.54 MB`, `25.0 MB`, `300 MB`, or `—` when not a
 * count. A value that rounds up to 1000 of a unit is shown in the next one (`1.00 MB`, never
 * `1000 kB`); from 1000 TB on, whole terabytes (`2000 TB`).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return UNKNOWN_AMOUNT;
  let value = bytes;
  for (let unit = 0; unit < BYTE_UNITS.length; unit++) {
    const digits = unit === 0 ? Math.round(value).toFixed(0) : value.toPrecision(3);
    if (Number(digits) < 1000) return `${digits} ${BYTE_UNITS[unit]}`;
    value /= 1000;
  }
  return `${Math.round(value * 1000)} ${BYTE_UNITS[BYTE_UNITS.length - 1]}`;
}

/** A transfer rate in bytes per second: `1.20 MB/s`, or `—` while unknown (zero, negative, NaN). */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return UNKNOWN_AMOUNT;
  return `${formatBytes(bytesPerSecond)}/s`;
}
