import fc from 'fast-check';
import { escapeUnsafeInJson, printableText } from '../client/printable-text';

const UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]|\p{Cs}/u;

/** Any UTF-16 code unit, lone surrogates included, with the ones an attacker reaches for more often. */
const anyText = fc.string({
  unit: fc.oneof(fc.constantFrom('\u001b', '\u009b', '\u0085', '\u0007', '\r', '\n', '\u202e', '\u2066', '\u200f', '\u061c', '\u2028', '\ud800', 'a', 'é', '📄'), fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code))),
  maxLength: 60,
});

describe('printableText', () => {
  it.each([
    ['plain text, résumé 📄', 'plain text, résumé 📄'],
    ['bye\u001b]52;c;SGVsbG8=\u0007', 'bye\\x1b]52;c;SGVsbG8=\\x07'],
    ['\u001b[2J\u009b31m', '\\x1b[2J\\x9b31m'],
    ['invoice\u202etxt.exe', 'invoice\\u202etxt.exe'],
    ['one\r\ntwo\u2028three', 'one\\x0d\\x0atwo\\u2028three'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
  ])('%j prints as %j', (text, printed) => {
    expect(printableText(text)).toBe(printed);
  });

  it('never lets an unsafe character through, and changes nothing on a second pass', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const printed = printableText(text);
        expect(printed).not.toMatch(UNSAFE);
        expect(printableText(printed)).toBe(printed);
      }),
      { numRuns: 300 },
    );
  });
});

describe('escapeUnsafeInJson', () => {
  it('leaves no unsafe character in a JSON line, and JSON.parse reads back the same text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const line = escapeUnsafeInJson(JSON.stringify({ message: text }));
        expect(line).not.toMatch(UNSAFE);
        expect((JSON.parse(line) as { message: string }).message).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
