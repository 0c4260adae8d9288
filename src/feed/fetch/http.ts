// The HTTP rules the fetcher follows, as pure functions: URLs, redirects, statuses, caching headers.

import { STATUS_CODES } from 'node:http';
import { durationText, isoTime } from '../../model/time.js';
import { quotedText } from '../parse/text.js';
import { FetchError, redactUrl } from './errors.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/json, ' +
  'application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5';

export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** A header's value; repeated headers are joined as RFC 9110 allows for list-valued fields. */
export function header(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export interface FeedUrl {
  /** The URL to request, without userinfo. */
  url: URL;
  /** Credentials written into the URL (`https://user:pass@host/feed`), decoded. */
  username: string | null;
  password: string | null;
}

/** Parses a subscription URL; only absolute http and https URLs are fetched. */
export function parseFeedUrl(text: string): FeedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new FetchError(
      'FETCH_INVALID_URL',
      `${redactUrl(text)} is not a valid URL; check the subscription`,
      {
        cause,
      },
    );
  }
  checkScheme(url);
  const credentials = takeCredentials(url);
  url.hash = '';
  return { url, ...credentials };
}

/** A part of a URL's userinfo, percent-decoded; a malformed escape (`%zz`) is kept as written. */
function decodeUserinfo(part: string): string | null {
  if (!part) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The username and password written into `url` (decoded; null when absent), taken out of it. */
export function takeCredentials(url: URL): { username: string | null; password: string | null } {
  const credentials = { username: decodeUserinfo(url.username), password: decodeUserinfo(url.password) };
  url.username = '';
  url.password = '';
  return credentials;
}

/**
 * Refuses a URL that is not http or https; `redirectedFrom`, the URL whose redirect led to it. A
 * redirect's target is the site's text, stored in the feed's last error: it is shortened, as a
 * `data:` URL may hold a whole document.
 */
function checkScheme(url: URL, redirectedFrom?: URL): void {
  if (url.protocol === 'http:' || url.protocol === 'https:') return;
  const scheme = quotedText(url.protocol.slice(0, -1));
  const where = redirectedFrom
    ? `${redactUrl(redirectedFrom)} redirects to ${quotedText(redactUrl(url))}, which`
    : redactUrl(url);
  throw new FetchError(
    'FETCH_INVALID_URL',
    `${where} uses ${scheme}, but feeds can only be fetched over http or https; check the URL`,
  );
}

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** 301 and 308 move a resource for good, so the subscription's stored URL should follow them. */
export function isPermanentRedirect(status: number): boolean {
  return status === 301 || status === 308;
}

/**
 * Where a redirect leads; relative Locations resolve against the URL that answered. A username and
 * password written into the Location are dropped, never sent: kept in the URL of a subscription
 * that moved there for good, they would go as its credentials with every later fetch, and be shown
 * wherever its URL is (`gleaner feeds`, OPML exports).
 */
export function redirectTarget(from: URL, status: number, location: string | null): URL {
  if (location === null || location.trim() === '') {
    throw new FetchError(
      'FETCH_HTTP_STATUS',
      `${redactUrl(from)} returned ${statusLine(status)} without saying where to; check the URL`,
      { status },
    );
  }
  let target: URL;
  try {
    target = new URL(location.trim(), from);
  } catch (cause) {
    throw new FetchError(
      'FETCH_INVALID_URL',
      `${redactUrl(from)} redirects to ${quotedText(redactUrl(location))}, which is not a valid URL; check the URL`,
      { cause, status },
    );
  }
  checkScheme(target, from);
  target.hash = '';
  target.username = '';
  target.password = '';
  return target;
}

export function statusLine(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `${status} ${reason}` : String(status);
}

/**
 * Whether a feed's secrets (its cookie, username and password), given for `from`, go to `to`: to
 * `from`'s own origin, and to its https address (the same host, from http to https, both on their
 * default ports or both on one port written out), where a site that moved to https redirects.
 * Never from https to http, where anyone on the way reads them, nor to another host or port, which
 * may be another site's. The one rule for every fetch a feed's secrets go with: each hop of a
 * redirect, the URL a feed moves to with them, and the pages of its full articles.
 */
export function secretsGoTo(from: URL | string, to: URL | string): boolean {
  const urls = bothUrls(from, to);
  if (!urls) return false;
  const [start, target] = urls;
  if (start.origin === target.origin) return true;
  return (
    start.protocol === 'http:' &&
    target.protocol === 'https:' &&
    start.hostname === target.hostname &&
    start.port === target.port
  );
}

/** Both URLs parsed (copies), or null when either is not one. */
function bothUrls(a: URL | string, b: URL | string): [URL, URL] | null {
  try {
    return [new URL(a), new URL(b)];
  } catch {
    return null;
  }
}

/**
 * `to`, where a feed at `from` moved for good, with the username and password written into `from`
 * where they go (secretsGoTo): the fetcher sent them there, and the feed needs them still.
 */
export function movedUrl(from: string, to: string): string {
  const urls = bothUrls(from, to);
  if (!urls) return to;
  const [start, target] = urls;
  if ((!start.username && !start.password) || !secretsGoTo(start, target)) return to;
  target.username = start.username;
  target.password = start.password;
  return target.href;
}

/**
 * The error for a status that carries no feed; the advice depends on whether trying again can help.
 * `secretsFor`: the URL a cookie or credentials were given for, when a redirect from it led to
 * `url`, where they are not sent (secretsGoTo), since a refusal there is no sign they are wrong.
 */
export function statusError(
  url: URL,
  status: number,
  retryAfterSeconds: number | null,
  secretsFor: URL | null = null,
): FetchError {
  if ((status === 401 || status === 403) && secretsFor !== null) {
    const redirect = `${redactUrl(secretsFor)} redirects to ${redactUrl(url)}, where`;
    const rule = 'not sent (only to its own address, and from http to its https one)';
    const answer = `and which returned ${statusLine(status)}`;
    return new FetchError(
      'FETCH_HTTP_STATUS',
      `${redirect} the feed's cookie and credentials are ${rule}, ${answer}; if the feed moved there, subscribe to that URL with them`,
      {
        status,
        retryAfterSeconds,
        whenSubscribing: `${redirect} the cookie and credentials given are ${rule}, ${answer}; to send them there, subscribe to that URL`,
      },
    );
  }
  const retry = retryAfterSeconds ? `in ${durationText(retryAfterSeconds * 1000)}` : 'later';
  // A feed's next check is its schedule's (a back-off, at least what the server asks): only what the
  // server asked is told here; `gleaner feeds` tells when the next check is.
  const asks = retryAfterSeconds ? ` (it asks for ${durationText(retryAfterSeconds * 1000)})` : '';
  // For a feed's stored error, and for someone whose first fetch of the URL this was.
  let advice: string;
  let whenSubscribing: string;
  if (status === 401 || status === 403) {
    advice = 'check the username, password or cookie of the subscription (its edit form, or gleaner edit)';
    whenSubscribing = 'check the username, password or cookie to fetch it with';
  } else if (status === 410) {
    advice = 'the feed is gone for good; remove the subscription';
    whenSubscribing = 'the feed is gone for good';
  } else if (status === 429) {
    advice = `the server wants fewer requests${asks}; Gleaner will retry later`;
    whenSubscribing = `the server wants fewer requests, try again ${retry}`;
  } else if (status >= 500) {
    advice = `the server has a problem${asks}; Gleaner will retry later`;
    whenSubscribing = `the server has a problem, try again ${retry}`;
  } else if (status === 304) {
    // Reached only for a request without a validator, which a 304 cannot answer.
    const why = 'the request had nothing to compare (no ETag or date), so the server is misconfigured';
    advice = `${why}; Gleaner will retry later`;
    whenSubscribing = `${why}; try again ${retry} or tell the site`;
  } else if (status >= 400) {
    advice = 'check the URL or remove the subscription';
    whenSubscribing = 'check the URL';
  } else {
    advice = whenSubscribing = 'this is not a feed response; check the URL';
  }
  const problem = `${redactUrl(url)} returned ${statusLine(status)}`;
  return new FetchError('FETCH_HTTP_STATUS', `${problem}; ${advice}`, {
    status,
    retryAfterSeconds,
    whenSubscribing: `${problem}; ${whenSubscribing}`,
  });
}

// HTTP dates always name the month (RFC 9110 §5.6.7); Date.parse alone would read "0" as a year.
function parseDate(value: string | null): number | null {
  if (value === null || !/[a-z]{3}/i.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The longest wait a `Retry-After` is honoured for: a server asking for more (or for ever, with a
 * number too large to read) is asked again after a week, so one answer never puts a feed aside for
 * good.
 */
export const MAX_RETRY_AFTER_SECONDS = 7 * 24 * 3600;

/** `Retry-After` as seconds from `nowMs`: either delta-seconds or an HTTP date; at most a week. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  const at = parseDate(text);
  return at === null ? null : Math.min(Math.max(0, Math.ceil((at - nowMs) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

/** `max-age` from Cache-Control, in seconds. */
export function parseMaxAge(cacheControl: string | null): number | null {
  for (const directive of (cacheControl ?? '').split(',')) {
    const match = /^max-age\s*=\s*"?(\d+)"?$/i.exec(directive.trim());
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return null;
}

/** An HTTP date (`Expires`) as ISO 8601 UTC with seconds precision. */
export function parseHttpDate(value: string | null): string | null {
  const ms = parseDate(value);
  return ms === null ? null : isoTime(ms).replace(/\.\d{3}Z$/, 'Z');
}
