import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { RouteDefinition } from '../lambdas/routes';
import { resolveRouteThrottles, type RouteThrottle } from './route-throttles';
import { StackConfigError } from './stack-config-error';
import { isIceServerUrl } from '../client/direct/ice-servers';

/** The stage name when none is given. */
export const DEFAULT_STAGE_NAME = 'dev';
/** The stage's default route throttle (routes without their own), steady requests per second. */
const DEFAULT_THROTTLING_RATE_LIMIT = 10;
/** The stage's default route throttle (routes without their own), burst. */
const DEFAULT_THROTTLING_BURST_LIMIT = 20;

/** API Gateway stage names: letters, digits, `-` and `_`, at most 128 characters. */
const STAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** An e-mail address, loosely: something@domain.tld, no spaces. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Options of {@link BanguinsRelayStack}. */
export interface BanguinsRelayStackProps extends StackProps {
  /** A folder holding the built web page, with an index.html (`npm run build:web` makes `dist/web`). */
  readonly webAssetPath: string;
  /**
   * The WebSocket stage name, the last segment of the wss URL.
   * @default 'dev'
   */
  readonly stageName?: string;
  /**
   * The stage's default route throttle, steady requests per second: it applies to every route
   * without a throttle of its own (in route-throttles.ts or `routeThrottles`).
   * @default 10
   */
  readonly throttlingRateLimit?: number;
  /**
   * The stage's default route throttle, burst.
   * @default 20
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Per-route throttles by route key, replacing the route's own default (route-throttles.ts)
   * (`-c throttle.Transfer=2000/4000`).
   * @default each route's default throttle in route-throttles.ts
   */
  readonly routeThrottles?: Readonly<Record<string, RouteThrottle>>;
  /**
   * How long access logs and function logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Whether the stack sets API Gateway's account-level CloudWatch role, which access logging
   * needs. Turn it off where the account's platform team already manages that setting.
   * @default true
   */
  readonly configureApiGatewayAccountLogging?: boolean;
  /**
   * The routes to serve.
   * @default ROUTES from lambdas/routes.ts
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * STUN/TURN server URLs the page uses for its direct path (written to its config.json, so anyone
   * can read them: no TURN credentials) (`-c iceServers=stun:stun.example.org:3478`).
   * @default none: the page meets its peer by host candidates only (devices on one network)
   */
  readonly iceServerUrls?: readonly string[];
  /**
   * Whether to host the web page (S3 bucket, CloudFront, `WebUrl`). Off (`-c web=false`), the
   * stack is the relay alone: for an account where CloudFront is refused until it is verified, or
   * when only the CLI is used. `webAssetPath` is then not read.
   * @default true
   */
  readonly web?: boolean;
  /**
   * A monthly AWS Budgets cost budget for the account, in US dollars (`-c budgetUsd=20`): an e-mail
   * to `alarmEmail` at 80% of it and when the month's forecast passes it. Needs `alarmEmail`.
   * @default no budget
   */
  readonly budgetUsd?: number;
  /**
   * Where the budget and the CloudWatch alarms (API 5xx, Lambda throttles and errors) send e-mail
   * (`-c alarmEmail=you@example.com`; AWS asks the address to confirm the alarms' subscription).
   * @default no alarms and no budget
   */
  readonly alarmEmail?: string;
}

/** The stack's options with every default applied and every value checked. */
export interface ResolvedRelayStackProps {
  readonly webAssetPath: string;
  readonly stageName: string;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  /** The throttle of each route that has one, by route key. */
  readonly routeThrottles: ReadonlyMap<string, RouteThrottle>;
  readonly logRetention: RetentionDays;
  readonly configureApiGatewayAccountLogging: boolean;
  readonly routes: readonly RouteDefinition[];
  readonly iceServerUrls: readonly string[];
  readonly web: boolean;
  readonly budgetUsd: number | undefined;
  readonly alarmEmail: string | undefined;
}

/**
 * Applies the defaults and checks every option, throwing a {@link StackConfigError} that says
 * what is wrong and how to fix it.
 */
export function resolveRelayStackProps(
  props: BanguinsRelayStackProps,
  defaultRoutes: readonly RouteDefinition[],
): ResolvedRelayStackProps {
  const stageName = props.stageName ?? DEFAULT_STAGE_NAME;
  if (!STAGE_NAME_PATTERN.test(stageName)) {
    throw new StackConfigError(
      'InvalidStageName',
      `Stage name "${stageName}" is invalid: use 1 to 128 letters, digits, "-" or "_" (e.g. -c stage=dev).`,
    );
  }
  const throttlingRateLimit = props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT;
  const throttlingBurstLimit = props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT;
  checkPositiveInteger('throttlingRateLimit', throttlingRateLimit);
  checkPositiveInteger('throttlingBurstLimit', throttlingBurstLimit);

  const routes = props.routes ?? defaultRoutes;
  if (routes.length === 0) {
    throw new StackConfigError('NoRoutes', 'The relay needs at least one route; none were given.');
  }
  const routeKeys = new Set<string>();
  const routeNames = new Set<string>();
  for (const route of routes) {
    if (routeKeys.has(route.routeKey) || routeNames.has(route.name)) {
      throw new StackConfigError(
        'DuplicateRoute',
        `Route "${route.routeKey}" (${route.name}) is defined twice: route keys and names must be unique.`,
      );
    }
    routeKeys.add(route.routeKey);
    routeNames.add(route.name);
  }

  const routeThrottles = resolveRouteThrottles(routes, props.routeThrottles);

  const iceServerUrls = props.iceServerUrls ?? [];
  const badUrl = iceServerUrls.find((url) => !isIceServerUrl(url));
  if (badUrl !== undefined) {
    throw new StackConfigError('InvalidIceServer', `ICE server ${JSON.stringify(badUrl)} is invalid: expected a stun: or turn: URL such as stun:stun.example.org:3478.`);
  }

  const { budgetUsd, alarmEmail } = props;
  if (budgetUsd !== undefined && !(Number.isFinite(budgetUsd) && budgetUsd > 0)) {
    throw new StackConfigError('InvalidBudget', `budgetUsd must be a positive number of US dollars a month, got ${String(budgetUsd)} (e.g. -c budgetUsd=20).`);
  }
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) {
    throw new StackConfigError('InvalidAlarmEmail', `alarmEmail ${JSON.stringify(alarmEmail)} is not an e-mail address (e.g. -c alarmEmail=you@example.com).`);
  }
  if (budgetUsd !== undefined && alarmEmail === undefined) {
    throw new StackConfigError('BudgetNeedsEmail', 'A budget tells nobody without an address: add -c alarmEmail=you@example.com to -c budgetUsd.');
  }

  const web = props.web ?? true;
  if (web) checkWebAssets(props.webAssetPath);
  return {
    webAssetPath: props.webAssetPath,
    stageName,
    throttlingRateLimit,
    throttlingBurstLimit,
    routeThrottles,
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    configureApiGatewayAccountLogging: props.configureApiGatewayAccountLogging ?? true,
    routes,
    iceServerUrls,
    web,
    budgetUsd,
    alarmEmail,
  };
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StackConfigError(
      'InvalidThrottlingLimit',
      `${name} must be a positive whole number of requests per second, got ${String(value)} (e.g. -c ${name}=100).`,
    );
  }
}

function checkWebAssets(webAssetPath: string): void {
  const indexHtml = path.join(webAssetPath, 'index.html');
  if (!fs.existsSync(indexHtml)) {
    throw new StackConfigError(
      'WebAssetsMissing',
      `The web page is not built: ${indexHtml} does not exist. Run \`npm run build:web\` first.`,
    );
  }
}
