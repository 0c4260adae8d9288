// The parser's one entry point: bytes in, a normalized feed out, whatever the format.
import type { ParsedFeed } from '../../model/index.js';
import { FeedParseError } from '../../model/errors.js';
import { decodeDocument } from '../decode/index.js';
import { adaptAtom } from './atom.js';
import { adaptJson } from './json.js';
import { adaptRss } from './rss.js';
import { quotedText } from './text.js';
import { parseXml, type XmlElement } from './xml.js';

export interface ParseOptions {
  /** The document's URL: the base for relative links. */
  url?: string | null;
  /** The HTTP Content-Type header, when the document was fetched (its charset wins). */
  contentType?: string | null;
  /** Documents larger than this are refused (default 32 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/** A feed with nothing in it: what a document that is not a feed parses to. */
export function emptyFeed(): ParsedFeed {
  return {
    format: null,
    title: null,
    link: null,
    description: null,
    language: null,
    selfUrl: null,
    hubUrl: null,
    iconUrl: null,
    ttlMinutes: null,
    items: [],
    warnings: [],
  };
}

/**
 * True for a document of nothing but whitespace (or nothing at all): what an overloaded or failing
 * server often answers with 200, which is no sign that the URL is not a feed's.
 */
export function isBlankDocument(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

/**
 * Parses RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.0/1.1. A document that is not a
 * feed yields `format: null` and a warning; only safety limits throw (FeedParseError).
 */
export function parseFeed(bytes: Uint8Array, options: ParseOptions = {}): ParsedFeed {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (bytes.length > maxBytes) {
    throw new FeedParseError(
      'PARSE_TOO_LARGE',
      `document is ${bytes.length} bytes, above the limit of ${maxBytes} bytes; raise the limit if this feed is trusted`,
    );
  }
  const feed = emptyFeed();
  const decoded = decodeDocument(bytes, options.contentType ?? null);
  feed.warnings.push(...decoded.warnings);
  const chunks = decoded.chunks();
  const baseUrl = options.url ?? null;

  const first = firstSignificantChar(chunks[0] ?? '');
  if (first === '{' || first === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(decoded.text);
    } catch (err) {
      feed.warnings.push(`not a feed: invalid JSON (${quotedText((err as Error).message)})`);
      return feed;
    }
    adaptJson(doc, baseUrl, feed);
    return feed;
  }

  // An HTML page (a site's home, an error page) is not read as XML: its void elements (<link>,
  // <img>, <br>), unclosed in HTML, would nest ever deeper and reach the nesting limit, an error,
  // where the page should be "not a feed" (and subscribing should look for the feeds it declares).
  const htmlRoot = htmlRootName(chunks[0] ?? '');
  if (htmlRoot !== null) {
    feed.warnings.push(`not a feed: the root element is <${quotedText(htmlRoot)}>`);
    return feed;
  }

  const document = parseXml(chunks, baseUrl, feed.warnings);
  const root = rootElement(document, feed.warnings);
  if (!root) {
    feed.warnings.push('not a feed: the document has no elements');
    return feed;
  }
  switch (root.local) {
    case 'rss':
    case 'channel':
      adaptRss(root, 'rss', feed);
      break;
    case 'rdf':
      adaptRss(root, 'rdf', feed);
      break;
    case 'feed':
      adaptAtom(root, feed);
      break;
    default:
      feed.warnings.push(`not a feed: the root element is <${quotedText(root.local)}>`);
  }
  return feed;
}

function firstSignificantChar(text: string): string {
  for (let i = 0; i < text.length && i < 4096; i++) {
    const c = text[i] ?? '';
    if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t' && c !== '\uFEFF') return c;
  }
  return '';
}

// What may come before a document's first element: whitespace, a processing instruction (the XML
// declaration), a comment, a doctype (with an internal subset).
const PROLOG_PART = /\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?[^>]*>/iy;
// The elements only an HTML page starts with. Not <br> or <b>, which start the PHP warnings
// some servers print before a feed.
const HTML_ROOT = /<(?:[\w.-]+:)?(html|head|body)(?=[\s/>])/iy;

const HTML_DOCTYPE = /^<!DOCTYPE\s+html\b/i;

/**
 * The name of the document's first element when only an HTML page starts with it, else null; `html`
 * for a page with HTML's doctype, which may leave out <html> and <head>.
 */
function htmlRootName(text: string): string | null {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    PROLOG_PART.lastIndex = at;
    const part = PROLOG_PART.exec(text);
    if (part === null) break;
    if (HTML_DOCTYPE.test(part[0])) return 'html';
    at = PROLOG_PART.lastIndex;
  }
  HTML_ROOT.lastIndex = at;
  const match = HTML_ROOT.exec(text);
  return match ? (match[1] ?? '').toLowerCase() : null;
}

const FEED_ROOTS = new Set(['rss', 'channel', 'rdf', 'feed']);

/**
 * The document's root: its first feed element at the top, else its first element. Elements before
 * a feed are junk a server printed first (PHP's `<br /><b>Warning</b>: …` before a WordPress feed).
 */
function rootElement(document: XmlElement, warnings: string[]): XmlElement | undefined {
  let first: XmlElement | undefined;
  for (const c of document.children) {
    if (typeof c === 'string') continue;
    if (FEED_ROOTS.has(c.local)) {
      if (first)
        warnings.push(`skipped markup before the root element <${quotedText(c.local)}> (an error message?)`);
      return c;
    }
    first ??= c;
  }
  return first;
}
