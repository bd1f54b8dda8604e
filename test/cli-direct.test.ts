import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { runCli, runCliJson } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';

/** The CLI's default (the test support runs it relay-only unless told otherwise). */
const TRY_DIRECT = { BANGUINS_RELAY_ONLY: '' };

describe('banguins send | receive, direct by default', () => {
  let relay: LocalRelay;
  let work: string;
  const tapped: TappedFrame[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => void (frame.direction === 'in' && tapped.push(frame)) } });
    work = await mkdtemp(path.join(tmpdir(), 'banguins-cli-direct-'));
  });
  afterAll(async () => {
    await relay.close();
    await rm(work, { recursive: true, force: true });
  });

  let runs = 0;
  beforeEach(() => {
    tapped.length = 0;
  });

  /** Runs `send` and `receive` of one random file with `--json`, each with its extra arguments and environment; every event kept. */
  async function transfer(name: string, side: { send: Side; receive: Side }) {
    const file = path.join(work, name);
    const content = randomBytes(5_000_000);
    await writeFile(file, content);
    const out = path.join(work, `out-${name}`);
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const senderEvents: Record<string, unknown>[] = [];
    const receiverEvents: Record<string, unknown>[] = [];
    const sender = runCliJson(
      ['send', file, '--relay', relay.url, '--json', ...side.send.args],
      (event) => {
        if (event.type === 'link') gotLink(event.link as string);
        senderEvents.push(event);
      },
      side.send.env,
    );
    const receiver = runCliJson(['receive', await link, '--out', out, '--json', ...side.receive.args], (event) => receiverEvents.push(event), side.receive.env);
    const [sent, received] = await Promise.all([sender.done, receiver.done]);
    expect([sent.code, received.code, sent.stderr, received.stderr]).toEqual([0, 0, '', '']);
    expect((await readFile(path.join(out, name))).equals(content)).toBe(true);
    const paths = (events: Record<string, unknown>[]) => events.filter((event) => event.type === 'path').map((event) => event.path);
    const chunksThroughRelay = tapped.filter((frame) => frame.data.startsWith('{"action":"Transfer"')).length;
    return { senderPaths: paths(senderEvents), receiverPaths: paths(receiverEvents), chunksThroughRelay, receiverEvents };
  }

  it('carries the file over a direct WebRTC path by default: both say so, progress names the path and its rate, and the relay sees no chunk', async () => {
    const run = await transfer('direct.bin', { send: { args: [], env: TRY_DIRECT }, receive: { args: [], env: TRY_DIRECT } });
    expect(run.senderPaths).toEqual(['direct']);
    expect(run.receiverPaths).toEqual(['direct']);
    expect(run.chunksThroughRelay).toBe(0);
    const lastProgress = run.receiverEvents.filter((event) => event.type === 'progress').at(-1)!;
    expect(lastProgress).toMatchObject({ path: 'direct', totalBytes: 5_000_000 });
    expect(typeof lastProgress.bytesPerSecond).toBe('number');
  }, 60_000);

  it.each([
    ['the sender', { send: { args: ['--relay-only'], env: TRY_DIRECT }, receive: { args: [], env: TRY_DIRECT } }],
    ['the receiver', { send: { args: [], env: TRY_DIRECT }, receive: { args: ['--relay-only'], env: TRY_DIRECT } }],
    ['the receiver, by BANGUINS_RELAY_ONLY=1', { send: { args: [], env: TRY_DIRECT }, receive: { args: [], env: { BANGUINS_RELAY_ONLY: '1' } } }],
  ])('keeps every chunk on the relay when %s says relay-only', async (_who, sides) => {
    const run = await transfer(`relay-only-${++runs}.bin`, sides);
    expect(run.senderPaths).toEqual([]);
    expect(run.receiverPaths).toEqual([]);
    expect(run.chunksThroughRelay).toBeGreaterThan(40);
    expect(run.receiverEvents.filter((event) => event.type === 'progress').at(-1)).toMatchObject({ path: 'relay' });
  }, 60_000);

  it('goes direct with an unreachable STUN server given (host candidates still meet)', async () => {
    const unreachableStun = { args: ['--ice-server', 'stun:127.0.0.1:9'], env: TRY_DIRECT };
    const run = await transfer('stun.bin', { send: unreachableStun, receive: { args: [], env: { ...TRY_DIRECT, BANGUINS_ICE_SERVERS: 'stun:127.0.0.1:9,stun:127.0.0.1:10' } } });
    expect(run.senderPaths).toEqual(['direct']);
    expect(run.chunksThroughRelay).toBe(0);
  }, 60_000);

  it.each([
    ['--ice-server that is not a stun: or turn: URL', ['--ice-server', 'http://stun.example.org'], {}, /--ice-server.*expected a stun: or turn: URL/],
    ['--ice-server with a newline', ['--ice-server', 'stun:a\nb'], {}, /expected a stun: or turn: URL/],
    ['BANGUINS_ICE_SERVERS naming a web page', [], { BANGUINS_ICE_SERVERS: 'stun:ok.example, https://evil.example/' }, /BANGUINS_ICE_SERVERS: https:\/\/evil\.example\/ is not a stun: or turn: URL/],
  ])('refuses %s in one line, before connecting', async (_what, args, env, message) => {
    const file = path.join(work, 'never-sent.bin');
    await writeFile(file, 'x');
    const run = runCli(['send', file, '--relay', relay.url, ...args], undefined, env);
    const finished = await run.done;
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(message);
    expect(finished.stdout).not.toMatch(/Waiting for the receiver/);
  }, 30_000);
});

/** One side's extra command-line arguments and environment. */
interface Side {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}
