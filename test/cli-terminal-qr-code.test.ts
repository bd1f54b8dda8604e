import jsQR from 'jsqr';
import { terminalQrCode } from '../cli/terminal-qr-code';
import { moduleRows, terminalImage } from './support/terminal-qr-image';

describe('the QR code the CLI prints', () => {
  const link = 'https://d1234abcd.cloudfront.net/#r=wss%3A%2F%2Fabc123.execute-api.eu-west-1.amazonaws.com%2Fdev%3Fkey%3Dk3y&s=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy';

  it('decodes back to the link when drawn as a dark terminal shows it', () => {
    const { data, width, height } = terminalImage(moduleRows(terminalQrCode(link)));
    expect(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data).toBe(link);
  });

  it('is plain half-block text with a light quiet zone, two modules per line', () => {
    const code = terminalQrCode(link);
    expect(code).not.toContain('\u001b'); // no colour codes: it reads the same piped or in any terminal
    const rows = moduleRows(code);
    const size = rows[0]!.length;
    // A square symbol (21 + 4n modules) plus a 2-module quiet zone each side; the odd last row pads one light row.
    expect((size - 4 - 21) % 4).toBe(0);
    expect(rows).toHaveLength(size + 1);
    for (const edge of [rows[0]!, rows[1]!, rows[rows.length - 1]!, rows[rows.length - 2]!, rows[rows.length - 3]!]) {
      expect(edge.every(Boolean)).toBe(true);
    }
    for (const row of rows) expect(row.slice(0, 2).concat(row.slice(-2)).every(Boolean)).toBe(true);
  });

  it('uses error correction L, the smallest code: a 70-character link fits 33 modules (version 4; M needs 37)', () => {
    const rows = moduleRows(terminalQrCode('https://example.com/#r=wss%3A%2F%2Fexample.com&s=0123456789abcdef01234'));
    expect(rows[0]!.length - 4).toBe(33);
  });
});
