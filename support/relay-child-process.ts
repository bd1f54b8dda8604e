import type { LocalRelay } from '../local/local-relay';

/**
 * The protocol of a local relay run as a child process (support/fuzz/relay-child.ts,
 * support/bundled-relay-child.ts): starts it with `start`, prints `READY <url>` once listening,
 * closes it on SIGTERM, and prints `FAILED <message>` (exit 2) if it cannot start.
 */
export function runRelayChild(start: () => Promise<LocalRelay>): void {
  start().then(
    (relay) => {
      process.stdout.write(`READY ${relay.url}\n`);
      process.once('SIGTERM', () => {
        void relay.close().finally(() => process.exit(0));
      });
    },
    (error: unknown) => {
      process.stdout.write(`FAILED ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
