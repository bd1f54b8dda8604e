import * as path from 'node:path';

/**
 * A DynamoDB operation a route handler calls on the connections table; the stack grants
 * `dynamodb:<name>` for each. The item operations are granted on the table; `Query` only on the
 * qrhash index (Request's rejoin lookup). Scan is left out on purpose: no handler lists the table.
 * A TransactWriteItems call needs the action of each item in it (an `Update` needs UpdateItem).
 */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

/** A stage throttle for one route: steady requests per second and the burst (token bucket size). */
export interface RouteThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once above the steady rate. */
  readonly burstLimit: number;
}

/** One WebSocket route: the single source of truth read by the CDK stack and the local relay. */
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
  /**
   * The route's stage throttle on AWS, overridable with `-c throttle.<routeKey>=RATE/BURST`.
   * @default the stage's default route throttle (`throttlingRateLimit` / `throttlingBurstLimit`)
   */
  readonly throttle?: RouteThrottle;
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
 * The throttle of the control routes (connect, pair, echo, unroutable frames): a few per transfer,
 * far below the account's 500 new connections/s; a flood of them cannot crowd out the chunk path.
 */
const CONTROL_THROTTLE: RouteThrottle = { rateLimit: 10, burstLimit: 20 };

/** Every route of the relay. Adding a route here adds it to the stack and to `npm start`. */
export const ROUTES: readonly RouteDefinition[] = [
  // $connect stores the connection (PutItem) and checks the relay access key.
  { routeKey: '$connect', name: 'OnConnect', entry: 'handlers/on-connect.ts', postsToConnections: false, tableActions: ['PutItem'], readsRelayKey: true, throttle: CONTROL_THROTTLE },
  // $disconnect comes once per connection, after it closed (best effort): as many as $connect.
  { routeKey: '$disconnect', name: 'OnDisconnect', entry: 'handlers/on-disconnect.ts', postsToConnections: false, tableActions: ['DeleteItem'], throttle: CONTROL_THROTTLE },
  { routeKey: '$default', name: 'Default', entry: 'handlers/default.ts', postsToConnections: true, tableActions: [], throttle: CONTROL_THROTTLE },
  { routeKey: 'sendmessage', name: 'SendMessage', entry: 'handlers/send-message.ts', postsToConnections: true, tableActions: [], throttle: CONTROL_THROTTLE },
  // Connect registers the qrhash (UpdateItem on an existing item).
  { routeKey: 'Connect', name: 'Connect', entry: 'handlers/connect.ts', postsToConnections: true, tableActions: ['UpdateItem'], throttle: CONTROL_THROTTLE },
  // Request reads the target, pairs both items (TransactWriteItems of two Updates), removes a gone target,
  // and with `rejoin` finds the peer's new connection on the qrhash index (Query).
  { routeKey: 'Request', name: 'Request', entry: 'handlers/request.ts', postsToConnections: true, tableActions: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query'], throttle: CONTROL_THROTTLE },
  // Transfer and Acknowledge read the sender's pairings and remove a gone peer.
  { routeKey: 'Transfer', name: 'Transfer', entry: 'handlers/transfer.ts', postsToConnections: true, tableActions: ['GetItem', 'DeleteItem'], throttle: TRANSFER_THROTTLE },
  { routeKey: 'Acknowledge', name: 'Acknowledge', entry: 'handlers/acknowledge.ts', postsToConnections: true, tableActions: ['GetItem', 'DeleteItem'], throttle: ACKNOWLEDGE_THROTTLE },
];

/** The absolute path of a route's handler module. */
export function routeEntryPath(route: RouteDefinition): string {
  return path.join(__dirname, route.entry);
}
