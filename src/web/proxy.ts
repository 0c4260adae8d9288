// The image proxy: feed images load from Gleaner instead of the feed's servers, so reading does
// not tell every publisher the reader's address. Proxied URLs are signed, so the proxy fetches only
// what Gleaner itself put in a page, and fetching goes through the guarded fetcher (no private
// addresses). An entry's images name its feed, signed with them: they are fetched as the feed is
// (through the feed proxy, trusting the feed's own certificate), never with its cookie or password.
import { createHmac, randomBytes } from 'node:crypto';
import { sameToken } from './auth.js';

// A key per server run: signed URLs live as long as the pages that carry them are fresh. When the
// reader runs on several processes, they all sign with the key the first one made.
let KEY: Buffer = randomBytes(32);

/** This process's signing key, to hand to the processes that serve beside it. */
export function proxyKey(): Buffer {
  return KEY;
}

/** Signs and verifies with this key from now on (the one the other processes use). */
export function useProxyKey(key: Buffer): void {
  if (key.length < 32) throw new Error('an image proxy key has at least 32 bytes');
  KEY = key;
}

function sign(url: string): string {
  return createHmac('sha256', KEY).update(url).digest('base64url').slice(0, 22);
}

/** What a signature covers: the URL, and the feed whose entry shows it, if one does. */
const signed = (url: string, feedId: number | null): string => (feedId === null ? url : `${feedId} ${url}`);

/** The proxy's path for the image at `url`, shown by an entry of feed `feedId` when it is given. */
export function proxiedImageUrl(url: string, feedId: number | null = null): string {
  if (!/^https?:\/\//i.test(url)) return url;
  const path = `/proxy/image/${sign(signed(url, feedId))}/${Buffer.from(url).toString('base64url')}`;
  return feedId === null ? path : `${path}?feed=${feedId}`;
}

/**
 * The image URL a signed proxy path stands for, and the feed it was signed with (null for none);
 * null when the signature does not match both.
 */
export function verifyProxied(
  signature: string,
  encoded: string,
  feed?: string,
): { url: string; feedId: number | null } | null {
  const url = Buffer.from(encoded, 'base64url').toString();
  if (!/^https?:\/\//i.test(url)) return null;
  const feedId = feed === undefined ? null : /^[1-9][0-9]{0,15}$/.test(feed) ? Number(feed) : NaN;
  if (Number.isNaN(feedId)) return null;
  return sameToken(signature, sign(signed(url, feedId))) ? { url, feedId } : null;
}

/**
 * Rewrites the images of sanitized content to go through the proxy. The sanitizer's output is
 * regular (double-quoted attributes, entities escaped), so attribute matching is exact here; a
 * `srcset` is dropped, since each of its candidates would need its own signature.
 */
export function proxyContentImages(contentHtml: string, feedId: number | null = null): string {
  return contentHtml.replace(/<img\b[^>]*>/g, (tag) =>
    tag
      .replace(/\ssrcset="[^"]*"/g, '')
      .replace(
        /\ssrc="([^"]*)"/,
        (_m, src: string) =>
          ` src="${proxiedImageUrl(src.replace(/&amp;/g, '&'), feedId).replace(/&/g, '&amp;')}"`,
      ),
  );
}
