import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbConnectionStore } from '../lambdas/adapters/dynamodb-connection-store';
import { createRelayClients } from '../lambdas/adapters/relay-ports';
import { createHandler } from '../lambdas/handlers/on-connect';
import { relayConfigFromEnv, type RelayConfig } from '../lambdas/relay/config';
import { relayKeysMatch } from '../lambdas/relay/relay-key';
import { RELAY_KEY_SECRET_ARN_ENV, TABLE_NAME_ENV } from '../lambdas/relay/table-schema';
import { connectEvent } from '../local/lambda-event';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:BanguinsRelayKey-AbCdEf';
const KEY = 'deployed-relay-key-Zx9_0123456789';

/**
 * A SecretsManagerClient whose requests never leave the process: real Secrets Manager cannot be
 * reached from these tests (no network, no AWS account), so a middleware answers GetSecretValue
 * for SECRET_ARN and counts the calls. Everything above the wire (Powertools' provider and cache,
 * the SDK command) runs for real.
 */
function stubSecretsManager(secret: string): { client: SecretsManagerClient; calls: () => number } {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  let calls = 0;
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      if (context.commandName !== GetSecretValueCommand.name) throw new Error(`unexpected ${context.commandName}`);
      const input = args.input as { SecretId?: string };
      if (input.SecretId !== SECRET_ARN) throw new Error(`unexpected secret ${input.SecretId}`);
      calls += 1;
      return { output: { $metadata: { httpStatusCode: 200 }, ARN: SECRET_ARN, SecretString: secret }, response: {} };
    },
    { step: 'initialize', name: 'stubSecretsManager' },
  );
  return { client, calls: () => calls };
}

describe('the Lambda $connect handler with the relay key in Secrets Manager', () => {
  let relay: LocalRelay;
  let config: RelayConfig;
  let store: DynamoDbConnectionStore;
  let counter = 0;

  beforeAll(async () => {
    // Only for its DynamoDB Local table and config: the handler below is called directly, as Lambda would.
    relay = await startTestRelay();
    config = { ...relay.config, relayKeySecretArn: SECRET_ARN };
    store = createRelayClients(config).store as DynamoDbConnectionStore;
  });
  afterAll(async () => {
    await relay.close();
  });

  function handshake(query?: string) {
    counter += 1;
    const connection = { connectionId: `conn${counter}-${Date.now()}=`, connectedAt: Date.now(), sourceIp: '203.0.113.9', userAgent: 'test' };
    const event = connectEvent(connection, { stage: 'dev', domainName: 'example.execute-api.eu-west-1.amazonaws.com', apiId: 'abc' }, {
      rawHeaders: ['Host', 'example'],
      rawQueryString: query ?? '',
    });
    return { event, connectionId: connection.connectionId };
  }

  test('the right key is accepted and the connection stored; a wrong or missing key gets 401 and nothing stored', async () => {
    const secrets = stubSecretsManager(KEY);
    const handler = createHandler(config, undefined, secrets.client);

    const good = handshake(`key=${KEY}`);
    expect(await handler(good.event)).toEqual({ statusCode: 200 });
    expect(await store.get(good.connectionId)).toMatchObject({ connectionId: good.connectionId });

    const wrong = handshake('key=deployed-relay-key-Zx9_0123456788');
    expect(await handler(wrong.event)).toMatchObject({ statusCode: 401 });
    expect(await store.get(wrong.connectionId)).toBeUndefined();

    const missing = handshake();
    expect(await handler(missing.event)).toMatchObject({ statusCode: 401 });
    expect(await store.get(missing.connectionId)).toBeUndefined();
  });

  test('the secret is read once for many connections (Powertools cache)', async () => {
    const secrets = stubSecretsManager(KEY);
    const handler = createHandler(config, undefined, secrets.client);
    const results = [];
    for (let i = 0; i < 10; i++) results.push((await handler(handshake(`key=${KEY}`).event)).statusCode);
    results.push(...(await Promise.all([1, 2, 3, 4, 5].map(async () => (await handler(handshake(`key=${KEY}`).event)).statusCode))));
    expect(results).toEqual(Array(15).fill(200));
    expect(secrets.calls()).toBe(1);
  });

  test('a secret that cannot be read is a real failure: 500, not 401', async () => {
    const secrets = stubSecretsManager('');
    const handler = createHandler(config, undefined, secrets.client);
    expect(await handler(handshake(`key=${KEY}`).event)).toEqual({ statusCode: 500 });
  });

  test('without a key or secret in the config the relay stays open', async () => {
    const handler = createHandler(relay.config);
    const open = handshake();
    expect(await handler(open.event)).toEqual({ statusCode: 200 });
    expect(await store.get(open.connectionId)).toBeDefined();
  });

  test('the deployed function finds the secret ARN in its environment', () => {
    expect(relayConfigFromEnv({ [TABLE_NAME_ENV]: 't', [RELAY_KEY_SECRET_ARN_ENV]: SECRET_ARN }).relayKeySecretArn).toBe(SECRET_ARN);
    expect(relayConfigFromEnv({ [TABLE_NAME_ENV]: 't' }).relayKeySecretArn).toBeUndefined();
  });

  test('keys compare equal only when identical, whatever their lengths', () => {
    expect(relayKeysMatch(KEY, KEY)).toBe(true);
    expect(relayKeysMatch(KEY, `${KEY}x`)).toBe(false);
    expect(relayKeysMatch('', KEY)).toBe(false);
  });
});
