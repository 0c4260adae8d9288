// Subscribing: a URL (a feed, or a site page that declares feeds) becomes a subscription. Used by
// the CLI, and by the web reader and client APIs as they arrive. Discovery fetches go through the
// same guarded fetcher as refreshes.
import { selectorProblem } from '../content/selector.js';
import { decodeDocument } from '../feed/decode/index.js';
import {
  commonFeedPaths,
  discoverFeeds,
  feedUrlOf,
  findIcon,
  sameSite,
  type DiscoveredFeed,
  type DiscoveredFeedType,
} from '../feed/discover/index.js';
import {
  carriesSecrets,
  FetchError,
  movedUrl,
  parseTrustedCertificate,
  redactUrl,
  sameHost,
  secretsGoTo,
  takeCredentials,
  type FetchResult,
  type Fetcher,
} from '../feed/fetch/index.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, isBlankDocument, parseFeed } from '../feed/parse/index.js';
import { scrapePage, scrapeProblem } from '../feed/scrape/index.js';
import { parseRewriteRules } from '../content/rewrite.js';
import type { OpmlFeed, OpmlFetchOptions } from '../feed/opml/index.js';
import type { RecommendedFeed } from '../feed/recommended/index.js';
import { GleanerError } from '../model/errors.js';
import type { FetchedFeeds } from '../refresh/pool.js';
import type { Feed, FeedFormat, FetchOptions, Subscription } from '../model/index.js';
import {
  fetchOptionsKey,
  type ImportedSubscription,
  type Store,
  type SubscriptionView,
} from '../store/index.js';

export interface SubscribeDeps {
  store: Store;
  fetcher: Fetcher;
  clock: () => number;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = {
  userAgent: null,
  cookie: null,
  username: null,
  password: null,
  fetchFullArticle: false,
  articleSelector: null,
  ignoreHttpCache: false,
  removeSelector: null,
  fetchViaProxy: false,
  trustedCertificate: null,
  scrape: null,
  rewriteRules: null,
};

export interface SubscribeRequest {
  userId: number;
  url: string;
  folder?: string | null;
  title?: string | null;
  options?: FetchOptions;
  /** When a page offers several feeds: take the first instead of asking. */
  pickFirst?: boolean;
  /** When the user follows the feed already: change nothing (see subscribeToUrl). */
  keepFollowed?: boolean;
  /** The new subscription's rules (checked by compileRule first): the entries it gets now too. */
  blockRules?: string | null;
  keepRules?: string | null;
  /** How often at most to check the feed (Subscription.minCheckMinutes, checked by checkIntervalProblem). */
  minCheckMinutes?: number | null;
}

export type SubscribeOutcome =
  | {
      status: 'subscribed';
      feed: Feed;
      subscription: Subscription;
      discoveredFrom: string | null;
      /** The user followed the feed already (see subscribeToUrl). */
      already: boolean;
      /**
       * The feed's document as finding it fetched it, with the feed's own fetch options: what its
       * first refresh stores (see refreshFeed), so that subscribing asks the site for it once.
       */
      fetched: FetchResult | null;
    }
  | { status: 'choose'; page: string; candidates: DiscoveredFeed[] };

/** The longest user agent, cookie, username or password a feed is fetched with. */
export const MAX_FETCH_OPTION_LENGTH = 4096;

/**
 * Fetch options as an HTTP request can carry them, or a USAGE error saying what is wrong: no
 * control characters (a line break would end the header), a user agent and cookie of Latin-1
 * characters (a header's bytes), a username without a colon (Basic auth splits at the first one),
 * none too long.
 */
export function checkFetchOptions(options: FetchOptions): void {
  const fields = [
    ['user agent', options.userAgent],
    ['cookie', options.cookie],
    ['username', options.username],
    ['password', options.password],
  ] as const;
  for (const [name, value] of fields) {
    if (value === null) continue;
    if (value.length > MAX_FETCH_OPTION_LENGTH)
      throw new GleanerError(
        'USAGE',
        `the ${name} is too long (at most ${MAX_FETCH_OPTION_LENGTH} characters)`,
      );
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw new GleanerError('USAGE', `the ${name} cannot hold line breaks or other control characters`);
    // Sent as header values, which hold bytes: past U+00FF a character has none. A username and
    // password go base64-encoded (as UTF-8), and may hold any.
    if ((name === 'user agent' || name === 'cookie') && /[\u0100-\uffff]/.test(value))
      throw new GleanerError(
        'USAGE',
        `the ${name} can only hold Latin-1 characters (as an HTTP header); percent-encode the others as the site expects`,
      );
  }
  if (options.username?.includes(':'))
    throw new GleanerError(
      'USAGE',
      'the username cannot hold a colon (HTTP Basic auth ends it at the first one)',
    );
  if (options.trustedCertificate !== null) parseTrustedCertificate(options.trustedCertificate);
  const scraping = options.scrape === null ? null : scrapeProblem(options.scrape);
  if (scraping !== null) throw new GleanerError('USAGE', scraping);
  if (options.rewriteRules !== null) parseRewriteRules(options.rewriteRules);
  for (const [selector, name] of [
    [options.articleSelector, 'article selector'],
    [options.removeSelector, 'remove selector'],
  ] as const) {
    const problem = selector === null ? null : selectorProblem(selector, name);
    if (problem !== null) throw new GleanerError('USAGE', problem);
  }
}

/**
 * The URL of a feed (or a site) as given by a person or a program: a scheme added to what people
 * type ("blog.example.com/feed"), written as Gleaner keeps feed URLs (feedUrlOf), so that
 * "feed.xml#top" and "feed.xml?" are the feed "feed.xml".
 */
export function normalizeInputUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed)
    ? trimmed.replace(/^feed:(\/\/)?/i, 'https://')
    : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme.replace(/^https:\/\/(https?:)/i, '$1'));
  } catch {
    throw new GleanerError(
      'FETCH_INVALID_URL',
      `"${input}" is not a URL; give the address of a feed or a site`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GleanerError(
      'FETCH_INVALID_URL',
      `"${input}" is not an http(s) URL; give the address of a feed or a site`,
    );
  }
  return feedUrlOf(url);
}

/**
 * `url` without the username and password written into it (`https://me:secret@host/feed`), and
 * `options` holding them instead. A feed's URL is shown by `gleaner feeds`, the reader and client
 * apps, and written into OPML exports; its fetch options stay with its subscribers, and go to its
 * own host only. Credentials in the URL and others given beside it must agree.
 */
export function moveUrlCredentials(
  url: string,
  options: FetchOptions,
): { url: string; options: FetchOptions } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, options };
  }
  if (!parsed.username && !parsed.password) return { url, options };
  const { username, password } = takeCredentials(parsed);
  const given = options.username !== null || options.password !== null;
  if (given && (options.username !== username || options.password !== password)) {
    throw new GleanerError(
      'USAGE',
      `${redactUrl(url)} was given with a username and password in it and others beside it; give them once`,
    );
  }
  return { url: parsed.href, options: { ...options, username, password } };
}

interface Probe {
  isFeed: boolean;
  /** The URL to store: the final URL when every redirect was permanent, else the one asked for. */
  url: string;
  html: string | null;
  finalUrl: string;
  /** A feed's own title and format, when the probe read it whole (a 304 reads nothing). */
  feed: { title: string | null; format: FeedFormat } | null;
  /** What was fetched. */
  result: FetchResult;
}

async function probe(fetcher: Fetcher, url: string, options: FetchOptions): Promise<Probe> {
  const result = await fetcher
    .fetchFeed({
      url,
      userAgent: options.userAgent,
      cookie: options.cookie,
      username: options.username,
      password: options.password,
      viaProxy: options.fetchViaProxy,
      trustedCertificate: options.trustedCertificate,
    })
    .catch((err: unknown) => {
      // Nothing is stored yet, nothing will be retried: told as to someone subscribing.
      throw err instanceof FetchError ? err.forSubscribing() : err;
    });
  if (result.status !== 'ok')
    return { isFeed: true, url, html: null, finalUrl: result.finalUrl, feed: null, result };
  if (isBlankDocument(result.body))
    throw new GleanerError(
      'PARSE_NOT_A_FEED',
      `${redactUrl(url)} answered with an empty document; the site may be failing, try again later`,
    );
  const feed = options.scrape
    ? scrapePage(result.body, options.scrape, {
        url: result.finalUrl,
        contentType: result.contentType,
        maxBytes: DEFAULT_MAX_DOCUMENT_BYTES,
      })
    : parseFeed(result.body, { url: result.finalUrl, contentType: result.contentType });
  if (feed.format !== null)
    return {
      isFeed: true,
      url: result.permanentRedirectUrl ? movedUrl(url, result.permanentRedirectUrl) : url,
      html: null,
      finalUrl: result.finalUrl,
      feed: { title: feed.title, format: feed.format },
      result,
    };
  return {
    isFeed: false,
    url,
    html: decodeDocument(result.body, result.contentType).text,
    finalUrl: result.finalUrl,
    feed: null,
    result,
  };
}

/**
 * The feeds behind a URL, without subscribing: the URL itself when it is a feed, else the feeds
 * its page declares (taken at the page's word), else those of its links to its own site that
 * answer with a feed, else those of the usual feed paths that do. Empty when there are none.
 */
export async function discoverSubscriptions(
  fetcher: Fetcher,
  input: string,
  options: FetchOptions = DEFAULT_FETCH_OPTIONS,
): Promise<DiscoveredFeed[]> {
  const start = moveUrlCredentials(normalizeInputUrl(input), options);
  checkFetchOptions(start.options);
  const first = await probe(fetcher, start.url, start.options);
  if (first.isFeed) return [{ url: first.url, title: first.feed?.title ?? null, type: feedType(first.feed) }];
  const page = discoverFeeds(first.html ?? '', first.finalUrl);
  if (page.declared.length > 0) return page.declared;
  const budget = probeBudget();
  const linked = await feedsAmong(fetcher, page.linked, first.url, start.options, budget, false);
  const found =
    linked.length > 0
      ? linked
      : await feedsAmong(fetcher, commonFeeds(first.finalUrl), first.url, start.options, budget, false);
  return found.map((f) => f.feed);
}

/** Feeds a discovery fetches at most after the page: a hostile page cannot have it ask many more. */
const MAX_PROBES = 20;

/** A candidate that answered with a feed: the feed, its document, and the options it was fetched with. */
interface ProbedFeed {
  feed: DiscoveredFeed;
  fetched: FetchResult;
  fetchedWith: FetchOptions;
}

/** What one discovery may still fetch: how many more candidates, and which it fetched already. */
interface ProbeBudget {
  left: number;
  tried: Set<string>;
}

function probeBudget(): ProbeBudget {
  return { left: MAX_PROBES, tried: new Set() };
}

/**
 * Those of `candidates` that answer with a feed, in order (the first only, with `firstOnly`); one
 * that fails or is no feed is passed over. Each fetch spends one of `budget`'s, none is made once
 * they are spent, and none twice (a link to /rss, then /rss as a usual path).
 */
async function feedsAmong(
  fetcher: Fetcher,
  candidates: readonly DiscoveredFeed[],
  start: string,
  options: FetchOptions,
  budget: ProbeBudget,
  firstOnly: boolean,
): Promise<ProbedFeed[]> {
  const found = new Map<string, ProbedFeed>();
  for (const candidate of candidates) {
    if (budget.left <= 0) break;
    if (budget.tried.has(candidate.url)) continue;
    budget.left--;
    budget.tried.add(candidate.url);
    try {
      const fetchedWith = optionsFor(candidate.url, start, options);
      const p = await probe(fetcher, candidate.url, fetchedWith);
      if (!p.isFeed || found.has(p.url)) continue;
      const feed = {
        url: p.url,
        title: p.feed?.title ?? candidate.title,
        type: p.feed ? feedType(p.feed) : candidate.type,
      };
      found.set(p.url, { feed, fetched: p.result, fetchedWith });
      if (firstOnly) break;
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
    }
  }
  return [...found.values()];
}

/** The usual feed paths of a page's site (commonFeedPaths), as candidates that say nothing of themselves. */
function commonFeeds(pageUrl: string): DiscoveredFeed[] {
  return commonFeedPaths(pageUrl).map((url) => ({ url, title: null, type: 'unknown' }));
}

/** RDF (RSS 1.0) is RSS to a client choosing among feeds. */
function feedType(feed: Probe['feed']): DiscoveredFeedType {
  if (!feed) return 'unknown';
  if (feed.format === 'html') return 'unknown';
  return feed.format === 'rdf' ? 'rss' : feed.format;
}

/**
 * The options to fetch `url` with, found from `start`: the cookie and credentials the user gave
 * for the address they named go only where secretsGoTo lets them, never to a feed another site's
 * page points to.
 */
function optionsFor(url: string, start: string, options: FetchOptions): FetchOptions {
  if (!carriesSecrets(options) || secretsGoTo(start, url)) return options;
  return { ...options, cookie: null, username: null, password: null };
}

interface FoundFeed {
  url: string;
  discoveredFrom: string | null;
  iconUrl: string | null;
  /** The feed's document as the probe that found it fetched it, and the options it was fetched with. */
  fetched: FetchResult;
  fetchedWith: FetchOptions;
}

/**
 * Finds the feed behind a URL: the URL itself, the feeds a page declares, those of its links to
 * its own site that answer with a feed, or a usual feed path. A page that offers several feeds
 * has them listed to choose from, unless `pickFirst`.
 */
async function findFeed(
  deps: SubscribeDeps,
  req: SubscribeRequest,
  start: string,
  options: FetchOptions,
): Promise<FoundFeed | { choose: DiscoveredFeed[]; page: string }> {
  const first = await probe(deps.fetcher, start, options);
  if (first.isFeed)
    return {
      url: first.url,
      discoveredFrom: null,
      iconUrl: null,
      fetched: first.result,
      fetchedWith: options,
    };
  const html = first.html ?? '';
  const page = discoverFeeds(html, first.finalUrl);
  const iconUrl = findIcon(html, first.finalUrl);
  if (page.declared.length > 1 && !req.pickFirst) return { choose: page.declared, page: first.finalUrl };
  const budget = probeBudget();
  const among = (candidates: readonly DiscoveredFeed[], firstOnly: boolean): Promise<ProbedFeed[]> =>
    feedsAmong(deps.fetcher, candidates, start, options, budget, firstOnly);
  let found = await among(page.declared, true);
  if (found.length === 0) {
    // Links are only guesses: every one is fetched before several are offered to choose from.
    found = await among(page.linked, !!req.pickFirst);
    if (found.length > 1) return { choose: found.map((f) => f.feed), page: first.finalUrl };
  }
  if (found.length === 0) found = await among(commonFeeds(first.finalUrl), true);
  const [feed] = found;
  if (feed)
    return {
      url: feed.feed.url,
      discoveredFrom: first.finalUrl,
      iconUrl,
      fetched: feed.fetched,
      fetchedWith: feed.fetchedWith,
    };
  throw new GleanerError(
    'PARSE_NOT_A_FEED',
    `${first.finalUrl} is a web page that declares no feed, and none of the usual feed paths answered; ` +
      `find the feed's own URL on the site (often an RSS icon) and add that, or read the page itself ` +
      `as a feed, saying where its entries are (gleaner add --scrape-items CSS, or the web form)`,
  );
}

/**
 * Subscribes to the feed behind a URL. A feed the user follows already (at the URL found, with any
 * fetch options) is not followed twice: the folder and title the request names are applied, the
 * rest stays as the user keeps it; asking for other fetch options than it is followed with is an
 * error, which says how to change them.
 */
export async function subscribeToUrl(deps: SubscribeDeps, req: SubscribeRequest): Promise<SubscribeOutcome> {
  const { url: asked, options } = moveUrlCredentials(
    normalizeInputUrl(req.url),
    req.options ?? DEFAULT_FETCH_OPTIONS,
  );
  checkFetchOptions(options);
  // Options the request names, itself or by credentials in its URL.
  const optionsGiven = req.options !== undefined || options !== DEFAULT_FETCH_OPTIONS;
  const found = await findFeed(deps, req, asked, options);
  if ('choose' in found) return { status: 'choose', page: found.page, candidates: found.choose };
  if (carriesSecrets(options) && !secretsGoTo(asked, found.url)) {
    throw new GleanerError(
      'USAGE',
      `the feed is at ${found.url}, where the cookie and credentials given for ${asked} are not sent (another site, port, or plain http); subscribe to it by its own URL to send them there`,
    );
  }
  const now = deps.clock();
  const followed = (await deps.store.listSubscriptions(req.userId)).find((s) => s.feed.url === found.url);
  if (followed && req.keepFollowed) {
    const { feed, subscription } = followed;
    const fetched = fetchedFor(feed, found);
    return {
      status: 'subscribed',
      feed,
      subscription,
      discoveredFrom: found.discoveredFrom,
      already: true,
      fetched,
    };
  }
  if (followed && optionsGiven && fetchOptionsKey(options) !== fetchOptionsKey(followed.feed.options)) {
    throw new GleanerError(
      'USAGE',
      `you already follow ${found.url} with other fetch options; change them in the feed's edit form (or with gleaner edit)`,
    );
  }
  const feed = followed?.feed ?? (await deps.store.ensureFeed(found.url, options, now));
  const folder = req.folder ? await deps.store.ensureFolder(req.userId, req.folder) : null;
  const subscription = await deps.store.subscribe(
    req.userId,
    feed.id,
    {
      folderId: folder?.id ?? followed?.subscription.folderId ?? null,
      title: req.title ?? null,
      ...(req.blockRules !== undefined ? { blockRules: req.blockRules } : {}),
      ...(req.keepRules !== undefined ? { keepRules: req.keepRules } : {}),
      ...(req.minCheckMinutes !== undefined ? { minCheckMinutes: req.minCheckMinutes } : {}),
    },
    now,
  );
  if (found.iconUrl && !feed.iconUrl) await deps.store.setFeedIcon(feed.id, found.iconUrl);
  if (!(await deps.store.getFeedIcon(feed.id))) {
    await keepFeedIcon(deps, feed, [found.iconUrl, feed.iconUrl, new URL('/favicon.ico', found.url).href]);
  }
  return {
    status: 'subscribed',
    feed,
    subscription,
    discoveredFrom: found.discoveredFrom,
    already: !!followed,
    fetched: fetchedFor(feed, found),
  };
}

/** A subscription's fetched document, as "refresh now" takes it (see refreshFeeds). */
export function fetchedOf(outcome: SubscribeOutcome): FetchedFeeds | undefined {
  if (outcome.status !== 'subscribed' || !outcome.fetched) return undefined;
  return new Map([[outcome.feed.id, outcome.fetched]]);
}

/** The probe's answer when it is the feed's document as a refresh of `feed` would fetch it. */
function fetchedFor(feed: Feed, found: FoundFeed): FetchResult | null {
  if (found.fetched.status !== 'ok') return null;
  return fetchOptionsKey(found.fetchedWith) === fetchOptionsKey(feed.options) ? found.fetched : null;
}

/**
 * Fetches a subscription's feed with other options (a cookie that expired, a password that
 * changed, full articles). A feed the user alone follows changes itself, entries and read state
 * kept; one that others follow too stays as they have it, and the user follows the feed fetched
 * with these options instead, in the same folder under the same title. The feed the user follows
 * now is returned (due now: refresh it to see what the new options bring); null when the feed is
 * fetched with these options already.
 */
export async function changeFetchOptions(
  deps: SubscribeDeps,
  userId: number,
  feedId: number,
  options: FetchOptions,
): Promise<Feed | null> {
  checkFetchOptions(options);
  const { store } = deps;
  const followed = (await store.listSubscriptions(userId)).find((s) => s.feed.id === feedId);
  if (!followed) throw new GleanerError('NOT_FOUND', 'you do not follow this feed');
  if (fetchOptionsKey(options) === fetchOptionsKey(followed.feed.options)) return null;
  const now = deps.clock();
  if ((await store.countSubscribers(feedId)) === 1 && (await store.setFeedOptions(feedId, options, now))) {
    return (await store.getFeed(feedId)) ?? followed.feed;
  }
  const feed = await store.ensureFeed(followed.feed.url, options, now);
  await followInstead(store, followed, feed, now);
  return feed;
}

/**
 * The user follows `feed` in place of the one `followed` names, as they followed that one: its
 * folder, title, pause, pace and rules, which pick what they get of the new feed's entries.
 */
async function followInstead(
  store: Store,
  followed: SubscriptionView,
  feed: Feed,
  now: number,
): Promise<void> {
  const { userId, feedId, folderId, title, paused, blockRules, keepRules, minCheckMinutes } =
    followed.subscription;
  await store.subscribe(
    userId,
    feed.id,
    { folderId, title, paused, blockRules, keepRules, minCheckMinutes },
    now,
  );
  await store.carrySubscription(userId, feedId, feed.id, now);
  await store.unsubscribe(userId, feedId);
}

/** What changing a subscription's URL did (changeFeedUrl). */
export interface FeedUrlChange {
  /**
   * `moved`: the feed the user alone followed is at the new URL now, its entries and read state
   * kept; `apart`: the user follows the feed at the new URL instead (others follow the old one, or
   * the new URL had a feed already), as they followed the old one; `unchanged`: it was there already.
   */
  status: 'moved' | 'apart' | 'unchanged';
  /** The feed the user follows now: due now (refresh it, with `fetched`). */
  feed: Feed;
  /** The new URL's document as the change fetched it, for the refresh to take. */
  fetched: FetchResult | null;
}

/**
 * Moves a subscription to another URL (a feed that moved without a redirect), as Miniflux's and
 * FreshRSS's edit forms do. The new URL must be a feed, or a page that leads to one: a typo does
 * not break a working subscription. A feed the user alone follows moves itself, its entries and
 * read state kept; one that others follow stays where they have it, and the user follows the feed
 * at the new URL instead, in the same folder, under the same title, with the same rules.
 * `fetchWith`: the fetch options the feed is to have there, when they change with its URL (the
 * caller changes them once it has moved): the new URL is checked with them.
 *
 * A feed is never merged into another one here (as a permanent redirect merges feeds of one site):
 * its entries would reach that feed's other subscribers, which a user must not be able to do.
 */
export async function changeFeedUrl(
  deps: SubscribeDeps,
  userId: number,
  feedId: number,
  input: string,
  fetchWith?: FetchOptions,
): Promise<FeedUrlChange> {
  const { store } = deps;
  const subscriptions = await store.listSubscriptions(userId);
  const followed = subscriptions.find((s) => s.feed.id === feedId);
  if (!followed) throw new GleanerError('NOT_FOUND', 'you do not follow this feed');
  const current = followed.feed;
  // Credentials written into the new URL replace the feed's.
  const written = new URL(normalizeInputUrl(input));
  const newCredentials = !!(written.username || written.password);
  const { url: asked, options } = newCredentials
    ? moveUrlCredentials(written.href, { ...current.options, username: null, password: null })
    : { url: written.href, options: current.options };
  // The feed's own secrets go to its own site only: checked before the new site is asked
  // anything, and again for the feed it leads to.
  const kept = newCredentials ? { ...options, username: null, password: null } : options;
  const secretsStay = (url: string): void => {
    if (!carriesSecrets(kept) || secretsGoTo(current.url, url)) return;
    throw new GleanerError(
      'USAGE',
      `this feed is fetched with a cookie or credentials for ${new URL(current.url).origin}, which are not sent to ${new URL(url).origin}: ` +
        'remove them first (or give the new credentials in its URL), then change its URL',
    );
  };
  secretsStay(asked);
  // The new URL is asked as the feed will be fetched there, when its options change with it (a new
  // certificate, no page selectors): the caller changes them once it has moved.
  const probeWith = fetchWith
    ? { ...fetchWith, ...(newCredentials ? { username: options.username, password: options.password } : {}) }
    : options;
  const found = await findFeed(deps, { userId, url: asked }, asked, probeWith);
  if ('choose' in found) {
    throw new GleanerError(
      'USAGE',
      `${found.page} offers ${found.choose.length} feeds; give the one to follow: ${found.choose.map((c) => c.url).join(', ')}`,
    );
  }
  const fetched = (feed: Feed): FetchResult | null => fetchedFor(feed, found);
  if (found.url === current.url && fetchOptionsKey(options) === fetchOptionsKey(current.options))
    return { status: 'unchanged', feed: current, fetched: fetched(current) };
  secretsStay(found.url);
  const other = subscriptions.find(
    (s) => s.feed.url === found.url && fetchOptionsKey(s.feed.options) === fetchOptionsKey(options),
  );
  if (other) {
    throw new GleanerError(
      'USAGE',
      `you follow ${found.url} already (as ${other.subscription.title ?? other.feed.title ?? 'another subscription'}); unsubscribe from this one instead`,
    );
  }
  const now = deps.clock();
  const sameOptions = fetchOptionsKey(options) === fetchOptionsKey(current.options);
  // Moved in place on its own site only: moved to another site's URL, the feed would carry its
  // entries there, and whoever subscribes to that URL later would be given them as that site's
  // (a user could plant posts in a feed no one here follows yet). Elsewhere, a feed of its own.
  if (sameOptions && sameSite(current.url, found.url) && (await store.countSubscribers(feedId)) === 1) {
    const move = await store.changeFeedUrl(feedId, found.url, now, false);
    if (move.kind === 'moved') {
      // Its options as they are: which forgets the old URL's ETag and Last-Modified, and makes it due.
      await store.setFeedOptions(feedId, options, now);
      const moved = (await store.getFeed(feedId)) ?? current;
      await keepMovedFeedIcon(deps, moved, current, found);
      return { status: 'moved', feed: moved, fetched: fetched(moved) };
    }
  }
  const feed = await store.ensureFeed(found.url, options, now);
  await followInstead(store, followed, feed, now);
  if (!(await store.getFeedIcon(feed.id))) await keepMovedFeedIcon(deps, feed, current, found);
  return { status: 'apart', feed, fetched: fetched(feed) };
}

/** The icon of a feed moved to another site, where it is that site's. */
async function keepMovedFeedIcon(
  deps: SubscribeDeps,
  feed: Feed,
  was: Feed,
  found: FoundFeed,
): Promise<void> {
  if (sameHost(feed.url, was.url) && feed.id === was.id) return;
  if (found.iconUrl) await deps.store.setFeedIcon(feed.id, found.iconUrl);
  await keepFeedIcon(deps, feed, [found.iconUrl, new URL('/favicon.ico', found.url).href]);
}

/** Icons bigger than this are not icons. */
export const MAX_ICON_BYTES = 100 * 1024;

// PNG, GIF, JPEG, ICO, WebP (RIFF), and SVG by its text.
const IMAGE_MAGIC = [
  [0x89, 0x50, 0x4e, 0x47],
  [0x47, 0x49, 0x46],
  [0xff, 0xd8, 0xff],
  [0x00, 0x00, 0x01, 0x00],
  [0x52, 0x49, 0x46, 0x46],
];

function looksLikeImage(body: Uint8Array, contentType: string): boolean {
  if (contentType === 'image/svg+xml')
    return /<svg[\s>]/i.test(Buffer.from(body.subarray(0, 2048)).toString('utf8'));
  return IMAGE_MAGIC.some((magic) => magic.every((b, i) => body[i] === b));
}

/**
 * Fetches the first of `candidates` that is an image and keeps it, so the reader shows it without
 * asking the site while reading. Best effort: a site without an icon gets a letter avatar.
 */
export async function keepFeedIcon(
  deps: SubscribeDeps,
  feed: Pick<Feed, 'id' | 'options'>,
  candidates: (string | null)[],
): Promise<boolean> {
  for (const url of new Set(candidates.filter((u): u is string => u !== null))) {
    try {
      const result = await deps.fetcher.fetchFeed({
        url,
        viaProxy: feed.options.fetchViaProxy,
        trustedCertificate: feed.options.trustedCertificate,
      });
      if (result.status !== 'ok' || result.body.byteLength === 0 || result.body.byteLength > MAX_ICON_BYTES)
        continue;
      const declared = (result.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const contentType = declared.startsWith('image/')
        ? declared
        : url.toLowerCase().endsWith('.ico')
          ? 'image/x-icon'
          : '';
      if (!contentType || !looksLikeImage(result.body, contentType)) continue;
      await deps.store.saveFeedIcon(feed.id, { contentType, data: result.body }, deps.clock());
      return true;
    } catch {
      // Unreachable, refused or broken: try the next one.
    }
  }
  return false;
}

/** What an import did (importFeeds). */
export interface ImportedFeeds {
  /** Feeds followed now. */
  added: number;
  /** The folders they were put in (created where needed). */
  folders: number;
  /** Feeds the user followed already: left as they keep them. */
  existing: number;
  /** Feeds the list gave again (Feedly's "Must Read" repeats a feed of another folder): followed once, in the folder listed first. */
  repeated: number;
}

/**
 * Subscribes to every feed of an OPML document, folders kept, without fetching (refresh does). A
 * feed the user already follows is left as they keep it (folder, title, fetch options), as Miniflux
 * and FreshRSS do: an import only adds. A feed listed twice is followed once, in its first folder.
 */
export async function importFeeds(
  deps: SubscribeDeps,
  userId: number,
  feeds: OpmlFeed[],
  onProgress?: (done: number) => void,
): Promise<ImportedFeeds> {
  const followed = new Set((await deps.store.listSubscriptions(userId)).map((s) => s.feed.url));
  const listed = new Set<string>();
  const folders = new Set<string>();
  const out: ImportedFeeds = { added: 0, folders: 0, existing: 0, repeated: 0 };
  // A transaction for each chunk: the file's pages written once a chunk, not once a feed, and
  // the progress told as each one is committed.
  for (let start = 0; start < feeds.length; start += IMPORT_CHUNK) {
    const chunk: ImportedSubscription[] = [];
    for (const item of feeds.slice(start, start + IMPORT_CHUNK)) {
      const { url, options } = importedFeed(item.url, item.fetch);
      if (listed.has(url)) {
        out.repeated++;
        continue;
      }
      listed.add(url);
      if (followed.has(url)) {
        out.existing++;
        continue;
      }
      if (item.folder) folders.add(item.folder);
      chunk.push({
        url,
        options,
        title: item.title,
        folder: item.folder,
        siteUrl: item.siteUrl,
        ...(item.minCheckMinutes !== undefined ? { minCheckMinutes: item.minCheckMinutes } : {}),
        ...(item.paused ? { paused: true } : {}),
      });
    }
    if (chunk.length > 0) await deps.store.importSubscriptions(userId, chunk, deps.clock());
    out.added += chunk.length;
    onProgress?.(Math.min(feeds.length, start + IMPORT_CHUNK));
  }
  out.folders = folders.size;
  return out;
}

/**
 * An imported feed's URL and fetch options: those the file gives (`given`), and credentials
 * written into the URL (see moveUrlCredentials). Options no request could carry (a control
 * character, a colon in the username) are left out, as no fetch could have sent them: the feed's
 * refresh then says that it needs them, and its edit form takes them.
 */
function importedFeed(written: string, given?: OpmlFetchOptions): { url: string; options: FetchOptions } {
  const feedUrl = normalizeInputUrl(written);
  const usable = (options: FetchOptions): { url: string; options: FetchOptions } | null => {
    const moved = moveUrlCredentials(feedUrl, options);
    try {
      checkFetchOptions(moved.options);
      return moved;
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      return null;
    }
  };
  const fromFile = given && {
    ...DEFAULT_FETCH_OPTIONS,
    ...given,
    fetchFullArticle: given.articleSelector !== null,
  };
  return (
    (fromFile && usable(fromFile)) ??
    usable(DEFAULT_FETCH_OPTIONS) ?? {
      url: moveUrlCredentials(feedUrl, DEFAULT_FETCH_OPTIONS).url,
      options: DEFAULT_FETCH_OPTIONS,
    }
  );
}

/** Feeds an import subscribes to in one transaction. */
const IMPORT_CHUNK = 500;

/** What subscribing to feeds of the recommended directory did (subscribeToRecommended). */
export interface RecommendedSubscriptions {
  /** Followed now, in the directory's order. */
  added: { recommended: RecommendedFeed; feed: Feed }[];
  /** Followed already: left as the user keeps them. */
  already: { recommended: RecommendedFeed; feed: Feed }[];
  failed: { recommended: RecommendedFeed; error: string }[];
  /** The documents finding the sites' feeds fetched, for their first refresh to store. */
  fetched: Map<number, FetchResult>;
}

/**
 * Subscribes to feeds of the recommended directory, each in its topic's folder unless `folder`
 * names one, titled as the directory names it. A feed the directory gives directly is followed
 * without fetching, as an import does (its first refresh fetches it); a site is asked for its feed,
 * whose document is handed on. A feed the user follows already stays as they keep it.
 */
export async function subscribeToRecommended(
  deps: SubscribeDeps,
  userId: number,
  feeds: readonly RecommendedFeed[],
  folder?: string,
): Promise<RecommendedSubscriptions> {
  const out: RecommendedSubscriptions = { added: [], already: [], failed: [], fetched: new Map() };
  const followedAt = async (): Promise<Map<string, Feed>> =>
    new Map((await deps.store.listSubscriptions(userId)).map((s) => [s.feed.url, s.feed]));
  const before = await followedAt();
  const direct = feeds.filter((f) => f.kind === 'feed');
  await importFeeds(
    deps,
    userId,
    direct.map((f) => ({ url: f.url, title: f.name, siteUrl: null, folder: folder ?? f.topic })),
  );
  const after = await followedAt();
  const outcomes = new Map<RecommendedFeed, { feed: Feed; already: boolean } | { error: string }>();
  for (const f of direct) {
    const { url } = importedFeed(f.url);
    const feed = after.get(url);
    outcomes.set(f, feed ? { feed, already: before.has(url) } : { error: 'not a usable feed address' });
  }
  for (const f of feeds.filter((r) => r.kind === 'site')) {
    try {
      const outcome = await subscribeToUrl(deps, {
        userId,
        url: f.url,
        folder: folder ?? f.topic,
        title: f.name,
        pickFirst: true,
        keepFollowed: true,
      });
      // pickFirst never asks which feed.
      if (outcome.status !== 'subscribed')
        throw new GleanerError('INTERNAL', 'the site offers several feeds');
      outcomes.set(f, { feed: outcome.feed, already: outcome.already });
      if (!outcome.already && outcome.fetched) out.fetched.set(outcome.feed.id, outcome.fetched);
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      outcomes.set(f, { error: err.message });
    }
  }
  for (const f of feeds) {
    const done = outcomes.get(f);
    if (!done) continue;
    if ('error' in done) out.failed.push({ recommended: f, error: done.error });
    else (done.already ? out.already : out.added).push({ recommended: f, feed: done.feed });
  }
  return out;
}

/** The user's subscriptions as OPML feeds (folders kept). */
export async function exportFeeds(store: Store, userId: number): Promise<OpmlFeed[]> {
  return (await store.listSubscriptions(userId)).map((s) => {
    const o = s.feed.options;
    const fetch = {
      // FreshRSS fetches the full article when it has its selector: one without is Readability's.
      articleSelector: o.fetchFullArticle ? o.articleSelector : null,
      removeSelector: o.removeSelector,
      userAgent: o.userAgent,
      cookie: null,
      scrape: o.scrape,
      rewriteRules: o.rewriteRules,
    };
    return {
      url: s.feed.url,
      title: s.subscription.title ?? s.feed.title,
      siteUrl: s.feed.siteUrl,
      folder: s.folderName,
      ...(Object.values(fetch).some((v) => v !== null) ? { fetch } : {}),
      ...(s.subscription.minCheckMinutes !== null ? { minCheckMinutes: s.subscription.minCheckMinutes } : {}),
    };
  });
}
