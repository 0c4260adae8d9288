// The knowledge wiki's pages: the index grouped by kind, one page with its front matter and
// backlinks, search results, and the source page's panel beside an article.
import { html, trusted, type Html } from '../html.js';
import type { Translate } from '../i18n.js';
import { PAGE_KINDS, wikiHref, type PageKind, type WikiHit, type WikiPage } from '../wiki/index.js';

/** Kind names as the reader shows them, singular and plural (literal t() calls, so the dictionary test sees them). */
const KIND_LABELS: Record<PageKind, (t: Translate) => [string, string]> = {
  index: (t) => [t('Index'), t('Index')],
  source: (t) => [t('Source'), t('Sources')],
  company: (t) => [t('Company'), t('Companies')],
  system: (t) => [t('System'), t('Systems')],
  concept: (t) => [t('Concept'), t('Concepts')],
  pattern: (t) => [t('Pattern'), t('Patterns')],
  skill: (t) => [t('Skill'), t('Skills')],
  raw: (t) => [t('Raw copy'), t('Raw copies')],
  log: (t) => [t('Log'), t('Log')],
  other: (t) => [t('Page'), t('Other pages')],
};

export const kindLabel = (t: Translate, kind: PageKind, plural = false): string =>
  KIND_LABELS[kind](t)[plural ? 1 : 0];

function searchForm(t: Translate, query: string): Html {
  return html`<form method="get" action="/wiki/search" class="wiki-search row" role="search">
    <input
      type="search"
      name="q"
      value="${query}"
      aria-label="${t('Search the wiki')}"
      placeholder="${t('Search the wiki')}"
    />
    <button type="submit" class="button">${t('Search')}</button>
  </form>`;
}

function pageLink(page: WikiPage): Html {
  return html`<a href="${wikiHref(page.path)}">${page.title}</a>`;
}

/** How many pages of a kind the index lists before "show all". */
const LISTED_PER_KIND = 50;

export interface WikiIndex {
  /** index.md rendered, when the wiki has one. */
  intro: Html | null;
  byKind: Map<PageKind, WikiPage[]>;
  /** Only this kind, listed in full (`/wiki?kind=concept`). */
  only: PageKind | null;
}

export function wikiIndexView(t: Translate, index: WikiIndex): Html {
  const kinds = [...PAGE_KINDS, 'other' as const].filter(
    (k) => k !== 'index' && (index.byKind.get(k)?.length ?? 0) > 0 && (!index.only || index.only === k),
  );
  const total = kinds.reduce((n, k) => n + (index.byKind.get(k)?.length ?? 0), 0);
  const group = (kind: PageKind): Html => {
    const pages = index.byKind.get(kind) ?? [];
    const shown = index.only ? pages : pages.slice(0, LISTED_PER_KIND);
    return html`<section class="wiki-group" id="kind-${kind}">
      <h2>${kindLabel(t, kind, true)} <span class="count">${pages.length}</span></h2>
      <ul class="wiki-list">
        ${shown.map((p) => html`<li>${pageLink(p)}</li>`)}
      </ul>
      ${shown.length < pages.length ? html`<p><a href="/wiki?kind=${kind}">${t('Show all {n}', { n: pages.length })} →</a></p>` : ''}
    </section>`;
  };
  return html`<div class="wiki">
    <div class="list-header">
      <h1>${t('Wiki')}</h1>
      ${searchForm(t, '')}
    </div>
    <nav class="chips wiki-kinds" aria-label="${t('Kinds of pages')}">
      ${index.only ? html`<a class="chip" href="/wiki">${t('All kinds')}</a>` : ''}
      ${kinds.map((k) => html`<a class="chip${index.only === k ? ' on' : ''}" href="/wiki?kind=${k}">${kindLabel(t, k, true)} ${index.byKind.get(k)?.length ?? 0}</a>`)}
    </nav>
    ${index.intro && !index.only ? html`<div class="content wiki-intro">${index.intro}</div>` : ''}
    <p class="muted small">${t('{n} pages', { n: total })}</p>
    ${kinds.map(group)}
  </div>`;
}

/** How to build a wiki; `dir` (where it is read from) only for administrators. */
export function wikiEmptyView(t: Translate, dir: string | null): Html {
  return html`<div class="wiki">
    <h1>${t('Wiki')}</h1>
    <div class="card wiki-empty">
      <p>
        ${t('There is no wiki yet. It distills what you read into linked pages: a source page per article, and pages for the companies, systems, concepts and patterns they mention.')}
      </p>
      <p>${t('Build it on the server with:')}</p>
      <pre><code>gleaner wiki build</code></pre>
      ${dir !== null ? html`<p class="muted small">${t('The wiki is read from {dir}; it opens as an Obsidian vault too.', { dir })}</p>` : ''}
    </div>
  </div>`;
}

function isWebUrl(value: string): boolean {
  return /^https?:\/\/[^\s"<>]+$/i.test(value);
}

function frontMatterList(t: Translate, page: WikiPage): Html {
  const rows = Object.entries(page.frontMatter)
    .filter(([key]) => key !== 'title' && key !== 'kind')
    .slice(0, 12)
    .map(([key, value]) => {
      const text = String(value);
      const shown = isWebUrl(text)
        ? html`<a href="${text}" target="_blank" rel="noopener noreferrer">${text}</a>`
        : text.length > 300
          ? `${text.slice(0, 300)}…`
          : text;
      return html`<dt>${key}</dt>
        <dd>${shown}</dd>`;
    });
  return html`<dl class="wiki-meta">
    <dt>${t('Kind')}</dt>
    <dd><a href="/wiki?kind=${page.kind}" class="chip">${kindLabel(t, page.kind)}</a></dd>
    ${rows}
  </dl>`;
}

export interface WikiPageView {
  page: WikiPage;
  /** The body as sanitized HTML. */
  body: Html;
  backlinks: WikiPage[];
  truncated: boolean;
}

export function wikiPageView(t: Translate, v: WikiPageView): Html {
  return html`<article class="wiki wiki-page" data-wiki-path="${v.page.path}">
    <nav class="article-nav">
      <a href="/wiki" class="muted">← ${t('Wiki')}</a>
      ${searchForm(t, '')}
    </nav>
    <header>
      <h1 class="article-title">${v.page.title}</h1>
      ${frontMatterList(t, v.page)}
    </header>
    ${v.truncated ? html`<p class="flash">${t('This page is very long; only its beginning is shown.')}</p>` : ''}
    <div class="content">${v.body}</div>
    <section class="backlinks">
      <h2>${t('Backlinks')} <span class="count">${v.backlinks.length}</span></h2>
      ${
        v.backlinks.length
          ? html`<ul class="wiki-list">
              ${v.backlinks.map((p) => html`<li>${pageLink(p)} <span class="muted small">${kindLabel(t, p.kind)}</span></li>`)}
            </ul>`
          : html`<p class="muted small">${t('No page links here yet.')}</p>`
      }
    </section>
    <p class="muted small wiki-path">${v.page.path}</p>
  </article>`;
}

export function wikiSearchView(t: Translate, query: string, hits: WikiHit[], more: boolean): Html {
  const results = hits.map(
    (h) =>
      html`<li class="wiki-hit">
        <h3><a href="${wikiHref(h.page.path)}">${trusted(h.titleHtml)}</a></h3>
        <p class="muted small">${kindLabel(t, h.page.kind)} · ${h.page.path}</p>
        <p class="excerpt">${trusted(h.snippetHtml)}</p>
      </li>`,
  );
  return html`<div class="wiki">
    <div class="list-header">
      <h1>${query.trim() ? t('Wiki search: {q}', { q: query.trim() }) : t('Search the wiki')}</h1>
      ${searchForm(t, query)}
    </div>
    <p><a href="/wiki" class="muted">← ${t('Wiki')}</a></p>
    ${
      !query.trim()
        ? html`<p class="empty">
            ${t('Type words to search page titles and text; "quotes" for a phrase, word* for a prefix, -word to exclude.')}
          </p>`
        : results.length
          ? html`<ol class="wiki-results">
                ${results}
              </ol>
              ${more ? html`<p class="muted small">${t('Only the best {n} matches are shown; add words to narrow the search.', { n: hits.length })}</p>` : ''}`
          : html`<p class="empty">${t('No wiki page matches.')}</p>`
    }
  </div>`;
}

export interface SourcePanel {
  page: WikiPage;
  /** The source page's Summary and Key takeaways as sanitized HTML, when it has them. */
  summary: string | null;
  takeaways: string | null;
}

/**
 * The article with its source page beside it: a side panel on wide screens, a section below that
 * folds away on phones (app.js folds it there; without script it stays open). The article alone
 * when the wiki has no source page for it.
 */
export function withSourcePanel(t: Translate, panel: SourcePanel | null, article: Html): Html {
  if (!panel) return article;
  const href = wikiHref(panel.page.path);
  return html`<div class="with-aside">
    ${article}
    <details class="wiki-panel" open data-wiki-panel>
      <summary>${t('In the wiki')}</summary>
      <div class="wiki-panel-body">
        <h2><a href="${href}">${panel.page.title}</a></h2>
        ${
          panel.summary
            ? html`<h3>${t('Summary')}</h3>
                <div class="content">${trusted(panel.summary)}</div>`
            : ''
        }
        ${
          panel.takeaways
            ? html`<h3>${t('Key takeaways')}</h3>
                <div class="content">${trusted(panel.takeaways)}</div>`
            : ''
        }
        <p><a class="button" href="${href}">${t('Open the source page')} →</a></p>
      </div>
    </details>
  </div>`;
}
