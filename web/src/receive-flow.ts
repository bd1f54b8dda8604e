import { receiveFiles, type ByteSink, type SendOptions, type IncomingFile, type SessionEvent, type WebSocketConstructor } from '../../client';
import { formatBytes } from '../../client/byte-units';
import { distinctNames, safeFileName } from '../../client/safe-file-name';
import { directoryPicker, directorySink, downloadSink, type PickedDirectory, type SavedFile } from './download-sink';
import { describeError } from './error-text';
import { FileListView } from './file-list-view';
import { PathLine } from './path-line';
import { StatusCountdown } from './status-countdown';
import { sessionMarker } from './session-marks';
import { formatFileCount } from './format';
import { setError, setStatus, showScreens, type PageElements } from './page-elements';

/**
 * From this total size up, a browser that can write to disk directly (Chromium on desktop) asks
 * for a folder and streams the files into it; below it, or where it cannot, files gather in a Blob
 * and are saved through a download.
 */
const STREAM_TO_DISK_BYTES = 256 * 1000 * 1000;

/** What a receive needs from the page. */
export interface ReceiveFlowOptions {
  readonly elements: PageElements;
  /** The path options (path-settings.ts): a WebRTC implementation and ICE servers, or none for relay-only. */
  readonly pathOptions: Pick<SendOptions, 'webrtc' | 'iceServers'>;
  /** The pairing link (from the address bar, a scanned QR code or a pasted link). */
  readonly link: string;
}

/**
 * Receives the files of a pairing link: per-file progress, rate and time left, each file saved
 * through a download once its hash is checked, "Reconnecting… (gives up in 1:45)" while a socket or the other side is away, and a
 * plain sentence if it fails. Resolves when the transfer ends, whatever the outcome.
 */
export async function runReceiveFlow({ elements, pathOptions, link }: ReceiveFlowOptions): Promise<void> {
  const list = new FileListView(elements.fileList, 'Received');
  const aborter = new AbortController();
  let paired = false;
  let directory: PickedDirectory | undefined;

  list.setFiles([]);
  elements.transferTitle.textContent = 'Receiving';
  elements.cancelButton.hidden = false;
  elements.againButton.hidden = true;
  elements.cancelButton.onclick = () => aborter.abort();
  showScreens(elements, 'transfer');
  setStatus(elements, 'Connecting to the sender…', true);

  const onSaved = (file: IncomingFile) => (saved: SavedFile) => {
    const text = saved.url ? `Saved to Downloads · ${formatBytes(file.size)} · checksum verified` : `Saved to the chosen folder · ${formatBytes(file.size)} · checksum verified`;
    list.done(file.index, text, saved.url ? { href: saved.url, download: saved.name, text: 'Save again' } : undefined);
  };

  // The sender chose the names: the list, the downloads and a picked folder show and use only these.
  let names: readonly string[] = [];
  const nameOf = (file: IncomingFile): string => names[file.index] ?? safeFileName(file.name);
  const openSink = async (file: IncomingFile): Promise<ByteSink> =>
    directory ? directorySink(directory, nameOf(file), onSaved(file)) : downloadSink(nameOf(file), onSaved(file));

  const accept = async (files: readonly IncomingFile[]): Promise<void> => {
    const total = files.reduce((n, f) => n + f.size, 0);
    const pick = directoryPicker();
    if (total >= STREAM_TO_DISK_BYTES && pick) directory = await askForFolder(elements, pick, total);
  };

  const pathLine = new PathLine(elements.pathLine);
  const mark = sessionMarker();
  const countdown = new StatusCountdown(elements);
  const onEvent = (event: SessionEvent): void => {
    pathLine.onEvent(event);
    mark(event);
    // A wait ends with any news but a path change or a warning (those can come during it).
    if (event.type !== 'path' && event.type !== 'warning') countdown.stop();
    switch (event.type) {
      case 'paired':
        paired = true;
        setStatus(elements, 'Connected. Waiting for the list of files…');
        return;
      case 'files': {
        const total = event.files.reduce((n, f) => n + f.size, 0);
        names = folderFileNames(event.files);
        list.setFiles(event.files.map((file, index) => ({ name: names[index]!, size: file.size })));
        elements.transferTitle.textContent = `Receiving ${formatFileCount(event.files.length, total)}`;
        setStatus(elements, 'Receiving…');
        return;
      }
      case 'progress':
        list.progress(event.fileIndex, event.bytes);
        return;
      case 'interrupted':
        countdown.start(event.reason === 'own-socket' ? 'Connection lost. Reconnecting…' : 'The sender lost its connection. Waiting for it to come back…', event.givesUpAt);
        return;
      case 'warning':
        setStatus(elements, event.message, true);
        return;
      case 'resumed':
        setStatus(elements, 'Connected again. Receiving…');
        return;
      case 'done':
        elements.transferTitle.textContent = `Received ${formatFileCount(event.files, event.bytes)}`;
        setStatus(elements, `All files received (${formatBytes(event.bytes)}).`);
        return;
      default:
        return;
    }
  };

  try {
    await receiveFiles({ link, WebSocket: WebSocket as unknown as WebSocketConstructor, openSink, accept, onEvent, signal: aborter.signal, ...pathOptions });
  } catch (error) {
    countdown.stop();
    if (aborter.signal.aborted) {
      setStatus(elements, 'Cancelled.');
      list.failUnfinished('Cancelled');
    } else {
      setStatus(elements, 'The transfer stopped.');
      setError(elements, describeError(error, { role: 'receive', paired }));
      list.failUnfinished('Not received');
    }
  } finally {
    countdown.stop();
    elements.cancelButton.hidden = true;
    elements.againButton.hidden = false;
    elements.againButton.focus();
  }
}

/**
 * Asks, with a button (the picker needs a click), for a folder to stream a large transfer into;
 * undefined when the person declines, and the files then go through downloads.
 */
async function askForFolder(elements: PageElements, pick: () => Promise<PickedDirectory>, total: number): Promise<PickedDirectory | undefined> {
  setStatus(elements, `These files are large (${formatBytes(total)}). Choose a folder to save them into, or skip to download them.`);
  const choose = document.createElement('button');
  choose.type = 'button';
  choose.className = 'primary';
  choose.textContent = 'Choose folder';
  const skip = document.createElement('button');
  skip.type = 'button';
  skip.textContent = 'Download instead';
  const row = document.createElement('div');
  row.className = 'row actions';
  row.append(choose, skip);
  elements.fileList.after(row);
  choose.focus();
  try {
    return await new Promise<PickedDirectory | undefined>((resolve) => {
      choose.onclick = () => pick().then(resolve, () => resolve(undefined));
      skip.onclick = () => resolve(undefined);
    });
  } finally {
    row.remove();
    setStatus(elements, 'Receiving…');
  }
}

/**
 * The names the files of a manifest take on this device, by index: in the list, as downloads and
 * in a picked folder. The CLI's rules (the last path segment, no reserved characters or device
 * names, at most 200 bytes), distinct within the manifest ("a.txt", "a (1).txt"), so no file of the
 * transfer overwrites another.
 */
export function folderFileNames(files: readonly Pick<IncomingFile, 'name'>[]): string[] {
  return distinctNames(files.map((file) => safeFileName(file.name)));
}
