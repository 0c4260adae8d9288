// The fetch stage: one HTTP GET of a feed, with conditional requests, redirects, size and time
// limits, and the SSRF policy. A thin shell over undici; the rules live in http.ts and address.ts.

import { Agent, type Dispatcher } from 'undici';
import { classifyAddress, isBlockedAddress, parseIp, type NetworkPolicy } from './address.js';
import { GleanerError } from '../../model/errors.js';
import { discardBody, readBody } from './body.js';
import {
  FetchError,
  blockedAddressError,
  bodyTimeoutError,
  redactUrl,
  toFetchError,
  tooLargeError,
  type FetchTimeouts,
} from './errors.js';
import {
  ACCEPT,
  ACCEPT_ENCODING,
  header,
  isPermanentRedirect,
  isRedirect,
  parseFeedUrl,
  parseHttpDate,
  parseMaxAge,
  parseRetryAfter,
  redirectTarget,
  secretsGoTo,
  statusError,
} from './http.js';
import { guardedLookup, resolveHost, type ResolveHost } from './lookup.js';
import { checkProxiedUrl, createProxyDispatcher, proxyError } from './proxy.js';
import {
  certificateFingerprint,
  certificateToTrust,
  trustingTlsOptions,
  type PresentedCertificate,
} from './certificate.js';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export {
  DEFAULT_NETWORK_POLICY,
  isBlockedAddress,
  parseNetworkPolicy,
  type NetworkPolicy,
} from './address.js';
export { FetchError, redactUrl, type FetchTimeouts } from './errors.js';
export { movedUrl, secretsGoTo, takeCredentials } from './http.js';
export { parseProxyUrl } from './proxy.js';
export {
  certificateFingerprint,
  MAX_CERTIFICATE_CHARS,
  parseTrustedCertificate,
  type PresentedCertificate,
  type TrustedCertificate,
} from './certificate.js';
export type { ResolveHost } from './lookup.js';

/** True for fetch options that carry a secret: a cookie, a user name or a password. */
export function carriesSecrets(o: {
  cookie: string | null;
  username: string | null;
  password: string | null;
}): boolean {
  return !!(o.cookie || o.username || o.password);
}

/**
 * True when two URLs name the same host (either scheme, any port): one site, as far as a feed's
 * icon goes. Where its cookie and credentials go is secretsGoTo's to say.
 */
export function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).hostname === new URL(b).hostname;
  } catch {
    return false;
  }
}

/**
 * How a request leaves: straight to its server, or through `proxy`, which `setting` names; trusting
 * the usual authorities, and the certificate whose fingerprint `trusted` is when it is set.
 */
interface Route {
  agent: Dispatcher;
  proxy: URL | null;
  setting?: string;
  trusted: string | null;
}

/** A certificate a route trusts besides the usual authorities: its fingerprint, and the TLS options. */
interface Trust {
  fingerprint: string;
  tls: ConnectionOptions;
}

export interface FetcherOptions {
  policy: NetworkPolicy;
  userAgent: string;
  timeouts?: FetchTimeouts;
  /** Limit on the body, counted both as sent and after decompression. */
  maxBodyBytes?: number;
  maxRedirects?: number;
  /** Concurrent connections per origin; requests beyond it wait their turn. */
  perHostConnections?: number;
  /** DNS resolution; tests inject one to point names at the loopback test server. */
  resolveHost?: ResolveHost;
  /** A proxy every request goes through (see proxy.ts; parseProxyUrl checks it). */
  proxy?: URL | null;
  /**
   * The proxy for the requests that ask for one (FeedRequest.viaProxy: feeds whose fetch options
   * say so, as Miniflux's fetch_via_proxy; Tor's HTTPTunnelPort, say). Without it, such a request
   * fails: it is never sent another way.
   */
  feedProxy?: URL | null;
  /** The clock, for turning a Retry-After date into seconds. */
  now?: () => number;
}

export const DEFAULT_FETCH_OPTIONS = {
  timeouts: { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 },
  maxBodyBytes: 16 * 1024 * 1024,
  maxRedirects: 5,
  perHostConnections: 2,
} as const;

export interface FeedRequest {
  url: string;
  /** Validators from the previous fetch, for a conditional GET. */
  etag?: string | null;
  lastModified?: string | null;
  /** Overrides the fetcher's User-Agent for this subscription. */
  userAgent?: string | null;
  /**
   * Credentials and cookie, sent where secretsGoTo says: to `url`'s origin, and to its https
   * address; never to another origin a redirect leads to.
   */
  cookie?: string | null;
  username?: string | null;
  password?: string | null;
  /** Through the fetcher's feedProxy (FetcherOptions), which must be set. */
  viaProxy?: boolean;
  /**
   * A certificate (PEM) trusted besides the usual authorities: the server's own self-signed one, or
   * its private CA's (see certificate.ts). Any server may still show one an authority vouches for.
   */
  trustedCertificate?: string | null;
  signal?: AbortSignal;
}

/** What the server said about when to ask again. */
export interface CacheHints {
  cacheControlMaxAge: number | null;
  /** Seconds, from a Retry-After header on a successful response. */
  retryAfter: number | null;
  /** ISO 8601 UTC. */
  expires: string | null;
}

export type FetchResult =
  | ({
      status: 'not-modified';
      finalUrl: string;
      /** Set when every hop to `finalUrl` was a 301 or 308: the subscription's URL should become it. */
      permanentRedirectUrl: string | null;
    } & CacheHints)
  | ({
      status: 'ok';
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      /** Set when every hop to `finalUrl` was a 301 or 308: the subscription's URL should become it. */
      permanentRedirectUrl: string | null;
      /**
       * A document that may hold only some of the feed's items (what a WebSub hub sends, or a
       * compressed body cut short, which has no validators then): an item it lacks may still be in
       * the feed.
       */
      partial?: boolean;
    } & CacheHints);

export interface Fetcher {
  /** Fetches one feed; throws FetchError (a GleanerError) with a message for the user. */
  fetchFeed(request: FeedRequest): Promise<FetchResult>;
  /**
   * Sends a form by POST (a WebSub hub's subscription request), through the same guards as
   * feeds, redirects not followed: the answer's status; the FetchError of a failed request.
   */
  postForm(url: string, fields: Record<string, string>): Promise<number>;
  /**
   * The certificate the https server at `url` shows, not verified (certificateToTrust): for its
   * user to check and then trust for a feed. Straight to the server only, through the same
   * address guards as a fetch: behind a proxy (GLEANER_FETCH_PROXY, or the feed proxy for a feed
   * fetched through it: `viaProxy`) it is a USAGE error that says how else to get it.
   */
  presentedCertificate(url: string, request?: { viaProxy?: boolean }): Promise<PresentedCertificate>;
  /** Closes pooled connections after in-flight fetches finish. */
  close(): Promise<void>;
}

// Enough to drain a typical error page so its connection can be reused.
const DRAIN_LIMIT = 64 * 1024;

export function createFetcher(options: FetcherOptions): Fetcher {
  const timeouts = options.timeouts ?? DEFAULT_FETCH_OPTIONS.timeouts;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_FETCH_OPTIONS.maxBodyBytes;
  const maxRedirects = options.maxRedirects ?? DEFAULT_FETCH_OPTIONS.maxRedirects;
  const now = options.now ?? Date.now;
  const { policy } = options;
  const resolve = options.resolveHost ?? resolveHost;
  const connections = options.perHostConnections ?? DEFAULT_FETCH_OPTIONS.perHostConnections;
  // One pool per origin, reused across fetches; the guarded lookup vets every new connection, or,
  // through a proxy, checkRequest every request.
  function makeRoute(viaProxy: boolean, trust: Trust | null): Route {
    const trusted = trust?.fingerprint ?? null;
    const tls = trust?.tls ?? {};
    const proxy = viaProxy ? options.feedProxy : options.proxy;
    if (proxy) {
      return {
        agent: createProxyDispatcher({ proxy, connections, ...timeouts, tls }),
        proxy,
        setting: viaProxy ? 'GLEANER_FEED_PROXY' : 'GLEANER_FETCH_PROXY',
        trusted,
      };
    }
    const agent = new Agent({
      connections,
      connect: { timeout: timeouts.connectMs, lookup: guardedLookup(resolve, policy), ...tls },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
    });
    return { agent, proxy: null, trusted };
  }
  const usual = makeRoute(false, null);
  // The other ways out, made when a request first needs them: through the feed proxy, trusting a
  // feed's certificate, or both (one for each certificate feeds trust: a few, kept until close).
  const routes = new Map<string, Route>();

  /** The way a request to `url` goes: the usual one, or the one its fetch options ask for. */
  function routeOf(url: URL, request: Pick<FeedRequest, 'viaProxy' | 'trustedCertificate'>): Route {
    const viaProxy = request.viaProxy ?? false;
    const certificate = request.trustedCertificate ?? null;
    if (viaProxy && !options.feedProxy) {
      throw new FetchError(
        'CONFIG_INVALID',
        `${redactUrl(url)} is to be fetched through a proxy (its fetch options say so), and GLEANER_FEED_PROXY is not set: set it, or fetch the feed without one`,
      );
    }
    if (!viaProxy && certificate === null) return usual;
    const key = `${viaProxy ? 'feed proxy' : 'usual'}\n${certificate ?? ''}`;
    let route = routes.get(key);
    if (!route) {
      route = makeRoute(viaProxy, certificate === null ? null : trustOf(url, certificate));
      routes.set(key, route);
    }
    return route;
  }

  /** What trusting `certificate` takes, for a request to `url`. */
  function trustOf(url: URL, certificate: string): Trust {
    try {
      return { fingerprint: certificateFingerprint(certificate), tls: trustingTlsOptions(certificate) };
    } catch (error) {
      // Checked when it was given: only a database changed by hand holds one that does not read.
      throw new FetchError(
        'CONFIG_INVALID',
        `${redactUrl(url)}: the certificate its feed trusts cannot be read; give it again in the feed's fetch options`,
        { cause: error },
      );
    }
  }

  /** The checks no connection of ours makes for this request: literal addresses, names via a proxy. */
  async function checkRequest(url: URL, route: Route): Promise<void> {
    if (route.proxy) await checkProxiedUrl(url, policy, resolve);
    else refuseBlockedLiteral(url);
  }

  function requestError(error: unknown, url: URL, route: Route): GleanerError {
    const throughProxy =
      route.proxy && !(error instanceof GleanerError)
        ? proxyError(error, url, route.proxy, route.setting)
        : null;
    return throughProxy ?? toFetchError(error, url, timeouts, route.trusted);
  }

  async function fetchFeed(request: FeedRequest): Promise<FetchResult> {
    const start = parseFeedUrl(request.url);
    // An empty option is none, as the web form and the CLI take "", and so is a blank user agent or
    // username: sent, they would be an empty User-Agent, or Basic auth of no name and no password.
    const userAgent = request.userAgent?.trim() ? request.userAgent : options.userAgent;
    const username = request.username?.trim() ? request.username : start.username;
    const password = request.password || start.password;
    const authorization =
      username !== null || password !== null
        ? `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`
        : null;
    const hasSecrets = authorization !== null || !!request.cookie;

    let url = start.url;
    let permanent = true;
    const visited = new Set<string>();
    for (let hop = 0; ; hop++) {
      visited.add(url.href);
      const secretsGo = secretsGoTo(start.url, url);
      const headers: Record<string, string> = {
        'user-agent': userAgent,
        accept: ACCEPT,
        'accept-encoding': ACCEPT_ENCODING,
      };
      if (request.etag) headers['if-none-match'] = request.etag;
      if (request.lastModified) headers['if-modified-since'] = request.lastModified;
      if (secretsGo && authorization) headers.authorization = authorization;
      if (secretsGo && request.cookie) headers.cookie = request.cookie;

      const secretsFor = hasSecrets && !secretsGo ? start.url : null;
      const outcome = await fetchOnce(url, headers, routeOf(url, request), secretsFor, request.signal);
      if (outcome.kind === 'redirect') {
        permanent &&= isPermanentRedirect(outcome.status);
        const next = outcome.target;
        if (visited.has(next.href)) {
          throw new FetchError(
            'FETCH_TOO_MANY_REDIRECTS',
            `${redactUrl(start.url)} redirects in a loop (back to ${redactUrl(next)}); check the URL or tell the site`,
          );
        }
        if (hop + 1 > maxRedirects) {
          throw new FetchError(
            'FETCH_TOO_MANY_REDIRECTS',
            `${redactUrl(start.url)} redirected more than ${maxRedirects} times; check the URL or tell the site`,
          );
        }
        url = next;
        continue;
      }
      const finalUrl = url.href;
      const permanentRedirectUrl = hop > 0 && permanent ? finalUrl : null;
      return { ...outcome.result, finalUrl, permanentRedirectUrl };
    }
  }

  type Outcome =
    | { kind: 'redirect'; status: number; target: URL }
    | {
        kind: 'final';
        result: Omit<Extract<FetchResult, { status: 'ok' }>, 'finalUrl' | 'permanentRedirectUrl'>;
      }
    | {
        kind: 'final';
        result: Omit<Extract<FetchResult, { status: 'not-modified' }>, 'finalUrl' | 'permanentRedirectUrl'>;
      };

  /**
   * One request, one response: a redirect to follow, a result, or a thrown FetchError.
   * `secretsFor`: the URL whose cookie or credentials were kept from this request (statusError).
   */
  async function fetchOnce(
    url: URL,
    headers: Record<string, string>,
    route: Route,
    secretsFor: URL | null,
    callerSignal?: AbortSignal,
  ): Promise<Outcome> {
    await checkRequest(url, route);
    const controller = new AbortController();
    const signal = callerSignal ? AbortSignal.any([controller.signal, callerSignal]) : controller.signal;
    let bodyTimer: NodeJS.Timeout | undefined;
    try {
      const response = await route.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        signal,
      });
      bodyTimer = setTimeout(() => controller.abort(bodyTimeoutError(url, timeouts.bodyMs)), timeouts.bodyMs);
      const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
      return await handleResponse(url, response, signal, conditional, secretsFor);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (callerSignal?.aborted) throw callerSignal.reason;
      throw requestError(error, url, route);
    } finally {
      clearTimeout(bodyTimer);
    }
  }

  /**
   * `conditional`: whether the request carried a validator, the only request a 304 answers;
   * `secretsFor`, as fetchOnce takes it.
   */
  async function handleResponse(
    url: URL,
    response: Dispatcher.ResponseData,
    signal: AbortSignal,
    conditional: boolean,
    secretsFor: URL | null,
  ): Promise<Outcome> {
    const { statusCode: status, headers, body } = response;
    const hints: CacheHints = {
      cacheControlMaxAge: parseMaxAge(header(headers, 'cache-control')),
      retryAfter: parseRetryAfter(header(headers, 'retry-after'), now()),
      expires: parseHttpDate(header(headers, 'expires')),
    };
    if (status < 200 || status >= 300) {
      // Drain in the background so the connection can be reused; the result does not depend on it.
      body.dump({ limit: DRAIN_LIMIT, signal: AbortSignal.timeout(timeouts.bodyMs) }).catch(() => {});
      if (isRedirect(status))
        return { kind: 'redirect', status, target: redirectTarget(url, status, header(headers, 'location')) };
      // A 304 to a request with no validator says nothing was modified since nothing: taken as
      // "unchanged", the feed would be subscribed to, or kept, without ever being read.
      if (status === 304 && conditional)
        return { kind: 'final', result: { status: 'not-modified', ...hints } };
      throw statusError(url, status, hints.retryAfter, secretsFor);
    }
    const declaredLength = Number(header(headers, 'content-length') ?? NaN);
    if (declaredLength > maxBodyBytes) {
      discardBody(body);
      throw tooLargeError(url, maxBodyBytes);
    }
    const { bytes, complete } = await readBody(body, header(headers, 'content-encoding'), url, {
      maxBytes: maxBodyBytes,
      signal,
    });
    // A body cut short is not the document its validators name: kept, they would have the server
    // answer the next fetch with a 304, and what it lacks would never come.
    return {
      kind: 'final',
      result: {
        status: 'ok',
        body: bytes,
        contentType: header(headers, 'content-type'),
        etag: complete ? header(headers, 'etag') : null,
        lastModified: complete ? header(headers, 'last-modified') : null,
        ...(complete ? {} : { partial: true }),
        ...hints,
      },
    };
  }

  // A literal IP never goes through DNS, so the connect-time lookup check cannot see it: check it here.
  function refuseBlockedLiteral(url: URL): void {
    const ip = parseIp(url.hostname);
    if (ip && isBlockedAddress(url.hostname, policy)) {
      throw blockedAddressError(
        redactUrl(url),
        url.hostname.replace(/^\[|\]$/g, ''),
        classifyAddress(url.hostname) ?? 'invalid',
      );
    }
  }

  async function postForm(target: string, fields: Record<string, string>): Promise<number> {
    const { url } = parseFeedUrl(target);
    await checkRequest(url, usual);
    try {
      const response = await usual.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'user-agent': options.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(timeouts.headersMs + timeouts.bodyMs),
      });
      await response.body.dump({ limit: DRAIN_LIMIT }).catch(() => {});
      return response.statusCode;
    } catch (error) {
      throw requestError(error, url, usual);
    }
  }

  async function presentedCertificate(
    target: string,
    { viaProxy = false }: { viaProxy?: boolean } = {},
  ): Promise<PresentedCertificate> {
    const { url } = parseFeedUrl(target);
    if (url.protocol !== 'https:')
      throw new GleanerError('USAGE', `${redactUrl(url)} is not https: it has no certificate to trust`);
    // A feed fetched through a proxy is not to learn this server's address: no connection of ours.
    if (options.proxy || viaProxy) {
      throw new GleanerError(
        'USAGE',
        `behind ${viaProxy ? 'GLEANER_FEED_PROXY' : 'GLEANER_FETCH_PROXY'}, get the certificate with openssl s_client -proxy HOST:PORT -connect SERVER:443 -showcerts`,
      );
    }
    refuseBlockedLiteral(url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      ...(parseIp(host) ? {} : { servername: host }),
      // Read, not trusted: this is what the user is asked to check.
      rejectUnauthorized: false,
      lookup: guardedLookup(resolve, policy),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(Object.assign(new Error('timed out'), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
          timeouts.connectMs,
        );
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      if (socket.authorized) {
        throw new GleanerError(
          'USAGE',
          `${url.host}'s certificate is one this server trusts already: its feed needs no other`,
        );
      }
      return certificateToTrust(socket.getPeerCertificate(true), url.host);
    } catch (error) {
      if (error instanceof GleanerError) throw error;
      const failed = toFetchError(error, url, timeouts);
      throw failed instanceof FetchError ? failed.forSubscribing() : failed;
    } finally {
      socket.destroy();
    }
  }

  return {
    fetchFeed,
    postForm,
    presentedCertificate,
    close: async () => {
      await Promise.all([usual, ...routes.values()].map((route) => route.agent.close()));
    },
  };
}
