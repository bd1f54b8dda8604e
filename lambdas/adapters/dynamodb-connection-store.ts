import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { UnknownPeerError } from '../relay/errors';
import type { ConnectionRecord, ConnectionStore, NewConnection, QrHashHolder } from '../relay/ports';
import {
  CONNECTED_AT_ATTRIBUTE,
  CONNECTION_ID_ATTRIBUTE,
  EXPIRES_AT_ATTRIBUTE,
  QRHASH_ATTRIBUTE,
  QRHASH_INDEX_NAME,
} from '../relay/table-schema';

/** The item shape of the connections table. */
interface ConnectionItem {
  connectionId: string;
  connectedAt: number;
  sourceIp?: string;
  qrhash?: string;
  peers?: Set<string>;
  expiresAt: number;
}

const EXISTS = `attribute_exists(${CONNECTION_ID_ATTRIBUTE})`;

/** The ConnectionStore on a DynamoDB table (AWS, or DynamoDB Local on a laptop). */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(connection: NewConnection): Promise<void> {
    const item: ConnectionItem = {
      [CONNECTION_ID_ATTRIBUTE]: connection.connectionId,
      connectedAt: connection.connectedAt,
      [EXPIRES_AT_ATTRIBUTE]: connection.expiresAt,
      ...(connection.sourceIp ? { sourceIp: connection.sourceIp } : {}),
    } as ConnectionItem;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { [CONNECTION_ID_ATTRIBUTE]: connectionId } }),
    );
    if (!Item) return undefined;
    const item = Item as ConnectionItem;
    return {
      connectionId: item.connectionId,
      connectedAt: item.connectedAt,
      sourceIp: item.sourceIp,
      qrhash: item.qrhash,
      peers: item.peers ?? new Set(),
      expiresAt: item.expiresAt,
    };
  }

  async registerQrHash(connectionId: string, qrhash: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [CONNECTION_ID_ATTRIBUTE]: connectionId },
          UpdateExpression: 'SET qrhash = :qrhash',
          ConditionExpression: EXISTS,
          ExpressionAttributeValues: { ':qrhash': qrhash },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new UnknownPeerError(connectionId, { cause: error });
      throw error;
    }
  }

  async findByQrHash(qrhash: string, limit: number): Promise<readonly QrHashHolder[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: QRHASH_INDEX_NAME,
        KeyConditionExpression: '#qrhash = :qrhash',
        ExpressionAttributeNames: { '#qrhash': QRHASH_ATTRIBUTE },
        ExpressionAttributeValues: { ':qrhash': qrhash },
        ScanIndexForward: false, // newest connectedAt first
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => ({
      connectionId: String(item[CONNECTION_ID_ATTRIBUTE]),
      connectedAt: Number(item[CONNECTED_AT_ATTRIBUTE]),
    }));
  }

  async pair(connectionId: string, peerId: string): Promise<void> {
    const addPeer = (id: string, peer: string) => ({
      Update: {
        TableName: this.tableName,
        Key: { [CONNECTION_ID_ATTRIBUTE]: id },
        UpdateExpression: 'ADD peers :peer',
        ConditionExpression: EXISTS,
        ExpressionAttributeValues: { ':peer': new Set([peer]) },
      },
    });
    try {
      await this.client.send(
        new TransactWriteCommand({ TransactItems: [addPeer(connectionId, peerId), addPeer(peerId, connectionId)] }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const gone = reasons[0]?.Code === 'ConditionalCheckFailed' ? connectionId : peerId;
        throw new UnknownPeerError(gone, { cause: error });
      }
      throw error;
    }
  }

  async remove(connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [CONNECTION_ID_ATTRIBUTE]: connectionId } }),
    );
  }
}

/** A failed ConditionExpression; matched by name, so a second copy of the SDK cannot hide it. */
function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
