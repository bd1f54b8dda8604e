import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

/** The environment variable that carries the shared DynamoDB Local endpoint to every test worker. */
export const TEST_DYNAMODB_ENDPOINT_ENV = 'BANGUINS_TEST_DYNAMODB_ENDPOINT';

/** Where globalSetup leaves the running DynamoDB Local for globalTeardown (same parent process). */
export const DYNAMODB_LOCAL_GLOBAL = '__banguinsDynamoDbLocal';

/**
 * Jest global setup: starts ONE DynamoDB Local (in memory, free port) for the whole run and exports
 * its endpoint in BANGUINS_TEST_DYNAMODB_ENDPOINT, which the workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamoDbLocal = await startDynamoDbLocal();
  (globalThis as Record<string, unknown>)[DYNAMODB_LOCAL_GLOBAL] = dynamoDbLocal satisfies DynamoDbLocal;
  process.env[TEST_DYNAMODB_ENDPOINT_ENV] = dynamoDbLocal.endpoint;
}
