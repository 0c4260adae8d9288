// WebSub (W3C Recommendation, 2018): a feed that names a hub (link rel="hub") has its new entries
// sent by the hub as they are published, instead of waiting for the next check. `gleaner serve`,
// given its public address (GLEANER_BASE_URL), asks the hub for each such feed after a refresh,
// and again before the hub's lease ends; the hub confirms by calling back with a challenge, then
// posts the feed's document, signed with the secret it was given, to the callback: it is stored as
// a refresh stores a fetch. Checks go on, at the longest interval while the hub sends the feed (see
// nextCheckAt): a hub that fails or forgets costs a delay, never an entry.
import { createHash, randomBytes } from 'node:crypto';
import { classifyAddress } from '../feed/fetch/address.js';
import { carriesSecrets, type Fetcher, type FetchResult } from '../feed/fetch/index.js';
import type { Logger } from '../log/index.js';
import type { Feed } from '../model/index.js';
import type { Store, WebSubState } from '../store/index.js';

export interface WebSubDeps {
  store: Store;
  fetcher: Fetcher;
  clock: () => number;
  log: Logger;
  /** The reader's public address, which hubs call back: GLEANER_BASE_URL. */
  callbackBase: string;
}

/**
 * What a hub sent for a feed, as a refresh stores a fetch: partial, since a hub may send only the
 * newest items; the feed's own validators kept, so that its next check is as conditional as before.
 */
export function pushedDocument(
  feed: Pick<Feed, 'url' | 'etag' | 'lastModified'>,
  body: Uint8Array,
  contentType: string | null,
): FetchResult {
  return {
    status: 'ok',
    body,
    contentType,
    etag: feed.etag,
    lastModified: feed.lastModified,
    finalUrl: feed.url,
    permanentRedirectUrl: null,
    cacheControlMaxAge: null,
    retryAfter: null,
    expires: null,
    partial: true,
  };
}

/** The lease asked for; hubs may give another. */
export const LEASE_SECONDS = 10 * 86_400;
// A lease is renewed in its last day; a hub that refused or never confirmed is asked again a day later.
const RENEW_WITHIN_MS = 86_400_000;
const ASK_AGAIN_AFTER_MS = 86_400_000;
/** The leases a hub confirms are taken between a minute and a month. */
export const LEASE_BOUNDS_SECONDS = { min: 60, max: 30 * 86_400 } as const;

/**
 * The callback's last segment: a digest of the subscription's secret, so that only the hub given
 * the secret knows the address, and a subscription asked again (a new secret) has a new one.
 */
export function callbackToken(secret: string): string {
  return createHash('sha256').update(`callback:${secret}`).digest('hex').slice(0, 32);
}

function callbackUrl(base: string, feedId: number, secret: string): string {
  return `${base.replace(/\/+$/, '')}/websub/${feedId}/${callbackToken(secret)}`;
}

/**
 * Whether a feed may be subscribed to at `hub`. The secret goes to the hub with the request: over
 * HTTPS only (as the specification asks), or to a hub on this machine. A feed fetched with a
 * cookie or credentials is not: a hub fetches the topic as anyone would, and would send what the
 * public sees, or nothing. Nor is one fetched through the feed proxy: the hub would be asked
 * straight, and told the reader's own address to call back, which the proxy is there to keep.
 */
function mayAsk(feed: Feed, hub: string): boolean {
  if (carriesSecrets(feed.options) || feed.options.fetchViaProxy) return false;
  let url: URL;
  try {
    url = new URL(hub);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === 'localhost' || classifyAddress(host) === 'loopback');
}

/**
 * Asks `hub` to send `feed`'s new documents, when the feed has no lease from it that runs past a
 * day, and it was not asked in the last day. Never throws: a hub that fails is logged, and the
 * feed is checked as before.
 */
export async function keepWebSub(feed: Feed, hub: string, topic: string, deps: WebSubDeps): Promise<void> {
  if (!mayAsk(feed, hub)) return;
  try {
    const now = deps.clock();
    const state = await deps.store.webSubOf(feed.id);
    if (!state || !due(state, hub, topic, now)) return;
    const secret = randomBytes(24).toString('hex');
    // Stored before the hub is asked: it may call back before it answers.
    await deps.store.recordWebSubRequest(feed.id, { hub, topic, secret }, now);
    const status = await deps.fetcher.postForm(hub, {
      'hub.mode': 'subscribe',
      'hub.topic': topic,
      'hub.callback': callbackUrl(deps.callbackBase, feed.id, secret),
      'hub.secret': secret,
      'hub.lease_seconds': String(LEASE_SECONDS),
    });
    if (status < 200 || status >= 300)
      deps.log.info('WebSub hub refused the subscription', { feedId: feed.id, hub, status });
  } catch (err) {
    deps.log.info('WebSub hub could not be asked', { feedId: feed.id, hub, error: String(err) });
  }
}

function due(state: WebSubState, hub: string, topic: string, now: number): boolean {
  const same = state.hub === hub && state.topic === topic;
  if (same && state.leaseUntil !== null && state.leaseUntil - now > RENEW_WITHIN_MS) return false;
  return !(same && state.requestedAt !== null && now - state.requestedAt < ASK_AGAIN_AFTER_MS);
}
