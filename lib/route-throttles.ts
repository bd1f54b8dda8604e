import type { RouteDefinition } from '../lambdas/routes';
import { DEFAULT_ROUTE_THROTTLES, parseRateBurst, type RouteThrottle } from '../lambdas/route-throttle-defaults';
import { StackConfigError } from './stack-config-error';

export type { RouteThrottle } from '../lambdas/route-throttle-defaults';

/** The context key of the per-route throttles: `-c throttle.<routeKey>=RATE/BURST`, or an object in cdk.json. */
const THROTTLE_CONTEXT_KEY = 'throttle';

/**
 * Reads one `RATE/BURST` context value (`"1000/2000"`), throwing InvalidContextValue with an
 * example when it is anything else. `key` is the context key, used in the message.
 */
function parseThrottleValue(key: string, raw: unknown): RouteThrottle {
  const throttle = parseRateBurst(raw);
  if (!throttle) {
    throw new StackConfigError(
      'InvalidContextValue',
      `Context value ${key}=${JSON.stringify(raw)} is invalid: expected RATE/BURST, two whole numbers of requests per second (e.g. -c ${key}=1000/2000).`,
    );
  }
  return throttle;
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
