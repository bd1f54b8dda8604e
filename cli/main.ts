import { Command, InvalidArgumentError } from 'commander';
import { BanguinsError, CHUNK_PLAINTEXT_BYTES, defaultPageUrl, LARGE_CHUNK_PLAINTEXT_BYTES, MAX_CHUNK_PLAINTEXT_BYTES, MIN_CHUNK_PLAINTEXT_BYTES, pageUrlWithKey, relayKeyOf } from '../client';
import { localLinkAddresses } from './local-link-addresses';
import { CliError } from './cli-error';
import { iceServerUrl, pathChoiceOf } from './direct-path-options';
import { runReceive } from './receive-command';
import { DEFAULT_RELAY_URL, resolveRelayTarget } from './relay-target';
import { runSend } from './send-command';
import { reportModeFor, SessionReporter } from './session-reporter';

export { DEFAULT_RELAY_URL };

/** What to do when the relay refuses the access key, for each side. */
const KEY_REFUSED_HINT: Readonly<Record<'send' | 'receive', string>> = {
  send:
    'give the key with --relay-key <key> or BANGUINS_RELAY=wss://…?key=<key>; npm start prints it, and for a deployed relay run banguins from the folder holding cdk.out/outputs.json',
  receive: 'the link does not carry the relay\'s current key: ask the sender for a new link',
};

function relayKey(value: string): string {
  if (!/^[A-Za-z0-9._~-]+$/.test(value)) throw new InvalidArgumentError('a relay access key has only letters, digits and . _ ~ -');
  return value;
}

function relayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('not a URL');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new InvalidArgumentError('the relay URL must start with ws:// or wss://');
  return value;
}

function pageUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    throw new InvalidArgumentError('the page URL must start with http:// or https://');
  }
  return value;
}

/** Runs one failure through the reporter: one line, a stable code, no stack trace. */
function reportFailure(error: unknown, json: boolean, role: 'send' | 'receive'): void {
  const code = error instanceof BanguinsError || error instanceof CliError ? error.code : 'Unexpected';
  const message =
    code === 'RelayKeyRefused'
      ? `the relay refused the connection: its access key is missing or wrong (${KEY_REFUSED_HINT[role]})`
      : error instanceof Error
        ? error.message
        : String(error);
  new SessionReporter(reportModeFor(json), role).error(code, message.split('\n')[0]!);
}

/** Parses `--chunk-bytes`: a whole number in the range every receiver accepts. */
function chunkBytes(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < MIN_CHUNK_PLAINTEXT_BYTES || parsed > MAX_CHUNK_PLAINTEXT_BYTES) {
    throw new InvalidArgumentError(`expected a whole number from ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES}`);
  }
  return parsed;
}

/** Aborts on the first Ctrl-C; a second one exits at once. */
function abortOnInterrupt(): AbortController {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  return controller;
}

const RELAY_ONLY_HELP =
  'keep every byte on the relay (env BANGUINS_RELAY_ONLY=1); by default the devices try a direct WebRTC path and use the relay when none opens';
const ICE_SERVER_HELP =
  'a STUN or TURN server for the direct path, repeatable (env BANGUINS_ICE_SERVERS, comma-separated; default none: only devices on one network meet, and a STUN server lets the peer see your public address)';

/** The path options both transfer commands take. */
interface PathFlags {
  readonly relayOnly?: boolean;
  readonly iceServer?: string[];
}

/** Builds the `banguins` command line. */
export function buildProgram(): Command {
  const program = new Command('banguins')
    .description('Send files between two devices through a Banguins relay, end-to-end encrypted.')
    .showHelpAfterError();

  program
    .command('send')
    .description('send files: prints a QR code and a link, then waits for the receiver')
    .argument('<file...>', 'the files to send')
    .option(
      '--relay <url>',
      `the relay, ?key=… included if it needs one (default: env BANGUINS_RELAY, else RelayUrl of cdk.out/outputs.json, else ${DEFAULT_RELAY_URL})`,
      relayUrl,
    )
    .option('--relay-key <key>', 'the relay access key, for a relay URL that carries none', relayKey)
    .option('--page-url <url>', 'the web page the link opens (env BANGUINS_PAGE_URL; default derived from the relay)', pageUrl, process.env.BANGUINS_PAGE_URL || undefined)
    .option(
      '--chunk-bytes <n>',
      `plaintext bytes per chunk, ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES} (default ${LARGE_CHUNK_PLAINTEXT_BYTES}, in 128 KB messages; ${CHUNK_PLAINTEXT_BYTES} is what browsers send)`,
      chunkBytes,
    )
    .option('--relay-only', RELAY_ONLY_HELP)
    .option('--ice-server <url>', ICE_SERVER_HELP, iceServerUrl)
    .option('--json', 'print one JSON event per line instead of bars', false)
    .action(async (files: string[], opts: { relay?: string; relayKey?: string; pageUrl?: string; chunkBytes?: number; json: boolean } & PathFlags) => {
      const controller = abortOnInterrupt();
      try {
        const relay = await resolveRelayTarget({ flag: opts.relay, env: process.env.BANGUINS_RELAY || undefined, relayKey: opts.relayKey });
        // A local relay started with --lan: the link names the address the other device reaches.
        const forOthers = opts.pageUrl === undefined && relay.pageUrl === undefined ? await localLinkAddresses(relay.url) : undefined;
        await runSend(files, {
          relay: relay.url,
          pageUrl: opts.pageUrl ?? relay.pageUrl ?? forOthers?.pageUrl,
          linkRelayUrl: forOthers?.relayUrl,
          chunkBytes: opts.chunkBytes,
          mode: reportModeFor(opts.json),
          signal: controller.signal,
          path: pathChoiceOf(opts),
        });
      } catch (error) {
        reportFailure(error, opts.json, 'send');
        process.exitCode = controller.signal.aborted ? 130 : 1;
      }
    });

  program
    .command('page')
    .description('print the web page address that lets a browser send through the relay (its access key after #relaykey=)')
    .option('--relay <url>', 'the relay, as for send', relayUrl)
    .option('--relay-key <key>', 'the relay access key, for a relay URL that carries none', relayKey)
    .option('--page-url <url>', 'the web page (env BANGUINS_PAGE_URL; default the deployed WebUrl, or derived from the relay)', pageUrl, process.env.BANGUINS_PAGE_URL || undefined)
    .action(async (opts: { relay?: string; relayKey?: string; pageUrl?: string }) => {
      try {
        const relay = await resolveRelayTarget({ flag: opts.relay, env: process.env.BANGUINS_RELAY || undefined, relayKey: opts.relayKey });
        process.stdout.write(`${pageUrlWithKey(opts.pageUrl ?? relay.pageUrl ?? defaultPageUrl(relay.url), relayKeyOf(relay.url))}\n`);
      } catch (error) {
        reportFailure(error, false, 'send');
        process.exitCode = 1;
      }
    });

  program
    .command('receive')
    .description('receive the files of a link printed by `banguins send`')
    .argument('<link>', 'the link (quote it: it contains &)')
    .option('--out <dir>', 'where to save the files', '.')
    .option('--force', 'overwrite files that already exist', false)
    .option('--relay-only', RELAY_ONLY_HELP)
    .option('--ice-server <url>', ICE_SERVER_HELP, iceServerUrl)
    .option('--json', 'print one JSON event per line instead of bars', false)
    .action(async (link: string, opts: { out: string; force: boolean; json: boolean } & PathFlags) => {
      const controller = abortOnInterrupt();
      try {
        await runReceive(link, { out: opts.out, force: opts.force, mode: reportModeFor(opts.json), signal: controller.signal, path: pathChoiceOf(opts) });
      } catch (error) {
        reportFailure(error, opts.json, 'receive');
        process.exitCode = controller.signal.aborted ? 130 : 1;
      }
    });

  return program;
}

/** Entry point of bin/banguins.js. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}

if (require.main === module) void main();
