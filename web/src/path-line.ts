import { formatRate } from '../../client/byte-units';
import type { SessionEvent } from '../../client';
import { RateMeter } from './format';

/** How the page names each path. */
const PATH_TEXT = { direct: 'direct', relay: 'through the relay' } as const;

/**
 * The transfer's path line: which path carries the bytes ("direct" or "through the relay") and the
 * rate over it, from the session's `path` and `progress` events. Hidden until bytes move or the path
 * changes; the rate starts afresh on each change of path. `data-path` holds `direct` or `relay`.
 */
export class PathLine {
  private path: keyof typeof PATH_TEXT = 'relay';
  private meter = new RateMeter();
  private lastPaint = -Infinity;

  constructor(private readonly element: HTMLElement) {
    element.hidden = true;
    element.textContent = '';
  }

  /** Takes a session event; only `path` and `progress` change the line. */
  onEvent(event: SessionEvent, now = performance.now()): void {
    if (event.type === 'path') {
      this.path = event.path;
      this.meter = new RateMeter();
      this.paint(now);
    } else if (event.type === 'progress') {
      // At most 4 samples and repaints a second, as the file rows.
      if (now - this.lastPaint < 250 && event.totalBytes < event.totalSize) return;
      this.meter.record(now, event.totalBytes);
      this.paint(now);
    }
  }

  private paint(now: number): void {
    this.lastPaint = now;
    const rate = this.meter.rate();
    this.element.hidden = false;
    this.element.dataset.path = this.path;
    this.element.textContent = `Path: ${PATH_TEXT[this.path]}${rate > 0 ? ` · ${formatRate(rate)}` : ''}`;
  }
}
