import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../lambdas/routes';
import { RELAY_KEY_SECRET_ARN_ENV } from '../lambdas/relay/table-schema';
import type { RelayAccessKey } from './relay-access-key';
import { grantRouteAccess } from './route-grants';
import { RouteFunction } from './route-function';
import type { RouteThrottle } from './route-throttles';

/** The frame field API Gateway routes on: the seeds' `action`. */
const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

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
  /** The stage's default route throttle (routes not in `routeThrottles`), steady requests per second. */
  readonly throttlingRateLimit: number;
  /** The stage's default route throttle, burst. */
  readonly throttlingBurstLimit: number;
  /** Each route's own throttle, by route key (the stage's `RouteSettings`). */
  readonly routeThrottles: ReadonlyMap<string, RouteThrottle>;
  /** The relay access key, readable by the routes with `readsRelayKey`. */
  readonly relayKey: RelayAccessKey;
  /** How long access logs and function logs are kept. */
  readonly logRetention: RetentionDays;
}

/**
 * The relay's API Gateway WebSocket API: one route and one Lambda function per route
 * definition, routed on `action`, and one auto-deployed stage with a throttle per route and
 * JSON access logs.
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
        "A browser cannot send auth headers on a WebSocket handshake, so $connect's own function checks the relay access key (?key=, kept in Secrets Manager) and refuses the handshake without it; the relay then authorises frames itself: a Request must match the qrhash its target registered, and Transfer/Acknowledge pass only between paired connections.",
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
      const webSocketRoute = this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.name}Integration`, routeFunction.function),
      });
      grantRouteAccess(route, routeFunction.role, { table: props.table, stage: this.stage });
      if (route.readsRelayKey === true) {
        props.relayKey.grantRead(routeFunction.role);
        routeFunction.function.addEnvironment(RELAY_KEY_SECRET_ARN_ENV, props.relayKey.secretArn);
      }
      // The stage's RouteSettings name route keys that must exist when it is created.
      this.stage.node.addDependency(webSocketRoute);
      routeFunctions.set(route.routeKey, routeFunction);
    }
    this.routeFunctions = routeFunctions;
    applyRouteThrottles(this.stage, props.routeThrottles);
  }
}

/**
 * Sets the stage's per-route throttles. WebSocketStage only offers the default route settings,
 * so this writes `RouteSettings` on its CfnStage; each entry replaces the default for its route.
 */
function applyRouteThrottles(stage: WebSocketStage, throttles: ReadonlyMap<string, RouteThrottle>): void {
  if (throttles.size === 0) return;
  const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const [routeKey, throttle] of throttles) {
    routeSettings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
  }
  (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
}
