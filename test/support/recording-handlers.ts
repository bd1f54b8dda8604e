import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { RelayConfig } from '../../lambdas/relay/config';
import type { WebSocketEvent, WebSocketHandler, WebSocketResult } from '../../lambdas/relay/websocket-event';
import type { RouteHandlers } from '../../local/gateway';

/** Small route handlers for gateway tests: they record every event and echo `{route, body}` to the sender. */
export interface RecordingHandlers {
  /** Every event any handler received, in order. */
  readonly events: WebSocketEvent[];
  /** Builds the route map for startTestRelay's `handlers` option. */
  readonly build: (config: RelayConfig) => RouteHandlers;
}

/** What a recording handler does beyond recording, per route key. */
export type HandlerBehaviour = (event: WebSocketEvent) => Promise<WebSocketResult | undefined> | WebSocketResult | undefined;

/**
 * Handlers for `$connect`, `$disconnect`, `$default` and every key of `extraRoutes`; message
 * routes post `{"route": routeKey, "body": body}` back through the real `@connections` SDK client
 * unless their behaviour answers first.
 */
export function recordingHandlers(extraRoutes: Record<string, HandlerBehaviour | null> = {}, connect?: HandlerBehaviour): RecordingHandlers {
  const events: WebSocketEvent[] = [];
  const build = (config: RelayConfig): RouteHandlers => {
    const client = new ApiGatewayManagementApiClient({ endpoint: config.callbackUrl, region: config.region, credentials: config.credentials });
    const echo = (behaviour?: HandlerBehaviour | null): WebSocketHandler => async (event) => {
      events.push(event);
      const answered = behaviour ? await behaviour(event) : undefined;
      if (answered) return answered;
      const payload = JSON.stringify({ route: event.requestContext.routeKey, body: event.body });
      await client.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: payload }));
      return { statusCode: 200 };
    };
    const handlers = new Map<string, WebSocketHandler>([
      ['$connect', async (event) => {
        events.push(event);
        return (connect && (await connect(event))) || { statusCode: 200 };
      }],
      ['$disconnect', async (event) => {
        events.push(event);
        return { statusCode: 200 };
      }],
      ['$default', echo()],
    ]);
    for (const [routeKey, behaviour] of Object.entries(extraRoutes)) handlers.set(routeKey, echo(behaviour));
    return handlers;
  };
  return { events, build };
}

/** Polls `condition` every 20 ms until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
