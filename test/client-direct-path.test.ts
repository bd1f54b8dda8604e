import { randomBytes } from 'node:crypto';
import type { SessionEvent } from '../client';
import type { DirectLink } from '../client/direct/direct-link';
import { loadNodeWebRtc, type WebRtcImplementation } from '../client/direct/node-webrtc';
import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { sendOneFile } from './support/node-client';
import { startTestRelay } from './support/start-test-relay';

/**
 * The direct path (issue 19), client library to client library in this process, with real
 * @roamhq/wrtc peers over loopback host candidates and the real local relay: the chunks go over the
 * data channel when it opens, through the relay when it cannot, and finish through the relay when
 * it closes mid-transfer.
 */
describe('direct path', () => {
  let relay: LocalRelay;
  let webrtc: WebRtcImplementation;
  const taps: TappedFrame[] = [];

  beforeAll(async () => {
    const loaded = await loadNodeWebRtc();
    // No skipping: this file needs the optional dependency installed.
    if (!loaded) throw new Error('@roamhq/wrtc did not load: install it (an optionalDependency) to run these tests');
    webrtc = loaded;
    relay = await startTestRelay({ taps: { frames: (frame) => void (frame.direction === 'in' && taps.push(frame)) } });
  });

  afterAll(async () => {
    await relay.close();
  });

  beforeEach(() => {
    taps.length = 0;
  });

  /** What the clients sent the relay, by action. */
  function relayActions(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const frame of taps) {
      const action = /^\{"action":"(\w+)"/.exec(frame.data)?.[1] ?? 'other';
      counts.set(action, (counts.get(action) ?? 0) + 1);
    }
    return counts;
  }

  it('sends the file over the data channel: the relay carries only pairing and signalling', async () => {
    const content = randomBytes(3 * 1024 * 1024);
    const senderPaths: string[] = [];
    const receiverPaths: string[] = [];
    const received = await sendOneFile(relay.url, content, {
      sender: { webrtc, onEvent: (event: SessionEvent) => event.type === 'path' && senderPaths.push(event.path) },
      receiver: { webrtc, onEvent: (event: SessionEvent) => event.type === 'path' && receiverPaths.push(event.path) },
    });
    expect(received.equals(content)).toBe(true);
    expect(senderPaths[0]).toBe('direct');
    expect(receiverPaths[0]).toBe('direct');
    const actions = relayActions();
    expect(actions.get('Transfer')).toBeUndefined();
    expect(actions.get('Acknowledge')).toBeUndefined();
    // Hellos, rtc signalling, the receipt and the bye.
    expect(actions.get('Request')).toBeGreaterThan(2);
  });

  it('falls back to the relay when no candidate reaches the peer, and completes', async () => {
    const content = randomBytes(1024 * 1024);
    const paths: string[] = [];
    const noCandidates = () => false;
    const received = await sendOneFile(relay.url, content, {
      sender: { webrtc, directCandidateFilter: noCandidates, directTimeoutMs: 500, onEvent: (event: SessionEvent) => event.type === 'path' && paths.push(event.path) },
      receiver: { webrtc, directCandidateFilter: noCandidates },
    });
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual([]);
    expect(relayActions().get('Transfer')).toBeGreaterThan(0);
  });

  it('finishes through the relay, byte-identical, when the data channel closes at 30% of the file', async () => {
    const content = randomBytes(4 * 1024 * 1024);
    let link: DirectLink | undefined;
    let broken = false;
    const paths: string[] = [];
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (l: DirectLink) => (link = l),
        onEvent: (event: SessionEvent) => {
          if (event.type === 'path') paths.push(event.path);
          if (event.type === 'progress' && !broken && event.bytes >= 0.3 * event.size) {
            broken = true;
            link!.close();
          }
        },
      },
      receiver: { webrtc },
    });
    expect(broken).toBe(true);
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual(['direct', 'relay']);
    expect(relayActions().get('Transfer')).toBeGreaterThan(0);
  });

  it('makes no offer to a receiver that cannot go direct (a page, a CLI without --direct): the file starts through the relay at once', async () => {
    const content = randomBytes(500_000);
    let offers = 0;
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (link: DirectLink) => {
          const offer = link.offer.bind(link);
          link.offer = (timeoutMs: number) => {
            offers++;
            return offer(timeoutMs);
          };
        },
      },
    });
    expect(received.equals(content)).toBe(true);
    expect(offers).toBe(0);
    expect(relayActions().get('Transfer')).toBeGreaterThan(0);
  });
});
