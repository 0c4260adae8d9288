// The data types every stage shares. Plain data: no I/O, no imports of ours.

/** The syntax a feed document was written in; `html` for a page read as a feed (PageScrape). */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json' | 'html';

/** A media file attached to an entry (RSS enclosure, Atom rel="enclosure", media:content, JSON attachment). */
export interface Enclosure {
  url: string;
  type: string | null;
  /** Size in bytes, when the feed states it. */
  length: number | null;
}

/** One entry as a parser read it: text fields are plain text, HTML fields are unsanitized markup. */
export interface ParsedEntry {
  /** guid / id / JSON Feed id as the feed gives it; null when absent (never invented here). */
  id: string | null;
  title: string | null;
  /** Absolute URL of the entry's page. */
  link: string | null;
  /** ISO 8601 UTC, seconds precision. */
  published: string | null;
  updated: string | null;
  author: string | null;
  categories: string[];
  /** The short form the feed gives (RSS description, Atom summary), as HTML. */
  summaryHtml: string | null;
  /** The full content the feed gives (content:encoded, Atom content), as HTML. */
  contentHtml: string | null;
  enclosures: Enclosure[];
  commentsUrl: string | null;
  /** A representative image (media:thumbnail, itunes:image, JSON image). */
  imageUrl: string | null;
  language: string | null;
  /** Podcast episode length (itunes:duration), in seconds. */
  durationSeconds: number | null;
  /** itunes:explicit, when the feed states it. */
  explicit: boolean | null;
  /**
   * What relative URLs in its content are relative to, when not its link: a scraped page's base
   * (its URL, or its <base>), for an entry that is a part of that page.
   */
  baseUrl?: string;
}

/** A whole feed document after parsing, whatever its format. */
export interface ParsedFeed {
  format: FeedFormat | null;
  title: string | null;
  /** The site's absolute URL. */
  link: string | null;
  description: string | null;
  language: string | null;
  /** The feed's own URL when it states one (atom:link rel="self"). */
  selfUrl: string | null;
  /** WebSub hub (link rel="hub"), when the feed offers one. */
  hubUrl: string | null;
  iconUrl: string | null;
  /** RSS <ttl>, in minutes. */
  ttlMinutes: number | null;
  items: ParsedEntry[];
  /** What was wrong with the document and recovered from (charset guessed, broken markup...). */
  warnings: string[];
}

/** A person with their own subscriptions and reading state. */
export interface User {
  id: number;
  username: string;
  isAdmin: boolean;
  createdAt: number;
}

export interface Folder {
  id: number;
  userId: number;
  name: string;
}

/**
 * How to read entries off a web page that has no feed, as FreshRSS's "HTML + XPath" feeds do, with
 * CSS selectors. Each field but `items` is looked for within an entry's element; null for its default.
 */
export interface PageScrape {
  /** Each entry's element (`article.post`, `.advisories tr`). */
  items: string;
  /** Its title; default: its first heading, else its link's text. */
  title: string | null;
  /** Its link, an element with an href; default: the first one, or the entry's element itself. */
  link: string | null;
  /** Its content; default: the whole element. */
  content: string | null;
  /** Its date, from a datetime attribute or the text; default: a time element. */
  date: string | null;
  /** Its author's name; default: none. */
  author: string | null;
  /** Its categories, one an element this selects; default: none. */
  categories: string | null;
}

/** How a feed is fetched: shared by every subscriber with the same options. */
export interface FetchOptions {
  userAgent: string | null;
  cookie: string | null;
  username: string | null;
  password: string | null;
  /** Fetch each entry's page and extract the article (for feeds that send only summaries). */
  fetchFullArticle: boolean;
  /**
   * CSS selectors of the article on an entry's page (Miniflux's scraper rules), used in place of
   * Readability when its full article is fetched; null for Readability.
   */
  articleSelector: string | null;
  /**
   * Fetch it whole every time, as if nothing were cached: no ETag or Last-Modified sent, no
   * Cache-Control max-age heeded (Miniflux's ignore_http_cache), for a site whose validators lie.
   */
  ignoreHttpCache: boolean;
  /**
   * CSS selectors of elements to take out of every entry's content and full article (share
   * buttons, ads: Miniflux's remove() rewrite rule, FreshRSS's elements to remove); null for none.
   */
  removeSelector: string | null;
  /**
   * Fetched through the feed proxy (GLEANER_FEED_PROXY; Miniflux's fetch_via_proxy): the feed, its
   * entries' pages and its icon. Never another way: while no feed proxy is set, fetching it fails.
   */
  fetchViaProxy: boolean;
  /**
   * A certificate (PEM) trusted for this feed besides the usual authorities: its server's own
   * self-signed one, or its private CA's. Where Miniflux turns verification off
   * (allow_self_signed_certificates), it stays on; null for none.
   */
  trustedCertificate: string | null;
  /** The feed's URL is a web page, read as a feed with these selectors; null for a feed. */
  scrape: PageScrape | null;
  /**
   * Miniflux's rewrite rules Gleaner runs (add_image_title, add_dynamic_image, add_youtube_video, remove_tables, nl2br, convert_text_link,
   * replace()), applied to every new entry's content, as Gleaner writes them; null for none.
   */
  rewriteRules: string | null;
}

/** A feed as stored: fetched once for all the users who subscribe to it. Times are epoch ms. */
export interface Feed {
  id: number;
  url: string;
  siteUrl: string | null;
  title: string | null;
  description: string | null;
  iconUrl: string | null;
  language: string | null;
  hubUrl: string | null;
  format: FeedFormat | null;
  options: FetchOptions;
  etag: string | null;
  lastModified: string | null;
  nextCheckAt: number;
  lastCheckedAt: number | null;
  lastSuccessAt: number | null;
  errorCount: number;
  lastError: string | null;
  createdAt: number;
  /** Until when the feed's WebSub hub confirmed it sends its new documents (null: it does not). */
  webSubUntil: number | null;
  /**
   * Checked at most this often, in minutes: the least every active subscriber asks for
   * (Subscription.minCheckMinutes); null when one of them asks for none.
   */
  minCheckMinutes: number | null;
  /** How many items its last whole document held (0 before it was counted). */
  itemCount: number;
  /** Its last document's RSS <ttl>, minutes: heeded at each check, a 304's too (null: none). */
  ttlMinutes: number | null;
}

/** A user's view of a feed. */
export interface Subscription {
  id: number;
  userId: number;
  feedId: number;
  folderId: number | null;
  /** The user's own title for the feed, when they set one. */
  title: string | null;
  /** Paused: the feed is not fetched for this user (nor at all when no one else follows it). */
  paused: boolean;
  /** New entries this pattern matches do not reach the user (see ingest/rules.ts); null for none. */
  blockRules: string | null;
  /** When set, only new entries this pattern matches reach the user. */
  keepRules: string | null;
  /**
   * Check the feed at most this often, in minutes (FreshRSS's per-feed TTL: a busy or touchy site);
   * null for the feed's own pace. The feed goes at that pace when every subscriber asks it.
   */
  minCheckMinutes: number | null;
  createdAt: number;
}

/** An entry ready to store: content sanitized, text and hashes derived. */
export interface PreparedEntry {
  guid: string | null;
  link: string | null;
  title: string;
  author: string | null;
  contentHtml: string;
  contentText: string;
  summaryText: string;
  readingMinutes: number;
  /** Epoch ms; when the feed gives none, the time it was first seen. */
  publishedAt: number;
  updatedAt: number | null;
  categories: string[];
  enclosures: Enclosure[];
  imageUrl: string | null;
  commentsUrl: string | null;
  language: string | null;
  /** Identifies the entry within its feed: guid, else link, else content hash. */
  dedupeKey: string;
  /** Changes when the entry's visible content changes (an update in place). */
  contentHash: string;
  /**
   * Changes when the item as the feed wrote it changes (see prepare.ts sourceHash): a refresh does
   * not prepare again an item whose stored entry has the same. Absent from entries made elsewhere.
   */
  sourceHash?: string;
  /**
   * The key the same item had when its guid was unique in its document and it has a link, or the
   * other way round (see prepare.ts alternateKey): the store takes the entry stored under it for
   * this one when that entry has this one's guid and link. Only for feeds with stored entries.
   */
  altKey?: string;
}

/**
 * A prepared entry as a parse worker hands it to the thread that writes (refresh/digest.ts): its
 * body, and its plain text in the search index's form, as UTF-8 bytes on one buffer a feed, which
 * the message moves rather than copies. SQLite stores UTF-8, so that thread never holds them as
 * strings: as strings (two bytes a character for most bodies) they were copied into the message,
 * out of it, and converted to UTF-8 again when bound.
 */
export interface PackedEntry extends Omit<PreparedEntry, 'contentHtml' | 'contentText'> {
  contentHtml: Uint8Array;
  /** The plain text as the search index takes it (search/index.ts indexText). */
  searchText: Uint8Array;
  /** The plain text's length in characters (UTF-16 code units, as a string's length). */
  textLength: number;
}

/** An entry a store can write: prepared, or packed by a parse worker. */
export type StorableEntry = PreparedEntry | PackedEntry;

export function isPacked(entry: StorableEntry): entry is PackedEntry {
  return 'searchText' in entry;
}

/**
 * A stored entry, as read back. Its plain text is not: it is stored for the search index, which
 * reads it itself, and reading it with every entry cost a third of a stream of fifty.
 */
export interface Entry extends Omit<PreparedEntry, 'contentText'> {
  id: number;
  feedId: number;
  createdAt: number;
}
