/** Reading back the QR codes the CLI and `npm start` print: the text as the image a dark terminal shows. */

/** Which of a character's two modules (top, bottom) are light: the blocks are printed, the background is dark. */
const LIGHT_HALVES: Readonly<Record<string, readonly [boolean, boolean]>> = {
  '█': [true, true],
  '▀': [true, false],
  '▄': [false, true],
  ' ': [false, false],
};

/** The module grid a terminal shows for `code` (true = light), two rows per line of text. */
export function moduleRows(code: string): boolean[][] {
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
export function terminalImage(rows: boolean[][], pixelsPerModule = 4, border = 6): { data: Uint8ClampedArray; width: number; height: number } {
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

/** The image a dark terminal shows for the QR code text `code`, ready for jsqr. */
export function terminalQrImage(code: string): { data: Uint8ClampedArray; width: number; height: number } {
  return terminalImage(moduleRows(code));
}
