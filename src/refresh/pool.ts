// Refreshing many feeds at once, politely: a global concurrency limit, and a per-host limit so
// that many feeds on one host are not fetched all at the same moment.
import type { Feed } from '../model/index.js';
import { refreshFeed, type RefreshDeps, type RefreshResult } from './refresh.js';

export interface PoolOptions {
  concurrency: number;
  perHost: number;
  /** Called after each feed, in completion order. */
  onResult?: (result: RefreshResult, feed: Feed) => void;
  signal?: AbortSignal;
}

export interface PassSummary {
  feeds: number;
  updated: number;
  notModified: number;
  failed: number;
  inserted: number;
  changed: number;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Refreshes the given feeds; resolves when all are done (or the signal aborts the rest). A feed's
 * own failure is recorded and counted; an error that is not (the store failing) rejects.
 */
export async function refreshFeeds(
  feeds: Feed[],
  deps: RefreshDeps,
  options: PoolOptions,
): Promise<PassSummary> {
  const summary: PassSummary = { feeds: 0, updated: 0, notModified: 0, failed: 0, inserted: 0, changed: 0 };
  // One queue per host, taken round-robin, so one big host cannot starve the others.
  const queues = new Map<string, { feeds: Feed[]; next: number; busy: number }>();
  for (const feed of feeds) {
    const host = hostOf(feed.url);
    let queue = queues.get(host);
    if (!queue) queues.set(host, (queue = { feeds: [], next: 0, busy: 0 }));
    queue.feeds.push(feed);
  }
  let running = 0;
  return new Promise<PassSummary>((resolve, reject) => {
    // A failure that is no feed's own (the store refused a write): no more feeds are started, and
    // the pass fails once those under way have ended.
    let failure: Error | null = null;
    const start = (): void => {
      if (failure) {
        if (running === 0) reject(failure);
        return;
      }
      if (options.signal?.aborted) queues.clear();
      let startedOne = true;
      while (running < options.concurrency && startedOne) {
        startedOne = false;
        for (const [host, queue] of queues) {
          if (running >= options.concurrency) break;
          if (queue.busy >= options.perHost) continue;
          const feed = queue.feeds[queue.next++];
          if (!feed) {
            if (queue.busy === 0) queues.delete(host);
            continue;
          }
          startedOne = true;
          queue.busy++;
          running++;
          refreshFeed(feed, deps).then(
            (result) => {
              running--;
              queue.busy--;
              count(summary, result);
              options.onResult?.(result, feed);
              start();
            },
            (err: unknown) => {
              running--;
              queue.busy--;
              failure ??= err instanceof Error ? err : new Error(String(err));
              start();
            },
          );
        }
      }
      if (running === 0) resolve(summary);
    };
    start();
  });
}

function count(summary: PassSummary, result: RefreshResult): void {
  summary.feeds++;
  if (result.status === 'updated') {
    summary.updated++;
    summary.inserted += result.inserted;
    summary.changed += result.updated;
  } else if (result.status === 'not-modified') summary.notModified++;
  else summary.failed++;
}
