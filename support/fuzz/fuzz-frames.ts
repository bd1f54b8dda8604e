import fc from 'fast-check';

/** Largest frame and message the relay accepts (API Gateway's 32 KB and 128 KB). */
export const FRAME_LIMIT = 32 * 1024;
export const MESSAGE_LIMIT = 128 * 1024;

/** The ids a generated frame may name: its sender, the sender's paired peer, and others. */
export interface FuzzContext {
  readonly selfId: string;
  /** A connection the sender paired with; it registered `peerQrhash`. */
  readonly peerId: string;
  readonly peerQrhash: string;
  /** Connections that were opened and closed before the run. */
  readonly goneIds: readonly string[];
}

/** One generated message: text or binary, sent as one frame or split into `fragments` frames. */
export interface FuzzFrame {
  /** What the generator meant to produce, for the figures (e.g. `bad-json`, `transfer`). */
  readonly category: string;
  readonly binary: boolean;
  readonly payload: Buffer;
  /** How many WebSocket frames carry the message. */
  readonly fragments: number;
}

/** A JSON object written key by key, so a frame may carry `__proto__` keys and duplicate keys. */
class Entries {
  constructor(readonly entries: ReadonlyArray<readonly [string, JsonNode]>) {}
}
type JsonNode = Entries | null | boolean | number | string | JsonNode[];

function write(node: JsonNode): string {
  if (node instanceof Entries) return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(',')}}`;
  if (Array.isArray(node)) return `[${node.map(write).join(',')}]`;
  return JSON.stringify(node);
}

const MISSING = Symbol('missing');
type Field = JsonNode | typeof MISSING;

/** An object from fields, dropping MISSING ones, with extra (possibly hostile) keys mixed in. */
function objectArb(fields: Record<string, fc.Arbitrary<Field>>): fc.Arbitrary<Entries> {
  return fc
    .tuple(fc.record(fields), fc.array(fc.tuple(weirdKey, jsonLeaf), { maxLength: 2 }), fc.boolean())
    .map(([values, extras, extrasFirst]) => {
      const known = Object.entries(values).filter((e): e is [string, JsonNode] => e[1] !== MISSING);
      return new Entries(extrasFirst ? [...extras, ...known] : [...known, ...extras]);
    });
}

const weirdKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'Action', 'extra', '\u0000', '🐧', 'data');
const unicodeText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('\ud800', 'a\udfffb', '\u2028\u2029', '\u0000', '"\\', '🐧🐧', 'e\u0301', '\ufeff', ''),
);
const jsonLeaf: fc.Arbitrary<JsonNode> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  unicodeText,
  fc.constant<JsonNode>([]),
  fc.constant(new Entries([])),
);
/** A value of any JSON type (the wrong one, mostly). */
const anyValue: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: jsonLeaf },
  { weight: 1, arbitrary: fc.array(jsonLeaf, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(weirdKey, jsonLeaf), { maxLength: 2 }).map((e) => new Entries(e)) },
);

function optional(valid: fc.Arbitrary<JsonNode>, weightMissing = 1): fc.Arbitrary<Field> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: weightMissing, arbitrary: fc.constant<Field>(MISSING) },
    { weight: 1, arbitrary: anyValue },
  );
}

function textOfLength(lengths: number[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...lengths), fc.constantFrom('a', 'é', '🐧', 'Z')).map(([n, c]) => {
    const unit = c.length;
    return c.repeat(Math.floor(n / unit)) + 'x'.repeat(n % unit);
  });
}

function idArb(ctx: FuzzContext): fc.Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(ctx.peerId) },
    { weight: 1, arbitrary: fc.constant(ctx.selfId) },
    { weight: 1, arbitrary: fc.constantFrom(...(ctx.goneIds.length > 0 ? ctx.goneIds : [ctx.peerId])) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{15}=$/) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', ctx.peerId.toLowerCase(), ` ${ctx.peerId}`, '') },
    { weight: 1, arbitrary: unicodeText },
    { weight: 1, arbitrary: textOfLength([127, 128, 129]) },
  );
}

const safeIndex = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -0, 0.5, 1e21, 2 ** 53, 2 ** 53 - 1, 1e300) },
);
const fileIdArb = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a/b', '../x', 'é', 'a b', 'x'.repeat(64), 'x'.repeat(65)) },
);

/**
 * A chunk-sized base64 `data` (long enough for the relay to splice it into the frame it forwards,
 * not re-encode it) with up to three characters changed: wide ones whose low byte is a base64
 * character (Ł is U+0141, "A" 0x41), ones JSON escapes, Latin-1, and padding in the middle.
 */
const longBase64Data = fc
  .tuple(
    fc.base64String({ minLength: 1024, maxLength: 4096 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('Ł', 'ａ', 'š', '"', '\\', '\u0000', '\n', 'é', '=', '-', '😀')), { maxLength: 3 }),
  )
  .map(([base64, edits]) => edits.reduce((text, [at, mark]) => `${text.slice(0, at % text.length)}${mark}${text.slice((at % text.length) + 1)}`, base64));

function transferArb(ctx: FuzzContext, data: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> {
  return fc
    .tuple(safeIndex, fc.integer({ min: 0, max: 3 }))
    .chain(([total, shift]) =>
      objectArb({
        connectionid: optional(idArb(ctx), 0),
        data: optional(data),
        chunkid: optional(fc.constant(typeof total === 'number' && total >= 1 && shift > 0 ? total - shift : total)),
        chunktotal: optional(fc.constant(total)),
        chunkhash: optional(fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), textOfLength([128, 129]))),
        fileid: optional(fileIdArb, 3),
      }),
    );
}

function envelope(action: string, message: fc.Arbitrary<Field>): fc.Arbitrary<JsonNode> {
  return objectArb({
    action: fc.oneof({ weight: 12, arbitrary: fc.constant<Field>(action) }, { weight: 1, arbitrary: anyValue }),
    message,
  });
}

function frameArbs(ctx: FuzzContext): Record<string, fc.Arbitrary<JsonNode>> {
  return {
    sendmessage: objectArb({ action: fc.constant('sendmessage'), data: optional(unicodeText) }),
    connect: envelope('Connect', optional(objectArb({ qrhash: optional(fc.oneof(unicodeText, textOfLength([128, 129])), 2) }), 2)),
    request: envelope(
      'Request',
      optional(
        objectArb({
          connectionid: optional(idArb(ctx), 0),
          qrhash: optional(fc.oneof({ weight: 4, arbitrary: fc.constant(ctx.peerQrhash) }, { weight: 1, arbitrary: unicodeText }, { weight: 1, arbitrary: textOfLength([128, 129]) })),
          message: optional(fc.oneof(unicodeText, textOfLength([16_384, 16_385]))),
        }),
        0,
      ),
    ),
    transfer: envelope('Transfer', optional(transferArb(ctx, fc.oneof(unicodeText, fc.base64String({ maxLength: 400 }), longBase64Data)), 0)),
    acknowledge: envelope(
      'Acknowledge',
      optional(
        objectArb({
          connectionid: optional(idArb(ctx), 0),
          success: optional(fc.boolean()),
          missingchunkids: optional(
            fc.oneof(
              { weight: 6, arbitrary: fc.array(safeIndex, { maxLength: 8 }) },
              { weight: 1, arbitrary: fc.constantFrom(4096, 4097).map((n) => Array.from({ length: n }, (_, i) => i)) },
              { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 3 }) },
            ),
          ),
          fileid: optional(fileIdArb, 3),
          receivedthrough: optional(fc.oneof(fc.integer({ min: -2, max: 5000 }), fc.constantFrom(0.5, 2 ** 53))),
        }),
        0,
      ),
    ),
    unknownAction: objectArb({
      action: fc.oneof(fc.constantFrom('transfer', 'CONNECT', '$connect', '$disconnect', '$default', '__proto__', 'constructor', 'toString', 'Error', ''), unicodeText),
      message: optional(anyValue),
    }),
  };
}

const rawText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', 'null', '[]', '[{"action":"Connect"}]', '"Connect"', '123', 'true', '{', '{"action":"Transfer"', '\ufeff{"action":"Connect"}', "{'action':'Connect'}", '{"action":"Connect",}', '{"__proto__":{"action":"Connect"}}'),
  fc.json({ maxDepth: 2 }).map((text) => text.slice(0, Math.max(1, Math.floor(text.length / 2)))),
);

/** A text frame of about `bytes` bytes: a Transfer or sendmessage padded with `data`. */
function sizedFrame(ctx: FuzzContext, bytes: number, kind: 'transfer' | 'sendmessage', pad: string): string {
  const build = (data: string) =>
    kind === 'transfer'
      ? JSON.stringify({ action: 'Transfer', message: { connectionid: ctx.peerId, data, chunkid: 0, chunktotal: 1, chunkhash: 'h' } })
      : JSON.stringify({ action: 'sendmessage', data });
  const overhead = Buffer.byteLength(build(''));
  const padBytes = Buffer.byteLength(pad);
  const count = Math.max(0, Math.floor((bytes - overhead) / padBytes));
  return build(pad.repeat(count) + 'x'.repeat(Math.max(0, bytes - overhead - count * padBytes)));
}

function text(category: string, value: string, fragments = 1): FuzzFrame {
  return { category, binary: false, payload: Buffer.from(value, 'utf8'), fragments };
}

/**
 * Generated frames for one sender: bad JSON, wrong types, unicode, hostile keys, binary frames,
 * unknown actions, valid-looking frames naming unknown or gone peers, frames to its paired peer,
 * and sizes near (and a few over) the 32 KB frame and 128 KB message limits.
 */
export function fuzzFrameArb(ctx: FuzzContext): fc.Arbitrary<FuzzFrame> {
  const arbs = frameArbs(ctx);
  const json = (name: string, weight: number) => ({ weight, arbitrary: arbs[name]!.map((node) => text(name, write(node))) });
  return fc.oneof(
    json('sendmessage', 6),
    json('connect', 6),
    json('request', 10),
    json('transfer', 16),
    json('acknowledge', 10),
    json('unknownAction', 5),
    { weight: 8, arbitrary: rawText.map((t) => text('bad-json', t)) },
    {
      // An unknown action so long that an Error frame quoting it whole would not fit in a post.
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(129, 20_000, 60_000, 120_000), fc.constantFrom('A', 'é', '🐧'))
        .map(([length, c]) => {
          const frameText = JSON.stringify({ action: c.repeat(Math.ceil(length / c.length)) });
          return text('long-action', frameText, Math.ceil(Buffer.byteLength(frameText) / FRAME_LIMIT));
        }),
    },
    { weight: 1, arbitrary: fc.constant(text('bom', '\ufeff{"action":"Connect"}')) },
    {
      weight: 3,
      arbitrary: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(Buffer.from('{"action":"Connect"}')))).map(
        (bytes): FuzzFrame => ({ category: 'binary', binary: true, payload: Buffer.from(bytes), fragments: 1 }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: FRAME_LIMIT - 64, max: FRAME_LIMIT }), fc.constantFrom<'transfer' | 'sendmessage'>('transfer', 'sendmessage'), fc.constantFrom('A', 'é', '🐧'))
        .map(([bytes, kind, pad]) => text('near-frame-limit', sizedFrame(ctx, bytes, kind, pad))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: MESSAGE_LIMIT - 2048, max: MESSAGE_LIMIT }), fc.constantFrom<'transfer' | 'sendmessage'>('transfer', 'sendmessage'))
        .map(([bytes, kind]) => text('near-message-limit', sizedFrame(ctx, bytes, kind, 'A'), Math.ceil(bytes / FRAME_LIMIT))),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.integer({ min: FRAME_LIMIT + 1, max: FRAME_LIMIT + 64 }).map((bytes) => text('over-frame-limit', sizedFrame(ctx, bytes, 'sendmessage', 'A'))),
          fc.integer({ min: MESSAGE_LIMIT + 1, max: MESSAGE_LIMIT + 64 }).map((bytes) => text('over-message-limit', sizedFrame(ctx, bytes, 'transfer', 'A'), 5)),
        ),
    },
  );
}
