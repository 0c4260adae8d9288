// Refreshing one feed: fetch, parse, prepare, store, schedule. The effects (HTTP, database,
// clock, randomness, log) are passed in, so tests drive it with a loopback server, a temporary
// database and a fixed clock; every step between the effects is a pure function.
import { sameSite } from '../feed/discover/index.js';
import {
  carriesSecrets,
  movedUrl,
  redactUrl,
  secretsGoTo,
  type Fetcher,
  type FetchResult,
} from '../feed/fetch/index.js';
import { collapseWhitespace } from '../feed/parse/text.js';
import { fetchFullArticle, type ExtractArticle } from '../ingest/article.js';
import type { Logger } from '../log/index.js';
import { GleanerError } from '../model/errors.js';
import { isPacked, type Feed, type PreparedEntry, type StorableEntry } from '../model/index.js';
import type { Store } from '../store/index.js';
import { digestInProcess, type Digest } from './digest.js';
import { feedPolicy, nextCheckAt, type SchedulePolicy } from './schedule.js';
import { keepWebSub } from './websub.js';

export interface RefreshDeps {
  store: Store;
  fetcher: Fetcher;
  clock: () => number;
  random: () => number;
  log: Logger;
  policy: SchedulePolicy;
  maxFeedBytes: number;
  /**
   * The most entries a feed keeps (GLEANER_MAX_PER_FEED; none: no limit): a document's newest that
   * many are read, and a fetch that takes the feed past it removes its oldest at once (see
   * retention.ts), rather than at the next round of removal hours later.
   */
  maxEntriesPerFeed?: number;
  /** Parses and prepares fetched bytes: a worker pool in long runs, in-process by default. */
  digest?: Digest;
  /** Extracts an article from its page (full-content fetching); by default Readability, loaded when first needed. */
  extractArticle?: ExtractArticle;
  /** Subscribe to the hubs feeds name (see websub.ts), giving hubs this public address to call back. */
  webSub?: { callbackBase: string };
  /**
   * The pass is stopping (Ctrl-C, SIGTERM): a fetch still waiting on its server ends at once, and
   * its feed is left as it was, still due ('stopped'). A document fetched already is stored.
   */
  signal?: AbortSignal;
}

export type RefreshResult =
  | { feedId: number; status: 'updated'; inserted: number; updated: number }
  | { feedId: number; status: 'not-modified' }
  | { feedId: number; status: 'failed'; error: string }
  /** The pass stopped while it was fetched (RefreshDeps.signal): nothing of it recorded. */
  | { feedId: number; status: 'stopped' };

// How many entries' publication times the scheduler looks at.
const SCHEDULE_SAMPLE = 10;
// A new entry dated this long before the feed's last success tells its dates are not when it published.
const LATE_DATE_MS = 3_600_000;
// How many of a feed's stored entries a refresh looks up before digesting its document, to leave
// out those it repeats unchanged (feeds hold 10-50 items, a few hundred at most; each looked up
// costs ~2 µs). An older item goes on as if new, and the store then finds it stored and writes
// nothing of it. A feed that asks for full articles has more looked up, since each item that goes
// on costs a page fetch from its site.
const KNOWN_ENTRIES = 200;
const KNOWN_ENTRIES_FULL_ARTICLES = 1_000;
// Without a per-feed limit, the most looked up: a document past it is a broken or hostile feed.
const MAX_KNOWN_ENTRIES = 10_000;

/**
 * Refreshes one feed. Never throws for a feed's own failure: it is recorded and returned. With
 * `fetched`, the feed's document as subscribing to it just fetched it (see subscribeToUrl), that is
 * stored instead of fetching the feed again.
 */
export async function refreshFeed(
  feed: Feed,
  deps: RefreshDeps,
  fetched?: FetchResult,
): Promise<RefreshResult> {
  const { store, log } = deps;
  // A feed that ignores the HTTP cache sends no validators and heeds no max-age.
  const cached = !feed.options.ignoreHttpCache;
  let result: FetchResult;
  try {
    result =
      fetched ??
      (await deps.fetcher.fetchFeed({
        url: feed.url,
        etag: cached ? feed.etag : null,
        lastModified: cached ? feed.lastModified : null,
        userAgent: feed.options.userAgent,
        cookie: feed.options.cookie,
        username: feed.options.username,
        password: feed.options.password,
        viaProxy: feed.options.fetchViaProxy,
        trustedCertificate: feed.options.trustedCertificate,
        signal: deps.signal,
      }));
  } catch (err) {
    // Not the feed's failure: it is fetched at the next pass, without backing off.
    if (deps.signal?.aborted) return { feedId: feed.id, status: 'stopped' };
    return recordFailure(feed, err, deps);
  }
  const now = deps.clock();
  const maxAgeSeconds = cached ? result.cacheControlMaxAge : null;
  if (result.status === 'not-modified') {
    // A 304 answers the validators of the feed's own document: what it found is the feed.
    const moved = await followMove(feed, result, deps, now);
    if ('merged' in moved) return moved.merged;
    const publishTimes = await store.recentPublishTimes(feed.id, SCHEDULE_SAMPLE);
    const next = nextCheckAt(
      {
        now,
        publishTimes,
        ttlMinutes: feed.ttlMinutes,
        maxAgeSeconds,
        retryAfterSeconds: result.retryAfter,
        errorCount: 0,
        pushedUntil: feed.webSubUntil,
      },
      feedPolicy(deps.policy, feed.minCheckMinutes),
      deps.random,
    );
    await store.recordNotModified(feed.id, now, next);
    return { feedId: feed.id, status: 'not-modified' };
  }

  // What is stored of the feed: its newest entries, which a document mostly repeats (as many as its
  // last whole document held, when that is more than KNOWN_ENTRIES; its limit at most), and the
  // keys of those the retention policy removed, which it may still hold.
  const known = Math.min(
    Math.max(feed.options.fetchFullArticle ? KNOWN_ENTRIES_FULL_ARTICLES : KNOWN_ENTRIES, feed.itemCount),
    deps.maxEntriesPerFeed ?? MAX_KNOWN_ENTRIES,
  );
  const [stored, removed] = await Promise.all([
    store.recentEntries(feed.id, known),
    store.removedEntries(feed.id),
  ]);
  let entries: StorableEntry[];
  let parsed;
  let gone: string[] | undefined;
  let sources: [string, string][] | undefined;
  let itemCount: number | undefined;
  let selectorErrors: string[] | undefined;
  try {
    const digest = deps.digest ?? digestInProcess;
    ({
      feed: parsed,
      entries,
      gone,
      sources,
      itemCount,
      selectorErrors,
    } = await digest({
      // A worker takes the body it is handed (see DigestRequest): a feed that may move digests a
      // copy, for the feed it may merge into to digest the document again (followMove).
      body: result.permanentRedirectUrl ? new Uint8Array(result.body) : result.body,
      url: result.finalUrl,
      contentType: result.contentType,
      maxBytes: deps.maxFeedBytes,
      now,
      stored: new Map(stored.map((e) => [e.dedupeKey, e.contentHash])),
      sources: new Map(stored.flatMap((e) => (e.sourceHash === null ? [] : [[e.dedupeKey, e.sourceHash]]))),
      removed,
      partial: result.partial,
      maxEntries: deps.maxEntriesPerFeed,
      removeSelector: feed.options.removeSelector,
      scrape: feed.options.scrape,
      rewriteRules: feed.options.rewriteRules,
      feedUrl: redactUrl(feed.url),
    }));
    // A selector too costly for the feed's HTML is for its user to mend: the entries are kept as sent.
    if (selectorErrors?.length)
      log.warn('remove selector failed', {
        feedId: feed.id,
        entries: selectorErrors.length,
        error: selectorErrors[0],
      });
  } catch (err) {
    return recordFailure(feed, err, deps);
  }
  // Only now, its document read as a feed, does a feed follow a permanent redirect: a page that is
  // none (a site's home page, where its ended feeds may all lead) would take the feed's URL, and
  // merge into one every feed that leads there. Such a page failed above, at the feed's own URL.
  const moved = await followMove(feed, result, deps, now);
  if ('merged' in moved) return moved.merged;
  try {
    // At the URL it has now: where its cookie goes is told from that (secretsGoTo).
    if (feed.options.fetchFullArticle) entries = await withFullArticles(entries, moved.feed, deps);
  } catch (err) {
    return recordFailure(feed, err, deps);
  }

  const publishTimes = publishedAt(entries, stored, feed);
  // A WebSub push may leave out what the feed's own document says of itself.
  const ttlMinutes = result.partial ? feed.ttlMinutes : parsed.ttlMinutes;
  const next = nextCheckAt(
    {
      now,
      publishTimes,
      ttlMinutes,
      maxAgeSeconds,
      retryAfterSeconds: result.retryAfter,
      errorCount: 0,
      pushedUntil: feed.webSubUntil,
    },
    feedPolicy(deps.policy, feed.minCheckMinutes),
    deps.random,
  );
  const saved = await store.recordFetchSuccess(
    feed.id,
    {
      checkedAt: now,
      nextCheckAt: next,
      etag: result.etag,
      lastModified: result.lastModified,
      title: parsed.title,
      siteUrl: parsed.link,
      description: parsed.description,
      iconUrl: parsed.iconUrl,
      language: parsed.language,
      hubUrl: parsed.hubUrl,
      format: parsed.format,
      gone,
      sources,
      // A partial document (a WebSub push, a body cut short) says nothing of how long the feed is.
      itemCount: result.partial ? null : (itemCount ?? null),
      ttlMinutes,
    },
    entries,
  );
  const max = deps.maxEntriesPerFeed;
  if (max !== undefined && saved.inserted > 0 && (await store.countEntries(feed.id)) > max)
    await store.trimFeeds(max, now, saved.inserted, feed.id);
  if (parsed.warnings.length)
    log.debug('feed parsed with warnings', { feedId: feed.id, warnings: parsed.warnings });
  if (deps.webSub && parsed.hubUrl) {
    // The topic is the feed's own URL as it states it, the one its publisher tells the hub of.
    await keepWebSub(feed, parsed.hubUrl, parsed.selfUrl ?? feed.url, {
      ...deps,
      callbackBase: deps.webSub.callbackBase,
    });
  }
  return { feedId: feed.id, status: 'updated', ...saved };
}

/**
 * When the feed published, as its schedule counts (nextCheckAt's publishTimes): the entries a
 * fetch found new, not those it edited (an undated item whose view count changes publishes
 * nothing), and the newest stored. A feed whose new entries are dated over an hour before its last
 * success, which would have found them, dates them wrongly (every item 1970, or a fixed date): its
 * new entries alone count then, each as of that success.
 */
function publishedAt(
  entries: readonly StorableEntry[],
  stored: readonly { dedupeKey: string; publishedAt: number }[],
  feed: Pick<Feed, 'lastSuccessAt'>,
): number[] {
  const known = new Set(stored.map((e) => e.dedupeKey));
  const fresh = entries
    .filter((e) => !known.has(e.dedupeKey) && (e.altKey === undefined || !known.has(e.altKey)))
    .map((e) => e.publishedAt);
  const since = feed.lastSuccessAt;
  if (since !== null && fresh.some((t) => t < since - LATE_DATE_MS))
    return fresh.map((t) => Math.max(t, since));
  return [...fresh, ...stored.slice(0, SCHEDULE_SAMPLE).map((e) => e.publishedAt)];
}

/**
 * Moves `feed` to the URL it redirected to for good, if it did (see FetchResult's
 * permanentRedirectUrl), where `result`, fetched there, is the feed's. The refresh of the feed it
 * merged into, when it moved to the URL of one; else the feed the refresh goes on with, at its
 * new URL if it moved.
 */
async function followMove(
  feed: Feed,
  result: FetchResult,
  deps: RefreshDeps,
  now: number,
): Promise<{ merged: RefreshResult } | { feed: Feed }> {
  const { store, log } = deps;
  const movedTo = result.permanentRedirectUrl && movedUrl(feed.url, result.permanentRedirectUrl);
  if (movedTo && movedTo !== feed.url) {
    // A feed fetched with a cookie or credentials stays at its URL when it moves where they do not
    // go (another site, port, or plain http): stored, the new URL would be sent them on every
    // refresh (the fetcher keeps them from crossing such a redirect, so it never saw them).
    if (carriesSecrets(feed.options) && !secretsGoTo(feed.url, movedTo)) {
      log.info('feed moved where its credentials are not sent; kept at its URL, with them', {
        feedId: feed.id,
        to: movedTo,
      });
    } else {
      // Merged into a feed at the new URL only on one site: its entries become that feed's, and a
      // site that sent its readers to another site's feed would otherwise put entries of its
      // choosing in that feed, for everyone who follows it from then on.
      const move = await store.changeFeedUrl(feed.id, movedTo, now, sameSite(feed.url, movedTo));
      // The logger masks credentials written into URLs.
      if (move.kind === 'moved') {
        log.info('feed moved permanently', { feedId: feed.id, from: feed.url, to: movedTo });
        return { feed: { ...feed, url: movedTo } };
      } else if (move.kind === 'kept')
        log.info('feed moved to the URL of a feed on another site; kept apart', {
          feedId: feed.id,
          other: move.by,
          to: movedTo,
        });
      else {
        log.info('feed moved to the URL of another feed, and merged into it', {
          feedId: feed.id,
          into: move.into,
          subscribers: move.subscribers,
          entriesMoved: move.entriesMoved,
          from: feed.url,
          to: movedTo,
        });
        // What was fetched is that feed's document: stored as its refresh stores it. A 304 answered
        // this feed's validators, so that feed's own next check tells what it holds.
        const into = await store.getFeed(move.into);
        if (!into || result.status !== 'ok') return { merged: { feedId: move.into, status: 'not-modified' } };
        return { merged: await refreshFeed(into, deps, result) };
      }
    }
  }
  return { feed };
}

async function recordFailure(feed: Feed, err: unknown, deps: RefreshDeps): Promise<RefreshResult> {
  if (!(err instanceof GleanerError)) {
    // A bug of ours, not the feed's fault: say so loudly, and keep refreshing the other feeds.
    deps.log.error('internal error while refreshing a feed', {
      feedId: feed.id,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    const message = err instanceof Error ? err.message : String(err);
    err = new GleanerError(
      'INTERNAL',
      `Gleaner failed to process this feed (internal error: ${message}); please report it`,
    );
  }
  if (!(err instanceof GleanerError)) throw err;
  const now = deps.clock();
  const retryAfterSeconds = 'retryAfterSeconds' in err ? (err.retryAfterSeconds as number | null) : null;
  const next = nextCheckAt(
    { now, publishTimes: [], retryAfterSeconds, errorCount: feed.errorCount + 1 },
    feedPolicy(deps.policy, feed.minCheckMinutes),
    deps.random,
  );
  // Kept as the feed's last error, which `gleaner feeds` prints: no control character from a
  // document or a server reaches a terminal through it.
  const message = collapseWhitespace(err.message);
  await deps.store.recordFetchFailure(feed.id, now, next, message);
  deps.log.warn('feed refresh failed', { feedId: feed.id, code: err.code, error: message });
  return { feedId: feed.id, status: 'failed', error: message };
}

// Full articles are fetched one at a time per feed, for entries whose content looks like a summary;
// with an article selector, for every entry, and what it picks is kept: its user said where the
// article is.
const SUMMARY_LIKE_CHARS = 1500;

async function withFullArticles(
  entries: StorableEntry[],
  feed: Feed,
  deps: RefreshDeps,
): Promise<StorableEntry[]> {
  const out: StorableEntry[] = [];
  const selected = feed.options.articleSelector !== null;
  for (const entry of entries) {
    const textLength = isPacked(entry) ? entry.textLength : entry.contentText.length;
    if (!entry.link || (!selected && textLength > SUMMARY_LIKE_CHARS)) {
      out.push(entry);
      continue;
    }
    try {
      const article = await fetchFullArticle(deps.fetcher, entry.link, feed, deps.extractArticle);
      out.push(
        article && (selected || article.text.length > textLength)
          ? withContent(entry, article.contentHtml, article.text, article.readingMinutes)
          : entry,
      );
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      // A page that fails is the site's; a selector too costly for the page is for its user to mend.
      const fields = { feedId: feed.id, url: entry.link, error: err.message };
      if (err.code === 'USAGE') deps.log.warn('feed selector failed on an article', fields);
      else deps.log.debug('full article fetch failed', fields);
      out.push(entry);
    }
  }
  return out;
}

/** The entry with other content: a prepared entry, whether it came prepared or packed. */
function withContent(
  entry: StorableEntry,
  contentHtml: string,
  contentText: string,
  readingMinutes: number,
): PreparedEntry {
  if (!isPacked(entry)) return { ...entry, contentHtml, contentText, readingMinutes };
  const { searchText: _searchText, textLength: _textLength, ...rest } = entry;
  return { ...rest, contentHtml, contentText, readingMinutes };
}
