import {
  RECONNECT_FIRST_CEILING_MS,
  RECONNECT_MAX_CEILING_MS,
  RECONNECT_THROTTLED_CEILING_MS,
  ReconnectBackoff,
} from '../client/transport/reconnect-backoff';
// The seeded generator (mulberry32) the local relay's fault injection draws from: every run draws the same numbers.
import { seededRandom } from '../local/fault-injection';

/** The ceilings of the first `attempts` waits: 100, 200, 400, … ms, then 4 s from there on. */
function ceilings(attempts: number): number[] {
  return Array.from({ length: attempts }, (_, i) => Math.min(RECONNECT_FIRST_CEILING_MS * 2 ** i, RECONNECT_MAX_CEILING_MS));
}

describe('the reconnect backoff', () => {
  it('keeps the old schedule as its bounds: half the ceiling with the lowest draw, the ceiling with the highest', () => {
    const lowest = new ReconnectBackoff(() => 0);
    const highest = new ReconnectBackoff(() => 1);
    for (const ceiling of ceilings(10)) {
      expect(lowest.nextDelayMs()).toBe(ceiling / 2);
      expect(highest.nextDelayMs()).toBe(ceiling);
    }
  });

  it('spreads 1,000 clients dropped by the same relay restart over each interval instead of one instant', () => {
    const random = seededRandom(18);
    const clients = Array.from({ length: 1000 }, () => new ReconnectBackoff(random));
    for (const ceiling of ceilings(8)) {
      const delays = clients.map((client) => client.nextDelayMs());
      // Every wait stays within [ceiling / 2, ceiling)
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThan(ceiling);
      }
      // and the clients fill that half-interval: each tenth of it holds between 5 % and 15 % of them.
      const tenths = new Array<number>(10).fill(0);
      for (const delay of delays) tenths[Math.floor(((delay - ceiling / 2) / (ceiling / 2)) * 10)]! += 1;
      for (const count of tenths) {
        expect(count).toBeGreaterThan(50);
        expect(count).toBeLessThan(150);
      }
    }
  });

  it('draws each wait anew: one client does not repeat the same fraction of the ceiling', () => {
    const backoff = new ReconnectBackoff(seededRandom(7));
    const fractions = ceilings(20).map((ceiling) => backoff.nextDelayMs() / ceiling);
    expect(new Set(fractions).size).toBe(fractions.length);
  });

  it('after a 429 handshake waits anywhere in [0, 30 s): 2,000 refused clients come back spread over the window, not within 4 s', () => {
    const random = seededRandom(29);
    const delays = Array.from({ length: 2000 }, () => new ReconnectBackoff(random).nextDelayMs(true));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(RECONNECT_THROTTLED_CEILING_MS);
    }
    // About a tenth in each 3 s: at most ~67 handshakes a second, not 2,000 within the 4 s ceiling.
    const tenths = new Array<number>(10).fill(0);
    for (const delay of delays) tenths[Math.floor((delay / RECONNECT_THROTTLED_CEILING_MS) * 10)]! += 1;
    for (const count of tenths) expect(count).toBeLessThan(260);
    expect(delays.filter((delay) => delay < RECONNECT_MAX_CEILING_MS).length).toBeLessThan(400);
  });
});
