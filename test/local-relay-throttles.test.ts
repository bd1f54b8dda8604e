import WebSocket from 'ws';
import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { startRelayProcess } from './support/local-relay-process';
import { startTestRelay } from './support/start-test-relay';

/** Opens a raw socket to `url`; resolves with it open, or rejects with ws's error (e.g. "Unexpected server response: 429"). */
function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The next `count` text frames a socket receives. */
function nextFrames(socket: WebSocket, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const onMessage = (data: WebSocket.RawData) => {
      frames.push(data.toString());
      if (frames.length === count) {
        socket.off('message', onMessage);
        resolve(frames);
      }
    };
    socket.on('message', onMessage);
  });
}

/** A relay whose log lines (`throttled …`) the test reads. */
async function throttledRelay(routeThrottles: Record<string, { rateLimit: number; burstLimit: number }>, inbound: TappedFrame[] = []): Promise<{ relay: LocalRelay; lines: string[] }> {
  const lines: string[] = [];
  const relay = await startTestRelay({
    routeThrottles,
    log: { line: (text) => void lines.push(text) },
    taps: { frames: (frame) => void (frame.direction === 'in' && inbound.push(frame)) },
  });
  return { relay, lines };
}

/** The local relay's per-route throttles answer as API Gateway does (issue 21 item 3). */
describe('a throttled local relay', () => {
  it('drops a message over its route throttle and answers API Gateway\'s "Limit Exceeded" frame; no route runs', async () => {
    const { relay, lines } = await throttledRelay({ Connect: { rateLimit: 1, burstLimit: 2 } });
    try {
      const socket = await openSocket(relay.url);
      const answers = nextFrames(socket, 3);
      for (let i = 0; i < 3; i++) socket.send('{"action":"Connect"}');
      const frames = await answers;
      socket.close();
      expect(frames.filter((frame) => frame.startsWith('{"action":"Connect"'))).toHaveLength(2);
      const throttled = frames.filter((frame) => !frame.startsWith('{"action":"Connect"'));
      expect(throttled).toHaveLength(1);
      expect(throttled[0]).toMatch(/^\{"message": "Limit Exceeded", "connectionId":"[A-Za-z0-9+/=_-]+", "requestId":"[A-Za-z0-9+/=_-]+"\}$/);
      expect(lines.filter((line) => line.startsWith('throttled Connect '))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith('route     Connect '))).toHaveLength(2);
    } finally {
      await relay.close();
    }
  });

  it('refuses a handshake over the $connect throttle with 429 before $connect runs', async () => {
    const { relay, lines } = await throttledRelay({ $connect: { rateLimit: 1, burstLimit: 2 } });
    try {
      const sockets = await Promise.all([openSocket(relay.url), openSocket(relay.url)]);
      await expect(openSocket(relay.url)).rejects.toThrow(/Unexpected server response: 429\b/);
      expect(lines.filter((line) => line === 'throttled $connect')).toHaveLength(1);
      // No $connect ran for it: two connections were stored, not three.
      expect(lines.filter((line) => line.startsWith('route     $connect '))).toHaveLength(2);
      for (const socket of sockets) socket.close();
    } finally {
      await relay.close();
    }
  });

  it('refuses a throttle for a route it has not', async () => {
    await expect(throttledRelay({ Conect: { rateLimit: 1, burstLimit: 1 } })).rejects.toMatchObject({ code: 'InvalidOption' });
  });

  it('is what `npm start -- --stack-throttles --throttle Connect=1/1` runs: the stack\'s throttles, one overridden', async () => {
    const relay = await startRelayProcess(['--stack-throttles', '--throttle', 'Connect=1/1', '--quiet']);
    try {
      expect(relay.lines).toContain(
        'Throttles (rate/burst per second): $connect 100/200, $disconnect 100/200, $default 10/20, sendmessage 10/20, Connect 1/1, Request 100/200, Transfer 1000/2000, Acknowledge 250/500',
      );
      const socket = await openSocket(relay.url);
      const answers = nextFrames(socket, 2);
      socket.send('{"action":"Connect"}');
      socket.send('{"action":"Connect"}');
      const frames = await answers;
      socket.close();
      // The refused one is answered at once, the admitted one after its route ran.
      expect(frames.filter((frame) => frame.startsWith('{"action":"Connect"'))).toHaveLength(1);
      expect(frames.filter((frame) => frame.startsWith('{"message": "Limit Exceeded"'))).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('refuses a --throttle that is not ROUTE=RATE/BURST in one line', async () => {
    await expect(startRelayProcess(['--throttle', 'Connect=fast', '--quiet'])).rejects.toThrow(/--throttle <route=rate\/burst>' argument 'Connect=fast' is invalid\. expected ROUTE=RATE\/BURST/);
  });
});
