import { formatTimeLeft } from '../client/time-left';

describe('formatTimeLeft: the countdown of a wait, "gives up in 1:45"', () => {
  it.each([
    { left: 120_000, shown: '2:00' },
    { left: 119_001, shown: '2:00' },
    { left: 119_000, shown: '1:59' },
    { left: 105_000, shown: '1:45' },
    { left: 9_500, shown: '0:10' },
    { left: 1, shown: '0:01' },
    { left: 0, shown: '0:00' },
    { left: -5_000, shown: '0:00' },
    { left: 3_600_000, shown: '60:00' },
  ])('$left ms left shows $shown (whole seconds rounded up, never below 0:00)', ({ left, shown }) => {
    expect(formatTimeLeft(1_000_000 + left, 1_000_000)).toBe(shown);
  });
});
