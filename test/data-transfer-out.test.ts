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

  beforeAll(async () => {
    relay = await startTestRelay({
      taps: {
        frames: (frame) => {
          if (frame.direction === 'out') bytesOut += frame.byteLength;
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

    const ratio = bytesOut / FILE_BYTES;
    expect(ratio).toBeGreaterThan(4 / 3);
    expect(Math.abs(ratio - shape.bytesOutPerByte)).toBeLessThan(0.005);
  });
});
