import * as path from 'node:path';

/**
 * A DynamoDB operation a route handler calls on the connections table; the stack grants
 * `dynamodb:<name>` for each. The item operations are granted on the table; `Query` only on the
 * qrhash index (Request's rejoin lookup). Scan is left out on purpose: no handler lists the table.
 * A TransactWriteItems call needs the action of each item in it (an `Update` needs UpdateItem).
 */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

/**
 * One WebSocket route: the single source of truth read by the CDK stack and the local relay. Its
 * throttle is in route-throttle-defaults.ts (the stack applies it on AWS, lib/route-throttles.ts).
 */
export interface RouteDefinition {
  /** The API Gateway route key, matched against `$request.body.action`. */
  readonly routeKey: string;
  /** A short PascalCase name used for construct ids and log lines. */
  readonly name: string;
  /** The handler module, relative to this folder; it exports `handler`. */
  readonly entry: string;
  /** Whether the handler posts to connections through `@connections` (needs ManageConnections). */
  readonly postsToConnections: boolean;
  /** Exactly the table operations the handler's code calls (the stack grants these and nothing else). */
  readonly tableActions: readonly TableAction[];
  /**
   * Whether the handler reads the relay access key (the stack grants read on the key's secret and
   * passes its ARN in `BANGUINS_RELAY_KEY_SECRET_ARN`).
   * @default false
   */
  readonly readsRelayKey?: boolean;
}

/** Every route of the relay. Adding a route here adds it to the stack and to `npm start`. */
export const ROUTES: readonly RouteDefinition[] = [
  // $connect stores the connection (PutItem) and checks the relay access key.
  { routeKey: '$connect', name: 'OnConnect', entry: 'handlers/on-connect.ts', postsToConnections: false, tableActions: ['PutItem'], readsRelayKey: true },
  // $disconnect comes once per connection, after it closed (best effort).
  { routeKey: '$disconnect', name: 'OnDisconnect', entry: 'handlers/on-disconnect.ts', postsToConnections: false, tableActions: ['DeleteItem'] },
  { routeKey: '$default', name: 'Default', entry: 'handlers/default.ts', postsToConnections: true, tableActions: [] },
  { routeKey: 'sendmessage', name: 'SendMessage', entry: 'handlers/send-message.ts', postsToConnections: true, tableActions: [] },
  // Connect registers the qrhash (UpdateItem on an existing item).
  { routeKey: 'Connect', name: 'Connect', entry: 'handlers/connect.ts', postsToConnections: true, tableActions: ['UpdateItem'] },
  // Request reads the target, pairs both items (TransactWriteItems of two Updates), removes a gone target,
  // and with `rejoin` finds the peer's new connection on the qrhash index (Query).
  { routeKey: 'Request', name: 'Request', entry: 'handlers/request.ts', postsToConnections: true, tableActions: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  // Transfer and Acknowledge read the sender's pairings and remove a gone peer.
  { routeKey: 'Transfer', name: 'Transfer', entry: 'handlers/transfer.ts', postsToConnections: true, tableActions: ['GetItem', 'DeleteItem'] },
  { routeKey: 'Acknowledge', name: 'Acknowledge', entry: 'handlers/acknowledge.ts', postsToConnections: true, tableActions: ['GetItem', 'DeleteItem'] },
];

/** The absolute path of a route's handler module. */
export function routeEntryPath(route: RouteDefinition): string {
  return path.join(__dirname, route.entry);
}
