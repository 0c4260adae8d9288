// Related posts: entries from any subscribed feed that share the article's tags, best first
// (most tags in common, then newest).
import type { Entry } from '../model/index.js';
import type { EntryView, Store } from '../store/index.js';

// Candidates per tag: a popular tag ("news") must not make one article page scan a million rows.
const PER_TAG = 200;
const MAX_TAGS = 12;

export async function relatedEntries(
  store: Store,
  userId: number,
  entry: Entry,
  tags: string[],
  limit: number,
): Promise<EntryView[]> {
  const scores = new Map<number, number>();
  const candidates = await store.recentEntriesWithTags(tags.slice(0, MAX_TAGS), PER_TAG);
  for (const ids of candidates.values()) {
    for (const id of ids) if (id !== entry.id) scores.set(id, (scores.get(id) ?? 0) + 1);
  }
  if (scores.size === 0) return [];
  const best = [...scores.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, limit * 4);
  // Only what this user can read (their subscriptions' entries), and not the same article twice.
  const views = await store.queryEntries({
    userId,
    entryIds: best.map(([id]) => id),
    limit: best.length,
    withContent: false,
  });
  const seen = new Set([entry.link ?? `#${entry.id}`]);
  return views
    .filter((v) => {
      const key = v.entry.link ?? `#${v.entry.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(
      (a, b) =>
        (scores.get(b.entry.id) ?? 0) - (scores.get(a.entry.id) ?? 0) ||
        b.entry.publishedAt - a.entry.publishedAt,
    )
    .slice(0, limit);
}
