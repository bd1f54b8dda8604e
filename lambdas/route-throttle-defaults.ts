/**
 * Each route's throttle, the numbers the stack puts on its API Gateway stage (lib/route-throttles.ts,
 * with the `-c throttle.<route>` overrides) and the local relay applies when asked to
 * (`startLocalRelay({ routeThrottles })`, `npm start -- --throttle`). The arithmetic behind them is in
 * docs/cost-and-throughput.md. No handler imports this module: it is not in the Lambda bundles.
 */

/** A throttle for one route: steady requests per second and the burst (token bucket size). */
export interface RouteThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once above the steady rate. */
  readonly burstLimit: number;
}

/**
 * The throttle of the chunk path (Transfer): 1,000 chunks/s is 24 MB/s of 24 KB browser chunks,
 * 96 MB/s of 96 KB Node chunks, for every transfer of the stage together; a tenth of the account's
 * 10,000 requests/s, so other APIs of the account keep theirs.
 */
const TRANSFER_THROTTLE: RouteThrottle = { rateLimit: 1000, burstLimit: 2000 };

/** The throttle of Acknowledge: twice the one-per-8-chunks cadence at the full Transfer rate. */
const ACKNOWLEDGE_THROTTLE: RouteThrottle = { rateLimit: 250, burstLimit: 500 };

/**
 * The throttle of the session routes (`$connect`, `$disconnect`, `Connect`, `Request`): sized for
 * 10,000 open connections each sending a `Connect` keepalive every 240 s (41.7/s, 42% of it) and a
 * storm of 2,000 clients coming back after a blip well inside the clients' 120 s reconnect window
 * (`$connect` and `Request` ~18 s, `Connect` ~31 s on top of the keepalives); a fifth of the
 * account's 500 new connections/s.
 */
const SESSION_THROTTLE: RouteThrottle = { rateLimit: 100, burstLimit: 200 };

/**
 * The throttle of the routes no client of this project calls (`$default`: unroutable frames,
 * `sendmessage`: the seed's echo): a flood of them cannot crowd out the others.
 */
const CONTROL_THROTTLE: RouteThrottle = { rateLimit: 10, burstLimit: 20 };

/**
 * Each route's own throttle by the route key of ROUTES (lambdas/routes.ts); a route not named here
 * gets the stage's default route throttle on AWS, and none on the local relay.
 */
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<string, RouteThrottle>> = {
  $connect: SESSION_THROTTLE,
  $disconnect: SESSION_THROTTLE,
  $default: CONTROL_THROTTLE,
  sendmessage: CONTROL_THROTTLE,
  Connect: SESSION_THROTTLE,
  Request: SESSION_THROTTLE,
  Transfer: TRANSFER_THROTTLE,
  Acknowledge: ACKNOWLEDGE_THROTTLE,
};

/** `RATE/BURST`: two whole numbers of requests per second, e.g. `1000/2000`. */
const THROTTLE_VALUE_PATTERN = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** Reads `RATE/BURST` (`"1000/2000"`); undefined for anything else (the caller says what was expected). */
export function parseRateBurst(raw: unknown): RouteThrottle | undefined {
  const match = typeof raw === 'string' ? THROTTLE_VALUE_PATTERN.exec(raw) : null;
  return match ? { rateLimit: Number(match[1]), burstLimit: Number(match[2]) } : undefined;
}
