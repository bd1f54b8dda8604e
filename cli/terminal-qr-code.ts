import QRCode from 'qrcode';

/**
 * How the CLI draws a link's QR code: plain text (no colour codes), two modules per character
 * with half blocks, error correction L (the smallest code for a long link, as before), and a
 * 2-module quiet zone (the utf8 renderer takes even margins only). Drawn for a dark terminal: the
 * light modules are the printed blocks (qrcode's inverted palette, chosen by `light: #000000`)
 * and the dark ones the terminal's background.
 */
const TERMINAL_QR_OPTIONS: QRCode.QRCodeToStringOptions = {
  type: 'utf8',
  errorCorrectionLevel: 'L',
  margin: 2,
  color: { dark: '#ffffff', light: '#000000' },
};

/** `text` as a compact QR code for a terminal, lines separated by `\n`, no trailing newline. */
export function terminalQrCode(text: string): string {
  let code: string | undefined;
  let failure: Error | null | undefined;
  // qrcode's string renderers call back before toString returns; the guard below says so if that changes.
  QRCode.toString(text, TERMINAL_QR_OPTIONS, (error, rendered) => {
    failure = error;
    code = rendered;
  });
  if (failure) throw failure;
  if (code === undefined) throw new Error('qrcode did not render the terminal QR code synchronously');
  return code;
}
