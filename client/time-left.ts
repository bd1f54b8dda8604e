/**
 * The time left until `deadline` (a Date.now() time) as `m:ss`, whole seconds rounded up and never
 * below `0:00`: what the CLI and the page show in "Reconnecting... (gives up in 1:45)".
 */
export function formatTimeLeft(deadline: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.ceil((deadline - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** How often a countdown to a session's give-up deadline is redrawn. */
export const COUNTDOWN_TICK_MS = 1000;
