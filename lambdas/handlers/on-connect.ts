import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defineRoute, lambdaEntryPoint } from '../adapters/define-route';
import { relayKeySourceFor } from '../adapters/relay-key-source';
import type { RelayClients } from '../adapters/relay-ports';
import { admitAndStoreConnection } from '../relay/actions/lifecycle';
import type { RelayConfig } from '../relay/config';
import type { WebSocketHandler } from '../relay/websocket-event';

/**
 * The `$connect` route: see admitAndStoreConnection. The expected key comes from the config (fixed
 * key, Secrets Manager secret, or none); `secretsClient` replaces the SDK client that reads the secret.
 */
export function createHandler(config: RelayConfig, clients?: RelayClients, secretsClient?: SecretsManagerClient): WebSocketHandler {
  return defineRoute('$connect', admitAndStoreConnection(relayKeySourceFor(config, secretsClient))).createHandler(config, clients);
}

/** The Lambda entry point of `$connect`. */
export const handler: WebSocketHandler = lambdaEntryPoint((config) => createHandler(config));
