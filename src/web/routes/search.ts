// Full-text search over the user's entries: words, "phrases", prefix*, -exclusions and OR, in
// English and Chinese alike, with filters (feed, folder, date, unread, starred) and highlighted
// snippets.
import type { FastifyInstance } from 'fastify';
import type { SearchQuery, SubscriptionView } from '../../store/index.js';
import { html, trusted, type Html } from '../html.js';
import type { RouteContext } from '../server.js';
import { entryList, type ListPage } from '../views/entries.js';
import { feedName } from '../views/common.js';
import { layout } from '../views/layout.js';
import { pageData, requireUser, sendHtml } from './page.js';

interface SearchParams {
  q?: string;
  feed?: string;
  folder?: string;
  since?: string;
  status?: string;
  starred?: string;
  sort?: string;
  page?: string;
}

const PAGE_SIZE = 30;
const MAX_PAGES = 34;
const SINCE_DAYS: Record<string, number> = { day: 1, week: 7, month: 31, year: 366 };

function option(value: string, label: string, current: string | undefined): Html {
  return html`<option value="${value}" ${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
}

// A thousand feeds make a thousand options, the same on every search while the subscriptions
// stand: made once per subscriptions array (see ctx.library), one option's mark put in per page.
const feedOptionsMade = new WeakMap<readonly SubscriptionView[], { each: string[]; all: string }>();

function feedOptions(subs: readonly SubscriptionView[], current: string | undefined): Html {
  let made = feedOptionsMade.get(subs);
  if (!made) {
    const each = subs.map((s) => option(String(s.feed.id), feedName(s), undefined).value);
    made = { each, all: each.join('') };
    feedOptionsMade.set(subs, made);
  }
  const at = current ? subs.findIndex((s) => String(s.feed.id) === current) : -1;
  const chosen = subs[at];
  if (!chosen) return trusted(made.all);
  const { each } = made;
  return trusted(
    [
      ...each.slice(0, at),
      option(current ?? '', feedName(chosen), current).value,
      ...each.slice(at + 1),
    ].join(''),
  );
}

export function registerSearchRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock } = ctx.deps;

  app.get<{ Querystring: SearchParams }>('/search', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const p = req.query;
    const text = typeof p.q === 'string' ? p.q.slice(0, 1000) : '';
    const page = await pageData(ctx, viewer, 'search', text);
    const pageNumber = Math.min(MAX_PAGES, Math.max(1, Math.floor(Number(p.page)) || 1));
    const feedId = Number(p.feed);
    const folderId = Number(p.folder);
    const days = SINCE_DAYS[p.since ?? ''];
    const query: SearchQuery = {
      userId: viewer.user.id,
      text,
      limit: PAGE_SIZE + 1,
      offset: (pageNumber - 1) * PAGE_SIZE,
      sort: p.sort === 'newest' ? 'newest' : 'relevance',
      ...(p.feed && Number.isSafeInteger(feedId) ? { feedId } : {}),
      ...(p.folder && Number.isSafeInteger(folderId) ? { folderId } : {}),
      ...(days ? { since: clock() - days * 86_400_000 } : {}),
      ...(p.status === 'unread' ? { status: 'unread' as const } : {}),
      ...(p.starred === '1' ? { starred: true } : {}),
    };
    const hits = text.trim() ? await store.searchEntries(query) : [];
    const shown = hits.slice(0, PAGE_SIZE);
    const link = (n: number): string => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(p))
        if (typeof v === 'string' && v && k !== 'page') params.set(k, v);
      params.set('page', String(n));
      return `/search?${params.toString()}`;
    };
    const filters = html`<form method="get" action="/search" class="search-filters row">
      <input
        type="search"
        name="q"
        value="${text}"
        aria-label="${t('Search')}"
        placeholder="${t('Search')}"
      />
      <select name="feed" aria-label="${t('Feed')}">
        ${option('', t('All feeds'), p.feed)}${feedOptions(page.subs, p.feed)}
      </select>
      <select name="folder" aria-label="${t('Folder')}">
        ${option('', t('All folders'), p.folder)}${page.folders.map((f) => option(String(f.id), f.name, p.folder))}
      </select>
      <select name="since" aria-label="${t('Date')}">
        ${option('', t('Any time'), p.since)}${option('day', t('Past day'), p.since)}${option('week', t('Past week'), p.since)}${option('month', t('Past month'), p.since)}${option('year', t('Past year'), p.since)}
      </select>
      <select name="sort" aria-label="${t('Sort')}">
        ${option('', t('Best match'), p.sort)}${option('newest', t('Newest first'), p.sort)}
      </select>
      <label class="inline"
        ><input type="checkbox" name="status" value="unread" ${p.status === 'unread' ? html` checked` : ''} />
        ${t('Unread')}</label
      >
      <label class="inline"
        ><input type="checkbox" name="starred" value="1" ${p.starred === '1' ? html` checked` : ''} />
        ${t('Starred')}</label
      >
      <button type="submit" class="button">${t('Search')}</button>
    </form>`;
    const list: ListPage = {
      title: text.trim() ? t('Search: {q}', { q: text.trim() }) : t('Search'),
      context: 'all',
      entries: shown.map((h) => h.view),
      newerHref: pageNumber > 1 ? link(pageNumber - 1) : null,
      olderHref: hits.length > PAGE_SIZE && pageNumber < MAX_PAGES ? link(pageNumber + 1) : null,
      markAllRead: null,
      filters,
      flash: null,
      empty: text.trim()
        ? t('Nothing matches. Try fewer words, a prefix like secur*, or other filters.')
        : t(
            'Type words to search titles and content; "quotes" for a phrase, word* for a prefix, -word to exclude.',
          ),
      snippets: new Map(shown.map((h) => [h.view.entry.id, trusted(h.snippetHtml)])),
      titles: new Map(shown.map((h) => [h.view.entry.id, trusted(h.titleHtml)])),
      publishTarget: text.trim() ? `search:${text.trim()}` : null,
    };
    return sendHtml(reply, layout(page, list.title, entryList(page, list, req.url)));
  });
}
