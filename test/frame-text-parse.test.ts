import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { frameJson, frameJsonBytes, isSpliceableBase64, parseFrameJson } from '../protocol/frame-json';
import { actionOf, parseFrameText } from '../protocol/frames';

/** The relay parses a frame's text once for its route and once in its handler: the second parse is remembered. */
describe('parseFrameText', () => {
  it('returns the remembered value for the same text, so route selection and the handler parse a frame once', () => {
    const text = JSON.stringify({ action: 'Transfer', message: { connectionid: 'B=', data: 'A'.repeat(100_000) } });
    expect(actionOf(text)).toBe('Transfer');
    const first = parseFrameText(text);
    expect(parseFrameText(text)).toBe(first);
    // Equal text in another string object is the same frame.
    expect(parseFrameText(`${text.slice(0, 10)}${text.slice(10)}`)).toBe(first);
  });

  it('parses a different text afresh, and forgets the oldest after eight others', () => {
    const texts = Array.from({ length: 9 }, (_, i) => JSON.stringify({ action: 'Acknowledge', message: { n: i } }));
    const values = texts.map((text) => parseFrameText(text));
    expect(values[1]).not.toBe(values[0]);
    expect(parseFrameText(texts[8]!)).toBe(values[8]);
    // texts[0] fell out of the eight remembered: a new parse, equal but not the same object.
    const again = parseFrameText(texts[0]!);
    expect(again).toEqual(values[0]);
    expect(again).not.toBe(values[0]);
  });

  it('throws on text that is not JSON, every time (nothing remembered)', () => {
    expect(() => parseFrameText('{"action":"Transfer"')).toThrow(SyntaxError);
    expect(() => parseFrameText('{"action":"Transfer"')).toThrow(SyntaxError);
    expect(actionOf('{"action":"Transfer"')).toBeUndefined();
  });
});

/** JSON.parse's verdict on a text: its value, or that it threw a SyntaxError. */
function verdict(parse: (text: string) => unknown, text: string): unknown {
  try {
    return { value: parse(text) };
  } catch (error) {
    return { threw: error instanceof SyntaxError };
  }
}

/** A Transfer as a client writes it (frameJson: `data` last, spliced in). */
const transferText = (data: string, extra: Record<string, unknown> = {}) =>
  frameJson('Transfer', { connectionid: 'B=', chunkid: 3, chunktotal: 9, chunkhash: 'h', fileid: 'f0', ...extra, data }, { dataIsOwnBase64: true });

/** `text` with a character replaced by `mark` at each edit: near its start, or near its end (where data and the frame close). */
function withEdits(text: string, edits: readonly (readonly [number, string, boolean])[]): string {
  let mutated = text;
  for (const [at, mark, nearEnd] of edits) {
    const where = nearEnd ? mutated.length - 1 - (at % 40) : at % 160;
    mutated = `${mutated.slice(0, where)}${mark}${mutated.slice(where + 1)}`;
  }
  return mutated;
}

/** Checks that `parse` gives what JSON.parse gives for generated frames as frameJson writes them. */
function expectJsonParseValueOnWrittenFrames(parse: (text: string) => unknown): void {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 800, maxLength: 4000 }), fc.dictionary(fc.string(), fc.jsonValue()), (bytes, extra) => {
      const text = transferText(Buffer.from(bytes).toString('base64'), extra);
      expect(parse(text)).toEqual(JSON.parse(text));
    }),
    { numRuns: 100 },
  );
}

describe('parseFrameJson (a Transfer parsed without parsing its data)', () => {
  const data = randomBytes(3_000).toString('base64');

  it('gives what JSON.parse gives for frames frameJson writes, with data sliced from the text', () => {
    expectJsonParseValueOnWrittenFrames((text) => parseFrameJson(text));
  });

  it('gives what JSON.parse gives, or throws as it does, for frames laid out otherwise or damaged', () => {
    const tail = `,"data":"${data}"}}`;
    const hostile = [
      `{"action":"Transfer","message":{${tail.slice(1)}`, // data the only member
      `{"action":"Transfer","message":{${tail}`, // a comma after "{"
      `{"action":"Transfer","message":{"a":1 ${tail}`, // white space before the comma
      `{"action":"Transfer","message":{"a":1,${tail}`, // two commas
      `{"action":"Transfer","message":{"a":1,"data":"evil"${tail}`, // data twice: the last wins
      `{"action":"Transfer","message":1,"x":{"a":1${tail}`, // the open object is not message
      `{"action":"Transfer","message":{"data":"evil"},"x":{"a":1${tail}`,
      `{"action":{"a":1${tail}`,
      `{"message":{"a":1},"action":"T","message":{"b":2${tail}`, // message twice: the last wins
      `{"action":"Transfer","message":{"a":1}${tail}`, // data at the top level
      `{"action":"Transfer","message":{"a":[1${tail}`,
      `{"action":"Transfer","message":{"a":"x${tail}`, // inside a string that never closes
      `{"action":"Transfer","message":{"a":"${'x'.repeat(2000)},"data":"}}`, // the end overlaps the member
      `{"action":"Transfer","message":{"a":1,"data":"${data.slice(0, 100)}\\"${data}"}}`, // an escaped quote in data
      `{"action":"Transfer","message":{"a":1,"data":"${data}\\u0041"}}`,
      `{"action":"Transfer","message":{"a":1,"data":"${data}"}} `,
      `[{"action":"Transfer","message":{"a":1${tail}`,
      transferText(data).replace('"action"', '"act\\"ion"'),
    ];
    for (const text of hostile) expect([text.slice(0, 60), verdict(parseFrameJson, text)]).toEqual([text.slice(0, 60), verdict(JSON.parse, text)]);
  });

  it('agrees with JSON.parse on frames with a few characters changed anywhere', () => {
    const text = transferText(data, { note: 'x' });
    const marks = [...'"{}[],:\\ a1=/-_', '\u0000', '\n', '\u001f', 'é', 'Ā', 'Ł', 'ａ', '\u2028'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...marks), fc.boolean()), { minLength: 1, maxLength: 3 }), (edits) => {
        const mutated = withEdits(text, edits);
        expect(verdict(parseFrameJson, mutated)).toEqual(verdict(JSON.parse, mutated));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('what the relay forwards of a frame it parsed (frameJsonBytes of parseFrameJson)', () => {
  const data = randomBytes(3_000).toString('base64');

  it('is the UTF-8 of JSON.stringify of the same frame, whatever characters were put in data', () => {
    const text = transferText(data);
    // Ł, ａ, š: wider than a byte, with a base64 character as their low byte; a Latin-1 copy would turn them into A, A, a.
    const marks = [...'"\\ a1=/-_', '\u0000', '\n', 'é', 'Ā', 'Ł', 'ａ', 'š', '\u2028', '😀'];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...marks), fc.boolean()), { minLength: 1, maxLength: 3 }), (edits) => {
        const mutated = withEdits(text, edits);
        let frame: { action: unknown; message: unknown };
        try {
          frame = parseFrameJson(mutated) as typeof frame;
        } catch {
          return; // Not JSON: nothing is forwarded.
        }
        // What the relay's schema would refuse is not forwarded either.
        if (typeof frame.action !== 'string' || typeof frame.message !== 'object' || frame.message === null) return;
        expect(new TextDecoder().decode(frameJsonBytes(frame.action, frame.message))).toBe(JSON.stringify({ action: frame.action, message: frame.message }));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('isSpliceableBase64 (what the relay may splice into a frame as it is)', () => {
  const data = randomBytes(96_284).toString('base64');

  it('takes base64 of every length, with its padding', () => {
    for (const length of [0, 1, 2, 3, 1000, 96_284]) expect([length, isSpliceableBase64(randomBytes(length).toString('base64'))]).toEqual([length, true]);
    expect(isSpliceableBase64(data)).toBe(true);
  });

  it('refuses anything JSON would escape or end, anything wider than a byte, white space and misplaced padding, anywhere', () => {
    // Ł (U+0141), ａ (U+FF41), š (U+0161), Ŋ (U+014A): wider than a byte, with a base64 character as their low byte.
    const hostile = ['"', '\\', '\u0000', '\n', '\r', '\t', ' ', '\u001f', '\u007f', 'é', 'Ā', 'Ł', 'ａ', 'š', 'Ŋ', '\u2028', '\ud83d', '=', '==', '%', '.'];
    for (const mark of hostile) {
      for (const at of [0, 1, 5_000, data.length - 3, data.length - 1]) {
        // In place of a character, and added (which shifts the length off a multiple of 4, or onto one).
        for (const forged of [`${data.slice(0, at)}${mark}${data.slice(at + 1)}`, `${data.slice(0, at)}${mark}${data.slice(at)}`, `${data.slice(0, at)}${mark}${mark}${mark}${data.slice(at + 3)}`]) {
          const verdict = isSpliceableBase64(forged);
          // `=` replacing the last one or two characters is padding, which base64 allows.
          const padding = /^[A-Za-z0-9+/]*={0,2}$/.test(forged) && forged.length % 4 === 0 && Buffer.from(forged, 'base64').toString('base64') === forged;
          expect([JSON.stringify(mark), at, verdict]).toEqual([JSON.stringify(mark), at, padding]);
        }
      }
    }
  });

  it('takes the URL-safe alphabet too: nothing in it needs escaping, and every character is one byte', () => {
    const urlSafe = randomBytes(3_000).toString('base64url');
    expect(isSpliceableBase64(`${urlSafe}${'='.repeat((4 - (urlSafe.length % 4)) % 4)}`)).toBe(true);
    expect(JSON.parse(`"${urlSafe}"`)).toBe(urlSafe);
  });

  it('is longer than any message allows: still checked, by the search', () => {
    const long = randomBytes(200_000).toString('base64');
    expect(isSpliceableBase64(long)).toBe(true);
    expect(isSpliceableBase64(`${long.slice(0, 100_000)}"${long.slice(100_001)}`)).toBe(false);
  });
});

describe('parseFrameJson for a reader that checks data itself (the client: dataCheckedByReader)', () => {
  const data = randomBytes(3_000).toString('base64');
  const lenient = (text: string) => parseFrameJson(text, { dataCheckedByReader: true });

  it('gives what JSON.parse gives for frames frameJson writes', () => {
    expectJsonParseValueOnWrittenFrames(lenient);
  });

  it('agrees with JSON.parse on changed frames, except that a control character in data stays in data instead of throwing', () => {
    const text = transferText(data, { note: 'x' });
    const marks = [...'"{}[],:\\ a1=/', '\u0000', '\n', '\u001f', 'é'];
    const isControl = (c: string) => c.charCodeAt(0) < 0x20;
    const controlsToA = (text: string) => Array.from(text, (c) => (isControl(c) ? 'A' : c)).join('');
    const controlInData = (value: unknown) => Array.from(String((value as { message?: { data?: unknown } }).message?.data), isControl).some(Boolean);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...marks), fc.boolean()), { minLength: 1, maxLength: 3 }), (edits) => {
        const mutated = withEdits(text, edits);
        const expected = verdict(JSON.parse, mutated);
        const actual = verdict(lenient, mutated);
        if ('threw' in (expected as object) && 'value' in (actual as object)) {
          // Only where JSON.parse refuses a raw control character in data: the reader's decode and checks refuse the chunk.
          expect(controlInData((actual as { value: unknown }).value)).toBe(true);
          // ...and with those characters made harmless, the text parses to the same frame.
          const value = (actual as { value: { message: { data: string } } }).value;
          const cleaned = { ...value, message: { ...value.message, data: controlsToA(value.message.data) } };
          expect(JSON.parse(controlsToA(mutated))).toEqual(cleaned);
        } else {
          expect(actual).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets data end early or carry an escape: a quote or a backslash in data goes to JSON.parse whole', () => {
    const quoted = `{"action":"Transfer","message":{"a":1,"data":"${data.slice(0, 100)}","chunkid":5"}}`;
    const escaped = `{"action":"Transfer","message":{"a":1,"data":"${data}\\u0041"}}`;
    expect(verdict(lenient, quoted)).toEqual({ threw: true });
    expect(lenient(escaped)).toEqual(JSON.parse(escaped));
  });
});
