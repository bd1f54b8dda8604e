import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type RouteDefinition, routeEntryPath } from '../lambdas/routes';
import { TABLE_NAME_ENV } from '../lambdas/relay/table-schema';
import { ROUTE_BUNDLING, ROUTE_NODE_OPTIONS } from './route-bundling';

/** The project root: the bundler's working folder and where package-lock.json lives. */
const PROJECT_ROOT = path.join(__dirname, '..');

/** Lambda's limit for a route handler; API Gateway gives up on an integration after 29 s. */
const ROUTE_FUNCTION_TIMEOUT = Duration.seconds(10);

/** The Node.js runtime of every route function: the newest that aws-cdk-lib and Lambda offer. */
const ROUTE_FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** The Powertools service name every route function logs under. */
const POWERTOOLS_SERVICE_NAME = 'banguins-relay';

/** Options of {@link RouteFunction}. */
export interface RouteFunctionProps {
  /** The route whose handler module this function runs. */
  readonly route: RouteDefinition;
  /** The connections table's name, handed to the handler in `BANGUINS_TABLE_NAME`. */
  readonly tableName: string;
  /**
   * How long the function's log group keeps its logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * One route's Lambda function: its handler module bundled locally by esbuild (no Docker;
 * ROUTE_BUNDLING: ESM entry points, minified, a source map), on ARM, with its own log group and a
 * role that may only write to that log group. Callers add table and `@connections` access through grants.
 */
export class RouteFunction extends Construct {
  /** The function API Gateway invokes for the route. */
  readonly function: NodejsFunction;
  /** The function's log group. */
  readonly logGroup: LogGroup;
  /** The function's execution role; grants add to it. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to
    // every log group in the account, this one only to the function's own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Banguins relay's ${props.route.routeKey} route`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: routeEntryPath(props.route),
      handler: 'handler',
      description: `Banguins relay: ${props.route.routeKey} route`,
      runtime: ROUTE_FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: ROUTE_FUNCTION_TIMEOUT,
      memorySize: 256,
      role: this.role,
      logGroup: this.logGroup,
      // Lambda's own log level controls (Powertools follows AWS_LAMBDA_LOG_LEVEL, which they set):
      // INFO writes no line per relayed chunk or ack (define-route.ts logs those at DEBUG), and WARN
      // drops Lambda's START/END/REPORT lines; together ~$0.015 of CloudWatch Logs per GB moved.
      // Set the application log level to DEBUG on one function to see every chunk.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        [TABLE_NAME_ENV]: props.tableName,
        POWERTOOLS_SERVICE_NAME,
        NODE_OPTIONS: ROUTE_NODE_OPTIONS,
      },
      bundling: { ...ROUTE_BUNDLING, mainFields: [...ROUTE_BUNDLING.mainFields] },
    });
  }
}
