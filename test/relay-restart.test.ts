import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bytesSource, receiveFiles, RelayUnreachableError, sendFiles, type ByteSink } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { runCliJson as runCli } from './support/cli-process';
import { NODE_WS } from '../support/node-client';

/**
 * The relay process goes away mid-transfer (its `close()` drops every socket and runs `$disconnect`)
 * and a new one comes up on the same port: both CLI processes reconnect, and the rejoin Request
 * pairs their new connections although each only knows the other's old id.
 */
describe('banguins send | receive across a relay restart', () => {
  let work: string;
  const relays: LocalRelay[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'banguins-restart-'));
  });
  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.close()));
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ['the same table', false],
    ['a new, empty table', true],
  ])('GIVEN a transfer under way, WHEN the relay is stopped and started again on its port over %s, THEN the file arrives whole and nothing partial is left', async (_, newTable) => {
    const first = await startTestRelay();
    relays.push(first);
    const source = path.join(work, `src-${randomUUID()}`, 'restart.bin');
    await mkdir(path.dirname(source), { recursive: true });
    // Large enough that the restart lands mid-transfer: up to a window of 64 chunks of 96 KB (6 MB)
    // may be in flight beyond what the sender has seen acknowledged.
    const data = randomBytes(24_000_000);
    await writeFile(source, data);
    const out = path.join(work, `out-${randomUUID()}`);

    let restarted: Promise<LocalRelay> | undefined;
    let bytesAtRestart = -1;
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', source, '--relay', first.url, '--json'], (event) => {
      if (event.type === 'link') gotLink(event.link as string);
      // At the first progress line: --json writes the next ones at most every 250 ms, about the
      // time the whole 24 MB takes on a quiet machine.
      if (!restarted && event.type === 'progress' && (event.bytes as number) > 0) {
        bytesAtRestart = event.bytes as number;
        // WHEN the relay stops (every socket dropped) and a new one listens on the same port
        restarted = first.close().then(async () => {
          const second = await startTestRelay({ port: first.port, ...(newTable ? {} : { tableName: first.tableName }) });
          relays.push(second);
          return second;
        });
      }
    });
    const receiver = runCli(['receive', await link, '--out', out, '--json']);
    const [sent, received] = await Promise.all([sender.done, receiver.done]);
    await restarted;

    // THEN the restart happened mid-transfer, both processes succeeded, and both saw the resume
    expect(bytesAtRestart).toBeGreaterThan(0);
    expect(bytesAtRestart).toBeLessThan(data.length);
    expect({ sender: sent.code, receiver: received.code, stderr: received.stderr + sent.stderr }).toEqual({ sender: 0, receiver: 0, stderr: '' });
    expect(sent.stdout).toContain('"type":"resumed"');
    expect(received.stdout).toContain('"type":"resumed"');
    // AND the file is byte for byte the original, with no partial file beside it
    expect((await readFile(path.join(out, 'restart.bin'))).equals(data)).toBe(true);
    expect(await readdir(out)).toEqual(['restart.bin']);
  }, 90_000);
});

describe('client sessions when the relay stops and does not come back', () => {
  it('GIVEN a transfer under way, WHEN the relay stops for good, THEN both sides fail with one RelayUnreachable line and the partial file is discarded, never committed', async () => {
    const relay = await startTestRelay();
    // More than a full window (64 x 96 KB) beyond the 500 KB mark, so the stop always lands mid-transfer.
    const data = randomBytes(16_000_000);
    const sinkEnds: string[] = [];
    let stopped: Promise<void> | undefined;
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const resumeTimeoutMs = 3000;

    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'lost.bin', source: bytesSource(data) }],
      resumeTimeoutMs,
      onEvent: (event) => {
        if (event.type === 'link') gotLink(event.link);
        // WHEN the relay stops mid-transfer and nothing listens on its port again
        if (!stopped && event.type === 'progress' && event.bytes > 500_000) stopped = relay.close();
      },
    });
    const receiving = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      resumeTimeoutMs,
      openSink: async (): Promise<ByteSink> => ({
        write: async () => undefined,
        commit: async () => void sinkEnds.push('commit'),
        abort: async () => void sinkEnds.push('abort'),
      }),
    });
    const outcomes = await Promise.allSettled([sending, receiving]);
    await stopped;

    // THEN each side fails with RelayUnreachable and one line of text, and the file was aborted, not committed
    expect(stopped).toBeDefined();
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(RelayUnreachableError);
      expect(reason.message).toMatch(/^lost the relay and could not reconnect: /);
      expect(reason.message).not.toContain('\n');
    }
    expect(sinkEnds).toEqual(['abort']);
  }, 60_000);
});
