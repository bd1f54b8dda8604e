import type { RouteDefinition } from '../lambdas/routes';
import { StackConfigError } from './stack-config-error';

/** A stage throttle for one route: steady requests per second and the burst (token bucket size). */
export interface RouteThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once above the steady rate. */
  readonly burstLimit: number;
}

/**
 * The throttle of the chunk path (Transfer): 1,000 chunks/s is 24 MB/s of 24 KB browser chunks,
 * 96 MB/s of 96 KB Node chunks, for every transfer of the stage together; a tenth of the account's
 * 10,000 requests/s, so other APIs of the account keep theirs. See docs/cost-and-throughput.md.
 */
const TRANSFER_THROTTLE: RouteThrottle = { rateLimit: 1000, burstLimit: 2000 };

/** The throttle of Acknowledge: twice the one-per-8-chunks cadence at the full Transfer rate. */
const ACKNOWLEDGE_THROTTLE: RouteThrottle = { rateLimit: 250, burstLimit: 500 };

/**
 * The throttle of the session routes (`$connect`, `$disconnect`, `Connect`, `Request`): sized for
 * 10,000 open connections each sending a `Connect` keepalive every 240 s (41.7/s, 42% of it) and a
 * storm of 2,000 clients coming back after a blip well inside the clients' 120 s reconnect window
 * (`$connect` and `Request` ~18 s, `Connect` ~31 s on top of the keepalives); a fifth of the
 * account's 500 new connections/s. The arithmetic: docs/cost-and-throughput.md.
 */
const SESSION_THROTTLE: RouteThrottle = { rateLimit: 100, burstLimit: 200 };

/**
 * The throttle of the routes no client of this project calls (`$default`: unroutable frames,
 * `sendmessage`: the seed's echo): a flood of them cannot crowd out the others.
 */
const CONTROL_THROTTLE: RouteThrottle = { rateLimit: 10, burstLimit: 20 };

/**
 * Each route's own stage throttle on AWS, by the route key of ROUTES (lambdas/routes.ts); a route not
 * named here gets the stage's default route throttle. `-c throttle.<routeKey>=RATE/BURST` overrides one.
 */
const DEFAULT_ROUTE_THROTTLES: Readonly<Record<string, RouteThrottle>> = {
  $connect: SESSION_THROTTLE,
  $disconnect: SESSION_THROTTLE,
  $default: CONTROL_THROTTLE,
  sendmessage: CONTROL_THROTTLE,
  Connect: SESSION_THROTTLE,
  Request: SESSION_THROTTLE,
  Transfer: TRANSFER_THROTTLE,
  Acknowledge: ACKNOWLEDGE_THROTTLE,
};

/** The context key of the per-route throttles: `-c throttle.<routeKey>=RATE/BURST`, or an object in cdk.json. */
const THROTTLE_CONTEXT_KEY = 'throttle';

/** `RATE/BURST`: two whole numbers of requests per second, e.g. `1000/2000`. */
const THROTTLE_VALUE_PATTERN = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/**
 * Reads one `RATE/BURST` context value (`"1000/2000"`), throwing InvalidContextValue with an
 * example when it is anything else. `key` is the context key, used in the message.
 */
function parseThrottleValue(key: string, raw: unknown): RouteThrottle {
  const match = typeof raw === 'string' ? THROTTLE_VALUE_PATTERN.exec(raw) : null;
  if (!match) {
    throw new StackConfigError(
      'InvalidContextValue',
      `Context value ${key}=${JSON.stringify(raw)} is invalid: expected RATE/BURST, two whole numbers of requests per second (e.g. -c ${key}=1000/2000).`,
    );
  }
  return { rateLimit: Number(match[1]), burstLimit: Number(match[2]) };
}

/**
 * The per-route throttles of CDK context, by route key: the cdk.json object
 * `"throttle": {"Transfer": "1000/2000"}` (or that JSON as one `-c throttle=...` string), then every
 * `-c throttle.<routeKey>=RATE/BURST`, which wins. Route keys are checked later, against the routes.
 */
export function readThrottleContext(allContext: Readonly<Record<string, unknown>>): Record<string, RouteThrottle> {
  const throttles: Record<string, RouteThrottle> = {};
  const object = throttleObjectOf(allContext[THROTTLE_CONTEXT_KEY]);
  for (const [routeKey, value] of Object.entries(object)) {
    throttles[routeKey] = parseThrottleValue(`${THROTTLE_CONTEXT_KEY}.${routeKey}`, value);
  }
  const prefix = `${THROTTLE_CONTEXT_KEY}.`;
  for (const [key, value] of Object.entries(allContext)) {
    if (key.startsWith(prefix)) throttles[key.slice(prefix.length)] = parseThrottleValue(key, value);
  }
  return throttles;
}

function throttleObjectOf(raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      value = raw;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StackConfigError(
      'InvalidContextValue',
      `Context value ${THROTTLE_CONTEXT_KEY}=${JSON.stringify(raw)} is invalid: expected an object of route key to RATE/BURST (e.g. {"Transfer": "1000/2000"}), or use -c ${THROTTLE_CONTEXT_KEY}.Transfer=1000/2000.`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Each route's effective throttle: the override for its route key, else its default
 * (`defaults`, DEFAULT_ROUTE_THROTTLES unless given). A route with neither is left out (the stage's default route throttle applies to it).
 * Throws UnknownThrottleRoute for an override naming no route, InvalidThrottlingLimit for a limit
 * that is not a positive whole number.
 */
export function resolveRouteThrottles(
  routes: readonly RouteDefinition[],
  overrides: Readonly<Record<string, RouteThrottle>> = {},
  defaults: Readonly<Record<string, RouteThrottle>> = DEFAULT_ROUTE_THROTTLES,
): ReadonlyMap<string, RouteThrottle> {
  const routeKeys = routes.map((route) => route.routeKey);
  for (const routeKey of Object.keys(overrides)) {
    if (!routeKeys.includes(routeKey)) {
      throw new StackConfigError(
        'UnknownThrottleRoute',
        `Throttle for route "${routeKey}" names no route of the relay: use one of ${routeKeys.join(', ')} (e.g. -c throttle.Transfer=1000/2000).`,
      );
    }
  }
  const throttles = new Map<string, RouteThrottle>();
  for (const route of routes) {
    const throttle = overrides[route.routeKey] ?? defaults[route.routeKey];
    if (throttle === undefined) continue;
    checkLimit(route.routeKey, 'rate', throttle.rateLimit);
    checkLimit(route.routeKey, 'burst', throttle.burstLimit);
    throttles.set(route.routeKey, throttle);
  }
  return throttles;
}

function checkLimit(routeKey: string, which: 'rate' | 'burst', value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StackConfigError(
      'InvalidThrottlingLimit',
      `The ${which} limit of route "${routeKey}" must be a positive whole number of requests per second, got ${String(value)} (e.g. -c throttle.${routeKey}=1000/2000).`,
    );
  }
}
