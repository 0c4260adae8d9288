// Full-article extraction for feeds that only send summaries: the article's page (fetched
// elsewhere) is reduced to its main text by Mozilla's Readability, the engine of Firefox Reader View,
// or to what the feed's article selector (Miniflux's scraper rules) picks out of it; what the feed's
// remove selector matches is taken out first.
import { Readability } from '@mozilla/readability';
import { DOMParser } from 'linkedom';
import { htmlToText } from '../feed/parse/text.js';
import { capNesting } from './nesting.js';
import { sanitizeHtml } from './sanitize.js';
import { parseRewriteRules, rewriteContent } from './rewrite.js';
import { removeMatching, selectArticle } from './selector.js';
import { pageBaseUrl } from './urls.js';

// Readability's cost grows with the square of the nesting depth (16,000 nested divs take ~25 s) and
// with the element count (~1 s for 50,000): a hostile or broken page must not stall a worker. Real
// articles nest a few dozen deep and hold a few thousand elements.
const MAX_DEPTH = 256;
const MAX_ELEMENTS = 50_000;

/** The feed's selectors that shape its articles (FetchOptions'), null for none. */
export interface ArticleSelectors {
  articleSelector?: string | null;
  removeSelector?: string | null;
  /** The feed's rewrite rules (rewrite.ts), run on the article before it is sanitized. */
  rewriteRules?: string | null;
}

/** The main content of an article page. */
export interface ExtractedArticle {
  title: string | null;
  /** Sanitized HTML of the article body, URLs absolute. */
  contentHtml: string;
  /** The visible text of `contentHtml`. */
  text: string;
  byline: string | null;
}

type Page = ReturnType<DOMParser['parseFromString']>;
/** What nestingDepth reads of a page's elements (linkedom's own types leave them untyped). */
interface TreeElement {
  firstElementChild: TreeElement | null;
  nextElementSibling: TreeElement | null;
  parentElement: TreeElement | null;
}

/**
 * The article in `html`, the page found at `url`, without what `removeSelector` matches: what
 * `articleSelector` picks out of it (selectArticle), or else Readability's choice. Null when that
 * holds no text, or the page has more than MAX_ELEMENTS tags. Throws a GleanerError for a selector
 * too costly on this page. On a page that is not an article (an index, a login wall) Readability
 * returns the page's largest block of text.
 */
export function extractArticle(
  html: string,
  url: string,
  { articleSelector = null, removeSelector = null, rewriteRules = null }: ArticleSelectors = {},
): ExtractedArticle | null {
  const rules = rewriteRules ? parseRewriteRules(rewriteRules) : [];
  const rewrite = (content: string): string => (rules.length ? rewriteContent(content, url, rules) : content);
  if (countTags(html) > MAX_ELEMENTS) return null;
  const capped = capNesting(html, MAX_DEPTH);
  const kept = removeSelector === null ? capped : removeMatching(capped, url, removeSelector);
  if (articleSelector !== null) {
    const selected = selectArticle(kept, url, articleSelector, rewrite);
    return selected && { ...selected, title: null, byline: null };
  }
  const page = parsePage(kept);
  // linkedom parses with capNesting's htmlparser2 (package.json's overrides: its own 10.1.0 took the
  // content of an <iframe> for markup and a <style> in <svg> for text, so a page capNesting had cut
  // still nested thousands deep to it). The depth is measured all the same, should the two parsers
  // ever differ again: what capNesting left nests MAX_DEPTH deep, and a little more here (the
  // <html> and <body> parsePage may add, an <img> in the deepest element).
  if (nestingDepth(page) > 2 * MAX_DEPTH) return null;
  const baseUrl = baseUrlOf(page, url); // before Readability rewrites the document

  const article = new Readability(page).parse();
  if (article === null || typeof article.content !== 'string') return null;

  // Sanitize last: Readability keeps the page's own markup (event handlers, styles, embeds), and
  // nothing may touch it after the allowlist.
  const contentHtml = sanitizeHtml(rewrite(article.content), baseUrl);
  const text = htmlToText(contentHtml);
  if (text === '') return null;
  return { title: nonEmpty(article.title), contentHtml, text, byline: nonEmpty(article.byline) };
}

/**
 * The page as a DOM whose content sits in <body>, where Readability looks. linkedom is not an HTML5
 * tree builder: it adds no <html> or <body> to a page that omits them, so such a page is wrapped.
 */
function parsePage(html: string): Page {
  const parser = new DOMParser();
  const page = parser.parseFromString(html, 'text/html');
  if (page.querySelector('html > body') != null) return page;
  return parser.parseFromString(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`, 'text/html');
}

/** What the page's relative URLs resolve against: its own <base href> if any, as in a browser. */
function baseUrlOf(page: Page, url: string): string {
  const base = page.querySelector('base[href]') as { getAttribute(name: string): string | null } | null;
  return pageBaseUrl(base?.getAttribute('href'), url);
}

/** How deep the elements of `page` nest, walked without recursion: it may nest thousands deep. */
function nestingDepth(page: Page): number {
  let deepest = 0;
  let depth = 1;
  let element = page.documentElement as TreeElement | null;
  while (element !== null) {
    deepest = Math.max(deepest, depth);
    const child = element.firstElementChild;
    if (child !== null) {
      element = child;
      depth++;
      continue;
    }
    while (element !== null && element.nextElementSibling === null) {
      element = element.parentElement;
      depth--;
    }
    element = element?.nextElementSibling ?? null;
  }
  return deepest;
}

/** How many tags `html` opens, counted as '<' followed by a letter: a cheap upper bound. */
function countTags(html: string): number {
  let count = 0;
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    const next = html.charCodeAt(at + 1) | 0x20; // lowercased if a letter
    if (next >= 0x61 && next <= 0x7a) count++;
  }
  return count;
}

function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}
