import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { bytesSource, sendFiles, type ByteSource } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { NODE_WS } from '../support/node-client';
import { startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { cliTestEnv, runCli, runCliJson } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';

const BIN = path.join(__dirname, '..', 'bin', 'banguins.js');

/** A file whose reads never finish: its sender stays paired and waiting. */
const heldSource: ByteSource = { size: 1000, read: () => new Promise<Uint8Array>(() => undefined) };

/** Every "(gives up in m:ss)" in `text`, in seconds, in the order printed. */
function countdownSeconds(text: string): number[] {
  return [...text.matchAll(/\(gives up in (\d+):(\d\d)\)/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
}

/** Resolves once `done()` holds (looked at now and on every chunk of output `onData` reports). */
function waitFor(onData: (listener: () => void) => void, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done()) resolve();
    onData(() => done() && resolve());
  });
}

describe('banguins receive counts down while its relay is away, and Ctrl-C still ends it', () => {
  let relay: LocalRelay;
  let proxy: RelayInTheMiddle;
  let out: string;
  let stopSender: AbortController;
  let link: string;
  /** A terminal's `script` still running when a test ends (it failed) is killed, and the CLI in it hangs up with it. */
  let terminal: ChildProcess | undefined;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());
  beforeEach(async () => {
    proxy = await startRelayInTheMiddle(relay.url);
    out = mkdtempSync(path.join(tmpdir(), 'banguins-countdown-'));
    stopSender = new AbortController();
    let gotLink!: (link: string) => void;
    const linked = new Promise<string>((resolve) => (gotLink = resolve));
    // The sender talks to the relay itself, slowly (5 chunks a second); the receiver's link goes
    // through the proxy, which the test closes for good.
    sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'slow.bin', source: bytesSource(randomBytes(10_000_000)) }],
      tuning: { pacingPerSecond: 5 },
      signal: stopSender.signal,
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    }).catch(() => undefined);
    link = (await linked).replace(/relay=[^&]+/, `relay=${encodeURIComponent(proxy.url)}`);
  });
  afterEach(async () => {
    if (terminal?.exitCode === null) terminal.kill('SIGKILL');
    stopSender.abort();
    await proxy.close();
    rmSync(out, { recursive: true, force: true });
  });

  /** `banguins receive` of the link in a real terminal (a pty through util-linux `script`), drawing as it does for a person. */
  function receiveInTerminal() {
    const child = (terminal = spawn('script', ['-qefc', `'${process.execPath}' '${BIN}' receive '${link}' --out '${out}'`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: cliTestEnv(),
    }));
    const shown = { screen: '' };
    const listeners: Array<() => void> = [];
    child.stdout!.on('data', (data: Buffer) => {
      shown.screen += data.toString();
      for (const listener of listeners) listener();
    });
    return {
      shown,
      exited: new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))),
      /** Resolves once what the terminal shows satisfies `done`. */
      until: (done: (screen: string) => boolean) => waitFor((listener) => listeners.push(listener), () => done(shown.screen)),
      pressCtrlC: () => child.stdin!.write('\x03'),
    };
  }

  it('on a terminal, mid-file: the bar gives way to one line redrawn every second, "(gives up in 2:00)" then less; Ctrl-C exits 130', async () => {
    const tty = receiveInTerminal();
    // The progress bar is up, naming the file.
    await tty.until((screen) => screen.includes(' slow.bin |'));
    await proxy.close();
    // Three redraws: 2:00 and two seconds less.
    await tty.until((screen) => new Set(countdownSeconds(screen)).size >= 3);
    const seconds = countdownSeconds(tty.shown.screen);
    expect(seconds[0]).toBe(120);
    expect(seconds.every((s, i) => i === 0 || s <= seconds[i - 1]!)).toBe(true);
    expect(tty.shown.screen).toContain('\r\x1b[2KConnection to the relay lost, reconnecting... (gives up in 1:59)');

    tty.pressCtrlC();
    expect(await tty.exited).toBe(130);
    expect(tty.shown.screen).toContain('banguins: the receiver cancelled');
    // The bar never came back without its fields (cli-progress forgets them when it stops).
    expect(tty.shown.screen).not.toContain('{file}');
  });

  it('on a terminal, mid-file with no wait: Ctrl-C exits 130 (the bar stops with the session and keeps nothing running)', async () => {
    const tty = receiveInTerminal();
    await tty.until((screen) => screen.includes(' slow.bin |'));
    tty.pressCtrlC();
    expect(await tty.exited).toBe(130);
    expect(tty.shown.screen).toContain('banguins: the receiver cancelled');
  });

  it('without a terminal: a line with the time left; Ctrl-C exits 130', async () => {
    const lines: string[] = [];
    const plain = runCli(['receive', link, '--out', out], (line) => {
      lines.push(line);
      if (line === 'Connected to the sender.') void proxy.close();
      if (line.includes('gives up in')) plain.child.kill('SIGINT');
    });
    const stopped = await plain.done;
    expect(stopped.code).toBe(130);
    expect(lines).toContain('Connection to the relay lost, reconnecting... (gives up in 2:00)');
    expect(stopped.stderr).toBe('banguins: the receiver cancelled\n');
  });
});

describe('banguins receive --json says when a wait gives up', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  it('the interrupted event has givesUpInMs (120000) and givesUpAt', async () => {
    const proxy = await startRelayInTheMiddle(relay.url);
    const out = mkdtempSync(path.join(tmpdir(), 'banguins-countdown-json-'));
    const stop = new AbortController();
    try {
      let gotLink!: (link: string) => void;
      const linked = new Promise<string>((resolve) => (gotLink = resolve));
      sendFiles({ relayUrl: relay.url, WebSocket: NODE_WS, files: [{ name: 'held.bin', source: heldSource }], signal: stop.signal, onEvent: (e) => e.type === 'link' && gotLink(e.link) }).catch(
        () => undefined,
      );
      const link = (await linked).replace(/relay=[^&]+/, `relay=${encodeURIComponent(proxy.url)}`);
      const events: Record<string, unknown>[] = [];
      let closedAt = 0;
      const receiver = runCliJson(['receive', link, '--out', out, '--json'], (event) => {
        events.push(event);
        if (event.type === 'paired') {
          closedAt = Date.now();
          void proxy.close();
        }
        if (event.type === 'interrupted') receiver.child.kill('SIGINT');
      });
      const stopped = await receiver.done;
      expect(stopped.code).toBe(130);
      const interrupted = events.find((e) => e.type === 'interrupted')!;
      expect(interrupted).toMatchObject({ type: 'interrupted', reason: 'own-socket', givesUpInMs: 120_000 });
      expect(interrupted.givesUpAt).toBeGreaterThanOrEqual(closedAt + 120_000);
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'Cancelled' });
    } finally {
      stop.abort();
      await proxy.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
