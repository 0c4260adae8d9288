// What a successful fetch tells the store about a feed, and the entries it brings, for tests that
// store entries directly.
import type { PreparedEntry } from '../model/index.js';
import type { FeedFetchUpdate } from '../store/index.js';

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
    ...over,
  };
}
