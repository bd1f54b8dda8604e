import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CONNECTION_ID_ATTRIBUTE, EXPIRES_AT_ATTRIBUTE } from '../lambdas/relay/table-schema';

/**
 * Creates the connections table with the stack's key schema (`connectionId`, a string) and TTL
 * attribute (`expiresAt`), or leaves it as it is when it exists (a kept `--db-path`).
 * DynamoDB Local records the TTL setting but never expires items.
 */
export async function ensureConnectionsTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'existed';
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: EXPIRES_AT_ATTRIBUTE, Enabled: true },
      }),
    );
  }
  return outcome;
}
