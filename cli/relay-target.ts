import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { redactRelayKey, relayKeyOf, relayUrlWithKey } from '../client';
import { CliError } from './cli-error';

/** The relay `banguins` talks to when nothing else names one (`npm start`'s). */
export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:3001';

/** Where `npm run deploy` writes the stack outputs, relative to the current folder. */
const DEPLOY_OUTPUTS_FILE = path.join('cdk.out', 'outputs.json');

/** Where the relay URL came from. */
export type RelaySource = '--relay' | 'BANGUINS_RELAY' | 'cdk.out/outputs.json' | 'default';

/** The relay to use, with its access key if it has one, and the web page a deployed stack serves. */
export interface RelayTarget {
  /** The WebSocket URL to connect to, `?key=` included when there is a key. */
  readonly url: string;
  readonly source: RelaySource;
  /** The deployed web page (the stack's WebUrl), when the relay came from the deploy outputs. */
  readonly pageUrl?: string;
}

/** What resolveRelayTarget looks at. */
export interface RelayTargetInputs {
  /** --relay */
  readonly flag?: string;
  /** BANGUINS_RELAY */
  readonly env?: string;
  /** --relay-key: added to a URL that carries no key of its own. */
  readonly relayKey?: string;
  /** The folder to look for cdk.out/outputs.json in. @default process.cwd() */
  readonly cwd?: string;
  /** Builds the client that reads the key's secret (tests inject a stub). @default a SecretsManagerClient in the secret's region */
  readonly secretsClient?: (region: string | undefined) => SecretsManagerClient;
}

/** The stack outputs this CLI reads (banguins-relay-stack.ts names them). */
interface RelayOutputs {
  readonly RelayUrl: string;
  readonly RelayKeySecretArn?: string;
  readonly WebUrl?: string;
}

/**
 * Picks the relay: --relay, else BANGUINS_RELAY (either may carry `?key=`), else the deploy
 * outputs in the current folder (RelayUrl, and the key read from Secrets Manager with the user's
 * AWS credentials), else the local relay's default. --relay-key fills in a missing key.
 */
export async function resolveRelayTarget(inputs: RelayTargetInputs): Promise<RelayTarget> {
  const withKey = (url: string): string => (inputs.relayKey !== undefined && relayKeyOf(url) === undefined ? relayUrlWithKey(url, inputs.relayKey) : url);
  if (inputs.flag) return { url: withKey(inputs.flag), source: '--relay' };
  if (inputs.env) return { url: withKey(checkRelayUrl(inputs.env, 'BANGUINS_RELAY')), source: 'BANGUINS_RELAY' };
  const outputs = await readDeployOutputs(path.join(inputs.cwd ?? process.cwd(), DEPLOY_OUTPUTS_FILE));
  if (outputs) {
    const url = checkRelayUrl(outputs.RelayUrl, `RelayUrl in ${DEPLOY_OUTPUTS_FILE}`);
    const key =
      inputs.relayKey ?? (outputs.RelayKeySecretArn ? await readRelayKeySecret(outputs.RelayKeySecretArn, inputs.secretsClient) : undefined);
    return { url: relayUrlWithKey(url, key), source: 'cdk.out/outputs.json', ...(outputs.WebUrl ? { pageUrl: outputs.WebUrl } : {}) };
  }
  return { url: withKey(DEFAULT_RELAY_URL), source: 'default' };
}

/** Checks that a relay URL is a ws:// or wss:// URL; CliError BadRelayUrl naming where it came from otherwise. */
function checkRelayUrl(value: string, from: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    throw new CliError('BadRelayUrl', `${from} is not a ws:// or wss:// URL: ${redactRelayKey(value)}`);
  }
  return value;
}

/** The first stack in outputs.json that has a RelayUrl, or undefined when the file is absent. */
async function readDeployOutputs(file: string): Promise<RelayOutputs | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('BadDeployOutputs', `cannot read ${DEPLOY_OUTPUTS_FILE}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('BadDeployOutputs', `${DEPLOY_OUTPUTS_FILE} is not JSON: run npm run deploy again, or name the relay with --relay`);
  }
  const stacks = parsed && typeof parsed === 'object' ? Object.values(parsed as Record<string, unknown>) : [];
  const stack = stacks.find((s): s is RelayOutputs => !!s && typeof (s as { RelayUrl?: unknown }).RelayUrl === 'string');
  if (!stack) throw new CliError('BadDeployOutputs', `${DEPLOY_OUTPUTS_FILE} has no RelayUrl: run npm run deploy again, or name the relay with --relay`);
  return stack;
}

/** Reads the relay access key from its Secrets Manager secret with the user's AWS credentials. */
async function readRelayKeySecret(secretArn: string, makeClient = defaultSecretsClient): Promise<string> {
  const region = secretArn.split(':')[3] || undefined;
  const client = makeClient(region);
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!answer.SecretString) throw new Error('the secret holds no string');
    return answer.SecretString;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new CliError(
      'RelayKeyUnavailable',
      `cannot read the relay access key from Secrets Manager (${reason.split('\n')[0]}): sign in to AWS (aws configure, AWS_PROFILE, aws sso login), or give the relay with --relay-key or BANGUINS_RELAY=wss://…?key=…`,
    );
  } finally {
    client.destroy();
  }
}

function defaultSecretsClient(region: string | undefined): SecretsManagerClient {
  return new SecretsManagerClient(region ? { region } : {});
}
