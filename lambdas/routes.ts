import * as path from 'node:path';

/** What a route's handler may do with the connections table; the stack turns it into a grant. */
export type TableAccess = 'read' | 'write' | 'readwrite' | 'none';

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
  /** The table access the handler needs. */
  readonly tableAccess: TableAccess;
}

/** Every route of the relay. Adding a route here adds it to the stack and to `npm start`. */
export const ROUTES: readonly RouteDefinition[] = [
  { routeKey: '$connect', name: 'OnConnect', entry: 'handlers/on-connect.ts', postsToConnections: false, tableAccess: 'write' },
  { routeKey: '$disconnect', name: 'OnDisconnect', entry: 'handlers/on-disconnect.ts', postsToConnections: false, tableAccess: 'write' },
  { routeKey: '$default', name: 'Default', entry: 'handlers/default.ts', postsToConnections: true, tableAccess: 'none' },
  { routeKey: 'sendmessage', name: 'SendMessage', entry: 'handlers/send-message.ts', postsToConnections: true, tableAccess: 'none' },
  { routeKey: 'Connect', name: 'Connect', entry: 'handlers/connect.ts', postsToConnections: true, tableAccess: 'write' },
  { routeKey: 'Request', name: 'Request', entry: 'handlers/request.ts', postsToConnections: true, tableAccess: 'readwrite' },
  { routeKey: 'Transfer', name: 'Transfer', entry: 'handlers/transfer.ts', postsToConnections: true, tableAccess: 'readwrite' },
  { routeKey: 'Acknowledge', name: 'Acknowledge', entry: 'handlers/acknowledge.ts', postsToConnections: true, tableAccess: 'readwrite' },
];

/** The absolute path of a route's handler module. */
export function routeEntryPath(route: RouteDefinition): string {
  return path.join(__dirname, route.entry);
}
