// The Google Reader API as FreshRSS serves it (under /api/greader.php) and as Miniflux serves it (at
// the root): ClientLogin, subscriptions, folders as labels, streams as JSON and as Atom (what
// newsboat's FeedHQ backend reads), read and starred state, labels on items (as FreshRSS's tags: a
// label names a folder first, else the items so labelled), mark all read.
//
// Auth tokens are `<username>/<secret>`, issued by ClientLogin without writing anything: when the
// client logs in with an API key, the secret is that key; with the password, it is a hash of the
// user's stored password hash (as FreshRSS does), so changing the password revokes it. The write
// token (T) is a hash of the auth token, so it needs no storage either; as FreshRSS, a call without
// one is taken too (these calls sign in by header, which no browser sends by itself).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GleanerError } from '../../model/errors.js';
import { xmlAttr, xmlText } from '../../content/xml.js';
import type { Entry, User } from '../../model/index.js';
import { isoTime } from '../../model/time.js';
import type { EntryQuery, EntryView, SubscriptionView } from '../../store/index.js';
import { buildOpml, parseOpml } from '../../feed/opml/index.js';
import { exportFeeds, fetchedOf, importFeeds, subscribeToUrl } from '../../subscribe/index.js';
import { sameToken } from '../../web/auth.js';
import { bodyJson, JsonText, sendJson } from '../../web/encode.js';
import { subscriptionIndex } from '../../web/views/common.js';
import type { RouteContext } from '../../web/server.js';
import { userFromApiKey, userFromCredentials } from '../auth.js';

// newsboat 2.21 appends "/accounts/ClientLogin" and "/reader/..." to its feedhq-url: given the
// address with a slash at the end, as people copy it, its requests start with a double slash.
const PREFIXES = ['/api/greader.php', '', '/api/greader.php/'];
const STATE = 'user/-/state/com.google/';
const READING_LIST = `${STATE}reading-list`;
const READ = `${STATE}read`;
const STARRED = `${STATE}starred`;
const UNREAD = `${STATE}unread`;
const KEPT_UNREAD = `${STATE}kept-unread`;
const LABEL = 'user/-/label/';
const ITEM_PREFIX = 'tag:google.com,2005:reader/item/';
const MAX_ITEMS = 1000;
const DEFAULT_ITEMS = 20;
const MAX_IDS = 10_000;
/** Labels one edit-tag puts on or takes off its items, at most. */
const MAX_LABELS_AT_ONCE = 20;
const PASSWORD_TOKEN = /^gr1-[0-9a-f]{64}$/;

/** Whether a request's path is the Google Reader API's. */
export function isGReaderPath(url: string): boolean {
  return /^(?:\/api\/greader\.php(?:[/?]|$)|\/{1,2}(?:accounts|reader)\/)/.test(url);
}

/** An error as FreshRSS's Google Reader API answers one: a line of text. */
export function sendGReaderError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(message);
}

type Params = Record<string, unknown>;

/** Every value of a parameter, from the query string and the form body. */
function values(req: FastifyRequest, name: string): string[] {
  const out: string[] = [];
  for (const source of [req.query, req.body]) {
    if (!source || typeof source !== 'object') continue;
    const v = (source as Params)[name];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  return out;
}

const param = (req: FastifyRequest, name: string): string | undefined => values(req, name)[0];

/** The write token for an auth token: a hash, so it needs no storage. */
export function writeToken(auth: string): string {
  return createHash('sha256').update(`greader-write:${auth}`).digest('hex').slice(0, 40);
}

/** `user/123/state/...` as Google Reader clients may send it, in the `user/-/` form. */
function normalizeStream(id: string): string {
  return id.replace(/^user\/[^/]+\//, 'user/-/');
}

/**
 * When an item arrived for the user (epoch ms; its crawlTimeMsec, and the time `ot`, `nt` and
 * mark-all-as-read's `ts` compare with): when it was first stored, or when the user subscribed to
 * its feed if later, as the store counts it (EntryQuery.arrivedSince).
 */
function arrivalOf(e: Entry, sub: SubscriptionView | undefined): number {
  return Math.max(e.createdAt, sub?.subscription.createdAt ?? 0);
}

/**
 * An item id in the long form (`tag:google.com,2005:reader/item/` and 16 hex digits), the short one
 * (decimal), or hex alone, or null. As FreshRSS reads them: digits with no leading zero are
 * decimal; anything else is hex, after the last slash (some clients send the long form's hex bare).
 */
export function parseItemId(value: string): number | null {
  const v = value.trim();
  let n: number;
  if (/^[1-9]\d{0,19}$/.test(v)) n = Number(v);
  else {
    const hex = v.slice(v.lastIndexOf('/') + 1);
    if (!/^[0-9a-f]{1,16}$/i.test(hex) || (hex !== v && !v.startsWith(ITEM_PREFIX))) return null;
    n = Number(BigInt(`0x${hex}`));
  }
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export const longItemId = (id: number): string => ITEM_PREFIX + id.toString(16).padStart(16, '0');

const feedStream = (feedId: number): string => `feed/${feedId}`;
const labelStream = (name: string): string => LABEL + name;

/**
 * The request's `i` item ids (any form parseItemId reads), skipping what is not one, as FreshRSS
 * does: null when none is, or when there are more than MAX_IDS.
 */
function itemIds(req: FastifyRequest): number[] | null {
  const raw = values(req, 'i');
  if (raw.length > MAX_IDS) return null;
  const ids = raw.map(parseItemId).filter((id): id is number => id !== null);
  return ids.length === 0 ? null : ids;
}

interface Caller {
  user: User;
  auth: string;
}

/** What a stream id covers: a query, nothing (a label or feed the user does not have), or invalid. */
type StreamScope = { query: Omit<EntryQuery, 'userId' | 'limit'> } | { empty: true } | null;

export function registerGReaderApi(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock } = ctx.deps;

  function unauthorized(reply: FastifyReply): FastifyReply {
    return sendGReaderError(reply, 401, 'Unauthorized!');
  }
  function badRequest(reply: FastifyReply, message = 'Bad Request!'): FastifyReply {
    return sendGReaderError(reply, 400, message);
  }

  async function caller(req: FastifyRequest): Promise<Caller | null> {
    const header = req.headers.authorization ?? '';
    const m = /^GoogleLogin auth=(\S{1,400})$/i.exec(header.trim());
    if (!m?.[1]) return null;
    const auth = m[1];
    const slash = auth.lastIndexOf('/');
    if (slash <= 0) return null;
    const name = auth.slice(0, slash);
    const secret = auth.slice(slash + 1);
    if (PASSWORD_TOKEN.test(secret)) {
      // Every request signs in again: the user and their password hash in one lookup.
      const found = await store.findUserWithPasswordHash(name);
      if (!found || found.user.username !== name) return null;
      const expected = passwordToken(found.user, found.passwordHash);
      return expected && sameToken(secret, expected) ? { user: found.user, auth } : null;
    }
    const user = await userFromApiKey(ctx, secret);
    if (!user || user.username !== name) return null;
    return { user, auth };
  }

  /** The token secret derived from the user's password hash, or null when they have no password. */
  function passwordToken(user: User, hash: string | null): string | null {
    if (!hash) return null;
    return `gr1-${createHash('sha256').update(`greader-login:${user.id}:${hash}`).digest('hex')}`;
  }

  /** The caller of a state change: signed in and sending the write token. */
  async function writer(req: FastifyRequest, reply: FastifyReply): Promise<Caller | null> {
    const who = await caller(req);
    if (!who) {
      unauthorized(reply);
      return null;
    }
    // The token guards a session a browser would send by itself; these calls sign in by header
    // alone. As FreshRSS, a call without one (or with "x", as some clients send) is taken, and one
    // kept with the line break of the token call's answer is read without it.
    const t = param(req, 'T')?.trim();
    if (t && t !== 'x' && !sameToken(t, writeToken(who.auth))) {
      reply.header('Google-Bad-Token', 'true');
      unauthorized(reply);
      return null;
    }
    return who;
  }

  async function folderByName(userId: number, name: string): Promise<{ id: number; name: string } | null> {
    return (await store.listFolders(userId)).find((f) => f.name === name) ?? null;
  }

  /** A feed stream id, `feed/<id>` or `feed/<url>`, as one of the user's subscriptions. */
  async function subscriptionOf(userId: number, stream: string): Promise<SubscriptionView | null> {
    const rest = stream.slice('feed/'.length);
    const subs = await ctx.subscriptions(userId);
    const byId = /^\d{1,15}$/.test(rest) ? subs.find((s) => s.feed.id === Number(rest)) : undefined;
    return byId ?? subs.find((s) => s.feed.url === rest) ?? null;
  }

  /** A feed stream id as one of the user's feed ids. */
  async function feedOf(userId: number, stream: string): Promise<number | null> {
    return (await subscriptionOf(userId, stream))?.feed.id ?? null;
  }

  async function scopeOf(userId: number, raw: string): Promise<StreamScope> {
    const stream = normalizeStream(raw);
    if (stream === READING_LIST) return { query: {} };
    if (stream === STARRED) return { query: { starred: true } };
    if (stream === READ) return { query: { status: 'read' } };
    if (stream === UNREAD) return { query: { status: 'unread' } };
    if (stream.startsWith('feed/')) {
      const feedId = await feedOf(userId, stream);
      return feedId === null ? { empty: true } : { query: { feedId } };
    }
    if (stream.startsWith(LABEL)) {
      // A folder of that name, as FreshRSS looks for a category first; else the items so labelled.
      const name = stream.slice(LABEL.length);
      const folder = await folderByName(userId, name);
      return folder ? { query: { folderId: folder.id } } : { query: { label: name } };
    }
    return null;
  }

  interface Page {
    entries: EntryView[];
    continuation: string | null;
  }

  /** A stream's entries as the request asks for them (n, c, ot, nt, xt, it, r), or null when invalid. */
  async function streamPage(
    req: FastifyRequest,
    userId: number,
    stream: string,
    withContent: boolean | 'json',
  ): Promise<Page | null> {
    const scope = await scopeOf(userId, stream);
    if (!scope) return null;
    if ('empty' in scope) return { entries: [], continuation: null };
    const nRaw = param(req, 'n');
    const n = nRaw === undefined ? DEFAULT_ITEMS : Number(nRaw);
    if (!Number.isSafeInteger(n) || n < 1) return null;
    // Ids alone are cheap: as many as edit-tag takes back; items with their bodies, fewer.
    const limit = Math.min(n, withContent === false ? MAX_IDS : MAX_ITEMS);
    const order = param(req, 'r') === 'o' ? 'oldest' : 'newest';
    const query: EntryQuery = { ...scope.query, userId, limit: limit + 1, order, withContent, shape: 'item' };
    for (const x of values(req, 'xt').map(normalizeStream)) {
      if (x === READ) query.status = 'unread';
      else if (x === UNREAD) query.status = 'read';
      else if (x === STARRED) query.starred = false;
    }
    for (const x of values(req, 'it').map(normalizeStream)) {
      if (x === READ) query.status = 'read';
      else if (x === UNREAD) query.status = 'unread';
      else if (x === STARRED) query.starred = true;
    }
    const seconds = (name: string): number | null | undefined => {
      const v = param(req, name);
      if (v === undefined || v === '') return undefined;
      return /^\d{1,12}$/.test(v) ? Number(v) * 1000 : null;
    };
    const ot = seconds('ot');
    const nt = seconds('nt');
    if (ot === null || nt === null) return null;
    // ot: the items that arrived from that time on; nt: those that arrived before it. An item's time
    // is its arrival, as its timestampUsec says and FreshRSS has it: a client that asks for what
    // arrived since it last synced gets an item fetched since then whatever date its feed gave it.
    if (ot !== undefined) query.arrivedSince = ot;
    if (nt !== undefined) query.arrivedBefore = nt;
    const c = param(req, 'c');
    if (c) {
      const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(c);
      if (!m) return null;
      query.after = { publishedAt: Number(m[1]), id: Number(m[2]) };
    }
    const rows = await store.queryEntries(query);
    const entries = rows.slice(0, limit);
    const more = rows.length > limit;
    const last = entries[entries.length - 1];
    return {
      entries,
      continuation: more && last ? `${last.entry.publishedAt}.${last.entry.id}` : null,
    };
  }

  async function feedsById(userId: number): Promise<ReadonlyMap<number, SubscriptionView>> {
    return subscriptionIndex(await ctx.subscriptions(userId));
  }

  const feedTitle = (s: SubscriptionView | undefined): string =>
    s ? (s.subscription.title ?? s.feed.title ?? s.feed.url) : '';

  // A subscribed feed's `origin` object, written once for as long as the library cache keeps its
  // subscription (as Miniflux's feed objects are: everything in it comes from that row).
  const originTexts = new WeakMap<object, string>();

  function originText(feedId: number, sub: SubscriptionView | undefined): string {
    let text = sub ? originTexts.get(sub.subscription) : undefined;
    if (text === undefined) {
      text = JSON.stringify({
        streamId: feedStream(feedId),
        title: feedTitle(sub),
        htmlUrl: sub?.feed.siteUrl ?? sub?.feed.url ?? '',
      });
      if (sub) originTexts.set(sub.subscription, text);
    }
    return text;
  }

  /**
   * An item of stream/contents, its body last (as the store quoted it: see bodyJson). Written as
   * text around JSON.stringify's strings, as Miniflux's entries are (see entryText): walking an
   * object per item took ~13% of a stream's time.
   */
  function itemJson(
    view: EntryView,
    sub: SubscriptionView | undefined,
    labels: readonly string[] = [],
  ): JsonText {
    const e = view.entry;
    const json = JSON.stringify;
    let categories = `["${READING_LIST}"`;
    if (view.read) categories += `,"${READ}"`;
    if (view.starred) categories += `,"${STARRED}"`;
    if (sub?.folderName) categories += `,${json(labelStream(sub.folderName))}`;
    for (const label of labels) if (label !== sub?.folderName) categories += `,${json(labelStream(label))}`;
    // Always one, as FreshRSS sends it: clients read canonical[0].href.
    const link = `[{"href":${json(e.link ?? '')},"type":"text/html"}]`;
    const enclosure =
      e.enclosures.length === 0
        ? '[]'
        : json(
            e.enclosures.map((x) => ({
              href: x.url,
              type: x.type ?? '',
              ...(x.length !== null ? { length: x.length } : {}),
            })),
          );
    const arrived = arrivalOf(e, sub);
    const fields =
      `{"id":"${longItemId(e.id)}","crawlTimeMsec":"${arrived}","timestampUsec":"${arrived * 1000}",` +
      `"published":${Math.floor(e.publishedAt / 1000)},` +
      `"updated":${Math.floor((e.updatedAt ?? e.publishedAt) / 1000)},"title":${json(e.title)},` +
      `"canonical":${link},"alternate":${link},"author":${json(e.author ?? '')},` +
      `"origin":${originText(e.feedId, sub)},"categories":${categories}],"enclosure":${enclosure},` +
      `"summary":{"direction":"ltr","content":`;
    return new JsonText(fields, bodyJson(view), '}}');
  }

  /** Items with the labels the user put on them. */
  async function itemsJson(
    userId: number,
    views: EntryView[],
    feeds: ReadonlyMap<number, SubscriptionView>,
  ): Promise<JsonText[]> {
    const labels = await store.entryLabels(
      userId,
      views.map((v) => v.entry.id),
    );
    return views.map((v) => itemJson(v, feeds.get(v.entry.feedId), labels.get(v.entry.id)));
  }

  function atomEntry(view: EntryView, sub: SubscriptionView | undefined): string {
    const e = view.entry;
    const cat = (state: string, label: string): string =>
      `<category term="${STATE}${state}" scheme="http://www.google.com/reader/" label="${label}"/>`;
    const parts = [
      '<entry>',
      `<id>${longItemId(e.id)}</id>`,
      `<title>${xmlText(e.title)}</title>`,
      `<published>${isoTime(e.publishedAt)}</published>`,
      `<updated>${isoTime(e.updatedAt ?? e.publishedAt)}</updated>`,
      e.link ? `<link rel="alternate" href="${xmlAttr(e.link)}" type="text/html"/>` : '',
      e.author ? `<author><name>${xmlText(e.author)}</name></author>` : '',
      cat('reading-list', 'reading-list'),
      view.read ? cat('read', 'read') : cat('fresh', 'fresh'),
      view.starred ? cat('starred', 'starred') : '',
      `<content type="html">${xmlText(e.contentHtml)}</content>`,
      `<source><id>tag:google.com,2005:reader/${feedStream(e.feedId)}</id><title>${xmlText(feedTitle(sub))}</title></source>`,
      '</entry>',
    ];
    return parts.join('');
  }

  async function subscribe(
    userId: number,
    url: string,
    folder: string | null,
    title: string | null,
  ): Promise<{ feedId: number; title: string } | string> {
    try {
      const outcome = await subscribeToUrl(
        { store, fetcher: ctx.deps.fetcher, clock },
        { userId, url, folder, title, pickFirst: true },
      );
      if (outcome.status !== 'subscribed') return 'no feed found';
      // Its entries stored now, from the document finding it fetched, as Miniflux's API and the
      // reader do: the client's next sync has them, and the answer the feed's own title.
      const feedId = outcome.feed.id;
      await ctx.refreshWaiting(userId, [feedId], fetchedOf(outcome));
      const feed = (await store.getFeed(feedId)) ?? outcome.feed;
      return { feedId, title: feed.title ?? feed.url };
    } catch (err) {
      if (err instanceof GleanerError) return err.message;
      throw err;
    }
  }

  const route = (
    method: 'GET' | 'POST' | ('GET' | 'POST')[],
    path: string,
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ): void => {
    for (const prefix of PREFIXES)
      app.route({ method, url: prefix + path, config: { csrf: false }, handler });
  };

  /** A handler for a signed-in caller. */
  const authed =
    (fn: (req: FastifyRequest, reply: FastifyReply, who: Caller) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const who = await caller(req);
      if (!who) return unauthorized(reply);
      return fn(req, reply, who);
    };
  /** A handler for a state change: signed in with the write token. */
  const writes =
    (fn: (req: FastifyRequest, reply: FastifyReply, who: Caller) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const who = await writer(req, reply);
      if (!who) return reply;
      return fn(req, reply, who);
    };
  const ok = (reply: FastifyReply): FastifyReply => reply.type('text/plain; charset=utf-8').send('OK');

  route(['GET', 'POST'], '/accounts/ClientLogin', async (req, reply) => {
    const email = param(req, 'Email');
    const passwd = param(req, 'Passwd');
    if (!email || !passwd) return badRequest(reply);
    const user = await userFromCredentials(ctx, req.ip, email, passwd);
    if (!user) return unauthorized(reply);
    // Logged in with an API key: the key is the token's secret. Else the password's derived one.
    const byKey = await userFromApiKey(ctx, passwd);
    const secret = byKey?.id === user.id ? passwd : passwordToken(user, await store.getPasswordHash(user.id));
    if (!secret || secret.includes('/')) return unauthorized(reply);
    const auth = `${user.username}/${secret}`;
    return reply.type('text/plain; charset=utf-8').send(`SID=${auth}\nLSID=null\nAuth=${auth}\n`);
  });

  route(
    'GET',
    '/reader/api/0/token',
    authed(async (_req, reply, who) =>
      reply.type('text/plain; charset=utf-8').send(`${writeToken(who.auth)}\n`),
    ),
  );

  route(
    'GET',
    '/reader/api/0/user-info',
    authed(async (_req, _reply, { user }) => ({
      userId: String(user.id),
      userName: user.username,
      userProfileId: String(user.id),
      userEmail: '',
    })),
  );

  route(
    'GET',
    '/reader/api/0/subscription/list',
    authed(async (req, reply, { user }) => {
      const origin = `${req.protocol}://${req.headers.host ?? ''}`;
      const subs = await ctx.subscriptions(user.id);
      // A subscription at a time (sendJson): stringified whole, a thousand came out as one string,
      // two bytes a character for one title beyond Latin-1, which V8 copied flat before encoding it.
      return sendJson(reply, {
        subscriptions: subs.map((s) => ({
          id: feedStream(s.feed.id),
          title: feedTitle(s),
          categories: s.folderName ? [{ id: labelStream(s.folderName), label: s.folderName }] : [],
          url: s.feed.url,
          htmlUrl: s.feed.siteUrl ?? s.feed.url,
          iconUrl: s.hasIcon ? `${origin}/icons/${s.feed.id}` : '',
          firstitemmsec: String(s.subscription.createdAt),
        })),
      });
    }),
  );

  route(
    'GET',
    '/reader/api/0/tag/list',
    authed(async (_req, _reply, { user }) => {
      const folders = await store.listFolders(user.id);
      const names = new Set(folders.map((f) => f.name));
      const labels = (await store.listEntryLabels(user.id)).filter((l) => !names.has(l));
      return {
        tags: [
          { id: STARRED },
          ...folders.map((f) => ({ id: labelStream(f.name), type: 'folder' })),
          ...labels.map((l) => ({ id: labelStream(l), type: 'tag' })),
        ],
      };
    }),
  );

  route(
    'GET',
    '/reader/api/0/unread-count',
    authed(async (_req, reply, { user }) => {
      const subs = await ctx.subscriptions(user.id);
      // newestItemTimestampUsec, which FreshRSS sends and clients read to skip streams with nothing
      // new: when the feed was last fetched, which no item of it is newer than (in microseconds,
      // as text).
      const usec = (ms: number): string => String(ms * 1000);
      const count = (id: string, n: number, newestMs: number): string =>
        `{"id":${id},"count":${n},"newestItemTimestampUsec":"${usec(newestMs)}"}`;
      const folders = new Map<string, { count: number; newest: number }>();
      let total = 0;
      let newest = 0;
      // Written as text, the feeds' counts in one part (their ids are digits) and each folder's in
      // its own: stringified whole, the ~80 KB for a thousand feeds came out as one string, two
      // bytes a character for one folder name beyond Latin-1, which V8 copied flat into memory of its
      // own before it could be encoded (~0.5 ms of a ~1-ms call), and stringified a count at a time
      // it took ~0.4 ms.
      const feeds: string[] = [];
      for (const s of subs) {
        // A feed subscribed to since its last fetch: its items arrived for the user then.
        const fetched = Math.max(s.feed.lastSuccessAt ?? 0, s.subscription.createdAt);
        feeds.push(count(`"${feedStream(s.feed.id)}"`, s.unreadCount, fetched));
        total += s.unreadCount;
        newest = Math.max(newest, fetched);
        if (s.folderName) {
          const folder = folders.get(s.folderName) ?? { count: 0, newest: 0 };
          folders.set(s.folderName, {
            count: folder.count + s.unreadCount,
            newest: Math.max(folder.newest, fetched),
          });
        }
      }
      // A folder holds feeds, so a feed's count comes before any folder's.
      const parts: string[] = ['[', feeds.join(',')];
      for (const [name, f] of folders)
        parts.push(`,${count(JSON.stringify(labelStream(name)), f.count, f.newest)}`);
      parts.push(`${feeds.length > 0 ? ',' : ''}${count(`"${READING_LIST}"`, total, newest)}]`);
      return sendJson(reply, { max: total, unreadcounts: new JsonText(...parts) });
    }),
  );

  route(
    'GET',
    '/reader/api/0/stream/items/ids',
    authed(async (req, reply, { user }) => {
      const s = param(req, 's');
      if (!s) return badRequest(reply);
      const page = await streamPage(req, user.id, s, false);
      if (!page) return badRequest(reply);
      const subs = await feedsById(user.id);
      return {
        itemRefs: page.entries.map((v) => ({
          id: String(v.entry.id),
          directStreamIds: [],
          timestampUsec: String(arrivalOf(v.entry, subs.get(v.entry.feedId)) * 1000),
        })),
        ...(page.continuation ? { continuation: page.continuation } : {}),
      };
    }),
  );

  async function streamContents(
    req: FastifyRequest,
    reply: FastifyReply,
    user: User,
    stream: string,
  ): Promise<unknown> {
    const page = await streamPage(req, user.id, stream, 'json');
    if (!page) return badRequest(reply);
    const feeds = await feedsById(user.id);
    return sendJson(reply, {
      id: stream,
      updated: Math.floor(clock() / 1000),
      items: await itemsJson(user.id, page.entries, feeds),
      ...(page.continuation ? { continuation: page.continuation } : {}),
    });
  }

  route(
    'GET',
    '/reader/api/0/stream/contents/*',
    authed(async (req, reply, { user }) => {
      const stream = (req.params as { '*'?: string })['*'] ?? '';
      return streamContents(req, reply, user, stream || READING_LIST);
    }),
  );
  route(
    'GET',
    '/reader/api/0/stream/contents',
    authed(async (req, reply, { user }) => streamContents(req, reply, user, param(req, 's') ?? READING_LIST)),
  );

  route(
    ['GET', 'POST'],
    '/reader/api/0/stream/items/contents',
    authed(async (req, reply, { user }) => {
      const ids = itemIds(req);
      if (!ids) return badRequest(reply);
      const views = await store.queryEntries({
        userId: user.id,
        entryIds: ids,
        limit: ids.length,
        withContent: 'json',
        shape: 'item',
      });
      const feeds = await feedsById(user.id);
      return sendJson(reply, {
        id: READING_LIST,
        updated: Math.floor(clock() / 1000),
        items: await itemsJson(user.id, views, feeds),
      });
    }),
  );

  // Atom streams: what newsboat's FeedHQ backend reads, one per subscription.
  route(
    'GET',
    '/reader/atom/*',
    authed(async (req, reply, { user }) => {
      const stream = (req.params as { '*'?: string })['*'] || READING_LIST;
      const page = await streamPage(req, user.id, stream, true);
      if (!page) return badRequest(reply);
      const feeds = await feedsById(user.id);
      const feedId = stream.startsWith('feed/') ? await feedOf(user.id, stream) : null;
      const sub = feedId !== null ? feeds.get(feedId) : undefined;
      const title = sub ? feedTitle(sub) : stream;
      const body =
        '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<feed xmlns="http://www.w3.org/2005/Atom">' +
        `<id>tag:google.com,2005:reader/${xmlText(stream)}</id>` +
        `<title>${xmlText(title)}</title>` +
        (sub?.feed.siteUrl ? `<link rel="alternate" href="${xmlAttr(sub.feed.siteUrl)}"/>` : '') +
        `<updated>${isoTime(clock())}</updated>` +
        page.entries.map((v) => atomEntry(v, feeds.get(v.entry.feedId))).join('') +
        '</feed>\n';
      return reply.type('application/atom+xml; charset=utf-8').send(body);
    }),
  );

  route(
    'POST',
    '/reader/api/0/edit-tag',
    writes(async (req, reply, { user }) => {
      const ids = itemIds(req);
      if (!ids) return badRequest(reply);
      const change: { read?: boolean; starred?: boolean } = {};
      const labels = { add: [] as string[], remove: [] as string[] };
      for (const a of values(req, 'a').map(normalizeStream)) {
        if (a === READ) change.read = true;
        else if (a === STARRED) change.starred = true;
        else if (a === KEPT_UNREAD) change.read = false;
        else if (a.startsWith(LABEL)) {
          const name = labelName(a);
          if (name) labels.add.push(name);
        }
      }
      for (const r of values(req, 'r').map(normalizeStream)) {
        if (r === READ) change.read = false;
        else if (r === STARRED) change.starred = false;
        else if (r.startsWith(LABEL)) {
          const name = labelName(r);
          if (name) labels.remove.push(name);
        }
      }
      // A few labels at once is what clients send; thousands over thousands of items is no request.
      labels.add = [...new Set(labels.add)];
      labels.remove = [...new Set(labels.remove)];
      if (labels.add.length + labels.remove.length > MAX_LABELS_AT_ONCE) return badRequest(reply);
      if (Object.keys(change).length > 0) {
        await store.setEntryState(user.id, ids, change, clock());
        ctx.countsChanged(user.id);
      }
      if (labels.add.length > 0 || labels.remove.length > 0)
        await store.labelEntries(user.id, ids, labels, clock());
      return ok(reply);
    }),
  );

  route(
    'POST',
    '/reader/api/0/mark-all-as-read',
    writes(async (req, reply, { user }) => {
      const s = param(req, 's');
      if (!s) return badRequest(reply);
      const scope = await scopeOf(user.id, s);
      if (!scope) return badRequest(reply);
      // The read stream has nothing left to mark; the unread one is the reading list.
      if ('empty' in scope || scope.query.status === 'read') return ok(reply);
      const ts = param(req, 'ts');
      if (ts !== undefined && ts !== '' && !/^\d{1,19}$/.test(ts)) return badRequest(reply);
      // What had arrived by then (a µs time, as timestampUsec), that item included: an item that
      // arrived after the client last looked stays unread whatever its date.
      const arrivedBefore = ts ? Math.floor(Number(ts) / 1000) + 1 : undefined;
      await store.markAllRead(
        user.id,
        {
          ...(scope.query.feedId !== undefined ? { feedId: scope.query.feedId } : {}),
          ...(typeof scope.query.folderId === 'number' ? { folderId: scope.query.folderId } : {}),
          ...(scope.query.starred ? { starred: true } : {}),
          ...(scope.query.label !== undefined ? { label: scope.query.label } : {}),
          ...(arrivedBefore !== undefined ? { arrivedBefore } : {}),
        },
        clock(),
      );
      ctx.countsChanged(user.id);
      return ok(reply);
    }),
  );

  const labelName = (value: string | undefined): string | null => {
    if (!value) return null;
    const v = normalizeStream(value);
    const name = (v.startsWith(LABEL) ? v.slice(LABEL.length) : v).trim();
    return name && name.length <= 200 && !name.startsWith('user/') ? name : null;
  };

  route(
    'POST',
    '/reader/api/0/subscription/edit',
    writes(async (req, reply, { user }) => {
      const ac = param(req, 'ac');
      const streams = values(req, 's');
      if (streams.length === 0 || streams.length > 100) return badRequest(reply);
      const title = param(req, 't')?.trim().slice(0, 500) || null;
      const add = labelName(param(req, 'a'));
      const remove = labelName(param(req, 'r'));
      for (const s of streams) {
        if (!s.startsWith('feed/')) return badRequest(reply);
        // Subscribing to a feed the user has edits it: NetNewsWire subscribes by quickadd, then
        // sends the folder and title as ac=subscribe with the feed/<id> quickadd answered.
        const sub = await subscriptionOf(user.id, s);
        if (ac === 'subscribe' && sub === null) {
          const result = await subscribe(user.id, s.slice('feed/'.length), add, title);
          if (typeof result === 'string') return badRequest(reply, result);
          continue;
        }
        if (sub === null) return badRequest(reply);
        const feedId = sub.feed.id;
        if (ac === 'unsubscribe') {
          await store.unsubscribe(user.id, feedId);
        } else if (ac === 'edit' || ac === 'subscribe') {
          const change: { title?: string | null; folderId?: number | null } = {};
          if (title) change.title = title;
          if (add) change.folderId = (await store.ensureFolder(user.id, add)).id;
          // Taking off a label the feed is not in changes nothing.
          else if (remove && remove === sub.folderName) change.folderId = null;
          await store.updateSubscription(user.id, feedId, change);
        } else return badRequest(reply);
      }
      return ok(reply);
    }),
  );

  route(
    'POST',
    '/reader/api/0/subscription/quickadd',
    writes(async (req, reply, { user }) => {
      const url = param(req, 'quickadd');
      if (!url || url.length > 2000) return badRequest(reply);
      const result = await subscribe(user.id, url.replace(/^feed\//, ''), null, null);
      // As FreshRSS: a feed that cannot be added is no result, with the reason.
      if (typeof result === 'string') return { numResults: 0, query: url, error: result };
      return { numResults: 1, query: url, streamId: feedStream(result.feedId), streamName: result.title };
    }),
  );

  // FreshRSS's additions: the subscriptions as an OPML file, and an OPML file to subscribe to (the
  // file itself as the body, the write token in the query string).
  route(
    'GET',
    '/reader/api/0/subscription/export',
    authed(async (_req, reply, { user }) => {
      const opml = buildOpml(
        `Gleaner subscriptions of ${user.username}`,
        await exportFeeds(store, user.id),
        new Date(clock()),
      );
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', 'attachment; filename="subscriptions.opml"')
        .send(opml);
    }),
  );

  route(
    'POST',
    '/reader/api/0/subscription/import',
    writes(async (req, reply, { user }) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        return badRequest(reply, 'send the OPML file as the body (Content-Type: text/xml)');
      let outlines;
      try {
        outlines = parseOpml(req.body).outlines;
      } catch (err) {
        if (err instanceof GleanerError) return badRequest(reply, err.message);
        throw err;
      }
      if (outlines.length === 0) return badRequest(reply, 'the OPML file lists no feeds');
      await importFeeds({ store, fetcher: ctx.deps.fetcher, clock }, user.id, outlines);
      await ctx.fetchNewFeeds(user.id);
      return ok(reply);
    }),
  );

  route(
    'POST',
    '/reader/api/0/rename-tag',
    writes(async (req, reply, { user }) => {
      const from = labelName(param(req, 's') ?? param(req, 't'));
      const to = labelName(param(req, 'dest'));
      if (!from || !to) return badRequest(reply);
      const folder = await folderByName(user.id, from);
      const renamed = folder
        ? await store.renameFolder(user.id, folder.id, to)
        : await store.renameEntryLabel(user.id, from, to);
      return renamed ? ok(reply) : badRequest(reply);
    }),
  );

  route(
    'POST',
    '/reader/api/0/disable-tag',
    writes(async (req, reply, { user }) => {
      const name = labelName(param(req, 's') ?? param(req, 't'));
      if (!name) return badRequest(reply);
      const folder = await folderByName(user.id, name);
      if (folder) await store.deleteFolder(user.id, folder.id);
      else if (!(await store.deleteEntryLabel(user.id, name))) return badRequest(reply);
      return ok(reply);
    }),
  );
}
