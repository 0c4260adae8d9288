// The data types every stage shares. Plain data: no I/O, no imports of ours.

/** The syntax a feed document was written in. */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

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
