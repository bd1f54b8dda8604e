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
