import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { iceServerUrl } from '../cli/direct-path-options';
import { isLoopbackHost } from '../client/transport/relay-url';
import { RELAY_KEY_PATTERN } from '../lambdas/relay/relay-key';
import { DEFAULT_ROUTE_THROTTLES, parseRateBurst, type RouteThrottle } from '../lambdas/route-throttle-defaults';
import { LocalRelayError } from './errors';
import { validateFaultRates, type FaultRates } from './fault-injection';
import { MAX_CONNECTIONS } from './limits';
import { loadOrCreateRelayKey, relayKeyFilePath } from './relay-key-file';
import { RELAY_OUTBOUND_LIMIT_BYTES } from './management-api';
import { DEFAULT_PORT, DEFAULT_TABLE_NAME, DEFAULT_WEB_DIR, startLocalRelay, type LocalRelay } from './local-relay';
import { silentLog, streamLog } from './relay-log';
import { chooseNetworkAccess, printNetworkPage } from './network-access';

/** The options `npm start` accepts, after parsing. */
interface CliOptions {
  port: number;
  host: string;
  stage: string;
  tableName: string;
  dynamodbEndpoint?: string;
  dbPath?: string;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  faultDrop: number;
  faultDup: number;
  faultReorder: number;
  faultThrottle: number;
  faultSeed: number;
  quiet: boolean;
  handlerLogLevel?: string;
  key?: string;
  requireKey: boolean;
  maxConnections: number;
  maxOutboundMib: number;
  iceServer?: string[];
  lan: boolean;
  tls?: boolean;
  publicUrl?: string;
  throttle?: Record<string, RouteThrottle>;
  stackThrottles: boolean;
}

const MIB = 1024 * 1024;

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
}

function probability(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError('expected a probability from 0 to 1');
  }
  return parsed;
}

function defaultPort(): number {
  const fromEnv = process.env.PORT;
  if (!fromEnv) return DEFAULT_PORT;
  try {
    return integer(0, 65535)(fromEnv);
  } catch (error) {
    throw new LocalRelayError('InvalidOption', `PORT=${fromEnv} is not a port: ${(error as Error).message}`);
  }
}

function relayKeyOption(value: string): string {
  if (!RELAY_KEY_PATTERN.test(value)) {
    throw new InvalidArgumentError('expected 8 to 256 URL-safe characters (letters, digits, . _ ~ -)');
  }
  return value;
}

function publicUrlOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http:// or https:// URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new InvalidArgumentError('expected an http:// or https:// URL with no user, query or fragment');
  }
  return `${url.origin}/`;
}

/** One `--throttle ROUTE=RATE/BURST` (e.g. `Connect=5/10`), added to those before it. */
function routeThrottleOption(value: string, previous: Record<string, RouteThrottle> = {}): Record<string, RouteThrottle> {
  const at = value.indexOf('=');
  const throttle = at > 0 ? parseRateBurst(value.slice(at + 1)) : undefined;
  if (!throttle) throw new InvalidArgumentError('expected ROUTE=RATE/BURST, whole requests per second (e.g. Connect=5/10)');
  return { ...previous, [value.slice(0, at)]: throttle };
}

/**
 * The per-route throttles `npm start` applies: the stack's (DEFAULT_ROUTE_THROTTLES) with
 * `--stack-throttles`, then each `--throttle`; undefined (none) without either.
 */
export function routeThrottlesOf(options: { throttle?: Record<string, RouteThrottle>; stackThrottles: boolean }): Record<string, RouteThrottle> | undefined {
  if (!options.stackThrottles && options.throttle === undefined) return undefined;
  return { ...(options.stackThrottles ? DEFAULT_ROUTE_THROTTLES : {}), ...options.throttle };
}

/** The environment variable that gives `npm start` its access key (kept off the command line, which `ps` shows). */
export const RELAY_KEY_ENV = 'BANGUINS_RELAY_KEY';

/** The access key the relay requires and where it came from. */
export interface ChosenRelayKey {
  readonly key: string;
  /** How the start line names its origin. */
  readonly origin: string;
}

/**
 * The access key to require: --key, else BANGUINS_RELAY_KEY, else with --require-key or on a
 * non-loopback host the one kept in `keyFile` (made there on first use, so a restart keeps it),
 * else none.
 */
export function chooseRelayKey(
  options: { key?: string; requireKey: boolean; host: string },
  sources: { env?: string; keyFile: string },
): ChosenRelayKey | undefined {
  if (options.key !== undefined) return { key: options.key, origin: 'from --key' };
  if (sources.env) {
    if (!RELAY_KEY_PATTERN.test(sources.env)) {
      throw new LocalRelayError('InvalidOption', `${RELAY_KEY_ENV} must be 8 to 256 URL-safe characters (letters, digits, . _ ~ -)`);
    }
    return { key: sources.env, origin: `from ${RELAY_KEY_ENV}` };
  }
  // Only this machine can reach a loopback address: there the relay stays open unless asked for a key.
  if (!options.requireKey && isLoopbackHost(options.host)) return undefined;
  const stored = loadOrCreateRelayKey(sources.keyFile);
  return { key: stored.key, origin: `${stored.created ? 'new, kept' : 'kept'} in ${sources.keyFile}; delete it for a new key` };
}

/** The `npm start` command line. */
export function buildCommand(): Command {
  return new Command('banguins-local-relay')
    .description('Runs the Banguins relay on this machine: an API Gateway-like WebSocket server over the same handlers, with DynamoDB Local')
    .addOption(new Option('-p, --port <port>', 'port to listen on, 0 for a free one (env PORT)').argParser(integer(0, 65535)))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--stage <stage>', 'stage name in events and in the @connections URL', 'dev')
    .option('--table-name <name>', 'connections table', DEFAULT_TABLE_NAME)
    .option('--dynamodb-endpoint <url>', 'use a DynamoDB already running instead of starting DynamoDB Local')
    .option('--db-path <dir>', 'keep DynamoDB Local data in this folder instead of memory')
    .option('--idle-timeout-ms <ms>', 'idle timeout (API Gateway: 600000)', integer(1, 2 ** 31 - 1))
    .option('--max-connection-ms <ms>', 'maximum connection duration (API Gateway: 7200000)', integer(1, 2 ** 31 - 1))
    .option('--fault-drop <p>', 'drop inbound Transfer frames with this probability', probability, 0)
    .option('--fault-dup <p>', 'duplicate inbound Transfer frames with this probability', probability, 0)
    .option('--fault-reorder <p>', 'deliver inbound Transfer frames after the next one with this probability', probability, 0)
    .option('--fault-throttle <p>', "drop inbound Transfer frames with this probability and answer API Gateway's throttling frame", probability, 0)
    .option('--fault-seed <n>', 'seed of the fault generator, so runs repeat', integer(0, 2 ** 32 - 1), 1)
    .option('--key <key>', `require this access key in every handshake (?key=…; URL-safe, 8 to 256 characters; env ${RELAY_KEY_ENV}, which ps does not show)`, relayKeyOption)
    .option('--require-key', 'require an access key, generated once and kept in your config folder (the default when --host is not a loopback address)', false)
    .option('--max-connections <n>', 'connections open at once; one more handshake is refused with 429', integer(1, 1_000_000), MAX_CONNECTIONS)
    .option(
      '--max-outbound-mib <MiB>',
      'bytes waiting to be written to all clients together before a @connections POST to one with any waiting answers 429',
      integer(1, 65_536),
      RELAY_OUTBOUND_LIMIT_BYTES / MIB,
    )
    .option('--lan', 'serve the devices on your network too: listen on 0.0.0.0 (unless --host says otherwise), https on the same port, and print the address and a QR code for a phone', false)
    .option('--tls', 'serve https:// and wss:// on the same port as http:// and ws://, with a self-signed certificate kept in your config folder (the default when --host is not a loopback address)')
    .option('--no-tls', 'serve http:// and ws:// only, even on a network address (a phone\'s browser then refuses the page: no WebCrypto, no camera)')
    .option('--public-url <url>', 'the page\'s address for other devices, which links and QR codes name (default https://<this computer\'s LAN address>:<port>/)', publicUrlOption)
    .option('--ice-server <url>', "a STUN or TURN server the page's config.json lists for its direct path, repeatable (default none: devices on one network meet by host addresses)", iceServerUrl)
    .option('--throttle <route=rate/burst>', "throttle one route as API Gateway's stage does, e.g. Connect=5/10 (a token bucket: a refused $connect is a 429 handshake, a refused message a \"Limit Exceeded\" frame), repeatable (default none)", routeThrottleOption)
    .option('--stack-throttles', "throttle every route as the deployed stack does (lib/route-throttles.ts defaults); --throttle overrides one", false)
    .option('-q, --quiet', 'log nothing but the URLs', false)
    .addOption(
      new Option('--handler-log-level <level>', "the handlers' own JSON log level (default WARN, SILENT with --quiet)").choices([
        'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT',
      ]),
    );
}

/** Starts the relay from the command line and stops it on SIGINT, SIGTERM or SIGHUP. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const command = buildCommand();
  command.parse(argv as string[]);
  const options = command.opts<CliOptions>();
  if (options.lan && command.getOptionValueSource('host') === 'default') options.host = '0.0.0.0';
  const faults: FaultRates | undefined =
    options.faultDrop + options.faultDup + options.faultReorder + options.faultThrottle > 0
      ? { drop: options.faultDrop, duplicate: options.faultDup, reorder: options.faultReorder, throttle: options.faultThrottle, seed: options.faultSeed }
      : undefined;
  if (faults) validateFaultRates(faults);

  const routeThrottles = routeThrottlesOf(options);
  const chosenKey = chooseRelayKey(options, { env: process.env[RELAY_KEY_ENV] || undefined, keyFile: relayKeyFilePath() });
  const relayKey = chosenKey?.key;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const network = await chooseNetworkAccess(options, out);
  if (!options.dynamodbEndpoint) out('Starting DynamoDB Local...');
  const relay: LocalRelay = await startLocalRelay({
    port: options.port ?? defaultPort(),
    host: options.host,
    stage: options.stage,
    tableName: options.tableName,
    dynamodbEndpoint: options.dynamodbEndpoint,
    dbPath: options.dbPath,
    timeouts: { idleTimeoutMs: options.idleTimeoutMs, maxConnectionMs: options.maxConnectionMs },
    faults,
    log: options.quiet ? silentLog : streamLog(process.stdout),
    handlerLogLevel: options.handlerLogLevel ?? (options.quiet ? 'SILENT' : 'WARN'),
    relayKey,
    limits: { connections: options.maxConnections, relayOutboundBytes: options.maxOutboundMib * MIB },
    iceServerUrls: options.iceServer,
    tls: network.certificate,
    publicUrl: network.publicUrl,
    routeThrottles,
  });
  out(`DynamoDB: ${relay.dynamodbEndpoint} (table ${relay.tableName})`);
  out(`@connections: ${relay.callbackUrl}`);
  out(
    existsSync(path.join(DEFAULT_WEB_DIR, 'index.html'))
      ? `Web page: ${relay.pageUrl}`
      : 'Web page: not built (run `npm run build:web`, or start with `npm start`, which builds it)',
  );
  if (faults) out(`Faults on Transfer frames: drop ${faults.drop}, duplicate ${faults.duplicate}, reorder ${faults.reorder}, throttle ${faults.throttle}, seed ${faults.seed}`);
  if (relay.publicPageUrl !== undefined) printNetworkPage(relay.publicPageUrl, network.certificate, out);
  if (routeThrottles) {
    out(`Throttles (rate/burst per second): ${Object.entries(routeThrottles).map(([route, { rateLimit, burstLimit }]) => `${route} ${rateLimit}/${burstLimit}`).join(', ')}`);
  }
  if (chosenKey !== undefined) {
    out(`Access key: ${chosenKey.key} (${chosenKey.origin}; every client must add ?key=<it> to the relay URL; the URLs below carry it)`);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: stopping`);
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  };
  // Before the URL is printed: whoever reads it may signal at once, and a signal without a handler kills outright.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  out('Banguins relay listening on:');
  out(relay.url);
}

/** Prints one line for the user (never a stack trace) and exits with status 1. */
function fail(error: unknown): never {
  const message = error instanceof LocalRelayError ? `${error.message} [${error.code}]` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`banguins local relay: ${message.split('\n')[0]}\n`);
  process.exit(1);
}

if (require.main === module) {
  main().catch(fail);
}
