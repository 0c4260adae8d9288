// Normalize, sanitize and dedupe: a parsed feed's items become entries ready to store. Pure.
import { createHash } from 'node:crypto';
import type { ParsedEntry, ParsedFeed, PreparedEntry } from '../model/index.js';
import { absolutizeUrl, prepareContent, stripTrackingParams } from '../content/index.js';
import { removeMatching } from '../content/selector.js';
import { parseRewriteRules, rewriteContent, type RewriteRule } from '../content/rewrite.js';
import { htmlToText } from '../feed/parse/text.js';
import { GleanerError } from '../model/errors.js';

const SUMMARY_LENGTH = 300;
// A guid or link longer than this keys its entry by its hash instead. Every refresh reads the
// newest stored keys of the feed it fetched (refresh.ts), so a hostile feed of megabyte guids would
// otherwise make each refresh read hundreds of megabytes. Real guids and URLs are far shorter.
export const MAX_KEY_LENGTH = 2048;
const UNTITLED_LENGTH = 80;
// A feed's clock may run ahead; an entry never sorts above the time it was fetched by more than this.
const MAX_FUTURE_MS = 10 * 60 * 1000;

/** The SHA-1 of `parts` joined by NUL characters, hashed part by part: a body is not copied into a joined string first. */
function sha1(...parts: string[]): string {
  const hash = createHash('sha1');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\u0000');
    hash.update(part);
  });
  return hash.digest('hex');
}

/**
 * `g:guid` or `l:link`; past MAX_KEY_LENGTH, `gh:` or `lh:` and the value's hash. A lone UTF-16
 * surrogate (a JSON Feed's "\ud800") is U+FFFD, as SQLite stores it: the key read back is the key.
 */
function keyOf(kind: 'g' | 'l', value: string): string {
  const text = LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATES, '\ufffd') : value;
  return text.length <= MAX_KEY_LENGTH ? `${kind}:${text}` : `${kind}h:${sha1(text)}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

function truncate(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(' ');
  return (space > length * 0.6 ? cut.slice(0, space) : cut) + '…';
}

/**
 * A URL from a feed as it is stored and shown: absolute, and of a scheme the sanitizer lets a link
 * have (http, https, mailto), else null. The parser resolves URLs and keeps any scheme; a
 * `javascript:` or `data:` link would otherwise reach the reader's "Original" button, the feeds
 * Gleaner publishes and every client app.
 */
function linkUrl(url: string | null, base: string): string | null {
  return url ? absolutizeUrl(url, base, 'link') : null;
}

/** An image or enclosure the reader's browser may load (http, https), else null. */
function mediaUrl(url: string | null, base: string): string | null {
  return url ? absolutizeUrl(url, base, 'media') : null;
}

// BitTorrent feeds carry their enclosures as magnet links, which the reader lists but never loads.
const MAGNET = /^magnet:\?/i;

/** The feed's own metadata with its URLs made safe as entries' are. */
export function prepareFeedInfo<T extends Pick<ParsedFeed, 'link' | 'iconUrl'>>(feed: T, feedUrl: string): T {
  return { ...feed, link: linkUrl(feed.link, feedUrl), iconUrl: mediaUrl(feed.iconUrl, feedUrl) };
}

function epoch(iso: string | null): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** What prepareEntries may leave out. */
export interface PrepareOptions {
  /** At most this many items, the newest (see prepareEntries). */
  maxEntries?: number | undefined;
  /**
   * The source hashes of the feed's stored entries, by dedupe key (those it has: entries stored at
   * a feed's first fetch have none, so that fetch costs no hashing): an item keyed by its guid or
   * link whose source is the one stored is left out unprepared, its key added to `unchanged`. Given
   * this, every entry prepared has its source hash; without it, none has.
   */
  stored?: ReadonlyMap<string, string> | undefined;
  unchanged?: string[] | undefined;
  /**
   * The feed's remove selector (FetchOptions.removeSelector): what it matches is taken out of each
   * item's HTML before it is sanitized. An item it fails on (too costly for its HTML) is kept as
   * sent, and the error added to `selectorErrors`.
   */
  removeSelector?: string | null | undefined;
  selectorErrors?: string[] | undefined;
  /**
   * The feed's rewrite rules (FetchOptions.rewriteRules, Miniflux's), applied to each item's HTML
   * after the remove selector and before it is sanitized. Rules that do not read change nothing.
   */
  rewriteRules?: string | null | undefined;
}

/**
 * Prepares every item of a parsed feed. `feedUrl` is the base for relative URLs left in content;
 * `now` is when the feed was fetched (the date of entries that have none). With `maxEntries`, only
 * that many items are prepared: the newest (an undated one counts as `now`), in the document's
 * order. A document with more (a broken or hostile feed sending 16 MB of tiny items) then costs a
 * refresh no more than a feed may keep. With `stored`, the items stored as they are now are left
 * out: sanitizing is most of a refresh's work, and most of a changed document is as it was.
 */
export function prepareEntries(
  feed: ParsedFeed,
  feedUrl: string,
  now: number,
  {
    maxEntries = Infinity,
    stored,
    unchanged,
    removeSelector,
    selectorErrors,
    rewriteRules,
  }: PrepareOptions = {},
): PreparedEntry[] {
  const rewrites = rewriteRules ? readRewriteRules(rewriteRules) : [];
  const items = feed.items.length > maxEntries ? newestItems(feed.items, maxEntries, now) : feed.items;
  const seen = new Set<string>();
  const ambiguous = ambiguousGuids(items);
  const out: PreparedEntry[] = [];
  // Entries keyed by their content (no guid, no link) are known by their source alone: its key is
  // made of what preparing makes.
  let byContentSource: Map<string, string> | null = null;
  const contentKeyed = (source: string): string | undefined => {
    byContentSource ??= new Map(
      [...(stored ?? [])].flatMap(([k, h]) => (k.startsWith('h:') ? [[h, k]] : [])),
    );
    return byContentSource.get(source);
  };
  for (const [position, item] of items.entries()) {
    // RSS 2.0 says a guid "uniquely identifies the item"; some feeds repeat one guid on every
    // item. A guid shared within one document identifies nothing, so those items fall back to link.
    const guid = item.id && !ambiguous.has(item.id) ? item.id : null;
    const link = item.link ? stripTrackingParams(item.link) : null;
    const source = stored ? sourceHash(item, feedUrl, removeSelector, rewriteRules) : undefined;
    const key =
      itemKey(guid, link) ??
      enclosureKey(item) ??
      (source === undefined ? null : (contentKeyed(source) ?? null));
    const alt = stored ? alternateKey(item.id, guid, link) : undefined;
    // The same source under either key is the same item (its guid and link are part of it).
    const same =
      key !== null && source !== undefined && stored?.get(key) === source
        ? key
        : alt !== undefined && source !== undefined && stored?.get(alt) === source
          ? alt
          : null;
    if (same !== null) {
      if (seen.has(same)) continue;
      seen.add(same);
      unchanged?.push(same);
      continue;
    }
    const kept = removeSelector ? withoutRemoved(item, feedUrl, removeSelector, selectorErrors) : item;
    const rewritten = rewrites.length ? withRewrites(kept, rewrites) : kept;
    const entry = prepareEntry(rewritten, guid, link, feedUrl, now, undatedAt(now, position), source);
    if (alt !== undefined) entry.altKey = alt;
    if (seen.has(entry.dedupeKey)) continue;
    seen.add(entry.dedupeKey);
    out.push(entry);
  }
  return out;
}

/**
 * The version of what preparing makes of an item. Bump it whenever sanitizing or preparing changes
 * its output (prepare.test.ts fails until it is): every stored item's source hash then differs, so
 * each is prepared again at its feed's next changed fetch, as before source hashes were kept. A fix
 * of the sanitizer reaches the entries their feeds still list, and, through the refresh loop's idle
 * work (refresh/resanitize.ts), every other stored body.
 */
export const PREPARE_VERSION = 2;

/** `item` without what `selector` matches in its bodies; as it is where the selector fails. */
function withoutRemoved(
  item: ParsedEntry,
  feedUrl: string,
  selector: string,
  errors: string[] | undefined,
): ParsedEntry {
  const url = item.link ?? feedUrl;
  try {
    return {
      ...item,
      contentHtml: item.contentHtml && removeMatching(item.contentHtml, url, selector),
      summaryHtml: item.summaryHtml && removeMatching(item.summaryHtml, url, selector),
    };
  } catch (err) {
    if (!(err instanceof GleanerError)) throw err;
    errors?.push(err.message);
    return item;
  }
}

/** The rules `text` lists; none where it does not read (it was checked when it was given). */
function readRewriteRules(text: string): RewriteRule[] {
  try {
    return parseRewriteRules(text);
  } catch {
    return [];
  }
}

/** `item` with `rules` applied to its bodies. */
function withRewrites(item: ParsedEntry, rules: readonly RewriteRule[]): ParsedEntry {
  return {
    ...item,
    contentHtml: item.contentHtml && rewriteContent(item.contentHtml, item.link, rules),
    summaryHtml: item.summaryHtml && rewriteContent(item.summaryHtml, item.link, rules),
  };
}

/**
 * A hash of `item` as parsed from its feed at `feedUrl` (every field a prepared entry is made of,
 * the base its URLs resolve against, and the feed's remove selector and rewrite rules if any), and
 * of PREPARE_VERSION: 64 bits, enough to tell an item's versions apart.
 */
function sourceHash(
  item: ParsedEntry,
  feedUrl: string,
  removeSelector: string | null | undefined,
  rewriteRules: string | null | undefined,
): string {
  // The short fields as one part (JSON tells null from ''), then the two bodies. The selector came
  // later: without one, an item keeps the hash it was stored with.
  const fields = JSON.stringify([
    PREPARE_VERSION,
    feedUrl,
    item.id,
    item.title,
    item.link,
    item.published,
    item.updated,
    item.author,
    item.categories,
    item.enclosures,
    item.commentsUrl,
    item.imageUrl,
    item.language,
    ...(removeSelector ? [removeSelector] : []),
    ...(rewriteRules ? [{ rewriteRules }] : []),
    ...(item.baseUrl ? [{ baseUrl: item.baseUrl }] : []),
  ]);
  return sha1(fields, item.summaryHtml ?? '', item.contentHtml ?? '').slice(0, 16);
}

/** The dedupe key of an item with a guid (unique in its document) or a link; null when it has neither. */
function itemKey(guid: string | null, link: string | null): string | null {
  return guid ? keyOf('g', guid) : link ? keyOf('l', link) : null;
}

/**
 * The key of an item with neither guid nor link but a media file (a podcast's episode with only
 * its enclosure): the file's URL, as SimplePie and Miniflux take it for the link. Keyed by its
 * title and text instead, episodes without either would all be one entry, and the next never come.
 */
function enclosureKey(item: ParsedEntry): string | null {
  const url = item.enclosures[0]?.url;
  return url ? keyOf('l', stripTrackingParams(url)) : null;
}

/**
 * The guids that name more than one item of the document. An item listed again as it is (its
 * link, title and bodies the same) is the same item: only items that differ make a guid ambiguous.
 */
function ambiguousGuids(items: readonly ParsedEntry[]): Set<string> {
  const ambiguous = new Set<string>();
  const first = new Map<string, ParsedEntry>();
  for (const item of items) {
    if (!item.id) continue;
    const seen = first.get(item.id);
    if (seen === undefined) first.set(item.id, item);
    else if (!sameItem(seen, item)) ambiguous.add(item.id);
  }
  return ambiguous;
}

function sameItem(a: ParsedEntry, b: ParsedEntry): boolean {
  return (
    a.link === b.link &&
    a.title === b.title &&
    a.contentHtml === b.contentHtml &&
    a.summaryHtml === b.summaryHtml
  );
}

/**
 * The key an item with a guid and a link would have had if its guid had been unique in its
 * document when it is not, or repeated when it is: a publisher that lists an item twice, or gives
 * a new item an old one's guid, would otherwise make the items of that guid change keys from one
 * fetch to the next, and come back as new entries, unread again. Undefined without both.
 */
function alternateKey(id: string | null, guid: string | null, link: string | null): string | undefined {
  if (!id || !link) return undefined;
  return guid ? keyOf('l', link) : keyOf('g', id);
}

/**
 * The date of an undated item at `position` in its document (0 first), fetched at `now`: a second
 * apart, the first newest, so that a list newest first shows them in the document's order, as a
 * feed or page lists its newest first. The date is not the item's own, so it is no part of its
 * source (sourceHash): the item is not prepared again at each fetch for a new one.
 */
function undatedAt(now: number, position: number): number {
  return now - position * 1000;
}

/** The `count` newest of `items`, in their order. */
function newestItems(items: readonly ParsedEntry[], count: number, now: number): ParsedEntry[] {
  const dates = items.map((item, i) => epoch(item.published) ?? epoch(item.updated) ?? undatedAt(now, i));
  const newest = items
    .map((_, i) => i)
    .sort((a, b) => (dates[b] as number) - (dates[a] as number) || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
  return newest.map((i) => items[i] as ParsedEntry);
}

function prepareEntry(
  item: ParsedEntry,
  guid: string | null,
  link: string | null,
  feedUrl: string,
  now: number,
  undated: number,
  source: string | undefined,
): PreparedEntry {
  // Deduplicated and hashed by the link as given (tracking parameters out), as stored entries were.
  const safeLink = linkUrl(link, feedUrl);
  const content = prepareContent(
    item.contentHtml ?? item.summaryHtml ?? '',
    item.baseUrl ?? safeLink ?? feedUrl,
  );
  const summarySource = item.contentHtml && item.summaryHtml ? htmlToText(item.summaryHtml) : content.text;
  const title = item.title?.trim() || truncate(content.text, UNTITLED_LENGTH) || safeLink || 'Untitled';
  const published = epoch(item.published) ?? epoch(item.updated);
  const contentHash = sha1(title, link ?? '', content.html);
  const entry: PreparedEntry = {
    guid: item.id,
    link: safeLink,
    title,
    author: item.author,
    contentHtml: content.html,
    contentText: content.text,
    summaryText: truncate(summarySource, SUMMARY_LENGTH),
    readingMinutes: content.readingMinutes,
    publishedAt: published === null ? undated : Math.min(published, now + MAX_FUTURE_MS),
    updatedAt: epoch(item.updated),
    categories: item.categories,
    enclosures: item.enclosures.flatMap((e) => {
      const url = MAGNET.test(e.url) ? e.url : mediaUrl(e.url, feedUrl);
      return url ? [{ ...e, url }] : [];
    }),
    imageUrl: mediaUrl(item.imageUrl, feedUrl),
    commentsUrl: linkUrl(item.commentsUrl, feedUrl),
    language: item.language,
    // Deduplicated by guid, then link (or, without one, its media file), then content.
    dedupeKey: itemKey(guid, link) ?? enclosureKey(item) ?? `h:${sha1(title, content.text)}`,
    contentHash,
  };
  // Set after the literal: an entry of a feed's first fetch has no such key, and the literal one shape.
  if (source !== undefined) entry.sourceHash = source;
  return entry;
}
