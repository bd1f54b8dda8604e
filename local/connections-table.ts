import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import {
  CONNECTED_AT_ATTRIBUTE,
  CONNECTION_ID_ATTRIBUTE,
  EXPIRES_AT_ATTRIBUTE,
  QRHASH_ATTRIBUTE,
  QRHASH_INDEX_NAME,
} from '../lambdas/relay/table-schema';

const ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: CONNECTION_ID_ATTRIBUTE, AttributeType: 'S' },
  { AttributeName: QRHASH_ATTRIBUTE, AttributeType: 'S' },
  { AttributeName: CONNECTED_AT_ATTRIBUTE, AttributeType: 'N' },
];

/** The stack's qrhash index (lib/connections-table.ts): keys only, sorted by connectedAt. */
const QRHASH_INDEX: GlobalSecondaryIndex = {
  IndexName: QRHASH_INDEX_NAME,
  KeySchema: [
    { AttributeName: QRHASH_ATTRIBUTE, KeyType: 'HASH' },
    { AttributeName: CONNECTED_AT_ATTRIBUTE, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

/**
 * Creates the connections table with the stack's schema: key `connectionId` (a string), TTL
 * attribute `expiresAt` and the qrhash index. A table that exists (a kept `--db-path`) is kept,
 * and the qrhash index is added to it when an older relay created it without one.
 * DynamoDB Local records the TTL setting but never expires items.
 */
export async function ensureConnectionsTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'created';
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: ATTRIBUTES,
        KeySchema: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [QRHASH_INDEX],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'existed';
    await ensureQrHashIndex(client, tableName);
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

async function ensureQrHashIndex(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === QRHASH_INDEX_NAME)) return;
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: ATTRIBUTES,
      GlobalSecondaryIndexUpdates: [{ Create: QRHASH_INDEX }],
    }),
  );
}
