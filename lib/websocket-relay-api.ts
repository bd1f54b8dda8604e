import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../lambdas/routes';
import { grantRouteAccess } from './route-grants';
import { RouteFunction } from './route-function';

/** The frame field API Gateway routes on: the seeds' `action`. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** One JSON line per WebSocket event in the stage's access log. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    connectionId: '$context.connectionId',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    status: '$context.status',
    requestTimeEpoch: '$context.requestTimeEpoch',
    sourceIp: '$context.identity.sourceIp',
    integrationLatency: '$context.integrationLatency',
    error: '$context.error.message',
  }),
);

/** Options of {@link WebSocketRelayApi}. */
export interface WebSocketRelayApiProps {
  /** The routes to serve; each gets its own function. */
  readonly routes: readonly RouteDefinition[];
  /** The connections table the route functions use. */
  readonly table: ITableV2;
  /** The stage name, the last segment of the wss URL. */
  readonly stageName: string;
  /** The stage's steady-state request limit, per second. */
  readonly throttlingRateLimit: number;
  /** The stage's burst request limit. */
  readonly throttlingBurstLimit: number;
  /** How long access logs and function logs are kept. */
  readonly logRetention: RetentionDays;
}

/**
 * The relay's API Gateway WebSocket API: one route and one Lambda function per route
 * definition, routed on `action`, and one auto-deployed, throttled stage with JSON access logs.
 */
export class WebSocketRelayApi extends Construct {
  /** The WebSocket API. */
  readonly api: WebSocketApi;
  /** The stage clients connect to. */
  readonly stage: WebSocketStage;
  /** The stage's access log group. */
  readonly accessLogGroup: LogGroup;
  /** Each route's function, by route key. */
  readonly routeFunctions: ReadonlyMap<string, RouteFunction>;

  constructor(scope: Construct, id: string, props: WebSocketRelayApiProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      description: 'Banguins relay: pairs two devices by QR code and relays a file between them',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Any device may connect (a browser cannot send auth headers on a WebSocket handshake); the relay authorises frames itself: a Request must match the qrhash its target registered, and Transfer/Acknowledge pass only between paired connections.',
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const routeFunctions = new Map<string, RouteFunction>();
    for (const route of props.routes) {
      const routeFunction = new RouteFunction(this, route.name, {
        route,
        tableName: props.table.tableName,
        logRetention: props.logRetention,
      });
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.name}Integration`, routeFunction.function),
      });
      grantRouteAccess(route, routeFunction.role, { table: props.table, stage: this.stage });
      routeFunctions.set(route.routeKey, routeFunction);
    }
    this.routeFunctions = routeFunctions;
  }
}
