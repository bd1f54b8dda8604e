import { formatDuration, formatFileCount, RateMeter } from '../web/src/format';

describe('web page formatting', () => {
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

  it.each([
    [1, 27, '1 file (27 B)'],
    [3, 1_536_000, '3 files (1.54 MB)'],
  ])('formatFileCount(%p, %p) is %p', (count, bytes, text) => {
    expect(formatFileCount(count, bytes)).toBe(text);
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
    meter.record(3000, 10_200_000); // then 100 kB/s
    expect(meter.rate()).toBeCloseTo(100_000);
  });
});
