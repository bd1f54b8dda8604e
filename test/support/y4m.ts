import * as fs from 'node:fs';
import QRCode from 'qrcode';

/** A grey-scale picture: one luma byte per pixel, row by row. */
export interface LumaImage {
  readonly width: number;
  readonly height: number;
  readonly luma: Uint8Array;
}

/**
 * Renders `text` as a QR code centred on a white `width` x `height` picture (both even, as
 * Y4M's 4:2:0 needs), each module `moduleSize` pixels: what a camera pointed at the screen sees.
 */
export function qrCodeImage(text: string, width = 640, height = 480, moduleSize = 6): LumaImage {
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`Y4M needs an even width and height, got ${width}x${height}`);
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size;
  const side = modules * moduleSize;
  if (side > width - 8 * moduleSize || side > height - 8 * moduleSize) {
    throw new Error(`a ${modules}-module QR code at ${moduleSize} px per module does not fit ${width}x${height} with its quiet zone`);
  }
  const luma = new Uint8Array(width * height).fill(255);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  for (let row = 0; row < modules; row++) {
    for (let col = 0; col < modules; col++) {
      if (!qr.modules.get(row, col)) continue;
      for (let y = 0; y < moduleSize; y++) {
        luma.fill(0, (top + row * moduleSize + y) * width + left + col * moduleSize, (top + row * moduleSize + y) * width + left + (col + 1) * moduleSize);
      }
    }
  }
  return { width, height, luma };
}

/**
 * Writes a grey-scale picture as a Y4M video of `frames` identical I420 frames (Chromium's fake
 * camera loops over them): a `YUV4MPEG2` header, then per frame `FRAME\n`, the luma plane and two
 * quarter-size chroma planes at 128 (no colour).
 */
export function writeY4m(file: string, image: LumaImage, frames = 10, fps = 10): void {
  const header = Buffer.from(`YUV4MPEG2 W${image.width} H${image.height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const chroma = Buffer.alloc((image.width / 2) * (image.height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), Buffer.from(image.luma), chroma]);
  fs.writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
