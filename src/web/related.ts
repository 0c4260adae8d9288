// Related posts: entries from any subscribed feed that share the article's tags or the words of
// its title, best first (most in common, then newest).
import type { Entry } from '../model/index.js';
import { titleTerms } from '../search/index.js';
import type { EntryView, SharedTags, Store } from '../store/index.js';

// Candidates per tag or word: a popular tag ("news") must not make one article page scan a million
// rows.
export const PER_TAG = 200;
export const MAX_TAGS = 12;
// A title has more words than an entry has tags: fewer of them, fewer candidates each.
const MAX_TERMS = 6;
const PER_TERM = 50;

/**
 * Entries sharing the most tags and title words (titleTerms) with an entry, each with how many:
 * twice `limit`, since the same article may come twice (under two feeds or guids). Given a user,
 * only theirs.
 */
export function relatedCandidates(
  store: Store,
  entry: Pick<Entry, 'id' | 'title'>,
  tags: readonly string[],
  limit: number,
  userId?: number,
): Promise<SharedTags[]> {
  return store.entriesSharingTags(tags.slice(0, MAX_TAGS), {
    perTag: PER_TAG,
    exclude: entry.id,
    limit: limit * 2,
    titleTerms: titleTerms(entry.title, MAX_TERMS),
    perTerm: PER_TERM,
    ...(userId !== undefined ? { userId } : {}),
  });
}

export async function relatedEntries(
  store: Store,
  userId: number,
  entry: Entry,
  tags: string[],
  limit: number,
): Promise<EntryView[]> {
  // Only entries this user has, so another user's feeds cannot crowd them out.
  const best = await relatedCandidates(store, entry, tags, limit, userId);
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
