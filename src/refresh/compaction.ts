// Keeping the search index in few pieces. Each refresh adds a segment to the full-text index and
// FTS5 merges them as they pile up, so a large index stays in a dozen or more; every look-up reads
// each one (on 200,000 entries a word cost 0.10 ms in 19 segments and 0.02 ms in one, and ranking
// a search's newest matches 27% more; on the benchmark's million, search pages 13-15% more a second). Between passes and when no feed is due, the refresh loop merges them
// back into one a step at a time (see runRefreshLoop's onIdle): at most once a day, and only when
// they are many, since a merge rewrites the whole index.
import type { Store } from '../store/index.js';

export interface CompactionPolicy {
  /** Fewer segments than this are left alone. */
  minSegments: number;
  /** The least time between two looks at the index. */
  everyMs: number;
  /** Pages (4 KB) written per step: each holds the database, and the thread, ~5–35 ms at 100. */
  stepPages: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = {
  minSegments: 8,
  everyMs: 24 * 3_600_000,
  stepPages: 100,
};

/**
 * One step of compaction each time it is called, when the policy says so: true while a merge is
 * under way (call again soon), false when there is nothing to do for now.
 */
export function searchIndexCompaction(
  store: Store,
  clock: () => number,
  policy: CompactionPolicy = DEFAULT_COMPACTION,
): () => Promise<boolean> {
  let lookedAt = -Infinity;
  let merging = false;
  return async () => {
    if (!merging) {
      const now = clock();
      if (now - lookedAt < policy.everyMs) return false;
      lookedAt = now;
      if ((await store.searchIndexSegments()) < policy.minSegments) return false;
      merging = true;
    }
    merging = await store.compactSearchIndex(policy.stepPages);
    return merging;
  };
}
