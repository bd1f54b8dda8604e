import { createRelayClients, type RelayClients } from '../lambdas/adapters/relay-ports';
import { ROUTES, routeEntryPath, type RouteDefinition } from '../lambdas/routes';
import type { RelayConfig } from '../lambdas/relay/config';
import type { WebSocketHandler } from '../lambdas/relay/websocket-event';
import type { RouteHandlers } from './gateway';

/** The part of a handler module the local relay uses. */
interface HandlerModule {
  createHandler?: (config: RelayConfig, clients?: RelayClients) => WebSocketHandler;
}

/**
 * Loads the very handler modules the stack deploys, one per route of ROUTES, each built with
 * `createHandler(config, clients)`; a route added to ROUTES is served locally with no other edit.
 * All routes share one set of SDK clients (`clients`, built from `config` when not given).
 */
export function loadRouteHandlers(
  config: RelayConfig,
  routes: readonly RouteDefinition[] = ROUTES,
  clients: RelayClients = createRelayClients(config),
): RouteHandlers {
  const handlers = new Map<string, WebSocketHandler>();
  for (const route of routes) {
    // The module path comes from ROUTES at run time; require() loads .ts under both tsx and ts-jest.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(routeEntryPath(route)) as HandlerModule;
    if (typeof loaded.createHandler !== 'function') {
      throw new Error(`${route.entry} (route ${route.routeKey}) does not export createHandler(config)`);
    }
    handlers.set(route.routeKey, loaded.createHandler(config, clients));
  }
  return handlers;
}
