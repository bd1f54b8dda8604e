/**
 * `npm run deploy | bootstrap | delete` run this first: it resolves AWS credentials the way the
 * SDK and the CDK CLI do (environment, shared config and SSO files, AWS_PROFILE, credential
 * process, web identity, container credentials), and without any it prints one line saying what
 * to do and exits 1, before the web page is built and the stack synthesised. Then the region: the
 * CDK CLI falls back to us-east-1 when none is configured, so without AWS_REGION,
 * AWS_DEFAULT_REGION or a `region` in the profile it says so in one line and exits 1 too. It
 * sends no request.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a user without credentials is told, on one line. */
export const NO_CREDENTIALS_MESSAGE =
  'No AWS credentials found: run `aws configure` (access keys), or set AWS_PROFILE=<profile> for a profile in ~/.aws/config, or `aws sso login --profile <profile>` for SSO, then try again.';

/** What a user with credentials but no region is told, on one line. */
export const NO_REGION_MESSAGE =
  'No AWS region configured (the CDK would deploy to us-east-1 without asking): set AWS_REGION=<region>, e.g. AWS_REGION=eu-west-1 npm run deploy, or `aws configure set region <region>` for your profile, then try again.';

/** The SDK's own message when every provider came up empty: nothing to add to ours. */
const NOTHING_FOUND = /could not load credentials from any providers/i;

/** Resolves credentials from the SDK's default chain; rejects when there are none. */
export async function resolveCredentials(): Promise<void> {
  // Off EC2 the instance metadata service only costs a timeout, so it is skipped; on an EC2
  // instance with a role, run with AWS_EC2_METADATA_DISABLED=false to let the check use it.
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  // The deploy's own output should be the only thing on the terminal.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The region is not needed to find credentials; a placeholder keeps the client from asking.
  const client = new DynamoDBClient({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1' });
  try {
    await client.config.credentials();
  } finally {
    client.destroy();
  }
}

/**
 * The region the CDK CLI would deploy to, as it finds one: AWS_REGION, AWS_DEFAULT_REGION, then
 * the `region` of the profile (AWS_PROFILE or default) in ~/.aws/config; undefined when none is set.
 */
export async function resolveRegion(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const client = new DynamoDBClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

async function main(): Promise<void> {
  try {
    await resolveCredentials();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]?.trim() : undefined;
    const detail = reason && !NOTHING_FOUND.test(reason) ? ` (${reason})` : '';
    process.stderr.write(`${NO_CREDENTIALS_MESSAGE}${detail}\n`);
    process.exit(1);
  }
  if ((await resolveRegion()) === undefined) {
    process.stderr.write(`${NO_REGION_MESSAGE}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
