import type { RouteThrottle } from '../lambdas/route-throttle-defaults';
import { LocalRelayError } from './errors';

/**
 * API Gateway's answer to a `$connect` its throttle refused: the handshake fails with this status
 * ("Clients may receive 429 Too Many Requests", apigateway/latest/developerguide/websocket-api-protect.html)
 * and no `$connect` runs.
 */
export const THROTTLED_HANDSHAKE_STATUS = 429;

/** The body of that 429 (API Gateway's JSON error shape: a `message`). */
export const THROTTLED_HANDSHAKE_BODY = '{"message": "Too Many Requests"}';

/** One route's token bucket: starts full at `burstLimit` tokens and refills `rateLimit` a second. */
class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly throttle: RouteThrottle,
    private readonly now: () => number,
  ) {
    this.tokens = throttle.burstLimit;
    this.refilledAt = now();
  }

  /** Takes one token; false (and nothing taken) when the bucket holds less than one. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.throttle.burstLimit, this.tokens + ((now - this.refilledAt) / 1000) * this.throttle.rateLimit);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The local relay's per-route throttles, the token buckets API Gateway's stage keeps per route
 * (lambdas/route-throttle-defaults.ts has the stack's numbers): the gateway asks before it runs
 * `$connect` (refused: a 429 handshake) and before it queues a message for its route (refused: the
 * message is dropped and the client gets API Gateway's "Limit Exceeded" frame). `$disconnect` is not
 * throttled here: API Gateway's documentation says nothing of it, and a skipped one would leave a
 * record that DynamoDB Local, which ignores TTL, never removes.
 */
export class RouteThrottler {
  private readonly buckets = new Map<string, TokenBucket>();

  /** `now` is in milliseconds (tests pass their own clock). */
  constructor(throttles: ReadonlyMap<string, RouteThrottle>, now: () => number = () => performance.now()) {
    for (const [routeKey, throttle] of throttles) this.buckets.set(routeKey, new TokenBucket(throttle, now));
  }

  /** Takes a token for one request on `routeKey`: false when its throttle refuses it; a route without one always passes. */
  admits(routeKey: string): boolean {
    return this.buckets.get(routeKey)?.take() ?? true;
  }
}

/**
 * Checks `throttles` against the relay's route keys and returns them as a map; throws
 * LocalRelayError InvalidOption for a route the relay has not, a rate that is not a positive number,
 * or a burst that is not a whole number of at least 1.
 */
export function checkedRouteThrottles(throttles: Readonly<Record<string, RouteThrottle>>, routeKeys: Iterable<string>): ReadonlyMap<string, RouteThrottle> {
  const known = [...routeKeys];
  const checked = new Map<string, RouteThrottle>();
  for (const [routeKey, throttle] of Object.entries(throttles)) {
    if (!known.includes(routeKey)) {
      throw new LocalRelayError('InvalidOption', `throttle for route "${routeKey}" names no route of the relay: use one of ${known.join(', ')}`);
    }
    if (!(Number.isFinite(throttle.rateLimit) && throttle.rateLimit > 0) || !(Number.isSafeInteger(throttle.burstLimit) && throttle.burstLimit >= 1)) {
      throw new LocalRelayError(
        'InvalidOption',
        `throttle of route "${routeKey}" must be a positive rate per second and a whole burst of at least 1, got ${String(throttle.rateLimit)}/${String(throttle.burstLimit)}`,
      );
    }
    checked.set(routeKey, throttle);
  }
  return checked;
}
