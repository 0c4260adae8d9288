// OPML subscription lists: import what other readers export, export what they can import.
//
// Folders are flat in Gleaner, so nested OPML folders become one folder named by their path,
// "Parent/Child": two "News" folders under different parents stay apart, and nothing is lost.
//
// How a feed is fetched travels in FreshRSS's OPML extension (its namespace FRESHRSS_OPML_NS, prefix
// `frss:`): the full article's CSS selector, the elements to remove, the user agent and cookie, and
// how often at most to check it (or that it is muted). A file exported by FreshRSS brings them along;
// Gleaner's exports write them (never a cookie). A web page Gleaner reads as a feed has its CSS
// selectors in Gleaner's own attributes (GLEANER_OPML_NS, prefix `gleaner:`), as a feed's rewrite
// rules are; FreshRSS's own such
// pages, read with XPath, which Gleaner cannot run, are left out, saying so.
import { rewriteRulesText } from '../../content/rewrite.js';
import { selectorProblem } from '../../content/selector.js';
import type { PageScrape } from '../../model/index.js';
import { pageScrapeOf, scrapeProblem } from '../scrape/index.js';
import { MAX_CHECK_MINUTES } from '../../refresh/schedule.js';
import { GleanerError } from '../../model/errors.js';
import { decodeDocument } from '../decode/index.js';
import { quotedText } from '../parse/text.js';
import { attr, parseXml, textContent, type XmlElement } from '../parse/xml.js';
import { xmlAttr, xmlChars } from '../../content/xml.js';

/** One subscription in an OPML file. */
export interface OpmlFeed {
  /** Absolute http(s) URL of the feed. */
  url: string;
  title: string | null;
  /** The site's URL (htmlUrl), when given as an absolute http(s) URL. */
  siteUrl: string | null;
  /** The folder path ("Parent/Child" for nested folders), null outside any folder. */
  folder: string | null;
  /** How it is fetched, where the file says (FreshRSS's attributes). */
  fetch?: OpmlFetchOptions;
  /** Check it at most this often, in minutes (frss:ttl, in seconds there). */
  minCheckMinutes?: number;
  /** Muted in FreshRSS (a negative frss:ttl): paused. */
  paused?: true;
}

/** FreshRSS's OPML extension, whose attributes carry how a feed is fetched. */
export const FRESHRSS_OPML_NS = 'https://freshrss.org/opml';

/** Gleaner's OPML extension: a web page read as a feed (PageScrape), its selectors as attributes. */
export const GLEANER_OPML_NS = 'urn:x-gleaner:opml';

/** PageScrape's parts, as Gleaner's attributes name them (without their prefix). */
const SCRAPE_ATTRIBUTES: readonly (readonly [keyof PageScrape, string])[] = [
  ['items', 'scrapeItems'],
  ['title', 'scrapeTitle'],
  ['link', 'scrapeLink'],
  ['content', 'scrapeContent'],
  ['date', 'scrapeDate'],
  ['author', 'scrapeAuthor'],
  ['categories', 'scrapeCategories'],
];

/** FreshRSS's kinds of feed that are web pages read with XPath (or JSON with dot paths). */
const FRESHRSS_SCRAPED_TYPES = new Set(['html+xpath', 'xml+xpath', 'json+dotnotation', 'html+xpath+jsonld']);

/** What Gleaner takes of a feed's FreshRSS attributes; null where the file says nothing. */
export interface OpmlFetchOptions {
  /** frss:cssFullContent: each entry's page is fetched, and this picks the article out of it. */
  articleSelector: string | null;
  /** frss:cssContentFilter: elements taken out of entries and articles. */
  removeSelector: string | null;
  /** frss:CURLOPT_USERAGENT */
  userAgent: string | null;
  /** frss:CURLOPT_COOKIE: read, never written (a secret). */
  cookie: string | null;
  /** gleaner:scrapeItems and the others: the feed is a web page read with these selectors. */
  scrape: PageScrape | null;
  /** gleaner:rewriteRules: Miniflux's rewrite rules its entries go through (content/rewrite.ts). */
  rewriteRules: string | null;
}

export interface ParsedOpml {
  /** The document's <head><title>. */
  title: string | null;
  outlines: OpmlFeed[];
  /** Outlines skipped and markup repaired, for the user to read. */
  warnings: string[];
}

/** Far above any real export (10,000 feeds are about 2 MB): bounds the tree built from a hostile file. */
export const MAX_OPML_BYTES = 16 * 1024 * 1024;
const MAX_WARNINGS = 20;
const MAX_TITLE_CHARS = 512;
const MAX_URL_CHARS = 4096;

/** Characters XML 1.0 cannot carry (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/F), plus DEL and C1. */

/**
 * Reads an OPML 1.0/2.0 subscription list as readers export it. Feeds are outlines with an xmlUrl
 * (or a url, see feedUrlAttribute); outlines without one are folders; a feed outside any folder
 * goes in the one its category names. Broken markup is repaired; only a file that is not OPML at
 * all, or breaks a safety limit, throws (GleanerError 'OPML_INVALID').
 */
export function parseOpml(bytes: Uint8Array): ParsedOpml {
  if (bytes.length > MAX_OPML_BYTES) {
    throw new GleanerError(
      'OPML_INVALID',
      `OPML file is ${bytes.length} bytes, above the limit of ${MAX_OPML_BYTES}; split it into smaller files`,
    );
  }
  const decoded = decodeDocument(bytes, null);
  const warnings = [...decoded.warnings];
  let document: XmlElement;
  try {
    document = parseXml(decoded.chunks(), null, warnings);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new GleanerError('OPML_INVALID', `cannot read the OPML file: ${reason}`, { cause: err });
  }
  const opml = childElement(document, 'opml');
  if (opml === undefined) {
    throw new GleanerError(
      'OPML_INVALID',
      'not an OPML file: it has no <opml> root element; export your subscriptions as OPML from your previous reader and import that file',
    );
  }
  const head = childElement(opml, 'head');
  const titleElement = head && childElement(head, 'title');
  const reader = new OutlineReader(warnings);
  // Some exporters forget <body>: read the outlines wherever they are.
  reader.read(childElement(opml, 'body') ?? opml, null);
  reader.finish();
  return {
    title: titleElement ? cleanTitle(textContent(titleElement)) : null,
    outlines: reader.feeds,
    warnings,
  };
}

class OutlineReader {
  readonly feeds: OpmlFeed[] = [];
  private readonly seen = new Set<string>();
  private skipped = 0;

  constructor(private readonly warnings: string[]) {}

  /** Depth is bounded by parseXml (MAX_DEPTH), so recursion is safe. */
  read(container: XmlElement, folder: string | null): void {
    for (const node of container.children) {
      if (typeof node === 'string' || node.local !== 'outline') continue;
      const name = cleanTitle(attr(node, 'title')) ?? cleanTitle(attr(node, 'text'));
      const rawUrl = feedUrlAttribute(node);
      if (rawUrl === null) {
        // A folder; one without a name is transparent.
        const path = name === null ? folder : folder === null ? name : `${folder}/${name}`;
        this.read(node, path);
        continue;
      }
      const url = absoluteHttpUrl(rawUrl);
      const type = (attr(node, 'type') ?? '').trim().toLowerCase();
      const scraped = FRESHRSS_SCRAPED_TYPES.has(type);
      if (LINK_TYPES.has(type) && attr(node, 'xmlurl') === null) {
        this.skip(
          `skipped "${quotedText(name ?? rawUrl)}": an outline of type "${quotedText(type)}" links to a web page or ` +
            'another OPML file, not to a feed; add the site with gleaner add to find its feed',
        );
      } else if (url === null) {
        this.skip(
          `skipped feed "${quotedText(name ?? '')}": "${quotedText(rawUrl)}" is not an absolute http(s) URL`,
        );
      } else if (scraped && attr(node, 'gleaner:scrapeitems') === null) {
        this.skip(
          `skipped "${quotedText(name ?? url)}": FreshRSS reads ${quotedText(url)} with XPath, which Gleaner cannot run; ` +
            'add it with CSS selectors (gleaner add --scrape-items, or the web form)',
        );
      } else {
        this.add({
          url,
          // Exporters fill the required text attribute with the URL when a feed has no title.
          title: name === rawUrl.trim() || name === url ? null : name,
          siteUrl: absoluteHttpUrl(attr(node, 'htmlurl') ?? ''),
          folder: folder ?? categoryFolder(attr(node, 'category')),
          ...this.fetchOptions(node, url),
          ...pace(attr(node, 'frss:ttl')),
        });
      }
      // Feeds nested in a feed are kept, in the same folder.
      this.read(node, folder);
    }
  }

  /** The outline's FreshRSS attributes, those Gleaner can use; a selector it cannot is warned of. */
  private fetchOptions(node: XmlElement, url: string): { fetch?: OpmlFetchOptions } {
    // Without what XML cannot carry (buildOpml leaves it out too), as titles are.
    const value = (name: string): string | null => {
      const v = xmlChars(attr(node, `frss:${name.toLowerCase()}`) ?? '').trim();
      return v === '' ? null : v;
    };
    const selector = (name: string, kind: 'article selector' | 'remove selector'): string | null => {
      const v = value(name);
      const problem = v === null ? null : selectorProblem(v, kind);
      if (problem === null) return v;
      this.warnings.push(`left out the ${kind} of ${quotedText(url)}: ${quotedText(problem)}`);
      return null;
    };
    const fetch: OpmlFetchOptions = {
      articleSelector: selector('cssFullContent', 'article selector'),
      removeSelector: selector('cssContentFilter', 'remove selector'),
      userAgent: value('CURLOPT_USERAGENT'),
      cookie: value('CURLOPT_COOKIE'),
      scrape: this.scrape(node, url),
      rewriteRules: this.rewriteRules(node, url),
    };
    return Object.values(fetch).some((v) => v !== null) ? { fetch } : {};
  }

  /** The outline's rewrite rules (Gleaner's attribute), written one way; ones Gleaner cannot run are warned of. */
  private rewriteRules(node: XmlElement, url: string): string | null {
    const text = xmlChars(attr(node, 'gleaner:rewriterules') ?? '');
    try {
      return rewriteRulesText(text);
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      this.warnings.push(`left out the rewrite rules of ${quotedText(url)}: ${quotedText(err.message)}`);
      return null;
    }
  }

  /** The outline's page selectors (Gleaner's attributes); ones Gleaner cannot use are warned of. */
  private scrape(node: XmlElement, url: string): PageScrape | null {
    const value = (name: string): string | null =>
      xmlChars(attr(node, `gleaner:${name.toLowerCase()}`) ?? '');
    const scrape = pageScrapeOf(
      Object.fromEntries(SCRAPE_ATTRIBUTES.map(([part, name]) => [part, value(name)])),
    );
    const problem = scrape && scrapeProblem(scrape);
    if (!problem) return scrape;
    this.warnings.push(`left out the page selectors of ${quotedText(url)}: ${quotedText(problem)}`);
    return null;
  }

  finish(): void {
    if (this.skipped > MAX_WARNINGS) {
      this.warnings.push(`${this.skipped - MAX_WARNINGS} more feeds skipped for invalid URLs`);
    }
  }

  private add(feed: OpmlFeed): void {
    const key = `${feed.folder ?? ''}\n${feed.url}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.feeds.push(feed);
  }

  private skip(message: string): void {
    if (++this.skipped <= MAX_WARNINGS) this.warnings.push(message);
  }
}

/**
 * What FreshRSS's frss:ttl says of a feed: a positive one, in seconds, is how often at most to
 * check it (a week at most); a negative one is a muted feed.
 */
function pace(ttl: string | null): Pick<OpmlFeed, 'minCheckMinutes' | 'paused'> {
  const seconds = Number(ttl?.trim() || NaN);
  if (!Number.isSafeInteger(seconds) || seconds === 0) return {};
  if (seconds < 0) return { paused: true };
  return { minCheckMinutes: Math.min(MAX_CHECK_MINUTES, Math.ceil(seconds / 60)) };
}

/** OPML 2.0's outlines whose `url` is a web page or another OPML file (an "include"), not a feed. */
const LINK_TYPES = new Set(['link', 'include']);

/**
 * A feed's address: xmlUrl in any case; else `url`, where old exports put it, with type="rss" or
 * "atom", or without a type on an outline that holds no others. Null for a folder.
 */
function feedUrlAttribute(outline: XmlElement): string | null {
  const xmlUrl = attr(outline, 'xmlurl');
  if (xmlUrl !== null) return xmlUrl;
  const url = attr(outline, 'url');
  const type = attr(outline, 'type')?.trim().toLowerCase();
  if (url === null || type === 'rss' || type === 'atom') return url;
  const holdsOutlines = outline.children.some((node) => typeof node !== 'string' && node.local === 'outline');
  return holdsOutlines ? null : url;
}

/**
 * The folder OPML 2.0's category attribute names ("/Tech/Blogs", a path; "tech" without a slash
 * is a tag), as nested folders are named: "Tech/Blogs". Of several, comma-separated, the first.
 */
function categoryFolder(category: string | null): string | null {
  const path = category
    ?.split(',')
    .map((c) => c.trim())
    .find((c) => c.includes('/'));
  if (path === undefined) return null;
  const names = path.split('/').map(cleanTitle);
  const folder = names.filter((n): n is string => n !== null).join('/');
  return folder === '' ? null : folder;
}

function absoluteHttpUrl(raw: string): string | null {
  let value = raw.trim();
  if (value === '' || value.length > MAX_URL_CHARS) return null;
  // The old feed: pseudo-scheme, as feed://host/path or feed:https://host/path.
  if (/^feed:/i.test(value)) value = /^feed:https?:/i.test(value) ? value.slice(5) : `http:${value.slice(5)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function cleanTitle(raw: string | null): string | null {
  if (raw === null) return null;
  const title = xmlChars(raw).replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_CHARS);
  return title === '' ? null : title;
}

/** The first child element with this local name, whatever its namespace prefix. */
function childElement(element: XmlElement, local: string): XmlElement | undefined {
  for (const node of element.children) {
    if (typeof node !== 'string' && node.local === local) return node;
  }
  return undefined;
}

/**
 * An OPML 2.0 document: feeds outside folders first, then one outline per folder (in the order
 * folders first appear), each holding its feeds. A nested path stays one flat folder named
 * "Parent/Child", which every reader can import. A feed without a title gets its URL as `text`
 * (required by OPML 2.0), which parseOpml reads back as no title.
 */
export function buildOpml(title: string, feeds: OpmlFeed[], now: Date): string {
  const folders = new Map<string | null, OpmlFeed[]>([[null, []]]);
  for (const feed of feeds) {
    const group = folders.get(feed.folder);
    if (group) group.push(feed);
    else folders.set(feed.folder, [feed]);
  }
  const namespaces = [
    feeds.some((f) => freshRssAttributes(f) !== '') ? ` xmlns:frss="${FRESHRSS_OPML_NS}"` : '',
    feeds.some((f) => f.fetch?.scrape || f.fetch?.rewriteRules) ? ` xmlns:gleaner="${GLEANER_OPML_NS}"` : '',
  ].join('');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<opml version="2.0"${namespaces}>`,
    '  <head>',
    `    <title>${xmlAttr(title)}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  for (const [folder, group] of folders) {
    if (folder === null) {
      for (const feed of group) lines.push(`    ${feedOutline(feed)}`);
      continue;
    }
    const name = xmlAttr(folder);
    lines.push(`    <outline text="${name}" title="${name}">`);
    for (const feed of group) lines.push(`      ${feedOutline(feed)}`);
    lines.push('    </outline>');
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

function feedOutline(feed: OpmlFeed): string {
  const text = xmlAttr(feed.title ?? feed.url);
  let out = `<outline type="rss" text="${text}"`;
  if (feed.title !== null) out += ` title="${text}"`;
  out += ` xmlUrl="${xmlAttr(feed.url)}"`;
  if (feed.siteUrl !== null) out += ` htmlUrl="${xmlAttr(feed.siteUrl)}"`;
  const rules = feed.fetch?.rewriteRules;
  return (
    out +
    freshRssAttributes(feed) +
    scrapeAttributes(feed.fetch?.scrape ?? null) +
    (rules ? ` gleaner:rewriteRules="${xmlAttr(rules)}"` : '') +
    '/>'
  );
}

/** A web page's selectors as Gleaner's attributes, each with a space before it. */
function scrapeAttributes(scrape: PageScrape | null): string {
  if (!scrape) return '';
  return SCRAPE_ATTRIBUTES.map(([part, name]) => {
    const v = scrape[part];
    return v === null ? '' : ` gleaner:${name}="${xmlAttr(v)}"`;
  }).join('');
}

/**
 * A feed's FreshRSS attributes, each with a space before it: never its cookie, nor that it is
 * paused (FreshRSS keeps a muted feed's interval in the sign of its ttl, which a pause has not).
 */
function freshRssAttributes(feed: OpmlFeed): string {
  const { fetch, minCheckMinutes } = feed;
  const attributes: [string, string | null | undefined][] = [
    ['cssFullContent', fetch?.articleSelector],
    ['cssContentFilter', fetch?.removeSelector],
    ['CURLOPT_USERAGENT', fetch?.userAgent],
    ['ttl', minCheckMinutes === undefined ? null : String(minCheckMinutes * 60)],
  ];
  return attributes
    .map(([name, v]) => (v === null || v === undefined ? '' : ` frss:${name}="${xmlAttr(v)}"`))
    .join('');
}
