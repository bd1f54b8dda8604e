import { Presets, SingleBar } from 'cli-progress';
import type { SessionEvent } from '../client';
import type { TransferPath } from '../client/direct/direct-link';
import { formatBytes, formatRate } from '../client/byte-units';
import { escapeUnsafeInJson, printableText } from '../client/printable-text';
import { COUNTDOWN_TICK_MS, formatTimeLeft } from '../client/time-left';
import { formatDuration } from './human-units';
import { terminalQrCode } from './terminal-qr-code';

/** How the CLI shows a session: bars on a terminal, plain lines otherwise, or JSON lines with --json. */
export type ReportMode = 'tty' | 'plain' | 'json';

/** Picks the mode from --json and whether stdout is a terminal. */
export function reportModeFor(json: boolean, stdout: NodeJS.WriteStream = process.stdout): ReportMode {
  if (json) return 'json';
  return stdout.isTTY ? 'tty' : 'plain';
}

const PROGRESS_JSON_INTERVAL_MS = 250;

/** Without a terminal, a wait's countdown prints a line when it enters a new step of this many seconds (2:00, 1:50, ...). */
const PLAIN_COUNTDOWN_STEP_S = 10;

/** A wait being counted down: what it says, until when, and how it is drawn. */
interface Countdown {
  readonly text: string;
  readonly givesUpAt: number;
  readonly timer: ReturnType<typeof setInterval>;
  /** Plain lines: the step last printed. */
  lastStep?: number;
  /** Terminal: the bar stopped for the countdown's line, started again after it. */
  readonly pausedBar: boolean;
}

/** How the progress line names each path. */
const PATH_WORDS: Record<TransferPath, string> = { direct: 'direct', relay: 'through the relay' };

/** How a SessionReporter names files. */
export interface SessionReporterOptions {
  /**
   * The names the files are saved under, from the names in the manifest (the receiver's: the
   * sender's raw names are never shown; with --json they are, and each file gets a `savedAs`).
   */
  readonly savedNames?: (names: readonly string[]) => readonly string[];
}

/**
 * Turns session events into what the user sees. Every line goes through printableText (text from
 * the peer or the relay never reaches the terminal raw); --json lines keep JSON's escaping, with
 * C1 and bidi controls and U+2028/2029 escaped too.
 */
export class SessionReporter {
  private bar?: SingleBar;
  private startedAt = 0;
  private lastJsonProgressAt = 0;
  private rate = 0;
  private lastSample?: { at: number; bytes: number };
  /** The names shown for the files of the session, by index (saved names on the receiver). */
  private names: readonly string[] = [];
  /** Which path carries the bytes now. */
  private path: TransferPath = 'relay';
  /** Bytes counted on each path (from the progress events), for the closing line. */
  private readonly bytesByPath: Record<TransferPath, number> = { direct: 0, relay: 0 };
  private lastTotalBytes = 0;
  /** The wait being counted down, while the session is interrupted. */
  private countdown?: Countdown;
  /** What the bar showed last (file, bytes, rate...), to show again when it starts again after a line. */
  private barPayload: Record<string, string> = {};

  constructor(
    private readonly mode: ReportMode,
    private readonly role: 'send' | 'receive',
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly options: SessionReporterOptions = {},
  ) {}

  /** Shows one session event. */
  event(event: SessionEvent): void {
    if (event.type === 'files') {
      const names = event.files.map((f) => f.name);
      this.names = this.options.savedNames?.(names) ?? names;
    }
    if (event.type === 'progress') {
      this.count(event.totalBytes);
      this.sample(event.totalBytes);
    }
    if (event.type === 'path') this.path = event.path;
    // A wait ends with anything but a word about the path or a warning (those can come during it).
    if (event.type !== 'path' && event.type !== 'warning') this.stopCountdown();
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
        const names = this.names.join(', ');
        this.line(`${this.role === 'send' ? 'Sending' : 'Receiving'} ${event.files.length} file(s), ${formatBytes(total)}: ${names}`);
        if (this.mode === 'tty') this.startBar(total);
        return;
      }
      case 'progress':
        this.progress(event.totalBytes, this.nameOf(event.fileIndex, event.name));
        return;
      case 'file-done':
        if (this.mode === 'plain') this.line(`${this.role === 'send' ? 'Sent' : 'Received'} ${this.nameOf(event.fileIndex, event.name)} (${formatBytes(event.size)})`);
        return;
      case 'interrupted':
        this.startCountdown(event.reason === 'own-socket' ? 'Connection to the relay lost, reconnecting...' : 'The other side dropped, waiting for it to come back...', event.givesUpAt);
        return;
      case 'resumed':
        this.line('Resumed.');
        return;
      case 'warning':
        this.line(event.message);
        return;
      case 'path':
        this.line(event.path === 'direct' ? 'Direct connection to the other device: the bytes go direct.' : 'The bytes go through the relay.');
        return;
      case 'done': {
        this.bar?.update(this.bar.getTotal());
        this.bar?.stop();
        this.bar = undefined;
        const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
        this.line(`Done: ${event.files} file(s), ${formatBytes(event.bytes)} in ${seconds.toFixed(1)} s (${formatBytes(event.bytes / seconds)}/s${this.pathSummary()}).`);
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
    if (this.mode === 'json') this.jsonLine({ type: 'notice', message: text });
    else this.line(text);
  }

  /** The session ended (however): a countdown still running stops and its line ends, and the bar stops where it was. */
  end(): void {
    this.stopCountdown(false);
    this.bar?.stop();
    this.bar = undefined;
  }

  /** Reports a failure: a JSON event with --json, and always one line on stderr. */
  error(code: string, message: string): void {
    this.end();
    if (this.mode === 'json') this.jsonLine({ type: 'error', code, message });
    process.stderr.write(`banguins: ${printableText(message)}\n`);
  }

  /**
   * Shows `text` with the time left until `givesUpAt`: on a terminal one line redrawn in place every
   * second (the bar stops meanwhile), otherwise a line at the start and one per 10 s step. --json
   * has the deadline in the event itself.
   */
  private startCountdown(text: string, givesUpAt: number): void {
    if (this.mode === 'json') return;
    const pausedBar = this.bar !== undefined;
    this.bar?.stop();
    const timer = setInterval(() => this.drawCountdown(), COUNTDOWN_TICK_MS);
    // The session's end stops it; nothing waits for it.
    timer.unref?.();
    this.countdown = { text, givesUpAt, timer, pausedBar };
    this.drawCountdown();
  }

  private countdownLine(countdown: Countdown): string {
    return printableText(`${countdown.text} (gives up in ${formatTimeLeft(countdown.givesUpAt)})`);
  }

  private drawCountdown(): void {
    const countdown = this.countdown;
    if (!countdown) return;
    if (this.mode === 'tty') {
      this.out.write(`\r\x1b[2K${this.countdownLine(countdown)}`);
      return;
    }
    const step = Math.ceil(Math.max(0, countdown.givesUpAt - Date.now()) / 1000 / PLAIN_COUNTDOWN_STEP_S);
    if (step === countdown.lastStep) return;
    countdown.lastStep = step;
    this.out.write(`${this.countdownLine(countdown)}\n`);
  }

  /** Ends a running countdown: its terminal line is finished and, unless the session is over, the bar comes back if it was showing. */
  private stopCountdown(resumeBar = true): void {
    const countdown = this.countdown;
    if (!countdown) return;
    this.countdown = undefined;
    clearInterval(countdown.timer);
    if (this.mode !== 'tty') return;
    this.out.write('\n');
    if (resumeBar && countdown.pausedBar) this.restartBar();
  }

  /** Starts the bar again where it stopped, showing what it showed (cli-progress forgets it on stop). */
  private restartBar(): void {
    if (!this.bar) return;
    this.bar.start(this.bar.getTotal(), (this.bar as unknown as { value: number }).value ?? 0, this.barPayload);
  }

  private showLink(link: string): void {
    if (this.mode === 'tty') {
      this.out.write(`${terminalQrCode(link)}\n`);
    }
    this.line('Scan the code with a phone, or on the other computer run: banguins receive "<link>" with this link:');
    this.line(link);
    this.line('Waiting for the receiver...');
  }

  private startBar(total: number): void {
    this.bar = new SingleBar(
      {
        format: ' {file} |{bar}| {percentage}% | {done} of {size} | {speed} {path} | ETA {etaText}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stream: this.out as NodeJS.WriteStream,
        fps: 8,
      },
      Presets.shades_classic,
    );
    this.barPayload = { file: '', done: formatBytes(0), size: formatBytes(total), speed: '-', path: PATH_WORDS[this.path], etaText: '--:--' };
    this.bar.start(Math.max(total, 1), 0, this.barPayload);
  }

  /** Counts the bytes since the last progress event on the path that carries them now. */
  private count(totalBytes: number): void {
    this.bytesByPath[this.path] += Math.max(0, totalBytes - this.lastTotalBytes);
    this.lastTotalBytes = Math.max(this.lastTotalBytes, totalBytes);
  }

  /** ", direct", ", through the relay", or both with their bytes when both carried some. */
  private pathSummary(): string {
    const { direct, relay } = this.bytesByPath;
    if (direct > 0 && relay > 0) return `, ${formatBytes(direct)} direct and ${formatBytes(relay)} through the relay`;
    return direct > 0 ? ', direct' : ', through the relay';
  }

  /** Updates the smoothed rate from the bytes done so far (a sample every 500 ms at most). */
  private sample(totalBytes: number): void {
    const now = Date.now();
    if (this.lastSample && now - this.lastSample.at >= 500) {
      const instant = ((totalBytes - this.lastSample.bytes) * 1000) / (now - this.lastSample.at);
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
      this.lastSample = { at: now, bytes: totalBytes };
    } else if (!this.lastSample) {
      this.lastSample = { at: now, bytes: totalBytes };
    }
  }

  private progress(totalBytes: number, name: string): void {
    if (!this.bar) return;
    const total = this.bar.getTotal();
    this.barPayload = {
      ...this.barPayload,
      file: shortName(printableText(name)),
      done: formatBytes(totalBytes),
      speed: this.rate > 0 ? formatRate(this.rate) : '-',
      path: PATH_WORDS[this.path],
      etaText: this.rate > 0 ? formatDuration((total - totalBytes) / this.rate) : '--:--',
    };
    this.bar.update(totalBytes, this.barPayload);
  }

  private json(event: SessionEvent): void {
    if (event.type === 'progress') {
      const now = Date.now();
      if (event.totalBytes < event.totalSize && now - this.lastJsonProgressAt < PROGRESS_JSON_INTERVAL_MS) return;
      this.lastJsonProgressAt = now;
    }
    const shown = this.options.savedNames ? this.withSavedNames(event) : event;
    // Progress says which path carries the bytes, and the rate (bytes per second, smoothed over about 2 s).
    this.jsonLine(event.type === 'progress' ? { ...shown, path: this.path, bytesPerSecond: Math.round(this.rate) } : shown);
  }

  /** The event with the saved name of each file beside the sender's (`savedAs`). */
  private withSavedNames(event: SessionEvent): SessionEvent & Record<string, unknown> {
    switch (event.type) {
      case 'files':
        return { ...event, files: event.files.map((f, i) => ({ ...f, savedAs: this.nameOf(i, f.name) })) };
      case 'progress':
      case 'file-done':
        return { ...event, savedAs: this.nameOf(event.fileIndex, event.name) };
      default:
        return event;
    }
  }

  private nameOf(fileIndex: number, fallback: string): string {
    return this.names[fileIndex] ?? fallback;
  }

  private jsonLine(value: unknown): void {
    this.out.write(`${escapeUnsafeInJson(JSON.stringify(value))}\n`);
  }

  private line(raw: string): void {
    const text = printableText(raw);
    if (this.countdown && this.mode === 'tty') {
      // Above the countdown's line, which is drawn again under it.
      this.out.write(`\r\x1b[2K${text}\n`);
      this.drawCountdown();
      return;
    }
    if (this.bar) {
      // cli-progress redraws over the last line: print above it.
      this.bar.stop();
      this.out.write(`${text}\n`);
      this.restartBar();
      return;
    }
    this.out.write(`${text}\n`);
  }
}

/** A name cut to fit the bar, whole characters only. */
function shortName(name: string): string {
  const chars = [...name];
  return chars.length > 24 ? `${chars.slice(0, 21).join('')}...` : name;
}
