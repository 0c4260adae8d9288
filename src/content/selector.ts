// A feed's CSS selectors: the article selector picks the article out of its page, as Miniflux's
// scraper rules and FreshRSS's "article CSS selector" (`article .post-body, .post-header img`), for
// sites where Readability guesses wrong; the remove selector takes elements out of every entry's
// content (share buttons, ads, "related posts"), as Miniflux's remove() rewrite rule and FreshRSS's
// "CSS selector of the elements to remove".
//
// Threat: the selector is the user's, but the page is a stranger's, and selector engines have inputs
// that take minutes: `section div div div div div div span` tries every choice of ancestors (C(256, 6)
// on a page nested 256 deep), `p:nth-child(2n)` counts the siblings of each of 40,000 paragraphs
// again, `:has(~ p ~ p ~ em)` both. So every step the engine takes on the page is counted, and a
// selection past SELECT_BUDGET steps stops with an error; a real article page takes tens of thousands.
// `:has()` and `:contains()` are refused outright: one of their steps walks a whole subtree or text.
import { compile, selectAll, selectOne, type Options as SelectOptions } from 'css-select';
import { parse as parseSelector, SelectorType, type Selector } from 'css-what';
import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
import { htmlToText } from '../feed/parse/text.js';
import { GleanerError } from '../model/errors.js';
import { parseDocumentWithinNesting } from './nesting.js';
import { sanitizeHtml } from './sanitize.js';
import { pageBaseUrl } from './urls.js';

/** The longest selector: far past any real one. */
export const MAX_SELECTOR_LENGTH = 1000;

/** Steps (calls into the DOM) one selection may take. */
export const SELECT_BUDGET = 2_000_000;

const REFUSED_PSEUDOS = new Set(['has', 'contains', 'icontains']);

/** Which of a feed's selectors: named in its errors. */
export type SelectorName =
  | 'article selector'
  | 'remove selector'
  | 'item selector'
  | 'title selector'
  | 'link selector'
  | 'content selector'
  | 'date selector'
  | 'author selector'
  | 'categories selector';

/** Why `selector` cannot be used as the feed's `name`, or null when it can. */
export function selectorProblem(selector: string, name: SelectorName = 'article selector'): string | null {
  if (selector.trim() === '') return `the ${name} is empty`;
  if (selector.length > MAX_SELECTOR_LENGTH) {
    return `the ${name} is longer than ${MAX_SELECTOR_LENGTH} characters`;
  }
  let parsed: Selector[][];
  try {
    parsed = parseSelector(selector);
    compile(parsed, SELECT_OPTIONS);
  } catch (err) {
    return `the ${name} is not a valid CSS selector: ${(err as Error).message}`;
  }
  const refused = refusedPseudo(parsed);
  return refused === null
    ? null
    : `the ${name} may not use :${refused}() (it can take minutes on a large page)`;
}

/** The first pseudo-class of REFUSED_PSEUDOS in `selectors`, looking inside :not(), :is() and the rest. */
function refusedPseudo(selectors: Selector[][]): string | null {
  for (const part of selectors.flat()) {
    if (part.type !== SelectorType.Pseudo) continue;
    if (REFUSED_PSEUDOS.has(part.name)) return part.name;
    if (Array.isArray(part.data)) {
      const inner = refusedPseudo(part.data);
      if (inner !== null) return inner;
    }
  }
  return null;
}

export type Node = ReturnType<typeof parseDocument>['children'][number];
export type Element = Extract<Node, { type: 'tag' | 'script' | 'style' }>;

const SELECT_OPTIONS: SelectOptions<Node, Element> = { xmlMode: false };

/** Thrown out of a selection past its budget. */
class OverBudget extends Error {}

/** DomUtils (css-select's adapter) with every call counted against `budget`. */
function countingAdapter(budget: number): SelectOptions<Node, Element>['adapter'] {
  let left = budget;
  const adapter: Record<string, unknown> = {};
  for (const [name, value] of Object.entries({ ...DomUtils, isTag: ElementType.isTag })) {
    if (typeof value !== 'function') continue;
    const call = value as (...args: unknown[]) => unknown;
    adapter[name] = (...args: unknown[]) => {
      if (--left < 0) throw new OverBudget();
      return call(...args);
    };
  }
  return adapter as unknown as SelectOptions<Node, Element>['adapter'];
}

/** The elements a selector matches under `root` (a node, or several), in page order. */
export type PageSelect = (selector: string, name: SelectorName, root: Node | Node[]) => Element[];

/**
 * Selections on the page at `url` that share one budget of SELECT_BUDGET steps (a scraped page's
 * entries and their fields take many), each selector checked and compiled once. A selection throws
 * a GleanerError, naming the selector and `url`, for a selector that selectorProblem refuses, or
 * once the page's selections have taken more than SELECT_BUDGET steps.
 */
export function pageSelect(url: string): PageSelect {
  const options = { ...SELECT_OPTIONS, adapter: countingAdapter(SELECT_BUDGET) };
  const compiled = new Map<string, ReturnType<typeof compile<Node, Element>>>();
  return (selector, name, root) => {
    let query = compiled.get(selector);
    if (query === undefined) {
      const problem = selectorProblem(selector, name);
      if (problem !== null) throw new GleanerError('USAGE', problem);
      query = compile<Node, Element>(selector, options);
      compiled.set(selector, query);
    }
    try {
      return selectAll<Node, Element>(query, root, options);
    } catch (err) {
      if (!(err instanceof OverBudget)) throw err;
      throw new GleanerError(
        'USAGE',
        `the ${name} took more than ${SELECT_BUDGET.toLocaleString('en')} steps on ${url}: make it simpler`,
      );
    }
  };
}

/** The elements `selector` matches in `page`, in page order, within a budget of its own (pageSelect). */
function selectWithinBudget(selector: string, name: SelectorName, page: Node, url: string): Element[] {
  return pageSelect(url)(selector, name, page);
}

/**
 * What `selector` picks out of the page at `url` (parsed within the nesting limit), in
 * page order, through `rewrite` (a feed's rewrite rules), sanitized, and its text; null when it
 * picks nothing with text. Throws a GleanerError for a selector that selectorProblem refuses, or
 * that takes more than SELECT_BUDGET steps here.
 */
export function selectArticle(
  html: string,
  url: string,
  selector: string,
  rewrite: (picked: string) => string = (picked) => picked,
): { contentHtml: string; text: string } | null {
  const page = parseDocumentWithinNesting(html);
  const picked = selectWithinBudget(selector, 'article selector', page, url);
  // An element inside another picked one is already in it.
  const chosen = new Set<Node>(picked);
  const outermost = picked.filter((el) => {
    for (let up = el.parent; up !== null; up = up.parent) if (chosen.has(up)) return false;
    return true;
  });
  const base = selectOne<Node, Element>('base[href]', page, SELECT_OPTIONS);
  const baseUrl = pageBaseUrl(base && DomUtils.getAttributeValue(base, 'href'), url);
  const contentHtml = sanitizeHtml(rewrite(DomUtils.getOuterHTML(outermost)), baseUrl);
  const text = htmlToText(contentHtml);
  if (text === '') return null;
  return { contentHtml, text };
}

/**
 * `html` (an entry's content, or an article's page, from `url`) without the elements `selector`
 * matches, and their content. Not sanitized: it goes to the sanitizer or an extractor next. Deep
 * nesting is limited (NESTING_LIMIT), as the sanitizer's is. Throws as selectArticle does.
 */
export function removeMatching(html: string, url: string, selector: string): string {
  const page = parseDocumentWithinNesting(html);
  const matched = selectWithinBudget(selector, 'remove selector', page, url);
  if (matched.length === 0) return html;
  for (const el of matched) DomUtils.removeElement(el);
  return DomUtils.getOuterHTML(page);
}
