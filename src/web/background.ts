// Feeds refreshed on a user's behalf after the answer has gone: the reader's "refresh" button, a
// client app's refresh calls, the feeds an import or a topic added. A feed already being refreshed
// for the user is not asked again, so a second click on "refresh" starts nothing, while a feed
// added during a long refresh is fetched at once rather than after it.
import type { FetchedFeeds } from '../refresh/pool.js';

export interface BackgroundRefreshDeps {
  /** The refresh itself (WebDeps.refreshNow); it resolves once every feed asked is done. */
  refreshNow: (feedIds: number[], fetched?: FetchedFeeds) => Promise<void>;
  /** A batch failed as a whole (a feed's own failure is the feed's state, not the batch's). */
  onError: (err: unknown) => void;
  /** A batch ended: the user's feeds and unread counts may have changed. */
  onDone: (userId: number) => void;
}

export class BackgroundRefresh {
  /** The feeds being refreshed for each user. */
  private readonly inFlight = new Map<number, Set<number>>();

  constructor(private readonly deps: BackgroundRefreshDeps) {}

  /**
   * Refreshes the feeds of `feedIds` not already being refreshed for `userId`, without waiting;
   * those in `fetched` are stored from that document. False when there were none.
   */
  start(userId: number, feedIds: readonly number[], fetched?: FetchedFeeds): boolean {
    let mine = this.inFlight.get(userId);
    const fresh = [...new Set(feedIds)].filter((id) => !mine?.has(id));
    if (fresh.length === 0) return false;
    if (!mine) this.inFlight.set(userId, (mine = new Set()));
    for (const id of fresh) mine.add(id);
    const held = mine;
    this.deps
      .refreshNow(fresh, fetched)
      .catch((err: unknown) => this.deps.onError(err))
      .finally(() => {
        for (const id of fresh) held.delete(id);
        if (held.size === 0 && this.inFlight.get(userId) === held) this.inFlight.delete(userId);
        this.deps.onDone(userId);
      });
    return true;
  }
}
