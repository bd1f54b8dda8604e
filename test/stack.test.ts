import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ROUTES, type RouteDefinition } from '../lambdas/routes';
import {
  CONNECTED_AT_ATTRIBUTE,
  CONNECTION_ID_ATTRIBUTE,
  EXPIRES_AT_ATTRIBUTE,
  QRHASH_ATTRIBUTE,
  QRHASH_INDEX_NAME,
  RELAY_KEY_SECRET_ARN_ENV,
  TABLE_NAME_ENV,
} from '../lambdas/relay/table-schema';
import {
  BanguinsRelayStack,
  type BanguinsRelayStackProps,
  ORIGIN_ACCESS_CONTROL_NAME_MAX_LENGTH,
  readRelayStackContext,
  StackConfigError,
  type WebHosting,
} from '../lib';
import { CONTENT_SECURITY_POLICY } from '../web/content-security-policy';

/** API Gateway abandons an integration after 29 s; a route function must finish well before. */
const API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS = 29;
const STAGE_NAME = 'test';
/** The stage name of a stack built without one. */
const STAGE_DEFAULT = 'dev';
const STACK_NAME = 'RelayUnderTest';

/**
 * The DynamoDB actions each handler's code calls (lambdas/adapters/dynamodb-connection-store.ts,
 * lambdas/relay/actions/*), written out here so a change to ROUTES that widens a role fails.
 */
const EXPECTED_TABLE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  $connect: ['dynamodb:PutItem'], // storeConnection: add
  $disconnect: ['dynamodb:DeleteItem'], // forgetConnection: remove
  $default: [],
  sendmessage: [],
  Connect: ['dynamodb:UpdateItem'], // registerQrHash
  // get the target, pair (TransactWriteItems of two Updates: per-item UpdateItem), remove a gone target,
  // find a rejoining peer on the qrhash index (findByQrHash)
  Request: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
  Transfer: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], // get the sender's pairings, remove a gone peer
  Acknowledge: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
};

/**
 * The stage throttles: the chunk path high, the session routes sized for 10,000 open connections
 * and a 2,000-client reconnect storm (docs/cost-and-throughput.md), the unused routes low.
 */
const EXPECTED_ROUTE_SETTINGS: Readonly<Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>> = {
  $connect: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
  $disconnect: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
  $default: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
  sendmessage: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
  Connect: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
  Request: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
  Transfer: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
  Acknowledge: { ThrottlingRateLimit: 250, ThrottlingBurstLimit: 500 },
};
const RATE_LIMIT = 42;
const BURST_LIMIT = 84;

// A synthesised template is untyped JSON; the tests read known paths of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TemplateJson = any;
type CfnResource = { Type: string; Properties: Record<string, TemplateJson>; DependsOn?: string[]; DeletionPolicy?: string };
type PolicyStatement = { Action: string | string[]; Effect: string; Resource: unknown };

const tempFolders: string[] = [];

function makeTempFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempFolders.push(folder);
  return folder;
}

/** A folder holding a stand-in for the built web page. */
function makeWebAssets(): string {
  const folder = makeTempFolder('banguins-web-');
  fs.writeFileSync(path.join(folder, 'index.html'), '<!doctype html><title>test page</title>');
  return folder;
}

/** An app that skips Lambda bundling, for tests that only read the template's shape. */
function appWithoutBundling(): App {
  return new App({
    outdir: makeTempFolder('banguins-cdk-'),
    context: { 'aws:cdk:bundling-stacks': [] },
    // Template checks are test/stack-nag.test.ts's job; here they only cost seconds per synth.
    builtinCloudFormationValidation: false,
  });
}

/** An app for tests that only read its context, in a folder of ours (a bare App makes a cdk.out* in the temp folder and leaves it). */
function appWithContext(props: { readonly context: Record<string, unknown> }): App {
  return new App({ outdir: makeTempFolder('banguins-cdk-'), ...props });
}

afterAll(() => {
  for (const folder of tempFolders) fs.rmSync(folder, { recursive: true, force: true });
});

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The stack's web hosting, which these tests expect it to have. */
function webOf(stack: BanguinsRelayStack): WebHosting {
  if (!stack.web) throw new Error('expected the stack to host the web page');
  return stack.web;
}

function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

describe('BanguinsRelayStack', () => {
  let app: App;
  let stack: BanguinsRelayStack;
  let template: Template;
  let resources: Record<string, CfnResource>;
  let apiId: string;
  let tableId: string;
  let secretId: string;

  /** The logical id of the function a route key's integration invokes. */
  function functionIdOfRoute(routeKey: string): string {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
    expect(routes).toHaveLength(1);
    const targetParts = routes[0]?.Properties.Target['Fn::Join'][1] as unknown[];
    const integrationId = (targetParts.find((part) => typeof part === 'object') as { Ref: string }).Ref;
    const integration = resources[integrationId];
    expect(integration?.Type).toBe('AWS::ApiGatewayV2::Integration');
    const uriParts = integration?.Properties.IntegrationUri['Fn::Join'][1] as unknown[];
    const getAtt = uriParts.find((part) => typeof part === 'object' && part !== null && 'Fn::GetAtt' in part) as { 'Fn::GetAtt': [string, string] };
    return getAtt['Fn::GetAtt'][0];
  }

  /** Every IAM statement attached to the role of a function. */
  function statementsOfFunction(functionId: string): PolicyStatement[] {
    const roleId = resources[functionId]?.Properties.Role['Fn::GetAtt'][0] as string;
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as PolicyStatement[]);
  }

  beforeAll(() => {
    // GIVEN the stack with a test stage and limits, bundled for real (once: bundling takes seconds)
    app = new App({ outdir: makeTempFolder('banguins-cdk-'), builtinCloudFormationValidation: false });
    stack = new BanguinsRelayStack(app, STACK_NAME, {
      webAssetPath: makeWebAssets(),
      stageName: STAGE_NAME,
      throttlingRateLimit: RATE_LIMIT,
      throttlingBurstLimit: BURST_LIMIT,
    });
    // WHEN it is synthesised
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Record<string, CfnResource>;
    apiId = logicalIdOf(stack.relay.api);
    tableId = logicalIdOf(stack.connections.table);
    secretId = logicalIdOf(stack.relayKey.secret);
  }, 180_000); // esbuild bundles eight functions, each through npx: ~30 s, more on a busy machine

  describe('WebSocket API', () => {
    test('THEN it is a WebSocket API routed on the frame\'s action field', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
    });

    test('THEN it has exactly one route per entry of ROUTES', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
    });

    test('THEN every route invokes a function of its own, and there is one function per route', () => {
      const functionIds = new Set(ROUTES.map((route) => functionIdOfRoute(route.routeKey)));
      expect(functionIds.size).toBe(ROUTES.length);
      const routeFunctions = template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { [TABLE_NAME_ENV]: Match.anyValue() } } },
      });
      expect(new Set(Object.keys(routeFunctions))).toEqual(functionIds);
    });
  });

  describe.each(ROUTES.map((route) => [route.routeKey, route] as [string, RouteDefinition]))('route %s', (routeKey, route) => {
    let functionId: string;
    let fn: CfnResource;

    beforeAll(() => {
      functionId = functionIdOfRoute(routeKey);
      fn = resources[functionId] as CfnResource;
    });

    test('THEN its function is the route construct built from its handler module', () => {
      const routeFunction = stack.relay.routeFunctions.get(routeKey);
      expect(routeFunction).toBeDefined();
      expect(logicalIdOf(routeFunction!.function)).toBe(functionId);
      expect(fn.Properties.Description).toContain(routeKey);
      expect(fn.Properties.Handler).toBe('index.handler');
    });

    test('THEN its function runs on Node.js 24 on ARM, 256 MB, with a timeout well under API Gateway\'s 29 s', () => {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.MemorySize).toBe(256);
      expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(3);
      expect(fn.Properties.Timeout).toBeLessThan(API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS / 2);
    });

    test(`THEN its function gets the table name, the Powertools service name, source-map stack traces${route.readsRelayKey ? ' and the relay key secret ARN' : ''}`, () => {
      expect(fn.Properties.Environment.Variables).toEqual({
        [TABLE_NAME_ENV]: { Ref: tableId },
        POWERTOOLS_SERVICE_NAME: 'banguins-relay',
        NODE_OPTIONS: '--enable-source-maps',
        ...(route.readsRelayKey ? { [RELAY_KEY_SECRET_ARN_ENV]: { Ref: secretId } } : {}),
      });
    });

    test('THEN its function logs JSON at INFO (no line per relayed chunk) and without Lambda\'s START/END/REPORT lines', () => {
      expect(fn.Properties.LoggingConfig).toEqual(expect.objectContaining({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' }));
    });

    test(`THEN its role may ${route.readsRelayKey ? '' : 'not '}read the relay key secret`, () => {
      const statements = statementsOfFunction(functionId).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      if (!route.readsRelayKey) {
        expect(statements).toEqual([]);
        return;
      }
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({ Effect: 'Allow', Resource: { Ref: secretId } });
      expect(actionsOf(statements[0] as PolicyStatement).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    });

    test('THEN its function was bundled locally by esbuild into minified code with a source map, from ESM entry points', () => {
      const assetHash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
      const assetDir = path.join(app.outdir, `asset.${assetHash}`);
      expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
      const code = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      expect(code).toContain('sourceMappingURL=index.js.map');
      // Minified: long lines, few of them.
      expect(code.split('\n').length).toBeLessThan(code.length / 200);
      // From the packages' ESM builds (ROUTE_BUNDLING's mainFields), which esbuild tree-shakes: ~405 KB, not ~605 KB.
      expect(fs.statSync(path.join(assetDir, 'index.js')).size).toBeLessThan(450 * 1024);
    });

    test('THEN its function logs to its own log group with a retention period', () => {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
    });

    test('THEN only API Gateway, from this API, may invoke its function', () => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }])] },
      });
    });

    test(`THEN its role may ${route.postsToConnections ? '' : 'not '}post to connections, and only of this API's stage`, () => {
      const statements = statementsOfFunction(functionId).filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
      if (!route.postsToConnections) {
        expect(statements).toEqual([]);
        return;
      }
      expect(statements).toHaveLength(1);
      const resource = JSON.stringify(statements[0]?.Resource);
      expect(resource).toContain(JSON.stringify({ Ref: apiId }));
      expect(resource).toContain(`/${STAGE_NAME}/*/@connections/*`);
    });

    test(`THEN its role may call exactly ${EXPECTED_TABLE_ACTIONS[routeKey]?.join(', ') || 'no DynamoDB action'}, on this table only (Query on its qrhash index only)`, () => {
      const statements = statementsOfFunction(functionId).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      for (const statement of statements) {
        if (actionsOf(statement).includes('dynamodb:Query')) {
          expect(actionsOf(statement)).toEqual(['dynamodb:Query']);
          expect(statement.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${QRHASH_INDEX_NAME}`]] });
        } else {
          expect(statement.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
        }
      }
      const actions = statements.flatMap(actionsOf).sort();
      expect(actions).toEqual([...(EXPECTED_TABLE_ACTIONS[routeKey] ?? ['unlisted route'])].sort());
    });

    test('THEN no statement of its role allows every resource', () => {
      for (const statement of statementsOfFunction(functionId)) {
        expect(statement.Resource).not.toEqual('*');
        expect(JSON.stringify(statement.Resource)).not.toMatch(/^"\*"$|\["\*"\]/);
      }
    });
  });

  describe('connections table', () => {
    test('THEN it is keyed by connection id, on demand, expires by TTL and has point-in-time recovery', () => {
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, KeyType: 'HASH' }],
        AttributeDefinitions: Match.arrayWith([{ AttributeName: CONNECTION_ID_ATTRIBUTE, AttributeType: 'S' }]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: EXPIRES_AT_ATTRIBUTE, Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      });
    });

    test('THEN it has a keys-only qrhash index sorted by connectedAt, for the rejoin lookup', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: QRHASH_ATTRIBUTE, AttributeType: 'S' },
          { AttributeName: CONNECTED_AT_ATTRIBUTE, AttributeType: 'N' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: QRHASH_INDEX_NAME,
            KeySchema: [
              { AttributeName: QRHASH_ATTRIBUTE, KeyType: 'HASH' },
              { AttributeName: CONNECTED_AT_ATTRIBUTE, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      });
    });

    test('THEN it has no fixed name and is deleted with the stack', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        Properties: Match.objectLike({ TableName: Match.absent() }),
        DeletionPolicy: 'Delete',
      });
    });
  });

  describe('stage', () => {
    test('THEN it is auto-deployed under the given name with the given throttling', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        ApiId: { Ref: apiId },
        StageName: STAGE_NAME,
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: RATE_LIMIT, ThrottlingBurstLimit: BURST_LIMIT },
      });
    });

    test('THEN the session routes hold 10,000 open connections keeping alive and a 2,000-client reconnect storm inside the 120 s window', () => {
      const settings = (Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource).Properties.RouteSettings as typeof EXPECTED_ROUTE_SETTINGS;
      const rate = (routeKey: string) => settings[routeKey]?.ThrottlingRateLimit ?? 0;
      const burst = (routeKey: string) => settings[routeKey]?.ThrottlingBurstLimit ?? 0;
      /** Seconds for `requests` on a route whose steady rate is partly taken by `busyPerSecond`. */
      const secondsFor = (routeKey: string, requests: number, busyPerSecond = 0) => Math.max(0, requests - burst(routeKey)) / (rate(routeKey) - busyPerSecond);
      // The client's keepalive: a Connect every 240 s (client/transport/relay-connection.ts); its
      // reconnect window: 120 s (SESSION_TIMING.peerTimeoutMs, client/tuning.ts).
      const keepalivesPerSecond = 10_000 / 240;
      expect(keepalivesPerSecond).toBeLessThanOrEqual(rate('Connect') / 2);
      // Each returning client: one handshake, one Connect, one Request (rejoin); each within a third of the window.
      expect(secondsFor('$connect', 2_000)).toBeLessThanOrEqual(40);
      expect(secondsFor('Request', 2_000)).toBeLessThanOrEqual(40);
      expect(secondsFor('Connect', 2_000, keepalivesPerSecond)).toBeLessThanOrEqual(40);
      expect(rate('$disconnect')).toBeGreaterThanOrEqual(rate('$connect'));
    });

    test('THEN each route has its own throttle: Transfer and Acknowledge high, the session routes middling, the unused routes low', () => {
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource;
      expect(stage.Properties.RouteSettings).toEqual(EXPECTED_ROUTE_SETTINGS);
      expect(Object.keys(stage.Properties.RouteSettings as object).sort()).toEqual(ROUTES.map((r) => r.routeKey).sort());
    });

    test('THEN the route throttles stay within the account\'s 10,000 requests/s and 5,000 burst, $connect within 500 connections/s', () => {
      const settings = Object.values(EXPECTED_ROUTE_SETTINGS);
      expect(settings.reduce((sum, s) => sum + s.ThrottlingRateLimit, 0)).toBeLessThanOrEqual(10_000);
      expect(settings.reduce((sum, s) => sum + s.ThrottlingBurstLimit, 0)).toBeLessThanOrEqual(5_000);
      expect(EXPECTED_ROUTE_SETTINGS.$connect?.ThrottlingRateLimit).toBeLessThanOrEqual(500);
    });

    test('THEN it is created after every route, which its RouteSettings name', () => {
      const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routeIds).toHaveLength(ROUTES.length);
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource;
      expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });

    test('THEN it writes JSON access logs with the request and connection ids to a log group with retention', () => {
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource;
      const { DestinationArn, Format } = stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
      expect(resources[DestinationArn['Fn::GetAtt'][0]]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(JSON.parse(Format)).toMatchObject({ requestId: '$context.requestId', connectionId: '$context.connectionId', routeKey: '$context.routeKey' });
    });

    test('THEN it is created after the account-level CloudWatch role that access logging needs, which is retained', () => {
      const accounts = template.findResources('AWS::ApiGateway::Account');
      const [accountId] = Object.keys(accounts);
      expect(Object.keys(accounts)).toHaveLength(1);
      template.hasResource('AWS::ApiGateway::Account', {
        Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: Match.arrayWith([accountId]) });
    });
  });

  describe('outputs', () => {
    test('THEN it outputs the wss URL of the stage', () => {
      template.hasOutput('RelayUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', { Ref: apiId }, `/${STAGE_NAME}`])] },
      });
    });

    test('THEN it outputs the https callback URL of the stage', () => {
      template.hasOutput('CallbackUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: apiId }, `/${STAGE_NAME}`])] },
      });
    });

    test('THEN it outputs the ARN of the relay key secret', () => {
      template.hasOutput('RelayKeySecretArn', { Value: { Ref: secretId } });
    });

    test('THEN it outputs the https URL of the web page', () => {
      template.hasOutput('WebUrl', {
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(webOf(stack).distribution), 'DomainName'] }]] },
      });
    });
  });

  describe('relay access key', () => {
    test('THEN one secret is generated at deploy: 40+ letters and digits, nothing a query string must escape', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      const secret = resources[secretId] as CfnResource;
      expect(secret.Type).toBe('AWS::SecretsManager::Secret');
      const generator = secret.Properties.GenerateSecretString as Record<string, unknown>;
      expect(generator).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false });
      expect(generator.PasswordLength).toBeGreaterThanOrEqual(40);
      expect(generator.SecretStringTemplate).toBeUndefined();
      expect(secret.Properties.Name).toBeUndefined();
    });

    test('THEN only the $connect role may read it', () => {
      const readers = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .filter((r) => (r.Properties.PolicyDocument.Statement as PolicyStatement[]).some(
          (s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')) || JSON.stringify(s.Resource).includes(secretId),
        ))
        .map((r) => r.Properties.Roles as unknown);
      const connectRoleId = resources[functionIdOfRoute('$connect')]?.Properties.Role['Fn::GetAtt'][0] as string;
      expect(readers).toEqual([[{ Ref: connectRoleId }]]);
      template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    });

    test('THEN only the $connect function is told where it is', () => {
      const told = Object.entries(template.findResources('AWS::Lambda::Function'))
        .filter(([, r]) => (r as CfnResource).Properties.Environment?.Variables?.[RELAY_KEY_SECRET_ARN_ENV] !== undefined)
        .map(([id]) => id);
      expect(told).toEqual([functionIdOfRoute('$connect')]);
    });
  });

  describe('least privilege', () => {
    test('THEN no role in the template may Scan, or use a DynamoDB wildcard, and only Request may Query', () => {
      const actions = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
        .flatMap((r) => [
          ...((r.Properties.PolicyDocument?.Statement ?? []) as PolicyStatement[]),
          ...((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[]).flatMap((p) => p.PolicyDocument.Statement),
        ])
        .flatMap(actionsOf);
      expect(actions.length).toBeGreaterThan(0);
      const dynamodbActions = actions.filter((a) => a.toLowerCase().startsWith('dynamodb:'));
      expect(dynamodbActions.length).toBeGreaterThan(0);
      expect(dynamodbActions.filter((a) => a.includes('*') || /scan|batch/i.test(a))).toEqual([]);
      expect(actions).not.toContain('*');
      const queryingFunctions = Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
        .filter(([id]) => statementsOfFunction(id).some((s) => actionsOf(s).includes('dynamodb:Query')))
        .map(([id]) => id);
      expect(queryingFunctions).toEqual([functionIdOfRoute('Request')]);
      expect(JSON.stringify(resources)).not.toContain('/index/*');
    });
  });

  describe('web hosting', () => {
    test('THEN the origin access control is named after the stack and the region, so a second region deploys', () => {
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: Match.objectLike({ Name: { 'Fn::Join': ['-', [STACK_NAME, { Ref: 'AWS::Region' }]] } }),
      });
    });

    test('THEN the bucket blocks all public access, is encrypted and is emptied and deleted with the stack', () => {
      template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          BucketName: Match.absent(),
        }),
        DeletionPolicy: 'Delete',
      });
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    });

    test('THEN the bucket policy refuses every request without TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalIdOf(webOf(stack).bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    test('THEN CloudFront reads the bucket through Origin Access Control and redirects HTTP to HTTPS', () => {
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultRootObject: 'index.html',
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
          Origins: [
            Match.objectLike({
              DomainName: { 'Fn::GetAtt': [logicalIdOf(webOf(stack).bucket), 'RegionalDomainName'] },
              OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
              S3OriginConfig: { OriginAccessIdentity: '' },
            }),
          ],
        }),
      });
    });

    test('THEN CloudFront serves the page with its Content-Security-Policy and the usual security headers', () => {
      const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
      const [policyId, policy] = Object.entries(policies)[0]!;
      const headers = (policy as { Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: Record<string, Record<string, unknown>> } } }).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      expect(headers.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true });
      expect(Object.keys(headers).sort()).toEqual(['ContentSecurityPolicy', 'ContentTypeOptions', 'FrameOptions', 'ReferrerPolicy', 'StrictTransportSecurity', 'XSSProtection']);
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: policyId } }) }),
      });
    });

    test('THEN the page and a config.json holding this stack\'s wss URL are deployed and the cache invalidated', () => {
      template.hasResourceProperties('Custom::CDKBucketDeployment', {
        DestinationBucketName: { Ref: logicalIdOf(webOf(stack).bucket) },
        DistributionId: { Ref: logicalIdOf(webOf(stack).distribution) },
        DistributionPaths: ['/*'],
        SourceObjectKeys: Match.arrayWith([Match.stringLikeRegexp('\\.zip$')]),
        // config.json's relayUrl is filled in at deploy time from the API id.
        SourceMarkers: Match.arrayWith([Match.objectLike({ '<<marker:0xbaba:0>>': { Ref: apiId } })]),
      });
    });
  });
});

describe('BanguinsRelayStack options', () => {
  let webAssetPath: string;

  beforeAll(() => {
    webAssetPath = makeWebAssets();
  });

  /** Builds a stack with `props` and returns the StackConfigError it threw. */
  function configErrorOf(props: Partial<BanguinsRelayStackProps>): StackConfigError {
    try {
      new BanguinsRelayStack(appWithoutBundling(), 'InvalidRelay', { webAssetPath, ...props });
    } catch (error) {
      if (error instanceof StackConfigError) return error;
      throw error;
    }
    throw new Error('expected the stack to reject its props');
  }

  test.each([
    ['has a space', 'my stage'],
    ['is empty', ''],
    ['has a slash', 'dev/1'],
    ['is too long', 'x'.repeat(129)],
  ])('GIVEN a stage name that %s WHEN the stack is built THEN it throws InvalidStageName', (_why, stageName) => {
    const error = configErrorOf({ stageName });
    expect(error.code).toBe('InvalidStageName');
    expect(error.message).toMatch(/Stage name ".*" is invalid: use 1 to 128 letters, digits, "-" or "_"/);
  });

  test.each([
    ['throttlingRateLimit', 0],
    ['throttlingRateLimit', -5],
    ['throttlingBurstLimit', 1.5],
    ['throttlingBurstLimit', Number.NaN],
  ])('GIVEN %s = %p WHEN the stack is built THEN it throws InvalidThrottlingLimit', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.code).toBe('InvalidThrottlingLimit');
    expect(error.message).toMatch(new RegExp(`^${name} must be a positive whole number`));
  });

  test('GIVEN a web folder without index.html WHEN the stack is built THEN it says to run npm run build:web', () => {
    const error = configErrorOf({ webAssetPath: path.join(webAssetPath, 'missing') });
    expect(error.code).toBe('WebAssetsMissing');
    expect(error.message).toMatch(/Run `npm run build:web` first\.$/);
  });

  test('GIVEN two routes with one route key WHEN the stack is built THEN it throws DuplicateRoute', () => {
    const first = ROUTES[0] as RouteDefinition;
    const error = configErrorOf({ routes: [first, { ...first, name: 'Again' }] });
    expect(error.code).toBe('DuplicateRoute');
    expect(error.message).toContain(first.routeKey);
  });

  test('GIVEN a route added to the route table WHEN the stack is built THEN it gets its own route and function', () => {
    // GIVEN
    const ping: RouteDefinition = { routeKey: 'Ping', name: 'Ping', entry: 'handlers/send-message.ts', postsToConnections: true, tableActions: [] };
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayWithPing', { webAssetPath, routes: [...ROUTES, ping] });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length + 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'Ping' });
    template.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 1 + 2 /* bucket deployment and auto-delete handlers */);
  });

  test('GIVEN a route without a throttle of its own WHEN the stack is built THEN the stage default throttle covers it', () => {
    const ping: RouteDefinition = { routeKey: 'Ping', name: 'Ping', entry: 'handlers/send-message.ts', postsToConnections: true, tableActions: [] };
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayPingDefault', { webAssetPath, routes: [...ROUTES, ping], throttlingRateLimit: 7, throttlingBurstLimit: 9 });
    const stage = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource;
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
    expect(Object.keys(stage.Properties.RouteSettings as object)).not.toContain('Ping');
    expect(Object.keys(stage.Properties.RouteSettings as object)).toHaveLength(ROUTES.length);
  });

  test('GIVEN a throttle override for Transfer WHEN the stack is built THEN only Transfer changes', () => {
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayFastTransfer', {
      webAssetPath,
      routeThrottles: { Transfer: { rateLimit: 3000, burstLimit: 4000 } },
    });
    const stage = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Stage'))[0] as CfnResource;
    expect(stage.Properties.RouteSettings).toMatchObject({
      Transfer: { ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 4000 },
      Acknowledge: { ThrottlingRateLimit: 250, ThrottlingBurstLimit: 500 },
      $connect: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  test('GIVEN a throttle for a route that does not exist WHEN the stack is built THEN it throws UnknownThrottleRoute naming the routes', () => {
    const error = configErrorOf({ routeThrottles: { Transfr: { rateLimit: 5, burstLimit: 5 } } });
    expect(error.code).toBe('UnknownThrottleRoute');
    expect(error.message).toMatch(/^Throttle for route "Transfr" names no route of the relay: use one of \$connect, .*Transfer/);
  });

  test.each([
    [0, 10],
    [10, -1],
    [1.5, 10],
  ])('GIVEN a Transfer throttle of %p/%p WHEN the stack is built THEN it throws InvalidThrottlingLimit', (rateLimit, burstLimit) => {
    const error = configErrorOf({ routeThrottles: { Transfer: { rateLimit, burstLimit } } });
    expect(error.code).toBe('InvalidThrottlingLimit');
    expect(error.message).toMatch(/limit of route "Transfer" must be a positive whole number/);
  });

  test('GIVEN the longest stack name CloudFormation allows WHEN the stack is built THEN the origin access control name fits 64 characters with any region', () => {
    const longName = `A${'b'.repeat(127)}`;
    const otherLongName = `A${'b'.repeat(126)}c`;
    const nameOf = (stackName: string) => {
      const stack = new BanguinsRelayStack(appWithoutBundling(), stackName, { webAssetPath });
      const oac = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::OriginAccessControl'))[0] as CfnResource;
      return oac.Properties.OriginAccessControlConfig.Name as { 'Fn::Join': [string, [string, { Ref: string }]] };
    };
    const name = nameOf(longName);
    const [delimiter, [prefix, region]] = name['Fn::Join'];
    expect(region).toEqual({ Ref: 'AWS::Region' });
    // The longest region names today are 14 characters (ap-southeast-5, eusc-de-east-1).
    expect(prefix.length + delimiter.length + 'ap-southeast-5'.length).toBeLessThanOrEqual(ORIGIN_ACCESS_CONTROL_NAME_MAX_LENGTH);
    expect(prefix.length + delimiter.length + 20).toBeLessThanOrEqual(ORIGIN_ACCESS_CONTROL_NAME_MAX_LENGTH);
    expect(nameOf(otherLongName)['Fn::Join'][1][0]).not.toBe(prefix);
  });

  test('GIVEN throttles in cdk.json and on the command line WHEN the context is read THEN -c throttle.<route> wins over the object', () => {
    const app = appWithContext({
      context: { throttle: { Transfer: '500/900', Acknowledge: '60/120' }, 'throttle.Transfer': '2000/4000', 'throttle.$connect': ' 5 / 8 ' },
    });
    expect(readRelayStackContext(app.node).routeThrottles).toEqual({
      Transfer: { rateLimit: 2000, burstLimit: 4000 },
      Acknowledge: { rateLimit: 60, burstLimit: 120 },
      $connect: { rateLimit: 5, burstLimit: 8 },
    });
  });

  test('GIVEN the throttle object as one -c JSON string WHEN the context is read THEN it is parsed', () => {
    const app = appWithContext({ context: { throttle: '{"Transfer":"700/800"}' } });
    expect(readRelayStackContext(app.node).routeThrottles).toEqual({ Transfer: { rateLimit: 700, burstLimit: 800 } });
  });

  test.each([
    ['throttle.Transfer', 'fast'],
    ['throttle.Transfer', '1000'],
    ['throttle.Transfer', '1000/2000/3000'],
    ['throttle.Transfer', '-1/5'],
    ['throttle.Transfer', 1000],
  ])('GIVEN %s=%p in context WHEN the context is read THEN it throws InvalidContextValue with an example', (key, value) => {
    const app = appWithContext({ context: { [key]: value } });
    expect(() => readRelayStackContext(app.node)).toThrow(
      expect.objectContaining({
        code: 'InvalidContextValue',
        message: `Context value ${key}=${JSON.stringify(value)} is invalid: expected RATE/BURST, two whole numbers of requests per second (e.g. -c ${key}=1000/2000).`,
      }),
    );
  });

  test('GIVEN a throttle context that is not an object WHEN the context is read THEN it throws InvalidContextValue', () => {
    const app = appWithContext({ context: { throttle: 'Transfer=1000/2000' } });
    expect(() => readRelayStackContext(app.node)).toThrow(expect.objectContaining({ code: 'InvalidContextValue', message: expect.stringMatching(/^Context value throttle="Transfer=1000\/2000" is invalid: expected an object/) }));
  });

  test('GIVEN account logging turned off WHEN the stack is built THEN it leaves the account-level CloudWatch role alone', () => {
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayNoAccount', { webAssetPath, configureApiGatewayAccountLogging: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ Format: Match.anyValue() }) });
  });

  test('GIVEN web: false WHEN the stack is built THEN it is the relay alone: no bucket, no CloudFront, no page deployment, no WebUrl', () => {
    // No built page needed either: the folder is never read.
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayAlone', { webAssetPath: path.join(webAssetPath, 'missing'), web: false });
    const template = Template.fromStack(stack);
    expect(stack.web).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['CallbackUrl', 'ConnectionsTableName', 'RelayKeySecretArn', 'RelayUrl']);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
  });

  test.each([
    ['-c web=false', 'false', false],
    ['"web": false in cdk.json', false, false],
    ['-c web=true', 'true', true],
  ])('GIVEN %s WHEN the context is read THEN web is %p', (_how, value, web) => {
    expect(readRelayStackContext(appWithContext({ context: { web: value } }).node).web).toBe(web);
  });

  test('GIVEN web=no WHEN the context is read THEN it throws InvalidContextValue', () => {
    expect(() => readRelayStackContext(appWithContext({ context: { web: 'no' } }).node)).toThrow(
      expect.objectContaining({ code: 'InvalidContextValue', message: 'Context value web="no" is invalid: expected true or false.' }),
    );
  });

  test('GIVEN no alarmEmail and no budgetUsd WHEN the stack is built THEN it has no alarm, topic or budget', () => {
    const template = Template.fromStack(new BanguinsRelayStack(appWithoutBundling(), 'RelayQuiet', { webAssetPath }));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::Budgets::Budget', 0);
  });

  describe('GIVEN alarmEmail and budgetUsd WHEN the stack is built', () => {
    const EMAIL = 'owner@example.com';
    let stack: BanguinsRelayStack;
    let template: Template;

    beforeAll(() => {
      stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayWatched', { webAssetPath, alarmEmail: EMAIL, budgetUsd: 25 });
      template = Template.fromStack(stack);
    });

    /** The metrics an alarm's math expression sums, as [namespace, metric name, dimensions]. */
    function summedMetrics(alarmLogicalId: string): [string, string, Record<string, unknown>][] {
      const alarm = template.toJSON().Resources[alarmLogicalId] as CfnResource;
      const queries = alarm.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string } }[];
      const expression = queries.find((query) => query.Expression !== undefined);
      const stats = queries.filter((query) => query.MetricStat !== undefined);
      expect(expression?.Expression).toBe(stats.map((query) => query.Id).join(' + '));
      return stats.map((query) => {
        expect(query.MetricStat?.Stat).toBe('Sum');
        const metric = query.MetricStat!.Metric;
        return [metric.Namespace, metric.MetricName, Object.fromEntries(metric.Dimensions.map((d) => [d.Name, d.Value]))];
      });
    }

    test('THEN an SNS topic that refuses publishers without TLS e-mails the address', () => {
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: EMAIL, TopicArn: { Ref: logicalIdOf(stack.alarms!.topic) } });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('THEN three alarms notify the topic: API errors, route function throttles, route function errors', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
      for (const alarm of [stack.alarms!.apiErrors, stack.alarms!.lambdaThrottles, stack.alarms!.lambdaErrors]) {
        const properties = (template.toJSON().Resources[logicalIdOf(alarm)] as CfnResource).Properties;
        expect(properties.AlarmActions).toEqual([{ Ref: logicalIdOf(stack.alarms!.topic) }]);
        expect(properties.TreatMissingData).toBe('notBreaching');
      }
    });

    test('THEN the API errors alarm sums IntegrationError and ExecutionError of this API\'s stage', () => {
      const dimensions = { ApiId: { Ref: logicalIdOf(stack.relay.api) }, Stage: STAGE_DEFAULT };
      expect(summedMetrics(logicalIdOf(stack.alarms!.apiErrors))).toEqual([
        ['AWS/ApiGateway', 'IntegrationError', dimensions],
        ['AWS/ApiGateway', 'ExecutionError', dimensions],
      ]);
    });

    test.each([
      ['lambdaThrottles', 'Throttles', 1],
      ['lambdaErrors', 'Errors', 5],
    ] as const)('THEN the %s alarm sums %s of every route function, at %p or more in 5 minutes', (name, metricName, threshold) => {
      const alarm = stack.alarms![name];
      const functionIds = [...stack.relay.routeFunctions.values()].map((routeFunction) => ({ Ref: logicalIdOf(routeFunction.function) }));
      expect(summedMetrics(logicalIdOf(alarm))).toEqual(functionIds.map((id) => ['AWS/Lambda', metricName, { FunctionName: id }]));
      expect((template.toJSON().Resources[logicalIdOf(alarm)] as CfnResource).Properties.Threshold).toBe(threshold);
    });

    test('THEN a monthly cost budget of that many dollars e-mails the address at 80% actual and 100% forecast', () => {
      template.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 25, Unit: 'USD' } },
        NotificationsWithSubscribers: [
          { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: EMAIL }] },
          { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: EMAIL }] },
        ],
      });
    });
  });

  test('GIVEN alarmEmail alone WHEN the stack is built THEN it has the alarms but no budget', () => {
    const template = Template.fromStack(new BanguinsRelayStack(appWithoutBundling(), 'RelayAlarmsOnly', { webAssetPath, alarmEmail: 'a@example.org' }));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourceCountIs('AWS::Budgets::Budget', 0);
  });

  test.each([
    [{ budgetUsd: 20 }, 'BudgetNeedsEmail', 'A budget tells nobody without an address: add -c alarmEmail=you@example.com to -c budgetUsd.'],
    [{ budgetUsd: 0, alarmEmail: 'a@example.org' }, 'InvalidBudget', 'budgetUsd must be a positive number of US dollars a month, got 0 (e.g. -c budgetUsd=20).'],
    [{ alarmEmail: 'not an address' }, 'InvalidAlarmEmail', 'alarmEmail "not an address" is not an e-mail address (e.g. -c alarmEmail=you@example.com).'],
  ])('GIVEN %p WHEN the stack is built THEN it throws %s', (props, code, message) => {
    const error = configErrorOf(props);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  test('GIVEN -c budgetUsd=20 -c alarmEmail=… WHEN the context is read THEN they become stack options', () => {
    const context = readRelayStackContext(appWithContext({ context: { budgetUsd: '20', alarmEmail: 'owner@example.com' } }).node);
    expect(context.budgetUsd).toBe(20);
    expect(context.alarmEmail).toBe('owner@example.com');
  });

  test('GIVEN -c values as strings WHEN the context is read THEN they become typed stack options', () => {
    const app = appWithContext({ context: { stage: 'prod', throttlingRateLimit: '50', throttlingBurstLimit: 75, apiGatewayAccountLogging: 'false' } });
    expect(readRelayStackContext(app.node)).toEqual({
      stageName: 'prod',
      throttlingRateLimit: 50,
      throttlingBurstLimit: 75,
      configureApiGatewayAccountLogging: false,
    });
  });

  test.each([
    ['-c iceServers as one comma-separated string', 'stun:stun.example.org:3478, turn:turn.example.org?transport=tcp', ['stun:stun.example.org:3478', 'turn:turn.example.org?transport=tcp']],
    ['a list in cdk.json', ['stuns:stun.example.org'], ['stuns:stun.example.org']],
  ])('GIVEN %s WHEN the stack is built THEN the page\'s config.json lists those ICE servers', (_how, value, urls) => {
    const context = readRelayStackContext(appWithContext({ context: { iceServers: value } }).node);
    expect(context.iceServerUrls).toEqual(urls);
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayWithStun', { webAssetPath, iceServerUrls: context.iceServerUrls });
    expect(webOf(stack).config.iceServers).toEqual(urls.map((url) => ({ urls: url })));
  });

  test('GIVEN no ICE servers WHEN the stack is built THEN config.json has none (host candidates only)', () => {
    const stack = new BanguinsRelayStack(appWithoutBundling(), 'RelayNoStun', { webAssetPath });
    expect(webOf(stack).config).not.toHaveProperty('iceServers');
  });

  test.each([
    ['an https URL', 'https://stun.example.org'],
    ['a URL with credentials', 'turn:user:secret@turn.example.org'],
    ['a list holding a number', ['stun:ok.example', 7]],
  ])('GIVEN iceServers holding %s WHEN the context is read THEN it throws InvalidContextValue', (_what, value) => {
    const app = appWithContext({ context: { iceServers: value } });
    expect(() => readRelayStackContext(app.node)).toThrow(expect.objectContaining({ code: 'InvalidContextValue', message: expect.stringMatching(/^Context value iceServers=.* is invalid: expected stun: or turn: URLs/) }));
  });

  test('GIVEN a bad ICE server in the props WHEN the stack is built THEN it throws InvalidIceServer', () => {
    const error = configErrorOf({ iceServerUrls: ['stun:ok.example', 'javascript:alert(1)'] });
    expect(error.code).toBe('InvalidIceServer');
    expect(error.message).toBe('ICE server "javascript:alert(1)" is invalid: expected a stun: or turn: URL such as stun:stun.example.org:3478.');
  });

  test('GIVEN a non-numeric throttling limit in context WHEN the context is read THEN it throws InvalidContextValue', () => {
    const app = appWithContext({ context: { throttlingRateLimit: 'fast' } });
    expect(() => readRelayStackContext(app.node)).toThrow(
      expect.objectContaining({ code: 'InvalidContextValue', message: 'Context value throttlingRateLimit="fast" is invalid: expected a number.' }),
    );
  });
});
