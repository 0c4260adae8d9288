// The reader's HTTP server: pages rendered on the server, a small script on top, sessions in
// cookies, CSRF tokens on every state change, and strict security headers. Routes live in
// routes/*, pages in views/*; this module wires them and owns what every request goes through.
import formbody from '@fastify/formbody';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Fetcher } from '../feed/fetch/index.js';
import type { ExtractArticle } from '../ingest/article.js';
import type { Logger } from '../log/index.js';
import { errorMessage, GleanerError } from '../model/errors.js';
import type { Folder, User } from '../model/index.js';
import type { FetchedFeeds } from '../refresh/pool.js';
import type { SchedulePolicy } from '../refresh/schedule.js';
import { storageError, type RetentionPolicy, type Store, type SubscriptionView } from '../store/index.js';
import { arrivalOrderServer } from './arrival.js';
import { BackgroundRefresh } from './background.js';
import { pooledBytes } from './encode.js';
import { LoginLimiter, newToken, sameToken, tokenHash, type FailureLimiter } from './auth.js';
import { translator, type Translate } from './i18n.js';
import { registerFeverApi } from '../api/fever/index.js';
import { isGReaderPath, registerGReaderApi, sendGReaderError } from '../api/greader/index.js';
import { isMinifluxPath, registerMinifluxApi, sendMinifluxError } from '../api/miniflux/index.js';
import { registerPublishRoutes } from '../publish/routes.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerFeedRoutes } from './routes/feeds.js';
import { registerProxyRoutes } from './routes/proxy.js';
import { registerPublicationRoutes } from './routes/publications.js';
import { registerReadingRoutes } from './routes/reading.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerWebSubRoutes } from './routes/websub.js';
import { registerWikiRoutes } from './routes/wiki.js';
import { DEFAULT_SETTINGS, languageFromHeader, normalizeSettings, type UserSettings } from './settings.js';
import { errorPage } from './views/errors.js';

export interface WebOptions {
  /** The public address (behind a proxy); links and cookie security follow it. */
  baseUrl: string | null;
  /** Route feed images through the server so reading does not reveal the reader's address. */
  proxyImages: boolean;
  /** The folder the knowledge wiki is built into; the reader shows its pages. */
  wikiDir: string;
  /** Which old entries the server removes (GLEANER_KEEP_*), told to users in their settings. */
  retention: RetentionPolicy;
}

export interface WebDeps {
  store: Store;
  log: Logger;
  fetcher: Fetcher;
  clock: () => number;
  /**
   * Refreshes these feeds now (the refresh loop's work, on demand); those in `fetched` (just
   * subscribed to) are stored from the document fetched then.
   */
  refreshNow: (feedIds: number[], fetched?: FetchedFeeds) => Promise<void>;
  /** Extracts the full articles readers ask for (on a worker thread); by default on this thread. */
  extractArticle?: ExtractArticle;
  policy: SchedulePolicy;
  options: WebOptions;
  /** Failed-login counts; by default this process's own (several processes share one, see cli/serve.ts). */
  loginLimiter?: FailureLimiter;
  /** The other processes serving beside this one, if any. */
  siblings?: Siblings;
}

/**
 * What a user's change made stale: their unread counts only (an entry read or starred), or
 * anything of theirs (a form sent: subscriptions, folders, feeds' state).
 */
export type UserChange = 'counts' | 'all';

/** What processes serving side by side tell each other: whose cached state to read again. */
export interface Siblings {
  /** This user's subscriptions or unread counts changed here. */
  userChanged(userId: number, change: UserChange): void;
  /** Calls `listener` when another process says a user's state changed there. */
  onUserChanged(listener: (userId: number, change: UserChange) => void): void;
}

/** Who is asking: the signed-in user with their settings, or a visitor. */
export interface Viewer {
  user: User | null;
  /** The session's CSRF token (a visitor gets one in a cookie for the login form). */
  csrf: string;
  settings: UserSettings;
  t: Translate;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer;
    sessionHash: string | null;
  }
}

export const SESSION_DAYS = 30;
const VISITOR_CSRF_COOKIE = 'gleaner_csrf';

export function sessionCookieName(secure: boolean): string {
  // __Host- cookies are bound to this origin and path: a sibling subdomain cannot overwrite them.
  return secure ? '__Host-gleaner_session' : 'gleaner_session';
}

function contentSecurityPolicy(proxyImages: boolean): string {
  const images = proxyImages ? "'self' data:" : "'self' data: https: http:";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images}`,
    "media-src 'self' https: http:",
    'frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com',
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "manifest-src 'self'",
    "worker-src 'self'",
  ].join('; ');
}

export async function createWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const secure = deps.options.baseUrl?.startsWith('https:') ?? false;
  const sessionCookie = sessionCookieName(secure);
  const csp = contentSecurityPolicy(deps.options.proxyImages);

  function securityHeaders(reply: FastifyReply): void {
    reply.header('Content-Security-Policy', csp);
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (secure) reply.header('Strict-Transport-Security', 'max-age=31536000');
  }

  /**
   * A request no route can take (no hook runs for it): its path does not decode, or a parameter is
   * longer than any real one. Answered as the API the path belongs to answers errors (its clients
   * read only that), or as the reader's other errors are.
   */
  function unroutable(error: { code: string }, req: FastifyRequest, reply: FastifyReply): void {
    securityHeaders(reply);
    const [status, message] =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? [414, 'URI Too Long'] : [400, 'Bad Request'];
    if (isMinifluxPath(req.url)) void sendMinifluxError(reply, status, message);
    else if (isGReaderPath(req.url)) void sendGReaderError(reply, status, `${message}!`);
    else if (wantsJson(req)) void reply.code(status).send({ error: message });
    else {
      const viewer = visitor(req);
      void reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(errorPage(viewer, status, viewer.t('This address is not valid.')).value);
    }
  }

  const app = Fastify({
    logger: false,
    trustProxy: deps.options.baseUrl !== null,
    bodyLimit: 1024 * 1024,
    // Long URLs are hostile, not real.
    routerOptions: { maxParamLength: 500 },
    serverFactory: arrivalOrderServer,
    frameworkErrors: unroutable,
  });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  // OPML uploads arrive as the raw file.
  app.addContentTypeParser(
    ['text/xml', 'application/xml', 'text/x-opml', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.decorateRequest('viewer', null as unknown as Viewer);
  app.decorateRequest('sessionHash', null);

  // Every answer of some size sent as a string (an object Fastify serialized, a public page) is
  // encoded to UTF-8 once, here, into a buffer kept for the next answer (pooledBytes): left a
  // string, it was encoded twice, once to measure its Content-Length and again by the socket's
  // write. Reader pages and the APIs' entry lists arrive as bytes already (encode.ts).
  app.addHook('onSend', async (_req, reply, payload) =>
    typeof payload === 'string' && payload.length > 4096 ? pooledBytes(reply, [payload]) : payload,
  );

  app.addHook('onRequest', async (req, reply) => {
    securityHeaders(reply);
    // Client apps that run in a browser (Nextflux) call the client APIs from their own origin: as
    // Miniflux and FreshRSS, any origin may. They sign in with the API's own header; a browser
    // never shows a page an answer open to any origin if it sent the user's cookies or passwords.
    if (isMinifluxPath(req.url) || isGReaderPath(req.url)) {
      void reply
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS')
        .header('access-control-allow-headers', 'Authorization, X-Auth-Token, Content-Type, Accept')
        .header('access-control-max-age', '3600');
      if (req.method === 'OPTIONS') return reply.code(204).send();
    }

    const cookies = parseCookies(req.headers.cookie ?? '');
    const token = cookies[sessionCookie];
    let viewer: Viewer | null = null;
    if (token && token.length <= 100) {
      const hash = tokenHash(token);
      const session = await deps.store.findSession(hash, deps.clock());
      if (session) {
        const settings = normalizeSettings(session.settings);
        viewer = { user: session.user, csrf: session.csrfToken, settings, t: translator(settings.language) };
        req.sessionHash = hash;
      }
    }
    req.viewer = viewer ?? visitor(req, cookies[VISITOR_CSRF_COOKIE] ?? '');
  });

  // Every state change carries the CSRF token (a form field or a header) and, when the browser
  // says where it came from, comes from this origin.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    // No route, nothing to change: the not-found answer comes in the format of the path's API.
    if (req.routeOptions.config.csrf === false || req.is404) return;
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && origin !== expectedOrigin(req, deps.options.baseUrl)) {
      return reply.code(403).type('text/plain').send('cross-origin request refused');
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      return reply.code(403).type('text/plain').send('cross-site request refused');
    }
    const body = req.body as Record<string, unknown> | undefined;
    const sent = req.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined);
    if (typeof sent !== 'string' || !req.viewer.csrf || !sameToken(sent, req.viewer.csrf)) {
      return reply
        .code(403)
        .type('text/plain')
        .send('missing or wrong CSRF token; reload the page and try again');
    }
  });

  app.setErrorHandler(async (error, req, reply) => {
    const err = storageError(error);
    const status = statusOf(err);
    if (status >= 500) deps.log.error('request failed', { url: req.url.split('?')[0], error: String(err) });
    // A full disk is for a while: clients may try again in a minute.
    if (status === 503) void reply.header('Retry-After', '60');
    const message = errorMessage(err, status);
    if (wantsJson(req)) return reply.code(status).send({ error: message });
    const viewer = (req.viewer as Viewer | null) ?? visitor(req);
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(errorPage(viewer, status, message).value);
  });
  app.setNotFoundHandler(async (req, reply) => {
    if (isGReaderPath(req.url)) return sendGReaderError(reply, 404, 'Not Found!');
    if (wantsJson(req)) return reply.code(404).send({ error: 'not found' });
    const viewer = req.viewer;
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(errorPage(viewer, 404, viewer.t('This page does not exist.')).value);
  });

  app.get('/healthz', () => Promise.resolve({ ok: true }));

  // The sidebar's subscriptions per user, valid while the user's subscriptions version stands and
  // for a short while (feed titles, icons and errors change as refreshes land).
  const SUBSCRIPTIONS_TTL_MS = 30_000;
  const COUNTS_TTL_MS = 2_000;
  interface CachedSubscriptions {
    at: number;
    version: number;
    subs: SubscriptionView[];
    folders: Folder[];
    /** The subscriptions with their unread counts: one array while the counts stand, so what a
     * page derives from it (indexes by feed, the sidebar's folders) can be kept with it. */
    views: SubscriptionView[] | null;
    countsAt: number;
  }
  const subscriptionCache = new Map<number, CachedSubscriptions>();
  const dropCounts = (userId: number): void => {
    const cached = subscriptionCache.get(userId);
    if (cached) cached.views = null;
  };
  // Another process's change: reading an article there makes only the counts here stale (every
  // article opened on one process once made the others read a thousand subscriptions again).
  deps.siblings?.onUserChanged((userId, change) => {
    if (change === 'all') subscriptionCache.delete(userId);
    else dropCounts(userId);
  });
  // A user's own change (refresh now, say) may change their feeds' state: the page after it reads
  // them again. Dropped when the change ends, so the redirect that follows sees it; the other
  // processes drop theirs too, since the next request may land on one of them.
  app.addHook('onResponse', (req, _reply, done) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.viewer?.user) {
      subscriptionCache.delete(req.viewer.user.id);
      deps.siblings?.userChanged(req.viewer.user.id, 'all');
    }
    done();
  });

  const refreshFailed = (err: unknown): void =>
    deps.log.warn('refresh on request failed', { error: String(err) });
  const background = new BackgroundRefresh({
    refreshNow: deps.refreshNow,
    onError: refreshFailed,
    onDone: (userId) => ctx.countsChanged(userId),
  });

  const ctx: RouteContext = {
    loginLimiter: deps.loginLimiter ?? new LoginLimiter(),
    async subscriptions(userId) {
      return (await ctx.library(userId)).subs;
    },
    async library(userId) {
      const now = deps.clock();
      const version = await deps.store.subscriptionsVersion(userId);
      let cached = subscriptionCache.get(userId);
      if (
        !cached ||
        cached.version !== version ||
        now - cached.at > SUBSCRIPTIONS_TTL_MS ||
        now < cached.at
      ) {
        const [subs, folders] = await Promise.all([
          deps.store.listSubscriptions(userId),
          deps.store.listFolders(userId),
        ]);
        cached = { at: now, version, subs, folders, views: null, countsAt: 0 };
        if (subscriptionCache.size > 1000) subscriptionCache.clear();
        subscriptionCache.set(userId, cached);
      }
      // Counts are read again after two seconds, or at once after the user's own change.
      if (!cached.views || now - cached.countsAt > COUNTS_TTL_MS || now < cached.countsAt) {
        const counts = await deps.store.unreadCounts(userId);
        cached.views = cached.subs.map((s) => ({ ...s, unreadCount: counts.get(s.feed.id) ?? 0 }));
        cached.countsAt = now;
      }
      return { subs: cached.views, folders: cached.folders };
    },
    countsChanged(userId, oneRead) {
      const cached = subscriptionCache.get(userId);
      if (cached?.views && oneRead !== undefined) {
        // Exactly one feed lost one unread entry: no need to read a thousand counts again.
        cached.views = cached.views.map((v) =>
          v.feed.id === oneRead ? { ...v, unreadCount: Math.max(0, v.unreadCount - 1) } : v,
        );
      } else dropCounts(userId);
      deps.siblings?.userChanged(userId, 'counts');
    },
    refreshInBackground: (userId, feedIds, fetched) => background.start(userId, feedIds, fetched),
    async refreshWaiting(userId, feedIds, fetched) {
      try {
        await deps.refreshNow(feedIds, fetched);
      } catch (err) {
        refreshFailed(err);
      }
      ctx.countsChanged(userId);
    },
    async fetchNewFeeds(userId, fetched) {
      const subs = await deps.store.listSubscriptions(userId);
      const never = subs
        .filter((s) => s.feed.lastCheckedAt === null && !s.subscription.paused)
        .map((s) => s.feed.id);
      background.start(userId, never, fetched);
    },
    deps,
    sessionCookie,
    secure,
    async startSession(req, reply, userId) {
      const token = newToken();
      const now = deps.clock();
      await deps.store.createSession({
        tokenHash: tokenHash(token),
        userId,
        csrfToken: newToken(),
        createdAt: now,
        expiresAt: now + SESSION_DAYS * 86_400_000,
        userAgent: (req.headers['user-agent'] ?? '').slice(0, 300) || null,
        ip: req.ip,
      });
      reply.header(
        'Set-Cookie',
        serializeCookie(sessionCookie, token, {
          httpOnly: true,
          secure,
          sameSite: 'lax',
          path: '/',
          maxAge: SESSION_DAYS * 86400,
        }),
      );
    },
    clearSessionCookie(reply) {
      reply.header(
        'Set-Cookie',
        serializeCookie(sessionCookie, '', { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: 0 }),
      );
    },
    visitorCsrf(req, reply) {
      if (req.viewer.csrf) return req.viewer.csrf;
      const token = newToken();
      reply.header(
        'Set-Cookie',
        serializeCookie(VISITOR_CSRF_COOKIE, token, {
          httpOnly: true,
          secure,
          sameSite: 'strict',
          path: '/',
        }),
      );
      req.viewer.csrf = token;
      return token;
    },
  };
  registerAssetRoutes(app);
  registerAuthRoutes(app, ctx);
  registerReadingRoutes(app, ctx);
  registerSearchRoutes(app, ctx);
  registerWikiRoutes(app, ctx);
  registerProxyRoutes(app, ctx);
  registerWebSubRoutes(app, ctx);
  registerFeedRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerPublicationRoutes(app, ctx);
  registerMinifluxApi(app, ctx);
  registerGReaderApi(app, ctx);
  registerFeverApi(app, ctx);
  registerPublishRoutes(app, ctx);
  return app;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route authenticates otherwise (API keys) and takes no CSRF token. */
    csrf?: boolean;
  }
}

export interface RouteContext {
  deps: WebDeps;
  /** Failed logins by address and by name, shared by the login form and the client APIs. */
  loginLimiter: FailureLimiter;
  sessionCookie: string;
  secure: boolean;
  /** Signs a user in on this browser: a new session and its cookie. */
  startSession(req: FastifyRequest, reply: FastifyReply, userId: number): Promise<void>;
  clearSessionCookie(reply: FastifyReply): void;
  /**
   * The user's subscriptions with fresh unread counts. The rest is kept while the user's
   * subscriptions and folders stay as they are, and for at most half a minute (feed titles, icons
   * and errors change as refreshes land). The same array comes back while the counts stand: it
   * is shared, never to be changed in place.
   */
  subscriptions(userId: number): Promise<readonly SubscriptionView[]>;
  /** The user's subscriptions, as subscriptions() gives them, and folders, kept alike. */
  library(userId: number): Promise<{ subs: readonly SubscriptionView[]; folders: readonly Folder[] }>;
  /**
   * The user's unread counts changed outside a POST: `oneRead` when the change was one unread
   * entry of that feed marked read (opening an article), else anything.
   */
  countsChanged(userId: number, oneRead?: number): void;
  /**
   * Refreshes feeds for the user once the answer has gone, one batch at a time (BackgroundRefresh);
   * false when every one of them is being refreshed already.
   */
  refreshInBackground(userId: number, feedIds: readonly number[], fetched?: FetchedFeeds): boolean;
  /**
   * Refreshes feeds now and waits for them (a new subscription, "refresh this feed"); those in
   * `fetched` are stored from that document. A failure is the feeds' state (their last error), not
   * the request's: it is logged. The user's counts are read again after it.
   */
  refreshWaiting(userId: number, feedIds: number[], fetched?: FetchedFeeds): Promise<void>;
  /**
   * Fetches, in the background, the user's feeds never fetched yet (those an import added) but
   * those they paused; those in `fetched` (found by subscribing) are stored from that document.
   */
  fetchNewFeeds(userId: number, fetched?: FetchedFeeds): Promise<void>;
  /** The visitor's CSRF token for the login and setup forms, set in a cookie when missing. */
  visitorCsrf(req: FastifyRequest, reply: FastifyReply): string;
}

function expectedOrigin(req: FastifyRequest, baseUrl: string | null): string {
  if (baseUrl) return new URL(baseUrl).origin;
  return `${req.protocol}://${req.headers.host ?? ''}`;
}

function visitor(req: FastifyRequest, csrf = ''): Viewer {
  const language = languageFromHeader(req.headers['accept-language']);
  return { user: null, csrf, settings: { ...DEFAULT_SETTINGS, language }, t: translator(language) };
}

export function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function statusOf(err: unknown): number {
  if (err instanceof GleanerError) {
    switch (err.code) {
      case 'NOT_FOUND':
        return 404;
      case 'USAGE':
      case 'FETCH_INVALID_URL':
      case 'OPML_INVALID':
      case 'PARSE_NOT_A_FEED':
      case 'PARSE_TOO_LARGE':
      case 'PARSE_TOO_DEEP':
        return 400;
      case 'FETCH_BLOCKED_ADDRESS':
      case 'FETCH_HTTP_STATUS':
      case 'FETCH_TOO_LARGE':
      case 'FETCH_TIMEOUT':
      case 'FETCH_TOO_MANY_REDIRECTS':
      case 'FETCH_NETWORK':
      case 'DECODE_FAILED':
        return 502;
      case 'STORAGE_FULL':
      case 'STORAGE_BUSY':
        return 503;
      default:
        return 500;
    }
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
