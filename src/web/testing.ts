// The web reader for tests: the real server on 127.0.0.1 over an in-memory SQLite store, a real
// fetcher (allowed to reach loopback test servers only), refreshes on demand as `gleaner serve`
// runs them, and signed-in HTTP clients that carry the session cookie and the CSRF token.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/index.js';
import { createFetcher, type Fetcher, type NetworkPolicy } from '../feed/fetch/index.js';
import { silentLogger } from '../log/index.js';
import type { User } from '../model/index.js';
import { refreshFeeds } from '../refresh/pool.js';
import { retentionPolicy } from '../refresh/retention.js';
import type { RefreshDeps } from '../refresh/refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from '../refresh/schedule.js';
import { openStore, type RetentionPolicy, type Store } from '../store/index.js';
import type { SqliteOptions } from '../store/sqlite.js';
import { hashPassword } from './auth.js';
import { createWebServer, sessionCookieName, type WebDeps } from './server.js';

/**
 * Loopback only: reaches test servers on 127.0.0.1 while private networks (10.0.0.0/8…) and
 * cloud metadata addresses stay refused, as on a default installation.
 */
export const LOOPBACK_ONLY_POLICY: NetworkPolicy = {
  allowPrivateNetworks: false,
  allowedCidrs: ['127.0.0.0/8', '::1/128'],
};

export interface WebAppOptions {
  /** The fetcher's network policy; LOOPBACK_ONLY_POLICY by default. */
  policy?: NetworkPolicy;
  clock?: () => number;
  proxyImages?: boolean;
  /** The wiki folder the reader shows; a fresh empty temporary folder by default. */
  wikiDir?: string;
  /** Which old entries the server says it removes (default: the configuration's defaults). */
  retention?: RetentionPolicy;
  /** Options of the in-memory SQLite store (a size limit, say). */
  sqlite?: SqliteOptions;
}

/** A response with its body read. */
export interface WebResponse {
  status: number;
  headers: Headers;
  /** The Location header, for redirects (not followed). */
  location: string | null;
  body: string;
  json<T = unknown>(): T;
}

export interface PostOptions {
  /** The CSRF token to send as the `_csrf` field (or header, for JSON); null sends none. The session's by default. */
  csrf?: string | null;
  headers?: Record<string, string>;
}

export interface WebClient {
  readonly user: User;
  /** The session's CSRF token, as a page's <meta name="csrf-token"> gives it. */
  readonly csrf: string;
  /** The Cookie header this client sends. */
  readonly cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<WebResponse>;
  /** A form post (application/x-www-form-urlencoded), with `_csrf` added. */
  post(
    path: string,
    fields?: Record<string, string | number | boolean>,
    options?: PostOptions,
  ): Promise<WebResponse>;
  /** A JSON post that asks for JSON back, with the token in the x-csrf-token header. */
  postJson(path: string, body: unknown, options?: PostOptions): Promise<WebResponse>;
  /** A raw body (an OPML file, say) with its content type, the token in the x-csrf-token header. */
  postRaw(
    path: string,
    body: string | Uint8Array,
    contentType: string,
    options?: PostOptions,
  ): Promise<WebResponse>;
}

export interface WebApp {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  store: Store;
  fetcher: Fetcher;
  deps: WebDeps;
  app: FastifyInstance;
  /** Creates a user with this password (the first one is an administrator). */
  addUser(username: string, password: string, options?: { isAdmin?: boolean }): Promise<User>;
  /** Signs in (creating the user when missing) through the login form, as a browser does. */
  login(username: string, password: string): Promise<WebClient>;
  /** A request without any cookie. */
  fetch(path: string, init?: RequestInit): Promise<WebResponse>;
  close(): Promise<void>;
}

async function read(res: Response): Promise<WebResponse> {
  const body = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    location: res.headers.get('location'),
    body,
    json: <T>() => JSON.parse(body) as T,
  };
}

/** The value of a cookie a response sets, or null. */
function setCookie(res: Response, name: string): string | null {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === name)
      return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Every route the server answers, as "METHOD /path" (HEAD left out), read from Fastify's route
 * tree: a sweep over them covers a route added later too.
 */
export function routeTable(app: FastifyInstance): string[] {
  const routes: string[] = [];
  // The tree splits paths where they share a prefix: a route's path is its node's segments, root down.
  const segments: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    segments.length = depth;
    segments[depth] = m[2] ?? '';
    for (const method of m[3]?.split(', ') ?? [])
      if (method !== 'HEAD') routes.push(`${method} ${segments.join('')}`);
  }
  return routes;
}

/** The CSRF token a page carries in <meta name="csrf-token">. */
export function csrfFromPage(page: string): string | null {
  return /<meta name="csrf-token" content="([^"]*)"\s*\/?>/.exec(page)?.[1] ?? null;
}

export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const store = await openStore({
    dbPath: ':memory:',
    databaseUrl: null,
    ...(options.sqlite ? { sqlite: options.sqlite } : {}),
  });
  const fetcher = createFetcher({
    policy: options.policy ?? LOOPBACK_ONLY_POLICY,
    userAgent: 'gleaner-test',
    timeouts: { connectMs: 5_000, headersMs: 5_000, bodyMs: 5_000 },
  });
  const clock = options.clock ?? Date.now;
  const refreshDeps: RefreshDeps = {
    store,
    fetcher,
    clock,
    random: Math.random,
    log: silentLogger,
    policy: DEFAULT_SCHEDULE_POLICY,
    maxFeedBytes: 16 * 1024 * 1024,
  };
  const wikiDir = options.wikiDir ?? mkdtempSync(join(tmpdir(), 'gleaner-wiki-'));
  const deps: WebDeps = {
    store,
    log: silentLogger,
    fetcher,
    clock,
    policy: DEFAULT_SCHEDULE_POLICY,
    async refreshNow(feedIds, fetched) {
      const feeds = [];
      for (const id of feedIds) {
        const feed = await store.getFeed(id);
        if (feed) feeds.push(feed);
      }
      await refreshFeeds(feeds, refreshDeps, { concurrency: 4, perHost: 2, fetched });
    },
    options: {
      baseUrl: null,
      proxyImages: options.proxyImages ?? false,
      wikiDir,
      retention: options.retention ?? retentionPolicy(loadConfig({})),
    },
  };
  const app = await createWebServer(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const sessionCookie = sessionCookieName(false);

  const request = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(new URL(path, baseUrl), { redirect: 'manual', ...init });

  async function addUser(
    username: string,
    password: string,
    opts: { isAdmin?: boolean } = {},
  ): Promise<User> {
    const isAdmin = opts.isAdmin ?? (await store.listUsers()).length === 0;
    return store.createUser(username, { isAdmin, passwordHash: await hashPassword(password) }, clock());
  }

  async function login(username: string, password: string): Promise<WebClient> {
    const user = (await store.findUserByName(username)) ?? (await addUser(username, password));
    const form = await request('/login');
    const visitorCsrf = setCookie(form, 'gleaner_csrf');
    const formPage = await form.text();
    const field = /name="_csrf" value="([^"]*)"/.exec(formPage)?.[1];
    if (!visitorCsrf || !field) throw new Error(`the login page gave no CSRF token (status ${form.status})`);
    const signedIn = await request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `gleaner_csrf=${visitorCsrf}` },
      body: new URLSearchParams({ _csrf: field, username, password, next: '/unread' }).toString(),
    });
    await signedIn.text();
    const session = setCookie(signedIn, sessionCookie);
    if (signedIn.status !== 303 || !session)
      throw new Error(`login as ${username} failed (status ${signedIn.status})`);
    const cookie = `${sessionCookie}=${session}`;
    const landing = await request(signedIn.headers.get('location') ?? '/unread', { headers: { cookie } });
    const csrf = csrfFromPage(await landing.text());
    if (!csrf) throw new Error(`the page after login has no CSRF token (status ${landing.status})`);

    const tokenOf = (o: PostOptions): string | null => (o.csrf === undefined ? csrf : o.csrf);
    return {
      user,
      csrf,
      cookie,
      async get(path, headers = {}) {
        return read(await request(path, { headers: { cookie, ...headers } }));
      },
      async post(path, fields = {}, o = {}) {
        const body = new URLSearchParams();
        for (const [k, v] of Object.entries(fields)) body.set(k, String(v));
        const token = tokenOf(o);
        if (token !== null) body.set('_csrf', token);
        return read(
          await request(path, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...o.headers },
            body: body.toString(),
          }),
        );
      },
      async postJson(path, json, o = {}) {
        const token = tokenOf(o);
        return read(
          await request(path, {
            method: 'POST',
            headers: {
              cookie,
              'content-type': 'application/json',
              accept: 'application/json',
              ...(token !== null ? { 'x-csrf-token': token } : {}),
              ...o.headers,
            },
            body: JSON.stringify(json),
          }),
        );
      },
      async postRaw(path, raw, contentType, o = {}) {
        const token = tokenOf(o);
        return read(
          await request(path, {
            method: 'POST',
            headers: {
              cookie,
              'content-type': contentType,
              ...(token !== null ? { 'x-csrf-token': token } : {}),
              ...o.headers,
            },
            body: raw,
          }),
        );
      },
    };
  }

  return {
    baseUrl,
    store,
    fetcher,
    deps,
    app,
    addUser,
    login,
    fetch: async (path, init) => read(await request(path, init)),
    async close() {
      await app.close();
      await fetcher.close();
      await store.close();
      if (options.wikiDir === undefined) rmSync(wikiDir, { recursive: true, force: true });
    },
  };
}
