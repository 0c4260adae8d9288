// Related posts: entries from any subscribed feed that share the article's tags or the words of
// its title (in theirs or in their text), best first (most in common, then newest).
import { contentWords } from '../knowledge/sentences.js';
import type { Entry } from '../model/index.js';
import type { EntryView, SharedTags, Store } from '../store/index.js';

// Candidates per tag or word: a popular tag ("news") must not make one article page scan a million
// rows.
export const PER_TAG = 200;
export const MAX_TAGS = 12;
// Each word is one look-up in the full-text index (on a million entries ~0.03 ms once the index is
// merged, see compaction.ts, and 0.1–0.2 ms in fifteen segments): a few words, the newest few dozen
// entries having each. Filing each title's words in a table of their own, as tags are, made the
// look-ups cheaper but the first refresh of 1,000 feeds 20% slower.
const MAX_TERMS = 3;
const PER_TERM = 30;

// Chinese function characters: a pair holding one ("新的", "的人") says nothing of the subject.
const CJK_FUNCTION_CHARS = /[的了是在和与及或也都就而被把这那之其为有个们]/;

/**
 * The words of a title that relate posts: content words (no stopwords, no numbers) and CJK pairs
 * (none with a function character), each once; the longest few, which tend to say the most
 * ("replication" more than "fast").
 */
export function titleTerms(title: string): string[] {
  const terms = [...new Set(contentWords(title))].filter(
    (w) => w.length > 1 && !/^\d+$/.test(w) && !CJK_FUNCTION_CHARS.test(w),
  );
  return terms.sort((a, b) => b.length - a.length).slice(0, MAX_TERMS);
}

/**
 * Entries sharing the most tags with an entry, each with how many: twice `limit`, since the same
 * article may come twice (under two feeds or guids). Given a user, only theirs. When tags find
 * fewer (a feed without categories), the words of the title count too, each as a tag does: words
 * cost more to look up than tags, so tags that find enough are not joined by words.
 */
export async function relatedCandidates(
  store: Store,
  entry: Pick<Entry, 'id' | 'title'>,
  tags: readonly string[],
  limit: number,
  userId?: number,
): Promise<SharedTags[]> {
  const query = {
    perTag: PER_TAG,
    exclude: entry.id,
    limit: limit * 2,
    ...(userId !== undefined ? { userId } : {}),
  };
  const chosen = tags.slice(0, MAX_TAGS);
  const byTags = chosen.length > 0 ? await store.entriesSharingTags(chosen, query) : [];
  if (byTags.length >= query.limit) return byTags;
  return store.entriesSharingTags(chosen, {
    ...query,
    titleTerms: titleTerms(entry.title),
    perTerm: PER_TERM,
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
    shape: 'list',
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
