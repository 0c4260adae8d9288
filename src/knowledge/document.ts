// An article's sanitized HTML read into the shape the extractors work on: blocks in reading order
// (headings, paragraphs, list items, quotes, code, table rows), each under its section heading, and
// the links it carries. Pure: no I/O.
import { DOMParser } from 'linkedom';

export type BlockKind = 'heading' | 'paragraph' | 'item' | 'quote' | 'code' | 'row';

export interface Block {
  kind: BlockKind;
  text: string;
  /** The nearest heading above the block ('' before the first heading). */
  section: string;
  /** Bold or italic runs inside the block: an author's own emphasis. */
  emphasis: string[];
  /** Table rows: the cells, and the header row of their table. */
  cells?: string[];
  header?: string[];
}

export interface ArticleLink {
  url: string;
  text: string;
}

export interface ArticleDocument {
  blocks: Block[];
  links: ArticleLink[];
}

const HEADINGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
const LEAVES = new Set(['P', 'LI', 'BLOCKQUOTE', 'PRE', 'DT', 'DD', 'FIGCAPTION', 'CAPTION']);
const SKIPPED = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'IFRAME',
  'SVG',
  'MATH',
  'BUTTON',
  'FORM',
]);
const EMPHASIS = 'b, strong, em, i, mark';

/** Whitespace collapsed, Unicode composed, invisible characters dropped. */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

function isElement(node: DomNode): node is DomElement {
  return node.nodeType === 1;
}

export function readArticle(html: string): ArticleDocument {
  const page = new DOMParser().parseFromString(
    `<!doctype html><html><head></head><body>${html}</body></html>`,
    'text/html',
  );
  const body = (page as unknown as { body: DomElement }).body;
  const blocks: Block[] = [];
  const links: ArticleLink[] = [];
  let section = '';
  let loose = '';

  const push = (kind: BlockKind, el: DomElement | null, text: string, extra: Partial<Block> = {}) => {
    const clean = kind === 'code' ? text.trim() : cleanText(text);
    if (!clean) return;
    const emphasis = el
      ? Array.from(el.querySelectorAll(EMPHASIS))
          .map((e) => cleanText(e.textContent ?? ''))
          .filter((t) => t.length > 3)
      : [];
    blocks.push({ kind, text: clean, section, emphasis, ...extra });
  };
  const flushLoose = () => {
    if (loose.trim()) push('paragraph', null, loose);
    loose = '';
  };

  const readTable = (table: DomElement) => {
    let header: string[] | undefined;
    for (const row of Array.from(table.querySelectorAll('tr'))) {
      const cells = Array.from(row.querySelectorAll('th, td')).map((c) => cleanText(c.textContent ?? ''));
      if (cells.every((c) => c === '')) continue;
      const isHeader = header === undefined && Array.from(row.querySelectorAll('td')).length === 0;
      if (isHeader) header = cells;
      else push('row', row, cells.join(' | '), { cells, ...(header ? { header } : {}) });
    }
  };

  const walk = (node: DomNode) => {
    if (!isElement(node)) {
      if (node.nodeType === 3) loose += node.textContent ?? '';
      return;
    }
    const tag = node.tagName.toUpperCase();
    if (SKIPPED.has(tag)) return;
    if (tag === 'A') {
      const href = node.getAttribute('href');
      const text = cleanText(node.textContent ?? '');
      if (href && /^https?:\/\//i.test(href)) links.push({ url: href, text });
    }
    if (HEADINGS.has(tag)) {
      flushLoose();
      section = cleanText(node.textContent ?? '');
      push('heading', null, section);
      return;
    }
    if (tag === 'TABLE') {
      flushLoose();
      readTable(node);
      collectLinks(node);
      return;
    }
    if (LEAVES.has(tag) && !hasBlockChild(node)) {
      flushLoose();
      collectLinks(node);
      const kind: BlockKind =
        tag === 'LI' || tag === 'DT' || tag === 'DD'
          ? 'item'
          : tag === 'BLOCKQUOTE'
            ? 'quote'
            : tag === 'PRE'
              ? 'code'
              : 'paragraph';
      push(kind, node, node.textContent ?? '');
      return;
    }
    if (tag === 'BR' || tag === 'DIV' || tag === 'SECTION' || tag === 'UL' || tag === 'OL') flushLoose();
    for (const child of Array.from(node.childNodes)) walk(child);
    if (tag === 'DIV' || tag === 'SECTION' || tag === 'FIGURE') flushLoose();
  };
  const collectLinks = (el: DomElement) => {
    for (const a of Array.from(el.querySelectorAll('a[href]'))) {
      const href = a.getAttribute('href');
      if (href && /^https?:\/\//i.test(href)) links.push({ url: href, text: cleanText(a.textContent ?? '') });
    }
  };

  for (const child of Array.from(body.childNodes)) walk(child);
  flushLoose();
  return { blocks, links };
}

const BLOCK_CHILDREN = 'p, ul, ol, table, pre, blockquote, div, h1, h2, h3, h4, h5, h6';

function hasBlockChild(el: DomElement): boolean {
  return el.querySelectorAll(BLOCK_CHILDREN).length > 0;
}
