// A wiki page's Markdown as HTML for the reader: links between pages become /wiki/ routes, links out
// open the original in a new tab, and everything passes through the feed sanitizer last.
//
// Threat: the wiki folder is an Obsidian vault anyone with access to the disk (or a sync service)
// can edit, so a page is as untrusted as a feed: raw <script>, on* handlers, javascript: links and
// HTML blocks must render inert. Markdown may carry raw HTML, so the sanitizer runs on marked's
// output, and only then are our own internal links turned back into paths.
import { randomBytes } from 'node:crypto';
import { Marked, type Tokens } from 'marked';
import { sanitizeHtml } from '../../content/index.js';
import { resolveWikiLink } from './page.js';

// The sanitizer keeps only absolute http(s) URLs; internal links cross it under an origin no page
// can know in advance (a page that spells it out would only link to another wiki page anyway).
const INTERNAL_ORIGIN = `https://w${randomBytes(8).toString('hex')}.wiki.invalid`;

/** The reader's address of a wiki page: `concepts/trie.md` → `/wiki/concepts/trie`. */
export function wikiHref(path: string): string {
  const route = path.endsWith('.md') ? path.slice(0, -3) : path;
  return `/wiki/${route.split('/').map(encodeURIComponent).join('/')}`;
}

/** Marked with links between pages resolved against `from`, the page being rendered. */
function markedFor(from: string): Marked {
  return new Marked({
    gfm: true,
    async: false,
    walkTokens(token) {
      if (token.type !== 'link') return;
      const link = token as Tokens.Link;
      const target = resolveWikiLink(from, link.href);
      if (target === null) return;
      const hash = link.href.indexOf('#');
      link.href = INTERNAL_ORIGIN + wikiHref(target) + (hash === -1 ? '' : link.href.slice(hash));
    },
  });
}

const ANCHOR = /<a\b[^>]*>/g;
const INTERNAL_HREF = new RegExp(` href="${INTERNAL_ORIGIN.replace(/\./g, '\\.')}(/wiki/[^"]*)"`);

/** Markdown from the page at wiki path `from`, as sanitized HTML with internal links as /wiki/ paths. */
export function renderMarkdown(markdown: string, from: string): string {
  const raw = markedFor(from).parse(markdown) as string;
  const safe = sanitizeHtml(raw, null);
  // The sanitizer escaped every attribute value, so no `>` can hide inside a tag here.
  return safe.replace(ANCHOR, (tag) => {
    const m = INTERNAL_HREF.exec(tag);
    return m ? `<a href="${m[1] ?? ''}" class="wiki-link">` : tag;
  });
}
