import jsQR from 'jsqr';
import { terminalQrCode } from '../cli/terminal-qr-code';

/** Which of a character's two modules (top, bottom) are light: the blocks are printed, the background is dark. */
const LIGHT_HALVES: Readonly<Record<string, readonly [boolean, boolean]>> = {
  '█': [true, true],
  '▀': [true, false],
  '▄': [false, true],
  ' ': [false, false],
};

/** The module grid a terminal shows for `code` (true = light), two rows per line of text. */
function moduleRows(code: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of code.split('\n')) {
    const halves = [...line].map((char) => {
      const light = LIGHT_HALVES[char];
      if (!light) throw new Error(`unexpected character ${JSON.stringify(char)} in the QR code`);
      return light;
    });
    rows.push(halves.map(([top]) => top), halves.map(([, bottom]) => bottom));
  }
  return rows;
}

/**
 * The grid as a grey image the way a dark terminal shows it: light modules white, dark ones black,
 * `pixelsPerModule` square, inside a border of the terminal's dark background.
 */
function terminalImage(rows: boolean[][], pixelsPerModule = 4, border = 6): { data: Uint8ClampedArray; width: number; height: number } {
  const width = (rows[0]!.length + 2 * border) * pixelsPerModule;
  const height = (rows.length + 2 * border) * pixelsPerModule;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = rows[Math.floor(y / pixelsPerModule) - border]?.[Math.floor(x / pixelsPerModule) - border] ?? false;
      data.fill(light ? 255 : 0, (y * width + x) * 4, (y * width + x) * 4 + 3);
      data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return { data, width, height };
}

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
