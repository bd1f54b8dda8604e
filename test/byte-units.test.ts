import fc from 'fast-check';
import { formatBytes, formatRate } from '../client/byte-units';

describe('how the CLI and the page word sizes and rates', () => {
  it.each([
    [0, '0 B'],
    [792.4528301886793, '792 B'],
    [999.4, '999 B'],
    [999.6, '1.00 kB'],
    [1000, '1.00 kB'],
    [1500, '1.50 kB'],
    [1_536_000, '1.54 MB'],
    [9_996_000, '10.0 MB'],
    [25_000_000, '25.0 MB'],
    [300_000_000, '300 MB'],
    [999_999_999, '1.00 GB'],
    [999_999_000_000_000, '1000 TB'],
    [2_000_000_000_000_000, '2000 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('formatBytes(%p) is %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '—'],
    [-5, '—'],
    [Number.NaN, '—'],
    [640, '640 B/s'],
    [1_200_000, '1.20 MB/s'],
  ])('formatRate(%p) is %p', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it('shows whole bytes under a kilobyte and three significant digits above, never 1000 of a unit below TB', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), (bytes) => {
        const text = formatBytes(bytes);
        expect(text).toMatch(/^(\d{1,3} B|(\d\.\d\d|\d\d\.\d|\d{3}) (kB|MB|GB|TB)|1000 TB)$/);
        expect(formatRate(bytes)).toBe(bytes > 0 ? `${text}/s` : '—');
      }),
      { numRuns: 500 },
    );
  });

  it('is within rounding of the count it names', () => {
    const scale: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        const [digits, unit] = formatBytes(bytes).split(' ') as [string, string];
        expect(Math.abs(Number(digits) * scale[unit]! - bytes) / bytes).toBeLessThanOrEqual(0.005);
      }),
      { numRuns: 500 },
    );
  });
});
