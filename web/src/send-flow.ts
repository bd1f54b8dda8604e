import { sendFiles, type SendOptions, type SessionEvent, type WebSocketConstructor } from '../../client';
import { formatBytes } from '../../client/byte-units';
import { blobSource } from './blob-source';
import { describeError } from './error-text';
import { FileListView } from './file-list-view';
import { PathLine } from './path-line';
import { StatusCountdown } from './status-countdown';
import { sessionMarker } from './session-marks';
import { formatFileCount } from './format';
import { setError, setStatus, showScreens, type PageElements } from './page-elements';
import { drawQrCode } from './qr-display';

/** What a send needs from the page. */
export interface SendFlowOptions {
  readonly elements: PageElements;
  /** The path options (path-settings.ts): a WebRTC implementation and ICE servers, or none for relay-only. */
  readonly pathOptions: Pick<SendOptions, 'webrtc' | 'iceServers'>;
  readonly relayUrl: string;
  /** The page the link opens on the receiving device, without fragment: this one, or its LAN address. */
  readonly pageUrl: string;
  /** The relay the link names (the LAN address in `npm start -- --lan`). */
  readonly linkRelayUrl: string;
  readonly files: readonly File[];
}

/**
 * Sends the picked files: shows the pairing link as a QR code with a Copy button, then each
 * file's progress, rate and time left, "Reconnecting… (gives up in 1:45)" while a socket or the other side is away, and a plain
 * sentence if it fails. Resolves when the transfer ends, whatever the outcome.
 */
export async function runSendFlow({ elements, pathOptions, relayUrl, linkRelayUrl, pageUrl, files }: SendFlowOptions): Promise<void> {
  const list = new FileListView(elements.fileList, 'Sent');
  const aborter = new AbortController();
  let paired = false;
  const total = files.reduce((n, f) => n + f.size, 0);

  list.setFiles(files.map((f) => ({ name: f.name, size: f.size })));
  elements.transferTitle.textContent = `Sending ${formatFileCount(files.length, total)}`;
  elements.cancelButton.hidden = false;
  elements.againButton.hidden = true;
  elements.cancelButton.onclick = () => aborter.abort();
  showScreens(elements, 'transfer');
  setStatus(elements, 'Connecting to the relay…', true);

  const pathLine = new PathLine(elements.pathLine);
  const mark = sessionMarker();
  const countdown = new StatusCountdown(elements);
  const onEvent = (event: SessionEvent): void => {
    pathLine.onEvent(event);
    mark(event);
    // A wait ends with any news but a path change or a warning (those can come during it).
    if (event.type !== 'path' && event.type !== 'warning') countdown.stop();
    switch (event.type) {
      case 'link':
        elements.pairingLink.value = event.link;
        showScreens(elements, 'pairing', 'transfer');
        setStatus(elements, 'Waiting for the other device to scan the code or open the link…');
        void drawQrCode(elements.qrCode, event.link).catch((error: unknown) => setError(elements, `Could not draw the QR code (${String(error)}); copy the link instead.`));
        elements.copyLink.focus();
        return;
      case 'paired':
        paired = true;
        showScreens(elements, 'transfer');
        setStatus(elements, 'Connected. Sending…');
        return;
      case 'progress':
        list.progress(event.fileIndex, event.bytes);
        return;
      case 'file-done':
        list.done(event.fileIndex, `Sent · ${formatBytes(event.size)} · checksum verified by the receiver`);
        return;
      case 'interrupted':
        countdown.start(event.reason === 'own-socket' ? 'Connection lost. Reconnecting…' : 'The receiver lost its connection. Waiting for it to come back…', event.givesUpAt);
        return;
      case 'warning':
        setStatus(elements, event.message, true);
        return;
      case 'resumed':
        setStatus(elements, 'Connected again. Sending…');
        return;
      case 'done':
        elements.transferTitle.textContent = `Sent ${formatFileCount(event.files, event.bytes)}`;
        setStatus(elements, `All files sent (${formatBytes(event.bytes)}).`);
        return;
      default:
        return;
    }
  };

  try {
    await sendFiles({
      relayUrl,
      linkRelayUrl,
      pageUrl,
      files: files.map((file) => ({ name: file.name, type: file.type || undefined, source: blobSource(file) })),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      onEvent,
      signal: aborter.signal,
      ...pathOptions,
    });
  } catch (error) {
    countdown.stop();
    showScreens(elements, 'transfer');
    if (aborter.signal.aborted) {
      setStatus(elements, 'Cancelled.');
      list.failUnfinished('Cancelled');
    } else {
      setStatus(elements, 'The transfer stopped.');
      setError(elements, describeError(error, { role: 'send', paired }));
      list.failUnfinished('Not sent');
    }
  } finally {
    countdown.stop();
    elements.cancelButton.hidden = true;
    elements.againButton.hidden = false;
    elements.againButton.focus();
  }
}
