import { COUNTDOWN_TICK_MS, formatTimeLeft } from '../../client/time-left';
import { setStatus, type PageElements } from './page-elements';

/**
 * A wait on the status line with the time left until the session gives up, "Connection lost.
 * Reconnecting… (gives up in 1:45)", redrawn every second until stopped (any news, or the end).
 */
export class StatusCountdown {
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly elements: PageElements) {}

  /** Shows `text` counting down to `givesUpAt` (a Date.now() time), replacing any countdown running. */
  start(text: string, givesUpAt: number): void {
    this.stop();
    const draw = (): void => setStatus(this.elements, `${text} (gives up in ${formatTimeLeft(givesUpAt)})`, true);
    draw();
    this.timer = setInterval(draw, COUNTDOWN_TICK_MS);
  }

  /** Stops redrawing (the status line keeps its text until the caller sets another). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
