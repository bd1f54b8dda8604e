import { randomUUID } from 'node:crypto';
import { startLocalRelay, type LocalRelay, type LocalRelayOptions } from '../../local/local-relay';
import { TEST_DYNAMODB_ENDPOINT_ENV } from './global-setup';

/** The shared DynamoDB Local of this jest run (started by global-setup.ts). */
export function testDynamoDbEndpoint(): string {
  const endpoint = process.env[TEST_DYNAMODB_ENDPOINT_ENV];
  if (!endpoint) {
    throw new Error(`${TEST_DYNAMODB_ENDPOINT_ENV} is not set: run the tests with jest, whose globalSetup starts DynamoDB Local`);
  }
  return endpoint;
}

/**
 * A local relay on a free port over the run's shared DynamoDB Local, with a table of its own and
 * no logging (relay or handlers); the caller closes it.
 */
export function startTestRelay(options: LocalRelayOptions = {}): Promise<LocalRelay> {
  return startLocalRelay({
    port: 0,
    dynamodbEndpoint: testDynamoDbEndpoint(),
    tableName: `banguins-test-${randomUUID()}`,
    handlerLogLevel: 'SILENT',
    ...options,
  });
}
