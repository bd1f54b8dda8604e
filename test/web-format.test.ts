import fc from 'fast-check';
import { formatBytes, formatDuration, formatRate, RateMeter } from '../web/src/format';

describe('web page formatting', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.00 KB'],
    [1_536_000, '1.54 MB'],
    [25_000_000, '25.0 MB'],
    [300_000_000, '300 MB'],
    [2_000_000_000_000_000, '2000 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('formatBytes(%p) is %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '—'],
    [1_200_000, '1.20 MB/s'],
  ])('formatRate(%p) is %p', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it.each([
    [0, '0 s'],
    [4.2, '5 s'],
    [125, '2 min 5 s'],
    [3780, '1 h 3 min'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('formatDuration(%p) is %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('formatBytes never shows more than three significant digits before the unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        expect(formatBytes(bytes)).toMatch(/^\d{1,4}(\.\d{1,2})? (B|KB|MB|GB|TB)$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('RateMeter', () => {
  it('knows no rate or time left from a single sample', () => {
    const meter = new RateMeter();
    meter.record(0, 0);
    expect(meter.rate()).toBe(0);
    expect(meter.secondsLeft(100)).toBeNaN();
  });

  it('measures bytes per second over its window and the time left at that rate', () => {
    const meter = new RateMeter(3000);
    for (let t = 0; t <= 2000; t += 500) meter.record(t, t * 1000); // 1 MB/s
    expect(meter.rate()).toBeCloseTo(1_000_000);
    expect(meter.secondsLeft(5_000_000)).toBeCloseTo(3);
  });

  it('forgets samples older than its window, so the rate follows a slowdown', () => {
    const meter = new RateMeter(1000);
    meter.record(0, 0);
    meter.record(1000, 10_000_000); // 10 MB/s at first
    meter.record(2000, 10_100_000);
    meter.record(3000, 10_200_000); // then 100 KB/s
    expect(meter.rate()).toBeCloseTo(100_000);
  });
});
