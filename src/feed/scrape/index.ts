// A web page without a feed, read as one: CSS selectors say where its entries are, and where each
// one's title, link, content and date are (PageScrape), as FreshRSS's "HTML + XPath" feeds do with
// XPath. A security advisories page, a changelog, a blog that never had a feed.
//
// The page is a stranger's: its nesting is cut as the sanitizer's is, every selection on it shares
// one budget of steps (pageSelect), and it yields at most MAX_SCRAPED_ITEMS entries. What an entry's
// content selector picks is raw markup here, sanitized when the entry is prepared, like a feed's.
import { DomUtils, parseDocument } from 'htmlparser2';
import { decodeDocument } from '../decode/index.js';
import { parseDate } from '../parse/date.js';
import { emptyEntry } from '../parse/extensions.js';
import { collapseWhitespace } from '../parse/text.js';
import { capNesting, NESTING_LIMIT } from '../../content/nesting.js';
import {
  pageSelect,
  selectorProblem,
  type Element,
  type Node,
  type SelectorName,
} from '../../content/selector.js';
import { absolutizeUrl, pageBaseUrl } from '../../content/urls.js';
import { FeedParseError, GleanerError } from '../../model/errors.js';
import type { PageScrape, ParsedEntry, ParsedFeed } from '../../model/index.js';

/** The most entries one page yields: the first ones in page order. */
export const MAX_SCRAPED_ITEMS = 500;

/** The default of each field, within an entry's element. */
const DEFAULTS = {
  title: 'h1, h2, h3, h4, h5, h6',
  link: 'a[href]',
  date: 'time',
} as const;

const FIELDS: readonly (readonly [keyof PageScrape, SelectorName])[] = [
  ['items', 'item selector'],
  ['title', 'title selector'],
  ['link', 'link selector'],
  ['content', 'content selector'],
  ['date', 'date selector'],
  ['author', 'author selector'],
  ['categories', 'categories selector'],
];

/** Why `scrape` cannot be used, or null when it can: its entry selector is required, every one must parse. */
export function scrapeProblem(scrape: PageScrape): string | null {
  for (const [field, name] of FIELDS) {
    const selector = scrape[field];
    if (selector === null && field !== 'items') continue;
    const problem = selectorProblem(selector ?? '', name);
    if (problem !== null) return problem;
  }
  return null;
}

/** `scrape` with its selectors trimmed and empty ones left to their defaults; null without an entry selector. */
export function pageScrapeOf(
  fields: Partial<Record<keyof PageScrape, string | null | undefined>>,
): PageScrape | null {
  const given = (v: string | null | undefined): string | null => v?.trim() || null;
  const items = given(fields.items);
  if (items === null) return null;
  return {
    items,
    title: given(fields.title),
    link: given(fields.link),
    content: given(fields.content),
    date: given(fields.date),
    author: given(fields.author),
    categories: given(fields.categories),
  };
}

export interface ScrapeOptions {
  /** The page's URL: the base of its links, and named in errors. */
  url: string;
  contentType?: string | null;
  /** A longer page is refused, as a longer feed is (ParseOptions.maxBytes). */
  maxBytes: number;
}

/**
 * The entries `scrape` finds on the page `bytes` holds, as a parsed feed (format `html`) titled
 * with the page's title. Throws a GleanerError for a selector that cannot be used or runs past the
 * page's budget, and when the entry selector finds nothing (the page changed, or it is wrong).
 */
export function scrapePage(bytes: Uint8Array, scrape: PageScrape, o: ScrapeOptions): ParsedFeed {
  const problem = scrapeProblem(scrape);
  if (problem !== null) throw new GleanerError('USAGE', problem);
  if (bytes.length > o.maxBytes) {
    throw new FeedParseError(
      'PARSE_TOO_LARGE',
      `the page is ${bytes.length} bytes, above the limit of ${o.maxBytes} bytes; raise the limit if this site is trusted`,
    );
  }
  const { text, warnings } = decodeDocument(bytes, o.contentType);
  const page = parseDocument(capNesting(text, NESTING_LIMIT));
  const select = pageSelect(o.url);
  const first = (selector: string | null, name: SelectorName, root: Node, fallback: string): Element | null =>
    select(selector ?? fallback, name, root)[0] ?? null;
  // The page's own elements, found without the user's selectors (or their budget).
  const tag = (name: string): Element | null => DomUtils.getElementsByTagName(name, page, true, 1)[0] ?? null;
  const baseEl = DomUtils.findOne(
    (el) => el.name === 'base' && DomUtils.hasAttrib(el, 'href'),
    page.children,
  );
  const base = pageBaseUrl(attr(baseEl, 'href'), o.url);

  // An entry inside another one is part of it.
  const found = select(scrape.items, 'item selector', page);
  const chosen = new Set<Node>(found);
  const outermost = found.filter((el) => {
    for (let up = el.parent; up !== null; up = up.parent) if (chosen.has(up)) return false;
    return true;
  });
  if (outermost.length === 0) {
    throw new GleanerError(
      'PARSE_NOT_A_FEED',
      `the item selector ${JSON.stringify(scrape.items)} finds nothing on ${o.url}; the page changed, or the selector is wrong`,
    );
  }
  if (outermost.length > MAX_SCRAPED_ITEMS)
    warnings.push(`the page holds ${outermost.length} entries; the first ${MAX_SCRAPED_ITEMS} are read`);

  const items: ParsedEntry[] = [];
  for (const item of outermost.slice(0, MAX_SCRAPED_ITEMS)) {
    const linkEl =
      scrape.link === null && isLink(item) ? item : first(scrape.link, 'link selector', item, DEFAULTS.link);
    const link = absolutizeUrl(attr(linkEl, 'href') ?? '', base);
    const titleEl = first(scrape.title, 'title selector', item, DEFAULTS.title) ?? linkEl;
    const title = titleEl ? collapseWhitespace(DomUtils.textContent(titleEl)) || null : null;
    const content = scrape.content === null ? [item] : select(scrape.content, 'content selector', item);
    const contentHtml = content.length > 0 ? standalone(content) : null;
    const dateEl = first(scrape.date, 'date selector', item, DEFAULTS.date);
    const dated = dateEl ? parseDate(attr(dateEl, 'datetime') ?? DomUtils.textContent(dateEl)) : null;
    const authorEl = scrape.author === null ? null : first(scrape.author, 'author selector', item, '');
    const author = authorEl ? collapseWhitespace(DomUtils.textContent(authorEl)) || null : null;
    const categories =
      scrape.categories === null
        ? []
        : [
            ...new Set(
              select(scrape.categories, 'categories selector', item)
                .map((el) => collapseWhitespace(DomUtils.textContent(el)))
                .filter(Boolean),
            ),
          ];
    if (!title && !link && collapseWhitespace(DomUtils.textContent(content)) === '') continue;
    items.push({
      ...emptyEntry(),
      title,
      link,
      // Undated, as a feed's undated items are: dated by their place on the page when prepared.
      published: dated,
      author,
      categories,
      contentHtml,
      // Its content is a part of the page: its relative URLs are the page's, not its link's.
      baseUrl: base,
    });
  }
  const titleEl = tag('title');
  const html = tag('html');
  return {
    format: 'html',
    title: titleEl ? collapseWhitespace(DomUtils.textContent(titleEl)) || null : null,
    link: o.url,
    description: null,
    language: attr(html, 'lang'),
    selfUrl: null,
    hubUrl: null,
    iconUrl: null,
    ttlMinutes: null,
    items,
    warnings,
  };
}

/** Elements that mean nothing outside their parent, and the markup that gives them one. */
const PARENTS: Record<string, [string, string]> = {
  tr: ['<table><tbody>', '</tbody></table>'],
  td: ['<table><tbody><tr>', '</tr></tbody></table>'],
  th: ['<table><tbody><tr>', '</tr></tbody></table>'],
  tbody: ['<table>', '</table>'],
  thead: ['<table>', '</table>'],
  li: ['<ul>', '</ul>'],
  dt: ['<dl>', '</dl>'],
  dd: ['<dl>', '</dl>'],
};

/**
 * The markup of `elements`, standing on its own: a table row's cells stay cells (a browser drops
 * a <tr> outside a table, and runs its cells' text together), a list item stays an item.
 */
function standalone(elements: Element[]): string {
  const html = DomUtils.getOuterHTML(elements);
  const first = elements[0];
  const wrap = first && Object.hasOwn(PARENTS, first.name) ? PARENTS[first.name] : undefined;
  return wrap ? `${wrap[0]}${html}${wrap[1]}` : html;
}

function attr(el: Element | null, name: string): string | null {
  return el ? (DomUtils.getAttributeValue(el, name) ?? null) : null;
}

function isLink(el: Element): boolean {
  return el.name === 'a' && DomUtils.hasAttrib(el, 'href');
}
