import { Presets, SingleBar } from 'cli-progress';
import qrcode from 'qrcode-terminal';
import type { SessionEvent } from '../client';
import { formatBytes, formatDuration } from './human-units';

/** How the CLI shows a session: bars on a terminal, plain lines otherwise, or JSON lines with --json. */
export type ReportMode = 'tty' | 'plain' | 'json';

/** Picks the mode from --json and whether stdout is a terminal. */
export function reportModeFor(json: boolean, stdout: NodeJS.WriteStream = process.stdout): ReportMode {
  if (json) return 'json';
  return stdout.isTTY ? 'tty' : 'plain';
}

const PROGRESS_JSON_INTERVAL_MS = 250;

/** Turns session events into what the user sees. */
export class SessionReporter {
  private bar?: SingleBar;
  private startedAt = 0;
  private lastJsonProgressAt = 0;
  private rate = 0;
  private lastSample?: { at: number; bytes: number };

  constructor(
    private readonly mode: ReportMode,
    private readonly role: 'send' | 'receive',
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  /** Shows one session event. */
  event(event: SessionEvent): void {
    if (this.mode === 'json') {
      this.json(event);
      return;
    }
    switch (event.type) {
      case 'link':
        this.showLink(event.link);
        return;
      case 'paired':
        this.startedAt = Date.now();
        this.line(this.role === 'send' ? 'Receiver connected.' : 'Connected to the sender.');
        return;
      case 'files': {
        const total = event.files.reduce((n, f) => n + f.size, 0);
        const names = event.files.map((f) => f.name).join(', ');
        this.line(`${this.role === 'send' ? 'Sending' : 'Receiving'} ${event.files.length} file(s), ${formatBytes(total)}: ${names}`);
        if (this.mode === 'tty') this.startBar(total);
        return;
      }
      case 'progress':
        this.progress(event.totalBytes, event.name);
        return;
      case 'file-done':
        if (this.mode === 'plain') this.line(`${this.role === 'send' ? 'Sent' : 'Received'} ${event.name} (${formatBytes(event.size)})`);
        return;
      case 'interrupted':
        this.line(event.reason === 'own-socket' ? 'Connection to the relay lost, reconnecting...' : 'The other side dropped, waiting for it to come back...');
        return;
      case 'resumed':
        this.line('Resumed.');
        return;
      case 'done': {
        this.bar?.update(this.bar.getTotal());
        this.bar?.stop();
        this.bar = undefined;
        const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
        this.line(`Done: ${event.files} file(s), ${formatBytes(event.bytes)} in ${seconds.toFixed(1)} s (${formatBytes(event.bytes / seconds)}/s).`);
        return;
      }
    }
  }

  /** Prints a free line (e.g. the receive folder). */
  note(text: string): void {
    if (this.mode === 'json') return;
    this.line(text);
  }

  /** Prints a line the user should see in every mode (with --json, a `notice` event). */
  notice(text: string): void {
    if (this.mode === 'json') this.out.write(`${JSON.stringify({ type: 'notice', message: text })}\n`);
    else this.line(text);
  }

  /** Reports a failure: a JSON event with --json, and always one line on stderr. */
  error(code: string, message: string): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.mode === 'json') this.out.write(`${JSON.stringify({ type: 'error', code, message })}\n`);
    process.stderr.write(`banguins: ${message}\n`);
  }

  private showLink(link: string): void {
    if (this.mode === 'tty') {
      qrcode.generate(link, { small: true }, (code) => this.out.write(`${code}\n`));
    }
    this.line('Scan the code with a phone, or on the other computer run: banguins receive "<link>" with this link:');
    this.line(link);
    this.line('Waiting for the receiver...');
  }

  private startBar(total: number): void {
    this.bar = new SingleBar(
      {
        format: ' {file} |{bar}| {percentage}% | {done} of {size} | {speed} | ETA {etaText}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stream: this.out as NodeJS.WriteStream,
        fps: 8,
      },
      Presets.shades_classic,
    );
    this.bar.start(Math.max(total, 1), 0, { file: '', done: formatBytes(0), size: formatBytes(total), speed: '-', etaText: '--:--' });
  }

  private progress(totalBytes: number, name: string): void {
    const now = Date.now();
    if (this.lastSample && now - this.lastSample.at >= 500) {
      const instant = ((totalBytes - this.lastSample.bytes) * 1000) / (now - this.lastSample.at);
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
      this.lastSample = { at: now, bytes: totalBytes };
    } else if (!this.lastSample) {
      this.lastSample = { at: now, bytes: totalBytes };
    }
    if (!this.bar) return;
    const total = this.bar.getTotal();
    this.bar.update(totalBytes, {
      file: name.length > 24 ? `${name.slice(0, 21)}...` : name,
      done: formatBytes(totalBytes),
      speed: this.rate > 0 ? `${formatBytes(this.rate)}/s` : '-',
      etaText: this.rate > 0 ? formatDuration((total - totalBytes) / this.rate) : '--:--',
    });
  }

  private json(event: SessionEvent): void {
    if (event.type === 'progress') {
      const now = Date.now();
      if (event.totalBytes < event.totalSize && now - this.lastJsonProgressAt < PROGRESS_JSON_INTERVAL_MS) return;
      this.lastJsonProgressAt = now;
    }
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  private line(text: string): void {
    if (this.bar) {
      // cli-progress redraws over the last line: print above it.
      this.bar.stop();
      this.out.write(`${text}\n`);
      this.bar.start(this.bar.getTotal(), (this.bar as unknown as { value: number }).value ?? 0);
      return;
    }
    this.out.write(`${text}\n`);
  }
}
