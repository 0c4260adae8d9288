// Fetching through a proxy (GLEANER_FETCH_PROXY), for hosts whose only way out is one, or for the
// feeds whose options ask for one (GLEANER_FEED_PROXY, as Miniflux's fetch_via_proxy): an HTTP or
// HTTPS proxy (plain http feeds are sent to it as absolute URLs, https ones through a CONNECT
// tunnel, as curl does; many proxies allow CONNECT to port 443 only). Not SOCKS: undici's SOCKS5
// pools keep neither the fetcher's timeouts nor its per-host limit; an HTTP front (Tor's
// HTTPTunnelPort, Privoxy) serves instead.
//
// The proxy, not Gleaner, connects to the feed's server, so the connect-time check of lookup.ts
// cannot run. Each request is checked before it is sent instead: an IP literal, and every address
// the name has here, against the SSRF policy. A name that does not resolve here (a network whose
// DNS stops at the proxy) is left to the proxy: what it may reach is then its own configuration's
// to say.

import type { ConnectionOptions } from 'node:tls';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import { GleanerError } from '../../model/errors.js';
import { classifyAddress, isBlockedAddress, parseIp, type NetworkPolicy } from './address.js';
import { blockedAddressError, FetchError, redactUrl } from './errors.js';
import type { ResolveHost } from './lookup.js';

const PROXY_SCHEMES = new Set(['http:', 'https:']);

/** The proxy URL as the operator wrote it, checked; a message naming the setting when it is unusable. */
export function parseProxyUrl(text: string, setting = 'GLEANER_FETCH_PROXY'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not shown: what does not parse cannot be cleared of a password.
    throw new GleanerError(
      'CONFIG_INVALID',
      `${setting} is not a URL; give one like http://proxy.example:3128`,
    );
  }
  // Without a host, what parsed is no authority whose password could be cleared: written without
  // its scheme, `user:secret@proxy:3128` reads as the scheme `user:` and a path. Not shown.
  if (!url.hostname) {
    throw new GleanerError(
      'CONFIG_INVALID',
      `${setting} has no host; give an http:// or https:// proxy with its host and port, like http://proxy.example:3128`,
    );
  }
  if (!PROXY_SCHEMES.has(url.protocol)) {
    throw new GleanerError(
      'CONFIG_INVALID',
      `${setting}=${redactUrl(url)}: give an http:// or https:// proxy with its host and port`,
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new GleanerError(
      'CONFIG_INVALID',
      `${setting}=${redactUrl(url)}: a proxy URL is a scheme, a host and a port, without a path`,
    );
  }
  return url;
}

export interface ProxyDispatcherOptions {
  proxy: URL;
  /** Connections per feed origin (through the tunnel); the proxy itself takes as many as needed. */
  connections: number;
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  /** TLS options for the feeds' servers, through the tunnel (a certificate one feed trusts). */
  tls?: ConnectionOptions;
}

/** One dispatcher for every fetch through `proxy`, with the fetcher's limits and timeouts. */
export function createProxyDispatcher(o: ProxyDispatcherOptions): Dispatcher {
  const timeouts = { headersTimeout: o.headersMs, bodyTimeout: o.bodyMs };
  return new ProxyAgent({
    uri: o.proxy.href,
    proxyTunnel: false,
    connections: o.connections,
    ...timeouts,
    proxyTls: { timeout: o.connectMs },
    requestTls: { timeout: o.connectMs, ...o.tls },
    // undici makes the pools: one per feed origin (tunnelled), and one to the proxy for plain
    // http feeds, which all share it, so it is not held to a feed origin's connections.
    factory: (origin, options) =>
      new Pool(origin, {
        ...options,
        ...timeouts,
        connections: new URL(String(origin)).origin === o.proxy.origin ? null : o.connections,
      }),
  });
}

/**
 * Refuses `url` before it goes to the proxy when its host is an address the policy blocks, or a
 * name that resolves here to one (any of its addresses: the proxy may pick any).
 */
export async function checkProxiedUrl(url: URL, policy: NetworkPolicy, resolve: ResolveHost): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (parseIp(host)) {
    if (isBlockedAddress(host, policy)) {
      throw blockedAddressError(redactUrl(url), host, classifyAddress(host) ?? 'invalid');
    }
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return; // the proxy resolves it
  }
  for (const { address } of addresses) {
    if (isBlockedAddress(address, policy)) {
      throw blockedAddressError(redactUrl(url), address, classifyAddress(address) ?? 'invalid', url.hostname);
    }
  }
}

/** What went wrong on the way through the proxy, as a FetchError, or null when it was not that. */
export function proxyError(
  error: unknown,
  url: URL,
  proxy: URL,
  setting = 'GLEANER_FETCH_PROXY',
): FetchError | null {
  const where = `${redactUrl(url)}: the proxy ${proxy.host}`;
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: unknown } | null)?.code;
  const status = /Proxy (?:Authentication Required \((\d{3})\)|response \((\d{3})\))/.exec(message);
  if (status) {
    const answered = Number(status[1] ?? status[2]);
    if (answered === 407) {
      return new FetchError(
        'FETCH_NETWORK',
        `${where} asks for a username and password (407); give them in ${setting} (http://user:password@host:port)`,
        { cause: error },
      );
    }
    return new FetchError(
      'FETCH_NETWORK',
      `${where} could not open a connection to ${url.host} (${answered}), Gleaner will retry later`,
      {
        cause: error,
        whenSubscribing: `${where} could not open a connection to ${url.host} (${answered}), try again later`,
      },
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new FetchError(
      'FETCH_NETWORK',
      `${where} could not be reached (${String(code)}); check ${setting}, Gleaner will retry later`,
      {
        cause: error,
        whenSubscribing: `${where} could not be reached (${String(code)}); check ${setting}`,
      },
    );
  }
  return null;
}
