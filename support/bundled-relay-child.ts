import * as path from 'node:path';
import { startLocalRelay } from '../local/local-relay';
import { runRelayChild } from './relay-child-process';
import type { RelayConfig } from '../lambdas/relay/config';
import type { WebSocketHandler } from '../lambdas/relay/websocket-event';
import { ROUTES } from '../lambdas/routes';

/*
 * The local relay over the route bundles in folder argv[2] (`<route name>/index.js` each, as
 * support/route-bundle.ts writes them), in a plain Node process as Lambda loads them (jest's
 * module sandbox cannot: the SDK's ESM builds load Node built-ins with a dynamic import()). Each
 * bundle's own SDK clients reach DynamoDB (BANGUINS_BUNDLE_DYNAMODB, table BANGUINS_BUNDLE_TABLE)
 * and `@connections` over HTTP. Prints `READY <url>` once listening; closes on SIGTERM.
 */
runRelayChild(async () => {
  const folder = process.argv[2];
  const endpoint = process.env.BANGUINS_BUNDLE_DYNAMODB;
  const tableName = process.env.BANGUINS_BUNDLE_TABLE;
  if (!folder || !endpoint || !tableName) throw new Error('usage: BANGUINS_BUNDLE_DYNAMODB=URL BANGUINS_BUNDLE_TABLE=NAME bundled-relay-child.ts FOLDER');
  return startLocalRelay({
    port: 0,
    dynamodbEndpoint: endpoint,
    tableName,
    handlerLogLevel: 'SILENT',
    handlers: (config: RelayConfig) =>
      new Map(
        ROUTES.map((route) => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const bundle = require(path.resolve(folder, route.name, 'index.js')) as { createHandler: (config: RelayConfig) => WebSocketHandler };
          return [route.routeKey, bundle.createHandler(config)];
        }),
      ),
  });
});
