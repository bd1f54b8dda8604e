import fc from 'fast-check';
import { BadRequestError } from '../lambdas/relay/errors';
import { parseFrame } from '../lambdas/relay/frame-parsing';
import { acknowledgeFrameSchema, requestFrameSchema, transferFrameSchema } from '../protocol/frames';
import { MAX_MISSING_CHUNK_IDS } from '../protocol/limits';

const RUNS = { numRuns: 200 };

const connectionId = fc.string({ minLength: 1, maxLength: 32 });
const validTransfer = fc
  .record({
    connectionid: connectionId,
    data: fc.base64String({ maxLength: 200 }),
    chunktotal: fc.integer({ min: 1, max: 1_000_000 }),
    chunkhash: fc.stringMatching(/^[0-9a-f]{0,64}$/),
  })
  .chain((m) => fc.integer({ min: 0, max: m.chunktotal - 1 }).map((chunkid) => ({ ...m, chunkid })));

/** Parses, returning the BadRequestError instead of throwing it; any other error fails the property. */
function outcome<T>(parse: () => T): T | BadRequestError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
}

describe('frame validation (properties)', () => {
  test('every valid Transfer parses to exactly its known fields, unknown fields dropped', () => {
    fc.assert(
      fc.property(validTransfer, fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue()), (message, extra) => {
        const known = new Set(['action', 'message', 'connectionid', 'data', 'chunkid', 'chunktotal', 'chunkhash', 'fileid']);
        const noise = Object.fromEntries(Object.entries(extra).filter(([k]) => !known.has(k) && k !== '__proto__'));
        const body = JSON.stringify({ action: 'Transfer', message: { ...noise, ...message }, ...noise });
        const frame = parseFrame(transferFrameSchema, body);
        expect(frame).toEqual({ action: 'Transfer', message });
      }),
      RUNS,
    );
  });

  test('a chunkid outside 0 <= chunkid < chunktotal is refused', () => {
    fc.assert(
      fc.property(validTransfer, fc.integer({ min: 0, max: 1000 }), (message, over) => {
        const body = JSON.stringify({ action: 'Transfer', message: { ...message, chunkid: message.chunktotal + over } });
        const result = outcome(() => parseFrame(transferFrameSchema, body));
        expect(result).toBeInstanceOf(BadRequestError);
        expect((result as BadRequestError).message).toMatch(/^message\.chunkid: /);
      }),
      RUNS,
    );
  });

  test('a field of the wrong type is refused with BadRequest naming the field', () => {
    const field = fc.constantFrom('connectionid', 'data', 'chunkid', 'chunktotal', 'chunkhash');
    const wrongValue = fc.oneof(fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.double({ noInteger: true }));
    fc.assert(
      fc.property(validTransfer, field, wrongValue, (message, name, value) => {
        const body = JSON.stringify({ action: 'Transfer', message: { ...message, [name]: value } });
        const result = outcome(() => parseFrame(transferFrameSchema, body));
        expect(result).toBeInstanceOf(BadRequestError);
        expect((result as BadRequestError).code).toBe('BadRequest');
        expect((result as BadRequestError).message).toContain(`message.${name}`);
      }),
      RUNS,
    );
  });

  test('any JSON value either parses to a well-formed Acknowledge or is refused with BadRequest', () => {
    const ackish = fc.record(
      {
        action: fc.constant('Acknowledge'),
        message: fc.record(
          {
            connectionid: fc.oneof(connectionId, fc.jsonValue()),
            success: fc.oneof(fc.boolean(), fc.jsonValue()),
            missingchunkids: fc.oneof(fc.array(fc.integer({ min: -5, max: 50 }), { maxLength: 8 }), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['action'] },
    );
    fc.assert(
      fc.property(fc.oneof(ackish, fc.jsonValue()), (value) => {
        const result = outcome(() => parseFrame(acknowledgeFrameSchema, JSON.stringify(value)));
        if (result instanceof BadRequestError) return;
        expect(typeof result.message.connectionid).toBe('string');
        expect(typeof result.message.success).toBe('boolean');
        expect(result.message.missingchunkids.length).toBeLessThanOrEqual(MAX_MISSING_CHUNK_IDS);
        for (const id of result.message.missingchunkids) expect(Number.isInteger(id) && id >= 0).toBe(true);
      }),
      RUNS,
    );
  });

  test('text that is not JSON is refused with BadRequest, never another error', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = outcome(() => parseFrame(requestFrameSchema, text));
        if (!(result instanceof BadRequestError)) {
          expect(result.action).toBe('Request');
          expect(typeof result.message.connectionid).toBe('string');
        }
      }),
      RUNS,
    );
  });
});
