import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RelayConfig } from '../relay/config';
import { fixedRelayKey, OPEN_RELAY, type RelayKeySource } from '../relay/relay-key';
import { secretsManagerRelayKey } from './secrets-manager-relay-key';

/**
 * Where `$connect` finds the expected access key for a configuration: the fixed key (local relay),
 * else the Secrets Manager secret (Lambda), else none (an open relay).
 */
export function relayKeySourceFor(config: RelayConfig, secretsClient?: SecretsManagerClient): RelayKeySource {
  if (config.relayKey !== undefined) return fixedRelayKey(config.relayKey);
  if (config.relayKeySecretArn) return secretsManagerRelayKey(config.relayKeySecretArn, { client: secretsClient });
  return OPEN_RELAY;
}
