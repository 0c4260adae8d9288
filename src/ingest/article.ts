// An entry's full article: its page fetched (through the guarded fetcher), the feed's remove
// selector applied, and reduced to the article by Readability or its article selector, sanitized. Used by refreshes of feeds that ask for full articles, and on request
// (the reader's Fetch full article, Miniflux's fetch-content: articleOfEntry).
import { estimateReadingMinutes } from '../content/index.js';
import type { ArticleSelectors, ExtractedArticle } from '../content/extract.js';
import { decodeDocument } from '../feed/decode/index.js';
import { secretsGoTo, type Fetcher } from '../feed/fetch/index.js';
import type { Feed } from '../model/index.js';
import { extractInProcess } from '../refresh/digest.js';
import type { Store } from '../store/index.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

/**
 * Extracts an article from its page, where the feed's article selector says or else where
 * Readability finds it, without what its remove selector matches (content/extract.js's
 * extractArticle, on this thread or a worker's: see DigestPool): null when there is none.
 */
export type ExtractArticle = (
  html: string,
  url: string,
  selectors: ArticleSelectors,
) => Promise<ExtractedArticle | null>;

/** What ExtractArticle is given, as a message to a worker. */
export interface ArticleRequest {
  html: string;
  url: string;
  selectors: ArticleSelectors;
}

export interface FullArticle {
  contentHtml: string;
  text: string;
  readingMinutes: number;
}

/**
 * The article at `url`, an entry of `feed`, or null when the page answers with no body or holds no
 * article. The feed's user agent goes along; its cookie only where secretsGoTo lets it, the feed's
 * own origin and its https address (an entry may link anywhere: an aggregator's do). The article is where the feed's article selector says, or
 * Readability's choice, without what its remove selector matches. A fetch that fails, or a selector
 * too costly on the page, throws its GleanerError. Readability and a DOM are loaded only when first needed.
 */
export async function fetchFullArticle(
  fetcher: Fetcher,
  url: string,
  feed: Pick<Feed, 'url' | 'options'>,
  extract: ExtractArticle = extractInProcess,
): Promise<FullArticle | null> {
  const cookie = secretsGoTo(feed.url, url) ? feed.options.cookie : null;
  const page = await fetcher.fetchFeed({
    url,
    userAgent: feed.options.userAgent,
    cookie,
    viaProxy: feed.options.fetchViaProxy,
    trustedCertificate: feed.options.trustedCertificate,
  });
  if (page.status !== 'ok') return null;
  // Only the selectors: the feed's options hold its cookie and credentials, which a worker needs not.
  const { articleSelector, removeSelector, rewriteRules } = feed.options;
  const article = await extract(decodeDocument(page.body, page.contentType).text, page.finalUrl, {
    articleSelector,
    removeSelector,
    rewriteRules,
  });
  if (!article) return null;
  const { contentHtml, text } = article;
  return { contentHtml, text, readingMinutes: estimateReadingMinutes(text) };
}

/**
 * The full article of one of the user's entries, fetched with its feed's options (a feed gone
 * since: the defaults), and with `keep`, stored in place of its body for every reader of the feed
 * (Store.replaceEntryContent). Null when the page holds no article; a fetch that fails throws.
 */
export async function articleOfEntry(
  deps: { store: Store; fetcher: Fetcher; clock: () => number; extractArticle?: ExtractArticle },
  entry: { id: number; feedId: number; link: string },
  keep: boolean,
): Promise<FullArticle | null> {
  const feed = (await deps.store.getFeed(entry.feedId)) ?? {
    url: entry.link,
    options: DEFAULT_FETCH_OPTIONS,
  };
  const article = await fetchFullArticle(deps.fetcher, entry.link, feed, deps.extractArticle);
  if (article && keep) {
    await deps.store.replaceEntryContent(
      entry.id,
      { html: article.contentHtml, text: article.text, readingMinutes: article.readingMinutes },
      deps.clock(),
    );
  }
  return article;
}
