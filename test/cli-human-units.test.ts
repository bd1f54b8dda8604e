import { formatDuration } from '../cli/human-units';

describe('how the CLI words times', () => {
  it.each([
    [125, '2:05'],
    [3725, '1:02:05'],
    [Number.NaN, '--:--'],
  ])('formatDuration(%p) is %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
