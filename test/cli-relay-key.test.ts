import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parsePairingLink } from '../client/crypto/pairing-link';
import { resolveRelayTarget } from '../cli/relay-target';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { cliTestEnv } from './support/cli-process';

const BIN = path.join(__dirname, '..', 'bin', 'banguins.js');
const KEY = 'cli-test-relay-key-0123456789';
const REFUSED_LINE = /^banguins: the relay refused the connection: its access key is missing or wrong \(.+\)\n$/;

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `banguins ...args` in `cwd` (a folder without cdk.out) with BANGUINS_RELAY set to `relayEnv`. */
function runCli(args: string[], cwd: string, relayEnv = '', onLine?: (line: string) => void): Promise<Finished> & { child: ChildProcess } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: cliTestEnv({ BANGUINS_RELAY: relayEnv }) });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) onLine?.(line);
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(done, { child });
}

describe('banguins against a local relay that requires an access key', () => {
  let relay: LocalRelay;
  let bare: string;
  let work: string;
  let file: string;

  beforeAll(async () => {
    relay = await startTestRelay({ relayKey: KEY });
    bare = relay.url.split('?')[0]!;
    work = await mkdtemp(path.join(tmpdir(), 'banguins-cli-key-'));
    file = path.join(work, 'photo.bin');
    await writeFile(file, randomBytes(300_000));
  });
  afterAll(async () => {
    await relay.close();
    await rm(work, { recursive: true, force: true });
  });

  test('without the key, send prints the one refusal line and exits 1', async () => {
    const result = await runCli(['send', file, '--relay', bare, '--json'], work);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(REFUSED_LINE);
    expect(result.stderr).toContain('--relay-key');
  });

  test('with a wrong key (--relay-key, or in BANGUINS_RELAY), the same line and exit 1', async () => {
    const flag = await runCli(['send', file, '--relay', bare, '--relay-key', 'wrong-key-0123456789'], work);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(REFUSED_LINE);
    expect(flag.stderr).not.toContain('wrong-key-0123456789');
    const env = await runCli(['send', file], work, `${bare}/?key=wrong-key-0123456789`);
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(REFUSED_LINE);
  });

  test('with the key in BANGUINS_RELAY, send and receive complete; the link carries the key in its fragment', async () => {
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', file, '--json'], work, relay.url, (line) => {
      const event = JSON.parse(line) as { type: string; link?: string };
      if (event.type === 'link') gotLink(event.link!);
    });
    const out = path.join(work, 'out');
    const receiver = runCli(['receive', await link, '--out', out, '--json'], work);
    const [sent, received] = await Promise.all([sender, receiver]);
    expect([sent.code, received.code, received.stderr]).toEqual([0, 0, '']);
    expect((await readFile(path.join(out, 'photo.bin'))).equals(await readFile(file))).toBe(true);
    const parsed = parsePairingLink(await link);
    expect(new URL(parsed.relayUrl).searchParams.get('key')).toBe(KEY);
    expect(new URL(await link).search).toBe('');
  });

  test('a receiver whose link lacks the key gets the one refusal line, exit 1', async () => {
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', file, '--json'], work, relay.url, (line) => {
      const event = JSON.parse(line) as { type: string; link?: string };
      if (event.type === 'link') gotLink(event.link!);
    });
    const original = await link;
    const hash = new URLSearchParams(original.split('#')[1]);
    hash.set('relay', bare);
    const received = await runCli(['receive', `${original.split('#')[0]}#${hash.toString()}`, '--out', path.join(work, 'out-nokey')], work);
    expect(received.code).toBe(1);
    expect(received.stderr).toMatch(REFUSED_LINE);
    expect(received.stderr).toContain('ask the sender for a new link');
    // The sender still waits for a receiver with the right key; stop it.
    expect(sender.child.exitCode).toBeNull();
    sender.child.kill('SIGTERM');
    await sender;
  });
});

describe('the CLI picks its relay: --relay, BANGUINS_RELAY, cdk.out/outputs.json, default', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:RelayKey-xYz';
  let folder: string;

  /**
   * A SecretsManagerClient answered in-process: real Secrets Manager cannot be reached from these
   * tests (no network, no AWS credentials), so a middleware answers GetSecretValue for SECRET_ARN.
   */
  function stubSecrets(answer: () => string): { make: (region: string | undefined) => SecretsManagerClient; regions: (string | undefined)[] } {
    const regions: (string | undefined)[] = [];
    const make = (region: string | undefined): SecretsManagerClient => {
      regions.push(region);
      const client = new SecretsManagerClient({ region: region ?? 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      client.middlewareStack.add(
        (_next, context) => async (args) => {
          if (context.commandName !== GetSecretValueCommand.name) throw new Error(`unexpected ${context.commandName}`);
          if ((args.input as { SecretId?: string }).SecretId !== SECRET_ARN) throw new Error('unexpected secret');
          return { output: { $metadata: {}, SecretString: answer() }, response: {} };
        },
        { step: 'initialize', name: 'stubSecretsManager' },
      );
      return client;
    };
    return { make, regions };
  }

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'banguins-outputs-'));
    await mkdir(path.join(folder, 'cdk.out'));
    await writeFile(
      path.join(folder, 'cdk.out', 'outputs.json'),
      JSON.stringify({
        BanguinsRelay: {
          RelayUrl: 'wss://abc123.execute-api.eu-central-1.amazonaws.com/dev',
          RelayKeySecretArn: SECRET_ARN,
          WebUrl: 'https://d111111abcdef8.cloudfront.net/',
        },
      }),
    );
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  test('the deploy outputs give RelayUrl with the key read from Secrets Manager, and the page URL', async () => {
    const secrets = stubSecrets(() => 'deployed-key-0123456789');
    const target = await resolveRelayTarget({ cwd: folder, secretsClient: secrets.make });
    expect(target).toEqual({
      url: 'wss://abc123.execute-api.eu-central-1.amazonaws.com/dev?key=deployed-key-0123456789',
      source: 'cdk.out/outputs.json',
      pageUrl: 'https://d111111abcdef8.cloudfront.net/',
    });
    expect(secrets.regions).toEqual(['eu-central-1']);
  });

  test('a secret that cannot be read says what to do, in one CliError', async () => {
    const secrets = stubSecrets(() => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    await expect(resolveRelayTarget({ cwd: folder, secretsClient: secrets.make })).rejects.toMatchObject({
      code: 'RelayKeyUnavailable',
      message: expect.stringMatching(/^cannot read the relay access key from Secrets Manager \(CredentialsProviderError: .*\): sign in to AWS \(aws configure, AWS_PROFILE, aws sso login\)/),
    });
  });

  test('--relay and BANGUINS_RELAY come first; --relay-key fills in a missing key only', async () => {
    const never = stubSecrets(() => {
      throw new Error('must not be read');
    });
    expect(await resolveRelayTarget({ flag: 'ws://h:1', env: 'ws://e:2', cwd: folder, secretsClient: never.make })).toEqual({ url: 'ws://h:1', source: '--relay' });
    expect(await resolveRelayTarget({ env: 'ws://e:2/?key=fromenv1', relayKey: 'other-key-1', cwd: folder })).toEqual({
      url: 'ws://e:2/?key=fromenv1',
      source: 'BANGUINS_RELAY',
    });
    expect(await resolveRelayTarget({ env: 'ws://e:2', relayKey: 'added-key-1', cwd: folder })).toEqual({ url: 'ws://e:2/?key=added-key-1', source: 'BANGUINS_RELAY' });
    expect(never.regions).toEqual([]);
    await expect(resolveRelayTarget({ env: 'http://e:2', cwd: folder })).rejects.toMatchObject({ code: 'BadRelayUrl' });
  });

  test('without any of them, the local relay default', async () => {
    expect(await resolveRelayTarget({ cwd: tmpdir() })).toEqual({ url: 'ws://127.0.0.1:3001', source: 'default' });
  });
});

test('banguins page prints the page address with the relay key in its fragment, for a browser that sends', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'banguins-page-'));
  try {
    const local = await runCli(['page'], folder, `ws://127.0.0.1:3001/?key=${KEY}`);
    expect([local.code, local.stdout, local.stderr]).toEqual([0, `http://127.0.0.1:3001/#relaykey=${KEY}\n`, '']);
    const deployed = await runCli(['page', '--relay', 'wss://a.execute-api.eu-west-1.amazonaws.com/dev', '--relay-key', KEY, '--page-url', 'https://d1.cloudfront.net/'], folder);
    expect(deployed.stdout).toBe(`https://d1.cloudfront.net/#relaykey=${KEY}\n`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
