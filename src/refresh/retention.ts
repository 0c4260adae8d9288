// Removing old entries, so that the database does not grow for good (Miniflux removes unread
// entries after 180 days, and read ones after 60; FreshRSS keeps a feed's newest 50 whatever their
// age). By default Gleaner keeps what was read, which its wiki and skills are distilled from, and
// removes what no one read in 180 days: most of a database, from feeds that publish more than
// anyone reads. An entry goes when no one keeps it: read long enough ago by everyone who has it
// (when read entries go at all), or unread and old; and not among its feed's newest, nor shown by a
// live publication (a public archive keeps what it published). Never one a user starred, saved for
// later or labelled. Past `maxPerFeed` a feed's oldest go whether read or not: a feed that sends
// new items at every fetch (a broken or hostile one) fills the disk no further.
//
// A removed entry's key is kept (Store.removedEntries) until its feed's document no longer holds
// it: otherwise the next refresh would store it again as new. Steps are small transactions
// (RETENTION_STEP entries), so a server's pages and refreshes wait little for them.
import type { Config } from '../config/index.js';
import type { RetentionCursor, RetentionPolicy, Store } from '../store/index.js';
import { STEP_BUDGET_MS, StepSizer } from './budget.js';
import { searchIndexCompaction } from './compaction.js';

const DAY_MS = 24 * 3_600_000;

/**
 * Entries looked at in one transaction at most. How many it removes is sized by time (StepSizer):
 * removing one (its readers' rows, its search row, in pages all over the file) costs ~125 µs when
 * they are in memory and ~5 ms on a cold million-entry database, where steps of 200 removals took
 * ~1 s, which a server's pages waited for.
 */
export const RETENTION_STEP = 200;
/** The least time between two rounds of the idle work. */
export const RETENTION_EVERY_MS = 6 * 3_600_000;

export function retentionPolicy(
  config: Pick<Config, 'keepReadDays' | 'keepUnreadDays' | 'keepPerFeed' | 'maxPerFeed'>,
): RetentionPolicy {
  return {
    readMs: config.keepReadDays === 0 ? null : config.keepReadDays * DAY_MS,
    unreadMs: config.keepUnreadDays === 0 ? null : config.keepUnreadDays * DAY_MS,
    keepPerFeed: config.keepPerFeed,
    maxPerFeed: config.maxPerFeed === 0 ? null : config.maxPerFeed,
  };
}

/** One step of a round: entries removed past a feed's limit (`trim`), or for their age (`age`). */
export interface RetentionStep {
  kind: 'trim' | 'age';
  removed: number;
}

/**
 * A round of removal, a transaction a step: feeds past their limit first, then every entry by age.
 * With `dryRun`, nothing is removed and each step counts what it would remove (about: a real
 * round's earlier steps can leave an entry among its feed's newest, kept then).
 */
export async function* retentionSteps(
  store: Store,
  policy: RetentionPolicy,
  clock: () => number,
  step = RETENTION_STEP,
  dryRun = false,
  budgetMs = STEP_BUDGET_MS,
): AsyncGenerator<RetentionStep> {
  const removals = new StepSizer(step, budgetMs);
  const max = policy.maxPerFeed;
  // Nothing removed, the same feeds stay past their limit: counted in one look.
  if (max !== null && dryRun)
    yield {
      kind: 'trim',
      removed: await store.trimFeeds(max, clock(), Number.MAX_SAFE_INTEGER, undefined, true),
    };
  for (let more = max !== null && !dryRun; more && max !== null;) {
    const size = removals.size;
    const started = performance.now();
    const removed = await store.trimFeeds(max, clock(), size);
    removals.took(removed, performance.now() - started);
    yield { kind: 'trim', removed };
    more = removed === size;
  }
  if (policy.readMs === null && policy.unreadMs === null) return;
  let cursor: RetentionCursor | null = null;
  do {
    const started = performance.now();
    const result: { removed: number; next: RetentionCursor | null } = await store.removeOldEntries(
      policy,
      clock(),
      cursor,
      step,
      dryRun,
      dryRun ? step : removals.size,
    );
    if (!dryRun) removals.took(result.removed, performance.now() - started);
    yield { kind: 'age', removed: result.removed };
    cursor = result.next;
  } while (cursor !== null);
}

/**
 * The refresh loop's idle work (see runRefreshLoop's onIdle): a round of removal at most every
 * `everyMs`, a step a call, then the search index merged (compaction.ts). True while there is more
 * to do soon. `onRound` is told what a round removed.
 */
export function idleMaintenance(
  store: Store,
  clock: () => number,
  policy: RetentionPolicy,
  onRound?: (removed: { trim: number; age: number }) => void,
  { everyMs = RETENTION_EVERY_MS, step = RETENTION_STEP } = {},
): () => Promise<boolean> {
  const compaction = searchIndexCompaction(store, clock);
  let startedAt = -Infinity;
  let round: AsyncGenerator<RetentionStep> | null = null;
  let removed = { trim: 0, age: 0 };
  const retention = async (): Promise<boolean> => {
    if (round === null) {
      if (clock() - startedAt < everyMs) return false;
      startedAt = clock();
      round = retentionSteps(store, policy, clock, step);
      removed = { trim: 0, age: 0 };
    }
    let next: IteratorResult<RetentionStep>;
    try {
      next = await round.next();
    } catch (err) {
      // Tried again at the next round.
      round = null;
      throw err;
    }
    if (!next.done) {
      removed[next.value.kind] += next.value.removed;
      return true;
    }
    round = null;
    if (removed.trim + removed.age > 0) onRound?.(removed);
    return false;
  };
  return async () => (await retention()) || (await compaction());
}
