// The Miniflux v1 REST API at /v1/, so Miniflux clients (newsboat, Miniflux's Go client, mobile
// apps) read Gleaner. JSON in and out; errors are {"error_message": "..."} with 400, 401, 403 or 404.
// A client signs in with an API key in X-Auth-Token, or with HTTP Basic auth (a password, or an
// API key in its place). These routes take no CSRF token: they carry no cookie-based session.
//
// Known differences from Miniflux:
// - Categories are folders, plus a synthetic category 0 "All" for feeds in no folder (shapes.ts).
// - Every list, in every order, with every filter (status, star, feed, category, the "All" one
//   too, tags, publication or change times, entry ids, a search) is paged by the store with an
//   exact total at any offset. On a million entries, a page and its count: by id, date, change time
//   or status, a few ms to ~60 ms; by category (each one's entries by date, in 20 categories),
//   ~60-120 ms; a common word's search (85,393 matches) by date ~65 ms, ~140 ms at offset 50,000,
//   in other orders ~0.1 s, a word in most entries ~0.5 s; by title or author, which sorts every
//   entry the list holds, a feed's ~2 ms, all million ~0.9 s. created_at is the order entries
//   arrive in, their ids'; status puts unread first when descending.
// - status "removed" matches nothing (Gleaner keeps no removed state), and cannot be set.
// - Refreshing answers 202 at once; the fetches run in the background.
// - /v1/version gives the Miniflux version whose API this one answers (MINIFLUX_API_VERSION; apps
//   check it), Gleaner's own in `commit` and Node's in `compiler`; /v1/discover lists the feeds a
//   page declares as it declares them, else the usual feed paths that answer with a feed.
// - Entries are shared by the readers of a feed: fetch-content's update_content=true stores the
//   article for all of them, as a feed that asks for full articles would have.
// - /v1/users manages Gleaner's users (name, password, administrator rights); the other Miniflux
//   user settings are the reader's own and are not changed through it.
// - A feed's cookie and password are never sent back (""); given empty to PUT /v1/feeds/:id, as apps
//   that send a feed's fields back send them, they stay as they are. Its feed_url cannot be changed
//   (400): another address is another subscription. Changed fetch options may give the feed a new
//   id (feeds are fetched once for everyone who reads them with the same options).
// - /v1/api-keys gives a key's token once, when it is made: Gleaner keeps only its hash, so a
//   listed key's token is empty.
// - Answered with a 400 that says why: editing an entry (PUT /v1/entries/:id; a feed's entries are
//   shared by its readers), saving one to a third-party service (there are none, as
//   /v1/users/integrations/status says), flushing the history (read entries are kept) and an
//   enclosure's playback position (PUT /v1/enclosures/:id; not kept).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { packageVersion } from '../../config/paths.js';
import { splitRewriteRules } from '../../content/rewrite.js';
import { buildOpml, parseOpml } from '../../feed/opml/index.js';
import { articleOfEntry } from '../../ingest/article.js';
import { compileRule } from '../../ingest/rules.js';
import { errorMessage, GleanerError } from '../../model/errors.js';
import type { FetchOptions, User } from '../../model/index.js';
import {
  fetchOptionsKey,
  MAX_ENTRY_IDS,
  storageError,
  type EntryQuery,
  type EntryView,
  type SubscriptionChange,
  type SubscriptionView,
} from '../../store/index.js';
import {
  changeFeedUrl,
  changeFetchOptions,
  checkFetchOptions,
  discoverSubscriptions,
  exportFeeds,
  fetchedOf,
  importFeeds,
  normalizeInputUrl,
  subscribeToUrl,
  type SubscribeDeps,
} from '../../subscribe/index.js';
import { bodyJson, JsonText, sendJson } from '../../web/encode.js';
import { subscriptionIndex } from '../../web/views/common.js';
import { normalizeSettings } from '../../web/settings.js';
import type { RouteContext } from '../../web/server.js';
import {
  hashPassword,
  isValidUsername,
  issueApiKey,
  MAX_API_KEYS,
  MAX_KEY_NAME,
  passwordProblem,
  usernameTaken,
} from '../../web/auth.js';
import { userFromApiKey, userFromCredentials } from '../auth.js';
import {
  apiKeyJson,
  categoryJson,
  enclosureAt,
  enclosureJson,
  entryText,
  feedContextOf,
  feedJson,
  UNFILED_CATEGORY_ID,
  UNFILED_CATEGORY_TITLE,
  userJson,
} from './shapes.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MAX_TITLE = 500;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (): ApiError => new ApiError(404, 'Resource not found');
const badRequest = (message: string): ApiError => new ApiError(400, message);

function errorStatus(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  if (err instanceof GleanerError) {
    if (err.code === 'NOT_FOUND') return 404;
    if (err.code === 'STORAGE_FULL' || err.code === 'STORAGE_BUSY') return 503;
    if (err.code === 'INTERNAL' || err.code === 'CONFIG_INVALID') return 500;
    // A feed that cannot be fetched or read is a bad request as far as the client is concerned.
    return 400;
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/** A positive integer id from a path or query parameter, or a 400. */
function idParam(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw badRequest(`Invalid ${name}`);
  return Number(value);
}

/** A category id: a positive integer, or 0 for the feeds in no folder. */
function categoryParam(value: unknown, name = 'category ID'): number {
  if (value === 0 || value === '0') return UNFILED_CATEGORY_ID;
  return idParam(value, name);
}

type Query = Record<string, string | string[] | undefined>;

/** A query parameter given once (the last one when repeated). */
function single(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v.at(-1) : v;
}

function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function intParam(q: Query, name: string, min: number, max: number): number | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?[0-9]{1,16}$/.test(v)) throw badRequest(`Invalid ${name} parameter`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(`Invalid ${name} parameter`);
  return n;
}

/**
 * A boolean parameter as Miniflux reads one (Go's strconv.ParseBool: 1, t, true, 0, f, false in
 * any case); anything else, an empty value included, is none.
 */
function boolParam(q: Query, name: string): boolean | undefined {
  const v = single(q, name);
  if (v === undefined) return undefined;
  if (/^(?:1|t|true)$/i.test(v)) return true;
  if (/^(?:0|f|false)$/i.test(v)) return false;
  return undefined;
}

/**
 * Miniflux rewrite rules as Gleaner keeps them (splitRewriteRules): the selectors of their
 * `remove("…")` rules, joined (`remove(".ad"),remove(".share")`), are the feed's remove selector;
 * the others its rewrite rules; null for none. A rule Gleaner does not run is a 400 that names it.
 */
export function rewriteOfRules(text: string): Pick<FetchOptions, 'removeSelector' | 'rewriteRules'> {
  let split: ReturnType<typeof splitRewriteRules>;
  try {
    split = splitRewriteRules(text);
  } catch (err) {
    if (err instanceof GleanerError) throw badRequest(err.message);
    throw err;
  }
  const { removeSelectors, rules } = split;
  return {
    removeSelector: removeSelectors.length ? removeSelectors.join(', ') : null,
    rewriteRules: rules.length ? rules.map((rule) => rule.text).join(', ') : null,
  };
}

/**
 * The fetch options a feed request names (user_agent, cookie, username, password, scraper_rules,
 * rewrite_rules, ignore_http_cache, fetch_via_proxy, allow_self_signed_certificates), as Miniflux
 * takes them; an empty one is none. What a request cannot carry is refused by subscribeToUrl
 * (checkFetchOptions). `trusted`: the certificate the feed trusts now, which
 * allow_self_signed_certificates true keeps (false drops it).
 */
function fetchOptions(
  body: Record<string, unknown>,
  fetchFullArticle: boolean,
  trusted: string | null = null,
): FetchOptions {
  const text = (name: string): string | null => {
    const v = body[name];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') throw badRequest(`Invalid ${name}`);
    return v;
  };
  const flag = (name: string): boolean => {
    const v = body[name];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw badRequest(`Invalid ${name} value`);
    return v;
  };
  return {
    userAgent: text('user_agent'),
    cookie: text('cookie'),
    username: text('username'),
    password: text('password'),
    fetchFullArticle,
    articleSelector: text('scraper_rules')?.trim() || null,
    ignoreHttpCache: flag('ignore_http_cache'),
    ...rewriteOfRules(text('rewrite_rules') ?? ''),
    fetchViaProxy: flag('fetch_via_proxy'),
    trustedCertificate: trustedOf(flag('allow_self_signed_certificates'), trusted),
    // A page read as a feed is set up in Gleaner: Miniflux has no such feeds.
    scrape: null,
  };
}

/**
 * What Miniflux's allow_self_signed_certificates asks of a feed that trusts `trusted`: Gleaner
 * never turns verification off, so true can only keep a certificate trusted already (given in
 * the feed's settings), and false trusts the usual authorities only.
 */
function trustedOf(allowSelfSigned: boolean, trusted: string | null): string | null {
  if (!allowSelfSigned) return null;
  if (trusted === null)
    throw badRequest(
      "Gleaner never turns certificate checks off: give the server's own certificate (or its CA's) in the feed's settings in Gleaner, which then trusts it for this feed",
    );
  return trusted;
}

/** The request's JSON body (kept raw by this API's own body parser), or a 400. */
function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest('Invalid JSON payload');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('Invalid JSON payload');
  return parsed as Record<string, unknown>;
}

function titleField(body: Record<string, unknown>, name = 'title'): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`The ${name} must be a string`);
  const t = v.trim();
  if (t.length > MAX_TITLE) throw badRequest(`The ${name} is too long`);
  return t;
}

/** `blocklist_rules` and `keeplist_rules`, when given, checked as rules ('' for none). */
function rulesOf(body: Record<string, unknown>): Pick<SubscriptionChange, 'blockRules' | 'keepRules'> {
  const rules: Pick<SubscriptionChange, 'blockRules' | 'keepRules'> = {};
  for (const [name, key, which] of [
    ['blocklist_rules', 'blockRules', 'block rule'],
    ['keeplist_rules', 'keepRules', 'keep rule'],
  ] as const) {
    const v = body[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw badRequest(`The ${name} must be a string`);
    try {
      compileRule(v, which);
    } catch (err) {
      if (err instanceof GleanerError) throw badRequest(err.message);
      throw err;
    }
    rules[key] = v.trim();
  }
  return rules;
}

/** What an entry list asks for. */
interface EntryFilter {
  statuses: Set<'unread' | 'read' | 'removed'>;
  starred?: boolean;
  feedId?: number;
  categoryId?: number;
  search?: string;
  /** Epoch ms, exclusive. */
  publishedBefore?: number;
  publishedAfter?: number;
  /** Epoch ms, exclusive: when the entry last changed (Miniflux's changed_at). */
  changedBefore?: number;
  changedAfter?: number;
  /** Tags the entry carries, every one of them. */
  tags?: string[];
  beforeEntryId?: number;
  afterEntryId?: number;
  order: (typeof ORDERS)[number];
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Whether a list is narrowed by publication or change times, tags or entry ids. */
function narrowed(f: EntryFilter): boolean {
  return (
    f.publishedBefore !== undefined ||
    f.publishedAfter !== undefined ||
    f.changedBefore !== undefined ||
    f.changedAfter !== undefined ||
    f.tags !== undefined ||
    f.beforeEntryId !== undefined ||
    f.afterEntryId !== undefined
  );
}

const ORDERS = [
  'id',
  'status',
  'published_at',
  'changed_at',
  'created_at',
  'category_title',
  'category_id',
  'title',
  'author',
] as const;

/**
 * What the store sorts each order by. An entry's id is the order entries arrive in, so it is their
 * created_at's; by category, the store sorts each category's entries by date (see byCategory).
 */
const SORT_BY: Record<EntryFilter['order'], NonNullable<EntryQuery['sortBy']>> = {
  id: 'id',
  created_at: 'id',
  published_at: 'published',
  changed_at: 'changed',
  status: 'status',
  title: 'title',
  author: 'author',
  category_id: 'published',
  category_title: 'published',
};

/**
 * The Miniflux release whose API this one answers, as /v1/version gives it: apps check it
 * (NetNewsWire refuses a server before 2.3.2, the first with /v1/entries/ids and `starred` in PUT
 * /v1/entries; Gleaner's own version, 0.x, read as Miniflux's, was refused).
 */
export const MINIFLUX_API_VERSION = '2.3.2';

/** How an entry list reads what it is not told: /v1/entries's way, or /v1/entries/ids's. */
interface ListDefaults {
  order: EntryFilter['order'];
  direction: EntryFilter['direction'];
  /** The count when none (or 0, the Go client's "none") is asked, and the most given. */
  limit: number;
}

const ENTRY_LIST: ListDefaults = { order: 'published_at', direction: 'asc', limit: DEFAULT_LIMIT };
// Miniflux 2.3.2's id list: newest first, as many as 10,000 a page unless fewer are asked.
const ID_LIST: ListDefaults = { order: 'id', direction: 'desc', limit: MAX_ENTRY_IDS };

function entryFilter(q: Query, defaults: ListDefaults = ENTRY_LIST): EntryFilter {
  const statuses = new Set<'unread' | 'read' | 'removed'>();
  // Empty values are none, as Miniflux reads them (Miniflutt sends status= for "any").
  for (const s of all(q, 'status')) {
    if (s === '') continue;
    if (s !== 'unread' && s !== 'read' && s !== 'removed') throw badRequest('Invalid status parameter');
    statuses.add(s);
  }
  const order = single(q, 'order') || defaults.order;
  if (!(ORDERS as readonly string[]).includes(order)) throw badRequest('Invalid order parameter');
  // Miniflux's default is oldest first; clients that want the newest say so (newsboat does).
  const direction = single(q, 'direction') || defaults.direction;
  if (direction !== 'asc' && direction !== 'desc') throw badRequest('Invalid direction parameter');
  const limit = intParam(q, 'limit', 0, 1_000_000) ?? defaults.limit;
  const maxLimit = Math.max(defaults.limit, MAX_LIMIT);
  const search = single(q, 'search');
  if (search !== undefined && search.length > 500) throw badRequest('Invalid search parameter');
  const f: EntryFilter = {
    statuses,
    order: order as EntryFilter['order'],
    direction,
    // 0 is no limit in Miniflux (the Go client sends it when none is set): the most Gleaner sends.
    limit: limit === 0 ? maxLimit : Math.min(limit, maxLimit),
    offset: intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
  const starred = boolParam(q, 'starred');
  if (starred !== undefined) f.starred = starred;
  const feedId = single(q, 'feed_id');
  if (feedId !== undefined && feedId !== '0') f.feedId = idParam(feedId, 'feed_id parameter');
  const categoryId = single(q, 'category_id');
  if (categoryId !== undefined) f.categoryId = categoryParam(categoryId, 'category_id parameter');
  if (search?.trim()) f.search = search.trim();
  // Times are Unix seconds; 0 is none, as in Miniflux. `before` and `after` are the older names of
  // `published_before` and `published_after`: both given, both hold.
  const max = 253_402_300_799; // 9999-12-31, in seconds
  const time = (name: string): number | undefined => {
    const seconds = intParam(q, name, 0, max);
    return seconds === undefined || seconds === 0 ? undefined : seconds * 1000;
  };
  const bound = (names: string[], pick: (...ms: number[]) => number): number | undefined => {
    const given = names.map(time).filter((ms): ms is number => ms !== undefined);
    return given.length === 0 ? undefined : pick(...given);
  };
  const publishedBefore = bound(['before', 'published_before'], Math.min);
  if (publishedBefore !== undefined) f.publishedBefore = publishedBefore;
  const publishedAfter = bound(['after', 'published_after'], Math.max);
  if (publishedAfter !== undefined) f.publishedAfter = publishedAfter;
  const changedBefore = time('changed_before');
  if (changedBefore !== undefined) f.changedBefore = changedBefore;
  const changedAfter = time('changed_after');
  if (changedAfter !== undefined) f.changedAfter = changedAfter;
  const tags = all(q, 'tags');
  if (tags.length > 100 || tags.some((t) => t.length > 500)) throw badRequest('Invalid tags parameter');
  // Matched whatever their case and the spaces around them, as the store keeps them (entry_tags).
  if (tags.length > 0) f.tags = tags.map((t) => t.trim().toLowerCase());
  const beforeId = intParam(q, 'before_entry_id', 0, Number.MAX_SAFE_INTEGER);
  if (beforeId !== undefined && beforeId > 0) f.beforeEntryId = beforeId;
  const afterId = intParam(q, 'after_entry_id', 0, Number.MAX_SAFE_INTEGER);
  if (afterId !== undefined && afterId > 0) f.afterEntryId = afterId;
  return f;
}

interface Authed {
  user: User;
}

declare module 'fastify' {
  interface FastifyRequest {
    minifluxUser: User | null;
  }
}

function authed(req: FastifyRequest): Authed {
  if (!req.minifluxUser) throw new ApiError(401, 'Access Unauthorized');
  return { user: req.minifluxUser };
}

// Clients join their configured URL and "/v1/...": newsboat 2.21, given "https://host/" as its
// man page suggests, asks for "//v1/feeds". Both are served.
const PREFIXES = ['/v1', '//v1'];

/** Whether a request's path is the Miniflux API's. */
export function isMinifluxPath(url: string): boolean {
  return PREFIXES.some((prefix) => url.startsWith(`${prefix}/`));
}

/** An error as Miniflux answers one. */
export function sendMinifluxError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error_message: message });
}

export function registerMinifluxApi(app: FastifyInstance, ctx: RouteContext): void {
  app.decorateRequest('minifluxUser', null);
  for (const prefix of PREFIXES) {
    void app.register(
      async (api) => {
        minifluxRoutes(api, ctx);
        await Promise.resolve();
      },
      { prefix },
    );
  }
}

function minifluxRoutes(api: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, log } = ctx.deps;
  const subscribeDeps = (): SubscribeDeps => ({ store, fetcher: ctx.deps.fetcher, clock });

  // Every body is kept raw: JSON is parsed by the route (an empty body is no body, as Miniflux
  // takes it), and /v1/import takes the OPML file as it comes, whatever type the client says.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  api.addHook('onRoute', (route) => {
    route.config = { ...route.config, csrf: false };
  });
  api.addHook('onRequest', async (req) => {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token) {
      req.minifluxUser = await userFromApiKey(ctx, token.trim());
      return;
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]{1,1000})\s*$/i.exec(auth);
    if (m?.[1]) {
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        req.minifluxUser = await userFromCredentials(
          ctx,
          req.ip,
          decoded.slice(0, colon),
          decoded.slice(colon + 1),
        );
      }
    }
  });
  // Nothing is answered, not even "not found", before the client has signed in.
  api.addHook('preValidation', (req, _reply, done) => {
    done(req.minifluxUser ? undefined : new ApiError(401, 'Access Unauthorized'));
  });
  api.setErrorHandler(async (error, req, reply) => {
    const err = storageError(error);
    const status = errorStatus(err);
    if (status >= 500)
      log.error('miniflux api request failed', { url: req.url.split('?')[0], error: String(err) });
    const message = errorMessage(err, status);
    if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="Gleaner"');
    if (status === 503) reply.header('Retry-After', '60');
    return sendMinifluxError(reply, status, message);
  });
  api.setNotFoundHandler(async (req, reply) => {
    return req.minifluxUser
      ? sendMinifluxError(reply, 404, 'Route not found')
      : sendMinifluxError(reply, 401, 'Access Unauthorized');
  });

  const noContent = (reply: FastifyReply): FastifyReply => reply.code(204).send();

  async function subscriptionsOf(userId: number): Promise<readonly SubscriptionView[]> {
    return ctx.subscriptions(userId);
  }

  async function subscriptionOf(userId: number, feedId: number): Promise<SubscriptionView> {
    const sub = subscriptionIndex(await subscriptionsOf(userId)).get(feedId);
    if (!sub) throw notFound();
    return sub;
  }

  async function folderExists(userId: number, categoryId: number): Promise<string | null> {
    if (categoryId === UNFILED_CATEGORY_ID) return null;
    const folder = (await store.listFolders(userId)).find((f) => f.id === categoryId);
    if (!folder) throw notFound();
    return folder.name;
  }

  // A subscribed feed's JSON, written once for as long as the library cache (ctx.subscriptions)
  // keeps its subscription: everything feedJson writes comes from the same row (the feed, the
  // user's title, folder and icon), so the text is exactly as fresh as the row. A list of 100
  // entries from 100 feeds spent ~10% of its time writing feed objects again.
  const subscribedFeedTexts = new WeakMap<object, string>();

  function subscribedFeedText(userId: number, sub: SubscriptionView): string {
    let text = subscribedFeedTexts.get(sub.subscription);
    if (text === undefined) {
      text = JSON.stringify(feedJson(userId, feedContextOf(sub)));
      subscribedFeedTexts.set(sub.subscription, text);
    }
    return text;
  }

  /** The JSON of the entries' feeds, as the user sees them (an unsubscribed feed's starred entries too). */
  async function feedTexts(userId: number, views: EntryView[]): Promise<Map<number, string>> {
    const map = new Map<number, string>();
    const subs = subscriptionIndex(await subscriptionsOf(userId));
    for (const v of views) {
      if (map.has(v.entry.feedId)) continue;
      const sub = subs.get(v.entry.feedId);
      if (sub) {
        map.set(sub.feed.id, subscribedFeedText(userId, sub));
        continue;
      }
      const feed = await store.getFeed(v.entry.feedId);
      if (feed) {
        const context = {
          feed,
          title: null,
          folderId: null,
          folderName: null,
          hasIcon: false,
          paused: false,
          blockRules: null,
          keepRules: null,
        };
        map.set(feed.id, JSON.stringify(feedJson(userId, context)));
      }
    }
    return map;
  }

  /** The entries as Miniflux sends them, each feed's object written once for all its entries. */
  async function entriesJson(userId: number, views: EntryView[]): Promise<JsonText[]> {
    const feeds = await feedTexts(userId, views);
    const out: JsonText[] = [];
    for (const v of views) {
      const feedText = feeds.get(v.entry.feedId);
      if (feedText !== undefined) out.push(entryText(userId, v, feedText));
    }
    return out;
  }

  /**
   * What a list's category leaves of the user's entries: a folder's feeds, or the feeds in none
   * (category 0). Those are often none or one: then the list is empty, or that feed's (its index),
   * where a date-ordered walk of the user's entries would look for them (47 ms on a million entries
   * for none).
   */
  async function categoryScope(userId: number, f: EntryFilter): Promise<Partial<EntryQuery>> {
    if (f.categoryId === undefined) return {};
    if (f.categoryId !== UNFILED_CATEGORY_ID) {
      await folderExists(userId, f.categoryId);
      return { folderId: f.categoryId };
    }
    const unfiled = (await subscriptionsOf(userId)).filter((s) => s.subscription.folderId === null);
    const [only] = unfiled;
    if (!only) return { entryIds: [] };
    return unfiled.length === 1 && f.feedId === undefined ? { feedId: only.feed.id } : { folderId: null };
  }

  /**
   * The common lists (unread or all, of everything, a feed or a folder, by date or id either way,
   * within the first thousand) straight from the store, their total from the per-feed counters;
   * null for anything else, which pageIds pages.
   */
  async function countedList(
    userId: number,
    f: EntryFilter,
  ): Promise<{ total: number; entries: unknown[] } | null> {
    const simple =
      (f.order === 'published_at' || f.order === 'id') &&
      f.search === undefined &&
      f.starred === undefined &&
      !narrowed(f) &&
      f.categoryId !== UNFILED_CATEGORY_ID &&
      f.offset + f.limit <= 1000 &&
      !f.statuses.has('removed');
    const unreadOnly = f.statuses.has('unread') && !f.statuses.has('read');
    if (!simple || (f.statuses.has('read') && !f.statuses.has('unread'))) return null;
    if (f.categoryId !== undefined) await folderExists(userId, f.categoryId);
    const subs = (await subscriptionsOf(userId)).filter(
      (s) =>
        (f.feedId === undefined || s.feed.id === f.feedId) &&
        (f.categoryId === undefined || s.subscription.folderId === f.categoryId),
    );
    if (f.feedId !== undefined && subs.length === 0) return null;
    const total = subs.reduce((n, s) => n + (unreadOnly ? s.unreadCount : s.entryCount), 0);
    const rows = await store.queryEntries({
      userId,
      status: unreadOnly ? 'unread' : 'all',
      sortBy: f.order === 'id' ? 'id' : 'published',
      order: f.direction === 'asc' ? 'oldest' : 'newest',
      limit: f.offset + f.limit,
      withContent: 'json',
      shape: 'entry',
      ...(f.feedId !== undefined ? { feedId: f.feedId } : {}),
      ...(f.categoryId !== undefined ? { folderId: f.categoryId } : {}),
    });
    return { total, entries: await entriesJson(userId, rows.slice(f.offset)) };
  }

  /**
   * The store's query for a list: its filters (status, star, feed, folder or none, tags,
   * publication dates, change times, entry ids, a search) and its order, which the store pages
   * with an exact total at any offset (the orders by category too, by date within each: see
   * byCategory). NetNewsWire syncs by paging every entry published (first) or changed (then) since
   * a date, oldest id first. null: the list is empty (it asks for removed entries only).
   */
  async function storeQuery(userId: number, f: EntryFilter): Promise<EntryQuery | null> {
    const wantsUnread = f.statuses.has('unread');
    const wantsRead = f.statuses.has('read');
    if (f.statuses.size > 0 && !wantsUnread && !wantsRead) return null;
    const scope = await categoryScope(userId, f);
    return {
      userId,
      status: wantsUnread === wantsRead ? 'all' : wantsUnread ? 'unread' : 'read',
      sortBy: SORT_BY[f.order],
      order: f.direction === 'asc' ? 'oldest' : 'newest',
      limit: f.limit,
      ...(f.search !== undefined ? { search: f.search } : {}),
      ...(f.starred !== undefined ? { starred: f.starred } : {}),
      ...(f.feedId !== undefined ? { feedId: f.feedId } : {}),
      ...scope,
      ...(f.tags !== undefined ? { tags: f.tags } : {}),
      ...(f.publishedBefore !== undefined ? { publishedBefore: f.publishedBefore } : {}),
      ...(f.publishedAfter !== undefined ? { publishedAfter: f.publishedAfter } : {}),
      ...(f.beforeEntryId !== undefined ? { idBelow: f.beforeEntryId } : {}),
      ...(f.afterEntryId !== undefined ? { idAbove: f.afterEntryId } : {}),
      ...(f.changedAfter !== undefined ? { changedAfter: f.changedAfter } : {}),
      ...(f.changedBefore !== undefined ? { changedBefore: f.changedBefore } : {}),
    };
  }

  /**
   * A list by category (its id or title): the user's categories in that order, each one's entries
   * by date, one after the other, each paged and counted by the store. A list of one feed or
   * category is one.
   */
  async function byCategory(
    userId: number,
    f: EntryFilter,
    query: EntryQuery,
  ): Promise<{ ids: number[]; total: number }> {
    if (query.feedId !== undefined || query.folderId !== undefined || query.entryIds !== undefined)
      return store.entryIds(query, f.offset);
    const categories = new Map<number, { folderId: number | null; key: number | string }>();
    for (const s of await subscriptionsOf(userId)) {
      const folderId = s.subscription.folderId;
      const id = folderId ?? UNFILED_CATEGORY_ID;
      const title = folderId === null ? UNFILED_CATEGORY_TITLE : (s.folderName ?? '');
      categories.set(id, { folderId, key: f.order === 'category_id' ? id : title.toLowerCase() });
    }
    const sign = f.direction === 'asc' ? 1 : -1;
    const ordered = [...categories].sort(([idA, a], [idB, b]) =>
      a.key === b.key ? (idA - idB) * sign : (a.key < b.key ? -1 : 1) * sign,
    );
    const ids: number[] = [];
    let total = 0;
    for (const [, { folderId }] of ordered) {
      // Each category's count; its ids where the page lies.
      const wanted = f.limit - ids.length;
      const offset = Math.max(0, f.offset - total);
      const page = await store.entryIds({ ...query, folderId, limit: Math.max(1, wanted) }, offset);
      if (wanted > 0) ids.push(...page.ids.slice(0, wanted));
      total += page.total;
    }
    return { ids, total };
  }

  /** The ids of a list's page, and how many the list holds. */
  async function pageIds(userId: number, f: EntryFilter): Promise<{ ids: number[]; total: number }> {
    const query = await storeQuery(userId, f);
    if (!query) return { ids: [], total: 0 };
    if (f.order === 'category_id' || f.order === 'category_title') return byCategory(userId, f, query);
    return store.entryIds(query, f.offset);
  }

  async function listEntries(userId: number, f: EntryFilter): Promise<{ total: number; entries: unknown[] }> {
    const counted = await countedList(userId, f);
    if (counted) return counted;
    const { ids, total } = await pageIds(userId, f);
    const full =
      ids.length === 0
        ? []
        : await store.queryEntries({
            userId,
            entryIds: ids,
            limit: ids.length,
            withContent: 'json',
            shape: 'entry',
          });
    const byId = new Map(full.map((v) => [v.entry.id, v]));
    const ordered = ids.map((id) => byId.get(id)).filter((v): v is EntryView => v !== undefined);
    return { total, entries: await entriesJson(userId, ordered) };
  }

  async function oneEntry(userId: number, entryId: number): Promise<EntryView> {
    const [view] = await store.queryEntries({
      userId,
      entryIds: [entryId],
      limit: 1,
      withContent: 'json',
      shape: 'entry',
    });
    if (!view) throw notFound();
    return view;
  }

  // ---- the user

  api.get('/me', async (req) => {
    const { user } = authed(req);
    const settings = normalizeSettings(await store.getUserSettings(user.id));
    return userJson(user, settings.language === 'zh' ? 'zh_CN' : 'en_US');
  });

  api.get('/version', (req, reply) => {
    authed(req);
    return reply.send({
      version: MINIFLUX_API_VERSION,
      commit: `gleaner-${packageVersion}`,
      build_date: '',
      go_version: '',
      compiler: `node ${process.versions.node}`,
      arch: process.arch,
      os: process.platform,
    });
  });

  // ---- users: Miniflux's user API, as `gleaner user` and the reader's Users page manage them.
  // Administrators see and change everyone; a user sees and changes themself, but for their
  // administrator rights. A changed password ends the user's sessions.

  async function userText(user: User): Promise<Record<string, unknown>> {
    const settings = normalizeSettings(await store.getUserSettings(user.id));
    return userJson(user, settings.language === 'zh' ? 'zh_CN' : 'en_US');
  }

  /** The user a path names (by id, or by name), seen by `me`: an administrator or themself. */
  async function namedUser(me: User, target: string): Promise<User> {
    const user = /^[1-9][0-9]{0,15}$/.test(target)
      ? await store.getUser(Number(target))
      : await store.findUserByName(target);
    if (!user) throw notFound();
    if (!me.isAdmin && user.id !== me.id) throw new ApiError(403, 'Access Forbidden');
    return user;
  }

  /** A user name from the body, trimmed, or a 400 that says what one is. */
  function usernameOf(value: unknown): string {
    const username = typeof value === 'string' ? value.trim() : '';
    if (!isValidUsername(username))
      throw badRequest('The username is 1 to 64 letters, digits, dots, dashes or underscores');
    return username;
  }

  /** `is_admin` from the body: absent, or true or false. */
  function isAdminOf(value: unknown): boolean | undefined {
    if (value !== undefined && typeof value !== 'boolean') throw badRequest('Invalid is_admin value');
    return value;
  }

  /** A new password's hash, or a 400 that says what it needs. */
  async function newPasswordHash(value: unknown): Promise<string> {
    if (typeof value !== 'string') throw badRequest('The password is required');
    const problem = passwordProblem(value);
    if (problem) throw badRequest(`The password needs ${problem}`);
    return hashPassword(value);
  }

  api.get('/users', async (req) => {
    const { user } = authed(req);
    if (!user.isAdmin) throw new ApiError(403, 'Access Forbidden');
    return Promise.all((await store.listUsers()).map(userText));
  });

  api.get<{ Params: { id: string } }>('/users/:id', async (req) => {
    const { user } = authed(req);
    return userText(await namedUser(user, req.params.id));
  });

  api.post('/users', async (req, reply) => {
    const { user: me } = authed(req);
    if (!me.isAdmin) throw new ApiError(403, 'Access Forbidden');
    const body = jsonBody(req);
    const username = usernameOf(body.username);
    const isAdmin = isAdminOf(body.is_admin) === true;
    const passwordHash = await newPasswordHash(body.password);
    if (await usernameTaken(store, username)) throw badRequest('The user already exists');
    const user = await store.createUser(username, { isAdmin, passwordHash }, clock());
    log.info('user created', { user: user.username, admin: user.isAdmin, by: me.username });
    return reply.code(201).send(await userText(user));
  });

  api.put<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
    const { user: me } = authed(req);
    const user = await namedUser(me, String(idParam(req.params.id, 'user ID')));
    const body = jsonBody(req);
    const isAdmin = isAdminOf(body.is_admin);
    if (isAdmin !== undefined && isAdmin !== user.isAdmin && (!me.isAdmin || user.id === me.id))
      throw new ApiError(403, 'Access Forbidden');
    const username = body.username === undefined ? undefined : usernameOf(body.username);
    if (username !== undefined && (await usernameTaken(store, username, user.id)))
      throw badRequest('The user already exists');
    const passwordHash = body.password === undefined ? null : await newPasswordHash(body.password);
    if (username !== undefined && username !== user.username) await store.renameUser(user.id, username);
    if (isAdmin !== undefined && isAdmin !== user.isAdmin) await store.setAdmin(user.id, isAdmin);
    if (passwordHash !== null) {
      await store.setPasswordHash(user.id, passwordHash);
      await store.deleteUserSessions(user.id);
    }
    const changed = (await store.getUser(user.id)) ?? user;
    return reply.code(201).send(await userText(changed));
  });

  api.delete<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
    const { user: me } = authed(req);
    if (!me.isAdmin) throw new ApiError(403, 'Access Forbidden');
    const user = await namedUser(me, String(idParam(req.params.id, 'user ID')));
    if (user.id === me.id) throw badRequest('You cannot remove yourself');
    await store.deleteUser(user.id);
    log.info('user deleted', { user: user.username, by: me.username });
    return noContent(reply);
  });

  // ---- API keys, the user's own (as the reader's Settings page makes them)

  api.get('/api-keys', async (req) => {
    const { user } = authed(req);
    return (await store.listApiKeys(user.id)).map((k) => apiKeyJson(k));
  });

  api.post('/api-keys', async (req, reply) => {
    const { user } = authed(req);
    const description = jsonBody(req).description;
    const name = typeof description === 'string' ? description.trim() : '';
    if (!name) throw badRequest('The description is required');
    if (name.length > MAX_KEY_NAME) throw badRequest(`The description is at most ${MAX_KEY_NAME} characters`);
    if ((await store.listApiKeys(user.id)).length >= MAX_API_KEYS)
      throw badRequest('Revoke a key before creating another');
    const { apiKey, key } = await issueApiKey(store, user, name, clock());
    log.info('API key created', { user: user.username, key: apiKey.id });
    return reply.code(201).send(apiKeyJson(apiKey, key));
  });

  api.delete<{ Params: { id: string } }>('/api-keys/:id', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'API key ID');
    if (!(await store.deleteApiKey(user.id, id))) throw notFound();
    log.info('API key revoked', { user: user.username, key: id });
    return noContent(reply);
  });

  // Gleaner sends entries to no third-party service (Miniflux's integrations): see /entries/:id/save.
  api.get('/users/integrations/status', (req, reply) => {
    authed(req);
    return reply.send({ has_integrations: false });
  });

  api.put<{ Params: { id: string } }>('/users/:id/mark-all-as-read', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'user ID');
    if (id !== user.id) throw new ApiError(403, 'Access Forbidden');
    await store.markAllRead(user.id, {}, clock());
    ctx.countsChanged(user.id);
    return noContent(reply);
  });

  // ---- feeds

  api.get('/feeds', async (req, reply) => {
    const { user } = authed(req);
    // Each feed's object as entry lists write it, one part each: stringified whole, a thousand
    // feeds' 830 KB came out as one string, two bytes a character for one title beyond Latin-1.
    const parts: string[] = ['['];
    for (const s of await subscriptionsOf(user.id))
      parts.push(parts.length > 1 ? ',' : '', subscribedFeedText(user.id, s));
    parts.push(']');
    return sendJson(reply, new JsonText(...parts));
  });

  api.get('/feeds/counters', async (req) => {
    const { user } = authed(req);
    const reads: Record<string, number> = {};
    const unreads: Record<string, number> = {};
    for (const s of await subscriptionsOf(user.id)) {
      reads[String(s.feed.id)] = Math.max(0, s.entryCount - s.unreadCount);
      unreads[String(s.feed.id)] = s.unreadCount;
    }
    return { reads, unreads };
  });

  api.put('/feeds/refresh', async (req, reply) => {
    const { user } = authed(req);
    ctx.refreshInBackground(
      user.id,
      (await subscriptionsOf(user.id)).map((s) => s.feed.id),
    );
    return reply.code(202).send();
  });

  api.get<{ Params: { id: string } }>('/feeds/:id', async (req) => {
    const { user } = authed(req);
    const sub = await subscriptionOf(user.id, idParam(req.params.id, 'feed ID'));
    return feedJson(user.id, feedContextOf(sub));
  });

  api.post('/discover', async (req) => {
    authed(req);
    const body = jsonBody(req);
    const url = body.url;
    if (typeof url !== 'string' || !url.trim()) throw badRequest('The URL is required');
    if (url.length > 4096) throw badRequest('The URL is too long');
    let found;
    try {
      found = await discoverSubscriptions(ctx.deps.fetcher, url, fetchOptions(body, false));
    } catch (err) {
      if (err instanceof GleanerError && err.code === 'FETCH_INVALID_URL') throw badRequest('Invalid URL');
      throw err;
    }
    if (found.length === 0) throw notFound();
    return found.map((f) => ({ url: f.url, title: f.title ?? f.url, type: f.type }));
  });

  api.post('/feeds', async (req, reply) => {
    const { user } = authed(req);
    const body = jsonBody(req);
    const url = body.feed_url;
    if (typeof url !== 'string' || !url.trim()) throw badRequest('The feed URL is required');
    if (url.length > 4096) throw badRequest('The feed URL is too long');
    let normalized: string;
    try {
      normalized = normalizeInputUrl(url);
    } catch {
      throw badRequest('Invalid feed URL');
    }
    const categoryId = body.category_id === undefined ? 0 : categoryParam(body.category_id);
    const folder = await folderExists(user.id, categoryId);
    const rules = rulesOf(body);
    if ((await store.listSubscriptions(user.id)).some((s) => s.feed.url === normalized))
      throw badRequest('This feed already exists.');
    const outcome = await subscribeToUrl(subscribeDeps(), {
      userId: user.id,
      url: normalized,
      folder,
      pickFirst: true,
      keepFollowed: true,
      options: fetchOptions(body, body.crawler === true),
      ...rules,
    });
    if (outcome.status !== 'subscribed') throw badRequest('No feed found at this address');
    // A site's address that leads to a feed the user follows already.
    if (outcome.already) throw badRequest('This feed already exists.');
    await ctx.refreshWaiting(user.id, [outcome.feed.id], fetchedOf(outcome));
    return reply.code(201).send({ feed_id: outcome.feed.id });
  });

  api.put<{ Params: { id: string } }>('/feeds/:id', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'feed ID');
    const body = jsonBody(req);
    const change: SubscriptionChange = {};
    const title = titleField(body);
    if (title !== undefined) change.title = title || null;
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== 'boolean') throw badRequest('Invalid disabled value');
      change.paused = body.disabled;
    }
    if (body.category_id !== undefined) {
      const categoryId = categoryParam(body.category_id);
      await folderExists(user.id, categoryId);
      change.folderId = categoryId === UNFILED_CATEGORY_ID ? null : categoryId;
    }
    Object.assign(change, rulesOf(body));
    const sub = await subscriptionOf(user.id, id);
    const current = sub.feed.options;
    if (body.feed_url !== undefined && typeof body.feed_url !== 'string')
      throw badRequest('Invalid feed_url');
    const newUrl = typeof body.feed_url === 'string' && body.feed_url !== sub.feed.url ? body.feed_url : null;
    let options: FetchOptions | null = null;
    if (
      [
        'user_agent',
        'cookie',
        'username',
        'password',
        'crawler',
        'scraper_rules',
        'rewrite_rules',
        'ignore_http_cache',
        'fetch_via_proxy',
        'allow_self_signed_certificates',
      ].some((k) => k in body)
    ) {
      // The fields named replace the feed's; the others stay (an empty one is none). The cookie and
      // password are never sent back (feedJson), so an empty one, as an app that sends a feed's
      // fields back (Miniflutt) sends it, leaves them as they are.
      const given = fetchOptions(body, body.crawler === true, current.trustedCertificate);
      options = {
        userAgent: 'user_agent' in body ? given.userAgent : current.userAgent,
        cookie: given.cookie ?? current.cookie,
        username: 'username' in body ? given.username : current.username,
        password: given.password ?? current.password,
        fetchFullArticle: 'crawler' in body ? given.fetchFullArticle : current.fetchFullArticle,
        articleSelector: 'scraper_rules' in body ? given.articleSelector : current.articleSelector,
        ignoreHttpCache: 'ignore_http_cache' in body ? given.ignoreHttpCache : current.ignoreHttpCache,
        removeSelector: 'rewrite_rules' in body ? given.removeSelector : current.removeSelector,
        rewriteRules: 'rewrite_rules' in body ? given.rewriteRules : current.rewriteRules,
        fetchViaProxy: 'fetch_via_proxy' in body ? given.fetchViaProxy : current.fetchViaProxy,
        trustedCertificate:
          'allow_self_signed_certificates' in body ? given.trustedCertificate : current.trustedCertificate,
        scrape: current.scrape,
      };
      // Nothing changed (the fields sent back as they were): the feed stays the one it is.
      if (fetchOptionsKey(options) === fetchOptionsKey(current)) options = null;
      else checkFetchOptions(options);
    }
    // A new URL (a feed that moved without a redirect) first: the rest applies to the feed there.
    // Checked with the fetch options the request gives it, when they change too.
    const move =
      newUrl === null
        ? null
        : await changeFeedUrl(subscribeDeps(), user.id, id, newUrl, options ?? undefined);
    let feedId = move ? move.feed.id : id;
    if (!(await store.updateSubscription(user.id, feedId, change))) throw notFound();
    const refetched = options && (await changeFetchOptions(subscribeDeps(), user.id, feedId, options));
    if (refetched) {
      feedId = refetched.id;
      ctx.refreshInBackground(user.id, [feedId]);
    } else if (move && move.status !== 'unchanged') {
      ctx.refreshInBackground(
        user.id,
        [feedId],
        move.fetched ? new Map([[feedId, move.fetched]]) : undefined,
      );
    }
    return reply.code(201).send(feedJson(user.id, feedContextOf(await subscriptionOf(user.id, feedId))));
  });

  api.delete<{ Params: { id: string } }>('/feeds/:id', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'feed ID');
    if (!(await store.unsubscribe(user.id, id))) throw notFound();
    ctx.countsChanged(user.id);
    return noContent(reply);
  });

  api.put<{ Params: { id: string } }>('/feeds/:id/refresh', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'feed ID');
    await subscriptionOf(user.id, id);
    ctx.refreshInBackground(user.id, [id]);
    return reply.code(202).send();
  });

  api.put<{ Params: { id: string } }>('/feeds/:id/mark-all-as-read', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'feed ID');
    await subscriptionOf(user.id, id);
    await store.markAllRead(user.id, { feedId: id }, clock());
    ctx.countsChanged(user.id);
    return noContent(reply);
  });

  async function iconJson(userId: number, feedId: number): Promise<Record<string, unknown>> {
    const sub = await subscriptionOf(userId, feedId);
    const icon = await store.getFeedIcon(sub.feed.id);
    if (!icon) throw notFound();
    const type = icon.contentType.split(';')[0]?.trim() || 'application/octet-stream';
    return {
      id: feedId,
      data: `${type};base64,${Buffer.from(icon.data).toString('base64')}`,
      mime_type: type,
    };
  }

  api.get<{ Params: { id: string } }>('/feeds/:id/icon', async (req) => {
    const { user } = authed(req);
    return iconJson(user.id, idParam(req.params.id, 'feed ID'));
  });

  // Icon ids are feed ids (shapes.ts).
  api.get<{ Params: { id: string } }>('/icons/:id', async (req) => {
    const { user } = authed(req);
    return iconJson(user.id, idParam(req.params.id, 'icon ID'));
  });

  api.get<{ Params: { id: string }; Querystring: Query }>('/feeds/:id/entries', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'feed ID');
    await subscriptionOf(user.id, id);
    return sendJson(reply, await listEntries(user.id, { ...entryFilter(req.query), feedId: id }));
  });

  api.get<{ Params: { id: string; entryId: string } }>('/feeds/:id/entries/:entryId', async (req, reply) => {
    const { user } = authed(req);
    const feedId = idParam(req.params.id, 'feed ID');
    const view = await oneEntry(user.id, idParam(req.params.entryId, 'entry ID'));
    if (view.entry.feedId !== feedId) throw notFound();
    return sendJson(reply, (await entriesJson(user.id, [view]))[0] ?? null);
  });

  // ---- categories

  api.get<{ Querystring: Query }>('/categories', async (req) => {
    const { user } = authed(req);
    const counts = boolParam(req.query, 'counts') === true;
    const subs = await subscriptionsOf(user.id);
    const folders = await store.listFolders(user.id);
    const list = [
      categoryJson(user.id, null, null),
      ...folders.map((f) => categoryJson(user.id, f.id, f.name)),
    ];
    if (counts) {
      for (const c of list) {
        const inIt = subs.filter((s) => (s.subscription.folderId ?? UNFILED_CATEGORY_ID) === c.id);
        c.feed_count = inIt.length;
        c.total_unread = inIt.reduce((n, s) => n + s.unreadCount, 0);
      }
    }
    return list;
  });

  api.post('/categories', async (req, reply) => {
    const { user } = authed(req);
    const title = titleField(jsonBody(req));
    if (!title) throw badRequest('The title is required');
    const folders = await store.listFolders(user.id);
    if (folders.some((f) => f.name.toLowerCase() === title.toLowerCase()))
      throw badRequest('This category already exists.');
    const folder = await store.ensureFolder(user.id, title);
    return reply.code(201).send(categoryJson(user.id, folder.id, folder.name));
  });

  api.put<{ Params: { id: string } }>('/categories/:id', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'category ID');
    await folderExists(user.id, id);
    const title = titleField(jsonBody(req));
    if (!title) throw badRequest('The title is required');
    if (!(await store.renameFolder(user.id, id, title))) throw badRequest('This category already exists.');
    return reply.code(201).send(categoryJson(user.id, id, title));
  });

  api.delete<{ Params: { id: string } }>('/categories/:id', async (req, reply) => {
    const { user } = authed(req);
    const id = idParam(req.params.id, 'category ID');
    if (!(await store.deleteFolder(user.id, id))) throw notFound();
    return noContent(reply);
  });

  api.get<{ Params: { id: string } }>('/categories/:id/feeds', async (req) => {
    const { user } = authed(req);
    const id = categoryParam(req.params.id);
    await folderExists(user.id, id);
    return (await subscriptionsOf(user.id))
      .filter((s) => (s.subscription.folderId ?? UNFILED_CATEGORY_ID) === id)
      .map((s) => feedJson(user.id, feedContextOf(s)));
  });

  api.get<{ Params: { id: string }; Querystring: Query }>('/categories/:id/entries', async (req, reply) => {
    const { user } = authed(req);
    const id = categoryParam(req.params.id);
    await folderExists(user.id, id);
    return sendJson(reply, await listEntries(user.id, { ...entryFilter(req.query), categoryId: id }));
  });

  api.get<{ Params: { id: string; entryId: string } }>(
    '/categories/:id/entries/:entryId',
    async (req, reply) => {
      const { user } = authed(req);
      const categoryId = categoryParam(req.params.id);
      await folderExists(user.id, categoryId);
      const view = await oneEntry(user.id, idParam(req.params.entryId, 'entry ID'));
      const sub = subscriptionIndex(await subscriptionsOf(user.id)).get(view.entry.feedId);
      if (!sub || (sub.subscription.folderId ?? UNFILED_CATEGORY_ID) !== categoryId) throw notFound();
      return sendJson(reply, (await entriesJson(user.id, [view]))[0] ?? null);
    },
  );

  api.put<{ Params: { id: string } }>('/categories/:id/mark-all-as-read', async (req, reply) => {
    const { user } = authed(req);
    const id = categoryParam(req.params.id);
    await folderExists(user.id, id);
    const now = clock();
    if (id === UNFILED_CATEGORY_ID) {
      for (const s of await subscriptionsOf(user.id))
        if (s.subscription.folderId === null) await store.markAllRead(user.id, { feedId: s.feed.id }, now);
    } else {
      await store.markAllRead(user.id, { folderId: id }, now);
    }
    ctx.countsChanged(user.id);
    return noContent(reply);
  });

  api.put<{ Params: { id: string } }>('/categories/:id/refresh', async (req, reply) => {
    const { user } = authed(req);
    const id = categoryParam(req.params.id);
    await folderExists(user.id, id);
    ctx.refreshInBackground(
      user.id,
      (await subscriptionsOf(user.id))
        .filter((s) => (s.subscription.folderId ?? UNFILED_CATEGORY_ID) === id)
        .map((s) => s.feed.id),
    );
    return reply.code(202).send();
  });

  // ---- entries

  api.get<{ Querystring: Query }>('/entries', async (req, reply) => {
    const { user } = authed(req);
    const f = entryFilter(req.query);
    if (f.feedId !== undefined) await subscriptionOf(user.id, f.feedId);
    return sendJson(reply, await listEntries(user.id, f));
  });

  api.get<{ Querystring: Query }>('/entries/ids', async (req) => {
    const { user } = authed(req);
    // Miniflux's id list takes true or false only, where its entry list ignores what it cannot read.
    const starred = single(req.query, 'starred');
    if (starred !== undefined && starred !== 'true' && starred !== 'false')
      throw badRequest('Invalid starred parameter, must be "true" or "false"');
    const f = entryFilter(req.query, ID_LIST);
    if (f.feedId !== undefined) await subscriptionOf(user.id, f.feedId);
    // The ids a list keeps, a page of them, and how many it keeps in all (NetNewsWire pages through
    // every unread and starred id this way).
    const { ids, total } = await pageIds(user.id, f);
    return { total, entry_ids: ids };
  });

  api.get<{ Params: { id: string } }>('/entries/:id', async (req, reply) => {
    const { user } = authed(req);
    const view = await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
    return sendJson(reply, (await entriesJson(user.id, [view]))[0] ?? null);
  });

  api.put('/entries', async (req, reply) => {
    const { user } = authed(req);
    const body = jsonBody(req);
    const ids = body.entry_ids;
    if (!Array.isArray(ids) || ids.length === 0) throw badRequest('The list of entries is empty');
    if (ids.length > MAX_ENTRY_IDS) throw badRequest('Too many entries');
    const entryIds = ids.map((v) => idParam(v, 'entry ID'));
    // The status, the star (Miniflux 2.3), or both.
    const { status, starred } = body;
    if (status === 'removed') throw badRequest('Removing entries is not supported');
    if (status !== undefined && status !== 'read' && status !== 'unread')
      throw badRequest('Invalid entry status');
    if (starred !== undefined && typeof starred !== 'boolean') throw badRequest('Invalid starred value');
    if (status === undefined && starred === undefined) throw badRequest('Invalid entry status');
    await store.setEntryState(
      user.id,
      entryIds,
      {
        ...(status !== undefined ? { read: status === 'read' } : {}),
        ...(starred !== undefined ? { starred } : {}),
      },
      clock(),
    );
    if (status !== undefined) ctx.countsChanged(user.id);
    return noContent(reply);
  });

  // The article from the entry's page (Readability over the page its link leads to); with
  // update_content=true it replaces the entry's body, for every reader of the feed, as a feed that
  // asks for full articles would have stored it. A page with no article answers the body as it is.
  api.get<{ Params: { id: string }; Querystring: Query }>(
    '/entries/:id/fetch-content',
    async (req, reply) => {
      const { user } = authed(req);
      const update = boolParam(req.query, 'update_content') === true;
      const view = await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
      const link = view.entry.link;
      if (!link) throw badRequest('This entry has no link to fetch its content from');
      const entry = { id: view.entry.id, feedId: view.entry.feedId, link };
      const article = await articleOfEntry(
        { store, fetcher: ctx.deps.fetcher, clock, extractArticle: ctx.deps.extractArticle },
        entry,
        update,
      );
      if (!article) {
        return sendJson(reply, {
          content: new JsonText(bodyJson(view)),
          reading_time: view.entry.readingMinutes,
        });
      }
      return sendJson(reply, { content: article.contentHtml, reading_time: article.readingMinutes });
    },
  );

  api.put<{ Params: { id: string } }>('/entries/:id/bookmark', async (req, reply) => {
    const { user } = authed(req);
    const view = await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
    await store.setEntryState(user.id, [view.entry.id], { starred: !view.starred }, clock());
    return noContent(reply);
  });

  api.put<{ Params: { id: string } }>('/entries/:id/star', async (req, reply) => {
    const { user } = authed(req);
    const view = await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
    await store.setEntryState(user.id, [view.entry.id], { starred: !view.starred }, clock());
    return noContent(reply);
  });

  api.post<{ Params: { id: string } }>('/entries/:id/save', async (req) => {
    const { user } = authed(req);
    await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
    // Miniflux's words: clients match them.
    throw badRequest('no third-party integration enabled');
  });

  // A feed's entries are shared by all its readers: one reader's edit would be everyone's.
  api.put<{ Params: { id: string } }>('/entries/:id', async (req) => {
    const { user } = authed(req);
    await oneEntry(user.id, idParam(req.params.id, 'entry ID'));
    throw badRequest('Entries cannot be edited: the readers of a feed share its entries');
  });

  // Miniflux's flush marks the read entries removed. Gleaner keeps no removed state: read entries
  // stay, to be searched and distilled into the wiki.
  const flushHistory = (req: FastifyRequest): never => {
    authed(req);
    throw badRequest('Flushing the history is not supported: Gleaner keeps the entries read');
  };
  api.put('/flush-history', flushHistory);
  api.delete('/flush-history', flushHistory);

  // ---- enclosures: an entry's, by the ids entries are sent with (shapes.ts)

  async function enclosureOf(userId: number, param: string): Promise<Record<string, unknown>> {
    const at = enclosureAt(idParam(param, 'enclosure ID'));
    if (!at) throw notFound();
    const view = await oneEntry(userId, at.entryId);
    const enclosure = view.entry.enclosures[at.index];
    if (!enclosure) throw notFound();
    return enclosureJson(userId, view.entry.id, enclosure, at.index);
  }

  api.get<{ Params: { id: string } }>('/enclosures/:id', async (req) => {
    const { user } = authed(req);
    return enclosureOf(user.id, req.params.id);
  });

  // Players send how far they got; Gleaner keeps no playback position.
  api.put<{ Params: { id: string } }>('/enclosures/:id', async (req) => {
    const { user } = authed(req);
    await enclosureOf(user.id, req.params.id);
    throw badRequest('Media progression is not kept: Gleaner stores no playback position');
  });

  // ---- OPML

  api.get('/export', async (req, reply) => {
    const { user } = authed(req);
    const opml = buildOpml(
      `Gleaner subscriptions of ${user.username}`,
      await exportFeeds(store, user.id),
      new Date(clock()),
    );
    return reply.code(200).type('text/xml; charset=utf-8').send(opml);
  });

  api.post('/import', async (req, reply) => {
    const { user } = authed(req);
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (bytes.length === 0) throw badRequest('The OPML file is empty');
    const parsed = parseOpml(bytes);
    if (parsed.outlines.length === 0) throw badRequest('The OPML file lists no feeds');
    const result = await importFeeds(subscribeDeps(), user.id, parsed.outlines);
    log.info('opml imported', { user: user.username, feeds: parsed.outlines.length, added: result.added });
    await ctx.fetchNewFeeds(user.id);
    return reply.code(201).send({ message: 'Feeds imported successfully' });
  });
}
