import { DEFAULT_ROUTE_THROTTLES } from '../lambdas/route-throttle-defaults';
import { ROUTES } from '../lambdas/routes';
import { LocalRelayError } from '../local/errors';
import { RouteThrottler, checkedRouteThrottles } from '../local/route-throttles';

/** The local relay's per-route token buckets (issue 21 item 3), on a clock the test moves. */
describe('the local relay route throttles', () => {
  function throttlerAt(routes: Record<string, { rateLimit: number; burstLimit: number }>): { throttler: RouteThrottler; advance: (ms: number) => void } {
    let now = 0;
    const throttler = new RouteThrottler(new Map(Object.entries(routes)), () => now);
    return { throttler, advance: (ms) => void (now += ms) };
  }

  function admitted(throttler: RouteThrottler, routeKey: string, requests: number): number {
    let count = 0;
    for (let i = 0; i < requests; i++) if (throttler.admits(routeKey)) count++;
    return count;
  }

  it('admits the burst at once, then the rate, as a token bucket', () => {
    const { throttler, advance } = throttlerAt({ Connect: { rateLimit: 5, burstLimit: 10 } });
    expect(admitted(throttler, 'Connect', 25)).toBe(10);
    advance(1000);
    expect(admitted(throttler, 'Connect', 25)).toBe(5);
    advance(199);
    expect(throttler.admits('Connect')).toBe(false);
    advance(1);
    expect(throttler.admits('Connect')).toBe(true);
    // A long quiet refills the bucket to its burst, no further.
    advance(60_000);
    expect(admitted(throttler, 'Connect', 25)).toBe(10);
  });

  it('keeps one bucket per route and leaves a route without a throttle alone', () => {
    const { throttler } = throttlerAt({ $connect: { rateLimit: 1, burstLimit: 2 }, Connect: { rateLimit: 1, burstLimit: 3 } });
    expect(admitted(throttler, '$connect', 10)).toBe(2);
    expect(admitted(throttler, 'Connect', 10)).toBe(3);
    expect(admitted(throttler, 'Transfer', 10)).toBe(10);
  });

  it("accepts the stack's own throttles for every route of the relay", () => {
    const checked = checkedRouteThrottles(DEFAULT_ROUTE_THROTTLES, ROUTES.map((route) => route.routeKey));
    expect(checked.get('Connect')).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(checked.size).toBe(ROUTES.length);
  });

  it('refuses a route the relay has not, and limits that are not positive', () => {
    const routeKeys = ['$connect', 'Connect'];
    const refusal = (throttles: Record<string, { rateLimit: number; burstLimit: number }>): unknown => {
      try {
        checkedRouteThrottles(throttles, routeKeys);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const unknownRoute = refusal({ Conect: { rateLimit: 1, burstLimit: 1 } });
    expect(unknownRoute).toBeInstanceOf(LocalRelayError);
    expect(unknownRoute).toMatchObject({ code: 'InvalidOption', message: expect.stringContaining('"Conect" names no route of the relay: use one of $connect, Connect') });
    for (const bad of [{ rateLimit: 0, burstLimit: 1 }, { rateLimit: 1, burstLimit: 0 }, { rateLimit: Number.NaN, burstLimit: 1 }, { rateLimit: 1, burstLimit: 1.5 }]) {
      expect(refusal({ Connect: bad })).toMatchObject({ code: 'InvalidOption', message: expect.stringContaining('throttle of route "Connect" must be') });
    }
  });
});
