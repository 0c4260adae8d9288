// The image proxy: feed images load from Gleaner instead of the feed's servers, so reading does
// not tell every publisher the reader's address. Proxied URLs are signed, so the proxy fetches only
// what Gleaner itself put in a page, and fetching goes through the guarded fetcher (no private
// addresses).
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

export function proxiedImageUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  return `/proxy/image/${sign(url)}/${Buffer.from(url).toString('base64url')}`;
}

/** The URL a signed proxy path stands for, or null when the signature does not match. */
export function verifyProxied(signature: string, encoded: string): string | null {
  const url = Buffer.from(encoded, 'base64url').toString();
  if (!/^https?:\/\//i.test(url)) return null;
  return sameToken(signature, sign(url)) ? url : null;
}

/**
 * Rewrites the images of sanitized content to go through the proxy. The sanitizer's output is
 * regular (double-quoted attributes, entities escaped), so attribute matching is exact here; a
 * `srcset` is dropped, since each of its candidates would need its own signature.
 */
export function proxyContentImages(contentHtml: string): string {
  return contentHtml.replace(/<img\b[^>]*>/g, (tag) =>
    tag
      .replace(/\ssrcset="[^"]*"/g, '')
      .replace(
        /\ssrc="([^"]*)"/,
        (_m, src: string) => ` src="${proxiedImageUrl(src.replace(/&amp;/g, '&')).replace(/&/g, '&amp;')}"`,
      ),
  );
}
