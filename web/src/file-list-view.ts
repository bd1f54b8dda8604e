import { formatBytes, formatRate } from '../../client/byte-units';
import { printableText } from '../../client/printable-text';
import { formatDuration, RateMeter } from './format';

/** One file's row: name, size, a progress bar and a line of bytes, rate and time left. */
class FileRow {
  readonly element: HTMLLIElement;
  private readonly bar: HTMLProgressElement;
  private readonly detail: HTMLElement;
  private readonly meter = new RateMeter();
  private lastPaint = -Infinity;

  constructor(
    readonly name: string,
    readonly size: number,
    private readonly verb: string,
  ) {
    this.element = document.createElement('li');
    this.element.className = 'file';
    const title = document.createElement('span');
    title.className = 'file-name';
    // The sender chose the name: a bidi control would show `invoice\u202Etxt.exe` as "invoiceexe.txt".
    title.textContent = printableText(name);
    const sizeText = document.createElement('span');
    sizeText.className = 'file-size';
    sizeText.textContent = formatBytes(size);
    this.bar = document.createElement('progress');
    this.bar.max = Math.max(1, size);
    this.bar.value = 0;
    this.bar.setAttribute('aria-label', `${printableText(name)}: ${verb}`);
    this.detail = document.createElement('span');
    this.detail.className = 'file-detail';
    this.detail.textContent = 'Waiting';
    this.element.append(title, sizeText, this.bar, this.detail);
  }

  progress(bytes: number, now: number): void {
    // Repaint at most 4 times a second: a direct path brings a thousand chunks a second, and a
    // sample and a bar update per chunk cost the receiving page a tenth of its time.
    if (now - this.lastPaint < 250 && bytes < this.size) return;
    this.lastPaint = now;
    this.meter.record(now, bytes);
    this.bar.value = bytes;
    const rate = this.meter.rate();
    const left = this.meter.secondsLeft(this.size);
    this.detail.textContent = `${this.verb} ${formatBytes(bytes)} of ${formatBytes(this.size)} · ${formatRate(rate)} · ${formatDuration(left)} left`;
  }

  done(text: string, link?: { href: string; download: string; text: string }): void {
    this.bar.value = this.bar.max;
    this.element.classList.add('done');
    this.detail.textContent = text;
    if (link) {
      const anchor = document.createElement('a');
      anchor.href = link.href;
      anchor.download = link.download;
      anchor.textContent = link.text;
      this.detail.append(' · ', anchor);
    }
  }

  failed(text: string): void {
    this.element.classList.add('failed');
    this.detail.textContent = text;
  }
}

/** The list of files of one transfer, with per-file progress, rate and time left. */
export class FileListView {
  private rows: FileRow[] = [];

  /** @param verb "Sent" or "Received", as the progress line reads. */
  constructor(
    private readonly list: HTMLUListElement,
    private readonly verb: string,
  ) {}

  /** Replaces the rows with these files (in transfer order). */
  setFiles(files: readonly { readonly name: string; readonly size: number }[]): void {
    this.rows = files.map((file) => new FileRow(file.name, file.size, this.verb));
    this.list.replaceChildren(...this.rows.map((row) => row.element));
  }

  /** Updates file `index` to `bytes` done. */
  progress(index: number, bytes: number, now = performance.now()): void {
    this.rows[index]?.progress(bytes, now);
  }

  /** Marks file `index` complete, with an optional link (e.g. "Save again"). */
  done(index: number, text: string, link?: { href: string; download: string; text: string }): void {
    this.rows[index]?.done(text, link);
  }

  /** Marks every file not yet complete as failed. */
  failUnfinished(text: string): void {
    for (const row of this.rows) if (!row.element.classList.contains('done')) row.failed(text);
  }
}
