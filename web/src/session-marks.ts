import type { SessionEvent } from '../../client';

/**
 * Marks a session's milestones on the page's performance timeline (`banguins:paired`, `:path-direct`,
 * `:files`, `:first-progress`, `:done`), where DevTools shows them and bench/browser-direct.ts reads
 * them. One mark per milestone and session; progress costs a comparison.
 */
export function sessionMarker(): (event: SessionEvent) => void {
  let progressed = false;
  const mark = (name: string): void => void performance.mark(`banguins:${name}`);
  return (event) => {
    if (event.type === 'progress') {
      if (!progressed) mark('first-progress');
      progressed = true;
    } else if (event.type === 'path') mark(`path-${event.path}`);
    else if (event.type === 'paired' || event.type === 'files' || event.type === 'done') mark(event.type);
  };
}
