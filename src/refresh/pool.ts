// Refreshing many feeds at once, politely: a global concurrency limit, and a per-host limit so
// that many feeds on one host are not fetched all at the same moment.
import type { Feed } from '../model/index.js';
import type { Store } from '../store/index.js';
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

/** The feeds of a pass, a page at a time: each call the next page, an empty one at the end. */
export type FeedSource = () => Promise<Feed[]>;

/** Feeds a pass holds that have not started, at most, however many it has: memory flat in the number of feeds. */
const MAX_WAITING = 10_000;

/** Started feeds a host's queue drops its slots for, at a time. */
const COMPACT_AFTER = 1024;

/**
 * The feeds due at `now`, a page at a time in the order of their next check, each once: a feed
 * checked since the walk began is done (see Store.dueFeeds), so `now` may be any time at all.
 */
export function dueFeedSource(store: Store, now: number, pageSize: number, clock: () => number): FeedSource {
  const checkedSince = clock();
  let after: Feed | undefined;
  let ended = false;
  return async () => {
    if (ended) return [];
    const page = await store.dueFeeds(now, pageSize, { after, checkedSince });
    after = page.at(-1) ?? after;
    ended = page.length < pageSize;
    return page;
  };
}

/** Feeds a page of a pass's walk holds: enough to keep every fetch busy, few enough to hold in memory. */
export function pageSizeFor(concurrency: number): number {
  return Math.max(256, concurrency * 8);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Refreshes the given feeds, or those a source gives as the pass needs more: the next page is read
 * when fewer than two for each fetch wait to start, or when the per-host limit leaves fetches idle
 * (up to MAX_WAITING waiting). Resolves when all are done (or the signal aborts the rest). A
 * feed's own failure is recorded and counted; an error that is not (the store failing) rejects.
 */
export async function refreshFeeds(
  feeds: Feed[] | FeedSource,
  deps: RefreshDeps,
  options: PoolOptions,
): Promise<PassSummary> {
  const summary: PassSummary = { feeds: 0, updated: 0, notModified: 0, failed: 0, inserted: 0, changed: 0 };
  // One queue per host, taken round-robin, so one big host cannot starve the others.
  const queues = new Map<string, { feeds: (Feed | undefined)[]; next: number; busy: number }>();
  let waiting = 0;
  const enqueue = (page: Feed[]): void => {
    for (const feed of page) {
      const host = hostOf(feed.url);
      let queue = queues.get(host);
      if (!queue) queues.set(host, (queue = { feeds: [], next: 0, busy: 0 }));
      queue.feeds.push(feed);
    }
    waiting += page.length;
  };
  let source: FeedSource | null = null;
  if (Array.isArray(feeds)) enqueue(feeds);
  else source = feeds;
  // Enough waiting to keep every fetch busy while the next page is read.
  const lowWater = 2 * options.concurrency;
  let reading = false;
  let running = 0;
  return new Promise<PassSummary>((resolve, reject) => {
    // A failure that is no feed's own (the store refused a write, or a page could not be read): no
    // more feeds are started, and the pass fails once those under way have ended.
    let failure: Error | null = null;
    const fail = (err: unknown): void => {
      failure ??= err instanceof Error ? err : new Error(String(err));
    };
    const start = (): void => {
      if (failure) {
        if (running === 0 && !reading) reject(failure);
        return;
      }
      if (options.signal?.aborted) {
        queues.clear();
        source = null;
      }
      let startedOne = true;
      while (running < options.concurrency && startedOne) {
        startedOne = false;
        for (const [host, queue] of queues) {
          if (running >= options.concurrency) break;
          if (queue.busy >= options.perHost) continue;
          const feed = queue.feeds[queue.next];
          if (!feed) {
            if (queue.busy === 0) queues.delete(host);
            continue;
          }
          // A started feed is let go of: the pass keeps only those still waiting.
          queue.feeds[queue.next++] = undefined;
          if (queue.next >= COMPACT_AFTER && queue.next * 2 >= queue.feeds.length) {
            queue.feeds = queue.feeds.slice(queue.next);
            queue.next = 0;
          }
          waiting--;
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
              fail(err);
              start();
            },
          );
        }
      }
      const read = source;
      if (
        read &&
        !reading &&
        (waiting < lowWater || (running < options.concurrency && waiting < MAX_WAITING))
      ) {
        reading = true;
        read().then(
          (page) => {
            reading = false;
            if (page.length === 0) source = null;
            else if (source) enqueue(page);
            start();
          },
          (err: unknown) => {
            reading = false;
            fail(err);
            start();
          },
        );
      }
      if (running === 0 && !reading) resolve(summary);
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
