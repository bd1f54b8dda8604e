import type { ByteSink } from '../../client';

/** A received file, ready to save again: its object URL lives as long as the page. */
export interface SavedFile {
  readonly name: string;
  /** An object URL for a `<a download>` link, or undefined when the file was streamed to disk. */
  readonly url?: string;
}

/**
 * The type of every received Blob, whatever the manifest says: the sender chose that type, and an
 * object URL of `text/html` or `image/svg+xml` opened in a tab would run the sender's script in
 * this page's origin, where the relay key is stored. Bytes of this type are only ever downloaded.
 */
const RECEIVED_BLOB_TYPE = 'application/octet-stream';

/**
 * A ByteSink that gathers the file as Blob parts (browsers keep large blobs on disk, not all in
 * the page's memory) and, once the library has checked its hash, saves it as `name` through a
 * download: an object URL clicked from an `<a download>`. Until then nothing is offered, so a file
 * whose hash does not match is never saved. `name` must already be safe (safeFileName).
 */
export function downloadSink(name: string, onSaved: (file: SavedFile) => void): ByteSink {
  let parts: BlobPart[] = [];
  return {
    write: async (bytes) => {
      // The bytes are ours to keep (ByteSink): no copy, which was a 100 MB allocation per 100 MB received.
      // WebCrypto's plaintext lives in a plain ArrayBuffer, never a shared one.
      parts.push(bytes as Uint8Array<ArrayBuffer>);
    },
    commit: async () => {
      const url = URL.createObjectURL(new Blob(parts, { type: RECEIVED_BLOB_TYPE }));
      parts = [];
      triggerDownload(url, name);
      onSaved({ name, url });
    },
    abort: async () => {
      parts = [];
    },
  };
}

/** The File System Access API's writable, as far as this page uses it (Chromium desktop). */
interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** A directory the person picked with `showDirectoryPicker`, as far as this page uses it. */
export interface PickedDirectory {
  getFileHandle(name: string, options: { create: boolean }): Promise<{ createWritable(): Promise<WritableFile> }>;
}

/** `window.showDirectoryPicker` where the browser has it (Chromium on desktop), else undefined. */
export function directoryPicker(): (() => Promise<PickedDirectory>) | undefined {
  const picker = (window as { showDirectoryPicker?: (options?: { mode?: string }) => Promise<PickedDirectory> }).showDirectoryPicker;
  return picker ? () => picker.call(window, { mode: 'readwrite' }) : undefined;
}

/**
 * A ByteSink streaming straight into `name` inside a picked directory: memory stays flat whatever
 * the size. The browser writes to a temporary file and moves it into place only on commit, so a
 * failed or tampered transfer leaves nothing under the final name.
 */
export function directorySink(directory: PickedDirectory, name: string, onSaved: (file: SavedFile) => void): ByteSink {
  let writable: Promise<WritableFile> | undefined;
  const open = (): Promise<WritableFile> => (writable ??= directory.getFileHandle(name, { create: true }).then((h) => h.createWritable()));
  return {
    write: async (bytes) => (await open()).write(bytes),
    commit: async () => {
      await (await open()).close();
      onSaved({ name });
    },
    abort: async () => {
      if (writable) await (await writable).abort();
    },
  };
}

/** Starts a download of `url` as `name`. */
function triggerDownload(url: string, name: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}
