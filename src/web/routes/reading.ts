// Reading: entry lists (unread, all, starred, read later, a feed, a folder, a tag), the article,
// read/star/read-later changes, mark all read with undo, and the unread counts for in-place updates.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { articleOfEntry } from '../../ingest/article.js';
import { GleanerError } from '../../model/errors.js';
import type { EntryQuery, EntryView } from '../../store/index.js';
import { html, type Html } from '../html.js';
import { relatedEntries } from '../related.js';
import { wantsJson, type RouteContext } from '../server.js';
import { actionButton, subscriptionIndex } from '../views/common.js';
import { articleView, entryList, splitContext, type ListPage } from '../views/entries.js';
import { layout } from '../views/layout.js';
import { withSourcePanel } from '../views/wiki.js';
import { articleSource } from './wiki.js';
import { backTo, field, notFound, pageData, requireUser, sendHtml, type SignedIn } from './page.js';

interface ListQuery {
  status?: string;
  order?: string;
  after?: string;
  before?: string;
  undo?: string;
  marked?: string;
}

type Position = { publishedAt: number; id: number };

function parseCursor(value: string | undefined): Position | null {
  const m = value ? /^(-?\d{1,16})\.(\d{1,16})$/.exec(value) : null;
  return m ? { publishedAt: Number(m[1]), id: Number(m[2]) } : null;
}

const cursorOf = (view: EntryView): string => `${view.entry.publishedAt}.${view.entry.id}`;

/** The entries a list context covers, without status, order or paging. */
export function contextQuery(context: string): Omit<EntryQuery, 'userId' | 'limit'> | null {
  const [kind, value] = splitContext(context);
  const id = Number(value);
  switch (kind) {
    case 'unread':
      return { status: 'unread' };
    case 'all':
      return {};
    case 'starred':
      return { starred: true };
    case 'later':
      return { readLater: true };
    case 'feed':
      return Number.isSafeInteger(id) && id > 0 ? { feedId: id } : null;
    case 'folder':
      return Number.isSafeInteger(id) && id > 0 ? { folderId: id } : null;
    case 'tag':
      return value ? { tags: [value] } : null;
    default:
      return null;
  }
}

function withParams(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

/** An article's query: the list it was opened from, and what fetching its full text came to. */
type ArticleQuery = { in?: string; article?: string };

export function registerReadingRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock } = ctx.deps;

  interface ListSpec {
    context: string;
    title: (viewer: SignedIn) => Promise<string | null>;
    /** The status is fixed (the unread list) or follows the request and settings. */
    fixedStatus?: 'unread';
    /** Starred and saved entries stay listed once read, unless asked otherwise. */
    defaultAll?: boolean;
    markScope: Record<string, string | number> | null;
  }

  async function showList(
    req: FastifyRequest<{ Querystring: ListQuery }>,
    reply: FastifyReply,
    spec: ListSpec,
  ): Promise<FastifyReply> {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const base = contextQuery(spec.context);
    const title = await spec.title(viewer);
    if (!base || title === null) return notFound(reply);
    const q = req.query;
    const s = viewer.settings;
    const order = q.order === 'oldest' || q.order === 'newest' ? q.order : s.order;
    const status =
      spec.fixedStatus ??
      (q.status === 'all' || q.status === 'unread'
        ? q.status
        : s.unreadOnly && !spec.defaultAll
          ? 'unread'
          : 'all');
    const path = req.url.split('?')[0] ?? '/';
    const keep = { status: q.status, order: q.order };
    const query: EntryQuery = {
      ...base,
      userId: viewer.user.id,
      limit: s.perPage + 1,
      order,
      shape: 'list',
    };
    if (!spec.fixedStatus && status !== 'all') query.status = status;
    const before = parseCursor(q.before);
    const after = parseCursor(q.after);
    let entries: EntryView[];
    let newer: string | null = null;
    let older: string | null = null;
    if (before) {
      // Walking back: the page just before `before`, read in the other order and turned around.
      const rows = await store.queryEntries({
        ...query,
        order: order === 'newest' ? 'oldest' : 'newest',
        after: before,
      });
      const more = rows.length > s.perPage;
      entries = rows.slice(0, s.perPage).reverse();
      const first = entries[0];
      const last = entries[entries.length - 1];
      if (more && first) newer = withParams(path, { ...keep, before: cursorOf(first) });
      if (last) older = withParams(path, { ...keep, after: cursorOf(last) });
    } else {
      const rows = await store.queryEntries({ ...query, ...(after ? { after } : {}) });
      entries = rows.slice(0, s.perPage);
      const first = entries[0];
      const last = entries[entries.length - 1];
      if (rows.length > s.perPage && last) older = withParams(path, { ...keep, after: cursorOf(last) });
      if (after && first) newer = withParams(path, { ...keep, before: cursorOf(first) });
    }
    const page = await pageData(ctx, viewer, spec.context);
    const currentUrl = req.url;
    const toggle = (label: string, params: Record<string, string | undefined>, on: boolean): Html =>
      html`<a
        class="chip${on ? ' on' : ''}"
        href="${withParams(path, params)}"
        ${on ? html` aria-current="true"` : ''}
        >${label}</a
      >`;
    const filters = html`<span class="chips"
      >${spec.fixedStatus ? '' : html`${toggle(t('Unread'), { status: 'unread', order: q.order }, status === 'unread')}${toggle(t('All'), { status: 'all', order: q.order }, status === 'all')}`}${toggle(t('Newest first'), { status: q.status, order: 'newest' }, order === 'newest')}${toggle(t('Oldest first'), { status: q.status, order: 'oldest' }, order === 'oldest')}</span
    >`;
    const list: ListPage = {
      title,
      context: spec.context,
      entries,
      newerHref: newer,
      olderHref: older,
      markAllRead: spec.markScope,
      filters,
      flash: undoFlash(viewer, q),
      empty: status === 'unread' ? t('Nothing unread here.') : t('No entries here.'),
    };
    return sendHtml(reply, layout(page, title, entryList(page, list, currentUrl)));
  }

  function undoFlash(viewer: SignedIn, q: ListQuery): Html | null {
    const at = Number(q.undo);
    const marked = Number(q.marked);
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(marked) || !q.undo) return null;
    const t = viewer.t;
    return html`<div class="flash" role="status">
      ${marked === 1 ? t('Marked 1 entry read.') : t('Marked {n} entries read.', { n: marked })}
      ${marked > 0 ? actionButton(viewer, '/mark-all-read/undo', t('Undo'), { fields: { at }, className: 'link' }) : ''}
    </div>`;
  }

  const fixedTitle = (message: string) => (viewer: SignedIn) => Promise.resolve(viewer.t(message));

  app.get('/', async (req, reply) => reply.redirect(req.viewer.user ? '/unread' : '/login', 303));
  app.get<{ Querystring: ListQuery }>('/unread', (req, reply) =>
    showList(req, reply, {
      context: 'unread',
      title: fixedTitle('Unread'),
      fixedStatus: 'unread',
      markScope: {},
    }),
  );
  app.get<{ Querystring: ListQuery }>('/all', (req, reply) =>
    showList(req, reply, { context: 'all', title: fixedTitle('All entries'), markScope: {} }),
  );
  app.get<{ Querystring: ListQuery }>('/starred', (req, reply) =>
    showList(req, reply, {
      context: 'starred',
      title: fixedTitle('Starred'),
      markScope: null,
      defaultAll: true,
    }),
  );
  app.get<{ Querystring: ListQuery }>('/later', (req, reply) =>
    showList(req, reply, {
      context: 'later',
      title: fixedTitle('Read later'),
      markScope: null,
      defaultAll: true,
    }),
  );
  app.get<{ Params: { id: string }; Querystring: ListQuery }>('/feed/:id', (req, reply) =>
    showList(req, reply, {
      context: `feed:${req.params.id}`,
      title: async (viewer) => {
        const id = Number(req.params.id);
        const subs = subscriptionIndex(await ctx.subscriptions(viewer.user.id));
        const sub = String(id) === req.params.id ? subs.get(id) : undefined;
        return sub ? (sub.subscription.title ?? sub.feed.title ?? sub.feed.url) : null;
      },
      markScope: { feedId: req.params.id },
    }),
  );
  app.get<{ Params: { id: string }; Querystring: ListQuery }>('/folder/:id', (req, reply) =>
    showList(req, reply, {
      context: `folder:${req.params.id}`,
      title: async (viewer) =>
        (await ctx.library(viewer.user.id)).folders.find((f) => String(f.id) === req.params.id)?.name ?? null,
      markScope: { folderId: req.params.id },
    }),
  );
  app.get<{ Params: { tag: string }; Querystring: ListQuery }>('/tag/:tag', (req, reply) =>
    showList(req, reply, {
      context: `tag:${req.params.tag.toLowerCase()}`,
      title: (viewer) => Promise.resolve(viewer.t('Tagged “{tag}”', { tag: req.params.tag.toLowerCase() })),
      markScope: null,
    }),
  );

  app.get<{ Params: { id: string }; Querystring: ArticleQuery }>('/entry/:id', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) return notFound(reply);
    const userId = viewer.user.id;
    const [view] = await store.queryEntries({ userId, entryIds: [id], limit: 1 });
    if (!view) return notFound(reply);
    // Opening marks read, but not when another site made the browser load the page.
    if (viewer.settings.markReadOnOpen && !view.read && req.headers['sec-fetch-site'] !== 'cross-site') {
      const changed = await store.setEntryState(userId, [id], { read: true }, clock());
      if (changed > 0) ctx.countsChanged(userId, view.entry.feedId);
      view.read = true;
    }
    const context = req.query.in && contextQuery(req.query.in) ? req.query.in : 'all';
    const base = contextQuery(context) ?? {};
    const position = { publishedAt: view.entry.publishedAt, id };
    const [next, previous, tags] = await Promise.all([
      store.queryEntries({ ...base, userId, order: 'newest', after: position, limit: 1, shape: 'list' }),
      store.queryEntries({ ...base, userId, order: 'oldest', after: position, limit: 1, shape: 'list' }),
      store.entryTags([id]),
    ]);
    const entryTags = tags.get(id) ?? [];
    const [related, source] = await Promise.all([
      relatedEntries(store, userId, view.entry, entryTags, 5),
      articleSource(ctx.deps.options.wikiDir, view.entry.link, id),
    ]);
    const page = await pageData(ctx, viewer, context);
    return sendHtml(
      reply,
      layout(
        page,
        view.entry.title || viewer.t('(untitled)'),
        withSourcePanel(
          viewer.t,
          source,
          articleView(
            page,
            {
              view,
              context,
              tags: entryTags,
              previous: previous[0] ?? null,
              next: next[0] ?? null,
              related,
              proxyImages: ctx.deps.options.proxyImages,
              flash: articleFlash(viewer, req.query.article),
            },
            req.url,
          ),
        ),
      ),
    );
  });

  /** What fetching the full article came to, told on the article's page. */
  function articleFlash(viewer: SignedIn, outcome: string | undefined): Html | null {
    const t = viewer.t;
    const say = (message: string, role: 'status' | 'alert') =>
      html`<div class="${role === 'alert' ? 'error' : 'flash'}" role="${role}">${message}</div>`;
    switch (outcome) {
      case 'fetched':
        return say(t('The full article was fetched from its page.'), 'status');
      case 'none':
        return say(t('No article was found on its page; the feed’s text stays.'), 'status');
      case 'failed':
        return say(t('Its page could not be fetched; try again later.'), 'alert');
      case 'selector':
        return say(
          t(
            'The feed’s selectors could not be used on its page: make them simpler in the feed’s fetch options.',
          ),
          'alert',
        );
      default:
        return null;
    }
  }

  // The entry's full article, fetched from its page now (Miniflux's "fetch original content"): it
  // replaces the body for every reader of the feed, as a feed that asks for full articles would.
  app.post<{ Params: { id: string } }>('/entry/:id/full-article', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) return notFound(reply);
    const [view] = await store.queryEntries({ userId: viewer.user.id, entryIds: [id], limit: 1 });
    if (!view?.entry.link) return notFound(reply);
    let outcome: 'fetched' | 'none' | 'failed' | 'selector';
    try {
      const entry = { id, feedId: view.entry.feedId, link: view.entry.link };
      outcome = (await articleOfEntry(
        { store, fetcher: ctx.deps.fetcher, clock, extractArticle: ctx.deps.extractArticle },
        entry,
        true,
      ))
        ? 'fetched'
        : 'none';
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      ctx.deps.log.info('full article fetch failed', { entryId: id, error: err.message });
      // A page that fails is the site's; the feed's selectors (too costly here) are the user's.
      outcome = err.code === 'USAGE' ? 'selector' : 'failed';
    }
    if (wantsJson(req)) return { id, outcome };
    const back = new URL(backTo(req, `/entry/${id}`), 'http://gleaner.invalid');
    back.searchParams.set('article', outcome);
    return reply.redirect(`${back.pathname}${back.search}`, 303);
  });

  // One entry's state: form fields read/starred/readLater, each "1" or "0".
  app.post<{ Params: { id: string } }>('/entry/:id/state', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id)) return notFound(reply);
    const change = stateChange((name) => field(req, name));
    await store.setEntryState(viewer.user.id, [id], change, clock());
    const [view] = await store.queryEntries({ userId: viewer.user.id, entryIds: [id], limit: 1 });
    if (!view) return notFound(reply);
    if (wantsJson(req)) return { id, read: view.read, starred: view.starred, readLater: view.readLater };
    return reply.redirect(backTo(req, `/entry/${id}`), 303);
  });

  // Several entries at once (marking read while scrolling): JSON {ids: [...], read: true}.
  app.post('/entries/state', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const body = req.body as { ids?: unknown; read?: unknown; starred?: unknown; readLater?: unknown } | null;
    const ids = Array.isArray(body?.ids) ? body.ids.filter((n): n is number => Number.isSafeInteger(n)) : [];
    if (ids.length === 0 || ids.length > 1000)
      return reply.code(400).send({ error: 'give 1 to 1000 entry ids' });
    const change = stateChange((name) => {
      const v = (body as Record<string, unknown>)[name];
      return v === true ? '1' : v === false ? '0' : '';
    });
    const changed = await store.setEntryState(viewer.user.id, ids, change, clock());
    return { changed };
  });

  app.post('/mark-all-read', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const now = clock();
    const feedId = Number(field(req, 'feedId'));
    const folderId = Number(field(req, 'folderId'));
    const days = Number(field(req, 'olderThanDays'));
    const scope = {
      ...(field(req, 'feedId') && Number.isSafeInteger(feedId) ? { feedId } : {}),
      ...(field(req, 'folderId') && Number.isSafeInteger(folderId) ? { folderId } : {}),
      ...(field(req, 'olderThanDays') && days > 0 && days < 100_000
        ? { publishedBefore: now - days * 86_400_000 }
        : {}),
    };
    const marked = await store.markAllRead(viewer.user.id, scope, now);
    if (wantsJson(req)) return { marked, undo: now };
    const back = backTo(req, '/unread').split('?')[0] ?? '/unread';
    return reply.redirect(withParams(back, { undo: String(now), marked: String(marked) }), 303);
  });

  app.post('/mark-all-read/undo', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const at = Number(field(req, 'at'));
    if (!Number.isSafeInteger(at)) return reply.code(400).send({ error: 'which mark to undo?' });
    const restored = await store.undoMarkAllRead(viewer.user.id, at, clock());
    if (wantsJson(req)) return { restored };
    return reply.redirect(backTo(req, '/unread'), 303);
  });

  // Refresh all of the user's feeds now, in the background: a page does not wait for a thousand
  // fetches. The page script polls the counts after it.
  app.post('/refresh', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const userId = viewer.user.id;
    const feedIds = (await ctx.subscriptions(userId)).map((s) => s.feed.id);
    const started = ctx.refreshInBackground(userId, feedIds);
    if (wantsJson(req)) return { started };
    return reply.redirect(backTo(req, '/unread'), 303);
  });

  // Unread counts for the sidebar and the title, polled by the page script.
  app.get('/api/counts', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const subs = await ctx.subscriptions(viewer.user.id);
    const feeds: Record<string, number> = {};
    const folders: Record<string, number> = {};
    let total = 0;
    for (const s of subs) {
      feeds[s.feed.id] = s.unreadCount;
      const folderId = s.subscription.folderId;
      if (folderId !== null) folders[folderId] = (folders[folderId] ?? 0) + s.unreadCount;
      total += s.unreadCount;
    }
    return { total, feeds, folders };
  });
}

function stateChange(get: (name: string) => string): {
  read?: boolean;
  starred?: boolean;
  readLater?: boolean;
} {
  const change: { read?: boolean; starred?: boolean; readLater?: boolean } = {};
  for (const name of ['read', 'starred', 'readLater'] as const) {
    const v = get(name);
    if (v === '1' || v === '0') change[name] = v === '1';
  }
  return change;
}
