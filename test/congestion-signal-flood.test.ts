import { randomBytes } from 'node:crypto';
import { bytesSource, receiveFiles, sendFiles, type SendSummary } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { parseFrame, startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

describe('a flood of congestion signals from the relay', () => {
  let relay: LocalRelay;
  let mitm: RelayInTheMiddle;

  beforeAll(async () => {
    relay = await startTestRelay();
    mitm = await startRelayInTheMiddle(relay.url);
  });
  afterAll(async () => {
    await mitm.close();
    await relay.close();
  });

  it('is acted on at most once per round trip (about 50 ms at least): 6,000 PeerBusy frames in 1.5 s cut the window a few dozen times, and the file still arrives whole', async () => {
    // GIVEN a relay that, once the file's chunks flow, answers the sender with PeerBusy 40 times every 10 ms
    let injected = 0;
    let flooding = false;
    mitm.setRewriter((text, direction, connection) => {
      const frame = parseFrame(text);
      if (!flooding && direction === 'to-relay' && frame?.action === 'Transfer' && frame.message?.fileid === 'f0') {
        flooding = true;
        const peer = frame.message.connectionid;
        const busy = JSON.stringify({ action: 'Error', message: { code: 'PeerBusy', reason: 'the peer is not reading', request: 'Transfer', connectionid: peer } });
        const timer = setInterval(() => {
          for (let i = 0; i < 40; i++) connection.toClient(busy);
          injected += 40;
          if (injected >= 6000) clearInterval(timer);
        }, 10);
      }
      return 'pass';
    });
    const content = randomBytes(3_000_000);
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    // Paced so that the transfer outlasts the flood.
    const tuning = { ...QUICK_TUNING, pacingPerSecond: 20 };
    const sending: Promise<SendSummary> = sendFiles({
      relayUrl: mitm.url,
      WebSocket: NODE_WS,
      files: [{ name: 'f.bin', source: bytesSource(content) }],
      tuning,
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    });
    const parts: Buffer[] = [];
    await receiveFiles({ link: await link, WebSocket: NODE_WS, tuning, lingerMs: 200, openSink: async () => collectingSink(parts) });
    const summary = await sending;
    // THEN the sender acted on a few signals, not on each, and nothing was lost
    expect(injected).toBeGreaterThanOrEqual(6000);
    expect(summary.congestion.signals).toBeGreaterThan(0);
    expect(summary.congestion.signals).toBeLessThan(100);
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  }, 60_000);
});
