/** The connections table's partition key: the API Gateway connection id. */
export const CONNECTION_ID_ATTRIBUTE = 'connectionId';

/** The table's TTL attribute (epoch seconds); DynamoDB removes expired connections. */
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

/** Environment variable carrying the table name to every handler (seed 000's name). */
export const TABLE_NAME_ENV = 'BANGUINS_TABLE_NAME';

/** Optional DynamoDB endpoint override (DynamoDB Local); unset on AWS. */
export const DYNAMODB_ENDPOINT_ENV = 'BANGUINS_DYNAMODB_ENDPOINT';

/** Optional `@connections` base URL override (the local relay); on AWS it comes from the event. */
export const CALLBACK_URL_ENV = 'BANGUINS_CALLBACK_URL';

/** API Gateway closes a connection after 2 hours; records live a little longer, then TTL removes them. */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 10 * 60;

/**
 * Environment variable carrying the ARN of the Secrets Manager secret that holds the relay access
 * key (set on the `$connect` function only; the stack creates the secret at deploy).
 */
export const RELAY_KEY_SECRET_ARN_ENV = 'BANGUINS_RELAY_KEY_SECRET_ARN';

/** The query-string parameter of the WebSocket URL that carries the relay access key (`wss://…/dev?key=…`). */
export const RELAY_KEY_QUERY_PARAMETER = 'key';

/** The attribute holding the qrhash a connection registered with Connect (absent when none). */
export const QRHASH_ATTRIBUTE = 'qrhash';

/** When API Gateway accepted the connection, epoch milliseconds (the qrhash index's sort key). */
export const CONNECTED_AT_ATTRIBUTE = 'connectedAt';

/**
 * The table's global secondary index by qrhash (sort key connectedAt, keys only): the Request
 * route's rejoin lookup. Sparse: only connections that registered a qrhash are in it.
 */
export const QRHASH_INDEX_NAME = 'byQrHash';
