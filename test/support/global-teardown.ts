import type { DynamoDbLocal } from '../../local/dynamodb-local';
import { DYNAMODB_LOCAL_GLOBAL } from './global-setup';

/** Jest global teardown: stops the run's DynamoDB Local, leaving no java process behind. */
export default async function globalTeardown(): Promise<void> {
  const dynamoDbLocal = (globalThis as Record<string, unknown>)[DYNAMODB_LOCAL_GLOBAL] as DynamoDbLocal | undefined;
  await dynamoDbLocal?.stop();
}
