import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CONNECTED_AT_ATTRIBUTE,
  CONNECTION_ID_ATTRIBUTE,
  EXPIRES_AT_ATTRIBUTE,
  QRHASH_ATTRIBUTE,
  QRHASH_INDEX_NAME,
} from '../lambdas/relay/table-schema';

/**
 * The relay's one DynamoDB table: one item per open WebSocket connection, keyed by
 * connection id, expired by TTL. On-demand billing, point-in-time recovery, no fixed name.
 * A sparse, keys-only index by qrhash (newest connectedAt first) lets a reconnected side find its
 * peer's new connection (Request with `rejoin`).
 */
export class ConnectionsTable extends Construct {
  /** The table; grant access with its `grant*Data` methods. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: CONNECTION_ID_ATTRIBUTE, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: EXPIRES_AT_ATTRIBUTE,
      globalSecondaryIndexes: [
        {
          indexName: QRHASH_INDEX_NAME,
          partitionKey: { name: QRHASH_ATTRIBUTE, type: AttributeType.STRING },
          sortKey: { name: CONNECTED_AT_ATTRIBUTE, type: AttributeType.NUMBER },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Items only describe live connections (gone within 2 h anyway), so deleting the
      // stack may delete them; RETAIN would leave an orphan table per deployment.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
