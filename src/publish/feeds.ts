// A publication's output feeds: RSS 2.0 (with content:encoded, dc:creator, categories, guid,
// atom:link rel="self" and enclosures, as rich as the feeds it republishes), Atom 1.0 and JSON
// Feed 1.1, written from one description of the feed.
import type { Enclosure } from '../model/index.js';
import { isoTime } from '../model/time.js';
import { element, emptyElement, textElement, xmlChars } from '../content/xml.js';

export interface OutputItem {
  /** A stable id: the item's public page. */
  id: string;
  title: string;
  /** The original article: the canonical link. */
  url: string;
  /** The item's page on this site. */
  publicUrl: string;
  /** The article's author, else the feed's title. */
  author: string;
  contentHtml: string;
  summary: string;
  published: number;
  updated: number | null;
  categories: string[];
  enclosures: Enclosure[];
  /** Where it was syndicated from. */
  source: { title: string; feedUrl: string; siteUrl: string | null };
}

export interface OutputFeed {
  title: string;
  description: string;
  /** The publication's archive page. */
  homeUrl: string;
  rssUrl: string;
  atomUrl: string;
  jsonUrl: string;
  /** The newest change among the items (epoch ms); the feed's own date. */
  updated: number;
  items: OutputItem[];
}

const rfc822 = (ms: number): string => new Date(ms).toUTCString();

function httpOnly(enclosures: Enclosure[]): Enclosure[] {
  return enclosures.filter((e) => /^https?:\/\//i.test(e.url));
}

export function renderRss(feed: OutputFeed): string {
  const items = feed.items.map((item) =>
    element('item', {}, [
      textElement('title', item.title),
      textElement('link', item.url),
      textElement('guid', item.id, { isPermaLink: 'false' }),
      textElement('pubDate', rfc822(item.published)),
      textElement('dc:creator', item.author),
      ...item.categories.map((c) => textElement('category', c)),
      textElement('description', item.summary),
      textElement('content:encoded', item.contentHtml),
      // RSS 2.0 allows one enclosure per item; the first is the one readers play.
      ...httpOnly(item.enclosures)
        .slice(0, 1)
        .map((e) =>
          emptyElement('enclosure', {
            url: e.url,
            length: e.length ?? 0,
            type: e.type ?? 'application/octet-stream',
          }),
        ),
      textElement('source', item.source.title, { url: item.source.feedUrl }),
    ]),
  );
  const channel = element('channel', {}, [
    textElement('title', feed.title),
    textElement('link', feed.homeUrl),
    textElement('description', feed.description),
    emptyElement('atom:link', { href: feed.rssUrl, rel: 'self', type: 'application/rss+xml' }),
    textElement('lastBuildDate', rfc822(feed.updated)),
    textElement('generator', 'Gleaner'),
    ...items,
  ]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    'rss',
    {
      version: '2.0',
      'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
      'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
      'xmlns:atom': 'http://www.w3.org/2005/Atom',
    },
    [channel],
  )}\n`;
}

export function renderAtom(feed: OutputFeed): string {
  const entries = feed.items.map((item) =>
    element('entry', {}, [
      textElement('title', item.title, { type: 'text' }),
      textElement('id', item.id),
      emptyElement('link', { rel: 'alternate', type: 'text/html', href: item.url }),
      emptyElement('link', { rel: 'via', type: 'text/html', href: item.publicUrl }),
      ...httpOnly(item.enclosures).map((e) =>
        emptyElement('link', { rel: 'enclosure', href: e.url, type: e.type, length: e.length }),
      ),
      textElement('published', isoTime(item.published)),
      textElement('updated', isoTime(item.updated ?? item.published)),
      element('author', {}, [textElement('name', item.author)]),
      ...item.categories.map((c) => emptyElement('category', { term: c })),
      textElement('summary', item.summary, { type: 'text' }),
      textElement('content', item.contentHtml, { type: 'html' }),
      element('source', {}, [
        textElement('id', item.source.feedUrl),
        textElement('title', item.source.title),
        emptyElement('link', { rel: 'self', href: item.source.feedUrl }),
      ]),
    ]),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    'feed',
    { xmlns: 'http://www.w3.org/2005/Atom' },
    [
      textElement('title', feed.title, { type: 'text' }),
      textElement('subtitle', feed.description, { type: 'text' }),
      textElement('id', feed.homeUrl),
      emptyElement('link', { rel: 'alternate', type: 'text/html', href: feed.homeUrl }),
      emptyElement('link', { rel: 'self', type: 'application/atom+xml', href: feed.atomUrl }),
      textElement('updated', isoTime(feed.updated)),
      textElement('generator', 'Gleaner'),
      ...entries,
    ],
  )}\n`;
}

/** JSON Feed 1.1. JSON can carry any string, but the text is kept to what XML could carry too. */
export function renderJsonFeed(feed: OutputFeed): string {
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: xmlChars(feed.title),
    home_page_url: feed.homeUrl,
    feed_url: feed.jsonUrl,
    description: xmlChars(feed.description),
    items: feed.items.map((item) => ({
      id: item.id,
      url: item.url,
      external_url: item.url,
      title: xmlChars(item.title),
      content_html: xmlChars(item.contentHtml),
      summary: xmlChars(item.summary),
      date_published: isoTime(item.published),
      ...(item.updated !== null ? { date_modified: isoTime(item.updated) } : {}),
      authors: [{ name: xmlChars(item.author) }],
      tags: item.categories.map(xmlChars),
      ...(httpOnly(item.enclosures).length
        ? {
            attachments: httpOnly(item.enclosures).map((e) => ({
              url: e.url,
              mime_type: e.type ?? 'application/octet-stream',
              ...(e.length !== null ? { size_in_bytes: e.length } : {}),
            })),
          }
        : {}),
    })),
  };
  // `</` escaped: the document stays inert if anyone ever inlines it into a page.
  return JSON.stringify(doc).replace(/<\//g, '<\\/');
}
