import { randomBytes } from 'node:crypto';
import type { SessionEvent } from '../client';
import type { LocalRelay } from '../local/local-relay';
import { parseIncomingFrame } from '../client/transport/wire-frames';
import { sendOneFile } from '../support/node-client';
import { startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

/**
 * API Gateway answers a frame whose function failed or was throttled (a new account's Lambda
 * concurrency of 10) with `{"message": "Internal server error", ...}`, and the frame is lost. The
 * client takes it as the lost frame and congestion signal it is, and says once, in words, that the
 * relay is failing (issue 21, item 1). The relay-in-the-middle plays API Gateway.
 */
describe('API Gateway\'s "Internal server error" frame', () => {
  let relay: LocalRelay;
  let gateway: RelayInTheMiddle;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());
  beforeEach(async () => {
    gateway = await startRelayInTheMiddle(relay.url);
  });
  afterEach(() => gateway.close());

  it('is read as a dropped frame, like "Limit Exceeded", whatever its case and spacing', () => {
    expect(parseIncomingFrame('{"message": "Internal server error", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"Rq1="}')).toEqual({
      action: 'Throttled',
      message: { reason: 'internal-error', connectionId: 'L0SM9cOFvHcCIhw=', requestId: 'Rq1=' },
    });
    expect(parseIncomingFrame('{"message":" Limit Exceeded "}')).toEqual({ action: 'Throttled', message: { reason: 'throttled' } });
    expect(parseIncomingFrame('{"message":"Internal server error, or so"}')).toBeUndefined();
    expect(parseIncomingFrame('{"message":"Internal server error","action":"Transfer"}')).toBeUndefined();
  });

  it('every 10th chunk answered "Internal server error" instead of forwarded: the file arrives whole, and the sender says once that the relay is failing', async () => {
    const content = randomBytes(6 * 1024 * 1024);
    let chunks = 0;
    let failed = 0;
    gateway.setRewriter((text, direction, connection) => {
      if (direction !== 'to-relay' || !text.startsWith('{"action":"Transfer"')) return 'pass';
      if (++chunks % 10 !== 0) return 'pass';
      failed++;
      connection.toClient(JSON.stringify({ message: 'Internal server error', connectionId: connection.connectionId, requestId: `r${chunks}` }));
      return 'drop';
    });
    const warnings: SessionEvent[] = [];
    const received = await sendOneFile(gateway.url, content, { sender: { onEvent: (event: SessionEvent) => event.type === 'warning' && warnings.push(event) } });
    expect(received.equals(content)).toBe(true);
    expect(failed).toBeGreaterThan(5);
    expect(warnings).toEqual([{ type: 'warning', code: 'RelayFunctionsFailing', message: expect.stringMatching(/^The relay keeps answering "Internal server error": .*Lambda/) }]);
  }, 60_000);

  it('says nothing when the relay fails a frame now and then', async () => {
    const content = randomBytes(1024 * 1024);
    let chunks = 0;
    gateway.setRewriter((text, direction, connection) => {
      if (direction !== 'to-relay' || !text.startsWith('{"action":"Transfer"') || ++chunks !== 3) return 'pass';
      connection.toClient('{"message": "Internal server error"}');
      return 'drop';
    });
    const warnings: SessionEvent[] = [];
    const received = await sendOneFile(gateway.url, content, { sender: { onEvent: (event: SessionEvent) => event.type === 'warning' && warnings.push(event) } });
    expect(received.equals(content)).toBe(true);
    expect(warnings).toEqual([]);
  }, 60_000);
});
