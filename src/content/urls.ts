// URLs found in feed content: made absolute against the entry's base, limited to schemes that are
// safe to follow or load, and cleaned of click-tracking parameters.

/** What a URL is for: a link the reader may follow, or media the reader's browser loads by itself. */
export type UrlKind = 'link' | 'media';

const SCHEMES: Record<UrlKind, ReadonlySet<string>> = {
  link: new Set(['http:', 'https:', 'mailto:']),
  media: new Set(['http:', 'https:']),
};

/**
 * `url` resolved against `base`, or null when it cannot be used: empty, unparseable, relative with no
 * usable base, or of a scheme other than http(s) (and mailto for links). The WHATWG parser does the
 * scheme check, so whitespace, control characters and letter case cannot disguise `javascript:`.
 */
export function absolutizeUrl(url: string, base: string | null, kind: UrlKind = 'link'): string | null {
  if (isCanonicalHttpUrl(url)) return url;
  if (url.trim() === '') return null;
  const usable = usableBase(base);
  // A fragment of the base (a table of contents' links), likewise.
  if (usable !== undefined && CANONICAL_FRAGMENT.test(url)) {
    const hashAt = usable.indexOf('#');
    return (hashAt === -1 ? usable : usable.slice(0, hashAt)) + url;
  }
  const parsed = parseUrl(url, usable);
  if (parsed === null || !SCHEMES[kind].has(parsed.protocol)) return null;
  return parsed.href;
}

/** What a page's relative URLs resolve against: its own `<base href>` if usable, as in a browser. */
export function pageBaseUrl(baseHref: string | null | undefined, pageUrl: string): string {
  return (baseHref == null ? null : absolutizeUrl(baseHref, pageUrl, 'media')) ?? pageUrl;
}

/**
 * An absolute http(s) URL written as the WHATWG parser writes it back, which resolving would return
 * unchanged: most URLs in feed content. Parsing them took ~9% of the time entries were prepared in
 * (the farm's feeds, bench/farm/feeds.ts), ~3.5% with this and fragments handled alike. Only what
 * parsing leaves as it is passes: a lowercase host of letters, digits and hyphens whose last
 * label starts with a letter (no IP address, no IDN, no port or user), a path of characters that
 * are never escaped with no dot segment, then a query and a fragment likewise.
 */
function isCanonicalHttpUrl(url: string): boolean {
  return CANONICAL_HTTP_URL.test(url) && !url.includes('/.') && !/%2e|xn--/i.test(url);
}
const CANONICAL_HTTP_URL =
  /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\/[\w\-.~!$&'()*+,;=:@/%]*(?:\?[\w\-.~!$&()*+,;=:@/%?]*)?(?:#[\w\-.~!$&'()*+,;=:@/%?]*)?$/;
const CANONICAL_FRAGMENT = /^#[\w\-.~!$&'()*+,;=:@/%?]*$/;

// Every URL of an entry is resolved against the same base: remember the last one checked.
let lastBase: string | null = null;
let lastUsable: string | undefined;

/** `base` when it can anchor relative URLs: an absolute http(s) URL. */
function usableBase(base: string | null): string | undefined {
  if (base === null) return undefined;
  if (base === lastBase) return lastUsable;
  const parsed = parseUrl(base, undefined);
  lastBase = base;
  lastUsable =
    parsed !== null && (parsed.protocol === 'http:' || parsed.protocol === 'https:')
      ? parsed.href
      : undefined;
  return lastUsable;
}

// URL.parse() arrived in Node 22; we support Node 20.
function parseUrl(url: string, base: string | undefined): URL | null {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

/** Query parameters that only tell a marketing system where a click came from (compared lowercased). */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  // Google Ads, Analytics and Shopping
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  '_ga',
  '_gl',
  'srsltid',
  // Facebook, Instagram
  'fbclid',
  'igshid',
  'igsh',
  // Microsoft, Yandex, Twitter/X, TikTok, LinkedIn, Pinterest
  'msclkid',
  'yclid',
  'ysclid',
  '_openstat',
  'twclid',
  'ref_src',
  'ref_url',
  'ttclid',
  'li_fat_id',
  'epik',
  // Mailchimp, HubSpot, Marketo, Drip, Vero, Wicked Reports, Olytics, Adobe, Beehiiv, Branch
  'mc_cid',
  'mc_eid',
  'mc_tc',
  '_hsenc',
  '_hsmi',
  '__hssc',
  '__hstc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  '__s',
  'vero_id',
  'vero_conv',
  'wickedid',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'sc_cid',
  '_bhlid',
  '_branch_match_id',
  '_branch_referrer',
  // Matomo / Piwik campaigns
  'mtm_campaign',
  'mtm_cid',
  'mtm_content',
  'mtm_group',
  'mtm_keyword',
  'mtm_kwd',
  'mtm_medium',
  'mtm_placement',
  'mtm_source',
  'pk_campaign',
  'pk_content',
  'pk_cpn',
  'pk_keyword',
  'pk_kwd',
  'pk_medium',
  'pk_source',
]);

/** Families of tracking parameters: Google's UTM tags and HubSpot's ad tags. */
export const TRACKING_PARAM_PREFIXES: readonly string[] = ['utm_', 'hsa_'];

/**
 * `url` without its tracking query parameters. Everything else (other parameters and their order,
 * their encoding, empty pairs, the fragment) is kept byte for byte; a URL with nothing to remove is
 * returned unchanged.
 */
export function stripTrackingParams(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeFragment = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeFragment.indexOf('?');
  if (queryAt === -1) return url;
  const pairs = beforeFragment.slice(queryAt + 1).split('&');
  const kept = pairs.filter((pair) => !isTrackingParam(pair));
  if (kept.length === pairs.length) return url;
  const query = kept.join('&');
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  return beforeFragment.slice(0, queryAt) + (query === '' ? '' : `?${query}`) + fragment;
}

function isTrackingParam(pair: string): boolean {
  const equalsAt = pair.indexOf('=');
  const rawName = equalsAt === -1 ? pair : pair.slice(0, equalsAt);
  if (rawName === '') return false;
  const name = decodeParamName(rawName).toLowerCase();
  return TRACKING_PARAMS.has(name) || TRACKING_PARAM_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function decodeParamName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name; // a stray '%' is not an encoding: compare the name as written
  }
}
