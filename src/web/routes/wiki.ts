// The knowledge wiki in the reader: the index (/wiki), a page (/wiki/<path without .md>) with its
// backlinks, and search (/wiki/search?q=). Signed-in users only, as every reading page.
import type { FastifyInstance } from 'fastify';
import { trusted } from '../html.js';
import type { RouteContext } from '../server.js';
import { layout } from '../views/layout.js';
import {
  wikiEmptyView,
  wikiIndexView,
  wikiPageView,
  wikiSearchView,
  type SourcePanel,
} from '../views/wiki.js';
import {
  bodyWithoutTitle,
  PAGE_KINDS,
  renderMarkdown,
  sections,
  wikiFor,
  type PageKind,
  type WikiPage,
  type WikiSnapshot,
} from '../wiki/index.js';
import { notFound, pageData, requireUser, sendHtml } from './page.js';

const SEARCH_LIMIT = 50;

function isKind(value: unknown): value is PageKind {
  return (
    typeof value === 'string' && (value === 'other' || (PAGE_KINDS as readonly string[]).includes(value))
  );
}

export function registerWikiRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const dir = ctx.deps.options.wikiDir;
  // Read the folder at start-up, so the first page view does not wait for a large wiki to load.
  wikiFor(dir)
    .snapshot()
    .catch((error: unknown) =>
      ctx.deps.log.warn('could not read the wiki folder', { dir, error: String(error) }),
    );

  app.get<{ Querystring: { kind?: string } }>('/wiki', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const wiki = await wikiFor(dir).snapshot();
    const page = await pageData(ctx, viewer, 'wiki');
    if (wiki.pages.size === 0)
      return sendHtml(reply, layout(page, t('Wiki'), wikiEmptyView(t, viewer.user.isAdmin ? dir : null)));
    const byKind = new Map<PageKind, WikiPage[]>();
    for (const p of wiki.pages.values()) {
      const list = byKind.get(p.kind) ?? [];
      list.push(p);
      byKind.set(p.kind, list);
    }
    for (const list of byKind.values()) list.sort((a, b) => a.title.localeCompare(b.title));
    const index = wiki.pages.get('index.md');
    const only = isKind(req.query.kind) ? req.query.kind : null;
    const main = wikiIndexView(t, {
      intro: index ? trusted(renderMarkdown(index.body, index.path)) : null,
      byKind,
      only,
    });
    return sendHtml(reply, layout(page, t('Wiki'), main));
  });

  app.get<{ Querystring: { q?: string } }>('/wiki/search', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const query = typeof req.query.q === 'string' ? req.query.q.slice(0, 1000) : '';
    const wiki = await wikiFor(dir).snapshot();
    const result = query.trim() ? await wiki.search(query, SEARCH_LIMIT) : { hits: [], more: false };
    const page = await pageData(ctx, viewer, 'wiki');
    const title = query.trim() ? t('Wiki search: {q}', { q: query.trim() }) : t('Search the wiki');
    return sendHtml(reply, layout(page, title, wikiSearchView(t, query, result.hits, result.more)));
  });

  app.get<{ Params: { '*': string } }>('/wiki/*', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    // The snapshot serves only pages its walk found inside the folder: `..`, absolute paths,
    // hidden folders, NUL bytes and symbolic links are never among them.
    const wiki = await wikiFor(dir).snapshot();
    const found = wiki.find(req.params['*']);
    if (!found) return notFound(reply);
    const page = await pageData(ctx, viewer, 'wiki');
    const main = wikiPageView(viewer.t, {
      page: found,
      body: trusted(renderMarkdown(bodyWithoutTitle(found), found.path)),
      backlinks: wiki.backlinks(found.path),
      truncated: wiki.truncated(found.path),
    });
    return sendHtml(reply, layout(page, found.title, main));
  });
}

/** The source page of an article, as the panel beside it shows it; null when the wiki has none. */
export async function articleSource(
  dir: string,
  url: string | null,
  entryId: number,
): Promise<SourcePanel | null> {
  const wiki: WikiSnapshot = await wikiFor(dir).snapshot();
  const page = wiki.sourceFor(url, entryId);
  if (!page) return null;
  const parts = sections(page.body);
  const part = (name: string): string | null => {
    const text = parts.get(name);
    return text?.trim() ? renderMarkdown(text, page.path) : null;
  };
  return { page, summary: part('summary'), takeaways: part('key takeaways') };
}
