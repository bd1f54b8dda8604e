import { Agent } from 'node:http';
import type { Server } from 'node:net';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pageUrlWithKey, relayUrlWithKey } from '../client/transport/relay-url';
import { createRelayClients, type ClientTransports } from '../lambdas/adapters/relay-ports';
import { ROUTES } from '../lambdas/routes';
import type { RelayConfig } from '../lambdas/relay/config';
import { RELAY_KEY_PATTERN } from '../lambdas/relay/relay-key';
import { relayKeyHeaderSigner } from './connections-door';
import { ensureConnectionsTable } from './connections-table';
import { LOCAL_CREDENTIALS, LOCAL_DYNAMODB_SIGNER, LOCAL_REGION, startDynamoDbLocal, waitForDynamoDb, type DynamoDbLocal } from './dynamodb-local';
import { LocalRelayError } from './errors';
import { hostInUrl, isWildcardHost } from './lan-addresses';
import { FaultInjector, type FaultRates } from './fault-injection';
import type { InvocationLimits, InvocationQueueStats } from './connection-queue';
import { WebSocketGateway, type RouteHandlers } from './gateway';
import type { ConnectionTimeouts } from './limits';
import { directConnectionsPoster } from './direct-connections-poster';
import { inProcessConnectionsTransport, UNSIGNED } from './in-process-connections-transport';
import { InvocationQueue } from './invocation-queue';
import { ConnectionRegistry } from './live-connection';
import { createConnectionsApi, createManagementApi, type ConnectionsApi } from './management-api';
import type { BacklogMarks, BacklogStats } from './relay-backlog';
import { silentLog, type RelayLog } from './relay-log';
import { tappedFrame, type RelayTaps } from './relay-taps';
import { loadRouteHandlers } from './route-handlers';
import { createRelayServers, type TlsCredentials } from './plain-and-tls-server';
import { createWebPageHandler, httpsRedirect, linkAddresses } from './web-page-server';
import { RouteThrottler, checkedRouteThrottles } from './route-throttles';
import type { RouteThrottle } from '../lambdas/route-throttle-defaults';

/** Where `npm run build:web` puts the page the relay serves at `/`. */
export const DEFAULT_WEB_DIR = path.join(__dirname, '..', 'dist', 'web');

/** The table name `npm start` uses. */
export const DEFAULT_TABLE_NAME = 'banguins-connections';

/** The port `npm start` listens on. */
export const DEFAULT_PORT = 3001;

/** Sockets the handlers may open to DynamoDB at once (keep-alive). */
const DYNAMODB_MAX_SOCKETS = 256;

/** The local relay's bounds on what clients make it hold; each field defaults to the constant named. */
export interface LocalRelayLimits {
  /** Each connection's concurrent invocations and backpressure marks. @default connection-queue.ts: 8 running; reading pauses at 16 or 1 MiB, resumes under 8 and 512 KiB */
  readonly invocations?: InvocationLimits;
  /** The relay-wide byte and time marks on chunks read and not yet handled. @default relay-backlog.ts: pause at 512 KiB or 5 ms, resume under 256 KiB and 2 ms */
  readonly backlog?: BacklogMarks;
  /** Outbound bytes waiting for a client above which `@connections` POSTs to it answer 429. @default OUTBOUND_BUFFER_LIMIT_BYTES (4 MiB) */
  readonly outboundBytes?: number;
  /** Outbound bytes waiting over all clients above which a POST to a client with any waiting answers 429. @default RELAY_OUTBOUND_LIMIT_BYTES (32 MiB) */
  readonly relayOutboundBytes?: number;
  /** Connections open or in their handshake at once; a handshake over it is refused with 429. @default MAX_CONNECTIONS (2,000) */
  readonly connections?: number;
}

/** Options of startLocalRelay. */
export interface LocalRelayOptions {
  /** 0 picks a free port. @default DEFAULT_PORT */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'dev' */
  readonly stage?: string;
  /** @default DEFAULT_TABLE_NAME */
  readonly tableName?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. @default start DynamoDB Local */
  readonly dynamodbEndpoint?: string;
  /** DynamoDB Local keeps its data in this folder. @default in memory */
  readonly dbPath?: string;
  /** @default API Gateway's */
  readonly timeouts?: Partial<ConnectionTimeouts>;
  /** Drop, duplicate or reorder inbound Transfer frames. @default no faults */
  readonly faults?: FaultRates;
  /** Sees every inbound frame and posted payload (`frames`), and every message invocation's timing (`invocations`). @default none */
  readonly taps?: RelayTaps;
  /** Bounds on connections, queued invocations and outbound bytes. @default API Gateway's and the constants named in LocalRelayLimits */
  readonly limits?: LocalRelayLimits;
  /** @default silent */
  readonly log?: RelayLog;
  /** The handlers' own Powertools log level; the relay already logs one line per route call. @default 'WARN' */
  readonly handlerLogLevel?: string;
  /**
   * Handlers to use instead of the ROUTES modules (gateway tests); `transports` carries the
   * `@connections` calls in process. @default loadRouteHandlers over createRelayClients(config, transports)
   */
  readonly handlers?: (config: RelayConfig, transports: ClientTransports) => RouteHandlers;
  /**
   * How the handlers' posts reach the relay's `@connections` logic: 'direct' calls it with no SDK
   * (local/direct-connections-poster.ts), 'sdk' runs the AWS SDK client with its requests handed
   * over in process (unsigned, no HTTP hop), 'http' runs the SDK client against the relay's HTTP
   * endpoint as another process would. The HTTP endpoint serves either way. @default 'direct'
   */
  readonly connectionsTransport?: 'direct' | 'sdk' | 'http';
  /** Serves the built web page at `/` from this folder. @default DEFAULT_WEB_DIR */
  readonly webDir?: string;
  /** Every handshake must carry this access key in `?key=`. @default none: an open relay */
  readonly relayKey?: string;
  /** STUN/TURN URLs the page's config.json lists for its direct path. @default none: host candidates only */
  readonly iceServerUrls?: readonly string[];
  /**
   * Serves https:// and wss:// too, on the same port, with this certificate: a page opened from
   * another device is then a secure context (WebCrypto, camera), and plain http:// page requests
   * from a non-loopback address are redirected to https://. @default plain only
   */
  readonly tls?: TlsCredentials;
  /**
   * The page's address for other devices (`https://192.168.1.5:3001/`): config.json tells the page
   * and the CLI to name it, and its relay, in the links they make. @default links name the address used
   */
  readonly publicUrl?: string | ((port: number) => string);
  /**
   * Per-route throttles by route key, applied as API Gateway's stage applies them: a refused
   * `$connect` is a 429 handshake, a refused message is dropped with a "Limit Exceeded" frame
   * (local/route-throttles.ts). DEFAULT_ROUTE_THROTTLES (lambdas/route-throttle-defaults.ts) is the
   * stack's. @default none: nothing is throttled
   */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
}

/** A running local relay. */
export interface LocalRelay {
  /** The URL to connect to: `ws://HOST:PORT`, or `ws://HOST:PORT/?key=KEY` when a key is on. */
  readonly url: string;
  /** The web page, `http://HOST:PORT/`, or `http://HOST:PORT/#relaykey=KEY` when a key is on. */
  readonly pageUrl: string;
  /** The page for other devices (`publicUrl`), with `#relaykey=KEY` when a key is on. */
  readonly publicPageUrl?: string;
  /** The access key handshakes must carry, if any. */
  readonly relayKey?: string;
  readonly port: number;
  /** The `@connections` base URL, `http://HOST:PORT/STAGE`. */
  readonly callbackUrl: string;
  /** The DynamoDB the handlers use. */
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** The config handed to every handler's createHandler. */
  readonly config: RelayConfig;
  /** Invocation queue figures over every connection (backpressure). */
  readonly queueStats: InvocationQueueStats;
  /** Relay-wide backlog figures (pauses, peak bytes). */
  readonly backlogStats: () => BacklogStats;
  /** The open connections, as the gateway and `@connections` see them (tests, `npm run load`). */
  readonly connections: ConnectionRegistry;
  /** Closes every socket (running `$disconnect`), the server, and DynamoDB Local if it started it. */
  close(): Promise<void>;
}

/**
 * Starts the local relay: DynamoDB Local (unless `dynamodbEndpoint` is given), the connections
 * table, and one HTTP server that is both the WebSocket API and its `@connections` API,
 * invoking the same handler modules as the deployed stack.
 */
export async function startLocalRelay(options: LocalRelayOptions = {}): Promise<LocalRelay> {
  // The SDK's notice about Node 22 says nothing about the relay; keep the console to the relay's own lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'dev';
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const log = options.log ?? silentLog;
  const limits = options.limits ?? {};
  const taps = options.taps ?? {};
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  if (options.relayKey !== undefined && !RELAY_KEY_PATTERN.test(options.relayKey)) {
    throw new LocalRelayError('InvalidOption', 'the relay access key must be 8 to 256 URL-safe characters (letters, digits, . _ ~ -)');
  }

  let dynamoDbLocal: DynamoDbLocal | undefined;
  let dynamodbEndpoint = options.dynamodbEndpoint;
  if (dynamodbEndpoint) {
    await waitForDynamoDb(dynamodbEndpoint, 10_000);
  } else {
    dynamoDbLocal = await startDynamoDbLocal({ dbPath: options.dbPath });
    dynamodbEndpoint = dynamoDbLocal.endpoint;
  }
  try {
    const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await ensureConnectionsTable(client, tableName);
    } finally {
      client.destroy();
    }

    const servers = createRelayServers(options.tls);
    const port = await listen(servers.listener, options.port ?? DEFAULT_PORT, host);
    const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl(port) : options.publicUrl;
    const reachableHost = isWildcardHost(host) ? '127.0.0.1' : hostInUrl(host);
    const callbackUrl = `http://${reachableHost}:${port}/${stage}`;
    const config: RelayConfig = {
      tableName,
      dynamodbEndpoint,
      callbackUrl,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      logLevel: options.handlerLogLevel ?? 'WARN',
      ...(options.relayKey !== undefined ? { relayKey: options.relayKey } : {}),
    };
    const connections = new ConnectionRegistry();
    const connectionsApi = createConnectionsApi({
      connections,
      stage,
      outboundBufferLimitBytes: limits.outboundBytes,
      relayOutboundLimitBytes: limits.relayOutboundBytes,
      onPosted: (connectionId, payload) => taps.frames?.(tappedFrame('out', connectionId, payload)),
    });
    // One process serves every connection's handlers: more sockets to DynamoDB than the SDK's 50.
    const dynamodbAgent = new Agent({ keepAlive: true, maxSockets: DYNAMODB_MAX_SOCKETS });
    const transports: ClientTransports = {
      dynamodbRequestHandler: { httpAgent: dynamodbAgent },
      // The relay's own calls only ever go to a local DynamoDB (LOCAL_CREDENTIALS), which checks no signature.
      dynamodbSigner: LOCAL_DYNAMODB_SIGNER,
      ...connectionsTransportOf(options.connectionsTransport ?? 'direct', connectionsApi, stage, options.relayKey),
    };
    let handlers: RouteHandlers;
    let throttles: RouteThrottler | undefined;
    try {
      handlers = options.handlers
        ? options.handlers(config, transports)
        : loadRouteHandlers(config, ROUTES, createRelayClients(config, transports));
      throttles = options.routeThrottles === undefined ? undefined : new RouteThrottler(checkedRouteThrottles(options.routeThrottles, handlers.keys()));
    } catch (error) {
      await servers.close();
      throw error;
    }
    const invocations = new InvocationQueue({ perConnection: limits.invocations, backlog: limits.backlog });
    const gateway = new WebSocketGateway({
      handlers,
      connections,
      stage,
      timeouts: options.timeouts,
      faults,
      taps,
      log,
      invocations,
      maxConnections: limits.connections,
      throttles,
    });
    const managementApi = createManagementApi(connectionsApi, options.relayKey);
    const webPage = createWebPageHandler(options.webDir ?? DEFAULT_WEB_DIR, { iceServerUrls: options.iceServerUrls, links: linkAddresses(publicUrl) });
    const redirect = options.tls ? httpsRedirect : () => false;
    for (const server of servers.http) {
      gateway.attach(server);
      server.on('request', (request, response) => {
        if (!managementApi(request, response) && !redirect(request, response) && !webPage(request, response)) {
          response.writeHead(426, { 'content-type': 'text/plain' }).end('Banguins local relay: connect with a WebSocket client\n');
        }
      });
    }

    let closing: Promise<void> | undefined;
    return {
      url: relayUrlWithKey(`ws://${reachableHost}:${port}`, options.relayKey),
      pageUrl: pageUrlWithKey(`http://${reachableHost}:${port}/`, options.relayKey),
      ...(publicUrl !== undefined ? { publicPageUrl: pageUrlWithKey(publicUrl, options.relayKey) } : {}),
      relayKey: options.relayKey,
      port,
      callbackUrl,
      dynamodbEndpoint,
      tableName,
      config,
      queueStats: invocations.stats,
      backlogStats: () => invocations.backlogStats,
      connections,
      close: () => {
        closing ??= (async () => {
          await gateway.close();
          await servers.close();
          dynamodbAgent.destroy();
          await dynamoDbLocal?.stop();
        })();
        return closing;
      },
    };
  } catch (error) {
    await dynamoDbLocal?.stop();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalRelayError('PortInUse', `port ${port} on ${host} is in use: stop the other program or pass --port 0 for a free port`)
          : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** The `@connections` part of the handlers' transports (LocalRelayOptions.connectionsTransport). */
function connectionsTransportOf(kind: 'direct' | 'sdk' | 'http', api: ConnectionsApi, stage: string, relayKey: string | undefined): ClientTransports {
  switch (kind) {
    case 'direct':
      return { connectionsPoster: directConnectionsPoster(api, stage) };
    case 'sdk':
      return { connectionsRequestHandler: inProcessConnectionsTransport(api), connectionsSigner: UNSIGNED };
    case 'http':
      return relayKey === undefined ? {} : { connectionsSigner: relayKeyHeaderSigner(relayKey) };
  }
}
