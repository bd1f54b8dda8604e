import type { RelayLog } from './relay-log';

/**
 * The routes a transfer calls once per chunk (or per few chunks). Their successful calls are
 * summed, not logged one by one: a 1 GB file is about 10,400 Transfer calls.
 */
const PER_CHUNK_ROUTES: ReadonlySet<string> = new Set(['Transfer', 'Acknowledge']);

/** How long a sum of per-chunk calls gathers before its line is written. */
const ROUTE_SUMMARY_MS = 1000;

/** The calls of one route from one connection since its last line. */
interface RouteSum {
  readonly routeKey: string;
  readonly connectionId: string;
  readonly status: number;
  calls: number;
  minMs: number;
  maxMs: number;
}

/**
 * The local relay's `route` lines: one per call of `$connect`, Connect, Request and the rest, and
 * of any call that failed or answered other than 200; the successful calls of Transfer and
 * Acknowledge as one line per connection and route at most every ROUTE_SUMMARY_MS
 * (`route     Transfer <id> status=200 x523 0-3ms`), and before the connection's `close` line.
 */
export class RouteLog {
  private readonly sums = new Map<string, RouteSum>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: RelayLog,
    private readonly summaryMs: number = ROUTE_SUMMARY_MS,
  ) {}

  /** Logs one finished call: the status its handler returned (undefined when it returned nothing, which API Gateway takes as 200), or the first line of what it threw. */
  record(routeKey: string, connectionId: string, ms: number, outcome: { readonly status?: number; readonly error?: string }): void {
    if (outcome.error !== undefined) {
      this.log.line(`route     ${routeKey} ${connectionId} error ${ms}ms ${outcome.error}`);
      return;
    }
    const status = outcome.status ?? 200;
    if (status !== 200 || !PER_CHUNK_ROUTES.has(routeKey)) {
      this.log.line(`route     ${routeKey} ${connectionId} status=${outcome.status ?? '-'} ${ms}ms`);
      return;
    }
    const key = `${routeKey} ${connectionId}`;
    const sum = this.sums.get(key);
    if (sum) {
      sum.calls++;
      sum.minMs = Math.min(sum.minMs, ms);
      sum.maxMs = Math.max(sum.maxMs, ms);
    } else {
      this.sums.set(key, { routeKey, connectionId, status, calls: 1, minMs: ms, maxMs: ms });
    }
    this.timer ??= setTimeout(() => this.flush(), this.summaryMs).unref();
  }

  /** Writes the sums of `connectionId` (before its `close` line), or every sum. */
  flush(connectionId?: string): void {
    for (const [key, sum] of this.sums) {
      if (connectionId !== undefined && sum.connectionId !== connectionId) continue;
      this.sums.delete(key);
      const times = sum.minMs === sum.maxMs ? `${sum.minMs}ms` : `${sum.minMs}-${sum.maxMs}ms`;
      this.log.line(`route     ${sum.routeKey} ${sum.connectionId} status=${sum.status} x${sum.calls} ${times}`);
    }
    if (this.sums.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
