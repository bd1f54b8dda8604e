import { randomBytes } from 'node:crypto';
import { bytesSource, receiveFiles, sendFiles } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

describe('how a cancel and a taken link are told', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  /** A sender of one slow file; resolves its link. */
  function slowSender(signal?: AbortSignal) {
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'f.bin', source: bytesSource(randomBytes(4_000_000)) }],
      tuning: { ...QUICK_TUNING, pacingPerSecond: 10 },
      signal,
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    });
    sending.catch(() => undefined);
    return { link, sending };
  }

  it('a receiver that cancels is reported by the sender once, not as "the receiver cancelled: the receiver cancelled"', async () => {
    const { link, sending } = slowSender();
    const stop = new AbortController();
    const receiving = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      signal: stop.signal,
      openSink: async () => collectingSink([]),
      onEvent: (event) => event.type === 'progress' && stop.abort(),
    });
    await expect(receiving).rejects.toMatchObject({ code: 'Cancelled', message: 'the receiver cancelled' });
    await expect(sending).rejects.toMatchObject({ code: 'Cancelled', message: 'the receiver cancelled: stopped by the user' });
  }, 30_000);

  it('a second device that opens a link already in use is told so (LinkInUse), and the first transfer goes on', async () => {
    const { link, sending } = slowSender();
    // The first device pairs before the second opens the link (otherwise either could be first).
    let firstPaired!: () => void;
    const paired = new Promise<void>((resolve) => (firstPaired = resolve));
    const first = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      lingerMs: 100,
      openSink: async () => collectingSink([]),
      onEvent: (event) => event.type === 'paired' && firstPaired(),
    });
    await paired;
    let secondPaired = false;
    const watched = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      openSink: async () => collectingSink([]),
      onEvent: (event) => (secondPaired ||= event.type === 'paired'),
    });
    await expect(watched).rejects.toMatchObject({ code: 'LinkInUse', message: expect.stringMatching(/^the link is in use by another device/) });
    expect(secondPaired).toBe(false);
    await expect(first).resolves.toMatchObject({ bytes: 4_000_000 });
    await expect(sending).resolves.toMatchObject({ bytes: 4_000_000 });
  }, 60_000);
});
