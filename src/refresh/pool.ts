// Refreshing many feeds at once, politely: a global concurrency limit, and a per-host limit so
// that many feeds on one host are not fetched all at the same moment.
import type { FetchResult } from '../feed/fetch/index.js';
import type { Feed } from '../model/index.js';
import type { Store } from '../store/index.js';
import { refreshFeed, type RefreshDeps, type RefreshResult } from './refresh.js';

/** Feeds' documents fetched already (by subscribing to them), by feed id. */
export type FetchedFeeds = ReadonlyMap<number, FetchResult>;

export interface PoolOptions {
  concurrency: number;
  perHost: number;
  /**
   * Slots shared with the process's other passes (see RefreshSlots): their limits apply instead of
   * `concurrency` and `perHost`. Without them, the pass has limits of its own.
   */
  slots?: RefreshSlots;
  /** A pass someone waits for ("refresh now"): it takes freed slots before the passes that are not. */
  urgent?: boolean;
  /** Feeds' documents fetched already, by feed id: stored rather than fetched again (see refreshFeed). */
  fetched?: FetchedFeeds;
  /** Called after each feed, in completion order. */
  onResult?: (result: RefreshResult, feed: Feed) => void;
  signal?: AbortSignal;
}

/**
 * The fetches of every pass a process runs at once (the refresh loop's, and "refresh now" asked
 * for in the reader or a client app): the global and per-host limits hold across all of them, a
 * feed under way in one pass is not fetched again by another (which takes its result), and a
 * slot that frees goes first to the urgent passes, then to the others.
 */
export class RefreshSlots {
  private running = 0;
  private readonly busyHosts = new Map<string, number>();
  private readonly underWay = new Map<number, Promise<RefreshResult>>();
  // Each pass's start(), told when a slot frees; urgent passes first.
  private readonly urgentPasses = new Set<() => void>();
  private readonly passes = new Set<() => void>();

  constructor(
    readonly concurrency: number,
    readonly perHost: number,
  ) {}

  /** Whether a fetch may start now: a free slot, and `host` below its limit. */
  free(host: string): boolean {
    return this.running < this.concurrency && (this.busyHosts.get(host) ?? 0) < this.perHost;
  }

  /** Whether fewer fetches run than the limit allows. */
  get idle(): boolean {
    return this.running < this.concurrency;
  }

  /** The refresh of feed `feedId` another pass has under way, if one has. */
  pending(feedId: number): Promise<RefreshResult> | undefined {
    return this.underWay.get(feedId);
  }

  /** Refreshes feed `feedId` in a slot (see free), freed once done; the caller then wakes the passes. */
  run(feedId: number, host: string, refresh: () => Promise<RefreshResult>): Promise<RefreshResult> {
    this.running++;
    this.busyHosts.set(host, (this.busyHosts.get(host) ?? 0) + 1);
    const done = refresh().finally(() => {
      this.running--;
      const busy = (this.busyHosts.get(host) ?? 1) - 1;
      if (busy === 0) this.busyHosts.delete(host);
      else this.busyHosts.set(host, busy);
      this.underWay.delete(feedId);
    });
    this.underWay.set(feedId, done);
    return done;
  }

  /** Has `start` called whenever a slot frees, until the returned function is called. */
  join(start: () => void, urgent: boolean): () => void {
    const set = urgent ? this.urgentPasses : this.passes;
    set.add(start);
    return () => set.delete(start);
  }

  /** Tells every pass a slot may have freed: urgent passes first, so they take it. */
  wake(): void {
    for (const start of [...this.urgentPasses, ...this.passes]) start();
  }
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
  // Another process refreshing meanwhile (serve, while `gleaner refresh` runs) can commit a feed
  // of an earlier page with a later next check and a check time from before this walk began: a
  // later page then holds it again. A pass takes each feed once.
  const given = new Set<number>();
  return async () => {
    while (!ended) {
      const page = await store.dueFeeds(now, pageSize, { after, checkedSince });
      after = page.at(-1) ?? after;
      ended = page.length < pageSize;
      const fresh = page.filter((feed) => !given.has(feed.id));
      for (const feed of fresh) given.add(feed.id);
      if (fresh.length > 0) return fresh;
    }
    return [];
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
  const slots = options.slots ?? new RefreshSlots(options.concurrency, options.perHost);
  // Stopping the pass ends the fetches under way too, not only those yet to start.
  const feedDeps = options.signal ? { ...deps, signal: options.signal } : deps;
  const summary: PassSummary = { feeds: 0, updated: 0, notModified: 0, failed: 0, inserted: 0, changed: 0 };
  // One queue per host, taken round-robin, so one big host cannot starve the others.
  const queues = new Map<string, { feeds: (Feed | undefined)[]; next: number }>();
  let waiting = 0;
  const enqueue = (page: Feed[]): void => {
    for (const feed of page) {
      const host = hostOf(feed.url);
      let queue = queues.get(host);
      if (!queue) queues.set(host, (queue = { feeds: [], next: 0 }));
      queue.feeds.push(feed);
    }
    waiting += page.length;
  };
  let source: FeedSource | null = null;
  if (Array.isArray(feeds)) enqueue(feeds);
  else source = feeds;
  // Enough waiting to keep every fetch busy while the next page is read.
  const lowWater = 2 * slots.concurrency;
  let reading = false;
  // This pass's feeds under way: fetched in its slots, or by another pass it waits for.
  let running = 0;
  let settled = false;
  return new Promise<PassSummary>((resolve, reject) => {
    // A failure that is no feed's own (the store refused a write, or a page could not be read): no
    // more feeds are started, and the pass fails once those under way have ended.
    let failure: Error | null = null;
    const fail = (err: unknown): void => {
      failure ??= err instanceof Error ? err : new Error(String(err));
    };
    const finish = (): void => {
      settled = true;
      leave();
      if (failure) reject(failure);
      else resolve(summary);
    };
    // Follows a feed of this pass to its end, and tells every pass a slot may have freed.
    const track = (feed: Feed, outcome: Promise<RefreshResult>): void => {
      running++;
      outcome.then(
        (result) => {
          running--;
          count(summary, result);
          options.onResult?.(result, feed);
          slots.wake();
        },
        (err: unknown) => {
          running--;
          fail(err);
          slots.wake();
        },
      );
    };
    const start = (): void => {
      if (settled) return;
      if (failure || options.signal?.aborted) {
        queues.clear();
        waiting = 0;
        source = null;
      }
      let startedOne = true;
      while (startedOne && slots.idle) {
        startedOne = false;
        for (const [host, queue] of queues) {
          if (!slots.idle) break;
          const feed = queue.feeds[queue.next];
          if (!feed) {
            queues.delete(host);
            continue;
          }
          const elsewhere = slots.pending(feed.id);
          if (!elsewhere && !slots.free(host)) continue;
          // A started feed is let go of: the pass keeps only those still waiting.
          queue.feeds[queue.next++] = undefined;
          if (queue.next >= COMPACT_AFTER && queue.next * 2 >= queue.feeds.length) {
            queue.feeds = queue.feeds.slice(queue.next);
            queue.next = 0;
          }
          waiting--;
          startedOne = true;
          // A feed another pass is refreshing is not fetched again: its result is this pass's too.
          track(
            feed,
            elsewhere ??
              slots.run(feed.id, host, () => refreshFeed(feed, feedDeps, options.fetched?.get(feed.id))),
          );
        }
      }
      const read = source;
      if (read && !reading && (waiting < lowWater || (slots.idle && waiting < MAX_WAITING))) {
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
      if (running === 0 && !reading && waiting === 0 && source === null) finish();
    };
    const leave = slots.join(start, options.urgent === true);
    start();
  });
}

function count(summary: PassSummary, result: RefreshResult): void {
  // Left as it was, to be fetched at the next pass.
  if (result.status === 'stopped') return;
  summary.feeds++;
  if (result.status === 'updated') {
    summary.updated++;
    summary.inserted += result.inserted;
    summary.changed += result.updated;
  } else if (result.status === 'not-modified') summary.notModified++;
  else summary.failed++;
}
