import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RelayKeySource } from '../relay/relay-key';

/** How long a warm `$connect` function keeps the key before reading the secret again (a rotated key takes effect within it). */
const RELAY_KEY_CACHE_SECONDS = 5 * 60;

/** Options of secretsManagerRelayKey. */
export interface SecretsManagerRelayKeyOptions {
  /** The client to read with (tests inject one). @default a SecretsManagerClient in the secret's region */
  readonly client?: SecretsManagerClient;
  /** @default RELAY_KEY_CACHE_SECONDS */
  readonly maxAgeSeconds?: number;
}

/** The region of a Secrets Manager ARN (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`), if it is one. */
function regionOfSecretArn(secretArn: string): string | undefined {
  const region = secretArn.split(':')[3];
  return secretArn.startsWith('arn:') && region ? region : undefined;
}

/**
 * The relay access key read from a Secrets Manager secret (a plain string) through Powertools'
 * SecretsProvider, cached for `maxAgeSeconds`; concurrent first reads share one call.
 */
export function secretsManagerRelayKey(secretArn: string, options: SecretsManagerRelayKeyOptions = {}): RelayKeySource {
  const region = regionOfSecretArn(secretArn);
  const client = options.client ?? new SecretsManagerClient(region ? { region } : {});
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  const maxAge = options.maxAgeSeconds ?? RELAY_KEY_CACHE_SECONDS;
  let reading: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    const value = await provider.get(secretArn, { maxAge });
    if (typeof value !== 'string' || value === '') {
      throw new Error(`the secret ${secretArn} holds no relay access key (expected a non-empty string)`);
    }
    return value;
  };
  return {
    expectedKey: () => {
      reading ??= read().finally(() => (reading = undefined));
      return reading;
    },
  };
}
