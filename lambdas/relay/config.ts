import { CALLBACK_URL_ENV, DYNAMODB_ENDPOINT_ENV, RELAY_KEY_SECRET_ARN_ENV, TABLE_NAME_ENV } from './table-schema';

/** Everything a route handler needs to build its ports; Lambda reads it from the environment, the local relay injects it. */
export interface RelayConfig {
  /** The connections table. */
  readonly tableName: string;
  /** DynamoDB endpoint (DynamoDB Local); @default the SDK's regional endpoint */
  readonly dynamodbEndpoint?: string;
  /** `@connections` base URL such as `http://127.0.0.1:3001/dev`; @default `https://{domainName}/{stage}` of the event */
  readonly callbackUrl?: string;
  /** AWS region for the SDK clients; @default the SDK's own resolution (AWS_REGION on Lambda) */
  readonly region?: string;
  /** Static credentials (the local relay's dummy ones); @default the SDK's provider chain */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Powertools log level (`SILENT` for a quiet local relay); @default POWERTOOLS_LOG_LEVEL or INFO */
  readonly logLevel?: string;
  /**
   * The access key every handshake must present in `?key=` (the local relay's `--key`).
   * @default no fixed key: the secret below, or an open relay
   */
  readonly relayKey?: string;
  /**
   * ARN of the Secrets Manager secret holding the access key (the deployed `$connect` function).
   * @default no secret: with no relayKey either, the relay is open to every client
   */
  readonly relayKeySecretArn?: string;
}

/** Reads the relay configuration from the environment, as a deployed Lambda function sees it. */
export function relayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const tableName = env[TABLE_NAME_ENV];
  if (!tableName) {
    throw new Error(`${TABLE_NAME_ENV} is not set: the handler does not know which table holds the connections`);
  }
  return {
    tableName,
    dynamodbEndpoint: env[DYNAMODB_ENDPOINT_ENV] || undefined,
    callbackUrl: env[CALLBACK_URL_ENV] || undefined,
    relayKeySecretArn: env[RELAY_KEY_SECRET_ARN_ENV] || undefined,
  };
}
