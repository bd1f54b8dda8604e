import { Logger } from '@aws-lambda-powertools/logger';
import { type RelayConfig, relayConfigFromEnv } from '../relay/config';
import { RelayRefusal } from '../relay/errors';
import { actionOf } from '../../protocol/frames';
import { errorFrame } from '../relay/error-frame';
import type { PostToConnection } from '../relay/ports';
import { HandshakeKeyRefusedError } from '../relay/relay-key';
import type { RelayAction, RelayContext } from '../relay/relay-context';
import type { WebSocketEvent, WebSocketHandler, WebSocketResult } from '../relay/websocket-event';
import { createRelayClients, type RelayClients } from './relay-ports';

/** What every handler module exports: the Lambda entry point and a factory for injected config. */
export interface RouteModule {
  /** Builds a handler from explicit configuration (the local relay, tests); `clients` reuses SDK clients. */
  createHandler(config: RelayConfig, clients?: RelayClients): WebSocketHandler;
  /** The Lambda entry point: reads its configuration from the environment on the first call. */
  readonly handler: WebSocketHandler;
}

type LogLevel = ConstructorParameters<typeof Logger>[0] extends infer O ? (O extends { logLevel?: infer L } ? L : never) : never;

const OK: WebSocketResult = { statusCode: 200 };

/**
 * The routes called once per chunk (or per 8 chunks): their successful calls log at DEBUG, so the
 * functions' INFO level writes no line per chunk (CloudWatch Logs ingestion, $0.50/GB, would add
 * ~$0.015 per GB moved with Lambda's own lines); refusals and failures still log at INFO and ERROR.
 * The application log level DEBUG on a function (Lambda's logging configuration, read by Powertools
 * from AWS_LAMBDA_LOG_LEVEL) brings them back.
 */
const PER_CHUNK_ROUTES: ReadonlySet<string> = new Set(['Transfer', 'Acknowledge']);

/** Turns a relay action into a route handler: builds the ports, runs the action, answers errors with an Error frame. */
export function defineRoute(routeKey: string, action: RelayAction): RouteModule {
  const createHandler = (config: RelayConfig, clients: RelayClients = createRelayClients(config)): WebSocketHandler => {
    const logger = new Logger({
      serviceName: 'banguins-relay',
      ...(config.logLevel ? { logLevel: config.logLevel as LogLevel } : {}),
    });
    const perChunk = PER_CHUNK_ROUTES.has(routeKey);
    return async (event) => {
      const started = Date.now();
      const { connectionId } = event.requestContext;
      const post = clients.poster(callbackUrlOf(config, event));
      const context: RelayContext = {
        connectionId,
        body: event.body ?? undefined,
        query: event.queryStringParameters ?? undefined,
        sourceIp: event.requestContext.identity?.sourceIp,
        connectedAt: event.requestContext.connectedAt,
        store: clients.store,
        post,
        pairings: clients.pairings,
        now: Date.now,
      };
      const log = (outcome: string, extra: Record<string, unknown> = {}) =>
        logger.info('route', { route: routeKey, connectionId, outcome, ms: Date.now() - started, ...extra });
      try {
        await action(context);
        if (perChunk) logger.debug('route', { route: routeKey, connectionId, outcome: 'ok', ms: Date.now() - started });
        else log('ok');
        return OK;
      } catch (error) {
        return answerFailure({ routeKey, event, error, post, logger, log });
      }
    };
  };

  return { createHandler, handler: lambdaEntryPoint(createHandler) };
}

/** A Lambda entry point that builds its handler from the environment on the first call and reuses it. */
export function lambdaEntryPoint(createHandler: (config: RelayConfig) => WebSocketHandler): WebSocketHandler {
  let lambdaHandler: WebSocketHandler | undefined;
  return (event) => {
    lambdaHandler ??= createHandler(relayConfigFromEnv());
    return lambdaHandler(event);
  };
}

/** The `@connections` base URL: the injected one locally, the event's own on AWS. */
function callbackUrlOf(config: RelayConfig, event: WebSocketEvent): string {
  return config.callbackUrl ?? `https://${event.requestContext.domainName}/${event.requestContext.stage}`;
}

interface Failure {
  readonly routeKey: string;
  readonly event: WebSocketEvent;
  readonly error: unknown;
  readonly post: PostToConnection;
  readonly logger: Logger;
  readonly log: (outcome: string, extra?: Record<string, unknown>) => void;
}

/** What API Gateway's own authorisers answer a refused handshake with. */
const UNAUTHORIZED: WebSocketResult = { statusCode: 401, body: '{"message":"Unauthorized"}' };

/**
 * A refused frame gets one Error frame back; an unexpected failure is logged and reported as
 * InternalError. `$connect` cannot be answered with a frame: a non-2xx refuses the handshake,
 * 401 for a missing or wrong access key, 500 for a real failure.
 */
async function answerFailure({ routeKey, event, error, post, logger, log }: Failure): Promise<WebSocketResult> {
  if (error instanceof HandshakeKeyRefusedError) {
    log('refused', { code: error.code });
    return UNAUTHORIZED;
  }
  const known = error instanceof RelayRefusal;
  if (known) log('refused', { code: error.code });
  else logger.error('route failed', { route: routeKey, connectionId: event.requestContext.connectionId, error: error as Error });
  if (routeKey === '$connect') return { statusCode: 500 };
  if (routeKey === '$disconnect') return OK;

  const request = routeKey === '$default' ? actionOf(event.body) : routeKey;
  const frame = known
    ? errorFrame(error.code, error.message, request, error.peerId)
    : errorFrame('InternalError', 'the relay failed to handle this frame; try again', request);
  try {
    await post(event.requestContext.connectionId, frame);
  } catch (postError) {
    // The sender may have left meanwhile; nobody is left to tell.
    logger.warn('error frame not delivered', { route: routeKey, error: postError as Error });
  }
  return known ? OK : { statusCode: 500 };
}
