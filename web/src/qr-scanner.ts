import jsQR from 'jsqr';

/** Why the camera could not scan, in words a person understands. */
export class CameraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CameraError';
  }
}

/** A running camera scan; `stop()` releases the camera. */
export interface QrScan {
  /** Resolves with the first QR code's text; rejects with CameraError, or when stopped. */
  readonly result: Promise<string>;
  /** Stops scanning and turns the camera off. */
  stop(): void;
}

const FRAME_INTERVAL_MS = 120;
const MAX_DECODE_WIDTH = 640;

/**
 * Opens the back camera into `video` and decodes frames with jsQR until a QR code is seen. The
 * frames are drawn scaled down to at most 640 pixels wide on an off-screen canvas, which keeps a
 * phone responsive; a QR code filling a fair part of the view still decodes at that size.
 */
export function scanQrCode(video: HTMLVideoElement): QrScan {
  let stopped = false;
  let stream: MediaStream | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rejectResult: ((error: Error) => void) | undefined;

  const release = (): void => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    for (const track of stream?.getTracks() ?? []) track.stop();
    video.srcObject = null;
  };

  const result = new Promise<string>((resolve, reject) => {
    rejectResult = reject;
    if (!navigator.mediaDevices?.getUserMedia) {
      reject(new CameraError('This browser gives no camera to a page served over http; open the page over https or localhost, or open the link instead.'));
      return;
    }
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) {
      reject(new CameraError('This browser cannot read camera frames.'));
      return;
    }
    const decodeFrame = (): void => {
      if (stopped) return;
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (width > 0 && height > 0) {
        const scale = Math.min(1, MAX_DECODE_WIDTH / width);
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
        if (code?.data) {
          release();
          resolve(code.data);
          return;
        }
      }
      timer = setTimeout(decodeFrame, FRAME_INTERVAL_MS);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false })
      .then(async (media) => {
        stream = media;
        if (stopped) {
          release();
          return;
        }
        video.srcObject = media;
        await video.play();
        decodeFrame();
      })
      .catch((error: unknown) => {
        release();
        reject(cameraErrorOf(error));
      });
  });
  return {
    result,
    stop: () => {
      if (stopped) return;
      release();
      rejectResult?.(new CameraError('Scanning stopped.'));
    },
  };
}

function cameraErrorOf(error: unknown): CameraError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CameraError('The camera was not allowed. Allow it in the browser, or open the link instead.', { cause: error });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CameraError('No camera was found on this device. Open the link instead.', { cause: error });
    case 'NotReadableError':
      return new CameraError('The camera is in use by another app. Close it and try again.', { cause: error });
    default:
      return new CameraError(`The camera could not start (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
}
