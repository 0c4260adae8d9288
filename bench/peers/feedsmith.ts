// feedsmith: parses RSS, Atom, RDF and JSON Feed into objects shaped like each format.
import { parseFeed } from 'feedsmith';
import type { AtomFeed, JsonFeed, RdfFeed, RssFeed } from 'feedsmith';
import type { CorpusItem, CorpusResult } from '../../src/feed/parse/conformance.js';
import type { ParserPeer } from './corpus.js';
import { absoluteUrl, corpusItem, decode, first, isoSeconds, plainText, terms } from './corpus.js';

type Rss = RssFeed.Feed<string>;
type Atom = AtomFeed.Feed<string>;
type Rdf = RdfFeed.Feed<string>;
type Json = JsonFeed.Feed<string>;

export const feedsmith: ParserPeer = {
  name: 'feedsmith',
  run: (bytes) => {
    const { format, feed } = parseFeed(decode(bytes));
    return (format === 'atom' ? feed.entries : feed.items)?.length ?? 0;
  },
  toCorpus: (bytes, base) => {
    const parsed = parseFeed(decode(bytes));
    switch (parsed.format) {
      case 'rss':
        return fromRss(parsed.feed, base);
      case 'atom':
        return fromAtom(parsed.feed, base);
      case 'rdf':
        return fromRdf(parsed.feed, base);
      case 'json':
        return fromJson(parsed.feed, base);
    }
  },
};

/** Atom's link choice: rel="alternate" (the default rel) first. */
const alternate = (links: { href?: string; rel?: string }[] | undefined): string | undefined =>
  links?.find((l) => (l.rel ?? 'alternate') === 'alternate' && l.href)?.href;
const enclosureLinks = (links: { href?: string; rel?: string }[] | undefined): string[] =>
  (links ?? []).filter((l) => l.rel === 'enclosure' && l.href).map((l) => l.href ?? '');

function fromRss(feed: Rss, base: string): CorpusResult {
  const link = absoluteUrl(first(feed.link, alternate(feed.atom?.links)), base);
  return {
    format: 'rss',
    title: plainText(first(feed.title, feed.dc?.titles?.[0])),
    link,
    items: (feed.items ?? []).map((item): CorpusItem => {
      // RSS 2.0: a guid is a permalink unless isPermaLink="false"; it stands in for a missing link.
      const guidLink = item.guid && item.guid.isPermaLink !== false ? item.guid.value : undefined;
      return corpusItem({
        id: first(item.guid?.value, item.atom?.id, item.dc?.identifiers?.[0]),
        title: plainText(
          first(item.title, item.dc?.titles?.[0], item.media?.title?.value, item.atom?.title?.value),
        ),
        link: absoluteUrl(first(item.link, alternate(item.atom?.links), guidLink), base),
        published: isoSeconds(
          first(item.pubDate, item.dcterms?.issued?.[0], item.atom?.published, item.dc?.dates?.[0]),
        ),
        updated: isoSeconds(first(item.dc?.dates?.[0], item.dcterms?.modified?.[0], item.atom?.updated)),
        author: first(
          item.authors?.[0]?.name,
          item.authors?.[0]?.email,
          item.dc?.creators?.[0],
          item.itunes?.author,
        ),
        categories: terms([
          ...(item.categories ?? []).map((c) => c.name),
          ...(item.dc?.subjects ?? []),
          ...(item.media?.categories ?? []).map((c) => c.name),
          ...(item.atom?.categories ?? []).map((c) => c.term),
          ...new Set(item.itunes?.keywords?.map((k) => k.trim())), // one scheme: a repeated keyword is one tag
        ]),
        summaryHtml: first(item.description),
        contentHtml: first(item.content?.encoded),
        enclosures: [
          ...(item.enclosures ?? []).map((e) => ({
            url: e.url ?? '',
            type: e.type ?? null,
            length: e.length ?? null,
          })),
          ...enclosureLinks(item.atom?.links).map((url) => ({ url, type: null, length: null })),
        ]
          .filter((e) => e.url)
          .map((e) => ({ ...e, url: absoluteUrl(e.url, base) ?? e.url })),
      });
    }),
  };
}

function fromAtom(feed: Atom, base: string): CorpusResult {
  const link = absoluteUrl(alternate(feed.links), base);
  return {
    format: 'atom',
    title: plainText(feed.title?.value),
    link,
    items: (feed.entries ?? []).map((entry) =>
      corpusItem({
        id: first(entry.id),
        title: plainText(entry.title?.value),
        link: absoluteUrl(alternate(entry.links), base),
        published: isoSeconds(first(entry.published, entry.dcterms?.issued?.[0])),
        updated: isoSeconds(first(entry.updated, entry.dc?.dates?.[0])),
        author: first(entry.authors?.[0]?.name, entry.dc?.creators?.[0]),
        categories: terms([
          ...(entry.categories ?? []).map((c) => c.term ?? c.label),
          ...(entry.dc?.subjects ?? []),
          ...(entry.media?.categories ?? []).map((c) => c.name),
        ]),
        summaryHtml: first(entry.summary?.value),
        contentHtml: first(entry.content?.value),
        enclosures: enclosureLinks(entry.links).map((url) => ({
          url: absoluteUrl(url, base) ?? url,
          type: null,
          length: null,
        })),
      }),
    ),
  };
}

function fromRdf(feed: Rdf, base: string): CorpusResult {
  const link = absoluteUrl(feed.link, base);
  return {
    format: 'rdf',
    title: plainText(first(feed.title, feed.dc?.titles?.[0])),
    link,
    items: (feed.items ?? []).map((item) =>
      corpusItem({
        id: first(item.rdf?.about, item.dc?.identifiers?.[0]),
        title: plainText(first(item.title, item.dc?.titles?.[0])),
        link: absoluteUrl(item.link, base),
        published: isoSeconds(first(item.dcterms?.issued?.[0], item.dc?.dates?.[0])),
        updated: isoSeconds(first(item.dc?.dates?.[0], item.dcterms?.modified?.[0])),
        author: first(item.dc?.creators?.[0]),
        categories: terms([...(item.dc?.subjects ?? [])]),
        summaryHtml: first(item.description, item.dc?.descriptions?.[0]),
        contentHtml: first(item.content?.encoded),
        enclosures: [],
      }),
    ),
  };
}

function fromJson(feed: Json, base: string): CorpusResult {
  return {
    format: 'json',
    title: plainText(feed.title),
    link: absoluteUrl(feed.home_page_url, base),
    items: (feed.items ?? []).map((item) =>
      corpusItem({
        id: item.id == null ? null : String(item.id),
        title: plainText(item.title),
        link: absoluteUrl(first(item.url, item.external_url), base),
        published: isoSeconds(item.date_published),
        updated: isoSeconds(item.date_modified),
        author: first(item.authors?.[0]?.name, feed.authors?.[0]?.name),
        categories: terms(item.tags ?? []),
        summaryHtml: first(item.summary),
        contentHtml: first(item.content_html, item.content_text),
        enclosures: (item.attachments ?? []).map((a) => ({
          url: absoluteUrl(a.url, base) ?? a.url ?? '',
          type: a.mime_type ?? null,
          length: a.size_in_bytes ?? null,
        })),
      }),
    ),
  };
}
