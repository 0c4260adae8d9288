// rss-parser: xml2js underneath, RSS 0.9x/1.0/2.0 and Atom into one flat item shape. Its documented
// options reach what the default leaves out: `defaultRSS` reads <rss> without a version, and
// `customFields` keeps guid attributes, dc:subject, iTunes keywords, Atom categories and enclosure links.
// Where it maps a field itself (title, link, dates) its own answer is used.
import Parser from 'rss-parser';
import type { CorpusResult } from '../../src/feed/parse/conformance.js';
import type { ParserPeer } from './corpus.js';
import { absoluteUrl, corpusItem, decode, first, isoSeconds, plainText, rootName, terms } from './corpus.js';

/** An xml2js element: text, or an object with text in `_`, attributes in `$`, children by name. */
type Xml = string | { _?: string; $?: Record<string, string | undefined>; [child: string]: unknown };

/** Fields rss-parser sets that its types leave out, and our custom fields. */
interface Extra {
  id?: string;
  author?: string;
  'content:encoded'?: string;
  'rdf:about'?: string;
  guidElements?: Xml[];
  linkElements?: Xml[];
  atomLinks?: Xml[];
  categoryElements?: Xml[];
  dcSubjects?: Xml[];
  mediaCategories?: Xml[];
  itunesCategories?: Xml[];
  itunesKeywords?: Xml[];
}

const parser = new Parser<Record<string, unknown>, Extra>({
  defaultRSS: 2,
  customFields: {
    item: [
      ['guid', 'guidElements', { keepArray: true }],
      ['link', 'linkElements', { keepArray: true }],
      ['atom:link', 'atomLinks', { keepArray: true }],
      ['category', 'categoryElements', { keepArray: true }],
      ['dc:subject', 'dcSubjects', { keepArray: true }],
      ['media:category', 'mediaCategories', { keepArray: true }],
      ['itunes:category', 'itunesCategories', { keepArray: true }],
      ['itunes:keywords', 'itunesKeywords', { keepArray: true }],
    ],
  },
});

/** The text of an xml2js value; markup inside (Atom type="xhtml") comes as child objects. */
function text(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (Array.isArray(x)) return x.map(text).join('');
  if (x === null || typeof x !== 'object') return undefined;
  const { _: own, $: _attributes, ...children } = x as Record<string, unknown>;
  return [typeof own === 'string' ? own : '', ...Object.values(children).map(text)].join('');
}
const attr = (x: Xml | undefined, name: string): string | undefined =>
  typeof x === 'string' ? undefined : x?.$?.[name];
const FORMATS: Record<string, CorpusResult['format']> = { rss: 'rss', feed: 'atom', rdf: 'rdf' };

export const rssParser: ParserPeer = {
  name: 'rss-parser',
  run: async (bytes) => (await parser.parseString(decode(bytes))).items.length,
  toCorpus: async (bytes, base) => {
    const source = decode(bytes);
    const feed = await parser.parseString(source);
    // rss-parser does not report the format; it picks its builder by the root element, as we do here.
    const format = FORMATS[rootName(source) ?? ''] ?? null;
    const atom = format === 'atom';
    return {
      format,
      title: plainText(text(feed.title)),
      link: absoluteUrl(feed.link, base),
      items: feed.items.map((item) => {
        // RSS 2.0: a guid is a permalink unless isPermaLink="false"; it stands in for a missing link.
        const guid = item.guidElements?.[0];
        const guidLink = guid && attr(guid, 'isPermaLink') !== 'false' ? text(guid) : undefined;
        const links = [...(atom ? (item.linkElements ?? []) : []), ...(item.atomLinks ?? [])];
        return corpusItem({
          id: first(item.guid, item.id, item['rdf:about']),
          title: plainText(text(item.title)),
          link: absoluteUrl(first(item.link, guidLink), base),
          published: isoSeconds(first(item.pubDate, item.isoDate)),
          updated: isoSeconds(item.isoDate),
          author: first(item.creator, item.author),
          categories: terms([
            ...(atom
              ? (item.categoryElements ?? []).map((c) => attr(c, 'term'))
              : (item.categories ?? []).map(text)),
            ...(item.dcSubjects ?? []).map(text),
            ...(item.mediaCategories ?? []).map(text),
            ...(item.itunesCategories ?? []).map((c) => attr(c, 'text')),
            // one scheme: a repeated keyword is one tag
            ...new Set(
              (item.itunesKeywords ?? []).flatMap(
                (k) =>
                  text(k)
                    ?.split(',')
                    .map((t) => t.trim()) ?? [],
              ),
            ),
          ]),
          summaryHtml: first(item.summary, atom ? undefined : item.content),
          contentHtml: first(item['content:encoded'], atom ? item.content : undefined),
          enclosures: [
            ...(item.enclosure?.url ? [item.enclosure.url] : []),
            ...links.filter((l) => attr(l, 'rel') === 'enclosure').map((l) => attr(l, 'href')),
          ]
            .filter((url): url is string => !!url)
            .map((url) => ({ url: absoluteUrl(url, base) ?? url, type: null, length: null })),
        });
      }),
    };
  },
};
