// The Fever API as Fever documented it and FreshRSS and Miniflux serve it, at /api/fever.php (where
// FreshRSS has it) and at /fever/ (where Miniflux has it). Clients POST `api_key` (the MD5 of
// "username:key", for one of the user's API keys) and put the call in the query string: `?api&feeds`,
// `?api&items&since_id=N`, `?api&mark=item&as=read&id=N`... Every parameter is read from the query
// string and from the form body alike.
//
// A wrong or missing key is answered with HTTP 200 and `auth: 0`, as Fever itself does: clients read
// the flag, and some take any other status for a network failure. Only JSON is served (no `api=xml`).
//
// Item ids are entry ids: `since_id` and `max_id` page by them, one range read of the user's entries
// in id order (the order they arrived in). unread_item_ids and saved_item_ids list every id, as
// Miniflux does (303,772 unread of a million entries: ~0.15 s, 2 MB): clients take them as the whole
// state and fetch the items they lack `with_ids`. That is how a reader who subscribes to a feed
// others read already gets its stored items, whose ids lie below any `since_id` they hold.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../model/index.js';
import type { EntryView, SubscriptionView } from '../../store/index.js';
import { bodyJson, type JsonText, jsonWithMembers, sendJson } from '../../web/encode.js';
import type { RouteContext } from '../../web/server.js';

const PATHS = ['/api/fever.php', '/fever/', '/fever'];
const API_VERSION = 3;
/** Items per call, as Fever serves them; `with_ids` takes at most this many ids. */
export const MAX_ITEMS = 50;
const FEVER_KEY = /^[0-9a-f]{32}$/i;

type Params = Record<string, unknown>;
type Json = Record<string, unknown>;

/** The first value of a parameter, from the query string or the form body. */
function param(req: FastifyRequest, name: string): string | undefined {
  for (const source of [req.query, req.body]) {
    if (!source || typeof source !== 'object') continue;
    const v = (source as Params)[name];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

const has = (req: FastifyRequest, name: string): boolean => param(req, name) !== undefined;

/** A positive id (or, with `zero`, 0) in decimal, or null. */
export function parseId(value: string | undefined, zero = false): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (!/^\d{1,16}$/.test(v)) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && (n > 0 || (zero && n === 0)) ? n : null;
}

/** `1,2,3` as at most `max` distinct ids, skipping anything that is not one. */
export function parseIdList(value: string | undefined, max: number): number[] {
  if (value === undefined) return [];
  const out = new Set<number>();
  for (const part of value.slice(0, 20 * max).split(',')) {
    const id = parseId(part);
    if (id !== null) out.add(id);
    if (out.size >= max) break;
  }
  return [...out];
}

const seconds = (ms: number | null | undefined): number => (ms ? Math.floor(ms / 1000) : 0);

/** An item, its body last (as the store quoted it: see bodyJson). */
function itemJson(v: EntryView): JsonText {
  const fields = {
    id: v.entry.id,
    feed_id: v.entry.feedId,
    title: v.entry.title,
    author: v.entry.author ?? '',
    url: v.entry.link ?? '',
    is_saved: v.starred ? 1 : 0,
    is_read: v.read ? 1 : 0,
    created_on_time: seconds(v.entry.publishedAt),
  };
  return jsonWithMembers(fields, [['html', bodyJson(v)]]);
}

export function registerFeverApi(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock } = ctx.deps;

  async function caller(req: FastifyRequest): Promise<User | null> {
    const key = param(req, 'api_key')?.trim();
    if (!key || !FEVER_KEY.test(key)) return null;
    return store.findUserByFeverKey(key.toLowerCase(), clock());
  }

  function feedsGroups(subs: readonly SubscriptionView[]): Json[] {
    const byFolder = new Map<number, number[]>();
    for (const s of subs) {
      const folderId = s.subscription.folderId;
      if (folderId === null) continue;
      const list = byFolder.get(folderId) ?? [];
      list.push(s.feed.id);
      byFolder.set(folderId, list);
    }
    return [...byFolder].map(([groupId, ids]) => ({ group_id: groupId, feed_ids: ids.join(',') }));
  }

  /** Every id of the user's unread or starred entries, newest first, as Fever lists them. */
  async function stateIds(userId: number, state: 'unread' | 'starred'): Promise<string> {
    return (await store.stateEntryIds(userId, state)).join(',');
  }

  /** The user's items with ids above `since` (ascending) or below `max` (descending), at most MAX_ITEMS. */
  function itemsById(userId: number, from: { since: number } | { max: number }): Promise<EntryView[]> {
    const up = 'since' in from;
    return store.queryEntries({
      userId,
      status: 'all',
      withContent: 'json',
      shape: 'item',
      sortBy: 'id',
      order: up ? 'oldest' : 'newest',
      ...(up ? { idAbove: from.since } : { idBelow: from.max }),
      limit: MAX_ITEMS,
    });
  }

  async function items(req: FastifyRequest, userId: number): Promise<JsonText[]> {
    let views: EntryView[];
    if (has(req, 'with_ids')) {
      const ids = parseIdList(param(req, 'with_ids'), MAX_ITEMS);
      views = ids.length
        ? await store.queryEntries({
            userId,
            entryIds: ids,
            status: 'all',
            limit: MAX_ITEMS,
            withContent: 'json',
            shape: 'item',
          })
        : [];
      views.sort((a, b) => a.entry.id - b.entry.id);
    } else if (has(req, 'max_id')) {
      // 0 is where a client starts paging down ("or 0 initially", as the API says): the newest.
      const max = parseId(param(req, 'max_id'), true);
      views = max === null ? [] : await itemsById(userId, { max: max === 0 ? Number.MAX_SAFE_INTEGER : max });
    } else {
      const since = has(req, 'since_id') ? parseId(param(req, 'since_id'), true) : 0;
      views = since === null ? [] : await itemsById(userId, { since });
    }
    return views.map(itemJson);
  }

  /** Carries out a `mark` call; nothing changes when it names nothing the user has. */
  async function mark(req: FastifyRequest, user: User): Promise<Json> {
    const what = param(req, 'mark');
    const as = param(req, 'as');
    const now = clock();
    if (what === 'item') {
      const id = parseId(param(req, 'id'));
      if (id === null) return {};
      if (as === 'read' || as === 'unread') {
        await store.setEntryState(user.id, [id], { read: as === 'read' }, now);
        ctx.countsChanged(user.id);
        return { unread_item_ids: await stateIds(user.id, 'unread') };
      }
      if (as === 'saved' || as === 'unsaved') {
        await store.setEntryState(user.id, [id], { starred: as === 'saved' }, now);
        return { saved_item_ids: await stateIds(user.id, 'starred') };
      }
      return {};
    }
    if ((what !== 'feed' && what !== 'group') || as !== 'read') return {};
    const beforeRaw = param(req, 'before');
    // Whole seconds; a fraction (some clients send one) is dropped, as FreshRSS drops it.
    const before = beforeRaw === undefined ? null : parseId(beforeRaw.replace(/\.\d{1,9}$/, ''), true);
    if (beforeRaw !== undefined && before === null) return {};
    // `before` is when the client last fetched items (or, for some clients, the created_on_time of
    // the newest one it showed): what had arrived by then, that second included, is marked. An item
    // that arrived later stays unread whatever its date: a feed fetched an hour after it published
    // must not be marked read by a client that never saw it (as FreshRSS, which compares arrivals).
    const arrivedBefore = before === null ? undefined : (before + 1) * 1000;
    const scope = arrivedBefore === undefined ? {} : { arrivedBefore };
    const id = parseId(param(req, 'id'), true);
    if (id === null) return {};
    if (what === 'feed') {
      const subs = await ctx.subscriptions(user.id);
      if (!subs.some((s) => s.feed.id === id)) return {};
      await store.markAllRead(user.id, { ...scope, feedId: id }, now);
    } else if (id === 0) {
      // Group 0 is Fever's "Kindling": every feed.
      await store.markAllRead(user.id, scope, now);
    } else {
      const folders = await store.listFolders(user.id);
      if (!folders.some((f) => f.id === id)) return {};
      await store.markAllRead(user.id, { ...scope, folderId: id }, now);
    }
    ctx.countsChanged(user.id);
    return { unread_item_ids: await stateIds(user.id, 'unread') };
  }

  async function handler(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    reply.header('Cache-Control', 'no-store');
    const user = await caller(req);
    if (!user) return reply.send({ api_version: API_VERSION, auth: 0, last_refreshed_on_time: 0 });
    const subs = await ctx.subscriptions(user.id);
    const lastRefreshed = Math.max(0, ...subs.map((s) => seconds(s.feed.lastSuccessAt)));
    const out: Json = { api_version: API_VERSION, auth: 1, last_refreshed_on_time: lastRefreshed };

    if (has(req, 'mark')) Object.assign(out, await mark(req, user));
    if (has(req, 'groups')) {
      const folders = await store.listFolders(user.id);
      out.groups = folders.map((f) => ({ id: f.id, title: f.name }));
      out.feeds_groups = feedsGroups(subs);
    }
    if (has(req, 'feeds')) {
      out.feeds = subs.map((s) => ({
        id: s.feed.id,
        favicon_id: s.hasIcon ? s.feed.id : 0,
        title: s.subscription.title ?? s.feed.title ?? s.feed.url,
        url: s.feed.url,
        site_url: s.feed.siteUrl ?? '',
        is_spark: 0,
        last_updated_on_time: seconds(s.feed.lastSuccessAt),
      }));
      out.feeds_groups = feedsGroups(subs);
    }
    if (has(req, 'favicons')) {
      const favicons: Json[] = [];
      for (const s of subs) {
        if (!s.hasIcon) continue;
        const icon = await store.getFeedIcon(s.feed.id);
        if (!icon) continue;
        favicons.push({
          id: s.feed.id,
          data: `${icon.contentType};base64,${Buffer.from(icon.data).toString('base64')}`,
        });
      }
      out.favicons = favicons;
    }
    if (has(req, 'items')) {
      out.items = await items(req, user.id);
      out.total_items = subs.reduce((n, s) => n + s.entryCount, 0);
    }
    if (has(req, 'links')) out.links = [];
    if (has(req, 'unread_item_ids')) out.unread_item_ids = await stateIds(user.id, 'unread');
    if (has(req, 'saved_item_ids')) out.saved_item_ids = await stateIds(user.id, 'starred');
    return sendJson(reply, out);
  }

  // Some clients send their form as multipart/form-data, which only these routes accept.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (req, body, next) => next(null, parseMultipart(String(req.headers['content-type']), String(body))),
    );
    // Clients that send their form with no content type, or call it text or JSON, mean its fields:
    // any body that is not multipart is read as a form (one that is none has no key: auth 0).
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, next) =>
      next(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    // A request that cannot be read (a body over the limit, say) answers in Fever's shape too;
    // anything else goes on to the server's handler, which logs it.
    scope.setErrorHandler((error, _req, reply) => {
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status !== 'number' || status < 400 || status >= 500) throw error;
      return reply.code(status).send({ api_version: API_VERSION, auth: 0, last_refreshed_on_time: 0 });
    });
    for (const url of PATHS) {
      scope.route({ method: ['GET', 'POST'], url, config: { csrf: false }, handler });
    }
    done();
  });
}

/** The text fields of a multipart/form-data body (files are skipped), as a form body. */
export function parseMultipart(contentType: string, body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const boundary = /boundary=(?:"([^"]{1,200})"|([^;\s]{1,200}))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return fields;
  for (const part of body.split(`--${mark}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]{1,100})"/i.exec(head)?.[1];
    if (!name || /filename=/i.test(head) || name in fields) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}
