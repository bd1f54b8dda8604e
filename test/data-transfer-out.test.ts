import { randomBytes } from 'node:crypto';
import type { LocalRelay } from '../local/local-relay';
import { SHAPES } from '../scripts/cost-per-gb';
import { sendOneFile } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

/** Enough chunks that the pairing and manifest frames weigh under 0.1%. */
const FILE_BYTES = 4 * 1024 * 1024;

/**
 * Data transfer out, the largest item of the cost per GB, counted on the relay's frame tap: the
 * bytes it sends its clients (chunks to the receiver, acks to the sender) per file byte, for each
 * chunk size of scripts/cost-per-gb.ts. API Gateway bills those bytes as data transfer out.
 */
describe.each(SHAPES.map((shape) => [shape.name, shape] as const))('bytes out per file byte, %s', (_name, shape) => {
  let relay: LocalRelay;
  let bytesOut = 0;
  /** Transfers posted again for a chunk already posted (fileid:chunkid), and their bytes. */
  const posted = new Set<string>();
  let resent = 0;
  let resentBytes = 0;

  beforeAll(async () => {
    relay = await startTestRelay({
      taps: {
        frames: (frame) => {
          if (frame.direction !== 'out') return;
          bytesOut += frame.byteLength;
          const { head } = frame.ends(256);
          if (!head.startsWith('{"action":"Transfer"')) return;
          const chunk = `${/"fileid":"([^"]*)"/.exec(head)?.[1]}:${/"chunkid":(\d+)/.exec(head)?.[1]}`;
          if (posted.has(chunk)) {
            resent += 1;
            resentBytes += frame.byteLength;
          }
          posted.add(chunk);
        },
      },
    });
  });
  afterAll(async () => {
    await relay.close();
  });

  test(`is the ${shape.bytesOutPerByte} the cost script uses (base64's 4/3 and the JSON around it)`, async () => {
    const content = randomBytes(FILE_BYTES);
    const received = await sendOneFile(relay.url, content, { sender: { chunkBytes: shape.plaintextBytes } });
    expect(received.equals(content)).toBe(true);

    // The wire's shape: every chunk once. A resend is the loss detector's, counted apart: on a clean
    // path a timer may still fire once or twice while this loaded test process is busy (CI saw one),
    // but more than one chunk in a hundred is a regression.
    const ratio = (bytesOut - resentBytes) / FILE_BYTES;
    expect(ratio).toBeGreaterThan(4 / 3);
    expect(Math.abs(ratio - shape.bytesOutPerByte)).toBeLessThan(0.005);
    expect(resent).toBeLessThanOrEqual(Math.ceil(posted.size / 100));
  });
});
