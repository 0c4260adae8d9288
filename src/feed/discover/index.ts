// Subscription discovery: from a web page to the feeds it offers, and the site's icon.
//
// Declared feeds (<link rel="alternate">) come first, in document order, taken at the page's word.
// A page that declares none may link to its feeds in its body: links to its own site whose path
// looks like a feed are candidates, which the caller fetches and keeps only if parseFeed
// recognizes them (as Miniflux does). When they bring nothing, the caller tries commonFeedPaths().
import { Parser } from 'htmlparser2';

export type DiscoveredFeedType = 'rss' | 'atom' | 'json' | 'unknown';

export interface DiscoveredFeed {
  /** Absolute http(s) URL. */
  url: string;
  title: string | null;
  /** What the page says the feed is; 'unknown' when it does not say (text/xml, a bare link). */
  type: DiscoveredFeedType;
}

/** Pages are read up to this many characters: real <head>s are far smaller, and it bounds the work. */
export const MAX_HTML_CHARS = 2 * 1024 * 1024;
const MAX_CANDIDATES = 100;
/** Links in the body offered to be fetched: a site links its own feeds a few times at most. */
export const MAX_LINKED_FEEDS = 5;
/** htmlparser2's element stack costs O(depth) per tag: a page nested deeper (hostile) is read no further. */
const MAX_DEPTH = 512;
const MAX_TITLE_CHARS = 200;

/** <link rel="alternate"> types that announce a feed. Parameters (charset) are ignored. */
const FEED_TYPES = new Map<string, DiscoveredFeedType>([
  ['application/rss+xml', 'rss'],
  ['application/x-rss+xml', 'rss'],
  ['application/rdf+xml', 'rss'],
  ['application/atom+xml', 'atom'],
  ['application/x.atom+xml', 'atom'],
  ['application/x-atom+xml', 'atom'],
  ['application/feed+json', 'json'],
  ['application/json', 'json'],
  ['text/xml', 'unknown'],
  ['application/xml', 'unknown'],
]);

/** Paths that usually serve a feed, for links in the body that do not say what they are. */
const FEED_PATH = /(?:\/feed|\/rss|\/atom|\.rss|\.atom|\.xml|feed\.json)\/?$/;
const FEED_QUERY = /[?&]feed=(?:rss2?|atom|rdf)(?:&|$)/;
/** A cheap test on the raw href's path, before resolution: loosely the suffixes above. */
const MAYBE_FEED_PATH = /(?:feed|rss|atom|\.xml|\.json)\/?$/i;
const SITEMAP = /\/sitemap[^/]*\.xml$/;
/** WordPress announces its REST API as an application/json alternate on every page: not a feed. */
const WORDPRESS_API = /\/wp-json\//;

/** Tried, in this order, in the page's directory and at the site root, when a page offers no feed. */
const COMMON_FEED_PATHS = [
  '/feed',
  '/feed/',
  '/rss',
  '/rss.xml',
  '/atom.xml',
  '/index.xml',
  '/feed.xml',
  '/feed.json',
  '/?feed=rss2',
];

interface LinkTag {
  href: string;
  title: string | null;
}
interface AlternateTag extends LinkTag {
  type: DiscoveredFeedType;
}
interface IconTag {
  href: string;
  size: number;
}
interface PageLinks {
  /** The first <base href>, unresolved. */
  base: string | null;
  alternates: AlternateTag[];
  anchors: LinkTag[];
  icons: IconTag[];
}

/** The feeds a page offers (discoverFeeds). */
export interface PageFeeds {
  /** Those its <head> declares, in document order, without duplicates: taken at its word. */
  declared: DiscoveredFeed[];
  /**
   * When it declares none: links in its body to its own site (sameSite) whose path looks like a
   * feed, at most MAX_LINKED_FEEDS. Only a guess: fetch each, and keep those that are feeds.
   */
  linked: DiscoveredFeed[];
}

/**
 * The feeds a page offers. The body is read only when the <head> declares no feed: a page that
 * declares its feeds is taken at its word. Links to other sites are never offered: a blog that
 * links a friend's feed does not make its readers follow the friend.
 */
export function discoverFeeds(html: string, pageUrl: string): PageFeeds {
  const page = scanPage(html, (links) => links.alternates.length > 0);
  const base = documentBase(page.base, pageUrl);
  const declared = new Map<string, DiscoveredFeed>();
  for (const link of page.alternates) {
    const url = resolveHttpUrl(link.href, base);
    if (url === null || declared.has(url)) continue;
    if (link.type === 'json' && WORDPRESS_API.test(url)) continue;
    declared.set(url, { url, title: link.title, type: link.type });
  }
  const linked = new Map<string, DiscoveredFeed>();
  for (const link of page.anchors) {
    if (linked.size === MAX_LINKED_FEEDS) break;
    const url = resolveHttpUrl(link.href, base);
    if (url === null || linked.has(url) || !sameSite(url, pageUrl)) continue;
    const type = feedTypeFromPath(new URL(url));
    if (type !== null) linked.set(url, { url, title: link.title, type });
  }
  return { declared: [...declared.values()], linked: [...linked.values()] };
}

/**
 * URLs to try, in order, when a page offers no feed: the usual feed paths in the page's own
 * directory (a project site at /project/ has its feed at /project/index.xml), then at the site
 * root, each once.
 */
export function commonFeedPaths(pageUrl: string): string[] {
  const page = resolveHttpUrl(pageUrl, null);
  if (page === null) return [];
  const relative = COMMON_FEED_PATHS.map((path) => path.slice(1));
  const inDirectory = relative.map((path) => new URL(path, new URL('./', page)).href);
  const atRoot = relative.map((path) => new URL(path, new URL('/', page)).href);
  return [...new Set([...inDirectory, ...atRoot])];
}

/**
 * Whether two URLs are on one site: the same host, but for a leading "www.". Without a list of
 * public suffixes, a registrable domain cannot be told, and two hosts under one domain (a.github.io,
 * b.github.io) may be two people's sites.
 */
export function sameSite(a: string, b: string): boolean {
  const host = (url: string): string | null => {
    try {
      return new URL(url).hostname.replace(/^www\./, '');
    } catch {
      return null;
    }
  };
  const first = host(a);
  return first !== null && first === host(b);
}

/** The page's largest declared icon, else /favicon.ico at the site root; null for a non-http(s) page. */
export function findIcon(html: string, pageUrl: string): string | null {
  const page = scanPage(html, () => true);
  const base = documentBase(page.base, pageUrl);
  let best: { url: string; size: number } | null = null;
  for (const icon of page.icons) {
    const url = resolveHttpUrl(icon.href, base);
    if (url !== null && (best === null || icon.size > best.size)) best = { url, size: icon.size };
  }
  if (best !== null) return best.url;
  const root = resolveHttpUrl(pageUrl, null);
  return root === null ? null : new URL('/favicon.ico', root).href;
}

/**
 * Collects the links discovery needs in one pass. Parsing stops at the end of <head> when
 * `headIsEnough` says so; else it reads the body too, for <a> candidates.
 */
function scanPage(html: string, headIsEnough: (links: PageLinks) => boolean): PageLinks {
  const links: PageLinks = { base: null, alternates: [], anchors: [], icons: [] };
  let anchor: { href: string; title: string | null; text: string } | null = null;
  const flushAnchor = (): void => {
    if (anchor === null) return;
    links.anchors.push({ href: anchor.href, title: anchor.title ?? cleanTitle(anchor.text) });
    anchor = null;
  };
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    parser.pause();
  };
  const endOfHead = (): void => {
    if (!stopped && headIsEnough(links)) stop();
  };
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (++depth > MAX_DEPTH && !stopped) stop();
        if (name === 'link') {
          readLink(attribs, links);
        } else if (name === 'a') {
          flushAnchor();
          const href = attribs.href;
          // Only feed-like links count against the bound, so a long menu cannot crowd them out.
          if (href !== undefined && links.anchors.length < MAX_CANDIDATES && maybeFeedHref(href)) {
            anchor = { href, title: cleanTitle(attribs.title), text: '' };
          }
        } else if (name === 'base') {
          if (links.base === null && attribs.href !== undefined) links.base = attribs.href;
        } else if (name === 'body') {
          endOfHead();
        }
      },
      ontext(text) {
        if (anchor !== null && anchor.text.length < MAX_TITLE_CHARS) anchor.text += text;
      },
      onclosetag(name) {
        depth--;
        if (name === 'a') {
          flushAnchor();
        } else if (name === 'head') {
          endOfHead();
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html);
  if (!stopped) parser.end();
  flushAnchor();
  return links;
}

function readLink(attribs: Record<string, string>, links: PageLinks): void {
  const href = attribs.href;
  if (href === undefined) return;
  const rel = (attribs.rel ?? '').toLowerCase().split(/\s+/);
  if (rel.includes('alternate') && links.alternates.length < MAX_CANDIDATES) {
    const mimeType = (attribs.type ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
    const type = FEED_TYPES.get(mimeType);
    if (type !== undefined) links.alternates.push({ href, title: cleanTitle(attribs.title), type });
  } else if (
    (rel.includes('icon') ||
      rel.includes('apple-touch-icon') ||
      rel.includes('apple-touch-icon-precomposed')) &&
    links.icons.length < MAX_CANDIDATES
  ) {
    links.icons.push({ href, size: iconSize(attribs.sizes, rel.includes('icon')) });
  }
}

/**
 * The largest size an icon declares. "any" (a scalable SVG) beats every bitmap; an undeclared
 * apple-touch-icon is Apple's default 180 px, an undeclared icon is assumed the smallest.
 */
function iconSize(sizes: string | undefined, plainIcon: boolean): number {
  let declared = 0;
  for (const size of (sizes ?? '').toLowerCase().split(/\s+/)) {
    if (size === 'any') return Number.POSITIVE_INFINITY;
    const width = /^(\d{1,5})x\d{1,5}$/.exec(size)?.[1];
    if (width !== undefined) declared = Math.max(declared, Number(width));
  }
  if (declared > 0) return declared;
  return plainIcon ? 0 : 180;
}

function maybeFeedHref(href: string): boolean {
  const end = href.search(/[?#]/);
  if (end < 0) return MAYBE_FEED_PATH.test(href);
  return MAYBE_FEED_PATH.test(href.slice(0, end)) || /[?&]feed=/i.test(href);
}

function feedTypeFromPath(url: URL): DiscoveredFeedType | null {
  const path = url.pathname.toLowerCase();
  const query = url.search.toLowerCase();
  const feedQuery = FEED_QUERY.exec(query);
  if (!feedQuery && (!FEED_PATH.test(path) || SITEMAP.test(path))) return null;
  const last = feedQuery ? query : (path.replace(/\/$/, '').split('/').pop() ?? '');
  if (last.endsWith('.json')) return 'json';
  if (last.includes('atom')) return 'atom';
  if (last.includes('rss') || last.includes('rdf')) return 'rss';
  return 'unknown';
}

/** The base for relative references: <base href> resolved against the page URL (HTML's rule). */
function documentBase(base: string | null, pageUrl: string): string | null {
  return (base === null ? null : resolveHttpUrl(base, pageUrl)) ?? pageUrl;
}

/** An absolute http(s) URL, or null. A base that is not a URL is ignored. */
function resolveHttpUrl(reference: string, base: string | null): string | null {
  const ref = reference.trim();
  let url: URL;
  try {
    url = new URL(ref, base ?? undefined);
  } catch {
    try {
      url = new URL(ref);
    } catch {
      return null;
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return feedUrlOf(url);
}

/**
 * A feed's URL as Gleaner keeps it, so that one feed is one subscription however it was written:
 * without a fragment, which never reaches the server, nor an empty query ("feed.xml?"), which
 * asks the server for the same document.
 */
export function feedUrlOf(url: URL): string {
  const kept = new URL(url.href);
  kept.hash = '';
  // An empty query and none read the same (""): setting it drops a lone "?".
  if (kept.search === '') kept.search = '';
  return kept.href;
}

function cleanTitle(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const title = raw
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
    .slice(0, MAX_TITLE_CHARS);
  return title === '' ? null : title;
}
