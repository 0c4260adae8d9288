// The continuous refresh: whatever is due, then sleep until something is due again. Used by
// `gleaner refresh --watch` and by `gleaner serve`.
import { dueFeedSource, pageSizeFor, refreshFeeds, type PassSummary, type PoolOptions } from './pool.js';
import type { RefreshDeps, RefreshResult } from './refresh.js';
import { furthestNextCheckMs } from './schedule.js';

export interface LoopOptions extends PoolOptions {
  signal: AbortSignal;
  /** Longest sleep between two looks at the schedule. */
  idleMs?: number;
  /** How many due feeds are read from the store at a time (see pageSizeFor). */
  pageSize?: number;
  onPass?: (summary: PassSummary) => void;
  /**
   * Told when a pass fails as a whole (the store refused a write: a full disk, say) and how long
   * the loop waits before it tries again: `retryMs`, doubled after each failure in a row up to
   * ten times that. A pass that fails commits nothing of the feed it was writing.
   */
  onPassError?: (error: unknown, retryInMs: number) => void;
  /** The first wait after a failed pass (default 30 s). */
  retryMs?: number;
  /**
   * Work for when no feed is due (see retention.ts): true while it has more, and the loop comes
   * back to it after a short pause instead of sleeping until the next feed is due. A step also
   * follows each pass, so that feeds always due (many, checked often) do not starve it.
   */
  onIdle?: () => Promise<boolean>;
  /** Told when a step of the idle work fails: it is tried again later. */
  onIdleError?: (error: unknown) => void;
}

// Between two steps of idle work: room for requests and for feeds falling due.
const IDLE_STEP_PAUSE_MS = 30;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function runRefreshLoop(deps: RefreshDeps, options: LoopOptions): Promise<void> {
  const idleMs = options.idleMs ?? 30_000;
  const pageSize = options.pageSize ?? pageSizeFor(options.concurrency);
  const retryMs = options.retryMs ?? 30_000;
  let failures = 0;
  const idleStep = async (): Promise<boolean> => {
    try {
      return (await options.onIdle?.()) ?? false;
    } catch (err) {
      options.onIdleError?.(err);
      return false;
    }
  };
  while (!options.signal.aborted) {
    try {
      // Feeds a clock that ran ahead (and was set back) left waiting, for years maybe, are due.
      await deps.store.rescheduleAheadOfClock(deps.clock(), furthestNextCheckMs(deps.policy));
      // A pass takes every feed due when it starts, a page at a time; one slow feed holds up none
      // of the others (passes of a batch at a time each waited for their slowest feed).
      const summary = await refreshFeeds(
        dueFeedSource(deps.store, deps.clock(), pageSize, deps.clock),
        deps,
        options,
      );
      failures = 0;
      if (summary.feeds === 0) {
        const more = await idleStep();
        await sleep(more ? IDLE_STEP_PAUSE_MS : idleMs, options.signal);
        continue;
      }
      options.onPass?.(summary);
      await idleStep();
    } catch (err) {
      const wait = Math.min(retryMs * 2 ** failures, retryMs * 10);
      failures++;
      options.onPassError?.(err, wait);
      await sleep(wait, options.signal);
    }
  }
}

/**
 * The loop's idle work alone, for a server that does not refresh (cron runs `gleaner refresh`):
 * `work` after `idleMs`, again after a short pause while it has more. An error is told to
 * `onError` and the work tried again later.
 */
export async function runIdleWork(
  work: () => Promise<boolean>,
  options: { signal: AbortSignal; idleMs?: number; onError?: (error: unknown) => void },
): Promise<void> {
  const idleMs = options.idleMs ?? 600_000;
  // Not at start-up: the first look waits as the later ones do.
  let more = false;
  for (;;) {
    await sleep(more ? IDLE_STEP_PAUSE_MS : idleMs, options.signal);
    if (options.signal.aborted) return;
    try {
      more = await work();
    } catch (err) {
      more = false;
      options.onError?.(err);
    }
  }
}

export type { RefreshResult };
