import { createHash, randomBytes } from 'node:crypto';
import { toBase64Url } from '../protocol/base64';
import { encodeChunkPieces } from '../client/direct/chunk-pieces';
import type { SendOptions, SessionEvent } from '../client';
import type { DirectLink } from '../client/direct/direct-link';
import { loadNodeWebRtc, type WebRtcImplementation } from '../client/direct/node-webrtc';
import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import WebSocket from 'ws';
import { parsePairingLink } from '../client';
import { sealControl } from '../client/crypto/control-messages';
import { deriveSessionKeys, Sealer } from '../client/crypto/session-crypto';
import { sendOneFile } from '../support/node-client';
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
    const breaker = breakDirectPathAt(0.3, 'close');
    const received = await sendOneFile(relay.url, content, { sender: { webrtc, ...breaker.options }, receiver: { webrtc } });
    const { paths } = breaker;
    expect(breaker.broken()).toBe(true);
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual(['direct', 'relay']);
    expect(relayActions().get('Transfer')).toBeGreaterThan(0);
  });

  it('starts through the relay when no direct path opens, and moves to the direct path once one does', async () => {
    const content = randomBytes(24 * 1024 * 1024);
    let candidatesReach = false;
    const filter = () => candidatesReach;
    const paths: string[] = [];
    let relayTransfersAtSwitch = -1;
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        directCandidateFilter: filter,
        directTimeoutMs: 400,
        directRetryMs: 100,
        onEvent: (event: SessionEvent) => {
          // The first attempt has failed once the file starts: from now on candidates get through.
          if (event.type === 'progress') candidatesReach = true;
          if (event.type === 'path') {
            paths.push(event.path);
            relayTransfersAtSwitch = relayActions().get('Transfer') ?? 0;
          }
        },
      },
      receiver: { webrtc, directCandidateFilter: filter },
    });
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual(['direct']);
    // Chunks went through the relay before the switch, and (nearly) none after it: a few may have been in flight.
    expect(relayTransfersAtSwitch).toBeGreaterThan(0);
    const chunks = Math.ceil(content.length / (96 * 1024));
    expect(relayActions().get('Transfer')!).toBeLessThan(relayTransfersAtSwitch + 40);
    expect(relayTransfersAtSwitch).toBeLessThan(chunks);
  });

  it('goes back to the direct path after it broke mid-transfer, byte-identical', async () => {
    const content = randomBytes(24 * 1024 * 1024);
    const breaker = breakDirectPathAt(0.1, 'drop');
    const received = await sendOneFile(relay.url, content, { sender: { webrtc, directRetryMs: 100, ...breaker.options }, receiver: { webrtc } });
    const { paths } = breaker;
    expect(breaker.broken()).toBe(true);
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual(['direct', 'relay', 'direct']);
  });

  it('ignores rtc signalling from a stranger who holds the link: the sender never takes it, and the transfer goes direct with its peer', async () => {
    const content = randomBytes(4 * 1024 * 1024);
    let link = '';
    const signalsTaken: string[] = [];
    const paths: string[] = [];
    let stranger: WebSocket | undefined;
    let strangerDone: Promise<void> | undefined;
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (directLink: DirectLink) => {
          const handle = directLink.handleSignal.bind(directLink);
          directLink.handleSignal = (signal) => {
            signalsTaken.push(JSON.stringify(signal));
            return handle(signal);
          };
        },
        onEvent: (event: SessionEvent) => {
          if (event.type === 'link') link = event.link;
          if (event.type === 'path') paths.push(event.path);
        },
      },
      receiver: {
        webrtc,
        onEvent: (event: SessionEvent) => {
          if (event.type !== 'paired' || strangerDone) return;
          // A third device with the link answers the sender's offer and sends it candidates, as the receiver would.
          strangerDone = strangerSignals(relay.url, link).then((socket) => void (stranger = socket));
        },
      },
    });
    await strangerDone;
    expect(received.equals(content)).toBe(true);
    expect(paths[0]).toBe('direct');
    expect(signalsTaken.some((signal) => signal.includes(STRANGER_MARK))).toBe(false);
    // The sender did take its receiver's signals (the hook sees them).
    expect(signalsTaken.some((signal) => signal.includes('"kind":"answer"'))).toBe(true);
    stranger?.close();
  });

  /** A piece's offset in its sealed chunk (client/direct/chunk-pieces.ts: after kind, fileid length, fileid and three numbers). */
  function pieceOffset(piece: Uint8Array): number {
    return new DataView(piece.buffer, piece.byteOffset).getUint32(2 + piece[1]! + 12);
  }

  it('sends the chunks as binary pieces of at most 64 KiB, a 96 KB chunk in two', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    const sizes: number[] = [];
    let textFrames = 0;
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (link: DirectLink) => {
          const sendBinary = link.sendBinary.bind(link);
          const send = link.send.bind(link);
          link.sendBinary = (bytes: Uint8Array) => (sizes.push(bytes.length), sendBinary(bytes));
          link.send = (text: string) => (textFrames++, send(text));
        },
      },
      receiver: { webrtc },
    });
    expect(received.equals(content)).toBe(true);
    expect(textFrames).toBe(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    // 2 MiB in 96 KB chunks (22) as two pieces each, and the manifest's chunk.
    expect(sizes.length).toBeGreaterThanOrEqual(2 * Math.ceil(content.length / 96_256) + 1);
    expect(relayActions().get('Transfer')).toBeUndefined();
  });

  it('drops binary messages over the data channel that are not pieces of a chunk sealed with the session key, without effect on the file', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    let injected = 0;
    const forged = (chunkid: number): Uint8Array[] => {
      const sealed = new Uint8Array(randomBytes(96_284));
      const chunkhash = toBase64Url(createHash('sha256').update(sealed).digest());
      return encodeChunkPieces({ fileid: 'f0', chunkid, chunktotal: Math.ceil(content.length / 96_256), chunkhash, sealed })!;
    };
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (link: DirectLink) => {
          const sendBinary = link.sendBinary.bind(link);
          let pieces = 0;
          link.sendBinary = (bytes: Uint8Array) => {
            // Before some real chunks: garbage, an unknown kind, a lone continuation, and a whole forged chunk
            // (well-formed pieces, a right hash, but not sealed with the session key) in the place of the next chunk.
            if (pieces++ % 6 === 0 && pieceOffset(bytes) === 0) {
              const chunkid = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2 + bytes[1]!);
              const [first, second] = forged(chunkid);
              for (const junk of [randomBytes(500), Buffer.from([2, ...bytes.subarray(1, 200)]), second!, first!, second!]) {
                sendBinary(new Uint8Array(junk));
                injected++;
              }
            }
            return sendBinary(bytes);
          };
        },
      },
      receiver: { webrtc },
    });
    expect(injected).toBeGreaterThan(0);
    expect(received.equals(content)).toBe(true);
  });

  it('finishes through the relay, byte-identical, when the data channel closes between the two pieces of a chunk', async () => {
    const content = randomBytes(3 * 1024 * 1024);
    let link: DirectLink | undefined;
    let broken = false;
    const paths: string[] = [];
    const received = await sendOneFile(relay.url, content, {
      sender: {
        webrtc,
        onDirectLink: (l: DirectLink) => {
          link = l;
          const sendBinary = l.sendBinary.bind(l);
          let pieces = 0;
          l.sendBinary = (bytes: Uint8Array) => {
            const sent = sendBinary(bytes);
            // Past a third of the file, right after the first piece of a chunk: the second never goes this way.
            if (++pieces > 24 && !broken && pieceOffset(bytes) === 0) {
              broken = true;
              link!.close();
            }
            return sent;
          };
        },
        onEvent: (event: SessionEvent) => void (event.type === 'path' && paths.push(event.path)),
      },
      receiver: { webrtc },
    });
    expect(broken).toBe(true);
    expect(received.equals(content)).toBe(true);
    expect(paths).toEqual(['direct', 'relay']);
    expect(relayActions().get('Transfer')).toBeGreaterThan(0);
  });

  it('makes no offer to a receiver that cannot go direct (a relay-only page or CLI): the file starts through the relay at once', async () => {
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

/**
 * Sender options that break the direct path once the file is `fraction` sent: `close` for good (the
 * rest goes through the relay), `drop` only the channel (a later offer may open another). The
 * sender's path events land in `paths`.
 */
function breakDirectPathAt(fraction: number, how: 'close' | 'drop'): { options: Partial<SendOptions>; paths: string[]; broken: () => boolean } {
  let link: DirectLink | undefined;
  let broken = false;
  const paths: string[] = [];
  const options: Partial<SendOptions> = {
    onDirectLink: (l: DirectLink) => (link = l),
    onEvent: (event: SessionEvent) => {
      if (event.type === 'path') paths.push(event.path);
      if (event.type === 'progress' && !broken && event.bytes >= fraction * event.size) {
        broken = true;
        if (how === 'close') link!.close();
        else link!.drop();
      }
    },
  };
  return { options, paths, broken: () => broken };
}

/** What marks the stranger's signals. */
const STRANGER_MARK = 'stranger-6666';

/**
 * A stranger who holds the link: connects to the relay and sends the sender an answer and
 * candidates sealed with the receiver's key, as the real receiver does, a few times over the
 * first second (so some arrive while the sender waits for its receiver's answer).
 */
async function strangerSignals(relayUrl: string, link: string): Promise<WebSocket> {
  const pairing = parsePairingLink(link);
  const keys = await deriveSessionKeys(pairing.secret);
  const sealer = new Sealer(keys.receiverKey);
  const socket = new WebSocket(relayUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const request = async (signal: object) =>
    socket.send(JSON.stringify({ action: 'Request', message: { connectionid: pairing.senderId, qrhash: keys.qrhash, message: await sealControl(sealer, signal as never) } }));
  for (let round = 0; round < 10; round++) {
    await request({ t: 'rtc', kind: 'answer', attempt: 0, sdp: `v=0\r\no=${STRANGER_MARK} 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n` });
    await request({ t: 'rtc', kind: 'candidate', attempt: 0, candidate: `candidate:1 1 udp 1 127.0.0.1 9 typ host ufrag ${STRANGER_MARK}`, sdpMid: '0' });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return socket;
}
