// What a successful fetch tells the store about a feed, for tests that store entries directly.
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
