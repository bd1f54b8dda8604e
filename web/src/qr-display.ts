import QRCode from 'qrcode';

/**
 * Draws `text` as a QR code on `canvas`: error correction M, a 4-module quiet zone, dark on
 * white whatever the page's theme (phone cameras need the contrast), `size` CSS pixels wide.
 */
export async function drawQrCode(canvas: HTMLCanvasElement, text: string, size = 320): Promise<void> {
  const scale = Math.max(1, Math.round(window.devicePixelRatio || 1));
  await QRCode.toCanvas(canvas, text, {
    errorCorrectionLevel: 'M',
    margin: 4,
    width: size * scale,
    color: { dark: '#000000', light: '#ffffff' },
  });
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
}
