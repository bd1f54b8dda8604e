import type { Node } from 'constructs';
import { readThrottleContext, type RouteThrottle } from './route-throttles';
import { StackConfigError } from './stack-config-error';
import { isIceServerUrl } from '../client/direct/ice-servers';

/** The stack options that `cdk.json` context or `-c key=value` may set. */
export interface RelayStackContext {
  /** `-c stage=NAME`. */
  readonly stageName?: string;
  /** `-c throttlingRateLimit=N`. */
  readonly throttlingRateLimit?: number;
  /** `-c throttlingBurstLimit=N`. */
  readonly throttlingBurstLimit?: number;
  /** `-c apiGatewayAccountLogging=false` leaves API Gateway's account CloudWatch role alone. */
  readonly configureApiGatewayAccountLogging?: boolean;
  /** `-c throttle.Transfer=RATE/BURST`, or `"throttle": {"Transfer": "RATE/BURST"}` in cdk.json. */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /** `-c iceServers=stun:a.example:3478,stun:b.example`, or a list in cdk.json: the page's STUN/TURN servers. */
  readonly iceServerUrls?: readonly string[];
  /** `-c web=false` deploys the relay alone: no bucket, no CloudFront, no WebUrl. */
  readonly web?: boolean;
  /** `-c budgetUsd=20`: a monthly cost budget, e-mailing `alarmEmail`. */
  readonly budgetUsd?: number;
  /** `-c alarmEmail=you@example.com`: where the budget and the CloudWatch alarms send e-mail. */
  readonly alarmEmail?: string;
}

/**
 * Reads the stack options from CDK context. `-c` values arrive as strings and cdk.json
 * values as JSON, so both `100` and `"100"` are accepted; anything else is a clear error.
 */
export function readRelayStackContext(node: Node): RelayStackContext {
  return {
    stageName: optionalString(node, 'stage'),
    throttlingRateLimit: optionalNumber(node, 'throttlingRateLimit'),
    throttlingBurstLimit: optionalNumber(node, 'throttlingBurstLimit'),
    configureApiGatewayAccountLogging: optionalBoolean(node, 'apiGatewayAccountLogging'),
    routeThrottles: optionalThrottles(node),
    iceServerUrls: optionalIceServerUrls(node),
    web: optionalBoolean(node, 'web'),
    budgetUsd: optionalNumber(node, 'budgetUsd'),
    alarmEmail: optionalString(node, 'alarmEmail'),
  };
}

function optionalThrottles(node: Node): Record<string, RouteThrottle> | undefined {
  const throttles = readThrottleContext(node.getAllContext() as Record<string, unknown>);
  return Object.keys(throttles).length > 0 ? throttles : undefined;
}

function optionalIceServerUrls(node: Node): string[] | undefined {
  const raw: unknown = node.tryGetContext('iceServers');
  if (raw === undefined) return undefined;
  const urls = typeof raw === 'string' ? raw.split(',').map((url) => url.trim()).filter((url) => url !== '') : raw;
  if (!Array.isArray(urls) || !urls.every(isIceServerUrl)) {
    throw invalid('iceServers', raw, 'stun: or turn: URLs, comma-separated (e.g. -c iceServers=stun:stun.example.org:3478)');
  }
  return urls;
}

function optionalString(node: Node, key: string): string | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(key, raw, 'a text value');
  return raw;
}

function optionalNumber(node: Node, key: string): number | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  throw invalid(key, raw, 'a number');
}

function optionalBoolean(node: Node, key: string): boolean | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw invalid(key, raw, 'true or false');
}

function invalid(key: string, raw: unknown, expected: string): StackConfigError {
  return new StackConfigError('InvalidContextValue', `Context value ${key}=${JSON.stringify(raw)} is invalid: expected ${expected}.`);
}
