import { iceServersOf } from '../client/direct/ice-servers';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ROUTES } from '../lambdas/routes';
import { ApiGatewayAccountLogging } from './api-gateway-account-logging';
import { type BanguinsRelayStackProps, resolveRelayStackProps } from './banguins-relay-stack-props';
import { ConnectionsTable } from './connections-table';
import { MonthlyBudget } from './monthly-budget';
import { RelayAccessKey } from './relay-access-key';
import { RelayAlarms } from './relay-alarms';
import { WebHosting } from './web-hosting';
import { WebSocketRelayApi } from './websocket-relay-api';

/**
 * The whole Banguins relay: the WebSocket API with one function per route in ROUTES, the
 * connections table, the relay access key's secret, and (unless `web: false`) the web page on CloudFront. No fixed physical names, so it deploys
 * any number of times into one account.
 */
export class BanguinsRelayStack extends Stack {
  /** The connections table. */
  readonly connections: ConnectionsTable;
  /** The relay access key's secret, read by `$connect`. */
  readonly relayKey: RelayAccessKey;
  /** The WebSocket API, its stage and its route functions. */
  readonly relay: WebSocketRelayApi;
  /** The web page's bucket and distribution; undefined with `web: false` (`-c web=false`). */
  readonly web: WebHosting | undefined;
  /** The CloudWatch alarms and their e-mail topic; only with `alarmEmail`. */
  readonly alarms: RelayAlarms | undefined;
  /** The monthly cost budget; only with `budgetUsd`. */
  readonly budget: MonthlyBudget | undefined;

  constructor(scope: Construct, id: string, props: BanguinsRelayStackProps) {
    const resolved = resolveRelayStackProps(props, ROUTES);
    super(scope, id, {
      description: 'Banguins relay: a WebSocket relay that sends a file between two devices paired by QR code',
      ...props,
    });

    this.connections = new ConnectionsTable(this, 'Connections');
    this.relayKey = new RelayAccessKey(this, 'RelayKey');
    this.relay = new WebSocketRelayApi(this, 'Relay', {
      routes: resolved.routes,
      table: this.connections.table,
      stageName: resolved.stageName,
      throttlingRateLimit: resolved.throttlingRateLimit,
      throttlingBurstLimit: resolved.throttlingBurstLimit,
      routeThrottles: resolved.routeThrottles,
      relayKey: this.relayKey,
      logRetention: resolved.logRetention,
    });
    if (resolved.configureApiGatewayAccountLogging) {
      const accountLogging = new ApiGatewayAccountLogging(this, 'ApiGatewayAccountLogging');
      this.relay.stage.node.addDependency(accountLogging.account);
    }
    this.alarms = resolved.alarmEmail
      ? new RelayAlarms(this, 'Alarms', {
          apiId: this.relay.api.apiId,
          stageName: this.relay.stage.stageName,
          functions: [...this.relay.routeFunctions.values()].map((routeFunction) => routeFunction.function),
          email: resolved.alarmEmail,
        })
      : undefined;
    this.budget =
      resolved.budgetUsd !== undefined && resolved.alarmEmail
        ? new MonthlyBudget(this, 'Budget', { limitUsd: resolved.budgetUsd, email: resolved.alarmEmail })
        : undefined;
    this.web = resolved.web
      ? new WebHosting(this, 'Web', {
          webAssetPath: resolved.webAssetPath,
          config: { relayUrl: this.relay.stage.url, ...(resolved.iceServerUrls.length > 0 ? { iceServers: iceServersOf(resolved.iceServerUrls) } : {}) },
        })
      : undefined;

    new CfnOutput(this, 'RelayUrl', {
      description: 'The relay WebSocket URL: wscat -c <this>',
      value: this.relay.stage.url,
    });
    new CfnOutput(this, 'CallbackUrl', {
      description: 'The @connections endpoint the route functions post to',
      value: this.relay.stage.callbackUrl,
    });
    if (this.web) {
      new CfnOutput(this, 'WebUrl', {
        description: 'The web page: open it to send or receive a file',
        value: this.web.url,
      });
    }
    new CfnOutput(this, 'RelayKeySecretArn', {
      description: 'The secret holding the relay access key: aws secretsmanager get-secret-value --secret-id <this>',
      value: this.relayKey.secretArn,
    });
    new CfnOutput(this, 'ConnectionsTableName', {
      description: 'The DynamoDB table of open connections',
      value: this.connections.table.tableName,
    });
  }
}
