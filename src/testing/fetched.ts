// What a successful fetch tells the store about a feed, and the entries it brings, for tests that
// store entries directly.
import type { PreparedEntry } from '../model/index.js';
import type { FeedFetchUpdate, Store } from '../store/index.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

/** A fetch at `at` of a feed titled `title`, with no validators, checked again an hour later. */
export function fetchedUpdate(at: number, title = 'Site'): FeedFetchUpdate {
  return {
    checkedAt: at,
    nextCheckAt: at + 3_600_000,
    etag: null,
    lastModified: null,
    title,
    siteUrl: null,
    description: null,
    iconUrl: null,
    language: null,
    hubUrl: null,
    format: 'rss',
  };
}

/**
 * An entry ready to store, known by `key`: its guid, its link on site.example, and the dedupe key
 * and hash that follow from it; `over` gives whatever else a test looks at.
 */
export function preparedEntry(key: string, over: Partial<PreparedEntry> = {}): PreparedEntry {
  return {
    guid: key,
    link: `https://site.example/${key}`,
    title: `Entry ${key}`,
    author: null,
    contentHtml: '<p>x</p>',
    contentText: 'x',
    summaryText: 'x',
    readingMinutes: 1,
    publishedAt: 0,
    updatedAt: null,
    categories: [],
    enclosures: [],
    imageUrl: null,
    commentsUrl: null,
    language: null,
    dedupeKey: `g:${key}`,
    contentHash: `h:${key}`,
    sourceHash: `s:${key}`,
    ...over,
  };
}

/**
 * Bodies that quoting for JSON must get right: quotes and backslashes, control characters JSON
 * has short escapes for and others, DEL, the two line separators JavaScript once refused in
 * strings, markup that ends a script, astral and CJK characters, and nothing at all.
 */
export const BODIES_TO_QUOTE: readonly string[] = [
  '<p class="a">"quoted" \\ back\\slash \\u0041 \\"</p>',
  'line\nbreak\ttab\rreturn\b\f and \u0001\u001f controls, \u007f delete',
  '\u2028 line and \u2029 paragraph separators, </script><!--',
  '数据库 emoji 😀 and ⟨angles⟩',
  '',
];

/**
 * A feed holding one entry for each of BODIES_TO_QUOTE (titled "Entry quote-N", newest first),
 * subscribed to by the user; its id.
 */
export async function feedOfBodiesToQuote(store: Store, userId: number, now: number): Promise<number> {
  const feed = await store.ensureFeed('https://quote.example/feed', DEFAULT_FETCH_OPTIONS, now);
  await store.recordFetchSuccess(
    feed.id,
    fetchedUpdate(now, 'Quote'),
    BODIES_TO_QUOTE.map((contentHtml, i) =>
      preparedEntry(`quote-${i}`, { contentHtml, publishedAt: now - i }),
    ),
  );
  await store.subscribe(userId, feed.id, { folderId: null, title: null }, now);
  return feed.id;
}

/**
 * A feed of `count` entries ("Entry story-1" the newest, a minute before `now`, then a minute
 * apart), followed by the user, in `folderId` if given; its id.
 */
export async function followedFeed(
  store: Store,
  userId: number,
  now: number,
  options: { count?: number; folderId?: number | null } = {},
): Promise<number> {
  const feed = await store.ensureFeed('https://tech.example/feed', DEFAULT_FETCH_OPTIONS, now);
  const keys = Array.from({ length: options.count ?? 3 }, (_, i) => i + 1);
  await store.recordFetchSuccess(
    feed.id,
    fetchedUpdate(now, 'Tech'),
    keys.map((n) => preparedEntry(`story-${n}`, { publishedAt: now - n * 60_000, categories: ['news'] })),
  );
  await store.subscribe(userId, feed.id, { folderId: options.folderId ?? null, title: null }, now);
  return feed.id;
}
