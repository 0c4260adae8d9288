// @rowanmanning/feed-parser: RSS (0.9x, 1.0, 2.0) and Atom through fast-xml-parser, into one model.
import { parseFeed } from '@rowanmanning/feed-parser';
import type { CorpusResult } from '../../src/feed/parse/conformance.js';
import type { Peer } from '../lib.js';
import type { ParserPeer } from './corpus.js';
import { absoluteUrl, corpusItem, decode, isoSeconds, plainText, terms } from './corpus.js';

const FORMATS: Record<string, CorpusResult['format']> = { rss: 'rss', rdf: 'rdf', atom: 'atom' };

export const rowanmanning: ParserPeer = {
  name: '@rowanmanning/feed-parser',
  // Its fields are getters computed on access: toJSON() reads them all, as a reader storing entries must.
  run: (bytes) => parseFeed(decode(bytes)).toJSON().items.length,
  toCorpus: (bytes, base) => {
    const feed = parseFeed(decode(bytes)).toJSON();
    const feedCategories = JSON.stringify(feed.categories);
    return {
      format: FORMATS[feed.meta.type] ?? null,
      title: plainText(feed.title),
      link: absoluteUrl(feed.url, base),
      items: feed.items.map((item) =>
        corpusItem({
          id: item.id,
          title: plainText(item.title),
          link: absoluteUrl(item.url, base),
          published: isoSeconds(item.published),
          updated: isoSeconds(item.updated),
          author: item.authors[0]?.name ?? null,
          // An RSS item without categories gets the feed's (its README says so): undo that default.
          categories:
            item.categories.length > 0 && JSON.stringify(item.categories) === feedCategories
              ? []
              : terms(item.categories.map((c) => c.term)),
          summaryHtml: item.description,
          contentHtml: item.content,
          // `media` holds <enclosure>s and media:content alike; it has no way to tell them apart.
          enclosures: item.media.map((m) => ({
            url: absoluteUrl(m.url, base) ?? m.url,
            type: m.mimeType,
            length: m.length,
          })),
        }),
      ),
    };
  },
};

/** The same parse with no field read: what the library costs before a reader touches the entries. */
export const rowanmanningUnread: Peer<Uint8Array, number> = {
  name: '@rowanmanning/feed-parser, fields unread',
  run: (bytes) => parseFeed(decode(bytes)).items.length,
};
