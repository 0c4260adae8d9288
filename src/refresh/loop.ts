// The continuous refresh: whatever is due, then sleep until something is due again. Used by
// `gleaner refresh --watch` and by `gleaner serve`.
import type { Feed } from '../model/index.js';
import { refreshFeeds, type PassSummary, type PoolOptions } from './pool.js';
import type { RefreshDeps, RefreshResult } from './refresh.js';

export interface LoopOptions extends PoolOptions {
  signal: AbortSignal;
  /** Longest sleep between two looks at the schedule. */
  idleMs?: number;
  /** How many due feeds are taken per pass. */
  batchSize?: number;
  onPass?: (summary: PassSummary) => void;
}

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
  const batchSize = options.batchSize ?? Math.max(100, options.concurrency * 10);
  while (!options.signal.aborted) {
    const due: Feed[] = await deps.store.dueFeeds(deps.clock(), batchSize);
    if (due.length === 0) {
      await sleep(idleMs, options.signal);
      continue;
    }
    const summary = await refreshFeeds(due, deps, options);
    options.onPass?.(summary);
  }
}

export type { RefreshResult };
