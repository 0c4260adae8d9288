// Related posts: entries from any subscribed feed that share the article's tags, best first
// (most tags in common, then newest).
import type { Entry } from '../model/index.js';
import type { EntryView, Store } from '../store/index.js';

// Candidates per tag: a popular tag ("news") must not make one article page scan a million rows.
export const PER_TAG = 200;
export const MAX_TAGS = 12;

export async function relatedEntries(
  store: Store,
  userId: number,
  entry: Entry,
  tags: string[],
  limit: number,
): Promise<EntryView[]> {
  // Only entries this user has, so another user's feeds cannot crowd them out; twice the limit,
  // since the same article may come twice (under two feeds or guids).
  const best = await store.entriesSharingTags(tags.slice(0, MAX_TAGS), {
    perTag: PER_TAG,
    exclude: entry.id,
    limit: limit * 2,
    userId,
  });
  if (best.length === 0) return [];
  const scores = new Map(best.map((c) => [c.id, c.shared]));
  const views = await store.queryEntries({
    userId,
    entryIds: best.map((c) => c.id),
    limit: best.length,
    brief: true,
  });
  const seen = new Set([entry.link ?? `#${entry.id}`]);
  return views
    .sort(
      (a, b) =>
        (scores.get(b.entry.id) ?? 0) - (scores.get(a.entry.id) ?? 0) ||
        b.entry.publishedAt - a.entry.publishedAt,
    )
    .filter((v) => {
      const key = v.entry.link ?? `#${v.entry.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, limit);
}
