import { randomBytes } from 'node:crypto';
import { bytesSource, CancelledError, PeerGoneError, receiveFiles, RelayUnreachableError, sendFiles, type ByteSource, type SessionEvent } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

type Interrupted = Extract<SessionEvent, { type: 'interrupted' }>;

/** A file whose reads never finish: its sender stays paired and waiting, sending nothing. */
const heldSource = (size: number): ByteSource => ({ size, read: () => new Promise<Uint8Array>(() => undefined) });

/** The same link with its relay swapped for `relayUrl` (the receiver then goes through it). */
function throughRelay(link: string, relayUrl: string): string {
  return link.replace(/relay=[^&]+/, `relay=${encodeURIComponent(relayUrl)}`);
}

describe('a session that waits says until when (interrupted: givesUpAt, givesUpInMs)', () => {
  let relay: LocalRelay;
  let proxy: RelayInTheMiddle;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());
  beforeEach(async () => {
    proxy = await startRelayInTheMiddle(relay.url);
  });
  afterEach(() => proxy.close());

  /** A sender straight to the relay; its link, its events, and a way to stop it. */
  function startSender(source: ByteSource, resumeTimeoutMs?: number) {
    const stop = new AbortController();
    const events: SessionEvent[] = [];
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'wait.bin', source }],
      tuning: QUICK_TUNING,
      signal: stop.signal,
      resumeTimeoutMs,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'link') gotLink(event.link);
      },
    });
    sending.catch(() => undefined);
    return { link, sending, events, stop: () => stop.abort() };
  }

  it('own socket: the deadline is the end of the reconnect window, and the session gives up at it, not before', async () => {
    const windowMs = 3000;
    const sender = startSender(heldSource(1000));
    const events: SessionEvent[] = [];
    let closedAt = 0;
    const receiving = receiveFiles({
      link: throughRelay(await sender.link, proxy.url),
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      resumeTimeoutMs: windowMs,
      openSink: async () => collectingSink([]),
      onEvent: (event) => {
        events.push(event);
        // The relay goes away for good (nothing listens there any more) once the two sides paired.
        if (event.type === 'paired') {
          closedAt = Date.now();
          void proxy.close();
        }
      },
    });
    const error = await receiving.catch((e: unknown) => e);
    const failedAt = Date.now();
    sender.stop();

    const interrupted = events.find((e): e is Interrupted => e.type === 'interrupted');
    expect(interrupted).toMatchObject({ type: 'interrupted', reason: 'own-socket', givesUpInMs: windowMs });
    expect(interrupted!.givesUpAt).toBeGreaterThanOrEqual(closedAt + windowMs);
    expect(error).toBeInstanceOf(RelayUnreachableError);
    expect(failedAt).toBeGreaterThanOrEqual(interrupted!.givesUpAt);
  });

  it('peer away: the deadline is the end of the resume window, and the session gives up at it, not before', async () => {
    const windowMs = 3000;
    const sender = startSender(bytesSource(randomBytes(2_000_000)), windowMs);
    const stopReceiver = new AbortController();
    const receiving = receiveFiles({
      link: throughRelay(await sender.link, proxy.url),
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      signal: stopReceiver.signal,
      openSink: async () => collectingSink([]),
      // The receiver vanishes (its relay path goes away for good) once it knows the files.
      onEvent: (event) => event.type === 'files' && void proxy.close(),
    });
    receiving.catch(() => undefined);
    const error = await sender.sending.catch((e: unknown) => e);
    const failedAt = Date.now();
    stopReceiver.abort();

    const interrupted = sender.events.find((e): e is Interrupted => e.type === 'interrupted');
    expect(interrupted).toMatchObject({ type: 'interrupted', reason: 'peer-gone', givesUpInMs: windowMs });
    expect(error).toBeInstanceOf(PeerGoneError);
    expect(failedAt).toBeGreaterThanOrEqual(interrupted!.givesUpAt);
  });

  it('a cancel during the wait ends the session as cancelled, without waiting out the window', async () => {
    const sender = startSender(heldSource(1000));
    const stopReceiver = new AbortController();
    const events: SessionEvent[] = [];
    const receiving = receiveFiles({
      link: throughRelay(await sender.link, proxy.url),
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      // Far longer than the test may run: only the cancel can end it.
      resumeTimeoutMs: 10 * 60_000,
      signal: stopReceiver.signal,
      openSink: async () => collectingSink([]),
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'paired') void proxy.close();
        if (event.type === 'interrupted') stopReceiver.abort();
      },
    });
    await expect(receiving).rejects.toBeInstanceOf(CancelledError);
    sender.stop();
    expect(events.map((e) => e.type)).toEqual(['paired', 'interrupted']);
  });
});
