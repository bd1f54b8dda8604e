import fc from 'fast-check';
import { formatBytes, formatDuration } from '../cli/human-units';
import { formatRate } from '../web/src/format';

describe('how the CLI words sizes and rates', () => {
  it.each([
    [0, '0 B'],
    [792.4528301886793, '792 B'],
    [999.4, '999 B'],
    [1500, '1.5 kB'],
    [10_000_000, '10.0 MB'],
  ])('formatBytes(%p) is %p', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('rounds any rate to a whole number of bytes or one decimal, as the page does', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), (rate) => {
        expect(`${formatBytes(rate)}/s`).toMatch(/^\d+(\.\d)? (B|kB|MB|GB|TB)\/s$/);
        expect(formatRate(rate === 0 ? 1 : rate)).toMatch(/^\d+(\.\d{1,2})? (B|KB|MB|GB|TB)\/s$/);
      }),
      { numRuns: 200 },
    );
  });

  it('formatDuration shows m:ss', () => {
    expect(formatDuration(125)).toBe('2:05');
  });
});
